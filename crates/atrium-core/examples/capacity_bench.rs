//! Benchmark of the capacity engine: 10,000 people × 52 weeks with 100,000 loads, generated
//! deterministically; prints the median of several runs.
//!
//! `cargo run --release -p atrium-core --example capacity_bench`

use atrium_core::capacity::{Bucket, Calendar, Horizon, Load, Supply, compute, overallocations};
use jiff::civil::Date;
use std::time::{Duration, Instant};

const PEOPLE: u32 = 10_000;
const LOADS: usize = 100_000;
const WEEKS: u32 = 52;
const RUNS: usize = 11;

/// xorshift64: deterministic, no dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n.max(1)) as i64
    }
}

fn plus(d: Date, days: i64) -> Date {
    d.checked_add(jiff::Span::new().days(days)).unwrap_or(d)
}

fn main() {
    let from = jiff::civil::date(2027, 1, 4);
    let holidays: Vec<Date> = [0, 88, 95, 120, 140, 151, 226, 358, 359]
        .into_iter()
        .map(|k| plus(from, k))
        .collect();
    let cal = Calendar {
        working_days: [true, true, true, true, true, false, false],
        holidays: &holidays,
    };
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let supply: Vec<Supply> = (0..PEOPLE)
        .map(|_| {
            let part_time = rng.below(5) == 0;
            let working_days = if part_time {
                let off = rng.below(5) as usize;
                let mut d = [true, true, true, true, true, false, false];
                d[off] = false;
                d
            } else {
                [true, true, true, true, true, false, false]
            };
            let absences = (0..rng.below(4))
                .map(|_| {
                    let a = plus(from, rng.below(380) - 10);
                    (a, plus(a, rng.below(14)))
                })
                .collect();
            Supply {
                weekly_minutes: if part_time { 1920 } else { 2400 },
                non_project_minutes_per_week: (rng.below(4) * 120) as i32,
                working_days,
                absences,
            }
        })
        .collect();
    let loads: Vec<Load> = (0..LOADS)
        .map(|t| {
            let start = plus(from, rng.below(420) - 40);
            Load {
                person: rng.below(u64::from(PEOPLE)) as u32,
                start,
                finish: plus(start, rng.below(120)),
                minutes_per_day: (30 + rng.below(450)) as i32,
                tag: t as u32,
            }
        })
        .collect();
    let horizon = Horizon::new(from, WEEKS, Bucket::Week);

    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut check = 0i64;
    for _ in 0..RUNS {
        let h = horizon.clone();
        let t0 = Instant::now();
        let grid = compute(&cal, h, &supply, &loads);
        times.push(t0.elapsed());
        check = grid.demand.iter().sum::<i64>() - grid.capacity.iter().sum::<i64>();
        std::hint::black_box(&grid);
    }
    let grid = compute(&cal, horizon, &supply, &loads);
    let over = overallocations(&grid).len();
    times.sort();
    println!(
        "capacity::compute, {PEOPLE} people x {WEEKS} weeks, {LOADS} loads: median {:.2} ms \
         (min {:.2} ms, max {:.2} ms, {RUNS} runs); {over} over-allocation runs; checksum {check}",
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3,
    );
}
