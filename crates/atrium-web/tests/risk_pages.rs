//! Risk pages in the web layer: the sweep of the matrix, register, new-risk and risk pages by
//! role (director, risk manager, project manager on the project and on another project, team
//! member read-only), and the forms end to end (the risk manager changes the matrix, the
//! project manager records and re-rates a risk, errors beside their fields with the typed
//! values kept, forged forms refused, the register's heat map counting risks in their cell).
//! Runs on SQLite and, when ATRIUM_TEST_POSTGRES_URL is set, on PostgreSQL. The API's
//! route-by-role matrix is in tests/authz.rs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use Role::*;
use atrium_core::identity::{Grant, Role, Scope};
use atrium_core::risk::RiskDraft;
use support::*;
use uuid::Uuid;

/// Form-encodes pairs.
fn enc(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let mut out = format!("{k}=");
            for b in v.bytes() {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        out.push(char::from(b))
                    }
                    b' ' => out.push('+'),
                    _ => out.push_str(&format!("%{b:02X}")),
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The cells of the matrix row whose first cell starts with `label` ("4 Likely").
fn grid_row(html: &str, label: &str) -> Vec<String> {
    let start = html
        .find(&format!("<td>{label} ("))
        .unwrap_or_else(|| panic!("no row {label}: {html}"));
    let row = &html[start..html[start..].find("</tr>").unwrap() + start];
    row.split("<td")
        .skip(1)
        .map(|c| {
            let inner = &c[c.find('>').unwrap() + 1..];
            inner[..inner.find("</td>").unwrap()].to_owned()
        })
        .collect()
}

fn dir_grant() -> Grant {
    Grant {
        role: PmoDirector,
        scope: Scope::Organization,
    }
}

#[tokio::test]
async fn page_sweep_by_role() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let (x, y) = (fx.x, fx.y);
        let mut director = atrium_app::system_actor();
        director.grants = vec![dir_grant()];
        let risk = fx
            .app
            .create_risk(
                &director,
                x,
                &RiskDraft {
                    title: "Supplier late".into(),
                    probability: "3".into(),
                    impacts: [("cost".to_owned(), "2".to_owned())].into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .id;
        let users = [
            ("director", dir_grant()),
            (
                "risk",
                Grant {
                    role: RiskManager,
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
                "pm-other",
                Grant {
                    role: ProjectManager,
                    scope: Scope::Project(y),
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
        let matrix = "/settings/risk-matrix".to_owned();
        let register = format!("/projects/{x}/risks");
        let new = format!("/projects/{x}/risks/new");
        let page = format!("/risks/{risk}");
        let mut failures = vec![];
        for (name, grant) in users {
            let (cookie, _) = session(&db, &format!("{name}@example.com"), grant).await;
            let expect = |path: &String| match name {
                "pm-other" if *path != matrix => 403,
                "team" if *path == new => 403,
                _ => 200,
            };
            let mut bodies = std::collections::HashMap::new();
            for path in [&matrix, &register, &new, &page] {
                let r = raw(&fx.router, get(path, &cookie)).await;
                if r.status != expect(path) {
                    failures.push(format!(
                        "{backend} {name} {path}: expected {}, got {} {}",
                        expect(path),
                        r.status,
                        r.text().chars().take(200).collect::<String>()
                    ));
                }
                bodies.insert(path.clone(), r.text());
            }
            // Only the director and the risk manager get the matrix form.
            let manages = matches!(name, "director" | "risk");
            if bodies[&matrix].contains("Save the matrix") != manages {
                failures.push(format!(
                    "{backend} {name}: matrix form shown = {}",
                    !manages
                ));
            }
            if !bodies[&matrix].contains("Almost certain") {
                failures.push(format!("{backend} {name}: the matrix grid is missing"));
            }
            // Editors see "New risk" and the risk's form; the team member neither.
            let edits = name != "team";
            if name != "pm-other" {
                let reg = &bodies[&register];
                if reg.contains("New risk") != edits || !reg.contains("Supplier late") {
                    failures.push(format!("{backend} {name}: register {reg}"));
                }
                let form_shown = bodies[&page].contains(&format!("action=\"/risks/{risk}\""));
                if form_shown != edits || !bodies[&page].contains("Rating history") {
                    failures.push(format!("{backend} {name}: risk form shown = {form_shown}"));
                }
            }
            // Another project's register: only organization-wide users.
            let r = raw(&fx.router, get(&format!("/projects/{y}/risks"), &cookie)).await;
            let expect = if matches!(name, "director" | "risk" | "pm-other") {
                200
            } else {
                403
            };
            if r.status != expect {
                failures.push(format!("{backend} {name} Y's register: {}", r.status));
            }
        }
        // Unknown risk: 404.
        let (cookie, _) = session(&db, "dir2@example.com", dir_grant()).await;
        let r = raw(
            &fx.router,
            get(&format!("/risks/{}", Uuid::now_v7()), &cookie),
        )
        .await;
        if r.status != 404 {
            failures.push(format!("{backend} unknown risk: {}", r.status));
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

#[tokio::test]
async fn forms_end_to_end() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let x = fx.x;
        // ---- the risk manager changes the matrix
        let (rm, rm_csrf) = session(
            &db,
            "risk@example.com",
            Grant {
                role: RiskManager,
                scope: Scope::Organization,
            },
        )
        .await;
        let page = raw(&fx.router, get("/settings/risk-matrix", &rm))
            .await
            .text();
        assert_eq!(hidden(&page, "version"), "0", "{backend}");
        let probability = "Rare | under 10 % | 5\nUnlikely | 10-30 % | 20\nPossible | 30-50 % | 40\nLikely | 50-80 % | 65\nAlmost certain | over 80 % | 90";
        let impact = "Negligible | tiny\nMinor | small\nModerate | noticeable\nMajor | serious\nSevere | grave";
        let matrix = |csrf: &str, bands: &str| {
            enc(&[
                ("_csrf", csrf),
                ("version", "0"),
                ("probability", probability),
                ("impact", impact),
                ("dimensions", "cost, schedule"),
                ("bands", bands),
            ])
        };
        let r = raw(
            &fx.router,
            form(
                "/settings/risk-matrix",
                &rm,
                &matrix("forged", "low:1, moderate:4, high:10, critical:16"),
            ),
        )
        .await;
        assert_eq!(r.status, 403, "{backend}");
        let r = raw(
            &fx.router,
            form(
                "/settings/risk-matrix",
                &rm,
                &matrix(&rm_csrf, "low:2, moderate:4"),
            ),
        )
        .await;
        assert_eq!(r.status, 422, "{backend}");
        let t = r.text();
        assert!(
            t.contains("id=\"e-bands\"") && t.contains("the first band starts at score 1"),
            "{t}"
        );
        assert!(
            t.contains("value=\"low:2, moderate:4\""),
            "typed value kept: {t}"
        );
        assert!(!t.contains("id=\"e-probability\""), "{t}");
        let r = raw(
            &fx.router,
            form(
                "/settings/risk-matrix",
                &rm,
                &matrix(&rm_csrf, "low:1, moderate:4, high:10, critical:16"),
            ),
        )
        .await;
        assert_eq!(r.status, 303, "{backend} {}", r.text());
        assert_eq!(r.headers["location"], "/settings/risk-matrix");
        let page = raw(&fx.router, get("/settings/risk-matrix", &rm))
            .await
            .text();
        assert_eq!(hidden(&page, "version"), "1", "{backend}");
        assert!(
            page.contains("4 moderate"),
            "the grid uses the new bands: {page}"
        );
        // ---- the project manager records a risk through the form
        let (pm, csrf) = session(
            &db,
            "pm@example.com",
            Grant {
                role: ProjectManager,
                scope: Scope::Project(x),
            },
        )
        .await;
        let new = format!("/projects/{x}/risks/new");
        let page = raw(&fx.router, get(&new, &pm)).await.text();
        // The form rates on the saved matrix: its dimensions only.
        assert!(
            page.contains("name=\"impact_cost\"") && page.contains("name=\"impact_schedule\""),
            "{page}"
        );
        assert!(!page.contains("name=\"impact_safety\""), "{page}");
        let r = raw(
            &fx.router,
            form(
                &new,
                &pm,
                &enc(&[("_csrf", "forged"), ("kind", "threat"), ("title", "Forged")]),
            ),
        )
        .await;
        assert_eq!(r.status, 403, "{backend}");
        let r = raw(
            &fx.router,
            form(
                &new,
                &pm,
                &enc(&[
                    ("_csrf", csrf.as_str()),
                    ("kind", "threat"),
                    ("title", ""),
                    ("owner", "Typed owner"),
                    ("cause", "Typed cause"),
                    ("probability", "4"),
                    ("impact_cost", "3"),
                    ("cost_impact", "lots"),
                    ("strategy", "exploit"),
                ]),
            ),
        )
        .await;
        assert_eq!(r.status, 422, "{backend}");
        let t = r.text();
        for f in ["title", "cost_impact", "strategy"] {
            assert!(t.contains(&format!("id=\"e-{f}\"")), "{f}: {t}");
        }
        assert!(!t.contains("id=\"e-probability\""), "{t}");
        assert!(
            t.contains("value=\"Typed owner\"")
                && t.contains(">Typed cause</textarea>")
                && t.contains("value=\"lots\""),
            "typed values kept: {t}"
        );
        assert!(
            t.contains("<option value=\"4\" selected>")
                && t.contains("<option value=\"3\" selected>"),
            "typed ratings kept: {t}"
        );
        let good = |title: &str, p: &str, cost: &str, schedule: &str| {
            enc(&[
                ("_csrf", csrf.as_str()),
                ("kind", "threat"),
                ("title", title),
                ("owner", "Ann"),
                ("probability", p),
                ("impact_cost", cost),
                ("impact_schedule", schedule),
                ("cost_impact", "200000"),
                ("strategy", "mitigate"),
                (
                    "actions",
                    "Weekly supplier call | Ann | 2027-02-01 | started",
                ),
                ("status", "open"),
            ])
        };
        let r = raw(
            &fx.router,
            form(&new, &pm, &good("Supplier late", "4", "3", "4")),
        )
        .await;
        assert_eq!(r.status, 303, "{backend} {}", r.text());
        let risk = r.headers["location"].to_str().unwrap().to_owned();
        let id: Uuid = risk.strip_prefix("/risks/").unwrap().parse().unwrap();
        let shown = raw(&fx.router, get(&risk, &pm)).await.text();
        assert!(
            shown.contains("R-1 — Supplier late")
                && shown.contains("16 (critical)")
                && shown.contains("130,000.00")
                && shown.contains("Weekly supplier call"),
            "{backend} {shown}"
        );
        assert!(shown.contains("P4 × I4 = 16"), "{shown}");
        // ---- re-rate it: p2 → 8; the history shows both ratings, newest first
        let version = hidden(&shown, "version");
        assert_eq!(version, "1");
        let r = raw(
            &fx.router,
            form(
                &risk,
                &pm,
                &format!("{}&version=1", good("Supplier late", "2", "3", "4")),
            ),
        )
        .await;
        assert_eq!(r.status, 303, "{backend} {}", r.text());
        assert_eq!(r.headers["location"].to_str().unwrap(), risk);
        let shown = raw(&fx.router, get(&risk, &pm)).await.text();
        let newer = shown
            .find("P2 × I4 = 8")
            .expect("new rating in the history");
        let older = shown
            .find("P4 × I4 = 16")
            .expect("old rating in the history");
        assert!(newer < older, "newest first");
        assert!(
            shown.contains("8 (moderate)") && shown.contains("40,000.00"),
            "{shown}"
        );
        let mut director = atrium_app::system_actor();
        director.grants = vec![dir_grant()];
        let stored = fx.app.get_risk(&director, id).await.unwrap().risk;
        assert_eq!((stored.version, stored.history.len()), (2, 2), "{backend}");
        assert_eq!(stored.history[1].by, "pm@example.com");
        // A stale form is a conflict, a bad strategy comes back beside its field, a forged form
        // is refused; none of them changes the risk.
        let r = raw(
            &fx.router,
            form(
                &risk,
                &pm,
                &format!("{}&version=1", good("Stale", "1", "1", "")),
            ),
        )
        .await;
        assert_eq!(r.status, 409, "{backend} {}", r.text());
        let bad = good("Supplier late", "2", "3", "4").replace("mitigate", "share");
        let r = raw(&fx.router, form(&risk, &pm, &format!("{bad}&version=2"))).await;
        assert_eq!(r.status, 422, "{backend}");
        let t = r.text();
        assert!(
            t.contains("id=\"e-strategy\"") && t.contains("Share is not a response to a threat"),
            "{t}"
        );
        let forged = good("Forged", "1", "1", "").replace(&csrf, "forged");
        let r = raw(&fx.router, form(&risk, &pm, &format!("{forged}&version=2"))).await;
        assert_eq!(r.status, 403, "{backend}");
        let unchanged = fx.app.get_risk(&director, id).await.unwrap().risk;
        assert_eq!(
            (unchanged.version, unchanged.title.as_str()),
            (2, "Supplier late")
        );
        // ---- a second, unassessed risk; the register's heat map
        let r = raw(
            &fx.router,
            form(
                &new,
                &pm,
                &enc(&[
                    ("_csrf", csrf.as_str()),
                    ("kind", "threat"),
                    ("title", "Key person leaves"),
                ]),
            ),
        )
        .await;
        assert_eq!(r.status, 303, "{backend} {}", r.text());
        let reg = raw(&fx.router, get(&format!("/projects/{x}/risks"), &pm)).await;
        assert_eq!(reg.status, 200);
        let reg = reg.text();
        assert!(reg.contains("Not assessed yet: 1"), "{backend} {reg}");
        assert!(reg.contains("R-2") && reg.contains("not assessed"), "{reg}");
        assert_eq!(reg.matches("1 risk<").count(), 1, "one rated threat: {reg}");
        // Probability 2 "Unlikely", impact 4: the fifth cell of that row (the first names it).
        let row = grid_row(&reg, "2 Unlikely");
        assert_eq!(row.len(), 6, "{row:?}");
        assert_eq!(row[4], "1 risk", "{backend} {row:?}");
        assert!(
            row.iter()
                .enumerate()
                .all(|(i, c)| i == 0 || i == 4 || c == "—")
        );
        assert!(grid_row(&reg, "4 Likely").iter().skip(1).all(|c| c == "—"));
        // EMV of the open threats: 0.2 × 200,000.00 + 0.
        assert!(reg.contains("40,000.00"), "{reg}");
        // The register sorts worst first: R-1 before the unassessed R-2.
        let table = &reg[reg.find("<h2>Register</h2>").unwrap()..];
        assert!(table.find("R-1").unwrap() < table.find("R-2").unwrap());
    }
}

/// A risk rated on a larger matrix keeps its level selected in the form after the matrix
/// shrinks, so saving the form as it is asks for a level instead of clearing the rating.
#[tokio::test]
async fn a_shrunk_matrix_never_clears_a_rating_silently() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let mut director = atrium_app::system_actor();
        director.grants = vec![dir_grant()];
        let risk = fx
            .app
            .create_risk(
                &director,
                fx.x,
                &RiskDraft {
                    title: "Flood".into(),
                    probability: "5".into(),
                    impacts: [("cost".to_owned(), "4".to_owned())].into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let small = atrium_core::risk::MatrixDraft {
            probability: "Low | rare | 10\nMedium | maybe | 40\nHigh | likely | 80".into(),
            impact: "Small | minor\nMedium | noticeable\nLarge | severe".into(),
            dimensions: "cost, schedule".into(),
            bands: "low:1, high:4".into(),
        };
        fx.app.set_risk_matrix(&director, &small, 0).await.unwrap();
        let (cookie, csrf) = session(&db, "dir@example.com", dir_grant()).await;
        let page = raw(&fx.router, get(&format!("/risks/{}", risk.id), &cookie))
            .await
            .text();
        assert!(
            page.contains(r#"<option value="5" selected>5 — not on the matrix any more: choose a level</option>"#),
            "{backend}: {page}"
        );
        // Saving it as shown is refused beside the field, and the rating stays.
        let body = enc(&[
            ("_csrf", &csrf),
            ("version", "1"),
            ("title", "Flood"),
            ("probability", "5"),
            ("impact_cost", "4"),
        ]);
        let r = raw(
            &fx.router,
            form(&format!("/risks/{}", risk.id), &cookie, &body),
        )
        .await;
        assert_eq!(r.status, 422, "{backend}");
        assert!(r.text().contains("a level from 1 to 3"), "{backend}");
        let kept = fx.app.get_risk(&director, risk.id).await.unwrap().risk;
        assert_eq!(kept.rating.unwrap().probability, 5, "{backend}");
    }
}

/// Program and portfolio registers in the web layer: the program manager records a risk on
/// the program's form (no plan-task fields; CSRF checked; errors beside the field), the
/// register lists it, the risk page goes back to it; a project manager of a project may not
/// open the program's or the portfolio's register; the portfolio's register exports.
#[tokio::test]
async fn program_and_portfolio_register_pages() {
    for (backend, db) in atrium_store::testing::all().await.unwrap() {
        let fx = fixture(db.clone()).await;
        let g = fx.g;
        let (pgm, csrf) = session(
            &db,
            "pgm@example.com",
            Grant {
                role: ProgramManager,
                scope: Scope::Program(g),
            },
        )
        .await;
        let new = format!("/programs/{g}/risks/new");
        let page = raw(&fx.router, get(&new, &pgm)).await.text();
        assert!(page.contains("name=\"title\""), "{backend}: {page}");
        assert!(!page.contains("name=\"delay_tasks\""), "{backend}: {page}");
        let body = |csrf: &str, title: &str| {
            enc(&[
                ("_csrf", csrf),
                ("title", title),
                ("kind", "threat"),
                ("probability", "3"),
                ("impact_cost", "4"),
                ("status", "open"),
            ])
        };
        let r = raw(
            &fx.router,
            form(&new, &pgm, &body("forged", "Shared go-live")),
        )
        .await;
        assert_eq!(r.status, 403, "{backend}");
        let r = raw(&fx.router, form(&new, &pgm, &body(&csrf, ""))).await;
        assert_eq!(r.status, 422, "{backend}");
        assert!(r.text().contains("id=\"e-title\""), "{backend}");
        let r = raw(&fx.router, form(&new, &pgm, &body(&csrf, "Shared go-live"))).await;
        assert_eq!(r.status, 303, "{backend}: {}", r.text());
        let risk = r.headers["location"].to_str().unwrap().to_owned();
        let page = raw(&fx.router, get(&risk, &pgm)).await.text();
        assert!(page.contains("Shared go-live"), "{backend}");
        assert!(
            page.contains(&format!("href=\"/programs/{g}/risks\"")),
            "{page}"
        );
        assert!(
            page.contains("Escalate to the portfolio register"),
            "{page}"
        );
        let register = raw(&fx.router, get(&format!("/programs/{g}/risks"), &pgm))
            .await
            .text();
        assert!(register.contains("Shared go-live"), "{backend}: {register}");
        assert!(register.contains("program risks"), "{backend}: {register}");

        // A project manager of X (in G) reads neither register of the levels above.
        let (pm, _) = session(
            &db,
            "pm@example.com",
            Grant {
                role: ProjectManager,
                scope: Scope::Project(fx.x),
            },
        )
        .await;
        for path in [
            format!("/programs/{g}/risks"),
            format!("/portfolios/{}/risks", fx.p),
            risk.clone(),
        ] {
            let r = raw(&fx.router, get(&path, &pm)).await;
            assert_eq!(r.status, 403, "{backend}: {path}");
        }
        // The director exports the portfolio's (empty) register.
        let (d, _) = session(&db, "dir@example.com", dir_grant()).await;
        let r = raw(
            &fx.router,
            get(&format!("/portfolios/{}/risks/export?format=csv", fx.p), &d),
        )
        .await;
        assert_eq!(r.status, 200, "{backend}");
        assert!(r.text().starts_with("Ref,Title"), "{backend}");
    }
}
