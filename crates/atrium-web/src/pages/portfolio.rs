//! Portfolio management pages: strategy (drivers, AHP pairwise comparison, scoring
//! settings), proposals with their business cases and workflow, the portfolio analysis
//! (bubble chart, ranked table, capacity against demand, health, roadmap, CSV/XLSX export),
//! and scenarios (optimize, frontier, force in/out, copy, compare, commit).

use super::records::{
    columns, err, form_error, form_page, page_of, pager, portfolio_opts, sort_of, user_opts,
    write_csv,
};
use super::{can, check_csrf, version_of};
use crate::AppState;
use crate::charts;
use crate::extract::{FormData, PageUser};
use crate::views::*;
use askama::Template;
use atrium_app::permissions::allows;
use atrium_app::scenario::{Comparison, DecisionInput, PortfolioAnalysis};
use atrium_app::strategy::{ApproveOptions, JudgementInput, ProposalDetail, RankedCase};
use atrium_app::{Action, Actor, AppError};
use atrium_core::FieldError;
use atrium_core::identity::Placement;
use atrium_core::money::Minor;
use atrium_core::project::Rag;
use atrium_core::strategy::{
    Decision, DriverDraft, ForceMode, Proposal, ProposalDraft, ProposalState, Scenario,
    ScenarioDraft, Transition,
};
use atrium_store::strategy::{PROPOSAL_SORTS, ProposalFilter};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/strategy", get(strategy_page))
        .route("/strategy/scoring", axum::routing::post(scoring_update))
        .route(
            "/strategy/pairwise",
            get(pairwise_page).post(pairwise_apply),
        )
        .route("/drivers", axum::routing::post(driver_create))
        .route("/drivers/new", get(driver_new))
        .route("/drivers/{id}", axum::routing::post(driver_update))
        .route("/drivers/{id}/edit", get(driver_edit))
        .route(
            "/drivers/{id}/archive",
            get(driver_archive_confirm).post(driver_archive),
        )
        .route("/proposals", get(proposals_list).post(proposal_create))
        .route("/proposals/new", get(proposal_new))
        .route("/proposals/{id}", get(proposal_show).post(proposal_update))
        .route("/proposals/{id}/edit", get(proposal_edit))
        .route(
            "/proposals/{id}/transition",
            axum::routing::post(proposal_transition),
        )
        .route("/portfolios/{id}/analysis", get(analysis_page))
        .route("/portfolios/{id}/ranking.csv", get(ranking_csv_page))
        .route("/portfolios/{id}/ranking.xlsx", get(ranking_xlsx_page))
        .route("/scenarios", get(scenarios_list).post(scenario_create))
        .route("/scenarios/new", get(scenario_new))
        .route("/scenarios/compare", get(compare_page))
        .route("/scenarios/{id}", get(scenario_show).post(scenario_update))
        .route("/scenarios/{id}/edit", get(scenario_edit))
        .route("/scenarios/{id}/force", axum::routing::post(scenario_force))
        .route("/scenarios/{id}/copy", axum::routing::post(scenario_copy))
        .route("/scenarios/{id}/export.csv", get(scenario_csv))
        .route(
            "/scenarios/{id}/delete",
            get(scenario_delete_confirm).post(scenario_delete),
        )
        .route(
            "/scenarios/{id}/commit",
            get(commit_page).post(commit_apply),
        )
}

type Q = Query<HashMap<String, String>>;

fn money(m: Minor) -> String {
    m.format()
}

fn health_of(r: Option<Rag>) -> charts::Health {
    match r {
        Some(Rag::Green) => charts::Health::Green,
        Some(Rag::Amber) => charts::Health::Amber,
        Some(Rag::Red) => charts::Health::Red,
        None => charts::Health::Unknown,
    }
}

fn at_portfolio(id: Uuid) -> Placement {
    Placement {
        portfolio: Some(id),
        ..Default::default()
    }
}

// ======================= strategy =======================

struct DriverRow {
    id: Uuid,
    name: String,
    description: String,
    weight: String,
    share: f64,
    share_text: String,
    archived: bool,
}

#[derive(Template)]
#[template(path = "strategy.html")]
struct StrategyPage {
    nav: Nav,
    drivers: Vec<DriverRow>,
    can_manage: bool,
    cr: String,
    judgements: usize,
    discount: String,
    risk_factor: String,
    risk_floor: String,
    version: i64,
    errors: Vec<FieldError>,
    notice: String,
}

impl StrategyPage {
    fn error_for(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

async fn strategy_view(
    s: &AppState,
    a: &Actor,
    errors: Vec<FieldError>,
    notice: String,
) -> atrium_app::Result<StrategyPage> {
    let v = s.app.strategy(a).await?;
    let can_manage = can(s, a, Action::ManageStrategy, &Placement::ORGANIZATION).await;
    Ok(StrategyPage {
        nav: Nav::new(a, "/strategy"),
        drivers: v
            .drivers
            .iter()
            .map(|d| DriverRow {
                id: d.driver.id,
                name: d.driver.name.clone(),
                description: d.driver.description.clone().unwrap_or_default(),
                weight: format!("{:.4}", d.driver.weight),
                share: (d.share * 1000.0).round() / 10.0,
                share_text: format!("{:.1} %", d.share * 100.0),
                archived: d.driver.archived,
            })
            .collect(),
        can_manage,
        cr: v
            .config
            .consistency_ratio
            .map_or_else(|| "—".into(), |c| format!("{c:.3}")),
        judgements: v.config.judgements.len(),
        discount: v.config.discount_rate_pct.to_string(),
        risk_factor: v.config.risk_factor.to_string(),
        risk_floor: v.config.risk_floor.to_string(),
        version: v.config.version,
        errors,
        notice,
    })
}

async fn strategy_page(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let notice = q.get("notice").cloned().unwrap_or_default();
    let notice = match notice.as_str() {
        "weights" => "Weights updated from the pairwise comparison.".to_owned(),
        "scoring" => "Scoring settings saved.".to_owned(),
        "driver" => "Driver saved.".to_owned(),
        _ => String::new(),
    };
    match strategy_view(&s, &a, vec![], notice).await {
        Ok(p) => render(&p),
        Err(e) => err(e),
    }
}

async fn scoring_update(State(s): State<AppState>, PageUser(a): PageUser, f: FormData) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s
        .app
        .update_scoring(
            &a,
            &f.get("discount_rate_pct"),
            &f.get("risk_factor"),
            &f.get("risk_floor"),
            version_of(&f),
        )
        .await
    {
        Ok(_) => Redirect::to("/strategy?notice=scoring").into_response(),
        Err(AppError::Validation(errs)) => match strategy_view(&s, &a, errs, String::new()).await {
            Ok(p) => {
                let mut r = render(&p);
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                r
            }
            Err(e) => err(e),
        },
        Err(e) => err(e),
    }
}

struct PairRow {
    field: String,
    a: String,
    b: String,
    /// (value, label, selected)
    options: Vec<(String, String, bool)>,
    error: String,
}

#[derive(Template)]
#[template(path = "pairwise.html")]
struct PairwisePage {
    nav: Nav,
    pairs: Vec<PairRow>,
    general: Vec<String>,
}

const SAATY: [(&str, &str); 17] = [
    ("9", "extremely more important"),
    ("8", "8"),
    ("7", "very strongly more important"),
    ("6", "6"),
    ("5", "strongly more important"),
    ("4", "4"),
    ("3", "moderately more important"),
    ("2", "2"),
    ("1", "equally important"),
    ("1/2", "1/2"),
    ("1/3", "moderately less important"),
    ("1/4", "1/4"),
    ("1/5", "strongly less important"),
    ("1/6", "1/6"),
    ("1/7", "very strongly less important"),
    ("1/8", "1/8"),
    ("1/9", "extremely less important"),
];

fn saaty_text(v: f64) -> String {
    if v >= 1.0 {
        format!("{}", v.round() as i64)
    } else {
        format!("1/{}", (1.0 / v).round() as i64)
    }
}

async fn pairwise_view(
    s: &AppState,
    a: &Actor,
    typed: &HashMap<String, String>,
    errors: &[FieldError],
) -> atrium_app::Result<PairwisePage> {
    let v = s.app.strategy(a).await?;
    let active: Vec<_> = v.drivers.iter().filter(|d| !d.driver.archived).collect();
    let mut pairs = Vec::new();
    for i in 0..active.len() {
        for j in i + 1..active.len() {
            let (da, db) = (&active[i].driver, &active[j].driver);
            let field = format!("pair_{}_{}", da.id, db.id);
            let stored = v
                .config
                .judgements
                .iter()
                .find_map(|x| {
                    if x.a == da.id && x.b == db.id {
                        Some(x.value)
                    } else if x.a == db.id && x.b == da.id {
                        Some(1.0 / x.value)
                    } else {
                        None
                    }
                })
                .map_or_else(|| "1".to_owned(), saaty_text);
            let current = typed.get(&field).cloned().unwrap_or(stored);
            pairs.push(PairRow {
                options: SAATY
                    .iter()
                    .map(|(v, l)| {
                        (
                            (*v).to_owned(),
                            if *v == *l {
                                (*v).to_owned()
                            } else {
                                format!("{v} — {l}")
                            },
                            *v == current,
                        )
                    })
                    .collect(),
                error: errors
                    .iter()
                    .filter(|e| e.field == field)
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                field,
                a: da.name.clone(),
                b: db.name.clone(),
            });
        }
    }
    Ok(PairwisePage {
        nav: Nav::new(a, "/strategy"),
        general: errors
            .iter()
            .filter(|e| !e.field.starts_with("pair_"))
            .map(|e| e.message.clone())
            .collect(),
        pairs,
    })
}

async fn pairwise_page(State(s): State<AppState>, PageUser(a): PageUser) -> Response {
    if !can(&s, &a, Action::ManageStrategy, &Placement::ORGANIZATION).await {
        return err(AppError::Forbidden);
    }
    match pairwise_view(&s, &a, &HashMap::new(), &[]).await {
        Ok(p) => render(&p),
        Err(e) => err(e),
    }
}

async fn pairwise_apply(State(s): State<AppState>, PageUser(a): PageUser, f: FormData) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let mut typed = HashMap::new();
    let mut judgements = Vec::new();
    for (k, v) in f.0.iter() {
        let Some(rest) = k.strip_prefix("pair_") else {
            continue;
        };
        let Some((x, y)) = rest.split_once('_') else {
            continue;
        };
        if let (Ok(x), Ok(y)) = (x.parse::<Uuid>(), y.parse::<Uuid>()) {
            typed.insert(k.clone(), v.clone());
            judgements.push(JudgementInput {
                a: x,
                b: y,
                value: v.clone(),
            });
        }
    }
    match s.app.apply_pairwise(&a, &judgements).await {
        Ok(_) => Redirect::to("/strategy?notice=weights").into_response(),
        Err(AppError::Validation(errs)) => match pairwise_view(&s, &a, &typed, &errs).await {
            Ok(p) => {
                let mut r = render(&p);
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                r
            }
            Err(e) => err(e),
        },
        Err(e) => err(e),
    }
}

fn driver_fields(d: &DriverDraft) -> Vec<Field> {
    vec![
        Field::text("name", "Name", &d.name).required(),
        Field::text("description", "Description", d.description.clone().unwrap_or_default())
            .kind(FieldKind::Textarea),
        Field::text("weight", "Weight", &d.weight).help(
            "Relative weight (any scale; shares are computed from the total). Or set all weights by pairwise comparison.",
        ),
    ]
}

fn driver_draft(f: &FormData) -> DriverDraft {
    DriverDraft {
        name: f.get("name"),
        description: Some(f.get("description")),
        weight: f.get("weight"),
    }
}

async fn driver_new(PageUser(a): PageUser) -> Response {
    let d = DriverDraft {
        weight: "1".into(),
        ..Default::default()
    };
    form_page(
        &a,
        "/strategy",
        "New strategic driver".into(),
        "/drivers".into(),
        driver_fields(&d),
        &[],
        "/strategy".into(),
        None,
    )
}

async fn driver_create(State(s): State<AppState>, PageUser(a): PageUser, f: FormData) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = driver_draft(&f);
    match s.app.create_driver(&a, &d).await {
        Ok(_) => Redirect::to("/strategy?notice=driver").into_response(),
        Err(e) => form_error(e, |errs| {
            form_page(
                &a,
                "/strategy",
                "New strategic driver".into(),
                "/drivers".into(),
                driver_fields(&d),
                errs,
                "/strategy".into(),
                None,
            )
        }),
    }
}

async fn find_driver(
    s: &AppState,
    a: &Actor,
    id: Uuid,
) -> atrium_app::Result<atrium_core::strategy::Driver> {
    s.app
        .strategy(a)
        .await?
        .drivers
        .into_iter()
        .find(|d| d.driver.id == id)
        .map(|d| d.driver)
        .ok_or(AppError::NotFound("driver"))
}

async fn driver_edit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match find_driver(&s, &a, id).await {
        Ok(d) => {
            let draft = DriverDraft {
                name: d.name.clone(),
                description: d.description.clone(),
                weight: d.weight.to_string(),
            };
            form_page(
                &a,
                "/strategy",
                format!("Edit {}", d.name),
                format!("/drivers/{id}"),
                driver_fields(&draft),
                &[],
                "/strategy".into(),
                Some(d.version),
            )
        }
        Err(e) => err(e),
    }
}

async fn driver_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = driver_draft(&f);
    let v = version_of(&f);
    match s.app.update_driver(&a, id, &d, v).await {
        Ok(_) => Redirect::to("/strategy?notice=driver").into_response(),
        Err(e) => form_error(e, |errs| {
            form_page(
                &a,
                "/strategy",
                "Edit driver".into(),
                format!("/drivers/{id}"),
                driver_fields(&d),
                errs,
                "/strategy".into(),
                Some(v),
            )
        }),
    }
}

async fn driver_archive_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match find_driver(&s, &a, id).await {
        Ok(d) => render(&ConfirmPage {
            nav: Nav::new(&a, "/strategy"),
            title: format!("Archive the driver {}?", d.name),
            message: "Proposals are no longer scored against it; their ratings on it are kept. The weights of the other drivers are re-normalised.".into(),
            action: format!("/drivers/{id}/archive"),
            version: d.version,
            cancel: "/strategy".into(),
            button: "Yes, archive",
        }),
        Err(e) => err(e),
    }
}

async fn driver_archive(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s.app.archive_driver(&a, id, version_of(&f)).await {
        Ok(_) => Redirect::to("/strategy?notice=driver").into_response(),
        Err(e) => err(e),
    }
}

// ======================= proposals =======================

fn state_opts(any: bool) -> Vec<(String, String)> {
    let mut v = if any {
        vec![(String::new(), "Any state".to_owned())]
    } else {
        vec![]
    };
    v.extend(
        ProposalState::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
    );
    v
}

async fn proposals_list(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let r: atrium_app::Result<ListPage> = async {
        let page = page_of(&q);
        let (sort, desc) = sort_of(&q, PROPOSAL_SORTS, "key");
        let f = ProposalFilter {
            text: q.get("q").cloned().filter(|s| !s.is_empty()),
            portfolio_id: q.get("portfolio_id").and_then(|v| v.parse().ok()),
            state: q
                .get("state")
                .filter(|v| ProposalState::parse(v).is_some())
                .cloned(),
        };
        let (items, next) = s.app.list_proposals(&a, &f, &sort, desc, page).await?;
        let lk = s.app.lookups().await?;
        let mode = s.app.settings().await?.operating_mode;
        let proposers = atrium_app::permissions::roles_for(Action::CreateProposal, mode);
        let can_create = a.grants.iter().any(|g| proposers.contains(&g.role));
        let rows: Vec<Vec<Cell>> = items
            .iter()
            .map(|p| {
                vec![
                    Cell::link(&p.key, format!("/proposals/{}", p.id)),
                    Cell::text(&p.title),
                    Cell::text(lk.portfolio(p.portfolio_id)),
                    Cell::text(p.state.label()).class(format!("state {}", p.state.as_str())),
                    Cell::text(p.start.to_string()),
                    Cell::text(money(p.total_cost())).class("num"),
                    Cell::text(if p.mandatory { "Mandatory" } else { "" }),
                ]
            })
            .collect();
        let (prev_href, next_href, page_text) = pager("/proposals", &q, page, rows.len(), next);
        let mut pf = portfolio_opts(&lk, "Any portfolio");
        pf.truncate(501);
        Ok(ListPage {
            nav: Nav::new(&a, "/proposals"),
            title: "Proposals".into(),
            intro: "Investment proposals with their business cases: draft → submitted → screened → scored → approved, deferred or rejected. An approved proposal becomes a project.".into(),
            new_href: can_create.then(|| "/proposals/new".into()),
            export_href: None,
            filters: vec![
                Field::text("q", "Search", q.get("q").cloned().unwrap_or_default()),
                Field::select("state", "State", q.get("state").cloned().unwrap_or_default(), state_opts(true)),
                Field::select("portfolio_id", "Portfolio", q.get("portfolio_id").cloned().unwrap_or_default(), pf),
            ],
            action: "/proposals".into(),
            sort: q.get("sort").cloned().unwrap_or_default(),
            columns: columns(
                "/proposals",
                &q,
                &[("Key", Some("key")), ("Title", Some("title")), ("Portfolio", None), ("State", Some("state")), ("Start", None), ("Cost", None), ("", None)],
                &sort,
                desc,
            ),
            rows,
            empty: "No proposal matches. A proposal is an investment idea with its business case; create one with New.".into(),
            prev_href,
            next_href,
            page_text,
        })
    }
    .await;
    r.map_or_else(err, |p| render(&p))
}

async fn proposal_fields(
    s: &AppState,
    a: &Actor,
    d: &ProposalDraft,
) -> atrium_app::Result<Vec<Field>> {
    let lk = s.app.lookups().await?;
    let strategy = s.app.strategy(a).await?;
    let scale: Vec<(String, String)> = (0..=5)
        .map(|i| {
            (
                i.to_string(),
                match i {
                    0 => "0 — none".into(),
                    1 => "1 — very low".into(),
                    2 => "2 — low".into(),
                    3 => "3 — medium".into(),
                    4 => "4 — high".into(),
                    _ => "5 — very high".into(),
                },
            )
        })
        .collect();
    let mut fields = vec![
        Field::text("key", "Key", &d.key)
            .required()
            .help("Like PRP-007."),
        Field::text("title", "Title", &d.title).required(),
        Field::text(
            "description",
            "Description",
            d.description.clone().unwrap_or_default(),
        )
        .kind(FieldKind::Textarea),
        Field::select(
            "portfolio_id",
            "Portfolio",
            d.portfolio_id.map(|x| x.to_string()).unwrap_or_default(),
            portfolio_opts(&lk, "— choose —"),
        )
        .required(),
        Field::select(
            "sponsor_id",
            "Sponsor",
            d.sponsor_id.map(|x| x.to_string()).unwrap_or_default(),
            user_opts(&lk),
        ),
        Field::text("start", "Planned start", &d.start)
            .kind(FieldKind::Date)
            .required(),
        Field::text(
            "max_shift",
            "May start up to (quarters) later",
            &d.max_shift,
        )
        .help(
            "How many quarters the optimizer may delay the start to fit budget and capacity (0–8).",
        ),
        Field {
            options: vec![(
                "1".into(),
                "Mandatory (regulatory or contractual: always selected)".into(),
                d.mandatory,
            )],
            ..Field::text("mandatory", "Mandatory", "").kind(FieldKind::Checks)
        },
        Field::select("risk", "Risk rating", d.risk.clone(), scale.clone())
            .help("Risk exposure lowers the risk-adjusted score (strategy settings)."),
    ];
    for dv in strategy.drivers.iter().filter(|x| !x.driver.archived) {
        let name = format!("rating_{}", dv.driver.id);
        let val = d
            .ratings
            .get(&dv.driver.id)
            .cloned()
            .unwrap_or_else(|| "0".into());
        fields.push(Field::select(
            name,
            format!("Impact on “{}”", dv.driver.name),
            val,
            scale.clone(),
        ));
    }
    fields.extend([
        Field::text("costs", "Cost by fiscal year", &d.costs).kind(FieldKind::Textarea).help(
            "One line per fiscal year: YEAR, CAPEX, OPEX — e.g. 2027, 250000, 40000. Fiscal years are named by the calendar year they start in.",
        ),
        Field::text("benefits", "Expected benefits by fiscal year", &d.benefits).kind(FieldKind::Textarea)
            .help("One line per year: YEAR, AMOUNT — e.g. 2028, 400000."),
        Field::text("capacity", "Capacity needed", &d.capacity).kind(FieldKind::Textarea).help(
            "One line per role and quarter of the project: ROLE, QUARTER, FTE — e.g. Software Developer, Q1, 2.5. Roles match the job roles of the resource pool.",
        ),
        Field::text("links", "Dependencies", &d.links).kind(FieldKind::Textarea)
            .help("One per line: requires KEY or excludes KEY (a proposal or project key)."),
    ]);
    Ok(fields)
}

fn proposal_draft(f: &FormData) -> ProposalDraft {
    let mut ratings = BTreeMap::new();
    for (k, v) in f.0.iter() {
        if let Some(id) = k
            .strip_prefix("rating_")
            .and_then(|x| x.parse::<Uuid>().ok())
        {
            ratings.insert(id, v.clone());
        }
    }
    ProposalDraft {
        key: f.get("key"),
        title: f.get("title"),
        description: Some(f.get("description")),
        portfolio_id: f.get("portfolio_id").parse().ok(),
        sponsor_id: f.get("sponsor_id").parse().ok(),
        mandatory: f.get("mandatory") == "1",
        start: f.get("start"),
        max_shift: f.get("max_shift"),
        ratings,
        risk: f.get("risk"),
        costs: f.get("costs"),
        benefits: f.get("benefits"),
        capacity: f.get("capacity"),
        links: f.get("links"),
    }
}

#[allow(clippy::too_many_arguments)] // the same shape as records::form_page, plus the state
async fn proposal_form(
    s: &AppState,
    a: &Actor,
    title: String,
    action: String,
    d: &ProposalDraft,
    errs: &[FieldError],
    cancel: String,
    version: Option<i64>,
) -> Response {
    match proposal_fields(s, a, d).await {
        Ok(fields) => form_page(
            a,
            "/proposals",
            title,
            action,
            fields,
            errs,
            cancel,
            version,
        ),
        Err(e) => err(e),
    }
}

async fn proposal_new(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let today = s.app.today();
    let d = ProposalDraft {
        portfolio_id: q.get("portfolio_id").and_then(|v| v.parse().ok()),
        start: today.to_string(),
        max_shift: "1".into(),
        risk: "2".into(),
        ..Default::default()
    };
    proposal_form(
        &s,
        &a,
        "New proposal".into(),
        "/proposals".into(),
        &d,
        &[],
        "/proposals".into(),
        None,
    )
    .await
}

async fn proposal_create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = proposal_draft(&f);
    match s.app.create_proposal(&a, &d).await {
        Ok(p) => Redirect::to(&format!("/proposals/{}", p.id)).into_response(),
        Err(AppError::Validation(errs)) => {
            let mut r = proposal_form(
                &s,
                &a,
                "New proposal".into(),
                "/proposals".into(),
                &d,
                &errs,
                "/proposals".into(),
                None,
            )
            .await;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => err(e),
    }
}

async fn proposal_edit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match s.app.get_proposal(&a, id).await {
        Ok(d) => {
            let draft = crate::api::draft_of(&d.proposal);
            proposal_form(
                &s,
                &a,
                format!("Edit {}", d.proposal.key),
                format!("/proposals/{id}"),
                &draft,
                &[],
                format!("/proposals/{id}"),
                Some(d.proposal.version),
            )
            .await
        }
        Err(e) => err(e),
    }
}

async fn proposal_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = proposal_draft(&f);
    let v = version_of(&f);
    match s.app.update_proposal(&a, id, &d, v).await {
        Ok(_) => Redirect::to(&format!("/proposals/{id}")).into_response(),
        Err(e @ (AppError::Validation(_) | AppError::Stale { .. })) => {
            let errs = match e {
                AppError::Validation(errs) => errs,
                AppError::Stale { current } => vec![FieldError {
                    field: "version".into(),
                    message: format!(
                        "Someone else changed this proposal (now version {current}) while you were editing. Your changes were not saved: open it again to see the current values."
                    ),
                }],
                _ => vec![],
            };
            let mut r = proposal_form(
                &s,
                &a,
                "Edit proposal".into(),
                format!("/proposals/{id}"),
                &d,
                &errs,
                format!("/proposals/{id}"),
                Some(v),
            )
            .await;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => err(e),
    }
}

struct Contribution {
    name: String,
    points: String,
    width: f64,
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage {
    nav: Nav,
    p: Proposal,
    d: ProposalDetail,
    portfolio: String,
    sponsor: String,
    contributions: Vec<Contribution>,
    costs: Vec<(String, String, String)>,
    benefits: Vec<(String, String)>,
    transitions: Vec<(String, String, bool)>,
    can_approve: bool,
    managers: Vec<(String, String)>,
    errors: Vec<FieldError>,
    rationale: String,
}

impl ProposalPage {
    fn pct(&self, v: &Option<f64>) -> String {
        v.map_or_else(|| "—".into(), |x| format!("{:.1} %", x * 100.0))
    }
    fn years(&self, v: &Option<f64>) -> String {
        v.map_or_else(
            || "not within the benefits given".into(),
            |x| format!("{x:.1} years"),
        )
    }
    fn error_for(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

async fn proposal_page(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    errors: Vec<FieldError>,
    rationale: String,
) -> atrium_app::Result<ProposalPage> {
    let d = s.app.get_proposal(a, id).await?;
    let lk = s.app.lookups().await?;
    let p = d.proposal.clone();
    let max = d
        .score
        .contributions
        .iter()
        .map(|c| c.1)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    Ok(ProposalPage {
        nav: Nav::new(a, "/proposals"),
        portfolio: lk.portfolio(p.portfolio_id),
        sponsor: lk.user(p.sponsor_id),
        contributions: d
            .score
            .contributions
            .iter()
            .map(|(n, v)| Contribution {
                name: n.clone(),
                points: format!("{v:.1}"),
                width: (v / max * 100.0).round(),
            })
            .collect(),
        costs: p
            .costs
            .iter()
            .map(|c| (format!("FY{}", c.year), money(c.capex), money(c.opex)))
            .collect(),
        benefits: p
            .benefits
            .iter()
            .map(|b| (format!("FY{}", b.year), money(b.amount)))
            .collect(),
        transitions: d
            .transitions
            .iter()
            .filter(|t| **t != Transition::Approve)
            .map(|t| {
                (
                    t.as_str().to_owned(),
                    t.label().to_owned(),
                    matches!(t, Transition::Defer | Transition::Reject),
                )
            })
            .collect(),
        can_approve: d.transitions.contains(&Transition::Approve),
        managers: user_opts(&lk),
        p,
        d,
        errors,
        rationale,
    })
}

async fn proposal_show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match proposal_page(&s, &a, id, vec![], String::new()).await {
        Ok(p) => render(&p),
        Err(e) => err(e),
    }
}

async fn proposal_transition(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let Some(t) = Transition::parse(&f.get("transition")) else {
        return err(AppError::field("transition", "unknown workflow step"));
    };
    let rationale = f.get("rationale");
    let opts = ApproveOptions {
        project_key: Some(f.get("project_key")).filter(|k| !k.trim().is_empty()),
        manager_id: f.get("manager_id").parse().ok(),
    };
    match s
        .app
        .transition_proposal(&a, id, t, Some(&rationale), &opts, version_of(&f))
        .await
    {
        Ok(_) => Redirect::to(&format!("/proposals/{id}")).into_response(),
        Err(e @ (AppError::Validation(_) | AppError::Stale { .. })) => {
            let errs = match e {
                AppError::Validation(errs) => errs,
                AppError::Stale { current } => vec![FieldError {
                    field: "transition".into(),
                    message: format!(
                        "the proposal changed meanwhile (now version {current}); reload and try again"
                    ),
                }],
                _ => vec![],
            };
            match proposal_page(&s, &a, id, errs, rationale).await {
                Ok(p) => {
                    let mut r = render(&p);
                    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                    r
                }
                Err(e) => err(e),
            }
        }
        Err(e) => err(e),
    }
}

// ======================= portfolio analysis =======================

struct RankRow {
    rank: usize,
    key: String,
    href: String,
    title: String,
    kind: &'static str,
    state: String,
    health: (&'static str, &'static str),
    weighted: String,
    adjusted: String,
    cost: String,
    vpc: String,
    explanation: String,
}

struct CapRow {
    role: String,
    capacity: String,
    /// (text, class, title)
    cells: Vec<(String, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "portfolio_analysis.html")]
struct AnalysisPage {
    nav: Nav,
    id: Uuid,
    title: String,
    first_year: i32,
    health: Vec<(&'static str, &'static str, usize)>,
    bubbles: String,
    roadmap: String,
    ranking: Vec<RankRow>,
    quarters: Vec<String>,
    capacity: Vec<CapRow>,
    can_plan: bool,
    can_propose: bool,
}

fn rag_class(r: Option<Rag>) -> (&'static str, &'static str) {
    match r {
        Some(Rag::Green) => ("green", "Green"),
        Some(Rag::Amber) => ("amber", "Amber"),
        Some(Rag::Red) => ("red", "Red"),
        None => ("none", "—"),
    }
}

fn rank_rows(items: &[RankedCase]) -> Vec<RankRow> {
    items
        .iter()
        .map(|r| RankRow {
            rank: r.rank,
            key: r.project_key.clone().unwrap_or_else(|| r.case.key.clone()),
            href: match r.project_id {
                Some(id) => format!("/projects/{id}"),
                None => format!("/proposals/{}", r.case.id),
            },
            title: r.case.title.clone(),
            kind: if r.active { "Project" } else { "Proposal" },
            state: if r.active {
                r.phase.map(|p| p.label().to_owned()).unwrap_or_default()
            } else {
                r.case.state.label().to_owned()
            },
            health: rag_class(r.health),
            weighted: format!("{:.1}", r.score.weighted),
            adjusted: format!("{:.1}", r.score.risk_adjusted),
            cost: money(r.case.total_cost()),
            vpc: r
                .score
                .value_per_cost
                .map_or_else(|| "—".into(), |v| format!("{v:.1}")),
            explanation: r.explanation.clone(),
        })
        .collect()
}

fn analysis_view(
    a: &Actor,
    an: &PortfolioAnalysis,
    today: jiff::civil::Date,
    can_plan: bool,
    can_propose: bool,
) -> AnalysisPage {
    let bubbles: Vec<charts::Bubble> = an
        .ranking
        .iter()
        .map(|r| charts::Bubble {
            label: r.project_key.clone().unwrap_or_else(|| r.case.key.clone()),
            href: Some(match r.project_id {
                Some(id) => format!("/projects/{id}"),
                None => format!("/proposals/{}", r.case.id),
            }),
            value: r.score.risk_adjusted,
            risk: f64::from(r.case.risk),
            cost: r.case.total_cost().0 as f64 / 100.0,
            health: health_of(r.health),
        })
        .collect();
    let rows: Vec<charts::RoadmapRow> = an
        .roadmap
        .iter()
        .map(|r| charts::RoadmapRow {
            label: format!("{} {}", r.key, r.title),
            href: r
                .project_id
                .map(|id| format!("/projects/{id}"))
                .or_else(|| r.proposal_id.map(|id| format!("/proposals/{id}"))),
            start: r.start,
            finish: r.finish,
            health: health_of(r.health),
            note: if r.project_id.is_none() {
                Some("proposal".into())
            } else {
                r.phase.map(|p| p.label().to_owned())
            },
        })
        .collect();
    let from = jiff::civil::Date::new(an.first_year as i16, 1, 1).unwrap_or(today);
    let to = jiff::civil::Date::new(an.first_year as i16 + 3, 1, 1).unwrap_or(today);
    let capacity = an
        .capacity
        .iter()
        .map(|c| CapRow {
            role: c.role.clone(),
            capacity: c.capacity.map_or_else(|| "none in pool".into(), |x| format!("{x:.1} FTE")),
            cells: c
                .committed
                .iter()
                .zip(&c.proposed)
                .map(|(com, pro)| {
                    let total = com + pro;
                    let class = match c.capacity {
                        None if total > 0.0 => "over",
                        None => "",
                        Some(cap) if *com > cap + 1e-9 => "over",
                        Some(cap) if total > cap + 1e-9 => "tight",
                        Some(cap) if total > 0.8 * cap => "busy",
                        _ => "",
                    };
                    (
                        format!("{com:.1} + {pro:.1}"),
                        class,
                        format!("{com:.1} FTE for live projects, {pro:.1} FTE more if every open proposal goes ahead"),
                    )
                })
                .collect(),
        })
        .collect();
    AnalysisPage {
        nav: Nav::new(a, "/portfolios"),
        id: an.portfolio.id,
        title: format!(
            "{} {} — portfolio analysis",
            an.portfolio.key, an.portfolio.name
        ),
        first_year: an.first_year,
        health: an
            .health
            .iter()
            .map(|(r, n)| {
                let (c, l) = rag_class(Some(*r));
                (c, l, *n)
            })
            .collect(),
        bubbles: charts::bubbles(&bubbles),
        roadmap: charts::roadmap(&rows, from, to, Some(today)),
        ranking: rank_rows(&an.ranking),
        quarters: an.quarters.clone(),
        capacity,
        can_plan,
        can_propose,
    }
}

async fn analysis_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let year = q
        .get("first_year")
        .and_then(|y| y.parse().ok())
        .filter(|y| (1900..=2200).contains(y));
    match s.app.portfolio_analysis(&a, id, year).await {
        Ok(an) => {
            let can_plan = can(&s, &a, Action::ManageScenarios, &at_portfolio(id)).await;
            let can_propose = can(&s, &a, Action::CreateProposal, &at_portfolio(id)).await;
            render(&analysis_view(
                &a,
                &an,
                s.app.today(),
                can_plan,
                can_propose,
            ))
        }
        Err(e) => err(e),
    }
}

const RANKING_HEADER: [&str; 11] = [
    "rank",
    "key",
    "title",
    "kind",
    "state",
    "health",
    "weighted_score",
    "risk_adjusted_score",
    "total_cost",
    "value_per_million",
    "explanation",
];

fn ranking_rows(items: &[RankedCase]) -> Vec<Vec<String>> {
    rank_rows(items)
        .into_iter()
        .map(|r| {
            vec![
                r.rank.to_string(),
                r.key,
                r.title,
                r.kind.into(),
                r.state,
                r.health.1.into(),
                r.weighted,
                r.adjusted,
                r.cost.replace(',', ""),
                r.vpc,
                r.explanation,
            ]
        })
        .collect()
}

/// The ranked list as CSV (shared with the API).
pub fn ranking_csv(items: &[RankedCase]) -> Response {
    super::records::csv_response(
        "ranking.csv",
        write_csv(&RANKING_HEADER, ranking_rows(items).into_iter()),
    )
}

/// The ranked list as XLSX (shared with the API).
pub fn ranking_xlsx(items: &[RankedCase]) -> Result<Response, crate::error::ApiError> {
    use atrium_interop::xlsx::{Cell as X, table};
    let rows: Vec<Vec<X>> = items
        .iter()
        .zip(ranking_rows(items))
        .map(|(r, text)| {
            vec![
                X::Number(r.rank as f64),
                X::Text(text[1].clone()),
                X::Text(text[2].clone()),
                X::Text(text[3].clone()),
                X::Text(text[4].clone()),
                X::Text(text[5].clone()),
                X::Number((r.score.weighted * 10.0).round() / 10.0),
                X::Number((r.score.risk_adjusted * 10.0).round() / 10.0),
                X::Money {
                    minor: r.case.total_cost().0,
                    currency: String::new(),
                },
                r.score
                    .value_per_cost
                    .map_or(X::Empty, |v| X::Number((v * 10.0).round() / 10.0)),
                X::Text(text[10].clone()),
            ]
        })
        .collect();
    let bytes = table("Ranking", &RANKING_HEADER, &rows).map_err(|e| {
        crate::error::ApiError::from(AppError::Internal(Box::new(std::io::Error::other(
            e.to_string(),
        ))))
    })?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ranking.xlsx\"".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn ranking_csv_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match s.app.ranking(&a, id).await {
        Ok(items) => ranking_csv(&items),
        Err(e) => err(e),
    }
}

async fn ranking_xlsx_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match s.app.ranking(&a, id).await {
        Ok(items) => ranking_xlsx(&items).unwrap_or_else(IntoResponse::into_response),
        Err(e) => err(e),
    }
}

// ======================= scenarios =======================

async fn scenarios_list(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let r: atrium_app::Result<ListPage> = async {
        let page = page_of(&q);
        let portfolio = q.get("portfolio_id").and_then(|v| v.parse().ok());
        let (items, next) = s.app.list_scenarios(&a, portfolio, page).await?;
        let lk = s.app.lookups().await?;
        let rows: Vec<Vec<Cell>> = items
            .iter()
            .map(|sc| {
                let r = sc.result.as_ref();
                vec![
                    Cell::link(&sc.name, format!("/scenarios/{}", sc.id)),
                    Cell::text(lk.portfolio(sc.portfolio_id)),
                    Cell::text(format!("FY{}–FY{}", sc.first_year, sc.first_year + sc.budget.len() as i32 - 1)),
                    Cell::text(money(Minor(sc.budget.iter().map(|b| b.0).sum()))).class("num"),
                    Cell::text(r.map_or_else(String::new, |r| format!("{:.1}", r.value))).class("num"),
                    Cell::text(r.map_or(0, |r| r.items.iter().filter(|i| i.selected).count()).to_string()).class("num"),
                    Cell::text(if sc.committed { "Committed" } else { "Draft" }).class(if sc.committed { "state approved" } else { "state draft" }),
                ]
            })
            .collect();
        let (prev_href, next_href, page_text) = pager("/scenarios", &q, page, rows.len(), next);
        let new_href = match portfolio {
            Some(id) => format!("/scenarios/new?portfolio_id={id}"),
            None => "/scenarios/new".into(),
        };
        Ok(ListPage {
            nav: Nav::new(&a, "/scenarios"),
            title: "Portfolio scenarios".into(),
            intro: "What-if selections: the optimizer picks the proposals and projects with the most risk-adjusted value within each year's budget and the pool's capacity. Nothing changes in live data until a scenario is committed. To compare two, open one and choose another to compare with.".into(),
            new_href: Some(new_href),
            export_href: None,
            filters: vec![Field::select("portfolio_id", "Portfolio", q.get("portfolio_id").cloned().unwrap_or_default(), portfolio_opts(&lk, "Any portfolio"))],
            action: "/scenarios".into(),
            sort: String::new(),
            columns: ["Name", "Portfolio", "Horizon", "Total budget", "Value", "Selected", "State"]
                .iter()
                .map(|l: &&'static str| Col { label: l, href: None, arrow: "" })
                .collect(),
            rows,
            empty: "No scenario yet. Create one to optimize a portfolio under a budget.".into(),
            prev_href,
            next_href,
            page_text,
        })
    }
    .await;
    r.map_or_else(err, |p| render(&p))
}

fn scenario_fields(d: &ScenarioDraft, lk: &atrium_app::records::Lookups, new: bool) -> Vec<Field> {
    let mut v = vec![Field::text("name", "Name", &d.name).required()];
    if new {
        v.push(
            Field::select(
                "portfolio_id",
                "Portfolio",
                d.portfolio_id.map(|x| x.to_string()).unwrap_or_default(),
                portfolio_opts(lk, "— choose —"),
            )
            .required(),
        );
    }
    v.extend([
        Field::text("first_year", "First fiscal year", &d.first_year).required().help("Fiscal years are named by the calendar year they start in."),
        Field::text("years", "Horizon (years)", &d.years).help("1–10 fiscal years; capacity is checked per quarter."),
        Field::text("budget", "Budget per fiscal year", &d.budget).required()
            .help("Amounts separated by semicolons, first year first, e.g. 2500000; 2500000; 3000000. The last amount repeats for the remaining years."),
        Field::text("notes", "Notes", d.notes.clone().unwrap_or_default()).kind(FieldKind::Textarea),
    ]);
    v
}

fn scenario_draft(f: &FormData) -> ScenarioDraft {
    ScenarioDraft {
        name: f.get("name"),
        portfolio_id: f.get("portfolio_id").parse().ok(),
        first_year: f.get("first_year"),
        budget: f.get("budget"),
        years: f.get("years"),
        notes: Some(f.get("notes")),
    }
}

async fn scenario_new(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let lk = match s.app.lookups().await {
        Ok(l) => l,
        Err(e) => return err(e),
    };
    let today = s.app.today();
    let d = ScenarioDraft {
        name: String::new(),
        portfolio_id: q.get("portfolio_id").and_then(|v| v.parse().ok()),
        first_year: today.year().to_string(),
        budget: "2500000".into(),
        years: "3".into(),
        notes: None,
    };
    form_page(
        &a,
        "/scenarios",
        "New scenario".into(),
        "/scenarios".into(),
        scenario_fields(&d, &lk, true),
        &[],
        "/scenarios".into(),
        None,
    )
}

async fn scenario_create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = scenario_draft(&f);
    match s.app.create_scenario(&a, &d).await {
        Ok(sc) => Redirect::to(&format!("/scenarios/{}", sc.id)).into_response(),
        Err(e) => {
            let lk = s.app.lookups().await.unwrap_or_default();
            form_error(e, |errs| {
                form_page(
                    &a,
                    "/scenarios",
                    "New scenario".into(),
                    "/scenarios".into(),
                    scenario_fields(&d, &lk, true),
                    errs,
                    "/scenarios".into(),
                    None,
                )
            })
        }
    }
}

async fn scenario_edit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r = async {
        let sc = s.app.get_scenario(&a, id).await?;
        let lk = s.app.lookups().await?;
        Ok::<_, AppError>((sc, lk))
    }
    .await;
    match r {
        Ok((sc, lk)) => form_page(
            &a,
            "/scenarios",
            format!("Edit {}", sc.name),
            format!("/scenarios/{id}"),
            scenario_fields(&crate::api::draft_of_scenario(&sc), &lk, false),
            &[],
            format!("/scenarios/{id}"),
            Some(sc.version),
        ),
        Err(e) => err(e),
    }
}

async fn scenario_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = scenario_draft(&f);
    let v = version_of(&f);
    match s.app.update_scenario(&a, id, &d, None, v).await {
        Ok(_) => Redirect::to(&format!("/scenarios/{id}")).into_response(),
        Err(e) => {
            let lk = s.app.lookups().await.unwrap_or_default();
            form_error(e, |errs| {
                form_page(
                    &a,
                    "/scenarios",
                    "Edit scenario".into(),
                    format!("/scenarios/{id}"),
                    scenario_fields(&d, &lk, false),
                    errs,
                    format!("/scenarios/{id}"),
                    Some(v),
                )
            })
        }
    }
}

struct ItemRow {
    case_id: Uuid,
    key: String,
    href: String,
    title: String,
    kind: &'static str,
    selected: bool,
    shift: String,
    value: String,
    cost: String,
    reasons: String,
    force: String,
    decision: String,
}

struct YearRow {
    year: String,
    budget: String,
    spent: String,
    pct: f64,
    over: bool,
}

#[derive(Template)]
#[template(path = "scenario.html")]
struct ScenarioPage {
    nav: Nav,
    s: Scenario,
    horizon: String,
    portfolio: String,
    status: String,
    value: String,
    years: Vec<YearRow>,
    items: Vec<ItemRow>,
    frontier: String,
    capacity: Vec<(String, String)>,
    diagnostics: Vec<String>,
    others: Vec<(Uuid, String)>,
    can_manage: bool,
    can_commit: bool,
}

fn item_rows(sc: &Scenario) -> Vec<ItemRow> {
    let Some(r) = &sc.result else {
        return vec![];
    };
    let mut rows: Vec<ItemRow> = r
        .items
        .iter()
        .map(|i| ItemRow {
            case_id: i.case_id,
            key: i.key.clone(),
            href: format!("/proposals/{}", i.case_id),
            title: i.title.clone(),
            kind: if i.active { "Project" } else { "Proposal" },
            selected: i.selected,
            shift: if i.shift > 0 {
                format!("+{} q", i.shift)
            } else {
                String::new()
            },
            value: format!("{:.1}", i.value),
            cost: money(i.cost),
            reasons: i.reasons.join("; "),
            force: sc
                .forced
                .get(&i.case_id)
                .copied()
                .unwrap_or(ForceMode::Free)
                .as_str()
                .to_owned(),
            decision: i.decision.as_str().to_owned(),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.selected.cmp(&a.selected).then(
            b.value
                .parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&a.value.parse::<f64>().unwrap_or(0.0)),
        )
    });
    rows
}

async fn scenario_view(s: &AppState, a: &Actor, id: Uuid) -> atrium_app::Result<ScenarioPage> {
    let sc = s.app.get_scenario(a, id).await?;
    let lk = s.app.lookups().await?;
    let others = s.app.scenario_names(a, sc.portfolio_id).await?;
    let r = sc.result.clone();
    let years = sc
        .budget
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let spent = r
                .as_ref()
                .and_then(|r| r.cost_per_year.get(i))
                .copied()
                .unwrap_or_default();
            YearRow {
                year: format!("FY{}", sc.first_year + i as i32),
                budget: money(*b),
                spent: money(spent),
                pct: if b.0 > 0 {
                    (spent.0 as f64 / b.0 as f64 * 100.0)
                        .clamp(0.0, 100.0)
                        .round()
                } else {
                    0.0
                },
                over: spent.0 > b.0,
            }
        })
        .collect();
    let total_budget: i64 = sc.budget.iter().map(|b| b.0).sum();
    let settings = s.app.settings().await?;
    let frontier = charts::frontier(
        &r.as_ref()
            .map(|r| {
                r.frontier
                    .iter()
                    .map(|(b, v, o)| charts::FrontierDot {
                        budget: *b as f64 / 100.0,
                        value: *v,
                        optimal: *o,
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
        settings.currency.as_str(),
        Some(total_budget as f64 / 100.0),
    );
    let capacity = r
        .as_ref()
        .map(|r| {
            r.capacity
                .iter()
                .filter(|c| c.used.iter().any(|u| *u > 0.0))
                .map(|c| {
                    let peak = c.used.iter().copied().fold(0.0f64, f64::max);
                    let cap = c
                        .capacity
                        .iter()
                        .flatten()
                        .copied()
                        .fold(f64::INFINITY, f64::min);
                    (
                        c.role.clone(),
                        if cap.is_finite() {
                            format!(
                                "peak {peak:.1} of {cap:.1} FTE ({:.0} %)",
                                if cap > 0.0 { peak / cap * 100.0 } else { 100.0 }
                            )
                        } else {
                            format!("peak {peak:.1} FTE (no one with this role in the pool)")
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mode = settings.operating_mode;
    Ok(ScenarioPage {
        nav: Nav::new(a, "/scenarios"),
        horizon: format!(
            "FY{}–FY{}",
            sc.first_year,
            sc.first_year + sc.budget.len() as i32 - 1
        ),
        portfolio: lk.portfolio(sc.portfolio_id),
        status: r
            .as_ref()
            .map_or_else(String::new, |r| match r.status.as_str() {
                "optimal" => "Optimal (proven)".to_owned(),
                "limit_reached" => format!(
                    "Best found within the time limit (at most {:.1} % below optimal)",
                    r.gap * 100.0
                ),
                _ => "Infeasible: the forced-in and mandatory items do not fit".to_owned(),
            }),
        value: r
            .as_ref()
            .map_or_else(String::new, |r| format!("{:.1}", r.value)),
        years,
        items: item_rows(&sc),
        frontier,
        capacity,
        diagnostics: r
            .as_ref()
            .map(|r| r.diagnostics.clone())
            .unwrap_or_default(),
        others: others.into_iter().filter(|(o, _)| *o != id).collect(),
        can_manage: allows(
            a,
            Action::ManageScenarios,
            &at_portfolio(sc.portfolio_id),
            mode,
        ) && !sc.committed,
        can_commit: allows(
            a,
            Action::CommitScenario,
            &at_portfolio(sc.portfolio_id),
            mode,
        ) && !sc.committed,
        s: sc,
    })
}

async fn scenario_show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match scenario_view(&s, &a, id).await {
        Ok(p) => render(&p),
        Err(e) => err(e),
    }
}

async fn scenario_force(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let mut forced = BTreeMap::new();
    for (k, v) in f.0.iter() {
        if let (Some(id), Some(m)) = (
            k.strip_prefix("force_")
                .and_then(|x| x.parse::<Uuid>().ok()),
            ForceMode::parse(v),
        ) {
            forced.insert(id, m);
        }
    }
    let r = async {
        let sc = s.app.get_scenario(&a, id).await?;
        s.app
            .update_scenario(
                &a,
                id,
                &crate::api::draft_of_scenario(&sc),
                Some(forced),
                version_of(&f),
            )
            .await
    }
    .await;
    match r {
        Ok(_) => Redirect::to(&format!("/scenarios/{id}")).into_response(),
        Err(e) => err(e),
    }
}

async fn scenario_copy(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s.app.copy_scenario(&a, id).await {
        Ok(sc) => Redirect::to(&format!("/scenarios/{}", sc.id)).into_response(),
        Err(e) => err(e),
    }
}

/// The scenario's items with selection, decision and reasons, for a board pack.
async fn scenario_csv(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match s.app.get_scenario(&a, id).await {
        Ok(sc) => super::records::csv_response(
            "scenario.csv",
            write_csv(
                &[
                    "key",
                    "title",
                    "kind",
                    "selected",
                    "start_delay_quarters",
                    "value",
                    "cost",
                    "decision",
                    "why_out",
                ],
                item_rows(&sc).into_iter().map(|i| {
                    vec![
                        i.key,
                        i.title,
                        i.kind.to_owned(),
                        if i.selected { "yes" } else { "no" }.to_owned(),
                        i.shift
                            .trim_start_matches('+')
                            .trim_end_matches(" q")
                            .to_owned(),
                        i.value,
                        i.cost.replace(',', ""),
                        i.decision,
                        i.reasons,
                    ]
                }),
            ),
        ),
        Err(e) => err(e),
    }
}

async fn scenario_delete_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match s.app.get_scenario(&a, id).await {
        Ok(sc) => render(&ConfirmPage {
            nav: Nav::new(&a, "/scenarios"),
            title: format!("Delete the scenario {}?", sc.name),
            message: "The scenario and its result are removed. Live data is not affected. This cannot be undone (the audit trail keeps a summary).".into(),
            action: format!("/scenarios/{id}/delete"),
            version: sc.version,
            cancel: format!("/scenarios/{id}"),
            button: "Yes, delete",
        }),
        Err(e) => err(e),
    }
}

async fn scenario_delete(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s.app.delete_scenario(&a, id, version_of(&f)).await {
        Ok(()) => Redirect::to("/scenarios").into_response(),
        Err(e) => err(e),
    }
}

#[derive(Template)]
#[template(path = "commit.html")]
struct CommitPage {
    nav: Nav,
    s: Scenario,
    items: Vec<ItemRow>,
    decisions: Vec<(String, String)>,
    error: String,
}

async fn commit_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match s.app.get_scenario(&a, id).await {
        Ok(sc) => {
            if !can(
                &s,
                &a,
                Action::CommitScenario,
                &at_portfolio(sc.portfolio_id),
            )
            .await
            {
                return err(AppError::Forbidden);
            }
            render(&CommitPage {
                nav: Nav::new(&a, "/scenarios"),
                items: item_rows(&sc),
                decisions: Decision::ALL
                    .iter()
                    .map(|d| (d.as_str().to_owned(), d.label().to_owned()))
                    .collect(),
                s: sc,
                error: String::new(),
            })
        }
        Err(e) => err(e),
    }
}

async fn commit_apply(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let mut decisions = Vec::new();
    for (k, v) in f.0.iter() {
        if let Some(case_id) = k
            .strip_prefix("decision_")
            .and_then(|x| x.parse::<Uuid>().ok())
        {
            let Some(decision) = Decision::parse(v) else {
                return err(AppError::field(
                    "decisions",
                    "decision must be proceed, defer or terminate",
                ));
            };
            decisions.push(DecisionInput {
                case_id,
                decision,
                rationale: Some(f.get(&format!("rationale_{case_id}"))),
            });
        }
    }
    match s
        .app
        .commit_scenario(&a, id, &decisions, version_of(&f))
        .await
    {
        Ok(_) => Redirect::to(&format!("/scenarios/{id}")).into_response(),
        Err(e @ (AppError::Validation(_) | AppError::Stale { .. })) => {
            match s.app.get_scenario(&a, id).await {
                Ok(sc) => {
                    let mut r = render(&CommitPage {
                        nav: Nav::new(&a, "/scenarios"),
                        items: item_rows(&sc),
                        decisions: Decision::ALL
                            .iter()
                            .map(|d| (d.as_str().to_owned(), d.label().to_owned()))
                            .collect(),
                        s: sc,
                        error: match e {
                            AppError::Validation(errs) => errs
                                .iter()
                                .map(|e| e.message.clone())
                                .collect::<Vec<_>>()
                                .join("; "),
                            other => other.to_string(),
                        },
                    });
                    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                    r
                }
                Err(e) => err(e),
            }
        }
        Err(e) => err(e),
    }
}

struct CompareYear {
    year: String,
    a: String,
    b: String,
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    nav: Nav,
    c: Comparison,
    value_a: String,
    value_b: String,
    years: Vec<CompareYear>,
    cap_a: Vec<(String, String)>,
    cap_b: Vec<(String, String)>,
}

fn peaks(sc: &Scenario) -> Vec<(String, String)> {
    sc.result
        .as_ref()
        .map(|r| {
            r.capacity
                .iter()
                .filter(|c| c.used.iter().any(|u| *u > 0.0))
                .map(|c| {
                    (
                        c.role.clone(),
                        format!("{:.1}", c.used.iter().copied().fold(0.0f64, f64::max)),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn compare_page(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let (Some(x), Some(y)) = (
        q.get("a").and_then(|v| v.parse().ok()),
        q.get("b").and_then(|v| v.parse().ok()),
    ) else {
        return err(AppError::field("b", "choose two scenarios to compare"));
    };
    match s.app.compare_scenarios(&a, x, y).await {
        Ok(c) => {
            let n = c.a.budget.len().max(c.b.budget.len());
            let first = c.a.first_year.min(c.b.first_year);
            let last = (c.a.first_year + c.a.budget.len() as i32)
                .max(c.b.first_year + c.b.budget.len() as i32);
            let spend = |sc: &Scenario, year: i32| -> String {
                let i = year - sc.first_year;
                if i < 0 || i as usize >= sc.budget.len() {
                    return "—".into();
                }
                let spent = sc
                    .result
                    .as_ref()
                    .and_then(|r| r.cost_per_year.get(i as usize))
                    .copied()
                    .unwrap_or_default();
                format!("{} of {}", money(spent), money(sc.budget[i as usize]))
            };
            let years = (first..last.max(first + n as i32).min(first + 20))
                .map(|y| CompareYear {
                    year: format!("FY{y}"),
                    a: spend(&c.a, y),
                    b: spend(&c.b, y),
                })
                .collect();
            let value = |sc: &Scenario| {
                sc.result
                    .as_ref()
                    .map_or_else(String::new, |r| format!("{:.1}", r.value))
            };
            render(&ComparePage {
                nav: Nav::new(&a, "/scenarios"),
                value_a: value(&c.a),
                value_b: value(&c.b),
                years,
                cap_a: peaks(&c.a),
                cap_b: peaks(&c.b),
                c,
            })
        }
        Err(e) => err(e),
    }
}
