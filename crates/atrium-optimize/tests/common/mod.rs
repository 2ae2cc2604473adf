//! Shared test helpers: an independent evaluator and an exhaustive solver written directly from
//! the documented model semantics (not from the engine's internals).

#![allow(dead_code)]

use atrium_optimize::{Chosen, Dependency, Force, Problem};

/// Cost per fiscal year of one candidate at one shift: each yearly amount is split into four
/// quarterly parts (remainder to the earliest quarters) and summed by fiscal year.
pub fn cost_by_year(p: &Problem, c: usize, shift: usize) -> Vec<i64> {
    let cand = &p.candidates[c];
    let mut out = vec![0i64; p.fiscal_years];
    let start = cand.start_quarter + shift;
    for (k, &y) in cand.cost_per_year.iter().enumerate() {
        let base = y.div_euclid(4);
        let rem = y.rem_euclid(4);
        for i in 0..4 {
            let part = base + if (i as i64) < rem { 1 } else { 0 };
            let fy = (start + 4 * k + i) / 4;
            if fy < p.fiscal_years {
                out[fy] += part;
            }
        }
    }
    out
}

/// Demand `[(role, quarter, amount)]` in absolute in-horizon quarters.
pub fn demand_abs(p: &Problem, c: usize, shift: usize) -> Vec<(usize, usize, f64)> {
    let cand = &p.candidates[c];
    cand.demand
        .iter()
        .filter_map(|d| {
            let q = cand.start_quarter + shift + d.quarter;
            (q < p.quarters() && d.role < p.roles.len()).then_some((d.role, q, d.amount))
        })
        .collect()
}

fn cap(p: &Problem, r: usize, q: usize) -> f64 {
    p.capacity
        .get(r)
        .and_then(|x| x.get(q))
        .copied()
        .unwrap_or(f64::INFINITY)
}

/// Checks every constraint of a selection; returns the value or a description of the violation.
pub fn evaluate(p: &Problem, sel: &[Option<usize>], timing: bool) -> Result<f64, String> {
    let mut spent = vec![0i64; p.fiscal_years];
    let mut used = vec![vec![0.0f64; p.quarters()]; p.roles.len()];
    let mut value = 0.0;
    for (c, s) in sel.iter().enumerate() {
        let cand = &p.candidates[c];
        match s {
            None if cand.force == Force::In => return Err(format!("{c} forced in but out")),
            Some(_) if cand.force == Force::Out => return Err(format!("{c} forced out but in")),
            Some(s) if *s > cand.max_shift => return Err(format!("{c} shift too large")),
            _ => {}
        }
        if let Some(s) = *s {
            value += cand.value;
            for (y, v) in cost_by_year(p, c, s).into_iter().enumerate() {
                spent[y] += v;
            }
            for (r, q, a) in demand_abs(p, c, s) {
                used[r][q] += a;
            }
        }
    }
    for (y, &v) in spent.iter().enumerate() {
        if v > p.budget_per_year[y] {
            return Err(format!("budget year {y}"));
        }
    }
    for (r, row) in used.iter().enumerate() {
        for (q, &u) in row.iter().enumerate() {
            let c = cap(p, r, q);
            if u > c + 1e-9 * c.abs().max(1.0) {
                return Err(format!("capacity {r} {q}"));
            }
        }
    }
    for d in &p.dependencies {
        match *d {
            Dependency::Requires {
                dependent,
                prerequisite,
            } => {
                if let Some(sa) = sel[dependent] {
                    let Some(sb) = sel[prerequisite] else {
                        return Err(format!("{dependent} requires {prerequisite}"));
                    };
                    let start_a = p.candidates[dependent].start_quarter + sa;
                    let start_b = p.candidates[prerequisite].start_quarter + sb;
                    if timing && start_b > start_a {
                        return Err(format!("{prerequisite} starts after {dependent}"));
                    }
                }
            }
            Dependency::Excludes(a, b) => {
                if sel[a].is_some() && sel[b].is_some() {
                    return Err(format!("{a} excludes {b}"));
                }
            }
        }
    }
    Ok(value)
}

/// Turns a solver selection into the per-candidate form used by [`evaluate`].
pub fn as_assignment(p: &Problem, chosen: &[Chosen]) -> Vec<Option<usize>> {
    let mut sel = vec![None; p.candidates.len()];
    for c in chosen {
        sel[c.candidate] = Some(c.shift);
    }
    sel
}

/// Exhaustive optimum (None when infeasible): depth-first over every candidate's choices
/// (out, or each shift), cutting only branches whose budget or capacity is already exceeded
/// (costs and demands are non-negative, so such branches can never recover).
pub fn brute_force(p: &Problem, timing: bool) -> Option<f64> {
    let n = p.candidates.len();
    let costs: Vec<Vec<Vec<i64>>> = (0..n)
        .map(|c| {
            (0..=p.candidates[c].max_shift)
                .map(|s| cost_by_year(p, c, s))
                .collect()
        })
        .collect();
    let dems: Vec<Vec<Vec<(usize, usize, f64)>>> = (0..n)
        .map(|c| {
            (0..=p.candidates[c].max_shift)
                .map(|s| demand_abs(p, c, s))
                .collect()
        })
        .collect();
    let mut sel = vec![None; n];
    let mut spent = vec![0i64; p.fiscal_years];
    let mut used = vec![vec![0.0f64; p.quarters()]; p.roles.len()];
    let mut best: Option<f64> = None;
    #[allow(clippy::too_many_arguments)]
    fn rec(
        p: &Problem,
        timing: bool,
        i: usize,
        costs: &[Vec<Vec<i64>>],
        dems: &[Vec<Vec<(usize, usize, f64)>>],
        sel: &mut Vec<Option<usize>>,
        spent: &mut Vec<i64>,
        used: &mut Vec<Vec<f64>>,
        best: &mut Option<f64>,
    ) {
        if i == sel.len() {
            if let Ok(v) = evaluate(p, sel, timing)
                && best.is_none_or(|b| v > b)
            {
                *best = Some(v);
            }
            return;
        }
        if p.candidates[i].force != Force::In {
            sel[i] = None;
            rec(p, timing, i + 1, costs, dems, sel, spent, used, best);
        }
        if p.candidates[i].force == Force::Out {
            return;
        }
        for s in 0..=p.candidates[i].max_shift {
            let mut ok = true;
            for (y, &c) in costs[i][s].iter().enumerate() {
                spent[y] += c;
                if spent[y] > p.budget_per_year[y] {
                    ok = false;
                }
            }
            for &(r, q, a) in &dems[i][s] {
                used[r][q] += a;
                let c = cap(p, r, q);
                if used[r][q] > c + 1e-9 * c.abs().max(1.0) {
                    ok = false;
                }
            }
            if ok {
                sel[i] = Some(s);
                rec(p, timing, i + 1, costs, dems, sel, spent, used, best);
                sel[i] = None;
            }
            for (y, &c) in costs[i][s].iter().enumerate() {
                spent[y] -= c;
            }
            for &(r, q, a) in &dems[i][s] {
                used[r][q] -= a;
            }
        }
    }
    rec(
        p, timing, 0, &costs, &dems, &mut sel, &mut spent, &mut used, &mut best,
    );
    best
}
