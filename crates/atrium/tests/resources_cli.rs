//! `atrium resources capacity|allocations|skill-gaps`: the binary against a temp SQLite
//! database with the small demo loaded (CSV and XLSX exports, who may run them, bad options).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::{run, small_demo};

const RESOURCES: &str = "resources@demo.atrium.test";
const TEAM: &str = "team@demo.atrium.test";

#[test]
fn resource_exports_from_the_command_line() {
    let (dir, db) = small_demo("resources-cli");

    // Capacity by department, 4 weeks: a header and 4 lines per department.
    let (code, out, err) = run(
        &[
            "resources",
            "capacity",
            "--as",
            RESOURCES,
            "--group",
            "department",
            "--count",
            "4",
        ],
        &db,
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("Department,From,To,Capacity (h)"),
        "{out}"
    );
    assert_eq!((lines.len() - 1) % 4, 0, "{out}");
    assert!(lines.len() > 4 * 3, "several departments: {out}");

    // Allocations as XLSX to a file.
    let xlsx = dir.join("allocations.xlsx");
    let (code, _, err) = run(
        &[
            "resources",
            "allocations",
            "--as",
            RESOURCES,
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap(),
        ],
        &db,
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));

    // Skill gaps: the demo asks for a skill nobody has.
    let (code, out, err) = run(&["resources", "skill-gaps", "--as", RESOURCES], &db);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Skill,People,Quarter"), "{out}");
    assert!(out.contains("SAP S/4HANA,0,"), "{out}");

    // A team member may not read the pool's capacity; bad options fail with one line.
    let (code, _, err) = run(&["resources", "capacity", "--as", TEAM], &db);
    assert_ne!(code, 0);
    assert!(err.contains("your roles do not allow this"), "{err}");
    let (code, _, err) = run(
        &[
            "resources",
            "capacity",
            "--as",
            RESOURCES,
            "--from",
            "someday",
        ],
        &db,
    );
    assert_ne!(code, 0);
    assert!(err.contains("--from `someday`"), "{err}");
    let (code, _, err) = run(
        &[
            "resources",
            "capacity",
            "--as",
            RESOURCES,
            "--bucket",
            "month",
            "--count",
            "99",
        ],
        &db,
    );
    assert_ne!(code, 0);
    assert!(err.contains("--count"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
