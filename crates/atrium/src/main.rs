//! The `atrium` binary: the command line and the composition root (configuration, the
//! database, the HTTP server). Only this crate names a concrete configuration.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
