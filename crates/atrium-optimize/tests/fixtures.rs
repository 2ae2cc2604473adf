//! Recorded reference optima (40–60 candidates; `ref_real_*` from the PMO-shaped generator)
//! computed by an independent MILP solver (HiGHS, zero gap, via fixtures/solve_highs.py which
//! re-implements the model semantics), checked against the engine.

mod common;

use atrium_optimize::text::from_text;
use atrium_optimize::{SolveOptions, Status, optimize};
use common::{as_assignment, evaluate};

const FIXTURES: &[(&str, &str)] = &[
    ("ref_n40_s1", include_str!("fixtures/ref_n40_s1.txt")),
    ("ref_n40_s2", include_str!("fixtures/ref_n40_s2.txt")),
    ("ref_n50_s3", include_str!("fixtures/ref_n50_s3.txt")),
    ("ref_n50_s4", include_str!("fixtures/ref_n50_s4.txt")),
    ("ref_n60_s5", include_str!("fixtures/ref_n60_s5.txt")),
    ("ref_n60_s6", include_str!("fixtures/ref_n60_s6.txt")),
    (
        "ref_bench_n50_s7",
        include_str!("fixtures/ref_bench_n50_s7.txt"),
    ),
    (
        "ref_bench_n60_s8",
        include_str!("fixtures/ref_bench_n60_s8.txt"),
    ),
    (
        "ref_real_n50_s61",
        include_str!("fixtures/ref_real_n50_s61.txt"),
    ),
    (
        "ref_real_n55_s62",
        include_str!("fixtures/ref_real_n55_s62.txt"),
    ),
    (
        "ref_real_n55_s63",
        include_str!("fixtures/ref_real_n55_s63.txt"),
    ),
];

#[test]
fn reference_optima_match() {
    for (name, text) in FIXTURES {
        let p = from_text(text).expect("fixture parses");
        assert!(p.candidates.len() >= 40, "{name}");
        let expected: Option<f64> = text
            .lines()
            .find_map(|l| l.strip_prefix("expect_objective "))
            .map(|v| v.trim().parse().expect("number"));
        let infeasible = text.lines().any(|l| l.trim() == "expect_infeasible");
        assert!(
            expected.is_some() != infeasible,
            "{name}: fixture states one outcome"
        );
        let sol = optimize(&p, &SolveOptions::default());
        match expected {
            None => assert_eq!(sol.status, Status::Infeasible, "{name}"),
            Some(v) => {
                assert_eq!(sol.status, Status::Optimal, "{name}");
                let got = evaluate(&p, &as_assignment(&p, &sol.selected), true)
                    .unwrap_or_else(|e| panic!("{name}: infeasible selection: {e}"));
                assert!(
                    (got - v).abs() <= 1e-7 * v.abs().max(1.0),
                    "{name}: engine {got} vs reference {v}"
                );
            }
        }
    }
}
