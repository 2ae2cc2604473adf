//! Benchmark of the risk analytics engine: 2,000 projects × 20 risks (40,000 risks),
//! generated deterministically; times heat map + every concentration + top 20 + five
//! appetite rules together and prints the median of several runs.
//!
//! `cargo run --release -p atrium-core --example risk_bench`

use atrium_core::risk_analytics::{
    Appetite, AppetiteScope, Dimension, Kind, Matrix, RiskPoint, breaches, concentrations,
    heat_map, top_risks,
};
use std::hint::black_box;
use std::time::{Duration, Instant};

const PROJECTS: u32 = 2_000;
const RISKS_PER_PROJECT: u32 = 20;
const CATEGORIES: u64 = 25;
const DEPARTMENTS: u64 = 12;
const SUPPLIERS: u64 = 40;
const DRIVERS: u64 = 8;
const PORTFOLIOS: u32 = 10;
const PROGRAMS: u32 = 60;
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

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Some(below(n)) with probability `pct`%.
    fn maybe(&mut self, pct: u64, n: u64) -> Option<u32> {
        if self.below(100) < pct {
            Some(self.below(n) as u32)
        } else {
            None
        }
    }
}

/// The register: each project in one program (60), each program in one portfolio (10);
/// 5% of risks raised at program level (no project), 10% opportunities, 10% closed,
/// 4% not assessed yet.
fn register() -> Vec<RiskPoint> {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut out = Vec::with_capacity((PROJECTS * RISKS_PER_PROJECT) as usize);
    for project in 0..PROJECTS {
        let program = project % PROGRAMS;
        let portfolio = program % PORTFOLIOS;
        for _ in 0..RISKS_PER_PROJECT {
            let id = out.len() as u32;
            let assessed = rng.below(100) >= 4;
            let p = 1 + rng.below(5) as u8;
            let i = 1 + rng.below(5) as u8;
            let kind = if rng.below(10) == 0 {
                Kind::Opportunity
            } else {
                Kind::Threat
            };
            let cost = rng.below(2_000_000) as i64; // minor units
            let emv = cost * i64::from(p) / 5;
            out.push(RiskPoint {
                id,
                project: if rng.below(20) == 0 {
                    None
                } else {
                    Some(project)
                },
                program: Some(program),
                portfolio: Some(portfolio),
                kind,
                open: rng.below(10) != 0,
                probability: assessed.then_some(p),
                impact: assessed.then_some(i),
                emv: if kind == Kind::Opportunity { -emv } else { emv },
                category: rng.below(CATEGORIES) as u32,
                department: rng.maybe(90, DEPARTMENTS),
                supplier: rng.maybe(40, SUPPLIERS),
                driver: rng.maybe(70, DRIVERS),
                proximity_days: rng.maybe(60, 365).map(|d| d as i32 - 30),
            });
        }
    }
    out
}

fn main() {
    let m = Matrix {
        probability_levels: 5,
        impact_levels: 5,
        bands: vec![1, 5, 10, 16],
    };
    let risks = register();
    let critical = 3;
    let rules = [
        // At most 2 critical schedule risks per program.
        Appetite {
            category: Some(0),
            scope: AppetiteScope::PerProgram,
            max_count_at_or_above_band: Some((critical, 2)),
            max_emv: None,
        },
        // At most 40 high-or-critical risks per portfolio.
        Appetite {
            category: None,
            scope: AppetiteScope::PerPortfolio,
            max_count_at_or_above_band: Some((2, 40)),
            max_emv: None,
        },
        // Portfolio EMV ≤ 2,000,000.00.
        Appetite {
            category: None,
            scope: AppetiteScope::PerPortfolio,
            max_count_at_or_above_band: None,
            max_emv: Some(200_000_000),
        },
        // Supplier-category EMV per program ≤ 100,000.00.
        Appetite {
            category: Some(1),
            scope: AppetiteScope::PerProgram,
            max_count_at_or_above_band: None,
            max_emv: Some(10_000_000),
        },
        // Organization: at most 500 critical, EMV ≤ 10,000,000.00.
        Appetite {
            category: None,
            scope: AppetiteScope::Organization,
            max_count_at_or_above_band: Some((critical, 500)),
            max_emv: Some(1_000_000_000),
        },
    ];

    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut summary = (0usize, 0usize, 0usize, 0usize);
    for _ in 0..RUNS {
        let t = Instant::now();
        let hm = heat_map(&m, black_box(&risks), |_| true);
        let mut groups = 0;
        for by in Dimension::ALL {
            groups += concentrations(&m, black_box(&risks), by, Kind::Threat).len();
        }
        let top = top_risks(&m, black_box(&risks), 20);
        let b = breaches(&m, black_box(&risks), &rules);
        times.push(t.elapsed());
        summary = (
            hm.threats.assessed_count() as usize + hm.threats.not_assessed.len(),
            groups,
            top.len(),
            b.len(),
        );
        black_box((hm, top, b));
    }
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "risks: {} ({} projects × {}); open threats in heat map: {}; concentration groups: {}; top: {}; breaches: {}",
        risks.len(),
        PROJECTS,
        RISKS_PER_PROJECT,
        summary.0,
        summary.1,
        summary.2,
        summary.3
    );
    println!(
        "heat_map + 7 concentrations + top_risks(20) + breaches(5 rules): median of {RUNS} runs {:.2} ms (min {:.2} ms, max {:.2} ms)",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3
    );
    // Each part alone, for the record (median of RUNS runs each).
    let part = |f: &dyn Fn()| {
        let mut v: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect();
        v.sort();
        v[RUNS / 2].as_secs_f64() * 1e3
    };
    let parts = [
        (
            "heat_map",
            part(&|| drop(black_box(heat_map(&m, black_box(&risks), |_| true)))),
        ),
        (
            "7 concentrations",
            part(&|| {
                for by in Dimension::ALL {
                    black_box(concentrations(&m, black_box(&risks), by, Kind::Threat));
                }
            }),
        ),
        (
            "top_risks(20)",
            part(&|| drop(black_box(top_risks(&m, black_box(&risks), 20)))),
        ),
        (
            "breaches(5 rules)",
            part(&|| drop(black_box(breaches(&m, black_box(&risks), &rules)))),
        ),
    ];
    for (name, ms) in parts {
        println!("  {name}: {ms:.2} ms");
    }
}
