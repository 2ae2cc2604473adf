//! The demo organization's strategy and intake: five strategic drivers, proposals in every
//! workflow state with business cases, and the business cases of live projects, so that
//! scoring, ranking and optimization have something real to work on.

use crate::Result;
use atrium_core::money::Minor;
use atrium_core::portfolio::Portfolio;
use atrium_core::project::{Phase, Project};
use atrium_core::resource::Person;
use atrium_core::strategy::{
    CapacityNeed, Driver, LinkKind, Proposal, ProposalLink, ProposalState, StrategyConfig,
    YearBenefit, YearCost,
};
use atrium_store::{Tx, strategy as st};
use jiff::civil::Date;
use std::collections::BTreeMap;
use uuid::Uuid;

const DRIVERS: [(&str, &str, f64); 5] = [
    ("Revenue growth", "New revenue and market share", 0.30),
    (
        "Operational efficiency",
        "Lower unit cost, automation",
        0.25,
    ),
    ("Customer experience", "Satisfaction, retention, NPS", 0.20),
    (
        "Regulatory compliance",
        "Legal and regulatory obligations",
        0.15,
    ),
    (
        "Digital capability",
        "Platforms and skills for the future",
        0.10,
    ),
];

const TITLES: [&str; 14] = [
    "Customer self-service portal",
    "Warehouse robotics pilot",
    "CSRD sustainability reporting",
    "Data platform modernisation",
    "Mobile field-service app",
    "Pricing engine replacement",
    "Legacy ERP decommissioning",
    "AI-assisted claims triage",
    "Supplier onboarding automation",
    "Zero-trust network rollout",
    "E-invoicing mandate",
    "Loyalty programme relaunch",
    "Contact-centre cloud migration",
    "Predictive maintenance",
];

const ROLES: [&str; 5] = [
    "Software Developer",
    "Business Analyst",
    "Solution Architect",
    "Data Engineer",
    "Test Engineer",
];

/// Small deterministic generator (the demo must be the same on every load).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn add_months(d: Date, m: i64) -> Date {
    d.checked_add(jiff::Span::new().months(m)).unwrap_or(d)
}

/// Writes the strategy demo into the open transaction.
pub(crate) async fn seed(
    tx: &mut Tx,
    portfolios: &[Portfolio],
    projects: &[Project],
    people: &[Person],
    sponsor: Option<Uuid>,
    today: Date,
    now: i64,
) -> Result<usize> {
    let mut rng = Lcg(0x5eed_2026);
    let mut drivers = Vec::new();
    for (name, description, weight) in DRIVERS {
        let d = Driver {
            id: Uuid::now_v7(),
            name: name.into(),
            description: Some(description.into()),
            weight,
            archived: false,
            version: 1,
        };
        st::insert_driver(tx, &d, now).await?;
        drivers.push(d.id);
    }
    st::put_config(
        tx,
        &StrategyConfig {
            version: 1,
            ..Default::default()
        },
        now,
    )
    .await?;
    // Roles the pool actually has, so demand meets capacity.
    let roles: Vec<&str> = ROLES
        .iter()
        .copied()
        .filter(|r| people.iter().any(|p| p.job_role == *r))
        .collect();
    let roles = if roles.is_empty() {
        vec!["Software Developer"]
    } else {
        roles
    };
    let fte = |role: &str| {
        people
            .iter()
            .filter(|p| p.job_role == role)
            .map(|p| f64::from(p.weekly_capacity_minutes) / 2550.0)
            .sum::<f64>()
    };
    let first_of_quarter =
        Date::new(today.year(), (today.month() - 1) / 3 * 3 + 1, 1).unwrap_or(today);
    let mut written = 0;
    let mut next_key = 1;
    let mut case_key = 1;
    for (pi, pf) in portfolios.iter().enumerate() {
        let per_portfolio = if portfolios.len() > 3 {
            8
        } else {
            TITLES.len()
        };
        let mut keys: Vec<String> = Vec::new();
        for i in 0..per_portfolio {
            let key = format!("PRP-{next_key:03}");
            next_key += 1;
            let start = add_months(first_of_quarter, 3 * (1 + rng.below(6)) as i64);
            let years = 1 + rng.below(3) as i32;
            let fy = i32::from(start.year());
            let scale = 30_000 + rng.below(9) as i64 * 20_000;
            let costs: Vec<YearCost> = (0..years)
                .map(|k| YearCost {
                    year: fy + k,
                    capex: Minor((scale * (3 - k.min(2) as i64)) * 100),
                    opex: Minor(scale / 4 * 100),
                })
                .collect();
            let total: i64 = costs.iter().map(|c| c.capex.0 + c.opex.0).sum();
            let benefits: Vec<YearBenefit> = (1..=4)
                .map(|k| YearBenefit {
                    year: fy + years - 1 + k,
                    amount: Minor(total * (20 + rng.below(30) as i64) / 100),
                })
                .collect();
            let mut capacity = Vec::new();
            for r in 0..(1 + rng.below(3)) {
                let role = roles[(i + r as usize) % roles.len()];
                let share = (0.15 + rng.below(20) as f64 / 100.0) * fte(role).max(1.0);
                for q in 0..(2 + rng.below(4) as u32) {
                    capacity.push(CapacityNeed {
                        role: role.into(),
                        quarter: q,
                        fte: (share * 10.0).round() / 10.0,
                    });
                }
            }
            let ratings: BTreeMap<Uuid, u8> =
                drivers.iter().map(|d| (*d, rng.below(6) as u8)).collect();
            let state = match i {
                0 => ProposalState::Draft,
                1 => ProposalState::Submitted,
                2 => ProposalState::Screened,
                _ => ProposalState::Scored,
            };
            let mut links = Vec::new();
            if i == 5 && keys.len() > 4 {
                links.push(ProposalLink {
                    kind: LinkKind::Requires,
                    target: keys[4].clone(),
                });
            }
            if i == 7 && keys.len() > 6 {
                links.push(ProposalLink {
                    kind: LinkKind::Excludes,
                    target: keys[6].clone(),
                });
            }
            let title = TITLES[(i + pi * 3) % TITLES.len()];
            let p = Proposal {
                id: Uuid::now_v7(),
                key: key.clone(),
                title: if pi == 0 {
                    title.into()
                } else {
                    format!("{title} ({})", pf.name)
                },
                description: Some(format!(
                    "Business case for {}: scope, options considered and the expected benefits.",
                    title.to_lowercase()
                )),
                portfolio_id: pf.id,
                sponsor_id: sponsor,
                state,
                mandatory: title.contains("mandate") || title.contains("CSRD"),
                start,
                max_shift: (rng.below(3)) as u32,
                ratings,
                risk: 1 + rng.below(4) as u8,
                costs,
                benefits,
                capacity,
                links,
                rationale: None,
                project_id: None,
                version: 1,
            };
            keys.push(key);
            st::insert_proposal(tx, &p, now).await?;
            written += 1;
        }
        // Business cases of the portfolio's live projects (a few per portfolio).
        for p in projects
            .iter()
            .filter(|p| p.portfolio_id == pf.id)
            .filter(|p| !matches!(p.phase, Phase::Closed | Phase::Cancelled))
            .take(6)
        {
            let start = p.planned_start.unwrap_or(today);
            let finish = p.planned_finish.unwrap_or(add_months(start, 12));
            let (y0, y1) = (
                i32::from(start.year()),
                i32::from(finish.year()).max(i32::from(start.year())),
            );
            let n = i64::from(y1 - y0 + 1);
            let costs = (y0..=y1)
                .map(|y| YearCost {
                    year: y,
                    capex: Minor(p.budget.0 * 3 / 4 / n),
                    opex: Minor(p.budget.0 / 4 / n),
                })
                .collect();
            let role = roles[case_key % roles.len()];
            let case = Proposal {
                id: Uuid::now_v7(),
                key: format!("CASE-{case_key:03}"),
                title: p.name.clone(),
                description: p.description.clone(),
                portfolio_id: pf.id,
                sponsor_id: p.sponsor_id,
                state: ProposalState::Approved,
                mandatory: false,
                start,
                max_shift: 0,
                ratings: drivers.iter().map(|d| (*d, rng.below(6) as u8)).collect(),
                risk: 1 + rng.below(4) as u8,
                costs,
                benefits: Vec::new(),
                capacity: (0..4)
                    .map(|q| CapacityNeed {
                        role: role.into(),
                        quarter: q,
                        fte: ((0.1 * fte(role).max(1.0)) * 10.0).round() / 10.0,
                    })
                    .collect(),
                links: Vec::new(),
                rationale: Some("Approved before Atrium".into()),
                project_id: Some(p.id),
                version: 1,
            };
            case_key += 1;
            st::insert_proposal(tx, &case, now).await?;
            written += 1;
        }
    }
    Ok(written)
}
