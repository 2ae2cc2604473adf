//! Efficient frontier: optimal value against a scaled budget, solved in increasing budget order
//! as two deterministic chains on two threads, each point warm-started from the previous
//! optimum, with a final pass that keeps the value non-decreasing and one that carries bounds
//! down to smaller budgets.

use crate::bnb::solve_with;
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
/// forcing are unchanged; explanations are skipped.
///
/// The points are solved as two chains (the lower and the upper half of the factors) on two
/// threads; within a chain each point starts from the previous point's optimum. A larger budget
/// keeps a smaller budget's selection feasible, so a final pass carries a better selection
/// forward where a point fell short of its predecessor (possible only at a limit): the values
/// are non-decreasing, and the result does not depend on scheduling (each chain is
/// deterministic and the split is fixed).
pub fn efficient_frontier(
    problem: &Problem,
    options: &SolveOptions,
    factors: &[f64],
) -> Vec<FrontierPoint> {
    let mut fs: Vec<f64> = factors.iter().copied().filter(|f| f.is_finite()).collect();
    fs.sort_by(f64::total_cmp);
    let mut opts = options.clone();
    opts.explain = false;
    let (low, high) = fs.split_at(fs.len() / 2);
    let (mut out, upper) = std::thread::scope(|s| {
        let handle = s.spawn(|| chain(problem, &opts, high));
        let lower = chain(problem, &opts, low);
        let upper = handle
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (lower, upper)
    });
    out.extend(upper);
    let mut prev: Option<FrontierPoint> = None;
    for pt in out.iter_mut() {
        if pt.status == Status::Infeasible {
            continue;
        }
        if let Some(pv) = &prev
            && pv.value > pt.value
        {
            let bound = pt.value + pt.gap * pt.value.abs().max(1.0);
            pt.value = pv.value;
            pt.spent = pv.spent;
            pt.selected = pv.selected.clone();
            pt.gap = ((bound - pt.value) / pt.value.abs().max(1.0)).max(0.0);
        }
        prev = Some(pt.clone());
    }
    // A smaller budget cannot do better than a larger one, so a point's bound is also a bound
    // for every point before it: tighten the gaps from the top down (a point whose bound meets
    // its value is then proven optimal).
    let mut upper = f64::INFINITY;
    for pt in out.iter_mut().rev() {
        if pt.status == Status::Infeasible {
            continue;
        }
        let scale = pt.value.abs().max(1.0);
        let tol = options
            .absolute_tolerance
            .max(options.relative_tolerance * pt.value.abs());
        // An optimal point is optimal within the tolerance.
        let own = if pt.status == Status::Optimal {
            pt.value + tol
        } else {
            pt.value + pt.gap * scale
        };
        let bound = own.min(upper);
        upper = bound;
        if pt.status == Status::Optimal {
            continue;
        }
        pt.gap = ((bound - pt.value) / scale).max(0.0);
        if bound <= pt.value + tol {
            pt.status = Status::Optimal;
            pt.gap = 0.0;
        }
    }
    out
}

/// Solves the factors in order, each point warm-started from the previous optimum.
fn chain(problem: &Problem, opts: &SolveOptions, fs: &[f64]) -> Vec<FrontierPoint> {
    let mut out: Vec<FrontierPoint> = Vec::with_capacity(fs.len());
    let mut prev: Vec<Chosen> = Vec::new();
    for &f in fs {
        let scaled = problem.with_budget_scaled(f.max(0.0));
        let sol = solve_with(&scaled, opts, &prev, false);
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
