//! Pages for portfolios, programs, projects and people: list (sort, filter, pagination,
//! CSV export), detail, create and edit forms with inline errors, archive with confirmation.

use super::check_csrf;
use crate::AppState;
use crate::extract::{FormData, PageUser};
use crate::views::*;
use atrium_app::records::Lookups;
use atrium_app::{Actor, AppError};
use atrium_core::FieldError;
use atrium_core::identity::Placement;
use atrium_core::portfolio::PortfolioDraft;
use atrium_core::program::ProgramDraft;
use atrium_core::project::{Phase, ProjectDraft, Rag};
use atrium_core::resource::PersonDraft;
use atrium_store::Page;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::HashMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(projects_list).post(project_create))
        .route("/projects.csv", get(projects_csv))
        .route("/projects/new", get(project_new))
        .route("/projects/{id}", get(project_show).post(project_update))
        .route("/projects/{id}/edit", get(project_edit))
        .route(
            "/projects/{id}/archive",
            get(project_archive_confirm).post(project_archive),
        )
        .route("/portfolios", get(portfolios_list).post(portfolio_create))
        .route("/portfolios.csv", get(portfolios_csv))
        .route("/portfolios/new", get(portfolio_new))
        .route(
            "/portfolios/{id}",
            get(portfolio_show).post(portfolio_update),
        )
        .route("/portfolios/{id}/edit", get(portfolio_edit))
        .route("/programs", get(programs_list).post(program_create))
        .route("/programs.csv", get(programs_csv))
        .route("/programs/new", get(program_new))
        .route("/programs/{id}", get(program_show).post(program_update))
        .route("/programs/{id}/edit", get(program_edit))
        .route("/people", get(people_list).post(person_create))
        .route("/people.csv", get(people_csv))
        .route("/people/new", get(person_new))
        .route("/people/{id}", get(person_show).post(person_update))
        .route("/people/{id}/edit", get(person_edit))
}

type Q = Query<HashMap<String, String>>;

pub(crate) fn err(e: AppError) -> Response {
    app_error_page(e)
}

pub(crate) fn page_of(q: &HashMap<String, String>) -> Page {
    let limit = q
        .get("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(50i64)
        .clamp(1, 200);
    let offset = q
        .get("offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0i64)
        .max(0);
    Page { limit, offset }
}

pub(crate) fn sort_of(
    q: &HashMap<String, String>,
    allowed: &[(&str, &str)],
    default: &str,
) -> (String, bool) {
    let raw = q.get("sort").map(String::as_str).unwrap_or(default);
    let (desc, col) = raw.strip_prefix('-').map_or((false, raw), |c| (true, c));
    if allowed.iter().any(|(k, _)| *k == col) {
        (col.to_owned(), desc)
    } else {
        (default.to_owned(), false)
    }
}

/// Query string with `key` replaced (or removed when `val` is empty).
pub(crate) fn with(q: &HashMap<String, String>, key: &str, val: &str) -> String {
    let mut pairs: Vec<(String, String)> = q
        .iter()
        .filter(|(k, v)| *k != key && !v.is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !val.is_empty() {
        pairs.push((key.to_owned(), val.to_owned()));
    }
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn columns(
    base: &str,
    q: &HashMap<String, String>,
    cols: &[(&'static str, Option<&str>)],
    sort: &str,
    desc: bool,
) -> Vec<Col> {
    let mut q = q.clone();
    q.remove("offset");
    cols.iter()
        .map(|(label, key)| match key {
            Some(k) => {
                let active = *k == sort;
                let next = if active && !desc {
                    format!("-{k}")
                } else {
                    (*k).to_owned()
                };
                Col {
                    label,
                    href: Some(format!("{base}?{}", with(&q, "sort", &next))),
                    arrow: if active {
                        if desc { " ▼" } else { " ▲" }
                    } else {
                        ""
                    },
                }
            }
            None => Col {
                label,
                href: None,
                arrow: "",
            },
        })
        .collect()
}

pub(crate) fn pager(
    base: &str,
    q: &HashMap<String, String>,
    page: Page,
    shown: usize,
    next: Option<i64>,
) -> (Option<String>, Option<String>, String) {
    let prev = (page.offset > 0).then(|| {
        format!(
            "{base}?{}",
            with(q, "offset", &(page.offset - page.limit).max(0).to_string())
        )
    });
    let nxt = next.map(|n| format!("{base}?{}", with(q, "offset", &n.to_string())));
    let text = if shown == 0 {
        String::new()
    } else {
        format!("{}–{}", page.offset + 1, page.offset + shown as i64)
    };
    (prev, nxt, text)
}

pub(crate) fn options<T: Copy>(
    all: &[T],
    val: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    any: Option<&str>,
) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = any
        .map(|a| vec![(String::new(), a.to_owned())])
        .unwrap_or_default();
    v.extend(
        all.iter()
            .map(|x| (val(*x).to_owned(), label(*x).to_owned())),
    );
    v
}

pub(crate) fn csv_response(name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// Guards CSV cells against formula injection in spreadsheets.
fn csv_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

pub(crate) fn write_csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(vec![]);
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r.iter().map(|c| csv_cell(c)));
    }
    w.into_inner().unwrap_or_default()
}

pub(crate) fn user_opts(lk: &Lookups) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "— none —".to_owned())];
    v.extend(lk.users.iter().map(|(id, n)| (id.to_string(), n.clone())));
    v
}

pub(crate) fn portfolio_opts(lk: &Lookups, blank: &str) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), blank.to_owned())];
    v.extend(
        lk.portfolios
            .iter()
            .map(|(id, k, n)| (id.to_string(), format!("{k} — {n}"))),
    );
    v
}

fn program_opts(lk: &Lookups, blank: &str) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), blank.to_owned())];
    v.extend(
        lk.programs
            .iter()
            .map(|(id, k, n, _)| (id.to_string(), format!("{k} — {n}"))),
    );
    v
}

// ======================= projects =======================

fn project_filter(q: &HashMap<String, String>) -> atrium_store::project::Filter {
    atrium_store::project::Filter {
        q: q.get("q").cloned().filter(|s| !s.is_empty()),
        portfolio_id: q.get("portfolio_id").and_then(|v| v.parse().ok()),
        program_id: q.get("program_id").and_then(|v| v.parse().ok()),
        phase: q.get("phase").and_then(|v| Phase::parse(v)),
        status: q.get("status").and_then(|v| Rag::parse(v)),
        include_archived: q.get("archived").is_some_and(|v| v == "1"),
        ..Default::default()
    }
}

async fn projects_list(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let r: atrium_app::Result<ListPage> = async {
        let page = page_of(&q);
        let (sort, desc) = sort_of(&q, atrium_store::project::SORTS, "key");
        let (items, next) = s
            .app
            .list_projects(&a, &project_filter(&q), &sort, desc, page)
            .await?;
        let lk = s.app.lookups().await?;
        let mode = s.app.settings().await?.operating_mode;
        let can_create =
            atrium_app::permissions::roles_for(atrium_app::Action::CreateProject, mode)
                .iter()
                .any(|r| a.roles().contains(r));
        let rows = items.iter().map(|p| {
            vec![
                Cell::text(p.status.label()).class(format!("rag-cell {}", p.status.as_str())),
                Cell::link(&p.key, format!("/projects/{}", p.id)),
                Cell::text(&p.name),
                Cell::text(lk.portfolio(p.portfolio_id)),
                Cell::text(lk.program(p.program_id)),
                Cell::text(p.phase.label()),
                Cell::text(lk.user(p.manager_id)),
                Cell::text(p.planned_start.map(|d| d.to_string()).unwrap_or_default()),
                Cell::text(p.planned_finish.map(|d| d.to_string()).unwrap_or_default()),
                Cell::text(p.budget.format()).class("num"),
            ]
        });
        let rows: Vec<_> = rows.collect();
        let (prev_href, next_href, page_text) = pager("/projects", &q, page, rows.len(), next);
        let cols = [
            ("Status", Some("status")),
            ("Key", Some("key")),
            ("Name", Some("name")),
            ("Portfolio", None),
            ("Program", None),
            ("Phase", Some("phase")),
            ("Manager", None),
            ("Start", Some("planned_start")),
            ("Finish", Some("planned_finish")),
            ("Budget", Some("budget")),
        ];
        Ok(ListPage {
            nav: Nav::new(&a, "/projects"),
            title: "Projects".into(),
            intro: String::new(),
            new_href: can_create.then(|| "/projects/new".into()),
            export_href: Some(format!("/projects.csv?{}", with(&q, "offset", ""))),
            filters: vec![
                Field::text("q", "Search", q.get("q").cloned().unwrap_or_default()),
                Field::select(
                    "portfolio_id",
                    "Portfolio",
                    q.get("portfolio_id").cloned().unwrap_or_default(),
                    portfolio_opts(&lk, "Any"),
                ),
                Field::select(
                    "phase",
                    "Phase",
                    q.get("phase").cloned().unwrap_or_default(),
                    options(&Phase::ALL, Phase::as_str, Phase::label, Some("Any")),
                ),
                Field::select(
                    "status",
                    "Status",
                    q.get("status").cloned().unwrap_or_default(),
                    options(&Rag::ALL, Rag::as_str, Rag::label, Some("Any")),
                ),
                Field::select(
                    "archived",
                    "Archived",
                    q.get("archived").cloned().unwrap_or_default(),
                    vec![(String::new(), "Hide".into()), ("1".into(), "Show".into())],
                ),
            ],
            action: "/projects".into(),
            sort: q.get("sort").cloned().unwrap_or_default(),
            columns: columns("/projects", &q, &cols, &sort, desc),
            rows,
            empty: "No project matches. Clear the filters, or create a project.".into(),
            prev_href,
            next_href,
            page_text,
        })
    }
    .await;
    r.map_or_else(err, |p| render(&p))
}

async fn projects_csv(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let (sort, desc) = sort_of(&q, atrium_store::project::SORTS, "key");
    let f = project_filter(&q);
    let mut all = vec![];
    let mut page = Page {
        limit: Page::MAX_LIMIT,
        offset: 0,
    };
    loop {
        match s.app.list_projects(&a, &f, &sort, desc, page).await {
            Ok((items, next)) => {
                all.extend(items);
                match next {
                    Some(n) if all.len() < 100_000 => page.offset = n,
                    _ => break,
                }
            }
            Err(e) => return err(e),
        }
    }
    let lk = match s.app.lookups().await {
        Ok(l) => l,
        Err(e) => return err(e),
    };
    let body = write_csv(
        &[
            "key",
            "name",
            "portfolio",
            "program",
            "phase",
            "status",
            "manager",
            "sponsor",
            "planned_start",
            "planned_finish",
            "budget",
            "currency",
            "status_note",
        ],
        all.iter().map(|p| {
            vec![
                p.key.clone(),
                p.name.clone(),
                lk.portfolio(p.portfolio_id),
                lk.program(p.program_id),
                p.phase.as_str().into(),
                p.status.as_str().into(),
                lk.user(p.manager_id),
                lk.user(p.sponsor_id),
                p.planned_start.map(|d| d.to_string()).unwrap_or_default(),
                p.planned_finish.map(|d| d.to_string()).unwrap_or_default(),
                p.budget.plain(),
                p.currency.clone(),
                p.status_note.clone().unwrap_or_default(),
            ]
        }),
    );
    csv_response("projects.csv", body)
}

fn project_fields(d: &ProjectDraft, lk: &Lookups) -> Vec<Field> {
    let id = |v: Option<Uuid>| v.map(|v| v.to_string()).unwrap_or_default();
    vec![
        Field::text("key", "Key", &d.key)
            .required()
            .help("Like PRJ-042: letters, a dash, digits. Unique."),
        Field::text("name", "Name", &d.name).required(),
        Field::select(
            "portfolio_id",
            "Portfolio",
            id(d.portfolio_id),
            portfolio_opts(lk, "— choose —"),
        ),
        Field::select(
            "program_id",
            "Program",
            id(d.program_id),
            program_opts(lk, "— none (directly in the portfolio) —"),
        ),
        Field::select("sponsor_id", "Sponsor", id(d.sponsor_id), user_opts(lk)),
        Field::select(
            "manager_id",
            "Project manager",
            id(d.manager_id),
            user_opts(lk),
        ),
        Field::select(
            "phase",
            "Lifecycle phase",
            &d.phase,
            options(&Phase::ALL, Phase::as_str, Phase::label, None),
        ),
        Field::text(
            "planned_start",
            "Planned start",
            d.planned_start.clone().unwrap_or_default(),
        )
        .kind(FieldKind::Date),
        Field::text(
            "planned_finish",
            "Planned finish",
            d.planned_finish.clone().unwrap_or_default(),
        )
        .kind(FieldKind::Date),
        Field::text("budget", "Budget", d.budget.clone().unwrap_or_default())
            .help("Amount in the organization's currency, e.g. 250000 or 250000.50."),
        Field::select(
            "status",
            "Status (RAG)",
            &d.status,
            options(&Rag::ALL, Rag::as_str, Rag::label, None),
        ),
        Field::text(
            "status_note",
            "Status note",
            d.status_note.clone().unwrap_or_default(),
        )
        .kind(FieldKind::Textarea),
        Field::text(
            "description",
            "Description",
            d.description.clone().unwrap_or_default(),
        )
        .kind(FieldKind::Textarea),
    ]
}

fn project_draft(f: &FormData) -> ProjectDraft {
    ProjectDraft {
        key: f.get("key"),
        name: f.get("name"),
        description: f.opt("description"),
        portfolio_id: f.uuid("portfolio_id"),
        program_id: f.uuid("program_id"),
        sponsor_id: f.uuid("sponsor_id"),
        manager_id: f.uuid("manager_id"),
        phase: f.get("phase"),
        planned_start: f.opt("planned_start"),
        planned_finish: f.opt("planned_finish"),
        budget: f.opt("budget"),
        status: f.get("status"),
        status_note: f.opt("status_note"),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn form_page(
    a: &Actor,
    current: &str,
    title: String,
    action: String,
    mut fields: Vec<Field>,
    errors: &[FieldError],
    cancel: String,
    version: Option<i64>,
) -> Response {
    let general = attach_errors(&mut fields, errors);
    if let Some(v) = version {
        fields.push(Field::text("version", "version", v.to_string()).kind(FieldKind::Hidden));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(&FormPage {
        nav: Nav::new(a, current),
        title,
        action,
        fields,
        general_errors: general,
        submit: "Save",
        cancel,
        notice: String::new(),
    });
    *r.status_mut() = status;
    r
}

/// Re-shows a form with the errors, or an error page for non-validation errors.
pub(crate) fn form_error(e: AppError, show: impl FnOnce(&[FieldError]) -> Response) -> Response {
    match e {
        AppError::Validation(errs) => show(&errs),
        AppError::Stale { current } => show(&[FieldError {
            field: "version".into(),
            message: format!(
                "Someone else changed this record (now version {current}) while you were editing. Your changes were not saved: open the record again to see the current values."
            ),
        }]),
        other => err(other),
    }
}

async fn project_new(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let lk = match s.app.lookups().await {
        Ok(l) => l,
        Err(e) => return err(e),
    };
    let d = ProjectDraft {
        phase: "initiating".into(),
        status: "green".into(),
        portfolio_id: q.get("portfolio_id").and_then(|v| v.parse().ok()),
        program_id: q.get("program_id").and_then(|v| v.parse().ok()),
        ..Default::default()
    };
    form_page(
        &a,
        "/projects",
        "New project".into(),
        "/projects".into(),
        project_fields(&d, &lk),
        &[],
        "/projects".into(),
        None,
    )
}

async fn project_create(State(s): State<AppState>, PageUser(a): PageUser, f: FormData) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = project_draft(&f);
    match s.app.create_project(&a, &d).await {
        Ok(p) => Redirect::to(&format!("/projects/{}", p.id)).into_response(),
        Err(e) => {
            let lk = s.app.lookups().await.unwrap_or_default();
            form_error(e, |errs| {
                form_page(
                    &a,
                    "/projects",
                    "New project".into(),
                    "/projects".into(),
                    project_fields(&d, &lk),
                    errs,
                    "/projects".into(),
                    None,
                )
            })
        }
    }
}

async fn project_show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r: atrium_app::Result<DetailPage> = async {
        let p = s.app.get_project(&a, id).await?;
        let lk = s.app.lookups().await?;
        let mode = s.app.settings().await?.operating_mode;
        let at = atrium_app::records::placement_of(&p);
        let can = |act| atrium_app::permissions::allows(&a, act, &at, mode);
        let mut actions = vec![];
        if can(atrium_app::Action::UpdateProject) && !p.archived {
            actions.push((format!("/projects/{id}/edit"), "Edit"));
        }
        if can(atrium_app::Action::RequestResource) && !p.archived {
            actions.push((format!("/projects/{id}/requests/new"), "Request people"));
        }
        let danger = (can(atrium_app::Action::ArchiveProject) && !p.archived)
            .then(|| (format!("/projects/{id}/archive"), "Archive"));
        Ok(DetailPage {
            nav: Nav::new(&a, "/projects"),
            title: format!("{} {}", p.key, p.name),
            subtitle: p.description.clone().unwrap_or_default(),
            badge: Some((p.status.as_str().into(), p.status.label().into())),
            rows: vec![
                (
                    "Portfolio",
                    Cell::link(
                        lk.portfolio(p.portfolio_id),
                        format!("/portfolios/{}", p.portfolio_id),
                    ),
                ),
                (
                    "Program",
                    p.program_id.map_or_else(
                        || Cell::text("—"),
                        |g| Cell::link(lk.program(Some(g)), format!("/programs/{g}")),
                    ),
                ),
                ("Phase", Cell::text(p.phase.label())),
                ("Sponsor", Cell::text(lk.user(p.sponsor_id))),
                ("Project manager", Cell::text(lk.user(p.manager_id))),
                (
                    "Planned start",
                    Cell::text(
                        p.planned_start
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "—".into()),
                    ),
                ),
                (
                    "Planned finish",
                    Cell::text(
                        p.planned_finish
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "—".into()),
                    ),
                ),
                (
                    "Budget",
                    Cell::text(format!("{} {}", p.budget.format(), p.currency)),
                ),
                (
                    "Status note",
                    Cell::text(p.status_note.clone().unwrap_or_default()),
                ),
                (
                    "Archived",
                    Cell::text(if p.archived { "yes" } else { "no" }),
                ),
                ("Version", Cell::text(p.version.to_string())),
            ],
            actions,
            danger,
            tabs: crate::views::project_tabs(id, ""),
        })
    }
    .await;
    r.map_or_else(err, |p| render(&p))
}

async fn project_edit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let p = s.app.get_project(&a, id).await?;
        let lk = s.app.lookups().await?;
        Ok(form_page(
            &a,
            "/projects",
            format!("Edit {}", p.key),
            format!("/projects/{id}"),
            project_fields(&ProjectDraft::from_project(&p), &lk),
            &[],
            format!("/projects/{id}"),
            Some(p.version),
        ))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn project_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = project_draft(&f);
    let version: i64 = f.get("version").parse().unwrap_or(-1);
    match s.app.update_project(&a, id, &d, version).await {
        Ok(p) => Redirect::to(&format!("/projects/{}", p.id)).into_response(),
        Err(e) => {
            let lk = s.app.lookups().await.unwrap_or_default();
            form_error(e, |errs| {
                form_page(
                    &a,
                    "/projects",
                    format!("Edit {}", d.key),
                    format!("/projects/{id}"),
                    project_fields(&d, &lk),
                    errs,
                    format!("/projects/{id}"),
                    Some(version),
                )
            })
        }
    }
}

async fn project_archive_confirm(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match s.app.get_project(&a, id).await {
        Ok(p) => render(&ConfirmPage {
            nav: Nav::new(&a, "/projects"),
            title: format!("Archive {}?", p.key),
            message: format!(
                "{} will disappear from lists and overviews. Its data and audit trail are kept, and it can be shown again with the Archived filter.",
                p.name
            ),
            action: format!("/projects/{id}/archive"),
            version: p.version,
            cancel: format!("/projects/{id}"),
            button: "Yes, archive",
        }),
        Err(e) => err(e),
    }
}

async fn project_archive(
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
        .archive_project(&a, id, f.get("version").parse().unwrap_or(-1))
        .await
    {
        Ok(_) => Redirect::to("/projects").into_response(),
        Err(e) => err(e),
    }
}

// ======================= portfolios =======================

async fn portfolios_list(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Query(q): Q,
) -> Response {
    let r: atrium_app::Result<ListPage> = async {
        let page = page_of(&q);
        let (sort, desc) = sort_of(&q, atrium_store::portfolio::SORTS, "key");
        let (items, next) = s.app.list_portfolios(&a, q.get("q").map(String::as_str), false, &sort, desc, page).await?;
        let lk = s.app.lookups().await?;
        let mode = s.app.settings().await?.operating_mode;
        let can_create = atrium_app::permissions::allows(&a, atrium_app::Action::CreatePortfolio, &Placement::ORGANIZATION, mode);
        let rows: Vec<_> = items
            .iter()
            .map(|p| vec![Cell::link(&p.key, format!("/portfolios/{}", p.id)), Cell::text(&p.name), Cell::text(lk.user(p.owner_id)), Cell::link("Projects", format!("/projects?portfolio_id={}", p.id))])
            .collect();
        let (prev_href, next_href, page_text) = pager("/portfolios", &q, page, rows.len(), next);
        Ok(ListPage {
            nav: Nav::new(&a, "/portfolios"),
            title: "Portfolios".into(),
            intro: "Collections of programs and projects managed together for strategic value.".into(),
            new_href: can_create.then(|| "/portfolios/new".into()),
            export_href: Some(format!("/portfolios.csv?{}", with(&q, "offset", ""))),
            filters: vec![Field::text("q", "Search", q.get("q").cloned().unwrap_or_default())],
            action: "/portfolios".into(),
            sort: q.get("sort").cloned().unwrap_or_default(),
            columns: columns("/portfolios", &q, &[("Key", Some("key")), ("Name", Some("name")), ("Owner", None), ("", None)], &sort, desc),
            rows,
            empty: "No portfolio yet. A portfolio groups the programs and projects you manage together.".into(),
            prev_href,
            next_href,
            page_text,
        })
    }
    .await;
    r.map_or_else(err, |p| render(&p))
}

async fn portfolios_csv(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let (sort, desc) = sort_of(&q, atrium_store::portfolio::SORTS, "key");
    let page = Page {
        limit: Page::MAX_LIMIT,
        offset: 0,
    };
    let r = s
        .app
        .list_portfolios(&a, q.get("q").map(String::as_str), false, &sort, desc, page)
        .await;
    let lk = s.app.lookups().await.unwrap_or_default();
    match r {
        Ok((items, _)) => csv_response(
            "portfolios.csv",
            write_csv(
                &["key", "name", "owner", "description"],
                items.iter().map(|p| {
                    vec![
                        p.key.clone(),
                        p.name.clone(),
                        lk.user(p.owner_id),
                        p.description.clone().unwrap_or_default(),
                    ]
                }),
            ),
        ),
        Err(e) => err(e),
    }
}

fn portfolio_fields(d: &PortfolioDraft, lk: &Lookups) -> Vec<Field> {
    vec![
        Field::text("key", "Key", &d.key)
            .required()
            .help("2–20 letters, digits or dashes, e.g. DIGITAL."),
        Field::text("name", "Name", &d.name).required(),
        Field::select(
            "owner_id",
            "Owner",
            d.owner_id.map(|v| v.to_string()).unwrap_or_default(),
            user_opts(lk),
        ),
        Field::text(
            "description",
            "Description",
            d.description.clone().unwrap_or_default(),
        )
        .kind(FieldKind::Textarea),
    ]
}

fn portfolio_draft(f: &FormData) -> PortfolioDraft {
    PortfolioDraft {
        key: f.get("key"),
        name: f.get("name"),
        description: f.opt("description"),
        owner_id: f.uuid("owner_id"),
    }
}

async fn portfolio_new(State(s): State<AppState>, PageUser(a): PageUser) -> Response {
    let lk = s.app.lookups().await.unwrap_or_default();
    form_page(
        &a,
        "/portfolios",
        "New portfolio".into(),
        "/portfolios".into(),
        portfolio_fields(&PortfolioDraft::default(), &lk),
        &[],
        "/portfolios".into(),
        None,
    )
}

async fn portfolio_create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = portfolio_draft(&f);
    match s.app.create_portfolio(&a, &d).await {
        Ok(p) => Redirect::to(&format!("/portfolios/{}", p.id)).into_response(),
        Err(e) => {
            let lk = s.app.lookups().await.unwrap_or_default();
            form_error(e, |errs| {
                form_page(
                    &a,
                    "/portfolios",
                    "New portfolio".into(),
                    "/portfolios".into(),
                    portfolio_fields(&d, &lk),
                    errs,
                    "/portfolios".into(),
                    None,
                )
            })
        }
    }
}

async fn portfolio_show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r: atrium_app::Result<DetailPage> = async {
        let p = s.app.get_portfolio(&a, id).await?;
        let lk = s.app.lookups().await?;
        let mode = s.app.settings().await?.operating_mode;
        let at = Placement {
            portfolio: Some(id),
            ..Default::default()
        };
        let mut actions = vec![
            (format!("/portfolios/{id}/analysis"), "Analysis"),
            (format!("/proposals?portfolio_id={id}"), "Proposals"),
            (format!("/projects?portfolio_id={id}"), "Projects"),
            (format!("/projects/new?portfolio_id={id}"), "New project"),
            (format!("/portfolios/{id}/risks"), "Risks"),
        ];
        if atrium_app::permissions::allows(&a, atrium_app::Action::UpdatePortfolio, &at, mode) {
            actions.push((format!("/portfolios/{id}/edit"), "Edit"));
        }
        Ok(DetailPage {
            nav: Nav::new(&a, "/portfolios"),
            title: format!("{} {}", p.key, p.name),
            subtitle: p.description.clone().unwrap_or_default(),
            badge: None,
            rows: vec![
                ("Owner", Cell::text(lk.user(p.owner_id))),
                ("Version", Cell::text(p.version.to_string())),
            ]
            .into_iter()
            .chain(
                super::delivery::rollup_rows(&s, &a, atrium_store::delivery::Rollup::Portfolio(id))
                    .await?,
            )
            .collect(),
            actions,
            danger: None,
            tabs: vec![],
        })
    }
    .await;
    r.map_or_else(err, |p| render(&p))
}

async fn portfolio_edit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let p = s.app.get_portfolio(&a, id).await?;
        let lk = s.app.lookups().await?;
        let d = PortfolioDraft {
            key: p.key.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            owner_id: p.owner_id,
        };
        Ok(form_page(
            &a,
            "/portfolios",
            format!("Edit {}", p.key),
            format!("/portfolios/{id}"),
            portfolio_fields(&d, &lk),
            &[],
            format!("/portfolios/{id}"),
            Some(p.version),
        ))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn portfolio_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = portfolio_draft(&f);
    let version: i64 = f.get("version").parse().unwrap_or(-1);
    match s.app.update_portfolio(&a, id, &d, version).await {
        Ok(_) => Redirect::to(&format!("/portfolios/{id}")).into_response(),
        Err(e) => {
            let lk = s.app.lookups().await.unwrap_or_default();
            form_error(e, |errs| {
                form_page(
                    &a,
                    "/portfolios",
                    "Edit portfolio".into(),
                    format!("/portfolios/{id}"),
                    portfolio_fields(&d, &lk),
                    errs,
                    format!("/portfolios/{id}"),
                    Some(version),
                )
            })
        }
    }
}

// ======================= programs =======================

async fn programs_list(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let r: atrium_app::Result<ListPage> = async {
        let page = page_of(&q);
        let (sort, desc) = sort_of(&q, atrium_store::portfolio::SORTS, "key");
        let pf = q.get("portfolio_id").and_then(|v| v.parse().ok());
        let (items, next) = s
            .app
            .list_programs(
                &a,
                q.get("q").map(String::as_str),
                pf,
                false,
                &sort,
                desc,
                page,
            )
            .await?;
        let lk = s.app.lookups().await?;
        let rows: Vec<_> = items
            .iter()
            .map(|p| {
                vec![
                    Cell::link(&p.key, format!("/programs/{}", p.id)),
                    Cell::text(&p.name),
                    Cell::text(lk.portfolio(p.portfolio_id)),
                    Cell::text(lk.user(p.manager_id)),
                    Cell::link("Projects", format!("/projects?program_id={}", p.id)),
                ]
            })
            .collect();
        let (prev_href, next_href, page_text) = pager("/programs", &q, page, rows.len(), next);
        let can_create = a.roles().iter().any(|r| {
            atrium_app::permissions::roles_for(
                atrium_app::Action::CreateProgram,
                atrium_core::org::OperatingMode::Supportive,
            )
            .contains(r)
        });
        Ok(ListPage {
            nav: Nav::new(&a, "/programs"),
            title: "Programs".into(),
            intro: "Related projects managed together for benefits no single project delivers."
                .into(),
            new_href: can_create.then(|| "/programs/new".into()),
            export_href: Some(format!("/programs.csv?{}", with(&q, "offset", ""))),
            filters: vec![
                Field::text("q", "Search", q.get("q").cloned().unwrap_or_default()),
                Field::select(
                    "portfolio_id",
                    "Portfolio",
                    q.get("portfolio_id").cloned().unwrap_or_default(),
                    portfolio_opts(&lk, "Any"),
                ),
            ],
            action: "/programs".into(),
            sort: q.get("sort").cloned().unwrap_or_default(),
            columns: columns(
                "/programs",
                &q,
                &[
                    ("Key", Some("key")),
                    ("Name", Some("name")),
                    ("Portfolio", None),
                    ("Program manager", None),
                    ("", None),
                ],
                &sort,
                desc,
            ),
            rows,
            empty: "No program matches.".into(),
            prev_href,
            next_href,
            page_text,
        })
    }
    .await;
    r.map_or_else(err, |p| render(&p))
}

async fn programs_csv(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let (sort, desc) = sort_of(&q, atrium_store::portfolio::SORTS, "key");
    let pf = q.get("portfolio_id").and_then(|v| v.parse().ok());
    let page = Page {
        limit: Page::MAX_LIMIT,
        offset: 0,
    };
    let r = s
        .app
        .list_programs(
            &a,
            q.get("q").map(String::as_str),
            pf,
            false,
            &sort,
            desc,
            page,
        )
        .await;
    let lk = s.app.lookups().await.unwrap_or_default();
    match r {
        Ok((items, _)) => csv_response(
            "programs.csv",
            write_csv(
                &["key", "name", "portfolio", "manager", "description"],
                items.iter().map(|p| {
                    vec![
                        p.key.clone(),
                        p.name.clone(),
                        lk.portfolio(p.portfolio_id),
                        lk.user(p.manager_id),
                        p.description.clone().unwrap_or_default(),
                    ]
                }),
            ),
        ),
        Err(e) => err(e),
    }
}

fn program_fields(d: &ProgramDraft, lk: &Lookups) -> Vec<Field> {
    vec![
        Field::text("key", "Key", &d.key)
            .required()
            .help("2–20 letters, digits or dashes, e.g. PGM-07."),
        Field::text("name", "Name", &d.name).required(),
        Field::select(
            "portfolio_id",
            "Portfolio",
            d.portfolio_id.map(|v| v.to_string()).unwrap_or_default(),
            portfolio_opts(lk, "— choose —"),
        ),
        Field::select(
            "manager_id",
            "Program manager",
            d.manager_id.map(|v| v.to_string()).unwrap_or_default(),
            user_opts(lk),
        ),
        Field::text(
            "description",
            "Description",
            d.description.clone().unwrap_or_default(),
        )
        .kind(FieldKind::Textarea),
    ]
}

fn program_draft(f: &FormData) -> ProgramDraft {
    ProgramDraft {
        key: f.get("key"),
        name: f.get("name"),
        description: f.opt("description"),
        portfolio_id: f.uuid("portfolio_id"),
        manager_id: f.uuid("manager_id"),
    }
}

async fn program_new(State(s): State<AppState>, PageUser(a): PageUser) -> Response {
    let lk = s.app.lookups().await.unwrap_or_default();
    form_page(
        &a,
        "/programs",
        "New program".into(),
        "/programs".into(),
        program_fields(&ProgramDraft::default(), &lk),
        &[],
        "/programs".into(),
        None,
    )
}

async fn program_create(State(s): State<AppState>, PageUser(a): PageUser, f: FormData) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = program_draft(&f);
    match s.app.create_program(&a, &d).await {
        Ok(p) => Redirect::to(&format!("/programs/{}", p.id)).into_response(),
        Err(e) => {
            let lk = s.app.lookups().await.unwrap_or_default();
            form_error(e, |errs| {
                form_page(
                    &a,
                    "/programs",
                    "New program".into(),
                    "/programs".into(),
                    program_fields(&d, &lk),
                    errs,
                    "/programs".into(),
                    None,
                )
            })
        }
    }
}

async fn program_show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r: atrium_app::Result<DetailPage> = async {
        let p = s.app.get_program(&a, id).await?;
        let lk = s.app.lookups().await?;
        let mode = s.app.settings().await?.operating_mode;
        let at = Placement {
            portfolio: Some(p.portfolio_id),
            program: Some(id),
            project: None,
        };
        let mut actions = vec![
            (format!("/projects?program_id={id}"), "Projects"),
            (format!("/programs/{id}/risks"), "Risks"),
        ];
        if atrium_app::permissions::allows(&a, atrium_app::Action::UpdateProgram, &at, mode) {
            actions.push((format!("/programs/{id}/edit"), "Edit"));
        }
        Ok(DetailPage {
            nav: Nav::new(&a, "/programs"),
            title: format!("{} {}", p.key, p.name),
            subtitle: p.description.clone().unwrap_or_default(),
            badge: None,
            rows: vec![
                (
                    "Portfolio",
                    Cell::link(
                        lk.portfolio(p.portfolio_id),
                        format!("/portfolios/{}", p.portfolio_id),
                    ),
                ),
                ("Program manager", Cell::text(lk.user(p.manager_id))),
                ("Version", Cell::text(p.version.to_string())),
            ]
            .into_iter()
            .chain(
                super::delivery::rollup_rows(&s, &a, atrium_store::delivery::Rollup::Program(id))
                    .await?,
            )
            .collect(),
            actions,
            danger: None,
            tabs: vec![],
        })
    }
    .await;
    r.map_or_else(err, |p| render(&p))
}

async fn program_edit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r: atrium_app::Result<Response> = async {
        let p = s.app.get_program(&a, id).await?;
        let lk = s.app.lookups().await?;
        let d = ProgramDraft {
            key: p.key.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            portfolio_id: Some(p.portfolio_id),
            manager_id: p.manager_id,
        };
        Ok(form_page(
            &a,
            "/programs",
            format!("Edit {}", p.key),
            format!("/programs/{id}"),
            program_fields(&d, &lk),
            &[],
            format!("/programs/{id}"),
            Some(p.version),
        ))
    }
    .await;
    r.unwrap_or_else(err)
}

async fn program_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = program_draft(&f);
    let version: i64 = f.get("version").parse().unwrap_or(-1);
    match s.app.update_program(&a, id, &d, version).await {
        Ok(_) => Redirect::to(&format!("/programs/{id}")).into_response(),
        Err(e) => {
            let lk = s.app.lookups().await.unwrap_or_default();
            form_error(e, |errs| {
                form_page(
                    &a,
                    "/programs",
                    "Edit program".into(),
                    format!("/programs/{id}"),
                    program_fields(&d, &lk),
                    errs,
                    format!("/programs/{id}"),
                    Some(version),
                )
            })
        }
    }
}

// ======================= people =======================

fn people_filter(q: &HashMap<String, String>) -> atrium_store::people::Filter {
    atrium_store::people::Filter {
        q: q.get("q").cloned().filter(|s| !s.is_empty()),
        department: q.get("department").cloned().filter(|s| !s.is_empty()),
        skill: q.get("skill").cloned().filter(|s| !s.is_empty()),
        include_archived: false,
    }
}

async fn people_list(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let r: atrium_app::Result<ListPage> = async {
        let page = page_of(&q);
        let (sort, desc) = sort_of(&q, atrium_store::people::SORTS, "name");
        let (items, next) = s
            .app
            .list_people(&a, &people_filter(&q), &sort, desc, page)
            .await?;
        let depts = atrium_store::people::departments(&s.app.db).await?;
        let can_manage = atrium_app::permissions::allows(
            &a,
            atrium_app::Action::ManagePeople,
            &Placement::ORGANIZATION,
            atrium_core::org::OperatingMode::Supportive,
        );
        let rows: Vec<_> = items
            .iter()
            .map(|p| {
                vec![
                    Cell::link(&p.name, format!("/people/{}", p.id)),
                    Cell::text(&p.department),
                    Cell::text(&p.job_role),
                    Cell::text(
                        p.skills
                            .iter()
                            .map(|s| format!("{} ({})", s.name, s.level))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    Cell::text(p.cost_rate.format()).class("num"),
                    Cell::text(format!(
                        "{:.1}",
                        f64::from(p.weekly_capacity_minutes) / 60.0
                    ))
                    .class("num"),
                ]
            })
            .collect();
        let (prev_href, next_href, page_text) = pager("/people", &q, page, rows.len(), next);
        let mut dept_opts = vec![(String::new(), "Any".to_owned())];
        dept_opts.extend(depts.iter().map(|(d, n)| (d.clone(), format!("{d} ({n})"))));
        Ok(ListPage {
            nav: Nav::new(&a, "/people"),
            title: "Resource pool".into(),
            intro:
                "People available to projects, with their skills, cost rates and weekly capacity."
                    .into(),
            new_href: can_manage.then(|| "/people/new".into()),
            export_href: Some(format!("/people.csv?{}", with(&q, "offset", ""))),
            filters: vec![
                Field::text("q", "Name", q.get("q").cloned().unwrap_or_default()),
                Field::select(
                    "department",
                    "Department",
                    q.get("department").cloned().unwrap_or_default(),
                    dept_opts,
                ),
                Field::text(
                    "skill",
                    "Skill",
                    q.get("skill").cloned().unwrap_or_default(),
                ),
            ],
            action: "/people".into(),
            sort: q.get("sort").cloned().unwrap_or_default(),
            columns: columns(
                "/people",
                &q,
                &[
                    ("Name", Some("name")),
                    ("Department", Some("department")),
                    ("Job role", Some("job_role")),
                    ("Skills", None),
                    ("Cost / hour", Some("cost_rate")),
                    ("Hours / week", Some("weekly_capacity")),
                ],
                &sort,
                desc,
            ),
            rows,
            empty: "Nobody matches. Clear the filters, or add people to the pool.".into(),
            prev_href,
            next_href,
            page_text,
        })
    }
    .await;
    r.map_or_else(err, |p| render(&p))
}

async fn people_csv(State(s): State<AppState>, PageUser(a): PageUser, Query(q): Q) -> Response {
    let (sort, desc) = sort_of(&q, atrium_store::people::SORTS, "name");
    let f = people_filter(&q);
    let mut all = vec![];
    let mut page = Page {
        limit: Page::MAX_LIMIT,
        offset: 0,
    };
    loop {
        match s.app.list_people(&a, &f, &sort, desc, page).await {
            Ok((items, next)) => {
                all.extend(items);
                match next {
                    Some(n) if all.len() < 100_000 => page.offset = n,
                    _ => break,
                }
            }
            Err(e) => return err(e),
        }
    }
    let body = write_csv(
        &[
            "name",
            "email",
            "department",
            "job_role",
            "cost_rate",
            "weekly_capacity_hours",
            "skills",
        ],
        all.iter().map(|p| {
            vec![
                p.name.clone(),
                p.email.clone().unwrap_or_default(),
                p.department.clone(),
                p.job_role.clone(),
                p.cost_rate.plain(),
                format!("{:.2}", f64::from(p.weekly_capacity_minutes) / 60.0),
                p.skills
                    .iter()
                    .map(|s| format!("{}:{}", s.name, s.level))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        }),
    );
    csv_response("people.csv", body)
}

fn person_fields(d: &PersonDraft) -> Vec<Field> {
    vec![
        Field::text("name", "Name", &d.name).required(),
        Field::text("email", "E-mail", d.email.clone().unwrap_or_default()).kind(FieldKind::Email),
        Field::text("department", "Department", &d.department).required(),
        Field::text("job_role", "Job role", &d.job_role).required(),
        Field::text("cost_rate", "Cost rate per hour", &d.cost_rate),
        Field::text(
            "weekly_capacity_hours",
            "Capacity (hours per week)",
            &d.weekly_capacity_hours,
        ),
        Field::text("skills", "Skills", d.skills.join(", "))
            .help("Comma-separated, each with a level 1–5: Rust:4, SQL:3"),
        Field::text("line_manager_id", "Line manager", &d.line_manager_id)
            .help("The line manager's e-mail (they see resource requests for this person)"),
        Field::text("non_project_hours", "Non-project hours per week", &d.non_project_hours)
            .help("Operations and support work that reduces project capacity"),
        Field::text("working_days", "Working days", &d.working_days)
            .help("Part-time pattern, Monday first: 1110000 = Monday to Wednesday; empty = the organization's"),
        Field::select(
            "generic",
            "Kind",
            if d.generic { "generic" } else { "person" },
            vec![
                ("person".into(), "A person".into()),
                ("generic".into(), "Generic resource (a role to fill)".into()),
            ],
        ),
    ]
}

fn person_draft(f: &FormData) -> PersonDraft {
    PersonDraft {
        name: f.get("name"),
        email: f.opt("email"),
        department: f.get("department"),
        job_role: f.get("job_role"),
        cost_rate: f.get("cost_rate"),
        weekly_capacity_hours: f.get("weekly_capacity_hours"),
        skills: vec![f.get("skills")],
        line_manager_id: f.get("line_manager_id"),
        generic: f.get("generic") == "generic",
        non_project_hours: f.get("non_project_hours"),
        working_days: f.get("working_days"),
    }
}

async fn person_new(PageUser(a): PageUser) -> Response {
    let d = PersonDraft {
        weekly_capacity_hours: "40".into(),
        cost_rate: "0".into(),
        ..Default::default()
    };
    form_page(
        &a,
        "/people",
        "Add a person".into(),
        "/people".into(),
        person_fields(&d),
        &[],
        "/people".into(),
        None,
    )
}

async fn person_create(State(s): State<AppState>, PageUser(a): PageUser, f: FormData) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = person_draft(&f);
    match s.app.create_person(&a, &d).await {
        Ok(p) => Redirect::to(&format!("/people/{}", p.id)).into_response(),
        Err(e) => form_error(e, |errs| {
            form_page(
                &a,
                "/people",
                "Add a person".into(),
                "/people".into(),
                person_fields(&d),
                errs,
                "/people".into(),
                None,
            )
        }),
    }
}

async fn person_show(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match s.app.get_person(&a, id).await {
        Ok(p) => {
            let manager = match p.line_manager_id {
                Some(m) => s.app.get_person(&a, m).await.ok(),
                None => None,
            };
            let can = atrium_app::permissions::allows(
                &a,
                atrium_app::Action::ManagePeople,
                &Placement::ORGANIZATION,
                atrium_core::org::OperatingMode::Supportive,
            );
            render(&DetailPage {
                nav: Nav::new(&a, "/people"),
                title: p.name.clone(),
                subtitle: format!("{} · {}", p.job_role, p.department),
                badge: None,
                rows: vec![
                    ("E-mail", Cell::text(p.email.clone().unwrap_or_default())),
                    ("Cost rate per hour", Cell::text(p.cost_rate.format())),
                    (
                        "Capacity",
                        Cell::text(format!(
                            "{:.1} hours per week",
                            f64::from(p.weekly_capacity_minutes) / 60.0
                        )),
                    ),
                    (
                        "Skills",
                        Cell::text(
                            p.skills
                                .iter()
                                .map(|s| format!("{} ({}/5)", s.name, s.level))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                    ),
                    (
                        "Non-project time",
                        Cell::text(if p.non_project_minutes == 0 {
                            "none".to_owned()
                        } else {
                            format!(
                                "{:.1} hours per week",
                                f64::from(p.non_project_minutes) / 60.0
                            )
                        }),
                    ),
                    (
                        "Working days",
                        Cell::text(match p.working_days {
                            None => "the organization's".to_owned(),
                            Some(d) => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                                .iter()
                                .zip(d)
                                .filter(|(_, w)| *w)
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", "),
                        }),
                    ),
                    (
                        "Kind",
                        Cell::text(if p.generic {
                            "Generic resource (a role to fill)"
                        } else {
                            "Person"
                        }),
                    ),
                    (
                        "Line manager",
                        match &manager {
                            Some(m) => Cell::link(&m.name, format!("/people/{}", m.id)),
                            None => Cell::text("—"),
                        },
                    ),
                ],
                actions: {
                    let mut v = vec![
                        (format!("/people/{id}/rates"), "Cost rates over time"),
                        (format!("/people/{id}/absences"), "Absences"),
                        (
                            format!(
                                "/resources/utilization?department={}",
                                urlencode(&p.department)
                            ),
                            "Utilization",
                        ),
                    ];
                    if can {
                        v.push((format!("/people/{id}/edit"), "Edit"));
                    }
                    v
                },
                danger: None,
                tabs: vec![],
            })
        }
        Err(e) => err(e),
    }
}

async fn person_edit(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match s.app.get_person(&a, id).await {
        Ok(p) => {
            let d = PersonDraft::of(&p);
            form_page(
                &a,
                "/people",
                format!("Edit {}", p.name),
                format!("/people/{id}"),
                person_fields(&d),
                &[],
                format!("/people/{id}"),
                Some(p.version),
            )
        }
        Err(e) => err(e),
    }
}

async fn person_update(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Path(id): Path<Uuid>,
    f: FormData,
) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let d = person_draft(&f);
    let version: i64 = f.get("version").parse().unwrap_or(-1);
    match s.app.update_person(&a, id, &d, version).await {
        Ok(_) => Redirect::to(&format!("/people/{id}")).into_response(),
        Err(e) => form_error(e, |errs| {
            form_page(
                &a,
                "/people",
                "Edit person".into(),
                format!("/people/{id}"),
                person_fields(&d),
                errs,
                format!("/people/{id}"),
                Some(version),
            )
        }),
    }
}
