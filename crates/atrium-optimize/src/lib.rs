//! Portfolio selection engine: choose the proposals and projects that maximize value under budget, capacity and dependency constraints (pure, deterministic).
//!
//! * [`ahp`] — driver weights from pairwise comparisons (principal eigenvector, consistency
//!   ratio, most conflicting judgements).
//! * [`scoring`] — weighted and risk-adjusted scores, value per cost, explained ranking.
//! * [`finance`] — NPV, IRR, payback period.
//! * [`optimize`] — exact selection (LP-based branch-and-bound) under yearly budgets, quarterly
//!   role capacities with start shifts, requires/excludes links and force-in/out, with an
//!   explanation for every excluded candidate; [`efficient_frontier`] — value against budget.
//! * [`generate`] — seeded realistic instances for tests and benchmarks.
//!
//! Money is integer minor units (`i64`); values and capacities are `f64`. No I/O, no clock, no
//! randomness other than explicit seeds.

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
