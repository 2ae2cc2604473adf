//! Risk API: the organization's risk matrix; project, program and portfolio risk registers;
//! the portfolio view, appetite and escalation.

use super::records::{cursor, paging, version};
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth};
use atrium_app::risk::Register;
use atrium_core::risk::{MatrixDraft, Risk, RiskDraft, RiskMatrix};
use atrium_store::risk::RISK_SORTS;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_matrix, put_matrix))
        .routes(routes!(list_risks, create_risk))
        .routes(routes!(list_program_risks, create_program_risk))
        .routes(routes!(list_portfolio_risks, create_portfolio_risk))
        .routes(routes!(export_program_risks))
        .routes(routes!(export_portfolio_risks))
        .routes(routes!(get_risk, update_risk))
        .routes(routes!(overview))
        .routes(routes!(forecast))
        .routes(routes!(export_risks))
        .routes(routes!(get_appetite, put_appetite))
        .routes(routes!(breaches))
        .routes(routes!(escalate))
        .routes(routes!(decide))
        .routes(routes!(escalations))
}

/// Escalate to the register above, with a note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct EscalateIn {
    note: Option<String>,
    version: Option<i64>,
}

#[utoipa::path(post, path = "/risks/{id}/escalate", tag = "risks", request_body = EscalateIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn escalate(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<EscalateIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let r = s
        .app
        .escalate_risk(&a, id, b.note.as_deref().unwrap_or(""), v)
        .await?;
    let m = s.app.risk_matrix(&a).await?;
    Ok(Json(risk_json(&r, &m)))
}

/// Accept or return a pending escalation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DecisionIn {
    /// accept or return.
    decision: String,
    /// Required to return.
    note: Option<String>,
    version: Option<i64>,
}

#[utoipa::path(post, path = "/risks/{id}/escalation", tag = "risks", request_body = DecisionIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<DecisionIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let accept = match b.decision.as_str() {
        "accept" => true,
        "return" => false,
        _ => {
            return Err(atrium_app::AppError::field("decision", "must be accept or return").into());
        }
    };
    let r = s
        .app
        .decide_escalation(&a, id, accept, b.note.as_deref().unwrap_or(""), v)
        .await?;
    let m = s.app.risk_matrix(&a).await?;
    Ok(Json(risk_json(&r, &m)))
}

#[utoipa::path(get, path = "/risks/escalations", tag = "risks", params(ExportParams),
    responses((status = 200, body = Value, description = "`{items}`: escalations waiting for a decision; with `format=csv|xlsx`, every escalated risk as a file"),
              (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn escalations(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<ExportParams>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    match p.format.as_deref() {
        None | Some("json") => {
            let m = s.app.risk_matrix(&a).await?;
            let q = s.app.escalation_queue(&a).await?;
            Ok(Json(json!({"items": q.iter().map(|(r, key)| {
                let mut v = risk_json(r, &m);
                v["project_key"] = json!(key);
                v
            }).collect::<Vec<_>>()}))
            .into_response())
        }
        Some(f) => Ok(crate::pages::plan::export_response(
            s.app.escalations_export(&a, f).await?,
        )),
    }
}

fn appetite_json(a: &atrium_core::risk::RiskAppetite) -> Value {
    json!({
        "rules": a.rules.iter().map(|r| json!({
            "statement": r.statement, "category": r.category, "scope": r.scope.as_str(),
            "max_count": r.max_count.as_ref().map(|(band, n)| json!({"band": band, "count": n})),
            "max_emv": r.max_emv.map(|m| atrium_core::money::Minor(m).plain()),
        })).collect::<Vec<_>>(),
        "escalation": {
            "min_score": a.escalation.min_score,
            "min_emv": a.escalation.min_emv.map(|m| atrium_core::money::Minor(m).plain()),
            "within_days": a.escalation.within_days,
        },
        "version": a.version,
    })
}

#[utoipa::path(get, path = "/risk-appetite", tag = "risks",
    responses((status = 200, body = Value, description = "appetite statements with their limits"), (status = 401, body = Problem)))]
async fn get_appetite(State(s): State<AppState>, Auth(a): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(appetite_json(&s.app.risk_appetite(&a).await?)))
}

/// The appetite as lines of text (as in the settings form).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AppetiteIn {
    /// One rule per line: `statement | category or * | program, portfolio or organization | N band | EMV limit`.
    rules: String,
    /// Escalate a threat on its own from this score up (empty = never).
    escalate_score: Option<String>,
    /// … from this EMV up (decimal money).
    escalate_emv: Option<String>,
    /// … when it may happen within this many days.
    escalate_days: Option<String>,
    version: Option<i64>,
}

#[utoipa::path(put, path = "/risk-appetite", tag = "risks", request_body = AppetiteIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn put_appetite(
    State(s): State<AppState>,
    Auth(a): Auth,
    h: HeaderMap,
    ApiJson(b): ApiJson<AppetiteIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let d = atrium_core::risk::AppetiteDraft {
        rules: b.rules,
        escalate_score: b.escalate_score.unwrap_or_default(),
        escalate_emv: b.escalate_emv.unwrap_or_default(),
        escalate_days: b.escalate_days.unwrap_or_default(),
    };
    Ok(Json(appetite_json(
        &s.app.set_risk_appetite(&a, &d, v).await?,
    )))
}

#[utoipa::path(get, path = "/risks/breaches", tag = "risks",
    responses((status = 200, body = Value, description = "appetite limits the open threats you can see exceed"), (status = 401, body = Problem)))]
async fn breaches(State(s): State<AppState>, Auth(a): Auth) -> Result<Json<Value>, ApiError> {
    let b = s.app.appetite_breaches(&a).await?;
    Ok(Json(json!({"items": b.iter().map(|x| json!({
        "statement": x.statement, "scope": x.scope, "measure": x.measure, "risks": x.risks,
    })).collect::<Vec<_>>()})))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
struct ExportParams {
    /// csv (default) or xlsx.
    format: Option<String>,
}

#[utoipa::path(get, path = "/projects/{id}/risks/export", tag = "risks", params(ExportParams),
    responses((status = 200, description = "the register as CSV or XLSX"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn export_risks(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<ExportParams>,
) -> Result<axum::response::Response, ApiError> {
    export_in(&s, &a, Register::Project(id), &p).await
}

async fn export_in(
    s: &AppState,
    a: &atrium_app::Actor,
    reg: Register,
    p: &ExportParams,
) -> Result<axum::response::Response, ApiError> {
    let e = s
        .app
        .register_export(a, reg, p.format.as_deref().unwrap_or("csv"))
        .await?;
    Ok(crate::pages::plan::export_response(e))
}

#[utoipa::path(get, path = "/programs/{id}/risks/export", tag = "risks", params(ExportParams),
    responses((status = 200, description = "the program's register as CSV or XLSX"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn export_program_risks(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<ExportParams>,
) -> Result<axum::response::Response, ApiError> {
    export_in(&s, &a, Register::Program(id), &p).await
}

#[utoipa::path(get, path = "/portfolios/{id}/risks/export", tag = "risks", params(ExportParams),
    responses((status = 200, description = "the portfolio's register as CSV or XLSX"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn export_portfolio_risks(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<ExportParams>,
) -> Result<axum::response::Response, ApiError> {
    export_in(&s, &a, Register::Portfolio(id), &p).await
}

#[utoipa::path(get, path = "/projects/{id}/risks/forecast", tag = "risks",
    responses((status = 200, body = Value, description = "Monte Carlo (10,000 iterations, seeded) of the plan without and with its open threats: P50/P80 finish and cost"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn forecast(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let f = s.app.risk_forecast(&a, id).await?;
    let q = |x: &atrium_app::risk::Quantiles| {
        json!({"p50_finish": x.p50_finish, "p80_finish": x.p80_finish,
               "p50_cost": atrium_core::money::Minor(x.p50_cost).plain(), "p80_cost": atrium_core::money::Minor(x.p80_cost).plain()})
    };
    Ok(Json(json!({
        "iterations": f.iterations,
        "tasks": f.tasks,
        "risks": f.risks,
        "without_risks": q(&f.without),
        "with_risks": q(&f.with),
    })))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
struct OverviewParams {
    /// Only this portfolio's risks.
    portfolio: Option<Uuid>,
    /// List the threats of one heat-map cell: `probability-impact`, e.g. `4-3`.
    cell: Option<String>,
}

#[utoipa::path(get, path = "/risks", tag = "risks", params(OverviewParams),
    responses((status = 200, body = Value, description = "open risks of every visible project on the one matrix: heat map cells (count, EMV, risk ids; threats and opportunities apart; not assessed counted apart), concentrations by category, department, supplier and strategic driver, top threats, weekly exposure trend (13 weeks) of the portfolios the caller sees whole"),
              (status = 401, body = Problem)))]
async fn overview(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<OverviewParams>,
) -> Result<Json<Value>, ApiError> {
    let cell = match p.cell.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            c.split_once('-')
                .and_then(|(p, i)| Some((p.parse::<u8>().ok()?, i.parse::<u8>().ok()?)))
                .ok_or_else(|| {
                    atrium_app::AppError::field("cell", "write probability-impact, e.g. 4-3")
                })?,
        ),
    };
    let o = s.app.risk_overview(&a, p.portfolio, cell).await?;
    let row = |r: &atrium_store::risk::RiskRow| {
        json!({"id": r.id, "reference": format!("R-{}", r.number), "project_id": r.project_id, "project_key": r.project_key,
               "title": r.title, "category": r.category, "probability": r.probability, "impact": r.impact,
               "emv": atrium_core::money::Minor(r.emv).plain()})
    };
    let grid = |g: &atrium_core::risk_analytics::Grid| {
        json!({
            "cells": g.iter().filter(|(_, _, _, c)| c.count > 0).map(|(p, i, score, c)| json!({
                "probability": p, "impact": i, "score": score, "band": o.matrix.band_name(score),
                "count": c.count, "emv": atrium_core::money::Minor(c.emv).plain(),
            })).collect::<Vec<_>>(),
            "not_assessed": g.not_assessed.len(),
        })
    };
    Ok(Json(json!({
        "matrix": matrix_json(&o.matrix),
        "open_risks": o.open,
        "threat_emv": atrium_core::money::Minor(o.threat_emv).plain(),
        "threats": grid(&o.heat.threats),
        "opportunities": grid(&o.heat.opportunities),
        "concentrations": o.concentrations.iter().map(|(dim, list)| json!({
            "by": dim,
            "groups": list.iter().map(|(label, c)| json!({
                "key": label, "open": c.open, "per_band": c.per_band, "not_assessed": c.not_assessed,
                "emv": atrium_core::money::Minor(c.emv).plain(), "worst_score": c.worst_score,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "top": o.top.iter().map(row).collect::<Vec<_>>(),
        "cell": o.cell.iter().map(row).collect::<Vec<_>>(),
        "trend": o.trend.iter().map(|(day, t)| json!({
            "week_ending": day, "open_risks": t.open,
            "threat_emv": atrium_core::money::Minor(t.emv).plain(), "severe_threats": t.severe,
        })).collect::<Vec<_>>(),
    })))
}

pub(crate) fn matrix_json(m: &RiskMatrix) -> Value {
    json!({
        "probability": m.probability.iter().map(|l| json!({"label": l.label, "meaning": l.meaning, "probability": l.value})).collect::<Vec<_>>(),
        "impact": m.impact.iter().map(|l| json!({"label": l.label, "meaning": l.meaning})).collect::<Vec<_>>(),
        "dimensions": m.dimensions,
        "bands": m.bands.iter().map(|b| json!({"name": b.name, "min_score": b.min_score})).collect::<Vec<_>>(),
        "version": m.version,
    })
}

pub(crate) fn risk_json(r: &Risk, m: &RiskMatrix) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    v["reference"] = json!(r.reference());
    v["score"] = json!(r.score());
    v["band"] = json!(r.score().map(|s| m.band_name(s).to_owned()));
    v["residual_score"] = json!(r.residual.as_ref().map(|x| x.score()));
    v["emv"] = json!(atrium_core::money::Minor(r.emv(m)).plain());
    v
}

#[utoipa::path(get, path = "/risk-matrix", tag = "risks",
    responses((status = 200, body = Value, description = "probability and impact scales, impact dimensions, score bands"), (status = 401, body = Problem)))]
async fn get_matrix(State(s): State<AppState>, Auth(a): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(matrix_json(&s.app.risk_matrix(&a).await?)))
}

/// The matrix as lines of text (as in the settings form).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct MatrixIn {
    /// One level per line, lowest first: `Label | meaning | probability %`.
    probability: String,
    /// One level per line, lowest first: `Label | meaning`.
    impact: String,
    /// Comma-separated impact dimensions.
    dimensions: String,
    /// `low:1, medium:5, high:10, critical:16`.
    bands: String,
    version: Option<i64>,
}

#[utoipa::path(put, path = "/risk-matrix", tag = "risks", request_body = MatrixIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn put_matrix(
    State(s): State<AppState>,
    Auth(a): Auth,
    h: HeaderMap,
    ApiJson(b): ApiJson<MatrixIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let d = MatrixDraft {
        probability: b.probability,
        impact: b.impact,
        dimensions: b.dimensions,
        bands: b.bands,
    };
    Ok(Json(matrix_json(&s.app.set_risk_matrix(&a, &d, v).await?)))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
struct RiskListParams {
    /// `true`: open risks only.
    open: Option<bool>,
    /// number (default), score, emv, review, category; prefix `-` for descending.
    sort: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/projects/{id}/risks", tag = "risks", params(RiskListParams),
    responses((status = 200, body = Value, description = "`{items, next_cursor}`: the project's register, each risk with score, band and EMV"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_risks(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<RiskListParams>,
) -> Result<Json<Value>, ApiError> {
    list_in(&s, &a, Register::Project(id), p).await
}

async fn list_in(
    s: &AppState,
    a: &atrium_app::Actor,
    reg: Register,
    p: RiskListParams,
) -> Result<Json<Value>, ApiError> {
    let lp = super::dto::ListParams {
        limit: p.limit,
        cursor: p.cursor,
        sort: p.sort,
        ..Default::default()
    };
    let (page, sort, desc) = paging(&lp, RISK_SORTS, "number")?;
    let ((items, next), m) = s
        .app
        .register_risks(a, reg, p.open.unwrap_or(false), &sort, desc, page)
        .await?;
    Ok(Json(json!({
        "items": items.iter().map(|r| risk_json(r, &m)).collect::<Vec<_>>(),
        "next_cursor": cursor(next),
    })))
}

/// A risk; ratings are levels of the organization's matrix (1 = lowest).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct RiskIn {
    /// threat (default) or opportunity.
    kind: Option<String>,
    title: Option<String>,
    cause: Option<String>,
    event: Option<String>,
    effect: Option<String>,
    category: Option<String>,
    owner: Option<String>,
    /// Probability level; `null` with no impacts = not assessed.
    probability: Option<u8>,
    /// Impact level per dimension, e.g. `{"cost": 3, "schedule": 4}`.
    impacts: Option<BTreeMap<String, u8>>,
    residual_probability: Option<u8>,
    residual_impacts: Option<BTreeMap<String, u8>>,
    proximity: Option<String>,
    /// avoid, mitigate, transfer, accept (threats); exploit, enhance, share, accept (opportunities).
    strategy: Option<String>,
    trigger: Option<String>,
    /// open or closed.
    status: Option<String>,
    next_review: Option<String>,
    /// Money at stake if it happens (decimal string).
    #[serde(default, deserialize_with = "super::dto::amount")]
    #[schema(value_type = Option<String>)]
    cost_impact: Option<String>,
    department: Option<String>,
    supplier: Option<String>,
    /// One action per line: `title | owner | due date | status`.
    actions: Option<String>,
    /// Plan task ids it would delay: `"3, 7"`.
    delay_tasks: Option<String>,
    /// Working days, optimistic / most likely / pessimistic: `"2/5/10"`.
    delay_days: Option<String>,
    version: Option<i64>,
}

fn levels(m: Option<BTreeMap<String, u8>>) -> Option<BTreeMap<String, String>> {
    m.map(|m| m.into_iter().map(|(k, v)| (k, v.to_string())).collect())
}

fn draft(b: RiskIn, base: RiskDraft) -> RiskDraft {
    RiskDraft {
        kind: b.kind.unwrap_or(base.kind),
        title: b.title.unwrap_or(base.title),
        cause: b.cause.unwrap_or(base.cause),
        event: b.event.unwrap_or(base.event),
        effect: b.effect.unwrap_or(base.effect),
        category: b.category.unwrap_or(base.category),
        owner: b.owner.unwrap_or(base.owner),
        probability: b
            .probability
            .map(|p| p.to_string())
            .unwrap_or(base.probability),
        impacts: levels(b.impacts).unwrap_or(base.impacts),
        residual_probability: b
            .residual_probability
            .map(|p| p.to_string())
            .unwrap_or(base.residual_probability),
        residual_impacts: levels(b.residual_impacts).unwrap_or(base.residual_impacts),
        proximity: b.proximity.unwrap_or(base.proximity),
        strategy: b.strategy.unwrap_or(base.strategy),
        trigger: b.trigger.unwrap_or(base.trigger),
        status: b.status.unwrap_or(base.status),
        next_review: b.next_review.unwrap_or(base.next_review),
        cost_impact: b.cost_impact.unwrap_or(base.cost_impact),
        department: b.department.unwrap_or(base.department),
        supplier: b.supplier.unwrap_or(base.supplier),
        actions: b.actions.unwrap_or(base.actions),
        delay_tasks: b.delay_tasks.unwrap_or(base.delay_tasks),
        delay_days: b.delay_days.unwrap_or(base.delay_days),
    }
}

#[utoipa::path(post, path = "/projects/{id}/risks", tag = "risks", request_body = RiskIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_risk(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RiskIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    create_in(&s, &a, Register::Project(id), b).await
}

async fn create_in(
    s: &AppState,
    a: &atrium_app::Actor,
    reg: Register,
    b: RiskIn,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let r = s
        .app
        .create_risk_in(a, reg, &draft(b, RiskDraft::default()))
        .await?;
    let m = s.app.risk_matrix(a).await?;
    Ok((StatusCode::CREATED, Json(risk_json(&r, &m))))
}

#[utoipa::path(get, path = "/programs/{id}/risks", tag = "risks", params(RiskListParams),
    responses((status = 200, body = Value, description = "`{items, next_cursor}`: the program's register — risks raised in it and risks escalated into it"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_program_risks(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<RiskListParams>,
) -> Result<Json<Value>, ApiError> {
    list_in(&s, &a, Register::Program(id), p).await
}

#[utoipa::path(post, path = "/programs/{id}/risks", tag = "risks", request_body = RiskIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_program_risk(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RiskIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    create_in(&s, &a, Register::Program(id), b).await
}

#[utoipa::path(get, path = "/portfolios/{id}/risks", tag = "risks", params(RiskListParams),
    responses((status = 200, body = Value, description = "`{items, next_cursor}`: the portfolio's register — risks raised in it and risks escalated into it"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_portfolio_risks(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<RiskListParams>,
) -> Result<Json<Value>, ApiError> {
    list_in(&s, &a, Register::Portfolio(id), p).await
}

#[utoipa::path(post, path = "/portfolios/{id}/risks", tag = "risks", request_body = RiskIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_portfolio_risk(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RiskIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    create_in(&s, &a, Register::Portfolio(id), b).await
}

#[utoipa::path(get, path = "/risks/{id}", tag = "risks",
    responses((status = 200, body = Value), (status = 404, body = Problem)))]
async fn get_risk(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let d = s.app.get_risk(&a, id).await?;
    Ok(Json(risk_json(&d.risk, &d.matrix)))
}

#[utoipa::path(patch, path = "/risks/{id}", tag = "risks", request_body = RiskIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_risk(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<RiskIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let cur = s.app.get_risk(&a, id).await?;
    let r = s
        .app
        .update_risk(&a, id, &draft(b, RiskDraft::of(&cur.risk)), v)
        .await?;
    Ok(Json(risk_json(&r, &cur.matrix)))
}
