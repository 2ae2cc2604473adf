//! Benchmark: optimal selection and a 20-point efficient frontier on generated 300-candidate
//! instances (5 fiscal years, 20 roles × 12 quarters of capacity, shifts up to 2 quarters,
//! budgets at 55 % of demand), for both generator families: `realistic` (PMO-shaped demand:
//! 2–5 roles per project at a constant level, flat pools, some roles bottlenecks) and `hard`
//! (jagged per-quarter demand, every role near its limit). Run with
//! `cargo run --release -p atrium-optimize --example bench [pivot_limit] [frontier_pivot_limit]
//! [realistic|hard] [tight|loose] [seeds=N]`
//! (words filter the families / capacity variants; all run by default).
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

use atrium_optimize::generate::{GenParams, hard, realistic};
use atrium_optimize::{Problem, Solution};

type Generator = fn(&GenParams, u64) -> Problem;

/// Shape of an instance and of a selection: roles and demand entries per candidate, capacity rows
/// (role × quarter with a finite limit) and how many of them the selection fills to ≥ 95 %.
fn shape(p: &Problem, s: &Solution) -> String {
    let n = p.candidates.len().max(1) as f64;
    let roles: usize = p
        .candidates
        .iter()
        .map(|c| {
            let mut r: Vec<usize> = c.demand.iter().map(|d| d.role).collect();
            r.sort_unstable();
            r.dedup();
            r.len()
        })
        .sum();
    let entries: usize = p.candidates.iter().map(|c| c.demand.len()).sum();
    let mut rows = 0;
    let mut tight = 0;
    let mut tight_roles = std::collections::BTreeSet::new();
    for (r, caps) in p.capacity.iter().enumerate() {
        for (q, &cap) in caps.iter().enumerate() {
            if cap.is_finite() {
                rows += 1;
                let used = s
                    .capacity_use
                    .get(r)
                    .and_then(|u| u.get(q))
                    .copied()
                    .unwrap_or(0.0);
                if used >= 0.95 * cap {
                    tight += 1;
                    tight_roles.insert(r);
                }
            }
        }
    }
    format!(
        "{:.1} roles and {:.1} demand entries per candidate; {tight}/{rows} capacity rows ≥ 95 % full ({} roles)",
        roles as f64 / n,
        entries as f64 / n,
        tight_roles.len()
    )
}
use atrium_optimize::{SolveOptions, Status, budget_factors, efficient_frontier, optimize};

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<u64> = raw.iter().filter_map(|a| a.parse().ok()).collect();
    let wants = |word: &str, all: &[&str]| {
        let named: Vec<&String> = raw.iter().filter(|a| all.contains(&a.as_str())).collect();
        named.is_empty() || named.iter().any(|a| a.as_str() == word)
    };
    let seeds: u64 = raw
        .iter()
        .find_map(|a| a.strip_prefix("seeds=").and_then(|v| v.parse().ok()))
        .unwrap_or(3);
    let limit = args.first().copied().unwrap_or(15_000);
    let frontier_limit = args.get(1).copied().unwrap_or(8_000);
    let families: [(&str, Generator); 2] = [("realistic", realistic), ("hard", hard)];
    let variants = [
        ("tight", "capacity 0.9 x mean demand", 0.9),
        ("loose", "budget-driven, capacity 2.0 x mean demand", 2.0),
    ];
    for (family, gen_fn) in families {
        if !wants(family, &["realistic", "hard"]) {
            continue;
        }
        for (key, label, cap) in variants {
            if !wants(key, &["tight", "loose"]) {
                continue;
            }
            run(
                family,
                gen_fn,
                key,
                label,
                cap,
                limit,
                frontier_limit,
                seeds,
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn run(
    family: &str,
    gen_fn: Generator,
    key: &str,
    label: &str,
    cap: f64,
    limit: u64,
    frontier_limit: u64,
    seeds: u64,
) {
    {
        println!(
            "== {family} / {key} ({label}); pivot limit {limit} per solve, {frontier_limit} per frontier point"
        );
        for seed in 1..=seeds {
            let mut params = GenParams::benchmark();
            params.capacity_fraction = cap;
            let p = gen_fn(&params, seed);
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
            println!("         shape: {}", shape(&p, &s));
        }
    }
}
