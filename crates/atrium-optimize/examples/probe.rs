//! Debug aid: solve one instance (fixture file, or generated `<candidates> <seed>`) with an
//! optional node limit and print statistics.
use atrium_optimize::generate::{GenParams, generate};
use atrium_optimize::text::from_text;
use atrium_optimize::{SolveOptions, optimize};
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (p, rest) = match args.first().map(|a| a.parse::<usize>()) {
        Some(Ok(n)) => {
            let mut params = GenParams::benchmark();
            params.candidates = n;
            let seed = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
            (generate(&params, seed), 2)
        }
        _ => {
            let path = args.first().cloned().unwrap_or_default();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            (from_text(&text).unwrap_or_default(), 1)
        }
    };
    let nodes = args
        .get(rest)
        .and_then(|a| a.parse().ok())
        .unwrap_or(u64::MAX);
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
        "{:?} obj {:.6} bound {:.6} gap {:.2e} nodes {} pivots {} {:.3}s",
        s.status,
        s.objective,
        s.bound,
        s.gap,
        s.nodes,
        s.iterations,
        t.elapsed().as_secs_f64()
    );
}
