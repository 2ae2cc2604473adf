//! Seeded generators of portfolio instances, for tests, fixtures and benchmarks.
//!
//! * [`realistic`] — instances shaped like a PMO portfolio (see its documentation for the
//!   modelling assumptions): each project needs a handful of roles at a roughly constant level,
//!   role pools are flat over time, and only some roles are bottlenecks.
//! * [`hard`] (also [`generate`], kept under that name for the existing tests and fixtures) —
//!   a stress family: every candidate has jagged per-quarter demand (each quarter drawn
//!   independently, a quarter in four missing) and every role's capacity sits close to its mean
//!   demand, so nearly all of the role × quarter rows can bind. Useful as a worst case for the
//!   solver, but not what a portfolio looks like.

use crate::model::{Candidate, Demand, Dependency, Force, Problem};

/// Small deterministic PRNG (SplitMix64) so the engine needs no random-number dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    /// Uniform integer in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Parameters of a generated instance.
#[derive(Debug, Clone, PartialEq)]
pub struct GenParams {
    /// Number of candidates.
    pub candidates: usize,
    /// Fiscal years in the horizon.
    pub fiscal_years: usize,
    /// Number of roles.
    pub roles: usize,
    /// Largest start shift of a proposal (active projects never shift).
    pub max_shift: usize,
    /// Budget per year as a fraction of the total unshifted cost in that year.
    pub budget_fraction: f64,
    /// Capacity per role-quarter as a fraction of the total unshifted demand there.
    pub capacity_fraction: f64,
    /// Fraction of candidates that are active projects (start at 0, no shift).
    pub active_fraction: f64,
    /// Number of requires links.
    pub requires: usize,
    /// Quarters (from the start of the horizon) that have a capacity limit; later quarters are
    /// unlimited.
    pub capacity_quarters: usize,
    /// Value ∝ (total cost)^exponent × noise: 1 makes value proportional to cost (hardest
    /// knapsacks), lower values model strategic scores that grow with size but less than cost.
    pub value_exponent: f64,
    /// Number of excludes links.
    pub excludes: usize,
    /// Number of forced-in candidates (chosen among cheap active projects).
    pub force_in: usize,
    /// Number of forced-out candidates.
    pub force_out: usize,
}

impl GenParams {
    /// The benchmark shape: 300 candidates, 5 years, 20 roles, shifts up to 2 quarters,
    /// budgets and capacities at 55 % of demand.
    pub fn benchmark() -> GenParams {
        GenParams {
            candidates: 300,
            fiscal_years: 5,
            roles: 20,
            max_shift: 2,
            budget_fraction: 0.55,
            capacity_fraction: 0.9,
            capacity_quarters: 12,
            value_exponent: 0.5,
            active_fraction: 0.2,
            requires: 15,
            excludes: 10,
            force_in: 3,
            force_out: 3,
        }
    }

    /// A small shape with `n` candidates (for exhaustive checks).
    pub fn small(n: usize) -> GenParams {
        GenParams {
            candidates: n,
            fiscal_years: 2,
            roles: 3,
            max_shift: 2,
            budget_fraction: 0.5,
            capacity_fraction: 0.8,
            capacity_quarters: 8,
            value_exponent: 0.5,
            active_fraction: 0.2,
            requires: n / 5,
            excludes: n / 6,
            force_in: 1,
            force_out: 1,
        }
    }
}

/// The stress family, under its historical name: same as [`hard`].
pub fn generate(params: &GenParams, seed: u64) -> Problem {
    hard(params, seed)
}

/// Generates a stress instance: costs are log-uniform (10 k – 2 M per year, in cents), values
/// are correlated with total cost (value per cost varies ±50 %), demand is jagged (every quarter
/// of 1–3 roles drawn independently, a quarter in four empty), budgets and capacities are
/// fractions of the unshifted totals, and each role's capacity varies ±10 % per quarter around
/// 0.7–1.5 × `capacity_fraction` × its mean demand.
pub fn hard(params: &GenParams, seed: u64) -> Problem {
    let mut rng = Rng::new(seed);
    let years = params.fiscal_years.max(1);
    let quarters = years * 4;
    let roles = params.roles.max(1);
    let mut candidates = Vec::with_capacity(params.candidates);
    for i in 0..params.candidates {
        let active = rng.unit() < params.active_fraction;
        let duration_years = 1 + rng.below(3.min(years));
        let base = (10_000.0f64 * (200.0f64).powf(rng.unit())) * 100.0;
        let cost_per_year: Vec<i64> = (0..duration_years)
            .map(|_| (base * rng.range(0.6, 1.4)).round() as i64)
            .collect();
        let total: i64 = cost_per_year.iter().sum();
        // total is in cents; (cost in tens of thousands)^e, times ±50 % noise.
        let value = 10.0 * (total as f64 / 1e6).powf(params.value_exponent) * rng.range(0.5, 1.5);
        let start_quarter = if active {
            0
        } else {
            rng.below(quarters.saturating_sub(4).max(1))
        };
        let nrole = 1 + rng.below(3);
        let mut demand = Vec::new();
        let scale = (base / 100.0 / 50_000.0).clamp(0.2, 8.0);
        for _ in 0..nrole {
            let role = rng.below(roles);
            for q in 0..duration_years * 4 {
                if rng.unit() < 0.75 {
                    demand.push(Demand {
                        role,
                        quarter: q,
                        amount: (scale * rng.range(0.3, 1.2) * 10.0).round() / 10.0,
                    });
                }
            }
        }
        candidates.push(Candidate {
            name: format!("C{i:03}"),
            value,
            start_quarter,
            max_shift: if active { 0 } else { params.max_shift },
            cost_per_year,
            demand,
            force: Force::Free,
        });
    }
    let mut p = Problem {
        fiscal_years: years,
        budget_per_year: vec![i64::MAX; years],
        roles: (0..roles).map(|r| format!("R{r:02}")).collect(),
        capacity: vec![vec![f64::INFINITY; quarters]; roles],
        candidates,
        dependencies: Vec::new(),
    };
    let mut year_total = vec![0i64; years];
    let mut cap_total = vec![vec![0.0f64; quarters]; roles];
    for (ci, c) in p.candidates.iter().enumerate() {
        for (y, v) in p.option_cost_per_year(ci, 0).into_iter().enumerate() {
            year_total[y] += v;
        }
        for d in &c.demand {
            let q = c.start_quarter + d.quarter;
            if q < quarters {
                cap_total[d.role][q] += d.amount;
            }
        }
    }
    p.budget_per_year = year_total
        .iter()
        .map(|&t| (t as f64 * params.budget_fraction).round() as i64)
        .collect();
    // A resource pool is roughly flat over time: capacity per role is a fraction of the role's
    // average quarterly demand. Roles differ (a few are bottlenecks, some have slack), with a
    // little variation per quarter.
    p.capacity = cap_total
        .iter()
        .map(|row| {
            let mean = row.iter().sum::<f64>() / quarters as f64;
            let role_factor = rng.range(0.7, 1.5);
            (0..quarters)
                .map(|q| {
                    let c = mean * params.capacity_fraction * role_factor * rng.range(0.9, 1.1);
                    if q < params.capacity_quarters {
                        ((c * 10.0).round() / 10.0).max(1.0)
                    } else {
                        f64::INFINITY
                    }
                })
                .collect()
        })
        .collect();
    add_links_and_forcing(&mut p, params, &mut rng);
    p
}

/// Requires / excludes links between random pairs, force-ins among the cheapest active projects
/// (so the instance stays feasible) and random force-outs. Shared by both families.
fn add_links_and_forcing(p: &mut Problem, params: &GenParams, rng: &mut Rng) {
    let n = p.candidates.len();
    if n >= 2 {
        for _ in 0..params.requires {
            let a = rng.below(n);
            let b = rng.below(n);
            if a != b {
                p.dependencies.push(Dependency::Requires {
                    dependent: a.max(b),
                    prerequisite: a.min(b),
                });
            }
        }
        for _ in 0..params.excludes {
            let a = rng.below(n);
            let b = rng.below(n);
            if a != b {
                p.dependencies.push(Dependency::Excludes(a, b));
            }
        }
    }
    // Force-ins: the cheapest active projects (so the instance stays feasible).
    let mut actives: Vec<usize> = (0..n).filter(|&i| p.candidates[i].max_shift == 0).collect();
    actives.sort_by_key(|&i| (p.candidates[i].cost_per_year.iter().sum::<i64>(), i));
    for &i in actives.iter().take(params.force_in) {
        p.candidates[i].force = Force::In;
    }
    let mut placed = 0;
    let mut guard = 0;
    while placed < params.force_out && guard < 10 * n + 10 && n > 0 {
        guard += 1;
        let i = rng.below(n);
        if p.candidates[i].force == Force::Free {
            p.candidates[i].force = Force::Out;
            placed += 1;
        }
    }
}

/// Cost of one FTE-year, fully loaded, in minor units (120 k).
const FTE_YEAR_COST: f64 = 120_000.0 * 100.0;

/// Generates an instance shaped like a real PMO portfolio. Costs, values, start quarters,
/// shifts, budgets, links and forcing follow the same rules as [`hard`]; demand and capacity
/// follow how a PMO plans resources (the product's own capacity model: a business case states
/// FTE per role per quarter, and the scenario model gives every role one pool size for all
/// quarters).
///
/// Modelling assumptions:
///
/// * **Roles per project.** A project needs 2–5 of the roles (uniformly 2, 3, 4 or 5, at most
///   the number of roles). Roles are not equally common: the role ranked `r` is drawn with
///   weight `1 / (r + 1)` (project managers, analysts and developers appear in most projects,
///   specialists in few), without repetition.
/// * **Level.** Labour is 50–70 % of a project's yearly cost at a loaded cost of 120 k per
///   FTE-year, so the total FTE scales with the project's size; it is split over the roles with
///   random shares (the first role, the core team, counts double). Amounts are rounded to
///   0.1 FTE (at least 0.1).
/// * **Shape over time.** The level is constant over the quarters the role works on the
///   project. The core role works the whole duration; each other role either works the whole
///   duration too (half of them) or a contiguous phase of at least two quarters (analysis early,
///   testing late). A phase of three or more quarters may ramp up (first quarter at half level)
///   and / or ramp down (last quarter at half level), each with probability 0.4. Nothing else
///   varies from quarter to quarter.
/// * **Capacity.** A role's pool is the same in every limited quarter (people, not quarters,
///   are hired). Its size is `capacity_fraction` × the role's mean unshifted demand over the
///   limited quarters × a role factor: about 30 % of the roles are bottlenecks (factor
///   0.45–0.75: scarce specialists whose limits bind), the others have a factor of 1.0–2.0 and
///   bind at most at demand peaks. Pools are rounded to 0.1 FTE, at least 1 FTE.
pub fn realistic(params: &GenParams, seed: u64) -> Problem {
    let mut rng = Rng::new(seed ^ 0x5EA1_1571_C000_0000);
    let years = params.fiscal_years.max(1);
    let quarters = years * 4;
    let roles = params.roles.max(1);
    let popularity: Vec<f64> = (0..roles).map(|r| 1.0 / (r + 1) as f64).collect();
    let mut candidates = Vec::with_capacity(params.candidates);
    for i in 0..params.candidates {
        let active = rng.unit() < params.active_fraction;
        let duration_years = 1 + rng.below(3.min(years));
        let base = (10_000.0f64 * (200.0f64).powf(rng.unit())) * 100.0;
        let cost_per_year: Vec<i64> = (0..duration_years)
            .map(|_| (base * rng.range(0.8, 1.2)).round() as i64)
            .collect();
        let total: i64 = cost_per_year.iter().sum();
        let value = 10.0 * (total as f64 / 1e6).powf(params.value_exponent) * rng.range(0.5, 1.5);
        let start_quarter = if active {
            0
        } else {
            rng.below(quarters.saturating_sub(4).max(1))
        };
        let span = duration_years * 4;
        let fte_total = base * rng.range(0.5, 0.7) / FTE_YEAR_COST;
        let nrole = (2 + rng.below(4)).min(roles);
        let mut picked: Vec<usize> = Vec::with_capacity(nrole);
        while picked.len() < nrole {
            let free: f64 = (0..roles)
                .filter(|r| !picked.contains(r))
                .map(|r| popularity[r])
                .sum();
            let mut t = rng.unit() * free;
            let mut choice = None;
            for r in (0..roles).filter(|r| !picked.contains(r)) {
                choice = Some(r);
                t -= popularity[r];
                if t < 0.0 {
                    break;
                }
            }
            match choice {
                Some(r) => picked.push(r),
                None => break,
            }
        }
        let shares: Vec<f64> = (0..picked.len())
            .map(|k| rng.range(0.5, 1.5) * if k == 0 { 2.0 } else { 1.0 })
            .collect();
        let share_sum: f64 = shares.iter().sum::<f64>().max(1e-9);
        let mut demand = Vec::new();
        for (k, &role) in picked.iter().enumerate() {
            let level = ((fte_total * shares[k] / share_sum) * 10.0)
                .round()
                .max(1.0)
                / 10.0;
            let (from, len) = if k == 0 || span <= 2 || rng.unit() < 0.5 {
                (0, span)
            } else {
                let len = 2 + rng.below(span - 1);
                (rng.below(span - len + 1), len)
            };
            let ramp_up = len >= 3 && rng.unit() < 0.4;
            let ramp_down = len >= 3 && rng.unit() < 0.4;
            for q in from..from + len {
                let half = (q == from && ramp_up) || (q + 1 == from + len && ramp_down);
                let amount = if half {
                    ((level * 5.0).round() / 10.0).max(0.1)
                } else {
                    level
                };
                demand.push(Demand {
                    role,
                    quarter: q,
                    amount,
                });
            }
        }
        candidates.push(Candidate {
            name: format!("C{i:03}"),
            value,
            start_quarter,
            max_shift: if active { 0 } else { params.max_shift },
            cost_per_year,
            demand,
            force: Force::Free,
        });
    }
    let mut p = Problem {
        fiscal_years: years,
        budget_per_year: vec![i64::MAX; years],
        roles: (0..roles).map(|r| format!("R{r:02}")).collect(),
        capacity: vec![vec![f64::INFINITY; quarters]; roles],
        candidates,
        dependencies: Vec::new(),
    };
    let mut year_total = vec![0i64; years];
    let limited = params.capacity_quarters.min(quarters);
    let mut role_total = vec![0.0f64; roles];
    for (ci, c) in p.candidates.iter().enumerate() {
        for (y, v) in p.option_cost_per_year(ci, 0).into_iter().enumerate() {
            year_total[y] += v;
        }
        for d in &c.demand {
            if c.start_quarter + d.quarter < limited {
                role_total[d.role] += d.amount;
            }
        }
    }
    p.budget_per_year = year_total
        .iter()
        .map(|&t| (t as f64 * params.budget_fraction).round() as i64)
        .collect();
    p.capacity = role_total
        .iter()
        .map(|&total| {
            let mean = total / limited.max(1) as f64;
            let factor = if rng.unit() < 0.3 {
                rng.range(0.45, 0.75)
            } else {
                rng.range(1.0, 2.0)
            };
            let pool = ((mean * params.capacity_fraction * factor * 10.0).round() / 10.0).max(1.0);
            (0..quarters)
                .map(|q| if q < limited { pool } else { f64::INFINITY })
                .collect()
        })
        .collect();
    add_links_and_forcing(&mut p, params, &mut rng);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realistic_demand_is_pmo_shaped() {
        let params = GenParams::benchmark();
        let p = realistic(&params, 1);
        assert_eq!(p.candidates.len(), 300);
        for c in &p.candidates {
            let mut roles: Vec<usize> = c.demand.iter().map(|d| d.role).collect();
            roles.sort_unstable();
            roles.dedup();
            assert!((2..=5).contains(&roles.len()), "{}", c.name);
            for &r in &roles {
                // Contiguous quarters, at most two levels (full and a half-level ramp).
                let mut qs: Vec<(usize, f64)> = c
                    .demand
                    .iter()
                    .filter(|d| d.role == r)
                    .map(|d| (d.quarter, d.amount))
                    .collect();
                qs.sort_by_key(|e| e.0);
                assert!(qs.windows(2).all(|w| w[1].0 == w[0].0 + 1), "{}", c.name);
                let top = qs.iter().map(|e| e.1).fold(0.0, f64::max);
                let interior = &qs[1..qs.len().saturating_sub(1).max(1)];
                assert!(interior.iter().all(|e| e.1 == top), "{}", c.name);
            }
        }
        // Pools are flat over the limited quarters and unlimited after.
        for caps in &p.capacity {
            assert!(caps[..12].iter().all(|&c| c == caps[0] && c >= 1.0));
            assert!(caps[12..].iter().all(|c| c.is_infinite()));
        }
    }

    #[test]
    fn hard_is_the_historical_generator() {
        let params = GenParams::small(12);
        assert_eq!(hard(&params, 5), generate(&params, 5));
    }
}
