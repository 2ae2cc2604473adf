//! Plan API: tasks (table syntax for durations and predecessors), outline moves, plan dates,
//! baselines, budget lines and expenses, earned value (project, program, portfolio),
//! timesheets, templates, and plan exports.

use super::records::version;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth};
use atrium_app::AppError;
use atrium_app::plan::{EarnedValue, EvmMetrics, PlanOp, PlanView, civil_str, iso_datetime};
use atrium_core::plan::{BudgetLineDraft, ExpenseDraft, TaskDraft};
use atrium_core::project::ProjectDraft;
use atrium_core::timesheet::{TemplateDraft, TimesheetDraft, TimesheetState, format_hours};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_plan))
        .routes(routes!(add_task))
        .routes(routes!(update_task, delete_task))
        .routes(routes!(move_task))
        .routes(routes!(set_dates))
        .routes(routes!(set_baseline, clear_baseline))
        .routes(routes!(add_budget_line))
        .routes(routes!(remove_budget_line))
        .routes(routes!(add_expense))
        .routes(routes!(remove_expense))
        .routes(routes!(project_ev))
        .routes(routes!(program_ev))
        .routes(routes!(portfolio_ev))
        .routes(routes!(my_week, save_my_week))
        .routes(routes!(list_timesheets))
        .routes(routes!(decide_timesheet))
        .routes(routes!(list_templates))
        .routes(routes!(save_template))
        .routes(routes!(delete_template))
        .routes(routes!(project_from_template))
        .routes(routes!(list_rates, set_rate))
        .routes(routes!(remove_rate))
        .routes(routes!(export_plan))
        .routes(routes!(import_plan))
        .routes(routes!(apply_import))
}

#[derive(Deserialize, IntoParams)]
struct FormatQuery {
    /// xml (MS Project), csv or xlsx.
    format: Option<String>,
}

#[utoipa::path(get, path = "/projects/{id}/plan/export", tag = "plans", params(FormatQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn export_plan(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<FormatQuery>,
) -> Result<axum::response::Response, ApiError> {
    let e = s
        .app
        .export_plan(&a, id, q.format.as_deref().unwrap_or("xml"))
        .await?;
    Ok(crate::pages::plan::export_response(e))
}

#[utoipa::path(post, path = "/projects/{id}/plan/import", tag = "plans",
    request_body(content = String, content_type = "application/xml", description = "MS Project XML (MSPDI)"),
    responses((status = 201, body = Value, description = "the preview: what would change, and the id to apply it with"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn import_plan(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // The file may exceed the default 2 MB body limit; it has its own.
    let max = atrium_app::plan_files::MAX_IMPORT_BYTES;
    let body = axum::body::to_bytes(body, max)
        .await
        .map_err(|_| bad("file", &format!("is larger than {} MB", max / 1024 / 1024)))?;
    let p = s.app.import_preview(&a, id, &body, &mut |_, _| {}).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": p.id, "tasks": p.tasks, "links": p.links, "summary": p.summary,
            "added": p.diff.added.len(), "removed": p.diff.removed.len(), "changed": p.diff.changed.len(),
            "skipped": p.skipped, "unmatched_resources": p.unmatched_resources,
        })),
    ))
}

#[utoipa::path(post, path = "/projects/{id}/plan/import/{import_id}", tag = "plans", request_body = super::dto::VersionIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn apply_import(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, import_id)): Path<(Uuid, Uuid)>,
    h: HeaderMap,
    ApiJson(b): ApiJson<super::dto::VersionIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(Some(b.version), &h)?;
    Ok(Json(outcome(
        s.app.import_apply(&a, id, import_id, v).await?,
    )))
}

fn bad(field: &str, msg: &str) -> ApiError {
    AppError::field(field, msg).into()
}

fn parse_date(field: &str, raw: Option<&str>) -> Result<Option<Date>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<Date>()
            .map(Some)
            .map_err(|_| bad(field, "must be a date like 2027-03-31")),
    }
}

/// The plan as JSON: dates as `YYYY-MM-DDTHH:MM:SS` local time, durations and floats in
/// working minutes.
pub(crate) fn plan_json(v: &PlanView) -> Value {
    let dt = iso_datetime;
    let rows: Vec<Value> = v
        .rows
        .iter()
        .zip(&v.plan.tasks)
        .map(|(r, t)| {
            json!({
                "id": r.id, "uid": r.uid, "name": r.name, "level": r.level,
                "summary": r.summary, "milestone": r.milestone,
                "duration_minutes": r.duration,
                "start": dt(r.start), "finish": dt(r.finish),
                "early_start": dt(r.early_start), "early_finish": dt(r.early_finish),
                "late_start": dt(r.late_start), "late_finish": dt(r.late_finish),
                "total_float_minutes": r.total_float, "free_float_minutes": r.free_float,
                "critical": r.critical, "work_minutes": r.work, "cost_minor": r.cost,
                "percent_complete": r.percent_complete,
                "predecessors": r.predecessors, "external_successors": r.external_successors,
                "resources": r.resources,
                "constraint": t.constraint, "constraint_date": t.constraint_date,
                "deadline": t.deadline, "actual_start": t.actual_start, "actual_finish": t.actual_finish,
                "fixed_cost_minor": t.fixed_cost, "actual_work_minutes": t.actual_work,
                "actual_cost_minor": t.actual_cost, "notes": t.notes,
                "baseline": r.baseline.map(|b| json!({
                    "start": dt(b.start), "finish": dt(b.finish), "duration_minutes": b.duration,
                    "work_minutes": b.work, "cost_minor": b.cost,
                    "finish_variance_minutes": r.finish - b.finish,
                    "cost_variance_minor": r.cost - b.cost,
                })),
                "diagnostics": r.diagnostics,
            })
        })
        .collect();
    json!({
        "project_id": v.plan.project_id,
        "project_key": v.project.key,
        "version": v.plan.version,
        "start": v.plan.start,
        "status_date": v.plan.status_date,
        "project_start": dt(v.project_start),
        "project_finish": dt(v.project_finish),
        "minutes_per_day": v.minutes_per_day,
        "currency": v.currency,
        "baseline": v.baseline,
        "baselines_set": v.plan.baselines_set.keys().collect::<Vec<_>>(),
        "critical": v.critical_uids(),
        "diagnostics": v.diagnostics,
        "tasks": rows,
        "foreign_predecessors": v.foreign_predecessors,
        "foreign_successors": v.foreign_successors,
        "budget": v.plan.budget,
        "expenses": v.plan.expenses,
        "can_edit": v.can_edit,
    })
}

#[derive(Deserialize, IntoParams)]
struct PlanQuery {
    /// Baseline to compare against (0–10, default 0).
    baseline: Option<u8>,
}

#[utoipa::path(get, path = "/projects/{id}/plan", tag = "plans", params(PlanQuery),
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_plan(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<PlanQuery>,
) -> Result<Json<Value>, ApiError> {
    let v = s.app.plan_view(&a, id, q.baseline.unwrap_or(0)).await?;
    Ok(Json(plan_json(&v)))
}

/// A task; on update, fields left out keep their values.
#[derive(Deserialize, ToSchema, Default)]
pub(crate) struct TaskIn {
    name: Option<String>,
    /// `5d`, `3h`, `2w`, `0` (milestone).
    duration: Option<String>,
    milestone: Option<bool>,
    /// `3, 5SS+2d, OTHER-KEY:12FF-1d`.
    predecessors: Option<String>,
    /// asap, alap, snet, snlt, fnet, fnlt, mso, mfo.
    constraint: Option<String>,
    constraint_date: Option<String>,
    deadline: Option<String>,
    percent_complete: Option<String>,
    actual_start: Option<String>,
    actual_finish: Option<String>,
    fixed_cost: Option<String>,
    /// `Name or e-mail[50%], ...`.
    resources: Option<String>,
    notes: Option<String>,
    /// Insert after this task uid (new tasks; default at the end).
    after: Option<u32>,
    /// Outline level of a new task.
    level: Option<u8>,
    /// Plan version read (or If-Match).
    version: Option<i64>,
}

impl TaskIn {
    fn into_patch(self) -> atrium_core::plan::TaskPatch {
        atrium_core::plan::TaskPatch {
            name: self.name,
            duration: self.duration,
            milestone: self.milestone,
            predecessors: self.predecessors,
            constraint: self.constraint,
            constraint_date: self.constraint_date,
            deadline: self.deadline,
            percent_complete: self.percent_complete,
            actual_start: self.actual_start,
            actual_finish: self.actual_finish,
            fixed_cost: self.fixed_cost,
            resources: self.resources,
            notes: self.notes,
        }
    }
}

fn outcome(o: atrium_app::plan::EditOutcome) -> Value {
    json!({
        "version": o.version,
        "uid": o.uid,
        "project_finish": civil_str(o.project_finish),
        "critical": o.critical,
        "diagnostics": o.diagnostics.iter().map(|(u, m)| json!({"uid": u, "message": m})).collect::<Vec<_>>(),
    })
}

#[utoipa::path(post, path = "/projects/{id}/plan/tasks", tag = "plans", request_body = TaskIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_task(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<TaskIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let v = version(b.version, &h)?;
    let (after, level) = (b.after, b.level);
    let draft = b.into_patch().apply(TaskDraft::default());
    let o = s
        .app
        .edit_plan(
            &a,
            id,
            v,
            PlanOp::AddTask {
                draft,
                after,
                level,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(outcome(o))))
}

#[utoipa::path(patch, path = "/projects/{id}/plan/tasks/{uid}", tag = "plans", request_body = TaskIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_task(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, uid)): Path<(Uuid, u32)>,
    h: HeaderMap,
    ApiJson(b): ApiJson<TaskIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    // Merged against the stored plan inside the edit (one read, one schedule).
    let patch = b.into_patch();
    let o = s
        .app
        .edit_plan(
            &a,
            id,
            v,
            PlanOp::PatchTask {
                uid,
                patch: Box::new(patch),
            },
        )
        .await?;
    Ok(Json(outcome(o)))
}

#[derive(Deserialize, IntoParams)]
struct VersionQuery {
    /// Plan version read (or If-Match).
    version: Option<i64>,
}

#[utoipa::path(delete, path = "/projects/{id}/plan/tasks/{uid}", tag = "plans", params(VersionQuery),
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn delete_task(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, uid)): Path<(Uuid, u32)>,
    h: HeaderMap,
    Query(q): Query<VersionQuery>,
) -> Result<Json<Value>, ApiError> {
    let v = version(q.version, &h)?;
    let o = s
        .app
        .edit_plan(&a, id, v, PlanOp::DeleteTask { uid })
        .await?;
    Ok(Json(outcome(o)))
}

#[derive(Deserialize, ToSchema)]
struct MoveIn {
    /// indent, outdent, up or down.
    op: String,
    version: Option<i64>,
}

#[utoipa::path(post, path = "/projects/{id}/plan/tasks/{uid}/move", tag = "plans", request_body = MoveIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn move_task(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, uid)): Path<(Uuid, u32)>,
    h: HeaderMap,
    ApiJson(b): ApiJson<MoveIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let op = move_op(&b.op, uid).ok_or_else(|| bad("op", "must be indent, outdent, up or down"))?;
    Ok(Json(outcome(s.app.edit_plan(&a, id, v, op).await?)))
}

pub(crate) fn move_op(op: &str, uid: u32) -> Option<PlanOp> {
    Some(match op {
        "indent" => PlanOp::Indent { uid },
        "outdent" => PlanOp::Outdent { uid },
        "up" => PlanOp::MoveUp { uid },
        "down" => PlanOp::MoveDown { uid },
        _ => return None,
    })
}

#[derive(Deserialize, ToSchema)]
struct DatesIn {
    /// Project start (YYYY-MM-DD).
    start: String,
    /// Status date (YYYY-MM-DD) or empty.
    status_date: Option<String>,
    version: Option<i64>,
}

#[utoipa::path(put, path = "/projects/{id}/plan/dates", tag = "plans", request_body = DatesIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_dates(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<DatesIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let start = parse_date("start", Some(&b.start))?.ok_or_else(|| bad("start", "is required"))?;
    let status_date = parse_date("status_date", b.status_date.as_deref())?;
    let o = s
        .app
        .edit_plan(&a, id, v, PlanOp::SetDates { start, status_date })
        .await?;
    Ok(Json(outcome(o)))
}

#[utoipa::path(put, path = "/projects/{id}/plan/baselines/{n}", tag = "plans", request_body = super::dto::VersionIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_baseline(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, n)): Path<(Uuid, u8)>,
    h: HeaderMap,
    ApiJson(b): ApiJson<super::dto::VersionIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(Some(b.version), &h)?;
    Ok(Json(outcome(
        s.app
            .edit_plan(&a, id, v, PlanOp::SetBaseline { n })
            .await?,
    )))
}

#[utoipa::path(delete, path = "/projects/{id}/plan/baselines/{n}", tag = "plans", params(VersionQuery),
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn clear_baseline(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, n)): Path<(Uuid, u8)>,
    h: HeaderMap,
    Query(q): Query<VersionQuery>,
) -> Result<Json<Value>, ApiError> {
    let v = version(q.version, &h)?;
    Ok(Json(outcome(
        s.app
            .edit_plan(&a, id, v, PlanOp::ClearBaseline { n })
            .await?,
    )))
}

#[derive(Deserialize, ToSchema)]
struct BudgetIn {
    category: Option<String>,
    /// Fiscal period, e.g. FY2027 or 2027-Q1.
    period: Option<String>,
    /// Decimal amount in the project currency.
    amount: Option<String>,
    version: Option<i64>,
}

#[utoipa::path(post, path = "/projects/{id}/plan/budget", tag = "plans", request_body = BudgetIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_budget_line(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<BudgetIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let v = version(b.version, &h)?;
    let line = BudgetLineDraft {
        category: b.category.unwrap_or_default(),
        period: b.period.unwrap_or_default(),
        amount: b.amount.unwrap_or_default(),
    }
    .validate()
    .map_err(AppError::Validation)?;
    let o = s
        .app
        .edit_plan(&a, id, v, PlanOp::AddBudgetLine(line))
        .await?;
    Ok((StatusCode::CREATED, Json(outcome(o))))
}

#[utoipa::path(delete, path = "/projects/{id}/plan/budget/{index}", tag = "plans", params(VersionQuery),
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn remove_budget_line(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, index)): Path<(Uuid, usize)>,
    h: HeaderMap,
    Query(q): Query<VersionQuery>,
) -> Result<Json<Value>, ApiError> {
    let v = version(q.version, &h)?;
    Ok(Json(outcome(
        s.app
            .edit_plan(&a, id, v, PlanOp::RemoveBudgetLine { index })
            .await?,
    )))
}

#[derive(Deserialize, ToSchema)]
struct ExpenseIn {
    date: Option<String>,
    category: Option<String>,
    description: Option<String>,
    amount: Option<String>,
    /// True for money spent, false for a planned expense.
    actual: Option<bool>,
    version: Option<i64>,
}

#[utoipa::path(post, path = "/projects/{id}/plan/expenses", tag = "plans", request_body = ExpenseIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_expense(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<ExpenseIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let v = version(b.version, &h)?;
    let e = ExpenseDraft {
        date: b.date.unwrap_or_default(),
        category: b.category.unwrap_or_default(),
        description: b.description.unwrap_or_default(),
        amount: b.amount.unwrap_or_default(),
        actual: b.actual.unwrap_or(false),
    }
    .validate()
    .map_err(AppError::Validation)?;
    let o = s.app.edit_plan(&a, id, v, PlanOp::AddExpense(e)).await?;
    Ok((StatusCode::CREATED, Json(outcome(o))))
}

#[utoipa::path(delete, path = "/projects/{id}/plan/expenses/{index}", tag = "plans", params(VersionQuery),
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn remove_expense(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, index)): Path<(Uuid, usize)>,
    h: HeaderMap,
    Query(q): Query<VersionQuery>,
) -> Result<Json<Value>, ApiError> {
    let v = version(q.version, &h)?;
    Ok(Json(outcome(
        s.app
            .edit_plan(&a, id, v, PlanOp::RemoveExpense { index })
            .await?,
    )))
}

pub(crate) fn metrics_json(m: &EvmMetrics) -> Value {
    json!({
        "bac": m.bac, "pv": m.pv, "ev": m.ev, "ac": m.ac, "sv": m.sv, "cv": m.cv,
        "spi": m.spi, "cpi": m.cpi, "eac_cpi": m.eac_cpi, "eac_cpi_spi": m.eac_cpi_spi,
        "etc": m.etc, "vac": m.vac, "tcpi": m.tcpi,
    })
}

fn ev_json(e: &EarnedValue) -> Value {
    json!({
        "status_date": e.status_date,
        "has_baseline": e.has_baseline,
        "currency": e.currency,
        "metrics": metrics_json(&e.metrics),
        "s_curve": e.curve.iter().map(|p| json!({
            "end": civil_str(p.end), "pv": p.pv_cumulative, "ev": p.ev_cumulative, "ac": p.ac_cumulative,
        })).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize, IntoParams)]
struct EvQuery {
    /// Status date (default: the plan's status date, else today).
    status_date: Option<String>,
}

#[utoipa::path(get, path = "/projects/{id}/ev", tag = "plans", params(EvQuery),
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn project_ev(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<EvQuery>,
) -> Result<Json<Value>, ApiError> {
    let at = parse_date("status_date", q.status_date.as_deref())?;
    Ok(Json(ev_json(&s.app.earned_value(&a, id, at).await?)))
}

async fn rollup(
    s: &AppState,
    a: &atrium_app::Actor,
    projects: Vec<atrium_core::project::Project>,
    status: Option<String>,
) -> Result<Json<Value>, ApiError> {
    let at = parse_date("status_date", status.as_deref())?.unwrap_or_else(|| s.app.today());
    let (total, rows) = s.app.earned_value_rollup(a, &projects, at).await?;
    Ok(Json(json!({
        "status_date": at,
        "total": metrics_json(&total),
        "projects": rows.iter().map(|(p, m)| json!({"id": p.id, "key": p.key, "name": p.name, "metrics": metrics_json(m)})).collect::<Vec<_>>(),
    })))
}

#[utoipa::path(get, path = "/programs/{id}/ev", tag = "plans", params(EvQuery),
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn program_ev(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<EvQuery>,
) -> Result<Json<Value>, ApiError> {
    let projects = s.app.program_projects(&a, id).await?;
    rollup(&s, &a, projects, q.status_date).await
}

#[utoipa::path(get, path = "/portfolios/{id}/ev", tag = "plans", params(EvQuery),
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn portfolio_ev(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<EvQuery>,
) -> Result<Json<Value>, ApiError> {
    let projects = s.app.portfolio_projects(&a, id).await?;
    rollup(&s, &a, projects, q.status_date).await
}

#[derive(Deserialize, IntoParams)]
struct WeekQuery {
    /// Monday of the week (default: this week).
    week: Option<String>,
}

fn week_or_now(s: &AppState, raw: Option<&str>) -> Result<Date, ApiError> {
    Ok(parse_date("week", raw)?.unwrap_or_else(|| atrium_core::timesheet::week_of(s.app.today())))
}

fn timesheet_json(t: &atrium_core::timesheet::Timesheet) -> Value {
    json!({
        "id": t.id, "person_id": t.person_id, "project_id": t.project_id,
        "week_start": t.week_start, "state": t.state, "comment": t.comment,
        "version": t.version, "total_hours": t.total_minutes() as f64 / 60.0,
        "entries": t.entries.iter().map(|e| json!({
            "task_uid": e.task_uid,
            "hours": e.minutes.iter().map(|&m| m as f64 / 60.0).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

#[utoipa::path(get, path = "/projects/{id}/timesheets/mine", tag = "plans", params(WeekQuery),
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn my_week(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<WeekQuery>,
) -> Result<Json<Value>, ApiError> {
    let week = week_or_now(&s, q.week.as_deref())?;
    let w = s.app.my_week(&a, id, week).await?;
    Ok(Json(json!({
        "week_start": w.week_start,
        "person_id": w.person_id,
        "timesheet": w.timesheet.as_ref().map(timesheet_json),
        "tasks": w.tasks,
    })))
}

#[derive(Deserialize, ToSchema)]
struct EntryIn {
    task_uid: u32,
    /// Seven decimal hours, Monday first.
    hours: Vec<f64>,
}

#[derive(Deserialize, ToSchema)]
struct WeekIn {
    /// Monday of the week.
    week: String,
    entries: Vec<EntryIn>,
    /// Submit for approval after saving.
    #[serde(default)]
    submit: bool,
    /// Version read (0 for a new week).
    version: Option<i64>,
}

#[utoipa::path(put, path = "/projects/{id}/timesheets/mine", tag = "plans", request_body = WeekIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn save_my_week(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<WeekIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let week = parse_date("week", Some(&b.week))?.ok_or_else(|| bad("week", "is required"))?;
    if b.entries.len() > atrium_core::timesheet::MAX_ROWS {
        return Err(bad("entries", "too many rows"));
    }
    let mut d = TimesheetDraft::default();
    for e in &b.entries {
        if e.hours.len() != 7 {
            return Err(bad(
                "entries",
                "each entry needs 7 hour values, Monday first",
            ));
        }
        let cells = std::array::from_fn(|i| {
            let h = e.hours[i];
            if h.is_finite() && h >= 0.0 {
                format_hours((h * 60.0).round().min(f64::from(u16::MAX)) as u16)
            } else {
                "invalid".into()
            }
        });
        d.rows.push((e.task_uid.to_string(), cells));
    }
    let t = s.app.save_my_week(&a, id, week, &d, v, b.submit).await?;
    Ok(Json(timesheet_json(&t)))
}

#[derive(Deserialize, IntoParams)]
struct StateQuery {
    /// draft, submitted, approved or rejected.
    state: Option<String>,
}

#[utoipa::path(get, path = "/projects/{id}/timesheets", tag = "plans", params(StateQuery),
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_timesheets(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<StateQuery>,
) -> Result<Json<Value>, ApiError> {
    let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(x) => Some(
            TimesheetState::parse(x)
                .ok_or_else(|| bad("state", "must be draft, submitted, approved or rejected"))?,
        ),
    };
    let rows = s.app.project_timesheets(&a, id, state).await?;
    Ok(Json(json!({
        "items": rows.iter().map(|r| {
            let mut v = timesheet_json(&r.timesheet);
            v["person"] = json!(r.person);
            v
        }).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, ToSchema)]
struct DecideIn {
    approve: bool,
    /// Required when rejecting.
    comment: Option<String>,
    version: Option<i64>,
}

#[utoipa::path(post, path = "/timesheets/{id}/decide", tag = "plans", request_body = DecideIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide_timesheet(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<DecideIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let t = s
        .app
        .decide_timesheet(&a, id, b.approve, b.comment, v)
        .await?;
    Ok(Json(timesheet_json(&t)))
}

#[utoipa::path(get, path = "/templates", tag = "plans",
    responses((status = 200, body = Value)))]
async fn list_templates(State(s): State<AppState>, Auth(a): Auth) -> Result<Json<Value>, ApiError> {
    let list = s.app.list_templates(&a).await?;
    Ok(Json(json!({
        "items": list.iter().map(|t| json!({
            "id": t.id, "name": t.name, "description": t.description,
            "tasks": t.tasks.len(), "checklist": t.checklist,
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, ToSchema)]
struct TemplateIn {
    name: Option<String>,
    description: Option<String>,
    /// One item per line.
    checklist: Option<String>,
}

#[utoipa::path(post, path = "/projects/{id}/template", tag = "plans", request_body = TemplateIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn save_template(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<TemplateIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let d = TemplateDraft {
        name: b.name.unwrap_or_default(),
        description: b.description.unwrap_or_default(),
        checklist: b.checklist.unwrap_or_default(),
    };
    let t = s.app.save_template(&a, id, &d).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": t.id, "name": t.name, "tasks": t.tasks.len()})),
    ))
}

#[utoipa::path(delete, path = "/templates/{id}", tag = "plans",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delete_template(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    s.app.delete_template(&a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
struct FromTemplateIn {
    key: Option<String>,
    name: Option<String>,
    portfolio_id: Option<Uuid>,
    program_id: Option<Uuid>,
    manager_id: Option<Uuid>,
    sponsor_id: Option<Uuid>,
    /// First day of the plan.
    start: Option<String>,
}

#[utoipa::path(post, path = "/templates/{id}/projects", tag = "plans", request_body = FromTemplateIn,
    responses((status = 201, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn project_from_template(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<FromTemplateIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let start =
        parse_date("start", b.start.as_deref())?.ok_or_else(|| bad("start", "is required"))?;
    let d = ProjectDraft {
        key: b.key.unwrap_or_default(),
        name: b.name.unwrap_or_default(),
        portfolio_id: b.portfolio_id,
        program_id: b.program_id,
        manager_id: b.manager_id,
        sponsor_id: b.sponsor_id,
        phase: "planning".into(),
        planned_start: Some(start.to_string()),
        status: "green".into(),
        ..Default::default()
    };
    let p = s.app.create_from_template(&a, id, &d, start).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": p.id, "key": p.key, "name": p.name})),
    ))
}

fn rates_json(list: &[atrium_core::resource::RateChange]) -> Value {
    json!({"items": list.iter().map(|r| json!({"from": r.from, "rate": r.rate.format(), "rate_minor": r.rate.0})).collect::<Vec<_>>()})
}

#[utoipa::path(get, path = "/people/{id}/rates", tag = "plans",
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_rates(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(rates_json(&s.app.rate_changes(&a, id).await?)))
}

#[derive(Deserialize, ToSchema)]
struct RateIn {
    /// First day the rate applies (YYYY-MM-DD).
    from: Option<String>,
    /// Hourly rate, decimal, in the organization currency.
    rate: Option<String>,
}

#[utoipa::path(put, path = "/people/{id}/rates", tag = "plans", request_body = RateIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_rate(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RateIn>,
) -> Result<Json<Value>, ApiError> {
    let d = atrium_core::resource::RateChangeDraft {
        from: b.from.unwrap_or_default(),
        rate: b.rate.unwrap_or_default(),
    };
    s.app.set_rate_change(&a, id, &d).await?;
    Ok(Json(rates_json(&s.app.rate_changes(&a, id).await?)))
}

#[utoipa::path(delete, path = "/people/{id}/rates/{from}", tag = "plans",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn remove_rate(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, from)): Path<(Uuid, String)>,
) -> Result<StatusCode, ApiError> {
    let from = parse_date("from", Some(&from))?.ok_or_else(|| bad("from", "is required"))?;
    s.app.remove_rate_change(&a, id, from).await?;
    Ok(StatusCode::NO_CONTENT)
}
