//! Monte Carlo engine tests: analytic distributions, link semantics, risks, costs,
//! criticality, sensitivity, determinism and thread-count independence.

use atrium_schedule::montecarlo::{
    Dist, Link, LinkKind, McDiagnostic, McInput, McOptions, McPlan, McResult, McTask, RiskEvent,
    simulate,
};

fn opts(iterations: usize, seed: u64) -> McOptions {
    McOptions {
        iterations,
        seed,
        threads: 1,
        criticality: true,
        sensitivity: true,
    }
}

fn tasks(d: &[Dist]) -> Vec<McTask> {
    d.iter().map(|&d| McTask::new(d)).collect()
}

fn chain(d: &[Dist]) -> McInput {
    let links = (1..d.len()).map(|i| Link::fs(i - 1, i)).collect();
    McInput {
        tasks: tasks(d),
        links,
        risks: Vec::new(),
    }
}

/// Inverse CDF of the triangular distribution.
fn tri_quantile(a: f64, m: f64, b: f64, q: f64) -> f64 {
    let fc = (m - a) / (b - a);
    if q < fc {
        a + (q * (b - a) * (m - a)).sqrt()
    } else {
        b - ((1.0 - q) * (b - a) * (b - m)).sqrt()
    }
}

/// Mean within `k` standard errors (σ known analytically).
fn assert_mean(r: &McResult, mean: f64, sd: f64, k: f64) {
    let se = sd / (r.iterations as f64).sqrt();
    let got = r.finish.mean();
    assert!(
        (got - mean).abs() < k * se,
        "mean {got} vs {mean} (se {se})"
    );
}

#[test]
fn single_triangular_matches_analytic_mean_and_quantiles() {
    let (a, m, b) = (2.0, 5.0, 14.0);
    let r = simulate(
        &chain(&[Dist::Triangular {
            min: a,
            mode: m,
            max: b,
        }]),
        &opts(200_000, 3),
    );
    let var = (a * a + m * m + b * b - a * m - a * b - m * b) / 18.0;
    assert_mean(&r, (a + m + b) / 3.0, var.sqrt(), 4.0);
    assert!((r.finish.std() - var.sqrt()).abs() < 0.02 * var.sqrt());
    for (i, got) in r.finish.deciles().iter().enumerate() {
        let q = (i + 1) as f64 / 10.0;
        let want = tri_quantile(a, m, b, q);
        let se = r.finish.quantile_std_error(q);
        assert!(
            (got - want).abs() < 4.0 * se,
            "P{} {got} vs {want} (se {se})",
            (i + 1) * 10
        );
    }
    assert!(r.finish.min() >= a && r.finish.max() <= b);
}

#[test]
fn pert_and_uniform_match_analytic_moments() {
    let (a, m, b) = (1.0, 2.0, 9.0);
    let r = simulate(
        &chain(&[Dist::PertBeta {
            min: a,
            mode: m,
            max: b,
        }]),
        &opts(100_000, 5),
    );
    let mu = (a + 4.0 * m + b) / 6.0;
    let sd = ((mu - a) * (b - mu) / 7.0).sqrt();
    assert_mean(&r, mu, sd, 4.0);
    assert!(
        (r.finish.std() - sd).abs() < 0.02 * sd,
        "pert sd {} vs {sd}",
        r.finish.std()
    );
    assert!(r.finish.min() >= a && r.finish.max() <= b);

    let r = simulate(
        &chain(&[Dist::Uniform {
            min: 10.0,
            max: 20.0,
        }]),
        &opts(100_000, 6),
    );
    assert_mean(&r, 15.0, 10.0 / 12f64.sqrt(), 4.0);
    let p = r.prob_finish_by(12.5);
    assert!(
        (p - 0.25).abs() < 4.0 * (0.25f64 * 0.75 / 1e5).sqrt(),
        "P(<=12.5) = {p}"
    );
    assert_eq!(r.prob_finish_by(9.9), 0.0);
    assert_eq!(r.prob_finish_by(20.0), 1.0);
}

#[test]
fn chain_sums_durations_and_lags() {
    let d = [Dist::Fixed(3.0), Dist::Fixed(4.5), Dist::Fixed(2.0)];
    let r = simulate(&chain(&d), &opts(100, 1));
    assert!(r.finish.values.iter().all(|&f| f == 9.5));
    assert_eq!(r.deterministic_finish, 9.5);

    let mut input = chain(&d);
    input.links[1].lag = 1.5;
    let r = simulate(&input, &opts(10, 1));
    assert!(r.finish.values.iter().all(|&f| f == 11.0));

    // Random chain: the mean of the sum is the sum of the means.
    let t = [
        Dist::Triangular {
            min: 1.0,
            mode: 2.0,
            max: 6.0,
        },
        Dist::Uniform { min: 0.0, max: 4.0 },
        Dist::PertBeta {
            min: 3.0,
            mode: 4.0,
            max: 11.0,
        },
    ];
    let r = simulate(&chain(&t), &opts(50_000, 2));
    let mean: f64 = t.iter().map(Dist::mean).sum();
    let var = (1.0 + 4.0 + 36.0 - 2.0 - 6.0 - 12.0) / 18.0
        + 16.0 / 12.0
        + (5.0 - 3.0) * (11.0 - 5.0) / 7.0;
    assert_mean(&r, mean, f64::sqrt(var), 4.0);
}

#[test]
fn link_types_follow_their_definitions() {
    // A = 10 days, B = 4 days, one link A -> B.
    let run = |kind, lag| {
        let input = McInput {
            tasks: tasks(&[Dist::Fixed(10.0), Dist::Fixed(4.0)]),
            links: vec![Link::new(0, 1, kind, lag)],
            risks: Vec::new(),
        };
        simulate(&input, &opts(4, 1)).finish.values[0]
    };
    assert_eq!(run(LinkKind::FinishStart, 0.0), 14.0);
    assert_eq!(run(LinkKind::StartStart, 2.0), 10.0); // B: 2..6, A ends at 10
    assert_eq!(run(LinkKind::StartStart, 8.0), 12.0); // B: 8..12
    assert_eq!(run(LinkKind::FinishFinish, 3.0), 13.0); // B ends 3 after A
    assert_eq!(run(LinkKind::StartFinish, 6.0), 10.0); // B ends at 6 (>= its 4 days)
    assert_eq!(run(LinkKind::FinishStart, -3.0), 11.0); // lead

    // SS with a finish-driven predecessor: C after B's (pushed) start.
    let input = McInput {
        tasks: tasks(&[Dist::Fixed(10.0), Dist::Fixed(4.0), Dist::Fixed(1.0)]),
        links: vec![
            Link::new(0, 1, LinkKind::FinishFinish, 0.0),
            Link::new(1, 2, LinkKind::StartStart, 0.0),
        ],
        risks: Vec::new(),
    };
    let r = simulate(&input, &opts(4, 1));
    assert_eq!(r.finish.values[0], 10.0); // B runs 6..10, C 6..7
    assert_eq!(r.deterministic_finish, 10.0);
    assert_eq!(r.criticality.as_deref(), Some(&[1.0, 1.0, 0.0][..]));
}

#[test]
fn release_dates_hold_tasks_back() {
    let mut t = tasks(&[Dist::Fixed(2.0), Dist::Fixed(3.0)]);
    t[1].release = 5.0;
    let input = McInput {
        tasks: t,
        links: vec![Link::fs(0, 1)],
        risks: Vec::new(),
    };
    assert!(
        simulate(&input, &opts(8, 1))
            .finish
            .values
            .iter()
            .all(|&f| f == 8.0)
    );
}

fn risky_chain(p: f64) -> McInput {
    let mut input = chain(&[
        Dist::Triangular {
            min: 2.0,
            mode: 3.0,
            max: 7.0,
        },
        Dist::Triangular {
            min: 1.0,
            mode: 5.0,
            max: 6.0,
        },
        Dist::Uniform { min: 2.0, max: 3.0 },
    ]);
    input.risks.push(RiskEvent {
        probability: p,
        delay: Dist::Fixed(4.0),
        tasks: vec![1],
        cost: Dist::Fixed(1000.0),
    });
    input
}

#[test]
fn risk_with_zero_probability_changes_nothing() {
    let base = simulate(
        &chain(&[
            Dist::Triangular {
                min: 2.0,
                mode: 3.0,
                max: 7.0,
            },
            Dist::Triangular {
                min: 1.0,
                mode: 5.0,
                max: 6.0,
            },
            Dist::Uniform { min: 2.0, max: 3.0 },
        ]),
        &opts(5_000, 9),
    );
    let r = simulate(&risky_chain(0.0), &opts(5_000, 9));
    assert_eq!(r.finish.values, base.finish.values);
    assert_eq!(r.criticality, base.criticality);
    assert_eq!(r.risk_occurrence, vec![0.0]);
    assert!(r.cost.values.iter().all(|&c| c == 0.0));
}

#[test]
fn risk_with_certain_probability_shifts_by_its_delay() {
    let base = simulate(&risky_chain(0.0), &opts(5_000, 9));
    let r = simulate(&risky_chain(1.0), &opts(5_000, 9));
    for (a, b) in r.finish.values.iter().zip(&base.finish.values) {
        assert!((a - b - 4.0).abs() < 1e-4, "{a} vs {b} + 4");
    }
    assert_eq!(r.risk_occurrence, vec![1.0]);
    assert!(r.cost.values.iter().all(|&c| c == 1000.0));
    // The delay is part of the delayed task's sampled duration.
    let (mb, mr) = (
        base.mean_duration.expect("sens"),
        r.mean_duration.expect("sens"),
    );
    assert!((mr[1] - mb[1] - 4.0).abs() < 1e-3);
    assert!((mr[0] - mb[0]).abs() < 1e-9);
}

#[test]
fn risk_probability_is_honoured() {
    let r = simulate(&risky_chain(0.3), &opts(40_000, 4));
    let p = r.risk_occurrence[0];
    assert!(
        (p - 0.3).abs() < 4.0 * (0.3f64 * 0.7 / 4e4).sqrt(),
        "occurrence {p}"
    );
    let base = simulate(&risky_chain(0.0), &opts(40_000, 4));
    // Same task stream: each iteration is either unchanged or shifted by exactly the delay.
    let shifted = r
        .finish
        .values
        .iter()
        .zip(&base.finish.values)
        .filter(|(a, b)| (*a - *b - 4.0).abs() < 1e-4)
        .count();
    let same = r
        .finish
        .values
        .iter()
        .zip(&base.finish.values)
        .filter(|(a, b)| a == b)
        .count();
    assert_eq!(shifted + same, 40_000);
    assert_eq!(shifted as f64 / 4e4, p);
    assert!((r.cost.mean() - 1000.0 * p).abs() < 1e-6);
}

#[test]
fn costs_add_fixed_rate_and_risk_parts() {
    let mut input = chain(&[Dist::Uniform { min: 2.0, max: 4.0 }, Dist::Fixed(1.0)]);
    input.tasks[0].cost_rate = 100.0;
    input.tasks[1].fixed_cost = 50.0;
    let r = simulate(&input, &opts(20_000, 8));
    // cost = 50 + 100 * d0 exactly, with d0 = finish - 1.
    for (c, f) in r.cost.values.iter().zip(&r.finish.values) {
        assert!((c - (50.0 + 100.0 * (f - 1.0))).abs() < 1e-3, "{c} vs {f}");
    }
    assert!((r.cost.mean() - 350.0).abs() < 4.0 * 100.0 * (4.0f64 / 12.0 / 2e4).sqrt());
}

#[test]
fn seeds_are_deterministic_and_thread_count_independent() {
    let g = atrium_schedule::montecarlo::peer::build_graph(300, 7, 30);
    let mut input = g.to_input();
    input.tasks[10].duration = Dist::PertBeta {
        min: 1.0,
        mode: 2.0,
        max: 8.0,
    };
    input.tasks[11].cost_rate = 3.0;
    input
        .links
        .push(Link::new(5, 40, LinkKind::StartStart, 2.0));
    input
        .links
        .push(Link::new(6, 41, LinkKind::FinishFinish, 1.0));
    input.risks.push(RiskEvent {
        probability: 0.4,
        delay: Dist::Triangular {
            min: 1.0,
            mode: 2.0,
            max: 9.0,
        },
        tasks: vec![3, 50],
        cost: Dist::Uniform {
            min: 5.0,
            max: 10.0,
        },
    });
    let plan = McPlan::compile(&input);
    // 2,777 iterations: several chunks and a partial last block.
    let run = |threads, seed| {
        plan.run(&McOptions {
            iterations: 2_777,
            seed,
            threads,
            criticality: true,
            sensitivity: true,
        })
    };
    let a = run(1, 42);
    assert_eq!(a, run(1, 42));
    assert_eq!(a, run(2, 42));
    assert_eq!(a, run(3, 42));
    assert_eq!(a, run(0, 42));
    assert_ne!(a.finish.values, run(1, 43).finish.values);
    // A prefix of the iterations does not depend on how many iterations follow.
    let short = plan.run(&McOptions {
        iterations: 700,
        seed: 42,
        threads: 2,
        criticality: false,
        sensitivity: false,
    });
    assert_eq!(short.finish.values[..], a.finish.values[..700]);
}

#[test]
fn criticality_marks_driving_paths() {
    // Start -> {A (long), B (short)} -> End; C is fixed and tied with A.
    let input = McInput {
        tasks: tasks(&[
            Dist::Fixed(1.0),
            Dist::Fixed(10.0),
            Dist::Fixed(3.0),
            Dist::Fixed(10.0),
            Dist::Fixed(1.0),
        ]),
        links: vec![
            Link::fs(0, 1),
            Link::fs(0, 2),
            Link::fs(0, 3),
            Link::fs(1, 4),
            Link::fs(2, 4),
            Link::fs(3, 4),
        ],
        risks: Vec::new(),
    };
    let r = simulate(&input, &opts(64, 1));
    assert_eq!(
        r.criticality.as_deref(),
        Some(&[1.0, 1.0, 0.0, 1.0, 1.0][..])
    );

    // Two identical random branches: each critical about half of the time; the sum is 1.
    let input = McInput {
        tasks: tasks(&[
            Dist::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 5.0,
            },
            Dist::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 5.0,
            },
            Dist::Fixed(0.5),
        ]),
        links: vec![Link::fs(0, 2), Link::fs(1, 2)],
        risks: Vec::new(),
    };
    let r = simulate(&input, &opts(20_000, 11));
    let c = r.criticality.expect("criticality");
    assert!((c[0] - 0.5).abs() < 4.0 * (0.25f64 / 2e4).sqrt(), "{c:?}");
    assert!((c[0] + c[1] - 1.0).abs() < 1e-12);
    assert_eq!(c[2], 1.0);
    let s = r.sensitivity.expect("sensitivity");
    assert!(s[0] > 0.3 && s[1] > 0.3, "{s:?}");
    assert_eq!(s[2], 0.0);
}

#[test]
fn sensitivity_ranks_the_dominant_task_first() {
    // A wide task and a narrow one in series, plus an off-path task.
    let input = McInput {
        tasks: tasks(&[
            Dist::Uniform {
                min: 0.0,
                max: 20.0,
            },
            Dist::Uniform {
                min: 10.0,
                max: 11.0,
            },
            Dist::Uniform { min: 0.0, max: 1.0 },
        ]),
        links: vec![Link::fs(0, 1)],
        risks: Vec::new(),
    };
    let r = simulate(&input, &opts(20_000, 12));
    let s = r.sensitivity.expect("sensitivity");
    // Exact Pearson values: var 400/12 vs 1/12, so corr = 20/sqrt(401) and 1/sqrt(401).
    assert!((s[0] - 20.0 / 401f64.sqrt()).abs() < 0.01, "{s:?}");
    assert!((s[1] - 1.0 / 401f64.sqrt()).abs() < 0.03, "{s:?}");
    assert!(s[2].abs() < 0.03, "{s:?}");
    let c = r.criticality.expect("criticality");
    assert_eq!(c, vec![1.0, 1.0, 0.0]);
}

#[test]
fn bad_input_is_repaired_and_reported() {
    let input = McInput {
        tasks: tasks(&[
            Dist::Triangular {
                min: 5.0,
                mode: 1.0,
                max: 3.0,
            },
            Dist::Fixed(f64::NAN),
            Dist::Fixed(2.0),
        ]),
        links: vec![
            Link::fs(0, 1),
            Link::fs(1, 2),
            Link::fs(2, 0),
            Link::fs(0, 9),
            Link::fs(1, 1),
        ],
        risks: vec![RiskEvent {
            probability: 1.5,
            delay: Dist::Fixed(1.0),
            tasks: vec![7],
            cost: Dist::Fixed(0.0),
        }],
    };
    let plan = McPlan::compile(&input);
    let d = plan.diagnostics();
    assert!(
        d.contains(&McDiagnostic::CycleLinkDropped { link: 2 }),
        "{d:?}"
    );
    assert!(d.contains(&McDiagnostic::LinkIgnored { link: 3 }));
    assert!(d.contains(&McDiagnostic::LinkIgnored { link: 4 }));
    assert!(d.contains(&McDiagnostic::NonFiniteDuration { task: 1 }));
    assert!(d.contains(&McDiagnostic::DistributionRepaired {
        task: Some(0),
        risk: None
    }));
    assert!(d.contains(&McDiagnostic::ProbabilityClamped { risk: 0 }));
    assert!(d.contains(&McDiagnostic::RiskTaskIgnored { risk: 0, task: 7 }));
    assert_eq!(plan.order(), &[0, 1, 2]);
    let r = plan.run(&opts(1_000, 1));
    // Task 0 became triangular(1, 3, 5); the chain adds 0 + 2.
    assert!(r.finish.min() >= 3.0 && r.finish.max() <= 7.0);
    assert_eq!(r.diagnostics, d);
}

#[test]
fn empty_plan_and_zero_iterations_do_not_fail() {
    let r = simulate(&McInput::default(), &opts(10, 1));
    assert!(r.finish.values.iter().all(|&f| f == 0.0));
    let r = simulate(&chain(&[Dist::Fixed(1.0)]), &opts(0, 1));
    assert!(r.finish.is_empty());
    assert!(r.finish.quantile(0.5).is_nan());
}

#[test]
fn histogram_and_percentiles_are_consistent() {
    let r = simulate(
        &chain(
            &[Dist::Triangular {
                min: 0.0,
                mode: 1.0,
                max: 4.0,
            }; 5],
        ),
        &opts(10_000, 13),
    );
    let h = r.finish.histogram(20);
    assert_eq!(h.counts.len(), 20);
    assert_eq!(h.counts.iter().sum::<u64>(), 10_000);
    assert_eq!(h.start, r.finish.min());
    assert!((h.start + 20.0 * h.width - r.finish.max()).abs() < 1e-9);
    let d = r.finish.deciles();
    assert!(d.windows(2).all(|w| w[0] <= w[1]));
    assert!((r.prob_finish_by(d[4]) - 0.5).abs() < 1e-3);
    assert!((r.prob_finish_by(d[7]) - 0.8).abs() < 1e-3);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Random plans with fixed durations, all link types, leads and lags, release dates
    /// and tasks listed out of topological order.
    fn plan() -> impl Strategy<Value = McInput> {
        (1usize..25).prop_flat_map(|n| {
            let tasks = prop::collection::vec((0u8..10, 0u8..4), n);
            let links = prop::collection::vec((0..n, 0..n, 0u8..4, -3i8..6), 0..3 * n);
            let perm = Just((0..n).collect::<Vec<_>>()).prop_shuffle();
            (tasks, links, perm).prop_map(|(tasks, links, perm)| {
                let tasks = tasks
                    .into_iter()
                    .map(|(d, r)| McTask {
                        release: f64::from(r),
                        ..McTask::new(Dist::Fixed(f64::from(d)))
                    })
                    .collect();
                let kinds = [
                    LinkKind::FinishStart,
                    LinkKind::StartStart,
                    LinkKind::FinishFinish,
                    LinkKind::StartFinish,
                ];
                // Links go from a lower to a higher rank of `perm`: acyclic, in any index order.
                let links = links
                    .into_iter()
                    .filter(|(a, b, _, _)| a != b)
                    .map(|(a, b, k, lag)| {
                        let (a, b) = if a < b { (a, b) } else { (b, a) };
                        Link::new(perm[a], perm[b], kinds[k as usize], f64::from(lag))
                    })
                    .collect();
                McInput {
                    tasks,
                    links,
                    risks: Vec::new(),
                }
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// With fixed durations the vectorized kernel and the scalar f64 pass agree in every
        /// lane, criticality is 0 or 1, and some task ends the project.
        #[test]
        fn fixed_plans_match_the_scalar_pass(input in plan()) {
            let r = simulate(&input, &opts(100, 1));
            prop_assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
            for &f in &r.finish.values {
                prop_assert!((f - r.deterministic_finish).abs() < 1e-4, "{f} vs {}", r.deterministic_finish);
            }
            let c = r.criticality.expect("criticality");
            prop_assert!(c.iter().all(|&x| x == 0.0 || x == 1.0), "{c:?}");
            prop_assert!(c.contains(&1.0));
            let s = r.sensitivity.expect("sensitivity");
            prop_assert!(s.iter().all(|&x| x == 0.0));
        }

        /// Finish-to-start plans: critical exactly when the total float of a textbook
        /// forward/backward pass (f64) is zero.
        #[test]
        fn criticality_is_zero_total_float_for_fs_plans(input in plan()) {
            let mut input = input;
            for l in &mut input.links {
                l.kind = LinkKind::FinishStart;
            }
            let n = input.tasks.len();
            let d: Vec<f64> = input.tasks.iter().map(|t| t.duration.mean()).collect();
            let plan = McPlan::compile(&input);
            let order = plan.order().to_vec();
            let mut es: Vec<f64> = input.tasks.iter().map(|t| t.release).collect();
            for &t in &order {
                for l in input.links.iter().filter(|l| l.succ == t) {
                    es[t] = es[t].max(es[l.pred] + d[l.pred] + l.lag);
                }
            }
            let finish = (0..n).map(|t| es[t] + d[t]).fold(0.0, f64::max);
            let mut lf = vec![finish; n];
            for &t in order.iter().rev() {
                for l in input.links.iter().filter(|l| l.pred == t) {
                    lf[t] = lf[t].min(lf[l.succ] - d[l.succ] - l.lag);
                }
            }
            let c = plan.run(&opts(64, 1)).criticality.expect("criticality");
            for t in 0..n {
                let critical = lf[t] - (es[t] + d[t]) == 0.0;
                prop_assert_eq!(c[t] == 1.0, critical, "task {} es {} lf {}", t, es[t], lf[t]);
            }
        }
    }
}
