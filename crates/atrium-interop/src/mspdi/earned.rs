//! Bridges from the MSPDI model to the pure baseline and earned-value engines.
//!
//! Instants become minutes since 1970-01-01 local time (the calendar module's unit), money
//! stays in MSPDI's hundredths. Only leaf tasks feed earned value, so that summaries do not
//! count their children twice.

use atrium_schedule::baseline::{BaselineNumber, ProjectBaselines, TaskValues};
use atrium_schedule::evm::{Accrual, EvmTask};

use super::model::{Project, Task, TaskBaseline};

fn minutes(d: Option<super::model::DateTime>) -> Option<i64> {
    d.map(|d| d.minutes_since_epoch())
}

/// The values a baseline captures, as the task has them now.
pub fn current_values(t: &Task) -> TaskValues {
    TaskValues {
        start: minutes(t.start),
        finish: minutes(t.finish),
        duration: t.duration,
        work: t.work,
        cost: t.cost,
    }
}

fn baseline_values(b: &TaskBaseline) -> TaskValues {
    TaskValues {
        start: minutes(b.start),
        finish: minutes(b.finish),
        duration: b.duration,
        work: b.work,
        cost: b.cost,
    }
}

/// All baselines of the project's tasks, indexed like `project.tasks`.
pub fn project_baselines(project: &Project) -> ProjectBaselines {
    let mut out = ProjectBaselines::new(project.tasks.len());
    for (i, t) in project.tasks.iter().enumerate() {
        for b in &t.baselines {
            if let Some(n) = BaselineNumber::new(b.number) {
                out.set(i, n, baseline_values(b));
            }
        }
    }
    out
}

/// True for a task that carries work of its own: not a summary, not the project summary
/// (UID 0), not a null or inactive row.
pub fn is_leaf(t: &Task) -> bool {
    !t.summary && t.uid != 0 && !t.is_null && t.active != Some(false)
}

/// Earned-value inputs of the leaf tasks against baseline `n`, with the index of each one in
/// `project.tasks`. Tasks without that baseline's dates are left out; a missing baseline
/// cost counts as zero budget.
pub fn evm_tasks(project: &Project, n: BaselineNumber) -> Vec<(usize, EvmTask)> {
    project
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| is_leaf(t))
        .filter_map(|(i, t)| {
            let b = t.baseline(n.get())?;
            let start = minutes(b.start)?;
            let finish = minutes(b.finish)?;
            Some((
                i,
                EvmTask {
                    bac: b.cost.unwrap_or(0),
                    fixed_cost: b.fixed_cost.unwrap_or(0),
                    // MSPDI FixedCostAccrual: 1 start, 2 prorated (MS Project's default), 3 end.
                    fixed_cost_accrual: match t.fixed_cost_accrual {
                        Some(1) => Accrual::Start,
                        Some(3) => Accrual::End,
                        _ => Accrual::Prorated,
                    },
                    baseline_start: start,
                    baseline_finish: finish,
                    percent_complete: f64::from(t.percent_complete.unwrap_or(0)),
                    actual_cost: t.actual_cost.unwrap_or(0),
                    actual_start: minutes(t.actual_start),
                    actual_finish: minutes(t.actual_finish),
                },
            ))
        })
        .collect()
}
