//! Portfolios: the collections of programs and projects that are managed together for
//! strategic value (the portfolio manager's unit of decision).

use crate::validation::{FieldError, Validation, limits};
use serde::Serialize;
use uuid::Uuid;

/// A record key such as `DIGITAL` or `PGM-07`: upper-case letters, digits and dashes,
/// starting with a letter. Keys are how people and the CLI name records.
pub fn parse_code(v: &mut Validation, field: &str, raw: &str) -> String {
    let k = raw.trim().to_ascii_uppercase();
    let ok = (2..=limits::KEY).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_uppercase())
        && k.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        v.add(
            field,
            "must be 2–20 characters: letters, digits and dashes, starting with a letter",
        );
    }
    k
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Portfolio {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    pub archived: bool,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct PortfolioDraft {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
}

impl PortfolioDraft {
    pub fn validate(&self, id: Uuid, version: i64) -> Result<Portfolio, Vec<FieldError>> {
        let mut v = Validation::new();
        let key = parse_code(&mut v, "key", &self.key);
        let name = v.text("name", &self.name, limits::NAME);
        let description = v.opt_text(
            "description",
            self.description.as_deref(),
            limits::DESCRIPTION,
        );
        v.finish(Portfolio {
            id,
            key,
            name,
            description,
            owner_id: self.owner_id,
            archived: false,
            version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_normalized_and_checked() {
        let d = PortfolioDraft {
            key: " digital ".into(),
            name: "Digital".into(),
            ..Default::default()
        };
        assert_eq!(d.validate(Uuid::nil(), 1).unwrap().key, "DIGITAL");
        let d = PortfolioDraft {
            key: "1X".into(),
            name: "".into(),
            ..Default::default()
        };
        let errs = d.validate(Uuid::nil(), 1).unwrap_err();
        assert_eq!(errs.len(), 2);
    }
}
