//! Delivery in the web layer: the authorization matrix of every delivery API route (every
//! role with an organization-wide grant, a grant on the project and a grant on another
//! project, plus anonymous calls), the page sweep of every delivery page by role (200 where
//! allowed, 403 for a team member on write pages), and the forms end to end (CSRF, errors
//! beside fields, confirmation steps, overdue reports on the home page, roll-ups). Runs on
//! SQLite and, when ATRIUM_TEST_POSTGRES_URL is set, on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use Role::*;
use atrium_core::identity::{Grant, Role, Scope};
use atrium_core::org::ReportingCycle;
use atrium_store::Db;
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use support::*;
use uuid::Uuid;

const WRITERS: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    ProgramManager,
    SeniorProjectManager,
    ProjectManager,
];
const LOG_EDITORS: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    ProgramManager,
    SeniorProjectManager,
    ProjectManager,
    ChangeManager,
    RiskManager,
    GovernanceOfficer,
    Sponsor,
    TeamMember,
];
/// Controlling mode (the default).
const DECIDERS: &[Role] = &[PmoDirector, PortfolioManager, ProgramManager, Sponsor];
const LESSONS: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    ProgramManager,
    SeniorProjectManager,
    ProjectManager,
    KnowledgeManager,
];

#[derive(Clone, Copy, PartialEq)]
enum Target {
    /// Project X.
    X,
    /// Organization-wide list.
    Org,
    DraftReport,
    SubmittedReport,
    Issue,
    SubmittedChange,
}

struct Route {
    method: &'static str,
    template: &'static str,
    /// `None` = every role.
    allowed: Option<&'static [Role]>,
    target: Target,
}

fn routes() -> Vec<Route> {
    let r = |method, template, allowed, target| Route {
        method,
        template,
        allowed,
        target,
    };
    vec![
        r("get", "/projects/{id}/reports", None, Target::X),
        r("post", "/projects/{id}/reports", Some(WRITERS), Target::X),
        r("get", "/reports/overdue", None, Target::Org),
        r("get", "/reports/{id}", None, Target::DraftReport),
        r("patch", "/reports/{id}", Some(WRITERS), Target::DraftReport),
        r(
            "post",
            "/reports/{id}/submit",
            Some(WRITERS),
            Target::DraftReport,
        ),
        r(
            "post",
            "/reports/{id}/revise",
            Some(WRITERS),
            Target::SubmittedReport,
        ),
        r("get", "/projects/{id}/log", None, Target::X),
        r("post", "/projects/{id}/log", Some(LOG_EDITORS), Target::X),
        r("get", "/log/{id}", None, Target::Issue),
        r("patch", "/log/{id}", Some(LOG_EDITORS), Target::Issue),
        r(
            "post",
            "/log/{id}/decide",
            Some(DECIDERS),
            Target::SubmittedChange,
        ),
        r("get", "/projects/{id}/lessons", None, Target::X),
        r("put", "/projects/{id}/lessons", Some(LESSONS), Target::X),
    ]
}

/// A Monday (weekly cycle) never handed out before in this process, going back in time.
fn fresh_period() -> String {
    static SEQ: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let base = jiff::civil::date(2026, 11, 2);
    base.checked_sub(jiff::Span::new().days(7 * n))
        .unwrap()
        .to_string()
}

async fn weekly(db: &Db) {
    let mut s = atrium_store::org::get(db).await.unwrap().unwrap();
    s.reporting_cycle = ReportingCycle::Weekly;
    s.version += 1;
    let mut tx = db.begin().await.unwrap();
    atrium_store::org::update(&mut tx, &s, 1).await.unwrap();
    tx.commit().await.unwrap();
}

async fn new_report(fx: &Fx, admin: &str, submitted: bool) -> String {
    let r = call(
        &fx.router,
        "POST",
        &format!("/api/v1/projects/{}/reports", fx.x),
        Some(admin),
        Some(&json!({"period": fresh_period(), "overall": "amber", "narrative": "Fixture"})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    if submitted {
        let s = call(
            &fx.router,
            "POST",
            &format!("/api/v1/reports/{id}/submit"),
            Some(admin),
            Some(&json!({"version": 1})),
        )
        .await;
        assert_eq!(s.status, 200, "{}", s.text());
    }
    id
}

async fn new_log(fx: &Fx, admin: &str, change: bool) -> String {
    let body = if change {
        json!({"kind": "change", "title": "Fixture change", "status": "submitted", "impact": {"cost": "10", "scope": "More"}})
    } else {
        json!({"kind": "issue", "title": "Fixture issue", "priority": "high", "tasks": [1, 2]})
    };
    let r = call(
        &fx.router,
        "POST",
        &format!("/api/v1/projects/{}/log", fx.x),
        Some(admin),
        Some(&body),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn request_for(fx: &Fx, route: &Route, admin: &str) -> (String, Option<Value>) {
    let id = match route.target {
        Target::X => fx.x.to_string(),
        Target::Org => String::new(),
        Target::DraftReport => new_report(fx, admin, false).await,
        Target::SubmittedReport => new_report(fx, admin, true).await,
        Target::Issue => new_log(fx, admin, false).await,
        Target::SubmittedChange => new_log(fx, admin, true).await,
    };
    let path = format!("/api/v1{}", route.template.replace("{id}", &id));
    let body = match (route.method, route.template) {
        ("post", "/projects/{id}/reports") => Some(json!({"period": fresh_period()})),
        ("patch", "/reports/{id}") => Some(json!({"version": 1, "narrative": "Changed"})),
        ("post", "/reports/{id}/submit") => Some(json!({"version": 1})),
        ("post", "/projects/{id}/log") => Some(json!({"kind": "decision", "title": "Use X"})),
        ("patch", "/log/{id}") => Some(json!({"version": 1, "title": "Renamed"})),
        ("post", "/log/{id}/decide") => {
            Some(json!({"decision": "reject", "comment": "Not now", "version": 1}))
        }
        ("put", "/projects/{id}/lessons") => {
            let cur = call(&fx.router, "GET", &path, Some(admin), None)
                .await
                .json();
            Some(json!({"went_well": "Fine", "tags": ["A"], "version": cur["version"]}))
        }
        _ => None,
    };
    (path, body)
}

#[tokio::test]
async fn every_delivery_route_every_role() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        weekly(&db).await;
        let admin = add_user(
            &db,
            "root@example.com",
            &[Grant {
                role: PmoDirector,
                scope: Scope::Organization,
            }],
        )
        .await;
        let scopes = [
            ("organization", Scope::Organization),
            ("matching scope", Scope::Project(fx.x)),
            ("other scope", Scope::Project(fx.y)),
        ];
        let mut tokens = std::collections::HashMap::new();
        for role in Role::ALL {
            for (i, (_, sc)) in scopes.iter().enumerate() {
                let t = add_user(
                    &db,
                    &format!("{}-{i}@example.com", role.as_str()),
                    &[Grant {
                        role: *role,
                        scope: *sc,
                    }],
                )
                .await;
                tokens.insert((*role, i), t);
            }
        }
        let mut failures = vec![];
        for route in routes() {
            let (path, body) = request_for(&fx, &route, &admin).await;
            let r = call(
                &fx.router,
                &route.method.to_uppercase(),
                &path,
                None,
                body.as_ref(),
            )
            .await;
            if r.status != 401 {
                failures.push(format!(
                    "{backend} anonymous {} {}: {}",
                    route.method, route.template, r.status
                ));
            }
            for role in Role::ALL {
                let in_list = route.allowed.is_none_or(|a| a.contains(role));
                for (i, (label, _)) in scopes.iter().enumerate() {
                    let expect = if route.target == Target::Org {
                        true
                    } else {
                        in_list && i < 2
                    };
                    let (path, body) = request_for(&fx, &route, &admin).await;
                    let r = call(
                        &fx.router,
                        &route.method.to_uppercase(),
                        &path,
                        Some(&tokens[&(*role, i)]),
                        body.as_ref(),
                    )
                    .await;
                    let ok = r.status.is_success();
                    let denied = r.status == 403 && r.json()["code"] == "forbidden";
                    if (expect && !ok) || (!expect && !denied) {
                        failures.push(format!(
                            "{backend} {} {} as {} ({label}): expected {}, got {} {}",
                            route.method,
                            route.template,
                            role.as_str(),
                            if expect { "allow" } else { "403" },
                            r.status,
                            r.text().chars().take(200).collect::<String>()
                        ));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} authorization mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

/// The matrix covers every route of the OpenAPI document tagged "delivery".
#[test]
fn matrix_covers_every_delivery_route() {
    let spec = serde_json::to_value(atrium_web::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let tagged = op["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "delivery"));
            if tagged {
                documented.insert(format!("{method} {path}"));
            }
        }
    }
    let tested: BTreeSet<String> = routes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    assert_eq!(documented, tested);
}

#[tokio::test]
async fn api_errors_and_flows() {
    let (db, _) = atrium_store::testing::sqlite().await.unwrap();
    let fx = fixture(db.clone()).await;
    weekly(&db).await;
    let admin = add_user(
        &db,
        "root@example.com",
        &[Grant {
            role: PmoDirector,
            scope: Scope::Organization,
        }],
    )
    .await;
    let t = Some(admin.as_str());
    // Unknown ids are 404 problem+json.
    let r = call(
        &fx.router,
        "GET",
        &format!("/api/v1/reports/{}", Uuid::now_v7()),
        t,
        None,
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["code"].clone()),
        (404, json!("not_found"))
    );
    // Validation: 422 with field errors.
    let r = call(
        &fx.router,
        "POST",
        &format!("/api/v1/projects/{}/reports", fx.x),
        t,
        Some(&json!({"period": "2026-11-03", "overall": "blue"})),
    )
    .await;
    assert_eq!(r.status, 422);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["period"], "{}", r.text());
    let id = new_report(&fx, &admin, false).await;
    // Stale version: 409 (If-Match works too).
    let r = call(
        &fx.router,
        "PATCH",
        &format!("/api/v1/reports/{id}"),
        t,
        Some(&json!({"version": 7, "narrative": "x"})),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["code"].clone()),
        (409, json!("stale_version"))
    );
    let mut req = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/reports/{id}/submit"))
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "application/json")
        .header("if-match", "\"1\"")
        .body(Body::from("{}"))
        .unwrap();
    let r = raw(&fx.router, req).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["state"], "submitted");
    // Immutable once submitted.
    req = Request::builder()
        .method("PATCH")
        .uri(format!("/api/v1/reports/{id}"))
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "application/json")
        .body(Body::from(r#"{"version": 2, "narrative": "changed"}"#))
        .unwrap();
    let r = raw(&fx.router, req).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "state");
    // Log: references, unknown fields refused, impact only for change requests.
    let r = call(
        &fx.router,
        "POST",
        &format!("/api/v1/projects/{}/log", fx.x),
        t,
        Some(&json!({"kind": "issue", "title": "x", "impact": {"cost": 5}})),
    )
    .await;
    assert_eq!(r.status, 422);
    let r = call(
        &fx.router,
        "POST",
        &format!("/api/v1/projects/{}/log", fx.x),
        t,
        Some(&json!({"kind": "change", "title": "More scope", "impact": {"schedule": {"task_uid": 4, "delta": "+2d"}, "cost": "250.00"}})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["reference"], "CR-1");
    assert_eq!(r.json()["impact"]["cost"], 25_000);
    // PATCH keeps what is not sent and clears what is sent as null.
    let cr = r.json();
    let r = call(
        &fx.router,
        "PATCH",
        &format!("/api/v1/log/{}", cr["id"].as_str().unwrap()),
        t,
        Some(&json!({"version": 1, "due": "2026-12-01", "description": "Why"})),
    )
    .await;
    assert_eq!(
        (r.json()["due"].clone(), r.json()["title"].clone()),
        (json!("2026-12-01"), json!("More scope"))
    );
    let r = call(
        &fx.router,
        "PATCH",
        &format!("/api/v1/log/{}", cr["id"].as_str().unwrap()),
        t,
        Some(&json!({"version": 2, "due": null})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        (r.json()["due"].clone(), r.json()["description"].clone()),
        (json!(null), json!("Why"))
    );
    assert_eq!(r.json()["impact"]["schedule"]["task_uid"], 4);
    let r = call(
        &fx.router,
        "GET",
        &format!("/api/v1/projects/{}/log?kind=bogus", fx.x),
        t,
        None,
    )
    .await;
    assert_eq!(r.status, 422);
    let r = call(
        &fx.router,
        "GET",
        "/api/v1/reports/overdue?date=2026-11-26",
        t,
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["period"], "2026-11-16");
    // Both fixture projects are in planning without a report for that week.
    assert_eq!(
        r.json()["projects"].as_array().unwrap().len(),
        2,
        "{}",
        r.text()
    );
}

// ---------------------------------------------------------------------------- pages

#[tokio::test]
async fn page_sweep_by_role() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        weekly(&db).await;
        let admin = add_user(
            &db,
            "root@example.com",
            &[Grant {
                role: PmoDirector,
                scope: Scope::Organization,
            }],
        )
        .await;
        let draft = new_report(&fx, &admin, false).await;
        let submitted = new_report(&fx, &admin, true).await;
        let issue = new_log(&fx, &admin, false).await;
        let cr = new_log(&fx, &admin, true).await;
        let x = fx.x;
        // (path, write page)
        let pages: Vec<(String, bool)> = vec![
            (format!("/projects/{x}/reports"), false),
            (format!("/projects/{x}/reports/new"), true),
            (format!("/reports/{draft}"), false),
            (format!("/reports/{submitted}"), false),
            (format!("/reports/{draft}/submit"), true),
            (format!("/reports/{submitted}/revise"), true),
            (format!("/projects/{x}/log"), false),
            (
                format!("/projects/{x}/log?kind=change&status=submitted&sort=-priority"),
                false,
            ),
            (format!("/projects/{x}/log/new?kind=change"), false),
            (format!("/log/{issue}"), false),
            (format!("/log/{cr}"), false),
            (format!("/log/{cr}/decide?decision=approve"), true),
            (format!("/log/{cr}/decide?decision=reject"), true),
            (format!("/projects/{x}/lessons"), false),
            ("/".into(), false),
            (format!("/programs/{}", fx.g), false),
            (format!("/portfolios/{}", fx.p), false),
        ];
        let users = [
            (
                "director",
                Grant {
                    role: PmoDirector,
                    scope: Scope::Organization,
                },
            ),
            (
                "pm",
                Grant {
                    role: ProjectManager,
                    scope: Scope::Project(x),
                },
            ),
            (
                "sponsor",
                Grant {
                    role: Sponsor,
                    scope: Scope::Project(x),
                },
            ),
            (
                "team",
                Grant {
                    role: TeamMember,
                    scope: Scope::Project(x),
                },
            ),
        ];
        let mut failures = vec![];
        for (name, grant) in users {
            let (cookie, _) = session(&db, &format!("{name}@example.com"), grant).await;
            for (path, write) in &pages {
                let decide = path.contains("/decide");
                let expect = match name {
                    "director" => 200,
                    "pm" if decide => 403,
                    "sponsor" if *write && !decide => 403,
                    "team" if *write => 403,
                    _ => 200,
                };
                let r = raw(&fx.router, get(path, &cookie)).await;
                if r.status != expect {
                    failures.push(format!(
                        "{backend} {name} {path}: expected {expect}, got {} {}",
                        r.status,
                        r.text().chars().take(200).collect::<String>()
                    ));
                }
            }
            // Someone else's project: 403 on its reports.
            let r = raw(
                &fx.router,
                get(&format!("/projects/{}/reports", fx.y), &cookie),
            )
            .await;
            let expect = if name == "director" { 200 } else { 403 };
            if r.status != expect {
                failures.push(format!("{backend} {name} other project: {}", r.status));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

#[tokio::test]
async fn forms_end_to_end() {
    let (db, _) = atrium_store::testing::sqlite().await.unwrap();
    let fx = fixture(db.clone()).await;
    weekly(&db).await;
    let x = fx.x;
    let (cookie, csrf) = session(
        &db,
        "dir@example.com",
        Grant {
            role: PmoDirector,
            scope: Scope::Organization,
        },
    )
    .await;
    // The director's home lists both planning projects as overdue.
    let home = raw(&fx.router, get("/", &cookie)).await.text();
    assert!(
        home.contains("Overdue status reports") && home.contains("PRJ-001"),
        "{home}"
    );
    // A forged form changes nothing.
    let r = raw(
        &fx.router,
        form(
            &format!("/projects/{x}/reports"),
            &cookie,
            "_csrf=forged&period=2026-11-16&overall=green&schedule=green&cost=green&scope=green&risk=green&narrative=x",
        ),
    )
    .await;
    assert_eq!(r.status, 403);
    // Errors come back beside their fields with what was typed.
    let r = raw(
        &fx.router,
        form(
            &format!("/projects/{x}/reports"),
            &cookie,
            &format!("_csrf={csrf}&period=2026-11-17&overall=green&schedule=green&cost=green&scope=green&risk=green&narrative=Typed+text"),
        ),
    )
    .await;
    assert_eq!(r.status, 422);
    let t = r.text();
    assert!(
        t.contains("id=\"e-period\"") && t.contains("Typed text"),
        "{t}"
    );
    let r = raw(
        &fx.router,
        form(
            &format!("/projects/{x}/reports"),
            &cookie,
            &format!("_csrf={csrf}&period=2026-11-16&overall=amber&schedule=green&cost=red&scope=green&risk=green&narrative=Week+went+fine"),
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let report = r.headers["location"].to_str().unwrap().to_owned();
    // Submit through the confirmation page.
    let page = raw(&fx.router, get(&format!("{report}/submit"), &cookie)).await;
    assert_eq!(page.status, 200);
    let version = hidden(&page.text(), "version");
    let r = raw(
        &fx.router,
        form(
            &format!("{report}/submit"),
            &cookie,
            &format!("_csrf={csrf}&version={version}"),
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let shown = raw(&fx.router, get(&report, &cookie)).await.text();
    assert!(
        shown.contains("Submitted") && shown.contains("Revise"),
        "{shown}"
    );
    assert!(!shown.contains("Save draft"), "no edit form once submitted");
    // The program and portfolio pages roll up the latest report.
    let g = raw(&fx.router, get(&format!("/programs/{}", fx.g), &cookie))
        .await
        .text();
    assert!(
        g.contains("Latest status report") && g.contains(&report),
        "{g}"
    );
    // A change request with a bad cost: the error is beside the field.
    let r = raw(
        &fx.router,
        form(
            &format!("/projects/{x}/log"),
            &cookie,
            &format!("_csrf={csrf}&kind=change&title=More&priority=high&status=submitted&cost=abc"),
        ),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("id=\"e-cost\""));
    let r = raw(
        &fx.router,
        form(
            &format!("/projects/{x}/log"),
            &cookie,
            &format!(
                "_csrf={csrf}&kind=change&title=More&priority=high&status=submitted&cost=1500"
            ),
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let entry = r.headers["location"].to_str().unwrap().to_owned();
    // Approval needs a comment; then it applies the budget.
    let budget = |a: &atrium_app::App| {
        let a = a.clone();
        async move {
            a.get_project(&atrium_app::system_actor(), x)
                .await
                .unwrap()
                .budget
                .0
        }
    };
    let before = budget(&fx.app).await;
    let r = raw(
        &fx.router,
        form(
            &format!("{entry}/decide"),
            &cookie,
            &format!("_csrf={csrf}&version=1&decision=approve&comment="),
        ),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("id=\"e-comment\""));
    let r = raw(
        &fx.router,
        form(
            &format!("{entry}/decide"),
            &cookie,
            &format!("_csrf={csrf}&version=1&decision=approve&comment=Agreed"),
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(budget(&fx.app).await, before + 150_000);
    // Lessons: saved, then the project may close.
    let page = raw(&fx.router, get(&format!("/projects/{x}/lessons"), &cookie)).await;
    let version = hidden(&page.text(), "version");
    assert_eq!(version, "0");
    let r = raw(
        &fx.router,
        form(
            &format!("/projects/{x}/lessons"),
            &cookie,
            &format!("_csrf={csrf}&version=0&went_well=Team&went_badly=&recommendations=&tags=People%2C+people"),
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = raw(&fx.router, get(&format!("/projects/{x}/lessons"), &cookie))
        .await
        .text();
    assert!(page.contains("value=\"people\""), "{page}");
}
