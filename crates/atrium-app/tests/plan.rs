//! Project plans end to end through the application layer, on SQLite and (when configured)
//! PostgreSQL: building a plan with the table syntax, re-scheduling on every edit, the
//! critical path moving, a cross-project link shown in both plans and driving the
//! successor, baselines and variances, timesheets approved into actual work and cost, earned
//! value moving with them, templates, stale versions and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use atrium_app::plan::PlanOp;
use atrium_app::{Actor, App, AppError};
use atrium_core::identity::{Grant, Role, Scope};
use atrium_core::plan::TaskDraft;
use atrium_core::project::ProjectDraft;
use atrium_core::timesheet::{TemplateDraft, TimesheetDraft, TimesheetState, week_of};
use atrium_store::{Page, portfolio, testing};
use jiff::civil::Date;
use uuid::Uuid;

fn actor(role: Role, user_id: Uuid) -> Actor {
    Actor {
        user_id,
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

async fn new_project(app: &App, a: &Actor, key: &str) -> Uuid {
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
    let d = ProjectDraft {
        key: key.into(),
        name: format!("Plan test {key}"),
        portfolio_id: Some(pfs[0].id),
        phase: "executing".into(),
        planned_start: Some("2027-01-04".into()),
        status: "green".into(),
        ..Default::default()
    };
    app.create_project(a, &d).await.unwrap().id
}

fn task(name: &str, duration: &str, preds: &str) -> TaskDraft {
    TaskDraft {
        name: name.into(),
        duration: duration.into(),
        predecessors: preds.into(),
        ..Default::default()
    }
}

async fn add(app: &App, a: &Actor, p: Uuid, t: TaskDraft) -> (u32, i64) {
    let v = app.plan_view(a, p, 0).await.unwrap().plan.version;
    let out = app
        .edit_plan(
            a,
            p,
            v,
            PlanOp::AddTask {
                draft: t,
                after: None,
                level: None,
            },
        )
        .await
        .unwrap();
    (out.uid.unwrap(), out.version)
}

fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Validation(v) => v.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn plan_schedules_links_and_moves_the_critical_path() {
    for (backend, app) in demo_apps().await {
        let pm = actor(Role::ProjectManager, Uuid::now_v7());
        let p = new_project(&app, &pm, "PLA-001").await;
        let (a, _) = add(&app, &pm, p, task("Design", "5d", "")).await;
        let (b, _) = add(&app, &pm, p, task("Build", "10d", &a.to_string())).await;
        let (c, _) = add(&app, &pm, p, task("Docs", "3d", &a.to_string())).await;
        let (m, _) = add(&app, &pm, p, task("Go live", "0", &format!("{b},{c}"))).await;
        let v = app.plan_view(&pm, p, 0).await.unwrap();
        assert_eq!(v.rows.len(), 4, "{backend}");
        // 2027-01-04 is a Monday: 5 + 10 working days → finish on Friday 2027-01-22.
        assert_eq!(
            atrium_app::plan::civil_str(v.project_finish),
            "2027-01-22",
            "{backend}"
        );
        assert_eq!(v.critical_uids(), vec![a, b, m], "{backend}");
        assert!(v.rows[3].milestone);
        // Docs grows to 15 days: it becomes critical and Build does not.
        let mut d = atrium_app::plan::draft_of_task(&v, c).unwrap();
        d.duration = "15d".into();
        let out = app
            .edit_plan(
                &pm,
                p,
                v.plan.version,
                PlanOp::UpdateTask { uid: c, draft: d },
            )
            .await
            .unwrap();
        assert_eq!(out.critical, vec![a, c, m], "{backend}");
        // A stale version is refused and changes nothing.
        let e = app
            .edit_plan(&pm, p, v.plan.version, PlanOp::DeleteTask { uid: b })
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Stale { .. }), "{backend}: {e:?}");
        assert_eq!(app.plan_view(&pm, p, 0).await.unwrap().rows.len(), 4);
        // Bad input: every field reported, nothing saved.
        let bad = TaskDraft {
            name: "".into(),
            duration: "soon".into(),
            predecessors: "99".into(),
            ..Default::default()
        };
        let e = app
            .edit_plan(
                &pm,
                p,
                out.version,
                PlanOp::AddTask {
                    draft: bad,
                    after: None,
                    level: None,
                },
            )
            .await
            .unwrap_err();
        let f = fields(e);
        assert!(
            f.contains(&"name".into()) && f.contains(&"duration".into()),
            "{f:?}"
        );
        let e = app
            .edit_plan(
                &pm,
                p,
                out.version,
                PlanOp::AddTask {
                    draft: task("X", "1d", "99"),
                    after: None,
                    level: None,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(e), vec!["predecessors".to_string()]);
        // A cycle is a diagnostic naming the tasks, not a failure.
        let v = app.plan_view(&pm, p, 0).await.unwrap();
        let mut d = atrium_app::plan::draft_of_task(&v, a).unwrap();
        d.predecessors = m.to_string();
        let out = app
            .edit_plan(
                &pm,
                p,
                v.plan.version,
                PlanOp::UpdateTask { uid: a, draft: d },
            )
            .await
            .unwrap();
        assert!(
            out.diagnostics.iter().any(|d| d.1.contains("cycle")),
            "{backend}: {:?}",
            out.diagnostics
        );
        // A team member may read the plan but not edit it.
        let team = actor(Role::TeamMember, Uuid::now_v7());
        assert!(app.plan_view(&team, p, 0).await.is_ok());
        let e = app
            .edit_plan(&team, p, out.version, PlanOp::DeleteTask { uid: a })
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden));
    }
}

#[tokio::test]
async fn cross_project_links_show_in_both_plans_and_drive_the_successor() {
    for (backend, app) in demo_apps().await {
        let pm = actor(Role::ProjectManager, Uuid::now_v7());
        let up = new_project(&app, &pm, "UPS-001").await;
        let down = new_project(&app, &pm, "DNS-001").await;
        let (api, _) = add(&app, &pm, up, task("API ready", "10d", "")).await;
        let (use_it, _) = add(
            &app,
            &pm,
            down,
            task("Integrate", "2d", &format!("UPS-001:{api}")),
        )
        .await;
        let d = app.plan_view(&pm, down, 0).await.unwrap();
        assert_eq!(
            d.rows[0].predecessors,
            format!("UPS-001:{api}"),
            "{backend}"
        );
        assert_eq!(d.foreign_predecessors.len(), 1);
        assert_eq!(d.foreign_predecessors[0].name, "API ready");
        // Starts after the upstream task: 2027-01-18 (10 working days from 01-04).
        assert_eq!(
            atrium_app::plan::civil_str(d.rows[0].start),
            "2027-01-18",
            "{backend}"
        );
        let u = app.plan_view(&pm, up, 0).await.unwrap();
        assert_eq!(
            u.rows[0].external_successors,
            vec![format!("DNS-001:{use_it}")]
        );
        assert_eq!(u.foreign_successors[0].name, "Integrate");
        // The upstream task slips by 5 days: the downstream plan follows.
        let mut dr = atrium_app::plan::draft_of_task(&u, api).unwrap();
        dr.duration = "15d".into();
        app.edit_plan(
            &pm,
            up,
            u.plan.version,
            PlanOp::UpdateTask {
                uid: api,
                draft: dr,
            },
        )
        .await
        .unwrap();
        let d = app.plan_view(&pm, down, 0).await.unwrap();
        assert_eq!(
            atrium_app::plan::civil_str(d.rows[0].start),
            "2027-01-25",
            "{backend}"
        );
        // Unknown project key or task: a clear error beside the predecessors.
        let e = app
            .edit_plan(
                &pm,
                down,
                d.plan.version,
                PlanOp::AddTask {
                    draft: task("Y", "1d", "NOPE:1"),
                    after: None,
                    level: None,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(e), vec!["predecessors".to_string()]);
    }
}

#[tokio::test]
async fn baselines_timesheets_and_earned_value() {
    for (backend, app) in demo_apps().await {
        let team_user = atrium_store::identity::user_by_email(&app.db, "team@demo.atrium.test")
            .await
            .unwrap()
            .expect("demo team member");
        let team = actor(Role::TeamMember, team_user.id);
        let pm = actor(Role::ProjectManager, Uuid::now_v7());
        let p = new_project(&app, &pm, "EVT-001").await;
        let mut t = task("Code", "10d", "");
        t.resources = team_user.email.clone();
        let (code, v) = add(&app, &pm, p, t).await;
        let e = app
            .edit_plan(&pm, p, v, PlanOp::SetBaseline { n: 11 })
            .await
            .unwrap_err();
        assert_eq!(fields(e), vec!["baseline".to_string()]);
        let out = app
            .edit_plan(&pm, p, v, PlanOp::SetBaseline { n: 0 })
            .await
            .unwrap();
        let view = app.plan_view(&pm, p, 0).await.unwrap();
        let b = view.rows[0].baseline.expect("baseline 0 set");
        assert!(b.cost > 0, "{backend}: work × rate");
        assert_eq!(b.finish, view.rows[0].finish);
        // Half-way through, nothing done yet: SPI is 0 and there is no CPI.
        let status = Date::constant(2027, 1, 8);
        let ev0 = app.earned_value(&pm, p, Some(status)).await.unwrap();
        assert!(ev0.has_baseline && ev0.metrics.pv > 0, "{backend}");
        assert_eq!(ev0.metrics.ev, 0);
        // The team member logs 5 full working days and submits; the PM approves.
        let mpd = view.minutes_per_day;
        let day_hours = format!("{}", mpd as f64 / 60.0);
        let week = week_of(Date::constant(2027, 1, 4));
        let my = app.my_week(&team, p, week).await.unwrap();
        assert_eq!(my.tasks[0].uid, code);
        assert!(my.tasks[0].mine);
        let mut d = TimesheetDraft::default();
        d.rows.push((
            code.to_string(),
            std::array::from_fn(|i| {
                if i < 5 {
                    day_hours.clone()
                } else {
                    String::new()
                }
            }),
        ));
        let ts = app.save_my_week(&team, p, week, &d, 0, true).await.unwrap();
        assert_eq!(ts.state, TimesheetState::Submitted);
        assert_eq!(ts.total_minutes(), 5 * mpd);
        // Submitted weeks are frozen for their owner.
        assert!(
            app.save_my_week(&team, p, week, &d, ts.version, false)
                .await
                .is_err()
        );
        // Team members cannot approve; a reject needs a reason.
        assert!(matches!(
            app.decide_timesheet(&team, ts.id, true, None, ts.version)
                .await,
            Err(AppError::Forbidden)
        ));
        let e = app
            .decide_timesheet(&pm, ts.id, false, None, ts.version)
            .await
            .unwrap_err();
        assert_eq!(fields(e), vec!["comment".to_string()]);
        let ok = app
            .decide_timesheet(&pm, ts.id, true, None, ts.version)
            .await
            .unwrap();
        assert_eq!(ok.state, TimesheetState::Approved);
        let view = app.plan_view(&pm, p, 0).await.unwrap();
        let t = &view.plan.tasks[0];
        assert_eq!(t.actual_work, 5 * mpd, "{backend}");
        assert!(t.actual_cost > 0);
        assert_eq!(t.percent_complete, 50);
        assert_eq!(t.actual_start, Some(Date::constant(2027, 1, 4)));
        let ev1 = app.earned_value(&pm, p, Some(status)).await.unwrap();
        assert!(ev1.metrics.ev > 0 && ev1.metrics.ac > 0, "{backend}");
        let spi = ev1.metrics.spi.unwrap();
        assert!(
            (spi - 1.0).abs() < 0.05,
            "{backend}: on schedule, SPI {spi}"
        );
        assert!(!ev1.curve.is_empty());
        // Key figures for status reports.
        let mut tx = app.db.begin().await.unwrap();
        let k = atrium_app::plan::key_figures_tx(&mut tx, p, status)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(k.spi.is_some() && k.percent_complete > 40.0, "{k:?}");
        assert!(out.version > 0);
    }
}

#[tokio::test]
async fn templates_start_new_projects() {
    for (backend, app) in demo_apps().await {
        let dir = actor(Role::PmoDirector, Uuid::now_v7());
        let p = new_project(&app, &dir, "TPL-001").await;
        let (a, _) = add(&app, &dir, p, task("Kick-off", "1d", "")).await;
        add(&app, &dir, p, task("Deliver", "4d", &a.to_string())).await;
        let d = TemplateDraft {
            name: "Small delivery".into(),
            description: "two steps".into(),
            checklist: "Charter signed\nTeam named\n".into(),
        };
        let t = app.save_template(&dir, p, &d).await.unwrap();
        assert_eq!(t.tasks.len(), 2);
        assert_eq!(t.checklist.len(), 2);
        assert!(
            app.save_template(&dir, p, &d).await.is_err(),
            "{backend}: duplicate name"
        );
        let pm = actor(Role::ProjectManager, Uuid::now_v7());
        assert!(matches!(
            app.save_template(
                &pm,
                p,
                &TemplateDraft {
                    name: "X".into(),
                    ..Default::default()
                }
            )
            .await,
            Err(AppError::Forbidden)
        ));
        let draft = ProjectDraft {
            key: "FRM-001".into(),
            name: "From template".into(),
            portfolio_id: app.get_project(&dir, p).await.unwrap().portfolio_id.into(),
            phase: "planning".into(),
            status: "green".into(),
            ..Default::default()
        };
        let np = app
            .create_from_template(&dir, t.id, &draft, Date::constant(2027, 3, 1))
            .await
            .unwrap();
        let v = app.plan_view(&dir, np.id, 0).await.unwrap();
        assert_eq!(v.rows.len(), 2, "{backend}");
        assert_eq!(atrium_app::plan::civil_str(v.rows[0].start), "2027-03-01");
        assert_eq!(atrium_app::plan::civil_str(v.project_finish), "2027-03-05");
    }
}

#[tokio::test]
async fn rates_over_time_cost_the_work_when_it_is_done() {
    for (backend, app) in demo_apps().await {
        let team_user = atrium_store::identity::user_by_email(&app.db, "team@demo.atrium.test")
            .await
            .unwrap()
            .unwrap();
        let (person, _, base) = atrium_store::plan::person_of_user(&app.db, team_user.id)
            .await
            .unwrap()
            .unwrap();
        let pm = actor(Role::ProjectManager, Uuid::now_v7());
        let p = new_project(&app, &pm, "RAT-001").await;
        let mut t = task("Code", "10d", "");
        t.resources = team_user.email.clone();
        add(&app, &pm, p, t).await;
        let flat = app.plan_view(&pm, p, 0).await.unwrap().rows[0].cost;
        assert!(flat > 0);
        // The rate doubles half-way (the task runs 2027-01-04 .. 01-15).
        let rm = actor(Role::ResourceManager, Uuid::now_v7());
        let d = atrium_core::resource::RateChangeDraft {
            from: "2027-01-11".into(),
            rate: atrium_core::money::Minor(base * 2)
                .format()
                .replace(',', ""),
        };
        assert!(matches!(
            app.set_rate_change(&pm, person, &d).await,
            Err(AppError::Forbidden)
        ));
        app.set_rate_change(&rm, person, &d).await.unwrap();
        let bad = atrium_core::resource::RateChangeDraft {
            from: "soon".into(),
            rate: "-1".into(),
        };
        let mut f = fields(app.set_rate_change(&rm, person, &bad).await.unwrap_err());
        f.sort();
        assert_eq!(f, vec!["from".to_string(), "rate".to_string()]);
        let varied = app.plan_view(&pm, p, 0).await.unwrap().rows[0].cost;
        let ratio = varied as f64 / flat as f64;
        assert!((ratio - 1.5).abs() < 0.01, "{backend}: {varied} / {flat}");
        assert_eq!(app.rate_changes(&pm, person).await.unwrap().len(), 1);
        app.remove_rate_change(&rm, person, Date::constant(2027, 1, 11))
            .await
            .unwrap();
        assert_eq!(app.plan_view(&pm, p, 0).await.unwrap().rows[0].cost, flat);
    }
}
