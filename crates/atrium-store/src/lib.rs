//! Atrium's persistence: one `Db` over SQLite or PostgreSQL, migrations per backend, and
//! every SQL statement of the project (no other crate contains SQL).
//!
//! Query code is written once and compiled once per backend by the `on_tx!`/`on_db!`
//! macros, so binds and decodes are checked for both. Placeholders are `$1..$n` only.

pub mod audit;
pub mod delivery;
pub mod identity;
pub mod org;
pub mod people;
pub mod plan;
pub mod portfolio;
pub mod project;
pub mod resource;
pub mod risk;
mod sql;
pub mod strategy;
pub mod testing;

use sqlx::pool::PoolOptions;
use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub use sql::{Bind, Page, Query};

/// A database handle: the same code runs on either backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// An open transaction on either backend. Dropping it without `commit` rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Pg(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$c` bound to the transaction's connection, once per backend.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Pg(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Runs `$body` with `$p` bound to the pool, once per backend.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($p) => $body,
            $crate::Db::Pg($p) => $body,
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the constraint's name tells which.
    #[error("unique constraint {0} violated")]
    Unique(String),
    /// A foreign key refused the write (the referenced record does not exist).
    #[error("foreign key violated")]
    ForeignKey,
    #[error("not found")]
    NotFound,
    /// The record changed since it was read (optimistic concurrency).
    #[error("stale version")]
    Stale,
    #[error("invalid stored value: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Db(#[source] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            match d.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    // PostgreSQL names the constraint; SQLite names the columns ("users.email").
                    let name = d
                        .constraint()
                        .map(str::to_owned)
                        .unwrap_or_else(|| d.message().to_owned());
                    return StoreError::Unique(name);
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => return StoreError::ForeignKey,
                _ => {}
            }
        }
        if matches!(e, sqlx::Error::RowNotFound) {
            return StoreError::NotFound;
        }
        StoreError::Db(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Pg(pool))
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Reads dominate: map the file and keep a larger page cache per connection.
                .pragma("mmap_size", "268435456")
                .pragma("cache_size", "-16000")
                .pragma("temp_store", "memory");
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = PoolOptions::new()
                // An in-memory database lives in one connection.
                .max_connections(if in_memory { 1 } else { 8 })
                .min_connections(if in_memory { 1 } else { 0 })
                .idle_timeout(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(600))
                })
                .max_lifetime(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(3600))
                })
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(StoreError::Db(sqlx::Error::Configuration(
                format!(
                    "unsupported database URL (expected sqlite:// or postgres://): {}",
                    redact(url)
                )
                .into(),
            )))
        }
    }

    /// Applies pending migrations. Only `serve` and `migrate` call this (SQLite has no
    /// migration lock; PostgreSQL's advisory lock makes concurrent servers safe).
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Pg(p) => PG_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Pg(_) => "postgres",
        }
    }

    /// A cheap round trip for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        on_db!(self, p => { sqlx::query("SELECT 1").execute(p).await?; });
        Ok(())
    }

    /// After a bulk load, brings these tables where autovacuum leaves them a little later on
    /// PostgreSQL: planner statistics and the visibility map (which index-only scans need).
    /// Nothing on SQLite, whose plans here need neither.
    pub async fn vacuum_analyze(&self, tables: &[&'static str]) -> Result<()> {
        if let Db::Pg(p) = self
            && !tables.is_empty()
        {
            let sql = format!("VACUUM (ANALYZE) {}", tables.join(", "));
            sqlx::query(sql::trusted(&sql)).execute(p).await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }

    /// Table -> sorted (column, not-null) list, for the schema-parity test.
    pub async fn schema(&self) -> Result<std::collections::BTreeMap<String, Vec<(String, bool)>>> {
        let mut out: std::collections::BTreeMap<String, Vec<(String, bool)>> = Default::default();
        let rows: Vec<(String, String, bool)> = match self {
            Db::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT m.name, c.name, c.\"notnull\" = 1 OR c.pk > 0 FROM sqlite_master m \
                     JOIN pragma_table_info(m.name) c WHERE m.type = 'table' \
                     AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
                )
                .fetch_all(p)
                .await?
            }
            Db::Pg(p) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text, is_nullable = 'NO' FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
                )
                .fetch_all(p)
                .await?
            }
        };
        for (t, c, nn) in rows {
            out.entry(t).or_default().push((c, nn));
        }
        for cols in out.values_mut() {
            cols.sort();
        }
        Ok(out)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Microseconds since the Unix epoch, the stored form of every timestamp.
pub fn micros(ts: jiff::Timestamp) -> i64 {
    ts.as_microsecond()
}

pub fn from_micros(us: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(us).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

pub(crate) fn parse_date(s: Option<String>) -> Result<Option<jiff::civil::Date>> {
    s.map(|s| {
        s.parse::<jiff::civil::Date>()
            .map_err(|_| StoreError::Corrupt(format!("date {s}")))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
