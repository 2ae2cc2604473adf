//! The demo's resource management: line managers, non-project time, part-timers and generic
//! resources in the pool; committed allocations on active projects (month by month), open
//! requests, and absences — enough for the heat map to show load and over-allocations.
//!
//! Draws from its own random stream so the rest of the demo stays as it was.

use crate::Result;
use crate::demo::Rng;
use atrium_core::project::{Phase, Project};
use atrium_core::resource::{
    Absence, AbsenceKind, Allocation, Person, RequestState, ResourceRequest, Skill, month_phases,
};
use atrium_store::Tx;
use atrium_store::resource as rs;
use jiff::Span;
use jiff::civil::Date;
use std::collections::HashMap;
use uuid::Uuid;

/// Line managers (the first person of each department manages the others), non-project
/// time for a quarter of the pool, a few part-timers working four days and a few generic
/// resources (roles still to hire).
pub(crate) fn shape_pool(people: &mut [Person]) {
    let mut rng = Rng(0x0A11_0CA7_2026);
    let mut heads: HashMap<String, Uuid> = HashMap::new();
    let mut generic_per_dept: HashMap<String, usize> = HashMap::new();
    for p in people.iter_mut() {
        match heads.get(&p.department) {
            Some(h) => p.line_manager_id = Some(*h),
            None => {
                heads.insert(p.department.clone(), p.id);
            }
        }
        if rng.chance(0.25) {
            p.non_project_minutes =
                [120, 240, 360, 480][rng.below(4)].min(p.weekly_capacity_minutes / 2);
        }
        if p.weekly_capacity_minutes <= 32 * 60 && rng.chance(0.5) {
            p.working_days = Some([true, true, true, true, false, false, false]);
        }
        let n = generic_per_dept.entry(p.department.clone()).or_default();
        if p.user_id.is_none() && p.line_manager_id.is_some() && *n < 2 && rng.chance(0.02) {
            *n += 1;
            p.generic = true;
            p.name = format!("{} (to hire)", p.job_role);
            p.email = None;
        }
    }
}

fn days(n: i64) -> Span {
    Span::new().days(n)
}

/// Allocations, requests and absences. Returns the number of allocations written.
pub(crate) async fn seed(
    tx: &mut Tx,
    projects: &[Project],
    people: &[Person],
    today: Date,
    now: i64,
) -> Result<usize> {
    let mut rng = Rng(0x5EED_0A11_2026);
    let pool: Vec<&Person> = people.iter().filter(|p| !p.generic).collect();
    if pool.is_empty() {
        return Ok(0);
    }
    let horizon_start = today.saturating_sub(days(56));
    let horizon_end = today.saturating_add(days(270));
    let mut count = 0;
    let mut gap_asked = false;
    for (n, p) in projects.iter().enumerate() {
        if !matches!(p.phase, Phase::Planning | Phase::Executing) {
            continue;
        }
        let start = p.planned_start.unwrap_or(today).max(horizon_start);
        let finish = p
            .planned_finish
            .unwrap_or(today.saturating_add(days(180)))
            .min(horizon_end);
        if finish <= start {
            continue;
        }
        // Two to four people committed, 8–24 h a week each.
        for _ in 0..rng.range(2, 4) {
            let person = pool[rng.below(pool.len())];
            let minutes = 60 * [8, 12, 16, 20, 24][rng.below(5)];
            let request = ResourceRequest {
                id: Uuid::now_v7(),
                project_id: p.id,
                job_role: Some(person.job_role.clone()),
                skills: Vec::new(),
                start,
                finish,
                minutes_per_week: minutes,
                note: String::new(),
                state: RequestState::Committed,
                person_id: Some(person.id),
                reason: String::new(),
                requested_by: p.manager_id,
                version: 2,
            };
            rs::insert_request(tx, &request, now).await?;
            for (s, e) in month_phases(start, finish) {
                rs::insert_allocation(
                    tx,
                    &Allocation {
                        id: Uuid::now_v7(),
                        request_id: Some(request.id),
                        person_id: person.id,
                        project_id: p.id,
                        start: s,
                        finish: e,
                        minutes_per_week: minutes,
                    },
                    now,
                )
                .await?;
                count += 1;
            }
        }
        // One project needs a skill nobody in the pool has yet: a hiring decision.
        if !gap_asked {
            gap_asked = true;
            rs::insert_request(
                tx,
                &ResourceRequest {
                    id: Uuid::now_v7(),
                    project_id: p.id,
                    job_role: None,
                    skills: vec![Skill {
                        name: "SAP S/4HANA".into(),
                        level: 3,
                    }],
                    start: today.saturating_add(days(30)),
                    finish: today.saturating_add(days(210)),
                    minutes_per_week: 60 * 32,
                    note: "Finance migration: no one in the pool has done an S/4HANA cut-over."
                        .into(),
                    state: RequestState::Requested,
                    person_id: None,
                    reason: String::new(),
                    requested_by: p.manager_id,
                    version: 1,
                },
                now,
            )
            .await?;
        }
        // Every seventh project still waits for someone with a skill.
        if n % 7 == 0 {
            let someone = pool[rng.below(pool.len())];
            let skills: Vec<Skill> = someone
                .skills
                .iter()
                .take(1)
                .map(|k| Skill {
                    name: k.name.clone(),
                    level: k.level.min(3),
                })
                .collect();
            let proposed = n % 14 == 0;
            rs::insert_request(
                tx,
                &ResourceRequest {
                    id: Uuid::now_v7(),
                    project_id: p.id,
                    job_role: Some(someone.job_role.clone()),
                    skills,
                    start: today.saturating_add(days(14)),
                    finish: today.saturating_add(days(120)),
                    minutes_per_week: 60 * 16,
                    note: "Needed for the next phase.".into(),
                    state: if proposed {
                        RequestState::Proposed
                    } else {
                        RequestState::Requested
                    },
                    person_id: proposed.then_some(someone.id),
                    reason: String::new(),
                    requested_by: p.manager_id,
                    version: if proposed { 2 } else { 1 },
                },
                now,
            )
            .await?;
        }
    }
    // One person in twenty takes one or two weeks off in the next three months.
    for p in &pool {
        if rng.chance(0.05) {
            let start = today.saturating_add(days(rng.range(7, 90)));
            let a = Absence {
                id: Uuid::now_v7(),
                person_id: p.id,
                start,
                finish: start.saturating_add(days(7 * rng.range(1, 2) - 3)),
                kind: AbsenceKind::Leave,
                note: String::new(),
            };
            rs::insert_absence(tx, &a, now).await?;
        }
    }
    Ok(count)
}
