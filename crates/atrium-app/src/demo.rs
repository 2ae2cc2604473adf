//! The demo organization: a deterministic, believable PMO ("Northwind Holdings") with
//! portfolios, programs, projects, a resource pool with skills and one login per role, for
//! trying Atrium (`atrium demo`, `serve --demo`) and for performance work (`--size large`).
//!
//! The data is planned in memory first (pure, seeded PRNG, every record through its core
//! draft's `validate()` so the demo obeys the same rules as user input), then written in one
//! transaction with a single audit record: a failed load writes nothing.

use crate::{App, AppError, Result, audit, auth, system_actor};
use atrium_core::identity::{Email, Grant, Role, Scope, check_password};
use atrium_core::org::OrgSettingsDraft;
use atrium_core::portfolio::{Portfolio, PortfolioDraft};
use atrium_core::program::{Program, ProgramDraft};
use atrium_core::project::{Phase, Project, ProjectDraft, Rag};
use atrium_core::resource::{Person, PersonDraft};
use atrium_store::project::Visibility;
use atrium_store::{Page, StoreError, identity, people, portfolio, project};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// How much demo data to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DemoSize {
    /// 1 portfolio, 2 programs, 6 projects, 20 people: for fast tests.
    Small,
    /// 3 portfolios, 8 programs, 60 projects, 250 people: a mid-size PMO.
    #[default]
    Medium,
    /// 10 portfolios, 80 programs, 2,000 projects, 10,000 people: for performance work.
    Large,
}

impl DemoSize {
    pub const ALL: [DemoSize; 3] = [Self::Small, Self::Medium, Self::Large];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

impl FromStr for DemoSize {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Self::parse(s)
            .ok_or_else(|| format!("unknown demo size `{s}`; expected small, medium or large"))
    }
}

impl fmt::Display for DemoSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One demo login (printed on start so people can try each role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: Role,
    pub email: String,
    pub password: String,
    pub name: String,
}

/// The e-mail domain of every demo address (`.test` is reserved: it never reaches anyone).
pub const DEMO_DOMAIN: &str = "demo.atrium.test";

/// (role, e-mail local part, person's name); the password is `demo-<local part>-2026`.
const LOGINS: [(Role, &str, &str); 16] = [
    (Role::PmoDirector, "director", "Margaret Holloway"),
    (Role::PortfolioManager, "portfolio", "Daniel Okafor"),
    (Role::ProgramManager, "program", "Sofia Lindqvist"),
    (Role::SeniorProjectManager, "senior-pm", "Henrik Vogel"),
    (Role::ProjectManager, "pm", "Priya Raman"),
    (Role::PmoAnalyst, "analyst", "Lucas Moreau"),
    (Role::ResourceManager, "resources", "Aisha Bakker"),
    (Role::ChangeManager, "change", "Tomás Novak"),
    (Role::GovernanceOfficer, "governance", "Elena Rossi"),
    (Role::RiskManager, "risk", "Jonas Becker"),
    (Role::BenefitsManager, "benefits", "Claire Dubois"),
    (Role::TrainingCoordinator, "training", "Marta Kowalska"),
    (Role::KnowledgeManager, "knowledge", "Oliver Grant"),
    (Role::Sponsor, "sponsor", "Catherine Byrne"),
    (Role::TeamMember, "team", "Mateo García"),
    (Role::Admin, "admin", "Nadia Haddad"),
];

/// The fixed demo credentials, without touching the database (for `serve --demo` on a
/// database that already holds the demo).
pub fn demo_logins() -> Vec<DemoLogin> {
    LOGINS
        .iter()
        .map(|(role, local, name)| DemoLogin {
            role: *role,
            email: format!("{local}@{DEMO_DOMAIN}"),
            password: format!("demo-{local}-2026"),
            name: (*name).to_owned(),
        })
        .collect()
}

/// Stored as the password hash of demo staff who have no login: it is not a PHC string, so
/// no password ever verifies against it (an admin can set a real one later).
const NO_LOGIN_HASH: &str = "!demo-staff-without-login";

impl App {
    /// Whether the database already holds records (any portfolio, archived or not).
    pub async fn has_data(&self) -> Result<bool> {
        let (found, _) = portfolio::list_portfolios(
            &self.db,
            None,
            true,
            &Visibility::All,
            "key",
            false,
            Page::first(1),
        )
        .await?;
        Ok(!found.is_empty())
    }

    /// Whether the demo organization was loaded into this database (its audit record
    /// exists), so `serve --demo` can print the logins only when they really work.
    pub async fn has_demo(&self) -> Result<bool> {
        let f = atrium_store::audit::Filter {
            entity: Some("demo".into()),
            ..Default::default()
        };
        let (rows, _) = atrium_store::audit::list(&self.db, &f, Page::first(1)).await?;
        Ok(rows.iter().any(|r| r.action == "load"))
    }

    /// Loads the demo organization into an empty database and returns its logins.
    /// `progress(done, total)` is called as rows are written.
    pub async fn load_demo(
        &self,
        size: DemoSize,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Vec<DemoLogin>> {
        if self.has_data().await? {
            return Err(AppError::field(
                "database",
                "already has data (portfolios exist); the demo organization is only loaded into an empty database",
            ));
        }
        let logins = demo_logins();
        let plan = plan(size, self.today(), &logins)?;
        let mut ticker = Ticker {
            done: 0,
            total: plan.rows(),
            last: 0,
            f: progress,
        };
        ticker.report();
        let hashes = hash_logins(&logins).await?;

        let now = self.now_micros();
        let mut tx = self.db.begin().await?;
        atrium_store::org::init(
            &mut tx,
            &crate::org::default_settings("Northwind Holdings"),
            now,
        )
        .await?;
        let before = atrium_store::org::get_tx(&mut tx)
            .await?
            .ok_or(AppError::NotFound("organization settings"))?;
        let settings = settings_draft(self.today()).validate(before.version + 1)?;
        atrium_store::org::update(&mut tx, &settings, now).await?;

        for u in &plan.users {
            let password_hash = match u.login {
                Some(i) => hashes[i].clone(),
                None => NO_LOGIN_HASH.to_owned(),
            };
            let row = identity::UserRow {
                id: u.id,
                email: u.email.clone(),
                name: u.name.clone(),
                password_hash,
                disabled: false,
                version: 1,
            };
            identity::insert_user(&mut tx, &row, now).await.map_err(|e| match e {
                StoreError::Unique(_) => AppError::field(
                    "database",
                    format!("already has a user with the demo address {}; load the demo into an empty database", u.email),
                ),
                other => other.into(),
            })?;
            ticker.add(1);
        }
        for p in &plan.portfolios {
            portfolio::insert_portfolio(&mut tx, p, now).await?;
            ticker.add(1);
        }
        for p in &plan.programs {
            portfolio::insert_program(&mut tx, p, now).await?;
            ticker.add(1);
        }
        for p in &plan.projects {
            project::insert(&mut tx, p, now).await?;
            ticker.add(1);
        }
        for p in &plan.people {
            people::insert(&mut tx, p, now).await?;
            ticker.add(1);
        }
        for (user, g) in &plan.grants {
            identity::add_grant(&mut tx, *user, g).await?;
            ticker.add(1);
        }
        let sponsor = plan
            .users
            .iter()
            .find(|u| u.login.is_some_and(|i| logins[i].role == Role::Sponsor))
            .map(|u| u.id);
        let cases = crate::demo_strategy::seed(
            &mut tx,
            &plan.portfolios,
            &plan.projects,
            &plan.people,
            sponsor,
            self.today(),
            now,
        )
        .await?;
        let plans = crate::demo_plans::seed(
            &mut tx,
            &plan.projects,
            &plan.people,
            &settings.calendar,
            self.today(),
            now,
        )
        .await?;
        crate::demo_resources::seed(&mut tx, &plan.projects, &plan.people, self.today(), now)
            .await?;
        crate::demo_risks::seed(&mut tx, &plan.projects, self.today(), now).await?;
        crate::delivery::seed_demo(
            &mut tx,
            &plan.projects,
            settings.reporting_cycle,
            self.today(),
            now,
        )
        .await?;
        let summary = serde_json::json!({
            "size": size.as_str(),
            "organization": settings.name,
            "users": plan.users.len(),
            "portfolios": plan.portfolios.len(),
            "programs": plan.programs.len(),
            "projects": plan.projects.len(),
            "people": plan.people.len(),
            "grants": plan.grants.len(),
            "business_cases": cases,
            "plans": plans,
            "logins": logins.iter().map(|l| l.email.as_str()).collect::<Vec<_>>(),
        });
        audit::<(), _>(
            &mut tx,
            &system_actor(),
            "demo",
            size.as_str(),
            "load",
            None,
            Some(&summary),
        )
        .await?;
        tx.commit().await?;
        ticker.done = ticker.total;
        ticker.report();
        Ok(logins)
    }
}

/// Hashes the 16 demo passwords once each, in parallel (argon2id is deliberately slow).
async fn hash_logins(logins: &[DemoLogin]) -> Result<Vec<String>> {
    let handles: Vec<_> = logins
        .iter()
        .map(|l| {
            let p = l.password.clone();
            tokio::spawn(async move { auth::hash_password(&p).await })
        })
        .collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.map_err(|e| AppError::Internal(Box::new(e)))??);
    }
    Ok(out)
}

/// Calls the progress callback every few hundred rows, not on every row.
struct Ticker<'a> {
    done: u64,
    total: u64,
    last: u64,
    f: &'a (dyn Fn(u64, u64) + Sync),
}

impl Ticker<'_> {
    fn add(&mut self, n: u64) {
        self.done += n;
        if self.done - self.last >= 250 {
            self.report();
        }
    }
    fn report(&mut self) {
        self.last = self.done;
        (self.f)(self.done.min(self.total), self.total);
    }
}

fn settings_draft(today: Date) -> OrgSettingsDraft {
    let mut holidays = Vec::new();
    for y in [today.year(), today.year() + 1] {
        for (m, d) in [(1, 1), (5, 1), (12, 25), (12, 26)] {
            holidays.push(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    OrgSettingsDraft {
        name: "Northwind Holdings".into(),
        currency: "EUR".into(),
        fiscal_year_start_month: "1".into(),
        operating_mode: "controlling".into(),
        reporting_cycle: "monthly".into(),
        working_days: vec![true, true, true, true, true, false, false],
        day_start: "08:30".into(),
        day_end: "17:00".into(),
        holidays,
    }
}

// ----- the plan: every record, validated, before anything is written -----

/// Counts per size, and how much of it the role logins own.
struct Shape {
    portfolios: usize,
    programs: usize,
    projects: usize,
    people: usize,
    /// Projects managed by the project_manager login.
    pm_projects: usize,
    senior_projects: usize,
    sponsor_projects: usize,
    team_projects: usize,
    /// Programs managed by the program_manager login.
    own_programs: usize,
}

fn shape(size: DemoSize) -> Shape {
    match size {
        DemoSize::Small => Shape {
            portfolios: 1,
            programs: 2,
            projects: 6,
            people: 20,
            pm_projects: 3,
            senior_projects: 1,
            sponsor_projects: 3,
            team_projects: 2,
            own_programs: 1,
        },
        DemoSize::Medium => Shape {
            portfolios: 3,
            programs: 8,
            projects: 60,
            people: 250,
            pm_projects: 6,
            senior_projects: 3,
            sponsor_projects: 8,
            team_projects: 3,
            own_programs: 2,
        },
        DemoSize::Large => Shape {
            portfolios: 10,
            programs: 80,
            projects: 2000,
            people: 10_000,
            pm_projects: 8,
            senior_projects: 4,
            sponsor_projects: 20,
            team_projects: 4,
            own_programs: 3,
        },
    }
}

struct PlannedUser {
    id: Uuid,
    email: String,
    name: String,
    /// Index into the demo logins, for users who can log in.
    login: Option<usize>,
}

struct Plan {
    users: Vec<PlannedUser>,
    portfolios: Vec<Portfolio>,
    programs: Vec<Program>,
    projects: Vec<Project>,
    people: Vec<Person>,
    grants: Vec<(Uuid, Grant)>,
}

impl Plan {
    fn rows(&self) -> u64 {
        (self.users.len()
            + self.portfolios.len()
            + self.programs.len()
            + self.projects.len()
            + self.people.len()
            + self.grants.len()) as u64
    }
}

/// A draft that failed validation is a bug in this file, not bad input.
fn invalid(what: &str, errs: Vec<atrium_core::FieldError>) -> AppError {
    AppError::Internal(format!("demo {what} does not validate: {errs:?}").into())
}

/// splitmix64: tiny, fast, and the same sequence on every platform.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in 0..n (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// Uniform in lo..=hi.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1).max(1) as u64) as i64
    }
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut r = self.next() % total.max(1);
        for (i, w) in weights.iter().enumerate() {
            if r < u64::from(*w) {
                return i;
            }
            r -= u64::from(*w);
        }
        weights.len() - 1
    }
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

/// Hands out unique e-mail addresses `first.last@…`, numbering repeats.
struct Emails(HashSet<String>);

impl Emails {
    fn new(logins: &[DemoLogin]) -> Self {
        Self(logins.iter().map(|l| l.email.clone()).collect())
    }
    fn for_name(&mut self, first: &str, last: &str) -> String {
        let base = format!("{}.{}", ascii_fold(first), ascii_fold(last));
        let mut n = 1;
        loop {
            let e = if n == 1 {
                format!("{base}@{DEMO_DOMAIN}")
            } else {
                format!("{base}{n}@{DEMO_DOMAIN}")
            };
            if self.0.insert(e.clone()) {
                return e;
            }
            n += 1;
        }
    }
}

/// Lower-case ASCII letters of a name, accents dropped (`García` → `garcia`).
fn ascii_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let m = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ą' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'ę' | 'ě' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => "o",
            'ú' | 'ù' | 'û' | 'ü' | 'ů' => "u",
            'ñ' | 'ń' => "n",
            'ç' | 'ć' | 'č' => "c",
            'š' | 'ś' => "s",
            'ž' | 'ź' | 'ż' => "z",
            'ł' => "l",
            'ř' => "r",
            'ý' => "y",
            'ı' => "i",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => continue,
        };
        out.push_str(m);
    }
    out
}

/// The items of a comma-separated word list.
fn words(s: &'static str) -> Vec<&'static str> {
    s.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect()
}

/// First and last names, split once from the comma-separated lists below.
struct Names {
    first: Vec<&'static str>,
    last: Vec<&'static str>,
}

impl Names {
    fn new() -> Self {
        Self {
            first: words(FIRST_NAMES),
            last: words(LAST_NAMES),
        }
    }
    fn random(&self, rng: &mut Rng) -> (&'static str, &'static str) {
        (*rng.pick(&self.first), *rng.pick(&self.last))
    }
}

/// The Monday on or before `d`.
fn monday_of(d: Date) -> Date {
    let back = i64::from(d.weekday().since(Weekday::Monday));
    shift(d, -back)
}

fn shift(d: Date, days: i64) -> Date {
    d.checked_add(days.days()).unwrap_or(d)
}

const PHASES: [Phase; 7] = [
    Phase::Initiating,
    Phase::Planning,
    Phase::Executing,
    Phase::Closing,
    Phase::Closed,
    Phase::OnHold,
    Phase::Cancelled,
];
const PHASE_WEIGHTS: [u32; 7] = [9, 14, 44, 8, 15, 7, 3];

/// The first projects cover every phase and every RAG state, so even the small demo shows them.
const FORCED: [(Phase, Rag); 6] = [
    (Phase::Executing, Rag::Green),
    (Phase::Planning, Rag::Red),
    (Phase::Initiating, Rag::Amber),
    (Phase::Closing, Rag::Amber),
    (Phase::Closed, Rag::Green),
    (Phase::OnHold, Rag::Amber),
];

fn rag_weights(phase: Phase) -> [u32; 3] {
    match phase {
        Phase::Initiating | Phase::Planning => [70, 22, 8],
        Phase::Executing => [52, 32, 16],
        Phase::Closing => [60, 30, 10],
        Phase::Closed => [80, 15, 5],
        Phase::OnHold => [10, 55, 35],
        Phase::Cancelled => [0, 30, 70],
    }
}

/// (planned start, planned finish) around `today`, fitting the phase.
fn plan_dates(rng: &mut Rng, phase: Phase, today: Date) -> (Date, Date) {
    let weeks = rng.range(12, 78);
    let days = weeks * 7;
    let start_offset = match phase {
        Phase::Initiating => rng.range(14, 120),
        Phase::Planning => rng.range(-30, 60),
        // Somewhere between 10% and 85% through the plan.
        Phase::Executing => -(days * rng.range(10, 85) / 100),
        Phase::Closing => -(days - rng.range(-30, 20)),
        Phase::Closed => -(days + rng.range(15, 400)),
        Phase::OnHold => -rng.range(30, 240),
        Phase::Cancelled => -(days / 2 + rng.range(30, 300)),
    };
    let start = monday_of(shift(today, start_offset));
    // Plans end on a Friday.
    (start, shift(start, days - 3))
}

fn status_note(rng: &mut Rng, phase: Phase, rag: Rag) -> String {
    let templates: &[&str] = match (phase, rag) {
        (Phase::Closed, Rag::Green) => CLOSED_NOTES,
        (Phase::Closed, _) => CLOSED_LATE_NOTES,
        (Phase::OnHold, _) => ON_HOLD_NOTES,
        (Phase::Cancelled, _) => CANCELLED_NOTES,
        (_, Rag::Green) => GREEN_NOTES,
        (_, Rag::Amber) => AMBER_NOTES,
        (_, Rag::Red) => RED_NOTES,
    };
    let m = *rng.pick(MILESTONES);
    let mut n = *rng.pick(MILESTONES);
    if n == m {
        n = "Cut-over planning";
    }
    // The PMO itself is not where delivery skills run short.
    let dept = rng.pick(&DEPARTMENTS[1..]).name;
    // `{M}` starts a sentence; `{m}` and `{n}` sit inside one.
    rng.pick(templates)
        .replace("{M}", m)
        .replace("{m}", &m.to_lowercase())
        .replace("{n}", &n.to_lowercase())
        .replace("{dept}", dept)
}

/// A budget between about 60k and 3.5M, rounded to 5,000 (log-uniform: many small, few large).
fn budget(rng: &mut Rng) -> i64 {
    let (lo, hi) = (60_000f64.ln(), 3_500_000f64.ln());
    let v = (lo + (hi - lo) * rng.unit()).exp();
    ((v / 5_000.0).round() as i64).max(1) * 5_000
}

/// The in-memory demo; `today` anchors every date so the demo always looks current.
fn plan(size: DemoSize, today: Date, logins: &[DemoLogin]) -> Result<Plan> {
    let sh = shape(size);
    let mut rng = Rng(0x4154_5249_554D_0001);
    let mut emails = Emails::new(logins);
    let names = Names::new();
    let theme_programs: Vec<Vec<&str>> = THEMES.iter().map(|t| words(t.programs)).collect();
    let theme_projects: Vec<Vec<&str>> = THEMES.iter().map(|t| words(t.projects)).collect();
    let mut users: Vec<PlannedUser> = Vec::new();
    let mut grants: Vec<(Uuid, Grant)> = Vec::new();

    for (i, l) in logins.iter().enumerate() {
        check_password(&l.password)
            .map_err(|m| AppError::Internal(format!("demo password {m}").into()))?;
        let email = Email::parse(&l.email)
            .map_err(|m| AppError::Internal(format!("demo e-mail {m}").into()))?;
        users.push(PlannedUser {
            id: Uuid::now_v7(),
            email: email.as_str().to_owned(),
            name: l.name.clone(),
            login: Some(i),
        });
    }
    let login_id = |role: Role| -> Result<Uuid> {
        logins
            .iter()
            .position(|l| l.role == role)
            .map(|i| users[i].id)
            .ok_or_else(|| AppError::Internal(format!("no demo login for {role}").into()))
    };
    let (pm, senior, sponsor, team, pgm, pfm) = (
        login_id(Role::ProjectManager)?,
        login_id(Role::SeniorProjectManager)?,
        login_id(Role::Sponsor)?,
        login_id(Role::TeamMember)?,
        login_id(Role::ProgramManager)?,
        login_id(Role::PortfolioManager)?,
    );
    // Organization-wide roles: everyone but the delivery roles, whose grants follow their records.
    for (i, l) in logins.iter().enumerate() {
        if !matches!(
            l.role,
            Role::ProjectManager
                | Role::SeniorProjectManager
                | Role::Sponsor
                | Role::TeamMember
                | Role::ProgramManager
        ) {
            grants.push((
                users[i].id,
                Grant {
                    role: l.role,
                    scope: Scope::Organization,
                },
            ));
        }
    }

    // Staff without a login: executives (sponsors, portfolio owners), project and program managers.
    let mut staff = |rng: &mut Rng, n: usize, users: &mut Vec<PlannedUser>| -> Vec<usize> {
        (0..n)
            .map(|_| {
                let (f, l) = names.random(rng);
                let email = emails.for_name(f, l);
                users.push(PlannedUser {
                    id: Uuid::now_v7(),
                    email,
                    name: format!("{f} {l}"),
                    login: None,
                });
                users.len() - 1
            })
            .collect()
    };
    let executives = staff(&mut rng, (sh.projects / 10).max(2), &mut users);
    let staff_pms = staff(&mut rng, (sh.projects / 6).max(1), &mut users);
    let staff_pgms = staff(
        &mut rng,
        sh.programs.saturating_sub(sh.own_programs),
        &mut users,
    );

    // Portfolios and programs.
    let mut portfolios = Vec::new();
    for (i, t) in THEMES.iter().cycle().take(sh.portfolios).enumerate() {
        let owner = if i < 3 {
            pfm
        } else {
            users[executives[i % executives.len()]].id
        };
        let d = PortfolioDraft {
            key: t.key.into(),
            name: t.name.into(),
            description: Some(t.description.into()),
            owner_id: Some(owner),
        };
        portfolios.push(
            d.validate(Uuid::now_v7(), 1)
                .map_err(|e| invalid("portfolio", e))?,
        );
    }
    let mut programs = Vec::new();
    let mut programs_of: Vec<Vec<usize>> = vec![Vec::new(); sh.portfolios];
    for j in 0..sh.programs {
        let pf = j * sh.portfolios / sh.programs;
        let name = theme_programs[pf % THEMES.len()][programs_of[pf].len() % 8];
        let manager = if j < sh.own_programs {
            pgm
        } else {
            users[staff_pgms[j - sh.own_programs]].id
        };
        let d = ProgramDraft {
            key: format!("PGM-{:02}", j + 1),
            name: name.into(),
            description: Some(format!(
                "{name}: related projects in the {} portfolio, managed together for shared benefits.",
                portfolios[pf].name
            )),
            portfolio_id: Some(portfolios[pf].id),
            manager_id: Some(manager),
        };
        programs.push(
            d.validate(Uuid::now_v7(), 1)
                .map_err(|e| invalid("program", e))?,
        );
        programs_of[pf].push(j);
        let scope = Scope::Program(programs[j].id);
        grants.push((
            manager,
            Grant {
                role: Role::ProgramManager,
                scope,
            },
        ));
    }

    // Projects: placement, name, phase, status, dates, budget.
    struct Spec {
        key: String,
        name: String,
        description: String,
        pf: usize,
        pg: Option<usize>,
        phase: Phase,
        rag: Rag,
        note: String,
        dates: (Date, Date),
        budget: i64,
        manager: Uuid,
        sponsor: Uuid,
    }
    let mut name_orders: Vec<Vec<usize>> = THEMES
        .iter()
        .map(|t| {
            let mut v: Vec<usize> = (0..words(t.projects).len()).collect();
            rng.shuffle(&mut v);
            v
        })
        .collect();
    name_orders.truncate(sh.portfolios.min(THEMES.len()));
    let mut named = vec![0usize; sh.portfolios];
    let mut specs: Vec<Spec> = Vec::with_capacity(sh.projects);
    for i in 0..sh.projects {
        // Every program gets a project first; then placement is random, a few projects
        // report straight to their portfolio.
        let (pf, pg) = if i < programs.len() {
            (i * sh.portfolios / sh.programs, Some(i))
        } else {
            let pf = rng.below(sh.portfolios);
            let pg = if !programs_of[pf].is_empty() && rng.chance(0.88) {
                Some(*rng.pick(&programs_of[pf]))
            } else {
                None
            };
            (pf, pg)
        };
        let order = &name_orders[pf % name_orders.len()];
        let k = named[pf];
        named[pf] += 1;
        let base = theme_projects[pf % THEMES.len()][order[k % order.len()]];
        let round = k / order.len();
        let name = match QUALIFIERS.get(round) {
            Some(q) => format!("{base}{q}"),
            None => format!("{base} wave {}", round + 1),
        };
        let (phase, rag) = match FORCED.get(i) {
            Some(f) => *f,
            None => {
                let phase = PHASES[rng.weighted(&PHASE_WEIGHTS)];
                (phase, Rag::ALL[rng.weighted(&rag_weights(phase))])
            }
        };
        let note = status_note(&mut rng, phase, rag);
        let dates = plan_dates(&mut rng, phase, today);
        let within = match pg {
            Some(j) => format!("Part of the {} program.", programs[j].name),
            None => format!("Reports directly to the {} portfolio.", portfolios[pf].name),
        };
        let description = format!("{} {within}", rng.pick(OBJECTIVES));
        specs.push(Spec {
            key: format!("PRJ-{:03}", i + 1),
            name,
            description,
            pf,
            pg,
            phase,
            rag,
            note,
            dates,
            budget: budget(&mut rng),
            manager: users[*rng.pick(&staff_pms)].id,
            sponsor: users[*rng.pick(&executives)].id,
        });
    }
    // The delivery logins: the project manager runs several live projects (a red, an amber,
    // a green among them), the senior project manager the next big ones, the team member
    // works on some of the project manager's projects, the sponsor sponsors a spread.
    let active: Vec<usize> = (0..specs.len())
        .filter(|i| specs[*i].phase.is_active())
        .collect();
    let pm_set: Vec<usize> = active.iter().copied().take(sh.pm_projects).collect();
    let senior_set: Vec<usize> = active
        .iter()
        .copied()
        .skip(sh.pm_projects)
        .take(sh.senior_projects)
        .collect();
    for &i in &pm_set {
        specs[i].manager = pm;
    }
    for &i in &senior_set {
        specs[i].manager = senior;
        specs[i].budget = (specs[i].budget * 5 / 2).max(2_000_000);
    }
    let step = (specs.len() / sh.sponsor_projects.max(1)).max(1);
    let sponsor_set: Vec<usize> = (0..specs.len())
        .step_by(step)
        .take(sh.sponsor_projects)
        .collect();
    for &i in &sponsor_set {
        specs[i].sponsor = sponsor;
    }

    let mut projects = Vec::with_capacity(specs.len());
    for s in &specs {
        let d = ProjectDraft {
            key: s.key.clone(),
            name: s.name.clone(),
            description: Some(s.description.clone()),
            portfolio_id: Some(portfolios[s.pf].id),
            program_id: s.pg.map(|j| programs[j].id),
            sponsor_id: Some(s.sponsor),
            manager_id: Some(s.manager),
            phase: s.phase.as_str().into(),
            planned_start: Some(s.dates.0.to_string()),
            planned_finish: Some(s.dates.1.to_string()),
            budget: Some(s.budget.to_string()),
            status: s.rag.as_str().into(),
            status_note: Some(s.note.clone()),
        };
        let p = d
            .validate(Uuid::now_v7(), 1, "EUR")
            .map_err(|e| invalid(&format!("project {}", s.key), e))?;
        let scope = Scope::Project(p.id);
        let role = if s.manager == senior {
            Role::SeniorProjectManager
        } else {
            Role::ProjectManager
        };
        grants.push((s.manager, Grant { role, scope }));
        grants.push((
            s.sponsor,
            Grant {
                role: Role::Sponsor,
                scope,
            },
        ));
        projects.push(p);
    }
    for &i in pm_set.iter().take(sh.team_projects) {
        grants.push((
            team,
            Grant {
                role: Role::TeamMember,
                scope: Scope::Project(projects[i].id),
            },
        ));
    }

    // People: the delivery logins and staff managers are in the pool; the rest spread over
    // the departments (each department first gets one, so even the small demo has all).
    let mut people = Vec::with_capacity(sh.people);
    let mut linked: Vec<(usize, usize, &str)> = vec![
        (
            logins
                .iter()
                .position(|l| l.role == Role::ProjectManager)
                .unwrap_or(0),
            PMO,
            "Project Manager",
        ),
        (
            logins
                .iter()
                .position(|l| l.role == Role::SeniorProjectManager)
                .unwrap_or(0),
            PMO,
            "Senior Project Manager",
        ),
        (
            logins
                .iter()
                .position(|l| l.role == Role::ProgramManager)
                .unwrap_or(0),
            PMO,
            "Program Manager",
        ),
        (
            logins
                .iter()
                .position(|l| l.role == Role::TeamMember)
                .unwrap_or(0),
            IT,
            "Software Developer",
        ),
    ];
    linked.extend(staff_pms.iter().map(|&u| (u, PMO, "Project Manager")));
    linked.extend(staff_pgms.iter().map(|&u| (u, PMO, "Program Manager")));
    let dept_weights: Vec<u32> = DEPARTMENTS.iter().map(|d| d.weight).collect();
    for n in 0..sh.people {
        let (name, email, user_id, dept, job) = match linked.get(n) {
            Some(&(u, dept, job)) => (
                users[u].name.clone(),
                users[u].email.clone(),
                Some(users[u].id),
                &DEPARTMENTS[dept],
                Some(job),
            ),
            None => {
                let k = n - linked.len();
                let dept = if k < DEPARTMENTS.len() {
                    &DEPARTMENTS[k]
                } else {
                    &DEPARTMENTS[rng.weighted(&dept_weights)]
                };
                let (f, l) = names.random(&mut rng);
                (format!("{f} {l}"), emails.for_name(f, l), None, dept, None)
            }
        };
        let role = match job.and_then(|j| dept.roles.iter().find(|r| r.0 == j)) {
            Some(r) => r,
            None => &dept.roles[rng.weighted(&dept.roles.iter().map(|r| r.2).collect::<Vec<_>>())],
        };
        // Hourly rate: the role's base ±15%, in half-euro steps.
        let cents =
            (f64::from(role.1) * 100.0 * (0.85 + 0.30 * rng.unit())).round() as i64 / 50 * 50;
        let hours = ["40", "40", "40", "40", "40", "40", "38", "32", "32", "24"][rng.below(10)];
        let mut pool: Vec<&str> = dept.skills.to_vec();
        rng.shuffle(&mut pool);
        let count = rng.range(2, 5) as usize;
        let mut skills: Vec<String> = pool
            .iter()
            .take(count)
            .map(|s| format!("{s}:{}", 1 + rng.weighted(&[10, 25, 35, 22, 8])))
            .collect();
        if rng.chance(0.35) {
            let g = *rng.pick(GENERIC_SKILLS);
            if !pool.iter().take(count).any(|s| *s == g) {
                skills.push(format!("{g}:{}", 2 + rng.below(3)));
            }
        }
        let d = PersonDraft {
            name,
            email: Some(email),
            department: dept.name.into(),
            job_role: role.0.into(),
            cost_rate: atrium_core::money::Minor(cents).plain(),
            weekly_capacity_hours: hours.into(),
            skills,
            ..Default::default()
        };
        let mut p = d
            .validate(Uuid::now_v7(), 1)
            .map_err(|e| invalid("person", e))?;
        p.user_id = user_id;
        people.push(p);
    }
    crate::demo_resources::shape_pool(&mut people);

    Ok(Plan {
        users,
        portfolios,
        programs,
        projects,
        people,
        grants,
    })
}

// ----- the words the demo is made of -----

struct Theme {
    key: &'static str,
    name: &'static str,
    description: &'static str,
    /// Eight program names, comma-separated.
    programs: &'static str,
    /// Base project names, comma-separated.
    projects: &'static str,
}

const THEMES: [Theme; 10] = [
    Theme {
        key: "DIGITAL",
        name: "Digital & Technology",
        description: "Systems, data and infrastructure that the whole group runs on.",
        programs: "\
            ERP modernisation, Cloud migration, Data & analytics platform, Cyber security uplift, \
            Workplace technology, Integration & APIs, Application rationalisation, AI enablement",
        projects: "\
            CRM replacement, ERP finance module rollout, Data warehouse migration, \
            Identity and access management, Network refresh, Mobile field service app, \
            Customer portal redesign, API gateway rollout, Email and collaboration migration, \
            Mainframe decommissioning, Master data management, Backup and disaster recovery, \
            Endpoint security rollout, Self-service BI, Service desk tooling replacement, \
            Zero-trust network access",
    },
    Theme {
        key: "OPS",
        name: "Operations Excellence",
        description: "Cheaper, faster and more reliable plants, warehouses and supply chain.",
        programs: "\
            Supply chain transformation, Warehouse automation, Lean manufacturing, Procurement excellence, \
            Fleet modernisation, Quality management, Facilities consolidation, Maintenance 4.0",
        projects: "\
            Warehouse automation, Demand forecasting, Transport management system, Supplier portal, \
            Predictive maintenance pilot, Production line retooling, Inventory optimisation, \
            Quality management system upgrade, Distribution centre consolidation, E-procurement rollout, \
            Packaging line redesign, Energy monitoring, Shop-floor data capture, \
            Spare parts catalogue clean-up, Yard management",
    },
    Theme {
        key: "GROWTH",
        name: "Customer & Growth",
        description: "Revenue growth: new markets, channels and a better customer experience.",
        programs: "\
            Omnichannel commerce, Customer experience, Market expansion, Pricing & revenue management, \
            Loyalty, Brand refresh, Partner ecosystem, Product innovation",
        projects: "\
            E-commerce replatforming, Loyalty programme relaunch, Market entry Poland, Pricing engine, \
            Contact centre modernisation, Customer 360, Marketing automation, Website relaunch, \
            Partner onboarding portal, Subscription billing, Net promoter score programme, \
            Product information management, Sales territory redesign, Customer service chatbot, \
            Dealer network expansion",
    },
    Theme {
        key: "COMPLY",
        name: "Regulatory & Risk",
        description: "Obligations with fixed deadlines and the controls that keep the licence to operate.",
        programs: "\
            Data protection, Financial controls, Sustainability reporting, Operational resilience, \
            Third-party risk, Tax compliance, Policy & audit, Financial crime prevention",
        projects: "\
            GDPR records of processing, CSRD reporting, SOX controls automation, IFRS 16 lease accounting, \
            Business continuity plan refresh, Third-party risk management, E-invoicing mandate, \
            Anti-money-laundering screening, Whistleblowing platform, NIS2 compliance, \
            Contract management system, Policy management portal, Internal audit analytics, \
            Sanctions screening upgrade, Records retention clean-up",
    },
    Theme {
        key: "PEOPLE",
        name: "People & Workplace",
        description: "Hiring, developing and equipping the people of the group.",
        programs: "\
            HR systems, Learning & development, Hybrid workplace, Talent acquisition, Payroll harmonisation, \
            Office portfolio, Employee experience, Leadership development",
        projects: "\
            HR system replacement, Learning platform, Hybrid workplace rollout, Applicant tracking system, \
            Payroll consolidation, Office move Rotterdam, Employee onboarding redesign, \
            Performance management refresh, Wellbeing programme, Time and attendance system, \
            Succession planning, Diversity reporting, Intranet relaunch, Leadership academy, \
            Shared services centre",
    },
    Theme {
        key: "ESG",
        name: "Sustainability",
        description: "Net-zero by 2035: energy, fleet, packaging and supplier footprint.",
        programs: "\
            Renewable energy, Fleet electrification, Carbon accounting, Circular packaging, \
            Water stewardship, Building efficiency, Sustainable sourcing, Waste reduction",
        projects: "\
            Solar rooftop installation, Electric delivery vans, Scope 3 emissions baseline, \
            Recyclable packaging, Water usage reduction, Heat pump retrofit, Waste sorting at sites, \
            Green procurement policy, Carbon accounting tool, LED lighting retrofit, EV charging at sites, \
            Supplier sustainability ratings, Refrigerant replacement, Returnable transport crates",
    },
    Theme {
        key: "FIN",
        name: "Finance Transformation",
        description: "A faster close, better forecasts and automated transaction processing.",
        programs: "\
            Record to report, Procure to pay, Order to cash, Planning & forecasting, Treasury, Finance data, \
            Shared finance services, Cost management",
        projects: "\
            Group consolidation tool, Close acceleration, Treasury management system, Expense management, \
            Accounts payable automation, Planning and forecasting platform, Cost allocation model, \
            Indirect tax engine, Credit management, Fixed asset register clean-up, \
            Intercompany reconciliation, Cash forecasting, Invoice scanning, Chart of accounts harmonisation",
    },
    Theme {
        key: "INFRA",
        name: "Infrastructure & Facilities",
        description: "Sites, buildings and the technical infrastructure under them.",
        programs: "\
            Data centre strategy, Headquarters, Plant capacity, Site security, Network & telephony, \
            Health & safety, Facility services, Logistics sites",
        projects: "\
            Data centre exit, Headquarters renovation, Warehouse roof replacement, Plant expansion Lyon, \
            Site security upgrade, Network core refresh, Telephony migration, Storage refresh, \
            Fire safety upgrade, Access control modernisation, Canteen refurbishment, \
            Backup power generators, Cold store extension, Loading dock automation",
    },
    Theme {
        key: "PRODUCT",
        name: "Product Development",
        description: "New products and the platforms that bring them to market faster.",
        programs: "\
            Connected products, Product platform, Range simplification, Design excellence, \
            Aftermarket services, Materials innovation, Product compliance, Digital services",
        projects: "\
            Next-generation sensor, Product line simplification, Smart home range, IoT connectivity module, \
            Firmware platform, Product lifecycle management, Spare parts web shop, \
            Remote diagnostics service, Lightweight housing materials, CE marking renewal, \
            Modular product architecture, Usability lab, Predictive service contracts, Product cost-down",
    },
    Theme {
        key: "MERGE",
        name: "Mergers & Integration",
        description: "Integrating acquired businesses and simplifying the group structure.",
        programs: "\
            Brightwater integration, Legal entity simplification, Brand migration, Systems integration, \
            Synergy delivery, Carve-out readiness, Organisation design, Culture integration",
        projects: "\
            Brightwater day-one readiness, Retail unit carve-out, Brand migration, ERP instance merge, \
            Synergy tracking, Legal entity reduction, Harmonised chart of accounts, \
            Organisation design integration, Benefits harmonisation, Customer contract novation, \
            Supplier consolidation, Site footprint review, Culture survey and actions, IT service transition",
    },
];

/// Appended to a base project name once every base of a portfolio has been used.
const QUALIFIERS: [&str; 16] = [
    "",
    " wave 2",
    " (Benelux)",
    " (DACH)",
    " phase 2",
    " (Nordics)",
    " (France)",
    " wave 3",
    " (Iberia)",
    " (UK & Ireland)",
    " (Poland)",
    " phase 3",
    " (Italy)",
    " pilot",
    " (Central Europe)",
    " wave 4",
];

const OBJECTIVES: &[&str] = &[
    "Replaces an end-of-life system and retires its support contract.",
    "Cuts manual processing time and error rates in the teams affected.",
    "Meets a regulatory obligation with a fixed deadline.",
    "Improves customer satisfaction in the target segment.",
    "Reduces operating cost through automation and consolidation.",
    "Builds a shared capability that later projects reuse.",
    "Adds capacity for the volume growth forecast over the next three years.",
    "Reduces a risk exposure raised in the last enterprise risk review.",
    "Standardises the process across all sites on one solution.",
    "Gives management reliable, timely data for decisions.",
];

const MILESTONES: &[&str] = &[
    "Requirements sign-off",
    "Vendor selection",
    "Design approval",
    "Pilot go-live",
    "Data migration rehearsal",
    "User acceptance testing",
    "Integration build",
    "Key-user training",
    "Contract signature",
    "Site readiness check",
    "Business case approval",
    "Security review",
];

const GREEN_NOTES: &[&str] = &[
    "On track. {M} completed on schedule; {n} starts next cycle.",
    "Milestones met and spend within plan. Next: {n}.",
    "Good progress: {m} signed off by the steering committee.",
    "No open escalations; {n} planned for next month.",
    "On track and within budget; {m} done a week early.",
];

const AMBER_NOTES: &[&str] = &[
    "{M} is two weeks late because of supplier delays; recovery plan agreed, finish date still achievable.",
    "Forecast spend 8% over budget after change requests; contingency under review.",
    "Shortage of key people in {dept}; {n} at risk unless a second analyst joins.",
    "Scope of {n} still open; a sponsor decision is needed by month end.",
    "Testing found more defects than planned; {n} under review.",
];

const RED_NOTES: &[&str] = &[
    "{M} missed; go-live moved by six weeks. Re-plan goes to the next steering committee.",
    "Budget overrun of 15% forecast; sponsor decision on scope reduction needed.",
    "Vendor failed to deliver {m}; escalated to the portfolio board.",
    "Critical skills gap in {dept} blocks {n}; resource request escalated.",
    "Deadline at risk: {n} cannot start until data migration completes.",
];

const CLOSED_NOTES: &[&str] = &[
    "Closed: delivered as planned; lessons learned recorded.",
    "Closed after hand-over to operations; benefits tracking started.",
    "Closed on time and within budget; hand-over to operations complete.",
];

const CLOSED_LATE_NOTES: &[&str] = &[
    "Closed six weeks late and 7% over budget; lessons learned recorded for the next wave.",
    "Closed with {n} deferred to a follow-up project; benefits tracking started.",
];

const ON_HOLD_NOTES: &[&str] = &[
    "On hold pending the budget decision at the next portfolio review.",
    "Paused: key people moved to a higher-priority project until {n}.",
    "On hold until the vendor contract is renegotiated.",
];

const CANCELLED_NOTES: &[&str] = &[
    "Cancelled by the portfolio board: the business case no longer holds.",
    "Cancelled; scope absorbed by another project in the program.",
];

struct Department {
    name: &'static str,
    weight: u32,
    /// (job role, base hourly rate in EUR, weight).
    roles: &'static [(&'static str, u32, u32)],
    skills: &'static [&'static str],
}

const PMO: usize = 0;
const IT: usize = 1;

const DEPARTMENTS: [Department; 8] = [
    Department {
        name: "Project Management Office",
        weight: 7,
        roles: &[
            ("Project Manager", 95, 30),
            ("Senior Project Manager", 115, 15),
            ("Program Manager", 130, 8),
            ("PMO Analyst", 75, 15),
            ("Project Coordinator", 60, 20),
            ("Scrum Master", 85, 12),
        ],
        skills: &[
            "Project planning",
            "Risk management",
            "Stakeholder management",
            "Agile delivery",
            "PRINCE2",
            "Budgeting",
            "MS Project",
            "Change management",
            "Earned value",
        ],
    },
    Department {
        name: "IT",
        weight: 30,
        roles: &[
            ("Software Developer", 85, 30),
            ("Senior Software Developer", 105, 12),
            ("Solution Architect", 125, 6),
            ("Business Analyst", 80, 14),
            ("Data Engineer", 95, 10),
            ("Infrastructure Engineer", 85, 12),
            ("Test Engineer", 70, 10),
            ("Security Specialist", 110, 6),
        ],
        skills: &[
            "Java",
            "C#",
            "Python",
            "SQL",
            "Rust",
            "JavaScript",
            "Azure",
            "AWS",
            "Kubernetes",
            "SAP",
            "Power BI",
            "Networking",
            "Security",
            "Test automation",
            "Data modelling",
            "Integration",
        ],
    },
    Department {
        name: "Finance",
        weight: 8,
        roles: &[
            ("Financial Controller", 90, 20),
            ("Accountant", 65, 40),
            ("Financial Analyst", 75, 30),
            ("Treasury Specialist", 85, 10),
        ],
        skills: &[
            "IFRS",
            "Financial modelling",
            "SAP FI",
            "Budgeting",
            "Tax",
            "Reporting",
            "Consolidation",
            "Cash management",
        ],
    },
    Department {
        name: "Operations",
        weight: 18,
        roles: &[
            ("Operations Manager", 90, 10),
            ("Process Engineer", 80, 25),
            ("Logistics Planner", 65, 25),
            ("Maintenance Technician", 55, 25),
            ("Quality Engineer", 75, 15),
        ],
        skills: &[
            "Lean",
            "Six Sigma",
            "Logistics",
            "Warehouse management",
            "Maintenance planning",
            "ISO 9001",
            "Supply chain planning",
            "Health and safety",
        ],
    },
    Department {
        name: "Sales & Marketing",
        weight: 12,
        roles: &[
            ("Marketing Manager", 90, 15),
            ("Digital Marketing Specialist", 70, 25),
            ("Sales Manager", 95, 20),
            ("Product Manager", 95, 20),
            ("UX Designer", 80, 20),
        ],
        skills: &[
            "Digital marketing",
            "SEO",
            "CRM",
            "Salesforce",
            "UX design",
            "Copywriting",
            "Pricing",
            "Market research",
        ],
    },
    Department {
        name: "Human Resources",
        weight: 6,
        roles: &[
            ("HR Business Partner", 80, 30),
            ("Recruiter", 60, 30),
            ("Learning Specialist", 65, 20),
            ("Payroll Specialist", 60, 20),
        ],
        skills: &[
            "Recruiting",
            "Labour law",
            "Payroll",
            "Training design",
            "Workday",
            "Coaching",
            "Compensation",
        ],
    },
    Department {
        name: "Legal & Compliance",
        weight: 5,
        roles: &[
            ("Legal Counsel", 140, 30),
            ("Compliance Officer", 100, 30),
            ("Data Protection Officer", 110, 15),
            ("Contract Manager", 80, 25),
        ],
        skills: &[
            "Contract law",
            "GDPR",
            "Regulatory compliance",
            "Internal audit",
            "Risk assessment",
            "Competition law",
        ],
    },
    Department {
        name: "Customer Service",
        weight: 14,
        roles: &[
            ("Customer Service Agent", 45, 55),
            ("Customer Service Team Lead", 60, 20),
            ("Service Designer", 75, 10),
            ("Knowledge Base Editor", 55, 15),
        ],
        skills: &[
            "Customer support",
            "Zendesk",
            "Complaint handling",
            "Service design",
            "Quality monitoring",
            "Workforce planning",
        ],
    },
];

const GENERIC_SKILLS: &[&str] = &[
    "Stakeholder management",
    "Presentation",
    "German",
    "French",
    "Dutch",
    "Spanish",
    "Polish",
    "Coaching",
];

const FIRST_NAMES: &str = "\
    Anna, Lukas, Emma, Noah, Sophie, Liam, Mia, Elias, Julia, Finn, Laura, Jan, Sara, David, Lena, \
    Thomas, Eva, Pieter, Ingrid, Lars, Camille, Hugo, Chloé, Louis, Inès, Arthur, Lucía, Pablo, \
    Carmen, Javier, Marta, Diego, Giulia, Marco, Chiara, Luca, Francesca, Matteo, Zofia, Piotr, \
    Katarzyna, Tomasz, Agnieszka, Jakub, Sean, Aoife, Ciarán, Niamh, James, Olivia, George, Amelia, \
    Harry, Isla, Fatima, Omar, Yusuf, Leila, Ahmed, Mei, Wei, Hiroshi, Yuki, Arjun, Ananya, Rohan, \
    Kwame, Amara, Tunde, Zainab, Nils, Astrid, Mikkel, Freja, Jonas, Hanna, Matthias, Katrin, \
    Stefan, Petra, Ruben, Femke, Bram, Sanne, Daan, Lotte, João, Beatriz, Tiago, Mariana, Nikos, \
    Eleni, Andrei, Ioana, Mihai, Elif, Emre, Selin, Viktor, Alma";

const LAST_NAMES: &str = "\
    Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Hoffmann, Schulz, de Jong, \
    Jansen, de Vries, van den Berg, Bakker, Visser, Smit, Meijer, Mulder, de Boer, Martin, Bernard, \
    Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, García, Fernández, González, \
    Rodríguez, López, Martínez, Sánchez, Pérez, Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, \
    Colombo, Ricci, Nowak, Kowalski, Wiśniewski, Wójcik, Kamiński, Lewandowski, Murphy, Kelly, \
    O'Sullivan, Walsh, Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Andersson, \
    Johansson, Karlsson, Nilsson, Larsen, Hansen, Nielsen, Pedersen, Virtanen, Korhonen, Silva, \
    Santos, Ferreira, Pereira, Oliveira, Costa, Papadopoulos, Popescu, Ionescu, Yılmaz, Kaya, \
    Demir, Novák, Svoboda, Dvořák, Horvát, Kovács, Szabó, Tanaka, Chen, Wang, Patel, Sharma, \
    Okafor, Mensah, Haddad, Khan, Ali";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn today() -> Date {
        Date::constant(2026, 11, 27)
    }

    #[test]
    fn word_lists_are_long_enough() {
        for t in &THEMES {
            assert_eq!(words(t.programs).len(), 8, "{}", t.key);
            // 200 projects per portfolio in the large demo: bases × qualifiers must cover them.
            assert!(
                words(t.projects).len() * QUALIFIERS.len() >= 200,
                "{}",
                t.key
            );
        }
        let n = Names::new();
        assert!(n.first.len() >= 90 && n.last.len() >= 90);
        assert!(n.last.contains(&"van den Berg") && n.last.contains(&"O'Sullivan"));
    }

    #[test]
    fn emails_are_ascii_and_unique() {
        assert_eq!(ascii_fold("García"), "garcia");
        assert_eq!(ascii_fold("O'Sullivan"), "osullivan");
        assert_eq!(ascii_fold("Yılmaz"), "yilmaz");
        let mut e = Emails::new(&demo_logins());
        assert_eq!(e.for_name("Ana", "de Jong"), "ana.dejong@demo.atrium.test");
        assert_eq!(e.for_name("Ana", "de Jong"), "ana.dejong2@demo.atrium.test");
    }

    #[test]
    fn large_plan_has_the_promised_shape() {
        let p = plan(DemoSize::Large, today(), &demo_logins()).unwrap();
        assert_eq!((p.portfolios.len(), p.programs.len()), (10, 80));
        assert_eq!((p.projects.len(), p.people.len()), (2000, 10_000));
        let keys: HashSet<&str> = p.projects.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys.len(), 2000);
        let names: HashSet<&str> = p.projects.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names.len(), 2000);
        let emails: HashSet<&str> = p.users.iter().map(|u| u.email.as_str()).collect();
        assert_eq!(emails.len(), p.users.len());
        let mut per_dept: HashMap<&str, usize> = HashMap::new();
        for person in &p.people {
            *per_dept.entry(person.department.as_str()).or_default() += 1;
        }
        assert_eq!(per_dept.len(), 8);
        assert!(per_dept.values().all(|n| *n >= 300), "{per_dept:?}");
    }

    #[test]
    fn plans_are_deterministic() {
        let a = plan(DemoSize::Medium, today(), &demo_logins()).unwrap();
        let b = plan(DemoSize::Medium, today(), &demo_logins()).unwrap();
        let view = |p: &Plan| {
            p.projects
                .iter()
                .map(|x| {
                    (
                        x.key.clone(),
                        x.name.clone(),
                        x.budget,
                        x.planned_start,
                        x.status_note.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(view(&a), view(&b));
        let people = |p: &Plan| {
            p.people
                .iter()
                .map(|x| (x.name.clone(), x.cost_rate, x.skills.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(people(&a), people(&b));
    }
}
