//! Expansion of recurring calendar exceptions into the days they cover.

use super::model::{CalendarException, DateTime, RecurrenceKind, days_in_month};

/// Days covered by `exc` (midnight `DateTime`s, ascending), at most `limit` of them.
pub(super) fn expand(exc: &CalendarException, limit: usize) -> Vec<DateTime> {
    let first = exc.from.days_since_epoch();
    let last = exc.to.days_since_epoch();
    let mut out = Vec::new();
    if last < first || limit == 0 {
        return out;
    }
    let r = &exc.recurrence;
    let period = i64::from(r.period.unwrap_or(1).max(1));
    let kind = r.kind.unwrap_or(RecurrenceKind::EveryDay);
    // For a recurring pattern the occurrence count bounds it as well as the date range; a
    // plain range (MS Project writes `Occurrences` 1 for it) covers every day.
    let max_occ = match kind {
        RecurrenceKind::EveryDay => usize::MAX,
        _ => r.occurrences.map_or(usize::MAX, |n| n as usize),
    };
    let take = limit.min(max_occ);
    let push = |out: &mut Vec<DateTime>, day: i64| {
        if let Some(d) = DateTime::from_minutes_since_epoch(day * 1440) {
            out.push(d);
        }
    };
    match kind {
        RecurrenceKind::EveryDay => {
            let mut d = first;
            while d <= last && out.len() < take {
                push(&mut out, d);
                d += 1;
            }
        }
        RecurrenceKind::Daily => {
            let mut d = first;
            while d <= last && out.len() < take {
                push(&mut out, d);
                d += period;
            }
        }
        RecurrenceKind::Weekly => {
            let mask = r.days_of_week.unwrap_or(0);
            if mask == 0 {
                return out;
            }
            // Weeks counted from the Sunday on or before the range start.
            let start_dow = (first + 4).rem_euclid(7); // 0 = Sunday
            let week0 = first - start_dow;
            let mut d = first;
            while d <= last && out.len() < take {
                let week = (d - week0).div_euclid(7);
                let dow = (d + 4).rem_euclid(7);
                if week % period == 0 && mask & (1u8 << dow) != 0 {
                    push(&mut out, d);
                }
                d += 1;
            }
        }
        RecurrenceKind::MonthlyByDay
        | RecurrenceKind::MonthlyByPosition
        | RecurrenceKind::YearlyByMonthDay
        | RecurrenceKind::YearlyByPosition => {
            let yearly = matches!(
                kind,
                RecurrenceKind::YearlyByMonthDay | RecurrenceKind::YearlyByPosition
            );
            let step = if yearly { 12 } else { period };
            let (mut y, mut m) = (exc.from.year, exc.from.month);
            if yearly {
                // The month of the pattern, stepping a year at a time from the first year.
                let want = r.month.unwrap_or(0).min(11) + 1;
                if want < m {
                    y += 1;
                }
                m = want;
            }
            let mut guard = 0u32;
            loop {
                guard += 1;
                if guard > 120_000 || out.len() >= take {
                    break;
                }
                let day = match kind {
                    RecurrenceKind::MonthlyByDay | RecurrenceKind::YearlyByMonthDay => {
                        let md = r.month_day.unwrap_or(exc.from.day).max(1);
                        (md <= days_in_month(y, m)).then_some(md)
                    }
                    _ => nth_item(
                        y,
                        m,
                        r.month_item.unwrap_or(0),
                        r.month_position.unwrap_or(0),
                    ),
                };
                let Some(first_of_month) = DateTime::date(y, m, 1) else {
                    break;
                };
                let base = first_of_month.days_since_epoch();
                if base > last {
                    break;
                }
                if let Some(day) = day {
                    let d = base + i64::from(day) - 1;
                    if d >= first && d <= last {
                        push(&mut out, d);
                    }
                }
                let months = i64::from(m) - 1 + step;
                y += i32::try_from(months.div_euclid(12)).unwrap_or(0);
                m = (months.rem_euclid(12) + 1) as u8;
            }
        }
    }
    out
}

/// Day of month of the `position`-th (0..=3, 4 = last) `item` of a month, where item is
/// 0 any day, 1 weekday, 2 weekend day, 3..=9 Sunday..Saturday.
fn nth_item(y: i32, m: u8, item: u8, position: u8) -> Option<u8> {
    let first = DateTime::date(y, m, 1)?.days_since_epoch();
    let n = days_in_month(y, m);
    let matches = |day: u8| {
        let dow = (first + i64::from(day) - 1 + 4).rem_euclid(7) as u8; // 0 = Sunday
        match item {
            0 => true,
            1 => (1..=5).contains(&dow),
            2 => dow == 0 || dow == 6,
            3..=9 => dow == item - 3,
            _ => false,
        }
    };
    let days: Vec<u8> = (1..=n).filter(|d| matches(*d)).collect();
    if position >= 4 {
        days.last().copied()
    } else {
        days.get(usize::from(position)).copied()
    }
}
