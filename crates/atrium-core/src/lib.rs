//! Atrium's domain: the PMO's records and the rules on them, one module per PMO area.
//!
//! Pure: no I/O, no async, no clock (today is an argument). Inputs are parsed into
//! validated types here ("parse, don't validate"); every rule that does not need the
//! database lives here so that the API, the web forms and the CLI share it.

/// A string-backed enum with `ALL`, `as_str`, `label` and `parse` (serde in snake_case).
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal, $label:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),* } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),* } }
            pub fn parse(s: &str) -> Option<$name> { match s { $($s => Some($name::$variant),)* _ => None } }
        }
    };
}

pub mod capacity;
pub mod delivery;
pub mod identity;
pub mod money;
pub mod org;
pub mod plan;
pub mod portfolio;
pub mod program;
pub mod project;
pub mod resource;
pub mod risk;
pub mod risk_analytics;
pub mod strategy;
pub mod timesheet;
pub mod validation;

pub use validation::{FieldError, Validation};
