//! Risk management through the application layer, on SQLite and (when configured)
//! PostgreSQL: the organization's risk matrix (default 5 × 5, saved by the risk manager with
//! optimistic versions, refused field by field, audited), project registers (numbering per
//! project, score, band and expected monetary value, rating history, strategy fitting the
//! kind, stale versions, who may read and who may edit, sorting) and changing the matrix
//! under existing risks.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use atrium_app::{Actor, App, AppError};
use atrium_core::identity::{Grant, Role, Scope};
use atrium_core::portfolio::PortfolioDraft;
use atrium_core::project::ProjectDraft;
use atrium_core::risk::{MatrixDraft, RiskDraft, RiskKind, RiskMatrix, Strategy};
use atrium_store::{Page, audit, testing};
use uuid::Uuid;

fn actor(role: Role, scope: Scope) -> Actor {
    Actor {
        user_id: Uuid::now_v7(),
        email: format!("{}@test", role.as_str()),
        name: role.label().into(),
        grants: vec![Grant { role, scope }],
        csrf: String::new(),
    }
}

fn dir() -> Actor {
    actor(Role::PmoDirector, Scope::Organization)
}

fn risk_manager() -> Actor {
    actor(Role::RiskManager, Scope::Organization)
}

fn fields(e: AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(v) => v.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn field_names(e: AppError) -> Vec<String> {
    fields(e).into_iter().map(|(f, _)| f).collect()
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, AppError>) -> bool {
    matches!(r, Err(AppError::Forbidden))
}

fn stale<T: std::fmt::Debug>(r: Result<T, AppError>) -> bool {
    matches!(r, Err(AppError::Stale { .. }))
}

struct Fx {
    app: App,
    /// Two projects in one portfolio.
    x: Uuid,
    y: Uuid,
}

async fn project(app: &App, portfolio: Uuid, key: &str) -> Uuid {
    app.create_project(
        &dir(),
        &ProjectDraft {
            key: key.into(),
            name: format!("Project {key}"),
            portfolio_id: Some(portfolio),
            phase: "executing".into(),
            status: "green".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

/// A fresh app per backend with one portfolio and projects X and Y.
async fn apps() -> Vec<(&'static str, Fx)> {
    let mut out = vec![];
    for (name, db) in testing::all().await.unwrap() {
        let app = App::new(db);
        app.ensure_settings().await.unwrap();
        let portfolio = app
            .create_portfolio(
                &dir(),
                &PortfolioDraft {
                    key: "PF".into(),
                    name: "Portfolio".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .id;
        let x = project(&app, portfolio, "PRJ-001").await;
        let y = project(&app, portfolio, "PRJ-002").await;
        out.push((name, Fx { app, x, y }));
    }
    out
}

async fn audit_actions(app: &App, entity: &str) -> Vec<String> {
    let f = audit::Filter {
        entity: Some(entity.into()),
        ..Default::default()
    };
    audit::list(&app.db, &f, Page::first(100))
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|r| r.action)
        .collect()
}

/// A threat rated p`p` with the given cost and schedule impact levels ("" = left out).
fn threat(title: &str, p: &str, cost: &str, schedule: &str) -> RiskDraft {
    RiskDraft {
        title: title.into(),
        probability: p.into(),
        impacts: [("cost", cost), ("schedule", schedule)]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        cost_impact: "200000".into(),
        strategy: "mitigate".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn matrix_default_save_stale_validation_and_rights() {
    for (backend, fx) in apps().await {
        let rm = risk_manager();
        let pm = actor(Role::ProjectManager, Scope::Project(fx.x));
        // Everyone reads the default 5 × 5 matrix, not saved yet.
        let m = fx.app.risk_matrix(&pm).await.unwrap();
        assert_eq!(m, RiskMatrix::default(), "{backend}");
        assert_eq!(
            (
                m.version,
                m.probability.len(),
                m.impact.len(),
                m.max_score()
            ),
            (0, 5, 5, 25),
            "{backend}"
        );
        // The risk manager raises the bands: version 1, read back as saved.
        let mut d = MatrixDraft::of(&m);
        d.bands = "low:1, medium:6, high:12, critical:20".into();
        d.dimensions = "Cost, schedule, safety".into();
        let saved = fx.app.set_risk_matrix(&rm, &d, 0).await.unwrap();
        assert_eq!(saved.version, 1, "{backend}");
        let back = fx.app.risk_matrix(&pm).await.unwrap();
        assert_eq!(back, saved, "{backend}");
        assert_eq!(back.dimensions, ["cost", "schedule", "safety"], "{backend}");
        assert_eq!(
            [5, 6, 12, 20].map(|s| back.band_name(s).to_owned()),
            ["low", "medium", "high", "critical"],
            "{backend}"
        );
        // The same change from the stale version 0 is refused and changes nothing.
        d.bands = "low:1, high:10".into();
        assert!(stale(fx.app.set_risk_matrix(&rm, &d, 0).await), "{backend}");
        assert_eq!(fx.app.risk_matrix(&rm).await.unwrap().bands.len(), 4);
        // A second save from the current version: version 2.
        let v2 = fx.app.set_risk_matrix(&dir(), &d, 1).await.unwrap();
        assert_eq!((v2.version, v2.bands.len()), (2, 2), "{backend}");
        // Bad input: each error names its field.
        let base = MatrixDraft::of(&v2);
        let bad = |f: &dyn Fn(&mut MatrixDraft)| {
            let mut d = base.clone();
            f(&mut d);
            d
        };
        let first_not_1 = bad(&|d: &mut MatrixDraft| d.bands = "low:2, high:10".into());
        let e = fields(
            fx.app
                .set_risk_matrix(&rm, &first_not_1, 2)
                .await
                .unwrap_err(),
        );
        assert_eq!(
            e,
            [(
                "bands".to_owned(),
                "the first band starts at score 1".to_owned()
            )],
            "{backend}"
        );
        let decreasing = bad(&|d: &mut MatrixDraft| {
            d.probability = "Rare | seldom | 10\nLikely | often | 60\nUnlikely | hm | 40".into()
        });
        let e = fields(
            fx.app
                .set_risk_matrix(&rm, &decreasing, 2)
                .await
                .unwrap_err(),
        );
        assert_eq!(e.len(), 1, "{backend} {e:?}");
        assert_eq!(e[0].0, "probability");
        assert!(e[0].1.starts_with("level 3"), "{e:?}");
        // Equal probabilities: the second level is refused (and one level is too few).
        let equal = bad(&|d: &mut MatrixDraft| d.probability = "A | | 30\nB | | 30".into());
        let e = fields(fx.app.set_risk_matrix(&rm, &equal, 2).await.unwrap_err());
        assert_eq!(e[0].0, "probability", "{backend} {e:?}");
        assert!(e[0].1.starts_with("level 2"), "{e:?}");
        let no_percent =
            bad(&|d: &mut MatrixDraft| d.probability = "Rare | seldom\nOften | often | 70".into());
        let e = fields(
            fx.app
                .set_risk_matrix(&rm, &no_percent, 2)
                .await
                .unwrap_err(),
        );
        assert_eq!(e[0].0, "probability", "{backend} {e:?}");
        assert!(e[0].1.contains("Label | meaning | probability %"), "{e:?}");
        let band_format = bad(&|d: &mut MatrixDraft| d.bands = "low=1, high:10".into());
        let e = fields(
            fx.app
                .set_risk_matrix(&rm, &band_format, 2)
                .await
                .unwrap_err(),
        );
        assert!(
            !e.is_empty() && e.iter().all(|(f, _)| f == "bands"),
            "{backend} {e:?}"
        );
        assert!(e[0].1.contains("name:lowest score"), "{e:?}");
        let band_number = bad(&|d: &mut MatrixDraft| d.bands = "low:one".into());
        assert!(
            field_names(
                fx.app
                    .set_risk_matrix(&rm, &band_number, 2)
                    .await
                    .unwrap_err()
            )
            .iter()
            .all(|f| f == "bands")
        );
        // None of the refused drafts was saved.
        assert_eq!(fx.app.risk_matrix(&rm).await.unwrap(), v2, "{backend}");
        // Project managers (even organization-wide) and team members may not change it.
        for who in [
            pm.clone(),
            actor(Role::ProjectManager, Scope::Organization),
            actor(Role::TeamMember, Scope::Organization),
            actor(Role::RiskManager, Scope::Project(fx.x)),
        ] {
            assert!(
                forbidden(fx.app.set_risk_matrix(&who, &base, 2).await),
                "{backend} {:?}",
                who.grants
            );
        }
        // Two saves, two audit records (refusals leave none).
        assert_eq!(
            audit_actions(&fx.app, "risk_matrix").await,
            ["update", "update"],
            "{backend}"
        );
    }
}

#[tokio::test]
async fn register_numbering_rating_emv_history_and_rights() {
    for (backend, fx) in apps().await {
        let (x, y) = (fx.x, fx.y);
        let pm = actor(Role::ProjectManager, Scope::Project(x));
        let m = RiskMatrix::default();
        // p4 (0.65) × max(cost 3, schedule 4) = 16, critical; EMV 0.65 × 200,000.00.
        let r1 = fx
            .app
            .create_risk(&pm, x, &threat("Supplier late", "4", "3", "4"))
            .await
            .unwrap();
        assert_eq!(
            (r1.reference(), r1.score(), r1.version),
            ("R-1".to_owned(), Some(16), 1),
            "{backend}"
        );
        assert_eq!(m.band_name(16), "critical");
        assert_eq!(r1.cost_impact, 20_000_000);
        assert_eq!(r1.emv(&m), 13_000_000, "{backend}");
        assert_eq!(r1.history.len(), 1, "{backend}");
        assert_eq!(r1.history[0].by, pm.email);
        assert_eq!(r1.strategy, Some(Strategy::Mitigate));
        // Not assessed: no score, EMV 0, no history.
        let r2 = fx
            .app
            .create_risk(&pm, x, &threat("Key person leaves", "", "", ""))
            .await
            .unwrap();
        assert_eq!(
            (r2.reference(), r2.score(), r2.emv(&m), r2.history.len()),
            ("R-2".to_owned(), None, 0, 0),
            "{backend}"
        );
        // p2 × 2 = 4, low.
        let r3 = fx
            .app
            .create_risk(&pm, x, &threat("Rain", "2", "2", ""))
            .await
            .unwrap();
        assert_eq!((r3.reference(), r3.score()), ("R-3".to_owned(), Some(4)));
        // Another project's register starts at R-1.
        let other = fx
            .app
            .create_risk(&dir(), y, &threat("Elsewhere", "1", "1", ""))
            .await
            .unwrap();
        assert_eq!(other.reference(), "R-1", "{backend}");
        // Read back as stored.
        let d = fx.app.get_risk(&pm, r1.id).await.unwrap();
        assert_eq!(d.risk, r1, "{backend}");
        assert!(d.can_edit);
        assert_eq!(d.origin.key, "PRJ-001");
        assert_eq!(d.matrix.version, 0);
        // Same rating again (other fields changed): no new history entry.
        let mut same = threat("Supplier delivers late", "4", "3", "4");
        same.owner = "Ann".into();
        let u = fx.app.update_risk(&pm, r1.id, &same, 1).await.unwrap();
        assert_eq!(
            (
                u.version,
                u.history.len(),
                u.owner.as_str(),
                u.title.as_str()
            ),
            (2, 1, "Ann", "Supplier delivers late"),
            "{backend}"
        );
        // A new rating: one more entry, with the new rating; EMV follows the probability.
        let lower = threat("Supplier delivers late", "2", "3", "4");
        let u = fx.app.update_risk(&pm, r1.id, &lower, 2).await.unwrap();
        assert_eq!((u.version, u.score(), u.history.len()), (3, Some(8), 2));
        assert_eq!(u.history[1].rating, u.rating);
        assert_eq!(u.emv(&m), 4_000_000, "0.2 × 200,000.00");
        let stored = fx.app.get_risk(&pm, r1.id).await.unwrap().risk;
        assert_eq!(stored, u, "{backend}");
        // A stale version is refused and changes nothing.
        assert!(
            stale(fx.app.update_risk(&pm, r1.id, &same, 2).await),
            "{backend}"
        );
        assert_eq!(fx.app.get_risk(&pm, r1.id).await.unwrap().risk.version, 3);
        // The strategy must fit the kind.
        let mut exploit = threat("Supplier delivers late", "2", "3", "4");
        exploit.strategy = "exploit".into();
        assert_eq!(
            field_names(
                fx.app
                    .update_risk(&pm, r1.id, &exploit, 3)
                    .await
                    .unwrap_err()
            ),
            ["strategy"],
            "{backend}"
        );
        assert_eq!(
            field_names(fx.app.create_risk(&pm, x, &exploit).await.unwrap_err()),
            ["strategy"]
        );
        let mut opportunity = exploit.clone();
        opportunity.kind = "opportunity".into();
        let o = fx.app.create_risk(&pm, x, &opportunity).await.unwrap();
        assert_eq!(
            (o.kind, o.strategy, o.reference()),
            (
                RiskKind::Opportunity,
                Some(Strategy::Exploit),
                "R-4".to_owned()
            )
        );
        // Levels outside the matrix and unknown dimensions: errors on the rating.
        let e = fields(
            fx.app
                .create_risk(&pm, x, &threat("Too likely", "6", "3", ""))
                .await
                .unwrap_err(),
        );
        assert_eq!(e[0].0, "probability", "{e:?}");
        let mut weather = threat("Storm", "3", "", "");
        weather.impacts.insert("weather".into(), "2".into());
        let e = fields(fx.app.create_risk(&pm, x, &weather).await.unwrap_err());
        assert!(e.iter().all(|(f, _)| f == "probability"), "{e:?}");
        assert!(e[0].1.contains("weather"), "{e:?}");
        // A probability without any impact is incomplete.
        assert_eq!(
            field_names(
                fx.app
                    .create_risk(&pm, x, &threat("Half", "3", "", ""))
                    .await
                    .unwrap_err()
            ),
            ["probability"]
        );
        // A PM of another project may neither add nor change; nor read X's risks.
        let pm_y = actor(Role::ProjectManager, Scope::Project(y));
        assert!(forbidden(
            fx.app
                .create_risk(&pm_y, x, &threat("Nope", "", "", ""))
                .await
        ));
        assert!(forbidden(fx.app.update_risk(&pm_y, r1.id, &lower, 3).await));
        assert!(forbidden(fx.app.get_risk(&pm_y, r1.id).await));
        assert!(forbidden(
            fx.app
                .project_risks(&pm_y, x, false, "score", true, Page::first(50))
                .await
        ));
        // A team member of X reads but does not edit.
        let team = actor(Role::TeamMember, Scope::Project(x));
        let seen = fx.app.get_risk(&team, r1.id).await.unwrap();
        assert!(!seen.can_edit, "{backend}");
        assert!(forbidden(fx.app.update_risk(&team, r1.id, &lower, 3).await));
        assert!(forbidden(
            fx.app
                .create_risk(&team, x, &threat("Mine", "", "", ""))
                .await
        ));
        // The risk manager edits any register.
        let rm = risk_manager();
        // Same score (p2 × max impact 2) but a new impact dimension: a new rating.
        let u = fx
            .app
            .update_risk(&rm, r3.id, &threat("Rain", "2", "2", "1"), 1)
            .await
            .unwrap();
        assert_eq!((u.version, u.score(), u.history.len()), (2, Some(4), 2));
        assert_eq!(u.history[1].by, rm.email);
        // Sorting: by score, worst first, the unassessed last; by number; ascending score
        // keeps the unassessed last too.
        let refs = |desc: bool, sort: &'static str| {
            let app = fx.app.clone();
            let team = team.clone();
            async move {
                let ((items, _), m) = app
                    .project_risks(&team, x, false, sort, desc, Page::first(50))
                    .await
                    .unwrap();
                assert_eq!(m.version, 0);
                items.iter().map(|r| r.reference()).collect::<Vec<_>>()
            }
        };
        // Scores: R-1 8, R-2 none, R-3 4, R-4 (opportunity p2 × 4) 8.
        let by_score = refs(true, "score").await;
        assert_eq!(by_score.len(), 4, "{backend}");
        assert_eq!(by_score[3], "R-2", "{backend} {by_score:?}");
        assert_eq!(by_score[2], "R-3", "{backend} {by_score:?}");
        let asc = refs(false, "score").await;
        assert_eq!(asc.first().map(String::as_str), Some("R-3"), "{asc:?}");
        assert_eq!(
            asc.last().map(String::as_str),
            Some("R-2"),
            "{backend} {asc:?}"
        );
        assert_eq!(refs(false, "number").await, ["R-1", "R-2", "R-3", "R-4"]);
        // Y's risk is not in X's register; closed risks drop out of the open list.
        let mut closed = RiskDraft::of(&fx.app.get_risk(&pm, r3.id).await.unwrap().risk);
        closed.status = "closed".into();
        fx.app.update_risk(&pm, r3.id, &closed, 2).await.unwrap();
        let ((open, _), _) = fx
            .app
            .project_risks(&pm, x, true, "number", false, Page::first(50))
            .await
            .unwrap();
        assert_eq!(
            open.iter().map(|r| r.reference()).collect::<Vec<_>>(),
            ["R-1", "R-2", "R-4"],
            "{backend}"
        );
        // Every write audited; refusals leave nothing.
        let mut actions = audit_actions(&fx.app, "risk").await;
        actions.sort();
        assert_eq!(
            actions.iter().filter(|a| *a == "create").count(),
            5,
            "{backend} {actions:?}"
        );
        assert_eq!(
            actions.iter().filter(|a| *a == "update").count(),
            4,
            "{backend} {actions:?}"
        );
    }
}

#[tokio::test]
async fn changing_the_matrix_keeps_existing_risks_readable() {
    for (backend, fx) in apps().await {
        let pm = actor(Role::ProjectManager, Scope::Project(fx.x));
        let old = fx
            .app
            .create_risk(&pm, fx.x, &threat("Supplier late", "4", "3", "4"))
            .await
            .unwrap();
        let unrated = fx
            .app
            .create_risk(&pm, fx.x, &threat("Later", "", "", ""))
            .await
            .unwrap();
        // The risk manager switches to a 3 × 3 matrix.
        let small = MatrixDraft {
            probability: "Low | under 30 % | 20\nMedium | 30–70 % | 50\nHigh | over 70 % | 80"
                .into(),
            impact: "Low | small\nMedium | noticeable\nHigh | serious".into(),
            dimensions: "cost, schedule".into(),
            bands: "low:1, medium:3, high:6".into(),
        };
        let m = fx
            .app
            .set_risk_matrix(&risk_manager(), &small, 0)
            .await
            .unwrap();
        assert_eq!((m.version, m.max_score()), (1, 9), "{backend}");
        // Existing risks still read, with their rating as it was.
        let d = fx.app.get_risk(&pm, old.id).await.unwrap();
        assert_eq!(d.risk, old, "{backend}");
        assert_eq!(d.matrix, m);
        assert_eq!(d.risk.score(), Some(16));
        assert_eq!(d.matrix.band_name(16), "high");
        let ((items, _), listed_on) = fx
            .app
            .project_risks(&pm, fx.x, false, "score", true, Page::first(50))
            .await
            .unwrap();
        assert_eq!(listed_on, m);
        assert_eq!(
            items.iter().map(|r| r.id).collect::<Vec<_>>(),
            [old.id, unrated.id],
            "{backend}"
        );
        // New ratings use the new scale: level 4 no longer exists.
        let e = fields(
            fx.app
                .create_risk(&pm, fx.x, &threat("New", "4", "2", ""))
                .await
                .unwrap_err(),
        );
        assert_eq!(e.len(), 1, "{backend} {e:?}");
        assert_eq!(e[0].0, "probability");
        assert!(e[0].1.contains("1 to 3"), "{e:?}");
        let e = fields(
            fx.app
                .create_risk(&pm, fx.x, &threat("New", "2", "4", ""))
                .await
                .unwrap_err(),
        );
        assert_eq!(e[0].0, "probability", "{backend} {e:?}");
        assert!(e[0].1.contains("1 to 3"), "{e:?}");
        // A dimension the matrix no longer has is refused.
        let mut safety = threat("New", "2", "", "");
        safety.impacts.insert("safety".into(), "2".into());
        let e = field_names(fx.app.create_risk(&pm, fx.x, &safety).await.unwrap_err());
        assert!(
            !e.is_empty() && e.iter().all(|f| f == "probability"),
            "{e:?}"
        );
        // Within the scale: p3 (0.8) × 3 = 9, high; EMV 0.8 × 200,000.00.
        let new = fx
            .app
            .create_risk(&pm, fx.x, &threat("New", "3", "3", "1"))
            .await
            .unwrap();
        assert_eq!(
            (new.reference(), new.score(), new.emv(&m)),
            ("R-3".to_owned(), Some(9), 16_000_000),
            "{backend}"
        );
        assert_eq!(m.band_name(9), "high");
        // The old risk can be re-rated on the new scale.
        let re = fx
            .app
            .update_risk(&pm, old.id, &threat("Supplier late", "3", "2", "2"), 1)
            .await
            .unwrap();
        assert_eq!((re.score(), re.history.len()), (Some(6), 2), "{backend}");
    }
}

/// The portfolio view: count and EMV per cell, not assessed apart, opportunities apart,
/// closed risks left out, top threats and a cell's threats listed in full, concentrations,
/// and a scoped caller sees only their project's risks.
#[tokio::test]
async fn portfolio_view_counts_cells_and_respects_scope() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let d = dir();
        // X: two threats in cell 4×3, one not assessed, one opportunity, one closed.
        for t in ["Late vendor", "Late rig"] {
            let mut r = threat(t, "4", "3", "");
            r.category = "supplier".into();
            app.create_risk(&d, fx.x, &r).await.unwrap();
        }
        app.create_risk(&d, fx.x, &threat("Unrated", "", "", ""))
            .await
            .unwrap();
        let mut opp = threat("Discount", "2", "2", "");
        opp.kind = "opportunity".into();
        opp.strategy = "exploit".into();
        app.create_risk(&d, fx.x, &opp).await.unwrap();
        let mut closed = threat("Gone", "5", "5", "");
        closed.status = "closed".into();
        app.create_risk(&d, fx.x, &closed).await.unwrap();
        // Y: one critical threat.
        app.create_risk(&d, fx.y, &threat("Outage", "5", "4", ""))
            .await
            .unwrap();

        let o = app.risk_overview(&d, None, Some((4, 3))).await.unwrap();
        assert_eq!(o.open, 5, "{backend}: closed risks are left out");
        let c = o.heat.threats.cell(4, 3).unwrap();
        // p4 = 0.65 × 200,000.00 each.
        assert_eq!((c.count, c.emv), (2, 2 * 13_000_000), "{backend}");
        assert_eq!(o.heat.threats.not_assessed.len(), 1, "{backend}");
        assert_eq!(
            o.heat.opportunities.cell(2, 2).unwrap().count,
            1,
            "{backend}"
        );
        assert_eq!(o.heat.threats.cell(5, 5).unwrap().count, 0, "{backend}");
        let top: Vec<&str> = o.top.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(top[0], "Outage", "{backend}: worst first");
        assert_eq!(top.len(), 3, "{backend}: rated open threats only");
        let mut cell: Vec<&str> = o.cell.iter().map(|r| r.title.as_str()).collect();
        cell.sort();
        assert_eq!(cell, ["Late rig", "Late vendor"], "{backend}");
        let by_category = &o.concentrations[0].1;
        assert_eq!(by_category[0].0, "supplier", "{backend}");
        assert_eq!(by_category[0].1.open, 2, "{backend}");

        // A project manager scoped to Y sees only Y's risk.
        let pm_y = actor(Role::ProjectManager, Scope::Project(fx.y));
        let o = app.risk_overview(&pm_y, None, None).await.unwrap();
        assert_eq!(o.open, 1, "{backend}");
        assert_eq!(o.top[0].title, "Outage", "{backend}");
    }
}

/// Owners see their overdue reviews and actions; the register exports as CSV and XLSX.
#[tokio::test]
async fn owners_see_overdue_reviews_and_the_register_exports() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let pm = actor(Role::ProjectManager, Scope::Project(fx.x));
        let mut mine = threat("Vendor slips", "3", "2", "");
        mine.owner = "Project_Manager@test".into();
        mine.next_review = "2020-01-01".into();
        mine.actions =
            "Call the vendor | pm | 2020-02-01 | started\nDone already | pm | 2020-01-15 | done"
                .into();
        app.create_risk(&dir(), fx.x, &mine).await.unwrap();
        let mut later = threat("Later", "3", "2", "");
        later.owner = "project_manager@test".into();
        later.next_review = "2999-01-01".into();
        app.create_risk(&dir(), fx.x, &later).await.unwrap();
        let mut theirs = threat("Someone else's", "3", "2", "");
        theirs.owner = "Ann".into();
        theirs.next_review = "2020-01-01".into();
        app.create_risk(&dir(), fx.x, &theirs).await.unwrap();

        let due = app.my_risks_due(&pm).await.unwrap();
        assert_eq!(due.len(), 1, "{backend}");
        assert_eq!(due[0].risk.title, "Vendor slips");
        assert_eq!(
            due[0].reasons,
            [
                "review due 2020-01-01",
                "action “Call the vendor” due 2020-02-01"
            ],
            "{backend}"
        );
        // An owner who may not read the project sees nothing of it.
        let mut stranger = actor(Role::ProjectManager, Scope::Project(fx.y));
        stranger.email = "project_manager@test".into();
        assert!(app.my_risks_due(&stranger).await.unwrap().is_empty());

        let csv = app.risks_export(&pm, fx.x, "csv").await.unwrap();
        let text = String::from_utf8(csv.bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("Ref,Title,Kind,Status"), "{text}");
        assert_eq!(lines.len(), 4, "{backend}: header + 3 risks");
        assert!(
            lines[1].starts_with("R-1,Vendor slips,Threat,Open"),
            "{text}"
        );
        let xlsx = app.risks_export(&pm, fx.x, "xlsx").await.unwrap();
        assert!(xlsx.bytes.starts_with(b"PK"));
        assert!(app.risks_export(&pm, fx.x, "pdf").await.is_err());
        let other = actor(Role::ProjectManager, Scope::Project(fx.y));
        assert!(forbidden(app.risks_export(&other, fx.x, "csv").await));
    }
}

/// The risk appetite: saved by the risk manager (versioned, validated against the matrix's
/// bands), and its limits checked against the open threats: a count per program and an
/// EMV ceiling organization-wide.
#[tokio::test]
async fn appetite_rules_and_breaches() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let rm = risk_manager();
        assert_eq!(app.risk_appetite(&rm).await.unwrap().version, 0);
        let d = atrium_core::risk::AppetiteDraft {
            rules: "One critical schedule risk at most | schedule | portfolio | 1 critical |\nExposure ceiling | * | organization | | 200000".into(),
        ..Default::default()
    };
        let pm = actor(Role::ProjectManager, Scope::Project(fx.x));
        assert!(forbidden(app.set_risk_appetite(&pm, &d, 0).await));
        let bad = atrium_core::risk::AppetiteDraft {
            rules: "x | * | program | 1 extreme |".into(),
            ..Default::default()
        };
        assert_eq!(
            field_names(app.set_risk_appetite(&rm, &bad, 0).await.unwrap_err()),
            ["rules"]
        );
        let saved = app.set_risk_appetite(&rm, &d, 0).await.unwrap();
        assert_eq!(saved.version, 1);
        assert!(stale(app.set_risk_appetite(&rm, &d, 0).await));
        assert!(
            app.appetite_breaches(&rm).await.unwrap().is_empty(),
            "{backend}"
        );

        // Two critical schedule threats (p4 × i4 = 16) in the same portfolio: over the count;
        // their EMV 2 × 0.65 × 200,000.00 = 260,000.00: over the ceiling.
        for t in ["Slip A", "Slip B"] {
            let mut r = threat(t, "4", "", "4");
            r.category = "schedule".into();
            app.create_risk(&dir(), fx.x, &r).await.unwrap();
        }
        let b = app.appetite_breaches(&rm).await.unwrap();
        assert_eq!(b.len(), 2, "{backend}: {b:?}");
        assert_eq!(b[0].statement, "One critical schedule risk at most");
        assert!(b[0].scope.starts_with("Portfolio PF"), "{:?}", b[0]);
        assert_eq!(b[0].measure, "2 critical risks or worse (at most 1)");
        assert_eq!(b[1].scope, "Organization");
        assert_eq!(b[1].measure, "EMV 260,000.00 (at most 200,000.00)");
        assert_eq!(b[1].risks, 2);
    }
}

/// Escalation: by the owner's decision or on the thresholds, pending in the queue, accepted
/// into the register above (the level moves) or returned with a note; every step recorded;
/// the escalated risks export for an enterprise risk system.
#[tokio::test]
async fn escalation_by_hand_and_by_threshold() {
    use atrium_core::risk::{EscalationState, RegisterLevel};
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let pm = actor(Role::ProjectManager, Scope::Project(fx.x));
        let rm = risk_manager();
        let r = app
            .create_risk(&dir(), fx.x, &threat("Big one", "3", "3", ""))
            .await
            .unwrap();
        assert!(r.escalation.is_none());
        // The project has no program: it goes to the portfolio register.
        let e = app
            .escalate_risk(&pm, r.id, "Beyond the project", 1)
            .await
            .unwrap();
        let esc = e.escalation.clone().unwrap();
        assert_eq!(
            (esc.from, esc.to, esc.state),
            (
                RegisterLevel::Project,
                RegisterLevel::Portfolio,
                EscalationState::Pending
            ),
            "{backend}"
        );
        assert_eq!(
            field_names(app.escalate_risk(&pm, r.id, "again", 2).await.unwrap_err()),
            ["note"]
        );
        // The project manager cannot decide; the risk manager returns it (a note is needed)…
        assert!(forbidden(
            app.decide_escalation(&pm, r.id, true, "", 2).await
        ));
        assert_eq!(
            field_names(
                app.decide_escalation(&rm, r.id, false, " ", 2)
                    .await
                    .unwrap_err()
            ),
            ["note"]
        );
        assert_eq!(
            app.escalation_queue(&rm).await.unwrap().len(),
            1,
            "{backend}"
        );
        let back = app
            .decide_escalation(&rm, r.id, false, "Handle it in the project", 2)
            .await
            .unwrap();
        assert_eq!(back.level, RegisterLevel::Project);
        assert_eq!(
            back.escalation.as_ref().unwrap().state,
            EscalationState::Returned
        );
        assert!(app.escalation_queue(&rm).await.unwrap().is_empty());
        // … escalated again and accepted: the risk is now in the portfolio register.
        app.escalate_risk(&pm, r.id, "It grew", 3).await.unwrap();
        let up = app.decide_escalation(&rm, r.id, true, "", 4).await.unwrap();
        assert_eq!(up.level, RegisterLevel::Portfolio, "{backend}");
        let steps: Vec<&str> = up
            .escalation
            .as_ref()
            .unwrap()
            .steps
            .iter()
            .map(|s| s.action.as_str())
            .collect();
        assert_eq!(steps, ["escalate", "return", "escalate", "accept"]);
        assert!(stale(app.escalate_risk(&pm, r.id, "x", 4).await));

        // Thresholds: a threat of score 16 or more escalates on its own when recorded.
        let d = atrium_core::risk::AppetiteDraft {
            escalate_score: "16".into(),
            ..Default::default()
        };
        app.set_risk_appetite(&rm, &d, 0).await.unwrap();
        let low = app
            .create_risk(&dir(), fx.x, &threat("Small", "2", "2", ""))
            .await
            .unwrap();
        assert!(low.escalation.is_none());
        let high = app
            .create_risk(&dir(), fx.x, &threat("Severe", "4", "4", ""))
            .await
            .unwrap();
        let esc = high.escalation.unwrap();
        assert_eq!(
            (esc.state, esc.steps[0].by.as_str()),
            (EscalationState::Pending, "threshold"),
            "{backend}"
        );
        // Rating the small one up escalates it too.
        let up = app
            .update_risk(&dir(), low.id, &threat("Small", "4", "4", ""), 1)
            .await
            .unwrap();
        assert!(up.escalation.is_some(), "{backend}");
        assert_eq!(app.escalation_queue(&rm).await.unwrap().len(), 2);
        // A project manager of another project sees none of them.
        let other = actor(Role::ProjectManager, Scope::Project(fx.y));
        assert!(app.escalation_queue(&other).await.unwrap().is_empty());
        let csv = app.escalations_export(&rm, "csv").await.unwrap();
        let text = String::from_utf8(csv.bytes).unwrap();
        assert_eq!(
            text.lines().count(),
            4,
            "{backend}: header + 3 escalated: {text}"
        );
        assert!(
            text.contains("Big one") && text.contains("Accepted"),
            "{text}"
        );
    }
}

/// The portfolio of the fixture's projects.
async fn portfolio_of(app: &App, project: Uuid) -> Uuid {
    app.get_project(&dir(), project).await.unwrap().portfolio_id
}

/// Programs and portfolios keep registers of their own: risks raised there are numbered
/// apart, read and edited by the roles in scope, never delay plan tasks, escalate to the
/// register above, show in the portfolio view and export with their register level.
#[tokio::test]
async fn program_and_portfolio_registers() {
    use atrium_app::risk::Register;
    use atrium_core::risk::RegisterLevel;
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let pf = portfolio_of(app, fx.x).await;
        let g = app
            .create_program(
                &dir(),
                &atrium_core::program::ProgramDraft {
                    key: "PRG".into(),
                    name: "Program".into(),
                    portfolio_id: Some(pf),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .id;
        let prog_mgr = actor(Role::ProgramManager, Scope::Program(g));
        let pm_x = actor(Role::ProjectManager, Scope::Project(fx.x));
        // A project risk first: program numbering does not continue it.
        app.create_risk(&dir(), fx.x, &threat("Project one", "2", "2", ""))
            .await
            .unwrap();
        let a = app
            .create_risk_in(
                &prog_mgr,
                Register::Program(g),
                &threat("Shared go-live", "4", "4", ""),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                a.number,
                a.level,
                a.project_id,
                a.program_id,
                a.portfolio_id
            ),
            (1, RegisterLevel::Program, None, Some(g), Some(pf)),
            "{backend}"
        );
        let mut delays = threat("Delays tasks", "2", "2", "");
        delays.delay_tasks = "1".into();
        delays.delay_days = "1/2/3".into();
        assert_eq!(
            field_names(
                app.create_risk_in(&prog_mgr, Register::Program(g), &delays)
                    .await
                    .unwrap_err()
            ),
            ["delay_tasks"],
            "{backend}"
        );
        // A project manager (scoped to a project) neither reads nor writes the program's.
        assert!(forbidden(
            app.create_risk_in(&pm_x, Register::Program(g), &threat("No", "1", "1", ""))
                .await
        ));
        assert!(forbidden(
            app.register_risks(
                &pm_x,
                Register::Program(g),
                false,
                "number",
                false,
                Page::first(50)
            )
            .await
        ));
        assert!(forbidden(app.get_risk(&pm_x, a.id).await));
        // The program manager edits it; the portfolio's register gets its own R-1.
        let detail = app.get_risk(&prog_mgr, a.id).await.unwrap();
        assert!(detail.can_edit && detail.can_decide, "{backend}");
        assert_eq!(detail.origin.key, "PRG");
        let mut d = RiskDraft::of(&a);
        d.title = "Shared go-live date".into();
        app.update_risk(&prog_mgr, a.id, &d, 1).await.unwrap();
        let pm_pf = actor(Role::PortfolioManager, Scope::Portfolio(pf));
        let b = app
            .create_risk_in(
                &pm_pf,
                Register::Portfolio(pf),
                &threat("Funding cut", "3", "5", ""),
            )
            .await
            .unwrap();
        assert_eq!(
            (b.number, b.level, b.program_id),
            (1, RegisterLevel::Portfolio, None)
        );
        assert!(forbidden(
            app.create_risk_in(
                &prog_mgr,
                Register::Portfolio(pf),
                &threat("No", "1", "1", "")
            )
            .await
        ));

        // Escalated from the program to the portfolio and accepted: it moves registers.
        let e = app
            .escalate_risk(&prog_mgr, a.id, "Beyond the program", 2)
            .await
            .unwrap();
        assert!(forbidden(
            app.decide_escalation(&pm_x, a.id, true, "", e.version)
                .await
        ));
        app.decide_escalation(&pm_pf, a.id, true, "", e.version)
            .await
            .unwrap();
        let list = |reg| async move {
            app.register_risks(&dir(), reg, false, "number", false, Page::first(50))
                .await
                .unwrap()
                .0
                .0
                .into_iter()
                .map(|r| r.title)
                .collect::<Vec<_>>()
        };
        assert!(list(Register::Program(g)).await.is_empty(), "{backend}");
        let mut in_pf = list(Register::Portfolio(pf)).await;
        in_pf.sort();
        assert_eq!(in_pf, ["Funding cut", "Shared go-live date"], "{backend}");
        let q = app.escalations_export(&dir(), "csv").await.unwrap();
        let text = String::from_utf8(q.bytes).unwrap();
        assert!(text.contains("PRG,R-1,Shared go-live date"), "{text}");

        // The portfolio view counts all three registers; the export names the level.
        let o = app.risk_overview(&dir(), None, None).await.unwrap();
        assert_eq!(o.open, 3, "{backend}");
        let top: Vec<(String, Option<String>)> = o
            .top
            .iter()
            .map(|r| (r.title.clone(), r.project_key.clone()))
            .collect();
        assert!(
            top.contains(&("Funding cut".into(), Some("PF".into()))),
            "{backend}: {top:?}"
        );
        // A project manager of X sees X's risk only.
        assert_eq!(app.risk_overview(&pm_x, None, None).await.unwrap().open, 1);
        let csv = app
            .register_export(&pm_pf, Register::Portfolio(pf), "csv")
            .await
            .unwrap();
        let text = String::from_utf8(csv.bytes).unwrap();
        assert!(
            text.lines().next().unwrap().ends_with(",Register"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 3, "{backend}: {text}");
        assert!(text.contains(",Portfolio"), "{text}");
    }
}

/// Action owners see their overdue actions on risks they do not own.
#[tokio::test]
async fn action_owners_see_their_overdue_actions() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let mut r = threat("Vendor slips", "3", "2", "");
        r.owner = "Ann".into();
        r.next_review = "2020-01-01".into();
        r.actions = "Call the vendor | Project_Manager@test | 2020-02-01 | started\n\
                     Not mine | Bob | 2020-02-01 | planned\n\
                     Done | project_manager@test | 2020-01-01 | done"
            .into();
        app.create_risk(&dir(), fx.x, &r).await.unwrap();
        let pm = actor(Role::ProjectManager, Scope::Project(fx.x));
        let due = app.my_risks_due(&pm).await.unwrap();
        assert_eq!(due.len(), 1, "{backend}");
        assert_eq!(due[0].reasons, ["action “Call the vendor” due 2020-02-01"]);
        assert_eq!(due[0].project_key, "PRJ-001");
        let mut ann = actor(Role::ProjectManager, Scope::Project(fx.x));
        ann.name = "Ann".into();
        ann.email = "ann@test".into();
        let due = app.my_risks_due(&ann).await.unwrap();
        assert_eq!(
            due[0].reasons.len(),
            3,
            "{backend}: review + two open actions"
        );
    }
}

/// Concentration by the strategic driver of each project's business case, the weekly
/// exposure trend from the snapshots every risk write leaves, and the risk register
/// replacing the business case's risk rating in the portfolio ranking.
#[tokio::test]
async fn drivers_trend_and_risk_adjusted_priority() {
    use atrium_core::money::Minor;
    use atrium_core::strategy::{DriverDraft, Proposal, ProposalState, YearCost};
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let pf = portfolio_of(app, fx.x).await;
        let growth = app
            .create_driver(
                &dir(),
                &DriverDraft {
                    name: "Growth".into(),
                    description: None,
                    weight: "1".into(),
                },
            )
            .await
            .unwrap()
            .id;
        let case = Proposal {
            id: Uuid::now_v7(),
            key: "PROP-001".into(),
            title: "Case of X".into(),
            description: None,
            portfolio_id: pf,
            sponsor_id: None,
            state: ProposalState::Approved,
            mandatory: false,
            start: jiff::civil::date(2026, 1, 1),
            max_shift: 0,
            ratings: [(growth, 4u8)].into_iter().collect(),
            risk: 1,
            costs: vec![YearCost {
                year: 2026,
                capex: Minor(10_000_000),
                opex: Minor(0),
            }],
            benefits: vec![],
            capacity: vec![],
            links: vec![],
            rationale: None,
            project_id: Some(fx.x),
            version: 1,
        };
        let mut tx = app.db.begin().await.unwrap();
        atrium_store::strategy::insert_proposal(&mut tx, &case, 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let before = app.ranking(&dir(), pf).await.unwrap();
        let m0 = before[0].score.risk_multiplier;

        app.create_risk(&dir(), fx.x, &threat("Critical", "5", "5", ""))
            .await
            .unwrap();
        app.create_risk(&dir(), fx.y, &threat("Minor", "1", "1", ""))
            .await
            .unwrap();
        let o = app.risk_overview(&dir(), None, None).await.unwrap();
        let (dim, groups) = &o.concentrations[3];
        assert_eq!(*dim, "Strategic driver");
        let labels: Vec<(&str, u32)> = groups.iter().map(|(l, c)| (l.as_str(), c.open)).collect();
        assert!(labels.contains(&("Growth", 1)), "{backend}: {labels:?}");
        assert!(
            labels.contains(&("(no business case)", 1)),
            "{backend}: {labels:?}"
        );

        // Today's snapshot holds both threats: 0.9 × 200,000.00 + 0.05 × 200,000.00.
        let (day, last) = *o.trend.last().unwrap();
        assert_eq!(day, app.today(), "{backend}");
        assert_eq!(
            (last.open, last.emv, last.severe),
            (2, 19_000_000, 1),
            "{backend}"
        );
        assert_eq!(o.trend.len(), 13);
        assert_eq!(o.trend[0].1.open, 0, "{backend}: nothing 12 weeks ago");
        // Someone scoped to a project sees no portfolio-wide trend.
        let pm_x = actor(Role::ProjectManager, Scope::Project(fx.x));
        assert!(
            app.risk_overview(&pm_x, None, None)
                .await
                .unwrap()
                .trend
                .is_empty()
        );

        // X's register (worst threat 25 of 25) now drives its risk adjustment.
        let after = app.ranking(&dir(), pf).await.unwrap();
        assert!(
            after[0].score.risk_multiplier < m0,
            "{backend}: {m0} → {}",
            after[0].score.risk_multiplier
        );
        assert!(
            after[0]
                .explanation
                .contains("risk register: worst open threat 25 of 25"),
            "{}",
            after[0].explanation
        );
    }
}
