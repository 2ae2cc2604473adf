//! Portfolio scenarios and analysis: the optimization model built from business cases, the
//! resource pool and a scenario's budgets; saving, copying, comparing and committing
//! scenarios (proceed / defer / terminate applied to every item); and the portfolio views
//! (bubble data, capacity against demand by role and quarter, health roll-up, roadmap).

use crate::permissions::{Action, authorize, visibility};
use crate::records::{Listed, check_version, map_write};
use crate::strategy::{
    ApproveOptions, RankedCase, Strategy, at_portfolio, competing, is_live, project_placement,
    rank_cases,
};
use crate::{Actor, App, AppError, Result, audit};
use atrium_core::money::Minor;
use atrium_core::portfolio::Portfolio;
use atrium_core::project::{Phase, Project, Rag};
use atrium_core::strategy::{
    Decision, ForceMode, LinkKind, Proposal, ProposalState, RoleLoad, Scenario, ScenarioDraft,
    ScenarioItem, ScenarioResult,
};
use atrium_optimize as opt;
use atrium_store::Page;
use atrium_store::{people, portfolio, project, strategy as st};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Simplex pivots allowed for one scenario's selection (about 2 s of CPU at 300 candidates).
const ITERATION_LIMIT: u64 = 8_000;
/// Points of the efficient frontier and the budget range they cover (× the scenario budget).
const FRONTIER_POINTS: usize = 21;
const FRONTIER_LOW: f64 = 0.0;
const FRONTIER_HIGH: f64 = 2.0;

/// The planning horizon: fiscal years from `first_year`, quarters counted from its start.
#[derive(Debug, Clone, Copy)]
pub struct Horizon {
    pub first_year: i32,
    pub years: usize,
    /// 1 = January.
    pub fy_start_month: i8,
}

impl Horizon {
    pub fn quarters(&self) -> usize {
        self.years * 4
    }
    /// Fiscal year a date falls in (named by the calendar year it starts in).
    pub fn fiscal_year(&self, d: Date) -> i32 {
        if d.month() >= self.fy_start_month {
            i32::from(d.year())
        } else {
            i32::from(d.year()) - 1
        }
    }
    /// Quarter index of a date from the horizon start (negative before it).
    pub fn quarter_of(&self, d: Date) -> i64 {
        let months = (i64::from(d.year()) - i64::from(self.first_year)) * 12
            + i64::from(d.month() - self.fy_start_month);
        months.div_euclid(3)
    }
    /// "Q2 FY2027".
    pub fn quarter_label(&self, q: usize) -> String {
        format!("Q{} FY{}", q % 4 + 1, self.first_year + (q / 4) as i32)
    }
    pub fn start_date(&self, q: usize) -> Date {
        let months = i64::from(self.fy_start_month - 1) + 3 * q as i64;
        Date::new(
            (i64::from(self.first_year) + months / 12) as i16,
            (months % 12 + 1) as i8,
            1,
        )
        .unwrap_or(Date::constant(2000, 1, 1))
    }
}

/// Everything a scenario's model is built from.
pub(crate) struct ModelInput<'a> {
    pub strategy: &'a Strategy,
    pub cases: &'a [Proposal],
    pub projects: &'a [Project],
    /// FTE per job role in the pool.
    pub pool: &'a [(String, f64)],
    pub horizon: Horizon,
    pub budget: &'a [Minor],
    pub forced: &'a BTreeMap<Uuid, ForceMode>,
}

/// The optimization problem plus what is needed to read its answer.
pub(crate) struct Model<'a> {
    pub problem: opt::Problem,
    pub items: Vec<(&'a Proposal, Option<&'a Project>)>,
    pub values: Vec<f64>,
    pub diagnostics: Vec<String>,
}

/// Builds the selection problem (pure).
pub(crate) fn build_model<'a>(m: &ModelInput<'a>) -> Model<'a> {
    let h = m.horizon;
    let items = competing(m.cases, m.projects);
    let mut roles: Vec<String> = m.pool.iter().map(|(r, _)| r.clone()).collect();
    let mut diagnostics = Vec::new();
    let mut candidates = Vec::with_capacity(items.len());
    let mut values = Vec::with_capacity(items.len());
    for (case, project) in &items {
        let value = m.strategy.score(case).risk_adjusted;
        values.push(value);
        let start = match project {
            Some(p) => p.planned_start.unwrap_or(case.start),
            None => case.start,
        };
        let q = h.quarter_of(start);
        let start_quarter = q.max(0) as usize;
        // Quarters of the case already behind the horizon start (active projects).
        let elapsed = (-q).max(0) as u32;
        let first_fy = h.fiscal_year(start).max(h.first_year);
        let last_fy = case.costs.iter().map(|c| c.year).max().unwrap_or(first_fy);
        let cost_per_year: Vec<i64> = (first_fy..=last_fy)
            .map(|y| {
                case.costs
                    .iter()
                    .filter(|c| c.year == y)
                    .map(|c| c.capex.0 + c.opex.0)
                    .sum()
            })
            .collect();
        let mut demand = Vec::new();
        for need in &case.capacity {
            if need.quarter < elapsed {
                continue;
            }
            let role = match roles
                .iter()
                .position(|r| r.eq_ignore_ascii_case(&need.role))
            {
                Some(i) => i,
                None => {
                    roles.push(need.role.clone());
                    roles.len() - 1
                }
            };
            demand.push(opt::Demand {
                role,
                quarter: (need.quarter - elapsed) as usize,
                amount: need.fte,
            });
        }
        let force = match m.forced.get(&case.id).copied() {
            Some(ForceMode::In) => opt::Force::In,
            Some(ForceMode::Out) => opt::Force::Out,
            _ if case.mandatory => opt::Force::In,
            _ => opt::Force::Free,
        };
        candidates.push(opt::Candidate {
            name: case.key.clone(),
            value,
            start_quarter,
            max_shift: if project.is_some() {
                0
            } else {
                case.max_shift as usize
            },
            cost_per_year,
            demand,
            force,
        });
    }
    // Dependencies by key: a case's key, or the key of the project it became.
    let key_of = |i: usize| {
        let (c, p) = items[i];
        (c.key.clone(), p.map(|p| p.key.clone()))
    };
    let find = |key: &str| {
        (0..items.len()).find(|&i| {
            let (a, b) = key_of(i);
            a == key || b.as_deref() == Some(key)
        })
    };
    let live_keys: Vec<&str> = m
        .projects
        .iter()
        .filter(|p| is_live(p))
        .map(|p| p.key.as_str())
        .collect();
    let mut dependencies = Vec::new();
    for (i, (case, _)) in items.iter().enumerate() {
        for link in &case.links {
            match (link.kind, find(&link.target)) {
                (LinkKind::Requires, Some(j)) => dependencies.push(opt::Dependency::Requires {
                    dependent: i,
                    prerequisite: j,
                }),
                (LinkKind::Excludes, Some(j)) => dependencies.push(opt::Dependency::Excludes(i, j)),
                (LinkKind::Requires, None) if live_keys.contains(&link.target.as_str()) => {}
                (LinkKind::Requires, None) => {
                    candidates[i].force = opt::Force::Out;
                    diagnostics.push(format!(
                        "{} requires {}, which is neither a live project nor a competing proposal; it is left out",
                        case.key, link.target
                    ));
                }
                (LinkKind::Excludes, None) if live_keys.contains(&link.target.as_str()) => {
                    candidates[i].force = opt::Force::Out;
                    diagnostics.push(format!(
                        "{} excludes the live project {}; it is left out",
                        case.key, link.target
                    ));
                }
                (LinkKind::Excludes, None) => {}
            }
        }
    }
    let capacity = roles
        .iter()
        .map(|r| {
            let fte = m
                .pool
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(r))
                .map_or(f64::INFINITY, |(_, f)| *f);
            vec![fte; h.quarters()]
        })
        .collect();
    let problem = opt::Problem {
        fiscal_years: h.years,
        budget_per_year: m.budget.iter().map(|b| b.0).collect(),
        roles,
        capacity,
        candidates,
        dependencies,
    };
    Model {
        problem,
        items,
        values,
        diagnostics,
    }
}

fn reason_text(r: &opt::Reason, p: &opt::Problem, h: &Horizon) -> String {
    match r {
        opt::Reason::ForcedOut => "forced out".into(),
        opt::Reason::NoValue => "no value: not rated on any driver".into(),
        opt::Reason::Budget {
            year,
            excess,
            alone,
        } => format!(
            "would exceed the FY{} budget by {}{}",
            h.first_year + *year as i32,
            Minor(*excess).format(),
            if *alone { " even on its own" } else { "" }
        ),
        opt::Reason::Capacity {
            role,
            quarter,
            excess,
            alone,
        } => format!(
            "needs {:.1} FTE more {} in {} than is free{}",
            excess,
            p.roles.get(*role).map_or("?", String::as_str),
            h.quarter_label(*quarter),
            if *alone { " even on its own" } else { "" }
        ),
        opt::Reason::Excludes { other } => format!(
            "excludes {}, which is selected",
            p.candidates.get(*other).map_or("?", |c| c.name.as_str())
        ),
        opt::Reason::Requires { prerequisite } => format!(
            "requires {}, which is not selected in time",
            p.candidates
                .get(*prerequisite)
                .map_or("?", |c| c.name.as_str())
        ),
        opt::Reason::Infeasible => "cannot be forced in together with the mandatory items".into(),
    }
}

/// Solves a model: the selection with explanations and a frontier (pure, CPU-bound).
pub(crate) fn solve(model: &Model<'_>, h: &Horizon) -> ScenarioResult {
    let p = &model.problem;
    let options = opt::SolveOptions {
        iteration_limit: ITERATION_LIMIT,
        ..Default::default()
    };
    let sol = opt::optimize(p, &options);
    let frontier_opts = opt::SolveOptions {
        iteration_limit: ITERATION_LIMIT / 4,
        explain: false,
        ..Default::default()
    };
    let frontier = opt::efficient_frontier(
        p,
        &frontier_opts,
        &opt::budget_factors(FRONTIER_POINTS, FRONTIER_LOW, FRONTIER_HIGH),
    )
    .into_iter()
    .map(|f| (f.total_budget, f.value, f.status == opt::Status::Optimal))
    .collect();
    let mut items = Vec::with_capacity(model.items.len());
    for (i, (case, project)) in model.items.iter().enumerate() {
        let chosen = sol.selected.iter().find(|c| c.candidate == i);
        let reasons: Vec<String> = sol
            .exclusions
            .iter()
            .filter(|e| e.candidate == i)
            .flat_map(|e| e.reasons.iter().map(|r| reason_text(r, p, h)))
            .collect();
        let decision = match (chosen.is_some(), project.is_some()) {
            (true, _) => Decision::Proceed,
            (false, _) => Decision::Defer,
        };
        items.push(ScenarioItem {
            case_id: case.id,
            key: project.map_or_else(|| case.key.clone(), |p| p.key.clone()),
            title: case.title.clone(),
            active: project.is_some(),
            selected: chosen.is_some(),
            shift: chosen.map_or(0, |c| c.shift as u32),
            value: model.values[i],
            cost: Minor(p.candidates[i].cost_per_year.iter().sum()),
            reasons: if chosen.is_some() {
                Vec::new()
            } else if reasons.is_empty() {
                vec!["leaves room for higher-value items".into()]
            } else {
                reasons
            },
            decision,
        });
    }
    let capacity = p
        .roles
        .iter()
        .enumerate()
        .map(|(r, name)| RoleLoad {
            role: name.clone(),
            used: sol
                .capacity_use
                .get(r)
                .cloned()
                .unwrap_or_else(|| vec![0.0; h.quarters()]),
            capacity: (0..h.quarters())
                .map(|q| Some(p.capacity_of(r, q)).filter(|c| c.is_finite()))
                .collect(),
        })
        .collect();
    let mut diagnostics = model.diagnostics.clone();
    diagnostics.extend(sol.diagnostics.iter().map(|d| d.message.clone()));
    ScenarioResult {
        status: match sol.status {
            opt::Status::Optimal => "optimal",
            opt::Status::LimitReached => "limit_reached",
            opt::Status::Infeasible => "infeasible",
        }
        .into(),
        value: sol.objective,
        gap: sol.gap,
        items,
        cost_per_year: sol.cost_per_year.iter().map(|c| Minor(*c)).collect(),
        capacity,
        frontier,
        diagnostics,
    }
}

/// Two scenarios side by side.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: Scenario,
    pub b: Scenario,
    /// Keys selected only in `a`, only in `b`, and in both.
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
    pub both: Vec<String>,
}

/// One decision to apply when committing.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    pub case_id: Uuid,
    pub decision: Decision,
    pub rationale: Option<String>,
}

/// Capacity against demand for one role, per quarter.
#[derive(Debug, Clone, Serialize)]
pub struct RoleDemand {
    pub role: String,
    /// `None` = nobody in the pool has this role.
    pub capacity: Option<f64>,
    /// Demand of live projects.
    pub committed: Vec<f64>,
    /// Additional demand if every open proposal went ahead.
    pub proposed: Vec<f64>,
}

/// One bar of the roadmap.
#[derive(Debug, Clone, Serialize)]
pub struct RoadmapItem {
    pub key: String,
    pub title: String,
    pub project_id: Option<Uuid>,
    pub proposal_id: Option<Uuid>,
    pub start: Date,
    pub finish: Date,
    pub health: Option<Rag>,
    pub phase: Option<Phase>,
}

/// Everything the portfolio page shows.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioAnalysis {
    pub portfolio: Portfolio,
    pub first_year: i32,
    pub quarters: Vec<String>,
    pub ranking: Vec<RankedCase>,
    pub capacity: Vec<RoleDemand>,
    /// Live projects by status (green, amber, red).
    pub health: Vec<(Rag, usize)>,
    pub roadmap: Vec<RoadmapItem>,
}

impl App {
    async fn horizon(&self, first_year: i32, years: usize) -> Result<Horizon> {
        let s = self.settings().await?;
        Ok(Horizon {
            first_year,
            years,
            fy_start_month: s.fiscal_year_start_month as i8,
        })
    }

    /// FTE per job role of the pool (a full week = the organization's working week).
    async fn pool_fte(&self) -> Result<Vec<(String, f64)>> {
        let s = self.settings().await?;
        let days = s.calendar.working_days.iter().filter(|d| **d).count() as f64;
        let week = days * f64::from(s.calendar.day_end.saturating_sub(s.calendar.day_start));
        let week = if week > 0.0 { week } else { 2400.0 };
        Ok(people::capacity_by_role(&self.db)
            .await?
            .into_iter()
            .map(|(r, minutes)| (r, ((minutes as f64 / week) * 100.0).round() / 100.0))
            .collect())
    }

    /// Recomputes a scenario's result from live data (no writes).
    async fn compute(&self, s: &Scenario) -> Result<ScenarioResult> {
        let cases = st::proposals_of_portfolio(&self.db, s.portfolio_id).await?;
        let projects = project::all_in_portfolio(&self.db, s.portfolio_id).await?;
        let strategy = self.load_strategy_for(&projects).await?;
        let pool = self.pool_fte().await?;
        let h = self.horizon(s.first_year, s.budget.len()).await?;
        let budget = s.budget.clone();
        let forced = s.forced.clone();
        tokio::task::spawn_blocking(move || {
            let model = build_model(&ModelInput {
                strategy: &strategy,
                cases: &cases,
                projects: &projects,
                pool: &pool,
                horizon: h,
                budget: &budget,
                forced: &forced,
            });
            solve(&model, &h)
        })
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))
    }

    pub async fn list_scenarios(
        &self,
        actor: &Actor,
        portfolio_id: Option<Uuid>,
        page: Page,
    ) -> Result<Listed<Scenario>> {
        let mode = self.mode().await?;
        let (items, next) =
            st::list_scenarios(&self.db, portfolio_id, &visibility(actor), page).await?;
        // Like every list: filtered to what the caller may read (planner roles over the
        // scenario's portfolio); others get an empty list, not an error.
        let items = items
            .into_iter()
            .filter(|s| {
                crate::permissions::allows(
                    actor,
                    Action::ReadScenarios,
                    &at_portfolio(s.portfolio_id),
                    mode,
                )
            })
            .collect();
        Ok((items, next))
    }

    /// A scenario the caller may change: planner over its portfolio, not committed, at the
    /// version the caller read. `what` completes "a committed scenario cannot …".
    async fn changeable_scenario(
        &self,
        actor: &Actor,
        id: Uuid,
        expected: i64,
        what: &str,
    ) -> Result<Scenario> {
        let before = self.get_scenario(actor, id).await?;
        authorize(
            actor,
            Action::ManageScenarios,
            &at_portfolio(before.portfolio_id),
            self.mode().await?,
        )?;
        if before.committed {
            return Err(AppError::field(
                "state",
                format!("a committed scenario is a record of the decisions: it cannot {what}"),
            ));
        }
        check_version(before.version, expected)?;
        Ok(before)
    }

    /// (id, name) of a portfolio's scenarios, newest first (for choosing one to compare).
    pub async fn scenario_names(
        &self,
        actor: &Actor,
        portfolio_id: Uuid,
    ) -> Result<Vec<(Uuid, String)>> {
        authorize(
            actor,
            Action::ReadScenarios,
            &at_portfolio(portfolio_id),
            self.mode().await?,
        )?;
        Ok(st::scenario_names(&self.db, portfolio_id).await?)
    }

    pub async fn get_scenario(&self, actor: &Actor, id: Uuid) -> Result<Scenario> {
        let s = st::get_scenario(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("scenario"))?;
        authorize(
            actor,
            Action::ReadScenarios,
            &at_portfolio(s.portfolio_id),
            self.mode().await?,
        )?;
        Ok(s)
    }

    pub async fn create_scenario(&self, actor: &Actor, d: &ScenarioDraft) -> Result<Scenario> {
        let mode = self.mode().await?;
        let mut s = d.validate(Uuid::now_v7(), 1)?;
        authorize(
            actor,
            Action::ManageScenarios,
            &at_portfolio(s.portfolio_id),
            mode,
        )?;
        if portfolio::get_portfolio(&self.db, s.portfolio_id)
            .await?
            .is_none()
        {
            return Err(AppError::field(
                "portfolio_id",
                "refers to a portfolio that does not exist",
            ));
        }
        s.result = Some(self.compute(&s).await?);
        let mut tx = self.db.begin().await?;
        st::insert_scenario(&mut tx, &s, self.now_micros())
            .await
            .map_err(|e| map_write(e, 0, "name", "scenario", "portfolio_id"))?;
        audit::<(), _>(
            &mut tx,
            actor,
            "scenario",
            s.id,
            "create",
            None,
            Some(&Brief(&s)),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Changes a scenario's name, budgets or forcing and re-optimizes it.
    pub async fn update_scenario(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &ScenarioDraft,
        forced: Option<BTreeMap<Uuid, ForceMode>>,
        expected: i64,
    ) -> Result<Scenario> {
        let before = self
            .changeable_scenario(actor, id, expected, "change; copy it to explore changes")
            .await?;
        let mut d = d.clone();
        d.portfolio_id = Some(before.portfolio_id);
        let mut after = d.validate(id, expected + 1)?;
        after.forced = forced.unwrap_or_else(|| before.forced.clone());
        after.forced.retain(|_, f| *f != ForceMode::Free);
        after.result = Some(self.compute(&after).await?);
        let mut tx = self.db.begin().await?;
        st::update_scenario(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "name", "scenario", "portfolio_id"))?;
        audit(
            &mut tx,
            actor,
            "scenario",
            id,
            "update",
            Some(&Brief(&before)),
            Some(&Brief(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Copies a scenario (committed or not) into a new uncommitted one, re-optimized on
    /// today's data.
    pub async fn copy_scenario(&self, actor: &Actor, id: Uuid) -> Result<Scenario> {
        let mode = self.mode().await?;
        let src = self.get_scenario(actor, id).await?;
        authorize(
            actor,
            Action::ManageScenarios,
            &at_portfolio(src.portfolio_id),
            mode,
        )?;
        let name: String = format!("Copy of {}", src.name).chars().take(200).collect();
        let mut s = Scenario {
            id: Uuid::now_v7(),
            name,
            committed: false,
            committed_by: None,
            version: 1,
            ..src
        };
        s.result = Some(self.compute(&s).await?);
        let mut tx = self.db.begin().await?;
        st::insert_scenario(&mut tx, &s, self.now_micros()).await?;
        audit::<(), _>(
            &mut tx,
            actor,
            "scenario",
            s.id,
            "copy",
            None,
            Some(&Brief(&s)),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn delete_scenario(&self, actor: &Actor, id: Uuid, expected: i64) -> Result<()> {
        let before = self
            .changeable_scenario(actor, id, expected, "delete")
            .await?;
        let mut tx = self.db.begin().await?;
        st::delete_scenario(&mut tx, id, expected)
            .await
            .map_err(|e| map_write(e, before.version, "name", "scenario", "id"))?;
        audit::<_, ()>(
            &mut tx,
            actor,
            "scenario",
            id,
            "delete",
            Some(&Brief(&before)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn compare_scenarios(&self, actor: &Actor, a: Uuid, b: Uuid) -> Result<Comparison> {
        let a = self.get_scenario(actor, a).await?;
        let b = self.get_scenario(actor, b).await?;
        let sel = |s: &Scenario| -> Vec<String> {
            s.result
                .as_ref()
                .map(|r| {
                    r.items
                        .iter()
                        .filter(|i| i.selected)
                        .map(|i| i.key.clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        let (sa, sb) = (sel(&a), sel(&b));
        Ok(Comparison {
            only_a: sa.iter().filter(|k| !sb.contains(k)).cloned().collect(),
            only_b: sb.iter().filter(|k| !sa.contains(k)).cloned().collect(),
            both: sa.iter().filter(|k| sb.contains(k)).cloned().collect(),
            a,
            b,
        })
    }

    /// Commits a scenario: every item gets its decision (the suggested one unless `decisions`
    /// says otherwise), applied to live data in one transaction and audited with its
    /// rationale. Proposals: proceed = approve (the project is created), defer, terminate =
    /// reject. Live projects: proceed (resumes one on hold), defer = on hold, terminate =
    /// cancelled.
    pub async fn commit_scenario(
        &self,
        actor: &Actor,
        id: Uuid,
        decisions: &[DecisionInput],
        expected: i64,
    ) -> Result<Scenario> {
        let settings = self.settings().await?;
        let mode = settings.operating_mode;
        let before = self.get_scenario(actor, id).await?;
        authorize(
            actor,
            Action::CommitScenario,
            &at_portfolio(before.portfolio_id),
            mode,
        )?;
        if before.committed {
            return Err(AppError::field(
                "state",
                "this scenario is already committed",
            ));
        }
        check_version(before.version, expected)?;
        let result = before
            .result
            .clone()
            .ok_or_else(|| AppError::field("state", "the scenario has no result to commit"))?;
        if result.status == "infeasible" {
            return Err(AppError::field(
                "state",
                "the scenario is infeasible (its forced items do not fit); change it before committing",
            ));
        }
        for d in decisions {
            if !result.items.iter().any(|i| i.case_id == d.case_id) {
                return Err(AppError::field(
                    "decisions",
                    format!("{} is not an item of this scenario", d.case_id),
                ));
            }
            if d.rationale
                .as_deref()
                .is_some_and(|r| r.chars().count() > 2000)
            {
                return Err(AppError::field(
                    "decisions",
                    "a rationale is at most 2000 characters",
                ));
            }
        }
        let now = self.now_micros();
        let mut after = before.clone();
        let mut tx = self.db.begin().await?;
        let cases: HashMap<Uuid, Proposal> =
            st::proposals_of_portfolio_tx(&mut tx, before.portfolio_id)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        for item in after.result.iter_mut().flat_map(|r| r.items.iter_mut()) {
            let given = decisions.iter().find(|d| d.case_id == item.case_id);
            let decision = given.map_or(item.decision, |d| d.decision);
            let rationale = given
                .and_then(|d| d.rationale.clone())
                .filter(|r| !r.trim().is_empty())
                .unwrap_or_else(|| {
                    if item.selected {
                        format!(
                            "Scenario “{}”: selected (value {:.1})",
                            before.name, item.value
                        )
                    } else {
                        format!("Scenario “{}”: {}", before.name, item.reasons.join("; "))
                    }
                });
            item.decision = decision;
            let case = cases
                .get(&item.case_id)
                .ok_or(AppError::NotFound("proposal"))?;
            self.apply_decision(
                &mut tx,
                actor,
                case,
                decision,
                &rationale,
                settings.currency.as_str(),
                mode,
                now,
            )
            .await?;
        }
        after.committed = true;
        after.committed_by = Some(actor.email.clone());
        after.version = expected + 1;
        st::update_scenario(&mut tx, &after, now)
            .await
            .map_err(|e| map_write(e, before.version, "name", "scenario", "id"))?;
        audit(
            &mut tx,
            actor,
            "scenario",
            id,
            "commit",
            Some(&Brief(&before)),
            Some(&Brief(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    #[allow(clippy::too_many_arguments)] // one decision with its whole context
    async fn apply_decision(
        &self,
        tx: &mut atrium_store::Tx,
        actor: &Actor,
        case: &Proposal,
        decision: Decision,
        rationale: &str,
        currency: &str,
        mode: atrium_core::org::OperatingMode,
        now: i64,
    ) -> Result<()> {
        if case.state == ProposalState::Approved {
            let Some(pid) = case.project_id else {
                return Ok(());
            };
            let before = project::get_tx(tx, pid)
                .await?
                .ok_or(AppError::NotFound("project"))?;
            authorize(
                actor,
                Action::UpdateProject,
                &project_placement(&before),
                mode,
            )?;
            let phase = match decision {
                Decision::Proceed if before.phase == Phase::OnHold => Phase::Executing,
                Decision::Proceed => before.phase,
                Decision::Defer => Phase::OnHold,
                Decision::Terminate => Phase::Cancelled,
            };
            if phase != before.phase {
                let after = Project {
                    phase,
                    status_note: Some(rationale.chars().take(2000).collect()),
                    version: before.version + 1,
                    ..before.clone()
                };
                project::update(tx, &after, now)
                    .await
                    .map_err(|e| map_write(e, before.version, "key", "project", "id"))?;
                audit(
                    tx,
                    actor,
                    "project",
                    pid,
                    decision.as_str(),
                    Some(&before),
                    Some(&after),
                )
                .await?;
            } else {
                audit::<(), _>(
                    tx,
                    actor,
                    "project",
                    pid,
                    decision.as_str(),
                    None,
                    Some(&rationale),
                )
                .await?;
            }
            return Ok(());
        }
        let state = match decision {
            Decision::Proceed => ProposalState::Approved,
            Decision::Defer => ProposalState::Deferred,
            Decision::Terminate => ProposalState::Rejected,
        };
        let mut after = Proposal {
            state,
            rationale: Some(rationale.chars().take(2000).collect()),
            version: case.version + 1,
            ..case.clone()
        };
        if state == ProposalState::Approved {
            let p = self
                .project_from_case(
                    tx,
                    actor,
                    &after,
                    &ApproveOptions::default(),
                    currency,
                    mode,
                )
                .await?;
            after.project_id = Some(p.id);
        }
        if after.state != case.state || after.project_id != case.project_id {
            st::update_proposal(tx, &after, now)
                .await
                .map_err(|e| map_write(e, case.version, "key", "proposal", "id"))?;
            audit(
                tx,
                actor,
                "proposal",
                case.id,
                decision.as_str(),
                Some(case),
                Some(&after),
            )
            .await?;
        }
        Ok(())
    }

    /// The portfolio page: ranking, capacity against demand, health, roadmap.
    pub async fn portfolio_analysis(
        &self,
        actor: &Actor,
        portfolio_id: Uuid,
        first_year: Option<i32>,
    ) -> Result<PortfolioAnalysis> {
        let mode = self.mode().await?;
        authorize(
            actor,
            Action::ReadProposals,
            &at_portfolio(portfolio_id),
            mode,
        )?;
        let pf = portfolio::get_portfolio(&self.db, portfolio_id)
            .await?
            .ok_or(AppError::NotFound("portfolio"))?;
        let cases = st::proposals_of_portfolio(&self.db, portfolio_id).await?;
        let projects = project::all_in_portfolio(&self.db, portfolio_id).await?;
        let strategy = self.load_strategy_for(&projects).await?;
        let pool = self.pool_fte().await?;
        let today = self.today();
        let mut h = self.horizon(0, 3).await?;
        h.first_year = first_year.unwrap_or_else(|| h.fiscal_year(today));
        let ranking = rank_cases(&strategy, &cases, &projects);
        // Capacity against demand: live projects' cases, and open proposals on top.
        let mut demand: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
        for (role, _) in &pool {
            demand.insert(
                role.clone(),
                (vec![0.0; h.quarters()], vec![0.0; h.quarters()]),
            );
        }
        for r in &ranking {
            let start = match r
                .project_id
                .and_then(|id| projects.iter().find(|p| p.id == id))
            {
                Some(p) => p.planned_start.unwrap_or(r.case.start),
                None => r.case.start,
            };
            let q0 = h.quarter_of(start);
            for need in &r.case.capacity {
                let q = q0 + i64::from(need.quarter);
                if q < 0 || q >= h.quarters() as i64 {
                    continue;
                }
                let key = pool
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&need.role))
                    .map_or_else(|| need.role.clone(), |(n, _)| n.clone());
                let e = demand
                    .entry(key)
                    .or_insert_with(|| (vec![0.0; h.quarters()], vec![0.0; h.quarters()]));
                if r.active {
                    e.0[q as usize] += need.fte;
                } else {
                    e.1[q as usize] += need.fte;
                }
            }
        }
        let capacity = demand
            .into_iter()
            .filter(|(_, (c, p))| c.iter().chain(p).any(|x| *x > 0.0))
            .map(|(role, (committed, proposed))| RoleDemand {
                capacity: pool.iter().find(|(n, _)| *n == role).map(|(_, f)| *f),
                role,
                committed,
                proposed,
            })
            .collect();
        let mut counts: HashMap<Rag, usize> = HashMap::new();
        for p in projects.iter().filter(|p| is_live(p)) {
            *counts.entry(p.status).or_default() += 1;
        }
        let health = [Rag::Green, Rag::Amber, Rag::Red]
            .into_iter()
            .map(|r| (r, counts.get(&r).copied().unwrap_or(0)))
            .collect();
        let mut roadmap: Vec<RoadmapItem> = projects
            .iter()
            .filter(|p| is_live(p))
            .filter_map(|p| {
                Some(RoadmapItem {
                    key: p.key.clone(),
                    title: p.name.clone(),
                    project_id: Some(p.id),
                    proposal_id: None,
                    start: p.planned_start?,
                    finish: p.planned_finish.unwrap_or(p.planned_start?),
                    health: Some(p.status),
                    phase: Some(p.phase),
                })
            })
            .collect();
        for r in ranking.iter().filter(|r| !r.active) {
            let years = r
                .case
                .costs
                .iter()
                .map(|c| c.year)
                .max()
                .map_or(1, |y| (y - h.fiscal_year(r.case.start) + 1).max(1));
            let finish = r
                .case
                .start
                .checked_add(jiff::Span::new().months(i64::from(years) * 12))
                .ok()
                .and_then(|d| d.yesterday().ok())
                .unwrap_or(r.case.start);
            roadmap.push(RoadmapItem {
                key: r.case.key.clone(),
                title: r.case.title.clone(),
                project_id: None,
                proposal_id: Some(r.case.id),
                start: r.case.start,
                finish,
                health: None,
                phase: None,
            });
        }
        roadmap.sort_by(|a, b| a.start.cmp(&b.start).then(a.key.cmp(&b.key)));
        Ok(PortfolioAnalysis {
            portfolio: pf,
            first_year: h.first_year,
            quarters: (0..h.quarters()).map(|q| h.quarter_label(q)).collect(),
            ranking,
            capacity,
            health,
            roadmap,
        })
    }
}

/// What the audit log keeps of a scenario (its parameters and selection, not the frontier).
#[derive(Serialize)]
struct Brief<'a>(#[serde(serialize_with = "brief")] &'a Scenario);

fn brief<S: serde::Serializer>(s: &&Scenario, ser: S) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = ser.serialize_map(None)?;
    m.serialize_entry("name", &s.name)?;
    m.serialize_entry("first_year", &s.first_year)?;
    m.serialize_entry("budget", &s.budget)?;
    m.serialize_entry("forced", &s.forced)?;
    m.serialize_entry("committed", &s.committed)?;
    if let Some(r) = &s.result {
        m.serialize_entry("value", &r.value)?;
        let decisions: BTreeMap<&str, &str> = r
            .items
            .iter()
            .map(|i| {
                (
                    i.key.as_str(),
                    if i.selected { "selected" } else { "excluded" },
                )
            })
            .collect();
        m.serialize_entry("selection", &decisions)?;
        if s.committed {
            let d: BTreeMap<&str, &str> = r
                .items
                .iter()
                .map(|i| (i.key.as_str(), i.decision.as_str()))
                .collect();
            m.serialize_entry("decisions", &d)?;
        }
    }
    m.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_core::strategy::{CapacityNeed, Driver, ProposalLink, StrategyConfig, YearCost};

    fn case(key: &str, state: ProposalState, links: Vec<ProposalLink>) -> Proposal {
        Proposal {
            id: Uuid::now_v7(),
            key: key.into(),
            title: key.into(),
            description: None,
            portfolio_id: Uuid::nil(),
            sponsor_id: None,
            state,
            mandatory: false,
            start: Date::constant(2028, 7, 1),
            max_shift: 2,
            ratings: BTreeMap::new(),
            risk: 0,
            costs: vec![
                YearCost {
                    year: 2028,
                    capex: Minor(100),
                    opex: Minor(0),
                },
                YearCost {
                    year: 2029,
                    capex: Minor(50),
                    opex: Minor(10),
                },
            ],
            benefits: vec![],
            capacity: vec![CapacityNeed {
                role: "developer".into(),
                quarter: 1,
                fte: 2.0,
            }],
            links,
            rationale: None,
            project_id: None,
            version: 1,
        }
    }

    #[test]
    fn model_maps_cases_links_costs_and_capacity() {
        let req = |k: &str| ProposalLink {
            kind: LinkKind::Requires,
            target: k.into(),
        };
        let cases = vec![
            case("PRP-1", ProposalState::Scored, vec![req("PRP-2")]),
            case("PRP-2", ProposalState::Scored, vec![]),
            case("PRP-3", ProposalState::Scored, vec![req("PRP-404")]),
            case("PRP-4", ProposalState::Rejected, vec![]),
            case("PRP-5", ProposalState::Scored, vec![req("LIVE-1")]),
        ];
        let live = Project {
            id: Uuid::now_v7(),
            key: "LIVE-1".into(),
            name: "Live".into(),
            description: None,
            portfolio_id: Uuid::nil(),
            program_id: None,
            sponsor_id: None,
            manager_id: None,
            phase: Phase::Executing,
            planned_start: None,
            planned_finish: None,
            budget: Minor(0),
            currency: "EUR".into(),
            status: Rag::Green,
            status_note: None,
            archived: false,
            version: 1,
        };
        let strategy = Strategy {
            drivers: vec![Driver {
                id: Uuid::now_v7(),
                name: "D".into(),
                description: None,
                weight: 1.0,
                archived: false,
                version: 1,
            }],
            config: StrategyConfig::default(),
            registers: std::collections::HashMap::new(),
        };
        let pool = vec![("Developer".to_owned(), 3.0)];
        let h = Horizon {
            first_year: 2028,
            years: 2,
            fy_start_month: 1,
        };
        let forced = BTreeMap::new();
        let budget = vec![Minor(1000), Minor(1000)];
        let m = build_model(&ModelInput {
            strategy: &strategy,
            cases: &cases,
            projects: std::slice::from_ref(&live),
            pool: &pool,
            horizon: h,
            budget: &budget,
            forced: &forced,
        });
        assert_eq!(m.items.len(), 4, "rejected proposals do not compete");
        let c0 = &m.problem.candidates[0];
        assert_eq!(c0.start_quarter, 2, "July 2028 is Q3 of FY2028");
        assert_eq!(c0.cost_per_year, vec![100, 60]);
        assert_eq!(c0.max_shift, 2);
        assert_eq!(
            m.problem.roles,
            vec!["Developer".to_owned()],
            "roles match case-insensitively"
        );
        assert_eq!(m.problem.capacity[0], vec![3.0; 8]);
        assert_eq!(c0.demand[0].quarter, 1);
        assert!(m.problem.dependencies.contains(&opt::Dependency::Requires {
            dependent: 0,
            prerequisite: 1
        }));
        assert_eq!(
            m.problem.candidates[2].force,
            opt::Force::Out,
            "unknown prerequisite"
        );
        assert!(m.diagnostics.iter().any(|d| d.contains("PRP-404")));
        assert_eq!(
            m.problem.candidates[3].force,
            opt::Force::Free,
            "a live prerequisite is met"
        );
        let r = solve(&m, &h);
        assert_eq!(r.items.len(), 4);
        assert!(
            r.items
                .iter()
                .find(|i| i.key == "PRP-3")
                .is_some_and(|i| !i.selected && !i.reasons.is_empty())
        );
        for w in r.frontier.windows(2) {
            assert!(w[1].1 >= w[0].1 - 1e-9);
        }
    }

    #[test]
    fn horizon_quarters_follow_the_fiscal_year() {
        let h = Horizon {
            first_year: 2027,
            years: 2,
            fy_start_month: 4,
        };
        assert_eq!(h.quarter_of(Date::constant(2027, 4, 1)), 0);
        assert_eq!(h.quarter_of(Date::constant(2027, 7, 15)), 1);
        assert_eq!(h.quarter_of(Date::constant(2028, 3, 31)), 3);
        assert_eq!(h.quarter_of(Date::constant(2027, 3, 31)), -1);
        assert_eq!(h.fiscal_year(Date::constant(2028, 3, 31)), 2027);
        assert_eq!(h.quarter_label(5), "Q2 FY2028");
        assert_eq!(h.start_date(4), Date::constant(2028, 4, 1));
    }
}
