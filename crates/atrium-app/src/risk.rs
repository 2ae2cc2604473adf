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

/// A dictionary of labels to small indexes (for the analytics engine's keys).
#[derive(Default)]
struct Dict {
    index: std::collections::HashMap<String, u32>,
    labels: Vec<String>,
}

impl Dict {
    fn of(&mut self, s: &str) -> Option<u32> {
        if s.trim().is_empty() {
            return None;
        }
        let key = s.trim().to_lowercase();
        if let Some(&i) = self.index.get(&key) {
            return Some(i);
        }
        let i = self.labels.len() as u32;
        self.labels.push(s.trim().to_owned());
        self.index.insert(key, i);
        Some(i)
    }
    fn label(&self, k: Option<u32>) -> String {
        k.and_then(|k| self.labels.get(k as usize).cloned())
            .unwrap_or_else(|| "(not set)".into())
    }
}

/// The portfolio view of risk: every open risk the caller can see on the one matrix.
#[derive(Debug, Clone)]
pub struct RiskOverview {
    pub matrix: RiskMatrix,
    /// The risks; `RiskPoint::id` and the heat map's ids index this list.
    pub rows: Vec<atrium_store::risk::RiskRow>,
    pub heat: atrium_core::risk_analytics::HeatMap,
    /// (dimension label, [(key label, concentration)]) for category, department, supplier.
    pub concentrations: Vec<(
        &'static str,
        Vec<(String, atrium_core::risk_analytics::Concentration)>,
    )>,
    /// Top open threats, worst first (indexes into `rows`).
    pub top: Vec<u32>,
    /// Σ EMV of open threats.
    pub threat_emv: i64,
}

impl App {
    /// Heat map with counts and EMV per cell, concentrations and top risks over the open
    /// risks of every project the caller can see (optionally one portfolio).
    pub async fn risk_overview(
        &self,
        actor: &Actor,
        portfolio: Option<Uuid>,
    ) -> Result<RiskOverview> {
        use atrium_core::risk_analytics as ra;
        authorize(
            actor,
            Action::ReadRiskMatrix,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let matrix = rk::get_matrix(&self.db).await?;
        let vis = crate::permissions::visibility(actor);
        let rows = rk::open_rows(&self.db, &vis, portfolio).await?;
        let (mut cats, mut depts, mut sups) = (Dict::default(), Dict::default(), Dict::default());
        let np = matrix.probability.len() as i64;
        let ni = matrix.impact.len() as i64;
        let points: Vec<ra::RiskPoint> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let level =
                    |x: Option<i64>, n: i64| x.filter(|v| (1..=n).contains(v)).map(|v| v as u8);
                ra::RiskPoint {
                    id: i as u32,
                    project: None,
                    program: None,
                    portfolio: None,
                    kind: if r.kind == "opportunity" {
                        ra::Kind::Opportunity
                    } else {
                        ra::Kind::Threat
                    },
                    open: r.status == "open",
                    probability: level(r.probability, np),
                    impact: level(r.impact, ni),
                    emv: r.emv,
                    category: cats.of(&r.category).unwrap_or(u32::MAX),
                    department: depts.of(&r.department),
                    supplier: sups.of(&r.supplier),
                    driver: None,
                    proximity_days: None,
                }
            })
            .collect();
        let m = ra::Matrix {
            probability_levels: np as u8,
            impact_levels: ni as u8,
            bands: matrix.bands.iter().map(|b| b.min_score).collect(),
        };
        let heat = ra::heat_map(&m, &points, |_| true);
        let named = |d: &Dict, dim: ra::Dimension| -> Vec<(String, ra::Concentration)> {
            ra::concentrations(&m, &points, dim, ra::Kind::Threat)
                .into_iter()
                .map(|c| {
                    let label = match (dim, c.key) {
                        (ra::Dimension::Category, Some(u32::MAX)) => "(not set)".to_owned(),
                        _ => d.label(c.key),
                    };
                    (label, c)
                })
                .collect()
        };
        let concentrations = vec![
            ("Category", named(&cats, ra::Dimension::Category)),
            ("Department", named(&depts, ra::Dimension::Department)),
            ("Supplier", named(&sups, ra::Dimension::Supplier)),
        ];
        let top = ra::top_risks(&m, &points, 20);
        let threat_emv = points
            .iter()
            .filter(|p| p.kind == ra::Kind::Threat)
            .map(|p| p.emv)
            .sum();
        Ok(RiskOverview {
            matrix,
            rows,
            heat,
            concentrations,
            top,
            threat_emv,
        })
    }
}
