//! People in the resource pool: department, job role, cost rate, weekly capacity, skills.

use crate::money::Minor;
use crate::validation::{FieldError, Validation, limits};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skill {
    pub name: String,
    /// Proficiency 1 (aware) .. 5 (expert).
    pub level: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub department: String,
    pub job_role: String,
    /// Cost per hour in minor units.
    pub cost_rate: Minor,
    /// Hours per week, in minutes.
    pub weekly_capacity_minutes: i32,
    pub skills: Vec<Skill>,
    pub user_id: Option<Uuid>,
    pub archived: bool,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct PersonDraft {
    pub name: String,
    pub email: Option<String>,
    pub department: String,
    pub job_role: String,
    pub cost_rate: String,
    pub weekly_capacity_hours: String,
    /// `"Rust:4, SQL:3"` or one `name:level` per entry.
    pub skills: Vec<String>,
}

/// Parses `"Rust:4"` (level 1–5, default 3).
pub fn parse_skill(raw: &str) -> Result<Skill, String> {
    let (name, level) = match raw.rsplit_once(':') {
        Some((n, l)) => (
            n.trim(),
            l.trim()
                .parse::<u8>()
                .map_err(|_| format!("`{raw}`: level must be 1–5"))?,
        ),
        None => (raw.trim(), 3),
    };
    if name.is_empty() || name.chars().count() > limits::SHORT {
        return Err(format!("`{raw}`: a skill name is 1–100 characters"));
    }
    if !(1..=5).contains(&level) {
        return Err(format!("`{raw}`: level must be 1–5"));
    }
    Ok(Skill {
        name: name.to_owned(),
        level,
    })
}

impl PersonDraft {
    pub fn validate(&self, id: Uuid, version: i64) -> Result<Person, Vec<FieldError>> {
        let mut v = Validation::new();
        let name = v.text("name", &self.name, limits::NAME);
        let email = match self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(e) => match crate::identity::Email::parse(e) {
                Ok(e) => Some(e.as_str().to_owned()),
                Err(m) => {
                    v.add("email", m);
                    None
                }
            },
        };
        let department = v.text("department", &self.department, limits::SHORT);
        let job_role = v.text("job_role", &self.job_role, limits::SHORT);
        let cost_rate = match Minor::parse_decimal(&self.cost_rate) {
            Some(m) if m.0 >= 0 && m.0 <= 100_000_000 => m,
            _ => {
                v.add("cost_rate", "must be an hourly rate from 0 to 1,000,000");
                Minor(0)
            }
        };
        let weekly_capacity_minutes = match self.weekly_capacity_hours.trim().parse::<f64>() {
            Ok(h) if (0.0..=168.0).contains(&h) => (h * 60.0).round() as i32,
            _ => {
                v.add(
                    "weekly_capacity_hours",
                    "must be a number of hours from 0 to 168",
                );
                0
            }
        };
        let mut skills: Vec<Skill> = Vec::new();
        if self.skills.len() > 100 {
            v.add("skills", "at most 100 skills");
        }
        for raw in self
            .skills
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match parse_skill(raw) {
                Ok(s) if skills.iter().any(|k| k.name.eq_ignore_ascii_case(&s.name)) => {
                    v.add("skills", format!("`{}` is listed twice", s.name))
                }
                Ok(s) => skills.push(s),
                Err(m) => v.add("skills", m),
            }
        }
        v.finish(Person {
            id,
            name,
            email,
            department,
            job_role,
            cost_rate,
            weekly_capacity_minutes,
            skills,
            user_id: None,
            archived: false,
            version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_validation() {
        let d = PersonDraft {
            name: "Ana Silva".into(),
            department: "IT".into(),
            job_role: "Developer".into(),
            cost_rate: "85.50".into(),
            weekly_capacity_hours: "37.5".into(),
            skills: vec!["Rust:4, SQL".into()],
            ..Default::default()
        };
        let p = d.validate(Uuid::nil(), 1).unwrap();
        assert_eq!(p.weekly_capacity_minutes, 2250);
        assert_eq!(
            p.skills,
            vec![
                Skill {
                    name: "Rust".into(),
                    level: 4
                },
                Skill {
                    name: "SQL".into(),
                    level: 3
                }
            ]
        );
        let bad = PersonDraft {
            skills: vec!["Rust:9".into()],
            weekly_capacity_hours: "200".into(),
            ..d
        };
        let errs = bad.validate(Uuid::nil(), 1).unwrap_err();
        assert_eq!(errs.len(), 2);
    }
}

/// A change of a person's hourly cost rate from a date on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateChange {
    pub from: jiff::civil::Date,
    pub rate: Minor,
}

/// A rate change as typed.
#[derive(Debug, Clone, Default)]
pub struct RateChangeDraft {
    pub from: String,
    pub rate: String,
}

impl RateChangeDraft {
    pub fn validate(&self) -> Result<RateChange, Vec<FieldError>> {
        let mut v = crate::validation::Validation::new();
        let from = match self.from.trim().parse::<jiff::civil::Date>() {
            Ok(d) if (1900..=2200).contains(&d.year()) => Some(d),
            _ => {
                v.add("from", "must be a date like 2027-01-01");
                None
            }
        };
        let rate = match Minor::parse_decimal(&self.rate) {
            Some(m) if (0..=100_000_000).contains(&m.0) => m,
            _ => {
                v.add("rate", "must be an hourly rate from 0 to 1,000,000");
                Minor(0)
            }
        };
        v.finish(RateChange {
            from: from.unwrap_or(jiff::civil::Date::constant(2000, 1, 1)),
            rate,
        })
    }
}
