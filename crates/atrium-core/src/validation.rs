//! Field-level validation errors shared by every input type, so the API (problem+json
//! `errors`) and the HTML forms (message beside the field) report the same thing.

use serde::Serialize;

/// One invalid field and why, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Collects every field error of one input before failing, so a form shows them all at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Validation {
    errors: Vec<FieldError>,
}

impl Validation {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Ok(value) when no error was recorded.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }

    /// A required, trimmed text of at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.add(field, "is required");
        } else {
            self.check_len(field, v, max);
        }
        v.to_owned()
    }

    /// An optional trimmed text of at most `max` characters; empty becomes `None`.
    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.check_len(field, v, max);
        Some(v.to_owned())
    }

    fn check_len(&mut self, field: &str, v: &str, max: usize) {
        let n = v.chars().count();
        if n > max {
            self.add(field, format!("must be at most {max} characters (got {n})"));
        }
        if v.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            self.add(field, "must not contain control characters");
        }
    }
}

/// Maximum lengths, in one place so the database, the API schema and the forms agree.
pub mod limits {
    pub const NAME: usize = 200;
    pub const DESCRIPTION: usize = 10_000;
    pub const NOTE: usize = 2_000;
    pub const EMAIL: usize = 254;
    pub const KEY: usize = 20;
    pub const SHORT: usize = 100;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_all_errors() {
        let mut v = Validation::new();
        v.text("name", "  ", 10);
        v.text("code", "abcdefghijklmnop", 10);
        let errs = v.finish(()).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].field, "name");
        assert!(errs[1].message.contains("at most 10"));
    }

    #[test]
    fn opt_text_empty_is_none() {
        let mut v = Validation::new();
        assert_eq!(v.opt_text("x", Some("   "), 5), None);
        assert_eq!(v.opt_text("x", Some(" ab "), 5), Some("ab".into()));
        assert!(v.is_empty());
    }

    #[test]
    fn rejects_control_characters() {
        let mut v = Validation::new();
        v.text("name", "a\u{0}b", 10);
        assert!(!v.is_empty());
    }
}
