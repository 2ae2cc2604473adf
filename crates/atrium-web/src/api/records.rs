//! `/portfolios`, `/programs`, `/projects`, `/people`: list, create, read, update, archive.

use super::dto::*;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth};
use atrium_app::AppError;
use atrium_core::portfolio::PortfolioDraft;
use atrium_core::program::ProgramDraft;
use atrium_core::project::{Phase, ProjectDraft, Rag};
use atrium_core::resource::PersonDraft;
use atrium_store::Page;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_portfolios, create_portfolio))
        .routes(routes!(get_portfolio, update_portfolio))
        .routes(routes!(archive_portfolio))
        .routes(routes!(list_programs, create_program))
        .routes(routes!(get_program, update_program))
        .routes(routes!(archive_program))
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project))
        .routes(routes!(archive_project))
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person, update_person))
        .routes(routes!(archive_person))
}

/// Parses paging and sorting; `sorts` are the allowed columns.
pub fn paging(
    p: &ListParams,
    sorts: &[(&str, &str)],
    default_sort: &str,
) -> Result<(Page, String, bool), ApiError> {
    let limit = p.limit.unwrap_or(50);
    if !(1..=Page::MAX_LIMIT).contains(&limit) {
        return Err(AppError::field(
            "limit",
            format!("must be between 1 and {}", Page::MAX_LIMIT),
        )
        .into());
    }
    let offset = match &p.cursor {
        None => 0,
        Some(c) => c
            .strip_prefix('o')
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| AppError::field("cursor", "is not a cursor from this list"))?,
    };
    let raw = p.sort.as_deref().unwrap_or(default_sort);
    let (desc, col) = match raw.strip_prefix('-') {
        Some(c) => (true, c),
        None => (false, raw),
    };
    if !sorts.iter().any(|(k, _)| *k == col) {
        let names: Vec<&str> = sorts.iter().map(|(k, _)| *k).collect();
        return Err(AppError::field("sort", format!("must be one of {}", names.join(", "))).into());
    }
    Ok((Page { limit, offset }, col.to_owned(), desc))
}

pub fn cursor(next: Option<i64>) -> Option<String> {
    next.map(|n| format!("o{n}"))
}

/// The version an update is based on: the body's `version`, else `If-Match`.
pub(crate) fn version(body: Option<i64>, headers: &HeaderMap) -> Result<i64, ApiError> {
    if let Some(v) = body {
        return Ok(v);
    }
    headers
        .get(axum::http::header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .parse()
                .ok()
        })
        .ok_or_else(|| {
            AppError::field(
                "version",
                "is required: send the version you read (body `version` or If-Match)",
            )
            .into()
        })
}

fn required(v: &Option<String>, field: &str, errs: &mut Vec<atrium_core::FieldError>) {
    if v.as_deref().is_none_or(|s| s.trim().is_empty()) {
        errs.push(atrium_core::FieldError {
            field: field.into(),
            message: "is required".into(),
        });
    }
}

fn created<T>(v: T) -> (StatusCode, Json<T>) {
    (StatusCode::CREATED, Json(v))
}

// ---------- portfolios ----------

#[utoipa::path(get, path = "/portfolios", tag = "records", params(ListParams),
    responses((status = 200, body = ListOf<PortfolioOut>), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn list_portfolios(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<ListParams>,
) -> Result<Json<ListOf<PortfolioOut>>, ApiError> {
    let (page, sort, desc) = paging(&p, atrium_store::portfolio::SORTS, "key")?;
    let (items, next) = s
        .app
        .list_portfolios(
            &a,
            p.q.as_deref(),
            p.archived.unwrap_or(false),
            &sort,
            desc,
            page,
        )
        .await?;
    Ok(Json(ListOf {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: cursor(next),
    }))
}

#[utoipa::path(post, path = "/portfolios", tag = "records", request_body = PortfolioIn,
    responses((status = 201, body = PortfolioOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_portfolio(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<PortfolioIn>,
) -> Result<(StatusCode, Json<PortfolioOut>), ApiError> {
    let mut errs = vec![];
    required(&b.key, "key", &mut errs);
    required(&b.name, "name", &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Validation(errs).into());
    }
    let d = PortfolioDraft {
        key: b.key.unwrap_or_default(),
        name: b.name.unwrap_or_default(),
        description: b.description,
        owner_id: b.owner_id,
    };
    Ok(created(s.app.create_portfolio(&a, &d).await?.into()))
}

#[utoipa::path(get, path = "/portfolios/{id}", tag = "records",
    responses((status = 200, body = PortfolioOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_portfolio(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<PortfolioOut>, ApiError> {
    Ok(Json(s.app.get_portfolio(&a, id).await?.into()))
}

#[utoipa::path(patch, path = "/portfolios/{id}", tag = "records", request_body = PortfolioIn,
    responses((status = 200, body = PortfolioOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_portfolio(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<PortfolioIn>,
) -> Result<Json<PortfolioOut>, ApiError> {
    let v = version(b.version, &h)?;
    let cur = s.app.get_portfolio(&a, id).await?;
    let d = PortfolioDraft {
        key: b.key.unwrap_or(cur.key),
        name: b.name.unwrap_or(cur.name),
        description: b.description.or(cur.description),
        owner_id: b.owner_id.or(cur.owner_id),
    };
    Ok(Json(s.app.update_portfolio(&a, id, &d, v).await?.into()))
}

#[utoipa::path(post, path = "/portfolios/{id}/archive", tag = "records", request_body = VersionIn,
    responses((status = 200, body = PortfolioOut), (status = 409, body = Problem)))]
async fn archive_portfolio(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<VersionIn>,
) -> Result<Json<PortfolioOut>, ApiError> {
    Ok(Json(
        s.app.archive_portfolio(&a, id, b.version).await?.into(),
    ))
}

// ---------- programs ----------

#[utoipa::path(get, path = "/programs", tag = "records", params(ListParams),
    responses((status = 200, body = ListOf<ProgramOut>), (status = 401, body = Problem)))]
async fn list_programs(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<ListParams>,
) -> Result<Json<ListOf<ProgramOut>>, ApiError> {
    let (page, sort, desc) = paging(&p, atrium_store::portfolio::SORTS, "key")?;
    let (items, next) = s
        .app
        .list_programs(
            &a,
            p.q.as_deref(),
            p.portfolio_id,
            p.archived.unwrap_or(false),
            &sort,
            desc,
            page,
        )
        .await?;
    Ok(Json(ListOf {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: cursor(next),
    }))
}

#[utoipa::path(post, path = "/programs", tag = "records", request_body = ProgramIn,
    responses((status = 201, body = ProgramOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_program(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<ProgramIn>,
) -> Result<(StatusCode, Json<ProgramOut>), ApiError> {
    let mut errs = vec![];
    required(&b.key, "key", &mut errs);
    required(&b.name, "name", &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Validation(errs).into());
    }
    let d = ProgramDraft {
        key: b.key.unwrap_or_default(),
        name: b.name.unwrap_or_default(),
        description: b.description,
        portfolio_id: b.portfolio_id,
        manager_id: b.manager_id,
    };
    Ok(created(s.app.create_program(&a, &d).await?.into()))
}

#[utoipa::path(get, path = "/programs/{id}", tag = "records",
    responses((status = 200, body = ProgramOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_program(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<ProgramOut>, ApiError> {
    Ok(Json(s.app.get_program(&a, id).await?.into()))
}

#[utoipa::path(patch, path = "/programs/{id}", tag = "records", request_body = ProgramIn,
    responses((status = 200, body = ProgramOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_program(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<ProgramIn>,
) -> Result<Json<ProgramOut>, ApiError> {
    let v = version(b.version, &h)?;
    let cur = s.app.get_program(&a, id).await?;
    let d = ProgramDraft {
        key: b.key.unwrap_or(cur.key),
        name: b.name.unwrap_or(cur.name),
        description: b.description.or(cur.description),
        portfolio_id: Some(b.portfolio_id.unwrap_or(cur.portfolio_id)),
        manager_id: b.manager_id.or(cur.manager_id),
    };
    Ok(Json(s.app.update_program(&a, id, &d, v).await?.into()))
}

#[utoipa::path(post, path = "/programs/{id}/archive", tag = "records", request_body = VersionIn,
    responses((status = 200, body = ProgramOut), (status = 409, body = Problem)))]
async fn archive_program(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<VersionIn>,
) -> Result<Json<ProgramOut>, ApiError> {
    Ok(Json(s.app.archive_program(&a, id, b.version).await?.into()))
}

// ---------- projects ----------

fn project_filter(p: &ListParams) -> Result<atrium_store::project::Filter, ApiError> {
    let phase = match p.phase.as_deref() {
        None => None,
        Some(x) => Some(
            Phase::parse(x).ok_or_else(|| AppError::field("phase", "is not a lifecycle phase"))?,
        ),
    };
    let status = match p.status.as_deref() {
        None => None,
        Some(x) => Some(
            Rag::parse(x)
                .ok_or_else(|| AppError::field("status", "must be green, amber or red"))?,
        ),
    };
    Ok(atrium_store::project::Filter {
        q: p.q.clone(),
        portfolio_id: p.portfolio_id,
        program_id: p.program_id,
        phase,
        status,
        include_archived: p.archived.unwrap_or(false),
        ..Default::default()
    })
}

#[utoipa::path(get, path = "/projects", tag = "records", params(ListParams),
    responses((status = 200, body = ListOf<ProjectOut>), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn list_projects(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<ListParams>,
) -> Result<Json<ListOf<ProjectOut>>, ApiError> {
    let (page, sort, desc) = paging(&p, atrium_store::project::SORTS, "key")?;
    let (items, next) = s
        .app
        .list_projects(&a, &project_filter(&p)?, &sort, desc, page)
        .await?;
    Ok(Json(ListOf {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: cursor(next),
    }))
}

#[utoipa::path(post, path = "/projects", tag = "records", request_body = ProjectIn,
    responses((status = 201, body = ProjectOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_project(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<ProjectIn>,
) -> Result<(StatusCode, Json<ProjectOut>), ApiError> {
    let mut errs = vec![];
    required(&b.key, "key", &mut errs);
    required(&b.name, "name", &mut errs);
    if b.portfolio_id.is_none() {
        errs.push(atrium_core::FieldError {
            field: "portfolio_id".into(),
            message: "is required".into(),
        });
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(errs).into());
    }
    let d = ProjectDraft {
        key: b.key.unwrap_or_default(),
        name: b.name.unwrap_or_default(),
        description: b.description.flatten(),
        portfolio_id: b.portfolio_id,
        program_id: b.program_id.flatten(),
        sponsor_id: b.sponsor_id.flatten(),
        manager_id: b.manager_id.flatten(),
        phase: b.phase.unwrap_or_else(|| "initiating".into()),
        planned_start: b.planned_start.flatten(),
        planned_finish: b.planned_finish.flatten(),
        budget: b.budget,
        status: b.status.unwrap_or_else(|| "green".into()),
        status_note: b.status_note.flatten(),
    };
    Ok(created(s.app.create_project(&a, &d).await?.into()))
}

#[utoipa::path(get, path = "/projects/{id}", tag = "records",
    responses((status = 200, body = ProjectOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_project(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<ProjectOut>, ApiError> {
    Ok(Json(s.app.get_project(&a, id).await?.into()))
}

#[utoipa::path(patch, path = "/projects/{id}", tag = "records", request_body = ProjectIn,
    responses((status = 200, body = ProjectOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_project(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<ProjectIn>,
) -> Result<Json<ProjectOut>, ApiError> {
    let v = version(b.version, &h)?;
    let cur = s.app.get_project(&a, id).await?;
    let mut d = ProjectDraft::from_project(&cur);
    if let Some(x) = b.key {
        d.key = x;
    }
    if let Some(x) = b.name {
        d.name = x;
    }
    if let Some(x) = b.description {
        d.description = x;
    }
    if let Some(x) = b.portfolio_id {
        d.portfolio_id = Some(x);
    }
    if let Some(x) = b.program_id {
        d.program_id = x;
    }
    if let Some(x) = b.sponsor_id {
        d.sponsor_id = x;
    }
    if let Some(x) = b.manager_id {
        d.manager_id = x;
    }
    if let Some(x) = b.phase {
        d.phase = x;
    }
    if let Some(x) = b.planned_start {
        d.planned_start = x;
    }
    if let Some(x) = b.planned_finish {
        d.planned_finish = x;
    }
    if let Some(x) = b.budget {
        d.budget = Some(x);
    }
    if let Some(x) = b.status {
        d.status = x;
    }
    if let Some(x) = b.status_note {
        d.status_note = x;
    }
    Ok(Json(s.app.update_project(&a, id, &d, v).await?.into()))
}

#[utoipa::path(post, path = "/projects/{id}/archive", tag = "records", request_body = VersionIn,
    responses((status = 200, body = ProjectOut), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn archive_project(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<VersionIn>,
) -> Result<Json<ProjectOut>, ApiError> {
    Ok(Json(s.app.archive_project(&a, id, b.version).await?.into()))
}

// ---------- people ----------

#[utoipa::path(get, path = "/people", tag = "records", params(ListParams),
    responses((status = 200, body = ListOf<PersonOut>), (status = 401, body = Problem)))]
async fn list_people(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<ListParams>,
) -> Result<Json<ListOf<PersonOut>>, ApiError> {
    let (page, sort, desc) = paging(&p, atrium_store::people::SORTS, "name")?;
    let f = atrium_store::people::Filter {
        q: p.q.clone(),
        department: p.department.clone(),
        skill: p.skill.clone(),
        include_archived: p.archived.unwrap_or(false),
    };
    let (items, next) = s.app.list_people(&a, &f, &sort, desc, page).await?;
    Ok(Json(ListOf {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: cursor(next),
    }))
}

fn person_draft(b: PersonIn, base: PersonDraft) -> PersonDraft {
    PersonDraft {
        name: b.name.unwrap_or(base.name),
        email: b.email.unwrap_or(base.email),
        department: b.department.unwrap_or(base.department),
        job_role: b.job_role.unwrap_or(base.job_role),
        cost_rate: b.cost_rate.unwrap_or(base.cost_rate),
        weekly_capacity_hours: b
            .weekly_capacity_hours
            .map(|h| h.to_string())
            .unwrap_or(base.weekly_capacity_hours),
        skills: b.skills.unwrap_or(base.skills),
        line_manager_id: match b.line_manager {
            None => base.line_manager_id,
            Some(m) => m.unwrap_or_default(),
        },
        generic: b.generic.unwrap_or(base.generic),
        non_project_hours: b
            .non_project_hours
            .map(|h| h.to_string())
            .unwrap_or(base.non_project_hours),
        working_days: b.working_days.unwrap_or(base.working_days),
    }
}

#[utoipa::path(post, path = "/people", tag = "records", request_body = PersonIn,
    responses((status = 201, body = PersonOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_person(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<PersonIn>,
) -> Result<(StatusCode, Json<PersonOut>), ApiError> {
    let base = PersonDraft {
        weekly_capacity_hours: "40".into(),
        cost_rate: "0".into(),
        ..Default::default()
    };
    Ok(created(
        s.app
            .create_person(&a, &person_draft(b, base))
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/people/{id}", tag = "records",
    responses((status = 200, body = PersonOut), (status = 404, body = Problem)))]
async fn get_person(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<PersonOut>, ApiError> {
    Ok(Json(s.app.get_person(&a, id).await?.into()))
}

#[utoipa::path(patch, path = "/people/{id}", tag = "records", request_body = PersonIn,
    responses((status = 200, body = PersonOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_person(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    h: HeaderMap,
    ApiJson(b): ApiJson<PersonIn>,
) -> Result<Json<PersonOut>, ApiError> {
    let v = version(b.version, &h)?;
    let cur = s.app.get_person(&a, id).await?;
    let base = PersonDraft::of(&cur);
    Ok(Json(
        s.app
            .update_person(&a, id, &person_draft(b, base), v)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/people/{id}/archive", tag = "records", request_body = VersionIn,
    responses((status = 200, body = PersonOut), (status = 409, body = Problem)))]
async fn archive_person(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<VersionIn>,
) -> Result<Json<PersonOut>, ApiError> {
    Ok(Json(s.app.archive_person(&a, id, b.version).await?.into()))
}
