//! Delivery records: status reports, the project log (issues, decisions, change requests) and lessons learned.
//!
//! Reports and log entries are stored whole as JSON in `body`, with the columns lists filter,
//! sort and join on beside it; lessons keep their tags in a column too.

use crate::project::{Visibility, push_visibility};
use crate::sql::{Bind, Page, Query};
use crate::{Db, Result, StoreError, Tx, bind_all, on_db, on_tx};
use atrium_core::delivery::{Lessons, LogEntry, StatusReport};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

fn to_body<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("encode: {e}")))
}

fn from_body<T: DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("decode: {e}")))
}

fn bodies<T: DeserializeOwned>(rows: &[String]) -> Result<Vec<T>> {
    rows.iter().map(|b| from_body(b)).collect()
}

fn stale_if_none(n: u64) -> Result<()> {
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

// ---- status reports ------------------------------------------------------------------------

/// A project's reports, newest period first, highest revision first within a period.
pub async fn list_reports(
    db: &Db,
    project_id: Uuid,
    page: Page,
) -> Result<(Vec<StatusReport>, Option<i64>)> {
    let mut q = Query::new("SELECT body FROM status_reports WHERE project_id = ");
    q.bind(Bind::Uuid(project_id))
        .push(" ORDER BY period DESC, revision DESC");
    page.apply(&mut q);
    let rows: Vec<String> = on_db!(db, p => bind_all!(sqlx::query_scalar::<_, String>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    Ok(page.finish(bodies(&rows)?))
}

pub async fn get_report(db: &Db, id: Uuid) -> Result<Option<StatusReport>> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM status_reports WHERE id = $1")
        .bind(id).fetch_optional(p).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn get_report_tx(tx: &mut Tx, id: Uuid) -> Result<Option<StatusReport>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM status_reports WHERE id = $1")
        .bind(id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

/// The highest revision of a project's report for a period, if any.
pub async fn latest_revision_tx(
    tx: &mut Tx,
    project_id: Uuid,
    period: &str,
) -> Result<Option<StatusReport>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT body FROM status_reports WHERE project_id = $1 AND period = $2 ORDER BY revision DESC LIMIT 1")
        .bind(project_id).bind(period).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

/// Whether the project has a submitted report (any revision) for the period.
pub async fn has_submitted(db: &Db, project_id: Uuid, period: &str) -> Result<bool> {
    let n: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM status_reports WHERE project_id = $1 AND period = $2 AND state = $3")
        .bind(project_id).bind(period).bind("submitted").fetch_one(p).await?);
    Ok(n > 0)
}

pub async fn insert_report(tx: &mut Tx, r: &StatusReport, now: i64) -> Result<()> {
    let body = to_body(r)?;
    on_tx!(tx, c => sqlx::query("INSERT INTO status_reports (id, project_id, period, revision, state, overall, body, version, created_at, updated_at, submitted_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)")
        .bind(r.id).bind(r.project_id).bind(r.period.to_string()).bind(r.revision).bind(r.state.as_str())
        .bind(r.overall.as_str()).bind(&body).bind(r.version).bind(now).bind(r.submitted_at)
        .execute(c).await.map(|_| ())?);
    Ok(())
}

/// Writes `r` if the stored version is still `r.version - 1` and the stored report is still a
/// draft (a submitted report is never rewritten); `Stale` otherwise.
pub async fn update_report(tx: &mut Tx, r: &StatusReport, now: i64) -> Result<()> {
    let body = to_body(r)?;
    let n = on_tx!(tx, c => sqlx::query("UPDATE status_reports SET state = $2, overall = $3, body = $4, version = $5, updated_at = $6, submitted_at = $7 \
                                         WHERE id = $1 AND version = $8 AND state = $9")
        .bind(r.id).bind(r.state.as_str()).bind(r.overall.as_str()).bind(&body).bind(r.version).bind(now)
        .bind(r.submitted_at).bind(r.version - 1).bind("draft")
        .execute(c).await?.rows_affected());
    stale_if_none(n)
}

/// An active project without a submitted report for a period.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MissingReport {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub manager_id: Option<Uuid>,
    pub portfolio_id: Uuid,
    pub program_id: Option<Uuid>,
}

/// Live projects in one of `phases` that had started by `period_end` (or have no planned
/// start) and have no submitted report for `period`, among those `vis` allows; optionally
/// only those managed by `manager`. By key, at most `limit`.
pub async fn missing_reports(
    db: &Db,
    phases: &[&str],
    period: &str,
    period_end: &str,
    vis: &Visibility,
    manager: Option<Uuid>,
    limit: i64,
) -> Result<Vec<MissingReport>> {
    let mut q = Query::new(
        "SELECT id, key, name, manager_id, portfolio_id, program_id FROM projects WHERE archived = ",
    );
    q.bind(Bind::Bool(false));
    q.push(" AND phase IN (");
    for (i, ph) in phases.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(Bind::Text((*ph).to_owned()));
    }
    if phases.is_empty() {
        q.push("NULL");
    }
    q.push(") AND (planned_start IS NULL OR planned_start <= ")
        .bind(Bind::Text(period_end.to_owned()))
        .push(")");
    q.push(" AND NOT EXISTS (SELECT 1 FROM status_reports r WHERE r.project_id = projects.id AND r.period = ")
        .bind(Bind::Text(period.to_owned()))
        .push(" AND r.state = ")
        .bind(Bind::Text("submitted".into()))
        .push(")");
    if let Some(m) = manager {
        q.push(" AND manager_id = ").bind(Bind::Uuid(m));
    }
    push_visibility(&mut q, vis, "portfolio_id", "program_id", "id");
    q.push(" ORDER BY key LIMIT ").bind(Bind::I64(limit));
    Ok(
        on_db!(db, p => bind_all!(sqlx::query_as::<_, MissingReport>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?),
    )
}

/// Where a roll-up of latest reports looks.
#[derive(Debug, Clone, Copy)]
pub enum Rollup {
    Program(Uuid),
    Portfolio(Uuid),
}

/// The latest submitted report (latest period, then highest revision) of every live project
/// of a program or portfolio, with the project's key and name, by key.
pub async fn latest_submitted(
    db: &Db,
    within: Rollup,
    limit: i64,
) -> Result<Vec<(String, String, StatusReport)>> {
    let (col, id) = match within {
        Rollup::Program(id) => ("p.program_id", id),
        Rollup::Portfolio(id) => ("p.portfolio_id", id),
    };
    let mut q = Query::new(
        "SELECT p.key, p.name, r.body FROM status_reports r JOIN projects p ON p.id = r.project_id WHERE ",
    );
    q.push(col).push(" = ").bind(Bind::Uuid(id));
    q.push(" AND p.archived = ").bind(Bind::Bool(false));
    q.push(" AND r.state = ")
        .bind(Bind::Text("submitted".into()));
    q.push(
        " AND NOT EXISTS (SELECT 1 FROM status_reports r2 WHERE r2.project_id = r.project_id AND r2.state = r.state \
         AND (r2.period > r.period OR (r2.period = r.period AND r2.revision > r.revision)))",
    );
    q.push(" ORDER BY p.key LIMIT ").bind(Bind::I64(limit));
    let rows: Vec<(String, String, String)> = on_db!(db, p => bind_all!(sqlx::query_as::<_, (String, String, String)>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    rows.into_iter()
        .map(|(k, n, b)| Ok((k, n, from_body(&b)?)))
        .collect()
}

// ---- project log ---------------------------------------------------------------------------

/// Sortable log columns by API name (constants only reach SQL).
pub const LOG_SORTS: &[(&str, &str)] = &[
    ("number", "kind, number"),
    ("title", "title"),
    ("status", "state"),
    (
        "priority",
        "CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END",
    ),
    ("due", "due"),
    ("updated", "updated_at"),
];

#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
}

pub async fn list_log(
    db: &Db,
    project_id: Uuid,
    f: &LogFilter,
    sort: &str,
    desc: bool,
    page: Page,
) -> Result<(Vec<LogEntry>, Option<i64>)> {
    let mut q = Query::new("SELECT body FROM project_log WHERE project_id = ");
    q.bind(Bind::Uuid(project_id));
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND kind = ").bind(Bind::Text(k.to_owned()));
    }
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND state = ").bind(Bind::Text(s.to_owned()));
    }
    let col = LOG_SORTS
        .iter()
        .find(|(k, _)| *k == sort)
        .map_or("kind, number", |(_, c)| c);
    let dir = if desc { "DESC" } else { "ASC" };
    let order = col
        .split(", ")
        .map(|c| format!("{c} {dir}"))
        .collect::<Vec<_>>()
        .join(", ");
    q.push(&format!(" ORDER BY {order}, id {dir}"));
    page.apply(&mut q);
    let rows: Vec<String> = on_db!(db, p => bind_all!(sqlx::query_scalar::<_, String>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    Ok(page.finish(bodies(&rows)?))
}

pub async fn get_log(db: &Db, id: Uuid) -> Result<Option<LogEntry>> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM project_log WHERE id = $1")
        .bind(id).fetch_optional(p).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn get_log_tx(tx: &mut Tx, id: Uuid) -> Result<Option<LogEntry>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM project_log WHERE id = $1")
        .bind(id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

/// The next number of a kind in a project's log (1 for the first).
pub async fn next_log_number_tx(tx: &mut Tx, project_id: Uuid, kind: &str) -> Result<i64> {
    let n: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT MAX(number) FROM project_log WHERE project_id = $1 AND kind = $2")
        .bind(project_id).bind(kind).fetch_one(c).await?);
    Ok(n.unwrap_or(0) + 1)
}

pub async fn insert_log(tx: &mut Tx, e: &LogEntry, now: i64) -> Result<()> {
    let body = to_body(e)?;
    on_tx!(tx, c => sqlx::query("INSERT INTO project_log (id, project_id, kind, number, title, state, priority, owner_id, due, body, version, created_at, updated_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)")
        .bind(e.id).bind(e.project_id).bind(e.kind.as_str()).bind(e.number).bind(&e.title).bind(e.status.as_str())
        .bind(e.priority.as_str()).bind(e.owner_id).bind(e.due.map(|d| d.to_string())).bind(&body).bind(e.version).bind(now)
        .execute(c).await.map(|_| ())?);
    Ok(())
}

pub async fn update_log(tx: &mut Tx, e: &LogEntry, now: i64) -> Result<()> {
    let body = to_body(e)?;
    let n = on_tx!(tx, c => sqlx::query("UPDATE project_log SET title = $2, state = $3, priority = $4, owner_id = $5, due = $6, body = $7, \
                                         version = $8, updated_at = $9 WHERE id = $1 AND version = $10")
        .bind(e.id).bind(&e.title).bind(e.status.as_str()).bind(e.priority.as_str()).bind(e.owner_id)
        .bind(e.due.map(|d| d.to_string())).bind(&body).bind(e.version).bind(now).bind(e.version - 1)
        .execute(c).await?.rows_affected());
    stale_if_none(n)
}

// ---- lessons learned -----------------------------------------------------------------------

pub async fn get_lessons(db: &Db, project_id: Uuid) -> Result<Option<Lessons>> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM lessons WHERE project_id = $1")
        .bind(project_id).fetch_optional(p).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn get_lessons_tx(tx: &mut Tx, project_id: Uuid) -> Result<Option<Lessons>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM lessons WHERE project_id = $1")
        .bind(project_id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

/// Saves `l` whose version is one more than the stored one (1 = first record).
pub async fn put_lessons(tx: &mut Tx, l: &Lessons, now: i64) -> Result<()> {
    let body = to_body(l)?;
    let tags = l.tags.join(",");
    let n = if l.version == 1 {
        on_tx!(tx, c => sqlx::query("INSERT INTO lessons (project_id, tags, body, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
                                     ON CONFLICT (project_id) DO NOTHING")
            .bind(l.project_id).bind(&tags).bind(&body).bind(l.version).bind(now).execute(c).await?.rows_affected())
    } else {
        on_tx!(tx, c => sqlx::query("UPDATE lessons SET tags = $2, body = $3, version = $4, updated_at = $5 WHERE project_id = $1 AND version = $6")
            .bind(l.project_id).bind(&tags).bind(&body).bind(l.version).bind(now).bind(l.version - 1).execute(c).await?.rows_affected())
    };
    stale_if_none(n)
}
