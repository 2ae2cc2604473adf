//! Debug aid: solve one instance (fixture file, or generated `<candidates> <seed>`) with an
//! optional node limit and print statistics (`FAMILY=realistic` picks the PMO-shaped generator).
use atrium_optimize::SolveOptions;
use atrium_optimize::generate::{GenParams, generate, realistic};
use atrium_optimize::text::from_text;
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (p, rest) = match args.first().map(|a| a.parse::<usize>()) {
        Some(Ok(n)) => {
            let mut params = GenParams::benchmark();
            params.candidates = n;
            let seed = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
            if std::env::var("FAMILY").as_deref() == Ok("realistic") {
                (realistic(&params, seed), 2)
            } else {
                (generate(&params, seed), 2)
            }
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
    let iters = args
        .get(rest + 1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let opts = SolveOptions {
        explain: false,
        node_limit: nodes,
        iteration_limit: iters,
        ..SolveOptions::default()
    };
    // Optional start selection: env START=file with a line `select c:s c:s ...`.
    let start: Vec<atrium_optimize::Chosen> = std::env::var("START")
        .ok()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("select"))
                .map(str::to_string)
        })
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .filter_map(|cs| {
                    let (c, s) = cs.split_once(':')?;
                    let (c, s): (usize, usize) = (c.parse().ok()?, s.parse().ok()?);
                    Some(atrium_optimize::Chosen {
                        candidate: c,
                        shift: s,
                        start_quarter: 0,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let t = Instant::now();
    let s = atrium_optimize::optimize_from(&p, &opts, &start);
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
