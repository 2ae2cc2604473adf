//! Timesheets (hours per task per day for one person, project and week; submitted, then
//! approved or rejected) and project templates (a plan's breakdown with role placeholders
//! and a checklist, to start new projects from).

use crate::plan::{PlanLink, PlanTask};
use crate::validation::{FieldError, Validation};
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most hours one day of one task may carry.
pub const MAX_DAY_MINUTES: u16 = 24 * 60;
/// Most rows one timesheet may hold.
pub const MAX_ROWS: usize = 200;

str_enum! {
    /// Where a timesheet is in its approval.
    TimesheetState {
        Draft = "draft", "Draft";
        Submitted = "submitted", "Submitted";
        Approved = "approved", "Approved";
        Rejected = "rejected", "Rejected";
    }
}

impl TimesheetState {
    /// Whether its owner may still change the hours.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Rejected)
    }
}

/// Minutes on one task, Monday to Sunday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntry {
    pub task_uid: u32,
    pub minutes: [u16; 7],
}

/// One person's week on one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timesheet {
    pub id: Uuid,
    pub person_id: Uuid,
    pub project_id: Uuid,
    /// The Monday the week starts on.
    pub week_start: Date,
    pub state: TimesheetState,
    pub entries: Vec<TimeEntry>,
    /// The approver's comment (required on rejection).
    pub comment: Option<String>,
    pub decided_by: Option<Uuid>,
    pub version: i64,
}

impl Timesheet {
    /// Total minutes of the week.
    pub fn total_minutes(&self) -> i64 {
        self.entries
            .iter()
            .flat_map(|e| e.minutes.iter())
            .map(|&m| i64::from(m))
            .sum()
    }
}

/// The Monday of `d`'s week.
pub fn week_of(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
}

/// Whether `d` is a Monday.
pub fn is_week_start(d: Date) -> bool {
    d.weekday() == Weekday::Monday
}

/// Hours typed in one cell: `7.5`, `7:30`, `7h30`, empty = 0.
pub fn parse_hours(raw: &str) -> Result<u16, String> {
    let s = raw.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Ok(0);
    }
    let minutes = if let Some((h, m)) = s.split_once(':').or_else(|| s.split_once('h')) {
        let h: u32 = h
            .trim()
            .parse()
            .map_err(|_| format!("'{raw}' is not hours"))?;
        let m: u32 = match m.trim() {
            "" => 0,
            m => m.parse().map_err(|_| format!("'{raw}' is not hours"))?,
        };
        if m >= 60 {
            return Err(format!("'{raw}': minutes must be below 60"));
        }
        f64::from(h * 60 + m)
    } else {
        let h: f64 = s
            .parse()
            .map_err(|_| format!("'{raw}' is not a number of hours"))?;
        (h * 60.0).round()
    };
    if !(0.0..=f64::from(MAX_DAY_MINUTES)).contains(&minutes) {
        return Err("must be between 0 and 24 hours".into());
    }
    Ok(minutes as u16)
}

/// Formats minutes as hours for a cell (`7.5`, empty for 0).
pub fn format_hours(minutes: u16) -> String {
    if minutes == 0 {
        String::new()
    } else if minutes.is_multiple_of(60) {
        (minutes / 60).to_string()
    } else {
        format!("{}", (f64::from(minutes) / 60.0 * 100.0).round() / 100.0)
    }
}

/// A week as typed: one row per task, seven hour cells.
#[derive(Debug, Clone, Default)]
pub struct TimesheetDraft {
    pub rows: Vec<(String, [String; 7])>,
}

impl TimesheetDraft {
    /// Validates every cell (errors are on `row{i}_day{d}` / `row{i}_task`); rows with no
    /// hours are dropped. `known_task` tells whether a uid is a leaf task of the plan.
    pub fn validate(
        &self,
        known_task: impl Fn(u32) -> bool,
    ) -> Result<Vec<TimeEntry>, Vec<FieldError>> {
        let mut v = Validation::new();
        let mut out: Vec<TimeEntry> = Vec::new();
        if self.rows.len() > MAX_ROWS {
            v.add("rows", format!("at most {MAX_ROWS} rows"));
        }
        for (i, (task, days)) in self.rows.iter().enumerate().take(MAX_ROWS) {
            let mut minutes = [0u16; 7];
            for (d, cell) in days.iter().enumerate() {
                match parse_hours(cell) {
                    Ok(m) => minutes[d] = m,
                    Err(e) => v.add(&format!("row{i}_day{d}"), e),
                }
            }
            if minutes.iter().all(|&m| m == 0) && task.trim().is_empty() {
                continue;
            }
            let Ok(uid) = task.trim().parse::<u32>() else {
                v.add(&format!("row{i}_task"), "choose a task");
                continue;
            };
            if !known_task(uid) {
                v.add(
                    &format!("row{i}_task"),
                    format!("task {uid} is not a task of this plan"),
                );
                continue;
            }
            if minutes.iter().all(|&m| m == 0) {
                continue;
            }
            match out.iter_mut().find(|e| e.task_uid == uid) {
                Some(e) => {
                    for (have, add) in e.minutes.iter_mut().zip(minutes) {
                        *have = have.saturating_add(add).min(MAX_DAY_MINUTES);
                    }
                }
                None => out.push(TimeEntry {
                    task_uid: uid,
                    minutes,
                }),
            }
        }
        for d in 0..7 {
            let day: u32 = out.iter().map(|e| u32::from(e.minutes[d])).sum();
            if day > u32::from(MAX_DAY_MINUTES) {
                v.add(&format!("day{d}"), "more than 24 hours in one day");
            }
        }
        v.finish(out)
    }
}

/// A reusable project breakdown: tasks (durations, outline, role placeholders instead of
/// people), local links and a checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub tasks: Vec<PlanTask>,
    pub links: Vec<PlanLink>,
    pub checklist: Vec<String>,
    /// Project the template was saved from.
    pub source_project: Option<Uuid>,
    pub version: i64,
}

/// A template as typed.
#[derive(Debug, Clone, Default)]
pub struct TemplateDraft {
    pub name: String,
    pub description: String,
    /// One item per line.
    pub checklist: String,
}

impl TemplateDraft {
    /// Name, description and checklist lines.
    pub fn validate(&self) -> Result<(String, String, Vec<String>), Vec<FieldError>> {
        let mut v = Validation::new();
        let name = v.text("name", &self.name, 120);
        let description = v
            .opt_text("description", Some(&self.description), 2000)
            .unwrap_or_default();
        let checklist: Vec<String> = self
            .checklist
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if checklist.len() > 100 {
            v.add("checklist", "at most 100 items");
        }
        if checklist.iter().any(|l| l.chars().count() > 300) {
            v.add("checklist", "each item at most 300 characters");
        }
        v.finish((name, description, checklist))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_parse() {
        assert_eq!(parse_hours("7.5"), Ok(450));
        assert_eq!(parse_hours("7:30"), Ok(450));
        assert_eq!(parse_hours("7h30"), Ok(450));
        assert_eq!(parse_hours(""), Ok(0));
        assert!(parse_hours("25").is_err());
        assert!(parse_hours("-1").is_err());
        assert!(parse_hours("x").is_err());
        assert_eq!(format_hours(450), "7.5");
        assert_eq!(format_hours(480), "8");
    }

    #[test]
    fn week_starts_on_monday() {
        let d = Date::constant(2026, 11, 28); // Saturday
        assert_eq!(week_of(d), Date::constant(2026, 11, 23));
        assert!(is_week_start(Date::constant(2026, 11, 23)));
    }

    #[test]
    fn draft_validates_cells_and_tasks() {
        let mut d = TimesheetDraft::default();
        let cells =
            |v: &str| std::array::from_fn(|i| if i == 0 { v.to_owned() } else { String::new() });
        d.rows.push(("3".into(), cells("8")));
        d.rows.push(("3".into(), cells("2")));
        d.rows.push(("".into(), cells("")));
        let e = d.validate(|u| u == 3).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].minutes[0], 600);
        d.rows.push(("9".into(), cells("x")));
        let errs = d.validate(|u| u == 3).unwrap_err();
        assert!(errs.iter().any(|e| e.field == "row3_day0"));
        assert!(errs.iter().any(|e| e.field == "row3_task"));
    }
}
