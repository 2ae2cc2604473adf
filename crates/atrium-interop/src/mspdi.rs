//! MS Project XML (MSPDI) reading and writing: a plain data model, a streaming hardened
//! reader and a schema-ordered writer that MPXJ and MS Project read back.
//!
//! Entry points: [`parse`] / [`parse_with_limits`] (bytes in, [`Parsed`] out) and [`write`]
//! ([`Project`] in, bytes out). The model ([`Project`], [`Task`], [`Calendar`], ...) keeps
//! MSPDI's own units; see the `model` module docs. [`earned`] turns a project into the
//! inputs of the baseline and earned-value engines of `atrium-schedule`.

pub mod earned;
mod fast;
mod model;
mod names;
mod read;
mod recurrence;
mod write;

pub use model::*;

use std::fmt;

/// Upper bounds that keep a hostile file from taking the process down.
///
/// The defaults bound memory to a few hundred MB whatever the input: a task costs about
/// 550 bytes in the model against 25 bytes for the smallest `<Task>` a file can hold, so the
/// record caps, not the input size, are what limit amplification. They are far above real
/// plans (MS Project files rarely exceed tens of thousands of tasks); raise them with
/// [`parse_with_limits`] if needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Maximum input size in bytes.
    pub max_input_bytes: usize,
    /// Maximum element nesting depth (a real MSPDI file nests about 8 deep).
    pub max_depth: usize,
    /// Maximum length of one text node (after unescaping), in bytes.
    pub max_text_bytes: usize,
    /// Maximum total length of all stored text, in bytes.
    pub max_total_text_bytes: usize,
    pub max_tasks: usize,
    pub max_resources: usize,
    pub max_assignments: usize,
    pub max_calendars: usize,
    /// Maximum predecessor links over the whole file.
    pub max_links: usize,
    /// Maximum calendar exceptions plus work weeks over the whole file.
    pub max_exceptions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 512 * 1024 * 1024,
            max_depth: 64,
            max_text_bytes: 1024 * 1024,
            max_total_text_bytes: 64 * 1024 * 1024,
            max_tasks: 250_000,
            max_resources: 100_000,
            max_assignments: 1_000_000,
            max_calendars: 10_000,
            max_links: 2_000_000,
            max_exceptions: 200_000,
        }
    }
}

/// Where in the input something happened (1-based line and column, column in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a file was refused. Every variant renders as one clear line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MspdiError {
    #[error("malformed XML at {at}: {message}")]
    Xml { at: Position, message: String },
    #[error("refused at {at}: DOCTYPE and entity declarations are not allowed in MS Project XML")]
    Doctype { at: Position },
    #[error("refused at {at}: elements nested deeper than {limit}")]
    TooDeep { at: Position, limit: usize },
    #[error("refused at {at}: text of <{element}> longer than {limit} bytes")]
    TextTooLong {
        at: Position,
        element: String,
        limit: usize,
    },
    #[error("refused: input larger than {limit} bytes")]
    InputTooLarge { limit: usize },
    #[error("refused at {at}: more than {limit} bytes of text in total")]
    TotalTextTooLarge { at: Position, limit: usize },
    #[error("refused at {at}: more than {limit} {what}")]
    TooMany {
        at: Position,
        what: &'static str,
        limit: usize,
    },
    #[error("invalid value {value:?} in <{element}> at {at}: {reason}")]
    Value {
        at: Position,
        element: String,
        value: String,
        reason: &'static str,
    },
    #[error("not an MS Project XML file: root element is <{root}>, expected <Project>")]
    NotProject { root: String },
}

/// Something the reader skipped or repaired; the file was still read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// Elements the reader does not know, aggregated by name.
    UnknownElement {
        /// Parent path where the name was first seen, e.g. `Project/Tasks/Task`.
        parent: String,
        name: String,
        count: usize,
    },
    /// A recognized element whose value could not be used and was dropped.
    IgnoredValue {
        at: Position,
        element: String,
        value: String,
        reason: &'static str,
    },
    /// More warnings than the reader keeps; this many were dropped.
    Suppressed { count: usize },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UnknownElement {
                parent,
                name,
                count,
            } => write!(f, "skipped unknown element <{name}> in {parent} ({count}x)"),
            Warning::IgnoredValue {
                at,
                element,
                value,
                reason,
            } => write!(f, "ignored {value:?} in <{element}> at {at}: {reason}"),
            Warning::Suppressed { count } => write!(f, "{count} more warnings not shown"),
        }
    }
}

/// The result of reading a file: the project and what was skipped on the way.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    pub project: Project,
    pub warnings: Vec<Warning>,
}

/// Reads MSPDI bytes with the default [`Limits`].
///
/// ```
/// use atrium_interop::mspdi;
/// let xml = br#"<Project xmlns="http://schemas.microsoft.com/project">
///   <Tasks><Task><UID>1</UID><Name>Design</Name><Duration>PT16H0M0S</Duration></Task></Tasks>
/// </Project>"#;
/// let parsed = mspdi::parse(xml)?;
/// assert_eq!(parsed.project.tasks[0].duration, Some(960));
/// let again = mspdi::parse(&mspdi::write(&parsed.project))?;
/// assert_eq!(again.project.tasks, parsed.project.tasks);
/// # Ok::<(), mspdi::MspdiError>(())
/// ```
pub fn parse(xml: &[u8]) -> Result<Parsed, MspdiError> {
    parse_with_limits(xml, &Limits::default())
}

/// Reads MSPDI bytes, refusing anything beyond `limits`.
pub fn parse_with_limits(xml: &[u8], limits: &Limits) -> Result<Parsed, MspdiError> {
    read::parse(xml, limits)
}

/// Writes `project` as MSPDI (UTF-8, namespace `http://schemas.microsoft.com/project`,
/// elements in schema order, calendars before tasks).
pub fn write(project: &Project) -> Vec<u8> {
    write::write(project)
}
