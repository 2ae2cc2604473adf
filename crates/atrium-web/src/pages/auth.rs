//! Sign-in and sign-out pages.

use crate::AppState;
use crate::extract::{FormData, PRE_CSRF_COOKIE, SESSION_COOKIE, constant_eq, cookie};
use askama::Template;
use atrium_app::AppError;
use atrium_app::auth::SESSION_SECS;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, extract::Request};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    email: String,
    error: String,
}

#[derive(Deserialize)]
struct NextQ {
    next: Option<String>,
}

fn safe_next(n: &str) -> String {
    if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') {
        n.to_owned()
    } else {
        "/".to_owned()
    }
}

/// The login form uses a pre-session double-submit cookie against login CSRF.
fn login_form(next: &str, email: &str, error: &str, status: StatusCode) -> Response {
    let csrf = atrium_app::auth::new_secret().unwrap_or_default();
    let page = LoginPage {
        csrf: csrf.clone(),
        next: safe_next(next),
        email: email.to_owned(),
        error: error.to_owned(),
    };
    let mut r = crate::views::render(&page);
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{PRE_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn login_page(Query(q): Query<NextQ>) -> Response {
    login_form(q.next.as_deref().unwrap_or("/"), "", "", StatusCode::OK)
}

async fn login(State(s): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let pre = cookie(&parts, PRE_CSRF_COOKIE).unwrap_or("").to_owned();
    let f = match <FormData as axum::extract::FromRequest<AppState>>::from_request(
        Request::from_parts(parts, body),
        &s,
    )
    .await
    {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (email, next) = (f.get("email"), f.get("next"));
    if pre.is_empty() || !constant_eq(&pre, &f.get("_csrf")) {
        return login_form(
            &next,
            &email,
            "Your sign-in form expired. Please try again.",
            StatusCode::FORBIDDEN,
        );
    }
    match s.app.login(&email, &f.get("password")).await {
        Ok((secret, _csrf)) => {
            let mut r = Redirect::to(&safe_next(&next)).into_response();
            let c = format!(
                "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_SECS}"
            );
            if let Ok(v) = HeaderValue::from_str(&c) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(AppError::BadCredentials) => login_form(
            &next,
            &email,
            "E-mail or password is wrong.",
            StatusCode::UNAUTHORIZED,
        ),
        Err(AppError::TooManyAttempts { .. }) => login_form(
            &next,
            &email,
            "Too many failed attempts for this e-mail. Try again in 15 minutes.",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(e) => crate::views::app_error_page(e),
    }
}

async fn logout(State(s): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let secret = cookie(&parts, SESSION_COOKIE).map(str::to_owned);
    let f = match <FormData as axum::extract::FromRequest<AppState>>::from_request(
        Request::from_parts(parts, body),
        &s,
    )
    .await
    {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Some(secret) = secret {
        // Only a form carrying this session's CSRF token may end it.
        if let Ok(actor) = s.app.session_actor(&secret).await
            && constant_eq(&f.get("_csrf"), &actor.csrf)
            && let Err(e) = s.app.logout(&secret).await
        {
            return crate::views::app_error_page(e);
        }
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("atrium_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    r
}
