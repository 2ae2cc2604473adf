//! Earned value at any status date: planned value time-phased from the baseline, earned value
//! from % complete, actual cost; the derived indices and forecasts; and S-curve series.
//!
//! Inputs are plain numbers: instants in `i64` minutes (any fixed epoch), money in `i64` minor
//! currency units, % complete as `f64` in 0..=100.
//!
//! **Time-phasing choice.** Each task's budget (BAC, its baseline cost) is spread *linearly
//! over the baseline working time* of the task: at an instant `t`, the planned value of the
//! task is `BAC × W(start, t) / W(start, finish)`, where `W(a, b)` is a caller-supplied
//! measure of working minutes between two instants in the task's calendar (for example the
//! calendar module's working-minute difference). Pass [`elapsed`] to spread over calendar
//! time instead. A task with no working time between its baseline start and finish (a
//! milestone) plans its whole budget at its baseline finish. This is MS Project's default
//! for a task with a flat work contour and prorated cost accrual; front- or back-loaded
//! contours would need the time-phased baseline work, which MSPDI carries but we do not read.
//!
//! A task's fixed cost is planned per its accrual: at the baseline start, at the baseline
//! finish, or prorated with the rest.
//!
//! The same linear spread, over the *actual* working time from actual start to actual finish
//! (or to the status date while in progress), time-phases EV and AC for the S-curve. Totals
//! at the status date never depend on that choice.
//!
//! Every ratio whose denominator is zero is `None`, never NaN or infinity.

/// `W(a, b)` for calendar time: `b - a` minutes, whatever the task.
pub fn elapsed(_task: usize, from: i64, to: i64) -> i64 {
    to - from
}

/// When a task's fixed cost is planned (MS Project's `FixedCostAccrual`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Accrual {
    /// All of it at the baseline start.
    Start,
    /// Spread like the rest of the budget.
    #[default]
    Prorated,
    /// All of it at the baseline finish.
    End,
}

/// One task's earned-value inputs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EvmTask {
    /// Budget at completion: the task's baseline cost, minor units (fixed cost included).
    pub bac: i64,
    /// The part of `bac` that is fixed cost, planned per `fixed_cost_accrual`.
    pub fixed_cost: i64,
    pub fixed_cost_accrual: Accrual,
    /// Baseline start and finish instants (minutes).
    pub baseline_start: i64,
    pub baseline_finish: i64,
    /// % complete at the status date, 0..=100 (values outside are clamped, NaN counts as 0).
    pub percent_complete: f64,
    /// Actual cost to the status date, minor units.
    pub actual_cost: i64,
    /// Actual start and finish, used only to time-phase EV and AC for the S-curve.
    pub actual_start: Option<i64>,
    pub actual_finish: Option<i64>,
}

/// Earned-value figures. Money in minor units; indices as plain ratios.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EvmMetrics {
    /// Budget at completion.
    pub bac: i64,
    /// Planned value (BCWS) at the status date.
    pub pv: i64,
    /// Earned value (BCWP): % complete × BAC.
    pub ev: i64,
    /// Actual cost (ACWP).
    pub ac: i64,
    /// Schedule variance EV − PV.
    pub sv: i64,
    /// Cost variance EV − AC.
    pub cv: i64,
    /// Schedule performance index EV / PV (`None` when PV = 0).
    pub spi: Option<f64>,
    /// Cost performance index EV / AC (`None` when AC = 0).
    pub cpi: Option<f64>,
    /// Estimate at completion assuming the cost performance so far continues: BAC / CPI
    /// (`None` when CPI is undefined or zero).
    pub eac_cpi: Option<i64>,
    /// Estimate at completion when both cost and schedule performance weigh on the rest:
    /// AC + (BAC − EV) / (CPI × SPI) (`None` when either index is undefined or zero).
    pub eac_cpi_spi: Option<i64>,
    /// Estimate at completion if the remaining work goes to plan: AC + (BAC − EV).
    pub eac_atypical: i64,
    /// Estimate to complete: EAC(CPI) − AC.
    pub etc: Option<i64>,
    /// Variance at completion: BAC − EAC(CPI).
    pub vac: Option<i64>,
    /// To-complete performance index to finish on budget: (BAC − EV) / (BAC − AC)
    /// (`None` when the budget is already spent exactly, BAC = AC).
    pub tcpi: Option<f64>,
    /// To-complete performance index to finish at EAC(CPI): (BAC − EV) / (EAC − AC).
    pub tcpi_eac: Option<f64>,
}

impl EvmMetrics {
    /// Derives every figure from BAC, PV, EV and AC.
    pub fn from_values(bac: i64, pv: i64, ev: i64, ac: i64) -> Self {
        let ratio = |n: i64, d: i64| (d != 0).then(|| n as f64 / d as f64);
        let spi = ratio(ev, pv);
        let cpi = ratio(ev, ac);
        // BAC / CPI = BAC × AC / EV, exact in integers.
        let eac_cpi = (ev != 0 && ac != 0)
            .then(|| div_round(i128::from(bac) * i128::from(ac), i128::from(ev)));
        let remaining = i128::from(bac) - i128::from(ev);
        // (BAC − EV) / (CPI × SPI) = (BAC − EV) × AC × PV / EV²; the product can exceed i128,
        // so it is done in f64 and rounded.
        let eac_cpi_spi = match (cpi, spi) {
            (Some(c), Some(s)) if c * s != 0.0 => {
                let v = ac as f64 + remaining as f64 / (c * s);
                v.is_finite().then(|| saturate(v.round()))
            }
            _ => None,
        };
        let etc = eac_cpi.map(|e| e.saturating_sub(ac));
        let vac = eac_cpi.map(|e| bac.saturating_sub(e));
        let tcpi = ratio_i128(remaining, i128::from(bac) - i128::from(ac));
        let tcpi_eac = eac_cpi.and_then(|e| ratio_i128(remaining, i128::from(e) - i128::from(ac)));
        EvmMetrics {
            bac,
            pv,
            ev,
            ac,
            sv: ev.saturating_sub(pv),
            cv: ev.saturating_sub(ac),
            spi,
            cpi,
            eac_cpi,
            eac_cpi_spi,
            eac_atypical: saturate_i128(i128::from(ac) + remaining),
            etc,
            vac,
            tcpi,
            tcpi_eac,
        }
    }
}

fn ratio_i128(n: i128, d: i128) -> Option<f64> {
    (d != 0).then(|| n as f64 / d as f64)
}

fn saturate(v: f64) -> i64 {
    // `as` saturates at the i64 bounds.
    v as i64
}

fn saturate_i128(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// n / d rounded half away from zero; d != 0.
fn div_round(n: i128, d: i128) -> i64 {
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    let q = if n >= 0 {
        (n + d / 2) / d
    } else {
        -((-n + d / 2) / d)
    };
    saturate_i128(q)
}

/// Share of `amount` accrued by `t` when it is spread linearly over the working time of
/// `from..to` (all of it at `to` when that span has no working time).
fn spread(amount: i64, from: i64, to: i64, t: i64, working: &impl Fn(i64, i64) -> i64) -> i64 {
    if t >= to {
        return amount;
    }
    if t <= from {
        return 0;
    }
    let total = working(from, to);
    if total <= 0 {
        return 0;
    }
    let done = working(from, t).clamp(0, total);
    div_round(i128::from(amount) * i128::from(done), i128::from(total))
}

fn clamp_pct(p: f64) -> f64 {
    if p.is_nan() { 0.0 } else { p.clamp(0.0, 100.0) }
}

/// Planned value of one task at `t`: the budget less fixed cost spread over the baseline
/// working time, plus the fixed cost as it accrues.
pub fn planned_value(
    task: usize,
    t: &EvmTask,
    at: i64,
    working: &impl Fn(usize, i64, i64) -> i64,
) -> i64 {
    let (start, finish) = (t.baseline_start, t.baseline_finish.max(t.baseline_start));
    let w = |a, b| working(task, a, b);
    let fixed = t.fixed_cost;
    let fixed_pv = match t.fixed_cost_accrual {
        Accrual::Start if at >= start => fixed,
        Accrual::End if at >= finish => fixed,
        Accrual::Start | Accrual::End => 0,
        Accrual::Prorated => spread(fixed, start, finish, at, &w),
    };
    spread(t.bac.saturating_sub(fixed), start, finish, at, &w).saturating_add(fixed_pv)
}

/// Earned value of one task: % complete × BAC.
pub fn earned_value(t: &EvmTask) -> i64 {
    saturate((t.bac as f64 * clamp_pct(t.percent_complete) / 100.0).round())
}

/// Earned-value analysis at a status date: totals and per-task figures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvmReport {
    pub status_date: i64,
    pub total: EvmMetrics,
    pub tasks: Vec<EvmMetrics>,
}

/// Earned value of `tasks` at `status_date`; `working(task, a, b)` measures the working
/// minutes between two instants in that task's calendar (see the module docs), e.g.
/// [`elapsed`]. Pass leaf tasks only: summaries would count their children twice.
pub fn evaluate(
    tasks: &[EvmTask],
    status_date: i64,
    working: impl Fn(usize, i64, i64) -> i64,
) -> EvmReport {
    let mut per = Vec::with_capacity(tasks.len());
    let (mut bac, mut pv, mut ev, mut ac) = (0i64, 0i64, 0i64, 0i64);
    for (i, t) in tasks.iter().enumerate() {
        let m = EvmMetrics::from_values(
            t.bac,
            planned_value(i, t, status_date, &working),
            earned_value(t),
            t.actual_cost,
        );
        bac = bac.saturating_add(m.bac);
        pv = pv.saturating_add(m.pv);
        ev = ev.saturating_add(m.ev);
        ac = ac.saturating_add(m.ac);
        per.push(m);
    }
    EvmReport {
        status_date,
        total: EvmMetrics::from_values(bac, pv, ev, ac),
        tasks: per,
    }
}

/// One period of an S-curve, ending at `end`: the period's own amounts and the cumulative
/// ones. EV and AC are `None` for periods that end after the status date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SCurvePoint {
    pub end: i64,
    pub pv: i64,
    pub ev: Option<i64>,
    pub ac: Option<i64>,
    pub pv_cumulative: i64,
    pub ev_cumulative: Option<i64>,
    pub ac_cumulative: Option<i64>,
}

/// Cumulative planned, earned and actual values at each instant of `period_ends` (sorted
/// ascending; the first period starts before everything). PV comes from the baseline spread;
/// EV and AC are spread over each task's actual working time, from actual start to actual
/// finish or to the status date when the task is still running (a task with progress but no
/// actual start accrues at the status date). At a period end equal to the status date the
/// cumulative values equal [`evaluate`]'s totals.
pub fn s_curve(
    tasks: &[EvmTask],
    status_date: i64,
    period_ends: &[i64],
    working: impl Fn(usize, i64, i64) -> i64,
) -> Vec<SCurvePoint> {
    let mut out = Vec::with_capacity(period_ends.len());
    let (mut prev_pv, mut prev_ev, mut prev_ac) = (0i64, 0i64, 0i64);
    for &end in period_ends {
        let mut pv = 0i64;
        let mut ev = 0i64;
        let mut ac = 0i64;
        let known = end <= status_date;
        for (i, t) in tasks.iter().enumerate() {
            pv = pv.saturating_add(planned_value(i, t, end, &working));
            if known {
                let (from, to) = actual_span(t, status_date);
                let w = |a, b| working(i, a, b);
                ev = ev.saturating_add(spread(earned_value(t), from, to, end, &w));
                ac = ac.saturating_add(spread(t.actual_cost, from, to, end, &w));
            }
        }
        let point = SCurvePoint {
            end,
            pv: pv - prev_pv,
            ev: known.then_some(ev - prev_ev),
            ac: known.then_some(ac - prev_ac),
            pv_cumulative: pv,
            ev_cumulative: known.then_some(ev),
            ac_cumulative: known.then_some(ac),
        };
        prev_pv = pv;
        if known {
            prev_ev = ev;
            prev_ac = ac;
        }
        out.push(point);
    }
    out
}

fn actual_span(t: &EvmTask, status_date: i64) -> (i64, i64) {
    let from = t.actual_start.unwrap_or(status_date).min(status_date);
    let to = t
        .actual_finish
        .unwrap_or(status_date)
        .clamp(from, status_date);
    (from, to)
}

/// Evenly spaced period ends `first, first + step, ...` up to and including the first one at
/// or after `last` (at most `max_points`), for weekly or daily S-curves.
pub fn period_ends(first: i64, last: i64, step: i64, max_points: usize) -> Vec<i64> {
    let mut out = Vec::new();
    if step <= 0 {
        return out;
    }
    let mut t = first;
    while out.len() < max_points {
        out.push(t);
        if t >= last {
            break;
        }
        t = t.saturating_add(step);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    /// The classic worked example (PMBOK-style): BAC 10,000, PV 5,000, EV 4,000, AC 4,500.
    #[test]
    fn textbook_indices_and_forecasts() {
        let m = EvmMetrics::from_values(10_000, 5_000, 4_000, 4_500);
        assert_eq!((m.sv, m.cv), (-1_000, -500));
        assert!(close(m.spi, 0.8));
        assert!(close(m.cpi, 4_000.0 / 4_500.0));
        assert_eq!(m.eac_cpi, Some(11_250));
        assert_eq!(m.etc, Some(6_750));
        assert_eq!(m.vac, Some(-1_250));
        // 4,500 + 6,000 / (0.8889 × 0.8) = 4,500 + 8,437.5 → 12,938 (half away from zero).
        assert_eq!(m.eac_cpi_spi, Some(12_938));
        assert_eq!(m.eac_atypical, 10_500);
        assert!(close(m.tcpi, 6_000.0 / 5_500.0));
        assert!(close(m.tcpi_eac, 6_000.0 / 6_750.0));
    }

    #[test]
    fn zero_denominators_give_none() {
        let m = EvmMetrics::from_values(1_000, 0, 0, 0);
        assert_eq!(
            (m.spi, m.cpi, m.eac_cpi, m.eac_cpi_spi, m.etc, m.vac),
            (None, None, None, None, None, None)
        );
        assert!(close(m.tcpi, 1.0));
        // Spent exactly the budget: TCPI undefined.
        let m = EvmMetrics::from_values(1_000, 1_000, 500, 1_000);
        assert_eq!(m.tcpi, None);
        // Work earned but nothing spent yet: CPI undefined, so no CPI forecast.
        let m = EvmMetrics::from_values(1_000, 500, 500, 0);
        assert_eq!((m.cpi, m.eac_cpi), (None, None));
        assert!(close(m.spi, 1.0));
        // Nothing earned with money spent: CPI is 0, forecasts by CPI undefined.
        let m = EvmMetrics::from_values(1_000, 500, 0, 200);
        assert!(close(m.cpi, 0.0));
        assert_eq!((m.eac_cpi, m.eac_cpi_spi), (None, None));
        for v in [m.spi, m.cpi, m.tcpi, m.tcpi_eac].into_iter().flatten() {
            assert!(v.is_finite());
        }
    }

    #[test]
    fn linear_spread_over_working_time() {
        // Working time: the first 480 minutes of each day.
        let working = |_: usize, a: i64, b: i64| {
            let pos = |t: i64| t.div_euclid(1440) * 480 + t.rem_euclid(1440).min(480);
            pos(b) - pos(a)
        };
        // Four working days from day 0 to the end of day 3's working time, BAC 4,000.
        let t = EvmTask {
            bac: 4_000,
            baseline_start: 0,
            baseline_finish: 3 * 1440 + 480,
            ..EvmTask::default()
        };
        assert_eq!(planned_value(0, &t, -10, &working), 0);
        assert_eq!(planned_value(0, &t, 240, &working), 500);
        // Night time adds no planned value.
        assert_eq!(planned_value(0, &t, 1000, &working), 1_000);
        assert_eq!(planned_value(0, &t, 1440, &working), 1_000);
        assert_eq!(planned_value(0, &t, 2 * 1440 + 480, &working), 3_000);
        assert_eq!(planned_value(0, &t, 10 * 1440, &working), 4_000);
        // Over calendar time instead, the night counts.
        assert_eq!(
            planned_value(0, &t, 1440, &elapsed),
            4_000 * 1440 / (3 * 1440 + 480)
        );
        // A milestone plans everything at its date.
        let m = EvmTask {
            bac: 700,
            baseline_start: 50,
            baseline_finish: 50,
            ..EvmTask::default()
        };
        assert_eq!(planned_value(0, &m, 49, &working), 0);
        assert_eq!(planned_value(0, &m, 50, &working), 700);
    }

    /// A worked project: three sequential 10-day tasks of 10,000 each (one unit of time per
    /// day, elapsed spread), status at the end of day 15.
    fn project() -> Vec<EvmTask> {
        vec![
            EvmTask {
                bac: 10_000,
                baseline_start: 0,
                baseline_finish: 10,
                percent_complete: 100.0,
                actual_cost: 12_000,
                actual_start: Some(0),
                actual_finish: Some(12),
                ..EvmTask::default()
            },
            EvmTask {
                bac: 10_000,
                baseline_start: 10,
                baseline_finish: 20,
                percent_complete: 20.0,
                actual_cost: 3_000,
                actual_start: Some(12),
                actual_finish: None,
                ..EvmTask::default()
            },
            EvmTask {
                bac: 10_000,
                baseline_start: 20,
                baseline_finish: 30,
                ..EvmTask::default()
            },
        ]
    }

    #[test]
    fn project_at_a_status_date() {
        let r = evaluate(&project(), 15, elapsed);
        let m = r.total;
        assert_eq!((m.bac, m.pv, m.ev, m.ac), (30_000, 15_000, 12_000, 15_000));
        assert_eq!((m.sv, m.cv), (-3_000, -3_000));
        assert!(close(m.spi, 0.8));
        assert!(close(m.cpi, 0.8));
        assert_eq!(m.eac_cpi, Some(37_500));
        assert_eq!(m.etc, Some(22_500));
        assert_eq!(m.vac, Some(-7_500));
        // 15,000 + 18,000 / 0.64 = 43,125.
        assert_eq!(m.eac_cpi_spi, Some(43_125));
        assert!(close(m.tcpi, 18_000.0 / 15_000.0));
        assert_eq!(r.tasks[0].cv, -2_000);
        assert_eq!(r.tasks[1].pv, 5_000);
        assert_eq!(r.tasks[2].spi, None, "nothing planned yet for task 3");
        // Before the project: nothing planned, nothing earned.
        let early = evaluate(&project(), -5, elapsed).total;
        assert_eq!(early.pv, 0);
        // After the baseline finish: everything planned.
        assert_eq!(evaluate(&project(), 99, elapsed).total.pv, 30_000);
    }

    #[test]
    fn s_curve_series() {
        let ends = period_ends(5, 30, 5, 100);
        assert_eq!(ends, vec![5, 10, 15, 20, 25, 30]);
        let c = s_curve(&project(), 15, &ends, elapsed);
        let pv: Vec<i64> = c.iter().map(|p| p.pv_cumulative).collect();
        assert_eq!(pv, vec![5_000, 10_000, 15_000, 20_000, 25_000, 30_000]);
        assert!(c.iter().all(|p| p.pv == 5_000));
        // EV: task 1 earns 10,000 over days 0..12; task 2 earns 2,000 over days 12..15.
        let ev: Vec<Option<i64>> = c.iter().map(|p| p.ev_cumulative).collect();
        assert_eq!(
            ev,
            vec![Some(4_167), Some(8_333), Some(12_000), None, None, None]
        );
        let ac: Vec<Option<i64>> = c.iter().map(|p| p.ac_cumulative).collect();
        assert_eq!(
            ac,
            vec![Some(5_000), Some(10_000), Some(15_000), None, None, None]
        );
        assert_eq!(c[1].ev, Some(8_333 - 4_167));
        // At the status date the curve meets the report.
        let r = evaluate(&project(), 15, elapsed).total;
        assert_eq!(
            (c[2].pv_cumulative, c[2].ev_cumulative, c[2].ac_cumulative),
            (r.pv, Some(r.ev), Some(r.ac))
        );
    }

    #[test]
    fn fixed_cost_accrues_at_start_end_or_prorated() {
        let mut t = EvmTask {
            bac: 10_000,
            fixed_cost: 2_000,
            fixed_cost_accrual: Accrual::Start,
            baseline_start: 0,
            baseline_finish: 10,
            ..EvmTask::default()
        };
        let pv = |t: &EvmTask, at| planned_value(0, t, at, &elapsed);
        assert_eq!(
            (pv(&t, -1), pv(&t, 0), pv(&t, 5), pv(&t, 10)),
            (0, 2_000, 6_000, 10_000)
        );
        t.fixed_cost_accrual = Accrual::End;
        assert_eq!(
            (pv(&t, 0), pv(&t, 5), pv(&t, 9), pv(&t, 10)),
            (0, 4_000, 7_200, 10_000)
        );
        t.fixed_cost_accrual = Accrual::Prorated;
        assert_eq!(pv(&t, 5), 5_000);
        // Earned value does not care how the budget was planned.
        t.percent_complete = 50.0;
        assert_eq!(earned_value(&t), 5_000);
    }

    #[test]
    fn percent_is_clamped_and_nan_safe() {
        let mut t = EvmTask {
            bac: 1_000,
            percent_complete: 150.0,
            ..EvmTask::default()
        };
        assert_eq!(earned_value(&t), 1_000);
        t.percent_complete = f64::NAN;
        assert_eq!(earned_value(&t), 0);
        t.percent_complete = -3.0;
        assert_eq!(earned_value(&t), 0);
        t.percent_complete = 33.3;
        assert_eq!(earned_value(&t), 333);
    }

    #[test]
    fn huge_values_saturate_instead_of_overflowing() {
        let m = EvmMetrics::from_values(i64::MAX, i64::MAX, 1, i64::MAX);
        assert_eq!(m.eac_cpi, Some(i64::MAX));
        assert!(m.eac_cpi_spi.is_some());
        assert_eq!(period_ends(0, 10, 0, 5), Vec::<i64>::new());
        assert_eq!(period_ends(0, i64::MAX, 1, 3).len(), 3);
    }
}
