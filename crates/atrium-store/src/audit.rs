//! The audit trail: one row per write, in the write's own transaction.

use crate::sql::{Bind, Page, Query};
use crate::{Db, Result, Tx, bind_all, on_db, on_tx};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub at: i64,
    pub actor_id: Option<Uuid>,
    pub actor_email: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

pub async fn insert(tx: &mut Tx, r: &AuditRow) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO audit_log (id, at, actor_id, actor_email, entity, entity_id, action, before_json, after_json) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(r.id).bind(r.at).bind(r.actor_id).bind(&r.actor_email).bind(&r.entity).bind(&r.entity_id)
            .bind(&r.action).bind(&r.before_json).bind(&r.after_json)
            .execute(c).await?;
    });
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// Newest first.
pub async fn list(db: &Db, f: &Filter, page: Page) -> Result<(Vec<AuditRow>, Option<i64>)> {
    let mut q = Query::new(
        "SELECT id, at, actor_id, actor_email, entity, entity_id, action, before_json, after_json FROM audit_log WHERE 1 = 1",
    );
    if let Some(e) = &f.entity {
        q.push(" AND entity = ").bind(Bind::Text(e.clone()));
    }
    if let Some(e) = &f.entity_id {
        q.push(" AND entity_id = ").bind(Bind::Text(e.clone()));
    }
    if let Some(a) = f.actor_id {
        q.push(" AND actor_id = ").bind(Bind::Uuid(a));
    }
    if let Some(t) = f.from {
        q.push(" AND at >= ").bind(Bind::I64(t));
    }
    if let Some(t) = f.to {
        q.push(" AND at < ").bind(Bind::I64(t));
    }
    q.push(" ORDER BY at DESC, id DESC");
    page.apply(&mut q);
    let rows: Vec<AuditRow> = on_db!(db, p => bind_all!(sqlx::query_as::<_, AuditRow>(crate::sql::trusted(&q.text)), &q.binds).fetch_all(p).await?);
    Ok(page.finish(rows))
}
