//! Small, fast, seedable PRNGs for the Monte Carlo engine: splitmix64 for seeding and a
//! lane-parallel xoshiro128+ whose lanes step in lockstep so the compiler vectorizes them.

// Lane loops index several arrays with one lane counter; that form is the clearest and
// the one LLVM vectorizes reliably.
#![allow(clippy::needless_range_loop)]

/// One splitmix64 step: the standard seeder for the xoshiro family (Vigna).
#[inline]
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Mixes a master seed, an iteration number and a stream id into one 64-bit seed, so each
/// iteration's random numbers depend on nothing but (seed, iteration, stream): results do
/// not depend on the thread count or on the order in which blocks are run.
#[inline]
pub fn stream_seed(seed: u64, iteration: u64, stream: u64) -> u64 {
    let mut s = seed ^ 0x6A09_E667_F3BC_C908;
    let a = splitmix64(&mut s);
    let mut t = a ^ iteration.wrapping_mul(0xD134_2543_DE82_EF95);
    let b = splitmix64(&mut t);
    let mut u = b ^ stream.wrapping_mul(0xA076_1D64_78BD_642F);
    splitmix64(&mut u)
}

/// `W` independent xoshiro128+ generators stored as structure-of-arrays. xoshiro128+ uses
/// only 32-bit adds, xors and shifts, which SSE2 has, so one step of all lanes is a handful
/// of vector instructions. Its weak low bits are never used: floats take the top 24 bits.
#[derive(Clone, Debug)]
pub struct Lanes<const W: usize> {
    s0: [u32; W],
    s1: [u32; W],
    s2: [u32; W],
    s3: [u32; W],
}

/// 2^-24: maps a 24-bit integer to [0, 1).
const INV24: f32 = 1.0 / 16_777_216.0;

impl<const W: usize> Lanes<W> {
    /// Lanes seeded for iterations `first..first + W` of stream `stream`.
    pub fn new(seed: u64, first: u64, stream: u64) -> Self {
        let mut l = Lanes {
            s0: [0; W],
            s1: [0; W],
            s2: [0; W],
            s3: [0; W],
        };
        for i in 0..W {
            let mut sm = stream_seed(seed, first + i as u64, stream);
            let a = splitmix64(&mut sm);
            let b = splitmix64(&mut sm);
            // Splitting two splitmix64 outputs gives a non-zero state with overwhelming
            // probability; guard the all-zero state anyway (xoshiro would stay at zero).
            let (a, b) = if a == 0 && b == 0 { (1, 0) } else { (a, b) };
            l.s0[i] = a as u32;
            l.s1[i] = (a >> 32) as u32;
            l.s2[i] = b as u32;
            l.s3[i] = (b >> 32) as u32;
        }
        l
    }

    /// Fills `out` with one uniform in [0, 1) per lane (24-bit resolution).
    #[inline(always)]
    pub fn next_f32(&mut self, out: &mut [f32; W]) {
        for i in 0..W {
            let r = self.s0[i].wrapping_add(self.s3[i]);
            let t = self.s1[i] << 9;
            self.s2[i] ^= self.s0[i];
            self.s3[i] ^= self.s1[i];
            self.s1[i] ^= self.s2[i];
            self.s0[i] ^= self.s3[i];
            self.s2[i] ^= t;
            self.s3[i] = self.s3[i].rotate_left(11);
            // Signed conversion of a 24-bit value is exact and vectorizes (cvtdq2ps).
            out[i] = ((r >> 8) as i32) as f32 * INV24;
        }
    }

    /// One raw 32-bit output of lane `i` (scalar use: rejection samplers).
    #[inline]
    pub fn next_u32_lane(&mut self, i: usize) -> u32 {
        let r = self.s0[i].wrapping_add(self.s3[i]);
        let t = self.s1[i] << 9;
        self.s2[i] ^= self.s0[i];
        self.s3[i] ^= self.s1[i];
        self.s1[i] ^= self.s2[i];
        self.s0[i] ^= self.s3[i];
        self.s2[i] ^= t;
        self.s3[i] = self.s3[i].rotate_left(11);
        r
    }

    /// A uniform in (0, 1] from lane `i`, 53-bit resolution (two outputs), for f64 math.
    #[inline]
    pub fn next_f64_open0_lane(&mut self, i: usize) -> f64 {
        let hi = u64::from(self.next_u32_lane(i) >> 5); // 27 bits
        let lo = u64::from(self.next_u32_lane(i) >> 6); // 26 bits
        ((hi << 26 | lo) as f64 + 1.0) * (1.0 / 9_007_199_254_740_992.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_are_deterministic_and_uniform() {
        let mut a = Lanes::<16>::new(7, 0, 0);
        let mut b = Lanes::<16>::new(7, 0, 0);
        let (mut x, mut y) = ([0.0f32; 16], [0.0f32; 16]);
        let mut sum = 0.0f64;
        let mut n = 0;
        for _ in 0..4000 {
            a.next_f32(&mut x);
            b.next_f32(&mut y);
            assert_eq!(x, y);
            for v in x {
                assert!((0.0..1.0).contains(&v));
                sum += f64::from(v);
                n += 1;
            }
        }
        let mean = sum / f64::from(n);
        // Standard error of the mean of U(0,1) over 64,000 draws is 0.0011.
        assert!((mean - 0.5).abs() < 0.006, "mean {mean}");
    }

    #[test]
    fn lane_streams_depend_on_iteration_not_block() {
        // Iteration 5 seen as lane 5 of block 0 and as lane 1 of a block starting at 4.
        let mut a = Lanes::<8>::new(99, 0, 3);
        let mut b = Lanes::<8>::new(99, 4, 3);
        let (mut x, mut y) = ([0.0f32; 8], [0.0f32; 8]);
        a.next_f32(&mut x);
        b.next_f32(&mut y);
        assert_eq!(x[5], y[1]);
        assert_ne!(x[5], x[4]);
    }
}
