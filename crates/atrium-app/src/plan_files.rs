//! MS Project files for plans: import (parse → map resources to people → preview of what
//! changes → confirm) and export (MS Project XML, CSV, XLSX of the tasks).

use crate::permissions::{Action, authorize};
use crate::plan::PlanOp;
use crate::records::placement_of;
use crate::{Actor, App, AppError, Result};
use atrium_core::plan::{Assignment, Plan};
use atrium_interop::plan_io::{self, PlanDiff};
use atrium_interop::xlsx::Cell;
use atrium_store::plan as sp;
use atrium_store::project;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// Largest MS Project file accepted (bytes).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// What an import would change, shown before it is confirmed.
#[derive(Debug, Clone, Serialize)]
pub struct ImportPreview {
    /// Id to confirm with.
    pub id: Uuid,
    pub tasks: usize,
    pub links: usize,
    /// One-line summary of the changes.
    pub summary: String,
    #[serde(skip)]
    pub diff: PlanDiff,
    /// What the file had that Atrium did not take, and why.
    pub skipped: Vec<String>,
    /// Resources of the file that match no one in the pool (their assignments are dropped).
    pub unmatched_resources: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct Pending {
    plan: Plan,
    skipped: Vec<String>,
    unmatched: Vec<String>,
}

/// A file to download.
#[derive(Debug, Clone)]
pub struct Export {
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl App {
    /// Parses an MS Project XML file for a project and keeps it pending until confirmed;
    /// returns what it would change. Nothing in the plan changes yet.
    pub async fn import_preview(
        &self,
        actor: &Actor,
        project_id: Uuid,
        xml: &[u8],
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<ImportPreview> {
        let mode = self.mode().await?;
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(actor, Action::EditPlan, &placement_of(&p), mode)?;
        if xml.len() > MAX_IMPORT_BYTES {
            return Err(AppError::field(
                "file",
                format!("is larger than {} MB", MAX_IMPORT_BYTES / 1024 / 1024),
            ));
        }
        if xml.is_empty() {
            return Err(AppError::field("file", "choose an MS Project XML file"));
        }
        let imported = plan_io::plan_from_mspdi(xml, project_id, progress)
            .map_err(|e| AppError::field("file", e.to_string()))?;
        let mut plan = imported.plan;
        // Map the file's resources to people by e-mail, then by name.
        let mut tx = self.db.begin().await?;
        let mut by_uid: HashMap<u32, Option<Uuid>> = HashMap::new();
        let mut unmatched = Vec::new();
        for r in &imported.resources {
            let mut found = sp::Found::None;
            if let Some(e) = &r.email {
                found = sp::person_by_handle_tx(&mut tx, e).await?;
            }
            if found == sp::Found::None {
                found = sp::person_by_handle_tx(&mut tx, &r.name).await?;
            }
            match found {
                sp::Found::One(id) => {
                    by_uid.insert(r.uid, Some(id));
                }
                _ => {
                    unmatched.push(r.name.clone());
                    by_uid.insert(r.uid, None);
                }
            }
        }
        let index: HashMap<u32, usize> = plan
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.uid, i))
            .collect();
        for a in &imported.assignments {
            if let (Some(&i), Some(Some(person))) =
                (index.get(&a.task_uid), by_uid.get(&a.resource_uid))
            {
                plan.tasks[i].assignments.push(Assignment {
                    person_id: *person,
                    units: a.units.clamp(1, 1000),
                });
            }
        }
        let current = sp::get_plan_tx(&mut tx, project_id)
            .await?
            .unwrap_or_else(|| Plan::empty(project_id, plan.start));
        let diff = plan_io::diff(&current, &plan);
        let id = Uuid::now_v7();
        let pending = Pending {
            plan,
            skipped: imported.skipped,
            unmatched,
        };
        let body = serde_json::to_string(&pending).map_err(|e| AppError::Internal(Box::new(e)))?;
        sp::put_import(
            &mut tx,
            id,
            project_id,
            actor.user_id,
            &body,
            self.now_micros(),
        )
        .await?;
        tx.commit().await?;
        Ok(ImportPreview {
            id,
            tasks: pending.plan.tasks.len(),
            links: pending.plan.links.len(),
            summary: diff.summary(),
            diff,
            skipped: pending.skipped,
            unmatched_resources: pending.unmatched,
        })
    }

    /// The preview of a pending import again (for the confirmation page).
    pub async fn pending_import(
        &self,
        actor: &Actor,
        project_id: Uuid,
        id: Uuid,
    ) -> Result<ImportPreview> {
        let body = sp::get_import(&self.db, id, project_id, actor.user_id)
            .await?
            .ok_or(AppError::NotFound("pending import"))?;
        let pending: Pending =
            serde_json::from_str(&body).map_err(|e| AppError::Internal(Box::new(e)))?;
        let current = sp::get_plan(&self.db, project_id)
            .await?
            .unwrap_or_else(|| Plan::empty(project_id, pending.plan.start));
        let diff = plan_io::diff(&current, &pending.plan);
        Ok(ImportPreview {
            id,
            tasks: pending.plan.tasks.len(),
            links: pending.plan.links.len(),
            summary: diff.summary(),
            diff,
            skipped: pending.skipped,
            unmatched_resources: pending.unmatched,
        })
    }

    /// Replaces the plan with a pending import (audited as one plan.import). `expected` is
    /// the plan version the preview was made against.
    pub async fn import_apply(
        &self,
        actor: &Actor,
        project_id: Uuid,
        id: Uuid,
        expected: i64,
    ) -> Result<crate::plan::EditOutcome> {
        // Authorize before looking the import up: a caller who may not edit gets 403, not 404.
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(
            actor,
            Action::EditPlan,
            &placement_of(&p),
            self.mode().await?,
        )?;
        let mut tx = self.db.begin().await?;
        let body = sp::take_import(&mut tx, id, project_id, actor.user_id)
            .await?
            .ok_or(AppError::NotFound("pending import"))?;
        let pending: Pending =
            serde_json::from_str(&body).map_err(|e| AppError::Internal(Box::new(e)))?;
        let out = self
            .edit_plan_tx(
                &mut tx,
                actor,
                project_id,
                Some(expected),
                PlanOp::Replace(Box::new(pending.plan)),
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The plan as MS Project XML (`xml`), CSV (`csv`) or XLSX (`xlsx`).
    pub async fn export_plan(
        &self,
        actor: &Actor,
        project_id: Uuid,
        format: &str,
    ) -> Result<Export> {
        let v = self.plan_view(actor, project_id, 0).await?;
        let dates: Vec<(i64, i64)> = v.rows.iter().map(|r| (r.start, r.finish)).collect();
        let stem = v.project.key.to_ascii_lowercase();
        match format {
            "xml" => {
                let mut names: HashMap<Uuid, (String, Option<String>)> = HashMap::new();
                for t in &v.plan.tasks {
                    for a in &t.assignments {
                        if !names.contains_key(&a.person_id)
                            && let Some(p) =
                                atrium_store::people::get(&self.db, a.person_id).await?
                        {
                            names.insert(a.person_id, (p.name, p.email));
                        }
                    }
                }
                let xml = plan_io::plan_to_mspdi(
                    &v.plan,
                    &dates,
                    &|id| names.get(&id).cloned(),
                    &v.project.name,
                    v.minutes_per_day,
                );
                Ok(Export {
                    filename: format!("{stem}.xml"),
                    content_type: "application/xml",
                    bytes: xml.into_bytes(),
                })
            }
            "csv" | "xlsx" => {
                let (headers, rows) = plan_io::tasks_table(&v.plan, &dates, v.minutes_per_day);
                table_export(&v.project.key, "tasks", format, &headers, &rows)
            }
            _ => Err(AppError::field("format", "must be xml, csv or xlsx")),
        }
    }

    /// Costs of a plan as a table: per task planned cost, baseline cost, actual cost; then
    /// budget lines and expenses.
    pub async fn export_costs(
        &self,
        actor: &Actor,
        project_id: Uuid,
        format: &str,
    ) -> Result<Export> {
        let v = self.plan_view(actor, project_id, 0).await?;
        let headers = [
            "Kind",
            "ID",
            "Name / category",
            "Period / date",
            "Planned",
            "Baseline",
            "Actual",
        ];
        let money = |m: i64| Cell::Money {
            minor: m,
            currency: v.currency.clone(),
        };
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for (r, t) in v.rows.iter().zip(&v.plan.tasks) {
            if r.summary {
                continue;
            }
            rows.push(vec![
                Cell::Text("task".into()),
                Cell::Number(f64::from(r.uid)),
                Cell::Text(r.name.clone()),
                Cell::Empty,
                money(r.cost),
                r.baseline.map_or(Cell::Empty, |b| money(b.cost)),
                money(t.actual_cost),
            ]);
        }
        for b in &v.plan.budget {
            rows.push(vec![
                Cell::Text("budget".into()),
                Cell::Empty,
                Cell::Text(b.category.clone()),
                Cell::Text(b.period.clone()),
                money(b.amount.0),
                Cell::Empty,
                Cell::Empty,
            ]);
        }
        for e in &v.plan.expenses {
            rows.push(vec![
                Cell::Text(
                    if e.actual {
                        "expense (actual)"
                    } else {
                        "expense (planned)"
                    }
                    .into(),
                ),
                Cell::Empty,
                Cell::Text(format!("{}: {}", e.category, e.description)),
                Cell::Text(e.date.to_string()),
                if e.actual {
                    Cell::Empty
                } else {
                    money(e.amount.0)
                },
                Cell::Empty,
                if e.actual {
                    money(e.amount.0)
                } else {
                    Cell::Empty
                },
            ]);
        }
        table_export(&v.project.key, "costs", format, &headers, &rows)
    }

    /// Timesheets of a project as a table (one row per person, week and task).
    pub async fn export_timesheets(
        &self,
        actor: &Actor,
        project_id: Uuid,
        format: &str,
    ) -> Result<Export> {
        let p = project::get(&self.db, project_id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        let list = self.project_timesheets(actor, project_id, None).await?;
        let plan = sp::get_plan(&self.db, project_id).await?;
        let name_of = |uid: u32| {
            plan.as_ref()
                .and_then(|p| p.tasks.iter().find(|t| t.uid == uid))
                .map_or_else(String::new, |t| t.name.clone())
        };
        let headers = [
            "Person",
            "Week",
            "State",
            "Task ID",
            "Task",
            "Mon",
            "Tue",
            "Wed",
            "Thu",
            "Fri",
            "Sat",
            "Sun",
            "Total hours",
        ];
        let mut rows = Vec::new();
        for r in &list {
            for e in &r.timesheet.entries {
                let mut row = vec![
                    Cell::Text(r.person.clone()),
                    Cell::Text(r.timesheet.week_start.to_string()),
                    Cell::Text(r.timesheet.state.as_str().into()),
                    Cell::Number(f64::from(e.task_uid)),
                    Cell::Text(name_of(e.task_uid)),
                ];
                row.extend(e.minutes.iter().map(|&m| Cell::Number(f64::from(m) / 60.0)));
                row.push(Cell::Number(
                    e.minutes.iter().map(|&m| f64::from(m)).sum::<f64>() / 60.0,
                ));
                rows.push(row);
            }
        }
        table_export(&p.key, "timesheets", format, &headers, &rows)
    }
}

/// A table as a CSV (RFC 4180, formula-guarded) or XLSX download named `key-what.csv|xlsx`.
pub fn table_export(
    key: &str,
    what: &str,
    format: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<Export> {
    let stem = format!("{}-{what}", key.to_ascii_lowercase());
    match format {
        "csv" => Ok(Export {
            filename: format!("{stem}.csv"),
            content_type: "text/csv; charset=utf-8",
            bytes: plan_io::to_csv(headers, rows).into_bytes(),
        }),
        "xlsx" => Ok(Export {
            filename: format!("{stem}.xlsx"),
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes: atrium_interop::xlsx::table(what, headers, rows)
                .map_err(|e| AppError::Internal(Box::new(std::io::Error::other(e.to_string()))))?,
        }),
        _ => Err(AppError::field("format", "must be csv or xlsx")),
    }
}
