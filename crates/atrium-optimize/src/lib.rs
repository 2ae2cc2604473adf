//! Portfolio selection engine: choose the proposals and projects that maximize value under budget, capacity and dependency constraints (pure, deterministic).
//!
//! * [`ahp`] — driver weights from pairwise comparisons (principal eigenvector, consistency
//!   ratio, most conflicting judgements).
//! * [`scoring`] — weighted and risk-adjusted scores, value per cost, explained ranking.
//! * [`finance`] — NPV, IRR, payback period.
//! * [`optimize`] — exact selection (LP-based branch-and-bound) under yearly budgets, quarterly
//!   role capacities with start shifts, requires/excludes links and force-in/out, with an
//!   explanation for every excluded candidate; [`efficient_frontier`] — value against budget.
//! * [`generate`] — seeded instances for tests and benchmarks: PMO-shaped ([`generate::realistic`])
//!   and a stress family with jagged demand on every capacity row ([`generate::hard`]).
//!
//! Money is integer minor units (`i64`); values and capacities are `f64`. No I/O, no clock, no
//! randomness other than explicit seeds.
//!
//! # Optimization model
//!
//! One binary variable per (candidate, start shift); at most one per candidate (exactly one when
//! forced in). Rows: budget per fiscal year (cost spread per quarter and moved with the shift,
//! see [`Problem`]), capacity per role and quarter, `requires` per dependent option (a
//! prerequisite option starting no later must be selected), `excludes` as a pair packing row.
//! Options that cannot fit even alone, forced-out candidates and options whose prerequisites
//! can never be met are removed first; budget/capacity rows that can never bind are dropped.
//!
//! The search is exact: LP relaxation by a bounded dual simplex (warm-started at every node),
//! strengthened at the root by rounds of GUB-aware extended cover inequalities on the budget
//! and capacity rows (cuts that end slack are purged), best-bound search with depth-first dives
//! and pseudo-cost branching, reduced-cost fixing, and primal heuristics (LP-guided and
//! dual-price greedy from every cut round's LP point, swap, re-shift and ejection local search,
//! RINS). Work limits are counts ([`SolveOptions`]); when one is hit the result says
//! [`Status::LimitReached`] with the proven bound and gap.

pub mod ahp;
mod bnb;
mod explain;
pub mod finance;
mod frontier;
pub mod generate;
mod lp;
mod model;
mod prep;
pub mod scoring;
pub mod text;

pub use bnb::{optimize, optimize_from};
pub use frontier::{FrontierPoint, budget_factors, efficient_frontier};
pub use model::{
    Candidate, Chosen, Demand, Dependency, Diagnostic, Exclusion, Force, Problem, Reason, Solution,
    SolveOptions, Status,
};
