//! Prints the `atrium schedule FILE.xml --json` report (the same library call as the CLI's
//! plain path), without the server's dependencies: for profiling the parse, the engine and
//! the output under callgrind.
//! Usage: `schedule FILE.xml [--repeat N]` (N runs in one process, the report printed once).

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: schedule FILE.xml [--repeat N]");
        return ExitCode::from(2);
    };
    let repeat: usize = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|k| args.get(k + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let xml = match std::fs::read(path) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut out = String::new();
    for _ in 0..repeat.max(1) {
        out = match atrium_interop::report::schedule_json_text(&xml, None) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(1);
            }
        };
    }
    out.push('\n');
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
