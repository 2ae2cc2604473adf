//! Bounded dual simplex with an explicit dense basis inverse: the LP relaxation behind
//! branch-and-bound.
//!
//! Problem form: minimize `c·x` subject to `A x + s = b`, `lb ≤ x ≤ ub`, `s ≥ 0` (all rows are
//! `≤`). Every structural variable is boxed, so any basis can be made dual feasible by putting
//! each nonbasic variable on the bound that matches the sign of its reduced cost. That lets one
//! algorithm — the dual simplex with a bound-flipping ratio test — do the first solve (from the
//! slack basis) and every re-solve after branching changes bounds (warm start, no refactoring).
//! The basis inverse is kept dense because the models are small (a few hundred rows); pivots skip
//! zero entries of the entering column, which are the common case. Dual steepest-edge weights are
//! recomputed exactly on the rows each pivot touches.

pub(crate) const INF: f64 = f64::INFINITY;
const PRIMAL_TOL: f64 = 1e-9;
const DUAL_TOL: f64 = 1e-10;
const PIVOT_TOL: f64 = 1e-9;
const REFACTOR_EVERY: usize = 300;

/// Sparse constraint matrix with both column and row access.
#[derive(Debug, Clone)]
pub(crate) struct LpData {
    pub m: usize,
    pub n: usize,
    col_start: Vec<usize>,
    col_idx: Vec<usize>,
    col_val: Vec<f64>,
    row_start: Vec<usize>,
    row_idx: Vec<usize>,
    row_val: Vec<f64>,
    pub b: Vec<f64>,
    pub cost: Vec<f64>,
}

impl LpData {
    /// Builds from rows of `(column, coefficient)`.
    pub fn new(n: usize, rows: &[Vec<(usize, f64)>], b: Vec<f64>, cost: Vec<f64>) -> LpData {
        let m = rows.len();
        let mut row_start = Vec::with_capacity(m + 1);
        let mut row_idx = Vec::new();
        let mut row_val = Vec::new();
        let mut counts = vec![0usize; n];
        row_start.push(0);
        for r in rows {
            for &(j, v) in r {
                if v != 0.0 {
                    row_idx.push(j);
                    row_val.push(v);
                    counts[j] += 1;
                }
            }
            row_start.push(row_idx.len());
        }
        let mut col_start = vec![0usize; n + 1];
        for j in 0..n {
            col_start[j + 1] = col_start[j] + counts[j];
        }
        let mut fill = col_start.clone();
        let mut col_idx = vec![0usize; row_idx.len()];
        let mut col_val = vec![0f64; row_idx.len()];
        for i in 0..m {
            for k in row_start[i]..row_start[i + 1] {
                let j = row_idx[k];
                col_idx[fill[j]] = i;
                col_val[fill[j]] = row_val[k];
                fill[j] += 1;
            }
        }
        LpData {
            m,
            n,
            col_start,
            col_idx,
            col_val,
            row_start,
            row_idx,
            row_val,
            b,
            cost,
        }
    }

    /// Entries `(column, coefficient)` of row `i`.
    pub(crate) fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.row_start[i]..self.row_start[i + 1];
        self.row_idx[r.clone()]
            .iter()
            .copied()
            .zip(self.row_val[r].iter().copied())
    }

    /// The same matrix with only the rows `i` where `keep[i]` holds.
    pub(crate) fn keep_rows(&self, keep: &[bool]) -> LpData {
        let mut rows: Vec<Vec<(usize, f64)>> = Vec::new();
        let mut b = Vec::new();
        for i in 0..self.m {
            if keep.get(i).copied().unwrap_or(true) {
                rows.push(self.row(i).collect());
                b.push(self.b[i]);
            }
        }
        LpData::new(self.n, &rows, b, self.cost.clone())
    }

    /// The same matrix with `extra` rows (and right-hand sides) appended.
    pub(crate) fn with_rows(&self, extra: &[(Vec<(usize, f64)>, f64)]) -> LpData {
        let mut rows: Vec<Vec<(usize, f64)>> = (0..self.m).map(|i| self.row(i).collect()).collect();
        let mut b = self.b.clone();
        for (r, rhs) in extra {
            rows.push(r.clone());
            b.push(*rhs);
        }
        LpData::new(self.n, &rows, b, self.cost.clone())
    }

    /// Entries of column `j` (structural or slack).
    pub(crate) fn col(&self, j: usize) -> ColIter<'_> {
        if j < self.n {
            let r = self.col_start[j]..self.col_start[j + 1];
            ColIter::Sparse(self.col_idx[r.clone()].iter().zip(self.col_val[r].iter()))
        } else {
            ColIter::Unit(Some(j - self.n))
        }
    }
}

pub(crate) enum ColIter<'a> {
    Sparse(std::iter::Zip<std::slice::Iter<'a, usize>, std::slice::Iter<'a, f64>>),
    Unit(Option<usize>),
}

impl Iterator for ColIter<'_> {
    type Item = (usize, f64);
    fn next(&mut self) -> Option<(usize, f64)> {
        match self {
            ColIter::Sparse(it) => it.next().map(|(&i, &v)| (i, v)),
            ColIter::Unit(o) => o.take().map(|i| (i, 1.0)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LpStatus {
    Optimal,
    Infeasible,
    IterationLimit,
}

/// Simplex state (basis, inverse, values, reduced costs, current bounds).
#[derive(Debug, Clone)]
pub(crate) struct Simplex {
    m: usize,
    n: usize,
    /// Basis inverse, column-major: `binv[k * m + i]` = (B⁻¹)ᵢₖ. Columns are contiguous
    /// because the hot operations (entering column, primal values, eta update) combine columns.
    binv: Vec<f64>,
    basis: Vec<usize>,
    pos: Vec<usize>,
    at_upper: Vec<bool>,
    pub x: Vec<f64>,
    pub d: Vec<f64>,
    pub lb: Vec<f64>,
    pub ub: Vec<f64>,
    dse: Vec<f64>,
    since_refactor: usize,
    pub iterations: u64,
    alpha: Vec<f64>,
    touched: Vec<usize>,
    rho: Vec<f64>,
    col: Vec<f64>,
    /// Scratch for the inverse update: rows changed by a pivot and their dot products.
    nz: Vec<usize>,
    dot: Vec<f64>,
}

const NONBASIC: usize = usize::MAX;

impl Simplex {
    /// Slack basis; structural bounds given (slacks are `[0, ∞)`).
    pub fn new(lp: &LpData, lb: &[f64], ub: &[f64]) -> Simplex {
        let (m, n) = (lp.m, lp.n);
        let mut binv = vec![0.0; m * m];
        for i in 0..m {
            binv[i * m + i] = 1.0;
        }
        let mut l = lb.to_vec();
        let mut u = ub.to_vec();
        l.extend(std::iter::repeat_n(0.0, m));
        u.extend(std::iter::repeat_n(INF, m));
        let mut pos = vec![NONBASIC; n + m];
        for i in 0..m {
            pos[n + i] = i;
        }
        Simplex {
            m,
            n,
            binv,
            basis: (n..n + m).collect(),
            pos,
            at_upper: vec![false; n + m],
            x: vec![0.0; n + m],
            d: vec![0.0; n + m],
            lb: l,
            ub: u,
            dse: vec![1.0; m],
            since_refactor: 0,
            iterations: 0,
            alpha: vec![0.0; n + m],
            touched: Vec::new(),
            rho: vec![0.0; m],
            col: vec![0.0; m],
            nz: Vec::new(),
            dot: vec![0.0; m],
        }
    }

    /// Extends the simplex to `lp`, which is the current LP with rows appended (cuts): the new
    /// rows get basic slacks, so the basis stays dual feasible and the next [`Simplex::solve`]
    /// continues from it. The inverse of `[B 0; A_new,B I]` is `[B⁻¹ 0; −A_new,B B⁻¹ I]`.
    pub fn add_rows(&mut self, lp: &LpData) {
        let (m, n) = (self.m, self.n);
        let m2 = lp.m;
        if m2 <= m || lp.n != n {
            return;
        }
        let mut binv = vec![0.0; m2 * m2];
        for k in 0..m {
            binv[k * m2..k * m2 + m].copy_from_slice(&self.binv[k * m..(k + 1) * m]);
        }
        for t in m..m2 {
            // Row t restricted to the basic columns, as (basis row, coefficient).
            let entries: Vec<(usize, f64)> = lp
                .row(t)
                .filter(|&(j, _)| self.pos[j] != NONBASIC)
                .map(|(j, v)| (self.pos[j], v))
                .collect();
            for k in 0..m {
                let colk = &self.binv[k * m..(k + 1) * m];
                let s: f64 = entries.iter().map(|&(r, v)| v * colk[r]).sum();
                binv[k * m2 + t] = -s;
            }
            binv[t * m2 + t] = 1.0;
        }
        self.binv = binv;
        for t in m..m2 {
            self.basis.push(n + t);
        }
        self.pos.extend(m..m2);
        self.at_upper.extend(std::iter::repeat_n(false, m2 - m));
        self.x.extend(std::iter::repeat_n(0.0, m2 - m));
        self.d.extend(std::iter::repeat_n(0.0, m2 - m));
        self.lb.extend(std::iter::repeat_n(0.0, m2 - m));
        self.ub.extend(std::iter::repeat_n(INF, m2 - m));
        self.alpha.extend(std::iter::repeat_n(0.0, m2 - m));
        self.rho = vec![0.0; m2];
        self.col = vec![0.0; m2];
        self.dot = vec![0.0; m2];
        self.dse.resize(m2, 0.0);
        for t in m..m2 {
            self.dse[t] = (0..m2)
                .map(|k| binv_sq(&self.binv, k * m2 + t))
                .sum::<f64>()
                .max(1e-12);
        }
        self.m = m2;
    }

    /// Drops the rows `i` with `keep[i] == false`, each of which must have its slack basic
    /// (otherwise nothing is dropped and false is returned). The remaining basis stays primal
    /// and dual feasible: with the dropped row and its slack ordered last,
    /// `B = [B₁₁ 0; b₂₁ 1]` and `B⁻¹ = [B₁₁⁻¹ 0; −b₂₁B₁₁⁻¹ 1]`, so the inverse of the smaller
    /// basis is `B⁻¹` without that row's column and its slack's basis position.
    pub fn remove_rows(&mut self, keep: &[bool]) -> bool {
        let (m, n) = (self.m, self.n);
        let keep_row = |i: usize| keep.get(i).copied().unwrap_or(true);
        if (0..m).all(keep_row) {
            return true;
        }
        if (0..m).any(|i| !keep_row(i) && self.pos[n + i] == NONBASIC) {
            return false;
        }
        // New index of each kept row, and of each kept basis position.
        let mut new_row = vec![usize::MAX; m];
        let mut m2 = 0;
        for (i, nr) in new_row.iter_mut().enumerate() {
            if keep_row(i) {
                *nr = m2;
                m2 += 1;
            }
        }
        let dropped_pos: Vec<bool> = {
            let mut v = vec![false; m];
            for i in 0..m {
                if !keep_row(i) {
                    v[self.pos[n + i]] = true;
                }
            }
            v
        };
        let kept_pos: Vec<usize> = (0..m).filter(|&p| !dropped_pos[p]).collect();
        let mut binv = vec![0.0; m2 * m2];
        for (k, &k2) in new_row.iter().enumerate() {
            if k2 == usize::MAX {
                continue;
            }
            let src = &self.binv[k * m..(k + 1) * m];
            let dst = &mut binv[k2 * m2..(k2 + 1) * m2];
            for (d, &p) in dst.iter_mut().zip(&kept_pos) {
                *d = src[p];
            }
        }
        let var = |j: usize| -> Option<usize> {
            if j < n {
                Some(j)
            } else {
                let r = new_row[j - n];
                (r != usize::MAX).then(|| n + r)
            }
        };
        let basis: Vec<usize> = kept_pos
            .iter()
            .map(|&p| var(self.basis[p]).unwrap_or(usize::MAX))
            .collect();
        let remap = |v: &Vec<f64>| -> Vec<f64> {
            (0..n + m)
                .filter(|&j| var(j).is_some())
                .map(|j| v[j])
                .collect()
        };
        self.x = remap(&self.x);
        self.d = remap(&self.d);
        self.lb = remap(&self.lb);
        self.ub = remap(&self.ub);
        self.at_upper = (0..n + m)
            .filter(|&j| var(j).is_some())
            .map(|j| self.at_upper[j])
            .collect();
        self.dse = kept_pos.iter().map(|&p| self.dse[p]).collect();
        self.binv = binv;
        self.basis = basis;
        self.m = m2;
        self.pos = vec![NONBASIC; n + m2];
        for (p, &j) in self.basis.iter().enumerate() {
            self.pos[j] = p;
        }
        self.alpha = vec![0.0; n + m2];
        self.touched.clear();
        self.rho = vec![0.0; m2];
        self.col = vec![0.0; m2];
        self.dot = vec![0.0; m2];
        true
    }

    /// Objective `c·x` of the current point.
    pub fn objective(&self, lp: &LpData) -> f64 {
        (0..self.n).map(|j| lp.cost[j] * self.x[j]).sum()
    }

    pub fn is_basic(&self, j: usize) -> bool {
        self.pos[j] != NONBASIC
    }

    /// Dual values `y = c_B B⁻¹` (one per row).
    pub fn duals(&self, lp: &LpData) -> Vec<f64> {
        let m = self.m;
        let cb: Vec<f64> = self
            .basis
            .iter()
            .map(|&j| if j < self.n { lp.cost[j] } else { 0.0 })
            .collect();
        (0..m)
            .map(|k| {
                let colk = &self.binv[k * m..(k + 1) * m];
                colk.iter().zip(&cb).map(|(a, b)| a * b).sum()
            })
            .collect()
    }

    fn compute_duals(&mut self, lp: &LpData) {
        let y = self.duals(lp);
        for j in 0..self.n + self.m {
            if self.pos[j] != NONBASIC {
                self.d[j] = 0.0;
                continue;
            }
            let c = if j < self.n { lp.cost[j] } else { 0.0 };
            let mut s = c;
            for (i, v) in lp.col(j) {
                s -= y[i] * v;
            }
            self.d[j] = s;
        }
    }

    /// Puts nonbasic variables on the bound matching their reduced cost; false when a slack
    /// (unbounded above) has a reduced cost of the wrong sign.
    fn place_nonbasics(&mut self) -> bool {
        let mut ok = true;
        for j in 0..self.n + self.m {
            if self.pos[j] != NONBASIC {
                continue;
            }
            let (l, u) = (self.lb[j], self.ub[j]);
            if l == u {
                self.at_upper[j] = false;
                self.x[j] = l;
                continue;
            }
            if self.d[j] < -DUAL_TOL {
                if u == INF {
                    ok = false;
                    self.at_upper[j] = false;
                    self.x[j] = l;
                } else {
                    self.at_upper[j] = true;
                    self.x[j] = u;
                }
            } else if self.d[j] > DUAL_TOL || u == INF {
                self.at_upper[j] = false;
                self.x[j] = l;
            } else {
                self.x[j] = if self.at_upper[j] { u } else { l };
            }
        }
        ok
    }

    fn compute_primal(&mut self, lp: &LpData) {
        let m = self.m;
        let mut rhs = lp.b.clone();
        for j in 0..self.n + m {
            if self.pos[j] == NONBASIC && self.x[j] != 0.0 {
                let xj = self.x[j];
                for (i, v) in lp.col(j) {
                    rhs[i] -= v * xj;
                }
            }
        }
        let mut xb = vec![0.0; m];
        for (k, &rk) in rhs.iter().enumerate() {
            if rk != 0.0 {
                let colk = &self.binv[k * m..(k + 1) * m];
                for (x, &a) in xb.iter_mut().zip(colk) {
                    *x += a * rk;
                }
            }
        }
        for (&j, &v) in self.basis.iter().zip(&xb) {
            self.x[j] = v;
        }
    }

    /// Rebuilds the inverse from the slack basis by pivoting the basic structurals in
    /// (partial pivoting over the rows whose slack is nonbasic). Structurals that cannot be
    /// pivoted stay out (their row keeps its slack).
    fn refactor(&mut self, lp: &LpData) {
        let (m, n) = (self.m, self.n);
        let structurals: Vec<usize> = self.basis.iter().copied().filter(|&j| j < n).collect();
        let mut free_row: Vec<bool> = (0..m).map(|i| self.pos[n + i] == NONBASIC).collect();
        self.binv.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..m {
            self.binv[i * m + i] = 1.0;
            self.basis[i] = n + i;
        }
        for j in 0..n + m {
            self.pos[j] = NONBASIC;
        }
        for i in 0..m {
            self.pos[n + i] = i;
        }
        for &j in &structurals {
            self.load_column(lp, j);
            let mut best = None;
            let mut best_v = PIVOT_TOL * 10.0;
            for (i, &fr) in free_row.iter().enumerate() {
                if fr && self.col[i].abs() > best_v {
                    best_v = self.col[i].abs();
                    best = Some(i);
                }
            }
            if let Some(r) = best {
                free_row[r] = false;
                let leaving = self.basis[r];
                self.pos[leaving] = NONBASIC;
                self.at_upper[leaving] = false;
                self.pivot_inverse(r);
                self.basis[r] = j;
                self.pos[j] = r;
            } else {
                self.pos[j] = NONBASIC;
            }
        }
        // Rows still free keep their slack basic (already so after the reset).
        self.dse.iter_mut().for_each(|w| *w = 0.0);
        for k in 0..m {
            let colk = &self.binv[k * m..(k + 1) * m];
            for (w, &a) in self.dse.iter_mut().zip(colk) {
                *w += a * a;
            }
        }
        self.dse.iter_mut().for_each(|w| *w = w.max(1e-12));
        self.since_refactor = 0;
    }

    /// Back to the slack basis (always dual feasible); used when numerical trouble is detected.
    fn reset_to_slack_basis(&mut self) {
        let (m, n) = (self.m, self.n);
        self.binv.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..m {
            self.binv[i * m + i] = 1.0;
            self.basis[i] = n + i;
            self.dse[i] = 1.0;
        }
        for j in 0..n + m {
            self.pos[j] = NONBASIC;
        }
        for i in 0..m {
            self.pos[n + i] = i;
        }
        self.since_refactor = 0;
    }

    /// `col = B⁻¹ a_j`.
    fn load_column(&mut self, lp: &LpData, j: usize) {
        let m = self.m;
        self.col.iter_mut().for_each(|v| *v = 0.0);
        for (i, v) in lp.col(j) {
            let coli = &self.binv[i * m..(i + 1) * m];
            for (c, &a) in self.col.iter_mut().zip(coli) {
                *c += a * v;
            }
        }
    }

    /// Eta update of the inverse with `self.col` as the entering column and `r` the pivot row;
    /// also updates the steepest-edge weights (squared row norms of the inverse) of the rows it
    /// changes. Only the columns where row `r` of the inverse is non-zero change, so the work is
    /// proportional to (non-zeros of that row) × (non-zeros of the entering column). The weight
    /// of a changed row `i` follows exactly from `‖ρᵢ − cᵢρ‖² = ‖ρᵢ‖² − 2cᵢ⟨ρᵢ, ρ⟩ + cᵢ²‖ρ‖²`
    /// (ρ the new pivot row); on heavy cancellation the norm is recomputed directly.
    fn pivot_inverse(&mut self, r: usize) {
        let m = self.m;
        let piv = self.col[r];
        self.nz.clear();
        for i in 0..m {
            if i != r && self.col[i] != 0.0 {
                self.nz.push(i);
            }
        }
        let dense = self.nz.len() * 3 > m;
        let (binv, dot, col, nz) = (&mut self.binv, &mut self.dot, &self.col, &self.nz);
        let mut norm_r = 0.0;
        if dense {
            // Most rows change: full-column axpy (vectorizes); row r is restored after.
            dot.iter_mut().for_each(|d| *d = 0.0);
            for colk in binv.chunks_exact_mut(m) {
                let old = colk[r];
                if old == 0.0 {
                    continue;
                }
                let v = old / piv;
                norm_r += v * v;
                for ((a, d), &c) in colk.iter_mut().zip(dot.iter_mut()).zip(col.iter()) {
                    *d += *a * v;
                    *a -= c * v;
                }
                colk[r] = v;
            }
        } else {
            for &i in nz {
                dot[i] = 0.0;
            }
            for colk in binv.chunks_exact_mut(m) {
                let old = colk[r];
                if old == 0.0 {
                    continue;
                }
                let v = old / piv;
                colk[r] = v;
                norm_r += v * v;
                for &i in nz {
                    let a = colk[i];
                    dot[i] += a * v;
                    colk[i] = a - col[i] * v;
                }
            }
        }
        self.dse[r] = norm_r.max(1e-12);
        for &i in &self.nz {
            let c = self.col[i];
            let w = self.dse[i] - 2.0 * c * self.dot[i] + c * c * norm_r;
            self.dse[i] = if w > 1e-6 * self.dse[i] {
                w
            } else {
                // Cancellation: recompute this row's norm exactly.
                (0..m)
                    .map(|k| self.binv[k * m + i] * self.binv[k * m + i])
                    .sum::<f64>()
                    .max(1e-12)
            };
        }
    }

    /// Runs the dual simplex from the current basis with the current bounds.
    pub fn solve(&mut self, lp: &LpData, max_iterations: u64) -> LpStatus {
        let (m, n) = (self.m, self.n);
        if self.since_refactor >= REFACTOR_EVERY {
            self.refactor(lp);
        }
        self.compute_duals(lp);
        if !self.place_nonbasics() {
            self.reset_to_slack_basis();
            self.compute_duals(lp);
            self.place_nonbasics();
        }
        self.compute_primal(lp);
        let start_iter = self.iterations;
        let mut flips: Vec<usize> = Vec::new();
        let mut cands: Vec<(f64, usize)> = Vec::new();
        loop {
            if self.iterations - start_iter >= max_iterations {
                return LpStatus::IterationLimit;
            }
            // Leaving row: largest infeasibility² / steepest-edge weight.
            let mut r_best = usize::MAX;
            let mut score_best = 0.0;
            for r in 0..m {
                let j = self.basis[r];
                let xv = self.x[j];
                let inf = if xv < self.lb[j] - PRIMAL_TOL * (1.0 + self.lb[j].abs()) {
                    self.lb[j] - xv
                } else if xv > self.ub[j] + PRIMAL_TOL * (1.0 + self.ub[j].abs()) {
                    xv - self.ub[j]
                } else {
                    continue;
                };
                let score = inf * inf / self.dse[r];
                if score > score_best {
                    score_best = score;
                    r_best = r;
                }
            }
            if r_best == usize::MAX {
                return LpStatus::Optimal;
            }
            let r = r_best;
            let leaving = self.basis[r];
            let to_lower = self.x[leaving] < self.lb[leaving];
            let delta = if to_lower {
                self.x[leaving] - self.lb[leaving]
            } else {
                self.x[leaving] - self.ub[leaving]
            };
            let sgn = if delta < 0.0 { -1.0 } else { 1.0 };

            // Pivot row alpha_j = rho · a_j over nonbasic columns.
            for k in 0..m {
                self.rho[k] = self.binv[k * m + r];
            }
            for &j in &self.touched {
                self.alpha[j] = 0.0;
            }
            self.touched.clear();
            for i in 0..m {
                let ri = self.rho[i];
                if ri == 0.0 {
                    continue;
                }
                for k in lp.row_start[i]..lp.row_start[i + 1] {
                    let j = lp.row_idx[k];
                    if self.alpha[j] == 0.0 {
                        self.touched.push(j);
                    }
                    self.alpha[j] += ri * lp.row_val[k];
                    if self.alpha[j] == 0.0 {
                        // Keep the touched list valid even after exact cancellation.
                        self.alpha[j] = f64::MIN_POSITIVE;
                    }
                }
                let js = n + i;
                if self.alpha[js] == 0.0 {
                    self.touched.push(js);
                }
                self.alpha[js] += ri;
            }

            // Bound-flipping ratio test.
            cands.clear();
            for &j in &self.touched {
                if self.pos[j] != NONBASIC || self.lb[j] == self.ub[j] {
                    continue;
                }
                let a = self.alpha[j];
                if a.abs() < PIVOT_TOL {
                    continue;
                }
                let sa = a * sgn;
                if !self.at_upper[j] && sa > 0.0 {
                    cands.push((self.d[j].max(0.0) / sa, j));
                } else if self.at_upper[j] && sa < 0.0 {
                    cands.push(((-self.d[j]).max(0.0) / -sa, j));
                }
            }
            if cands.is_empty() {
                return LpStatus::Infeasible;
            }
            cands.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut slope = delta.abs();
            flips.clear();
            let mut k_enter = cands.len() - 1;
            for (k, &(_, j)) in cands.iter().enumerate() {
                let range = self.ub[j] - self.lb[j];
                let drop = self.alpha[j].abs() * range;
                if k + 1 < cands.len() && range < INF && slope - drop > PRIMAL_TOL {
                    slope -= drop;
                    flips.push(j);
                } else {
                    k_enter = k;
                    break;
                }
            }
            // Among near-ties at the entering breakpoint prefer the largest pivot.
            let t_enter = cands[k_enter].0;
            let mut q = cands[k_enter].1;
            let mut best_a = self.alpha[q].abs();
            for &(t, j) in &cands[k_enter + 1..] {
                if t > t_enter + 1e-12 {
                    break;
                }
                if self.alpha[j].abs() > best_a {
                    best_a = self.alpha[j].abs();
                    q = j;
                }
            }
            let theta_d = self.d[q] / self.alpha[q];

            // Dual update.
            for &j in &self.touched {
                if self.pos[j] == NONBASIC {
                    self.d[j] -= theta_d * self.alpha[j];
                }
            }

            // Flips.
            if !flips.is_empty() {
                let mut v = vec![0.0; m];
                for &j in &flips {
                    let range = self.ub[j] - self.lb[j];
                    let step = if self.at_upper[j] { -range } else { range };
                    self.at_upper[j] = !self.at_upper[j];
                    self.x[j] += step;
                    for (i, a) in lp.col(j) {
                        v[i] += a * step;
                    }
                }
                let mut dx = vec![0.0; m];
                for (k, &vk) in v.iter().enumerate() {
                    if vk != 0.0 {
                        let colk = &self.binv[k * m..(k + 1) * m];
                        for (d, &a) in dx.iter_mut().zip(colk) {
                            *d += a * vk;
                        }
                    }
                }
                for (&j, &v) in self.basis.iter().zip(&dx) {
                    if v != 0.0 {
                        self.x[j] -= v;
                    }
                }
            }

            // Entering column and primal step.
            self.load_column(lp, q);
            let piv = self.col[r];
            if piv.abs() < PIVOT_TOL || (piv - self.alpha[q]).abs() > 1e-6 * (1.0 + piv.abs()) {
                // The inverse has drifted: rebuild and restart this solve.
                self.refactor(lp);
                self.compute_duals(lp);
                if !self.place_nonbasics() {
                    self.reset_to_slack_basis();
                    self.compute_duals(lp);
                    self.place_nonbasics();
                }
                self.compute_primal(lp);
                self.iterations += 1;
                continue;
            }
            let target = if to_lower {
                self.lb[leaving]
            } else {
                self.ub[leaving]
            };
            let theta_p = (self.x[leaving] - target) / piv;
            self.x[q] += theta_p;
            for rr in 0..m {
                let c = self.col[rr];
                if c != 0.0 {
                    self.x[self.basis[rr]] -= theta_p * c;
                }
            }
            self.x[leaving] = target;
            self.pivot_inverse(r);
            self.basis[r] = q;
            self.pos[q] = r;
            self.pos[leaving] = NONBASIC;
            self.at_upper[leaving] = !to_lower;
            self.d[leaving] = -theta_d;
            self.d[q] = 0.0;
            self.iterations += 1;
            self.since_refactor += 1;
            if self.since_refactor >= REFACTOR_EVERY {
                self.refactor(lp);
                self.compute_duals(lp);
                if !self.place_nonbasics() {
                    self.reset_to_slack_basis();
                    self.compute_duals(lp);
                    self.place_nonbasics();
                }
                self.compute_primal(lp);
            }
        }
    }
}

fn binv_sq(binv: &[f64], i: usize) -> f64 {
    binv[i] * binv[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_knapsack_relaxation() {
        // max 6x0 + 5x1 + 4x2  s.t. 3x0 + 2x1 + 2x2 <= 4, 0<=x<=1
        // ratios 2, 2.5, 2 -> x1=1, then 2 units left: x0 or x2 fractional -> 5 + 2*2 = 9
        let rows = vec![vec![(0, 3.0), (1, 2.0), (2, 2.0)]];
        let lp = LpData::new(3, &rows, vec![4.0], vec![-6.0, -5.0, -4.0]);
        let mut s = Simplex::new(&lp, &[0.0; 3], &[1.0; 3]);
        assert_eq!(s.solve(&lp, 1000), LpStatus::Optimal);
        assert!((s.objective(&lp) + 9.0).abs() < 1e-9);
        // Branch x1 = 0: 6 + 4*(1/2) = 8
        s.lb[1] = 0.0;
        s.ub[1] = 0.0;
        assert_eq!(s.solve(&lp, 1000), LpStatus::Optimal);
        assert!((s.objective(&lp) + 8.0).abs() < 1e-9);
    }

    #[test]
    fn removing_slack_rows_keeps_the_optimal_basis() {
        // max 6x0 + 5x1 + 4x2 s.t. 3x0 + 2x1 + 2x2 <= 4 (binding), x0 + x1 + x2 <= 10 (slack),
        // x2 <= 0.9 (slack at the optimum x1 = 1, x0 = 2/3).
        let rows = vec![
            vec![(0, 3.0), (1, 2.0), (2, 2.0)],
            vec![(0, 1.0), (1, 1.0), (2, 1.0)],
            vec![(2, 1.0)],
        ];
        let lp = LpData::new(3, &rows, vec![4.0, 10.0, 0.9], vec![-6.0, -5.0, -4.0]);
        let mut s = Simplex::new(&lp, &[0.0; 3], &[1.0; 3]);
        assert_eq!(s.solve(&lp, 1000), LpStatus::Optimal);
        let z = s.objective(&lp);
        let keep = [true, false, true];
        assert!(s.remove_rows(&keep));
        let small = lp.keep_rows(&keep);
        let before = s.iterations;
        assert_eq!(s.solve(&small, 1000), LpStatus::Optimal);
        assert_eq!(s.iterations, before, "still optimal without pivots");
        assert!((s.objective(&small) - z).abs() < 1e-9);
        // Branch x1 = 0 on the smaller LP, then put the dropped row back.
        s.lb[1] = 0.0;
        s.ub[1] = 0.0;
        assert_eq!(s.solve(&small, 1000), LpStatus::Optimal);
        assert!((s.objective(&small) + 6.0 + 4.0 * 0.5).abs() < 1e-9);
        let back = small.with_rows(&[(vec![(0, 1.0), (1, 1.0), (2, 1.0)], 10.0)]);
        s.add_rows(&back);
        assert_eq!(s.solve(&back, 1000), LpStatus::Optimal);
        assert!((s.objective(&back) + 8.0).abs() < 1e-9);
    }

    #[test]
    fn detects_infeasible() {
        // x0 + x1 <= 1 and -x0 <= -1 and -x1 <= -1
        let rows = vec![vec![(0, 1.0), (1, 1.0)], vec![(0, -1.0)], vec![(1, -1.0)]];
        let lp = LpData::new(2, &rows, vec![1.0, -1.0, -1.0], vec![-1.0, -1.0]);
        let mut s = Simplex::new(&lp, &[0.0; 2], &[1.0; 2]);
        assert_eq!(s.solve(&lp, 1000), LpStatus::Infeasible);
    }
}
