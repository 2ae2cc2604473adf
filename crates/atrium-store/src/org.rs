//! The organization's settings (one row).

use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use atrium_core::money::Currency;
use atrium_core::org::{OperatingMode, OrgSettings, ReportingCycle, WorkCalendar};

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    currency: String,
    fiscal_year_start_month: i64,
    operating_mode: String,
    reporting_cycle: String,
    working_days: String,
    day_start: i64,
    day_end: i64,
    holidays: String,
    version: i64,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("org_settings.{what}"))
}

impl TryFrom<Row> for OrgSettings {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        let holidays: Vec<String> =
            serde_json::from_str(&r.holidays).map_err(|_| corrupt("holidays"))?;
        Ok(OrgSettings {
            name: r.name,
            currency: Currency::parse(&r.currency).ok_or_else(|| corrupt("currency"))?,
            fiscal_year_start_month: u8::try_from(r.fiscal_year_start_month)
                .map_err(|_| corrupt("fiscal_year_start_month"))?,
            operating_mode: OperatingMode::parse(&r.operating_mode)
                .ok_or_else(|| corrupt("operating_mode"))?,
            reporting_cycle: ReportingCycle::parse(&r.reporting_cycle)
                .ok_or_else(|| corrupt("reporting_cycle"))?,
            calendar: WorkCalendar {
                working_days: WorkCalendar::parse_mask(&r.working_days)
                    .ok_or_else(|| corrupt("working_days"))?,
                day_start: u16::try_from(r.day_start).map_err(|_| corrupt("day_start"))?,
                day_end: u16::try_from(r.day_end).map_err(|_| corrupt("day_end"))?,
                holidays: holidays
                    .iter()
                    .map(|h| h.parse().map_err(|_| corrupt("holidays")))
                    .collect::<Result<_>>()?,
            },
            version: r.version,
        })
    }
}

const COLS: &str = "name, currency, fiscal_year_start_month, operating_mode, reporting_cycle, working_days, day_start, day_end, holidays, version";

pub async fn get(db: &Db) -> Result<Option<OrgSettings>> {
    let sql = format!("SELECT {COLS} FROM org_settings WHERE id = 1");
    let r: Option<Row> =
        on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).fetch_optional(p).await?);
    r.map(OrgSettings::try_from).transpose()
}

pub async fn get_tx(tx: &mut Tx) -> Result<Option<OrgSettings>> {
    let sql = format!("SELECT {COLS} FROM org_settings WHERE id = 1");
    let r: Option<Row> =
        on_tx!(tx, c => sqlx::query_as(crate::sql::trusted(&sql)).fetch_optional(c).await?);
    r.map(OrgSettings::try_from).transpose()
}

fn holidays_json(s: &OrgSettings) -> String {
    serde_json::Value::from(
        s.calendar
            .holidays
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>(),
    )
    .to_string()
}

/// Inserts the settings row if absent (first start), else does nothing.
pub async fn init(tx: &mut Tx, s: &OrgSettings, now: i64) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO org_settings (id, name, currency, fiscal_year_start_month, operating_mode, reporting_cycle, \
             working_days, day_start, day_end, holidays, version, updated_at) \
             VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&s.name).bind(s.currency.as_str()).bind(i64::from(s.fiscal_year_start_month)).bind(s.operating_mode.as_str())
        .bind(s.reporting_cycle.as_str()).bind(s.calendar.days_mask()).bind(i64::from(s.calendar.day_start))
        .bind(i64::from(s.calendar.day_end)).bind(holidays_json(s)).bind(s.version).bind(now)
        .execute(c).await?;
    });
    Ok(())
}

/// Writes `s` if the stored version is `s.version - 1`.
pub async fn update(tx: &mut Tx, s: &OrgSettings, now: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
            "UPDATE org_settings SET name = $1, currency = $2, fiscal_year_start_month = $3, operating_mode = $4, \
             reporting_cycle = $5, working_days = $6, day_start = $7, day_end = $8, holidays = $9, version = $10, \
             updated_at = $11 WHERE id = 1 AND version = $12")
        .bind(&s.name).bind(s.currency.as_str()).bind(i64::from(s.fiscal_year_start_month)).bind(s.operating_mode.as_str())
        .bind(s.reporting_cycle.as_str()).bind(s.calendar.days_mask()).bind(i64::from(s.calendar.day_start))
        .bind(i64::from(s.calendar.day_end)).bind(holidays_json(s)).bind(s.version).bind(now).bind(s.version - 1)
        .execute(c).await?.rows_affected());
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}
