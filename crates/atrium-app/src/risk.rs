//! Risk use cases: the organization's risk matrix (set by the risk manager, used by every
//! register) and project risk registers — record, rate (every rating change is kept in the
//! risk's history), respond, review. Authorized, one transaction, audited.

use crate::permissions::{Action, allows, authorize};
use crate::records::{Listed, check_version, map_write, placement_of};
use crate::{Actor, App, AppError, Result, audit};
use atrium_core::identity::Placement;
use atrium_core::risk::{MatrixDraft, Risk, RiskDraft, RiskMatrix};
use atrium_store::risk::{self as rk, RiskFilter};
use atrium_store::{Page, project};
use uuid::Uuid;

/// A risk with what the caller may do with it.
#[derive(Debug, Clone)]
pub struct RiskDetail {
    pub risk: Risk,
    pub matrix: RiskMatrix,
    pub project_key: String,
    pub project_name: String,
    pub can_edit: bool,
}

impl App {
    /// The organization's matrix (every signed-in user may read it).
    pub async fn risk_matrix(&self, actor: &Actor) -> Result<RiskMatrix> {
        authorize(
            actor,
            Action::ReadRiskMatrix,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        Ok(rk::get_matrix(&self.db).await?)
    }

    pub async fn set_risk_matrix(
        &self,
        actor: &Actor,
        d: &MatrixDraft,
        expected: i64,
    ) -> Result<RiskMatrix> {
        authorize(
            actor,
            Action::ManageRiskMatrix,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let mut tx = self.db.begin().await?;
        let before = rk::get_matrix_tx(&mut tx).await?;
        check_version(before.version, expected)?;
        let after = d.validate(expected + 1)?;
        rk::put_matrix(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "bands", "risk matrix", "bands"))?;
        audit(
            &mut tx,
            actor,
            "risk_matrix",
            Uuid::nil(),
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A project's register (the project must be readable), with the matrix it is rated on.
    pub async fn project_risks(
        &self,
        actor: &Actor,
        project_id: Uuid,
        open_only: bool,
        sort: &str,
        desc: bool,
        page: Page,
    ) -> Result<(Listed<Risk>, RiskMatrix)> {
        self.delivery_project(actor, project_id, Action::ReadRisks)
            .await?;
        let f = RiskFilter {
            project: Some(project_id),
            open: open_only,
            ..Default::default()
        };
        Ok((
            rk::list_risks(&self.db, &f, sort, desc, page).await?,
            rk::get_matrix(&self.db).await?,
        ))
    }

    /// Records a risk in a project's register.
    pub async fn create_risk(
        &self,
        actor: &Actor,
        project_id: Uuid,
        d: &RiskDraft,
    ) -> Result<Risk> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let p = self
            .project_tx(&mut tx, actor, project_id, Action::EditRisks, mode)
            .await?;
        let m = rk::get_matrix_tx(&mut tx).await?;
        let f = d.validate(&m)?;
        let number = rk::next_number_tx(&mut tx, project_id).await?;
        let mut r =
            Risk::new_in_project(Uuid::now_v7(), number, p.id, p.program_id, p.portfolio_id);
        let now = self.now_micros();
        r.apply(f, now, &actor.email);
        rk::insert_risk(&mut tx, &r, r.emv(&m), now)
            .await
            .map_err(|e| map_write(e, 0, "title", "risk", "project"))?;
        audit::<(), _>(&mut tx, actor, "risk", r.id, "create", None, Some(&r)).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn get_risk(&self, actor: &Actor, id: Uuid) -> Result<RiskDetail> {
        let r = rk::get_risk(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("risk"))?;
        let project_id = r.project_id.ok_or(AppError::NotFound("risk"))?;
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("risk"))?;
        let mode = self.mode().await?;
        let at = placement_of(&p);
        authorize(actor, Action::ReadRisks, &at, mode)?;
        Ok(RiskDetail {
            can_edit: allows(actor, Action::EditRisks, &at, mode),
            matrix: rk::get_matrix(&self.db).await?,
            project_key: p.key,
            project_name: p.name,
            risk: r,
        })
    }

    /// Updates a risk; a new rating is added to its history.
    pub async fn update_risk(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &RiskDraft,
        expected: i64,
    ) -> Result<Risk> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = rk::get_risk_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("risk"))?;
        let project_id = before.project_id.ok_or(AppError::NotFound("risk"))?;
        self.project_tx(&mut tx, actor, project_id, Action::EditRisks, mode)
            .await?;
        check_version(before.version, expected)?;
        let m = rk::get_matrix_tx(&mut tx).await?;
        let f = d.validate(&m)?;
        let mut after = before.clone();
        let now = self.now_micros();
        after.apply(f, now, &actor.email);
        after.version += 1;
        rk::update_risk(&mut tx, &after, after.emv(&m), now)
            .await
            .map_err(|e| map_write(e, before.version, "title", "risk", "project"))?;
        audit(
            &mut tx,
            actor,
            "risk",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
