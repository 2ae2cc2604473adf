//! Risk analytics: pure aggregation of risk registers (issue #8).
//!
//! Every project, program and portfolio keeps a risk register rated on one
//! organization-wide probability × impact [`Matrix`]. This module is the aggregation
//! engine behind the risk pages: heat maps, concentrations, the top-N list, appetite
//! breaches, escalation checks and the exposure trend. It defines its own small input
//! type, [`RiskPoint`], onto which the caller maps its records; every id and key in it
//! is the caller's index, so the output can be mapped back.
//!
//! Conventions shared by every function:
//! - **Closed risks are ignored** by everything (`open == false`).
//! - A risk is **assessed** on a matrix when both `probability` and `impact` are set and
//!   lie in `1..=levels` of that matrix ([`Matrix::score_of`]). A rating outside the
//!   matrix (0, or above the number of levels) is treated as *not assessed*, never
//!   clamped, so that it shows up in the "not assessed" bucket for someone to fix.
//! - **Score** = probability × impact (1..=levels²); its **band** is [`band_of`].
//! - EMV sums saturate at `i64::MIN` / `i64::MAX` rather than overflow.
//! - Everything is deterministic: ties are always broken by the caller's ids or keys.
//!
//! No I/O, no clock ("today" is the caller's: `proximity_days` is already relative),
//! no serde.

use std::cmp::Ordering;
use std::collections::HashMap;

/// Whether a risk is a threat (downside) or an opportunity (upside).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A risk that would hurt the objectives if it happened.
    Threat,
    /// A risk that would help the objectives if it happened.
    Opportunity,
}

/// One risk as the analytics see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskPoint {
    /// The caller's index of the risk; reported back in every list of risks.
    pub id: u32,
    /// The caller's project index (None when raised at program/portfolio level).
    pub project: Option<u32>,
    /// The caller's program index.
    pub program: Option<u32>,
    /// The caller's portfolio index.
    pub portfolio: Option<u32>,
    /// Threat or opportunity.
    pub kind: Kind,
    /// Closed risks are ignored by everything.
    pub open: bool,
    /// 1-based probability row on the matrix; None = not assessed yet.
    pub probability: Option<u8>,
    /// 1-based impact column on the matrix (the highest impact over the dimensions);
    /// None = not assessed yet.
    pub impact: Option<u8>,
    /// Expected monetary value in minor units (probability × cost impact). Its sign for
    /// opportunities is the caller's choice; the functions below say how they use it.
    pub emv: i64,
    /// The caller's dictionary index of the category (e.g. "schedule", "supplier").
    pub category: u32,
    /// The caller's department index.
    pub department: Option<u32>,
    /// The caller's supplier index.
    pub supplier: Option<u32>,
    /// The caller's strategic-driver index.
    pub driver: Option<u32>,
    /// Days until the risk may happen, relative to the caller's today (negative = overdue).
    pub proximity_days: Option<i32>,
}

impl RiskPoint {
    /// probability × impact when both are set and at least 1, whatever the matrix.
    /// Use [`Matrix::score_of`] to also check the ratings fit the matrix.
    pub fn score(&self) -> Option<u32> {
        match (self.probability, self.impact) {
            (Some(p), Some(i)) if p >= 1 && i >= 1 => Some(u32::from(p) * u32::from(i)),
            _ => None,
        }
    }
}

/// The organization-wide probability × impact matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    /// Number of probability levels (rows), e.g. 5.
    pub probability_levels: u8,
    /// Number of impact levels (columns), e.g. 5.
    pub impact_levels: u8,
    /// Score thresholds: band i starts at `bands[i]` (ascending; the first is 1), e.g.
    /// `[1, 5, 10, 16]` for low / medium / high / critical on a 5 × 5 matrix.
    pub bands: Vec<u32>,
}

impl Matrix {
    /// The (probability, impact) cell of `r` when it is assessed on this matrix: both set
    /// and within `1..=levels`.
    pub fn cell_of(&self, r: &RiskPoint) -> Option<(u8, u8)> {
        match (r.probability, r.impact) {
            (Some(p), Some(i))
                if (1..=self.probability_levels).contains(&p)
                    && (1..=self.impact_levels).contains(&i) =>
            {
                Some((p, i))
            }
            _ => None,
        }
    }

    /// The score of `r` when it is assessed on this matrix (see [`Matrix::cell_of`]).
    pub fn score_of(&self, r: &RiskPoint) -> Option<u32> {
        self.cell_of(r).map(|(p, i)| u32::from(p) * u32::from(i))
    }

    /// Number of bands (at least 1, even when `bands` is empty).
    pub fn band_count(&self) -> usize {
        self.bands.len().max(1)
    }
}

/// The band of a score: the last `i` with `bands[i] <= score`. Scores below the first
/// threshold (and every score when `bands` is empty) are in band 0.
pub fn band_of(m: &Matrix, score: u32) -> usize {
    m.bands.partition_point(|&t| t <= score).saturating_sub(1)
}

/// Total order used for "worst first" lists of threats: score desc, then EMV desc, then
/// id asc. Unassessed risks (score None) come after every assessed one.
fn worst_first(a: (Option<u32>, i64, u32), b: (Option<u32>, i64, u32)) -> Ordering {
    b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2))
}

/// EMV mapped to a u64 whose ascending order is EMV descending.
fn emv_desc_bits(emv: i64) -> u64 {
    !((emv as u64) ^ (1 << 63))
}

/// A u128 whose ascending order is EMV desc, then id asc; the id is the low 32 bits.
fn emv_key(emv: i64, id: u32) -> u128 {
    (u128::from(emv_desc_bits(emv)) << 32) | u128::from(id)
}

/// A u128 whose ascending order is score desc, then EMV desc, then id asc (the order of
/// [`worst_first`] for assessed risks); the id is the low 32 bits.
fn worst_key(score: u32, emv: i64, id: u32) -> u128 {
    (u128::from(!score) << 96) | emv_key(emv, id)
}

// ---------------------------------------------------------------------------------------
// 1. Heat map
// ---------------------------------------------------------------------------------------

/// One cell of a heat-map grid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// Number of risks in the cell.
    pub count: u32,
    /// Σ EMV of those risks (as given, saturating).
    pub emv: i64,
    /// Their ids, sorted by EMV desc then id asc.
    pub ids: Vec<u32>,
}

/// A probability × impact grid for one kind of risk, plus the risks of that kind that are
/// not assessed (which are in no cell: an empty cell means "nothing rated there", not
/// "nothing known").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Rows of the grid (copied from the matrix).
    pub probability_levels: u8,
    /// Columns of the grid (copied from the matrix).
    pub impact_levels: u8,
    /// Row-major cells: index `(p - 1) * impact_levels + (i - 1)`; prefer [`Grid::cell`].
    pub cells: Vec<Cell>,
    /// Ids of the open, selected risks of this kind without a (valid) rating, sorted by
    /// EMV desc then id asc.
    pub not_assessed: Vec<u32>,
}

impl Grid {
    fn new(m: &Matrix) -> Grid {
        let n = usize::from(m.probability_levels) * usize::from(m.impact_levels);
        Grid {
            probability_levels: m.probability_levels,
            impact_levels: m.impact_levels,
            cells: vec![Cell::default(); n],
            not_assessed: Vec::new(),
        }
    }

    fn index(&self, p: u8, i: u8) -> usize {
        usize::from(p - 1) * usize::from(self.impact_levels) + usize::from(i - 1)
    }

    /// The cell at 1-based (probability, impact); None outside the grid.
    pub fn cell(&self, p: u8, i: u8) -> Option<&Cell> {
        if (1..=self.probability_levels).contains(&p) && (1..=self.impact_levels).contains(&i) {
            self.cells.get(self.index(p, i))
        } else {
            None
        }
    }

    /// Every cell with its 1-based (probability, impact) and score, row by row.
    pub fn iter(&self) -> impl Iterator<Item = (u8, u8, u32, &Cell)> + '_ {
        let il = self.impact_levels.max(1);
        self.cells.iter().enumerate().map(move |(k, c)| {
            // k < probability_levels × impact_levels ≤ 255², so the casts are exact.
            let p = (k / usize::from(il)) as u8 + 1;
            let i = (k % usize::from(il)) as u8 + 1;
            (p, i, u32::from(p) * u32::from(i), c)
        })
    }

    /// Σ of the cell counts (the assessed risks in the grid).
    pub fn assessed_count(&self) -> u32 {
        self.cells.iter().map(|c| c.count).sum()
    }
}

/// Heat maps of the open risks that pass a filter, threats and opportunities apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeatMap {
    /// Open threats.
    pub threats: Grid,
    /// Open opportunities.
    pub opportunities: Grid,
}

/// Builds the heat maps of the open risks for which `filter` is true (e.g. one program's,
/// or one category's). Closed risks never reach the filter.
pub fn heat_map(m: &Matrix, risks: &[RiskPoint], filter: impl Fn(&RiskPoint) -> bool) -> HeatMap {
    let mut threats = Grid::new(m);
    let mut opportunities = Grid::new(m);
    // Collect packed (EMV desc, id) keys per cell, then sort each list once.
    let mut lists: [Vec<Vec<u128>>; 2] = [
        vec![Vec::new(); threats.cells.len()],
        vec![Vec::new(); opportunities.cells.len()],
    ];
    let mut unrated: [Vec<u128>; 2] = [Vec::new(), Vec::new()];
    for r in risks.iter().filter(|r| r.open && filter(r)) {
        let (grid, k) = match r.kind {
            Kind::Threat => (&mut threats, 0),
            Kind::Opportunity => (&mut opportunities, 1),
        };
        match m.cell_of(r) {
            Some((p, i)) => {
                let x = grid.index(p, i);
                let cell = &mut grid.cells[x];
                cell.count += 1;
                cell.emv = cell.emv.saturating_add(r.emv);
                lists[k][x].push(emv_key(r.emv, r.id));
            }
            None => unrated[k].push(emv_key(r.emv, r.id)),
        }
    }
    // The id is the low 32 bits of the key.
    let ids = |mut l: Vec<u128>| {
        l.sort_unstable();
        l.into_iter().map(|x| x as u32).collect::<Vec<u32>>()
    };
    for (grid, (cell_lists, na)) in [&mut threats, &mut opportunities]
        .into_iter()
        .zip(lists.into_iter().zip(unrated))
    {
        for (cell, l) in grid.cells.iter_mut().zip(cell_lists) {
            cell.ids = ids(l);
        }
        grid.not_assessed = ids(na);
    }
    HeatMap {
        threats,
        opportunities,
    }
}

// ---------------------------------------------------------------------------------------
// 2. Concentrations
// ---------------------------------------------------------------------------------------

/// A dimension along which risks are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// `RiskPoint::category` (never None).
    Category,
    /// `RiskPoint::department`.
    Department,
    /// `RiskPoint::supplier`.
    Supplier,
    /// `RiskPoint::driver` (strategic driver).
    Driver,
    /// `RiskPoint::portfolio`.
    Portfolio,
    /// `RiskPoint::program`.
    Program,
    /// `RiskPoint::project`.
    Project,
}

impl Dimension {
    /// Every dimension, in declaration order.
    pub const ALL: [Dimension; 7] = [
        Dimension::Category,
        Dimension::Department,
        Dimension::Supplier,
        Dimension::Driver,
        Dimension::Portfolio,
        Dimension::Program,
        Dimension::Project,
    ];

    /// The key of `r` along this dimension.
    pub fn key(self, r: &RiskPoint) -> Option<u32> {
        match self {
            Dimension::Category => Some(r.category),
            Dimension::Department => r.department,
            Dimension::Supplier => r.supplier,
            Dimension::Driver => r.driver,
            Dimension::Portfolio => r.portfolio,
            Dimension::Program => r.program,
            Dimension::Project => r.project,
        }
    }
}

/// The open risks of one kind sharing one key along a dimension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Concentration {
    /// The key (caller's index); None groups the risks without a value there.
    pub key: Option<u32>,
    /// Number of open risks (assessed or not).
    pub open: u32,
    /// Number of assessed risks per band (`len() == m.band_count()`).
    pub per_band: Vec<u32>,
    /// Number of open risks not assessed on the matrix.
    pub not_assessed: u32,
    /// Σ EMV (as given, saturating).
    pub emv: i64,
    /// The highest score; None when no risk of the group is assessed.
    pub worst_score: Option<u32>,
}

/// Groups the open risks of `kind` by `by`. Sorted by Σ EMV desc, then open count desc,
/// then key asc; the None group (if any) is always last.
///
/// Differs from the first sketch `concentrations(risks, by)`: it takes the matrix (bands
/// and the validity of ratings need it) and the kind (threat and opportunity EMVs are not
/// summed together; call it twice to see both).
pub fn concentrations(
    m: &Matrix,
    risks: &[RiskPoint],
    by: Dimension,
    kind: Kind,
) -> Vec<Concentration> {
    let bands = m.band_count();
    let new = |key| Concentration {
        key,
        open: 0,
        per_band: vec![0; bands],
        not_assessed: 0,
        emv: 0,
        worst_score: None,
    };
    // Band of every possible score, looked up rather than searched per risk.
    let max_score = usize::from(m.probability_levels) * usize::from(m.impact_levels);
    let band_table: Vec<usize> = (0..=max_score as u32).map(|s| band_of(m, s)).collect();
    let add = |c: &mut Concentration, r: &RiskPoint| {
        c.open += 1;
        c.emv = c.emv.saturating_add(r.emv);
        match m.score_of(r) {
            Some(s) => {
                c.per_band[band_table[s as usize]] += 1;
                c.worst_score = c.worst_score.max(Some(s));
            }
            None => c.not_assessed += 1,
        }
    };
    let selected = || risks.iter().filter(|r| r.open && r.kind == kind);

    let mut none = new(None);
    // One pass: a dense table for small keys (the usual case: caller's indexes), a hash
    // map for the rare huge ones.
    let dense_limit = 4 * risks.len() + 1024;
    let mut slots: Vec<Option<Concentration>> = Vec::new();
    let mut sparse: HashMap<u32, Concentration> = HashMap::new();
    for r in selected() {
        match by.key(r) {
            Some(k) if (k as usize) < dense_limit => {
                let k_ = k as usize;
                if k_ >= slots.len() {
                    slots.resize(k_ + 1, None);
                }
                add(slots[k_].get_or_insert_with(|| new(Some(k))), r);
            }
            Some(k) => add(sparse.entry(k).or_insert_with(|| new(Some(k))), r),
            None => add(&mut none, r),
        }
    }
    let mut out: Vec<Concentration> = slots.into_iter().flatten().collect();
    out.extend(sparse.into_values());
    out.sort_unstable_by(|a, b| {
        b.emv
            .cmp(&a.emv)
            .then(b.open.cmp(&a.open))
            .then(a.key.cmp(&b.key))
    });
    if none.open > 0 {
        out.push(none);
    }
    out
}

// ---------------------------------------------------------------------------------------
// 3. Top risks
// ---------------------------------------------------------------------------------------

/// The ids of the `n` worst open, assessed threats: score desc, then EMV desc, then id asc.
/// Unassessed threats are left out (they have no score); opportunities are never top risks.
pub fn top_risks(m: &Matrix, risks: &[RiskPoint], n: usize) -> Vec<u32> {
    let mut v: Vec<(Option<u32>, i64, u32)> = risks
        .iter()
        .filter(|r| r.open && r.kind == Kind::Threat)
        .filter_map(|r| m.score_of(r).map(|s| (Some(s), r.emv, r.id)))
        .collect();
    let cmp = |a: &(Option<u32>, i64, u32), b: &(Option<u32>, i64, u32)| worst_first(*a, *b);
    if n == 0 {
        return Vec::new();
    }
    if v.len() > n {
        v.select_nth_unstable_by(n - 1, cmp);
        v.truncate(n);
    }
    v.sort_unstable_by(cmp);
    v.into_iter().map(|(_, _, id)| id).collect()
}

// ---------------------------------------------------------------------------------------
// 4. Appetite
// ---------------------------------------------------------------------------------------

/// Where an appetite rule is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppetiteScope {
    /// Separately for each program (risks without a program are not counted).
    PerProgram,
    /// Separately for each portfolio (risks without a portfolio are not counted).
    PerPortfolio,
    /// Once over the whole organization.
    Organization,
}

/// A risk-appetite rule, e.g. "at most 2 critical schedule risks per program" or
/// "portfolio EMV ≤ X". Measured on open threats only: opportunities neither count nor
/// offset threat EMV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appetite {
    /// Only risks of this category; None = all categories.
    pub category: Option<u32>,
    /// Where the limits apply.
    pub scope: AppetiteScope,
    /// `(band, max)`: at most `max` assessed threats whose score is in `band` or above
    /// (a band past the matrix's last one counts nothing, so never breaches).
    pub max_count_at_or_above_band: Option<(usize, u32)>,
    /// Σ EMV of the threats (assessed or not) must be at most this.
    pub max_emv: Option<i64>,
}

/// Which limit of a rule was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Measure {
    /// `max_count_at_or_above_band` for this band.
    CountAtOrAboveBand(usize),
    /// `max_emv`.
    Emv,
}

/// One exceeded limit of one rule in one scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    /// Index of the rule in the `rules` slice.
    pub rule: usize,
    /// The program or portfolio index; None for [`AppetiteScope::Organization`].
    pub scope_key: Option<u32>,
    /// Which limit.
    pub measure: Measure,
    /// The measured value (a count, or Σ EMV).
    pub value: i64,
    /// The limit it exceeds (`value > limit`).
    pub limit: i64,
    /// The risks counted in `value`: for a count, those at or above the band (worst
    /// first: score desc, EMV desc, id); for EMV, every contributing threat (EMV desc, id).
    pub risks: Vec<u32>,
}

/// Distinct keys (ascending) and, for each input, the slot of its key (None when it has no
/// key); slot `k` holds key `keys[k]`.
type Slots = (Vec<u32>, Vec<Option<usize>>);

/// Maps optional keys to compact slots numbered in ascending key order.
fn compact(keys: &[Option<u32>]) -> Slots {
    let max = keys.iter().flatten().max().copied();
    match max {
        None => (Vec::new(), vec![None; keys.len()]),
        Some(mk) if (mk as usize) <= 4 * keys.len() + 1024 => {
            // Dense: mark present keys, number them in order.
            let mut slot = vec![usize::MAX; mk as usize + 1];
            for k in keys.iter().flatten() {
                slot[*k as usize] = 0;
            }
            let mut distinct = Vec::new();
            for (k, s) in slot.iter_mut().enumerate() {
                if *s == 0 {
                    *s = distinct.len();
                    distinct.push(k as u32);
                }
            }
            let slots = keys.iter().map(|k| k.map(|k| slot[k as usize])).collect();
            (distinct, slots)
        }
        Some(_) => {
            let mut distinct: Vec<u32> = keys.iter().flatten().copied().collect();
            distinct.sort_unstable();
            distinct.dedup();
            let slots = keys
                .iter()
                .map(|k| k.and_then(|k| distinct.binary_search(&k).ok()))
                .collect();
            (distinct, slots)
        }
    }
}

/// Checks every rule in every scope. A rule with both limits may yield two breaches.
/// Sorted by rule index, then measure (count before EMV), then scope key asc.
pub fn breaches(m: &Matrix, risks: &[RiskPoint], rules: &[Appetite]) -> Vec<Breach> {
    // The open threats with their band, computed once for every rule.
    let threats: Vec<(&RiskPoint, Option<usize>)> = risks
        .iter()
        .filter(|r| r.open && r.kind == Kind::Threat)
        .map(|r| (r, m.score_of(r).map(|s| band_of(m, s))))
        .collect();
    let mut scopes: [Option<Slots>; 3] = [None, None, None];
    let mut out = Vec::new();
    for (ri, rule) in rules.iter().enumerate() {
        if rule.max_count_at_or_above_band.is_none() && rule.max_emv.is_none() {
            continue;
        }
        // Slots of the scope: programs or portfolios in key order, or the one organization.
        let x = match rule.scope {
            AppetiteScope::PerProgram => 0,
            AppetiteScope::PerPortfolio => 1,
            AppetiteScope::Organization => 2,
        };
        let (keys, slot_of) = &*scopes[x].get_or_insert_with(|| match rule.scope {
            AppetiteScope::PerProgram => {
                compact(&threats.iter().map(|(r, _)| r.program).collect::<Vec<_>>())
            }
            AppetiteScope::PerPortfolio => {
                compact(&threats.iter().map(|(r, _)| r.portfolio).collect::<Vec<_>>())
            }
            AppetiteScope::Organization => (vec![0], vec![Some(0); threats.len()]),
        });
        let scope_key = |slot: usize| match rule.scope {
            AppetiteScope::Organization => None,
            _ => Some(keys[slot]),
        };
        let in_rule = |r: &RiskPoint| rule.category.is_none_or(|c| c == r.category);
        let band_min = rule.max_count_at_or_above_band.map(|(b, _)| b);
        let counts_at_band =
            |b: Option<usize>| matches!((b, band_min), (Some(b), Some(min)) if b >= min);

        // Measure every slot in one pass.
        let mut count = vec![0u32; keys.len()];
        let mut emv = vec![0i64; keys.len()];
        for ((r, band), slot) in threats.iter().zip(slot_of) {
            if let Some(k) = *slot
                && in_rule(r)
            {
                if counts_at_band(*band) {
                    count[k] += 1;
                }
                emv[k] = emv[k].saturating_add(r.emv);
            }
        }

        // Open a breach for each slot over a limit, then gather their risks in one pass.
        let mut by_count: Vec<Option<usize>> = vec![None; keys.len()];
        let mut by_emv: Vec<Option<usize>> = vec![None; keys.len()];
        let mut found: Vec<Breach> = Vec::new();
        if let Some((band, max)) = rule.max_count_at_or_above_band {
            for k in (0..keys.len()).filter(|&k| count[k] > max) {
                by_count[k] = Some(found.len());
                found.push(Breach {
                    rule: ri,
                    scope_key: scope_key(k),
                    measure: Measure::CountAtOrAboveBand(band),
                    value: i64::from(count[k]),
                    limit: i64::from(max),
                    risks: Vec::new(),
                });
            }
        }
        if let Some(max) = rule.max_emv {
            for k in (0..keys.len()).filter(|&k| emv[k] > max) {
                by_emv[k] = Some(found.len());
                found.push(Breach {
                    rule: ri,
                    scope_key: scope_key(k),
                    measure: Measure::Emv,
                    value: emv[k],
                    limit: max,
                    risks: Vec::new(),
                });
            }
        }
        // Gather each breach's risks as packed sort keys (see `worst_key` / `emv_key`), sort
        // each list, and unpack the ids.
        let mut hits: Vec<Vec<u128>> = vec![Vec::new(); found.len()];
        for ((r, band), slot) in threats.iter().zip(slot_of) {
            if let Some(k) = *slot
                && in_rule(r)
            {
                if let Some(b) = by_count[k]
                    && counts_at_band(*band)
                {
                    hits[b].push(worst_key(m.score_of(r).unwrap_or(0), r.emv, r.id));
                }
                if let Some(b) = by_emv[k] {
                    hits[b].push(emv_key(r.emv, r.id));
                }
            }
        }
        for (breach, mut h) in found.iter_mut().zip(hits) {
            h.sort_unstable();
            // The id is the low 32 bits of both keys.
            breach.risks = h.into_iter().map(|x| x as u32).collect();
        }
        out.append(&mut found);
    }
    out
}

// ---------------------------------------------------------------------------------------
// 5. Escalation
// ---------------------------------------------------------------------------------------

/// Escalation thresholds; each one that is set is checked on its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Thresholds {
    /// Escalate when probability × impact ≥ this.
    pub min_score: Option<u32>,
    /// Escalate when |EMV| ≥ this (so opportunities are judged by their size whatever
    /// sign the caller gives them).
    pub min_emv: Option<i64>,
    /// Escalate when the risk may happen within this many days (proximity ≤ this,
    /// overdue risks with a negative proximity included).
    pub max_proximity_days: Option<i32>,
}

/// True when the open risk `r` meets at least one threshold that is set. Both kinds are
/// escalated (a large opportunity deserves attention too), by |EMV| for the EMV
/// threshold. Closed risks and thresholds with nothing set never escalate. The score is
/// [`RiskPoint::score`] (no matrix here), so an unassessed risk can only escalate by EMV
/// or proximity.
pub fn should_escalate(t: &Thresholds, r: &RiskPoint) -> bool {
    if !r.open {
        return false;
    }
    let by_score = t
        .min_score
        .is_some_and(|min| r.score().is_some_and(|s| s >= min));
    let by_emv = t
        .min_emv
        .is_some_and(|min| r.emv.unsigned_abs() >= min.max(0).unsigned_abs());
    let by_proximity = t
        .max_proximity_days
        .is_some_and(|max| r.proximity_days.is_some_and(|d| d <= max));
    by_score || by_emv || by_proximity
}

// ---------------------------------------------------------------------------------------
// 6. Exposure trend
// ---------------------------------------------------------------------------------------

/// One scope's (e.g. a portfolio's) exposure as it stood at the end of a day: stored by
/// the caller whenever a risk of the scope changes, so days without a change carry the
/// last value forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The caller's scope index.
    pub scope: u32,
    /// Any day number that grows with time (e.g. days since an epoch).
    pub day: i32,
    pub open: i64,
    pub emv: i64,
    /// Open threats in the highest bands.
    pub severe: i64,
}

/// The summed exposure of every scope on one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TrendPoint {
    pub day: i32,
    pub open: i64,
    pub emv: i64,
    pub severe: i64,
}

/// The exposure trend: for each of `days` (ascending), the sum over scopes of each scope's
/// latest snapshot on or before that day (a scope with none yet counts zero). A later
/// snapshot of the same scope and day replaces an earlier one. O((s + d) + s log s).
pub fn exposure_trend(snapshots: &[Snapshot], days: &[i32]) -> Vec<TrendPoint> {
    let mut sorted: Vec<&Snapshot> = snapshots.iter().collect();
    sorted.sort_by_key(|s| s.day);
    let mut current: HashMap<u32, (i64, i64, i64)> = HashMap::new();
    let mut total = TrendPoint::default();
    let mut next = 0;
    days.iter()
        .map(|&day| {
            while let Some(s) = sorted.get(next).filter(|s| s.day <= day) {
                let old = current.insert(s.scope, (s.open, s.emv, s.severe));
                let (o, e, v) = old.unwrap_or((0, 0, 0));
                total.open += s.open - o;
                total.emv = total.emv.saturating_add(s.emv.saturating_sub(e));
                total.severe += s.severe - v;
                next += 1;
            }
            TrendPoint { day, ..total }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m5() -> Matrix {
        Matrix {
            probability_levels: 5,
            impact_levels: 5,
            bands: vec![1, 5, 10, 16], // low, medium, high, critical
        }
    }

    /// A minimal open threat with a rating.
    fn risk(id: u32, p: u8, i: u8, emv: i64) -> RiskPoint {
        RiskPoint {
            id,
            project: Some(id / 10),
            program: Some(0),
            portfolio: Some(0),
            kind: Kind::Threat,
            open: true,
            probability: Some(p),
            impact: Some(i),
            emv,
            category: 0,
            department: None,
            supplier: None,
            driver: None,
            proximity_days: None,
        }
    }

    fn unrated(id: u32, emv: i64) -> RiskPoint {
        RiskPoint {
            probability: None,
            impact: None,
            ..risk(id, 1, 1, emv)
        }
    }

    #[test]
    fn packed_keys_sort_like_the_comparators() {
        let emvs = [i64::MIN, -5, -1, 0, 1, 7, i64::MAX];
        let mut items = Vec::new();
        for (k, &e) in emvs.iter().enumerate() {
            for s in [1u32, 12, 25] {
                for id in [0u32, 3, u32::MAX] {
                    items.push((s, e, id ^ k as u32));
                }
            }
        }
        let mut by_cmp = items.clone();
        by_cmp.sort_by(|a, b| worst_first((Some(a.0), a.1, a.2), (Some(b.0), b.1, b.2)));
        let mut by_key = items.clone();
        by_key.sort_by_key(|x| worst_key(x.0, x.1, x.2));
        assert_eq!(by_cmp, by_key);
        let mut by_emv = items.clone();
        by_emv.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        let mut by_emv_key = items;
        by_emv_key.sort_by_key(|x| emv_key(x.1, x.2));
        let strip = |v: Vec<(u32, i64, u32)>| v.into_iter().map(|x| (x.1, x.2)).collect::<Vec<_>>();
        assert_eq!(strip(by_emv), strip(by_emv_key));
        assert_eq!(worst_key(9, -4, 77) as u32, 77);
    }

    #[test]
    fn bands() {
        let m = m5();
        assert_eq!(band_of(&m, 0), 0);
        assert_eq!(band_of(&m, 1), 0);
        assert_eq!(band_of(&m, 4), 0);
        assert_eq!(band_of(&m, 5), 1);
        assert_eq!(band_of(&m, 9), 1);
        assert_eq!(band_of(&m, 10), 2);
        assert_eq!(band_of(&m, 16), 3);
        assert_eq!(band_of(&m, 25), 3);
        let empty = Matrix {
            bands: vec![],
            ..m5()
        };
        assert_eq!(band_of(&empty, 25), 0);
        assert_eq!(empty.band_count(), 1);
    }

    #[test]
    fn heat_map_cells_not_assessed_and_kinds() {
        let m = m5();
        let mut opp = risk(7, 4, 3, -500);
        opp.kind = Kind::Opportunity;
        let mut closed = risk(8, 4, 3, 9_999);
        closed.open = false;
        let out_of_range = risk(9, 6, 1, 40); // probability 6 on a 5-level matrix
        let risks = vec![
            risk(1, 4, 3, 100),
            risk(2, 4, 3, 300),
            risk(3, 4, 3, 300),
            risk(4, 1, 1, 5),
            unrated(5, 70),
            opp,
            closed,
            out_of_range,
            unrated(6, 80),
        ];
        let hm = heat_map(&m, &risks, |_| true);
        let c = hm.threats.cell(4, 3).unwrap();
        assert_eq!(c.count, 3);
        assert_eq!(c.emv, 700);
        assert_eq!(c.ids, vec![2, 3, 1]); // EMV desc, then id
        assert_eq!(hm.threats.cell(1, 1).unwrap().ids, vec![4]);
        // An empty cell is not the same as unassessed.
        let empty = hm.threats.cell(5, 5).unwrap();
        assert_eq!((empty.count, empty.emv, empty.ids.len()), (0, 0, 0));
        assert_eq!(hm.threats.not_assessed, vec![6, 5, 9]); // EMV desc
        assert_eq!(hm.threats.assessed_count(), 4);
        // Opportunities apart.
        let oc = hm.opportunities.cell(4, 3).unwrap();
        assert_eq!((oc.count, oc.emv, oc.ids.clone()), (1, -500, vec![7]));
        assert_eq!(hm.opportunities.assessed_count(), 1);
        assert!(hm.opportunities.not_assessed.is_empty());
        assert!(hm.threats.cell(0, 1).is_none());
        assert!(hm.threats.cell(6, 1).is_none());
        // iter gives coordinates and scores.
        let (p, i, s, c) = hm.threats.iter().find(|(_, _, _, c)| c.count == 3).unwrap();
        assert_eq!((p, i, s, c.emv), (4, 3, 12, 700));
        assert_eq!(hm.threats.iter().count(), 25);
        // Filter applies (closed risk 8 still ignored even if the filter selects it).
        let only8 = heat_map(&m, &risks, |r| r.id == 8 || r.id == 1);
        assert_eq!(only8.threats.assessed_count(), 1);
        assert_eq!(only8.threats.cell(4, 3).unwrap().ids, vec![1]);
    }

    #[test]
    fn heat_map_non_square() {
        let m = Matrix {
            probability_levels: 3,
            impact_levels: 4,
            bands: vec![1, 4, 8],
        };
        let risks = vec![
            risk(1, 3, 4, 1),
            risk(2, 1, 4, 2),
            risk(3, 3, 1, 3),
            risk(4, 4, 3, 4),
        ];
        let hm = heat_map(&m, &risks, |_| true);
        assert_eq!(hm.threats.cells.len(), 12);
        assert_eq!(hm.threats.cell(3, 4).unwrap().ids, vec![1]);
        assert_eq!(hm.threats.cell(1, 4).unwrap().ids, vec![2]);
        assert_eq!(hm.threats.cell(3, 1).unwrap().ids, vec![3]);
        assert_eq!(hm.threats.not_assessed, vec![4]); // probability 4 > 3 levels
        let (p, i, s, _) = hm.threats.iter().last().unwrap();
        assert_eq!((p, i, s), (3, 4, 12));
    }

    #[test]
    fn concentrations_by_category_and_none_last() {
        let m = m5();
        let mut a = risk(1, 5, 4, 1_000); // score 20 critical, supplier 3
        a.supplier = Some(3);
        a.category = 2;
        let mut b = risk(2, 2, 3, 1_000); // score 6 medium, supplier 1
        b.supplier = Some(1);
        b.category = 2;
        let mut c = risk(3, 1, 2, 1_000); // score 2 low, supplier 3
        c.supplier = Some(3);
        c.category = 1;
        let mut d = unrated(4, 5_000); // no supplier, category 1
        d.category = 1;
        let mut e = risk(5, 1, 1, 99_999); // closed: ignored
        e.open = false;
        e.supplier = Some(9);
        let mut f = risk(6, 5, 5, 1); // opportunity: ignored for threats
        f.kind = Kind::Opportunity;
        f.supplier = Some(9);
        let mut g = risk(7, 3, 4, 1_000); // score 12 high, supplier 1
        g.supplier = Some(1);
        g.category = 2;
        let risks = vec![a, b, c, d, e, f, g];

        let by_sup = concentrations(&m, &risks, Dimension::Supplier, Kind::Threat);
        // supplier 1: 2 risks, 2000; supplier 3: 2 risks, 2000 -> tie on EMV and count,
        // key asc; None (5000) is last despite the biggest EMV.
        let keys: Vec<Option<u32>> = by_sup.iter().map(|c| c.key).collect();
        assert_eq!(keys, vec![Some(1), Some(3), None]);
        assert_eq!(by_sup[0].per_band, vec![0, 1, 1, 0]);
        assert_eq!(by_sup[0].worst_score, Some(12));
        assert_eq!(by_sup[1].per_band, vec![1, 0, 0, 1]);
        assert_eq!(by_sup[1].worst_score, Some(20));
        assert_eq!(by_sup[2].open, 1);
        assert_eq!(by_sup[2].not_assessed, 1);
        assert_eq!(by_sup[2].worst_score, None);
        assert_eq!(by_sup[2].emv, 5_000);

        let by_cat = concentrations(&m, &risks, Dimension::Category, Kind::Threat);
        // category 1: 6000 over 2; category 2: 3000 over 3.
        assert_eq!(
            by_cat.iter().map(|c| c.key).collect::<Vec<_>>(),
            vec![Some(1), Some(2)]
        );
        assert_eq!((by_cat[0].open, by_cat[0].emv), (2, 6_000));
        assert_eq!(
            (by_cat[1].open, by_cat[1].emv, by_cat[1].worst_score),
            (3, 3_000, Some(20))
        );

        let opps = concentrations(&m, &risks, Dimension::Supplier, Kind::Opportunity);
        assert_eq!(opps.len(), 1);
        assert_eq!(
            (opps[0].key, opps[0].open, opps[0].per_band.clone()),
            (Some(9), 1, vec![0, 0, 0, 1])
        );
    }

    #[test]
    fn concentrations_count_breaks_emv_tie_and_sparse_keys() {
        let m = m5();
        let mut risks = Vec::new();
        // key 4_000_000_000 (sparse: hash path) has 2 risks of 50; key 7 has 1 risk of 100.
        for (id, key, emv) in [
            (1, 4_000_000_000u32, 50),
            (2, 4_000_000_000, 50),
            (3, 7, 100),
            (4, 8, 10),
        ] {
            let mut r = risk(id, 2, 2, emv);
            r.driver = Some(key);
            risks.push(r);
        }
        let c = concentrations(&m, &risks, Dimension::Driver, Kind::Threat);
        let keys: Vec<Option<u32>> = c.iter().map(|c| c.key).collect();
        assert_eq!(keys, vec![Some(4_000_000_000), Some(7), Some(8)]);
        assert!(concentrations(&m, &[], Dimension::Driver, Kind::Threat).is_empty());
    }

    #[test]
    fn top_risks_order() {
        let m = m5();
        let mut opp = risk(10, 5, 5, 1_000_000);
        opp.kind = Kind::Opportunity;
        let mut closed = risk(11, 5, 5, 1_000_000);
        closed.open = false;
        let risks = vec![
            risk(1, 3, 4, 10),  // 12
            risk(2, 4, 3, 20),  // 12, more EMV
            risk(3, 5, 5, 0),   // 25
            risk(4, 2, 6, 999), // invalid: out
            unrated(5, 1_000),  // out
            risk(6, 4, 3, 20),  // 12, same EMV as 2: id order
            opp,
            closed,
            risk(7, 1, 1, 5),
        ];
        assert_eq!(top_risks(&m, &risks, 3), vec![3, 2, 6]);
        assert_eq!(top_risks(&m, &risks, 10), vec![3, 2, 6, 1, 7]);
        assert!(top_risks(&m, &risks, 0).is_empty());
    }

    fn schedule_risk(id: u32, program: u32, portfolio: u32, p: u8, i: u8, emv: i64) -> RiskPoint {
        RiskPoint {
            program: Some(program),
            portfolio: Some(portfolio),
            category: 1, // "schedule"
            ..risk(id, p, i, emv)
        }
    }

    #[test]
    fn appetite_per_program_portfolio_organization() {
        let m = m5();
        let mut risks = vec![
            // program 0 (portfolio 0): three critical schedule risks.
            schedule_risk(1, 0, 0, 4, 4, 100),
            schedule_risk(2, 0, 0, 5, 4, 100),
            schedule_risk(3, 0, 0, 5, 5, 50),
            // program 1 (portfolio 0): two critical, one high.
            schedule_risk(4, 1, 0, 4, 4, 10),
            schedule_risk(5, 1, 0, 4, 4, 10),
            schedule_risk(6, 1, 0, 3, 4, 10),
            // program 2 (portfolio 1): two critical.
            schedule_risk(7, 2, 1, 5, 5, 10),
            schedule_risk(8, 2, 1, 5, 5, 10),
        ];
        // A critical supplier-category risk in program 1: not schedule.
        let mut other = schedule_risk(9, 1, 0, 5, 5, 10);
        other.category = 2;
        risks.push(other);
        // A closed critical schedule risk in program 1 and a critical opportunity.
        let mut closed = schedule_risk(10, 1, 0, 5, 5, 10);
        closed.open = false;
        risks.push(closed);
        let mut opp = schedule_risk(11, 1, 0, 5, 5, 10);
        opp.kind = Kind::Opportunity;
        risks.push(opp);
        // A portfolio-level critical schedule risk without a program.
        let mut no_prog = schedule_risk(12, 0, 1, 5, 5, 10);
        no_prog.program = None;
        risks.push(no_prog);

        let critical = 3;
        let rules = [
            Appetite {
                category: Some(1),
                scope: AppetiteScope::PerProgram,
                max_count_at_or_above_band: Some((critical, 2)),
                max_emv: None,
            },
            Appetite {
                category: Some(1),
                scope: AppetiteScope::PerPortfolio,
                max_count_at_or_above_band: Some((critical, 3)),
                max_emv: None,
            },
            Appetite {
                category: Some(1),
                scope: AppetiteScope::Organization,
                max_count_at_or_above_band: Some((critical, 7)),
                max_emv: None,
            },
        ];
        let b = breaches(&m, &risks, &rules);
        // Per program: only program 0 has 3 > 2 (program 2 has exactly 2; the
        // program-less risk 12 counts nowhere).
        assert_eq!(b[0].rule, 0);
        assert_eq!(b[0].scope_key, Some(0));
        assert_eq!(b[0].measure, Measure::CountAtOrAboveBand(3));
        assert_eq!((b[0].value, b[0].limit), (3, 2));
        assert_eq!(b[0].risks, vec![3, 2, 1]); // score desc, then EMV desc
        // Per portfolio: portfolio 0 has 5 critical > 3; portfolio 1 has 3 (7, 8, 12).
        assert_eq!(b[1].rule, 1);
        assert_eq!(b[1].scope_key, Some(0));
        assert_eq!((b[1].value, b[1].limit), (5, 3));
        assert_eq!(b[1].risks, vec![3, 2, 1, 4, 5]);
        // Organization: 8 critical schedule threats (1,2,3,4,5,7,8,12) > 7.
        assert_eq!(b[2].rule, 2);
        assert_eq!(b[2].scope_key, None);
        assert_eq!((b[2].value, b[2].limit), (8, 7));
        assert_eq!(b.len(), 3);
    }

    #[test]
    fn appetite_emv_limit() {
        let m = m5();
        let mut risks = vec![
            schedule_risk(1, 0, 0, 1, 1, 600),
            schedule_risk(2, 1, 0, 1, 1, 500),
            schedule_risk(3, 2, 1, 1, 1, 900),
            unrated(4, 300), // portfolio 0, category 0: counts for EMV though unassessed
        ];
        let mut opp = schedule_risk(5, 0, 0, 1, 1, -10_000); // does not offset
        opp.kind = Kind::Opportunity;
        risks.push(opp);
        let rules = [
            Appetite {
                category: None,
                scope: AppetiteScope::PerPortfolio,
                max_emv: Some(1_000),
                max_count_at_or_above_band: None,
            },
            Appetite {
                category: Some(1),
                scope: AppetiteScope::PerPortfolio,
                max_emv: Some(1_000),
                max_count_at_or_above_band: Some((0, 5)),
            },
            Appetite {
                category: None,
                scope: AppetiteScope::Organization,
                max_emv: Some(2_300),
                max_count_at_or_above_band: Some((0, 2)),
            },
        ];
        let b = breaches(&m, &risks, &rules);
        assert_eq!(b.len(), 3);
        assert_eq!(
            (b[0].rule, b[0].scope_key, b[0].measure),
            (0, Some(0), Measure::Emv)
        );
        assert_eq!((b[0].value, b[0].limit), (1_400, 1_000));
        assert_eq!(b[0].risks, vec![1, 2, 4]);
        // Rule 1 (schedule only): portfolio 0 has 1_100 > 1_000; portfolio 1 has 900.
        assert_eq!((b[1].rule, b[1].scope_key, b[1].value), (1, Some(0), 1_100));
        // Rule 2: 3 assessed threats in band ≥ 0 > 2 (the unassessed 4 is not counted);
        // its EMV, 600 + 500 + 900 + 300 = 2_300, is at the limit, not above: no breach.
        assert_eq!(
            (b[2].rule, b[2].measure, b[2].value),
            (2, Measure::CountAtOrAboveBand(0), 3)
        );
        assert_eq!(b[2].risks, vec![3, 1, 2]);
        let lower = Appetite {
            max_emv: Some(2_299),
            max_count_at_or_above_band: None,
            ..rules[2].clone()
        };
        let b = breaches(&m, &risks, &[lower]);
        assert_eq!(b.len(), 1);
        assert_eq!(
            (b[0].rule, b[0].scope_key, b[0].measure),
            (0, None, Measure::Emv)
        );
        assert_eq!((b[0].value, b[0].limit), (2_300, 2_299));
        assert_eq!(b[0].risks, vec![3, 1, 2, 4]);
    }

    #[test]
    fn escalation_each_threshold() {
        let r = risk(1, 3, 4, -700); // score 12, |EMV| 700
        let none = Thresholds::default();
        assert!(!should_escalate(&none, &r));
        let score = |s| Thresholds {
            min_score: Some(s),
            ..Thresholds::default()
        };
        assert!(should_escalate(&score(12), &r));
        assert!(!should_escalate(&score(13), &r));
        assert!(!should_escalate(&score(1), &unrated(2, 0)));
        let emv = |e| Thresholds {
            min_emv: Some(e),
            ..Thresholds::default()
        };
        assert!(should_escalate(&emv(700), &r)); // by |EMV|
        assert!(!should_escalate(&emv(701), &r));
        let mut opp = risk(3, 1, 1, 5_000);
        opp.kind = Kind::Opportunity;
        assert!(should_escalate(&emv(5_000), &opp));
        let prox = |d| Thresholds {
            max_proximity_days: Some(d),
            ..Thresholds::default()
        };
        assert!(!should_escalate(&prox(30), &r)); // no proximity known
        let soon = RiskPoint {
            proximity_days: Some(14),
            ..r.clone()
        };
        assert!(should_escalate(&prox(14), &soon));
        assert!(!should_escalate(&prox(13), &soon));
        let overdue = RiskPoint {
            proximity_days: Some(-3),
            ..r.clone()
        };
        assert!(should_escalate(&prox(0), &overdue));
        // Any one threshold suffices; closed never escalates.
        let all = Thresholds {
            min_score: Some(25),
            min_emv: Some(1_000_000),
            max_proximity_days: Some(20),
        };
        assert!(should_escalate(&all, &soon));
        assert!(!should_escalate(&all, &r));
        let closed = RiskPoint {
            open: false,
            ..soon
        };
        assert!(!should_escalate(&all, &closed));
    }

    #[test]
    fn exposure_trend_carries_each_scope_forward_and_sums() {
        let snap = |scope, day, open, emv, severe| Snapshot {
            scope,
            day,
            open,
            emv,
            severe,
        };
        let snaps = [
            snap(1, 7, 3, 500, 1),
            snap(0, 0, 2, 300, 0),
            snap(0, 7, 4, 100, 2),
            snap(0, 12, 1, 50, 0),
        ];
        let out = exposure_trend(&snaps, &[-1, 0, 6, 7, 10, 12, 30]);
        let pt = |day, open, emv, severe| TrendPoint {
            day,
            open,
            emv,
            severe,
        };
        assert_eq!(
            out,
            vec![
                pt(-1, 0, 0, 0),
                pt(0, 2, 300, 0),
                pt(6, 2, 300, 0),
                pt(7, 7, 600, 3),
                pt(10, 7, 600, 3),
                pt(12, 4, 550, 1),
                pt(30, 4, 550, 1),
            ]
        );
        assert!(exposure_trend(&[], &[1, 2]).iter().all(|p| p.open == 0));
    }

    /// xorshift64, for a deterministic random register.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Straightforward reference for `breaches`: group with a BTreeMap, sort each group.
    fn naive_breaches(m: &Matrix, risks: &[RiskPoint], rules: &[Appetite]) -> Vec<Breach> {
        use std::collections::BTreeMap;
        let mut out = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            let mut groups: BTreeMap<Option<u32>, Vec<&RiskPoint>> = BTreeMap::new();
            for r in risks.iter().filter(|r| r.open && r.kind == Kind::Threat) {
                if rule.category.is_some_and(|c| c != r.category) {
                    continue;
                }
                let key = match rule.scope {
                    AppetiteScope::PerProgram => r.program.map(Some),
                    AppetiteScope::PerPortfolio => r.portfolio.map(Some),
                    AppetiteScope::Organization => Some(None),
                };
                if let Some(k) = key {
                    groups.entry(k).or_default().push(r);
                }
            }
            if let Some((band, max)) = rule.max_count_at_or_above_band {
                for (k, g) in &groups {
                    let mut hits: Vec<&&RiskPoint> = g
                        .iter()
                        .filter(|r| m.score_of(r).is_some_and(|s| band_of(m, s) >= band))
                        .collect();
                    if hits.len() > max as usize {
                        hits.sort_by(|a, b| {
                            worst_first((m.score_of(a), a.emv, a.id), (m.score_of(b), b.emv, b.id))
                        });
                        out.push(Breach {
                            rule: ri,
                            scope_key: *k,
                            measure: Measure::CountAtOrAboveBand(band),
                            value: hits.len() as i64,
                            limit: i64::from(max),
                            risks: hits.iter().map(|r| r.id).collect(),
                        });
                    }
                }
            }
            if let Some(max) = rule.max_emv {
                for (k, g) in &groups {
                    let total: i64 = g.iter().map(|r| r.emv).sum();
                    if total > max {
                        let mut g = g.clone();
                        g.sort_by(|a, b| b.emv.cmp(&a.emv).then(a.id.cmp(&b.id)));
                        out.push(Breach {
                            rule: ri,
                            scope_key: *k,
                            measure: Measure::Emv,
                            value: total,
                            limit: max,
                            risks: g.iter().map(|r| r.id).collect(),
                        });
                    }
                }
            }
        }
        out
    }

    #[test]
    fn property_breaches_match_reference() {
        let m = m5();
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        let mut seen = 0;
        for _ in 0..150 {
            let n = rng.below(80) as u32;
            // Keys are sometimes small and dense, sometimes huge (the sparse path).
            let spread = if rng.below(2) == 0 { 6 } else { 3_000_000_000 };
            let risks: Vec<RiskPoint> = (0..n)
                .map(|id| {
                    let mut r = risk(
                        id,
                        1 + rng.below(6) as u8,
                        1 + rng.below(5) as u8,
                        rng.below(500) as i64,
                    );
                    r.kind = if rng.below(4) == 0 {
                        Kind::Opportunity
                    } else {
                        Kind::Threat
                    };
                    r.open = rng.below(6) != 0;
                    r.category = rng.below(3) as u32;
                    r.program = (rng.below(5) != 0).then(|| rng.below(spread) as u32);
                    r.portfolio = (rng.below(5) != 0).then(|| rng.below(3) as u32);
                    r
                })
                .collect();
            let rules: Vec<Appetite> = (0..4)
                .map(|k| Appetite {
                    category: (rng.below(2) == 0).then(|| rng.below(3) as u32),
                    scope: [
                        AppetiteScope::PerProgram,
                        AppetiteScope::PerPortfolio,
                        AppetiteScope::Organization,
                    ][k % 3],
                    max_count_at_or_above_band: (rng.below(3) != 0)
                        .then(|| (rng.below(4) as usize, rng.below(4) as u32)),
                    max_emv: (rng.below(2) == 0).then(|| rng.below(3_000) as i64),
                })
                .collect();
            let fast = breaches(&m, &risks, &rules);
            assert_eq!(fast, naive_breaches(&m, &risks, &rules));
            seen += fast.len();
        }
        assert!(seen > 50, "the generator should produce breaches ({seen})");
    }

    #[test]
    fn property_heat_map_accounts_for_every_open_risk() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..200 {
            let m = Matrix {
                probability_levels: 1 + rng.below(6) as u8,
                impact_levels: 1 + rng.below(6) as u8,
                bands: vec![1, 3, 7],
            };
            let n = rng.below(60) as u32;
            let risks: Vec<RiskPoint> = (0..n)
                .map(|id| {
                    let rate = |rng: &mut Rng| match rng.below(8) {
                        0 => None,
                        _ => Some(rng.below(8) as u8), // 0 and 6..=7 can fall outside
                    };
                    let probability = rate(&mut rng);
                    let impact = rate(&mut rng);
                    RiskPoint {
                        id,
                        kind: if rng.below(3) == 0 {
                            Kind::Opportunity
                        } else {
                            Kind::Threat
                        },
                        open: rng.below(5) != 0,
                        probability,
                        impact,
                        emv: rng.below(1_000) as i64 - 200,
                        category: rng.below(4) as u32,
                        supplier: if rng.below(2) == 0 {
                            None
                        } else {
                            Some(rng.below(3) as u32)
                        },
                        ..risk(id, 1, 1, 0)
                    }
                })
                .collect();
            let hm = heat_map(&m, &risks, |_| true);
            for (kind, grid) in [
                (Kind::Threat, &hm.threats),
                (Kind::Opportunity, &hm.opportunities),
            ] {
                let open = risks.iter().filter(|r| r.open && r.kind == kind).count();
                assert_eq!(
                    grid.assessed_count() as usize + grid.not_assessed.len(),
                    open,
                    "round {round}, {kind:?}"
                );
                let ids: usize = grid.cells.iter().map(|c| c.ids.len()).sum();
                assert_eq!(ids, grid.assessed_count() as usize);
                let emv: i64 = grid.cells.iter().map(|c| c.emv).sum();
                let expected: i64 = risks
                    .iter()
                    .filter(|r| r.open && r.kind == kind && m.score_of(r).is_some())
                    .map(|r| r.emv)
                    .sum();
                assert_eq!(emv, expected);
                // Concentrations partition the same open risks, whatever the dimension.
                for by in Dimension::ALL {
                    let cs = concentrations(&m, &risks, by, kind);
                    assert_eq!(cs.iter().map(|c| c.open as usize).sum::<usize>(), open);
                    let banded: u32 = cs.iter().flat_map(|c| c.per_band.iter()).sum();
                    assert_eq!(banded, grid.assessed_count());
                }
            }
        }
    }
}
