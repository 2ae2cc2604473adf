//! Plan use cases: editing tasks and links, scheduling through the engine, baselines, costs,
//! earned value, and the hooks other areas call (key figures for status reports, change
//! impacts). Every edit is authorized, runs in one transaction, re-schedules the plan, keeps
//! the cross-project link index in step and writes one audit record.

use crate::permissions::{Action, authorize};
use crate::records::placement_of;
use crate::{Actor, App, AppError, Result, audit};
use atrium_core::org::{OrgSettings, WorkCalendar};
use atrium_core::plan::{
    self as cp, BASELINES, BaselineValues, BudgetLine, Expense, LinkType, MAX_TASKS, Plan,
    PlanLink, PlanTask, TaskDraft, TaskEdit,
};
use atrium_core::project::Project;
use atrium_schedule::calendar::{self as cal, CalendarDef, DateTime, Exception, Interval, Span};
use atrium_schedule::cpm::{self, ConstraintKind, Diagnostic, Lag, LinkKind, Mode};
use atrium_schedule::evm::{self, EvmTask, SCurvePoint};
use atrium_store::plan::{self as sp, CrossLink};
use atrium_store::{Tx, org, project};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

// ---- calendar and date conversions -----------------------------------------------------------

/// The organization calendar compiled for the engine, with the figures the plan needs.
pub struct WorkTime {
    pub calendar: cal::Calendar,
    pub day_start: i64,
    pub day_end: i64,
    pub minutes_per_day: i64,
}

impl WorkTime {
    pub fn of(c: &WorkCalendar) -> WorkTime {
        let (start, end) = (c.day_start.min(c.day_end), c.day_end.max(c.day_start));
        let day = Interval::new(start, end.max(start + 1))
            .map(|i| vec![i])
            .unwrap_or_default();
        let week: [Vec<Interval>; 7] = std::array::from_fn(|i| {
            if c.working_days[i] {
                day.clone()
            } else {
                Vec::new()
            }
        });
        let mut def = CalendarDef {
            name: "Organization".into(),
            week,
            exceptions: Vec::new(),
        };
        if def.week.iter().all(Vec::is_empty) {
            def = CalendarDef::standard();
        }
        for h in &c.holidays {
            let d = sdate(*h);
            def.exceptions.push(Exception::holiday(d, d));
        }
        WorkTime {
            calendar: def.compile(),
            day_start: i64::from(start),
            day_end: i64::from(end),
            minutes_per_day: (i64::from(end) - i64::from(start)).max(1),
        }
    }

    /// Start of the working day `d` (engine minutes).
    pub fn day_start_of(&self, d: Date) -> i64 {
        sdate(d).at(self.day_start).0
    }

    /// End of the working day `d` (engine minutes).
    pub fn day_end_of(&self, d: Date) -> i64 {
        sdate(d).at(self.day_end).0
    }

    /// Working minutes between two instants.
    pub fn work_between(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        self.calendar.work_between(DateTime(a), DateTime(b))
    }
}

/// A civil date as the engine's day number.
pub fn sdate(d: Date) -> cal::Date {
    cal::Date::from_ymd(i64::from(d.year()), d.month() as u32, d.day() as u32)
        .unwrap_or(cal::Date(0))
}

/// The civil date of an engine instant.
pub fn civil(minutes: i64) -> Date {
    let (y, m, d) = DateTime(minutes).date().ymd();
    Date::new(y as i16, m as i8, d as i8).unwrap_or(Date::constant(1970, 1, 1))
}

pub use atrium_schedule::evm::EvmMetrics;

/// `YYYY-MM-DDTHH:MM:SS` of an engine instant (local time, MS Project's convention).
pub fn iso_datetime(minutes: i64) -> String {
    let mut s = String::new();
    DateTime(minutes).push_iso(&mut s);
    s
}

/// `YYYY-MM-DD` of an engine instant.
pub fn civil_str(minutes: i64) -> String {
    civil(minutes).to_string()
}

// ---- scheduling --------------------------------------------------------------------------------

/// A person's name and hourly cost rates (minor units per hour) over time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rate {
    pub name: String,
    /// The person's own rate: before the first change.
    pub base: i64,
    /// (from instant in engine minutes, rate), sorted by instant.
    pub changes: Vec<(i64, i64)>,
}

impl Rate {
    pub fn flat(name: &str, base: i64) -> Rate {
        Rate {
            name: name.to_owned(),
            base,
            changes: Vec::new(),
        }
    }

    /// The rate in force at `t`.
    pub fn at(&self, t: i64) -> i64 {
        self.changes
            .iter()
            .rev()
            .find(|(from, _)| *from <= t)
            .map_or(self.base, |c| c.1)
    }

    /// Cost of `work` minutes spread evenly over the working time of `[start, finish]`,
    /// each part at the rate in force then.
    pub fn cost(&self, work: i64, start: i64, finish: i64, wt: &WorkTime) -> i128 {
        let flat = |r: i64| i128::from(work) * i128::from(r) / 60;
        if self.changes.is_empty() || finish <= start {
            return flat(self.at(start));
        }
        let total = wt.work_between(start, finish);
        if total <= 0 {
            return flat(self.at(start));
        }
        // Rate periods cut at every change inside the span.
        let mut cuts: Vec<i64> = self
            .changes
            .iter()
            .map(|c| c.0)
            .filter(|&t| t > start && t < finish)
            .collect();
        cuts.insert(0, start);
        cuts.push(finish);
        let mut cost = 0i128;
        for w in cuts.windows(2) {
            let part = wt.work_between(w[0], w[1]);
            cost += i128::from(work) * i128::from(part) * i128::from(self.at(w[0]))
                / (60 * i128::from(total));
        }
        cost
    }
}

/// The people a plan assigns, by id.
pub type People = HashMap<Uuid, Rate>;

/// The scheduled plan: one entry per plan task (same order), plus project figures.
#[derive(Debug, Clone, Default)]
pub struct Computed {
    pub start: Vec<i64>,
    pub finish: Vec<i64>,
    pub early_start: Vec<i64>,
    pub early_finish: Vec<i64>,
    pub late_start: Vec<i64>,
    pub late_finish: Vec<i64>,
    pub total_float: Vec<i64>,
    pub free_float: Vec<i64>,
    pub critical: Vec<bool>,
    pub summary: Vec<bool>,
    pub work: Vec<i64>,
    pub cost: Vec<i64>,
    pub percent: Vec<f64>,
    pub project_start: i64,
    pub project_finish: i64,
    /// (task uid or none, message) in words.
    pub diagnostics: Vec<(Option<u32>, String)>,
    /// External predecessors appended to the engine input: (project, uid, start, finish).
    pub externals: Vec<(Uuid, u32, i64, i64)>,
}

fn link_kind(k: LinkType) -> LinkKind {
    match k {
        LinkType::Fs => LinkKind::FinishStart,
        LinkType::Ss => LinkKind::StartStart,
        LinkType::Ff => LinkKind::FinishFinish,
        LinkType::Sf => LinkKind::StartFinish,
    }
}

fn constraint_kind(c: cp::Constraint) -> ConstraintKind {
    use cp::Constraint as C;
    match c {
        C::Asap => ConstraintKind::Asap,
        C::Alap => ConstraintKind::Alap,
        C::Snet => ConstraintKind::Snet,
        C::Snlt => ConstraintKind::Snlt,
        C::Fnet => ConstraintKind::Fnet,
        C::Fnlt => ConstraintKind::Fnlt,
        C::Mso => ConstraintKind::Mso,
        C::Mfo => ConstraintKind::Mfo,
    }
}

/// Work (minutes) and cost (minor units) of a task from its assignments and fixed cost.
pub fn work_and_cost(t: &PlanTask, people: &People) -> (i64, i64) {
    let mut work = 0i64;
    let mut cost = 0i128;
    for a in &t.assignments {
        let w = t.duration * i64::from(a.units) / 100;
        work += w;
        let rate = people.get(&a.person_id).map_or(0, |p| p.base);
        cost += i128::from(w) * i128::from(rate) / 60;
    }
    (work, (cost as i64).saturating_add(t.fixed_cost))
}

/// Schedules `plan` on `wt` with the cross-project predecessors `cross` (links into this
/// plan, with their predecessors' last dates).
pub fn compute(plan: &Plan, wt: &WorkTime, cross: &[CrossLink], people: &People) -> Computed {
    let n = plan.tasks.len();
    let parents = plan.parents();
    let index: HashMap<u32, usize> = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.uid, i))
        .collect();
    let finish_constraint = |c: cp::Constraint| {
        matches!(
            c,
            cp::Constraint::Fnet | cp::Constraint::Fnlt | cp::Constraint::Mfo
        )
    };
    let mut tasks: Vec<cpm::Task> = Vec::with_capacity(n + cross.len());
    for (i, t) in plan.tasks.iter().enumerate() {
        let (work, cost) = work_and_cost(t, people);
        let cdate = t.constraint_date.map(|d| {
            DateTime(if finish_constraint(t.constraint) {
                wt.day_end_of(d)
            } else {
                wt.day_start_of(d)
            })
        });
        tasks.push(cpm::Task {
            duration: Span::Work(t.duration),
            calendar: 0,
            mode: Mode::Auto,
            milestone: t.milestone,
            constraint: constraint_kind(t.constraint),
            constraint_date: cdate,
            deadline: t.deadline.map(|d| DateTime(wt.day_end_of(d))),
            actual_start: t.actual_start.map(|d| DateTime(wt.day_start_of(d))),
            actual_finish: t.actual_finish.map(|d| DateTime(wt.day_end_of(d))),
            percent_complete: f64::from(t.percent_complete),
            remaining: None,
            parent: parents[i].map(|p| p as u32),
            work,
            cost,
        });
    }
    let mut links: Vec<cpm::Link> = Vec::with_capacity(plan.links.len() + cross.len());
    for l in plan.links.iter().filter(|l| l.pred_project.is_none()) {
        if let (Some(&p), Some(&s)) = (index.get(&l.pred), index.get(&l.succ)) {
            links.push(cpm::Link {
                pred: p as u32,
                succ: s as u32,
                kind: link_kind(l.kind),
                lag: Lag::Work(l.lag),
            });
        }
    }
    let mut externals = Vec::new();
    let mut ext_index: HashMap<(Uuid, u32), usize> = HashMap::new();
    for c in cross {
        let (Some((s, f)), Some(&succ)) = (c.pred_dates, index.get(&c.succ_uid)) else {
            continue;
        };
        let e = *ext_index
            .entry((c.pred_project, c.pred_uid))
            .or_insert_with(|| {
                tasks.push(cpm::Task {
                    mode: Mode::External {
                        start: DateTime(s),
                        finish: DateTime(f),
                    },
                    ..cpm::Task::default()
                });
                externals.push((c.pred_project, c.pred_uid, s, f));
                tasks.len() - 1
            });
        links.push(cpm::Link {
            pred: e as u32,
            succ: succ as u32,
            kind: link_kind(c.kind),
            lag: Lag::Work(c.lag),
        });
    }
    let input = cpm::Project {
        start: DateTime(wt.day_start_of(plan.start)),
        status_date: plan.status_date.map(|d| DateTime(wt.day_end_of(d))),
        calendars: vec![wt.calendar.clone()],
        tasks,
        links,
    };
    let s = cpm::schedule(&input);
    let take = |v: &[DateTime]| v[..n].iter().map(|d| d.0).collect::<Vec<i64>>();
    let uid_of = |i: u32| plan.tasks.get(i as usize).map(|t| t.uid);
    let diagnostics = s
        .diagnostics
        .iter()
        .filter_map(|d| describe(d, &uid_of, &input))
        .collect();
    // Rates that change over time: re-cost those leaves on their scheduled dates and move
    // the difference up to their summaries.
    let mut cost: Vec<i64> = s.cost[..n].to_vec();
    if people.values().any(|r| !r.changes.is_empty()) {
        for (i, t) in plan.tasks.iter().enumerate() {
            if s.summary[i]
                || !t.assignments.iter().any(|a| {
                    people
                        .get(&a.person_id)
                        .is_some_and(|r| !r.changes.is_empty())
                })
            {
                continue;
            }
            let exact: i128 = t
                .assignments
                .iter()
                .map(|a| {
                    let w = t.duration * i64::from(a.units) / 100;
                    people
                        .get(&a.person_id)
                        .map_or(0, |r| r.cost(w, s.start[i].0, s.finish[i].0, wt))
                })
                .sum();
            let exact = (exact as i64).saturating_add(t.fixed_cost);
            let delta = exact - cost[i];
            let mut at = Some(i);
            while let Some(k) = at {
                cost[k] += delta;
                at = parents[k];
            }
        }
    }
    let local_finish = s.finish[..n].iter().map(|d| d.0).max();
    let local_start = s.start[..n].iter().map(|d| d.0).min();
    Computed {
        start: take(&s.start),
        finish: take(&s.finish),
        early_start: take(&s.early_start),
        early_finish: take(&s.early_finish),
        late_start: take(&s.late_start),
        late_finish: take(&s.late_finish),
        total_float: s.total_float[..n].to_vec(),
        free_float: s.free_float[..n].to_vec(),
        critical: s.critical[..n].to_vec(),
        summary: s.summary[..n].to_vec(),
        work: s.work[..n].to_vec(),
        cost,
        percent: s.percent_complete[..n].to_vec(),
        project_start: local_start.unwrap_or(input.start.0),
        project_finish: local_finish.unwrap_or(input.start.0),
        diagnostics,
        externals,
    }
}

fn describe(
    d: &Diagnostic,
    uid_of: &impl Fn(u32) -> Option<u32>,
    input: &cpm::Project,
) -> Option<(Option<u32>, String)> {
    Some(match d {
        Diagnostic::Cycle { tasks } => {
            let ids: Vec<String> = tasks
                .iter()
                .filter_map(|&t| uid_of(t))
                .map(|u| u.to_string())
                .collect();
            (
                tasks.first().and_then(|&t| uid_of(t)),
                format!(
                    "dependency cycle among tasks {}; a link was ignored to break it",
                    ids.join(", ")
                ),
            )
        }
        Diagnostic::ConstraintConflict {
            task,
            constraint,
            date,
            link_start,
        } => (
            uid_of(*task),
            format!(
                "scheduling conflict: the constraint {:?} on {} is earlier than its links allow ({}); the constraint was kept",
                constraint,
                civil_str(date.0),
                civil_str(link_start.0)
            ),
        ),
        Diagnostic::MissingConstraintDate { task } => (
            uid_of(*task),
            "constraint without a date: scheduled as soon as possible".into(),
        ),
        Diagnostic::DeadlineMissed {
            task,
            deadline,
            finish,
        } => (
            uid_of(*task),
            format!(
                "finishes {} after its deadline {}",
                civil_str(finish.0),
                civil_str(deadline.0)
            ),
        ),
        Diagnostic::InvalidLink { link } => {
            let l = input.links.get(*link as usize)?;
            (
                uid_of(l.succ),
                "a link to a missing task was ignored".into(),
            )
        }
        Diagnostic::InvalidParent { task } => {
            (uid_of(*task), "outline problem: parent ignored".into())
        }
        Diagnostic::InvalidCalendar { task } => (
            uid_of(*task),
            "unknown calendar: the project calendar was used".into(),
        ),
    })
}

// ---- views -----------------------------------------------------------------------------------

/// A task of another project linked to this plan (either direction).
#[derive(Debug, Clone, Serialize)]
pub struct ForeignTask {
    pub project_id: Uuid,
    pub project_key: String,
    pub uid: u32,
    pub name: String,
    pub start: Option<i64>,
    pub finish: Option<i64>,
}

/// One row of the plan table, scheduled.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    /// Row number (MS Project's ID), 1-based.
    pub id: usize,
    pub uid: u32,
    pub name: String,
    pub level: u8,
    pub summary: bool,
    pub milestone: bool,
    pub duration: i64,
    pub start: i64,
    pub finish: i64,
    pub early_start: i64,
    pub early_finish: i64,
    pub late_start: i64,
    pub late_finish: i64,
    pub total_float: i64,
    pub free_float: i64,
    pub critical: bool,
    pub work: i64,
    pub cost: i64,
    pub percent_complete: f64,
    /// Predecessors in the table syntax (`3FS+2d, OTHER:5`).
    pub predecessors: String,
    /// Tasks of other projects that depend on this one (`KEY:uid`).
    pub external_successors: Vec<String>,
    /// `Name[50%]` list.
    pub resources: String,
    pub baseline: Option<BaselineValues>,
    pub diagnostics: Vec<String>,
}

/// Everything the plan page and `GET /plan` show.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    #[serde(skip)]
    pub project: Project,
    pub plan: Plan,
    pub rows: Vec<TaskRow>,
    pub project_start: i64,
    pub project_finish: i64,
    pub minutes_per_day: i64,
    /// Diagnostics not tied to one task.
    pub diagnostics: Vec<String>,
    /// Predecessors in other projects.
    pub foreign_predecessors: Vec<ForeignTask>,
    /// Successors in other projects.
    pub foreign_successors: Vec<ForeignTask>,
    /// The baseline the rows compare against.
    pub baseline: u8,
    pub can_edit: bool,
    pub currency: String,
}

impl PlanView {
    pub fn critical_uids(&self) -> Vec<u32> {
        self.rows
            .iter()
            .filter(|r| r.critical && !r.summary)
            .map(|r| r.uid)
            .collect()
    }
}

/// Result of one plan edit.
#[derive(Debug, Clone, Serialize)]
pub struct EditOutcome {
    pub version: i64,
    /// The task created or changed.
    pub uid: Option<u32>,
    pub project_finish: i64,
    pub critical: Vec<u32>,
    pub diagnostics: Vec<(Option<u32>, String)>,
}

/// One change to a plan.
#[derive(Debug, Clone)]
pub enum PlanOp {
    AddTask {
        draft: TaskDraft,
        /// Insert after this task (and its subtree); `None` = at the end.
        after: Option<u32>,
        /// Outline level; `None` = the level of the row above (1 at the end).
        level: Option<u8>,
    },
    UpdateTask {
        uid: u32,
        draft: TaskDraft,
    },
    /// Change some fields of a task, the others kept (merged against the stored plan).
    PatchTask {
        uid: u32,
        patch: Box<cp::TaskPatch>,
    },
    DeleteTask {
        uid: u32,
    },
    Indent {
        uid: u32,
    },
    Outdent {
        uid: u32,
    },
    MoveUp {
        uid: u32,
    },
    MoveDown {
        uid: u32,
    },
    /// Project start and status date.
    SetDates {
        start: Date,
        status_date: Option<Date>,
    },
    SetBaseline {
        n: u8,
    },
    ClearBaseline {
        n: u8,
    },
    AddBudgetLine(BudgetLine),
    RemoveBudgetLine {
        index: usize,
    },
    AddExpense(Expense),
    RemoveExpense {
        index: usize,
    },
    /// Replace tasks, links and dates (an import); people already resolved.
    Replace(Box<Plan>),
}

impl PlanOp {
    fn name(&self) -> &'static str {
        match self {
            PlanOp::AddTask { .. } => "task.create",
            PlanOp::UpdateTask { .. } | PlanOp::PatchTask { .. } => "task.update",
            PlanOp::DeleteTask { .. } => "task.delete",
            PlanOp::Indent { .. } => "task.indent",
            PlanOp::Outdent { .. } => "task.outdent",
            PlanOp::MoveUp { .. } => "task.move_up",
            PlanOp::MoveDown { .. } => "task.move_down",
            PlanOp::SetDates { .. } => "plan.dates",
            PlanOp::SetBaseline { .. } => "baseline.set",
            PlanOp::ClearBaseline { .. } => "baseline.clear",
            PlanOp::AddBudgetLine(_) => "budget.add",
            PlanOp::RemoveBudgetLine { .. } => "budget.remove",
            PlanOp::AddExpense(_) => "expense.add",
            PlanOp::RemoveExpense { .. } => "expense.remove",
            PlanOp::Replace(_) => "plan.import",
        }
    }
}

fn not_found_task(uid: u32) -> AppError {
    AppError::field("uid", format!("task {uid} is not in this plan"))
}

/// Loads the people a plan assigns (rates and names).
async fn people_of_tx(tx: &mut Tx, plan: &Plan) -> Result<People> {
    let ids: HashSet<Uuid> = plan
        .tasks
        .iter()
        .flat_map(|t| t.assignments.iter().map(|a| a.person_id))
        .collect();
    let mut out = People::new();
    for id in ids {
        if let Some((name, rate)) = sp::person_rate_tx(tx, id).await? {
            let changes = atrium_store::people::rate_changes_tx(tx, id)
                .await?
                .into_iter()
                .filter_map(|(d, r)| Some((sdate(d.parse::<Date>().ok()?).at(0).0, r)))
                .collect();
            out.insert(
                id,
                Rate {
                    name,
                    base: rate,
                    changes,
                },
            );
        }
    }
    Ok(out)
}

async fn people_of(app: &App, plan: &Plan) -> Result<People> {
    let mut tx = app.db.begin().await?;
    let p = people_of_tx(&mut tx, plan).await?;
    tx.commit().await?;
    Ok(p)
}

fn empty_plan(p: &Project, today: Date) -> Plan {
    Plan::empty(p.id, p.planned_start.unwrap_or(today))
}

impl App {
    async fn settings_tx(&self, tx: &mut Tx) -> Result<OrgSettings> {
        org::get_tx(tx)
            .await?
            .ok_or(AppError::NotFound("organization settings"))
    }

    /// The scheduled plan of a project, comparing against baseline `baseline`.
    pub async fn plan_view(
        &self,
        actor: &Actor,
        project_id: Uuid,
        baseline: u8,
    ) -> Result<PlanView> {
        let s = self.settings().await?;
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        let at = placement_of(&p);
        authorize(actor, Action::ReadPlan, &at, s.operating_mode)?;
        let can_edit = crate::permissions::allows(actor, Action::EditPlan, &at, s.operating_mode)
            && !p.archived;
        let plan = sp::get_plan(&self.db, project_id)
            .await?
            .unwrap_or_else(|| empty_plan(&p, self.today()));
        let cross_in = sp::cross_links_into(&self.db, project_id).await?;
        let cross_out = sp::cross_links_from(&self.db, project_id).await?;
        let people = people_of(self, &plan).await?;
        let wt = WorkTime::of(&s.calendar);
        let c = compute(&plan, &wt, &cross_in, &people);
        // Names and keys of the other projects involved.
        let mut keys: HashMap<Uuid, String> = HashMap::new();
        let mut foreign_plans: HashMap<Uuid, Option<Plan>> = HashMap::new();
        for id in cross_in
            .iter()
            .map(|l| l.pred_project)
            .chain(cross_out.iter().map(|l| l.succ_project))
        {
            if let std::collections::hash_map::Entry::Vacant(e) = keys.entry(id) {
                let key = project::get(&self.db, id)
                    .await?
                    .map_or_else(|| "?".into(), |p| p.key);
                e.insert(key);
                foreign_plans.insert(id, sp::get_plan(&self.db, id).await?);
            }
        }
        let task_name = |pid: Uuid, uid: u32| {
            foreign_plans
                .get(&pid)
                .and_then(|p| p.as_ref())
                .and_then(|p| p.tasks.iter().find(|t| t.uid == uid))
                .map_or_else(|| format!("task {uid}"), |t| t.name.clone())
        };
        let foreign_predecessors = cross_in
            .iter()
            .map(|l| ForeignTask {
                project_id: l.pred_project,
                project_key: keys.get(&l.pred_project).cloned().unwrap_or_default(),
                uid: l.pred_uid,
                name: task_name(l.pred_project, l.pred_uid),
                start: l.pred_dates.map(|d| d.0),
                finish: l.pred_dates.map(|d| d.1),
            })
            .collect();
        let foreign_successors = cross_out
            .iter()
            .map(|l| ForeignTask {
                project_id: l.succ_project,
                project_key: keys.get(&l.succ_project).cloned().unwrap_or_default(),
                uid: l.succ_uid,
                name: task_name(l.succ_project, l.succ_uid),
                start: None,
                finish: None,
            })
            .collect();
        let rows = rows_of(
            &plan, &c, &cross_in, &cross_out, &keys, &people, &wt, baseline,
        );
        let diagnostics = c
            .diagnostics
            .iter()
            .filter(|d| d.0.is_none())
            .map(|d| d.1.clone())
            .collect();
        Ok(PlanView {
            project_start: c.project_start,
            project_finish: c.project_finish,
            minutes_per_day: wt.minutes_per_day,
            diagnostics,
            foreign_predecessors,
            foreign_successors,
            baseline,
            can_edit,
            currency: p.currency.clone(),
            project: p,
            plan,
            rows,
        })
    }

    /// Applies one change to a project's plan (creating the plan on first edit) and
    /// re-schedules it. `expected` is the plan version read (0 when there was no plan).
    pub async fn edit_plan(
        &self,
        actor: &Actor,
        project_id: Uuid,
        expected: i64,
        op: PlanOp,
    ) -> Result<EditOutcome> {
        let mut tx = self.db.begin().await?;
        let out = self
            .edit_plan_tx(&mut tx, actor, project_id, Some(expected), op)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// [`App::edit_plan`] inside the caller's transaction; `expected = None` skips the
    /// version check (the caller holds the plan by other means).
    pub(crate) async fn edit_plan_tx(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        project_id: Uuid,
        expected: Option<i64>,
        op: PlanOp,
    ) -> Result<EditOutcome> {
        let s = self.settings_tx(tx).await?;
        let p = project::get_tx(tx, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(actor, Action::EditPlan, &placement_of(&p), s.operating_mode)?;
        if p.archived {
            return Err(AppError::field(
                "project",
                "is archived; restore it to edit its plan",
            ));
        }
        let mut plan = sp::get_plan_tx(tx, project_id)
            .await?
            .unwrap_or_else(|| empty_plan(&p, self.today()));
        if let Some(e) = expected
            && e != plan.version
        {
            return Err(AppError::Stale {
                current: plan.version,
            });
        }
        let wt = WorkTime::of(&s.calendar);
        let action = op.name();
        let mut cross_in = sp::cross_links_into_tx(tx, project_id).await?;
        let (uid, before, after) = self
            .apply(
                tx,
                actor,
                &mut plan,
                &mut cross_in,
                &wt,
                op,
                s.operating_mode,
            )
            .await?;
        plan.version += 1;
        let people = people_of_tx(tx, &plan).await?;
        let c = compute(&plan, &wt, &cross_in, &people);
        sp::put_plan(tx, &plan, self.now_micros())
            .await
            .map_err(|e| crate::records::map_write(e, plan.version - 1, "plan", "plan", "plan"))?;
        sp::replace_cross_links_into(tx, project_id, &cross_in).await?;
        crate::resource::refresh_plan_demand(tx, project_id, &plan, &c, &wt).await?;
        // Tell the projects that depend on this one where their predecessors now are.
        for l in sp::cross_links_from_tx(tx, project_id).await? {
            if let Some(i) = plan.index_of(l.pred_uid) {
                sp::set_pred_dates(tx, project_id, l.pred_uid, c.start[i], c.finish[i]).await?;
            }
        }
        audit(
            tx,
            actor,
            "plan",
            project_id,
            action,
            before.as_ref(),
            after.as_ref(),
        )
        .await?;
        Ok(EditOutcome {
            version: plan.version,
            uid,
            project_finish: c.project_finish,
            critical: plan
                .tasks
                .iter()
                .zip(&c.critical)
                .zip(&c.summary)
                .filter(|((_, c), s)| **c && !**s)
                .map(|((t, _), _)| t.uid)
                .collect(),
            diagnostics: c.diagnostics,
        })
    }

    /// Applies `op` to `plan`; returns the task concerned and audit before/after values.
    #[allow(clippy::too_many_arguments)]
    async fn apply(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        plan: &mut Plan,
        cross_in: &mut Vec<CrossLink>,
        wt: &WorkTime,
        op: PlanOp,
        mode: atrium_core::org::OperatingMode,
    ) -> Result<(
        Option<u32>,
        Option<serde_json::Value>,
        Option<serde_json::Value>,
    )> {
        let idx = |plan: &Plan, uid: u32| plan.index_of(uid).ok_or_else(|| not_found_task(uid));
        match op {
            PlanOp::AddTask {
                draft,
                after,
                level,
            } => {
                if plan.tasks.len() >= MAX_TASKS {
                    return Err(AppError::field(
                        "name",
                        format!("a plan holds at most {MAX_TASKS} tasks"),
                    ));
                }
                let edit = draft
                    .validate(wt.minutes_per_day)
                    .map_err(AppError::Validation)?;
                let uid = plan.take_uid();
                let mut t = PlanTask::new(uid, &edit.name, edit.duration);
                let pos = match after {
                    Some(a) => {
                        let i = idx(plan, a)?;
                        plan.subtree(i).end
                    }
                    None => plan.tasks.len(),
                };
                t.level = level
                    .or_else(|| pos.checked_sub(1).map(|p| plan.tasks[p].level))
                    .unwrap_or(1);
                plan.tasks.insert(pos, t);
                plan.normalize_outline();
                self.set_task(tx, actor, plan, cross_in, pos, edit, wt, mode)
                    .await?;
                let after = to_json(&plan.tasks[plan.index_of(uid).unwrap_or(pos)]);
                Ok((Some(uid), None, Some(after)))
            }
            PlanOp::UpdateTask { uid, draft } => {
                let i = idx(plan, uid)?;
                let edit = draft
                    .validate(wt.minutes_per_day)
                    .map_err(AppError::Validation)?;
                let before = to_json(&plan.tasks[i]);
                self.set_task(tx, actor, plan, cross_in, i, edit, wt, mode)
                    .await?;
                Ok((Some(uid), Some(before), Some(to_json(&plan.tasks[i]))))
            }
            PlanOp::PatchTask { uid, patch } => {
                let i = idx(plan, uid)?;
                let cur = self.current_draft(tx, plan, cross_in, i, wt).await?;
                let edit = patch
                    .apply(cur)
                    .validate(wt.minutes_per_day)
                    .map_err(AppError::Validation)?;
                let before = to_json(&plan.tasks[i]);
                self.set_task(tx, actor, plan, cross_in, i, edit, wt, mode)
                    .await?;
                Ok((Some(uid), Some(before), Some(to_json(&plan.tasks[i]))))
            }
            PlanOp::DeleteTask { uid } => {
                let i = idx(plan, uid)?;
                let removed = plan.remove_subtree(i);
                let gone: HashSet<u32> = removed.iter().map(|t| t.uid).collect();
                cross_in.retain(|l| !gone.contains(&l.succ_uid));
                Ok((Some(uid), Some(to_json(&removed)), None))
            }
            PlanOp::Indent { uid } | PlanOp::Outdent { uid } => {
                let i = idx(plan, uid)?;
                let by = if matches!(op, PlanOp::Indent { .. }) {
                    1
                } else {
                    -1
                };
                plan.shift_level(i, by)
                    .map_err(|e| AppError::field("uid", e))?;
                Ok((Some(uid), None, None))
            }
            PlanOp::MoveUp { uid } | PlanOp::MoveDown { uid } => {
                let i = idx(plan, uid)?;
                plan.move_row(i, matches!(op, PlanOp::MoveUp { .. }))
                    .map_err(|e| AppError::field("uid", e))?;
                Ok((Some(uid), None, None))
            }
            PlanOp::SetDates { start, status_date } => {
                let before =
                    serde_json::json!({"start": plan.start, "status_date": plan.status_date});
                plan.start = start;
                plan.status_date = status_date;
                Ok((
                    None,
                    Some(before),
                    Some(serde_json::json!({"start": start, "status_date": status_date})),
                ))
            }
            PlanOp::SetBaseline { n } => {
                check_baseline(n)?;
                let people = people_of_tx(tx, plan).await?;
                let c = compute(plan, wt, cross_in, &people);
                for (i, t) in plan.tasks.iter_mut().enumerate() {
                    t.baselines.insert(
                        n,
                        BaselineValues {
                            start: c.start[i],
                            finish: c.finish[i],
                            duration: wt.work_between(c.start[i], c.finish[i]),
                            work: c.work[i],
                            cost: c.cost[i],
                        },
                    );
                }
                plan.baselines_set.insert(n, self.now_micros());
                Ok((
                    None,
                    None,
                    Some(serde_json::json!({"baseline": n, "tasks": plan.tasks.len()})),
                ))
            }
            PlanOp::ClearBaseline { n } => {
                check_baseline(n)?;
                if plan.baselines_set.remove(&n).is_none() {
                    return Err(AppError::field(
                        "baseline",
                        format!("baseline {n} is not set"),
                    ));
                }
                for t in &mut plan.tasks {
                    t.baselines.remove(&n);
                }
                Ok((None, Some(serde_json::json!({"baseline": n})), None))
            }
            PlanOp::AddBudgetLine(b) => {
                if plan.budget.len() >= 500 {
                    return Err(AppError::field("category", "at most 500 budget lines"));
                }
                let v = to_json(&b);
                plan.budget.push(b);
                Ok((None, None, Some(v)))
            }
            PlanOp::RemoveBudgetLine { index } => {
                if index >= plan.budget.len() {
                    return Err(AppError::NotFound("budget line"));
                }
                let b = plan.budget.remove(index);
                Ok((None, Some(to_json(&b)), None))
            }
            PlanOp::AddExpense(e) => {
                if plan.expenses.len() >= 2000 {
                    return Err(AppError::field("description", "at most 2,000 expenses"));
                }
                let v = to_json(&e);
                plan.expenses.push(e);
                Ok((None, None, Some(v)))
            }
            PlanOp::RemoveExpense { index } => {
                if index >= plan.expenses.len() {
                    return Err(AppError::NotFound("expense"));
                }
                let e = plan.expenses.remove(index);
                Ok((None, Some(to_json(&e)), None))
            }
            PlanOp::Replace(new) => {
                let before =
                    serde_json::json!({"tasks": plan.tasks.len(), "links": plan.links.len()});
                let keep_version = plan.version;
                let keep_id = plan.project_id;
                let keep_budget = std::mem::take(&mut plan.budget);
                let keep_expenses = std::mem::take(&mut plan.expenses);
                *plan = *new;
                plan.project_id = keep_id;
                plan.version = keep_version;
                if plan.budget.is_empty() {
                    plan.budget = keep_budget;
                }
                if plan.expenses.is_empty() {
                    plan.expenses = keep_expenses;
                }
                let uids: HashSet<u32> = plan.tasks.iter().map(|t| t.uid).collect();
                cross_in.retain(|l| uids.contains(&l.succ_uid));
                plan.normalize_outline();
                Ok((
                    None,
                    Some(before),
                    Some(serde_json::json!({"tasks": plan.tasks.len(), "links": plan.links.len()})),
                ))
            }
        }
    }

    /// Writes a validated edit into the task at row `i`: fields, predecessors (local and
    /// cross-project, resolved and authorized) and resources (resolved to people).
    #[allow(clippy::too_many_arguments)]
    async fn set_task(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        plan: &mut Plan,
        cross_in: &mut Vec<CrossLink>,
        i: usize,
        e: TaskEdit,
        wt: &WorkTime,
        mode: atrium_core::org::OperatingMode,
    ) -> Result<()> {
        let uid = plan.tasks[i].uid;
        // Resources.
        let mut assignments = Vec::new();
        for (name, units) in &e.resources {
            match sp::person_by_handle_tx(tx, name).await? {
                sp::Found::One(id) => assignments.push(cp::Assignment {
                    person_id: id,
                    units: *units,
                }),
                sp::Found::None => {
                    return Err(AppError::field(
                        "resources",
                        format!(
                            "no one in the resource pool is called '{name}' (use a name or e-mail)"
                        ),
                    ));
                }
                sp::Found::Many => {
                    return Err(AppError::field(
                        "resources",
                        format!("'{name}' matches several people; use their e-mail"),
                    ));
                }
            }
        }
        // Predecessors.
        let mut local = Vec::new();
        let mut foreign = Vec::new();
        for p in &e.predecessors {
            match &p.project_key {
                None => {
                    if p.uid == uid {
                        return Err(AppError::field(
                            "predecessors",
                            "a task cannot depend on itself",
                        ));
                    }
                    if plan.index_of(p.uid).is_none() {
                        return Err(AppError::field(
                            "predecessors",
                            format!("task {} is not in this plan", p.uid),
                        ));
                    }
                    local.push(PlanLink {
                        pred_project: None,
                        pred: p.uid,
                        succ: uid,
                        kind: p.kind,
                        lag: p.lag,
                    });
                }
                Some(key) => {
                    let other = sp::project_id_by_key_tx(tx, key).await?.ok_or_else(|| {
                        AppError::field("predecessors", format!("no project has the key {key}"))
                    })?;
                    if other == plan.project_id {
                        return Err(AppError::field(
                            "predecessors",
                            format!("{key} is this project: write the task id without the key"),
                        ));
                    }
                    let op = project::get_tx(tx, other)
                        .await?
                        .ok_or(AppError::NotFound("project"))?;
                    if !crate::permissions::allows(
                        actor,
                        Action::ReadPlan,
                        &placement_of(&op),
                        mode,
                    ) {
                        return Err(AppError::field(
                            "predecessors",
                            format!("you may not read the plan of {key}"),
                        ));
                    }
                    let dates =
                        self.task_dates_tx(tx, other, p.uid, wt)
                            .await?
                            .ok_or_else(|| {
                                AppError::field(
                                    "predecessors",
                                    format!("{key} has no task {}", p.uid),
                                )
                            })?;
                    foreign.push(CrossLink {
                        succ_project: plan.project_id,
                        succ_uid: uid,
                        pred_project: other,
                        pred_uid: p.uid,
                        kind: p.kind,
                        lag: p.lag,
                        pred_dates: Some(dates),
                    });
                }
            }
        }
        let t = &mut plan.tasks[i];
        t.name = e.name;
        t.duration = e.duration;
        t.milestone = e.milestone;
        t.constraint = e.constraint;
        t.constraint_date = e.constraint_date;
        t.deadline = e.deadline;
        t.percent_complete = e.percent_complete;
        t.actual_start = e.actual_start;
        t.actual_finish = e.actual_finish;
        t.fixed_cost = e.fixed_cost;
        t.assignments = assignments;
        t.notes = e.notes;
        plan.links
            .retain(|l| l.succ != uid || l.pred_project.is_some());
        plan.links.extend(local);
        cross_in.retain(|l| l.succ_uid != uid);
        cross_in.extend(foreign);
        Ok(())
    }

    /// The draft the task at row `i` would show in its edit form (inside a transaction).
    async fn current_draft(
        &self,
        tx: &mut Tx,
        plan: &Plan,
        cross_in: &[CrossLink],
        i: usize,
        wt: &WorkTime,
    ) -> Result<TaskDraft> {
        let t = &plan.tasks[i];
        let mpd = wt.minutes_per_day;
        let mut preds: Vec<String> = plan
            .preds_of(t.uid)
            .filter(|l| l.pred_project.is_none())
            .map(|l| cp::format_predecessor(None, l.pred, l.kind, l.lag, mpd))
            .collect();
        for l in cross_in.iter().filter(|l| l.succ_uid == t.uid) {
            let key = project::get_tx(tx, l.pred_project)
                .await?
                .map_or_else(|| "?".into(), |p| p.key);
            preds.push(cp::format_predecessor(
                Some(&key),
                l.pred_uid,
                l.kind,
                l.lag,
                mpd,
            ));
        }
        let mut resources = Vec::with_capacity(t.assignments.len());
        for a in &t.assignments {
            let name = sp::person_rate_tx(tx, a.person_id)
                .await?
                .map_or_else(|| "?".into(), |p| p.0);
            resources.push((name, a.units));
        }
        Ok(task_draft(
            t,
            preds.join(", "),
            cp::format_resources(&resources),
            mpd,
        ))
    }

    /// Scheduled start and finish of task `uid` of project `project_id` (one level of
    /// cross-project predecessors taken from the index).
    async fn task_dates_tx(
        &self,
        tx: &mut Tx,
        project_id: Uuid,
        uid: u32,
        wt: &WorkTime,
    ) -> Result<Option<(i64, i64)>> {
        let Some(plan) = sp::get_plan_tx(tx, project_id).await? else {
            return Ok(None);
        };
        let Some(i) = plan.index_of(uid) else {
            return Ok(None);
        };
        let cross = sp::cross_links_into_tx(tx, project_id).await?;
        let people = people_of_tx(tx, &plan).await?;
        let c = compute(&plan, wt, &cross, &people);
        Ok(Some((c.start[i], c.finish[i])))
    }
}

fn check_baseline(n: u8) -> Result<()> {
    if n < BASELINES {
        Ok(())
    } else {
        Err(AppError::field("baseline", "must be 0 to 10"))
    }
}

#[allow(clippy::too_many_arguments)]
fn rows_of(
    plan: &Plan,
    c: &Computed,
    cross_in: &[CrossLink],
    cross_out: &[CrossLink],
    keys: &HashMap<Uuid, String>,
    people: &People,
    wt: &WorkTime,
    baseline: u8,
) -> Vec<TaskRow> {
    let mpd = wt.minutes_per_day;
    let mut preds: HashMap<u32, Vec<String>> = HashMap::new();
    for l in &plan.links {
        if l.pred_project.is_none() {
            preds
                .entry(l.succ)
                .or_default()
                .push(cp::format_predecessor(None, l.pred, l.kind, l.lag, mpd));
        }
    }
    for l in cross_in {
        let key = keys.get(&l.pred_project).map(String::as_str).unwrap_or("?");
        preds
            .entry(l.succ_uid)
            .or_default()
            .push(cp::format_predecessor(
                Some(key),
                l.pred_uid,
                l.kind,
                l.lag,
                mpd,
            ));
    }
    let mut succs: HashMap<u32, Vec<String>> = HashMap::new();
    for l in cross_out {
        let key = keys.get(&l.succ_project).map(String::as_str).unwrap_or("?");
        succs
            .entry(l.pred_uid)
            .or_default()
            .push(format!("{key}:{}", l.succ_uid));
    }
    let mut diags: HashMap<u32, Vec<String>> = HashMap::new();
    for (u, m) in &c.diagnostics {
        if let Some(u) = u {
            diags.entry(*u).or_default().push(m.clone());
        }
    }
    plan.tasks
        .iter()
        .enumerate()
        .map(|(i, t)| TaskRow {
            id: i + 1,
            uid: t.uid,
            name: t.name.clone(),
            level: t.level,
            summary: c.summary[i],
            milestone: t.milestone,
            duration: if c.summary[i] {
                wt.work_between(c.start[i], c.finish[i])
            } else {
                t.duration
            },
            start: c.start[i],
            finish: c.finish[i],
            early_start: c.early_start[i],
            early_finish: c.early_finish[i],
            late_start: c.late_start[i],
            late_finish: c.late_finish[i],
            total_float: c.total_float[i],
            free_float: c.free_float[i],
            critical: c.critical[i],
            work: c.work[i],
            cost: c.cost[i],
            percent_complete: c.percent[i],
            predecessors: preds.remove(&t.uid).unwrap_or_default().join(", "),
            external_successors: succs.remove(&t.uid).unwrap_or_default(),
            resources: cp::format_resources(
                &t.assignments
                    .iter()
                    .map(|a| {
                        (
                            people
                                .get(&a.person_id)
                                .map_or_else(|| "?".into(), |p| p.name.clone()),
                            a.units,
                        )
                    })
                    .collect::<Vec<_>>(),
            ),
            baseline: t.baselines.get(&baseline).copied(),
            diagnostics: diags.remove(&t.uid).unwrap_or_default(),
        })
        .collect()
}

/// The same draft a task's current values would give (to pre-fill the edit form).
pub fn draft_of_task(v: &PlanView, uid: u32) -> Option<TaskDraft> {
    let i = v.plan.index_of(uid)?;
    let r = &v.rows[i];
    Some(task_draft(
        &v.plan.tasks[i],
        r.predecessors.clone(),
        r.resources.clone(),
        v.minutes_per_day,
    ))
}

/// A task's values as the edit form shows them, given its predecessors and resources
/// already in the table syntax.
fn task_draft(t: &PlanTask, predecessors: String, resources: String, mpd: i64) -> TaskDraft {
    let d = |x: Option<Date>| x.map(|d| d.to_string()).unwrap_or_default();
    TaskDraft {
        name: t.name.clone(),
        duration: cp::format_duration(t.duration, mpd),
        milestone: t.milestone,
        predecessors,
        constraint: t.constraint.as_str().into(),
        constraint_date: d(t.constraint_date),
        deadline: d(t.deadline),
        percent_complete: t.percent_complete.to_string(),
        actual_start: d(t.actual_start),
        actual_finish: d(t.actual_finish),
        fixed_cost: if t.fixed_cost == 0 {
            String::new()
        } else {
            atrium_core::money::Minor(t.fixed_cost).format()
        },
        resources,
        notes: t.notes.clone(),
    }
}

// ---- earned value ------------------------------------------------------------------------------

/// Earned value of a project (or a roll-up) at a status date.
#[derive(Debug, Clone, Serialize)]
pub struct EarnedValue {
    pub status_date: Date,
    pub has_baseline: bool,
    #[serde(skip)]
    pub metrics: EvmMetrics,
    /// Cumulative PV / EV / AC at each week's end (EV and AC up to the status date).
    #[serde(skip)]
    pub curve: Vec<SCurvePoint>,
    pub currency: String,
}

/// Leaf-task EV inputs from baseline 0 and progress, plus actual expenses.
pub fn evm_tasks(plan: &Plan, wt: &WorkTime) -> Vec<EvmTask> {
    let mut out = Vec::new();
    for (i, t) in plan.tasks.iter().enumerate() {
        if plan.is_summary(i) {
            continue;
        }
        let b = t.baselines.get(&0);
        out.push(EvmTask {
            bac: b.map_or(0, |b| b.cost),
            fixed_cost: 0,
            fixed_cost_accrual: evm::Accrual::Prorated,
            baseline_start: b.map_or(0, |b| b.start),
            baseline_finish: b.map_or(0, |b| b.finish),
            percent_complete: f64::from(t.percent_complete),
            actual_cost: t.actual_cost,
            actual_start: t.actual_start.map(|d| wt.day_start_of(d)),
            actual_finish: t.actual_finish.map(|d| wt.day_end_of(d)),
        });
    }
    for e in plan.expenses.iter().filter(|e| e.actual) {
        let at = wt.day_start_of(e.date);
        out.push(EvmTask {
            actual_cost: e.amount.0,
            actual_start: Some(at),
            actual_finish: Some(at),
            baseline_start: at,
            baseline_finish: at,
            ..EvmTask::default()
        });
    }
    out
}

/// EV of one plan at `status` (end of that day), with a weekly S-curve.
pub fn earned_value_of(plan: &Plan, wt: &WorkTime, status: Date, currency: &str) -> EarnedValue {
    let tasks = evm_tasks(plan, wt);
    let at = wt.day_end_of(status);
    let working = |_: usize, a: i64, b: i64| wt.work_between(a, b);
    let report = evm::evaluate(&tasks, at, working);
    let (first, last) = tasks
        .iter()
        .filter(|t| t.bac > 0 || t.actual_cost > 0)
        .fold((i64::MAX, i64::MIN), |(f, l), t| {
            (
                f.min(t.baseline_start.min(t.actual_start.unwrap_or(i64::MAX))),
                l.max(t.baseline_finish.max(t.actual_finish.unwrap_or(i64::MIN))),
            )
        });
    let curve = if first <= last {
        let week = 7 * 1440;
        let ends = evm::period_ends(
            first - first.rem_euclid(1440) + week,
            last.max(at),
            week,
            260,
        );
        evm::s_curve(&tasks, at, &ends, working)
    } else {
        Vec::new()
    };
    EarnedValue {
        status_date: status,
        has_baseline: plan.baselines_set.contains_key(&0),
        metrics: report.total,
        curve,
        currency: currency.to_owned(),
    }
}

impl App {
    /// Earned value of a project at `status` (default: the plan's status date, else today).
    pub async fn earned_value(
        &self,
        actor: &Actor,
        project_id: Uuid,
        status: Option<Date>,
    ) -> Result<EarnedValue> {
        let s = self.settings().await?;
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(actor, Action::ReadPlan, &placement_of(&p), s.operating_mode)?;
        let plan = sp::get_plan(&self.db, project_id)
            .await?
            .unwrap_or_else(|| empty_plan(&p, self.today()));
        let status = status.or(plan.status_date).unwrap_or_else(|| self.today());
        Ok(earned_value_of(
            &plan,
            &WorkTime::of(&s.calendar),
            status,
            &p.currency,
        ))
    }

    /// Earned value summed over the projects the caller may read among `projects` (a
    /// program's or portfolio's), per project and in total.
    pub async fn earned_value_rollup(
        &self,
        actor: &Actor,
        projects: &[Project],
        status: Date,
    ) -> Result<(EvmMetrics, Vec<(Project, EvmMetrics)>)> {
        let s = self.settings().await?;
        let wt = WorkTime::of(&s.calendar);
        let mut rows = Vec::new();
        let (mut bac, mut pv, mut ev, mut ac) = (0i64, 0i64, 0i64, 0i64);
        for p in projects {
            if !crate::permissions::allows(
                actor,
                Action::ReadPlan,
                &placement_of(p),
                s.operating_mode,
            ) {
                continue;
            }
            let Some(plan) = sp::get_plan(&self.db, p.id).await? else {
                continue;
            };
            let tasks = evm_tasks(&plan, &wt);
            let m = evm::evaluate(&tasks, wt.day_end_of(status), |_, a, b| {
                wt.work_between(a, b)
            })
            .total;
            bac += m.bac;
            pv += m.pv;
            ev += m.ev;
            ac += m.ac;
            rows.push((p.clone(), m));
        }
        Ok((EvmMetrics::from_values(bac, pv, ev, ac), rows))
    }
}

// ---- hooks for other areas -------------------------------------------------------------------

/// Key figures of a project at a status date, frozen into status reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyFigures {
    pub status_date: Option<Date>,
    pub spi: Option<f64>,
    pub cpi: Option<f64>,
    /// Work-weighted % complete of the whole plan, 0–100.
    pub percent_complete: f64,
    /// Milestones whose finish falls in the reporting period ending at the status date.
    pub milestones_due: u32,
    /// Milestones scheduled (or baselined) to finish by the status date and not complete.
    pub milestones_missed: u32,
    /// Scheduled finish of the project.
    pub finish: Option<Date>,
    /// Finish in baseline 0, when set.
    pub baseline_finish: Option<Date>,
}

/// The plan's key figures at `status_date` (inside the caller's transaction). A project
/// without a plan gives the default (all empty). Milestones "due" are those scheduled to
/// finish within the 30 days after the status date.
pub async fn key_figures_tx(
    tx: &mut Tx,
    project_id: Uuid,
    status_date: Date,
) -> Result<KeyFigures> {
    let Some(plan) = sp::get_plan_tx(tx, project_id).await? else {
        return Ok(KeyFigures {
            status_date: Some(status_date),
            ..Default::default()
        });
    };
    let s = org::get_tx(tx)
        .await?
        .ok_or(AppError::NotFound("organization settings"))?;
    let wt = WorkTime::of(&s.calendar);
    let cross = sp::cross_links_into_tx(tx, project_id).await?;
    let people = people_of_tx(tx, &plan).await?;
    let c = compute(&plan, &wt, &cross, &people);
    let ev = earned_value_of(&plan, &wt, status_date, "");
    let at = wt.day_end_of(status_date);
    let horizon = at + 30 * 1440;
    let (mut due, mut missed) = (0u32, 0u32);
    let (mut work, mut done) = (0f64, 0f64);
    for (i, t) in plan.tasks.iter().enumerate() {
        if c.summary[i] {
            continue;
        }
        let w = (c.work[i].max(t.duration)).max(1) as f64;
        work += w;
        done += w * f64::from(t.percent_complete) / 100.0;
        if t.milestone && t.percent_complete < 100 {
            let planned = t.baselines.get(&0).map_or(c.finish[i], |b| b.finish);
            if planned.min(c.finish[i]) <= at {
                missed += 1;
            } else if c.finish[i] <= horizon {
                due += 1;
            }
        }
    }
    let baseline_finish = plan
        .baselines_set
        .contains_key(&0)
        .then(|| {
            plan.tasks
                .iter()
                .filter_map(|t| t.baselines.get(&0).map(|b| b.finish))
                .max()
        })
        .flatten()
        .map(civil);
    Ok(KeyFigures {
        status_date: Some(status_date),
        spi: ev.metrics.spi,
        cpi: ev.metrics.cpi,
        percent_complete: if work > 0.0 {
            (done / work * 1000.0).round() / 10.0
        } else {
            0.0
        },
        milestones_due: due,
        milestones_missed: missed,
        finish: (!plan.tasks.is_empty()).then(|| civil(c.project_finish)),
        baseline_finish,
    })
}

/// Applies the schedule impact of an approved change request: the task's duration grows (or
/// shrinks, never below zero) by `delta_minutes` working minutes. The caller authorizes and
/// audits; an unknown task is a validation error on `field`.
pub async fn apply_duration_change_tx(
    tx: &mut Tx,
    project_id: Uuid,
    task_uid: u32,
    delta_minutes: i64,
    field: &str,
) -> Result<()> {
    let mut plan = sp::get_plan_tx(tx, project_id)
        .await?
        .ok_or_else(|| AppError::field(field, "the project has no plan yet"))?;
    let i = plan
        .index_of(task_uid)
        .ok_or_else(|| AppError::field(field, format!("task {task_uid} is not in the plan")))?;
    if plan.is_summary(i) {
        return Err(AppError::field(
            field,
            format!("task {task_uid} is a summary task; name a task under it"),
        ));
    }
    let t = &mut plan.tasks[i];
    t.duration = (t.duration + delta_minutes).clamp(0, cp::MAX_DURATION);
    t.milestone = t.milestone && t.duration == 0;
    plan.version += 1;
    sp::put_plan(tx, &plan, jiff::Timestamp::now().as_microsecond()).await?;
    let calendar = org::get_tx(tx)
        .await?
        .map(|s| s.calendar)
        .unwrap_or_default();
    let wt = WorkTime::of(&calendar);
    let cross = sp::cross_links_into_tx(tx, project_id).await?;
    let people = people_of_tx(tx, &plan).await?;
    let c = compute(&plan, &wt, &cross, &people);
    crate::resource::refresh_plan_demand(tx, project_id, &plan, &c, &wt).await?;
    Ok(())
}

/// Any serializable value as JSON, for audit records.
fn to_json<T: Serialize + ?Sized>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

impl App {
    /// The live projects of a program (the program must be readable).
    pub async fn program_projects(&self, actor: &Actor, id: Uuid) -> Result<Vec<Project>> {
        self.get_program(actor, id).await?;
        Ok(project::all_in_program(&self.db, id).await?)
    }

    /// The live projects of a portfolio (the portfolio must be readable).
    pub async fn portfolio_projects(&self, actor: &Actor, id: Uuid) -> Result<Vec<Project>> {
        self.get_portfolio(actor, id).await?;
        Ok(project::all_in_portfolio(&self.db, id).await?)
    }
}
