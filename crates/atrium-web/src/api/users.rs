//! `/users` (admin) and `/audit` (director, governance officer, admin).

use super::auth::{GrantOut, grants_out};
use super::dto::{ListOf, ListParams};
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth};
use atrium_app::AppError;
use atrium_app::users::UserView;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(disable_user))
        .routes(routes!(list_audit))
}

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub disabled: bool,
    pub grants: Vec<GrantOut>,
}

impl From<UserView> for UserOut {
    fn from(u: UserView) -> Self {
        Self {
            id: u.id,
            grants: grants_out(&u.grants),
            email: u.email,
            name: u.name,
            disabled: u.disabled,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    pub email: String,
    pub name: String,
    pub password: String,
    /// Grants such as `pmo_director` or `project_manager:PRJ-042`.
    pub roles: Vec<String>,
}

#[utoipa::path(get, path = "/users", tag = "admin", responses((status = 200, body = Vec<UserOut>), (status = 403, body = Problem)))]
async fn list_users(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> Result<Json<Vec<UserOut>>, ApiError> {
    Ok(Json(
        s.app
            .list_users(&a)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/users", tag = "admin", request_body = UserIn,
    responses((status = 201, body = UserOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_user(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<UserIn>,
) -> Result<(StatusCode, Json<UserOut>), ApiError> {
    let u = s
        .app
        .add_user(&a, &b.email, &b.name, &b.password, &b.roles)
        .await?;
    Ok((StatusCode::CREATED, Json(u.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableIn {
    pub email: String,
    pub disabled: bool,
}

/// Disables (or re-enables) a user; a disabled user's sessions and tokens stop working at once.
#[utoipa::path(post, path = "/users/disable", tag = "admin", request_body = DisableIn,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn disable_user(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<DisableIn>,
) -> Result<StatusCode, ApiError> {
    s.app.set_user_disabled(&a, &b.email, b.disabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// e.g. project, portfolio, user, org_settings
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    /// Inclusive, YYYY-MM-DD or RFC 3339.
    pub from: Option<String>,
    /// Exclusive, YYYY-MM-DD or RFC 3339.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub id: Uuid,
    pub at: String,
    pub actor_id: Option<Uuid>,
    pub actor_email: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Parses a date or timestamp bound into microseconds.
pub fn time_bound(field: &str, v: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(ts) = v.parse::<jiff::Timestamp>() {
        return Ok(Some(ts.as_microsecond()));
    }
    match v.parse::<jiff::civil::Date>() {
        Ok(d) => d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| Some(z.timestamp().as_microsecond()))
            .map_err(|_| AppError::field(field, "is out of range")),
        Err(_) => Err(AppError::field(
            field,
            "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp",
        )),
    }
}

pub fn audit_out(r: atrium_store::audit::AuditRow) -> AuditOut {
    AuditOut {
        id: r.id,
        at: atrium_store::from_micros(r.at).to_string(),
        actor_id: r.actor_id,
        actor_email: r.actor_email,
        entity: r.entity,
        entity_id: r.entity_id,
        action: r.action,
        before: r.before_json.and_then(|j| serde_json::from_str(&j).ok()),
        after: r.after_json.and_then(|j| serde_json::from_str(&j).ok()),
    }
}

/// The audit trail, newest first.
#[utoipa::path(get, path = "/audit", tag = "admin", params(AuditParams),
    responses((status = 200, body = ListOf<AuditOut>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_audit(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<AuditParams>,
) -> Result<Json<ListOf<AuditOut>>, ApiError> {
    let lp = ListParams {
        limit: p.limit,
        cursor: p.cursor.clone(),
        sort: Some("at".into()),
        ..Default::default()
    };
    let (page, _, _) = super::records::paging(&lp, &[("at", "at")], "at")?;
    let f = atrium_store::audit::Filter {
        entity: p.entity,
        entity_id: p.entity_id,
        actor_id: p.actor_id,
        from: time_bound("from", p.from.as_deref())?,
        to: time_bound("to", p.to.as_deref())?,
    };
    let (rows, next) = s.app.list_audit(&a, &f, page).await?;
    Ok(Json(ListOf {
        items: rows.into_iter().map(audit_out).collect(),
        next_cursor: super::records::cursor(next),
    }))
}
