//! Scoring against strategy: weighted score from impact ratings on drivers, risk-adjusted score,
//! value per cost, and a ranked list that explains each rank by per-driver contributions.

/// Scoring configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreConfig {
    /// Largest possible rating (ratings are divided by it; e.g. 5 for a 0–5 scale).
    pub rating_max: f64,
    /// Risk factor `k` in `risk_adjusted = weighted × clamp(1 − k·exposure, floor, 1)`.
    pub risk_factor: f64,
    /// Lowest multiplier the risk adjustment may apply.
    pub risk_floor: f64,
    /// Cost unit for value per cost, in minor units (default 1 000 000.00 = 100 000 000 cents).
    pub cost_unit: i64,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            rating_max: 5.0,
            risk_factor: 0.5,
            risk_floor: 0.0,
            cost_unit: 100_000_000,
        }
    }
}

/// One item to score.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreInput {
    /// Impact rating per driver (same order as the weights); missing ratings count as 0.
    pub ratings: Vec<f64>,
    /// Risk exposure in `[0, 1]` (e.g. probability × impact normalised); clamped.
    pub risk_exposure: f64,
    /// Total cost in minor units (for value per cost).
    pub cost: i64,
}

/// Score of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Weighted score on 0–100.
    pub weighted: f64,
    /// Risk multiplier applied (`clamp(1 − k·exposure, floor, 1)`).
    pub risk_multiplier: f64,
    /// `weighted × risk_multiplier`.
    pub risk_adjusted: f64,
    /// Points removed by risk (`weighted − risk_adjusted`).
    pub risk_penalty: f64,
    /// Risk-adjusted score per cost unit; `None` for zero or negative cost.
    pub value_per_cost: Option<f64>,
    /// Points each driver contributes to the weighted score (sums to `weighted`).
    pub contributions: Vec<f64>,
}

/// Normalises weights to sum 1 (negative and non-finite weights count as 0; all-zero → equal).
pub fn normalize_weights(weights: &[f64]) -> Vec<f64> {
    let clean: Vec<f64> = weights
        .iter()
        .map(|&w| if w.is_finite() && w > 0.0 { w } else { 0.0 })
        .collect();
    let s: f64 = clean.iter().sum();
    if s > 0.0 {
        clean.iter().map(|w| w / s).collect()
    } else if clean.is_empty() {
        Vec::new()
    } else {
        vec![1.0 / clean.len() as f64; clean.len()]
    }
}

/// Scores one item against driver `weights` (normalised internally).
pub fn score(weights: &[f64], item: &ScoreInput, cfg: &ScoreConfig) -> Score {
    let w = normalize_weights(weights);
    let rmax = if cfg.rating_max > 0.0 {
        cfg.rating_max
    } else {
        1.0
    };
    let contributions: Vec<f64> = w
        .iter()
        .enumerate()
        .map(|(i, wi)| {
            let r = item.ratings.get(i).copied().unwrap_or(0.0);
            let r = if r.is_finite() {
                r.clamp(0.0, rmax)
            } else {
                0.0
            };
            100.0 * wi * r / rmax
        })
        .collect();
    let weighted: f64 = contributions.iter().sum();
    let exposure = if item.risk_exposure.is_finite() {
        item.risk_exposure.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let floor = cfg.risk_floor.clamp(0.0, 1.0);
    let risk_multiplier = (1.0 - cfg.risk_factor * exposure).clamp(floor, 1.0);
    let risk_adjusted = weighted * risk_multiplier;
    let value_per_cost = (item.cost > 0 && cfg.cost_unit > 0)
        .then(|| risk_adjusted / (item.cost as f64 / cfg.cost_unit as f64));
    Score {
        weighted,
        risk_multiplier,
        risk_adjusted,
        risk_penalty: weighted - risk_adjusted,
        value_per_cost,
        contributions,
    }
}

/// One row of the ranked list.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Index of the item in the input.
    pub item: usize,
    /// 1-based rank (ties share no rank: order is total and deterministic).
    pub rank: usize,
    /// The item's score.
    pub score: Score,
    /// Drivers by contribution, largest first: `(driver index, points)`.
    pub drivers: Vec<(usize, f64)>,
    /// Per-driver difference to the item ranked just above (`self − above`, in risk-adjusted
    /// points); empty for rank 1. Negative entries say where this item falls short.
    pub versus_above: Vec<(usize, f64)>,
}

/// Ranks items by risk-adjusted score (then weighted score, then input order), explaining each
/// rank by driver contributions and by the per-driver difference to the item above.
pub fn rank(weights: &[f64], items: &[ScoreInput], cfg: &ScoreConfig) -> Vec<Ranked> {
    let scores: Vec<Score> = items.iter().map(|it| score(weights, it, cfg)).collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| {
        scores[b]
            .risk_adjusted
            .total_cmp(&scores[a].risk_adjusted)
            .then(scores[b].weighted.total_cmp(&scores[a].weighted))
            .then(a.cmp(&b))
    });
    let mut out: Vec<Ranked> = Vec::with_capacity(items.len());
    for (pos, &i) in order.iter().enumerate() {
        let s = scores[i].clone();
        let mut drivers: Vec<(usize, f64)> = s.contributions.iter().copied().enumerate().collect();
        drivers.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let versus_above = if pos == 0 {
            Vec::new()
        } else {
            let above = &scores[order[pos - 1]];
            s.contributions
                .iter()
                .zip(&above.contributions)
                .enumerate()
                .map(|(d, (a, b))| (d, a * s.risk_multiplier - b * above.risk_multiplier))
                .collect()
        };
        out.push(Ranked {
            item: i,
            rank: pos + 1,
            score: s,
            drivers,
            versus_above,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_and_risk_adjusted() {
        let cfg = ScoreConfig::default();
        let it = ScoreInput {
            ratings: vec![5.0, 0.0, 2.5],
            risk_exposure: 0.4,
            cost: 200_000_000,
        };
        let s = score(&[2.0, 1.0, 1.0], &it, &cfg);
        // 100 × (0.5·1 + 0.25·0 + 0.25·0.5) = 62.5
        assert!((s.weighted - 62.5).abs() < 1e-12);
        assert!((s.contributions[0] - 50.0).abs() < 1e-12);
        assert!((s.risk_multiplier - 0.8).abs() < 1e-12);
        assert!((s.risk_adjusted - 50.0).abs() < 1e-12);
        assert!((s.risk_penalty - 12.5).abs() < 1e-12);
        assert!((s.value_per_cost.expect("vpc") - 25.0).abs() < 1e-12);
        // Huge risk factor clamps at the floor.
        let harsh = ScoreConfig {
            risk_factor: 10.0,
            risk_floor: 0.1,
            ..cfg.clone()
        };
        assert!((score(&[1.0], &it, &harsh).risk_multiplier - 0.1).abs() < 1e-12);
        assert_eq!(
            score(&[1.0], &ScoreInput::default(), &cfg).value_per_cost,
            None
        );
    }

    #[test]
    fn ranking_explains() {
        let cfg = ScoreConfig::default();
        let items = vec![
            ScoreInput {
                ratings: vec![1.0, 5.0],
                risk_exposure: 0.0,
                cost: 1,
            },
            ScoreInput {
                ratings: vec![5.0, 1.0],
                risk_exposure: 0.0,
                cost: 1,
            },
            ScoreInput {
                ratings: vec![5.0, 5.0],
                risk_exposure: 1.0,
                cost: 1,
            },
        ];
        let r = rank(&[3.0, 1.0], &items, &cfg);
        // Scores: item0 = 100(0.75·0.2 + 0.25·1) = 40; item1 = 100(0.75 + 0.05) = 80;
        // item2 = 100 × 0.5 = 50.
        let order: Vec<usize> = r.iter().map(|x| x.item).collect();
        assert_eq!(order, vec![1, 2, 0]);
        assert_eq!(r[0].rank, 1);
        assert_eq!(r[0].drivers[0].0, 0);
        assert!(r[0].versus_above.is_empty());
        // item2 vs item1: driver 0: 75·0.5 − 75 = −37.5; driver 1: 25·0.5 − 5 = 7.5.
        assert!((r[1].versus_above[0].1 + 37.5).abs() < 1e-9);
        assert!((r[1].versus_above[1].1 - 7.5).abs() < 1e-9);
        let sum: f64 = r[1].versus_above.iter().map(|x| x.1).sum();
        assert!((sum - (r[1].score.risk_adjusted - r[0].score.risk_adjusted)).abs() < 1e-9);
    }
}
