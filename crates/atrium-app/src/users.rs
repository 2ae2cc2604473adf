//! User administration: add users with role grants, list them, set passwords, disable.
//! Used by the `atrium user` CLI (as the system actor) and the admin API/pages.

use crate::permissions::{Action, authorize};
use crate::{Actor, App, AppError, Result, audit, auth};
use atrium_core::identity::{Email, Grant, GrantSpec, Placement, Scope, check_password};
use atrium_core::validation::{Validation, limits};
use atrium_store::{identity, portfolio, project};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub disabled: bool,
    pub grants: Vec<Grant>,
}

impl App {
    /// Resolves `role:KEY` scopes to ids.
    pub async fn resolve_grant(&self, spec: &GrantSpec) -> Result<Grant> {
        let scope = match &spec.scope {
            None => Scope::Organization,
            Some((kind, key)) => {
                let key = key.to_ascii_uppercase();
                let pf = || portfolio::portfolio_id_by_key(&self.db, &key);
                let pg = || portfolio::program_id_by_key(&self.db, &key);
                let pr = || project::id_by_key(&self.db, &key);
                let found = match kind.as_str() {
                    "portfolio" => pf().await?.map(Scope::Portfolio),
                    "program" => pg().await?.map(Scope::Program),
                    "project" => pr().await?.map(Scope::Project),
                    _ => match pr().await? {
                        Some(id) => Some(Scope::Project(id)),
                        None => match pg().await? {
                            Some(id) => Some(Scope::Program(id)),
                            None => pf().await?.map(Scope::Portfolio),
                        },
                    },
                };
                found.ok_or_else(|| {
                    AppError::field(
                        "role",
                        format!("no portfolio, program or project has the key {key}"),
                    )
                })?
            }
        };
        Ok(Grant {
            role: spec.role,
            scope,
        })
    }

    /// Adds a user with the given grants (role specs such as `project_manager:PRJ-042`).
    pub async fn add_user(
        &self,
        actor: &Actor,
        email: &str,
        name: &str,
        password: &str,
        roles: &[String],
    ) -> Result<UserView> {
        authorize(
            actor,
            Action::ManageUsers,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let mut v = Validation::new();
        let email = match Email::parse(email) {
            Ok(e) => e,
            Err(m) => {
                v.add("email", m);
                Email::parse("invalid@invalid.invalid").unwrap_or_else(|_| unreachable!())
            }
        };
        let name = v.text("name", name, limits::NAME);
        if let Err(m) = check_password(password) {
            v.add("password", m);
        }
        let mut specs = Vec::new();
        for r in roles {
            match GrantSpec::parse(r) {
                Ok(s) => specs.push(s),
                Err(m) => v.add("role", m),
            }
        }
        v.finish(())?;
        let mut grants = Vec::new();
        for s in &specs {
            grants.push(self.resolve_grant(s).await?);
        }
        let hash = auth::hash_password(password).await?;
        let user = identity::UserRow {
            id: Uuid::now_v7(),
            email: email.as_str().to_owned(),
            name,
            password_hash: hash,
            disabled: false,
            version: 1,
        };
        let mut tx = self.db.begin().await?;
        identity::insert_user(&mut tx, &user, self.now_micros())
            .await
            .map_err(|e| match e {
                atrium_store::StoreError::Unique(_) => {
                    AppError::field("email", "is already used by another user")
                }
                other => other.into(),
            })?;
        for g in &grants {
            identity::add_grant(&mut tx, user.id, g).await?;
        }
        let view = UserView {
            id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
            disabled: false,
            grants,
        };
        audit::<(), _>(&mut tx, actor, "user", user.id, "create", None, Some(&view)).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Grants more roles to an existing user.
    pub async fn grant_roles(
        &self,
        actor: &Actor,
        email: &str,
        roles: &[String],
    ) -> Result<UserView> {
        authorize(
            actor,
            Action::ManageUsers,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
        let mut grants = Vec::new();
        for r in roles {
            grants.push(
                self.resolve_grant(&GrantSpec::parse(r).map_err(|m| AppError::field("role", m))?)
                    .await?,
            );
        }
        let mut tx = self.db.begin().await?;
        let u = identity::user_by_email_tx(&mut tx, email.as_str())
            .await?
            .ok_or(AppError::NotFound("user"))?;
        for g in &grants {
            identity::add_grant(&mut tx, u.id, g).await?;
        }
        audit::<(), _>(&mut tx, actor, "user", u.id, "grant", None, Some(&grants)).await?;
        tx.commit().await?;
        self.user_view(u.id).await
    }

    async fn user_view(&self, id: Uuid) -> Result<UserView> {
        let u = identity::user_by_id(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let grants = identity::grants_of(&self.db, id).await?;
        Ok(UserView {
            id: u.id,
            email: u.email,
            name: u.name,
            disabled: u.disabled,
            grants,
        })
    }

    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<UserView>> {
        authorize(
            actor,
            Action::ReadUsers,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let users = identity::list_users(&self.db).await?;
        let grants = identity::all_grants(&self.db).await?;
        Ok(users
            .into_iter()
            .map(|u| UserView {
                grants: grants
                    .iter()
                    .filter(|(id, _)| *id == u.id)
                    .map(|(_, g)| *g)
                    .collect(),
                id: u.id,
                email: u.email,
                name: u.name,
                disabled: u.disabled,
            })
            .collect())
    }

    pub async fn set_password(&self, actor: &Actor, email: &str, password: &str) -> Result<()> {
        authorize(
            actor,
            Action::ManageUsers,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        check_password(password).map_err(|m| AppError::field("password", m))?;
        let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
        let hash = auth::hash_password(password).await?;
        let mut tx = self.db.begin().await?;
        let u = identity::user_by_email_tx(&mut tx, email.as_str())
            .await?
            .ok_or(AppError::NotFound("user"))?;
        identity::set_password(&mut tx, u.id, &hash).await?;
        audit::<(), ()>(&mut tx, actor, "user", u.id, "set_password", None, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables (or re-enables) a user; a disabled user's sessions and tokens end at once.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        email: &str,
        disabled: bool,
    ) -> Result<()> {
        authorize(
            actor,
            Action::ManageUsers,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
        let mut tx = self.db.begin().await?;
        let u = identity::user_by_email_tx(&mut tx, email.as_str())
            .await?
            .ok_or(AppError::NotFound("user"))?;
        identity::set_disabled(&mut tx, u.id, disabled).await?;
        let action = if disabled { "disable" } else { "enable" };
        audit::<(), ()>(&mut tx, actor, "user", u.id, action, None, None).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn user_count(&self) -> Result<i64> {
        Ok(identity::count_users(&self.db).await?)
    }
}
