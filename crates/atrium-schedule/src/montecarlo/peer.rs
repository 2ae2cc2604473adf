//! The random project of the numpy peer (`shared/peers/montecarlo/mc_numpy.py`), rebuilt
//! bit for bit: a port of CPython's `random.Random` (MT19937 and the `choice`, `sample`,
//! `randint` and `uniform` algorithms of Python 3.11) and of the script's `build_graph`, so
//! Atrium can be benchmarked and checked on exactly the numpy program's network.

use super::{Dist, Link, McInput, McTask};

/// CPython's Mersenne Twister with its integer seeding (`init_by_array`).
struct PyRandom {
    mt: [u32; 624],
    index: usize,
}

impl PyRandom {
    /// `random.Random(seed)` for a non-negative integer seed.
    fn new(seed: u64) -> Self {
        let mut r = PyRandom {
            mt: [0; 624],
            index: 624,
        };
        // CPython splits abs(seed) into 32-bit words, least significant first.
        let mut key = vec![seed as u32];
        if seed >> 32 != 0 {
            key.push((seed >> 32) as u32);
        }
        r.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        let n = 624;
        for _ in 0..n.max(key.len()) {
            let prev = r.mt[i - 1] ^ (r.mt[i - 1] >> 30);
            r.mt[i] = (r.mt[i] ^ prev.wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= n {
                r.mt[0] = r.mt[n - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..n - 1 {
            let prev = r.mt[i - 1] ^ (r.mt[i - 1] >> 30);
            r.mt[i] = (r.mt[i] ^ prev.wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= n {
                r.mt[0] = r.mt[n - 1];
                i = 1;
            }
        }
        r.mt[0] = 0x8000_0000;
        r
    }

    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..624 {
            let prev = self.mt[i - 1] ^ (self.mt[i - 1] >> 30);
            self.mt[i] = 1_812_433_253u32.wrapping_mul(prev).wrapping_add(i as u32);
        }
        self.index = 624;
    }

    fn genrand_u32(&mut self) -> u32 {
        if self.index >= 624 {
            for k in 0..624 {
                let y = (self.mt[k] & 0x8000_0000) | (self.mt[(k + 1) % 624] & 0x7fff_ffff);
                let mag = if y & 1 == 1 { 0x9908_b0df } else { 0 };
                self.mt[k] = self.mt[(k + 397) % 624] ^ (y >> 1) ^ mag;
            }
            self.index = 0;
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random()`: 53-bit float in [0, 1).
    fn random(&mut self) -> f64 {
        let a = f64::from(self.genrand_u32() >> 5);
        let b = f64::from(self.genrand_u32() >> 6);
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `_randbelow_with_getrandbits(n)` for 0 < n < 2^32.
    fn randbelow(&mut self, n: u32) -> u32 {
        let k = 32 - n.leading_zeros();
        loop {
            let r = self.genrand_u32() >> (32 - k);
            if r < n {
                return r;
            }
        }
    }

    /// `sample(range(lo, hi), k)` (Python 3.11 algorithm; k <= 5 here).
    fn sample_range(&mut self, lo: u32, hi: u32, k: usize) -> Vec<u32> {
        let n = (hi - lo) as usize;
        let mut setsize = 21usize;
        if k > 5 {
            // 4 ** ceil(log(3k, 4))
            let e = ((k as f64 * 3.0).ln() / 4f64.ln()).ceil() as u32;
            setsize += 4usize.pow(e);
        }
        let mut out = Vec::with_capacity(k);
        if n <= setsize {
            let mut pool: Vec<u32> = (lo..hi).collect();
            for i in 0..k {
                let j = self.randbelow((n - i) as u32) as usize;
                out.push(pool[j]);
                pool[j] = pool[n - i - 1];
            }
        } else {
            let mut selected: Vec<u32> = Vec::with_capacity(k);
            for _ in 0..k {
                let mut j = self.randbelow(n as u32);
                while selected.contains(&j) {
                    j = self.randbelow(n as u32);
                }
                selected.push(j);
                out.push(lo + j);
            }
        }
        out
    }
}

/// The numpy peer's network: predecessor lists and triangular (min, mode, max) per task.
#[derive(Clone, Debug, PartialEq)]
pub struct PeerGraph {
    /// Sorted predecessor indices of each task (all smaller than the task's index).
    pub preds: Vec<Vec<u32>>,
    /// Triangular minimum per task (working days).
    pub min: Vec<f64>,
    /// Triangular mode per task.
    pub mode: Vec<f64>,
    /// Triangular maximum per task.
    pub max: Vec<f64>,
}

/// `build_graph(n, seed, window)` of `mc_numpy.py`, identical output.
pub fn build_graph(n: usize, seed: u64, window: usize) -> PeerGraph {
    let mut rng = PyRandom::new(seed);
    const CHOICES: [usize; 6] = [0, 1, 1, 2, 2, 3];
    let mut preds = Vec::with_capacity(n);
    for i in 0..n {
        let lo = if window == 0 {
            0
        } else {
            i.saturating_sub(window)
        };
        let k = CHOICES[rng.randbelow(6) as usize].min(i - lo);
        let mut p = if k > 0 {
            rng.sample_range(lo as u32, i as u32, k)
        } else {
            Vec::new()
        };
        p.sort_unstable();
        preds.push(p);
    }
    let mode: Vec<f64> = (0..n).map(|_| f64::from(1 + rng.randbelow(10))).collect();
    let min: Vec<f64> = mode.iter().map(|m| 0.75 * m).collect();
    let max: Vec<f64> = mode
        .iter()
        .map(|m| m * (1.25 + (2.5 - 1.25) * rng.random()))
        .collect();
    PeerGraph {
        preds,
        min,
        mode,
        max,
    }
}

impl PeerGraph {
    /// The graph as engine input: triangular durations, zero-lag finish-to-start links.
    pub fn to_input(&self) -> McInput {
        let tasks = (0..self.mode.len())
            .map(|i| {
                McTask::new(Dist::Triangular {
                    min: self.min[i],
                    mode: self.mode[i],
                    max: self.max[i],
                })
            })
            .collect();
        let links = self
            .preds
            .iter()
            .enumerate()
            .flat_map(|(s, ps)| ps.iter().map(move |&p| Link::fs(p as usize, s)))
            .collect();
        McInput {
            tasks,
            links,
            risks: Vec::new(),
        }
    }

    /// `deterministic_cpm(preds, mode)` of the script: forward pass with the modes.
    pub fn deterministic_finish_with_modes(&self) -> f64 {
        let mut ef = vec![0.0f64; self.mode.len()];
        for (i, p) in self.preds.iter().enumerate() {
            let start = p.iter().map(|&q| ef[q as usize]).fold(0.0, f64::max);
            ef[i] = start + self.mode[i];
        }
        ef.iter().copied().fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mersenne_twister_matches_cpython() {
        // python3 -c "import random; r=random.Random(1);
        //   print([r.getrandbits(32) for _ in range(3)], repr(r.random()))"
        let mut r = PyRandom::new(1);
        let v: Vec<u32> = (0..3).map(|_| r.genrand_u32()).collect();
        assert_eq!(v, vec![577_090_037, 2_444_712_010, 3_639_700_191]);
        assert_eq!(r.random(), 0.802_265_061_168_183_5);
    }
}
