//! `level_json` on the MSPDI scheduling cases (calendars, constraints, links of every type,
//! manual tasks, progress, summaries, cycles): where no resource is over-allocated, leveling
//! must not move anything, and the report keeps the CPM dates next to the leveled ones.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use atrium_interop::report_level::level_json;
use serde_json::Value;

fn cases() -> Vec<(String, Vec<u8>)> {
    let dir = format!(
        "{}/tests/fixtures/schedule/cases",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn plans_without_over_allocation_are_not_moved() {
    let all = cases();
    assert!(all.len() >= 8, "fixtures missing: {}", all.len());
    for (name, xml) in all {
        let v: Value = level_json(&xml, None).unwrap();
        for t in v["tasks"].as_array().unwrap() {
            assert_eq!(t["leveling_delay_minutes"], 0, "{name}: {t}");
            assert!(t["start"].is_string() && t["finish"].is_string(), "{name}");
        }
        assert_eq!(v["leveled_finish"], v["project"]["finish"], "{name}");
        let kinds: Vec<&str> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["kind"].as_str())
            .collect();
        for bad in ["over_allocated", "constraint_missed", "deadline_missed"] {
            assert!(!kinds.contains(&bad), "{name}: {kinds:?}");
        }
    }
}

#[test]
fn over_capacity_demand_is_reported_in_rich_file() {
    let path = format!(
        "{}/tests/fixtures/mspdi/rich.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let v = level_json(&std::fs::read(path).unwrap(), None).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    // A 200 % assignment on a 100 % resource cannot be leveled away: it is reported.
    assert!(diags.iter().any(|d| d["kind"] == "demand_exceeds_capacity"));
    assert!(
        diags
            .iter()
            .any(|d| d["kind"] == "over_allocated" && d["resource"] == 1)
    );
    let res = v["resources"].as_array().unwrap();
    assert!(!res.is_empty());
    assert!(
        res.iter()
            .all(|r| r["load"].is_array() && r["max_units"].is_number())
    );
}
