//! Users, role grants, web sessions, API tokens and failed-login records. Session and token
//! ids are stored as SHA-256 hashes by the caller, never as the secret itself.

use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use atrium_core::identity::{Grant, Role, Scope};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub disabled: bool,
    pub version: i64,
}

const USER_COLS: &str = "id, email, name, password_hash, disabled, version";

pub async fn insert_user(tx: &mut Tx, u: &UserRow, now: i64) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO users (id, email, name, password_hash, disabled, version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(u.id).bind(&u.email).bind(&u.name).bind(&u.password_hash).bind(u.disabled).bind(u.version).bind(now)
            .execute(c).await?;
    });
    Ok(())
}

pub async fn user_by_email(db: &Db, email: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE email = $1");
    Ok(
        on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).bind(email).fetch_optional(p).await?),
    )
}

pub async fn user_by_email_tx(tx: &mut Tx, email: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE email = $1");
    Ok(
        on_tx!(tx, c => sqlx::query_as(crate::sql::trusted(&sql)).bind(email).fetch_optional(c).await?),
    )
}

pub async fn user_by_id(db: &Db, id: Uuid) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
    Ok(on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).bind(id).fetch_optional(p).await?))
}

pub async fn list_users(db: &Db) -> Result<Vec<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users ORDER BY email");
    Ok(on_db!(db, p => sqlx::query_as(crate::sql::trusted(&sql)).fetch_all(p).await?))
}

/// (id, name) of every enabled user, for pickers and labels.
pub async fn user_names(db: &Db) -> Result<Vec<(Uuid, String)>> {
    Ok(
        on_db!(db, p => sqlx::query_as("SELECT id, name FROM users WHERE disabled = $1 ORDER BY name").bind(false).fetch_all(p).await?),
    )
}

pub async fn set_password(tx: &mut Tx, id: Uuid, hash: &str) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE users SET password_hash = $2, version = version + 1 WHERE id = $1")
        .bind(id).bind(hash).execute(c).await?.rows_affected());
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Disables or enables a user; disabling also ends every session and token at once.
pub async fn set_disabled(tx: &mut Tx, id: Uuid, disabled: bool) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE users SET disabled = $2, version = version + 1 WHERE id = $1")
        .bind(id).bind(disabled).execute(c).await?.rows_affected());
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    if disabled {
        on_tx!(tx, c => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *c).await?;
            sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(id).execute(&mut *c).await?;
        });
    }
    Ok(())
}

fn grant_from(role: &str, kind: &str, id: Option<Uuid>) -> Result<Grant> {
    let role = Role::parse(role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?;
    let scope =
        Scope::from_parts(kind, id).ok_or_else(|| StoreError::Corrupt(format!("scope {kind}")))?;
    Ok(Grant { role, scope })
}

pub async fn grants_of(db: &Db, user: Uuid) -> Result<Vec<Grant>> {
    let rows: Vec<(String, String, Option<Uuid>)> = on_db!(db, p =>
        sqlx::query_as("SELECT role, scope_kind, scope_id FROM grants WHERE user_id = $1").bind(user).fetch_all(p).await?);
    rows.iter().map(|(r, k, i)| grant_from(r, k, *i)).collect()
}

/// Every grant of every user, for the user list.
pub async fn all_grants(db: &Db) -> Result<Vec<(Uuid, Grant)>> {
    let rows: Vec<(Uuid, String, String, Option<Uuid>)> = on_db!(db, p =>
        sqlx::query_as("SELECT user_id, role, scope_kind, scope_id FROM grants").fetch_all(p).await?);
    rows.iter()
        .map(|(u, r, k, i)| Ok((*u, grant_from(r, k, *i)?)))
        .collect()
}

/// Adds a grant unless the user already has it.
pub async fn add_grant(tx: &mut Tx, user: Uuid, g: &Grant) -> Result<bool> {
    let exists: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT 1 FROM grants WHERE user_id = $1 AND role = $2 AND scope_kind = $3 AND \
             (scope_id = $4 OR (scope_id IS NULL AND $5))")
        .bind(user).bind(g.role.as_str()).bind(g.scope.kind()).bind(g.scope.id()).bind(g.scope.id().is_none())
        .fetch_optional(c).await?);
    if exists.is_some() {
        return Ok(false);
    }
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO grants (id, user_id, role, scope_kind, scope_id) VALUES ($1, $2, $3, $4, $5)")
            .bind(Uuid::now_v7()).bind(user).bind(g.role.as_str()).bind(g.scope.kind()).bind(g.scope.id())
            .execute(c).await?;
    });
    Ok(true)
}

/// The user behind a live session or token (enabled users only), with its grants and, for
/// sessions, its CSRF token. Read in one query: it runs on every request.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub csrf_token: String,
    pub grants: Vec<Grant>,
}

type AuthRow = (
    Uuid,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<Uuid>,
);

fn authenticated(rows: Vec<AuthRow>) -> Result<Option<Authenticated>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut a = Authenticated {
        id: first.0,
        email: first.1.clone(),
        name: first.2.clone(),
        csrf_token: first.3.clone(),
        grants: vec![],
    };
    for (_, _, _, _, role, kind, scope_id) in &rows {
        if let (Some(role), Some(kind)) = (role, kind) {
            a.grants.push(grant_from(role, kind, *scope_id)?);
        }
    }
    Ok(Some(a))
}

pub async fn insert_session(
    tx: &mut Tx,
    id_hash: &str,
    user: Uuid,
    csrf: &str,
    now: i64,
    expires: i64,
) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id_hash).bind(user).bind(csrf).bind(now).bind(expires).execute(c).await?;
    });
    Ok(())
}

pub async fn session_user(db: &Db, id_hash: &str, now: i64) -> Result<Option<Authenticated>> {
    let rows: Vec<AuthRow> = on_db!(db, p => sqlx::query_as(
            "SELECT u.id, u.email, u.name, s.csrf_token, g.role, g.scope_kind, g.scope_id \
             FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN grants g ON g.user_id = u.id \
             WHERE s.id = $1 AND s.expires_at > $2 AND u.disabled = $3")
        .bind(id_hash).bind(now).bind(false).fetch_all(p).await?);
    authenticated(rows)
}

pub async fn delete_session(tx: &mut Tx, id_hash: &str) -> Result<()> {
    on_tx!(tx, c => { sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id_hash).execute(c).await?; });
    Ok(())
}

pub async fn insert_token(
    tx: &mut Tx,
    id_hash: &str,
    user: Uuid,
    now: i64,
    expires: i64,
) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO api_tokens (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(id_hash).bind(user).bind(now).bind(expires).execute(c).await?;
    });
    Ok(())
}

pub async fn token_user(db: &Db, id_hash: &str, now: i64) -> Result<Option<Authenticated>> {
    let rows: Vec<AuthRow> = on_db!(db, p => sqlx::query_as(
            "SELECT u.id, u.email, u.name, '' AS csrf_token, g.role, g.scope_kind, g.scope_id \
             FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN grants g ON g.user_id = u.id \
             WHERE t.id = $1 AND t.expires_at > $2 AND u.disabled = $3")
        .bind(id_hash).bind(now).bind(false).fetch_all(p).await?);
    authenticated(rows)
}

/// Removes expired sessions and tokens and old failed-login records.
pub async fn purge_expired(db: &Db, now: i64, failures_before: i64) -> Result<()> {
    on_db!(db, p => {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(p).await?;
        sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1").bind(now).execute(p).await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(failures_before).execute(p).await?;
    });
    Ok(())
}

pub async fn record_login_failure(db: &Db, email: &str, now: i64) -> Result<()> {
    on_db!(db, p => {
        sqlx::query("INSERT INTO login_failures (id, email, at) VALUES ($1, $2, $3)")
            .bind(Uuid::now_v7()).bind(email).bind(now).execute(p).await?;
    });
    Ok(())
}

pub async fn login_failures_since(db: &Db, email: &str, since: i64) -> Result<i64> {
    Ok(
        on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE email = $1 AND at >= $2")
        .bind(email).bind(since).fetch_one(p).await?),
    )
}

pub async fn clear_login_failures(db: &Db, email: &str) -> Result<()> {
    on_db!(db, p => { sqlx::query("DELETE FROM login_failures WHERE email = $1").bind(email).execute(p).await?; });
    Ok(())
}

pub async fn count_users(db: &Db) -> Result<i64> {
    Ok(on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(p).await?))
}
