//! Plan ⇄ MSPDI conversion tests (`plan_io`): fixture imports with exact values, round trips
//! through the writer, resources and assignments, hostile input, the import-preview diff and
//! the CSV/XLSX task table.

use atrium_core::plan::{
    Assignment, BaselineValues, Constraint, LinkType, Plan, PlanLink, PlanTask,
};
use atrium_interop::mspdi::{self, MspdiError};
use atrium_interop::plan_io::{
    Imported, TASK_COLUMNS, diff, plan_from_mspdi, plan_to_mspdi, tasks_table, to_csv,
};
use atrium_interop::xlsx::Cell;
use jiff::civil::Date;
use uuid::Uuid;

const RICH: &[u8] = include_bytes!("fixtures/mspdi/rich.xml");
const RICH_MPXJ: &[u8] = include_bytes!("fixtures/mspdi/rich_mpxj_written.xml");
const GEN100: &[u8] = include_bytes!("fixtures/mspdi/gen100_seed1.xml");
const LINKS: &[u8] = include_bytes!("fixtures/schedule/cases/links.xml");
const CONSTRAINTS: &[u8] = include_bytes!("fixtures/schedule/cases/constraints.xml");
const PROGRESS: &[u8] = include_bytes!("fixtures/schedule/cases/progress.xml");
const SUMMARY: &[u8] = include_bytes!("fixtures/schedule/cases/summary.xml");

fn pid() -> Uuid {
    Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef)
}

fn import(xml: &[u8]) -> Imported {
    plan_from_mspdi(xml, pid(), &mut |_, _| {}).expect("file imports")
}

fn task(p: &Plan, uid: u32) -> &PlanTask {
    p.tasks
        .iter()
        .find(|t| t.uid == uid)
        .unwrap_or_else(|| panic!("task {uid} missing"))
}

fn link(p: &Plan, pred: u32, succ: u32) -> &PlanLink {
    p.links
        .iter()
        .find(|l| l.pred == pred && l.succ == succ)
        .unwrap_or_else(|| panic!("link {pred}->{succ} missing"))
}

fn minutes(y: i32, m: u8, d: u8, h: u8) -> i64 {
    mspdi::DateTime::new(y, m, d, h, 0, 0)
        .expect("date")
        .minutes_since_epoch()
}

/// Each task one working day after the previous, as the engine would give (dates only
/// matter for the file's Start/Finish, not for the round trip).
fn fake_dates(p: &Plan) -> Vec<(i64, i64)> {
    let base = minutes(2024, 1, 8, 8);
    (0..p.tasks.len() as i64)
        .map(|i| (base + i * 1440, base + i * 1440 + 540))
        .collect()
}

fn no_names(_: Uuid) -> Option<(String, Option<String>)> {
    None
}

#[test]
fn plan_io_rich_fixture_imports_every_field() {
    let imp = import(RICH);
    let p = &imp.plan;
    assert_eq!(imp.minutes_per_day, 480);
    assert_eq!(p.project_id, pid());
    assert_eq!(p.start, Date::constant(2024, 1, 8));
    assert_eq!(imp.start, p.start);
    assert_eq!(p.status_date, Some(Date::constant(2024, 1, 31)));
    // UID 0 (project summary) and the external task 12 are not tasks.
    let uids: Vec<u32> = p.tasks.iter().map(|t| t.uid).collect();
    assert_eq!(uids, (1..=11).collect::<Vec<_>>());
    assert_eq!(p.next_uid, 12);

    let phase_a = task(p, 1);
    assert_eq!(phase_a.level, 1);
    assert!(p.is_summary(0));
    assert_eq!(phase_a.notes, "Summary of phase A & its <work>");
    let kickoff = task(p, 2);
    assert_eq!(kickoff.level, 2);
    assert!(kickoff.milestone);
    assert_eq!(kickoff.constraint, Constraint::Mso);
    assert_eq!(kickoff.constraint_date, Some(Date::constant(2024, 1, 8)));

    let req = task(p, 3);
    assert_eq!(req.duration, 48 * 60);
    assert_eq!(
        req.fixed_cost, 50_000,
        "FixedCost 50000 = 500.00 in minor units"
    );
    assert_eq!(req.percent_complete, 100);
    assert_eq!(req.actual_start, Some(Date::constant(2024, 1, 8)));
    assert_eq!(req.actual_finish, Some(Date::constant(2024, 1, 16)));
    assert_eq!(
        req.baselines.get(&0),
        Some(&BaselineValues {
            start: minutes(2024, 1, 8, 8),
            finish: minutes(2024, 1, 12, 17),
            duration: 2400,
            work: 2400,
            cost: 850_000,
        })
    );
    assert_eq!(req.baselines.get(&1).map(|b| b.cost), Some(690_000));
    assert!(
        req.assignments.is_empty(),
        "assignments are left to the app layer"
    );

    let design = task(p, 4);
    assert_eq!(design.constraint, Constraint::Snet);
    assert_eq!(design.deadline, Some(Date::constant(2024, 1, 26)));
    assert_eq!(design.percent_complete, design.percent_complete.min(100));
    assert_eq!(
        design.baselines.keys().copied().collect::<Vec<_>>(),
        vec![0, 10]
    );
    assert!(p.baselines_set.contains_key(&0) && p.baselines_set.contains_key(&10));

    // 3 elapsed days at face value: 3 working days.
    assert_eq!(task(p, 9).duration, 3 * 480);
    assert!(
        imp.skipped
            .iter()
            .any(|s| s.contains("UID 9") && s.contains("elapsed"))
    );
    assert_eq!(task(p, 9).constraint, Constraint::Snlt);
    assert_eq!(task(p, 5).constraint, Constraint::Fnet);
    assert_eq!(task(p, 8).constraint, Constraint::Fnlt);
    assert_eq!(task(p, 10).constraint, Constraint::Mfo);
    assert_eq!(task(p, 11).constraint, Constraint::Alap);
    assert_eq!(task(p, 11).constraint_date, None);

    // Links: every type, every lag format.
    assert_eq!(p.links.len(), 9, "{:?}", p.links);
    let l = link(p, 2, 3);
    assert_eq!((l.kind, l.lag), (LinkType::Fs, 0));
    let l = link(p, 3, 4);
    assert_eq!(
        (l.kind, l.lag),
        (LinkType::Ss, 2 * 480),
        "2 elapsed days → 2d"
    );
    let l = link(p, 4, 5);
    assert_eq!((l.kind, l.lag), (LinkType::Ff, 240));
    assert_eq!(link(p, 4, 7).lag, 2400, "50 % of design's 10 days");
    assert_eq!(link(p, 5, 7).lag, -480);
    let l = link(p, 9, 8);
    assert_eq!((l.kind, l.lag), (LinkType::Sf, 360), "25 % of 3 days");
    assert_eq!(link(p, 8, 10).lag, -240, "-4 elapsed hours at face value");
    assert_eq!(link(p, 10, 11).lag, 2400, "one week");
    assert!(
        p.links
            .iter()
            .all(|l| l.pred != 12 && l.pred_project.is_none())
    );
    assert!(imp.skipped.iter().any(|s| s.contains("cross-project")));
    assert!(imp.skipped.iter().any(|s| s.contains("external task")));
    assert!(
        imp.skipped
            .iter()
            .any(|s| s.contains("task UID 7 uses calendar"))
    );
    assert!(imp.skipped.iter().any(|s| s.contains("project calendar's")));
    assert!(
        imp.skipped
            .iter()
            .any(|s| s.contains("UID 10") && s.contains("manually"))
    );

    // Only the work resource; material and cost resources are noted.
    assert_eq!(imp.resources.len(), 1, "{:?}", imp.resources);
    let ada = &imp.resources[0];
    assert_eq!(ada.uid, 1);
    assert_eq!(ada.name, "Ada Lovelace");
    assert_eq!(ada.email.as_deref(), Some("ada@example.org"));
    assert_eq!(ada.max_units, 100);
    assert!(imp.skipped.iter().any(|s| s.contains("material resource")));
    let mut a: Vec<(u32, u32, u16)> = imp
        .assignments
        .iter()
        .map(|a| (a.task_uid, a.resource_uid, a.units))
        .collect();
    a.sort_unstable();
    assert_eq!(a, vec![(3, 1, 100), (4, 1, 100), (7, 1, 200)]);
}

/// Plan → XML → plan keeps tasks, links, baselines and project dates.
fn assert_round_trip(name: &str, xml: &[u8]) -> Plan {
    let first = import(xml).plan;
    assert!(!first.tasks.is_empty(), "{name}: no tasks");
    let out = plan_to_mspdi(&first, &fake_dates(&first), &no_names, name, 480);
    let second = plan_from_mspdi(out.as_bytes(), pid(), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{name}: written file does not read back: {e}"));
    assert!(
        second.skipped.is_empty(),
        "{name}: the written file needs no notes: {:?}",
        second.skipped
    );
    let second = second.plan;
    assert_eq!(second.tasks.len(), first.tasks.len(), "{name}");
    for (a, b) in first.tasks.iter().zip(&second.tasks) {
        assert_eq!(a, b, "{name}: task {} differs", a.uid);
    }
    assert_eq!(second.links, first.links, "{name}: links");
    assert_eq!(second.start, first.start, "{name}: start");
    assert_eq!(second.status_date, first.status_date, "{name}: status date");
    assert_eq!(second.next_uid, first.next_uid, "{name}: next uid");
    assert!(diff(&first, &second).is_empty(), "{name}");
    first
}

#[test]
fn plan_io_fixtures_round_trip_through_the_writer() {
    let mut kinds = std::collections::HashSet::new();
    let mut constraints = std::collections::HashSet::new();
    let mut baselines = 0;
    for (name, xml) in [
        ("rich", RICH),
        ("rich_mpxj_written", RICH_MPXJ),
        ("links", LINKS),
        ("constraints", CONSTRAINTS),
        ("progress", PROGRESS),
        ("summary", SUMMARY),
        ("gen100_seed1", GEN100),
    ] {
        let p = assert_round_trip(name, xml);
        kinds.extend(p.links.iter().map(|l| l.kind));
        constraints.extend(p.tasks.iter().map(|t| t.constraint));
        baselines += p.tasks.iter().map(|t| t.baselines.len()).sum::<usize>();
    }
    // The fixtures cover what the round trip is meant to check.
    assert_eq!(kinds.len(), 4, "every link type");
    assert_eq!(constraints.len(), 8, "every constraint");
    assert!(baselines >= 6);
}

#[test]
fn plan_io_mpxj_written_fixture_matches_the_hand_written_one() {
    // The same project written by MPXJ imports to the same plan.
    let a = import(RICH).plan;
    let b = import(RICH_MPXJ).plan;
    let d = diff(&a, &b);
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn plan_io_writer_carries_resources_assignments_and_drops_cross_project_links() {
    let mut p = Plan::empty(pid(), Date::constant(2027, 1, 4));
    p.status_date = Some(Date::constant(2027, 1, 15));
    let ann = Uuid::from_u128(1);
    let bob = Uuid::from_u128(2);
    for (uid, name, level, dur) in [(1, "Phase", 1, 0), (2, "Build", 2, 2400), (3, "Ship", 2, 0)] {
        let mut t = PlanTask::new(uid, name, dur);
        t.level = level;
        p.tasks.push(t);
    }
    p.tasks[1].assignments = vec![
        Assignment {
            person_id: ann,
            units: 50,
        },
        Assignment {
            person_id: bob,
            units: 100,
        },
    ];
    p.tasks[2].assignments = vec![Assignment {
        person_id: ann,
        units: 100,
    }];
    p.tasks[1].notes = "=cmd|' /C calc'!A0 & <b>".into();
    p.tasks[1].constraint = Constraint::Fnlt;
    p.tasks[1].constraint_date = Some(Date::constant(2027, 1, 29));
    p.next_uid = 4;
    p.links.push(PlanLink {
        pred_project: None,
        pred: 2,
        succ: 3,
        kind: LinkType::Ss,
        lag: 90,
    });
    p.links.push(PlanLink {
        pred_project: Some(Uuid::from_u128(9)),
        pred: 7,
        succ: 2,
        kind: LinkType::Fs,
        lag: 0,
    });
    let names = |id: Uuid| {
        (id == ann).then(|| ("Ann Example".to_owned(), Some("ann@example.org".to_owned())))
    };
    let dates = vec![
        (minutes(2027, 1, 4, 8), minutes(2027, 1, 8, 17)),
        (minutes(2027, 1, 4, 8), minutes(2027, 1, 8, 17)),
        (minutes(2027, 1, 4, 9), minutes(2027, 1, 4, 9)),
    ];
    let xml = plan_to_mspdi(&p, &dates, &names, "Apollo & co", 480);
    assert!(xml.contains("<Name>Apollo &amp; co</Name>"));
    assert!(xml.contains("<OutlineNumber>1.2</OutlineNumber>"));
    assert!(xml.contains("<ConstraintDate>2027-01-29T17:00:00</ConstraintDate>"));

    // The model view of the file.
    let file = mspdi::parse(xml.as_bytes()).expect("parses").project;
    assert_eq!(file.minutes_per_day, Some(480));
    assert_eq!(file.calendars.len(), 1);
    let build = file.task(2).expect("task 2");
    assert_eq!(build.start, mspdi::DateTime::new(2027, 1, 4, 8, 0, 0));
    assert_eq!(build.finish, mspdi::DateTime::new(2027, 1, 8, 17, 0, 0));
    assert_eq!(build.outline_number.as_deref(), Some("1.1"));
    assert!(file.task(1).expect("task 1").summary);
    assert!(
        build.predecessors.is_empty(),
        "the cross-project link is dropped"
    );
    let ship = file.task(3).expect("task 3");
    assert_eq!(ship.predecessors.len(), 1);
    assert_eq!(ship.predecessors[0].lag, 900, "tenths of a minute");
    assert_eq!(file.resources.len(), 2);
    assert_eq!(file.assignments.len(), 3);

    // And back: resources named by `names`, units kept.
    let imp = plan_from_mspdi(xml.as_bytes(), pid(), &mut |_, _| {}).expect("reads back");
    assert_eq!(imp.resources.len(), 2);
    assert_eq!(imp.resources[0].name, "Ann Example");
    assert_eq!(imp.resources[0].email.as_deref(), Some("ann@example.org"));
    assert!(imp.resources[1].name.starts_with("Person "));
    assert_eq!(imp.resources[1].email, None);
    let a: Vec<(u32, u32, u16)> = imp
        .assignments
        .iter()
        .map(|a| (a.task_uid, a.resource_uid, a.units))
        .collect();
    assert_eq!(a, vec![(2, 1, 50), (2, 2, 100), (3, 1, 100)]);
    assert_eq!(imp.plan.tasks[1].notes, p.tasks[1].notes);
    assert_eq!(imp.plan.links, vec![p.links[0].clone()]);
    assert_eq!(imp.plan.status_date, p.status_date);
}

#[test]
fn plan_io_progress_is_reported_about_a_hundred_times() {
    let mut calls = Vec::new();
    let imp = plan_from_mspdi(GEN100, pid(), &mut |d, t| calls.push((d, t))).expect("imports");
    assert!(
        !calls.is_empty() && calls.len() <= 101,
        "{} calls",
        calls.len()
    );
    let total = calls[0].1;
    assert_eq!(total, imp.plan.tasks.len());
    assert_eq!(calls.last(), Some(&(total, total)));
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));
    // A bigger plan still gets at most ~100 calls.
    let mut xml = String::from("<Project xmlns=\"http://schemas.microsoft.com/project\"><Tasks>");
    for uid in 1..=1234 {
        xml.push_str(&format!("<Task><UID>{uid}</UID><Name>T</Name></Task>"));
    }
    xml.push_str("</Tasks></Project>");
    let mut n = 0;
    plan_from_mspdi(xml.as_bytes(), pid(), &mut |_, _| n += 1).expect("imports");
    assert!((90..=101).contains(&n), "{n} calls");
}

#[test]
fn plan_io_odd_files_are_repaired_with_notes() {
    let xml = br#"<Project xmlns="http://schemas.microsoft.com/project">
      <MinutesPerDay>420</MinutesPerDay>
      <Tasks>
        <Task><UID>0</UID><OutlineLevel>0</OutlineLevel><Name>Summary</Name></Task>
        <Task><UID>5</UID><Name>Deep</Name><OutlineLevel>3</OutlineLevel><Duration>PT14H0M0S</Duration>
          <ConstraintType>2</ConstraintType><FixedCost>-5</FixedCost><Gizmo>1</Gizmo></Task>
        <Task><UID>5</UID><Name>Twin</Name></Task>
        <Task><UID>9</UID><IsNull>1</IsNull></Task>
        <Task><UID>7</UID><Duration>PT1H0M0S</Duration>
          <PredecessorLink><PredecessorUID>5</PredecessorUID><Type>1</Type><LinkLag>4200</LinkLag><LagFormat>7</LagFormat></PredecessorLink>
          <PredecessorLink><PredecessorUID>44</PredecessorUID><Type>1</Type></PredecessorLink>
          <PredecessorLink><PredecessorUID>7</PredecessorUID><Type>1</Type></PredecessorLink>
        </Task>
      </Tasks>
    </Project>"#;
    let imp = import(xml);
    let p = &imp.plan;
    assert_eq!(imp.minutes_per_day, 420);
    assert_eq!(p.start, Date::constant(2000, 1, 3), "no dates anywhere");
    assert_eq!(p.tasks.len(), 2);
    assert_eq!(p.tasks[0].name, "Deep");
    assert_eq!(p.tasks[0].level, 1, "outline normalized");
    assert_eq!(p.tasks[0].duration, 840);
    assert_eq!(
        p.tasks[0].constraint,
        Constraint::Asap,
        "MSO without a date"
    );
    assert_eq!(p.tasks[0].fixed_cost, 0);
    assert_eq!(p.tasks[1].name, "Task 7");
    assert_eq!(p.links.len(), 1);
    assert_eq!(p.links[0].lag, 420);
    assert_eq!(p.next_uid, 8);
    for needle in [
        "Gizmo",
        "appears twice",
        "has no date",
        "fixed cost",
        "not in the file",
        "cannot precede itself",
        "no start date",
    ] {
        assert!(
            imp.skipped.iter().any(|s| s.contains(needle)),
            "no note with {needle:?}: {:?}",
            imp.skipped
        );
    }
}

#[test]
fn plan_io_malformed_and_hostile_files_are_refused_with_a_position() {
    let bad =
        b"<Project xmlns=\"http://schemas.microsoft.com/project\">\n<Tasks>\n<Task><UID>1</Task>";
    match plan_from_mspdi(bad, pid(), &mut |_, _| {}) {
        Err(MspdiError::Xml { at, .. }) => assert_eq!(at.line, 3),
        other => panic!("expected an XML error, got {other:?}"),
    }
    let dtd = b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><Project/>";
    assert!(matches!(
        plan_from_mspdi(dtd, pid(), &mut |_, _| {}),
        Err(MspdiError::Doctype { .. })
    ));
    assert!(matches!(
        plan_from_mspdi(b"<Plan/>", pid(), &mut |_, _| {}),
        Err(MspdiError::NotProject { .. })
    ));
    // More tasks than a plan may hold.
    let mut xml = String::from("<Project xmlns=\"http://schemas.microsoft.com/project\"><Tasks>");
    for uid in 0..=atrium_core::plan::MAX_TASKS + 1 {
        xml.push_str(&format!("<Task><UID>{uid}</UID></Task>"));
    }
    xml.push_str("</Tasks></Project>");
    let err = plan_from_mspdi(xml.as_bytes(), pid(), &mut |_, _| {}).expect_err("too many");
    assert!(
        matches!(err, MspdiError::TooMany { what, .. } if what.contains("task")),
        "{err}"
    );
}

fn sample_plan() -> Plan {
    let mut p = Plan::empty(pid(), Date::constant(2027, 1, 4));
    for (uid, name, level) in [(1, "A", 1), (2, "A1", 2), (3, "A2", 2), (4, "B", 1)] {
        let mut t = PlanTask::new(uid, name, 480);
        t.level = level;
        p.tasks.push(t);
    }
    p.next_uid = 5;
    p.links.push(PlanLink {
        pred_project: None,
        pred: 2,
        succ: 3,
        kind: LinkType::Fs,
        lag: 0,
    });
    p.links.push(PlanLink {
        pred_project: None,
        pred: 3,
        succ: 4,
        kind: LinkType::Fs,
        lag: 0,
    });
    p
}

#[test]
fn plan_io_diff_lists_added_removed_and_changed_tasks_and_links() {
    let old = sample_plan();
    assert!(diff(&old, &old.clone()).is_empty());

    let mut new = old.clone();
    new.tasks[1].name = "A1 renamed".into();
    new.tasks[1].duration = 960;
    new.tasks[2].percent_complete = 40;
    new.tasks[2].constraint = Constraint::Snet;
    new.tasks[2].constraint_date = Some(Date::constant(2027, 2, 1));
    // B moves under A (level and parent change).
    new.tasks[3].level = 2;
    new.tasks.remove(0); // A removed: A1, A2 and B lose their parent too
    let mut c = PlanTask::new(5, "C", 0);
    c.baselines.insert(
        0,
        BaselineValues {
            start: 1,
            finish: 2,
            duration: 0,
            work: 0,
            cost: 0,
        },
    );
    new.tasks.push(c);
    new.links[0].lag = 480;
    new.links.remove(1);
    new.links.push(PlanLink {
        pred_project: Some(Uuid::from_u128(7)),
        pred: 12,
        succ: 5,
        kind: LinkType::Ss,
        lag: 0,
    });
    new.start = Date::constant(2027, 1, 11);

    let d = diff(&old, &new);
    assert!(!d.is_empty());
    assert_eq!(d.added.iter().map(|t| t.uid).collect::<Vec<_>>(), vec![5]);
    assert_eq!(d.removed.iter().map(|t| t.uid).collect::<Vec<_>>(), vec![1]);
    let fields = |uid: u32| {
        d.changed
            .iter()
            .find(|c| c.uid == uid)
            .map(|c| c.fields.clone())
            .unwrap_or_default()
    };
    assert_eq!(fields(2), vec!["name", "parent", "duration"]);
    assert_eq!(fields(3), vec!["parent", "constraint", "% complete"]);
    assert_eq!(fields(4), vec!["level"]);
    assert_eq!(d.links_added.len(), 1);
    assert_eq!(d.links_added[0].pred_project, Some(Uuid::from_u128(7)));
    assert_eq!(d.links_removed.len(), 1);
    assert_eq!((d.links_removed[0].pred, d.links_removed[0].succ), (3, 4));
    assert_eq!(d.links_changed.len(), 1);
    assert_eq!(d.links_changed[0].1.lag, 480);
    assert_eq!(d.plan_fields, vec!["start"]);
    assert_eq!(
        (d.old_tasks, d.new_tasks, d.old_links, d.new_links),
        (4, 4, 2, 2)
    );
    assert_eq!(
        d.summary(),
        "1 tasks added, 1 removed, 3 changed; 1 links added, 1 removed, 1 changed; project start changed"
    );

    // A change of baselines or resources alone is a change.
    let mut only_base = old.clone();
    only_base.tasks[0].baselines.insert(
        1,
        BaselineValues {
            start: 0,
            finish: 0,
            duration: 0,
            work: 0,
            cost: 0,
        },
    );
    let d = diff(&old, &only_base);
    assert_eq!(d.changed.len(), 1);
    assert_eq!(d.changed[0].fields, vec!["baselines"]);
}

#[test]
fn plan_io_tasks_table_and_csv() {
    let mut p = sample_plan();
    p.tasks[0].name = "=HYPERLINK(\"http://x\")".into();
    p.tasks[1].name = "Design, \"v2\"\nnext".into();
    p.tasks[1].fixed_cost = 123_456;
    p.tasks[1].duration = 1200;
    p.tasks[3].baselines.insert(
        0,
        BaselineValues {
            start: minutes(2027, 1, 4, 8),
            finish: minutes(2027, 1, 5, 17),
            duration: 960,
            work: 960,
            cost: 0,
        },
    );
    p.links.push(PlanLink {
        pred_project: Some(Uuid::from_u128(3)),
        pred: 12,
        succ: 4,
        kind: LinkType::Ss,
        lag: 960,
    });
    p.links[0].kind = LinkType::Ff;
    p.links[0].lag = -480;
    let dates = vec![
        (minutes(2027, 1, 4, 8), minutes(2027, 1, 6, 17)),
        (minutes(2027, 1, 4, 8), minutes(2027, 1, 6, 12)),
    ];
    let (headers, rows) = tasks_table(&p, &dates, 480);
    assert_eq!(headers, TASK_COLUMNS.to_vec());
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.len() == headers.len()));
    assert_eq!(rows[1][3], Cell::Number(2.5));
    assert_eq!(rows[1][4], Cell::Text("2027-01-04 08:00".into()));
    assert_eq!(rows[1][5], Cell::Text("2027-01-06 12:00".into()));
    assert_eq!(rows[2][4], Cell::Empty, "no dates given for row 3");
    assert_eq!(rows[2][7], Cell::Text("2FF-1d".into()));
    assert_eq!(rows[3][7], Cell::Text("3, ?:12SS+2d".into()));
    assert_eq!(rows[1][8], Cell::Number(1234.56));
    assert_eq!(rows[3][9], Cell::Text("2027-01-04 08:00".into()));
    assert_eq!(rows[0][9], Cell::Empty);

    let csv = to_csv(&headers, &rows);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "ID,Level,Name,Duration (days),Start,Finish,% complete,Predecessors,Fixed cost,Baseline start,Baseline finish"
    );
    assert!(
        lines[1].starts_with("1,1,\"'=HYPERLINK(\"\"http://x\"\")\",1,"),
        "{}",
        lines[1]
    );
    assert!(csv.contains("\"Design, \"\"v2\"\"\nnext\""));
    assert!(csv.contains(",1234.56,"));
    assert!(csv.ends_with("\r\n"));
    // The csv crate reads it back to the same fields.
    let mut r = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let recs: Vec<csv::StringRecord> = r.records().map(|x| x.expect("record")).collect();
    assert_eq!(recs.len(), 4);
    assert_eq!(&recs[1][2], "Design, \"v2\"\nnext");
    assert_eq!(&recs[3][7], "3, ?:12SS+2d");

    let guarded = to_csv(
        &["a"],
        &[
            vec![Cell::Text("+1".into())],
            vec![Cell::Text("-2".into())],
            vec![Cell::Text("@SUM(A1)".into())],
            vec![Cell::Number(-2.0)],
            vec![Cell::Money {
                minor: -1205,
                currency: "EUR".into(),
            }],
            vec![Cell::Number(f64::NAN)],
        ],
    );
    assert_eq!(
        guarded,
        "a\r\n'+1\r\n'-2\r\n'@SUM(A1)\r\n-2\r\n-12.05\r\n\r\n"
    );
}

mod plan_io_props {
    use super::*;
    use proptest::prelude::*;

    fn date() -> impl Strategy<Value = Date> {
        (2000i16..2060, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| Date::constant(y, m, d))
    }

    fn constraint() -> impl Strategy<Value = (Constraint, Option<Date>)> {
        (0usize..8, date()).prop_map(|(i, d)| {
            let c = [
                Constraint::Asap,
                Constraint::Alap,
                Constraint::Snet,
                Constraint::Snlt,
                Constraint::Fnet,
                Constraint::Fnlt,
                Constraint::Mso,
                Constraint::Mfo,
            ][i];
            (c, c.needs_date().then_some(d))
        })
    }

    fn baseline() -> impl Strategy<Value = BaselineValues> {
        (
            15_000_000i64..40_000_000,
            0i64..200_000,
            0i64..200_000,
            0i64..1_000_000,
            -1_000_000_000i64..1_000_000_000,
        )
            .prop_map(|(start, len, duration, work, cost)| BaselineValues {
                start,
                finish: start + len,
                duration,
                work,
                cost,
            })
    }

    prop_compose! {
        fn task()(
            name in "[a-zA-Z0-9éü€&<>\"' -]{0,40}",
            level in 1u8..5,
            duration in 0i64..200_000,
            milestone in any::<bool>(),
            (constraint, constraint_date) in constraint(),
            deadline in proptest::option::of(date()),
            percent_complete in 0u8..=100,
            actual_start in proptest::option::of(date()),
            actual_finish in proptest::option::of(date()),
            fixed_cost in 0i64..1_000_000_000_000,
            notes in "[a-z\n&<]{0,20}",
            baselines in proptest::collection::btree_map(0u8..11, baseline(), 0..3),
        ) -> PlanTask {
            let name = name.trim().to_owned();
            PlanTask {
                name: if name.is_empty() { "x".into() } else { name },
                level,
                milestone,
                constraint,
                constraint_date,
                deadline,
                percent_complete,
                actual_start,
                actual_finish,
                fixed_cost,
                notes: notes.trim().to_owned(),
                baselines,
                ..PlanTask::new(0, "", duration)
            }
        }
    }

    prop_compose! {
        fn any_plan()(
            tasks in proptest::collection::vec(task(), 1..25),
            links in proptest::collection::vec((0usize..25, 0usize..25, 0usize..4, -20_000i64..20_000), 0..30),
            start in date(),
            status in proptest::option::of(date()),
            gap in 1u32..5,
        ) -> Plan {
            let mut p = Plan::empty(pid(), start);
            p.status_date = status;
            for (i, mut t) in tasks.into_iter().enumerate() {
                t.uid = 1 + i as u32 * gap;
                p.tasks.push(t);
            }
            p.normalize_outline();
            let n = p.tasks.len();
            for (a, b, k, lag) in links {
                let (a, b) = (a % n, b % n);
                if a != b {
                    p.links.push(PlanLink {
                        pred_project: None,
                        pred: p.tasks[a].uid,
                        succ: p.tasks[b].uid,
                        kind: [LinkType::Fs, LinkType::Ss, LinkType::Ff, LinkType::Sf][k],
                        lag,
                    });
                }
            }
            // Links come back grouped by successor in task order.
            let order: std::collections::HashMap<u32, usize> =
                p.tasks.iter().enumerate().map(|(i, t)| (t.uid, i)).collect();
            p.links.sort_by_key(|l| order[&l.succ]);
            p.next_uid = p.tasks.iter().map(|t| t.uid).max().unwrap_or(0) + 1;
            p
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn plan_io_any_plan_round_trips(p in any_plan(), mpd in prop_oneof![Just(480i64), Just(420), Just(450)]) {
            let dates: Vec<(i64, i64)> = p.tasks.iter().enumerate()
                .map(|(i, _)| (27_000_000 + i as i64 * 1440, 27_000_000 + i as i64 * 1440 + 480))
                .collect();
            let xml = plan_to_mspdi(&p, &dates, &no_names, "prop", mpd);
            let back = plan_from_mspdi(xml.as_bytes(), pid(), &mut |_, _| {})
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(back.skipped.is_empty(), "{:?}", back.skipped);
            prop_assert_eq!(back.minutes_per_day, mpd);
            let mut expected = p.clone();
            for t in &mut expected.tasks {
                t.assignments.clear();
            }
            prop_assert_eq!(&back.plan.tasks, &expected.tasks);
            prop_assert_eq!(&back.plan.links, &expected.links);
            prop_assert_eq!(back.plan.start, expected.start);
            prop_assert_eq!(back.plan.status_date, expected.status_date);
            prop_assert_eq!(back.plan.next_uid, expected.next_uid);
            prop_assert!(diff(&expected, &back.plan).plan_fields.is_empty());
        }
    }
}
