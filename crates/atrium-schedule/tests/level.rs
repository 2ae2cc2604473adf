//! Resource leveling engine: capacity never exceeded (checked by an independent sweep over
//! the leveled intervals), every link kept, priority-1000 tasks not moved, determinism,
//! constraints and diagnostics, and the daily load report.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use atrium_schedule::calendar::{Calendar, CalendarDef, DateTime, Interval, Span};
use atrium_schedule::cpm::{ConstraintKind, Lag, Link, LinkKind, Project, Task};
use atrium_schedule::level::{Demand, LevelDiagnostic, LevelInput, Leveled, Resource, UNIT, level};

/// Small deterministic generator for the random projects (independent of the engine's).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn standard() -> Calendar {
    CalendarDef::standard().compile()
}

/// Monday-Thursday 07:00-17:00 (a different calendar, to take the general time path).
fn four_day() -> Calendar {
    let mut d = CalendarDef::standard().derive("4x10");
    let day = vec![Interval::hm(7, 0, 17, 0).unwrap()];
    d.week = [
        day.clone(),
        day.clone(),
        day.clone(),
        day,
        Vec::new(),
        Vec::new(),
        Vec::new(),
    ];
    d.compile()
}

fn start() -> DateTime {
    DateTime::from_ymd_hm(2026, 1, 5, 8, 0).unwrap()
}

/// A random project: `n` tasks, links of every kind with small lags (mostly FS), `k`
/// resources with 1 or 2 units, one or two demands per task at 50 % or 100 %.
fn random_project(seed: u64, n: usize, k: usize, two_calendars: bool) -> (Project, LevelInput) {
    let mut g = Lcg(seed);
    let mut tasks = Vec::new();
    for _ in 0..n {
        let mut t = Task::work_minutes(60 * (1 + g.below(24) as i64));
        if two_calendars && g.below(3) == 0 {
            t.calendar = 1;
        }
        tasks.push(t);
    }
    let mut links = Vec::new();
    for j in 1..n {
        for _ in 0..g.below(3) {
            let p = j - 1 - g.below(j.min(8) as u64) as usize;
            let kind = match g.below(8) {
                0 => LinkKind::StartStart,
                1 => LinkKind::FinishFinish,
                2 => LinkKind::StartFinish,
                _ => LinkKind::FinishStart,
            };
            let lag = match g.below(5) {
                0 => Lag::Work(60 * g.below(8) as i64),
                1 => Lag::Work(-30 * g.below(4) as i64),
                2 => Lag::Percent(2500),
                _ => Lag::Work(0),
            };
            links.push(Link {
                pred: p as u32,
                succ: j as u32,
                kind,
                lag,
            });
        }
    }
    let resources: Vec<Resource> = (0..k)
        .map(|r| Resource {
            max_units: if r % 2 == 0 { UNIT } else { 2 * UNIT },
            calendar: standard(),
        })
        .collect();
    let mut demands = Vec::new();
    for i in 0..n {
        let first = g.below(k as u64) as u32;
        demands.push(Demand {
            task: i as u32,
            resource: first,
            units: if g.below(4) == 0 { UNIT / 2 } else { UNIT },
        });
        if g.below(4) == 0 {
            let second = (first + 1) % k as u32;
            demands.push(Demand {
                task: i as u32,
                resource: second,
                units: UNIT,
            });
        }
    }
    let mut calendars = vec![standard()];
    if two_calendars {
        calendars.push(four_day());
    }
    let p = Project {
        start: start(),
        status_date: None,
        calendars,
        tasks,
        links,
    };
    let priority = vec![500; n];
    (p, LevelInput::new(resources, demands, priority))
}

/// Peak load of every resource, by a sweep over the leveled intervals (independent of the
/// engine's profiles): +units at each start, -units at each finish, finishes first.
fn peak_loads(p: &Project, input: &LevelInput, lv: &Leveled) -> Vec<i64> {
    let mut peaks = vec![0; input.resources.len()];
    for (r, peak) in peaks.iter_mut().enumerate() {
        let mut ev: Vec<(i64, i64)> = Vec::new();
        for d in input.demands.iter().filter(|d| d.resource as usize == r) {
            let t = d.task as usize;
            let (s, f) = (lv.start[t].0, lv.finish[t].0);
            assert!(s <= f, "task {t} finishes before it starts");
            // The task must really work between s and f (it is not interrupted).
            let cal = &p.calendars[p.tasks[t].calendar as usize];
            assert_eq!(
                cal.work_between(lv.start[t], lv.finish[t]),
                p.tasks[t].duration.minutes(),
                "task {t} duration"
            );
            if f > s {
                ev.push((s, d.units));
                ev.push((f, -d.units));
            }
        }
        ev.sort_unstable();
        let mut cur = 0;
        for (_, u) in ev {
            cur += u;
            *peak = (*peak).max(cur);
        }
    }
    peaks
}

/// Every link holds on the leveled dates, in working time of the successor's calendar.
fn assert_links(p: &Project, lv: &Leveled) {
    for l in &p.links {
        let (a, b) = (l.pred as usize, l.succ as usize);
        let cal = &p.calendars[p.tasks[b].calendar as usize];
        let lag = |t: DateTime| -> DateTime {
            match l.lag {
                Lag::Work(n) => cal.add(t, Span::Work(n)),
                Lag::Elapsed(n) => cal.add(t, Span::Elapsed(n)),
                Lag::Percent(pc) => {
                    let pcal = &p.calendars[p.tasks[a].calendar as usize];
                    let _ = pcal;
                    cal.add(t, Span::Work(p.tasks[a].duration.minutes() * pc / 10_000))
                }
            }
        };
        let (need, have) = match l.kind {
            LinkKind::FinishStart => (lag(lv.finish[a]), lv.start[b]),
            LinkKind::StartStart => (lag(lv.start[a]), lv.start[b]),
            LinkKind::FinishFinish => (lag(lv.finish[a]), lv.finish[b]),
            LinkKind::StartFinish => (lag(lv.start[a]), lv.finish[b]),
        };
        // Compare in working time: an instant at 17:00 and the next 08:00 are the same point.
        assert!(
            cal.position(have) >= cal.position(need),
            "link {a}->{b} {:?} {:?}: {} < {}",
            l.kind,
            l.lag,
            have,
            need
        );
    }
}

#[test]
fn random_projects_respect_capacity_and_links() {
    let mut delayed = 0;
    for seed in 0..12u64 {
        for two in [false, true] {
            let (p, input) = random_project(seed, 60, 3, two);
            let lv = level(&p, &input);
            let peaks = peak_loads(&p, &input, &lv);
            for (r, peak) in peaks.iter().enumerate() {
                assert!(
                    *peak <= input.resources[r].max_units,
                    "seed {seed} two_calendars {two}: resource {r} peaks at {peak}"
                );
            }
            assert_links(&p, &lv);
            assert!(
                !lv.diagnostics
                    .iter()
                    .any(|d| matches!(d, LevelDiagnostic::OverAllocated { .. })),
                "seed {seed}: {:?}",
                lv.diagnostics
            );
            // Leveling never starts a task before its CPM early start.
            for i in 0..p.tasks.len() {
                assert!(lv.start[i] >= lv.cpm.early_start[i], "seed {seed} task {i}");
            }
            assert!(lv.project_finish >= lv.cpm.project_finish);
            delayed += usize::from(lv.delay.iter().any(|&d| d > 0));
        }
    }
    // The projects are contended: leveling had work to do in (nearly) all of them.
    assert!(
        delayed >= 20,
        "only {delayed} of 24 projects needed leveling"
    );
}

#[test]
fn leveling_is_deterministic() {
    let (p, input) = random_project(7, 80, 4, true);
    let a = level(&p, &input);
    let b = level(&p, &input);
    assert_eq!(a.start, b.start);
    assert_eq!(a.finish, b.finish);
    assert_eq!(a.load, b.load);
    let mut other = input.clone();
    other.seed = 99;
    let c = level(&p, &other);
    // Another seed may find another plan, but never an infeasible one.
    let peaks = peak_loads(&p, &other, &c);
    assert!(
        peaks
            .iter()
            .zip(&other.resources)
            .all(|(pk, r)| *pk <= r.max_units)
    );
}

/// Two tasks on one resource at the project start; task 0 drives a long chain, so the
/// leveler would move task 1 out of its way, unless task 1 has priority 1000.
fn contention(priority1: u32) -> (Project, LevelInput) {
    let tasks = vec![
        Task::work_minutes(480),
        Task::work_minutes(480),
        Task::work_minutes(4800),
    ];
    let links = vec![Link {
        pred: 0,
        succ: 2,
        kind: LinkKind::FinishStart,
        lag: Lag::Work(0),
    }];
    let p = Project {
        start: start(),
        status_date: None,
        calendars: vec![standard()],
        tasks,
        links,
    };
    let resources = vec![Resource {
        max_units: UNIT,
        calendar: standard(),
    }];
    let demands = vec![
        Demand {
            task: 0,
            resource: 0,
            units: UNIT,
        },
        Demand {
            task: 1,
            resource: 0,
            units: UNIT,
        },
    ];
    (
        p,
        LevelInput::new(resources, demands, vec![500, priority1, 500]),
    )
}

#[test]
fn priority_1000_is_not_moved() {
    let (p, input) = contention(500);
    let lv = level(&p, &input);
    // Without the priority the critical task 0 keeps the start and task 1 waits a day.
    assert_eq!(lv.start[0], start());
    assert_eq!(
        lv.start[1],
        DateTime::from_ymd_hm(2026, 1, 6, 8, 0).unwrap()
    );
    assert_eq!(lv.delay[1], 480);

    let (p, input) = contention(1000);
    let lv = level(&p, &input);
    assert_eq!(lv.start[1], lv.cpm.start[1]);
    assert_eq!(lv.finish[1], lv.cpm.finish[1]);
    assert_eq!(lv.delay[1], 0);
    // Task 0 yields, and its successor follows it.
    assert_eq!(
        lv.start[0],
        DateTime::from_ymd_hm(2026, 1, 6, 8, 0).unwrap()
    );
    assert!(lv.start[2] >= lv.finish[0]);
    let peaks = peak_loads(&p, &input, &lv);
    assert_eq!(peaks[0], UNIT);
}

#[test]
fn higher_priority_goes_first() {
    // Same contention, but task 1 at priority 900 beats task 0 at 500 although task 0 is
    // critical (MS Project's "priority, standard" order).
    let (p, input) = contention(900);
    let lv = level(&p, &input);
    assert_eq!(lv.start[1], start());
    assert_eq!(
        lv.start[0],
        DateTime::from_ymd_hm(2026, 1, 6, 8, 0).unwrap()
    );
}

#[test]
fn demand_over_capacity_is_reported_and_load_is_daily() {
    let (p, mut input) = contention(500);
    input.demands[1].units = 2 * UNIT;
    let lv = level(&p, &input);
    assert!(lv.diagnostics.iter().any(|d| matches!(
        d,
        LevelDiagnostic::DemandExceedsCapacity {
            task: 1,
            resource: 0,
            ..
        }
    )));
    assert!(lv.diagnostics.iter().any(|d| matches!(
        d,
        LevelDiagnostic::OverAllocated {
            resource: 0,
            units: 2000,
            ..
        }
    )));
    // Loads: task 0 on Monday (480 min), task 1 on Tuesday at 200 % (960 min).
    let load = &lv.load[0];
    assert_eq!(load.len(), 2);
    assert_eq!(load[0].minutes, 480);
    assert_eq!(load[0].capacity_minutes, 480);
    assert_eq!(load[1].minutes, 960);
    assert_eq!(load[1].date, load[0].date.add_days(1));
}

#[test]
fn constraints_are_kept_or_reported() {
    let (mut p, input) = contention(500);
    // Task 1 may not start before Wednesday: it goes there, no conflict with task 0.
    p.tasks[1].constraint = ConstraintKind::Snet;
    p.tasks[1].constraint_date = DateTime::from_ymd_hm(2026, 1, 7, 8, 0);
    let lv = level(&p, &input);
    assert_eq!(
        lv.start[1],
        DateTime::from_ymd_hm(2026, 1, 7, 8, 0).unwrap()
    );
    assert_eq!(lv.start[0], start());

    // A finish-no-later-than on Monday evening that leveling has to break is reported.
    let (mut p, input) = contention(500);
    p.tasks[1].constraint = ConstraintKind::Fnlt;
    p.tasks[1].constraint_date = DateTime::from_ymd_hm(2026, 1, 5, 17, 0);
    let lv = level(&p, &input);
    let moved = lv.start[0] != start() || lv.start[1] != start();
    assert!(moved);
    if lv.start[1] != start() {
        assert!(
            lv.diagnostics
                .iter()
                .any(|d| matches!(d, LevelDiagnostic::ConstraintMissed { task: 1, .. }))
        );
    }
    let peaks = peak_loads(&p, &input, &lv);
    assert_eq!(peaks[0], UNIT);
}

#[test]
fn daily_load_adds_up_to_the_work() {
    let (p, input) = random_project(3, 50, 3, false);
    let lv = level(&p, &input);
    for (r, days) in lv.load.iter().enumerate() {
        let booked: i64 = days.iter().map(|d| d.minutes).sum();
        let work: i64 = input
            .demands
            .iter()
            .filter(|d| d.resource as usize == r)
            .map(|d| p.tasks[d.task as usize].duration.minutes() * d.units / UNIT)
            .sum();
        assert_eq!(booked, work, "resource {r}");
        for d in days {
            assert!(
                d.minutes <= d.capacity_minutes,
                "resource {r} on {}",
                d.date
            );
        }
        assert!(days.windows(2).all(|w| w[0].date < w[1].date));
    }
}
