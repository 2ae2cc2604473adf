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
    /// A fresh submitted timesheet on project X per request.
    Timesheet,
    /// A fresh project template per request (organization-wide: no scope allows it).
    Template,
    /// The shared template, used to create a project in portfolio P / program G.
    TemplateUse,
    /// A fresh risk in project X's register per request.
    Risk,
    /// A fresh risk of project X escalated (pending) per request.
    EscalatedRisk,
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
const RISK_EDITORS: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    ProgramManager,
    SeniorProjectManager,
    ProjectManager,
    RiskManager,
];
const TEMPLATE_MANAGERS: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    SeniorProjectManager,
    KnowledgeManager,
];

/// Every route: the plan routes first (they need project X live; a later route archives it).
fn routes() -> Vec<Route> {
    let mut all = plan_routes();
    all.extend(record_routes());
    all
}

fn route(
    method: &'static str,
    template: &'static str,
    allowed: Option<&'static [Role]>,
    scoped: bool,
    list: bool,
    target: Target,
) -> Route {
    Route {
        method,
        template,
        allowed,
        scoped,
        list,
        target,
    }
}

fn plan_routes() -> Vec<Route> {
    let r = route;
    vec![
        // ---- risks (issue #8): the matrix is organization-wide reference data; registers
        // are read by everyone in scope and edited by the delivery roles and the risk manager.
        r("get", "/risk-matrix", None, true, true, Target::Org),
        r("get", "/risks", None, true, true, Target::Org),
        r("get", "/risks/breaches", None, true, true, Target::Org),
        r("get", "/risks/escalations", None, true, true, Target::Org),
        r(
            "post",
            "/risks/{id}/escalate",
            Some(RISK_EDITORS),
            true,
            false,
            Target::Risk,
        ),
        r(
            "post",
            "/risks/{id}/escalation",
            Some(&[PmoDirector, PortfolioManager, ProgramManager, RiskManager][..]),
            true,
            false,
            Target::EscalatedRisk,
        ),
        r("get", "/risk-appetite", None, true, true, Target::Org),
        r(
            "put",
            "/risk-appetite",
            Some(&[PmoDirector, RiskManager][..]),
            false,
            false,
            Target::Org,
        ),
        r(
            "put",
            "/risk-matrix",
            Some(&[PmoDirector, RiskManager][..]),
            false,
            false,
            Target::Org,
        ),
        r("get", "/projects/{id}/risks", None, true, false, Target::X),
        r(
            "get",
            "/projects/{id}/risks/forecast",
            None,
            true,
            false,
            Target::X,
        ),
        r(
            "get",
            "/projects/{id}/risks/export",
            None,
            true,
            false,
            Target::X,
        ),
        r(
            "post",
            "/projects/{id}/risks",
            Some(RISK_EDITORS),
            true,
            false,
            Target::X,
        ),
        // Program and portfolio registers: risks raised there directly.
        r("get", "/programs/{id}/risks", None, true, false, Target::G),
        r(
            "get",
            "/programs/{id}/risks/export",
            None,
            true,
            false,
            Target::G,
        ),
        r(
            "post",
            "/programs/{id}/risks",
            Some(RISK_EDITORS),
            true,
            false,
            Target::G,
        ),
        r(
            "get",
            "/portfolios/{id}/risks",
            None,
            true,
            false,
            Target::P,
        ),
        r(
            "get",
            "/portfolios/{id}/risks/export",
            None,
            true,
            false,
            Target::P,
        ),
        r(
            "post",
            "/portfolios/{id}/risks",
            Some(RISK_EDITORS),
            true,
            false,
            Target::P,
        ),
        r("get", "/risks/{id}", None, true, false, Target::Risk),
        r(
            "patch",
            "/risks/{id}",
            Some(RISK_EDITORS),
            true,
            false,
            Target::Risk,
        ),
        // ---- plans (issue #5): ReadPlan = everyone, EditPlan / ApproveTimesheet = delivery,
        // LogTime = everyone, ManageTemplates = organization-wide only.
        r("get", "/projects/{id}/plan", None, true, false, Target::X),
        r(
            "post",
            "/projects/{id}/plan/tasks",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "patch",
            "/projects/{id}/plan/tasks/{uid}",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "delete",
            "/projects/{id}/plan/tasks/{uid}",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "post",
            "/projects/{id}/plan/tasks/{uid}/move",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "put",
            "/projects/{id}/plan/dates",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "put",
            "/projects/{id}/plan/baselines/{n}",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "delete",
            "/projects/{id}/plan/baselines/{n}",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "post",
            "/projects/{id}/plan/budget",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "delete",
            "/projects/{id}/plan/budget/{index}",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "post",
            "/projects/{id}/plan/expenses",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "delete",
            "/projects/{id}/plan/expenses/{index}",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r("get", "/projects/{id}/ev", None, true, false, Target::X),
        r("get", "/programs/{id}/ev", None, true, false, Target::G),
        r("get", "/portfolios/{id}/ev", None, true, false, Target::P),
        r(
            "get",
            "/projects/{id}/timesheets/mine",
            None,
            true,
            false,
            Target::X,
        ),
        r(
            "put",
            "/projects/{id}/timesheets/mine",
            None,
            true,
            false,
            Target::X,
        ),
        r(
            "get",
            "/projects/{id}/timesheets",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        r(
            "post",
            "/timesheets/{id}/decide",
            Some(DELIVERY),
            true,
            false,
            Target::Timesheet,
        ),
        r("get", "/templates", None, true, true, Target::Org),
        r(
            "post",
            "/projects/{id}/template",
            Some(TEMPLATE_MANAGERS),
            false,
            false,
            Target::X,
        ),
        r(
            "delete",
            "/templates/{id}",
            Some(TEMPLATE_MANAGERS),
            false,
            false,
            Target::Template,
        ),
        r(
            "post",
            "/templates/{id}/projects",
            Some(DELIVERY),
            true,
            false,
            Target::TemplateUse,
        ),
        r(
            "get",
            "/projects/{id}/plan/export",
            None,
            true,
            false,
            Target::X,
        ),
        r(
            "post",
            "/projects/{id}/plan/import",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
        // Last: applying an import replaces project X's whole plan.
        r(
            "post",
            "/projects/{id}/plan/import/{import_id}",
            Some(DELIVERY),
            true,
            false,
            Target::X,
        ),
    ]
}

fn record_routes() -> Vec<Route> {
    let r = route;
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
            "get",
            "/people/{id}/rates",
            None,
            true,
            true,
            Target::Person,
        ),
        r(
            "put",
            "/people/{id}/rates",
            Some(&[PmoDirector, ResourceManager, Admin][..]),
            false,
            false,
            Target::Person,
        ),
        r(
            "delete",
            "/people/{id}/rates/{from}",
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
        | Target::Scenario
        | Target::Template
        | Target::TemplateUse => (Scope::Portfolio(fx.p), Scope::Portfolio(fx.q)),
        Target::G => (Scope::Program(fx.g), Scope::Program(fx.h)),
        Target::X | Target::Timesheet | Target::Risk | Target::EscalatedRisk => {
            (Scope::Project(fx.x), Scope::Project(fx.y))
        }
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

/// A small MSPDI file: two tasks, the second after the first.
const SMALL_MSPDI: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project">
 <Name>matrix.xml</Name>
 <StartDate>2031-01-06T08:00:00</StartDate>
 <Tasks>
  <Task><UID>1</UID><ID>1</ID><Name>Imported design</Name><OutlineLevel>1</OutlineLevel><Duration>PT16H0M0S</Duration></Task>
  <Task><UID>2</UID><ID>2</ID><Name>Imported build</Name><OutlineLevel>1</OutlineLevel><Duration>PT24H0M0S</Duration>
   <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink></Task>
 </Tasks>
</Project>"#;

/// The version of project X's plan (0 before its first edit).
async fn plan_version(fx: &Fx, admin: &str) -> i64 {
    let r = call(
        &fx.router,
        "GET",
        &format!("/api/v1/projects/{}/plan", fx.x),
        Some(admin),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["version"].as_i64().unwrap()
}

/// Runs one plan edit on project X as the admin and returns its JSON outcome.
async fn admin_edit(fx: &Fx, admin: &str, method: &str, tail: &str, mut body: Value) -> Value {
    body["version"] = json!(plan_version(fx, admin).await);
    let r = call(
        &fx.router,
        method,
        &format!("/api/v1/projects/{}/plan{tail}", fx.x),
        Some(admin),
        Some(&body),
    )
    .await;
    assert!(r.status.is_success(), "{method} {tail}: {}", r.text());
    r.json()
}

/// A fresh top-level leaf task at the end of project X's plan.
async fn fresh_task(fx: &Fx, admin: &str) -> u64 {
    let o = admin_edit(
        fx,
        admin,
        "POST",
        "/tasks",
        json!({"name": format!("Fixture task {}", fresh()), "duration": "2d", "level": 1}),
    )
    .await;
    o["uid"].as_u64().unwrap()
}

/// The shared template (saved from project X's plan on first use).
async fn shared_template(fx: &Fx, admin: &str) -> String {
    let list = call(&fx.router, "GET", "/api/v1/templates", Some(admin), None)
        .await
        .json();
    if let Some(t) = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Matrix template")
    {
        return t["id"].as_str().unwrap().to_owned();
    }
    new_template(fx, admin, "Matrix template").await
}

async fn new_template(fx: &Fx, admin: &str, name: &str) -> String {
    fresh_task(fx, admin).await;
    let r = call(
        &fx.router,
        "POST",
        &format!("/api/v1/projects/{}/template", fx.x),
        Some(admin),
        Some(&json!({"name": name, "checklist": "Charter signed"})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

/// Path and body for the plan routes (all on project X), with whatever the request needs
/// created first by the admin. `caller` previews the import it then applies (a pending
/// import belongs to whoever uploaded it); callers who may not import apply the admin's.
async fn plan_request(
    fx: &Fx,
    route: &Route,
    n: usize,
    admin: &str,
    caller: Option<&str>,
) -> Option<(String, Option<Value>)> {
    let x = fx.x;
    let base = format!("/api/v1/projects/{x}/plan");
    let req = match (route.method, route.template) {
        ("post", "/projects/{id}/plan/tasks") => (
            format!("{base}/tasks"),
            Some(
                json!({"name": format!("Matrix task {n}"), "duration": "1d", "level": 1, "version": plan_version(fx, admin).await}),
            ),
        ),
        ("patch", "/projects/{id}/plan/tasks/{uid}") => {
            let uid = fresh_task(fx, admin).await;
            (
                format!("{base}/tasks/{uid}"),
                Some(
                    json!({"name": format!("Renamed task {n}"), "duration": "3d", "version": plan_version(fx, admin).await}),
                ),
            )
        }
        ("delete", "/projects/{id}/plan/tasks/{uid}") => {
            let uid = fresh_task(fx, admin).await;
            let v = plan_version(fx, admin).await;
            (format!("{base}/tasks/{uid}?version={v}"), None)
        }
        ("post", "/projects/{id}/plan/tasks/{uid}/move") => {
            fresh_task(fx, admin).await;
            let uid = fresh_task(fx, admin).await;
            (
                format!("{base}/tasks/{uid}/move"),
                Some(json!({"op": "up", "version": plan_version(fx, admin).await})),
            )
        }
        ("put", "/projects/{id}/plan/dates") => (
            format!("{base}/dates"),
            Some(
                json!({"start": "2031-01-06", "status_date": "2031-02-03", "version": plan_version(fx, admin).await}),
            ),
        ),
        ("put", "/projects/{id}/plan/baselines/{n}") => (
            format!("{base}/baselines/1"),
            Some(json!({"version": plan_version(fx, admin).await})),
        ),
        ("delete", "/projects/{id}/plan/baselines/{n}") => {
            admin_edit(fx, admin, "PUT", "/baselines/2", json!({})).await;
            let v = plan_version(fx, admin).await;
            (format!("{base}/baselines/2?version={v}"), None)
        }
        ("post", "/projects/{id}/plan/budget") => (
            format!("{base}/budget"),
            Some(
                json!({"category": "Labour", "period": "FY2031", "amount": "1000", "version": plan_version(fx, admin).await}),
            ),
        ),
        ("delete", "/projects/{id}/plan/budget/{index}") => {
            admin_edit(
                fx,
                admin,
                "POST",
                "/budget",
                json!({"category": "Fixture", "period": "FY2031", "amount": "10"}),
            )
            .await;
            let v = plan_version(fx, admin).await;
            (format!("{base}/budget/0?version={v}"), None)
        }
        ("post", "/projects/{id}/plan/expenses") => (
            format!("{base}/expenses"),
            Some(
                json!({"date": "2031-01-10", "category": "Travel", "description": format!("Trip {n}"), "amount": "50", "actual": true, "version": plan_version(fx, admin).await}),
            ),
        ),
        ("delete", "/projects/{id}/plan/expenses/{index}") => {
            admin_edit(
                fx,
                admin,
                "POST",
                "/expenses",
                json!({"date": "2031-01-09", "category": "Fixture", "description": "x", "amount": "5"}),
            )
            .await;
            let v = plan_version(fx, admin).await;
            (format!("{base}/expenses/0?version={v}"), None)
        }
        ("put", "/projects/{id}/timesheets/mine") => (
            format!("/api/v1/projects/{x}/timesheets/mine"),
            Some(json!({"week": "2031-01-06", "entries": [], "version": 0})),
        ),
        ("post", "/timesheets/{id}/decide") => {
            // The admin (linked to a person) logs hours in a week of its own and submits it.
            let uid = fresh_task(fx, admin).await;
            let monday = jiff::civil::date(2031, 1, 6)
                .checked_add(jiff::Span::new().weeks(i64::try_from(fresh()).unwrap()))
                .unwrap();
            let r = call(
                &fx.router,
                "PUT",
                &format!("/api/v1/projects/{x}/timesheets/mine"),
                Some(admin),
                Some(
                    &json!({"week": monday.to_string(), "submit": true, "version": 0,
                             "entries": [{"task_uid": uid, "hours": [8, 4, 0, 0, 0, 0, 0]}]}),
                ),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text());
            let t = r.json();
            (
                format!("/api/v1/timesheets/{}/decide", t["id"].as_str().unwrap()),
                Some(json!({"approve": true, "version": t["version"]})),
            )
        }
        ("post", "/projects/{id}/template") => (
            format!("/api/v1/projects/{x}/template"),
            Some(
                json!({"name": format!("Template {}", fresh()), "description": "From the matrix"}),
            ),
        ),
        ("delete", "/templates/{id}") => {
            let t = new_template(fx, admin, &format!("Doomed template {}", fresh())).await;
            (format!("/api/v1/templates/{t}"), None)
        }
        ("post", "/templates/{id}/projects") => {
            let t = shared_template(fx, admin).await;
            (
                format!("/api/v1/templates/{t}/projects"),
                Some(
                    json!({"key": format!("TPL-{}", fresh()), "name": "From a template", "portfolio_id": fx.p, "program_id": fx.g, "start": "2031-01-06"}),
                ),
            )
        }
        ("post", "/projects/{id}/plan/import") => (
            format!("{base}/import"),
            Some(Value::String(SMALL_MSPDI.into())),
        ),
        ("post", "/projects/{id}/plan/import/{import_id}") => {
            let mut preview = None;
            if let Some(c) = caller {
                let r = send(
                    fx,
                    "POST",
                    &format!("{base}/import"),
                    Some(c),
                    Some(&Value::String(SMALL_MSPDI.into())),
                )
                .await;
                if r.status == 201 {
                    preview = Some(r.json()["id"].as_str().unwrap().to_owned());
                }
            }
            let id = match preview {
                Some(id) => id,
                None => {
                    let r = send(
                        fx,
                        "POST",
                        &format!("{base}/import"),
                        Some(admin),
                        Some(&Value::String(SMALL_MSPDI.into())),
                    )
                    .await;
                    assert_eq!(r.status, 201, "{}", r.text());
                    r.json()["id"].as_str().unwrap().to_owned()
                }
            };
            (
                format!("{base}/import/{id}"),
                Some(json!({"version": plan_version(fx, admin).await})),
            )
        }
        _ => return None,
    };
    Some(req)
}

/// [`call`], sending a JSON string body as `application/xml` on the import route.
async fn send(
    fx: &Fx,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Resp {
    match body {
        Some(Value::String(xml)) if path.ends_with("/plan/import") => {
            let mut b = axum::http::Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", "application/xml");
            if let Some(t) = token {
                b = b.header("authorization", format!("Bearer {t}"));
            }
            raw(
                &fx.router,
                b.body(axum::body::Body::from(xml.clone())).unwrap(),
            )
            .await
        }
        _ => call(&fx.router, method, path, token, body).await,
    }
}

async fn request_for(
    fx: &Fx,
    route: &Route,
    n: usize,
    admin: &str,
    caller: Option<&str>,
) -> (String, Option<Value>) {
    if let Some(req) = plan_request(fx, route, n, admin, caller).await {
        return req;
    }
    let id = match route.target {
        Target::Timesheet | Target::Template | Target::TemplateUse => {
            unreachable!("set up by plan_request")
        }
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
        Target::Risk => {
            let r = call(
                &fx.router,
                "POST",
                &format!("/api/v1/projects/{}/risks", fx.x),
                Some(admin),
                Some(&json!({"title": format!("Fixture risk {n}"), "probability": 3, "impacts": {"cost": 2}})),
            )
            .await;
            assert_eq!(r.status, 201, "risk fixture: {}", r.json());
            r.json()["id"].as_str().unwrap().to_owned()
        }
        Target::EscalatedRisk => {
            let r = call(
                &fx.router,
                "POST",
                &format!("/api/v1/projects/{}/risks", fx.x),
                Some(admin),
                Some(&json!({"title": format!("Escalated risk {n}")})),
            )
            .await;
            let id = r.json()["id"].as_str().unwrap().to_owned();
            let e = call(
                &fx.router,
                "POST",
                &format!("/api/v1/risks/{id}/escalate"),
                Some(admin),
                Some(&json!({"version": 1, "note": "fixture"})),
            )
            .await;
            assert_eq!(e.status, 200, "escalation fixture: {}", e.json());
            id
        }
    };
    let mut path = format!("/api/v1{}", route.template.replace("{id}", &id));
    if route.template == "/scenarios/compare" {
        let other = new_scenario(fx, admin, n + 100_000).await;
        path = format!("/api/v1/scenarios/compare?a={id}&b={other}");
    }
    if route.method == "delete" && route.template == "/scenarios/{id}" {
        path.push_str("?version=1");
    }
    if route.template == "/people/{id}/rates/{from}" {
        // A fresh rate change to remove.
        let from = format!("2031-{:02}-{:02}", 1 + n % 12, 1 + n % 28);
        let r = call(
            &fx.router,
            "PUT",
            &format!("/api/v1/people/{id}/rates"),
            Some(admin),
            Some(&json!({"from": from, "rate": "90"})),
        )
        .await;
        assert_eq!(r.status, 200, "rate fixture");
        path = path.replace("{from}", &from);
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
        ("put", "/people/{id}/rates") => Some(json!({"from": "2031-06-01", "rate": "95.50"})),
        ("put", "/risk-matrix") => {
            let v = call(&fx.router, "GET", "/api/v1/risk-matrix", Some(admin), None)
                .await
                .json()["version"]
                .as_i64()
                .unwrap();
            Some(json!({
                "probability": "Low | rare | 10\nMedium | maybe | 40\nHigh | likely | 80",
                "impact": "Small | minor\nMedium | noticeable\nLarge | severe",
                "dimensions": "cost, schedule, reputation",
                "bands": "low:1, high:4",
                "version": v,
            }))
        }
        ("put", "/risk-appetite") => {
            let v = call(
                &fx.router,
                "GET",
                "/api/v1/risk-appetite",
                Some(admin),
                None,
            )
            .await
            .json()["version"]
                .as_i64()
                .unwrap();
            Some(
                json!({"rules": format!("Limit {n} | * | organization | | 1000000"), "version": v}),
            )
        }
        ("post", "/projects/{id}/risks" | "/programs/{id}/risks" | "/portfolios/{id}/risks") => {
            Some(
                json!({"title": format!("New risk {n}"), "probability": 2, "impacts": {"cost": 3}}),
            )
        }
        ("patch", "/risks/{id}") => Some(json!({"version": 1, "title": format!("Renamed {n}")})),
        ("post", "/risks/{id}/escalate") => Some(json!({"version": 1, "note": "Too big for us"})),
        ("post", "/risks/{id}/escalation") => Some(json!({"version": 2, "decision": "accept"})),
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

/// Links the user with this e-mail to a new person of the resource pool (to log time).
async fn link_person(db: &atrium_store::Db, email: &str) {
    let user = atrium_store::identity::user_by_email(db, email)
        .await
        .unwrap()
        .unwrap();
    let p = atrium_core::resource::Person {
        id: uuid::Uuid::now_v7(),
        name: format!("Person of {email}"),
        email: None,
        department: "IT".into(),
        job_role: "Engineer".into(),
        cost_rate: atrium_core::money::Minor(6000),
        weekly_capacity_minutes: 40 * 60,
        skills: vec![],
        user_id: Some(user.id),
        archived: false,
        version: 1,
        line_manager_id: None,
        generic: false,
        non_project_minutes: 0,
        working_days: None,
    };
    let mut tx = db.begin().await.unwrap();
    atrium_store::people::insert(&mut tx, &p, 1).await.unwrap();
    tx.commit().await.unwrap();
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
        link_person(&db, "root@example.com").await;
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
                link_person(&db, &format!("{}-{i}@example.com", role.as_str())).await;
                tokens.insert((*role, *sc), t);
            }
        }
        let mut failures = vec![];
        let mut n = 0;
        for route in routes() {
            // Anonymous: 401 problem+json.
            let (path, body) = request_for(&fx, &route, n, &admin, None).await;
            let r = send(
                &fx,
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
                    let token = &tokens[&(*role, scope)];
                    let (path, body) = request_for(&fx, &route, n, &admin, Some(token)).await;
                    let r = send(
                        &fx,
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
    // The delivery and resource routes have their own matrices (tests/delivery_pages.rs and
    // tests/resource_pages.rs, which check their own completeness against the operations
    // tagged "delivery" and "resources").
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "delivery" || t == "resources"))
            {
                documented.remove(&format!("{method} {path}"));
            }
        }
    }
    let tested: BTreeSet<String> = routes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    assert_eq!(documented, tested);
}

/// A project manager scoped to project X edits X's plan and is refused (403) on project Y's,
/// whose plan they may not even read; the plan JSON says whether the caller may edit.
#[tokio::test]
async fn scoped_project_manager_edits_only_their_plan() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let pm = add_user(
            &db,
            "pm@example.com",
            &[Grant {
                role: ProjectManager,
                scope: Scope::Project(fx.x),
            }],
        )
        .await;
        let member = add_user(
            &db,
            "member@example.com",
            &[Grant {
                role: TeamMember,
                scope: Scope::Project(fx.x),
            }],
        )
        .await;
        let task = json!({"name": "Design", "duration": "5d", "version": 0});
        for (token, project, expect) in [(&pm, fx.x, 201), (&pm, fx.y, 403), (&member, fx.x, 403)] {
            let r = call(
                &fx.router,
                "POST",
                &format!("/api/v1/projects/{project}/plan/tasks"),
                Some(token),
                Some(&task),
            )
            .await;
            assert_eq!(r.status, expect, "{backend} {project}: {}", r.text());
            if expect == 403 {
                assert_eq!(r.json()["code"], "forbidden", "{backend}");
            }
        }
        // Refused edits wrote nothing: Y has no plan yet (version 0, no tasks).
        let admin = add_user(
            &db,
            "root@example.com",
            &[Grant {
                role: PmoDirector,
                scope: Scope::Organization,
            }],
        )
        .await;
        let y = call(
            &fx.router,
            "GET",
            &format!("/api/v1/projects/{}/plan", fx.y),
            Some(&admin),
            None,
        )
        .await
        .json();
        assert_eq!(
            (y["version"].as_i64(), y["tasks"].as_array().map(Vec::len)),
            (Some(0), Some(0)),
            "{backend} {y}"
        );
        for (token, project, status, can_edit) in [
            (&pm, fx.x, 200, Some(true)),
            (&member, fx.x, 200, Some(false)),
            (&pm, fx.y, 403, None),
        ] {
            let r = call(
                &fx.router,
                "GET",
                &format!("/api/v1/projects/{project}/plan"),
                Some(token),
                None,
            )
            .await;
            assert_eq!(r.status, status, "{backend}: {}", r.text());
            assert_eq!(r.json()["can_edit"].as_bool(), can_edit, "{backend}");
        }
        // The PM's own edit is visible to the team member.
        let x = call(
            &fx.router,
            "GET",
            &format!("/api/v1/projects/{}/plan", fx.x),
            Some(&member),
            None,
        )
        .await
        .json();
        assert_eq!(x["tasks"][0]["name"], "Design", "{backend}");
    }
}
