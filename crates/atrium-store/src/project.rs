//! Project records: insert, read, list (filter, sort, page, visibility), update with an
//! expected version, archive.

use crate::sql::{Bind, Page, Query, like_pattern};
use crate::{Db, Result, StoreError, Tx, bind_all, on_db, on_tx, parse_date};
use atrium_core::money::Minor;
use atrium_core::project::{Phase, Project, Rag};
use uuid::Uuid;

/// Which records a caller may see: everything, or what lies under some scopes.
#[derive(Debug, Clone, Default)]
pub enum Visibility {
    #[default]
    All,
    Scoped {
        portfolios: Vec<Uuid>,
        programs: Vec<Uuid>,
        projects: Vec<Uuid>,
    },
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    key: String,
    name: String,
    description: Option<String>,
    portfolio_id: Uuid,
    program_id: Option<Uuid>,
    sponsor_id: Option<Uuid>,
    manager_id: Option<Uuid>,
    phase: String,
    planned_start: Option<String>,
    planned_finish: Option<String>,
    budget_minor: i64,
    currency: String,
    status: String,
    status_note: Option<String>,
    archived: bool,
    version: i64,
}

const COLUMNS: &str = "id, key, name, description, portfolio_id, program_id, sponsor_id, manager_id, phase, \
     planned_start, planned_finish, budget_minor, currency, status, status_note, archived, version";

impl TryFrom<Row> for Project {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Project> {
        Ok(Project {
            id: r.id,
            phase: Phase::parse(&r.phase)
                .ok_or_else(|| StoreError::Corrupt(format!("phase {}", r.phase)))?,
            status: Rag::parse(&r.status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {}", r.status)))?,
            planned_start: parse_date(r.planned_start)?,
            planned_finish: parse_date(r.planned_finish)?,
            key: r.key,
            name: r.name,
            description: r.description,
            portfolio_id: r.portfolio_id,
            program_id: r.program_id,
            sponsor_id: r.sponsor_id,
            manager_id: r.manager_id,
            budget: Minor(r.budget_minor),
            currency: r.currency,
            status_note: r.status_note,
            archived: r.archived,
            version: r.version,
        })
    }
}

/// Sortable columns, by API name; anything else is refused before it reaches SQL.
pub const SORTS: &[(&str, &str)] = &[
    ("key", "key"),
    ("name", "name"),
    ("phase", "phase"),
    ("status", "status"),
    ("planned_start", "planned_start"),
    ("planned_finish", "planned_finish"),
    ("budget", "budget_minor"),
];

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub q: Option<String>,
    pub portfolio_id: Option<Uuid>,
    pub program_id: Option<Uuid>,
    pub phase: Option<Phase>,
    pub status: Option<Rag>,
    pub manager_id: Option<Uuid>,
    pub sponsor_id: Option<Uuid>,
    pub include_archived: bool,
}

/// Appends the visibility condition for a table whose placement columns are given.
pub(crate) fn push_visibility(
    q: &mut Query,
    vis: &Visibility,
    portfolio: &str,
    program: &str,
    project: &str,
) {
    if let Visibility::Scoped {
        portfolios,
        programs,
        projects,
    } = vis
    {
        q.push(" AND (")
            .push(portfolio)
            .push(" IN ")
            .bind_list(portfolios);
        if !program.is_empty() {
            q.push(" OR ")
                .push(program)
                .push(" IN ")
                .bind_list(programs);
        }
        if !project.is_empty() {
            q.push(" OR ")
                .push(project)
                .push(" IN ")
                .bind_list(projects);
        }
        q.push(")");
    }
}

/// Lists projects; `sort` must be a column from [`SORTS`].
pub async fn list(
    db: &Db,
    f: &Filter,
    vis: &Visibility,
    sort: &str,
    desc: bool,
    page: Page,
) -> Result<(Vec<Project>, Option<i64>)> {
    let mut q = Query::new(&format!("SELECT {COLUMNS} FROM projects WHERE 1 = 1"));
    if !f.include_archived {
        q.push(" AND archived = ").bind(Bind::Bool(false));
    }
    if let Some(text) = f.q.as_deref().filter(|s| !s.is_empty()) {
        let pat = like_pattern(text);
        q.push(" AND (LOWER(name) LIKE ")
            .bind(Bind::Text(pat.clone()))
            .push(" ESCAPE '\\' OR LOWER(key) LIKE ");
        q.bind(Bind::Text(pat)).push(" ESCAPE '\\')");
    }
    if let Some(id) = f.portfolio_id {
        q.push(" AND portfolio_id = ").bind(Bind::Uuid(id));
    }
    if let Some(id) = f.program_id {
        q.push(" AND program_id = ").bind(Bind::Uuid(id));
    }
    if let Some(p) = f.phase {
        q.push(" AND phase = ").bind(Bind::Text(p.as_str().into()));
    }
    if let Some(s) = f.status {
        q.push(" AND status = ").bind(Bind::Text(s.as_str().into()));
    }
    if let Some(id) = f.manager_id {
        q.push(" AND manager_id = ").bind(Bind::Uuid(id));
    }
    if let Some(id) = f.sponsor_id {
        q.push(" AND sponsor_id = ").bind(Bind::Uuid(id));
    }
    push_visibility(&mut q, vis, "portfolio_id", "program_id", "id");
    let col = SORTS
        .iter()
        .find(|(k, _)| *k == sort)
        .map_or("key", |(_, c)| c);
    q.push(&format!(
        " ORDER BY {col} {dir}, id {dir}",
        dir = if desc { "DESC" } else { "ASC" }
    ));
    page.apply(&mut q);
    let rows: Vec<Row> = on_db!(db, p => bind_all!(sqlx::query_as::<_, Row>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    let rows = rows
        .into_iter()
        .map(Project::try_from)
        .collect::<Result<Vec<_>>>()?;
    Ok(page.finish(rows))
}

pub async fn get(db: &Db, id: Uuid) -> Result<Option<Project>> {
    let sql = format!("SELECT {COLUMNS} FROM projects WHERE id = $1");
    let row: Option<Row> = on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(p).await?);
    row.map(Project::try_from).transpose()
}

pub async fn get_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Project>> {
    let sql = format!("SELECT {COLUMNS} FROM projects WHERE id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(c).await?);
    row.map(Project::try_from).transpose()
}

pub async fn id_by_key(db: &Db, key: &str) -> Result<Option<Uuid>> {
    Ok(
        on_db!(db, p => sqlx::query_scalar("SELECT id FROM projects WHERE key = $1").bind(key).fetch_optional(p).await?),
    )
}

pub async fn insert(tx: &mut Tx, p: &Project, now: i64) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO projects (id, key, name, description, portfolio_id, program_id, sponsor_id, manager_id, phase, \
             planned_start, planned_finish, budget_minor, currency, status, status_note, archived, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)",
        )
        .bind(p.id).bind(&p.key).bind(&p.name).bind(&p.description).bind(p.portfolio_id).bind(p.program_id)
        .bind(p.sponsor_id).bind(p.manager_id).bind(p.phase.as_str())
        .bind(p.planned_start.map(|d| d.to_string())).bind(p.planned_finish.map(|d| d.to_string()))
        .bind(p.budget.0).bind(&p.currency).bind(p.status.as_str()).bind(&p.status_note).bind(p.archived)
        .bind(p.version).bind(now)
        .execute(c).await?;
    });
    Ok(())
}

/// Writes `p` if the stored version is still `p.version - 1`; `Stale` otherwise.
pub async fn update(tx: &mut Tx, p: &Project, now: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
            "UPDATE projects SET key = $2, name = $3, description = $4, portfolio_id = $5, program_id = $6, \
             sponsor_id = $7, manager_id = $8, phase = $9, planned_start = $10, planned_finish = $11, budget_minor = $12, \
             status = $13, status_note = $14, archived = $15, version = $16, updated_at = $17 \
             WHERE id = $1 AND version = $18",
        )
        .bind(p.id).bind(&p.key).bind(&p.name).bind(&p.description).bind(p.portfolio_id).bind(p.program_id)
        .bind(p.sponsor_id).bind(p.manager_id).bind(p.phase.as_str())
        .bind(p.planned_start.map(|d| d.to_string())).bind(p.planned_finish.map(|d| d.to_string()))
        .bind(p.budget.0).bind(p.status.as_str()).bind(&p.status_note).bind(p.archived)
        .bind(p.version).bind(now).bind(p.version - 1)
        .execute(c).await?.rows_affected());
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

/// Counts of active projects by RAG status, for overviews.
pub async fn count_by_status(db: &Db, vis: &Visibility) -> Result<Vec<(String, i64)>> {
    let mut q = Query::new("SELECT status, COUNT(*) FROM projects WHERE archived = ");
    q.bind(Bind::Bool(false));
    push_visibility(&mut q, vis, "portfolio_id", "program_id", "id");
    q.push(" GROUP BY status");
    Ok(
        on_db!(db, p => bind_all!(sqlx::query_as::<_, (String, i64)>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?),
    )
}

/// Active (non-archived) project counts per (portfolio, status), for overviews.
pub async fn counts_by_portfolio(db: &Db, vis: &Visibility) -> Result<Vec<(Uuid, String, i64)>> {
    let mut q = Query::new("SELECT portfolio_id, status, COUNT(*) FROM projects WHERE archived = ");
    q.bind(Bind::Bool(false));
    push_visibility(&mut q, vis, "portfolio_id", "program_id", "id");
    q.push(" GROUP BY portfolio_id, status");
    Ok(
        on_db!(db, p => bind_all!(sqlx::query_as::<_, (Uuid, String, i64)>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?),
    )
}

/// The `per_portfolio` most urgent projects of each portfolio (red, then amber, then green;
/// by key within a status), in one query.
pub async fn most_urgent_per_portfolio(
    db: &Db,
    vis: &Visibility,
    per_portfolio: i64,
) -> Result<Vec<Project>> {
    let mut q = Query::new(&format!(
        "SELECT {COLUMNS} FROM (SELECT {COLUMNS}, ROW_NUMBER() OVER (PARTITION BY portfolio_id ORDER BY \
         CASE status WHEN 'red' THEN 0 WHEN 'amber' THEN 1 ELSE 2 END, key) AS rn FROM projects WHERE archived = "
    ));
    q.bind(Bind::Bool(false));
    push_visibility(&mut q, vis, "portfolio_id", "program_id", "id");
    q.push(") ranked WHERE rn <= ")
        .bind(Bind::I64(per_portfolio));
    q.push(" ORDER BY portfolio_id, rn");
    let rows: Vec<Row> = on_db!(db, p => bind_all!(sqlx::query_as::<_, Row>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    rows.into_iter().map(Project::try_from).collect()
}

/// Every live (not archived) project of a portfolio, by key.
pub async fn all_in_portfolio(db: &Db, portfolio_id: Uuid) -> Result<Vec<Project>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM projects WHERE portfolio_id = $1 AND archived = $2 ORDER BY key"
    );
    let rows: Vec<Row> = on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).bind(portfolio_id).bind(false).fetch_all(p).await?);
    rows.into_iter().map(Project::try_from).collect()
}

/// Whether a project key is taken (archived projects keep their keys).
pub async fn key_taken_tx(tx: &mut Tx, key: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM projects WHERE key = $1").bind(key).fetch_one(c).await?);
    Ok(n > 0)
}

/// Every live (not archived) project of a program, by key.
pub async fn all_in_program(db: &Db, program_id: Uuid) -> Result<Vec<Project>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM projects WHERE program_id = $1 AND archived = $2 ORDER BY key"
    );
    let rows: Vec<Row> = on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).bind(program_id).bind(false).fetch_all(p).await?);
    rows.into_iter().map(Project::try_from).collect()
}
