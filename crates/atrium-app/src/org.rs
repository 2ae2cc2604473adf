//! Organization settings: read by everyone, changed by the PMO director and admins.

use crate::permissions::{Action, authorize};
use crate::{Actor, App, AppError, Result, audit};
use atrium_core::identity::Placement;
use atrium_core::money::Currency;
use atrium_core::org::{
    OperatingMode, OrgSettings, OrgSettingsDraft, ReportingCycle, WorkCalendar,
};
use atrium_store::StoreError;

/// Settings of a new installation.
pub fn default_settings(name: &str) -> OrgSettings {
    OrgSettings {
        name: name.to_owned(),
        currency: Currency::parse("EUR").unwrap_or_else(|| unreachable!()),
        fiscal_year_start_month: 1,
        operating_mode: OperatingMode::Controlling,
        reporting_cycle: ReportingCycle::Monthly,
        calendar: WorkCalendar::default(),
        version: 1,
    }
}

impl App {
    /// Creates the settings row if missing (idempotent; called at start-up).
    pub async fn ensure_settings(&self) -> Result<()> {
        let mut tx = self.db.begin().await?;
        atrium_store::org::init(
            &mut tx,
            &default_settings("My organization"),
            self.now_micros(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn read_settings(&self, actor: &Actor) -> Result<OrgSettings> {
        let s = self.settings().await?;
        authorize(
            actor,
            Action::ReadSettings,
            &Placement::ORGANIZATION,
            s.operating_mode,
        )?;
        Ok(s)
    }

    /// Replaces the settings; `version` is the one the caller read.
    pub async fn update_settings(
        &self,
        actor: &Actor,
        draft: &OrgSettingsDraft,
        version: i64,
    ) -> Result<OrgSettings> {
        let mut tx = self.db.begin().await?;
        let before = atrium_store::org::get_tx(&mut tx)
            .await?
            .ok_or(AppError::NotFound("organization settings"))?;
        authorize(
            actor,
            Action::UpdateSettings,
            &Placement::ORGANIZATION,
            before.operating_mode,
        )?;
        let after = draft.validate(version + 1)?;
        match atrium_store::org::update(&mut tx, &after, self.now_micros()).await {
            Err(StoreError::Stale) => {
                return Err(AppError::Stale {
                    current: before.version,
                });
            }
            r => r?,
        }
        audit(
            &mut tx,
            actor,
            "org_settings",
            1,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
