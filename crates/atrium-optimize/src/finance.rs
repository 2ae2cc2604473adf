//! Business-case financials on yearly cash flows: NPV, IRR (bracketing + bisection), payback.
//!
//! Cash flows are in minor currency units, index 0 = year 0 (undiscounted, typically the
//! investment), index t discounted by `(1 + rate)^t`.

/// Net present value of yearly `flows` at `rate` (e.g. 0.08 for 8 %), in minor units as `f64`.
pub fn npv(rate: f64, flows: &[i64]) -> f64 {
    let mut factor = 1.0;
    let mut total = 0.0;
    for &f in flows {
        total += f as f64 / factor;
        factor *= 1.0 + rate;
    }
    total
}

/// Internal rate of return: the rate in (−99.99 %, 10 000 %) where the NPV crosses zero.
///
/// Scans a grid of rates for a sign change of the NPV, then bisects the first bracket found (from
/// the lowest rate) to 1e-12. Returns `None` when the flows never change sign, or the NPV has no
/// sign change in the range (no IRR). With several sign changes (non-conventional flows) the
/// lowest IRR is returned.
pub fn irr(flows: &[i64]) -> Option<f64> {
    let has_pos = flows.iter().any(|&f| f > 0);
    let has_neg = flows.iter().any(|&f| f < 0);
    if !(has_pos && has_neg) {
        return None;
    }
    // Grid denser near zero where real IRRs live.
    let mut grid: Vec<f64> = vec![-0.9999, -0.99, -0.95, -0.9, -0.8, -0.7, -0.6, -0.5];
    let mut r = -0.45;
    while r < 1.0 {
        grid.push(r);
        r += 0.05;
    }
    let mut r = 1.0;
    while r <= 100.0 {
        grid.push(r);
        r *= 1.25;
    }
    let mut prev_r = grid[0];
    let mut prev_v = npv(prev_r, flows);
    if prev_v == 0.0 {
        return Some(prev_r);
    }
    for &r in &grid[1..] {
        let v = npv(r, flows);
        if v == 0.0 {
            return Some(r);
        }
        if v.signum() != prev_v.signum() {
            let (mut lo, mut hi, mut vlo) = (prev_r, r, prev_v);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                let vm = npv(mid, flows);
                if vm == 0.0 || (hi - lo) < 1e-13 {
                    return Some(mid);
                }
                if vm.signum() == vlo.signum() {
                    lo = mid;
                    vlo = vm;
                } else {
                    hi = mid;
                }
            }
            return Some(0.5 * (lo + hi));
        }
        prev_r = r;
        prev_v = v;
    }
    None
}

/// Payback period in (fractional) years: the first time the cumulative cash flow reaches zero,
/// interpolating linearly within the year in which it turns non-negative. Year `t`'s flow is
/// taken to arrive evenly over the interval `(t−1, t]`, with year 0 at time 0. `None` when the
/// cumulative flow never recovers. Flows that start non-negative pay back at 0.
pub fn payback_years(flows: &[i64]) -> Option<f64> {
    let mut cum: i128 = 0;
    for (t, &f) in flows.iter().enumerate() {
        let before = cum;
        cum += f as i128;
        if cum >= 0 && (t == 0 || before < 0) {
            if t == 0 {
                return Some(0.0);
            }
            let frac = (-before) as f64 / f as f64;
            return Some((t - 1) as f64 + frac);
        }
        if cum >= 0 {
            continue;
        }
    }
    None
}

/// Discounted payback: as [`payback_years`] on flows discounted at `rate`.
pub fn discounted_payback_years(rate: f64, flows: &[i64]) -> Option<f64> {
    let mut factor = 1.0;
    let mut cum = 0.0;
    for (t, &f) in flows.iter().enumerate() {
        let d = f as f64 / factor;
        let before = cum;
        cum += d;
        if cum >= 0.0 && (t == 0 || before < 0.0) {
            if t == 0 {
                return Some(0.0);
            }
            return Some((t - 1) as f64 + (-before) / d);
        }
        factor *= 1.0 + rate;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npv_textbook() {
        // −1000 then 500, 400, 300, 100 at 10 %: 454.545 + 330.579 + 225.394 + 68.301 − 1000.
        let v = npv(0.10, &[-1000, 500, 400, 300, 100]);
        assert!((v - 78.82).abs() < 0.01, "{v}");
        assert_eq!(npv(0.0, &[-5, 2, 3]), 0.0);
    }

    #[test]
    fn irr_textbook_and_edge_cases() {
        // Same flows: IRR ≈ 14.489 % (spreadsheet IRR gives 14.49 %).
        let r = irr(&[-1000, 500, 400, 300, 100]).expect("irr");
        assert!((r - 0.14489).abs() < 1e-4, "{r}");
        assert!(npv(r, &[-1000, 500, 400, 300, 100]).abs() < 1e-6);
        // −100 → +110 in one year: exactly 10 %.
        assert!((irr(&[-100, 110]).expect("irr") - 0.10).abs() < 1e-10);
        // No sign change: none.
        assert_eq!(irr(&[100, 200]), None);
        assert_eq!(irr(&[-100, -200]), None);
        assert_eq!(irr(&[]), None);
        // Negative IRR: −100 then 50 → −50 %.
        assert!((irr(&[-100, 50]).expect("irr") + 0.5).abs() < 1e-9);
        // Sign changes but NPV never crosses zero in range (−100, +250, −170 has no real root).
        assert_eq!(irr(&[-100, 250, -170]), None);
    }

    #[test]
    fn payback() {
        assert_eq!(
            payback_years(&[-1000, 500, 400, 300, 100]),
            Some(2.0 + 100.0 / 300.0)
        );
        assert_eq!(payback_years(&[-1000, 500, 500]), Some(2.0));
        assert_eq!(payback_years(&[-1000, 100]), None);
        assert_eq!(payback_years(&[0, 10]), Some(0.0));
        let d = discounted_payback_years(0.10, &[-1000, 500, 400, 300, 100]).expect("pb");
        // Discounted: −1000, 454.55, 330.58, 225.39 → 2 + 214.88 / 225.39.
        assert!((d - 2.9533).abs() < 1e-3, "{d}");
    }
}
