//! Helpers shared by the web benchmarks: timing statistics, a bench user with a session and
//! an API token, in-process requests, command-line numbers.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use atrium_app::App;
use atrium_core::identity::{Grant, Role, Scope};
use atrium_store::identity;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::time::{Duration, Instant};
use tower::ServiceExt;
use uuid::Uuid;

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// min, p50, p95, max (milliseconds) of a sample.
pub fn stats(mut t: Vec<f64>) -> [f64; 4] {
    t.sort_by(f64::total_cmp);
    let n = t.len();
    let at = |q: f64| t[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
    [t[0], at(0.5), at(0.95), t[n - 1]]
}

pub fn report(what: &str, t: Vec<f64>, bar_p95: Option<f64>) -> bool {
    let n = t.len();
    let [min, p50, p95, max] = stats(t);
    let verdict = match bar_p95 {
        Some(b) if p95 < b => format!("  ok (< {b} ms)"),
        Some(b) => format!("  MISSED (bar {b} ms)"),
        None => String::new(),
    };
    println!(
        "  {what:<34} n={n:<4} min {min:>8.1}  p50 {p50:>8.1}  p95 {p95:>8.1}  max {max:>8.1} ms{verdict}"
    );
    bar_p95.is_none_or(|b| p95 < b)
}

/// A director-and-admin user with a session (pages) and an API token, inserted directly.
pub async fn bench_user(app: &App) -> (String, String) {
    let id = Uuid::now_v7();
    let u = identity::UserRow {
        id,
        email: "bench@example.org".into(),
        name: "Bench".into(),
        password_hash: "x".into(),
        disabled: false,
        version: 1,
    };
    let now = app.now_micros();
    let (session, token) = (
        atrium_app::auth::new_secret().unwrap(),
        atrium_app::auth::new_secret().unwrap(),
    );
    let mut tx = app.db.begin().await.unwrap();
    identity::insert_user(&mut tx, &u, now).await.unwrap();
    for role in [Role::PmoDirector, Role::Admin] {
        let g = Grant {
            role,
            scope: Scope::Organization,
        };
        identity::add_grant(&mut tx, id, &g).await.unwrap();
    }
    let day = 86_400_000_000;
    let hash = |s: &str| atrium_app::auth::secret_hash(s);
    identity::insert_session(&mut tx, &hash(&session), id, "csrf", now, now + day)
        .await
        .unwrap();
    identity::insert_token(&mut tx, &hash(&token), id, now, now + day)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (session, token)
}

/// Sends one request in-process; (status, body, elapsed) with the whole body read.
pub async fn send(router: &Router, req: Request<Body>) -> (StatusCode, Vec<u8>, Duration) {
    let t = Instant::now();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, body, t.elapsed())
}

pub fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Prints the machine's load average (the machine is shared: figures wander with it).
pub fn load_average() {
    if let Ok(l) = std::fs::read_to_string("/proc/loadavg") {
        println!(
            "load average: {}",
            l.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
        );
    }
}

/// Runs `bench` on a fresh SQLite database and, when `ATRIUM_BENCH_POSTGRES_URL` is set, on
/// a fresh PostgreSQL schema in that database, then removes both; the exit code says
/// whether every bar was met.
pub async fn on_every_backend<F, Fut>(mut bench: F) -> std::process::ExitCode
where
    F: FnMut(&'static str, atrium_store::Db) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    use atrium_store::testing;
    load_average();
    let (db, url) = testing::sqlite().await.unwrap();
    let mut ok = bench("sqlite", db.clone()).await;
    db.close().await;
    testing::remove_sqlite(&url);
    match std::env::var("ATRIUM_BENCH_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => {
            let (db, url) = testing::postgres(&base).await.unwrap();
            ok &= bench("postgres", db.clone()).await;
            db.close().await;
            testing::drop_postgres(&base, &url).await.unwrap();
        }
        _ => println!("(set ATRIUM_BENCH_POSTGRES_URL to run on PostgreSQL too)"),
    }
    load_average();
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        println!("a bar was missed");
        std::process::ExitCode::FAILURE
    }
}
