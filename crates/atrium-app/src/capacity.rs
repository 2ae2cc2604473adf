//! Capacity views of the resource pool: capacity against demand by person, role, skill or
//! department (the heat map) with drill-down, cross-project conflicts with suggested
//! resolutions, planned against actual utilization, skill gaps per quarter and the what-if of
//! a proposal or a portfolio scenario. All read-only: the arithmetic is
//! `atrium_core::capacity`; this module loads the pool and its loads and names the results.

use crate::permissions::{Action, authorize};
use crate::{Actor, App, AppError, Result};
use atrium_core::capacity::{self as cap, Bucket, Calendar, Grid, Horizon, Load, Supply};
use atrium_core::identity::Placement;
use atrium_core::org::OrgSettings;
use atrium_core::resource::{Person, RequestState, ResourceRequest};
use atrium_store::resource as rs;
use atrium_store::{Page, people};
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// How heat-map rows are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Person,
    Role,
    Skill,
    Department,
}

impl Grouping {
    pub const ALL: [Grouping; 4] = [
        Grouping::Person,
        Grouping::Role,
        Grouping::Skill,
        Grouping::Department,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Person => "person",
            Grouping::Role => "role",
            Grouping::Skill => "skill",
            Grouping::Department => "department",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Grouping::Person => "Person",
            Grouping::Role => "Job role",
            Grouping::Skill => "Skill",
            Grouping::Department => "Department",
        }
    }
    pub fn parse(s: &str) -> Option<Grouping> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// What a heat map shows.
#[derive(Debug, Clone)]
pub struct CapacityQuery {
    pub grouping: Grouping,
    pub bucket: Bucket,
    pub from: Date,
    pub count: u32,
    /// Only this department's people.
    pub department: Option<String>,
    /// Most over-allocated rows first (else by name).
    pub worst_first: bool,
    /// Rows per page and the page's first row.
    pub limit: usize,
    pub offset: usize,
}

/// One cell: minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellFigures {
    pub capacity: i64,
    pub non_project: i64,
    pub demand: i64,
}

#[derive(Debug, Clone)]
pub struct CapacityRow {
    /// Person id, or the role / skill / department name.
    pub key: String,
    pub label: String,
    pub person_id: Option<Uuid>,
    pub cells: Vec<CellFigures>,
    /// Over-allocated buckets in the row.
    pub over: usize,
}

#[derive(Debug, Clone)]
pub struct CapacityView {
    /// Bucket ranges and their labels.
    pub columns: Vec<(Date, Date, String)>,
    pub rows: Vec<CapacityRow>,
    /// All rows before paging.
    pub total_rows: usize,
    /// Over-allocated cells among all rows.
    pub over_cells: usize,
    pub people: usize,
}

/// Where a load comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A task assignment in the project's plan.
    Plan { task_uid: u32, total_float: i64 },
    /// A committed allocation (from a resource request).
    Allocation { request_id: Option<Uuid> },
}

#[derive(Debug, Clone, Copy)]
struct Tag {
    project_id: Uuid,
    source: Source,
}

/// The pool and everything asked of it over a horizon.
struct Pool {
    people: Vec<Person>,
    index: HashMap<Uuid, u32>,
    supply: Vec<Supply>,
    loads: Vec<Load>,
    tags: Vec<Tag>,
}

/// One project's (or task's) share of a person's load in a period.
#[derive(Debug, Clone)]
pub struct Cause {
    pub project_id: Uuid,
    pub project_key: String,
    pub project_name: String,
    pub source: Source,
    /// The task's name, for plan loads.
    pub task_name: Option<String>,
    pub minutes: i64,
}

/// What a heat-map cell is made of.
#[derive(Debug, Clone)]
pub struct Drill {
    pub person: Person,
    pub start: Date,
    pub finish: Date,
    pub figures: CellFigures,
    pub causes: Vec<Cause>,
}

/// A suggested way out of an over-allocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Suggestion {
    /// Someone else with the role or skills has this much free time in the period.
    Reassign {
        person_id: Uuid,
        name: String,
        free_minutes: i64,
        project_id: Uuid,
        /// The project's key and the task's name, if the work is a plan task.
        project_key: String,
        task_name: Option<String>,
    },
    /// Move a plan task later within its total float: the project finish does not move.
    Shift {
        project_id: Uuid,
        task_uid: u32,
        task_name: String,
        working_days: u32,
        new_start: Date,
    },
}

/// A person over-allocated in consecutive buckets.
#[derive(Debug, Clone)]
pub struct Conflict {
    pub person_id: Uuid,
    pub person_name: String,
    pub department: String,
    pub start: Date,
    pub finish: Date,
    pub excess_minutes: i64,
    pub causes: Vec<Cause>,
    pub suggestions: Vec<Suggestion>,
}

/// Planned against actual, one row per person or department.
#[derive(Debug, Clone)]
pub struct UtilizationRow {
    pub key: String,
    pub label: String,
    pub person_id: Option<Uuid>,
    pub cells: Vec<UtilizationCell>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UtilizationCell {
    /// Contracted time (project capacity + non-project time).
    pub gross: i64,
    pub non_project: i64,
    /// Planned project work (plans and allocations).
    pub planned: i64,
    /// Approved timesheet hours.
    pub actual: i64,
}

impl UtilizationCell {
    pub fn planned_pct(&self) -> Option<f64> {
        (self.gross > 0).then(|| self.planned as f64 * 100.0 / self.gross as f64)
    }
    pub fn actual_pct(&self) -> Option<f64> {
        (self.gross > 0).then(|| self.actual as f64 * 100.0 / self.gross as f64)
    }
}

#[derive(Debug, Clone)]
pub struct UtilizationView {
    pub columns: Vec<(Date, Date, String)>,
    pub rows: Vec<UtilizationRow>,
    pub total_rows: usize,
}

/// Unfilled demand for one skill against the free time of the people who have it, per
/// quarter.
#[derive(Debug, Clone)]
pub struct SkillGapRow {
    pub skill: String,
    /// People who have it.
    pub people: usize,
    /// Per quarter, minutes: (free time of the skill's holders after the work already on
    /// them, unfilled demand from open requests and generic resources in plans, demand from
    /// proposals still being decided).
    pub quarters: Vec<(i64, i64, i64)>,
}

impl SkillGapRow {
    /// Demand above supply in a quarter (0 when covered).
    pub fn gap(&self, q: usize) -> i64 {
        self.quarters
            .get(q)
            .map_or(0, |(s, a, p)| (a + p - s).max(0))
    }
}

#[derive(Debug, Clone)]
pub struct SkillGaps {
    pub columns: Vec<(Date, Date, String)>,
    pub rows: Vec<SkillGapRow>,
}

/// A job role and, per quarter, (capacity, demand now, demand added), minutes.
pub type RoleQuarters = (String, Vec<(i64, i64, i64)>);

/// What a utilization table shows.
#[derive(Debug, Clone)]
pub struct UtilizationQuery {
    /// Only this department's people.
    pub department: Option<String>,
    /// One row per department instead of per person.
    pub by_department: bool,
    /// Week or month (a day bucket becomes a week: timesheets are weekly).
    pub bucket: Bucket,
    pub from: Date,
    pub count: u32,
    /// First row and rows per page.
    pub offset: usize,
    pub limit: usize,
}

/// The capacity effect of a proposal or a scenario, by job role per quarter.
#[derive(Debug, Clone)]
pub struct WhatIf {
    pub title: String,
    pub columns: Vec<(Date, Date, String)>,
    /// Role, per quarter: (capacity, demand now, added).
    pub rows: Vec<RoleQuarters>,
    /// Needs naming a role nobody in the pool has.
    pub unknown_roles: Vec<String>,
}

fn columns(h: &Horizon) -> Vec<(Date, Date, String)> {
    h.buckets
        .iter()
        .enumerate()
        .map(|(i, (s, e))| (*s, *e, h.label(i)))
        .collect()
}

fn figures(g: &Grid, row: usize, b: usize) -> CellFigures {
    let c = g.cell(row, b);
    CellFigures {
        capacity: c.capacity,
        non_project: c.non_project,
        demand: c.demand,
    }
}

/// Working minutes in the organization's week (what 100 % and FTE mean).
fn week_minutes(s: &OrgSettings) -> i64 {
    let days = s.calendar.working_days.iter().filter(|d| **d).count() as i64;
    days.max(1) * i64::from(s.calendar.day_end.saturating_sub(s.calendar.day_start)).max(1)
}

fn working_days_per_week(s: &OrgSettings) -> i32 {
    (s.calendar.working_days.iter().filter(|d| **d).count() as i32).max(1)
}

fn supply_of(p: &Person, org_days: [bool; 7]) -> Supply {
    Supply {
        weekly_minutes: p.weekly_capacity_minutes,
        non_project_minutes_per_week: p.non_project_minutes,
        working_days: p.working_days.unwrap_or(org_days),
        absences: Vec::new(),
    }
}

/// Adds `n` organization working days to `d`.
fn add_working_days(cal: &Calendar, d: Date, n: u32) -> Date {
    let mut out = d;
    let mut left = n;
    let mut guard = 0;
    while left > 0 && guard < 3700 {
        guard += 1;
        out = match out.tomorrow() {
            Ok(x) => x,
            Err(_) => return out,
        };
        let wd = out.weekday().to_monday_zero_offset() as usize;
        if cal.working_days[wd] && !cal.holidays.contains(&out) {
            left -= 1;
        }
    }
    out
}

impl App {
    /// (name, department) of some people by id, in one query.
    pub async fn person_names(
        &self,
        actor: &Actor,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, (String, String)>> {
        authorize(
            actor,
            Action::ReadPeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let mut ids: Vec<Uuid> = ids.into_iter().collect();
        ids.sort();
        ids.dedup();
        Ok(people::names_of(&self.db, &ids)
            .await?
            .into_iter()
            .map(|(id, n, d)| (id, (n, d)))
            .collect())
    }

    /// Departments of the active pool with their head counts, by name.
    pub async fn departments(&self, actor: &Actor) -> Result<Vec<(String, i64)>> {
        authorize(
            actor,
            Action::ReadPeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        Ok(people::departments(&self.db).await?)
    }

    async fn read_capacity(&self, actor: &Actor) -> Result<OrgSettings> {
        let s = self.settings().await?;
        authorize(
            actor,
            Action::ReadCapacity,
            &Placement::ORGANIZATION,
            s.operating_mode,
        )?;
        Ok(s)
    }

    /// Loads the active pool (or one department) and every load on it within `from..=to`:
    /// four queries whatever the size.
    async fn pool(
        &self,
        s: &OrgSettings,
        department: Option<&str>,
        from: Date,
        to: Date,
    ) -> Result<Pool> {
        let people = people::pool(&self.db, department).await?;
        let index: HashMap<Uuid, u32> = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, i as u32))
            .collect();
        let org_days = s.calendar.working_days;
        let mut supply: Vec<Supply> = people.iter().map(|p| supply_of(p, org_days)).collect();
        for (p, a, b) in rs::absences_in(&self.db, department, from, to).await? {
            if let Some(&i) = index.get(&p) {
                supply[i as usize].absences.push((a, b));
            }
        }
        let mut loads = Vec::new();
        let mut tags = Vec::new();
        for d in rs::plan_demand_in(&self.db, department, from, to).await? {
            if let Some(&i) = index.get(&d.person_id) {
                loads.push(Load {
                    person: i,
                    start: d.start,
                    finish: d.finish,
                    minutes_per_day: d.minutes_per_day,
                    tag: tags.len() as u32,
                });
                tags.push(Tag {
                    project_id: d.project_id,
                    source: Source::Plan {
                        task_uid: d.task_uid,
                        total_float: d.total_float,
                    },
                });
            }
        }
        let days = working_days_per_week(s);
        for a in rs::allocations_in(&self.db, department, from, to).await? {
            if let Some(&i) = index.get(&a.person_id) {
                loads.push(Load {
                    person: i,
                    start: a.start,
                    finish: a.finish,
                    minutes_per_day: a.minutes_per_week / days,
                    tag: tags.len() as u32,
                });
                tags.push(Tag {
                    project_id: a.project_id,
                    source: Source::Allocation {
                        request_id: a.request_id,
                    },
                });
            }
        }
        Ok(Pool {
            people,
            index,
            supply,
            loads,
            tags,
        })
    }

    /// The whole computation behind a heat map, without paging or names: for benchmarks.
    pub async fn capacity_grid(
        &self,
        actor: &Actor,
        department: Option<&str>,
        bucket: Bucket,
        from: Date,
        count: u32,
    ) -> Result<(usize, usize, i64)> {
        let s = self.read_capacity(actor).await?;
        let h = Horizon::new(from, count, bucket);
        let pool = self.pool(&s, department, h.start(), h.end()).await?;
        let cal = Calendar {
            working_days: s.calendar.working_days,
            holidays: &s.calendar.holidays,
        };
        let g = cap::compute(&cal, h, &pool.supply, &pool.loads);
        let over = cap::overallocations(&g).len();
        Ok((pool.people.len(), over, g.demand.iter().sum()))
    }

    /// Capacity against demand for the heat map.
    pub async fn capacity(&self, actor: &Actor, q: &CapacityQuery) -> Result<CapacityView> {
        let s = self.read_capacity(actor).await?;
        let h = Horizon::new(q.from, q.count, q.bucket);
        let pool = self
            .pool(&s, q.department.as_deref(), h.start(), h.end())
            .await?;
        let cal = Calendar {
            working_days: s.calendar.working_days,
            holidays: &s.calendar.holidays,
        };
        let cols = columns(&h);
        let g = cap::compute(&cal, h, &pool.supply, &pool.loads);
        let nb = g.horizon.len();
        let (grid, keys): (Grid, Vec<(String, String, Option<Uuid>)>) = match q.grouping {
            Grouping::Person => {
                let keys = pool
                    .people
                    .iter()
                    .map(|p| {
                        let label = if p.generic {
                            format!("{} (generic)", p.name)
                        } else {
                            p.name.clone()
                        };
                        (p.id.to_string(), label, Some(p.id))
                    })
                    .collect();
                (g, keys)
            }
            other => {
                let mut names: BTreeMap<String, u32> = BTreeMap::new();
                let mut membership: Vec<Vec<u32>> = Vec::with_capacity(pool.people.len());
                for p in &pool.people {
                    let labels: Vec<String> = match other {
                        Grouping::Role => vec![p.job_role.clone()],
                        Grouping::Department => vec![p.department.clone()],
                        _ => p.skills.iter().map(|k| k.name.clone()).collect(),
                    };
                    let mut m = Vec::with_capacity(labels.len());
                    for l in labels {
                        let n = names.len() as u32;
                        m.push(*names.entry(l).or_insert(n));
                    }
                    membership.push(m);
                }
                let grouped = cap::group(&g, &membership, names.len());
                let mut keys = vec![(String::new(), String::new(), None); names.len()];
                for (name, i) in names {
                    keys[i as usize] = (name.clone(), name, None);
                }
                (grouped, keys)
            }
        };
        let mut rows: Vec<CapacityRow> = keys
            .into_iter()
            .enumerate()
            .map(|(r, (key, label, person_id))| {
                let cells: Vec<CellFigures> = (0..nb).map(|b| figures(&grid, r, b)).collect();
                let over = (0..nb).filter(|&b| grid.over(r, b)).count();
                CapacityRow {
                    key,
                    label,
                    person_id,
                    cells,
                    over,
                }
            })
            .collect();
        let over_cells = rows.iter().map(|r| r.over).sum();
        if q.worst_first {
            rows.sort_by(|a, b| b.over.cmp(&a.over).then_with(|| a.label.cmp(&b.label)));
        } else {
            rows.sort_by(|a, b| a.label.cmp(&b.label));
        }
        let total_rows = rows.len();
        let rows = rows
            .into_iter()
            .skip(q.offset)
            .take(q.limit.max(1))
            .collect();
        Ok(CapacityView {
            columns: cols,
            rows,
            total_rows,
            over_cells,
            people: pool.people.len(),
        })
    }

    /// Names the loads behind causes: project keys and names, task names.
    async fn name_causes(&self, tags: &[(Tag, i64)]) -> Result<Vec<Cause>> {
        // One line per task or per request (a request's allocations are month phases).
        let mut merged: Vec<(Tag, i64)> = Vec::with_capacity(tags.len());
        for (t, m) in tags {
            match merged
                .iter_mut()
                .find(|(x, _)| x.project_id == t.project_id && same_origin(&x.source, &t.source))
            {
                Some((_, total)) => *total += m,
                None => merged.push((*t, *m)),
            }
        }
        merged.sort_by_key(|m| std::cmp::Reverse(m.1));
        let tags = merged.as_slice();
        let mut ids: Vec<Uuid> = tags.iter().map(|(t, _)| t.project_id).collect();
        ids.sort();
        ids.dedup();
        let names: HashMap<Uuid, (String, String)> = rs::project_names(&self.db, &ids)
            .await?
            .into_iter()
            .map(|(id, k, n)| (id, (k, n)))
            .collect();
        let mut plans = HashMap::new();
        for (t, _) in tags {
            if matches!(t.source, Source::Plan { .. }) && !plans.contains_key(&t.project_id) {
                plans.insert(
                    t.project_id,
                    atrium_store::plan::get_plan(&self.db, t.project_id).await?,
                );
            }
        }
        Ok(tags
            .iter()
            .map(|(t, minutes)| {
                let (key, name) = names.get(&t.project_id).cloned().unwrap_or_default();
                let task_name = match t.source {
                    Source::Plan { task_uid, .. } => plans
                        .get(&t.project_id)
                        .and_then(|p| p.as_ref())
                        .and_then(|p| p.index_of(task_uid).map(|i| p.tasks[i].name.clone())),
                    Source::Allocation { .. } => None,
                };
                Cause {
                    project_id: t.project_id,
                    project_key: key,
                    project_name: name,
                    source: t.source,
                    task_name,
                    minutes: *minutes,
                }
            })
            .collect())
    }

    /// The projects and tasks behind one person's load in `start..=finish`.
    pub async fn capacity_drill(
        &self,
        actor: &Actor,
        person: Uuid,
        start: Date,
        finish: Date,
    ) -> Result<Drill> {
        let s = self.read_capacity(actor).await?;
        if finish < start || (finish - start).get_days() > 400 {
            return Err(AppError::field(
                "to",
                "must be on or after `from` and at most 400 days later",
            ));
        }
        let p = people::get(&self.db, person)
            .await?
            .ok_or(AppError::NotFound("person"))?;
        let pool = self.pool(&s, Some(&p.department), start, finish).await?;
        let Some(&row) = pool.index.get(&person) else {
            return Err(AppError::NotFound("person"));
        };
        let cal = Calendar {
            working_days: s.calendar.working_days,
            holidays: &s.calendar.holidays,
        };
        let days = (finish - start).get_days() + 1;
        let h = Horizon {
            bucket: Bucket::Day,
            buckets: vec![(start, finish)],
        };
        debug_assert!(days > 0);
        let mine: Vec<Load> = pool
            .loads
            .iter()
            .filter(|l| l.person == row)
            .map(|l| Load { person: 0, ..*l })
            .collect();
        let g = cap::compute(&cal, h, &pool.supply[row as usize..=row as usize], &mine);
        let contributors = cap::contributors(&cal, &mine, 0, start, finish);
        let tags: Vec<(Tag, i64)> = contributors
            .into_iter()
            .map(|(t, m)| (pool.tags[t as usize], m))
            .collect();
        Ok(Drill {
            figures: figures(&g, 0, 0),
            causes: self.name_causes(&tags).await?,
            person: p,
            start,
            finish,
        })
    }

    /// Over-allocations in weekly buckets with what causes them and suggested resolutions.
    pub async fn conflicts(
        &self,
        actor: &Actor,
        department: Option<&str>,
        from: Date,
        weeks: u32,
        limit: usize,
    ) -> Result<Vec<Conflict>> {
        let s = self.read_capacity(actor).await?;
        let h = Horizon::new(from, weeks, Bucket::Week);
        let pool = self.pool(&s, department, h.start(), h.end()).await?;
        let cal = Calendar {
            working_days: s.calendar.working_days,
            holidays: &s.calendar.holidays,
        };
        let g = cap::compute(&cal, h, &pool.supply, &pool.loads);
        let mut over = cap::overallocations(&g);
        over.sort_by(|a, b| b.excess.cmp(&a.excess).then(a.row.cmp(&b.row)));
        over.truncate(limit);
        // What causes each over-allocation; the requests behind the largest causes are read
        // in one query (their role and skills say who else fits).
        let spans: Vec<_> = over
            .iter()
            .map(|o| {
                let (start, finish) = (g.horizon.buckets[o.first].0, g.horizon.buckets[o.last].1);
                let c = cap::contributors(&cal, &pool.loads, o.row as u32, start, finish);
                (start, finish, c)
            })
            .collect();
        let wanted: Vec<Uuid> = spans
            .iter()
            .filter_map(|(_, _, c)| match pool.tags[c.first()?.0 as usize].source {
                Source::Allocation { request_id } => request_id,
                Source::Plan { .. } => None,
            })
            .collect();
        let requests: HashMap<Uuid, ResourceRequest> = rs::requests_by_ids(&self.db, &wanted)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut out = Vec::with_capacity(over.len());
        for (o, (start, finish, contributors)) in over.into_iter().zip(spans) {
            let person = &pool.people[o.row];
            let tags: Vec<(Tag, i64)> = contributors
                .iter()
                .map(|(t, m)| (pool.tags[*t as usize], *m))
                .collect();
            let causes = self.name_causes(&tags).await?;
            let mut suggestions = Vec::new();
            // 1. Someone else who fits and is free: for the largest allocation (by its
            //    request's role and skills) or plan task (by the person's role).
            if let Some((tag, minutes)) = tags.first() {
                let eligible: Vec<u32> = pool
                    .people
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| !p.generic)
                    .filter(|(_, p)| match tag.source {
                        Source::Allocation {
                            request_id: Some(r),
                        } => requests.get(&r).is_some_and(|req| req.fits(p)),
                        _ => p.job_role.eq_ignore_ascii_case(&person.job_role),
                    })
                    .map(|(i, _)| i as u32)
                    .collect();
                let need = (*minutes).min(o.excess.max(1));
                for (row, free) in
                    cap::candidates(&g, &eligible, o.row as u32, o.first, o.last, need, 3)
                {
                    let p = &pool.people[row as usize];
                    let cause = causes.iter().find(|c| {
                        c.project_id == tag.project_id && same_origin(&c.source, &tag.source)
                    });
                    suggestions.push(Suggestion::Reassign {
                        person_id: p.id,
                        name: p.name.clone(),
                        free_minutes: free,
                        project_id: tag.project_id,
                        project_key: cause.map(|c| c.project_key.clone()).unwrap_or_default(),
                        task_name: cause.and_then(|c| c.task_name.clone()),
                    });
                }
            }
            // 2. Move a plan task later within its float.
            let per_day = (s.calendar.day_end.saturating_sub(s.calendar.day_start)).max(1) as i64;
            for (i, (t, _)) in contributors.iter().enumerate() {
                let Source::Plan {
                    task_uid,
                    total_float,
                } = pool.tags[*t as usize].source
                else {
                    continue;
                };
                let float_days = (total_float / per_day).clamp(0, 60) as u32;
                if float_days == 0 {
                    continue;
                }
                let load = pool
                    .loads
                    .iter()
                    .find(|l| l.tag == *t)
                    .copied()
                    .expect("every tag has its load");
                if let Some(k) = shift_that_fits(&cal, &pool, o.row as u32, &load, float_days) {
                    suggestions.push(Suggestion::Shift {
                        project_id: pool.tags[*t as usize].project_id,
                        task_uid,
                        task_name: causes[i].task_name.clone().unwrap_or_default(),
                        working_days: k,
                        new_start: add_working_days(&cal, load.start, k),
                    });
                    break;
                }
            }
            out.push(Conflict {
                person_id: person.id,
                person_name: person.name.clone(),
                department: person.department.clone(),
                start,
                finish,
                excess_minutes: o.excess,
                causes,
                suggestions,
            });
        }
        Ok(out)
    }

    /// Planned (plans and allocations) against actual (approved timesheets) per person or
    /// department, in week or month buckets.
    pub async fn utilization(
        &self,
        actor: &Actor,
        q: &UtilizationQuery,
    ) -> Result<UtilizationView> {
        let s = self.read_capacity(actor).await?;
        let department = q.department.as_deref();
        let (by_department, from, count) = (q.by_department, q.from, q.count);
        let page = (q.offset, q.limit);
        let bucket = match q.bucket {
            Bucket::Day => Bucket::Week,
            b => b,
        };
        let h = Horizon::new(from, count, bucket);
        let pool = self.pool(&s, department, h.start(), h.end()).await?;
        let cal = Calendar {
            working_days: s.calendar.working_days,
            holidays: &s.calendar.holidays,
        };
        let cols = columns(&h);
        let g = cap::compute(&cal, h, &pool.supply, &pool.loads);
        let nb = g.horizon.len();
        let mut actual = vec![0i64; pool.people.len() * nb];
        for (p, _, week, m) in
            rs::approved_minutes(&self.db, department, g.horizon.start(), g.horizon.end()).await?
        {
            if let (Some(&i), Some(b)) = (pool.index.get(&p), g.horizon.index_of(week)) {
                actual[i as usize * nb + b] += m;
            }
        }
        let cell = |r: usize, b: usize| {
            let c = g.cell(r, b);
            UtilizationCell {
                gross: c.capacity + c.non_project,
                non_project: c.non_project,
                planned: c.demand,
                actual: actual[r * nb + b],
            }
        };
        let mut rows: Vec<UtilizationRow> = if by_department {
            let mut m: BTreeMap<String, Vec<UtilizationCell>> = BTreeMap::new();
            for (r, p) in pool.people.iter().enumerate() {
                let e = m
                    .entry(p.department.clone())
                    .or_insert_with(|| vec![UtilizationCell::default(); nb]);
                for (b, x) in e.iter_mut().enumerate() {
                    let c = cell(r, b);
                    x.gross += c.gross;
                    x.non_project += c.non_project;
                    x.planned += c.planned;
                    x.actual += c.actual;
                }
            }
            m.into_iter()
                .map(|(d, cells)| UtilizationRow {
                    key: d.clone(),
                    label: d,
                    person_id: None,
                    cells,
                })
                .collect()
        } else {
            pool.people
                .iter()
                .enumerate()
                .map(|(r, p)| UtilizationRow {
                    key: p.id.to_string(),
                    label: p.name.clone(),
                    person_id: Some(p.id),
                    cells: (0..nb).map(|b| cell(r, b)).collect(),
                })
                .collect()
        };
        let total_rows = rows.len();
        rows = rows.into_iter().skip(page.0).take(page.1.max(1)).collect();
        Ok(UtilizationView {
            columns: cols,
            rows,
            total_rows,
        })
    }

    /// Unfilled demand by skill — open requests, generic resources' plan work, proposals
    /// still being decided — against the free time of the people who have the skill, per
    /// quarter. Committed work is already on someone's calendar: it lowers their free time.
    pub async fn skill_gaps(&self, actor: &Actor, from: Date, quarters: u32) -> Result<SkillGaps> {
        let s = self.read_capacity(actor).await?;
        let h = Horizon::new(from, quarters.clamp(1, 8), Bucket::Quarter);
        let pool = self.pool(&s, None, h.start(), h.end()).await?;
        let cal = Calendar {
            working_days: s.calendar.working_days,
            holidays: &s.calendar.holidays,
        };
        let cols = columns(&h);
        let nq = h.len();
        // Supply: every person's capacity counts for each of their skills.
        let mut names: BTreeMap<String, u32> = BTreeMap::new();
        let mut canonical: HashMap<String, u32> = HashMap::new();
        let mut skill_id = |name: &str, names: &mut BTreeMap<String, u32>| -> u32 {
            let low = name.to_lowercase();
            if let Some(&i) = canonical.get(&low) {
                return i;
            }
            let i = names.len() as u32;
            names.insert(name.to_owned(), i);
            canonical.insert(low, i);
            i
        };
        let membership: Vec<Vec<u32>> = pool
            .people
            .iter()
            .map(|p| {
                if p.generic {
                    Vec::new()
                } else {
                    p.skills
                        .iter()
                        .map(|k| skill_id(&k.name, &mut names))
                        .collect()
                }
            })
            .collect();
        // Unfilled demand: open requests ask for skills; generic resources'
        // plan work asks for theirs.
        let days = working_days_per_week(&s);
        let mut demand_loads: Vec<(Vec<u32>, Load)> = Vec::new();
        let (requests, _) = rs::list_requests(
            &self.db,
            &rs::RequestFilter::default(),
            "start",
            false,
            // Every request: `Page::first` would clamp to one page of 500.
            Page {
                limit: i64::MAX / 2,
                offset: 0,
            },
        )
        .await?;
        for r in requests.iter().filter(|r| {
            matches!(r.state, RequestState::Requested | RequestState::Proposed)
                && !r.skills.is_empty()
                && r.finish >= h.start()
                && r.start <= h.end()
        }) {
            let ids: Vec<u32> = r
                .skills
                .iter()
                .map(|k| skill_id(&k.name, &mut names))
                .collect();
            demand_loads.push((
                ids,
                Load {
                    person: 0,
                    start: r.start,
                    finish: r.finish,
                    minutes_per_day: r.minutes_per_week / days,
                    tag: 0,
                },
            ));
        }
        for l in &pool.loads {
            let p = &pool.people[l.person as usize];
            if p.generic && matches!(pool.tags[l.tag as usize].source, Source::Plan { .. }) {
                let ids: Vec<u32> = p
                    .skills
                    .iter()
                    .map(|k| skill_id(&k.name, &mut names))
                    .collect();
                demand_loads.push((ids, Load { person: 0, ..*l }));
            }
        }
        // Proposals not yet decided: their capacity needs by role or skill per quarter.
        let week = week_minutes(&s);
        let mut proposed: HashMap<u32, Vec<i64>> = HashMap::new();
        let skill_names: HashMap<String, u32> = canonical.clone();
        for p in atrium_store::strategy::undecided_proposals(&self.db).await? {
            for need in &p.capacity {
                let Some(&i) = skill_names.get(&need.role.to_lowercase()) else {
                    continue;
                };
                let Some(q0) = h.index_of(p.start) else {
                    continue;
                };
                let q = q0 + need.quarter as usize;
                if q < nq {
                    proposed.entry(i).or_insert_with(|| vec![0; nq])[q] +=
                        (need.fte * week as f64 * 13.0).round() as i64;
                }
            }
        }
        let n = names.len();
        // Supply: the time skill holders still have free after the work already on them.
        let loaded = cap::compute(
            &cal,
            Horizon::new(from, quarters.clamp(1, 8), Bucket::Quarter),
            &pool.supply,
            &pool.loads,
        );
        let mut free = vec![vec![0i64; nq]; n];
        for (row, groups) in membership.iter().enumerate() {
            for &gi in groups {
                for (q, slot) in free[gi as usize].iter_mut().enumerate() {
                    let c = loaded.cell(row, q);
                    *slot += (c.capacity - c.demand).max(0);
                }
            }
        }
        let mut holders = vec![0usize; n];
        for m in &membership {
            for &i in m {
                holders[i as usize] += 1;
            }
        }
        // One row per unfilled demand (no supply), summed into the skills it asks for.
        let nobody = Supply {
            weekly_minutes: 0,
            non_project_minutes_per_week: 0,
            working_days: s.calendar.working_days,
            absences: Vec::new(),
        };
        let demand_grid = cap::compute(
            &cal,
            Horizon::new(from, quarters.clamp(1, 8), Bucket::Quarter),
            &vec![nobody; demand_loads.len()],
            &demand_loads
                .iter()
                .enumerate()
                .map(|(row, (_, l))| Load {
                    person: row as u32,
                    ..*l
                })
                .collect::<Vec<_>>(),
        );
        let asked: Vec<Vec<u32>> = demand_loads.into_iter().map(|(ids, _)| ids).collect();
        let active = cap::group(&demand_grid, &asked, n);
        let mut rows: Vec<SkillGapRow> = names
            .into_iter()
            .map(|(name, i)| SkillGapRow {
                people: holders[i as usize],
                quarters: (0..nq)
                    .map(|q| {
                        (
                            free[i as usize][q],
                            active.cell(i as usize, q).demand,
                            proposed.get(&i).map_or(0, |v| v[q]),
                        )
                    })
                    .collect(),
                skill: name,
            })
            .collect();
        rows.sort_by(|a, b| {
            let ga: i64 = (0..nq).map(|q| a.gap(q)).sum();
            let gb: i64 = (0..nq).map(|q| b.gap(q)).sum();
            gb.cmp(&ga).then_with(|| a.skill.cmp(&b.skill))
        });
        Ok(SkillGaps {
            columns: cols,
            rows,
        })
    }

    /// The capacity effect of a proposal (`proposal`) or of the proposals a scenario
    /// selects (`scenario`), by job role over eight quarters from the current one. Nothing
    /// is written.
    pub async fn what_if(
        &self,
        actor: &Actor,
        proposal: Option<Uuid>,
        scenario: Option<Uuid>,
    ) -> Result<WhatIf> {
        let s = self.read_capacity(actor).await?;
        let mut cases: Vec<(atrium_core::strategy::Proposal, u32)> = Vec::new();
        let title = match (proposal, scenario) {
            (Some(id), None) => {
                let d = self.get_proposal(actor, id).await?;
                let t = format!("{} {}", d.proposal.key, d.proposal.title);
                cases.push((d.proposal, 0));
                t
            }
            (None, Some(id)) => {
                let sc = self.get_scenario(actor, id).await?;
                let r = sc
                    .result
                    .as_ref()
                    .ok_or_else(|| AppError::field("scenario", "has no optimization result yet"))?;
                for item in r.items.iter().filter(|i| i.selected && !i.active) {
                    if let Ok(d) = self.get_proposal(actor, item.case_id).await {
                        cases.push((d.proposal, item.shift));
                    }
                }
                format!("Scenario {}", sc.name)
            }
            _ => {
                return Err(AppError::field(
                    "proposal",
                    "name either a proposal or a scenario",
                ));
            }
        };
        let h = Horizon::new(self.today(), 8, Bucket::Quarter);
        let cols = columns(&h);
        let nq = h.len();
        let pool = self.pool(&s, None, h.start(), h.end()).await?;
        let cal = Calendar {
            working_days: s.calendar.working_days,
            holidays: &s.calendar.holidays,
        };
        let mut roles: BTreeMap<String, u32> = BTreeMap::new();
        let mut canon: HashMap<String, u32> = HashMap::new();
        let membership: Vec<Vec<u32>> = pool
            .people
            .iter()
            .map(|p| {
                let low = p.job_role.to_lowercase();
                let n = canon.len() as u32;
                let i = *canon.entry(low).or_insert(n);
                if i == n {
                    roles.insert(p.job_role.clone(), i);
                }
                vec![i]
            })
            .collect();
        let g = cap::compute(&cal, h, &pool.supply, &pool.loads);
        let grouped = cap::group(&g, &membership, canon.len());
        let week = week_minutes(&s);
        let mut added: HashMap<u32, Vec<i64>> = HashMap::new();
        let mut unknown = Vec::new();
        for (p, shift) in &cases {
            let Some(q0) = grouped
                .horizon
                .index_of(p.start)
                .or_else(|| (p.start < grouped.horizon.start()).then_some(0))
            else {
                continue;
            };
            for need in &p.capacity {
                let Some(&i) = canon.get(&need.role.to_lowercase()) else {
                    if !unknown.contains(&need.role) {
                        unknown.push(need.role.clone());
                    }
                    continue;
                };
                let q = q0 + need.quarter as usize + *shift as usize;
                if q < nq {
                    added.entry(i).or_insert_with(|| vec![0; nq])[q] +=
                        (need.fte * week as f64 * 13.0).round() as i64;
                }
            }
        }
        let rows = roles
            .into_iter()
            .map(|(name, i)| {
                let cells = (0..nq)
                    .map(|q| {
                        let c = grouped.cell(i as usize, q);
                        (c.capacity, c.demand, added.get(&i).map_or(0, |v| v[q]))
                    })
                    .collect();
                (name, cells)
            })
            .collect();
        Ok(WhatIf {
            title,
            columns: cols,
            rows,
            unknown_roles: unknown,
        })
    }

    /// People who fit a request, with their free project time over its period, most free
    /// first.
    pub(crate) async fn fitting_people(
        &self,
        r: &ResourceRequest,
        limit: usize,
    ) -> Result<Vec<(Person, i64)>> {
        let s = self.settings().await?;
        let weeks = ((r.finish - r.start).get_days() / 7 + 2).clamp(1, 260) as u32;
        let h = Horizon::new(r.start, weeks, Bucket::Week);
        let pool = self.pool(&s, None, h.start(), h.end()).await?;
        let cal = Calendar {
            working_days: s.calendar.working_days,
            holidays: &s.calendar.holidays,
        };
        let g = cap::compute(&cal, h, &pool.supply, &pool.loads);
        let first = g.horizon.index_of(r.start).unwrap_or(0);
        let last = g
            .horizon
            .index_of(r.finish)
            .unwrap_or(g.horizon.len().saturating_sub(1));
        let eligible: Vec<u32> = pool
            .people
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.generic && r.fits(p))
            .map(|(i, _)| i as u32)
            .collect();
        let picked = cap::candidates(&g, &eligible, u32::MAX, first, last, 0, limit);
        let mut people: Vec<Option<Person>> = pool.people.into_iter().map(Some).collect();
        Ok(picked
            .into_iter()
            .filter_map(|(row, free)| Some((people[row as usize].take()?, free)))
            .collect())
    }
}

/// Whether two loads come from the same task or the same request.
fn same_origin(a: &Source, b: &Source) -> bool {
    match (a, b) {
        (Source::Plan { task_uid: x, .. }, Source::Plan { task_uid: y, .. }) => x == y,
        (
            Source::Allocation {
                request_id: Some(x),
            },
            Source::Allocation {
                request_id: Some(y),
            },
        ) => x == y,
        _ => false,
    }
}

/// The fewest working days (1..=`float_days`) a plan load can move later so that the
/// person is no longer over-allocated on any day of its old or new span; `None` if no shift
/// within the float does it.
fn shift_that_fits(
    cal: &Calendar,
    pool: &Pool,
    person: u32,
    load: &Load,
    float_days: u32,
) -> Option<u32> {
    let end = add_working_days(cal, load.finish, float_days);
    let span = (end - load.start).get_days().max(0) as u32 + 1;
    let h = || Horizon::new(load.start, span, Bucket::Day);
    let others: Vec<Load> = pool
        .loads
        .iter()
        .filter(|l| l.person == person && l.tag != load.tag)
        .map(|l| Load { person: 0, ..*l })
        .collect();
    let supply = std::slice::from_ref(&pool.supply[person as usize]);
    for k in 1..=float_days {
        let moved = Load {
            person: 0,
            start: add_working_days(cal, load.start, k),
            finish: add_working_days(cal, load.finish, k),
            ..*load
        };
        let mut all = others.clone();
        all.push(moved);
        let g = cap::compute(cal, h(), supply, &all);
        if (0..g.horizon.len()).all(|b| !g.over(0, b)) {
            return Some(k);
        }
    }
    None
}

fn hours(minutes: i64) -> atrium_interop::xlsx::Cell {
    atrium_interop::xlsx::Cell::Number((minutes as f64 / 60.0 * 100.0).round() / 100.0)
}

fn text(s: impl Into<String>) -> atrium_interop::xlsx::Cell {
    atrium_interop::xlsx::Cell::Text(s.into())
}

impl App {
    /// The heat map's data as a table (one line per row and bucket), CSV or XLSX.
    pub async fn capacity_export(
        &self,
        actor: &Actor,
        q: &CapacityQuery,
        format: &str,
    ) -> Result<crate::plan_files::Export> {
        let v = self
            .capacity(
                actor,
                &CapacityQuery {
                    offset: 0,
                    limit: usize::MAX,
                    ..q.clone()
                },
            )
            .await?;
        let headers = [
            q.grouping.label(),
            "From",
            "To",
            "Capacity (h)",
            "Non-project (h)",
            "Demand (h)",
            "Load %",
            "Over-allocated",
        ];
        let mut rows = Vec::with_capacity(v.rows.len() * v.columns.len());
        for r in &v.rows {
            for (c, (s, e, _)) in r.cells.iter().zip(&v.columns) {
                rows.push(vec![
                    text(&r.label),
                    text(s.to_string()),
                    text(e.to_string()),
                    hours(c.capacity),
                    hours(c.non_project),
                    hours(c.demand),
                    if c.capacity > 0 {
                        atrium_interop::xlsx::Cell::Number(
                            (c.demand as f64 * 1000.0 / c.capacity as f64).round() / 10.0,
                        )
                    } else {
                        atrium_interop::xlsx::Cell::Empty
                    },
                    text(if c.demand > c.capacity { "yes" } else { "no" }),
                ]);
            }
        }
        crate::plan_files::table_export("capacity", q.grouping.as_str(), format, &headers, &rows)
    }

    /// Allocations overlapping `from..=to` as a table, CSV or XLSX.
    pub async fn allocations_export(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
        format: &str,
    ) -> Result<crate::plan_files::Export> {
        let (items, _) = self
            .list_allocations(actor, None, None, from, to, Page::first(Page::MAX_LIMIT))
            .await?;
        let mut more = items;
        // Page::MAX_LIMIT bounds one page; exports want everything.
        if more.len() as i64 == Page::MAX_LIMIT {
            more = atrium_store::resource::list_allocations(
                &self.db,
                None,
                None,
                from,
                to,
                // Not `Page::first`, which clamps to `Page::MAX_LIMIT` again.
                Page {
                    limit: i64::MAX / 2,
                    offset: 0,
                },
            )
            .await?
            .0;
        }
        let names = self
            .person_names(actor, more.iter().map(|a| a.person_id))
            .await?;
        let mut pids: Vec<Uuid> = more.iter().map(|a| a.project_id).collect();
        pids.sort();
        pids.dedup();
        let projects: HashMap<Uuid, (String, String)> = rs::project_names(&self.db, &pids)
            .await?
            .into_iter()
            .map(|(id, k, n)| (id, (k, n)))
            .collect();
        let headers = [
            "Person",
            "Department",
            "Project",
            "Project name",
            "From",
            "To",
            "Hours per week",
            "Request",
        ];
        let rows: Vec<Vec<atrium_interop::xlsx::Cell>> = more
            .iter()
            .map(|a| {
                let (n, d) = names.get(&a.person_id).cloned().unwrap_or_default();
                let (k, pn) = projects.get(&a.project_id).cloned().unwrap_or_default();
                vec![
                    text(n),
                    text(d),
                    text(k),
                    text(pn),
                    text(a.start.to_string()),
                    text(a.finish.to_string()),
                    hours(i64::from(a.minutes_per_week)),
                    text(a.request_id.map(|r| r.to_string()).unwrap_or_default()),
                ]
            })
            .collect();
        crate::plan_files::table_export("resource", "allocations", format, &headers, &rows)
    }

    /// Skill gaps per quarter as a table (for hiring and training decisions), CSV or XLSX.
    pub async fn skill_gaps_export(
        &self,
        actor: &Actor,
        from: Date,
        quarters: u32,
        format: &str,
    ) -> Result<crate::plan_files::Export> {
        let g = self.skill_gaps(actor, from, quarters).await?;
        let headers = [
            "Skill",
            "People",
            "Quarter",
            "Free time of holders (h)",
            "Unfilled demand (h)",
            "Proposed demand (h)",
            "Gap (h)",
        ];
        let mut rows = Vec::new();
        for r in &g.rows {
            for (q, (s, a, p)) in r.quarters.iter().enumerate() {
                rows.push(vec![
                    text(&r.skill),
                    atrium_interop::xlsx::Cell::Number(r.people as f64),
                    text(&g.columns[q].2),
                    hours(*s),
                    hours(*a),
                    hours(*p),
                    hours(r.gap(q)),
                ]);
            }
        }
        crate::plan_files::table_export("skill", "gaps", format, &headers, &rows)
    }
}
