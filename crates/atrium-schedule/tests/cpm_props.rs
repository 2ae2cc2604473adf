//! Property tests of the CPM engine on random acyclic networks: every link is satisfied,
//! early dates never pass late dates, critical tasks have zero total float, and the forward
//! and backward passes agree on the project finish.

use atrium_schedule::calendar::{Calendar, CalendarDef, Date, DateTime, Exception, Interval};
use atrium_schedule::cpm::{Lag, Link, LinkKind, Project, Task, schedule};
use proptest::prelude::*;

fn calendar() -> Calendar {
    let mut def = CalendarDef::standard();
    for (m, d) in [(1, 3), (1, 17), (2, 1), (2, 2)] {
        let day = Date::from_ymd(2001, m, d).expect("valid");
        def.exceptions.push(Exception::holiday(day, day));
    }
    def.compile()
}

#[derive(Debug, Clone)]
struct Net {
    durations: Vec<i64>,
    links: Vec<(usize, usize, u8, i8, bool)>,
}

fn net() -> impl Strategy<Value = Net> {
    (2usize..40).prop_flat_map(|n| {
        let durations = prop::collection::vec(
            prop_oneof![Just(0i64), 60i64..2400, (1i64..6).prop_map(|d| d * 480)],
            n,
        );
        // (pred offset, succ, kind, lag in hours, percent?) with pred < succ: acyclic.
        let links = prop::collection::vec(
            (0usize..n, 1usize..n, 0u8..4, -8i8..16, any::<bool>()),
            0..(n * 2),
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(a, b, k, lag, pct)| (a % b, b, k, lag, pct))
                .collect::<Vec<_>>()
        });
        (durations, links).prop_map(|(durations, links)| Net { durations, links })
    })
}

fn build(net: &Net) -> Project {
    let tasks = net
        .durations
        .iter()
        .map(|&d| Task::work_minutes(d))
        .collect();
    let links = net
        .links
        .iter()
        .map(|&(pred, succ, k, lag, pct)| Link {
            pred: pred as u32,
            succ: succ as u32,
            kind: match k {
                0 => LinkKind::FinishStart,
                1 => LinkKind::StartStart,
                2 => LinkKind::FinishFinish,
                _ => LinkKind::StartFinish,
            },
            lag: if pct {
                Lag::Percent(i64::from(lag) * 1000)
            } else {
                Lag::Work(i64::from(lag) * 60)
            },
        })
        .collect();
    Project {
        start: DateTime::parse("2001-01-01T08:00").expect("valid"),
        status_date: None,
        calendars: vec![calendar()],
        tasks,
        links,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn random_networks_are_consistent(net in net()) {
        let p = build(&net);
        let s = schedule(&p);
        let c = &p.calendars[0];
        let pos = |t: DateTime| c.position(t);
        prop_assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        let n = p.tasks.len();
        for l in &p.links {
            let (a, b) = (l.pred as usize, l.succ as usize);
            let lag = match l.lag {
                Lag::Work(m) => m,
                Lag::Percent(h) => net.durations[a] * h / 10_000,
                Lag::Elapsed(_) => unreachable!(),
            };
            let (from, to) = match l.kind {
                LinkKind::FinishStart => (s.early_finish[a], s.early_start[b]),
                LinkKind::StartStart => (s.early_start[a], s.early_start[b]),
                LinkKind::FinishFinish => (s.early_finish[a], s.early_finish[b]),
                LinkKind::StartFinish => (s.early_start[a], s.early_finish[b]),
            };
            prop_assert!(pos(to) >= pos(from) + lag, "link {:?} early dates {} -> {}", l, from, to);
            let (from, to) = match l.kind {
                LinkKind::FinishStart => (s.late_finish[a], s.late_start[b]),
                LinkKind::StartStart => (s.late_start[a], s.late_start[b]),
                LinkKind::FinishFinish => (s.late_finish[a], s.late_finish[b]),
                LinkKind::StartFinish => (s.late_start[a], s.late_finish[b]),
            };
            prop_assert!(pos(to) >= pos(from) + lag, "link {:?} late dates {} -> {}", l, from, to);
        }
        for i in 0..n {
            prop_assert!(pos(s.early_start[i]) <= pos(s.late_start[i]), "task {i} ES > LS");
            prop_assert!(pos(s.early_finish[i]) <= pos(s.late_finish[i]), "task {i} EF > LF");
            prop_assert_eq!(pos(s.early_finish[i]) - pos(s.early_start[i]), net.durations[i]);
            prop_assert!(s.total_float[i] >= 0);
            prop_assert!(s.free_float[i] >= 0 && s.free_float[i] <= s.total_float[i]);
            if s.critical[i] {
                prop_assert_eq!(s.total_float[i], 0, "critical task {} has float", i);
            } else {
                prop_assert!(s.total_float[i] > 0);
            }
            prop_assert!(s.late_finish[i] <= s.project_finish);
        }
        let max_ef = s.early_finish.iter().max().copied().expect("valid");
        let max_lf = s.late_finish.iter().max().copied().expect("valid");
        prop_assert_eq!(max_ef, s.project_finish);
        prop_assert_eq!(pos(max_lf), pos(s.project_finish));
        // Some task finishing last is critical: the backward pass starts where the forward
        // pass ended.
        prop_assert!((0..n).any(|i| s.critical[i] && pos(s.early_finish[i]) == pos(max_ef)));
        // Critical chains hold only critical tasks, each once.
        let mut seen = vec![false; n];
        for chain in &s.critical_paths {
            for &t in chain {
                prop_assert!(s.critical[t as usize] && !seen[t as usize]);
                seen[t as usize] = true;
            }
        }
    }

    #[test]
    fn working_time_arithmetic_round_trips(start in 0i64..(60 * 1440), n in 0i64..20_000) {
        let c = calendar();
        let t = DateTime::parse("2000-12-20T00:00").expect("valid").add_minutes(start);
        let later = c.add_work(t, n);
        prop_assert_eq!(c.work_between(t, later), n);
        let back = c.sub_work(later, n);
        prop_assert_eq!(c.work_between(back, later), n);
        prop_assert!(back >= t || !c.is_working(t) || n == 0);
        prop_assert!(later >= t);
    }
}

proptest! {
    // Each case walks 160 days minute by minute: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn calendar_lookup_agrees_with_a_minute_walk(
        exceptions in prop::collection::vec((0i64..120, 0i64..4, 0u8..3), 0..25),
        probes in prop::collection::vec(0i64..(140 * 1440), 1..40),
    ) {
        let base = Date::from_ymd(2001, 1, 1).expect("valid");
        let mut def = CalendarDef::standard();
        for &(day, len, kind) in &exceptions {
            let from = base.add_days(day);
            let working = match kind {
                0 => Vec::new(),
                1 => vec![Interval::hm(9, 0, 11, 30).expect("valid")],
                _ => vec![Interval::hm(0, 0, 24, 0).expect("valid")],
            };
            def.exceptions.push(Exception {
                from,
                to: from.add_days(len),
                recurrence: None,
                working,
                occurrences: None,
            });
        }
        let c = def.compile();
        // Reference: walk minute by minute from a fixed origin.
        let origin = base.add_days(-10).at(0);
        let horizon = 160 * 1440;
        let mut working = Vec::with_capacity(horizon);
        for m in 0..horizon as i64 {
            let t = origin.add_minutes(m);
            let day = t.date();
            let mod_ = t.minute_of_day();
            working.push(
                c.day_intervals(day)
                    .iter()
                    .any(|iv| i64::from(iv.start) <= mod_ && mod_ < i64::from(iv.end)),
            );
        }
        let p0 = c.position(origin);
        let mut pos = vec![0i64; horizon + 1];
        for m in 0..horizon {
            pos[m + 1] = pos[m] + i64::from(working[m]);
        }
        for &probe in &probes {
            let m = (probe + 10 * 1440) as usize;
            let t = origin.add_minutes(m as i64);
            prop_assert_eq!(c.position(t) - p0, pos[m], "position at {}", t);
            // instant_start: first minute m' with pos[m'] == p and working[m'].
            if let Some(k) = (m..horizon).find(|&k| working[k]) {
                prop_assert_eq!(c.instant_start(p0 + pos[k]), origin.add_minutes(k as i64));
            }
            // instant_end of p (> 0 work before): end of the last working minute before it.
            if let Some(k) = (0..m).rev().find(|&k| working[k]) {
                prop_assert_eq!(c.instant_end(p0 + pos[k + 1]), origin.add_minutes(k as i64 + 1));
            }
        }
    }
}
