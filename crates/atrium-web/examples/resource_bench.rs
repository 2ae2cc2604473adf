//! Speed of capacity planning on the large demo (issue #7 bars): the 52-week capacity-vs-demand
//! computation for the whole pool (10,000 people, 2,000 projects) and the heat-map page of one
//! department.
//!
//! ```text
//! cargo run --release -p atrium-web --example resource_bench -- [--runs N] [--pages N]
//! ATRIUM_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo run --release ...
//! ```
//! A fresh SQLite database (and a fresh PostgreSQL schema, both removed afterwards, when `ATRIUM_BENCH_POSTGRES_URL` is
//! set) gets the large demo. Then:
//! - `App::capacity_grid` for the whole pool, 52 weekly buckets: loads people, skills,
//!   absences, plan demand and allocations, and computes capacity, demand and over-allocations
//!   (bar: < 500 ms);
//! - GET `/resources?department=D` (12 weeks, 50 rows a page) and the same for 52 weeks, for
//!   the largest department, in-process with a session cookie (bar: < 300 ms p95);
//! - GET `/resources/conflicts?department=D` (reported, no bar).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use atrium_app::App;
use atrium_core::capacity::Bucket;
use atrium_store::Db;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::time::Instant;

mod common;
use common::{arg, bench_user, ms, on_every_backend, report, send};

async fn bench(backend: &str, db: Db, runs: usize, pages: usize) -> bool {
    println!("== {backend}");
    let app = App::new(db);
    app.ensure_settings().await.unwrap();
    let t = Instant::now();
    app.load_demo(atrium_app::demo::DemoSize::Large, &|_, _| {})
        .await
        .unwrap();
    println!("  large demo loaded in {:.1} s", t.elapsed().as_secs_f64());
    let (session, token) = bench_user(&app).await;
    let actor = app.token_actor(&token).await.unwrap();
    let today = app.today();
    let mut ok = true;

    // Whole pool, 52 weeks, through the use case (no HTTP).
    let (people, over, demand) = app
        .capacity_grid(&actor, None, Bucket::Week, today, 52)
        .await
        .unwrap();
    println!(
        "  pool: {people} people, {over} over-allocation runs, {:.0} h of planned work in 52 weeks",
        demand as f64 / 60.0
    );
    let mut t_pool = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let r = app
            .capacity_grid(&actor, None, Bucket::Week, today, 52)
            .await
            .unwrap();
        t_pool.push(ms(t.elapsed()));
        assert_eq!(r.0, people);
    }

    // The largest department's heat map.
    let depts = app.departments(&actor).await.unwrap();
    let (dept, size) = depts
        .iter()
        .max_by_key(|(_, n)| *n)
        .cloned()
        .expect("the demo has departments");
    println!("  department: {dept} ({size} people)");
    let router = atrium_web::router(app.clone());
    let cookie = format!("atrium_session={session}");
    let page = |path: String| {
        Request::builder()
            .uri(path)
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap()
    };
    let enc = atrium_web_urlencode(&dept);
    let mut timed = Vec::new();
    for (label, path) in [
        (
            "GET /resources (12 weeks)",
            format!("/resources?department={enc}"),
        ),
        (
            "GET /resources (52 weeks)",
            format!("/resources?department={enc}&count=52"),
        ),
        (
            "GET /resources/conflicts",
            format!("/resources/conflicts?department={enc}"),
        ),
    ] {
        let (st, body, _) = send(&router, page(path.clone())).await;
        assert_eq!(
            st,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
        let mut t = Vec::new();
        let mut size = 0;
        for _ in 0..pages {
            let (st, body, d) = send(&router, page(path.clone())).await;
            assert_eq!(st, StatusCode::OK);
            size = body.len();
            t.push(ms(d));
        }
        timed.push((label, t, size));
    }
    ok &= report("capacity_grid, whole pool, 52 weeks", t_pool, Some(500.0));
    for (label, t, size) in timed {
        let bar = (!label.contains("conflicts")).then_some(300.0);
        ok &= report(&format!("{label} [{} KB]", size / 1024), t, bar);
    }
    ok
}

/// Percent-encodes a query value (the department name has spaces and `&`).
fn atrium_web_urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs = arg(&args, "--runs", 10).max(1);
    let pages = arg(&args, "--pages", 30).max(1);
    on_every_backend(|name, db| bench(name, db, runs, pages)).await
}
