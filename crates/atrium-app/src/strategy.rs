//! Strategy and intake use cases: strategic drivers and their weights (direct or by AHP
//! pairwise comparison), scoring settings, proposals with business cases through their
//! workflow (an approved proposal becomes a project), and the explained ranking.

use crate::permissions::{Action, allows, authorize, visibility};
use crate::records::{Listed, check_version, map_write, placement_of};
use crate::{Actor, App, AppError, Result, audit};
use atrium_core::identity::Placement;
use atrium_core::money::Minor;
use atrium_core::org::OperatingMode;
use atrium_core::project::{Phase, Project, Rag};
use atrium_core::strategy::{
    Driver, DriverDraft, Judgement, Proposal, ProposalDraft, ProposalState, StrategyConfig,
    Transition, parse_saaty,
};
use atrium_core::validation::limits;
use atrium_optimize::{ahp, finance, scoring};
use atrium_store::Page;
use atrium_store::strategy::{self as st, ProposalFilter};
use atrium_store::{Tx, project};
use serde::Serialize;
use uuid::Uuid;

pub(crate) fn at_portfolio(id: Uuid) -> Placement {
    Placement {
        portfolio: Some(id),
        ..Default::default()
    }
}

/// Drivers with their normalised weights, and the scoring settings.
#[derive(Debug, Clone, Serialize)]
pub struct StrategyView {
    pub drivers: Vec<DriverView>,
    pub config: StrategyConfig,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriverView {
    #[serde(flatten)]
    pub driver: Driver,
    /// Share of the total weight of active drivers (0..1).
    pub share: f64,
}

/// A judgement as typed: `a` is `value` (Saaty 1/9..9) times as important as `b`.
#[derive(Debug, Clone)]
pub struct JudgementInput {
    pub a: Uuid,
    pub b: Uuid,
    pub value: String,
}

/// The result of an accepted pairwise comparison.
#[derive(Debug, Clone, Serialize)]
pub struct PairwiseOutcome {
    pub weights: Vec<(Uuid, f64)>,
    pub consistency_ratio: f64,
}

/// The score of one business case against the current strategy.
#[derive(Debug, Clone, Serialize)]
pub struct CaseScore {
    /// 0–100.
    pub weighted: f64,
    pub risk_multiplier: f64,
    pub risk_adjusted: f64,
    /// Risk-adjusted points per million of cost.
    pub value_per_cost: Option<f64>,
    /// (driver name, points) for every active driver, in driver order.
    pub contributions: Vec<(String, f64)>,
}

/// NPV, IRR and payback of a business case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseFinance {
    pub total_cost: Minor,
    pub total_benefit: Minor,
    pub npv: Minor,
    /// Fraction per year (0.12 = 12 %).
    pub irr: Option<f64>,
    pub payback_years: Option<f64>,
    pub discount_rate_pct: f64,
}

/// One proposal with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalDetail {
    pub proposal: Proposal,
    pub score: CaseScore,
    pub finance: CaseFinance,
    /// Workflow steps this caller may take now.
    pub transitions: Vec<Transition>,
    pub can_edit: bool,
    /// Key of the project it became.
    pub project_key: Option<String>,
}

/// How an approval creates the project.
#[derive(Debug, Clone, Default)]
pub struct ApproveOptions {
    pub project_key: Option<String>,
    pub manager_id: Option<Uuid>,
}

/// One row of the ranked list.
#[derive(Debug, Clone, Serialize)]
pub struct RankedCase {
    pub rank: usize,
    pub case: Proposal,
    /// Active project (approved, live) rather than a pending proposal.
    pub active: bool,
    pub project_id: Option<Uuid>,
    pub project_key: Option<String>,
    pub health: Option<Rag>,
    pub phase: Option<Phase>,
    pub score: CaseScore,
    /// Why it ranks where it does, in words.
    pub explanation: String,
}

pub(crate) struct Strategy {
    pub drivers: Vec<Driver>,
    pub config: StrategyConfig,
    /// Live projects' risk registers, by project: they replace the business case's risk
    /// rating once the project has rated open threats.
    pub registers: std::collections::HashMap<Uuid, RegisterRisk>,
}

/// What a live project's risk register says about its risk, for the risk-adjusted score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RegisterRisk {
    /// The worst score of its open threats on the organization's matrix.
    pub worst: u32,
    /// The matrix's highest score.
    pub max: u32,
    /// Σ EMV of its open threats.
    pub emv: i64,
}

impl RegisterRisk {
    /// On the same 0..=1 scale as a business case's risk rating (rating / 5): the worst
    /// open threat's score over the matrix's highest score.
    fn exposure(&self) -> f64 {
        if self.max == 0 {
            0.0
        } else {
            (f64::from(self.worst) / f64::from(self.max)).clamp(0.0, 1.0)
        }
    }
}

impl Strategy {
    fn active(&self) -> impl Iterator<Item = &Driver> {
        self.drivers.iter().filter(|d| !d.archived)
    }
    fn active_ids(&self) -> Vec<Uuid> {
        self.active().map(|d| d.id).collect()
    }
    fn score_cfg(&self) -> scoring::ScoreConfig {
        scoring::ScoreConfig {
            rating_max: f64::from(atrium_core::strategy::RATING_MAX),
            risk_factor: self.config.risk_factor,
            risk_floor: self.config.risk_floor,
            ..Default::default()
        }
    }
    fn input(&self, p: &Proposal) -> scoring::ScoreInput {
        scoring::ScoreInput {
            ratings: self
                .active()
                .map(|d| f64::from(p.ratings.get(&d.id).copied().unwrap_or(0)))
                .collect(),
            risk_exposure: match p.project_id.and_then(|id| self.registers.get(&id)) {
                Some(r) => r.exposure(),
                None => f64::from(p.risk) / f64::from(atrium_core::strategy::RATING_MAX),
            },
            cost: p.total_cost().0,
        }
    }
    fn weights(&self) -> Vec<f64> {
        self.active().map(|d| d.weight).collect()
    }
    fn names(&self) -> Vec<String> {
        self.active().map(|d| d.name.clone()).collect()
    }
    fn case_score(&self, s: &scoring::Score) -> CaseScore {
        CaseScore {
            weighted: s.weighted,
            risk_multiplier: s.risk_multiplier,
            risk_adjusted: s.risk_adjusted,
            value_per_cost: s.value_per_cost,
            contributions: self
                .names()
                .into_iter()
                .zip(s.contributions.clone())
                .collect(),
        }
    }
    pub(crate) fn score(&self, p: &Proposal) -> CaseScore {
        let s = scoring::score(&self.weights(), &self.input(p), &self.score_cfg());
        self.case_score(&s)
    }
    fn finance(&self, p: &Proposal) -> CaseFinance {
        let (_, flows) = p.cash_flows();
        let rate = self.config.discount_rate_pct / 100.0;
        CaseFinance {
            total_cost: p.total_cost(),
            total_benefit: Minor(p.benefits.iter().map(|b| b.amount.0).sum()),
            npv: Minor(finance::npv(rate, &flows).round() as i64),
            irr: finance::irr(&flows),
            payback_years: finance::payback_years(&flows),
            discount_rate_pct: self.config.discount_rate_pct,
        }
    }
}

fn fmt_ratio(v: f64) -> String {
    if v >= 1.0 {
        format!("{}", (v * 10.0).round() / 10.0)
    } else {
        format!("1/{}", (10.0 / v).round() / 10.0)
    }
}

fn stale_or(e: atrium_store::StoreError, current: i64) -> AppError {
    map_write(e, current, "key", "record", "id")
}

impl App {
    pub(crate) async fn load_strategy(&self) -> Result<Strategy> {
        Ok(Strategy {
            drivers: st::list_drivers(&self.db).await?,
            config: st::get_config(&self.db).await?,
            registers: std::collections::HashMap::new(),
        })
    }

    /// The strategy with the risk registers of the given projects: a live project's
    /// exposure (its worst open threat) replaces its business case's risk rating.
    pub(crate) async fn load_strategy_for(&self, projects: &[Project]) -> Result<Strategy> {
        let mut s = self.load_strategy().await?;
        let live: Vec<Uuid> = projects
            .iter()
            .filter(|p| is_live(p))
            .map(|p| p.id)
            .collect();
        let rows = atrium_store::risk::threats_by_project(&self.db, &live).await?;
        if !rows.is_empty() {
            let max = atrium_store::risk::get_matrix(&self.db).await?.max_score();
            s.registers = rows
                .into_iter()
                .map(|(id, worst, emv)| {
                    let worst = u32::try_from(worst).unwrap_or(0);
                    (id, RegisterRisk { worst, max, emv })
                })
                .collect();
        }
        Ok(s)
    }

    // ----- drivers and weights -----

    pub async fn strategy(&self, actor: &Actor) -> Result<StrategyView> {
        authorize(
            actor,
            Action::ReadStrategy,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let s = self.load_strategy().await?;
        let total: f64 = s.active().map(|d| d.weight).sum();
        let drivers = s
            .drivers
            .iter()
            .map(|d| DriverView {
                driver: d.clone(),
                share: if d.archived || total <= 0.0 {
                    0.0
                } else {
                    d.weight / total
                },
            })
            .collect();
        Ok(StrategyView {
            drivers,
            config: s.config,
        })
    }

    pub async fn create_driver(&self, actor: &Actor, d: &DriverDraft) -> Result<Driver> {
        let mode = self.mode().await?;
        authorize(
            actor,
            Action::ManageStrategy,
            &Placement::ORGANIZATION,
            mode,
        )?;
        let driver = d.validate(Uuid::now_v7(), 1)?;
        let mut tx = self.db.begin().await?;
        let active = st::list_drivers_tx(&mut tx)
            .await?
            .iter()
            .filter(|d| !d.archived)
            .count();
        if active >= atrium_core::strategy::MAX_DRIVERS {
            return Err(AppError::field(
                "name",
                format!(
                    "an organization has at most {} active drivers; archive one first",
                    atrium_core::strategy::MAX_DRIVERS
                ),
            ));
        }
        st::insert_driver(&mut tx, &driver, self.now_micros()).await?;
        audit::<(), _>(
            &mut tx,
            actor,
            "driver",
            driver.id,
            "create",
            None,
            Some(&driver),
        )
        .await?;
        tx.commit().await?;
        Ok(driver)
    }

    pub async fn update_driver(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &DriverDraft,
        expected: i64,
    ) -> Result<Driver> {
        let mode = self.mode().await?;
        authorize(
            actor,
            Action::ManageStrategy,
            &Placement::ORGANIZATION,
            mode,
        )?;
        let mut tx = self.db.begin().await?;
        let before = st::get_driver_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("driver"))?;
        check_version(before.version, expected)?;
        let mut after = d.validate(id, expected + 1)?;
        after.archived = before.archived;
        st::update_driver(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| stale_or(e, before.version))?;
        audit(
            &mut tx,
            actor,
            "driver",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn archive_driver(&self, actor: &Actor, id: Uuid, expected: i64) -> Result<Driver> {
        let mode = self.mode().await?;
        authorize(
            actor,
            Action::ManageStrategy,
            &Placement::ORGANIZATION,
            mode,
        )?;
        let mut tx = self.db.begin().await?;
        let before = st::get_driver_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("driver"))?;
        check_version(before.version, expected)?;
        let after = Driver {
            archived: true,
            version: expected + 1,
            ..before.clone()
        };
        st::update_driver(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| stale_or(e, before.version))?;
        audit(
            &mut tx,
            actor,
            "driver",
            id,
            "archive",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Changes the discount rate and the risk adjustment.
    pub async fn update_scoring(
        &self,
        actor: &Actor,
        discount_rate_pct: &str,
        risk_factor: &str,
        risk_floor: &str,
        expected: i64,
    ) -> Result<StrategyConfig> {
        let mode = self.mode().await?;
        authorize(
            actor,
            Action::ManageStrategy,
            &Placement::ORGANIZATION,
            mode,
        )?;
        let mut v = atrium_core::Validation::new();
        let mut num = |field: &str, raw: &str, lo: f64, hi: f64| -> f64 {
            match raw.trim().parse::<f64>() {
                Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => x,
                _ => {
                    v.add(field, format!("must be a number from {lo} to {hi}"));
                    0.0
                }
            }
        };
        let rate = num("discount_rate_pct", discount_rate_pct, 0.0, 100.0);
        let factor = num("risk_factor", risk_factor, 0.0, 1.0);
        let floor = num("risk_floor", risk_floor, 0.0, 1.0);
        v.finish(())?;
        let mut tx = self.db.begin().await?;
        let before = st::get_config_tx(&mut tx).await?;
        check_version(before.version, expected)?;
        let after = StrategyConfig {
            discount_rate_pct: rate,
            risk_factor: factor,
            risk_floor: floor,
            version: expected + 1,
            ..before.clone()
        };
        st::put_config(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| stale_or(e, before.version))?;
        audit(
            &mut tx,
            actor,
            "strategy",
            "scoring",
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets the weights of the active drivers from pairwise judgements (AHP). Refused when the
    /// consistency ratio exceeds 0.1, naming the judgements that conflict most.
    pub async fn apply_pairwise(
        &self,
        actor: &Actor,
        judgements: &[JudgementInput],
    ) -> Result<PairwiseOutcome> {
        let mode = self.mode().await?;
        authorize(
            actor,
            Action::ManageStrategy,
            &Placement::ORGANIZATION,
            mode,
        )?;
        let mut tx = self.db.begin().await?;
        let drivers: Vec<Driver> = st::list_drivers_tx(&mut tx)
            .await?
            .into_iter()
            .filter(|d| !d.archived)
            .collect();
        if drivers.len() < 2 {
            return Err(AppError::field(
                "judgements",
                "pairwise comparison needs at least two active drivers",
            ));
        }
        let index = |id: Uuid| drivers.iter().position(|d| d.id == id);
        let mut v = atrium_core::Validation::new();
        let mut triples = Vec::new();
        let mut stored = Vec::new();
        for j in judgements {
            let field = format!("pair_{}_{}", j.a, j.b);
            match (index(j.a), index(j.b), parse_saaty(&j.value)) {
                (Some(a), Some(b), Some(x)) if a != b => {
                    triples.push((a, b, x));
                    stored.push(Judgement {
                        a: j.a,
                        b: j.b,
                        value: x,
                    });
                }
                (Some(_), Some(_), None) => {
                    v.add(&field, "must be on Saaty's scale: 1 to 9, or 1/2 to 1/9")
                }
                _ => v.add(&field, "must compare two different active drivers"),
            }
        }
        v.finish(())?;
        let result = ahp::weights(&ahp::matrix_from_judgements(drivers.len(), &triples), 3);
        if !result.acceptable {
            let mut errors = vec![atrium_core::FieldError {
                field: "judgements".into(),
                message: format!(
                    "the comparisons are inconsistent: consistency ratio {:.2} exceeds {:.2}; revise the judgements that conflict most: {}",
                    result.consistency_ratio,
                    ahp::CR_THRESHOLD,
                    result
                        .conflicts
                        .iter()
                        .map(|c| format!(
                            "{} vs {} (you said {}, the others imply about {})",
                            drivers[c.i].name,
                            drivers[c.j].name,
                            fmt_ratio(c.given),
                            fmt_ratio(c.implied)
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            }];
            for c in &result.conflicts {
                errors.push(atrium_core::FieldError {
                    field: format!("pair_{}_{}", drivers[c.i].id, drivers[c.j].id),
                    message: format!(
                        "conflicts with the other judgements (they imply about {})",
                        fmt_ratio(c.implied)
                    ),
                });
            }
            return Err(AppError::Validation(errors));
        }
        let now = self.now_micros();
        let mut weights = Vec::new();
        for (d, w) in drivers.iter().zip(&result.weights) {
            let after = Driver {
                weight: (w * 10_000.0).round() / 10_000.0,
                version: d.version + 1,
                ..d.clone()
            };
            st::update_driver(&mut tx, &after, now)
                .await
                .map_err(|e| stale_or(e, d.version))?;
            weights.push((d.id, after.weight));
        }
        let before = st::get_config_tx(&mut tx).await?;
        let after = StrategyConfig {
            judgements: stored,
            consistency_ratio: Some(result.consistency_ratio),
            version: before.version + 1,
            ..before.clone()
        };
        st::put_config(&mut tx, &after, now)
            .await
            .map_err(|e| stale_or(e, before.version))?;
        audit(
            &mut tx,
            actor,
            "strategy",
            "weights",
            "pairwise",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(PairwiseOutcome {
            weights,
            consistency_ratio: result.consistency_ratio,
        })
    }

    // ----- proposals -----

    pub async fn list_proposals(
        &self,
        actor: &Actor,
        filter: &ProposalFilter,
        sort: &str,
        desc: bool,
        page: Page,
    ) -> Result<Listed<Proposal>> {
        Ok(st::list_proposals(&self.db, filter, &visibility(actor), sort, desc, page).await?)
    }

    pub async fn get_proposal(&self, actor: &Actor, id: Uuid) -> Result<ProposalDetail> {
        let p = st::get_proposal(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("proposal"))?;
        let mode = self.mode().await?;
        let at = at_portfolio(p.portfolio_id);
        authorize(actor, Action::ReadProposals, &at, mode)?;
        let transitions = p
            .state
            .transitions()
            .into_iter()
            .filter(|t| allows(actor, transition_action(*t), &at, mode))
            .collect();
        let project = match p.project_id {
            Some(pid) => project::get(&self.db, pid).await?,
            None => None,
        };
        // A live project's register replaces the case's risk rating, as in the ranking.
        let s = self.load_strategy_for(project.as_slice()).await?;
        let project_key = project.map(|x| x.key);
        Ok(ProposalDetail {
            score: s.score(&p),
            finance: s.finance(&p),
            can_edit: p.state.editable() && allows(actor, Action::UpdateProposal, &at, mode),
            transitions,
            project_key,
            proposal: p,
        })
    }

    pub async fn create_proposal(&self, actor: &Actor, d: &ProposalDraft) -> Result<Proposal> {
        let mode = self.mode().await?;
        let s = self.load_strategy().await?;
        let p = d.validate(Uuid::now_v7(), 1, &s.active_ids())?;
        authorize(
            actor,
            Action::CreateProposal,
            &at_portfolio(p.portfolio_id),
            mode,
        )?;
        let mut tx = self.db.begin().await?;
        st::insert_proposal(&mut tx, &p, self.now_micros())
            .await
            .map_err(|e| map_write(e, 0, "key", "proposal", "portfolio_id"))?;
        audit::<(), _>(&mut tx, actor, "proposal", p.id, "create", None, Some(&p)).await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn update_proposal(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &ProposalDraft,
        expected: i64,
    ) -> Result<Proposal> {
        let mode = self.mode().await?;
        let s = self.load_strategy().await?;
        let mut tx = self.db.begin().await?;
        let before = st::get_proposal_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("proposal"))?;
        authorize(
            actor,
            Action::UpdateProposal,
            &at_portfolio(before.portfolio_id),
            mode,
        )?;
        check_version(before.version, expected)?;
        if !before.state.editable() {
            return Err(AppError::field(
                "state",
                format!(
                    "a {} proposal can no longer be edited",
                    before.state.label().to_lowercase()
                ),
            ));
        }
        let mut after = d.validate(id, expected + 1, &s.active_ids())?;
        if after.portfolio_id != before.portfolio_id {
            authorize(
                actor,
                Action::UpdateProposal,
                &at_portfolio(after.portfolio_id),
                mode,
            )?;
        }
        after.state = before.state;
        after.rationale = before.rationale.clone();
        after.project_id = before.project_id;
        // Ratings of archived drivers stay with the case.
        for (k, r) in &before.ratings {
            after.ratings.entry(*k).or_insert(*r);
        }
        st::update_proposal(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "key", "proposal", "portfolio_id"))?;
        audit(
            &mut tx,
            actor,
            "proposal",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a proposal through its workflow. Approval creates the project.
    pub async fn transition_proposal(
        &self,
        actor: &Actor,
        id: Uuid,
        t: Transition,
        rationale: Option<&str>,
        approve: &ApproveOptions,
        expected: i64,
    ) -> Result<Proposal> {
        let settings = self.settings().await?;
        let mode = settings.operating_mode;
        let s = self.load_strategy().await?;
        let mut tx = self.db.begin().await?;
        let before = st::get_proposal_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("proposal"))?;
        let at = at_portfolio(before.portfolio_id);
        authorize(actor, transition_action(t), &at, mode)?;
        check_version(before.version, expected)?;
        let state = before
            .state
            .after(t)
            .map_err(|m| AppError::field("transition", m))?;
        let rationale = rationale.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = rationale
            && r.chars().count() > limits::NOTE
        {
            return Err(AppError::field(
                "rationale",
                format!("must be at most {} characters", limits::NOTE),
            ));
        }
        if matches!(t, Transition::Defer | Transition::Reject) && rationale.is_none() {
            return Err(AppError::field(
                "rationale",
                "is required: say why the proposal is deferred or rejected",
            ));
        }
        if t == Transition::Score {
            let missing: Vec<&str> = s
                .active()
                .filter(|d| !before.ratings.contains_key(&d.id))
                .map(|d| d.name.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(AppError::field(
                    "transition",
                    format!(
                        "rate the impact on every driver before scoring; missing: {}",
                        missing.join(", ")
                    ),
                ));
            }
        }
        let mut after = Proposal {
            state,
            version: expected + 1,
            rationale: rationale.map(str::to_owned).or(before.rationale.clone()),
            ..before.clone()
        };
        if t == Transition::Approve {
            let p = self
                .project_from_case(
                    &mut tx,
                    actor,
                    &after,
                    approve,
                    settings.currency.as_str(),
                    mode,
                )
                .await?;
            after.project_id = Some(p.id);
        }
        st::update_proposal(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "key", "proposal", "portfolio_id"))?;
        audit(
            &mut tx,
            actor,
            "proposal",
            id,
            t.as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Creates the project an approved business case becomes (audited in the caller's
    /// transaction).
    pub(crate) async fn project_from_case(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        case: &Proposal,
        opts: &ApproveOptions,
        currency: &str,
        mode: OperatingMode,
    ) -> Result<Project> {
        let at = at_portfolio(case.portfolio_id);
        authorize(actor, Action::CreateProject, &at, mode)?;
        if opts.manager_id.is_some() {
            authorize(actor, Action::AssignProjectManager, &at, mode)?;
        }
        let key = match opts
            .project_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            Some(k) => {
                let k = atrium_core::project::ProjectKey::parse(k)
                    .ok_or_else(|| {
                        AppError::field(
                            "project_key",
                            "must look like PRJ-042: letters, a dash, 1–6 digits",
                        )
                    })?
                    .as_str()
                    .to_owned();
                if project::key_taken_tx(tx, &k).await? {
                    return Err(AppError::field(
                        "project_key",
                        "is already used by another project",
                    ));
                }
                k
            }
            None => free_project_key(tx, &case.key).await?,
        };
        let years = case
            .costs
            .iter()
            .map(|c| c.year)
            .max()
            .map_or(1, |last| (last - case.start.year() as i32 + 1).max(1));
        let finish = case
            .start
            .checked_add(jiff::Span::new().months(i64::from(years) * 12))
            .ok()
            .and_then(|d| d.yesterday().ok());
        let p = Project {
            id: Uuid::now_v7(),
            key,
            name: case.title.clone(),
            description: case.description.clone(),
            portfolio_id: case.portfolio_id,
            program_id: None,
            sponsor_id: case.sponsor_id,
            manager_id: opts.manager_id,
            phase: Phase::Initiating,
            planned_start: Some(case.start),
            planned_finish: finish,
            budget: case.total_cost(),
            currency: currency.to_owned(),
            status: Rag::Green,
            status_note: Some(format!("Approved from proposal {}", case.key)),
            archived: false,
            version: 1,
        };
        project::insert(tx, &p, self.now_micros())
            .await
            .map_err(|e| map_write(e, 0, "project_key", "project", "manager_id"))?;
        audit::<(), _>(tx, actor, "project", p.id, "create", None, Some(&p)).await?;
        Ok(p)
    }

    /// Proposals per workflow state, among those the caller may see (home pages).
    pub async fn proposal_counts(&self, actor: &Actor) -> Result<Vec<(ProposalState, i64)>> {
        Ok(st::count_proposals_by_state(&self.db, &visibility(actor))
            .await?
            .into_iter()
            .filter_map(|(s, n)| ProposalState::parse(&s).map(|s| (s, n)))
            .collect())
    }

    // ----- ranking -----

    /// The ranked list of a portfolio's open proposals and live projects with a business
    /// case, each rank explained.
    pub async fn ranking(&self, actor: &Actor, portfolio_id: Uuid) -> Result<Vec<RankedCase>> {
        let mode = self.mode().await?;
        authorize(
            actor,
            Action::ReadProposals,
            &at_portfolio(portfolio_id),
            mode,
        )?;
        let cases = st::proposals_of_portfolio(&self.db, portfolio_id).await?;
        let projects = project::all_in_portfolio(&self.db, portfolio_id).await?;
        let s = self.load_strategy_for(&projects).await?;
        Ok(rank_cases(&s, &cases, &projects))
    }
}

/// The permission a workflow step needs.
pub fn transition_action(t: Transition) -> Action {
    match t {
        Transition::Submit => Action::UpdateProposal,
        Transition::Screen | Transition::Score | Transition::Reopen => Action::ScreenProposal,
        Transition::Approve | Transition::Defer | Transition::Reject => Action::DecideProposal,
    }
}

/// A live project: not closed, cancelled or archived.
pub(crate) fn is_live(p: &Project) -> bool {
    !p.archived && !matches!(p.phase, Phase::Closed | Phase::Cancelled)
}

/// The cases that compete for the portfolio: scored or deferred proposals, and approved
/// cases whose project is live. Returns (case, live project).
pub(crate) fn competing<'a>(
    cases: &'a [Proposal],
    projects: &'a [Project],
) -> Vec<(&'a Proposal, Option<&'a Project>)> {
    cases
        .iter()
        .filter_map(|c| match c.state {
            ProposalState::Submitted
            | ProposalState::Screened
            | ProposalState::Scored
            | ProposalState::Deferred => Some((c, None)),
            ProposalState::Approved => {
                let p = projects
                    .iter()
                    .find(|p| Some(p.id) == c.project_id && is_live(p))?;
                Some((c, Some(p)))
            }
            _ => None,
        })
        .collect()
}

pub(crate) fn rank_cases(
    s: &Strategy,
    cases: &[Proposal],
    projects: &[Project],
) -> Vec<RankedCase> {
    let items = competing(cases, projects);
    let inputs: Vec<scoring::ScoreInput> = items.iter().map(|(c, _)| s.input(c)).collect();
    let names = s.names();
    scoring::rank(&s.weights(), &inputs, &s.score_cfg())
        .into_iter()
        .map(|r| {
            let (case, project) = items[r.item];
            let top: Vec<String> = r
                .drivers
                .iter()
                .filter(|(_, pts)| *pts > 0.05)
                .take(2)
                .map(|(i, pts)| format!("{} {:.1}", names[*i], pts))
                .collect();
            let mut explanation = if top.is_empty() {
                format!(
                    "{:.1} points: no impact rated on any driver",
                    r.score.risk_adjusted
                )
            } else {
                format!(
                    "{:.1} points, mostly {}",
                    r.score.risk_adjusted,
                    top.join(" and ")
                )
            };
            if r.score.risk_penalty > 0.05 {
                explanation.push_str(&format!("; risk takes {:.1}", r.score.risk_penalty));
                if let Some(reg) = case.project_id.and_then(|id| s.registers.get(&id)) {
                    explanation.push_str(&format!(
                        " (its risk register: worst open threat {} of {}, EMV {})",
                        reg.worst,
                        reg.max,
                        Minor(reg.emv).format()
                    ));
                }
            }
            if let Some((i, d)) = r
                .versus_above
                .iter()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .filter(|(_, d)| *d < -0.05)
            {
                explanation.push_str(&format!(
                    "; behind #{} mainly on {} ({:+.1})",
                    r.rank - 1,
                    names[*i],
                    d
                ));
            }
            RankedCase {
                rank: r.rank,
                active: project.is_some(),
                project_id: project.map(|p| p.id),
                project_key: project.map(|p| p.key.clone()),
                health: project.map(|p| p.status),
                phase: project.map(|p| p.phase),
                score: s.case_score(&r.score),
                explanation,
                case: case.clone(),
            }
        })
        .collect()
}

/// A free project key for a case: `PRJ-<number of the proposal key>`, else the next free
/// number after it.
async fn free_project_key(tx: &mut Tx, case_key: &str) -> Result<String> {
    let base: u32 = case_key
        .rsplit_once('-')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(1);
    for n in base..base + 10_000 {
        let k = format!("PRJ-{:03}", n % 1_000_000);
        if !project::key_taken_tx(tx, &k).await? {
            return Ok(k);
        }
    }
    Err(AppError::field(
        "project_key",
        "no free project key found; give one",
    ))
}

/// Placement of a project for permission checks (re-exported for scenarios).
pub(crate) fn project_placement(p: &Project) -> Placement {
    placement_of(p)
}
