//! Writes a generated instance in the fixture text format to stdout:
//! `cargo run -p atrium-optimize --example export -- <candidates> <seed> [small|bench] [capacity_fraction] [budget_fraction]`.
use atrium_optimize::generate::{GenParams, generate};
use atrium_optimize::text::to_text;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(40);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut params = if args.get(2).map(String::as_str) == Some("bench") {
        GenParams::benchmark()
    } else {
        GenParams::small(n)
    };
    params.candidates = n;
    if let Some(c) = args.get(3).and_then(|a| a.parse().ok()) {
        params.capacity_fraction = c;
    }
    if let Some(e) = args.get(5).and_then(|a| a.parse().ok()) {
        params.value_exponent = e;
    }
    if let Some(b) = args.get(4).and_then(|a| a.parse().ok()) {
        params.budget_fraction = b;
    }
    print!("{}", to_text(&generate(&params, seed)));
}
