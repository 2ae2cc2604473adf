//! Resource management pages: the capacity heat map with drill-down, conflicts and their
//! suggested resolutions, utilization, skill gaps, what-if, resource requests (request,
//! propose, commit, reject, cancel), allocations and absences.

use super::records::{err, form_page};
use super::{can, check_csrf, version_of};
use crate::AppState;
use crate::api::resource::{
    CapacityParams, bucket_param, count_param, date_param, suggestion_text,
};
use crate::extract::{FormData, PageUser};
use crate::heatmap::{HeatCell, HeatRow, heatmap_svg};
use crate::views::*;
use askama::Template;
use atrium_app::capacity::{CapacityView, Grouping, Source};
use atrium_app::resource::{RequestDetail, RequestStep};
use atrium_app::{Action, Actor, AppError};
use atrium_core::FieldError;
use atrium_core::capacity::Bucket;
use atrium_core::identity::Placement;
use atrium_core::resource::{AbsenceDraft, AbsenceKind, RequestDraft, RequestState};
use atrium_store::resource::RequestFilter;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/resources", get(heatmap_page))
        .route("/resources/export", get(heatmap_export))
        .route("/resources/drill", get(drill_page))
        .route("/resources/conflicts", get(conflicts_page))
        .route("/resources/utilization", get(utilization_page))
        .route("/resources/skills", get(skills_page))
        .route("/resources/what-if", get(what_if_page))
        .route("/resources/requests", get(requests_page))
        .route("/resources/allocations", get(allocations_page))
        .route("/resources/allocations/{id}", post(allocation_set))
        .route("/resources/requests/{id}", get(request_page))
        .route("/resources/requests/{id}/{step}", post(request_step))
        .route(
            "/projects/{id}/requests/new",
            get(request_new).post(request_create),
        )
        .route(
            "/people/{id}/absences",
            get(absences_page).post(absence_add),
        )
        .route(
            "/people/{id}/absences/{absence}/remove",
            get(absence_remove_confirm).post(absence_remove),
        )
}

type Q = Query<HashMap<String, String>>;

pub(crate) struct Section {
    pub(crate) heading: String,
    pub(crate) text: String,
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<Vec<Cell>>,
    pub(crate) empty: String,
    pub(crate) items: Vec<String>,
}

impl Section {
    pub(crate) fn table(
        heading: impl Into<String>,
        columns: &[&str],
        rows: Vec<Vec<Cell>>,
        empty: &str,
    ) -> Section {
        Section {
            heading: heading.into(),
            text: String::new(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows,
            empty: empty.into(),
            items: Vec::new(),
        }
    }
}

pub(crate) struct PostForm {
    pub(crate) action: String,
    pub(crate) heading: String,
    pub(crate) button: &'static str,
    pub(crate) danger: bool,
    pub(crate) fields: Vec<Field>,
    /// A second submit button posting the same fields elsewhere: (action, label).
    pub(crate) alt: Option<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "resources.html")]
pub(crate) struct ResourcesPage {
    pub(crate) nav: Nav,
    pub(crate) title: String,
    pub(crate) subnav: Vec<Tab>,
    pub(crate) notice: String,
    pub(crate) intro: String,
    pub(crate) filters: Vec<Field>,
    pub(crate) filter_action: String,
    pub(crate) facts: Vec<(String, String)>,
    pub(crate) svg: String,
    pub(crate) sections: Vec<Section>,
    pub(crate) prev_href: Option<String>,
    pub(crate) next_href: Option<String>,
    pub(crate) page_text: String,
    pub(crate) general_errors: Vec<String>,
    pub(crate) forms: Vec<PostForm>,
    pub(crate) links: Vec<(String, String)>,
    pub(crate) downloads: Vec<(String, String)>,
}

impl ResourcesPage {
    pub(crate) fn new(a: &Actor, title: impl Into<String>, current: &str) -> ResourcesPage {
        ResourcesPage {
            nav: Nav::new(a, "/resources"),
            title: title.into(),
            subnav: subnav(current),
            notice: String::new(),
            intro: String::new(),
            filters: Vec::new(),
            filter_action: current.to_owned(),
            facts: Vec::new(),
            svg: String::new(),
            sections: Vec::new(),
            prev_href: None,
            next_href: None,
            page_text: String::new(),
            general_errors: Vec::new(),
            forms: Vec::new(),
            links: Vec::new(),
            downloads: Vec::new(),
        }
    }
}

fn subnav(current: &str) -> Vec<Tab> {
    [
        ("/resources", "Heat map"),
        ("/resources/conflicts", "Conflicts"),
        ("/resources/utilization", "Utilization"),
        ("/resources/skills", "Skill gaps"),
        ("/resources/requests", "Requests"),
        ("/resources/allocations", "Allocations"),
    ]
    .into_iter()
    .map(|(href, label)| Tab {
        href: href.into(),
        label,
        current: href == current,
    })
    .collect()
}

fn h(minutes: i64) -> String {
    let v = minutes as f64 / 60.0;
    if (v - v.round()).abs() < 0.05 {
        format!("{:.0} h", v)
    } else {
        format!("{v:.1} h")
    }
}

fn param<'a>(q: &'a HashMap<String, String>, k: &str) -> Option<&'a str> {
    q.get(k)
        .map(String::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn params_of(q: &HashMap<String, String>) -> CapacityParams {
    CapacityParams {
        group: param(q, "group").map(str::to_owned),
        bucket: param(q, "bucket").map(str::to_owned),
        from: param(q, "from").map(str::to_owned),
        count: param(q, "count").and_then(|c| c.trim().parse().ok()),
        department: param(q, "department").map(str::to_owned),
        order: param(q, "order").map(str::to_owned),
        limit: param(q, "limit").and_then(|c| c.trim().parse().ok()),
        offset: param(q, "offset").and_then(|c| c.trim().parse().ok()),
        format: param(q, "format").map(str::to_owned),
    }
}

fn query_string(p: &CapacityParams, offset: usize) -> String {
    let mut parts = Vec::new();
    let mut push = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{k}={}", urlencode(&v)));
        }
    };
    push("group", p.group.clone());
    push("bucket", p.bucket.clone());
    push("from", p.from.clone());
    push("count", p.count.map(|c| c.to_string()));
    push("department", p.department.clone());
    push("order", p.order.clone());
    push("offset", Some(offset.to_string()));
    parts.join("&")
}

async fn department_options(s: &AppState, a: &Actor) -> Vec<(String, String)> {
    let mut opts = vec![(String::new(), "All departments".to_owned())];
    if let Ok(ds) = s.app.departments(a).await {
        opts.extend(
            ds.into_iter()
                .map(|(d, n)| (d.clone(), format!("{d} ({n})"))),
        );
    }
    opts
}

fn heat_rows(v: &CapacityView, grouping: Grouping) -> Vec<HeatRow> {
    v.rows
        .iter()
        .map(|r| HeatRow {
            label: r.label.clone(),
            href: match (grouping, r.person_id) {
                (_, Some(id)) => Some(format!("/people/{id}")),
                (Grouping::Department, None) => Some(format!(
                    "/resources?group=person&department={}",
                    urlencode(&r.key)
                )),
                _ => None,
            },
            cells: r
                .cells
                .iter()
                .zip(&v.columns)
                .map(|(c, (s, e, _))| HeatCell {
                    capacity: c.capacity,
                    demand: c.demand,
                    href: r
                        .person_id
                        .map(|id| format!("/resources/drill?person={id}&from={s}&to={e}")),
                })
                .collect(),
        })
        .collect()
}

async fn heatmap_page(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let p = params_of(&q);
    let mut page = ResourcesPage::new(&a, "Capacity and demand", "/resources");
    let r: atrium_app::Result<()> = async {
        let cq = p.query(s.app.today())?;
        let v = s.app.capacity(&a, &cq).await?;
        page.intro = "Planned project work (plan assignments and committed allocations) against each person's capacity after non-project time, absences and holidays. Red cells marked ! are over-allocated; open a cell to see which projects and tasks cause it.".into();
        page.filters = vec![
            Field::select(
                "group",
                "Rows",
                cq.grouping.as_str(),
                Grouping::ALL
                    .iter()
                    .map(|g| (g.as_str().to_owned(), g.label().to_owned()))
                    .collect(),
            ),
            Field::select(
                "bucket",
                "Buckets",
                cq.bucket.as_str(),
                Bucket::ALL
                    .iter()
                    .map(|b| (b.as_str().to_owned(), b.as_str().to_owned()))
                    .collect(),
            ),
            Field::text("from", "From", cq.from.to_string()).kind(FieldKind::Date),
            Field::text("count", "How many", cq.count.to_string()),
            Field::select(
                "department",
                "Department",
                cq.department.clone().unwrap_or_default(),
                department_options(&s, &a).await,
            ),
            Field::select(
                "order",
                "Order",
                if cq.worst_first { "worst" } else { "name" },
                vec![
                    ("name".into(), "By name".into()),
                    ("worst".into(), "Most over-allocated first".into()),
                ],
            ),
        ];
        page.facts = vec![
            ("People".into(), v.people.to_string()),
            ("Rows".into(), v.total_rows.to_string()),
            ("Over-allocated cells".into(), v.over_cells.to_string()),
        ];
        let cols: Vec<String> = v.columns.iter().map(|c| c.2.clone()).collect();
        page.svg = heatmap_svg(
            &format!("Capacity and demand by {}", cq.grouping.label().to_lowercase()),
            &cols,
            &heat_rows(&v, cq.grouping),
        );
        if v.rows.is_empty() {
            page.intro = "Nobody in the pool matches: add people, or choose another department.".into();
        }
        let last = (cq.offset + v.rows.len()).min(v.total_rows);
        page.page_text = format!("Rows {}–{} of {}", (cq.offset + 1).min(last), last, v.total_rows);
        if cq.offset > 0 {
            page.prev_href = Some(format!(
                "/resources?{}",
                query_string(&p, cq.offset.saturating_sub(cq.limit))
            ));
        }
        if last < v.total_rows {
            page.next_href = Some(format!("/resources?{}", query_string(&p, last)));
        }
        let qs = query_string(&p, 0);
        page.downloads = vec![
            (format!("/resources/export?{qs}&format=csv"), "Export CSV".into()),
            (format!("/resources/export?{qs}&format=xlsx"), "Export XLSX".into()),
        ];
        Ok(())
    }
    .await;
    match r {
        Ok(()) => render(&page),
        Err(AppError::Validation(errs)) => {
            page.general_errors = errs
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            let mut resp = render(&page);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            resp
        }
        Err(e) => err(e),
    }
}

async fn heatmap_export(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let p = params_of(&q);
    let r = async {
        let cq = p.query(s.app.today())?;
        s.app
            .capacity_export(&a, &cq, p.format.as_deref().unwrap_or("csv"))
            .await
    }
    .await;
    match r {
        Ok(e) => super::plan::export_response(e),
        Err(e) => err(e),
    }
}

fn cause_rows(causes: &[atrium_app::capacity::Cause]) -> Vec<Vec<Cell>> {
    causes
        .iter()
        .map(|c| {
            vec![
                Cell::link(
                    format!("{} {}", c.project_key, c.project_name),
                    format!("/projects/{}", c.project_id),
                ),
                match c.source {
                    Source::Plan { task_uid, .. } => Cell::link(
                        format!(
                            "Task {task_uid}: {}",
                            c.task_name.clone().unwrap_or_default()
                        ),
                        format!("/projects/{}/plan", c.project_id),
                    ),
                    Source::Allocation {
                        request_id: Some(r),
                    } => Cell::link("Allocation", format!("/resources/requests/{r}")),
                    Source::Allocation { request_id: None } => Cell::text("Allocation"),
                },
                Cell::text(h(c.minutes)).class("num"),
            ]
        })
        .collect()
}

async fn drill_page(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let r: atrium_app::Result<Response> = async {
        let person: Uuid = param(&q, "person")
            .and_then(|p| p.trim().parse().ok())
            .ok_or_else(|| AppError::field("person", "choose a person"))?;
        let today = s.app.today();
        let from = date_param("from", param(&q, "from"), today)?;
        let to = date_param("to", param(&q, "to"), from)?;
        let d = s.app.capacity_drill(&a, person, from, to).await?;
        let mut page = ResourcesPage::new(
            &a,
            format!("{} — {} to {}", d.person.name, d.start, d.finish),
            "/resources",
        );
        page.facts = vec![
            ("Capacity for projects".into(), h(d.figures.capacity)),
            ("Non-project time".into(), h(d.figures.non_project)),
            ("Planned work".into(), h(d.figures.demand)),
            (
                "Over by".into(),
                if d.figures.demand > d.figures.capacity {
                    h(d.figures.demand - d.figures.capacity)
                } else {
                    "—".into()
                },
            ),
        ];
        page.sections.push(Section::table(
            "What causes the load",
            &["Project", "Task or allocation", "Hours"],
            cause_rows(&d.causes),
            "No planned work in this period.",
        ));
        page.links = vec![
            (
                format!(
                    "/resources?group=person&department={}",
                    urlencode(&d.person.department)
                ),
                format!("Back to the {} heat map", d.person.department),
            ),
            (
                format!("/people/{}", d.person.id),
                format!("{} in the pool", d.person.name),
            ),
        ];
        Ok(render(&page))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn conflicts_page(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let r: atrium_app::Result<Response> = async {
        let from = date_param("from", param(&q, "from"), s.app.today())?;
        let weeks = count_param(
            "weeks",
            param(&q, "weeks").and_then(|w| w.trim().parse().ok()),
            12,
            52,
        )?;
        let dept = param(&q, "department").map(str::to_owned);
        let list = s
            .app
            .conflicts(&a, dept.as_deref(), from, weeks, 100)
            .await?;
        let mut page = ResourcesPage::new(&a, "Over-allocations across projects", "/resources/conflicts");
        page.intro = format!(
            "People with more planned work than capacity in one or more consecutive weeks from {from}, largest first, with what causes it and suggested resolutions: someone with the role or skills who is free, or moving a task later within its float."
        );
        page.filters = vec![
            Field::text("from", "From", from.to_string()).kind(FieldKind::Date),
            Field::text("weeks", "Weeks", weeks.to_string()),
            Field::select(
                "department",
                "Department",
                dept.clone().unwrap_or_default(),
                department_options(&s, &a).await,
            ),
        ];
        if list.is_empty() {
            page.sections.push(Section::table(
                "",
                &[],
                vec![],
                "No over-allocation in this period.",
            ));
        }
        for c in &list {
            let mut sec = Section::table(
                format!(
                    "{} ({}) — {} to {}: over by {}",
                    c.person_name,
                    c.department,
                    c.start,
                    c.finish,
                    h(c.excess_minutes)
                ),
                &["Project", "Task or allocation", "Hours in the period"],
                cause_rows(&c.causes),
                "",
            );
            sec.text = if c.suggestions.is_empty() {
                "No one with the role is free and no task can move within its float: negotiate dates or add capacity.".into()
            } else {
                "Suggested resolutions:".into()
            };
            sec.items = c.suggestions.iter().map(suggestion_text).collect();
            page.sections.push(sec);
        }
        Ok(render(&page))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn utilization_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Query(q): Q,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let today = s.app.today();
        let bucket = bucket_param(param(&q, "bucket"), Bucket::Week)?;
        let bucket = if bucket == Bucket::Day { Bucket::Week } else { bucket };
        let default_from = today.saturating_sub(jiff::Span::new().weeks(6));
        let from = date_param("from", param(&q, "from"), default_from)?;
        let count = count_param(
            "count",
            param(&q, "count").and_then(|c| c.trim().parse().ok()),
            8,
            bucket.max_count(),
        )?;
        let by_dept = param(&q, "group") == Some("department");
        let dept = param(&q, "department").map(str::to_owned);
        let offset: usize = param(&q, "offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        let v = s
            .app
            .utilization(
                &a,
                &atrium_app::capacity::UtilizationQuery {
                    department: dept.clone(),
                    by_department: by_dept,
                    bucket,
                    from,
                    count,
                    offset,
                    limit: 50,
                },
            )
            .await?;
        let mut page = ResourcesPage::new(&a, "Utilization: planned and actual", "/resources/utilization");
        page.intro = "Each cell: planned project work / actual hours from approved timesheets, as a share of contracted time; non-project time (operations, support) is shown per row.".into();
        page.filters = vec![
            Field::select(
                "group",
                "Rows",
                if by_dept { "department" } else { "person" },
                vec![
                    ("person".into(), "Person".into()),
                    ("department".into(), "Department".into()),
                ],
            ),
            Field::select(
                "bucket",
                "Buckets",
                bucket.as_str(),
                vec![("week".into(), "week".into()), ("month".into(), "month".into())],
            ),
            Field::text("from", "From", from.to_string()).kind(FieldKind::Date),
            Field::text("count", "How many", count.to_string()),
            Field::select(
                "department",
                "Department",
                dept.clone().unwrap_or_default(),
                department_options(&s, &a).await,
            ),
        ];
        let mut cols: Vec<String> = vec!["Who".into(), "Non-project".into()];
        cols.extend(v.columns.iter().map(|c| c.2.clone()));
        let pct = |p: Option<f64>| p.map_or("—".to_owned(), |p| format!("{p:.0}%"));
        let rows = v
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![match r.person_id {
                    Some(id) => Cell::link(&r.label, format!("/people/{id}")),
                    None => Cell::text(&r.label),
                }];
                let np: i64 = r.cells.iter().map(|c| c.non_project).sum();
                row.push(Cell::text(h(np)).class("num"));
                for c in &r.cells {
                    let over = c.actual > c.gross || c.planned > c.gross;
                    row.push(
                        Cell::text(format!("{} / {}", pct(c.planned_pct()), pct(c.actual_pct())))
                            .class(if over { "num over" } else { "num" }),
                    );
                }
                row
            })
            .collect();
        let mut sec = Section::table("", &[], rows, "Nobody in the pool matches.");
        sec.columns = cols;
        page.sections.push(sec);
        if offset + 50 < v.total_rows {
            let mut qs: Vec<String> = q
                .iter()
                .filter(|(k, _)| k.as_str() != "offset")
                .map(|(k, v)| format!("{k}={}", urlencode(v)))
                .collect();
            qs.sort();
            qs.push(format!("offset={}", offset + 50));
            page.next_href = Some(format!("/resources/utilization?{}", qs.join("&")));
            page.page_text = format!("Rows {}–{} of {}", offset + 1, offset + 50, v.total_rows);
        }
        Ok(render(&page))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn skills_page(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let r: atrium_app::Result<Response> = async {
        let from = date_param("from", param(&q, "from"), s.app.today())?;
        let quarters = count_param(
            "quarters",
            param(&q, "quarters").and_then(|c| c.trim().parse().ok()),
            4,
            8,
        )?;
        if let Some(f) = param(&q, "format") {
            return Ok(super::plan::export_response(
                s.app.skill_gaps_export(&a, from, quarters, f).await?,
            ));
        }
        let g = s.app.skill_gaps(&a, from, quarters).await?;
        let mut page = ResourcesPage::new(&a, "Skill gaps", "/resources/skills");
        page.intro = "Unfilled demand for each skill — open requests, generic resources in plans, proposals still being decided — against the time the people who have it still have free after the work already on them. Biggest gaps first; export it for hiring and training decisions.".into();
        page.filters = vec![
            Field::text("from", "From", from.to_string()).kind(FieldKind::Date),
            Field::text("quarters", "Quarters", quarters.to_string()),
        ];
        let qs = format!("from={from}&quarters={quarters}");
        page.downloads = vec![
            (format!("/resources/skills?{qs}&format=csv"), "Export CSV".into()),
            (format!("/resources/skills?{qs}&format=xlsx"), "Export XLSX".into()),
        ];
        let mut cols: Vec<String> = vec!["Skill".into(), "People".into()];
        cols.extend(g.columns.iter().map(|c| format!("{} free / needed", c.2)));
        let rows = g
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    Cell::link(&r.skill, format!("/people?skill={}", urlencode(&r.skill))),
                    Cell::text(r.people.to_string()).class("num"),
                ];
                for (i, (sup, act, prop)) in r.quarters.iter().enumerate() {
                    let gap = r.gap(i);
                    row.push(
                        Cell::text(if gap > 0 {
                            format!("{} / {} (gap {})", h(*sup), h(act + prop), h(gap))
                        } else {
                            format!("{} / {}", h(*sup), h(act + prop))
                        })
                        .class(if gap > 0 { "num over" } else { "num" }),
                    );
                }
                row
            })
            .collect();
        let mut sec = Section::table("", &[], rows, "No skills recorded in the pool yet.");
        sec.columns = cols;
        page.sections.push(sec);
        Ok(render(&page))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn what_if_page(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let r: atrium_app::Result<Response> = async {
        let proposal = param(&q, "proposal").and_then(|p| p.parse().ok());
        let scenario = param(&q, "scenario").and_then(|p| p.parse().ok());
        let w = s.app.what_if(&a, proposal, scenario).await?;
        let mut page = ResourcesPage::new(&a, format!("What if: {}", w.title), "/resources");
        page.intro = "The capacity each job role would need, per quarter, if this were approved — computed on the side: nothing changes until it is decided.".into();
        let mut cols: Vec<String> = vec!["Job role".into()];
        cols.extend(w.columns.iter().map(|c| c.2.clone()));
        let rows = w
            .rows
            .iter()
            .filter(|(_, cells)| cells.iter().any(|c| c.2 > 0))
            .map(|(role, cells)| {
                let mut row = vec![Cell::text(role)];
                for (c, d, add) in cells {
                    let over = d + add > *c;
                    row.push(
                        Cell::text(format!("{} + {} of {}", h(*d), h(*add), h(*c)))
                            .class(if over { "num over" } else { "num" }),
                    );
                }
                row
            })
            .collect();
        let mut sec = Section::table(
            "Demand now + added, of capacity",
            &[],
            rows,
            "It asks for no capacity from the pool's job roles.",
        );
        sec.columns = cols;
        if !w.unknown_roles.is_empty() {
            sec.text = format!(
                "Nobody in the pool has these roles: {}.",
                w.unknown_roles.join(", ")
            );
        }
        page.sections.push(sec);
        Ok(render(&page))
    }
    .await;
    r.unwrap_or_else(err)
}

// ======================= requests =======================

fn state_class(s: RequestState) -> &'static str {
    match s {
        RequestState::Committed => "badge green",
        RequestState::Rejected | RequestState::Cancelled => "badge grey",
        _ => "badge amber",
    }
}

async fn requests_page(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let r: atrium_app::Result<Response> = async {
        let state = match param(&q, "state") {
            None => None,
            Some(x) => Some(RequestState::parse(x).ok_or_else(|| {
                AppError::field("state", "unknown state")
            })?),
        };
        let mine = param(&q, "mine") == Some("reports");
        let my_person = atrium_store::plan::person_of_user(&s.app.db, a.user_id)
            .await?
            .map(|p| p.0);
        let offset: i64 = param(&q, "offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        let f = RequestFilter {
            state,
            open: param(&q, "open") == Some("1"),
            line_manager: if mine { my_person } else { None },
            ..Default::default()
        };
        let page_req = atrium_store::Page {
            limit: 50,
            offset: offset.max(0),
        };
        let (items, next) = s.app.list_requests(&a, f, "start", false, page_req).await?;
        let mut page = ResourcesPage::new(&a, if mine { "Requests for my people" } else { "Resource requests" }, "/resources/requests");
        page.intro = "Project managers ask for a role or skills for hours per week over a period (from the project's page); the resource manager proposes a person and commits the request, which books the person month by month.".into();
        page.filters = vec![
            Field::select(
                "state",
                "State",
                state.map(|s| s.as_str()).unwrap_or(""),
                std::iter::once((String::new(), "Any".to_owned()))
                    .chain(RequestState::ALL.iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())))
                    .collect(),
            ),
        ];
        let mut ids: Vec<Uuid> = items.iter().map(|r| r.project_id).collect();
        ids.sort();
        ids.dedup();
        let names: HashMap<Uuid, String> = atrium_store::resource::project_names(&s.app.db, &ids)
            .await?
            .into_iter()
            .map(|(id, k, n)| (id, format!("{k} {n}")))
            .collect();
        let people_names = s
            .app
            .person_names(&a, items.iter().filter_map(|r| r.person_id))
            .await?;
        let rows = items
            .iter()
            .map(|r| {
                vec![
                    Cell::link(r.describe(), format!("/resources/requests/{}", r.id)),
                    Cell::link(
                        names.get(&r.project_id).cloned().unwrap_or_default(),
                        format!("/projects/{}", r.project_id),
                    ),
                    Cell::text(format!("{} – {}", r.start, r.finish)),
                    Cell::text(h(i64::from(r.minutes_per_week))).class("num"),
                    Cell::text(r.state.label()).class(state_class(r.state)),
                    Cell::text(
                        r.person_id
                            .and_then(|p| people_names.get(&p).map(|n| n.0.clone()))
                            .unwrap_or_default(),
                    ),
                ]
            })
            .collect();
        page.sections.push(Section::table(
            "",
            &["Asked for", "Project", "Period", "Per week", "State", "Person"],
            rows,
            "No request yet. Project managers ask for people from their project's page (Request people).",
        ));
        if offset > 0 {
            page.prev_href = Some(format!("/resources/requests?offset={}", (offset - 50).max(0)));
        }
        if let Some(n) = next {
            page.next_href = Some(format!("/resources/requests?offset={n}"));
        }
        if my_person.is_some() && !mine {
            page.links.push(("/resources/requests?mine=reports".into(), "Requests for my people".into()));
        }
        Ok(render(&page))
    }
    .await;
    r.unwrap_or_else(err)
}

fn request_fields(d: &RequestDraft) -> Vec<Field> {
    vec![
        Field::text("job_role", "Job role", &d.job_role)
            .help("e.g. Developer; leave empty to ask by skills only"),
        Field::text("skills", "Skills", &d.skills)
            .help("Comma-separated with the minimum level 1–5: Rust:4, SQL:3"),
        Field::text("start", "From", &d.start)
            .kind(FieldKind::Date)
            .required(),
        Field::text("finish", "To", &d.finish)
            .kind(FieldKind::Date)
            .required(),
        Field::text("hours_per_week", "Hours per week", &d.hours_per_week)
            .required()
            .help("Hours (16) or a share of a full week (50%)"),
        Field::text("note", "Note", &d.note).kind(FieldKind::Textarea),
    ]
}

async fn request_new(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match s
        .app
        .delivery_project(&a, id, Action::RequestResource)
        .await
    {
        Ok(p) => {
            let today = s.app.today();
            let d = RequestDraft {
                start: today.to_string(),
                finish: today
                    .saturating_add(jiff::Span::new().months(3))
                    .to_string(),
                hours_per_week: "20".into(),
                ..Default::default()
            };
            form_page(
                &a,
                "/resources",
                format!("Request people for {} {}", p.key, p.name),
                format!("/projects/{id}/requests/new"),
                request_fields(&d),
                &[],
                format!("/projects/{id}"),
                None,
            )
        }
        Err(e) => err(e),
    }
}

async fn request_create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = RequestDraft {
        job_role: f.get("job_role"),
        skills: f.get("skills"),
        start: f.get("start"),
        finish: f.get("finish"),
        hours_per_week: f.get("hours_per_week"),
        note: f.get("note"),
    };
    match s.app.create_request(&a, id, &d).await {
        Ok(r) => {
            Redirect::to(&format!("/resources/requests/{}?done=created", r.id)).into_response()
        }
        Err(AppError::Validation(errs)) => {
            let mut resp = form_page(
                &a,
                "/resources",
                "Request people".into(),
                format!("/projects/{id}/requests/new"),
                request_fields(&d),
                &errs,
                format!("/projects/{id}"),
                None,
            );
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            resp
        }
        Err(e) => err(e),
    }
}

async fn request_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    Query(q): Q,
) -> Response {
    render_request(&s, &a, id, param(&q, "done"), &[]).await
}

async fn render_request(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    done: Option<&str>,
    errors: &[FieldError],
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let d: RequestDetail = s.app.get_request(a, id).await?;
        let r = &d.request;
        let mut page = ResourcesPage::new(
            a,
            format!("{} for {} {}", r.describe(), d.project_key, d.project_name),
            "/resources/requests",
        );
        page.notice = match done {
            Some("created") => "Request sent to the resource manager.",
            Some("propose") => "Person proposed.",
            Some("commit") => "Committed: the person is allocated month by month.",
            Some("reject") => "Request rejected.",
            Some("cancel") => "Request cancelled.",
            Some("allocation") => "Allocation changed.",
            _ => "",
        }
        .into();
        page.facts = vec![
            ("State".into(), r.state.label().into()),
            ("Period".into(), format!("{} – {}", r.start, r.finish)),
            ("Hours per week".into(), h(i64::from(r.minutes_per_week))),
            (
                "Person".into(),
                d.person
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| "—".into()),
            ),
        ];
        if !r.note.is_empty() {
            page.intro = r.note.clone();
        }
        if !r.reason.is_empty() {
            page.facts.push(("Reason".into(), r.reason.clone()));
        }
        if !d.allocations.is_empty() {
            let rows = d
                .allocations
                .iter()
                .map(|al| {
                    vec![
                        Cell::text(format!("{} – {}", al.start, al.finish)),
                        Cell::text(h(i64::from(al.minutes_per_week))).class("num"),
                    ]
                })
                .collect();
            page.sections.push(Section::table(
                "Allocations (month by month)",
                &["Period", "Hours per week"],
                rows,
                "",
            ));
            if d.can_allocate {
                for al in &d.allocations {
                    page.forms.push(PostForm {
                        action: format!("/resources/allocations/{}", al.id),
                        heading: String::new(),
                        button: "Change",
                        danger: false,
                        fields: vec![Field::text(
                            "hours_per_week",
                            format!("Hours per week {} – {}", al.start, al.finish),
                            format!("{}", f64::from(al.minutes_per_week) / 60.0),
                        )],
                        alt: None,
                    });
                }
            }
        }
        let version =
            Field::text("version", "version", r.version.to_string()).kind(FieldKind::Hidden);
        if r.state.is_open() && d.can_allocate {
            let candidates = s.app.request_candidates(a, id, 15).await?;
            let rows = candidates
                .iter()
                .map(|(p, free)| {
                    vec![
                        Cell::link(&p.name, format!("/people/{}", p.id)),
                        Cell::text(&p.department),
                        Cell::text(&p.job_role),
                        Cell::text(h(*free)).class("num"),
                    ]
                })
                .collect();
            page.sections.push(Section::table(
                "People who fit",
                &[
                    "Person",
                    "Department",
                    "Job role",
                    "Free project hours in the period",
                ],
                rows,
                "Nobody in the pool has this role and these skills.",
            ));
            let opts: Vec<(String, String)> = candidates
                .iter()
                .map(|(p, free)| (p.id.to_string(), format!("{} — {} free", p.name, h(*free))))
                .collect();
            let chosen = r.person_id.map(|p| p.to_string()).unwrap_or_default();
            if !opts.is_empty() {
                page.forms.push(PostForm {
                    action: format!("/resources/requests/{id}/propose"),
                    heading: "Propose or commit a person".into(),
                    button: "Propose",
                    danger: false,
                    fields: vec![
                        Field::select("person_id", "Person", chosen, opts),
                        version.clone_hidden(),
                    ],
                    alt: Some((format!("/resources/requests/{id}/commit"), "Commit")),
                });
            }
            page.forms.push(PostForm {
                action: format!("/resources/requests/{id}/reject"),
                heading: "Reject".into(),
                button: "Reject",
                danger: true,
                fields: vec![
                    Field::text("reason", "Reason", "")
                        .kind(FieldKind::Textarea)
                        .required(),
                    version.clone_hidden(),
                ],
                alt: None,
            });
        } else if r.state == RequestState::Proposed && d.can_respond {
            page.forms.push(PostForm {
                action: format!("/resources/requests/{id}/commit"),
                heading: "Accept the proposed person".into(),
                button: "Accept and commit",
                danger: false,
                fields: vec![version.clone_hidden()],
                alt: None,
            });
        }
        if r.state.is_open() && d.can_respond {
            page.forms.push(PostForm {
                action: format!("/resources/requests/{id}/cancel"),
                heading: "Withdraw the request".into(),
                button: "Cancel the request",
                danger: true,
                fields: vec![
                    Field::text("reason", "Reason", "")
                        .kind(FieldKind::Textarea)
                        .required(),
                    version.clone_hidden(),
                ],
                alt: None,
            });
        }
        for f in &mut page.forms {
            let general = attach_errors(&mut f.fields, errors);
            if !general.is_empty() && page.general_errors.is_empty() {
                page.general_errors = general;
            }
        }
        page.links
            .push((format!("/projects/{}", r.project_id), "The project".into()));
        let mut resp = render(&page);
        if !errors.is_empty() {
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(resp)
    }
    .await;
    r.unwrap_or_else(err)
}

trait HiddenClone {
    fn clone_hidden(&self) -> Field;
}

impl HiddenClone for Field {
    fn clone_hidden(&self) -> Field {
        Field::text(self.name.clone(), self.label.clone(), self.value.clone())
            .kind(FieldKind::Hidden)
    }
}

async fn request_step(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, step)): Path<(Uuid, String)>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let person = f.get("person_id").trim().parse::<Uuid>().ok();
    let st = match step.as_str() {
        "propose" => match person {
            Some(p) => RequestStep::Propose(p),
            None => {
                return render_request(
                    &s,
                    &a,
                    id,
                    None,
                    &[FieldError {
                        field: "person_id".into(),
                        message: "choose a person".into(),
                    }],
                )
                .await;
            }
        },
        "commit" => RequestStep::Commit(person),
        "reject" => RequestStep::Reject(f.get("reason")),
        "cancel" => RequestStep::Cancel(f.get("reason")),
        _ => return err(AppError::NotFound("step")),
    };
    match s.app.request_step(&a, id, version_of(&f), st).await {
        Ok(_) => Redirect::to(&format!("/resources/requests/{id}?done={step}")).into_response(),
        Err(AppError::Validation(errs)) => render_request(&s, &a, id, None, &errs).await,
        Err(e) => err(e),
    }
}

async fn allocation_set(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s.app.set_allocation(&a, id, &f.get("hours_per_week")).await {
        Ok(al) => match al.request_id {
            Some(r) => {
                Redirect::to(&format!("/resources/requests/{r}?done=allocation")).into_response()
            }
            None => Redirect::to("/resources/allocations").into_response(),
        },
        Err(e) => err(e),
    }
}

async fn allocations_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Query(q): Q,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let today = s.app.today();
        let from = date_param("from", param(&q, "from"), today)?;
        let to = date_param("to", param(&q, "to"), from.saturating_add(jiff::Span::new().days(365)))?;
        if let Some(f) = param(&q, "format") {
            return Ok(super::plan::export_response(
                s.app.allocations_export(&a, from, to, f).await?,
            ));
        }
        let offset: i64 = param(&q, "offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        let (items, next) = s
            .app
            .list_allocations(&a, None, None, from, to, atrium_store::Page { limit: 100, offset: offset.max(0) })
            .await?;
        let mut page = ResourcesPage::new(&a, "Allocations", "/resources/allocations");
        page.intro = "Committed, time-phased bookings of people on projects (one line per month of a committed request).".into();
        page.filters = vec![
            Field::text("from", "From", from.to_string()).kind(FieldKind::Date),
            Field::text("to", "To", to.to_string()).kind(FieldKind::Date),
        ];
        let qs = format!("from={from}&to={to}");
        page.downloads = vec![
            (format!("/resources/allocations?{qs}&format=csv"), "Export CSV".into()),
            (format!("/resources/allocations?{qs}&format=xlsx"), "Export XLSX".into()),
        ];
        let mut ids: Vec<Uuid> = items.iter().map(|r| r.project_id).collect();
        ids.sort();
        ids.dedup();
        let names: HashMap<Uuid, String> = atrium_store::resource::project_names(&s.app.db, &ids)
            .await?
            .into_iter()
            .map(|(id, k, n)| (id, format!("{k} {n}")))
            .collect();
        let people_names = s
            .app
            .person_names(&a, items.iter().map(|al| al.person_id))
            .await?;
        let rows = items
            .iter()
            .map(|al| {
                vec![
                    Cell::link(
                        people_names
                            .get(&al.person_id)
                            .map(|n| n.0.clone())
                            .unwrap_or_default(),
                        format!("/people/{}", al.person_id),
                    ),
                    Cell::link(
                        names.get(&al.project_id).cloned().unwrap_or_default(),
                        format!("/projects/{}", al.project_id),
                    ),
                    Cell::text(format!("{} – {}", al.start, al.finish)),
                    Cell::text(h(i64::from(al.minutes_per_week))).class("num"),
                    match al.request_id {
                        Some(r) => Cell::link("Request", format!("/resources/requests/{r}")),
                        None => Cell::text(""),
                    },
                ]
            })
            .collect();
        page.sections.push(Section::table(
            "",
            &["Person", "Project", "Period", "Hours per week", ""],
            rows,
            "No allocation in this period.",
        ));
        if offset > 0 {
            page.prev_href = Some(format!("/resources/allocations?{qs}&offset={}", (offset - 100).max(0)));
        }
        if let Some(n) = next {
            page.next_href = Some(format!("/resources/allocations?{qs}&offset={n}"));
        }
        Ok(render(&page))
    }
    .await;
    r.unwrap_or_else(err)
}

// ======================= absences =======================

fn absence_fields(d: &AbsenceDraft) -> Vec<Field> {
    vec![
        Field::text("start", "From", &d.start)
            .kind(FieldKind::Date)
            .required(),
        Field::text("finish", "To", &d.finish)
            .kind(FieldKind::Date)
            .required(),
        Field::select(
            "kind",
            "Kind",
            if d.kind.is_empty() {
                "leave"
            } else {
                d.kind.as_str()
            },
            AbsenceKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
                .collect(),
        ),
        Field::text("note", "Note", &d.note),
    ]
}

async fn absences_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    render_absences(&s, &a, id, &AbsenceDraft::default(), &[]).await
}

async fn render_absences(
    s: &AppState,
    a: &Actor,
    id: Uuid,
    d: &AbsenceDraft,
    errors: &[FieldError],
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let p = s.app.get_person(a, id).await?;
        let list = s.app.list_absences(a, id).await?;
        let can_manage = can(s, a, Action::ManagePeople, &Placement::ORGANIZATION).await;
        let mut page = ResourcesPage::new(a, format!("{} — absences", p.name), "");
        page.nav = Nav::new(a, "/people");
        page.subnav = Vec::new();
        page.intro =
            "Days away count as zero capacity; work planned on them shows as over-allocation."
                .into();
        let rows = list
            .iter()
            .map(|ab| {
                let mut row = vec![
                    Cell::text(format!("{} – {}", ab.start, ab.finish)),
                    Cell::text(ab.kind.label()),
                    Cell::text(&ab.note),
                ];
                if can_manage {
                    row.push(
                        Cell::link("Remove", format!("/people/{id}/absences/{}/remove", ab.id))
                            .class("danger-link"),
                    );
                }
                row
            })
            .collect();
        page.sections.push(Section::table(
            "",
            if can_manage {
                &["Period", "Kind", "Note", ""]
            } else {
                &["Period", "Kind", "Note"]
            },
            rows,
            "No absence recorded.",
        ));
        if can_manage {
            page.forms.push(PostForm {
                action: format!("/people/{id}/absences"),
                heading: "Add an absence".into(),
                button: "Add",
                danger: false,
                fields: absence_fields(d),
                alt: None,
            });
            for f in &mut page.forms {
                page.general_errors = attach_errors(&mut f.fields, errors);
            }
        }
        page.links
            .push((format!("/people/{id}"), "Back to the person".into()));
        let mut resp = render(&page);
        if !errors.is_empty() {
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(resp)
    }
    .await;
    r.unwrap_or_else(err)
}

async fn absence_add(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = AbsenceDraft {
        start: f.get("start"),
        finish: f.get("finish"),
        kind: f.get("kind"),
        note: f.get("note"),
    };
    match s.app.add_absence(&a, id, &d).await {
        Ok(_) => Redirect::to(&format!("/people/{id}/absences")).into_response(),
        Err(AppError::Validation(errs)) => render_absences(&s, &a, id, &d, &errs).await,
        Err(e) => err(e),
    }
}

async fn absence_remove_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, absence)): Path<(Uuid, Uuid)>,
) -> Response {
    match s.app.get_person(&a, id).await {
        Ok(p) => render(&ConfirmPage {
            nav: Nav::new(&a, "/people"),
            title: format!("Remove this absence of {}?", p.name),
            message: "Those days count as working capacity again.".into(),
            action: format!("/people/{id}/absences/{absence}/remove"),
            version: 0,
            cancel: format!("/people/{id}/absences"),
            button: "Yes, remove",
        }),
        Err(e) => err(e),
    }
}

async fn absence_remove(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path((id, absence)): Path<(Uuid, Uuid)>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    match s.app.delete_absence(&a, id, absence).await {
        Ok(()) => Redirect::to(&format!("/people/{id}/absences")).into_response(),
        Err(e) => err(e),
    }
}
