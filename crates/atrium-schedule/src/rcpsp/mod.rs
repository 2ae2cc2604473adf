//! Resource-constrained project scheduling (RCPSP) on integer periods: the model, its
//! compilation into a fast internal form, resource-free CPM, priority rules, serial and
//! parallel schedule-generation schemes (SGS), double justification (forward-backward
//! improvement) and a seeded genetic algorithm.
//!
//! Conventions:
//! * Time is an integer period index starting at 0. An activity that starts at `s` with
//!   duration `d` occupies periods `s .. s + d` and finishes at `s + d`.
//! * Renewable resources have a capacity per period given as a step function
//!   ([`Capacity`]), so working calendars can be mapped onto it.
//! * Every link kind (FS/SS/FF/SF with a lag) is a minimum start-to-start distance
//!   `S_succ >= S_pred + delta` once durations are fixed, so the schedulers only ever see
//!   such distances. Links must form an acyclic graph; cycles are broken with a diagnostic.
//! * Effort is counted in *schedules*: one schedule is one SGS pass, forward or backward.
//!   A double justification therefore costs two schedules (Kolisch & Hartmann 2006).
//!
//! The engine never fails on a bad plan: [`Instance::new`] repairs what it must (drops
//! bad links, clamps impossible demands) and records a [`Diagnostic`] for each repair.

// Index loops over parallel per-activity arrays read better than zipped iterators here.
#![allow(clippy::needless_range_loop)]

mod ga;
mod sgs;

pub use ga::{Solution, SolveOptions};
use sgs::Workspace;

/// Capacity of one renewable resource per period: `base` until the first change, then
/// each `(from_period, units)` change holds until the next one. Changes need not be sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capacity {
    pub base: u32,
    pub changes: Vec<(u32, u32)>,
}

impl Capacity {
    /// The same capacity in every period.
    pub fn constant(units: u32) -> Self {
        Self {
            base: units,
            changes: Vec::new(),
        }
    }

    /// Units available in period `t`.
    pub fn at(&self, t: u32) -> u32 {
        let mut best: Option<(u32, u32)> = None;
        for &(from, units) in &self.changes {
            if from <= t && best.is_none_or(|(f, _)| from >= f) {
                best = Some((from, units));
            }
        }
        best.map_or(self.base, |(_, u)| u)
    }

    /// Capacity from the last change on (it holds forever).
    pub fn tail(&self) -> u32 {
        self.changes
            .iter()
            .max_by_key(|c| c.0)
            .map_or(self.base, |c| c.1)
    }
}

/// One activity: a duration in periods and a demand per resource (missing entries are 0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Activity {
    pub duration: u32,
    pub demands: Vec<u32>,
}

/// Precedence link types (MS Project semantics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    FinishToStart,
    StartToStart,
    FinishToFinish,
    StartToFinish,
}

/// A precedence link from `pred` to `succ` with a lag in periods (may be negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub pred: usize,
    pub succ: usize,
    pub kind: LinkKind,
    pub lag: i32,
}

impl Link {
    /// Finish-to-start, zero lag: the PSPLIB relation.
    pub fn fs(pred: usize, succ: usize) -> Self {
        Self {
            pred,
            succ,
            kind: LinkKind::FinishToStart,
            lag: 0,
        }
    }

    /// The minimum start-to-start distance this link imposes given the durations.
    fn delta(&self, d_pred: i64, d_succ: i64) -> i64 {
        let lag = i64::from(self.lag);
        match self.kind {
            LinkKind::FinishToStart => d_pred + lag,
            LinkKind::StartToStart => lag,
            LinkKind::FinishToFinish => d_pred + lag - d_succ,
            LinkKind::StartToFinish => lag - d_succ,
        }
    }
}

/// An RCPSP as the caller describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problem {
    pub activities: Vec<Activity>,
    pub resources: Vec<Capacity>,
    pub links: Vec<Link>,
}

/// Something [`Instance::new`] had to repair in the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    /// A link names an activity that does not exist, or links an activity to itself; dropped.
    InvalidLink { link: usize },
    /// A link closes a cycle; dropped.
    CycleBroken { link: usize },
    /// An activity lists more demands than there are resources; the extra ones are ignored.
    ExtraDemands { activity: usize },
    /// An activity needs more of a resource than it will ever have from some period on;
    /// it is scheduled as if it needed only `capacity`.
    DemandClamped {
        activity: usize,
        resource: usize,
        demand: u32,
        capacity: u32,
    },
    /// Durations, lags or capacity change points are so large that periods would overflow;
    /// values were capped.
    TooLarge,
}

/// Priority rules. All are "smallest value first", ties to the lower activity index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorityRule {
    /// Latest finish time (resource-free CPM, horizon = critical-path length).
    Lft,
    /// Latest start time.
    Lst,
    /// Minimum total slack (LS − ES), static.
    MinSlack,
    /// Greatest rank positional weight: own duration plus the durations of all immediate
    /// successors, largest first.
    Grpw,
    /// Earliest start time.
    Est,
    /// Activity index (the input order).
    Index,
}

impl PriorityRule {
    /// Parse `lft`, `lst`, `minslack`/`slack`, `grpw`, `est`, `index`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "lft" => Some(Self::Lft),
            "lst" => Some(Self::Lst),
            "minslack" | "slack" | "mslk" => Some(Self::MinSlack),
            "grpw" => Some(Self::Grpw),
            "est" => Some(Self::Est),
            "index" => Some(Self::Index),
            _ => None,
        }
    }
}

/// Resource-free critical path times (periods). `ls`/`lf` use the critical-path length as
/// the horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpm {
    pub es: Vec<i64>,
    pub ls: Vec<i64>,
    pub length: i64,
}

impl Cpm {
    /// Latest finish of activity `j`.
    pub fn lf(&self, inst: &Instance, j: usize) -> i64 {
        self.ls[j] + i64::from(inst.dur[j])
    }
}

/// A schedule: a start period per activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub starts: Vec<u32>,
    pub makespan: u32,
}

/// Minimum start-to-start distances in CSR form, one direction of the project.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dir {
    /// `off[j] .. off[j + 1]` indexes the constraints of activity `j`.
    pub(crate) off: Vec<u32>,
    /// The other activity of each constraint (a predecessor in this direction).
    pub(crate) other: Vec<u32>,
    /// `S_j >= S_other + delta`.
    pub(crate) delta: Vec<i32>,
}

impl Dir {
    fn build(n: usize, edges: &[(usize, usize, i64)]) -> Self {
        let mut count = vec![0u32; n + 1];
        for &(_, to, _) in edges {
            count[to + 1] += 1;
        }
        for j in 0..n {
            count[j + 1] += count[j];
        }
        let mut fill = count.clone();
        let mut other = vec![0u32; edges.len()];
        let mut delta = vec![0i32; edges.len()];
        for &(from, to, d) in edges {
            let k = fill[to] as usize;
            other[k] = from as u32;
            delta[k] = clamp_i32(d);
            fill[to] += 1;
        }
        Self {
            off: count,
            other,
            delta,
        }
    }

    #[inline]
    pub(crate) fn range(&self, j: usize) -> std::ops::Range<usize> {
        self.off[j] as usize..self.off[j + 1] as usize
    }
}

/// Periods are kept below this so every sum fits an `i32` with room to spare.
const MAX_PERIOD: i64 = 1 << 26;

fn clamp_i32(v: i64) -> i32 {
    v.clamp(-MAX_PERIOD, MAX_PERIOD) as i32
}

/// A compiled problem, ready for the schedulers. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Instance {
    pub(crate) n: usize,
    pub(crate) nr: usize,
    pub(crate) dur: Vec<i32>,
    /// `n * nr`, row per activity.
    pub(crate) dem: Vec<i32>,
    pub(crate) fwd: Dir,
    pub(crate) bwd: Dir,
    /// Forward capacity, `horizon * nr`, row per period.
    pub(crate) cap: Vec<i32>,
    pub(crate) horizon: usize,
    /// Capacity as given (for the reversed, time-varying backward pass).
    pub(crate) capacity: Vec<Capacity>,
    pub(crate) tail: Vec<i32>,
    pub(crate) constant: bool,
    /// Periods where some capacity changes (sorted, deduplicated).
    pub(crate) change_points: Vec<i32>,
    /// A topological order of the activities (Kahn, lowest index first).
    pub(crate) topo: Vec<u32>,
    /// Some distance is negative: start order may then contradict precedence order.
    pub(crate) negative: bool,
    diagnostics: Vec<Diagnostic>,
}

impl Instance {
    /// Compile `problem`. Never fails: repairs are listed in [`Instance::diagnostics`].
    pub fn new(problem: &Problem) -> Self {
        let n = problem.activities.len();
        let nr = problem.resources.len();
        let mut diagnostics = Vec::new();
        let mut too_large = false;

        let dur: Vec<i32> = problem
            .activities
            .iter()
            .map(|a| {
                let d = i64::from(a.duration);
                if d > MAX_PERIOD / 64 {
                    too_large = true;
                }
                d.min(MAX_PERIOD / 64) as i32
            })
            .collect();

        let capacity: Vec<Capacity> = problem
            .resources
            .iter()
            .map(|c| {
                let mut c = c.clone();
                for ch in &mut c.changes {
                    if i64::from(ch.0) > MAX_PERIOD / 4 {
                        too_large = true;
                        ch.0 = (MAX_PERIOD / 4) as u32;
                    }
                }
                c.changes.sort_by_key(|x| x.0);
                // Keep the last entry of equal change points, as `Capacity::at` does.
                let mut dedup: Vec<(u32, u32)> = Vec::with_capacity(c.changes.len());
                for ch in c.changes {
                    match dedup.last_mut() {
                        Some(last) if last.0 == ch.0 => *last = ch,
                        _ => dedup.push(ch),
                    }
                }
                c.changes = dedup;
                c
            })
            .collect();
        let tail: Vec<i32> = capacity
            .iter()
            .map(|c| c.tail().min(i32::MAX as u32 / 4) as i32)
            .collect();

        let mut dem = vec![0i32; n * nr];
        for (j, a) in problem.activities.iter().enumerate() {
            if a.demands.len() > nr {
                diagnostics.push(Diagnostic::ExtraDemands { activity: j });
            }
            for (r, &q) in a.demands.iter().take(nr).enumerate() {
                // A zero-duration activity uses nothing, whatever it asks for.
                let q = if dur[j] == 0 { 0 } else { q };
                let cap = tail[r] as u32;
                let q = if q > cap {
                    diagnostics.push(Diagnostic::DemandClamped {
                        activity: j,
                        resource: r,
                        demand: q,
                        capacity: cap,
                    });
                    cap
                } else {
                    q
                };
                dem[j * nr + r] = q as i32;
            }
        }

        // Links: validate, then break cycles by dropping back edges of a DFS in index order.
        let mut edges: Vec<(usize, usize, i64, usize)> = Vec::with_capacity(problem.links.len());
        for (k, l) in problem.links.iter().enumerate() {
            if l.pred >= n || l.succ >= n || l.pred == l.succ {
                diagnostics.push(Diagnostic::InvalidLink { link: k });
                continue;
            }
            let d = l.delta(i64::from(dur[l.pred]), i64::from(dur[l.succ]));
            if d.abs() > MAX_PERIOD / 64 {
                too_large = true;
            }
            edges.push((
                l.pred,
                l.succ,
                d.clamp(-MAX_PERIOD / 64, MAX_PERIOD / 64),
                k,
            ));
        }
        let dropped = back_edges(n, &edges);
        for &k in &dropped {
            diagnostics.push(Diagnostic::CycleBroken { link: edges[k].3 });
        }
        let edges: Vec<(usize, usize, i64)> = edges
            .iter()
            .enumerate()
            .filter(|(i, _)| dropped.binary_search(i).is_err())
            .map(|(_, e)| (e.0, e.1, e.2))
            .collect();
        if too_large {
            diagnostics.push(Diagnostic::TooLarge);
        }

        let fwd = Dir::build(n, &edges);
        let rev: Vec<(usize, usize, i64)> = edges
            .iter()
            .map(|&(i, j, d)| (j, i, d + i64::from(dur[j]) - i64::from(dur[i])))
            .collect();
        let bwd = Dir::build(n, &rev);

        let mut change_points: Vec<i32> = capacity
            .iter()
            .flat_map(|c| c.changes.iter().map(|x| x.0 as i32))
            .filter(|&t| t > 0)
            .collect();
        change_points.sort_unstable();
        change_points.dedup();
        let constant = capacity
            .iter()
            .all(|c| c.changes.iter().all(|x| x.1 == c.base));

        // Horizon: a serial or parallel SGS never places an activity later than
        // max(last change, latest finish so far) + its largest incoming positive distance,
        // so this bound (either direction) covers every pass; see `sgs.rs`.
        let last_change = i64::from(change_points.last().copied().unwrap_or(0));
        let mut pos_in = vec![0i64; n];
        for &(i, j, d) in &edges {
            pos_in[j] = pos_in[j].max(d);
            let rd = d + i64::from(dur[j]) - i64::from(dur[i]);
            pos_in[i] = pos_in[i].max(rd);
        }
        let sum: i64 = (0..n).map(|j| i64::from(dur[j]) + pos_in[j]).sum();
        let horizon = (last_change + sum + 2).min(MAX_PERIOD) as usize;

        let mut cap = vec![0i32; horizon * nr];
        if nr > 0 {
            for (r, c) in capacity.iter().enumerate() {
                let mut t = 0usize;
                let mut units = c.base.min(i32::MAX as u32 / 4) as i32;
                let mut k = 0;
                while t < horizon {
                    while k < c.changes.len() && c.changes[k].0 as usize <= t {
                        units = c.changes[k].1.min(i32::MAX as u32 / 4) as i32;
                        k += 1;
                    }
                    let until = c
                        .changes
                        .get(k)
                        .map_or(horizon, |x| (x.0 as usize).min(horizon));
                    for tt in t..until {
                        cap[tt * nr + r] = units;
                    }
                    t = until.max(t + 1);
                }
            }
        }

        let topo = topo_order(n, &fwd, &bwd);
        let negative = fwd.delta.iter().chain(&bwd.delta).any(|&d| d < 0);

        Self {
            n,
            nr,
            dur,
            dem,
            fwd,
            bwd,
            cap,
            horizon,
            capacity,
            tail,
            constant,
            change_points,
            topo,
            negative,
            diagnostics,
        }
    }

    /// Number of activities.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when there are no activities.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Number of resources.
    pub fn resources(&self) -> usize {
        self.nr
    }

    /// Repairs made while compiling.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Effective demand of activity `j` on resource `r` (after clamping).
    pub fn demand(&self, j: usize, r: usize) -> u32 {
        self.dem[j * self.nr + r] as u32
    }

    /// Duration of activity `j`.
    pub fn duration(&self, j: usize) -> u32 {
        self.dur[j] as u32
    }

    /// Resource-free critical path method.
    pub fn cpm(&self) -> Cpm {
        let n = self.n;
        let mut es = vec![0i64; n];
        for &j in &self.topo {
            let j = j as usize;
            for k in self.fwd.range(j) {
                let i = self.fwd.other[k] as usize;
                es[j] = es[j].max(es[i] + i64::from(self.fwd.delta[k]));
            }
        }
        let length = (0..n)
            .map(|j| es[j] + i64::from(self.dur[j]))
            .max()
            .unwrap_or(0);
        let mut ls: Vec<i64> = (0..n).map(|j| length - i64::from(self.dur[j])).collect();
        for &j in self.topo.iter().rev() {
            let j = j as usize;
            for k in self.bwd.range(j) {
                // Backward constraint j -> i: S'_i >= S'_j + delta', i.e. i is a successor.
                let s = self.bwd.other[k] as usize;
                let delta =
                    i64::from(self.bwd.delta[k]) - i64::from(self.dur[s]) + i64::from(self.dur[j]);
                // Forward distance from j to s: S_s >= S_j + delta.
                ls[j] = ls[j].min(ls[s] - delta);
            }
        }
        Cpm { es, ls, length }
    }

    /// Priority values for `rule` (smaller goes first; ties to the lower index).
    pub fn priorities(&self, rule: PriorityRule) -> Vec<i64> {
        let cpm = self.cpm();
        match rule {
            PriorityRule::Lft => (0..self.n).map(|j| cpm.lf(self, j)).collect(),
            PriorityRule::Lst => cpm.ls.clone(),
            PriorityRule::MinSlack => (0..self.n).map(|j| cpm.ls[j] - cpm.es[j]).collect(),
            PriorityRule::Est => cpm.es.clone(),
            PriorityRule::Index => (0..self.n as i64).collect(),
            PriorityRule::Grpw => (0..self.n)
                .map(|j| {
                    let mut w = i64::from(self.dur[j]);
                    for k in self.bwd.range(j) {
                        w += i64::from(self.dur[self.bwd.other[k] as usize]);
                    }
                    -w
                })
                .collect(),
        }
    }

    /// A precedence-feasible activity list: repeatedly take the eligible activity with the
    /// smallest key (ties to the lower index).
    pub fn list_from_keys(&self, keys: &[i64]) -> Vec<usize> {
        let mut ws = Workspace::new(self);
        let mut list = Vec::with_capacity(self.n);
        ws.list_from_keys(self, keys, &mut list);
        list.into_iter().map(|j| j as usize).collect()
    }

    /// Serial SGS on a precedence-feasible activity list (one schedule). Activities missing
    /// from the list, or listed before a predecessor, are appended in topological order.
    pub fn serial_sgs(&self, list: &[usize]) -> Schedule {
        let mut ws = Workspace::new(self);
        let list = self.repair_list(list);
        let mut starts = vec![0i32; self.n];
        let mk = ws.serial_forward(self, &list, &mut starts);
        to_schedule(&starts, mk)
    }

    /// Serial SGS with a priority rule, one pass.
    pub fn serial_rule(&self, rule: PriorityRule) -> Schedule {
        let keys = self.priorities(rule);
        self.serial_sgs(&self.list_from_keys(&keys))
    }

    /// Parallel SGS with a priority rule, one pass.
    pub fn parallel_rule(&self, rule: PriorityRule) -> Schedule {
        let keys = self.priorities(rule);
        let mut ws = Workspace::new(self);
        let mut starts = vec![0i32; self.n];
        let mk = ws.parallel_forward(self, &keys, &mut starts);
        to_schedule(&starts, mk)
    }

    /// Double justification of a feasible schedule (two schedules: right-justify in order
    /// of decreasing finish, then left-justify in order of increasing start). The result is
    /// never longer than the input.
    pub fn justify(&self, schedule: &Schedule) -> Schedule {
        let mut ws = Workspace::new(self);
        let mut starts: Vec<i32> = schedule
            .starts
            .iter()
            .map(|&s| s.min(MAX_PERIOD as u32) as i32)
            .collect();
        starts.resize(self.n, 0);
        let mk = ws.double_justify(self, &mut starts, schedule.makespan as i32);
        to_schedule(&starts, mk)
    }

    /// Regret-based biased random sampling (Drexl 1991) with the serial or parallel SGS:
    /// `passes` schedules, the best is returned.
    pub fn sample(&self, rule: PriorityRule, parallel: bool, passes: usize, seed: u64) -> Schedule {
        let keys = self.priorities(rule);
        let mut ws = Workspace::new(self);
        let mut rng = ga::Rng::new(seed);
        let mut starts = vec![0i32; self.n];
        let mut best: Option<(i32, Vec<i32>)> = None;
        let mut list = Vec::with_capacity(self.n);
        for pass in 0..passes.max(1) {
            let mk = if pass == 0 {
                // The first pass is the deterministic rule itself.
                if parallel {
                    ws.parallel_forward(self, &keys, &mut starts)
                } else {
                    ws.list_from_keys(self, &keys, &mut list);
                    ws.serial_forward(self, &list, &mut starts)
                }
            } else if parallel {
                let noisy = ws.regret_keys(self, &keys, &mut rng);
                ws.parallel_forward(self, &noisy, &mut starts)
            } else {
                ws.biased_list(self, &keys, &mut rng, &mut list);
                ws.serial_forward(self, &list, &mut starts)
            };
            if best.as_ref().is_none_or(|b| mk < b.0) {
                best = Some((mk, starts.clone()));
            }
        }
        match best {
            Some((mk, s)) => to_schedule(&s, mk),
            None => to_schedule(&starts, 0),
        }
    }

    /// Check `schedule` against precedence and per-period capacity (engine-side check).
    pub fn is_feasible(&self, schedule: &Schedule) -> bool {
        sgs::feasible(self, &schedule.starts)
    }

    /// Make a list precedence-feasible: keep the given order where possible.
    fn repair_list(&self, list: &[usize]) -> Vec<u32> {
        let mut keys = vec![i64::MAX; self.n];
        for (pos, &j) in list.iter().enumerate() {
            if j < self.n && keys[j] == i64::MAX {
                keys[j] = pos as i64;
            }
        }
        let mut ws = Workspace::new(self);
        let mut out = Vec::with_capacity(self.n);
        ws.list_from_keys(self, &keys, &mut out);
        out
    }
}

pub(crate) fn to_schedule(starts: &[i32], makespan: i32) -> Schedule {
    Schedule {
        starts: starts.iter().map(|&s| s.max(0) as u32).collect(),
        makespan: makespan.max(0) as u32,
    }
}

/// Indices (into `edges`, sorted) of DFS back edges: dropping them leaves a DAG.
fn back_edges(n: usize, edges: &[(usize, usize, i64, usize)]) -> Vec<usize> {
    let mut off = vec![0usize; n + 1];
    for e in edges {
        off[e.0 + 1] += 1;
    }
    for j in 0..n {
        off[j + 1] += off[j];
    }
    let mut fill = off.clone();
    let mut adj = vec![0usize; edges.len()];
    for (k, e) in edges.iter().enumerate() {
        adj[fill[e.0]] = k;
        fill[e.0] += 1;
    }
    // 0 = new, 1 = on stack, 2 = done. Iterative to survive deep graphs.
    let mut state = vec![0u8; n];
    let mut dropped = Vec::new();
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        stack.push((root, off[root]));
        while let Some(top) = stack.last_mut() {
            let (v, pos) = *top;
            if pos < off[v + 1] {
                top.1 += 1;
                let k = adj[pos];
                let w = edges[k].1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, off[w]));
                    }
                    1 => dropped.push(k),
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    dropped.sort_unstable();
    dropped
}

fn topo_order(n: usize, fwd: &Dir, bwd: &Dir) -> Vec<u32> {
    let mut indeg: Vec<u32> = (0..n).map(|j| fwd.range(j).len() as u32).collect();
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<u32>> = (0..n as u32)
        .filter(|&j| indeg[j as usize] == 0)
        .map(std::cmp::Reverse)
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(std::cmp::Reverse(j)) = heap.pop() {
        order.push(j);
        for k in bwd.range(j as usize) {
            let s = bwd.other[k] as usize;
            indeg[s] -= 1;
            if indeg[s] == 0 {
                heap.push(std::cmp::Reverse(s as u32));
            }
        }
    }
    order
}
