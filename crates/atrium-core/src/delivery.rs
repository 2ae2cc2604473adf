//! Delivery records of a project: status reports, the issue / decision / change-request log and lessons learned.
//!
//! Pure types, reporting periods and validation; the use cases (authorization, snapshots of
//! the plan's key figures, applying an approved change) live in `atrium-app`.

use crate::money::{MAX_MINOR, Minor};
use crate::org::ReportingCycle;
use crate::plan::parse_duration;
use crate::project::Rag;
use crate::validation::{FieldError, Validation, limits};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// ======================= reporting periods =======================

/// The Monday biweekly periods count from (2026-W02, so in 2026 fortnights start on even ISO
/// weeks; counting from a fixed day keeps them regular across 53-week years).
pub fn biweekly_anchor() -> Date {
    jiff::civil::date(2026, 1, 5)
}

fn monday_of(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(back.days()).unwrap_or(d)
}

/// The first day of the reporting period containing `d` (its key): the Monday of the week
/// (weekly); the Monday of the fortnight counted from 2026-01-05 (biweekly, also before
/// that date); the first of the month (monthly).
pub fn period_start(cycle: ReportingCycle, d: Date) -> Date {
    match cycle {
        ReportingCycle::Weekly => monday_of(d),
        ReportingCycle::Biweekly => {
            let m = monday_of(d);
            let weeks = (m - biweekly_anchor()).get_days().div_euclid(7);
            if weeks.rem_euclid(2) == 1 {
                m.checked_sub(7.days()).unwrap_or(m)
            } else {
                m
            }
        }
        ReportingCycle::Monthly => d.first_of_month(),
    }
}

/// The last day of the period that starts on `start`.
pub fn period_end(cycle: ReportingCycle, start: Date) -> Date {
    match cycle {
        ReportingCycle::Weekly => start.checked_add(6.days()).unwrap_or(start),
        ReportingCycle::Biweekly => start.checked_add(13.days()).unwrap_or(start),
        ReportingCycle::Monthly => start.last_of_month(),
    }
}

/// The start of the last period that ended before the period containing `today` — the
/// period whose report is due now.
pub fn previous_period(cycle: ReportingCycle, today: Date) -> Date {
    let cur = period_start(cycle, today);
    period_start(cycle, cur.yesterday().unwrap_or(cur))
}

/// Parses a period key typed by a user: an ISO date that starts a period of the cycle.
pub fn parse_period(cycle: ReportingCycle, raw: &str) -> Result<Date, String> {
    let d: Date = raw
        .trim()
        .parse()
        .map_err(|_| format!("'{}' is not a date (YYYY-MM-DD)", raw.trim()))?;
    let start = period_start(cycle, d);
    if start == d {
        Ok(d)
    } else {
        Err(format!(
            "is not the first day of a {} period (that period starts on {start})",
            cycle.as_str()
        ))
    }
}

/// A period as people read it: "2026-11-02 – 2026-11-08".
pub fn period_label(cycle: ReportingCycle, start: Date) -> String {
    format!("{start} – {}", period_end(cycle, start))
}

// ======================= status reports =======================

str_enum! {
    /// Where a status report is: drafts are edited; submitted reports are frozen.
    ReportState {
        Draft = "draft", "Draft";
        Submitted = "submitted", "Submitted";
    }
}

/// The plan's key figures frozen into a report when it is submitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FigureSnapshot {
    /// The status date the figures were computed at (period end, or the day of submission if earlier).
    pub status_date: Option<Date>,
    pub spi: Option<f64>,
    pub cpi: Option<f64>,
    /// 0–100.
    pub percent_complete: f64,
    pub milestones_due: u32,
    pub milestones_missed: u32,
    pub finish: Option<Date>,
    pub baseline_finish: Option<Date>,
}

/// One status report: one revision of a project's report for one reporting period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    pub id: Uuid,
    pub project_id: Uuid,
    /// First day of the reporting period (the period key).
    pub period: Date,
    pub period_end: Date,
    /// 1 for the first report of the period; a correction is the next revision.
    pub revision: i64,
    pub state: ReportState,
    pub schedule: Rag,
    pub cost: Rag,
    pub scope: Rag,
    pub risk: Rag,
    pub overall: Rag,
    pub narrative: String,
    /// Frozen on submission.
    pub figures: Option<FigureSnapshot>,
    pub created_by: Option<Uuid>,
    pub submitted_by: Option<Uuid>,
    /// Microseconds since the epoch.
    pub submitted_at: Option<i64>,
    pub version: i64,
}

/// The editable part of a report as typed in a form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct ReportDraft {
    pub schedule: String,
    pub cost: String,
    pub scope: String,
    pub risk: String,
    pub overall: String,
    pub narrative: String,
}

/// The validated editable part of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFields {
    pub schedule: Rag,
    pub cost: Rag,
    pub scope: Rag,
    pub risk: Rag,
    pub overall: Rag,
    pub narrative: String,
}

fn rag(v: &mut Validation, field: &str, raw: &str) -> Rag {
    Rag::parse(raw.trim().to_ascii_lowercase().as_str()).unwrap_or_else(|| {
        v.add(field, "must be green, amber or red");
        Rag::Green
    })
}

impl ReportDraft {
    /// Validates the fields; the narrative may be empty in a draft but not on submission.
    pub fn validate(&self) -> Result<ReportFields, Vec<FieldError>> {
        let mut v = Validation::new();
        let f = ReportFields {
            schedule: rag(&mut v, "schedule", &self.schedule),
            cost: rag(&mut v, "cost", &self.cost),
            scope: rag(&mut v, "scope", &self.scope),
            risk: rag(&mut v, "risk", &self.risk),
            overall: rag(&mut v, "overall", &self.overall),
            narrative: v
                .opt_text(
                    "narrative",
                    Some(self.narrative.as_str()),
                    limits::DESCRIPTION,
                )
                .unwrap_or_default(),
        };
        v.finish(f)
    }

    pub fn from_report(r: &StatusReport) -> Self {
        Self {
            schedule: r.schedule.as_str().into(),
            cost: r.cost.as_str().into(),
            scope: r.scope.as_str().into(),
            risk: r.risk.as_str().into(),
            overall: r.overall.as_str().into(),
            narrative: r.narrative.clone(),
        }
    }
}

impl StatusReport {
    pub fn apply(&mut self, f: ReportFields) {
        self.schedule = f.schedule;
        self.cost = f.cost;
        self.scope = f.scope;
        self.risk = f.risk;
        self.overall = f.overall;
        self.narrative = f.narrative;
    }

    /// What must hold before a report is submitted.
    pub fn check_submittable(&self) -> Result<(), Vec<FieldError>> {
        let mut v = Validation::new();
        if self.narrative.trim().is_empty() {
            v.add(
                "narrative",
                "is required to submit: say what happened, what is next and what needs attention",
            );
        }
        v.finish(())
    }

    /// The status date of the figures frozen on submission: the period end, or `today` when
    /// the report is submitted before its period is over.
    pub fn status_date(&self, today: Date) -> Date {
        self.period_end.min(today)
    }
}

// ======================= issues, decisions, change requests =======================

str_enum! {
    /// What a log entry records.
    LogKind {
        Issue = "issue", "Issue";
        Decision = "decision", "Decision";
        Change = "change", "Change request";
    }
}

str_enum! {
    Priority {
        Low = "low", "Low";
        Medium = "medium", "Medium";
        High = "high", "High";
        Critical = "critical", "Critical";
    }
}

str_enum! {
    /// The status of a log entry; which ones apply depends on its kind.
    LogStatus {
        Open = "open", "Open";
        InProgress = "in_progress", "In progress";
        Resolved = "resolved", "Resolved";
        Closed = "closed", "Closed";
        Proposed = "proposed", "Proposed";
        Made = "made", "Made";
        Superseded = "superseded", "Superseded";
        Draft = "draft", "Draft";
        Submitted = "submitted", "Submitted";
        Approved = "approved", "Approved";
        Rejected = "rejected", "Rejected";
        Withdrawn = "withdrawn", "Withdrawn";
    }
}

impl LogKind {
    /// The number prefix: I-1, D-3, CR-2.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Issue => "I",
            Self::Decision => "D",
            Self::Change => "CR",
        }
    }
    /// Every status an entry of this kind can have.
    pub fn statuses(self) -> &'static [LogStatus] {
        use LogStatus::*;
        match self {
            Self::Issue => &[Open, InProgress, Resolved, Closed],
            Self::Decision => &[Proposed, Made, Superseded],
            Self::Change => &[Draft, Submitted, Approved, Rejected, Withdrawn],
        }
    }
    /// The statuses a user may set by editing (approval and rejection are decisions).
    pub fn editable_statuses(self) -> &'static [LogStatus] {
        use LogStatus::*;
        match self {
            Self::Change => &[Draft, Submitted, Withdrawn],
            other => other.statuses(),
        }
    }
    pub fn initial(self) -> LogStatus {
        self.statuses()[0]
    }
}

/// Most task links one entry may carry.
pub const MAX_TASK_LINKS: usize = 100;

/// The schedule impact of a change request: a task's duration grows (or shrinks) by
/// `delta_minutes` working minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleImpact {
    pub task_uid: u32,
    pub delta_minutes: i64,
    /// As typed ("+5d").
    pub text: String,
}

/// What a change request changes when approved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeImpact {
    pub schedule: Option<ScheduleImpact>,
    /// Added to the project budget (negative = a saving), in the project's currency.
    pub cost: Option<Minor>,
    pub scope: Option<String>,
}

/// The decision on a change request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeDecision {
    pub approved: bool,
    pub comment: String,
    pub by: Option<Uuid>,
    pub by_name: String,
    /// Microseconds since the epoch.
    pub at: i64,
}

/// An issue, a decision or a change request of a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub id: Uuid,
    pub project_id: Uuid,
    pub kind: LogKind,
    /// Per project and kind, from 1.
    pub number: i64,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    pub due: Option<Date>,
    pub priority: Priority,
    pub status: LogStatus,
    /// Uids of linked plan tasks.
    pub tasks: Vec<u32>,
    /// Change requests only.
    pub impact: Option<ChangeImpact>,
    pub decision: Option<ChangeDecision>,
    pub version: i64,
}

impl LogEntry {
    /// "CR-2".
    pub fn reference(&self) -> String {
        format!("{}-{}", self.kind.prefix(), self.number)
    }
    /// Decided change requests are final.
    pub fn is_final(&self) -> bool {
        matches!(self.status, LogStatus::Approved | LogStatus::Rejected)
    }
}

/// A log entry as typed in a form or sent to the API, before validation.
#[derive(Debug, Clone, Default)]
pub struct LogDraft {
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    pub due: String,
    pub priority: String,
    /// Empty = the kind's first status.
    pub status: String,
    /// Task uids separated by commas or spaces.
    pub tasks: String,
    /// Change requests: the task whose duration changes.
    pub schedule_task: String,
    /// Change requests: "+5d", "-2d", "3h".
    pub schedule_delta: String,
    /// Change requests: a decimal amount added to the budget.
    pub cost: String,
    pub scope: String,
}

/// Parses a signed duration such as `+5d` or `-3h` into working minutes.
pub fn parse_delta(raw: &str, minutes_per_day: i64) -> Result<i64, String> {
    let s = raw.trim();
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest.trim_start().starts_with(['+', '-']) {
        return Err(format!("'{s}' is not a duration change (e.g. +5d, -2d)"));
    }
    let m = parse_duration(rest, minutes_per_day)?;
    Ok(sign * m)
}

/// Parses task uids separated by commas, semicolons or spaces.
pub fn parse_task_uids(raw: &str) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    for t in raw
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let uid: u32 = t
            .trim_start_matches('#')
            .parse()
            .map_err(|_| format!("'{t}' is not a task number (use the task uids, e.g. 3, 7)"))?;
        if !out.contains(&uid) {
            out.push(uid);
        }
        if out.len() > MAX_TASK_LINKS {
            return Err(format!("at most {MAX_TASK_LINKS} linked tasks"));
        }
    }
    Ok(out)
}

/// The validated editable part of a log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LogFields {
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    pub due: Option<Date>,
    pub priority: Priority,
    pub status: LogStatus,
    pub tasks: Vec<u32>,
    pub impact: Option<ChangeImpact>,
}

impl LogDraft {
    /// Validates for an entry of `kind`; `minutes_per_day` converts day durations.
    pub fn validate(
        &self,
        kind: LogKind,
        minutes_per_day: i64,
    ) -> Result<LogFields, Vec<FieldError>> {
        let mut v = Validation::new();
        let title = v.text("title", &self.title, limits::NAME);
        let description = v.opt_text(
            "description",
            self.description.as_deref(),
            limits::DESCRIPTION,
        );
        let due = match self.due.trim() {
            "" => None,
            s => match s.parse::<Date>() {
                Ok(d) => Some(d),
                Err(_) => {
                    v.add("due", "must be a date (YYYY-MM-DD)");
                    None
                }
            },
        };
        let priority = match self.priority.trim() {
            "" => Priority::Medium,
            s => Priority::parse(&s.to_ascii_lowercase()).unwrap_or_else(|| {
                v.add("priority", "must be low, medium, high or critical");
                Priority::Medium
            }),
        };
        let allowed = kind.editable_statuses();
        let status = match self.status.trim() {
            "" => kind.initial(),
            s => match LogStatus::parse(&s.to_ascii_lowercase()) {
                Some(st) if allowed.contains(&st) => st,
                Some(st) if kind.statuses().contains(&st) => {
                    v.add(
                        "status",
                        format!(
                            "{} is set by deciding the change request (Approve / Reject), not by editing",
                            st.label().to_lowercase()
                        ),
                    );
                    kind.initial()
                }
                _ => {
                    v.add(
                        "status",
                        format!(
                            "must be one of {} for {}",
                            allowed
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            kind.label().to_lowercase()
                        ),
                    );
                    kind.initial()
                }
            },
        };
        let tasks = parse_task_uids(&self.tasks).unwrap_or_else(|e| {
            v.add("tasks", e);
            vec![]
        });
        let impact = if kind == LogKind::Change {
            let task = self.schedule_task.trim();
            let delta = self.schedule_delta.trim();
            let schedule = match (task.is_empty(), delta.is_empty()) {
                (true, true) => None,
                (false, true) => {
                    v.add(
                        "schedule_delta",
                        "give the change in duration (e.g. +5d) for the task",
                    );
                    None
                }
                (true, false) => {
                    v.add(
                        "schedule_task",
                        "give the task (its uid) whose duration changes",
                    );
                    None
                }
                (false, false) => {
                    let uid = task.trim_start_matches('#').parse::<u32>().map_err(|_| {
                        v.add("schedule_task", "must be a task number (uid)");
                    });
                    let d = parse_delta(delta, minutes_per_day).map_err(|e| {
                        v.add("schedule_delta", e);
                    });
                    match (uid, d) {
                        (Ok(task_uid), Ok(delta_minutes)) => Some(ScheduleImpact {
                            task_uid,
                            delta_minutes,
                            text: delta.to_owned(),
                        }),
                        _ => None,
                    }
                }
            };
            let cost = match self.cost.trim() {
                "" => None,
                s => match Minor::parse_decimal(s) {
                    Some(m) if m.0.abs() <= MAX_MINOR => Some(m),
                    _ => {
                        v.add(
                            "cost",
                            "must be an amount such as 12500 or -3000.50 (at most two decimals)",
                        );
                        None
                    }
                },
            };
            let scope = v.opt_text("scope", Some(self.scope.as_str()), limits::DESCRIPTION);
            Some(ChangeImpact {
                schedule,
                cost,
                scope,
            })
        } else {
            None
        };
        v.finish(LogFields {
            title,
            description,
            owner_id: self.owner_id,
            due,
            priority,
            status,
            tasks,
            impact,
        })
    }

    pub fn from_entry(e: &LogEntry) -> Self {
        let imp = e.impact.clone().unwrap_or_default();
        Self {
            title: e.title.clone(),
            description: e.description.clone(),
            owner_id: e.owner_id,
            due: e.due.map(|d| d.to_string()).unwrap_or_default(),
            priority: e.priority.as_str().into(),
            status: e.status.as_str().into(),
            tasks: e
                .tasks
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            schedule_task: imp
                .schedule
                .as_ref()
                .map(|s| s.task_uid.to_string())
                .unwrap_or_default(),
            schedule_delta: imp.schedule.map(|s| s.text).unwrap_or_default(),
            cost: imp.cost.map(|c| c.plain()).unwrap_or_default(),
            scope: imp.scope.unwrap_or_default(),
        }
    }
}

impl LogEntry {
    pub fn apply(&mut self, f: LogFields) {
        self.title = f.title;
        self.description = f.description;
        self.owner_id = f.owner_id;
        self.due = f.due;
        self.priority = f.priority;
        self.status = f.status;
        self.tasks = f.tasks;
        self.impact = f.impact;
    }
}

// ======================= lessons learned =======================

/// Most tags on a lessons record.
pub const MAX_TAGS: usize = 20;
const TAG_LEN: usize = 40;

/// A project's lessons learned (one record per project).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lessons {
    pub project_id: Uuid,
    pub went_well: String,
    pub went_badly: String,
    pub recommendations: String,
    /// Lowercase, unique, at most 20.
    pub tags: Vec<String>,
    /// 0 = not recorded yet.
    pub version: i64,
}

impl Lessons {
    /// Whether anything was recorded (closing a project needs this).
    pub fn has_content(&self) -> bool {
        [&self.went_well, &self.went_badly, &self.recommendations]
            .iter()
            .any(|t| !t.trim().is_empty())
    }
}

#[derive(Debug, Clone, Default)]
pub struct LessonsDraft {
    pub went_well: String,
    pub went_badly: String,
    pub recommendations: String,
    /// Comma-separated.
    pub tags: String,
}

/// Splits a comma list into lowercase, trimmed, unique tags (in order).
pub fn normalize_tags(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw.split(',') {
        let t = t
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

impl LessonsDraft {
    pub fn validate(&self, project_id: Uuid, version: i64) -> Result<Lessons, Vec<FieldError>> {
        let mut v = Validation::new();
        let mut text = |field: &str, s: &str| {
            v.opt_text(field, Some(s), limits::DESCRIPTION)
                .unwrap_or_default()
        };
        let went_well = text("went_well", &self.went_well);
        let went_badly = text("went_badly", &self.went_badly);
        let recommendations = text("recommendations", &self.recommendations);
        let tags = normalize_tags(&self.tags);
        if tags.len() > MAX_TAGS {
            v.add(
                "tags",
                format!("at most {MAX_TAGS} tags (got {})", tags.len()),
            );
        }
        if let Some(t) = tags.iter().find(|t| t.chars().count() > TAG_LEN) {
            v.add(
                "tags",
                format!("a tag has at most {TAG_LEN} characters ('{t}' is longer)"),
            );
        }
        if tags.iter().any(|t| t.chars().any(char::is_control)) {
            v.add("tags", "must not contain control characters");
        }
        v.finish(Lessons {
            project_id,
            went_well,
            went_badly,
            recommendations,
            tags,
            version,
        })
    }

    pub fn from_lessons(l: &Lessons) -> Self {
        Self {
            went_well: l.went_well.clone(),
            went_badly: l.went_badly.clone(),
            recommendations: l.recommendations.clone(),
            tags: l.tags.join(", "),
        }
    }
}

/// The field error refusing to close a project without lessons learned.
pub fn closing_needs_lessons() -> FieldError {
    FieldError {
        field: "phase".into(),
        message: "record the lessons learned before closing (Lessons tab)".into(),
    }
}

/// Whether `d` is a Monday (weekly and biweekly periods start on Mondays).
pub fn is_monday(d: Date) -> bool {
    d.weekday() == Weekday::Monday
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn periods_per_cycle() {
        let d = date(2026, 11, 26); // a Thursday
        assert_eq!(period_start(ReportingCycle::Weekly, d), date(2026, 11, 23));
        assert_eq!(period_start(ReportingCycle::Monthly, d), date(2026, 11, 1));
        assert_eq!(
            period_end(ReportingCycle::Monthly, date(2026, 2, 1)),
            date(2026, 2, 28)
        );
        // Biweekly: 2026-01-05 starts a fortnight; so do every 14 days before and after.
        let anchor = biweekly_anchor();
        assert_eq!(period_start(ReportingCycle::Biweekly, anchor), anchor);
        assert_eq!(
            period_start(ReportingCycle::Biweekly, date(2026, 1, 18)),
            anchor
        );
        assert_eq!(
            period_start(ReportingCycle::Biweekly, date(2026, 1, 19)),
            date(2026, 1, 19)
        );
        assert_eq!(
            period_start(ReportingCycle::Biweekly, date(2026, 1, 4)),
            date(2025, 12, 22)
        );
        // 2026-11-23 is 46 weeks after the anchor (ISO week 48): a fortnight starts there.
        assert_eq!(
            period_start(ReportingCycle::Biweekly, d),
            date(2026, 11, 23)
        );
        assert_eq!(
            previous_period(ReportingCycle::Weekly, d),
            date(2026, 11, 16)
        );
        assert_eq!(
            previous_period(ReportingCycle::Monthly, date(2026, 1, 10)),
            date(2025, 12, 1)
        );
        assert_eq!(
            previous_period(ReportingCycle::Biweekly, d),
            date(2026, 11, 9)
        );
        assert!(parse_period(ReportingCycle::Weekly, "2026-11-23").is_ok());
        assert!(parse_period(ReportingCycle::Weekly, "2026-11-24").is_err());
        assert!(parse_period(ReportingCycle::Monthly, "nope").is_err());
    }

    #[test]
    fn report_fields_and_submission() {
        let d = ReportDraft {
            schedule: "green".into(),
            cost: "Amber".into(),
            scope: "red".into(),
            risk: "green".into(),
            overall: "purple".into(),
            narrative: "x".repeat(10_001),
        };
        let errs = d.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["overall", "narrative"]);
    }

    #[test]
    fn change_request_impact() {
        let d = LogDraft {
            title: "More testing".into(),
            tasks: "3, 7 7;9".into(),
            schedule_task: "7".into(),
            schedule_delta: "+5d".into(),
            cost: "12500.50".into(),
            scope: "Add load tests".into(),
            ..Default::default()
        };
        let f = d.validate(LogKind::Change, 480).unwrap();
        assert_eq!(f.tasks, vec![3, 7, 9]);
        assert_eq!(f.status, LogStatus::Draft);
        let imp = f.impact.unwrap();
        assert_eq!(imp.schedule.unwrap().delta_minutes, 5 * 480);
        assert_eq!(imp.cost, Some(Minor(1_250_050)));
        assert_eq!(parse_delta("-2d", 480), Ok(-960));
        assert!(parse_delta("+-2d", 480).is_err());
        let bad = LogDraft {
            title: "".into(),
            tasks: "3, x".into(),
            schedule_task: "7".into(),
            status: "approved".into(),
            ..Default::default()
        };
        let errs = bad.validate(LogKind::Change, 480).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "status", "tasks", "schedule_delta"]);
        // An issue has no "made" status.
        let wrong = LogDraft {
            title: "t".into(),
            status: "made".into(),
            ..Default::default()
        };
        assert!(wrong.validate(LogKind::Issue, 480).is_err());
    }

    #[test]
    fn lessons_tags() {
        assert_eq!(
            normalize_tags(" Vendor ,vendor, Scope  Creep,,"),
            vec!["vendor", "scope creep"]
        );
        let many = (0..21)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let d = LessonsDraft {
            tags: many,
            ..Default::default()
        };
        assert!(d.validate(Uuid::nil(), 1).is_err());
        let ok = LessonsDraft {
            went_well: " ".into(),
            ..Default::default()
        }
        .validate(Uuid::nil(), 1)
        .unwrap();
        assert!(!ok.has_content());
    }
}
