//! Risk storage: the organization's risk matrix (one row) and the risks of every register,
//! stored whole as JSON with the columns lists and aggregations use beside it.

use crate::sql::{Bind, Page, Query};
use crate::{Db, Result, StoreError, Tx, bind_all, on_db, on_tx};
use atrium_core::risk::{Risk, RiskAppetite, RiskMatrix};
use uuid::Uuid;

fn to_body<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("encode: {e}")))
}

fn from_body<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("decode: {e}")))
}

/// Row ids of `risk_config`.
const MATRIX: i64 = 1;
const APPETITE: i64 = 2;

async fn get_config<T: Default + serde::de::DeserializeOwned>(db: &Db, id: i64) -> Result<T> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM risk_config WHERE id = $1")
        .bind(id).fetch_optional(p).await?);
    b.map_or_else(|| Ok(T::default()), |b| from_body(&b))
}

async fn get_config_tx<T: Default + serde::de::DeserializeOwned>(
    tx: &mut Tx,
    id: i64,
) -> Result<T> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM risk_config WHERE id = $1")
        .bind(id).fetch_optional(c).await?);
    b.map_or_else(|| Ok(T::default()), |b| from_body(&b))
}

/// Saves a configuration row whose version is one more than the stored one (0 = none yet).
async fn put_config<T: serde::Serialize>(
    tx: &mut Tx,
    id: i64,
    v: &T,
    version: i64,
    now: i64,
) -> Result<()> {
    let body = to_body(v)?;
    let n = if version == 1 {
        on_tx!(tx, c => sqlx::query("INSERT INTO risk_config (id, body, version, updated_at) VALUES ($1, $2, $3, $4) \
                                     ON CONFLICT (id) DO NOTHING")
            .bind(id).bind(&body).bind(version).bind(now).execute(c).await?.rows_affected())
    } else {
        on_tx!(tx, c => sqlx::query("UPDATE risk_config SET body = $2, version = $3, updated_at = $4 WHERE id = $1 AND version = $5")
            .bind(id).bind(&body).bind(version).bind(now).bind(version - 1).execute(c).await?.rows_affected())
    };
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// The matrix (the standard 5 × 5 one, version 0, until the risk manager saves one).
pub async fn get_matrix(db: &Db) -> Result<RiskMatrix> {
    get_config(db, MATRIX).await
}

pub async fn get_matrix_tx(tx: &mut Tx) -> Result<RiskMatrix> {
    get_config_tx(tx, MATRIX).await
}

/// Saves a matrix whose version is one more than the stored one (0 = none stored yet).
pub async fn put_matrix(tx: &mut Tx, m: &RiskMatrix, now: i64) -> Result<()> {
    put_config(tx, MATRIX, m, m.version, now).await
}

/// The risk appetite (no rule, version 0, until the risk manager saves one).
pub async fn get_appetite(db: &Db) -> Result<RiskAppetite> {
    get_config(db, APPETITE).await
}

pub async fn get_appetite_tx(tx: &mut Tx) -> Result<RiskAppetite> {
    get_config_tx(tx, APPETITE).await
}

pub async fn put_appetite(tx: &mut Tx, a: &RiskAppetite, now: i64) -> Result<()> {
    put_config(tx, APPETITE, a, a.version, now).await
}

/// The next risk number of a project's register.
pub async fn next_number_tx(tx: &mut Tx, project: Uuid) -> Result<u32> {
    let n: Option<i64> = on_tx!(tx, c => sqlx::query_scalar("SELECT MAX(number) FROM risks WHERE project_id = $1")
        .bind(project).fetch_one(c).await?);
    Ok(u32::try_from(n.unwrap_or(0)).unwrap_or(0) + 1)
}

/// The next number of risks raised directly in a program's register (`program` set) or a
/// portfolio's (only `portfolio`): numbered apart from the projects' risks.
pub async fn next_register_number_tx(
    tx: &mut Tx,
    program: Option<Uuid>,
    portfolio: Uuid,
) -> Result<u32> {
    let n: Option<i64> = match program {
        Some(pg) => on_tx!(tx, c => sqlx::query_scalar(
            "SELECT MAX(number) FROM risks WHERE project_id IS NULL AND program_id = $1")
            .bind(pg).fetch_one(c).await?),
        None => on_tx!(tx, c => sqlx::query_scalar(
            "SELECT MAX(number) FROM risks WHERE project_id IS NULL AND program_id IS NULL AND portfolio_id = $1")
            .bind(portfolio).fetch_one(c).await?),
    };
    Ok(u32::try_from(n.unwrap_or(0)).unwrap_or(0) + 1)
}

pub async fn insert_risk(tx: &mut Tx, r: &Risk, emv: i64, now: i64) -> Result<()> {
    let body = to_body(r)?;
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO risks (id, number, level, project_id, program_id, portfolio_id, kind, status, score, emv, category, next_review, body, version, created_at, updated_at, \
             probability, impact, department, supplier, title, owner, escalation, action_owners) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17, $18, $19, $20, $21, $22, $23)")
            .bind(r.id).bind(i64::from(r.number)).bind(r.level.as_str()).bind(r.project_id).bind(r.program_id).bind(r.portfolio_id)
            .bind(r.kind.as_str()).bind(r.status.as_str()).bind(r.score().map(i64::from)).bind(emv).bind(&r.category)
            .bind(r.next_review.map(|d| d.to_string())).bind(&body).bind(r.version).bind(now)
            .bind(r.rating.as_ref().map(|x| i64::from(x.probability))).bind(r.rating.as_ref().map(|x| i64::from(x.impact())))
            .bind(&r.department).bind(&r.supplier).bind(&r.title).bind(r.owner.trim().to_lowercase())
            .bind(r.escalation.as_ref().map(|e| e.state.as_str())).bind(r.open_action_owners())
            .execute(c).await?;
    });
    Ok(())
}

/// Saves a risk whose version was bumped by one; `Stale` if someone else saved first.
pub async fn update_risk(tx: &mut Tx, r: &Risk, emv: i64, now: i64) -> Result<()> {
    let body = to_body(r)?;
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE risks SET level = $2, project_id = $3, program_id = $4, portfolio_id = $5, kind = $6, status = $7, score = $8, emv = $9, \
         category = $10, next_review = $11, body = $12, version = $13, updated_at = $14, \
         probability = $16, impact = $17, department = $18, supplier = $19, title = $20, owner = $21, escalation = $22, action_owners = $23 WHERE id = $1 AND version = $15")
        .bind(r.id).bind(r.level.as_str()).bind(r.project_id).bind(r.program_id).bind(r.portfolio_id).bind(r.kind.as_str())
        .bind(r.status.as_str()).bind(r.score().map(i64::from)).bind(emv).bind(&r.category).bind(r.next_review.map(|d| d.to_string()))
        .bind(&body).bind(r.version).bind(now).bind(r.version - 1)
        .bind(r.rating.as_ref().map(|x| i64::from(x.probability))).bind(r.rating.as_ref().map(|x| i64::from(x.impact())))
        .bind(&r.department).bind(&r.supplier).bind(&r.title).bind(r.owner.trim().to_lowercase())
        .bind(r.escalation.as_ref().map(|e| e.state.as_str())).bind(r.open_action_owners()).execute(c).await?.rows_affected());
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

pub async fn get_risk(db: &Db, id: Uuid) -> Result<Option<Risk>> {
    let b: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT body FROM risks WHERE id = $1")
        .bind(id).fetch_optional(p).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub async fn get_risk_tx(tx: &mut Tx, id: Uuid) -> Result<Option<Risk>> {
    let b: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT body FROM risks WHERE id = $1")
        .bind(id).fetch_optional(c).await?);
    b.map(|b| from_body(&b)).transpose()
}

pub const RISK_SORTS: &[(&str, &str)] = &[
    ("number", "number"),
    ("score", "score"),
    ("emv", "emv"),
    ("review", "next_review"),
    ("category", "category"),
];

/// Which risks a register list shows.
#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    pub project: Option<Uuid>,
    pub program: Option<Uuid>,
    pub portfolio: Option<Uuid>,
    /// Only risks in this register (`level` column).
    pub level: Option<atrium_core::risk::RegisterLevel>,
    /// Only open risks.
    pub open: bool,
}

pub async fn list_risks(
    db: &Db,
    f: &RiskFilter,
    sort: &str,
    desc: bool,
    page: Page,
) -> Result<(Vec<Risk>, Option<i64>)> {
    let mut q = Query::new("SELECT body FROM risks WHERE 1 = 1");
    if let Some(p) = f.project {
        q.push(" AND project_id = ").bind(Bind::Uuid(p));
    }
    if let Some(p) = f.program {
        q.push(" AND program_id = ").bind(Bind::Uuid(p));
    }
    if let Some(p) = f.portfolio {
        q.push(" AND portfolio_id = ").bind(Bind::Uuid(p));
    }
    if let Some(l) = f.level {
        q.push(" AND level = ")
            .bind(Bind::Text(l.as_str().to_owned()));
    }
    if f.open {
        q.push(" AND status = 'open'");
    }
    let col = RISK_SORTS
        .iter()
        .find(|(k, _)| *k == sort)
        .map_or("number", |(_, c)| c);
    // Unrated risks sort last whatever the direction.
    q.push(&format!(
        " ORDER BY CASE WHEN {col} IS NULL THEN 1 ELSE 0 END, {col} {dir}, id {dir}",
        dir = if desc { "DESC" } else { "ASC" }
    ));
    page.apply(&mut q);
    let rows: Vec<String> = on_db!(db, p => bind_all!(sqlx::query_scalar::<_, String>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    let items = rows
        .iter()
        .map(|b| from_body(b))
        .collect::<Result<Vec<Risk>>>()?;
    Ok(page.finish(items))
}

/// What the portfolio analytics need of one risk, read from columns (no JSON).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RiskRow {
    pub id: Uuid,
    pub number: i64,
    pub project_id: Option<Uuid>,
    pub project_key: Option<String>,
    pub program_id: Option<Uuid>,
    pub portfolio_id: Option<Uuid>,
    pub kind: String,
    pub status: String,
    pub probability: Option<i64>,
    pub impact: Option<i64>,
    pub emv: i64,
    pub category: String,
    pub department: String,
    pub supplier: String,
    pub title: String,
    pub next_review: Option<String>,
}

/// What the heat map, the concentrations and the appetite checks need of one open risk (a
/// slim read: the portfolio view reads tens of thousands of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointRow {
    /// Where the risk sits now (its project's program for a project risk); None unless
    /// asked for (see [`open_points`]).
    pub program_id: Option<Uuid>,
    /// Where the risk sits now; None unless asked for.
    pub portfolio_id: Option<Uuid>,
    /// True for an opportunity, false for a threat.
    pub opportunity: bool,
    pub probability: Option<i64>,
    pub impact: Option<i64>,
    pub emv: i64,
    pub category: String,
    pub department: String,
    pub supplier: String,
    /// The primary strategic driver of the business case its project came from (None for
    /// a register's own risk and for a project without a rated case).
    pub driver: Option<Uuid>,
}

/// Open risks, both halves of every portfolio-wide read: those of unarchived projects
/// (joined to their project, where it sits now) and those raised in program and portfolio
/// registers (no project; their own columns). Two plain halves joined by UNION ALL keep each
/// half's plan as simple as a single join (a LEFT JOIN with an OR on the project side made
/// PostgreSQL fall back to nested loops). `cols` is written once per half with `{pf}`,
/// `{pg}` and `{key}` standing for the portfolio, program and project-key expressions.
fn open_union(
    q: &mut Query,
    cols: &str,
    extra: impl Fn(&mut Query),
    vis: &crate::project::Visibility,
    portfolio: Option<Uuid>,
) {
    open_half(q, Half::Project, cols, &extra, vis, portfolio);
    q.push(" UNION ALL ");
    open_half(q, Half::Register, cols, &extra, vis, portfolio);
}

/// The two halves of [`open_union`].
#[derive(Clone, Copy)]
enum Half {
    /// Risks of unarchived projects, joined to their project.
    Project,
    /// Risks raised directly in a program's or a portfolio's register.
    Register,
}

/// One half of [`open_union`]: `SELECT cols FROM … WHERE …` (no ORDER BY), so that a caller
/// may order and limit each half on its own.
fn open_half(
    q: &mut Query,
    half: Half,
    cols: &str,
    extra: &impl Fn(&mut Query),
    vis: &crate::project::Visibility,
    portfolio: Option<Uuid>,
) {
    match half {
        Half::Project => {
            let cols = cols
                .replace("{pf}", "p.portfolio_id")
                .replace("{pg}", "p.program_id")
                .replace("{key}", "p.key");
            q.push("SELECT ").push(&cols).push(
                " FROM risks r JOIN projects p ON p.id = r.project_id WHERE r.status = 'open'",
            );
            extra(q);
            q.push(" AND p.archived = ").bind(Bind::Bool(false));
            if let Some(pf) = portfolio {
                q.push(" AND p.portfolio_id = ").bind(Bind::Uuid(pf));
            }
            crate::project::push_visibility(q, vis, "p.portfolio_id", "p.program_id", "p.id");
        }
        Half::Register => {
            let cols = cols
                .replace("{pf}", "r.portfolio_id")
                .replace("{pg}", "r.program_id")
                .replace("{key}", "CAST(NULL AS TEXT)");
            q.push("SELECT ")
                .push(&cols)
                .push(" FROM risks r WHERE r.project_id IS NULL AND r.status = 'open'");
            extra(q);
            if let Some(pf) = portfolio {
                q.push(" AND r.portfolio_id = ").bind(Bind::Uuid(pf));
            }
            crate::project::push_visibility(
                q,
                vis,
                "r.portfolio_id",
                "r.program_id",
                "r.project_id",
            );
        }
    }
}

/// The joins every portfolio-wide read of risks shares: the project (for its key, its
/// archived flag and where it sits now), the program and the portfolio (for the key of a
/// register a risk was raised in directly).
const SCOPE_JOINS: &str = " FROM risks r LEFT JOIN projects p ON p.id = r.project_id";

/// Open (or escalated) risks of unarchived projects and of program and portfolio registers,
/// limited to what `vis` lets the caller see. A project risk follows its project when the
/// project moves; a register's own risk has only the risk's columns.
fn scope_where(q: &mut Query, vis: &crate::project::Visibility, portfolio: Option<Uuid>) {
    q.push(" AND (r.project_id IS NULL OR p.archived = ")
        .bind(Bind::Bool(false))
        .push(")");
    if let Some(pf) = portfolio {
        q.push(" AND COALESCE(p.portfolio_id, r.portfolio_id) = ")
            .bind(Bind::Uuid(pf));
    }
    crate::project::push_visibility(
        q,
        vis,
        "COALESCE(p.portfolio_id, r.portfolio_id)",
        "COALESCE(p.program_id, r.program_id)",
        "r.project_id",
    );
}

/// Every open risk of the projects `vis` lets the caller see (optionally one portfolio);
/// with `scopes`, where each sits (program, portfolio).
///
/// The rows come back column by column, one aggregate per column (arrays on PostgreSQL, JSON
/// arrays on SQLite): the driver's cost per value handed over (about a microsecond on
/// SQLite, whose rows cross from a worker thread) made tens of thousands of ten-column rows
/// cost several times the query itself.
pub async fn open_points(
    db: &Db,
    vis: &crate::project::Visibility,
    portfolio: Option<Uuid>,
    scopes: bool,
) -> Result<Vec<PointRow>> {
    // The visible, unarchived projects first, each with the driver of the case it came
    // from (its first by id when several cases name it): one index seek per project, not
    // per risk. Their open risks are then read from risks_points_idx alone.
    let mut q = Query::new(
        "WITH pp AS MATERIALIZED (SELECT p.id, p.program_id, p.portfolio_id, \
         (SELECT pr.primary_driver FROM proposals pr WHERE pr.project_id = p.id \
         AND pr.primary_driver IS NOT NULL ORDER BY pr.primary_driver LIMIT 1) AS driver \
         FROM projects p WHERE p.archived = ",
    );
    q.bind(Bind::Bool(false));
    if let Some(pf) = portfolio {
        q.push(" AND p.portfolio_id = ").bind(Bind::Uuid(pf));
    }
    crate::project::push_visibility(&mut q, vis, "p.portfolio_id", "p.program_id", "p.id");
    q.push(") SELECT ");
    let columns = [
        "opportunity",
        "probability",
        "impact",
        "emv",
        "category",
        "department",
        "supplier",
        "program_id",
        "portfolio_id",
        "driver",
    ];
    for (i, c) in columns.iter().enumerate() {
        let uuid = i >= 7;
        let skipped = !scopes && (i == 7 || i == 8);
        if i > 0 {
            q.push(", ");
        }
        q.push(&match (db, skipped) {
            // Not asked for: an empty list stands for "None for every risk".
            (Db::Sqlite(_), true) => "'[]'".to_owned(),
            (Db::Pg(_), true) => "CAST(NULL AS UUID[])".to_owned(),
            // hex() of NULL is '' on SQLite, read back as None.
            (Db::Sqlite(_), false) if uuid => format!("json_group_array(hex(u.{c}))"),
            (Db::Sqlite(_), false) => format!("json_group_array(u.{c})"),
            (Db::Pg(_), false) => format!("array_agg(u.{c})"),
        });
    }
    q.push(" FROM (");
    let cols = "CAST(CASE WHEN r.kind = 'opportunity' THEN 1 ELSE 0 END AS BIGINT) AS opportunity, \
         r.probability, r.impact, r.emv, r.category, r.department, r.supplier";
    q.push(&format!(
        "SELECT {cols}, pp.program_id, pp.portfolio_id, pp.driver \
         FROM pp JOIN risks r ON r.project_id = pp.id WHERE r.status = 'open'"
    ));
    // A register's own risk: no project, so no case and no driver.
    q.push(" UNION ALL ");
    open_half(
        &mut q,
        Half::Register,
        &format!("{cols}, r.program_id, r.portfolio_id, r.project_id AS driver"),
        &|_: &mut Query| {},
        vis,
        portfolio,
    );
    q.push(") u");
    let text = crate::sql::trusted(&q.text);
    let c = match db {
        Db::Sqlite(p) => {
            type Json = (
                String,
                String,
                String,
                String,
                String,
                String,
                String,
                String,
                String,
                String,
            );
            let j: Json = bind_all!(sqlx::query_as::<_, Json>(text), &q.binds)
                .fetch_one(p)
                .await?;
            let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("open risks: {e}"));
            let ids = |s: &str| -> Result<Vec<Option<Uuid>>> {
                serde_json::from_str::<Vec<String>>(s)
                    .map_err(corrupt)?
                    .iter()
                    .map(|h| match h.as_str() {
                        "" => Ok(None),
                        h => Uuid::parse_str(h)
                            .map(Some)
                            .map_err(|e| StoreError::Corrupt(format!("open risks: {e}"))),
                    })
                    .collect()
            };
            PointColumns {
                opportunity: serde_json::from_str(&j.0).map_err(corrupt)?,
                probability: serde_json::from_str(&j.1).map_err(corrupt)?,
                impact: serde_json::from_str(&j.2).map_err(corrupt)?,
                emv: serde_json::from_str(&j.3).map_err(corrupt)?,
                category: serde_json::from_str(&j.4).map_err(corrupt)?,
                department: serde_json::from_str(&j.5).map_err(corrupt)?,
                supplier: serde_json::from_str(&j.6).map_err(corrupt)?,
                program_id: ids(&j.7)?,
                portfolio_id: ids(&j.8)?,
                driver: ids(&j.9)?,
            }
        }
        Db::Pg(p) => {
            type Arrays = (
                Option<Vec<i64>>,
                Option<Vec<Option<i64>>>,
                Option<Vec<Option<i64>>>,
                Option<Vec<i64>>,
                Option<Vec<String>>,
                Option<Vec<String>>,
                Option<Vec<String>>,
                Option<Vec<Option<Uuid>>>,
                Option<Vec<Option<Uuid>>>,
                Option<Vec<Option<Uuid>>>,
            );
            let a: Arrays = bind_all!(sqlx::query_as::<_, Arrays>(text), &q.binds)
                .fetch_one(p)
                .await?;
            // array_agg of no rows is NULL.
            PointColumns {
                opportunity: a.0.unwrap_or_default(),
                probability: a.1.unwrap_or_default(),
                impact: a.2.unwrap_or_default(),
                emv: a.3.unwrap_or_default(),
                category: a.4.unwrap_or_default(),
                department: a.5.unwrap_or_default(),
                supplier: a.6.unwrap_or_default(),
                program_id: a.7.unwrap_or_default(),
                portfolio_id: a.8.unwrap_or_default(),
                driver: a.9.unwrap_or_default(),
            }
        }
    };
    c.rows()
}

/// [`open_points`] as read: one list per column, in the same row order.
struct PointColumns {
    opportunity: Vec<i64>,
    probability: Vec<Option<i64>>,
    impact: Vec<Option<i64>>,
    emv: Vec<i64>,
    category: Vec<String>,
    department: Vec<String>,
    supplier: Vec<String>,
    /// Empty when not asked for.
    program_id: Vec<Option<Uuid>>,
    /// Empty when not asked for.
    portfolio_id: Vec<Option<Uuid>>,
    driver: Vec<Option<Uuid>>,
}

impl PointColumns {
    fn rows(self) -> Result<Vec<PointRow>> {
        let n = self.opportunity.len();
        let fits = |len: usize, optional: bool| len == n || (optional && len == 0);
        if !(fits(self.probability.len(), false)
            && fits(self.impact.len(), false)
            && fits(self.emv.len(), false)
            && fits(self.category.len(), false)
            && fits(self.department.len(), false)
            && fits(self.supplier.len(), false)
            && fits(self.program_id.len(), true)
            && fits(self.portfolio_id.len(), true)
            && fits(self.driver.len(), false))
        {
            return Err(StoreError::Corrupt(
                "open risks: columns of different lengths".into(),
            ));
        }
        let at = |v: &[Option<Uuid>], i: usize| v.get(i).copied().flatten();
        let mut category = self.category.into_iter();
        let mut department = self.department.into_iter();
        let mut supplier = self.supplier.into_iter();
        Ok((0..n)
            .map(|i| PointRow {
                program_id: at(&self.program_id, i),
                portfolio_id: at(&self.portfolio_id, i),
                opportunity: self.opportunity[i] == 1,
                probability: self.probability[i],
                impact: self.impact[i],
                emv: self.emv[i],
                category: category.next().unwrap_or_default(),
                department: department.next().unwrap_or_default(),
                supplier: supplier.next().unwrap_or_default(),
                driver: self.driver[i],
            })
            .collect())
    }
}

/// Which open threats to list in full.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    /// The worst: score, then EMV, descending.
    Top(i64),
    /// The threats in one heat-map cell (probability, impact), largest EMV first.
    Cell(i64, i64),
}

/// Open threats of the projects `vis` lets the caller see, listed in full.
pub async fn open_threats(
    db: &Db,
    vis: &crate::project::Visibility,
    portfolio: Option<Uuid>,
    pick: Pick,
) -> Result<Vec<RiskRow>> {
    // The worst (or the cell's) threats first, then the key of the register each was
    // raised in for those few rows only: joining programs and portfolios before the LIMIT
    // cost a lookup per open risk.
    let mut q = Query::new(
        "SELECT t.id, t.number, t.project_id, COALESCE(t.project_key, pg.key, pf.key) AS project_key, t.program_id, t.portfolio_id, \
         t.kind, t.status, t.probability, t.impact, t.emv, t.category, t.department, t.supplier, t.title, t.next_review FROM (\
         SELECT * FROM (",
    );
    let cols = "r.id, r.number, r.project_id, {key} AS project_key, r.program_id, r.portfolio_id, r.kind, r.status, r.score, \
         r.probability, r.impact, r.emv, r.category, r.department, r.supplier, r.title, r.next_review";
    let outer_order = match pick {
        Pick::Top(n) => {
            // Each half walks risks_top_idx in its order and stops after n rows; the
            // union of the two short lists is sorted again.
            let threats = |q: &mut Query| {
                q.push(" AND r.kind = 'threat' AND r.score IS NOT NULL");
            };
            for (i, half) in [Half::Project, Half::Register].into_iter().enumerate() {
                q.push(if i == 0 {
                    "SELECT * FROM ("
                } else {
                    " UNION ALL SELECT * FROM ("
                });
                open_half(&mut q, half, cols, &threats, vis, portfolio);
                q.push(" ORDER BY r.score DESC, r.emv DESC, r.id LIMIT ")
                    .bind(Bind::I64(n))
                    .push(&format!(") h{i}"));
            }
            q.push(") u ORDER BY u.score DESC, u.emv DESC, u.id LIMIT ")
                .bind(Bind::I64(n));
            "t.score DESC, t.emv DESC, t.id"
        }
        Pick::Cell(pr, im) => {
            // The cell's levels are bound in each half (placeholders are positional).
            let cell = |q: &mut Query| {
                q.push(" AND r.kind = 'threat' AND r.probability = ")
                    .bind(Bind::I64(pr))
                    .push(" AND r.impact = ")
                    .bind(Bind::I64(im));
            };
            open_union(&mut q, cols, cell, vis, portfolio);
            q.push(") u ORDER BY u.emv DESC, u.id LIMIT 500");
            "t.emv DESC, t.id"
        }
    };
    q.push(") t LEFT JOIN programs pg ON pg.id = t.program_id LEFT JOIN portfolios pf ON pf.id = t.portfolio_id ORDER BY ")
        .push(outer_order);
    Ok(
        on_db!(db, p => bind_all!(sqlx::query_as::<_, RiskRow>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?),
    )
}

/// Open risks whose owner is one of `owners` (compared case-insensitively: a name or an
/// e-mail), for the owners' home pages.
pub async fn owned_by(db: &Db, owners: &[String]) -> Result<Vec<Risk>> {
    let owners: Vec<String> = owners
        .iter()
        .map(|o| o.trim().to_lowercase())
        .filter(|o| !o.is_empty())
        .collect();
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::new("SELECT body FROM risks WHERE status = 'open' AND (owner IN (");
    for (i, o) in owners.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(Bind::Text(o.clone()));
    }
    q.push(")");
    // Owners of open response actions (`,a,b,`); commas cannot be part of an owner there.
    for o in &owners {
        q.push(" OR action_owners LIKE ")
            .bind(Bind::Text(format!(
                "%,{},%",
                like_escape(&o.replace(',', " "))
            )))
            .push(" ESCAPE '\\'");
    }
    q.push(") ORDER BY next_review, number LIMIT 200");
    let rows: Vec<String> = on_db!(db, p => bind_all!(sqlx::query_scalar::<_, String>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    rows.iter().map(|b| from_body(b)).collect()
}

/// Escalated risks of the projects `vis` lets the caller see: only pending ones, or every
/// escalation (for the export), most recently updated first.
pub async fn escalated(
    db: &Db,
    vis: &crate::project::Visibility,
    pending_only: bool,
) -> Result<Vec<Risk>> {
    let mut q = Query::new("SELECT r.body");
    q.push(SCOPE_JOINS).push(" WHERE r.escalation IS NOT NULL");
    if pending_only {
        q.push(" AND r.escalation = 'pending'");
    }
    scope_where(&mut q, vis, None);
    q.push(" ORDER BY r.updated_at DESC LIMIT 1000");
    let rows: Vec<String> = on_db!(db, p => bind_all!(sqlx::query_scalar::<_, String>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    rows.iter().map(|b| from_body(b)).collect()
}

/// Escapes `%`, `_` and `\\` for a `LIKE … ESCAPE '\\'` pattern.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Rewrites today's exposure snapshot of a portfolio from its open risks (project risks
/// and the portfolio's own registers): open risks, Σ EMV of threats, and threats scoring
/// `severe_from` or more. Called in the transaction of every risk write.
pub async fn refresh_exposure(
    tx: &mut Tx,
    portfolio: Uuid,
    day: jiff::civil::Date,
    severe_from: i64,
) -> Result<()> {
    let (open, emv, severe): (i64, Option<i64>, Option<i64>) = on_tx!(tx, c => sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(CASE WHEN kind = 'threat' THEN emv ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN kind = 'threat' AND score >= $2 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM risks WHERE portfolio_id = $1 AND status = 'open'")
        .bind(portfolio).bind(severe_from).fetch_one(c).await?);
    put_exposure(
        tx,
        &Exposure {
            portfolio_id: portfolio,
            day: day.to_string(),
            open_risks: open,
            threat_emv: emv.unwrap_or(0),
            severe: severe.unwrap_or(0),
        },
    )
    .await
}

/// One day's exposure of one portfolio.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Exposure {
    pub portfolio_id: Uuid,
    /// YYYY-MM-DD.
    pub day: String,
    pub open_risks: i64,
    pub threat_emv: i64,
    pub severe: i64,
}

/// Writes (or overwrites) one snapshot; the demo uses it to lay down a history.
pub async fn put_exposure(tx: &mut Tx, e: &Exposure) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO risk_exposure (portfolio_id, day, open_risks, threat_emv, severe) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (portfolio_id, day) DO UPDATE SET open_risks = $3, threat_emv = $4, severe = $5")
        .bind(e.portfolio_id).bind(&e.day).bind(e.open_risks).bind(e.threat_emv).bind(e.severe)
        .execute(c).await.map(|_| ())?);
    Ok(())
}

/// Snapshots from `from` on (and the last one before it, per portfolio, as the starting
/// value), of every portfolio or of the ones given, by day.
pub async fn exposure_since(
    db: &Db,
    portfolios: Option<&[Uuid]>,
    from: jiff::civil::Date,
) -> Result<Vec<Exposure>> {
    let mut q = Query::new(
        "SELECT e.portfolio_id, e.day, e.open_risks, e.threat_emv, e.severe FROM risk_exposure e WHERE (e.day >= ",
    );
    q.bind(Bind::Text(from.to_string()))
        .push(" OR e.day = (SELECT MAX(b.day) FROM risk_exposure b WHERE b.portfolio_id = e.portfolio_id AND b.day < ")
        .bind(Bind::Text(from.to_string()))
        .push("))");
    if let Some(ids) = portfolios {
        q.push(" AND e.portfolio_id IN ").bind_list(ids);
    }
    q.push(" ORDER BY e.day, e.portfolio_id");
    Ok(
        on_db!(db, p => bind_all!(sqlx::query_as::<_, Exposure>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?),
    )
}

/// For each project given that has rated open threats: the worst score and the Σ EMV of
/// its open threats.
pub async fn threats_by_project(db: &Db, projects: &[Uuid]) -> Result<Vec<(Uuid, i64, i64)>> {
    if projects.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::new(
        "SELECT project_id, CAST(MAX(score) AS BIGINT), CAST(SUM(emv) AS BIGINT) FROM risks \
         WHERE status = 'open' AND kind = 'threat' AND score IS NOT NULL AND project_id IN ",
    );
    q.bind_list(projects).push(" GROUP BY project_id");
    let rows: Vec<(Uuid, Option<i64>, Option<i64>)> = on_db!(db, p => bind_all!(sqlx::query_as::<_, (Uuid, Option<i64>, Option<i64>)>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(id, s, e)| (id, s.unwrap_or(0), e.unwrap_or(0)))
        .collect())
}

/// One portfolio's snapshot of one day, if any (in `tx`).
pub async fn exposure_on_tx(
    tx: &mut Tx,
    portfolio: Uuid,
    day: jiff::civil::Date,
) -> Result<Option<Exposure>> {
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Exposure>(
        "SELECT portfolio_id, day, open_risks, threat_emv, severe FROM risk_exposure WHERE portfolio_id = $1 AND day = $2")
        .bind(portfolio).bind(day.to_string()).fetch_optional(c).await?))
}
