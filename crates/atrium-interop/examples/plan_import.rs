//! Times the MS Project import of a plan (`plan_io::plan_from_mspdi`) on a generated
//! 5,000-task file or on files given as arguments, plus the export, the import-preview diff
//! and the CSV table for context.
//!
//! ```text
//! cargo run --release -p atrium-interop --example plan_import -- [FILE.xml ...]
//!     [--tasks N] [--runs R] [--save-generated OUT.xml] [--export OUT.xml]
//! ```
//! Without files, a project of N work tasks (default 5000) is generated: summaries of 10
//! tasks (so N + N/10 rows), durations of 1–10 days, a finish-to-start link with a lag to
//! the previous task, every third task an extra SS/FF link with an hour lag to one of the 50
//! before it, a constraint on every 25th task, baseline 0 everywhere and 3 resources.
//! `--export` writes the (last) imported plan back as MSPDI with dates from the scheduling
//! engine, for checking with MPXJ or MS Project.

use atrium_core::plan::Assignment;
use atrium_interop::mspdi;
use atrium_interop::mspdi_engine::to_engine;
use atrium_interop::plan_io::{diff, plan_from_mspdi, plan_to_mspdi, tasks_table, to_csv};
use atrium_schedule::cpm::schedule;
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use uuid::Uuid;

use atrium_interop::mspdi_gen::generate;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `f` `runs` times; (min, median) in milliseconds.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut out = f(); // warm-up
    let mut t = Vec::with_capacity(runs);
    for _ in 0..runs {
        let s = Instant::now();
        out = f();
        t.push(ms(s.elapsed()));
    }
    t.sort_by(f64::total_cmp);
    (t[0], t[t.len() / 2], out)
}

/// Engine dates for a plan: write it, schedule the written file, map back by uid.
fn engine_dates(plan: &atrium_core::plan::Plan, mpd: i64) -> Vec<(i64, i64)> {
    let zero = vec![(0, 0); plan.tasks.len()];
    let xml = plan_to_mspdi(plan, &zero, &|_| None, "dates", mpd);
    let Ok(parsed) = mspdi::parse(xml.as_bytes()) else {
        return zero;
    };
    let input = to_engine(&parsed.project, None);
    let s = schedule(&input.project);
    let by_uid: HashMap<i32, (i64, i64)> = input
        .uids
        .iter()
        .enumerate()
        .map(|(i, &u)| (u, (s.start[i].0, s.finish[i].0)))
        .collect();
    plan.tasks
        .iter()
        .map(|t| by_uid.get(&(t.uid as i32)).copied().unwrap_or((0, 0)))
        .collect()
}

fn main() -> ExitCode {
    let mut files = Vec::new();
    let mut tasks = 5000usize;
    let mut runs = 10usize;
    let mut save = None;
    let mut export = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tasks" => tasks = args.next().and_then(|v| v.parse().ok()).unwrap_or(tasks),
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(runs)
                    .max(1)
            }
            "--save-generated" => save = args.next(),
            "--export" => export = args.next(),
            _ => files.push(a),
        }
    }
    let inputs: Vec<(String, Vec<u8>)> = if files.is_empty() {
        let xml = generate(tasks);
        if let Some(p) = &save
            && let Err(e) = std::fs::write(p, &xml)
        {
            eprintln!("cannot write {p}: {e}");
            return ExitCode::FAILURE;
        }
        vec![(format!("generated ({tasks} work tasks)"), xml.into_bytes())]
    } else {
        let mut v = Vec::new();
        for f in files {
            match std::fs::read(&f) {
                Ok(b) => v.push((f, b)),
                Err(e) => {
                    eprintln!("cannot read {f}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        v
    };

    let id = Uuid::nil();
    let mut last = None;
    for (name, xml) in &inputs {
        let (pmin, pmed, parsed) = time(runs, || mspdi::parse(xml));
        if let Err(e) = parsed {
            eprintln!("{name}: {e}");
            return ExitCode::FAILURE;
        }
        let mut calls = 0usize;
        let (imin, imed, imported) = time(runs, || {
            calls = 0;
            plan_from_mspdi(xml, id, &mut |_, _| calls += 1)
        });
        let imported = match imported {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{name}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let plan = &imported.plan;
        let dates: Vec<(i64, i64)> = (0..plan.tasks.len() as i64)
            .map(|i| (28_000_000 + i * 60, 28_000_000 + i * 60 + 480))
            .collect();
        let (wmin, wmed, written) = time(runs, || {
            plan_to_mspdi(plan, &dates, &|_| None, "export", imported.minutes_per_day)
        });
        let mut other = plan.clone();
        for t in other.tasks.iter_mut().step_by(7) {
            t.duration += 60;
        }
        let (dmin, dmed, d) = time(runs, || diff(plan, &other));
        let (cmin, cmed, csv) = time(runs, || {
            let (h, rows) = tasks_table(plan, &dates, imported.minutes_per_day);
            to_csv(&h, &rows)
        });
        println!(
            "{name}: {} bytes, {} plan tasks, {} links, {} resources, {} assignments, {} notes, {} progress calls",
            xml.len(),
            plan.tasks.len(),
            plan.links.len(),
            imported.resources.len(),
            imported.assignments.len(),
            imported.skipped.len(),
            calls
        );
        println!("  mspdi::parse alone      min {pmin:7.1} ms  median {pmed:7.1} ms");
        println!("  plan_from_mspdi         min {imin:7.1} ms  median {imed:7.1} ms");
        println!(
            "  plan_to_mspdi           min {wmin:7.1} ms  median {wmed:7.1} ms  ({} bytes)",
            written.len()
        );
        println!(
            "  diff                    min {dmin:7.1} ms  median {dmed:7.1} ms  ({})",
            d.summary()
        );
        println!(
            "  tasks_table + to_csv    min {cmin:7.1} ms  median {cmed:7.1} ms  ({} bytes)",
            csv.len()
        );
        last = Some(imported);
    }
    if let (Some(path), Some(mut imp)) = (export, last) {
        // What the application layer does: resources become people, assignments go on tasks
        // (here person id = resource uid).
        for a in &imp.assignments {
            if let Some(i) = imp.plan.index_of(a.task_uid) {
                imp.plan.tasks[i].assignments.push(Assignment {
                    person_id: Uuid::from_u128(u128::from(a.resource_uid)),
                    units: a.units,
                });
            }
        }
        let people: HashMap<Uuid, (String, Option<String>)> = imp
            .resources
            .iter()
            .map(|r| {
                (
                    Uuid::from_u128(u128::from(r.uid)),
                    (r.name.clone(), r.email.clone()),
                )
            })
            .collect();
        let names = |p: Uuid| people.get(&p).cloned();
        let dates = engine_dates(&imp.plan, imp.minutes_per_day);
        let xml = plan_to_mspdi(
            &imp.plan,
            &dates,
            &names,
            "Atrium export",
            imp.minutes_per_day,
        );
        if let Err(e) = std::fs::write(&path, xml) {
            eprintln!("cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
        println!("wrote {path}");
    }
    ExitCode::SUCCESS
}
