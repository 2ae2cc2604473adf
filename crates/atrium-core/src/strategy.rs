//! Portfolio strategy and intake: strategic drivers, business cases (proposals) with their
//! workflow, and portfolio scenarios. Pure types and validation; the scoring and optimization
//! maths live in `atrium-optimize`.

use crate::money::Minor;
use crate::validation::{FieldError, Validation, limits};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Highest impact / risk rating (ratings are 0..=5).
pub const RATING_MAX: u8 = 5;
/// Most drivers an organization may have (AHP is defined up to 15).
pub const MAX_DRIVERS: usize = 15;
/// Most lines in a cost, benefit, capacity or link list.
const MAX_LINES: usize = 200;

/// A strategic objective proposals are scored against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// Relative weight (the weights of active drivers are normalised when scoring).
    pub weight: f64,
    pub archived: bool,
    pub version: i64,
}

/// A driver as typed in a form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct DriverDraft {
    pub name: String,
    pub description: Option<String>,
    pub weight: String,
}

impl DriverDraft {
    pub fn validate(&self, id: Uuid, version: i64) -> Result<Driver, Vec<FieldError>> {
        let mut v = Validation::new();
        let name = v.text("name", &self.name, limits::NAME);
        let description = v.opt_text(
            "description",
            self.description.as_deref(),
            limits::DESCRIPTION,
        );
        let raw = self.weight.trim();
        let weight = if raw.is_empty() {
            1.0
        } else {
            match raw.parse::<f64>() {
                Ok(w) if w.is_finite() && (0.0..=1000.0).contains(&w) => w,
                _ => {
                    v.add("weight", "must be a number from 0 to 1000");
                    0.0
                }
            }
        };
        v.finish(Driver {
            id,
            name,
            description,
            weight,
            archived: false,
            version,
        })
    }
}

/// Organization-wide scoring settings and the last accepted pairwise comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyConfig {
    /// Discount rate for NPV, percent per year.
    pub discount_rate_pct: f64,
    /// `k` in `risk_adjusted = weighted × clamp(1 − k × risk/5, floor, 1)`.
    pub risk_factor: f64,
    /// Lowest multiplier risk may apply.
    pub risk_floor: f64,
    /// Judgements of the last accepted pairwise comparison.
    pub judgements: Vec<Judgement>,
    /// Consistency ratio of that comparison.
    pub consistency_ratio: Option<f64>,
    pub version: i64,
}

impl Default for StrategyConfig {
    fn default() -> Self {
        StrategyConfig {
            discount_rate_pct: 8.0,
            risk_factor: 0.5,
            risk_floor: 0.2,
            judgements: Vec::new(),
            consistency_ratio: None,
            version: 0,
        }
    }
}

/// "`a` is `value` times as important as `b`" on Saaty's 1/9..9 scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub a: Uuid,
    pub b: Uuid,
    pub value: f64,
}

/// Parses a Saaty judgement: `1`..`9`, or `1/2`..`1/9`.
pub fn parse_saaty(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    let v = match raw.split_once('/') {
        Some((n, d)) => n.trim().parse::<f64>().ok()? / d.trim().parse::<f64>().ok()?,
        None => raw.parse::<f64>().ok()?,
    };
    (v.is_finite() && (1.0 / 9.0 - 1e-9..=9.0 + 1e-9).contains(&v)).then_some(v)
}

str_enum! {
    /// Where a proposal is in the intake workflow.
    ProposalState {
        Draft = "draft", "Draft";
        Submitted = "submitted", "Submitted";
        Screened = "screened", "Screened";
        Scored = "scored", "Scored";
        Approved = "approved", "Approved";
        Deferred = "deferred", "Deferred";
        Rejected = "rejected", "Rejected";
    }
}

str_enum! {
    /// A workflow step asked for by a user.
    Transition {
        Submit = "submit", "Submit";
        Screen = "screen", "Screen";
        Score = "score", "Mark scored";
        Approve = "approve", "Approve";
        Defer = "defer", "Defer";
        Reject = "reject", "Reject";
        Reopen = "reopen", "Reopen";
    }
}

impl ProposalState {
    /// Whether the business case may still be edited.
    pub fn editable(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::Submitted | Self::Screened | Self::Scored | Self::Deferred
        )
    }

    /// The state a transition leads to, or why it is not allowed from here.
    pub fn after(self, t: Transition) -> Result<ProposalState, String> {
        use ProposalState as S;
        use Transition as T;
        let to = match (self, t) {
            (S::Draft, T::Submit) => S::Submitted,
            (S::Submitted, T::Screen) => S::Screened,
            (S::Screened, T::Score) => S::Scored,
            (S::Scored, T::Approve) => S::Approved,
            (S::Submitted | S::Screened | S::Scored, T::Defer) => S::Deferred,
            (S::Submitted | S::Screened | S::Scored | S::Deferred, T::Reject) => S::Rejected,
            (S::Deferred, T::Reopen) => S::Submitted,
            _ => {
                return Err(format!(
                    "a {} proposal cannot be {}; allowed: {}",
                    self.label().to_lowercase(),
                    past(t),
                    self.transitions()
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        };
        Ok(to)
    }

    /// The transitions possible from this state.
    pub fn transitions(self) -> Vec<Transition> {
        Transition::ALL
            .iter()
            .copied()
            .filter(|&t| self.after_ok(t))
            .collect()
    }

    fn after_ok(self, t: Transition) -> bool {
        use ProposalState as S;
        use Transition as T;
        matches!(
            (self, t),
            (S::Draft, T::Submit)
                | (S::Submitted, T::Screen)
                | (S::Screened, T::Score)
                | (S::Scored, T::Approve)
                | (S::Submitted | S::Screened | S::Scored, T::Defer)
                | (
                    S::Submitted | S::Screened | S::Scored | S::Deferred,
                    T::Reject
                )
                | (S::Deferred, T::Reopen)
        )
    }
}

fn past(t: Transition) -> &'static str {
    match t {
        Transition::Submit => "submitted",
        Transition::Screen => "screened",
        Transition::Score => "scored",
        Transition::Approve => "approved",
        Transition::Defer => "deferred",
        Transition::Reject => "rejected",
        Transition::Reopen => "reopened",
    }
}

/// Cost of one fiscal year (fiscal years are named by the calendar year they start in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearCost {
    pub year: i32,
    pub capex: Minor,
    pub opex: Minor,
}

/// Expected benefit of one fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearBenefit {
    pub year: i32,
    pub amount: Minor,
}

/// Capacity needed for a job role (or skill) in one quarter, counted from the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityNeed {
    pub role: String,
    /// 0 = the first quarter of the project.
    pub quarter: u32,
    /// Full-time equivalents.
    pub fte: f64,
}

str_enum! {
    /// How a proposal relates to another proposal or project.
    LinkKind {
        Requires = "requires", "Requires";
        Excludes = "excludes", "Excludes";
    }
}

/// A dependency on another proposal or project, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalLink {
    pub kind: LinkKind,
    pub target: String,
}

/// A business case: a proposal in intake or, once approved, the case of the project it became.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: Uuid,
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub portfolio_id: Uuid,
    pub sponsor_id: Option<Uuid>,
    pub state: ProposalState,
    pub mandatory: bool,
    pub start: Date,
    /// Quarters the optimizer may delay the start by.
    pub max_shift: u32,
    /// Impact rating 0..=5 per driver.
    pub ratings: BTreeMap<Uuid, u8>,
    /// Risk rating 0 (none) ..= 5 (very high).
    pub risk: u8,
    pub costs: Vec<YearCost>,
    pub benefits: Vec<YearBenefit>,
    pub capacity: Vec<CapacityNeed>,
    pub links: Vec<ProposalLink>,
    /// Rationale of the last decision.
    pub rationale: Option<String>,
    /// The project an approved proposal became.
    pub project_id: Option<Uuid>,
    pub version: i64,
}

impl Proposal {
    /// The driver the business case rates highest (ties: the first in id order); `None`
    /// when it rates none above 0. Risk concentrations by driver group projects by it.
    pub fn primary_driver(&self) -> Option<Uuid> {
        let mut best: Option<(Uuid, u8)> = None;
        for (&d, &r) in &self.ratings {
            if r > 0 && best.is_none_or(|(_, b)| r > b) {
                best = Some((d, r));
            }
        }
        best.map(|(d, _)| d)
    }

    pub fn total_cost(&self) -> Minor {
        Minor(self.costs.iter().map(|c| c.capex.0 + c.opex.0).sum())
    }

    /// Net cash flow per fiscal year from the first year with a cost or benefit to the last.
    pub fn cash_flows(&self) -> (i32, Vec<i64>) {
        let years = self
            .costs
            .iter()
            .map(|c| c.year)
            .chain(self.benefits.iter().map(|b| b.year));
        let (Some(lo), Some(hi)) = (years.clone().min(), years.max()) else {
            return (self.start.year() as i32, Vec::new());
        };
        let mut flows = vec![0i64; (hi - lo + 1) as usize];
        for c in &self.costs {
            flows[(c.year - lo) as usize] -= c.capex.0 + c.opex.0;
        }
        for b in &self.benefits {
            flows[(b.year - lo) as usize] += b.amount.0;
        }
        (lo, flows)
    }
}

/// A proposal as typed in a form or sent to the API. List fields are text, one entry per
/// line, so forms and the API share one parser and one set of messages.
#[derive(Debug, Clone, Default)]
pub struct ProposalDraft {
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub portfolio_id: Option<Uuid>,
    pub sponsor_id: Option<Uuid>,
    pub mandatory: bool,
    pub start: String,
    pub max_shift: String,
    pub ratings: BTreeMap<Uuid, String>,
    pub risk: String,
    /// `YEAR, CAPEX, OPEX` per line.
    pub costs: String,
    /// `YEAR, AMOUNT` per line.
    pub benefits: String,
    /// `ROLE, QUARTER, FTE` per line (quarter 1 = the first quarter of the project).
    pub capacity: String,
    /// `requires KEY` or `excludes KEY` per line.
    pub links: String,
}

/// Proposal keys look like project keys (PRP-007).
pub fn valid_key(s: &str) -> Option<String> {
    crate::project::ProjectKey::parse(s).map(|k| k.as_str().to_owned())
}

fn lines(raw: &str) -> impl Iterator<Item = (usize, &str)> {
    raw.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

fn fields(line: &str) -> Vec<&str> {
    line.split([',', ';', '\t']).map(str::trim).collect()
}

fn parse_year(raw: &str) -> Option<i32> {
    raw.trim_start_matches("FY")
        .parse::<i32>()
        .ok()
        .filter(|y| (1900..=2200).contains(y))
}

fn parse_money(raw: &str) -> Option<Minor> {
    let cleaned: String = raw.chars().filter(|c| *c != '_' && *c != ' ').collect();
    Minor::parse_decimal(&cleaned).filter(|m| m.0 >= 0)
}

/// Parses `YEAR, CAPEX, OPEX` lines.
pub fn parse_costs(v: &mut Validation, field: &str, raw: &str) -> Vec<YearCost> {
    let mut out: Vec<YearCost> = Vec::new();
    for (n, line) in lines(raw).take(MAX_LINES) {
        let f = fields(line);
        let parsed = match f.as_slice() {
            [y, c] => parse_year(y)
                .zip(parse_money(c))
                .map(|(y, c)| (y, c, Minor(0))),
            [y, c, o] => parse_year(y)
                .zip(parse_money(c))
                .zip(parse_money(o))
                .map(|((y, c), o)| (y, c, o)),
            _ => None,
        };
        match parsed {
            Some((year, capex, opex)) if out.iter().all(|c| c.year != year) => {
                out.push(YearCost { year, capex, opex })
            }
            Some((year, ..)) => v.add(field, format!("line {n}: fiscal year {year} is given twice")),
            None => v.add(
                field,
                format!("line {n}: write `YEAR, CAPEX, OPEX` such as `2027, 250000, 40000` (amounts not negative)"),
            ),
        }
    }
    out.sort_by_key(|c| c.year);
    out
}

/// Parses `YEAR, AMOUNT` lines.
pub fn parse_benefits(v: &mut Validation, field: &str, raw: &str) -> Vec<YearBenefit> {
    let mut out: Vec<YearBenefit> = Vec::new();
    for (n, line) in lines(raw).take(MAX_LINES) {
        match fields(line).as_slice() {
            [y, a] => match parse_year(y).zip(parse_money(a)) {
                Some((year, amount)) if out.iter().all(|b| b.year != year) => {
                    out.push(YearBenefit { year, amount })
                }
                Some((year, _)) => v.add(
                    field,
                    format!("line {n}: fiscal year {year} is given twice"),
                ),
                None => v.add(
                    field,
                    format!("line {n}: write `YEAR, AMOUNT` such as `2028, 400000`"),
                ),
            },
            _ => v.add(
                field,
                format!("line {n}: write `YEAR, AMOUNT` such as `2028, 400000`"),
            ),
        }
    }
    out.sort_by_key(|b| b.year);
    out
}

/// Parses `ROLE, QUARTER, FTE` lines (quarter 1 = first quarter of the project, `Q2` accepted).
pub fn parse_capacity(v: &mut Validation, field: &str, raw: &str) -> Vec<CapacityNeed> {
    let mut out = Vec::new();
    for (n, line) in lines(raw).take(MAX_LINES) {
        let f = fields(line);
        let parsed = match f.as_slice() {
            [role, q, fte] if !role.is_empty() && role.chars().count() <= limits::NAME => {
                let q = q.trim_start_matches(['Q', 'q']).parse::<u32>().ok();
                let fte = fte.parse::<f64>().ok();
                match (q, fte) {
                    (Some(q), Some(fte))
                        if (1..=40).contains(&q)
                            && fte.is_finite()
                            && (0.0..=10_000.0).contains(&fte) =>
                    {
                        Some(CapacityNeed {
                            role: (*role).to_owned(),
                            quarter: q - 1,
                            fte,
                        })
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        match parsed {
            Some(c) => out.push(c),
            None => v.add(
                field,
                format!("line {n}: write `ROLE, QUARTER, FTE` such as `Developer, Q1, 2.5` (quarter 1–40, FTE 0–10000)"),
            ),
        }
    }
    out
}

/// Parses `requires KEY` / `excludes KEY` lines.
pub fn parse_links(v: &mut Validation, field: &str, raw: &str) -> Vec<ProposalLink> {
    let mut out: Vec<ProposalLink> = Vec::new();
    for (n, line) in lines(raw).take(MAX_LINES) {
        let mut parts = line.split_whitespace();
        let kind = parts
            .next()
            .and_then(|k| LinkKind::parse(&k.to_lowercase()));
        let target = parts.next().and_then(valid_key);
        match (kind, target, parts.next()) {
            (Some(kind), Some(target), None) => {
                let link = ProposalLink { kind, target };
                if !out.contains(&link) {
                    out.push(link);
                }
            }
            _ => v.add(
                field,
                format!(
                    "line {n}: write `requires KEY` or `excludes KEY`, such as `requires PRP-003`"
                ),
            ),
        }
    }
    out
}

/// Formats costs back into the text the form shows.
pub fn costs_text(c: &[YearCost]) -> String {
    c.iter()
        .map(|c| format!("{}, {}, {}", c.year, c.capex.plain(), c.opex.plain()))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn benefits_text(b: &[YearBenefit]) -> String {
    b.iter()
        .map(|b| format!("{}, {}", b.year, b.amount.plain()))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn capacity_text(c: &[CapacityNeed]) -> String {
    c.iter()
        .map(|c| format!("{}, Q{}, {}", c.role, c.quarter + 1, c.fte))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn links_text(l: &[ProposalLink]) -> String {
    l.iter()
        .map(|l| format!("{} {}", l.kind.as_str(), l.target))
        .collect::<Vec<_>>()
        .join("\n")
}

fn rating(v: &mut Validation, field: &str, raw: &str) -> u8 {
    let raw = raw.trim();
    if raw.is_empty() {
        return 0;
    }
    match raw.parse::<u8>() {
        Ok(r) if r <= RATING_MAX => r,
        _ => {
            v.add(
                field,
                format!("must be a whole number from 0 to {RATING_MAX}"),
            );
            0
        }
    }
}

impl ProposalDraft {
    /// Validates the draft. `drivers` are the active drivers (ratings for others are refused).
    pub fn validate(
        &self,
        id: Uuid,
        version: i64,
        drivers: &[Uuid],
    ) -> Result<Proposal, Vec<FieldError>> {
        let mut v = Validation::new();
        let key = valid_key(&self.key).unwrap_or_else(|| {
            v.add("key", "must look like PRP-007: letters, a dash, 1–6 digits");
            self.key.trim().to_owned()
        });
        let title = v.text("title", &self.title, limits::NAME);
        let description = v.opt_text(
            "description",
            self.description.as_deref(),
            limits::DESCRIPTION,
        );
        let portfolio_id = self.portfolio_id.unwrap_or_else(|| {
            v.add(
                "portfolio_id",
                "is required: a proposal belongs to a portfolio",
            );
            Uuid::nil()
        });
        let start = match self.start.trim().parse::<Date>() {
            Ok(d) if (1900..=2200).contains(&d.year()) => d,
            _ => {
                v.add("start", "must be a date (YYYY-MM-DD) between 1900 and 2200");
                Date::constant(2000, 1, 1)
            }
        };
        let max_shift = match self.max_shift.trim() {
            "" => 0,
            raw => raw
                .parse::<u32>()
                .ok()
                .filter(|s| *s <= 8)
                .unwrap_or_else(|| {
                    v.add(
                        "max_shift",
                        "must be a whole number of quarters from 0 to 8",
                    );
                    0
                }),
        };
        let mut ratings = BTreeMap::new();
        for (driver, raw) in &self.ratings {
            if !drivers.contains(driver) {
                v.add(
                    &format!("rating_{driver}"),
                    "is not an active strategic driver",
                );
                continue;
            }
            let r = rating(&mut v, &format!("rating_{driver}"), raw);
            ratings.insert(*driver, r);
        }
        let risk = rating(&mut v, "risk", &self.risk);
        let costs = parse_costs(&mut v, "costs", &self.costs);
        let benefits = parse_benefits(&mut v, "benefits", &self.benefits);
        let capacity = parse_capacity(&mut v, "capacity", &self.capacity);
        let links = parse_links(&mut v, "links", &self.links);
        if links.iter().any(|l| l.target == key) {
            v.add("links", "a proposal cannot depend on itself");
        }
        v.finish(Proposal {
            id,
            key,
            title,
            description,
            portfolio_id,
            sponsor_id: self.sponsor_id,
            state: ProposalState::Draft,
            mandatory: self.mandatory,
            start,
            max_shift,
            ratings,
            risk,
            costs,
            benefits,
            capacity,
            links,
            rationale: None,
            project_id: None,
            version,
        })
    }
}

str_enum! {
    /// The decision a committed scenario applies to one item.
    Decision {
        Proceed = "proceed", "Proceed";
        Defer = "defer", "Defer";
        Terminate = "terminate", "Terminate";
    }
}

str_enum! {
    /// Force an item into or out of a scenario's selection.
    ForceMode {
        Free = "free", "Optimizer decides";
        In = "in", "Force in";
        Out = "out", "Force out";
    }
}

/// A what-if portfolio selection. It never changes live data until committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub id: Uuid,
    pub name: String,
    pub portfolio_id: Uuid,
    /// First fiscal year of the horizon.
    pub first_year: i32,
    /// Budget cap per fiscal year of the horizon (its length is the horizon in years).
    pub budget: Vec<Minor>,
    /// Force-in / force-out per business case id.
    pub forced: BTreeMap<Uuid, ForceMode>,
    pub notes: Option<String>,
    /// The last optimization result (recomputed on every change).
    pub result: Option<ScenarioResult>,
    pub committed: bool,
    pub committed_by: Option<String>,
    pub version: i64,
}

/// What the optimizer chose for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// "optimal", "limit_reached" or "infeasible".
    pub status: String,
    pub value: f64,
    pub gap: f64,
    pub items: Vec<ScenarioItem>,
    /// Spend per fiscal year of the selection.
    pub cost_per_year: Vec<Minor>,
    /// Capacity use and capacity per role and quarter.
    pub capacity: Vec<RoleLoad>,
    /// Efficient frontier: total budget (minor units), value, proven optimal.
    pub frontier: Vec<(i64, f64, bool)>,
    pub diagnostics: Vec<String>,
}

/// One candidate of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioItem {
    pub case_id: Uuid,
    pub key: String,
    pub title: String,
    /// Whether it is an active project (else a proposal).
    pub active: bool,
    pub selected: bool,
    /// Quarters the start was delayed by.
    pub shift: u32,
    pub value: f64,
    pub cost: Minor,
    /// Why it was left out (empty when selected).
    pub reasons: Vec<String>,
    /// Decision suggested by the selection.
    pub decision: Decision,
}

/// Capacity use against capacity for one role, per quarter of the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleLoad {
    pub role: String,
    pub used: Vec<f64>,
    /// `None` = no people with this role in the pool (unlimited, shown as a gap).
    pub capacity: Vec<Option<f64>>,
}

/// A scenario as typed in a form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct ScenarioDraft {
    pub name: String,
    pub portfolio_id: Option<Uuid>,
    pub first_year: String,
    /// Budget per fiscal year, comma separated; the last amount repeats up to `years`.
    pub budget: String,
    pub years: String,
    pub notes: Option<String>,
}

impl ScenarioDraft {
    pub fn validate(&self, id: Uuid, version: i64) -> Result<Scenario, Vec<FieldError>> {
        let mut v = Validation::new();
        let name = v.text("name", &self.name, limits::NAME);
        let notes = v.opt_text("notes", self.notes.as_deref(), limits::NOTE);
        let portfolio_id = self.portfolio_id.unwrap_or_else(|| {
            v.add(
                "portfolio_id",
                "is required: a scenario plans one portfolio",
            );
            Uuid::nil()
        });
        let first_year = parse_year(self.first_year.trim()).unwrap_or_else(|| {
            v.add("first_year", "must be a fiscal year such as 2027");
            2000
        });
        let years = match self.years.trim() {
            "" => 5,
            raw => raw
                .parse::<usize>()
                .ok()
                .filter(|y| (1..=10).contains(y))
                .unwrap_or_else(|| {
                    v.add("years", "must be a whole number of years from 1 to 10");
                    5
                }),
        };
        let mut budget = Vec::new();
        for (i, part) in self
            .budget
            .split([';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .enumerate()
        {
            match parse_money(part) {
                Some(m) => budget.push(m),
                None => v.add(
                    "budget",
                    format!(
                        "amount {} (`{part}`) is not an amount such as 5000000",
                        i + 1
                    ),
                ),
            }
        }
        if budget.is_empty() && v.is_empty() {
            v.add(
                "budget",
                "give at least one yearly budget, such as 5000000; 5500000",
            );
        }
        if budget.len() > years {
            v.add(
                "budget",
                format!("gives {} years but the horizon is {years}", budget.len()),
            );
        }
        while !budget.is_empty() && budget.len() < years {
            let last = budget[budget.len() - 1];
            budget.push(last);
        }
        v.finish(Scenario {
            id,
            name,
            portfolio_id,
            first_year,
            budget,
            forced: BTreeMap::new(),
            notes,
            result: None,
            committed: false,
            committed_by: None,
            version,
        })
    }
}

/// Budget amounts as the form shows them.
pub fn budget_text(b: &[Minor]) -> String {
    b.iter().map(|m| m.plain()).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_allows_only_listed_transitions() {
        use ProposalState as S;
        assert_eq!(S::Draft.after(Transition::Submit), Ok(S::Submitted));
        assert_eq!(S::Scored.after(Transition::Approve), Ok(S::Approved));
        let err = S::Draft
            .after(Transition::Approve)
            .expect_err("draft cannot be approved");
        assert!(err.contains("allowed: submit"), "{err}");
        assert!(S::Approved.transitions().is_empty());
        for s in S::ALL {
            for t in s.transitions() {
                assert!(s.after(t).is_ok());
            }
        }
    }

    #[test]
    fn list_fields_parse_and_report_the_line() {
        let mut v = Validation::new();
        let c = parse_costs(&mut v, "costs", "2028, 100, 5\n# note\n2027, 250000.50, 0");
        assert!(v.is_empty());
        assert_eq!(c[0].year, 2027);
        assert_eq!(c[0].capex, Minor(25_000_050));
        let _ = parse_costs(&mut v, "costs", "2027, 1, 1\nnonsense");
        let errs = v.finish(()).expect_err("bad line");
        assert!(errs[0].message.starts_with("line 2:"), "{errs:?}");

        let mut v = Validation::new();
        let q = parse_capacity(&mut v, "capacity", "Developer, Q2, 2.5\nAnalyst, 1, 1");
        assert!(v.is_empty());
        assert_eq!(q[0].quarter, 1);
        assert_eq!(
            parse_links(&mut v, "links", "requires prp-3\nexcludes PRJ-7").len(),
            2
        );
        assert!(v.is_empty());
        let _ = parse_links(&mut v, "links", "needs PRP-3");
        assert!(!v.is_empty());
    }

    #[test]
    fn saaty_scale_is_enforced() {
        assert_eq!(parse_saaty("3"), Some(3.0));
        assert_eq!(parse_saaty("1/9"), Some(1.0 / 9.0));
        assert_eq!(parse_saaty("10"), None);
        assert_eq!(parse_saaty("1/0"), None);
        assert_eq!(parse_saaty("x"), None);
    }

    #[test]
    fn scenario_budget_repeats_the_last_year() {
        let d = ScenarioDraft {
            name: "Base".into(),
            portfolio_id: Some(Uuid::nil()),
            first_year: "2027".into(),
            budget: "1000; 2000".into(),
            years: "4".into(),
            notes: None,
        };
        let s = d.validate(Uuid::nil(), 1).expect("valid");
        assert_eq!(
            s.budget,
            vec![
                Minor(100_000),
                Minor(200_000),
                Minor(200_000),
                Minor(200_000)
            ]
        );
        let bad = ScenarioDraft {
            budget: "lots".into(),
            ..d
        };
        assert!(bad.validate(Uuid::nil(), 1).is_err());
    }

    #[test]
    fn cash_flows_net_costs_and_benefits() {
        let d = ProposalDraft {
            key: "PRP-1".into(),
            title: "T".into(),
            portfolio_id: Some(Uuid::nil()),
            start: "2027-01-01".into(),
            costs: "2027, 100, 0".into(),
            benefits: "2028, 150\n2029, 50".into(),
            ..Default::default()
        };
        let p = d.validate(Uuid::nil(), 1, &[]).expect("valid");
        assert_eq!(p.cash_flows(), (2027, vec![-10_000, 15_000, 5_000]));
        assert_eq!(p.total_cost(), Minor(10_000));
    }
}
