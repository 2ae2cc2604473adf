//! Portfolio selection model: candidates, budgets, capacities, dependencies, and the result types.
//!
//! # Time model
//!
//! The planning horizon is `fiscal_years` fiscal years of four quarters each; quarter `q`
//! (0-based) belongs to fiscal year `q / 4`. A candidate has an earliest start quarter
//! (`start_quarter`) and may be delayed by `0..=max_shift` quarters.
//!
//! * **Capacity demand** is given per role per quarter *relative to the start*; a shift of `s`
//!   quarters moves every demand entry `s` quarters later.
//! * **Cost** is given per year *relative to the start* (year 0 = the first four quarters of the
//!   candidate). Each year's cost is spread evenly over its four quarters (integer minor units:
//!   the remainder of the division by four goes to the earliest quarters, so the sum is exact),
//!   moved with the start, and summed per fiscal year. A candidate starting mid-year therefore
//!   splits its year-0 cost across two fiscal years, and a shift that crosses a fiscal-year
//!   boundary moves the corresponding quarters' cost into the next fiscal year.
//! * Cost or demand that falls after the horizon is not constrained (there is no budget or
//!   capacity for it); [`Problem::option_cost_per_year`] reports only in-horizon years.

/// Whether the decision maker forces a candidate in or out of the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Force {
    /// The optimizer decides.
    #[default]
    Free,
    /// Must be selected (mandatory / force-in); the result is infeasible if that is impossible.
    In,
    /// Must not be selected (force-out).
    Out,
}

/// Capacity needed by a candidate for one role in one quarter relative to its start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    /// Index into [`Problem::roles`].
    pub role: usize,
    /// Quarter offset from the candidate's (possibly shifted) start.
    pub quarter: usize,
    /// Amount needed (same unit as the capacity, e.g. FTE).
    pub amount: f64,
}

/// A proposal or active project that may be selected.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Candidate {
    /// Display name (used only in diagnostics).
    pub name: String,
    /// Value contributed when selected (e.g. a risk-adjusted score); larger is better.
    pub value: f64,
    /// Earliest start quarter within the horizon (0-based). Active projects use their actual
    /// position and `max_shift = 0`.
    pub start_quarter: usize,
    /// The start may be delayed by up to this many quarters.
    pub max_shift: usize,
    /// Cost per year relative to the start, in minor currency units.
    pub cost_per_year: Vec<i64>,
    /// Capacity demand by role and relative quarter.
    pub demand: Vec<Demand>,
    /// Force-in / force-out.
    pub force: Force,
}

/// A logical link between two candidates (indices into [`Problem::candidates`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dependency {
    /// Selecting `dependent` requires selecting `prerequisite`, and (when
    /// [`SolveOptions::requires_timing`] is on) the prerequisite must start no later than the
    /// dependent.
    Requires {
        /// The candidate that needs the other one.
        dependent: usize,
        /// The candidate that must also be selected.
        prerequisite: usize,
    },
    /// At most one of the two may be selected.
    Excludes(usize, usize),
}

/// A complete portfolio selection problem.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problem {
    /// Number of fiscal years in the horizon (quarters = 4 × this).
    pub fiscal_years: usize,
    /// Budget cap per fiscal year in minor units (`i64::MAX` = unlimited).
    pub budget_per_year: Vec<i64>,
    /// Role / skill names.
    pub roles: Vec<String>,
    /// Capacity `[role][quarter]` (`f64::INFINITY` = unlimited; missing entries are unlimited).
    pub capacity: Vec<Vec<f64>>,
    /// The candidates.
    pub candidates: Vec<Candidate>,
    /// Requires / excludes links.
    pub dependencies: Vec<Dependency>,
}

impl Problem {
    /// Number of quarters in the horizon.
    pub fn quarters(&self) -> usize {
        self.fiscal_years * 4
    }

    /// Cost per in-horizon fiscal year of `candidate` when started `shift` quarters late,
    /// following the spreading rule in the module documentation.
    pub fn option_cost_per_year(&self, candidate: usize, shift: usize) -> Vec<i64> {
        let mut out = vec![0i64; self.fiscal_years];
        let Some(c) = self.candidates.get(candidate) else {
            return out;
        };
        let start = c.start_quarter + shift;
        for (k, &yearly) in c.cost_per_year.iter().enumerate() {
            for (i, part) in quarter_parts(yearly).into_iter().enumerate() {
                let fy = (start + 4 * k + i) / 4;
                if fy < self.fiscal_years {
                    out[fy] += part;
                }
            }
        }
        out
    }

    /// Capacity of `role` in `quarter` (unlimited when not given).
    pub fn capacity_of(&self, role: usize, quarter: usize) -> f64 {
        self.capacity
            .get(role)
            .and_then(|r| r.get(quarter))
            .copied()
            .unwrap_or(f64::INFINITY)
    }

    /// Budget of fiscal year `fy` (unlimited when not given).
    pub fn budget_of(&self, fy: usize) -> i64 {
        self.budget_per_year.get(fy).copied().unwrap_or(i64::MAX)
    }

    /// The same problem with every finite budget cap multiplied by `factor` (rounded down).
    pub fn with_budget_scaled(&self, factor: f64) -> Problem {
        let mut p = self.clone();
        for b in &mut p.budget_per_year {
            if *b != i64::MAX {
                *b = ((*b as f64) * factor).floor().max(0.0) as i64;
            }
        }
        p
    }
}

/// Splits a yearly amount into four quarterly parts summing exactly to it; the remainder goes to
/// the earliest quarters so that spreading is deterministic.
pub(crate) fn quarter_parts(yearly: i64) -> [i64; 4] {
    let base = yearly.div_euclid(4);
    let rem = yearly.rem_euclid(4);
    let mut parts = [base; 4];
    for p in parts.iter_mut().take(rem as usize) {
        *p += 1;
    }
    parts
}

/// Tuning and work limits of the optimizer. All limits are counts, so results are deterministic.
///
/// A simplex pivot costs roughly 0.02 ms (60 candidates) to 0.15 ms (300 candidates, 20 roles ×
/// 12 quarters) of CPU time. At 300 candidates the root (about 2 000 pivots of cut rounds, plus
/// roughly 1 s of CPU in the primal heuristics, which scale down with the limit) dominates small
/// budgets; interactive callers should pass an `iteration_limit` that fits their latency
/// budget (e.g. 15 000 for ~3 s of CPU at 300 candidates) and show the returned gap.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Stop after this many branch-and-bound nodes (status [`Status::LimitReached`]).
    pub node_limit: u64,
    /// Stop after this many simplex pivots in total.
    pub iteration_limit: u64,
    /// A node is pruned when its bound does not exceed the incumbent by more than
    /// `max(absolute_tolerance, relative_tolerance × |incumbent|)`.
    pub relative_tolerance: f64,
    /// See `relative_tolerance` (value units).
    pub absolute_tolerance: f64,
    /// Fraction of a candidate's value lost per quarter of delay (0 = shifting is free).
    pub shift_penalty: f64,
    /// Whether a prerequisite must start no later than its dependent.
    pub requires_timing: bool,
    /// Compute, for each excluded candidate, what kept it out.
    pub explain: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            node_limit: 1_000_000,
            iteration_limit: 2_000_000,
            relative_tolerance: 1e-9,
            absolute_tolerance: 1e-9,
            shift_penalty: 0.0,
            requires_timing: true,
            explain: true,
        }
    }
}

/// Outcome of an optimization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The selection is optimal (within the tolerances of [`SolveOptions`]).
    Optimal,
    /// A node or iteration limit stopped the search; `bound` and `gap` say how far from proven.
    LimitReached,
    /// The forced-in items (with their dependencies) cannot fit; no selection is returned.
    Infeasible,
}

/// One selected candidate and its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen {
    /// Index into [`Problem::candidates`].
    pub candidate: usize,
    /// Quarters of delay applied.
    pub shift: usize,
    /// Resulting start quarter (`start_quarter + shift`).
    pub start_quarter: usize,
}

/// Why an excluded candidate is not in the selection.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Forced out by the decision maker.
    ForcedOut,
    /// Its value is not positive, so selecting it cannot help.
    NoValue,
    /// Adding it would exceed the budget of fiscal year `year` by `excess` minor units.
    /// `alone` is true when it exceeds the cap even on its own.
    Budget {
        /// Fiscal year index.
        year: usize,
        /// Amount over the cap.
        excess: i64,
        /// Exceeds the cap even if nothing else were selected.
        alone: bool,
    },
    /// Adding it would exceed the capacity of `role` in `quarter` by `excess`.
    Capacity {
        /// Role index.
        role: usize,
        /// Quarter index.
        quarter: usize,
        /// Amount over the capacity.
        excess: f64,
        /// Exceeds the capacity even if nothing else were selected.
        alone: bool,
    },
    /// It excludes the selected candidate `other`.
    Excludes {
        /// The conflicting selected candidate.
        other: usize,
    },
    /// It requires `prerequisite`, which is not selected (or starts too late).
    Requires {
        /// The missing prerequisite.
        prerequisite: usize,
    },
    /// Forcing it in makes the problem infeasible (e.g. it conflicts with mandatory items).
    Infeasible,
}

/// Explanation for one excluded candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Exclusion {
    /// Index into [`Problem::candidates`].
    pub candidate: usize,
    /// The shift used for the explanation (the one with the fewest violations).
    pub shift: usize,
    /// The constraints it would violate if added to the optimal selection.
    pub reasons: Vec<Reason>,
    /// Lower bound on the value lost by forcing it in (from the LP relaxation), if computed.
    pub value_loss_at_least: Option<f64>,
    /// Upper bound on the value lost by forcing it in (from a repair heuristic), if one was found.
    pub value_loss_at_most: Option<f64>,
}

/// A note about the input or the run (bad indices, ignored entries, infeasibility causes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Candidate concerned, if any.
    pub candidate: Option<usize>,
    /// Human-readable message.
    pub message: String,
}

/// Result of [`crate::optimize`].
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// Proof status.
    pub status: Status,
    /// Total value of the selection (with shift penalties applied).
    pub objective: f64,
    /// Best proven upper bound on the objective.
    pub bound: f64,
    /// Relative gap `(bound − objective) / max(|objective|, 1)`; 0 when optimal.
    pub gap: f64,
    /// Selected candidates (ascending index) with their starts.
    pub selected: Vec<Chosen>,
    /// Spend per fiscal year of the selection.
    pub cost_per_year: Vec<i64>,
    /// Capacity use `[role][quarter]` of the selection.
    pub capacity_use: Vec<Vec<f64>>,
    /// Excluded candidates and why (empty unless [`SolveOptions::explain`]).
    pub exclusions: Vec<Exclusion>,
    /// Notes about input problems and infeasibility.
    pub diagnostics: Vec<Diagnostic>,
    /// Branch-and-bound nodes solved.
    pub nodes: u64,
    /// Simplex pivots performed.
    pub iterations: u64,
}

impl Solution {
    /// Whether `candidate` is selected.
    pub fn is_selected(&self, candidate: usize) -> bool {
        self.selected.iter().any(|c| c.candidate == candidate)
    }
}
