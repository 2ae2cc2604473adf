//! `level_json` on TaskJuggler-generated projects (tests/fixtures/level): the leveled finish
//! stays within 10 % of TaskJuggler's preemptive finish, and the report is checked
//! independently (no resource overlap, links, durations, daily loads) from its own JSON.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use atrium_interop::mspdi;
use atrium_interop::report_level::{level_json, level_json_text};
use atrium_schedule::calendar::{CalendarDef, Date, DateTime};
use serde_json::Value;
use std::collections::HashMap;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/level/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// TaskJuggler's finish in working days per N, from the committed CSV.
fn tj3_finish_days() -> HashMap<u32, i64> {
    let text = String::from_utf8(fixture("tj3_finish.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect()
}

/// Monday-Friday days from 2001-01-01 to the day of `t`, inclusive.
fn working_days(t: &str) -> i64 {
    let end = DateTime::parse(t).unwrap().date();
    let mut d = Date::from_ymd(2001, 1, 1).unwrap();
    let mut n = 0;
    while d <= end {
        if d.weekday().index() < 5 {
            n += 1;
        }
        d = d.add_days(1);
    }
    n
}

fn instant(v: &Value) -> DateTime {
    DateTime::parse(v.as_str().unwrap()).unwrap()
}

/// Checks one leveled report against the file it came from, without the engine.
fn check_report(xml: &[u8], v: &Value) {
    let file = mspdi::parse(xml).unwrap().project;
    let cal = CalendarDef::standard().compile();
    let tasks = v["tasks"].as_array().unwrap();
    let by_uid: HashMap<i64, &Value> = tasks
        .iter()
        .map(|t| (t["uid"].as_i64().unwrap(), t))
        .collect();
    assert_eq!(by_uid.len(), file.tasks.len());

    let mut latest = DateTime(i64::MIN);
    for t in &file.tasks {
        let r = by_uid[&i64::from(t.uid)];
        let (s, f) = (instant(&r["start"]), instant(&r["finish"]));
        latest = latest.max(f);
        // Not interrupted: exactly its duration of working time between start and finish.
        assert_eq!(
            cal.work_between(s, f),
            t.duration.unwrap(),
            "UID {} {s} {f}",
            t.uid
        );
        assert!(
            s >= instant(&r["early_start"]),
            "UID {} starts early",
            t.uid
        );
        let delay = r["leveling_delay_minutes"].as_i64().unwrap();
        assert_eq!(delay, cal.work_between(instant(&r["early_start"]), s));
        for l in &t.predecessors {
            let p = by_uid[&i64::from(l.predecessor_uid)];
            assert!(
                s >= instant(&p["finish"]),
                "link {} -> {} broken",
                l.predecessor_uid,
                t.uid
            );
        }
    }
    assert_eq!(instant(&v["leveled_finish"]), latest);

    // One task at a time per resource (100 % assignments, 100 % resources).
    let mut per_res: HashMap<i32, Vec<(DateTime, DateTime)>> = HashMap::new();
    let mut work: HashMap<i32, i64> = HashMap::new();
    for a in &file.assignments {
        let r = by_uid[&i64::from(a.task_uid)];
        per_res
            .entry(a.resource_uid)
            .or_default()
            .push((instant(&r["start"]), instant(&r["finish"])));
        *work.entry(a.resource_uid).or_default() += a.work.unwrap();
    }
    for (res, list) in &mut per_res {
        list.sort();
        for w in list.windows(2) {
            assert!(
                w[1].0 >= w[0].1,
                "resource {res} double-booked: {:?} and {:?}",
                w[0],
                w[1]
            );
        }
    }

    // Daily loads: within capacity, adding up to each resource's work.
    let resources = v["resources"].as_array().unwrap();
    assert_eq!(resources.len(), file.resources.len());
    for r in resources {
        let uid = r["uid"].as_i64().unwrap() as i32;
        assert_eq!(r["max_units"].as_f64(), Some(1.0));
        let mut total = 0;
        for d in r["load"].as_array().unwrap() {
            let (m, c) = (
                d["minutes"].as_i64().unwrap(),
                d["capacity_minutes"].as_i64().unwrap(),
            );
            assert!(m <= c && c == 480, "resource {uid} on {}", d["date"]);
            total += m;
        }
        assert_eq!(total, work[&uid], "resource {uid}");
    }
    let over = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "over_allocated")
        .count();
    assert_eq!(over, 0);
}

#[test]
fn finish_within_ten_percent_of_taskjuggler() {
    let tj = tj3_finish_days();
    for n in [100u32, 500] {
        let xml = fixture(&format!("g{n}.xml"));
        let v = level_json(&xml, None).unwrap();
        let ours = working_days(v["leveled_finish"].as_str().unwrap());
        let theirs = tj[&n];
        assert!(
            ours as f64 <= 1.10 * theirs as f64,
            "N={n}: Atrium {ours} working days, TaskJuggler {theirs}"
        );
        check_report(&xml, &v);
    }
}

#[test]
fn text_and_value_reports_agree_and_are_deterministic() {
    let xml = fixture("g100.xml");
    let a = level_json_text(&xml, None, None).unwrap();
    let b = level_json_text(&xml, None, None).unwrap();
    assert_eq!(a, b);
    let v: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v, level_json(&xml, None).unwrap());
    // The §4 fields are all there, next to the leveled ones.
    let t = &v["tasks"][0];
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
        "start",
        "finish",
        "leveling_delay_minutes",
    ] {
        assert!(!t[key].is_null(), "missing {key}");
    }
    assert!(v["project"]["finish"].is_string());
    assert!(v["leveled_finish"].as_str().unwrap() >= v["project"]["finish"].as_str().unwrap());
}
