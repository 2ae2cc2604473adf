//! Benchmark: Atrium's Monte Carlo on the numpy peer's random project
//! (`shared/peers/montecarlo/mc_numpy.py`), same graph and distributions, same timed work
//! (sampling + forward pass; the graph build is not timed), same summary line format.
//!
//! `cargo run --release -p atrium-schedule --example mc_bench -- -n 1000 -i 10000 --seed 1`
//! Options: `--window W` (50), `--repeat R` (5), `--threads T` (0 = all cores),
//! `--full` (also time a run with criticality and sensitivity).
//! `crates/atrium-schedule/examples/mc_vs_numpy.sh` runs both programs and prints the ratio.

use atrium_schedule::montecarlo::{McOptions, McPlan, peer};
use std::time::Instant;

fn arg<T: std::str::FromStr>(args: &[String], names: &[&str], default: T) -> T {
    args.iter()
        .position(|a| names.contains(&a.as_str()))
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, &["-n"], 1000);
    let iters: usize = arg(&args, &["-i", "--iterations"], 10_000);
    let seed: u64 = arg(&args, &["--seed"], 1);
    let window: usize = arg(&args, &["--window"], 50);
    let repeat: usize = arg(&args, &["--repeat"], 5).max(1);
    let threads: usize = arg(&args, &["--threads"], 0);
    let full = args.iter().any(|a| a == "--full");

    let t = Instant::now();
    let g = peer::build_graph(n, seed, window);
    let input = g.to_input();
    let plan = McPlan::compile(&input);
    let tg = t.elapsed().as_secs_f64();
    let edges: usize = g.preds.iter().map(Vec::len).sum();
    println!(
        "graph: n={n} edges={edges} window={window} (built+compiled in {tg:.3}s); deterministic CPM with modes = {:.2} wd, with means = {:.2} wd",
        plan.deterministic_finish(),
        plan.mean_duration_finish()
    );
    let threads_used = if threads == 0 {
        rayon::current_num_threads()
    } else {
        threads
    };
    let mut modes = vec![("plain", false)];
    if full {
        modes.push(("full", true));
    }
    for (label, stats) in modes {
        let mut times = Vec::with_capacity(repeat);
        for r in 0..repeat {
            let opts = McOptions {
                iterations: iters,
                seed: seed * 1000 + r as u64,
                threads,
                criticality: stats,
                sensitivity: stats,
            };
            let t = Instant::now();
            let res = plan.run(&opts);
            let dt = t.elapsed().as_secs_f64();
            times.push(dt);
            let f = &res.finish;
            println!(
                "run {r} [{label}]: P50={:.2} P80={:.2} P90={:.2} mean={:.2} std={:.2} | {:.1} ms ({n}x{iters}, f32, {threads_used} threads)",
                f.quantile(0.5),
                f.quantile(0.8),
                f.quantile(0.9),
                f.mean(),
                f.std(),
                dt * 1e3
            );
        }
        let min = times.iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "atrium [{label}]: median total {:.2} ms, min {:.2} ms over {repeat} runs",
            median(&mut times) * 1e3,
            min * 1e3
        );
    }
}
