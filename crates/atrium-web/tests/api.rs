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

/// The field names of a problem+json 422.
fn error_fields(r: &Resp) -> Vec<String> {
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(r.json()["code"], "validation_failed", "{}", r.text());
    r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

async fn plan_of(fx: &Fx, tok: &str, project: uuid::Uuid) -> Value {
    let r = call(
        &fx.router,
        "GET",
        &format!("/api/v1/projects/{project}/plan"),
        Some(tok),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn xml_post(path: &str, tok: &str, body: &[u8]) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("authorization", format!("Bearer {tok}"))
        .header("content-type", "application/xml")
        .body(axum::body::Body::from(body.to_vec()))
        .unwrap()
}

#[tokio::test]
async fn plan_tasks_critical_path_bad_input_and_stale_versions() {
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
        let x = fx.x;
        let tasks = format!("/api/v1/projects/{x}/plan/tasks");
        // Before the first edit there is no plan: version 0, no tasks.
        let p = plan_of(&fx, &tok, x).await;
        assert_eq!(p["version"], 0, "{backend} {p}");
        assert_eq!(p["tasks"].as_array().unwrap().len(), 0);
        // Start on Monday 2031-01-06.
        let r = call(
            &fx.router,
            "PUT",
            &format!("/api/v1/projects/{x}/plan/dates"),
            Some(&tok),
            Some(&json!({"start": "2031-01-06", "version": 0})),
        )
        .await;
        assert_eq!(r.status, 200, "{backend}: {}", r.text());
        let mut version = r.json()["version"].as_i64().unwrap();
        let mut uids = vec![];
        for (name, duration, preds) in [
            ("Design", "5d", ""),
            ("Build", "10d", "1"),
            ("Docs", "2d", "1"),
        ] {
            let r = call(
                &fx.router,
                "POST",
                &tasks,
                Some(&tok),
                Some(&json!({"name": name, "duration": duration, "predecessors": preds, "version": version})),
            )
            .await;
            assert_eq!(r.status, 201, "{backend} {name}: {}", r.text());
            let o = r.json();
            assert_eq!(o["version"].as_i64(), Some(version + 1), "{backend} {o}");
            version += 1;
            uids.push(o["uid"].as_u64().unwrap());
        }
        assert_eq!(uids, [1, 2, 3], "{backend}");
        // Design → Build is the critical path; Docs has float. 15 working days.
        let p = plan_of(&fx, &tok, x).await;
        assert_eq!(p["version"].as_i64(), Some(version));
        assert_eq!(p["critical"], json!([1, 2]), "{backend} {}", p["critical"]);
        assert!(
            p["project_finish"]
                .as_str()
                .unwrap()
                .starts_with("2031-01-24"),
            "{backend} {}",
            p["project_finish"]
        );
        let docs = &p["tasks"][2];
        assert_eq!(docs["name"], "Docs");
        assert_eq!(docs["critical"], false);
        assert!(docs["total_float_minutes"].as_i64().unwrap() > 0, "{docs}");
        assert_eq!(p["tasks"][1]["predecessors"], "1", "{backend}");
        // PATCH Docs to 12 days: it becomes the longer branch and the finish moves.
        let r = call(
            &fx.router,
            "PATCH",
            &format!("{tasks}/3"),
            Some(&tok),
            Some(&json!({"duration": "12d", "version": version})),
        )
        .await;
        assert_eq!(r.status, 200, "{backend}: {}", r.text());
        let o = r.json();
        version = o["version"].as_i64().unwrap();
        assert_eq!(
            o["project_finish"].as_str().map(|s| &s[..10]),
            Some("2031-01-28"),
            "{backend} {o}"
        );
        let p = plan_of(&fx, &tok, x).await;
        assert_eq!(p["critical"], json!([1, 3]), "{backend}");
        assert_eq!(p["tasks"][2]["name"], "Docs", "the other fields are kept");
        assert!(
            p["project_finish"]
                .as_str()
                .unwrap()
                .starts_with("2031-01-28")
        );
        // Bad input: 422 naming the field; nothing written (the version does not move).
        for (body, field) in [
            (
                json!({"name": "Bad", "duration": "five days", "version": version}),
                "duration",
            ),
            (
                json!({"name": "Bad", "duration": "-2d", "version": version}),
                "duration",
            ),
            (
                json!({"name": "Bad", "duration": "1d", "predecessors": "99", "version": version}),
                "predecessors",
            ),
            (
                json!({"name": "Bad", "duration": "1d", "predecessors": "1XX+2d", "version": version}),
                "predecessors",
            ),
            (
                json!({"name": "Bad", "duration": "1d", "predecessors": "NOPE-9:1", "version": version}),
                "predecessors",
            ),
            (
                json!({"name": "", "duration": "1d", "version": version}),
                "name",
            ),
        ] {
            let r = call(&fx.router, "POST", &tasks, Some(&tok), Some(&body)).await;
            let fields = error_fields(&r);
            assert!(
                fields.iter().any(|f| f == field),
                "{backend} {body}: {fields:?}"
            );
        }
        // A task depending on itself.
        let r = call(
            &fx.router,
            "PATCH",
            &format!("{tasks}/2"),
            Some(&tok),
            Some(&json!({"predecessors": "2", "version": version})),
        )
        .await;
        assert!(
            error_fields(&r).contains(&"predecessors".to_owned()),
            "{backend}"
        );
        assert_eq!(
            plan_of(&fx, &tok, x).await["version"].as_i64(),
            Some(version),
            "{backend}"
        );
        // Stale version: 409, nothing changed.
        for (method, path, body) in [
            (
                "POST",
                tasks.clone(),
                Some(json!({"name": "Late", "duration": "1d", "version": version - 1})),
            ),
            (
                "PATCH",
                format!("{tasks}/1"),
                Some(json!({"name": "Late", "version": version - 1})),
            ),
            ("DELETE", format!("{tasks}/1?version={}", version - 1), None),
        ] {
            let r = call(&fx.router, method, &path, Some(&tok), body.as_ref()).await;
            assert_eq!(r.status, 409, "{backend} {method} {path}: {}", r.text());
            assert_eq!(r.headers["content-type"], "application/problem+json");
        }
        let p = plan_of(&fx, &tok, x).await;
        assert_eq!(p["version"].as_i64(), Some(version), "{backend}");
        assert_eq!(p["tasks"].as_array().unwrap().len(), 3);
        assert_eq!(p["tasks"][0]["name"], "Design");
        // The version may come in If-Match instead of the body.
        let req = axum::http::Request::builder()
            .method("PATCH")
            .uri(format!("{tasks}/1"))
            .header("authorization", format!("Bearer {tok}"))
            .header("content-type", "application/json")
            .header("if-match", format!("\"{version}\""))
            .body(axum::body::Body::from(r#"{"name": "Design and plan"}"#))
            .unwrap();
        let r = raw(&fx.router, req).await;
        assert_eq!(r.status, 200, "{backend}: {}", r.text());
        assert_eq!(
            plan_of(&fx, &tok, x).await["tasks"][0]["name"],
            "Design and plan"
        );
    }
}

#[tokio::test]
async fn plan_import_preview_apply_and_exports() {
    let fixture_xml = include_bytes!("../../atrium-interop/tests/fixtures/mspdi/rich.xml");
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
        let x = fx.x;
        let import = format!("/api/v1/projects/{x}/plan/import");
        let r = raw(&fx.router, xml_post(&import, &tok, fixture_xml)).await;
        assert_eq!(r.status, 201, "{backend}: {}", r.text());
        let preview = r.json();
        let id = preview["id"].as_str().unwrap().to_owned();
        let n = preview["tasks"].as_u64().unwrap();
        assert!(n >= 10, "{backend} {preview}");
        assert_eq!(preview["added"].as_u64(), Some(n), "{backend} {preview}");
        // The preview changes nothing yet.
        let p = plan_of(&fx, &tok, x).await;
        assert_eq!(p["tasks"].as_array().unwrap().len(), 0, "{backend}");
        // Applying against a stale version is refused and keeps the import pending.
        let apply = format!("{import}/{id}");
        let r = call(
            &fx.router,
            "POST",
            &apply,
            Some(&tok),
            Some(&json!({"version": 7})),
        )
        .await;
        assert_eq!(r.status, 409, "{backend}: {}", r.text());
        let r = call(
            &fx.router,
            "POST",
            &apply,
            Some(&tok),
            Some(&json!({"version": p["version"]})),
        )
        .await;
        assert_eq!(r.status, 200, "{backend}: {}", r.text());
        let p = plan_of(&fx, &tok, x).await;
        let names: Vec<&str> = p["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["name"].as_str())
            .collect();
        assert_eq!(names.len() as u64, n, "{backend} {names:?}");
        assert!(
            names.contains(&"Requirements") && names.contains(&"Phase B"),
            "{backend} {names:?}"
        );
        // A pending import is applied once.
        let r = call(
            &fx.router,
            "POST",
            &apply,
            Some(&tok),
            Some(&json!({"version": p["version"]})),
        )
        .await;
        assert_eq!(r.status, 404, "{backend}: {}", r.text());
        // Exports in three formats.
        for (format, ctype, magic) in [
            ("xml", "application/xml", &b"<?xml"[..]),
            ("csv", "text/csv; charset=utf-8", &b""[..]),
            (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &b"PK"[..],
            ),
        ] {
            let r = call(
                &fx.router,
                "GET",
                &format!("/api/v1/projects/{x}/plan/export?format={format}"),
                Some(&tok),
                None,
            )
            .await;
            assert_eq!(r.status, 200, "{backend} {format}: {}", r.text());
            assert_eq!(r.headers["content-type"], ctype, "{backend} {format}");
            assert!(
                r.headers["content-disposition"]
                    .to_str()
                    .unwrap()
                    .starts_with("attachment;"),
                "{backend} {format}"
            );
            assert!(r.body.starts_with(magic), "{backend} {format}");
            if format != "xlsx" {
                assert!(r.text().contains("Requirements"), "{backend} {format}");
            }
        }
        // The exported XML imports again (round trip) with the same number of tasks.
        let xml = call(
            &fx.router,
            "GET",
            &format!("/api/v1/projects/{x}/plan/export?format=xml"),
            Some(&tok),
            None,
        )
        .await;
        let r = raw(&fx.router, xml_post(&import, &tok, &xml.body)).await;
        assert_eq!(r.status, 201, "{backend}: {}", r.text());
        assert_eq!(r.json()["tasks"].as_u64(), Some(n), "{backend}");
        let r = call(
            &fx.router,
            "GET",
            &format!("/api/v1/projects/{x}/plan/export?format=pdf"),
            Some(&tok),
            None,
        )
        .await;
        assert!(error_fields(&r).contains(&"format".to_owned()), "{backend}");
        // Malformed XML: 422 naming the file field and the line.
        let version = plan_of(&fx, &tok, x).await["version"].clone();
        for bad in [
            &b"<?xml version=\"1.0\"?>\n<Project>\n <Name>a</Nam>\n</Project>"[..],
            &b"<Project>\n<Tasks>\n<Task><UID>1</UID>\n"[..],
        ] {
            let r = raw(&fx.router, xml_post(&import, &tok, bad)).await;
            assert!(error_fields(&r).contains(&"file".to_owned()), "{backend}");
            let msg = r.json()["errors"][0]["message"]
                .as_str()
                .unwrap()
                .to_owned();
            assert!(msg.contains("line "), "{backend}: {msg}");
        }
        for bad in [&b""[..], &b"<html><body>hi</body></html>"[..]] {
            let r = raw(&fx.router, xml_post(&import, &tok, bad)).await;
            assert!(error_fields(&r).contains(&"file".to_owned()), "{backend}");
        }
        assert_eq!(plan_of(&fx, &tok, x).await["version"], version, "{backend}");
    }
}
