//! The optimizer against exhaustive enumeration on generated instances up to 20 candidates
//! (shifts, dependencies, force-in/out), plus property tests that force-in/out and dependencies
//! always hold and that the frontier is monotone.

mod common;

use atrium_optimize::generate::{GenParams, generate, realistic};
use atrium_optimize::{
    Candidate, Demand, Dependency, Force, Problem, Reason, SolveOptions, Status, budget_factors,
    efficient_frontier, optimize,
};
use common::{as_assignment, brute_force, evaluate};
use proptest::prelude::*;

fn check_against_brute(p: &Problem, label: &str) {
    let opts = SolveOptions::default();
    let sol = optimize(p, &opts);
    let reference = brute_force(p, true);
    match reference {
        None => assert_eq!(
            sol.status,
            Status::Infeasible,
            "{label}: brute force infeasible"
        ),
        Some(best) => {
            assert_eq!(
                sol.status,
                Status::Optimal,
                "{label}: {:?}",
                sol.diagnostics
            );
            let v = evaluate(p, &as_assignment(p, &sol.selected), true)
                .unwrap_or_else(|e| panic!("{label}: solver selection infeasible: {e}"));
            assert!(
                (v - sol.objective).abs() < 1e-9 * v.abs().max(1.0),
                "{label}"
            );
            assert!(
                (v - best).abs() <= 1e-7 * best.abs().max(1.0),
                "{label}: solver {v} vs brute force {best}"
            );
        }
    }
}

#[test]
fn matches_brute_force_with_shifts() {
    // Up to 10 candidates with shifts 0..=2 (4 choices each).
    for n in 2..=10 {
        for seed in 0..12 {
            let p = generate(&GenParams::small(n), 1000 * n as u64 + seed);
            check_against_brute(&p, &format!("shifts n={n} seed={seed}"));
        }
    }
}

#[test]
fn matches_brute_force_twenty_candidates() {
    // 16–20 candidates without shifts, 12–14 with shifts up to 1 quarter; dependencies and
    // force-in/out throughout.
    for (n, shift) in [(12, 1), (14, 1), (16, 0), (18, 0), (20, 0)] {
        for seed in 0..4 {
            let mut params = GenParams::small(n);
            params.max_shift = shift;
            let p = generate(&params, 77 * n as u64 + seed);
            check_against_brute(&p, &format!("n={n} seed={seed}"));
        }
    }
}

#[test]
fn matches_brute_force_on_realistic_instances() {
    // The PMO-shaped family: shifts up to 2 quarters at 10 candidates, none at 18.
    for (n, shift) in [(6, 2), (8, 2), (10, 2), (12, 1), (18, 0)] {
        for seed in 0..6 {
            let mut params = GenParams::small(n);
            params.max_shift = shift;
            params.roles = 6;
            let p = realistic(&params, 31 * n as u64 + seed);
            check_against_brute(&p, &format!("realistic n={n} seed={seed}"));
        }
    }
}

#[test]
fn matches_brute_force_without_timing() {
    for seed in 0..10 {
        let p = generate(&GenParams::small(8), 555 + seed);
        let opts = SolveOptions {
            requires_timing: false,
            ..SolveOptions::default()
        };
        let sol = optimize(&p, &opts);
        match brute_force(&p, false) {
            None => assert_eq!(sol.status, Status::Infeasible),
            Some(best) => {
                let v = evaluate(&p, &as_assignment(&p, &sol.selected), false).expect("feasible");
                assert!(
                    (v - best).abs() <= 1e-7 * best.abs().max(1.0),
                    "seed {seed}"
                );
            }
        }
    }
}

#[test]
fn explanations_name_binding_constraints() {
    let p = generate(&GenParams::small(14), 4242);
    let sol = optimize(&p, &SolveOptions::default());
    assert_eq!(sol.status, Status::Optimal);
    let excluded = p.candidates.len() - sol.selected.len();
    assert_eq!(sol.exclusions.len(), excluded);
    for e in &sol.exclusions {
        assert!(!sol.is_selected(e.candidate));
        if p.candidates[e.candidate].force == Force::Out {
            assert_eq!(e.reasons, vec![Reason::ForcedOut]);
            continue;
        }
        // Adding an excluded candidate to an optimal selection must break something.
        assert!(!e.reasons.is_empty(), "{e:?}");
        if let (Some(lo), Some(hi)) = (e.value_loss_at_least, e.value_loss_at_most) {
            assert!(lo <= hi + 1e-6, "{e:?}");
        }
    }
}

#[test]
fn tiny_hand_made_case() {
    // Two projects compete for one budget; the third needs the first.
    let mk = |value: f64, cost: i64| Candidate {
        name: String::new(),
        value,
        start_quarter: 0,
        max_shift: 0,
        cost_per_year: vec![cost],
        demand: vec![Demand {
            role: 0,
            quarter: 0,
            amount: 1.0,
        }],
        force: Force::Free,
    };
    let p = Problem {
        fiscal_years: 1,
        budget_per_year: vec![100],
        roles: vec!["dev".into()],
        capacity: vec![vec![2.0, 2.0, 2.0, 2.0]],
        candidates: vec![mk(10.0, 60), mk(9.0, 40), mk(5.0, 40)],
        dependencies: vec![Dependency::Requires {
            dependent: 2,
            prerequisite: 0,
        }],
    };
    let sol = optimize(&p, &SolveOptions::default());
    assert_eq!(sol.status, Status::Optimal);
    // {0,1}: 19 (cost 100, capacity 2). {0,2}: 15. {1,2} breaks the requirement.
    assert!((sol.objective - 19.0).abs() < 1e-12);
    assert_eq!(brute_force(&p, true), Some(19.0));
    // Without the budget, capacity 2 still limits to two projects: still 19.
    let mut loose = p.clone();
    loose.budget_per_year = vec![1_000];
    assert_eq!(brute_force(&loose, true), Some(19.0));
    // With capacity 3 and no budget limit, all three fit: 24.
    loose.capacity = vec![vec![3.0; 4]];
    assert_eq!(brute_force(&loose, true), Some(24.0));
    assert!((optimize(&loose, &SolveOptions::default()).objective - 24.0).abs() < 1e-12);
    assert_eq!(sol.cost_per_year, vec![100]);
    let e = &sol.exclusions[0];
    assert_eq!(e.candidate, 2);
    assert!(e.reasons.contains(&Reason::Capacity {
        role: 0,
        quarter: 0,
        excess: 1.0,
        alone: false
    }));
    assert!(e.reasons.iter().any(|r| matches!(
        r,
        Reason::Budget {
            year: 0,
            excess: 40,
            ..
        }
    )));
    // Forcing 2 in means {0,2}: loss exactly 4.
    assert!((e.value_loss_at_most.expect("repair") - 4.0).abs() < 1e-9);
    assert!(e.value_loss_at_least.expect("lp") <= 4.0 + 1e-9);
}

fn arb_problem() -> impl Strategy<Value = Problem> {
    (
        2usize..8,
        any::<u64>(),
        0usize..3,
        0usize..3,
        0usize..3,
        0usize..2,
        any::<bool>(),
    )
        .prop_map(|(n, seed, req, exc, fin, fout, pmo)| {
            let mut params = GenParams::small(n);
            params.requires = req;
            params.excludes = exc;
            params.force_in = fin;
            params.force_out = fout;
            params.max_shift = (seed % 3) as usize;
            if pmo {
                realistic(&params, seed)
            } else {
                generate(&params, seed)
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn forcing_and_dependencies_always_hold(p in arb_problem()) {
        let sol = optimize(&p, &SolveOptions::default());
        if sol.status == Status::Infeasible {
            prop_assert!(brute_force(&p, true).is_none());
        } else {
            let sel = as_assignment(&p, &sol.selected);
            prop_assert!(evaluate(&p, &sel, true).is_ok());
            for (i, c) in p.candidates.iter().enumerate() {
                match c.force {
                    Force::In => prop_assert!(sel[i].is_some()),
                    Force::Out => prop_assert!(sel[i].is_none()),
                    Force::Free => {}
                }
            }
            let best = brute_force(&p, true).expect("feasible");
            prop_assert!((sol.objective - best).abs() <= 1e-7 * best.abs().max(1.0));
        }
    }

    #[test]
    fn frontier_is_monotone(p in arb_problem()) {
        let f = efficient_frontier(&p, &SolveOptions::default(), &budget_factors(8, 0.1, 1.5));
        prop_assert_eq!(f.len(), 8);
        for w in f.windows(2) {
            prop_assert!(w[0].budget_factor <= w[1].budget_factor);
            if w[0].status != Status::Infeasible {
                prop_assert!(w[1].value >= w[0].value - 1e-9, "{} > {}", w[0].value, w[1].value);
            }
        }
        for pt in &f {
            if pt.status != Status::Infeasible {
                let scaled = p.with_budget_scaled(pt.budget_factor);
                prop_assert!(evaluate(&scaled, &as_assignment(&p, &pt.selected), true).is_ok());
            }
        }
    }
}

#[test]
fn limits_still_return_a_feasible_selection() {
    let p = generate(&GenParams::benchmark(), 9);
    for (nodes, iters) in [(u64::MAX, 1), (1, u64::MAX), (3, u64::MAX)] {
        let opts = SolveOptions {
            node_limit: nodes,
            iteration_limit: iters,
            explain: false,
            ..SolveOptions::default()
        };
        let sol = optimize(&p, &opts);
        assert_eq!(sol.status, Status::LimitReached);
        assert!(sol.bound >= sol.objective - 1e-9);
        assert!(!sol.selected.is_empty());
        evaluate(&p, &as_assignment(&p, &sol.selected), true).expect("feasible");
    }
}

#[test]
fn bad_plans_give_diagnostics_not_panics() {
    let mut p = generate(&GenParams::small(6), 3);
    for c in &mut p.candidates {
        c.force = Force::Free;
    }
    p.dependencies = vec![
        Dependency::Requires {
            dependent: 0,
            prerequisite: 99,
        },
        Dependency::Excludes(2, 2),
    ];
    let sol = optimize(&p, &SolveOptions::default());
    assert_eq!(sol.status, Status::Optimal);
    assert_eq!(sol.diagnostics.len(), 2);

    // Two mandatory items that exclude each other: infeasible, and the message says why.
    p.candidates[0].force = Force::In;
    p.candidates[1].force = Force::In;
    p.dependencies = vec![Dependency::Excludes(0, 1)];
    let sol = optimize(&p, &SolveOptions::default());
    assert_eq!(sol.status, Status::Infeasible);
    assert!(sol.selected.is_empty());
    assert!(
        sol.diagnostics
            .iter()
            .any(|d| d.message.contains("exclude"))
    );
}
