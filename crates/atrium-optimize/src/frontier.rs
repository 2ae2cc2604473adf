//! Efficient frontier: optimal value against a scaled budget, solved in increasing budget order
//! with each point warm-started from the previous optimum, so value never decreases.

use crate::bnb::optimize_from;
use crate::model::{Chosen, Problem, SolveOptions, Status};

/// One point of the efficient frontier.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierPoint {
    /// Multiplier applied to every finite yearly budget cap.
    pub budget_factor: f64,
    /// The scaled caps.
    pub budget_per_year: Vec<i64>,
    /// Sum of the scaled caps (finite years only).
    pub total_budget: i64,
    /// Optimal value at this budget.
    pub value: f64,
    /// Total spend of the selection (all in-horizon years).
    pub spent: i64,
    /// Proof status of this point.
    pub status: Status,
    /// Remaining relative gap of this point (0 when optimal).
    pub gap: f64,
    /// Selection at this point.
    pub selected: Vec<Chosen>,
    /// Branch-and-bound nodes used.
    pub nodes: u64,
}

/// `points` budget factors evenly spaced from `low` to `high` (inclusive).
pub fn budget_factors(points: usize, low: f64, high: f64) -> Vec<f64> {
    match points {
        0 => Vec::new(),
        1 => vec![high],
        _ => (0..points)
            .map(|i| low + (high - low) * i as f64 / (points - 1) as f64)
            .collect(),
    }
}

/// Solves the problem for each budget factor (sorted ascending). Capacity, dependencies and
/// forcing are unchanged; explanations are skipped. Because a larger budget keeps the previous
/// optimum feasible and it is passed as the starting incumbent, the values are non-decreasing
/// by construction (also when a point stops at a limit).
pub fn efficient_frontier(
    problem: &Problem,
    options: &SolveOptions,
    factors: &[f64],
) -> Vec<FrontierPoint> {
    let mut fs: Vec<f64> = factors.iter().copied().filter(|f| f.is_finite()).collect();
    fs.sort_by(f64::total_cmp);
    let mut opts = options.clone();
    opts.explain = false;
    let mut out: Vec<FrontierPoint> = Vec::with_capacity(fs.len());
    let mut prev: Vec<Chosen> = Vec::new();
    for f in fs {
        let scaled = problem.with_budget_scaled(f.max(0.0));
        let sol = optimize_from(&scaled, &opts, &prev);
        if sol.status != Status::Infeasible {
            prev = sol.selected.clone();
        }
        out.push(FrontierPoint {
            budget_factor: f,
            total_budget: scaled
                .budget_per_year
                .iter()
                .filter(|&&b| b != i64::MAX)
                .sum(),
            budget_per_year: scaled.budget_per_year,
            value: sol.objective,
            spent: sol.cost_per_year.iter().sum(),
            status: sol.status,
            gap: sol.gap,
            selected: sol.selected,
            nodes: sol.nodes,
        });
    }
    out
}
