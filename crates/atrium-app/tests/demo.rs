//! The demo organization loader: counts, logins that authenticate, refusal on a database
//! with data, determinism, progress reporting, and the medium size's promised shape.

// The helpers below are test code too (clippy only exempts `#[test]` functions).
#![allow(clippy::unwrap_used)]

use atrium_app::App;
use atrium_app::demo::{DemoSize, demo_logins};
use atrium_core::identity::{Role, Scope};
use atrium_core::project::{Phase, Project, Rag};
use atrium_store::project::{Filter, Visibility};
use atrium_store::{Db, Page, audit, identity, people, portfolio, project, testing};
use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;

/// (key, name, phase, status, budget) of a project.
type ProjectFacts = (String, String, String, String, i64);

async fn all_projects(db: &Db) -> Vec<Project> {
    let f = Filter {
        include_archived: true,
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut page = Page::first(500);
    loop {
        let (rows, next) = project::list(db, &f, &Visibility::All, "key", false, page)
            .await
            .unwrap();
        out.extend(rows);
        match next {
            Some(offset) => page.offset = offset,
            None => return out,
        }
    }
}

async fn count_people(db: &Db) -> usize {
    people::departments(db)
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| *n as usize)
        .sum()
}

async fn load(app: &App, size: DemoSize) -> Vec<(u64, u64)> {
    let calls = Mutex::new(Vec::new());
    let record = |done: u64, total: u64| calls.lock().unwrap().push((done, total));
    app.load_demo(size, &record).await.unwrap();
    calls.into_inner().unwrap()
}

#[test]
fn sizes_parse_and_logins_cover_every_role() {
    assert_eq!("small".parse::<DemoSize>().unwrap(), DemoSize::Small);
    assert_eq!("Medium".parse::<DemoSize>().unwrap(), DemoSize::Medium);
    assert_eq!(DemoSize::parse("large"), Some(DemoSize::Large));
    assert!(
        "huge"
            .parse::<DemoSize>()
            .unwrap_err()
            .contains("small, medium or large")
    );
    assert_eq!(DemoSize::default(), DemoSize::Medium);
    let logins = demo_logins();
    assert_eq!(logins.len(), 16);
    let roles: HashSet<Role> = logins.iter().map(|l| l.role).collect();
    assert_eq!(roles.len(), Role::ALL.len());
    let emails: HashSet<&str> = logins.iter().map(|l| l.email.as_str()).collect();
    assert_eq!(emails.len(), 16);
    for l in &logins {
        assert!(
            atrium_core::identity::check_password(&l.password).is_ok(),
            "{}",
            l.password
        );
        assert!(
            atrium_core::identity::Email::parse(&l.email).is_ok(),
            "{}",
            l.email
        );
    }
}

#[tokio::test]
async fn small_demo_on_every_backend() {
    for (backend, db) in testing::all().await.unwrap() {
        let app = App::new(db.clone());
        assert!(!app.has_data().await.unwrap(), "{backend}");
        assert!(!app.has_demo().await.unwrap(), "{backend}");
        let calls = load(&app, DemoSize::Small).await;

        // Progress: starts at 0, never goes back, ends at the total.
        let total = calls[0].1;
        assert_eq!(calls[0].0, 0, "{backend}");
        assert_eq!(*calls.last().unwrap(), (total, total), "{backend}");
        assert!(
            calls
                .windows(2)
                .all(|w| w[0].0 <= w[1].0 && w[0].1 == w[1].1),
            "{backend}"
        );

        // Counts.
        let (pfs, _) = portfolio::list_portfolios(
            &db,
            None,
            true,
            &Visibility::All,
            "key",
            false,
            Page::first(500),
        )
        .await
        .unwrap();
        assert_eq!(pfs.len(), 1, "{backend}");
        let (pgs, _) = portfolio::list_programs(
            &db,
            None,
            None,
            true,
            &Visibility::All,
            "key",
            false,
            Page::first(500),
        )
        .await
        .unwrap();
        assert_eq!(pgs.len(), 2, "{backend}");
        let projects = all_projects(&db).await;
        assert_eq!(projects.len(), 6, "{backend}");
        assert_eq!(count_people(&db).await, 20, "{backend}");
        assert_eq!(
            people::departments(&db).await.unwrap().len(),
            8,
            "{backend}"
        );
        assert!(identity::count_users(&db).await.unwrap() >= 16, "{backend}");
        let phases: HashSet<Phase> = projects.iter().map(|p| p.phase).collect();
        assert!(phases.len() >= 6, "{backend}: {phases:?}");
        let rags: HashSet<Rag> = projects.iter().map(|p| p.status).collect();
        assert_eq!(rags.len(), 3, "{backend}");

        // Settings.
        let s = app.settings().await.unwrap();
        assert_eq!(
            (s.name.as_str(), s.currency.as_str()),
            ("Northwind Holdings", "EUR"),
            "{backend}"
        );

        // One audit record for the whole load.
        let f = audit::Filter {
            entity: Some("demo".into()),
            ..Default::default()
        };
        let (rows, _) = audit::list(&db, &f, Page::first(10)).await.unwrap();
        assert_eq!(rows.len(), 1, "{backend}");
        assert_eq!(
            (rows[0].action.as_str(), rows[0].actor_email.as_str()),
            ("load", "system"),
            "{backend}"
        );
        let (all_audit, _) = audit::list(&db, &audit::Filter::default(), Page::first(10))
            .await
            .unwrap();
        assert_eq!(all_audit.len(), 1, "{backend}: no per-row audit records");

        // Every login authenticates.
        for l in demo_logins() {
            app.check_credentials(&l.email, &l.password)
                .await
                .unwrap_or_else(|e| panic!("{backend} {}: {e}", l.email));
        }

        // The project manager manages several projects and holds project grants on them;
        // the sponsor sponsors some; organization-wide roles are organization-wide.
        let user = |role: Role| {
            let l = demo_logins().into_iter().find(|l| l.role == role).unwrap();
            let db = db.clone();
            async move {
                identity::user_by_email(&db, &l.email)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        let pm = user(Role::ProjectManager).await;
        let managed: Vec<&Project> = projects
            .iter()
            .filter(|p| p.manager_id == Some(pm.id))
            .collect();
        assert!(managed.len() >= 3, "{backend}");
        let grants = identity::grants_of(&db, pm.id).await.unwrap();
        for p in &managed {
            assert!(p.phase.is_active(), "{backend}: {}", p.key);
            assert!(
                grants
                    .iter()
                    .any(|g| g.role == Role::ProjectManager && g.scope == Scope::Project(p.id)),
                "{backend}"
            );
        }
        let sponsor = user(Role::Sponsor).await;
        assert!(
            projects
                .iter()
                .filter(|p| p.sponsor_id == Some(sponsor.id))
                .count()
                >= 2,
            "{backend}"
        );
        let director = user(Role::PmoDirector).await;
        let g = identity::grants_of(&db, director.id).await.unwrap();
        assert!(
            g.iter()
                .any(|g| g.role == Role::PmoDirector && g.scope == Scope::Organization),
            "{backend}"
        );
        let team = user(Role::TeamMember).await;
        assert!(
            !identity::grants_of(&db, team.id).await.unwrap().is_empty(),
            "{backend}"
        );

        // Every project has a sponsor, a manager, dates and a budget.
        for p in &projects {
            assert!(
                p.sponsor_id.is_some() && p.manager_id.is_some(),
                "{backend}: {}",
                p.key
            );
            assert!(
                p.planned_start.is_some() && p.planned_finish.is_some() && p.budget.0 > 0,
                "{backend}: {}",
                p.key
            );
            assert!(
                p.status_note.as_deref().is_some_and(|n| !n.is_empty()),
                "{backend}: {}",
                p.key
            );
        }

        // A second load is refused and writes nothing.
        assert!(app.has_data().await.unwrap(), "{backend}");
        assert!(app.has_demo().await.unwrap(), "{backend}");
        let err = app
            .load_demo(DemoSize::Small, &|_, _| {})
            .await
            .unwrap_err();
        match err {
            atrium_app::AppError::Validation(errs) => {
                assert_eq!(errs[0].field, "database", "{backend}");
                assert!(errs[0].message.contains("already has data"), "{backend}");
            }
            other => panic!("{backend}: expected a validation error, got {other:?}"),
        }
        assert_eq!(all_projects(&db).await.len(), 6, "{backend}");
        db.close().await;
    }
}

#[tokio::test]
async fn same_data_every_time() {
    let mut seen: Vec<Vec<ProjectFacts>> = Vec::new();
    let mut pools: Vec<BTreeSet<(String, String, String)>> = Vec::new();
    for _ in 0..2 {
        let (db, _) = testing::sqlite().await.unwrap();
        let app = App::new(db.clone());
        load(&app, DemoSize::Small).await;
        let projects = all_projects(&db).await;
        seen.push(
            projects
                .iter()
                .map(|p| {
                    (
                        p.key.clone(),
                        p.name.clone(),
                        p.phase.as_str().to_owned(),
                        p.status.as_str().to_owned(),
                        p.budget.0,
                    )
                })
                .collect(),
        );
        let f = people::Filter::default();
        let (ps, _) = people::list(&db, &f, "name", false, Page::first(500))
            .await
            .unwrap();
        pools.push(
            ps.into_iter()
                .map(|p| (p.name, p.department, p.job_role))
                .collect(),
        );
        db.close().await;
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(pools[0], pools[1]);
    let keys: Vec<&str> = seen[0].iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        keys,
        [
            "PRJ-001", "PRJ-002", "PRJ-003", "PRJ-004", "PRJ-005", "PRJ-006"
        ]
    );
}

#[tokio::test]
async fn medium_demo_is_a_mid_size_pmo() {
    let (db, _) = testing::sqlite().await.unwrap();
    let app = App::new(db.clone());
    load(&app, DemoSize::Medium).await;
    let (pfs, _) = portfolio::list_portfolios(
        &db,
        None,
        true,
        &Visibility::All,
        "key",
        false,
        Page::first(500),
    )
    .await
    .unwrap();
    assert!(pfs.len() >= 3);
    let (pgs, _) = portfolio::list_programs(
        &db,
        None,
        None,
        true,
        &Visibility::All,
        "key",
        false,
        Page::first(500),
    )
    .await
    .unwrap();
    assert!(pgs.len() >= 8);
    let projects = all_projects(&db).await;
    assert_eq!(projects.len(), 60);
    assert_eq!(count_people(&db).await, 250);
    assert_eq!(people::departments(&db).await.unwrap().len(), 8);
    let names: HashSet<&str> = projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), 60, "project names are distinct");
    for phase in [
        Phase::Initiating,
        Phase::Planning,
        Phase::Executing,
        Phase::Closing,
        Phase::Closed,
        Phase::OnHold,
    ] {
        assert!(
            projects.iter().filter(|p| p.phase == phase).count() >= 2,
            "{phase:?}"
        );
    }
    for rag in Rag::ALL {
        assert!(
            projects.iter().filter(|p| p.status == rag).count() >= 3,
            "{rag:?}"
        );
    }
    // Every program holds projects; closed projects finished in the past, executing ones span today.
    for pg in &pgs {
        assert!(
            projects.iter().any(|p| p.program_id == Some(pg.id)),
            "{}",
            pg.key
        );
    }
    let today = app.today();
    for p in &projects {
        let (s, f) = (p.planned_start.unwrap(), p.planned_finish.unwrap());
        assert!(s <= f, "{}", p.key);
        match p.phase {
            Phase::Closed => assert!(f < today, "{}", p.key),
            Phase::Executing => assert!(s <= today && today <= f, "{}", p.key),
            Phase::Initiating => assert!(s > today, "{}", p.key),
            _ => {}
        }
    }
    // People have skills with levels and plausible rates.
    let (ps, _) = people::list(
        &db,
        &people::Filter::default(),
        "name",
        false,
        Page::first(500),
    )
    .await
    .unwrap();
    assert_eq!(ps.len(), 250);
    for p in &ps {
        assert!(
            !p.skills.is_empty() && p.skills.iter().all(|s| (1..=5).contains(&s.level)),
            "{}",
            p.name
        );
        assert!(
            (3_000..=20_000).contains(&p.cost_rate.0),
            "{}: {}",
            p.name,
            p.cost_rate.0
        );
        assert!(p.weekly_capacity_minutes > 0);
    }
    db.close().await;
}
