//! Fresh, migrated databases for tests in every crate: SQLite always, PostgreSQL when
//! `ATRIUM_TEST_POSTGRES_URL` is set (CI sets it). Each PostgreSQL database is a new schema,
//! so tests run in parallel without seeing each other.

use crate::{Db, Result, on_db};

/// The PostgreSQL URL for tests, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var("ATRIUM_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A fresh migrated SQLite database in a temporary file (WAL needs a file) and its URL.
pub async fn sqlite() -> Result<(Db, String)> {
    let dir = std::env::temp_dir().join("atrium-tests");
    std::fs::create_dir_all(&dir).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    let url = format!(
        "sqlite://{}",
        dir.join(format!("{}.db", uuid::Uuid::now_v7())).display()
    );
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    Ok((db, url))
}

/// A fresh migrated PostgreSQL schema and a URL that selects it.
pub async fn postgres(base: &str) -> Result<(Db, String)> {
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let admin = Db::connect(base).await?;
    on_db!(&admin, p => {
        sqlx::query(crate::sql::trusted(&format!("CREATE SCHEMA {schema}"))).execute(p).await?;
    });
    admin.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    Ok((db, url))
}

/// Removes a database made by [`sqlite`] (the file and its WAL files); close it first.
pub fn remove_sqlite(url: &str) {
    if let Some(path) = url.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            // Already gone is fine.
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
}

/// Drops a schema made by [`postgres`] (`base` and its `url`) with everything in it; close
/// the database first. A URL that does not name such a schema drops nothing.
pub async fn drop_postgres(base: &str, url: &str) -> Result<()> {
    let Some(schema) = url.rsplit_once("search_path%3D").map(|(_, s)| s) else {
        return Ok(());
    };
    let ours = schema.len() == 34
        && schema.starts_with("t_")
        && schema[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if !ours {
        return Ok(());
    }
    let admin = Db::connect(base).await?;
    on_db!(&admin, p => {
        sqlx::query(crate::sql::trusted(&format!("DROP SCHEMA {schema} CASCADE"))).execute(p).await?;
    });
    admin.close().await;
    Ok(())
}

/// Every backend to test on: `("sqlite", db)` and, when configured, `("postgres", db)`.
pub async fn all() -> Result<Vec<(&'static str, Db)>> {
    let mut out = vec![("sqlite", sqlite().await?.0)];
    if let Some(base) = postgres_url() {
        out.push(("postgres", postgres(&base).await?.0));
    }
    Ok(out)
}
