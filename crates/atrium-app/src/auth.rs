//! Identity: password hashing (argon2id), login with throttling, web sessions with CSRF
//! tokens, API bearer tokens, and resolving a request's credentials to an [`Actor`].

use crate::App;
use crate::error::{AppError, Result};
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use atrium_core::identity::{Email, Grant};
use atrium_store::identity;
use base64::Engine;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The authenticated caller of a use case.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub grants: Vec<Grant>,
    /// The session's CSRF token (empty for API tokens, which are not cookies).
    pub csrf: String,
}

impl Actor {
    pub fn roles(&self) -> Vec<atrium_core::identity::Role> {
        let mut r: Vec<_> = self.grants.iter().map(|g| g.role).collect();
        r.sort();
        r.dedup();
        r
    }
}

/// How long a web session lives.
pub const SESSION_SECS: i64 = 12 * 3600;
/// How long an API token lives.
pub const TOKEN_SECS: i64 = 30 * 24 * 3600;
/// Failed logins allowed per e-mail within [`THROTTLE_WINDOW_SECS`].
pub const MAX_FAILURES: i64 = 5;
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;

/// A fresh random secret: 32 bytes, URL-safe base64.
pub fn new_secret() -> Result<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("random: {e}").into()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// What is stored for a secret: its SHA-256, so a database leak does not leak live secrets.
pub fn secret_hash(secret: &str) -> String {
    let d = Sha256::digest(secret.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with argon2id (OWASP parameters), off the async threads.
pub async fn hash_password(password: &str) -> Result<String> {
    let p = password.to_owned();
    tokio::task::spawn_blocking(move || {
        argon2::Argon2::default()
            .hash_password(p.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(Box::new(e)))?
    .map_err(|e| AppError::Internal(e.into()))
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (p, h) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || match PasswordHash::new(&h) {
        Ok(parsed) => argon2::Argon2::default()
            .verify_password(p.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// A valid argon2id hash of a random password, verified against when the e-mail is
/// unknown so that response times do not reveal which accounts exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Gk6wXAbq8y4oJ6h2n2vZ9i5I0QJm4cS0s1xkq6r2mE";

impl App {
    /// Checks e-mail and password, with throttling per e-mail address; returns the user id.
    pub async fn check_credentials(&self, email: &str, password: &str) -> Result<Uuid> {
        let now = self.now_micros();
        let email = Email::parse(email).map_err(|_| AppError::BadCredentials)?;
        let since = now - THROTTLE_WINDOW_SECS * 1_000_000;
        if identity::login_failures_since(&self.db, email.as_str(), since).await? >= MAX_FAILURES {
            return Err(AppError::TooManyAttempts {
                retry_after_secs: THROTTLE_WINDOW_SECS as u64,
            });
        }
        let user = identity::user_by_email(&self.db, email.as_str()).await?;
        let ok = match &user {
            Some(u) => verify_password(password, &u.password_hash).await && !u.disabled,
            None => {
                verify_password(password, DUMMY_HASH).await;
                false
            }
        };
        match user {
            Some(u) if ok => {
                identity::clear_login_failures(&self.db, email.as_str()).await?;
                Ok(u.id)
            }
            _ => {
                identity::record_login_failure(&self.db, email.as_str(), now).await?;
                tracing::info!(target: "atrium::auth", "failed login");
                Err(AppError::BadCredentials)
            }
        }
    }

    /// Logs in for the web: returns (session secret for the cookie, CSRF token).
    pub async fn login(&self, email: &str, password: &str) -> Result<(String, String)> {
        let user = self.check_credentials(email, password).await?;
        let (secret, csrf) = (new_secret()?, new_secret()?);
        let now = self.now_micros();
        let mut tx = self.db.begin().await?;
        identity::insert_session(
            &mut tx,
            &secret_hash(&secret),
            user,
            &csrf,
            now,
            now + SESSION_SECS * 1_000_000,
        )
        .await?;
        tx.commit().await?;
        Ok((secret, csrf))
    }

    pub async fn logout(&self, session_secret: &str) -> Result<()> {
        let mut tx = self.db.begin().await?;
        identity::delete_session(&mut tx, &secret_hash(session_secret)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues an API token: (token, expiry as RFC 3339).
    pub async fn issue_token(&self, email: &str, password: &str) -> Result<(String, String)> {
        let user = self.check_credentials(email, password).await?;
        let token = new_secret()?;
        let now = self.now_micros();
        let expires = now + TOKEN_SECS * 1_000_000;
        let mut tx = self.db.begin().await?;
        identity::insert_token(&mut tx, &secret_hash(&token), user, now, expires).await?;
        tx.commit().await?;
        Ok((token, atrium_store::from_micros(expires).to_string()))
    }

    fn actor_from(&self, found: Option<identity::Authenticated>) -> Result<Actor> {
        let a = found.ok_or(AppError::Unauthenticated)?;
        Ok(Actor {
            user_id: a.id,
            email: a.email,
            name: a.name,
            grants: a.grants,
            csrf: a.csrf_token,
        })
    }

    /// The actor behind a session cookie (disabled users and expired sessions fail).
    pub async fn session_actor(&self, secret: &str) -> Result<Actor> {
        let found =
            identity::session_user(&self.db, &secret_hash(secret), self.now_micros()).await?;
        self.actor_from(found)
    }

    /// The actor behind a bearer token.
    pub async fn token_actor(&self, token: &str) -> Result<Actor> {
        let found = identity::token_user(&self.db, &secret_hash(token), self.now_micros()).await?;
        self.actor_from(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dummy_hash_parses() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(secret_hash("x").len(), 64);
    }
}
