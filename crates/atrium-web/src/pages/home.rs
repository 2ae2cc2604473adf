//! Each role's home page (what that role acts on today) and the portfolio overview.

use crate::AppState;
use crate::extract::PageUser;
use crate::views::{Nav, render};
use askama::Template;
use atrium_core::identity::Role;
use atrium_core::project::{Project, Rag};
use atrium_core::strategy::ProposalState;
use atrium_store::Page;
use atrium_store::project::Filter;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/overview", get(overview))
}

pub struct Section {
    pub role: &'static str,
    pub title: String,
    pub focus: &'static str,
    pub stats: Vec<(String, String, &'static str)>,
    /// (text, href, rag class, note)
    pub items: Vec<(String, String, &'static str, String)>,
    pub empty: String,
    pub links: Vec<(&'static str, &'static str)>,
    /// Overdue status reports: (project, href, period).
    pub overdue: Vec<(String, String, String)>,
}

/// Overdue status reports as home-page rows (see `atrium_app::delivery::Overdue`).
async fn overdue_rows(
    s: &AppState,
    a: &atrium_app::Actor,
    managed_by: Option<uuid::Uuid>,
) -> atrium_app::Result<Vec<(String, String, String)>> {
    let o = s.app.overdue_reports(a, s.app.today(), managed_by).await?;
    let period = atrium_core::delivery::period_label(o.cycle, o.period);
    Ok(o.projects
        .iter()
        .map(|p| {
            (
                format!("{} {}", p.key, p.name),
                format!("/projects/{}/reports", p.id),
                period.clone(),
            )
        })
        .collect())
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    org: String,
    mode: String,
    today: String,
    sections: Vec<Section>,
}

fn item(p: &Project) -> (String, String, &'static str, String) {
    (
        format!("{} {}", p.key, p.name),
        format!("/projects/{}", p.id),
        p.status.as_str(),
        format!(
            "{} · {}",
            p.phase.label(),
            p.status_note.clone().unwrap_or_default()
        ),
    )
}

async fn home(State(s): State<AppState>, PageUser(a): PageUser) -> Response {
    match build_home(&s, &a).await {
        Ok(p) => render(&p),
        Err(e) => crate::views::app_error_page(e),
    }
}

async fn build_home(s: &AppState, a: &atrium_app::Actor) -> atrium_app::Result<HomePage> {
    let settings = s.app.settings().await?;
    let vis = atrium_app::permissions::visibility(a);
    let counts = atrium_store::project::count_by_status(&s.app.db, &vis).await?;
    let count = |r: &str| counts.iter().find(|(k, _)| k == r).map_or(0, |(_, n)| *n);
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let rag_stats = vec![
        ("projects".to_owned(), total.to_string(), ""),
        ("red".to_owned(), count("red").to_string(), "red"),
        ("amber".to_owned(), count("amber").to_string(), "amber"),
        ("green".to_owned(), count("green").to_string(), "green"),
    ];
    let list = |f: Filter, n: i64| {
        let a = a.clone();
        let app = s.app.clone();
        async move {
            app.list_projects(&a, &f, "key", false, Page::first(n))
                .await
                .map(|(v, _)| v)
        }
    };
    let mut sections = vec![];
    for role in a.roles() {
        let mut sec = Section {
            role: role.as_str(),
            title: format!("{} home", role.label()),
            focus: role.focus(),
            stats: vec![],
            items: vec![],
            empty: String::new(),
            links: vec![],
            overdue: vec![],
        };
        match role {
            Role::PmoDirector | Role::PortfolioManager | Role::PmoAnalyst => {
                sec.stats = rag_stats.clone();
                let red = list(
                    Filter {
                        status: Some(Rag::Red),
                        ..Default::default()
                    },
                    10,
                )
                .await?;
                sec.items = red.iter().map(item).collect();
                sec.empty = "No project is red. Nothing needs escalation today.".into();
                sec.links = vec![
                    ("/overview", "Portfolio overview"),
                    ("/projects?status=red", "All red projects"),
                    ("/portfolios", "Portfolios"),
                ];
                if role == Role::PortfolioManager || role == Role::PmoDirector {
                    let counts = s.app.proposal_counts(a).await?;
                    let n = |st: ProposalState| {
                        counts.iter().find(|(x, _)| *x == st).map_or(0, |(_, n)| *n)
                    };
                    sec.stats.extend([
                        (
                            "proposals to screen".to_owned(),
                            n(ProposalState::Submitted).to_string(),
                            "",
                        ),
                        (
                            "to score".to_owned(),
                            n(ProposalState::Screened).to_string(),
                            "",
                        ),
                        (
                            "awaiting decision".to_owned(),
                            n(ProposalState::Scored).to_string(),
                            "",
                        ),
                    ]);
                    sec.links
                        .push(("/proposals?state=submitted", "Proposals to screen"));
                    sec.links.push(("/scenarios", "Scenarios"));
                    sec.links.push(("/strategy", "Strategy"));
                }
                if role == Role::PmoDirector {
                    sec.overdue = overdue_rows(s, a, None).await?;
                    sec.links.push(("/settings", "PMO operating mode"));
                    sec.links.push(("/audit", "Audit trail"));
                }
            }
            Role::ProgramManager => {
                let (programs, _) = s
                    .app
                    .list_programs(a, None, None, false, "key", false, Page::first(20))
                    .await?;
                sec.items = programs
                    .iter()
                    .map(|p| {
                        (
                            format!("{} {}", p.key, p.name),
                            format!("/programs/{}", p.id),
                            "",
                            String::new(),
                        )
                    })
                    .collect();
                sec.empty = "No program is assigned to you yet.".into();
                sec.links = vec![
                    ("/programs", "Programs"),
                    ("/projects?status=red", "Red projects"),
                ];
            }
            Role::ProjectManager | Role::SeniorProjectManager => {
                let mine = list(
                    Filter {
                        manager_id: Some(a.user_id),
                        ..Default::default()
                    },
                    50,
                )
                .await?;
                sec.title = format!("{} home: your projects", role.label());
                sec.stats = vec![
                    ("projects you manage".into(), mine.len().to_string(), ""),
                    (
                        "red".into(),
                        mine.iter()
                            .filter(|p| p.status == Rag::Red)
                            .count()
                            .to_string(),
                        "red",
                    ),
                    (
                        "amber".into(),
                        mine.iter()
                            .filter(|p| p.status == Rag::Amber)
                            .count()
                            .to_string(),
                        "amber",
                    ),
                ];
                sec.items = mine.iter().map(item).collect();
                sec.overdue = overdue_rows(s, a, Some(a.user_id)).await?;
                let waiting = s.app.timesheets_waiting(a).await?;
                sec.stats.push((
                    "timesheets to approve".into(),
                    waiting.iter().map(|(_, n)| n).sum::<i64>().to_string(),
                    "",
                ));
                for (p, n) in waiting.iter().take(10) {
                    sec.items.push((
                        format!("{} {}: {n} timesheet(s) to approve", p.key, p.name),
                        format!("/projects/{}/timesheets", p.id),
                        "",
                        String::new(),
                    ));
                }
                sec.empty =
                    "You manage no project yet. Projects assigned to you appear here.".into();
                sec.links = vec![("/projects", "All your visible projects")];
            }
            Role::Sponsor => {
                let mine = list(
                    Filter {
                        sponsor_id: Some(a.user_id),
                        ..Default::default()
                    },
                    50,
                )
                .await?;
                sec.items = mine.iter().map(item).collect();
                sec.empty = "You sponsor no project yet.".into();
            }
            Role::ResourceManager => {
                let (open, _) = s
                    .app
                    .list_requests(
                        a,
                        atrium_store::resource::RequestFilter {
                            open: true,
                            ..Default::default()
                        },
                        "start",
                        false,
                        Page::first(10),
                    )
                    .await?;
                let conflicts = s.app.conflicts(a, None, s.app.today(), 12, 500).await?;
                sec.stats = vec![
                    (
                        "open requests".into(),
                        if open.len() == 10 {
                            "10+".into()
                        } else {
                            open.len().to_string()
                        },
                        "",
                    ),
                    (
                        "over-allocations in the next 12 weeks".into(),
                        conflicts.len().to_string(),
                        if conflicts.is_empty() { "" } else { "red" },
                    ),
                ];
                sec.items = open
                    .iter()
                    .map(|r| {
                        (
                            format!("Request: {}", r.describe()),
                            format!("/resources/requests/{}", r.id),
                            "",
                            format!("{} → {}", r.start, r.finish),
                        )
                    })
                    .collect();
                sec.empty = "No open resource request.".into();
                sec.links = vec![
                    ("/resources", "Capacity heat map"),
                    ("/resources/conflicts", "Over-allocations"),
                    ("/resources/requests", "Requests"),
                    ("/people", "Resource pool"),
                ];
            }
            Role::RiskManager => {
                let o = s.app.risk_overview(a, None, None).await?;
                let m = &o.matrix;
                sec.stats = vec![
                    ("open risks".into(), o.open.to_string(), ""),
                    (
                        "threat exposure (EMV)".into(),
                        atrium_core::money::Minor(o.threat_emv).format(),
                        "",
                    ),
                    (
                        "threats not assessed".into(),
                        o.heat.threats.not_assessed.len().to_string(),
                        if o.heat.threats.not_assessed.is_empty() {
                            ""
                        } else {
                            "amber"
                        },
                    ),
                ];
                sec.items = o
                    .top
                    .iter()
                    .take(8)
                    .map(|r| {
                        let score = (r.probability.unwrap_or(0) * r.impact.unwrap_or(0)) as u32;
                        (
                            format!(
                                "{} R-{} {}",
                                r.project_key.clone().unwrap_or_default(),
                                r.number,
                                r.title
                            ),
                            format!("/risks/{}", r.id),
                            if m.band_of(score) + 1 >= m.bands.len() {
                                "red"
                            } else {
                                "amber"
                            },
                            format!(
                                "score {score} · EMV {}",
                                atrium_core::money::Minor(r.emv).format()
                            ),
                        )
                    })
                    .collect();
                sec.empty = "No rated open threat yet.".into();
                sec.links = vec![
                    ("/risks", "Risk across the portfolio"),
                    ("/settings/risk-appetite", "Risk appetite"),
                    ("/settings/risk-matrix", "The risk matrix"),
                ];
            }
            Role::Admin => {
                sec.stats = vec![("users".into(), s.app.user_count().await?.to_string(), "")];
                sec.links = vec![
                    ("/admin/users", "Users and roles"),
                    ("/settings", "Organization settings"),
                    ("/audit", "Audit trail"),
                ];
            }
            Role::TeamMember => {
                let tasks = s.app.my_tasks(a, 20).await?;
                sec.title = "Team Member home: your tasks".into();
                sec.stats = vec![(
                    "open tasks assigned to you".into(),
                    tasks.len().to_string(),
                    "",
                )];
                sec.items = tasks
                    .iter()
                    .map(|t| {
                        (
                            format!("{}:{} {}", t.project_key, t.uid, t.name),
                            format!(
                                "/projects/{}/timesheets?week={}",
                                t.project_id,
                                atrium_core::timesheet::week_of(s.app.today())
                            ),
                            "",
                            format!("{} → {} · {}% done", t.start, t.finish, t.percent_complete),
                        )
                    })
                    .collect();
                sec.empty = "No open task is assigned to you. Tasks assigned to you in project plans appear here, with a link to log your hours.".into();
                sec.links = vec![("/projects", "Your projects")];
            }
            Role::GovernanceOfficer => {
                sec.links = vec![
                    ("/audit", "Audit trail"),
                    ("/overview", "Portfolio overview"),
                ];
                sec.empty =
                    "Stage-gate reviews and compliance findings will be listed here.".into();
            }
            _ => {
                sec.empty = format!(
                    "Nothing waits for you yet. As a {} you will act here on: {}",
                    role.label(),
                    role.focus()
                );
                sec.links = vec![("/overview", "Portfolio overview")];
            }
        }
        sections.push(sec);
    }
    // The risk manager and the director see appetite breaches.
    if a.roles()
        .iter()
        .any(|r| matches!(r, Role::RiskManager | Role::PmoDirector))
    {
        let breaches = s.app.appetite_breaches(a).await?;
        if !breaches.is_empty() {
            sections.push(Section {
                role: "risk_appetite",
                title: "Risk appetite breached".into(),
                focus: "Limits of the organization's risk appetite that open risks exceed now.",
                stats: vec![("breaches".into(), breaches.len().to_string(), "red")],
                items: breaches
                    .iter()
                    .map(|b| {
                        (
                            format!("{} — {}", b.statement, b.scope),
                            "/settings/risk-appetite".to_owned(),
                            "red",
                            b.measure.clone(),
                        )
                    })
                    .collect(),
                empty: String::new(),
                links: vec![("/risks", "Risk across the portfolio")],
                overdue: vec![],
            });
        }
    }
    // Risk owners see the risks whose review or actions are overdue.
    let due = s.app.my_risks_due(a).await?;
    if !due.is_empty() {
        sections.push(Section {
            role: "risk_owner",
            title: "Your risks to review".into(),
            focus: "Risks you own whose review date or actions are overdue.",
            stats: vec![("overdue".into(), due.len().to_string(), "amber")],
            items: due
                .iter()
                .map(|d| {
                    (
                        format!("{} {} {}", d.project_key, d.risk.reference(), d.risk.title),
                        format!("/risks/{}", d.risk.id),
                        "amber",
                        d.reasons.join("; "),
                    )
                })
                .collect(),
            empty: String::new(),
            links: vec![],
            overdue: vec![],
        });
    }
    // Line managers (department heads) see the requests for their people.
    if let Some((me, _, _)) = atrium_store::plan::person_of_user(&s.app.db, a.user_id).await?
        && !atrium_store::people::reports_of(&s.app.db, me)
            .await?
            .is_empty()
    {
        let (reqs, _) = s
            .app
            .list_requests(
                a,
                atrium_store::resource::RequestFilter {
                    line_manager: Some(me),
                    ..Default::default()
                },
                "updated",
                true,
                Page::first(10),
            )
            .await?;
        sections.push(Section {
            role: "line_manager",
            title: "Requests for your people".into(),
            focus: "People you manage who are proposed for or committed to projects.",
            stats: vec![],
            items: reqs
                .iter()
                .map(|r| {
                    (
                        format!("{} — {}", r.describe(), r.state.label()),
                        format!("/resources/requests/{}", r.id),
                        "",
                        format!("{} → {}", r.start, r.finish),
                    )
                })
                .collect(),
            empty: "No request names one of your people.".into(),
            links: vec![(
                "/resources/requests?mine=reports",
                "All requests for your people",
            )],
            overdue: vec![],
        });
    }
    Ok(HomePage {
        nav: Nav::new(a, "/"),
        org: settings.name.clone(),
        mode: settings.operating_mode.as_str().into(),
        today: s.app.today().to_string(),
        sections,
    })
}

pub struct Row {
    pub id: String,
    pub key: String,
    pub name: String,
    pub program: String,
    pub phase: String,
    pub manager: String,
    pub finish: String,
    pub note: String,
    pub rag: &'static str,
}

pub struct Group {
    pub id: String,
    pub name: String,
    pub count: usize,
    pub more: usize,
    pub projects: Vec<Row>,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    nav: Nav,
    green: i64,
    amber: i64,
    red: i64,
    groups: Vec<Group>,
}

/// Rows shown per portfolio before "more…".
const PER_GROUP: usize = 25;

async fn overview(State(s): State<AppState>, PageUser(a): PageUser) -> Response {
    let r: atrium_app::Result<OverviewPage> = async {
        let vis = atrium_app::permissions::visibility(&a);
        let counts = atrium_store::project::counts_by_portfolio(&s.app.db, &vis).await?;
        let count = |r: &str| {
            counts
                .iter()
                .filter(|(_, k, _)| k == r)
                .map(|(_, _, n)| *n)
                .sum::<i64>()
        };
        let lk = s.app.lookups().await?;
        let projects =
            atrium_store::project::most_urgent_per_portfolio(&s.app.db, &vis, PER_GROUP as i64)
                .await?;
        let mut by: BTreeMap<String, Group> = BTreeMap::new();
        for p in projects {
            let g = by.entry(lk.portfolio(p.portfolio_id)).or_insert_with(|| {
                let total: i64 = counts
                    .iter()
                    .filter(|(id, _, _)| *id == p.portfolio_id)
                    .map(|(_, _, n)| *n)
                    .sum();
                Group {
                    id: p.portfolio_id.to_string(),
                    name: lk.portfolio(p.portfolio_id),
                    count: usize::try_from(total).unwrap_or(0),
                    more: usize::try_from(total)
                        .unwrap_or(0)
                        .saturating_sub(PER_GROUP),
                    projects: vec![],
                }
            });
            g.projects.push(Row {
                id: p.id.to_string(),
                key: p.key.clone(),
                name: p.name.clone(),
                program: lk.program(p.program_id),
                phase: p.phase.label().into(),
                manager: lk.user(p.manager_id),
                finish: p.planned_finish.map(|d| d.to_string()).unwrap_or_default(),
                note: p.status_note.clone().unwrap_or_default(),
                rag: p.status.as_str(),
            });
        }
        Ok(OverviewPage {
            nav: Nav::new(&a, "/overview"),
            green: count("green"),
            amber: count("amber"),
            red: count("red"),
            groups: by.into_values().collect(),
        })
    }
    .await;
    match r {
        Ok(p) => render(&p),
        Err(e) => crate::views::app_error_page(e),
    }
}
