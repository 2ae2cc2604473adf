//! Resource management in the web layer: the authorization matrix of every resource API
//! route (every role with an organization-wide grant, a grant on the project and a grant on
//! another project, plus anonymous calls), input errors and the request → propose → commit
//! flow over the API, the page sweep of every resource page by role, and the forms end to
//! end (CSRF, errors beside fields, confirmation steps). Runs on SQLite and, when
//! ATRIUM_TEST_POSTGRES_URL is set, on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use Role::*;
use atrium_core::identity::{Grant, Role, Scope};
use atrium_store::{Db, identity};
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use support::*;
use uuid::Uuid;

/// Who reads capacity (heat map, conflicts, utilization, skill gaps, lists), whatever the
/// scope of their grant.
const READ_CAPACITY: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    ProgramManager,
    SeniorProjectManager,
    ProjectManager,
    PmoAnalyst,
    ResourceManager,
];
/// Who asks for people for a project (on that project).
const REQUESTERS: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    ProgramManager,
    SeniorProjectManager,
    ProjectManager,
];
/// Who proposes, commits, rejects and changes allocations (organization-wide grants only).
const ALLOCATORS: &[Role] = &[PmoDirector, ResourceManager];
/// Who records absences (organization-wide grants only).
const PEOPLE_MANAGERS: &[Role] = &[PmoDirector, ResourceManager, Admin];

/// Which grants a route allows.
#[derive(Clone, Copy)]
enum Rule {
    /// Every role, whatever the scope.
    Everyone,
    /// These roles, whatever the scope of the grant.
    AnyScope(&'static [Role]),
    /// These roles, organization-wide or on project X.
    OnProject(&'static [Role]),
    /// These roles, organization-wide grants only.
    OrgOnly(&'static [Role]),
}

impl Rule {
    /// `scope`: 0 organization, 1 project X, 2 project Y.
    fn allows(self, role: Role, scope: usize) -> bool {
        match self {
            Rule::Everyone => true,
            Rule::AnyScope(r) => r.contains(&role),
            Rule::OnProject(r) => r.contains(&role) && scope < 2,
            Rule::OrgOnly(r) => r.contains(&role) && scope == 0,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    /// No id.
    Org,
    /// Project X.
    X,
    /// The pool's person (query or path).
    Person,
    /// A proposal in portfolio P (what-if).
    Proposal,
    /// One open request of project X, shared by the read routes.
    Request,
    /// A fresh open request of project X (each call consumes it).
    FreshRequest,
    /// One allocation of a committed request of project X.
    Allocation,
    /// A fresh absence of the person (each call deletes it).
    FreshAbsence,
}

struct Route {
    method: &'static str,
    template: &'static str,
    /// Query string (after `?`) or the workflow step of `/steps`.
    extra: &'static str,
    rule: Rule,
    /// What a refused caller gets: 403, or 404 where the record is hidden.
    refused: u16,
    target: Target,
}

fn routes() -> Vec<Route> {
    let r = |method, template, extra, rule, refused, target| Route {
        method,
        template,
        extra,
        rule,
        refused,
        target,
    };
    let cap = Rule::AnyScope(READ_CAPACITY);
    vec![
        r(
            "get",
            "/resources/capacity",
            "bucket=month&from=2027-01-01&count=3",
            cap,
            403,
            Target::Org,
        ),
        r(
            "get",
            "/resources/capacity/export",
            "format=csv",
            cap,
            403,
            Target::Org,
        ),
        r(
            "get",
            "/resources/drill",
            "from=2027-01-04&to=2027-01-31",
            cap,
            403,
            Target::Person,
        ),
        r("get", "/resources/conflicts", "", cap, 403, Target::Org),
        r("get", "/resources/utilization", "", cap, 403, Target::Org),
        r("get", "/resources/skill-gaps", "", cap, 403, Target::Org),
        // The proposal sits in portfolio P: a project grant does not reach it.
        r(
            "get",
            "/resources/what-if",
            "",
            Rule::OrgOnly(READ_CAPACITY),
            403,
            Target::Proposal,
        ),
        r("get", "/resources/requests", "", cap, 403, Target::Org),
        r(
            "get",
            "/resources/requests/{id}",
            "",
            Rule::OnProject(READ_CAPACITY),
            404,
            Target::Request,
        ),
        r(
            "get",
            "/resources/requests/{id}/candidates",
            "",
            Rule::OnProject(READ_CAPACITY),
            404,
            Target::Request,
        ),
        r(
            "post",
            "/resources/requests/{id}/steps",
            "propose",
            Rule::OrgOnly(ALLOCATORS),
            403,
            Target::FreshRequest,
        ),
        r(
            "post",
            "/resources/requests/{id}/steps",
            "reject",
            Rule::OrgOnly(ALLOCATORS),
            403,
            Target::FreshRequest,
        ),
        r(
            "post",
            "/resources/requests/{id}/steps",
            "cancel",
            Rule::OnProject(REQUESTERS),
            403,
            Target::FreshRequest,
        ),
        r(
            "post",
            "/projects/{id}/resource-requests",
            "",
            Rule::OnProject(REQUESTERS),
            403,
            Target::X,
        ),
        r("get", "/resources/allocations", "", cap, 403, Target::Org),
        r(
            "patch",
            "/resources/allocations/{id}",
            "",
            Rule::OrgOnly(ALLOCATORS),
            403,
            Target::Allocation,
        ),
        r(
            "get",
            "/people/{id}/absences",
            "",
            Rule::Everyone,
            403,
            Target::Person,
        ),
        r(
            "post",
            "/people/{id}/absences",
            "",
            Rule::OrgOnly(PEOPLE_MANAGERS),
            403,
            Target::Person,
        ),
        r(
            "delete",
            "/people/{id}/absences/{absence}",
            "",
            Rule::OrgOnly(PEOPLE_MANAGERS),
            403,
            Target::FreshAbsence,
        ),
    ]
}

/// Ids created once per backend for the matrix.
struct Shared {
    proposal: String,
    request: String,
    allocation: String,
}

fn request_body(role: &str) -> Value {
    json!({"job_role": role, "start": "2027-01-04", "finish": "2027-03-26", "hours_per_week": "16"})
}

/// An open request of project X for a Dev (the fixture person's role).
async fn new_request(fx: &Fx, admin: &str) -> String {
    let r = call(
        &fx.router,
        "POST",
        &format!("/api/v1/projects/{}/resource-requests", fx.x),
        Some(admin),
        Some(&request_body("Dev")),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["state"], "requested");
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn step(fx: &Fx, token: &str, id: &str, body: Value) -> Resp {
    call(
        &fx.router,
        "POST",
        &format!("/api/v1/resources/requests/{id}/steps"),
        Some(token),
        Some(&body),
    )
    .await
}

/// Proposes the fixture person and commits; returns the request's JSON detail.
async fn committed_request(fx: &Fx, admin: &str) -> Value {
    let id = new_request(fx, admin).await;
    let r = step(
        fx,
        admin,
        &id,
        json!({"action": "propose", "person_id": fx.person, "version": 1}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = step(fx, admin, &id, json!({"action": "commit", "version": 2})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    call(
        &fx.router,
        "GET",
        &format!("/api/v1/resources/requests/{id}"),
        Some(admin),
        None,
    )
    .await
    .json()
}

async fn new_proposal(fx: &Fx, admin: &str) -> String {
    let r = call(
        &fx.router,
        "POST",
        "/api/v1/proposals",
        Some(admin),
        Some(
            &json!({"key": "NEWP-1", "title": "New", "portfolio_id": fx.p, "start": "2031-01-01"}),
        ),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn new_absence(fx: &Fx, admin: &str) -> String {
    let r = call(
        &fx.router,
        "POST",
        &format!("/api/v1/people/{}/absences", fx.person),
        Some(admin),
        Some(&json!({"start": "2027-05-03", "finish": "2027-05-07", "kind": "training"})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn shared(fx: &Fx, admin: &str) -> Shared {
    let c = committed_request(fx, admin).await;
    assert_eq!(c["state"], "committed", "{c}");
    Shared {
        proposal: new_proposal(fx, admin).await,
        request: new_request(fx, admin).await,
        allocation: c["allocations"][0]["id"].as_str().unwrap().to_owned(),
    }
}

async fn request_for(fx: &Fx, sh: &Shared, route: &Route, admin: &str) -> (String, Option<Value>) {
    let mut path = format!("/api/v1{}", route.template);
    let mut query = route.extra.to_owned();
    match route.target {
        Target::Org => {}
        Target::X => path = path.replace("{id}", &fx.x.to_string()),
        Target::Person if route.template == "/resources/drill" => {
            query = format!("person={}&{query}", fx.person);
        }
        Target::Person => path = path.replace("{id}", &fx.person.to_string()),
        Target::Proposal => query = format!("proposal={}", sh.proposal),
        Target::Request => path = path.replace("{id}", &sh.request),
        Target::FreshRequest => path = path.replace("{id}", &new_request(fx, admin).await),
        Target::Allocation => path = path.replace("{id}", &sh.allocation),
        Target::FreshAbsence => {
            path = path
                .replace("{id}", &fx.person.to_string())
                .replace("{absence}", &new_absence(fx, admin).await);
        }
    }
    if route.target != Target::FreshRequest && !query.is_empty() {
        path = format!("{path}?{query}");
    }
    let body = match (route.method, route.template) {
        ("post", "/resources/requests/{id}/steps") => Some(match route.extra {
            "propose" => json!({"action": "propose", "person_id": fx.person, "version": 1}),
            a => json!({"action": a, "reason": "Not needed any more", "version": 1}),
        }),
        ("post", "/projects/{id}/resource-requests") => Some(request_body("Dev")),
        ("patch", "/resources/allocations/{id}") => Some(json!({"hours_per_week": "12"})),
        ("post", "/people/{id}/absences") => {
            Some(json!({"start": "2027-02-01", "finish": "2027-02-05", "kind": "leave"}))
        }
        _ => None,
    };
    (path, body)
}

#[tokio::test]
async fn every_resource_route_every_role() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let admin = add_user(
            &db,
            "root@example.com",
            &[Grant {
                role: PmoDirector,
                scope: Scope::Organization,
            }],
        )
        .await;
        let sh = shared(&fx, &admin).await;
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
        let mut calls = 0;
        for route in routes() {
            let (path, body) = request_for(&fx, &sh, &route, &admin).await;
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
                    "{backend} anonymous {} {} {}: {} {}",
                    route.method,
                    route.template,
                    route.extra,
                    r.status,
                    r.text()
                ));
            }
            for role in Role::ALL {
                for (i, (label, _)) in scopes.iter().enumerate() {
                    let expect = route.rule.allows(*role, i);
                    let (path, body) = request_for(&fx, &sh, &route, &admin).await;
                    let r = call(
                        &fx.router,
                        &route.method.to_uppercase(),
                        &path,
                        Some(&tokens[&(*role, i)]),
                        body.as_ref(),
                    )
                    .await;
                    calls += 1;
                    let ok = r.status.is_success();
                    let code = if route.refused == 404 {
                        "not_found"
                    } else {
                        "forbidden"
                    };
                    let denied = r.status == route.refused && r.json()["code"] == code;
                    if (expect && !ok) || (!expect && !denied) {
                        failures.push(format!(
                            "{backend} {} {} {} as {} ({label}): expected {}, got {} {}",
                            route.method,
                            route.template,
                            route.extra,
                            role.as_str(),
                            if expect {
                                "allow".to_owned()
                            } else {
                                route.refused.to_string()
                            },
                            r.status,
                            r.text().chars().take(200).collect::<String>()
                        ));
                    }
                }
            }
        }
        assert_eq!(calls, routes().len() * Role::ALL.len() * 3);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

#[test]
fn matrix_covers_every_resource_route() {
    let spec = serde_json::to_value(atrium_web::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "resources"))
            {
                documented.insert(format!("{method} {path}"));
            }
        }
    }
    let tested: BTreeSet<String> = routes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    assert_eq!(documented.len(), 17, "{documented:?}");
    assert_eq!(documented, tested);
}

fn fields(r: &Resp) -> Vec<String> {
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(
        r.headers["content-type"],
        "application/problem+json",
        "{}",
        r.text()
    );
    r.json()["errors"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|e| e["field"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Demand hours of the fixture person in the monthly heat map of Jan–Mar 2027.
async fn person_demand(fx: &Fx, token: &str) -> Vec<f64> {
    let r = call(
        &fx.router,
        "GET",
        "/api/v1/resources/capacity?bucket=month&from=2027-01-01&count=3",
        Some(token),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let row = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["person_id"] == json!(fx.person))
        .cloned()
        .unwrap_or_else(|| panic!("no row for the person: {v}"));
    row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["demand_hours"].as_f64().unwrap())
        .collect()
}

#[tokio::test]
async fn api_errors_and_flows() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let admin = add_user(
            &db,
            "root@example.com",
            &[Grant {
                role: PmoDirector,
                scope: Scope::Organization,
            }],
        )
        .await;
        let pm = add_user(
            &db,
            "pm@example.com",
            &[Grant {
                role: ProjectManager,
                scope: Scope::Project(fx.x),
            }],
        )
        .await;
        let rm = add_user(
            &db,
            "rm@example.com",
            &[Grant {
                role: ResourceManager,
                scope: Scope::Organization,
            }],
        )
        .await;
        let get = |path: String, t: &'static str| {
            let router = fx.router.clone();
            let token = match t {
                "pm" => pm.clone(),
                "rm" => rm.clone(),
                _ => admin.clone(),
            };
            async move { call(&router, "GET", &path, Some(&token), None).await }
        };
        // Bad query parameters: 422 problem+json naming the parameter.
        for (q, field) in [
            ("from=2027-13-01", "from"),
            ("bucket=year", "bucket"),
            ("count=0", "count"),
            ("bucket=month&count=61", "count"),
            ("group=team", "group"),
            ("limit=0", "limit"),
        ] {
            let r = get(format!("/api/v1/resources/capacity?{q}"), "rm").await;
            assert_eq!(fields(&r), [field], "{backend} {q}");
        }
        let r = get("/api/v1/resources/conflicts?weeks=53".into(), "rm").await;
        assert_eq!(fields(&r), ["weeks"], "{backend}");
        let r = get("/api/v1/resources/utilization?group=skill".into(), "rm").await;
        assert_eq!(fields(&r), ["group"], "{backend}");
        let r = get("/api/v1/resources/skill-gaps?quarters=9".into(), "rm").await;
        assert_eq!(fields(&r), ["quarters"], "{backend}");
        let r = get(
            format!(
                "/api/v1/resources/drill?person={}&from=2027-02-01&to=2027-01-01",
                fx.person
            ),
            "rm",
        )
        .await;
        assert_eq!(fields(&r), ["to"], "{backend}");
        let r = get(
            format!("/api/v1/resources/drill?person={}", Uuid::now_v7()),
            "rm",
        )
        .await;
        assert_eq!(r.status, 404, "{backend} {}", r.text());
        let r = get("/api/v1/resources/what-if".into(), "rm").await;
        assert_eq!(fields(&r), ["proposal"], "{backend}");
        let r = get("/api/v1/resources/requests?state=done".into(), "rm").await;
        assert_eq!(fields(&r), ["state"], "{backend}");
        let r = get(
            "/api/v1/resources/allocations?from=2027-02-01&to=2027-01-01".into(),
            "rm",
        )
        .await;
        assert_eq!(fields(&r), ["to"], "{backend}");
        // Bad requests.
        let create = |body: Value| {
            let router = fx.router.clone();
            let pm = pm.clone();
            let x = fx.x;
            async move {
                call(
                    &router,
                    "POST",
                    &format!("/api/v1/projects/{x}/resource-requests"),
                    Some(&pm),
                    Some(&body),
                )
                .await
            }
        };
        let r =
            create(json!({"start": "2027-01-04", "finish": "2027-03-26", "hours_per_week": "16"}))
                .await;
        assert_eq!(fields(&r), ["job_role"], "{backend}");
        let r = create(json!({"job_role": "Dev", "start": "2027-03-26", "finish": "2027-01-04", "hours_per_week": "16"})).await;
        assert_eq!(fields(&r), ["finish"], "{backend}");
        let r = create(json!({"skills": "Rust:9", "start": "2027-01-04", "finish": "2027-02-30", "hours_per_week": "200"})).await;
        assert_eq!(
            fields(&r),
            ["skills", "job_role", "finish", "hours_per_week"],
            "{backend}"
        );
        let r = create(json!({"job_role": "Dev", "start": "2027-01-04", "finish": "2027-03-26", "hours_per_week": "16", "colour": "red"})).await;
        assert_eq!(r.status, 422, "{backend} unknown field: {}", r.text());
        // 50 % of a full week of the default calendar (five days of 08:00–17:00).
        let r = create(json!({"skills": "Rust:4, SQL", "start": "2027-01-04", "finish": "2027-03-26", "hours_per_week": "50%"})).await;
        assert_eq!(r.status, 201, "{backend} {}", r.text());
        assert_eq!(r.json()["hours_per_week"], 22.5, "{backend} {}", r.text());
        assert_eq!(r.json()["skills"][1], json!({"name": "SQL", "level": 3}));
        // Steps: unknown action, propose without a person, reject without a reason, stale.
        let id = new_request(&fx, &pm).await;
        let r = step(&fx, &rm, &id, json!({"action": "approve", "version": 1})).await;
        assert_eq!(fields(&r), ["action"], "{backend}");
        let r = step(&fx, &rm, &id, json!({"action": "propose", "version": 1})).await;
        assert_eq!(fields(&r), ["person_id"], "{backend}");
        let r = step(
            &fx,
            &rm,
            &id,
            json!({"action": "propose", "person_id": Uuid::now_v7(), "version": 1}),
        )
        .await;
        assert_eq!(fields(&r), ["person_id"], "{backend}");
        let r = step(
            &fx,
            &rm,
            &id,
            json!({"action": "reject", "reason": "  ", "version": 1}),
        )
        .await;
        assert_eq!(fields(&r), ["reason"], "{backend}");
        let r = step(&fx, &pm, &id, json!({"action": "commit", "version": 1})).await;
        assert_eq!(fields(&r), ["person_id"], "{backend} nobody proposed yet");
        let r = step(
            &fx,
            &rm,
            &id,
            json!({"action": "propose", "person_id": fx.person, "version": 7}),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json()["code"].clone()),
            (409, json!("stale_version")),
            "{backend} {}",
            r.text()
        );
        // The project manager may not propose (an allocator's step).
        let r = step(
            &fx,
            &pm,
            &id,
            json!({"action": "propose", "person_id": fx.person, "version": 1}),
        )
        .await;
        assert_eq!(r.status, 403, "{backend} {}", r.text());
        // Candidates: the fixture person fits the Dev role.
        let r = get(format!("/api/v1/resources/requests/{id}/candidates"), "rm").await;
        assert_eq!(r.status, 200, "{backend} {}", r.text());
        assert_eq!(r.json()["items"][0]["person_id"], json!(fx.person));
        assert!(r.json()["items"][0]["free_hours"].as_f64().unwrap() > 0.0);
        // Happy path: nothing booked yet; propose; the PM accepts; allocations month by month.
        assert_eq!(person_demand(&fx, &rm).await, [0.0, 0.0, 0.0], "{backend}");
        let r = step(
            &fx,
            &rm,
            &id,
            json!({"action": "propose", "person_id": fx.person, "version": 1}),
        )
        .await;
        assert_eq!(r.status, 200, "{backend} {}", r.text());
        assert_eq!(
            (r.json()["state"].clone(), r.json()["person_id"].clone()),
            (json!("proposed"), json!(fx.person))
        );
        // Proposing books nothing.
        assert_eq!(person_demand(&fx, &rm).await, [0.0, 0.0, 0.0], "{backend}");
        let req = Request::builder()
            .method("POST")
            .uri(format!("/api/v1/resources/requests/{id}/steps"))
            .header("authorization", format!("Bearer {pm}"))
            .header("content-type", "application/json")
            .header("if-match", "\"2\"")
            .body(Body::from(r#"{"action": "commit"}"#))
            .unwrap();
        let r = raw(&fx.router, req).await;
        assert_eq!(r.status, 200, "{backend} {}", r.text());
        assert_eq!(r.json()["state"], "committed");
        assert_eq!(r.json()["version"], 3);
        let d = get(format!("/api/v1/resources/requests/{id}"), "pm")
            .await
            .json();
        let months: Vec<(String, String)> = d["allocations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                assert_eq!(a["hours_per_week"], 16.0);
                assert_eq!(a["person_id"], json!(fx.person));
                (
                    a["start"].as_str().unwrap().to_owned(),
                    a["finish"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            months,
            [
                ("2027-01-04".to_owned(), "2027-01-31".to_owned()),
                ("2027-02-01".to_owned(), "2027-02-28".to_owned()),
                ("2027-03-01".to_owned(), "2027-03-26".to_owned()),
            ],
            "{backend} {d}"
        );
        assert_eq!(d["person_name"], "Ana");
        assert_eq!(d["project_key"], "PRJ-001");
        let r = get(
            format!(
                "/api/v1/resources/allocations?person_id={}&from=2027-01-01&to=2027-12-31",
                fx.person
            ),
            "rm",
        )
        .await;
        assert_eq!(r.status, 200, "{backend} {}", r.text());
        let listed: Vec<Value> = r.json()["items"].as_array().unwrap().clone();
        assert_eq!(listed.len(), 3, "{backend} {}", r.text());
        assert!(listed.iter().all(|a| a["request_id"] == json!(id)));
        // The heat map now shows the booking in each month.
        let demand = person_demand(&fx, &rm).await;
        assert!(demand.iter().all(|h| *h > 40.0), "{backend} {demand:?}");
        // The drill-down names the project behind the load.
        let r = get(
            format!(
                "/api/v1/resources/drill?person={}&from=2027-02-01&to=2027-02-28",
                fx.person
            ),
            "pm",
        )
        .await;
        assert_eq!(r.status, 200, "{backend} {}", r.text());
        assert_eq!(r.json()["causes"][0]["project_key"], "PRJ-001");
        assert_eq!(r.json()["causes"][0]["source"]["kind"], "allocation");
        // Closed: further steps are refused with the state named.
        let r = step(
            &fx,
            &pm,
            &id,
            json!({"action": "cancel", "reason": "x", "version": 3}),
        )
        .await;
        assert_eq!(fields(&r), ["state"], "{backend}");
        // One month of the allocation changes; bad hours are refused.
        let alloc = listed[1]["id"].as_str().unwrap().to_owned();
        let patch = |body: Value| {
            let router = fx.router.clone();
            let rm = rm.clone();
            let alloc = alloc.clone();
            async move {
                call(
                    &router,
                    "PATCH",
                    &format!("/api/v1/resources/allocations/{alloc}"),
                    Some(&rm),
                    Some(&body),
                )
                .await
            }
        };
        let r = patch(json!({"hours_per_week": "200"})).await;
        assert_eq!(fields(&r), ["hours_per_week"], "{backend}");
        let r = patch(json!({"hours_per_week": "0"})).await;
        assert_eq!(r.status, 200, "{backend} {}", r.text());
        assert_eq!(r.json()["hours_per_week"], 0.0);
        let after = person_demand(&fx, &rm).await;
        assert_eq!(after[1], 0.0, "{backend} {after:?}");
        assert_eq!((after[0], after[2]), (demand[0], demand[2]), "{backend}");
        let r = call(
            &fx.router,
            "PATCH",
            &format!("/api/v1/resources/allocations/{}", Uuid::now_v7()),
            Some(&rm),
            Some(&json!({"hours_per_week": "4"})),
        )
        .await;
        assert_eq!(r.status, 404, "{backend}");
        // Requests list: the PM's requests, filtered by state.
        let r = get("/api/v1/resources/requests?state=committed".into(), "pm").await;
        assert_eq!(r.status, 200, "{backend} {}", r.text());
        let items = r.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{backend} {}", r.text());
        assert_eq!(items[0]["id"], json!(id));
        // An analyst scoped to project Y reads capacity but not project X's requests.
        let analyst = add_user(
            &db,
            "analyst@example.com",
            &[Grant {
                role: PmoAnalyst,
                scope: Scope::Project(fx.y),
            }],
        )
        .await;
        let r = call(
            &fx.router,
            "GET",
            "/api/v1/resources/requests",
            Some(&analyst),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{backend} {}", r.text());
        assert_eq!(r.json()["items"], json!([]), "{backend} {}", r.text());
        let r = get("/api/v1/resources/requests".into(), "rm").await;
        assert_eq!(
            r.json()["items"].as_array().unwrap().len(),
            2,
            "{backend} {}",
            r.text()
        );
        // Exports.
        for (path, what) in [
            (
                "/api/v1/resources/capacity/export?bucket=month&from=2027-01-01&count=3&format=csv",
                "Person,From,To,Capacity (h)",
            ),
            (
                "/api/v1/resources/allocations?from=2027-01-01&to=2027-12-31&format=csv",
                "Person,Department,Project,Project name,From,To,Hours per week,Request",
            ),
            (
                "/api/v1/resources/skill-gaps?format=csv",
                "Skill,People,Quarter",
            ),
        ] {
            let r = get(path.into(), "rm").await;
            assert_eq!(r.status, 200, "{backend} {path} {}", r.text());
            assert!(
                r.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/csv"),
                "{backend} {path}"
            );
            let text = r.text();
            let first = text.lines().next().unwrap_or("");
            assert!(first.starts_with(what), "{backend} {path}: {first}");
            if path.contains("allocations") {
                assert_eq!(text.lines().count(), 4, "{backend} {text}");
                assert!(text.contains("Ana,IT,PRJ-001"), "{backend} {text}");
            }
            if path.contains("capacity") {
                // One line per row and month.
                assert_eq!(text.lines().count(), 1 + 3, "{backend} {text}");
                assert!(text.contains("Ana,2027-01-01"), "{backend} {text}");
            }
        }
        for path in [
            "/api/v1/resources/capacity/export?format=xlsx",
            "/api/v1/resources/allocations?format=xlsx",
            "/api/v1/resources/skill-gaps?format=xlsx",
        ] {
            let r = get(path.into(), "rm").await;
            assert_eq!(r.status, 200, "{backend} {path} {}", r.text());
            assert_eq!(
                r.headers["content-type"],
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "{backend} {path}"
            );
            assert!(r.body.starts_with(b"PK"), "{backend} {path}");
        }
        let r = get("/api/v1/resources/capacity/export?format=pdf".into(), "rm").await;
        assert_eq!(fields(&r), ["format"], "{backend}");
        // Absences: bad input, then one that empties a week of capacity.
        let absences = format!("/api/v1/people/{}/absences", fx.person);
        let r = call(
            &fx.router,
            "POST",
            &absences,
            Some(&rm),
            Some(&json!({"start": "2027-06-10", "finish": "2027-06-01", "kind": "holiday"})),
        )
        .await;
        assert_eq!(fields(&r), ["finish", "kind"], "{backend}");
        let aid = new_absence(&fx, &rm).await;
        let r = get(absences.clone(), "pm").await;
        assert_eq!(r.status, 200, "{backend}");
        assert_eq!(r.json()["items"][0]["id"], json!(aid));
        assert_eq!(r.json()["items"][0]["kind"], "training");
        let r = call(
            &fx.router,
            "DELETE",
            &format!("{absences}/{aid}"),
            Some(&rm),
            None,
        )
        .await;
        assert_eq!(r.status, 204, "{backend}");
        let r = call(
            &fx.router,
            "DELETE",
            &format!("{absences}/{aid}"),
            Some(&rm),
            None,
        )
        .await;
        assert_eq!(r.status, 404, "{backend} deleted twice");
        assert_eq!(
            get(absences.clone(), "pm").await.json()["items"],
            json!([]),
            "{backend}"
        );
        // The line manager of the proposed person sees the request, even without a grant
        // on the project; another team member does not.
        let boss = add_user(
            &db,
            "boss@example.com",
            &[Grant {
                role: TeamMember,
                scope: Scope::Project(fx.y),
            }],
        )
        .await;
        let other = add_user(
            &db,
            "other@example.com",
            &[Grant {
                role: TeamMember,
                scope: Scope::Project(fx.y),
            }],
        )
        .await;
        let boss_person = pool_person(&db, Some("boss@example.com"), None).await;
        let report = pool_person(&db, None, Some(boss_person)).await;
        let id2 = new_request(&fx, &pm).await;
        let r = step(
            &fx,
            &rm,
            &id2,
            json!({"action": "propose", "person_id": report, "version": 1}),
        )
        .await;
        assert_eq!(r.status, 200, "{backend} {}", r.text());
        for (token, expect) in [(&boss, 200), (&other, 404)] {
            let r = call(
                &fx.router,
                "GET",
                &format!("/api/v1/resources/requests/{id2}"),
                Some(token),
                None,
            )
            .await;
            assert_eq!(r.status, expect, "{backend} {}", r.text());
        }
        // The candidates' free hours are capacity data: not for a team member, even the
        // line manager who may see the request.
        for (token, expect) in [(&boss, 403), (&other, 404)] {
            let r = call(
                &fx.router,
                "GET",
                &format!("/api/v1/resources/requests/{id2}/candidates"),
                Some(token),
                None,
            )
            .await;
            assert_eq!(r.status, expect, "{backend} candidates {}", r.text());
        }
        let r = call(
            &fx.router,
            "GET",
            &format!("/api/v1/resources/requests?line_manager={boss_person}"),
            Some(&boss),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{backend} {}", r.text());
        assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);
        let r = call(
            &fx.router,
            "GET",
            &format!("/api/v1/resources/requests?line_manager={boss_person}"),
            Some(&other),
            None,
        )
        .await;
        assert_eq!(r.status, 403, "{backend} {}", r.text());
    }
}

/// A Dev of the pool, linked to the user with this e-mail and/or reporting to a manager.
async fn pool_person(db: &Db, email: Option<&str>, manager: Option<Uuid>) -> Uuid {
    let user_id = match email {
        Some(e) => Some(identity::user_by_email(db, e).await.unwrap().unwrap().id),
        None => None,
    };
    let p = atrium_core::resource::Person {
        id: Uuid::now_v7(),
        name: format!("Person {}", email.unwrap_or("without user")),
        email: None,
        department: "IT".into(),
        job_role: "Dev".into(),
        cost_rate: atrium_core::money::Minor(6000),
        weekly_capacity_minutes: 40 * 60,
        skills: vec![],
        user_id,
        archived: false,
        version: 1,
        line_manager_id: manager,
        generic: false,
        non_project_minutes: 0,
        working_days: None,
    };
    let mut tx = db.begin().await.unwrap();
    atrium_store::people::insert(&mut tx, &p, 1).await.unwrap();
    tx.commit().await.unwrap();
    p.id
}

// ---------------------------------------------------------------------------- pages

/// Who may see a page.
#[derive(Clone, Copy)]
enum Seen {
    /// ReadCapacity roles, any scope.
    Capacity,
    /// ReadCapacity roles on the request's project (or org-wide); others 404.
    Request,
    /// ReadCapacity roles organization-wide (the proposal is in portfolio P).
    WhatIf,
    /// Everyone.
    All,
    /// Requesters on project X.
    NewRequest,
}

#[tokio::test]
async fn page_sweep_by_role() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let admin = add_user(
            &db,
            "root@example.com",
            &[Grant {
                role: PmoDirector,
                scope: Scope::Organization,
            }],
        )
        .await;
        let committed = committed_request(&fx, &admin).await;
        let committed = committed["id"].as_str().unwrap().to_owned();
        let open = new_request(&fx, &admin).await;
        let proposal = new_proposal(&fx, &admin).await;
        let (x, person) = (fx.x, fx.person);
        let pages: Vec<(String, Seen)> = vec![
            ("/resources".into(), Seen::Capacity),
            (
                "/resources?group=department&bucket=month&order=worst".into(),
                Seen::Capacity,
            ),
            ("/resources/conflicts".into(), Seen::Capacity),
            ("/resources/utilization".into(), Seen::Capacity),
            ("/resources/skills".into(), Seen::Capacity),
            ("/resources/requests".into(), Seen::Capacity),
            ("/resources/requests?state=committed".into(), Seen::Capacity),
            ("/resources/allocations".into(), Seen::Capacity),
            (format!("/resources/requests/{open}"), Seen::Request),
            (format!("/resources/requests/{committed}"), Seen::Request),
            (
                format!("/resources/drill?person={person}&from=2027-01-04&to=2027-01-31"),
                Seen::Capacity,
            ),
            (
                format!("/resources/what-if?proposal={proposal}"),
                Seen::WhatIf,
            ),
            (format!("/people/{person}/absences"), Seen::All),
            (format!("/projects/{x}/requests/new"), Seen::NewRequest),
        ];
        let users = [
            ("director", PmoDirector, Scope::Organization),
            ("pm", ProjectManager, Scope::Project(x)),
            ("pm-other", ProjectManager, Scope::Project(fx.y)),
            ("rm", ResourceManager, Scope::Organization),
            ("analyst-other", PmoAnalyst, Scope::Project(fx.y)),
            ("team", TeamMember, Scope::Project(x)),
            ("admin", Admin, Scope::Organization),
        ];
        let mut failures = vec![];
        for (name, role, scope) in users {
            let (cookie, _) =
                session(&db, &format!("{name}@example.com"), Grant { role, scope }).await;
            let reads = READ_CAPACITY.contains(&role);
            let on_x = scope != Scope::Project(fx.y);
            let org = scope == Scope::Organization;
            for (path, seen) in &pages {
                let (allowed, refused) = match seen {
                    Seen::Capacity => (reads, 403),
                    Seen::Request => (reads && on_x, 404),
                    Seen::WhatIf => (reads && org, 403),
                    Seen::All => (true, 403),
                    Seen::NewRequest => (REQUESTERS.contains(&role) && on_x, 403),
                };
                let expect = if allowed { 200 } else { refused };
                let r = raw(&fx.router, get(path, &cookie)).await;
                if r.status != expect {
                    failures.push(format!(
                        "{backend} {name} {path}: expected {expect}, got {} {}",
                        r.status,
                        r.text().chars().take(200).collect::<String>()
                    ));
                    continue;
                }
                if !allowed {
                    continue;
                }
                let html = r.text();
                // The "Resources" entry of the main navigation: ReadCapacity roles only.
                if html.contains(">Resources</a>") != reads {
                    failures.push(format!(
                        "{backend} {name} {path}: Resources nav link shown = {}",
                        !reads
                    ));
                }
                if path == "/resources" && !html.contains("<svg") {
                    failures.push(format!("{backend} {name} {path}: no heat map SVG"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

/// The value of the first input named `name` (attributes in any order after the name).
fn hidden(html: &str, name: &str) -> String {
    let Some(i) = html.find(&format!("name=\"{name}\"")) else {
        return String::new();
    };
    let tag = html[i..].split('>').next().unwrap_or("");
    tag.split("value=\"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn forms_end_to_end() {
    let (db, _) = atrium_store::testing::sqlite().await.unwrap();
    let fx = fixture(db.clone()).await;
    let (x, person) = (fx.x, fx.person);
    let (pm, pm_csrf) = session(
        &db,
        "pm@example.com",
        Grant {
            role: ProjectManager,
            scope: Scope::Project(x),
        },
    )
    .await;
    let (rm, rm_csrf) = session(
        &db,
        "rm@example.com",
        Grant {
            role: ResourceManager,
            scope: Scope::Organization,
        },
    )
    .await;
    let new = format!("/projects/{x}/requests/new");
    let page = raw(&fx.router, get(&new, &pm)).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("name=\"hours_per_week\""));
    // A forged form changes nothing.
    let good = "job_role=Dev&skills=&start=2027-01-04&finish=2027-03-26&hours_per_week=16&note=For+the+API+work";
    let r = raw(&fx.router, form(&new, &pm, &format!("_csrf=forged&{good}"))).await;
    assert_eq!(r.status, 403);
    let r = raw(&fx.router, form(&new, &pm, good)).await;
    assert_eq!(r.status, 403, "no token at all");
    let none = call(
        &fx.router,
        "GET",
        "/api/v1/resources/requests",
        Some(
            &add_user(
                &db,
                "dir@example.com",
                &[Grant {
                    role: PmoDirector,
                    scope: Scope::Organization,
                }],
            )
            .await,
        ),
        None,
    )
    .await;
    assert_eq!(none.json()["items"], json!([]), "{}", none.text());
    // Errors come back beside their fields with what was typed.
    let r = raw(
        &fx.router,
        form(
            &new,
            &pm,
            &format!("_csrf={pm_csrf}&job_role=&skills=&start=2027-01-04&finish=2026-12-01&hours_per_week=16&note=Typed+text"),
        ),
    )
    .await;
    assert_eq!(r.status, 422);
    let t = r.text();
    assert!(
        t.contains("id=\"e-job_role\"")
            && t.contains("id=\"e-finish\"")
            && t.contains("Typed text"),
        "{t}"
    );
    let r = raw(
        &fx.router,
        form(&new, &pm, &format!("_csrf={pm_csrf}&{good}")),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let location = r.headers["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("?done=created"), "{location}");
    let request = location.trim_end_matches("?done=created").to_owned();
    let shown = raw(&fx.router, get(&location, &pm)).await.text();
    assert!(
        shown.contains("Request sent to the resource manager.")
            && shown.contains("For the API work")
            && shown.contains("Cancel the request")
            && !shown.contains("Propose"),
        "{shown}"
    );
    // The resource manager sees who fits and proposes them.
    let page = raw(&fx.router, get(&request, &rm)).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("People who fit")
            && html.contains(&format!("value=\"{person}\""))
            && html.contains(&format!("action=\"{request}/propose\"")),
        "{html}"
    );
    let version = hidden(&html, "version");
    assert_eq!(version, "1");
    let r = raw(
        &fx.router,
        form(
            &format!("{request}/propose"),
            &rm,
            &format!("_csrf={rm_csrf}&person_id=&version=1"),
        ),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("id=\"e-person_id\""), "{}", r.text());
    let r = raw(
        &fx.router,
        form(
            &format!("{request}/propose"),
            &rm,
            &format!("_csrf={rm_csrf}&person_id={person}&version=1"),
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(
        r.headers["location"].to_str().unwrap(),
        format!("{request}?done=propose")
    );
    // The PM now sees the proposed person and may accept.
    let shown = raw(&fx.router, get(&request, &pm)).await.text();
    assert!(
        shown.contains("Person proposed")
            && shown.contains("Ana")
            && shown.contains("Accept and commit"),
        "{shown}"
    );
    // Rejecting needs a reason (error beside the field); a stale version is refused.
    let r = raw(
        &fx.router,
        form(
            &format!("{request}/reject"),
            &rm,
            &format!("_csrf={rm_csrf}&reason=&version=2"),
        ),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("id=\"e-reason\""), "{}", r.text());
    let r = raw(
        &fx.router,
        form(
            &format!("{request}/commit"),
            &rm,
            &format!("_csrf={rm_csrf}&person_id={person}&version=1"),
        ),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text());
    let r = raw(
        &fx.router,
        form(
            &format!("{request}/commit"),
            &rm,
            &format!("_csrf={rm_csrf}&person_id={person}&version=2"),
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let shown = raw(&fx.router, get(&request, &rm)).await.text();
    assert!(
        shown.contains("Committed")
            && shown.contains("Allocations (month by month)")
            && shown.contains("2027-02-01 – 2027-02-28")
            && !shown.contains("People who fit"),
        "{shown}"
    );
    // The allocations page and the heat map show the booking.
    let list = raw(
        &fx.router,
        get("/resources/allocations?from=2027-01-01&to=2027-12-31", &rm),
    )
    .await
    .text();
    assert!(
        list.contains("Ana")
            && list.contains("PRJ-001")
            && list.contains("2027-03-01 – 2027-03-26"),
        "{list}"
    );
    let export = raw(
        &fx.router,
        get(
            "/resources/allocations?from=2027-01-01&to=2027-12-31&format=csv",
            &rm,
        ),
    )
    .await;
    assert_eq!(export.text().lines().count(), 4, "{}", export.text());
    let heat = raw(
        &fx.router,
        get("/resources?bucket=month&from=2027-01-01&count=3", &rm),
    )
    .await
    .text();
    assert!(
        heat.contains("<svg") && heat.contains(&format!("/resources/drill?person={person}")),
        "{heat}"
    );
    let bad = raw(&fx.router, get("/resources?bucket=year", &rm)).await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text()
            .contains("bucket: must be day, week, month or quarter")
    );
    // Absences: the PM may look but not add; the resource manager adds and removes.
    let absences = format!("/people/{person}/absences");
    let page = raw(&fx.router, get(&absences, &pm)).await.text();
    assert!(!page.contains("Add an absence"), "{page}");
    let r = raw(
        &fx.router,
        form(
            &absences,
            &pm,
            &format!("_csrf={pm_csrf}&start=2027-02-01&finish=2027-02-05&kind=leave&note="),
        ),
    )
    .await;
    assert_eq!(r.status, 403);
    let page = raw(&fx.router, get(&absences, &rm)).await.text();
    assert!(page.contains("Add an absence") && page.contains("No absence recorded."));
    let r = raw(
        &fx.router,
        form(
            &absences,
            &rm,
            &format!("_csrf={rm_csrf}&start=2027-02-05&finish=2027-02-01&kind=leave&note=Ski+week"),
        ),
    )
    .await;
    assert_eq!(r.status, 422);
    let t = r.text();
    assert!(
        t.contains("id=\"e-finish\"") && t.contains("Ski week"),
        "{t}"
    );
    let r = raw(
        &fx.router,
        form(
            &absences,
            &rm,
            &format!("_csrf={rm_csrf}&start=2027-02-01&finish=2027-02-05&kind=leave&note=Ski+week"),
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.headers["location"].to_str().unwrap(), absences);
    let page = raw(&fx.router, get(&absences, &rm)).await.text();
    assert!(
        page.contains("2027-02-01 – 2027-02-05") && page.contains("Ski week"),
        "{page}"
    );
    let remove = {
        let pat = format!("{absences}/");
        let i = page.find(&pat).expect("a remove link");
        page[i..].split('"').next().unwrap().to_owned()
    };
    assert!(remove.ends_with("/remove"), "{remove}");
    let confirm = raw(&fx.router, get(&remove, &rm)).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.text().contains("Yes, remove"), "{}", confirm.text());
    let r = raw(&fx.router, form(&remove, &rm, "_csrf=forged")).await;
    assert_eq!(r.status, 403);
    let r = raw(&fx.router, form(&remove, &rm, &format!("_csrf={rm_csrf}"))).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = raw(&fx.router, get(&absences, &rm)).await.text();
    assert!(page.contains("No absence recorded."), "{page}");
    let r = raw(&fx.router, form(&remove, &rm, &format!("_csrf={rm_csrf}"))).await;
    assert_eq!(r.status, 404, "removed twice");
}
