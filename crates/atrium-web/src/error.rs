//! Errors as responses: RFC 9457 problem+json for the API, an error page for HTML. The
//! internal cause is logged with the request id and never sent.

use atrium_app::AppError;
use atrium_core::FieldError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A problem+json body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type (`about:blank` plus `code`).
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status: u16,
    pub title: String,
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`, `stale_version`, `forbidden`.
    pub code: &'static str,
    /// Field errors for `validation_failed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorDoc>)]
    pub errors: Vec<FieldError>,
}

/// One invalid field.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldErrorDoc {
    pub field: String,
    pub message: String,
}

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Stale { .. } => StatusCode::CONFLICT,
        AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An API error response.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<atrium_store::StoreError> for ApiError {
    fn from(e: atrium_store::StoreError) -> Self {
        ApiError(e.into())
    }
}

pub fn problem(
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
) -> Response {
    let body = Problem {
        kind: "about:blank",
        status: status.as_u16(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        detail,
        code,
        errors,
    };
    let mut r = (status, axum::Json(body)).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        if let AppError::Internal(cause) = &self.0 {
            tracing::error!(error = %cause, "internal error");
        }
        let code = self.0.code();
        let retry = match self.0 {
            AppError::TooManyAttempts { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        let (detail, errors) = match self.0 {
            AppError::Validation(errs) => {
                let d = errs
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                (d, errs)
            }
            ref other => (other.to_string(), vec![]),
        };
        let mut r = problem(status, code, detail, errors);
        if let Some(retry_after_secs) = retry
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

/// 404 for unknown paths: problem+json under /api, a page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        problem(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no route {}", uri.path()),
            vec![],
        )
    } else {
        crate::views::error_page(
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no page at this address.",
        )
    }
}
