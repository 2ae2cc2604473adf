//! The resource pool: people and generic (placeholder) resources with department, line
//! manager, job role, cost rate, weekly capacity and working days, non-project time, skills and
//! absences; resource requests and their time-phased allocations.

use crate::money::Minor;
use crate::validation::{FieldError, Validation, limits};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skill {
    pub name: String,
    /// Proficiency 1 (aware) .. 5 (expert).
    pub level: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub department: String,
    pub job_role: String,
    /// Cost per hour in minor units.
    pub cost_rate: Minor,
    /// Hours per week, in minutes.
    pub weekly_capacity_minutes: i32,
    pub skills: Vec<Skill>,
    pub user_id: Option<Uuid>,
    pub archived: bool,
    pub version: i64,
    /// The person's line manager (department heads see requests for their people).
    pub line_manager_id: Option<Uuid>,
    /// A placeholder resource (a role to be filled), not a real person.
    pub generic: bool,
    /// Operations and support time per week, in minutes: reduces project capacity.
    pub non_project_minutes: i32,
    /// The person's own working days, Monday first (`None` = the organization's).
    pub working_days: Option<[bool; 7]>,
}

#[derive(Debug, Clone, Default)]
pub struct PersonDraft {
    pub name: String,
    pub email: Option<String>,
    pub department: String,
    pub job_role: String,
    pub cost_rate: String,
    pub weekly_capacity_hours: String,
    /// `"Rust:4, SQL:3"` or one `name:level` per entry.
    pub skills: Vec<String>,
    /// The line manager's person id (empty: none). Forms may send an e-mail, which the
    /// application resolves to the id before validation.
    pub line_manager_id: String,
    pub generic: bool,
    /// Hours per week of operations / support work (empty: none).
    pub non_project_hours: String,
    /// `"1111100"` Monday first (empty: the organization's working days).
    pub working_days: String,
}

/// Parses `"Rust:4"` (level 1–5, default 3).
pub fn parse_skill(raw: &str) -> Result<Skill, String> {
    let (name, level) = match raw.rsplit_once(':') {
        Some((n, l)) => (
            n.trim(),
            l.trim()
                .parse::<u8>()
                .map_err(|_| format!("`{raw}`: level must be 1–5"))?,
        ),
        None => (raw.trim(), 3),
    };
    if name.is_empty() || name.chars().count() > limits::SHORT {
        return Err(format!("`{raw}`: a skill name is 1–100 characters"));
    }
    if !(1..=5).contains(&level) {
        return Err(format!("`{raw}`: level must be 1–5"));
    }
    Ok(Skill {
        name: name.to_owned(),
        level,
    })
}

impl PersonDraft {
    /// The draft that reproduces `p` (the base of an edit form or a partial API update).
    pub fn of(p: &Person) -> PersonDraft {
        PersonDraft {
            name: p.name.clone(),
            email: p.email.clone(),
            department: p.department.clone(),
            job_role: p.job_role.clone(),
            cost_rate: p.cost_rate.plain(),
            weekly_capacity_hours: format!("{}", f64::from(p.weekly_capacity_minutes) / 60.0),
            skills: p
                .skills
                .iter()
                .map(|s| format!("{}:{}", s.name, s.level))
                .collect(),
            line_manager_id: p.line_manager_id.map(|m| m.to_string()).unwrap_or_default(),
            generic: p.generic,
            non_project_hours: match p.non_project_minutes {
                0 => String::new(),
                m => format!("{}", f64::from(m) / 60.0),
            },
            working_days: p.working_days_mask(),
        }
    }

    pub fn validate(&self, id: Uuid, version: i64) -> Result<Person, Vec<FieldError>> {
        let mut v = Validation::new();
        let name = v.text("name", &self.name, limits::NAME);
        let email = match self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(e) => match crate::identity::Email::parse(e) {
                Ok(e) => Some(e.as_str().to_owned()),
                Err(m) => {
                    v.add("email", m);
                    None
                }
            },
        };
        let department = v.text("department", &self.department, limits::SHORT);
        let job_role = v.text("job_role", &self.job_role, limits::SHORT);
        let cost_rate = match Minor::parse_decimal(&self.cost_rate) {
            Some(m) if m.0 >= 0 && m.0 <= 100_000_000 => m,
            _ => {
                v.add("cost_rate", "must be an hourly rate from 0 to 1,000,000");
                Minor(0)
            }
        };
        let weekly_capacity_minutes = match self.weekly_capacity_hours.trim().parse::<f64>() {
            Ok(h) if (0.0..=168.0).contains(&h) => (h * 60.0).round() as i32,
            _ => {
                v.add(
                    "weekly_capacity_hours",
                    "must be a number of hours from 0 to 168",
                );
                0
            }
        };
        let mut skills: Vec<Skill> = Vec::new();
        if self.skills.len() > 100 {
            v.add("skills", "at most 100 skills");
        }
        for raw in self
            .skills
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match parse_skill(raw) {
                Ok(s) if skills.iter().any(|k| k.name.eq_ignore_ascii_case(&s.name)) => {
                    v.add("skills", format!("`{}` is listed twice", s.name))
                }
                Ok(s) => skills.push(s),
                Err(m) => v.add("skills", m),
            }
        }
        let line_manager_id = match self.line_manager_id.trim() {
            "" => None,
            raw => match raw.parse::<Uuid>() {
                Ok(m) if m == id => {
                    v.add(
                        "line_manager_id",
                        "a person cannot be their own line manager",
                    );
                    None
                }
                Ok(m) => Some(m),
                Err(_) => {
                    v.add("line_manager_id", "must be a person's id");
                    None
                }
            },
        };
        let non_project_minutes = match self.non_project_hours.trim() {
            "" => 0,
            raw => match raw.parse::<f64>() {
                Ok(h) if (0.0..=168.0).contains(&h) => (h * 60.0).round() as i32,
                _ => {
                    v.add(
                        "non_project_hours",
                        "must be a number of hours from 0 to 168",
                    );
                    0
                }
            },
        };
        if non_project_minutes > weekly_capacity_minutes {
            v.add("non_project_hours", "cannot exceed the weekly capacity");
        }
        let working_days = match self.working_days.trim() {
            "" => None,
            raw => match crate::org::WorkCalendar::parse_mask(raw) {
                Some(m) if m.iter().any(|d| *d) => Some(m),
                _ => {
                    v.add(
                        "working_days",
                        "must be seven 0/1 digits, Monday first, with at least one 1 (e.g. 1111100)",
                    );
                    None
                }
            },
        };
        v.finish(Person {
            line_manager_id,
            generic: self.generic,
            non_project_minutes,
            working_days,
            id,
            name,
            email,
            department,
            job_role,
            cost_rate,
            weekly_capacity_minutes,
            skills,
            user_id: None,
            archived: false,
            version,
        })
    }
}

impl Person {
    /// The working days as the `"1111100"` mask, or empty for the organization's.
    pub fn working_days_mask(&self) -> String {
        self.working_days
            .map(|d| d.iter().map(|x| if *x { '1' } else { '0' }).collect())
            .unwrap_or_default()
    }
}

fn date_field(v: &mut Validation, field: &str, raw: &str) -> Option<Date> {
    match raw.trim() {
        "" => {
            v.add(field, "is required");
            None
        }
        s => match s.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                v.add(field, "must be a date like 2027-03-31");
                None
            }
        },
    }
}

/// Checks `start..=finish` and that it is at most `max_days` long.
fn period(v: &mut Validation, start: &str, finish: &str, max_days: i32) -> (Date, Date) {
    let s = date_field(v, "start", start);
    let f = date_field(v, "finish", finish);
    match (s, f) {
        (Some(s), Some(f)) if f < s => {
            v.add("finish", "must be on or after the start");
            (s, s)
        }
        (Some(s), Some(f)) => {
            if (f - s).get_days() > max_days {
                v.add(
                    "finish",
                    format!("the period is at most {max_days} days long"),
                );
            }
            (s, f)
        }
        _ => (Date::MIN, Date::MIN),
    }
}

str_enum! {
    /// Why a person is away.
    AbsenceKind {
        Leave = "leave", "Leave";
        Sick = "sick", "Sick leave";
        Training = "training", "Training";
        Other = "other", "Other";
    }
}

/// A period a person is away (capacity 0 on those days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Absence {
    pub id: Uuid,
    pub person_id: Uuid,
    pub start: Date,
    pub finish: Date,
    pub kind: AbsenceKind,
    pub note: String,
}

#[derive(Debug, Clone, Default)]
pub struct AbsenceDraft {
    pub start: String,
    pub finish: String,
    pub kind: String,
    pub note: String,
}

impl AbsenceDraft {
    pub fn validate(&self, id: Uuid, person_id: Uuid) -> Result<Absence, Vec<FieldError>> {
        let mut v = Validation::new();
        let (start, finish) = period(&mut v, &self.start, &self.finish, 366);
        let kind = match self.kind.trim() {
            "" => AbsenceKind::Leave,
            k => AbsenceKind::parse(k).unwrap_or_else(|| {
                v.add("kind", "must be leave, sick, training or other");
                AbsenceKind::Other
            }),
        };
        let note = v
            .opt_text("note", Some(&self.note), limits::NOTE)
            .unwrap_or_default();
        v.finish(Absence {
            id,
            person_id,
            start,
            finish,
            kind,
            note,
        })
    }
}

str_enum! {
    /// Where a resource request is in its workflow.
    RequestState {
        Requested = "requested", "Requested";
        Proposed = "proposed", "Person proposed";
        Committed = "committed", "Committed";
        Rejected = "rejected", "Rejected";
        Cancelled = "cancelled", "Cancelled";
    }
}

impl RequestState {
    /// Still waiting for the resource manager or the requester.
    pub fn is_open(self) -> bool {
        matches!(self, RequestState::Requested | RequestState::Proposed)
    }
}

/// A project's request for a role or skills, for hours per week over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceRequest {
    pub id: Uuid,
    pub project_id: Uuid,
    /// The job role asked for, if any.
    pub job_role: Option<String>,
    /// Skills with the minimum level asked for.
    pub skills: Vec<Skill>,
    pub start: Date,
    pub finish: Date,
    /// Hours per week asked for, in minutes.
    pub minutes_per_week: i32,
    pub note: String,
    pub state: RequestState,
    /// The person proposed or committed.
    pub person_id: Option<Uuid>,
    /// Why it was rejected or cancelled.
    pub reason: String,
    pub requested_by: Option<Uuid>,
    pub version: i64,
}

impl ResourceRequest {
    /// Whether `p` has the role (if asked) and every skill at the asked level.
    pub fn fits(&self, p: &Person) -> bool {
        self.job_role
            .as_deref()
            .is_none_or(|r| r.eq_ignore_ascii_case(&p.job_role))
            && self.skills.iter().all(|s| {
                p.skills
                    .iter()
                    .any(|k| k.name.eq_ignore_ascii_case(&s.name) && k.level >= s.level)
            })
    }

    /// "Developer with Rust ≥ 4, SQL ≥ 3".
    pub fn describe(&self) -> String {
        let skills = self
            .skills
            .iter()
            .map(|s| format!("{} ≥ {}", s.name, s.level))
            .collect::<Vec<_>>()
            .join(", ");
        match (&self.job_role, skills.is_empty()) {
            (Some(r), true) => r.clone(),
            (Some(r), false) => format!("{r} with {skills}"),
            (None, false) => skills,
            (None, true) => "anyone".into(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RequestDraft {
    pub job_role: String,
    /// `"Rust:4, SQL"` (level = the minimum, default 3).
    pub skills: String,
    pub start: String,
    pub finish: String,
    /// `"16"` hours per week, or `"50%"` of a full week (`full_week_minutes`).
    pub hours_per_week: String,
    pub note: String,
}

impl RequestDraft {
    pub fn validate(
        &self,
        id: Uuid,
        project_id: Uuid,
        full_week_minutes: i32,
    ) -> Result<ResourceRequest, Vec<FieldError>> {
        let mut v = Validation::new();
        let job_role = v.opt_text("job_role", Some(&self.job_role), limits::SHORT);
        let mut skills: Vec<Skill> = Vec::new();
        for raw in self
            .skills
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match parse_skill(raw) {
                Ok(s) if skills.iter().any(|k| k.name.eq_ignore_ascii_case(&s.name)) => {
                    v.add("skills", format!("`{}` is listed twice", s.name))
                }
                Ok(s) => skills.push(s),
                Err(m) => v.add("skills", m),
            }
        }
        if skills.len() > 20 {
            v.add("skills", "at most 20 skills");
        }
        if job_role.is_none() && skills.is_empty() {
            v.add("job_role", "name a job role or at least one skill");
        }
        let (start, finish) = period(&mut v, &self.start, &self.finish, 3 * 366);
        let raw = self.hours_per_week.trim();
        let minutes_per_week = if let Some(pct) = raw.strip_suffix('%') {
            match pct.trim().parse::<f64>() {
                Ok(p) if p > 0.0 && p <= 100.0 => {
                    (f64::from(full_week_minutes) * p / 100.0).round() as i32
                }
                _ => {
                    v.add(
                        "hours_per_week",
                        "a percentage must be above 0 and at most 100%",
                    );
                    0
                }
            }
        } else {
            match raw.parse::<f64>() {
                Ok(h) if h > 0.0 && h <= 168.0 => (h * 60.0).round() as i32,
                _ => {
                    v.add(
                        "hours_per_week",
                        "must be hours per week (above 0, at most 168) or a percentage like 50%",
                    );
                    0
                }
            }
        };
        let note = v
            .opt_text("note", Some(&self.note), limits::NOTE)
            .unwrap_or_default();
        v.finish(ResourceRequest {
            id,
            project_id,
            job_role,
            skills,
            start,
            finish,
            minutes_per_week,
            note,
            state: RequestState::Requested,
            person_id: None,
            reason: String::new(),
            requested_by: None,
            version: 1,
        })
    }
}

/// Committed, time-phased work of one person on one project: `minutes_per_week` from
/// `start` to `finish` (one allocation per month of a committed request, each editable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub id: Uuid,
    pub request_id: Option<Uuid>,
    pub person_id: Uuid,
    pub project_id: Uuid,
    pub start: Date,
    pub finish: Date,
    pub minutes_per_week: i32,
}

/// Splits `start..=finish` at month boundaries: the time phases of a committed request.
pub fn month_phases(start: Date, finish: Date) -> Vec<(Date, Date)> {
    let mut out = Vec::new();
    let mut s = start;
    while s <= finish {
        let month_end = s.last_of_month();
        let e = month_end.min(finish);
        out.push((s, e));
        match e.tomorrow() {
            Ok(n) => s = n,
            Err(_) => break,
        }
    }
    out
}

/// Parses an allocation's hours per week (`"16"`, `"12.5"`; 0 allowed: nothing that month).
pub fn parse_hours_per_week(field: &str, raw: &str) -> Result<i32, Vec<FieldError>> {
    match raw.trim().parse::<f64>() {
        Ok(h) if (0.0..=168.0).contains(&h) => Ok((h * 60.0).round() as i32),
        _ => {
            let mut v = Validation::new();
            v.add(field, "must be hours per week from 0 to 168");
            v.finish(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_validation() {
        let d = PersonDraft {
            name: "Ana Silva".into(),
            department: "IT".into(),
            job_role: "Developer".into(),
            cost_rate: "85.50".into(),
            weekly_capacity_hours: "37.5".into(),
            skills: vec!["Rust:4, SQL".into()],
            ..Default::default()
        };
        let p = d.validate(Uuid::nil(), 1).unwrap();
        assert_eq!(p.weekly_capacity_minutes, 2250);
        assert_eq!(
            p.skills,
            vec![
                Skill {
                    name: "Rust".into(),
                    level: 4
                },
                Skill {
                    name: "SQL".into(),
                    level: 3
                }
            ]
        );
        let bad = PersonDraft {
            skills: vec!["Rust:9".into()],
            weekly_capacity_hours: "200".into(),
            ..d
        };
        let errs = bad.validate(Uuid::nil(), 1).unwrap_err();
        assert_eq!(errs.len(), 2);
    }
}

/// A change of a person's hourly cost rate from a date on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateChange {
    pub from: jiff::civil::Date,
    pub rate: Minor,
}

/// A rate change as typed.
#[derive(Debug, Clone, Default)]
pub struct RateChangeDraft {
    pub from: String,
    pub rate: String,
}

impl RateChangeDraft {
    pub fn validate(&self) -> Result<RateChange, Vec<FieldError>> {
        let mut v = crate::validation::Validation::new();
        let from = match self.from.trim().parse::<jiff::civil::Date>() {
            Ok(d) if (1900..=2200).contains(&d.year()) => Some(d),
            _ => {
                v.add("from", "must be a date like 2027-01-01");
                None
            }
        };
        let rate = match Minor::parse_decimal(&self.rate) {
            Some(m) if (0..=100_000_000).contains(&m.0) => m,
            _ => {
                v.add("rate", "must be an hourly rate from 0 to 1,000,000");
                Minor(0)
            }
        };
        v.finish(RateChange {
            from: from.unwrap_or(jiff::civil::Date::constant(2000, 1, 1)),
            rate,
        })
    }
}

#[cfg(test)]
mod request_tests {
    use super::*;

    #[test]
    fn request_validation_and_fit() {
        let d = RequestDraft {
            job_role: "Developer".into(),
            skills: "Rust:4, SQL".into(),
            start: "2027-01-04".into(),
            finish: "2027-03-31".into(),
            hours_per_week: "50%".into(),
            note: String::new(),
        };
        let r = d.validate(Uuid::nil(), Uuid::nil(), 2400).unwrap();
        assert_eq!(r.minutes_per_week, 1200);
        assert_eq!(r.describe(), "Developer with Rust ≥ 4, SQL ≥ 3");
        let mut p = PersonDraft {
            name: "Ana".into(),
            department: "IT".into(),
            job_role: "developer".into(),
            cost_rate: "10".into(),
            weekly_capacity_hours: "40".into(),
            skills: vec!["rust:5, SQL:3".into()],
            ..Default::default()
        }
        .validate(Uuid::nil(), 1)
        .unwrap();
        assert!(r.fits(&p));
        p.skills[0].level = 3;
        assert!(!r.fits(&p));
        let bad = RequestDraft {
            finish: "2026-12-31".into(),
            hours_per_week: "0".into(),
            ..d.clone()
        }
        .validate(Uuid::nil(), Uuid::nil(), 2400)
        .unwrap_err();
        let fields: Vec<_> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["finish", "hours_per_week"]);
        let none = RequestDraft {
            job_role: " ".into(),
            skills: String::new(),
            ..d
        }
        .validate(Uuid::nil(), Uuid::nil(), 2400)
        .unwrap_err();
        assert_eq!(none[0].field, "job_role");
    }

    #[test]
    fn months_split_a_period() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            month_phases(d("2027-01-20"), d("2027-03-05")),
            vec![
                (d("2027-01-20"), d("2027-01-31")),
                (d("2027-02-01"), d("2027-02-28")),
                (d("2027-03-01"), d("2027-03-05")),
            ]
        );
        assert_eq!(month_phases(d("2027-01-20"), d("2027-01-20")).len(), 1);
    }

    #[test]
    fn person_extras_are_checked() {
        let d = PersonDraft {
            name: "Ana".into(),
            department: "IT".into(),
            job_role: "Dev".into(),
            cost_rate: "10".into(),
            weekly_capacity_hours: "20".into(),
            non_project_hours: "25".into(),
            working_days: "1110000".into(),
            line_manager_id: "nope".into(),
            ..Default::default()
        };
        let e = d.validate(Uuid::nil(), 1).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["line_manager_id", "non_project_hours"]);
        let ok = PersonDraft {
            non_project_hours: "4".into(),
            line_manager_id: String::new(),
            ..d
        }
        .validate(Uuid::nil(), 1)
        .unwrap();
        assert_eq!(ok.working_days_mask(), "1110000");
        assert_eq!(ok.non_project_minutes, 240);
    }
}
