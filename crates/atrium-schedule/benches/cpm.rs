//! CPM speed benchmark: 100,000 tasks and 150,000 links, scheduled in-process.
//!
//! Run: `cargo bench -p atrium-schedule --bench cpm` (prints the minimum and median of
//! several runs; the goal is < 100 ms for the plain finish-to-start network).

use atrium_schedule::calendar::{CalendarDef, Date, Exception, Recurrence};
use atrium_schedule::cpm::{Lag, Link, LinkKind, Project, Task, schedule};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Small deterministic generator (SplitMix64) so the network is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `n` tasks of 1–10 working days; `m` links, each from one of the previous 50 tasks.
fn network(n: usize, m: usize, mixed: bool, seed: u64) -> Project {
    let mut rng = Rng(seed);
    let mut def = CalendarDef::standard();
    let start = Date::from_ymd(2001, 1, 1).unwrap_or_default();
    // Yearly holidays over the whole horizon exercise the exception table.
    def.exceptions.push(Exception {
        from: start,
        to: start.add_days(365 * 200),
        recurrence: Some(Recurrence::YearlyByDate { month: 12, day: 25 }),
        working: Vec::new(),
        occurrences: None,
    });
    let tasks = (0..n)
        .map(|_| Task::work_minutes((1 + rng.below(10) as i64) * 480))
        .collect();
    let mut links = Vec::with_capacity(m);
    while links.len() < m {
        let succ = 1 + rng.below(n as u64 - 1) as u32;
        let pred = succ - 1 - rng.below(u64::from(succ.min(50))) as u32;
        let (kind, lag) = if mixed {
            let kind = match rng.below(4) {
                0 => LinkKind::FinishStart,
                1 => LinkKind::StartStart,
                2 => LinkKind::FinishFinish,
                _ => LinkKind::StartFinish,
            };
            let lag = match rng.below(3) {
                0 => Lag::Work(rng.below(960) as i64 - 240),
                1 => Lag::Elapsed(rng.below(2880) as i64),
                _ => Lag::Percent(rng.below(10_000) as i64),
            };
            (kind, lag)
        } else {
            (LinkKind::FinishStart, Lag::Work(0))
        };
        links.push(Link {
            pred,
            succ,
            kind,
            lag,
        });
    }
    Project {
        start: start.at(8 * 60),
        status_date: None,
        calendars: vec![def.compile()],
        tasks,
        links,
    }
}

/// On-CPU time of this thread in nanoseconds (Linux), so that a busy shared machine does not
/// inflate the figure the way wall time does; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn bench(label: &str, p: &Project, runs: usize) {
    let mut wall: Vec<Duration> = Vec::with_capacity(runs);
    let mut cpu: Vec<u64> = Vec::with_capacity(runs);
    let mut finish = None;
    for _ in 0..runs {
        let c0 = thread_cpu_ns();
        let t0 = Instant::now();
        let s = schedule(black_box(p));
        wall.push(t0.elapsed());
        if let (Some(a), Some(b)) = (c0, thread_cpu_ns()) {
            cpu.push(b.saturating_sub(a));
        }
        finish = Some(s.project_finish);
        black_box(&s);
    }
    wall.sort();
    cpu.sort();
    let cpu_ms = |k: usize| cpu.get(k).map_or(f64::NAN, |&ns| ns as f64 / 1e6);
    println!(
        "{label}: tasks={} links={} wall min={:.1} ms median={:.1} ms | cpu min={:.1} ms median={:.1} ms | finish={}",
        p.tasks.len(),
        p.links.len(),
        wall[0].as_secs_f64() * 1e3,
        wall[runs / 2].as_secs_f64() * 1e3,
        cpu_ms(0),
        cpu_ms(cpu.len() / 2),
        finish.map(|f| f.to_string()).unwrap_or_default(),
    );
}

fn main() {
    let fs = network(100_000, 150_000, false, 42);
    bench("cpm fs-only", &fs, 15);
    let mixed = network(100_000, 150_000, true, 42);
    bench("cpm mixed links/lags", &mixed, 15);
}
