//! Why each excluded candidate is out: the constraints it would break if added to the optimal
//! selection, plus cheap bounds on the value lost by forcing it in (an LP re-solve from the root
//! basis for the lower bound, a greedy repair for the upper bound).

use crate::bnb::Root;
use crate::lp::{LpStatus, Simplex};
use crate::model::{Exclusion, Force, Problem, Reason, SolveOptions};
use crate::prep::{LpModel, Model, State};

/// Pivot budget per explanation LP, to keep explanations cheap.
const EXPLAIN_PIVOTS: u64 = 400;

pub(crate) fn explain(
    m: &Model,
    lpm: &LpModel,
    best: &State,
    root: Option<&Root>,
    _opts: &SolveOptions,
    problem: &Problem,
) -> Vec<Exclusion> {
    let nc = m.cand_opts.len();
    // The root basis, extended by the rows the search added after the root.
    let spx = root.map(|r| {
        let mut s = r.spx.clone();
        s.add_rows(&lpm.lp);
        s
    });
    let excluded: Vec<usize> = (0..nc).filter(|&c| best.chosen[c].is_none()).collect();
    // Two fixed chains (alternate excluded candidates), each re-solving from its own copy of
    // the root basis, on two threads: the result does not depend on scheduling.
    let chain = |part: usize, mut spx: Option<Simplex>| -> Vec<Exclusion> {
        excluded
            .iter()
            .skip(part)
            .step_by(2)
            .filter_map(|&c| explain_one(m, lpm, best, spx.as_mut(), c))
            .collect()
    };
    let (first, second) = std::thread::scope(|s| {
        let spx2 = spx.clone();
        let h = s.spawn(move || chain(1, spx2));
        let first = chain(0, spx);
        (
            first,
            h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    });
    let _ = problem;
    let mut out: Vec<Exclusion> = first.into_iter().chain(second).collect();
    out.sort_by_key(|e| e.candidate);
    out
}

/// The explanation of one excluded candidate `c`; `spx` is a warm LP basis to re-solve from.
fn explain_one(
    m: &Model,
    lpm: &LpModel,
    best: &State,
    mut spx: Option<&mut Simplex>,
    c: usize,
) -> Option<Exclusion> {
    let objective = best.value;
    let all: Vec<usize> = (0..m.opts.len()).filter(|&o| m.opts[o].cand == c).collect();
    if m.force[c] == Force::Out {
        return Some(Exclusion {
            candidate: c,
            shift: 0,
            reasons: vec![Reason::ForcedOut],
            value_loss_at_least: None,
            value_loss_at_most: None,
        });
    }
    if m.values[c] <= 0.0 {
        return Some(Exclusion {
            candidate: c,
            shift: 0,
            reasons: vec![Reason::NoValue],
            value_loss_at_least: Some(0.0),
            value_loss_at_most: None,
        });
    }
    // The shift whose addition breaks the fewest constraints (earliest on ties).
    let mut pick: Option<(usize, Vec<Reason>)> = None;
    for &o in &all {
        let v = best.violations(o);
        if pick.as_ref().is_none_or(|(_, pv)| v.len() < pv.len()) {
            pick = Some((o, v));
        }
    }
    let (o, reasons) = pick?;
    let shift = m.opts[o].shift;
    // LP lower bound on the loss: best LP value with some live option forced to 1.
    let mut loss_lb = None;
    let mut lp_infeasible = true;
    if let Some(s) = spx.as_deref_mut() {
        let mut best_bound = f64::NEG_INFINITY;
        let mut complete = true;
        for &oo in &m.cand_opts[c] {
            let k = lpm.col_of[oo];
            let (l0, u0) = (s.lb[k], s.ub[k]);
            s.lb[k] = 1.0;
            s.ub[k] = 1.0;
            match s.solve(&lpm.lp, EXPLAIN_PIVOTS) {
                LpStatus::Optimal => {
                    best_bound = best_bound.max(-s.objective(&lpm.lp) / lpm.scale);
                    lp_infeasible = false;
                }
                LpStatus::Infeasible => {}
                LpStatus::IterationLimit => {
                    complete = false;
                    lp_infeasible = false;
                }
            }
            s.lb[k] = l0;
            s.ub[k] = u0;
        }
        if complete && best_bound.is_finite() {
            loss_lb = Some((objective - best_bound).max(0.0));
        }
    }
    let mut reasons = reasons;
    if m.cand_opts[c].is_empty() || (spx.is_some() && lp_infeasible) {
        if reasons.is_empty() {
            reasons.push(Reason::Infeasible);
        }
        loss_lb = None;
    }
    let loss_ub = repair(m, best, c).map(|v| (objective - v).max(0.0));
    Some(Exclusion {
        candidate: c,
        shift,
        reasons,
        value_loss_at_least: loss_lb,
        value_loss_at_most: loss_ub,
    })
}

/// Forces candidate `c` into a copy of the selection by removing the least valuable removable
/// candidates that stand in its way, then refills greedily. Returns the new total value.
fn repair(m: &Model, best: &State, c: usize) -> Option<f64> {
    let mut result: Option<f64> = None;
    for &o in &m.cand_opts[c] {
        let mut st = best.clone();
        for &b in &m.excludes[c] {
            if st.chosen[b].is_some() {
                if !st.can_remove(b) {
                    continue;
                }
                st.remove(b);
            }
        }
        let mut guard = 0;
        while !st.try_add(o, 3) && guard < m.cand_opts.len() {
            guard += 1;
            // Remove the least valuable removable candidate that uses a violated resource.
            let viol = st.violations(o);
            let mut victim: Option<(f64, usize)> = None;
            for (cc, ch) in st.chosen.iter().enumerate() {
                let Some(oc) = *ch else { continue };
                if !st.can_remove(cc) {
                    continue;
                }
                let op = &m.opts[oc];
                let overlaps = viol.iter().any(|r| match r {
                    Reason::Budget { year, .. } => op.cost.iter().any(|e| e.0 == *year),
                    Reason::Capacity { role, quarter, .. } => {
                        let k = role * m.quarters + quarter;
                        op.demand.iter().any(|e| e.0 == k)
                    }
                    Reason::Excludes { other } => *other == cc,
                    _ => false,
                });
                if overlaps && victim.is_none_or(|(v, _)| op.value < v) {
                    victim = Some((op.value, cc));
                }
            }
            match victim {
                Some((_, cc)) => st.remove(cc),
                None => break,
            }
        }
        if st.chosen[c] != Some(o) {
            continue;
        }
        // Refill by value.
        let mut order: Vec<usize> = m.cand_opts.iter().flatten().copied().collect();
        order.sort_by(|&a, &b| m.opts[b].value.total_cmp(&m.opts[a].value).then(a.cmp(&b)));
        for &oo in &order {
            if m.opts[oo].value > 0.0 && st.chosen[m.opts[oo].cand].is_none() {
                st.try_add(oo, 2);
            }
        }
        if st.is_feasible() && result.is_none_or(|v| st.value > v) {
            result = Some(st.value);
        }
    }
    result
}
