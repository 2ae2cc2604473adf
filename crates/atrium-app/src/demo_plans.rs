//! Demo plans: a phased work breakdown for the live demo projects (summaries, tasks, a
//! milestone, finish-to-start and start-to-start links, people assigned), baseline 0 and
//! progress consistent with today, so the plan, Gantt, costs and earned value pages have
//! something to show.

use crate::Result;
use crate::plan::{People, WorkTime, compute};
use atrium_core::org::WorkCalendar;
use atrium_core::plan::{Assignment, BaselineValues, LinkType, Plan, PlanLink, PlanTask};
use atrium_core::project::Project;
use atrium_core::resource::Person;
use atrium_store::Tx;
use atrium_store::plan as sp;
use jiff::civil::Date;

/// Most demo projects that get a plan.
const MAX_PLANS: usize = 150;

const PHASES: &[(&str, &[(&str, i64)])] = &[
    (
        "Initiation",
        &[("Charter and stakeholders", 3), ("Kick-off", 0)],
    ),
    (
        "Design",
        &[
            ("Requirements", 8),
            ("Solution design", 6),
            ("Design review", 0),
        ],
    ),
    (
        "Build",
        &[
            ("Build increment 1", 10),
            ("Build increment 2", 10),
            ("Integration", 5),
        ],
    ),
    ("Test", &[("System test", 6), ("User acceptance", 5)]),
    ("Deploy", &[("Training", 3), ("Go live", 0)]),
];

/// Writes plans for up to [`MAX_PLANS`] active projects; returns how many.
pub(crate) async fn seed(
    tx: &mut Tx,
    projects: &[Project],
    people: &[Person],
    calendar: &WorkCalendar,
    today: Date,
    now: i64,
) -> Result<usize> {
    let wt = WorkTime::of(calendar);
    let mpd = wt.minutes_per_day;
    // People with a login first (the team member can then log time in the demo).
    let mut pool: Vec<&Person> = people.iter().filter(|p| p.user_id.is_some()).collect();
    pool.extend(people.iter().filter(|p| p.user_id.is_none()).take(200));
    if pool.is_empty() {
        return Ok(0);
    }
    let mut count = 0;
    for (n, p) in projects
        .iter()
        .filter(|p| p.phase.is_active() && !p.archived)
        .take(MAX_PLANS)
        .enumerate()
    {
        let start = p.planned_start.unwrap_or(today);
        let mut plan = Plan::empty(p.id, start);
        let mut rates = People::new();
        let mut prev_last: Option<u32> = None;
        for (ph, (phase, tasks)) in PHASES.iter().enumerate() {
            let sum = plan.take_uid();
            let mut s = PlanTask::new(sum, phase, 0);
            s.milestone = false;
            plan.tasks.push(s);
            let mut prev: Option<u32> = prev_last;
            for (k, (name, days)) in tasks.iter().enumerate() {
                let uid = plan.take_uid();
                // Vary durations a little per project.
                let d = days + ((n + k + ph) % 3) as i64;
                let mut t = PlanTask::new(uid, name, if *days == 0 { 0 } else { d * mpd });
                t.level = 2;
                if *days > 0 {
                    let person = pool[(n * 3 + ph + k) % pool.len()];
                    t.assignments.push(Assignment {
                        person_id: person.id,
                        units: if k % 2 == 0 { 100 } else { 50 },
                    });
                    rates.insert(
                        person.id,
                        crate::plan::Rate::flat(&person.name, person.cost_rate.0),
                    );
                }
                if let Some(pr) = prev {
                    // The two build increments overlap: start-to-start with a lag.
                    let (kind, lag) = if *name == "Build increment 2" {
                        (LinkType::Ss, 5 * mpd)
                    } else {
                        (LinkType::Fs, 0)
                    };
                    plan.links.push(PlanLink {
                        pred_project: None,
                        pred: pr,
                        succ: uid,
                        kind,
                        lag,
                    });
                }
                plan.tasks.push(t);
                prev = Some(uid);
            }
            prev_last = prev;
        }
        // Baseline 0 as planned, then progress up to today.
        let c = compute(&plan, &wt, &[], &rates);
        for (i, t) in plan.tasks.iter_mut().enumerate() {
            t.baselines.insert(
                0,
                BaselineValues {
                    start: c.start[i],
                    finish: c.finish[i],
                    duration: wt.work_between(c.start[i], c.finish[i]),
                    work: c.work[i],
                    cost: c.cost[i],
                },
            );
        }
        plan.baselines_set.insert(0, now);
        let at = wt.day_end_of(today);
        // Later projects run a little behind plan.
        let slip = (n % 4) as i64 * 10;
        for (i, t) in plan.tasks.iter_mut().enumerate() {
            if c.summary[i] || c.start[i] > at {
                continue;
            }
            let span = (c.finish[i] - c.start[i]).max(1);
            let done = ((at - c.start[i]) * 100 / span).clamp(0, 100);
            let pct = if done >= 100 {
                100
            } else {
                (done - slip).max(0)
            };
            t.percent_complete = pct as u8;
            t.actual_start = Some(crate::plan::civil(c.start[i]));
            if pct == 100 {
                t.actual_finish = Some(crate::plan::civil(c.finish[i]));
            }
            t.actual_work = c.work[i] * pct / 100;
            t.actual_cost = (c.cost[i] * pct / 100) * (100 + (n % 3) as i64 * 5) / 100;
        }
        plan.status_date = Some(today);
        plan.version = 1;
        sp::put_plan(tx, &plan, now).await?;
        crate::resource::refresh_plan_demand(tx, plan.project_id, &plan, &c, &wt).await?;
        count += 1;
    }
    Ok(count)
}
