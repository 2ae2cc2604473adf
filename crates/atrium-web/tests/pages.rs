//! HTML pages in-process: sign-in with the login CSRF cookie, CSRF enforcement on forms,
//! settings form validation and stale edits, CSV exports.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use axum::body::Body;
use axum::http::Request;
use support::*;

fn cookie_of(r: &Resp, name: &str) -> String {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|v| v.split(';').next().unwrap_or("").to_owned())
        })
        .unwrap_or_default()
}

async fn sign_in(fx: &Fx) -> String {
    let admin = atrium_app::system_actor();
    fx.app
        .add_user(
            &admin,
            "dir@example.com",
            "Dir",
            "a long password",
            &["pmo_director".into()],
        )
        .await
        .unwrap();
    let page = raw(
        &fx.router,
        Request::builder()
            .uri("/login")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let pre = cookie_of(&page, "atrium_login_csrf");
    let csrf = hidden(&page.text(), "_csrf");
    // Without the matching pre-login cookie the form is refused.
    let r = raw(
        &fx.router,
        form(
            "/login",
            "",
            &format!("_csrf={csrf}&email=dir%40example.com&password=a+long+password&next=%2F"),
        ),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = raw(
        &fx.router,
        form(
            "/login",
            &format!("atrium_login_csrf={pre}"),
            &format!(
                "_csrf={csrf}&email=dir%40example.com&password=a+long+password&next=%2Foverview"
            ),
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.headers["location"], "/overview");
    let set = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(" | ");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    format!("atrium_session={}", cookie_of(&r, "atrium_session"))
}

#[tokio::test]
async fn sign_in_settings_and_csrf() {
    let (db, _) = atrium_store::testing::sqlite().await.unwrap();
    let fx = fixture(db).await;
    let cookie = sign_in(&fx).await;
    // An external redirect target is never followed.
    let page = raw(&fx.router, get("/settings", &cookie)).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    let csrf = hidden(&html, "_csrf");
    let version = hidden(&html, "version");
    let good = format!(
        "_csrf={csrf}&version={version}&name=Acme&currency=usd&fiscal_year_start_month=4&operating_mode=directive&reporting_cycle=weekly&working_days=0&working_days=1&working_days=2&working_days=3&day_start=09%3A00&day_end=17%3A30&holidays=2026-12-25"
    );
    // A forged form (wrong CSRF token) changes nothing.
    let forged = good.replace(&format!("_csrf={csrf}"), "_csrf=forged");
    assert_eq!(
        raw(&fx.router, form("/settings", &cookie, &forged))
            .await
            .status,
        403
    );
    // Invalid values come back beside their fields, with what was typed kept.
    let bad = good
        .replace("currency=usd", "currency=dollars")
        .replace("day_end=17%3A30", "day_end=07%3A00");
    let r = raw(&fx.router, form("/settings", &cookie, &bad)).await;
    assert_eq!(r.status, 422);
    let t = r.text();
    assert!(
        t.contains("id=\"e-currency\"") && t.contains("value=\"dollars\""),
        "{t}"
    );
    // A valid save, then a save based on the old version is refused.
    let r = raw(&fx.router, form("/settings", &cookie, &good)).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let s = fx.app.settings().await.unwrap();
    assert_eq!(
        (
            s.currency.as_str(),
            s.operating_mode.as_str(),
            s.calendar.days_mask().as_str()
        ),
        ("USD", "directive", "1111000")
    );
    let r = raw(&fx.router, form("/settings", &cookie, &good)).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("Someone else saved"));
}

#[tokio::test]
async fn csv_exports_and_pages_render() {
    let (db, _) = atrium_store::testing::sqlite().await.unwrap();
    let fx = fixture(db).await;
    let cookie = sign_in(&fx).await;
    let dir = {
        let mut a = atrium_app::system_actor();
        a.grants = vec![atrium_core::identity::Grant {
            role: atrium_core::identity::Role::PmoDirector,
            scope: atrium_core::identity::Scope::Organization,
        }];
        a
    };
    let mut d = atrium_core::project::ProjectDraft::from_project(
        &fx.app.get_project(&dir, fx.x).await.unwrap(),
    );
    d.status_note = Some("=HYPERLINK(\"http://evil\")".into());
    fx.app.update_project(&dir, fx.x, &d, 1).await.unwrap();
    // Portfolio management records for the page sweep below.
    let driver = fx
        .app
        .create_driver(
            &dir,
            &atrium_core::strategy::DriverDraft {
                name: "Growth <b>".into(),
                description: None,
                weight: "1".into(),
            },
        )
        .await
        .unwrap()
        .id;
    let proposal = fx
        .app
        .create_proposal(
            &dir,
            &atrium_core::strategy::ProposalDraft {
                key: "PRP-1".into(),
                title: "=cmd|' /C calc'!A0".into(),
                portfolio_id: Some(fx.p),
                start: "2031-01-01".into(),
                ratings: [(driver, "4".to_owned())].into(),
                costs: "2031, 1000, 0".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let scenario = fx
        .app
        .create_scenario(
            &dir,
            &atrium_core::strategy::ScenarioDraft {
                name: "Base".into(),
                portfolio_id: Some(fx.p),
                first_year: "2031".into(),
                budget: "5000".into(),
                years: "2".into(),
                notes: None,
            },
        )
        .await
        .unwrap();
    let r = raw(&fx.router, get("/projects.csv", &cookie)).await;
    assert_eq!(r.status, 200);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text();
    assert!(csv.starts_with("key,name,portfolio"), "{csv}");
    assert!(csv.contains("PRJ-001") && csv.contains("PRJ-002"));
    assert!(
        csv.contains("'=HYPERLINK"),
        "formulas are neutralized: {csv}"
    );
    for path in [
        "/",
        "/overview",
        "/projects",
        "/projects?sort=-budget&status=green",
        "/portfolios",
        "/programs",
        "/people",
        "/people.csv",
        "/portfolios.csv",
        "/programs.csv",
        "/audit",
        "/admin/users",
        "/projects/new",
        &format!("/projects/{}", fx.x),
        &format!("/projects/{}/edit", fx.x),
        &format!("/projects/{}/archive", fx.x),
        "/strategy",
        "/strategy/pairwise",
        "/drivers/new",
        &format!("/drivers/{driver}/edit"),
        "/proposals",
        "/proposals?state=draft&sort=-title",
        "/proposals/new",
        &format!("/proposals/{}", proposal.id),
        &format!("/proposals/{}/edit", proposal.id),
        &format!("/portfolios/{}/analysis", fx.p),
        &format!("/portfolios/{}/ranking.csv", fx.p),
        &format!("/portfolios/{}/ranking.xlsx", fx.p),
        "/scenarios",
        "/scenarios/new",
        &format!("/scenarios/{}", scenario.id),
        &format!("/scenarios/{}/edit", scenario.id),
        &format!("/scenarios/{}/commit", scenario.id),
        &format!("/scenarios/{}/delete", scenario.id),
        &format!("/scenarios/{}/export.csv", scenario.id),
        &format!("/scenarios/compare?a={}&b={}", scenario.id, scenario.id),
    ] {
        let r = raw(&fx.router, get(path, &cookie)).await;
        assert_eq!(
            r.status,
            200,
            "{path}: {}",
            r.text().chars().take(300).collect::<String>()
        );
    }
    // Anonymous visitors are sent to the login page, keeping where they were going.
    let r = raw(
        &fx.router,
        Request::builder()
            .uri("/projects?q=x")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.headers["location"], "/login?next=/projects%3Fq%3Dx");
}

/// One plan edit through the API, tracking the plan version.
async fn edit(
    fx: &Fx,
    tok: &str,
    version: &mut i64,
    method: &str,
    path: String,
    mut body: serde_json::Value,
) -> serde_json::Value {
    body["version"] = (*version).into();
    let r = call(&fx.router, method, &path, Some(tok), Some(&body)).await;
    assert!(r.status.is_success(), "{path}: {}", r.text());
    *version = r.json()["version"].as_i64().unwrap();
    r.json()
}

/// A session cookie for a new user with `role` organization-wide.
async fn session_as(fx: &Fx, email: &str, role: &str) -> String {
    let admin = atrium_app::system_actor();
    fx.app
        .add_user(&admin, email, email, "a long password", &[role.into()])
        .await
        .unwrap();
    let (secret, _csrf) = fx.app.login(email, "a long password").await.unwrap();
    format!("atrium_session={secret}")
}

/// Every plan page (plan with tasks, task form, Gantt at each zoom, costs, timesheets,
/// earned value for project / program / portfolio, templates, import preview, exports)
/// renders for the PMO director; the team member reads the plan pages but gets 403 on the
/// edit forms and confirmations.
#[tokio::test]
async fn plan_pages_render_and_edit_forms_are_refused_to_team_members() {
    let (db, _) = atrium_store::testing::sqlite().await.unwrap();
    let fx = fixture(db.clone()).await;
    let cookie = sign_in(&fx).await;
    let member = session_as(&fx, "member@example.com", "team_member").await;
    let tok = add_user(
        &db,
        "api@example.com",
        &[atrium_core::identity::Grant {
            role: atrium_core::identity::Role::PmoDirector,
            scope: atrium_core::identity::Scope::Organization,
        }],
    )
    .await;
    let (x, api) = (fx.x, |p: &str| format!("/api/v1/projects/{}/plan{p}", fx.x));
    let mut version = 0;
    edit(
        &fx,
        &tok,
        &mut version,
        "PUT",
        api("/dates"),
        serde_json::json!({"start": "2031-01-06", "status_date": "2031-01-17"}),
    )
    .await;
    edit(
        &fx,
        &tok,
        &mut version,
        "POST",
        api("/tasks"),
        serde_json::json!({"name": "Phase <one>", "duration": "1d"}),
    )
    .await;
    for (name, duration, preds, level) in [
        ("Design", "5d", "", 2),
        ("Build", "10d", "2", 2),
        ("Launch", "0", "3", 1),
    ] {
        edit(
            &fx,
            &tok,
            &mut version,
            "POST",
            api("/tasks"),
            serde_json::json!({"name": name, "duration": duration, "predecessors": preds, "level": level, "percent_complete": "20"}),
        )
        .await;
    }
    edit(
        &fx,
        &tok,
        &mut version,
        "PUT",
        api("/baselines/1"),
        serde_json::json!({}),
    )
    .await;
    edit(
        &fx,
        &tok,
        &mut version,
        "POST",
        api("/budget"),
        serde_json::json!({"category": "Labour", "period": "FY2031", "amount": "12000"}),
    )
    .await;
    edit(
        &fx,
        &tok,
        &mut version,
        "POST",
        api("/expenses"),
        serde_json::json!({"date": "2031-01-08", "category": "Travel", "description": "Kick-off trip", "amount": "300", "actual": true}),
    )
    .await;
    let plan = call(&fx.router, "GET", &api(""), Some(&tok), None)
        .await
        .json();
    assert_eq!(plan["tasks"].as_array().unwrap().len(), 4, "{plan}");
    let template = call(
        &fx.router,
        "POST",
        &format!("/api/v1/projects/{x}/template"),
        Some(&tok),
        Some(&serde_json::json!({"name": "Standard rollout"})),
    )
    .await;
    assert_eq!(template.status, 201, "{}", template.text());
    let tid = template.json()["id"].as_str().unwrap().to_owned();
    // A pending import of the signed-in director, for its preview page.
    let dir_id = atrium_store::identity::user_by_email(&db, "dir@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let dir = atrium_app::Actor {
        user_id: dir_id,
        email: "dir@example.com".into(),
        name: "Dir".into(),
        grants: vec![atrium_core::identity::Grant {
            role: atrium_core::identity::Role::PmoDirector,
            scope: atrium_core::identity::Scope::Organization,
        }],
        csrf: String::new(),
    };
    let xml = include_bytes!("../../atrium-interop/tests/fixtures/mspdi/rich.xml");
    let preview = fx
        .app
        .import_preview(&dir, x, xml, &mut |_, _| {})
        .await
        .unwrap();
    let (g, p) = (fx.g, fx.p);
    let readable = [
        format!("/projects/{x}/plan"),
        format!("/projects/{x}/plan?baseline=1"),
        format!("/projects/{x}/gantt"),
        format!("/projects/{x}/gantt?zoom=day"),
        format!("/projects/{x}/gantt?zoom=week&baseline=1"),
        format!("/projects/{x}/gantt?zoom=month&collapsed=1"),
        format!("/projects/{x}/gantt?zoom=quarter"),
        format!("/projects/{x}/costs"),
        format!("/projects/{x}/timesheets"),
        format!("/projects/{x}/timesheets?week=2031-01-06"),
        format!("/projects/{x}/ev"),
        format!("/programs/{g}/ev"),
        format!("/portfolios/{p}/ev"),
        "/templates".to_owned(),
        format!("/projects/{x}/plan/export/xml"),
        format!("/projects/{x}/plan/export/csv"),
        format!("/projects/{x}/plan/export/xlsx"),
        format!("/projects/{x}/costs/export/csv"),
        format!("/projects/{x}/costs/export/xlsx"),
    ];
    let edit_only = [
        format!("/projects/{x}/plan/tasks/2"),
        format!("/projects/{x}/plan/tasks/2/delete"),
        format!("/projects/{x}/plan/baseline/1/clear"),
        format!("/projects/{x}/costs/budget/0/remove"),
        format!("/projects/{x}/costs/expenses/0/remove"),
        format!("/projects/{x}/timesheets/export/csv"),
        format!("/projects/{x}/timesheets/export/xlsx"),
        format!("/templates/{tid}/use"),
        format!("/templates/{tid}/delete"),
    ];
    for path in readable
        .iter()
        .chain(&edit_only)
        .chain(std::iter::once(&format!(
            "/projects/{x}/plan/import/{}",
            preview.id
        )))
    {
        let r = raw(&fx.router, get(path, &cookie)).await;
        assert_eq!(
            r.status,
            200,
            "{path}: {}",
            r.text().chars().take(300).collect::<String>()
        );
    }
    // The plan page lists the tasks (escaped) and the Gantt draws them.
    let html = raw(&fx.router, get(&format!("/projects/{x}/plan"), &cookie))
        .await
        .text();
    assert!(
        (html.contains("Phase &lt;one&gt;") || html.contains("Phase &#60;one&#62;"))
            && html.contains("Build"),
        "{html}"
    );
    assert!(!html.contains("Phase <one>"));
    let gantt = raw(&fx.router, get(&format!("/projects/{x}/gantt"), &cookie))
        .await
        .text();
    assert!(gantt.contains("<svg") && gantt.contains("Design"));
    // The team member reads, and is refused the edit forms.
    for path in &readable {
        if path.contains("/export/") {
            continue;
        }
        let r = raw(&fx.router, get(path, &member)).await;
        assert_eq!(
            r.status,
            200,
            "team member {path}: {}",
            r.text().chars().take(300).collect::<String>()
        );
    }
    // Their plan and costs pages offer no edit controls (the director's do).
    for (path, control) in [
        (
            format!("/projects/{x}/plan"),
            format!("/projects/{x}/plan/tasks/2/move"),
        ),
        (
            format!("/projects/{x}/costs"),
            format!("/projects/{x}/costs/budget/0/remove"),
        ),
    ] {
        assert!(
            raw(&fx.router, get(&path, &cookie))
                .await
                .text()
                .contains(&control),
            "{path}"
        );
        assert!(
            !raw(&fx.router, get(&path, &member))
                .await
                .text()
                .contains(&control),
            "{path}"
        );
    }
    let mut wrongly_allowed = vec![];
    for path in &edit_only {
        let r = raw(&fx.router, get(path, &member)).await;
        if r.status != 403 {
            wrongly_allowed.push(format!("{path}: {}", r.status));
        }
    }
    assert!(
        wrongly_allowed.is_empty(),
        "edit forms shown to a team member:\n{}",
        wrongly_allowed.join("\n")
    );
    // Someone else's pending import is not theirs to see.
    let r = raw(
        &fx.router,
        get(
            &format!("/projects/{x}/plan/import/{}", preview.id),
            &member,
        ),
    )
    .await;
    assert!(matches!(r.status.as_u16(), 403 | 404), "{}", r.status);
}
