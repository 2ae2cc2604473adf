//! Analytic Hierarchy Process: strategic driver weights from a pairwise-comparison matrix
//! (Saaty scale 1/9..9), with the consistency ratio and the judgements that conflict most.

/// Saaty's random consistency index for matrices of order 1..=15.
const RANDOM_INDEX: [f64; 15] = [
    0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
];

/// Consistency ratio above which judgements should be revised (Saaty).
pub const CR_THRESHOLD: f64 = 0.1;

/// A judgement that disagrees with the derived weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// Row driver index.
    pub i: usize,
    /// Column driver index.
    pub j: usize,
    /// The judgement given (`a_ij`).
    pub given: f64,
    /// The ratio implied by the weights (`w_i / w_j`).
    pub implied: f64,
    /// `|ln a_ij − ln(w_i / w_j)|`, the size of the disagreement.
    pub deviation: f64,
}

/// Result of [`weights`].
#[derive(Debug, Clone, PartialEq)]
pub struct AhpResult {
    /// Driver weights (principal eigenvector, summing to 1).
    pub weights: Vec<f64>,
    /// Principal eigenvalue λmax.
    pub lambda_max: f64,
    /// Consistency index `(λmax − n) / (n − 1)`.
    pub consistency_index: f64,
    /// Consistency ratio `CI / RI(n)` (0 for n ≤ 2).
    pub consistency_ratio: f64,
    /// Whether `CR ≤ 0.1`.
    pub acceptable: bool,
    /// Judgements ranked by deviation, largest first (upper triangle only; at most
    /// `max_conflicts` entries, only when the ratio is not acceptable).
    pub conflicts: Vec<Conflict>,
    /// Problems with the input (non-positive, non-reciprocal or out-of-scale entries), which
    /// were repaired before computing.
    pub diagnostics: Vec<String>,
}

/// Builds a full reciprocal matrix from the upper-triangle judgements `(i, j, a_ij)`; missing
/// pairs are 1 (equal importance).
pub fn matrix_from_judgements(n: usize, judgements: &[(usize, usize, f64)]) -> Vec<Vec<f64>> {
    let mut a = vec![vec![1.0; n]; n];
    for &(i, j, v) in judgements {
        if i < n && j < n && i != j && v.is_finite() && v > 0.0 {
            a[i][j] = v;
            a[j][i] = 1.0 / v;
        }
    }
    a
}

/// Weights, consistency ratio and (when inconsistent) the `max_conflicts` most conflicting
/// judgements of a pairwise-comparison matrix.
///
/// The matrix is read from its upper triangle: the lower triangle is taken as the reciprocal,
/// entries are clamped to Saaty's 1/9..9, and non-positive entries count as 1; each repair is
/// reported in `diagnostics`. The weights are the principal eigenvector by power iteration.
#[allow(clippy::needless_range_loop)] // index pairs (i, j) are the natural reading of a matrix
pub fn weights(matrix: &[Vec<f64>], max_conflicts: usize) -> AhpResult {
    let n = matrix.len();
    let mut diagnostics = Vec::new();
    let mut a = vec![vec![1.0; n]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let raw = matrix[i].get(j).copied().unwrap_or(1.0);
            let mut v = raw;
            if !(v.is_finite() && v > 0.0) {
                diagnostics.push(format!("a[{i}][{j}] = {raw} is not positive; using 1"));
                v = 1.0;
            } else if !(1.0 / 9.0 - 1e-12..=9.0 + 1e-12).contains(&v) {
                diagnostics.push(format!("a[{i}][{j}] = {raw} is outside 1/9..9; clamped"));
                v = v.clamp(1.0 / 9.0, 9.0);
            }
            if let Some(&low) = matrix.get(j).and_then(|r| r.get(i))
                && (low * v - 1.0).abs() > 1e-6
            {
                diagnostics.push(format!(
                    "a[{j}][{i}] = {low} is not the reciprocal of a[{i}][{j}]; using 1/a[{i}][{j}]"
                ));
            }
            a[i][j] = v;
            a[j][i] = 1.0 / v;
        }
    }
    if n == 0 {
        return AhpResult {
            weights: Vec::new(),
            lambda_max: 0.0,
            consistency_index: 0.0,
            consistency_ratio: 0.0,
            acceptable: true,
            conflicts: Vec::new(),
            diagnostics,
        };
    }
    // Power iteration; a positive matrix has a simple dominant eigenvalue (Perron).
    let mut w = vec![1.0 / n as f64; n];
    let mut lambda = n as f64;
    for _ in 0..1000 {
        let mut next: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| a[i][j] * w[j]).sum())
            .collect();
        let s: f64 = next.iter().sum();
        lambda = s; // since sum(w) = 1, sum(Aw) → λmax
        for v in &mut next {
            *v /= s;
        }
        let diff: f64 = next.iter().zip(&w).map(|(x, y)| (x - y).abs()).sum();
        w = next;
        if diff < 1e-14 {
            break;
        }
    }
    let ci = if n > 2 {
        ((lambda - n as f64) / (n as f64 - 1.0)).max(0.0)
    } else {
        0.0
    };
    let ri = RANDOM_INDEX
        .get(n - 1)
        .copied()
        .unwrap_or(RANDOM_INDEX[RANDOM_INDEX.len() - 1]);
    let cr = if ri > 0.0 { ci / ri } else { 0.0 };
    let acceptable = cr <= CR_THRESHOLD;
    let mut conflicts = Vec::new();
    if !acceptable {
        for i in 0..n {
            for j in (i + 1)..n {
                let implied = w[i] / w[j];
                conflicts.push(Conflict {
                    i,
                    j,
                    given: a[i][j],
                    implied,
                    deviation: (a[i][j].ln() - implied.ln()).abs(),
                });
            }
        }
        conflicts.sort_by(|x, y| {
            y.deviation
                .total_cmp(&x.deviation)
                .then((x.i, x.j).cmp(&(y.i, y.j)))
        });
        conflicts.truncate(max_conflicts);
    }
    AhpResult {
        weights: w,
        lambda_max: lambda,
        consistency_index: ci,
        consistency_ratio: cr,
        acceptable,
        conflicts,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfectly_consistent_matrix() {
        // Weights 4:2:1 → a_ij = w_i / w_j.
        let a = matrix_from_judgements(3, &[(0, 1, 2.0), (0, 2, 4.0), (1, 2, 2.0)]);
        let r = weights(&a, 3);
        assert!((r.weights[0] - 4.0 / 7.0).abs() < 1e-9);
        assert!((r.weights[1] - 2.0 / 7.0).abs() < 1e-9);
        assert!((r.lambda_max - 3.0).abs() < 1e-9);
        assert!(r.consistency_ratio < 1e-9);
        assert!(r.acceptable && r.conflicts.is_empty() && r.diagnostics.is_empty());
    }

    #[test]
    fn saaty_textbook_example() {
        // Classic 3×3 teaching example [1 5 9; 1/5 1 3; 1/9 1/3 1]
        // → w ≈ (0.751, 0.178, 0.070), λmax ≈ 3.029, CR ≈ 0.025 (numpy.linalg.eig agrees).
        let a = matrix_from_judgements(3, &[(0, 1, 5.0), (0, 2, 9.0), (1, 2, 3.0)]);
        let r = weights(&a, 3);
        assert!((r.weights[0] - 0.751).abs() < 2e-3, "{:?}", r.weights);
        assert!((r.weights[1] - 0.178).abs() < 2e-3);
        assert!((r.weights[2] - 0.070).abs() < 2e-3);
        assert!((r.lambda_max - 3.029).abs() < 2e-3, "{}", r.lambda_max);
        assert!(
            (r.consistency_ratio - 0.025).abs() < 3e-3,
            "{}",
            r.consistency_ratio
        );
        assert!(r.acceptable);
    }

    #[test]
    fn four_criteria_textbook_example() {
        // Four criteria: [1 3 7 9; 1/3 1 5 7; 1/7 1/5 1 3; 1/9 1/7 1/3 1].
        // Reference (numpy.linalg.eig): w = (0.5831, 0.2895, 0.0849, 0.0425),
        // λmax = 4.1646, CR = 0.0610.
        let a = matrix_from_judgements(
            4,
            &[
                (0, 1, 3.0),
                (0, 2, 7.0),
                (0, 3, 9.0),
                (1, 2, 5.0),
                (1, 3, 7.0),
                (2, 3, 3.0),
            ],
        );
        let r = weights(&a, 3);
        let expect = [0.5831, 0.2895, 0.0849, 0.0425];
        for (w, e) in r.weights.iter().zip(expect) {
            assert!((w - e).abs() < 1e-4, "{:?}", r.weights);
        }
        assert!((r.lambda_max - 4.1646).abs() < 1e-4);
        assert!((r.consistency_ratio - 0.0610).abs() < 1e-4);
        assert!((r.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn inconsistent_judgements_are_named() {
        // A > B (5), B > C (5), but C > A (5): a cycle; the C-vs-A judgement is the odd one out
        // together with the others — every pair deviates, and CR is far above 0.1.
        let a = matrix_from_judgements(3, &[(0, 1, 5.0), (1, 2, 5.0), (0, 2, 1.0 / 5.0)]);
        let r = weights(&a, 2);
        assert!(!r.acceptable);
        assert!(r.consistency_ratio > 1.0);
        assert_eq!(r.conflicts.len(), 2);
        assert!(r.conflicts[0].deviation >= r.conflicts[1].deviation);

        // Consistent 4×4 except one reversed judgement: it must be ranked first.
        let w = [8.0, 4.0, 2.0, 1.0];
        let mut j = Vec::new();
        for i in 0..4 {
            for k in (i + 1)..4 {
                j.push((i, k, w[i] / w[k]));
            }
        }
        // Reverse (0,3): should be 8, say 1/8.
        j.retain(|e| !(e.0 == 0 && e.1 == 3));
        j.push((0, 3, 1.0 / 8.0));
        let r = weights(&matrix_from_judgements(4, &j), 1);
        assert!(!r.acceptable, "CR {}", r.consistency_ratio);
        assert_eq!((r.conflicts[0].i, r.conflicts[0].j), (0, 3));
    }

    #[test]
    fn repairs_bad_input() {
        let a = vec![vec![1.0, 20.0], vec![0.3, 1.0]];
        let r = weights(&a, 1);
        assert_eq!(r.diagnostics.len(), 2);
        assert!((r.weights[0] - 0.9).abs() < 1e-9);
        let empty = weights(&[], 1);
        assert!(empty.weights.is_empty() && empty.acceptable);
    }
}
