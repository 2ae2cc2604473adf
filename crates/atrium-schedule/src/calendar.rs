//! Working calendars: weekly working times, exceptions (one-off and recurring), derived
//! calendars, and fast working-time arithmetic on minute-resolution instants.
//!
//! Instants are [`DateTime`]: minutes since 1970-01-01T00:00 in local (calendar) time, with no
//! time zone. Arithmetic works on a calendar's *working-minute position*: the number of working
//! minutes between a fixed origin and an instant. Positions are computed in O(1) outside the
//! span covered by exceptions (the weekly pattern repeats, so whole weeks are skipped
//! arithmetically) and in O(log days) inside it (a per-day prefix-sum table built once), so
//! adding N working days never walks N days.

use std::fmt;

/// Minutes in a calendar day.
pub const MINUTES_PER_DAY: i64 = 1440;

/// A calendar day: days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Date(pub i64);

/// A local instant at minute resolution: minutes since 1970-01-01T00:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DateTime(pub i64);

/// Day of the week, Monday first (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// All weekdays, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// 0 for Monday … 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Inverse of [`Weekday::index`] (taken modulo 7).
    pub fn from_index(i: usize) -> Weekday {
        Self::ALL[i % 7]
    }
}

/// Days from civil date (proleptic Gregorian), Howard Hinnant's algorithm.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

impl Date {
    /// The date `y-m-d`, or `None` when it does not exist.
    pub fn from_ymd(y: i64, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    /// (year, month 1–12, day 1–31).
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0)
    }

    /// Day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday (index 3).
        Weekday::from_index((self.0 + 3).rem_euclid(7) as usize)
    }

    /// Midnight at the start of this day.
    pub fn at(self, minute_of_day: i64) -> DateTime {
        DateTime(self.0 * MINUTES_PER_DAY + minute_of_day)
    }

    /// The date `n` days later (or earlier when negative).
    pub fn add_days(self, n: i64) -> Date {
        Date(self.0 + n)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let y: i64 = s.get(0..4)?.parse().ok()?;
        let m: u32 = s.get(5..7)?.parse().ok()?;
        let d: u32 = s.get(8..10)?.parse().ok()?;
        Date::from_ymd(y, m, d)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl DateTime {
    /// `y-m-d h:mi`, or `None` when the date or time does not exist (24:00 is allowed).
    pub fn from_ymd_hm(y: i64, m: u32, d: u32, h: u32, mi: u32) -> Option<DateTime> {
        if h > 24 || mi > 59 || (h == 24 && mi != 0) {
            return None;
        }
        Some(Date::from_ymd(y, m, d)?.at(i64::from(h) * 60 + i64::from(mi)))
    }

    /// The calendar day this instant falls in.
    pub fn date(self) -> Date {
        Date(self.0.div_euclid(MINUTES_PER_DAY))
    }

    /// Minutes since midnight, 0–1439.
    pub fn minute_of_day(self) -> i64 {
        self.0.rem_euclid(MINUTES_PER_DAY)
    }

    /// (year, month, day, hour, minute).
    pub fn ymdhm(self) -> (i64, u32, u32, u32, u32) {
        let (y, m, d) = self.date().ymd();
        let mod_ = self.minute_of_day();
        (y, m, d, (mod_ / 60) as u32, (mod_ % 60) as u32)
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS` (as [`fmt::Display`]) without the formatting machinery:
    /// reports print hundreds of thousands of dates.
    pub fn push_iso(self, out: &mut String) {
        let (y, m, d, h, mi) = self.ymdhm();
        if !(0..=9999).contains(&y) {
            out.push_str(&self.to_string());
            return;
        }
        let y = y as u32;
        let digits = [
            y / 1000,
            y / 100 % 10,
            y / 10 % 10,
            y % 10,
            10,
            m / 10,
            m % 10,
            10,
            d / 10,
            d % 10,
            11,
            h / 10,
            h % 10,
            12,
            mi / 10,
            mi % 10,
            12,
            0,
            0,
        ];
        for v in digits {
            out.push(match v {
                10 => '-',
                11 => 'T',
                12 => ':',
                v => char::from(b'0' + v as u8),
            });
        }
    }

    /// Adds elapsed (clock) minutes.
    pub fn add_minutes(self, n: i64) -> DateTime {
        DateTime(self.0 + n)
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS]` (seconds are dropped) or `YYYY-MM-DD` (midnight).
    pub fn parse(s: &str) -> Option<DateTime> {
        let date = Date::parse(s.get(0..10)?)?;
        let rest = &s[10..];
        if rest.is_empty() {
            return Some(date.at(0));
        }
        let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
        let b = rest.as_bytes();
        if b.len() < 5 || b[2] != b':' {
            return None;
        }
        let h: i64 = rest.get(0..2)?.parse().ok()?;
        let mi: i64 = rest.get(3..5)?.parse().ok()?;
        if h > 24 || mi > 59 {
            return None;
        }
        Some(date.at(h * 60 + mi))
    }
}

impl fmt::Display for DateTime {
    /// `YYYY-MM-DDTHH:MM:SS`, MS Project's local format.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d, h, mi) = self.ymdhm();
        write!(f, "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:00")
    }
}

/// A working interval within one day, in minutes since midnight: `[start, end)`, end ≤ 1440.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    /// First working minute.
    pub start: u16,
    /// End of the last working minute (exclusive).
    pub end: u16,
}

impl Interval {
    /// `[start, end)` in minutes since midnight; `None` unless `start < end <= 1440`.
    pub fn new(start: u16, end: u16) -> Option<Interval> {
        (start < end && end <= 1440).then_some(Interval { start, end })
    }

    /// `h1:m1`–`h2:m2`; `None` when empty or beyond midnight (24:00 is allowed as end).
    pub fn hm(h1: u16, m1: u16, h2: u16, m2: u16) -> Option<Interval> {
        Interval::new(h1 * 60 + m1, h2 * 60 + m2)
    }

    fn len(self) -> i64 {
        i64::from(self.end - self.start)
    }
}

/// Sorts and merges overlapping or touching intervals.
fn normalize(mut v: Vec<Interval>) -> Vec<Interval> {
    v.sort();
    let mut out: Vec<Interval> = Vec::with_capacity(v.len());
    for iv in v {
        match out.last_mut() {
            Some(last) if iv.start <= last.end => last.end = last.end.max(iv.end),
            _ => out.push(iv),
        }
    }
    out
}

/// How an exception repeats between its first and last date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recurrence {
    /// Every day of the range.
    Daily {
        /// Every `every` days counted from the first date (1 = each day).
        every: u32,
    },
    /// The given weekdays, every `every` weeks counted from the week of the first date.
    Weekly {
        /// Repeat period in weeks (1 = each week).
        every: u32,
        /// Which weekdays (index by [`Weekday::index`]).
        days: [bool; 7],
    },
    /// Day `day` of every `every`-th month.
    MonthlyByDay {
        /// Repeat period in months.
        every: u32,
        /// Day of the month (clamped to the month's length).
        day: u32,
    },
    /// The `nth` (1–4, 5 = last) `weekday` of every `every`-th month.
    MonthlyByWeekday {
        /// Repeat period in months.
        every: u32,
        /// 1–4, or 5 for the last one.
        nth: u32,
        /// The weekday.
        weekday: Weekday,
    },
    /// Every year on month/day (e.g. a fixed holiday).
    YearlyByDate {
        /// Month 1–12.
        month: u32,
        /// Day of month.
        day: u32,
    },
    /// Every year on the `nth` (5 = last) `weekday` of `month`.
    YearlyByWeekday {
        /// Month 1–12.
        month: u32,
        /// 1–4, or 5 for the last one.
        nth: u32,
        /// The weekday.
        weekday: Weekday,
    },
}

/// An exception: on the matching days of `[from, to]` the working times are `working`
/// (empty = a holiday; non-empty = changed hours or an extra working day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// First day (inclusive).
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
    /// `None`: every day of the range.
    pub recurrence: Option<Recurrence>,
    /// Working times on those days (empty = non-working).
    pub working: Vec<Interval>,
    /// Stop after this many occurrences (recurring exceptions only).
    pub occurrences: Option<u32>,
}

impl Exception {
    /// A non-working range of days (holiday, shutdown).
    pub fn holiday(from: Date, to: Date) -> Exception {
        Exception {
            from,
            to,
            recurrence: None,
            working: Vec::new(),
            occurrences: None,
        }
    }

    /// Days of `[from, to]` on which the exception applies.
    fn days(&self) -> Vec<Date> {
        let mut out = Vec::new();
        // Bound runaway ranges: 200 years is far beyond any plan.
        let to = Date(self.to.0.min(self.from.0 + 73_050));
        let limit = self.occurrences.map_or(usize::MAX, |n| n as usize);
        let Some(rec) = &self.recurrence else {
            let mut d = self.from;
            while d <= to {
                out.push(d);
                d = d.add_days(1);
            }
            return out;
        };
        let (fy, fm, _) = self.from.ymd();
        let month_index = |d: Date| {
            let (y, m, _) = d.ymd();
            (y - fy) * 12 + i64::from(m) - i64::from(fm)
        };
        let nth_weekday = |y: i64, m: u32, nth: u32, wd: Weekday| -> Option<Date> {
            let first = Date::from_ymd(y, m, 1)?;
            let off = (wd.index() as i64 - first.weekday().index() as i64).rem_euclid(7);
            let mut d = first.add_days(off);
            if nth >= 5 {
                while d.add_days(7).ymd().1 == m {
                    d = d.add_days(7);
                }
                Some(d)
            } else {
                d = d.add_days(7 * i64::from(nth.max(1) - 1));
                (d.ymd().1 == m).then_some(d)
            }
        };
        let mut d = self.from;
        while d <= to && out.len() < limit {
            let (y, m, day) = d.ymd();
            let hit = match rec {
                Recurrence::Daily { every } => {
                    (d.0 - self.from.0) % i64::from((*every).max(1)) == 0
                }
                Recurrence::Weekly { every, days } => {
                    let week0 = (self.from.0 + 3).div_euclid(7);
                    let week = (d.0 + 3).div_euclid(7);
                    days[d.weekday().index()] && (week - week0) % i64::from((*every).max(1)) == 0
                }
                Recurrence::MonthlyByDay { every, day: want } => {
                    month_index(d) % i64::from((*every).max(1)) == 0
                        && day == (*want).clamp(1, days_in_month(y, m))
                }
                Recurrence::MonthlyByWeekday {
                    every,
                    nth,
                    weekday,
                } => {
                    month_index(d) % i64::from((*every).max(1)) == 0
                        && nth_weekday(y, m, *nth, *weekday) == Some(d)
                }
                Recurrence::YearlyByDate { month, day: want } => {
                    m == *month && day == (*want).clamp(1, days_in_month(y, m))
                }
                Recurrence::YearlyByWeekday {
                    month,
                    nth,
                    weekday,
                } => m == *month && nth_weekday(y, m, *nth, *weekday) == Some(d),
            };
            if hit {
                out.push(d);
            }
            d = d.add_days(1);
        }
        out
    }
}

/// A calendar definition: weekly working times plus exceptions. Cheap to clone and edit;
/// [`CalendarDef::compile`] turns it into a [`Calendar`] for arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDef {
    /// Name, for diagnostics.
    pub name: String,
    /// Working intervals per weekday, Monday first.
    pub week: [Vec<Interval>; 7],
    /// Exceptions; later ones win over earlier ones on the same day.
    pub exceptions: Vec<Exception>,
}

impl CalendarDef {
    /// MS Project's "Standard": Monday–Friday 08:00–12:00 and 13:00–17:00.
    pub fn standard() -> CalendarDef {
        let day = vec![
            Interval {
                start: 480,
                end: 720,
            },
            Interval {
                start: 780,
                end: 1020,
            },
        ];
        CalendarDef {
            name: "Standard".into(),
            week: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                Vec::new(),
                Vec::new(),
            ],
            exceptions: Vec::new(),
        }
    }

    /// Every minute of every day works ("24 Hours").
    pub fn always() -> CalendarDef {
        let day = vec![Interval {
            start: 0,
            end: 1440,
        }];
        CalendarDef {
            name: "24 Hours".into(),
            week: std::array::from_fn(|_| day.clone()),
            exceptions: Vec::new(),
        }
    }

    /// A calendar derived from this base (e.g. a resource or task calendar): it starts as a
    /// copy; change `week` days or push exceptions, which win over the base's.
    pub fn derive(&self, name: &str) -> CalendarDef {
        CalendarDef {
            name: name.into(),
            ..self.clone()
        }
    }

    /// Builds the lookup tables.
    pub fn compile(&self) -> Calendar {
        Calendar::new(self)
    }
}

/// A compiled calendar. All arithmetic is O(1) or O(log days); see the module docs.
#[derive(Debug, Clone)]
pub struct Calendar {
    name: String,
    /// True when the weekly pattern has no work at all: arithmetic then falls back to elapsed
    /// time outside the exception table (a plan must still be schedulable).
    elapsed_fallback: bool,
    week: [Vec<Interval>; 7],
    /// Working minutes before each weekday in a Monday-started week; `week_pre[7]` = week total.
    week_pre: [i64; 8],
    /// Days `[lo, hi)` are described by the table (exceptions apply there).
    lo: i64,
    hi: i64,
    /// `cum[i]` = working minutes from the start of day `lo` to the start of day `lo + i`.
    cum: Vec<i64>,
    /// Day `lo + i` uses `pool[idx[i]..idx[i + 1]]`.
    idx: Vec<u32>,
    /// Cached `weekly_cum(lo)`, `cum_day(hi)` and `weekly_cum(hi)`.
    at_lo: i64,
    at_hi: i64,
    weekly_hi: i64,
    pool: Vec<Interval>,
}

impl Calendar {
    fn new(def: &CalendarDef) -> Calendar {
        let week: [Vec<Interval>; 7] = std::array::from_fn(|i| normalize(def.week[i].clone()));
        let mut week_pre = [0i64; 8];
        for i in 0..7 {
            week_pre[i + 1] = week_pre[i] + week[i].iter().map(|iv| iv.len()).sum::<i64>();
        }
        let mut overrides: Vec<(Date, usize)> = Vec::new();
        for (k, ex) in def.exceptions.iter().enumerate() {
            for d in ex.days() {
                overrides.push((d, k));
            }
        }
        // Later exceptions win: stable sort by day, keep the last per day.
        overrides.sort_by_key(|&(d, _)| d);
        let mut exc_days: Vec<(Date, Vec<Interval>)> = Vec::new();
        for (d, k) in overrides {
            let w = normalize(def.exceptions[k].working.clone());
            match exc_days.last_mut() {
                Some(last) if last.0 == d => last.1 = w,
                _ => exc_days.push((d, w)),
            }
        }
        let (lo, hi) = match (exc_days.first(), exc_days.last()) {
            (Some(f), Some(l)) => (f.0.0, l.0.0 + 1),
            _ => (0, 0),
        };
        let elapsed_fallback = week_pre[7] == 0;
        let mut cal = Calendar {
            name: def.name.clone(),
            elapsed_fallback,
            week,
            week_pre,
            lo,
            hi,
            cum: vec![0],
            idx: vec![0],
            at_lo: 0,
            at_hi: 0,
            weekly_hi: 0,
            pool: Vec::new(),
        };
        if elapsed_fallback {
            cal.week = std::array::from_fn(|_| {
                vec![Interval {
                    start: 0,
                    end: 1440,
                }]
            });
            cal.week_pre = std::array::from_fn(|i| i as i64 * MINUTES_PER_DAY);
        }
        let mut e = exc_days.into_iter().peekable();
        for day in lo..hi {
            let ivs: Vec<Interval> = match e.peek() {
                Some((d, _)) if d.0 == day => e.next().map(|x| x.1).unwrap_or_default(),
                _ => cal.week[Date(day).weekday().index()].clone(),
            };
            let work: i64 = ivs.iter().map(|iv| iv.len()).sum();
            cal.pool.extend(ivs);
            cal.idx.push(cal.pool.len() as u32);
            let last = cal.cum.last().copied().unwrap_or(0);
            cal.cum.push(last + work);
        }
        cal.at_lo = cal.weekly_cum(lo);
        cal.at_hi = cal.at_lo + cal.cum[(hi - lo) as usize];
        cal.weekly_hi = cal.weekly_cum(hi);
        cal
    }

    /// True when the weekly pattern had no working time, so elapsed time is used instead.
    pub fn is_elapsed_fallback(&self) -> bool {
        self.elapsed_fallback
    }

    /// The calendar's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Working intervals of day `d`.
    pub fn day_intervals(&self, d: Date) -> &[Interval] {
        if d.0 >= self.lo && d.0 < self.hi {
            let i = (d.0 - self.lo) as usize;
            &self.pool[self.idx[i] as usize..self.idx[i + 1] as usize]
        } else {
            &self.week[d.weekday().index()]
        }
    }

    /// Working minutes on day `d`.
    pub fn day_work(&self, d: Date) -> i64 {
        self.day_intervals(d).iter().map(|iv| iv.len()).sum()
    }

    /// Whether day `d` has any working time.
    pub fn is_working_day(&self, d: Date) -> bool {
        !self.day_intervals(d).is_empty()
    }

    /// Pure weekly cumulative: working minutes from a fixed Monday to the start of day `d`.
    fn weekly_cum(&self, d: i64) -> i64 {
        let s = d + 3; // shift so that weeks start on Monday
        s.div_euclid(7) * self.week_pre[7] + self.week_pre[s.rem_euclid(7) as usize]
    }

    /// Working minutes from the origin to the start of day `d` (monotone in `d`).
    fn cum_day(&self, d: i64) -> i64 {
        if d <= self.lo {
            self.weekly_cum(d)
        } else if d < self.hi {
            self.at_lo + self.cum[(d - self.lo) as usize]
        } else {
            self.at_hi + self.weekly_cum(d) - self.weekly_hi
        }
    }

    /// Working-minute position of an instant.
    pub fn position(&self, t: DateTime) -> i64 {
        let d = t.date();
        let m = t.minute_of_day();
        let mut p = self.cum_day(d.0);
        for iv in self.day_intervals(d) {
            let (s, e) = (i64::from(iv.start), i64::from(iv.end));
            if m <= s {
                break;
            }
            p += m.min(e) - s;
        }
        p
    }

    /// Weekly-only inverse: the day `d` with `weekly_cum(d) <= p < weekly_cum(d + 1)`.
    fn weekly_day_for(&self, p: i64) -> i64 {
        let wk = self.week_pre[7];
        let q = p.div_euclid(wk);
        let rem = p - q * wk;
        // Largest weekday r with week_pre[r] <= rem (then rem < week_pre[r + 1]).
        let mut r = 0;
        while r < 6 && self.week_pre[r + 1] <= rem {
            r += 1;
        }
        q * 7 + r as i64 - 3
    }

    /// The day `d` with `cum_day(d) <= p < cum_day(d + 1)`: the day holding working minute `p`.
    fn day_holding(&self, p: i64) -> i64 {
        let (at_lo, at_hi) = (self.at_lo, self.at_hi);
        if p < at_lo {
            return self.weekly_day_for(p);
        }
        if p >= at_hi {
            return self.weekly_day_for(p - at_hi + self.weekly_hi);
        }
        // Largest i with cum[i] <= p - at_lo, i < hi - lo. The table's average rate gives a
        // close guess; gallop from it instead of bisecting the whole table.
        let target = p - at_lo;
        let last = self.cum.len() - 2;
        let total = self.cum[last + 1].max(1);
        let guess = ((i128::from(target) * (last as i128 + 1)) / i128::from(total)) as i64;
        let guess = guess.clamp(0, last as i64);
        let mut i = guess as usize;
        if self.cum[i] <= target {
            let mut step = 1;
            let mut hi_i = i;
            while hi_i < last && self.cum[hi_i + 1] <= target {
                i = hi_i + 1;
                hi_i = (i + step).min(last);
                step *= 2;
                if self.cum[hi_i] <= target {
                    i = hi_i;
                } else {
                    break;
                }
            }
            // Now cum[i] <= target; the answer lies in [i, hi_i].
            let span = &self.cum[i..=hi_i];
            i += span.partition_point(|&c| c <= target) - 1;
        } else {
            let mut step = 1;
            let mut lo_i = i;
            while self.cum[lo_i] > target {
                i = lo_i;
                lo_i = lo_i.saturating_sub(step);
                step *= 2;
            }
            // cum[lo_i] <= target < cum[i].
            let span = &self.cum[lo_i..i];
            i = lo_i + span.partition_point(|&c| c <= target) - 1;
        }
        self.lo + i as i64
    }

    /// The instant where working minute number `p` begins (the latest instant at position `p`).
    pub fn instant_start(&self, p: i64) -> DateTime {
        let d = self.day_holding(p);
        let mut r = p - self.cum_day(d);
        for iv in self.day_intervals(Date(d)) {
            if r < iv.len() {
                return Date(d).at(i64::from(iv.start) + r);
            }
            r -= iv.len();
        }
        // Unreachable for a consistent table; the day's end is the safest answer.
        Date(d + 1).at(0)
    }

    /// The instant where working minute number `p - 1` ends (the earliest instant at
    /// position `p`): a finish lands on 17:00, not on 08:00 the next day.
    pub fn instant_end(&self, p: i64) -> DateTime {
        let d = self.day_holding(p - 1);
        let mut r = p - self.cum_day(d);
        for iv in self.day_intervals(Date(d)) {
            if r <= iv.len() {
                return Date(d).at(i64::from(iv.start) + r);
            }
            r -= iv.len();
        }
        Date(d + 1).at(0)
    }

    /// The first instant at or after `t` that starts a working minute.
    pub fn next_work_start(&self, t: DateTime) -> DateTime {
        let s = self.instant_start(self.position(t));
        if s < t { t } else { s }
    }

    /// The last instant at or before `t` that ends a working minute.
    pub fn previous_work_finish(&self, t: DateTime) -> DateTime {
        let e = self.instant_end(self.position(t));
        if e > t { t } else { e }
    }

    /// Whether the minute starting at `t` is working time.
    pub fn is_working(&self, t: DateTime) -> bool {
        self.position(t.add_minutes(1)) > self.position(t)
    }

    /// `t` plus `n` working minutes. Positive `n` ends at the end of a working minute
    /// (17:00); negative `n` lands at the start of one (08:00); zero returns `t`.
    pub fn add_work(&self, t: DateTime, n: i64) -> DateTime {
        match n.cmp(&0) {
            std::cmp::Ordering::Equal => t,
            std::cmp::Ordering::Greater => self.instant_end(self.position(t) + n),
            std::cmp::Ordering::Less => self.instant_start(self.position(t) + n),
        }
    }

    /// `t` minus `n` working minutes (see [`Calendar::add_work`]).
    pub fn sub_work(&self, t: DateTime, n: i64) -> DateTime {
        self.add_work(t, -n)
    }

    /// Working minutes from `a` to `b` (negative when `b < a`).
    pub fn work_between(&self, a: DateTime, b: DateTime) -> i64 {
        self.position(b) - self.position(a)
    }

    /// Adds a duration that is either working time or elapsed (clock) time.
    pub fn add(&self, t: DateTime, d: Span) -> DateTime {
        match d {
            Span::Work(n) => self.add_work(t, n),
            Span::Elapsed(n) => t.add_minutes(n),
        }
    }
}

/// A length of time: working minutes on some calendar, or elapsed minutes (edays, ehours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Span {
    /// Working minutes.
    Work(i64),
    /// Elapsed (clock) minutes: 1 eday = 1440.
    Elapsed(i64),
}

impl Span {
    /// The number of minutes, whatever the kind.
    pub fn minutes(self) -> i64 {
        match self {
            Span::Work(n) | Span::Elapsed(n) => n,
        }
    }
}

impl std::ops::Neg for Span {
    type Output = Span;

    /// The same span in the opposite direction.
    fn neg(self) -> Span {
        match self {
            Span::Work(n) => Span::Work(-n),
            Span::Elapsed(n) => Span::Elapsed(-n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    #[test]
    fn civil_round_trip() {
        for d in -800_000..800_000i64 {
            if d % 997 != 0 {
                continue;
            }
            let (y, m, dd) = Date(d).ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(Date(d)));
        }
        assert_eq!(Date::from_ymd(2001, 1, 1).unwrap().weekday(), Weekday::Mon);
        assert_eq!(
            Date::from_ymd(2024, 2, 29).unwrap().to_string(),
            "2024-02-29"
        );
        assert!(Date::from_ymd(2023, 2, 29).is_none());
        assert_eq!(dt("2001-01-04T17:00:00").to_string(), "2001-01-04T17:00:00");
        for t in [
            dt("2001-01-04T17:00"),
            dt("1999-12-31T23:59"),
            DateTime(-5),
            DateTime(0),
        ] {
            let mut s = String::new();
            t.push_iso(&mut s);
            assert_eq!(s, t.to_string());
        }
    }

    #[test]
    fn standard_arithmetic_follows_ms_project() {
        let c = CalendarDef::standard().compile();
        let mon8 = dt("2001-01-01T08:00");
        assert_eq!(c.add_work(mon8, 3 * 480).to_string(), "2001-01-03T17:00:00");
        assert_eq!(c.add_work(mon8, 5 * 480).to_string(), "2001-01-05T17:00:00");
        assert_eq!(c.add_work(mon8, 6 * 480).to_string(), "2001-01-08T17:00:00");
        assert_eq!(c.add_work(mon8, 240).to_string(), "2001-01-01T12:00:00");
        assert_eq!(c.add_work(mon8, 241).to_string(), "2001-01-01T13:01:00");
        let fri17 = dt("2001-01-05T17:00");
        assert_eq!(c.next_work_start(fri17).to_string(), "2001-01-08T08:00:00");
        assert_eq!(
            c.sub_work(fri17, 5 * 480).to_string(),
            "2001-01-01T08:00:00"
        );
        assert_eq!(c.previous_work_finish(dt("2001-01-08T08:00")), fri17);
        assert_eq!(c.work_between(mon8, fri17), 2400);
        assert_eq!(c.work_between(fri17, mon8), -2400);
        assert!(c.is_working(dt("2001-01-01T11:59")));
        assert!(!c.is_working(dt("2001-01-01T12:00")));
        // Big jumps are exact: 1000 weeks later.
        assert_eq!(
            c.add_work(mon8, 1000 * 2400).date(),
            Date(mon8.date().0 + 7000 - 3)
        );
    }

    #[test]
    fn exceptions_holidays_extra_days_and_recurring() {
        let mut def = CalendarDef::standard();
        let jan2 = Date::from_ymd(2001, 1, 2).unwrap();
        def.exceptions.push(Exception::holiday(jan2, jan2));
        // Saturday 6th is worked in the morning.
        let sat = Date::from_ymd(2001, 1, 6).unwrap();
        def.exceptions.push(Exception {
            from: sat,
            to: sat,
            recurrence: None,
            working: vec![Interval::hm(9, 0, 12, 0).unwrap()],
            occurrences: None,
        });
        // New year's day every year.
        def.exceptions.push(Exception {
            from: Date::from_ymd(2001, 1, 1).unwrap(),
            to: Date::from_ymd(2010, 12, 31).unwrap(),
            recurrence: Some(Recurrence::YearlyByDate { month: 1, day: 1 }),
            working: vec![],
            occurrences: None,
        });
        let c = def.compile();
        let mon = dt("2001-01-01T08:00");
        assert_eq!(c.next_work_start(mon).to_string(), "2001-01-03T08:00:00");
        assert_eq!(c.add_work(mon, 480).to_string(), "2001-01-03T17:00:00");
        // Wed, Thu, Fri, Sat morning (180 min) then Monday.
        assert_eq!(
            c.add_work(mon, 3 * 480 + 180).to_string(),
            "2001-01-06T12:00:00"
        );
        assert_eq!(c.add_work(mon, 4 * 480).to_string(), "2001-01-08T14:00:00");
        assert!(!c.is_working_day(Date::from_ymd(2005, 1, 1).unwrap()));
        // Beyond the table the weekly pattern resumes exactly.
        let far = dt("2020-06-01T08:00");
        assert_eq!(c.add_work(far, 480).to_string(), "2020-06-01T17:00:00");
        // Monday (480) + Saturday morning (180) + 300 of Friday.
        assert_eq!(
            c.sub_work(dt("2001-01-08T17:00"), 480 * 2).to_string(),
            "2001-01-05T11:00:00"
        );
    }

    #[test]
    fn positions_are_consistent_around_exceptions() {
        let mut def = CalendarDef::standard();
        def.exceptions.push(Exception {
            from: Date::from_ymd(2001, 1, 1).unwrap(),
            to: Date::from_ymd(2001, 3, 1).unwrap(),
            recurrence: Some(Recurrence::Weekly {
                every: 2,
                days: [false, false, true, false, false, false, false],
            }),
            working: vec![],
            occurrences: None,
        });
        let c = def.compile();
        let start = dt("2000-12-01T00:00");
        let mut prev = c.position(start);
        for k in 0..(120 * 96) {
            let t = start.add_minutes(k * 15);
            let p = c.position(t);
            assert!(p >= prev);
            prev = p;
            if c.is_working(t) {
                assert_eq!(c.instant_start(p), t);
                assert_eq!(c.next_work_start(t), t);
            }
            assert_eq!(c.position(c.instant_start(p)), p);
            assert_eq!(c.position(c.instant_end(p)), p);
        }
    }
}
