//! Plan pages: the table editor (add, edit, move, indent, delete tasks; plan dates;
//! baselines; links with other projects), the Gantt chart, costs (budget lines, expenses),
//! timesheets (log a week, approve or reject), earned value with S-curves (project, program,
//! portfolio), templates, and MS Project import (preview, confirm) and exports.

use super::records::{err, form_error, form_page, portfolio_opts};
use super::{can, check_csrf, version_of};
use crate::AppState;
use crate::charts;
use crate::extract::{FormData, PageUser};
use crate::gantt;
use crate::views::*;
use askama::Template;
use atrium_app::plan::{EarnedValue, PlanOp, PlanView, TaskRow, civil_str, draft_of_task};
use atrium_app::plan_files::{Export, ImportPreview, MAX_IMPORT_BYTES};
use atrium_app::{Action, Actor, AppError};
use atrium_core::FieldError;
use atrium_core::identity::Placement;
use atrium_core::money::Minor;
use atrium_core::plan::{BudgetLineDraft, Constraint, ExpenseDraft, TaskDraft, format_duration};
use atrium_core::project::ProjectDraft;
use atrium_core::timesheet::{
    TemplateDraft, TimesheetDraft, TimesheetState, format_hours, week_of,
};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::civil::Date;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

type Q = Query<HashMap<String, String>>;

/// Rows per page of the plan table and the Gantt chart.
const ROWS_PER_PAGE: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/plan", get(plan_page))
        .route("/projects/{id}/plan/tasks", post(task_add))
        .route(
            "/projects/{id}/plan/tasks/{uid}",
            get(task_edit).post(task_update),
        )
        .route("/projects/{id}/plan/tasks/{uid}/move", post(task_move))
        .route(
            "/projects/{id}/plan/tasks/{uid}/delete",
            get(task_delete_confirm).post(task_delete),
        )
        .route("/projects/{id}/plan/dates", post(dates_update))
        .route("/projects/{id}/plan/baseline", post(baseline_set))
        .route(
            "/projects/{id}/plan/baseline/{n}/clear",
            get(baseline_clear_confirm).post(baseline_clear),
        )
        .route(
            "/projects/{id}/plan/import",
            post(import_upload).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024)),
        )
        .route(
            "/projects/{id}/plan/import/{iid}",
            get(import_preview).post(import_confirm),
        )
        .route("/projects/{id}/plan/export/{format}", get(plan_export))
        .route("/projects/{id}/plan/template", post(template_save))
        .route("/projects/{id}/gantt", get(gantt_page))
        .route("/projects/{id}/costs", get(costs_page))
        .route("/projects/{id}/costs/budget", post(budget_add))
        .route("/projects/{id}/costs/expenses", post(expense_add))
        .route(
            "/projects/{id}/costs/{kind}/{index}/remove",
            get(cost_remove_confirm).post(cost_remove),
        )
        .route("/projects/{id}/costs/export/{format}", get(costs_export))
        .route(
            "/projects/{id}/timesheets",
            get(timesheets_page).post(timesheet_save),
        )
        .route(
            "/projects/{id}/timesheets/export/{format}",
            get(timesheets_export),
        )
        .route("/timesheets/{id}/decide", post(timesheet_decide))
        .route("/projects/{id}/ev", get(ev_page))
        .route("/programs/{id}/ev", get(program_ev_page))
        .route("/portfolios/{id}/ev", get(portfolio_ev_page))
        .route("/people/{id}/rates", get(rates_page).post(rate_add))
        .route(
            "/people/{id}/rates/{from}/remove",
            get(rate_remove_confirm).post(rate_remove),
        )
        .route("/templates", get(templates_page))
        .route(
            "/templates/{id}/use",
            get(template_use_form).post(template_use),
        )
        .route(
            "/templates/{id}/delete",
            get(template_delete_confirm).post(template_delete),
        )
}

fn day(m: i64) -> String {
    civil_str(m)
}

fn money(m: i64) -> String {
    Minor(m).format()
}

fn notice_of(q: &HashMap<String, String>) -> String {
    match q.get("notice").map(String::as_str) {
        Some("task") => "Task saved; the plan was re-scheduled.",
        Some("deleted") => "Task deleted.",
        Some("moved") => "Outline changed.",
        Some("dates") => "Plan dates saved.",
        Some("baseline") => "Baseline saved.",
        Some("cleared") => "Baseline cleared.",
        Some("imported") => "The MS Project file was imported.",
        Some("template") => "Template saved.",
        Some("budget") => "Budget line added.",
        Some("expense") => "Expense added.",
        Some("removed") => "Removed.",
        Some("saved") => "Week saved.",
        Some("submitted") => "Week submitted for approval.",
        Some("approved") => "Timesheet approved: its hours are now actual work and cost.",
        Some("rejected") => "Timesheet rejected.",
        _ => "",
    }
    .into()
}

/// A file download (shared with the API).
pub(crate) fn export_response(e: Export) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", e.filename);
    (
        [
            (header::CONTENT_TYPE, e.content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        e.bytes,
    )
        .into_response()
}

// ======================= plan table =======================

struct PlanRow {
    uid: u32,
    name: String,
    level: u8,
    summary: bool,
    milestone: bool,
    critical: bool,
    duration: String,
    start: String,
    finish: String,
    predecessors: String,
    successors: String,
    resources: String,
    percent: String,
    float: String,
    variance: String,
    diagnostics: Vec<String>,
}

fn plan_row(r: &TaskRow, mpd: i64) -> PlanRow {
    PlanRow {
        uid: r.uid,
        name: r.name.clone(),
        level: r.level.min(8),
        summary: r.summary,
        milestone: r.milestone,
        critical: r.critical,
        duration: format_duration(r.duration, mpd),
        start: day(r.start),
        finish: day(r.finish),
        predecessors: r.predecessors.clone(),
        successors: r.external_successors.join(", "),
        resources: r.resources.clone(),
        percent: format!("{:.0}%", r.percent_complete),
        float: format_duration(r.total_float.max(0), mpd),
        variance: r.baseline.map_or_else(String::new, |b| {
            let d = (r.finish - b.finish) / 1440;
            match d {
                0 => "0d".into(),
                d if d > 0 => format!("+{d}d"),
                d => format!("{d}d"),
            }
        }),
        diagnostics: r.diagnostics.clone(),
    }
}

struct Foreign {
    key: String,
    href: String,
    uid: u32,
    name: String,
    dates: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    nav: Nav,
    tabs: Vec<Tab>,
    id: Uuid,
    title: String,
    notice: String,
    version: i64,
    start: String,
    status_date: String,
    finish: String,
    task_count: usize,
    critical: String,
    diagnostics: Vec<String>,
    rows: Vec<PlanRow>,
    prev_href: Option<String>,
    next_href: Option<String>,
    page_text: String,
    can_edit: bool,
    can_template: bool,
    /// The add-task form.
    fields: Vec<Field>,
    general_errors: Vec<String>,
    baselines: Vec<(u8, String)>,
    baseline: u8,
    foreign_in: Vec<Foreign>,
    foreign_out: Vec<Foreign>,
    template_errors: Vec<String>,
}

fn add_fields(d: &TaskDraft) -> Vec<Field> {
    vec![
        Field::text("name", "Task name", &d.name).required(),
        Field::text("duration", "Duration", &d.duration).help("5d, 3h, 2w; 0 for a milestone"),
        Field::text("predecessors", "Predecessors", &d.predecessors)
            .help("task ids with type and lag: 3, 5SS+2d; another project's task: KEY-001:12"),
        Field::text("resources", "Resources", &d.resources)
            .help("names or e-mails from the pool, with units: Ann Lee[50%]"),
    ]
}

async fn plan_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let draft = TaskDraft {
        duration: "1d".into(),
        ..Default::default()
    };
    render_plan(&s, &a, id, &q, &draft, &[], &[], StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
async fn render_plan(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    q: &HashMap<String, String>,
    draft: &TaskDraft,
    errors: &[FieldError],
    template_errors: &[FieldError],
    status: StatusCode,
) -> Response {
    let baseline: u8 = q
        .get("baseline")
        .and_then(|b| b.parse().ok())
        .filter(|b| *b < 11)
        .unwrap_or(0);
    let v = match s.app.plan_view(a, id, baseline).await {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let can_template = can(
        s,
        a,
        Action::ManageTemplates,
        &atrium_app::records::placement_of(&v.project),
    )
    .await;
    let page: usize = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let pages = v.rows.len().div_ceil(ROWS_PER_PAGE).max(1);
    let page = page.min(pages);
    let from = (page - 1) * ROWS_PER_PAGE;
    let rows: Vec<PlanRow> = v
        .rows
        .iter()
        .skip(from)
        .take(ROWS_PER_PAGE)
        .map(|r| plan_row(r, v.minutes_per_day))
        .collect();
    let href = |p: usize| format!("/projects/{id}/plan?page={p}&baseline={baseline}");
    let mut fields = add_fields(draft);
    let general_errors = attach_errors(&mut fields, errors);
    let foreign = |f: &atrium_app::plan::ForeignTask| Foreign {
        key: f.project_key.clone(),
        href: format!("/projects/{}/plan", f.project_id),
        uid: f.uid,
        name: f.name.clone(),
        dates: match (f.start, f.finish) {
            (Some(s), Some(e)) => format!("{} → {}", day(s), day(e)),
            _ => String::new(),
        },
    };
    let crit = v.critical_uids();
    let mut r = render(&PlanPage {
        nav: Nav::new(a, "/projects"),
        tabs: project_tabs(id, "/plan"),
        id,
        title: format!("{} {} — plan", v.project.key, v.project.name),
        notice: notice_of(q),
        version: v.plan.version,
        start: v.plan.start.to_string(),
        status_date: v
            .plan
            .status_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
        finish: if v.rows.is_empty() {
            "—".into()
        } else {
            day(v.project_finish)
        },
        task_count: v.rows.len(),
        critical: crit
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" → "),
        diagnostics: v.diagnostics.clone(),
        rows,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        page_text: format!("Page {page} of {pages}"),
        can_edit: v.can_edit,
        can_template,
        fields,
        general_errors,
        baselines: v
            .plan
            .baselines_set
            .iter()
            .map(|(n, at)| {
                let when = jiff::Timestamp::from_microsecond(*at)
                    .map(|t| t.to_string()[..16].replace('T', " "))
                    .unwrap_or_default();
                (*n, when)
            })
            .collect(),
        baseline,
        foreign_in: v.foreign_predecessors.iter().map(foreign).collect(),
        foreign_out: v.foreign_successors.iter().map(foreign).collect(),
        template_errors: template_errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect(),
    });
    *r.status_mut() = status;
    r
}

fn task_draft(f: &FormData) -> TaskDraft {
    TaskDraft {
        name: f.get("name"),
        duration: f.get("duration"),
        milestone: f.get("milestone") == "yes",
        predecessors: f.get("predecessors"),
        constraint: f.get("constraint"),
        constraint_date: f.get("constraint_date"),
        deadline: f.get("deadline"),
        percent_complete: f.get("percent_complete"),
        actual_start: f.get("actual_start"),
        actual_finish: f.get("actual_finish"),
        fixed_cost: f.get("fixed_cost"),
        resources: f.get("resources"),
        notes: f.get("notes"),
    }
}

async fn task_add(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = task_draft(&f);
    let op = PlanOp::AddTask {
        draft: d.clone(),
        after: None,
        level: None,
    };
    match s.app.edit_plan(&a, id, version_of(&f), op).await {
        Ok(o) => Redirect::to(&format!(
            "/projects/{id}/plan?notice=task&page=last#task-{}",
            o.uid.unwrap_or(0)
        ))
        .into_response(),
        Err(AppError::Validation(errs)) => {
            render_plan(
                &s,
                &a,
                id,
                &last_page(),
                &d,
                &errs,
                &[],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Stale { current }) => {
            let errs = [FieldError {
                field: "name".into(),
                message: format!(
                    "the plan changed meanwhile (now version {current}); your task was not added — check the plan and add it again"
                ),
            }];
            render_plan(
                &s,
                &a,
                id,
                &last_page(),
                &d,
                &errs,
                &[],
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => err(e),
    }
}

fn last_page() -> HashMap<String, String> {
    HashMap::from([("page".to_string(), "999999".to_string())])
}

fn task_fields(d: &TaskDraft) -> Vec<Field> {
    let yes_no = vec![("no".into(), "No".into()), ("yes".into(), "Yes".into())];
    vec![
        Field::text("name", "Task name", &d.name).required(),
        Field::text("duration", "Duration", &d.duration).help("5d, 3h, 2w; 0 for a milestone"),
        Field::select(
            "milestone",
            "Milestone",
            if d.milestone { "yes" } else { "no" },
            yes_no,
        ),
        Field::text("predecessors", "Predecessors", &d.predecessors)
            .help("3, 5SS+2d, 7FF-1d; another project's task: KEY-001:12"),
        Field::text("resources", "Resources", &d.resources)
            .help("names or e-mails from the pool, with units: Ann Lee[50%]"),
        Field::select(
            "constraint",
            "Constraint",
            if d.constraint.is_empty() {
                "asap"
            } else {
                &d.constraint
            },
            Constraint::ALL
                .iter()
                .map(|c| (c.as_str().to_string(), c.label().to_string()))
                .collect(),
        ),
        Field::text("constraint_date", "Constraint date", &d.constraint_date).kind(FieldKind::Date),
        Field::text("deadline", "Deadline", &d.deadline).kind(FieldKind::Date),
        Field::text("percent_complete", "% complete", &d.percent_complete),
        Field::text("actual_start", "Actual start", &d.actual_start).kind(FieldKind::Date),
        Field::text("actual_finish", "Actual finish", &d.actual_finish).kind(FieldKind::Date),
        Field::text("fixed_cost", "Fixed cost", &d.fixed_cost),
        Field::text("notes", "Notes", &d.notes).kind(FieldKind::Textarea),
    ]
}

async fn task_edit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, uid)): Path<(Uuid, u32)>,
) -> Response {
    let v = match s.app.plan_view(&a, id, 0).await {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    if !v.can_edit {
        return err(AppError::Forbidden);
    }
    let Some(d) = draft_of_task(&v, uid) else {
        return err(AppError::NotFound("task"));
    };
    form_page(
        &a,
        "/projects",
        format!("{} — task {uid}", v.project.key),
        format!("/projects/{id}/plan/tasks/{uid}"),
        task_fields(&d),
        &[],
        format!("/projects/{id}/plan"),
        Some(v.plan.version),
    )
}

async fn task_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, uid)): Path<(Uuid, u32)>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = task_draft(&f);
    let v = version_of(&f);
    match s
        .app
        .edit_plan(
            &a,
            id,
            v,
            PlanOp::UpdateTask {
                uid,
                draft: d.clone(),
            },
        )
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/projects/{id}/plan?notice=task#task-{uid}")).into_response()
        }
        Err(e) => form_error(e, |errs| {
            form_page(
                &a,
                "/projects",
                format!("Task {uid}"),
                format!("/projects/{id}/plan/tasks/{uid}"),
                task_fields(&d),
                errs,
                format!("/projects/{id}/plan"),
                Some(v),
            )
        }),
    }
}

async fn task_move(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, uid)): Path<(Uuid, u32)>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let Some(op) = crate::api::plan_move_op(&f.get("op"), uid) else {
        return err(AppError::field("op", "must be indent, outdent, up or down"));
    };
    match s.app.edit_plan(&a, id, version_of(&f), op).await {
        Ok(_) => {
            Redirect::to(&format!("/projects/{id}/plan?notice=moved#task-{uid}")).into_response()
        }
        Err(AppError::Validation(e)) => err(AppError::Validation(e)),
        Err(e) => err(e),
    }
}

async fn task_delete_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, uid)): Path<(Uuid, u32)>,
) -> Response {
    let v = match s.app.plan_view(&a, id, 0).await {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    if !v.can_edit {
        return err(AppError::Forbidden);
    }
    let Some(i) = v.plan.index_of(uid) else {
        return err(AppError::NotFound("task"));
    };
    let sub = v.plan.subtree(i).len() - 1;
    render(&ConfirmPage {
        nav: Nav::new(&a, "/projects"),
        title: format!("Delete task {uid} {}?", v.plan.tasks[i].name),
        message: if sub > 0 {
            format!(
                "Its {sub} subtasks and every link to them are deleted too. Timesheet hours already approved stay in the audit trail."
            )
        } else {
            "Its links are deleted too.".into()
        },
        action: format!("/projects/{id}/plan/tasks/{uid}/delete"),
        version: v.plan.version,
        cancel: format!("/projects/{id}/plan#task-{uid}"),
        button: "Yes, delete",
    })
}

async fn task_delete(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, uid)): Path<(Uuid, u32)>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s
        .app
        .edit_plan(&a, id, version_of(&f), PlanOp::DeleteTask { uid })
        .await
    {
        Ok(_) => Redirect::to(&format!("/projects/{id}/plan?notice=deleted")).into_response(),
        Err(e) => err(e),
    }
}

async fn dates_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let start = f.get("start").trim().parse::<Date>();
    let status = f.get("status_date");
    let status_date = match status.trim() {
        "" => Ok(None),
        s => s.parse::<Date>().map(Some),
    };
    let (Ok(start), Ok(status_date)) = (start, status_date) else {
        return render_plan(
            &s,
            &a,
            id,
            &HashMap::new(),
            &TaskDraft::default(),
            &[FieldError {
                field: "plan dates".into(),
                message: "start and status date must be dates like 2027-03-31".into(),
            }],
            &[],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match s
        .app
        .edit_plan(
            &a,
            id,
            version_of(&f),
            PlanOp::SetDates { start, status_date },
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/projects/{id}/plan?notice=dates")).into_response(),
        Err(e) => err(e),
    }
}

async fn baseline_set(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let n: u8 = f.get("n").parse().unwrap_or(99);
    match s
        .app
        .edit_plan(&a, id, version_of(&f), PlanOp::SetBaseline { n })
        .await
    {
        Ok(_) => Redirect::to(&format!("/projects/{id}/plan?notice=baseline&baseline={n}"))
            .into_response(),
        Err(e) => err(e),
    }
}

async fn baseline_clear_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, n)): Path<(Uuid, u8)>,
) -> Response {
    match s.app.plan_view(&a, id, n).await {
        Ok(v) if !v.can_edit => err(AppError::Forbidden),
        Ok(v) => render(&ConfirmPage {
            nav: Nav::new(&a, "/projects"),
            title: format!("Clear baseline {n} of {}?", v.project.key),
            message: "Its saved dates, work and cost are removed from every task; variance columns and earned value against it disappear.".into(),
            action: format!("/projects/{id}/plan/baseline/{n}/clear"),
            version: v.plan.version,
            cancel: format!("/projects/{id}/plan"),
            button: "Yes, clear it",
        }),
        Err(e) => err(e),
    }
}

async fn baseline_clear(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, n)): Path<(Uuid, u8)>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s
        .app
        .edit_plan(&a, id, version_of(&f), PlanOp::ClearBaseline { n })
        .await
    {
        Ok(_) => Redirect::to(&format!("/projects/{id}/plan?notice=cleared")).into_response(),
        Err(e) => err(e),
    }
}

// ======================= import / export / templates =======================

#[derive(Template)]
#[template(path = "plan_import.html")]
struct ImportPage {
    nav: Nav,
    tabs: Vec<Tab>,
    id: Uuid,
    title: String,
    preview: ImportPreview,
    added: Vec<String>,
    removed: Vec<String>,
    changed: Vec<String>,
    more: usize,
    version: i64,
}

async fn import_upload(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    mut mp: Multipart,
) -> Response {
    let mut csrf = String::new();
    let mut bytes = Vec::new();
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
                Some("file") => match field.bytes().await {
                    Ok(b) => bytes = b.to_vec(),
                    Err(_) => {
                        return err(AppError::field(
                            "file",
                            format!(
                                "could not be read (larger than {} MB?)",
                                MAX_IMPORT_BYTES / 1024 / 1024
                            ),
                        ));
                    }
                },
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                return err(AppError::field(
                    "file",
                    "the upload was malformed or too large",
                ));
            }
        }
    }
    if let Some(r) = check_csrf(&a, &FormData(vec![("_csrf".into(), csrf)])) {
        return r;
    }
    match s.app.import_preview(&a, id, &bytes, &mut |_, _| {}).await {
        Ok(p) => Redirect::to(&format!("/projects/{id}/plan/import/{}", p.id)).into_response(),
        Err(AppError::Validation(errs)) => {
            render_plan(
                &s,
                &a,
                id,
                &HashMap::new(),
                &TaskDraft::default(),
                &[],
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => err(e),
    }
}

async fn import_preview(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, iid)): Path<(Uuid, Uuid)>,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let p = s.app.pending_import(&a, id, iid).await?;
        let v = s.app.plan_view(&a, id, 0).await?;
        const SHOW: usize = 50;
        let more = p.diff.added.len().saturating_sub(SHOW)
            + p.diff.removed.len().saturating_sub(SHOW)
            + p.diff.changed.len().saturating_sub(SHOW);
        Ok(render(&ImportPage {
            nav: Nav::new(&a, "/projects"),
            tabs: project_tabs(id, "/plan"),
            id,
            title: format!("Import into {} — preview", v.project.key),
            added: p
                .diff
                .added
                .iter()
                .take(SHOW)
                .map(|t| format!("{} {}", t.uid, t.name))
                .collect(),
            removed: p
                .diff
                .removed
                .iter()
                .take(SHOW)
                .map(|t| format!("{} {}", t.uid, t.name))
                .collect(),
            changed: p
                .diff
                .changed
                .iter()
                .take(SHOW)
                .map(|t| format!("{} {}: {}", t.uid, t.name, t.fields.join(", ")))
                .collect(),
            more,
            version: v.plan.version,
            preview: p,
        }))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn import_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, iid)): Path<(Uuid, Uuid)>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s.app.import_apply(&a, id, iid, version_of(&f)).await {
        Ok(_) => Redirect::to(&format!("/projects/{id}/plan?notice=imported")).into_response(),
        Err(e) => err(e),
    }
}

async fn plan_export(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, format)): Path<(Uuid, String)>,
) -> Response {
    match s.app.export_plan(&a, id, &format).await {
        Ok(e) => export_response(e),
        Err(e) => err(e),
    }
}

async fn template_save(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = TemplateDraft {
        name: f.get("template_name"),
        description: f.get("template_description"),
        checklist: f.get("checklist"),
    };
    match s.app.save_template(&a, id, &d).await {
        Ok(_) => Redirect::to(&format!("/projects/{id}/plan?notice=template")).into_response(),
        Err(AppError::Validation(errs)) => {
            render_plan(
                &s,
                &a,
                id,
                &HashMap::new(),
                &TaskDraft::default(),
                &[],
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => err(e),
    }
}

struct TemplateRow {
    id: Uuid,
    name: String,
    description: String,
    tasks: usize,
    checklist: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan_templates.html")]
struct TemplatesPage {
    nav: Nav,
    rows: Vec<TemplateRow>,
    can_manage: bool,
}

async fn templates_page(State(s): State<AppState>, PageUser(a): PageUser) -> Response {
    let list = match s.app.list_templates(&a).await {
        Ok(l) => l,
        Err(e) => return err(e),
    };
    let can_manage = can(&s, &a, Action::ManageTemplates, &Placement::ORGANIZATION).await;
    render(&TemplatesPage {
        nav: Nav::new(&a, "/templates"),
        rows: list
            .into_iter()
            .map(|t| TemplateRow {
                id: t.id,
                name: t.name,
                description: t.description,
                tasks: t.tasks.len(),
                checklist: t.checklist,
            })
            .collect(),
        can_manage,
    })
}

fn use_fields(f: &HashMap<&str, String>, lk: &atrium_app::records::Lookups) -> Vec<Field> {
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    vec![
        Field::text("key", "Project key", g("key"))
            .required()
            .help("e.g. PRJ-120"),
        Field::text("name", "Project name", g("name")).required(),
        Field::select(
            "portfolio_id",
            "Portfolio",
            g("portfolio_id"),
            portfolio_opts(lk, "Choose…"),
        )
        .required(),
        Field::text("start", "Plan start", g("start"))
            .kind(FieldKind::Date)
            .required(),
    ]
}

async fn template_use_form(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(tid): Path<Uuid>,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let t = s.app.get_template(&a, tid).await?;
        // Only those who may create projects (somewhere) get the form.
        if !atrium_app::permissions::roles_for(
            Action::CreateProject,
            s.app.settings().await?.operating_mode,
        )
        .iter()
        .any(|r| a.grants.iter().any(|g| g.role == *r))
        {
            return Err(AppError::Forbidden);
        }
        let lk = s.app.lookups().await?;
        let today = s.app.today().to_string();
        Ok(form_page(
            &a,
            "/templates",
            format!("New project from “{}”", t.name),
            format!("/templates/{tid}/use"),
            use_fields(&HashMap::from([("start", today)]), &lk),
            &[],
            "/templates".into(),
            None,
        ))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn template_use(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(tid): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let typed: HashMap<&str, String> = ["key", "name", "portfolio_id", "start"]
        .into_iter()
        .map(|k| (k, f.get(k)))
        .collect();
    let start = f.get("start").trim().parse::<Date>();
    let d = ProjectDraft {
        key: f.get("key"),
        name: f.get("name"),
        portfolio_id: f.uuid("portfolio_id"),
        phase: "planning".into(),
        planned_start: Some(f.get("start")),
        status: "green".into(),
        ..Default::default()
    };
    let result = match start {
        Ok(start) => s.app.create_from_template(&a, tid, &d, start).await,
        Err(_) => Err(AppError::field("start", "must be a date like 2027-03-01")),
    };
    let lk = match s.app.lookups().await {
        Ok(l) => l,
        Err(e) => return err(e),
    };
    match result {
        Ok(p) => Redirect::to(&format!("/projects/{}/plan?notice=task", p.id)).into_response(),
        Err(e) => form_error(e, |errs| {
            form_page(
                &a,
                "/templates",
                "New project from a template".into(),
                format!("/templates/{tid}/use"),
                use_fields(&typed, &lk),
                errs,
                "/templates".into(),
                None,
            )
        }),
    }
}

async fn template_delete_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(tid): Path<Uuid>,
) -> Response {
    if !can(&s, &a, Action::ManageTemplates, &Placement::ORGANIZATION).await {
        return err(AppError::Forbidden);
    }
    match s.app.get_template(&a, tid).await {
        Ok(t) => render(&ConfirmPage {
            nav: Nav::new(&a, "/templates"),
            title: format!("Delete the template “{}”?", t.name),
            message: "Projects already started from it keep their plans.".into(),
            action: format!("/templates/{tid}/delete"),
            version: t.version,
            cancel: "/templates".into(),
            button: "Yes, delete",
        }),
        Err(e) => err(e),
    }
}

async fn template_delete(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(tid): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s.app.delete_template(&a, tid).await {
        Ok(()) => Redirect::to("/templates").into_response(),
        Err(e) => err(e),
    }
}

// ======================= Gantt =======================

#[derive(Template)]
#[template(path = "plan_gantt.html")]
struct GanttPage {
    nav: Nav,
    tabs: Vec<Tab>,
    title: String,
    svg: String,
    zooms: Vec<(String, &'static str, bool)>,
    prev_href: Option<String>,
    next_href: Option<String>,
    page_text: String,
    expand_all: Option<String>,
}

async fn gantt_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let baseline: u8 = q
        .get("baseline")
        .and_then(|b| b.parse().ok())
        .filter(|b| *b < 11)
        .unwrap_or(0);
    let v = match s.app.plan_view(&a, id, baseline).await {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let zoom = q
        .get("zoom")
        .and_then(|z| gantt::Zoom::parse(z))
        .unwrap_or(gantt::Zoom::Week);
    let collapsed: HashSet<u32> = q
        .get("collapsed")
        .map(|c| c.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default();
    let svg_and_pages = gantt_svg(&s, &v, zoom, &collapsed, &q, baseline);
    let (svg, page, pages) = svg_and_pages;
    let base = |z: gantt::Zoom, p: usize| gantt_href(id, z, p, baseline, &collapsed);
    render(&GanttPage {
        nav: Nav::new(&a, "/projects"),
        tabs: project_tabs(id, "/gantt"),
        title: format!("{} {} — Gantt", v.project.key, v.project.name),
        svg,
        zooms: gantt::Zoom::ALL
            .iter()
            .map(|z| (base(*z, page), z.label(), *z == zoom))
            .collect(),
        prev_href: (page > 1).then(|| base(zoom, page - 1)),
        next_href: (page < pages).then(|| base(zoom, page + 1)),
        page_text: format!("Page {page} of {pages}"),
        expand_all: (!collapsed.is_empty()).then(|| {
            format!(
                "/projects/{id}/gantt?zoom={}&baseline={baseline}",
                zoom.as_str()
            )
        }),
    })
}

/// The Gantt page's address for a zoom, page, baseline and set of collapsed summaries.
fn gantt_href(
    id: Uuid,
    zoom: gantt::Zoom,
    page: usize,
    baseline: u8,
    collapsed: &HashSet<u32>,
) -> String {
    let mut c: Vec<u32> = collapsed.iter().copied().collect();
    c.sort_unstable();
    let c: Vec<String> = c.iter().map(u32::to_string).collect();
    format!(
        "/projects/{id}/gantt?zoom={}&page={page}&baseline={baseline}&collapsed={}",
        zoom.as_str(),
        c.join(",")
    )
}

fn gantt_svg(
    s: &AppState,
    v: &PlanView,
    zoom: gantt::Zoom,
    collapsed: &HashSet<u32>,
    q: &HashMap<String, String>,
    baseline: u8,
) -> (String, usize, usize) {
    let id = v.plan.project_id;
    // Visible rows: children of collapsed summaries are hidden.
    let mut visible: Vec<usize> = Vec::with_capacity(v.rows.len());
    let mut hide_below: Option<u8> = None;
    for (i, r) in v.rows.iter().enumerate() {
        if let Some(l) = hide_below {
            if r.level > l {
                continue;
            }
            hide_below = None;
        }
        visible.push(i);
        if r.summary && collapsed.contains(&r.uid) {
            hide_below = Some(r.level);
        }
    }
    let pages = visible.len().div_ceil(ROWS_PER_PAGE).max(1);
    let page: usize = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(pages);
    let slice = &visible[(page - 1) * ROWS_PER_PAGE..(page * ROWS_PER_PAGE).min(visible.len())];
    let mut rows: Vec<gantt::GanttRow> =
        Vec::with_capacity(slice.len() + v.foreign_predecessors.len());
    let mut pos: HashMap<(Option<Uuid>, u32), usize> = HashMap::new();
    if page == 1 {
        for f in &v.foreign_predecessors {
            if let (Some(st), Some(fi)) = (f.start, f.finish) {
                pos.insert((Some(f.project_id), f.uid), rows.len());
                rows.push(gantt::GanttRow {
                    uid: f.uid,
                    label: format!("{}:{} {}", f.project_key, f.uid, f.name),
                    level: 1,
                    summary: false,
                    collapsed: false,
                    milestone: st == fi,
                    critical: false,
                    external: true,
                    start: st,
                    finish: fi,
                    baseline: None,
                    percent_complete: 0,
                    href: Some(format!("/projects/{}/plan", f.project_id)),
                    toggle_href: None,
                });
            }
        }
    }
    for &i in slice {
        let r = &v.rows[i];
        pos.insert((None, r.uid), rows.len());
        let toggle = r.summary.then(|| {
            let mut c = collapsed.clone();
            if !c.remove(&r.uid) {
                c.insert(r.uid);
            }
            gantt_href(id, zoom, page, baseline, &c)
        });
        rows.push(gantt::GanttRow {
            uid: r.uid,
            label: r.name.clone(),
            level: r.level,
            summary: r.summary,
            collapsed: r.summary && collapsed.contains(&r.uid),
            milestone: r.milestone,
            critical: r.critical,
            external: false,
            start: r.start,
            finish: r.finish,
            baseline: r.baseline.map(|b| (b.start, b.finish)),
            percent_complete: r.percent_complete.round().clamp(0.0, 100.0) as u8,
            href: v
                .can_edit
                .then(|| format!("/projects/{id}/plan/tasks/{}", r.uid)),
            toggle_href: toggle,
        });
    }
    let crit: HashSet<u32> = v.critical_uids().into_iter().collect();
    let kind = |k: atrium_core::plan::LinkType| match k {
        atrium_core::plan::LinkType::Fs => gantt::Kind::Fs,
        atrium_core::plan::LinkType::Ss => gantt::Kind::Ss,
        atrium_core::plan::LinkType::Ff => gantt::Kind::Ff,
        atrium_core::plan::LinkType::Sf => gantt::Kind::Sf,
    };
    let mut links: Vec<gantt::GanttLink> = v
        .plan
        .links
        .iter()
        .filter_map(|l| {
            let from = *pos.get(&(l.pred_project, l.pred))?;
            let to = *pos.get(&(None, l.succ))?;
            Some(gantt::GanttLink {
                from,
                to,
                kind: kind(l.kind),
                critical: crit.contains(&l.pred) && crit.contains(&l.succ),
            })
        })
        .collect();
    // Cross-project predecessors are not in plan.links: draw them from the rows' text.
    for r in slice.iter().map(|&i| &v.rows[i]) {
        for f in &v.foreign_predecessors {
            if r.predecessors
                .contains(&format!("{}:{}", f.project_key, f.uid))
                && let (Some(&from), Some(&to)) = (
                    pos.get(&(Some(f.project_id), f.uid)),
                    pos.get(&(None, r.uid)),
                )
            {
                links.push(gantt::GanttLink {
                    from,
                    to,
                    kind: gantt::Kind::Fs,
                    critical: false,
                });
            }
        }
    }
    let lo = rows
        .iter()
        .map(|r| r.start.min(r.baseline.map_or(r.start, |b| b.0)))
        .min();
    let hi = rows
        .iter()
        .map(|r| r.finish.max(r.baseline.map_or(r.finish, |b| b.1)))
        .max();
    let today = atrium_app::plan::sdate(s.app.today()).at(12 * 60).0;
    let (from, to) = match (lo, hi) {
        (Some(a), Some(b)) => (a - 2 * 1440, b + 7 * 1440),
        _ => (today - 7 * 1440, today + 28 * 1440),
    };
    let svg = gantt::render(&gantt::GanttInput {
        rows: &rows,
        links: &links,
        zoom,
        from,
        to,
        today: Some(today),
        status_date: v
            .plan
            .status_date
            .map(|d| atrium_app::plan::sdate(d).at(17 * 60).0),
        title: format!("Gantt chart of {}", v.project.key),
    });
    (svg, page, pages)
}

// ======================= costs =======================

#[derive(Template)]
#[template(path = "plan_costs.html")]
struct CostsPage {
    nav: Nav,
    tabs: Vec<Tab>,
    id: Uuid,
    title: String,
    notice: String,
    currency: String,
    version: i64,
    can_edit: bool,
    planned: String,
    baseline: String,
    actual: String,
    budget: String,
    remaining: String,
    over: bool,
    budget_rows: Vec<(usize, String, String, String)>,
    expense_rows: Vec<(usize, String, String, String, String, bool)>,
    budget_fields: Vec<Field>,
    expense_fields: Vec<Field>,
    errors: Vec<String>,
}

fn budget_fields(d: &BudgetLineDraft) -> Vec<Field> {
    vec![
        Field::text("category", "Category", &d.category)
            .required()
            .help("labour, hardware, licences…"),
        Field::text("period", "Fiscal period", &d.period)
            .required()
            .help("FY2027 or 2027-Q1"),
        Field::text("amount", "Amount", &d.amount).required(),
    ]
}

fn expense_fields(d: &ExpenseDraft) -> Vec<Field> {
    vec![
        Field::text("date", "Date", &d.date)
            .kind(FieldKind::Date)
            .required(),
        Field::text("category", "Category", &d.category).required(),
        Field::text("description", "Description", &d.description).required(),
        Field::text("amount", "Amount", &d.amount).required(),
        Field::select(
            "actual",
            "Kind",
            if d.actual { "yes" } else { "no" },
            vec![
                ("no".into(), "Planned".into()),
                ("yes".into(), "Actual (spent)".into()),
            ],
        ),
    ]
}

async fn costs_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    render_costs(
        &s,
        &a,
        id,
        notice_of(&q),
        &BudgetLineDraft::default(),
        &ExpenseDraft::default(),
        &[],
        &[],
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_costs(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    notice: String,
    bd: &BudgetLineDraft,
    ed: &ExpenseDraft,
    berr: &[FieldError],
    eerr: &[FieldError],
) -> Response {
    let v = match s.app.plan_view(a, id, 0).await {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let leaves = v.rows.iter().zip(&v.plan.tasks).filter(|(r, _)| !r.summary);
    let (mut planned, mut baseline, mut actual) = (0i64, 0i64, 0i64);
    for (r, t) in leaves {
        planned += r.cost;
        baseline += r.baseline.map_or(0, |b| b.cost);
        actual += t.actual_cost;
    }
    for e in &v.plan.expenses {
        if e.actual {
            actual += e.amount.0;
        } else {
            planned += e.amount.0;
        }
    }
    let budget: i64 = v.plan.budget.iter().map(|b| b.amount.0).sum();
    let mut bf = budget_fields(bd);
    let mut ef = expense_fields(ed);
    let mut errors = attach_errors(&mut bf, berr);
    errors.extend(attach_errors(&mut ef, eerr));
    let status = if berr.is_empty() && eerr.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(&CostsPage {
        nav: Nav::new(a, "/projects"),
        tabs: project_tabs(id, "/costs"),
        id,
        title: format!("{} {} — costs", v.project.key, v.project.name),
        notice,
        currency: v.currency.clone(),
        version: v.plan.version,
        can_edit: v.can_edit,
        planned: money(planned),
        baseline: money(baseline),
        actual: money(actual),
        budget: money(budget),
        remaining: money(budget - planned.max(actual)),
        over: budget > 0 && planned.max(actual) > budget,
        budget_rows: v
            .plan
            .budget
            .iter()
            .enumerate()
            .map(|(i, b)| (i, b.category.clone(), b.period.clone(), b.amount.format()))
            .collect(),
        expense_rows: v
            .plan
            .expenses
            .iter()
            .enumerate()
            .map(|(i, e)| {
                (
                    i,
                    e.date.to_string(),
                    e.category.clone(),
                    e.description.clone(),
                    e.amount.format(),
                    e.actual,
                )
            })
            .collect(),
        budget_fields: bf,
        expense_fields: ef,
        errors,
    });
    *r.status_mut() = status;
    r
}

async fn budget_add(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = BudgetLineDraft {
        category: f.get("category"),
        period: f.get("period"),
        amount: f.get("amount"),
    };
    let r = match d.validate() {
        Ok(line) => {
            s.app
                .edit_plan(&a, id, version_of(&f), PlanOp::AddBudgetLine(line))
                .await
        }
        Err(e) => Err(AppError::Validation(e)),
    };
    match r {
        Ok(_) => Redirect::to(&format!("/projects/{id}/costs?notice=budget")).into_response(),
        Err(AppError::Validation(errs)) => {
            render_costs(
                &s,
                &a,
                id,
                String::new(),
                &d,
                &ExpenseDraft::default(),
                &errs,
                &[],
            )
            .await
        }
        Err(e) => err(e),
    }
}

async fn expense_add(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = ExpenseDraft {
        date: f.get("date"),
        category: f.get("category"),
        description: f.get("description"),
        amount: f.get("amount"),
        actual: f.get("actual") == "yes",
    };
    let r = match d.validate() {
        Ok(e) => {
            s.app
                .edit_plan(&a, id, version_of(&f), PlanOp::AddExpense(e))
                .await
        }
        Err(e) => Err(AppError::Validation(e)),
    };
    match r {
        Ok(_) => Redirect::to(&format!("/projects/{id}/costs?notice=expense")).into_response(),
        Err(AppError::Validation(errs)) => {
            render_costs(
                &s,
                &a,
                id,
                String::new(),
                &BudgetLineDraft::default(),
                &d,
                &[],
                &errs,
            )
            .await
        }
        Err(e) => err(e),
    }
}

async fn cost_remove_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, kind, index)): Path<(Uuid, String, usize)>,
) -> Response {
    let v = match s.app.plan_view(&a, id, 0).await {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    if !v.can_edit {
        return err(AppError::Forbidden);
    }
    let what = match kind.as_str() {
        "budget" => v.plan.budget.get(index).map(|b| {
            format!(
                "the budget line {} {} ({})",
                b.category,
                b.period,
                b.amount.format()
            )
        }),
        "expenses" => v.plan.expenses.get(index).map(|e| {
            format!(
                "the expense {} on {} ({})",
                e.description,
                e.date,
                e.amount.format()
            )
        }),
        _ => None,
    };
    let Some(what) = what else {
        return err(AppError::NotFound("cost line"));
    };
    render(&ConfirmPage {
        nav: Nav::new(&a, "/projects"),
        title: format!("Remove {what}?"),
        message: "The removal is recorded in the audit trail.".into(),
        action: format!("/projects/{id}/costs/{kind}/{index}/remove"),
        version: v.plan.version,
        cancel: format!("/projects/{id}/costs"),
        button: "Yes, remove",
    })
}

async fn cost_remove(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, kind, index)): Path<(Uuid, String, usize)>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let op = match kind.as_str() {
        "budget" => PlanOp::RemoveBudgetLine { index },
        "expenses" => PlanOp::RemoveExpense { index },
        _ => return err(AppError::NotFound("cost line")),
    };
    match s.app.edit_plan(&a, id, version_of(&f), op).await {
        Ok(_) => Redirect::to(&format!("/projects/{id}/costs?notice=removed")).into_response(),
        Err(e) => err(e),
    }
}

async fn costs_export(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, format)): Path<(Uuid, String)>,
) -> Response {
    match s.app.export_costs(&a, id, &format).await {
        Ok(e) => export_response(e),
        Err(e) => err(e),
    }
}

// ======================= timesheets =======================

struct WeekRow {
    index: usize,
    task: String,
    task_name: String,
    cells: Vec<(String, String, Option<String>)>,
    total: String,
}

struct Approval {
    id: Uuid,
    person: String,
    week: String,
    hours: String,
    state: String,
    version: i64,
    comment: String,
    submitted: bool,
}

#[derive(Template)]
#[template(path = "plan_timesheets.html")]
struct TimesheetsPage {
    nav: Nav,
    tabs: Vec<Tab>,
    id: Uuid,
    title: String,
    notice: String,
    week: String,
    days: Vec<String>,
    prev_week: String,
    next_week: String,
    state: String,
    comment: String,
    editable: bool,
    linked: bool,
    version: i64,
    rows: Vec<WeekRow>,
    task_options: Vec<(String, String)>,
    errors: Vec<String>,
    can_approve: bool,
    approvals: Vec<Approval>,
}

fn week_of_query(s: &AppState, q: &HashMap<String, String>) -> Date {
    q.get("week")
        .and_then(|w| w.parse::<Date>().ok())
        .map(week_of)
        .unwrap_or_else(|| week_of(s.app.today()))
}

async fn timesheets_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let week = week_of_query(&s, &q);
    render_timesheets(&s, &a, id, week, notice_of(&q), None, &[]).await
}

async fn render_timesheets(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    week: Date,
    notice: String,
    typed: Option<&TimesheetDraft>,
    errors: &[FieldError],
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let p = s.app.get_project(a, id).await?;
        let my = s.app.my_week(a, id, week).await?;
        let can_approve = s.app.can_approve_timesheets(a, &p).await?;
        let approvals = if can_approve {
            s.app
                .project_timesheets(a, id, None)
                .await?
                .into_iter()
                .take(50)
                .map(|r| Approval {
                    id: r.timesheet.id,
                    person: r.person,
                    week: r.timesheet.week_start.to_string(),
                    hours: format!("{:.1}", r.hours),
                    state: r.timesheet.state.label().into(),
                    version: r.timesheet.version,
                    comment: r.timesheet.comment.clone().unwrap_or_default(),
                    submitted: r.timesheet.state == TimesheetState::Submitted,
                })
                .collect()
        } else {
            Vec::new()
        };
        let names: HashMap<u32, String> = my.tasks.iter().map(|t| (t.uid, t.name.clone())).collect();
        // Rows: what was typed (on error), else saved entries, then my tasks, then blanks.
        let mut src: Vec<(String, [String; 7])> = match typed {
            Some(d) => d.rows.clone(),
            None => {
                let mut rows: Vec<(String, [String; 7])> = my
                    .timesheet
                    .iter()
                    .flat_map(|t| t.entries.iter())
                    .map(|e| (e.task_uid.to_string(), std::array::from_fn(|d| format_hours(e.minutes[d]))))
                    .collect();
                let have: HashSet<String> = rows.iter().map(|r| r.0.clone()).collect();
                for t in my.tasks.iter().filter(|t| t.mine && !have.contains(&t.uid.to_string())).take(20) {
                    rows.push((t.uid.to_string(), Default::default()));
                }
                rows
            }
        };
        while src.len() < 3 || (typed.is_none() && src.iter().filter(|r| r.0.is_empty()).count() < 2 && src.len() < 25) {
            src.push((String::new(), Default::default()));
        }
        let err_of = |f: &str| errors.iter().find(|e| e.field == f).map(|e| e.message.clone());
        let rows = src
            .iter()
            .enumerate()
            .map(|(i, (task, cells))| {
                let total: u32 = cells.iter().filter_map(|c| atrium_core::timesheet::parse_hours(c).ok()).map(u32::from).sum();
                WeekRow {
                    index: i,
                    task: task.clone(),
                    task_name: task.parse::<u32>().ok().and_then(|u| names.get(&u).cloned()).unwrap_or_default(),
                    cells: (0..7)
                        .map(|d| (format!("row{i}_day{d}"), cells[d].clone(), err_of(&format!("row{i}_day{d}"))))
                        .collect(),
                    total: format_hours(total.min(u32::from(u16::MAX)) as u16),
                }
            })
            .collect();
        let mut general: Vec<String> = errors
            .iter()
            .filter(|e| !e.field.contains("_day"))
            .map(|e| format!("{}: {}", e.field.replace('_', " "), e.message))
            .collect();
        if my.person_id.is_none() {
            general.push("Your account is not linked to a person in the resource pool, so you cannot log time here; ask the resource manager.".into());
        }
        let (state, editable, version, comment) = match &my.timesheet {
            Some(t) => (t.state.label().to_string(), t.state.editable(), t.version, t.comment.clone().unwrap_or_default()),
            None => ("Not started".into(), true, 0, String::new()),
        };
        let days = (0..7)
            .map(|d| {
                week.checked_add(jiff::Span::new().days(d))
                    .map(|x| x.strftime("%a %d").to_string())
                    .unwrap_or_default()
            })
            .collect();
        let shift = |n: i64| week.checked_add(jiff::Span::new().days(n)).unwrap_or(week).to_string();
        let mut r = render(&TimesheetsPage {
            nav: Nav::new(a, "/projects"),
            tabs: project_tabs(id, "/timesheets"),
            id,
            title: format!("{} {} — timesheets", p.key, p.name),
            notice,
            week: week.to_string(),
            days,
            prev_week: shift(-7),
            next_week: shift(7),
            state,
            comment,
            editable: editable && my.person_id.is_some(),
            linked: my.person_id.is_some(),
            version,
            rows,
            task_options: my.tasks.iter().take(1000).map(|t| (t.uid.to_string(), format!("{} {}", t.uid, t.name))).collect(),
            errors: general,
            can_approve,
            approvals,
        });
        if !errors.is_empty() {
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(r)
    }
    .await;
    r.unwrap_or_else(err)
}

async fn timesheet_save(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let Ok(week) = f.get("week").parse::<Date>() else {
        return err(AppError::field("week", "must be a date"));
    };
    let mut d = TimesheetDraft::default();
    for i in 0..atrium_core::timesheet::MAX_ROWS {
        let task = f.opt(&format!("row{i}_task"));
        let Some(task) = task else {
            if f.opt(&format!("row{i}_day0")).is_none() {
                break;
            }
            continue;
        };
        d.rows.push((
            task,
            std::array::from_fn(|day| f.get(&format!("row{i}_day{day}"))),
        ));
    }
    let submit = f.get("submit") == "yes";
    match s
        .app
        .save_my_week(&a, id, week, &d, version_of(&f), submit)
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/projects/{id}/timesheets?week={week}&notice={}",
            if submit { "submitted" } else { "saved" }
        ))
        .into_response(),
        Err(AppError::Validation(errs)) => {
            render_timesheets(&s, &a, id, week, String::new(), Some(&d), &errs).await
        }
        Err(AppError::Stale { .. }) => {
            render_timesheets(
                &s,
                &a,
                id,
                week,
                String::new(),
                Some(&d),
                &[FieldError {
                    field: "week".into(),
                    message: "this week was changed meanwhile; reload it".into(),
                }],
            )
            .await
        }
        Err(e) => err(e),
    }
}

async fn timesheet_decide(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(tid): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let approve = f.get("decision") == "approve";
    let project = f.uuid("project_id");
    match s
        .app
        .decide_timesheet(&a, tid, approve, f.opt("comment"), version_of(&f))
        .await
    {
        Ok(t) => Redirect::to(&format!(
            "/projects/{}/timesheets?week={}&notice={}",
            t.project_id,
            t.week_start,
            if approve { "approved" } else { "rejected" }
        ))
        .into_response(),
        Err(AppError::Validation(errs)) if project.is_some() => {
            let week = week_of(s.app.today());
            render_timesheets(
                &s,
                &a,
                project.unwrap_or_default(),
                week,
                String::new(),
                None,
                &errs,
            )
            .await
        }
        Err(e) => err(e),
    }
}

async fn timesheets_export(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, format)): Path<(Uuid, String)>,
) -> Response {
    match s.app.export_timesheets(&a, id, &format).await {
        Ok(e) => export_response(e),
        Err(e) => err(e),
    }
}

// ======================= earned value =======================

struct Metric {
    label: &'static str,
    value: String,
    help: &'static str,
    class: &'static str,
}

fn metrics_rows(m: &atrium_app::plan::EvmMetrics) -> Vec<Metric> {
    let idx = |x: Option<f64>| x.map_or_else(|| "—".into(), |v| format!("{v:.2}"));
    let opt = |x: Option<i64>| x.map_or_else(|| "—".into(), money);
    let cls = |x: Option<f64>| match x {
        Some(v) if v < 0.9 => "bad",
        Some(v) if v < 1.0 => "warn",
        Some(_) => "good",
        None => "",
    };
    vec![
        Metric {
            label: "BAC",
            value: money(m.bac),
            help: "budget at completion (baseline 0 cost)",
            class: "",
        },
        Metric {
            label: "PV",
            value: money(m.pv),
            help: "planned value at the status date",
            class: "",
        },
        Metric {
            label: "EV",
            value: money(m.ev),
            help: "earned value: % complete × budget",
            class: "",
        },
        Metric {
            label: "AC",
            value: money(m.ac),
            help: "actual cost (approved hours, actual expenses)",
            class: "",
        },
        Metric {
            label: "SV",
            value: money(m.sv),
            help: "schedule variance EV − PV",
            class: if m.sv < 0 { "bad" } else { "" },
        },
        Metric {
            label: "CV",
            value: money(m.cv),
            help: "cost variance EV − AC",
            class: if m.cv < 0 { "bad" } else { "" },
        },
        Metric {
            label: "SPI",
            value: idx(m.spi),
            help: "schedule performance index EV / PV",
            class: cls(m.spi),
        },
        Metric {
            label: "CPI",
            value: idx(m.cpi),
            help: "cost performance index EV / AC",
            class: cls(m.cpi),
        },
        Metric {
            label: "EAC",
            value: opt(m.eac_cpi),
            help: "estimate at completion BAC / CPI",
            class: "",
        },
        Metric {
            label: "EAC (CPI×SPI)",
            value: opt(m.eac_cpi_spi),
            help: "AC + (BAC − EV) / (CPI × SPI)",
            class: "",
        },
        Metric {
            label: "ETC",
            value: opt(m.etc),
            help: "estimate to complete EAC − AC",
            class: "",
        },
        Metric {
            label: "VAC",
            value: opt(m.vac),
            help: "variance at completion BAC − EAC",
            class: "",
        },
        Metric {
            label: "TCPI",
            value: idx(m.tcpi),
            help: "efficiency needed to finish on budget",
            class: "",
        },
    ]
}

struct RollupRow {
    href: String,
    key: String,
    name: String,
    metrics: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan_ev.html")]
struct EvPage {
    nav: Nav,
    tabs: Vec<Tab>,
    title: String,
    action: String,
    status_date: String,
    metrics: Vec<Metric>,
    chart: String,
    note: String,
    rollup: Vec<RollupRow>,
}

fn s_curve_chart(e: &EarnedValue) -> String {
    if e.curve.is_empty() {
        return String::new();
    }
    let first = e.curve[0].end;
    let x = |t: i64| ((t - first) as f64 / (7.0 * 1440.0)).round();
    let major = |m: i64| m as f64 / 100.0;
    let series = vec![
        charts::Series {
            name: "Planned value (PV)".into(),
            class: "pv".into(),
            points: e
                .curve
                .iter()
                .map(|p| (x(p.end), major(p.pv_cumulative)))
                .collect(),
        },
        charts::Series {
            name: "Earned value (EV)".into(),
            class: "ev".into(),
            points: e
                .curve
                .iter()
                .filter_map(|p| Some((x(p.end), major(p.ev_cumulative?))))
                .collect(),
        },
        charts::Series {
            name: "Actual cost (AC)".into(),
            class: "ac".into(),
            points: e
                .curve
                .iter()
                .filter_map(|p| Some((x(p.end), major(p.ac_cumulative?))))
                .collect(),
        },
    ];
    charts::lines(
        &series,
        &format!("weeks after {}", civil_str(first - 7 * 1440)),
        &format!("cumulative {}", e.currency),
    )
}

async fn ev_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let at = q.get("status_date").and_then(|d| d.parse::<Date>().ok());
    let r: atrium_app::Result<Response> = async {
        let p = s.app.get_project(&a, id).await?;
        let e = s.app.earned_value(&a, id, at).await?;
        Ok(render(&EvPage {
            nav: Nav::new(&a, "/projects"),
            tabs: project_tabs(id, "/ev"),
            title: format!("{} {} — earned value", p.key, p.name),
            action: format!("/projects/{id}/ev"),
            status_date: e.status_date.to_string(),
            metrics: metrics_rows(&e.metrics),
            chart: s_curve_chart(&e),
            note: if e.has_baseline {
                String::new()
            } else {
                "No baseline 0 is set: planned value needs one. Set it on the Plan tab.".into()
            },
            rollup: Vec::new(),
        }))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn rollup_page(
    s: &AppState,
    a: &Actor,
    title: String,
    action: String,
    projects: Vec<atrium_core::project::Project>,
    q: &HashMap<String, String>,
) -> atrium_app::Result<Response> {
    let at = q
        .get("status_date")
        .and_then(|d| d.parse::<Date>().ok())
        .unwrap_or_else(|| s.app.today());
    let (total, rows) = s.app.earned_value_rollup(a, &projects, at).await?;
    let idx = |x: Option<f64>| x.map_or_else(|| "—".into(), |v| format!("{v:.2}"));
    Ok(render(&EvPage {
        nav: Nav::new(a, "/projects"),
        tabs: Vec::new(),
        title,
        action,
        status_date: at.to_string(),
        metrics: metrics_rows(&total),
        chart: String::new(),
        note: format!("{} projects with a plan are included.", rows.len()),
        rollup: rows
            .iter()
            .map(|(p, m)| RollupRow {
                href: format!("/projects/{}/ev?status_date={at}", p.id),
                key: p.key.clone(),
                name: p.name.clone(),
                metrics: vec![
                    money(m.bac),
                    money(m.pv),
                    money(m.ev),
                    money(m.ac),
                    idx(m.spi),
                    idx(m.cpi),
                ],
            })
            .collect(),
    }))
}

async fn program_ev_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let g = s.app.get_program(&a, id).await?;
        let projects = s.app.program_projects(&a, id).await?;
        rollup_page(
            &s,
            &a,
            format!("{} {} — earned value", g.key, g.name),
            format!("/programs/{id}/ev"),
            projects,
            &q,
        )
        .await
    }
    .await;
    r.unwrap_or_else(err)
}

async fn portfolio_ev_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let g = s.app.get_portfolio(&a, id).await?;
        let projects = s.app.portfolio_projects(&a, id).await?;
        rollup_page(
            &s,
            &a,
            format!("{} {} — earned value", g.key, g.name),
            format!("/portfolios/{id}/ev"),
            projects,
            &q,
        )
        .await
    }
    .await;
    r.unwrap_or_else(err)
}

// ======================= rates over time =======================

#[derive(Template)]
#[template(path = "plan_rates.html")]
struct RatesPage {
    nav: Nav,
    id: Uuid,
    title: String,
    base: String,
    rows: Vec<(String, String)>,
    can_manage: bool,
    fields: Vec<Field>,
    general_errors: Vec<String>,
}

async fn rates_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    render_rates(
        &s,
        &a,
        id,
        &atrium_core::resource::RateChangeDraft::default(),
        &[],
    )
    .await
}

async fn render_rates(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    d: &atrium_core::resource::RateChangeDraft,
    errors: &[FieldError],
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let p = s.app.get_person(a, id).await?;
        let list = s.app.rate_changes(a, id).await?;
        let can_manage = can(s, a, Action::ManagePeople, &Placement::ORGANIZATION).await;
        let mut fields = vec![
            Field::text("from", "From", &d.from)
                .kind(FieldKind::Date)
                .required(),
            Field::text("rate", "Hourly rate", &d.rate).required(),
        ];
        let general_errors = attach_errors(&mut fields, errors);
        let mut r = render(&RatesPage {
            nav: Nav::new(a, "/people"),
            id,
            title: format!("{} — cost rates over time", p.name),
            base: p.cost_rate.format(),
            rows: list
                .iter()
                .map(|c| (c.from.to_string(), c.rate.format()))
                .collect(),
            can_manage,
            fields,
            general_errors,
        });
        if !errors.is_empty() {
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(r)
    }
    .await;
    r.unwrap_or_else(err)
}

async fn rate_add(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = atrium_core::resource::RateChangeDraft {
        from: f.get("from"),
        rate: f.get("rate"),
    };
    match s.app.set_rate_change(&a, id, &d).await {
        Ok(_) => Redirect::to(&format!("/people/{id}/rates")).into_response(),
        Err(AppError::Validation(errs)) => render_rates(&s, &a, id, &d, &errs).await,
        Err(e) => err(e),
    }
}

async fn rate_remove_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, from)): Path<(Uuid, String)>,
) -> Response {
    match s.app.get_person(&a, id).await {
        Ok(p) => render(&ConfirmPage {
            nav: Nav::new(&a, "/people"),
            title: format!("Remove the rate change of {from} for {}?", p.name),
            message: "Work after that date is costed at the previous rate again.".into(),
            action: format!("/people/{id}/rates/{from}/remove"),
            version: 0,
            cancel: format!("/people/{id}/rates"),
            button: "Yes, remove",
        }),
        Err(e) => err(e),
    }
}

async fn rate_remove(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, from)): Path<(Uuid, String)>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let Ok(from) = from.parse::<Date>() else {
        return err(AppError::NotFound("rate change"));
    };
    match s.app.remove_rate_change(&a, id, from).await {
        Ok(()) => Redirect::to(&format!("/people/{id}/rates")).into_response(),
        Err(e) => err(e),
    }
}
