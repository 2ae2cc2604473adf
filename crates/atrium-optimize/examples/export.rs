//! Writes a generated instance in the fixture text format to stdout:
//! `cargo run -p atrium-optimize --example export -- <candidates> <seed> [small|bench] [capacity_fraction] [budget_fraction]`
//! (`FAMILY=realistic` picks the PMO-shaped generator).
use atrium_optimize::generate::{GenParams, generate, realistic};
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
    let p = if std::env::var("FAMILY").as_deref() == Ok("realistic") {
        realistic(&params, seed)
    } else {
        generate(&params, seed)
    };
    print!("{}", to_text(&p));
}
