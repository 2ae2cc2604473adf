//! Capacity against demand: pure bucketed arithmetic over the resource pool (see the module body).
//!
//! The engine answers "who has how much time for project work, and how much is planned on them"
//! per time bucket (day, week, month, quarter):
//!
//! * [`Horizon`] cuts the time line into consecutive buckets.
//! * [`Supply`] describes one person: contracted hours, non-project time, their own working-day
//!   pattern and absences. [`Calendar`] is the organization's working days and holidays.
//! * [`Load`] is work put on one person: minutes per organization working day over a period.
//! * [`compute`] turns these into a [`Grid`] (person × bucket) of capacity, non-project time and
//!   demand; [`group`], [`overallocations`], [`contributors`] and [`candidates`] read it.
//!
//! Everything is integer minutes and deterministic. Per-day rates are floored:
//! `weekly_minutes / pattern days` (a 1000-minute week over 3 days is 333 minutes a day, the
//! remainder is dropped), the same for non-project time.
//!
//! Speed: [`compute`] builds one prefix-sum table of organization working days over the horizon
//! (per weekday, so a person's own pattern is a handful of subtractions); a load then costs
//! O(buckets it overlaps) and a person O(buckets + absences). 10,000 people × 52 weeks with
//! 100,000 loads runs in a few milliseconds (`examples/capacity_bench.rs`).

use jiff::civil::Date;

// ---------------------------------------------------------------------------------------------
// Buckets and horizon

/// The width of one column of a capacity grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    Day,
    Week,
    Month,
    Quarter,
}

impl Bucket {
    /// Every bucket kind, finest first.
    pub const ALL: [Bucket; 4] = [Bucket::Day, Bucket::Week, Bucket::Month, Bucket::Quarter];

    /// The lowercase name used in addresses and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
            Bucket::Quarter => "quarter",
        }
    }

    /// Reads [`Bucket::as_str`] back (surrounding spaces and letter case ignored).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Bucket::ALL
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(s))
    }

    /// The most buckets a [`Horizon`] of this kind holds (about five years, 400 days).
    pub fn max_count(self) -> u32 {
        match self {
            Bucket::Day => 400,
            Bucket::Week => 260,
            Bucket::Month => 60,
            Bucket::Quarter => 20,
        }
    }
}

/// The organization's working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar<'a> {
    /// Monday first.
    pub working_days: [bool; 7],
    /// Days off for everybody; order and duplicates do not matter.
    pub holidays: &'a [Date],
}

/// Consecutive buckets, each an inclusive date range.
///
/// Build it with [`Horizon::new`]. The fields are public for reading; a hand-made horizon
/// (unsorted, overlapping or gapped buckets) is still handled correctly by [`compute`], only
/// more slowly (and with memory proportional to the days its buckets cover).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Horizon {
    pub bucket: Bucket,
    pub buckets: Vec<(Date, Date)>,
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Horizon {
    /// `count` buckets from the bucket containing `from` (Week: the Monday on/before; Month:
    /// the 1st; Quarter: calendar quarter start; Day: from). `count` is clamped to
    /// `1..=bucket.max_count()` (Day 400, Week 260, Month 60, Quarter 20). Buckets never leave
    /// jiff's date range: near year ±9999 the first or last bucket is cut short and the horizon
    /// may hold fewer buckets.
    pub fn new(from: Date, count: u32, bucket: Bucket) -> Horizon {
        let count = count.clamp(1, bucket.max_count());
        let mut buckets = Vec::with_capacity(count as usize);
        let (min_dn, max_dn) = (day_number(Date::MIN), day_number(Date::MAX));
        match bucket {
            Bucket::Day | Bucket::Week => {
                let from_dn = day_number(from);
                let (start, len) = if bucket == Bucket::Day {
                    (from_dn, 1)
                } else {
                    (from_dn - weekday_index(from_dn) as i32, 7)
                };
                for i in 0..count as i32 {
                    let s = start + i * len;
                    if s > max_dn {
                        break;
                    }
                    let e = (s + len - 1).min(max_dn);
                    if let (Some(a), Some(b)) = (date_of(s.max(min_dn)), date_of(e)) {
                        buckets.push((a, b));
                    }
                }
            }
            Bucket::Month | Bucket::Quarter => {
                let step = if bucket == Bucket::Month { 1 } else { 3 };
                let m0 = i32::from(from.month()) - 1;
                let base = i32::from(from.year()) * 12 + m0 - m0 % step;
                for i in 0..count as i32 {
                    let k = base + i * step;
                    let Some(s) = month_start(k) else { break };
                    let e = month_start(k + step)
                        .and_then(|n| date_of(day_number(n) - 1))
                        .unwrap_or(Date::MAX);
                    buckets.push((s, e));
                    if e == Date::MAX {
                        break;
                    }
                }
            }
        }
        Horizon { bucket, buckets }
    }

    /// First day of the first bucket (`Date::MIN` for an empty horizon).
    pub fn start(&self) -> Date {
        self.buckets.first().map_or(Date::MIN, |b| b.0)
    }

    /// Last day of the last bucket (`Date::MIN` for an empty horizon).
    pub fn end(&self) -> Date {
        self.buckets.last().map_or(Date::MIN, |b| b.1)
    }

    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Index of the bucket holding `d`, if any (binary search; a linear scan for hand-made
    /// buckets out of order).
    pub fn index_of(&self, d: Date) -> Option<usize> {
        let i = self.buckets.partition_point(|b| b.1 < d);
        match self.buckets.get(i) {
            Some(&(s, e)) if s <= d && d <= e => Some(i),
            _ => self.buckets.iter().position(|&(s, e)| s <= d && d <= e),
        }
    }

    /// Short column label: Day "Mon 7 Dec", Week "7 Dec" (week of), Month "Dec 2026",
    /// Quarter "2026 Q4". Empty for an index out of range.
    pub fn label(&self, i: usize) -> String {
        let Some(&(s, _)) = self.buckets.get(i) else {
            return String::new();
        };
        let month = MONTHS[(s.month() as usize).clamp(1, 12) - 1];
        match self.bucket {
            Bucket::Day => format!(
                "{} {} {month}",
                WEEKDAYS[weekday_index(day_number(s))],
                s.day()
            ),
            Bucket::Week => format!("{} {month}", s.day()),
            Bucket::Month => format!("{month} {}", s.year()),
            Bucket::Quarter => format!("{} Q{}", s.year(), (s.month() - 1) / 3 + 1),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs and result

/// One person's supply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supply {
    /// Contracted hours per week, in minutes (part-time = fewer).
    pub weekly_minutes: i32,
    /// Operations/support time that reduces capacity for projects.
    pub non_project_minutes_per_week: i32,
    /// The person's own pattern, Monday first (part-time may work fewer days).
    pub working_days: [bool; 7],
    /// Inclusive ranges (leave, training...); may overlap, reversed ranges are ignored.
    pub absences: Vec<(Date, Date)>,
}

/// Work put on one person: `minutes_per_day` on every organization working day (not a
/// holiday) from start to finish inclusive. `tag` is the caller's id (e.g. index of a
/// (project, task) list) for drill-down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    pub person: u32,
    pub start: Date,
    pub finish: Date,
    pub minutes_per_day: i32,
    pub tag: u32,
}

/// One person (or group) in one bucket, in minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    /// Available for project work (gross minus non-project time).
    pub capacity: i64,
    pub non_project: i64,
    pub demand: i64,
}

/// Result, person-major: index = person * horizon.len() + bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub horizon: Horizon,
    pub rows: usize,
    pub capacity: Vec<i64>,
    pub non_project: Vec<i64>,
    pub demand: Vec<i64>,
}

impl Grid {
    /// The cell of `row` in bucket `b`; all zero when either is out of range.
    pub fn cell(&self, row: usize, b: usize) -> Cell {
        let n = self.horizon.len();
        if row >= self.rows || b >= n {
            return Cell::default();
        }
        let i = row * n + b;
        Cell {
            capacity: self.capacity.get(i).copied().unwrap_or(0),
            non_project: self.non_project.get(i).copied().unwrap_or(0),
            demand: self.demand.get(i).copied().unwrap_or(0),
        }
    }

    /// demand > capacity
    pub fn over(&self, row: usize, b: usize) -> bool {
        let c = self.cell(row, b);
        c.demand > c.capacity
    }

    /// Σ max(capacity − demand, 0) over buckets first..=last (clipped to the horizon).
    pub fn free(&self, row: usize, first: usize, last: usize) -> i64 {
        let last = last.min(self.horizon.len().saturating_sub(1));
        if row >= self.rows || first > last {
            return 0;
        }
        (first..=last)
            .map(|b| {
                let c = self.cell(row, b);
                c.capacity.saturating_sub(c.demand).max(0)
            })
            .fold(0i64, i64::saturating_add)
    }

    /// Σ capacity and Σ demand of `row` over all buckets.
    pub fn row_totals(&self, row: usize) -> Cell {
        (0..self.horizon.len())
            .map(|b| self.cell(row, b))
            .fold(Cell::default(), |a, c| Cell {
                capacity: a.capacity.saturating_add(c.capacity),
                non_project: a.non_project.saturating_add(c.non_project),
                demand: a.demand.saturating_add(c.demand),
            })
    }
}

/// A run of consecutive over-allocated buckets of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overallocation {
    pub row: usize,
    pub first: usize,
    /// Inclusive.
    pub last: usize,
    /// Σ (demand − capacity) over the run, in minutes.
    pub excess: i64,
}

// ---------------------------------------------------------------------------------------------
// Day numbers

/// Days since 1970-01-01 (proleptic Gregorian), exact over jiff's whole range.
fn day_number(d: Date) -> i32 {
    let (y, m, dd) = (
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i32
}

/// The date of a day number; `None` outside jiff's range.
fn date_of(n: i32) -> Option<Date> {
    let z = i64::from(n) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = i16::try_from(yoe + era * 400 + i64::from(m <= 2)).ok()?;
    Date::new(y, m as i8, d as i8).ok()
}

/// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
fn weekday_index(n: i32) -> usize {
    (i64::from(n) + 3).rem_euclid(7) as usize
}

/// The 1st of month number `k` = year * 12 + (month − 1).
fn month_start(k: i32) -> Option<Date> {
    let y = i16::try_from(k.div_euclid(12)).ok()?;
    Date::new(y, (k.rem_euclid(12) + 1) as i8, 1).ok()
}

fn mask_of(days: &[bool; 7]) -> usize {
    days.iter()
        .enumerate()
        .fold(0, |m, (i, &on)| if on { m | 1 << i } else { m })
}

/// Sorted, deduplicated day numbers of the holidays.
fn holiday_numbers(cal: &Calendar) -> Vec<i32> {
    let mut h: Vec<i32> = cal.holidays.iter().map(|&d| day_number(d)).collect();
    h.sort_unstable();
    h.dedup();
    h
}

// ---------------------------------------------------------------------------------------------
// The shared prefix table

/// The horizon's buckets laid end to end, with per-weekday prefix counts of organization
/// working days (column 7: all weekdays).
struct Layout {
    starts: Vec<i32>,
    ends: Vec<i32>,
    /// Bucket `b`'s first day sits at position `off[b]` of the concatenated day sequence.
    off: Vec<usize>,
    /// `pre[t][w]`: organization working days of weekday `w` among positions `0..t`.
    pre: Vec<[u32; 8]>,
    /// Buckets non-empty, sorted and disjoint: overlaps are found by binary search.
    sorted: bool,
}

impl Layout {
    fn new(cal: &Calendar, h: &Horizon) -> Layout {
        let hol = holiday_numbers(cal);
        let n = h.len();
        let mut starts = Vec::with_capacity(n);
        let mut ends = Vec::with_capacity(n);
        let mut off = Vec::with_capacity(n + 1);
        let total: usize = h
            .buckets
            .iter()
            .map(|&(s, e)| {
                (i64::from(day_number(e)) - i64::from(day_number(s)) + 1).max(0) as usize
            })
            .sum();
        let mut pre = Vec::with_capacity(total + 1);
        let mut acc = [0u32; 8];
        pre.push(acc);
        let mut sorted = true;
        for &(s, e) in &h.buckets {
            let (s, e) = (day_number(s), day_number(e));
            if e < s || ends.last().is_some_and(|&prev| prev >= s) {
                sorted = false;
            }
            starts.push(s);
            ends.push(e);
            off.push(pre.len() - 1);
            let mut j = hol.partition_point(|&x| x < s);
            for dn in s..=e {
                while j < hol.len() && hol[j] < dn {
                    j += 1;
                }
                let wd = weekday_index(dn);
                if cal.working_days[wd] && hol.get(j) != Some(&dn) {
                    acc[wd] += 1;
                    acc[7] += 1;
                }
                pre.push(acc);
            }
        }
        off.push(pre.len() - 1);
        Layout {
            starts,
            ends,
            off,
            pre,
            sorted,
        }
    }

    /// Calls `g(bucket, lo, hi)` for every bucket overlapping days `s..=f`, with the overlap as
    /// positions `lo..hi` of the prefix table.
    fn for_each_overlap(&self, s: i32, f: i32, mut g: impl FnMut(usize, usize, usize)) {
        if f < s {
            return;
        }
        let first = if self.sorted {
            self.ends.partition_point(|&e| e < s)
        } else {
            0
        };
        for b in first..self.starts.len() {
            let (bs, be) = (self.starts[b], self.ends[b]);
            if bs > f {
                if self.sorted {
                    break;
                }
                continue;
            }
            if be < s || be < bs {
                continue;
            }
            let (lo, hi) = (s.max(bs), f.min(be));
            let base = self.off[b];
            g(b, base + (lo - bs) as usize, base + (hi - bs) as usize + 1);
        }
    }

    /// Organization working days among positions `lo..hi`.
    fn total(&self, lo: usize, hi: usize) -> u32 {
        self.pre[hi][7] - self.pre[lo][7]
    }

    /// Organization working days among positions `lo..hi` whose weekday is in `mask`.
    fn count(&self, lo: usize, hi: usize, mask: usize) -> u32 {
        if mask == 0x7f {
            return self.total(lo, hi);
        }
        let (a, b) = (&self.pre[lo], &self.pre[hi]);
        (0..7)
            .filter(|w| mask & (1 << w) != 0)
            .map(|w| b[w] - a[w])
            .sum()
    }

    fn bucket_counts(&self, mask: usize) -> Vec<u32> {
        (0..self.starts.len())
            .map(|b| self.count(self.off[b], self.off[b + 1], mask))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Computation

/// Capacity, non-project time and demand of every person in every bucket.
///
/// * A person's gross daily capacity is `weekly_minutes / pattern days` (floored) on each day
///   that is in their pattern, an organization working day, not a holiday and not inside one
///   of their absences; 0 otherwise. Non-project time per such day is
///   `non_project_minutes_per_week / pattern days` (floored), capped at the gross.
///   `capacity` = gross − non-project. Negative minutes count as 0.
/// * A load's demand counts on organization working days that are not holidays, whatever the
///   person's pattern or absences (work planned on a day off is an over-allocation). Loads are
///   clipped to the horizon; loads with finish < start, a person out of range or
///   `minutes_per_day <= 0` are ignored.
pub fn compute(cal: &Calendar, horizon: Horizon, supply: &[Supply], loads: &[Load]) -> Grid {
    let lay = Layout::new(cal, &horizon);
    let n = horizon.len();
    let rows = supply.len();
    let mut capacity = vec![0i64; rows * n];
    let mut non_project = vec![0i64; rows * n];
    let mut demand = vec![0i64; rows * n];

    let mut by_mask: Vec<Option<Vec<u32>>> = vec![None; 128];
    let mut absences: Vec<(i32, i32)> = Vec::new();
    let mut days: Vec<u32> = vec![0; n];
    for (p, s) in supply.iter().enumerate() {
        let mask = mask_of(&s.working_days);
        let pattern_days = i64::from(mask.count_ones());
        if pattern_days == 0 || n == 0 {
            continue;
        }
        let gross = i64::from(s.weekly_minutes.max(0)) / pattern_days;
        let np = (i64::from(s.non_project_minutes_per_week.max(0)) / pattern_days).min(gross);
        if gross == 0 {
            continue;
        }
        let counts = by_mask[mask].get_or_insert_with(|| lay.bucket_counts(mask));
        days.copy_from_slice(counts);
        if !s.absences.is_empty() {
            merge_into(&mut absences, &s.absences);
            for &(a, b) in &absences {
                lay.for_each_overlap(a, b, |bk, lo, hi| {
                    days[bk] = days[bk].saturating_sub(lay.count(lo, hi, mask));
                });
            }
        }
        let row = p * n;
        for (b, &d) in days.iter().enumerate() {
            let d = i64::from(d);
            capacity[row + b] = d * (gross - np);
            non_project[row + b] = d * np;
        }
    }

    for l in loads {
        let p = l.person as usize;
        if p >= rows || l.finish < l.start || l.minutes_per_day <= 0 {
            continue;
        }
        let mpd = i64::from(l.minutes_per_day);
        let row = &mut demand[p * n..(p + 1) * n];
        lay.for_each_overlap(day_number(l.start), day_number(l.finish), |b, lo, hi| {
            let add = i64::from(lay.total(lo, hi)) * mpd;
            row[b] = row[b].saturating_add(add);
        });
    }

    Grid {
        horizon,
        rows,
        capacity,
        non_project,
        demand,
    }
}

/// Sorts and merges (overlapping or adjacent) inclusive date ranges into day-number ranges.
fn merge_into(out: &mut Vec<(i32, i32)>, ranges: &[(Date, Date)]) {
    out.clear();
    out.extend(
        ranges
            .iter()
            .filter(|(a, b)| a <= b)
            .map(|&(a, b)| (day_number(a), day_number(b))),
    );
    out.sort_unstable();
    let mut w = 0;
    for i in 0..out.len() {
        let cur = out[i];
        if w > 0 && cur.0 <= out[w - 1].1.saturating_add(1) {
            out[w - 1].1 = out[w - 1].1.max(cur.1);
        } else {
            out[w] = cur;
            w += 1;
        }
    }
    out.truncate(w);
}

/// Sums rows into groups: `membership[row]` lists the groups that row counts in (a person
/// with three skills is in three skill groups). Returns a Grid with `groups` rows and the same
/// horizon. Group numbers ≥ `groups` and a group listed twice for one row are ignored; rows
/// past `membership` belong to no group.
pub fn group(grid: &Grid, membership: &[Vec<u32>], groups: usize) -> Grid {
    let n = grid.horizon.len();
    let mut capacity = vec![0i64; groups * n];
    let mut non_project = vec![0i64; groups * n];
    let mut demand = vec![0i64; groups * n];
    for (row, gs) in membership.iter().enumerate().take(grid.rows) {
        let src = row * n..(row + 1) * n;
        for (k, &g) in gs.iter().enumerate() {
            let g = g as usize;
            if g >= groups || gs[..k].contains(&(g as u32)) {
                continue;
            }
            let dst = g * n;
            for (field, out) in [
                (&grid.capacity, &mut capacity),
                (&grid.non_project, &mut non_project),
                (&grid.demand, &mut demand),
            ] {
                let Some(from) = field.get(src.clone()) else {
                    continue;
                };
                for (o, v) in out[dst..dst + n].iter_mut().zip(from) {
                    *o = o.saturating_add(*v);
                }
            }
        }
    }
    Grid {
        horizon: grid.horizon.clone(),
        rows: groups,
        capacity,
        non_project,
        demand,
    }
}

/// Runs of consecutive over-allocated buckets (demand > capacity) per row, in row then bucket
/// order, with the excess Σ (demand − capacity) of each run.
pub fn overallocations(grid: &Grid) -> Vec<Overallocation> {
    let n = grid.horizon.len();
    let mut out = Vec::new();
    for row in 0..grid.rows {
        let mut run: Option<Overallocation> = None;
        for b in 0..n {
            let c = grid.cell(row, b);
            if c.demand > c.capacity {
                let ex = c.demand.saturating_sub(c.capacity);
                match &mut run {
                    Some(r) => {
                        r.last = b;
                        r.excess = r.excess.saturating_add(ex);
                    }
                    None => {
                        run = Some(Overallocation {
                            row,
                            first: b,
                            last: b,
                            excess: ex,
                        })
                    }
                }
            } else if let Some(r) = run.take() {
                out.push(r);
            }
        }
        out.extend(run);
    }
    out
}

/// Organization working days (not holidays) in `a..=b`; `hol` sorted and deduplicated.
fn org_days(cal: &Calendar, hol: &[i32], a: i32, b: i32) -> i64 {
    if b < a {
        return 0;
    }
    let len = i64::from(b) - i64::from(a) + 1;
    let per_week = cal.working_days.iter().filter(|&&w| w).count() as i64;
    let mut n = len / 7 * per_week;
    let rest_from = i64::from(a) + len / 7 * 7;
    for k in 0..len % 7 {
        if cal.working_days[weekday_index((rest_from + k) as i32)] {
            n += 1;
        }
    }
    let (i, j) = (
        hol.partition_point(|&h| h < a),
        hol.partition_point(|&h| h <= b),
    );
    n - hol[i..j]
        .iter()
        .filter(|&&h| cal.working_days[weekday_index(h)])
        .count() as i64
}

/// The loads of `person` that put work inside `start..=finish`, with the minutes they put
/// there: (tag, minutes), largest first, ties by tag. Loads sharing a tag are added up; loads
/// putting nothing there (and bad loads, see [`compute`]) are left out.
pub fn contributors(
    cal: &Calendar,
    loads: &[Load],
    person: u32,
    start: Date,
    finish: Date,
) -> Vec<(u32, i64)> {
    let hol = holiday_numbers(cal);
    let (s, f) = (day_number(start), day_number(finish));
    let mut out: Vec<(u32, i64)> = Vec::new();
    for l in loads {
        if l.person != person || l.finish < l.start || l.minutes_per_day <= 0 {
            continue;
        }
        let days = org_days(
            cal,
            &hol,
            day_number(l.start).max(s),
            day_number(l.finish).min(f),
        );
        if days > 0 {
            out.push((l.tag, days.saturating_mul(i64::from(l.minutes_per_day))));
        }
    }
    out.sort_unstable_by_key(|&(tag, _)| tag);
    let mut merged: Vec<(u32, i64)> = Vec::with_capacity(out.len());
    for (tag, m) in out {
        match merged.last_mut() {
            Some(last) if last.0 == tag => last.1 = last.1.saturating_add(m),
            _ => merged.push((tag, m)),
        }
    }
    merged.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    merged
}

/// Other rows from `eligible` (excluding `except`) with the most free capacity
/// ([`Grid::free`]) over buckets first..=last, at least `needed` free, best first (ties by
/// row), at most `limit`. Rows with no free time at all, rows out of range and duplicates in
/// `eligible` are left out.
pub fn candidates(
    grid: &Grid,
    eligible: &[u32],
    except: u32,
    first: usize,
    last: usize,
    needed: i64,
    limit: usize,
) -> Vec<(u32, i64)> {
    let mut rows: Vec<u32> = eligible
        .iter()
        .copied()
        .filter(|&r| r != except && (r as usize) < grid.rows)
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let mut out: Vec<(u32, i64)> = rows
        .into_iter()
        .map(|r| (r, grid.free(r as usize, first, last)))
        .filter(|&(_, free)| free > 0 && free >= needed)
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const MON_FRI: [bool; 7] = [true, true, true, true, true, false, false];

    fn person(weekly: i32, np: i32, days: [bool; 7], absences: Vec<(Date, Date)>) -> Supply {
        Supply {
            weekly_minutes: weekly,
            non_project_minutes_per_week: np,
            working_days: days,
            absences,
        }
    }

    fn load(person: u32, start: Date, finish: Date, mpd: i32, tag: u32) -> Load {
        Load {
            person,
            start,
            finish,
            minutes_per_day: mpd,
            tag,
        }
    }

    #[test]
    fn day_numbers_match_jiff() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(weekday_index(day_number(date(2026, 12, 7))), 0);
        let mut d = date(1899, 12, 25);
        let mut n = day_number(d);
        for _ in 0..200_000 {
            assert_eq!(date_of(n), Some(d));
            assert_eq!(
                weekday_index(n),
                d.weekday().to_monday_zero_offset() as usize
            );
            d = d.tomorrow().unwrap();
            n += 1;
            assert_eq!(day_number(d), n);
        }
        assert_eq!(date_of(day_number(Date::MAX)), Some(Date::MAX));
        assert_eq!(date_of(day_number(Date::MIN)), Some(Date::MIN));
        assert_eq!(date_of(day_number(Date::MAX) + 1), None);
    }

    #[test]
    fn bucket_names_round_trip() {
        for b in Bucket::ALL {
            assert_eq!(Bucket::parse(b.as_str()), Some(b));
        }
        assert_eq!(Bucket::parse(" Week "), Some(Bucket::Week));
        assert_eq!(Bucket::parse("fortnight"), None);
    }

    #[test]
    fn horizon_snaps_and_labels() {
        let from = date(2026, 12, 9); // a Wednesday
        let d = Horizon::new(from, 2, Bucket::Day);
        assert_eq!(
            d.buckets,
            vec![(from, from), (date(2026, 12, 10), date(2026, 12, 10))]
        );
        assert_eq!(d.label(0), "Wed 9 Dec");
        assert_eq!(d.label(1), "Thu 10 Dec");

        let w = Horizon::new(from, 3, Bucket::Week);
        assert_eq!(w.buckets[0], (date(2026, 12, 7), date(2026, 12, 13)));
        assert_eq!(w.buckets[2], (date(2026, 12, 21), date(2026, 12, 27)));
        assert_eq!(w.label(0), "7 Dec");
        assert_eq!(w.label(2), "21 Dec");
        // A Monday stays put.
        assert_eq!(
            Horizon::new(date(2026, 12, 7), 1, Bucket::Week).start(),
            date(2026, 12, 7)
        );

        let m = Horizon::new(from, 3, Bucket::Month);
        assert_eq!(m.buckets[0], (date(2026, 12, 1), date(2026, 12, 31)));
        assert_eq!(m.buckets[1], (date(2027, 1, 1), date(2027, 1, 31)));
        assert_eq!(m.buckets[2], (date(2027, 2, 1), date(2027, 2, 28)));
        assert_eq!(m.label(0), "Dec 2026");
        assert_eq!(m.label(1), "Jan 2027");
        let leap = Horizon::new(date(2028, 2, 10), 1, Bucket::Month);
        assert_eq!(leap.buckets, vec![(date(2028, 2, 1), date(2028, 2, 29))]);

        let q = Horizon::new(date(2026, 11, 15), 2, Bucket::Quarter);
        assert_eq!(q.buckets[0], (date(2026, 10, 1), date(2026, 12, 31)));
        assert_eq!(q.buckets[1], (date(2027, 1, 1), date(2027, 3, 31)));
        assert_eq!(q.label(0), "2026 Q4");
        assert_eq!(q.label(1), "2027 Q1");
        assert_eq!(
            Horizon::new(date(2026, 5, 31), 1, Bucket::Quarter).label(0),
            "2026 Q2"
        );

        assert_eq!(q.start(), date(2026, 10, 1));
        assert_eq!(q.end(), date(2027, 3, 31));
        assert_eq!(q.label(5), "");
        assert_eq!(q.index_of(date(2027, 2, 14)), Some(1));
        assert_eq!(q.index_of(date(2026, 10, 1)), Some(0));
        assert_eq!(q.index_of(date(2026, 9, 30)), None);
        assert_eq!(q.index_of(date(2027, 4, 1)), None);
    }

    #[test]
    fn horizon_count_is_clamped_and_stays_in_range() {
        for b in Bucket::ALL {
            assert_eq!(Horizon::new(date(2026, 1, 1), 0, b).len(), 1);
            assert_eq!(
                Horizon::new(date(2026, 1, 1), 100_000, b).len(),
                b.max_count() as usize
            );
            let end = Horizon::new(date(9999, 12, 20), 50, b);
            assert!(!end.is_empty());
            assert_eq!(end.end(), Date::MAX);
            let start = Horizon::new(Date::MIN, 3, b);
            assert_eq!(start.start(), Date::MIN);
        }
        // Consecutive: each bucket starts the day after the previous one ends.
        let w = Horizon::new(date(2026, 1, 1), 260, Bucket::Week);
        for pair in w.buckets.windows(2) {
            assert_eq!(pair[0].1.tomorrow().unwrap(), pair[1].0);
        }
    }

    #[test]
    fn capacity_with_pattern_holiday_absence_and_non_project_time() {
        let holidays = [date(2026, 12, 15)]; // a Tuesday
        let cal = Calendar {
            working_days: MON_FRI,
            holidays: &holidays,
        };
        let h = Horizon::new(date(2026, 12, 9), 2, Bucket::Week);
        let supply = vec![
            // Full time, 1 h/day of support, off Thu 10 – Fri 11 Dec.
            person(
                2400,
                300,
                MON_FRI,
                vec![(date(2026, 12, 10), date(2026, 12, 11))],
            ),
            // Part time Mon–Wed, 20 h.
            person(
                1200,
                0,
                [true, true, true, false, false, false, false],
                vec![],
            ),
            // Works Saturdays too, but the organization does not: Saturday never counts.
            person(
                2400,
                0,
                [true, true, true, true, false, true, false],
                vec![],
            ),
            // Non-project time above the contract: nothing left for projects.
            person(2400, 5000, MON_FRI, vec![]),
            // No working days, negative hours, reversed absence: all zero, no panic.
            person(2400, 0, [false; 7], vec![]),
            person(
                -5,
                -5,
                MON_FRI,
                vec![(date(2026, 12, 20), date(2026, 12, 1))],
            ),
        ];
        let g = compute(&cal, h, &supply, &[]);
        assert_eq!(g.rows, 6);
        assert_eq!(
            g.cell(0, 0),
            Cell {
                capacity: 3 * 420,
                non_project: 3 * 60,
                demand: 0
            }
        );
        assert_eq!(g.cell(0, 1).capacity, 4 * 420);
        assert_eq!(g.cell(0, 1).non_project, 4 * 60);
        assert_eq!(g.cell(1, 0).capacity, 3 * 400);
        assert_eq!(g.cell(1, 1).capacity, 2 * 400); // Tuesday is a holiday
        assert_eq!(g.cell(2, 0).capacity, 4 * 480); // 2400 / 5 pattern days, Mon–Thu only
        assert_eq!(g.cell(2, 1).capacity, 3 * 480);
        assert_eq!(
            g.cell(3, 0),
            Cell {
                capacity: 0,
                non_project: 5 * 480,
                demand: 0
            }
        );
        for b in 0..2 {
            assert_eq!(g.cell(4, b), Cell::default());
            assert_eq!(g.cell(5, b), Cell::default());
        }
        // Out of range reads are zero.
        assert_eq!(g.cell(6, 0), Cell::default());
        assert_eq!(g.cell(0, 2), Cell::default());
    }

    #[test]
    fn overlapping_absences_count_once_and_floor_rounding() {
        let cal = Calendar {
            working_days: MON_FRI,
            holidays: &[],
        };
        let h = Horizon::new(date(2026, 12, 7), 1, Bucket::Week);
        let s = person(
            1000,
            0,
            [true, true, true, false, false, false, false],
            vec![
                (date(2026, 12, 7), date(2026, 12, 7)),
                (date(2026, 12, 1), date(2026, 12, 7)),
                (date(2026, 12, 7), date(2026, 12, 7)),
            ],
        );
        let g = compute(&cal, h, &[s], &[]);
        assert_eq!(g.cell(0, 0).capacity, 2 * 333); // 1000 / 3 floored, Monday off
    }

    #[test]
    fn demand_across_bucket_and_month_boundaries_with_clipping_and_bad_loads() {
        let holidays = [date(2026, 12, 15)];
        let cal = Calendar {
            working_days: MON_FRI,
            holidays: &holidays,
        };
        let supply = vec![person(2400, 0, MON_FRI, vec![]); 2];
        let loads = [
            // Fri 27 Nov – Wed 2 Dec: Nov 27, Nov 30 | Dec 1, Dec 2.
            load(0, date(2026, 11, 27), date(2026, 12, 2), 120, 1),
            // Far wider than any horizon below: clipped.
            load(1, date(2020, 1, 1), date(2030, 12, 31), 10, 2),
            // Bad: reversed, unknown person, negative or zero minutes.
            load(0, date(2026, 12, 2), date(2026, 11, 27), 120, 3),
            load(7, date(2026, 11, 27), date(2026, 12, 2), 120, 4),
            load(0, date(2026, 11, 27), date(2026, 12, 2), -120, 5),
            load(u32::MAX, date(2026, 11, 27), date(2026, 12, 2), i32::MAX, 6),
        ];
        let m = compute(
            &cal,
            Horizon::new(date(2026, 11, 15), 2, Bucket::Month),
            &supply,
            &loads,
        );
        assert_eq!(m.cell(0, 0).demand, 240);
        assert_eq!(m.cell(0, 1).demand, 240);
        assert_eq!(m.cell(1, 0).demand, 21 * 10); // November 2026: 21 weekdays
        assert_eq!(m.cell(1, 1).demand, 22 * 10); // December: 23 weekdays, one holiday

        let w = compute(
            &cal,
            Horizon::new(date(2026, 11, 23), 4, Bucket::Week),
            &supply,
            &loads,
        );
        let row0: Vec<i64> = (0..4).map(|b| w.cell(0, b).demand).collect();
        assert_eq!(row0, vec![120, 360, 0, 0]);
        let row1: Vec<i64> = (0..4).map(|b| w.cell(1, b).demand).collect();
        assert_eq!(row1, vec![50, 50, 50, 40]);
        // Capacity is untouched by demand; nobody is over here.
        assert_eq!(w.cell(0, 1).capacity, 5 * 480);
        assert!(overallocations(&w).is_empty());
    }

    #[test]
    fn work_on_an_absence_day_is_over_allocation_but_weekends_are_not_demand() {
        let cal = Calendar {
            working_days: MON_FRI,
            holidays: &[],
        };
        let s = person(
            2400,
            0,
            MON_FRI,
            vec![(date(2026, 12, 7), date(2026, 12, 13))],
        );
        let loads = [load(0, date(2026, 12, 5), date(2026, 12, 8), 60, 9)];
        let g = compute(
            &cal,
            Horizon::new(date(2026, 12, 7), 1, Bucket::Day),
            &[s],
            &loads,
        );
        assert_eq!(
            g.cell(0, 0),
            Cell {
                capacity: 0,
                non_project: 0,
                demand: 60
            }
        );
        assert!(g.over(0, 0));
        let sat = compute(
            &cal,
            Horizon::new(date(2026, 12, 5), 1, Bucket::Day),
            &[person(2400, 0, MON_FRI, vec![])],
            &loads,
        );
        assert_eq!(sat.cell(0, 0), Cell::default());
        assert!(!sat.over(0, 0));
    }

    fn grid_of(rows: usize, cap: &[i64], dem: &[i64]) -> Grid {
        let n = cap.len() / rows;
        Grid {
            horizon: Horizon::new(date(2026, 12, 7), n as u32, Bucket::Week),
            rows,
            capacity: cap.to_vec(),
            non_project: vec![1; cap.len()],
            demand: dem.to_vec(),
        }
    }

    #[test]
    fn free_over_and_overallocation_runs() {
        let g = grid_of(
            2,
            &[100, 100, 100, 100, 50, 50, 50, 50],
            &[150, 120, 80, 200, 0, 60, 10, 0],
        );
        assert!(g.over(0, 0) && g.over(0, 1) && !g.over(0, 2) && g.over(0, 3));
        assert_eq!(g.free(0, 0, 3), 20);
        assert_eq!(g.free(1, 0, 3), 50 + 40 + 50);
        assert_eq!(g.free(1, 2, 99), 90);
        assert_eq!(g.free(1, 3, 2), 0);
        assert_eq!(g.free(9, 0, 3), 0);
        assert_eq!(
            overallocations(&g),
            vec![
                Overallocation {
                    row: 0,
                    first: 0,
                    last: 1,
                    excess: 70
                },
                Overallocation {
                    row: 0,
                    first: 3,
                    last: 3,
                    excess: 100
                },
                Overallocation {
                    row: 1,
                    first: 1,
                    last: 1,
                    excess: 10
                },
            ]
        );
        assert_eq!(
            g.row_totals(1),
            Cell {
                capacity: 200,
                non_project: 4,
                demand: 70
            }
        );
    }

    #[test]
    fn group_sums_rows_into_every_group_once() {
        let g = grid_of(3, &[10, 20, 1, 2, 100, 200], &[5, 6, 7, 8, 9, 10]);
        let membership = vec![vec![0, 1, 1], vec![1, 5], vec![]];
        let s = group(&g, &membership, 3);
        assert_eq!(s.rows, 3);
        assert_eq!(s.horizon, g.horizon);
        assert_eq!(s.capacity, vec![10, 20, 11, 22, 0, 0]);
        assert_eq!(s.demand, vec![5, 6, 12, 14, 0, 0]);
        assert_eq!(s.non_project, vec![1, 1, 2, 2, 0, 0]);
        // Fewer membership lists than rows: the rest count nowhere.
        assert_eq!(group(&g, &[vec![0]], 1).capacity, vec![10, 20]);
    }

    #[test]
    fn contributors_rank_loads_inside_the_window() {
        let holidays = [date(2026, 12, 15)];
        let cal = Calendar {
            working_days: MON_FRI,
            holidays: &holidays,
        };
        let loads = [
            load(0, date(2026, 12, 1), date(2026, 12, 31), 60, 3), // 7..=18 Dec: 9 days
            load(0, date(2026, 12, 14), date(2026, 12, 16), 240, 1), // 14, 16: 2 days
            load(0, date(2026, 12, 17), date(2026, 12, 17), 240, 2), // 1 day
            load(0, date(2026, 12, 18), date(2026, 12, 18), 240, 1), // same tag: added
            load(1, date(2026, 12, 7), date(2026, 12, 18), 480, 4), // someone else
            load(0, date(2026, 12, 19), date(2026, 12, 20), 480, 5), // weekend only
            load(0, date(2027, 1, 1), date(2027, 1, 31), 480, 6),  // outside
            load(0, date(2026, 12, 18), date(2026, 12, 7), 480, 7), // reversed
        ];
        let c = contributors(&cal, &loads, 0, date(2026, 12, 7), date(2026, 12, 18));
        assert_eq!(c, vec![(1, 720), (3, 540), (2, 240)]);
        assert!(contributors(&cal, &loads, 0, date(2026, 12, 18), date(2026, 12, 7)).is_empty());
    }

    #[test]
    fn candidates_rank_by_free_time() {
        let g = grid_of(
            4,
            &[100, 100, 100, 100, 100, 100, 100, 100],
            &[0, 0, 50, 0, 100, 100, 40, 50],
        );
        // Free: row0 200, row1 150, row2 0, row3 110.
        assert_eq!(
            candidates(&g, &[0, 1, 2, 3, 3, 17], 9, 0, 1, 0, 10),
            vec![(0, 200), (1, 150), (3, 110)]
        );
        assert_eq!(
            candidates(&g, &[0, 1, 2, 3], 0, 0, 1, 120, 10),
            vec![(1, 150)]
        );
        assert_eq!(candidates(&g, &[0, 1, 2, 3], 0, 0, 1, 0, 1), vec![(1, 150)]);
        assert_eq!(
            candidates(&g, &[3, 1], 0, 1, 1, 0, 5),
            vec![(1, 100), (3, 50)]
        );
        let tie = grid_of(2, &[10, 10], &[0, 0]);
        assert_eq!(
            candidates(&tie, &[1, 0], 5, 0, 0, 0, 5),
            vec![(0, 10), (1, 10)]
        );
    }

    /// A small xorshift generator for the property test.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: i32) -> i32 {
            (self.next() % n.max(1) as u64) as i32
        }
    }

    fn day_plus(d: Date, k: i32) -> Date {
        date_of(day_number(d) + k).unwrap()
    }

    #[test]
    fn day_and_week_grids_agree_with_brute_force() {
        let from = date(2026, 1, 5); // a Monday
        let period = 364;
        for seed in 1..=12u64 {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
            let mut org = [false; 7];
            for w in &mut org {
                *w = rng.below(10) < 7;
            }
            let holidays: Vec<Date> = (0..rng.below(15))
                .map(|_| day_plus(from, rng.below(period + 60) - 30))
                .collect();
            let cal = Calendar {
                working_days: org,
                holidays: &holidays,
            };
            let people = 6usize;
            let supply: Vec<Supply> = (0..people)
                .map(|_| {
                    let mut days = [false; 7];
                    for w in &mut days {
                        *w = rng.below(10) < 6;
                    }
                    let absences = (0..rng.below(4))
                        .map(|_| {
                            let a = day_plus(from, rng.below(period + 40) - 20);
                            (a, day_plus(a, rng.below(30) - 3))
                        })
                        .collect();
                    person(rng.below(3000), rng.below(800), days, absences)
                })
                .collect();
            let loads: Vec<Load> = (0..80)
                .map(|t| {
                    let a = day_plus(from, rng.below(period + 100) - 50);
                    load(
                        rng.below(people as i32 + 1) as u32,
                        a,
                        day_plus(a, rng.below(120) - 5),
                        rng.below(500) - 20,
                        t,
                    )
                })
                .collect();

            let dg = compute(
                &cal,
                Horizon::new(from, period as u32, Bucket::Day),
                &supply,
                &loads,
            );
            let wg = compute(&cal, Horizon::new(from, 52, Bucket::Week), &supply, &loads);
            assert_eq!(dg.horizon.end(), wg.horizon.end());
            for (p, s) in supply.iter().enumerate() {
                // Brute force, day by day.
                let pd = s.working_days.iter().filter(|&&w| w).count() as i64;
                let (gross, np) = if pd == 0 {
                    (0, 0)
                } else {
                    let g = i64::from(s.weekly_minutes.max(0)) / pd;
                    (
                        g,
                        (i64::from(s.non_project_minutes_per_week.max(0)) / pd).min(g),
                    )
                };
                let (mut cap, mut dem) = (0i64, 0i64);
                for k in 0..period {
                    let d = day_plus(from, k);
                    let wd = d.weekday().to_monday_zero_offset() as usize;
                    let org_day = org[wd] && !holidays.contains(&d);
                    if org_day
                        && s.working_days[wd]
                        && !s.absences.iter().any(|&(a, b)| a <= d && d <= b)
                    {
                        cap += gross - np;
                    }
                    if org_day {
                        for l in &loads {
                            if l.person as usize == p
                                && l.start <= d
                                && d <= l.finish
                                && l.minutes_per_day > 0
                            {
                                dem += i64::from(l.minutes_per_day);
                            }
                        }
                    }
                }
                let (dt, wt) = (dg.row_totals(p), wg.row_totals(p));
                assert_eq!(dt.demand, dem, "seed {seed} person {p} demand (day grid)");
                assert_eq!(wt.demand, dem, "seed {seed} person {p} demand (week grid)");
                assert_eq!(
                    dt.capacity, cap,
                    "seed {seed} person {p} capacity (day grid)"
                );
                assert_eq!(
                    wt.capacity, cap,
                    "seed {seed} person {p} capacity (week grid)"
                );
                assert_eq!(dt.non_project, wt.non_project);
                // Contributors over the whole period add up to the same demand.
                let total: i64 =
                    contributors(&cal, &loads, p as u32, from, day_plus(from, period - 1))
                        .iter()
                        .map(|c| c.1)
                        .sum();
                assert_eq!(total, dem, "seed {seed} person {p} contributors");
            }
        }
    }

    #[test]
    fn hand_made_horizons_are_handled() {
        let cal = Calendar {
            working_days: MON_FRI,
            holidays: &[],
        };
        // Unsorted, overlapping and reversed buckets.
        let h = Horizon {
            bucket: Bucket::Week,
            buckets: vec![
                (date(2026, 12, 14), date(2026, 12, 20)),
                (date(2026, 12, 7), date(2026, 12, 16)),
                (date(2026, 12, 9), date(2026, 12, 1)),
            ],
        };
        assert_eq!(h.index_of(date(2026, 12, 8)), Some(1));
        let g = compute(
            &cal,
            h,
            &[person(
                2400,
                0,
                MON_FRI,
                vec![(date(2026, 12, 16), date(2026, 12, 16))],
            )],
            &[load(0, date(2026, 12, 1), date(2026, 12, 31), 10, 0)],
        );
        assert_eq!(
            g.cell(0, 0),
            Cell {
                capacity: 4 * 480,
                non_project: 0,
                demand: 50
            }
        );
        assert_eq!(
            g.cell(0, 1),
            Cell {
                capacity: 7 * 480,
                non_project: 0,
                demand: 80
            }
        );
        assert_eq!(g.cell(0, 2), Cell::default());
    }
}
