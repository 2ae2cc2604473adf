//! Speed of the portfolio risk view (issue #8 bar): heat map and concentrations over 2,000
//! projects × 20 risks each in < 200 ms.
//!
//! ```text
//! cargo run --release -p atrium-web --example risk_bench -- [--runs N] [--per-project N]
//! ATRIUM_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo run --release ...
//! ```
//! A fresh SQLite database (and a fresh PostgreSQL schema, both removed afterwards, when `ATRIUM_BENCH_POSTGRES_URL` is
//! set) gets the large demo (2,000 projects); every project then gets N risks (default 20)
//! with ratings, costs, categories, departments and suppliers spread deterministically. Times
//! `App::risk_overview` (read the open risks, heat map with counts and EMV per cell,
//! concentrations by category, department and supplier, top 20) and GET `/risks` in-process,
//! and the appetite check of the home pages (no bar).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use atrium_app::App;
use atrium_core::risk::{Rating, Risk, RiskMatrix};
use atrium_store::Db;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::time::Instant;
use uuid::Uuid;

mod common;
use common::{arg, bench_user, ms, on_every_backend, report, send};

async fn bench(backend: &str, db: Db, runs: usize, per_project: usize) -> bool {
    println!("== {backend}");
    let app = App::new(db);
    app.ensure_settings().await.unwrap();
    app.load_demo(atrium_app::demo::DemoSize::Large, &|_, _| {})
        .await
        .unwrap();
    let (session, token) = bench_user(&app).await;
    let actor = app.token_actor(&token).await.unwrap();
    let (projects, _) = app
        .list_projects(
            &actor,
            &Default::default(),
            "key",
            false,
            atrium_store::Page {
                limit: 100_000,
                offset: 0,
            },
        )
        .await
        .unwrap();
    let m = RiskMatrix::default();
    let t = Instant::now();
    let mut tx = app.db.begin().await.unwrap();
    let mut seed = 0x5eed_u64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut total = 0;
    for p in &projects {
        for k in 0..per_project {
            let mut r = Risk::new_in_project(
                Uuid::now_v7(),
                1000 + k as u32,
                p.id,
                p.program_id,
                p.portfolio_id,
            );
            r.title = format!("Bench risk {k}");
            r.category = format!("category {}", next(25));
            r.department = format!("department {}", next(12));
            r.supplier = format!("supplier {}", next(40));
            r.cost_impact = 100 * (1000 + next(500_000) as i64);
            if next(25) > 0 {
                r.rating = Some(Rating {
                    probability: 1 + next(5) as u8,
                    impacts: [("cost".to_owned(), 1 + next(5) as u8)].into(),
                });
            }
            atrium_store::risk::insert_risk(&mut tx, &r, r.emv(&m), 0)
                .await
                .unwrap();
            total += 1;
        }
    }
    tx.commit().await.unwrap();
    // Measure the steady state, as autovacuum leaves the tables soon after a bulk load.
    app.db
        .vacuum_analyze(&["risks", "projects", "proposals"])
        .await
        .unwrap();
    println!(
        "  {} projects × {per_project} risks ({total} bench risks) written in {:.1} s",
        projects.len(),
        t.elapsed().as_secs_f64()
    );
    let o = app.risk_overview(&actor, None, None).await.unwrap();
    println!(
        "  open risks on the heat map: {} ({} threats not assessed)",
        o.open,
        o.heat.threats.not_assessed.len()
    );
    let mut t_app = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let o = app.risk_overview(&actor, None, None).await.unwrap();
        t_app.push(ms(t.elapsed()));
        assert!(o.open >= total);
    }
    let router = atrium_web::router(app.clone());
    let cookie = format!("atrium_session={session}");
    let get = || {
        Request::builder()
            .uri("/risks")
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap()
    };
    let (st, _, _) = send(&router, get()).await;
    assert_eq!(st, StatusCode::OK);
    let mut t_page = Vec::new();
    let mut size = 0;
    for _ in 0..runs {
        let (st, body, d) = send(&router, get()).await;
        assert_eq!(st, StatusCode::OK);
        size = body.len();
        t_page.push(ms(d));
    }
    // The appetite check on the director's and the risk manager's home pages reads the
    // same open risks with where each sits (no bar of its own).
    let breaches = app.appetite_breaches(&actor).await.unwrap().len();
    let mut t_appetite = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let b = app.appetite_breaches(&actor).await.unwrap();
        t_appetite.push(ms(t.elapsed()));
        assert_eq!(b.len(), breaches);
    }
    let mut ok = report("App::risk_overview (no HTTP)", t_app, Some(200.0));
    report(
        &format!("App::appetite_breaches [{breaches}]"),
        t_appetite,
        None,
    );
    ok &= report(
        &format!("GET /risks [{} KB]", size / 1024),
        t_page,
        Some(200.0),
    );
    ok
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs = arg(&args, "--runs", 20).max(1);
    let per_project = arg(&args, "--per-project", 20).max(1);
    on_every_backend(|name, db| bench(name, db, runs, per_project)).await
}
