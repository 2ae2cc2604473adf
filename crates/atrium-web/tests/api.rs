//! API behaviour: problem+json for bad input (naming the field, writing nothing), optimistic
//! concurrency, tokens and throttling, disabled users, lists, and the operational endpoints.
//! Runs on SQLite and, when ATRIUM_TEST_POSTGRES_URL is set, on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use atrium_core::identity::{Grant, Role, Scope};
use serde_json::{Value, json};
use support::*;

async fn audit_count(fx: &Fx, tok: &str) -> usize {
    call(
        &fx.router,
        "GET",
        "/api/v1/audit?limit=500",
        Some(tok),
        None,
    )
    .await
    .json()["items"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_nothing_written() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let tok = add_user(
            &db,
            "dir@example.com",
            &[Grant {
                role: Role::PmoDirector,
                scope: Scope::Organization,
            }],
        )
        .await;
        let before = audit_count(&fx, &tok).await;
        let base = json!({"key": "PRJ-500", "name": "Valid", "portfolio_id": fx.p});
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };
        let cases: Vec<(Value, u16, &str)> = vec![
            (with("unknown_field", json!(1)), 422, "unknown_field"),
            (with("name", json!(42)), 422, "name"),
            (with("name", json!("x".repeat(201))), 422, "name"),
            (
                with("planned_start", json!("2026-02-30")),
                422,
                "planned_start",
            ),
            (with("budget", json!("-5")), 422, "budget"),
            (with("budget", json!(-5)), 422, "budget"),
            (with("key", json!("PRJ-001")), 422, "key"),
            (with("key", json!("bad key")), 422, "key"),
            (with("phase", json!("done")), 422, "phase"),
            (
                with("portfolio_id", json!("not-a-uuid")),
                422,
                "portfolio_id",
            ),
            (with("program_id", json!(fx.h)), 422, "program_id"),
        ];
        for (body, status, field) in cases {
            let r = call(
                &fx.router,
                "POST",
                "/api/v1/projects",
                Some(&tok),
                Some(&body),
            )
            .await;
            assert_eq!(r.status, status, "{backend} {body}: {}", r.text());
            assert_eq!(r.headers["content-type"], "application/problem+json");
            let j = r.json();
            assert_eq!(j["code"], "validation_failed", "{backend} {body}");
            let fields: Vec<&str> = j["errors"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["field"].as_str())
                .collect();
            assert!(
                fields.contains(&field),
                "{backend} {body}: fields {fields:?}"
            );
        }
        // Malformed JSON and a wrong content type.
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/projects")
            .header("authorization", format!("Bearer {tok}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from("{\"key\": "))
            .unwrap();
        let r = raw(&fx.router, req).await;
        assert_eq!(
            (r.status.as_u16(), r.json()["code"].as_str()),
            (400, Some("malformed_json"))
        );
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/projects")
            .header("authorization", format!("Bearer {tok}"))
            .body(axum::body::Body::from("key=x"))
            .unwrap();
        assert_eq!(raw(&fx.router, req).await.status, 415);
        // Nothing was written by any of the refused requests.
        assert_eq!(audit_count(&fx, &tok).await, before, "{backend}");
        let list = call(
            &fx.router,
            "GET",
            "/api/v1/projects?q=PRJ-500",
            Some(&tok),
            None,
        )
        .await
        .json();
        assert_eq!(list["items"].as_array().unwrap().len(), 0);
    }
}

#[tokio::test]
async fn create_edit_archive_and_stale_edit_409() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let tok = add_user(
            &db,
            "pm@example.com",
            &[Grant {
                role: Role::PmoDirector,
                scope: Scope::Organization,
            }],
        )
        .await;
        let body = json!({"key": "prj-777", "name": "Data platform", "portfolio_id": fx.p, "budget": "125000.50", "planned_start": "2026-01-05", "planned_finish": "2026-09-30", "status": "amber"});
        let r = call(
            &fx.router,
            "POST",
            "/api/v1/projects",
            Some(&tok),
            Some(&body),
        )
        .await;
        assert_eq!(r.status, 201, "{backend}: {}", r.text());
        let p = r.json();
        assert_eq!(p["key"], "PRJ-777");
        assert_eq!(p["budget"], "125000.50");
        let id = p["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/projects/{id}");
        // Two clients read version 1; the first edit wins, the second gets 409.
        let r1 = call(
            &fx.router,
            "PATCH",
            &path,
            Some(&tok),
            Some(&json!({"version": 1, "status": "red"})),
        )
        .await;
        assert_eq!(r1.status, 200, "{}", r1.text());
        assert_eq!(r1.json()["version"], 2);
        let r2 = call(
            &fx.router,
            "PATCH",
            &path,
            Some(&tok),
            Some(&json!({"version": 1, "name": "Overwrite"})),
        )
        .await;
        assert_eq!(r2.status, 409, "{backend}");
        assert_eq!(r2.json()["code"], "stale_version");
        let now = call(&fx.router, "GET", &path, Some(&tok), None)
            .await
            .json();
        assert_eq!(
            (now["name"].as_str(), now["status"].as_str()),
            (Some("Data platform"), Some("red"))
        );
        // If-Match works as well as a body version; null clears an optional field.
        let req = axum::http::Request::builder()
            .method("PATCH")
            .uri(&path)
            .header("authorization", format!("Bearer {tok}"))
            .header("content-type", "application/json")
            .header("if-match", "\"2\"")
            .body(axum::body::Body::from(
                json!({"planned_finish": null}).to_string(),
            ))
            .unwrap();
        let r = raw(&fx.router, req).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["planned_finish"], Value::Null);
        // Archive hides it from the default list.
        let r = call(
            &fx.router,
            "POST",
            &format!("{path}/archive"),
            Some(&tok),
            Some(&json!({"version": 3})),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["archived"], true);
        let list = call(
            &fx.router,
            "GET",
            "/api/v1/projects?q=PRJ-777",
            Some(&tok),
            None,
        )
        .await
        .json();
        assert_eq!(list["items"].as_array().unwrap().len(), 0);
        let list = call(
            &fx.router,
            "GET",
            "/api/v1/projects?q=PRJ-777&archived=true",
            Some(&tok),
            None,
        )
        .await
        .json();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        // The audit trail recorded each write with before and after.
        let audit = call(
            &fx.router,
            "GET",
            &format!("/api/v1/audit?entity=project&entity_id={id}"),
            Some(&tok),
            None,
        )
        .await
        .json();
        let actions: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["action"].as_str())
            .collect();
        assert_eq!(
            actions,
            vec!["archive", "update", "update", "create"],
            "{backend}"
        );
        assert_eq!(audit["items"][1]["before"]["status"], "red");
    }
}

#[tokio::test]
async fn lists_page_sort_and_validate_parameters() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let tok = add_user(
            &db,
            "a@example.com",
            &[Grant {
                role: Role::PmoAnalyst,
                scope: Scope::Organization,
            }],
        )
        .await;
        let r = call(
            &fx.router,
            "GET",
            "/api/v1/projects?limit=1&sort=-key",
            Some(&tok),
            None,
        )
        .await
        .json();
        assert_eq!(r["items"][0]["key"], "PRJ-002", "{backend}");
        let next = r["next_cursor"].as_str().unwrap().to_owned();
        let r2 = call(
            &fx.router,
            "GET",
            &format!("/api/v1/projects?limit=1&sort=-key&cursor={next}"),
            Some(&tok),
            None,
        )
        .await
        .json();
        assert_eq!(r2["items"][0]["key"], "PRJ-001");
        assert_eq!(r2["next_cursor"], Value::Null);
        for bad in [
            "limit=0",
            "limit=501",
            "sort=password",
            "cursor=zzz",
            "phase=nope",
        ] {
            let r = call(
                &fx.router,
                "GET",
                &format!("/api/v1/projects?{bad}"),
                Some(&tok),
                None,
            )
            .await;
            assert_eq!(r.status, 422, "{bad}");
        }
        // A project-scoped user sees only its project.
        let scoped = add_user(
            &db,
            "s@example.com",
            &[Grant {
                role: Role::ProjectManager,
                scope: Scope::Project(fx.y),
            }],
        )
        .await;
        let r = call(&fx.router, "GET", "/api/v1/projects", Some(&scoped), None)
            .await
            .json();
        let keys: Vec<&str> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["key"].as_str())
            .collect();
        assert_eq!(keys, vec!["PRJ-002"]);
    }
}

#[tokio::test]
async fn tokens_throttling_and_disabled_users() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let admin = atrium_app::system_actor();
        fx.app
            .add_user(
                &admin,
                "ana@example.com",
                "Ana",
                "correct horse battery",
                &["project_manager".into()],
            )
            .await
            .unwrap();
        let r = call(
            &fx.router,
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"email": "ana@example.com", "password": "correct horse battery"})),
        )
        .await;
        assert_eq!(r.status, 200, "{backend}: {}", r.text());
        let token = r.json()["token"].as_str().unwrap().to_owned();
        assert!(r.json()["expires_at"].as_str().is_some());
        assert_eq!(
            call(&fx.router, "GET", "/api/v1/me", Some(&token), None)
                .await
                .json()["email"],
            "ana@example.com"
        );
        assert_eq!(
            call(&fx.router, "GET", "/api/v1/me", Some("forged"), None)
                .await
                .status,
            401
        );
        // Disabling the user ends its token at once.
        fx.app
            .set_user_disabled(&admin, "ana@example.com", true)
            .await
            .unwrap();
        assert_eq!(
            call(&fx.router, "GET", "/api/v1/me", Some(&token), None)
                .await
                .status,
            401,
            "{backend}"
        );
        // Five wrong passwords lock the e-mail (even the right password is then refused).
        fx.app
            .add_user(
                &admin,
                "bo@example.com",
                "Bo",
                "correct horse battery",
                &["sponsor".into()],
            )
            .await
            .unwrap();
        for _ in 0..5 {
            let r = call(
                &fx.router,
                "POST",
                "/api/v1/auth/token",
                None,
                Some(&json!({"email": "bo@example.com", "password": "wrong password!"})),
            )
            .await;
            assert_eq!(r.status, 401);
        }
        let r = call(
            &fx.router,
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"email": "bo@example.com", "password": "correct horse battery"})),
        )
        .await;
        assert_eq!(r.status, 429, "{backend}");
        assert!(r.headers.contains_key("retry-after"));
    }
}

#[tokio::test]
async fn operational_endpoints_and_security_headers() {
    let (db, _) = atrium_store::testing::sqlite().await.unwrap();
    let fx = fixture(db).await;
    assert_eq!(
        call(&fx.router, "GET", "/healthz", None, None).await.status,
        200
    );
    assert_eq!(
        call(&fx.router, "GET", "/readyz", None, None).await.status,
        200
    );
    let spec = call(&fx.router, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(spec.status, 200);
    assert!(spec.json()["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec.json()["paths"]["/projects/{id}"]["patch"].is_object());
    let docs = call(&fx.router, "GET", "/api/docs/", None, None).await;
    assert_eq!(docs.status, 200, "swagger UI is served locally");
    assert!(docs.text().contains("swagger"));
    let m = call(&fx.router, "GET", "/metrics", None, None).await;
    assert!(
        m.text().contains("atrium_http_requests_total"),
        "{}",
        m.text()
    );
    let r = call(&fx.router, "GET", "/login", None, None).await;
    assert_eq!(r.headers["x-frame-options"], "DENY");
    assert!(
        r.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    let nf = call(&fx.router, "GET", "/api/v1/nope", None, None).await;
    assert_eq!(
        (
            nf.status.as_u16(),
            nf.headers["content-type"].to_str().unwrap()
        ),
        (404, "application/problem+json")
    );
}
