//! The store's test suite, run on SQLite always and on PostgreSQL when
//! ATRIUM_TEST_POSTGRES_URL is set.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use atrium_core::money::Minor;
use atrium_core::org::OrgSettingsDraft;
use atrium_core::portfolio::PortfolioDraft;
use atrium_core::project::{Phase, ProjectDraft, Rag};
use atrium_core::resource::PersonDraft;
use atrium_store::project::{Filter, Visibility};
use atrium_store::{Db, Page, StoreError, identity, org, people, portfolio, project, testing};
use uuid::Uuid;

async fn seed_portfolio(db: &Db, key: &str) -> Uuid {
    let p = PortfolioDraft {
        key: key.into(),
        name: format!("{key} portfolio"),
        ..Default::default()
    }
    .validate(Uuid::now_v7(), 1)
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    portfolio::insert_portfolio(&mut tx, &p, 1).await.unwrap();
    tx.commit().await.unwrap();
    p.id
}

fn project_draft(key: &str, pf: Uuid) -> ProjectDraft {
    ProjectDraft {
        key: key.into(),
        name: format!("Project {key}"),
        portfolio_id: Some(pf),
        phase: "planning".into(),
        planned_start: Some("2026-01-05".into()),
        budget: Some("1000.50".into()),
        status: "amber".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn schemas_match_between_backends() {
    let Some(base) = testing::postgres_url() else {
        // Without PostgreSQL the SQLite schema must at least be non-empty and migrated.
        let (db, _) = testing::sqlite().await.unwrap();
        assert!(db.schema().await.unwrap().contains_key("projects"));
        return;
    };
    let (lite, _) = testing::sqlite().await.unwrap();
    let (pg, _) = testing::postgres(&base).await.unwrap();
    let a = lite.schema().await.unwrap();
    let b = pg.schema().await.unwrap();
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "same tables"
    );
    for (t, cols) in &a {
        assert_eq!(Some(cols), b.get(t), "columns and nullability of {t}");
    }
}

#[tokio::test]
async fn projects_round_trip_on_every_backend() {
    for (name, db) in testing::all().await.unwrap() {
        let pf = seed_portfolio(&db, "CORE").await;
        let p = project_draft("PRJ-001", pf)
            .validate(Uuid::now_v7(), 1, "EUR")
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        project::insert(&mut tx, &p, 10).await.unwrap();
        tx.commit().await.unwrap();
        let got = project::get(&db, p.id).await.unwrap().unwrap();
        assert_eq!(got, p, "{name}");
        assert_eq!(got.budget, Minor(100_050));

        // Optimistic concurrency: a write based on version 1 succeeds once, then is stale.
        let mut edit = got.clone();
        edit.version = 2;
        edit.status = Rag::Red;
        let mut tx = db.begin().await.unwrap();
        project::update(&mut tx, &edit, 11).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        assert!(
            matches!(
                project::update(&mut tx, &edit, 12).await,
                Err(StoreError::Stale)
            ),
            "{name}"
        );
        drop(tx);
        assert_eq!(
            project::get(&db, p.id).await.unwrap().unwrap().status,
            Rag::Red
        );

        // Unique key.
        let dup = project_draft("PRJ-001", pf)
            .validate(Uuid::now_v7(), 1, "EUR")
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        let err = project::insert(&mut tx, &dup, 13).await.unwrap_err();
        assert!(matches!(err, StoreError::Unique(_)), "{name}: {err:?}");
    }
}

#[tokio::test]
async fn rolled_back_transaction_writes_nothing() {
    for (name, db) in testing::all().await.unwrap() {
        let pf = seed_portfolio(&db, "RB").await;
        let p = project_draft("PRJ-002", pf)
            .validate(Uuid::now_v7(), 1, "EUR")
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        project::insert(&mut tx, &p, 10).await.unwrap();
        drop(tx);
        assert!(project::get(&db, p.id).await.unwrap().is_none(), "{name}");
    }
}

#[tokio::test]
async fn list_filters_sorts_pages_and_scopes() {
    for (name, db) in testing::all().await.unwrap() {
        let a = seed_portfolio(&db, "PFA").await;
        let b = seed_portfolio(&db, "PFB").await;
        let mut tx = db.begin().await.unwrap();
        for i in 0..25 {
            let pf = if i % 2 == 0 { a } else { b };
            let mut d = project_draft(&format!("PRJ-{i:03}"), pf);
            d.name = format!("Alpha {i:03}");
            if i % 5 == 0 {
                d.phase = "executing".into();
            }
            project::insert(&mut tx, &d.validate(Uuid::now_v7(), 1, "EUR").unwrap(), 1)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let f = Filter::default();
        let (first, next) = project::list(&db, &f, &Visibility::All, "key", false, Page::first(10))
            .await
            .unwrap();
        assert_eq!(first.len(), 10, "{name}");
        assert_eq!(first[0].key, "PRJ-000");
        assert_eq!(next, Some(10));
        let (last, next) = project::list(
            &db,
            &f,
            &Visibility::All,
            "key",
            false,
            Page {
                limit: 10,
                offset: 20,
            },
        )
        .await
        .unwrap();
        assert_eq!((last.len(), next), (5, None));
        let (desc, _) = project::list(&db, &f, &Visibility::All, "key", true, Page::first(1))
            .await
            .unwrap();
        assert_eq!(desc[0].key, "PRJ-024");
        let f2 = Filter {
            phase: Some(Phase::Executing),
            ..Default::default()
        };
        let (ex, _) = project::list(&db, &f2, &Visibility::All, "key", false, Page::first(100))
            .await
            .unwrap();
        assert_eq!(ex.len(), 5);
        let f3 = Filter {
            q: Some("alpha 01".into()),
            ..Default::default()
        };
        let (found, _) = project::list(&db, &f3, &Visibility::All, "key", false, Page::first(100))
            .await
            .unwrap();
        assert_eq!(found.len(), 10, "{name}: alpha 010..019");
        let vis = Visibility::Scoped {
            portfolios: vec![a],
            programs: vec![],
            projects: vec![],
        };
        let (scoped, _) = project::list(&db, &f, &vis, "key", false, Page::first(100))
            .await
            .unwrap();
        assert_eq!(scoped.len(), 13);
        assert!(scoped.iter().all(|p| p.portfolio_id == a));
        // A LIKE wildcard in the search text is matched literally.
        let f4 = Filter {
            q: Some("%".into()),
            ..Default::default()
        };
        assert!(
            project::list(&db, &f4, &Visibility::All, "key", false, Page::first(5))
                .await
                .unwrap()
                .0
                .is_empty()
        );
    }
}

#[tokio::test]
async fn org_settings_and_people() {
    for (name, db) in testing::all().await.unwrap() {
        let draft = OrgSettingsDraft {
            name: "Acme".into(),
            currency: "EUR".into(),
            fiscal_year_start_month: "1".into(),
            operating_mode: "supportive".into(),
            reporting_cycle: "monthly".into(),
            working_days: vec![true, true, true, true, true, false, false],
            day_start: "08:00".into(),
            day_end: "17:00".into(),
            holidays: vec!["2026-12-25".into()],
        };
        let s = draft.validate(1).unwrap();
        let mut tx = db.begin().await.unwrap();
        org::init(&mut tx, &s, 1).await.unwrap();
        org::init(&mut tx, &s, 1).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(org::get(&db).await.unwrap().unwrap(), s, "{name}");

        let person = PersonDraft {
            name: "Ana".into(),
            department: "IT".into(),
            job_role: "Dev".into(),
            cost_rate: "90".into(),
            weekly_capacity_hours: "40".into(),
            skills: vec!["Rust:5,SQL:2".into()],
            ..Default::default()
        }
        .validate(Uuid::now_v7(), 1)
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        people::insert(&mut tx, &person, 1).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            people::get(&db, person.id).await.unwrap().unwrap(),
            person,
            "{name}"
        );
        let f = people::Filter {
            skill: Some("rust".into()),
            ..Default::default()
        };
        assert_eq!(
            people::list(&db, &f, "name", false, Page::first(10))
                .await
                .unwrap()
                .0
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn disabling_a_user_ends_sessions_and_tokens() {
    for (name, db) in testing::all().await.unwrap() {
        let u = identity::UserRow {
            id: Uuid::now_v7(),
            email: "x@example.com".into(),
            name: "X".into(),
            password_hash: "h".into(),
            disabled: false,
            version: 1,
        };
        let mut tx = db.begin().await.unwrap();
        identity::insert_user(&mut tx, &u, 1).await.unwrap();
        identity::insert_session(&mut tx, "s1", u.id, "csrf", 1, 100)
            .await
            .unwrap();
        identity::insert_token(&mut tx, "t1", u.id, 1, 100)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            identity::session_user(&db, "s1", 50)
                .await
                .unwrap()
                .is_some(),
            "{name}"
        );
        assert!(
            identity::session_user(&db, "s1", 100)
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        let mut tx = db.begin().await.unwrap();
        identity::set_disabled(&mut tx, u.id, true).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            identity::session_user(&db, "s1", 50)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        assert!(
            identity::token_user(&db, "t1", 50).await.unwrap().is_none(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn overview_queries_rank_by_urgency_per_portfolio() {
    for (name, db) in testing::all().await.unwrap() {
        let a = seed_portfolio(&db, "OVA").await;
        let b = seed_portfolio(&db, "OVB").await;
        let mut tx = db.begin().await.unwrap();
        for (i, (pf, status)) in [
            (a, "green"),
            (a, "red"),
            (a, "amber"),
            (a, "green"),
            (b, "amber"),
            (b, "red"),
        ]
        .iter()
        .enumerate()
        {
            let mut d = project_draft(&format!("PRJ-{i:03}"), *pf);
            d.status = (*status).into();
            project::insert(&mut tx, &d.validate(Uuid::now_v7(), 1, "EUR").unwrap(), 1)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let top = project::most_urgent_per_portfolio(&db, &Visibility::All, 2)
            .await
            .unwrap();
        let of = |pf: Uuid| {
            top.iter()
                .filter(|p| p.portfolio_id == pf)
                .map(|p| p.status.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(of(a), vec!["red", "amber"], "{name}");
        assert_eq!(of(b), vec!["red", "amber"], "{name}");
        let counts = project::counts_by_portfolio(&db, &Visibility::All)
            .await
            .unwrap();
        let total_a: i64 = counts
            .iter()
            .filter(|(p, _, _)| *p == a)
            .map(|(_, _, n)| n)
            .sum();
        assert_eq!(total_a, 4, "{name}");
        let vis = Visibility::Scoped {
            portfolios: vec![b],
            programs: vec![],
            projects: vec![],
        };
        assert!(
            project::most_urgent_per_portfolio(&db, &vis, 5)
                .await
                .unwrap()
                .iter()
                .all(|p| p.portfolio_id == b)
        );
    }
}

/// The portfolio risk view's read hands every column back (column by column, in one row):
/// open risks of unarchived projects and of registers, nothing else, on either backend;
/// an empty organization reads as no risks.
#[tokio::test]
async fn open_risk_points_read_every_column_on_every_backend() {
    use atrium_core::risk::{Rating, RegisterLevel, Risk, RiskKind, RiskStatus};
    use atrium_store::risk::{PointRow, insert_risk, open_points};
    for (name, db) in testing::all().await.unwrap() {
        assert_eq!(
            open_points(&db, &Visibility::All, None, true)
                .await
                .unwrap(),
            Vec::<PointRow>::new(),
            "{name}: no risks yet"
        );
        let pf = seed_portfolio(&db, "RSK").await;
        let live = project_draft("LIVE-001", pf)
            .validate(Uuid::now_v7(), 1, "EUR")
            .unwrap();
        let mut gone = project_draft("GONE-001", pf)
            .validate(Uuid::now_v7(), 1, "EUR")
            .unwrap();
        gone.archived = true;
        let mut tx = db.begin().await.unwrap();
        project::insert(&mut tx, &live, 1).await.unwrap();
        project::insert(&mut tx, &gone, 1).await.unwrap();
        let mut threat = Risk::new_in_project(Uuid::now_v7(), 1, live.id, None, pf);
        threat.category = " Schedule ".into();
        threat.department = "IT".into();
        threat.rating = Some(Rating {
            probability: 3,
            impacts: [("cost".to_owned(), 4)].into(),
        });
        insert_risk(&mut tx, &threat, 1_234, 1).await.unwrap();
        let mut opportunity = Risk::new_in_project(Uuid::now_v7(), 2, live.id, None, pf);
        opportunity.kind = RiskKind::Opportunity;
        opportunity.supplier = "Acme".into();
        insert_risk(&mut tx, &opportunity, -50, 1).await.unwrap();
        let mut closed = Risk::new_in_project(Uuid::now_v7(), 3, live.id, None, pf);
        closed.status = RiskStatus::Closed;
        insert_risk(&mut tx, &closed, 7, 1).await.unwrap();
        let archived = Risk::new_in_project(Uuid::now_v7(), 1, gone.id, None, pf);
        insert_risk(&mut tx, &archived, 9, 1).await.unwrap();
        let own = Risk::new_in_register(
            Uuid::now_v7(),
            1,
            RegisterLevel::Portfolio,
            None,
            None,
            Some(pf),
        );
        insert_risk(&mut tx, &own, 0, 1).await.unwrap();
        tx.commit().await.unwrap();

        let mut got = open_points(&db, &Visibility::All, None, true)
            .await
            .unwrap();
        got.sort_by_key(|r| r.emv);
        let row = |opportunity,
                   probability,
                   impact,
                   emv,
                   category: &str,
                   department: &str,
                   supplier: &str| PointRow {
            program_id: None,
            portfolio_id: Some(pf),
            opportunity,
            probability,
            impact,
            emv,
            category: category.into(),
            department: department.into(),
            supplier: supplier.into(),
            driver: None,
        };
        assert_eq!(
            got,
            vec![
                row(true, None, None, -50, "", "", "Acme"),
                row(false, None, None, 0, "", "", ""),
                row(false, Some(3), Some(4), 1_234, " Schedule ", "IT", ""),
            ],
            "{name}"
        );
        // Without scopes the rows are the same but for where they sit.
        let slim = open_points(&db, &Visibility::All, Some(pf), false)
            .await
            .unwrap();
        assert_eq!(slim.len(), 3, "{name}");
        assert!(
            slim.iter()
                .all(|r| r.portfolio_id.is_none() && r.program_id.is_none()),
            "{name}"
        );
        // A caller who sees nothing of the portfolio reads nothing.
        let none = Visibility::Scoped {
            portfolios: vec![],
            programs: vec![],
            projects: vec![Uuid::now_v7()],
        };
        assert!(
            open_points(&db, &none, None, true)
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
    }
}
