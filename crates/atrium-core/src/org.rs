//! Organization settings: name, currency, fiscal year, the PMO operating mode, the status
//! reporting cycle and the working calendar every plan starts from.

use crate::money::Currency;
use crate::validation::{FieldError, Validation, limits};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How much authority the PMO has (the seed's supportive / controlling / directive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatingMode {
    Supportive,
    Controlling,
    Directive,
}

impl OperatingMode {
    pub const ALL: [OperatingMode; 3] = [Self::Supportive, Self::Controlling, Self::Directive];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Supportive => "supportive",
            Self::Controlling => "controlling",
            Self::Directive => "directive",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
    pub fn describe(self) -> &'static str {
        match self {
            Self::Supportive => "Templates and guidance; gates and findings are advisory.",
            Self::Controlling => {
                "Status reports required each cycle; gates must be passed to move phase."
            }
            Self::Directive => {
                "As controlling, and only the PMO creates projects and assigns their managers."
            }
        }
    }
}

/// How often status reports are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportingCycle {
    Weekly,
    Biweekly,
    Monthly,
}

impl ReportingCycle {
    pub const ALL: [ReportingCycle; 3] = [Self::Weekly, Self::Biweekly, Self::Monthly];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::Biweekly => "biweekly",
            Self::Monthly => "monthly",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The organization's standard working calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    /// Monday first.
    pub working_days: [bool; 7],
    /// Minutes after midnight.
    pub day_start: u16,
    pub day_end: u16,
    pub holidays: Vec<Date>,
}

impl Default for WorkCalendar {
    fn default() -> Self {
        Self {
            working_days: [true, true, true, true, true, false, false],
            day_start: 8 * 60,
            day_end: 17 * 60,
            holidays: vec![],
        }
    }
}

impl WorkCalendar {
    /// `"1111100"` (Monday first).
    pub fn days_mask(&self) -> String {
        self.working_days
            .iter()
            .map(|d| if *d { '1' } else { '0' })
            .collect()
    }
    pub fn parse_mask(s: &str) -> Option<[bool; 7]> {
        let b = s.as_bytes();
        if b.len() != 7 || !b.iter().all(|c| *c == b'0' || *c == b'1') {
            return None;
        }
        let mut out = [false; 7];
        for (o, c) in out.iter_mut().zip(b) {
            *o = *c == b'1';
        }
        Some(out)
    }
    pub fn hours_per_day(&self) -> f64 {
        f64::from(self.day_end.saturating_sub(self.day_start)) / 60.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    pub name: String,
    pub currency: Currency,
    /// 1 = January.
    pub fiscal_year_start_month: u8,
    pub operating_mode: OperatingMode,
    pub reporting_cycle: ReportingCycle,
    pub calendar: WorkCalendar,
    pub version: i64,
}

/// Settings as typed in a form or sent to the API, before validation.
#[derive(Debug, Clone, Default)]
pub struct OrgSettingsDraft {
    pub name: String,
    pub currency: String,
    pub fiscal_year_start_month: String,
    pub operating_mode: String,
    pub reporting_cycle: String,
    pub working_days: Vec<bool>,
    pub day_start: String,
    pub day_end: String,
    /// One ISO date per entry.
    pub holidays: Vec<String>,
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

pub fn format_hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl OrgSettingsDraft {
    pub fn validate(&self, version: i64) -> Result<OrgSettings, Vec<FieldError>> {
        let mut v = Validation::new();
        let name = v.text("name", &self.name, limits::NAME);
        let currency = Currency::parse(&self.currency).unwrap_or_else(|| {
            v.add(
                "currency",
                "must be a three-letter ISO 4217 code such as EUR or USD",
            );
            Currency::parse("XXX").unwrap_or_else(|| unreachable!())
        });
        let month = match self.fiscal_year_start_month.trim().parse::<u8>() {
            Ok(m @ 1..=12) => m,
            _ => {
                v.add(
                    "fiscal_year_start_month",
                    "must be a month number from 1 to 12",
                );
                1
            }
        };
        let mode = OperatingMode::parse(self.operating_mode.trim()).unwrap_or_else(|| {
            v.add(
                "operating_mode",
                "must be supportive, controlling or directive",
            );
            OperatingMode::Supportive
        });
        let cycle = ReportingCycle::parse(self.reporting_cycle.trim()).unwrap_or_else(|| {
            v.add("reporting_cycle", "must be weekly, biweekly or monthly");
            ReportingCycle::Monthly
        });
        let mut working_days = [false; 7];
        if self.working_days.len() == 7 {
            working_days.copy_from_slice(&self.working_days);
        } else {
            v.add("working_days", "must list seven days, Monday first");
        }
        if !working_days.iter().any(|d| *d) {
            v.add("working_days", "at least one day must be a working day");
        }
        let day_start = parse_hhmm(&self.day_start).unwrap_or_else(|| {
            v.add("day_start", "must be a time such as 08:00");
            0
        });
        let day_end = parse_hhmm(&self.day_end).unwrap_or_else(|| {
            v.add("day_end", "must be a time such as 17:00");
            0
        });
        if day_end <= day_start && v.is_empty() {
            v.add("day_end", "must be after the start of the working day");
        }
        let mut holidays = Vec::new();
        if self.holidays.len() > 1000 {
            v.add("holidays", "at most 1000 holidays");
        }
        for h in self
            .holidays
            .iter()
            .map(|h| h.trim())
            .filter(|h| !h.is_empty())
        {
            match h.parse::<Date>() {
                Ok(d) => holidays.push(d),
                Err(_) => v.add("holidays", format!("`{h}` is not a date (YYYY-MM-DD)")),
            }
        }
        holidays.sort();
        holidays.dedup();
        v.finish(OrgSettings {
            name,
            currency,
            fiscal_year_start_month: month,
            operating_mode: mode,
            reporting_cycle: cycle,
            calendar: WorkCalendar {
                working_days,
                day_start,
                day_end,
                holidays,
            },
            version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> OrgSettingsDraft {
        OrgSettingsDraft {
            name: "Acme".into(),
            currency: "eur".into(),
            fiscal_year_start_month: "4".into(),
            operating_mode: "controlling".into(),
            reporting_cycle: "weekly".into(),
            working_days: vec![true, true, true, true, true, false, false],
            day_start: "08:00".into(),
            day_end: "17:00".into(),
            holidays: vec!["2026-12-25".into(), "2026-12-25".into()],
        }
    }

    #[test]
    fn valid_settings() {
        let s = draft().validate(1).unwrap();
        assert_eq!(s.currency.as_str(), "EUR");
        assert_eq!(s.calendar.holidays.len(), 1);
        assert_eq!(s.calendar.hours_per_day(), 9.0);
    }

    #[test]
    fn invalid_settings_name_each_field() {
        let mut d = draft();
        d.currency = "euro".into();
        d.fiscal_year_start_month = "13".into();
        d.operating_mode = "dictator".into();
        d.day_end = "07:00".into();
        d.holidays = vec!["2026-02-30".into()];
        let errs = d.validate(1).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"currency"));
        assert!(fields.contains(&"fiscal_year_start_month"));
        assert!(fields.contains(&"operating_mode"));
        assert!(fields.contains(&"holidays"));
    }

    #[test]
    fn day_end_after_start() {
        let mut d = draft();
        d.day_end = "07:00".into();
        assert_eq!(d.validate(1).unwrap_err()[0].field, "day_end");
    }
}
