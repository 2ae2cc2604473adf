//! `GET/PUT /settings`: the organization's settings.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Auth};
use atrium_core::org::{OrgSettings, OrgSettingsDraft, format_hhmm};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, put_settings))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsDto {
    pub name: String,
    /// ISO 4217, e.g. EUR
    pub currency: String,
    /// 1 = January
    pub fiscal_year_start_month: u8,
    /// supportive | controlling | directive
    pub operating_mode: String,
    /// weekly | biweekly | monthly
    pub reporting_cycle: String,
    /// Seven booleans, Monday first.
    pub working_days: Vec<bool>,
    /// HH:MM
    pub day_start: String,
    pub day_end: String,
    /// YYYY-MM-DD dates.
    pub holidays: Vec<String>,
    pub version: i64,
}

impl From<OrgSettings> for SettingsDto {
    fn from(s: OrgSettings) -> Self {
        Self {
            name: s.name,
            currency: s.currency.to_string(),
            fiscal_year_start_month: s.fiscal_year_start_month,
            operating_mode: s.operating_mode.as_str().into(),
            reporting_cycle: s.reporting_cycle.as_str().into(),
            working_days: s.calendar.working_days.to_vec(),
            day_start: format_hhmm(s.calendar.day_start),
            day_end: format_hhmm(s.calendar.day_end),
            holidays: s.calendar.holidays.iter().map(|d| d.to_string()).collect(),
            version: s.version,
        }
    }
}

#[utoipa::path(get, path = "/settings", tag = "organization", responses((status = 200, body = SettingsDto), (status = 401, body = Problem)))]
async fn get_settings(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> Result<Json<SettingsDto>, ApiError> {
    Ok(Json(s.app.read_settings(&a).await?.into()))
}

/// Replaces the settings (pmo_director and admin only).
#[utoipa::path(put, path = "/settings", tag = "organization", request_body = SettingsDto,
    responses((status = 200, body = SettingsDto), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn put_settings(
    State(s): State<AppState>,
    Auth(a): Auth,
    ApiJson(b): ApiJson<SettingsDto>,
) -> Result<Json<SettingsDto>, ApiError> {
    let d = OrgSettingsDraft {
        name: b.name,
        currency: b.currency,
        fiscal_year_start_month: b.fiscal_year_start_month.to_string(),
        operating_mode: b.operating_mode,
        reporting_cycle: b.reporting_cycle,
        working_days: b.working_days,
        day_start: b.day_start,
        day_end: b.day_end,
        holidays: b.holidays,
    };
    Ok(Json(s.app.update_settings(&a, &d, b.version).await?.into()))
}
