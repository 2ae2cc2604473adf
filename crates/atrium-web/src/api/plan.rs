//! Plan API: tasks, links, baselines, costs, timesheets, earned value, templates, MS Project files.

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
