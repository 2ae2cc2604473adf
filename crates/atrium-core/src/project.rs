//! Projects: key, placement (portfolio, optional program), people, lifecycle phase, plan
//! dates, budget and the RAG status the PMO reads first.

use crate::money::Minor;
use crate::validation::{FieldError, Validation, limits};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Lifecycle phase. `on_hold` and `cancelled` are where defer and terminate decisions lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Initiating,
    Planning,
    Executing,
    Closing,
    Closed,
    OnHold,
    Cancelled,
}

impl Phase {
    pub const ALL: [Phase; 7] = [
        Self::Initiating,
        Self::Planning,
        Self::Executing,
        Self::Closing,
        Self::Closed,
        Self::OnHold,
        Self::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initiating => "initiating",
            Self::Planning => "planning",
            Self::Executing => "executing",
            Self::Closing => "closing",
            Self::Closed => "closed",
            Self::OnHold => "on_hold",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Initiating => "Initiating",
            Self::Planning => "Planning",
            Self::Executing => "Executing",
            Self::Closing => "Closing",
            Self::Closed => "Closed",
            Self::OnHold => "On hold",
            Self::Cancelled => "Cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
    /// Active projects consume capacity and report status.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Self::Initiating | Self::Planning | Self::Executing | Self::Closing
        )
    }
}

/// Red / amber / green.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Green,
    Amber,
    Red,
}

impl Rag {
    pub const ALL: [Rag; 3] = [Self::Green, Self::Amber, Self::Red];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Amber => "amber",
            Self::Red => "red",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Green => "Green",
            Self::Amber => "Amber",
            Self::Red => "Red",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A project key such as `PRJ-042`: a letter prefix of 1–10 letters/digits, a dash, 1–6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ProjectKey(String);

impl ProjectKey {
    pub fn parse(s: &str) -> Option<Self> {
        let k = s.trim().to_ascii_uppercase();
        let (prefix, num) = k.split_once('-')?;
        let ok = (1..=10).contains(&prefix.len())
            && prefix.starts_with(|c: char| c.is_ascii_uppercase())
            && prefix
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && (1..=6).contains(&num.len())
            && num.chars().all(|c| c.is_ascii_digit());
        ok.then_some(Self(k))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub portfolio_id: Uuid,
    pub program_id: Option<Uuid>,
    pub sponsor_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub phase: Phase,
    pub planned_start: Option<Date>,
    pub planned_finish: Option<Date>,
    pub budget: Minor,
    pub currency: String,
    pub status: Rag,
    pub status_note: Option<String>,
    pub archived: bool,
    pub version: i64,
}

/// A project as typed in a form or sent to the API, before validation.
#[derive(Debug, Clone, Default)]
pub struct ProjectDraft {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub portfolio_id: Option<Uuid>,
    pub program_id: Option<Uuid>,
    pub sponsor_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub phase: String,
    pub planned_start: Option<String>,
    pub planned_finish: Option<String>,
    pub budget: Option<String>,
    pub status: String,
    pub status_note: Option<String>,
}

fn parse_date(v: &mut Validation, field: &str, raw: Option<&str>) -> Option<Date> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match raw.parse::<Date>() {
        Ok(d) if (1900..=2200).contains(&d.year()) => Some(d),
        Ok(_) => {
            v.add(field, "must be between 1900 and 2200");
            None
        }
        Err(_) => {
            v.add(field, format!("`{raw}` is not a valid date (YYYY-MM-DD)"));
            None
        }
    }
}

impl ProjectDraft {
    /// Validates the draft; `currency` is the organization's.
    pub fn validate(
        &self,
        id: Uuid,
        version: i64,
        currency: &str,
    ) -> Result<Project, Vec<FieldError>> {
        let mut v = Validation::new();
        let key = match ProjectKey::parse(&self.key) {
            Some(k) => k.0,
            None => {
                v.add("key", "must look like PRJ-042: 1–10 letters or digits starting with a letter, a dash, 1–6 digits");
                self.key.trim().to_owned()
            }
        };
        let name = v.text("name", &self.name, limits::NAME);
        let description = v.opt_text(
            "description",
            self.description.as_deref(),
            limits::DESCRIPTION,
        );
        let portfolio_id = self.portfolio_id.unwrap_or_else(|| {
            v.add(
                "portfolio_id",
                "is required: a project belongs to a portfolio",
            );
            Uuid::nil()
        });
        let phase = Phase::parse(self.phase.trim()).unwrap_or_else(|| {
            v.add("phase", "must be one of initiating, planning, executing, closing, closed, on_hold, cancelled");
            Phase::Initiating
        });
        let planned_start = parse_date(&mut v, "planned_start", self.planned_start.as_deref());
        let planned_finish = parse_date(&mut v, "planned_finish", self.planned_finish.as_deref());
        if let (Some(s), Some(f)) = (planned_start, planned_finish)
            && f < s
        {
            v.add("planned_finish", "must not be before the planned start");
        }
        let budget = match self
            .budget
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Minor(0),
            Some(raw) => match Minor::parse_decimal(raw) {
                Some(m) if m.0 < 0 => {
                    v.add("budget", "must not be negative");
                    m
                }
                Some(m) => m,
                None => {
                    v.add(
                        "budget",
                        "must be an amount such as 250000 or 250000.50 (at most 10^13)",
                    );
                    Minor(0)
                }
            },
        };
        let status = Rag::parse(self.status.trim()).unwrap_or_else(|| {
            v.add("status", "must be green, amber or red");
            Rag::Green
        });
        let status_note = v.opt_text("status_note", self.status_note.as_deref(), limits::NOTE);
        v.finish(Project {
            id,
            key,
            name,
            description,
            portfolio_id,
            program_id: self.program_id,
            sponsor_id: self.sponsor_id,
            manager_id: self.manager_id,
            phase,
            planned_start,
            planned_finish,
            budget,
            currency: currency.to_owned(),
            status,
            status_note,
            archived: false,
            version,
        })
    }

    pub fn from_project(p: &Project) -> Self {
        Self {
            key: p.key.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            portfolio_id: Some(p.portfolio_id),
            program_id: p.program_id,
            sponsor_id: p.sponsor_id,
            manager_id: p.manager_id,
            phase: p.phase.as_str().to_owned(),
            planned_start: p.planned_start.map(|d| d.to_string()),
            planned_finish: p.planned_finish.map(|d| d.to_string()),
            budget: Some(p.budget.plain()),
            status: p.status.as_str().to_owned(),
            status_note: p.status_note.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ProjectDraft {
        ProjectDraft {
            key: "prj-042".into(),
            name: "CRM replacement".into(),
            portfolio_id: Some(Uuid::from_u128(1)),
            phase: "planning".into(),
            planned_start: Some("2026-01-05".into()),
            planned_finish: Some("2026-06-30".into()),
            budget: Some("250,000".into()),
            status: "green".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_project() {
        let p = draft().validate(Uuid::nil(), 1, "EUR").unwrap();
        assert_eq!(p.key, "PRJ-042");
        assert_eq!(p.budget, Minor(25_000_000));
    }

    #[test]
    fn every_bad_field_is_named() {
        let d = ProjectDraft {
            key: "042".into(),
            name: "x".repeat(201),
            portfolio_id: None,
            phase: "done".into(),
            planned_start: Some("2026-13-01".into()),
            planned_finish: None,
            budget: Some("-5".into()),
            status: "blue".into(),
            ..Default::default()
        };
        let errs = d.validate(Uuid::nil(), 1, "EUR").unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "key",
            "name",
            "portfolio_id",
            "phase",
            "planned_start",
            "budget",
            "status",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
    }

    #[test]
    fn finish_before_start_refused() {
        let mut d = draft();
        d.planned_finish = Some("2025-01-01".into());
        assert_eq!(
            d.validate(Uuid::nil(), 1, "EUR").unwrap_err()[0].field,
            "planned_finish"
        );
    }

    #[test]
    fn project_keys() {
        assert!(ProjectKey::parse("PRJ-042").is_some());
        assert!(ProjectKey::parse("A1-1").is_some());
        assert!(ProjectKey::parse("PRJ042").is_none());
        assert!(ProjectKey::parse("PRJ-1234567").is_none());
        assert!(ProjectKey::parse("-1").is_none());
    }
}
