//! Atrium's HTTP layer: the JSON API under `/api/v1` (OpenAPI at `/api/v1/openapi.json`,
//! Swagger UI at `/api/docs`), the server-rendered HTML pages, static assets, health and
//! metrics. The only crate that knows HTTP, JSON DTOs and HTML.

mod api;
pub mod charts;
mod error;
mod extract;
pub mod gantt;
pub mod heatmap;
mod metrics;
mod pages;
mod security;
mod views;

use atrium_app::App;
use axum::Router;
use axum::routing::get;
use std::sync::Arc;
use utoipa_swagger_ui::SwaggerUi;

pub use api::openapi;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<metrics::Metrics>,
}

/// The whole HTTP application.
pub fn router(app: App) -> Router {
    let state = AppState {
        app,
        metrics: Arc::new(metrics::Metrics::default()),
    };
    let (api_router, spec) = api::router().split_for_parts();
    Router::new()
        .nest("/api/v1", api_router)
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", spec))
        .merge(pages::router())
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(metrics::readyz))
        .route("/metrics", get(metrics::render))
        .route("/static/app.css", get(security::css))
        .route("/static/app.js", get(security::js))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024))
        .with_state(state)
}
