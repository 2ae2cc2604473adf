//! The route-by-route authorization matrix: every API route × every role, with an
//! organization-wide grant, a grant on the matching scope and a grant on another scope,
//! plus anonymous calls (401). The expected table below is written independently of the
//! permission table in atrium-app, so a change to either shows up here. Runs on SQLite and,
//! when ATRIUM_TEST_POSTGRES_URL is set, on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use Role::*;
use atrium_core::identity::{Grant, Role, Scope};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use support::*;

#[derive(Clone, Copy)]
enum Target {
    P,
    G,
    X,
    Person,
    Org,
    /// A fresh strategic driver per request.
    Driver,
    /// A fresh draft proposal in portfolio P per request.
    Proposal,
    /// A fresh scenario of portfolio P per request.
    Scenario,
}

struct Route {
    method: &'static str,
    /// OpenAPI path template.
    template: &'static str,
    /// Roles allowed with an organization-wide grant (`None` = every role).
    allowed: Option<&'static [Role]>,
    /// Whether a grant on the matching scope (for the same roles) also allows it.
    scoped: bool,
    /// Allowed for every signed-in user whatever the scope (lists are filtered to what the
    /// caller may see; the people directory and settings are organization-wide reference).
    list: bool,
    target: Target,
}

const DELIVERY: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    ProgramManager,
    SeniorProjectManager,
    ProjectManager,
];
const LEADS: &[Role] = &[PmoDirector, PortfolioManager];
const PROPOSERS: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    ProgramManager,
    SeniorProjectManager,
    ProjectManager,
    Sponsor,
];
const PLANNERS: &[Role] = &[PmoDirector, PortfolioManager, PmoAnalyst];

fn routes() -> Vec<Route> {
    let r = |method, template, allowed, scoped, list, target| Route {
        method,
        template,
        allowed,
        scoped,
        list,
        target,
    };
    vec![
        r("get", "/me", None, true, true, Target::Org),
        r("get", "/settings", None, true, true, Target::Org),
        r(
            "put",
            "/settings",
            Some(&[PmoDirector, Admin][..]),
            false,
            false,
            Target::Org,
        ),
        r(
            "get",
            "/users",
            Some(&[PmoDirector, Admin][..]),
            false,
            false,
            Target::Org,
        ),
        r(
            "post",
            "/users",
            Some(&[Admin][..]),
            false,
            false,
            Target::Org,
        ),
        r(
            "post",
            "/users/disable",
            Some(&[Admin][..]),
            false,
            false,
            Target::Org,
        ),
        r(
            "get",
            "/audit",
            Some(&[PmoDirector, GovernanceOfficer, Admin][..]),
            false,
            false,
            Target::Org,
        ),
        r("get", "/portfolios", None, true, true, Target::Org),
        r(
            "post",
            "/portfolios",
            Some(LEADS),
            false,
            false,
            Target::Org,
        ),
        r("get", "/portfolios/{id}", None, true, false, Target::P),
        r(
            "patch",
            "/portfolios/{id}",
            Some(LEADS),
            true,
            false,
            Target::P,
        ),
        r(
            "post",
            "/portfolios/{id}/archive",
            Some(LEADS),
            true,
            false,
            Target::P,
        ),
        r("get", "/programs", None, true, true, Target::Org),
        r("post", "/programs", Some(LEADS), true, false, Target::P),
        r("get", "/programs/{id}", None, true, false, Target::G),
        r(
            "patch",
            "/programs/{id}",
            Some(&[PmoDirector, PortfolioManager, ProgramManager][..]),
            true,
            false,
            Target::G,
        ),
        r(
            "post",
            "/programs/{id}/archive",
            Some(LEADS),
            true,
            false,
            Target::G,
        ),
        r("get", "/projects", None, true, true, Target::Org),
        r("post", "/projects", Some(DELIVERY), true, false, Target::P),
        r("get", "/projects/{id}", None, true, false, Target::X),
        r(
            "patch",
            "/projects/{id}",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "post",
            "/projects/{id}/archive",
            Some(&[PmoDirector, PortfolioManager, ProgramManager][..]),
            true,
            false,
            Target::X,
        ),
        r("get", "/people", None, true, true, Target::Org),
        r(
            "post",
            "/people",
            Some(&[PmoDirector, ResourceManager, Admin][..]),
            false,
            false,
            Target::Org,
        ),
        r("get", "/strategy", None, true, true, Target::Org),
        r(
            "put",
            "/strategy/scoring",
            Some(LEADS),
            false,
            false,
            Target::Org,
        ),
        r(
            "post",
            "/strategy/pairwise",
            Some(LEADS),
            false,
            false,
            Target::Org,
        ),
        r("post", "/drivers", Some(LEADS), false, false, Target::Org),
        r(
            "patch",
            "/drivers/{id}",
            Some(LEADS),
            false,
            false,
            Target::Driver,
        ),
        r(
            "post",
            "/drivers/{id}/archive",
            Some(LEADS),
            false,
            false,
            Target::Driver,
        ),
        r("get", "/proposals", None, true, true, Target::Org),
        r(
            "post",
            "/proposals",
            Some(PROPOSERS),
            true,
            false,
            Target::P,
        ),
        r(
            "get",
            "/proposals/{id}",
            None,
            true,
            false,
            Target::Proposal,
        ),
        r(
            "patch",
            "/proposals/{id}",
            Some(PROPOSERS),
            true,
            false,
            Target::Proposal,
        ),
        r(
            "post",
            "/proposals/{id}/transition",
            Some(PROPOSERS),
            true,
            false,
            Target::Proposal,
        ),
        r(
            "get",
            "/portfolios/{id}/ranking",
            None,
            true,
            false,
            Target::P,
        ),
        r(
            "get",
            "/portfolios/{id}/analysis",
            None,
            true,
            false,
            Target::P,
        ),
        r("get", "/scenarios", None, true, true, Target::Org),
        r("post", "/scenarios", Some(PLANNERS), true, false, Target::P),
        r(
            "get",
            "/scenarios/compare",
            Some(PLANNERS),
            true,
            false,
            Target::Scenario,
        ),
        r(
            "get",
            "/scenarios/{id}",
            Some(PLANNERS),
            true,
            false,
            Target::Scenario,
        ),
        r(
            "patch",
            "/scenarios/{id}",
            Some(PLANNERS),
            true,
            false,
            Target::Scenario,
        ),
        r(
            "delete",
            "/scenarios/{id}",
            Some(PLANNERS),
            true,
            false,
            Target::Scenario,
        ),
        r(
            "post",
            "/scenarios/{id}/copy",
            Some(PLANNERS),
            true,
            false,
            Target::Scenario,
        ),
        r(
            "post",
            "/scenarios/{id}/commit",
            Some(LEADS),
            true,
            false,
            Target::Scenario,
        ),
        r("get", "/people/{id}", None, true, true, Target::Person),
        r(
            "patch",
            "/people/{id}",
            Some(&[PmoDirector, ResourceManager, Admin][..]),
            false,
            false,
            Target::Person,
        ),
        r(
            "post",
            "/people/{id}/archive",
            Some(&[PmoDirector, ResourceManager, Admin][..]),
            false,
            false,
            Target::Person,
        ),
    ]
}

/// (matching, other) scopes for a route's target.
fn scopes(fx: &Fx, t: Target) -> (Scope, Scope) {
    match t {
        Target::P
        | Target::Org
        | Target::Person
        | Target::Driver
        | Target::Proposal
        | Target::Scenario => (Scope::Portfolio(fx.p), Scope::Portfolio(fx.q)),
        Target::G => (Scope::Program(fx.g), Scope::Program(fx.h)),
        Target::X => (Scope::Project(fx.x), Scope::Project(fx.y)),
    }
}

async fn current_version(fx: &Fx, admin: &str, path: &str) -> i64 {
    call(&fx.router, "GET", path, Some(admin), None)
        .await
        .json()["version"]
        .as_i64()
        .unwrap_or(1)
}

/// A number never handed out before in this test process (unique keys for fresh records).
fn fresh() -> usize {
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The id and version of the driver with this name, created on first use.
async fn named_driver(fx: &Fx, admin: &str, name: &str) -> (String, i64) {
    let s = call(&fx.router, "GET", "/api/v1/strategy", Some(admin), None)
        .await
        .json();
    if let Some(d) = s["drivers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
    {
        return (
            d["id"].as_str().unwrap().to_owned(),
            d["version"].as_i64().unwrap(),
        );
    }
    let d = call(
        &fx.router,
        "POST",
        "/api/v1/drivers",
        Some(admin),
        Some(&json!({"name": name})),
    )
    .await
    .json();
    (
        d["id"].as_str().unwrap().to_owned(),
        d["version"].as_i64().unwrap(),
    )
}

async fn new_scenario(fx: &Fx, admin: &str, n: usize) -> String {
    let s = call(
        &fx.router,
        "POST",
        "/api/v1/scenarios",
        Some(admin),
        Some(&json!({"name": format!("Fixture {n}"), "portfolio_id": fx.p, "first_year": 2031, "budget": ["100000"]})),
    )
    .await;
    s.json()["id"].as_str().unwrap().to_owned()
}

async fn request_for(fx: &Fx, route: &Route, n: usize, admin: &str) -> (String, Option<Value>) {
    let id = match route.target {
        Target::P => fx.p.to_string(),
        Target::G => fx.g.to_string(),
        Target::X => fx.x.to_string(),
        Target::Person => fx.person.to_string(),
        Target::Org => String::new(),
        Target::Driver => named_driver(fx, admin, "Matrix driver").await.0,
        Target::Proposal => {
            let p = call(
                &fx.router,
                "POST",
                "/api/v1/proposals",
                Some(admin),
                Some(&json!({"key": format!("PRP-{}", fresh()), "title": "Fixture proposal", "portfolio_id": fx.p, "start": "2031-01-01",
                             "costs": [{"year": 2031, "capex": 1000, "opex": 0}]})),
            )
            .await;
            p.json()["id"].as_str().unwrap().to_owned()
        }
        Target::Scenario => new_scenario(fx, admin, n).await,
    };
    let mut path = format!("/api/v1{}", route.template.replace("{id}", &id));
    if route.template == "/scenarios/compare" {
        let other = new_scenario(fx, admin, n + 100_000).await;
        path = format!("/api/v1/scenarios/compare?a={id}&b={other}");
    }
    if route.method == "delete" && route.template == "/scenarios/{id}" {
        path.push_str("?version=1");
    }
    let body = match (route.method, route.template) {
        ("put", "/settings") => {
            let mut s = call(&fx.router, "GET", "/api/v1/settings", Some(admin), None)
                .await
                .json();
            s["name"] = json!(format!("Org {n}"));
            Some(s)
        }
        ("post", "/users") => Some(
            json!({"email": format!("new{n}@example.com"), "name": "New", "password": "long enough password", "roles": ["team_member"]}),
        ),
        ("post", "/users/disable") => {
            Some(json!({"email": "target@example.com", "disabled": false}))
        }
        ("post", "/portfolios") => {
            Some(json!({"key": format!("NEWPF{n}"), "name": "New portfolio"}))
        }
        ("post", "/programs") => {
            Some(json!({"key": format!("NEWPG{n}"), "name": "New program", "portfolio_id": fx.p}))
        }
        ("post", "/projects") => Some(
            json!({"key": format!("NEW-{n}"), "name": "New project", "portfolio_id": fx.p, "program_id": fx.g}),
        ),
        ("post", "/people") => {
            Some(json!({"name": format!("Person {n}"), "department": "IT", "job_role": "Dev"}))
        }
        ("put", "/strategy/scoring") => {
            let s = call(&fx.router, "GET", "/api/v1/strategy", Some(admin), None)
                .await
                .json();
            Some(json!({"discount_rate_pct": 7, "version": s["config"]["version"]}))
        }
        ("post", "/strategy/pairwise") => {
            let a = named_driver(fx, admin, "Matrix A").await.0;
            let b = named_driver(fx, admin, "Matrix B").await.0;
            Some(json!({"judgements": [{"a": a, "b": b, "value": "2"}]}))
        }
        ("post", "/drivers") => Some(json!({"name": format!("New driver {n}"), "weight": 1})),
        ("patch", "/drivers/{id}") => Some(
            json!({"version": named_driver(fx, admin, "Matrix driver").await.1, "description": format!("Changed {n}")}),
        ),
        ("post", "/drivers/{id}/archive") => {
            Some(json!({"version": named_driver(fx, admin, "Matrix driver").await.1}))
        }
        ("post", "/proposals") => Some(
            json!({"key": format!("NEWP-{}", fresh()), "title": "New", "portfolio_id": fx.p, "start": "2031-01-01"}),
        ),
        ("patch", "/proposals/{id}") => {
            Some(json!({"version": 1, "title": format!("Renamed {n}")}))
        }
        ("post", "/proposals/{id}/transition") => {
            Some(json!({"version": 1, "transition": "submit"}))
        }
        ("post", "/scenarios") => Some(
            json!({"name": format!("S{n}"), "portfolio_id": fx.p, "first_year": 2031, "budget": [5000]}),
        ),
        ("patch", "/scenarios/{id}") => Some(json!({"version": 1, "name": format!("Renamed {n}")})),
        ("post", "/scenarios/{id}/commit") => Some(json!({"version": 1})),
        ("patch", _) => Some(
            json!({"version": current_version(fx, admin, &path).await, "name": format!("Renamed {n}")}),
        ),
        ("post", t) if t.ends_with("/archive") => {
            let get = path.trim_end_matches("/archive");
            Some(json!({"version": current_version(fx, admin, get).await}))
        }
        _ => None,
    };
    (path, body)
}

#[tokio::test]
async fn every_route_every_role() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let admin = add_user(
            &db,
            "root@example.com",
            &[
                Grant {
                    role: Admin,
                    scope: Scope::Organization,
                },
                Grant {
                    role: PmoDirector,
                    scope: Scope::Organization,
                },
            ],
        )
        .await;
        add_user(&db, "target@example.com", &[]).await;
        let all_scopes = [
            Scope::Organization,
            Scope::Portfolio(fx.p),
            Scope::Portfolio(fx.q),
            Scope::Program(fx.g),
            Scope::Program(fx.h),
            Scope::Project(fx.x),
            Scope::Project(fx.y),
        ];
        let mut tokens = std::collections::HashMap::new();
        for role in Role::ALL {
            for (i, sc) in all_scopes.iter().enumerate() {
                let t = add_user(
                    &db,
                    &format!("{}-{i}@example.com", role.as_str()),
                    &[Grant {
                        role: *role,
                        scope: *sc,
                    }],
                )
                .await;
                tokens.insert((*role, *sc), t);
            }
        }
        let mut failures = vec![];
        let mut n = 0;
        for route in routes() {
            // Anonymous: 401 problem+json.
            let (path, body) = request_for(&fx, &route, n, &admin).await;
            let r = call(
                &fx.router,
                &route.method.to_uppercase(),
                &path,
                None,
                body.as_ref(),
            )
            .await;
            if r.status != 401 || r.json()["code"] != "unauthenticated" {
                failures.push(format!(
                    "{backend} anonymous {} {}: {}",
                    route.method, route.template, r.status
                ));
            }
            let (matching, other) = scopes(&fx, route.target);
            for role in Role::ALL {
                let in_list = route.allowed.is_none_or(|a| a.contains(role));
                for (label, scope, expect) in [
                    ("organization", Scope::Organization, in_list),
                    (
                        "matching scope",
                        matching,
                        route.list || (in_list && route.scoped),
                    ),
                    ("other scope", other, route.list),
                ] {
                    n += 1;
                    let (path, body) = request_for(&fx, &route, n, &admin).await;
                    let token = &tokens[&(*role, scope)];
                    let r = call(
                        &fx.router,
                        &route.method.to_uppercase(),
                        &path,
                        Some(token),
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

/// The matrix must cover every route of the OpenAPI document (except the public token route).
#[test]
fn matrix_covers_every_api_route() {
    let spec = serde_json::to_value(atrium_web::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert(format!("{method} {path}"));
            }
        }
    }
    documented.remove("post /auth/token");
    let tested: BTreeSet<String> = routes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    assert_eq!(documented, tested);
}
