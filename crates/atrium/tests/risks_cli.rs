//! `atrium risks register|escalations`: the binary against a temp SQLite database with the
//! small demo loaded (CSV and XLSX exports of project, program and portfolio registers, who
//! may run them, unknown keys).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::{run, small_demo};

const RISK: &str = "risk@demo.atrium.test";
const TEAM: &str = "team@demo.atrium.test";

#[test]
fn risk_registers_export_from_the_command_line() {
    let (dir, db) = small_demo("risks-cli");

    // The demo's first portfolio register: raised there directly, level "Portfolio".
    let (code, out, err) = run(
        &[
            "risks",
            "register",
            "--as",
            RISK,
            "--level",
            "portfolio",
            "DIGITAL",
        ],
        &db,
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("Ref,Title,Kind,Status"), "{out}");
    assert!(lines[0].ends_with(",Register"), "{out}");
    assert!(lines.len() >= 2, "{out}");
    assert!(
        lines[1..].iter().all(|l| l.ends_with(",Portfolio")),
        "{out}"
    );

    // Escalations as XLSX to a file.
    let xlsx = dir.join("escalations.xlsx");
    let (code, _, err) = run(
        &[
            "risks",
            "escalations",
            "--as",
            RISK,
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap(),
        ],
        &db,
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));

    // Unknown keys and users are refused with a message.
    let (code, _, err) = run(
        &[
            "risks", "register", "--as", RISK, "--level", "program", "NOPE",
        ],
        &db,
    );
    assert_ne!(code, 0);
    assert!(err.contains("unknown program `NOPE`"), "{err}");
    let (code, _, err) = run(&["risks", "escalations", "--as", "nobody@x"], &db);
    assert_ne!(code, 0);
    assert!(!err.is_empty());
    // A team member sees only what their grants allow: no portfolio register.
    let (code, _, err) = run(
        &[
            "risks",
            "register",
            "--as",
            TEAM,
            "--level",
            "portfolio",
            "DIGITAL",
        ],
        &db,
    );
    assert_ne!(
        code, 0,
        "a team member may not read the portfolio's register"
    );
    assert!(!err.is_empty());
    std::fs::remove_dir_all(&dir).ok();
}
