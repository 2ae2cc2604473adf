//! `POST /auth/token` (e-mail + password → bearer token) and `GET /me`.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(token))
        .routes(routes!(me))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub token: String,
    /// RFC 3339 timestamp.
    pub expires_at: String,
}

/// Issues an API token. Five failed attempts for one e-mail within 15 minutes lock it for
/// 15 minutes (429 with Retry-After).
#[utoipa::path(post, path = "/auth/token", tag = "auth", request_body = TokenIn, security(()),
    responses((status = 200, body = TokenOut), (status = 401, body = Problem), (status = 429, body = Problem)))]
async fn token(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<TokenIn>,
) -> Result<Json<TokenOut>, ApiError> {
    let (token, expires_at) = s.app.issue_token(&b.email, &b.password).await?;
    Ok(Json(TokenOut { token, expires_at }))
}

#[derive(Serialize, ToSchema)]
pub struct GrantOut {
    pub role: String,
    /// organization | portfolio | program | project
    pub scope: String,
    pub scope_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub grants: Vec<GrantOut>,
}

pub fn grants_out(g: &[atrium_core::identity::Grant]) -> Vec<GrantOut> {
    g.iter()
        .map(|g| GrantOut {
            role: g.role.as_str().into(),
            scope: g.scope.kind().into(),
            scope_id: g.scope.id(),
        })
        .collect()
}

/// The authenticated user and its role grants.
#[utoipa::path(get, path = "/me", tag = "auth", responses((status = 200, body = MeOut), (status = 401, body = Problem)))]
async fn me(Auth(a): Auth) -> Json<MeOut> {
    Json(MeOut {
        id: a.user_id,
        grants: grants_out(&a.grants),
        email: a.email,
        name: a.name,
    })
}
