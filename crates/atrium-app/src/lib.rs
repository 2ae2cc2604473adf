//! Atrium's use cases. Every write goes through one function here that authorizes the
//! actor against the permission table, runs in one transaction, applies the core rules,
//! persists, and writes its audit record in the same transaction.

pub mod auth;
pub mod capacity;
pub mod delivery;
pub mod demo;
mod demo_plans;
mod demo_resources;
mod demo_risks;
mod demo_strategy;
pub mod error;
pub mod org;
pub mod permissions;
pub mod plan;
pub mod plan_files;
pub mod records;
pub mod resource;
pub mod risk;
pub mod scenario;
pub mod strategy;
pub mod timesheet;
pub mod users;

pub use auth::Actor;
pub use error::{AppError, Result};
pub use permissions::Action;

use atrium_core::org::OrgSettings;
use atrium_store::{Db, Tx, audit};
use serde::Serialize;
use uuid::Uuid;

/// The application: a database handle plus the rules. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    pub db: Db,
}

impl App {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn now_micros(&self) -> i64 {
        jiff::Timestamp::now().as_microsecond()
    }

    /// Today's date in UTC (the status date default).
    pub fn today(&self) -> jiff::civil::Date {
        jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
    }

    /// The organization settings (created with defaults on first start).
    pub async fn settings(&self) -> Result<OrgSettings> {
        atrium_store::org::get(&self.db)
            .await?
            .ok_or(AppError::NotFound("organization settings"))
    }

    pub(crate) async fn mode(&self) -> Result<atrium_core::org::OperatingMode> {
        Ok(self.settings().await?.operating_mode)
    }
}

/// Writes one audit record inside the caller's transaction.
pub(crate) async fn audit<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    actor: &Actor,
    entity: &str,
    entity_id: impl ToString,
    action: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let row = audit::AuditRow {
        id: Uuid::now_v7(),
        at: jiff::Timestamp::now().as_microsecond(),
        actor_id: (!actor.user_id.is_nil()).then_some(actor.user_id),
        actor_email: actor.email.clone(),
        entity: entity.to_owned(),
        entity_id: entity_id.to_string(),
        action: action.to_owned(),
        before_json: before.and_then(|b| serde_json::to_string(b).ok()),
        after_json: after.and_then(|a| serde_json::to_string(a).ok()),
    };
    audit::insert(tx, &row).await?;
    Ok(())
}

/// The system itself as an actor (CLI administration and the demo loader), so that its
/// writes are audited too.
pub fn system_actor() -> Actor {
    Actor {
        user_id: Uuid::nil(),
        email: "system".into(),
        name: "System".into(),
        grants: vec![atrium_core::identity::Grant {
            role: atrium_core::identity::Role::Admin,
            scope: atrium_core::identity::Scope::Organization,
        }],
        csrf: String::new(),
    }
}
