//! Resource leveling of a CPM project: calendar-aware, non-preemptive serial schedule
//! generation with per-resource load profiles, forward-backward improvement and a few
//! seeded randomized passes (deterministic for a given seed).
//!
//! Model: every resource has a maximum number of units (milli-units, 1000 = 100 %) and a
//! calendar; every demand puts `units` of one resource on one task for the whole time the task
//! works (its own calendar, as the CPM engine times it). Tasks are never interrupted. Links
//! (FS/SS/FF/SF with lags) are evaluated as in [`crate::cpm`]: every link type is a lower
//! bound on the successor, so delaying a task never breaks a link to its predecessors, and the
//! serial scheme places tasks only once all their predecessors are placed.
//!
//! Tasks that are not moved: manual and external tasks, tasks with progress (actual start),
//! must-start-on / must-finish-on constraints (kept at their CPM dates, their load reserved
//! first), and tasks of priority [`DO_NOT_LEVEL`] (placed at their link-driven start whatever
//! the load). Everything else is leveled; summary tasks are rolled up from their children.

use crate::calendar::{Calendar, Date, DateTime, Span};
use crate::cpm::{ConstraintKind, Lag, LinkKind, Mode, Project, Schedule, schedule};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// MS Project's priority that means "do not level this task".
pub const DO_NOT_LEVEL: u32 = 1000;
/// Default task priority (MS Project's 500).
pub const DEFAULT_PRIORITY: u32 = 500;
/// One full unit (100 %) in the milli-units used by [`Resource::max_units`] and
/// [`Demand::units`].
pub const UNIT: i64 = 1000;

/// A renewable resource.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Maximum units at any instant, in milli-units (1000 = one full-time person).
    pub max_units: i64,
    /// The resource's working calendar: its daily capacity in the load report.
    pub calendar: Calendar,
}

/// `units` of resource `resource` used by task `task` whenever the task works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demand {
    /// Task index into [`Project::tasks`].
    pub task: u32,
    /// Resource index into [`LevelInput::resources`].
    pub resource: u32,
    /// Milli-units (1000 = 100 %).
    pub units: i64,
}

/// What to level and how hard to try.
#[derive(Debug, Clone)]
pub struct LevelInput {
    /// Resources.
    pub resources: Vec<Resource>,
    /// Assignments of resources to tasks.
    pub demands: Vec<Demand>,
    /// Priority per task, 0..=1000 (higher is placed first; 1000 = do not level). Missing
    /// entries count as [`DEFAULT_PRIORITY`].
    pub priority: Vec<u32>,
    /// Randomized improvement passes after the deterministic priority rules (0 = none).
    pub passes: u32,
    /// Seed of the randomized passes.
    pub seed: u64,
}

impl LevelInput {
    /// Input with the default effort: 4 randomized passes, seed 1.
    pub fn new(resources: Vec<Resource>, demands: Vec<Demand>, priority: Vec<u32>) -> LevelInput {
        LevelInput {
            resources,
            demands,
            priority,
            passes: 4,
            seed: 1,
        }
    }
}

/// One resource's load on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayLoad {
    /// The day.
    pub date: Date,
    /// Unit-minutes of work booked that day (one full unit for an hour = 60).
    pub minutes: i64,
    /// Unit-minutes available that day: the resource calendar's working minutes × max units.
    pub capacity_minutes: i64,
}

/// Something about the leveled plan worth telling the user; never a failure.
#[derive(Debug, Clone, PartialEq)]
pub enum LevelDiagnostic {
    /// One assignment alone asks for more units than the resource has: the task is placed as
    /// if it took the whole resource, and the resource stays over-allocated while it works.
    DemandExceedsCapacity {
        /// Task index.
        task: u32,
        /// Resource index.
        resource: u32,
        /// Requested milli-units.
        units: i64,
        /// Resource maximum, milli-units.
        max_units: i64,
    },
    /// A demand names a task or resource that does not exist; ignored.
    InvalidDemand {
        /// Index into [`LevelInput::demands`].
        demand: u32,
    },
    /// After leveling the resource is still over its maximum in this interval (tasks that are
    /// not leveled, or single demands over capacity).
    OverAllocated {
        /// Resource index.
        resource: u32,
        /// Start of the interval.
        from: DateTime,
        /// End of the interval.
        to: DateTime,
        /// Peak load in the interval, milli-units.
        units: i64,
        /// Resource maximum, milli-units.
        max_units: i64,
    },
    /// Leveling moved a task past a start/finish-no-later-than constraint.
    ConstraintMissed {
        /// Task index.
        task: u32,
        /// The constraint.
        constraint: ConstraintKind,
        /// Its date.
        date: DateTime,
        /// The leveled start.
        start: DateTime,
        /// The leveled finish.
        finish: DateTime,
    },
    /// The leveled task finishes after its deadline.
    DeadlineMissed {
        /// Task index.
        task: u32,
        /// Deadline.
        deadline: DateTime,
        /// Leveled finish.
        finish: DateTime,
    },
}

/// Result of [`level`]; task vectors have one entry per input task (same indices).
#[derive(Debug, Clone)]
pub struct Leveled {
    /// The unleveled CPM schedule (early/late dates, floats).
    pub cpm: Schedule,
    /// Leveled start (summaries: earliest start of their children).
    pub start: Vec<DateTime>,
    /// Leveled finish (summaries: latest finish of their children).
    pub finish: Vec<DateTime>,
    /// Leveling delay: working minutes of the task's calendar from its CPM start to its
    /// leveled start (0 for summaries and tasks that did not move).
    pub delay: Vec<i64>,
    /// Latest leveled finish.
    pub project_finish: DateTime,
    /// Per resource, its load on every day it has work, in date order.
    pub load: Vec<Vec<DayLoad>>,
    /// Diagnostics of the leveling (the CPM ones stay in `cpm.diagnostics`).
    pub diagnostics: Vec<LevelDiagnostic>,
}

/// How a leaf task takes part in leveling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Placed by the leveler.
    Level,
    /// Priority 1000: placed at its link-driven start whatever the load.
    Anchor,
    /// Kept at its CPM dates (manual, external, progress, must-start/finish-on).
    Fixed,
    /// Summary task: rolled up, not placed.
    Summary,
}

/// A link between two leaf tasks.
#[derive(Debug, Clone, Copy)]
struct ELink {
    other: u32,
    kind: LinkKind,
    lag: Lag,
}

/// Piecewise-constant load of one resource over absolute time: `bp[k].1` is the load from
/// `bp[k].0` to `bp[k + 1].0`.
#[derive(Debug, Clone)]
struct Profile {
    bp: Vec<(i64, i64)>,
}

impl Profile {
    fn new() -> Profile {
        Profile {
            bp: vec![(i64::MIN, 0)],
        }
    }

    /// Index of the segment holding instant `t`.
    fn seg(&self, t: i64) -> usize {
        self.bp.partition_point(|b| b.0 <= t) - 1
    }

    /// Makes `t` a breakpoint; returns its index.
    fn split(&mut self, t: i64) -> usize {
        let k = self.seg(t);
        if self.bp[k].0 == t {
            return k;
        }
        let load = self.bp[k].1;
        self.bp.insert(k + 1, (t, load));
        k + 1
    }

    fn add(&mut self, s: i64, f: i64, u: i64) {
        if f <= s || u == 0 {
            return;
        }
        let a = self.split(s);
        let b = self.split(f);
        for seg in &mut self.bp[a..b] {
            seg.1 += u;
        }
    }

    fn end_of(&self, k: usize) -> i64 {
        self.bp.get(k + 1).map_or(i64::MAX, |b| b.0)
    }

    /// If `u` more units do not fit somewhere in `[s, f)`, the end of the first run of
    /// segments where they do not fit (the earliest instant worth retrying from).
    fn conflict_after(&self, s: i64, f: i64, u: i64, cap: i64) -> Option<i64> {
        let mut k = self.seg(s);
        while k < self.bp.len() && self.bp[k].0 < f {
            if self.bp[k].1 + u > cap {
                while k + 1 < self.bp.len() && self.bp[k + 1].1 + u > cap {
                    k += 1;
                }
                return Some(self.end_of(k));
            }
            k += 1;
        }
        None
    }

    /// If `u` more units do not fit somewhere in `[s, f)`, the start of the last run of
    /// segments where they do not fit (the latest finish worth retrying from).
    fn conflict_before(&self, s: i64, f: i64, u: i64, cap: i64) -> Option<i64> {
        if f <= s {
            return None;
        }
        let first = self.seg(s);
        let mut k = self.seg(f - 1);
        loop {
            if self.bp[k].1 + u > cap {
                while k > 0 && self.bp[k - 1].1 + u > cap {
                    k -= 1;
                }
                return Some(self.bp[k].0);
            }
            if k == first {
                return None;
            }
            k -= 1;
        }
    }
}

/// Deterministic generator for the randomized passes (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A complete placement of the leaf tasks.
#[derive(Debug, Clone)]
struct Plan {
    st: Vec<i64>,
    fi: Vec<i64>,
    makespan: i64,
}

struct Leveler<'a> {
    p: &'a Project,
    cpm: &'a Schedule,
    class: Vec<Class>,
    dur: Vec<i64>,
    elapsed: Vec<bool>,
    /// Earliest start: the CPM start (leveling only delays).
    lower: Vec<i64>,
    /// Latest start from SNLT/FNLT constraints: as in the CPM engine, such a constraint wins
    /// over links (the conflict is reported by the CPM engine), but not over resources.
    upper: Vec<i64>,
    /// Topological position (from the CPM order) of each leaf, for ties and cycle breaking.
    pos: Vec<u32>,
    /// Effective priority: own, raised to that of any successor (so that the predecessors
    /// of an important task are not left behind).
    prio: Vec<i64>,
    preds: Vec<Vec<ELink>>,
    succs: Vec<Vec<ELink>>,
    /// Demands per task as (resource, effective milli-units).
    dem: Vec<Vec<(u32, i64)>>,
    cap: Vec<i64>,
    /// Profiles with the fixed tasks' load already booked.
    base: Vec<Profile>,
    order: Vec<u32>,
    /// When every leaf task works on this one calendar with working-time durations and lags,
    /// the search runs on its working-minute positions (plain integer arithmetic); otherwise
    /// on absolute instants with calendar lookups.
    uni: Option<usize>,
    /// Start and finish of every task before leveling (CPM), on the search's time axis.
    init_st: Vec<i64>,
    init_fi: Vec<i64>,
}

impl Leveler<'_> {
    fn cal(&self, i: usize) -> &Calendar {
        let c = self.p.tasks[i].calendar as usize;
        self.p.calendars.get(c).unwrap_or(&self.p.calendars[0])
    }

    fn span(&self, i: usize, m: i64) -> Span {
        if self.elapsed[i] {
            Span::Elapsed(m)
        } else {
            Span::Work(m)
        }
    }

    fn plus_dur(&self, i: usize, t: i64) -> i64 {
        if self.uni.is_some() {
            return t + self.dur[i];
        }
        self.cal(i).add(DateTime(t), self.span(i, self.dur[i])).0
    }

    fn minus_dur(&self, i: usize, t: i64) -> i64 {
        if self.uni.is_some() {
            return t - self.dur[i];
        }
        self.cal(i).add(DateTime(t), self.span(i, -self.dur[i])).0
    }

    /// `t` shifted by the lag of a link into task `succ` from `pred` (sign `dir`), on the
    /// successor's calendar as in the CPM engine.
    fn shift_lag(&self, pred: usize, succ: usize, lag: Lag, dir: i64, t: i64) -> i64 {
        if self.uni.is_some() {
            // Uniform mode has no elapsed lags and no elapsed durations.
            return match lag {
                Lag::Work(n) | Lag::Elapsed(n) => t + dir * n,
                Lag::Percent(pc) => t + dir * (self.dur[pred] as i128 * pc as i128 / 10_000) as i64,
            };
        }
        let span = match lag {
            Lag::Work(0) | Lag::Elapsed(0) | Lag::Percent(0) => return t,
            Lag::Work(n) => Span::Work(dir * n),
            Lag::Elapsed(n) => Span::Elapsed(dir * n),
            Lag::Percent(pc) => {
                let m = (self.dur[pred] as i128 * pc as i128 / 10_000) as i64;
                self.span(pred, dir * m)
            }
        };
        self.cal(succ).add(DateTime(t), span).0
    }

    /// The earliest start of task `j` allowed by its placed predecessors and lower bounds.
    fn earliest(&self, j: usize, st: &[i64], fi: &[i64]) -> i64 {
        let mut t = i64::MIN;
        for l in &self.preds[j] {
            let p = l.other as usize;
            let b = match l.kind {
                LinkKind::FinishStart => self.shift_lag(p, j, l.lag, 1, fi[p]),
                LinkKind::StartStart => self.shift_lag(p, j, l.lag, 1, st[p]),
                LinkKind::FinishFinish => self.minus_dur(j, self.shift_lag(p, j, l.lag, 1, fi[p])),
                LinkKind::StartFinish => self.minus_dur(j, self.shift_lag(p, j, l.lag, 1, st[p])),
            };
            t = t.max(b);
        }
        t.min(self.upper[j]).max(self.lower[j])
    }

    /// The latest finish of task `p` allowed by its placed successors and `horizon`.
    fn latest(&self, p: usize, st: &[i64], fi: &[i64], horizon: i64) -> i64 {
        let mut t = horizon;
        for l in &self.succs[p] {
            let j = l.other as usize;
            let b = match l.kind {
                LinkKind::FinishStart => self.shift_lag(p, j, l.lag, -1, st[j]),
                LinkKind::StartStart => self.plus_dur(p, self.shift_lag(p, j, l.lag, -1, st[j])),
                LinkKind::FinishFinish => self.shift_lag(p, j, l.lag, -1, fi[j]),
                LinkKind::StartFinish => self.plus_dur(p, self.shift_lag(p, j, l.lag, -1, fi[j])),
            };
            t = t.min(b);
        }
        t
    }

    /// Start at the first working minute at or after `t`, and the finish after the duration.
    fn start_finish(&self, i: usize, t: i64) -> (i64, i64) {
        if self.uni.is_some() {
            return (t, t + self.dur[i]);
        }
        let c = self.cal(i);
        if self.elapsed[i] {
            let s = c.next_work_start(DateTime(t)).0;
            return (s, s + self.dur[i]);
        }
        if self.dur[i] == 0 {
            // A milestone may sit at the end of a working period, as in the CPM engine.
            let n = c.next_work_start(DateTime(t)).0;
            if n > t && self.p.tasks[i].milestone && c.previous_work_finish(DateTime(t)).0 == t {
                return (t, t);
            }
            return (n, n);
        }
        let pos = c.position(DateTime(t));
        let s = c.instant_start(pos).0.max(t);
        (s, c.instant_end(pos + self.dur[i]).0)
    }

    /// Finish at the last working minute end at or before `t`, and the start before it.
    fn finish_start(&self, i: usize, t: i64) -> (i64, i64) {
        if self.uni.is_some() {
            return (t, t - self.dur[i]);
        }
        let c = self.cal(i);
        if self.elapsed[i] {
            let f = c.previous_work_finish(DateTime(t)).0;
            return (f, f - self.dur[i]);
        }
        let pos = c.position(DateTime(t));
        let f = c.instant_end(pos).0.min(t);
        if self.dur[i] == 0 {
            return (f, f);
        }
        (f, c.instant_start(pos - self.dur[i]).0)
    }

    /// Serial SGS forward: tasks become eligible once their predecessors are placed, and the
    /// eligible task with the highest priority, then the lowest `key`, is placed as early as
    /// its links and the resources allow.
    fn forward(&self, key: &[i64]) -> Plan {
        let mut st = self.init_st.clone();
        let mut fi = self.init_fi.clone();
        let mut prof = self.base.clone();
        let mut missing: Vec<u32> = self.preds.iter().map(|v| v.len() as u32).collect();
        let mut heap = BinaryHeap::new();
        for &i in &self.order {
            if missing[i as usize] == 0 {
                let iu = i as usize;
                heap.push(Reverse((-self.prio[iu], key[iu], self.pos[iu], i)));
            }
        }
        let mut makespan = i64::MIN;
        while let Some(Reverse((_, _, _, i))) = heap.pop() {
            let i = i as usize;
            match self.class[i] {
                Class::Fixed | Class::Summary => {}
                Class::Anchor => {
                    let (s, f) = self.start_finish(i, self.earliest(i, &st, &fi));
                    st[i] = s;
                    fi[i] = f;
                    for &(r, u) in &self.dem[i] {
                        prof[r as usize].add(s, f, u);
                    }
                }
                Class::Level => {
                    let mut t = self.earliest(i, &st, &fi);
                    let (s, f) = loop {
                        let (s, f) = self.start_finish(i, t);
                        let mut next: Option<i64> = None;
                        if f > s {
                            for &(r, u) in &self.dem[i] {
                                let r = r as usize;
                                if let Some(c) = prof[r].conflict_after(s, f, u, self.cap[r]) {
                                    next = Some(next.map_or(c, |x: i64| x.max(c)));
                                }
                            }
                        }
                        match next {
                            Some(c) if c > t && c < i64::MAX => t = c,
                            _ => break (s, f),
                        }
                    };
                    st[i] = s;
                    fi[i] = f;
                    for &(r, u) in &self.dem[i] {
                        prof[r as usize].add(s, f, u);
                    }
                }
            }
            if self.class[i] != Class::Summary {
                makespan = makespan.max(fi[i]);
            }
            for l in &self.succs[i] {
                let j = l.other as usize;
                missing[j] -= 1;
                if missing[j] == 0 {
                    heap.push(Reverse((-self.prio[j], key[j], self.pos[j], j as u32)));
                }
            }
        }
        Plan { st, fi, makespan }
    }

    /// Serial SGS backward (justification to the right): tasks in decreasing order of their
    /// finish in `plan`, each as late as its successors, the horizon and the resources allow.
    /// Anchored and fixed tasks stay where `plan` put them.
    fn backward(&self, plan: &Plan) -> Plan {
        let mut st = plan.st.clone();
        let mut fi = plan.fi.clone();
        let mut prof = self.base.clone();
        for (i, c) in self.class.iter().enumerate() {
            if *c == Class::Anchor {
                for &(r, u) in &self.dem[i] {
                    prof[r as usize].add(st[i], fi[i], u);
                }
            }
        }
        let mut missing: Vec<u32> = self.succs.iter().map(|v| v.len() as u32).collect();
        let mut heap = BinaryHeap::new();
        for &i in &self.order {
            let iu = i as usize;
            if missing[iu] == 0 {
                heap.push((plan.fi[iu], self.pos[iu], i));
            }
        }
        let mut first = i64::MAX;
        while let Some((_, _, i)) = heap.pop() {
            let i = i as usize;
            if self.class[i] == Class::Level {
                let mut t = self.latest(i, &st, &fi, plan.makespan);
                let (f, s) = loop {
                    let (f, s) = self.finish_start(i, t);
                    let mut next: Option<i64> = None;
                    if f > s {
                        for &(r, u) in &self.dem[i] {
                            let r = r as usize;
                            if let Some(c) = prof[r].conflict_before(s, f, u, self.cap[r]) {
                                next = Some(next.map_or(c, |x: i64| x.min(c)));
                            }
                        }
                    }
                    match next {
                        Some(c) if c < t && c > i64::MIN => t = c,
                        _ => break (f, s),
                    }
                };
                st[i] = s;
                fi[i] = f;
                for &(r, u) in &self.dem[i] {
                    prof[r as usize].add(s, f, u);
                }
            }
            if self.class[i] != Class::Summary {
                first = first.min(st[i]);
            }
            for l in &self.preds[i] {
                let j = l.other as usize;
                missing[j] -= 1;
                if missing[j] == 0 {
                    heap.push((plan.fi[j], self.pos[j], j as u32));
                }
            }
        }
        Plan {
            st,
            fi,
            makespan: plan.makespan,
        }
    }

    /// Forward-backward improvement from a forward plan until it stops shortening.
    fn improve(&self, mut best: Plan, bound: i64) -> Plan {
        for _ in 0..6 {
            if best.makespan <= bound {
                break;
            }
            let back = self.backward(&best);
            let next = self.forward(&back.st);
            if next.makespan < best.makespan {
                best = next;
            } else {
                break;
            }
        }
        best
    }
}

/// Levels `p`: the CPM schedule first, then the resource-feasible placement.
pub fn level(p: &Project, input: &LevelInput) -> Leveled {
    let cpm = schedule(p);
    let n = p.tasks.len();
    let mut diagnostics = Vec::new();

    // Leaves and classes.
    let mut class = vec![Class::Level; n];
    for (i, s) in cpm.summary.iter().enumerate() {
        if *s {
            class[i] = Class::Summary;
        }
    }
    let priority = |i: usize| input.priority.get(i).copied().unwrap_or(DEFAULT_PRIORITY);
    for (i, t) in p.tasks.iter().enumerate() {
        if class[i] == Class::Summary {
            continue;
        }
        let pinned = matches!(t.mode, Mode::Manual { .. } | Mode::External { .. })
            || t.actual_start.is_some()
            || t.actual_finish.is_some()
            || (matches!(t.constraint, ConstraintKind::Mso | ConstraintKind::Mfo)
                && t.constraint_date.is_some());
        if pinned {
            class[i] = Class::Fixed;
        } else if priority(i) >= DO_NOT_LEVEL {
            class[i] = Class::Anchor;
        }
    }

    let mut dur = vec![0i64; n];
    let mut elapsed = vec![false; n];
    for (i, t) in p.tasks.iter().enumerate() {
        dur[i] = t.duration.minutes().max(0);
        elapsed[i] = matches!(t.duration, Span::Elapsed(_));
    }

    // Topological positions from the CPM order (leaves only).
    let mut pos = vec![u32::MAX; n];
    for (k, &i) in cpm.order.iter().enumerate() {
        if let Some(x) = pos.get_mut(i as usize) {
            *x = k as u32;
        }
    }
    // Leaves the CPM order left out (should not happen) act as summaries.
    for i in 0..n {
        if pos[i] == u32::MAX {
            class[i] = Class::Summary;
        }
    }

    // Leaf descendants of every task, for links on summaries.
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (i, t) in p.tasks.iter().enumerate() {
        if let Some(par) = t.parent
            && (par as usize) < n
            && par as usize != i
        {
            children[par as usize].push(i as u32);
        }
    }
    let leaves_of = |i: usize| -> Vec<u32> {
        let mut out = Vec::new();
        let mut stack = vec![i as u32];
        let mut guard = 0usize;
        while let Some(x) = stack.pop() {
            guard += 1;
            if guard > 4 * n + 4 {
                break;
            }
            if class[x as usize] != Class::Summary {
                out.push(x);
            } else {
                stack.extend(children[x as usize].iter().copied());
            }
        }
        out
    };

    // Links between leaves, only those running forward in the CPM order (the CPM engine
    // dropped the others to break cycles).
    let mut preds: Vec<Vec<ELink>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<ELink>> = vec![Vec::new(); n];
    for l in &p.links {
        let (a, b) = (l.pred as usize, l.succ as usize);
        if a >= n || b >= n || a == b {
            continue;
        }
        let la = if class[a] == Class::Summary {
            let leaves = leaves_of(a);
            match l.kind {
                // A start-driven link from a summary comes from its earliest leaf (as in the
                // CPM engine and MS Project).
                LinkKind::StartStart | LinkKind::StartFinish => leaves
                    .iter()
                    .copied()
                    .min_by_key(|&x| (cpm.early_start[x as usize], x))
                    .into_iter()
                    .collect(),
                _ => leaves,
            }
        } else {
            vec![l.pred]
        };
        let lb = if class[b] == Class::Summary {
            leaves_of(b)
        } else {
            vec![l.succ]
        };
        for &x in &la {
            for &y in &lb {
                if x != y && pos[x as usize] < pos[y as usize] {
                    preds[y as usize].push(ELink {
                        other: x,
                        kind: l.kind,
                        lag: l.lag,
                    });
                    succs[x as usize].push(ELink {
                        other: y,
                        kind: l.kind,
                        lag: l.lag,
                    });
                }
            }
        }
    }

    // Demands.
    let cap: Vec<i64> = input.resources.iter().map(|r| r.max_units.max(0)).collect();
    let mut dem: Vec<Vec<(u32, i64)>> = vec![Vec::new(); n];
    for (k, d) in input.demands.iter().enumerate() {
        let (t, r) = (d.task as usize, d.resource as usize);
        if t >= n || r >= cap.len() {
            diagnostics.push(LevelDiagnostic::InvalidDemand { demand: k as u32 });
            continue;
        }
        if d.units <= 0 || class[t] == Class::Summary {
            continue;
        }
        let mut u = d.units;
        if u > cap[r] {
            diagnostics.push(LevelDiagnostic::DemandExceedsCapacity {
                task: d.task,
                resource: d.resource,
                units: d.units,
                max_units: cap[r],
            });
            // Placed as if it took the whole resource; the excess is reported below.
            u = cap[r];
        }
        if u > 0 {
            dem[t].push((d.resource, u));
        }
    }

    // Uniform mode: one calendar for every leaf, working-time durations and lags.
    let mut uni: Option<usize> = None;
    let mut uniform = true;
    for i in 0..n {
        if class[i] == Class::Summary {
            continue;
        }
        let c = p.tasks[i].calendar as usize;
        let c = if c < p.calendars.len() { c } else { 0 };
        if elapsed[i] || p.calendars[c].is_elapsed_fallback() || uni.is_some_and(|u| u != c) {
            uniform = false;
            break;
        }
        uni = Some(c);
    }
    if p.links
        .iter()
        .any(|l| matches!(l.lag, Lag::Elapsed(x) if x != 0))
    {
        uniform = false;
    }
    let uni = if uniform { uni } else { None };
    let axis = |t: i64| match uni {
        Some(c) => p.calendars[c].position(DateTime(t)),
        None => t,
    };

    let mut lv = Leveler {
        p,
        cpm: &cpm,
        class,
        dur,
        elapsed,
        lower: Vec::new(),
        upper: vec![i64::MAX; n],
        pos,
        prio: (0..n)
            .map(|i| i64::from(priority(i).min(DO_NOT_LEVEL)))
            .collect(),
        preds,
        succs,
        dem,
        cap,
        base: vec![Profile::new(); input.resources.len()],
        order: cpm.order.clone(),
        uni,
        init_st: cpm.start.iter().map(|d| axis(d.0)).collect(),
        init_fi: cpm.finish.iter().map(|d| axis(d.0)).collect(),
    };

    // Lower bound: the CPM start. Leveling only delays; the CPM start already holds the
    // project start, status date, SNET/FNET and ALAP placement (and a start-to-finish link may
    // legitimately put a task before the project start, as in the CPM engine).
    // Upper bound on the start from SNLT/FNLT (absolute, then on the axis).
    let lower_abs: Vec<i64> = cpm.start.iter().map(|d| d.0).collect();
    lv.lower = lv.init_st.clone();
    let mut upper_abs = vec![i64::MAX; n];
    for (i, t) in p.tasks.iter().enumerate() {
        if let Some(c) = t.constraint_date {
            match t.constraint {
                ConstraintKind::Snlt => {
                    upper_abs[i] = c.0;
                    lv.upper[i] = axis(c.0);
                }
                ConstraintKind::Fnlt => {
                    upper_abs[i] = lv.cal(i).add(c, lv.span(i, -lv.dur[i])).0;
                    lv.upper[i] = lv.minus_dur(i, axis(c.0));
                }
                _ => {}
            }
        }
    }
    // Effective priorities, raised along predecessors (reverse topological order).
    for &i in cpm.order.iter().rev() {
        let i = i as usize;
        let m = lv.succs[i]
            .iter()
            .map(|l| lv.prio[l.other as usize])
            .max()
            .unwrap_or(i64::MIN);
        lv.prio[i] = lv.prio[i].max(m);
    }
    // Fixed tasks' load is booked first.
    for i in 0..n {
        if lv.class[i] == Class::Fixed {
            for &(r, u) in &lv.dem[i] {
                lv.base[r as usize].add(lv.init_st[i], lv.init_fi[i], u);
            }
        }
    }

    // A lower bound on the makespan, to stop searching once it is reached: the CPM finish
    // and, on a uniform axis, each resource's total work packed from its earliest task.
    let mut bound = axis(cpm.project_finish.0);
    if uni.is_some() {
        for r in 0..lv.cap.len() {
            let (mut work, mut first) = (0i128, i64::MAX);
            for i in 0..n {
                for &(rr, u) in &lv.dem[i] {
                    if rr as usize == r && lv.class[i] != Class::Fixed {
                        work += i128::from(lv.dur[i]) * i128::from(u);
                        first = first.min(lv.lower[i]);
                    }
                }
            }
            if work > 0 && lv.cap[r] > 0 {
                let need = (work + i128::from(lv.cap[r]) - 1) / i128::from(lv.cap[r]);
                bound = bound.max(first.saturating_add(need as i64));
            }
        }
    }

    // Priority rules, each improved by forward-backward passes; the shortest plan wins.
    let ls: Vec<i64> = cpm.late_start.iter().map(|d| axis(d.0)).collect();
    let lf: Vec<i64> = cpm.late_finish.iter().map(|d| axis(d.0)).collect();
    let es: Vec<i64> = cpm.early_start.iter().map(|d| axis(d.0)).collect();
    let mut best = lv.improve(lv.forward(&ls), bound);
    for key in [&lf, &es] {
        if best.makespan <= bound {
            break;
        }
        let cand = lv.improve(lv.forward(key), bound);
        if cand.makespan < best.makespan {
            best = cand;
        }
    }
    let mut rng = Rng(input.seed ^ 0x5DEE_CE66_D1A4_F87B);
    // Noise of up to a fifth of the key range, so nearby tasks trade places.
    let lo_key = ls.iter().copied().min().unwrap_or(0);
    let hi_key = ls.iter().copied().max().unwrap_or(0);
    let span = (hi_key - lo_key).max(1) as u64;
    for _ in 0..input.passes {
        if best.makespan <= bound {
            break;
        }
        let noise = 1 + rng.below(span / 5 + 1);
        let key: Vec<i64> = ls
            .iter()
            .map(|&x| x.saturating_add(rng.below(noise) as i64))
            .collect();
        let cand = lv.improve(lv.forward(&key), bound);
        if cand.makespan < best.makespan {
            best = cand;
        }
    }

    // Back to instants.
    if let Some(c) = uni {
        let cal = &p.calendars[c];
        for i in 0..n {
            match lv.class[i] {
                Class::Level | Class::Anchor if lv.dur[i] > 0 => {
                    best.st[i] = cal.instant_start(best.st[i]).0;
                    best.fi[i] = cal.instant_end(best.fi[i]).0;
                }
                _ => {
                    best.st[i] = cpm.start[i].0;
                    best.fi[i] = cpm.finish[i].0;
                }
            }
        }
        // Zero-duration tasks from their placed predecessors, with the CPM engine's instant
        // rules (a milestone may sit at the end of a working day).
        lv.uni = None;
        lv.lower = lower_abs;
        lv.upper = upper_abs;
        for k in 0..lv.order.len() {
            let i = lv.order[k] as usize;
            if matches!(lv.class[i], Class::Level | Class::Anchor) && lv.dur[i] == 0 {
                let (s, f) = lv.start_finish(i, lv.earliest(i, &best.st, &best.fi));
                best.st[i] = s;
                best.fi[i] = f;
            }
        }
        best.makespan = i64::MIN;
        for i in 0..n {
            if lv.class[i] != Class::Summary {
                best.makespan = best.makespan.max(best.fi[i]);
            }
        }
    }

    let mut out = finish(&lv, best, input, diagnostics);
    drop(lv);
    out.cpm = cpm;
    out
}

/// Rolls up summaries, computes delays, loads and the remaining diagnostics.
fn finish(
    lv: &Leveler<'_>,
    best: Plan,
    input: &LevelInput,
    mut diagnostics: Vec<LevelDiagnostic>,
) -> Leveled {
    let p = lv.p;
    let n = p.tasks.len();
    let mut start: Vec<DateTime> = best.st.iter().map(|&t| DateTime(t)).collect();
    let mut finish: Vec<DateTime> = best.fi.iter().map(|&t| DateTime(t)).collect();
    // Summaries: span of their leaves (children before parents is not guaranteed, so walk up
    // from every leaf).
    let mut sum_s = vec![i64::MAX; n];
    let mut sum_f = vec![i64::MIN; n];
    for i in 0..n {
        if lv.class[i] == Class::Summary {
            continue;
        }
        let mut cur = p.tasks[i].parent;
        let mut guard = 0;
        while let Some(par) = cur {
            let par = par as usize;
            guard += 1;
            if par >= n || guard > n {
                break;
            }
            sum_s[par] = sum_s[par].min(best.st[i]);
            sum_f[par] = sum_f[par].max(best.fi[i]);
            cur = p.tasks[par].parent;
        }
    }
    let mut delay = vec![0i64; n];
    let mut project_finish = i64::MIN;
    for i in 0..n {
        if lv.class[i] == Class::Summary {
            if sum_s[i] <= sum_f[i] {
                start[i] = DateTime(sum_s[i]);
                finish[i] = DateTime(sum_f[i]);
            }
            continue;
        }
        project_finish = project_finish.max(best.fi[i]);
        delay[i] = lv.cal(i).work_between(lv.cpm.start[i], start[i]).max(0);
        let t = &p.tasks[i];
        if let Some(c) = t.constraint_date {
            let missed = match t.constraint {
                ConstraintKind::Snlt => start[i] > c,
                ConstraintKind::Fnlt => finish[i] > c,
                _ => false,
            };
            // Report only what leveling caused; CPM already reports link conflicts.
            let cpm_missed = match t.constraint {
                ConstraintKind::Snlt => lv.cpm.start[i] > c,
                ConstraintKind::Fnlt => lv.cpm.finish[i] > c,
                _ => false,
            };
            if missed && !cpm_missed {
                diagnostics.push(LevelDiagnostic::ConstraintMissed {
                    task: i as u32,
                    constraint: t.constraint,
                    date: c,
                    start: start[i],
                    finish: finish[i],
                });
            }
        }
        if let Some(d) = t.deadline
            && finish[i] > d
            && lv.cpm.finish[i] <= d
        {
            diagnostics.push(LevelDiagnostic::DeadlineMissed {
                task: i as u32,
                deadline: d,
                finish: finish[i],
            });
        }
    }
    if project_finish == i64::MIN {
        project_finish = lv.cpm.project_finish.0;
    }

    // Final profiles with the real demands (including the excess of over-capacity demands).
    let nr = input.resources.len();
    let mut prof = vec![Profile::new(); nr];
    let mut per_res: Vec<Vec<(u32, i64)>> = vec![Vec::new(); nr];
    for d in &input.demands {
        let (t, r) = (d.task as usize, d.resource as usize);
        if t >= n || r >= nr || d.units <= 0 || lv.class[t] == Class::Summary {
            continue;
        }
        prof[r].add(best.st[t], best.fi[t], d.units);
        per_res[r].push((d.task, d.units));
    }
    for (r, pr) in prof.iter().enumerate() {
        let cap = lv.cap[r];
        let mut k = 0;
        while k < pr.bp.len() {
            if pr.bp[k].1 > cap {
                let from = pr.bp[k].0;
                let mut peak = pr.bp[k].1;
                while k + 1 < pr.bp.len() && pr.bp[k + 1].1 > cap {
                    k += 1;
                    peak = peak.max(pr.bp[k].1);
                }
                diagnostics.push(LevelDiagnostic::OverAllocated {
                    resource: r as u32,
                    from: DateTime(from),
                    to: DateTime(pr.end_of(k)),
                    units: peak,
                    max_units: cap,
                });
            }
            k += 1;
        }
    }

    // Daily loads: each task's working minutes per day on its own calendar × units.
    let mut load = Vec::with_capacity(nr);
    for (r, list) in per_res.iter().enumerate() {
        let mut days: Vec<(i64, i64)> = Vec::new();
        for &(t, u) in list {
            let t = t as usize;
            let (s, f) = (best.st[t], best.fi[t]);
            if f <= s {
                continue;
            }
            let cal = lv.cal(t);
            let mut d = DateTime(s).date();
            let last = DateTime(f - 1).date();
            while d <= last {
                let a = s.max(d.at(0).0);
                let b = f.min(d.add_days(1).at(0).0);
                let m = if lv.elapsed[t] {
                    b - a
                } else {
                    cal.work_between(DateTime(a), DateTime(b))
                };
                if m > 0 {
                    days.push((d.0, m * u));
                }
                d = d.add_days(1);
            }
        }
        days.sort_unstable();
        let res = &input.resources[r];
        let mut out: Vec<DayLoad> = Vec::new();
        for (d, mu) in days {
            match out.last_mut() {
                Some(last) if last.date.0 == d => last.minutes += mu,
                _ => out.push(DayLoad {
                    date: Date(d),
                    minutes: mu,
                    capacity_minutes: 0,
                }),
            }
        }
        for dl in &mut out {
            dl.capacity_minutes = res.calendar.day_work(dl.date) * lv.cap[r] / UNIT;
            // Milli-unit-minutes to unit-minutes, rounded.
            dl.minutes = (dl.minutes + UNIT / 2) / UNIT;
        }
        load.push(out);
    }

    Leveled {
        // Filled in by the caller, which owns the CPM schedule.
        cpm: Schedule::default(),
        start,
        finish,
        delay,
        project_finish: DateTime(project_finish),
        load,
        diagnostics,
    }
}
