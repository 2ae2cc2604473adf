//! Shared test fixtures: a fresh app per backend, users with tokens inserted directly (no
//! slow password hashing), and request helpers running the router in-process.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
// Each test binary uses a different part of the fixture.
#![allow(dead_code)]

use atrium_app::App;
use atrium_core::identity::{Grant, Role, Scope};
use atrium_core::portfolio::PortfolioDraft;
use atrium_core::program::ProgramDraft;
use atrium_core::project::ProjectDraft;
use atrium_store::{Db, identity};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

pub struct Fx {
    pub app: App,
    pub router: Router,
    pub p: Uuid,
    pub q: Uuid,
    pub g: Uuid,
    pub h: Uuid,
    pub x: Uuid,
    pub y: Uuid,
    pub person: Uuid,
}

pub async fn add_user(db: &Db, email: &str, grants: &[Grant]) -> String {
    let id = Uuid::now_v7();
    let u = identity::UserRow {
        id,
        email: email.into(),
        name: email.into(),
        password_hash: "x".into(),
        disabled: false,
        version: 1,
    };
    let token = atrium_app::auth::new_secret().unwrap();
    let mut tx = db.begin().await.unwrap();
    identity::insert_user(&mut tx, &u, 1).await.unwrap();
    for g in grants {
        identity::add_grant(&mut tx, id, g).await.unwrap();
    }
    identity::insert_token(
        &mut tx,
        &atrium_app::auth::secret_hash(&token),
        id,
        1,
        i64::MAX / 2,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    token
}

/// Portfolios P and Q; program G in P and H in Q; project X in G and Y in Q; one person.
pub async fn fixture(db: Db) -> Fx {
    let app = App::new(db);
    app.ensure_settings().await.unwrap();
    let sys = atrium_app::system_actor();
    let mut dir = sys.clone();
    dir.grants = vec![
        Grant {
            role: Role::PmoDirector,
            scope: Scope::Organization,
        },
        Grant {
            role: Role::Admin,
            scope: Scope::Organization,
        },
    ];
    let pf = |k: &str| PortfolioDraft {
        key: k.into(),
        name: format!("Portfolio {k}"),
        ..Default::default()
    };
    let p = app.create_portfolio(&dir, &pf("PFP")).await.unwrap().id;
    let q = app.create_portfolio(&dir, &pf("PFQ")).await.unwrap().id;
    let pg = |k: &str, pf: Uuid| ProgramDraft {
        key: k.into(),
        name: format!("Program {k}"),
        portfolio_id: Some(pf),
        ..Default::default()
    };
    let g = app.create_program(&dir, &pg("PGM-G", p)).await.unwrap().id;
    let h = app.create_program(&dir, &pg("PGM-H", q)).await.unwrap().id;
    let pr = |k: &str, pf: Uuid, prog: Uuid| ProjectDraft {
        key: k.into(),
        name: format!("Project {k}"),
        portfolio_id: Some(pf),
        program_id: Some(prog),
        phase: "planning".into(),
        status: "green".into(),
        ..Default::default()
    };
    let x = app
        .create_project(&dir, &pr("PRJ-001", p, g))
        .await
        .unwrap()
        .id;
    let y = app
        .create_project(&dir, &pr("PRJ-002", q, h))
        .await
        .unwrap()
        .id;
    let person = app
        .create_person(
            &dir,
            &atrium_core::resource::PersonDraft {
                name: "Ana".into(),
                department: "IT".into(),
                job_role: "Dev".into(),
                cost_rate: "80".into(),
                weekly_capacity_hours: "40".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let router = atrium_web::router(app.clone());
    Fx {
        app,
        router,
        p,
        q,
        g,
        h,
        x,
        y,
        person,
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub async fn call(
    router: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Resp {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    let req = match body {
        Some(v) => b
            .header("content-type", "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    };
    raw(router, req).await
}

pub async fn raw(router: &Router, req: Request<Body>) -> Resp {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

// ---- pages: sessions with CSRF tokens, GET and form requests ----

/// A user with one grant and a session; returns (cookie, csrf).
pub async fn session(db: &Db, email: &str, grant: Grant) -> (String, String) {
    let id = Uuid::now_v7();
    let u = identity::UserRow {
        id,
        email: email.into(),
        name: email.into(),
        password_hash: "x".into(),
        disabled: false,
        version: 1,
    };
    let secret = atrium_app::auth::new_secret().unwrap();
    let csrf = atrium_app::auth::new_secret().unwrap();
    let mut tx = db.begin().await.unwrap();
    identity::insert_user(&mut tx, &u, 1).await.unwrap();
    identity::add_grant(&mut tx, id, &grant).await.unwrap();
    identity::insert_session(
        &mut tx,
        &atrium_app::auth::secret_hash(&secret),
        id,
        &csrf,
        1,
        i64::MAX / 2,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (format!("atrium_session={secret}"), csrf)
}

pub fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap()
}

pub fn form(uri: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

pub fn hidden(html: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    let i = html.find(&pat).map(|i| i + pat.len()).unwrap_or(0);
    html[i..].split('"').next().unwrap_or("").to_owned()
}
