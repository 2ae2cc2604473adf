//! The `atrium` binary: the command line and the composition root (configuration, the
//! database, the HTTP server). Only this crate names a concrete configuration.

mod cli;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    // The plain `schedule` form is recognised before clap builds the whole command line: it
    // is a file-to-stdout command run in scripts, where start-up time is most of the cost.
    // Anything else (other flags, repeats, help, odd values) goes through clap as before.
    let result = match plain_schedule_args(std::env::args_os().skip(1)) {
        Some((file, status_date)) => cli::schedule(&file, false, status_date.as_deref(), None, 1),
        None => cli::run(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `schedule FILE [--json] [--status-date DATE]` (each at most once, in any order): the file
/// and the status date; `None` for any other command line.
fn plain_schedule_args(
    mut args: impl Iterator<Item = OsString>,
) -> Option<(PathBuf, Option<String>)> {
    if args.next()? != "schedule" {
        return None;
    }
    let (mut file, mut json, mut status) = (None, false, None);
    while let Some(a) = args.next() {
        let s = a.to_str();
        let value = if s == Some("--json") && !json {
            json = true;
            continue;
        } else if s == Some("--status-date") {
            args.next()?.into_string().ok()?
        } else if let Some(v) = s.and_then(|s| s.strip_prefix("--status-date=")) {
            v.to_owned()
        } else if file.is_none() && !a.is_empty() && !a.as_encoded_bytes().starts_with(b"-") {
            file = Some(PathBuf::from(a));
            continue;
        } else {
            return None;
        };
        if status.is_some() || value.is_empty() || value.starts_with('-') {
            return None;
        }
        status = Some(value);
    }
    Some((file?, status))
}

#[cfg(test)]
mod tests {
    use super::plain_schedule_args;
    use std::ffi::OsString;
    use std::path::PathBuf;

    fn args(s: &str) -> Option<(PathBuf, Option<String>)> {
        plain_schedule_args(s.split(' ').map(OsString::from))
    }

    #[test]
    fn plain_schedule_forms_are_recognised() {
        let f = || PathBuf::from("p.xml");
        assert_eq!(args("schedule p.xml"), Some((f(), None)));
        assert_eq!(args("schedule p.xml --json"), Some((f(), None)));
        assert_eq!(args("schedule --json p.xml"), Some((f(), None)));
        let d = Some("2024-01-02".to_owned());
        assert_eq!(
            args("schedule p.xml --status-date 2024-01-02 --json"),
            Some((f(), d.clone()))
        );
        assert_eq!(
            args("schedule --status-date=2024-01-02 p.xml"),
            Some((f(), d))
        );
    }

    #[test]
    fn everything_else_goes_to_clap() {
        for line in [
            "serve",
            "schedule",
            "schedule --json",
            "schedule p.xml --level",
            "schedule p.xml --monte-carlo 10",
            "schedule p.xml --json --json",
            "schedule p.xml q.xml",
            "schedule p.xml --help",
            "schedule -h",
            "schedule p.xml --status-date",
            "schedule p.xml --status-date= ",
            "schedule p.xml --status-date -1",
            "schedule p.xml --status-date 2024-01-02 --status-date 2024-01-03",
            "schedule - ",
        ] {
            assert_eq!(args(line), None, "{line}");
        }
    }
}
