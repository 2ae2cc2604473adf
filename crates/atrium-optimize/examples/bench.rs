//! Benchmark: optimal selection and a 20-point efficient frontier on generated 300-candidate
//! instances (5 fiscal years, 20 roles × 12 quarters of capacity, shifts up to 2 quarters,
//! budgets at 55 % of demand). Run with
//! `cargo run --release -p atrium-optimize --example bench [pivot_limit] [frontier_pivot_limit]`.
//!
//! The engine has no clock, so work is bounded by simplex pivot limits; the output gives the
//! wall time, the proof status and the remaining gap for each run.

use std::time::Instant;

/// CPU seconds used by this process (user + system, from /proc), because wall time on a shared
/// 2-core machine mostly measures the other tenants.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| f.get(i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

use atrium_optimize::generate::{GenParams, generate};
use atrium_optimize::{SolveOptions, Status, budget_factors, efficient_frontier, optimize};

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let limit = args.first().copied().unwrap_or(15_000);
    let frontier_limit = args.get(1).copied().unwrap_or(8_000);
    let variants = [
        ("benchmark (capacity 0.9 x mean demand)", 0.9),
        ("budget-driven (capacity 2.0 x mean demand)", 2.0),
    ];
    for (label, cap) in variants {
        println!("== {label}; pivot limit {limit} per solve, {frontier_limit} per frontier point");
        for seed in 1..=3u64 {
            let mut params = GenParams::benchmark();
            params.capacity_fraction = cap;
            let p = generate(&params, seed);
            let opts = SolveOptions {
                explain: false,
                iteration_limit: limit,
                ..SolveOptions::default()
            };
            let (t, c) = (Instant::now(), cpu_seconds());
            let s = optimize(&p, &opts);
            let t_solve = t.elapsed().as_secs_f64();
            let c_solve = cpu_seconds() - c;
            let t = Instant::now();
            let se = optimize(
                &p,
                &SolveOptions {
                    explain: true,
                    ..opts.clone()
                },
            );
            let t_explain = t.elapsed().as_secs_f64();
            let fopts = SolveOptions {
                iteration_limit: frontier_limit,
                ..SolveOptions::default()
            };
            let (t, c) = (Instant::now(), cpu_seconds());
            let f = efficient_frontier(&p, &fopts, &budget_factors(20, 0.2, 1.5));
            let t_front = t.elapsed().as_secs_f64();
            let c_front = cpu_seconds() - c;
            let optimal = f.iter().filter(|pt| pt.status == Status::Optimal).count();
            let monotone = f.windows(2).all(|w| w[1].value >= w[0].value);
            let max_gap = f.iter().map(|pt| pt.gap).fold(0.0f64, f64::max);
            println!(
                "seed {seed}: {:?} value {:.2} bound {:.2} gap {:.3}% | {} selected | {} nodes {} pivots | solve {:.2}s wall {:.2}s cpu | with explanations {:.2}s ({} excluded)",
                s.status,
                s.objective,
                s.bound,
                100.0 * s.gap,
                s.selected.len(),
                s.nodes,
                s.iterations,
                t_solve,
                c_solve,
                t_explain,
                se.exclusions.len()
            );
            println!(
                "         frontier 20 points {:.2}s wall {:.2}s cpu, {optimal}/20 proven optimal, max gap {:.3}%, monotone {monotone}",
                t_front,
                c_front,
                100.0 * max_gap
            );
        }
    }
}
