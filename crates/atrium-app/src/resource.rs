//! Resource management use cases: absences, resource requests (request → propose → commit or
//! reject) with their time-phased allocations, and the demand plans put on people.
//!
//! The capacity views (heat map, conflicts, utilization, skill gaps, what-if) are in
//! `capacity.rs`; this module holds the writes.

use crate::permissions::{Action, allows, authorize, visibility};
use crate::plan::{Computed, WorkTime, civil};
use crate::records::{Listed, check_version, map_write, placement_of};
use crate::{Actor, App, AppError, Result, audit};
use atrium_core::identity::Placement;
use atrium_core::plan::Plan;
use atrium_core::resource::{
    Absence, AbsenceDraft, Allocation, Person, RequestDraft, RequestState, ResourceRequest,
    month_phases, parse_hours_per_week,
};
use atrium_store::project;
use atrium_store::resource::{self as rs, PlanDemand, RequestFilter};
use atrium_store::{Page, Tx, people};
use uuid::Uuid;

/// What the request page needs: the request, its project, the people involved and what the
/// caller may do with it.
#[derive(Debug, Clone)]
pub struct RequestDetail {
    pub request: ResourceRequest,
    pub project_key: String,
    pub project_name: String,
    pub person: Option<Person>,
    pub allocations: Vec<Allocation>,
    pub can_allocate: bool,
    /// The requester may cancel an open request or accept a proposed person.
    pub can_respond: bool,
}

/// One step of the request workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestStep {
    /// The resource manager proposes a person (request stays open).
    Propose(Uuid),
    /// Commit: with a person (resource manager) or the proposed one (requester or manager).
    Commit(Option<Uuid>),
    /// The resource manager rejects, with a reason.
    Reject(String),
    /// The requester withdraws an open request, with a reason.
    Cancel(String),
}

impl RequestStep {
    fn name(&self) -> &'static str {
        match self {
            RequestStep::Propose(_) => "propose",
            RequestStep::Commit(_) => "commit",
            RequestStep::Reject(_) => "reject",
            RequestStep::Cancel(_) => "cancel",
        }
    }
}

/// Work a plan puts on people, one row per assignment of an unfinished task: the
/// assignment's units of a working day on every working day from the task's start to its
/// finish.
pub(crate) fn plan_demand(
    project_id: Uuid,
    plan: &Plan,
    c: &Computed,
    wt: &WorkTime,
) -> Vec<PlanDemand> {
    let mut out = Vec::new();
    for (i, t) in plan.tasks.iter().enumerate() {
        if c.summary.get(i).copied().unwrap_or(true) || t.percent_complete >= 100 {
            continue;
        }
        let (Some(&s), Some(&f)) = (c.start.get(i), c.finish.get(i)) else {
            continue;
        };
        if f <= s {
            continue;
        }
        // A task finishing at the start of a day works up to the previous one.
        let finish = civil(f - 1);
        for a in &t.assignments {
            let mpd = wt.minutes_per_day * i64::from(a.units) / 100;
            if mpd <= 0 {
                continue;
            }
            out.push(PlanDemand {
                project_id,
                person_id: a.person_id,
                task_uid: t.uid,
                start: civil(s),
                finish,
                minutes_per_day: i32::try_from(mpd).unwrap_or(i32::MAX),
                total_float: c.total_float.get(i).copied().unwrap_or(0),
            });
        }
    }
    out
}

/// Refreshes what a saved plan asks of people (same transaction as the save).
pub(crate) async fn refresh_plan_demand(
    tx: &mut Tx,
    project_id: Uuid,
    plan: &Plan,
    c: &Computed,
    wt: &WorkTime,
) -> Result<()> {
    rs::replace_plan_demand(tx, project_id, &plan_demand(project_id, plan, c, wt)).await?;
    Ok(())
}

impl App {
    // ----- absences -----

    pub async fn list_absences(&self, actor: &Actor, person: Uuid) -> Result<Vec<Absence>> {
        self.get_person(actor, person).await?;
        Ok(rs::absences_of(&self.db, person).await?)
    }

    pub async fn add_absence(
        &self,
        actor: &Actor,
        person: Uuid,
        d: &AbsenceDraft,
    ) -> Result<Absence> {
        authorize(
            actor,
            Action::ManagePeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        people::get(&self.db, person)
            .await?
            .ok_or(AppError::NotFound("person"))?;
        let a = d.validate(Uuid::now_v7(), person)?;
        let mut tx = self.db.begin().await?;
        rs::insert_absence(&mut tx, &a, self.now_micros()).await?;
        audit::<(), _>(&mut tx, actor, "absence", a.id, "create", None, Some(&a)).await?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn delete_absence(&self, actor: &Actor, person: Uuid, id: Uuid) -> Result<()> {
        authorize(
            actor,
            Action::ManagePeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let mut tx = self.db.begin().await?;
        let before = rs::delete_absence(&mut tx, person, id)
            .await?
            .ok_or(AppError::NotFound("absence"))?;
        audit::<_, ()>(&mut tx, actor, "absence", id, "delete", Some(&before), None).await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- requests -----

    /// A full working week in minutes (the organization's calendar): what 100 % means.
    async fn full_week_minutes(&self) -> Result<i32> {
        let s = self.settings().await?;
        let days = s.calendar.working_days.iter().filter(|d| **d).count() as i32;
        let day = i32::from(s.calendar.day_end.saturating_sub(s.calendar.day_start));
        Ok((days * day).max(60))
    }

    pub async fn create_request(
        &self,
        actor: &Actor,
        project_id: Uuid,
        d: &RequestDraft,
    ) -> Result<ResourceRequest> {
        let mode = self.mode().await?;
        let week = self.full_week_minutes().await?;
        let mut tx = self.db.begin().await?;
        let p = self
            .project_tx(&mut tx, actor, project_id, Action::RequestResource, mode)
            .await?;
        if p.archived {
            return Err(AppError::field(
                "project",
                "is archived; restore it to request people",
            ));
        }
        let mut r = d.validate(Uuid::now_v7(), project_id, week)?;
        r.requested_by = Some(actor.user_id);
        rs::insert_request(&mut tx, &r, self.now_micros())
            .await
            .map_err(|e| map_write(e, 0, "job_role", "request", "project"))?;
        audit::<(), _>(
            &mut tx,
            actor,
            "resource_request",
            r.id,
            "create",
            None,
            Some(&r),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Requests the caller may see: everything with [`Action::ReadCapacity`] on the
    /// organization, else those of the projects in their scope; `line_manager` narrows the
    /// list to requests for a line manager's people (anyone may see those of their own).
    pub async fn list_requests(
        &self,
        actor: &Actor,
        mut f: RequestFilter,
        sort: &str,
        desc: bool,
        page: Page,
    ) -> Result<Listed<ResourceRequest>> {
        let mode = self.mode().await?;
        if let Some(m) = f.line_manager {
            let mine = atrium_store::plan::person_of_user(&self.db, actor.user_id)
                .await?
                .map(|p| p.0);
            if mine != Some(m) {
                authorize(
                    actor,
                    Action::AllocateResource,
                    &Placement::ORGANIZATION,
                    mode,
                )?;
            }
        } else {
            authorize(actor, Action::ReadCapacity, &Placement::ORGANIZATION, mode)?;
            f.visibility = visibility(actor);
        }
        Ok(rs::list_requests(&self.db, &f, sort, desc, page).await?)
    }

    async fn readable_request(&self, actor: &Actor, id: Uuid) -> Result<RequestDetail> {
        let r = rs::get_request(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("request"))?;
        let p = project::get(&self.db, r.project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        let mode = self.mode().await?;
        let at = placement_of(&p);
        let can_allocate = allows(actor, Action::AllocateResource, &at, mode);
        let can_respond = allows(actor, Action::RequestResource, &at, mode);
        let person = match r.person_id {
            Some(id) => people::get(&self.db, id).await?,
            None => None,
        };
        let manages = match &person {
            Some(p) => {
                let mine = atrium_store::plan::person_of_user(&self.db, actor.user_id)
                    .await?
                    .map(|x| x.0);
                p.line_manager_id.is_some() && p.line_manager_id == mine
            }
            None => false,
        };
        if !(can_allocate
            || can_respond
            || manages
            || allows(actor, Action::ReadCapacity, &at, mode)
                && allows(actor, Action::ReadRecords, &at, mode))
        {
            return Err(AppError::NotFound("request"));
        }
        Ok(RequestDetail {
            allocations: rs::allocations_of_request(&self.db, id).await?,
            project_key: p.key,
            project_name: p.name,
            person,
            can_allocate,
            can_respond,
            request: r,
        })
    }

    pub async fn get_request(&self, actor: &Actor, id: Uuid) -> Result<RequestDetail> {
        self.readable_request(actor, id).await
    }

    /// Moves a request through its workflow; committing writes one allocation per month of
    /// the period. One transaction, audited.
    pub async fn request_step(
        &self,
        actor: &Actor,
        id: Uuid,
        expected: i64,
        step: RequestStep,
    ) -> Result<ResourceRequest> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = rs::get_request_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("request"))?;
        let p = project::get_tx(&mut tx, before.project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        let at = placement_of(&p);
        let allocator = allows(actor, Action::AllocateResource, &at, mode);
        let requester = allows(actor, Action::RequestResource, &at, mode);
        check_version(before.version, expected)?;
        let mut r = before.clone();
        r.version += 1;
        let state = before.state;
        let closed = || {
            AppError::field(
                "state",
                format!(
                    "the request is {}; only open requests can change",
                    state.label().to_lowercase()
                ),
            )
        };
        match &step {
            RequestStep::Propose(person) => {
                if !allocator {
                    return Err(AppError::Forbidden);
                }
                if !state.is_open() {
                    return Err(closed());
                }
                self.check_person(*person, "person_id").await?;
                r.person_id = Some(*person);
                r.state = RequestState::Proposed;
            }
            RequestStep::Commit(person) => {
                if !state.is_open() {
                    return Err(closed());
                }
                match person {
                    Some(person) => {
                        if !allocator {
                            return Err(AppError::Forbidden);
                        }
                        self.check_person(*person, "person_id").await?;
                        r.person_id = Some(*person);
                    }
                    None => {
                        if !(allocator || requester) {
                            return Err(AppError::Forbidden);
                        }
                        if r.person_id.is_none() || state != RequestState::Proposed {
                            return Err(AppError::field(
                                "person_id",
                                "choose the person to commit (no one has been proposed yet)",
                            ));
                        }
                    }
                }
                r.state = RequestState::Committed;
            }
            RequestStep::Reject(reason) | RequestStep::Cancel(reason) => {
                let reject = matches!(step, RequestStep::Reject(_));
                if reject && !allocator || !reject && !requester {
                    return Err(AppError::Forbidden);
                }
                if !state.is_open() {
                    return Err(closed());
                }
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(AppError::field("reason", "say why (the requester sees it)"));
                }
                if reason.chars().count() > atrium_core::validation::limits::NOTE {
                    return Err(AppError::field("reason", "must be at most 2000 characters"));
                }
                r.reason = reason.to_owned();
                r.state = if reject {
                    RequestState::Rejected
                } else {
                    RequestState::Cancelled
                };
            }
        }
        let now = self.now_micros();
        rs::update_request(&mut tx, &r, now)
            .await
            .map_err(|e| map_write(e, before.version, "state", "request", "person_id"))?;
        if r.state == RequestState::Committed
            && let Some(person) = r.person_id
        {
            for (start, finish) in month_phases(r.start, r.finish) {
                let a = Allocation {
                    id: Uuid::now_v7(),
                    request_id: Some(r.id),
                    person_id: person,
                    project_id: r.project_id,
                    start,
                    finish,
                    minutes_per_week: r.minutes_per_week,
                };
                rs::insert_allocation(&mut tx, &a, now).await?;
            }
        }
        audit(
            &mut tx,
            actor,
            "resource_request",
            id,
            step.name(),
            Some(&before),
            Some(&r),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    async fn check_person(&self, id: Uuid, field: &str) -> Result<Person> {
        match people::get(&self.db, id).await? {
            Some(p) if !p.archived => Ok(p),
            Some(_) => Err(AppError::field(field, "this person is archived")),
            None => Err(AppError::field(field, "no such person in the pool")),
        }
    }

    /// People who fit a request (role and skills), best free capacity first is left to the
    /// caller; at most `limit`, by name.
    pub async fn request_candidates(
        &self,
        actor: &Actor,
        id: Uuid,
        limit: usize,
    ) -> Result<Vec<(Person, i64)>> {
        let d = self.readable_request(actor, id).await?;
        // Free hours of the pool are capacity data: seeing the request (a line manager may)
        // is not enough.
        authorize(
            actor,
            Action::ReadCapacity,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        self.fitting_people(&d.request, limit).await
    }

    // ----- allocations -----

    /// Changes one month of an allocation (hours per week; 0 frees the month).
    pub async fn set_allocation(
        &self,
        actor: &Actor,
        id: Uuid,
        hours_per_week: &str,
    ) -> Result<Allocation> {
        authorize(
            actor,
            Action::AllocateResource,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let minutes = parse_hours_per_week("hours_per_week", hours_per_week)?;
        let mut tx = self.db.begin().await?;
        let before = rs::get_allocation_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("allocation"))?;
        rs::set_allocation_minutes(&mut tx, id, minutes).await?;
        let after = Allocation {
            minutes_per_week: minutes,
            ..before.clone()
        };
        audit(
            &mut tx,
            actor,
            "allocation",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Allocations overlapping a period (one project or person, or all), for lists and
    /// exports. Whole-pool lists need [`Action::ReadCapacity`]; a project's, that project's
    /// plan to be readable.
    pub async fn list_allocations(
        &self,
        actor: &Actor,
        project_id: Option<Uuid>,
        person: Option<Uuid>,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        page: Page,
    ) -> Result<Listed<Allocation>> {
        match project_id {
            Some(p) => {
                self.delivery_project(actor, p, Action::ReadPlan).await?;
            }
            None => authorize(
                actor,
                Action::ReadCapacity,
                &Placement::ORGANIZATION,
                self.mode().await?,
            )?,
        }
        Ok(rs::list_allocations(&self.db, project_id, person, from, to, page).await?)
    }
}
