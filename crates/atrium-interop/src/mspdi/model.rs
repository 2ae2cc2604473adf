//! The MSPDI data model: a faithful, plain-data picture of an MS Project XML file.
//!
//! Values keep MSPDI's own units so that a read followed by a write loses nothing the model
//! carries: durations and work in minutes (MSPDI's `PT..H..M..S`), link lags in tenths of a
//! minute (MSPDI's `LinkLag`), costs in hundredths of the currency unit (how MSPDI stores
//! `Cost`), rates in currency units per hour, units as fractions (1.0 = 100 %). Optional file
//! elements are `Option`s so that "absent" and "zero" stay distinct.

use std::fmt;

/// A local (zone-less) date and time, as MSPDI writes them (`2001-01-01T08:00:00`).
///
/// Field order makes the derived `Ord` chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DateTime {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl DateTime {
    /// Builds a date-time, checking ranges (year 1..=9999, real calendar day, 24:00 not allowed).
    pub fn new(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        Some(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Midnight at the start of the given day.
    pub fn date(year: i32, month: u8, day: u8) -> Option<Self> {
        Self::new(year, month, day, 0, 0, 0)
    }

    /// Days since 1970-01-01 of this date (proleptic Gregorian; negative before 1970).
    pub fn days_since_epoch(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// Whole minutes since 1970-01-01T00:00 (seconds are dropped), the engine's instant unit.
    pub fn minutes_since_epoch(&self) -> i64 {
        self.days_since_epoch() * 1440 + i64::from(self.hour) * 60 + i64::from(self.minute)
    }

    /// Inverse of [`DateTime::minutes_since_epoch`] (seconds = 0). `None` outside years 1..=9999.
    pub fn from_minutes_since_epoch(minutes: i64) -> Option<Self> {
        let days = minutes.div_euclid(1440);
        let rest = minutes.rem_euclid(1440);
        let (y, m, d) = civil_from_days(days);
        let y = i32::try_from(y).ok()?;
        Self::new(y, m, d, (rest / 60) as u8, (rest % 60) as u8, 0)
    }

    /// Day of the week, 1 = Sunday .. 7 = Saturday (MSPDI's `DayType` numbering).
    pub fn day_type(&self) -> u8 {
        // 1970-01-01 was a Thursday (DayType 5).
        ((self.days_since_epoch() + 4).rem_euclid(7) + 1) as u8
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

pub(crate) fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub(crate) fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Howard Hinnant's days_from_civil: exact for the whole proleptic Gregorian calendar.
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Unit of an MSPDI duration format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    /// Percent of the predecessor's duration (link lags only).
    Percent,
}

/// MSPDI `DurationFormat` / `LagFormat`: the unit a duration is shown in, whether it is
/// elapsed (calendar) time, and whether it is an estimate (`?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DurationFormat {
    pub unit: TimeUnit,
    pub elapsed: bool,
    pub estimated: bool,
}

impl DurationFormat {
    /// Working days, MS Project's default.
    pub const DAYS: DurationFormat = DurationFormat {
        unit: TimeUnit::Days,
        elapsed: false,
        estimated: false,
    };

    /// Decodes an MSPDI format code (3 = m, 4 = em, 5 = h, 6 = eh, 7 = d, 8 = ed, 9 = w,
    /// 10 = ew, 11 = mo, 12 = emo, 19 = %, 20 = e%, +32 for the estimated variants).
    /// Codes 21 and 53 ("null") and unknown codes give `None`.
    pub fn from_code(code: i64) -> Option<Self> {
        let (base, estimated) = if (35..=52).contains(&code) {
            (code - 32, true)
        } else {
            (code, false)
        };
        let (unit, elapsed) = match base {
            3 => (TimeUnit::Minutes, false),
            4 => (TimeUnit::Minutes, true),
            5 => (TimeUnit::Hours, false),
            6 => (TimeUnit::Hours, true),
            7 => (TimeUnit::Days, false),
            8 => (TimeUnit::Days, true),
            9 => (TimeUnit::Weeks, false),
            10 => (TimeUnit::Weeks, true),
            11 => (TimeUnit::Months, false),
            12 => (TimeUnit::Months, true),
            19 => (TimeUnit::Percent, false),
            20 => (TimeUnit::Percent, true),
            _ => return None,
        };
        Some(DurationFormat {
            unit,
            elapsed,
            estimated,
        })
    }

    /// The MSPDI code of this format (inverse of [`DurationFormat::from_code`]).
    pub fn code(&self) -> i64 {
        let base = match (self.unit, self.elapsed) {
            (TimeUnit::Minutes, false) => 3,
            (TimeUnit::Minutes, true) => 4,
            (TimeUnit::Hours, false) => 5,
            (TimeUnit::Hours, true) => 6,
            (TimeUnit::Days, false) => 7,
            (TimeUnit::Days, true) => 8,
            (TimeUnit::Weeks, false) => 9,
            (TimeUnit::Weeks, true) => 10,
            (TimeUnit::Months, false) => 11,
            (TimeUnit::Months, true) => 12,
            (TimeUnit::Percent, false) => 19,
            (TimeUnit::Percent, true) => 20,
        };
        if self.estimated { base + 32 } else { base }
    }
}

/// Link (dependency) type. MSPDI codes: 0 = FF, 1 = FS, 2 = SF, 3 = SS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LinkType {
    FinishToFinish,
    #[default]
    FinishToStart,
    StartToFinish,
    StartToStart,
}

impl LinkType {
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => LinkType::FinishToFinish,
            1 => LinkType::FinishToStart,
            2 => LinkType::StartToFinish,
            3 => LinkType::StartToStart,
            _ => return None,
        })
    }
    pub fn code(&self) -> i64 {
        match self {
            LinkType::FinishToFinish => 0,
            LinkType::FinishToStart => 1,
            LinkType::StartToFinish => 2,
            LinkType::StartToStart => 3,
        }
    }
}

/// Task constraint type. MSPDI codes 0..=7 in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ConstraintType {
    #[default]
    AsSoonAsPossible,
    AsLateAsPossible,
    MustStartOn,
    MustFinishOn,
    StartNoEarlierThan,
    StartNoLaterThan,
    FinishNoEarlierThan,
    FinishNoLaterThan,
}

impl ConstraintType {
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => ConstraintType::AsSoonAsPossible,
            1 => ConstraintType::AsLateAsPossible,
            2 => ConstraintType::MustStartOn,
            3 => ConstraintType::MustFinishOn,
            4 => ConstraintType::StartNoEarlierThan,
            5 => ConstraintType::StartNoLaterThan,
            6 => ConstraintType::FinishNoEarlierThan,
            7 => ConstraintType::FinishNoLaterThan,
            _ => return None,
        })
    }
    pub fn code(&self) -> i64 {
        match self {
            ConstraintType::AsSoonAsPossible => 0,
            ConstraintType::AsLateAsPossible => 1,
            ConstraintType::MustStartOn => 2,
            ConstraintType::MustFinishOn => 3,
            ConstraintType::StartNoEarlierThan => 4,
            ConstraintType::StartNoLaterThan => 5,
            ConstraintType::FinishNoEarlierThan => 6,
            ConstraintType::FinishNoLaterThan => 7,
        }
    }
}

/// A predecessor link as stored on the successor task.
#[derive(Debug, Clone, PartialEq)]
pub struct PredecessorLink {
    pub predecessor_uid: i32,
    pub link_type: LinkType,
    /// `CrossProject`: the predecessor lives in another project file.
    pub cross_project: bool,
    /// `CrossProjectName`: that project's path and task, as MS Project writes it.
    pub cross_project_name: Option<String>,
    /// `LinkLag` exactly as stored: tenths of a minute for time lags (working or elapsed
    /// minutes per `lag_format`); for percent lags the plain percent (50 = 50 %), as MS
    /// Project and MPXJ write it.
    pub lag: i64,
    /// `LagFormat`; `None` when absent (MS Project then means working days).
    pub lag_format: Option<DurationFormat>,
}

impl PredecessorLink {
    /// True when the lag is a percent of the predecessor's duration.
    pub fn lag_is_percent(&self) -> bool {
        matches!(self.lag_format, Some(f) if f.unit == TimeUnit::Percent)
    }
    /// True when the lag runs in calendar (elapsed) time.
    pub fn lag_is_elapsed(&self) -> bool {
        matches!(self.lag_format, Some(f) if f.elapsed)
    }
}

/// One numbered baseline of a task (`Baseline` element, `Number` 0..=10).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskBaseline {
    pub number: u8,
    pub start: Option<DateTime>,
    pub finish: Option<DateTime>,
    /// Minutes.
    pub duration: Option<i64>,
    pub duration_format: Option<DurationFormat>,
    /// Minutes.
    pub work: Option<i64>,
    /// Hundredths of the currency unit.
    pub cost: Option<i64>,
    pub fixed_cost: Option<i64>,
    /// Budgeted cost of work scheduled / performed, as stored (hundredths).
    pub bcws: Option<i64>,
    pub bcwp: Option<i64>,
}

/// A task (`Task` element). UID 0 is MS Project's project summary task.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Task {
    pub uid: i32,
    pub id: Option<i32>,
    pub name: Option<String>,
    /// MSPDI `Type`: 0 fixed units, 1 fixed duration, 2 fixed work.
    pub task_type: Option<u8>,
    pub is_null: bool,
    /// `Active` (MS Project 2010+); `None` when absent, which means active.
    pub active: Option<bool>,
    pub manual: bool,
    pub summary: bool,
    pub milestone: bool,
    pub effort_driven: Option<bool>,
    pub estimated: Option<bool>,
    pub outline_level: Option<u16>,
    pub outline_number: Option<String>,
    pub wbs: Option<String>,
    pub priority: Option<u32>,
    pub start: Option<DateTime>,
    pub finish: Option<DateTime>,
    /// Minutes of working time (or of elapsed time when `duration_format` is elapsed).
    pub duration: Option<i64>,
    pub duration_format: Option<DurationFormat>,
    /// Minutes.
    pub work: Option<i64>,
    pub constraint_type: Option<ConstraintType>,
    pub constraint_date: Option<DateTime>,
    pub deadline: Option<DateTime>,
    /// Task calendar; `None` when absent or -1 (project calendar applies).
    pub calendar_uid: Option<i32>,
    pub ignore_resource_calendar: Option<bool>,
    pub percent_complete: Option<u16>,
    pub percent_work_complete: Option<u16>,
    pub physical_percent_complete: Option<u16>,
    pub actual_start: Option<DateTime>,
    pub actual_finish: Option<DateTime>,
    /// Minutes.
    pub actual_duration: Option<i64>,
    pub remaining_duration: Option<i64>,
    pub actual_work: Option<i64>,
    pub remaining_work: Option<i64>,
    /// Hundredths of the currency unit.
    pub cost: Option<i64>,
    pub fixed_cost: Option<i64>,
    pub actual_cost: Option<i64>,
    pub remaining_cost: Option<i64>,
    /// `FixedCostAccrual`: 1 start, 2 prorated, 3 end.
    pub fixed_cost_accrual: Option<u8>,
    /// `Stop` / `Resume` of a task in progress.
    pub stop: Option<DateTime>,
    pub resume: Option<DateTime>,
    pub baselines: Vec<TaskBaseline>,
    pub predecessors: Vec<PredecessorLink>,
    /// `ExternalTask`: a placeholder for a task of another project (its dates are input).
    pub external_task: bool,
    /// `ExternalTaskProject`: the other project's file.
    pub external_task_project: Option<String>,
    pub is_subproject: bool,
    pub subproject_name: Option<String>,
    pub notes: Option<String>,
}

impl Task {
    /// Outline level with MSPDI's defaults (0 for the project summary task, else 1).
    pub fn level(&self) -> u16 {
        self.outline_level
            .unwrap_or(if self.uid == 0 { 0 } else { 1 })
    }
    /// The task's constraint, defaulting to as soon as possible.
    pub fn constraint(&self) -> ConstraintType {
        self.constraint_type.unwrap_or_default()
    }
    /// Baseline `number` if the task has it.
    pub fn baseline(&self, number: u8) -> Option<&TaskBaseline> {
        self.baselines.iter().find(|b| b.number == number)
    }
}

/// A working interval in a day, in minutes since midnight; `to` = 1440 means midnight at the
/// end of the day (MSPDI writes it as `00:00:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkingTime {
    pub from: u16,
    pub to: u16,
}

/// One day of a calendar week (`WeekDay` with `DayType` 1 = Sunday .. 7 = Saturday).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekDay {
    pub day_type: u8,
    pub working: bool,
    /// Working intervals; empty on a working day means "inherit the base calendar's times".
    pub times: Vec<WorkingTime>,
}

/// Recurrence pattern of a calendar exception (MS Project 2007+ `Exception` element).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecurrenceKind {
    /// `Type` 1 with a period above 1: every `period` days.
    Daily,
    /// `Type` 2: every year on `month`/`month_day`.
    YearlyByMonthDay,
    /// `Type` 3: every year on the `month_position` `month_item` of `month`.
    YearlyByPosition,
    /// `Type` 4: every `period` months on `month_day`.
    MonthlyByDay,
    /// `Type` 5: every `period` months on the `month_position` `month_item`.
    MonthlyByPosition,
    /// `Type` 6: every `period` weeks on `days_of_week`.
    Weekly,
    /// `Type` 7: every day (MS Project writes this for a plain date-range exception).
    EveryDay,
}

impl RecurrenceKind {
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            1 => RecurrenceKind::Daily,
            2 => RecurrenceKind::YearlyByMonthDay,
            3 => RecurrenceKind::YearlyByPosition,
            4 => RecurrenceKind::MonthlyByDay,
            5 => RecurrenceKind::MonthlyByPosition,
            6 => RecurrenceKind::Weekly,
            7 => RecurrenceKind::EveryDay,
            _ => return None,
        })
    }
    pub fn code(&self) -> i64 {
        match self {
            RecurrenceKind::Daily => 1,
            RecurrenceKind::YearlyByMonthDay => 2,
            RecurrenceKind::YearlyByPosition => 3,
            RecurrenceKind::MonthlyByDay => 4,
            RecurrenceKind::MonthlyByPosition => 5,
            RecurrenceKind::Weekly => 6,
            RecurrenceKind::EveryDay => 7,
        }
    }
}

/// Recurrence fields of an exception, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recurrence {
    /// `None` for a plain date range: `Type` absent, or MS Project's `Type` 1 (daily) with
    /// period 1, which the writer emits for `None`.
    pub kind: Option<RecurrenceKind>,
    /// `Occurrences`.
    pub occurrences: Option<u32>,
    /// `EnteredByOccurrences`.
    pub entered_by_occurrences: Option<bool>,
    /// `Period`: every N days / weeks / months.
    pub period: Option<u32>,
    /// `DaysOfWeek` bit mask: 1 = Sunday, 2 = Monday, 4 = Tuesday .. 64 = Saturday.
    pub days_of_week: Option<u8>,
    /// `MonthItem`: 0 day, 1 weekday, 2 weekend day, 3 Sunday .. 9 Saturday.
    pub month_item: Option<u8>,
    /// `MonthPosition`: 0 first, 1 second, 2 third, 3 fourth, 4 last.
    pub month_position: Option<u8>,
    /// `Month`: 0 = January .. 11 = December.
    pub month: Option<u8>,
    /// `MonthDay`: 1..=31.
    pub month_day: Option<u8>,
}

/// A calendar exception: a date range that is non-working, or working with its own times,
/// possibly recurring within the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarException {
    pub name: Option<String>,
    /// `TimePeriod/FromDate` (normally midnight of the first day).
    pub from: DateTime,
    /// `TimePeriod/ToDate` (normally 23:59 of the last day).
    pub to: DateTime,
    pub working: bool,
    pub times: Vec<WorkingTime>,
    pub recurrence: Recurrence,
}

impl CalendarException {
    /// The days (as `DateTime::date`) this exception covers, expanding its recurrence within
    /// `from..=to`. Capped at `limit` days so a hostile range cannot run away.
    pub fn dates(&self, limit: usize) -> Vec<DateTime> {
        super::recurrence::expand(self, limit)
    }
}

/// A work week: a date range with its own week days (MS Project 2007+ `WorkWeek`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkWeek {
    pub name: Option<String>,
    pub from: DateTime,
    pub to: DateTime,
    pub week_days: Vec<WeekDay>,
}

/// A calendar (`Calendar` element): base calendars and resource calendars derived from them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calendar {
    pub uid: i32,
    pub name: Option<String>,
    pub is_base: bool,
    /// `BaseCalendarUID`; `None` when absent or -1.
    pub base_calendar_uid: Option<i32>,
    /// Only the days present in the file; a missing day is inherited from the base calendar.
    pub week_days: Vec<WeekDay>,
    /// From the 2007+ `Exceptions` element and from older `WeekDay` elements with `DayType` 0.
    pub exceptions: Vec<CalendarException>,
    pub work_weeks: Vec<WorkWeek>,
}

impl Calendar {
    pub fn week_day(&self, day_type: u8) -> Option<&WeekDay> {
        self.week_days.iter().find(|d| d.day_type == day_type)
    }
}

/// One numbered baseline of a resource or assignment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkBaseline {
    pub number: u8,
    pub start: Option<DateTime>,
    pub finish: Option<DateTime>,
    /// Minutes.
    pub work: Option<i64>,
    /// Hundredths of the currency unit.
    pub cost: Option<i64>,
}

/// Resource type (`Type`): 0 material, 1 work, 2 cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ResourceType {
    Material,
    #[default]
    Work,
    Cost,
}

/// A resource (`Resource` element).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    pub uid: i32,
    pub id: Option<i32>,
    pub name: Option<String>,
    pub resource_type: Option<ResourceType>,
    pub is_null: bool,
    pub initials: Option<String>,
    pub group: Option<String>,
    pub email: Option<String>,
    /// `MaxUnits` as a fraction (1.0 = 100 %).
    pub max_units: Option<f64>,
    /// Currency units per hour (MSPDI's `StandardRate`).
    pub standard_rate: Option<f64>,
    /// `StandardRateFormat`: the unit the rate is shown in (1 m, 2 h, 3 d, 4 w, 5 mo, 7 y);
    /// the stored rate stays per hour.
    pub standard_rate_format: Option<u8>,
    pub overtime_rate: Option<f64>,
    pub overtime_rate_format: Option<u8>,
    /// Hundredths of the currency unit.
    pub cost_per_use: Option<i64>,
    /// The resource's own calendar (derived from a base calendar).
    pub calendar_uid: Option<i32>,
    /// Minutes.
    pub work: Option<i64>,
    pub actual_work: Option<i64>,
    /// Hundredths of the currency unit.
    pub cost: Option<i64>,
    pub actual_cost: Option<i64>,
    pub baselines: Vec<WorkBaseline>,
}

/// A resource assignment (`Assignment` element).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Assignment {
    pub uid: i32,
    pub task_uid: i32,
    /// -65535 is MS Project's "unassigned" resource.
    pub resource_uid: i32,
    /// Fraction (1.0 = 100 %).
    pub units: Option<f64>,
    /// Minutes.
    pub work: Option<i64>,
    pub actual_work: Option<i64>,
    pub remaining_work: Option<i64>,
    pub start: Option<DateTime>,
    pub finish: Option<DateTime>,
    pub actual_start: Option<DateTime>,
    pub actual_finish: Option<DateTime>,
    /// Hundredths of the currency unit.
    pub cost: Option<i64>,
    pub actual_cost: Option<i64>,
    pub percent_work_complete: Option<u16>,
    pub baselines: Vec<WorkBaseline>,
}

/// A whole MSPDI project.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Project {
    /// `SaveVersion` of the writer that made the file (12 = Project 2007, 14 = 2010, ...).
    pub save_version: Option<u32>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub author: Option<String>,
    pub company: Option<String>,
    pub schedule_from_start: Option<bool>,
    pub start_date: Option<DateTime>,
    pub finish_date: Option<DateTime>,
    pub status_date: Option<DateTime>,
    pub current_date: Option<DateTime>,
    /// The project calendar.
    pub calendar_uid: Option<i32>,
    /// `DefaultStartTime` / `DefaultFinishTime` in minutes since midnight.
    pub default_start_time: Option<u16>,
    pub default_finish_time: Option<u16>,
    pub minutes_per_day: Option<u32>,
    pub minutes_per_week: Option<u32>,
    pub days_per_month: Option<u32>,
    /// `DurationFormat` default for new tasks.
    pub duration_format: Option<DurationFormat>,
    pub currency_code: Option<String>,
    pub currency_symbol: Option<String>,
    pub currency_digits: Option<u8>,
    pub honor_constraints: Option<bool>,
    pub calendars: Vec<Calendar>,
    pub tasks: Vec<Task>,
    pub resources: Vec<Resource>,
    pub assignments: Vec<Assignment>,
}

impl Project {
    /// Minutes per working day, MS Project's default 480 when absent or zero.
    pub fn minutes_per_day(&self) -> u32 {
        self.minutes_per_day.filter(|m| *m > 0).unwrap_or(480)
    }
    /// Minutes per working week, default 2400.
    pub fn minutes_per_week(&self) -> u32 {
        self.minutes_per_week.filter(|m| *m > 0).unwrap_or(2400)
    }
    /// Calendar by UID (a linear search: build a map when looking up many).
    pub fn calendar(&self, uid: i32) -> Option<&Calendar> {
        self.calendars.iter().find(|c| c.uid == uid)
    }
    /// Task by UID (a linear search: build a map when looking up many).
    pub fn task(&self, uid: i32) -> Option<&Task> {
        self.tasks.iter().find(|t| t.uid == uid)
    }
}
