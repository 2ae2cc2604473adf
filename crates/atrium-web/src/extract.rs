//! Request extractors: the authenticated caller (bearer token or session cookie with CSRF
//! check), JSON bodies with field-level errors, and form bodies.

use crate::AppState;
use crate::error::{ApiError, problem};
use atrium_app::{Actor, AppError};
use atrium_core::FieldError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

pub const SESSION_COOKIE: &str = "atrium_session";
pub const PRE_CSRF_COOKIE: &str = "atrium_login_csrf";

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The API caller: a bearer token, or a session cookie (then unsafe methods must carry the
/// session's CSRF token in `X-CSRF-Token`).
pub struct Auth(pub Actor);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(token) = bearer(parts) {
            return Ok(Auth(state.app.token_actor(token).await?));
        }
        let secret = cookie(parts, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
        let actor = state.app.session_actor(secret).await?;
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_eq(sent, &actor.csrf) {
                return Err(AppError::Forbidden.into());
            }
        }
        Ok(Auth(actor))
    }
}

/// Compares secrets without an early exit.
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A page's caller (session cookie); anonymous visitors are sent to the login page.
pub struct PageUser(pub Actor);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next = if next.starts_with('/') && !next.starts_with("//") {
                next
            } else {
                "/"
            };
            Redirect::to(&format!("/login?next={}", crate::views::urlencode(next))).into_response()
        };
        let Some(secret) = cookie(parts, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match state.app.session_actor(secret).await {
            Ok(a) => Ok(PageUser(a)),
            Err(AppError::Unauthenticated) => Err(to_login()),
            Err(e) => Err(crate::views::app_error_page(e)),
        }
    }
}

/// A JSON body whose errors name the offending field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json".into(),
                vec![],
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                problem(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("the body could not be read: {e}"),
                    vec![],
                )
            })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) => {
                let field = e.path().to_string();
                let inner = e.into_inner();
                if inner.is_syntax() || inner.is_eof() {
                    return Err(problem(
                        StatusCode::BAD_REQUEST,
                        "malformed_json",
                        format!("malformed JSON: {inner}"),
                        vec![],
                    ));
                }
                let msg = inner.to_string();
                // serde names an unknown or missing field in its message, not in the path.
                let field = if field == "." {
                    extract_field(&msg).unwrap_or_default()
                } else {
                    field
                };
                let errors = vec![FieldError {
                    field: field.clone(),
                    message: msg.clone(),
                }];
                Err(problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    format!("{field}: {msg}"),
                    errors,
                ))
            }
        }
    }
}

fn extract_field(msg: &str) -> Option<String> {
    let start = msg.find('`')? + 1;
    let end = msg[start..].find('`')? + start;
    Some(msg[start..end].to_owned())
}

/// A url-encoded form as ordered (name, value) pairs (repeated names allowed).
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    pub fn opt(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn uuid(&self, name: &str) -> Option<uuid::Uuid> {
        self.opt(name).and_then(|v| v.parse().ok())
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        match axum::Form::<Vec<(String, String)>>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(FormData(v)),
            Err(e) => Err(crate::views::error_page(
                StatusCode::BAD_REQUEST,
                "Bad form",
                &e.body_text(),
            )),
        }
    }
}
