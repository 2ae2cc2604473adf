//! Risk use cases: the organization's risk matrix (set by the risk manager, used by every
//! register) and project risk registers — record, rate (every rating change is kept in the
//! risk's history), respond, review. Authorized, one transaction, audited.

use crate::permissions::{Action, allows, authorize};
use crate::records::{Listed, check_version, map_write, placement_of};
use crate::{Actor, App, AppError, Result, audit};
use atrium_core::identity::Placement;
use atrium_core::risk::{MatrixDraft, RegisterLevel, Risk, RiskDraft, RiskMatrix};
use atrium_core::risk_analytics as ra;
use atrium_store::Page;
use atrium_store::risk::{self as rk, RiskFilter};
use uuid::Uuid;

/// A risk with what the caller may do with it.
#[derive(Debug, Clone)]
pub struct RiskDetail {
    pub risk: Risk,
    pub matrix: RiskMatrix,
    /// The register the risk was raised in (a project's, a program's or a portfolio's).
    pub origin: RegisterInfo,
    pub can_edit: bool,
    /// The caller may accept or return an escalation of it.
    pub can_decide: bool,
}

/// A risk register: every project, program and portfolio keeps one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Register {
    Project(Uuid),
    Program(Uuid),
    Portfolio(Uuid),
}

impl Register {
    /// The register a risk was raised in.
    pub fn origin_of(r: &Risk) -> Option<Register> {
        match (r.project_id, r.program_id, r.portfolio_id) {
            (Some(p), _, _) => Some(Register::Project(p)),
            (None, Some(p), _) => Some(Register::Program(p)),
            (None, None, Some(p)) => Some(Register::Portfolio(p)),
            (None, None, None) => None,
        }
    }

    pub fn level(self) -> RegisterLevel {
        match self {
            Register::Project(_) => RegisterLevel::Project,
            Register::Program(_) => RegisterLevel::Program,
            Register::Portfolio(_) => RegisterLevel::Portfolio,
        }
    }

    pub fn id(self) -> Uuid {
        match self {
            Register::Project(id) | Register::Program(id) | Register::Portfolio(id) => id,
        }
    }
}

/// A register, found and authorized: what to call it and where it sits.
#[derive(Debug, Clone)]
pub struct RegisterInfo {
    pub register: Register,
    pub key: String,
    pub name: String,
    pub placement: Placement,
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

    /// Finds a register and checks the caller may do `action` on it (in `tx`).
    pub(crate) async fn register_tx(
        &self,
        tx: &mut atrium_store::Tx,
        actor: &Actor,
        reg: Register,
        action: Action,
        mode: atrium_core::org::OperatingMode,
    ) -> Result<RegisterInfo> {
        use atrium_store::portfolio as pf;
        let (key, name, placement) = match reg {
            Register::Project(id) => {
                let p = self.project_tx(tx, actor, id, action, mode).await?;
                return Ok(RegisterInfo {
                    register: reg,
                    placement: placement_of(&p),
                    key: p.key,
                    name: p.name,
                });
            }
            Register::Program(id) => {
                let g = pf::get_program_tx(tx, id)
                    .await?
                    .ok_or(AppError::NotFound("program"))?;
                let at = Placement {
                    portfolio: Some(g.portfolio_id),
                    program: Some(id),
                    project: None,
                };
                (g.key, g.name, at)
            }
            Register::Portfolio(id) => {
                let f = pf::get_portfolio_tx(tx, id)
                    .await?
                    .ok_or(AppError::NotFound("portfolio"))?;
                let at = Placement {
                    portfolio: Some(id),
                    program: None,
                    project: None,
                };
                (f.key, f.name, at)
            }
        };
        authorize(actor, action, &placement, mode)?;
        Ok(RegisterInfo {
            register: reg,
            key,
            name,
            placement,
        })
    }

    /// A register found and authorized outside a write (a read-only transaction).
    pub async fn register_info(
        &self,
        actor: &Actor,
        reg: Register,
        action: Action,
    ) -> Result<RegisterInfo> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let info = self.register_tx(&mut tx, actor, reg, action, mode).await?;
        drop(tx);
        Ok(info)
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
        self.register_risks(
            actor,
            Register::Project(project_id),
            open_only,
            sort,
            desc,
            page,
        )
        .await
    }

    /// A register's risks: every risk of a project (whatever register it was escalated to);
    /// for a program or a portfolio, the risks sitting in its register — raised there or
    /// escalated and accepted into it.
    pub async fn register_risks(
        &self,
        actor: &Actor,
        reg: Register,
        open_only: bool,
        sort: &str,
        desc: bool,
        page: Page,
    ) -> Result<(Listed<Risk>, RiskMatrix)> {
        self.register_info(actor, reg, Action::ReadRisks).await?;
        Ok((
            rk::list_risks(&self.db, &register_filter(reg, open_only), sort, desc, page).await?,
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
        self.create_risk_in(actor, Register::Project(project_id), d)
            .await
    }

    /// Records a risk directly in a register: a project's, a program's or a portfolio's.
    /// Only project risks may delay plan tasks.
    pub async fn create_risk_in(
        &self,
        actor: &Actor,
        reg: Register,
        d: &RiskDraft,
    ) -> Result<Risk> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let info = self
            .register_tx(&mut tx, actor, reg, Action::EditRisks, mode)
            .await?;
        let m = rk::get_matrix_tx(&mut tx).await?;
        let f = d.validate(&m)?;
        let at = info.placement;
        let number = match reg {
            Register::Project(id) => {
                check_delay_tasks(&mut tx, id, &f.delay_tasks).await?;
                rk::next_number_tx(&mut tx, id).await?
            }
            _ => {
                if !f.delay_tasks.is_empty() {
                    return Err(AppError::field(
                        "delay_tasks",
                        "only a project's risks delay plan tasks: record it in the project's register",
                    ));
                }
                let portfolio = at.portfolio.ok_or(AppError::NotFound("portfolio"))?;
                rk::next_register_number_tx(&mut tx, at.program, portfolio).await?
            }
        };
        let mut r = Risk::new_in_register(
            Uuid::now_v7(),
            number,
            reg.level(),
            at.project,
            at.program,
            at.portfolio,
        );
        let now = self.now_micros();
        r.apply(f, now, &actor.email);
        self.escalate_on_threshold(&mut tx, &mut r, &m, now).await?;
        rk::insert_risk(&mut tx, &r, r.emv(&m), now)
            .await
            .map_err(|e| map_write(e, 0, "title", "risk", "project"))?;
        self.refresh_exposure(&mut tx, &r, &m).await?;
        audit::<(), _>(&mut tx, actor, "risk", r.id, "create", None, Some(&r)).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Rewrites today's exposure snapshot of the risk's portfolio (the trend's data).
    async fn refresh_exposure(
        &self,
        tx: &mut atrium_store::Tx,
        r: &Risk,
        m: &RiskMatrix,
    ) -> Result<()> {
        let Some(pf) = r.portfolio_id else {
            return Ok(());
        };
        rk::refresh_exposure(tx, pf, self.today(), severe_from(m)).await?;
        Ok(())
    }

    /// Checks the caller may do `action` on the risk's register (in `tx`): for a project
    /// risk, on its project as it sits now; else on its program or portfolio.
    async fn risk_register_tx(
        &self,
        tx: &mut atrium_store::Tx,
        actor: &Actor,
        r: &Risk,
        action: Action,
        mode: atrium_core::org::OperatingMode,
    ) -> Result<RegisterInfo> {
        let reg = Register::origin_of(r).ok_or(AppError::NotFound("risk"))?;
        self.register_tx(tx, actor, reg, action, mode)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => AppError::NotFound("risk"),
                e => e,
            })
    }

    pub async fn get_risk(&self, actor: &Actor, id: Uuid) -> Result<RiskDetail> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let r = rk::get_risk_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("risk"))?;
        let origin = self
            .risk_register_tx(&mut tx, actor, &r, Action::ReadRisks, mode)
            .await?;
        let matrix = rk::get_matrix_tx(&mut tx).await?;
        drop(tx);
        Ok(RiskDetail {
            can_edit: allows(actor, Action::EditRisks, &origin.placement, mode),
            can_decide: allows(actor, Action::DecideEscalation, &origin.placement, mode),
            matrix,
            origin,
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
        self.risk_register_tx(&mut tx, actor, &before, Action::EditRisks, mode)
            .await?;
        check_version(before.version, expected)?;
        let m = rk::get_matrix_tx(&mut tx).await?;
        let f = d.validate(&m)?;
        match before.project_id {
            Some(project_id) => check_delay_tasks(&mut tx, project_id, &f.delay_tasks).await?,
            None if !f.delay_tasks.is_empty() => {
                return Err(AppError::field(
                    "delay_tasks",
                    "only a project's risks delay plan tasks",
                ));
            }
            None => {}
        }
        let mut after = before.clone();
        let now = self.now_micros();
        after.apply(f, now, &actor.email);
        after.version += 1;
        self.escalate_on_threshold(&mut tx, &mut after, &m, now)
            .await?;
        rk::update_risk(&mut tx, &after, after.emv(&m), now)
            .await
            .map_err(|e| map_write(e, before.version, "title", "risk", "project"))?;
        self.refresh_exposure(&mut tx, &after, &m).await?;
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

/// Which risks a register lists: every risk of a project (whatever register it was
/// escalated to); for a program or a portfolio, the risks sitting in its register.
fn register_filter(reg: Register, open_only: bool) -> RiskFilter {
    let mut f = RiskFilter {
        open: open_only,
        ..Default::default()
    };
    match reg {
        Register::Project(id) => f.project = Some(id),
        Register::Program(id) => {
            f.program = Some(id);
            f.level = Some(RegisterLevel::Program);
        }
        Register::Portfolio(id) => {
            f.portfolio = Some(id);
            f.level = Some(RegisterLevel::Portfolio);
        }
    }
    f
}

/// The lowest score of the matrix's two highest bands ("high or critical" on the standard
/// matrix): the exposure snapshots count the open threats from it.
fn severe_from(m: &RiskMatrix) -> i64 {
    let i = m.bands.len().saturating_sub(2);
    m.bands.get(i).map_or(i64::MAX, |b| i64::from(b.min_score))
}

/// Every task a risk would delay must be a task of the project's plan.
async fn check_delay_tasks(
    tx: &mut atrium_store::Tx,
    project_id: Uuid,
    uids: &[u32],
) -> Result<()> {
    if uids.is_empty() {
        return Ok(());
    }
    let plan = atrium_store::plan::get_plan_tx(tx, project_id).await?;
    let missing: Vec<String> = uids
        .iter()
        .filter(|u| plan.as_ref().is_none_or(|p| p.index_of(**u).is_none()))
        .map(u32::to_string)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(AppError::field(
            "delay_tasks",
            format!("not tasks of this project's plan: {}", missing.join(", ")),
        ))
    }
}

/// A dictionary of labels to small indexes (for the analytics engine's keys).
#[derive(Default)]
struct Dict {
    index: std::collections::HashMap<String, u32>,
    labels: Vec<String>,
    /// Each spelling met so far → its key (None: blank), so that the tens of thousands
    /// of repeats are one lookup without trimming or lowercasing.
    seen: std::collections::HashMap<String, Option<u32>>,
}

impl Dict {
    fn of(&mut self, s: &str) -> Option<u32> {
        if let Some(&k) = self.seen.get(s) {
            return k;
        }
        let k = self.key_of(s);
        self.seen.insert(s.to_owned(), k);
        k
    }
    fn key_of(&mut self, s: &str) -> Option<u32> {
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

/// Open risks as the analytics engine sees them, with the dictionaries behind their keys.
struct Points {
    points: Vec<atrium_core::risk_analytics::RiskPoint>,
    matrix: atrium_core::risk_analytics::Matrix,
    cats: Dict,
    depts: Dict,
    sups: Dict,
    /// Programs and portfolios by key (`RiskPoint::program` / `portfolio`).
    scopes: Vec<Uuid>,
    /// Strategic drivers by key (`RiskPoint::driver`).
    drivers: Vec<Uuid>,
}

/// Maps slim risk rows onto the engine's points (levels outside the matrix count as not
/// assessed; a risk without a category gets the key `u32::MAX`).
fn points_of(matrix: &RiskMatrix, rows: &[rk::PointRow]) -> Points {
    let (mut cats, mut depts, mut sups) = (Dict::default(), Dict::default(), Dict::default());
    let mut scope_index: std::collections::HashMap<Uuid, u32> = std::collections::HashMap::new();
    let mut scopes = Vec::new();
    let mut key = |u: Option<Uuid>| -> Option<u32> {
        let u = u?;
        Some(*scope_index.entry(u).or_insert_with(|| {
            scopes.push(u);
            (scopes.len() - 1) as u32
        }))
    };
    let mut driver_index: std::collections::HashMap<Uuid, u32> = std::collections::HashMap::new();
    let mut drivers = Vec::new();
    let mut driver_key = |u: Option<Uuid>| -> Option<u32> {
        let u = u?;
        Some(*driver_index.entry(u).or_insert_with(|| {
            drivers.push(u);
            (drivers.len() - 1) as u32
        }))
    };
    let np = matrix.probability.len() as i64;
    let ni = matrix.impact.len() as i64;
    let level = |x: Option<i64>, n: i64| x.filter(|v| (1..=n).contains(v)).map(|v| v as u8);
    let points = rows
        .iter()
        .enumerate()
        .map(|(i, r)| ra::RiskPoint {
            id: i as u32,
            project: None,
            program: key(r.program_id),
            portfolio: key(r.portfolio_id),
            kind: if r.opportunity {
                ra::Kind::Opportunity
            } else {
                ra::Kind::Threat
            },
            open: true,
            probability: level(r.probability, np),
            impact: level(r.impact, ni),
            emv: r.emv,
            category: cats.of(&r.category).unwrap_or(u32::MAX),
            department: depts.of(&r.department),
            supplier: sups.of(&r.supplier),
            driver: driver_key(r.driver),
            proximity_days: None,
        })
        .collect();
    Points {
        points,
        matrix: ra::Matrix {
            probability_levels: np as u8,
            impact_levels: ni as u8,
            bands: matrix.bands.iter().map(|b| b.min_score).collect(),
        },
        cats,
        depts,
        sups,
        scopes,
        drivers,
    }
}

/// The portfolio view of risk: every open risk the caller can see on the one matrix.
#[derive(Debug, Clone)]
pub struct RiskOverview {
    pub matrix: RiskMatrix,
    /// Open risks counted (threats and opportunities).
    pub open: usize,
    /// The threats of the cell asked for, in full (largest EMV first).
    pub cell: Vec<atrium_store::risk::RiskRow>,
    pub heat: atrium_core::risk_analytics::HeatMap,
    /// (dimension label, [(key label, concentration)]) for category, department, supplier.
    pub concentrations: Vec<(
        &'static str,
        Vec<(String, atrium_core::risk_analytics::Concentration)>,
    )>,
    /// Top open threats, worst first.
    pub top: Vec<atrium_store::risk::RiskRow>,
    /// Σ EMV of open threats.
    pub threat_emv: i64,
    /// Exposure at the end of each of the last 13 weeks (today last), summed over the
    /// portfolios the caller sees whole; empty for callers who see only parts of them.
    pub trend: Vec<(jiff::civil::Date, atrium_core::risk_analytics::TrendPoint)>,
}

/// Days since 1970-01-01 (the trend engine's day numbers).
fn day_number(d: jiff::civil::Date) -> i32 {
    (d - jiff::civil::Date::constant(1970, 1, 1)).get_days()
}

impl App {
    /// Heat map with counts and EMV per cell, concentrations and top risks over the open
    /// risks of every project the caller can see (optionally one portfolio).
    pub async fn risk_overview(
        &self,
        actor: &Actor,
        portfolio: Option<Uuid>,
        cell: Option<(u8, u8)>,
    ) -> Result<RiskOverview> {
        authorize(
            actor,
            Action::ReadRiskMatrix,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let matrix = rk::get_matrix(&self.db).await?;
        let vis = crate::permissions::visibility(actor);
        let rows = rk::open_points(&self.db, &vis, portfolio, false).await?;
        let Points {
            points,
            matrix: m,
            cats,
            depts,
            sups,
            drivers,
            ..
        } = points_of(&matrix, &rows);
        let mut driver_names = Dict::default();
        if !drivers.is_empty() {
            let names: std::collections::HashMap<Uuid, String> =
                atrium_store::strategy::list_drivers(&self.db)
                    .await?
                    .into_iter()
                    .map(|d| (d.id, d.name))
                    .collect();
            for d in &drivers {
                driver_names.labels.push(
                    names
                        .get(d)
                        .cloned()
                        .unwrap_or_else(|| "(driver removed)".into()),
                );
            }
        }
        let heat = ra::heat_map(&m, &points, |_| true);
        let named = |d: &Dict, dim: ra::Dimension| -> Vec<(String, ra::Concentration)> {
            ra::concentrations(&m, &points, dim, ra::Kind::Threat)
                .into_iter()
                .map(|c| {
                    let label = match (dim, c.key) {
                        (ra::Dimension::Category, Some(u32::MAX)) => "(not set)".to_owned(),
                        (ra::Dimension::Driver, None) => "(no business case)".to_owned(),
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
            (
                "Strategic driver",
                named(&driver_names, ra::Dimension::Driver),
            ),
        ];
        let top = rk::open_threats(&self.db, &vis, portfolio, rk::Pick::Top(20)).await?;

        let cell = match cell {
            Some((p, i)) => {
                rk::open_threats(
                    &self.db,
                    &vis,
                    portfolio,
                    rk::Pick::Cell(i64::from(p), i64::from(i)),
                )
                .await?
            }
            None => Vec::new(),
        };
        let threat_emv = points
            .iter()
            .filter(|p| p.kind == ra::Kind::Threat)
            .map(|p| p.emv)
            .sum();
        let trend = self.exposure_trend(&vis, portfolio).await?;
        Ok(RiskOverview {
            matrix,
            open: rows.len(),
            cell,
            heat,
            concentrations,
            top,
            threat_emv,
            trend,
        })
    }

    /// Weekly exposure over the last 13 weeks from the daily snapshots of the portfolios
    /// the caller sees whole (all of them, or the ones granted; optionally one).
    async fn exposure_trend(
        &self,
        vis: &atrium_store::project::Visibility,
        portfolio: Option<Uuid>,
    ) -> Result<Vec<(jiff::civil::Date, ra::TrendPoint)>> {
        use atrium_store::project::Visibility;
        let mut scope: Option<Vec<Uuid>> = match vis {
            Visibility::All => None,
            Visibility::Scoped { portfolios, .. } => Some(portfolios.clone()),
        };
        if let Some(pf) = portfolio {
            scope = match scope {
                Some(list) if !list.contains(&pf) => Some(Vec::new()),
                _ => Some(vec![pf]),
            };
        }
        if scope.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        let today = self.today();
        let weeks: Vec<jiff::civil::Date> = (0..13)
            .rev()
            .filter_map(|k| today.checked_sub(jiff::Span::new().days(7 * k)).ok())
            .collect();
        let Some(&from) = weeks.first() else {
            return Ok(Vec::new());
        };
        let rows = rk::exposure_since(&self.db, scope.as_deref(), from).await?;
        let mut index: std::collections::HashMap<Uuid, u32> = std::collections::HashMap::new();
        let snaps: Vec<ra::Snapshot> = rows
            .iter()
            .filter_map(|e| {
                let n = index.len() as u32;
                Some(ra::Snapshot {
                    scope: *index.entry(e.portfolio_id).or_insert(n),
                    day: day_number(e.day.parse().ok()?),
                    open: e.open_risks,
                    emv: e.threat_emv,
                    severe: e.severe,
                })
            })
            .collect();
        let days: Vec<i32> = weeks.iter().map(|d| day_number(*d)).collect();
        Ok(weeks
            .into_iter()
            .zip(ra::exposure_trend(&snaps, &days))
            .collect())
    }
}

/// P50 / P80 of the finish (a date) and of the cost (minor units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    pub p50_finish: jiff::civil::Date,
    pub p80_finish: jiff::civil::Date,
    pub p50_cost: i64,
    pub p80_cost: i64,
}

/// A project's schedule and cost forecast with and without its open risks.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub iterations: usize,
    pub without: Quantiles,
    pub with: Quantiles,
    /// Open, rated risks that delay tasks or cost money (the events simulated).
    pub risks: usize,
    /// Tasks in the simulation (summaries left out).
    pub tasks: usize,
}

impl App {
    /// Monte Carlo of the project's plan with its open risks as events (probability from
    /// the matrix, delay on the named tasks, cost if it happens) and without them. Task
    /// durations are the planned ones (plans carry no three-point estimates yet), so the
    /// spread comes from the risks. Seeded: the same register and plan give the same figures.
    pub async fn risk_forecast(&self, actor: &Actor, project_id: Uuid) -> Result<Forecast> {
        use atrium_schedule::montecarlo as mc;
        self.delivery_project(actor, project_id, Action::ReadRisks)
            .await?;
        let v = self.plan_view(actor, project_id, 0).await?;
        let s = self.settings().await?;
        let wt = crate::plan::WorkTime::of(&s.calendar);
        let mpd = wt.minutes_per_day as f64;
        let plan = &v.plan;
        let mut index = std::collections::HashMap::new();
        let mut tasks = Vec::new();
        for row in v.rows.iter().filter(|r| !r.summary) {
            index.insert(row.uid, tasks.len());
            let mut task = mc::McTask::new(mc::Dist::Fixed(row.duration as f64 / mpd));
            task.release = wt.work_between(v.project_start, row.start) as f64 / mpd;
            task.fixed_cost = row.cost as f64 / 100.0;
            tasks.push(task);
        }
        let links = plan
            .links
            .iter()
            .filter(|l| l.pred_project.is_none())
            .filter_map(|l| {
                let kind = match l.kind {
                    atrium_core::plan::LinkType::Fs => mc::LinkKind::FinishStart,
                    atrium_core::plan::LinkType::Ss => mc::LinkKind::StartStart,
                    atrium_core::plan::LinkType::Ff => mc::LinkKind::FinishFinish,
                    atrium_core::plan::LinkType::Sf => mc::LinkKind::StartFinish,
                };
                Some(mc::Link::new(
                    *index.get(&l.pred)?,
                    *index.get(&l.succ)?,
                    kind,
                    l.lag as f64 / mpd,
                ))
            })
            .collect();
        let m = rk::get_matrix(&self.db).await?;
        let (register, _) = rk::list_risks(
            &self.db,
            &RiskFilter {
                project: Some(project_id),
                open: true,
                ..Default::default()
            },
            "number",
            false,
            Page {
                limit: 10_000,
                offset: 0,
            },
        )
        .await?;
        let events: Vec<mc::RiskEvent> = register
            .iter()
            .filter(|r| r.kind == atrium_core::risk::RiskKind::Threat)
            .filter_map(|r| {
                let p = m.probability_value(r.rating.as_ref()?.probability);
                let delay = match r.delay_days {
                    Some((a, _, c)) if a == c => mc::Dist::Fixed(a),
                    Some((a, b, c)) => mc::Dist::Triangular {
                        min: a,
                        mode: b,
                        max: c,
                    },
                    None => mc::Dist::Fixed(0.0),
                };
                let affected: Vec<usize> = r
                    .delay_tasks
                    .iter()
                    .filter_map(|u| index.get(u).copied())
                    .collect();
                (r.cost_impact > 0 || !affected.is_empty()).then(|| mc::RiskEvent {
                    probability: p,
                    delay,
                    tasks: affected,
                    cost: mc::Dist::Fixed(r.cost_impact as f64 / 100.0),
                })
            })
            .collect();
        let opts = mc::McOptions {
            iterations: 10_000,
            seed: 1,
            threads: 1,
            criticality: false,
            sensitivity: false,
        };
        let date_of = |days: f64| {
            let minutes = (days * mpd).round() as i64;
            let t = wt.calendar.add_work(
                atrium_schedule::calendar::DateTime(v.project_start),
                minutes,
            );
            crate::plan::civil(t.0 - i64::from(minutes > 0))
        };
        let quantiles = |r: &mc::McResult| Quantiles {
            p50_finish: date_of(r.finish.quantile(0.5)),
            p80_finish: date_of(r.finish.quantile(0.8)),
            p50_cost: (r.cost.quantile(0.5) * 100.0).round() as i64,
            p80_cost: (r.cost.quantile(0.8) * 100.0).round() as i64,
        };
        let n_tasks = tasks.len();
        let n_risks = events.len();
        let base = mc::McInput {
            tasks,
            links,
            risks: Vec::new(),
        };
        let with_risks = mc::McInput {
            risks: events,
            ..base.clone()
        };
        let (a, b) = tokio::task::spawn_blocking(move || {
            (mc::simulate(&base, &opts), mc::simulate(&with_risks, &opts))
        })
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))?;
        Ok(Forecast {
            iterations: opts.iterations,
            without: quantiles(&a),
            with: quantiles(&b),
            risks: n_risks,
            tasks: n_tasks,
        })
    }
}

/// A risk its owner should look at: the review date has passed or an action is overdue.
#[derive(Debug, Clone)]
pub struct RiskDue {
    pub risk: Risk,
    /// The key of the register it was raised in (project, program or portfolio).
    pub project_key: String,
    /// In words: "review due 2026-11-20", "action “…” due 2026-11-25".
    pub reasons: Vec<String>,
}

impl App {
    /// Open risks with an overdue review or response action (on `today`) that the caller
    /// owns (by name or e-mail), in registers the caller may read: a risk's owner sees its
    /// overdue review and all its overdue actions, an action's owner that action.
    pub async fn my_risks_due(&self, actor: &Actor) -> Result<Vec<RiskDue>> {
        let today = self.today();
        let mode = self.mode().await?;
        let me = [actor.name.clone(), actor.email.clone()];
        let is_me = |o: &str| {
            let o = o.trim();
            !o.is_empty() && me.iter().any(|m| m.eq_ignore_ascii_case(o))
        };
        let owned = rk::owned_by(&self.db, &me).await?;
        let mut out = Vec::new();
        let mut tx = self.db.begin().await?;
        for r in owned {
            let mut reasons = Vec::new();
            let owns_risk = is_me(&r.owner);
            if owns_risk && let Some(d) = r.next_review.filter(|d| *d < today) {
                reasons.push(format!("review due {d}"));
            }
            for a in &r.actions {
                if a.status != atrium_core::risk::ActionStatus::Done
                    && (owns_risk || is_me(&a.owner))
                    && let Some(d) = a.due.filter(|d| *d < today)
                {
                    reasons.push(format!("action “{}” due {d}", a.title));
                }
            }
            if reasons.is_empty() {
                continue;
            }
            let Ok(info) = self
                .risk_register_tx(&mut tx, actor, &r, Action::ReadRisks, mode)
                .await
            else {
                continue;
            };
            out.push(RiskDue {
                risk: r,
                project_key: info.key,
                reasons,
            });
        }
        drop(tx);
        Ok(out)
    }

    /// A project's register as a table (CSV or XLSX).
    pub async fn risks_export(
        &self,
        actor: &Actor,
        project_id: Uuid,
        format: &str,
    ) -> Result<crate::plan_files::Export> {
        self.register_export(actor, Register::Project(project_id), format)
            .await
    }

    /// A register as a table (CSV or XLSX), every risk with its register level.
    pub async fn register_export(
        &self,
        actor: &Actor,
        reg: Register,
        format: &str,
    ) -> Result<crate::plan_files::Export> {
        use atrium_interop::xlsx::Cell as X;
        let info = self.register_info(actor, reg, Action::ReadRisks).await?;
        // Authorized once above: read the list and the matrix directly.
        let all = Page {
            limit: 100_000,
            offset: 0,
        };
        let (risks, _) =
            rk::list_risks(&self.db, &register_filter(reg, false), "number", false, all).await?;
        let m = rk::get_matrix(&self.db).await?;
        let headers = [
            "Ref",
            "Title",
            "Kind",
            "Status",
            "Category",
            "Owner",
            "Probability",
            "Impact",
            "Score",
            "Band",
            "Residual score",
            "EMV",
            "Cost at stake",
            "Response",
            "Next review",
            "Proximity",
            "Cause",
            "Event",
            "Effect",
            "Department",
            "Supplier",
            "Register",
        ];
        let text = |s: &str| X::Text(s.to_owned());
        let money = |v: i64| X::Money {
            minor: v,
            currency: String::new(),
        };
        let rows: Vec<Vec<X>> = risks
            .iter()
            .map(|r| {
                let score = r.score();
                vec![
                    text(&r.reference()),
                    text(&r.title),
                    text(r.kind.label()),
                    text(r.status.label()),
                    text(&r.category),
                    text(&r.owner),
                    r.rating
                        .as_ref()
                        .map_or(X::Empty, |x| X::Number(f64::from(x.probability))),
                    r.rating
                        .as_ref()
                        .map_or(X::Empty, |x| X::Number(f64::from(x.impact()))),
                    score.map_or(X::Empty, |s| X::Number(f64::from(s))),
                    text(score.map(|s| m.band_name(s)).unwrap_or("not assessed")),
                    r.residual
                        .as_ref()
                        .map_or(X::Empty, |x| X::Number(f64::from(x.score()))),
                    money(r.emv(&m)),
                    money(r.cost_impact),
                    text(r.strategy.map(|s| s.label()).unwrap_or("")),
                    text(&r.next_review.map(|d| d.to_string()).unwrap_or_default()),
                    text(&r.proximity.map(|d| d.to_string()).unwrap_or_default()),
                    text(&r.cause),
                    text(&r.event),
                    text(&r.effect),
                    text(&r.department),
                    text(&r.supplier),
                    text(r.level.label()),
                ]
            })
            .collect();
        crate::plan_files::table_export(&info.key, "risks", format, &headers, &rows)
    }
}

/// An appetite limit exceeded, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct BreachView {
    pub statement: String,
    /// "Program DIGITAL-01 Customer portal", "Portfolio …" or "Organization".
    pub scope: String,
    /// "3 critical risks (at most 2)" or "EMV 612,000.00 (at most 500,000.00)".
    pub measure: String,
    /// How many risks are behind it.
    pub risks: usize,
}

impl App {
    /// The organization's risk appetite (every signed-in user may read it).
    pub async fn risk_appetite(&self, actor: &Actor) -> Result<atrium_core::risk::RiskAppetite> {
        authorize(
            actor,
            Action::ReadRiskMatrix,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        Ok(rk::get_appetite(&self.db).await?)
    }

    pub async fn set_risk_appetite(
        &self,
        actor: &Actor,
        d: &atrium_core::risk::AppetiteDraft,
        expected: i64,
    ) -> Result<atrium_core::risk::RiskAppetite> {
        authorize(
            actor,
            Action::ManageRiskMatrix,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let mut tx = self.db.begin().await?;
        let before = rk::get_appetite_tx(&mut tx).await?;
        check_version(before.version, expected)?;
        let m = rk::get_matrix_tx(&mut tx).await?;
        let after = d.validate(&m, expected + 1)?;
        rk::put_appetite(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "rules", "risk appetite", "rules"))?;
        audit(
            &mut tx,
            actor,
            "risk_appetite",
            Uuid::nil(),
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Appetite limits the open threats the caller can see exceed (risk manager's and
    /// director's home pages).
    pub async fn appetite_breaches(&self, actor: &Actor) -> Result<Vec<BreachView>> {
        let appetite = self.risk_appetite(actor).await?;
        if appetite.rules.is_empty() {
            return Ok(Vec::new());
        }
        let matrix = rk::get_matrix(&self.db).await?;
        let vis = crate::permissions::visibility(actor);
        let rows = rk::open_points(&self.db, &vis, None, true).await?;
        let Points {
            points,
            matrix: m,
            cats,
            scopes,
            ..
        } = points_of(&matrix, &rows);
        let rules: Vec<ra::Appetite> = appetite
            .rules
            .iter()
            .map(|r| ra::Appetite {
                // A category no risk has yet matches nothing: an index past the dictionary.
                category: r
                    .category
                    .as_ref()
                    .map(|c| cats.index.get(c).copied().unwrap_or(u32::MAX - 1)),
                scope: match r.scope {
                    atrium_core::risk::AppetiteScope::Program => ra::AppetiteScope::PerProgram,
                    atrium_core::risk::AppetiteScope::Portfolio => ra::AppetiteScope::PerPortfolio,
                    atrium_core::risk::AppetiteScope::Organization => {
                        ra::AppetiteScope::Organization
                    }
                },
                max_count_at_or_above_band: r.max_count.as_ref().and_then(|(band, n)| {
                    matrix
                        .bands
                        .iter()
                        .position(|b| &b.name == band)
                        .map(|i| (i, *n))
                }),
                max_emv: r.max_emv,
            })
            .collect();
        let money = |v: i64| atrium_core::money::Minor(v).format();
        let mut out = Vec::new();
        for b in ra::breaches(&m, &points, &rules) {
            let rule = &appetite.rules[b.rule];
            let scope = match (rule.scope, b.scope_key.and_then(|k| scopes.get(k as usize))) {
                (atrium_core::risk::AppetiteScope::Program, Some(id)) => {
                    match atrium_store::portfolio::get_program(&self.db, *id).await? {
                        Some(p) => format!("Program {} {}", p.key, p.name),
                        None => "Program".into(),
                    }
                }
                (atrium_core::risk::AppetiteScope::Portfolio, Some(id)) => {
                    match atrium_store::portfolio::get_portfolio(&self.db, *id).await? {
                        Some(p) => format!("Portfolio {} {}", p.key, p.name),
                        None => "Portfolio".into(),
                    }
                }
                _ => "Organization".into(),
            };
            let measure = match b.measure {
                ra::Measure::CountAtOrAboveBand(band) => format!(
                    "{} {} risks or worse (at most {})",
                    b.value,
                    matrix.bands.get(band).map_or("", |x| x.name.as_str()),
                    b.limit
                ),
                ra::Measure::Emv => format!("EMV {} (at most {})", money(b.value), money(b.limit)),
            };
            out.push(BreachView {
                statement: rule.statement.clone(),
                scope,
                measure,
                risks: b.risks.len(),
            });
        }
        Ok(out)
    }
}

impl App {
    /// Starts an escalation when the appetite's thresholds are met and the risk was never
    /// escalated (a returned escalation is not re-opened on its own).
    async fn escalate_on_threshold(
        &self,
        tx: &mut atrium_store::Tx,
        r: &mut Risk,
        m: &RiskMatrix,
        now: i64,
    ) -> Result<()> {
        if r.escalation.is_some() {
            return Ok(());
        }
        let appetite = rk::get_appetite_tx(tx).await?;
        if appetite.escalation.met_by(r, m, self.today())
            && let Some(to) = r.level.next(r.program_id.is_some())
        {
            r.escalation = Some(atrium_core::risk::Escalation {
                from: r.level,
                to,
                state: atrium_core::risk::EscalationState::Pending,
                steps: vec![atrium_core::risk::EscalationStep {
                    at: now,
                    by: "threshold".into(),
                    action: "escalate".into(),
                    to,
                    note: "met the organization's escalation thresholds".into(),
                }],
            });
        }
        Ok(())
    }

    /// Escalates a risk to the register above (the project's program, else its portfolio;
    /// then the portfolio; then the enterprise); pending until accepted or returned.
    pub async fn escalate_risk(
        &self,
        actor: &Actor,
        id: Uuid,
        note: &str,
        expected: i64,
    ) -> Result<Risk> {
        self.escalation_step(actor, id, expected, EscalationAction::Escalate, note)
            .await
    }

    /// Accepts (the risk moves to the higher register) or returns a pending escalation.
    pub async fn decide_escalation(
        &self,
        actor: &Actor,
        id: Uuid,
        accept: bool,
        note: &str,
        expected: i64,
    ) -> Result<Risk> {
        let action = if accept {
            EscalationAction::Accept
        } else {
            EscalationAction::Return
        };
        self.escalation_step(actor, id, expected, action, note)
            .await
    }

    async fn escalation_step(
        &self,
        actor: &Actor,
        id: Uuid,
        expected: i64,
        action: EscalationAction,
        note: &str,
    ) -> Result<Risk> {
        use atrium_core::risk::{Escalation, EscalationState, EscalationStep};
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = rk::get_risk_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("risk"))?;
        let needed = match action {
            EscalationAction::Escalate => Action::EditRisks,
            _ => Action::DecideEscalation,
        };
        self.risk_register_tx(&mut tx, actor, &before, needed, mode)
            .await?;
        check_version(before.version, expected)?;
        let note = note.trim();
        if note.chars().count() > atrium_core::validation::limits::NOTE {
            return Err(AppError::field("note", "must be at most 2000 characters"));
        }
        let mut after = before.clone();
        after.version += 1;
        let now = self.now_micros();
        let pending = before
            .escalation
            .as_ref()
            .is_some_and(|e| e.state == EscalationState::Pending);
        match action {
            EscalationAction::Escalate => {
                if pending {
                    return Err(AppError::field(
                        "note",
                        "this risk is already waiting for acceptance",
                    ));
                }
                if before.status != atrium_core::risk::RiskStatus::Open {
                    return Err(AppError::field("note", "only open risks are escalated"));
                }
                let to = before
                    .level
                    .next(before.program_id.is_some())
                    .ok_or_else(|| {
                        AppError::field("note", "the risk is already in the enterprise register")
                    })?;
                let mut steps = before
                    .escalation
                    .as_ref()
                    .map(|e| e.steps.clone())
                    .unwrap_or_default();
                steps.push(EscalationStep {
                    at: now,
                    by: actor.email.clone(),
                    action: "escalate".into(),
                    to,
                    note: note.to_owned(),
                });
                after.escalation = Some(Escalation {
                    from: before.level,
                    to,
                    state: EscalationState::Pending,
                    steps,
                });
            }
            EscalationAction::Accept | EscalationAction::Return => {
                let Some(mut e) = before.escalation.clone().filter(|_| pending) else {
                    return Err(AppError::field(
                        "note",
                        "no escalation is waiting for a decision",
                    ));
                };
                let accept = matches!(action, EscalationAction::Accept);
                if !accept && note.is_empty() {
                    return Err(AppError::field(
                        "note",
                        "say why it goes back (the owner sees it)",
                    ));
                }
                e.state = if accept {
                    EscalationState::Accepted
                } else {
                    EscalationState::Returned
                };
                e.steps.push(EscalationStep {
                    at: now,
                    by: actor.email.clone(),
                    action: if accept { "accept" } else { "return" }.into(),
                    to: if accept { e.to } else { e.from },
                    note: note.to_owned(),
                });
                if accept {
                    after.level = e.to;
                }
                after.escalation = Some(e);
            }
        }
        let m = rk::get_matrix_tx(&mut tx).await?;
        rk::update_risk(&mut tx, &after, after.emv(&m), now)
            .await
            .map_err(|e| map_write(e, before.version, "note", "risk", "project"))?;
        audit(
            &mut tx,
            actor,
            "risk",
            id,
            action.name(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Escalations waiting for a decision that the caller may see (their scope).
    pub async fn escalation_queue(&self, actor: &Actor) -> Result<Vec<(Risk, String)>> {
        self.escalated_with_keys(actor, true).await
    }

    async fn escalated_with_keys(
        &self,
        actor: &Actor,
        pending: bool,
    ) -> Result<Vec<(Risk, String)>> {
        authorize(
            actor,
            Action::ReadRiskMatrix,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let vis = crate::permissions::visibility(actor);
        let risks = rk::escalated(&self.db, &vis, pending).await?;
        let mut ids: Vec<Uuid> = risks.iter().filter_map(|r| r.project_id).collect();
        ids.sort();
        ids.dedup();
        let mut keys: std::collections::HashMap<Uuid, String> =
            atrium_store::resource::project_names(&self.db, &ids)
                .await?
                .into_iter()
                .map(|(id, k, _)| (id, k))
                .collect();
        // Risks raised in a program's or a portfolio's register go by its key.
        for r in &risks {
            match Register::origin_of(r) {
                Some(Register::Program(id)) if !keys.contains_key(&id) => {
                    if let Some(g) = atrium_store::portfolio::get_program(&self.db, id).await? {
                        keys.insert(id, g.key);
                    }
                }
                Some(Register::Portfolio(id)) if !keys.contains_key(&id) => {
                    if let Some(f) = atrium_store::portfolio::get_portfolio(&self.db, id).await? {
                        keys.insert(id, f.key);
                    }
                }
                _ => {}
            }
        }
        Ok(risks
            .into_iter()
            .map(|r| {
                let k = Register::origin_of(&r)
                    .and_then(|g| keys.get(&g.id()).cloned())
                    .unwrap_or_default();
                (r, k)
            })
            .collect())
    }

    /// Every escalated risk the caller can see, for an enterprise risk system (CSV/XLSX).
    pub async fn escalations_export(
        &self,
        actor: &Actor,
        format: &str,
    ) -> Result<crate::plan_files::Export> {
        use atrium_interop::xlsx::Cell as X;
        let list = self.escalated_with_keys(actor, false).await?;
        let m = rk::get_matrix(&self.db).await?;
        let headers = [
            "Project",
            "Ref",
            "Title",
            "Category",
            "Owner",
            "Score",
            "EMV",
            "From",
            "To",
            "State",
            "Last step",
            "By",
            "Note",
        ];
        let rows: Vec<Vec<X>> = list
            .iter()
            .filter_map(|(r, key)| {
                let e = r.escalation.as_ref()?;
                let last = e.steps.last();
                Some(vec![
                    X::Text(key.clone()),
                    X::Text(r.reference()),
                    X::Text(r.title.clone()),
                    X::Text(r.category.clone()),
                    X::Text(r.owner.clone()),
                    r.score().map_or(X::Empty, |s| X::Number(f64::from(s))),
                    X::Money {
                        minor: r.emv(&m),
                        currency: String::new(),
                    },
                    X::Text(e.from.label().into()),
                    X::Text(e.to.label().into()),
                    X::Text(e.state.label().into()),
                    X::Text(last.map(|s| s.action.clone()).unwrap_or_default()),
                    X::Text(last.map(|s| s.by.clone()).unwrap_or_default()),
                    X::Text(last.map(|s| s.note.clone()).unwrap_or_default()),
                ])
            })
            .collect();
        crate::plan_files::table_export("risk", "escalations", format, &headers, &rows)
    }
}

#[derive(Debug, Clone, Copy)]
enum EscalationAction {
    Escalate,
    Accept,
    Return,
}

impl EscalationAction {
    fn name(self) -> &'static str {
        match self {
            EscalationAction::Escalate => "escalate",
            EscalationAction::Accept => "accept_escalation",
            EscalationAction::Return => "return_escalation",
        }
    }
}
