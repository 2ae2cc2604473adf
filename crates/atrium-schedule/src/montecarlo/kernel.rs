//! The Monte Carlo inner loops: one block of `LANES` iterations at a time, one `f32` row
//! per task, every loop running over the lanes so it vectorizes; blocks grouped in chunks
//! spread over rayon threads and reduced in chunk order.
//!
//! Each chunk runs under `pulp::Arch::dispatch`, which executes it in a function compiled
//! with the best instruction set the CPU has (AVX2 on x86-64-v3); every function below it
//! is `#[inline(always)]` so the lane loops are vectorized for that set. Only IEEE basic
//! operations are used (no fused multiply-add: Rust never contracts), so every instruction
//! set gives bit-identical samples.

// Lane loops index several arrays with one lane counter; that form is the clearest and
// the one LLVM vectorizes reliably.
#![allow(clippy::needless_range_loop)]

use super::rng::Lanes;
use super::{CHUNK_ITERATIONS, LANES, McOptions, McPlan, McResult, PredRef, Sampler, Samples};
use rayon::prelude::*;

const W: usize = LANES;
type Row = [f32; W];
type Mask = [u32; W];

/// `max` without NaN handling: compiles to one `maxps` (samples are never NaN).
#[inline(always)]
fn fmax(a: f32, b: f32) -> f32 {
    if a > b { a } else { b }
}

/// Per-worker buffers, reused across the chunks a worker runs.
struct Scratch {
    fin: Vec<Row>,
    start: Vec<Row>,
    dur: Vec<Row>,
    crit: Vec<Mask>,
    rdelay: Vec<Row>,
    /// Per task: eight f32 partial sums of Σx, Σx², Σxy for the current chunk.
    sens: Vec<[[f32; 8]; 3]>,
}

impl Scratch {
    fn new(plan: &McPlan, opts: &McOptions) -> Self {
        let n = plan.n;
        let keep_dur = opts.criticality || opts.sensitivity;
        Scratch {
            fin: vec![[0.0; W]; n],
            start: if plan.needs_start {
                vec![[0.0; W]; n]
            } else {
                Vec::new()
            },
            dur: if keep_dur {
                vec![[0.0; W]; n]
            } else {
                Vec::new()
            },
            crit: if opts.criticality {
                vec![[0; W]; n]
            } else {
                Vec::new()
            },
            rdelay: vec![[0.0; W]; plan.risk_p.len()],
            sens: if opts.sensitivity {
                vec![[[0.0; 8]; 3]; n]
            } else {
                Vec::new()
            },
        }
    }
}

/// What one chunk of iterations contributes.
struct ChunkOut {
    finish: Vec<f32>,
    cost: Vec<f64>,
    crit: Vec<u32>,
    /// Per task position: Σx, Σx², Σxy with x = duration − ref, y = finish − ref.
    sens: Vec<[f64; 3]>,
    risk_occ: Vec<u32>,
}

/// Standard normal variate (Box–Muller, one of the pair) from lane `l`.
fn normal(rng: &mut Lanes<W>, l: usize) -> f64 {
    let u1 = rng.next_f64_open0_lane(l);
    let u2 = rng.next_f64_open0_lane(l);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Gamma(shape, 1) for shape ≥ 1 (Marsaglia & Tsang 2000), from lane `l`.
fn gamma(shape: f64, rng: &mut Lanes<W>, l: usize) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng, l);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = rng.next_f64_open0_lane(l);
        let x2 = x * x;
        if u < 1.0 - 0.0331 * x2 * x2 || u.ln() < 0.5 * x2 + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// Fills `out` with one sample per lane.
#[inline(always)]
fn sample(s: &Sampler, rng: &mut Lanes<W>, out: &mut Row) {
    match *s {
        Sampler::Fixed(v) => *out = [v; W],
        Sampler::Uniform { a, w } => {
            rng.next_f32(out);
            for x in out.iter_mut() {
                *x = a + *x * w;
            }
        }
        Sampler::Tri { a, b, fc, k1, k2 } => {
            // Inverse CDF, one square root: selects on per-task constants only, so LLVM
            // vectorizes with blends and keeps a single `sqrt` per lane (selecting the
            // radicand's factors rather than two candidate results; an `if` around the
            // results makes it compute both roots or, without AVX, branch per lane).
            // Multiplying by ±1 is exact: the same bits as `a + r` / `b - r`.
            let mut u = [0.0f32; W];
            rng.next_f32(&mut u);
            for l in 0..W {
                let left = u[l] < fc;
                let v = if left { u[l] } else { 1.0 - u[l] };
                let k = if left { k1 } else { k2 };
                let base = if left { a } else { b };
                let sgn = if left { 1.0 } else { -1.0 };
                out[l] = base + sgn * (v * k).sqrt();
            }
        }
        Sampler::Pert { a, w, alpha, beta } => {
            for (l, o) in out.iter_mut().enumerate() {
                let x = gamma(alpha, rng, l);
                let y = gamma(beta, rng, l);
                *o = (a + w * (x / (x + y))) as f32;
            }
        }
    }
}

/// Earliest start allowed by the start-constraining links (and the release date).
/// The backward pass calls it again and relies on getting the very same bits.
#[inline(always)]
fn start_constraint(release: f32, preds: &[PredRef], fin: &[Row], start: &[Row]) -> Row {
    let mut acc = [release; W];
    for pr in preds {
        let row = if pr.from_start {
            &start[pr.pos as usize]
        } else {
            &fin[pr.pos as usize]
        };
        let lag = pr.lag;
        // A whole new row, not `acc[l] = max(..)`: LLVM turns the latter into a masked
        // (conditional) store, which is several times slower.
        acc = std::array::from_fn(|l| fmax(acc[l], row[l] + lag));
    }
    acc
}

#[inline(always)]
fn run_block(
    plan: &McPlan,
    opts: &McOptions,
    sc: &mut Scratch,
    first: usize,
    valid: usize,
    out: &mut ChunkOut,
) {
    let n = plan.n;
    let mut proj: Row = [0.0; W];
    let mut cost = [0.0f64; W];

    if !plan.risk_p.is_empty() {
        // Risks use their own stream so they never shift the task samples.
        let mut rrng = Lanes::<W>::new(opts.seed, first as u64, 1);
        let (mut u, mut tmp) = ([0.0f32; W], [0.0f32; W]);
        for r in 0..plan.risk_p.len() {
            rrng.next_f32(&mut u);
            let p = plan.risk_p[r];
            let mut m = [0.0f32; W];
            for l in 0..W {
                m[l] = if u[l] < p { 1.0 } else { 0.0 };
            }
            sample(&plan.risk_delay[r], &mut rrng, &mut tmp);
            for l in 0..W {
                sc.rdelay[r][l] = tmp[l] * m[l];
            }
            sample(&plan.risk_cost[r], &mut rrng, &mut tmp);
            if plan.has_costs {
                for l in 0..W {
                    cost[l] += f64::from(tmp[l] * m[l]);
                }
            }
            out.risk_occ[r] += m[..valid].iter().map(|&v| v as u32).sum::<u32>();
        }
    }

    let mut trng = Lanes::<W>::new(opts.seed, first as u64, 0);
    let keep_dur = opts.criticality || opts.sensitivity;
    let mut d: Row = [0.0; W];
    for p in 0..n {
        sample(&plan.samplers[p], &mut trng, &mut d);
        for &r in &plan.risk_ids[plan.risk_off[p] as usize..plan.risk_off[p + 1] as usize] {
            let rd = &sc.rdelay[r as usize];
            for l in 0..W {
                d[l] += rd[l];
            }
        }
        let sp = &plan.start_preds[plan.start_off[p] as usize..plan.start_off[p + 1] as usize];
        let acc = start_constraint(plan.release[p], sp, &sc.fin, &sc.start);
        let mut ef: Row = [0.0; W];
        for l in 0..W {
            ef[l] = acc[l] + d[l];
        }
        let fp = &plan.fin_preds[plan.fin_off[p] as usize..plan.fin_off[p + 1] as usize];
        for pr in fp {
            let row = if pr.from_start {
                &sc.start[pr.pos as usize]
            } else {
                &sc.fin[pr.pos as usize]
            };
            let lag = pr.lag;
            ef = std::array::from_fn(|l| fmax(ef[l], row[l] + lag));
        }
        if plan.needs_start {
            let st = &mut sc.start[p];
            if fp.is_empty() {
                *st = acc;
            } else {
                // A finish link that binds pushes the start later.
                for l in 0..W {
                    st[l] = if ef[l] > acc[l] + d[l] {
                        ef[l] - d[l]
                    } else {
                        acc[l]
                    };
                }
            }
        }
        sc.fin[p] = ef;
        if keep_dur {
            sc.dur[p] = d;
        }
        let rate = plan.cost_rate[p];
        if rate != 0.0 {
            for l in 0..W {
                cost[l] += rate * f64::from(d[l]);
            }
        }
    }

    // The project finish, from the tasks that can end it, in a loop of its own: folded into
    // the task loop, LLVM keeps `proj` on the stack and updates it with masked stores.
    for &p in &plan.ends {
        let f = &sc.fin[p as usize];
        proj = std::array::from_fn(|l| fmax(proj[l], f[l]));
    }
    if opts.criticality {
        backward(plan, sc, &proj, valid, out);
    }
    if opts.sensitivity {
        // Σx, Σx², Σxy (x = duration − mean, y = finish − reference) kept as eight f32
        // partial sums per task for the whole chunk: a fixed association order (so it
        // vectorizes and stays deterministic), converted to f64 once per chunk.
        let vm: Row = std::array::from_fn(|l| if l < valid { 1.0 } else { 0.0 });
        let y: Row = std::array::from_fn(|l| (proj[l] - plan.finish_ref) * vm[l]);
        for p in 0..n {
            let dr = plan.dur_ref[p];
            let dp = &sc.dur[p];
            let [mut s1, mut s2, mut s3] = sc.sens[p];
            for c in 0..W / 8 {
                let x: [f32; 8] = std::array::from_fn(|j| (dp[c * 8 + j] - dr) * vm[c * 8 + j]);
                s1 = std::array::from_fn(|j| s1[j] + x[j]);
                s2 = std::array::from_fn(|j| s2[j] + x[j] * x[j]);
                s3 = std::array::from_fn(|j| s3[j] + x[j] * y[c * 8 + j]);
            }
            sc.sens[p] = [s1, s2, s3];
        }
    }
    out.finish.extend_from_slice(&proj[..valid]);
    if plan.has_costs {
        out.cost.extend_from_slice(&cost[..valid]);
    }
}

/// Marks, per lane, the tasks on a driving path to the project finish: a task is critical
/// if it ends the project, or if one of its values (plus lag) is exactly the value that
/// set a critical successor's start or finish. Exact float equality is sound because the
/// forward pass's values are recomputed with the same operations in the same order.
#[inline(always)]
fn backward(plan: &McPlan, sc: &mut Scratch, proj: &Row, valid: usize, out: &mut ChunkOut) {
    let n = plan.n;
    for p in 0..n {
        let f = &sc.fin[p];
        let c = &mut sc.crit[p];
        for l in 0..W {
            c[l] = u32::from(f[l] == proj[l]);
        }
    }
    for s in (0..n).rev() {
        let cs = sc.crit[s];
        if cs.iter().fold(0, |a, &b| a | b) == 0 {
            continue;
        }
        let sp = &plan.start_preds[plan.start_off[s] as usize..plan.start_off[s + 1] as usize];
        let fp = &plan.fin_preds[plan.fin_off[s] as usize..plan.fin_off[s + 1] as usize];
        let fin_s = sc.fin[s];
        let mut sdrv = cs;
        if !sp.is_empty() {
            let acc = start_constraint(plan.release[s], sp, &sc.fin, &sc.start);
            if !fp.is_empty() {
                let d = &sc.dur[s];
                for l in 0..W {
                    sdrv[l] &= u32::from(acc[l] + d[l] == fin_s[l]);
                }
            }
            for pr in sp {
                let pos = pr.pos as usize;
                let row = if pr.from_start {
                    sc.start[pos]
                } else {
                    sc.fin[pos]
                };
                let lag = pr.lag;
                let c = &mut sc.crit[pos];
                for l in 0..W {
                    c[l] |= sdrv[l] & u32::from(row[l] + lag == acc[l]);
                }
            }
        }
        for pr in fp {
            let pos = pr.pos as usize;
            let row = if pr.from_start {
                sc.start[pos]
            } else {
                sc.fin[pos]
            };
            let lag = pr.lag;
            let c = &mut sc.crit[pos];
            for l in 0..W {
                c[l] |= cs[l] & u32::from(row[l] + lag == fin_s[l]);
            }
        }
    }
    for p in 0..n {
        out.crit[p] += sc.crit[p][..valid].iter().sum::<u32>();
    }
}

fn run_chunk(
    arch: pulp::Arch,
    plan: &McPlan,
    opts: &McOptions,
    sc: &mut Scratch,
    chunk: usize,
) -> ChunkOut {
    arch.dispatch(ChunkJob {
        plan,
        opts,
        sc,
        chunk,
    })
}

/// A chunk as a `pulp::WithSimd` operation: unlike a closure, its `with_simd` can be forced
/// inline into pulp's `#[target_feature]` wrapper, so the kernel is compiled for it.
struct ChunkJob<'a> {
    plan: &'a McPlan,
    opts: &'a McOptions,
    sc: &'a mut Scratch,
    chunk: usize,
}

impl pulp::WithSimd for ChunkJob<'_> {
    type Output = ChunkOut;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> ChunkOut {
        run_chunk_inner(self.plan, self.opts, self.sc, self.chunk)
    }
}

#[inline(always)]
fn run_chunk_inner(plan: &McPlan, opts: &McOptions, sc: &mut Scratch, chunk: usize) -> ChunkOut {
    let begin = chunk * CHUNK_ITERATIONS;
    let end = (begin + CHUNK_ITERATIONS).min(opts.iterations);
    let n = plan.n;
    let mut out = ChunkOut {
        finish: Vec::with_capacity(end - begin),
        cost: Vec::with_capacity(if plan.has_costs { end - begin } else { 0 }),
        crit: vec![0; if opts.criticality { n } else { 0 }],
        sens: vec![[0.0; 3]; if opts.sensitivity { n } else { 0 }],
        risk_occ: vec![0; plan.risk_p.len()],
    };
    if opts.sensitivity {
        sc.sens.iter_mut().for_each(|a| *a = [[0.0; 8]; 3]);
    }
    let mut first = begin;
    while first < end {
        let valid = (end - first).min(W);
        run_block(plan, opts, sc, first, valid, &mut out);
        first += W;
    }
    for (o, a) in out.sens.iter_mut().zip(&sc.sens) {
        for k in 0..3 {
            o[k] = a[k].iter().map(|&v| f64::from(v)).sum();
        }
    }
    out
}

pub(super) fn run(plan: &McPlan, opts: &McOptions) -> McResult {
    let iters = opts.iterations;
    let nchunks = iters.div_ceil(CHUNK_ITERATIONS);
    let arch = pulp::Arch::new();
    let outs: Vec<ChunkOut> = if opts.threads == 1 || nchunks <= 1 {
        let mut sc = Scratch::new(plan, opts);
        (0..nchunks)
            .map(|c| run_chunk(arch, plan, opts, &mut sc, c))
            .collect()
    } else {
        let go = || -> Vec<ChunkOut> {
            (0..nchunks)
                .into_par_iter()
                .map_init(
                    || Scratch::new(plan, opts),
                    |sc, c| run_chunk(arch, plan, opts, sc, c),
                )
                .collect()
        };
        let pool = if opts.threads > 1 {
            rayon::ThreadPoolBuilder::new()
                .num_threads(opts.threads)
                .build()
                .ok()
        } else {
            None
        };
        match pool {
            Some(pool) => pool.install(go),
            // threads == 0, or a pool could not be built: use the current pool.
            None => go(),
        }
    };

    // Reduce in chunk order: the same additions in the same order for any thread count.
    let n = plan.n;
    let mut finish = Vec::with_capacity(iters);
    let mut cost = Vec::with_capacity(iters);
    let mut crit = vec![0u64; n];
    let mut sens = vec![[0.0f64; 3]; n];
    let mut risk_occ = vec![0u64; plan.risk_p.len()];
    for o in &outs {
        finish.extend(o.finish.iter().map(|&v| f64::from(v)));
        if plan.has_costs {
            cost.extend(o.cost.iter().map(|&v| v + plan.fixed_cost_total));
        }
        for (a, &b) in crit.iter_mut().zip(&o.crit) {
            *a += u64::from(b);
        }
        for (a, b) in sens.iter_mut().zip(&o.sens) {
            a[0] += b[0];
            a[1] += b[1];
            a[2] += b[2];
        }
        for (a, &b) in risk_occ.iter_mut().zip(&o.risk_occ) {
            *a += u64::from(b);
        }
    }
    if !plan.has_costs {
        cost = vec![plan.fixed_cost_total; finish.len()];
    }
    let nf = iters.max(1) as f64;

    // Per-task outputs, back in input order.
    let criticality = opts.criticality.then(|| {
        let mut v = vec![0.0; n];
        for (p, &t) in plan.order.iter().enumerate() {
            v[t] = crit[p] as f64 / nf;
        }
        v
    });
    let (sensitivity, mean_duration) = if opts.sensitivity {
        let fref = f64::from(plan.finish_ref);
        let (mut sy, mut syy) = (0.0f64, 0.0f64);
        for &f in &finish {
            let y = f - fref;
            sy += y;
            syy += y * y;
        }
        let my = sy / nf;
        let vy = (syy / nf - my * my).max(0.0);
        let mut corr = vec![0.0; n];
        let mut mean = vec![0.0; n];
        for (p, &t) in plan.order.iter().enumerate() {
            let [sx, sxx, sxy] = sens[p];
            let mx = sx / nf;
            let vx = (sxx / nf - mx * mx).max(0.0);
            let cov = sxy / nf - mx * my;
            mean[t] = f64::from(plan.dur_ref[p]) + mx;
            // A (numerically) constant duration or finish has no correlation to report.
            let denom = (vx * vy).sqrt();
            corr[t] = if vx > 1e-12 * (1.0 + mx * mx) && vy > 0.0 && denom > 0.0 {
                (cov / denom).clamp(-1.0, 1.0)
            } else {
                0.0
            };
        }
        (Some(corr), Some(mean))
    } else {
        (None, None)
    };

    McResult {
        iterations: iters,
        seed: opts.seed,
        finish: Samples::new(finish),
        cost: Samples::new(cost),
        criticality,
        sensitivity,
        mean_duration,
        risk_occurrence: risk_occ.iter().map(|&c| c as f64 / nf).collect(),
        deterministic_finish: plan.deterministic_finish,
        diagnostics: plan.diagnostics.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::{Dist, Link, LinkKind, McTask, RiskEvent, peer};

    #[test]
    fn every_instruction_set_gives_the_same_bits() {
        let mut input = peer::build_graph(200, 3, 20).to_input();
        input.tasks[7] = McTask::new(Dist::Uniform { min: 1.0, max: 3.0 });
        input
            .links
            .push(Link::new(2, 30, LinkKind::StartFinish, 4.0));
        input.risks.push(RiskEvent {
            probability: 0.5,
            delay: Dist::Triangular {
                min: 0.0,
                mode: 1.0,
                max: 4.0,
            },
            tasks: vec![9],
            cost: Dist::Fixed(1.0),
        });
        let plan = McPlan::compile(&input);
        let opts = McOptions {
            iterations: 700,
            seed: 5,
            threads: 1,
            criticality: true,
            sensitivity: true,
        };
        let best = pulp::Arch::new();
        let mut sc = Scratch::new(&plan, &opts);
        let a = run_chunk(best, &plan, &opts, &mut sc, 1);
        let b = run_chunk(pulp::Arch::Scalar, &plan, &opts, &mut sc, 1);
        assert_eq!(a.finish.len(), 700 - CHUNK_ITERATIONS);
        assert_eq!(a.finish, b.finish);
        assert_eq!(a.crit, b.crit);
        assert_eq!(a.sens, b.sens);
        assert_eq!(a.cost, b.cost);
    }
}
