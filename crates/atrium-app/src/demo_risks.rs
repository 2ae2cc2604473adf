//! The demo's risk registers: a handful of rated threats and opportunities on the active
//! projects, with owners, responses, costs at stake and review dates (some overdue), so the
//! registers and the matrix have something to show.

use crate::Result;
use crate::demo::Rng;
use atrium_core::project::{Phase, Project};
use atrium_core::risk::{
    ActionStatus, Rating, RatingChange, ResponseAction, Risk, RiskKind, RiskMatrix, Strategy,
};
use atrium_store::Tx;
use atrium_store::risk as rk;
use jiff::Span;
use jiff::civil::Date;
use std::collections::BTreeMap;
use uuid::Uuid;

/// (title, category, cause, kind)
const RISKS: [(&str, &str, &str, RiskKind); 12] = [
    (
        "Key supplier delivers late",
        "supplier",
        "Single source for the main component",
        RiskKind::Threat,
    ),
    (
        "Test environment not ready",
        "technical",
        "Shared infrastructure team is overloaded",
        RiskKind::Threat,
    ),
    (
        "Key people leave mid-project",
        "resource",
        "Tight labour market",
        RiskKind::Threat,
    ),
    (
        "Regulation changes before go-live",
        "regulatory",
        "New rules expected this year",
        RiskKind::Threat,
    ),
    (
        "Data migration quality is poor",
        "technical",
        "Legacy data has no owner",
        RiskKind::Threat,
    ),
    (
        "Scope creep from the business",
        "scope",
        "Requirements still moving",
        RiskKind::Threat,
    ),
    (
        "Budget cut at mid-year review",
        "financial",
        "Cost-saving programme",
        RiskKind::Threat,
    ),
    (
        "Integration partner misses its window",
        "schedule",
        "Partner plans quarterly releases",
        RiskKind::Threat,
    ),
    (
        "Security findings block release",
        "security",
        "Penetration test late in the plan",
        RiskKind::Threat,
    ),
    (
        "Users resist the new process",
        "change",
        "Little involvement so far",
        RiskKind::Threat,
    ),
    (
        "Reuse the platform of another project",
        "technical",
        "Similar project finished last year",
        RiskKind::Opportunity,
    ),
    (
        "Volume discount from the vendor",
        "financial",
        "Framework contract renegotiation",
        RiskKind::Opportunity,
    ),
];

const DEPARTMENTS: [&str; 5] = [
    "IT",
    "Operations",
    "Finance",
    "Sales",
    "Project Management Office",
];
const SUPPLIERS: [&str; 4] = [
    "Contoso Systems",
    "Fabrikam Components",
    "Northwind Logistics",
    "Tailspin Consulting",
];

const OWNERS: [&str; 6] = [
    "Priya Raman",
    "Henrik Vogel",
    "Jonas Becker",
    "Sofia Lindqvist",
    "Aisha Bakker",
    "Daniel Okafor",
];

/// Writes the demo risks; returns how many.
pub(crate) async fn seed(
    tx: &mut Tx,
    projects: &[Project],
    today: Date,
    now: i64,
) -> Result<usize> {
    let m = RiskMatrix::default();
    let mut rng = Rng(0x815C_2026);
    let mut count = 0;
    for p in projects
        .iter()
        .filter(|p| matches!(p.phase, Phase::Planning | Phase::Executing))
    {
        let n = rng.range(2, 5);
        for k in 0..n {
            let (title, category, cause, kind) = RISKS[rng.below(RISKS.len())];
            let mut r = Risk::new_in_project(
                Uuid::now_v7(),
                k as u32 + 1,
                p.id,
                p.program_id,
                p.portfolio_id,
            );
            r.kind = kind;
            r.title = title.into();
            r.category = category.into();
            r.cause = cause.into();
            r.owner = OWNERS[rng.below(OWNERS.len())].into();
            r.department = DEPARTMENTS[rng.below(DEPARTMENTS.len())].into();
            if matches!(category, "supplier" | "schedule" | "financial") {
                r.supplier = SUPPLIERS[rng.below(SUPPLIERS.len())].into();
            }
            // One in ten is recorded but not assessed yet.
            if !rng.chance(0.1) {
                let cost = 1 + rng.below(5) as u8;
                let schedule = 1 + rng.below(5) as u8;
                let probability = 1 + rng.below(5) as u8;
                rate(
                    &mut r,
                    probability,
                    [("cost", cost), ("schedule", schedule)],
                    now,
                );
                r.strategy = Some(match kind {
                    RiskKind::Threat => [
                        Strategy::Mitigate,
                        Strategy::Avoid,
                        Strategy::Transfer,
                        Strategy::Accept,
                    ][rng.below(4)],
                    RiskKind::Opportunity => {
                        [Strategy::Exploit, Strategy::Enhance, Strategy::Share][rng.below(3)]
                    }
                });
                r.actions.push(ResponseAction {
                    title: "Agree the response with the owner".into(),
                    owner: r.owner.clone(),
                    due: Some(today.saturating_add(Span::new().days(rng.range(-10, 40)))),
                    status: [ActionStatus::Planned, ActionStatus::Started][rng.below(2)],
                });
            }
            r.cost_impact = 100 * 1000 * rng.range(10, 400);
            r.next_review = Some(today.saturating_add(Span::new().days(rng.range(-14, 60))));
            r.proximity = Some(today.saturating_add(Span::new().days(rng.range(20, 200))));
            rk::insert_risk(tx, &r, r.emv(&m), now).await?;
            count += 1;
        }
    }
    count += seed_registers(tx, projects, &m, &mut rng, today, now).await?;
    let appetite = atrium_core::risk::AppetiteDraft {
        rules: "We accept at most two critical schedule risks per program | schedule | program | 2 critical |\n\
                Threat exposure per portfolio stays under 2.5 million | * | portfolio | | 2500000\n\
                No more than five critical supplier risks organization-wide | supplier | organization | 5 critical |"
            .into(),
        ..Default::default()
    }
    .validate(&m, 1)
    .map_err(|e| crate::AppError::Internal(format!("demo appetite does not validate: {e:?}").into()))?;
    rk::put_appetite(tx, &appetite, now).await?;
    Ok(count)
}

/// Risks raised directly in program and portfolio registers (one or two each), then each
/// portfolio's exposure snapshot for today and, going back 12 weeks, a made-up history
/// around it so the trend chart has a line to draw.
async fn seed_registers(
    tx: &mut Tx,
    projects: &[Project],
    m: &RiskMatrix,
    rng: &mut Rng,
    today: Date,
    now: i64,
) -> Result<usize> {
    use atrium_core::risk::RegisterLevel;
    const PROGRAM: [(&str, &str); 2] = [
        (
            "Benefits depend on every project landing together",
            "Projects of the program share one go-live",
        ),
        (
            "Program sponsor changes role",
            "Reorganization announced for next year",
        ),
    ];
    const PORTFOLIO: [(&str, &str); 2] = [
        (
            "Funding for next fiscal year is cut",
            "Revenue below plan for two quarters",
        ),
        (
            "Shared architects are over-committed across projects",
            "Few people hold the platform knowledge",
        ),
    ];
    let mut programs: Vec<(Uuid, Uuid)> = projects
        .iter()
        .filter_map(|p| Some((p.program_id?, p.portfolio_id)))
        .collect();
    programs.sort();
    programs.dedup();
    let mut portfolios: Vec<Uuid> = projects.iter().map(|p| p.portfolio_id).collect();
    portfolios.sort();
    portfolios.dedup();
    let scopes = programs
        .iter()
        .map(|&(pg, pf)| (RegisterLevel::Program, Some(pg), pf, &PROGRAM))
        .chain(
            portfolios
                .iter()
                .map(|&pf| (RegisterLevel::Portfolio, None, pf, &PORTFOLIO)),
        );
    let mut count = 0;
    for (level, program, portfolio, texts) in scopes {
        for (k, (title, cause)) in texts.iter().enumerate().take(rng.range(1, 2) as usize) {
            let mut r = Risk::new_in_register(
                Uuid::now_v7(),
                k as u32 + 1,
                level,
                None,
                program,
                Some(portfolio),
            );
            r.title = (*title).into();
            r.cause = (*cause).into();
            r.category = if k == 0 { "strategic" } else { "resource" }.into();
            r.owner = OWNERS[rng.below(OWNERS.len())].into();
            let cost = 2 + rng.below(4) as u8;
            let reputation = 1 + rng.below(5) as u8;
            let probability = 1 + rng.below(4) as u8;
            rate(
                &mut r,
                probability,
                [("cost", cost), ("reputation", reputation)],
                now,
            );
            r.strategy = Some(Strategy::Mitigate);
            r.cost_impact = 100 * 1000 * rng.range(200, 1500);
            r.next_review = Some(today.saturating_add(Span::new().days(rng.range(-7, 45))));
            rk::insert_risk(tx, &r, r.emv(m), now).await?;
            count += 1;
        }
    }
    let severe = m
        .bands
        .get(m.bands.len().saturating_sub(2))
        .map_or(i64::MAX, |b| i64::from(b.min_score));
    for pf in portfolios {
        rk::refresh_exposure(tx, pf, today, severe).await?;
        let now_row = rk::exposure_on_tx(tx, pf, today).await?;
        let Some(base) = now_row else { continue };
        // Exposure grew over the quarter, with some weeks better than others.
        for week in 1..=12i64 {
            let f = 1.0 - 0.025 * week as f64 + 0.04 * (rng.below(100) as f64 / 100.0 - 0.5);
            let scale = |v: i64| ((v as f64) * f).round().max(0.0) as i64;
            rk::put_exposure(
                tx,
                &rk::Exposure {
                    portfolio_id: pf,
                    day: today.saturating_sub(Span::new().days(7 * week)).to_string(),
                    open_risks: scale(base.open_risks),
                    threat_emv: scale(base.threat_emv),
                    severe: scale(base.severe),
                },
            )
            .await?;
        }
    }
    Ok(count)
}

/// Rates a demo risk (by its owner, now) and records the rating in its history.
fn rate(r: &mut Risk, probability: u8, impacts: [(&str, u8); 2], now: i64) {
    let rating = Rating {
        probability,
        impacts: impacts
            .into_iter()
            .map(|(d, l)| (d.to_owned(), l))
            .collect::<BTreeMap<_, _>>(),
    };
    r.history.push(RatingChange {
        at: now,
        by: r.owner.clone(),
        rating: Some(rating.clone()),
        residual: None,
    });
    r.rating = Some(rating);
}
