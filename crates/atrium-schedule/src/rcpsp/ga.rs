//! The RCPSP metaheuristic: a bi-population genetic algorithm on activity lists with
//! justification, after Debels & Vanhoucke's BPGA/DBGA (left- and right-justified
//! populations) and Valls, Ballestín & Quintanilla's hybrid GA (peak crossover).
//!
//! * Two populations: left-justified schedules (forward lists) and right-justified ones
//!   (backward lists). Parents come from one population; the child is decoded by the serial
//!   SGS in that direction (one schedule) and justified into the other direction (one
//!   schedule: activities in order of decreasing finish, shifted as far as they go), so
//!   every child costs two schedules and is always a justified schedule.
//! * Each individual carries a decoder gene (serial or parallel SGS), as in Hartmann's
//!   self-adapting GA: a child inherits its mother's gene, flipped with a small
//!   probability, and is decoded by that SGS in its direction (the parallel one gives
//!   non-delay schedules); the justification pass that follows is serial as always.
//!   Selection lets each instance settle on the mix that suits it.
//! * Equal makespans are ranked by a secondary key, the work-weighted sum of squared finish
//!   times (in the individual's direction), in replacement and in tournaments.
//! * Crossover: peak crossover (keep the mother's most resource-dense time window, the rest
//!   in the father's order) or Hartmann's two-point crossover; about six adjacent swaps
//!   per child as mutation. (μ+λ) replacement without duplicate schedules.
//! * Hopeless children (far behind the target population) are not justified, and the
//!   populations restart from fresh regret-biased LFT samples (keeping the best two) when
//!   they have collapsed or the best has stalled.
//!
//! Effort is a budget of schedules; every forward or backward SGS pass counts as one,
//! justification passes included. Islands run independent populations on derived seeds
//! (in parallel with rayon when there are several); the best island wins, ties to the
//! lower island number, so the result depends only on the seed, budget and island count.

// Index loops over parallel per-activity arrays read better than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use super::sgs::Workspace;
use super::{Instance, PriorityRule, Schedule, to_schedule};
use rayon::prelude::*;

/// Share of children made by peak crossover (the rest: two-point crossover).
const PEAK_SHARE: f64 = 0.7;
/// Peak window length as a fraction of the mother's makespan: uniform in
/// `PEAK_MIN .. PEAK_MIN + PEAK_SPAN`.
const PEAK_MIN: f64 = 0.1;
const PEAK_SPAN: f64 = 0.3;
/// Expected adjacent swaps per child (probability per list position: this over n).
/// Measured at 5,000 schedules (seed 1), j30/j60/j90/j120: 1 swap gave 0.071/11.09/10.55/
/// 32.68 %, 6 swaps 0.064/11.07/10.48/32.56 %; 7-12 made j30 or j60 worse.
const MUTATION_SWAPS: f64 = 6.0;
/// Share of individuals with the parallel-SGS gene in a fresh population. Measured at
/// 5,000 schedules (all instances) as a fixed share per child, before the gene became
/// inherited, j30/j60/j120: 0 gave 0.082/11.08/32.63 % (seed 1); 0.2 gave 0.051/10.92/
/// 32.27 %, 0.3 gave 0.036/10.94/32.26 % (seed 1); 0.45 and 0.6 gave j120 32.24/32.30 %.
const PARALLEL_SHARE: f64 = 0.3;
/// Probability that a child's decoder gene differs from its mother's. With the secondary
/// key (linear form), j120 at 5,000 (seed 1): 0.1 gave 32.011 %, 0.05 32.028 %, 0.15
/// 32.057 %; on another random stream 0.1 gave 31.93 %, 0.03 32.25 % and a fixed 30 %
/// share 32.11 %.
const GENE_FLIP: f64 = 0.1;
/// Restart after this many schedules per activity without a new best.
const STALL_PER_ACTIVITY: f64 = 20.0;
/// Population size (that of a 5,000-schedule budget) above which the stall limit grows.
const STALL_POP: f64 = 48.0;
/// Tournament size for parent selection. Measured at 5,000 schedules, seeds 1-3, with
/// `GENERATION_SHARE` 0.25, j30/j60/j120: 0.038/10.932/32.218 % on average, against
/// 0.041/10.928/32.273 % for binary tournaments with full generations. Alone, size 3 gave
/// j120 32.165 % (seed 1) and 32.292 % (seed 2); size 4 gave 32.214 % (seed 1).
const TOURNAMENT: usize = 3;
/// Children per generation as a share of the population size: shorter generations
/// alternate between the two populations more often. j120 at 5,000 (seed 1): 2.0 gave
/// 32.356 %, 1.0 32.261 %, 0.5 32.242 %, 0.25 32.216 %, 0.1 32.207 %.
const GENERATION_SHARE: f64 = 0.25;
/// Individuals kept from each population at a restart.
const RESTART_KEEP: usize = 2;
/// A decoded child worse than the other population's worst by more than this fraction is
/// not justified.
const HOPELESS: f64 = 0.03;

/// Population size per side for a budget: measured best about 20 at 1,000 schedules, 50
/// at 5,000 and 150+ at 50,000 (PSPLIB j30/j120).
fn population_size(budget: usize) -> usize {
    let p = 20.0 * (budget as f64 / 1000.0).powf(0.55);
    (p.round() as usize).clamp(8, 200)
}

/// Small, fast, seedable PRNG (xoshiro256++ seeded through SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self {
            s: [next(), next(), next(), next()],
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Options for [`Instance::solve`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SolveOptions {
    /// Budget in schedules (SGS passes, justification passes included).
    pub schedules: usize,
    pub seed: u64,
    /// Independent populations, run in parallel; the budget is split between them.
    pub islands: usize,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            schedules: 5000,
            seed: 0,
            islands: 1,
        }
    }
}

/// Result of [`Instance::solve`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    pub schedule: Schedule,
    /// Schedules actually generated (less than the budget when a lower bound was reached).
    pub schedules_used: usize,
    /// The lower bound used for early stopping (critical path / resource work bound).
    pub lower_bound: u32,
}

/// An individual: an activity list in its own direction (forward = left-justified
/// population, backward = right-justified population), the starts of its decoded schedule
/// in that direction's time (`key`), and that schedule's makespan.
#[derive(Debug, Clone)]
struct Ind {
    list: Vec<u32>,
    key: Vec<i32>,
    fit: i32,
    hash: u64,
    /// Tie-break among equal makespans, smaller is better: see [`Ga::secondary`].
    sec: i64,
    /// Decoder gene: children of this individual (as mother) are decoded by the parallel
    /// SGS when set, by the serial one otherwise.
    parallel: bool,
}

impl Ind {
    /// Ranking key: makespan, then the secondary key.
    fn rank(&self) -> (i32, i64) {
        (self.fit, self.sec)
    }
}

fn hash_starts(starts: &[i32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &s in starts {
        h = (h ^ s as u32 as u64).wrapping_mul(0x0000_0100_0000_01B3);
        h ^= h >> 29;
    }
    h
}

impl Instance {
    /// Simple lower bound: critical path and, for constant capacities, total work per
    /// resource over capacity.
    pub fn lower_bound(&self) -> u32 {
        let mut lb = self.cpm().length.max(0);
        if self.constant {
            for r in 0..self.nr {
                let cap = i64::from(self.tail[r]);
                if cap > 0 {
                    let work: i64 = (0..self.n)
                        .map(|j| i64::from(self.dur[j]) * i64::from(self.dem[j * self.nr + r]))
                        .sum();
                    lb = lb.max((work + cap - 1) / cap);
                }
            }
        }
        lb.min(i64::from(u32::MAX)) as u32
    }

    /// Genetic algorithm with double justification, within `opts.schedules` schedules.
    /// Deterministic for a given seed, budget and island count.
    pub fn solve(&self, opts: &SolveOptions) -> Solution {
        let islands = opts.islands.max(1);
        let lb = self.lower_bound() as i32;
        let per = (opts.schedules / islands).max(1);
        let run = |k: usize| {
            let seed = opts
                .seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(k as u64);
            Ga::new(self, per, seed, lb).run()
        };
        let results: Vec<(i32, Vec<i32>, usize)> = if islands == 1 {
            vec![run(0)]
        } else {
            (0..islands).into_par_iter().map(run).collect()
        };
        let used = results.iter().map(|r| r.2).sum();
        let best = results
            .into_iter()
            .enumerate()
            .min_by_key(|(k, r)| (r.0, *k))
            .map(|(_, r)| r);
        match best {
            Some((mk, starts, _)) => Solution {
                schedule: to_schedule(&starts, mk),
                schedules_used: used,
                lower_bound: lb.max(0) as u32,
            },
            None => Solution {
                schedule: to_schedule(&vec![0; self.n], 0),
                schedules_used: 0,
                lower_bound: lb.max(0) as u32,
            },
        }
    }
}

struct Ga<'a> {
    inst: &'a Instance,
    ws: Workspace,
    rng: Rng,
    budget: usize,
    used: usize,
    lb: i32,
    best: Option<(i32, Vec<i32>)>,
    taken: Vec<bool>,
    keys: Vec<i64>,
    util: Vec<f64>,
    /// Anchor for backward passes from scratch (only matters for time-varying capacity).
    anchor: usize,
    /// Per activity: duration times total demand (its work), for [`Self::secondary`].
    work: Vec<i64>,
}

impl<'a> Ga<'a> {
    fn new(inst: &'a Instance, budget: usize, seed: u64, lb: i32) -> Self {
        Self {
            inst,
            ws: Workspace::new(inst),
            rng: Rng::new(seed),
            budget,
            used: 0,
            lb,
            best: None,
            taken: vec![false; inst.n],
            keys: vec![0; inst.n],
            util: Vec::new(),
            anchor: inst.horizon,
            work: (0..inst.n)
                .map(|j| {
                    let d: i64 = (0..inst.nr)
                        .map(|r| i64::from(inst.dem[j * inst.nr + r]))
                        .sum();
                    d.saturating_mul(i64::from(inst.dur[j]))
                })
                .collect(),
        }
    }

    fn done(&self) -> bool {
        self.used + 2 > self.budget || self.best.as_ref().is_some_and(|b| b.0 <= self.lb)
    }

    /// Record a schedule if it is the best so far. `key` is in `forward`'s time.
    fn offer(&mut self, forward: bool, key: &[i32], fit: i32) {
        if self.best.as_ref().is_some_and(|b| b.0 <= fit) {
            return;
        }
        let inst = self.inst;
        if forward {
            self.best = Some((fit, key.to_vec()));
        } else if inst.constant {
            // A right-justified schedule shifted to start at 0.
            let starts = (0..inst.n).map(|j| fit - key[j] - inst.dur[j]).collect();
            self.best = Some((fit, starts));
        }
    }

    /// Decode `list` in direction `forward` (one schedule).
    fn decode(&mut self, forward: bool, list: &[u32]) -> (Vec<i32>, i32) {
        let inst = self.inst;
        let mut key = vec![0i32; inst.n];
        let fit = self
            .ws
            .serial_dir(inst, forward, list, &mut key, self.anchor);
        self.used += 1;
        self.offer(forward, &key, fit);
        (key, fit)
    }

    /// Decode `list` in direction `forward` with the parallel SGS, list positions as
    /// priorities (one schedule).
    fn decode_parallel(&mut self, forward: bool, list: &[u32]) -> (Vec<i32>, i32) {
        let inst = self.inst;
        for (pos, &j) in list.iter().enumerate() {
            self.keys[j as usize] = pos as i64;
        }
        let keys = std::mem::take(&mut self.keys);
        let mut key = vec![0i32; inst.n];
        let fit = self.ws.parallel_dir(inst, forward, &keys, &mut key);
        self.keys = keys;
        self.used += 1;
        self.offer(forward, &key, fit);
        (key, fit)
    }

    /// Justify a schedule given in direction `forward` into the other direction (one
    /// schedule): the activities in order of decreasing finish, shifted as far as they go.
    fn justify(&mut self, forward: bool, key: &[i32], fit: i32) -> Ind {
        let inst = self.inst;
        // Start order in the other direction = decreasing finish in this one.
        let mut other = vec![0i32; inst.n];
        for j in 0..inst.n {
            other[j] = fit - key[j] - inst.dur[j];
        }
        let mut list = Vec::with_capacity(inst.n);
        self.ws.list_by_time(inst, !forward, &other, &mut list);
        let fit2 = self
            .ws
            .serial_dir(inst, !forward, &list, &mut other, fit.max(0) as usize);
        self.used += 1;
        self.offer(!forward, &other, fit2);
        // Re-encode as the new schedule's start order.
        self.ws.list_by_time(inst, !forward, &other, &mut list);
        let hash = hash_starts(&other);
        let sec = self.secondary(&other);
        Ind {
            list,
            key: other,
            fit: fit2,
            hash,
            sec,
            parallel: false,
        }
    }

    /// Secondary key of a schedule (starts `key` in its own direction): the sum of squared
    /// finish times weighted by work (duration times total demand). Among schedules of
    /// equal makespan, the one that gets its heavy activities done early leaves the most
    /// room at the end, where the makespan is decided, so its children shorten it more
    /// often; squaring stresses the end. Measured at 5,000 schedules, j120 seed 1 with a
    /// fixed 30 % parallel share: 32.23 % without a tie-break, 32.21 % with the plain sum
    /// of starts, 32.11 % with work-weighted finishes. With the decoder gene, seeds 1-3:
    /// 32.011/32.016/32.042 % with linear finishes, 31.988/32.009/32.007 % squared; work
    /// per unit of capacity instead of raw demand gave 32.086 % (seed 1).
    fn secondary(&self, key: &[i32]) -> i64 {
        let inst = self.inst;
        // Saturating: huge horizons or demands must not overflow (ties then stay ties).
        (0..inst.n)
            .map(|j| {
                let f = i64::from(key[j] + inst.dur[j]);
                f.saturating_mul(f).saturating_mul(self.work[j])
            })
            .fold(0i64, i64::saturating_add)
    }

    fn run(mut self) -> (i32, Vec<i32>, usize) {
        let inst = self.inst;
        let n = inst.n;
        if n == 0 || self.budget < 2 {
            let mut starts = vec![0; n];
            let mk = if n == 0 {
                0
            } else {
                let list = inst.topo.clone();
                self.ws.serial_forward(inst, &list, &mut starts)
            };
            return (mk, starts, usize::from(n > 0));
        }
        let pop_size = population_size(self.budget);
        let lft = inst.priorities(PriorityRule::Lft);
        // pops[0]: left-justified (forward lists), pops[1]: right-justified (backward).
        let mut pops: [Vec<Ind>; 2] = [Vec::new(), Vec::new()];
        let mut list = Vec::with_capacity(n);
        self.ws.list_from_keys(inst, &lft, &mut list);
        self.seed_population(&mut pops, pop_size, &lft, Some(list));

        // Large budgets have larger populations, which need proportionally more schedules
        // per generation before a stall is meaningful (measured on j60 at 50,000).
        let stall = STALL_PER_ACTIVITY * n as f64 * (pop_size as f64 / STALL_POP).max(1.0);
        let mut side = 0usize;
        let mut last_best = i32::MAX;
        let mut improved_at = 0usize;
        while !self.done() {
            // Restart (keeping the best few) when both populations have collapsed to one
            // makespan or the best has not improved for a while: small instances converge
            // long before the budget is spent.
            let best_now = self.best.as_ref().map_or(i32::MAX, |b| b.0);
            if best_now < last_best {
                last_best = best_now;
                improved_at = self.used;
            }
            let stuck = (self.used - improved_at) as f64 > stall;
            let converged = pops.iter().all(|p| {
                p.len() >= pop_size
                    && p.last().map_or(0, |x| x.fit) == p.first().map_or(0, |x| x.fit)
            });
            // Tiny projects have few distinct schedules, so deduplication can leave a side
            // without two parents; refill it (this always spends budget, so the loop ends).
            let starved = pops[side].len() < 2;
            if stuck || converged || starved {
                improved_at = self.used;
                pops[0].truncate(RESTART_KEEP);
                pops[1].truncate(RESTART_KEEP);
                self.seed_population(&mut pops, pop_size, &lft, None);
            }
            // Children of one population are decoded in its direction and justified into
            // the other one (bi-population scheme).
            let forward = side == 0;
            let src = std::mem::take(&mut pops[side]);
            if src.len() >= 2 {
                let mut children = Vec::with_capacity(pop_size);
                let generation = ((pop_size as f64 * GENERATION_SHARE).round() as usize).max(1);
                while children.len() < generation && !self.done() {
                    let a = self.tournament(&src);
                    let mut b = self.tournament(&src);
                    if b == a {
                        b = (a + 1 + self.rng.below(src.len() - 1)) % src.len();
                    }
                    let child = if self.rng.f64() < PEAK_SHARE {
                        self.peak_crossover(&src[a], &src[b])
                    } else {
                        self.two_point(&src[a], &src[b])
                    };
                    let child = self.mutate(forward, child);
                    // The decoder gene comes from the mother, sometimes flipped: the
                    // parallel SGS (non-delay schedules) suits tightly constrained
                    // instances, the serial one the others (Hartmann 2002 lets the GA
                    // choose). Backward parallel passes only for constant capacity.
                    let parallel = src[a].parallel ^ (self.rng.f64() < GENE_FLIP);
                    let (key, fit) = if (forward || inst.constant) && parallel {
                        self.decode_parallel(forward, &child)
                    } else {
                        self.decode(forward, &child)
                    };
                    let target = &pops[1 - side];
                    let worst = target.last().map_or(i32::MAX, |w| w.fit);
                    if target.len() >= pop_size
                        && f64::from(fit) > f64::from(worst) * (1.0 + HOPELESS)
                    {
                        // Justification rarely gains more than a few percent: a child this
                        // far behind would not enter the other population, so do not
                        // spend a schedule on it.
                        continue;
                    }
                    let mut j1 = self.justify(forward, &key, fit);
                    j1.parallel = parallel;
                    children.push(j1);
                }
                pops[1 - side].extend(children);
                select(&mut pops[1 - side], pop_size);
            }
            pops[side] = src;
            side = 1 - side;
        }
        let used = self.used;
        match self.best {
            Some((mk, starts)) => (mk, starts, used),
            None => (0, vec![0; n], used),
        }
    }

    /// Fill both populations up to `pop_size` with regret-biased LFT samples (`first`, if
    /// given, goes in first): each is decoded forward (left population) and justified
    /// backward (right population). Two schedules each.
    fn seed_population(
        &mut self,
        pops: &mut [Vec<Ind>; 2],
        pop_size: usize,
        lft: &[i64],
        mut first: Option<Vec<u32>>,
    ) {
        let inst = self.inst;
        let n = inst.n;
        while (pops[0].len() < pop_size || pops[1].len() < pop_size) && !self.done() {
            let list = match first.take() {
                Some(l) => l,
                None => {
                    let mut l = Vec::with_capacity(n);
                    self.ws.biased_list(inst, lft, &mut self.rng, &mut l);
                    l
                }
            };
            let (key, fit) = self.decode(true, &list);
            let mut r = self.justify(true, &key, fit);
            let hash = hash_starts(&key);
            let sec = self.secondary(&key);
            let mut l = list;
            self.ws.list_by_time(inst, true, &key, &mut l);
            let parallel = self.rng.f64() < PARALLEL_SHARE;
            r.parallel = parallel;
            pops[0].push(Ind {
                list: l,
                key,
                fit,
                hash,
                sec,
                parallel,
            });
            pops[1].push(r);
        }
        select(&mut pops[0], pop_size);
        select(&mut pops[1], pop_size);
    }

    fn tournament(&mut self, pop: &[Ind]) -> usize {
        let mut a = self.rng.below(pop.len());
        for _ in 1..TOURNAMENT {
            let b = self.rng.below(pop.len());
            if pop[b].rank() < pop[a].rank() {
                a = b;
            }
        }
        a
    }

    /// Hartmann's two-point crossover on activity lists (keeps precedence feasibility).
    fn two_point(&mut self, mother: &Ind, father: &Ind) -> Vec<u32> {
        let n = self.inst.n;
        let mut q1 = self.rng.below(n + 1);
        let mut q2 = self.rng.below(n + 1);
        if q1 > q2 {
            std::mem::swap(&mut q1, &mut q2);
        }
        self.taken.iter_mut().for_each(|t| *t = false);
        let mut child = Vec::with_capacity(n);
        for &j in &mother.list[..q1] {
            self.taken[j as usize] = true;
            child.push(j);
        }
        for &j in &father.list {
            if child.len() >= q2 {
                break;
            }
            if !self.taken[j as usize] {
                self.taken[j as usize] = true;
                child.push(j);
            }
        }
        for &j in &mother.list {
            if !self.taken[j as usize] {
                self.taken[j as usize] = true;
                child.push(j);
            }
        }
        child
    }

    /// Peak crossover: keep the mother's most resource-dense time window (its activities
    /// in the mother's order), and take everything before and after it in the father's
    /// order. The part before the window is predecessor-closed (in the list's direction),
    /// so the child is precedence-feasible.
    fn peak_crossover(&mut self, mother: &Ind, father: &Ind) -> Vec<u32> {
        let inst = self.inst;
        let n = inst.n;
        let mk = mother.fit.max(1) as usize;
        let nr = inst.nr;
        self.util.clear();
        self.util.resize(mk, 0.0);
        for j in 0..n {
            let s = mother.key[j].max(0) as usize;
            let d = inst.dur[j] as usize;
            let mut w = 0.0;
            for r in 0..nr {
                let cap = inst.tail[r].max(1) as f64;
                w += f64::from(inst.dem[j * nr + r]) / cap;
            }
            for u in self.util.iter_mut().skip(s).take(d) {
                *u += w;
            }
        }
        let len = ((mk as f64) * (PEAK_MIN + PEAK_SPAN * self.rng.f64())).ceil() as usize;
        let len = len.clamp(1, mk);
        let mut best_a = 0;
        let mut cur: f64 = self.util[..len].iter().sum();
        let mut best = cur;
        for a in 1..=(mk - len) {
            cur += self.util[a + len - 1] - self.util[a - 1];
            if cur > best + 1e-9 {
                best = cur;
                best_a = a;
            }
        }
        let (lo, hi) = (best_a as i32, (best_a + len) as i32);
        let mut child = Vec::with_capacity(n);
        for &j in &father.list {
            if mother.key[j as usize] < lo {
                child.push(j);
            }
        }
        for &j in &mother.list {
            let s = mother.key[j as usize];
            if s >= lo && s < hi {
                child.push(j);
            }
        }
        for &j in &father.list {
            if mother.key[j as usize] >= hi {
                child.push(j);
            }
        }
        child
    }

    /// Swap neighbours that are not linked, with a small probability per position; then,
    /// if distances can be negative, restore precedence order.
    fn mutate(&mut self, forward: bool, mut list: Vec<u32>) -> Vec<u32> {
        let inst = self.inst;
        let n = list.len();
        let p = MUTATION_SWAPS / n.max(1) as f64;
        let dir = if forward { &inst.fwd } else { &inst.bwd };
        for i in 0..n.saturating_sub(1) {
            if self.rng.f64() < p {
                let (a, b) = (list[i], list[i + 1]);
                let linked = dir.range(b as usize).any(|k| dir.other[k] == a);
                if !linked {
                    list.swap(i, i + 1);
                }
            }
        }
        if inst.negative {
            for (pos, &j) in list.iter().enumerate() {
                self.keys[j as usize] = pos as i64;
            }
            let mut out = Vec::with_capacity(n);
            self.ws.list_dir(inst, forward, &self.keys, &mut out);
            list = out;
        }
        list
    }
}

/// Keep the best `size` distinct individuals (by makespan, then the secondary key; stable
/// for equal keys so older individuals win ties).
fn select(pop: &mut Vec<Ind>, size: usize) {
    pop.sort_by_key(Ind::rank);
    let mut seen = std::collections::HashSet::with_capacity(pop.len());
    pop.retain(|i| seen.insert(i.hash));
    pop.truncate(size);
}
