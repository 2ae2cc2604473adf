//! Risk management: the organization's one probability × impact matrix (scales with labels
//! and numeric meaning, impact dimensions, score bands), and the risks of every register
//! (project, program, portfolio, enterprise) rated on it — threats and opportunities, cause /
//! event / effect, owner, response strategy and actions, residual rating, trigger, proximity,
//! review date, cost and schedule impacts, and the history of every rating.

use crate::validation::{FieldError, Validation, limits};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// One level of a scale: "Likely" meaning "50–80 %" with the number used for EMV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleLevel {
    pub label: String,
    /// What the level means, in words ("50–80 %", "> 250k or > 1 month").
    pub meaning: String,
    /// Probability levels: the probability used for expected monetary value (0–1).
    /// Impact levels: unused by the arithmetic (0).
    pub value: f64,
}

/// A score band: scores from `min_score` up to the next band's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub name: String,
    pub min_score: u32,
}

/// The organization's risk matrix, set by the risk manager; every register uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskMatrix {
    /// Lowest first.
    pub probability: Vec<ScaleLevel>,
    /// Lowest first.
    pub impact: Vec<ScaleLevel>,
    /// Impact dimensions a risk is rated on ("cost", "schedule", …).
    pub dimensions: Vec<String>,
    /// Ascending by `min_score`; the first starts at 1.
    pub bands: Vec<Band>,
    pub version: i64,
}

fn level(label: &str, meaning: &str, value: f64) -> ScaleLevel {
    ScaleLevel {
        label: label.into(),
        meaning: meaning.into(),
        value,
    }
}

impl Default for RiskMatrix {
    /// The common 5 × 5 matrix.
    fn default() -> Self {
        RiskMatrix {
            probability: vec![
                level("Rare", "under 10 %", 0.05),
                level("Unlikely", "10–30 %", 0.2),
                level("Possible", "30–50 %", 0.4),
                level("Likely", "50–80 %", 0.65),
                level("Almost certain", "over 80 %", 0.9),
            ],
            impact: vec![
                level("Negligible", "under 10k, days, cosmetic", 0.0),
                level("Minor", "10k–50k, 1–2 weeks, minor scope", 0.0),
                level("Moderate", "50k–250k, 2–4 weeks, noticeable", 0.0),
                level("Major", "250k–1M, 1–3 months, key objective at risk", 0.0),
                level(
                    "Severe",
                    "over 1M, over 3 months, objective lost or harm",
                    0.0,
                ),
            ],
            dimensions: ["cost", "schedule", "scope/quality", "reputation", "safety"]
                .map(String::from)
                .to_vec(),
            bands: vec![
                Band {
                    name: "low".into(),
                    min_score: 1,
                },
                Band {
                    name: "medium".into(),
                    min_score: 5,
                },
                Band {
                    name: "high".into(),
                    min_score: 10,
                },
                Band {
                    name: "critical".into(),
                    min_score: 16,
                },
            ],
            // Not saved yet: the first save is version 1.
            version: 0,
        }
    }
}

impl RiskMatrix {
    pub fn max_score(&self) -> u32 {
        (self.probability.len() * self.impact.len()) as u32
    }

    /// The band a score falls in (index into `bands`).
    pub fn band_of(&self, score: u32) -> usize {
        self.bands
            .iter()
            .rposition(|b| score >= b.min_score)
            .unwrap_or(0)
    }

    pub fn band_name(&self, score: u32) -> &str {
        self.bands
            .get(self.band_of(score))
            .map_or("", |b| b.name.as_str())
    }

    /// Probability (0–1) of a 1-based probability level.
    pub fn probability_value(&self, p: u8) -> f64 {
        self.probability
            .get(usize::from(p).saturating_sub(1))
            .map_or(0.0, |l| l.value)
    }
}

/// The matrix as typed in the settings form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct MatrixDraft {
    /// One level per line, lowest first: `Label | meaning | probability %`.
    pub probability: String,
    /// One level per line, lowest first: `Label | meaning`.
    pub impact: String,
    /// Comma-separated.
    pub dimensions: String,
    /// `low:1, medium:5, high:10, critical:16`.
    pub bands: String,
}

impl MatrixDraft {
    pub fn of(m: &RiskMatrix) -> MatrixDraft {
        MatrixDraft {
            probability: m
                .probability
                .iter()
                .map(|l| format!("{} | {} | {}", l.label, l.meaning, l.value * 100.0))
                .collect::<Vec<_>>()
                .join("\n"),
            impact: m
                .impact
                .iter()
                .map(|l| format!("{} | {}", l.label, l.meaning))
                .collect::<Vec<_>>()
                .join("\n"),
            dimensions: m.dimensions.join(", "),
            bands: m
                .bands
                .iter()
                .map(|b| format!("{}:{}", b.name, b.min_score))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    pub fn validate(&self, version: i64) -> Result<RiskMatrix, Vec<FieldError>> {
        let mut v = Validation::new();
        let lines = |s: &str| -> Vec<Vec<String>> {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| l.split('|').map(|p| p.trim().to_owned()).collect())
                .collect()
        };
        let mut probability = Vec::new();
        let mut last = 0.0;
        for (i, parts) in lines(&self.probability).into_iter().enumerate() {
            let pct = parts
                .get(2)
                .and_then(|p| p.trim_end_matches('%').trim().parse::<f64>().ok());
            match (parts.first().filter(|l| !l.is_empty()), pct) {
                (Some(label), Some(p)) if p > 0.0 && p <= 100.0 && p / 100.0 > last => {
                    last = p / 100.0;
                    probability.push(level(label, parts.get(1).map_or("", |m| m.as_str()), p / 100.0));
                }
                (Some(_), Some(_)) => v.add(
                    "probability",
                    format!("level {}: the probability must be above the previous level's and at most 100 %", i + 1),
                ),
                _ => v.add(
                    "probability",
                    format!("level {}: write `Label | meaning | probability %`", i + 1),
                ),
            }
        }
        let mut impact = Vec::new();
        for (i, parts) in lines(&self.impact).into_iter().enumerate() {
            match parts.first().filter(|l| !l.is_empty()) {
                Some(label) => {
                    impact.push(level(label, parts.get(1).map_or("", |m| m.as_str()), 0.0))
                }
                None => v.add(
                    "impact",
                    format!("level {}: write `Label | meaning`", i + 1),
                ),
            }
        }
        for (field, n) in [("probability", probability.len()), ("impact", impact.len())] {
            if !(2..=10).contains(&n) {
                v.add(field, "needs 2 to 10 levels, one per line");
            }
        }
        for l in probability.iter().chain(&impact) {
            if l.label.chars().count() > limits::SHORT || l.meaning.chars().count() > limits::NAME {
                v.add("impact", "labels are at most 100 characters, meanings 200");
                break;
            }
        }
        let dimensions: Vec<String> = self
            .dimensions
            .split(',')
            .map(|d| d.trim().to_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        if dimensions.is_empty() || dimensions.len() > 10 {
            v.add(
                "dimensions",
                "name 1 to 10 impact dimensions, separated by commas",
            );
        }
        let mut seen = std::collections::HashSet::new();
        if dimensions
            .iter()
            .any(|d| !seen.insert(d.clone()) || d.chars().count() > limits::SHORT)
        {
            v.add("dimensions", "each dimension once, at most 100 characters");
        }
        let mut bands = Vec::new();
        for raw in self
            .bands
            .split(',')
            .map(str::trim)
            .filter(|b| !b.is_empty())
        {
            match raw.rsplit_once(':') {
                Some((name, n)) if !name.trim().is_empty() => match n.trim().parse::<u32>() {
                    Ok(min) => bands.push(Band {
                        name: name.trim().to_lowercase(),
                        min_score: min,
                    }),
                    Err(_) => v.add(
                        "bands",
                        format!("`{raw}`: the score must be a whole number"),
                    ),
                },
                _ => v.add(
                    "bands",
                    format!("`{raw}`: write name:lowest score, e.g. high:10"),
                ),
            }
        }
        let max = (probability.len() * impact.len()) as u32;
        if bands.is_empty() || bands.len() > 6 {
            v.add(
                "bands",
                "name 1 to 6 bands, e.g. low:1, medium:5, high:10, critical:16",
            );
        } else if bands[0].min_score != 1 {
            v.add("bands", "the first band starts at score 1");
        } else if bands.windows(2).any(|w| w[1].min_score <= w[0].min_score) {
            v.add("bands", "bands must start at increasing scores");
        } else if max > 0 && bands.last().is_some_and(|b| b.min_score > max) {
            v.add(
                "bands",
                format!("the highest score on this matrix is {max}"),
            );
        }
        v.finish(RiskMatrix {
            probability,
            impact,
            dimensions,
            bands,
            version,
        })
    }
}

str_enum! {
    /// A threat (bad if it happens) or an opportunity (good if it happens).
    RiskKind {
        Threat = "threat", "Threat";
        Opportunity = "opportunity", "Opportunity";
    }
}

str_enum! {
    RiskStatus {
        Open = "open", "Open";
        Closed = "closed", "Closed";
    }
}

str_enum! {
    /// The response strategy: the first four for threats, the last three for opportunities
    /// (accept fits both).
    Strategy {
        Avoid = "avoid", "Avoid";
        Mitigate = "mitigate", "Mitigate";
        Transfer = "transfer", "Transfer";
        Accept = "accept", "Accept";
        Exploit = "exploit", "Exploit";
        Enhance = "enhance", "Enhance";
        Share = "share", "Share";
    }
}

impl Strategy {
    pub fn fits(self, kind: RiskKind) -> bool {
        match self {
            Strategy::Accept => true,
            Strategy::Avoid | Strategy::Mitigate | Strategy::Transfer => kind == RiskKind::Threat,
            Strategy::Exploit | Strategy::Enhance | Strategy::Share => {
                kind == RiskKind::Opportunity
            }
        }
    }
}

str_enum! {
    /// Which register a risk sits in.
    RegisterLevel {
        Project = "project", "Project";
        Program = "program", "Program";
        Portfolio = "portfolio", "Portfolio";
        Enterprise = "enterprise", "Enterprise";
    }
}

str_enum! {
    ActionStatus {
        Planned = "planned", "Planned";
        Started = "started", "Started";
        Done = "done", "Done";
    }
}

/// A response action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseAction {
    pub title: String,
    pub owner: String,
    pub due: Option<Date>,
    pub status: ActionStatus,
}

/// A rating on the matrix: probability level and impact level per dimension (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub probability: u8,
    pub impacts: BTreeMap<String, u8>,
}

impl Rating {
    /// The highest impact over the dimensions.
    pub fn impact(&self) -> u8 {
        self.impacts.values().copied().max().unwrap_or(1)
    }
    pub fn score(&self) -> u32 {
        u32::from(self.probability) * u32::from(self.impact())
    }
}

str_enum! {
    EscalationState {
        Pending = "pending", "Waiting for acceptance";
        Accepted = "accepted", "Accepted";
        Returned = "returned", "Returned";
    }
}

/// One step of an escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationStep {
    pub at: i64,
    /// Who, or "threshold" when the risk escalated on its own.
    pub by: String,
    /// "escalate", "accept" or "return".
    pub action: String,
    pub to: RegisterLevel,
    pub note: String,
}

/// A risk's escalation: from its register to the next one up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub from: RegisterLevel,
    pub to: RegisterLevel,
    pub state: EscalationState,
    pub steps: Vec<EscalationStep>,
}

impl RegisterLevel {
    /// The register above: project → program (or portfolio when the project has no
    /// program) → portfolio → enterprise.
    pub fn next(self, has_program: bool) -> Option<RegisterLevel> {
        match self {
            RegisterLevel::Project if has_program => Some(RegisterLevel::Program),
            RegisterLevel::Project | RegisterLevel::Program => Some(RegisterLevel::Portfolio),
            RegisterLevel::Portfolio => Some(RegisterLevel::Enterprise),
            RegisterLevel::Enterprise => None,
        }
    }
}

/// One entry of a risk's rating history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingChange {
    /// Microseconds since the epoch.
    pub at: i64,
    pub by: String,
    /// `None` = the rating was removed (not assessed).
    pub rating: Option<Rating>,
    pub residual: Option<Rating>,
}

/// A risk in a register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    pub id: Uuid,
    /// … per project (or per program / portfolio register).
    pub number: u32,
    pub level: RegisterLevel,
    pub project_id: Option<Uuid>,
    pub program_id: Option<Uuid>,
    pub portfolio_id: Option<Uuid>,
    pub kind: RiskKind,
    pub title: String,
    pub cause: String,
    pub event: String,
    pub effect: String,
    pub category: String,
    pub owner: String,
    /// `None` = not assessed yet.
    pub rating: Option<Rating>,
    /// After the responses.
    pub residual: Option<Rating>,
    /// When it may happen.
    pub proximity: Option<Date>,
    pub strategy: Option<Strategy>,
    pub actions: Vec<ResponseAction>,
    pub trigger: String,
    pub status: RiskStatus,
    pub next_review: Option<Date>,
    /// Money at stake if it happens, minor units (a gain for opportunities).
    pub cost_impact: i64,
    pub department: String,
    pub supplier: String,
    /// Plan tasks (uids) the risk would delay if it happens.
    #[serde(default)]
    pub delay_tasks: Vec<u32>,
    /// The delay if it happens, working days: (optimistic, most likely, pessimistic).
    #[serde(default)]
    pub delay_days: Option<(f64, f64, f64)>,
    /// Escalation to a higher register: pending until accepted or returned.
    #[serde(default)]
    pub escalation: Option<Escalation>,
    pub history: Vec<RatingChange>,
    pub version: i64,
}

impl Risk {
    pub fn reference(&self) -> String {
        format!("R-{}", self.number)
    }

    /// Where the risk sits for authorization: the project, program and portfolio it
    /// belongs to (a program risk has no project; a portfolio risk neither).
    pub fn placement(&self) -> crate::identity::Placement {
        crate::identity::Placement {
            portfolio: self.portfolio_id,
            program: self.program_id,
            project: self.project_id,
        }
    }

    /// The register the risk was raised in (escalation may move it up later).
    pub fn origin(&self) -> RegisterLevel {
        match (self.project_id, self.program_id) {
            (Some(_), _) => RegisterLevel::Project,
            (None, Some(_)) => RegisterLevel::Program,
            (None, None) => RegisterLevel::Portfolio,
        }
    }

    /// Owners of the response actions not done yet, lowercased, as `,a,b,` (empty when
    /// none), so that one `LIKE '%,owner,%'` finds an owner's actions.
    pub fn open_action_owners(&self) -> String {
        let mut owners: Vec<String> = self
            .actions
            .iter()
            .filter(|a| a.status != ActionStatus::Done)
            .map(|a| a.owner.trim().to_lowercase().replace(',', " "))
            .filter(|o| !o.is_empty())
            .collect();
        owners.sort();
        owners.dedup();
        if owners.is_empty() {
            String::new()
        } else {
            format!(",{},", owners.join(","))
        }
    }

    pub fn score(&self) -> Option<u32> {
        self.rating.as_ref().map(Rating::score)
    }

    /// Expected monetary value: probability × cost impact (minor units); 0 when not assessed.
    pub fn emv(&self, m: &RiskMatrix) -> i64 {
        match &self.rating {
            Some(r) => {
                (m.probability_value(r.probability) * self.cost_impact as f64).round() as i64
            }
            None => 0,
        }
    }
}

/// A risk as typed in the form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct RiskDraft {
    pub kind: String,
    pub title: String,
    pub cause: String,
    pub event: String,
    pub effect: String,
    pub category: String,
    pub owner: String,
    /// 1-based level, empty = not assessed.
    pub probability: String,
    /// Dimension → 1-based level (empty values are left out).
    pub impacts: BTreeMap<String, String>,
    pub residual_probability: String,
    pub residual_impacts: BTreeMap<String, String>,
    pub proximity: String,
    pub strategy: String,
    pub trigger: String,
    pub status: String,
    pub next_review: String,
    /// Decimal money.
    pub cost_impact: String,
    pub department: String,
    pub supplier: String,
    /// One action per line: `title | owner | due date | status`.
    pub actions: String,
    /// Plan task ids it would delay: `3, 7`.
    pub delay_tasks: String,
    /// Working days, optimistic / most likely / pessimistic: `2/5/10`.
    pub delay_days: String,
}

/// The validated fields of a draft (identity, register and history are the caller's).
#[derive(Debug, Clone, PartialEq)]
pub struct RiskFields {
    pub kind: RiskKind,
    pub title: String,
    pub cause: String,
    pub event: String,
    pub effect: String,
    pub category: String,
    pub owner: String,
    pub rating: Option<Rating>,
    pub residual: Option<Rating>,
    pub proximity: Option<Date>,
    pub strategy: Option<Strategy>,
    pub trigger: String,
    pub status: RiskStatus,
    pub next_review: Option<Date>,
    pub cost_impact: i64,
    pub department: String,
    pub supplier: String,
    pub actions: Vec<ResponseAction>,
    pub delay_tasks: Vec<u32>,
    pub delay_days: Option<(f64, f64, f64)>,
}

fn opt_date(v: &mut Validation, field: &str, raw: &str) -> Option<Date> {
    match raw.trim() {
        "" => None,
        s => match s.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                v.add(field, "must be a date like 2027-03-31");
                None
            }
        },
    }
}

fn rating(
    v: &mut Validation,
    m: &RiskMatrix,
    field: &str,
    p: &str,
    impacts: &BTreeMap<String, String>,
) -> Option<Rating> {
    let p = p.trim();
    let given: Vec<(&String, &str)> = impacts
        .iter()
        .map(|(k, x)| (k, x.trim()))
        .filter(|(_, x)| !x.is_empty())
        .collect();
    if p.is_empty() && given.is_empty() {
        return None;
    }
    let np = m.probability.len() as u8;
    let ni = m.impact.len() as u8;
    let probability = match p.parse::<u8>() {
        Ok(x) if (1..=np).contains(&x) => x,
        _ => {
            v.add(
                field,
                format!("the probability must be a level from 1 to {np}"),
            );
            return None;
        }
    };
    let mut out = BTreeMap::new();
    for (dim, x) in given {
        if !m.dimensions.contains(dim) {
            v.add(
                field,
                format!("`{dim}` is not an impact dimension of the matrix"),
            );
            continue;
        }
        match x.parse::<u8>() {
            Ok(l) if (1..=ni).contains(&l) => {
                out.insert(dim.clone(), l);
            }
            _ => v.add(
                field,
                format!("{dim}: the impact must be a level from 1 to {ni}"),
            ),
        }
    }
    if out.is_empty() {
        v.add(field, "rate the impact on at least one dimension");
        return None;
    }
    Some(Rating {
        probability,
        impacts: out,
    })
}

impl RiskDraft {
    /// The draft that reproduces `r` (the edit form's start).
    pub fn of(r: &Risk) -> RiskDraft {
        let impacts = |x: &Option<Rating>| {
            x.as_ref()
                .map(|r| {
                    r.impacts
                        .iter()
                        .map(|(k, v)| (k.clone(), v.to_string()))
                        .collect()
                })
                .unwrap_or_default()
        };
        RiskDraft {
            kind: r.kind.as_str().into(),
            title: r.title.clone(),
            cause: r.cause.clone(),
            event: r.event.clone(),
            effect: r.effect.clone(),
            category: r.category.clone(),
            owner: r.owner.clone(),
            probability: r
                .rating
                .as_ref()
                .map(|x| x.probability.to_string())
                .unwrap_or_default(),
            impacts: impacts(&r.rating),
            residual_probability: r
                .residual
                .as_ref()
                .map(|x| x.probability.to_string())
                .unwrap_or_default(),
            residual_impacts: impacts(&r.residual),
            proximity: r.proximity.map(|d| d.to_string()).unwrap_or_default(),
            strategy: r
                .strategy
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            trigger: r.trigger.clone(),
            status: r.status.as_str().into(),
            next_review: r.next_review.map(|d| d.to_string()).unwrap_or_default(),
            cost_impact: crate::money::Minor(r.cost_impact).plain(),
            department: r.department.clone(),
            supplier: r.supplier.clone(),
            actions: r
                .actions
                .iter()
                .map(|a| {
                    format!(
                        "{} | {} | {} | {}",
                        a.title,
                        a.owner,
                        a.due.map(|d| d.to_string()).unwrap_or_default(),
                        a.status.as_str()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            delay_tasks: r
                .delay_tasks
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            delay_days: r
                .delay_days
                .map(|(a, b, c)| format!("{a}/{b}/{c}"))
                .unwrap_or_default(),
        }
    }

    pub fn validate(&self, m: &RiskMatrix) -> Result<RiskFields, Vec<FieldError>> {
        let mut v = Validation::new();
        let kind = match self.kind.trim() {
            "" => RiskKind::Threat,
            k => RiskKind::parse(k).unwrap_or_else(|| {
                v.add("kind", "must be threat or opportunity");
                RiskKind::Threat
            }),
        };
        let title = v.text("title", &self.title, limits::NAME);
        let text = |v: &mut Validation, f: &str, s: &str| {
            v.opt_text(f, Some(s), limits::DESCRIPTION)
                .unwrap_or_default()
        };
        let cause = text(&mut v, "cause", &self.cause);
        let event = text(&mut v, "event", &self.event);
        let effect = text(&mut v, "effect", &self.effect);
        let trigger = text(&mut v, "trigger", &self.trigger);
        let short = |v: &mut Validation, f: &str, s: &str| {
            v.opt_text(f, Some(s), limits::SHORT).unwrap_or_default()
        };
        let category = short(&mut v, "category", &self.category).to_lowercase();
        let owner = short(&mut v, "owner", &self.owner);
        let department = short(&mut v, "department", &self.department);
        let supplier = short(&mut v, "supplier", &self.supplier);
        let rating_ = rating(&mut v, m, "probability", &self.probability, &self.impacts);
        let residual = rating(
            &mut v,
            m,
            "residual_probability",
            &self.residual_probability,
            &self.residual_impacts,
        );
        let proximity = opt_date(&mut v, "proximity", &self.proximity);
        let next_review = opt_date(&mut v, "next_review", &self.next_review);
        let strategy = match self.strategy.trim() {
            "" => None,
            s => match Strategy::parse(s) {
                Some(st) if st.fits(kind) => Some(st),
                Some(st) => {
                    v.add(
                        "strategy",
                        format!("{} is not a response to a {}", st.label(), kind.as_str()),
                    );
                    None
                }
                None => {
                    v.add(
                        "strategy",
                        "must be avoid, mitigate, transfer, accept, exploit, enhance or share",
                    );
                    None
                }
            },
        };
        let status = match self.status.trim() {
            "" => RiskStatus::Open,
            s => RiskStatus::parse(s).unwrap_or_else(|| {
                v.add("status", "must be open or closed");
                RiskStatus::Open
            }),
        };
        let cost_impact = match self.cost_impact.trim() {
            "" => 0,
            s => match crate::money::Minor::parse_decimal(s) {
                Some(m) if (0..=crate::money::MAX_MINOR).contains(&m.0) => m.0,
                _ => {
                    v.add("cost_impact", "must be an amount of money, 0 or more");
                    0
                }
            },
        };
        let mut actions = Vec::new();
        for (i, line) in self
            .actions
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let title = parts[0];
            if title.is_empty() || title.chars().count() > limits::NAME {
                v.add(
                    "actions",
                    format!("action {}: a title of 1–200 characters", i + 1),
                );
                continue;
            }
            let due = match parts.get(2).copied().unwrap_or("") {
                "" => None,
                d => match d.parse::<Date>() {
                    Ok(d) => Some(d),
                    Err(_) => {
                        v.add(
                            "actions",
                            format!("action {}: the due date must be like 2027-03-31", i + 1),
                        );
                        None
                    }
                },
            };
            let status = match parts.get(3).copied().unwrap_or("") {
                "" => ActionStatus::Planned,
                s => ActionStatus::parse(s).unwrap_or_else(|| {
                    v.add(
                        "actions",
                        format!("action {}: the status is planned, started or done", i + 1),
                    );
                    ActionStatus::Planned
                }),
            };
            actions.push(ResponseAction {
                title: title.to_owned(),
                owner: parts
                    .get(1)
                    .copied()
                    .unwrap_or("")
                    .chars()
                    .take(limits::SHORT)
                    .collect(),
                due,
                status,
            });
        }
        if actions.len() > 50 {
            v.add("actions", "at most 50 actions");
        }
        let mut delay_tasks = Vec::new();
        for raw in self
            .delay_tasks
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            match raw.trim_start_matches('#').parse::<u32>() {
                Ok(uid) if !delay_tasks.contains(&uid) => delay_tasks.push(uid),
                Ok(_) => {}
                Err(_) => v.add(
                    "delay_tasks",
                    format!("`{raw}` is not a task id (the number in the plan's first column)"),
                ),
            }
        }
        if delay_tasks.len() > 100 {
            v.add("delay_tasks", "at most 100 tasks");
        }
        let delay_days = match self.delay_days.trim() {
            "" => None,
            raw => {
                let parts: Vec<Option<f64>> = raw
                    .split(['/', ','])
                    .map(|x| x.trim().trim_end_matches('d').trim().parse::<f64>().ok())
                    .collect();
                match parts.as_slice() {
                    [Some(a), Some(b), Some(c)]
                        if 0.0 <= *a && a <= b && b <= c && *c <= 3650.0 =>
                    {
                        Some((*a, *b, *c))
                    }
                    [Some(x)] if (0.0..=3650.0).contains(x) => Some((*x, *x, *x)),
                    _ => {
                        v.add(
                            "delay_days",
                            "write optimistic / most likely / pessimistic working days, e.g. 2/5/10 (each at most 3650, in increasing order)",
                        );
                        None
                    }
                }
            }
        };
        if delay_days.is_some() && delay_tasks.is_empty() {
            v.add("delay_tasks", "name the tasks the delay applies to");
        }
        v.finish(RiskFields {
            kind,
            title,
            cause,
            event,
            effect,
            category,
            owner,
            rating: rating_,
            residual,
            proximity,
            strategy,
            trigger,
            status,
            next_review,
            cost_impact,
            department,
            supplier,
            actions,
            delay_tasks,
            delay_days,
        })
    }
}

impl Risk {
    /// Applies validated fields; a changed rating (or residual rating) adds a history entry.
    pub fn apply(&mut self, f: RiskFields, at: i64, by: &str) {
        if f.rating != self.rating || f.residual != self.residual {
            self.history.push(RatingChange {
                at,
                by: by.to_owned(),
                rating: f.rating.clone(),
                residual: f.residual.clone(),
            });
        }
        self.kind = f.kind;
        self.title = f.title;
        self.cause = f.cause;
        self.event = f.event;
        self.effect = f.effect;
        self.category = f.category;
        self.owner = f.owner;
        self.rating = f.rating;
        self.residual = f.residual;
        self.proximity = f.proximity;
        self.strategy = f.strategy;
        self.trigger = f.trigger;
        self.status = f.status;
        self.next_review = f.next_review;
        self.cost_impact = f.cost_impact;
        self.department = f.department;
        self.supplier = f.supplier;
        self.actions = f.actions;
        self.delay_tasks = f.delay_tasks;
        self.delay_days = f.delay_days;
    }

    /// A new, empty risk of a project register.
    pub fn new_in_project(
        id: Uuid,
        number: u32,
        project: Uuid,
        program: Option<Uuid>,
        portfolio: Uuid,
    ) -> Risk {
        Risk::new_in_register(
            id,
            number,
            RegisterLevel::Project,
            Some(project),
            program,
            Some(portfolio),
        )
    }

    /// A new, empty risk raised directly in a register: a project's, a program's (no
    /// project) or a portfolio's (neither project nor program).
    pub fn new_in_register(
        id: Uuid,
        number: u32,
        level: RegisterLevel,
        project: Option<Uuid>,
        program: Option<Uuid>,
        portfolio: Option<Uuid>,
    ) -> Risk {
        Risk {
            id,
            number,
            level,
            project_id: project,
            program_id: program,
            portfolio_id: portfolio,
            kind: RiskKind::Threat,
            title: String::new(),
            cause: String::new(),
            event: String::new(),
            effect: String::new(),
            category: String::new(),
            owner: String::new(),
            rating: None,
            residual: None,
            proximity: None,
            strategy: None,
            actions: Vec::new(),
            trigger: String::new(),
            status: RiskStatus::Open,
            next_review: None,
            cost_impact: 0,
            department: String::new(),
            supplier: String::new(),
            delay_tasks: Vec::new(),
            delay_days: None,
            escalation: None,
            history: Vec::new(),
            version: 1,
        }
    }
}

str_enum! {
    /// Where an appetite limit applies.
    AppetiteScope {
        Program = "program", "per program";
        Portfolio = "portfolio", "per portfolio";
        Organization = "organization", "organization-wide";
    }
}

/// One appetite statement with its thresholds: "at most `max_count` risks in band `band` or
/// above" and/or "EMV at most `max_emv`", for a category (or all) per program, per
/// portfolio or organization-wide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppetiteRule {
    pub statement: String,
    /// `None` = every category.
    pub category: Option<String>,
    pub scope: AppetiteScope,
    /// (band name, most risks allowed at or above it).
    pub max_count: Option<(String, u32)>,
    /// Most EMV allowed, minor units.
    pub max_emv: Option<i64>,
}

/// When a risk is escalated to the next register on its own: any threshold met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EscalationThresholds {
    pub min_score: Option<u32>,
    /// Minor units.
    pub min_emv: Option<i64>,
    /// May happen within this many days.
    pub within_days: Option<i32>,
}

impl EscalationThresholds {
    /// Whether an open threat meets a threshold on `today`.
    pub fn met_by(&self, r: &Risk, m: &RiskMatrix, today: Date) -> bool {
        if r.status != RiskStatus::Open || r.kind != RiskKind::Threat {
            return false;
        }
        self.min_score
            .is_some_and(|t| r.score().is_some_and(|s| s >= t))
            || self.min_emv.is_some_and(|t| r.emv(m) >= t && t > 0)
            || self
                .within_days
                .is_some_and(|d| r.proximity.is_some_and(|p| (p - today).get_days() <= d))
    }
}

/// The organization's risk appetite, set by the risk manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RiskAppetite {
    pub rules: Vec<AppetiteRule>,
    /// When risks escalate on their own.
    #[serde(default)]
    pub escalation: EscalationThresholds,
    /// 0 until first saved.
    pub version: i64,
}

/// The appetite as typed: one rule per line,
/// `statement | category or * | program, portfolio or organization | N band | EMV limit`;
/// and the escalation thresholds (empty = not used).
#[derive(Debug, Clone, Default)]
pub struct AppetiteDraft {
    pub rules: String,
    pub escalate_score: String,
    pub escalate_emv: String,
    pub escalate_days: String,
}

impl AppetiteDraft {
    pub fn of(a: &RiskAppetite) -> AppetiteDraft {
        AppetiteDraft {
            rules: a
                .rules
                .iter()
                .map(|r| {
                    format!(
                        "{} | {} | {} | {} | {}",
                        r.statement,
                        r.category.as_deref().unwrap_or("*"),
                        r.scope.as_str(),
                        r.max_count
                            .as_ref()
                            .map(|(b, n)| format!("{n} {b}"))
                            .unwrap_or_default(),
                        r.max_emv
                            .map(|m| crate::money::Minor(m).plain())
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            escalate_score: a
                .escalation
                .min_score
                .map(|x| x.to_string())
                .unwrap_or_default(),
            escalate_emv: a
                .escalation
                .min_emv
                .map(|x| crate::money::Minor(x).plain())
                .unwrap_or_default(),
            escalate_days: a
                .escalation
                .within_days
                .map(|x| x.to_string())
                .unwrap_or_default(),
        }
    }

    pub fn validate(&self, m: &RiskMatrix, version: i64) -> Result<RiskAppetite, Vec<FieldError>> {
        let mut v = Validation::new();
        let mut rules = Vec::new();
        for (n, line) in self
            .rules
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let at = |msg: &str| format!("rule {}: {msg}", n + 1);
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            if parts.len() != 5 {
                v.add("rules", at("write statement | category or * | program, portfolio or organization | N band | EMV limit"));
                continue;
            }
            let statement = parts[0];
            if statement.is_empty() || statement.chars().count() > limits::NOTE {
                v.add("rules", at("the statement is 1 to 2000 characters"));
                continue;
            }
            let category = match parts[1] {
                "" | "*" => None,
                c if c.chars().count() <= limits::SHORT => Some(c.to_lowercase()),
                _ => {
                    v.add("rules", at("the category is at most 100 characters"));
                    continue;
                }
            };
            let Some(scope) = AppetiteScope::parse(&parts[2].to_lowercase()) else {
                v.add(
                    "rules",
                    at("the scope is program, portfolio or organization"),
                );
                continue;
            };
            let max_count = match parts[3] {
                "" => None,
                c => match c
                    .split_once(' ')
                    .map(|(n, b)| (n.trim().parse::<u32>(), b.trim().to_lowercase()))
                {
                    Some((Ok(n), b)) if m.bands.iter().any(|x| x.name == b) => Some((b, n)),
                    _ => {
                        let names: Vec<&str> = m.bands.iter().map(|b| b.name.as_str()).collect();
                        v.add(
                            "rules",
                            at(&format!(
                                "write a count and a band, e.g. 2 {}",
                                names.last().unwrap_or(&"high")
                            )),
                        );
                        continue;
                    }
                },
            };
            let max_emv = match parts[4] {
                "" => None,
                e => match crate::money::Minor::parse_decimal(e) {
                    Some(x) if x.0 >= 0 => Some(x.0),
                    _ => {
                        v.add("rules", at("the EMV limit is an amount of money"));
                        continue;
                    }
                },
            };
            if max_count.is_none() && max_emv.is_none() {
                v.add("rules", at("give a count limit, an EMV limit or both"));
                continue;
            }
            rules.push(AppetiteRule {
                statement: statement.to_owned(),
                category,
                scope,
                max_count,
                max_emv,
            });
        }
        if rules.len() > 50 {
            v.add("rules", "at most 50 rules");
        }
        let min_score = match self.escalate_score.trim() {
            "" => None,
            x => match x.parse::<u32>() {
                Ok(n) if (1..=m.max_score()).contains(&n) => Some(n),
                _ => {
                    v.add(
                        "escalate_score",
                        format!("a score from 1 to {}", m.max_score()),
                    );
                    None
                }
            },
        };
        let min_emv = match self.escalate_emv.trim() {
            "" => None,
            x => match crate::money::Minor::parse_decimal(x) {
                Some(a) if a.0 > 0 => Some(a.0),
                _ => {
                    v.add("escalate_emv", "an amount of money above 0");
                    None
                }
            },
        };
        let within_days = match self.escalate_days.trim() {
            "" => None,
            x => match x.parse::<i32>() {
                Ok(n) if (0..=3650).contains(&n) => Some(n),
                _ => {
                    v.add("escalate_days", "a number of days from 0 to 3650");
                    None
                }
            },
        };
        v.finish(RiskAppetite {
            rules,
            escalation: EscalationThresholds {
                min_score,
                min_emv,
                within_days,
            },
            version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matrix_bands_and_round_trip() {
        let m = RiskMatrix::default();
        assert_eq!(m.max_score(), 25);
        assert_eq!(
            [1, 4, 5, 9, 10, 15, 16, 25].map(|s| m.band_name(s).to_owned()),
            [
                "low", "low", "medium", "medium", "high", "high", "critical", "critical"
            ]
        );
        let back = MatrixDraft::of(&m).validate(0).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn matrix_validation_names_the_field() {
        let d = MatrixDraft {
            probability: "Low | rare | 20\nHigh | often | 10".into(),
            impact: "Only".into(),
            dimensions: "cost, cost".into(),
            bands: "low:2, high:1".into(),
        };
        let e = d.validate(1).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        // The second level is lower than the first; one valid level is then too few.
        assert_eq!(
            fields,
            [
                "probability",
                "probability",
                "impact",
                "dimensions",
                "bands"
            ]
        );
    }

    fn draft() -> RiskDraft {
        RiskDraft {
            title: "Supplier delivers late".into(),
            probability: "4".into(),
            impacts: [
                ("cost".to_owned(), "3".to_owned()),
                ("schedule".to_owned(), "4".to_owned()),
            ]
            .into(),
            strategy: "mitigate".into(),
            cost_impact: "200000".into(),
            actions: "Weekly supplier call | Ann | 2027-02-01 | started\nSecond source".into(),
            ..Default::default()
        }
    }

    #[test]
    fn risk_validation_score_emv_and_history() {
        let m = RiskMatrix::default();
        let f = draft().validate(&m).unwrap();
        assert_eq!(f.rating.as_ref().unwrap().score(), 16);
        assert_eq!(f.actions.len(), 2);
        assert_eq!(f.actions[1].status, ActionStatus::Planned);
        let mut r = Risk::new_in_project(Uuid::nil(), 1, Uuid::nil(), None, Uuid::nil());
        r.apply(f, 10, "pm");
        assert_eq!(r.emv(&m), 13_000_000);
        assert_eq!(r.history.len(), 1);
        // Same rating again: no new history entry; a new one: one more.
        let again = draft().validate(&m).unwrap();
        r.apply(again, 20, "pm");
        assert_eq!(r.history.len(), 1);
        let lower = RiskDraft {
            probability: "2".into(),
            ..draft()
        }
        .validate(&m)
        .unwrap();
        r.apply(lower, 30, "risk");
        assert_eq!(r.history.len(), 2);
        assert_eq!(r.score(), Some(8));
    }

    #[test]
    fn bad_risks_are_refused_field_by_field() {
        let m = RiskMatrix::default();
        let d = RiskDraft {
            title: String::new(),
            probability: "9".into(),
            strategy: "exploit".into(),
            cost_impact: "-5".into(),
            next_review: "soon".into(),
            ..draft()
        };
        let e = d.validate(&m).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "probability",
                "next_review",
                "strategy",
                "cost_impact"
            ]
        );
        let unknown = RiskDraft {
            impacts: [("weather".to_owned(), "2".to_owned())].into(),
            ..draft()
        }
        .validate(&m)
        .unwrap_err();
        assert!(unknown[0].message.contains("weather"));
        // Not assessed at all is fine.
        let none = RiskDraft {
            probability: String::new(),
            impacts: BTreeMap::new(),
            ..draft()
        }
        .validate(&m)
        .unwrap();
        assert_eq!(none.rating, None);
    }

    #[test]
    fn appetite_rules_parse_and_round_trip() {
        let m = RiskMatrix::default();
        let d = AppetiteDraft {
            rules: "At most two critical schedule risks per program | schedule | program | 2 critical |\nPortfolio exposure | * | portfolio | | 500000".into(),
        ..Default::default()
    };
        let a = d.validate(&m, 1).unwrap();
        assert_eq!(a.rules.len(), 2);
        assert_eq!(a.rules[0].max_count, Some(("critical".into(), 2)));
        assert_eq!(a.rules[1].max_emv, Some(50_000_000));
        assert_eq!(AppetiteDraft::of(&a).validate(&m, 1).unwrap(), a);
        let bad = AppetiteDraft {
            rules: "x | * | galaxy | 1 high |\ny | * | program | 2 extreme |\nz | * | program | |"
                .into(),
            ..Default::default()
        }
        .validate(&m, 1)
        .unwrap_err();
        assert_eq!(bad.len(), 3);
        assert!(bad[1].message.contains("2 critical"));
    }
}
