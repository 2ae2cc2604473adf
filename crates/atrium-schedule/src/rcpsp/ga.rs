//! The RCPSP metaheuristic: a steady (μ+λ) genetic algorithm on activity lists in which
//! every child is decoded by the serial SGS and improved by double justification, in the
//! line of Valls, Ballestín & Quintanilla (2005, 2008) and Debels & Vanhoucke (2007).
//!
//! Effort is a budget of schedules: a child costs three (forward SGS + backward + forward
//! justification passes). Islands run independent populations on derived seeds (in
//! parallel with rayon when there are several); the best island wins, ties to the lower
//! island number, so the result depends only on the seed and the budget.

// Index loops over parallel per-activity arrays read better than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use super::sgs::Workspace;
use super::{Instance, PriorityRule, Schedule, to_schedule};
use rayon::prelude::*;

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

#[derive(Debug, Clone)]
struct Ind {
    list: Vec<u32>,
    starts: Vec<i32>,
    mk: i32,
    hash: u64,
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
    tmp_list: Vec<u32>,
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
            tmp_list: Vec::with_capacity(inst.n),
        }
    }

    fn done(&self) -> bool {
        self.used + 3 > self.budget || self.best.as_ref().is_some_and(|b| b.0 <= self.lb)
    }

    /// Decode a list: serial SGS + double justification (three schedules).
    fn eval(&mut self, mut list: Vec<u32>) -> Ind {
        let inst = self.inst;
        if inst.negative {
            // Crossovers assume that start order respects precedence; restore it.
            let mut keys = vec![0i64; inst.n];
            for (pos, &j) in list.iter().enumerate() {
                keys[j as usize] = pos as i64;
            }
            self.ws.list_from_keys(inst, &keys, &mut list);
        }
        let mut starts = vec![0i32; inst.n];
        let mk = self.ws.serial_forward(inst, &list, &mut starts);
        let mk = self.ws.double_justify(inst, &mut starts, mk);
        self.used += 3;
        // Re-encode as the justified schedule's start order.
        let keys: Vec<i64> = starts.iter().map(|&s| i64::from(s)).collect();
        let mut new_list = list;
        self.ws.list_from_keys(inst, &keys, &mut new_list);
        if self.best.as_ref().is_none_or(|b| mk < b.0) {
            self.best = Some((mk, starts.clone()));
        }
        let hash = hash_starts(&starts);
        Ind {
            list: new_list,
            starts,
            mk,
            hash,
        }
    }

    fn run(mut self) -> (i32, Vec<i32>, usize) {
        let inst = self.inst;
        let n = inst.n;
        if n == 0 {
            return (0, Vec::new(), 0);
        }
        let pop_size = (self.budget / 120).clamp(8, 40);
        let lft = inst.priorities(PriorityRule::Lft);
        let mut pop: Vec<Ind> = Vec::with_capacity(2 * pop_size);
        // Seed: the LFT list itself, then regret-biased random LFT lists.
        let mut list = Vec::with_capacity(n);
        self.ws.list_from_keys(inst, &lft, &mut list);
        if self.budget >= 3 {
            let ind = self.eval(list);
            pop.push(ind);
        }
        while pop.len() < pop_size && !self.done() {
            let mut list = Vec::with_capacity(n);
            self.ws.biased_list(inst, &lft, &mut self.rng, &mut list);
            let ind = self.eval(list);
            pop.push(ind);
        }
        select(&mut pop, pop_size);

        while !self.done() && pop.len() >= 2 {
            let mut children: Vec<Ind> = Vec::with_capacity(pop_size);
            while children.len() < pop_size && !self.done() {
                let a = self.tournament(&pop);
                let mut b = self.tournament(&pop);
                if b == a {
                    b = (a + 1 + self.rng.below(pop.len() - 1)) % pop.len();
                }
                let child = if self.rng.f64() < 0.5 {
                    self.peak_crossover(&pop[a], &pop[b])
                } else {
                    self.two_point(&pop[a], &pop[b])
                };
                let child = self.mutate(child);
                let ind = self.eval(child);
                children.push(ind);
            }
            pop.extend(children);
            select(&mut pop, pop_size);
        }
        let used = self.used;
        match self.best {
            Some((mk, starts)) => (mk, starts, used),
            None => (0, vec![0; n], used),
        }
    }

    fn tournament(&mut self, pop: &[Ind]) -> usize {
        let a = self.rng.below(pop.len());
        let b = self.rng.below(pop.len());
        if pop[a].mk <= pop[b].mk { a } else { b }
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
    /// order. The part before the window is predecessor-closed, so the child is feasible.
    fn peak_crossover(&mut self, mother: &Ind, father: &Ind) -> Vec<u32> {
        let inst = self.inst;
        let n = inst.n;
        let mk = mother.mk.max(1) as usize;
        let nr = inst.nr;
        // Relative utilisation per period.
        let mut util = vec![0f64; mk];
        for j in 0..n {
            let s = mother.starts[j] as usize;
            let d = inst.dur[j] as usize;
            let mut w = 0.0;
            for r in 0..nr {
                let cap = inst.tail[r].max(1) as f64;
                w += f64::from(inst.dem[j * nr + r]) / cap;
            }
            for u in util.iter_mut().skip(s).take(d) {
                *u += w;
            }
        }
        let len = ((mk as f64) * (0.25 + 0.5 * self.rng.f64())).ceil() as usize;
        let len = len.clamp(1, mk);
        let mut best_a = 0;
        let mut cur: f64 = util[..len].iter().sum();
        let mut best = cur;
        for a in 1..=(mk - len) {
            cur += util[a + len - 1] - util[a - 1];
            if cur > best + 1e-9 {
                best = cur;
                best_a = a;
            }
        }
        let (lo, hi) = (best_a as i32, (best_a + len) as i32);
        let mut child = Vec::with_capacity(n);
        self.tmp_list.clear();
        for &j in &father.list {
            if mother.starts[j as usize] < lo {
                child.push(j);
            }
        }
        for &j in &mother.list {
            let s = mother.starts[j as usize];
            if s >= lo && s < hi {
                child.push(j);
            }
        }
        for &j in &father.list {
            if mother.starts[j as usize] >= hi {
                child.push(j);
            }
        }
        child
    }

    /// Swap neighbours that are not linked, with a small probability per position.
    fn mutate(&mut self, mut list: Vec<u32>) -> Vec<u32> {
        let inst = self.inst;
        let n = list.len();
        let p = 1.0 / n.max(1) as f64;
        for i in 0..n.saturating_sub(1) {
            if self.rng.f64() < p {
                let (a, b) = (list[i], list[i + 1]);
                let linked = inst.fwd.range(b as usize).any(|k| inst.fwd.other[k] == a);
                if !linked {
                    list.swap(i, i + 1);
                }
            }
        }
        list
    }
}

/// Keep the best `size` distinct individuals (by makespan; stable for equal makespans so
/// older individuals win ties).
fn select(pop: &mut Vec<Ind>, size: usize) {
    pop.sort_by_key(|i| i.mk);
    let mut seen = std::collections::HashSet::with_capacity(pop.len());
    pop.retain(|i| seen.insert(i.hash));
    pop.truncate(size);
}
