//! Portfolios, programs, projects and people: create, read, list, update (optimistic
//! concurrency), archive — each authorized, transactional and audited.

use crate::permissions::{Action, authorize, visibility};
use crate::{Actor, App, AppError, Result, audit};
use atrium_core::identity::Placement;
use atrium_core::portfolio::{Portfolio, PortfolioDraft};
use atrium_core::program::{Program, ProgramDraft};
use atrium_core::project::{Project, ProjectDraft};
use atrium_core::resource::{Person, PersonDraft};
use atrium_store::{Page, StoreError, Tx, people, portfolio, project};
use uuid::Uuid;

/// Maps store outcomes of a write onto user-facing errors: a stale version becomes 409,
/// a unique violation a message on `field`, a missing reference a message on `fk_field`.
pub(crate) fn map_write(
    e: StoreError,
    current: i64,
    field: &str,
    what: &str,
    fk_field: &str,
) -> AppError {
    match e {
        StoreError::Stale => AppError::Stale { current },
        StoreError::Unique(_) => {
            AppError::field(field, format!("is already used by another {what}"))
        }
        StoreError::ForeignKey => {
            AppError::field(fk_field, "refers to a record that does not exist")
        }
        other => other.into(),
    }
}

pub(crate) fn check_version(current: i64, expected: i64) -> Result<()> {
    if current == expected {
        Ok(())
    } else {
        Err(AppError::Stale { current })
    }
}

/// A page of records plus the offset of the next page.
pub type Listed<T> = (Vec<T>, Option<i64>);

pub fn placement_of(p: &Project) -> Placement {
    Placement {
        portfolio: Some(p.portfolio_id),
        program: p.program_id,
        project: Some(p.id),
    }
}

impl App {
    // ----- portfolios -----

    pub async fn list_portfolios(
        &self,
        actor: &Actor,
        q: Option<&str>,
        archived: bool,
        sort: &str,
        desc: bool,
        page: Page,
    ) -> Result<Listed<Portfolio>> {
        Ok(
            portfolio::list_portfolios(&self.db, q, archived, &visibility(actor), sort, desc, page)
                .await?,
        )
    }

    pub async fn get_portfolio(&self, actor: &Actor, id: Uuid) -> Result<Portfolio> {
        let p = portfolio::get_portfolio(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("portfolio"))?;
        let at = Placement {
            portfolio: Some(id),
            ..Default::default()
        };
        if !matches!(visibility(actor), atrium_store::project::Visibility::All) {
            // Readers scoped below the portfolio see it if any of their records lies in it.
            let (found, _) = portfolio::list_portfolios(
                &self.db,
                None,
                true,
                &visibility(actor),
                "key",
                false,
                Page::first(500),
            )
            .await?;
            if !found.iter().any(|f| f.id == id) {
                authorize(actor, Action::ReadRecords, &at, self.mode().await?)?;
            }
        }
        Ok(p)
    }

    pub async fn create_portfolio(&self, actor: &Actor, d: &PortfolioDraft) -> Result<Portfolio> {
        authorize(
            actor,
            Action::CreatePortfolio,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let p = d.validate(Uuid::now_v7(), 1)?;
        let mut tx = self.db.begin().await?;
        portfolio::insert_portfolio(&mut tx, &p, self.now_micros())
            .await
            .map_err(|e| map_write(e, 0, "key", "portfolio", "owner_id"))?;
        audit::<(), _>(&mut tx, actor, "portfolio", p.id, "create", None, Some(&p)).await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn update_portfolio(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &PortfolioDraft,
        expected: i64,
    ) -> Result<Portfolio> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = portfolio::get_portfolio_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("portfolio"))?;
        authorize(
            actor,
            Action::UpdatePortfolio,
            &Placement {
                portfolio: Some(id),
                ..Default::default()
            },
            mode,
        )?;
        check_version(before.version, expected)?;
        let mut after = d.validate(id, expected + 1)?;
        after.archived = before.archived;
        portfolio::update_portfolio(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "key", "portfolio", "owner_id"))?;
        audit(
            &mut tx,
            actor,
            "portfolio",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn archive_portfolio(
        &self,
        actor: &Actor,
        id: Uuid,
        expected: i64,
    ) -> Result<Portfolio> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = portfolio::get_portfolio_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("portfolio"))?;
        authorize(
            actor,
            Action::ArchivePortfolio,
            &Placement {
                portfolio: Some(id),
                ..Default::default()
            },
            mode,
        )?;
        check_version(before.version, expected)?;
        let after = Portfolio {
            archived: true,
            version: expected + 1,
            ..before.clone()
        };
        portfolio::update_portfolio(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "key", "portfolio", "owner_id"))?;
        audit(
            &mut tx,
            actor,
            "portfolio",
            id,
            "archive",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- programs -----

    #[allow(clippy::too_many_arguments)]
    pub async fn list_programs(
        &self,
        actor: &Actor,
        q: Option<&str>,
        portfolio_id: Option<Uuid>,
        archived: bool,
        sort: &str,
        desc: bool,
        page: Page,
    ) -> Result<Listed<Program>> {
        Ok(portfolio::list_programs(
            &self.db,
            q,
            portfolio_id,
            archived,
            &visibility(actor),
            sort,
            desc,
            page,
        )
        .await?)
    }

    pub async fn get_program(&self, actor: &Actor, id: Uuid) -> Result<Program> {
        let p = portfolio::get_program(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("program"))?;
        if !matches!(visibility(actor), atrium_store::project::Visibility::All) {
            let (found, _) = portfolio::list_programs(
                &self.db,
                None,
                Some(p.portfolio_id),
                true,
                &visibility(actor),
                "key",
                false,
                Page::first(500),
            )
            .await?;
            if !found.iter().any(|f| f.id == id) {
                return Err(AppError::Forbidden);
            }
        }
        Ok(p)
    }

    async fn check_program_parent(&self, tx: &mut Tx, d: &ProgramDraft) -> Result<()> {
        if let Some(pf) = d.portfolio_id
            && portfolio::get_portfolio_tx(tx, pf).await?.is_none()
        {
            return Err(AppError::field(
                "portfolio_id",
                "refers to a portfolio that does not exist",
            ));
        }
        Ok(())
    }

    pub async fn create_program(&self, actor: &Actor, d: &ProgramDraft) -> Result<Program> {
        let p = d.validate(Uuid::now_v7(), 1)?;
        authorize(
            actor,
            Action::CreateProgram,
            &Placement {
                portfolio: Some(p.portfolio_id),
                ..Default::default()
            },
            self.mode().await?,
        )?;
        let mut tx = self.db.begin().await?;
        self.check_program_parent(&mut tx, d).await?;
        portfolio::insert_program(&mut tx, &p, self.now_micros())
            .await
            .map_err(|e| map_write(e, 0, "key", "program", "manager_id"))?;
        audit::<(), _>(&mut tx, actor, "program", p.id, "create", None, Some(&p)).await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn update_program(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &ProgramDraft,
        expected: i64,
    ) -> Result<Program> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = portfolio::get_program_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("program"))?;
        let at = Placement {
            portfolio: Some(before.portfolio_id),
            program: Some(id),
            project: None,
        };
        authorize(actor, Action::UpdateProgram, &at, mode)?;
        check_version(before.version, expected)?;
        let mut after = d.validate(id, expected + 1)?;
        after.archived = before.archived;
        if after.portfolio_id != before.portfolio_id {
            authorize(
                actor,
                Action::UpdateProgram,
                &Placement {
                    portfolio: Some(after.portfolio_id),
                    program: Some(id),
                    project: None,
                },
                mode,
            )?;
            self.check_program_parent(&mut tx, d).await?;
        }
        portfolio::update_program(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "key", "program", "manager_id"))?;
        audit(
            &mut tx,
            actor,
            "program",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn archive_program(&self, actor: &Actor, id: Uuid, expected: i64) -> Result<Program> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = portfolio::get_program_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("program"))?;
        authorize(
            actor,
            Action::ArchiveProgram,
            &Placement {
                portfolio: Some(before.portfolio_id),
                program: Some(id),
                project: None,
            },
            mode,
        )?;
        check_version(before.version, expected)?;
        let after = Program {
            archived: true,
            version: expected + 1,
            ..before.clone()
        };
        portfolio::update_program(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "key", "program", "manager_id"))?;
        audit(
            &mut tx,
            actor,
            "program",
            id,
            "archive",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- projects -----

    pub async fn list_projects(
        &self,
        actor: &Actor,
        f: &project::Filter,
        sort: &str,
        desc: bool,
        page: Page,
    ) -> Result<Listed<Project>> {
        Ok(project::list(&self.db, f, &visibility(actor), sort, desc, page).await?)
    }

    pub async fn get_project(&self, actor: &Actor, id: Uuid) -> Result<Project> {
        let p = project::get(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(
            actor,
            Action::ReadRecords,
            &placement_of(&p),
            self.mode().await?,
        )?;
        Ok(p)
    }

    /// Checks that the program (if any) belongs to the portfolio.
    async fn check_project_parent(&self, tx: &mut Tx, p: &Project) -> Result<()> {
        if portfolio::get_portfolio_tx(tx, p.portfolio_id)
            .await?
            .is_none()
        {
            return Err(AppError::field(
                "portfolio_id",
                "refers to a portfolio that does not exist",
            ));
        }
        if let Some(pg) = p.program_id {
            match portfolio::get_program_tx(tx, pg).await? {
                None => {
                    return Err(AppError::field(
                        "program_id",
                        "refers to a program that does not exist",
                    ));
                }
                Some(g) if g.portfolio_id != p.portfolio_id => {
                    return Err(AppError::field(
                        "program_id",
                        "belongs to another portfolio",
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    pub async fn create_project(&self, actor: &Actor, d: &ProjectDraft) -> Result<Project> {
        let mut tx = self.db.begin().await?;
        let p = self.create_project_tx(&mut tx, actor, d).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// [`App::create_project`] inside the caller's transaction.
    pub(crate) async fn create_project_tx(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        d: &ProjectDraft,
    ) -> Result<Project> {
        let s = self.settings().await?;
        let p = d.validate(Uuid::now_v7(), 1, s.currency.as_str())?;
        let at = Placement {
            portfolio: Some(p.portfolio_id),
            program: p.program_id,
            project: None,
        };
        authorize(actor, Action::CreateProject, &at, s.operating_mode)?;
        if p.manager_id.is_some() {
            authorize(actor, Action::AssignProjectManager, &at, s.operating_mode)?;
        }
        self.check_project_parent(tx, &p).await?;
        project::insert(tx, &p, self.now_micros())
            .await
            .map_err(|e| map_write(e, 0, "key", "project", "manager_id"))?;
        audit::<(), _>(tx, actor, "project", p.id, "create", None, Some(&p)).await?;
        Ok(p)
    }

    pub async fn update_project(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &ProjectDraft,
        expected: i64,
    ) -> Result<Project> {
        let s = self.settings().await?;
        let mut tx = self.db.begin().await?;
        let before = project::get_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(
            actor,
            Action::UpdateProject,
            &placement_of(&before),
            s.operating_mode,
        )?;
        check_version(before.version, expected)?;
        let mut after = d.validate(id, expected + 1, &before.currency)?;
        after.archived = before.archived;
        if (after.portfolio_id, after.program_id) != (before.portfolio_id, before.program_id) {
            authorize(
                actor,
                Action::UpdateProject,
                &placement_of(&after),
                s.operating_mode,
            )?;
            self.check_project_parent(&mut tx, &after).await?;
        }
        if after.manager_id != before.manager_id {
            authorize(
                actor,
                Action::AssignProjectManager,
                &placement_of(&after),
                s.operating_mode,
            )?;
        }
        if after.phase == atrium_core::project::Phase::Closed
            && before.phase != atrium_core::project::Phase::Closed
        {
            crate::delivery::check_can_close(&mut tx, id).await?;
        }
        project::update(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "key", "project", "manager_id"))?;
        audit(
            &mut tx,
            actor,
            "project",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn archive_project(&self, actor: &Actor, id: Uuid, expected: i64) -> Result<Project> {
        let mode = self.mode().await?;
        let mut tx = self.db.begin().await?;
        let before = project::get_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("project"))?;
        authorize(actor, Action::ArchiveProject, &placement_of(&before), mode)?;
        check_version(before.version, expected)?;
        let after = Project {
            archived: true,
            version: expected + 1,
            ..before.clone()
        };
        project::update(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "key", "project", "manager_id"))?;
        audit(
            &mut tx,
            actor,
            "project",
            id,
            "archive",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- people -----

    pub async fn list_people(
        &self,
        actor: &Actor,
        f: &people::Filter,
        sort: &str,
        desc: bool,
        page: Page,
    ) -> Result<Listed<Person>> {
        authorize(
            actor,
            Action::ReadPeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        Ok(people::list(&self.db, f, sort, desc, page).await?)
    }

    pub async fn get_person(&self, actor: &Actor, id: Uuid) -> Result<Person> {
        authorize(
            actor,
            Action::ReadPeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        people::get(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("person"))
    }

    pub async fn create_person(&self, actor: &Actor, d: &PersonDraft) -> Result<Person> {
        authorize(
            actor,
            Action::ManagePeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let d = self.resolve_line_manager(d).await?;
        let p = d.validate(Uuid::now_v7(), 1)?;
        let mut tx = self.db.begin().await?;
        people::insert(&mut tx, &p, self.now_micros())
            .await
            .map_err(|e| map_write(e, 0, "email", "person", "user_id"))?;
        audit::<(), _>(&mut tx, actor, "person", p.id, "create", None, Some(&p)).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Turns a line manager given by e-mail into their id and checks the person exists.
    async fn resolve_line_manager(&self, d: &PersonDraft) -> Result<PersonDraft> {
        let raw = d.line_manager_id.trim();
        let mut d = d.clone();
        if raw.is_empty() {
            return Ok(d);
        }
        let id = if raw.contains('@') {
            people::id_by_email(&self.db, raw).await?
        } else {
            match raw.parse::<Uuid>() {
                Ok(id) => people::get(&self.db, id).await?.map(|p| p.id),
                Err(_) => None,
            }
        };
        match id {
            Some(id) => {
                d.line_manager_id = id.to_string();
                Ok(d)
            }
            None => Err(AppError::field(
                "line_manager_id",
                format!("no person in the pool has the e-mail or id `{raw}`"),
            )),
        }
    }

    pub async fn update_person(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &PersonDraft,
        expected: i64,
    ) -> Result<Person> {
        authorize(
            actor,
            Action::ManagePeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let before = people::get(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("person"))?;
        check_version(before.version, expected)?;
        let d = self.resolve_line_manager(d).await?;
        let mut after = d.validate(id, expected + 1)?;
        after.user_id = before.user_id;
        after.archived = before.archived;
        let mut tx = self.db.begin().await?;
        people::update(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "email", "person", "user_id"))?;
        audit(
            &mut tx,
            actor,
            "person",
            id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn archive_person(&self, actor: &Actor, id: Uuid, expected: i64) -> Result<Person> {
        authorize(
            actor,
            Action::ManagePeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let before = people::get(&self.db, id)
            .await?
            .ok_or(AppError::NotFound("person"))?;
        check_version(before.version, expected)?;
        let after = Person {
            archived: true,
            version: expected + 1,
            ..before.clone()
        };
        let mut tx = self.db.begin().await?;
        people::update(&mut tx, &after, self.now_micros())
            .await
            .map_err(|e| map_write(e, before.version, "email", "person", "user_id"))?;
        audit(
            &mut tx,
            actor,
            "person",
            id,
            "archive",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- audit -----

    pub async fn list_audit(
        &self,
        actor: &Actor,
        f: &atrium_store::audit::Filter,
        page: Page,
    ) -> Result<Listed<atrium_store::audit::AuditRow>> {
        authorize(
            actor,
            Action::ReadAudit,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        Ok(atrium_store::audit::list(&self.db, f, page).await?)
    }

    /// Names for labels and pickers: (portfolios, programs, users).
    pub async fn lookups(&self) -> Result<Lookups> {
        Ok(Lookups {
            portfolios: portfolio::portfolio_names(&self.db).await?,
            programs: portfolio::program_names(&self.db).await?,
            users: atrium_store::identity::user_names(&self.db).await?,
        })
    }
}

/// Id → label tables for rendering.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    pub portfolios: Vec<(Uuid, String, String)>,
    pub programs: Vec<(Uuid, String, String, Uuid)>,
    pub users: Vec<(Uuid, String)>,
}

impl Lookups {
    pub fn portfolio(&self, id: Uuid) -> String {
        self.portfolios
            .iter()
            .find(|p| p.0 == id)
            .map(|p| p.2.clone())
            .unwrap_or_default()
    }
    pub fn program(&self, id: Option<Uuid>) -> String {
        id.and_then(|id| self.programs.iter().find(|p| p.0 == id))
            .map(|p| p.2.clone())
            .unwrap_or_default()
    }
    pub fn user(&self, id: Option<Uuid>) -> String {
        id.and_then(|id| self.users.iter().find(|u| u.0 == id))
            .map(|u| u.1.clone())
            .unwrap_or_default()
    }
}

impl App {
    /// A person's rate changes, oldest first.
    pub async fn rate_changes(
        &self,
        actor: &Actor,
        person: Uuid,
    ) -> Result<Vec<atrium_core::resource::RateChange>> {
        self.get_person(actor, person).await?;
        Ok(people::rate_changes(&self.db, person)
            .await?
            .into_iter()
            .filter_map(|(d, r)| {
                Some(atrium_core::resource::RateChange {
                    from: d.parse().ok()?,
                    rate: atrium_core::money::Minor(r),
                })
            })
            .collect())
    }

    /// Sets a person's hourly rate from a date on (plans re-cost the work after it).
    pub async fn set_rate_change(
        &self,
        actor: &Actor,
        person: Uuid,
        d: &atrium_core::resource::RateChangeDraft,
    ) -> Result<atrium_core::resource::RateChange> {
        let change = d.validate().map_err(AppError::Validation)?;
        let p = self.get_person(actor, person).await?;
        authorize(
            actor,
            Action::ManagePeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let mut tx = self.db.begin().await?;
        people::put_rate_change(&mut tx, p.id, &change.from.to_string(), change.rate.0).await?;
        audit::<(), _>(
            &mut tx,
            actor,
            "person",
            p.id,
            "rate.set",
            None,
            Some(&change),
        )
        .await?;
        tx.commit().await?;
        Ok(change)
    }

    /// Removes the rate change of a date.
    pub async fn remove_rate_change(
        &self,
        actor: &Actor,
        person: Uuid,
        from: jiff::civil::Date,
    ) -> Result<()> {
        let p = self.get_person(actor, person).await?;
        authorize(
            actor,
            Action::ManagePeople,
            &Placement::ORGANIZATION,
            self.mode().await?,
        )?;
        let mut tx = self.db.begin().await?;
        if !people::delete_rate_change(&mut tx, p.id, &from.to_string()).await? {
            return Err(AppError::NotFound("rate change"));
        }
        audit::<_, ()>(
            &mut tx,
            actor,
            "person",
            p.id,
            "rate.remove",
            Some(&from),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
