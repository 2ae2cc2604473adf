//! Agreement with the numpy peer (`shared/peers/montecarlo/mc_numpy.py`): the committed
//! fixture holds the peer's 1,000-task graph and numpy's results for 5 × 10,000 iterations;
//! Atrium must rebuild the same graph and agree on P50/P80/P90 within Monte Carlo error.

use atrium_schedule::montecarlo::{McOptions, McPlan, peer};

struct Fixture {
    graph: peer::PeerGraph,
    det_mode: f64,
    /// (iterations, p50, p80, p90, mean, std) per numpy run.
    runs: Vec<[f64; 6]>,
}

fn load() -> Fixture {
    let text = include_str!("fixtures/montecarlo/peer_n1000_s1.txt");
    let mut g = peer::PeerGraph {
        preds: Vec::new(),
        min: Vec::new(),
        mode: Vec::new(),
        max: Vec::new(),
    };
    let (mut det_mode, mut runs) = (f64::NAN, Vec::new());
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| f[i].parse::<f64>().expect("number");
        match f[0] {
            "deterministic_cpm_mode" => det_mode = num(1),
            "run" => runs.push([num(2), num(3), num(4), num(5), num(6), num(7)]),
            "task" => {
                assert_eq!(f[1].parse::<usize>().expect("index"), g.mode.len());
                g.min.push(num(2));
                g.mode.push(num(3));
                g.max.push(num(4));
                g.preds
                    .push(f[5..].iter().map(|p| p.parse().expect("pred")).collect());
            }
            other => panic!("unexpected fixture line {other}"),
        }
    }
    Fixture {
        graph: g,
        det_mode,
        runs,
    }
}

#[test]
fn peer_generator_rebuilds_the_numpy_graph_exactly() {
    let fx = load();
    let g = peer::build_graph(1000, 1, 50);
    assert_eq!(g, fx.graph);
    assert_eq!(g.deterministic_finish_with_modes(), fx.det_mode);
    let plan = McPlan::compile(&g.to_input());
    assert_eq!(plan.deterministic_finish(), fx.det_mode);
    assert!(plan.diagnostics().is_empty());
}

#[test]
fn percentiles_agree_with_numpy_within_monte_carlo_error() {
    let fx = load();
    let plan = McPlan::compile(&fx.graph.to_input());
    let r = plan.run(&McOptions {
        iterations: 10_000,
        seed: 1,
        threads: 0,
        criticality: false,
        sensitivity: false,
    });
    let k = fx.runs.len() as f64;
    for (col, q) in [(1, 0.5), (2, 0.8), (3, 0.9)] {
        let numpy = fx.runs.iter().map(|r| r[col]).sum::<f64>() / k;
        let ours = r.finish.quantile(q);
        // Standard error of a sample quantile, sqrt(q(1-q)/N)/density, estimated from our
        // own samples; numpy's figure is the mean of k runs of the same size, so the
        // difference has variance se²(1 + 1/k). Allow 4 standard errors (two-sided
        // p ≈ 6e-5), which a wrong distribution or graph would break: e.g. P50 moves by
        // more than that if one mode on the critical path changes by a day.
        let se = r.finish.quantile_std_error(q) * (1.0 + 1.0 / k).sqrt();
        assert!(se > 0.05 && se < 0.5, "implausible standard error {se}");
        let diff = ours - numpy;
        eprintln!(
            "P{:.0}: atrium {ours:.3} numpy {numpy:.3} diff {diff:+.3} se {se:.3}",
            q * 100.0
        );
        assert!(
            diff.abs() < 4.0 * se,
            "P{}: atrium {ours:.3} numpy {numpy:.3} diff {diff:.3} > 4 x {se:.3}",
            q * 100.0
        );
        // numpy's own run-to-run spread is consistent with that standard error.
        for run in &fx.runs {
            assert!((run[col] - numpy).abs() < 4.0 * se * 1.5);
        }
    }
    let numpy_mean = fx.runs.iter().map(|r| r[4]).sum::<f64>() / k;
    let numpy_std = fx.runs.iter().map(|r| r[5]).sum::<f64>() / k;
    let se_mean = numpy_std / (10_000f64).sqrt() * (1.0 + 1.0 / k).sqrt();
    assert!((r.finish.mean() - numpy_mean).abs() < 4.0 * se_mean);
    // Std of a sample std ≈ σ/sqrt(2N) for a near-normal finish.
    assert!((r.finish.std() - numpy_std).abs() < 4.0 * numpy_std / (2.0 * 10_000f64).sqrt() * 1.2);
}
