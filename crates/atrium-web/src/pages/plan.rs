//! Plan pages: table editor, Gantt, baselines, costs, timesheets, earned value, templates, import and export.

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
