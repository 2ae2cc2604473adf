//! Delivery use cases: status reports, the issue / decision / change-request log, lessons learned and closing a project.
//!
//! Status reports follow the organization's reporting cycle (see `atrium_core::delivery`
//! for the periods). A report is a draft until submitted; submission freezes a snapshot of
//! the plan's key figures and makes it immutable; a correction is a new revision of the same
//! period. Approving a change request applies its impact (budget, task duration) in the
//! same transaction as the decision.

use crate::permissions::{Action, authorize, visibility};
use crate::records::{Listed, check_version, map_write, placement_of};
use crate::{Actor, App, AppError, Result, audit};
use atrium_core::FieldError;
use atrium_core::delivery::{
    ChangeDecision, FigureSnapshot, Lessons, LessonsDraft, LogDraft, LogEntry, LogKind, LogStatus,
    ReportDraft, ReportState, StatusReport, closing_needs_lessons, parse_period, period_end,
    period_start, previous_period,
};
use atrium_core::identity::Placement;
use atrium_core::money::{MAX_MINOR, Minor};
use atrium_core::org::{OperatingMode, ReportingCycle};
use atrium_core::project::{Phase, Project, Rag};
use atrium_core::validation::limits;
use atrium_store::delivery::{self as dl, LogFilter, MissingReport, Rollup};
use atrium_store::{Page, StoreError, Tx, project};
use jiff::civil::Date;
use serde::Serialize;
use uuid::Uuid;

/// Projects whose status report is overdue, for one period.
///
/// Definition: on `today`, the report due is the one for the *previous completed period*
/// (the period just before the one containing `today`). A project is overdue when it is
/// live (not archived), in an active phase (`Phase::is_active`: initiating, planning,
/// executing, closing), had started by the end of that period (no planned start, or a
/// planned start on or before the period's last day), and has no *submitted* report (any
/// revision) for that period. Drafts do not count.
#[derive(Debug, Clone, Serialize)]
pub struct Overdue {
    pub cycle: ReportingCycle,
    pub period: Date,
    pub period_end: Date,
    pub projects: Vec<OverdueProject>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OverdueProject {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub manager_id: Option<Uuid>,
}

/// The latest submitted report of one project of a program or portfolio.
#[derive(Debug, Clone, Serialize)]
pub struct LatestReport {
    pub project_key: String,
    pub project_name: String,
    pub report: StatusReport,
}

/// Most rows the overdue list and the roll-ups return.
const MAX_ROWS: i64 = 500;

fn active_phases() -> Vec<&'static str> {
    Phase::ALL
        .into_iter()
        .filter(|p| p.is_active())
        .map(|p| p.as_str())
        .collect()
}

fn snapshot(k: crate::plan::KeyFigures, status_date: Date) -> FigureSnapshot {
    FigureSnapshot {
        status_date: Some(k.status_date.unwrap_or(status_date)),
        spi: k.spi.filter(|v| v.is_finite()),
        cpi: k.cpi.filter(|v| v.is_finite()),
        percent_complete: if k.percent_complete.is_finite() {
            k.percent_complete
        } else {
            0.0
        },
        milestones_due: k.milestones_due,
        milestones_missed: k.milestones_missed,
        finish: k.finish,
        baseline_finish: k.baseline_finish,
    }
}

fn submitted_error(r: &StatusReport) -> AppError {
    AppError::field(
        "state",
        format!(
            "revision {} of the report for {} was submitted and can no longer be changed; create a revision to correct it",
            r.revision, r.period
        ),
    )
}

/// Refuses to close a project that has no lessons learned recorded (at least one of the
/// three texts non-empty). Called where projects are updated.
pub(crate) async fn check_can_close(tx: &mut Tx, project_id: Uuid) -> Result<()> {
    let ok = dl::get_lessons_tx(tx, project_id)
        .await?
        .is_some_and(|l| l.has_content());
    if ok {
        Ok(())
    } else {
        Err(AppError::Validation(vec![closing_needs_lessons()]))
    }
}

impl App {
    /// The organization's reporting cycle.
    pub async fn reporting_cycle(&self) -> Result<ReportingCycle> {
        Ok(self.settings().await?.reporting_cycle)
    }

    /// Loads a project and checks `action` on it: 404 when unknown, 403 when not allowed.
    pub async fn delivery_project(
        &self,
        actor: &Actor,
        project_id: Uuid,
        action: Action,
    ) -> Result<Project> {
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(actor, action, &placement_of(&p), self.mode().await?)?;
        Ok(p)
    }

    pub(crate) async fn project_tx(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        project_id: Uuid,
        action: Action,
        mode: OperatingMode,
    ) -> Result<Project> {
        let p = project::get_tx(tx, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(actor, action, &placement_of(&p), mode)?;
        Ok(p)
    }

    // ----- status reports -----

    pub async fn list_reports(
        &self,
        actor: &Actor,
        project_id: Uuid,
        page: Page,
    ) -> Result<Listed<StatusReport>> {
        self.delivery_project(actor, project_id, Action::ReadDelivery)
            .await?;
        Ok(dl::list_reports(&self.db, project_id, page).await?)
    }

    /// The period a new report should be for on `today`: the previous period while its
    /// report is missing (overdue), else the current one.
    pub async fn suggested_period(
        &self,
        actor: &Actor,
        project_id: Uuid,
        today: Date,
    ) -> Result<Date> {
        let p = self
            .delivery_project(actor, project_id, Action::ReadDelivery)
            .await?;
        let cycle = self.reporting_cycle().await?;
        let prev = previous_period(cycle, today);
        let started = p.planned_start.is_none_or(|s| s <= period_end(cycle, prev));
        if started && !dl::has_submitted(&self.db, project_id, &prev.to_string()).await? {
            Ok(prev)
        } else {
            Ok(period_start(cycle, today))
        }
    }

    pub async fn get_report(&self, actor: &Actor, id: Uuid) -> Result<StatusReport> {
        let r = dl::get_report(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("status report"))?;
        self.delivery_project(actor, r.project_id, Action::ReadDelivery)
            .await?;
        Ok(r)
    }

    /// Starts the report of a period (`None` = the suggested period) as a draft, revision 1.
    pub async fn create_report(
        &self,
        actor: &Actor,
        project_id: Uuid,
        period: Option<&str>,
        d: &ReportDraft,
    ) -> Result<StatusReport> {
        let today = self.today();
        let cycle = self.reporting_cycle().await?;
        self.delivery_project(actor, project_id, Action::WriteStatusReport)
            .await?;
        let period = match period.map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => parse_period(cycle, raw).map_err(|m| AppError::field("period", m))?,
            None => self.suggested_period(actor, project_id, today).await?,
        };
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        self.project_tx(&mut tx, actor, project_id, Action::WriteStatusReport, mode)
            .await?;
        if period > today {
            return Err(AppError::field(
                "period",
                format!("{period} has not started yet; report on a current or past period"),
            ));
        }
        let fields = d.validate()?;
        if let Some(existing) =
            dl::latest_revision_tx(&mut tx, project_id, &period.to_string()).await?
        {
            return Err(AppError::field(
                "period",
                format!(
                    "this period already has a report (revision {}, {}); {}",
                    existing.revision,
                    existing.state.label().to_lowercase(),
                    if existing.state == ReportState::Draft {
                        "edit that draft instead"
                    } else {
                        "revise it to correct it"
                    }
                ),
            ));
        }
        let mut r = StatusReport {
            id: Uuid::now_v7(),
            project_id,
            period,
            period_end: period_end(cycle, period),
            revision: 1,
            state: ReportState::Draft,
            schedule: Rag::Green,
            cost: Rag::Green,
            scope: Rag::Green,
            risk: Rag::Green,
            overall: Rag::Green,
            narrative: String::new(),
            figures: None,
            created_by: (!actor.user_id.is_nil()).then_some(actor.user_id),
            submitted_by: None,
            submitted_at: None,
            version: 1,
        };
        r.apply(fields);
        dl::insert_report(&mut tx, &r, self.now_micros())
            .await
            .map_err(|e| match e {
                StoreError::Unique(_) => AppError::field(
                    "period",
                    "a report for this period was just created by someone else; reload",
                ),
                other => other.into(),
            })?;
        audit::<(), _>(
            &mut tx,
            actor,
            "status_report",
            r.id,
            "create",
            None,
            Some(&r),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Saves a draft report; a submitted report is refused.
    pub async fn update_report(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &ReportDraft,
        expected: i64,
    ) -> Result<StatusReport> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = dl::get_report_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("status report"))?;
        self.project_tx(
            &mut tx,
            actor,
            before.project_id,
            Action::WriteStatusReport,
            mode,
        )
        .await?;
        check_version(before.version, expected)?;
        if before.state == ReportState::Submitted {
            return Err(submitted_error(&before));
        }
        let mut after = before.clone();
        after.apply(d.validate()?);
        after.version = expected + 1;
        dl::update_report(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "id", "report", "id"))?;
        audit(
            &mut tx,
            actor,
            "status_report",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn submit_report(
        &self,
        actor: &Actor,
        id: Uuid,
        expected: i64,
    ) -> Result<StatusReport> {
        self.submit_report_at(actor, id, expected, self.today())
            .await
    }

    /// Submits a draft on `today`: the narrative is required, and the plan's key figures at
    /// the period end (or `today` if earlier) are frozen into the report.
    pub async fn submit_report_at(
        &self,
        actor: &Actor,
        id: Uuid,
        expected: i64,
        today: Date,
    ) -> Result<StatusReport> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = dl::get_report_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("status report"))?;
        self.project_tx(
            &mut tx,
            actor,
            before.project_id,
            Action::WriteStatusReport,
            mode,
        )
        .await?;
        check_version(before.version, expected)?;
        if before.state == ReportState::Submitted {
            return Err(submitted_error(&before));
        }
        before.check_submittable()?;
        let status_date = before.status_date(today);
        let figures = crate::plan::key_figures_tx(&mut tx, before.project_id, status_date).await?;
        let now = self.now_micros();
        let after = StatusReport {
            state: ReportState::Submitted,
            figures: Some(snapshot(figures, status_date)),
            submitted_by: (!actor.user_id.is_nil()).then_some(actor.user_id),
            submitted_at: Some(now),
            version: expected + 1,
            ..before.clone()
        };
        dl::update_report(&mut tx, &after, now)
            .await
            .map_err(|e| map_write(e, before.version, "id", "report", "id"))?;
        audit(
            &mut tx,
            actor,
            "status_report",
            id,
            "submit",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Starts a correction of a submitted report: the next revision of the same period, a
    /// draft copied from the latest revision.
    pub async fn revise_report(&self, actor: &Actor, id: Uuid) -> Result<StatusReport> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let source = dl::get_report_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("status report"))?;
        self.project_tx(
            &mut tx,
            actor,
            source.project_id,
            Action::WriteStatusReport,
            mode,
        )
        .await?;
        if source.state != ReportState::Submitted {
            return Err(AppError::field(
                "state",
                "only a submitted report is revised; edit this draft instead",
            ));
        }
        let latest = dl::latest_revision_tx(&mut tx, source.project_id, &source.period.to_string())
            .await?
            .unwrap_or_else(|| source.clone());
        if latest.id != source.id {
            return Err(AppError::field(
                "revision",
                if latest.state == ReportState::Draft {
                    format!(
                        "revision {} of this period is already being drafted; edit it",
                        latest.revision
                    )
                } else {
                    format!(
                        "revision {} is the latest of this period; revise that one",
                        latest.revision
                    )
                },
            ));
        }
        let r = StatusReport {
            id: Uuid::now_v7(),
            revision: latest.revision + 1,
            state: ReportState::Draft,
            figures: None,
            created_by: (!actor.user_id.is_nil()).then_some(actor.user_id),
            submitted_by: None,
            submitted_at: None,
            version: 1,
            ..latest
        };
        dl::insert_report(&mut tx, &r, self.now_micros())
            .await
            .map_err(|e| match e {
                StoreError::Unique(_) => AppError::field(
                    "revision",
                    "another revision was just created by someone else; reload",
                ),
                other => other.into(),
            })?;
        audit(
            &mut tx,
            actor,
            "status_report",
            r.id,
            "revise",
            Some(&source),
            Some(&r),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Overdue reports on `today` among the projects the actor may see (see [`Overdue`]);
    /// `managed_by` keeps only the projects that user manages.
    pub async fn overdue_reports(
        &self,
        actor: &Actor,
        today: Date,
        managed_by: Option<Uuid>,
    ) -> Result<Overdue> {
        let cycle = self.reporting_cycle().await?;
        let period = previous_period(cycle, today);
        let end = period_end(cycle, period);
        let rows = dl::missing_reports(
            &self.db,
            &active_phases(),
            &period.to_string(),
            &end.to_string(),
            &visibility(actor),
            managed_by,
            MAX_ROWS,
        )
        .await?;
        let mode = self.mode().await?;
        let projects = rows
            .into_iter()
            .filter(|m: &MissingReport| {
                crate::permissions::allows(
                    actor,
                    Action::ReadDelivery,
                    &Placement {
                        portfolio: Some(m.portfolio_id),
                        program: m.program_id,
                        project: Some(m.id),
                    },
                    mode,
                )
            })
            .map(|m| OverdueProject {
                id: m.id,
                key: m.key,
                name: m.name,
                manager_id: m.manager_id,
            })
            .collect();
        Ok(Overdue {
            cycle,
            period,
            period_end: end,
            projects,
        })
    }

    /// The latest submitted report of every live project of a program or portfolio.
    pub async fn latest_reports(&self, actor: &Actor, within: Rollup) -> Result<Vec<LatestReport>> {
        let at = match within {
            Rollup::Program(id) => {
                let g = atrium_store::portfolio::get_program(&self.db, id)
                    .await?
                    .ok_or(AppError::NotFound("program"))?;
                Placement {
                    portfolio: Some(g.portfolio_id),
                    program: Some(id),
                    project: None,
                }
            }
            Rollup::Portfolio(id) => Placement {
                portfolio: Some(id),
                ..Default::default()
            },
        };
        let mode = self.mode().await?;
        let all = crate::permissions::allows(actor, Action::ReadDelivery, &at, mode);
        let rows = dl::latest_submitted(&self.db, within, MAX_ROWS).await?;
        let mut out = Vec::new();
        for (key, name, report) in rows {
            // Readers scoped below the program / portfolio see their own projects only.
            if !all {
                let Some(p) = project::get(&self.db, report.project_id).await? else {
                    continue;
                };
                if !crate::permissions::allows(actor, Action::ReadDelivery, &placement_of(&p), mode)
                {
                    continue;
                }
            }
            out.push(LatestReport {
                project_key: key,
                project_name: name,
                report,
            });
        }
        Ok(out)
    }

    // ----- issues, decisions, change requests -----

    async fn minutes_per_day(&self) -> Result<i64> {
        let h = self.settings().await?.calendar.hours_per_day();
        Ok(((h * 60.0).round() as i64).max(1))
    }

    pub async fn list_log(
        &self,
        actor: &Actor,
        project_id: Uuid,
        f: &LogFilter,
        sort: &str,
        desc: bool,
        page: Page,
    ) -> Result<Listed<LogEntry>> {
        self.delivery_project(actor, project_id, Action::ReadDelivery)
            .await?;
        Ok(dl::list_log(&self.db, project_id, f, sort, desc, page).await?)
    }

    pub async fn get_log(&self, actor: &Actor, id: Uuid) -> Result<LogEntry> {
        let e = dl::get_log(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("log entry"))?;
        self.delivery_project(actor, e.project_id, Action::ReadDelivery)
            .await?;
        Ok(e)
    }

    /// Raises an issue, records a decision or drafts a change request (numbered per project
    /// and kind).
    pub async fn create_log(
        &self,
        actor: &Actor,
        project_id: Uuid,
        kind: LogKind,
        d: &LogDraft,
    ) -> Result<LogEntry> {
        let mpd = self.minutes_per_day().await?;
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        self.project_tx(&mut tx, actor, project_id, Action::EditLog, mode)
            .await?;
        let f = d.validate(kind, mpd)?;
        let number = dl::next_log_number_tx(&mut tx, project_id, kind.as_str()).await?;
        let mut e = LogEntry {
            id: Uuid::now_v7(),
            project_id,
            kind,
            number,
            title: String::new(),
            description: None,
            owner_id: None,
            due: None,
            priority: atrium_core::delivery::Priority::Medium,
            status: kind.initial(),
            tasks: vec![],
            impact: None,
            decision: None,
            version: 1,
        };
        e.apply(f);
        dl::insert_log(&mut tx, &e, self.now_micros())
            .await
            .map_err(|err| match err {
                StoreError::Unique(_) => AppError::Stale { current: 0 },
                other => map_write(other, 0, "title", "entry", "owner_id"),
            })?;
        audit::<(), _>(&mut tx, actor, "log_entry", e.id, "create", None, Some(&e)).await?;
        tx.commit().await?;
        Ok(e)
    }

    pub async fn update_log(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &LogDraft,
        expected: i64,
    ) -> Result<LogEntry> {
        let mpd = self.minutes_per_day().await?;
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = dl::get_log_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("log entry"))?;
        self.project_tx(&mut tx, actor, before.project_id, Action::EditLog, mode)
            .await?;
        check_version(before.version, expected)?;
        if before.is_final() {
            return Err(AppError::field(
                "status",
                format!(
                    "{} was {}; a decided change request can no longer be edited (raise a new one)",
                    before.reference(),
                    before.status.label().to_lowercase()
                ),
            ));
        }
        let f = d.validate(before.kind, mpd)?;
        let mut after = before.clone();
        after.apply(f);
        after.version = expected + 1;
        dl::update_log(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "title", "entry", "owner_id"))?;
        audit(
            &mut tx,
            actor,
            "log_entry",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Approves or rejects a submitted change request. Approval applies its impact in the
    /// same transaction: the project budget grows by the cost impact (the project's version
    /// is bumped and the change audited) and the task's duration changes by the schedule
    /// impact (through the plan). Rejection applies nothing.
    pub async fn decide_change(
        &self,
        actor: &Actor,
        id: Uuid,
        approve: bool,
        comment: &str,
        expected: i64,
    ) -> Result<LogEntry> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = dl::get_log_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("log entry"))?;
        let project = self
            .project_tx(
                &mut tx,
                actor,
                before.project_id,
                Action::DecideChange,
                mode,
            )
            .await?;
        check_version(before.version, expected)?;
        if before.kind != LogKind::Change {
            return Err(AppError::field(
                "kind",
                "only change requests are approved or rejected",
            ));
        }
        if before.status != LogStatus::Submitted {
            return Err(AppError::field(
                "status",
                format!(
                    "only a submitted change request can be decided ({} is {})",
                    before.reference(),
                    before.status.label().to_lowercase()
                ),
            ));
        }
        let mut v = atrium_core::Validation::new();
        let comment = v.text("comment", comment, limits::NOTE);
        v.finish(())?;
        let now = self.now_micros();
        if approve {
            let impact = before.impact.clone().unwrap_or_default();
            if let Some(cost) = impact.cost.filter(|c| c.0 != 0) {
                let budget = project.budget.0.checked_add(cost.0).unwrap_or(i64::MAX);
                if !(0..=MAX_MINOR).contains(&budget) {
                    return Err(AppError::Validation(vec![FieldError {
                        field: "cost".into(),
                        message: format!(
                            "applying {} {} to the budget of {} {} would leave it outside 0 to {}",
                            cost.format(),
                            project.currency,
                            project.budget.format(),
                            project.currency,
                            Minor(MAX_MINOR).format()
                        ),
                    }]));
                }
                let after = Project {
                    budget: Minor(budget),
                    version: project.version + 1,
                    ..project.clone()
                };
                project::update(&mut tx, &after, now)
                    .await
                    .map_err(|e| map_write(e, project.version, "key", "project", "id"))?;
                audit(
                    &mut tx,
                    actor,
                    "project",
                    project.id,
                    "change_applied",
                    Some(&project),
                    Some(&after),
                )
                .await?;
            }
            if let Some(s) = &impact.schedule {
                crate::plan::apply_duration_change_tx(
                    &mut tx,
                    project.id,
                    s.task_uid,
                    s.delta_minutes,
                    "schedule_task",
                )
                .await?;
            }
        }
        let after = LogEntry {
            status: if approve {
                LogStatus::Approved
            } else {
                LogStatus::Rejected
            },
            decision: Some(ChangeDecision {
                approved: approve,
                comment,
                by: (!actor.user_id.is_nil()).then_some(actor.user_id),
                by_name: actor.name.clone(),
                at: now,
            }),
            version: expected + 1,
            ..before.clone()
        };
        dl::update_log(&mut tx, &after, now)
            .await
            .map_err(|e| map_write(e, before.version, "title", "entry", "owner_id"))?;
        audit(
            &mut tx,
            actor,
            "log_entry",
            id,
            if approve { "approve" } else { "reject" },
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- lessons learned -----

    /// A project's lessons (empty, version 0, until first recorded).
    pub async fn get_lessons(&self, actor: &Actor, project_id: Uuid) -> Result<Lessons> {
        self.delivery_project(actor, project_id, Action::ReadDelivery)
            .await?;
        Ok(dl::get_lessons(&self.db, project_id)
            .await?
            .unwrap_or_else(|| Lessons {
                project_id,
                ..Default::default()
            }))
    }

    /// Records or changes a project's lessons; `expected` is the version read (0 = none yet).
    pub async fn put_lessons(
        &self,
        actor: &Actor,
        project_id: Uuid,
        d: &LessonsDraft,
        expected: i64,
    ) -> Result<Lessons> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        self.project_tx(&mut tx, actor, project_id, Action::RecordLessons, mode)
            .await?;
        let before = dl::get_lessons_tx(&mut tx, project_id).await?;
        check_version(before.as_ref().map_or(0, |l| l.version), expected)?;
        let after = d.validate(project_id, expected + 1)?;
        dl::put_lessons(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, expected, "tags", "lessons", "project_id"))?;
        audit(
            &mut tx,
            actor,
            "lessons",
            project_id,
            if before.is_some() { "update" } else { "create" },
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// Demo data: a few status reports, log entries and lessons for the first projects (inside
/// the demo loader's transaction; written directly, audited by the loader's summary).
pub(crate) async fn seed_demo(
    tx: &mut Tx,
    projects: &[Project],
    cycle: ReportingCycle,
    today: Date,
    now: i64,
) -> Result<usize> {
    use atrium_core::delivery::{ChangeImpact, Priority};
    let mut written = 0;
    let prev = previous_period(cycle, today);
    let before_prev = previous_period(cycle, prev);
    let active: Vec<&Project> = projects
        .iter()
        .filter(|p| p.phase.is_active() && !p.archived)
        .collect();
    // Every other active project reported last period; a few reported the one before only
    // (so the overdue list is not empty).
    for (i, p) in active.iter().take(40).enumerate() {
        let period = if i % 4 == 3 { before_prev } else { prev };
        let r = StatusReport {
            id: Uuid::now_v7(),
            project_id: p.id,
            period,
            period_end: period_end(cycle, period),
            revision: 1,
            state: ReportState::Submitted,
            schedule: p.status,
            cost: if i % 3 == 0 { Rag::Amber } else { Rag::Green },
            scope: Rag::Green,
            risk: if p.status == Rag::Red {
                Rag::Red
            } else {
                Rag::Amber
            },
            overall: p.status,
            narrative: format!(
                "{}. Next period: continue {} work; watch the open issues.",
                p.status_note.clone().unwrap_or_else(|| "On track".into()),
                p.phase.label().to_lowercase()
            ),
            figures: Some(FigureSnapshot {
                status_date: Some(period_end(cycle, period).min(today)),
                ..Default::default()
            }),
            created_by: p.manager_id,
            submitted_by: p.manager_id,
            submitted_at: Some(now),
            version: 2,
        };
        dl::insert_report(tx, &r, now).await?;
        written += 1;
    }
    for p in active.iter().take(12) {
        let entries = [
            (
                LogKind::Issue,
                "Key supplier late on deliverables",
                Priority::High,
                LogStatus::Open,
                None,
            ),
            (
                LogKind::Decision,
                "Use the standard cloud landing zone",
                Priority::Medium,
                LogStatus::Made,
                None,
            ),
            (
                LogKind::Change,
                "Add accessibility audit before go-live",
                Priority::Medium,
                LogStatus::Submitted,
                Some(ChangeImpact {
                    schedule: None,
                    cost: Some(Minor(1_500_000)),
                    scope: Some("WCAG 2.2 AA audit of every public page".into()),
                }),
            ),
        ];
        for (kind, title, priority, status, impact) in entries {
            let e = LogEntry {
                id: Uuid::now_v7(),
                project_id: p.id,
                kind,
                number: 1,
                title: title.into(),
                description: None,
                owner_id: p.manager_id,
                due: today.checked_add(jiff::Span::new().days(14)).ok(),
                priority,
                status,
                tasks: vec![],
                impact,
                decision: None,
                version: 1,
            };
            dl::insert_log(tx, &e, now).await?;
            written += 1;
        }
    }
    for p in projects
        .iter()
        .filter(|p| p.phase == Phase::Closed)
        .take(10)
    {
        let l = Lessons {
            project_id: p.id,
            went_well: "Early involvement of operations made the hand-over smooth.".into(),
            went_badly: "Vendor onboarding took longer than planned.".into(),
            recommendations: "Start vendor onboarding during initiation.".into(),
            tags: vec!["vendor".into(), "hand-over".into()],
            version: 1,
        };
        dl::put_lessons(tx, &l, now).await?;
        written += 1;
    }
    Ok(written)
}
