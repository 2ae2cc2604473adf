//! Delivery pages: status reports, the issue / decision / change-request log, lessons learned.
//!
//! Every page sits in the project workspace (its tabs). Writes are forms carrying the CSRF
//! token; submitting a report, revising it and deciding a change request go through a
//! confirmation page first.

use super::records::{columns, err, page_of, pager, sort_of, user_opts};
use super::{check_csrf, version_of};
use crate::AppState;
use crate::extract::{FormData, PageUser};
use crate::views::*;
use askama::Template;
use atrium_app::{Action, Actor, AppError};
use atrium_core::FieldError;
use atrium_core::delivery::{
    LessonsDraft, LogDraft, LogEntry, LogKind, LogStatus, Priority, ReportDraft, ReportState,
    StatusReport, period_label,
};
use atrium_core::project::{Project, Rag};
use atrium_store::delivery::{LOG_SORTS, LogFilter, Rollup};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::HashMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/projects/{id}/reports",
            get(reports_list).post(report_create),
        )
        .route("/projects/{id}/reports/new", get(report_new))
        .route("/reports/{id}", get(report_show).post(report_update))
        .route(
            "/reports/{id}/submit",
            get(report_submit_confirm).post(report_submit),
        )
        .route(
            "/reports/{id}/revise",
            get(report_revise_confirm).post(report_revise),
        )
        .route("/projects/{id}/log", get(log_list).post(log_create))
        .route("/projects/{id}/log/new", get(log_new))
        .route("/log/{id}", get(log_show).post(log_update))
        .route("/log/{id}/decide", get(decide_confirm).post(decide_apply))
        .route(
            "/projects/{id}/lessons",
            get(lessons_show).post(lessons_save),
        )
}

type Q = Query<HashMap<String, String>>;

#[derive(Template)]
#[template(path = "delivery_list.html")]
struct ListView {
    nav: Nav,
    title: String,
    intro: String,
    notice: String,
    tools: Vec<(String, String)>,
    tabs: Vec<Tab>,
    filters: Vec<Field>,
    action: String,
    sort: String,
    columns: Vec<Col>,
    rows: Vec<Vec<Cell>>,
    empty: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    page_text: String,
}

#[derive(Template)]
#[template(path = "delivery_record.html")]
struct RecordView {
    nav: Nav,
    title: String,
    badge: Option<(String, String)>,
    actions: Vec<(String, String)>,
    tabs: Vec<Tab>,
    intro: String,
    notice: String,
    rows: Vec<(String, Cell)>,
    sections: Vec<(String, String)>,
    form_title: String,
    form_action: String,
    fields: Vec<Field>,
    general_errors: Vec<String>,
    submit: &'static str,
    submit_class: &'static str,
    cancel: String,
}

impl RecordView {
    fn new(a: &Actor, title: String, tabs: Vec<Tab>) -> Self {
        RecordView {
            nav: Nav::new(a, "/projects"),
            title,
            badge: None,
            actions: vec![],
            tabs,
            intro: String::new(),
            notice: String::new(),
            rows: vec![],
            sections: vec![],
            form_title: String::new(),
            form_action: String::new(),
            fields: vec![],
            general_errors: vec![],
            submit: "Save",
            submit_class: "primary",
            cancel: String::new(),
        }
    }
    fn with_errors(mut self, errors: &[FieldError]) -> Self {
        let general = attach_errors(&mut self.fields, errors);
        self.general_errors = general;
        self
    }
}

fn show(v: &RecordView, errors: &[FieldError]) -> Response {
    let mut r = render(v);
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

fn hidden(name: &str, value: impl ToString) -> Field {
    Field::text(name, name, value.to_string()).kind(FieldKind::Hidden)
}

/// Validation and stale-version errors as field errors (to show beside the form); other
/// errors as an error page.
fn as_field_errors(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Validation(errs) => Ok(errs),
        AppError::Stale { current } => Ok(vec![FieldError {
            field: "version".into(),
            message: format!(
                "Someone else changed this record (now version {current}) while you were editing. Your changes were not saved: open it again to see the current values."
            ),
        }]),
        other => Err(other),
    }
}

async fn can(s: &AppState, a: &Actor, action: Action, p: &Project) -> bool {
    super::can(s, a, action, &atrium_app::records::placement_of(p)).await
}

fn rag_opts() -> Vec<(String, String)> {
    Rag::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
        .collect()
}

fn rag_cell(r: Rag) -> Cell {
    Cell::text(r.label()).class(format!("rag-cell {}", r.as_str()))
}

fn fmt_time(micros: Option<i64>) -> String {
    micros
        .and_then(|m| jiff::Timestamp::from_microsecond(m).ok())
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "—".into())
}

fn opt_num(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{x:.2}"))
}

fn opt_date(d: Option<jiff::civil::Date>) -> String {
    d.map_or_else(|| "—".into(), |d| d.to_string())
}

// ======================= status reports =======================

async fn reports_list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let r: atrium_app::Result<ListView> = async {
        let p = s.app.get_project(&a, id).await?;
        let page = page_of(&q);
        let (items, next) = s.app.list_reports(&a, id, page).await?;
        let cycle = s.app.reporting_cycle().await?;
        let today = s.app.today();
        let suggested = s.app.suggested_period(&a, id, today).await?;
        let overdue = s.app.overdue_reports(&a, today, None).await?;
        let is_overdue = overdue.projects.iter().any(|o| o.id == id);
        let mut tools = vec![];
        if can(&s, &a, Action::WriteStatusReport, &p).await {
            tools.push((
                format!("/projects/{id}/reports/new"),
                format!("New report for {}", period_label(cycle, suggested)),
            ));
        }
        let rows = items
            .iter()
            .map(|r| {
                vec![
                    Cell::link(period_label(cycle, r.period), format!("/reports/{}", r.id)),
                    Cell::text(r.revision.to_string()).class("num"),
                    Cell::text(r.state.label()).class(format!("state {}", r.state.as_str())),
                    rag_cell(r.overall),
                    rag_cell(r.schedule),
                    rag_cell(r.cost),
                    rag_cell(r.scope),
                    rag_cell(r.risk),
                    Cell::text(fmt_time(r.submitted_at)),
                ]
            })
            .collect::<Vec<_>>();
        let (prev_href, next_href, page_text) = pager(
            &format!("/projects/{id}/reports"),
            &q,
            page,
            rows.len(),
            next,
        );
        Ok(ListView {
            nav: Nav::new(&a, "/projects"),
            title: format!("{} {}: status reports", p.key, p.name),
            intro: format!(
                "One report per {} period (RAG for schedule, cost, scope, risk and overall, and a narrative). Submitting freezes the plan's key figures; a submitted report is corrected by a new revision.",
                cycle.as_str()
            ),
            notice: if is_overdue {
                format!(
                    "The report for {} is overdue.",
                    period_label(cycle, overdue.period)
                )
            } else {
                String::new()
            },
            tools,
            tabs: project_tabs(id, "/reports"),
            filters: vec![],
            action: format!("/projects/{id}/reports"),
            sort: String::new(),
            columns: ["Period", "Revision", "State", "Overall", "Schedule", "Cost", "Scope", "Risk", "Submitted"]
                .into_iter()
                .map(|label| Col {
                    label,
                    href: None,
                    arrow: "",
                })
                .collect(),
            rows,
            empty: "No status report yet. Start one with New report.".into(),
            prev_href,
            next_href,
            page_text,
        })
    }
    .await;
    r.map_or_else(err, |v| render(&v))
}

fn report_fields(d: &ReportDraft) -> Vec<Field> {
    let mut f = vec![];
    for (name, label, val) in [
        ("overall", "Overall", &d.overall),
        ("schedule", "Schedule", &d.schedule),
        ("cost", "Cost", &d.cost),
        ("scope", "Scope", &d.scope),
        ("risk", "Risk", &d.risk),
    ] {
        f.push(Field::select(name, label, val.clone(), rag_opts()).required());
    }
    f.push(
        Field::text("narrative", "Narrative", d.narrative.clone())
            .kind(FieldKind::Textarea)
            .help("What happened this period, what comes next, what needs attention or a decision. Required to submit (up to 10,000 characters)."),
    );
    f
}

fn report_draft(f: &FormData) -> ReportDraft {
    ReportDraft {
        schedule: f.get("schedule"),
        cost: f.get("cost"),
        scope: f.get("scope"),
        risk: f.get("risk"),
        overall: f.get("overall"),
        narrative: f.get("narrative"),
    }
}

async fn new_report_view(
    s: &AppState,
    a: &Actor,
    p: &Project,
    period: String,
    d: &ReportDraft,
    errors: &[FieldError],
) -> RecordView {
    let mut v = RecordView::new(
        a,
        format!("{}: new status report", p.key),
        project_tabs(p.id, "/reports"),
    );
    let cycle = s.app.reporting_cycle().await.ok();
    v.intro = cycle.map_or_else(String::new, |c| {
        format!(
            "Reports follow the organization's {} cycle: give the first day of the period.",
            c.as_str()
        )
    });
    let mut fields = vec![
        Field::text("period", "Period (first day)", period)
            .kind(FieldKind::Date)
            .required(),
    ];
    fields.extend(report_fields(d));
    v.fields = fields;
    v.form_action = format!("/projects/{}/reports", p.id);
    v.submit = "Save draft";
    v.cancel = format!("/projects/{}/reports", p.id);
    v.with_errors(errors)
}

async fn report_new(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r: atrium_app::Result<RecordView> = async {
        let p = s
            .app
            .delivery_project(&a, id, Action::WriteStatusReport)
            .await?;
        let period = s.app.suggested_period(&a, id, s.app.today()).await?;
        let d = ReportDraft {
            schedule: "green".into(),
            cost: "green".into(),
            scope: "green".into(),
            risk: "green".into(),
            overall: "green".into(),
            narrative: String::new(),
        };
        Ok(new_report_view(&s, &a, &p, period.to_string(), &d, &[]).await)
    }
    .await;
    r.map_or_else(err, |v| render(&v))
}

async fn report_create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = report_draft(&f);
    let period = f.get("period");
    match s.app.create_report(&a, id, Some(period.as_str()), &d).await {
        Ok(r) => Redirect::to(&format!("/reports/{}", r.id)).into_response(),
        Err(e) => match as_field_errors(e) {
            Ok(errs) => match s.app.get_project(&a, id).await {
                Ok(p) => show(&new_report_view(&s, &a, &p, period, &d, &errs).await, &errs),
                Err(e) => err(e),
            },
            Err(e) => err(e),
        },
    }
}

async fn report_view(
    s: &AppState,
    a: &Actor,
    r: &StatusReport,
    draft: Option<&ReportDraft>,
    errors: &[FieldError],
) -> atrium_app::Result<RecordView> {
    let p = s.app.get_project(a, r.project_id).await?;
    let cycle = s.app.reporting_cycle().await?;
    let lk = s.app.lookups().await?;
    let mut v = RecordView::new(
        a,
        format!(
            "{} status report {} (revision {})",
            p.key,
            period_label(cycle, r.period),
            r.revision
        ),
        project_tabs(p.id, "/reports"),
    );
    v.badge = Some((r.overall.as_str().into(), r.overall.label().into()));
    let writer = can(s, a, Action::WriteStatusReport, &p).await;
    v.rows = vec![
        (
            "Project".into(),
            Cell::link(
                format!("{} {}", p.key, p.name),
                format!("/projects/{}", p.id),
            ),
        ),
        ("Period".into(), Cell::text(period_label(cycle, r.period))),
        ("Revision".into(), Cell::text(r.revision.to_string())),
        ("State".into(), Cell::text(r.state.label())),
        ("Schedule".into(), rag_cell(r.schedule)),
        ("Cost".into(), rag_cell(r.cost)),
        ("Scope".into(), rag_cell(r.scope)),
        ("Risk".into(), rag_cell(r.risk)),
        ("Overall".into(), rag_cell(r.overall)),
    ];
    if r.state == ReportState::Submitted {
        v.rows.push((
            "Submitted".into(),
            Cell::text(format!(
                "{} by {}",
                fmt_time(r.submitted_at),
                lk.user(r.submitted_by)
            )),
        ));
        v.actions
            .push((format!("/reports/{}/revise", r.id), "Revise…".into()));
    }
    if let Some(k) = &r.figures {
        v.rows.extend([
            ("Status date".into(), Cell::text(opt_date(k.status_date))),
            ("SPI".into(), Cell::text(opt_num(k.spi))),
            ("CPI".into(), Cell::text(opt_num(k.cpi))),
            (
                "% complete".into(),
                Cell::text(format!("{:.1} %", k.percent_complete)),
            ),
            (
                "Milestones due / missed".into(),
                Cell::text(format!("{} / {}", k.milestones_due, k.milestones_missed)),
            ),
            (
                "Finish (baseline)".into(),
                Cell::text(format!(
                    "{} ({})",
                    opt_date(k.finish),
                    opt_date(k.baseline_finish)
                )),
            ),
        ]);
    }
    v.rows
        .push(("Version".into(), Cell::text(r.version.to_string())));
    if r.state == ReportState::Draft && writer {
        let d = draft
            .cloned()
            .unwrap_or_else(|| ReportDraft::from_report(r));
        let mut fields = report_fields(&d);
        fields.push(hidden("version", r.version));
        v.fields = fields;
        v.form_title = "Edit the draft".into();
        v.form_action = format!("/reports/{}", r.id);
        v.submit = "Save draft";
        v.cancel = format!("/projects/{}/reports", p.id);
        v.actions
            .push((format!("/reports/{}/submit", r.id), "Submit…".into()));
        v.intro = "Draft: save as often as needed, then submit. Submission freezes the plan's key figures and the report.".into();
    } else {
        v.sections.push(("Narrative".into(), r.narrative.clone()));
        if r.state == ReportState::Submitted {
            v.intro = "Submitted reports are immutable; to correct one, revise it (a new revision of the same period).".into();
        }
    }
    if !writer {
        v.actions.clear();
    }
    Ok(v.with_errors(errors))
}

async fn report_show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r: atrium_app::Result<RecordView> = async {
        let rep = s.app.get_report(&a, id).await?;
        report_view(&s, &a, &rep, None, &[]).await
    }
    .await;
    r.map_or_else(err, |v| render(&v))
}

async fn report_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = report_draft(&f);
    match s.app.update_report(&a, id, &d, version_of(&f)).await {
        Ok(_) => Redirect::to(&format!("/reports/{id}")).into_response(),
        Err(e) => match as_field_errors(e) {
            Ok(errs) => {
                let r: atrium_app::Result<RecordView> = async {
                    let rep = s.app.get_report(&a, id).await?;
                    report_view(&s, &a, &rep, Some(&d), &errs).await
                }
                .await;
                r.map_or_else(err, |v| show(&v, &errs))
            }
            Err(e) => err(e),
        },
    }
}

/// A confirmation page for a step on a report (`submit` or `revise`).
async fn report_step_view(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    step: &str,
    errors: &[FieldError],
) -> atrium_app::Result<RecordView> {
    let r = s.app.get_report(a, id).await?;
    let p = s
        .app
        .delivery_project(a, r.project_id, Action::WriteStatusReport)
        .await?;
    let cycle = s.app.reporting_cycle().await?;
    let what = format!(
        "{} status report {} (revision {})",
        p.key,
        period_label(cycle, r.period),
        r.revision
    );
    let mut v = RecordView::new(a, String::new(), project_tabs(p.id, "/reports"));
    v.rows = vec![
        ("Overall".into(), rag_cell(r.overall)),
        ("State".into(), Cell::text(r.state.label())),
    ];
    v.sections.push(("Narrative".into(), r.narrative.clone()));
    v.fields = vec![hidden("version", r.version)];
    v.form_action = format!("/reports/{id}/{step}");
    v.cancel = format!("/reports/{id}");
    if step == "submit" {
        v.title = format!("Submit {what}?");
        v.intro = "Submitting freezes the plan's key figures at the period end (or today if earlier). The report can no longer be edited; a correction is a new revision.".into();
        v.submit = "Submit report";
    } else {
        v.title = format!("Revise {what}?");
        v.intro = "A new draft revision of the same period starts as a copy of this report; it replaces this one once submitted.".into();
        v.submit = "Start revision";
    }
    Ok(v.with_errors(errors))
}

async fn report_submit_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    report_step_view(&s, &a, id, "submit", &[])
        .await
        .map_or_else(err, |v| render(&v))
}

async fn report_revise_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    report_step_view(&s, &a, id, "revise", &[])
        .await
        .map_or_else(err, |v| render(&v))
}

async fn step_failed(s: &AppState, a: &Actor, id: Uuid, step: &str, e: AppError) -> Response {
    match as_field_errors(e) {
        Ok(errs) => report_step_view(s, a, id, step, &errs)
            .await
            .map_or_else(err, |v| show(&v, &errs)),
        Err(e) => err(e),
    }
}

async fn report_submit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s.app.submit_report(&a, id, version_of(&f)).await {
        Ok(_) => Redirect::to(&format!("/reports/{id}")).into_response(),
        Err(e) => step_failed(&s, &a, id, "submit", e).await,
    }
}

async fn report_revise(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s.app.revise_report(&a, id).await {
        Ok(r) => Redirect::to(&format!("/reports/{}", r.id)).into_response(),
        Err(e) => step_failed(&s, &a, id, "revise", e).await,
    }
}

/// Rows for a program or portfolio page: the latest submitted report of each project.
pub(crate) async fn rollup_rows(
    s: &AppState,
    a: &Actor,
    within: Rollup,
) -> atrium_app::Result<Vec<(&'static str, Cell)>> {
    let latest = s.app.latest_reports(a, within).await?;
    if latest.is_empty() {
        return Ok(vec![(
            "Latest status reports",
            Cell::text("No project has submitted a status report yet."),
        )]);
    }
    Ok(latest
        .into_iter()
        .map(|l| {
            (
                "Latest status report",
                Cell::link(
                    format!(
                        "{} {} · {} · {} (revision {})",
                        l.project_key,
                        l.project_name,
                        l.report.overall.label(),
                        l.report.period,
                        l.report.revision
                    ),
                    format!("/reports/{}", l.report.id),
                )
                .class(format!("rag-cell {}", l.report.overall.as_str())),
            )
        })
        .collect())
}

// ======================= issues, decisions, change requests =======================

fn kind_opts(any: bool) -> Vec<(String, String)> {
    let mut v = if any {
        vec![(String::new(), "Any kind".to_owned())]
    } else {
        vec![]
    };
    v.extend(
        LogKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), k.label().to_owned())),
    );
    v
}

fn status_opts(statuses: &[LogStatus], any: bool) -> Vec<(String, String)> {
    let mut v = if any {
        vec![(String::new(), "Any status".to_owned())]
    } else {
        vec![]
    };
    v.extend(
        statuses
            .iter()
            .map(|k| (k.as_str().to_owned(), k.label().to_owned())),
    );
    v
}

async fn log_list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let r: atrium_app::Result<ListView> = async {
        let p = s.app.get_project(&a, id).await?;
        let page = page_of(&q);
        let (sort, desc) = sort_of(&q, LOG_SORTS, "number");
        let f = LogFilter {
            kind: q
                .get("kind")
                .filter(|v| LogKind::parse(v).is_some())
                .cloned(),
            status: q
                .get("status")
                .filter(|v| LogStatus::parse(v).is_some())
                .cloned(),
        };
        let (items, next) = s.app.list_log(&a, id, &f, &sort, desc, page).await?;
        let lk = s.app.lookups().await?;
        let mut tools = vec![];
        if can(&s, &a, Action::EditLog, &p).await {
            for k in LogKind::ALL {
                tools.push((
                    format!("/projects/{id}/log/new?kind={}", k.as_str()),
                    format!("New {}", k.label().to_lowercase()),
                ));
            }
        }
        let base = format!("/projects/{id}/log");
        let rows = items
            .iter()
            .map(|e| {
                vec![
                    Cell::link(e.reference(), format!("/log/{}", e.id)),
                    Cell::text(e.kind.label()),
                    Cell::link(&e.title, format!("/log/{}", e.id)),
                    Cell::text(e.status.label()).class(format!("state {}", e.status.as_str())),
                    Cell::text(e.priority.label()),
                    Cell::text(lk.user(e.owner_id)),
                    Cell::text(opt_date(e.due)),
                ]
            })
            .collect::<Vec<_>>();
        let (prev_href, next_href, page_text) = pager(&base, &q, page, rows.len(), next);
        Ok(ListView {
            nav: Nav::new(&a, "/projects"),
            title: format!("{} {}: issues, decisions and changes", p.key, p.name),
            intro: "The project log: issues (I-n), decisions (D-n) and change requests (CR-n). A submitted change request is approved or rejected by its decider; approval applies its budget and schedule impact.".into(),
            notice: String::new(),
            tools,
            tabs: project_tabs(id, "/log"),
            filters: vec![
                Field::select("kind", "Kind", q.get("kind").cloned().unwrap_or_default(), kind_opts(true)),
                Field::select(
                    "status",
                    "Status",
                    q.get("status").cloned().unwrap_or_default(),
                    status_opts(LogStatus::ALL, true),
                ),
            ],
            action: base.clone(),
            sort: q.get("sort").cloned().unwrap_or_default(),
            columns: columns(
                &base,
                &q,
                &[
                    ("Ref", Some("number")),
                    ("Kind", None),
                    ("Title", Some("title")),
                    ("Status", Some("status")),
                    ("Priority", Some("priority")),
                    ("Owner", None),
                    ("Due", Some("due")),
                ],
                &sort,
                desc,
            ),
            rows,
            empty: "Nothing logged matches. Raise an issue, record a decision or draft a change request with the buttons above.".into(),
            prev_href,
            next_href,
            page_text,
        })
    }
    .await;
    r.map_or_else(err, |v| render(&v))
}

fn log_fields(
    kind: LogKind,
    d: &LogDraft,
    users: &[(String, String)],
    currency: &str,
) -> Vec<Field> {
    let mut f = vec![
        Field::text("title", "Title", d.title.clone()).required(),
        Field::text(
            "description",
            "Description",
            d.description.clone().unwrap_or_default(),
        )
        .kind(FieldKind::Textarea),
        Field::select(
            "owner_id",
            "Owner",
            d.owner_id.map(|u| u.to_string()).unwrap_or_default(),
            users.to_vec(),
        ),
        Field::text("due", "Due", d.due.clone()).kind(FieldKind::Date),
        Field::select(
            "priority",
            "Priority",
            if d.priority.is_empty() {
                "medium".into()
            } else {
                d.priority.clone()
            },
            Priority::ALL
                .iter()
                .map(|p| (p.as_str().to_owned(), p.label().to_owned()))
                .collect(),
        ),
        Field::select(
            "status",
            "Status",
            if d.status.is_empty() {
                kind.initial().as_str().into()
            } else {
                d.status.clone()
            },
            status_opts(kind.editable_statuses(), false),
        ),
        Field::text("tasks", "Linked tasks", d.tasks.clone())
            .help("Task uids separated by commas, e.g. 3, 7."),
    ];
    if kind == LogKind::Change {
        f.extend([
            Field::text(
                "schedule_task",
                "Schedule impact: task",
                d.schedule_task.clone(),
            )
            .help("The uid of the task whose duration changes."),
            Field::text(
                "schedule_delta",
                "Schedule impact: duration change",
                d.schedule_delta.clone(),
            )
            .help("e.g. +5d, -2d, +4h (working time)."),
            Field::text("cost", format!("Cost impact ({currency})"), d.cost.clone())
                .help("Added to the project budget on approval; negative for a saving."),
            Field::text("scope", "Scope impact", d.scope.clone()).kind(FieldKind::Textarea),
        ]);
    }
    f
}

fn log_draft(f: &FormData) -> LogDraft {
    LogDraft {
        title: f.get("title"),
        description: Some(f.get("description")),
        owner_id: f.uuid("owner_id"),
        due: f.get("due"),
        priority: f.get("priority"),
        status: f.get("status"),
        tasks: f.get("tasks"),
        schedule_task: f.get("schedule_task"),
        schedule_delta: f.get("schedule_delta"),
        cost: f.get("cost"),
        scope: f.get("scope"),
    }
}

async fn new_log_view(
    s: &AppState,
    a: &Actor,
    p: &Project,
    kind: LogKind,
    d: &LogDraft,
    errors: &[FieldError],
) -> atrium_app::Result<RecordView> {
    let lk = s.app.lookups().await?;
    let mut v = RecordView::new(
        a,
        format!("{}: new {}", p.key, kind.label().to_lowercase()),
        project_tabs(p.id, "/log"),
    );
    let mut fields = vec![hidden("kind", kind.as_str())];
    fields.extend(log_fields(kind, d, &user_opts(&lk), &p.currency));
    v.fields = fields;
    v.form_action = format!("/projects/{}/log", p.id);
    v.submit = "Create";
    v.cancel = format!("/projects/{}/log", p.id);
    Ok(v.with_errors(errors))
}

async fn log_new(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let r: atrium_app::Result<RecordView> = async {
        let p = s.app.delivery_project(&a, id, Action::EditLog).await?;
        let kind = q
            .get("kind")
            .and_then(|k| LogKind::parse(k))
            .unwrap_or(LogKind::Issue);
        new_log_view(&s, &a, &p, kind, &LogDraft::default(), &[]).await
    }
    .await;
    r.map_or_else(err, |v| render(&v))
}

async fn log_create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let Some(kind) = LogKind::parse(&f.get("kind")) else {
        return err(AppError::field("kind", "must be issue, decision or change"));
    };
    let d = log_draft(&f);
    match s.app.create_log(&a, id, kind, &d).await {
        Ok(e) => Redirect::to(&format!("/log/{}", e.id)).into_response(),
        Err(e) => match as_field_errors(e) {
            Ok(errs) => {
                let r: atrium_app::Result<RecordView> = async {
                    let p = s.app.get_project(&a, id).await?;
                    new_log_view(&s, &a, &p, kind, &d, &errs).await
                }
                .await;
                r.map_or_else(err, |v| show(&v, &errs))
            }
            Err(e) => err(e),
        },
    }
}

async fn log_view(
    s: &AppState,
    a: &Actor,
    e: &LogEntry,
    draft: Option<&LogDraft>,
    errors: &[FieldError],
) -> atrium_app::Result<RecordView> {
    let p = s.app.get_project(a, e.project_id).await?;
    let lk = s.app.lookups().await?;
    let mut v = RecordView::new(
        a,
        format!("{} {}: {}", p.key, e.reference(), e.title),
        project_tabs(p.id, "/log"),
    );
    v.rows = vec![
        (
            "Project".into(),
            Cell::link(
                format!("{} {}", p.key, p.name),
                format!("/projects/{}", p.id),
            ),
        ),
        ("Kind".into(), Cell::text(e.kind.label())),
        ("Status".into(), Cell::text(e.status.label())),
        ("Priority".into(), Cell::text(e.priority.label())),
        (
            "Owner".into(),
            Cell::text(e.owner_id.map_or_else(|| "—".into(), |u| lk.user(Some(u)))),
        ),
        ("Due".into(), Cell::text(opt_date(e.due))),
        (
            "Linked tasks".into(),
            Cell::text(if e.tasks.is_empty() {
                "—".into()
            } else {
                e.tasks
                    .iter()
                    .map(|t| format!("#{t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ),
    ];
    if let Some(i) = &e.impact {
        v.rows.push((
            "Schedule impact".into(),
            Cell::text(i.schedule.as_ref().map_or_else(
                || "—".into(),
                |s| format!("task #{}: {}", s.task_uid, s.text),
            )),
        ));
        v.rows.push((
            "Cost impact".into(),
            Cell::text(
                i.cost
                    .map_or_else(|| "—".into(), |c| format!("{} {}", c.format(), p.currency)),
            ),
        ));
        v.rows.push((
            "Scope impact".into(),
            Cell::text(i.scope.clone().unwrap_or_else(|| "—".into())),
        ));
    }
    if let Some(dcs) = &e.decision {
        v.rows.push((
            "Decision".into(),
            Cell::text(format!(
                "{} by {} on {}: {}",
                if dcs.approved { "Approved" } else { "Rejected" },
                dcs.by_name,
                fmt_time(Some(dcs.at)),
                dcs.comment
            )),
        ));
    }
    v.rows
        .push(("Version".into(), Cell::text(e.version.to_string())));
    if e.kind == LogKind::Change
        && e.status == LogStatus::Submitted
        && can(s, a, Action::DecideChange, &p).await
    {
        v.actions.push((
            format!("/log/{}/decide?decision=approve", e.id),
            "Approve…".into(),
        ));
        v.actions.push((
            format!("/log/{}/decide?decision=reject", e.id),
            "Reject…".into(),
        ));
    }
    if !e.is_final() && can(s, a, Action::EditLog, &p).await {
        let d = draft.cloned().unwrap_or_else(|| LogDraft::from_entry(e));
        let mut fields = log_fields(e.kind, &d, &user_opts(&lk), &p.currency);
        fields.push(hidden("version", e.version));
        v.fields = fields;
        v.form_title = "Edit".into();
        v.form_action = format!("/log/{}", e.id);
        v.cancel = format!("/projects/{}/log", p.id);
    } else {
        v.sections.push((
            "Description".into(),
            e.description.clone().unwrap_or_default(),
        ));
    }
    Ok(v.with_errors(errors))
}

async fn log_show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r: atrium_app::Result<RecordView> = async {
        let e = s.app.get_log(&a, id).await?;
        log_view(&s, &a, &e, None, &[]).await
    }
    .await;
    r.map_or_else(err, |v| render(&v))
}

async fn log_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = log_draft(&f);
    match s.app.update_log(&a, id, &d, version_of(&f)).await {
        Ok(_) => Redirect::to(&format!("/log/{id}")).into_response(),
        Err(e) => match as_field_errors(e) {
            Ok(errs) => {
                let r: atrium_app::Result<RecordView> = async {
                    let e = s.app.get_log(&a, id).await?;
                    log_view(&s, &a, &e, Some(&d), &errs).await
                }
                .await;
                r.map_or_else(err, |v| show(&v, &errs))
            }
            Err(e) => err(e),
        },
    }
}

async fn decide_view(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    approve: bool,
    comment: String,
    errors: &[FieldError],
) -> atrium_app::Result<RecordView> {
    let e = s.app.get_log(a, id).await?;
    let p = s
        .app
        .delivery_project(a, e.project_id, Action::DecideChange)
        .await?;
    let verb = if approve { "Approve" } else { "Reject" };
    let mut v = RecordView::new(
        a,
        format!("{verb} {} {}: {}?", p.key, e.reference(), e.title),
        project_tabs(p.id, "/log"),
    );
    let imp = e.impact.clone().unwrap_or_default();
    v.intro = if approve {
        format!(
            "Approval applies the impact now: the budget changes by {} {} and {}.",
            imp.cost.map_or_else(|| "0.00".into(), |c| c.format()),
            p.currency,
            imp.schedule.as_ref().map_or_else(
                || "the schedule is unchanged".into(),
                |s| format!("task #{} changes by {}", s.task_uid, s.text)
            )
        )
    } else {
        "Rejection closes the change request without applying anything.".into()
    };
    v.rows = vec![
        ("Status".into(), Cell::text(e.status.label())),
        (
            "Scope impact".into(),
            Cell::text(imp.scope.unwrap_or_else(|| "—".into())),
        ),
    ];
    v.fields = vec![
        hidden("version", e.version),
        hidden("decision", if approve { "approve" } else { "reject" }),
        Field::text("comment", "Comment", comment)
            .kind(FieldKind::Textarea)
            .required()
            .help("Why, for the record (required)."),
    ];
    v.form_action = format!("/log/{id}/decide");
    v.submit = if approve { "Approve" } else { "Reject" };
    v.submit_class = if approve { "primary" } else { "danger" };
    v.cancel = format!("/log/{id}");
    Ok(v.with_errors(errors))
}

async fn decide_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let approve = q.get("decision").map(String::as_str) != Some("reject");
    decide_view(&s, &a, id, approve, String::new(), &[])
        .await
        .map_or_else(err, |v| render(&v))
}

async fn decide_apply(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let approve = match f.get("decision").as_str() {
        "approve" => true,
        "reject" => false,
        _ => return err(AppError::field("decision", "must be approve or reject")),
    };
    let comment = f.get("comment");
    match s
        .app
        .decide_change(&a, id, approve, &comment, version_of(&f))
        .await
    {
        Ok(_) => Redirect::to(&format!("/log/{id}")).into_response(),
        Err(e) => match as_field_errors(e) {
            Ok(errs) => decide_view(&s, &a, id, approve, comment, &errs)
                .await
                .map_or_else(err, |v| show(&v, &errs)),
            Err(e) => err(e),
        },
    }
}

// ======================= lessons learned =======================

fn lessons_draft(f: &FormData) -> LessonsDraft {
    LessonsDraft {
        went_well: f.get("went_well"),
        went_badly: f.get("went_badly"),
        recommendations: f.get("recommendations"),
        tags: f.get("tags"),
    }
}

async fn lessons_view(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    draft: Option<&LessonsDraft>,
    version: Option<i64>,
    errors: &[FieldError],
) -> atrium_app::Result<RecordView> {
    let p = s.app.get_project(a, id).await?;
    let l = s.app.get_lessons(a, id).await?;
    let mut v = RecordView::new(
        a,
        format!("{} {}: lessons learned", p.key, p.name),
        project_tabs(id, "/lessons"),
    );
    v.intro = "What went well, what did not and what to do next time. A project can be closed only once its lessons learned are recorded.".into();
    v.rows = vec![
        (
            "Tags".into(),
            Cell::text(if l.tags.is_empty() {
                "—".into()
            } else {
                l.tags.join(", ")
            }),
        ),
        (
            "Version".into(),
            Cell::text(if l.version == 0 {
                "not recorded yet".into()
            } else {
                l.version.to_string()
            }),
        ),
    ];
    if can(s, a, Action::RecordLessons, &p).await {
        let d = draft
            .cloned()
            .unwrap_or_else(|| LessonsDraft::from_lessons(&l));
        v.fields = vec![
            Field::text("went_well", "What went well", d.went_well).kind(FieldKind::Textarea),
            Field::text("went_badly", "What did not go well", d.went_badly)
                .kind(FieldKind::Textarea),
            Field::text("recommendations", "Recommendations", d.recommendations)
                .kind(FieldKind::Textarea),
            Field::text("tags", "Tags", d.tags).help(
                "Comma-separated, e.g. vendor, scope, testing (at most 20; stored lowercase).",
            ),
            hidden("version", version.unwrap_or(l.version)),
        ];
        v.form_action = format!("/projects/{id}/lessons");
        v.cancel = format!("/projects/{id}");
    } else {
        v.sections = vec![
            ("What went well".into(), l.went_well),
            ("What did not go well".into(), l.went_badly),
            ("Recommendations".into(), l.recommendations),
        ];
    }
    Ok(v.with_errors(errors))
}

async fn lessons_show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    let mut r = lessons_view(&s, &a, id, None, None, &[]).await;
    if let Ok(v) = &mut r
        && q.contains_key("saved")
    {
        v.notice = "Lessons learned saved.".into();
    }
    r.map_or_else(err, |v| render(&v))
}

async fn lessons_save(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = lessons_draft(&f);
    let v = version_of(&f);
    match s.app.put_lessons(&a, id, &d, v).await {
        Ok(_) => Redirect::to(&format!("/projects/{id}/lessons?saved=1")).into_response(),
        Err(e) => match as_field_errors(e) {
            Ok(errs) => lessons_view(&s, &a, id, Some(&d), Some(v), &errs)
                .await
                .map_or_else(err, |v| show(&v, &errs)),
            Err(e) => err(e),
        },
    }
}
