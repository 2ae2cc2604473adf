//! The `atrium schedule FILE.xml --level` report: the DESIGN.md §4 schedule JSON of an MS
//! Project XML file plus the resource-leveled dates per task, each resource's load per day
//! and the leveled project finish.

use crate::mspdi;
use crate::mspdi_engine::{EngineInput, calendar_def, to_engine};
use crate::report::{
    Days, ReportError, diagnostic_json, push_json_str, push_task_fields, status_date_end_of_day,
};
use atrium_schedule::calendar::{Calendar, Date};
use atrium_schedule::level::{
    DEFAULT_PRIORITY, Demand, LevelDiagnostic, LevelInput, Leveled, Resource, UNIT, level,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The leveling input of a parsed file: its work resources (max units, calendar) in file
/// order with their UIDs and names, the assignments as demands, and task priorities.
pub struct LevelSetup {
    /// Engine input (tasks, links, calendars) from [`to_engine`].
    pub engine: EngineInput,
    /// Leveling input.
    pub level: LevelInput,
    /// UID of each resource in `level.resources`.
    pub resource_uids: Vec<i32>,
    /// Name of each resource.
    pub resource_names: Vec<String>,
}

/// Builds the leveling input from a parsed file. Only work resources are leveled (MS Project
/// does not level material or cost resources); assignments with no or zero units are left out.
pub fn level_setup(file: &mspdi::Project, status_date: Option<Date>) -> LevelSetup {
    let engine = to_engine(file, status_date.map(status_date_end_of_day));
    let mut resources = Vec::new();
    let mut resource_uids = Vec::new();
    let mut resource_names = Vec::new();
    let mut res_index: HashMap<i32, u32> = HashMap::new();
    let mut cal_cache: HashMap<i32, Calendar> = HashMap::new();
    for r in &file.resources {
        let is_work = r.resource_type.unwrap_or_default() == mspdi::ResourceType::Work;
        if !is_work || r.is_null || res_index.contains_key(&r.uid) {
            continue;
        }
        let calendar = match r.calendar_uid.filter(|u| file.calendar(*u).is_some()) {
            Some(u) => cal_cache
                .entry(u)
                .or_insert_with(|| calendar_def(file, u).compile())
                .clone(),
            None => engine.project.calendars[0].clone(),
        };
        let max_units = (r.max_units.unwrap_or(1.0).max(0.0) * UNIT as f64).round() as i64;
        res_index.insert(r.uid, resources.len() as u32);
        resources.push(Resource {
            max_units,
            calendar,
        });
        resource_uids.push(r.uid);
        resource_names.push(r.name.clone().unwrap_or_default());
    }
    let task_index: HashMap<i32, u32> = engine
        .uids
        .iter()
        .enumerate()
        .map(|(i, &u)| (u, i as u32))
        .collect();
    let mut demands = Vec::new();
    for a in &file.assignments {
        let (Some(&task), Some(&resource)) =
            (task_index.get(&a.task_uid), res_index.get(&a.resource_uid))
        else {
            continue;
        };
        let units = (a.units.unwrap_or(1.0) * UNIT as f64).round() as i64;
        if units > 0 {
            demands.push(Demand {
                task,
                resource,
                units,
            });
        }
    }
    let file_prio: HashMap<i32, u32> = file
        .tasks
        .iter()
        .filter_map(|t| t.priority.map(|p| (t.uid, p)))
        .collect();
    let priority = engine
        .uids
        .iter()
        .map(|u| file_prio.get(u).copied().unwrap_or(DEFAULT_PRIORITY))
        .collect();
    LevelSetup {
        engine,
        level: LevelInput::new(resources, demands, priority),
        resource_uids,
        resource_names,
    }
}

/// Reads `xml` and returns the §4 schedule JSON (see [`crate::report::schedule_json`]) with,
/// per task, the leveled `"start"`, `"finish"` and `"leveling_delay_minutes"`, and at the top
/// level `"leveled_finish"` and `"resources": [{"uid","name","max_units","load":[{"date",
/// "minutes","capacity_minutes"}]}]` (days with work only; minutes are unit-minutes: one full
/// unit for an hour is 60). Leveling diagnostics are appended to `"diagnostics"`.
pub fn level_json(xml: &[u8], status_date: Option<Date>) -> Result<Value, ReportError> {
    level_json_with(xml, status_date, None)
}

/// [`level_json`] with an explicit number of randomized passes (`None`: the default of
/// [`LevelInput::new`]).
pub fn level_json_with(
    xml: &[u8],
    status_date: Option<Date>,
    passes: Option<u32>,
) -> Result<Value, ReportError> {
    let text = level_json_text(xml, status_date, passes)?;
    // The text is ours and always valid JSON; parsing it back keeps one renderer.
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The same report as [`level_json_with`], written straight to JSON text without building a
/// `Value` tree (what the CLI prints; much cheaper for big plans).
pub fn level_json_text(
    xml: &[u8],
    status_date: Option<Date>,
    passes: Option<u32>,
) -> Result<String, ReportError> {
    let parsed = mspdi::parse(xml)?;
    let mut setup = level_setup(&parsed.project, status_date);
    if let Some(n) = passes {
        setup.level.passes = n;
    }
    let lv = level(&setup.engine.project, &setup.level);
    let mut diagnostics: Vec<Value> = lv
        .cpm
        .diagnostics
        .iter()
        .map(|d| diagnostic_json(&setup.engine, d))
        .collect();
    for n in &setup.engine.notes {
        diagnostics.push(json!({"kind": "conversion_note", "message": n}));
    }
    for w in &parsed.warnings {
        diagnostics.push(json!({"kind": "reader_warning", "message": w.to_string()}));
    }
    for d in &lv.diagnostics {
        diagnostics.push(level_diagnostic_json(&setup, d));
    }
    Ok(render_text(&setup, &lv, &diagnostics))
}

/// The §4 document (same keys and conventions as `report.rs`) with the leveling fields.
fn render_text(setup: &LevelSetup, lv: &Leveled, diagnostics: &[Value]) -> String {
    let input = &setup.engine;
    let s = &lv.cpm;
    let mut out = String::with_capacity(256 + input.uids.len() * 360);
    out.push_str("{\"project\":{\"start\":\"");
    s.project_start.push_iso(&mut out);
    out.push_str("\",\"finish\":\"");
    s.project_finish.push_iso(&mut out);
    out.push_str("\"},\"leveled_finish\":\"");
    lv.project_finish.push_iso(&mut out);
    out.push_str("\",\"tasks\":[");
    let mut days = Days::new();
    for (i, &uid) in input.uids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_task_fields(&mut out, uid, &input.names[i], s, i, &mut days);
        out.push_str(",\"start\":\"");
        lv.start[i].push_iso(&mut out);
        out.push_str("\",\"finish\":\"");
        lv.finish[i].push_iso(&mut out);
        let _ = write!(out, "\",\"leveling_delay_minutes\":{}}}", lv.delay[i]);
    }
    out.push_str("],\"resources\":[");
    for (r, uid) in setup.resource_uids.iter().enumerate() {
        if r > 0 {
            out.push(',');
        }
        let _ = write!(out, "{{\"uid\":{uid},\"name\":");
        push_json_str(&mut out, &setup.resource_names[r]);
        let _ = write!(
            out,
            ",\"max_units\":{},\"load\":[",
            Value::from(setup.level.resources[r].max_units as f64 / UNIT as f64)
        );
        for (k, d) in lv
            .load
            .get(r)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if k > 0 {
                out.push(',');
            }
            let _ = write!(
                out,
                "{{\"date\":\"{}\",\"minutes\":{},\"capacity_minutes\":{}}}",
                d.date, d.minutes, d.capacity_minutes
            );
        }
        out.push_str("]}");
    }
    out.push_str("],\"diagnostics\":");
    out.push_str(&Value::Array(diagnostics.to_vec()).to_string());
    out.push('}');
    out
}

/// One leveling diagnostic as JSON, naming tasks and resources by UID and name.
pub fn level_diagnostic_json(setup: &LevelSetup, d: &LevelDiagnostic) -> Value {
    let input = &setup.engine;
    let uid = |i: u32| input.uids.get(i as usize).copied().unwrap_or(-1);
    let name = |i: u32| input.names.get(i as usize).cloned().unwrap_or_default();
    let ruid = |r: u32| setup.resource_uids.get(r as usize).copied().unwrap_or(-1);
    let rname = |r: u32| {
        setup
            .resource_names
            .get(r as usize)
            .cloned()
            .unwrap_or_default()
    };
    let pct = |u: i64| u as f64 * 100.0 / UNIT as f64;
    match d {
        LevelDiagnostic::DemandExceedsCapacity {
            task,
            resource,
            units,
            max_units,
        } => json!({
            "kind": "demand_exceeds_capacity",
            "task": uid(*task),
            "resource": ruid(*resource),
            "message": format!(
                "task UID {} {:?} needs {}% of resource UID {} {:?}, which has {}%: it stays over-allocated while the task works",
                uid(*task), name(*task), pct(*units), ruid(*resource), rname(*resource), pct(*max_units)
            ),
        }),
        LevelDiagnostic::InvalidDemand { demand } => json!({
            "kind": "invalid_demand",
            "message": format!("assignment {demand} names a missing task or resource; ignored"),
        }),
        LevelDiagnostic::OverAllocated {
            resource,
            from,
            to,
            units,
            max_units,
        } => json!({
            "kind": "over_allocated",
            "resource": ruid(*resource),
            "from": from.to_string(),
            "to": to.to_string(),
            "message": format!(
                "resource UID {} {:?} is loaded at {}% (max {}%) from {} to {} after leveling",
                ruid(*resource), rname(*resource), pct(*units), pct(*max_units), from, to
            ),
        }),
        LevelDiagnostic::ConstraintMissed {
            task,
            constraint,
            date,
            start,
            finish,
        } => json!({
            "kind": "constraint_missed",
            "task": uid(*task),
            "name": name(*task),
            "message": format!(
                "leveling moved task UID {} {:?} to {} - {}, past its {:?} constraint date {}",
                uid(*task), name(*task), start, finish, constraint, date
            ),
        }),
        LevelDiagnostic::DeadlineMissed {
            task,
            deadline,
            finish,
        } => json!({
            "kind": "deadline_missed",
            "task": uid(*task),
            "name": name(*task),
            "message": format!(
                "leveling moved task UID {} {:?} to finish {} after its deadline {}",
                uid(*task), name(*task), finish, deadline
            ),
        }),
    }
}
