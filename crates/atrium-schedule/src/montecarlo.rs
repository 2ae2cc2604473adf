//! Monte Carlo schedule risk: three-point task durations, risk events, precedence links
//! with lags, and N seeded iterations of a forward pass, giving finish and cost
//! distributions, criticality and sensitivity per task.
//!
//! The engine is calendar-free: every duration, lag, delay and finish is in *working-time
//! units from the project start* (working days, hours or minutes, the caller's choice; the
//! caller maps finishes back to dates with its calendar). Samples are held in `f32`, so
//! prefer working days or hours: in working minutes, a 10-year project loses sub-minute
//! resolution.
//!
//! How it is fast: the plan is compiled once ([`McPlan::compile`]: topological order,
//! predecessor lists as CSR arrays, precomputed sampler constants); iterations run in
//! blocks of [`LANES`] side by side (structure-of-arrays, one `f32` row per task), so every
//! inner loop runs over the lanes of a block and vectorizes; blocks are grouped in chunks
//! spread over threads with rayon; each chunk runs under `pulp`'s runtime dispatch, so the
//! lane loops use AVX2 where the CPU has it (bit-identical results either way: only IEEE
//! basic operations, never fused). Every iteration draws from its own random stream,
//! seeded from (seed, iteration number), so results are bit-identical for a seed whatever
//! the thread count. Chunk partial sums are reduced in chunk order for the same reason.
//!
//! Sampling is by inverse CDF (triangular: one square root; uniform: one multiply-add);
//! PERT-beta uses exact gamma variates (Marsaglia–Tsang), which is slower but rarely the
//! bulk of a plan. Risk events draw from a second stream per iteration, so adding a risk
//! with probability 0 leaves every task sample unchanged.

mod kernel;
pub mod peer;
pub mod rng;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Iterations run side by side in one block (the vector width the kernel is written for).
pub const LANES: usize = 64;

/// Iterations per unit of parallel work; fixed (not derived from the thread count) so the
/// order of floating-point reductions, hence the result, never depends on the threads.
pub const CHUNK_ITERATIONS: usize = LANES * 8;

/// A duration (or delay, or cost) distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    /// Always this value.
    Fixed(f64),
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular with the given minimum, most likely value and maximum.
    Triangular {
        /// Optimistic value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Pessimistic value.
        max: f64,
    },
    /// PERT-beta (λ = 4): min + (max − min)·Beta(α, β), α = 1 + 4(mode − min)/(max − min),
    /// β = 1 + 4(max − mode)/(max − min); mean (min + 4·mode + max)/6.
    PertBeta {
        /// Optimistic value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Pessimistic value.
        max: f64,
    },
}

impl Dist {
    /// The distribution's mean.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::PertBeta { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
        }
    }

    /// The most likely value (the midpoint for a uniform).
    pub fn most_likely(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { mode, .. } | Dist::PertBeta { mode, .. } => mode,
        }
    }

    fn values(&self) -> [f64; 3] {
        match *self {
            Dist::Fixed(v) => [v, v, v],
            Dist::Uniform { min, max } => [min, 0.5 * (min + max), max],
            Dist::Triangular { min, mode, max } | Dist::PertBeta { min, mode, max } => {
                [min, mode, max]
            }
        }
    }
}

/// Precedence link type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// Successor starts after the predecessor finishes (+ lag).
    FinishStart,
    /// Successor starts after the predecessor starts (+ lag).
    StartStart,
    /// Successor finishes after the predecessor finishes (+ lag).
    FinishFinish,
    /// Successor finishes after the predecessor starts (+ lag).
    StartFinish,
}

/// A precedence link between two tasks (indices into [`McInput::tasks`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    /// Predecessor task index.
    pub pred: usize,
    /// Successor task index.
    pub succ: usize,
    /// Link type.
    pub kind: LinkKind,
    /// Lag in working-time units (negative = lead).
    pub lag: f64,
}

impl Link {
    /// A finish-to-start link without lag.
    pub fn fs(pred: usize, succ: usize) -> Self {
        Link {
            pred,
            succ,
            kind: LinkKind::FinishStart,
            lag: 0.0,
        }
    }

    /// Any link.
    pub fn new(pred: usize, succ: usize, kind: LinkKind, lag: f64) -> Self {
        Link {
            pred,
            succ,
            kind,
            lag,
        }
    }
}

/// One task of the plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct McTask {
    /// Duration distribution.
    pub duration: Dist,
    /// Cost independent of the duration.
    pub fixed_cost: f64,
    /// Cost per working-time unit of duration.
    pub cost_rate: f64,
    /// Earliest start (working-time units from the project start; 0 = project start).
    pub release: f64,
}

impl McTask {
    /// A task with this duration, no cost and no release date.
    pub fn new(duration: Dist) -> Self {
        McTask {
            duration,
            fixed_cost: 0.0,
            cost_rate: 0.0,
            release: 0.0,
        }
    }
}

/// A risk event: with `probability` in an iteration, it delays each task of `tasks` by one
/// sampled `delay` (the same value for all of them: one event, one magnitude) and adds a
/// sampled `cost` (drawn independently of the delay).
#[derive(Clone, Debug, PartialEq)]
pub struct RiskEvent {
    /// Probability of occurrence in [0, 1].
    pub probability: f64,
    /// Delay added to the duration of each affected task when the event occurs.
    pub delay: Dist,
    /// Affected tasks (indices into [`McInput::tasks`]).
    pub tasks: Vec<usize>,
    /// Cost impact when the event occurs.
    pub cost: Dist,
}

/// The plan to simulate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct McInput {
    /// Tasks; their index is their identity in links, risks and results.
    pub tasks: Vec<McTask>,
    /// Precedence links.
    pub links: Vec<Link>,
    /// Risk events.
    pub risks: Vec<RiskEvent>,
}

/// Run options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct McOptions {
    /// Number of iterations.
    pub iterations: usize,
    /// Master seed: same seed, same result (whatever `threads`).
    pub seed: u64,
    /// Worker threads: 0 = rayon's current pool, 1 = this thread only, k = a pool of k.
    pub threads: usize,
    /// Compute the criticality index per task (a backward pass per iteration).
    pub criticality: bool,
    /// Compute the sensitivity (Pearson correlation of duration with finish) per task.
    pub sensitivity: bool,
}

impl Default for McOptions {
    fn default() -> Self {
        McOptions {
            iterations: 10_000,
            seed: 1,
            threads: 0,
            criticality: true,
            sensitivity: true,
        }
    }
}

/// Something the engine corrected or ignored in the input; the run goes on regardless.
#[derive(Clone, Debug, PartialEq)]
pub enum McDiagnostic {
    /// A link names a task that does not exist, or links a task to itself; dropped.
    LinkIgnored {
        /// Index in [`McInput::links`].
        link: usize,
    },
    /// A link closed a cycle and was dropped to obtain a topological order.
    CycleLinkDropped {
        /// Index in [`McInput::links`].
        link: usize,
    },
    /// A task's distribution was not finite; it was replaced by a zero duration.
    NonFiniteDuration {
        /// Task index.
        task: usize,
    },
    /// A distribution's values were out of order (min ≤ mode ≤ max) or negative; they were
    /// sorted and clamped at zero.
    DistributionRepaired {
        /// Task index, or `None` for a risk's delay/cost.
        task: Option<usize>,
        /// Risk index when the distribution belongs to a risk.
        risk: Option<usize>,
    },
    /// A risk's probability was outside [0, 1] or not finite; clamped (NaN → 0).
    ProbabilityClamped {
        /// Risk index.
        risk: usize,
    },
    /// A risk names a task that does not exist; that entry is ignored.
    RiskTaskIgnored {
        /// Risk index.
        risk: usize,
        /// The offending task index.
        task: usize,
    },
    /// A non-finite lag, release, cost or rate was replaced by zero.
    NonFiniteValueZeroed {
        /// Task index (for release/cost) or `None` for a link lag.
        task: Option<usize>,
        /// Link index for a lag.
        link: Option<usize>,
    },
}

/// Per-sample sampler constants, precomputed once (f32 for the vectorized kernels).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sampler {
    Fixed(f32),
    Uniform {
        a: f32,
        w: f32,
    },
    Tri {
        a: f32,
        b: f32,
        fc: f32,
        k1: f32,
        k2: f32,
    },
    Pert {
        a: f64,
        w: f64,
        alpha: f64,
        beta: f64,
    },
}

impl Sampler {
    fn is_zero(&self) -> bool {
        matches!(self, Sampler::Fixed(v) if *v == 0.0)
    }
}

/// A predecessor reference in the CSR arrays: which row (task position) and which value
/// (its start or its finish) constrains the successor, plus the lag.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PredRef {
    pub(crate) pos: u32,
    pub(crate) from_start: bool,
    pub(crate) lag: f32,
}

/// A compiled plan: topological order, CSR predecessor lists and sampler constants. Compile
/// once, run many times (different seeds or iteration counts).
#[derive(Clone, Debug)]
pub struct McPlan {
    n: usize,
    /// `order[pos]` = input task index at topological position `pos`.
    order: Vec<usize>,
    samplers: Vec<Sampler>,
    release: Vec<f32>,
    cost_rate: Vec<f64>,
    fixed_cost_total: f64,
    /// Links constraining the start (FS, SS): CSR over positions.
    start_off: Vec<u32>,
    start_preds: Vec<PredRef>,
    /// Links constraining the finish (FF, SF): CSR over positions.
    fin_off: Vec<u32>,
    fin_preds: Vec<PredRef>,
    /// Risks affecting each position: CSR of risk indices.
    risk_off: Vec<u32>,
    risk_ids: Vec<u32>,
    risk_p: Vec<f32>,
    risk_delay: Vec<Sampler>,
    risk_cost: Vec<Sampler>,
    needs_start: bool,
    has_costs: bool,
    /// Positions that can end the project: no FS/FF successor with a lag ≥ 0 (such a
    /// successor always finishes no earlier), so the project finish is their maximum.
    ends: Vec<u32>,
    /// Reference values that centre the sensitivity sums (limits cancellation).
    dur_ref: Vec<f32>,
    finish_ref: f32,
    deterministic_finish: f64,
    mean_duration_finish: f64,
    diagnostics: Vec<McDiagnostic>,
}

fn finite_or_zero(v: f64, diag: &mut bool) -> f64 {
    if v.is_finite() {
        v
    } else {
        *diag = true;
        0.0
    }
}

/// Sorts the three values, clamps them at zero and builds the sampler.
fn make_sampler(d: &Dist, repaired: &mut bool, nonfinite: &mut bool) -> (Sampler, Dist) {
    let [mut lo, mut mo, mut hi] = d.values();
    if !(lo.is_finite() && mo.is_finite() && hi.is_finite()) {
        *nonfinite = true;
        return (Sampler::Fixed(0.0), Dist::Fixed(0.0));
    }
    if lo < 0.0 || mo < 0.0 || hi < 0.0 || lo > mo || mo > hi {
        *repaired = true;
        let mut v = [lo.max(0.0), mo.max(0.0), hi.max(0.0)];
        v.sort_by(f64::total_cmp);
        [lo, mo, hi] = v;
    }
    let dist = match d {
        Dist::Fixed(_) => Dist::Fixed(lo),
        Dist::Uniform { .. } => Dist::Uniform { min: lo, max: hi },
        Dist::Triangular { .. } => Dist::Triangular {
            min: lo,
            mode: mo,
            max: hi,
        },
        Dist::PertBeta { .. } => Dist::PertBeta {
            min: lo,
            mode: mo,
            max: hi,
        },
    };
    if hi - lo <= 0.0 || matches!(d, Dist::Fixed(_)) {
        return (Sampler::Fixed(lo as f32), Dist::Fixed(lo));
    }
    let w = hi - lo;
    let s = match d {
        Dist::Fixed(_) => Sampler::Fixed(lo as f32),
        Dist::Uniform { .. } => Sampler::Uniform {
            a: lo as f32,
            w: w as f32,
        },
        Dist::Triangular { .. } => Sampler::Tri {
            a: lo as f32,
            b: hi as f32,
            fc: ((mo - lo) / w) as f32,
            k1: (w * (mo - lo)) as f32,
            k2: (w * (hi - mo)) as f32,
        },
        Dist::PertBeta { .. } => Sampler::Pert {
            a: lo,
            w,
            alpha: 1.0 + 4.0 * (mo - lo) / w,
            beta: 1.0 + 4.0 * (hi - mo) / w,
        },
    };
    (s, dist)
}

impl McPlan {
    /// Compiles a plan: validates and repairs the input (see [`McDiagnostic`]), computes a
    /// topological order (dropping links that close cycles) and lays out the CSR arrays.
    pub fn compile(input: &McInput) -> McPlan {
        let n = input.tasks.len();
        let mut diagnostics = Vec::new();

        // Valid links only.
        let mut links: Vec<(usize, Link)> = Vec::with_capacity(input.links.len());
        for (i, l) in input.links.iter().enumerate() {
            if l.pred >= n || l.succ >= n || l.pred == l.succ {
                diagnostics.push(McDiagnostic::LinkIgnored { link: i });
                continue;
            }
            let mut bad = false;
            let lag = finite_or_zero(l.lag, &mut bad);
            if bad {
                diagnostics.push(McDiagnostic::NonFiniteValueZeroed {
                    task: None,
                    link: Some(i),
                });
            }
            links.push((i, Link { lag, ..*l }));
        }

        // Topological order: Kahn's algorithm taking the smallest ready index first, so an
        // already ordered plan keeps its order (and its memory locality). A cycle is broken
        // by dropping the remaining incoming links of its smallest task.
        let mut succ_off = vec![0u32; n + 1];
        for (_, l) in &links {
            succ_off[l.pred + 1] += 1;
        }
        for i in 0..n {
            succ_off[i + 1] += succ_off[i];
        }
        let mut fill = succ_off.clone();
        let mut succ_list = vec![0usize; links.len()];
        for (k, (_, l)) in links.iter().enumerate() {
            succ_list[fill[l.pred] as usize] = k;
            fill[l.pred] += 1;
        }
        let mut indeg = vec![0u32; n];
        for (_, l) in &links {
            indeg[l.succ] += 1;
        }
        let mut dropped = vec![false; links.len()];
        let mut done = vec![false; n];
        let mut heap: BinaryHeap<Reverse<usize>> =
            (0..n).filter(|&i| indeg[i] == 0).map(Reverse).collect();
        let mut order = Vec::with_capacity(n);
        let mut next_unplaced = 0usize;
        while order.len() < n {
            let Some(Reverse(t)) = heap.pop() else {
                // Cycle: free the smallest unplaced task by dropping its incoming links.
                while done[next_unplaced] {
                    next_unplaced += 1;
                }
                let t = next_unplaced;
                for (k, (orig, l)) in links.iter().enumerate() {
                    if l.succ == t && !dropped[k] && !done[l.pred] {
                        dropped[k] = true;
                        diagnostics.push(McDiagnostic::CycleLinkDropped { link: *orig });
                    }
                }
                indeg[t] = 0;
                heap.push(Reverse(t));
                continue;
            };
            if done[t] {
                continue;
            }
            done[t] = true;
            order.push(t);
            for &k in &succ_list[succ_off[t] as usize..succ_off[t + 1] as usize] {
                if dropped[k] {
                    continue;
                }
                let s = links[k].1.succ;
                indeg[s] -= 1;
                if indeg[s] == 0 && !done[s] {
                    heap.push(Reverse(s));
                }
            }
        }
        let mut pos_of = vec![0usize; n];
        for (p, &t) in order.iter().enumerate() {
            pos_of[t] = p;
        }

        // Per-task constants in topological position order.
        let mut samplers = Vec::with_capacity(n);
        let mut release = Vec::with_capacity(n);
        let mut cost_rate = Vec::with_capacity(n);
        let mut dur_ref = Vec::with_capacity(n);
        let mut fixed_cost_total = 0.0;
        let mut mode_dur = vec![0.0f64; n];
        let mut mean_dur = vec![0.0f64; n];
        for (p, &t) in order.iter().enumerate() {
            let task = &input.tasks[t];
            let (mut rep, mut nonfin) = (false, false);
            let (s, d) = make_sampler(&task.duration, &mut rep, &mut nonfin);
            if nonfin {
                diagnostics.push(McDiagnostic::NonFiniteDuration { task: t });
            } else if rep {
                diagnostics.push(McDiagnostic::DistributionRepaired {
                    task: Some(t),
                    risk: None,
                });
            }
            samplers.push(s);
            mode_dur[p] = d.most_likely();
            mean_dur[p] = d.mean();
            dur_ref.push(d.mean() as f32);
            let mut bad = false;
            release.push(finite_or_zero(task.release, &mut bad).max(0.0) as f32);
            fixed_cost_total += finite_or_zero(task.fixed_cost, &mut bad);
            cost_rate.push(finite_or_zero(task.cost_rate, &mut bad));
            if bad {
                diagnostics.push(McDiagnostic::NonFiniteValueZeroed {
                    task: Some(t),
                    link: None,
                });
            }
        }

        // CSR predecessor arrays, split by the end of the successor they constrain.
        let mut start_lists: Vec<Vec<PredRef>> = vec![Vec::new(); n];
        let mut fin_lists: Vec<Vec<PredRef>> = vec![Vec::new(); n];
        let mut needs_start = false;
        for (k, (_, l)) in links.iter().enumerate() {
            if dropped[k] {
                continue;
            }
            let from_start = matches!(l.kind, LinkKind::StartStart | LinkKind::StartFinish);
            needs_start |= from_start;
            let r = PredRef {
                pos: pos_of[l.pred] as u32,
                from_start,
                lag: l.lag as f32,
            };
            match l.kind {
                LinkKind::FinishStart | LinkKind::StartStart => start_lists[pos_of[l.succ]].push(r),
                LinkKind::FinishFinish | LinkKind::StartFinish => fin_lists[pos_of[l.succ]].push(r),
            }
        }
        let mut dominated = vec![false; n];
        for (k, (_, l)) in links.iter().enumerate() {
            if !dropped[k]
                && l.lag >= 0.0
                && matches!(l.kind, LinkKind::FinishStart | LinkKind::FinishFinish)
            {
                dominated[pos_of[l.pred]] = true;
            }
        }
        let ends = (0..n as u32).filter(|&p| !dominated[p as usize]).collect();
        let (start_off, start_preds) = to_csr(start_lists);
        let (fin_off, fin_preds) = to_csr(fin_lists);

        // Risks.
        let mut risk_lists: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut risk_p = Vec::with_capacity(input.risks.len());
        let mut risk_delay = Vec::with_capacity(input.risks.len());
        let mut risk_cost = Vec::with_capacity(input.risks.len());
        for (r, risk) in input.risks.iter().enumerate() {
            let p = if risk.probability.is_nan() {
                0.0
            } else {
                risk.probability.clamp(0.0, 1.0)
            };
            if p != risk.probability {
                diagnostics.push(McDiagnostic::ProbabilityClamped { risk: r });
            }
            risk_p.push(p as f32);
            let (mut rep, mut nonfin) = (false, false);
            let (sd, _) = make_sampler(&risk.delay, &mut rep, &mut nonfin);
            let (sc, _) = make_sampler(&risk.cost, &mut rep, &mut nonfin);
            if rep || nonfin {
                diagnostics.push(McDiagnostic::DistributionRepaired {
                    task: None,
                    risk: Some(r),
                });
            }
            risk_delay.push(sd);
            risk_cost.push(sc);
            for &t in &risk.tasks {
                if t >= n {
                    diagnostics.push(McDiagnostic::RiskTaskIgnored { risk: r, task: t });
                } else if !risk_lists[pos_of[t]].contains(&(r as u32)) {
                    risk_lists[pos_of[t]].push(r as u32);
                }
            }
        }
        let (risk_off, risk_ids) = to_csr(risk_lists);
        let has_costs =
            cost_rate.iter().any(|&c| c != 0.0) || risk_cost.iter().any(|s| !s.is_zero());

        let mut plan = McPlan {
            n,
            order,
            samplers,
            release,
            cost_rate,
            fixed_cost_total,
            start_off,
            start_preds,
            fin_off,
            fin_preds,
            risk_off,
            risk_ids,
            risk_p,
            risk_delay,
            risk_cost,
            needs_start,
            has_costs,
            ends,
            dur_ref,
            finish_ref: 0.0,
            deterministic_finish: 0.0,
            mean_duration_finish: 0.0,
            diagnostics,
        };
        plan.deterministic_finish = plan.scalar_pass(&mode_dur);
        plan.mean_duration_finish = plan.scalar_pass(&mean_dur);
        plan.finish_ref = plan.mean_duration_finish as f32;
        plan
    }

    /// One forward pass in f64 with the given durations (by position); the project finish.
    fn scalar_pass(&self, dur: &[f64]) -> f64 {
        let n = self.n;
        let mut es = vec![0.0f64; n];
        let mut ef = vec![0.0f64; n];
        let mut finish = 0.0f64;
        for p in 0..n {
            let mut s = f64::from(self.release[p]);
            for r in &self.start_preds[self.start_off[p] as usize..self.start_off[p + 1] as usize] {
                let v = if r.from_start {
                    es[r.pos as usize]
                } else {
                    ef[r.pos as usize]
                };
                s = s.max(v + f64::from(r.lag));
            }
            let mut f = s + dur[p];
            for r in &self.fin_preds[self.fin_off[p] as usize..self.fin_off[p + 1] as usize] {
                let v = if r.from_start {
                    es[r.pos as usize]
                } else {
                    ef[r.pos as usize]
                };
                f = f.max(v + f64::from(r.lag));
            }
            es[p] = f - dur[p];
            ef[p] = f;
            finish = finish.max(f);
        }
        finish
    }

    /// Number of tasks.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when the plan has no task.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Input task indices in the topological order used by the engine.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Deterministic finish with every task at its most likely duration and no risk.
    pub fn deterministic_finish(&self) -> f64 {
        self.deterministic_finish
    }

    /// Deterministic finish with every task at its mean duration and no risk.
    pub fn mean_duration_finish(&self) -> f64 {
        self.mean_duration_finish
    }

    /// What was repaired or ignored while compiling.
    pub fn diagnostics(&self) -> &[McDiagnostic] {
        &self.diagnostics
    }

    /// Runs the simulation.
    pub fn run(&self, opts: &McOptions) -> McResult {
        kernel::run(self, opts)
    }
}

fn to_csr<T>(lists: Vec<Vec<T>>) -> (Vec<u32>, Vec<T>) {
    let mut off = Vec::with_capacity(lists.len() + 1);
    off.push(0u32);
    let mut flat = Vec::new();
    for l in lists {
        flat.extend(l);
        off.push(flat.len() as u32);
    }
    (off, flat)
}

/// Compiles and runs in one call.
pub fn simulate(input: &McInput, opts: &McOptions) -> McResult {
    McPlan::compile(input).run(opts)
}

/// A sampled quantity (finish or cost): the samples in iteration order and sorted.
#[derive(Clone, Debug, PartialEq)]
pub struct Samples {
    /// One value per iteration, in iteration order.
    pub values: Vec<f64>,
    sorted: Vec<f64>,
}

/// An equal-width histogram.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// Left edge of the first bin.
    pub start: f64,
    /// Bin width (0 when all samples are equal: then a single bin holds them all).
    pub width: f64,
    /// Count per bin; the last bin includes its right edge.
    pub counts: Vec<u64>,
}

impl Samples {
    /// Wraps per-iteration values.
    pub fn new(values: Vec<f64>) -> Self {
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        Samples { values, sorted }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there is no sample.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Samples in ascending order.
    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    /// Quantile `q` in [0, 1], linear interpolation between order statistics (numpy's
    /// default `percentile` method), so figures compare directly with numpy's. NaN when
    /// there is no sample.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.sorted.len();
        if n == 0 {
            return f64::NAN;
        }
        let h = q.clamp(0.0, 1.0) * (n - 1) as f64;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(n - 1);
        let f = h - lo as f64;
        self.sorted[lo] + f * (self.sorted[hi] - self.sorted[lo])
    }

    /// P10, P20, …, P90.
    pub fn deciles(&self) -> [f64; 9] {
        std::array::from_fn(|i| self.quantile((i + 1) as f64 / 10.0))
    }

    /// Fraction of iterations with a value ≤ `x` (e.g. probability of finishing by `x`).
    pub fn prob_le(&self, x: f64) -> f64 {
        if self.sorted.is_empty() {
            return f64::NAN;
        }
        let k = self.sorted.partition_point(|&v| v <= x);
        k as f64 / self.sorted.len() as f64
    }

    /// Mean.
    pub fn mean(&self) -> f64 {
        self.values.iter().sum::<f64>() / self.values.len() as f64
    }

    /// Population standard deviation (numpy's default `std`).
    pub fn std(&self) -> f64 {
        let m = self.mean();
        (self.values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / self.values.len() as f64)
            .sqrt()
    }

    /// Smallest sample.
    pub fn min(&self) -> f64 {
        self.sorted.first().copied().unwrap_or(f64::NAN)
    }

    /// Largest sample.
    pub fn max(&self) -> f64 {
        self.sorted.last().copied().unwrap_or(f64::NAN)
    }

    /// Standard error of quantile `q`: √(q(1−q)/N) / density, the density being estimated
    /// from the spread of neighbouring quantiles (q ± 0.05).
    pub fn quantile_std_error(&self, q: f64) -> f64 {
        let n = self.sorted.len() as f64;
        let (lo, hi) = ((q - 0.05).max(0.0), (q + 0.05).min(1.0));
        let inv_density = (self.quantile(hi) - self.quantile(lo)) / (hi - lo);
        (q * (1.0 - q) / n).sqrt() * inv_density
    }

    /// Equal-width histogram of `bins` bins from the minimum to the maximum.
    pub fn histogram(&self, bins: usize) -> Histogram {
        let bins = bins.max(1);
        let (lo, hi) = (self.min(), self.max());
        if self.sorted.is_empty() || hi <= lo {
            return Histogram {
                start: lo,
                width: 0.0,
                counts: vec![self.sorted.len() as u64],
            };
        }
        let width = (hi - lo) / bins as f64;
        let mut counts = vec![0u64; bins];
        for &v in &self.sorted {
            let b = (((v - lo) / width) as usize).min(bins - 1);
            counts[b] += 1;
        }
        Histogram {
            start: lo,
            width,
            counts,
        }
    }
}

/// Result of a run. Per-task vectors are indexed like [`McInput::tasks`].
#[derive(Clone, Debug, PartialEq)]
pub struct McResult {
    /// Iterations run.
    pub iterations: usize,
    /// Seed used.
    pub seed: u64,
    /// Project finish per iteration (working-time units from the project start).
    pub finish: Samples,
    /// Project cost per iteration (fixed costs + rate × duration + risk costs).
    pub cost: Samples,
    /// Criticality index per task: the fraction of iterations in which the task lies on a
    /// driving path to the project finish (all tied paths count). `None` if not requested.
    pub criticality: Option<Vec<f64>>,
    /// Sensitivity per task: Pearson correlation between the task's sampled duration
    /// (including risk delays) and the project finish; 0 for a constant duration. `None`
    /// if not requested.
    pub sensitivity: Option<Vec<f64>>,
    /// Mean sampled duration per task (risk delays included); `None` without sensitivity.
    pub mean_duration: Option<Vec<f64>>,
    /// Fraction of iterations in which each risk occurred.
    pub risk_occurrence: Vec<f64>,
    /// Deterministic finish (most likely durations, no risks), for reference.
    pub deterministic_finish: f64,
    /// What was repaired or ignored in the input.
    pub diagnostics: Vec<McDiagnostic>,
}

impl McResult {
    /// Probability of finishing by `t` (working-time units from the project start).
    pub fn prob_finish_by(&self, t: f64) -> f64 {
        self.finish.prob_le(t)
    }
}
