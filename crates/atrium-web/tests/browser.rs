//! Browser tests in a real headless Chromium (chromedriver + fantoccini): sign in as each
//! demo role, create a project through the form, see inline validation keep what was typed,
//! and a role without the right refused. Screenshots land in target/screenshots/.
//!
//! Without chromium/chromedriver the tests skip with a message, unless
//! ATRIUM_REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use atrium_app::App;
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver {
    child: Child,
    port: u16,
    profile: std::path::PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|f| f.is_file())
    })
}

/// Starts chromedriver on a free port and waits until it accepts connections.
async fn start_driver() -> Option<Driver> {
    let required = std::env::var("ATRIUM_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let (Some(driver), Some(_)) = (which("chromedriver"), which("chromium")) else {
        assert!(
            !required,
            "ATRIUM_REQUIRE_BROWSER=1 but chromium/chromedriver are not installed"
        );
        eprintln!("SKIP browser tests: chromium and chromedriver are not installed");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = std::env::temp_dir().join(format!("atrium-chrome-{}", uuid::Uuid::now_v7()));
    let d = Driver {
        child,
        port,
        profile,
    };
    // Readiness poll (bounded): chromedriver needs a moment to open its port.
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(d);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("chromedriver did not open port {port}");
}

async fn browser(d: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1400,1000", format!("--user-data-dir={}", d.profile.display())]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("connect to chromedriver")
}

/// Serves a fresh database with the small demo organization on port 0.
async fn serve() -> (String, App) {
    let (db, _) = atrium_store::testing::sqlite().await.unwrap();
    let app = App::new(db);
    app.ensure_settings().await.unwrap();
    app.load_demo(atrium_app::demo::DemoSize::Small, &|_, _| {})
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = atrium_web::router(app.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}"), app)
}

async fn shot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

async fn login(c: &Client, base: &str, email: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Css("#f-email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Css("#f-password"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    submit(c).await;
}

async fn logout(c: &Client) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::Css("header.top .who button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_replaced(old).await;
    c.wait()
        .for_element(Locator::Css("#f-email"))
        .await
        .unwrap();
}

/// Waits (bounded) until the page that held `old` has been replaced by the next one.
async fn wait_replaced(old: fantoccini::elements::Element) {
    for _ in 0..400 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the page did not navigate");
}

/// Clicks the form's submit button and waits until the next page has replaced this one.
async fn submit(c: &Client) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_replaced(old).await;
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_projects_and_permissions_in_chromium() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let (base, _app) = serve().await;
    let c = browser(&driver).await;
    let logins = atrium_app::demo::demo_logins();

    // Every demo role lands on its own home page.
    for l in &logins {
        login(&c, &base, &l.email, &l.password).await;
        let section = text(&c, &format!("#home-{}", l.role.as_str())).await;
        assert!(
            section.contains(l.role.label()),
            "{}: {section}",
            l.role.as_str()
        );
        shot(&c, &format!("home-{}", l.role.as_str())).await;
        logout(&c).await;
    }

    // A wrong password is refused on the form.
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Css("#f-email"))
        .await
        .unwrap()
        .send_keys("director@demo.atrium.test")
        .await
        .unwrap();
    c.find(Locator::Css("#f-password"))
        .await
        .unwrap()
        .send_keys("not the password")
        .await
        .unwrap();
    submit(&c).await;
    assert!(text(&c, ".errors").await.contains("wrong"));

    // The PMO director creates a project; a bad key is shown beside the field with the
    // typed values kept; then the project is listed.
    let dir = logins
        .iter()
        .find(|l| l.role.as_str() == "pmo_director")
        .unwrap();
    login(&c, &base, &dir.email, &dir.password).await;
    c.goto(&format!("{base}/projects/new")).await.unwrap();
    c.find(Locator::Css("#f-key"))
        .await
        .unwrap()
        .send_keys("not a key")
        .await
        .unwrap();
    c.find(Locator::Css("#f-name"))
        .await
        .unwrap()
        .send_keys("Browser-made project")
        .await
        .unwrap();
    c.find(Locator::Css("#f-portfolio_id"))
        .await
        .unwrap()
        .select_by_index(1)
        .await
        .unwrap();
    c.find(Locator::Css("#f-budget"))
        .await
        .unwrap()
        .send_keys("120000")
        .await
        .unwrap();
    submit(&c).await;
    let err = text(&c, "#e-key").await;
    assert!(err.contains("PRJ-042"), "{err}");
    let kept = c
        .find(Locator::Css("#f-name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Browser-made project"));
    shot(&c, "project-form-error").await;
    let key = c.find(Locator::Css("#f-key")).await.unwrap();
    key.clear().await.unwrap();
    key.send_keys("PRJ-900").await.unwrap();
    submit(&c).await;
    let h1 = text(&c, "h1").await;
    assert!(h1.contains("PRJ-900"), "{h1}");
    shot(&c, "project-detail").await;
    c.goto(&format!("{base}/projects?q=PRJ-900")).await.unwrap();
    let table = text(&c, "table.grid").await;
    assert!(table.contains("Browser-made project"), "{table}");
    // Edit it: the status turns red.
    c.find(Locator::LinkText("PRJ-900"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::LinkText("Edit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("#f-status"))
        .await
        .unwrap()
        .select_by_value("red")
        .await
        .unwrap();
    c.find(Locator::Css("#f-status_note"))
        .await
        .unwrap()
        .send_keys("Supplier slipped two weeks")
        .await
        .unwrap();
    submit(&c).await;
    assert!(text(&c, "h1 .rag").await.eq_ignore_ascii_case("red"));
    assert!(
        text(&c, "dl.props")
            .await
            .contains("Supplier slipped two weeks")
    );
    // Archive it, through the confirmation page.
    c.find(Locator::LinkText("Archive"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("button.danger"))
        .await
        .unwrap();
    shot(&c, "project-archive-confirm").await;
    submit(&c).await;
    c.goto(&format!("{base}/projects?q=PRJ-900")).await.unwrap();
    assert!(text(&c, ".empty").await.contains("No project matches"));
    c.goto(&format!("{base}/projects?q=PRJ-900&archived=1"))
        .await
        .unwrap();
    assert!(
        text(&c, "table.grid")
            .await
            .contains("Browser-made project")
    );
    c.goto(&format!("{base}/overview")).await.unwrap();
    shot(&c, "overview").await;
    c.goto(&format!("{base}/projects")).await.unwrap();
    shot(&c, "projects").await;
    logout(&c).await;

    // A team member may not create projects: no "New" button, and the form post is refused.
    let tm = logins
        .iter()
        .find(|l| l.role.as_str() == "team_member")
        .unwrap();
    login(&c, &base, &tm.email, &tm.password).await;
    c.goto(&format!("{base}/projects")).await.unwrap();
    assert!(
        c.find(Locator::LinkText("New")).await.is_err(),
        "team members see no New button"
    );
    c.goto(&format!("{base}/projects/new")).await.unwrap();
    c.find(Locator::Css("#f-key"))
        .await
        .unwrap()
        .send_keys("PRJ-901")
        .await
        .unwrap();
    c.find(Locator::Css("#f-name"))
        .await
        .unwrap()
        .send_keys("Not allowed")
        .await
        .unwrap();
    c.find(Locator::Css("#f-portfolio_id"))
        .await
        .unwrap()
        .select_by_index(1)
        .await
        .unwrap();
    submit(&c).await;
    assert_eq!(text(&c, "h1").await, "Not allowed");
    shot(&c, "forbidden").await;
    c.close().await.unwrap();
}

/// Clicks the element matched by `css` (a button or link) and waits for the next page.
async fn click_and_wait(c: &Client, css: &str) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_replaced(old).await;
}

async fn select(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

async fn type_into(c: &Client, css: &str, value: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

/// Issue 6: a portfolio manager sets driver weights by pairwise comparison (an inconsistent
/// set is refused with the conflicting pair marked), scores a demo proposal, optimizes under a
/// budget, compares two scenarios and commits one; the proposals' states change and the
/// approved ones become projects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portfolio_manager_decides_in_chromium() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let (base, app) = serve().await;
    let c = browser(&driver).await;
    let pm = atrium_app::demo::demo_logins()
        .into_iter()
        .find(|l| l.role.as_str() == "portfolio_manager")
        .unwrap();
    login(&c, &base, &pm.email, &pm.password).await;

    // Pairwise comparison: a circular set is refused, naming the conflict.
    c.goto(&format!("{base}/strategy/pairwise")).await.unwrap();
    let selects = c
        .find_all(Locator::Css("table.pairwise select"))
        .await
        .unwrap();
    assert_eq!(selects.len(), 10, "5 drivers → 10 pairs");
    // Pairs in order: (0,1) (0,2) (0,3) (0,4) (1,2) …
    selects[0].select_by_value("9").await.unwrap();
    selects[4].select_by_value("9").await.unwrap();
    selects[1].select_by_value("1/9").await.unwrap();
    click_and_wait(&c, "form.form button.primary").await;
    let errors = text(&c, "#pairwise-errors").await;
    assert!(errors.contains("consistency ratio"), "{errors}");
    assert!(
        !c.find_all(Locator::Css("tr.invalid"))
            .await
            .unwrap()
            .is_empty()
    );
    shot(&c, "pairwise-inconsistent").await;
    // A consistent set: the first driver matters most.
    let selects = c
        .find_all(Locator::Css("table.pairwise select"))
        .await
        .unwrap();
    for (i, s) in selects.iter().enumerate() {
        s.select_by_value(if i < 4 { "3" } else { "1" })
            .await
            .unwrap();
    }
    click_and_wait(&c, "form.form button.primary").await;
    assert!(text(&c, ".notice").await.contains("Weights updated"));
    let first_share = text(&c, "#drivers tbody tr:first-child .share").await;
    assert!(
        first_share.starts_with("42.") || first_share.starts_with("43."),
        "{first_share}"
    );
    shot(&c, "strategy").await;

    // Score the screened demo proposal.
    c.goto(&format!("{base}/proposals?state=screened"))
        .await
        .unwrap();
    click_and_wait(&c, "table.grid tbody tr:first-child td:first-child a").await;
    click_and_wait(&c, "button[value=score]").await;
    assert_eq!(text(&c, "h1 .state").await, "Scored");
    assert!(!text(&c, "#score").await.is_empty());
    shot(&c, "proposal").await;

    // The portfolio analysis: bubble chart, ranking, capacity.
    let (pfs, _) = atrium_store::portfolio::list_portfolios(
        &app.db,
        None,
        false,
        &atrium_store::project::Visibility::All,
        "key",
        false,
        atrium_store::Page::first(5),
    )
    .await
    .unwrap();
    let pf = pfs[0].id;
    c.goto(&format!("{base}/portfolios/{pf}/analysis"))
        .await
        .unwrap();
    assert!(c.find(Locator::Css(".chart svg")).await.is_ok());
    let ranking = text(&c, "#ranking").await;
    assert!(ranking.contains("points"), "{ranking}");
    shot(&c, "portfolio-analysis").await;

    // Optimize under a budget.
    click_and_wait(&c, ".tools a.primary").await;
    type_into(&c, "#f-name", "Lean").await;
    type_into(&c, "#f-budget", "1500000").await;
    submit(&c).await;
    assert!(text(&c, "h1").await.contains("Lean"));
    assert!(c.find(Locator::Css("#frontier svg")).await.is_ok());
    let lean_url = c.current_url().await.unwrap();
    let lean_value: f64 = text(&c, "#value").await.parse().unwrap();
    let lean_in = c
        .find_all(Locator::Css("#items tr.in"))
        .await
        .unwrap()
        .len();
    let lean_out = c
        .find_all(Locator::Css("#items tr.out"))
        .await
        .unwrap()
        .len();
    assert!(lean_in > 0 && lean_out > 0, "in {lean_in}, out {lean_out}");
    assert!(!text(&c, "#items tr.out td.why").await.is_empty());
    shot(&c, "scenario-lean").await;

    // A second scenario: copy, then a larger budget.
    click_and_wait(&c, "form[action$='/copy'] button").await;
    assert!(text(&c, "h1").await.contains("Copy of Lean"));
    click_and_wait(&c, ".tools a[href$='/edit']").await;
    type_into(&c, "#f-name", "Rich").await;
    type_into(&c, "#f-budget", "4000000").await;
    submit(&c).await;
    assert!(text(&c, "h1").await.contains("Rich"));
    let rich_value: f64 = text(&c, "#value").await.parse().unwrap();
    assert!(
        rich_value >= lean_value,
        "a larger budget is worth at least as much"
    );

    // Compare them side by side.
    select(
        &c,
        "select[name=b]",
        lean_url.path().trim_start_matches("/scenarios/"),
    )
    .await;
    click_and_wait(&c, "form[action='/scenarios/compare'] button").await;
    let cmp = text(&c, "#compare").await;
    assert!(
        cmp.contains("Rich") && cmp.contains("Lean") && cmp.contains("Total value"),
        "{cmp}"
    );
    shot(&c, "scenario-compare").await;

    // Commit "Rich": the decisions change live data.
    c.back().await.unwrap();
    c.wait()
        .for_element(Locator::Css(".tools a.primary"))
        .await
        .unwrap();
    click_and_wait(&c, ".tools a.primary").await;
    assert!(text(&c, "h1").await.contains("Commit"));
    shot(&c, "scenario-commit").await;
    click_and_wait(&c, "form button.primary").await;
    assert_eq!(text(&c, "h1 .state").await, "Committed");
    c.goto(&format!("{base}/proposals?state=approved&q=PRP"))
        .await
        .unwrap();
    let approved = c
        .find_all(Locator::Css("table.grid tbody tr"))
        .await
        .unwrap()
        .len();
    assert!(approved >= 1, "selected proposals were approved");
    click_and_wait(&c, "table.grid tbody tr:first-child td:first-child a").await;
    assert!(
        text(&c, "dl.props").await.contains("PRJ-"),
        "an approved proposal links its project"
    );
    c.goto(&format!("{base}/proposals?state=deferred"))
        .await
        .unwrap();
    assert!(
        !c.find_all(Locator::Css("table.grid tbody tr"))
            .await
            .unwrap()
            .is_empty(),
        "excluded proposals deferred"
    );
    c.close().await.unwrap();
}

/// Two fresh projects for the workspace flow, managed by the demo project manager (with the
/// demo team member on the first and the demo sponsor sponsoring both). Returns their ids.
async fn workspace_projects(app: &App) -> (uuid::Uuid, uuid::Uuid) {
    use atrium_core::identity::{Grant, Role, Scope};
    let user = |role: &str| {
        let l = atrium_app::demo::demo_logins()
            .into_iter()
            .find(|l| l.role.as_str() == role)
            .unwrap();
        l.email
    };
    let id_of = |email: String| {
        let db = app.db.clone();
        async move {
            atrium_store::identity::user_by_email(&db, &email)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let (pm, team, sponsor) = (
        id_of(user("project_manager")).await,
        id_of(user("team_member")).await,
        id_of(user("sponsor")).await,
    );
    let dir = atrium_app::Actor {
        user_id: uuid::Uuid::nil(),
        email: "setup@test".into(),
        name: "Setup".into(),
        grants: vec![Grant {
            role: Role::PmoDirector,
            scope: Scope::Organization,
        }],
        csrf: String::new(),
    };
    let (pfs, _) = atrium_store::portfolio::list_portfolios(
        &app.db,
        None,
        false,
        &atrium_store::project::Visibility::All,
        "key",
        false,
        atrium_store::Page::first(5),
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for (key, name) in [
        ("WSA-001", "Workspace Alpha"),
        ("WSB-001", "Workspace Beta"),
    ] {
        let d = atrium_core::project::ProjectDraft {
            key: key.into(),
            name: name.into(),
            portfolio_id: Some(pfs[0].id),
            manager_id: Some(pm),
            sponsor_id: Some(sponsor),
            phase: "executing".into(),
            planned_start: Some("2027-01-04".into()),
            budget: Some("250000".into()),
            status: "green".into(),
            ..Default::default()
        };
        let p = app.create_project(&dir, &d).await.unwrap();
        let mut tx = app.db.begin().await.unwrap();
        let scope = Scope::Project(p.id);
        for (u, role) in [(pm, Role::ProjectManager), (sponsor, Role::Sponsor)] {
            atrium_store::identity::add_grant(&mut tx, u, &Grant { role, scope })
                .await
                .unwrap();
        }
        if ids.is_empty() {
            atrium_store::identity::add_grant(
                &mut tx,
                team,
                &Grant {
                    role: Role::TeamMember,
                    scope,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        ids.push(p.id);
    }
    (ids[0], ids[1])
}

async fn add_task(c: &Client, name: &str, duration: &str, preds: &str, resources: &str) {
    type_into(c, "#add-task #f-name", name).await;
    type_into(c, "#add-task #f-duration", duration).await;
    type_into(c, "#add-task #f-predecessors", preds).await;
    type_into(c, "#add-task #f-resources", resources).await;
    click_and_wait(c, "#add-task button.primary").await;
}

/// Issue 5: a project manager builds a small plan, links tasks across two projects, sees the
/// critical path move after a change, sets a baseline; the team member logs and submits a
/// week, the project manager approves it and earned value moves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_manager_plans_and_tracks_in_chromium() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let (base, app) = serve().await;
    let (alpha, beta) = workspace_projects(&app).await;
    let c = browser(&driver).await;
    let login_as = |role: &'static str| {
        atrium_app::demo::demo_logins()
            .into_iter()
            .find(|l| l.role.as_str() == role)
            .unwrap()
    };
    let pm = login_as("project_manager");
    let team = login_as("team_member");
    login(&c, &base, &pm.email, &pm.password).await;

    // Build a small plan: Design → (Build, Docs) → Go live.
    c.goto(&format!("{base}/projects/{alpha}/plan"))
        .await
        .unwrap();
    assert!(text(&c, ".empty").await.contains("No tasks yet"));
    add_task(&c, "Design", "5d", "", "").await;
    add_task(&c, "Build", "10d", "1", &team.email).await;
    add_task(&c, "Docs", "3d", "1", "").await;
    add_task(&c, "Go live", "0", "2, 3", "").await;
    assert_eq!(text(&c, "#critical-path").await, "1 → 2 → 4");
    assert_eq!(text(&c, "#project-finish").await, "2027-01-22");
    // Bad input: the error sits beside the field and what was typed stays.
    add_task(&c, "Training", "soon", "", "").await;
    assert!(
        text(&c, "#add-task .field.invalid .error")
            .await
            .contains("not a duration")
    );
    let kept = c
        .find(Locator::Css("#add-task #f-name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Training"));
    shot(&c, "plan-error").await;

    // A cross-project link: Beta's integration waits for Alpha's go-live.
    c.goto(&format!("{base}/projects/{beta}/plan"))
        .await
        .unwrap();
    add_task(&c, "Integrate", "2d", "WSA-001:4", "").await;
    assert!(text(&c, "#foreign-in").await.contains("WSA-001:4"));
    assert!(text(&c, "#task-1").await.contains("2027-01-25"));
    // With JavaScript the table edits in place: a bad duration is refused beside the cell,
    // a good one saves and the page shows the re-scheduled row.
    c.find(Locator::Css("#task-1 td[data-edit=duration]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let input = c
        .find(Locator::Css("#task-1 td[data-edit=duration] input"))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input.send_keys("soon\u{E007}").await.unwrap();
    let e = c
        .wait()
        .for_element(Locator::Css("#task-1 td[data-edit=duration] .error"))
        .await
        .unwrap();
    assert!(e.text().await.unwrap().contains("not a duration"));
    let old = c.find(Locator::Css("html")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys("4d\u{E007}").await.unwrap();
    wait_replaced(old).await;
    assert!(text(&c, "#task-1").await.contains("4d"));
    c.goto(&format!("{base}/projects/{alpha}/plan"))
        .await
        .unwrap();
    assert!(text(&c, "#foreign-out").await.contains("WSB-001:1"));

    // Docs grows to 15 days: the critical path moves to it.
    click_and_wait(&c, "#task-3 td:nth-child(2) a").await;
    type_into(&c, "#f-duration", "15d").await;
    submit(&c).await;
    assert_eq!(text(&c, "#critical-path").await, "1 → 3 → 4");
    assert_eq!(text(&c, "#project-finish").await, "2027-01-29");
    // ... and Beta follows.
    c.goto(&format!("{base}/projects/{beta}/plan"))
        .await
        .unwrap();
    assert!(text(&c, "#task-1").await.contains("2027-02-01"));
    c.goto(&format!("{base}/projects/{alpha}/plan"))
        .await
        .unwrap();

    // Baseline 0.
    click_and_wait(&c, "#set-baseline").await;
    assert!(text(&c, ".notice").await.contains("Baseline saved"));
    assert!(text(&c, "#task-4").await.contains("0d"));
    shot(&c, "plan").await;
    c.goto(&format!("{base}/projects/{alpha}/gantt?zoom=day"))
        .await
        .unwrap();
    assert!(c.find(Locator::Css(".gantt-scroll svg")).await.is_ok());
    shot(&c, "gantt").await;
    logout(&c).await;

    // The team member logs the first week on Build and submits it.
    login(&c, &base, &team.email, &team.password).await;
    let home = text(&c, "main").await;
    assert!(
        home.contains("WSA-001:2 Build"),
        "the team member's home lists their task: {home}"
    );
    c.goto(&format!(
        "{base}/projects/{alpha}/timesheets?week=2027-01-11"
    ))
    .await
    .unwrap();
    select(&c, "#row0_task", "2").await;
    for d in 0..5 {
        type_into(&c, &format!("#row0_day{d}"), "8").await;
    }
    click_and_wait(&c, "#submit-week").await;
    assert_eq!(text(&c, "#week-state").await, "Submitted");
    shot(&c, "timesheet").await;
    logout(&c).await;

    // The project manager approves it; actual cost and earned value move.
    login(&c, &base, &pm.email, &pm.password).await;
    assert!(
        text(&c, "main")
            .await
            .contains("WSA-001 Workspace Alpha: 1 timesheet(s) to approve")
    );
    c.goto(&format!(
        "{base}/projects/{alpha}/ev?status_date=2027-01-15"
    ))
    .await
    .unwrap();
    let ev_before = text(&c, "td[data-metric=EV]").await;
    c.goto(&format!("{base}/projects/{alpha}/timesheets"))
        .await
        .unwrap();
    click_and_wait(&c, "#approvals button[value=approve]").await;
    assert!(text(&c, ".notice").await.contains("approved"));
    c.goto(&format!(
        "{base}/projects/{alpha}/ev?status_date=2027-01-15"
    ))
    .await
    .unwrap();
    let ev_after = text(&c, "td[data-metric=EV]").await;
    assert_ne!(ev_before, ev_after, "EV moves with the approved hours");
    assert_ne!(text(&c, "td[data-metric=AC]").await, "0.00");
    assert!(c.find(Locator::Css("figure.chart svg")).await.is_ok());
    shot(&c, "earned-value").await;

    // A status report, submitted: its key figures are frozen.
    c.goto(&format!("{base}/projects/{alpha}/reports/new"))
        .await
        .unwrap();
    select(&c, "#f-overall", "amber").await;
    select(&c, "#f-schedule", "amber").await;
    type_into(
        &c,
        "#f-narrative",
        "Docs grew to 15 days; go-live moved to 29 January.",
    )
    .await;
    submit(&c).await;
    click_and_wait(&c, ".tools a[href$='/submit']").await;
    submit(&c).await;
    let report = text(&c, "main").await;
    assert!(report.contains("Submitted"), "{report}");
    assert!(report.contains("SPI"), "the snapshot is shown: {report}");
    shot(&c, "status-report").await;

    // A change request: two more days on Docs and 5,000 more budget.
    c.goto(&format!("{base}/projects/{alpha}/log/new?kind=change"))
        .await
        .unwrap();
    type_into(&c, "#f-title", "Add user training material").await;
    select(&c, "#f-status", "submitted").await;
    type_into(&c, "#f-schedule_task", "3").await;
    type_into(&c, "#f-schedule_delta", "+2d").await;
    type_into(&c, "#f-cost", "5000").await;
    submit(&c).await;
    let cr_url = c.current_url().await.unwrap();
    logout(&c).await;

    // The sponsor approves it: the plan and the budget change.
    let sponsor = login_as("sponsor");
    login(&c, &base, &sponsor.email, &sponsor.password).await;
    c.goto(cr_url.as_str()).await.unwrap();
    click_and_wait(&c, ".tools a[href*='decision=approve']").await;
    type_into(&c, "#f-comment", "Worth it: adoption matters.").await;
    submit(&c).await;
    assert!(text(&c, "main").await.contains("Approved"));
    shot(&c, "change-approved").await;
    c.goto(&format!("{base}/projects/{alpha}/plan"))
        .await
        .unwrap();
    assert_eq!(text(&c, "#project-finish").await, "2027-02-02");
    c.goto(&format!("{base}/projects/{alpha}")).await.unwrap();
    assert!(text(&c, "main").await.contains("255,000.00"));
    c.close().await.unwrap();
}

/// Two physicists in a Research department (only Quinn knows Quantum): who the request and
/// the heat map are about.
async fn research_people(app: &App) {
    use atrium_core::identity::{Grant, Role, Scope};
    let dir = atrium_app::Actor {
        user_id: uuid::Uuid::nil(),
        email: "setup@test".into(),
        name: "Setup".into(),
        grants: vec![Grant {
            role: Role::PmoDirector,
            scope: Scope::Organization,
        }],
        csrf: String::new(),
    };
    for (name, email, skills) in [
        ("Quinn Field", "quinn@research.test", "Quantum:4, Optics:3"),
        ("Rory Field", "rory@research.test", "Optics:4"),
    ] {
        let d = atrium_core::resource::PersonDraft {
            name: name.into(),
            email: Some(email.into()),
            department: "Research".into(),
            job_role: "Physicist".into(),
            cost_rate: "90".into(),
            weekly_capacity_hours: "40".into(),
            skills: vec![skills.into()],
            ..Default::default()
        };
        app.create_person(&dir, &d).await.unwrap();
    }
}

/// Issue 7: a project manager requests a skill, the resource manager commits a person, the
/// heat map shows the new load and an over-allocation with a suggested resolution, and
/// utilization reflects an approved timesheet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_manager_allocates_in_chromium() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let (base, app) = serve().await;
    let (alpha, _) = workspace_projects(&app).await;
    research_people(&app).await;
    let c = browser(&driver).await;
    let login_as = |role: &'static str| {
        atrium_app::demo::demo_logins()
            .into_iter()
            .find(|l| l.role.as_str() == role)
            .unwrap()
    };
    let (pm, team, rm) = (
        login_as("project_manager"),
        login_as("team_member"),
        login_as("resource_manager"),
    );

    // The project manager asks for someone who knows Quantum, from the project's page.
    login(&c, &base, &pm.email, &pm.password).await;
    c.goto(&format!("{base}/projects/{alpha}")).await.unwrap();
    click_and_wait(&c, "a[href$='/requests/new']").await;
    type_into(&c, "#f-skills", "Quantum:3").await;
    set_value(&c, "#f-start", "2027-01-04").await;
    set_value(&c, "#f-finish", "2027-01-29").await;
    type_into(&c, "#f-hours_per_week", "lots").await;
    submit(&c).await;
    assert!(
        text(&c, ".field.invalid .error")
            .await
            .contains("hours per week")
    );
    type_into(&c, "#f-hours_per_week", "30").await;
    submit(&c).await;
    assert!(text(&c, ".notice").await.contains("Request sent"));
    let request_url = c.current_url().await.unwrap();
    // Plan work for the same weeks: Quinn calibrates full time, the team member surveys.
    c.goto(&format!("{base}/projects/{alpha}/plan"))
        .await
        .unwrap();
    add_task(&c, "Calibrate", "10d", "", "quinn@research.test").await;
    add_task(&c, "Survey", "5d", "", &team.email).await;
    shot(&c, "resource-request").await;
    logout(&c).await;

    // The resource manager sees the request at home and commits Quinn.
    login(&c, &base, &rm.email, &rm.password).await;
    assert!(text(&c, "main").await.contains("Quantum ≥ 3"));
    c.goto(request_url.as_str()).await.unwrap();
    assert!(text(&c, "main").await.contains("Quinn Field"));
    select(&c, "#f-person_id", &quinn_id(&app).await).await;
    click_and_wait(&c, "button[formaction$='/commit']").await;
    assert!(text(&c, ".notice").await.contains("Committed"));
    assert!(text(&c, "main").await.contains("2027-01-04 – 2027-01-29"));

    // The heat map shows the new load, over capacity.
    c.goto(&format!(
        "{base}/resources?department=Research&from=2027-01-04&count=4"
    ))
    .await
    .unwrap();
    let svg = c
        .find(Locator::Css(".heatmap-scroll svg"))
        .await
        .unwrap()
        .html(false)
        .await
        .unwrap();
    // 30 h a week committed plus a full-time task (the demo's 8.5-hour day): 72.5 h.
    assert!(
        svg.contains("Quinn Field · 4 Jan: 72.5 h planned of 40 h available"),
        "{svg}"
    );
    assert!(svg.contains("hm-over"));
    shot(&c, "heat-map").await;
    // Drill-down from the over-allocated cell: the allocation and the task behind it.
    click_and_wait(
        &c,
        ".heatmap-scroll a[href*='from=2027-01-04'] rect.hm-over",
    )
    .await;
    let drill = text(&c, "main").await;
    assert!(drill.contains("Task 1: Calibrate"), "{drill}");
    assert!(drill.contains("Allocation"), "{drill}");
    // The conflict with its suggested resolution: Rory has the role and the time.
    c.goto(&format!(
        "{base}/resources/conflicts?department=Research&from=2027-01-04&weeks=4"
    ))
    .await
    .unwrap();
    let conflicts = text(&c, "main").await;
    assert!(conflicts.contains("Quinn Field (Research)"), "{conflicts}");
    assert!(
        conflicts.contains("to Rory Field, who has"),
        "a suggested resolution: {conflicts}"
    );
    shot(&c, "conflicts").await;
    logout(&c).await;

    // The team member logs the survey week; the project manager approves it.
    login(&c, &base, &team.email, &team.password).await;
    c.goto(&format!(
        "{base}/projects/{alpha}/timesheets?week=2027-01-04"
    ))
    .await
    .unwrap();
    select(&c, "#row0_task", "2").await;
    for d in 0..5 {
        type_into(&c, &format!("#row0_day{d}"), "8").await;
    }
    click_and_wait(&c, "#submit-week").await;
    logout(&c).await;
    login(&c, &base, &pm.email, &pm.password).await;
    c.goto(&format!("{base}/projects/{alpha}/timesheets"))
        .await
        .unwrap();
    click_and_wait(&c, "#approvals button[value=approve]").await;
    logout(&c).await;

    // Utilization: the approved 40 hours are the team member's actual time that week.
    login(&c, &base, &rm.email, &rm.password).await;
    let (name, dept) = team_person(&app, &team.email).await;
    c.goto(&format!(
        "{base}/resources/utilization?department={}&from=2027-01-04&count=1",
        dept.replace(' ', "+").replace('&', "%26")
    ))
    .await
    .unwrap();
    let row = c
        .find(Locator::XPath(&format!("//tr[td/a[text()='{name}']]")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!row.ends_with("/ 0%"), "actual hours count: {row}");
    shot(&c, "utilization").await;
    c.close().await.unwrap();
}

/// Sets an input's value directly (a date input takes keystrokes in the browser's locale).
async fn set_value(c: &Client, css: &str, value: &str) {
    c.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![css.into(), value.into()],
    )
    .await
    .unwrap();
}

async fn quinn_id(app: &App) -> String {
    atrium_store::people::id_by_email(&app.db, "quinn@research.test")
        .await
        .unwrap()
        .unwrap()
        .to_string()
}

/// The demo team member's person: (name, department).
async fn team_person(app: &App, email: &str) -> (String, String) {
    let user = atrium_store::identity::user_by_email(&app.db, email)
        .await
        .unwrap()
        .unwrap();
    let (id, _, _) = atrium_store::plan::person_of_user(&app.db, user.id)
        .await
        .unwrap()
        .unwrap();
    let p = atrium_store::people::get(&app.db, id)
        .await
        .unwrap()
        .unwrap();
    (p.name, p.department)
}

/// Issue 8 (first part): a project manager records and rates risks on the organization's
/// matrix, links one to plan tasks and sees the P80 finish move; the risk manager sees it on
/// the portfolio heat map.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_manager_rates_risks_in_chromium() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let (base, app) = serve().await;
    let (alpha, _) = workspace_projects(&app).await;
    let c = browser(&driver).await;
    let login_as = |role: &'static str| {
        atrium_app::demo::demo_logins()
            .into_iter()
            .find(|l| l.role.as_str() == role)
            .unwrap()
    };
    let (pm, risk) = (login_as("project_manager"), login_as("risk_manager"));
    login(&c, &base, &pm.email, &pm.password).await;
    c.goto(&format!("{base}/projects/{alpha}/plan"))
        .await
        .unwrap();
    add_task(&c, "Design", "5d", "", "").await;
    add_task(&c, "Build", "10d", "1", "").await;
    add_task(&c, "Go live", "0", "2", "").await;

    // The register starts empty; the first risk is recorded but not assessed.
    c.goto(&format!("{base}/projects/{alpha}/risks"))
        .await
        .unwrap();
    assert!(text(&c, "main").await.contains("No risk recorded yet"));
    let p80_before = fact(&c, "P80 finish").await;
    click_and_wait(&c, "a[href$='/risks/new']").await;
    type_into(&c, "#f-title", "Vendor API changes").await;
    submit(&c).await;
    assert!(text(&c, "main").await.contains("not assessed"));
    // A second one, rated and linked to Build: a bad task id is refused beside the field.
    c.goto(&format!("{base}/projects/{alpha}/risks/new"))
        .await
        .unwrap();
    type_into(&c, "#f-title", "Test rig arrives late").await;
    select(&c, "#f-probability", "4").await;
    select(&c, "#f-impact_schedule", "4").await;
    type_into(&c, "#f-cost_impact", "20000").await;
    type_into(&c, "#f-delay_tasks", "9").await;
    type_into(&c, "#f-delay_days", "5/10/20").await;
    submit(&c).await;
    assert!(
        text(&c, ".field.invalid .error")
            .await
            .contains("not tasks of this project's plan: 9")
    );
    type_into(&c, "#f-delay_tasks", "2").await;
    submit(&c).await;
    let page = text(&c, "main").await;
    assert!(page.contains("16 (critical)"), "{page}");
    assert!(page.contains("P4 × I4 = 16"), "the rating history: {page}");
    shot(&c, "risk").await;

    // The register: one risk in cell 4×4, one not assessed, and the P80 finish moved.
    c.goto(&format!("{base}/projects/{alpha}/risks"))
        .await
        .unwrap();
    let register = text(&c, "main").await;
    assert!(register.contains("1 risk"), "{register}");
    assert!(register.contains("Not assessed yet: 1"), "{register}");
    let p80_after = fact(&c, "P80 finish").await;
    assert_ne!(p80_before, p80_after, "the P80 finish moves with the risk");
    shot(&c, "risk-register").await;
    logout(&c).await;

    // The risk manager sees it on the portfolio heat map and opens its cell.
    login(&c, &base, &risk.email, &risk.password).await;
    c.goto(&format!("{base}/risks?cell=4-4")).await.unwrap();
    let overview = text(&c, "main").await;
    assert!(overview.contains("Threats in cell P4 × I4"), "{overview}");
    assert!(overview.contains("Test rig arrives late"), "{overview}");
    assert!(overview.contains("Concentration by category"), "{overview}");
    shot(&c, "risk-overview").await;

    // An appetite the portfolio exceeds shows on the risk manager's home page.
    c.goto(&format!("{base}/settings/risk-appetite"))
        .await
        .unwrap();
    type_into(
        &c,
        "#f-rules",
        "Exposure stays under ten thousand | * | organization | | 10000",
    )
    .await;
    type_into(&c, "#f-escalate_score", "99").await;
    submit(&c).await;
    assert!(
        text(&c, ".field.invalid .error")
            .await
            .contains("a score from 1 to 25"),
        "the threshold is checked against the matrix"
    );
    type_into(&c, "#f-escalate_score", "").await;
    submit(&c).await;
    assert!(text(&c, "main").await.contains("EMV"), "a breach is listed");
    c.goto(&base).await.unwrap();
    let home = text(&c, "main").await;
    assert!(home.contains("Risk appetite breached"), "{home}");
    assert!(home.contains("Exposure stays under ten thousand"), "{home}");

    // The risk manager escalates the rig risk to the portfolio register and accepts it there.
    c.goto(&format!("{base}/risks?cell=4-4")).await.unwrap();
    click_and_wait(&c, "main a[href^='/risks/']:not([href*='?'])").await;
    type_into(
        &c,
        "form[action$='/escalate'] #f-note",
        "Needs the portfolio's buffer",
    )
    .await;
    click_and_wait(&c, "form[action$='/escalate'] button[type=submit]").await;
    assert!(
        text(&c, "main")
            .await
            .contains("Project → Portfolio (waiting for acceptance)")
    );
    c.goto(&format!("{base}/risks/escalations")).await.unwrap();
    assert!(text(&c, "main").await.contains("Test rig arrives late"));
    click_and_wait(&c, "main td a[href^='/risks/']").await;
    click_and_wait(&c, "form[action*='decision=accept'] button.primary").await;
    assert_eq!(fact(&c, "Register").await, "Portfolio");
    shot(&c, "risk-escalated").await;

    // The portfolio's register lists it; the risk manager raises a risk there directly.
    let pf = atrium_store::project::get(&app.db, alpha)
        .await
        .unwrap()
        .unwrap()
        .portfolio_id;
    c.goto(&format!("{base}/portfolios/{pf}/risks"))
        .await
        .unwrap();
    assert!(text(&c, "main").await.contains("Test rig arrives late"));
    click_and_wait(&c, "a[href$='/risks/new']").await;
    assert!(
        c.find(Locator::Css("#f-delay_tasks")).await.is_err(),
        "only project risks delay plan tasks"
    );
    type_into(&c, "#f-title", "Funding for next year is cut").await;
    select(&c, "#f-probability", "3").await;
    select(&c, "#f-impact_cost", "5").await;
    submit(&c).await;
    assert_eq!(fact(&c, "Register").await, "Portfolio");
    c.goto(&format!("{base}/portfolios/{pf}/risks"))
        .await
        .unwrap();
    let register = text(&c, "main").await;
    assert!(
        register.contains("Funding for next year is cut"),
        "{register}"
    );
    // The portfolio view: concentration by strategic driver and the exposure trend.
    c.goto(&format!("{base}/risks")).await.unwrap();
    let overview = text(&c, "main").await;
    assert!(
        overview.contains("Concentration by strategic driver"),
        "{overview}"
    );
    assert!(overview.contains("Exposure trend"), "{overview}");
    assert!(
        c.find(Locator::Css(".heatmap-scroll svg")).await.is_ok(),
        "the trend chart"
    );
    shot(&c, "risk-overview-trend").await;
    c.close().await.unwrap();
}

/// The value of a fact box ("P80 finish" → its text).
async fn fact(c: &Client, label: &str) -> String {
    c.find(Locator::XPath(&format!(
        "//dl[@class='facts']/div[dt[text()='{label}']]/dd"
    )))
    .await
    .unwrap()
    .text()
    .await
    .unwrap()
}
