//! Robustness of MSPDI model -> engine -> report on arbitrary plans: random outlines, links to
//! anything (missing tasks, self links, cycles, summaries), every constraint with or without a
//! date, progress, manual and external tasks, odd calendars. Scheduling must never panic, must
//! report every task, and must keep its early dates consistent where nothing overrides them.

use atrium_interop::mspdi::{
    Calendar, CalendarException, ConstraintType, DateTime, DurationFormat, LinkType,
    PredecessorLink, Project, Recurrence, Task, WeekDay, WorkingTime,
};
use atrium_interop::report::schedule_report;
use proptest::prelude::*;

fn date(day: i64, minute: i64) -> DateTime {
    DateTime::from_minutes_since_epoch((11_323 + day) * 1440 + minute).expect("in range")
}

#[derive(Debug, Clone)]
struct RawTask {
    level: u16,
    duration: i64,
    elapsed: bool,
    constraint: u8,
    with_date: bool,
    cday: i64,
    deadline: Option<i64>,
    progress: u8,
    manual: bool,
    external: bool,
    milestone: bool,
    calendar: Option<i32>,
    preds: Vec<(i32, u8, i64, u8)>,
}

fn raw_task(n: i32) -> impl Strategy<Value = RawTask> {
    (
        (
            1u16..4,
            0i64..5000,
            prop::bool::weighted(0.1),
            0u8..8,
            any::<bool>(),
        ),
        (0i64..60, prop::option::weighted(0.2, 0i64..60), 0u8..4),
        (
            prop::bool::weighted(0.1),
            prop::bool::weighted(0.05),
            prop::bool::weighted(0.1),
            prop::option::weighted(0.2, 0i32..4),
        ),
        prop::collection::vec((0i32..n + 2, 0u8..4, -4000i64..8000, 0u8..3), 0..4),
    )
        .prop_map(
            |(
                (level, duration, elapsed, constraint, with_date),
                (cday, deadline, progress),
                (manual, external, milestone, calendar),
                preds,
            )| RawTask {
                level,
                duration,
                elapsed,
                constraint,
                with_date,
                cday,
                deadline,
                progress,
                manual,
                external,
                milestone,
                calendar,
                preds,
            },
        )
}

fn build(raw: &[RawTask], holidays: &[i64]) -> Project {
    let std_day = vec![
        WorkingTime { from: 480, to: 720 },
        WorkingTime {
            from: 780,
            to: 1020,
        },
    ];
    let week: Vec<WeekDay> = (1u8..=7)
        .map(|d| WeekDay {
            day_type: d,
            working: (2..=6).contains(&d),
            times: if (2..=6).contains(&d) {
                std_day.clone()
            } else {
                Vec::new()
            },
        })
        .collect();
    let exceptions = holidays
        .iter()
        .map(|&h| CalendarException {
            name: None,
            from: date(h, 0),
            to: date(h, 1439),
            working: false,
            times: Vec::new(),
            recurrence: Recurrence::default(),
        })
        .collect();
    let calendars = vec![
        Calendar {
            uid: 1,
            name: Some("Standard".into()),
            is_base: true,
            base_calendar_uid: None,
            week_days: week,
            exceptions,
            work_weeks: Vec::new(),
        },
        // Derived, with a night shift crossing nothing and a day with no work at all.
        Calendar {
            uid: 2,
            name: Some("Derived".into()),
            is_base: false,
            base_calendar_uid: Some(1),
            week_days: vec![WeekDay {
                day_type: 2,
                working: true,
                times: vec![WorkingTime { from: 0, to: 1440 }],
            }],
            exceptions: Vec::new(),
            work_weeks: Vec::new(),
        },
        // A calendar without any working time.
        Calendar {
            uid: 3,
            name: Some("Never".into()),
            is_base: true,
            base_calendar_uid: None,
            week_days: (1u8..=7)
                .map(|d| WeekDay {
                    day_type: d,
                    working: false,
                    times: Vec::new(),
                })
                .collect(),
            exceptions: Vec::new(),
            work_weeks: Vec::new(),
        },
    ];
    let tasks = raw
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let uid = i as i32 + 1;
            let started = r.progress >= 1;
            let finished = r.progress >= 3;
            Task {
                uid,
                id: Some(uid),
                name: Some(format!("T{uid}")),
                outline_level: Some(r.level),
                duration: Some(r.duration),
                duration_format: r.elapsed.then_some(DurationFormat {
                    unit: atrium_interop::mspdi::TimeUnit::Days,
                    elapsed: true,
                    estimated: false,
                }),
                constraint_type: ConstraintType::from_code(i64::from(r.constraint)),
                constraint_date: r.with_date.then(|| date(r.cday, 480)),
                deadline: r.deadline.map(|d| date(d, 1020)),
                actual_start: started.then(|| date(r.cday / 4, 480)),
                actual_finish: finished.then(|| date(r.cday / 4 + 2, 1020)),
                percent_complete: Some(u16::from(r.progress) * 33),
                remaining_duration: (r.progress == 2).then_some(r.duration / 2),
                manual: r.manual,
                start: Some(date(r.cday, 480)),
                finish: Some(date(r.cday + 1, 1020)),
                external_task: r.external,
                milestone: r.milestone,
                calendar_uid: r.calendar.map(|c| c + 1),
                predecessors: r
                    .preds
                    .iter()
                    .map(|&(p, kind, lag, fmt)| PredecessorLink {
                        predecessor_uid: p,
                        link_type: LinkType::from_code(i64::from(kind)).expect("0..4"),
                        cross_project: false,
                        cross_project_name: None,
                        lag: if fmt == 2 { lag / 100 } else { lag },
                        lag_format: DurationFormat::from_code(match fmt {
                            0 => 7,
                            1 => 8,
                            _ => 19,
                        }),
                    })
                    .collect(),
                ..Task::default()
            }
        })
        .collect();
    Project {
        start_date: Some(date(0, 480)),
        calendar_uid: Some(1),
        calendars,
        tasks,
        ..Project::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_plan_schedules_without_panic(
        raw in (1i32..30).prop_flat_map(|n| prop::collection::vec(raw_task(n), n as usize)),
        holidays in prop::collection::vec(0i64..90, 0..6),
    ) {
        let file = build(&raw, &holidays);
        let status = atrium_schedule::calendar::DateTime(date(20, 1020).minutes_since_epoch());
        let v = schedule_report(&file, Some(status));
        let tasks = v["tasks"].as_array().expect("tasks");
        prop_assert_eq!(tasks.len(), raw.len());
        for t in tasks {
            for key in ["early_start", "early_finish", "late_start", "late_finish"] {
                let s = t[key].as_str().expect("date");
                prop_assert!(atrium_schedule::calendar::DateTime::parse(s).is_some(), "{key} {s}");
            }
            prop_assert!(t["free_float_minutes"].as_i64().expect("ff") >= 0);
        }
        for d in v["diagnostics"].as_array().expect("diagnostics") {
            prop_assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
}
