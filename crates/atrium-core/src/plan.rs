//! Project plans: the work breakdown (tasks in outline order), links of every type with lags
//! (also to tasks of other projects), constraints and deadlines, assignments, progress,
//! baselines, budget lines and expenses; the MS Project–style text syntax the table editor
//! uses for durations and predecessors (`5d`, `3FS+2d`, `OTHER-KEY:12SS`).
//!
//! A plan is one document per project (stored whole); the scheduling engine computes its
//! dates, which are never stored here except as baseline snapshots.

use crate::money::{MAX_MINOR, Minor};
use crate::validation::{FieldError, Validation};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Most tasks one plan may hold.
pub const MAX_TASKS: usize = 20_000;
/// Most outline levels.
pub const MAX_LEVEL: u8 = 30;
/// Longest task duration accepted: 20 years of 8-hour days, in minutes.
pub const MAX_DURATION: i64 = 20 * 260 * 8 * 60;
/// Baselines 0..=10, as in MS Project.
pub const BASELINES: u8 = 11;

str_enum! {
    /// How a link ties its predecessor to its successor.
    LinkType {
        Fs = "fs", "Finish-to-start";
        Ss = "ss", "Start-to-start";
        Ff = "ff", "Finish-to-finish";
        Sf = "sf", "Start-to-finish";
    }
}

str_enum! {
    /// Date constraint on a task.
    Constraint {
        Asap = "asap", "As soon as possible";
        Alap = "alap", "As late as possible";
        Snet = "snet", "Start no earlier than";
        Snlt = "snlt", "Start no later than";
        Fnet = "fnet", "Finish no earlier than";
        Fnlt = "fnlt", "Finish no later than";
        Mso = "mso", "Must start on";
        Mfo = "mfo", "Must finish on";
    }
}

impl Constraint {
    /// Whether the constraint needs a date.
    pub fn needs_date(self) -> bool {
        !matches!(self, Self::Asap | Self::Alap)
    }
}

/// A person on a task, at `units` percent of their time (100 = full time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub person_id: Uuid,
    pub units: u16,
}

/// What one baseline captured of a task. Instants are minutes since 1970-01-01T00:00 local
/// time (the scheduling engine's clock); duration and work in minutes; cost in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineValues {
    pub start: i64,
    pub finish: i64,
    pub duration: i64,
    pub work: i64,
    pub cost: i64,
}

/// One row of the work breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanTask {
    /// Stable id within the plan (links, timesheets and baselines refer to it).
    pub uid: u32,
    pub name: String,
    /// Outline level, 1 = top. A task followed by a deeper one is a summary.
    pub level: u8,
    /// Working minutes (ignored for summaries, whose dates roll up).
    pub duration: i64,
    pub milestone: bool,
    pub constraint: Constraint,
    pub constraint_date: Option<Date>,
    pub deadline: Option<Date>,
    /// 0–100.
    pub percent_complete: u8,
    pub actual_start: Option<Date>,
    pub actual_finish: Option<Date>,
    /// Fixed cost, minor units.
    #[serde(default)]
    pub fixed_cost: i64,
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// Approved timesheet hours, minutes.
    #[serde(default)]
    pub actual_work: i64,
    /// Approved timesheet cost, minor units.
    #[serde(default)]
    pub actual_cost: i64,
    /// Role placeholder (templates: "Business analyst").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Baseline number → what it captured.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub baselines: BTreeMap<u8, BaselineValues>,
}

impl PlanTask {
    /// A new task with defaults: one day of work, as soon as possible.
    pub fn new(uid: u32, name: &str, duration: i64) -> PlanTask {
        PlanTask {
            uid,
            name: name.to_owned(),
            level: 1,
            duration,
            milestone: duration == 0,
            constraint: Constraint::Asap,
            constraint_date: None,
            deadline: None,
            percent_complete: 0,
            actual_start: None,
            actual_finish: None,
            fixed_cost: 0,
            assignments: Vec::new(),
            actual_work: 0,
            actual_cost: 0,
            role: None,
            notes: String::new(),
            baselines: BTreeMap::new(),
        }
    }
}

/// A dependency. `pred_project` names another project for a cross-project link (its task
/// `pred` is then read from that project's plan as external dates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLink {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pred_project: Option<Uuid>,
    pub pred: u32,
    pub succ: u32,
    pub kind: LinkType,
    /// Lag in working minutes; negative is a lead.
    pub lag: i64,
}

/// A planned expense or an actual one (`actual = true`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expense {
    pub date: Date,
    pub category: String,
    pub description: String,
    pub amount: Minor,
    pub actual: bool,
}

/// A budget line: amount per cost category and fiscal period (e.g. `FY2027` or `2027-Q1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub category: String,
    pub period: String,
    pub amount: Minor,
}

/// A project's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub project_id: Uuid,
    /// Project start: tasks without predecessors start here.
    pub start: Date,
    pub status_date: Option<Date>,
    pub next_uid: u32,
    pub tasks: Vec<PlanTask>,
    pub links: Vec<PlanLink>,
    /// Baseline number → when it was saved (µs since the epoch).
    #[serde(default)]
    pub baselines_set: BTreeMap<u8, i64>,
    #[serde(default)]
    pub budget: Vec<BudgetLine>,
    #[serde(default)]
    pub expenses: Vec<Expense>,
    pub version: i64,
}

impl Plan {
    /// An empty plan starting on `start`.
    pub fn empty(project_id: Uuid, start: Date) -> Plan {
        Plan {
            project_id,
            start,
            status_date: None,
            next_uid: 1,
            tasks: Vec::new(),
            links: Vec::new(),
            baselines_set: BTreeMap::new(),
            budget: Vec::new(),
            expenses: Vec::new(),
            version: 0,
        }
    }

    /// Row index of the task with `uid`.
    pub fn index_of(&self, uid: u32) -> Option<usize> {
        self.tasks.iter().position(|t| t.uid == uid)
    }

    /// Whether the task at `i` is a summary (the next row is deeper).
    pub fn is_summary(&self, i: usize) -> bool {
        self.tasks
            .get(i + 1)
            .is_some_and(|n| n.level > self.tasks[i].level)
    }

    /// Row index of each task's parent summary.
    pub fn parents(&self) -> Vec<Option<usize>> {
        let mut stack: Vec<usize> = Vec::new();
        let mut out = Vec::with_capacity(self.tasks.len());
        for (i, t) in self.tasks.iter().enumerate() {
            while stack
                .last()
                .is_some_and(|&s| self.tasks[s].level >= t.level)
            {
                stack.pop();
            }
            out.push(stack.last().copied());
            stack.push(i);
        }
        out
    }

    /// Rows `i` and every row below it that is deeper (the task and its subtree).
    pub fn subtree(&self, i: usize) -> std::ops::Range<usize> {
        let level = self.tasks[i].level;
        let end = self.tasks[i + 1..]
            .iter()
            .position(|t| t.level <= level)
            .map_or(self.tasks.len(), |p| i + 1 + p);
        i..end
    }

    /// Makes the outline well formed: the first row at level 1, no row more than one level
    /// deeper than the one above it, every level within 1..=MAX_LEVEL.
    pub fn normalize_outline(&mut self) {
        let mut prev = 0u8;
        for t in &mut self.tasks {
            t.level = t.level.clamp(1, MAX_LEVEL).min(prev + 1);
            prev = t.level;
        }
    }

    /// Links that are local to this plan and whose successor is `uid`.
    pub fn preds_of(&self, uid: u32) -> impl Iterator<Item = &PlanLink> {
        self.links.iter().filter(move |l| l.succ == uid)
    }

    /// Allocates a new task uid.
    pub fn take_uid(&mut self) -> u32 {
        let uid = self.next_uid.max(1);
        self.next_uid = uid + 1;
        uid
    }

    /// Removes the task at row `i` with its subtree and every link touching them.
    pub fn remove_subtree(&mut self, i: usize) -> Vec<PlanTask> {
        let range = self.subtree(i);
        let removed: Vec<PlanTask> = self.tasks.drain(range).collect();
        let gone: std::collections::HashSet<u32> = removed.iter().map(|t| t.uid).collect();
        self.links.retain(|l| {
            !(gone.contains(&l.succ) || l.pred_project.is_none() && gone.contains(&l.pred))
        });
        self.normalize_outline();
        removed
    }

    /// Indents (+1) or outdents (-1) the task at `i` with its subtree.
    pub fn shift_level(&mut self, i: usize, by: i8) -> Result<(), String> {
        let range = self.subtree(i);
        let level = self.tasks[i].level;
        if by > 0 {
            let max = if i == 0 {
                1
            } else {
                self.tasks[i - 1].level + 1
            };
            if level + 1 > max {
                return Err("cannot indent further: there is no task above at its level".into());
            }
        } else if level <= 1 {
            return Err("already at the top level".into());
        }
        for t in &mut self.tasks[range] {
            t.level = if by > 0 {
                (t.level + 1).min(MAX_LEVEL)
            } else {
                t.level - 1
            };
        }
        self.normalize_outline();
        Ok(())
    }

    /// Moves the task at `i` (with its subtree) above the previous sibling (`up`) or below
    /// the next one.
    pub fn move_row(&mut self, i: usize, up: bool) -> Result<(), String> {
        let level = self.tasks[i].level;
        let range = self.subtree(i);
        if up {
            let prev = (0..i).rev().find(|&j| self.tasks[j].level <= level);
            match prev {
                Some(j) if self.tasks[j].level == level => {
                    let block: Vec<PlanTask> = self.tasks.drain(range).collect();
                    self.tasks.splice(j..j, block);
                    Ok(())
                }
                _ => Err("already the first task at its level".into()),
            }
        } else {
            let next = range.end;
            if next < self.tasks.len() && self.tasks[next].level == level {
                let next_range = self.subtree(next);
                let block: Vec<PlanTask> = self.tasks.drain(next_range).collect();
                self.tasks.splice(i..i, block);
                Ok(())
            } else {
                Err("already the last task at its level".into())
            }
        }
    }
}

// ---- text syntax --------------------------------------------------------------------------

/// Parses a duration as typed in the table: `5d`, `2.5d`, `3h`, `30m`, `2w`, `1mo` (20
/// days), or a bare number of days. Returns working minutes (`minutes_per_day` per day).
pub fn parse_duration(raw: &str, minutes_per_day: i64) -> Result<i64, String> {
    let s = raw.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err("is required (e.g. 5d, 3h, 0 for a milestone)".into());
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("'{raw}' is not a duration (e.g. 5d, 3h, 2w)"))?;
    let per = match unit.trim() {
        "" | "d" | "day" | "days" => minutes_per_day,
        "h" | "hr" | "hrs" | "hour" | "hours" => 60,
        "m" | "min" | "mins" | "minute" | "minutes" => 1,
        "w" | "wk" | "wks" | "week" | "weeks" => 5 * minutes_per_day,
        "mo" | "mon" | "month" | "months" => 20 * minutes_per_day,
        u => return Err(format!("unknown unit '{u}' (use m, h, d, w or mo)")),
    };
    let minutes = (n * per as f64).round();
    if !minutes.is_finite() || minutes < 0.0 || minutes > MAX_DURATION as f64 {
        return Err("must be between 0 and 20 years".into());
    }
    Ok(minutes as i64)
}

/// Formats working minutes the way the table shows them: whole or fractional days, or hours
/// when shorter than a day.
pub fn format_duration(minutes: i64, minutes_per_day: i64) -> String {
    let per = minutes_per_day.max(1);
    if minutes == 0 {
        return "0d".into();
    }
    if minutes.abs() < per {
        return if minutes % 60 == 0 {
            format!("{}h", minutes / 60)
        } else {
            format!("{}m", minutes)
        };
    }
    if minutes % per == 0 {
        format!("{}d", minutes / per)
    } else {
        let d = minutes as f64 / per as f64;
        format!("{}d", (d * 100.0).round() / 100.0)
    }
}

/// One predecessor as typed: `[PROJECT-KEY:]UID[TYPE][±LAG]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredSpec {
    pub project_key: Option<String>,
    pub uid: u32,
    pub kind: LinkType,
    pub lag: i64,
}

/// Parses a predecessor list such as `3, 5SS+2d; ALPHA:12FF-1d`.
pub fn parse_predecessors(raw: &str, minutes_per_day: i64) -> Result<Vec<PredSpec>, String> {
    let mut out = Vec::new();
    for item in raw
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let (key, rest) = match item.rsplit_once(':') {
            Some((k, r)) => {
                let k = k.trim();
                if k.is_empty() {
                    return Err(format!("'{item}': the project key before ':' is empty"));
                }
                (Some(k.to_ascii_uppercase()), r.trim())
            }
            None => (None, item),
        };
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let uid: u32 = rest[..digits]
            .parse()
            .map_err(|_| format!("'{item}' does not start with a task id (e.g. 3FS+2d)"))?;
        let rest = rest[digits..].trim();
        let (kind, rest) = if rest.len() >= 2 && rest.is_char_boundary(2) {
            match LinkType::parse(&rest[..2].to_ascii_lowercase()) {
                Some(k) => (k, rest[2..].trim()),
                None => (LinkType::Fs, rest),
            }
        } else {
            (LinkType::Fs, rest)
        };
        let lag = if rest.is_empty() {
            0
        } else {
            let (sign, d) = match rest.as_bytes()[0] {
                b'+' => (1, &rest[1..]),
                b'-' => (-1, &rest[1..]),
                _ => {
                    return Err(format!(
                        "'{item}': expected a link type (FS, SS, FF, SF) and a lag like +2d"
                    ));
                }
            };
            sign * parse_duration(d, minutes_per_day).map_err(|e| format!("'{item}': lag {e}"))?
        };
        out.push(PredSpec {
            project_key: key,
            uid,
            kind,
            lag,
        });
    }
    if out.len() > 100 {
        return Err("at most 100 predecessors per task".into());
    }
    Ok(out)
}

/// Formats one predecessor back into the table syntax (`FS` and zero lag are left out).
pub fn format_predecessor(
    project_key: Option<&str>,
    uid: u32,
    kind: LinkType,
    lag: i64,
    minutes_per_day: i64,
) -> String {
    let mut s = String::new();
    if let Some(k) = project_key {
        s.push_str(k);
        s.push(':');
    }
    s.push_str(&uid.to_string());
    if kind != LinkType::Fs || lag != 0 {
        s.push_str(&kind.as_str().to_ascii_uppercase());
    }
    if lag != 0 {
        s.push(if lag > 0 { '+' } else { '-' });
        s.push_str(&format_duration(lag.abs(), minutes_per_day));
    }
    s
}

/// A task as typed in the table or sent to the API; every field is text.
#[derive(Debug, Clone, Default)]
pub struct TaskDraft {
    pub name: String,
    pub duration: String,
    pub milestone: bool,
    pub predecessors: String,
    pub constraint: String,
    pub constraint_date: String,
    pub deadline: String,
    pub percent_complete: String,
    pub actual_start: String,
    pub actual_finish: String,
    pub fixed_cost: String,
    /// `email-or-name[units%]` separated by commas (resolved by the application layer).
    pub resources: String,
    pub notes: String,
}

/// A partial change to a task (the API's PATCH): fields left `None` keep their values.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub name: Option<String>,
    pub duration: Option<String>,
    pub milestone: Option<bool>,
    pub predecessors: Option<String>,
    pub constraint: Option<String>,
    pub constraint_date: Option<String>,
    pub deadline: Option<String>,
    pub percent_complete: Option<String>,
    pub actual_start: Option<String>,
    pub actual_finish: Option<String>,
    pub fixed_cost: Option<String>,
    pub resources: Option<String>,
    pub notes: Option<String>,
}

impl TaskPatch {
    /// The draft `cur` with this patch's fields applied.
    pub fn apply(self, cur: TaskDraft) -> TaskDraft {
        TaskDraft {
            name: self.name.unwrap_or(cur.name),
            duration: self.duration.unwrap_or(cur.duration),
            milestone: self.milestone.unwrap_or(cur.milestone),
            predecessors: self.predecessors.unwrap_or(cur.predecessors),
            constraint: self.constraint.unwrap_or(cur.constraint),
            constraint_date: self.constraint_date.unwrap_or(cur.constraint_date),
            deadline: self.deadline.unwrap_or(cur.deadline),
            percent_complete: self.percent_complete.unwrap_or(cur.percent_complete),
            actual_start: self.actual_start.unwrap_or(cur.actual_start),
            actual_finish: self.actual_finish.unwrap_or(cur.actual_finish),
            fixed_cost: self.fixed_cost.unwrap_or(cur.fixed_cost),
            resources: self.resources.unwrap_or(cur.resources),
            notes: self.notes.unwrap_or(cur.notes),
        }
    }
}

/// A validated task edit; predecessors and resources still need resolving against the
/// database (other projects' keys, people).
#[derive(Debug, Clone)]
pub struct TaskEdit {
    pub name: String,
    pub duration: i64,
    pub milestone: bool,
    pub predecessors: Vec<PredSpec>,
    pub constraint: Constraint,
    pub constraint_date: Option<Date>,
    pub deadline: Option<Date>,
    pub percent_complete: u8,
    pub actual_start: Option<Date>,
    pub actual_finish: Option<Date>,
    pub fixed_cost: i64,
    pub resources: Vec<(String, u16)>,
    pub notes: String,
}

fn opt_date(v: &mut Validation, field: &str, raw: &str) -> Option<Date> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            v.add(field, "must be a date like 2027-03-31");
            None
        }
    }
}

/// Parses `name[50%]` items separated by commas.
pub fn parse_resources(raw: &str) -> Result<Vec<(String, u16)>, String> {
    let mut out = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, units) = match item.split_once('[') {
            Some((n, rest)) => {
                let u = rest
                    .trim_end_matches(']')
                    .trim()
                    .trim_end_matches('%')
                    .trim();
                let units: u16 = u
                    .parse()
                    .ok()
                    .filter(|&u| (1..=1000).contains(&u))
                    .ok_or_else(|| format!("'{item}': units must be 1–1000 %, e.g. Ann[50%]"))?;
                (n.trim(), units)
            }
            None => (item, 100),
        };
        if name.is_empty() {
            return Err(format!("'{item}': the name is empty"));
        }
        out.push((name.to_owned(), units));
    }
    if out.len() > 50 {
        return Err("at most 50 resources per task".into());
    }
    Ok(out)
}

impl TaskDraft {
    /// Validates every field, collecting all errors at once.
    pub fn validate(&self, minutes_per_day: i64) -> Result<TaskEdit, Vec<FieldError>> {
        let mut v = Validation::new();
        let name = v.text("name", &self.name, 200);
        let duration = if self.duration.trim().is_empty() && self.milestone {
            0
        } else {
            match parse_duration(&self.duration, minutes_per_day) {
                Ok(d) => d,
                Err(e) => {
                    v.add("duration", e);
                    0
                }
            }
        };
        let predecessors = match parse_predecessors(&self.predecessors, minutes_per_day) {
            Ok(p) => p,
            Err(e) => {
                v.add("predecessors", e);
                Vec::new()
            }
        };
        let constraint = if self.constraint.trim().is_empty() {
            Constraint::Asap
        } else {
            Constraint::parse(self.constraint.trim()).unwrap_or_else(|| {
                v.add("constraint", "is not a known constraint");
                Constraint::Asap
            })
        };
        let constraint_date = opt_date(&mut v, "constraint_date", &self.constraint_date);
        if constraint.needs_date() && constraint_date.is_none() {
            v.add(
                "constraint_date",
                format!("'{}' needs a date", constraint.label()),
            );
        }
        let deadline = opt_date(&mut v, "deadline", &self.deadline);
        let percent_complete = match self.percent_complete.trim().trim_end_matches('%').trim() {
            "" => 0,
            s => s
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= 100)
                .unwrap_or_else(|| {
                    v.add("percent_complete", "must be a whole number from 0 to 100");
                    0
                }),
        };
        let actual_start = opt_date(&mut v, "actual_start", &self.actual_start);
        let actual_finish = opt_date(&mut v, "actual_finish", &self.actual_finish);
        if let (Some(s), Some(f)) = (actual_start, actual_finish)
            && f < s
        {
            v.add("actual_finish", "must not be before the actual start");
        }
        let fixed_cost = match self.fixed_cost.trim().replace([',', '_'], "") {
            s if s.is_empty() => 0,
            s => match s.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 && x * 100.0 <= MAX_MINOR as f64 => {
                    (x * 100.0).round() as i64
                }
                _ => {
                    v.add("fixed_cost", "must be an amount like 1500 or 1500.50");
                    0
                }
            },
        };
        let resources = match parse_resources(&self.resources) {
            Ok(r) => r,
            Err(e) => {
                v.add("resources", e);
                Vec::new()
            }
        };
        let notes = v
            .opt_text("notes", Some(&self.notes), 4000)
            .unwrap_or_default();
        v.finish(TaskEdit {
            name,
            duration,
            milestone: self.milestone || duration == 0,
            predecessors,
            constraint,
            constraint_date,
            deadline,
            percent_complete,
            actual_start,
            actual_finish,
            fixed_cost,
            resources,
            notes,
        })
    }
}

/// What the table shows in the resources cell: `Name[units%]` (100 % left out).
pub fn format_resources(names: &[(String, u16)]) -> String {
    names
        .iter()
        .map(|(n, u)| {
            if *u == 100 {
                n.clone()
            } else {
                format!("{n}[{u}%]")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A budget line as typed.
#[derive(Debug, Clone, Default)]
pub struct BudgetLineDraft {
    pub category: String,
    pub period: String,
    pub amount: String,
}

impl BudgetLineDraft {
    pub fn validate(&self) -> Result<BudgetLine, Vec<FieldError>> {
        let mut v = Validation::new();
        let category = v.text("category", &self.category, 60);
        let period = v.text("period", &self.period, 20);
        let amount = Minor::parse_decimal(&self.amount)
            .filter(|m| m.0 >= 0)
            .unwrap_or_else(|| {
                v.add("amount", "must be an amount like 25000 or 25000.50");
                Minor(0)
            });
        v.finish(BudgetLine {
            category,
            period,
            amount,
        })
    }
}

/// An expense as typed.
#[derive(Debug, Clone, Default)]
pub struct ExpenseDraft {
    pub date: String,
    pub category: String,
    pub description: String,
    pub amount: String,
    pub actual: bool,
}

impl ExpenseDraft {
    pub fn validate(&self) -> Result<Expense, Vec<FieldError>> {
        let mut v = Validation::new();
        let date = opt_date(&mut v, "date", &self.date);
        if date.is_none() && self.date.trim().is_empty() {
            v.add("date", "is required");
        }
        let category = v.text("category", &self.category, 60);
        let description = v.text("description", &self.description, 200);
        let amount = Minor::parse_decimal(&self.amount)
            .filter(|m| m.0 >= 0)
            .unwrap_or_else(|| {
                v.add("amount", "must be an amount like 1200 or 1200.50");
                Minor(0)
            });
        v.finish(Expense {
            date: date.unwrap_or(Date::constant(1970, 1, 1)),
            category,
            description,
            amount,
            actual: self.actual,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_format() {
        assert_eq!(parse_duration("5d", 480), Ok(2400));
        assert_eq!(parse_duration("2.5", 480), Ok(1200));
        assert_eq!(parse_duration("3h", 480), Ok(180));
        assert_eq!(parse_duration("2w", 480), Ok(4800));
        assert!(parse_duration("5x", 480).is_err());
        assert!(parse_duration("-1d", 480).is_err());
        assert!(parse_duration("1e30d", 480).is_err());
        assert_eq!(format_duration(2400, 480), "5d");
        assert_eq!(format_duration(1200, 480), "2.5d");
        assert_eq!(format_duration(180, 480), "3h");
    }

    #[test]
    fn predecessors_round_trip() {
        let p = parse_predecessors("3, 5SS+2d; alpha:12ff-1d", 480).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].kind, LinkType::Ss);
        assert_eq!(p[1].lag, 960);
        assert_eq!(p[2].project_key.as_deref(), Some("ALPHA"));
        assert_eq!(p[2].lag, -480);
        assert_eq!(
            format_predecessor(Some("ALPHA"), 12, LinkType::Ff, -480, 480),
            "ALPHA:12FF-1d"
        );
        assert_eq!(format_predecessor(None, 3, LinkType::Fs, 0, 480), "3");
        assert!(parse_predecessors("x", 480).is_err());
        assert!(parse_predecessors("3XX", 480).is_err());
    }

    #[test]
    fn outline_operations_keep_subtrees_together() {
        let mut p = Plan::empty(Uuid::nil(), Date::constant(2027, 1, 4));
        for (name, level) in [("A", 1), ("A1", 2), ("A2", 2), ("B", 1)] {
            let uid = p.take_uid();
            let mut t = PlanTask::new(uid, name, 480);
            t.level = level;
            p.tasks.push(t);
        }
        assert!(p.is_summary(0));
        assert_eq!(p.subtree(0), 0..3);
        assert_eq!(p.parents()[2], Some(0));
        p.move_row(3, true).unwrap();
        let names: Vec<&str> = p.tasks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["B", "A", "A1", "A2"]);
        assert!(p.shift_level(0, 1).is_err());
        p.shift_level(1, 1).unwrap();
        assert_eq!(p.tasks[1].level, 2);
        assert_eq!(p.tasks[2].level, 3);
        p.links.push(PlanLink {
            pred_project: None,
            pred: 2,
            succ: 4,
            kind: LinkType::Fs,
            lag: 0,
        });
        let removed = p.remove_subtree(1);
        assert_eq!(removed.len(), 3);
        assert!(p.links.is_empty());
    }

    #[test]
    fn task_draft_reports_every_bad_field() {
        let d = TaskDraft {
            name: " ".into(),
            duration: "x".into(),
            predecessors: "1QQ".into(),
            constraint: "mso".into(),
            percent_complete: "120".into(),
            resources: "Ann[0%]".into(),
            ..Default::default()
        };
        let errs = d.validate(480).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "name",
            "duration",
            "predecessors",
            "constraint_date",
            "percent_complete",
            "resources",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
    }
}
