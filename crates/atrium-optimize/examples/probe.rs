//! Probe: solve one generated instance with small limits and print statistics (debug aid).
use atrium_optimize::generate::{GenParams, generate};
use atrium_optimize::{SolveOptions, optimize};
use std::time::Instant;
fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(300) as usize;
    let nodes = args.get(1).copied().unwrap_or(1);
    let mut params = GenParams::benchmark();
    params.candidates = n;
    let p = generate(&params, 1);
    let opts = SolveOptions {
        explain: false,
        node_limit: nodes,
        ..SolveOptions::default()
    };
    let t = Instant::now();
    let s = optimize(&p, &opts);
    for d in &s.diagnostics {
        println!("diag {}", d.message);
    }
    println!(
        "{:?} obj {:.4} bound {:.4} gap {:.2e} nodes {} pivots {} {:.3}s",
        s.status,
        s.objective,
        s.bound,
        s.gap,
        s.nodes,
        s.iterations,
        t.elapsed().as_secs_f64()
    );
}
