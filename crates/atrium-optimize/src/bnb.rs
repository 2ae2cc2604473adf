//! Exact portfolio selection by LP-based branch-and-bound: root cover cuts (warm-started
//! rounds, slack cuts purged), primal heuristics (LP-guided greedy, dual-price greedy, swap and
//! ejection improvement, from every cut round's LP point), then a depth-first dive with
//! best-bound backtracking, warm-started dual simplex at every node, and reduced-cost variable
//! fixing (globally from the root LP whenever the incumbent improves, locally at every node).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::explain::explain;
use crate::lp::LpData;
use crate::lp::{LpStatus, Simplex};
use crate::model::{Chosen, Diagnostic, Force, Problem, Solution, SolveOptions, Status};
use crate::prep::{Cut, LpModel, Model, State, cap_tol};

const INT_TOL: f64 = 1e-6;
/// Node budget of the neighbourhood search run before the full search.
const RINS_NODES: u64 = 100;
/// Nodes of the full search after which the iterated-greedy helper's selection is taken in.
const HELPER_NODES: u64 = 100;
/// Rounds of cover-cut separation at the root, and cuts added per round.
const CUT_ROUNDS: usize = 12;
/// Iterated-greedy rounds run from the incumbent at the root (at most; one per
/// `PERTURB_PIVOTS` of the pivot limit, so small budgets stay fast).
const PERTURB_ROUNDS: u64 = 30;
const PERTURB_PIVOTS: u64 = 500;
const CUTS_PER_ROUND: usize = 60;

/// Finds the selection of maximum total value; see [`SolveOptions`] for limits and tolerances.
///
/// Never panics on a bad plan: invalid links are ignored with a diagnostic, and an impossible
/// set of force-ins yields [`Status::Infeasible`] with diagnostics naming the cause.
pub fn optimize(problem: &Problem, options: &SolveOptions) -> Solution {
    optimize_from(problem, options, &[])
}

/// Like [`optimize`], starting from a known selection (used as the first incumbent when it is
/// feasible for this problem; ignored otherwise). The efficient frontier uses this so that each
/// point starts from the previous point's optimum.
pub fn optimize_from(problem: &Problem, options: &SolveOptions, start: &[Chosen]) -> Solution {
    solve_with(problem, options, start, true)
}

/// [`optimize_from`]; `parallel` lets the root heuristics use a second thread (the efficient
/// frontier already runs two solves at once and passes false). The result does not depend on it.
pub(crate) fn solve_with(
    problem: &Problem,
    options: &SolveOptions,
    start: &[Chosen],
    parallel: bool,
) -> Solution {
    let model = Model::build(problem, options);
    let mut diagnostics = model.diagnostics.clone();
    if model.infeasible {
        return infeasible(problem, diagnostics, 0, 0);
    }
    let mut lpm = LpModel::build(&model);
    // Root cutting planes: cover inequalities from the budget and capacity rows, each round
    // warm-started from the previous basis (the new rows enter with basic slacks).
    let mut spx = Simplex::new(&lpm.lp, &lpm.lb, &lpm.ub);
    let mut cut_orders = Vec::new();
    for _round in 0..CUT_ROUNDS {
        let budget = (options.iteration_limit / 4).saturating_sub(spx.iterations);
        if spx.solve(&lpm.lp, budget) != LpStatus::Optimal {
            break;
        }
        cut_orders.push(heuristic_orders(&model, &lpm, &lpm.lp, &spx));
        let cuts = lpm.cover_cuts(&model, &spx.x, CUTS_PER_ROUND);
        if cuts.is_empty() {
            break;
        }
        lpm.add_rows(&cuts);
        spx.add_rows(&lpm.lp);
    }
    // Rows (model rows and cuts) that are slack at the root LP solution leave the LP: they
    // only slow the pivots down. They wait in a pool and come back as soon as an LP solution
    // violates them (see `Search::solve_lp`), so every bound is still the bound of the full LP.
    // Their slacks are basic, so the root basis stays optimal for the smaller LP.
    let n = lpm.cols.len();
    let keep: Vec<bool> = (0..lpm.lp.m)
        .map(|i| {
            let tol = 1e-7 * (1.0 + lpm.lp.b[i].abs());
            !spx.is_basic(n + i) || spx.x[n + i] <= tol
        })
        .collect();
    let lazy: Vec<Cut> = (0..lpm.lp.m)
        .filter(|&i| !keep[i])
        .map(|i| (lpm.lp.row(i).collect(), lpm.lp.b[i]))
        .collect();
    let lazy = if !lazy.is_empty() && spx.remove_rows(&keep) {
        lpm.lp = lpm.lp.keep_rows(&keep);
        lazy
    } else {
        Vec::new()
    };
    let mut search = Search::new(&model, &lpm, options);
    search.parallel = parallel;
    search.spx = spx;
    search.lazy_added = vec![false; lazy.len()];
    search.lazy = lazy;
    search.cut_orders = cut_orders;
    if !start.is_empty() {
        search.try_incumbent_from(start);
    }
    let outcome = search.run();
    let (nodes, iterations) = (search.nodes, search.spx.iterations);
    // Explanations re-solve from the root basis against the full LP: the rows the search
    // ended with plus the pool rows it never needed.
    let rest: Vec<Cut> = search
        .lazy
        .iter()
        .zip(&search.lazy_added)
        .filter(|&(_, &added)| !added)
        .map(|(row, _)| row.clone())
        .collect();
    let lpm = LpModel {
        lp: search.lp.with_rows(&rest),
        ..lpm.clone()
    };
    let Some(chosen) = search.incumbent.clone() else {
        if outcome == Outcome::Complete {
            diagnostics.push(Diagnostic {
                candidate: None,
                message: "the forced-in candidates and their prerequisites cannot fit together"
                    .to_string(),
            });
            return infeasible(problem, diagnostics, nodes, iterations);
        }
        diagnostics.push(Diagnostic {
            candidate: None,
            message: "limit reached before any feasible selection was found".to_string(),
        });
        let mut s = infeasible(problem, diagnostics, nodes, iterations);
        s.status = Status::LimitReached;
        s.bound = search.best_bound();
        s.gap = f64::INFINITY;
        return s;
    };
    let mut state = State::new(&model);
    for o in chosen.iter().flatten() {
        state.add(*o);
    }
    let objective: f64 = chosen.iter().flatten().map(|&o| model.opts[o].value).sum();
    let (status, bound) = match outcome {
        Outcome::Complete => (Status::Optimal, objective),
        Outcome::Limit => (Status::LimitReached, search.best_bound().max(objective)),
    };
    let exclusions = if options.explain {
        explain(&model, &lpm, &state, search.root.as_ref(), options, problem)
    } else {
        Vec::new()
    };
    let selected: Vec<Chosen> = chosen
        .iter()
        .flatten()
        .map(|&o| {
            let op = &model.opts[o];
            Chosen {
                candidate: op.cand,
                shift: op.shift,
                start_quarter: op.start,
            }
        })
        .collect();
    let q = model.quarters;
    let nroles = model.capacity.len().checked_div(q).unwrap_or(0);
    let capacity_use = (0..nroles)
        .map(|r| state.used[r * q..(r + 1) * q].to_vec())
        .collect();
    Solution {
        status,
        objective,
        bound,
        gap: ((bound - objective) / objective.abs().max(1.0)).max(0.0),
        selected,
        cost_per_year: state.spent.clone(),
        capacity_use,
        exclusions,
        diagnostics,
        nodes,
        iterations,
    }
}

fn infeasible(p: &Problem, diagnostics: Vec<Diagnostic>, nodes: u64, iterations: u64) -> Solution {
    Solution {
        status: Status::Infeasible,
        objective: 0.0,
        bound: 0.0,
        gap: 0.0,
        selected: Vec::new(),
        cost_per_year: vec![0; p.fiscal_years],
        capacity_use: Vec::new(),
        exclusions: Vec::new(),
        diagnostics,
        nodes,
        iterations,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Complete,
    Limit,
}

struct Node {
    bound: f64,
    seq: u64,
    fixes: Vec<(u32, bool)>,
    /// The branching that created this node: `(column, up, fractional part, parent bound)`,
    /// used to learn pseudo-costs once the node's LP is solved.
    branch: Option<(u32, bool, f64, f64)>,
}

impl PartialEq for Node {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Node {
    fn cmp(&self, o: &Self) -> Ordering {
        // Best bound first; among equals the most recent (deeper) node.
        self.bound.total_cmp(&o.bound).then(self.seq.cmp(&o.seq))
    }
}

/// Root LP information kept for global fixing and explanations.
pub(crate) struct Root {
    pub spx: Simplex,
    pub bound: f64,
}

/// A selection of the iterated-greedy helper: still being computed on the second thread, or
/// known.
enum Helper {
    Running(std::sync::Mutex<std::sync::mpsc::Receiver<Option<Vec<Option<usize>>>>>),
    Done(Option<Vec<Option<usize>>>),
}

struct Search<'a> {
    m: &'a Model,
    lpm: &'a LpModel,
    /// The LP as solved: `lpm.lp` plus the pool rows brought back so far.
    lp: LpData,
    /// Rows kept out of the LP until a solution violates them, and which are back.
    lazy: Vec<Cut>,
    lazy_added: Vec<bool>,
    /// Whether root heuristics may use a second thread (results do not depend on it).
    parallel: bool,
    /// The iterated-greedy helper (running on the second thread, or already done) and the
    /// node count at which the search takes its selection in.
    helper: Option<Helper>,
    helper_at: u64,
    opts: &'a SolveOptions,
    spx: Simplex,
    glb: Vec<f64>,
    gub: Vec<f64>,
    incumbent: Option<Vec<Option<usize>>>,
    inc_value: f64,
    nodes: u64,
    heap: BinaryHeap<Node>,
    seq: u64,
    root: Option<Root>,
    /// Pseudo-costs: bound degradation per unit change, summed, and counts (down, up).
    pc_sum: [Vec<f64>; 2],
    pc_n: [Vec<u32>; 2],
    /// Heuristic orders from the LP solutions of the cut rounds (tried at the root).
    cut_orders: Vec<[Vec<usize>; 3]>,
}

impl<'a> Search<'a> {
    fn new(m: &'a Model, lpm: &'a LpModel, opts: &'a SolveOptions) -> Search<'a> {
        Search {
            m,
            lpm,
            lp: lpm.lp.clone(),
            lazy: Vec::new(),
            lazy_added: Vec::new(),
            parallel: true,
            helper: None,
            helper_at: u64::MAX,
            opts,
            spx: Simplex::new(&lpm.lp, &lpm.lb, &lpm.ub),
            glb: lpm.lb.clone(),
            gub: lpm.ub.clone(),
            incumbent: None,
            inc_value: f64::NEG_INFINITY,
            nodes: 0,
            heap: BinaryHeap::new(),
            seq: 0,
            root: None,
            pc_sum: [vec![0.0; lpm.cols.len()], vec![0.0; lpm.cols.len()]],
            pc_n: [vec![0; lpm.cols.len()], vec![0; lpm.cols.len()]],
            cut_orders: Vec::new(),
        }
    }

    fn learn(&mut self, branch: Option<(u32, bool, f64, f64)>, z: f64) {
        if let Some((j, up, f, parent)) = branch {
            let dist = if up { 1.0 - f } else { f };
            if dist > 1e-9 && parent.is_finite() {
                let d = usize::from(up);
                self.pc_sum[d][j as usize] += ((parent - z).max(0.0)) / dist;
                self.pc_n[d][j as usize] += 1;
            }
        }
    }

    /// Pseudo-cost estimate for column `j` in direction `d`, falling back to the average over
    /// learned columns, then to the column's value.
    fn pseudo_cost(&self, d: usize, j: usize, avg: f64) -> f64 {
        if self.pc_n[d][j] > 0 {
            self.pc_sum[d][j] / self.pc_n[d][j] as f64
        } else if avg > 0.0 {
            avg
        } else {
            self.m.opts[self.lpm.cols[j]].value.abs()
        }
    }

    fn tol(&self) -> f64 {
        if self.inc_value.is_finite() {
            self.opts
                .absolute_tolerance
                .max(self.opts.relative_tolerance * self.inc_value.abs())
        } else {
            self.opts.absolute_tolerance
        }
    }

    fn best_bound(&self) -> f64 {
        let h = self.heap.peek().map_or(f64::NEG_INFINITY, |n| n.bound);
        h.max(self.inc_value)
    }

    fn lp_bound(&self) -> f64 {
        -self.spx.objective(&self.lp) / self.lpm.scale
    }

    /// Solves the LP from the current basis; whenever the solution violates pool rows, they
    /// are appended (with basic slacks, so the basis stays dual feasible) and the solve goes
    /// on. An optimal answer therefore satisfies every row of the full LP.
    fn solve_lp(&mut self, max_iterations: u64) -> LpStatus {
        let start = self.spx.iterations;
        loop {
            let left = max_iterations.saturating_sub(self.spx.iterations - start);
            let st = self.spx.solve(&self.lp, left);
            if st != LpStatus::Optimal {
                return st;
            }
            let x = &self.spx.x;
            let mut back = Vec::new();
            for (k, (row, b)) in self.lazy.iter().enumerate() {
                if self.lazy_added[k] {
                    continue;
                }
                let lhs: f64 = row.iter().map(|&(j, a)| a * x[j]).sum();
                if lhs > b + 1e-9 * (1.0 + b.abs()) {
                    back.push(k);
                }
            }
            if back.is_empty() {
                return LpStatus::Optimal;
            }
            let rows: Vec<Cut> = back.iter().map(|&k| self.lazy[k].clone()).collect();
            for k in back {
                self.lazy_added[k] = true;
            }
            self.lp = self.lp.with_rows(&rows);
            self.spx.add_rows(&self.lp);
        }
    }

    fn try_incumbent_from(&mut self, start: &[Chosen]) {
        let mut st = State::new(self.m);
        for c in start {
            let Some(list) = self.m.cand_opts.get(c.candidate) else {
                return;
            };
            let Some(&o) = list.iter().find(|&&o| self.m.opts[o].shift == c.shift) else {
                return;
            };
            if st.chosen[c.candidate].is_some() {
                return;
            }
            st.add(o);
        }
        if st.is_feasible() {
            self.offer(&st);
        }
    }

    /// Accepts a verified-feasible selection if it improves the incumbent.
    fn offer(&mut self, st: &State) -> bool {
        if st.value > self.inc_value + self.tol() * 1e-3 || self.incumbent.is_none() {
            if !st.is_feasible() {
                return false;
            }
            self.inc_value = st.value;
            self.incumbent = Some(st.chosen.clone());
            self.global_fixing();
            return true;
        }
        false
    }

    /// Reduced-cost fixing from the root LP: a variable whose move away from its root bound
    /// would push the root bound below the incumbent is fixed for the whole search.
    fn global_fixing(&mut self) {
        let Some(root) = &self.root else {
            return;
        };
        let gap = root.bound - self.inc_value - self.tol();
        let scale = self.lpm.scale;
        for j in 0..self.lpm.cols.len() {
            if root.spx.is_basic(j) || self.glb[j] == self.gub[j] {
                continue;
            }
            let d = root.spx.d[j] / scale;
            if root.spx.x[j] <= 0.5 && d > gap {
                self.gub[j] = 0.0;
            } else if root.spx.x[j] > 0.5 && -d > gap {
                self.glb[j] = 1.0;
            }
        }
    }

    fn apply(&mut self, fixes: &[(u32, bool)]) -> bool {
        let n = self.lpm.cols.len();
        self.spx.lb[..n].copy_from_slice(&self.glb);
        self.spx.ub[..n].copy_from_slice(&self.gub);
        for &(j, v) in fixes {
            let j = j as usize;
            let val = if v { 1.0 } else { 0.0 };
            if val < self.glb[j] || val > self.gub[j] {
                return false;
            }
            self.spx.lb[j] = val;
            self.spx.ub[j] = val;
        }
        true
    }

    /// Greedy completion: options in the given order, with prerequisites pulled in.
    fn greedy(&self, order: &[usize]) -> Option<State<'a>> {
        let mut st = State::new(self.m);
        for c in 0..self.m.cand_opts.len() {
            if self.m.force[c] == Force::In && st.chosen[c].is_none() {
                let mut ok = false;
                for &o in order.iter().filter(|&&o| self.m.opts[o].cand == c) {
                    if st.try_add(o, 4) {
                        ok = true;
                        break;
                    }
                }
                if !ok {
                    return None;
                }
            }
        }
        for _ in 0..3 {
            let mut changed = false;
            for &o in order {
                if self.m.opts[o].value > 0.0
                    && st.chosen[self.m.opts[o].cand].is_none()
                    && st.try_add(o, 2)
                {
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        Some(st)
    }

    /// Swap improvement: replace one selected candidate by a more valuable unselected one.
    fn improve(&self, st: &mut State<'a>) {
        let m = self.m;
        let nc = m.cand_opts.len();
        let mut by_value: Vec<usize> = (0..nc).collect();
        by_value.sort_by(|&a, &b| m.values[b].total_cmp(&m.values[a]).then(a.cmp(&b)));
        for _round in 0..3 {
            let mut improved = false;
            for &j in &by_value {
                if st.chosen[j].is_some() || m.cand_opts[j].is_empty() || m.values[j] <= 0.0 {
                    continue;
                }
                for &o in &m.cand_opts[j] {
                    if st.chosen[j].is_some() {
                        break;
                    }
                    if st.can_add(o) || self.reshift_to_fit(st, o) {
                        st.add(o);
                        improved = true;
                        break;
                    }
                    // What `o` lacks now: removing `i` can only make room if `i` frees at least
                    // that much of every short budget year and role-quarter (checked with an
                    // extra tolerance, so no workable swap is skipped).
                    let op = &m.opts[o];
                    let short_budget: Vec<(usize, i64)> = op
                        .cost
                        .iter()
                        .map(|&(y, c)| (y, st.spent[y].saturating_add(c) - m.budget[y]))
                        .filter(|&(_, need)| need > 0)
                        .collect();
                    let short_cap: Vec<(usize, f64)> = op
                        .demand
                        .iter()
                        .map(|&(k, a)| {
                            let cap = m.capacity[k];
                            (k, st.used[k] + a - cap - 2.0 * cap_tol(cap))
                        })
                        .filter(|&(_, need)| need > 0.0)
                        .collect();
                    let frees_enough = |oi: usize| {
                        let oi = &m.opts[oi];
                        short_budget
                            .iter()
                            .all(|&(y, need)| oi.cost.iter().any(|&(yy, c)| yy == y && c >= need))
                            && short_cap.iter().all(|&(k, need)| {
                                oi.demand.iter().any(|&(kk, a)| kk == k && a >= need)
                            })
                    };
                    for i in 0..nc {
                        let Some(oi) = st.chosen[i] else { continue };
                        if m.opts[oi].value >= m.opts[o].value
                            || !frees_enough(oi)
                            || !st.can_remove(i)
                        {
                            continue;
                        }
                        st.remove(i);
                        if st.can_add(o) {
                            st.add(o);
                            improved = true;
                            break;
                        }
                        st.add(oi);
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Ejection local search: for each unselected candidate (most valuable first) and each of
    /// its options, remove the selected candidates that relieve its overloaded budget years and
    /// role-quarters best per unit of value until it fits, add it, refill greedily in `fill`
    /// order (which may also bring removed candidates back at another start), and keep the
    /// result when the total value grew. Deterministic; `rounds` passes at most.
    fn eject(&self, st: &mut State<'a>, fill: &[usize], rounds: usize) {
        use crate::model::Reason;
        let m = self.m;
        let nc = m.cand_opts.len();
        let mut by_value: Vec<usize> = (0..nc).collect();
        by_value.sort_by(|&a, &b| m.values[b].total_cmp(&m.values[a]).then(a.cmp(&b)));
        let mut budget_ex: Vec<(usize, f64)> = Vec::new();
        let mut cap_ex: Vec<(usize, f64)> = Vec::new();
        // Candidates with an option using each role-quarter (ascending, deduplicated).
        let mut key_users: Vec<Vec<usize>> = vec![Vec::new(); m.capacity.len()];
        for op in &m.opts {
            for &(k, _) in &op.demand {
                if key_users[k].last() != Some(&op.cand) {
                    key_users[k].push(op.cand);
                }
            }
        }
        let mut pool: Vec<usize> = Vec::new();
        for _ in 0..rounds {
            let mut improved = false;
            for &j in &by_value {
                if st.chosen[j].is_some() || m.values[j] <= 0.0 {
                    continue;
                }
                for &o in &m.cand_opts[j] {
                    if st.chosen[j].is_some() || m.opts[o].value <= 0.0 {
                        break;
                    }
                    let before = st.value;
                    let mut trial = st.clone();
                    let mut removed_value = 0.0;
                    let mut ok = true;
                    loop {
                        let viol = trial.violations(o);
                        if viol.is_empty() {
                            break;
                        }
                        budget_ex.clear();
                        cap_ex.clear();
                        let mut forced: Option<usize> = None;
                        for r in &viol {
                            match *r {
                                Reason::Excludes { other } => forced = Some(other),
                                Reason::Budget {
                                    year,
                                    excess,
                                    alone: false,
                                } => {
                                    budget_ex.push((year, excess as f64));
                                }
                                Reason::Capacity {
                                    role,
                                    quarter,
                                    excess,
                                    alone: false,
                                } => cap_ex.push((role * m.quarters + quarter, excess)),
                                _ => ok = false,
                            }
                        }
                        if !ok {
                            break;
                        }
                        let victim = match forced {
                            Some(b) => Some(b),
                            None => {
                                // Only candidates sharing an overloaded resource can help.
                                pool.clear();
                                if budget_ex.is_empty() {
                                    for &(k, _) in &cap_ex {
                                        pool.extend_from_slice(&key_users[k]);
                                    }
                                    pool.sort_unstable();
                                    pool.dedup();
                                } else {
                                    pool.extend(0..nc);
                                }
                                let mut best: Option<(f64, usize)> = None;
                                for &i in &pool {
                                    let Some(oi) = trial.chosen[i] else { continue };
                                    let op = &m.opts[oi];
                                    let mut relief = 0.0;
                                    for &(y, e) in &budget_ex {
                                        if let Some(&(_, c)) = op.cost.iter().find(|x| x.0 == y) {
                                            relief += (c as f64).min(e) / e;
                                        }
                                    }
                                    for &(k, e) in &cap_ex {
                                        if let Some(&(_, a)) = op.demand.iter().find(|x| x.0 == k) {
                                            relief += a.min(e) / e;
                                        }
                                    }
                                    if relief <= 0.0 || !trial.can_remove(i) {
                                        continue;
                                    }
                                    let score = relief / op.value.max(1e-9);
                                    if best.is_none_or(|(bs, _)| score > bs) {
                                        best = Some((score, i));
                                    }
                                }
                                best.map(|b| b.1)
                            }
                        };
                        let Some(v) = victim else {
                            ok = false;
                            break;
                        };
                        if !trial.can_remove(v) {
                            ok = false;
                            break;
                        }
                        if let Some(ov) = trial.chosen[v] {
                            removed_value += m.opts[ov].value;
                        }
                        trial.remove(v);
                        if removed_value >= m.opts[o].value * 2.0 {
                            ok = false;
                            break;
                        }
                    }
                    if !ok || !trial.can_add(o) {
                        continue;
                    }
                    trial.add(o);
                    for &p in fill {
                        let c = m.opts[p].cand;
                        if trial.chosen[c].is_none() && m.opts[p].value > 0.0 && trial.can_add(p) {
                            trial.add(p);
                        }
                    }
                    if trial.value > before + 1e-9 * before.abs().max(1.0) {
                        *st = trial;
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Tries to make room for option `o` by moving selected candidates that share its
    /// overloaded budget years or role-quarters to another start. Leaves the state unchanged
    /// and returns false when `o` still does not fit (or the moves would lose value).
    fn reshift_to_fit(&self, st: &mut State<'a>, o: usize) -> bool {
        use crate::model::Reason;
        let m = self.m;
        let excess = |st: &State, o: usize| -> Option<f64> {
            let mut e = 0.0;
            for r in st.violations(o) {
                match r {
                    Reason::Budget { excess, alone, .. } if !alone => e += excess as f64 / 1e6,
                    Reason::Capacity { excess, alone, .. } if !alone => e += excess,
                    _ => return None,
                }
            }
            Some(e)
        };
        let Some(mut current) = excess(st, o) else {
            return false;
        };
        let start_value = st.value;
        let years: Vec<usize> = st
            .violations(o)
            .iter()
            .filter_map(|r| match r {
                Reason::Budget { year, .. } => Some(*year),
                _ => None,
            })
            .collect();
        let keys: Vec<usize> = st
            .violations(o)
            .iter()
            .filter_map(|r| match r {
                Reason::Capacity { role, quarter, .. } => Some(role * m.quarters + quarter),
                _ => None,
            })
            .collect();
        let mut moved: Vec<(usize, usize)> = Vec::new();
        for i in 0..m.cand_opts.len() {
            let Some(oi) = st.chosen[i] else { continue };
            if m.cand_opts[i].len() < 2 || !st.can_remove(i) {
                continue;
            }
            let op = &m.opts[oi];
            let overlaps = op.cost.iter().any(|e| years.contains(&e.0))
                || op.demand.iter().any(|e| keys.contains(&e.0));
            if !overlaps {
                continue;
            }
            st.remove(i);
            let mut placed = false;
            for &alt in &m.cand_opts[i] {
                if alt == oi || !st.can_add(alt) {
                    continue;
                }
                st.add(alt);
                match excess(st, o) {
                    Some(e) if e < current - 1e-12 => {
                        current = e;
                        placed = true;
                        break;
                    }
                    _ => st.remove(i),
                }
            }
            if placed {
                moved.push((i, oi));
                if st.can_add(o) {
                    if st.value + m.opts[o].value > start_value + 1e-12 {
                        return true;
                    }
                    break;
                }
            } else {
                st.add(oi);
            }
        }
        for &(i, oi) in moved.iter().rev() {
            st.remove(i);
            st.add(oi);
        }
        false
    }

    /// Constructive root heuristics: greedy completion, swap improvement and ejection search
    /// from the LP point of every cut round (LP order) and from the final root point (three
    /// orders). Returns the LP order of the root point (the fill order of [`Search::perturb`]).
    fn root_heuristics(&mut self) -> Vec<usize> {
        let cut_orders = std::mem::take(&mut self.cut_orders);
        let [order_lp, order_dens, order_val] =
            heuristic_orders(self.m, self.lpm, &self.lp, &self.spx);
        let mut jobs: Vec<(&[usize], &[usize], usize)> = cut_orders
            .iter()
            .map(|[lp, dens, _]| (lp.as_slice(), dens.as_slice(), 2))
            .collect();
        for order in [&order_lp, &order_dens, &order_val] {
            jobs.push((order, &order_dens, 4));
        }
        for st in self.construct(&jobs).into_iter().flatten() {
            self.offer(&st);
        }
        order_lp
    }

    /// Runs `greedy → improve → eject` for each `(order, fill order, ejection rounds)` job.
    /// The jobs do not depend on each other or on the incumbent, so with `parallel` they are
    /// split over two threads; the results come back in job order either way.
    fn construct(&self, jobs: &[(&[usize], &[usize], usize)]) -> Vec<Option<State<'a>>> {
        let one = |&(order, fill, rounds): &(&[usize], &[usize], usize)| {
            let mut st = self.greedy(order)?;
            self.improve(&mut st);
            self.eject(&mut st, fill, rounds);
            Some(st)
        };
        if !self.parallel || jobs.len() < 2 {
            return jobs.iter().map(one).collect();
        }
        std::thread::scope(|s| {
            let odd = s.spawn(|| jobs.iter().skip(1).step_by(2).map(one).collect::<Vec<_>>());
            let even: Vec<_> = jobs.iter().step_by(2).map(one).collect();
            let odd = odd.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            let mut out = Vec::with_capacity(jobs.len());
            let mut odd = odd.into_iter();
            for e in even {
                out.push(e);
                out.extend(odd.next());
            }
            out
        })
    }

    /// Iterated greedy from the incumbent: drop a seeded random tenth of the removable selected
    /// candidates, refill in LP order, improve, and keep the result when it is better.
    fn perturb(&mut self, fill: &[usize], rounds: u64) {
        let m = self.m;
        let mut rng = crate::generate::Rng::new(0x5EED);
        for _ in 0..rounds {
            let Some(inc) = self.incumbent.clone() else {
                return;
            };
            let mut st = State::new(m);
            for o in inc.iter().flatten() {
                st.add(*o);
            }
            let mut dropped = false;
            for c in 0..m.cand_opts.len() {
                if st.chosen[c].is_some() && rng.unit() < 0.1 && st.can_remove(c) {
                    st.remove(c);
                    dropped = true;
                }
            }
            if !dropped {
                continue;
            }
            for _ in 0..2 {
                for &o in fill {
                    if st.chosen[m.opts[o].cand].is_none() && m.opts[o].value > 0.0 {
                        st.try_add(o, 2);
                    }
                }
            }
            self.improve(&mut st);
            self.eject(&mut st, fill, 2);
            self.offer(&st);
        }
    }

    fn node_heuristic(&mut self) {
        let lpm = self.lpm;
        let mut order = lpm.cols.clone();
        let mut xs = vec![0.0; self.m.opts.len()];
        for (k, &o) in lpm.cols.iter().enumerate() {
            xs[o] = self.spx.x[k];
        }
        let m = self.m;
        order.sort_by(|&a, &b| {
            xs[b]
                .total_cmp(&xs[a])
                .then(m.opts[b].value.total_cmp(&m.opts[a].value))
                .then(a.cmp(&b))
        });
        if let Some(st) = self.greedy(&order) {
            self.offer(&st);
        }
    }

    fn run(&mut self) -> Outcome {
        let opts = self.opts;
        let iter_limit = opts.iteration_limit;
        // Root.
        let st = self.solve_lp(iter_limit);
        self.nodes = 1;
        match st {
            LpStatus::Infeasible => return Outcome::Complete,
            LpStatus::IterationLimit => {
                // No LP guidance: still offer a value-per-cost greedy selection.
                let m = self.m;
                let mut order = self.lpm.cols.clone();
                let weight = |o: usize| {
                    m.opts[o].value / (1.0 + m.opts[o].cost.iter().map(|e| e.1 as f64).sum::<f64>())
                };
                order.sort_by(|&a, &b| weight(b).total_cmp(&weight(a)).then(a.cmp(&b)));
                if let Some(st) = self.greedy(&order) {
                    self.offer(&st);
                }
                self.heap.push(Node {
                    bound: f64::INFINITY,
                    seq: 0,
                    fixes: Vec::new(),
                    branch: None,
                });
                return Outcome::Limit;
            }
            LpStatus::Optimal => {}
        }
        let root_bound = self.lp_bound();
        self.root = Some(Root {
            spx: self.spx.clone(),
            bound: root_bound,
        });
        let fill = self.root_heuristics();
        self.global_fixing();
        let root_snapshot = self.spx.clone();
        // Iterated greedy runs on a helper search (it only shares the model) beside the
        // neighbourhood search and the first `HELPER_NODES` nodes of the full search, all
        // starting from the incumbent of the constructive heuristics. Its best selection is
        // offered at a fixed point (that node count, or the end of the search if sooner), so
        // the result is the same with one thread or two.
        let rounds = (opts.iteration_limit / PERTURB_PIVOTS).min(PERTURB_ROUNDS);
        let mut helper = Search::new(self.m, self.lpm, opts);
        helper.parallel = false;
        helper.incumbent = self.incumbent.clone();
        helper.inc_value = self.inc_value;
        let start = Node {
            bound: root_bound,
            seq: 0,
            fixes: Vec::new(),
            branch: None,
        };
        if self.parallel {
            std::thread::scope(|s| {
                let (tx, rx) = std::sync::mpsc::channel();
                s.spawn(move || {
                    helper.perturb(&fill, rounds);
                    // The receiver lives until the scope ends; nothing to do if it is gone.
                    let _ = tx.send(helper.incumbent);
                });
                self.helper = Some(Helper::Running(std::sync::Mutex::new(rx)));
                self.main_search(root_bound, root_snapshot, start)
            })
        } else {
            helper.perturb(&fill, rounds);
            self.helper = Some(Helper::Done(helper.incumbent));
            self.main_search(root_bound, root_snapshot, start)
        }
    }

    /// The neighbourhood search, then the full search from the root basis; the helper's
    /// selection is taken in at the fixed point described in [`Search::run`].
    fn main_search(&mut self, root_bound: f64, root_snapshot: Simplex, start: Node) -> Outcome {
        self.rins(root_bound);
        // The sub-search moved the simplex; restart the full search from the root basis.
        let pivots = self.spx.iterations;
        self.spx = root_snapshot;
        self.spx.iterations = pivots;
        self.spx.add_rows(&self.lp);
        self.helper_at = self.nodes + HELPER_NODES;
        let outcome = self.branch_and_bound(start, true, self.opts.node_limit);
        self.take_helper();
        outcome
    }

    /// Waits for the helper's selection (if still pending) and offers it.
    fn take_helper(&mut self) {
        self.helper_at = u64::MAX;
        let inc = match self.helper.take() {
            None => return,
            Some(Helper::Done(inc)) => inc,
            // A helper that panicked sends nothing; the scope re-raises its panic afterwards.
            Some(Helper::Running(rx)) => {
                rx.into_inner().ok().and_then(|rx| rx.recv().ok()).flatten()
            }
        };
        if let Some(inc) = inc {
            let mut st = State::new(self.m);
            for o in inc.iter().flatten() {
                st.add(*o);
            }
            self.offer(&st);
        }
    }

    /// Relaxation-induced neighbourhood search: fix every column on which the root LP and the
    /// incumbent agree, and search the rest with a small node budget. It only proposes
    /// incumbents; the full search afterwards still covers the whole tree.
    fn rins(&mut self, root_bound: f64) {
        let Some(inc) = self.incumbent.clone() else {
            return;
        };
        let Some(root) = &self.root else {
            return;
        };
        let mut fixes = Vec::new();
        for (k, &o) in self.lpm.cols.iter().enumerate() {
            let v = if inc[self.m.opts[o].cand] == Some(o) {
                1.0
            } else {
                0.0
            };
            if (root.spx.x[k] - v).abs() < INT_TOL {
                fixes.push((k as u32, v > 0.5));
            }
        }
        let saved = std::mem::take(&mut self.heap);
        let budget = self.nodes + RINS_NODES.min(self.opts.node_limit / 4);
        let start = Node {
            bound: root_bound,
            seq: 0,
            fixes,
            branch: None,
        };
        self.branch_and_bound(start, false, budget);
        self.heap = saved;
    }

    /// Best-bound search with depth-first dives from `start` until the tree is exhausted
    /// (Complete) or `node_limit` / the iteration limit is reached (Limit; open nodes stay in
    /// the heap). `solved` says whether the simplex already holds `start`'s LP solution.
    fn branch_and_bound(&mut self, start: Node, solved: bool, node_limit: u64) -> Outcome {
        let n = self.lpm.cols.len();
        let opts = self.opts;
        let iter_limit = opts.iteration_limit;
        let mut next = Some(start);
        let mut first = solved;
        loop {
            let node = match next.take() {
                Some(nd) => nd,
                None => match self.heap.pop() {
                    Some(nd) => nd,
                    None => return Outcome::Complete,
                },
            };
            if self.nodes >= self.helper_at {
                self.take_helper();
            }
            if node.bound <= self.inc_value + self.tol() {
                continue;
            }
            if self.nodes >= node_limit || self.spx.iterations >= iter_limit {
                self.heap.push(node);
                return Outcome::Limit;
            }
            if !first {
                if !self.apply(&node.fixes) {
                    continue;
                }
                let remaining = iter_limit.saturating_sub(self.spx.iterations);
                match self.solve_lp(remaining) {
                    LpStatus::Infeasible => {
                        self.nodes += 1;
                        continue;
                    }
                    LpStatus::IterationLimit => {
                        self.heap.push(node);
                        return Outcome::Limit;
                    }
                    LpStatus::Optimal => {}
                }
                self.nodes += 1;
                let zl = self.lp_bound();
                self.learn(node.branch, zl);
            }
            first = false;
            let z = self.lp_bound().min(node.bound);
            if z <= self.inc_value + self.tol() {
                continue;
            }
            // Integrality and branching candidate (pseudo-cost product rule).
            let mut avg = [0.0f64; 2];
            for (d, a) in avg.iter_mut().enumerate() {
                let (sum, cnt) = (0..n).fold((0.0, 0u32), |(s, c), j| {
                    if self.pc_n[d][j] > 0 {
                        (s + self.pc_sum[d][j] / self.pc_n[d][j] as f64, c + 1)
                    } else {
                        (s, c)
                    }
                });
                *a = if cnt > 0 { sum / cnt as f64 } else { 0.0 };
            }
            let mut branch: Option<usize> = None;
            let mut best_score = -1.0;
            let mut branch_frac = 0.0;
            for j in 0..n {
                let x = self.spx.x[j];
                let f = x.min(1.0 - x);
                if f > INT_TOL {
                    let down = (x * self.pseudo_cost(0, j, avg[0])).max(1e-9);
                    let up = ((1.0 - x) * self.pseudo_cost(1, j, avg[1])).max(1e-9);
                    let score = down * up;
                    if score > best_score {
                        best_score = score;
                        branch = Some(j);
                        branch_frac = x;
                    }
                }
            }
            let Some(bj) = branch else {
                let mut st = State::new(self.m);
                for j in 0..n {
                    if self.spx.x[j] > 0.5 {
                        st.add(self.lpm.cols[j]);
                    }
                }
                self.offer(&st);
                continue;
            };
            if self.nodes <= 50 || self.nodes.is_multiple_of(10) {
                self.node_heuristic();
                if z <= self.inc_value + self.tol() {
                    continue;
                }
            }
            // Local reduced-cost fixing for the subtree.
            let mut fixes = node.fixes.clone();
            if self.inc_value.is_finite() {
                let gap = z - self.inc_value - self.tol();
                let scale = self.lpm.scale;
                for j in 0..n {
                    if self.spx.is_basic(j) || self.spx.lb[j] == self.spx.ub[j] {
                        continue;
                    }
                    let d = self.spx.d[j] / scale;
                    if self.spx.x[j] <= 0.5 && d > gap {
                        fixes.push((j as u32, false));
                    } else if self.spx.x[j] > 0.5 && -d > gap {
                        fixes.push((j as u32, true));
                    }
                }
            }
            let mut up = fixes.clone();
            up.push((bj as u32, true));
            let mut down = fixes;
            down.push((bj as u32, false));
            self.seq += 1;
            self.heap.push(Node {
                bound: z,
                seq: self.seq,
                fixes: down,
                branch: Some((bj as u32, false, branch_frac, z)),
            });
            self.seq += 1;
            next = Some(Node {
                bound: z,
                seq: self.seq,
                fixes: up,
                branch: Some((bj as u32, true, branch_frac, z)),
            });
        }
    }
}

/// Option orders for the greedy heuristics at an LP solution: by LP value then dual-price
/// density, by density alone, and by LP value then value.
fn heuristic_orders(m: &Model, lpm: &LpModel, lp: &LpData, spx: &Simplex) -> [Vec<usize>; 3] {
    let y = spx.duals(lp);
    // Price of each option = dual-weighted resource use (duals are ≤ 0 for ≤ rows).
    let mut density: Vec<f64> = vec![0.0; m.opts.len()];
    for (k, &o) in lpm.cols.iter().enumerate() {
        let mut price = 1e-9;
        for (i, a) in lp.col(k) {
            if a > 0.0 {
                price += -y[i] * a;
            }
        }
        density[o] = m.opts[o].value * lpm.scale / price;
    }
    let xs: Vec<f64> = {
        let mut v = vec![0.0; m.opts.len()];
        for (k, &o) in lpm.cols.iter().enumerate() {
            v[o] = spx.x[k];
        }
        v
    };
    let mut order_lp = lpm.cols.clone();
    order_lp.sort_by(|&a, &b| {
        xs[b]
            .total_cmp(&xs[a])
            .then(density[b].total_cmp(&density[a]))
            .then(a.cmp(&b))
    });
    let mut order_dens = lpm.cols.clone();
    order_dens.sort_by(|&a, &b| density[b].total_cmp(&density[a]).then(a.cmp(&b)));
    let mut order_val = lpm.cols.clone();
    order_val.sort_by(|&a, &b| {
        xs[b]
            .total_cmp(&xs[a])
            .then(m.opts[b].value.total_cmp(&m.opts[a].value))
            .then(a.cmp(&b))
    });
    [order_lp, order_dens, order_val]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{GenParams, hard, realistic};

    #[test]
    fn result_does_not_depend_on_the_second_thread() {
        for (n, seed) in [(60, 3), (120, 4)] {
            let mut params = GenParams::benchmark();
            params.candidates = n;
            for p in [realistic(&params, seed), hard(&params, seed)] {
                // Limits small enough to stop mid-search (after the helper's selection is in).
                let opts = SolveOptions {
                    iteration_limit: 3_000,
                    ..SolveOptions::default()
                };
                let one = solve_with(&p, &opts, &[], false);
                let two = solve_with(&p, &opts, &[], true);
                assert_eq!(one, two, "n={n} seed={seed}");
            }
        }
    }
}
