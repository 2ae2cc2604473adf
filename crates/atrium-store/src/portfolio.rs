//! Portfolio and program records.

use crate::project::Visibility;
use crate::sql::{Bind, Page, Query, like_pattern};
use crate::{Db, Result, StoreError, Tx, bind_all, on_db, on_tx};
use atrium_core::portfolio::Portfolio;
use atrium_core::program::Program;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct PortfolioRow {
    id: Uuid,
    key: String,
    name: String,
    description: Option<String>,
    owner_id: Option<Uuid>,
    archived: bool,
    version: i64,
}

impl From<PortfolioRow> for Portfolio {
    fn from(r: PortfolioRow) -> Self {
        Portfolio {
            id: r.id,
            key: r.key,
            name: r.name,
            description: r.description,
            owner_id: r.owner_id,
            archived: r.archived,
            version: r.version,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ProgramRow {
    id: Uuid,
    key: String,
    name: String,
    description: Option<String>,
    portfolio_id: Uuid,
    manager_id: Option<Uuid>,
    archived: bool,
    version: i64,
}

impl From<ProgramRow> for Program {
    fn from(r: ProgramRow) -> Self {
        Program {
            id: r.id,
            key: r.key,
            name: r.name,
            description: r.description,
            portfolio_id: r.portfolio_id,
            manager_id: r.manager_id,
            archived: r.archived,
            version: r.version,
        }
    }
}

pub const SORTS: &[(&str, &str)] = &[("key", "key"), ("name", "name")];

fn sort_col(sort: &str) -> &'static str {
    SORTS
        .iter()
        .find(|(k, _)| *k == sort)
        .map_or("key", |(_, c)| c)
}

fn push_text_filter(q: &mut Query, text: Option<&str>) {
    if let Some(text) = text.filter(|s| !s.is_empty()) {
        let pat = like_pattern(text);
        q.push(" AND (LOWER(name) LIKE ")
            .bind(Bind::Text(pat.clone()))
            .push(" ESCAPE '\\' OR LOWER(key) LIKE ");
        q.bind(Bind::Text(pat)).push(" ESCAPE '\\')");
    }
}

const PF_COLS: &str = "id, key, name, description, owner_id, archived, version";
const PG_COLS: &str = "id, key, name, description, portfolio_id, manager_id, archived, version";

pub async fn list_portfolios(
    db: &Db,
    text: Option<&str>,
    include_archived: bool,
    vis: &Visibility,
    sort: &str,
    desc: bool,
    page: Page,
) -> Result<(Vec<Portfolio>, Option<i64>)> {
    let mut q = Query::new(&format!("SELECT {PF_COLS} FROM portfolios WHERE 1 = 1"));
    if !include_archived {
        q.push(" AND archived = ").bind(Bind::Bool(false));
    }
    push_text_filter(&mut q, text);
    // A portfolio is visible to grants on it; grants below it see it through their records.
    if let Visibility::Scoped {
        portfolios,
        programs,
        projects,
    } = vis
    {
        q.push(" AND (id IN ").bind_list(portfolios);
        q.push(" OR id IN (SELECT portfolio_id FROM programs WHERE id IN ")
            .bind_list(programs)
            .push(")");
        q.push(" OR id IN (SELECT portfolio_id FROM projects WHERE id IN ")
            .bind_list(projects)
            .push("))");
    }
    q.push(&format!(
        " ORDER BY {} {dir}, id {dir}",
        sort_col(sort),
        dir = if desc { "DESC" } else { "ASC" }
    ));
    page.apply(&mut q);
    let rows: Vec<PortfolioRow> = on_db!(db, p => bind_all!(sqlx::query_as::<_, PortfolioRow>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    Ok(page.finish(rows.into_iter().map(Portfolio::from).collect()))
}

pub async fn get_portfolio(db: &Db, id: Uuid) -> Result<Option<Portfolio>> {
    let sql = format!("SELECT {PF_COLS} FROM portfolios WHERE id = $1");
    let r: Option<PortfolioRow> = on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(p).await?);
    Ok(r.map(Portfolio::from))
}

pub async fn get_portfolio_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Portfolio>> {
    let sql = format!("SELECT {PF_COLS} FROM portfolios WHERE id = $1");
    let r: Option<PortfolioRow> = on_tx!(tx, c => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(c).await?);
    Ok(r.map(Portfolio::from))
}

pub async fn portfolio_id_by_key(db: &Db, key: &str) -> Result<Option<Uuid>> {
    Ok(
        on_db!(db, p => sqlx::query_scalar("SELECT id FROM portfolios WHERE key = $1").bind(key).fetch_optional(p).await?),
    )
}

pub async fn insert_portfolio(tx: &mut Tx, p: &Portfolio, now: i64) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO portfolios (id, key, name, description, owner_id, archived, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
            .bind(p.id).bind(&p.key).bind(&p.name).bind(&p.description).bind(p.owner_id).bind(p.archived).bind(p.version).bind(now)
            .execute(c).await?;
    });
    Ok(())
}

pub async fn update_portfolio(tx: &mut Tx, p: &Portfolio, now: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
            "UPDATE portfolios SET key = $2, name = $3, description = $4, owner_id = $5, archived = $6, version = $7, \
             updated_at = $8 WHERE id = $1 AND version = $9")
        .bind(p.id).bind(&p.key).bind(&p.name).bind(&p.description).bind(p.owner_id).bind(p.archived).bind(p.version)
        .bind(now).bind(p.version - 1)
        .execute(c).await?.rows_affected());
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)] // one flat list query; a struct would only rename the same fields
pub async fn list_programs(
    db: &Db,
    text: Option<&str>,
    portfolio_id: Option<Uuid>,
    include_archived: bool,
    vis: &Visibility,
    sort: &str,
    desc: bool,
    page: Page,
) -> Result<(Vec<Program>, Option<i64>)> {
    let mut q = Query::new(&format!("SELECT {PG_COLS} FROM programs WHERE 1 = 1"));
    if !include_archived {
        q.push(" AND archived = ").bind(Bind::Bool(false));
    }
    push_text_filter(&mut q, text);
    if let Some(id) = portfolio_id {
        q.push(" AND portfolio_id = ").bind(Bind::Uuid(id));
    }
    if let Visibility::Scoped {
        portfolios,
        programs,
        projects,
    } = vis
    {
        // Programs under a granted portfolio, granted programs, programs of granted projects.
        q.push(" AND (portfolio_id IN ").bind_list(portfolios);
        q.push(" OR id IN ").bind_list(programs);
        q.push(" OR id IN (SELECT program_id FROM projects WHERE id IN ")
            .bind_list(projects)
            .push("))");
    }
    q.push(&format!(
        " ORDER BY {} {dir}, id {dir}",
        sort_col(sort),
        dir = if desc { "DESC" } else { "ASC" }
    ));
    page.apply(&mut q);
    let rows: Vec<ProgramRow> = on_db!(db, p => bind_all!(sqlx::query_as::<_, ProgramRow>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    Ok(page.finish(rows.into_iter().map(Program::from).collect()))
}

pub async fn get_program(db: &Db, id: Uuid) -> Result<Option<Program>> {
    let sql = format!("SELECT {PG_COLS} FROM programs WHERE id = $1");
    let r: Option<ProgramRow> = on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(p).await?);
    Ok(r.map(Program::from))
}

pub async fn get_program_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Program>> {
    let sql = format!("SELECT {PG_COLS} FROM programs WHERE id = $1");
    let r: Option<ProgramRow> = on_tx!(tx, c => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(c).await?);
    Ok(r.map(Program::from))
}

pub async fn program_id_by_key(db: &Db, key: &str) -> Result<Option<Uuid>> {
    Ok(
        on_db!(db, p => sqlx::query_scalar("SELECT id FROM programs WHERE key = $1").bind(key).fetch_optional(p).await?),
    )
}

pub async fn insert_program(tx: &mut Tx, p: &Program, now: i64) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO programs (id, key, name, description, portfolio_id, manager_id, archived, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)")
            .bind(p.id).bind(&p.key).bind(&p.name).bind(&p.description).bind(p.portfolio_id).bind(p.manager_id)
            .bind(p.archived).bind(p.version).bind(now)
            .execute(c).await?;
    });
    Ok(())
}

pub async fn update_program(tx: &mut Tx, p: &Program, now: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
            "UPDATE programs SET key = $2, name = $3, description = $4, portfolio_id = $5, manager_id = $6, archived = $7, \
             version = $8, updated_at = $9 WHERE id = $1 AND version = $10")
        .bind(p.id).bind(&p.key).bind(&p.name).bind(&p.description).bind(p.portfolio_id).bind(p.manager_id)
        .bind(p.archived).bind(p.version).bind(now).bind(p.version - 1)
        .execute(c).await?.rows_affected());
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

/// Every (id, key, name) of portfolios, for pickers and labels.
pub async fn portfolio_names(db: &Db) -> Result<Vec<(Uuid, String, String)>> {
    Ok(
        on_db!(db, p => sqlx::query_as("SELECT id, key, name FROM portfolios WHERE archived = $1 ORDER BY key").bind(false).fetch_all(p).await?),
    )
}

/// Every (id, key, name, portfolio_id) of programs.
pub async fn program_names(db: &Db) -> Result<Vec<(Uuid, String, String, Uuid)>> {
    Ok(
        on_db!(db, p => sqlx::query_as("SELECT id, key, name, portfolio_id FROM programs WHERE archived = $1 ORDER BY key").bind(false).fetch_all(p).await?),
    )
}
