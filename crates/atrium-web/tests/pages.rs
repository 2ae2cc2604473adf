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

fn hidden(html: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    let i = html.find(&pat).map(|i| i + pat.len()).unwrap_or(0);
    html[i..].split('"').next().unwrap_or("").to_owned()
}

fn form(uri: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap()
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
