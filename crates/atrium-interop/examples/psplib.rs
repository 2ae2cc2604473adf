//! PSPLIB benchmark: schedule every `.sm` instance of a directory with the RCPSP engine,
//! verify each schedule with the independent checker in `atrium_interop::psplib`, and print
//! `instance,makespan,cp_lb` lines plus a summary with the average deviation (j30 from the
//! optimum, other sets from the critical-path bound, read from `../bounds.csv`).
//!
//! ```text
//! cargo run --release -p atrium-interop --example psplib -- DIR [--schedules N] [--seed S]
//!     [--rule lft|lst|minslack|grpw] [--passes P] [--parallel] [--islands K]
//!     [--threads T] [--limit M] [--sample K] [--json]
//! ```
//! With `--rule`, the program runs priority-rule scheduling instead of the genetic
//! algorithm: `--passes 1` is the deterministic rule (ties to the lower job number),
//! more passes are regret-biased random sampling. Without `--rule` it runs the GA with a
//! budget of `--schedules` (default 5000; one schedule = one SGS pass, justification
//! passes included).

use atrium_interop::psplib::{BoundsRow, SmInstance, parse_bounds_csv, parse_sm};
use atrium_schedule::rcpsp::{Instance, PriorityRule, SolveOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Args {
    dir: PathBuf,
    schedules: usize,
    seed: u64,
    rule: Option<PriorityRule>,
    passes: usize,
    parallel: bool,
    islands: usize,
    threads: usize,
    limit: usize,
    sample: u32,
    json: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut a = Args {
        dir: PathBuf::new(),
        schedules: 5000,
        seed: 1,
        rule: None,
        passes: 1,
        parallel: false,
        islands: 1,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        limit: usize::MAX,
        sample: u32::MAX,
        json: false,
    };
    let mut dir = None;
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        let parse_num = |s: String, name: &str| {
            s.parse::<usize>()
                .map_err(|_| format!("{name}: not a number: {s}"))
        };
        match arg.as_str() {
            "--schedules" => a.schedules = parse_num(value("--schedules")?, "--schedules")?,
            "--seed" => a.seed = parse_num(value("--seed")?, "--seed")? as u64,
            "--passes" => a.passes = parse_num(value("--passes")?, "--passes")?,
            "--islands" => a.islands = parse_num(value("--islands")?, "--islands")?,
            "--threads" => a.threads = parse_num(value("--threads")?, "--threads")?.max(1),
            "--limit" => a.limit = parse_num(value("--limit")?, "--limit")?,
            "--sample" => a.sample = parse_num(value("--sample")?, "--sample")? as u32,
            "--rule" => {
                let v = value("--rule")?;
                a.rule = Some(PriorityRule::parse(&v).ok_or(format!("unknown rule {v}"))?);
            }
            "--parallel" => a.parallel = true,
            "--json" => a.json = true,
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            s => dir = Some(PathBuf::from(s)),
        }
    }
    a.dir = dir.ok_or("usage: psplib DIR [options]")?;
    Ok(a)
}

/// `j1201_10` -> (1, 10) for numeric ordering; unknown names sort last by name.
fn order_key(stem: &str) -> (u32, u32, String) {
    let parsed = stem.split_once('_').and_then(|(a, b)| {
        // Strip the set prefix (j30, j60, j90, j120) to get the parameter number.
        let par = ["j120", "j30", "j60", "j90"]
            .iter()
            .find_map(|p| a.strip_prefix(p).and_then(|r| r.parse::<u32>().ok()))?;
        Some((par, b.parse::<u32>().ok()?))
    });
    match parsed {
        Some((par, inst)) => (par, inst, stem.to_string()),
        None => (u32::MAX, u32::MAX, stem.to_string()),
    }
}

struct Outcome {
    name: String,
    makespan: u64,
    cp_lb: u64,
    reference: Option<u64>,
    schedules: usize,
    seconds: f64,
}

fn run_one(path: &Path, args: &Args, bounds: &[BoundsRow]) -> Result<Outcome, String> {
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("?")
        .to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let sm: SmInstance = parse_sm(&text).map_err(|e| format!("{name}: {e}"))?;
    let inst = Instance::new(&sm.to_problem());
    let t0 = Instant::now();
    let (schedule, schedules) = match args.rule {
        Some(rule) if args.passes <= 1 => {
            let s = if args.parallel {
                inst.parallel_rule(rule)
            } else {
                inst.serial_rule(rule)
            };
            (s, 1)
        }
        Some(rule) => (
            inst.sample(rule, args.parallel, args.passes, args.seed),
            args.passes,
        ),
        None => {
            let sol = inst.solve(&SolveOptions {
                schedules: args.schedules,
                seed: args.seed,
                islands: args.islands,
            });
            (sol.schedule, sol.schedules_used)
        }
    };
    let seconds = t0.elapsed().as_secs_f64();
    // Independent verification before anything is counted.
    let checked = sm
        .check(&schedule.starts)
        .map_err(|e| format!("{name}: INVALID schedule: {e}"))?;
    if checked != u64::from(schedule.makespan) {
        return Err(format!(
            "{name}: engine reports makespan {} but the checker finds {checked}",
            schedule.makespan
        ));
    }
    let row = bounds.iter().find(|b| b.instance == name);
    let cp_lb = row.map_or(sm.critical_path(), |r| r.cp_lb);
    let reference = row.and_then(|r| {
        if r.set == "j30" && r.optimal {
            r.ub
        } else {
            Some(r.cp_lb)
        }
    });
    Ok(Outcome {
        name,
        makespan: checked,
        cp_lb,
        reference,
        schedules,
        seconds,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&args.dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sm"))
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", args.dir.display());
            return ExitCode::from(2);
        }
    };
    files.sort_by_key(|p| order_key(p.file_stem().and_then(|s| s.to_str()).unwrap_or("")));
    // `--sample K`: only instances 1..=K of every parameter set (a stratified subset).
    files.retain(|p| {
        order_key(p.file_stem().and_then(|s| s.to_str()).unwrap_or("")).1 <= args.sample
    });
    files.truncate(args.limit);
    let bounds_path = args.dir.join("..").join("bounds.csv");
    let bounds = match std::fs::read_to_string(&bounds_path) {
        Ok(t) => match parse_bounds_csv(&t) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: {e}", bounds_path.display());
                return ExitCode::from(2);
            }
        },
        Err(_) => {
            eprintln!(
                "warning: {} not found; deviations use the computed critical path",
                bounds_path.display()
            );
            Vec::new()
        }
    };

    // Instances are independent: share them between threads; results are stored by index,
    // so the output does not depend on thread timing.
    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Outcome, String>>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..args.threads.min(files.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= files.len() {
                        break;
                    }
                    let r = run_one(&files[i], &args, &bounds);
                    if let Ok(mut g) = results.lock() {
                        g[i] = Some(r);
                    }
                }
            });
        }
    });
    let wall = start.elapsed().as_secs_f64();
    let results = match results.into_inner() {
        Ok(r) => r,
        Err(_) => {
            eprintln!("a worker thread panicked");
            return ExitCode::FAILURE;
        }
    };

    let mut outcomes = Vec::with_capacity(results.len());
    for r in results.into_iter().flatten() {
        match r {
            Ok(o) => outcomes.push(o),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let set = outcomes
        .first()
        .and_then(|o| bounds.iter().find(|b| b.instance == o.name))
        .map_or("?".to_string(), |b| b.set.clone());
    let metric = if set == "j30" { "optimum" } else { "cp_lb" };
    let devs: Vec<f64> = outcomes
        .iter()
        .map(|o| {
            let r = o.reference.unwrap_or(o.cp_lb).max(1) as f64;
            100.0 * (o.makespan as f64 - r) / r
        })
        .collect();
    let avg = devs.iter().sum::<f64>() / devs.len().max(1) as f64;
    let at_ref = outcomes
        .iter()
        .filter(|o| Some(o.makespan) == o.reference)
        .count();
    let cpu: f64 = outcomes.iter().map(|o| o.seconds).sum();
    let per = cpu / outcomes.len().max(1) as f64;
    let avg_sched =
        outcomes.iter().map(|o| o.schedules).sum::<usize>() as f64 / outcomes.len().max(1) as f64;
    let method = match args.rule {
        Some(r) => format!(
            "{} SGS, rule {r:?}, {} pass(es)",
            if args.parallel { "parallel" } else { "serial" },
            args.passes
        ),
        None => format!(
            "bi-population GA with justification, budget {} schedules, seed {}, islands {}",
            args.schedules, args.seed, args.islands
        ),
    };
    if args.json {
        let v = serde_json::json!({
            "set": set,
            "method": method,
            "instances": outcomes.iter().map(|o| serde_json::json!({
                "instance": o.name, "makespan": o.makespan, "cp_lb": o.cp_lb,
                "reference": o.reference, "schedules": o.schedules, "seconds": o.seconds,
            })).collect::<Vec<_>>(),
            "summary": {
                "count": outcomes.len(), "deviation_pct": avg, "deviation_from": metric,
                "at_reference": at_ref, "avg_schedules": avg_sched,
                "cpu_seconds_per_instance": per, "wall_seconds": wall, "threads": args.threads,
                "all_verified": true,
            }
        });
        println!("{v}");
    } else {
        for o in &outcomes {
            println!("{},{},{}", o.name, o.makespan, o.cp_lb);
        }
        println!(
            "# {set}: {} instances, {method}: avg deviation from {metric} {avg:.3} %, \
             {at_ref} at reference, avg {avg_sched:.0} schedules, {per:.4} s/instance \
             (one thread), wall {wall:.1} s on {} threads, all schedules verified",
            outcomes.len(),
            args.threads
        );
    }
    ExitCode::SUCCESS
}
