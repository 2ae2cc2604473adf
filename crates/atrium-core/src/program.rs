//! Programs: related projects managed together for benefits no single project delivers.

use crate::portfolio::parse_code;
use crate::validation::{FieldError, Validation, limits};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Program {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub portfolio_id: Uuid,
    pub manager_id: Option<Uuid>,
    pub archived: bool,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct ProgramDraft {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub portfolio_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
}

impl ProgramDraft {
    pub fn validate(&self, id: Uuid, version: i64) -> Result<Program, Vec<FieldError>> {
        let mut v = Validation::new();
        let key = parse_code(&mut v, "key", &self.key);
        let name = v.text("name", &self.name, limits::NAME);
        let description = v.opt_text(
            "description",
            self.description.as_deref(),
            limits::DESCRIPTION,
        );
        let portfolio_id = self.portfolio_id.unwrap_or_else(|| {
            v.add(
                "portfolio_id",
                "is required: a program belongs to a portfolio",
            );
            Uuid::nil()
        });
        v.finish(Program {
            id,
            key,
            name,
            description,
            portfolio_id,
            manager_id: self.manager_id,
            archived: false,
            version,
        })
    }
}
