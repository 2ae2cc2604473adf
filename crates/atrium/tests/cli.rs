//! The `atrium` binary end to end: user administration, the demo loader, `schedule`, and
//! two `serve` processes sharing one PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

fn atrium() -> Command {
    Command::new(env!("CARGO_BIN_EXE_atrium"))
}

fn temp_sqlite() -> String {
    let dir = std::env::temp_dir().join("atrium-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    format!(
        "sqlite://{}",
        dir.join(format!("{}.db", uuid_like())).display()
    )
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn run(args: &[&str], db: &str, stdin: Option<&str>) -> (bool, String, String) {
    let mut c = atrium()
        .args(args)
        .env("ATRIUM_DATABASE_URL", db)
        .env("ATRIUM_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        c.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(c.stdin.take());
    }
    let out = c.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn user_administration() {
    let db = temp_sqlite();
    let (ok, out, err) = run(
        &[
            "user",
            "add",
            "--email",
            "Ana@Example.com",
            "--name",
            "Ana",
            "--role",
            "pmo_director",
            "--password-stdin",
        ],
        &db,
        Some("a long password\n"),
    );
    assert!(ok, "{out}{err}");
    let (ok, _, err) = run(
        &[
            "user",
            "add",
            "--email",
            "ana@example.com",
            "--name",
            "Dup",
            "--role",
            "admin",
            "--password-stdin",
        ],
        &db,
        Some("another long one"),
    );
    assert!(!ok);
    assert!(err.contains("email: is already used"), "{err}");
    let (ok, _, err) = run(
        &[
            "user",
            "add",
            "--email",
            "bo@example.com",
            "--name",
            "Bo",
            "--role",
            "boss",
            "--password-stdin",
        ],
        &db,
        Some("a long password"),
    );
    assert!(!ok && err.contains("unknown role"), "{err}");
    let (ok, _, err) = run(
        &[
            "user",
            "add",
            "--email",
            "bo@example.com",
            "--name",
            "Bo",
            "--role",
            "sponsor",
            "--password-stdin",
        ],
        &db,
        Some("short"),
    );
    assert!(!ok && err.contains("password"), "{err}");
    let (ok, _, err) = run(
        &[
            "user",
            "add",
            "--email",
            "bo@example.com",
            "--name",
            "Bo",
            "--role",
            "project_manager:PRJ-404",
            "--password-stdin",
        ],
        &db,
        Some("a long password"),
    );
    assert!(!ok && err.contains("PRJ-404"), "{err}");
    let (ok, out, _) = run(&["user", "list"], &db, None);
    assert!(
        ok && out.contains("ana@example.com\tAna\tactive\tpmo_director"),
        "{out}"
    );
    let (ok, _, err) = run(
        &["user", "set-password", "--email", "ana@example.com"],
        &db,
        Some("a brand new password"),
    );
    assert!(ok, "{err}");
    let (ok, _, _) = run(
        &["user", "disable", "--email", "ana@example.com"],
        &db,
        None,
    );
    assert!(ok);
    let (_, out, _) = run(&["user", "list"], &db, None);
    assert!(out.contains("\tdisabled\t"), "{out}");
    let (ok, _, err) = run(
        &["user", "disable", "--email", "nobody@example.com"],
        &db,
        None,
    );
    assert!(!ok && err.contains("not found"), "{err}");
}

#[test]
fn demo_loads_once_and_prints_logins() {
    let db = temp_sqlite();
    let (ok, out, err) = run(&["demo", "--size", "small"], &db, None);
    assert!(ok, "{err}");
    assert!(out.contains("director@demo.atrium.test"), "{out}");
    let (ok, _, err) = run(&["demo", "--size", "small"], &db, None);
    assert!(!ok && err.contains("already"), "{err}");
    let (ok, _, err) = run(&["demo", "--size", "huge"], &temp_sqlite(), None);
    assert!(!ok && err.contains("small, medium or large"), "{err}");
}

#[test]
fn schedule_prints_the_contract_json() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../atrium-interop/tests/fixtures/mspdi/gen100_seed1.xml"
    );
    let out = atrium()
        .args(["schedule", fixture, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["project"]["start"]
            .as_str()
            .unwrap()
            .starts_with("2001-01-01T08:00:00")
    );
    let tasks = v["tasks"].as_array().unwrap();
    assert!(tasks.len() >= 100);
    for key in [
        "uid",
        "name",
        "early_start",
        "early_finish",
        "late_start",
        "late_finish",
        "total_float_minutes",
        "free_float_minutes",
        "critical",
    ] {
        assert!(tasks[1].get(key).is_some(), "missing {key}");
    }
    assert!(tasks.iter().any(|t| t["critical"] == true));
    // Monte Carlo adds a distribution of finish dates.
    let out = atrium()
        .args(["schedule", fixture, "--monte-carlo", "500", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["monte_carlo"].is_object());
    // Leveling adds leveled dates and resource loads (the generated file has no resources,
    // so nothing moves).
    let out = atrium()
        .args(["schedule", fixture, "--level", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["tasks"][1]["start"].is_string() && v["leveled_finish"].is_string(),
        "{v}"
    );
    // Unreadable input: one clear line, non-zero exit.
    let bad = std::env::temp_dir().join(format!("bad-{}.xml", uuid_like()));
    std::fs::write(&bad, "<Project><Tasks><Task>").unwrap();
    let out = atrium()
        .args(["schedule", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: ") && err.contains("line"), "{err}");
}

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db: &str) -> Server {
    let mut c = atrium()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ATRIUM_DATABASE_URL", db)
        .env("ATRIUM_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(c.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("listening line")
        .to_owned();
    Server(c, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_postgres_database() {
    let Some(base) = atrium_store::testing::postgres_url() else {
        eprintln!("SKIP: ATRIUM_TEST_POSTGRES_URL is not set (CI sets it)");
        return;
    };
    let (_, url) = atrium_store::testing::postgres(&base).await.unwrap();
    let (ok, _, err) = run(
        &[
            "user",
            "add",
            "--email",
            "dir@example.com",
            "--name",
            "Dir",
            "--role",
            "pmo_director",
            "--password-stdin",
        ],
        &url,
        Some("a long password"),
    );
    assert!(ok, "{err}");
    let (a, b) = (serve(&url), serve(&url));
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/api/v1/auth/token", a.1))
        .json(&serde_json::json!({"email": "dir@example.com", "password": "a long password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    // A write on server A...
    let r = http
        .post(format!("{}/api/v1/portfolios", a.1))
        .bearer_auth(&token)
        .json(&serde_json::json!({"key": "SHARED", "name": "Shared"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // ...is read on server B, with the token issued by A (sessions live in the database).
    let list: serde_json::Value = http
        .get(format!("{}/api/v1/portfolios?q=shared", b.1))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["key"], "SHARED");
}
