//! Risk pages: the organization's risk matrix (settings), the risk registers of projects,
//! programs and portfolios with their heat maps on the matrix, the risk form (record, rate,
//! respond) with its rating history, the portfolio view, appetite and escalations.

use super::records::{err, form_page};
use super::resource::{PostForm, ResourcesPage, Section};
use super::{can, check_csrf, version_of};
use crate::AppState;
use crate::extract::{FormData, PageUser};
use crate::views::*;
use atrium_app::risk::Register;
use atrium_app::{Action, Actor, AppError};
use atrium_core::FieldError;
use atrium_core::identity::Placement;
use atrium_core::risk::{MatrixDraft, Risk, RiskDraft, RiskKind, RiskMatrix, RiskStatus, Strategy};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::BTreeMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/risk-matrix", get(matrix_page).post(matrix_save))
        .route(
            "/settings/risk-appetite",
            get(appetite_page).post(appetite_save),
        )
        .route("/projects/{id}/risks", get(register_page))
        .route("/projects/{id}/risks/new", get(risk_new).post(risk_create))
        .route("/programs/{id}/risks", get(program_register_page))
        .route(
            "/programs/{id}/risks/new",
            get(program_risk_new).post(program_risk_create),
        )
        .route("/programs/{id}/risks/export", get(program_register_export))
        .route("/portfolios/{id}/risks", get(portfolio_register_page))
        .route(
            "/portfolios/{id}/risks/new",
            get(portfolio_risk_new).post(portfolio_risk_create),
        )
        .route(
            "/portfolios/{id}/risks/export",
            get(portfolio_register_export),
        )
        .route("/risks/{id}", get(risk_page).post(risk_save))
        .route("/risks", get(overview_page))
        .route("/projects/{id}/risks/export", get(register_export))
        .route("/risks/escalations", get(queue_page))
        .route("/risks/{id}/escalate", axum::routing::post(escalate_post))
        .route("/risks/{id}/escalation", axum::routing::post(decide_post))
}

// ======================= appetite =======================

async fn appetite_page(State(s): State<AppState>, PageUser(a): PageUser) -> Response {
    match s.app.risk_appetite(&a).await {
        Ok(ap) => {
            let d = atrium_core::risk::AppetiteDraft::of(&ap);
            render_appetite(&s, &a, &ap, &d, &[]).await
        }
        Err(e) => err(e),
    }
}

async fn render_appetite(
    s: &AppState,
    a: &Actor,
    ap: &atrium_core::risk::RiskAppetite,
    d: &atrium_core::risk::AppetiteDraft,
    errors: &[FieldError],
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let breaches = s.app.appetite_breaches(a).await?;
        let mut page = ResourcesPage::new(a, "Risk appetite", "");
        page.nav = Nav::new(a, "/settings");
        page.subnav = Vec::new();
        page.intro = "How much risk the organization accepts, per category: at most so many risks in a band (or worse) per program, per portfolio or organization-wide, and/or a ceiling on expected monetary value. Breaches show on the risk manager's and the director's home pages.".into();
        let rows = ap
            .rules
            .iter()
            .map(|r| {
                vec![
                    Cell::text(&r.statement),
                    Cell::text(r.category.as_deref().unwrap_or("all")),
                    Cell::text(r.scope.label()),
                    Cell::text(
                        r.max_count
                            .as_ref()
                            .map(|(b, n)| format!("at most {n} {b} or worse"))
                            .unwrap_or_default(),
                    ),
                    Cell::text(r.max_emv.map(money).unwrap_or_default()).class("num"),
                ]
            })
            .collect();
        page.sections.push(Section::table(
            "Statements",
            &["Statement", "Category", "Scope", "Count limit", "EMV limit"],
            rows,
            "No appetite statement yet.",
        ));
        page.sections.push(Section::table(
            "Breaches now",
            &["Statement", "Where", "Measured", "Risks"],
            breaches
                .iter()
                .map(|b| {
                    vec![
                        Cell::text(&b.statement),
                        Cell::text(&b.scope),
                        Cell::text(&b.measure).class("over"),
                        Cell::text(b.risks.to_string()).class("num"),
                    ]
                })
                .collect(),
            "No limit is exceeded.",
        ));
        if can(s, a, Action::ManageRiskMatrix, &Placement::ORGANIZATION).await {
            let mut fields = vec![
                Field::text("rules", "Rules", &d.rules)
                    .kind(FieldKind::Textarea)
                    .help("One per line: statement | category or * | program, portfolio or organization | N band (e.g. 2 critical) | EMV limit"),
                Field::text("escalate_score", "Escalate from score", &d.escalate_score)
                    .help("A threat with this score or more goes to the next register up on its own (empty: never)"),
                Field::text("escalate_emv", "Escalate from EMV", &d.escalate_emv),
                Field::text("escalate_days", "Escalate when it may happen within (days)", &d.escalate_days),
                Field::text("version", "version", ap.version.to_string()).kind(FieldKind::Hidden),
            ];
            page.general_errors = attach_errors(&mut fields, errors);
            page.forms.push(PostForm {
                action: "/settings/risk-appetite".into(),
                heading: "Change the appetite".into(),
                button: "Save",
                danger: false,
                fields,
                alt: None,
            });
        }
        page.links.push(("/settings/risk-matrix".into(), "The risk matrix".into()));
        let mut resp = render(&page);
        if !errors.is_empty() {
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(resp)
    }
    .await;
    r.unwrap_or_else(err)
}

async fn appetite_save(State(s): State<AppState>, PageUser(a): PageUser, f: FormData) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = atrium_core::risk::AppetiteDraft {
        rules: f.get("rules"),
        escalate_score: f.get("escalate_score"),
        escalate_emv: f.get("escalate_emv"),
        escalate_days: f.get("escalate_days"),
    };
    match s.app.set_risk_appetite(&a, &d, version_of(&f)).await {
        Ok(_) => Redirect::to("/settings/risk-appetite").into_response(),
        Err(AppError::Validation(errs)) => match s.app.risk_appetite(&a).await {
            Ok(ap) => render_appetite(&s, &a, &ap, &d, &errs).await,
            Err(e) => err(e),
        },
        Err(e) => err(e),
    }
}

// ======================= portfolio view =======================

async fn overview_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let portfolio: Option<Uuid> = q.get("portfolio").and_then(|p| p.parse().ok());
        let cell: Option<(u8, u8)> = q.get("cell").and_then(|c| {
            let (p, i) = c.split_once('-')?;
            Some((p.parse().ok()?, i.parse().ok()?))
        });
        let o = s.app.risk_overview(&a, portfolio, cell).await?;
        let m = &o.matrix;
        let mut page = ResourcesPage::new(&a, "Risk across the portfolio", "");
        page.nav = Nav::new(&a, "/risks");
        page.subnav = Vec::new();
        page.intro = "Open risks of every project, program and portfolio register you can see, on the organization's one matrix. A cell shows how many threats sit there and their expected monetary value; open it to list them. Not assessed risks are counted apart from empty cells. Concentrations group threats by category, department, supplier and the strategic driver of the project's business case; the trend shows the exposure at the end of each of the last 13 weeks.".into();
        let (pfs, _) = s
            .app
            .list_portfolios(&a, None, false, "key", false, atrium_store::Page::first(200))
            .await?;
        page.filters = vec![Field::select(
            "portfolio",
            "Portfolio",
            portfolio.map(|p| p.to_string()).unwrap_or_default(),
            std::iter::once((String::new(), "All portfolios".to_owned()))
                .chain(pfs.iter().map(|p| (p.id.to_string(), format!("{} {}", p.key, p.name))))
                .collect(),
        )];
        page.filter_action = "/risks".into();
        page.facts = vec![
            ("Open risks".into(), o.open.to_string()),
            ("Threat exposure (EMV)".into(), money(o.threat_emv)),
            ("Threats not assessed".into(), o.heat.threats.not_assessed.len().to_string()),
        ];
        let pf_q = portfolio.map(|p| format!("&portfolio={p}")).unwrap_or_default();
        // The heat map: highest probability on top.
        let mut columns = vec!["Probability \\ impact".to_owned()];
        columns.extend(m.impact.iter().enumerate().map(|(i, l)| format!("{} {}", i + 1, l.label)));
        let rows = (1..=m.probability.len() as u8)
            .rev()
            .map(|p| {
                let lvl = &m.probability[usize::from(p) - 1];
                let mut row = vec![Cell::text(format!("{p} {}", lvl.label))];
                for i in 1..=m.impact.len() as u8 {
                    let score = u32::from(p) * u32::from(i);
                    let class = format!("num band-{}", band_index(m, score));
                    row.push(match o.heat.threats.cell(p, i).filter(|c| c.count > 0) {
                        Some(c) => Cell::link(
                            format!("{} · {}", c.count, money(c.emv)),
                            format!("/risks?cell={p}-{i}{pf_q}"),
                        )
                        .class(class),
                        None => Cell::text("no risks").class(class),
                    });
                }
                row
            })
            .collect();
        let mut grid = Section::table("Threats: count · EMV per cell", &[], rows, "");
        grid.columns = columns;
        page.sections.push(grid);
        let risk_row = |r: &atrium_store::risk::RiskRow| {
            vec![
                Cell::link(
                    format!("{} R-{}", r.project_key.clone().unwrap_or_default(), r.number),
                    format!("/risks/{}", r.id),
                ),
                Cell::text(&r.title),
                Cell::text(&r.category),
                match (r.probability, r.impact) {
                    (Some(p), Some(i)) => {
                        let sc = (p * i) as u32;
                        Cell::text(format!("{sc} {}", m.band_name(sc)))
                            .class(format!("num band-{}", band_index(m, sc)))
                    }
                    _ => Cell::text("not assessed"),
                },
                Cell::text(money(r.emv)).class("num"),
            ]
        };
        let cols = ["Risk", "Title", "Category", "Score", "EMV"];
        if let Some((p, i)) = cell {
            page.sections.push(Section::table(
                format!("Threats in cell P{p} × I{i}"),
                &cols,
                o.cell.iter().map(risk_row).collect(),
                "No open threat in this cell.",
            ));
        }
        page.sections.push(Section::table(
            "Top threats",
            &cols,
            o.top.iter().map(risk_row).collect(),
            "No rated open threat.",
        ));
        for (dim, list) in &o.concentrations {
            let mut sec = Section::table(
                format!("Concentration by {}", dim.to_lowercase()),
                &[],
                list.iter()
                    .take(15)
                    .map(|(label, c)| {
                        let mut row = vec![Cell::text(label), Cell::text(c.open.to_string()).class("num")];
                        row.extend(c.per_band.iter().map(|n| Cell::text(n.to_string()).class("num")));
                        row.push(Cell::text(c.not_assessed.to_string()).class("num"));
                        row.push(Cell::text(money(c.emv)).class("num"));
                        row
                    })
                    .collect(),
                "No open threat.",
            );
            let mut columns = vec![(*dim).to_owned(), "Open threats".to_owned()];
            columns.extend(m.bands.iter().map(|b| b.name.clone()));
            columns.push("Not assessed".into());
            columns.push("EMV".into());
            sec.columns = columns;
            page.sections.push(sec);
        }
        if !o.trend.is_empty() {
            page.svg = format!("<div class=\"chart trend\">{}</div>", trend_chart(&o.trend));
            page.sections.push(Section::table(
                "Exposure trend (end of each week)",
                &["Week ending", "Open risks", "Severe threats", "Threat EMV"],
                o.trend
                    .iter()
                    .rev()
                    .map(|(day, t)| {
                        vec![
                            Cell::text(day.to_string()),
                            Cell::text(t.open.to_string()).class("num"),
                            Cell::text(t.severe.to_string()).class("num"),
                            Cell::text(money(t.emv)).class("num"),
                        ]
                    })
                    .collect(),
                "",
            ));
        }
        page.links.push(("/settings/risk-matrix".into(), "The organization's risk matrix".into()));
        page.links.push(("/settings/risk-appetite".into(), "Risk appetite and breaches".into()));
        page.links.push(("/risks/escalations".into(), "Escalations waiting for a decision".into()));
        Ok(render(&page))
    }
    .await;
    r.unwrap_or_else(err)
}

/// The threat EMV of the last 13 weeks as a line (in major units; x = weeks from today).
fn trend_chart(trend: &[(jiff::civil::Date, atrium_core::risk_analytics::TrendPoint)]) -> String {
    let n = trend.len() as f64;
    let series = [crate::charts::Series {
        name: "Threat EMV".into(),
        class: "ev".into(),
        points: trend
            .iter()
            .enumerate()
            .map(|(i, (_, t))| (i as f64 + 1.0 - n, t.emv as f64 / 100.0))
            .collect(),
    }];
    crate::charts::lines(&series, "weeks from today", "threat exposure (EMV)")
}

// ======================= matrix =======================

fn matrix_fields(d: &MatrixDraft) -> Vec<Field> {
    vec![
        Field::text("probability", "Probability levels", &d.probability)
            .kind(FieldKind::Textarea)
            .required()
            .help("One per line, lowest first: Label | meaning | probability % (used for expected monetary value)"),
        Field::text("impact", "Impact levels", &d.impact)
            .kind(FieldKind::Textarea)
            .required()
            .help("One per line, lowest first: Label | what it means on each dimension"),
        Field::text("dimensions", "Impact dimensions", &d.dimensions)
            .required()
            .help("Comma-separated: cost, schedule, scope/quality, reputation, safety"),
        Field::text("bands", "Score bands", &d.bands)
            .required()
            .help("Name and lowest score (probability × impact): low:1, medium:5, high:10, critical:16"),
    ]
}

async fn matrix_page(State(s): State<AppState>, PageUser(a): PageUser) -> Response {
    match s.app.risk_matrix(&a).await {
        Ok(m) => render_matrix(&s, &a, &m, &MatrixDraft::of(&m), &[]).await,
        Err(e) => err(e),
    }
}

async fn render_matrix(
    s: &AppState,
    a: &Actor,
    m: &RiskMatrix,
    d: &MatrixDraft,
    errors: &[FieldError],
) -> Response {
    let mut page = ResourcesPage::new(a, "Risk matrix", "");
    page.nav = Nav::new(a, "/settings");
    page.subnav = Vec::new();
    page.intro = "One matrix for the whole organization: every risk register rates on it, so scores compare across the portfolio. Score = probability level × the highest impact level over the dimensions.".into();
    page.sections.push(matrix_grid(m, &BTreeMap::new(), None));
    if can(s, a, Action::ManageRiskMatrix, &Placement::ORGANIZATION).await {
        let mut fields = matrix_fields(d);
        fields
            .push(Field::text("version", "version", m.version.to_string()).kind(FieldKind::Hidden));
        page.general_errors = attach_errors(&mut fields, errors);
        page.forms.push(PostForm {
            action: "/settings/risk-matrix".into(),
            heading: "Change the matrix".into(),
            button: "Save the matrix",
            danger: false,
            fields,
            alt: None,
        });
    }
    let mut r = render(&page);
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

async fn matrix_save(State(s): State<AppState>, PageUser(a): PageUser, f: FormData) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = MatrixDraft {
        probability: f.get("probability"),
        impact: f.get("impact"),
        dimensions: f.get("dimensions"),
        bands: f.get("bands"),
    };
    match s.app.set_risk_matrix(&a, &d, version_of(&f)).await {
        Ok(_) => Redirect::to("/settings/risk-matrix").into_response(),
        Err(AppError::Validation(errs)) => match s.app.risk_matrix(&a).await {
            Ok(m) => render_matrix(&s, &a, &m, &d, &errs).await,
            Err(e) => err(e),
        },
        Err(e) => err(e),
    }
}

/// The matrix as a grid, highest probability on top: each cell shows its score and band, and
/// the number of risks in it when `counts` has them ("—" = none; unassessed risks are
/// counted apart).
fn matrix_grid(
    m: &RiskMatrix,
    counts: &BTreeMap<(u8, u8), usize>,
    unassessed: Option<usize>,
) -> Section {
    let mut columns = vec!["Probability \\ impact".to_owned()];
    columns.extend(
        m.impact
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{} {}", i + 1, l.label)),
    );
    let rows = (1..=m.probability.len() as u8)
        .rev()
        .map(|p| {
            let lvl = &m.probability[usize::from(p) - 1];
            let mut row = vec![Cell::text(format!("{p} {} ({})", lvl.label, lvl.meaning))];
            for i in 1..=m.impact.len() as u8 {
                let score = u32::from(p) * u32::from(i);
                let band = m.band_name(score);
                let text = if counts.is_empty() && unassessed.is_none() {
                    format!("{score} {band}")
                } else {
                    match counts.get(&(p, i)) {
                        Some(n) => format!("{n} risk{}", if *n == 1 { "" } else { "s" }),
                        None => "—".into(),
                    }
                };
                row.push(Cell::text(text).class(format!("num band-{}", band_index(m, score))));
            }
            row
        })
        .collect();
    let mut s = Section::table("", &[], rows, "");
    s.columns = columns;
    if let Some(n) = unassessed {
        s.text = format!(
            "Not assessed yet: {n} (rated risks are counted in their cell; — means no risk there)."
        );
    }
    s
}

/// The CSS class index of a score's band: 0 = lowest; the CSS colours four bands and
/// reuses the last colour above that.
fn band_index(m: &RiskMatrix, score: u32) -> usize {
    m.band_of(score).min(3)
}

// ======================= register =======================

fn money(minor: i64) -> String {
    atrium_core::money::Minor(minor).format()
}

/// The path of a register's pages (`/projects/{id}`, `/programs/{id}`, `/portfolios/{id}`).
fn register_path(reg: Register) -> String {
    match reg {
        Register::Project(id) => format!("/projects/{id}"),
        Register::Program(id) => format!("/programs/{id}"),
        Register::Portfolio(id) => format!("/portfolios/{id}"),
    }
}

/// The top navigation entry a register's pages sit under.
fn register_nav(reg: Register) -> &'static str {
    match reg {
        Register::Project(_) => "/projects",
        Register::Program(_) => "/programs",
        Register::Portfolio(_) => "/portfolios",
    }
}

async fn register_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    register_view(&s, &a, Register::Project(id)).await
}

async fn program_register_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    register_view(&s, &a, Register::Program(id)).await
}

async fn portfolio_register_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    register_view(&s, &a, Register::Portfolio(id)).await
}

async fn register_view(s: &AppState, a: &Actor, reg: Register) -> Response {
    let r: atrium_app::Result<Response> = async {
        let info = s.app.register_info(a, reg, Action::ReadRisks).await?;
        let ((risks, _), m) = s
            .app
            .register_risks(a, reg, false, "score", true, atrium_store::Page { limit: 500, offset: 0 })
            .await?;
        let level = reg.level().label().to_lowercase();
        let mut page = ResourcesPage::new(a, format!("{} {} — {level} risks", info.key, info.name), "");
        page.nav = Nav::new(a, register_nav(reg));
        page.subnav = match reg {
            Register::Project(id) => project_tabs(id, "/risks"),
            _ => Vec::new(),
        };
        let base = register_path(reg);
        let open: Vec<&Risk> = risks.iter().filter(|r| r.status == RiskStatus::Open).collect();
        let mut counts = BTreeMap::new();
        let mut unassessed = 0;
        for r in open.iter().filter(|r| r.kind == RiskKind::Threat) {
            match &r.rating {
                Some(x) => *counts.entry((x.probability, x.impact())).or_insert(0) += 1,
                None => unassessed += 1,
            }
        }
        let emv: i64 = open
            .iter()
            .filter(|r| r.kind == RiskKind::Threat)
            .map(|r| r.emv(&m))
            .sum();
        page.facts = vec![
            ("Open risks".into(), open.len().to_string()),
            ("Threat exposure (EMV)".into(), money(emv)),
            (
                "High or critical".into(),
                open.iter()
                    .filter(|r| r.score().is_some_and(|s| m.band_of(s) + 2 >= m.bands.len()))
                    .count()
                    .to_string(),
            ),
        ];
        page.intro = match reg {
            Register::Project(_) => "Open threats on the organization's matrix (probability × impact); the table lists every risk, worst first. The forecast runs the plan 10,000 times with the open threats that delay tasks or cost money, and without them.".into(),
            _ => format!("The {level} register: risks raised here and project risks escalated and accepted into it, on the organization's matrix. Escalate a risk to the register above from its page."),
        };
        if let Register::Project(id) = reg
            && let Ok(f) = s.app.risk_forecast(a, id).await
            && f.tasks > 0
        {
            page.facts.push((
                "P50 finish".into(),
                format!("{} → {} with risks", f.without.p50_finish, f.with.p50_finish),
            ));
            page.facts.push((
                "P80 finish".into(),
                format!("{} → {} with risks", f.without.p80_finish, f.with.p80_finish),
            ));
            page.facts.push((
                "P80 cost".into(),
                format!("{} → {} with risks", money(f.without.p80_cost), money(f.with.p80_cost)),
            ));
        }
        let mut grid = matrix_grid(&m, &counts, Some(unassessed));
        grid.heading = "Threats on the matrix".into();
        page.sections.push(grid);
        let rows = risks
            .iter()
            .map(|r| {
                vec![
                    Cell::link(r.reference(), format!("/risks/{}", r.id)),
                    Cell::link(&r.title, format!("/risks/{}", r.id)),
                    Cell::text(r.kind.label()),
                    Cell::text(&r.owner),
                    match r.score() {
                        Some(sc) => Cell::text(format!("{sc} {}", m.band_name(sc)))
                            .class(format!("num band-{}", band_index(&m, sc))),
                        None => Cell::text("not assessed"),
                    },
                    Cell::text(
                        r.residual
                            .as_ref()
                            .map(|x| x.score().to_string())
                            .unwrap_or_default(),
                    )
                    .class("num"),
                    Cell::text(money(r.emv(&m))).class("num"),
                    Cell::text(r.strategy.map(|s| s.label()).unwrap_or("")),
                    Cell::text(r.next_review.map(|d| d.to_string()).unwrap_or_default()),
                    Cell::text(r.status.label()),
                ]
            })
            .collect();
        page.sections.push(Section::table(
            "Register",
            &["Ref", "Risk", "Kind", "Owner", "Score", "Residual", "EMV", "Response", "Next review", "Status"],
            rows,
            "No risk recorded yet.",
        ));
        page.downloads.push((format!("{base}/risks/export?format=csv"), "Export CSV".into()));
        page.downloads.push((format!("{base}/risks/export?format=xlsx"), "Export XLSX".into()));
        if can(s, a, Action::EditRisks, &info.placement).await {
            page.downloads.push((format!("{base}/risks/new"), "New risk".into()));
        }
        if !matches!(reg, Register::Project(_)) {
            page.links.push((base.clone(), format!("Back to {} {}", info.key, info.name)));
        }
        page.links.push(("/settings/risk-matrix".into(), "The organization's risk matrix".into()));
        page.links.push(("/settings/risk-appetite".into(), "Risk appetite and breaches".into()));
        page.links.push(("/risks/escalations".into(), "Escalations waiting for a decision".into()));
        Ok(render(&page))
    }
    .await;
    r.unwrap_or_else(err)
}

// ======================= risk form =======================

fn risk_fields(m: &RiskMatrix, d: &RiskDraft) -> Vec<Field> {
    // A level the matrix no longer has (it was made smaller) stays selected, so saving the
    // form as it is never clears a rating silently: validation asks for a level on the scale.
    let levels = |scale: &[atrium_core::risk::ScaleLevel], current: &str| {
        let mut opts: Vec<(String, String)> =
            std::iter::once((String::new(), "— not assessed".to_owned()))
                .chain(scale.iter().enumerate().map(|(i, l)| {
                    (
                        (i + 1).to_string(),
                        format!("{} {} ({})", i + 1, l.label, l.meaning),
                    )
                }))
                .collect();
        let current = current.trim();
        if !current.is_empty() && !opts.iter().any(|(v, _)| v == current) {
            opts.push((
                current.to_owned(),
                format!("{current} — not on the matrix any more: choose a level"),
            ));
        }
        opts
    };
    let mut f = vec![
        Field::select(
            "kind",
            "Kind",
            if d.kind.is_empty() {
                "threat"
            } else {
                d.kind.as_str()
            },
            RiskKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
                .collect(),
        ),
        Field::text("title", "Title", &d.title).required(),
        Field::text("cause", "Cause", &d.cause).kind(FieldKind::Textarea),
        Field::text("event", "Event", &d.event).kind(FieldKind::Textarea),
        Field::text("effect", "Effect", &d.effect).kind(FieldKind::Textarea),
        Field::text("category", "Category", &d.category)
            .help("e.g. schedule, supplier, technical, regulatory"),
        Field::text("owner", "Owner", &d.owner),
        Field::select(
            "probability",
            "Probability",
            d.probability.clone(),
            levels(&m.probability, &d.probability),
        ),
    ];
    for dim in &m.dimensions {
        let current = d.impacts.get(dim).cloned().unwrap_or_default();
        f.push(Field::select(
            format!("impact_{dim}"),
            format!("Impact on {dim}"),
            current.clone(),
            levels(&m.impact, &current),
        ));
    }
    f.push(
        Field::text("cost_impact", "Cost if it happens", &d.cost_impact)
            .help("Money at stake; expected monetary value = probability × this"),
    );
    f.push(
        Field::text("delay_tasks", "Tasks it would delay", &d.delay_tasks)
            .help("Task ids from the plan, e.g. 3, 7: the schedule forecast delays them when the risk happens"),
    );
    f.push(
        Field::text("delay_days", "Delay if it happens", &d.delay_days)
            .help("Working days: optimistic / most likely / pessimistic, e.g. 2/5/10"),
    );
    f.push(Field::select(
        "strategy",
        "Response",
        d.strategy.clone(),
        std::iter::once((String::new(), "— none yet".to_owned()))
            .chain(
                Strategy::ALL
                    .iter()
                    .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
            )
            .collect(),
    ));
    f.push(
        Field::text("actions", "Response actions", &d.actions)
            .kind(FieldKind::Textarea)
            .help("One per line: title | owner | due date | planned, started or done"),
    );
    f.push(Field::select(
        "residual_probability",
        "Residual probability",
        d.residual_probability.clone(),
        levels(&m.probability, &d.residual_probability),
    ));
    for dim in &m.dimensions {
        let current = d.residual_impacts.get(dim).cloned().unwrap_or_default();
        f.push(Field::select(
            format!("residual_impact_{dim}"),
            format!("Residual impact on {dim}"),
            current.clone(),
            levels(&m.impact, &current),
        ));
    }
    f.extend([
        Field::text("trigger", "Trigger", &d.trigger),
        Field::text("proximity", "May happen by", &d.proximity).kind(FieldKind::Date),
        Field::text("next_review", "Next review", &d.next_review).kind(FieldKind::Date),
        Field::text("department", "Department", &d.department),
        Field::text("supplier", "Supplier", &d.supplier),
        Field::select(
            "status",
            "Status",
            if d.status.is_empty() {
                "open"
            } else {
                d.status.as_str()
            },
            RiskStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
                .collect(),
        ),
    ]);
    f
}

fn risk_draft(m: &RiskMatrix, f: &FormData) -> RiskDraft {
    let dims = |prefix: &str| -> BTreeMap<String, String> {
        m.dimensions
            .iter()
            .map(|d| (d.clone(), f.get(&format!("{prefix}{d}"))))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect()
    };
    RiskDraft {
        kind: f.get("kind"),
        title: f.get("title"),
        cause: f.get("cause"),
        event: f.get("event"),
        effect: f.get("effect"),
        category: f.get("category"),
        owner: f.get("owner"),
        probability: f.get("probability"),
        impacts: dims("impact_"),
        residual_probability: f.get("residual_probability"),
        residual_impacts: dims("residual_impact_"),
        proximity: f.get("proximity"),
        strategy: f.get("strategy"),
        trigger: f.get("trigger"),
        status: f.get("status"),
        next_review: f.get("next_review"),
        cost_impact: f.get("cost_impact"),
        department: f.get("department"),
        supplier: f.get("supplier"),
        actions: f.get("actions"),
        delay_tasks: f.get("delay_tasks"),
        delay_days: f.get("delay_days"),
    }
}

/// The risk form's fields for a register: only a project's risks delay plan tasks.
fn new_risk_fields(reg: Register, m: &RiskMatrix, d: &RiskDraft) -> Vec<Field> {
    let mut fields = risk_fields(m, d);
    if !matches!(reg, Register::Project(_)) {
        fields.retain(|f| f.name != "delay_tasks" && f.name != "delay_days");
    }
    fields
}

async fn risk_new(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    new_risk_form(&s, &a, Register::Project(id)).await
}

async fn program_risk_new(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    new_risk_form(&s, &a, Register::Program(id)).await
}

async fn portfolio_risk_new(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    new_risk_form(&s, &a, Register::Portfolio(id)).await
}

async fn new_risk_form(s: &AppState, a: &Actor, reg: Register) -> Response {
    let r: atrium_app::Result<Response> = async {
        let info = s.app.register_info(a, reg, Action::EditRisks).await?;
        let m = s.app.risk_matrix(a).await?;
        let base = register_path(reg);
        Ok(form_page(
            a,
            register_nav(reg),
            format!("New risk for {} {}", info.key, info.name),
            format!("{base}/risks/new"),
            new_risk_fields(reg, &m, &RiskDraft::default()),
            &[],
            format!("{base}/risks"),
            None,
        ))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn risk_create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    create_in(&s, &a, Register::Project(id), f).await
}

async fn program_risk_create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    create_in(&s, &a, Register::Program(id), f).await
}

async fn portfolio_risk_create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    create_in(&s, &a, Register::Portfolio(id), f).await
}

async fn create_in(s: &AppState, a: &Actor, reg: Register, f: FormData) -> Response {
    if let Some(r) = check_csrf(a, &f) {
        return r;
    }
    let m = match s.app.risk_matrix(a).await {
        Ok(m) => m,
        Err(e) => return err(e),
    };
    let d = risk_draft(&m, &f);
    let base = register_path(reg);
    match s.app.create_risk_in(a, reg, &d).await {
        Ok(r) => Redirect::to(&format!("/risks/{}", r.id)).into_response(),
        Err(AppError::Validation(errs)) => {
            let mut resp = form_page(
                a,
                register_nav(reg),
                "New risk".into(),
                format!("{base}/risks/new"),
                new_risk_fields(reg, &m, &d),
                &errs,
                format!("{base}/risks"),
                None,
            );
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            resp
        }
        Err(e) => err(e),
    }
}

async fn risk_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    render_risk(&s, &a, id, None, &[]).await
}

async fn render_risk(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    typed: Option<&RiskDraft>,
    errors: &[FieldError],
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let d = s.app.get_risk(a, id).await?;
        let (r, m) = (&d.risk, &d.matrix);
        let reg = d.origin.register;
        let mut page = ResourcesPage::new(
            a,
            format!("{} {} — {}", d.origin.key, r.reference(), r.title),
            "",
        );
        page.nav = Nav::new(a, register_nav(reg));
        page.subnav = match reg {
            Register::Project(project) => project_tabs(project, "/risks"),
            _ => Vec::new(),
        };
        page.facts = vec![
            ("Kind".into(), r.kind.label().into()),
            (
                "Score".into(),
                r.score()
                    .map(|s| format!("{s} ({})", m.band_name(s)))
                    .unwrap_or_else(|| "not assessed".into()),
            ),
            (
                "Residual".into(),
                r.residual
                    .as_ref()
                    .map(|x| format!("{} ({})", x.score(), m.band_name(x.score())))
                    .unwrap_or_else(|| "—".into()),
            ),
            ("EMV".into(), money(r.emv(m))),
            ("Status".into(), r.status.label().into()),
        ];
        if !r.actions.is_empty() {
            page.sections.push(Section::table(
                "Response actions",
                &["Action", "Owner", "Due", "Status"],
                r.actions
                    .iter()
                    .map(|x| {
                        vec![
                            Cell::text(&x.title),
                            Cell::text(&x.owner),
                            Cell::text(x.due.map(|d| d.to_string()).unwrap_or_default()),
                            Cell::text(x.status.label()),
                        ]
                    })
                    .collect(),
                "",
            ));
        }
        let history = r
            .history
            .iter()
            .rev()
            .map(|h| {
                let at = atrium_store::from_micros(h.at);
                vec![
                    Cell::text(at.strftime("%Y-%m-%d %H:%M").to_string()),
                    Cell::text(&h.by),
                    Cell::text(
                        h.rating
                            .as_ref()
                            .map(|x| {
                                format!("P{} × I{} = {}", x.probability, x.impact(), x.score())
                            })
                            .unwrap_or_else(|| "not assessed".into()),
                    ),
                    Cell::text(
                        h.residual
                            .as_ref()
                            .map(|x| {
                                format!("P{} × I{} = {}", x.probability, x.impact(), x.score())
                            })
                            .unwrap_or_default(),
                    ),
                ]
            })
            .collect();
        page.sections.push(Section::table(
            "Rating history",
            &["When", "By", "Rating", "Residual"],
            history,
            "Not rated yet.",
        ));
        page.facts.push(("Register".into(), r.level.label().into()));
        let pending = r
            .escalation
            .as_ref()
            .is_some_and(|e| e.state == atrium_core::risk::EscalationState::Pending);
        if let Some(e) = &r.escalation {
            let mut sec = Section::table(
                format!(
                    "Escalation: {} → {} ({})",
                    e.from.label(),
                    e.to.label(),
                    e.state.label().to_lowercase()
                ),
                &["When", "By", "Step", "To", "Note"],
                e.steps
                    .iter()
                    .map(|st| {
                        vec![
                            Cell::text(
                                atrium_store::from_micros(st.at)
                                    .strftime("%Y-%m-%d %H:%M")
                                    .to_string(),
                            ),
                            Cell::text(&st.by),
                            Cell::text(&st.action),
                            Cell::text(st.to.label()),
                            Cell::text(&st.note),
                        ]
                    })
                    .collect(),
                "",
            );
            sec.text = String::new();
            page.sections.push(sec);
        }
        let version =
            Field::text("version", "version", r.version.to_string()).kind(FieldKind::Hidden);
        if pending && d.can_decide {
            page.forms.push(PostForm {
                action: format!("/risks/{id}/escalation?decision=accept"),
                heading: "Decide the escalation".into(),
                button: "Accept into this register",
                danger: false,
                fields: vec![
                    Field::text("note", "Note", "")
                        .kind(FieldKind::Textarea)
                        .help("Required to return it"),
                    Field::text(version.name.clone(), "", version.value.clone())
                        .kind(FieldKind::Hidden),
                ],
                alt: Some((
                    format!("/risks/{id}/escalation?decision=return"),
                    "Return it",
                )),
            });
        } else if !pending
            && d.can_edit
            && r.status == RiskStatus::Open
            && r.level.next(r.program_id.is_some()).is_some()
        {
            page.forms.push(PostForm {
                action: format!("/risks/{id}/escalate"),
                heading: format!(
                    "Escalate to the {} register",
                    r.level
                        .next(r.program_id.is_some())
                        .map_or("", |l| l.label())
                        .to_lowercase()
                ),
                button: "Escalate",
                danger: false,
                fields: vec![
                    Field::text("note", "Why", "").kind(FieldKind::Textarea),
                    Field::text(version.name.clone(), "", version.value.clone())
                        .kind(FieldKind::Hidden),
                ],
                alt: None,
            });
        }
        if d.can_edit {
            let draft = typed.cloned().unwrap_or_else(|| RiskDraft::of(r));
            let mut fields = new_risk_fields(reg, m, &draft);
            fields.push(
                Field::text("version", "version", r.version.to_string()).kind(FieldKind::Hidden),
            );
            page.general_errors = attach_errors(&mut fields, errors);
            page.forms.push(PostForm {
                action: format!("/risks/{id}"),
                heading: "Update".into(),
                button: "Save",
                danger: false,
                fields,
                alt: None,
            });
        }
        page.links.push((
            format!("{}/risks", register_path(reg)),
            "Back to the register".into(),
        ));
        let mut resp = render(&page);
        if !errors.is_empty() {
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(resp)
    }
    .await;
    r.unwrap_or_else(err)
}

async fn risk_save(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let m = match s.app.risk_matrix(&a).await {
        Ok(m) => m,
        Err(e) => return err(e),
    };
    let d = risk_draft(&m, &f);
    match s.app.update_risk(&a, id, &d, version_of(&f)).await {
        Ok(_) => Redirect::to(&format!("/risks/{id}")).into_response(),
        Err(AppError::Validation(errs)) => render_risk(&s, &a, id, Some(&d), &errs).await,
        Err(e) => err(e),
    }
}

async fn register_export(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    export_in(&s, &a, Register::Project(id), &q).await
}

async fn program_register_export(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    export_in(&s, &a, Register::Program(id), &q).await
}

async fn portfolio_register_export(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    export_in(&s, &a, Register::Portfolio(id), &q).await
}

async fn export_in(
    s: &AppState,
    a: &Actor,
    reg: Register,
    q: &std::collections::HashMap<String, String>,
) -> Response {
    let format = q.get("format").map_or("csv", String::as_str);
    match s.app.register_export(a, reg, format).await {
        Ok(e) => super::plan::export_response(e),
        Err(e) => err(e),
    }
}

async fn escalate_post(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s
        .app
        .escalate_risk(&a, id, &f.get("note"), version_of(&f))
        .await
    {
        Ok(_) => Redirect::to(&format!("/risks/{id}")).into_response(),
        Err(AppError::Validation(errs)) => render_risk(&s, &a, id, None, &errs).await,
        Err(e) => err(e),
    }
}

async fn decide_post(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let accept = match q.get("decision").map(String::as_str) {
        Some("accept") => true,
        Some("return") => false,
        _ => return err(AppError::field("decision", "must be accept or return")),
    };
    match s
        .app
        .decide_escalation(&a, id, accept, &f.get("note"), version_of(&f))
        .await
    {
        Ok(_) => Redirect::to(&format!("/risks/{id}")).into_response(),
        Err(AppError::Validation(errs)) => render_risk(&s, &a, id, None, &errs).await,
        Err(e) => err(e),
    }
}

async fn queue_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        if let Some(f) = q.get("format") {
            return Ok(super::plan::export_response(s.app.escalations_export(&a, f).await?));
        }
        let m = s.app.risk_matrix(&a).await?;
        let list = s.app.escalation_queue(&a).await?;
        let mut page = ResourcesPage::new(&a, "Escalated risks waiting for a decision", "");
        page.nav = Nav::new(&a, "/risks");
        page.subnav = Vec::new();
        page.intro = "Risks escalated from a project to its program or portfolio, or from a portfolio to the enterprise register — by their owners or because they met the escalation thresholds. Open one to accept it into the higher register or return it.".into();
        page.downloads = vec![
            ("/risks/escalations?format=csv".into(), "Export CSV".into()),
            ("/risks/escalations?format=xlsx".into(), "Export XLSX".into()),
        ];
        let rows = list
            .iter()
            .map(|(r, key)| {
                let e = r.escalation.as_ref();
                vec![
                    Cell::link(format!("{key} {}", r.reference()), format!("/risks/{}", r.id)),
                    Cell::text(&r.title),
                    Cell::text(
                        r.score()
                            .map(|sc| format!("{sc} {}", m.band_name(sc)))
                            .unwrap_or_else(|| "not assessed".into()),
                    ),
                    Cell::text(money(r.emv(&m))).class("num"),
                    Cell::text(e.map(|e| format!("{} → {}", e.from.label(), e.to.label())).unwrap_or_default()),
                    Cell::text(
                        e.and_then(|e| e.steps.last())
                            .map(|st| format!("{}: {}", st.by, st.note))
                            .unwrap_or_default(),
                    ),
                ]
            })
            .collect();
        page.sections.push(Section::table(
            "",
            &["Risk", "Title", "Score", "EMV", "Escalated", "Why"],
            rows,
            "No escalation is waiting.",
        ));
        Ok(render(&page))
    }
    .await;
    r.unwrap_or_else(err)
}
