//! RCPSP engine model tests: capacity profiles, link kinds with lags, repairs of bad input
//! (diagnostics instead of failures), and property tests that every scheme returns a
//! feasible schedule on random projects.

use atrium_schedule::rcpsp::{
    Activity, Capacity, Diagnostic, Instance, Link, LinkKind, PriorityRule, Problem, Schedule,
    SolveOptions,
};
use proptest::prelude::*;

fn act(duration: u32, demands: &[u32]) -> Activity {
    Activity {
        duration,
        demands: demands.to_vec(),
    }
}

/// Independent check of a schedule against the problem as given (all link kinds).
fn feasible(p: &Problem, s: &Schedule) -> bool {
    let n = p.activities.len();
    if s.starts.len() != n {
        return false;
    }
    let st = |j: usize| i64::from(s.starts[j]);
    let fi = |j: usize| st(j) + i64::from(p.activities[j].duration);
    for l in &p.links {
        let lag = i64::from(l.lag);
        let ok = match l.kind {
            LinkKind::FinishToStart => st(l.succ) >= fi(l.pred) + lag,
            LinkKind::StartToStart => st(l.succ) >= st(l.pred) + lag,
            LinkKind::FinishToFinish => fi(l.succ) >= fi(l.pred) + lag,
            LinkKind::StartToFinish => fi(l.succ) >= st(l.pred) + lag,
        };
        if !ok {
            return false;
        }
    }
    let end = (0..n).map(fi).max().unwrap_or(0);
    for t in 0..end {
        for (r, cap) in p.resources.iter().enumerate() {
            let load: u32 = (0..n)
                .filter(|&j| st(j) <= t && t < fi(j))
                .map(|j| p.activities[j].demands.get(r).copied().unwrap_or(0))
                .sum();
            if load > cap.at(t as u32) {
                return false;
            }
        }
    }
    end == i64::from(s.makespan)
}

#[test]
fn capacity_profile_blocks_periods_without_units() {
    // One resource: 2 units, none in periods 3..6 (a holiday), 2 again from 6.
    let p = Problem {
        activities: vec![act(2, &[1]), act(3, &[2]), act(1, &[1])],
        resources: vec![Capacity {
            base: 2,
            changes: vec![(3, 0), (6, 2)],
        }],
        links: vec![Link::fs(0, 1)],
    };
    let inst = Instance::new(&p);
    let s = inst.serial_rule(PriorityRule::Lft);
    assert!(feasible(&p, &s));
    // Activity 1 cannot fit in 2..3 (needs 3 periods before the holiday), so it starts at 6.
    assert_eq!(s.starts[1], 6);
    assert_eq!(s.makespan, 9);
    let par = inst.parallel_rule(PriorityRule::Lft);
    assert!(feasible(&p, &par));
    let j = inst.justify(&s);
    assert!(feasible(&p, &j) && j.makespan <= s.makespan);
    let sol = inst.solve(&SolveOptions {
        schedules: 200,
        seed: 5,
        islands: 1,
    });
    assert!(feasible(&p, &sol.schedule));
    assert_eq!(sol.schedule.makespan, 9);
}

#[test]
fn every_link_kind_and_lag_is_respected() {
    let kinds = [
        LinkKind::FinishToStart,
        LinkKind::StartToStart,
        LinkKind::FinishToFinish,
        LinkKind::StartToFinish,
    ];
    for kind in kinds {
        for lag in [-2, 0, 3] {
            let p = Problem {
                activities: vec![act(4, &[1]), act(2, &[1]), act(5, &[0])],
                resources: vec![Capacity::constant(1)],
                links: vec![
                    Link {
                        pred: 0,
                        succ: 1,
                        kind,
                        lag,
                    },
                    Link {
                        pred: 2,
                        succ: 0,
                        kind: LinkKind::StartToStart,
                        lag: 1,
                    },
                ],
            };
            let inst = Instance::new(&p);
            assert!(inst.diagnostics().is_empty());
            for s in [
                inst.serial_rule(PriorityRule::Lst),
                inst.parallel_rule(PriorityRule::Lft),
                inst.solve(&SolveOptions {
                    schedules: 100,
                    seed: 1,
                    islands: 1,
                })
                .schedule,
            ] {
                assert!(feasible(&p, &s), "{kind:?} lag {lag}: {s:?}");
            }
        }
    }
}

#[test]
fn bad_input_is_repaired_with_diagnostics() {
    let p = Problem {
        activities: vec![act(2, &[5, 1, 9]), act(1, &[1]), act(3, &[1])],
        resources: vec![Capacity::constant(3), Capacity::constant(1)],
        links: vec![
            Link::fs(0, 1),
            Link::fs(1, 2),
            Link::fs(2, 0), // closes a cycle
            Link::fs(1, 1), // self link
            Link::fs(0, 7), // unknown activity
        ],
    };
    let inst = Instance::new(&p);
    let d = inst.diagnostics();
    assert!(d.contains(&Diagnostic::CycleBroken { link: 2 }), "{d:?}");
    assert!(d.contains(&Diagnostic::InvalidLink { link: 3 }));
    assert!(d.contains(&Diagnostic::InvalidLink { link: 4 }));
    assert!(d.contains(&Diagnostic::ExtraDemands { activity: 0 }));
    assert!(d.contains(&Diagnostic::DemandClamped {
        activity: 0,
        resource: 0,
        demand: 5,
        capacity: 3
    }));
    assert_eq!(inst.demand(0, 0), 3);
    let s = inst.solve(&SolveOptions::default());
    assert_eq!(s.schedule.starts.len(), 3);
    assert_eq!(s.schedule.makespan, 6);
    // An empty problem is fine too.
    let empty = Instance::new(&Problem::default());
    assert!(empty.is_empty());
    assert_eq!(empty.solve(&SolveOptions::default()).schedule.makespan, 0);
}

#[test]
fn serial_sgs_repairs_incomplete_or_infeasible_lists() {
    let p = Problem {
        activities: vec![act(1, &[1]), act(2, &[1]), act(3, &[1])],
        resources: vec![Capacity::constant(1)],
        links: vec![Link::fs(0, 2)],
    };
    let inst = Instance::new(&p);
    // 2 before its predecessor 0, activity 1 missing, 9 unknown.
    let s = inst.serial_sgs(&[2, 9, 0]);
    assert!(feasible(&p, &s));
    assert_eq!(s.makespan, 6);
    assert!(inst.is_feasible(&s));
}

fn arb_problem() -> impl Strategy<Value = Problem> {
    (2usize..14, 1usize..4).prop_flat_map(|(n, nr)| {
        let acts = prop::collection::vec((0u32..6, prop::collection::vec(0u32..3, nr)), n);
        let caps = prop::collection::vec((2u32..6, prop::option::of((0u32..8, 0u32..6))), nr);
        let links = prop::collection::vec((0usize..n, 0usize..n, 0u8..4, -2i32..3), 0..2 * n);
        (acts, caps, links).prop_map(|(acts, caps, links)| Problem {
            activities: acts
                .into_iter()
                .map(|(d, dem)| Activity {
                    duration: d,
                    demands: dem,
                })
                .collect(),
            resources: caps
                .into_iter()
                .map(|(base, ch)| Capacity {
                    base,
                    // A dip in the middle; the tail goes back to `base`.
                    changes: ch.map_or(Vec::new(), |(t, u)| vec![(t, u), (t + 3, base)]),
                })
                .collect(),
            // Only forward links (lower to higher index) keep the graph acyclic here;
            // cycles are covered by `bad_input_is_repaired_with_diagnostics`.
            links: links
                .into_iter()
                .filter(|(a, b, _, _)| a < b)
                .map(|(a, b, k, lag)| Link {
                    pred: a,
                    succ: b,
                    kind: [
                        LinkKind::FinishToStart,
                        LinkKind::StartToStart,
                        LinkKind::FinishToFinish,
                        LinkKind::StartToFinish,
                    ][k as usize],
                    lag,
                })
                .collect(),
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_scheme_returns_a_feasible_schedule(p in arb_problem(), seed in 0u64..1000) {
        let inst = Instance::new(&p);
        prop_assert!(inst.diagnostics().is_empty());
        let lb = inst.lower_bound();
        for rule in [PriorityRule::Lft, PriorityRule::Lst, PriorityRule::MinSlack, PriorityRule::Grpw] {
            let s = inst.serial_rule(rule);
            prop_assert!(feasible(&p, &s), "serial {rule:?} {s:?}");
            let q = inst.parallel_rule(rule);
            prop_assert!(feasible(&p, &q), "parallel {rule:?} {q:?}");
            let j = inst.justify(&s);
            prop_assert!(feasible(&p, &j) && j.makespan <= s.makespan, "justify {j:?}");
        }
        let sol = inst.solve(&SolveOptions { schedules: 120, seed, islands: 2 });
        prop_assert!(feasible(&p, &sol.schedule), "ga {:?}", sol.schedule);
        prop_assert!(sol.schedules_used <= 120);
        prop_assert!(sol.schedule.makespan >= lb);
        prop_assert!(sol.schedule.makespan <= inst.serial_rule(PriorityRule::Lft).makespan);
    }
}
