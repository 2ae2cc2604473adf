//! Benchmark: optimal selection and a 20-point efficient frontier on generated 300-candidate
//! instances (5 fiscal years, 20 roles × 12 quarters... of capacity, shifts up to 2 quarters).
//! Run with `cargo run --release -p atrium-optimize --example bench [seeds...]`.

use std::time::Instant;

use atrium_optimize::generate::{GenParams, generate};
use atrium_optimize::{SolveOptions, budget_factors, efficient_frontier, optimize};

fn main() {
    let seeds: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let seeds = if seeds.is_empty() {
        vec![1, 2, 3, 4, 5]
    } else {
        seeds
    };
    let params = GenParams::benchmark();
    for seed in seeds {
        let p = generate(&params, seed);
        let mut opts = SolveOptions {
            explain: false,
            ..SolveOptions::default()
        };
        let t = Instant::now();
        let s = optimize(&p, &opts);
        let t_solve = t.elapsed();
        opts.explain = true;
        let t = Instant::now();
        let se = optimize(&p, &opts);
        let t_explain = t.elapsed();
        let t = Instant::now();
        let f = efficient_frontier(&p, &SolveOptions::default(), &budget_factors(20, 0.2, 1.6));
        let t_front = t.elapsed();
        let front_nodes: u64 = f.iter().map(|pt| pt.nodes).sum();
        let all_opt = f
            .iter()
            .all(|pt| pt.status == atrium_optimize::Status::Optimal);
        println!(
            "seed {seed}: {:?} value {:.3} selected {} nodes {} pivots {} | solve {:.3}s | solve+explain {:.3}s ({} exclusions) | frontier 20 pts {:.3}s nodes {} all optimal {}",
            s.status,
            s.objective,
            s.selected.len(),
            s.nodes,
            s.iterations,
            t_solve.as_secs_f64(),
            t_explain.as_secs_f64(),
            se.exclusions.len(),
            t_front.as_secs_f64(),
            front_nodes,
            all_opt
        );
    }
}
