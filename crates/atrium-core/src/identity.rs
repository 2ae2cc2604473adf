//! Who may act: the sixteen PMO roles, the scopes a role is granted on, and e-mail addresses.
//! The permission table that maps (role, action, scope) to allow lives in atrium-app.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! roles {
    ($($variant:ident = $name:literal, $label:literal, $home:literal;)*) => {
        /// A PMO role (DESIGN.md §4, a contract: the names are stable).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Role { $($variant),* }

        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $(Role::$variant => $name),* } }
            pub fn label(self) -> &'static str { match self { $(Role::$variant => $label),* } }
            /// What this role acts on in Atrium, shown on its home page.
            pub fn focus(self) -> &'static str { match self { $(Role::$variant => $home),* } }
            pub fn parse(s: &str) -> Option<Role> { match s { $($name => Some(Role::$variant),)* _ => None } }
        }
    };
}

roles! {
    PmoDirector = "pmo_director", "PMO Director", "Portfolio health, escalations and decisions, the PMO operating mode, overdue status reports.";
    PortfolioManager = "portfolio_manager", "Portfolio Manager", "Proposals to screen and score, the prioritized portfolio, optimization under budget and capacity, portfolio health.";
    ProgramManager = "program_manager", "Program Manager", "Programs of related projects, cross-project dependencies and conflicts, escalations, program benefits.";
    SeniorProjectManager = "senior_project_manager", "Senior Project Manager", "Complex projects you lead, peer reviews of plans and risk registers, mentoring.";
    ProjectManager = "project_manager", "Project Manager", "Your projects: schedule, budget, risks and issues, the status report due this cycle.";
    PmoAnalyst = "pmo_analyst", "PMO Analyst", "Dashboards, trends over portfolio snapshots, exports for Excel and Power BI.";
    ResourceManager = "resource_manager", "Resource Manager", "The resource pool, allocation requests, capacity against demand, over-allocations.";
    ChangeManager = "change_manager", "Change Manager", "Stakeholder impact, communication plans, adoption after go-live.";
    GovernanceOfficer = "governance_officer", "Governance Officer", "Methodology, stage-gate reviews, compliance findings, the audit trail.";
    RiskManager = "risk_manager", "Risk Manager", "Risk registers on one matrix, portfolio concentrations, appetite breaches, escalations.";
    BenefitsManager = "benefits_manager", "Benefits Manager", "Benefits registers, measurements after closure, realized against promised.";
    TrainingCoordinator = "training_coordinator", "Training Coordinator", "Courses, certifications and their renewals, competency gaps.";
    KnowledgeManager = "knowledge_manager", "Knowledge Manager", "Lessons learned, post-project reviews, templates and guides.";
    Sponsor = "sponsor", "Sponsor", "Projects you sponsor: decisions and approvals waiting for you, benefits you own.";
    TeamMember = "team_member", "Team Member", "Your tasks and your timesheet.";
    Admin = "admin", "Administrator", "Users, roles, organization settings and the audit trail.";
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a grant applies: the whole organization or one portfolio, program or project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    Organization,
    Portfolio(Uuid),
    Program(Uuid),
    Project(Uuid),
}

impl Scope {
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Organization => "organization",
            Scope::Portfolio(_) => "portfolio",
            Scope::Program(_) => "program",
            Scope::Project(_) => "project",
        }
    }
    pub fn id(&self) -> Option<Uuid> {
        match *self {
            Scope::Organization => None,
            Scope::Portfolio(id) | Scope::Program(id) | Scope::Project(id) => Some(id),
        }
    }
    pub fn from_parts(kind: &str, id: Option<Uuid>) -> Option<Scope> {
        match (kind, id) {
            ("organization", None) => Some(Scope::Organization),
            ("portfolio", Some(id)) => Some(Scope::Portfolio(id)),
            ("program", Some(id)) => Some(Scope::Program(id)),
            ("project", Some(id)) => Some(Scope::Project(id)),
            _ => None,
        }
    }
}

/// Where a record sits in the hierarchy; a grant covers a record when its scope is the
/// organization or any of the record's ancestors (or the record itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placement {
    pub portfolio: Option<Uuid>,
    pub program: Option<Uuid>,
    pub project: Option<Uuid>,
}

impl Placement {
    pub const ORGANIZATION: Placement = Placement {
        portfolio: None,
        program: None,
        project: None,
    };

    pub fn covered_by(&self, scope: &Scope) -> bool {
        match *scope {
            Scope::Organization => true,
            Scope::Portfolio(id) => self.portfolio == Some(id),
            Scope::Program(id) => self.program == Some(id),
            Scope::Project(id) => self.project == Some(id),
        }
    }
}

/// A role granted on a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// A textual grant as typed on the command line: `role` or `role:KEY` or `role:kind:KEY`,
/// e.g. `project_manager:PRJ-042`, `portfolio_manager:portfolio:DIGITAL`. The key is
/// resolved to an id by the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantSpec {
    pub role: Role,
    /// (`portfolio`|`program`|`project`|`any`, key); `None` means the organization.
    pub scope: Option<(String, String)>,
}

impl GrantSpec {
    pub fn parse(s: &str) -> Result<GrantSpec, String> {
        let mut parts = s.splitn(3, ':');
        let role_s = parts.next().unwrap_or_default().trim();
        let role = Role::parse(role_s).ok_or_else(|| {
            let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            format!(
                "unknown role `{role_s}`; expected one of {}",
                names.join(", ")
            )
        })?;
        let scope = match (parts.next(), parts.next()) {
            (None, _) => None,
            (Some(key), None) => Some(("any".to_owned(), key.trim().to_owned())),
            (Some(kind), Some(key)) => {
                let kind = kind.trim();
                if !matches!(kind, "portfolio" | "program" | "project") {
                    return Err(format!(
                        "unknown scope kind `{kind}`; expected portfolio, program or project"
                    ));
                }
                Some((kind.to_owned(), key.trim().to_owned()))
            }
        };
        if let Some((_, key)) = &scope
            && key.is_empty()
        {
            return Err("the scope key after `:` is empty".to_owned());
        }
        Ok(GrantSpec { role, scope })
    }
}

/// A normalized e-mail address (trimmed, lower-case, one `@`, a dot in the domain).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email, String> {
        let s = s.trim().to_lowercase();
        if s.len() > crate::validation::limits::EMAIL {
            return Err("is too long".into());
        }
        let (local, domain) = s.split_once('@').ok_or("must contain @")?;
        let ok = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Email(s))
        } else {
            Err("is not a valid e-mail address".into())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Password rules: long enough to resist guessing, bounded so hashing cannot be abused.
pub fn check_password(p: &str) -> Result<(), String> {
    let n = p.chars().count();
    if n < 10 {
        return Err("must be at least 10 characters".into());
    }
    if p.len() > 1024 {
        return Err("must be at most 1024 bytes".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_roles_round_trip() {
        assert_eq!(Role::ALL.len(), 16);
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
    }

    #[test]
    fn grant_specs() {
        assert_eq!(
            GrantSpec::parse("admin").unwrap(),
            GrantSpec {
                role: Role::Admin,
                scope: None
            }
        );
        let g = GrantSpec::parse("project_manager:PRJ-042").unwrap();
        assert_eq!(g.scope, Some(("any".into(), "PRJ-042".into())));
        let g = GrantSpec::parse("portfolio_manager:portfolio:DIG").unwrap();
        assert_eq!(g.scope, Some(("portfolio".into(), "DIG".into())));
        assert!(
            GrantSpec::parse("boss")
                .unwrap_err()
                .contains("unknown role")
        );
        assert!(GrantSpec::parse("sponsor:team:X").is_err());
        assert!(GrantSpec::parse("sponsor:").is_err());
    }

    #[test]
    fn placement_coverage() {
        let (pf, pg, pr) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let p = Placement {
            portfolio: Some(pf),
            program: Some(pg),
            project: Some(pr),
        };
        assert!(p.covered_by(&Scope::Organization));
        assert!(p.covered_by(&Scope::Portfolio(pf)));
        assert!(p.covered_by(&Scope::Program(pg)));
        assert!(p.covered_by(&Scope::Project(pr)));
        assert!(!p.covered_by(&Scope::Project(pf)));
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        assert!(Email::parse("nope").is_err());
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse("a b@c.d").is_err());
    }
}
