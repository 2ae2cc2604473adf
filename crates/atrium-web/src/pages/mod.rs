//! Server-rendered HTML pages. Every form carries the session's CSRF token, checked here
//! before any use case runs.

mod admin;
mod auth;
mod delivery;
mod home;
pub(crate) mod plan;
pub(crate) mod portfolio;
mod records;
pub(crate) mod resource;
mod risk;

use crate::AppState;
use crate::extract::{FormData, constant_eq};
use atrium_app::Actor;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(home::router())
        .merge(records::router())
        .merge(portfolio::router())
        .merge(plan::router())
        .merge(delivery::router())
        .merge(resource::router())
        .merge(risk::router())
        .merge(admin::router())
}

/// The refusal page for a form whose CSRF token does not match the session's, if so.
/// The `version` a form was based on (-1 when missing, which no record has).
pub(crate) fn version_of(f: &FormData) -> i64 {
    f.get("version").trim().parse().unwrap_or(-1)
}

/// Whether the permission table allows `action` at `at` in the current operating mode (to
/// show or hide a control; the use case checks again).
pub(crate) async fn can(
    s: &AppState,
    a: &Actor,
    action: atrium_app::Action,
    at: &atrium_core::identity::Placement,
) -> bool {
    match s.app.settings().await {
        Ok(set) => atrium_app::permissions::allows(a, action, at, set.operating_mode),
        Err(_) => false,
    }
}

pub fn check_csrf(a: &Actor, f: &FormData) -> Option<Response> {
    if constant_eq(&f.get("_csrf"), &a.csrf) && !a.csrf.is_empty() {
        None
    } else {
        Some(crate::views::error_page(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form is no longer valid (CSRF check failed). Go back, reload the page and try again.",
        ))
    }
}
