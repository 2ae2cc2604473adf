//! `atrium plan import` / `atrium plan export` end to end: the binary against a temp SQLite
//! database with the small demo loaded (preview, apply, round trip, errors and exit codes).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

const DIRECTOR: &str = "director@demo.atrium.test";
/// Team member: may read PRJ-001's plan but not edit it.
const TEAM: &str = "team@demo.atrium.test";

fn fixture(name: &str) -> String {
    format!(
        "{}/../atrium-interop/tests/fixtures/mspdi/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn temp_dir() -> std::path::PathBuf {
    common::temp_dir("plan-cli")
}

struct Out {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Out {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs the binary with stdin closed (not a terminal), so nothing is ever asked.
fn run(args: &[&str], db: &str) -> Out {
    let mut c = Command::new(env!("CARGO_BIN_EXE_atrium"))
        .args(args)
        .env("ATRIUM_DATABASE_URL", db)
        .env("ATRIUM_LOG", "warn")
        .env_remove("ATRIUM_AS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Even a "y" on a pipe must not confirm: only --yes or a terminal does.
    // (A command that exits before reading closes the pipe: that is fine.)
    let _ = c.stdin.take().unwrap().write_all(b"y\n");
    let out = c.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn import_previews_applies_and_exports_back_on_sqlite() {
    let dir = temp_dir();
    let db = format!("sqlite://{}", dir.join("atrium.db").display());
    import_previews_applies_and_exports_back(&db, &dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_previews_applies_and_exports_back_on_postgres() {
    let Some(base) = atrium_store::testing::postgres_url() else {
        eprintln!("SKIP: ATRIUM_TEST_POSTGRES_URL is not set (CI sets it)");
        return;
    };
    let (db, url) = atrium_store::testing::postgres(&base).await.unwrap();
    db.close().await;
    let dir = temp_dir();
    tokio::task::spawn_blocking(move || import_previews_applies_and_exports_back(&url, &dir))
        .await
        .unwrap();
}

fn import_previews_applies_and_exports_back(db: &str, dir: &std::path::Path) {
    let db = db.to_owned();
    let demo = run(&["demo", "--size", "small"], &db);
    assert_eq!(demo.code, 0, "{}", demo.stderr);

    // Without --yes and without a terminal: a preview only.
    let rich = fixture("rich.xml");
    let o = run(
        &[
            "plan",
            "import",
            "--project",
            "PRJ-001",
            "--as",
            DIRECTOR,
            &rich,
        ],
        &db,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = o.text();
    assert!(text.contains("into PRJ-001"), "{text}");
    assert!(text.contains("tasks added"), "{text}");
    assert!(text.contains("Not taken from the file"), "{text}");
    assert!(text.contains("material resource"), "{text}");
    assert!(
        text.contains("Resources matching no one") && text.contains("Ada Lovelace"),
        "{text}"
    );
    assert!(text.contains("Run again with --yes"), "{text}");
    let before = run(&["plan", "export", "--project", "PRJ-001"], &db);
    assert_eq!(before.code, 0, "{}", before.stderr);
    assert!(
        !before.text().contains("Acceptance window"),
        "the preview changed the plan"
    );

    // --yes applies (the key is matched case-insensitively).
    let gen100 = fixture("gen100_seed1.xml");
    let o = run(
        &[
            "plan",
            "import",
            "--project",
            "prj-001",
            "--as",
            DIRECTOR,
            "--yes",
            &gen100,
        ],
        &db,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = o.text();
    assert!(text.contains("the file has 100 tasks"), "{text}");
    assert!(text.contains("Applied: plan version"), "{text}");

    // Export: MS Project XML on stdout.
    let xml = run(&["plan", "export", "--project", "PRJ-001"], &db);
    assert_eq!(xml.code, 0, "{}", xml.stderr);
    let xml_text = xml.text();
    assert!(xml_text.starts_with("<?xml"), "{xml_text}");
    assert!(xml_text.contains("<Name>T0</Name>"));
    assert!(count(&xml_text, "<Task>") >= 100);

    // CSV: a header and one row per task.
    let csv = run(
        &["plan", "export", "--project", "PRJ-001", "--format", "csv"],
        &db,
    );
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let csv_text = csv.text();
    assert!(csv_text.starts_with("ID,"), "{csv_text}");
    assert_eq!(csv_text.lines().count(), 101, "{csv_text}");

    // XLSX to a file (a zip archive).
    let xlsx = dir.join("plan.xlsx");
    let o = run(
        &[
            "plan",
            "export",
            "--project",
            "PRJ-001",
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap(),
        ],
        &db,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));

    // The exported XML imported back changes nothing.
    let exported = dir.join("plan.xml");
    std::fs::write(&exported, &xml.stdout).unwrap();
    let o = run(
        &[
            "plan",
            "import",
            "--project",
            "PRJ-001",
            "--as",
            DIRECTOR,
            exported.to_str().unwrap(),
        ],
        &db,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.text()
            .contains("0 tasks added, 0 removed, 0 changed; 0 links added, 0 removed, 0 changed"),
        "{}",
        o.text()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn plan_commands_fail_with_one_clear_line() {
    let dir = temp_dir();
    let db = format!("sqlite://{}", dir.join("atrium.db").display());
    assert_eq!(run(&["demo", "--size", "small"], &db).code, 0);
    let gen100 = fixture("gen100_seed1.xml");
    let csv_before = run(
        &["plan", "export", "--project", "PRJ-001", "--format", "csv"],
        &db,
    )
    .text();

    let o = run(&["plan", "export", "--project", "NOPE-9"], &db);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.starts_with("error: unknown project `NOPE-9`"),
        "{}",
        o.stderr
    );

    let o = run(
        &[
            "plan",
            "import",
            "--project",
            "NOPE-9",
            "--as",
            DIRECTOR,
            &gen100,
        ],
        &db,
    );
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("unknown project"), "{}", o.stderr);

    // Malformed XML: the position is reported and the plan is untouched.
    let bad = dir.join("bad.xml");
    std::fs::write(&bad, "<Project>\n<Tasks><Task>").unwrap();
    let o = run(
        &[
            "plan",
            "import",
            "--project",
            "PRJ-001",
            "--as",
            DIRECTOR,
            "--yes",
            bad.to_str().unwrap(),
        ],
        &db,
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.starts_with("error: ") && o.stderr.contains("bad.xml: malformed XML at line 2"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("column"), "{}", o.stderr);
    assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);

    let o = run(
        &[
            "plan",
            "import",
            "--project",
            "PRJ-001",
            "--as",
            DIRECTOR,
            dir.join("missing.xml").to_str().unwrap(),
        ],
        &db,
    );
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("cannot read"), "{}", o.stderr);

    // The acting user must exist and be allowed to edit the plan.
    let o = run(
        &[
            "plan",
            "import",
            "--project",
            "PRJ-001",
            "--as",
            "nobody@example.com",
            &gen100,
        ],
        &db,
    );
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("no such user"), "{}", o.stderr);
    let o = run(
        &[
            "plan",
            "import",
            "--project",
            "PRJ-001",
            "--as",
            TEAM,
            "--yes",
            &gen100,
        ],
        &db,
    );
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("do not allow"), "{}", o.stderr);

    // Usage errors come from clap (exit code 2): no --as, an unknown format.
    let o = run(&["plan", "import", "--project", "PRJ-001", &gen100], &db);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("--as <EMAIL>"), "{}", o.stderr);
    let o = run(
        &["plan", "export", "--project", "PRJ-001", "--format", "pdf"],
        &db,
    );
    assert_eq!(o.code, 2, "{}", o.stderr);

    // Nothing above changed the plan.
    let csv = run(
        &["plan", "export", "--project", "PRJ-001", "--format", "csv"],
        &db,
    );
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert_eq!(csv.text(), csv_before);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The contract forms of DESIGN.md §4: `atrium import FILE.xml [--project KEY]` (here into a
/// new project) and `atrium export KEY --format mspdi|xlsx|csv`.
#[test]
fn contract_import_into_a_new_project_and_export() {
    let dir = temp_dir();
    let db = format!("sqlite://{}", dir.join("atrium.db").display());
    assert_eq!(run(&["demo", "--size", "small"], &db).code, 0);
    let gen100 = fixture("gen100_seed1.xml");
    let o = run(&["import", &gen100, "--as", DIRECTOR, "--yes"], &db);
    assert_eq!(o.code, 1, "needs --project or --key");
    assert!(o.stderr.contains("--key NEW-KEY"), "{}", o.stderr);
    let o = run(
        &[
            "import", &gen100, "--key", "IMP-001", "--as", DIRECTOR, "--yes",
        ],
        &db,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("Created project IMP-001"), "{}", o.stderr);
    assert!(o.text().contains("Applied: plan version"), "{}", o.text());
    let csv = run(&["export", "IMP-001", "--format", "csv"], &db);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert_eq!(csv.text().lines().count(), 101);
    let xml = run(&["export", "IMP-001"], &db);
    assert_eq!(xml.code, 0, "{}", xml.stderr);
    assert!(xml.text().contains("<Project"), "MS Project XML by default");
    let _ = std::fs::remove_dir_all(&dir);
}
