//! The JSON API under `/api/v1`, described by OpenAPI 3.1.

pub(crate) use plan::move_op as plan_move_op;
pub(crate) use strategy::{draft_of, draft_of_scenario};
pub(crate) use users::time_bound;
mod auth;
mod delivery;
mod dto;
mod plan;
mod records;
pub(crate) mod resource;
pub(crate) mod risk;
mod settings;
mod strategy;
mod users;

use crate::AppState;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Atrium API",
        description = "Atrium PMO platform. Authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer TOKEN`. \
Errors are RFC 9457 problem+json with a stable `code`: unauthenticated, bad_credentials, too_many_attempts, forbidden, \
not_found, stale_version (409: reload and retry), validation_failed (422, with `errors[]`), malformed_json, internal. \
Lists take `limit` (1-500, default 50), `cursor` (from `next_cursor`), `sort` (a column, `-column` for descending) and `q`. \
Every editable record has `version`; updates must send the version they read (body or `If-Match`).",
        version = "1"
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Tokens and the current user"),
        (name = "records", description = "Portfolios, programs, projects and people"),
        (name = "organization", description = "Organization settings"),
        (name = "admin", description = "Users and the audit trail"),
        (name = "portfolio", description = "Strategy, proposals, ranking, portfolio analysis and scenarios"),
        (name = "plans", description = "Project plans: tasks, links, baselines, costs, timesheets, earned value, templates, MS Project files"),
        (name = "delivery", description = "Status reports, issues, decisions, change requests and lessons learned"),
        (name = "risks", description = "The organization's risk matrix and risk registers"),
        (name = "resources", description = "Capacity against demand, conflicts, utilization, skill gaps, what-if, resource requests, allocations and absences"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(records::router())
        .merge(plan::router())
        .merge(delivery::router())
        .merge(resource::router())
        .merge(risk::router())
        .merge(settings::router())
        .merge(strategy::router())
        .merge(users::router())
}

/// The OpenAPI document (also served at `/api/v1/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().split_for_parts().1
}
