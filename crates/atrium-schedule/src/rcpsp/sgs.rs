//! Schedule-generation schemes for [`Instance`]: serial (forward and backward), parallel,
//! double justification, activity-list construction and biased random sampling.
//!
//! All passes run on a reusable [`Workspace`] so the inner loop never allocates. Resource
//! availability is a time-indexed array (`period * nr + resource`) that each pass
//! updates incrementally; only the periods the previous pass touched are reset.
//!
//! Horizon argument (why indexing never runs past `Instance::horizon`): an activity is
//! placed at or before `max(est, latest finish so far, last capacity change)`, because from
//! there on the whole tail capacity is free and demands are clamped to it. Its `est` is at
//! most the latest finish so far plus its largest incoming positive distance. Summing over
//! activities gives the bound used in `Instance::new`.

// Index loops over parallel per-activity arrays read better than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use super::Instance;
use super::ga::Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Scratch buffers for one thread. Create once per instance and reuse for every pass.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    avail: Vec<i32>,
    /// Periods at the start of `avail` that the last pass may have booked.
    touched: usize,
    rev_cap: Vec<i32>,
    indeg: Vec<u32>,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
    list: Vec<u32>,
    rstarts: Vec<i32>,
    keys: Vec<i64>,
    eligible: Vec<u32>,
    weights: Vec<f64>,
    ready: Vec<u32>,
    finish: Vec<i32>,
    done: Vec<bool>,
    counts: Vec<u32>,
    saved: Vec<i32>,
}

impl Workspace {
    /// Buffers sized for `inst`.
    pub(crate) fn new(inst: &Instance) -> Self {
        let mut avail = vec![0i32; 2 * inst.horizon * inst.nr];
        avail[..inst.cap.len()].copy_from_slice(&inst.cap);
        Self {
            avail,
            touched: 0,
            rev_cap: Vec::new(),
            indeg: vec![0; inst.n],
            heap: BinaryHeap::with_capacity(inst.n),
            list: Vec::with_capacity(inst.n),
            rstarts: vec![0; inst.n],
            keys: vec![0; inst.n],
            eligible: Vec::with_capacity(inst.n),
            weights: Vec::with_capacity(inst.n),
            ready: Vec::with_capacity(inst.n),
            finish: vec![0; inst.n],
            done: vec![false; inst.n],
            counts: Vec::new(),
            saved: Vec::new(),
        }
    }

    /// Reset `avail` to the forward capacity.
    fn load_forward(&mut self, inst: &Instance) {
        if inst.constant {
            // Every row is the same: only the periods the last pass used need a reset.
            let hi = self.touched.min(inst.horizon) * inst.nr;
            self.avail[..hi].copy_from_slice(&inst.cap[..hi]);
        } else {
            self.avail[..inst.cap.len()].copy_from_slice(&inst.cap);
        }
        self.touched = 0;
    }

    /// Load the reversed capacity anchored at `anchor` (reversed period t = original
    /// period `anchor - 1 - t`; beyond the anchor the tail capacity, which callers treat
    /// as "did not fit").
    fn load_reversed(&mut self, inst: &Instance, anchor: usize) {
        if inst.constant {
            // Same rows everywhere: reuse the forward template.
            let hi = (self.touched.min(inst.horizon)) * inst.nr;
            self.avail[..hi].copy_from_slice(&inst.cap[..hi]);
            self.touched = 0;
            return;
        }
        let nr = inst.nr;
        let len = 2 * inst.horizon;
        self.rev_cap.resize(len * nr, 0);
        for t in 0..len {
            for r in 0..nr {
                self.rev_cap[t * nr + r] = if t < anchor {
                    let orig = anchor - 1 - t;
                    if orig < inst.horizon {
                        inst.cap[orig * nr + r]
                    } else {
                        inst.tail[r]
                    }
                } else {
                    inst.tail[r]
                };
            }
        }
        self.avail.copy_from_slice(&self.rev_cap);
        // Rows past the horizon now hold reversed data; forward passes never reach them.
        self.touched = 0;
    }

    /// Earliest start `>= est` where `j` fits for its whole duration; books it.
    #[inline]
    fn place(&mut self, inst: &Instance, j: usize, est: i32) -> i32 {
        let d = inst.dur[j] as usize;
        let t0 = est.max(0) as usize;
        if d == 0 {
            return t0 as i32;
        }
        let nr = inst.nr;
        let dem = &inst.dem[j * nr..(j + 1) * nr];
        // Fixed resource counts let the compiler unroll the per-period test.
        let t = match nr {
            1 => find::<1>(&mut self.avail, dem, t0, d),
            2 => find::<2>(&mut self.avail, dem, t0, d),
            3 => find::<3>(&mut self.avail, dem, t0, d),
            4 => find::<4>(&mut self.avail, dem, t0, d),
            _ => find_dyn(&mut self.avail, dem, nr, t0, d),
        };
        if t + d > self.touched {
            self.touched = t + d;
        }
        t as i32
    }

    /// Serial SGS over a precedence-feasible list (forward). Returns the makespan.
    pub(crate) fn serial_forward(
        &mut self,
        inst: &Instance,
        list: &[u32],
        starts: &mut [i32],
    ) -> i32 {
        self.load_forward(inst);
        let mut mk = 0;
        for &j in list {
            let j = j as usize;
            let mut est = 0i32;
            for k in inst.fwd.range(j) {
                let s = starts[inst.fwd.other[k] as usize] + inst.fwd.delta[k];
                if s > est {
                    est = s;
                }
            }
            let s = self.place(inst, j, est);
            starts[j] = s;
            mk = mk.max(s + inst.dur[j]);
        }
        mk
    }

    /// Serial SGS in reversed time (successors first), capacity anchored at `anchor`.
    /// `rstarts` receives reversed starts. Returns the reversed makespan.
    fn serial_backward(&mut self, inst: &Instance, list: &[u32], anchor: usize) -> i32 {
        self.load_reversed(inst, anchor);
        let mut mk = 0;
        for idx in 0..list.len() {
            let j = list[idx] as usize;
            let mut est = 0i32;
            for k in inst.bwd.range(j) {
                let s = self.rstarts[inst.bwd.other[k] as usize] + inst.bwd.delta[k];
                if s > est {
                    est = s;
                }
            }
            let s = self.place(inst, j, est);
            self.rstarts[j] = s;
            mk = mk.max(s + inst.dur[j]);
        }
        mk
    }

    /// Eligible-set list construction: smallest key first, ties to the lower index.
    /// `forward` chooses the precedence direction (false = successors first).
    fn keyed_list(&mut self, inst: &Instance, forward: bool, out: &mut Vec<u32>) {
        let (pre, post) = if forward {
            (&inst.fwd, &inst.bwd)
        } else {
            (&inst.bwd, &inst.fwd)
        };
        out.clear();
        self.heap.clear();
        for j in 0..inst.n {
            let d = pre.range(j).len() as u32;
            self.indeg[j] = d;
            if d == 0 {
                self.heap.push(Reverse((self.keys[j], j as u32)));
            }
        }
        while let Some(Reverse((_, j))) = self.heap.pop() {
            out.push(j);
            for k in post.range(j as usize) {
                let s = post.other[k] as usize;
                self.indeg[s] -= 1;
                if self.indeg[s] == 0 {
                    self.heap.push(Reverse((self.keys[s], s as u32)));
                }
            }
        }
    }

    /// One serial pass in either direction (`forward = false`: reversed time, capacity
    /// anchored at `anchor`). `out` receives the starts in that direction's time.
    pub(crate) fn serial_dir(
        &mut self,
        inst: &Instance,
        forward: bool,
        list: &[u32],
        out: &mut [i32],
        anchor: usize,
    ) -> i32 {
        if forward {
            self.serial_forward(inst, list, out)
        } else {
            let mk = self.serial_backward(inst, list, anchor);
            out[..inst.n].copy_from_slice(&self.rstarts[..inst.n]);
            mk
        }
    }

    /// Precedence-feasible list in either direction, smallest key first.
    pub(crate) fn list_dir(
        &mut self,
        inst: &Instance,
        forward: bool,
        keys: &[i64],
        out: &mut Vec<u32>,
    ) {
        self.keys[..inst.n].copy_from_slice(&keys[..inst.n]);
        self.keyed_list(inst, forward, out);
    }

    /// Activities by increasing time `keys` (>= 0) in direction `forward`, ties in
    /// topological order of that direction. With non-negative distances a start order
    /// respects precedence, so this equals [`Self::list_dir`] at linear cost; with negative
    /// distances it falls back to it.
    pub(crate) fn list_by_time(
        &mut self,
        inst: &Instance,
        forward: bool,
        keys: &[i32],
        out: &mut Vec<u32>,
    ) {
        let n = inst.n;
        if inst.negative {
            for j in 0..n {
                self.keys[j] = i64::from(keys[j]);
            }
            self.keyed_list(inst, forward, out);
            return;
        }
        let max = keys[..n].iter().copied().max().unwrap_or(0).max(0) as usize;
        self.counts.clear();
        self.counts.resize(max + 2, 0);
        for &k in &keys[..n] {
            self.counts[k.max(0) as usize + 1] += 1;
        }
        for t in 0..=max {
            self.counts[t + 1] += self.counts[t];
        }
        out.clear();
        out.resize(n, 0);
        let mut place = |j: u32| {
            let k = keys[j as usize].max(0) as usize;
            out[self.counts[k] as usize] = j;
            self.counts[k] += 1;
        };
        if forward {
            inst.topo.iter().for_each(|&j| place(j));
        } else {
            inst.topo.iter().rev().for_each(|&j| place(j));
        }
    }

    /// Public form of [`Self::keyed_list`] (forward).
    pub(crate) fn list_from_keys(&mut self, inst: &Instance, keys: &[i64], out: &mut Vec<u32>) {
        self.keys[..inst.n].copy_from_slice(&keys[..inst.n]);
        self.keyed_list(inst, true, out);
    }

    /// Double justification of a feasible forward schedule with makespan `mk`: a backward
    /// pass in order of decreasing finish, then a forward pass in order of increasing
    /// start. Two schedules. Updates `starts`, returns the new makespan (never larger).
    pub(crate) fn double_justify(&mut self, inst: &Instance, starts: &mut [i32], mk: i32) -> i32 {
        let (mk2, _) = self.justify_parts(inst, starts, mk);
        mk2
    }

    /// As [`Self::double_justify`], also returning the makespan after the backward pass.
    pub(crate) fn justify_parts(
        &mut self,
        inst: &Instance,
        starts: &mut [i32],
        mk: i32,
    ) -> (i32, i32) {
        let n = inst.n;
        // Latest finish first.
        for j in 0..n {
            self.keys[j] = -i64::from(starts[j] + inst.dur[j]);
        }
        let mut list = std::mem::take(&mut self.list);
        self.keyed_list(inst, false, &mut list);
        let anchor = mk.max(0) as usize;
        let rmk = self.serial_backward(inst, &list, anchor);
        if rmk > mk {
            // Only possible with time-varying capacity and a schedule that was not
            // feasible to begin with; keep the input.
            self.list = list;
            return (mk, mk);
        }
        for j in 0..n {
            self.keys[j] = i64::from(mk - self.rstarts[j] - inst.dur[j]);
        }
        self.keyed_list(inst, true, &mut list);
        // With negative distances the start order can contradict the precedence order,
        // and then justification may lose; keep the input in that case.
        self.saved.clear();
        self.saved.extend_from_slice(&starts[..n]);
        let mut mk2 = self.serial_forward(inst, &list, starts);
        if mk2 > mk {
            starts[..n].copy_from_slice(&self.saved);
            mk2 = mk;
        }
        self.list = list;
        (mk2, rmk)
    }

    /// Regret-based biased random sampling list (alpha = 1): among the eligible
    /// activities, the probability grows with `max key - key + 1`.
    pub(crate) fn biased_list(
        &mut self,
        inst: &Instance,
        keys: &[i64],
        rng: &mut Rng,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        self.eligible.clear();
        for j in 0..inst.n {
            let d = inst.fwd.range(j).len() as u32;
            self.indeg[j] = d;
            if d == 0 {
                self.eligible.push(j as u32);
            }
        }
        while !self.eligible.is_empty() {
            let max = self
                .eligible
                .iter()
                .map(|&j| keys[j as usize])
                .max()
                .unwrap_or(0);
            self.weights.clear();
            let mut total = 0.0;
            for &j in &self.eligible {
                let w = (max - keys[j as usize]) as f64 + 1.0;
                total += w;
                self.weights.push(w);
            }
            let mut x = rng.f64() * total;
            let mut pick = self.eligible.len() - 1;
            for (i, w) in self.weights.iter().enumerate() {
                if x < *w {
                    pick = i;
                    break;
                }
                x -= w;
            }
            let j = self.eligible.swap_remove(pick);
            out.push(j);
            for k in inst.bwd.range(j as usize) {
                let s = inst.bwd.other[k] as usize;
                self.indeg[s] -= 1;
                if self.indeg[s] == 0 {
                    self.eligible.push(s as u32);
                }
            }
        }
    }

    /// Keys for a parallel-SGS sampling pass: positions in a biased random list.
    pub(crate) fn regret_keys(&mut self, inst: &Instance, keys: &[i64], rng: &mut Rng) -> Vec<i64> {
        let mut list = std::mem::take(&mut self.list);
        self.biased_list(inst, keys, rng, &mut list);
        let mut out = vec![0i64; inst.n];
        for (pos, &j) in list.iter().enumerate() {
            out[j as usize] = pos as i64;
        }
        self.list = list;
        out
    }

    /// Does `j` fit at `t` for its whole duration?
    fn fits(&self, inst: &Instance, j: usize, t: usize) -> bool {
        let nr = inst.nr;
        let dem = &inst.dem[j * nr..(j + 1) * nr];
        (t..t + inst.dur[j] as usize).all(|tau| {
            self.avail[tau * nr..tau * nr + nr]
                .iter()
                .zip(dem)
                .all(|(a, q)| a >= q)
        })
    }

    /// Parallel SGS (time-incrementing): at each decision point, start the eligible
    /// activities in key order as long as they fit. Returns the makespan.
    pub(crate) fn parallel_forward(
        &mut self,
        inst: &Instance,
        keys: &[i64],
        starts: &mut [i32],
    ) -> i32 {
        self.parallel_dir(inst, true, keys, starts)
    }

    /// Parallel SGS in either direction. Backward (`forward = false`) runs in reversed
    /// time and is only offered for constant capacity, where the reversed capacity equals
    /// the forward one (callers fall back to the serial SGS otherwise).
    pub(crate) fn parallel_dir(
        &mut self,
        inst: &Instance,
        forward: bool,
        keys: &[i64],
        starts: &mut [i32],
    ) -> i32 {
        let (pre, post) = if forward {
            (&inst.fwd, &inst.bwd)
        } else {
            (&inst.bwd, &inst.fwd)
        };
        let changes: &[i32] = if forward { &inst.change_points } else { &[] };
        if forward {
            self.load_forward(inst);
        } else {
            self.load_reversed(inst, inst.horizon);
        }
        let n = inst.n;
        self.ready.clear();
        for j in 0..n {
            let d = pre.range(j).len() as u32;
            self.indeg[j] = d;
            self.done[j] = false;
            if d == 0 {
                self.ready.push(j as u32);
            }
        }
        let mut placed = 0usize;
        let mut t: i32 = 0;
        let mut mk = 0;
        let mut cand: Vec<u32> = Vec::with_capacity(n);
        while placed < n {
            // Decision set: ready activities whose precedence distance allows time t.
            cand.clear();
            for &j in &self.ready {
                let j = j as usize;
                let mut est = 0;
                for k in pre.range(j) {
                    est = est.max(starts[pre.other[k] as usize] + pre.delta[k]);
                }
                self.finish[j] = est; // reuse as est scratch while unscheduled
                if est <= t {
                    cand.push(j as u32);
                }
            }
            cand.sort_unstable_by_key(|&j| (keys[j as usize], j));
            let mut any = false;
            for &j in &cand {
                let j = j as usize;
                if self.fits(inst, j, t as usize) {
                    let s = self.place(inst, j, t);
                    starts[j] = s;
                    self.done[j] = true;
                    placed += 1;
                    any = true;
                    mk = mk.max(s + inst.dur[j]);
                    for k in post.range(j) {
                        let s2 = post.other[k] as usize;
                        self.indeg[s2] -= 1;
                        if self.indeg[s2] == 0 {
                            self.ready.push(s2 as u32);
                        }
                    }
                }
            }
            let done = &self.done;
            self.ready.retain(|&j| !done[j as usize]);
            if any {
                // Newly ready zero-distance successors may start at the same t.
                continue;
            }
            // Next event: a finish, a precedence release or a capacity change after t.
            let mut next = i32::MAX;
            for j in 0..n {
                if self.done[j] {
                    let f = starts[j] + inst.dur[j];
                    if f > t && f < next {
                        next = f;
                    }
                }
            }
            for &j in &self.ready {
                let e = self.finish[j as usize];
                if e > t && e < next {
                    next = e;
                }
            }
            if let Some(&c) = changes.iter().find(|&&c| c > t) {
                next = next.min(c);
            }
            if next == i32::MAX {
                // Nothing can ever change: cannot happen with clamped demands; stop safely
                // by serially placing the rest.
                let rest: Vec<u32> = self.ready.clone();
                for j in rest {
                    let j = j as usize;
                    let s = self.place(inst, j, t);
                    starts[j] = s;
                    mk = mk.max(s + inst.dur[j]);
                }
                break;
            }
            t = next;
        }
        mk
    }
}

/// Earliest `t >= t0` with `dem <= avail` in periods `t .. t + d` (`R` resources); books it.
#[inline]
fn find<const R: usize>(avail: &mut [i32], dem: &[i32], t0: usize, d: usize) -> usize {
    let mut q = [0i32; R];
    q.copy_from_slice(&dem[..R]);
    let mut t = t0;
    'search: loop {
        // Scan the window from its end: a conflict at `tau` rules out every start up to
        // `tau`, so the next candidate is `tau + 1`.
        let mut tau = t + d;
        while tau > t {
            tau -= 1;
            let row = &avail[tau * R..tau * R + R];
            let mut bad = false;
            for r in 0..R {
                bad |= row[r] < q[r];
            }
            if bad {
                t = tau + 1;
                continue 'search;
            }
        }
        break;
    }
    for row in avail[t * R..(t + d) * R].chunks_exact_mut(R) {
        for r in 0..R {
            row[r] -= q[r];
        }
    }
    t
}

/// [`find`] for any number of resources.
fn find_dyn(avail: &mut [i32], dem: &[i32], nr: usize, t0: usize, d: usize) -> usize {
    let mut t = t0;
    'search: loop {
        let mut tau = t + d;
        while tau > t {
            tau -= 1;
            let row = &avail[tau * nr..tau * nr + nr];
            if row.iter().zip(dem).any(|(a, q)| a < q) {
                t = tau + 1;
                continue 'search;
            }
        }
        break;
    }
    if nr > 0 {
        for row in avail[t * nr..(t + d) * nr].chunks_exact_mut(nr) {
            for (a, q) in row.iter_mut().zip(dem) {
                *a -= q;
            }
        }
    }
    t
}

/// Engine-side feasibility check (precedence distances and capacity per period).
pub(crate) fn feasible(inst: &Instance, starts: &[u32]) -> bool {
    if starts.len() != inst.n {
        return false;
    }
    let s: Vec<i64> = starts.iter().map(|&x| i64::from(x)).collect();
    for j in 0..inst.n {
        for k in inst.fwd.range(j) {
            if s[j] < s[inst.fwd.other[k] as usize] + i64::from(inst.fwd.delta[k]) {
                return false;
            }
        }
    }
    let end = (0..inst.n)
        .map(|j| s[j] + i64::from(inst.dur[j]))
        .max()
        .unwrap_or(0) as usize;
    let nr = inst.nr;
    let mut use_ = vec![0i64; end * nr];
    for j in 0..inst.n {
        for t in s[j] as usize..(s[j] + i64::from(inst.dur[j])) as usize {
            for r in 0..nr {
                use_[t * nr + r] += i64::from(inst.dem[j * nr + r]);
            }
        }
    }
    (0..end).all(|t| (0..nr).all(|r| use_[t * nr + r] <= i64::from(inst.capacity[r].at(t as u32))))
}
