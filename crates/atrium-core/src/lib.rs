//! Atrium's domain: the PMO's records and the rules on them, one module per PMO area.
//!
//! Pure: no I/O, no async, no clock (today is an argument). Inputs are parsed into
//! validated types here ("parse, don't validate"); every rule that does not need the
//! database lives here so that the API, the web forms and the CLI share it.

pub mod identity;
pub mod money;
pub mod org;
pub mod portfolio;
pub mod program;
pub mod project;
pub mod resource;
pub mod strategy;
pub mod validation;

pub use validation::{FieldError, Validation};
