//! Bridge from the MSPDI data model ([`crate::mspdi::Project`]) to the CPM engine's input
//! ([`atrium_schedule::cpm::Project`]): calendars with base calendars, work weeks and
//! exceptions; tasks with outline, durations, constraints, deadlines and progress; links with
//! type and lag format.
//!
//! Task index `i` of the engine input is the `i`-th scheduled task of the file (the project
//! summary task UID 0, null and inactive tasks are left out); [`EngineInput::uids`] maps back.

use crate::mspdi;
use atrium_schedule::calendar::{
    Calendar, CalendarDef, Date, DateTime, Exception, Interval, Recurrence, Span, Weekday,
};
use atrium_schedule::cpm::{ConstraintKind, Lag, Link, LinkKind, Mode, Project, Task};
use std::collections::HashMap;

/// The engine input built from a file, with the maps back to the file's identities.
#[derive(Debug, Clone)]
pub struct EngineInput {
    /// What [`atrium_schedule::cpm::schedule`] takes.
    pub project: Project,
    /// MSPDI task UID of each engine task index.
    pub uids: Vec<i32>,
    /// Task names (empty when the file has none).
    pub names: Vec<String>,
    /// MSPDI calendar UID of each engine calendar index (-1 for the built-in fallback).
    pub calendar_uids: Vec<i32>,
    /// What the conversion could not carry over exactly.
    pub notes: Vec<String>,
}

/// Engine instant of a file date-time (seconds are dropped).
pub fn to_instant(d: &mspdi::DateTime) -> DateTime {
    DateTime(d.minutes_since_epoch())
}

/// MSPDI `DayType` (1 = Sunday .. 7 = Saturday) to the engine's Monday-first weekday.
fn weekday_of_day_type(day_type: u8) -> Option<Weekday> {
    match day_type {
        1 => Some(Weekday::Sun),
        2..=7 => Some(Weekday::from_index(usize::from(day_type - 2))),
        _ => None,
    }
}

fn intervals(times: &[mspdi::WorkingTime]) -> Vec<Interval> {
    times
        .iter()
        .filter_map(|t| Interval::new(t.from, t.to))
        .collect()
}

/// Working times on a working day that lists none: MS Project's default day.
fn default_day() -> Vec<Interval> {
    CalendarDef::standard().week[0].clone()
}

/// Resolves a calendar and its base chain into a [`CalendarDef`]. Days a derived calendar
/// does not define come from its base; its exceptions win over the base's.
pub fn calendar_def(file: &mspdi::Project, uid: i32) -> CalendarDef {
    let mut chain: Vec<&mspdi::Calendar> = Vec::new();
    let mut cur = file.calendar(uid);
    while let Some(c) = cur {
        if chain.iter().any(|x| x.uid == c.uid) || chain.len() > 32 {
            break;
        }
        chain.push(c);
        cur = c.base_calendar_uid.and_then(|b| file.calendar(b));
    }
    // Start from MS Project's Standard week for days nobody defines, then apply base first.
    let mut def = CalendarDef::standard();
    def.name = chain
        .first()
        .and_then(|c| c.name.clone())
        .unwrap_or_else(|| format!("calendar {uid}"));
    for cal in chain.iter().rev() {
        for wd in &cal.week_days {
            let Some(day) = weekday_of_day_type(wd.day_type) else {
                continue;
            };
            if !wd.working {
                def.week[day.index()] = Vec::new();
            } else if !wd.times.is_empty() {
                def.week[day.index()] = intervals(&wd.times);
            } else if def.week[day.index()].is_empty() {
                // "Working" without times and nothing inherited: MS Project's default day.
                def.week[day.index()] = default_day();
            }
        }
        // Work weeks: a different week pattern over a date range; real exceptions win.
        for ww in &cal.work_weeks {
            let (from, to) = (
                Date(ww.from.days_since_epoch()),
                Date(ww.to.days_since_epoch()),
            );
            for wd in &ww.week_days {
                let Some(day) = weekday_of_day_type(wd.day_type) else {
                    continue;
                };
                let working = if !wd.working {
                    Vec::new()
                } else if wd.times.is_empty() {
                    def.week[day.index()].clone()
                } else {
                    intervals(&wd.times)
                };
                let mut days = [false; 7];
                days[day.index()] = true;
                def.exceptions.push(Exception {
                    from,
                    to,
                    recurrence: Some(Recurrence::Weekly { every: 1, days }),
                    working,
                    occurrences: None,
                });
            }
        }
        for ex in &cal.exceptions {
            let working = if !ex.working {
                Vec::new()
            } else if ex.times.is_empty() {
                default_day()
            } else {
                intervals(&ex.times)
            };
            // The reader expands MSPDI's recurrence kinds; keep one engine exception per day.
            for d in ex.dates(200_000) {
                let day = Date(d.days_since_epoch());
                def.exceptions.push(Exception {
                    from: day,
                    to: day,
                    recurrence: None,
                    working: working.clone(),
                    occurrences: None,
                });
            }
        }
    }
    def
}

fn constraint_kind(c: mspdi::ConstraintType) -> ConstraintKind {
    use mspdi::ConstraintType as C;
    match c {
        C::AsSoonAsPossible => ConstraintKind::Asap,
        C::AsLateAsPossible => ConstraintKind::Alap,
        C::MustStartOn => ConstraintKind::Mso,
        C::MustFinishOn => ConstraintKind::Mfo,
        C::StartNoEarlierThan => ConstraintKind::Snet,
        C::StartNoLaterThan => ConstraintKind::Snlt,
        C::FinishNoEarlierThan => ConstraintKind::Fnet,
        C::FinishNoLaterThan => ConstraintKind::Fnlt,
    }
}

fn link_kind(t: mspdi::LinkType) -> LinkKind {
    match t {
        mspdi::LinkType::FinishToStart => LinkKind::FinishStart,
        mspdi::LinkType::StartToStart => LinkKind::StartStart,
        mspdi::LinkType::FinishToFinish => LinkKind::FinishFinish,
        mspdi::LinkType::StartToFinish => LinkKind::StartFinish,
    }
}

/// Lag of a link: `LinkLag` is tenths of a minute (working or elapsed per `LagFormat`), or a
/// plain percent of the predecessor's duration for percent formats.
fn lag(l: &mspdi::PredecessorLink) -> Lag {
    if l.lag_is_percent() {
        Lag::Percent(l.lag.saturating_mul(100))
    } else if l.lag_is_elapsed() {
        Lag::Elapsed(l.lag / 10)
    } else {
        Lag::Work(l.lag / 10)
    }
}

fn is_scheduled(t: &mspdi::Task) -> bool {
    t.uid != 0 && !t.is_null && t.active != Some(false)
}

/// Engine index of each task UID: a table when the UIDs are small and dense (as files number
/// them), else a hash map.
enum UidIndex {
    Dense(Vec<u32>),
    Sparse(HashMap<i32, u32>),
}

impl UidIndex {
    const NONE: u32 = u32::MAX;

    fn for_tasks(tasks: &[mspdi::Task]) -> UidIndex {
        let (mut lo, mut hi) = (i32::MAX, i32::MIN);
        for t in tasks {
            lo = lo.min(t.uid);
            hi = hi.max(t.uid);
        }
        match usize::try_from(hi) {
            Ok(hi) if lo >= 0 && hi <= 4 * tasks.len() + 1024 => {
                UidIndex::Dense(vec![Self::NONE; hi + 1])
            }
            _ => UidIndex::Sparse(HashMap::new()),
        }
    }

    /// Like `HashMap::insert`: the previous index of `uid`, if any.
    fn insert(&mut self, uid: i32, i: u32) -> Option<u32> {
        match self {
            UidIndex::Dense(v) => {
                let slot = &mut v[uid as usize];
                let old = std::mem::replace(slot, i);
                (old != Self::NONE).then_some(old)
            }
            UidIndex::Sparse(m) => m.insert(uid, i),
        }
    }

    fn get(&self, uid: i32) -> Option<u32> {
        match self {
            UidIndex::Dense(v) => usize::try_from(uid)
                .ok()
                .and_then(|u| v.get(u))
                .copied()
                .filter(|&i| i != Self::NONE),
            UidIndex::Sparse(m) => m.get(&uid).copied(),
        }
    }
}

/// Converts a parsed file into engine input. `status_date` (from the caller, e.g. the CLI)
/// overrides nothing in the file: the file's own status date is not applied, as MS Project
/// only reschedules around a status date on request.
pub fn to_engine(file: &mspdi::Project, status_date: Option<DateTime>) -> EngineInput {
    let mut input = engine_input(file, status_date);
    input.names = scheduled(file)
        .map(|t| t.name.clone().unwrap_or_default())
        .collect();
    input
}

/// [`to_engine`] for a file that is not needed afterwards: the task names are moved rather
/// than copied (an allocation and a copy per task less).
pub fn into_engine(mut file: mspdi::Project, status_date: Option<DateTime>) -> EngineInput {
    let mut input = engine_input(&file, status_date);
    input.names = file
        .tasks
        .iter_mut()
        .filter(|t| is_scheduled(t))
        .map(|t| t.name.take().unwrap_or_default())
        .collect();
    input
}

/// The tasks the engine schedules, in file order (engine index order).
fn scheduled(file: &mspdi::Project) -> impl Iterator<Item = &mspdi::Task> {
    file.tasks.iter().filter(|t| is_scheduled(t))
}

/// [`to_engine`] without the task names (left empty).
fn engine_input(file: &mspdi::Project, status_date: Option<DateTime>) -> EngineInput {
    let mut notes = Vec::new();
    if file.schedule_from_start == Some(false) {
        notes.push(
            "project is scheduled from its finish date; Atrium schedules it from the start".into(),
        );
    }

    // Calendars: the project calendar first (index 0), then every other calendar.
    let project_cal = file
        .calendar_uid
        .filter(|u| file.calendar(*u).is_some())
        .or_else(|| file.calendars.first().map(|c| c.uid));
    let mut calendar_uids: Vec<i32> = Vec::new();
    let mut calendars: Vec<Calendar> = Vec::new();
    match project_cal {
        Some(u) => {
            calendar_uids.push(u);
            calendars.push(calendar_def(file, u).compile());
        }
        None => {
            calendar_uids.push(-1);
            calendars.push(CalendarDef::standard().compile());
        }
    }
    let mut cal_index: HashMap<i32, u32> = HashMap::new();
    cal_index.insert(calendar_uids[0], 0);
    let mut calendar_of = |uid: Option<i32>, notes: &mut Vec<String>| -> u32 {
        let Some(u) = uid else { return 0 };
        if let Some(&i) = cal_index.get(&u) {
            return i;
        }
        if file.calendar(u).is_none() {
            notes.push(format!(
                "calendar {u} does not exist; the project calendar is used"
            ));
            cal_index.insert(u, 0);
            return 0;
        }
        let i = calendars.len() as u32;
        calendars.push(calendar_def(file, u).compile());
        calendar_uids.push(u);
        cal_index.insert(u, i);
        i
    };

    // Work assignments per task: a task that is not fixed-duration and has them is timed by
    // its resources (work / units on the resource's calendar), as in MS Project.
    let mut assigned: HashMap<i32, Vec<&mspdi::Assignment>> = HashMap::new();
    for a in &file.assignments {
        let is_work = file
            .resources
            .iter()
            .find(|r| r.uid == a.resource_uid)
            .is_some_and(|r| r.resource_type.unwrap_or_default() == mspdi::ResourceType::Work);
        if is_work && a.units.unwrap_or(1.0) > 0.0 && a.work.is_some() {
            assigned.entry(a.task_uid).or_default().push(a);
        }
    }

    // Tasks in file order, parents from outline levels.
    let count = scheduled(file).count();
    let mut uids = Vec::with_capacity(count);
    let mut tasks: Vec<Task> = Vec::with_capacity(count);
    let mut index_of = UidIndex::for_tasks(&file.tasks);
    let mut stack: Vec<(u16, u32)> = Vec::new();
    for t in scheduled(file) {
        let i = tasks.len() as u32;
        if index_of.insert(t.uid, i).is_some() {
            notes.push(format!(
                "task UID {} appears twice; links go to the last one",
                t.uid
            ));
        }
        let level = t.level().max(1);
        while stack.last().is_some_and(|&(l, _)| l >= level) {
            stack.pop();
        }
        let parent = stack.last().map(|&(_, p)| p);
        stack.push((level, i));

        let elapsed = t.duration_format.is_some_and(|f| f.elapsed);
        let mut minutes = t.duration.unwrap_or(0).max(0);
        let mut remaining = t.remaining_duration;
        let mut calendar_uid = t.calendar_uid;
        // Resource-driven timing: the assignment that takes longest decides (one calendar per
        // task in the engine, so several resources on different calendars are approximated).
        if t.task_type != Some(1)
            && !elapsed
            && t.calendar_uid.is_none()
            && let Some(list) = assigned.get(&t.uid)
        {
            let per_units = |m: i64, u: f64| (m as f64 / u).round() as i64;
            let longest = list
                .iter()
                .max_by_key(|a| per_units(a.work.unwrap_or(0), a.units.unwrap_or(1.0)));
            if let Some(a) = longest {
                let units = a.units.unwrap_or(1.0);
                minutes = per_units(a.work.unwrap_or(0), units).max(0);
                remaining = a
                    .remaining_work
                    .map(|w| per_units(w, units).max(0))
                    .or(remaining);
                let res_cal = file
                    .resources
                    .iter()
                    .find(|r| r.uid == a.resource_uid)
                    .and_then(|r| r.calendar_uid);
                if res_cal.is_some() {
                    calendar_uid = res_cal;
                }
            }
        }
        let span = |m: i64| {
            if elapsed {
                Span::Elapsed(m)
            } else {
                Span::Work(m)
            }
        };
        let mode = if t.external_task {
            match (t.start, t.finish) {
                (Some(s), Some(f)) => Mode::External {
                    start: to_instant(&s),
                    finish: to_instant(&f),
                },
                _ => {
                    notes.push(format!(
                        "external task UID {} has no dates; it is scheduled like a task",
                        t.uid
                    ));
                    Mode::Auto
                }
            }
        } else if t.manual {
            match (t.start, t.finish) {
                (Some(s), Some(f)) => Mode::Manual {
                    start: to_instant(&s),
                    finish: to_instant(&f),
                },
                _ => Mode::Auto,
            }
        } else {
            Mode::Auto
        };
        let calendar = calendar_of(calendar_uid, &mut notes);
        tasks.push(Task {
            duration: span(minutes),
            calendar,
            mode,
            milestone: t.milestone,
            constraint: constraint_kind(t.constraint()),
            constraint_date: t.constraint_date.as_ref().map(to_instant),
            deadline: t.deadline.as_ref().map(to_instant),
            actual_start: t.actual_start.as_ref().map(to_instant),
            actual_finish: t.actual_finish.as_ref().map(to_instant),
            percent_complete: f64::from(t.percent_complete.unwrap_or(0).min(100)),
            remaining: remaining.map(|m| span(m.max(0))),
            parent,
            work: t.work.unwrap_or(0),
            cost: t.cost.unwrap_or(0),
        });
        uids.push(t.uid);
    }

    // Links, stored on the successor.
    let mut links = Vec::with_capacity(scheduled(file).map(|t| t.predecessors.len()).sum());
    for t in scheduled(file) {
        let Some(succ) = index_of.get(t.uid) else {
            continue;
        };
        for l in &t.predecessors {
            match index_of.get(l.predecessor_uid) {
                Some(pred) => links.push(Link {
                    pred,
                    succ,
                    kind: link_kind(l.link_type),
                    lag: lag(l),
                }),
                None => notes.push(format!(
                    "task UID {} names predecessor UID {} which is not in the file; link ignored",
                    t.uid, l.predecessor_uid
                )),
            }
        }
    }

    // Project start: the file's, else the earliest task start, else 2000-01-03 08:00.
    let start = file
        .start_date
        .as_ref()
        .map(to_instant)
        .or_else(|| {
            file.tasks
                .iter()
                .filter_map(|t| t.start.as_ref())
                .min()
                .map(to_instant)
        })
        .unwrap_or_else(|| Date::from_ymd(2000, 1, 3).unwrap_or_default().at(480));

    EngineInput {
        project: Project {
            start,
            status_date,
            calendars,
            tasks,
            links,
        },
        uids,
        names: Vec::new(),
        calendar_uids,
        notes,
    }
}
