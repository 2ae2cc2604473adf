//! Timesheets and templates. A team member logs hours per task per day on a project and
//! submits the week; a project manager approves (the hours become the tasks' actual work and
//! cost, and their progress) or rejects it with a comment. Templates capture a plan's
//! breakdown with role placeholders; a project can be started from one at a date.

use crate::permissions::{Action, allows, authorize};
use crate::plan::{PlanOp, work_and_cost};
use crate::records::{check_version, map_write, placement_of};
use crate::{Actor, App, AppError, Result, audit};
use atrium_core::plan::Plan;
use atrium_core::project::{Project, ProjectDraft};
use atrium_core::timesheet::{
    Template, TemplateDraft, Timesheet, TimesheetDraft, TimesheetState, is_week_start,
};
use atrium_store::plan as sp;
use atrium_store::project;
use jiff::civil::Date;
use serde::Serialize;
use uuid::Uuid;

/// A leaf task one may log time on.
#[derive(Debug, Clone, Serialize)]
pub struct LoggableTask {
    pub uid: u32,
    pub name: String,
    /// Assigned to the caller.
    pub mine: bool,
}

/// The caller's week on a project.
#[derive(Debug, Clone, Serialize)]
pub struct MyWeek {
    pub week_start: Date,
    pub person_id: Option<Uuid>,
    pub timesheet: Option<Timesheet>,
    pub tasks: Vec<LoggableTask>,
}

/// A timesheet with the names a list shows.
#[derive(Debug, Clone, Serialize)]
pub struct TimesheetRow {
    pub timesheet: Timesheet,
    pub person: String,
    pub hours: f64,
}

fn leaf_tasks(plan: &Plan, person: Option<Uuid>) -> Vec<LoggableTask> {
    let mut out: Vec<LoggableTask> = plan
        .tasks
        .iter()
        .enumerate()
        .filter(|(i, t)| !plan.is_summary(*i) && !t.milestone)
        .map(|(_, t)| LoggableTask {
            uid: t.uid,
            name: t.name.clone(),
            mine: person.is_some_and(|p| t.assignments.iter().any(|a| a.person_id == p)),
        })
        .collect();
    out.sort_by_key(|t| !t.mine);
    out
}

fn check_week(week: Date) -> Result<()> {
    if is_week_start(week) {
        Ok(())
    } else {
        Err(AppError::field("week", "must be a Monday"))
    }
}

impl App {
    /// The caller's timesheet for `week` on a project (none yet is fine) and the tasks they
    /// may log on.
    pub async fn my_week(&self, actor: &Actor, project_id: Uuid, week: Date) -> Result<MyWeek> {
        check_week(week)?;
        let mode = self.mode().await?;
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(actor, Action::ReadPlan, &placement_of(&p), mode)?;
        let person = sp::person_of_user(&self.db, actor.user_id).await?;
        let plan = sp::get_plan(&self.db, project_id).await?;
        let timesheet = match &person {
            Some((id, ..)) => {
                sp::find_timesheet(&self.db, *id, project_id, &week.to_string()).await?
            }
            None => None,
        };
        Ok(MyWeek {
            week_start: week,
            person_id: person.as_ref().map(|p| p.0),
            tasks: plan
                .as_ref()
                .map(|pl| leaf_tasks(pl, person.as_ref().map(|p| p.0)))
                .unwrap_or_default(),
            timesheet,
        })
    }

    /// Saves the caller's hours for `week` (creating the timesheet), and submits it when
    /// `submit`. `expected` is the version read (0 = none yet).
    pub async fn save_my_week(
        &self,
        actor: &Actor,
        project_id: Uuid,
        week: Date,
        draft: &TimesheetDraft,
        expected: i64,
        submit: bool,
    ) -> Result<Timesheet> {
        check_week(week)?;
        let mode = self.mode().await?;
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(actor, Action::LogTime, &placement_of(&p), mode)?;
        let (person, ..) = sp::person_of_user(&self.db, actor.user_id)
            .await?
            .ok_or_else(|| {
                AppError::field(
                    "week",
                    "your account is not linked to a person in the resource pool; ask the resource manager",
                )
            })?;
        let plan = sp::get_plan(&self.db, project_id)
            .await?
            .ok_or_else(|| AppError::field("week", "this project has no plan to log time on"))?;
        let entries = draft
            .validate(|uid| {
                plan.index_of(uid)
                    .is_some_and(|i| !plan.is_summary(i) && !plan.tasks[i].milestone)
            })
            .map_err(AppError::Validation)?;
        if submit && entries.is_empty() {
            return Err(AppError::field(
                "week",
                "enter some hours before submitting",
            ));
        }
        let mut tx = self.db.begin().await?;
        let existing =
            sp::find_timesheet_tx(&mut tx, person, project_id, &week.to_string()).await?;
        let now = self.now_micros();
        let state = if submit {
            TimesheetState::Submitted
        } else {
            TimesheetState::Draft
        };
        let t = match existing {
            Some(before) => {
                check_version(before.version, expected)?;
                if !before.state.editable() {
                    return Err(AppError::field(
                        "week",
                        format!(
                            "this week is {} and can no longer be changed",
                            before.state.label().to_lowercase()
                        ),
                    ));
                }
                let after = Timesheet {
                    entries,
                    state,
                    version: before.version + 1,
                    ..before.clone()
                };
                sp::update_timesheet(&mut tx, &after, now)
                    .await
                    .map_err(|e| map_write(e, before.version, "week", "timesheet", "week"))?;
                audit(
                    &mut tx,
                    actor,
                    "timesheet",
                    after.id,
                    if submit { "submit" } else { "update" },
                    Some(&before),
                    Some(&after),
                )
                .await?;
                after
            }
            None => {
                check_version(0, expected)?;
                let t = Timesheet {
                    id: Uuid::now_v7(),
                    person_id: person,
                    project_id,
                    week_start: week,
                    state,
                    entries,
                    comment: None,
                    decided_by: None,
                    version: 1,
                };
                sp::insert_timesheet(&mut tx, &t, now)
                    .await
                    .map_err(|e| map_write(e, 0, "week", "timesheet for this week", "week"))?;
                audit::<(), _>(
                    &mut tx,
                    actor,
                    "timesheet",
                    t.id,
                    if submit { "submit" } else { "create" },
                    None,
                    Some(&t),
                )
                .await?;
                t
            }
        };
        tx.commit().await?;
        Ok(t)
    }

    /// Timesheets of a project (newest first) for those who approve them; `state` filters.
    pub async fn project_timesheets(
        &self,
        actor: &Actor,
        project_id: Uuid,
        state: Option<TimesheetState>,
    ) -> Result<Vec<TimesheetRow>> {
        let mode = self.mode().await?;
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(actor, Action::ApproveTimesheet, &placement_of(&p), mode)?;
        let list = sp::project_timesheets(&self.db, project_id, state, 200).await?;
        let mut out = Vec::with_capacity(list.len());
        let mut names: std::collections::HashMap<Uuid, String> = std::collections::HashMap::new();
        let mut tx = self.db.begin().await?;
        for t in list {
            // One lookup per person, not per week.
            let person = match names.get(&t.person_id) {
                Some(n) => n.clone(),
                None => {
                    let n = sp::person_rate_tx(&mut tx, t.person_id)
                        .await?
                        .map_or_else(|| "?".into(), |p| p.0);
                    names.insert(t.person_id, n.clone());
                    n
                }
            };
            out.push(TimesheetRow {
                hours: t.total_minutes() as f64 / 60.0,
                person,
                timesheet: t,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Whether the caller may approve timesheets of this project.
    pub async fn can_approve_timesheets(&self, actor: &Actor, p: &Project) -> Result<bool> {
        Ok(allows(
            actor,
            Action::ApproveTimesheet,
            &placement_of(p),
            self.mode().await?,
        ))
    }

    /// Approves or rejects a submitted timesheet. Approval adds its hours to the tasks'
    /// actual work and cost (at the person's rate), sets actual starts and raises % complete
    /// to the share of work done (below 100 % until someone marks the task finished).
    pub async fn decide_timesheet(
        &self,
        actor: &Actor,
        id: Uuid,
        approve: bool,
        comment: Option<String>,
        expected: i64,
    ) -> Result<Timesheet> {
        let comment = comment
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        if !approve && comment.is_none() {
            return Err(AppError::field("comment", "say why the week is rejected"));
        }
        if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
            return Err(AppError::field("comment", "at most 2,000 characters"));
        }
        let mut tx = self.db.begin().await?;
        let before = sp::get_timesheet_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("timesheet"))?;
        let s = self.settings().await?;
        let p = project::get_tx(&mut tx, before.project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(
            actor,
            Action::ApproveTimesheet,
            &placement_of(&p),
            s.operating_mode,
        )?;
        check_version(before.version, expected)?;
        if before.state != TimesheetState::Submitted {
            return Err(AppError::field(
                "state",
                format!(
                    "only a submitted week can be decided (this one is {})",
                    before.state.label().to_lowercase()
                ),
            ));
        }
        let after = Timesheet {
            state: if approve {
                TimesheetState::Approved
            } else {
                TimesheetState::Rejected
            },
            comment,
            decided_by: Some(actor.user_id),
            version: before.version + 1,
            ..before.clone()
        };
        sp::update_timesheet(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "state", "timesheet", "state"))?;
        if approve {
            let mut plan = sp::get_plan_tx(&mut tx, before.project_id)
                .await?
                .ok_or(AppError::NotFound("plan"))?;
            let rate = sp::person_rate_tx(&mut tx, before.person_id)
                .await?
                .map_or(0, |p| p.1);
            let mut people = crate::plan::People::new();
            people.insert(before.person_id, crate::plan::Rate::flat("", rate));
            let changes: Vec<(Date, i64)> =
                atrium_store::people::rate_changes_tx(&mut tx, before.person_id)
                    .await?
                    .into_iter()
                    .filter_map(|(d, r)| Some((d.parse::<Date>().ok()?, r)))
                    .collect();
            let rate_on = |day: Date| {
                changes
                    .iter()
                    .rev()
                    .find(|(from, _)| *from <= day)
                    .map_or(rate, |c| c.1)
            };
            for e in &before.entries {
                let Some(i) = plan.index_of(e.task_uid) else {
                    continue;
                };
                let minutes: i64 = e.minutes.iter().map(|&m| i64::from(m)).sum();
                let first_day = e.minutes.iter().position(|&m| m > 0).unwrap_or(0);
                let day = before
                    .week_start
                    .checked_add(jiff::Span::new().days(first_day as i64))
                    .unwrap_or(before.week_start);
                let (work, _) = work_and_cost(&plan.tasks[i], &people);
                let t = &mut plan.tasks[i];
                t.actual_work += minutes;
                let cost: i128 = e
                    .minutes
                    .iter()
                    .enumerate()
                    .map(|(d, &m)| {
                        let day = before
                            .week_start
                            .checked_add(jiff::Span::new().days(d as i64))
                            .unwrap_or(before.week_start);
                        i128::from(m) * i128::from(rate_on(day)) / 60
                    })
                    .sum();
                t.actual_cost += cost as i64;
                if t.actual_start.is_none_or(|s| s > day) {
                    t.actual_start = Some(day);
                }
                let planned = work.max(t.duration).max(1);
                let pct = (t.actual_work * 100 / planned).clamp(0, 99) as u8;
                if t.percent_complete < 100 && pct > t.percent_complete {
                    t.percent_complete = pct;
                }
            }
            plan.version += 1;
            sp::put_plan(&mut tx, &plan, self.now_micros()).await?;
        }
        audit(
            &mut tx,
            actor,
            "timesheet",
            id,
            if approve { "approve" } else { "reject" },
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ---- templates ---------------------------------------------------------------------------

    pub async fn list_templates(&self, _actor: &Actor) -> Result<Vec<Template>> {
        Ok(sp::list_templates(&self.db).await?)
    }

    pub async fn get_template(&self, _actor: &Actor, id: Uuid) -> Result<Template> {
        sp::get_template(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("template"))
    }

    /// Saves a project's plan as a template: breakdown, durations, local links, role
    /// placeholders (each assignee's job role) and a checklist; no dates, progress or costs.
    pub async fn save_template(
        &self,
        actor: &Actor,
        project_id: Uuid,
        d: &TemplateDraft,
    ) -> Result<Template> {
        let (name, description, checklist) = d.validate().map_err(AppError::Validation)?;
        let mode = self.mode().await?;
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(actor, Action::ManageTemplates, &placement_of(&p), mode)?;
        authorize(actor, Action::ReadPlan, &placement_of(&p), mode)?;
        let plan = sp::get_plan(&self.db, project_id)
            .await?
            .ok_or_else(|| AppError::field("name", "the project has no plan to save"))?;
        let mut tx = self.db.begin().await?;
        if sp::template_name_taken_tx(&mut tx, &name).await? {
            return Err(AppError::field("name", "a template with this name exists"));
        }
        let mut tasks = plan.tasks.clone();
        for t in &mut tasks {
            let mut role = None;
            if let Some(a) = t.assignments.first()
                && let Some(person) = atrium_store::people::get(&self.db, a.person_id).await?
            {
                role = Some(person.job_role);
            }
            t.role = role.or(t.role.take());
            t.assignments.clear();
            t.baselines.clear();
            t.percent_complete = 0;
            t.actual_start = None;
            t.actual_finish = None;
            t.actual_work = 0;
            t.actual_cost = 0;
            t.constraint = atrium_core::plan::Constraint::Asap;
            t.constraint_date = None;
            t.deadline = None;
        }
        let t = Template {
            id: Uuid::now_v7(),
            name,
            description,
            tasks,
            links: plan
                .links
                .iter()
                .filter(|l| l.pred_project.is_none())
                .cloned()
                .collect(),
            checklist,
            source_project: Some(project_id),
            version: 1,
        };
        sp::insert_template(&mut tx, &t, self.now_micros())
            .await
            .map_err(|e| map_write(e, 0, "name", "template", "name"))?;
        audit::<(), _>(
            &mut tx,
            actor,
            "template",
            t.id,
            "create",
            None,
            Some(&serde_json::json!({"name": t.name, "tasks": t.tasks.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Deletes a template (projects made from it keep their plans).
    pub async fn delete_template(&self, actor: &Actor, id: Uuid) -> Result<()> {
        authorize(
            actor,
            Action::ManageTemplates,
            &atrium_core::identity::Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let mut tx = self.db.begin().await?;
        let t = sp::get_template_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("template"))?;
        sp::delete_template(&mut tx, id).await?;
        audit::<_, ()>(
            &mut tx,
            actor,
            "template",
            id,
            "delete",
            Some(&serde_json::json!({"name": t.name})),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates a project from a template: the project record and a plan starting on
    /// `start`, in one transaction.
    pub async fn create_from_template(
        &self,
        actor: &Actor,
        template_id: Uuid,
        d: &ProjectDraft,
        start: Date,
    ) -> Result<Project> {
        let t = self.get_template(actor, template_id).await?;
        // Project and plan in one transaction: either both exist or neither.
        let mut tx = self.db.begin().await?;
        let p = self.create_project_tx(&mut tx, actor, d).await?;
        let mut plan = Plan::empty(p.id, start);
        plan.tasks = t.tasks.clone();
        plan.links = t.links.clone();
        plan.next_uid = t.tasks.iter().map(|t| t.uid).max().unwrap_or(0) + 1;
        self.edit_plan_tx(
            &mut tx,
            actor,
            p.id,
            Some(0),
            PlanOp::Replace(Box::new(plan)),
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }
}

/// A task assigned to the caller, for their home page.
#[derive(Debug, Clone, Serialize)]
pub struct MyTask {
    pub project_id: Uuid,
    pub project_key: String,
    pub uid: u32,
    pub name: String,
    pub start: Date,
    pub finish: Date,
    pub percent_complete: u8,
}

impl App {
    /// Unfinished tasks assigned to the caller (through their person in the pool) on
    /// projects they may read, soonest first.
    pub async fn my_tasks(&self, actor: &Actor, limit: usize) -> Result<Vec<MyTask>> {
        let Some((person, ..)) = sp::person_of_user(&self.db, actor.user_id).await? else {
            return Ok(Vec::new());
        };
        let s = self.settings().await?;
        let wt = crate::plan::WorkTime::of(&s.calendar);
        let mut out = Vec::new();
        for plan in sp::plans_mentioning(&self.db, person).await? {
            let Some(p) = project::get(&self.db, plan.project_id).await? else {
                continue;
            };
            if p.archived || !allows(actor, Action::ReadPlan, &placement_of(&p), s.operating_mode) {
                continue;
            }
            let cross = sp::cross_links_into(&self.db, p.id).await?;
            let c = crate::plan::compute(&plan, &wt, &cross, &crate::plan::People::new());
            for (i, t) in plan.tasks.iter().enumerate() {
                if t.percent_complete < 100
                    && !c.summary[i]
                    && t.assignments.iter().any(|a| a.person_id == person)
                {
                    out.push(MyTask {
                        project_id: p.id,
                        project_key: p.key.clone(),
                        uid: t.uid,
                        name: t.name.clone(),
                        start: crate::plan::civil(c.start[i]),
                        finish: crate::plan::civil(c.finish[i]),
                        percent_complete: t.percent_complete,
                    });
                }
            }
        }
        out.sort_by_key(|t| (t.finish, t.start));
        out.truncate(limit);
        Ok(out)
    }

    /// Projects with timesheets waiting for the caller's approval: (project, count).
    pub async fn timesheets_waiting(&self, actor: &Actor) -> Result<Vec<(Project, i64)>> {
        let mode = self.mode().await?;
        let mut out = Vec::new();
        for (id, n) in sp::submitted_counts(&self.db).await? {
            if let Some(p) = project::get(&self.db, id).await?
                && allows(actor, Action::ApproveTimesheet, &placement_of(&p), mode)
            {
                out.push((p, n));
            }
        }
        out.sort_by(|a, b| a.0.key.cmp(&b.0.key));
        Ok(out)
    }
}
