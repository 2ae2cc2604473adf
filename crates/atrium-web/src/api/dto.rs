//! JSON shapes of the API (requests and responses) and their conversions.

use atrium_core::portfolio::Portfolio;
use atrium_core::program::Program;
use atrium_core::project::Project;
use atrium_core::resource::Person;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A page of items; pass `next_cursor` as `cursor` to get the next page.
#[derive(Serialize, ToSchema)]
pub struct ListOf<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1–500, default 50.
    pub limit: Option<i64>,
    /// Opaque cursor from a previous `next_cursor`.
    pub cursor: Option<String>,
    /// Column to sort by; prefix `-` for descending.
    pub sort: Option<String>,
    /// Text search on key and name.
    pub q: Option<String>,
    /// Include archived records.
    pub archived: Option<bool>,
    pub portfolio_id: Option<Uuid>,
    pub program_id: Option<Uuid>,
    /// Project phase filter.
    pub phase: Option<String>,
    /// Project RAG status filter.
    pub status: Option<String>,
    /// People: department filter.
    pub department: Option<String>,
    /// People: skill filter.
    pub skill: Option<String>,
}

/// A money amount: a decimal string such as `"250000.00"` (a JSON number is accepted too).
pub fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum A {
        S(String),
        N(serde_json::Number),
    }
    Ok(Option::<A>::deserialize(d)?.map(|a| match a {
        A::S(s) => s,
        A::N(n) => n.to_string(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PortfolioOut {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    pub archived: bool,
    pub version: i64,
}

impl From<Portfolio> for PortfolioOut {
    fn from(p: Portfolio) -> Self {
        Self {
            id: p.id,
            key: p.key,
            name: p.name,
            description: p.description,
            owner_id: p.owner_id,
            archived: p.archived,
            version: p.version,
        }
    }
}

/// Create: `key` and `name` required. Update: any subset plus `version`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PortfolioIn {
    pub key: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    pub version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ProgramOut {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub portfolio_id: Uuid,
    pub manager_id: Option<Uuid>,
    pub archived: bool,
    pub version: i64,
}

impl From<Program> for ProgramOut {
    fn from(p: Program) -> Self {
        Self {
            id: p.id,
            key: p.key,
            name: p.name,
            description: p.description,
            portfolio_id: p.portfolio_id,
            manager_id: p.manager_id,
            archived: p.archived,
            version: p.version,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ProgramIn {
    pub key: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub portfolio_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectOut {
    pub id: Uuid,
    /// e.g. `PRJ-042`
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub portfolio_id: Uuid,
    pub program_id: Option<Uuid>,
    pub sponsor_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    /// initiating | planning | executing | closing | closed | on_hold | cancelled
    pub phase: String,
    /// YYYY-MM-DD
    pub planned_start: Option<String>,
    pub planned_finish: Option<String>,
    /// Decimal string in `currency`.
    pub budget: String,
    pub currency: String,
    /// green | amber | red
    pub status: String,
    pub status_note: Option<String>,
    pub archived: bool,
    pub version: i64,
}

impl From<Project> for ProjectOut {
    fn from(p: Project) -> Self {
        Self {
            id: p.id,
            key: p.key,
            name: p.name,
            description: p.description,
            portfolio_id: p.portfolio_id,
            program_id: p.program_id,
            sponsor_id: p.sponsor_id,
            manager_id: p.manager_id,
            phase: p.phase.as_str().into(),
            planned_start: p.planned_start.map(|d| d.to_string()),
            planned_finish: p.planned_finish.map(|d| d.to_string()),
            budget: p.budget.plain(),
            currency: p.currency,
            status: p.status.as_str().into(),
            status_note: p.status_note,
            archived: p.archived,
            version: p.version,
        }
    }
}

/// Create: `key`, `name`, `portfolio_id` required (`phase` defaults to initiating, `status`
/// to green). Update: any subset plus `version`; send `null` to clear an optional field.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ProjectIn {
    pub key: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    pub portfolio_id: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub program_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub sponsor_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub manager_id: Option<Option<Uuid>>,
    pub phase: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub planned_start: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub planned_finish: Option<Option<String>>,
    #[serde(default, deserialize_with = "amount")]
    #[schema(value_type = Option<String>)]
    pub budget: Option<String>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub status_note: Option<Option<String>>,
    pub version: Option<i64>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::<T>::deserialize(d)?))
}

#[derive(Serialize, ToSchema)]
pub struct SkillOut {
    pub name: String,
    /// 1 (aware) .. 5 (expert)
    pub level: u8,
}

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub department: String,
    pub job_role: String,
    /// Hourly cost rate, decimal string.
    pub cost_rate: String,
    pub weekly_capacity_hours: f64,
    pub skills: Vec<SkillOut>,
    pub archived: bool,
    pub version: i64,
    pub line_manager_id: Option<Uuid>,
    /// A placeholder resource (a role to be filled), not a real person.
    pub generic: bool,
    /// Operations / support hours per week that reduce project capacity.
    pub non_project_hours: f64,
    /// `"1111100"` Monday first; empty = the organization's working days.
    pub working_days: String,
}

impl From<Person> for PersonOut {
    fn from(p: Person) -> Self {
        let working_days = p.working_days_mask();
        Self {
            id: p.id,
            name: p.name,
            email: p.email,
            department: p.department,
            job_role: p.job_role,
            cost_rate: p.cost_rate.plain(),
            weekly_capacity_hours: f64::from(p.weekly_capacity_minutes) / 60.0,
            skills: p
                .skills
                .into_iter()
                .map(|s| SkillOut {
                    name: s.name,
                    level: s.level,
                })
                .collect(),
            archived: p.archived,
            version: p.version,
            line_manager_id: p.line_manager_id,
            generic: p.generic,
            non_project_hours: f64::from(p.non_project_minutes) / 60.0,
            working_days,
        }
    }
}

/// Skills as `["Rust:4", "SQL"]` (level 1–5, default 3).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub department: Option<String>,
    pub job_role: Option<String>,
    #[serde(default, deserialize_with = "amount")]
    #[schema(value_type = Option<String>)]
    pub cost_rate: Option<String>,
    pub weekly_capacity_hours: Option<f64>,
    pub skills: Option<Vec<String>>,
    /// The line manager's person id or e-mail; `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub line_manager: Option<Option<String>>,
    pub generic: Option<bool>,
    pub non_project_hours: Option<f64>,
    /// `"1111100"` Monday first; `""` = the organization's working days.
    pub working_days: Option<String>,
    pub version: Option<i64>,
}

/// The version a write is based on.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionIn {
    pub version: i64,
}
