//! Delivery pages: status reports, the issue / decision / change-request log, lessons learned.

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
