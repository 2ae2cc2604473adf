//! One error type for every use case, with a stable machine-readable code. Internal causes
//! are logged by the web layer and never shown to callers.

use atrium_core::FieldError;
use atrium_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("e-mail or password is wrong")]
    BadCredentials,
    #[error("too many failed logins; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("your roles do not allow this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the record was changed by someone else since you loaded it (version {current})")]
    Stale { current: i64 },
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// Stable code for API clients (documented in the OpenAPI description).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::BadCredentials => "bad_credentials",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::Forbidden => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Stale { .. } => "stale_version",
            AppError::Validation(_) => "validation_failed",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("record"),
            other => AppError::Internal(Box::new(other)),
        }
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(e: Vec<FieldError>) -> Self {
        AppError::Validation(e)
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
