//! Delivery API: status reports, issues, decisions, change requests, lessons learned.

use super::dto::ListParams;
use super::records::{cursor, paging};
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth};
use atrium_app::AppError;
use atrium_core::delivery::{
    LessonsDraft, LogDraft, LogEntry, LogKind, LogStatus, ReportDraft, StatusReport,
};
use atrium_store::delivery::{LOG_SORTS, LogFilter};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_reports, create_report))
        .routes(routes!(overdue_reports))
        .routes(routes!(get_report, update_report))
        .routes(routes!(submit_report))
        .routes(routes!(revise_report))
        .routes(routes!(list_log, create_log))
        .routes(routes!(get_log, update_log))
        .routes(routes!(decide_change))
        .routes(routes!(get_lessons, put_lessons))
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::from(AppError::Internal(Box::new(e))))
}

use super::records::version;

fn num_or_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    super::dto::amount(d)
}

fn report_out(r: &StatusReport) -> Result<Value, ApiError> {
    to_value(r)
}

fn log_out(e: &LogEntry) -> Result<Value, ApiError> {
    let mut v = to_value(e)?;
    v["reference"] = json!(e.reference());
    Ok(v)
}

/// Paging for lists without a sort choice.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1–500, default 50.
    pub limit: Option<i64>,
    /// Opaque cursor from a previous `next_cursor`.
    pub cursor: Option<String>,
}

// ---------- status reports ----------

#[utoipa::path(get, path = "/projects/{id}/reports", tag = "delivery", params(PageParams),
    responses((status = 200, body = Value, description = "`{items, next_cursor, suggested_period}`: reports newest period first, highest revision first"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_reports(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<PageParams>,
) -> Result<Json<Value>, ApiError> {
    let lp = ListParams {
        limit: p.limit,
        cursor: p.cursor,
        ..Default::default()
    };
    let (page, _, _) = paging(&lp, &[("period", "period")], "period")?;
    let (items, next) = s.app.list_reports(&a, id, page).await?;
    let suggested = s.app.suggested_period(&a, id, s.app.today()).await?;
    Ok(Json(json!({
        "items": items.iter().map(report_out).collect::<Result<Vec<_>, _>>()?,
        "next_cursor": cursor(next),
        "suggested_period": suggested.to_string(),
    })))
}

/// Create: all optional (`period` defaults to the period a report is due for; RAG fields
/// default to green). Update: any subset plus `version`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    /// First day of the reporting period (YYYY-MM-DD); create only.
    pub period: Option<String>,
    /// green | amber | red
    pub schedule: Option<String>,
    pub cost: Option<String>,
    pub scope: Option<String>,
    pub risk: Option<String>,
    pub overall: Option<String>,
    /// Up to 10,000 characters; required to submit.
    pub narrative: Option<String>,
    pub version: Option<i64>,
}

impl ReportIn {
    fn draft(self, cur: Option<&StatusReport>) -> ReportDraft {
        let base = cur.map(ReportDraft::from_report).unwrap_or(ReportDraft {
            schedule: "green".into(),
            cost: "green".into(),
            scope: "green".into(),
            risk: "green".into(),
            overall: "green".into(),
            narrative: String::new(),
        });
        ReportDraft {
            schedule: self.schedule.unwrap_or(base.schedule),
            cost: self.cost.unwrap_or(base.cost),
            scope: self.scope.unwrap_or(base.scope),
            risk: self.risk.unwrap_or(base.risk),
            overall: self.overall.unwrap_or(base.overall),
            narrative: self.narrative.unwrap_or(base.narrative),
        }
    }
}

#[utoipa::path(post, path = "/projects/{id}/reports", tag = "delivery", request_body = ReportIn,
    responses((status = 201, body = Value, description = "The new draft report (revision 1)"),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem, description = "Invalid fields, a future period, or a period that already has a report")))]
async fn create_report(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ReportIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let period = b.period.clone();
    let d = b.draft(None);
    let r = s.app.create_report(&a, id, period.as_deref(), &d).await?;
    Ok((StatusCode::CREATED, Json(report_out(&r)?)))
}

#[utoipa::path(get, path = "/reports/{id}", tag = "delivery",
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_report(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(report_out(&s.app.get_report(&a, id).await?)?))
}

#[utoipa::path(patch, path = "/reports/{id}", tag = "delivery", request_body = ReportIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem, description = "Invalid fields, or the report was submitted (immutable: revise it)")))]
async fn update_report(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<ReportIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    if b.period.is_some() {
        return Err(AppError::field(
            "period",
            "cannot be changed; start a report for the other period instead",
        )
        .into());
    }
    let cur = s.app.get_report(&a, id).await?;
    let d = b.draft(Some(&cur));
    Ok(Json(report_out(
        &s.app.update_report(&a, id, &d, v).await?,
    )?))
}

/// The version a step is based on (or send `If-Match`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct VersionOpt {
    pub version: Option<i64>,
}

#[utoipa::path(post, path = "/reports/{id}/submit", tag = "delivery", request_body = VersionOpt,
    responses((status = 200, body = Value, description = "The submitted report with its frozen key figures"),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem, description = "Narrative missing, or already submitted")))]
async fn submit_report(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<VersionOpt>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    Ok(Json(report_out(&s.app.submit_report(&a, id, v).await?)?))
}

#[utoipa::path(post, path = "/reports/{id}/revise", tag = "delivery",
    responses((status = 201, body = Value, description = "A new draft revision of the same period, copied from the submitted one"),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem, description = "Not submitted, or not the latest revision")))]
async fn revise_report(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let r = s.app.revise_report(&a, id).await?;
    Ok((StatusCode::CREATED, Json(report_out(&r)?)))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct OverdueParams {
    /// Only projects the caller manages.
    pub mine: Option<bool>,
    /// The day to evaluate on (YYYY-MM-DD; default today, UTC).
    pub date: Option<String>,
}

#[utoipa::path(get, path = "/reports/overdue", tag = "delivery", params(OverdueParams),
    responses((status = 200, body = Value, description = "`{cycle, period, period_end, projects}`: active projects (started by the period end) without a submitted report for the previous completed period, among those the caller may see"),
              (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn overdue_reports(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<OverdueParams>,
) -> Result<Json<Value>, ApiError> {
    let today = match p.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => d
            .parse()
            .map_err(|_| AppError::field("date", "must be a date (YYYY-MM-DD)"))?,
        None => s.app.today(),
    };
    let mine = p.mine.unwrap_or(false).then_some(a.user_id);
    Ok(Json(to_value(
        &s.app.overdue_reports(&a, today, mine).await?,
    )?))
}

// ---------- issues, decisions, change requests ----------

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct LogParams {
    /// 1–500, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// number, title, status, priority, due, updated (prefix `-` for descending).
    pub sort: Option<String>,
    /// issue | decision | change
    pub kind: Option<String>,
    /// A status of the kind (e.g. open, made, submitted).
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/projects/{id}/log", tag = "delivery", params(LogParams),
    responses((status = 200, body = Value, description = "`{items, next_cursor}`"), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list_log(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<LogParams>,
) -> Result<Json<Value>, ApiError> {
    let lp = ListParams {
        limit: p.limit,
        cursor: p.cursor,
        sort: p.sort,
        ..Default::default()
    };
    let (page, sort, desc) = paging(&lp, LOG_SORTS, "number")?;
    if let Some(k) = p.kind.as_deref()
        && LogKind::parse(k).is_none()
    {
        return Err(AppError::field("kind", "must be issue, decision or change").into());
    }
    if let Some(st) = p.status.as_deref()
        && LogStatus::parse(st).is_none()
    {
        return Err(AppError::field("status", "is not a log status").into());
    }
    let f = LogFilter {
        kind: p.kind,
        status: p.status,
    };
    let (items, next) = s.app.list_log(&a, id, &f, &sort, desc, page).await?;
    Ok(Json(json!({
        "items": items.iter().map(log_out).collect::<Result<Vec<_>, _>>()?,
        "next_cursor": cursor(next),
    })))
}

/// The schedule impact of a change request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleIn {
    pub task_uid: u32,
    /// Change in duration: "+5d", "-2d", "3h".
    pub delta: String,
}

/// What a change request changes when approved.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ImpactIn {
    pub schedule: Option<ScheduleIn>,
    /// Added to the project budget, in the project's currency (decimal string or number).
    #[serde(default, deserialize_with = "num_or_str")]
    pub cost: Option<String>,
    pub scope: Option<String>,
}

/// Create: `kind` and `title` required. Update: any subset plus `version` (`kind` cannot
/// change); send `null` to clear `description`, `owner_id` or `due`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LogIn {
    /// issue | decision | change (create only).
    pub kind: Option<String>,
    pub title: Option<String>,
    #[serde(default, deserialize_with = "super::dto::nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// A user id.
    #[serde(default, deserialize_with = "super::dto::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    /// YYYY-MM-DD.
    #[serde(default, deserialize_with = "super::dto::nullable")]
    #[schema(value_type = Option<String>)]
    pub due: Option<Option<String>>,
    /// low | medium | high | critical
    pub priority: Option<String>,
    /// Issue: open, in_progress, resolved, closed; decision: proposed, made, superseded;
    /// change: draft, submitted, withdrawn (approved / rejected only through `decide`).
    pub status: Option<String>,
    /// Uids of linked plan tasks (at most 100).
    pub tasks: Option<Vec<u32>>,
    /// Change requests only.
    pub impact: Option<ImpactIn>,
    pub version: Option<i64>,
}

impl LogIn {
    fn draft(self, cur: Option<&LogEntry>) -> Result<LogDraft, ApiError> {
        let base = cur.map(LogDraft::from_entry).unwrap_or_default();
        if let Some(t) = &self.tasks
            && t.len() > atrium_core::delivery::MAX_TASK_LINKS
        {
            return Err(AppError::field("tasks", "at most 100 linked tasks").into());
        }
        let (schedule_task, schedule_delta, cost, scope) = match self.impact {
            Some(i) => (
                i.schedule
                    .as_ref()
                    .map(|s| s.task_uid.to_string())
                    .unwrap_or_default(),
                i.schedule.map(|s| s.delta).unwrap_or_default(),
                i.cost.unwrap_or_default(),
                i.scope.unwrap_or_default(),
            ),
            None => (
                base.schedule_task,
                base.schedule_delta,
                base.cost,
                base.scope,
            ),
        };
        Ok(LogDraft {
            title: self.title.unwrap_or(base.title),
            description: self.description.unwrap_or(base.description),
            owner_id: self.owner_id.unwrap_or(base.owner_id),
            due: self.due.map_or(base.due, |d| d.unwrap_or_default()),
            priority: self.priority.unwrap_or(base.priority),
            status: self.status.unwrap_or(base.status),
            tasks: self
                .tasks
                .map(|t| {
                    t.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or(base.tasks),
            schedule_task,
            schedule_delta,
            cost,
            scope,
        })
    }
}

#[utoipa::path(post, path = "/projects/{id}/log", tag = "delivery", request_body = LogIn,
    responses((status = 201, body = Value, description = "The new entry with its number (I-1, D-3, CR-2)"),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_log(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<LogIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kind = b
        .kind
        .as_deref()
        .and_then(LogKind::parse)
        .ok_or_else(|| AppError::field("kind", "is required: issue, decision or change"))?;
    if kind != LogKind::Change && b.impact.is_some() {
        return Err(AppError::field("impact", "only change requests have an impact").into());
    }
    let d = b.draft(None)?;
    let e = s.app.create_log(&a, id, kind, &d).await?;
    Ok((StatusCode::CREATED, Json(log_out(&e)?)))
}

#[utoipa::path(get, path = "/log/{id}", tag = "delivery",
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_log(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(log_out(&s.app.get_log(&a, id).await?)?))
}

#[utoipa::path(patch, path = "/log/{id}", tag = "delivery", request_body = LogIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_log(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<LogIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let cur = s.app.get_log(&a, id).await?;
    if let Some(k) = b.kind.as_deref()
        && LogKind::parse(k) != Some(cur.kind)
    {
        return Err(AppError::field("kind", "cannot be changed").into());
    }
    if cur.kind != LogKind::Change && b.impact.is_some() {
        return Err(AppError::field("impact", "only change requests have an impact").into());
    }
    let d = b.draft(Some(&cur))?;
    Ok(Json(log_out(&s.app.update_log(&a, id, &d, v).await?)?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideIn {
    /// approve | reject
    pub decision: String,
    /// Why (required, up to 2,000 characters).
    pub comment: Option<String>,
    pub version: Option<i64>,
}

#[utoipa::path(post, path = "/log/{id}/decide", tag = "delivery", request_body = DecideIn,
    responses((status = 200, body = Value, description = "The decided change request; approval has applied its budget and schedule impact"),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem, description = "Not a submitted change request, comment missing, or the impact cannot be applied")))]
async fn decide_change(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<DecideIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let approve = match b.decision.trim() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::field("decision", "must be approve or reject").into()),
    };
    let e = s
        .app
        .decide_change(&a, id, approve, b.comment.as_deref().unwrap_or(""), v)
        .await?;
    Ok(Json(log_out(&e)?))
}

// ---------- lessons learned ----------

#[utoipa::path(get, path = "/projects/{id}/lessons", tag = "delivery",
    responses((status = 200, body = Value, description = "The project's lessons learned (version 0 until first recorded)"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_lessons(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(to_value(&s.app.get_lessons(&a, id).await?)?))
}

/// The whole record; `version` is the one read (0 when none was recorded yet).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LessonsIn {
    pub went_well: Option<String>,
    pub went_badly: Option<String>,
    pub recommendations: Option<String>,
    /// At most 20; stored lowercase.
    pub tags: Option<Vec<String>>,
    pub version: Option<i64>,
}

#[utoipa::path(put, path = "/projects/{id}/lessons", tag = "delivery", request_body = LessonsIn,
    responses((status = 200, body = Value), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn put_lessons(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<LessonsIn>,
) -> Result<Json<Value>, ApiError> {
    let v = version(b.version, &h)?;
    let tags = b.tags.unwrap_or_default();
    if tags.len() > 200 {
        return Err(AppError::field("tags", "at most 20 tags").into());
    }
    let d = LessonsDraft {
        went_well: b.went_well.unwrap_or_default(),
        went_badly: b.went_badly.unwrap_or_default(),
        recommendations: b.recommendations.unwrap_or_default(),
        tags: tags.join(","),
    };
    Ok(Json(to_value(&s.app.put_lessons(&a, id, &d, v).await?)?))
}
