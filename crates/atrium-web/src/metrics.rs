//! Request counters and latency sums in Prometheus text format, and the readiness probe.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 8] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5];

#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) -> count
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// bucket counts, then +Inf, sum
    latency: Mutex<([u64; 9], f64)>,
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let start = Instant::now();
    let resp = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    if let Ok(mut m) = state.metrics.requests.lock() {
        *m.entry((method, route, resp.status().as_u16()))
            .or_default() += 1;
    }
    if let Ok(mut l) = state.metrics.latency.lock() {
        let i = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        l.0[i] += 1;
        l.1 += secs;
    }
    resp
}

pub async fn render(State(state): State<AppState>) -> Response {
    let mut out = String::from(
        "# HELP atrium_http_requests_total HTTP requests by method, route and status.\n# TYPE atrium_http_requests_total counter\n",
    );
    if let Ok(m) = state.metrics.requests.lock() {
        for ((method, route, status), n) in m.iter() {
            out.push_str(&format!("atrium_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}\n"));
        }
    }
    out.push_str("# HELP atrium_http_request_duration_seconds Request latency.\n# TYPE atrium_http_request_duration_seconds histogram\n");
    if let Ok(l) = state.metrics.latency.lock() {
        let mut cum = 0;
        for (i, b) in BUCKETS.iter().enumerate() {
            cum += l.0[i];
            out.push_str(&format!(
                "atrium_http_request_duration_seconds_bucket{{le=\"{b}\"}} {cum}\n"
            ));
        }
        cum += l.0[BUCKETS.len()];
        out.push_str(&format!(
            "atrium_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {cum}\n"
        ));
        out.push_str(&format!("atrium_http_request_duration_seconds_sum {}\natrium_http_request_duration_seconds_count {cum}\n", l.1));
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        out,
    )
        .into_response()
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
