//! Levels an MS Project XML file and prints the leveling report JSON (the work of
//! `atrium schedule FILE.xml --level --json`), for timing the whole process against
//! TaskJuggler in `level_vs_tj3.sh`.
//! Usage: `level FILE.xml [--finish-only] [--passes N]`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: level FILE.xml [--finish-only] [--passes N]");
        return ExitCode::from(2);
    };
    let passes = args
        .iter()
        .position(|a| a == "--passes")
        .and_then(|k| args.get(k + 1))
        .and_then(|v| v.parse().ok());
    let xml = match std::fs::read(path) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(1);
        }
    };
    if args.iter().any(|a| a == "--phases") {
        // Where the time goes (best of 5 in-process runs): parse, setup, leveling, the whole
        // report as a JSON value, and its text.
        let mut best = [std::time::Duration::MAX; 5];
        let mut finish = String::new();
        for _ in 0..5 {
            let t0 = std::time::Instant::now();
            let Ok(parsed) = atrium_interop::mspdi::parse(&xml) else {
                return ExitCode::from(1);
            };
            let t1 = std::time::Instant::now();
            let mut setup = atrium_interop::report_level::level_setup(&parsed.project, None);
            if let Some(p) = passes {
                setup.level.passes = p;
            }
            let t2 = std::time::Instant::now();
            let lv = atrium_schedule::level::level(&setup.engine.project, &setup.level);
            let t3 = std::time::Instant::now();
            let v = atrium_interop::report_level::level_json_with(&xml, None, passes);
            let t4 = std::time::Instant::now();
            let text = atrium_interop::report_level::level_json_text(&xml, None, passes)
                .unwrap_or_default();
            let t5 = std::time::Instant::now();
            drop(v);
            let d = [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4];
            for k in 0..5 {
                best[k] = best[k].min(d[k]);
            }
            finish = format!("{} ({} bytes)", lv.project_finish, text.len());
        }
        eprintln!(
            "parse {:?} setup {:?} level {:?} level_json {:?} level_json_text {:?} finish {finish}",
            best[0], best[1], best[2], best[3], best[4]
        );
        return ExitCode::SUCCESS;
    }
    // The whole report as the CLI would print it.
    match atrium_interop::report_level::level_json_text(&xml, None, passes) {
        Ok(text) => {
            if args.iter().any(|a| a == "--finish-only") {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                println!("{}", v["leveled_finish"].as_str().unwrap_or(""));
            } else {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::from(1)
        }
    }
}
