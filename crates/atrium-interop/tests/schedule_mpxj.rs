//! `atrium schedule --json` against MPXJ's MicrosoftScheduler: every early/late date (and the
//! total slack) of the hand-made cases and of the generated TaskJuggler projects must match
//! the committed reference output exactly (fixtures in `tests/fixtures/schedule/`).

use atrium_interop::report::schedule_json;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schedule")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares a report with an expected file; returns (compared values, mismatch lines).
fn compare(report: &Value, expected: &Value) -> (usize, Vec<String>) {
    let mut by_uid = std::collections::HashMap::new();
    for t in report["tasks"].as_array().expect("tasks") {
        by_uid.insert(t["uid"].as_i64().expect("uid"), t);
    }
    let mut total = 0;
    let mut bad = Vec::new();
    for row in expected["tasks"].as_array().expect("expected tasks") {
        let uid = row[0].as_i64().expect("uid");
        let Some(t) = by_uid.get(&uid) else {
            bad.push(format!("uid {uid}: missing"));
            continue;
        };
        for (k, field) in ["early_start", "early_finish", "late_start", "late_finish"]
            .iter()
            .enumerate()
        {
            let want = row[k + 1].as_str().expect("date");
            let got = t[*field].as_str().unwrap_or("");
            total += 1;
            if got.get(..16) != want.get(..16) {
                bad.push(format!("uid {uid} {field}: atrium {got} reference {want}"));
            }
        }
        if let Some(slack) = row[5].as_i64() {
            total += 1;
            if t["total_float_minutes"].as_i64() != Some(slack) {
                bad.push(format!(
                    "uid {uid} total float: atrium {} reference {slack}",
                    t["total_float_minutes"]
                ));
            }
        }
    }
    (total, bad)
}

fn check(name: &str, xml: &[u8], expected: &Value) -> Value {
    let report = schedule_json(xml, None).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (total, bad) = compare(&report, expected);
    assert!(total > 0, "{name}: nothing compared");
    assert!(
        bad.is_empty(),
        "{name}: {} of {total} values differ from MPXJ:\n{}",
        bad.len(),
        bad.iter().take(15).cloned().collect::<Vec<_>>().join("\n")
    );
    report
}

/// Rust port of `shared/peers/taskjuggler/to_mspdi.py` (same bytes), so the big generated
/// projects can be stored as their small generator graphs.
fn graph_to_mspdi(g: &Value) -> String {
    let n = g["n"].as_u64().expect("n") as usize;
    let start = g["start"].as_str().expect("start");
    let seed = g["seed"].as_u64().expect("seed");
    let mut out: Vec<String> = Vec::new();
    out.push(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#.into());
    out.push(r#"<Project xmlns="http://schemas.microsoft.com/project">"#.into());
    out.push(format!(
        "<Name>Generated {n}</Name><Title>Generated {n} seed {seed}</Title>"
    ));
    out.push("<ScheduleFromStart>1</ScheduleFromStart>".into());
    out.push(format!("<StartDate>{start}T08:00:00</StartDate>"));
    out.push(
        "<CalendarUID>1</CalendarUID><DefaultStartTime>08:00:00</DefaultStartTime>\
         <DefaultFinishTime>17:00:00</DefaultFinishTime><MinutesPerDay>480</MinutesPerDay>\
         <MinutesPerWeek>2400</MinutesPerWeek><DaysPerMonth>20</DaysPerMonth>"
            .into(),
    );
    out.push(
        "<Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>\
         <BaseCalendarUID>-1</BaseCalendarUID><WeekDays>"
            .into(),
    );
    for day in 1..=7 {
        if day == 1 || day == 7 {
            out.push(format!(
                "<WeekDay><DayType>{day}</DayType><DayWorking>0</DayWorking></WeekDay>"
            ));
        } else {
            out.push(format!(
                "<WeekDay><DayType>{day}</DayType><DayWorking>1</DayWorking><WorkingTimes>\
                 <WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>\
                 <WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>\
                 </WorkingTimes></WeekDay>"
            ));
        }
    }
    out.push("</WeekDays></Calendar></Calendars>".into());
    out.push("<Tasks>".into());
    for i in 0..n {
        let hours = g["durations_wd"][i].as_i64().expect("duration") * 8;
        let mut s = format!(
            "<Task><UID>{u}</UID><ID>{u}</ID><Name>T{i}</Name>\
             <Type>1</Type><Manual>0</Manual><OutlineLevel>1</OutlineLevel>\
             <Duration>PT{hours}H0M0S</Duration><DurationFormat>7</DurationFormat>\
             <ActualDuration>PT0H0M0S</ActualDuration><RemainingDuration>PT{hours}H0M0S</RemainingDuration>\
             <PercentComplete>0</PercentComplete><ConstraintType>0</ConstraintType>",
            u = i + 1
        );
        out.push(std::mem::take(&mut s));
        for j in g["preds"][i].as_array().expect("preds") {
            let j = j.as_u64().expect("pred");
            let _ = write!(
                s,
                "<PredecessorLink><PredecessorUID>{}</PredecessorUID><Type>1</Type>\
                 <CrossProject>0</CrossProject><LinkLag>0</LinkLag><LagFormat>7</LagFormat></PredecessorLink>",
                j + 1
            );
            out.push(std::mem::take(&mut s));
        }
        out.push("</Task>".into());
    }
    out.push("</Tasks>".into());
    out.push("</Project>".into());
    out.join("\n") + "\n"
}

#[test]
fn generated_projects_stored_as_xml_match_mpxj() {
    for name in ["g100-1", "g100-2", "g100-3", "g1000-1"] {
        let xml = std::fs::read(dir().join(format!("generated/{name}.xml"))).expect("xml");
        let expected = read_json(&dir().join(format!("generated/{name}.expected.json")));
        let report = check(name, &xml, &expected);
        assert_eq!(report["diagnostics"], Value::Array(vec![]), "{name}");
    }
}

#[test]
fn graph_port_writes_the_same_xml_as_to_mspdi() {
    let g = read_json(&dir().join("generated/g1000-1.graph.json"));
    let xml = std::fs::read_to_string(dir().join("generated/g1000-1.xml")).expect("xml");
    assert!(graph_to_mspdi(&g) == xml, "port of to_mspdi.py drifted");
}

#[test]
fn generated_projects_stored_as_graphs_match_mpxj() {
    for name in ["g1000-2", "g1000-3", "g5000-1"] {
        let g = read_json(&dir().join(format!("generated/{name}.graph.json")));
        let expected = read_json(&dir().join(format!("generated/{name}.expected.json")));
        let report = check(name, graph_to_mspdi(&g).as_bytes(), &expected);
        let n = g["n"].as_u64().expect("n") as usize;
        assert_eq!(report["tasks"].as_array().map(Vec::len), Some(n), "{name}");
    }
}

#[test]
fn hand_made_cases_match_mpxj_and_report_diagnostics() {
    let diags = read_json(&dir().join("cases/diagnostics.json"));
    let cases = [
        "links",
        "constraints",
        "calendars",
        "summary",
        "progress",
        "manual",
        "resources",
        "cycle",
    ];
    for name in cases {
        let xml = std::fs::read(dir().join(format!("cases/{name}.xml"))).expect("xml");
        let expected = read_json(&dir().join(format!("cases/{name}.expected.json")));
        let report = check(name, &xml, &expected);
        let got: Vec<(String, Value)> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                let target = d.get("tasks").or_else(|| d.get("task")).cloned();
                (
                    d["kind"].as_str().unwrap_or("").to_string(),
                    target.unwrap_or(Value::Null),
                )
            })
            .collect();
        let want: Vec<(String, Value)> = diags
            .get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|d| (d[0].as_str().unwrap_or("").to_string(), d[1].clone()))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(got, want, "{name}: diagnostics {}", report["diagnostics"]);
        for d in report["diagnostics"].as_array().expect("diagnostics") {
            assert!(
                d["message"].as_str().is_some_and(|m| m.contains("UID")),
                "{name}: a diagnostic must name its task: {d}"
            );
        }
    }
}

#[test]
fn report_has_the_contract_shape() {
    let xml = std::fs::read(dir().join("cases/summary.xml")).expect("xml");
    let v = schedule_json(&xml, None).expect("report");
    assert_eq!(v["project"]["start"], "2001-01-01T08:00:00");
    assert_eq!(v["project"]["finish"], "2001-01-10T17:00:00");
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
    ] {
        assert!(t.get(key).is_some(), "missing {key}");
    }
    // A finish on a working day ends at 17:00; its finish-to-start successor starts at 08:00.
    let by_uid = |u: i64| {
        v["tasks"]
            .as_array()
            .and_then(|a| a.iter().find(|t| t["uid"] == u))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(by_uid(2)["early_finish"], "2001-01-02T17:00:00");
    assert_eq!(by_uid(3)["early_start"], "2001-01-03T08:00:00");
    assert_eq!(by_uid(2)["critical"], true);
    assert_eq!(by_uid(6)["free_float_minutes"], 480);
}

#[test]
fn text_report_equals_value_report() {
    for case in [
        "cases/constraints.xml",
        "cases/cycle.xml",
        "generated/g100-1.xml",
    ] {
        let xml = std::fs::read(dir().join(case)).expect("xml");
        let value = schedule_json(&xml, None).expect("value");
        let text = atrium_interop::report::schedule_json_text(&xml, None).expect("text");
        let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed, value, "{case}");
        assert!(
            text.starts_with("{\"project\":{\"start\":"),
            "{case}: key order"
        );
    }
    assert!(atrium_interop::report::schedule_json_text(b"<Project>", None).is_err());
}

#[test]
fn malformed_xml_is_an_error_not_a_panic() {
    assert!(schedule_json(b"<Project><Tasks>", None).is_err());
}

#[test]
fn status_date_moves_remaining_work_after_it() {
    let xml = std::fs::read(dir().join("cases/progress.xml")).expect("xml");
    let date = atrium_schedule::calendar::Date::from_ymd(2001, 1, 10).expect("date");
    let v = schedule_json(&xml, Some(date)).expect("report");
    let half = v["tasks"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["uid"] == 2))
        .cloned()
        .unwrap_or(Value::Null);
    // Started 2001-01-04, 16 h done, 16 h remaining: resumes after the status date
    // (end of 2001-01-10) and finishes two working days later.
    assert_eq!(half["early_start"], "2001-01-04T08:00:00");
    assert_eq!(half["early_finish"], "2001-01-12T17:00:00");
    // Not started by the status date: starts after it, although its predecessor finished on
    // 2001-01-09.
    let after = v["tasks"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["uid"] == 7))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(after["early_start"], "2001-01-11T08:00:00");
    // Finished work stays where it was recorded.
    let done = v["tasks"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["uid"] == 1))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(done["early_finish"], "2001-01-03T17:00:00");
}
