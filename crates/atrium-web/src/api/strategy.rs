//! Portfolio management API: strategy (drivers, weights, AHP, scoring settings), proposals
//! and their workflow, ranking and portfolio analysis, scenarios (optimize, copy, compare,
//! commit).

use super::records::{cursor, paging};
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth};
use atrium_app::AppError;
use atrium_app::scenario::DecisionInput;
use atrium_app::strategy::{ApproveOptions, JudgementInput};
use atrium_core::strategy::{
    Decision, DriverDraft, ForceMode, ProposalDraft, ScenarioDraft, Transition,
};
use atrium_store::strategy::{PROPOSAL_SORTS, ProposalFilter};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_strategy))
        .routes(routes!(update_scoring))
        .routes(routes!(pairwise))
        .routes(routes!(create_driver))
        .routes(routes!(update_driver))
        .routes(routes!(archive_driver))
        .routes(routes!(list_proposals, create_proposal))
        .routes(routes!(get_proposal, update_proposal))
        .routes(routes!(transition_proposal))
        .routes(routes!(ranking))
        .routes(routes!(analysis))
        .routes(routes!(list_scenarios, create_scenario))
        .routes(routes!(compare_scenarios))
        .routes(routes!(get_scenario, update_scenario, delete_scenario))
        .routes(routes!(copy_scenario))
        .routes(routes!(commit_scenario))
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::from(AppError::Internal(Box::new(e))))
}

fn version(body: Option<i64>, headers: &HeaderMap) -> Result<i64, ApiError> {
    body.or_else(|| {
        headers
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.trim()
                    .trim_start_matches("W/")
                    .trim_matches('"')
                    .parse()
                    .ok()
            })
    })
    .ok_or_else(|| {
        AppError::field(
            "version",
            "is required: send the version you read (body `version` or If-Match)",
        )
        .into()
    })
}

/// A number or a decimal string.
fn num_or_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    super::dto::amount(d)
}

// ---------- strategy ----------

#[utoipa::path(get, path = "/strategy", tag = "portfolio",
    responses((status = 200, body = Value, description = "Drivers (with weight and share of the total) and scoring settings"),
              (status = 401, body = Problem)))]
async fn get_strategy(State(s): State<AppState>, Auth(a): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(to_value(&s.app.strategy(&a).await?)?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoringIn {
    /// Percent per year, 0–100.
    #[serde(default, deserialize_with = "num_or_str")]
    pub discount_rate_pct: Option<String>,
    /// 0–1: how strongly risk lowers the score.
    #[serde(default, deserialize_with = "num_or_str")]
    pub risk_factor: Option<String>,
    /// 0–1: the lowest multiplier risk may apply.
    #[serde(default, deserialize_with = "num_or_str")]
    pub risk_floor: Option<String>,
    pub version: Option<i64>,
}

#[utoipa::path(put, path = "/strategy/scoring", tag = "portfolio", request_body = ScoringIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_scoring(
    State(s): State<AppState>,
    Auth(a): Auth,
    h: HeaderMap,
    ApiJson(b): ApiJson<ScoringIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let cur = s.app.strategy(&a).await?.config;
    let c = s
        .app
        .update_scoring(
            &a,
            &b.discount_rate_pct
                .unwrap_or(cur.discount_rate_pct.to_string()),
            &b.risk_factor.unwrap_or(cur.risk_factor.to_string()),
            &b.risk_floor.unwrap_or(cur.risk_floor.to_string()),
            v,
        )
        .await?;
    Ok(Json(to_value(&c)?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgementIn {
    pub a: Uuid,
    pub b: Uuid,
    /// Saaty scale: how many times `a` matters more than `b`: 1–9 or "1/2"–"1/9".
    #[serde(deserialize_with = "num_or_str")]
    pub value: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairwiseIn {
    /// Judgements for pairs of active drivers; missing pairs count as equal (1).
    pub judgements: Vec<JudgementIn>,
}

#[utoipa::path(post, path = "/strategy/pairwise", tag = "portfolio", request_body = PairwiseIn,
    responses((status = 200, body = Value, description = "New weights and the consistency ratio"),
              (status = 403, body = Problem),
              (status = 422, body = Problem, description = "Invalid judgements, or consistency ratio above 0.1 (the conflicting pairs are named)")))]
async fn pairwise(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<PairwiseIn>,
) -> Result<Json<Value>, ApiError> {
    if b.judgements.len() > 200 {
        return Err(AppError::field("judgements", "at most 200 judgements").into());
    }
    let j: Vec<JudgementInput> = b
        .judgements
        .into_iter()
        .map(|j| JudgementInput {
            a: j.a,
            b: j.b,
            value: j.value.unwrap_or_default(),
        })
        .collect();
    Ok(Json(to_value(&s.app.apply_pairwise(&a, &j).await?)?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DriverIn {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "num_or_str")]
    pub weight: Option<String>,
    pub version: Option<i64>,
}

#[utoipa::path(post, path = "/drivers", tag = "portfolio", request_body = DriverIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_driver(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<DriverIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let d = DriverDraft {
        name: b.name.unwrap_or_default(),
        description: b.description,
        weight: b.weight.unwrap_or_default(),
    };
    Ok((
        StatusCode::CREATED,
        Json(to_value(&s.app.create_driver(&a, &d).await?)?),
    ))
}

#[utoipa::path(patch, path = "/drivers/{id}", tag = "portfolio", request_body = DriverIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn update_driver(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<DriverIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let cur = s
        .app
        .strategy(&a)
        .await?
        .drivers
        .into_iter()
        .find(|d| d.driver.id == id)
        .ok_or(AppError::NotFound("driver"))?
        .driver;
    let d = DriverDraft {
        name: b.name.unwrap_or(cur.name),
        description: b.description.or(cur.description),
        weight: b.weight.unwrap_or(cur.weight.to_string()),
    };
    Ok(Json(to_value(&s.app.update_driver(&a, id, &d, v).await?)?))
}

#[utoipa::path(post, path = "/drivers/{id}/archive", tag = "portfolio", request_body = super::dto::VersionIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn archive_driver(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<super::dto::VersionIn>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(to_value(
        &s.app.archive_driver(&a, id, b.version).await?,
    )?))
}

// ---------- proposals ----------

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ProposalParams {
    /// 1–500, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// key, title, state, updated (prefix `-` for descending).
    pub sort: Option<String>,
    /// Text search on key and title.
    pub q: Option<String>,
    pub portfolio_id: Option<Uuid>,
    /// draft, submitted, screened, scored, approved, deferred, rejected.
    pub state: Option<String>,
}

#[utoipa::path(get, path = "/proposals", tag = "portfolio", params(ProposalParams),
    responses((status = 200, body = Value, description = "`{items, next_cursor}`"), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn list_proposals(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<ProposalParams>,
) -> Result<Json<Value>, ApiError> {
    let lp = super::dto::ListParams {
        limit: p.limit,
        cursor: p.cursor.clone(),
        sort: p.sort.clone(),
        ..Default::default()
    };
    let (page, sort, desc) = paging(&lp, PROPOSAL_SORTS, "key")?;
    if let Some(st) = p.state.as_deref()
        && atrium_core::strategy::ProposalState::parse(st).is_none()
    {
        return Err(AppError::field(
            "state",
            "must be one of draft, submitted, screened, scored, approved, deferred, rejected",
        )
        .into());
    }
    let f = ProposalFilter {
        text: p.q,
        portfolio_id: p.portfolio_id,
        state: p.state,
    };
    let (items, next) = s.app.list_proposals(&a, &f, &sort, desc, page).await?;
    Ok(Json(
        json!({ "items": to_value(&items)?, "next_cursor": cursor(next) }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostIn {
    pub year: i32,
    #[serde(default, deserialize_with = "num_or_str")]
    pub capex: Option<String>,
    #[serde(default, deserialize_with = "num_or_str")]
    pub opex: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BenefitIn {
    pub year: i32,
    #[serde(deserialize_with = "num_or_str")]
    pub amount: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedIn {
    /// Job role or skill.
    pub role: String,
    /// 1 = the first quarter of the project.
    pub quarter: u32,
    pub fte: f64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIn {
    /// requires | excludes
    pub kind: String,
    /// Key of a proposal or project.
    pub target: String,
}

/// Create: `key`, `title`, `portfolio_id`, `start` required. Update: any subset plus `version`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ProposalIn {
    pub key: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub portfolio_id: Option<Uuid>,
    pub sponsor_id: Option<Uuid>,
    pub mandatory: Option<bool>,
    /// Planned start, YYYY-MM-DD.
    pub start: Option<String>,
    /// Quarters the optimizer may delay the start (0–8).
    pub max_shift: Option<u32>,
    /// Impact rating 0–5 per driver id.
    pub ratings: Option<BTreeMap<Uuid, u8>>,
    /// Risk rating 0–5.
    pub risk: Option<u8>,
    pub costs: Option<Vec<CostIn>>,
    pub benefits: Option<Vec<BenefitIn>>,
    pub capacity: Option<Vec<NeedIn>>,
    pub links: Option<Vec<LinkIn>>,
    pub version: Option<i64>,
}

fn proposal_draft(b: ProposalIn, base: ProposalDraft) -> ProposalDraft {
    let join = |v: Vec<String>| v.join("\n");
    ProposalDraft {
        key: b.key.unwrap_or(base.key),
        title: b.title.unwrap_or(base.title),
        description: b.description.or(base.description),
        portfolio_id: b.portfolio_id.or(base.portfolio_id),
        sponsor_id: b.sponsor_id.or(base.sponsor_id),
        mandatory: b.mandatory.unwrap_or(base.mandatory),
        start: b.start.unwrap_or(base.start),
        max_shift: b.max_shift.map_or(base.max_shift, |m| m.to_string()),
        ratings: b.ratings.map_or(base.ratings, |r| {
            r.into_iter().map(|(k, v)| (k, v.to_string())).collect()
        }),
        risk: b.risk.map_or(base.risk, |r| r.to_string()),
        costs: b.costs.map_or(base.costs, |c| {
            join(
                c.into_iter()
                    .map(|c| {
                        format!(
                            "{}, {}, {}",
                            c.year,
                            c.capex.unwrap_or_else(|| "0".into()),
                            c.opex.unwrap_or_else(|| "0".into())
                        )
                    })
                    .collect(),
            )
        }),
        benefits: b.benefits.map_or(base.benefits, |c| {
            join(
                c.into_iter()
                    .map(|b| format!("{}, {}", b.year, b.amount.unwrap_or_default()))
                    .collect(),
            )
        }),
        capacity: b.capacity.map_or(base.capacity, |c| {
            join(
                c.into_iter()
                    .map(|n| {
                        format!(
                            "{}, {}, {}",
                            n.role.replace([',', ';', '\t', '\n'], " "),
                            n.quarter,
                            n.fte
                        )
                    })
                    .collect(),
            )
        }),
        links: b.links.map_or(base.links, |l| {
            join(
                l.into_iter()
                    .map(|l| {
                        format!(
                            "{} {}",
                            l.kind.replace(char::is_whitespace, ""),
                            l.target.replace(char::is_whitespace, "")
                        )
                    })
                    .collect(),
            )
        }),
    }
}

/// The draft a stored proposal corresponds to (the base a PATCH changes).
pub fn draft_of(p: &atrium_core::strategy::Proposal) -> ProposalDraft {
    use atrium_core::strategy as s;
    ProposalDraft {
        key: p.key.clone(),
        title: p.title.clone(),
        description: p.description.clone(),
        portfolio_id: Some(p.portfolio_id),
        sponsor_id: p.sponsor_id,
        mandatory: p.mandatory,
        start: p.start.to_string(),
        max_shift: p.max_shift.to_string(),
        ratings: p.ratings.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        risk: p.risk.to_string(),
        costs: s::costs_text(&p.costs),
        benefits: s::benefits_text(&p.benefits),
        capacity: s::capacity_text(&p.capacity),
        links: s::links_text(&p.links),
    }
}

#[utoipa::path(post, path = "/proposals", tag = "portfolio", request_body = ProposalIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_proposal(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<ProposalIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let d = proposal_draft(b, ProposalDraft::default());
    let p = s.app.create_proposal(&a, &d).await?;
    Ok((StatusCode::CREATED, Json(to_value(&p)?)))
}

#[utoipa::path(get, path = "/proposals/{id}", tag = "portfolio",
    responses((status = 200, body = Value, description = "The proposal with its score, finance (NPV, IRR, payback) and the workflow steps open to the caller"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_proposal(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(to_value(&s.app.get_proposal(&a, id).await?)?))
}

#[utoipa::path(patch, path = "/proposals/{id}", tag = "portfolio", request_body = ProposalIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_proposal(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<ProposalIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let cur = s.app.get_proposal(&a, id).await?.proposal;
    let d = proposal_draft(b, draft_of(&cur));
    Ok(Json(to_value(
        &s.app.update_proposal(&a, id, &d, v).await?,
    )?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// submit, screen, score, approve, defer, reject, reopen.
    pub transition: String,
    /// Required to defer or reject.
    pub rationale: Option<String>,
    /// Approve: key of the new project (default derived from the proposal key).
    pub project_key: Option<String>,
    /// Approve: the project manager to assign.
    pub manager_id: Option<Uuid>,
    pub version: Option<i64>,
}

#[utoipa::path(post, path = "/proposals/{id}/transition", tag = "portfolio", request_body = TransitionIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn transition_proposal(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<TransitionIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let t = Transition::parse(b.transition.trim()).ok_or_else(|| {
        AppError::field(
            "transition",
            "must be one of submit, screen, score, approve, defer, reject, reopen",
        )
    })?;
    let opts = ApproveOptions {
        project_key: b.project_key,
        manager_id: b.manager_id,
    };
    let p = s
        .app
        .transition_proposal(&a, id, t, b.rationale.as_deref(), &opts, v)
        .await?;
    Ok(Json(to_value(&p)?))
}

// ---------- ranking and analysis ----------

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct RankingParams {
    /// json (default), csv or xlsx.
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/portfolios/{id}/ranking", tag = "portfolio", params(RankingParams),
    responses((status = 200, body = Value, description = "Ranked proposals and live projects with scores and explanations (or CSV / XLSX with `format`)"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn ranking(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<RankingParams>,
) -> Result<Response, ApiError> {
    let items = s.app.ranking(&a, id).await?;
    match p.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(json!({ "items": to_value(&items)? })).into_response()),
        "csv" => Ok(crate::pages::portfolio::ranking_csv(&items)),
        "xlsx" => crate::pages::portfolio::ranking_xlsx(&items),
        _ => Err(AppError::field("format", "must be json, csv or xlsx").into()),
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AnalysisParams {
    /// First fiscal year shown (default: the current one).
    pub first_year: Option<i32>,
}

#[utoipa::path(get, path = "/portfolios/{id}/analysis", tag = "portfolio", params(AnalysisParams),
    responses((status = 200, body = Value, description = "Ranking, capacity against demand by role and quarter, health roll-up, roadmap"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn analysis(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<AnalysisParams>,
) -> Result<Json<Value>, ApiError> {
    if let Some(y) = p.first_year
        && !(1900..=2200).contains(&y)
    {
        return Err(AppError::field("first_year", "must be between 1900 and 2200").into());
    }
    Ok(Json(to_value(
        &s.app.portfolio_analysis(&a, id, p.first_year).await?,
    )?))
}

// ---------- scenarios ----------

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ScenarioParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    pub portfolio_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/scenarios", tag = "portfolio", params(ScenarioParams),
    responses((status = 200, body = Value, description = "`{items, next_cursor}`, newest first"), (status = 403, body = Problem)))]
async fn list_scenarios(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<ScenarioParams>,
) -> Result<Json<Value>, ApiError> {
    let lp = super::dto::ListParams {
        limit: p.limit,
        cursor: p.cursor.clone(),
        ..Default::default()
    };
    let (page, _, _) = paging(&lp, &[("created", "created_at")], "created")?;
    let (items, next) = s.app.list_scenarios(&a, p.portfolio_id, page).await?;
    Ok(Json(
        json!({ "items": to_value(&items)?, "next_cursor": cursor(next) }),
    ))
}

/// Create: `name`, `portfolio_id`, `first_year`, `budget` required. Update: any subset plus
/// `version` (the portfolio cannot change).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ScenarioIn {
    pub name: Option<String>,
    pub portfolio_id: Option<Uuid>,
    /// First fiscal year of the horizon.
    pub first_year: Option<i32>,
    /// Horizon in fiscal years (1–10, default 5).
    pub years: Option<u32>,
    /// Budget cap per fiscal year (decimal strings or numbers); the last repeats.
    pub budget: Option<Vec<Value>>,
    pub notes: Option<String>,
    /// Force per business-case id: in, out or free.
    pub forced: Option<BTreeMap<Uuid, String>>,
    pub version: Option<i64>,
}

fn budget_text(v: &[Value]) -> String {
    v.iter()
        .map(|x| match x {
            Value::String(s) => s.replace(';', " "),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn forced(m: BTreeMap<Uuid, String>) -> Result<BTreeMap<Uuid, ForceMode>, ApiError> {
    m.into_iter()
        .map(|(k, v)| {
            ForceMode::parse(v.trim())
                .map(|f| (k, f))
                .ok_or_else(|| AppError::field("forced", "values must be in, out or free").into())
        })
        .collect()
}

#[utoipa::path(post, path = "/scenarios", tag = "portfolio", request_body = ScenarioIn,
    responses((status = 201, body = Value, description = "The scenario with its optimized selection, exclusion reasons, capacity use and efficient frontier"),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_scenario(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<ScenarioIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let d = ScenarioDraft {
        name: b.name.unwrap_or_default(),
        portfolio_id: b.portfolio_id,
        first_year: b.first_year.map(|y| y.to_string()).unwrap_or_default(),
        budget: b.budget.as_deref().map(budget_text).unwrap_or_default(),
        years: b.years.map(|y| y.to_string()).unwrap_or_default(),
        notes: b.notes,
    };
    let mut sc = s.app.create_scenario(&a, &d).await?;
    if let Some(f) = b.forced {
        let f = forced(f)?;
        sc = s
            .app
            .update_scenario(&a, sc.id, &draft_of_scenario(&sc), Some(f), sc.version)
            .await?;
    }
    Ok((StatusCode::CREATED, Json(to_value(&sc)?)))
}

pub fn draft_of_scenario(s: &atrium_core::strategy::Scenario) -> ScenarioDraft {
    ScenarioDraft {
        name: s.name.clone(),
        portfolio_id: Some(s.portfolio_id),
        first_year: s.first_year.to_string(),
        budget: atrium_core::strategy::budget_text(&s.budget),
        years: s.budget.len().to_string(),
        notes: s.notes.clone(),
    }
}

#[utoipa::path(get, path = "/scenarios/{id}", tag = "portfolio",
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_scenario(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(to_value(&s.app.get_scenario(&a, id).await?)?))
}

#[utoipa::path(patch, path = "/scenarios/{id}", tag = "portfolio", request_body = ScenarioIn,
    responses((status = 200, body = Value, description = "Re-optimized"), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_scenario(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<ScenarioIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let cur = s.app.get_scenario(&a, id).await?;
    let base = draft_of_scenario(&cur);
    let d = ScenarioDraft {
        name: b.name.unwrap_or(base.name),
        portfolio_id: base.portfolio_id,
        first_year: b.first_year.map_or(base.first_year, |y| y.to_string()),
        budget: b.budget.as_deref().map_or(base.budget, budget_text),
        years: b.years.map_or(base.years, |y| y.to_string()),
        notes: b.notes.or(base.notes),
    };
    let f = b.forced.map(forced).transpose()?;
    Ok(Json(to_value(
        &s.app.update_scenario(&a, id, &d, f, v).await?,
    )?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// The version read (or send If-Match).
    pub version: Option<i64>,
}

#[utoipa::path(delete, path = "/scenarios/{id}", tag = "portfolio", params(DeleteParams),
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn delete_scenario(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    Query(p): Query<DeleteParams>,
) -> Result<StatusCode, ApiError> {
    let v = version(p.version, &h)?;
    s.app.delete_scenario(&a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/scenarios/{id}/copy", tag = "portfolio",
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn copy_scenario(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(to_value(&s.app.copy_scenario(&a, id).await?)?),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    pub case_id: Uuid,
    /// proceed, defer or terminate.
    pub decision: String,
    pub rationale: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitIn {
    /// Decisions that differ from the suggested ones (items not listed take the suggestion).
    #[serde(default)]
    pub decisions: Vec<DecisionIn>,
    pub version: Option<i64>,
}

#[utoipa::path(post, path = "/scenarios/{id}/commit", tag = "portfolio", request_body = CommitIn,
    responses((status = 200, body = Value, description = "The committed scenario; every decision was applied and audited"),
              (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn commit_scenario(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<CommitIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let decisions = b
        .decisions
        .into_iter()
        .map(|d| {
            Ok(DecisionInput {
                case_id: d.case_id,
                decision: Decision::parse(d.decision.trim()).ok_or_else(|| {
                    AppError::field("decisions", "decision must be proceed, defer or terminate")
                })?,
                rationale: d.rationale,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(to_value(
        &s.app.commit_scenario(&a, id, &decisions, v).await?,
    )?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    pub a: Uuid,
    pub b: Uuid,
}

#[utoipa::path(get, path = "/scenarios/compare", tag = "portfolio", params(CompareParams),
    responses((status = 200, body = Value, description = "Both scenarios and the keys selected only in a, only in b, and in both"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn compare_scenarios(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<CompareParams>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(to_value(
        &s.app.compare_scenarios(&a, p.a, p.b).await?,
    )?))
}
