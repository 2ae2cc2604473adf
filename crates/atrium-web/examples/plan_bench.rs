//! Speed of the plan on a 5,000-task project (issue #5 bars): MS Project import, the plan
//! page and the Gantt page rendered server-side, and single-task edits through the API.
//!
//! ```text
//! cargo run --release -p atrium-web --example plan_bench -- [--tasks N] [--pages N] [--edits N]
//! ATRIUM_BENCH_POSTGRES_URL=postgres://127.0.0.1:5432/postgres cargo run --release ...
//! ```
//! A fresh SQLite database (and a fresh PostgreSQL schema, both removed afterwards, when `ATRIUM_BENCH_POSTGRES_URL`
//! is set) gets the small demo; a generated MSPDI file of N work tasks (default 5000, plus a
//! summary per 10 tasks) is imported into PRJ-001 through `import_preview` + `import_apply`;
//! then the router runs in-process (no sockets): GET `/projects/{id}/plan` and
//! `/projects/{id}/gantt` with a session cookie, PATCH
//! `/api/v1/projects/{id}/plan/tasks/{uid}` (a new duration, the version from the previous
//! answer) with a bearer token. Prints min/p50/p95/max per kind and checks the bars:
//! import < 2 s, plan page < 300 ms p95 (Gantt page too), edit < 100 ms p95.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use atrium_app::App;
use atrium_store::Db;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::time::{Duration, Instant};

use atrium_interop::mspdi_gen::generate;

mod common;
use common::{arg, bench_user, ms, on_every_backend, report, send};

struct Opts {
    tasks: usize,
    pages: usize,
    edits: usize,
}

/// Runs the whole benchmark on one database; false when a bar is missed.
async fn bench(backend: &str, db: Db, xml: &[u8], o: &Opts) -> bool {
    println!("== {backend}");
    let app = App::new(db);
    app.ensure_settings().await.unwrap();
    let t = Instant::now();
    app.load_demo(atrium_app::demo::DemoSize::Small, &|_, _| {})
        .await
        .unwrap();
    println!("  small demo loaded in {:.0} ms", ms(t.elapsed()));
    let (session, token) = bench_user(&app).await;
    let actor = app.token_actor(&token).await.unwrap();
    let pid = atrium_store::project::id_by_key(&app.db, "PRJ-001")
        .await
        .unwrap()
        .expect("the demo has PRJ-001");
    let mut ok = true;

    // Import: preview (parse, convert, map resources, diff, keep pending) + apply.
    let version = app.plan_view(&actor, pid, 0).await.unwrap().plan.version;
    let t = Instant::now();
    let preview = app
        .import_preview(&actor, pid, xml, &mut |_, _| {})
        .await
        .unwrap();
    let t_preview = t.elapsed();
    let t2 = Instant::now();
    let out = app
        .import_apply(&actor, pid, preview.id, version)
        .await
        .unwrap();
    let (t_apply, total) = (t2.elapsed(), t.elapsed());
    let import_ok = total < Duration::from_secs(2);
    ok &= import_ok;
    println!(
        "  import of {} tasks, {} links: preview {:.0} ms + apply {:.0} ms = {:.0} ms{}",
        preview.tasks,
        preview.links,
        ms(t_preview),
        ms(t_apply),
        ms(total),
        if import_ok {
            "  ok (< 2000 ms)"
        } else {
            "  MISSED (bar 2000 ms)"
        }
    );
    assert!(preview.tasks >= o.tasks, "{}", preview.summary);
    let mut version = out.version;

    // The same plan read without HTTP, to tell the app from the page rendering.
    let mut t_view = Vec::new();
    for _ in 0..o.pages.min(20) {
        let t = Instant::now();
        let v = app.plan_view(&actor, pid, 0).await.unwrap();
        t_view.push(ms(t.elapsed()));
        assert_eq!(v.plan.version, version);
    }

    // A single-task edit without HTTP (the PATCH handler also builds a plan view first).
    let body_kb = serde_json::to_string(&app.plan_view(&actor, pid, 0).await.unwrap().plan)
        .unwrap()
        .len()
        / 1024;
    let mut t_edit_app = Vec::new();
    for k in 0..o.edits.min(20) {
        let i = (o.tasks / 3 + k * 41) % o.tasks;
        let uid = (i + i / 10 + 2) as u32;
        let v = app.plan_view(&actor, pid, 0).await.unwrap();
        let mut draft = atrium_app::plan::draft_of_task(&v, uid).expect("a work task");
        draft.duration = format!("{}d", 1 + k % 5);
        let t = Instant::now();
        let out = app
            .edit_plan(
                &actor,
                pid,
                version,
                atrium_app::plan::PlanOp::UpdateTask { uid, draft },
            )
            .await
            .unwrap();
        t_edit_app.push(ms(t.elapsed()));
        version = out.version;
    }

    // The store alone: read (and parse) the stored plan; write it (serialize, UPDATE) in a
    // transaction that is dropped, i.e. rolled back.
    let (mut t_get, mut t_put) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let t = Instant::now();
        let mut plan = atrium_store::plan::get_plan(&app.db, pid)
            .await
            .unwrap()
            .unwrap();
        t_get.push(ms(t.elapsed()));
        plan.version += 1;
        let mut tx = app.db.begin().await.unwrap();
        let t = Instant::now();
        atrium_store::plan::put_plan(&mut tx, &plan, app.now_micros())
            .await
            .unwrap();
        t_put.push(ms(t.elapsed()));
        drop(tx);
    }

    let router = atrium_web::router(app.clone());
    let cookie = format!("{}={session}", "atrium_session");
    let page = |path: String| {
        Request::builder()
            .uri(path)
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap()
    };
    let mut sizes = (0, 0);
    let mut t_plan = Vec::new();
    let mut t_gantt = Vec::new();
    // One warm-up each (connection pool, caches), not counted.
    for path in [
        format!("/projects/{pid}/plan"),
        format!("/projects/{pid}/gantt"),
    ] {
        let (st, body, _) = send(&router, page(path.clone())).await;
        assert_eq!(
            st,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    for _ in 0..o.pages {
        let (st, body, d) = send(&router, page(format!("/projects/{pid}/plan"))).await;
        assert_eq!(st, StatusCode::OK);
        sizes.0 = body.len();
        t_plan.push(ms(d));
    }
    for _ in 0..o.pages {
        let (st, body, d) = send(&router, page(format!("/projects/{pid}/gantt"))).await;
        assert_eq!(st, StatusCode::OK);
        assert!(String::from_utf8_lossy(&body).contains("<svg"));
        sizes.1 = body.len();
        t_gantt.push(ms(d));
    }

    // Single-task edits: a new duration each time, on tasks spread over the plan (work
    // tasks only: uid i + i/10 + 2 for the i-th work task).
    let mut t_edit = Vec::new();
    for k in 0..o.edits {
        let i = (o.tasks / 5 + k * 37) % o.tasks;
        let uid = i + i / 10 + 2;
        let body = serde_json::json!({"duration": format!("{}d", 1 + k % 7), "version": version});
        let req = Request::builder()
            .method("PATCH")
            .uri(format!("/api/v1/projects/{pid}/plan/tasks/{uid}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (st, body, d) = send(&router, req).await;
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(st, StatusCode::OK, "{v}");
        version = v["version"].as_i64().expect("version in the answer");
        t_edit.push(ms(d));
    }
    println!(
        "  pages: plan {} KB, Gantt {} KB",
        sizes.0 / 1024,
        sizes.1 / 1024
    );
    println!("  stored plan body (JSON): {body_kb} KB");
    report("App::plan_view (no HTTP)", t_view, None);
    report("App::edit_plan (no HTTP)", t_edit_app, None);
    report("store get_plan (read + parse)", t_get, None);
    report("store put_plan (serialize + write)", t_put, None);
    ok &= report("GET /projects/{id}/plan", t_plan, Some(300.0));
    ok &= report("GET /projects/{id}/gantt", t_gantt, Some(300.0));
    ok &= report("PATCH /api/v1/…/plan/tasks/{uid}", t_edit, Some(100.0));
    ok
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = Opts {
        tasks: arg(&args, "--tasks", 5000),
        pages: arg(&args, "--pages", 50).max(1),
        edits: arg(&args, "--edits", 100).max(1),
    };
    let t = Instant::now();
    let xml = generate(o.tasks);
    println!(
        "generated MSPDI: {} work tasks, {} KB in {:.0} ms",
        o.tasks,
        xml.len() / 1024,
        ms(t.elapsed())
    );
    on_every_backend(|name, db| bench(name, db, xml.as_bytes(), &o)).await
}
