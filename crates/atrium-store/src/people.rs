//! People in the resource pool and their skills.

use crate::sql::{Bind, Page, Query, like_pattern};
use crate::{Db, Result, StoreError, Tx, bind_all, on_db, on_tx};
use atrium_core::money::Minor;
use atrium_core::resource::{Person, Skill};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    email: Option<String>,
    department: String,
    job_role: String,
    cost_rate_minor: i64,
    weekly_capacity_minutes: i64,
    user_id: Option<Uuid>,
    archived: bool,
    version: i64,
    line_manager_id: Option<Uuid>,
    generic: bool,
    non_project_minutes: i64,
    working_days: Option<String>,
}

const COLS: &str = "id, name, email, department, job_role, cost_rate_minor, weekly_capacity_minutes, user_id, archived, version, line_manager_id, generic, non_project_minutes, working_days";

fn to_person(r: Row, skills: Vec<Skill>) -> Person {
    Person {
        id: r.id,
        name: r.name,
        email: r.email,
        department: r.department,
        job_role: r.job_role,
        cost_rate: Minor(r.cost_rate_minor),
        weekly_capacity_minutes: i32::try_from(r.weekly_capacity_minutes).unwrap_or(0),
        skills,
        user_id: r.user_id,
        archived: r.archived,
        version: r.version,
        line_manager_id: r.line_manager_id,
        generic: r.generic,
        non_project_minutes: i32::try_from(r.non_project_minutes).unwrap_or(0),
        working_days: r
            .working_days
            .as_deref()
            .and_then(atrium_core::org::WorkCalendar::parse_mask),
    }
}

pub const SORTS: &[(&str, &str)] = &[
    ("name", "name"),
    ("department", "department"),
    ("job_role", "job_role"),
    ("cost_rate", "cost_rate_minor"),
    ("weekly_capacity", "weekly_capacity_minutes"),
];

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub q: Option<String>,
    pub department: Option<String>,
    pub skill: Option<String>,
    pub include_archived: bool,
}

pub async fn list(
    db: &Db,
    f: &Filter,
    sort: &str,
    desc: bool,
    page: Page,
) -> Result<(Vec<Person>, Option<i64>)> {
    let mut q = Query::new(&format!("SELECT {COLS} FROM people WHERE 1 = 1"));
    if !f.include_archived {
        q.push(" AND archived = ").bind(Bind::Bool(false));
    }
    if let Some(text) = f.q.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND LOWER(name) LIKE ")
            .bind(Bind::Text(like_pattern(text)))
            .push(" ESCAPE '\\'");
    }
    if let Some(d) = &f.department {
        q.push(" AND department = ").bind(Bind::Text(d.clone()));
    }
    if let Some(s) = &f.skill {
        q.push(" AND id IN (SELECT person_id FROM person_skills WHERE LOWER(skill) = ")
            .bind(Bind::Text(s.to_lowercase()))
            .push(")");
    }
    let col = SORTS
        .iter()
        .find(|(k, _)| *k == sort)
        .map_or("name", |(_, c)| c);
    q.push(&format!(
        " ORDER BY {col} {dir}, id {dir}",
        dir = if desc { "DESC" } else { "ASC" }
    ));
    page.apply(&mut q);
    let rows: Vec<Row> = on_db!(db, p => bind_all!(sqlx::query_as::<_, Row>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut skills = skills_of(db, &ids).await?;
    let people = rows.into_iter().map(|r| {
        let s = skills.remove(&r.id).unwrap_or_default();
        to_person(r, s)
    });
    Ok(page.finish(people.collect()))
}

async fn skills_of(db: &Db, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Skill>>> {
    let mut out: HashMap<Uuid, Vec<Skill>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = Query::new("SELECT person_id, skill, level FROM person_skills WHERE person_id IN ");
    q.bind_list(ids).push(" ORDER BY skill");
    let rows: Vec<(Uuid, String, i64)> = on_db!(db, p => bind_all!(sqlx::query_as::<_, (Uuid, String, i64)>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    for (id, name, level) in rows {
        out.entry(id).or_default().push(Skill {
            name,
            level: u8::try_from(level).unwrap_or(1),
        });
    }
    Ok(out)
}

pub async fn get(db: &Db, id: Uuid) -> Result<Option<Person>> {
    let sql = format!("SELECT {COLS} FROM people WHERE id = $1");
    let r: Option<Row> = on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(p).await?);
    match r {
        None => Ok(None),
        Some(r) => {
            let s = skills_of(db, &[id]).await?.remove(&id).unwrap_or_default();
            Ok(Some(to_person(r, s)))
        }
    }
}

async fn write_skills(tx: &mut Tx, p: &Person) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("DELETE FROM person_skills WHERE person_id = $1").bind(p.id).execute(&mut *c).await?;
        for s in &p.skills {
            sqlx::query("INSERT INTO person_skills (person_id, skill, level) VALUES ($1, $2, $3)")
                .bind(p.id).bind(&s.name).bind(i64::from(s.level)).execute(&mut *c).await?;
        }
    });
    Ok(())
}

fn mask(p: &Person) -> Option<String> {
    p.working_days.map(|_| p.working_days_mask())
}

/// The whole active pool (or one department) with skills, by name: the supply side of
/// capacity planning. Two queries whatever the size of the pool.
pub async fn pool(db: &Db, department: Option<&str>) -> Result<Vec<Person>> {
    let mut q = Query::new(&format!("SELECT {COLS} FROM people WHERE archived = "));
    q.bind(Bind::Bool(false));
    if let Some(d) = department {
        q.push(" AND department = ").bind(Bind::Text(d.to_owned()));
    }
    q.push(" ORDER BY name, id");
    let rows: Vec<Row> = on_db!(db, p => bind_all!(sqlx::query_as::<_, Row>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    let mut s = Query::new(
        "SELECT s.person_id, s.skill, s.level FROM person_skills s JOIN people p ON p.id = s.person_id WHERE p.archived = ",
    );
    s.bind(Bind::Bool(false));
    if let Some(d) = department {
        s.push(" AND p.department = ")
            .bind(Bind::Text(d.to_owned()));
    }
    s.push(" ORDER BY s.skill");
    let skill_rows: Vec<(Uuid, String, i64)> = on_db!(db, p => bind_all!(sqlx::query_as::<_, (Uuid, String, i64)>(crate::sql::trusted(&s.text)), &s.binds).fetch_all(p).await?);
    let mut skills: HashMap<Uuid, Vec<Skill>> = HashMap::with_capacity(rows.len());
    for (id, name, level) in skill_rows {
        skills.entry(id).or_default().push(Skill {
            name,
            level: u8::try_from(level).unwrap_or(1),
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let s = skills.remove(&r.id).unwrap_or_default();
            to_person(r, s)
        })
        .collect())
}

/// (id, name, department) of these people, in one query.
pub async fn names_of(db: &Db, ids: &[Uuid]) -> Result<Vec<(Uuid, String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::new("SELECT id, name, department FROM people WHERE id IN ");
    q.bind_list(ids);
    Ok(
        on_db!(db, p => bind_all!(sqlx::query_as::<_, (Uuid, String, String)>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?),
    )
}

/// The id of the person with this e-mail (case-insensitive), if any.
pub async fn id_by_email(db: &Db, email: &str) -> Result<Option<Uuid>> {
    let r: Option<(Uuid,)> = on_db!(db, p => sqlx::query_as("SELECT id FROM people WHERE LOWER(email) = $1 LIMIT 1")
        .bind(email.trim().to_lowercase()).fetch_optional(p).await?);
    Ok(r.map(|r| r.0))
}

/// The people whose line manager is `manager`.
pub async fn reports_of(db: &Db, manager: Uuid) -> Result<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = on_db!(db, p => sqlx::query_as("SELECT id FROM people WHERE line_manager_id = $1 AND archived = $2")
        .bind(manager).bind(false).fetch_all(p).await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn insert(tx: &mut Tx, p: &Person, now: i64) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query(crate::sql::trusted(&format!("INSERT INTO people ({COLS}, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)")))
            .bind(p.id).bind(&p.name).bind(&p.email).bind(&p.department).bind(&p.job_role).bind(p.cost_rate.0)
            .bind(i64::from(p.weekly_capacity_minutes)).bind(p.user_id).bind(p.archived).bind(p.version)
            .bind(p.line_manager_id).bind(p.generic).bind(i64::from(p.non_project_minutes)).bind(mask(p)).bind(now)
            .execute(c).await?;
    });
    write_skills(tx, p).await
}

pub async fn update(tx: &mut Tx, p: &Person, now: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
            "UPDATE people SET name = $2, email = $3, department = $4, job_role = $5, cost_rate_minor = $6, \
             weekly_capacity_minutes = $7, user_id = $8, archived = $9, version = $10, updated_at = $11, \
             line_manager_id = $13, generic = $14, non_project_minutes = $15, working_days = $16 \
             WHERE id = $1 AND version = $12")
        .bind(p.id).bind(&p.name).bind(&p.email).bind(&p.department).bind(&p.job_role).bind(p.cost_rate.0)
        .bind(i64::from(p.weekly_capacity_minutes)).bind(p.user_id).bind(p.archived).bind(p.version).bind(now).bind(p.version - 1)
        .bind(p.line_manager_id).bind(p.generic).bind(i64::from(p.non_project_minutes)).bind(mask(p))
        .execute(c).await?.rows_affected());
    if n == 0 {
        return Err(StoreError::Stale);
    }
    write_skills(tx, p).await
}

pub async fn departments(db: &Db) -> Result<Vec<(String, i64)>> {
    Ok(
        on_db!(db, p => sqlx::query_as("SELECT department, COUNT(*) FROM people WHERE archived = $1 GROUP BY department ORDER BY department")
        .bind(false).fetch_all(p).await?),
    )
}

/// Weekly capacity in minutes of the active pool, per job role.
pub async fn capacity_by_role(db: &Db) -> Result<Vec<(String, i64)>> {
    let rows: Vec<(String, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT job_role, CAST(SUM(weekly_capacity_minutes) AS BIGINT) FROM people WHERE archived = $1 GROUP BY job_role ORDER BY job_role")
        .bind(false).fetch_all(p).await?);
    Ok(rows)
}

/// A person's rate changes (effective date, minor units per hour), oldest first.
pub async fn rate_changes(db: &Db, person: Uuid) -> Result<Vec<(String, i64)>> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT effective_from, rate_minor FROM person_rates WHERE person_id = $1 ORDER BY effective_from")
        .bind(person).fetch_all(p).await?))
}

pub async fn rate_changes_tx(tx: &mut Tx, person: Uuid) -> Result<Vec<(String, i64)>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT effective_from, rate_minor FROM person_rates WHERE person_id = $1 ORDER BY effective_from")
        .bind(person).fetch_all(c).await?))
}

/// Sets the rate from `from` on (replacing a change on the same date).
pub async fn put_rate_change(tx: &mut Tx, person: Uuid, from: &str, rate: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM person_rates WHERE person_id = $1 AND effective_from = $2")
        .bind(person).bind(from).execute(c).await.map(|_| ())?);
    on_tx!(tx, c => sqlx::query("INSERT INTO person_rates (person_id, effective_from, rate_minor) VALUES ($1, $2, $3)")
        .bind(person).bind(from).bind(rate).execute(c).await.map(|_| ())?);
    Ok(())
}

/// Removes the change on `from`; false when there was none.
pub async fn delete_rate_change(tx: &mut Tx, person: Uuid, from: &str) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM person_rates WHERE person_id = $1 AND effective_from = $2")
        .bind(person).bind(from).execute(c).await?.rows_affected());
    Ok(n > 0)
}
