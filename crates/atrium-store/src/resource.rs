//! Resource management storage: absences, resource requests, time-phased allocations, the
//! demand plan assignments put on people (refreshed with every plan save) and the approved
//! timesheet hours utilization compares against.
//!
//! Dates are ISO text, so ranges compare as strings. Loads are read for a whole horizon in
//! one query per kind, optionally limited to one department by a join on `people`.

use crate::project::{Visibility, push_visibility};
use crate::sql::{Bind, Page, Query};
use crate::{Db, Result, StoreError, Tx, bind_all, on_db, on_tx};
use atrium_core::resource::{
    Absence, AbsenceKind, Allocation, RequestState, ResourceRequest, Skill, parse_skill,
};
use jiff::civil::Date;
use uuid::Uuid;

fn date(s: &str) -> Result<Date> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("bad date `{s}`")))
}

// ---- absences ------------------------------------------------------------------------------

type AbsenceRow = (Uuid, Uuid, String, String, String, String);

fn to_absence(r: AbsenceRow) -> Result<Absence> {
    Ok(Absence {
        id: r.0,
        person_id: r.1,
        start: date(&r.2)?,
        finish: date(&r.3)?,
        kind: AbsenceKind::parse(&r.4).unwrap_or(AbsenceKind::Other),
        note: r.5,
    })
}

/// A person's absences, latest first.
pub async fn absences_of(db: &Db, person: Uuid) -> Result<Vec<Absence>> {
    let rows: Vec<AbsenceRow> = on_db!(db, p => sqlx::query_as(
        "SELECT id, person_id, starts_on, ends_on, kind, note FROM person_absences WHERE person_id = $1 ORDER BY starts_on DESC")
        .bind(person).fetch_all(p).await?);
    rows.into_iter().map(to_absence).collect()
}

/// Absences overlapping `from..=to` of the active pool (or one department): (person, start, finish).
pub async fn absences_in(
    db: &Db,
    department: Option<&str>,
    from: Date,
    to: Date,
) -> Result<Vec<(Uuid, Date, Date)>> {
    let mut q = Query::new(
        "SELECT a.person_id, a.starts_on, a.ends_on FROM person_absences a JOIN people p ON p.id = a.person_id WHERE a.ends_on >= ",
    );
    q.bind(Bind::Text(from.to_string()))
        .push(" AND a.starts_on <= ")
        .bind(Bind::Text(to.to_string()));
    push_department(&mut q, department);
    let rows: Vec<(Uuid, String, String)> = on_db!(db, p => bind_all!(sqlx::query_as::<_, (Uuid, String, String)>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    rows.into_iter()
        .map(|(p, s, e)| Ok((p, date(&s)?, date(&e)?)))
        .collect()
}

fn push_department(q: &mut Query, department: Option<&str>) {
    q.push(" AND p.archived = ").bind(Bind::Bool(false));
    if let Some(d) = department {
        q.push(" AND p.department = ")
            .bind(Bind::Text(d.to_owned()));
    }
}

pub async fn insert_absence(tx: &mut Tx, a: &Absence, now: i64) -> Result<()> {
    on_tx!(tx, c => { sqlx::query(
        "INSERT INTO person_absences (id, person_id, starts_on, ends_on, kind, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(a.id).bind(a.person_id).bind(a.start.to_string()).bind(a.finish.to_string())
        .bind(a.kind.as_str()).bind(&a.note).bind(now).execute(c).await?; });
    Ok(())
}

/// Deletes one absence of `person`; the absence as it was, if it existed.
pub async fn delete_absence(tx: &mut Tx, person: Uuid, id: Uuid) -> Result<Option<Absence>> {
    let row: Option<AbsenceRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, person_id, starts_on, ends_on, kind, note FROM person_absences WHERE id = $1 AND person_id = $2")
        .bind(id).bind(person).fetch_optional(c).await?);
    let Some(row) = row else { return Ok(None) };
    on_tx!(tx, c => { sqlx::query("DELETE FROM person_absences WHERE id = $1").bind(id).execute(c).await?; });
    to_absence(row).map(Some)
}

// ---- requests ------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: Uuid,
    project_id: Uuid,
    job_role: Option<String>,
    skills: String,
    starts_on: String,
    ends_on: String,
    minutes_per_week: i64,
    note: String,
    state: String,
    person_id: Option<Uuid>,
    reason: String,
    requested_by: Option<Uuid>,
    version: i64,
}

const REQUEST_COLS: &str = "r.id, r.project_id, r.job_role, r.skills, r.starts_on, r.ends_on, r.minutes_per_week, r.note, r.state, r.person_id, r.reason, r.requested_by, r.version";

fn skills_text(s: &[Skill]) -> String {
    s.iter()
        .map(|s| format!("{}:{}", s.name, s.level))
        .collect::<Vec<_>>()
        .join(", ")
}

fn to_request(r: RequestRow) -> Result<ResourceRequest> {
    let skills = r
        .skills
        .split(", ")
        .filter(|s| !s.is_empty())
        .map(|s| parse_skill(s).map_err(StoreError::Corrupt))
        .collect::<Result<Vec<_>>>()?;
    Ok(ResourceRequest {
        id: r.id,
        project_id: r.project_id,
        job_role: r.job_role,
        skills,
        start: date(&r.starts_on)?,
        finish: date(&r.ends_on)?,
        minutes_per_week: i32::try_from(r.minutes_per_week).unwrap_or(0),
        note: r.note,
        state: RequestState::parse(&r.state)
            .ok_or_else(|| StoreError::Corrupt(format!("request state `{}`", r.state)))?,
        person_id: r.person_id,
        reason: r.reason,
        requested_by: r.requested_by,
        version: r.version,
    })
}

pub async fn insert_request(tx: &mut Tx, r: &ResourceRequest, now: i64) -> Result<()> {
    on_tx!(tx, c => { sqlx::query(
        "INSERT INTO resource_requests (id, project_id, job_role, skills, starts_on, ends_on, minutes_per_week, note, state, person_id, reason, requested_by, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)")
        .bind(r.id).bind(r.project_id).bind(&r.job_role).bind(skills_text(&r.skills))
        .bind(r.start.to_string()).bind(r.finish.to_string()).bind(i64::from(r.minutes_per_week))
        .bind(&r.note).bind(r.state.as_str()).bind(r.person_id).bind(&r.reason).bind(r.requested_by)
        .bind(r.version).bind(now).execute(c).await?; });
    Ok(())
}

/// Saves a request whose `version` was bumped by one; `Stale` if someone else saved first.
pub async fn update_request(tx: &mut Tx, r: &ResourceRequest, now: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE resource_requests SET job_role = $2, skills = $3, starts_on = $4, ends_on = $5, minutes_per_week = $6, note = $7, \
         state = $8, person_id = $9, reason = $10, version = $11, updated_at = $12 WHERE id = $1 AND version = $13")
        .bind(r.id).bind(&r.job_role).bind(skills_text(&r.skills)).bind(r.start.to_string()).bind(r.finish.to_string())
        .bind(i64::from(r.minutes_per_week)).bind(&r.note).bind(r.state.as_str()).bind(r.person_id).bind(&r.reason)
        .bind(r.version).bind(now).bind(r.version - 1).execute(c).await?.rows_affected());
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

pub async fn get_request(db: &Db, id: Uuid) -> Result<Option<ResourceRequest>> {
    let sql = format!("SELECT {REQUEST_COLS} FROM resource_requests r WHERE r.id = $1");
    let r: Option<RequestRow> = on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(p).await?);
    r.map(to_request).transpose()
}

pub async fn get_request_tx(tx: &mut Tx, id: Uuid) -> Result<Option<ResourceRequest>> {
    let sql = format!("SELECT {REQUEST_COLS} FROM resource_requests r WHERE r.id = $1");
    let r: Option<RequestRow> = on_tx!(tx, c => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(c).await?);
    r.map(to_request).transpose()
}

/// The requests with these ids, in one query.
pub async fn requests_by_ids(db: &Db, ids: &[Uuid]) -> Result<Vec<ResourceRequest>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::new(&format!(
        "SELECT {REQUEST_COLS} FROM resource_requests r WHERE r.id IN "
    ));
    q.bind_list(ids);
    let rows: Vec<RequestRow> = on_db!(db, p => bind_all!(sqlx::query_as::<_, RequestRow>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    rows.into_iter().map(to_request).collect()
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub state: Option<RequestState>,
    /// Only open ones (requested or proposed).
    pub open: bool,
    pub project: Option<Uuid>,
    /// Only requests whose proposed / committed person reports to this person.
    pub line_manager: Option<Uuid>,
    /// Only the projects the caller can see.
    pub visibility: Visibility,
}

pub const REQUEST_SORTS: &[(&str, &str)] = &[
    ("start", "r.starts_on"),
    ("finish", "r.ends_on"),
    ("state", "r.state"),
    ("hours", "r.minutes_per_week"),
    ("updated", "r.updated_at"),
];

pub async fn list_requests(
    db: &Db,
    f: &RequestFilter,
    sort: &str,
    desc: bool,
    page: Page,
) -> Result<(Vec<ResourceRequest>, Option<i64>)> {
    let mut q = Query::new(&format!(
        "SELECT {REQUEST_COLS} FROM resource_requests r WHERE 1 = 1"
    ));
    if let Some(s) = f.state {
        q.push(" AND r.state = ")
            .bind(Bind::Text(s.as_str().into()));
    }
    if f.open {
        q.push(" AND r.state IN ('requested', 'proposed')");
    }
    if let Some(p) = f.project {
        q.push(" AND r.project_id = ").bind(Bind::Uuid(p));
    }
    if let Some(m) = f.line_manager {
        q.push(" AND r.person_id IN (SELECT id FROM people WHERE line_manager_id = ")
            .bind(Bind::Uuid(m))
            .push(")");
    }
    if let Visibility::Scoped { .. } = f.visibility {
        q.push(" AND r.project_id IN (SELECT id FROM projects WHERE 1 = 1");
        push_visibility(&mut q, &f.visibility, "portfolio_id", "program_id", "id");
        q.push(")");
    }
    let col = REQUEST_SORTS
        .iter()
        .find(|(k, _)| *k == sort)
        .map_or("r.starts_on", |(_, c)| c);
    q.push(&format!(
        " ORDER BY {col} {dir}, r.id {dir}",
        dir = if desc { "DESC" } else { "ASC" }
    ));
    page.apply(&mut q);
    let rows: Vec<RequestRow> = on_db!(db, p => bind_all!(sqlx::query_as::<_, RequestRow>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    let out = rows
        .into_iter()
        .map(to_request)
        .collect::<Result<Vec<_>>>()?;
    Ok(page.finish(out))
}

// ---- allocations ---------------------------------------------------------------------------

type AllocationRow = (Uuid, Option<Uuid>, Uuid, Uuid, String, String, i64);
const ALLOCATION_COLS: &str =
    "a.id, a.request_id, a.person_id, a.project_id, a.starts_on, a.ends_on, a.minutes_per_week";

fn to_allocation(r: AllocationRow) -> Result<Allocation> {
    Ok(Allocation {
        id: r.0,
        request_id: r.1,
        person_id: r.2,
        project_id: r.3,
        start: date(&r.4)?,
        finish: date(&r.5)?,
        minutes_per_week: i32::try_from(r.6).unwrap_or(0),
    })
}

pub async fn insert_allocation(tx: &mut Tx, a: &Allocation, now: i64) -> Result<()> {
    on_tx!(tx, c => { sqlx::query(
        "INSERT INTO allocations (id, request_id, person_id, project_id, starts_on, ends_on, minutes_per_week, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(a.id).bind(a.request_id).bind(a.person_id).bind(a.project_id)
        .bind(a.start.to_string()).bind(a.finish.to_string()).bind(i64::from(a.minutes_per_week)).bind(now)
        .execute(c).await?; });
    Ok(())
}

pub async fn get_allocation_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Allocation>> {
    let sql = format!("SELECT {ALLOCATION_COLS} FROM allocations a WHERE a.id = $1");
    let r: Option<AllocationRow> = on_tx!(tx, c => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(c).await?);
    r.map(to_allocation).transpose()
}

pub async fn set_allocation_minutes(tx: &mut Tx, id: Uuid, minutes_per_week: i32) -> Result<()> {
    on_tx!(tx, c => { sqlx::query("UPDATE allocations SET minutes_per_week = $2 WHERE id = $1")
        .bind(id).bind(i64::from(minutes_per_week)).execute(c).await?; });
    Ok(())
}

/// Allocations of a request (its month phases), in date order.
pub async fn allocations_of_request(db: &Db, request: Uuid) -> Result<Vec<Allocation>> {
    let sql = format!(
        "SELECT {ALLOCATION_COLS} FROM allocations a WHERE a.request_id = $1 ORDER BY a.starts_on"
    );
    let rows: Vec<AllocationRow> = on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).bind(request).fetch_all(p).await?);
    rows.into_iter().map(to_allocation).collect()
}

/// Allocations overlapping `from..=to`, of one project, one person or all, in date order.
pub async fn list_allocations(
    db: &Db,
    project: Option<Uuid>,
    person: Option<Uuid>,
    from: Date,
    to: Date,
    page: Page,
) -> Result<(Vec<Allocation>, Option<i64>)> {
    let mut q = Query::new(&format!(
        "SELECT {ALLOCATION_COLS} FROM allocations a WHERE a.ends_on >= "
    ));
    q.bind(Bind::Text(from.to_string()))
        .push(" AND a.starts_on <= ")
        .bind(Bind::Text(to.to_string()));
    if let Some(p) = project {
        q.push(" AND a.project_id = ").bind(Bind::Uuid(p));
    }
    if let Some(p) = person {
        q.push(" AND a.person_id = ").bind(Bind::Uuid(p));
    }
    q.push(" ORDER BY a.starts_on, a.id");
    page.apply(&mut q);
    let rows: Vec<AllocationRow> = on_db!(db, p => bind_all!(sqlx::query_as::<_, AllocationRow>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    let out = rows
        .into_iter()
        .map(to_allocation)
        .collect::<Result<Vec<_>>>()?;
    Ok(page.finish(out))
}

/// Every allocation overlapping `from..=to` of the active pool (or one department).
pub async fn allocations_in(
    db: &Db,
    department: Option<&str>,
    from: Date,
    to: Date,
) -> Result<Vec<Allocation>> {
    let mut q = Query::new(&format!(
        "SELECT {ALLOCATION_COLS} FROM allocations a JOIN people p ON p.id = a.person_id WHERE a.ends_on >= "
    ));
    q.bind(Bind::Text(from.to_string()))
        .push(" AND a.starts_on <= ")
        .bind(Bind::Text(to.to_string()));
    push_department(&mut q, department);
    let rows: Vec<AllocationRow> = on_db!(db, p => bind_all!(sqlx::query_as::<_, AllocationRow>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    rows.into_iter().map(to_allocation).collect()
}

// ---- plan demand ---------------------------------------------------------------------------

/// Work a plan's task assignment puts on a person: `minutes_per_day` on every working day
/// from `start` to `finish`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDemand {
    pub project_id: Uuid,
    pub person_id: Uuid,
    pub task_uid: u32,
    pub start: Date,
    pub finish: Date,
    pub minutes_per_day: i32,
    /// The task's total float, working minutes (how far it may move without delaying the project).
    pub total_float: i64,
}

/// Replaces what a project's plan asks of people (called with every plan save).
pub async fn replace_plan_demand(tx: &mut Tx, project: Uuid, rows: &[PlanDemand]) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("DELETE FROM plan_demand WHERE project_id = $1").bind(project).execute(&mut *c).await?;
        for d in rows {
            sqlx::query("INSERT INTO plan_demand (project_id, person_id, task_uid, starts_on, ends_on, minutes_per_day, total_float_minutes) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(project).bind(d.person_id).bind(i64::from(d.task_uid)).bind(d.start.to_string()).bind(d.finish.to_string())
                .bind(i64::from(d.minutes_per_day)).bind(d.total_float).execute(&mut *c).await?;
        }
    });
    Ok(())
}

type DemandRow = (Uuid, Uuid, i64, String, String, i64, i64);

/// Plan demand overlapping `from..=to` on the active pool (or one department).
pub async fn plan_demand_in(
    db: &Db,
    department: Option<&str>,
    from: Date,
    to: Date,
) -> Result<Vec<PlanDemand>> {
    let mut q = Query::new(
        "SELECT d.project_id, d.person_id, d.task_uid, d.starts_on, d.ends_on, d.minutes_per_day, d.total_float_minutes \
         FROM plan_demand d JOIN people p ON p.id = d.person_id WHERE d.ends_on >= ",
    );
    q.bind(Bind::Text(from.to_string()))
        .push(" AND d.starts_on <= ")
        .bind(Bind::Text(to.to_string()));
    push_department(&mut q, department);
    let rows: Vec<DemandRow> = on_db!(db, p => bind_all!(sqlx::query_as::<_, DemandRow>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    rows.into_iter()
        .map(|r| {
            Ok(PlanDemand {
                project_id: r.0,
                person_id: r.1,
                task_uid: u32::try_from(r.2).unwrap_or(0),
                start: date(&r.3)?,
                finish: date(&r.4)?,
                minutes_per_day: i32::try_from(r.5).unwrap_or(0),
                total_float: r.6,
            })
        })
        .collect()
}

// ---- actuals -------------------------------------------------------------------------------

/// Approved timesheet minutes per (person, project, week start) for weeks starting in
/// `from..=to`, of the active pool (or one department).
pub async fn approved_minutes(
    db: &Db,
    department: Option<&str>,
    from: Date,
    to: Date,
) -> Result<Vec<(Uuid, Uuid, Date, i64)>> {
    let mut q = Query::new(
        "SELECT t.person_id, t.project_id, t.week_start, t.minutes FROM timesheets t JOIN people p ON p.id = t.person_id \
         WHERE t.state = 'approved' AND t.week_start >= ",
    );
    q.bind(Bind::Text(from.to_string()))
        .push(" AND t.week_start <= ")
        .bind(Bind::Text(to.to_string()));
    push_department(&mut q, department);
    let rows: Vec<(Uuid, Uuid, String, i64)> = on_db!(db, p => bind_all!(sqlx::query_as::<_, (Uuid, Uuid, String, i64)>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    rows.into_iter()
        .map(|(a, b, w, m)| Ok((a, b, date(&w)?, m)))
        .collect()
}

/// Names of projects by id (for drill-downs), `(id, key, name)`.
pub async fn project_names(db: &Db, ids: &[Uuid]) -> Result<Vec<(Uuid, String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::new("SELECT id, key, name FROM projects WHERE id IN ");
    q.bind_list(ids);
    Ok(
        on_db!(db, p => bind_all!(sqlx::query_as::<_, (Uuid, String, String)>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?),
    )
}
