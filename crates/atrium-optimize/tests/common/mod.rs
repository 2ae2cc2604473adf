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
/// (out, or each shift). A branch is cut only when a constraint among already-decided
/// candidates is broken (budget/capacity use only grows; dependency checks look only at decided
/// pairs), so no feasible selection is ever skipped; every leaf that beats the best is
/// re-checked with [`evaluate`].
pub fn brute_force(p: &Problem, timing: bool) -> Option<f64> {
    let n = p.candidates.len();
    let mut b = Brute {
        p,
        timing,
        costs: (0..n)
            .map(|c| {
                (0..=p.candidates[c].max_shift)
                    .map(|s| cost_by_year(p, c, s))
                    .collect()
            })
            .collect(),
        dems: (0..n)
            .map(|c| {
                (0..=p.candidates[c].max_shift)
                    .map(|s| demand_abs(p, c, s))
                    .collect()
            })
            .collect(),
        sel: vec![None; n],
        spent: vec![0i64; p.fiscal_years],
        used: vec![vec![0.0f64; p.quarters()]; p.roles.len()],
        best: None,
    };
    b.rec(0, 0.0);
    b.best
}

struct Brute<'a> {
    p: &'a Problem,
    timing: bool,
    costs: Vec<Vec<Vec<i64>>>,
    dems: Vec<Vec<Vec<(usize, usize, f64)>>>,
    sel: Vec<Option<usize>>,
    spent: Vec<i64>,
    used: Vec<Vec<f64>>,
    best: Option<f64>,
}

impl Brute<'_> {
    fn start(&self, c: usize, s: usize) -> usize {
        self.p.candidates[c].start_quarter + s
    }

    /// Dependencies between candidate `i` (choice `s`) and the already-decided `j < i` hold.
    fn deps_ok(&self, i: usize, s: Option<usize>) -> bool {
        for d in &self.p.dependencies {
            match *d {
                Dependency::Requires {
                    dependent,
                    prerequisite,
                } => {
                    let (a, b) = (dependent, prerequisite);
                    let (sa, sb) = if a == i && b < i {
                        (s, self.sel[b])
                    } else if b == i && a < i {
                        (self.sel[a], s)
                    } else {
                        continue;
                    };
                    if let Some(sa) = sa {
                        match sb {
                            None => return false,
                            Some(sb) => {
                                if self.timing && self.start(b, sb) > self.start(a, sa) {
                                    return false;
                                }
                            }
                        }
                    }
                }
                Dependency::Excludes(a, b) => {
                    let other = if a == i && b < i {
                        b
                    } else if b == i && a < i {
                        a
                    } else {
                        continue;
                    };
                    if s.is_some() && self.sel[other].is_some() {
                        return false;
                    }
                }
            }
        }
        true
    }

    fn rec(&mut self, i: usize, value: f64) {
        let p = self.p;
        if i == self.sel.len() {
            if self.best.is_none_or(|b| value > b)
                && let Ok(v) = evaluate(p, &self.sel, self.timing)
            {
                self.best = Some(v);
            }
            return;
        }
        if p.candidates[i].force != Force::In && self.deps_ok(i, None) {
            self.sel[i] = None;
            self.rec(i + 1, value);
        }
        if p.candidates[i].force == Force::Out {
            return;
        }
        for s in 0..=p.candidates[i].max_shift {
            if !self.deps_ok(i, Some(s)) {
                continue;
            }
            let mut ok = true;
            for (y, &c) in self.costs[i][s].iter().enumerate() {
                self.spent[y] += c;
                if self.spent[y] > p.budget_per_year[y] {
                    ok = false;
                }
            }
            for &(r, q, a) in &self.dems[i][s] {
                self.used[r][q] += a;
                let c = cap(p, r, q);
                if self.used[r][q] > c + 1e-9 * c.abs().max(1.0) {
                    ok = false;
                }
            }
            if ok {
                self.sel[i] = Some(s);
                self.rec(i + 1, value + p.candidates[i].value);
                self.sel[i] = None;
            }
            for (y, &c) in self.costs[i][s].iter().enumerate() {
                self.spent[y] -= c;
            }
            for &(r, q, a) in &self.dems[i][s] {
                self.used[r][q] -= a;
            }
        }
    }
}
