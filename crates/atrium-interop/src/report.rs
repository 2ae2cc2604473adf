//! The `atrium schedule FILE.xml --json` report (DESIGN.md §4, a contract): reads an MS
//! Project XML file, runs the CPM engine and renders dates in MS Project's conventions.

use crate::mspdi;
use crate::mspdi_engine::{EngineInput, into_engine, to_engine};
use atrium_schedule::calendar::{Date, DateTime};
use atrium_schedule::cpm::{ConstraintKind, Diagnostic, Schedule, schedule};
use serde_json::{Value, json};

/// Why no report could be made (the plan itself never fails; only unreadable input does).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file is not readable MS Project XML.
    #[error(transparent)]
    Mspdi(#[from] mspdi::MspdiError),
}

/// Status date as the CLI takes it (`--status-date YYYY-MM-DD`): the end of that day, so that
/// the day's work counts as done and remaining work resumes at the next working minute.
pub fn status_date_end_of_day(d: Date) -> DateTime {
    d.add_days(1).at(0)
}

/// Reads `project_xml` and returns the §4 JSON:
/// `{"project":{"start","finish"},"tasks":[{"uid","name","early_start","early_finish",
/// "late_start","late_finish","total_float_minutes","free_float_minutes","critical"}],
/// "diagnostics":[...]}`.
pub fn schedule_json(project_xml: &[u8], status_date: Option<Date>) -> Result<Value, ReportError> {
    let parsed = mspdi::parse(project_xml)?;
    let mut v = schedule_report(&parsed.project, status_date.map(status_date_end_of_day));
    if let Some(diags) = v.get_mut("diagnostics").and_then(Value::as_array_mut) {
        for w in &parsed.warnings {
            diags.push(json!({"kind": "reader_warning", "message": w.to_string()}));
        }
    }
    Ok(v)
}

/// The same report as [`schedule_json`], written straight to JSON text (keys in the §4
/// order) without building a `Value` tree first: what the CLI prints, at a fraction of the
/// cost for big plans.
pub fn schedule_json_text(
    project_xml: &[u8],
    status_date: Option<Date>,
) -> Result<String, ReportError> {
    let parsed = mspdi::parse(project_xml)?;
    let input = into_engine(parsed.project, status_date.map(status_date_end_of_day));
    let s = schedule(&input.project);
    let mut diagnostics = diagnostics_json(&input, &s);
    for w in &parsed.warnings {
        diagnostics.push(json!({"kind": "reader_warning", "message": w.to_string()}));
    }
    Ok(render_text(&input, &s, &diagnostics))
}

/// JSON string literal of `s` (RFC 8259 escaping).
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    let mut bytes = Vec::with_capacity(s.len() + 2);
    push_json_bytes(&mut bytes, s);
    out.push_str(&String::from_utf8_lossy(&bytes));
}

/// [`push_json_str`] into bytes. The report is written as bytes (only `&str` pieces and
/// ASCII go in, so it stays UTF-8) and checked once at the end: checking every small piece
/// on the way in was a large part of its cost.
fn push_json_bytes(out: &mut Vec<u8>, s: &str) {
    // Most names need no escape at all: one check, one copy.
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    out.push(b'"');
    // Runs of characters that need no escape are copied whole.
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..0x20 => b"",
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[plain..i]);
        plain = i + 1;
        if esc.is_empty() {
            let hex = |v: u8| b"0123456789abcdef"[usize::from(v & 15)];
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b)]);
        } else {
            out.extend_from_slice(esc);
        }
    }
    out.extend_from_slice(&s.as_bytes()[plain..]);
    out.push(b'"');
}

/// Appends a decimal integer without the formatting machinery.
fn push_int(out: &mut Vec<u8>, v: i64) {
    // Most values (UIDs, floats in minutes) have a few digits: fixed-size copies, no loop.
    if (0..10_000).contains(&v) {
        let v = v as u32;
        let d = [
            b'0' + (v / 1000) as u8,
            b'0' + (v / 100 % 10) as u8,
            b'0' + (v / 10 % 10) as u8,
            b'0' + (v % 10) as u8,
        ];
        match v {
            0..=9 => out.push(d[3]),
            10..=99 => out.extend_from_slice(&[d[2], d[3]]),
            100..=999 => out.extend_from_slice(&[d[1], d[2], d[3]]),
            _ => out.extend_from_slice(&d),
        }
        return;
    }
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut u = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

/// Days kept by [`Days`] (a power of two): nearly three years of a project's span.
const DAY_SLOTS: usize = 1024;

/// `YYYY-MM-DDT` of recently printed days, direct-mapped by day number: a report prints four
/// dates a task on comparatively few distinct days, and the civil-date arithmetic was most
/// of a date's cost.
pub(crate) struct Days {
    slots: [(i64, [u8; 11]); DAY_SLOTS],
}

impl Days {
    pub(crate) fn new() -> Days {
        // No instant falls on day `i64::MIN`, so the empty slots never match.
        Days {
            slots: [(i64::MIN, [0; 11]); DAY_SLOTS],
        }
    }
}

/// Appends `t` as `YYYY-MM-DDTHH:MM:SS` (its `Display`), in one copy.
fn push_datetime(out: &mut Vec<u8>, t: DateTime, days: &mut Days) {
    let day = t.0.div_euclid(24 * 60);
    let slot = &mut days.slots[(day as usize) % DAY_SLOTS];
    if slot.0 != day {
        let (y, m, d, _, _) = t.ymdhm();
        if !(0..=9999).contains(&y) {
            out.extend_from_slice(t.to_string().as_bytes());
            return;
        }
        let y = y as u32;
        let two = |v: u32| [b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8];
        let (y1, y2, m, d) = (two(y / 100), two(y), two(m), two(d));
        *slot = (
            day,
            [
                y1[0], y1[1], y2[0], y2[1], b'-', m[0], m[1], b'-', d[0], d[1], b'T',
            ],
        );
    }
    let minute = t.0.rem_euclid(24 * 60) as u32;
    let (h, mi) = (minute / 60, minute % 60);
    let mut all = [0u8; 19];
    all[..11].copy_from_slice(&slot.1);
    all[11..].copy_from_slice(&[
        b'0' + (h / 10) as u8,
        b'0' + (h % 10) as u8,
        b':',
        b'0' + (mi / 10) as u8,
        b'0' + (mi % 10) as u8,
        b':',
        b'0',
        b'0',
    ]);
    out.extend_from_slice(&all);
}

/// Opens task `i`'s object and writes the contract fields (uid .. critical), leaving the
/// object open so that the leveling report can append its own fields.
pub(crate) fn push_task_fields(
    out: &mut String,
    uid: i32,
    name: &str,
    s: &Schedule,
    i: usize,
    days: &mut Days,
) {
    let mut bytes = Vec::with_capacity(name.len() + 256);
    push_task_bytes(&mut bytes, uid, name, s, i, days);
    out.push_str(&String::from_utf8_lossy(&bytes));
}

/// [`push_task_fields`] into bytes.
fn push_task_bytes(
    out: &mut Vec<u8>,
    uid: i32,
    name: &str,
    s: &Schedule,
    i: usize,
    days: &mut Days,
) {
    out.extend_from_slice(b"{\"uid\":");
    push_int(out, i64::from(uid));
    out.extend_from_slice(b",\"name\":");
    push_json_bytes(out, name);
    out.extend_from_slice(b",\"early_start\":\"");
    push_datetime(out, s.early_start[i], days);
    out.extend_from_slice(b"\",\"early_finish\":\"");
    push_datetime(out, s.early_finish[i], days);
    out.extend_from_slice(b"\",\"late_start\":\"");
    push_datetime(out, s.late_start[i], days);
    out.extend_from_slice(b"\",\"late_finish\":\"");
    push_datetime(out, s.late_finish[i], days);
    out.extend_from_slice(b"\",\"total_float_minutes\":");
    push_int(out, s.total_float[i]);
    out.extend_from_slice(b",\"free_float_minutes\":");
    push_int(out, s.free_float[i]);
    out.extend_from_slice(if s.critical[i] {
        b",\"critical\":true"
    } else {
        b",\"critical\":false"
    });
}

fn render_text(input: &EngineInput, s: &Schedule, diagnostics: &[Value]) -> String {
    let mut out = Vec::with_capacity(64 + input.uids.len() * 260);
    let mut days = Days::new();
    out.extend_from_slice(b"{\"project\":{\"start\":\"");
    push_datetime(&mut out, s.project_start, &mut days);
    out.extend_from_slice(b"\",\"finish\":\"");
    push_datetime(&mut out, s.project_finish, &mut days);
    out.extend_from_slice(b"\"},\"tasks\":[");
    for (i, &uid) in input.uids.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_task_bytes(&mut out, uid, &input.names[i], s, i, &mut days);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"diagnostics\":");
    out.extend_from_slice(Value::Array(diagnostics.to_vec()).to_string().as_bytes());
    out.push(b'}');
    // Only text and ASCII went in: the one check cannot fail (lossy would change nothing).
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn diagnostics_json(input: &EngineInput, s: &Schedule) -> Vec<Value> {
    let mut diagnostics: Vec<Value> = s
        .diagnostics
        .iter()
        .map(|d| diagnostic_json(input, d))
        .collect();
    for n in &input.notes {
        diagnostics.push(json!({"kind": "conversion_note", "message": n}));
    }
    diagnostics
}

/// The §4 JSON for an already parsed project.
pub fn schedule_report(file: &mspdi::Project, status_date: Option<DateTime>) -> Value {
    let input = to_engine(file, status_date);
    let s = schedule(&input.project);
    render(&input, &s)
}

fn constraint_name(c: ConstraintKind) -> &'static str {
    match c {
        ConstraintKind::Asap => "as soon as possible",
        ConstraintKind::Alap => "as late as possible",
        ConstraintKind::Snet => "start no earlier than",
        ConstraintKind::Snlt => "start no later than",
        ConstraintKind::Fnet => "finish no earlier than",
        ConstraintKind::Fnlt => "finish no later than",
        ConstraintKind::Mso => "must start on",
        ConstraintKind::Mfo => "must finish on",
    }
}

/// One diagnostic as JSON, naming tasks by UID and name.
pub fn diagnostic_json(input: &EngineInput, d: &Diagnostic) -> Value {
    let uid = |i: u32| input.uids.get(i as usize).copied().unwrap_or(-1);
    let name = |i: u32| input.names.get(i as usize).cloned().unwrap_or_default();
    let label = |i: u32| format!("UID {} {:?}", uid(i), name(i));
    match d {
        Diagnostic::Cycle { tasks } => {
            let list: Vec<String> = tasks.iter().map(|&t| label(t)).collect();
            json!({
                "kind": "cycle",
                "tasks": tasks.iter().map(|&t| uid(t)).collect::<Vec<_>>(),
                "message": format!("dependency cycle among tasks {}; the links closing it were ignored", list.join(", ")),
            })
        }
        Diagnostic::ConstraintConflict {
            task,
            constraint,
            date,
            link_start,
        } => json!({
            "kind": "constraint_conflict",
            "task": uid(*task),
            "name": name(*task),
            "message": format!(
                "scheduling conflict: task {} has constraint \"{} {}\" but its links allow a start no earlier than {}",
                label(*task), constraint_name(*constraint), date, link_start
            ),
        }),
        Diagnostic::MissingConstraintDate { task } => json!({
            "kind": "missing_constraint_date",
            "task": uid(*task),
            "name": name(*task),
            "message": format!("task {} has a date constraint without a date; scheduled as soon as possible", label(*task)),
        }),
        Diagnostic::DeadlineMissed {
            task,
            deadline,
            finish,
        } => json!({
            "kind": "deadline_missed",
            "task": uid(*task),
            "name": name(*task),
            "message": format!("task {} finishes {} after its deadline {}", label(*task), finish, deadline),
        }),
        Diagnostic::InvalidLink { link } => {
            let l = input.project.links.get(*link as usize);
            json!({
                "kind": "invalid_link",
                "message": match l {
                    Some(l) => format!("link from UID {} to UID {} ignored", uid(l.pred), uid(l.succ)),
                    None => "link ignored".to_string(),
                },
            })
        }
        Diagnostic::InvalidParent { task } => json!({
            "kind": "invalid_outline",
            "task": uid(*task),
            "message": format!("task {} has an invalid outline parent; treated as top level", label(*task)),
        }),
        Diagnostic::InvalidCalendar { task } => json!({
            "kind": "invalid_calendar",
            "task": uid(*task),
            "message": format!("task {} names a missing calendar; the project calendar is used", label(*task)),
        }),
    }
}

fn render(input: &EngineInput, s: &Schedule) -> Value {
    let mut tasks = Vec::with_capacity(input.uids.len());
    for (i, &uid) in input.uids.iter().enumerate() {
        tasks.push(json!({
            "uid": uid,
            "name": input.names[i],
            "early_start": s.early_start[i].to_string(),
            "early_finish": s.early_finish[i].to_string(),
            "late_start": s.late_start[i].to_string(),
            "late_finish": s.late_finish[i].to_string(),
            "total_float_minutes": s.total_float[i],
            "free_float_minutes": s.free_float[i],
            "critical": s.critical[i],
        }));
    }
    let diagnostics = diagnostics_json(input, s);
    json!({
        "project": {
            "start": s.project_start.to_string(),
            "finish": s.project_finish.to_string(),
        },
        "tasks": tasks,
        "diagnostics": diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        let name = "a \"quoted\" \\ name\n\twith \u{1} control\r & ünïcode";
        let mut out = String::new();
        push_json_str(&mut out, name);
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, name);
        let mut old = String::new();
        for c in name.chars() {
            match c {
                '"' => old.push_str("\\\""),
                '\\' => old.push_str("\\\\"),
                '\n' => old.push_str("\\n"),
                '\r' => old.push_str("\\r"),
                '\t' => old.push_str("\\t"),
                c if (c as u32) < 0x20 => old.push_str(&format!("\\u{:04x}", c as u32)),
                c => old.push(c),
            }
        }
        assert_eq!(out, format!("\"{old}\""));
    }

    #[test]
    fn numbers_and_dates_print_as_display_does() {
        for v in [0, 1, -1, 9, 10, 480, -2400, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            push_int(&mut out, v);
            assert_eq!(out, v.to_string().as_bytes());
        }
        let day = 24 * 60;
        // One cache for all: hits, misses and evictions must all print the same.
        let mut days = Days::new();
        for m in [
            0,
            1,
            59,
            60,
            479,
            480,
            1439,
            day * 366,
            day * 36_524 + 1021,
            -1,
            -day - 7,
        ] {
            for base in [
                DateTime(0),
                DateTime(-719_468 * day),
                DateTime(2_932_896 * day),
            ] {
                let t = DateTime(base.0 + m);
                let mut out = Vec::new();
                push_datetime(&mut out, t, &mut days);
                assert_eq!(out, t.to_string().as_bytes(), "{}", t.0);
            }
        }
    }
}
