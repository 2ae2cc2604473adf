//! Delivery use cases on SQLite and (when configured) PostgreSQL: the status report
//! lifecycle (draft → submitted, immutable, corrected by a revision), overdue reports on a
//! fixed "today", the project log (numbering, change approval applying budget and schedule
//! through the plan hook, rejection applying nothing) and the closing rule (lessons first).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use atrium_app::{Actor, App, AppError};
use atrium_core::delivery::{
    LessonsDraft, LogDraft, LogKind, LogStatus, ReportDraft, ReportState, period_end, period_start,
    previous_period,
};
use atrium_core::identity::{Grant, Role, Scope};
use atrium_core::money::Minor;
use atrium_core::org::ReportingCycle;
use atrium_core::portfolio::PortfolioDraft;
use atrium_core::project::{Phase, ProjectDraft};
use atrium_store::delivery::LogFilter;
use atrium_store::{Page, audit, testing};
use jiff::civil::date;
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

fn fields(e: AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(v) => v.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn field_names(e: AppError) -> Vec<String> {
    fields(e).into_iter().map(|(f, _)| f).collect()
}

struct Fx {
    app: App,
    portfolio: Uuid,
}

/// A fresh app per backend with a weekly reporting cycle and one portfolio.
async fn apps() -> Vec<(&'static str, Fx)> {
    let mut out = vec![];
    for (name, db) in testing::all().await.unwrap() {
        let app = App::new(db.clone());
        app.ensure_settings().await.unwrap();
        let mut s = atrium_store::org::get(&db).await.unwrap().unwrap();
        s.reporting_cycle = ReportingCycle::Weekly;
        s.version += 1;
        let mut tx = db.begin().await.unwrap();
        atrium_store::org::update(&mut tx, &s, 1).await.unwrap();
        tx.commit().await.unwrap();
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
        out.push((name, Fx { app, portfolio }));
    }
    out
}

async fn project(fx: &Fx, key: &str, phase: &str, start: Option<&str>) -> Uuid {
    fx.app
        .create_project(
            &dir(),
            &ProjectDraft {
                key: key.into(),
                name: format!("Project {key}"),
                portfolio_id: Some(fx.portfolio),
                phase: phase.into(),
                status: "green".into(),
                planned_start: start.map(str::to_owned),
                budget: Some("10000".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
}

fn draft(narrative: &str, overall: &str) -> ReportDraft {
    ReportDraft {
        schedule: "green".into(),
        cost: "amber".into(),
        scope: "green".into(),
        risk: "green".into(),
        overall: overall.into(),
        narrative: narrative.into(),
    }
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

#[tokio::test]
async fn report_lifecycle_immutability_and_revision() {
    for (backend, fx) in apps().await {
        let x = project(&fx, "PRJ-1", "executing", None).await;
        let pm = actor(Role::ProjectManager, Scope::Project(x));
        let period = date(2026, 11, 16); // a Monday
        let r = fx
            .app
            .create_report(&pm, x, Some("2026-11-16"), &draft("", "amber"))
            .await
            .unwrap();
        assert_eq!(
            (r.revision, r.state, r.period, r.period_end),
            (1, ReportState::Draft, period, date(2026, 11, 22)),
            "{backend}"
        );
        // One report per period; periods start on the cycle's first day; not in the future.
        let again = fx
            .app
            .create_report(&pm, x, Some("2026-11-16"), &draft("x", "green"))
            .await
            .unwrap_err();
        assert_eq!(field_names(again), ["period"], "{backend}");
        let tuesday = fx
            .app
            .create_report(&pm, x, Some("2026-11-17"), &draft("x", "green"))
            .await
            .unwrap_err();
        assert!(fields(tuesday)[0].1.contains("first day"), "{backend}");
        let future = fx
            .app
            .create_report(&pm, x, Some("2099-01-05"), &draft("x", "green"))
            .await
            .unwrap_err();
        assert_eq!(field_names(future), ["period"], "{backend}");
        // Team members and managers of other projects may not write reports.
        let team = actor(Role::TeamMember, Scope::Project(x));
        assert!(matches!(
            fx.app
                .create_report(&team, x, Some("2026-11-09"), &draft("x", "green"))
                .await,
            Err(AppError::Forbidden)
        ));
        let other_pm = actor(Role::ProjectManager, Scope::Project(Uuid::now_v7()));
        assert!(matches!(
            fx.app.get_report(&other_pm, r.id).await,
            Err(AppError::Forbidden)
        ));
        // The narrative is required to submit.
        let e = fx
            .app
            .submit_report_at(&pm, r.id, 1, date(2026, 11, 18))
            .await;
        assert_eq!(field_names(e.unwrap_err()), ["narrative"], "{backend}");
        let long = fx
            .app
            .update_report(&pm, r.id, &draft(&"x".repeat(10_001), "red"), 1)
            .await
            .unwrap_err();
        assert_eq!(field_names(long), ["narrative"], "{backend}");
        let r = fx
            .app
            .update_report(
                &pm,
                r.id,
                &draft("Vendor late; recovery plan agreed.", "amber"),
                1,
            )
            .await
            .unwrap();
        assert_eq!(r.version, 2);
        // A write based on an old version is refused.
        assert!(matches!(
            fx.app
                .update_report(&pm, r.id, &draft("stale", "red"), 1)
                .await,
            Err(AppError::Stale { current: 2 })
        ));
        // Submitted before the period ends: the figures are taken at the day of submission.
        let sub = fx
            .app
            .submit_report_at(&pm, r.id, 2, date(2026, 11, 18))
            .await
            .unwrap();
        assert_eq!(sub.state, ReportState::Submitted);
        assert_eq!(
            sub.figures.as_ref().unwrap().status_date,
            Some(date(2026, 11, 18)),
            "{backend}"
        );
        assert!(sub.submitted_at.is_some() && sub.submitted_by == Some(pm.user_id));
        // Submitted reports are immutable.
        let edit = fx
            .app
            .update_report(&pm, r.id, &draft("changed", "green"), 3)
            .await
            .unwrap_err();
        let f = fields(edit);
        assert_eq!(f[0].0, "state", "{backend}");
        assert!(f[0].1.contains("can no longer be changed"), "{}", f[0].1);
        assert!(
            fx.app
                .submit_report_at(&pm, r.id, 3, date(2026, 11, 18))
                .await
                .is_err(),
            "{backend}"
        );
        let stored = fx.app.get_report(&pm, r.id).await.unwrap();
        assert_eq!(stored.narrative, "Vendor late; recovery plan agreed.");
        // A correction is the next revision of the same period, copied from the last one.
        let rev = fx.app.revise_report(&pm, r.id).await.unwrap();
        assert_eq!(
            (
                rev.revision,
                rev.state,
                rev.period,
                rev.narrative.as_str(),
                rev.version
            ),
            (
                2,
                ReportState::Draft,
                period,
                "Vendor late; recovery plan agreed.",
                1
            ),
            "{backend}"
        );
        assert!(rev.figures.is_none());
        // Only the latest revision is revised; a draft is edited, not revised.
        assert_eq!(
            field_names(fx.app.revise_report(&pm, r.id).await.unwrap_err()),
            ["revision"]
        );
        assert_eq!(
            field_names(fx.app.revise_report(&pm, rev.id).await.unwrap_err()),
            ["state"]
        );
        // Submitted after the period ended: figures at the period end.
        let rev = fx
            .app
            .update_report(
                &pm,
                rev.id,
                &draft("Corrected: vendor recovered.", "green"),
                1,
            )
            .await
            .unwrap();
        let rev = fx
            .app
            .submit_report_at(&pm, rev.id, rev.version, date(2026, 12, 3))
            .await
            .unwrap();
        assert_eq!(
            rev.figures.unwrap().status_date,
            Some(date(2026, 11, 22)),
            "{backend}"
        );
        let (list, _) = fx.app.list_reports(&pm, x, Page::first(10)).await.unwrap();
        assert_eq!(
            list.iter().map(|r| r.revision).collect::<Vec<_>>(),
            [2, 1],
            "{backend}"
        );
        // The roll-up shows the latest submitted revision.
        let latest = fx
            .app
            .latest_reports(
                &dir(),
                atrium_store::delivery::Rollup::Portfolio(fx.portfolio),
            )
            .await
            .unwrap();
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].report.revision, 2, "{backend}");
        let mut actions = audit_actions(&fx.app, "status_report").await;
        actions.sort();
        assert_eq!(
            actions,
            ["create", "revise", "submit", "submit", "update", "update"],
            "{backend}"
        );
    }
}

#[tokio::test]
async fn overdue_reports_on_a_fixed_day() {
    let today = date(2026, 11, 26); // Thursday; the previous weekly period is 2026-11-16..22
    assert_eq!(
        previous_period(ReportingCycle::Weekly, today),
        date(2026, 11, 16)
    );
    for (backend, fx) in apps().await {
        let missing = project(&fx, "PRJ-1", "executing", Some("2026-01-05")).await;
        let reported = project(&fx, "PRJ-2", "planning", None).await;
        let draft_only = project(&fx, "PRJ-3", "initiating", None).await;
        let on_hold = project(&fx, "PRJ-4", "on_hold", None).await;
        let later = project(&fx, "PRJ-5", "planning", Some("2026-11-23")).await;
        let older_only = project(&fx, "PRJ-6", "closing", None).await;
        let d = dir();
        let submit = |id: Uuid, period: &'static str| {
            let app = fx.app.clone();
            let d = d.clone();
            async move {
                let r = app
                    .create_report(&d, id, Some(period), &draft("Status.", "green"))
                    .await
                    .unwrap();
                app.submit_report_at(&d, r.id, 1, today).await.unwrap();
            }
        };
        submit(reported, "2026-11-16").await;
        submit(older_only, "2026-11-09").await;
        fx.app
            .create_report(&d, draft_only, Some("2026-11-16"), &draft("", "green"))
            .await
            .unwrap();
        let o = fx.app.overdue_reports(&d, today, None).await.unwrap();
        assert_eq!(
            (o.period, o.period_end),
            (date(2026, 11, 16), date(2026, 11, 22))
        );
        let mut ids: Vec<Uuid> = o.projects.iter().map(|p| p.id).collect();
        ids.sort();
        let mut want = vec![missing, draft_only, older_only];
        want.sort();
        assert_eq!(
            ids, want,
            "{backend}: on hold {on_hold}, not yet started {later}"
        );
        // The following Monday, the report due is for 11-23..29 and PRJ-5 has started.
        let next = fx
            .app
            .overdue_reports(&d, date(2026, 11, 30), None)
            .await
            .unwrap();
        assert_eq!(next.projects.len(), 5, "{backend}");
        // A project-scoped manager sees only their project.
        let pm = actor(Role::ProjectManager, Scope::Project(missing));
        let mine = fx.app.overdue_reports(&pm, today, None).await.unwrap();
        assert_eq!(
            mine.projects.iter().map(|p| p.id).collect::<Vec<_>>(),
            [missing],
            "{backend}"
        );
        // Managed-by filter: nobody manages these projects.
        let none = fx
            .app
            .overdue_reports(&d, today, Some(pm.user_id))
            .await
            .unwrap();
        assert!(none.projects.is_empty(), "{backend}");
        // Suggested period: the overdue one first, the current one once it is in.
        assert_eq!(
            fx.app.suggested_period(&d, missing, today).await.unwrap(),
            date(2026, 11, 16)
        );
        assert_eq!(
            fx.app.suggested_period(&d, reported, today).await.unwrap(),
            period_start(ReportingCycle::Weekly, today)
        );
        assert_eq!(
            period_end(ReportingCycle::Weekly, date(2026, 11, 16)),
            date(2026, 11, 22)
        );
    }
}

fn change(cost: &str, task: &str, delta: &str) -> LogDraft {
    LogDraft {
        title: "Add load testing".into(),
        description: Some("Before go-live".into()),
        priority: "high".into(),
        tasks: "3, 7".into(),
        schedule_task: task.into(),
        schedule_delta: delta.into(),
        cost: cost.into(),
        scope: "Load tests for 10k users".into(),
        ..Default::default()
    }
}

/// Whether the plan hook is implemented (an unknown task is refused) or still a stub.
async fn plan_hook_is_live(app: &App, project: Uuid) -> bool {
    let mut tx = app.db.begin().await.unwrap();
    let r = atrium_app::plan::apply_duration_change_tx(&mut tx, project, 999_999, 60, "t").await;
    drop(tx);
    r.is_err()
}

#[tokio::test]
async fn log_numbering_and_change_approval_applies_the_impact() {
    for (backend, fx) in apps().await {
        let x = project(&fx, "PRJ-1", "executing", None).await;
        let pm = actor(Role::ProjectManager, Scope::Project(x));
        let team = actor(Role::TeamMember, Scope::Project(x));
        let sponsor = actor(Role::Sponsor, Scope::Project(x));
        let issue = |t: &str| LogDraft {
            title: t.into(),
            ..Default::default()
        };
        let i1 = fx
            .app
            .create_log(&team, x, LogKind::Issue, &issue("A"))
            .await
            .unwrap();
        let i2 = fx
            .app
            .create_log(&pm, x, LogKind::Issue, &issue("B"))
            .await
            .unwrap();
        let d1 = fx
            .app
            .create_log(&pm, x, LogKind::Decision, &issue("Go cloud"))
            .await
            .unwrap();
        assert_eq!(
            [i1.reference(), i2.reference(), d1.reference()],
            ["I-1", "I-2", "D-1"],
            "{backend}"
        );
        assert_eq!(
            (i1.status, d1.status),
            (LogStatus::Open, LogStatus::Proposed)
        );
        let (issues, _) = fx
            .app
            .list_log(
                &pm,
                x,
                &LogFilter {
                    kind: Some("issue".into()),
                    status: None,
                },
                "number",
                true,
                Page::first(10),
            )
            .await
            .unwrap();
        assert_eq!(
            issues.iter().map(|e| e.number).collect::<Vec<_>>(),
            [2, 1],
            "{backend}"
        );
        // Bad input comes back per field and writes nothing.
        let bad = fx
            .app
            .create_log(&pm, x, LogKind::Change, &change("12.345", "x", "+5q"))
            .await
            .unwrap_err();
        assert_eq!(
            field_names(bad),
            ["schedule_task", "schedule_delta", "cost"],
            "{backend}"
        );
        // A change request: +1,000.00 budget, task 7 +5 working days.
        let cr = fx
            .app
            .create_log(&pm, x, LogKind::Change, &change("1000", "7", "+5d"))
            .await
            .unwrap();
        assert_eq!(
            (cr.reference(), cr.status),
            ("CR-1".into(), LogStatus::Draft)
        );
        let imp = cr.impact.clone().unwrap();
        assert_eq!(imp.schedule.as_ref().unwrap().delta_minutes, 5 * 9 * 60);
        assert_eq!(imp.cost, Some(Minor(100_000)));
        // Only a submitted change request is decided; approval is not set by editing.
        assert_eq!(
            field_names(
                fx.app
                    .decide_change(&sponsor, cr.id, true, "ok", 1)
                    .await
                    .unwrap_err()
            ),
            ["status"]
        );
        let mut d = LogDraft::from_entry(&cr);
        d.status = "approved".into();
        assert_eq!(
            field_names(fx.app.update_log(&pm, cr.id, &d, 1).await.unwrap_err()),
            ["status"]
        );
        d.status = "submitted".into();
        let cr = fx.app.update_log(&pm, cr.id, &d, 1).await.unwrap();
        assert_eq!(cr.status, LogStatus::Submitted);
        // Team members and project managers do not decide; a comment is required.
        for who in [&team, &pm] {
            assert!(matches!(
                fx.app.decide_change(who, cr.id, true, "ok", 2).await,
                Err(AppError::Forbidden)
            ));
        }
        assert_eq!(
            field_names(
                fx.app
                    .decide_change(&sponsor, cr.id, true, "  ", 2)
                    .await
                    .unwrap_err()
            ),
            ["comment"]
        );
        let before = fx.app.get_project(&dir(), x).await.unwrap();
        let live = plan_hook_is_live(&fx.app, x).await;
        if live {
            // The project has no task 7: the plan refuses, and nothing is applied.
            let e = fx
                .app
                .decide_change(&sponsor, cr.id, true, "Go", 2)
                .await
                .unwrap_err();
            assert_eq!(field_names(e), ["schedule_task"], "{backend}");
            let after = fx.app.get_project(&dir(), x).await.unwrap();
            assert_eq!(after.budget, before.budget, "{backend}: rolled back");
            assert_eq!(
                fx.app.get_log(&pm, cr.id).await.unwrap().status,
                LogStatus::Submitted
            );
        } else {
            let approved = fx
                .app
                .decide_change(&sponsor, cr.id, true, "Worth it", 2)
                .await
                .unwrap();
            assert_eq!(approved.status, LogStatus::Approved, "{backend}");
            let dcs = approved.decision.unwrap();
            assert!(dcs.approved && dcs.comment == "Worth it");
            let after = fx.app.get_project(&dir(), x).await.unwrap();
            assert_eq!(after.budget, Minor(before.budget.0 + 100_000), "{backend}");
            assert_eq!(after.version, before.version + 1);
            assert!(
                audit_actions(&fx.app, "project")
                    .await
                    .contains(&"change_applied".to_owned())
            );
            // Decided change requests are final.
            assert_eq!(
                field_names(fx.app.update_log(&pm, cr.id, &d, 3).await.unwrap_err()),
                ["status"]
            );
            assert!(
                fx.app
                    .decide_change(&sponsor, cr.id, false, "no", 3)
                    .await
                    .is_err()
            );
        }
        // A budget-only change: approval applies it whatever the plan.
        let cr2 = fx
            .app
            .create_log(
                &pm,
                x,
                LogKind::Change,
                &LogDraft {
                    status: "submitted".into(),
                    ..change("-250.50", "", "")
                },
            )
            .await
            .unwrap();
        let budget = fx.app.get_project(&dir(), x).await.unwrap().budget;
        fx.app
            .decide_change(&sponsor, cr2.id, true, "Saving accepted", 1)
            .await
            .unwrap();
        assert_eq!(
            fx.app.get_project(&dir(), x).await.unwrap().budget,
            Minor(budget.0 - 25_050),
            "{backend}"
        );
        // A rejection applies nothing.
        let cr3 = fx
            .app
            .create_log(
                &pm,
                x,
                LogKind::Change,
                &LogDraft {
                    status: "submitted".into(),
                    ..change("5000", "", "")
                },
            )
            .await
            .unwrap();
        let budget = fx.app.get_project(&dir(), x).await.unwrap().budget;
        let rej = fx
            .app
            .decide_change(&sponsor, cr3.id, false, "Not now", 1)
            .await
            .unwrap();
        assert_eq!(rej.status, LogStatus::Rejected);
        assert_eq!(fx.app.get_project(&dir(), x).await.unwrap().budget, budget);
        // A budget that would go negative is refused.
        let cr4 = fx
            .app
            .create_log(
                &pm,
                x,
                LogKind::Change,
                &LogDraft {
                    status: "submitted".into(),
                    ..change("-99999999", "", "")
                },
            )
            .await
            .unwrap();
        assert_eq!(
            field_names(
                fx.app
                    .decide_change(&sponsor, cr4.id, true, "ok", 1)
                    .await
                    .unwrap_err()
            ),
            ["cost"]
        );
        let mut actions = audit_actions(&fx.app, "log_entry").await;
        actions.sort();
        actions.dedup();
        assert!(
            actions.contains(&"reject".to_owned()) && actions.contains(&"approve".to_owned()),
            "{backend}: {actions:?}"
        );
    }
}

#[tokio::test]
async fn closing_needs_lessons_learned() {
    for (backend, fx) in apps().await {
        let x = project(&fx, "PRJ-1", "closing", None).await;
        let d = dir();
        let p = fx.app.get_project(&d, x).await.unwrap();
        let mut pd = ProjectDraft::from_project(&p);
        pd.phase = "closed".into();
        let e = fx
            .app
            .update_project(&d, x, &pd, p.version)
            .await
            .unwrap_err();
        assert_eq!(
            fields(e),
            [(
                "phase".to_owned(),
                "record the lessons learned before closing (Lessons tab)".to_owned()
            )],
            "{backend}"
        );
        // Lessons with nothing but blanks do not count.
        let pm = actor(Role::ProjectManager, Scope::Project(x));
        let blank = fx
            .app
            .put_lessons(
                &pm,
                x,
                &LessonsDraft {
                    went_well: "   ".into(),
                    tags: " Vendor, vendor ,Testing".into(),
                    ..Default::default()
                },
                0,
            )
            .await
            .unwrap();
        assert_eq!(blank.tags, ["vendor", "testing"], "{backend}");
        assert!(fx.app.update_project(&d, x, &pd, p.version).await.is_err());
        // A second first write is stale; team members do not record lessons.
        assert!(matches!(
            fx.app
                .put_lessons(&pm, x, &LessonsDraft::default(), 0)
                .await,
            Err(AppError::Stale { current: 1 })
        ));
        assert!(matches!(
            fx.app
                .put_lessons(
                    &actor(Role::TeamMember, Scope::Project(x)),
                    x,
                    &LessonsDraft::default(),
                    1
                )
                .await,
            Err(AppError::Forbidden)
        ));
        let l = fx
            .app
            .put_lessons(
                &pm,
                x,
                &LessonsDraft {
                    recommendations: "Onboard vendors during initiation.".into(),
                    tags: "vendor".into(),
                    ..Default::default()
                },
                1,
            )
            .await
            .unwrap();
        assert_eq!(l.version, 2);
        let closed = fx.app.update_project(&d, x, &pd, p.version).await.unwrap();
        assert_eq!(closed.phase, Phase::Closed, "{backend}");
        assert_eq!(
            audit_actions(&fx.app, "lessons").await.len(),
            2,
            "{backend}"
        );
        // Reading a project's lessons before any is recorded gives an empty record.
        let y = project(&fx, "PRJ-2", "planning", None).await;
        let empty = fx.app.get_lessons(&d, y).await.unwrap();
        assert_eq!((empty.version, empty.has_content()), (0, false));
    }
}
