//! What the command-line tests share: a fresh temporary folder and running the binary
//! against a database.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // not every test uses all

use std::process::Command;

/// A new empty folder under the system's temporary folder, unique to this run.
pub fn temp_dir(prefix: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "atrium-{prefix}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `atrium ARGS` on database `db` (no acting user from the environment): exit code,
/// standard output and standard error.
pub fn run(args: &[&str], db: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_atrium"))
        .args(args)
        .env("ATRIUM_DATABASE_URL", db)
        .env("ATRIUM_LOG", "warn")
        .env_remove("ATRIUM_AS")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A new temporary folder holding a SQLite database with the small demo loaded: the folder
/// and the database URL.
pub fn small_demo(prefix: &str) -> (std::path::PathBuf, String) {
    let dir = temp_dir(prefix);
    let db = format!("sqlite://{}", dir.join("a.db").display());
    let (code, _, err) = run(&["demo", "--size", "small"], &db);
    assert_eq!(code, 0, "{err}");
    (dir, db)
}
