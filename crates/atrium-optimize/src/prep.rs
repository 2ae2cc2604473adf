//! Expands a [`Problem`] into 0-1 options (one per candidate and shift), removes options that can
//! never be selected, builds the LP rows, and provides the exact incremental feasibility checker
//! used by heuristics, explanations and the final verification.

use crate::lp::LpData;
use crate::model::{Dependency, Diagnostic, Force, Problem, Reason, SolveOptions};

/// One (candidate, shift) choice.
#[derive(Debug, Clone)]
pub(crate) struct Opt {
    pub cand: usize,
    pub shift: usize,
    pub start: usize,
    pub value: f64,
    /// `(fiscal year, cost)` for in-horizon years with non-zero cost.
    pub cost: Vec<(usize, i64)>,
    /// `(role * quarters + quarter, amount)` for in-horizon demand.
    pub demand: Vec<(usize, f64)>,
}

/// Expanded model.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub quarters: usize,
    pub years: usize,
    pub budget: Vec<i64>,
    pub capacity: Vec<f64>,
    pub opts: Vec<Opt>,
    /// Live options per candidate (indices into `opts`), ascending shift.
    pub cand_opts: Vec<Vec<usize>>,
    pub force: Vec<Force>,
    /// `requires[a]` = prerequisites of a.
    pub requires: Vec<Vec<usize>>,
    /// `required_by[b]` = candidates needing b.
    pub required_by: Vec<Vec<usize>>,
    pub excludes: Vec<Vec<usize>>,
    pub timing: bool,
    pub infeasible: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub values: Vec<f64>,
}

pub(crate) fn cap_tol(cap: f64) -> f64 {
    1e-9 * cap.abs().max(1.0)
}

impl Model {
    pub fn build(p: &Problem, o: &SolveOptions) -> Model {
        let quarters = p.quarters();
        let years = p.fiscal_years;
        let nroles = p.roles.len().max(p.capacity.len());
        let mut diagnostics = Vec::new();
        let budget: Vec<i64> = (0..years).map(|y| p.budget_of(y)).collect();
        let mut capacity = vec![f64::INFINITY; nroles * quarters];
        for r in 0..nroles {
            for q in 0..quarters {
                let c = p.capacity_of(r, q);
                capacity[r * quarters + q] = if c.is_nan() { f64::INFINITY } else { c };
            }
        }
        let nc = p.candidates.len();
        let mut opts = Vec::new();
        let mut cand_opts = vec![Vec::new(); nc];
        let mut force = Vec::with_capacity(nc);
        let mut values = Vec::with_capacity(nc);
        for (ci, c) in p.candidates.iter().enumerate() {
            force.push(c.force);
            let v = if c.value.is_finite() {
                c.value
            } else {
                diagnostics.push(Diagnostic {
                    candidate: Some(ci),
                    message: format!("{}: value is not finite; treated as 0", c.name),
                });
                0.0
            };
            values.push(v);
            for bad in c.demand.iter().filter(|d| d.role >= nroles) {
                diagnostics.push(Diagnostic {
                    candidate: Some(ci),
                    message: format!("{}: demand for unknown role {} ignored", c.name, bad.role),
                });
            }
            if c.start_quarter >= quarters {
                diagnostics.push(Diagnostic {
                    candidate: Some(ci),
                    message: format!("{}: starts after the horizon", c.name),
                });
            }
            for s in 0..=c.max_shift {
                let start = c.start_quarter + s;
                let cost: Vec<(usize, i64)> = p
                    .option_cost_per_year(ci, s)
                    .into_iter()
                    .enumerate()
                    .filter(|&(_, v)| v != 0)
                    .collect();
                let mut dem: Vec<(usize, f64)> = Vec::new();
                for d in &c.demand {
                    let q = start + d.quarter;
                    if d.role < nroles && q < quarters && d.amount.is_finite() && d.amount != 0.0 {
                        let key = d.role * quarters + q;
                        match dem.iter_mut().find(|e| e.0 == key) {
                            Some(e) => e.1 += d.amount,
                            None => dem.push((key, d.amount)),
                        }
                    }
                }
                dem.sort_by_key(|e| e.0);
                let value = v * (1.0 - o.shift_penalty * s as f64);
                cand_opts[ci].push(opts.len());
                opts.push(Opt {
                    cand: ci,
                    shift: s,
                    start,
                    value,
                    cost,
                    demand: dem,
                });
            }
        }
        let mut requires = vec![Vec::new(); nc];
        let mut required_by = vec![Vec::new(); nc];
        let mut excludes = vec![Vec::new(); nc];
        for dep in &p.dependencies {
            match *dep {
                Dependency::Requires {
                    dependent,
                    prerequisite,
                } => {
                    if dependent >= nc || prerequisite >= nc || dependent == prerequisite {
                        diagnostics.push(Diagnostic {
                            candidate: None,
                            message: format!(
                                "requires link {dependent} -> {prerequisite} is invalid and ignored"
                            ),
                        });
                        continue;
                    }
                    if !requires[dependent].contains(&prerequisite) {
                        requires[dependent].push(prerequisite);
                        required_by[prerequisite].push(dependent);
                    }
                }
                Dependency::Excludes(a, b) => {
                    if a >= nc || b >= nc || a == b {
                        diagnostics.push(Diagnostic {
                            candidate: None,
                            message: format!("excludes link {a} -- {b} is invalid and ignored"),
                        });
                        continue;
                    }
                    if !excludes[a].contains(&b) {
                        excludes[a].push(b);
                        excludes[b].push(a);
                    }
                }
            }
        }
        let mut m = Model {
            quarters,
            years,
            budget,
            capacity,
            opts,
            cand_opts,
            force,
            requires,
            required_by,
            excludes,
            timing: o.requires_timing,
            infeasible: false,
            diagnostics,
            values,
        };
        m.prune(p);
        m
    }

    /// Whether option `o` alone fits every budget and capacity.
    pub fn fits_alone(&self, o: usize) -> bool {
        let op = &self.opts[o];
        op.cost.iter().all(|&(y, c)| c <= self.budget[y])
            && op
                .demand
                .iter()
                .all(|&(k, a)| a <= self.capacity[k] + cap_tol(self.capacity[k]))
    }

    /// Whether option `o` of a dependent can be matched by option `t` of a prerequisite.
    pub fn timing_ok(&self, o: usize, t: usize) -> bool {
        !self.timing || self.opts[t].start <= self.opts[o].start
    }

    /// Removes options that can never be part of a feasible selection, to a fixpoint.
    fn prune(&mut self, p: &Problem) {
        let nc = self.cand_opts.len();
        for c in 0..nc {
            if self.force[c] == Force::Out {
                self.cand_opts[c].clear();
            } else {
                let keep: Vec<usize> = self.cand_opts[c]
                    .iter()
                    .copied()
                    .filter(|&o| self.fits_alone(o))
                    .collect();
                self.cand_opts[c] = keep;
            }
        }
        loop {
            let mut changed = false;
            for a in 0..nc {
                for bi in 0..self.requires[a].len() {
                    let b = self.requires[a][bi];
                    let before = self.cand_opts[a].len();
                    let keep: Vec<usize> = self.cand_opts[a]
                        .iter()
                        .copied()
                        .filter(|&o| self.cand_opts[b].iter().any(|&t| self.timing_ok(o, t)))
                        .collect();
                    if keep.len() != before {
                        self.cand_opts[a] = keep;
                        changed = true;
                    }
                }
            }
            // A forced-in candidate excludes its partners.
            for a in 0..nc {
                if self.force[a] == Force::In {
                    for bi in 0..self.excludes[a].len() {
                        let b = self.excludes[a][bi];
                        if !self.cand_opts[b].is_empty() {
                            if self.force[b] == Force::In {
                                continue;
                            }
                            self.cand_opts[b].clear();
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        for c in 0..nc {
            if self.force[c] == Force::In {
                if self.cand_opts[c].is_empty() {
                    self.infeasible = true;
                    self.diagnostics.push(Diagnostic {
                        candidate: Some(c),
                        message: format!(
                            "{}: forced in but cannot fit (budget, capacity, forced-out or missing prerequisites)",
                            p.candidates[c].name
                        ),
                    });
                }
                for &b in &self.excludes[c] {
                    if b > c && self.force[b] == Force::In {
                        self.infeasible = true;
                        self.diagnostics.push(Diagnostic {
                            candidate: Some(c),
                            message: format!(
                                "{} and {} are both forced in but exclude each other",
                                p.candidates[c].name, p.candidates[b].name
                            ),
                        });
                    }
                }
            }
        }
    }
}

/// LP form of a model: variable `k` is option `cols[k]`; values are scaled by `scale`.
#[derive(Debug, Clone)]
pub(crate) struct LpModel {
    pub lp: LpData,
    pub cols: Vec<usize>,
    /// Column of each option (usize::MAX when not live).
    pub col_of: Vec<usize>,
    pub lb: Vec<f64>,
    pub ub: Vec<f64>,
    pub scale: f64,
}

impl LpModel {
    pub fn build(m: &Model) -> LpModel {
        let mut cols = Vec::new();
        let mut col_of = vec![usize::MAX; m.opts.len()];
        for list in &m.cand_opts {
            for &o in list {
                col_of[o] = cols.len();
                cols.push(o);
            }
        }
        let n = cols.len();
        let vmax = cols
            .iter()
            .map(|&o| m.opts[o].value.abs())
            .fold(0.0f64, f64::max)
            .max(1e-300);
        let scale = 1.0 / vmax;
        let cost: Vec<f64> = cols.iter().map(|&o| -m.opts[o].value * scale).collect();
        let mut rows: Vec<Vec<(usize, f64)>> = Vec::new();
        let mut rhs = Vec::new();
        let nc = m.cand_opts.len();
        // Budget rows (skipped when even the most expensive option of everything fits).
        for y in 0..m.years {
            if m.budget[y] == i64::MAX {
                continue;
            }
            let mut row = Vec::new();
            let mut worst = 0i128;
            for list in &m.cand_opts {
                let mut mx = 0i64;
                for &o in list {
                    if let Some(&(_, c)) = m.opts[o].cost.iter().find(|e| e.0 == y) {
                        row.push((col_of[o], c as f64));
                        mx = mx.max(c);
                    }
                }
                worst += mx as i128;
            }
            if worst > m.budget[y] as i128 {
                rows.push(row);
                rhs.push(m.budget[y] as f64);
            }
        }
        // Capacity rows.
        let mut by_key: Vec<Vec<(usize, f64)>> = vec![Vec::new(); m.capacity.len()];
        let mut worst = vec![0.0f64; m.capacity.len()];
        for list in &m.cand_opts {
            let mut local: Vec<(usize, f64)> = Vec::new();
            for &o in list {
                for &(k, a) in &m.opts[o].demand {
                    by_key[k].push((col_of[o], a));
                    match local.iter_mut().find(|e| e.0 == k) {
                        Some(e) => e.1 = e.1.max(a),
                        None => local.push((k, a)),
                    }
                }
            }
            for (k, a) in local {
                worst[k] += a;
            }
        }
        for (k, row) in by_key.into_iter().enumerate() {
            let cap = m.capacity[k];
            if cap.is_finite() && worst[k] > cap + cap_tol(cap) {
                rows.push(row);
                rhs.push(cap);
            }
        }
        let mut lb = vec![0.0; n];
        let ub = vec![1.0; n];
        // One option per candidate; force-in as a covering row or a fixed bound.
        for c in 0..nc {
            let list = &m.cand_opts[c];
            if list.len() > 1 {
                rows.push(list.iter().map(|&o| (col_of[o], 1.0)).collect());
                rhs.push(1.0);
            }
            if m.force[c] == Force::In {
                if list.len() == 1 {
                    lb[col_of[list[0]]] = 1.0;
                } else if list.len() > 1 {
                    rows.push(list.iter().map(|&o| (col_of[o], -1.0)).collect());
                    rhs.push(-1.0);
                }
            }
        }
        // Requires: each option of the dependent needs a compatible option of the prerequisite.
        for a in 0..nc {
            for &b in &m.requires[a] {
                for &o in &m.cand_opts[a] {
                    let mut row = vec![(col_of[o], 1.0)];
                    for &t in &m.cand_opts[b] {
                        if m.timing_ok(o, t) {
                            row.push((col_of[t], -1.0));
                        }
                    }
                    rows.push(row);
                    rhs.push(0.0);
                }
            }
        }
        // Excludes.
        for a in 0..nc {
            for &b in &m.excludes[a] {
                if b > a && !m.cand_opts[a].is_empty() && !m.cand_opts[b].is_empty() {
                    let row: Vec<(usize, f64)> = m.cand_opts[a]
                        .iter()
                        .chain(&m.cand_opts[b])
                        .map(|&o| (col_of[o], 1.0))
                        .collect();
                    rows.push(row);
                    rhs.push(1.0);
                }
            }
        }
        // Scale each row to a largest coefficient of 1.
        for (row, b) in rows.iter_mut().zip(rhs.iter_mut()) {
            let mx = row.iter().map(|e| e.1.abs()).fold(0.0f64, f64::max);
            if mx > 0.0 && mx != 1.0 {
                for e in row.iter_mut() {
                    e.1 /= mx;
                }
                *b /= mx;
            }
        }
        LpModel {
            lp: LpData::new(n, &rows, rhs, cost),
            cols,
            col_of,
            lb,
            ub,
            scale,
        }
    }
}

/// A cut row: `(column, coefficient)` entries and the right-hand side (`≤`).
pub(crate) type Cut = (Vec<(usize, f64)>, f64);

impl LpModel {
    /// Appends cut rows `(entries, rhs)` (already scaled) to the LP.
    pub fn add_rows(&mut self, cuts: &[Cut]) {
        self.lp = self.lp.with_rows(cuts);
    }

    /// Separates GUB-aware extended cover inequalities from the knapsack rows (budget and
    /// capacity rows: non-negative coefficients, not all equal) violated by the LP point `x`.
    ///
    /// For a row `Σ aⱼxⱼ ≤ b`, a cover is a set `C` of candidates with thresholds `w_c` (the
    /// weight of one of its options in the row) such that `Σ_{c∈C} w_c > b`. Since a candidate
    /// takes at most one option, at most `|C| − 1` of the candidates in `C` can use an option of
    /// weight `≥ w_c`: `Σ_{c∈C} Σ_{j∈c, aⱼ≥w_c} xⱼ ≤ |C| − 1`. The cover is extended by the
    /// options of other candidates that weigh at least `max w_c` (any `|C|` of the extended
    /// items still weigh more than `b`). Returns at most `limit` cuts, most violated first.
    pub fn cover_cuts(&self, m: &Model, x: &[f64], limit: usize) -> Vec<(Vec<(usize, f64)>, f64)> {
        // (violation, cut)
        let mut found: Vec<(f64, Cut)> = Vec::new();
        for i in 0..self.lp.m {
            let b = self.lp.b[i];
            let row: Vec<(usize, f64)> = self.lp.row(i).collect();
            if b <= 0.0 || row.len() < 2 || row.iter().any(|e| e.1 < 0.0) {
                continue;
            }
            let first = row[0].1;
            if row.iter().all(|e| e.1 == first) {
                continue;
            }
            // Per candidate: the smallest weight among options with positive LP value.
            let mut per: Vec<(usize, f64, f64)> = Vec::new(); // (cand, w, z)
            for &(j, a) in &row {
                if x[j] <= 1e-9 {
                    continue;
                }
                let c = m.opts[self.cols[j]].cand;
                match per.iter_mut().find(|e| e.0 == c) {
                    Some(e) => e.1 = e.1.min(a),
                    None => per.push((c, a, 0.0)),
                }
            }
            for e in per.iter_mut() {
                e.2 = row
                    .iter()
                    .filter(|&&(j, a)| m.opts[self.cols[j]].cand == e.0 && a >= e.1)
                    .map(|&(j, _)| x[j])
                    .sum();
            }
            // Greedy cover, two ways: smallest (1 − z) per weight first, and smallest (1 − z)
            // first (heaviest on ties).
            'order: for by_weight in [true, false] {
                per.sort_by(|p, q| {
                    let (kp, kq) = if by_weight {
                        ((1.0 - p.2) / p.1, (1.0 - q.2) / q.1)
                    } else {
                        (1.0 - p.2, 1.0 - q.2)
                    };
                    kp.total_cmp(&kq)
                        .then(q.1.total_cmp(&p.1))
                        .then(p.0.cmp(&q.0))
                });
                let mut total = 0.0;
                let mut cover: Vec<(usize, f64)> = Vec::new();
                let margin = b + 1e-7 * b.abs().max(1.0);
                for &(c, w, _) in &per {
                    if total > margin {
                        break;
                    }
                    cover.push((c, w));
                    total += w;
                }
                if total <= margin || cover.len() < 2 {
                    continue 'order;
                }
                // Drop the first members (smallest slack per weight) while it stays a cover; the
                // extension below brings heavy options back in.
                while cover.len() > 2 {
                    let Some(&(_, w)) = cover.first() else { break };
                    if total - w > margin {
                        total -= w;
                        cover.remove(0);
                    } else {
                        break;
                    }
                }
                let wmax = cover.iter().map(|e| e.1).fold(0.0f64, f64::max);
                let mut entries: Vec<(usize, f64)> = Vec::new();
                for &(j, a) in &row {
                    let c = m.opts[self.cols[j]].cand;
                    let keep = match cover.iter().find(|e| e.0 == c) {
                        Some(&(_, w)) => a >= w,
                        None => a >= wmax,
                    };
                    if keep {
                        entries.push((j, 1.0));
                    }
                }
                let rhs = (cover.len() - 1) as f64;
                let lhs: f64 = entries.iter().map(|&(j, _)| x[j]).sum();
                if lhs > rhs + 1e-3 && !found.iter().any(|f| f.1.0 == entries) {
                    found.push((lhs - rhs, (entries, rhs)));
                }
            }
        }
        found.sort_by(|p, q| q.0.total_cmp(&p.0));
        found.truncate(limit);
        found.into_iter().map(|(_, c)| c).collect()
    }
}

/// Exact incremental feasibility state of a (partial) selection.
#[derive(Debug, Clone)]
pub(crate) struct State<'a> {
    pub m: &'a Model,
    pub chosen: Vec<Option<usize>>,
    pub spent: Vec<i64>,
    pub used: Vec<f64>,
    pub value: f64,
}

impl<'a> State<'a> {
    pub fn new(m: &'a Model) -> State<'a> {
        State {
            m,
            chosen: vec![None; m.cand_opts.len()],
            spent: vec![0; m.years],
            used: vec![0.0; m.capacity.len()],
            value: 0.0,
        }
    }

    /// Resources fit when `o` is added (ignores logic constraints).
    pub fn fits(&self, o: usize) -> bool {
        let op = &self.m.opts[o];
        op.cost
            .iter()
            .all(|&(y, c)| self.spent[y].saturating_add(c) <= self.m.budget[y])
            && op.demand.iter().all(|&(k, a)| {
                let cap = self.m.capacity[k];
                self.used[k] + a <= cap + cap_tol(cap)
            })
    }

    /// Logic constraints hold when `o` is added (prerequisites present and early enough, no
    /// excluded partner selected).
    pub fn logic_ok(&self, o: usize) -> bool {
        let c = self.m.opts[o].cand;
        self.m.requires[c]
            .iter()
            .all(|&b| self.chosen[b].is_some_and(|t| self.m.timing_ok(o, t)))
            && self.m.excludes[c].iter().all(|&b| self.chosen[b].is_none())
    }

    pub fn can_add(&self, o: usize) -> bool {
        self.chosen[self.m.opts[o].cand].is_none() && self.fits(o) && self.logic_ok(o)
    }

    pub fn add(&mut self, o: usize) {
        let op = &self.m.opts[o];
        for &(y, c) in &op.cost {
            self.spent[y] += c;
        }
        for &(k, a) in &op.demand {
            self.used[k] += a;
        }
        self.value += op.value;
        self.chosen[op.cand] = Some(o);
    }

    pub fn remove(&mut self, c: usize) {
        if let Some(o) = self.chosen[c].take() {
            let op = &self.m.opts[o];
            for &(y, cost) in &op.cost {
                self.spent[y] -= cost;
            }
            for &(k, a) in &op.demand {
                self.used[k] -= a;
            }
            self.value -= op.value;
        }
    }

    /// Whether candidate `c` can be removed without breaking a selected dependent or a force-in.
    pub fn can_remove(&self, c: usize) -> bool {
        self.m.force[c] != Force::In
            && self.m.required_by[c]
                .iter()
                .all(|&a| self.chosen[a].is_none())
    }

    /// Adds `o`, first adding missing prerequisites (recursively, earliest fitting option).
    /// Leaves the state unchanged and returns false when that is impossible.
    pub fn try_add(&mut self, o: usize, depth: usize) -> bool {
        let c = self.m.opts[o].cand;
        if self.chosen[c].is_some() {
            return false;
        }
        let mut added: Vec<usize> = Vec::new();
        let mut ok = true;
        if depth > 0 {
            for bi in 0..self.m.requires[c].len() {
                let b = self.m.requires[c][bi];
                if self.chosen[b].is_some() {
                    continue;
                }
                let mut done = false;
                for ti in 0..self.m.cand_opts[b].len() {
                    let t = self.m.cand_opts[b][ti];
                    if self.m.timing_ok(o, t) && self.try_add(t, depth - 1) {
                        added.push(b);
                        done = true;
                        break;
                    }
                }
                if !done {
                    ok = false;
                    break;
                }
            }
        }
        if ok && self.can_add(o) {
            self.add(o);
            return true;
        }
        for &b in added.iter().rev() {
            self.remove(b);
        }
        false
    }

    /// The constraints `o` would violate if added now.
    pub fn violations(&self, o: usize) -> Vec<Reason> {
        let op = &self.m.opts[o];
        let mut out = Vec::new();
        let c = op.cand;
        for &b in &self.m.excludes[c] {
            if self.chosen[b].is_some() {
                out.push(Reason::Excludes { other: b });
            }
        }
        for &b in &self.m.requires[c] {
            if !self.chosen[b].is_some_and(|t| self.m.timing_ok(o, t)) {
                out.push(Reason::Requires { prerequisite: b });
            }
        }
        for &(y, cost) in &op.cost {
            let total = self.spent[y].saturating_add(cost);
            if total > self.m.budget[y] {
                out.push(Reason::Budget {
                    year: y,
                    excess: total - self.m.budget[y],
                    alone: cost > self.m.budget[y],
                });
            }
        }
        for &(k, a) in &op.demand {
            let cap = self.m.capacity[k];
            if self.used[k] + a > cap + cap_tol(cap) {
                out.push(Reason::Capacity {
                    role: k / self.m.quarters,
                    quarter: k % self.m.quarters,
                    excess: self.used[k] + a - cap,
                    alone: a > cap + cap_tol(cap),
                });
            }
        }
        out
    }

    /// Full check of a complete selection (every constraint, including force-in).
    pub fn is_feasible(&self) -> bool {
        let m = self.m;
        for c in 0..m.cand_opts.len() {
            match self.chosen[c] {
                None => {
                    if m.force[c] == Force::In {
                        return false;
                    }
                }
                Some(o) => {
                    if m.force[c] == Force::Out {
                        return false;
                    }
                    if !m.requires[c]
                        .iter()
                        .all(|&b| self.chosen[b].is_some_and(|t| m.timing_ok(o, t)))
                    {
                        return false;
                    }
                    if m.excludes[c].iter().any(|&b| self.chosen[b].is_some()) {
                        return false;
                    }
                }
            }
        }
        (0..m.years).all(|y| self.spent[y] <= m.budget[y])
            && (0..m.capacity.len()).all(|k| self.used[k] <= m.capacity[k] + cap_tol(m.capacity[k]))
    }
}
