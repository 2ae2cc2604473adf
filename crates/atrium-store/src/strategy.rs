//! Strategy and intake records: drivers, scoring settings, proposals (business cases) and
//! scenarios. Each record is stored whole as JSON in `body`, with the columns lists filter
//! and sort on beside it.

use crate::project::Visibility;
use crate::sql::{Bind, Page, Query, like_pattern};
use crate::{Db, Result, StoreError, Tx, bind_all, on_db, on_tx};
use atrium_core::strategy::{Driver, Proposal, Scenario, StrategyConfig};
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

// ---- drivers -------------------------------------------------------------------------------

/// Every driver, active first, in creation order.
pub async fn list_drivers(db: &Db) -> Result<Vec<Driver>> {
    let rows: Vec<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT body FROM drivers ORDER BY archived, created_at, id").fetch_all(p).await?);
    rows.iter().map(|b| from_body(b)).collect()
}

pub async fn list_drivers_tx(tx: &mut Tx) -> Result<Vec<Driver>> {
    let rows: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT body FROM drivers ORDER BY archived, created_at, id").fetch_all(c).await?);
    rows.iter().map(|b| from_body(b)).collect()
}

pub async fn get_driver_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Driver>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM drivers WHERE id = $1")
        .bind(id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn insert_driver(tx: &mut Tx, d: &Driver, now: i64) -> Result<()> {
    let body = to_body(d)?;
    on_tx!(tx, c => sqlx::query("INSERT INTO drivers (id, name, archived, body, version, created_at, updated_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $6)")
        .bind(d.id).bind(&d.name).bind(d.archived).bind(&body).bind(d.version).bind(now)
        .execute(c).await.map(|_| ())?);
    Ok(())
}

pub async fn update_driver(tx: &mut Tx, d: &Driver, now: i64) -> Result<()> {
    let body = to_body(d)?;
    let n = on_tx!(tx, c => sqlx::query("UPDATE drivers SET name = $2, archived = $3, body = $4, version = $5, updated_at = $6 \
                                         WHERE id = $1 AND version = $7")
        .bind(d.id).bind(&d.name).bind(d.archived).bind(&body).bind(d.version).bind(now).bind(d.version - 1)
        .execute(c).await?.rows_affected());
    stale_if_none(n)
}

// ---- scoring settings ----------------------------------------------------------------------

/// The strategy settings (defaults until first saved).
pub async fn get_config(db: &Db) -> Result<StrategyConfig> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM strategy_config WHERE id = 1")
        .fetch_optional(p).await?);
    b.map_or_else(|| Ok(StrategyConfig::default()), |b| from_body(&b))
}

pub async fn get_config_tx(tx: &mut Tx) -> Result<StrategyConfig> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM strategy_config WHERE id = 1")
        .fetch_optional(c).await?);
    b.map_or_else(|| Ok(StrategyConfig::default()), |b| from_body(&b))
}

/// Saves `cfg` whose version is one more than the stored one (0 = none stored yet).
pub async fn put_config(tx: &mut Tx, cfg: &StrategyConfig, now: i64) -> Result<()> {
    let body = to_body(cfg)?;
    let n = if cfg.version == 1 {
        on_tx!(tx, c => sqlx::query("INSERT INTO strategy_config (id, body, version, updated_at) VALUES (1, $1, $2, $3) \
                                     ON CONFLICT (id) DO NOTHING")
            .bind(&body).bind(cfg.version).bind(now).execute(c).await?.rows_affected())
    } else {
        on_tx!(tx, c => sqlx::query("UPDATE strategy_config SET body = $1, version = $2, updated_at = $3 WHERE id = 1 AND version = $4")
            .bind(&body).bind(cfg.version).bind(now).bind(cfg.version - 1).execute(c).await?.rows_affected())
    };
    stale_if_none(n)
}

// ---- proposals -----------------------------------------------------------------------------

pub const PROPOSAL_SORTS: &[(&str, &str)] = &[
    ("key", "key"),
    ("title", "title"),
    ("state", "state"),
    ("updated", "updated_at"),
];

/// Filters of the proposal list.
#[derive(Debug, Clone, Default)]
pub struct ProposalFilter {
    pub text: Option<String>,
    pub portfolio_id: Option<Uuid>,
    pub state: Option<String>,
}

fn push_visibility(q: &mut Query, vis: &Visibility) {
    if let Visibility::Scoped {
        portfolios,
        programs,
        projects,
    } = vis
    {
        // Portfolio-level records: visible to grants on the portfolio or on anything in it.
        q.push(" AND (portfolio_id IN ").bind_list(portfolios);
        q.push(" OR portfolio_id IN (SELECT portfolio_id FROM programs WHERE id IN ")
            .bind_list(programs)
            .push(")");
        q.push(" OR portfolio_id IN (SELECT portfolio_id FROM projects WHERE id IN ")
            .bind_list(projects)
            .push("))");
    }
}

pub async fn list_proposals(
    db: &Db,
    f: &ProposalFilter,
    vis: &Visibility,
    sort: &str,
    desc: bool,
    page: Page,
) -> Result<(Vec<Proposal>, Option<i64>)> {
    let mut q = Query::new("SELECT body FROM proposals WHERE 1 = 1");
    if let Some(text) = f.text.as_deref().filter(|s| !s.is_empty()) {
        let pat = like_pattern(text);
        q.push(" AND (LOWER(title) LIKE ")
            .bind(Bind::Text(pat.clone()))
            .push(" ESCAPE '\\' OR LOWER(key) LIKE ");
        q.bind(Bind::Text(pat)).push(" ESCAPE '\\')");
    }
    if let Some(id) = f.portfolio_id {
        q.push(" AND portfolio_id = ").bind(Bind::Uuid(id));
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND state = ").bind(Bind::Text(s.to_owned()));
    }
    push_visibility(&mut q, vis);
    let col = PROPOSAL_SORTS
        .iter()
        .find(|(k, _)| *k == sort)
        .map_or("key", |(_, c)| c);
    q.push(&format!(
        " ORDER BY {col} {dir}, id {dir}",
        dir = if desc { "DESC" } else { "ASC" }
    ));
    page.apply(&mut q);
    let rows: Vec<String> = on_db!(db, p => bind_all!(sqlx::query_scalar::<_, String>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    let items = rows
        .iter()
        .map(|b| from_body(b))
        .collect::<Result<Vec<Proposal>>>()?;
    Ok(page.finish(items))
}

/// Every business case of a portfolio (all states), by key.
pub async fn proposals_of_portfolio(db: &Db, portfolio_id: Uuid) -> Result<Vec<Proposal>> {
    let rows: Vec<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT body FROM proposals WHERE portfolio_id = $1 ORDER BY key")
        .bind(portfolio_id).fetch_all(p).await?);
    rows.iter().map(|b| from_body(b)).collect()
}

/// Business cases still being decided (submitted, screened or scored), by key: the demand
/// skill-gap planning adds to the active work.
pub async fn undecided_proposals(db: &Db) -> Result<Vec<Proposal>> {
    let rows: Vec<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT body FROM proposals WHERE state IN ('submitted', 'screened', 'scored') ORDER BY key")
        .fetch_all(p).await?);
    rows.iter().map(|b| from_body(b)).collect()
}

pub async fn proposals_of_portfolio_tx(tx: &mut Tx, portfolio_id: Uuid) -> Result<Vec<Proposal>> {
    let rows: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT body FROM proposals WHERE portfolio_id = $1 ORDER BY key")
        .bind(portfolio_id).fetch_all(c).await?);
    rows.iter().map(|b| from_body(b)).collect()
}

pub async fn get_proposal(db: &Db, id: Uuid) -> Result<Option<Proposal>> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM proposals WHERE id = $1")
        .bind(id).fetch_optional(p).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn get_proposal_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Proposal>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM proposals WHERE id = $1")
        .bind(id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

/// The business case of a project, if it has one.
pub async fn proposal_of_project_tx(tx: &mut Tx, project_id: Uuid) -> Result<Option<Proposal>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM proposals WHERE project_id = $1")
        .bind(project_id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn insert_proposal(tx: &mut Tx, p: &Proposal, now: i64) -> Result<()> {
    let body = to_body(p)?;
    on_tx!(tx, c => sqlx::query("INSERT INTO proposals (id, key, title, portfolio_id, state, project_id, body, version, created_at, updated_at, primary_driver) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)")
        .bind(p.id).bind(&p.key).bind(&p.title).bind(p.portfolio_id).bind(p.state.as_str()).bind(p.project_id)
        .bind(&body).bind(p.version).bind(now).bind(p.primary_driver())
        .execute(c).await.map(|_| ())?);
    Ok(())
}

pub async fn update_proposal(tx: &mut Tx, p: &Proposal, now: i64) -> Result<()> {
    let body = to_body(p)?;
    let n = on_tx!(tx, c => sqlx::query("UPDATE proposals SET key = $2, title = $3, portfolio_id = $4, state = $5, project_id = $6, \
                                         body = $7, version = $8, updated_at = $9, primary_driver = $11 WHERE id = $1 AND version = $10")
        .bind(p.id).bind(&p.key).bind(&p.title).bind(p.portfolio_id).bind(p.state.as_str()).bind(p.project_id)
        .bind(&body).bind(p.version).bind(now).bind(p.version - 1).bind(p.primary_driver())
        .execute(c).await?.rows_affected());
    stale_if_none(n)
}

// ---- scenarios -----------------------------------------------------------------------------

/// Scenarios (newest first), optionally of one portfolio.
pub async fn list_scenarios(
    db: &Db,
    portfolio_id: Option<Uuid>,
    vis: &Visibility,
    page: Page,
) -> Result<(Vec<Scenario>, Option<i64>)> {
    let mut q = Query::new("SELECT body FROM scenarios WHERE 1 = 1");
    if let Some(id) = portfolio_id {
        q.push(" AND portfolio_id = ").bind(Bind::Uuid(id));
    }
    push_visibility(&mut q, vis);
    q.push(" ORDER BY created_at DESC, id DESC");
    page.apply(&mut q);
    let rows: Vec<String> = on_db!(db, p => bind_all!(sqlx::query_scalar::<_, String>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    let items = rows
        .iter()
        .map(|b| from_body(b))
        .collect::<Result<Vec<Scenario>>>()?;
    Ok(page.finish(items))
}

/// (id, name) of a portfolio's scenarios, newest first, without their bodies.
pub async fn scenario_names(db: &Db, portfolio_id: Uuid) -> Result<Vec<(Uuid, String)>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT id, name FROM scenarios WHERE portfolio_id = $1 ORDER BY created_at DESC, id DESC")
        .bind(portfolio_id).fetch_all(p).await?))
}

pub async fn get_scenario(db: &Db, id: Uuid) -> Result<Option<Scenario>> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM scenarios WHERE id = $1")
        .bind(id).fetch_optional(p).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn get_scenario_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Scenario>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM scenarios WHERE id = $1")
        .bind(id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn insert_scenario(tx: &mut Tx, s: &Scenario, now: i64) -> Result<()> {
    let body = to_body(s)?;
    on_tx!(tx, c => sqlx::query("INSERT INTO scenarios (id, name, portfolio_id, committed, body, version, created_at, updated_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
        .bind(s.id).bind(&s.name).bind(s.portfolio_id).bind(s.committed).bind(&body).bind(s.version).bind(now)
        .execute(c).await.map(|_| ())?);
    Ok(())
}

pub async fn update_scenario(tx: &mut Tx, s: &Scenario, now: i64) -> Result<()> {
    let body = to_body(s)?;
    let n = on_tx!(tx, c => sqlx::query("UPDATE scenarios SET name = $2, committed = $3, body = $4, version = $5, updated_at = $6 \
                                         WHERE id = $1 AND version = $7")
        .bind(s.id).bind(&s.name).bind(s.committed).bind(&body).bind(s.version).bind(now).bind(s.version - 1)
        .execute(c).await?.rows_affected());
    stale_if_none(n)
}

pub async fn delete_scenario(tx: &mut Tx, id: Uuid, version: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM scenarios WHERE id = $1 AND version = $2 AND committed = $3")
        .bind(id).bind(version).bind(false).execute(c).await?.rows_affected());
    stale_if_none(n)
}

/// Number of proposals per workflow state, among those the caller may see.
pub async fn count_proposals_by_state(db: &Db, vis: &Visibility) -> Result<Vec<(String, i64)>> {
    let mut q = Query::new("SELECT state, COUNT(*) FROM proposals WHERE 1 = 1");
    push_visibility(&mut q, vis);
    q.push(" GROUP BY state");
    Ok(
        on_db!(db, p => bind_all!(sqlx::query_as::<_, (String, i64)>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?),
    )
}
