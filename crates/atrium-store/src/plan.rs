//! Plans (one JSON document per project), the cross-project link index, timesheets,
//! project templates and pending MS Project imports.

use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use atrium_core::plan::{LinkType, Plan};
use atrium_core::timesheet::{Template, Timesheet, TimesheetState};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

fn to_body<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("encode: {e}")))
}

fn from_body<T: DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("decode: {e}")))
}

fn stale_if_none(n: u64) -> Result<()> {
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

// ---- plans ---------------------------------------------------------------------------------

pub async fn get_plan(db: &Db, project_id: Uuid) -> Result<Option<Plan>> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM plans WHERE project_id = $1")
        .bind(project_id).fetch_optional(p).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn get_plan_tx(tx: &mut Tx, project_id: Uuid) -> Result<Option<Plan>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM plans WHERE project_id = $1")
        .bind(project_id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

/// Saves `plan`, whose version is one more than the stored one (1 = first save).
pub async fn put_plan(tx: &mut Tx, plan: &Plan, now: i64) -> Result<()> {
    let body = to_body(plan)?;
    let count = plan.tasks.len() as i64;
    let n = if plan.version == 1 {
        on_tx!(tx, c => sqlx::query("INSERT INTO plans (project_id, task_count, body, version, updated_at) \
                                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id) DO NOTHING")
            .bind(plan.project_id).bind(count).bind(&body).bind(plan.version).bind(now)
            .execute(c).await?.rows_affected())
    } else {
        on_tx!(tx, c => sqlx::query("UPDATE plans SET task_count = $2, body = $3, version = $4, updated_at = $5 \
                                     WHERE project_id = $1 AND version = $6")
            .bind(plan.project_id).bind(count).bind(&body).bind(plan.version).bind(now).bind(plan.version - 1)
            .execute(c).await?.rows_affected())
    };
    stale_if_none(n)
}

/// Task counts of every stored plan.
pub async fn task_counts(db: &Db) -> Result<Vec<(Uuid, i64)>> {
    Ok(
        on_db!(db, p => sqlx::query_as("SELECT project_id, task_count FROM plans")
        .fetch_all(p).await?),
    )
}

// ---- cross-project links -------------------------------------------------------------------

/// A link whose predecessor is a task of another project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossLink {
    pub succ_project: Uuid,
    pub succ_uid: u32,
    pub pred_project: Uuid,
    pub pred_uid: u32,
    pub kind: LinkType,
    pub lag: i64,
    /// The predecessor's last scheduled start and finish (engine minutes).
    pub pred_dates: Option<(i64, i64)>,
}

type CrossRow = (Uuid, i64, Uuid, i64, String, i64, Option<i64>, Option<i64>);

fn cross_of(r: CrossRow) -> CrossLink {
    CrossLink {
        succ_project: r.0,
        succ_uid: r.1 as u32,
        pred_project: r.2,
        pred_uid: r.3 as u32,
        kind: LinkType::parse(&r.4).unwrap_or(LinkType::Fs),
        lag: r.5,
        pred_dates: r.6.zip(r.7),
    }
}

macro_rules! cross_select {
    ($where:literal) => {
        concat!(
            "SELECT succ_project, succ_uid, pred_project, pred_uid, kind, lag, pred_start, pred_finish \
             FROM plan_cross_links WHERE ",
            $where
        )
    };
}

/// Links into `project` (its tasks are the successors).
pub async fn cross_links_into_tx(tx: &mut Tx, project: Uuid) -> Result<Vec<CrossLink>> {
    let sql = cross_select!("succ_project = $1");
    let rows: Vec<CrossRow> =
        on_tx!(tx, c => sqlx::query_as(sql).bind(project).fetch_all(c).await?);
    Ok(rows.into_iter().map(cross_of).collect())
}

pub async fn cross_links_into(db: &Db, project: Uuid) -> Result<Vec<CrossLink>> {
    let sql = cross_select!("succ_project = $1");
    let rows: Vec<CrossRow> =
        on_db!(db, p => sqlx::query_as(sql).bind(project).fetch_all(p).await?);
    Ok(rows.into_iter().map(cross_of).collect())
}

/// Links out of `project` (its tasks are predecessors of other projects' tasks).
pub async fn cross_links_from(db: &Db, project: Uuid) -> Result<Vec<CrossLink>> {
    let sql = cross_select!("pred_project = $1");
    let rows: Vec<CrossRow> =
        on_db!(db, p => sqlx::query_as(sql).bind(project).fetch_all(p).await?);
    Ok(rows.into_iter().map(cross_of).collect())
}

pub async fn cross_links_from_tx(tx: &mut Tx, project: Uuid) -> Result<Vec<CrossLink>> {
    let sql = cross_select!("pred_project = $1");
    let rows: Vec<CrossRow> =
        on_tx!(tx, c => sqlx::query_as(sql).bind(project).fetch_all(c).await?);
    Ok(rows.into_iter().map(cross_of).collect())
}

/// Replaces the index of links into `project` with `links`.
pub async fn replace_cross_links_into(
    tx: &mut Tx,
    project: Uuid,
    links: &[CrossLink],
) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM plan_cross_links WHERE succ_project = $1")
        .bind(project).execute(c).await.map(|_| ())?);
    for l in links {
        let (s, f) = l.pred_dates.unzip();
        on_tx!(tx, c => sqlx::query("INSERT INTO plan_cross_links (succ_project, succ_uid, pred_project, pred_uid, kind, lag, pred_start, pred_finish) \
                                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(project).bind(i64::from(l.succ_uid)).bind(l.pred_project).bind(i64::from(l.pred_uid))
            .bind(l.kind.as_str()).bind(l.lag).bind(s).bind(f)
            .execute(c).await.map(|_| ())?);
    }
    Ok(())
}

/// Records the scheduled dates of `project`'s task `uid` where other projects link to it.
pub async fn set_pred_dates(
    tx: &mut Tx,
    project: Uuid,
    uid: u32,
    start: i64,
    finish: i64,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE plan_cross_links SET pred_start = $3, pred_finish = $4 \
                                 WHERE pred_project = $1 AND pred_uid = $2")
        .bind(project).bind(i64::from(uid)).bind(start).bind(finish)
        .execute(c).await.map(|_| ())?);
    Ok(())
}

// ---- timesheets ----------------------------------------------------------------------------

fn minutes_of(t: &Timesheet) -> i64 {
    t.entries
        .iter()
        .map(|e| e.minutes.iter().map(|&m| i64::from(m)).sum::<i64>())
        .sum()
}

pub async fn get_timesheet(db: &Db, id: Uuid) -> Result<Option<Timesheet>> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM timesheets WHERE id = $1")
        .bind(id).fetch_optional(p).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn get_timesheet_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Timesheet>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM timesheets WHERE id = $1")
        .bind(id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

/// The timesheet of one person, project and week, if any.
pub async fn find_timesheet(
    db: &Db,
    person: Uuid,
    project: Uuid,
    week_start: &str,
) -> Result<Option<Timesheet>> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT body FROM timesheets WHERE person_id = $1 AND project_id = $2 AND week_start = $3")
        .bind(person).bind(project).bind(week_start).fetch_optional(p).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn find_timesheet_tx(
    tx: &mut Tx,
    person: Uuid,
    project: Uuid,
    week_start: &str,
) -> Result<Option<Timesheet>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT body FROM timesheets WHERE person_id = $1 AND project_id = $2 AND week_start = $3")
        .bind(person).bind(project).bind(week_start).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

/// Timesheets of a project, newest week first; `state` filters.
pub async fn project_timesheets(
    db: &Db,
    project: Uuid,
    state: Option<TimesheetState>,
    limit: i64,
) -> Result<Vec<Timesheet>> {
    let rows: Vec<String> = match state {
        Some(s) => on_db!(db, p => sqlx::query_scalar(
            "SELECT body FROM timesheets WHERE project_id = $1 AND state = $2 ORDER BY week_start DESC, id LIMIT $3")
            .bind(project).bind(s.as_str()).bind(limit).fetch_all(p).await?),
        None => on_db!(db, p => sqlx::query_scalar(
            "SELECT body FROM timesheets WHERE project_id = $1 ORDER BY week_start DESC, id LIMIT $2")
            .bind(project).bind(limit).fetch_all(p).await?),
    };
    rows.iter().map(|b| from_body(b)).collect()
}

/// Approved minutes per person on a project (for utilization and costs).
pub async fn approved_minutes_by_person(db: &Db, project: Uuid) -> Result<Vec<(Uuid, i64)>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT person_id, CAST(SUM(minutes) AS BIGINT) FROM timesheets WHERE project_id = $1 AND state = 'approved' GROUP BY person_id")
        .bind(project).fetch_all(p).await?))
}

pub async fn insert_timesheet(tx: &mut Tx, t: &Timesheet, now: i64) -> Result<()> {
    let body = to_body(t)?;
    on_tx!(tx, c => sqlx::query("INSERT INTO timesheets (id, person_id, project_id, week_start, state, minutes, body, version, created_at, updated_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)")
        .bind(t.id).bind(t.person_id).bind(t.project_id).bind(t.week_start.to_string()).bind(t.state.as_str())
        .bind(minutes_of(t)).bind(&body).bind(t.version).bind(now)
        .execute(c).await.map(|_| ())?);
    Ok(())
}

pub async fn update_timesheet(tx: &mut Tx, t: &Timesheet, now: i64) -> Result<()> {
    let body = to_body(t)?;
    let n = on_tx!(tx, c => sqlx::query("UPDATE timesheets SET state = $2, minutes = $3, body = $4, version = $5, updated_at = $6 \
                                         WHERE id = $1 AND version = $7")
        .bind(t.id).bind(t.state.as_str()).bind(minutes_of(t)).bind(&body).bind(t.version).bind(now).bind(t.version - 1)
        .execute(c).await?.rows_affected());
    stale_if_none(n)
}

// ---- templates -----------------------------------------------------------------------------

pub async fn list_templates(db: &Db) -> Result<Vec<Template>> {
    let rows: Vec<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT body FROM project_templates ORDER BY name").fetch_all(p).await?);
    rows.iter().map(|b| from_body(b)).collect()
}

pub async fn get_template(db: &Db, id: Uuid) -> Result<Option<Template>> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM project_templates WHERE id = $1")
        .bind(id).fetch_optional(p).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn get_template_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Template>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM project_templates WHERE id = $1")
        .bind(id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn template_name_taken_tx(tx: &mut Tx, name: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM project_templates WHERE lower(name) = lower($1)")
        .bind(name).fetch_one(c).await?);
    Ok(n > 0)
}

pub async fn insert_template(tx: &mut Tx, t: &Template, now: i64) -> Result<()> {
    let body = to_body(t)?;
    on_tx!(tx, c => sqlx::query("INSERT INTO project_templates (id, name, body, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(t.id).bind(&t.name).bind(&body).bind(t.version).bind(now)
        .execute(c).await.map(|_| ())?);
    Ok(())
}

pub async fn delete_template(tx: &mut Tx, id: Uuid) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM project_templates WHERE id = $1")
        .bind(id).execute(c).await?.rows_affected());
    stale_if_none(n)
}

// ---- pending imports -----------------------------------------------------------------------

pub async fn put_import(
    tx: &mut Tx,
    id: Uuid,
    project: Uuid,
    user: Uuid,
    body: &str,
    now: i64,
) -> Result<()> {
    // One pending import per user and project; previews never confirmed expire after a day.
    on_tx!(tx, c => sqlx::query("DELETE FROM plan_imports WHERE (project_id = $1 AND user_id = $2) OR created_at < $3")
        .bind(project).bind(user).bind(now - 86_400_000_000).execute(c).await.map(|_| ())?);
    on_tx!(tx, c => sqlx::query("INSERT INTO plan_imports (id, project_id, user_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id).bind(project).bind(user).bind(body).bind(now)
        .execute(c).await.map(|_| ())?);
    Ok(())
}

/// Takes (reads and deletes) a pending import of `user` on `project`.
pub async fn take_import(
    tx: &mut Tx,
    id: Uuid,
    project: Uuid,
    user: Uuid,
) -> Result<Option<String>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT body FROM plan_imports WHERE id = $1 AND project_id = $2 AND user_id = $3")
        .bind(id).bind(project).bind(user).fetch_optional(c).await?);
    on_tx!(tx, c => sqlx::query("DELETE FROM plan_imports WHERE id = $1")
        .bind(id).execute(c).await.map(|_| ())?);
    Ok(b)
}

pub async fn get_import(db: &Db, id: Uuid, project: Uuid, user: Uuid) -> Result<Option<String>> {
    Ok(on_db!(db, p => sqlx::query_scalar(
        "SELECT body FROM plan_imports WHERE id = $1 AND project_id = $2 AND user_id = $3")
        .bind(id).bind(project).bind(user).fetch_optional(p).await?))
}

// ---- people as plans see them -------------------------------------------------------------

/// Name and hourly cost rate (minor units) of a person.
pub async fn person_rate_tx(tx: &mut Tx, id: Uuid) -> Result<Option<(String, i64)>> {
    Ok(
        on_tx!(tx, c => sqlx::query_as("SELECT name, cost_rate_minor FROM people WHERE id = $1")
        .bind(id).fetch_optional(c).await?),
    )
}

/// How many people a name or e-mail matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    None,
    One(Uuid),
    Many,
}

/// The active person whose e-mail or name is `handle` (case-insensitive).
pub async fn person_by_handle_tx(tx: &mut Tx, handle: &str) -> Result<Found> {
    let ids: Vec<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM people WHERE archived = FALSE AND (lower(email) = lower($1) OR lower(name) = lower($1)) LIMIT 2")
        .bind(handle.trim()).fetch_all(c).await?);
    Ok(match ids.as_slice() {
        [] => Found::None,
        [one] => Found::One(*one),
        _ => Found::Many,
    })
}

/// The person record linked to a user account.
pub async fn person_of_user(db: &Db, user: Uuid) -> Result<Option<(Uuid, String, i64)>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT id, name, cost_rate_minor FROM people WHERE user_id = $1 AND archived = FALSE LIMIT 1")
        .bind(user).fetch_optional(p).await?))
}

/// Project id of a key, inside a transaction.
pub async fn project_id_by_key_tx(tx: &mut Tx, key: &str) -> Result<Option<Uuid>> {
    Ok(
        on_tx!(tx, c => sqlx::query_scalar("SELECT id FROM projects WHERE upper(key) = upper($1)")
        .bind(key).fetch_optional(c).await?),
    )
}

/// Plans that mention `needle` (a person id) anywhere in their body: the candidates for
/// "my tasks" (the caller checks the assignments).
pub async fn plans_mentioning(db: &Db, needle: Uuid) -> Result<Vec<Plan>> {
    let pattern = format!("%{needle}%");
    let rows: Vec<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT body FROM plans WHERE body LIKE $1 ORDER BY project_id LIMIT 200")
        .bind(pattern).fetch_all(p).await?);
    rows.iter().map(|b| from_body(b)).collect()
}

/// Submitted (waiting) timesheets per project.
pub async fn submitted_counts(db: &Db) -> Result<Vec<(Uuid, i64)>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT project_id, COUNT(*) FROM timesheets WHERE state = 'submitted' GROUP BY project_id")
        .fetch_all(p).await?))
}
