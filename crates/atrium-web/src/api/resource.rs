//! Resource management API: capacity against demand (heat-map data and exports), drill-down,
//! conflicts with suggestions, utilization, skill gaps, what-if, resource requests and their
//! workflow, allocations and absences.

use super::records::{cursor, version};
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth};
use atrium_app::AppError;
use atrium_app::capacity::{
    CapacityQuery, CapacityView, Conflict, Grouping, Source, Suggestion, UtilizationQuery,
    UtilizationView,
};
use atrium_app::resource::{RequestDetail, RequestStep};
use atrium_core::capacity::Bucket;
use atrium_core::resource::{
    Absence, AbsenceDraft, Allocation, RequestDraft, RequestState, ResourceRequest,
};
use atrium_store::Page;
use atrium_store::resource::{REQUEST_SORTS, RequestFilter};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(capacity))
        .routes(routes!(capacity_export))
        .routes(routes!(drill))
        .routes(routes!(conflicts))
        .routes(routes!(utilization))
        .routes(routes!(skill_gaps))
        .routes(routes!(what_if))
        .routes(routes!(list_requests))
        .routes(routes!(create_request))
        .routes(routes!(get_request))
        .routes(routes!(request_candidates))
        .routes(routes!(step_request))
        .routes(routes!(list_allocations))
        .routes(routes!(update_allocation))
        .routes(routes!(list_absences, add_absence))
        .routes(routes!(delete_absence))
}

// ---------- shared parameter parsing (the pages use it too) ----------

/// A date parameter; `default` when absent.
pub(crate) fn date_param(field: &str, raw: Option<&str>, default: Date) -> Result<Date, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| AppError::field(field, "must be a date like 2027-03-31")),
    }
}

pub(crate) fn bucket_param(raw: Option<&str>, default: Bucket) -> Result<Bucket, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => Bucket::parse(s)
            .ok_or_else(|| AppError::field("bucket", "must be day, week, month or quarter")),
    }
}

pub(crate) fn grouping_param(raw: Option<&str>) -> Result<Grouping, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Grouping::Person),
        Some(s) => Grouping::parse(s)
            .ok_or_else(|| AppError::field("group", "must be person, role, skill or department")),
    }
}

pub(crate) fn count_param(
    field: &str,
    raw: Option<u32>,
    default: u32,
    max: u32,
) -> Result<u32, AppError> {
    match raw {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(AppError::field(
            field,
            format!("must be between 1 and {max}"),
        )),
    }
}

/// What a heat map shows (query string of the API and of the page).
#[derive(Deserialize, IntoParams, Default, Clone)]
#[into_params(parameter_in = Query)]
pub struct CapacityParams {
    /// person (default), role, skill or department.
    pub group: Option<String>,
    /// day, week (default), month or quarter.
    pub bucket: Option<String>,
    /// First day (default: today); snapped to the bucket's start.
    pub from: Option<String>,
    /// Number of buckets (default 12; at most 400 days, 260 weeks, 60 months, 20 quarters).
    pub count: Option<u32>,
    /// Only this department's people.
    pub department: Option<String>,
    /// `worst` = most over-allocated rows first (default: by name).
    pub order: Option<String>,
    /// Rows per page, 1–500 (default 50).
    pub limit: Option<usize>,
    /// First row (default 0).
    pub offset: Option<usize>,
    /// csv or xlsx (exports).
    pub format: Option<String>,
}

impl CapacityParams {
    pub(crate) fn query(&self, today: Date) -> Result<CapacityQuery, AppError> {
        let bucket = bucket_param(self.bucket.as_deref(), Bucket::Week)?;
        let limit = self.limit.unwrap_or(50);
        if !(1..=500).contains(&limit) {
            return Err(AppError::field("limit", "must be between 1 and 500"));
        }
        Ok(CapacityQuery {
            grouping: grouping_param(self.group.as_deref())?,
            bucket,
            from: date_param("from", self.from.as_deref(), today)?,
            count: count_param("count", self.count, 12, bucket.max_count())?,
            department: self
                .department
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            worst_first: self.order.as_deref() == Some("worst"),
            limit,
            offset: self.offset.unwrap_or(0),
        })
    }
}

fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

fn columns_json(cols: &[(Date, Date, String)]) -> Value {
    json!(
        cols.iter()
            .map(|(s, e, l)| json!({"start": s, "finish": e, "label": l}))
            .collect::<Vec<_>>()
    )
}

pub(crate) fn capacity_json(v: &CapacityView) -> Value {
    json!({
        "columns": columns_json(&v.columns),
        "total_rows": v.total_rows,
        "over_cells": v.over_cells,
        "people": v.people,
        "rows": v.rows.iter().map(|r| json!({
            "key": r.key,
            "label": r.label,
            "person_id": r.person_id,
            "over_buckets": r.over,
            "cells": r.cells.iter().map(|c| json!({
                "capacity_hours": hours(c.capacity),
                "non_project_hours": hours(c.non_project),
                "demand_hours": hours(c.demand),
                "over": c.demand > c.capacity,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn source_json(s: &Source) -> Value {
    match s {
        Source::Plan {
            task_uid,
            total_float,
        } => json!({"kind": "plan", "task_uid": task_uid, "total_float_minutes": total_float}),
        Source::Allocation { request_id } => {
            json!({"kind": "allocation", "request_id": request_id})
        }
    }
}

fn cause_json(c: &atrium_app::capacity::Cause) -> Value {
    json!({
        "project_id": c.project_id,
        "project_key": c.project_key,
        "project_name": c.project_name,
        "source": source_json(&c.source),
        "task_name": c.task_name,
        "hours": hours(c.minutes),
    })
}

pub(crate) fn suggestion_text(s: &Suggestion) -> String {
    match s {
        Suggestion::Reassign {
            name,
            free_minutes,
            project_key,
            task_name,
            ..
        } => {
            let work = match task_name {
                Some(t) => format!("task “{t}” of {project_key}"),
                None => format!("the {project_key} allocation"),
            };
            format!(
                "Give {work} to {name}, who has {} h free in this period",
                hours(*free_minutes)
            )
        }
        Suggestion::Shift {
            task_name,
            working_days,
            new_start,
            ..
        } => format!(
            "Move “{task_name}” {working_days} working day{} later (start {new_start}), within its float: the project finish does not move",
            if *working_days == 1 { "" } else { "s" }
        ),
    }
}

fn conflict_json(c: &Conflict) -> Value {
    json!({
        "person_id": c.person_id,
        "person_name": c.person_name,
        "department": c.department,
        "start": c.start,
        "finish": c.finish,
        "excess_hours": hours(c.excess_minutes),
        "causes": c.causes.iter().map(cause_json).collect::<Vec<_>>(),
        "suggestions": c.suggestions.iter().map(|s| {
            let mut v = match s {
                Suggestion::Reassign { person_id, name, free_minutes, project_id, .. } => json!({
                    "kind": "reassign", "person_id": person_id, "name": name,
                    "free_hours": hours(*free_minutes), "project_id": project_id}),
                Suggestion::Shift { project_id, task_uid, task_name, working_days, new_start } => json!({
                    "kind": "shift", "project_id": project_id, "task_uid": task_uid, "task_name": task_name,
                    "working_days": working_days, "new_start": new_start}),
            };
            v["text"] = json!(suggestion_text(s));
            v
        }).collect::<Vec<_>>(),
    })
}

fn utilization_json(v: &UtilizationView) -> Value {
    json!({
        "columns": columns_json(&v.columns),
        "total_rows": v.total_rows,
        "rows": v.rows.iter().map(|r| json!({
            "key": r.key, "label": r.label, "person_id": r.person_id,
            "cells": r.cells.iter().map(|c| json!({
                "contracted_hours": hours(c.gross),
                "non_project_hours": hours(c.non_project),
                "planned_hours": hours(c.planned),
                "actual_hours": hours(c.actual),
                "planned_percent": c.planned_pct().map(|p| (p * 10.0).round() / 10.0),
                "actual_percent": c.actual_pct().map(|p| (p * 10.0).round() / 10.0),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn export(e: atrium_app::plan_files::Export) -> axum::response::Response {
    crate::pages::plan::export_response(e)
}

// ---------- capacity ----------

#[utoipa::path(get, path = "/resources/capacity", tag = "resources", params(CapacityParams),
    responses((status = 200, body = Value, description = "`{columns, rows[{key, label, person_id, over_buckets, cells[{capacity_hours, non_project_hours, demand_hours, over}]}], total_rows, over_cells, people}`"),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn capacity(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<CapacityParams>,
) -> Result<Json<Value>, ApiError> {
    let q = p.query(s.app.today())?;
    Ok(Json(capacity_json(&s.app.capacity(&a, &q).await?)))
}

#[utoipa::path(get, path = "/resources/capacity/export", tag = "resources", params(CapacityParams),
    responses((status = 200, description = "CSV or XLSX: one line per row and bucket"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn capacity_export(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<CapacityParams>,
) -> Result<axum::response::Response, ApiError> {
    let q = p.query(s.app.today())?;
    let f = p.format.as_deref().unwrap_or("csv");
    Ok(export(s.app.capacity_export(&a, &q, f).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DrillParams {
    person: Uuid,
    from: Option<String>,
    to: Option<String>,
}

#[utoipa::path(get, path = "/resources/drill", tag = "resources", params(DrillParams),
    responses((status = 200, body = Value, description = "`{person_id, start, finish, capacity_hours, demand_hours, causes[]}`: the projects and tasks behind a person's load"),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn drill(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<DrillParams>,
) -> Result<Json<Value>, ApiError> {
    let today = s.app.today();
    let from = date_param("from", p.from.as_deref(), today)?;
    let to = date_param("to", p.to.as_deref(), from)?;
    let d = s.app.capacity_drill(&a, p.person, from, to).await?;
    Ok(Json(json!({
        "person_id": d.person.id,
        "person_name": d.person.name,
        "start": d.start,
        "finish": d.finish,
        "capacity_hours": hours(d.figures.capacity),
        "non_project_hours": hours(d.figures.non_project),
        "demand_hours": hours(d.figures.demand),
        "causes": d.causes.iter().map(cause_json).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ConflictParams {
    pub department: Option<String>,
    pub from: Option<String>,
    /// Weeks to look ahead, 1–52 (default 12).
    pub weeks: Option<u32>,
    /// At most this many conflicts, 1–500 (default 100), largest first.
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/resources/conflicts", tag = "resources", params(ConflictParams),
    responses((status = 200, body = Value, description = "`{items[{person_id, person_name, start, finish, excess_hours, causes[], suggestions[{kind: reassign|shift, text, …}]}]}`"),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn conflicts(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<ConflictParams>,
) -> Result<Json<Value>, ApiError> {
    let from = date_param("from", p.from.as_deref(), s.app.today())?;
    let weeks = count_param("weeks", p.weeks, 12, 52)?;
    let limit = p.limit.unwrap_or(100).clamp(1, 500);
    let items = s
        .app
        .conflicts(
            &a,
            p.department.as_deref().filter(|d| !d.is_empty()),
            from,
            weeks,
            limit,
        )
        .await?;
    Ok(Json(
        json!({"items": items.iter().map(conflict_json).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UtilizationParams {
    department: Option<String>,
    /// person (default) or department.
    group: Option<String>,
    /// week (default) or month.
    bucket: Option<String>,
    from: Option<String>,
    count: Option<u32>,
    limit: Option<usize>,
    offset: Option<usize>,
}

#[utoipa::path(get, path = "/resources/utilization", tag = "resources", params(UtilizationParams),
    responses((status = 200, body = Value, description = "planned (plans, allocations) against actual (approved timesheets) hours and percentages per person or department"),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn utilization(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<UtilizationParams>,
) -> Result<Json<Value>, ApiError> {
    let today = s.app.today();
    let bucket = bucket_param(p.bucket.as_deref(), Bucket::Week)?;
    let by_department = match p.group.as_deref() {
        None | Some("") | Some("person") => false,
        Some("department") => true,
        Some(_) => return Err(AppError::field("group", "must be person or department").into()),
    };
    let from = date_param("from", p.from.as_deref(), today)?;
    let count = count_param("count", p.count, 8, bucket.max_count())?;
    let q = UtilizationQuery {
        department: p.department.clone().filter(|d| !d.is_empty()),
        by_department,
        bucket,
        from,
        count,
        offset: p.offset.unwrap_or(0),
        limit: p.limit.unwrap_or(50).clamp(1, 500),
    };
    let v = s.app.utilization(&a, &q).await?;
    Ok(Json(utilization_json(&v)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SkillGapParams {
    pub from: Option<String>,
    /// 1–8 quarters (default 4).
    pub quarters: Option<u32>,
    /// json (default), csv or xlsx.
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/resources/skill-gaps", tag = "resources", params(SkillGapParams),
    responses((status = 200, body = Value, description = "per skill and quarter: supply, demand from active work and from proposals, gap (hours); or the CSV/XLSX file"),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn skill_gaps(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<SkillGapParams>,
) -> Result<axum::response::Response, ApiError> {
    let from = date_param("from", p.from.as_deref(), s.app.today())?;
    let quarters = count_param("quarters", p.quarters, 4, 8)?;
    match p.format.as_deref().unwrap_or("json") {
        "json" => {
            let g = s.app.skill_gaps(&a, from, quarters).await?;
            Ok(Json(json!({
                "columns": columns_json(&g.columns),
                "rows": g.rows.iter().map(|r| json!({
                    "skill": r.skill,
                    "people": r.people,
                    "quarters": r.quarters.iter().enumerate().map(|(q, (sup, act, prop))| json!({
                        "supply_hours": hours(*sup), "active_demand_hours": hours(*act),
                        "proposed_demand_hours": hours(*prop), "gap_hours": hours(r.gap(q)),
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            }))
            .into_response())
        }
        f => Ok(export(
            s.app.skill_gaps_export(&a, from, quarters, f).await?,
        )),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct WhatIfParams {
    proposal: Option<Uuid>,
    scenario: Option<Uuid>,
}

#[utoipa::path(get, path = "/resources/what-if", tag = "resources", params(WhatIfParams),
    responses((status = 200, body = Value, description = "by job role and quarter: capacity, demand now, demand the proposal or scenario adds (hours); nothing is written"),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn what_if(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<WhatIfParams>,
) -> Result<Json<Value>, ApiError> {
    let w = s.app.what_if(&a, p.proposal, p.scenario).await?;
    Ok(Json(json!({
        "title": w.title,
        "columns": columns_json(&w.columns),
        "unknown_roles": w.unknown_roles,
        "rows": w.rows.iter().map(|(role, cells)| json!({
            "role": role,
            "quarters": cells.iter().map(|(c, d, add)| json!({
                "capacity_hours": hours(*c), "demand_hours": hours(*d), "added_hours": hours(*add),
                "over_after": d + add > *c,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })))
}

// ---------- requests ----------

fn request_json(r: &ResourceRequest) -> Value {
    json!({
        "id": r.id,
        "project_id": r.project_id,
        "job_role": r.job_role,
        "skills": r.skills.iter().map(|k| json!({"name": k.name, "level": k.level})).collect::<Vec<_>>(),
        "describe": r.describe(),
        "start": r.start,
        "finish": r.finish,
        "hours_per_week": hours(i64::from(r.minutes_per_week)),
        "note": r.note,
        "state": r.state.as_str(),
        "person_id": r.person_id,
        "reason": r.reason,
        "requested_by": r.requested_by,
        "version": r.version,
    })
}

fn allocation_json(a: &Allocation) -> Value {
    json!({
        "id": a.id, "request_id": a.request_id, "person_id": a.person_id, "project_id": a.project_id,
        "start": a.start, "finish": a.finish, "hours_per_week": hours(i64::from(a.minutes_per_week)),
    })
}

fn detail_json(d: &RequestDetail) -> Value {
    let mut v = request_json(&d.request);
    v["project_key"] = json!(d.project_key);
    v["project_name"] = json!(d.project_name);
    v["person_name"] = json!(d.person.as_ref().map(|p| p.name.clone()));
    v["allocations"] = json!(
        d.allocations
            .iter()
            .map(allocation_json)
            .collect::<Vec<_>>()
    );
    v
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub(crate) struct RequestListParams {
    /// requested, proposed, committed, rejected or cancelled.
    pub state: Option<String>,
    /// `true`: only open requests (requested or proposed).
    pub open: Option<bool>,
    pub project_id: Option<Uuid>,
    /// Only requests for people whose line manager is this person (yourself, unless you
    /// allocate resources).
    pub line_manager: Option<Uuid>,
    /// start (default), finish, state, hours, updated; prefix `-` for descending.
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl RequestListParams {
    pub(crate) fn filter(&self) -> Result<(RequestFilter, String, bool, Page), AppError> {
        let state = match self.state.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(RequestState::parse(s).ok_or_else(|| {
                AppError::field(
                    "state",
                    "must be requested, proposed, committed, rejected or cancelled",
                )
            })?),
        };
        let lp = super::dto::ListParams {
            limit: self.limit,
            cursor: self.cursor.clone(),
            sort: self.sort.clone(),
            ..Default::default()
        };
        let (page, sort, desc) = super::records::paging(&lp, REQUEST_SORTS, "start")
            .map_err(|_| AppError::field("sort", "unknown sort or bad paging"))?;
        Ok((
            RequestFilter {
                state,
                open: self.open.unwrap_or(false),
                project: self.project_id,
                line_manager: self.line_manager,
                ..Default::default()
            },
            sort,
            desc,
            page,
        ))
    }
}

#[utoipa::path(get, path = "/resources/requests", tag = "resources", params(RequestListParams),
    responses((status = 200, body = Value, description = "`{items, next_cursor}`"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_requests(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<RequestListParams>,
) -> Result<Json<Value>, ApiError> {
    let (f, sort, desc, page) = p.filter()?;
    let (items, next) = s.app.list_requests(&a, f, &sort, desc, page).await?;
    Ok(Json(json!({
        "items": items.iter().map(request_json).collect::<Vec<_>>(),
        "next_cursor": cursor(next),
    })))
}

/// A request for a role or skills.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RequestIn {
    job_role: Option<String>,
    /// `"Rust:4, SQL"`: minimum levels (default 3).
    skills: Option<String>,
    start: String,
    finish: String,
    /// Hours per week (`"16"`) or a percentage of a full week (`"50%"`).
    hours_per_week: String,
    note: Option<String>,
}

#[utoipa::path(post, path = "/projects/{id}/resource-requests", tag = "resources", request_body = RequestIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_request(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RequestIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let d = RequestDraft {
        job_role: b.job_role.unwrap_or_default(),
        skills: b.skills.unwrap_or_default(),
        start: b.start,
        finish: b.finish,
        hours_per_week: b.hours_per_week,
        note: b.note.unwrap_or_default(),
    };
    let r = s.app.create_request(&a, id, &d).await?;
    Ok((StatusCode::CREATED, Json(request_json(&r))))
}

#[utoipa::path(get, path = "/resources/requests/{id}", tag = "resources",
    responses((status = 200, body = Value), (status = 404, body = Problem)))]
async fn get_request(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(detail_json(&s.app.get_request(&a, id).await?)))
}

#[utoipa::path(get, path = "/resources/requests/{id}/candidates", tag = "resources",
    responses((status = 200, body = Value, description = "people who fit (role, skills), most free project hours over the period first"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn request_candidates(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let c = s.app.request_candidates(&a, id, 20).await?;
    Ok(Json(json!({"items": c.iter().map(|(p, free)| json!({
        "person_id": p.id, "name": p.name, "department": p.department, "job_role": p.job_role,
        "free_hours": hours(*free),
    })).collect::<Vec<_>>()})))
}

/// One workflow step.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct StepIn {
    /// propose, commit, reject or cancel.
    action: String,
    /// The person (propose; commit by the resource manager).
    person_id: Option<Uuid>,
    /// Why (reject, cancel).
    reason: Option<String>,
    version: Option<i64>,
}

#[utoipa::path(post, path = "/resources/requests/{id}/steps", tag = "resources", request_body = StepIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn step_request(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<StepIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let step = match b.action.as_str() {
        "propose" => RequestStep::Propose(
            b.person_id
                .ok_or_else(|| AppError::field("person_id", "name the person to propose"))?,
        ),
        "commit" => RequestStep::Commit(b.person_id),
        "reject" => RequestStep::Reject(b.reason.unwrap_or_default()),
        "cancel" => RequestStep::Cancel(b.reason.unwrap_or_default()),
        _ => {
            return Err(
                AppError::field("action", "must be propose, commit, reject or cancel").into(),
            );
        }
    };
    let r = s.app.request_step(&a, id, v, step).await?;
    Ok(Json(request_json(&r)))
}

// ---------- allocations ----------

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AllocationParams {
    project_id: Option<Uuid>,
    person_id: Option<Uuid>,
    /// Default: today.
    from: Option<String>,
    /// Default: a year after `from`.
    to: Option<String>,
    /// json (default), csv or xlsx (whole pool only).
    format: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/resources/allocations", tag = "resources", params(AllocationParams),
    responses((status = 200, body = Value, description = "`{items, next_cursor}`, or the CSV/XLSX file"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_allocations(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<AllocationParams>,
) -> Result<axum::response::Response, ApiError> {
    let from = date_param("from", p.from.as_deref(), s.app.today())?;
    let to = date_param(
        "to",
        p.to.as_deref(),
        from.saturating_add(jiff::Span::new().days(365)),
    )?;
    if to < from {
        return Err(AppError::field("to", "must be on or after `from`").into());
    }
    match p.format.as_deref().unwrap_or("json") {
        "json" => {
            let lp = super::dto::ListParams {
                limit: p.limit,
                cursor: p.cursor,
                ..Default::default()
            };
            let (page, _, _) = super::records::paging(&lp, &[("start", "a.starts_on")], "start")?;
            let (items, next) = s
                .app
                .list_allocations(&a, p.project_id, p.person_id, from, to, page)
                .await?;
            Ok(Json(json!({
                "items": items.iter().map(allocation_json).collect::<Vec<_>>(),
                "next_cursor": cursor(next),
            }))
            .into_response())
        }
        f => Ok(export(s.app.allocations_export(&a, from, to, f).await?)),
    }
}

/// New hours for one month of an allocation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AllocationIn {
    /// Hours per week, 0–168 (0 frees the month).
    hours_per_week: String,
}

#[utoipa::path(patch, path = "/resources/allocations/{id}", tag = "resources", request_body = AllocationIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_allocation(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<AllocationIn>,
) -> Result<Json<Value>, ApiError> {
    let r = s.app.set_allocation(&a, id, &b.hours_per_week).await?;
    Ok(Json(allocation_json(&r)))
}

// ---------- absences ----------

fn absence_json(a: &Absence) -> Value {
    json!({"id": a.id, "person_id": a.person_id, "start": a.start, "finish": a.finish,
           "kind": a.kind.as_str(), "note": a.note})
}

#[utoipa::path(get, path = "/people/{id}/absences", tag = "resources",
    responses((status = 200, body = Value), (status = 404, body = Problem)))]
async fn list_absences(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let items = s.app.list_absences(&a, id).await?;
    Ok(Json(
        json!({"items": items.iter().map(absence_json).collect::<Vec<_>>()}),
    ))
}

/// A period away.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AbsenceIn {
    start: String,
    finish: String,
    /// leave (default), sick, training or other.
    kind: Option<String>,
    note: Option<String>,
}

#[utoipa::path(post, path = "/people/{id}/absences", tag = "resources", request_body = AbsenceIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_absence(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<AbsenceIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let d = AbsenceDraft {
        start: b.start,
        finish: b.finish,
        kind: b.kind.unwrap_or_default(),
        note: b.note.unwrap_or_default(),
    };
    let r = s.app.add_absence(&a, id, &d).await?;
    Ok((StatusCode::CREATED, Json(absence_json(&r))))
}

#[utoipa::path(delete, path = "/people/{id}/absences/{absence}", tag = "resources",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delete_absence(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, absence)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    s.app.delete_absence(&a, id, absence).await?;
    Ok(StatusCode::NO_CONTENT)
}
