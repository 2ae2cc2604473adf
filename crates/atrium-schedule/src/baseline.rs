//! Baselines: up to eleven saved copies (0..=10) of a project's plan, and the start, finish,
//! duration, work and cost variance of every task against any of them.
//!
//! Plain inputs only: instants are `i64` minutes (any fixed epoch, e.g. minutes since
//! 1970-01-01 local time as the calendar module uses), durations and work are `i64` minutes,
//! costs are `i64` minor currency units. Tasks are identified by their dense index.
//! Variances follow MS Project's sign: *current − baseline*, so a positive value means later,
//! longer, more work or more cost than planned.

/// Number of baselines a project can hold: MS Project's Baseline and Baseline1..Baseline10.
pub const BASELINE_COUNT: usize = 11;

/// A baseline slot, 0..=10. Constructed only through [`BaselineNumber::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct BaselineNumber(u8);

impl BaselineNumber {
    /// The primary baseline ("Baseline" in MS Project, the one earned value uses by default).
    pub const PRIMARY: BaselineNumber = BaselineNumber(0);

    /// `Some` for 0..=10.
    pub fn new(n: u8) -> Option<Self> {
        (usize::from(n) < BASELINE_COUNT).then_some(BaselineNumber(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// All eleven slots in order.
    pub fn all() -> impl Iterator<Item = BaselineNumber> {
        (0..BASELINE_COUNT as u8).map(BaselineNumber)
    }
}

/// The values of one task that a baseline captures (and that variances compare). Any of them
/// may be unknown; a variance is only computed when both sides are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaskValues {
    /// Instant, minutes.
    pub start: Option<i64>,
    /// Instant, minutes.
    pub finish: Option<i64>,
    /// Minutes of working time.
    pub duration: Option<i64>,
    /// Minutes of work.
    pub work: Option<i64>,
    /// Minor currency units.
    pub cost: Option<i64>,
}

/// Current minus baseline, per field; `None` where either side is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Variance {
    /// Minutes (working minutes with [`variance_with`], elapsed minutes with [`variance`]).
    pub start: Option<i64>,
    pub finish: Option<i64>,
    pub duration: Option<i64>,
    pub work: Option<i64>,
    pub cost: Option<i64>,
}

/// Variance of `current` against `baseline`, start and finish in elapsed minutes.
pub fn variance(current: &TaskValues, baseline: &TaskValues) -> Variance {
    variance_with(current, baseline, |from, to| to - from)
}

/// Variance with start and finish variance measured by `between(baseline, current)`, e.g.
/// the signed working minutes between two instants in the task's calendar, which is how MS
/// Project reports Start Variance and Finish Variance (in working days).
pub fn variance_with(
    current: &TaskValues,
    baseline: &TaskValues,
    between: impl Fn(i64, i64) -> i64,
) -> Variance {
    let diff = |c: Option<i64>, b: Option<i64>| Some(c?.saturating_sub(b?));
    Variance {
        start: baseline
            .start
            .zip(current.start)
            .map(|(b, c)| between(b, c)),
        finish: baseline
            .finish
            .zip(current.finish)
            .map(|(b, c)| between(b, c)),
        duration: diff(current.duration, baseline.duration),
        work: diff(current.work, baseline.work),
        cost: diff(current.cost, baseline.cost),
    }
}

/// The baselines of a whole project: for each of the eleven slots, when it was saved (an
/// instant supplied by the caller: engines have no clock) and each task's saved values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectBaselines {
    saved_at: [Option<i64>; BASELINE_COUNT],
    tasks: Vec<[Option<TaskValues>; BASELINE_COUNT]>,
}

impl ProjectBaselines {
    /// Empty baselines for `task_count` tasks.
    pub fn new(task_count: usize) -> Self {
        ProjectBaselines {
            saved_at: [None; BASELINE_COUNT],
            tasks: vec![[None; BASELINE_COUNT]; task_count],
        }
    }

    pub fn task_count(&self) -> usize {
        self.tasks.len()
    }

    /// Adds room for more tasks (new tasks have no baseline values).
    pub fn resize(&mut self, task_count: usize) {
        self.tasks.resize(task_count, [None; BASELINE_COUNT]);
    }

    /// "Set baseline for the entire project": slot `n` becomes a copy of `current` (one entry
    /// per task; extra tasks are added, tasks beyond `current` lose slot `n`).
    pub fn save(&mut self, n: BaselineNumber, at: i64, current: &[TaskValues]) {
        if self.tasks.len() < current.len() {
            self.resize(current.len());
        }
        let slot = usize::from(n.0);
        for (i, t) in self.tasks.iter_mut().enumerate() {
            t[slot] = current.get(i).copied();
        }
        self.saved_at[slot] = Some(at);
    }

    /// "Set baseline for selected tasks": only the tasks in `which` are (re)saved.
    /// Out-of-range indices are ignored.
    pub fn save_tasks(
        &mut self,
        n: BaselineNumber,
        at: i64,
        current: &[TaskValues],
        which: &[usize],
    ) {
        if self.tasks.len() < current.len() {
            self.resize(current.len());
        }
        let slot = usize::from(n.0);
        for &i in which {
            if let (Some(t), Some(v)) = (self.tasks.get_mut(i), current.get(i)) {
                t[slot] = Some(*v);
            }
        }
        self.saved_at[slot] = Some(at);
    }

    /// Sets one task's values in a slot directly (e.g. when loading a file); the slot counts
    /// as saved from then on, with no save instant unless one was recorded.
    pub fn set(&mut self, task: usize, n: BaselineNumber, values: TaskValues) {
        if task >= self.tasks.len() {
            self.resize(task + 1);
        }
        self.tasks[task][usize::from(n.0)] = Some(values);
    }

    /// Clears slot `n` for every task.
    pub fn clear(&mut self, n: BaselineNumber) {
        let slot = usize::from(n.0);
        for t in &mut self.tasks {
            t[slot] = None;
        }
        self.saved_at[slot] = None;
    }

    /// When slot `n` was saved with [`ProjectBaselines::save`] or
    /// [`ProjectBaselines::save_tasks`].
    pub fn saved_at(&self, n: BaselineNumber) -> Option<i64> {
        self.saved_at[usize::from(n.0)]
    }

    /// True when any task has values in slot `n`.
    pub fn is_set(&self, n: BaselineNumber) -> bool {
        let slot = usize::from(n.0);
        self.saved_at[slot].is_some() || self.tasks.iter().any(|t| t[slot].is_some())
    }

    pub fn get(&self, task: usize, n: BaselineNumber) -> Option<&TaskValues> {
        self.tasks.get(task)?[usize::from(n.0)].as_ref()
    }

    /// Variance of every task against slot `n` (elapsed minutes for start and finish);
    /// `None` for tasks without values in that slot.
    pub fn variances(&self, n: BaselineNumber, current: &[TaskValues]) -> Vec<Option<Variance>> {
        self.variances_with(n, current, |_, from, to| to - from)
    }

    /// Like [`ProjectBaselines::variances`] with start/finish variance measured by
    /// `between(task, baseline_instant, current_instant)`, e.g. working minutes in the
    /// task's calendar.
    pub fn variances_with(
        &self,
        n: BaselineNumber,
        current: &[TaskValues],
        between: impl Fn(usize, i64, i64) -> i64,
    ) -> Vec<Option<Variance>> {
        current
            .iter()
            .enumerate()
            .map(|(i, c)| {
                self.get(i, n)
                    .map(|b| variance_with(c, b, |from, to| between(i, from, to)))
            })
            .collect()
    }

    /// Sum of the cost and work variances over `tasks` (e.g. the leaf tasks, so summaries are
    /// not counted twice): `(cost, work)`, each `None` when no task has both sides known.
    pub fn total_cost_work(
        variances: &[Option<Variance>],
        tasks: &[usize],
    ) -> (Option<i64>, Option<i64>) {
        let mut cost = None;
        let mut work = None;
        for &i in tasks {
            if let Some(Some(v)) = variances.get(i) {
                if let Some(c) = v.cost {
                    cost = Some(cost.unwrap_or(0i64).saturating_add(c));
                }
                if let Some(w) = v.work {
                    work = Some(work.unwrap_or(0i64).saturating_add(w));
                }
            }
        }
        (cost, work)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(start: i64, finish: i64, duration: i64, work: i64, cost: i64) -> TaskValues {
        TaskValues {
            start: Some(start),
            finish: Some(finish),
            duration: Some(duration),
            work: Some(work),
            cost: Some(cost),
        }
    }

    #[test]
    fn numbers_are_checked() {
        assert_eq!(BaselineNumber::new(10).map(BaselineNumber::get), Some(10));
        assert_eq!(BaselineNumber::new(11), None);
        assert_eq!(BaselineNumber::all().count(), 11);
    }

    #[test]
    fn variance_is_current_minus_baseline() {
        let base = vals(1000, 3400, 2400, 4800, 100_000);
        let cur = vals(1480, 4360, 2880, 5760, 125_050);
        let v = variance(&cur, &base);
        assert_eq!(
            v,
            Variance {
                start: Some(480),
                finish: Some(960),
                duration: Some(480),
                work: Some(960),
                cost: Some(25_050),
            }
        );
        // Unknown on either side gives no variance for that field only.
        let partial = TaskValues { cost: None, ..base };
        let v = variance(&cur, &partial);
        assert_eq!((v.cost, v.work), (None, Some(960)));
    }

    #[test]
    fn working_time_variance_uses_the_supplied_measure() {
        // A toy calendar: only the first 480 minutes of each 1440-minute day are working.
        let working = |a: i64, b: i64| {
            let pos = |t: i64| t.div_euclid(1440) * 480 + t.rem_euclid(1440).min(480);
            pos(b) - pos(a)
        };
        let base = vals(0, 480, 480, 480, 0);
        let cur = vals(1440, 2 * 1440 + 480, 960, 960, 0);
        let v = variance_with(&cur, &base, working);
        assert_eq!(v.start, Some(480), "one working day late");
        assert_eq!(v.finish, Some(960), "two working days late");
        let early = variance_with(&base, &cur, working);
        assert_eq!(early.start, Some(-480));
    }

    #[test]
    fn eleven_slots_saved_and_compared_independently() {
        let plan0 = [vals(0, 100, 100, 100, 1000), vals(100, 300, 200, 200, 2000)];
        let plan5 = [
            vals(10, 110, 100, 100, 1100),
            vals(110, 330, 220, 220, 2100),
        ];
        let current = [
            vals(20, 140, 120, 120, 1300),
            vals(140, 340, 200, 200, 1900),
        ];
        let mut b = ProjectBaselines::new(2);
        let n0 = BaselineNumber::PRIMARY;
        let n5 = BaselineNumber::new(5).expect("slot");
        let n10 = BaselineNumber::new(10).expect("slot");
        b.save(n0, 7, &plan0);
        b.save(n5, 8, &plan5);
        assert!(b.is_set(n0) && b.is_set(n5) && !b.is_set(n10));
        assert_eq!((b.saved_at(n0), b.saved_at(n5)), (Some(7), Some(8)));

        let v0 = b.variances(n0, &current);
        assert_eq!(
            v0[0].map(|v| (v.start, v.finish, v.cost)),
            Some((Some(20), Some(40), Some(300)))
        );
        assert_eq!(v0[1].map(|v| v.cost), Some(Some(-100)));
        let v5 = b.variances(n5, &current);
        assert_eq!(
            v5[0].map(|v| (v.start, v.cost)),
            Some((Some(10), Some(200)))
        );
        assert_eq!(b.variances(n10, &current), vec![None, None]);
        assert_eq!(
            ProjectBaselines::total_cost_work(&v0, &[0, 1]),
            (Some(200), Some(20))
        );

        // Re-baselining one task leaves the others alone.
        b.save_tasks(n0, 9, &current, &[1]);
        assert_eq!(b.get(0, n0), Some(&plan0[0]));
        assert_eq!(b.get(1, n0), Some(&current[1]));
        assert_eq!(b.variances(n0, &current)[1].map(|v| v.cost), Some(Some(0)));

        b.clear(n5);
        assert!(!b.is_set(n5));
        assert_eq!(b.get(0, n5), None);
    }

    #[test]
    fn loading_and_growing() {
        let mut b = ProjectBaselines::default();
        let n3 = BaselineNumber::new(3).expect("slot");
        b.set(4, n3, vals(0, 1, 1, 1, 1));
        assert_eq!(b.task_count(), 5);
        assert!(b.is_set(n3));
        assert_eq!(b.saved_at(n3), None);
        assert_eq!(b.get(9, n3), None);
        // Saving with more tasks than known grows the table.
        b.save(n3, 1, &[TaskValues::default(); 7]);
        assert_eq!(b.task_count(), 7);
    }
}
