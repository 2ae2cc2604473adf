//! MSPDI reader and writer tests: fixtures, round trips, writer shape, hostile inputs, fuzzing.

use atrium_interop::mspdi::{
    self, ConstraintType, DateTime, DurationFormat, Limits, LinkType, MspdiError, Project,
    RecurrenceKind, ResourceType, TimeUnit, Warning, WorkingTime,
};
use proptest::prelude::*;

const RICH: &[u8] = include_bytes!("fixtures/mspdi/rich.xml");
const RICH_MPXJ: &[u8] = include_bytes!("fixtures/mspdi/rich_mpxj_written.xml");
const GEN100: &[u8] = include_bytes!("fixtures/mspdi/gen100_seed1.xml");

fn dt(y: i32, mo: u8, d: u8, h: u8, mi: u8) -> DateTime {
    DateTime::new(y, mo, d, h, mi, 0).expect("valid date")
}

fn rich() -> Project {
    let parsed = mspdi::parse(RICH).expect("rich.xml parses");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    parsed.project
}

/// Parse -> write -> parse must give the same model; the writer may only add the two
/// elements the schema requires, `SaveVersion` and `CurrencyCode`.
fn assert_round_trip(xml: &[u8]) -> Project {
    let first = mspdi::parse(xml).expect("parses").project;
    let written = mspdi::write(&first);
    let second = mspdi::parse(&written).expect("written file parses");
    assert!(second.warnings.is_empty(), "{:?}", second.warnings);
    let mut expected = first.clone();
    expected.save_version = expected.save_version.or(Some(14));
    expected.currency_code = expected.currency_code.or(Some("USD".into()));
    assert_eq!(second.project, expected);
    // And writing is then a fixed point, byte for byte.
    assert_eq!(mspdi::write(&second.project), written);
    first
}

// ---- reading the fixtures ------------------------------------------------------------------

#[test]
fn rich_project_header() {
    let p = rich();
    assert_eq!(p.save_version, Some(14));
    assert_eq!(p.name.as_deref(), Some("rich.xml"));
    assert_eq!(p.start_date, Some(dt(2024, 1, 8, 8, 0)));
    assert_eq!(p.status_date, Some(dt(2024, 1, 31, 17, 0)));
    assert_eq!(p.calendar_uid, Some(1));
    assert_eq!(p.default_start_time, Some(480));
    assert_eq!(p.default_finish_time, Some(1020));
    assert_eq!(p.minutes_per_day(), 480);
    assert_eq!(p.minutes_per_week(), 2400);
    assert_eq!(p.currency_code.as_deref(), Some("EUR"));
    assert_eq!(p.currency_symbol.as_deref(), Some("€"));
    assert_eq!(p.duration_format, Some(DurationFormat::DAYS));
    assert_eq!(
        (
            p.calendars.len(),
            p.tasks.len(),
            p.resources.len(),
            p.assignments.len()
        ),
        (3, 13, 4, 5)
    );
}

#[test]
fn rich_calendars() {
    let p = rich();
    let std = p.calendar(1).expect("standard");
    assert!(std.is_base);
    assert_eq!(std.base_calendar_uid, None);
    assert_eq!(std.week_days.len(), 7);
    let monday = std.week_day(2).expect("monday");
    assert!(monday.working);
    assert_eq!(
        monday.times,
        vec![
            WorkingTime { from: 480, to: 720 },
            WorkingTime {
                from: 780,
                to: 1020
            }
        ]
    );
    assert!(!std.week_day(1).expect("sunday").working);

    assert_eq!(std.exceptions.len(), 6);
    let holiday = &std.exceptions[0];
    assert_eq!(holiday.name.as_deref(), Some("Company day"));
    assert!(!holiday.working);
    // Type 1 with period 1 is a plain date range.
    assert_eq!(holiday.recurrence.kind, None);
    assert_eq!(holiday.dates(100), vec![dt(2024, 1, 15, 0, 0)]);
    assert_eq!(std.exceptions[1].dates(100).len(), 5);
    let saturday = &std.exceptions[2];
    assert!(saturday.working);
    assert_eq!(saturday.times, vec![WorkingTime { from: 540, to: 780 }]);

    let labour = &std.exceptions[3];
    assert_eq!(
        labour.recurrence.kind,
        Some(RecurrenceKind::YearlyByMonthDay)
    );
    assert_eq!(labour.recurrence.month, Some(4));
    assert_eq!(labour.recurrence.month_day, Some(1));
    assert_eq!(labour.recurrence.occurrences, Some(5));
    assert_eq!(
        labour.dates(100),
        (2024..=2028).map(|y| dt(y, 5, 1, 0, 0)).collect::<Vec<_>>()
    );

    // First Thursday (MonthItem 7) of each month, February to June 2024.
    let thursday = &std.exceptions[4];
    assert_eq!(
        thursday.recurrence.kind,
        Some(RecurrenceKind::MonthlyByPosition)
    );
    assert_eq!(
        thursday.dates(100),
        vec![
            dt(2024, 2, 1, 0, 0),
            dt(2024, 3, 7, 0, 0),
            dt(2024, 4, 4, 0, 0),
            dt(2024, 5, 2, 0, 0),
            dt(2024, 6, 6, 0, 0)
        ]
    );
    assert!(thursday.dates(100).iter().all(|d| d.day_type() == 5));

    // Every second Friday (DaysOfWeek bit 32) in March 2024, weeks counted from March 1.
    let friday = &std.exceptions[5];
    assert_eq!(friday.recurrence.kind, Some(RecurrenceKind::Weekly));
    assert_eq!(
        friday.dates(100),
        vec![
            dt(2024, 3, 1, 0, 0),
            dt(2024, 3, 15, 0, 0),
            dt(2024, 3, 29, 0, 0)
        ]
    );

    assert_eq!(std.work_weeks.len(), 1);
    let summer = &std.work_weeks[0];
    assert_eq!(summer.name.as_deref(), Some("Summer hours"));
    assert_eq!(
        (summer.from, summer.to),
        (dt(2024, 7, 1, 0, 0), dt(2024, 8, 30, 23, 59))
    );
    assert_eq!(summer.week_days.len(), 4);

    // Midnight at the end of the day is 1440.
    let night = p.calendar(2).expect("night shift");
    assert_eq!(
        night.week_day(3).expect("tuesday").times,
        vec![
            WorkingTime { from: 0, to: 360 },
            WorkingTime {
                from: 1320,
                to: 1440
            }
        ]
    );

    // A resource calendar derived from Standard, with legacy DayType 0 exceptions.
    let ada = p.calendar(3).expect("resource calendar");
    assert!(!ada.is_base);
    assert_eq!(ada.base_calendar_uid, Some(1));
    assert_eq!(ada.week_days.len(), 1);
    assert_eq!(ada.exceptions.len(), 2);
    assert!(!ada.exceptions[0].working);
    assert_eq!(ada.exceptions[0].dates(10).len(), 2);
    assert!(ada.exceptions[1].working);
    assert_eq!(
        ada.exceptions[1].times,
        vec![WorkingTime { from: 600, to: 840 }]
    );
}

#[test]
fn rich_tasks_outline_and_flags() {
    let p = rich();
    let summary = p.task(0).expect("project summary");
    assert_eq!(summary.level(), 0);
    assert!(summary.summary);
    // Format 53 is MSPDI's "null" format.
    assert_eq!(summary.duration_format, None);
    let levels: Vec<u16> = p.tasks.iter().map(|t| t.level()).collect();
    assert_eq!(levels, vec![0, 1, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2]);
    let phase_a = p.task(1).expect("phase A");
    assert!(phase_a.summary && !phase_a.milestone);
    assert_eq!(phase_a.outline_number.as_deref(), Some("1"));
    assert_eq!(
        phase_a.notes.as_deref(),
        Some("Summary of phase A & its <work>")
    );
    let kickoff = p.task(2).expect("kick-off");
    assert!(kickoff.milestone);
    assert_eq!(kickoff.duration, Some(0));
    assert_eq!(kickoff.constraint(), ConstraintType::MustStartOn);
    let manual = p.task(10).expect("manual");
    assert!(manual.manual);
    assert_eq!(manual.estimated, Some(true));
    assert_eq!(
        manual.duration_format,
        Some(DurationFormat {
            unit: TimeUnit::Days,
            elapsed: false,
            estimated: true
        })
    );
    let build = p.task(7).expect("build");
    assert_eq!(build.calendar_uid, Some(2));
    assert_eq!(build.ignore_resource_calendar, Some(true));
    assert_eq!(build.work, Some(160 * 60));
    let window = p.task(9).expect("acceptance window");
    assert_eq!(window.duration, Some(3 * 1440));
    assert_eq!(window.duration_format.map(|f| f.elapsed), Some(true));
    let external = p.task(12).expect("external");
    assert!(external.external_task);
    assert_eq!(
        external.external_task_project.as_deref(),
        Some(r"C:\Projects\Platform.mpp")
    );
}

#[test]
fn rich_constraints_and_deadlines() {
    let p = rich();
    let c = |uid| p.task(uid).expect("task").constraint();
    assert_eq!(c(2), ConstraintType::MustStartOn);
    assert_eq!(c(3), ConstraintType::AsSoonAsPossible);
    assert_eq!(c(4), ConstraintType::StartNoEarlierThan);
    assert_eq!(c(5), ConstraintType::FinishNoEarlierThan);
    assert_eq!(c(8), ConstraintType::FinishNoLaterThan);
    assert_eq!(c(9), ConstraintType::StartNoLaterThan);
    assert_eq!(c(10), ConstraintType::MustFinishOn);
    assert_eq!(c(11), ConstraintType::AsLateAsPossible);
    assert_eq!(
        p.task(5).expect("task").constraint_date,
        Some(dt(2024, 1, 24, 12, 0))
    );
    assert_eq!(
        p.task(4).expect("task").deadline,
        Some(dt(2024, 1, 26, 17, 0))
    );
    assert_eq!(
        p.task(11).expect("task").deadline,
        Some(dt(2024, 3, 28, 17, 0))
    );
}

#[test]
fn rich_links_types_and_lag_formats() {
    let p = rich();
    let link = |uid: i32, i: usize| p.task(uid).expect("task").predecessors[i].clone();
    let fs = link(3, 0);
    assert_eq!(
        (fs.predecessor_uid, fs.link_type, fs.lag),
        (2, LinkType::FinishToStart, 0)
    );
    let ss = link(4, 0);
    assert_eq!(ss.link_type, LinkType::StartToStart);
    assert_eq!(ss.lag, 28_800, "2 elapsed days in tenths of a minute");
    assert!(ss.lag_is_elapsed() && !ss.lag_is_percent());
    let ff = link(5, 0);
    assert_eq!(ff.link_type, LinkType::FinishToFinish);
    assert_eq!(ff.lag_format.map(|f| f.unit), Some(TimeUnit::Hours));
    let pct = link(7, 0);
    assert!(pct.lag_is_percent() && !pct.lag_is_elapsed());
    assert_eq!(pct.lag, 50);
    let lead = link(7, 1);
    assert_eq!(lead.lag, -4800, "a one-day lead");
    let sf = link(8, 1);
    assert_eq!(sf.link_type, LinkType::StartToFinish);
    assert!(sf.lag_is_percent() && sf.lag_is_elapsed());
    assert_eq!(
        link(10, 0).lag_format.map(|f| (f.unit, f.elapsed)),
        Some((TimeUnit::Hours, true))
    );
    assert_eq!(
        link(11, 0).lag_format.map(|f| f.unit),
        Some(TimeUnit::Weeks)
    );
    let cross = link(11, 1);
    assert!(cross.cross_project);
    assert_eq!(
        cross.cross_project_name.as_deref(),
        Some(r"C:\Projects\Platform.mpp\14")
    );
}

#[test]
fn rich_progress_baselines_costs() {
    let p = rich();
    let req = p.task(3).expect("requirements");
    assert_eq!(req.percent_complete, Some(100));
    assert_eq!(req.actual_start, Some(dt(2024, 1, 8, 8, 0)));
    assert_eq!(req.actual_finish, Some(dt(2024, 1, 16, 17, 0)));
    assert_eq!(req.actual_duration, Some(48 * 60));
    assert_eq!(req.remaining_duration, Some(0));
    assert_eq!(req.cost, Some(1_010_000));
    assert_eq!(req.fixed_cost, Some(50_000));
    assert_eq!(req.fixed_cost_accrual, Some(3));
    assert_eq!(req.baselines.len(), 2);
    let b0 = req.baseline(0).expect("baseline 0");
    assert_eq!(b0.start, Some(dt(2024, 1, 8, 8, 0)));
    assert_eq!(b0.finish, Some(dt(2024, 1, 12, 17, 0)));
    assert_eq!(
        (b0.duration, b0.work, b0.cost),
        (Some(2400), Some(2400), Some(850_000))
    );
    assert_eq!(
        (b0.bcws, b0.bcwp, b0.fixed_cost),
        (Some(850_000), Some(850_000), Some(50_000))
    );
    assert_eq!(req.baseline(1).expect("baseline 1").cost, Some(690_000));
    let design = p.task(4).expect("design");
    assert_eq!(design.percent_complete, Some(50));
    assert_eq!(design.actual_finish, None);
    assert_eq!(design.remaining_duration, Some(40 * 60));
    assert_eq!(
        design.baseline(10).expect("baseline 10").cost,
        Some(1_100_000)
    );
}

#[test]
fn rich_resources_and_assignments() {
    let p = rich();
    let types: Vec<_> = p.resources.iter().map(|r| r.resource_type).collect();
    assert_eq!(
        types,
        vec![
            Some(ResourceType::Work),
            Some(ResourceType::Work),
            Some(ResourceType::Material),
            Some(ResourceType::Cost)
        ]
    );
    let ada = &p.resources[1];
    assert_eq!(ada.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(ada.max_units, Some(1.0));
    assert_eq!(ada.standard_rate, Some(120.0));
    assert_eq!(ada.standard_rate_format, Some(2));
    assert_eq!(ada.calendar_uid, Some(3));
    assert_eq!(ada.baselines[0].work, Some(280 * 60));
    assert_eq!(p.resources[0].calendar_uid, None, "-1 means no calendar");
    assert_eq!(p.resources[2].standard_rate, Some(85.5));
    assert_eq!(p.resources[2].cost_per_use, Some(2500));

    let a = &p.assignments[0];
    assert_eq!((a.uid, a.task_uid, a.resource_uid), (1, 3, 1));
    assert_eq!(a.units, Some(1.0));
    assert_eq!(a.work, Some(48 * 60));
    assert_eq!(a.actual_work, Some(48 * 60));
    assert_eq!(a.baselines[0].start, Some(dt(2024, 1, 8, 8, 0)));
    assert_eq!(a.baselines[0].cost, Some(800_000));
    assert_eq!(p.assignments[2].units, Some(2.0));
}

#[test]
fn generated_project_reads() {
    let parsed = mspdi::parse(GEN100).expect("generated file parses");
    assert!(parsed.warnings.is_empty());
    let p = parsed.project;
    assert_eq!(p.tasks.len(), 100);
    assert_eq!(
        p.tasks.iter().map(|t| t.predecessors.len()).sum::<usize>(),
        146
    );
    assert!(
        p.tasks
            .iter()
            .all(|t| t.duration.is_some_and(|d| d % 480 == 0))
    );
    assert_eq!(p.start_date, Some(dt(2001, 1, 1, 8, 0)));
}

#[test]
fn mpxj_written_file_reads_without_warnings_and_agrees() {
    let parsed = mspdi::parse(RICH_MPXJ).expect("MPXJ's MSPDI parses");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let ours = rich();
    let theirs = parsed.project;
    // MPXJ folds the external task into its cross-project link and drops the summary task 0.
    for t in ours.tasks.iter().filter(|t| t.uid != 0 && !t.external_task) {
        let m = theirs.task(t.uid).expect("same task in MPXJ's file");
        assert_eq!(m.name, t.name, "uid {}", t.uid);
        assert_eq!(m.start, t.start, "uid {}", t.uid);
        assert_eq!(m.finish, t.finish, "uid {}", t.uid);
        assert_eq!(m.duration, t.duration, "uid {}", t.uid);
        assert_eq!(m.constraint(), t.constraint(), "uid {}", t.uid);
        assert_eq!(m.deadline, t.deadline, "uid {}", t.uid);
        let links = |x: &mspdi::Task| {
            x.predecessors
                .iter()
                .map(|l| (l.predecessor_uid, l.link_type, l.lag))
                .collect::<Vec<_>>()
        };
        assert_eq!(links(m), links(t), "uid {}", t.uid);
        // MPXJ leaves zero costs out.
        let b = |x: &mspdi::Task| {
            x.baseline(0)
                .map(|b| (b.start, b.finish, b.cost.filter(|c| *c != 0)))
        };
        assert_eq!(b(m), b(t), "uid {}", t.uid);
    }
    let std_ours = ours.calendar(1).expect("calendar");
    let std_theirs = theirs.calendar(1).expect("calendar");
    let dates = |c: &mspdi::Calendar| {
        let mut v: Vec<_> = c.exceptions.iter().flat_map(|x| x.dates(1000)).collect();
        v.sort();
        v
    };
    assert_eq!(dates(std_theirs), dates(std_ours));
}

// ---- writing and round trips ----------------------------------------------------------------

#[test]
fn round_trip_rich() {
    assert_round_trip(RICH);
}

#[test]
fn round_trip_generated() {
    assert_round_trip(GEN100);
}

#[test]
fn round_trip_mpxj_written() {
    assert_round_trip(RICH_MPXJ);
}

#[test]
fn writer_shape_follows_the_schema() {
    let out = String::from_utf8(mspdi::write(&rich())).expect("utf-8");
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\""));
    assert!(out.contains("<Project xmlns=\"http://schemas.microsoft.com/project\">"));
    assert!(out.contains("<SaveVersion>14</SaveVersion>"));
    let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s} missing"));
    // Project children in schema order.
    let order = [
        "<SaveVersion>",
        "<Name>",
        "<Title>",
        "<Company>",
        "<Author>",
        "<ScheduleFromStart>",
        "<StartDate>",
        "<FinishDate>",
        "<CurrencyDigits>",
        "<CurrencySymbol>",
        "<CurrencyCode>",
        "<CalendarUID>",
        "<DefaultStartTime>",
        "<MinutesPerDay>",
        "<DurationFormat>",
        "<HonorConstraints>",
        "<StatusDate>",
        "<CurrentDate>",
        "<Calendars>",
        "<Tasks>",
        "<Resources>",
        "<Assignments>",
    ];
    for w in order.windows(2) {
        assert!(at(w[0]) < at(w[1]), "{} must precede {}", w[0], w[1]);
    }
    // Within a task: links after the scalar fields and before baselines.
    let task = &out[at("<Task>\n<UID>3</UID>")..];
    let task = &task[..task.find("</Task>").expect("task end")];
    let pos = |s: &str| {
        task.find(s)
            .unwrap_or_else(|| panic!("{s} missing in task"))
    };
    let order = [
        "<ID>",
        "<Name>",
        "<Manual>",
        "<OutlineLevel>",
        "<Start>",
        "<Duration>",
        "<Milestone>",
        "<FixedCost>",
        "<PercentComplete>",
        "<ActualStart>",
        "<RemainingDuration>",
        "<ConstraintType>",
        "<PredecessorLink>",
        "<Baseline>",
    ];
    for w in order.windows(2) {
        assert!(
            pos(w[0]) < pos(w[1]),
            "{} must precede {} in a task",
            w[0],
            w[1]
        );
    }
    assert!(out.contains("<Notes>Summary of phase A &amp; its &lt;work&gt;</Notes>"));
    assert!(
        out.contains("<ToTime>00:00:00</ToTime>"),
        "midnight written as MS Project does"
    );
}

#[test]
fn writer_escapes_and_drops_unrepresentable_characters() {
    let mut p = Project::default();
    p.tasks.push(mspdi::Task {
        uid: 1,
        name: Some("a<b>&c\u{1}\r\nd\"e'".into()),
        ..Default::default()
    });
    let out = mspdi::write(&p);
    let back = mspdi::parse(&out).expect("parses").project;
    assert_eq!(back.tasks[0].name.as_deref(), Some("a<b>&c\r\nd\"e'"));
    // Required elements are filled in; an empty Calendars element is not written.
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("<CurrencyCode>USD</CurrencyCode>"));
    assert!(!text.contains("<Calendars>"));
    // Schema length limits.
    p.name = Some("é".repeat(300));
    p.currency_code = Some("EURO".into());
    let back = mspdi::parse(&mspdi::write(&p)).expect("parses").project;
    assert_eq!(back.name.map(|n| n.chars().count()), Some(255));
    assert_eq!(back.currency_code.as_deref(), Some("EUR"));
}

// ---- warnings and errors ---------------------------------------------------------------------

fn wrap(tasks: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\"?>\n<Project xmlns=\"http://schemas.microsoft.com/project\">\n<Tasks>\n{tasks}\n</Tasks>\n</Project>\n"
    )
    .into_bytes()
}

#[test]
fn unknown_elements_are_skipped_with_one_warning_per_name() {
    let xml = wrap(
        "<Task><UID>1</UID><Sparkle>x</Sparkle><Sparkle><Deep>y</Deep></Sparkle><Name>A</Name></Task>\
         <Task><UID>2</UID><Sparkle/><Glitter>z</Glitter><EarlyStart>2001-01-01T08:00:00</EarlyStart>\
         <PredecessorLink><PredecessorUID>1</PredecessorUID><Sparkle/></PredecessorLink></Task>",
    );
    let parsed = mspdi::parse(&xml).expect("parses");
    assert_eq!(parsed.project.tasks.len(), 2);
    assert_eq!(parsed.project.tasks[0].name.as_deref(), Some("A"));
    assert_eq!(
        parsed.warnings,
        vec![
            Warning::UnknownElement {
                parent: "Project/Tasks/Task".into(),
                name: "Sparkle".into(),
                count: 4
            },
            Warning::UnknownElement {
                parent: "Project/Tasks/Task".into(),
                name: "Glitter".into(),
                count: 1
            },
        ],
        "EarlyStart is an MSPDI element the model does not carry: skipped silently"
    );
    assert!(parsed.warnings[0].to_string().contains("Sparkle"));
}

#[test]
fn unknown_codes_are_dropped_with_a_warning() {
    let xml = wrap("<Task><UID>1</UID><ConstraintType>42</ConstraintType></Task>");
    let parsed = mspdi::parse(&xml).expect("parses");
    assert_eq!(parsed.project.tasks[0].constraint_type, None);
    assert!(matches!(
        &parsed.warnings[..],
        [Warning::IgnoredValue { element, .. }] if element == "ConstraintType"
    ));
}

#[test]
fn malformed_xml_gives_one_error_with_line_and_column() {
    let xml = b"<?xml version=\"1.0\"?>\n<Project>\n  <Tasks>\n    <Task><UID>1</Name></Task>\n";
    let err = mspdi::parse(xml).expect_err("malformed");
    match &err {
        MspdiError::Xml { at, .. } => {
            assert_eq!(at.line, 4);
            assert_eq!(at.column, 17, "the mismatched closing tag");
        }
        other => panic!("unexpected {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("line 4, column 17"), "{msg}");
    assert!(!msg.contains('\n'));
}

#[test]
fn truncated_file_names_the_open_element() {
    let xml = b"<Project><Tasks><Task><UID>1</UID>";
    let err = mspdi::parse(xml).expect_err("truncated");
    assert!(matches!(err, MspdiError::Xml { .. }), "{err:?}");
    assert!(err.to_string().contains("Task"), "{err}");
}

#[test]
fn every_truncation_is_an_error_never_a_panic_or_a_partial_model() {
    let full = RICH.len() - 1; // up to, not including, the final newline
    for cut in (0..full).step_by(41).chain([full - 1]) {
        let err = mspdi::parse(&RICH[..cut]).expect_err("truncated input must be refused");
        assert!(!err.to_string().is_empty());
    }
    assert!(mspdi::parse(&RICH[..full]).is_ok());
}

#[test]
fn bad_values_name_the_element_and_position() {
    let xml = wrap("<Task><UID>1</UID>\n<Start>yesterday</Start></Task>");
    let err = mspdi::parse(&xml).expect_err("bad date");
    match err {
        MspdiError::Value {
            at, element, value, ..
        } => {
            assert_eq!(element, "Start");
            assert_eq!(value, "yesterday");
            assert_eq!(at.line, 5);
        }
        other => panic!("unexpected {other:?}"),
    }
    let err = mspdi::parse(&wrap("<Task><Name>no uid</Name></Task>")).expect_err("no uid");
    assert!(err.to_string().contains("UID"), "{err}");
}

#[test]
fn other_roots_and_empty_input_are_refused() {
    assert!(matches!(
        mspdi::parse(b"<html><body/></html>"),
        Err(MspdiError::NotProject { root }) if root == "html"
    ));
    assert!(matches!(mspdi::parse(b""), Err(MspdiError::Xml { .. })));
    assert!(matches!(
        mspdi::parse(b"   \n"),
        Err(MspdiError::Xml { .. })
    ));
    assert!(matches!(
        mspdi::parse(b"<Project/><Project/>"),
        Err(MspdiError::Xml { .. })
    ));
    let ok = mspdi::parse(b"\xEF\xBB\xBF<Project/>").expect("BOM and empty project are fine");
    assert!(ok.project.tasks.is_empty());
}

// ---- hostile inputs --------------------------------------------------------------------------

#[test]
fn entity_expansion_is_refused() {
    let billion_laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Project><Name>&lol3;</Name></Project>"#;
    let err = mspdi::parse(billion_laughs).expect_err("refused");
    assert!(
        matches!(err, MspdiError::Doctype { at } if at.line == 2),
        "{err:?}"
    );

    let xxe = br#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project><Name>&x;</Name></Project>"#;
    assert!(matches!(mspdi::parse(xxe), Err(MspdiError::Doctype { .. })));

    // Without a DTD, an undeclared entity is an error, never a lookup.
    let undeclared = b"<Project><Name>&x;</Name></Project>";
    let err = mspdi::parse(undeclared).expect_err("undeclared entity");
    assert!(err.to_string().contains("&x;"), "{err}");
    // Predefined entities and character references are fine.
    let ok = mspdi::parse(b"<Project><Name>&amp;&#65;&#x42;</Name></Project>").expect("ok");
    assert_eq!(ok.project.name.as_deref(), Some("&AB"));
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    let depth = 200_000;
    let mut xml = String::from("<Project><Tasks><Task><UID>1</UID>");
    xml.push_str(&"<X>".repeat(depth));
    xml.push_str(&"</X>".repeat(depth));
    xml.push_str("</Task></Tasks></Project>");
    let err = mspdi::parse(xml.as_bytes()).expect_err("too deep");
    assert!(
        matches!(err, MspdiError::TooDeep { limit: 64, .. }),
        "{err:?}"
    );
    // Nesting inside a leaf counts too.
    let mut xml = String::from("<Project><Name>");
    xml.push_str(&"<a>".repeat(100));
    let err = mspdi::parse(xml.as_bytes()).expect_err("too deep in a leaf");
    assert!(matches!(err, MspdiError::TooDeep { .. }), "{err:?}");
}

#[test]
fn huge_numbers_are_errors_naming_the_element() {
    for (xml, element) in [
        ("<Task><UID>99999999999999999999999999</UID></Task>", "UID"),
        ("<Task><UID>1</UID><ID>4294967296</ID></Task>", "ID"),
        (
            "<Task><UID>1</UID><Duration>PT999999999999999999999H0M0S</Duration></Task>",
            "Duration",
        ),
        ("<Task><UID>1</UID><Cost>1e308</Cost></Task>", "Cost"),
        (
            "<Task><UID>1</UID><OutlineLevel>70000</OutlineLevel></Task>",
            "OutlineLevel",
        ),
        (
            "<Task><UID>1</UID><PredecessorLink><PredecessorUID>2</PredecessorUID><LinkLag>1e30</LinkLag></PredecessorLink></Task>",
            "LinkLag",
        ),
    ] {
        let err = mspdi::parse(&wrap(xml)).expect_err(xml);
        match &err {
            MspdiError::Value {
                element: e, reason, ..
            } => {
                assert_eq!(e, element);
                assert_eq!(*reason, "number out of range", "{xml}");
            }
            other => panic!("{xml}: unexpected {other:?}"),
        }
        assert!(err.to_string().contains(&format!("<{element}>")));
    }
}

#[test]
fn gigabyte_style_strings_are_refused_before_copying() {
    // One text node beyond the per-node limit.
    let big = "x".repeat(Limits::default().max_text_bytes + 1);
    let xml = wrap(&format!("<Task><UID>1</UID><Name>{big}</Name></Task>"));
    let err = mspdi::parse(&xml).expect_err("too long");
    assert!(
        matches!(&err, MspdiError::TextTooLong { element, .. } if element == "Name"),
        "{err:?}"
    );
    // Many modest strings beyond the total limit.
    let limits = Limits {
        max_total_text_bytes: 100_000,
        ..Limits::default()
    };
    let one = format!(
        "<Task><UID>1</UID><Notes>{}</Notes></Task>",
        "y".repeat(10_000)
    );
    let xml = wrap(&one.repeat(20));
    let err = mspdi::parse_with_limits(&xml, &limits).expect_err("too much text");
    assert!(
        matches!(err, MspdiError::TotalTextTooLarge { .. }),
        "{err:?}"
    );
    // And the input as a whole.
    let limits = Limits {
        max_input_bytes: 1000,
        ..Limits::default()
    };
    let err = mspdi::parse_with_limits(&xml, &limits).expect_err("too big");
    assert!(matches!(err, MspdiError::InputTooLarge { limit: 1000 }));
    // A huge skipped (unknown) text is walked over without being stored.
    let xml = wrap(&format!("<Task><UID>1</UID><Blob>{big}</Blob></Task>"));
    let parsed = mspdi::parse(&xml).expect("unknown elements are not stored");
    assert_eq!(parsed.warnings.len(), 1);
}

#[test]
fn record_counts_are_capped() {
    let limits = Limits {
        max_tasks: 50,
        max_links: 10,
        ..Limits::default()
    };
    let tasks: String = (0..51)
        .map(|i| format!("<Task><UID>{i}</UID></Task>"))
        .collect();
    let err = mspdi::parse_with_limits(&wrap(&tasks), &limits).expect_err("too many tasks");
    assert!(
        matches!(
            err,
            MspdiError::TooMany {
                what: "tasks",
                limit: 50,
                ..
            }
        ),
        "{err:?}"
    );
    let tasks: String = (0..50)
        .map(|i| format!("<Task><UID>{i}</UID></Task>"))
        .collect();
    assert_eq!(
        mspdi::parse_with_limits(&wrap(&tasks), &limits)
            .expect("at the cap")
            .project
            .tasks
            .len(),
        50
    );
    let links = "<PredecessorLink><PredecessorUID>1</PredecessorUID></PredecessorLink>".repeat(11);
    let err =
        mspdi::parse_with_limits(&wrap(&format!("<Task><UID>2</UID>{links}</Task>")), &limits)
            .expect_err("too many links");
    assert!(matches!(
        err,
        MspdiError::TooMany {
            what: "predecessor links",
            ..
        }
    ));
}

#[test]
fn warnings_are_bounded() {
    let tasks: String = (0..3000)
        .map(|i| format!("<Task><UID>{i}</UID><Odd{i}/><ConstraintType>9</ConstraintType></Task>"))
        .collect();
    let parsed = mspdi::parse(&wrap(&tasks)).expect("parses");
    assert!(parsed.warnings.len() <= 2001);
    assert!(matches!(
        parsed.warnings.last(),
        Some(Warning::Suppressed { count: 4000 })
    ));
}

#[test]
fn utf16_input_gets_a_clear_error() {
    let err = mspdi::parse(b"\xFF\xFE<\x00P\x00").expect_err("utf-16");
    assert!(err.to_string().contains("UTF-16"));
}

// ---- never panic on garbage ------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = mspdi::parse(&bytes);
        let mut with_root = b"<Project>".to_vec();
        with_root.extend_from_slice(&bytes);
        let _ = mspdi::parse(&with_root);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..12),
        which in 0usize..2,
    ) {
        let mut xml = [RICH, GEN100][which].to_vec();
        for (idx, byte, op) in edits {
            if xml.is_empty() { break; }
            let i = idx.index(xml.len());
            match op {
                0 => xml[i] = byte,
                1 => { xml.remove(i); }
                2 => xml.insert(i, byte),
                _ => xml.truncate(i),
            }
        }
        if let Ok(parsed) = mspdi::parse(&xml) {
            // Whatever was read can be written and read again.
            let again = mspdi::parse(&mspdi::write(&parsed.project));
            prop_assert!(again.is_ok(), "{:?}", again.err());
        }
    }

    #[test]
    fn mutated_text_values_never_panic(s in "[-+0-9.eEPTHMSDYZ:]{0,30}") {
        for field in ["UID", "Duration", "Start", "Cost", "LinkLag", "PercentComplete", "OutlineLevel"] {
            let xml = wrap(&format!("<Task><UID>1</UID><{field}>{s}</{field}></Task>"));
            let _ = mspdi::parse(&xml);
        }
    }
}

#[test]
fn dates_convert_to_minutes_and_back() {
    let d = dt(2024, 2, 29, 13, 45);
    let m = d.minutes_since_epoch();
    assert_eq!(DateTime::from_minutes_since_epoch(m), Some(d));
    assert_eq!(dt(1970, 1, 1, 0, 0).minutes_since_epoch(), 0);
    assert_eq!(dt(1969, 12, 31, 23, 59).minutes_since_epoch(), -1);
    assert_eq!(dt(2024, 1, 8, 0, 0).day_type(), 2, "Monday");
    assert_eq!(DateTime::new(2023, 2, 29, 0, 0, 0), None);
    assert_eq!(d.to_string(), "2024-02-29T13:45:00");
}

// ---- bridges to the baseline and earned-value engines ---------------------------------------

#[test]
fn rich_earned_value_and_baseline_variance() {
    use atrium_schedule::baseline::BaselineNumber;
    use atrium_schedule::evm;
    let p = rich();
    let inputs = mspdi::earned::evm_tasks(&p, BaselineNumber::PRIMARY);
    // Leaf tasks with baseline 0: kick-off, requirements, design, build.
    let uids: Vec<i32> = inputs.iter().map(|(i, _)| p.tasks[*i].uid).collect();
    assert_eq!(uids, vec![2, 3, 4, 7]);
    let tasks: Vec<_> = inputs.iter().map(|(_, t)| *t).collect();
    let status = p.status_date.expect("status date").minutes_since_epoch();
    let m = evm::evaluate(&tasks, status, evm::elapsed).total;
    assert_eq!(m.bac, 3_970_000);
    assert_eq!(m.ev, 850_000 + 600_000);
    assert_eq!(m.ac, 1_010_000 + 600_000);
    // Build is 7 d 4 h into its 13 d 23 h baseline span (elapsed spread).
    assert_eq!(m.pv, 850_000 + 1_200_000 + 985_791);
    assert_eq!(m.cv, -160_000);

    let baselines = mspdi::earned::project_baselines(&p);
    let current: Vec<_> = p.tasks.iter().map(mspdi::earned::current_values).collect();
    let n1 = BaselineNumber::new(1).expect("slot");
    let v = baselines.variances(n1, &current);
    let req = p
        .tasks
        .iter()
        .position(|t| t.uid == 3)
        .expect("requirements");
    let v = v[req].expect("baseline 1 set");
    assert_eq!(v.cost, Some(1_010_000 - 690_000));
    assert_eq!(v.finish, Some(1440));
    assert_eq!(v.duration, Some(48 * 60 - 32 * 60));
    assert!(baselines.is_set(BaselineNumber::new(10).expect("slot")));
    assert!(!baselines.is_set(BaselineNumber::new(2).expect("slot")));
}

// ---- property: any model the writer can express reads back identically ---------------------

mod model_strategy {
    use atrium_interop::mspdi::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    fn text(max: usize) -> impl Strategy<Value = String> {
        // XML 1.0 cannot carry most control characters; the writer drops them, so they are
        // left out here. Everything else, markup characters included, must survive.
        proptest::string::string_regex(&format!("[ -~\t\n\r<>&\"'é€😀]{{0,{max}}}")).expect("regex")
    }

    fn opt<T: std::fmt::Debug + Clone>(
        s: impl Strategy<Value = T>,
    ) -> impl Strategy<Value = Option<T>> {
        proptest::option::of(s)
    }

    pub fn datetime() -> impl Strategy<Value = DateTime> {
        (1900i32..2100, 1u8..=12, 1u8..=28, 0u8..24, 0u8..60, 0u8..60)
            .prop_map(|(y, mo, d, h, mi, s)| DateTime::new(y, mo, d, h, mi, s).expect("valid"))
    }

    fn minutes() -> impl Strategy<Value = i64> {
        -1_000_000_000i64..1_000_000_000_000
    }

    fn money() -> impl Strategy<Value = i64> {
        -9_000_000_000_000_000i64..9_000_000_000_000_000
    }

    fn format() -> impl Strategy<Value = DurationFormat> {
        (3i64..=20)
            .prop_union(35i64..=52)
            .prop_filter_map("valid code", DurationFormat::from_code)
    }

    fn uid_ref() -> impl Strategy<Value = Option<i32>> {
        opt(0i32..100_000)
    }

    fn working_times() -> impl Strategy<Value = Vec<WorkingTime>> {
        vec(
            (0u16..1439, 1u16..=1440).prop_filter_map("ordered", |(a, b)| {
                (a < b).then_some(WorkingTime { from: a, to: b })
            }),
            0..4,
        )
    }

    fn week_days() -> impl Strategy<Value = Vec<WeekDay>> {
        vec(
            (1u8..=7, any::<bool>(), working_times()).prop_map(|(day_type, working, times)| {
                WeekDay {
                    day_type,
                    working,
                    times,
                }
            }),
            0..8,
        )
    }

    fn recurrence() -> impl Strategy<Value = Recurrence> {
        let kind = opt((1i64..=7).prop_filter_map("kind", RecurrenceKind::from_code));
        (
            kind,
            opt(0u32..1000),
            opt(any::<bool>()),
            opt(1u32..12),
            opt(0u8..128),
            opt(0u8..10),
            opt(0u8..5),
            opt(0u8..12),
            opt(1u8..=31),
        )
            .prop_map(
                |(kind, occurrences, ebo, period, dow, item, pos, month, md)| {
                    // Daily with period 1 is, by definition, a plain range (kind None).
                    let period = match kind {
                        Some(RecurrenceKind::Daily) => Some(period.unwrap_or(2).max(2)),
                        // A plain range has no period beyond 1.
                        None => period.filter(|p| *p <= 1),
                        _ => period,
                    };
                    Recurrence {
                        kind,
                        occurrences,
                        entered_by_occurrences: ebo,
                        period,
                        days_of_week: dow,
                        month_item: item,
                        month_position: pos,
                        month,
                        month_day: md,
                    }
                },
            )
    }

    fn calendar() -> impl Strategy<Value = Calendar> {
        let exception = (
            opt(text(20)),
            datetime(),
            datetime(),
            any::<bool>(),
            working_times(),
            recurrence(),
        )
            .prop_map(
                |(name, from, to, working, times, recurrence)| CalendarException {
                    name,
                    from,
                    to,
                    working,
                    times,
                    recurrence,
                },
            );
        let work_week = (opt(text(20)), datetime(), datetime(), week_days()).prop_map(
            |(name, from, to, week_days)| WorkWeek {
                name,
                from,
                to,
                week_days,
            },
        );
        (
            any::<i32>(),
            opt(text(30)),
            any::<bool>(),
            uid_ref(),
            week_days(),
            vec(exception, 0..4),
            vec(work_week, 0..2),
        )
            .prop_map(
                |(uid, name, is_base, base, week_days, exceptions, work_weeks)| Calendar {
                    uid,
                    name,
                    is_base,
                    base_calendar_uid: base,
                    week_days,
                    exceptions,
                    work_weeks,
                },
            )
    }

    fn link() -> impl Strategy<Value = PredecessorLink> {
        (
            any::<i32>(),
            (0i64..4).prop_filter_map("type", LinkType::from_code),
            any::<bool>(),
            opt(text(30)),
            -1_000_000_000_000i64..1_000_000_000_000,
            format(),
        )
            .prop_map(
                |(uid, link_type, cross, cross_name, lag, f)| PredecessorLink {
                    predecessor_uid: uid,
                    link_type,
                    cross_project: cross,
                    cross_project_name: cross_name,
                    lag,
                    // A non-zero lag is always written with a format (days by default).
                    lag_format: Some(f),
                },
            )
    }

    fn task_baseline() -> impl Strategy<Value = TaskBaseline> {
        (
            0u8..=10,
            opt(datetime()),
            opt(datetime()),
            opt(minutes()),
            opt(format()),
            opt(minutes()),
            (opt(money()), opt(money()), opt(money()), opt(money())),
        )
            .prop_map(
                |(number, start, finish, duration, df, work, (cost, fixed, bcws, bcwp))| {
                    TaskBaseline {
                        number,
                        start,
                        finish,
                        duration,
                        duration_format: df,
                        work,
                        cost,
                        fixed_cost: fixed,
                        bcws,
                        bcwp,
                    }
                },
            )
    }

    fn task() -> impl Strategy<Value = Task> {
        let ids = (any::<i32>(), opt(any::<i32>()), opt(text(40)), opt(0u8..3));
        let flags = (
            any::<bool>(),
            opt(any::<bool>()),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            opt(any::<bool>()),
            opt(any::<bool>()),
        );
        let outline = (
            opt(any::<u16>()),
            opt(text(10)),
            opt(text(10)),
            opt(0u32..1000),
        );
        let dates = (
            opt(datetime()),
            opt(datetime()),
            opt(datetime()),
            opt(datetime()),
            opt(datetime()),
            opt(datetime()),
            opt(datetime()),
            opt(datetime()),
        );
        let durs = (
            opt(minutes()),
            opt(format()),
            opt(minutes()),
            opt(minutes()),
            opt(minutes()),
            opt(minutes()),
            opt(minutes()),
        );
        let money4 = (
            opt(money()),
            opt(money()),
            opt(money()),
            opt(money()),
            opt(1u8..=3),
        );
        let misc = (
            opt((0i64..8).prop_filter_map("constraint", ConstraintType::from_code)),
            uid_ref(),
            opt(any::<bool>()),
            (opt(0u16..=100), opt(0u16..=100), opt(0u16..=100)),
            any::<bool>(),
            opt(text(30)),
            any::<bool>(),
            opt(text(30)),
            opt(text(60)),
        );
        let lists = (vec(task_baseline(), 0..3), vec(link(), 0..3));
        (ids, flags, outline, dates, durs, money4, misc, lists).prop_map(
            |(
                (uid, id, name, task_type),
                (is_null, active, manual, summary, milestone, effort_driven, estimated),
                (outline_level, outline_number, wbs, priority),
                (
                    start,
                    finish,
                    constraint_date,
                    deadline,
                    actual_start,
                    actual_finish,
                    stop,
                    resume,
                ),
                (
                    duration,
                    duration_format,
                    work,
                    actual_duration,
                    remaining_duration,
                    actual_work,
                    remaining_work,
                ),
                (cost, fixed_cost, actual_cost, remaining_cost, accrual),
                (
                    constraint_type,
                    calendar_uid,
                    ignore_rc,
                    (pc, pwc, ppc),
                    external,
                    ext_project,
                    is_sub,
                    sub_name,
                    notes,
                ),
                (mut baselines, predecessors),
            )| {
                baselines.sort_by_key(|b| b.number);
                baselines.dedup_by_key(|b| b.number);
                Task {
                    uid,
                    id,
                    name,
                    task_type,
                    is_null,
                    active,
                    manual,
                    summary,
                    milestone,
                    effort_driven,
                    estimated,
                    outline_level,
                    outline_number,
                    wbs,
                    priority,
                    start,
                    finish,
                    duration,
                    duration_format,
                    work,
                    constraint_type,
                    constraint_date,
                    deadline,
                    calendar_uid,
                    ignore_resource_calendar: ignore_rc,
                    percent_complete: pc,
                    percent_work_complete: pwc,
                    physical_percent_complete: ppc,
                    actual_start,
                    actual_finish,
                    actual_duration,
                    remaining_duration,
                    actual_work,
                    remaining_work,
                    cost,
                    fixed_cost,
                    actual_cost,
                    remaining_cost,
                    fixed_cost_accrual: accrual,
                    stop,
                    resume,
                    baselines,
                    predecessors,
                    external_task: external,
                    external_task_project: ext_project,
                    is_subproject: is_sub,
                    subproject_name: sub_name,
                    notes,
                }
            },
        )
    }

    fn work_baseline(dates: bool) -> impl Strategy<Value = WorkBaseline> {
        (
            0u8..=10,
            opt(datetime()),
            opt(datetime()),
            opt(minutes()),
            opt(money()),
        )
            .prop_map(move |(number, start, finish, work, cost)| WorkBaseline {
                number,
                start: start.filter(|_| dates),
                finish: finish.filter(|_| dates),
                work,
                cost,
            })
    }

    fn ratio() -> impl Strategy<Value = f64> {
        (-1_000_000i64..1_000_000, 1i64..1000).prop_map(|(a, b)| a as f64 / b as f64)
    }

    fn resource() -> impl Strategy<Value = Resource> {
        (
            (
                any::<i32>(),
                opt(any::<i32>()),
                opt(text(30)),
                opt(prop_oneof![
                    Just(ResourceType::Material),
                    Just(ResourceType::Work),
                    Just(ResourceType::Cost)
                ]),
            ),
            (any::<bool>(), opt(text(5)), opt(text(10)), opt(text(20))),
            (
                opt(ratio()),
                opt(ratio()),
                opt(1u8..=7),
                opt(ratio()),
                opt(1u8..=7),
                opt(money()),
            ),
            (
                uid_ref(),
                opt(minutes()),
                opt(minutes()),
                opt(money()),
                opt(money()),
            ),
            vec(work_baseline(false), 0..2),
        )
            .prop_map(
                |(
                    (uid, id, name, resource_type),
                    (is_null, initials, group, email),
                    (max_units, standard_rate, srf, overtime_rate, orf, cost_per_use),
                    (calendar_uid, work, actual_work, cost, actual_cost),
                    baselines,
                )| Resource {
                    uid,
                    id,
                    name,
                    resource_type,
                    is_null,
                    initials,
                    group,
                    email,
                    max_units,
                    standard_rate,
                    standard_rate_format: srf,
                    overtime_rate,
                    overtime_rate_format: orf,
                    cost_per_use,
                    calendar_uid,
                    work,
                    actual_work,
                    cost,
                    actual_cost,
                    baselines,
                },
            )
    }

    fn assignment() -> impl Strategy<Value = Assignment> {
        (
            (any::<i32>(), any::<i32>(), any::<i32>(), opt(ratio())),
            (opt(minutes()), opt(minutes()), opt(minutes())),
            (
                opt(datetime()),
                opt(datetime()),
                opt(datetime()),
                opt(datetime()),
            ),
            (opt(money()), opt(money()), opt(0u16..=100)),
            vec(work_baseline(true), 0..2),
        )
            .prop_map(
                |(
                    (uid, task_uid, resource_uid, units),
                    (work, actual_work, remaining_work),
                    (start, finish, actual_start, actual_finish),
                    (cost, actual_cost, pwc),
                    baselines,
                )| Assignment {
                    uid,
                    task_uid,
                    resource_uid,
                    units,
                    work,
                    actual_work,
                    remaining_work,
                    start,
                    finish,
                    actual_start,
                    actual_finish,
                    cost,
                    actual_cost,
                    percent_work_complete: pwc,
                    baselines,
                },
            )
    }

    pub fn project() -> impl Strategy<Value = Project> {
        (
            (
                0u32..20,
                opt(text(60)),
                opt(text(60)),
                opt(text(20)),
                opt(text(20)),
                opt(any::<bool>()),
            ),
            (
                opt(datetime()),
                opt(datetime()),
                opt(datetime()),
                opt(datetime()),
                uid_ref(),
            ),
            (
                opt(0u16..1440),
                opt(0u16..1440),
                opt(1u32..2000),
                opt(1u32..10_000),
                opt(1u32..31),
                opt(format()),
            ),
            ("[A-Z]{0,3}", opt(text(5)), opt(0u8..5), opt(any::<bool>())),
            (
                vec(calendar(), 0..3),
                vec(task(), 0..6),
                vec(resource(), 0..3),
                vec(assignment(), 0..3),
            ),
        )
            .prop_map(
                |(
                    (save_version, name, title, author, company, sfs),
                    (start_date, finish_date, status_date, current_date, calendar_uid),
                    (dst, dft, mpd, mpw, dpm, duration_format),
                    (currency, currency_symbol, currency_digits, honor),
                    (calendars, tasks, resources, assignments),
                )| Project {
                    save_version: Some(save_version),
                    name,
                    title,
                    author,
                    company,
                    schedule_from_start: sfs,
                    start_date,
                    finish_date,
                    status_date,
                    current_date,
                    calendar_uid,
                    default_start_time: dst,
                    default_finish_time: dft,
                    minutes_per_day: mpd,
                    minutes_per_week: mpw,
                    days_per_month: dpm,
                    duration_format,
                    currency_code: Some(currency),
                    currency_symbol,
                    currency_digits,
                    honor_constraints: honor,
                    calendars,
                    tasks,
                    resources,
                    assignments,
                },
            )
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_model_round_trips_through_the_writer(p in model_strategy::project()) {
        let xml = mspdi::write(&p);
        let back = mspdi::parse(&xml);
        prop_assert!(back.is_ok(), "{:?}\n{}", back.as_ref().err(), String::from_utf8_lossy(&xml));
        let back = back.expect("checked");
        prop_assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        prop_assert_eq!(back.project, p);
    }
}
