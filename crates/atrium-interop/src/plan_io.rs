//! Atrium plans ([`atrium_core::plan::Plan`]) to and from MS Project XML (MSPDI), the plan
//! diff shown before an import replaces a plan, and the task table for CSV/XLSX export.
//!
//! Reading goes through the hardened [`crate::mspdi`] reader (limits, line/column errors)
//! and converts its model; writing builds an [`mspdi::Project`] and uses the crate's
//! schema-ordered writer. What cannot be carried over exactly (elapsed durations and lags,
//! percent lags, external tasks, cross-project links, manual scheduling, ...) is listed in
//! [`Imported::skipped`], one readable line each.
//!
//! Units: plan durations and lags are working minutes; MSPDI `LinkLag` is tenths of a minute;
//! MSPDI money (`FixedCost`, baseline `Cost`) is hundredths of the currency unit, which is
//! Atrium's minor unit; baseline instants are minutes since 1970-01-01T00:00 local time (the
//! scheduling engine's `DateTime.0`).

use crate::mspdi::{self, MspdiError, TimeUnit};
use crate::xlsx::Cell;
use atrium_core::money::MAX_MINOR;
use atrium_core::plan::{
    self, BaselineValues, Constraint, LinkType, MAX_DURATION, MAX_LEVEL, Plan, PlanLink, PlanTask,
};
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use uuid::Uuid;

/// Most notes kept in [`Imported::skipped`]; the rest are counted in a last line.
const MAX_NOTES: usize = 200;
/// Longest task name the plan editor accepts.
const NAME_MAX: usize = 200;
/// Longest task notes the plan editor accepts.
const NOTES_MAX: usize = 4000;
/// Most resources and assignments taken from one file.
const MAX_RESOURCES: usize = 10_000;
const MAX_ASSIGNMENTS: usize = 200_000;
/// Project start used when the file has no start date and no task dates.
const FALLBACK_START: Date = Date::constant(2000, 1, 3);
/// Start of the working day in written files (08:00), minutes after midnight.
const DAY_START: u16 = 480;

/// A resource of the imported file; the application layer maps it to a person by e-mail or
/// name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedResource {
    pub uid: u32,
    pub name: String,
    pub email: Option<String>,
    /// Percent (100 = one full-time person).
    pub max_units: u16,
}

/// A resource on a task in the imported file, at `units` percent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAssignment {
    pub task_uid: u32,
    pub resource_uid: u32,
    pub units: u16,
}

/// The result of [`plan_from_mspdi`]: the plan (without assignments, which need people), the
/// file's resources and assignments, and what was skipped or approximated.
#[derive(Debug, Clone)]
pub struct Imported {
    pub plan: Plan,
    pub resources: Vec<ImportedResource>,
    pub assignments: Vec<ImportedAssignment>,
    /// One line per thing not carried over exactly (reader warnings included).
    pub skipped: Vec<String>,
    /// The file's working minutes per day (480 when absent).
    pub minutes_per_day: i64,
    /// The project start (same as `plan.start`).
    pub start: Date,
}

/// Collects notes up to [`MAX_NOTES`], counting the rest.
#[derive(Default)]
struct Notes {
    list: Vec<String>,
    dropped: usize,
}

impl Notes {
    fn push(&mut self, note: impl FnOnce() -> String) {
        if self.list.len() < MAX_NOTES {
            self.list.push(note());
        } else {
            self.dropped += 1;
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list.push(format!("… and {} more notes", self.dropped));
        }
        self.list
    }
}

/// The date part of an MSPDI date-time.
fn to_date(d: &mspdi::DateTime) -> Option<Date> {
    Date::new(
        i16::try_from(d.year).ok()?,
        i8::try_from(d.month).ok()?,
        i8::try_from(d.day).ok()?,
    )
    .ok()
}

/// `d` at `minute` minutes after midnight, as an MSPDI date-time.
fn at(d: Date, minute: u16) -> Option<mspdi::DateTime> {
    let m = minute.min(1439);
    mspdi::DateTime::new(
        i32::from(d.year()),
        d.month() as u8,
        d.day() as u8,
        (m / 60) as u8,
        (m % 60) as u8,
        0,
    )
}

/// Working minutes for elapsed minutes, "at face value" in the unit the file shows them in:
/// 3 elapsed days become 3 working days, 12 elapsed hours 12 working hours.
fn elapsed_at_face_value(minutes: i64, unit: TimeUnit, mpd: i64, mpw: i64, dpm: i64) -> i64 {
    let m = minutes as f64;
    let v = match unit {
        TimeUnit::Minutes | TimeUnit::Hours | TimeUnit::Percent => m,
        TimeUnit::Days => m / 1440.0 * mpd as f64,
        TimeUnit::Weeks => m / (7.0 * 1440.0) * mpw as f64,
        TimeUnit::Months => m / (30.0 * 1440.0) * (dpm * mpd) as f64,
    };
    v.round().clamp(-(MAX_DURATION as f64), MAX_DURATION as f64) as i64
}

fn unit_name(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Minutes => "minutes",
        TimeUnit::Hours => "hours",
        TimeUnit::Days => "days",
        TimeUnit::Weeks => "weeks",
        TimeUnit::Months => "months",
        TimeUnit::Percent => "percent",
    }
}

fn constraint_from(c: mspdi::ConstraintType) -> Constraint {
    use mspdi::ConstraintType as C;
    match c {
        C::AsSoonAsPossible => Constraint::Asap,
        C::AsLateAsPossible => Constraint::Alap,
        C::MustStartOn => Constraint::Mso,
        C::MustFinishOn => Constraint::Mfo,
        C::StartNoEarlierThan => Constraint::Snet,
        C::StartNoLaterThan => Constraint::Snlt,
        C::FinishNoEarlierThan => Constraint::Fnet,
        C::FinishNoLaterThan => Constraint::Fnlt,
    }
}

fn constraint_to(c: Constraint) -> mspdi::ConstraintType {
    use mspdi::ConstraintType as C;
    match c {
        Constraint::Asap => C::AsSoonAsPossible,
        Constraint::Alap => C::AsLateAsPossible,
        Constraint::Mso => C::MustStartOn,
        Constraint::Mfo => C::MustFinishOn,
        Constraint::Snet => C::StartNoEarlierThan,
        Constraint::Snlt => C::StartNoLaterThan,
        Constraint::Fnet => C::FinishNoEarlierThan,
        Constraint::Fnlt => C::FinishNoLaterThan,
    }
}

fn link_from(t: mspdi::LinkType) -> LinkType {
    match t {
        mspdi::LinkType::FinishToStart => LinkType::Fs,
        mspdi::LinkType::StartToStart => LinkType::Ss,
        mspdi::LinkType::FinishToFinish => LinkType::Ff,
        mspdi::LinkType::StartToFinish => LinkType::Sf,
    }
}

fn link_to(t: LinkType) -> mspdi::LinkType {
    match t {
        LinkType::Fs => mspdi::LinkType::FinishToStart,
        LinkType::Ss => mspdi::LinkType::StartToStart,
        LinkType::Ff => mspdi::LinkType::FinishToFinish,
        LinkType::Sf => mspdi::LinkType::StartToFinish,
    }
}

/// `s` cut to at most `max` characters.
fn clip(s: &str, max: usize) -> (String, bool) {
    match s.char_indices().nth(max) {
        Some((i, _)) => (s[..i].to_owned(), true),
        None => (s.to_owned(), false),
    }
}

/// Percent of a fraction (1.0 = 100 %), rounded and kept within `lo..=hi`.
fn percent(fraction: f64, lo: u16, hi: u16) -> u16 {
    let p = (fraction * 100.0).round();
    if p.is_nan() {
        return lo;
    }
    p.clamp(f64::from(lo), f64::from(hi)) as u16
}

/// Unit conversion context of one file.
struct Units {
    mpd: i64,
    mpw: i64,
    dpm: i64,
}

/// Converts one file task, or says why not (`None` after a note; silent for the project
/// summary task and blank rows).
fn convert_task(t: &mspdi::Task, u: &Units, notes: &mut Notes) -> Option<PlanTask> {
    if t.uid == 0 || t.level() == 0 || t.is_null {
        return None;
    }
    let label = || match &t.name {
        Some(n) => format!("task UID {} ({n})", t.uid),
        None => format!("task UID {}", t.uid),
    };
    if t.external_task {
        notes.push(|| {
            format!(
                "{} is an external task from {}; skipped (link to that project's plan in Atrium instead)",
                label(),
                t.external_task_project.as_deref().unwrap_or("another project")
            )
        });
        return None;
    }
    let Ok(uid) = u32::try_from(t.uid) else {
        notes.push(|| format!("{}: negative UID; task skipped", label()));
        return None;
    };
    if t.is_subproject {
        notes.push(|| {
            format!(
                "{} is an inserted subproject; imported as a plain task",
                label()
            )
        });
    }
    if t.active == Some(false) {
        notes.push(|| format!("{} is inactive; imported as an active task", label()));
    }
    if t.manual {
        notes.push(|| {
            format!(
                "{} is manually scheduled; Atrium schedules it from its links",
                label()
            )
        });
    }

    let raw_name = t.name.as_deref().unwrap_or("").trim();
    let (name, cut) = clip(raw_name, NAME_MAX);
    if cut {
        notes.push(|| format!("{}: name cut to {NAME_MAX} characters", label()));
    }
    let name = if name.is_empty() {
        format!("Task {uid}")
    } else {
        name
    };

    let level_raw = t.level();
    if level_raw > u16::from(MAX_LEVEL) {
        notes.push(|| {
            format!(
                "{}: outline level {level_raw} is deeper than {MAX_LEVEL}; moved up",
                label()
            )
        });
    }
    let level = level_raw.clamp(1, u16::from(MAX_LEVEL)) as u8;

    let mut duration = t.duration.unwrap_or(0);
    if let Some(f) = t.duration_format.filter(|f| f.elapsed) {
        let working = elapsed_at_face_value(duration, f.unit, u.mpd, u.mpw, u.dpm);
        notes.push(|| {
            format!(
                "{}: elapsed duration ({} elapsed minutes) converted at face value to {} working minutes ({} as working {})",
                label(),
                duration,
                working,
                plan::format_duration(working, u.mpd),
                unit_name(f.unit)
            )
        });
        duration = working;
    }
    if duration < 0 {
        notes.push(|| format!("{}: negative duration set to 0", label()));
        duration = 0;
    }
    if duration > MAX_DURATION {
        notes.push(|| format!("{}: duration longer than 20 years cut to 20 years", label()));
        duration = MAX_DURATION;
    }

    let mut constraint = constraint_from(t.constraint());
    let mut constraint_date = None;
    if constraint.needs_date() {
        constraint_date = t.constraint_date.as_ref().and_then(to_date);
        if constraint_date.is_none() {
            notes.push(|| {
                format!(
                    "{}: constraint '{}' has no date; set to as soon as possible",
                    label(),
                    constraint.label()
                )
            });
            constraint = Constraint::Asap;
        }
    }

    let mut fixed_cost = t.fixed_cost.unwrap_or(0);
    if !(0..=MAX_MINOR).contains(&fixed_cost) {
        notes.push(|| {
            format!(
                "{}: fixed cost {} out of range; set to 0",
                label(),
                fixed_cost as f64 / 100.0
            )
        });
        fixed_cost = 0;
    }

    let notes_text = match t.notes.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => {
            let (n, cut) = clip(n, NOTES_MAX);
            if cut {
                notes.push(|| format!("{}: notes cut to {NOTES_MAX} characters", label()));
            }
            n
        }
        _ => String::new(),
    };

    let mut baselines = BTreeMap::new();
    for b in &t.baselines {
        if b.number >= plan::BASELINES {
            continue;
        }
        match (b.start, b.finish) {
            (Some(s), Some(f)) => {
                baselines.insert(
                    b.number,
                    BaselineValues {
                        start: s.minutes_since_epoch(),
                        finish: f.minutes_since_epoch(),
                        duration: b.duration.unwrap_or(0),
                        work: b.work.unwrap_or(0),
                        cost: b.cost.unwrap_or(0),
                    },
                );
            }
            _ => notes.push(|| {
                format!(
                    "{}: baseline {} has no start or finish; skipped",
                    label(),
                    b.number
                )
            }),
        }
    }

    Some(PlanTask {
        uid,
        name,
        level,
        duration,
        milestone: t.milestone,
        constraint,
        constraint_date,
        deadline: t.deadline.as_ref().and_then(to_date),
        percent_complete: t.percent_complete.unwrap_or(0).min(100) as u8,
        actual_start: t.actual_start.as_ref().and_then(to_date),
        actual_finish: t.actual_finish.as_ref().and_then(to_date),
        fixed_cost,
        assignments: Vec::new(),
        actual_work: 0,
        actual_cost: 0,
        role: None,
        notes: notes_text,
        baselines,
    })
}

/// Reads an MSPDI file into a plan for project `project_id`.
///
/// Refuses malformed or hostile input with the reader's error (line and column included) and
/// files with more than [`plan::MAX_TASKS`] tasks. `progress(done, total)` is called at most
/// about 100 times while tasks are converted. Resources and assignments are returned beside
/// the plan (`PlanTask::assignments` stays empty) for the application layer to map to people.
pub fn plan_from_mspdi(
    xml: &[u8],
    project_id: Uuid,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported, MspdiError> {
    let limits = mspdi::Limits {
        max_input_bytes: 256 * 1024 * 1024,
        // The project summary task is in the file but not in the plan.
        max_tasks: plan::MAX_TASKS + 1,
        max_resources: MAX_RESOURCES,
        max_assignments: MAX_ASSIGNMENTS,
        max_links: plan::MAX_TASKS * 100,
        ..mspdi::Limits::default()
    };
    let parsed = mspdi::parse_with_limits(xml, &limits)?;
    let file = &parsed.project;
    let mut notes = Notes::default();
    for w in &parsed.warnings {
        notes.push(|| w.to_string());
    }
    let u = Units {
        mpd: i64::from(file.minutes_per_day()),
        mpw: i64::from(file.minutes_per_week()),
        dpm: i64::from(file.days_per_month.filter(|d| *d > 0).unwrap_or(20)),
    };
    if file.schedule_from_start == Some(false) {
        notes.push(|| {
            "the project is scheduled from its finish date; Atrium schedules from the start".into()
        });
    }

    if let Some(cal) = file.calendar_uid.and_then(|c| file.calendar(c))
        && (!cal.exceptions.is_empty() || !cal.work_weeks.is_empty())
    {
        notes.push(|| {
            format!(
                "the project calendar's {} exceptions and {} work weeks are not part of the plan; enter holidays on the Atrium calendar",
                cal.exceptions.len(),
                cal.work_weeks.len()
            )
        });
    }

    // Tasks, in file (outline) order.
    let total = file.tasks.len();
    let step = total.div_ceil(100).max(1);
    let mut tasks: Vec<PlanTask> = Vec::with_capacity(total);
    let mut file_index: Vec<usize> = Vec::with_capacity(total);
    let mut seen: HashMap<u32, usize> = HashMap::with_capacity(total);
    let mut external: HashSet<i32> = HashSet::new();
    for (i, t) in file.tasks.iter().enumerate() {
        if t.external_task {
            external.insert(t.uid);
        }
        if let Some(task) = convert_task(t, &u, &mut notes) {
            match seen.entry(task.uid) {
                std::collections::hash_map::Entry::Occupied(_) => notes
                    .push(|| format!("task UID {} appears twice; the second is skipped", t.uid)),
                std::collections::hash_map::Entry::Vacant(v) => {
                    if let Some(c) = t.calendar_uid.filter(|c| Some(*c) != file.calendar_uid) {
                        notes.push(|| {
                            let name = file.calendar(c).and_then(|c| c.name.clone());
                            format!(
                                "task UID {} uses calendar {}; Atrium schedules it on the project calendar",
                                t.uid,
                                name.unwrap_or_else(|| c.to_string())
                            )
                        });
                    }
                    v.insert(tasks.len());
                    tasks.push(task);
                    file_index.push(i);
                }
            }
        }
        let done = i + 1;
        if done % step == 0 || done == total {
            progress(done, total);
        }
    }

    // Links, stored on the successor in the file.
    let mut links = Vec::new();
    for (k, &fi) in file_index.iter().enumerate() {
        let t = &file.tasks[fi];
        let succ = tasks[k].uid;
        for l in &t.predecessors {
            let what = || format!("link {} → {}", l.predecessor_uid, t.uid);
            if l.cross_project {
                notes.push(|| {
                    format!(
                        "{}: cross-project predecessor {}; skipped (add it in Atrium as a link to the other project)",
                        what(),
                        l.cross_project_name.as_deref().unwrap_or("in another file")
                    )
                });
                continue;
            }
            let pred_row = u32::try_from(l.predecessor_uid)
                .ok()
                .and_then(|p| seen.get(&p).copied());
            let Some(pred_row) = pred_row else {
                if external.contains(&l.predecessor_uid) {
                    notes.push(|| {
                        format!("{}: the predecessor is an external task; skipped", what())
                    });
                } else {
                    notes.push(|| {
                        format!("{}: the predecessor is not in the file; skipped", what())
                    });
                }
                continue;
            };
            let pred = tasks[pred_row].uid;
            if pred == succ {
                notes.push(|| format!("{}: a task cannot precede itself; skipped", what()));
                continue;
            }
            let lag = if l.lag_is_percent() {
                let pred_duration = tasks[pred_row].duration;
                let m = (pred_duration as f64 * l.lag as f64 / 100.0).round() as i64;
                notes.push(|| {
                    format!(
                        "{}: lag of {} % of the predecessor's duration converted to {}",
                        what(),
                        l.lag,
                        plan::format_duration(m, u.mpd)
                    )
                });
                m
            } else {
                let minutes = (l.lag as f64 / 10.0).round() as i64;
                match l.lag_format.filter(|f| f.elapsed) {
                    Some(f) => {
                        let m = elapsed_at_face_value(minutes, f.unit, u.mpd, u.mpw, u.dpm);
                        notes.push(|| {
                            format!(
                                "{}: elapsed lag converted at face value to {} working",
                                what(),
                                plan::format_duration(m, u.mpd)
                            )
                        });
                        m
                    }
                    None => minutes,
                }
            };
            links.push(PlanLink {
                pred_project: None,
                pred,
                succ,
                kind: link_from(l.link_type),
                lag: lag.clamp(-MAX_DURATION, MAX_DURATION),
            });
        }
    }

    // Resources: people only.
    let mut resources = Vec::new();
    let mut resource_uids = HashSet::new();
    for r in &file.resources {
        if r.is_null || (r.uid == 0 && r.name.is_none()) {
            continue;
        }
        let label = || {
            format!(
                "resource UID {} ({})",
                r.uid,
                r.name.as_deref().unwrap_or("")
            )
        };
        match r.resource_type.unwrap_or_default() {
            mspdi::ResourceType::Work => {}
            mspdi::ResourceType::Material => {
                notes.push(|| format!("{} is a material resource; skipped", label()));
                continue;
            }
            mspdi::ResourceType::Cost => {
                notes.push(|| format!("{} is a cost resource; skipped", label()));
                continue;
            }
        }
        let Ok(uid) = u32::try_from(r.uid) else {
            notes.push(|| format!("{}: negative UID; skipped", label()));
            continue;
        };
        if !resource_uids.insert(uid) {
            notes.push(|| format!("{} appears twice; the second is skipped", label()));
            continue;
        }
        let name = clip(r.name.as_deref().unwrap_or("").trim(), NAME_MAX).0;
        resources.push(ImportedResource {
            uid,
            name: if name.is_empty() {
                format!("Resource {uid}")
            } else {
                name
            },
            email: r
                .email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(|e| clip(e, 254).0),
            max_units: r.max_units.map_or(100, |m| percent(m, 0, 60_000)),
        });
    }

    // Assignments between imported tasks and people.
    let mut assignments = Vec::new();
    let mut pairs = HashSet::new();
    for a in &file.assignments {
        let (Ok(task_uid), Ok(resource_uid)) =
            (u32::try_from(a.task_uid), u32::try_from(a.resource_uid))
        else {
            continue;
        };
        if !seen.contains_key(&task_uid) || !resource_uids.contains(&resource_uid) {
            continue;
        }
        if !pairs.insert((task_uid, resource_uid)) {
            notes.push(|| {
                format!(
                    "resource UID {resource_uid} is assigned twice to task UID {task_uid}; the second is skipped"
                )
            });
            continue;
        }
        assignments.push(ImportedAssignment {
            task_uid,
            resource_uid,
            units: a.units.map_or(100, |u| percent(u, 1, 1000)),
        });
    }

    let start = file
        .start_date
        .as_ref()
        .and_then(to_date)
        .or_else(|| {
            file.tasks
                .iter()
                .filter_map(|t| t.start.as_ref())
                .min()
                .and_then(to_date)
        })
        .unwrap_or_else(|| {
            notes.push(|| {
                format!("the file has no start date; the plan starts on {FALLBACK_START}")
            });
            FALLBACK_START
        });

    // When baselines were set: the file does not say; its current date is the best guess.
    let saved = file
        .current_date
        .map_or(0, |d| d.minutes_since_epoch().saturating_mul(60_000_000));
    let mut baselines_set = BTreeMap::new();
    for t in &tasks {
        for &n in t.baselines.keys() {
            baselines_set.insert(n, saved);
        }
    }

    let next_uid = tasks.iter().map(|t| t.uid).max().map_or(1, |m| m + 1);
    let mut plan = Plan::empty(project_id, start);
    plan.status_date = file.status_date.as_ref().and_then(to_date);
    plan.next_uid = next_uid;
    plan.tasks = tasks;
    plan.links = links;
    plan.baselines_set = baselines_set;
    let before: Vec<u8> = plan.tasks.iter().map(|t| t.level).collect();
    plan.normalize_outline();
    if plan.tasks.iter().zip(&before).any(|(t, b)| t.level != *b) {
        notes.push(|| "outline levels that skipped a level were moved up".into());
    }

    Ok(Imported {
        plan,
        resources,
        assignments,
        skipped: notes.finish(),
        minutes_per_day: u.mpd,
        start,
    })
}

/// Working times of the written standard calendar: MS Project's 08:00–12:00 and 13:00–17:00
/// for 480 minutes a day, otherwise as close to that as `mpd` allows.
fn day_times(mpd: i64) -> Vec<mspdi::WorkingTime> {
    let mpd = mpd.clamp(1, 1440) as u16;
    let wt = |from: u16, to: u16| mspdi::WorkingTime { from, to };
    if mpd <= 240 {
        vec![wt(DAY_START, DAY_START + mpd)]
    } else if 780 + (mpd - 240) <= 1440 {
        vec![wt(DAY_START, 720), wt(780, 780 + mpd - 240)]
    } else {
        vec![wt(1440 - mpd, 1440)]
    }
}

fn standard_calendar(mpd: i64) -> mspdi::Calendar {
    let times = day_times(mpd);
    mspdi::Calendar {
        uid: 1,
        name: Some("Standard".into()),
        is_base: true,
        base_calendar_uid: None,
        week_days: (1..=7u8)
            .map(|d| {
                let working = (2..=6).contains(&d);
                mspdi::WeekDay {
                    day_type: d,
                    working,
                    times: if working { times.clone() } else { Vec::new() },
                }
            })
            .collect(),
        exceptions: Vec::new(),
        work_weeks: Vec::new(),
    }
}

/// `LagFormat` for a lag in working minutes: days when whole days, else hours, else minutes.
fn lag_format(lag: i64, mpd: i64) -> mspdi::DurationFormat {
    let unit = if lag % mpd == 0 {
        TimeUnit::Days
    } else if lag % 60 == 0 {
        TimeUnit::Hours
    } else {
        TimeUnit::Minutes
    };
    mspdi::DurationFormat {
        unit,
        elapsed: false,
        estimated: false,
    }
}

/// Writes `plan` as MSPDI that MS Project and MPXJ read.
///
/// `dates` holds each task's scheduled (start, finish) in engine minutes, in the order of
/// `plan.tasks` (rows without an entry get no dates); `names` gives a person's name and
/// e-mail for the resources. Cross-project links are left out (MSPDI needs the other file).
/// Tasks are fixed-duration so that MS Project keeps Atrium's durations when it recomputes.
pub fn plan_to_mspdi(
    plan: &Plan,
    dates: &[(i64, i64)],
    names: &dyn Fn(Uuid) -> Option<(String, Option<String>)>,
    project_name: &str,
    minutes_per_day: i64,
) -> String {
    let mpd = minutes_per_day.clamp(1, 1440);
    let times = day_times(mpd);
    let day_finish = times.last().map_or(1020, |t| t.to).min(1439);
    let day_start = times.first().map_or(DAY_START, |t| t.from);
    let instant = |m: i64| mspdi::DateTime::from_minutes_since_epoch(m);

    let mut p = mspdi::Project {
        save_version: Some(14),
        name: Some(project_name.to_owned()),
        title: Some(project_name.to_owned()),
        schedule_from_start: Some(true),
        start_date: at(plan.start, day_start),
        status_date: plan.status_date.and_then(|d| at(d, day_finish)),
        calendar_uid: Some(1),
        default_start_time: Some(day_start),
        default_finish_time: Some(day_finish),
        minutes_per_day: Some(mpd as u32),
        minutes_per_week: Some(5 * mpd as u32),
        days_per_month: Some(20),
        duration_format: Some(mspdi::DurationFormat::DAYS),
        honor_constraints: Some(true),
        calendars: vec![standard_calendar(mpd)],
        ..mspdi::Project::default()
    };
    p.finish_date = dates.iter().map(|d| d.1).max().and_then(instant);

    // Project summary task (UID 0), as MS Project writes it.
    p.tasks.push(mspdi::Task {
        uid: 0,
        id: Some(0),
        name: Some(project_name.to_owned()),
        outline_level: Some(0),
        outline_number: Some("0".into()),
        summary: true,
        start: p.start_date,
        finish: p.finish_date,
        ..mspdi::Task::default()
    });

    // Local links by successor.
    // MSPDI UIDs are 32-bit signed; a plan never comes near, but a larger uid is left out.
    let uids: HashSet<u32> = plan
        .tasks
        .iter()
        .map(|t| t.uid)
        .filter(|&u| i32::try_from(u).is_ok())
        .collect();
    let mut preds: HashMap<u32, Vec<&PlanLink>> = HashMap::new();
    for l in &plan.links {
        if l.pred_project.is_none() && uids.contains(&l.pred) && uids.contains(&l.succ) {
            preds.entry(l.succ).or_default().push(l);
        }
    }

    // Resources: one per person, in order of first assignment.
    let mut resource_of: HashMap<Uuid, i32> = HashMap::new();
    for t in &plan.tasks {
        for a in &t.assignments {
            if !resource_of.contains_key(&a.person_id) {
                let uid = resource_of.len() as i32 + 1;
                resource_of.insert(a.person_id, uid);
                let (name, email) = names(a.person_id).unwrap_or_else(|| {
                    let id = a.person_id.simple().to_string();
                    (format!("Person {}", &id[..8]), None)
                });
                p.resources.push(mspdi::Resource {
                    uid,
                    id: Some(uid),
                    name: Some(name),
                    resource_type: Some(mspdi::ResourceType::Work),
                    email,
                    max_units: Some(1.0),
                    ..mspdi::Resource::default()
                });
            }
        }
    }

    let mut outline: Vec<u32> = Vec::new();
    for (i, t) in plan.tasks.iter().enumerate() {
        if !uids.contains(&t.uid) {
            continue;
        }
        let level = usize::from(t.level.max(1));
        outline.resize(level, 0);
        outline[level - 1] += 1;
        let outline_number = outline
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(".");
        let summary = plan.is_summary(i);
        let (start, finish) = match dates.get(i) {
            Some(&(s, f)) => (instant(s), instant(f)),
            None => (None, None),
        };
        let constraint_date = t.constraint_date.and_then(|d| match t.constraint {
            Constraint::Fnet | Constraint::Fnlt | Constraint::Mfo => at(d, day_finish),
            _ => at(d, day_start),
        });
        let actual_duration = t.duration * i64::from(t.percent_complete.min(100)) / 100;
        let units_total: i64 = t.assignments.iter().map(|a| i64::from(a.units)).sum();
        let tuid = t.uid as i32;
        for a in &t.assignments {
            let work = t.duration * i64::from(a.units) / 100;
            p.assignments.push(mspdi::Assignment {
                uid: p.assignments.len() as i32 + 1,
                task_uid: tuid,
                resource_uid: resource_of.get(&a.person_id).copied().unwrap_or(-65535),
                units: Some(f64::from(a.units) / 100.0),
                work: Some(work),
                start,
                finish,
                ..mspdi::Assignment::default()
            });
        }
        p.tasks.push(mspdi::Task {
            uid: tuid,
            id: Some(i as i32 + 1),
            name: Some(t.name.clone()),
            task_type: (!summary).then_some(1),
            outline_level: Some(u16::from(t.level)),
            outline_number: Some(outline_number),
            summary,
            milestone: t.milestone,
            start,
            finish,
            // A summary's duration rolls up; MS Project computes it when absent.
            duration: (!summary || t.duration != 0).then_some(t.duration),
            duration_format: Some(mspdi::DurationFormat::DAYS),
            work: (!t.assignments.is_empty()).then_some(t.duration * units_total / 100),
            effort_driven: Some(false),
            constraint_type: Some(constraint_to(t.constraint)),
            constraint_date,
            deadline: t.deadline.and_then(|d| at(d, day_finish)),
            percent_complete: Some(u16::from(t.percent_complete)),
            // MS Project writes both; MPXJ's scheduler needs them.
            actual_duration: (!summary).then_some(actual_duration),
            remaining_duration: (!summary).then_some(t.duration - actual_duration),
            actual_start: t.actual_start.and_then(|d| at(d, day_start)),
            actual_finish: t.actual_finish.and_then(|d| at(d, day_finish)),
            fixed_cost: (t.fixed_cost != 0).then_some(t.fixed_cost),
            notes: (!t.notes.is_empty()).then(|| t.notes.clone()),
            baselines: t
                .baselines
                .iter()
                .map(|(&number, b)| mspdi::TaskBaseline {
                    number,
                    start: instant(b.start),
                    finish: instant(b.finish),
                    duration: Some(b.duration),
                    duration_format: Some(mspdi::DurationFormat::DAYS),
                    work: Some(b.work),
                    cost: Some(b.cost),
                    ..mspdi::TaskBaseline::default()
                })
                .collect(),
            predecessors: preds
                .get(&t.uid)
                .map(|ls| {
                    ls.iter()
                        .map(|l| mspdi::PredecessorLink {
                            predecessor_uid: l.pred as i32,
                            link_type: link_to(l.kind),
                            cross_project: false,
                            cross_project_name: None,
                            lag: l.lag * 10,
                            lag_format: Some(lag_format(l.lag, mpd)),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            ..mspdi::Task::default()
        });
    }

    let bytes = mspdi::write(&p);
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

// ---- diff ---------------------------------------------------------------------------------

/// A task named in a [`PlanDiff`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRef {
    pub uid: u32,
    pub name: String,
}

/// A task present in both plans whose fields differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskChange {
    pub uid: u32,
    /// The name in the new plan.
    pub name: String,
    /// What changed, in table order: `name`, `level`, `parent`, `duration`, `milestone`,
    /// `constraint`, `deadline`, `% complete`, `actual start`, `actual finish`, `fixed cost`,
    /// `resources`, `actual work`, `actual cost`, `role`, `notes`, `baselines`.
    pub fields: Vec<&'static str>,
}

/// What replacing one plan with another would do (the import preview). Tasks are matched by
/// uid; links by predecessor (and its project) and successor, so a link whose type or lag
/// changed is listed in `links_changed`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanDiff {
    pub added: Vec<TaskRef>,
    pub removed: Vec<TaskRef>,
    pub changed: Vec<TaskChange>,
    pub links_added: Vec<PlanLink>,
    pub links_removed: Vec<PlanLink>,
    /// (old, new).
    pub links_changed: Vec<(PlanLink, PlanLink)>,
    /// Plan-level fields that changed: `start`, `status date`.
    pub plan_fields: Vec<&'static str>,
    pub old_tasks: usize,
    pub new_tasks: usize,
    pub old_links: usize,
    pub new_links: usize,
}

impl PlanDiff {
    /// True when the two plans have the same tasks, links and dates.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.links_added.is_empty()
            && self.links_removed.is_empty()
            && self.links_changed.is_empty()
            && self.plan_fields.is_empty()
    }

    /// One line for the preview, e.g. `3 tasks added, 1 removed, 5 changed; 2 links added,
    /// 0 removed, 1 changed`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} tasks added, {} removed, {} changed; {} links added, {} removed, {} changed",
            self.added.len(),
            self.removed.len(),
            self.changed.len(),
            self.links_added.len(),
            self.links_removed.len(),
            self.links_changed.len()
        );
        if !self.plan_fields.is_empty() {
            let _ = write!(s, "; project {} changed", self.plan_fields.join(", "));
        }
        s
    }
}

type LinkKey = (Option<Uuid>, u32, u32);

fn link_key(l: &PlanLink) -> LinkKey {
    (l.pred_project, l.pred, l.succ)
}

/// Parent uid of each task uid.
fn parent_uids(plan: &Plan) -> HashMap<u32, Option<u32>> {
    plan.parents()
        .iter()
        .zip(&plan.tasks)
        .map(|(p, t)| (t.uid, p.map(|i| plan.tasks[i].uid)))
        .collect()
}

fn changed_fields(
    a: &PlanTask,
    b: &PlanTask,
    parent_a: Option<u32>,
    parent_b: Option<u32>,
) -> Vec<&'static str> {
    let mut f = Vec::new();
    let mut check = |differs: bool, name: &'static str| {
        if differs {
            f.push(name);
        }
    };
    check(a.name != b.name, "name");
    check(a.level != b.level, "level");
    check(parent_a != parent_b, "parent");
    check(a.duration != b.duration, "duration");
    check(a.milestone != b.milestone, "milestone");
    check(
        a.constraint != b.constraint || a.constraint_date != b.constraint_date,
        "constraint",
    );
    check(a.deadline != b.deadline, "deadline");
    check(a.percent_complete != b.percent_complete, "% complete");
    check(a.actual_start != b.actual_start, "actual start");
    check(a.actual_finish != b.actual_finish, "actual finish");
    check(a.fixed_cost != b.fixed_cost, "fixed cost");
    check(a.assignments != b.assignments, "resources");
    check(a.actual_work != b.actual_work, "actual work");
    check(a.actual_cost != b.actual_cost, "actual cost");
    check(a.role != b.role, "role");
    check(a.notes != b.notes, "notes");
    check(a.baselines != b.baselines, "baselines");
    f
}

/// Compares two plans of a project (the current one and an imported one).
pub fn diff(old: &Plan, new: &Plan) -> PlanDiff {
    let old_by: HashMap<u32, &PlanTask> = old.tasks.iter().map(|t| (t.uid, t)).collect();
    let new_by: HashMap<u32, &PlanTask> = new.tasks.iter().map(|t| (t.uid, t)).collect();
    let old_parent = parent_uids(old);
    let new_parent = parent_uids(new);
    let mut d = PlanDiff {
        old_tasks: old.tasks.len(),
        new_tasks: new.tasks.len(),
        old_links: old.links.len(),
        new_links: new.links.len(),
        ..PlanDiff::default()
    };
    for t in &new.tasks {
        match old_by.get(&t.uid) {
            None => d.added.push(TaskRef {
                uid: t.uid,
                name: t.name.clone(),
            }),
            Some(o) => {
                let fields = changed_fields(
                    o,
                    t,
                    old_parent.get(&t.uid).copied().flatten(),
                    new_parent.get(&t.uid).copied().flatten(),
                );
                if !fields.is_empty() {
                    d.changed.push(TaskChange {
                        uid: t.uid,
                        name: t.name.clone(),
                        fields,
                    });
                }
            }
        }
    }
    for t in &old.tasks {
        if !new_by.contains_key(&t.uid) {
            d.removed.push(TaskRef {
                uid: t.uid,
                name: t.name.clone(),
            });
        }
    }
    let old_links: HashMap<LinkKey, &PlanLink> =
        old.links.iter().map(|l| (link_key(l), l)).collect();
    let new_links: HashMap<LinkKey, &PlanLink> =
        new.links.iter().map(|l| (link_key(l), l)).collect();
    for l in &new.links {
        match old_links.get(&link_key(l)) {
            None => d.links_added.push(l.clone()),
            Some(o) if o.kind != l.kind || o.lag != l.lag => {
                d.links_changed.push(((*o).clone(), l.clone()));
            }
            Some(_) => {}
        }
    }
    for l in &old.links {
        if !new_links.contains_key(&link_key(l)) {
            d.links_removed.push(l.clone());
        }
    }
    if old.start != new.start {
        d.plan_fields.push("start");
    }
    if old.status_date != new.status_date {
        d.plan_fields.push("status date");
    }
    d
}

// ---- table export -------------------------------------------------------------------------

/// Column headers of [`tasks_table`].
pub const TASK_COLUMNS: [&str; 11] = [
    "ID",
    "Level",
    "Name",
    "Duration (days)",
    "Start",
    "Finish",
    "% complete",
    "Predecessors",
    "Fixed cost",
    "Baseline start",
    "Baseline finish",
];

/// `YYYY-MM-DD HH:MM` of an engine instant.
fn instant_text(m: i64) -> Cell {
    match mspdi::DateTime::from_minutes_since_epoch(m) {
        Some(d) => Cell::Text(format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            d.year, d.month, d.day, d.hour, d.minute
        )),
        None => Cell::Empty,
    }
}

/// The plan as a table for CSV/XLSX export: one row per task in outline order, with the
/// scheduled `dates` (engine minutes, same order as `plan.tasks`), predecessors in the table
/// editor's syntax (`?:uid` for a task of another project) and baseline 0.
pub fn tasks_table(
    plan: &Plan,
    dates: &[(i64, i64)],
    minutes_per_day: i64,
) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
    let mpd = minutes_per_day.max(1);
    let mut preds: HashMap<u32, Vec<String>> = HashMap::new();
    for l in &plan.links {
        let key = l.pred_project.map(|_| "?");
        preds
            .entry(l.succ)
            .or_default()
            .push(plan::format_predecessor(key, l.pred, l.kind, l.lag, mpd));
    }
    let rows = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (start, finish) = match dates.get(i) {
                Some(&(s, f)) => (instant_text(s), instant_text(f)),
                None => (Cell::Empty, Cell::Empty),
            };
            let base = t.baselines.get(&0);
            vec![
                Cell::Number(f64::from(t.uid)),
                Cell::Number(f64::from(t.level)),
                Cell::Text(t.name.clone()),
                Cell::Number((t.duration as f64 / mpd as f64 * 100.0).round() / 100.0),
                start,
                finish,
                Cell::Number(f64::from(t.percent_complete)),
                Cell::Text(preds.get(&t.uid).map(|p| p.join(", ")).unwrap_or_default()),
                Cell::Number(t.fixed_cost as f64 / 100.0),
                base.map_or(Cell::Empty, |b| instant_text(b.start)),
                base.map_or(Cell::Empty, |b| instant_text(b.finish)),
            ]
        })
        .collect();
    (TASK_COLUMNS.to_vec(), rows)
}

/// One CSV field: text guarded against formula injection (a leading `=`, `+`, `-`, `@`, tab
/// or CR gets a `'`), then quoted per RFC 4180 when needed.
fn csv_field(out: &mut String, raw: &str) {
    let guarded;
    let s = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{raw}");
        guarded.as_str()
    } else {
        raw
    };
    if s.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Renders a table as CSV (RFC 4180: comma-separated, CRLF line ends, fields with commas,
/// quotes or line breaks quoted). Text cells starting with `=`, `+`, `-`, `@`, tab or CR
/// get a leading `'` so spreadsheets do not run them as formulas; numbers are written as
/// numbers (a negative number stays `-5`), money as `units.cents`.
pub fn to_csv(headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut out = String::with_capacity(64 * (rows.len() + 1));
    for (i, h) in headers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, h);
    }
    out.push_str("\r\n");
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match c {
                Cell::Text(s) => csv_field(&mut out, s),
                Cell::Number(v) if v.is_finite() => {
                    let _ = write!(out, "{v}");
                }
                Cell::Number(_) | Cell::Empty => {}
                Cell::Money { minor, .. } => {
                    let sign = if *minor < 0 { "-" } else { "" };
                    let a = minor.unsigned_abs();
                    let _ = write!(out, "{sign}{}.{:02}", a / 100, a % 100);
                }
            }
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_values_convert_at_face_value() {
        // 3 elapsed days → 3 working days; 12 elapsed hours stay 12 hours.
        assert_eq!(
            elapsed_at_face_value(3 * 1440, TimeUnit::Days, 480, 2400, 20),
            1440
        );
        assert_eq!(
            elapsed_at_face_value(720, TimeUnit::Hours, 480, 2400, 20),
            720
        );
        assert_eq!(
            elapsed_at_face_value(14 * 1440, TimeUnit::Weeks, 480, 2400, 20),
            4800
        );
        assert_eq!(
            elapsed_at_face_value(30 * 1440, TimeUnit::Months, 480, 2400, 20),
            9600
        );
        assert_eq!(
            elapsed_at_face_value(-1440, TimeUnit::Days, 420, 2100, 20),
            -420
        );
        assert_eq!(
            elapsed_at_face_value(i64::MAX, TimeUnit::Days, 480, 2400, 20),
            MAX_DURATION
        );
    }

    #[test]
    fn written_calendar_has_the_day_length() {
        for mpd in [1, 60, 240, 420, 480, 600, 900, 1440] {
            let total: i64 = day_times(mpd)
                .iter()
                .map(|t| i64::from(t.to) - i64::from(t.from))
                .sum();
            assert_eq!(total, mpd, "{mpd}");
            assert!(day_times(mpd).iter().all(|t| t.from < t.to && t.to <= 1440));
        }
        assert_eq!(
            day_times(480),
            vec![
                mspdi::WorkingTime { from: 480, to: 720 },
                mspdi::WorkingTime {
                    from: 780,
                    to: 1020
                }
            ]
        );
    }

    #[test]
    fn lag_formats_follow_the_value() {
        assert_eq!(lag_format(960, 480).unit, TimeUnit::Days);
        assert_eq!(lag_format(-120, 480).unit, TimeUnit::Hours);
        assert_eq!(lag_format(90, 480).unit, TimeUnit::Minutes);
        assert_eq!(lag_format(0, 480).unit, TimeUnit::Days);
    }
}
