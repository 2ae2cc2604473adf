//! Portfolio management end to end through the application layer, on SQLite and (when
//! configured) PostgreSQL: AHP weights (refusal names the conflicting judgements), the
//! proposal workflow (approval creates the project; directive mode reserves approval to the
//! PMO), the explained ranking, scenarios (optimize, forcing, copy, compare, commit applying
//! proceed / defer / terminate to live data) and the audit trail of every decision.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use atrium_app::scenario::DecisionInput;
use atrium_app::strategy::{ApproveOptions, JudgementInput};
use atrium_app::{Actor, App, AppError};
use atrium_core::identity::{Grant, Role, Scope};
use atrium_core::project::Phase;
use atrium_core::strategy::{
    Decision, DriverDraft, ForceMode, ProposalDraft, ProposalState, ScenarioDraft, Transition,
};
use atrium_store::strategy::ProposalFilter;
use atrium_store::{Page, audit, portfolio, project, testing};
use std::collections::BTreeMap;
use uuid::Uuid;

fn actor(role: Role) -> Actor {
    Actor {
        user_id: Uuid::now_v7(),
        email: format!("{}@test", role.as_str()),
        name: role.label().into(),
        grants: vec![Grant {
            role,
            scope: Scope::Organization,
        }],
        csrf: String::new(),
    }
}

async fn demo_apps() -> Vec<(&'static str, App)> {
    let mut out = Vec::new();
    for (name, db) in testing::all().await.unwrap() {
        let app = App::new(db);
        app.load_demo(atrium_app::demo::DemoSize::Small, &|_, _| {})
            .await
            .unwrap();
        out.push((name, app));
    }
    out
}

async fn first_portfolio(app: &App) -> Uuid {
    let (pfs, _) = portfolio::list_portfolios(
        &app.db,
        None,
        false,
        &atrium_store::project::Visibility::All,
        "key",
        false,
        Page::first(10),
    )
    .await
    .unwrap();
    pfs[0].id
}

fn field_errors(e: AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(v) => v.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn pairwise_weights_are_accepted_only_when_consistent() {
    for (backend, app) in demo_apps().await {
        let pm = actor(Role::PortfolioManager);
        let drivers: Vec<_> = app
            .strategy(&pm)
            .await
            .unwrap()
            .drivers
            .into_iter()
            .filter(|d| !d.driver.archived)
            .map(|d| d.driver)
            .collect();
        assert_eq!(drivers.len(), 5, "{backend}: demo drivers");
        let j = |a: usize, b: usize, v: &str| JudgementInput {
            a: drivers[a].id,
            b: drivers[b].id,
            value: v.into(),
        };
        // Circular: 0 > 1 > 2 > 0, strongly.
        let bad = vec![j(0, 1, "9"), j(1, 2, "9"), j(0, 2, "1/9")];
        let errs = field_errors(app.apply_pairwise(&pm, &bad).await.unwrap_err());
        let general = &errs.iter().find(|(f, _)| f == "judgements").unwrap().1;
        assert!(
            general.contains("consistency ratio"),
            "{backend}: {general}"
        );
        assert!(
            general.contains(&drivers[0].name) && general.contains(&drivers[2].name),
            "{backend}: names the conflicting drivers: {general}"
        );
        assert!(errs.iter().any(|(f, _)| f.starts_with("pair_")));
        // Nothing changed.
        let after = app.strategy(&pm).await.unwrap();
        assert!(after.config.judgements.is_empty());

        // Consistent: weights 4:2:1:1:1 (0 twice 1, 1 twice 2 …).
        let good = vec![
            j(0, 1, "2"),
            j(0, 2, "4"),
            j(0, 3, "4"),
            j(0, 4, "4"),
            j(1, 2, "2"),
            j(1, 3, "2"),
            j(1, 4, "2"),
            j(2, 3, "1"),
            j(2, 4, "1"),
            j(3, 4, "1"),
        ];
        let out = app.apply_pairwise(&pm, &good).await.unwrap();
        assert!(out.consistency_ratio < 0.01, "{backend}");
        let w: Vec<f64> = out.weights.iter().map(|x| x.1).collect();
        assert!((w[0] - 4.0 / 9.0).abs() < 1e-3, "{backend}: {w:?}");
        assert!((w[1] - 2.0 / 9.0).abs() < 1e-3, "{backend}: {w:?}");
        let v = app.strategy(&pm).await.unwrap();
        assert_eq!(v.config.judgements.len(), 10);
        assert!((v.drivers[0].driver.weight - w[0]).abs() < 1e-9);

        // Scale and permission checks.
        let errs = field_errors(app.apply_pairwise(&pm, &[j(0, 1, "12")]).await.unwrap_err());
        assert!(errs[0].1.contains("Saaty"), "{backend}: {errs:?}");
        assert!(matches!(
            app.apply_pairwise(&actor(Role::ProjectManager), &good)
                .await,
            Err(AppError::Forbidden)
        ));
        // Driver CRUD is the leads' too.
        let d = DriverDraft {
            name: "Sustainability".into(),
            description: None,
            weight: "abc".into(),
        };
        let errs = field_errors(app.create_driver(&pm, &d).await.unwrap_err());
        assert_eq!(errs[0].0, "weight");
        assert!(matches!(
            app.create_driver(&actor(Role::Sponsor), &d).await,
            Err(AppError::Forbidden)
        ));
    }
}

fn draft(pf: Uuid, key: &str, drivers: &[Uuid]) -> ProposalDraft {
    ProposalDraft {
        key: key.into(),
        title: format!("Proposal {key}"),
        portfolio_id: Some(pf),
        start: "2031-01-01".into(),
        max_shift: "1".into(),
        ratings: drivers.iter().map(|d| (*d, "4".to_owned())).collect(),
        risk: "2".into(),
        costs: "2031, 100000, 20000\n2032, 50000, 20000".into(),
        benefits: "2032, 150000\n2033, 150000".into(),
        capacity: "Software Developer, Q1, 1".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn proposal_workflow_approval_creates_the_project() {
    for (backend, app) in demo_apps().await {
        let pf = first_portfolio(&app).await;
        let pm = actor(Role::PortfolioManager);
        let drivers: Vec<Uuid> = app
            .strategy(&pm)
            .await
            .unwrap()
            .drivers
            .iter()
            .map(|d| d.driver.id)
            .collect();
        let proj_mgr = actor(Role::ProjectManager);
        // Validation: every bad field reported at once.
        let bad = ProposalDraft {
            costs: "2031; lots".into(),
            start: "someday".into(),
            ..draft(pf, "nope", &drivers)
        };
        let errs = field_errors(app.create_proposal(&proj_mgr, &bad).await.unwrap_err());
        let fields: Vec<&str> = errs.iter().map(|(f, _)| f.as_str()).collect();
        assert!(
            fields.contains(&"key") && fields.contains(&"start") && fields.contains(&"costs"),
            "{backend}: {fields:?}"
        );

        let p = app
            .create_proposal(&proj_mgr, &draft(pf, "PRP-900", &drivers))
            .await
            .unwrap();
        assert_eq!(p.state, ProposalState::Draft);
        let detail = app.get_proposal(&pm, p.id).await.unwrap();
        assert!(detail.finance.npv.0 > 0, "{backend}: NPV of a paying case");
        assert!(
            (detail.score.weighted - 80.0).abs() < 1e-6,
            "{backend}: all 4/5 → 80"
        );
        assert!(detail.score.risk_adjusted < detail.score.weighted);
        // Duplicate keys are refused on the field.
        let errs = field_errors(
            app.create_proposal(&proj_mgr, &draft(pf, "PRP-900", &drivers))
                .await
                .unwrap_err(),
        );
        assert_eq!(errs[0].0, "key");

        let none = ApproveOptions::default();
        let p = app
            .transition_proposal(&proj_mgr, p.id, Transition::Submit, None, &none, 1)
            .await
            .unwrap();
        // A project manager may not screen.
        assert!(matches!(
            app.transition_proposal(&proj_mgr, p.id, Transition::Screen, None, &none, 2)
                .await,
            Err(AppError::Forbidden)
        ));
        // Approving before scoring is refused with the allowed steps.
        let errs = field_errors(
            app.transition_proposal(&pm, p.id, Transition::Approve, None, &none, 2)
                .await
                .unwrap_err(),
        );
        assert!(errs[0].1.contains("allowed"), "{backend}: {errs:?}");
        // Deferring needs a rationale.
        let errs = field_errors(
            app.transition_proposal(&pm, p.id, Transition::Defer, Some("  "), &none, 2)
                .await
                .unwrap_err(),
        );
        assert_eq!(errs[0].0, "rationale");
        let p = app
            .transition_proposal(&pm, p.id, Transition::Screen, None, &none, 2)
            .await
            .unwrap();
        let p = app
            .transition_proposal(&pm, p.id, Transition::Score, None, &none, 3)
            .await
            .unwrap();
        let opts = ApproveOptions {
            project_key: Some("NEW-900".into()),
            manager_id: None,
        };
        let p = app
            .transition_proposal(&pm, p.id, Transition::Approve, Some("Best value"), &opts, 4)
            .await
            .unwrap();
        assert_eq!(p.state, ProposalState::Approved);
        let prj = project::get(&app.db, p.project_id.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(prj.key, "NEW-900", "{backend}");
        assert_eq!(prj.phase, Phase::Initiating);
        assert_eq!(prj.budget.0, 19_000_000);
        assert!(!p.state.editable());
        let (list, _) = app
            .list_proposals(
                &pm,
                &ProposalFilter {
                    state: Some("approved".into()),
                    ..Default::default()
                },
                "key",
                false,
                Page::first(50),
            )
            .await
            .unwrap();
        assert!(list.iter().any(|x| x.key == "PRP-900"));
        // Audited: create, submit, screen, score, approve, and the project.
        let (rows, _) = audit::list(
            &app.db,
            &audit::Filter {
                entity: Some("proposal".into()),
                ..Default::default()
            },
            Page::first(100),
        )
        .await
        .unwrap();
        let actions: Vec<&str> = rows
            .iter()
            .filter(|r| r.entity_id == p.id.to_string())
            .map(|r| r.action.as_str())
            .collect();
        for a in ["create", "submit", "screen", "score", "approve"] {
            assert!(actions.contains(&a), "{backend}: {a} audited: {actions:?}");
        }
    }
}

#[tokio::test]
async fn directive_mode_reserves_approval_to_the_pmo() {
    for (backend, app) in demo_apps().await {
        let dir = actor(Role::PmoDirector);
        let mut s = app.settings().await.unwrap();
        s.operating_mode = atrium_core::org::OperatingMode::Directive;
        s.version += 1;
        let mut tx = app.db.begin().await.unwrap();
        atrium_store::org::update(&mut tx, &s, 0).await.unwrap();
        tx.commit().await.unwrap();
        let pf = first_portfolio(&app).await;
        let (scored, _) = app
            .list_proposals(
                &dir,
                &ProposalFilter {
                    portfolio_id: Some(pf),
                    state: Some("scored".into()),
                    ..Default::default()
                },
                "key",
                false,
                Page::first(5),
            )
            .await
            .unwrap();
        let p = &scored[0];
        let none = ApproveOptions::default();
        assert!(
            matches!(
                app.transition_proposal(
                    &actor(Role::Sponsor),
                    p.id,
                    Transition::Approve,
                    None,
                    &none,
                    p.version
                )
                .await,
                Err(AppError::Forbidden)
            ),
            "{backend}: sponsors do not approve in directive mode"
        );
        app.transition_proposal(&dir, p.id, Transition::Approve, None, &none, p.version)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn ranking_is_explained_and_ordered() {
    for (backend, app) in demo_apps().await {
        let pf = first_portfolio(&app).await;
        let r = app.ranking(&actor(Role::PmoAnalyst), pf).await.unwrap();
        assert!(
            r.len() >= 10,
            "{backend}: proposals and live projects ranked"
        );
        assert!(r.iter().any(|x| x.active) && r.iter().any(|x| !x.active));
        for w in r.windows(2) {
            assert!(w[0].score.risk_adjusted >= w[1].score.risk_adjusted - 1e-9);
            assert_eq!(w[1].rank, w[0].rank + 1);
        }
        assert!(r.iter().all(|x| x.explanation.contains("points")));
        let an = app
            .portfolio_analysis(&actor(Role::TeamMember), pf, Some(2026))
            .await
            .unwrap();
        assert_eq!(an.quarters.len(), 12);
        assert!(!an.capacity.is_empty(), "{backend}: demand by role");
        assert!(!an.roadmap.is_empty());
        let live: usize = an.health.iter().map(|h| h.1).sum();
        assert!(live > 0);
    }
}

#[tokio::test]
async fn scenarios_optimize_compare_and_commit() {
    for (backend, app) in demo_apps().await {
        let pf = first_portfolio(&app).await;
        let pm = actor(Role::PortfolioManager);
        let year = app.today().year();
        let d = ScenarioDraft {
            name: "Lean".into(),
            portfolio_id: Some(pf),
            first_year: year.to_string(),
            budget: "1500000".into(),
            years: "3".into(),
            notes: None,
        };
        // Validation.
        let errs = field_errors(
            app.create_scenario(
                &pm,
                &ScenarioDraft {
                    budget: "plenty".into(),
                    ..d.clone()
                },
            )
            .await
            .unwrap_err(),
        );
        assert_eq!(errs[0].0, "budget");
        assert!(matches!(
            app.create_scenario(&actor(Role::ProjectManager), &d).await,
            Err(AppError::Forbidden)
        ));

        let lean = app.create_scenario(&pm, &d).await.unwrap();
        let r = lean.result.as_ref().unwrap();
        assert_ne!(r.status, "infeasible", "{backend}: {:?}", r.diagnostics);
        assert!(
            r.items.iter().any(|i| i.selected),
            "{backend}: something fits"
        );
        assert!(
            r.items.iter().any(|i| !i.selected),
            "{backend}: not everything fits"
        );
        for i in r.items.iter().filter(|i| !i.selected) {
            assert!(!i.reasons.is_empty(), "{backend}: {} has a reason", i.key);
        }
        for (k, b) in lean.budget.iter().enumerate() {
            assert!(
                r.cost_per_year[k].0 <= b.0,
                "{backend}: budget of year {k} holds"
            );
        }
        assert!(r.frontier.len() >= 20);
        for w in r.frontier.windows(2) {
            assert!(w[1].1 >= w[0].1 - 1e-6, "{backend}: frontier is monotone");
        }
        // Force an excluded item in and a selected one out.
        let out_item = r.items.iter().find(|i| !i.selected).unwrap().case_id;
        let in_item = r.items.iter().find(|i| i.selected).unwrap().case_id;
        let forced = BTreeMap::from([(out_item, ForceMode::In), (in_item, ForceMode::Out)]);
        let lean = app
            .update_scenario(&pm, lean.id, &d, Some(forced), lean.version)
            .await
            .unwrap();
        let r = lean.result.as_ref().unwrap();
        if r.status != "infeasible" {
            assert!(
                r.items
                    .iter()
                    .find(|i| i.case_id == out_item)
                    .unwrap()
                    .selected
            );
        }
        assert!(
            !r.items
                .iter()
                .find(|i| i.case_id == in_item)
                .unwrap()
                .selected
        );
        // Stale versions are refused.
        assert!(matches!(
            app.update_scenario(&pm, lean.id, &d, None, 1).await,
            Err(AppError::Stale { .. })
        ));

        // Copy with a larger budget and compare.
        let rich = app.copy_scenario(&pm, lean.id).await.unwrap();
        let rich = app
            .update_scenario(
                &pm,
                rich.id,
                &ScenarioDraft {
                    name: "Rich".into(),
                    budget: "4000000".into(),
                    ..d.clone()
                },
                Some(BTreeMap::new()),
                rich.version,
            )
            .await
            .unwrap();
        assert!(
            rich.result.as_ref().unwrap().value >= lean.result.as_ref().unwrap().value - 1e-6
                || lean.result.as_ref().unwrap().status == "infeasible"
        );
        let c = app.compare_scenarios(&pm, lean.id, rich.id).await.unwrap();
        assert!(!c.only_b.is_empty() || !c.only_a.is_empty() || !c.both.is_empty());

        // Nothing live changed yet.
        let projects_before = project::all_in_portfolio(&app.db, pf).await.unwrap();
        // Commit "Rich", overriding one live project to terminate.
        let rr = rich.result.clone().unwrap();
        let live = rr
            .items
            .iter()
            .find(|i| i.active)
            .expect("a live project item");
        let decisions = vec![DecisionInput {
            case_id: live.case_id,
            decision: Decision::Terminate,
            rationale: Some("No longer strategic".into()),
        }];
        // Only the leads commit.
        assert!(matches!(
            app.commit_scenario(&actor(Role::PmoAnalyst), rich.id, &decisions, rich.version)
                .await,
            Err(AppError::Forbidden)
        ));
        let committed = app
            .commit_scenario(&pm, rich.id, &decisions, rich.version)
            .await
            .unwrap();
        assert!(committed.committed);
        let projects_after = project::all_in_portfolio(&app.db, pf).await.unwrap();
        let cases = atrium_store::strategy::proposals_of_portfolio(&app.db, pf)
            .await
            .unwrap();
        let live_case = cases.iter().find(|c| c.id == live.case_id).unwrap();
        let terminated = projects_after
            .iter()
            .find(|p| Some(p.id) == live_case.project_id)
            .unwrap();
        assert_eq!(terminated.phase, Phase::Cancelled, "{backend}");
        assert_eq!(
            terminated.status_note.as_deref(),
            Some("No longer strategic")
        );
        for i in rr.items.iter().filter(|i| !i.active) {
            let c = cases.iter().find(|c| c.id == i.case_id).unwrap();
            if i.selected {
                assert_eq!(
                    c.state,
                    ProposalState::Approved,
                    "{backend}: {} approved",
                    i.key
                );
                assert!(projects_after.iter().any(|p| Some(p.id) == c.project_id));
            } else {
                assert_eq!(
                    c.state,
                    ProposalState::Deferred,
                    "{backend}: {} deferred",
                    i.key
                );
            }
        }
        let approved = rr.items.iter().filter(|i| !i.active && i.selected).count();
        assert_eq!(projects_after.len(), projects_before.len() + approved);
        // A committed scenario is a record.
        let errs = field_errors(
            app.commit_scenario(&pm, rich.id, &[], committed.version)
                .await
                .unwrap_err(),
        );
        assert_eq!(errs[0].0, "state");
        assert!(
            app.delete_scenario(&pm, rich.id, committed.version)
                .await
                .is_err()
        );
        // The other scenario can still be deleted.
        app.delete_scenario(&pm, lean.id, lean.version)
            .await
            .unwrap();
        let (rows, _) = audit::list(
            &app.db,
            &audit::Filter {
                entity: Some("scenario".into()),
                ..Default::default()
            },
            Page::first(50),
        )
        .await
        .unwrap();
        assert!(rows.iter().any(|r| r.action == "commit"));
        assert!(rows.iter().any(|r| r.action == "delete"));
        let (rows, _) = audit::list(
            &app.db,
            &audit::Filter {
                entity: Some("project".into()),
                ..Default::default()
            },
            Page::first(200),
        )
        .await
        .unwrap();
        assert!(rows.iter().any(|r| r.action == "terminate"), "{backend}");
    }
}
