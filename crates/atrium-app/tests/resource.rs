//! Resource management end to end through the application layer, on SQLite and (when
//! configured) PostgreSQL: the request → propose → commit / reject / cancel workflow with its
//! monthly allocations and audit trail, plan demand in the capacity heat map (holidays,
//! absences, non-project time, part-time patterns), conflicts with their causes and
//! suggestions, drill-down, utilization against approved timesheets, skill gaps, what-if,
//! exports and who may see what. Figures are worked out by hand from the organization
//! calendar (Mon–Fri, 8:00–17:00: 540 minutes a day, 2,700 a week).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use atrium_app::capacity::{
    CapacityQuery, CellFigures, Grouping, Source, Suggestion, UtilizationQuery,
};
use atrium_app::plan::PlanOp;
use atrium_app::resource::RequestStep;
use atrium_app::{Actor, App, AppError};
use atrium_core::capacity::Bucket;
use atrium_core::identity::{Grant, Role, Scope};
use atrium_core::plan::TaskDraft;
use atrium_core::portfolio::PortfolioDraft;
use atrium_core::project::ProjectDraft;
use atrium_core::resource::{AbsenceDraft, PersonDraft, RequestDraft, RequestState};
use atrium_core::strategy::ProposalDraft;
use atrium_core::timesheet::{TimesheetDraft, TimesheetState};
use atrium_store::resource::RequestFilter;
use atrium_store::{Page, audit, testing};
use jiff::civil::{Date, date};
use uuid::Uuid;

/// One organization day and week in minutes (the default calendar).
const DAY: i64 = 540;
const WEEK: i64 = 5 * DAY;

fn actor(role: Role, scope: Scope) -> Actor {
    Actor {
        user_id: Uuid::now_v7(),
        email: format!("{}@test", role.as_str()),
        name: role.label().into(),
        grants: vec![Grant { role, scope }],
        csrf: String::new(),
    }
}

fn org(role: Role) -> Actor {
    actor(role, Scope::Organization)
}

fn rm() -> Actor {
    org(Role::ResourceManager)
}

fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Validation(v) => v.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, AppError>) -> bool {
    matches!(r, Err(AppError::Forbidden))
}

struct Fx {
    app: App,
    portfolio: Uuid,
}

/// A fresh app per backend with default settings and one portfolio.
async fn apps() -> Vec<(&'static str, Fx)> {
    let mut out = vec![];
    for (name, db) in testing::all().await.unwrap() {
        let app = App::new(db);
        app.ensure_settings().await.unwrap();
        let portfolio = app
            .create_portfolio(
                &org(Role::PmoDirector),
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

async fn set_holidays(fx: &Fx, days: &[Date]) {
    let mut s = atrium_store::org::get(&fx.app.db).await.unwrap().unwrap();
    s.calendar.holidays = days.to_vec();
    s.version += 1;
    let mut tx = fx.app.db.begin().await.unwrap();
    atrium_store::org::update(&mut tx, &s, 1).await.unwrap();
    tx.commit().await.unwrap();
}

async fn project(fx: &Fx, key: &str) -> Uuid {
    fx.app
        .create_project(
            &org(Role::PmoDirector),
            &ProjectDraft {
                key: key.into(),
                name: format!("Project {key}"),
                portfolio_id: Some(fx.portfolio),
                phase: "executing".into(),
                status: "green".into(),
                planned_start: Some("2027-01-04".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
}

/// A person `name` (e-mail `name@t.test`, lower case) with `hours` a week.
async fn person(
    fx: &Fx,
    name: &str,
    dept: &str,
    job_role: &str,
    hours: &str,
    skills: &str,
    tweak: impl FnOnce(&mut PersonDraft),
) -> Uuid {
    let mut d = PersonDraft {
        name: name.into(),
        email: Some(format!("{}@t.test", name.to_lowercase())),
        department: dept.into(),
        job_role: job_role.into(),
        cost_rate: "50".into(),
        weekly_capacity_hours: hours.into(),
        skills: vec![skills.into()],
        ..Default::default()
    };
    tweak(&mut d);
    fx.app.create_person(&rm(), &d).await.unwrap().id
}

/// Links a person to a new user account; the user's id.
async fn link_user(fx: &Fx, person: Uuid) -> Uuid {
    let db = &fx.app.db;
    let mut p = atrium_store::people::get(db, person)
        .await
        .unwrap()
        .unwrap();
    let user = atrium_store::identity::UserRow {
        id: Uuid::now_v7(),
        email: p.email.clone().unwrap(),
        name: p.name.clone(),
        password_hash: "x".into(),
        disabled: false,
        version: 1,
    };
    let mut tx = db.begin().await.unwrap();
    atrium_store::identity::insert_user(&mut tx, &user, 1)
        .await
        .unwrap();
    p.user_id = Some(user.id);
    p.version += 1;
    atrium_store::people::update(&mut tx, &p, 1).await.unwrap();
    tx.commit().await.unwrap();
    user.id
}

/// `a` with a user account behind it (requests remember who asked, by user).
async fn real(fx: &Fx, a: Actor) -> Actor {
    let user = atrium_store::identity::UserRow {
        id: a.user_id,
        email: format!("{}@users.test", a.user_id.simple()),
        name: a.name.clone(),
        password_hash: "x".into(),
        disabled: false,
        version: 1,
    };
    let mut tx = fx.app.db.begin().await.unwrap();
    atrium_store::identity::insert_user(&mut tx, &user, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    a
}

fn task(name: &str, duration: &str, resources: &str) -> TaskDraft {
    TaskDraft {
        name: name.into(),
        duration: duration.into(),
        resources: resources.into(),
        ..Default::default()
    }
}

async fn add_task(fx: &Fx, a: &Actor, p: Uuid, t: TaskDraft) -> u32 {
    let v = fx.app.plan_view(a, p, 0).await.unwrap().plan.version;
    fx.app
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
        .unwrap()
        .uid
        .unwrap()
}

async fn set_duration(fx: &Fx, a: &Actor, p: Uuid, uid: u32, duration: &str) {
    let v = fx.app.plan_view(a, p, 0).await.unwrap();
    let mut d = atrium_app::plan::draft_of_task(&v, uid).unwrap();
    d.duration = duration.into();
    fx.app
        .edit_plan(a, p, v.plan.version, PlanOp::UpdateTask { uid, draft: d })
        .await
        .unwrap();
}

fn request(role: &str, skills: &str, start: &str, finish: &str, hours: &str) -> RequestDraft {
    RequestDraft {
        job_role: role.into(),
        skills: skills.into(),
        start: start.into(),
        finish: finish.into(),
        hours_per_week: hours.into(),
        note: String::new(),
    }
}

fn query(grouping: Grouping, bucket: Bucket, from: Date, count: u32) -> CapacityQuery {
    CapacityQuery {
        grouping,
        bucket,
        from,
        count,
        department: None,
        worst_first: false,
        limit: 100,
        offset: 0,
    }
}

/// The heat-map cells of the row keyed `key` (a person id or a group name).
async fn cells(fx: &Fx, q: &CapacityQuery, key: &str) -> Vec<CellFigures> {
    let v = fx.app.capacity(&rm(), q).await.unwrap();
    v.rows
        .into_iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no row {key}"))
        .cells
}

fn column<T: Copy>(c: &[CellFigures], f: impl Fn(&CellFigures) -> T) -> Vec<T> {
    c.iter().map(f).collect()
}

async fn audit_actions(fx: &Fx, id: Uuid) -> Vec<String> {
    let f = audit::Filter {
        entity: Some("resource_request".into()),
        entity_id: Some(id.to_string()),
        ..Default::default()
    };
    audit::list(&fx.app.db, &f, Page::first(100))
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[tokio::test]
async fn request_workflow_commits_monthly_allocations_and_is_audited() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let x = project(&fx, "REQ-001").await;
        let y = project(&fx, "REQ-002").await;
        let ann = person(&fx, "Ann", "IT", "Developer", "40", "Rust:5, SQL:3", |_| {}).await;
        person(&fx, "Bob", "IT", "Developer", "40", "Rust:2", |_| {}).await;
        person(&fx, "Cid", "IT", "Tester", "40", "Rust:5", |_| {}).await;
        let pm = real(&fx, actor(Role::ProjectManager, Scope::Project(x))).await;
        let other_pm = actor(Role::ProjectManager, Scope::Project(y));
        let team = org(Role::TeamMember);
        let rm = rm();

        // Bad input: every field reported, nothing saved.
        let none = request("", " ", "2027-01-04", "2027-02-26", "20");
        assert_eq!(
            fields(app.create_request(&pm, x, &none).await.unwrap_err()),
            ["job_role"],
            "{backend}"
        );
        let bad = request("", "", "2027-02-26", "2027-01-04", "0");
        assert_eq!(
            fields(app.create_request(&pm, x, &bad).await.unwrap_err()),
            ["job_role", "finish", "hours_per_week"],
            "{backend}"
        );
        for hours in ["lots", "200", "150%", "0%"] {
            let d = request("Developer", "", "2027-01-04", "2027-02-26", hours);
            assert_eq!(
                fields(app.create_request(&pm, x, &d).await.unwrap_err()),
                ["hours_per_week"],
                "{backend}: {hours}"
            );
        }
        // Only delivery roles on the project may ask.
        let d = request("Developer", "Rust:4", "2027-01-04", "2027-02-26", "20");
        assert!(forbidden(app.create_request(&team, x, &d).await));
        assert!(forbidden(app.create_request(&other_pm, x, &d).await));
        assert!(forbidden(app.create_request(&rm, x, &d).await));

        let r = app.create_request(&pm, x, &d).await.unwrap();
        assert_eq!(
            (r.state, r.minutes_per_week, r.version, r.requested_by),
            (RequestState::Requested, 1200, 1, Some(pm.user_id)),
            "{backend}"
        );
        // A percentage is of the organization's full week: 50 % of 2,700 minutes.
        let half = request("Developer", "", "2027-03-01", "2027-03-31", "50%");
        let r2 = app.create_request(&pm, x, &half).await.unwrap();
        assert_eq!(r2.minutes_per_week, 1350);
        let r3 = app.create_request(&pm, x, &half).await.unwrap();

        // Only Ann has the role and Rust ≥ 4; free 8 weeks × 2,400 minutes over the period
        // (weeks of 4 Jan .. 22 Feb).
        let c = app.request_candidates(&rm, r.id, 10).await.unwrap();
        let c: Vec<(Uuid, i64)> = c.into_iter().map(|(p, f)| (p.id, f)).collect();
        assert_eq!(c, vec![(ann, 8 * 2400)], "{backend}");

        // Propose: the resource manager only.
        for who in [&pm, &team, &other_pm] {
            assert!(forbidden(
                app.request_step(who, r.id, 1, RequestStep::Propose(ann))
                    .await
            ));
        }
        assert_eq!(
            fields(
                app.request_step(&rm, r.id, 1, RequestStep::Propose(Uuid::now_v7()))
                    .await
                    .unwrap_err()
            ),
            ["person_id"]
        );
        let p = app
            .request_step(&rm, r.id, 1, RequestStep::Propose(ann))
            .await
            .unwrap();
        assert_eq!(
            (p.state, p.person_id, p.version),
            (RequestState::Proposed, Some(ann), 2)
        );
        // A step based on an old version is refused.
        let e = app
            .request_step(&rm, r.id, 1, RequestStep::Propose(ann))
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Stale { current: 2 }),
            "{backend}: {e:?}"
        );
        // The requester accepts; a manager of another project or a team member may not.
        assert!(forbidden(
            app.request_step(&other_pm, r.id, 2, RequestStep::Commit(None))
                .await
        ));
        assert!(forbidden(
            app.request_step(&team, r.id, 2, RequestStep::Commit(None))
                .await
        ));
        let c = app
            .request_step(&pm, r.id, 2, RequestStep::Commit(None))
            .await
            .unwrap();
        assert_eq!((c.state, c.version), (RequestState::Committed, 3));
        // One allocation per month, 20 h a week each.
        let detail = app.get_request(&pm, r.id).await.unwrap();
        let phases: Vec<(Date, Date, i32)> = detail
            .allocations
            .iter()
            .map(|a| (a.start, a.finish, a.minutes_per_week))
            .collect();
        assert_eq!(
            phases,
            vec![
                (date(2027, 1, 4), date(2027, 1, 31), 1200),
                (date(2027, 2, 1), date(2027, 2, 26), 1200),
            ],
            "{backend}"
        );
        assert!(
            detail
                .allocations
                .iter()
                .all(|a| a.person_id == ann && a.project_id == x && a.request_id == Some(r.id))
        );
        assert_eq!(detail.person.as_ref().map(|p| p.id), Some(ann));
        assert!(detail.can_respond && !detail.can_allocate);
        // A closed request does not move any more.
        for step in [
            RequestStep::Reject("late".into()),
            RequestStep::Commit(Some(ann)),
            RequestStep::Propose(ann),
        ] {
            assert_eq!(
                fields(app.request_step(&rm, r.id, 3, step).await.unwrap_err()),
                ["state"],
                "{backend}"
            );
        }
        assert_eq!(
            fields(
                app.request_step(&pm, r.id, 3, RequestStep::Cancel("x".into()))
                    .await
                    .unwrap_err()
            ),
            ["state"]
        );

        // Reject: the resource manager only, with a reason.
        assert_eq!(
            fields(
                app.request_step(&rm, r2.id, 1, RequestStep::Reject("  ".into()))
                    .await
                    .unwrap_err()
            ),
            ["reason"]
        );
        assert!(forbidden(
            app.request_step(&pm, r2.id, 1, RequestStep::Reject("no".into()))
                .await
        ));
        let rej = app
            .request_step(&rm, r2.id, 1, RequestStep::Reject(" Nobody free ".into()))
            .await
            .unwrap();
        assert_eq!(
            (rej.state, rej.reason.as_str()),
            (RequestState::Rejected, "Nobody free")
        );

        // Accepting needs someone proposed; cancel: the requester only, with a reason.
        assert_eq!(
            fields(
                app.request_step(&pm, r3.id, 1, RequestStep::Commit(None))
                    .await
                    .unwrap_err()
            ),
            ["person_id"]
        );
        assert_eq!(
            fields(
                app.request_step(&pm, r3.id, 1, RequestStep::Cancel(String::new()))
                    .await
                    .unwrap_err()
            ),
            ["reason"]
        );
        assert!(forbidden(
            app.request_step(&rm, r3.id, 1, RequestStep::Cancel("x".into()))
                .await
        ));
        let can = app
            .request_step(&pm, r3.id, 1, RequestStep::Cancel("Descoped".into()))
            .await
            .unwrap();
        assert_eq!(can.state, RequestState::Cancelled);
        assert!(
            app.get_request(&pm, r3.id)
                .await
                .unwrap()
                .allocations
                .is_empty()
        );

        // Every step is in the audit trail, newest first.
        assert_eq!(
            audit_actions(&fx, r.id).await,
            ["commit", "propose", "create"],
            "{backend}"
        );
        assert_eq!(audit_actions(&fx, r2.id).await, ["reject", "create"]);
        assert_eq!(audit_actions(&fx, r3.id).await, ["cancel", "create"]);

        // Lists: the project's manager sees its three, another manager none, a team member
        // may not list the pool's requests.
        let (mine, _) = app
            .list_requests(
                &pm,
                RequestFilter::default(),
                "start",
                false,
                Page::first(50),
            )
            .await
            .unwrap();
        assert_eq!(mine.len(), 3, "{backend}");
        let (open, _) = app
            .list_requests(
                &rm,
                RequestFilter {
                    state: Some(RequestState::Committed),
                    ..Default::default()
                },
                "start",
                false,
                Page::first(50),
            )
            .await
            .unwrap();
        assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), [r.id]);
        let (theirs, _) = app
            .list_requests(
                &other_pm,
                RequestFilter::default(),
                "start",
                false,
                Page::first(50),
            )
            .await
            .unwrap();
        assert!(theirs.is_empty(), "{backend}");
        assert!(forbidden(
            app.list_requests(
                &team,
                RequestFilter::default(),
                "start",
                false,
                Page::first(50)
            )
            .await
        ));

        // One month of the allocation changes; only the resource manager may.
        let jan = detail.allocations[0].id;
        assert!(forbidden(app.set_allocation(&pm, jan, "12").await));
        assert_eq!(
            fields(app.set_allocation(&rm, jan, "a lot").await.unwrap_err()),
            ["hours_per_week"]
        );
        let a = app.set_allocation(&rm, jan, "12.5").await.unwrap();
        assert_eq!(a.minutes_per_week, 750);
        let (allocs, _) = app
            .list_allocations(
                &pm,
                Some(x),
                None,
                date(2027, 1, 1),
                date(2027, 12, 31),
                Page::first(50),
            )
            .await
            .unwrap();
        let minutes: Vec<i32> = allocs.iter().map(|a| a.minutes_per_week).collect();
        assert_eq!(minutes, [750, 1200], "{backend}");
        assert!(forbidden(
            app.list_allocations(
                &team,
                None,
                None,
                date(2027, 1, 1),
                date(2027, 12, 31),
                Page::first(50)
            )
            .await
        ));
    }
}

#[tokio::test]
async fn plan_demand_allocations_and_supply_in_the_heat_map() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        // Wednesday 13 January 2027 is a holiday.
        set_holidays(&fx, &[date(2027, 1, 13)]).await;
        let ann = person(&fx, "Ann", "IT", "Developer", "40", "Rust:4", |_| {}).await;
        let bea = person(&fx, "Bea", "IT", "Developer", "24", "Rust:4", |d| {
            d.working_days = "1110000".into()
        })
        .await;
        let cal = person(&fx, "Cal", "IT", "Developer", "40", "Rust:4", |d| {
            d.non_project_hours = "8".into()
        })
        .await;
        let pm = real(&fx, org(Role::ProjectManager)).await;
        let p = project(&fx, "DEM-001").await;
        // 10 working days at 50 % from Monday 4 January: 4–8, 11, 12, 14, 15 and 18 January.
        let build = add_task(&fx, &pm, p, task("Build", "10d", "ann@t.test[50%]")).await;
        let v = app.plan_view(&pm, p, 0).await.unwrap();
        assert_eq!(
            atrium_app::plan::civil_str(v.project_finish),
            "2027-01-18",
            "{backend}"
        );
        let q = query(Grouping::Person, Bucket::Week, date(2027, 1, 4), 4);
        let a = cells(&fx, &q, &ann.to_string()).await;
        // 4.5 h a day: 5, 4 (holiday) and 1 working days.
        assert_eq!(column(&a, |c| c.demand), [1350, 1080, 270, 0], "{backend}");
        assert_eq!(column(&a, |c| c.capacity), [2400, 1920, 2400, 2400]);
        assert!(a.iter().all(|c| c.non_project == 0));

        // An absence on Thursday and Friday of the third week lowers capacity only.
        let rm = rm();
        let leave = AbsenceDraft {
            start: "2027-01-21".into(),
            finish: "2027-01-22".into(),
            kind: "leave".into(),
            note: String::new(),
        };
        assert!(forbidden(app.add_absence(&pm, ann, &leave).await));
        let bad = AbsenceDraft {
            start: "2027-01-22".into(),
            finish: "2027-01-21".into(),
            kind: "holiday".into(),
            note: String::new(),
        };
        let mut f = fields(app.add_absence(&rm, ann, &bad).await.unwrap_err());
        f.sort();
        assert_eq!(f, ["finish", "kind"]);
        let absence = app.add_absence(&rm, ann, &leave).await.unwrap();
        let a = cells(&fx, &q, &ann.to_string()).await;
        assert_eq!(column(&a, |c| c.capacity), [2400, 1920, 1440, 2400]);

        // The task grows to 15 days: its demand follows into the third and fourth weeks.
        set_duration(&fx, &pm, p, build, "15d").await;
        let a = cells(&fx, &q, &ann.to_string()).await;
        assert_eq!(
            column(&a, |c| c.demand),
            [1350, 1080, 1350, 270],
            "{backend}"
        );

        // A committed allocation of 10 h a week in January adds 2 h every working day.
        let x = project(&fx, "DEM-002").await;
        let r = app
            .create_request(
                &pm,
                x,
                &request("Developer", "", "2027-01-04", "2027-01-31", "10"),
            )
            .await
            .unwrap();
        app.request_step(&rm, r.id, 1, RequestStep::Commit(Some(ann)))
            .await
            .unwrap();
        let a = cells(&fx, &q, &ann.to_string()).await;
        assert_eq!(
            column(&a, |c| c.demand),
            [1350 + 600, 1080 + 480, 1350 + 600, 270 + 600],
            "{backend}"
        );

        // Part-time Monday to Wednesday, 24 h: 8 h on each of its days (not the holiday).
        let b = cells(&fx, &q, &bea.to_string()).await;
        assert_eq!(column(&b, |c| c.capacity), [1440, 960, 1440, 1440]);
        // 8 h of support work a week: 96 minutes off each of the 480-minute days.
        let c = cells(&fx, &q, &cal.to_string()).await;
        assert_eq!(column(&c, |c| c.capacity), [1920, 1536, 1920, 1920]);
        assert_eq!(column(&c, |c| c.non_project), [480, 384, 480, 480]);

        // Removing the absence gives the capacity back.
        app.delete_absence(&rm, ann, absence.id).await.unwrap();
        assert!(app.list_absences(&rm, ann).await.unwrap().is_empty());
        let a = cells(&fx, &q, &ann.to_string()).await;
        assert_eq!(column(&a, |c| c.capacity)[2], 2400, "{backend}");

        // Month buckets: January 2027 has 21 weekdays, one a holiday.
        let m = query(Grouping::Person, Bucket::Month, date(2027, 1, 1), 1);
        let a = cells(&fx, &m, &ann.to_string()).await;
        assert_eq!(a[0].capacity, 20 * 480, "{backend}");
        // 15 plan days at 270 plus the allocation: 19 working days from the 4th (20 weekdays
        // less the holiday) at 120.
        assert_eq!(a[0].demand, 15 * 270 + 19 * 120, "{backend}");
    }
}

#[tokio::test]
async fn conflicts_drill_down_and_exports() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let dan = person(&fx, "Dan", "Ops", "Integrator", "40", "Linux:4", |_| {}).await;
        let eve = person(&fx, "Eve", "Ops", "Integrator", "40", "Linux:2", |_| {}).await;
        person(&fx, "Fay", "Ops", "Analyst", "40", "Excel:3", |_| {}).await;
        let pm = real(&fx, org(Role::ProjectManager)).await;
        let p1 = project(&fx, "CON-001").await;
        let p2 = project(&fx, "CON-002").await;
        // Week of 4 January: 80 % (432 min/day) on one project, 50 % (270) on the other
        // against 480 a day.
        add_task(&fx, &pm, p1, task("Deploy", "5d", "dan@t.test[80%]")).await;
        add_task(&fx, &pm, p2, task("Long", "20d", "")).await;
        let side = add_task(&fx, &pm, p2, task("Side", "5d", "dan@t.test[50%]")).await;

        let rm = rm();
        let conflicts = app
            .conflicts(&rm, None, date(2027, 1, 4), 4, 10)
            .await
            .unwrap();
        assert_eq!(conflicts.len(), 1, "{backend}: {conflicts:?}");
        let c = &conflicts[0];
        assert_eq!(c.person_id, dan);
        assert_eq!((c.start, c.finish), (date(2027, 1, 4), date(2027, 1, 10)));
        assert_eq!(c.excess_minutes, 5 * 432 + 5 * 270 - 2400, "{backend}");
        let causes: Vec<(&str, Option<&str>, i64)> = c
            .causes
            .iter()
            .map(|k| (k.project_key.as_str(), k.task_name.as_deref(), k.minutes))
            .collect();
        assert_eq!(
            causes,
            [
                ("CON-001", Some("Deploy"), 5 * 432),
                ("CON-002", Some("Side"), 5 * 270)
            ],
            "{backend}"
        );
        // Eve has the role and a free week; Fay has another role.
        let reassign: Vec<&Suggestion> = c
            .suggestions
            .iter()
            .filter(|s| matches!(s, Suggestion::Reassign { .. }))
            .collect();
        assert_eq!(
            reassign,
            [&Suggestion::Reassign {
                person_id: eve,
                name: "Eve".into(),
                free_minutes: 2400,
                project_id: p1,
                project_key: "CON-001".into(),
                task_name: Some("Deploy".into()),
            }],
            "{backend}"
        );
        // Side has 15 days of float (Long runs 20): a week later it no longer overlaps.
        let shift = c
            .suggestions
            .iter()
            .find_map(|s| match s {
                Suggestion::Shift {
                    project_id,
                    task_uid,
                    task_name,
                    working_days,
                    new_start,
                } => Some((
                    *project_id,
                    *task_uid,
                    task_name.clone(),
                    *working_days,
                    *new_start,
                )),
                _ => None,
            })
            .expect("a shift suggestion");
        assert_eq!(
            shift,
            (p2, side, "Side".to_string(), 5, date(2027, 1, 11)),
            "{backend}"
        );
        assert!(shift.4 <= date(2027, 1, 25), "within the float");
        let float = c.causes.iter().find_map(|k| match k.source {
            Source::Plan {
                task_uid,
                total_float,
            } if task_uid == side => Some(total_float),
            _ => None,
        });
        assert_eq!(float, Some(15 * DAY));

        // Drill-down: the cell's demand is the sum of its causes.
        let q = query(Grouping::Person, Bucket::Week, date(2027, 1, 4), 2);
        let cell = cells(&fx, &q, &dan.to_string()).await[0];
        let d = app
            .capacity_drill(&rm, dan, date(2027, 1, 4), date(2027, 1, 10))
            .await
            .unwrap();
        assert_eq!(d.figures, cell);
        assert_eq!(d.figures.demand, 3510, "{backend}");
        assert_eq!(d.causes.iter().map(|k| k.minutes).sum::<i64>(), 3510);
        let mut keys: Vec<&str> = d.causes.iter().map(|k| k.project_key.as_str()).collect();
        keys.sort();
        assert_eq!(keys, ["CON-001", "CON-002"]);
        assert_eq!(
            fields(
                app.capacity_drill(&rm, dan, date(2027, 1, 10), date(2027, 1, 4))
                    .await
                    .unwrap_err()
            ),
            ["to"]
        );

        // Worst first, one row a page.
        let v = app
            .capacity(
                &rm,
                &CapacityQuery {
                    worst_first: true,
                    limit: 1,
                    ..q.clone()
                },
            )
            .await
            .unwrap();
        assert_eq!((v.total_rows, v.over_cells, v.people), (3, 1, 3));
        assert_eq!(v.rows.len(), 1);
        assert_eq!((v.rows[0].person_id, v.rows[0].over), (Some(dan), 1));
        let by_name = app
            .capacity(
                &rm,
                &CapacityQuery {
                    offset: 1,
                    limit: 1,
                    ..q.clone()
                },
            )
            .await
            .unwrap();
        assert_eq!(by_name.rows[0].label, "Eve");

        // Exports: a header and one line per row and bucket; XLSX is a ZIP.
        let csv = app.capacity_export(&rm, &q, "csv").await.unwrap();
        let text = String::from_utf8(csv.bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 3 * 2, "{backend}: {text}");
        assert_eq!(
            lines[0],
            "Person,From,To,Capacity (h),Non-project (h),Demand (h),Load %,Over-allocated"
        );
        assert!(
            lines.contains(&"Dan,2027-01-04,2027-01-10,40,0,58.5,146.3,yes"),
            "{text}"
        );
        assert!(lines.contains(&"Eve,2027-01-11,2027-01-17,40,0,0,0,no"));
        let xlsx = app.capacity_export(&rm, &q, "xlsx").await.unwrap();
        assert!(xlsx.bytes.starts_with(b"PK"));
        assert!(app.capacity_export(&rm, &q, "pdf").await.is_err());
        let x = app
            .create_request(
                &pm,
                p1,
                &request("Integrator", "", "2027-01-04", "2027-02-26", "8"),
            )
            .await
            .unwrap();
        app.request_step(&rm, x.id, 1, RequestStep::Commit(Some(eve)))
            .await
            .unwrap();
        let alloc = app
            .allocations_export(&rm, date(2027, 1, 1), date(2027, 12, 31), "csv")
            .await
            .unwrap();
        let text = String::from_utf8(alloc.bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{backend}: {text}");
        assert!(lines[0].starts_with("Person,Department,Project"));
        assert!(lines[1].starts_with("Eve,Ops,CON-001,Project CON-001,2027-01-04,2027-01-31,8,"));
        let gaps = app
            .skill_gaps_export(&rm, date(2027, 1, 1), 2, "xlsx")
            .await
            .unwrap();
        assert!(gaps.bytes.starts_with(b"PK"));
        assert!(forbidden(
            app.capacity_export(&org(Role::TeamMember), &q, "csv").await
        ));
    }
}

#[tokio::test]
async fn utilization_compares_plans_with_approved_timesheets() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let gil = person(&fx, "Gil", "Data", "Engineer", "40", "SQL:3", |_| {}).await;
        person(&fx, "Hal", "Data", "Engineer", "32", "SQL:3", |_| {}).await;
        let user = link_user(&fx, gil).await;
        let p = project(&fx, "UTL-001").await;
        let pm = real(&fx, actor(Role::ProjectManager, Scope::Project(p))).await;
        let code = add_task(&fx, &pm, p, task("Code", "10d", "gil@t.test[50%]")).await;
        // Gil logs 6 h Monday to Thursday of the first week and submits; the PM approves.
        let me = Actor {
            user_id: user,
            ..actor(Role::TeamMember, Scope::Project(p))
        };
        let week = date(2027, 1, 4);
        let mut d = TimesheetDraft::default();
        d.rows.push((
            code.to_string(),
            std::array::from_fn(|i| if i < 4 { "6".into() } else { String::new() }),
        ));
        let ts = app.save_my_week(&me, p, week, &d, 0, true).await.unwrap();
        assert_eq!(ts.total_minutes(), 1440);
        let q = UtilizationQuery {
            department: None,
            by_department: false,
            bucket: Bucket::Week,
            from: week,
            count: 2,
            offset: 0,
            limit: 50,
        };
        let rm = rm();
        let row = |v: &atrium_app::capacity::UtilizationView| {
            v.rows
                .iter()
                .find(|r| r.person_id == Some(gil))
                .unwrap()
                .cells
                .clone()
        };
        // Submitted is not actual yet.
        let before = row(&app.utilization(&rm, &q).await.unwrap());
        assert_eq!(before[0].actual, 0, "{backend}");
        let ok = app
            .decide_timesheet(&pm, ts.id, true, None, ts.version)
            .await
            .unwrap();
        assert_eq!(ok.state, TimesheetState::Approved);
        let v = app.utilization(&rm, &q).await.unwrap();
        assert_eq!(v.total_rows, 2);
        let g = row(&v);
        assert_eq!(
            g.iter()
                .map(|c| (c.gross, c.planned, c.actual))
                .collect::<Vec<_>>(),
            [(2400, 1350, 1440), (2400, 1350, 0)],
            "{backend}"
        );
        assert_eq!(g[0].planned_pct(), Some(1350.0 * 100.0 / 2400.0));
        assert_eq!(g[0].actual_pct(), Some(60.0));
        // One row per department: Gil's and Hal's (32 h) together.
        let dept = app
            .utilization(
                &rm,
                &UtilizationQuery {
                    by_department: true,
                    ..q.clone()
                },
            )
            .await
            .unwrap();
        assert_eq!(dept.rows.len(), 1);
        assert_eq!(dept.rows[0].label, "Data");
        assert_eq!(
            (
                dept.rows[0].cells[0].gross,
                dept.rows[0].cells[0].planned,
                dept.rows[0].cells[0].actual
            ),
            (2400 + 1920, 1350, 1440),
            "{backend}"
        );
        // Month buckets: the approved week starts in January.
        let m = app
            .utilization(
                &rm,
                &UtilizationQuery {
                    bucket: Bucket::Month,
                    from: date(2027, 1, 1),
                    count: 1,
                    ..q.clone()
                },
            )
            .await
            .unwrap();
        let g = row(&m);
        assert_eq!((g[0].planned, g[0].actual), (10 * 270, 1440), "{backend}");
        assert!(forbidden(app.utilization(&me, &q).await));
    }
}

#[tokio::test]
async fn skill_gaps_and_grouped_rows() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let hal = person(
            &fx,
            "Hal",
            "Data",
            "Analyst",
            "40",
            "SQL:4, Python:3",
            |_| {},
        )
        .await;
        let ida = person(&fx, "Ida", "Data", "Analyst", "32", "SQL:2", |_| {}).await;
        let jon = person(&fx, "Jon", "Web", "Designer", "40", "Figma:3", |_| {}).await;
        let p = project(&fx, "GAP-001").await;
        let pm = real(&fx, actor(Role::ProjectManager, Scope::Project(p))).await;
        // 20 h a week of a skill nobody has: 240 minutes on each of 40 working days.
        let r = app
            .create_request(
                &pm,
                p,
                &request("", "Quantum:3", "2027-01-04", "2027-02-26", "20"),
            )
            .await
            .unwrap();
        let rm = rm();
        let g = app.skill_gaps(&rm, date(2027, 1, 1), 2).await.unwrap();
        assert_eq!(g.columns.len(), 2);
        assert_eq!(g.columns[0].2, "2027 Q1");
        let quantum = &g.rows[0];
        assert_eq!(quantum.skill, "Quantum", "{backend}: worst gap first");
        assert_eq!(quantum.people, 0);
        assert_eq!(quantum.quarters, [(0, 40 * 240, 0), (0, 0, 0)], "{backend}");
        assert_eq!(quantum.gap(0), 9600);
        // Q1 2027 has 64 weekdays: Hal 480 a day, Ida 384.
        let sql = g.rows.iter().find(|r| r.skill == "SQL").unwrap();
        assert_eq!(sql.people, 2);
        assert_eq!(sql.quarters[0], (64 * (480 + 384), 0, 0), "{backend}");
        assert_eq!(sql.gap(0), 0);

        // Committing the request to Hal fills it: the demand is no longer open, and the
        // allocation now takes Hal's free time (SQL and Python holders have less left).
        app.request_step(&rm, r.id, 1, RequestStep::Commit(Some(hal)))
            .await
            .unwrap();
        let g = app.skill_gaps(&rm, date(2027, 1, 1), 1).await.unwrap();
        assert!(
            g.rows.iter().all(|r| r.skill != "Quantum"),
            "{backend}: a committed request is no longer unfilled demand"
        );
        let sql = g.rows.iter().find(|r| r.skill == "SQL").unwrap();
        assert_eq!(
            sql.quarters[0],
            (64 * (480 + 384) - 9600, 0, 0),
            "{backend}"
        );

        let quarter = |grouping| query(grouping, Bucket::Quarter, date(2027, 1, 1), 1);
        let q = quarter(Grouping::Person);
        let h = cells(&fx, &q, &hal.to_string()).await[0];
        let i = cells(&fx, &q, &ida.to_string()).await[0];
        let j = cells(&fx, &q, &jon.to_string()).await[0];
        assert_eq!(
            (h.capacity, h.demand, i.capacity, j.capacity),
            (64 * 480, 9600, 64 * 384, 64 * 480),
            "{backend}"
        );
        let sum = |a: CellFigures, b: CellFigures| CellFigures {
            capacity: a.capacity + b.capacity,
            non_project: a.non_project + b.non_project,
            demand: a.demand + b.demand,
        };
        let skill = quarter(Grouping::Skill);
        assert_eq!(cells(&fx, &skill, "SQL").await[0], sum(h, i), "{backend}");
        assert_eq!(cells(&fx, &skill, "Python").await[0], h);
        assert_eq!(cells(&fx, &skill, "Figma").await[0], j);
        let role = quarter(Grouping::Role);
        assert_eq!(cells(&fx, &role, "Analyst").await[0], sum(h, i));
        assert_eq!(cells(&fx, &role, "Designer").await[0], j);
        let dept = quarter(Grouping::Department);
        let v = app.capacity(&rm, &dept).await.unwrap();
        assert_eq!(
            v.rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(),
            ["Data", "Web"]
        );
        assert_eq!(v.rows[0].cells[0], sum(h, i));
        // One department only.
        let only = app
            .capacity(
                &rm,
                &CapacityQuery {
                    department: Some("Web".into()),
                    ..q.clone()
                },
            )
            .await
            .unwrap();
        assert_eq!(only.people, 1);
        assert_eq!(only.rows[0].person_id, Some(jon));
        assert_eq!(
            app.departments(&rm).await.unwrap(),
            [("Data".to_string(), 2), ("Web".to_string(), 1)]
        );
    }
}

#[tokio::test]
async fn what_if_adds_a_proposal_without_writing_anything() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        person(&fx, "Kim", "Arch", "Architect", "40", "UML:3", |_| {}).await;
        let p = project(&fx, "WIF-001").await;
        let pm = real(&fx, actor(Role::ProjectManager, Scope::Project(p))).await;
        app.create_request(
            &pm,
            p,
            &request("Architect", "", "2027-01-04", "2027-02-26", "20"),
        )
        .await
        .unwrap();
        let dir = org(Role::PmoDirector);
        let proposal = app
            .create_proposal(
                &dir,
                &ProposalDraft {
                    key: "PRP-001".into(),
                    title: "New platform".into(),
                    portfolio_id: Some(fx.portfolio),
                    start: app.today().to_string(),
                    risk: "2".into(),
                    capacity: "architect, Q2, 1.5\nAstronaut, Q1, 1".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let count = || async move {
            let (r, _) = atrium_store::resource::list_requests(
                &app.db,
                &RequestFilter::default(),
                "start",
                false,
                Page::first(100),
            )
            .await
            .unwrap();
            let (a, _) = atrium_store::resource::list_allocations(
                &app.db,
                None,
                None,
                date(2000, 1, 1),
                date(2100, 1, 1),
                Page::first(100),
            )
            .await
            .unwrap();
            let audit = audit::list(&app.db, &audit::Filter::default(), Page::first(500))
                .await
                .unwrap()
                .0
                .len();
            (r.len(), a.len(), audit)
        };
        let before = count().await;
        let rm = rm();
        let w = app.what_if(&rm, Some(proposal.id), None).await.unwrap();
        assert_eq!(w.title, "PRP-001 New platform");
        assert_eq!(w.columns.len(), 8);
        assert_eq!(w.unknown_roles, ["Astronaut"], "{backend}");
        assert_eq!(w.rows.len(), 1);
        let (role, quarters) = &w.rows[0];
        assert_eq!(role, "Architect");
        let added: Vec<i64> = quarters.iter().map(|q| q.2).collect();
        // 1.5 FTE × 2,700 minutes × 13 weeks in the proposal's second quarter.
        let mut expected = vec![0; 8];
        expected[1] = (1.5 * WEEK as f64 * 13.0) as i64;
        assert_eq!(added, expected, "{backend}");
        assert_eq!(expected[1], 52_650);
        assert!(quarters.iter().all(|q| q.0 > 0), "Kim's capacity");
        assert_eq!(count().await, before, "{backend}: nothing written");
        assert_eq!(
            fields(app.what_if(&rm, None, None).await.unwrap_err()),
            ["proposal"]
        );
        assert!(forbidden(
            app.what_if(&org(Role::Sponsor), Some(proposal.id), None)
                .await
        ));
    }
}

#[tokio::test]
async fn who_may_see_capacity_and_requests() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let mia = person(&fx, "Mia", "Sales", "Lead", "40", "CRM:4", |_| {}).await;
        let nia = person(&fx, "Nia", "Sales", "Rep", "40", "CRM:3", |d| {
            d.line_manager_id = "mia@t.test".into()
        })
        .await;
        let oli = person(&fx, "Oli", "Sales", "Rep", "40", "CRM:3", |_| {}).await;
        assert_eq!(
            atrium_store::people::get(&app.db, nia)
                .await
                .unwrap()
                .unwrap()
                .line_manager_id,
            Some(mia)
        );
        let mia_user = link_user(&fx, mia).await;
        let p = project(&fx, "AUT-001").await;
        let pm = real(&fx, actor(Role::ProjectManager, Scope::Project(p))).await;
        let rm = rm();
        let d = request("Rep", "", "2027-01-04", "2027-01-29", "16");
        let for_nia = app.create_request(&pm, p, &d).await.unwrap();
        app.request_step(&rm, for_nia.id, 1, RequestStep::Propose(nia))
            .await
            .unwrap();
        let for_oli = app.create_request(&pm, p, &d).await.unwrap();
        app.request_step(&rm, for_oli.id, 1, RequestStep::Commit(Some(oli)))
            .await
            .unwrap();

        // The capacity views: planning roles (scoped or not) yes, others no.
        let q = query(Grouping::Person, Bucket::Week, date(2027, 1, 4), 2);
        for role in [
            Role::PmoDirector,
            Role::PortfolioManager,
            Role::PmoAnalyst,
            Role::ResourceManager,
        ] {
            assert!(app.capacity(&org(role), &q).await.is_ok(), "{role}");
        }
        assert!(app.capacity(&pm, &q).await.is_ok(), "{backend}: scoped PM");
        for role in [
            Role::Sponsor,
            Role::TeamMember,
            Role::GovernanceOfficer,
            Role::Admin,
        ] {
            let a = org(role);
            assert!(forbidden(app.capacity(&a, &q).await), "{backend}: {role}");
            assert!(forbidden(
                app.conflicts(&a, None, date(2027, 1, 4), 2, 10).await
            ));
            assert!(forbidden(app.skill_gaps(&a, date(2027, 1, 1), 1).await));
            assert!(forbidden(
                app.capacity_drill(&a, nia, date(2027, 1, 4), date(2027, 1, 10))
                    .await
            ));
        }

        // Mia (a team member) manages Nia: she sees requests for Nia, not for others.
        let lm = Actor {
            user_id: mia_user,
            ..org(Role::TeamMember)
        };
        let mine = RequestFilter {
            line_manager: Some(mia),
            ..Default::default()
        };
        let (reqs, _) = app
            .list_requests(&lm, mine, "start", false, Page::first(50))
            .await
            .unwrap();
        assert_eq!(
            reqs.iter().map(|r| r.id).collect::<Vec<_>>(),
            [for_nia.id],
            "{backend}"
        );
        assert!(app.get_request(&lm, for_nia.id).await.is_ok());
        assert!(matches!(
            app.get_request(&lm, for_oli.id).await,
            Err(AppError::NotFound(_))
        ));
        let someone_else = RequestFilter {
            line_manager: Some(oli),
            ..Default::default()
        };
        assert!(forbidden(
            app.list_requests(&lm, someone_else.clone(), "start", false, Page::first(50))
                .await
        ));
        assert!(forbidden(
            app.list_requests(
                &lm,
                RequestFilter::default(),
                "start",
                false,
                Page::first(50)
            )
            .await
        ));
        // The resource manager may list anyone's reports.
        let (none, _) = app
            .list_requests(&rm, someone_else, "start", false, Page::first(50))
            .await
            .unwrap();
        assert!(none.is_empty());
        // And nobody but the resource manager moves a request.
        assert!(forbidden(
            app.request_step(&lm, for_nia.id, 2, RequestStep::Commit(None))
                .await
        ));
    }
}

#[tokio::test]
async fn skill_gaps_and_allocation_exports_are_not_cut_at_one_page() {
    for (backend, fx) in apps().await {
        let app = &fx.app;
        let pat = person(&fx, "Pat", "IT", "Developer", "40", "Rust:3", |_| {}).await;
        let p = project(&fx, "BIG-001").await;
        // More than a page (500) of old requests and of allocations, in one transaction.
        let mut tx = app.db.begin().await.unwrap();
        for i in 0..501 {
            let r = atrium_core::resource::ResourceRequest {
                id: Uuid::now_v7(),
                project_id: p,
                job_role: Some("Developer".into()),
                skills: Vec::new(),
                start: date(2020, 1, 6),
                finish: date(2020, 1, 10),
                minutes_per_week: 60,
                note: String::new(),
                state: RequestState::Cancelled,
                person_id: None,
                reason: "old".into(),
                requested_by: None,
                version: 1,
            };
            atrium_store::resource::insert_request(&mut tx, &r, i)
                .await
                .unwrap();
            let a = atrium_core::resource::Allocation {
                id: Uuid::now_v7(),
                request_id: None,
                person_id: pat,
                project_id: p,
                start: date(2027, 1, 4),
                finish: date(2027, 1, 8),
                minutes_per_week: 60,
            };
            atrium_store::resource::insert_allocation(&mut tx, &a, i)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        // The 502nd request by start date asks for a skill nobody has.
        let pm = real(&fx, actor(Role::ProjectManager, Scope::Project(p))).await;
        app.create_request(
            &pm,
            p,
            &request("", "Quantum:3", "2027-01-04", "2027-02-26", "20"),
        )
        .await
        .unwrap();
        let rm = rm();
        let g = app.skill_gaps(&rm, date(2027, 1, 1), 1).await.unwrap();
        let quantum = g.rows.iter().find(|r| r.skill == "Quantum");
        assert_eq!(
            quantum.map(|r| r.quarters[0]),
            Some((0, 40 * 240, 0)),
            "{backend}"
        );
        let csv = app
            .allocations_export(&rm, date(2027, 1, 1), date(2027, 12, 31), "csv")
            .await
            .unwrap();
        let text = String::from_utf8(csv.bytes).unwrap();
        assert_eq!(text.lines().count(), 1 + 501, "{backend}");
    }
}
