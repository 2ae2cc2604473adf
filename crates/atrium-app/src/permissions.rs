//! THE permission table: which role may do which action, and on which scope. Every use case
//! asks [`authorize`] before it touches data; the web layer's authorization-matrix test
//! walks every route with every role against this table.

use crate::auth::Actor;
use crate::error::{AppError, Result};
use atrium_core::identity::{Placement, Role, Scope};
use atrium_core::org::OperatingMode;
use atrium_store::project::Visibility;

/// Everything a caller can ask Atrium to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read portfolios, programs, projects (limited to the grant's scope).
    ReadRecords,
    CreatePortfolio,
    UpdatePortfolio,
    ArchivePortfolio,
    CreateProgram,
    UpdateProgram,
    ArchiveProgram,
    CreateProject,
    UpdateProject,
    ArchiveProject,
    /// Set or change a project's manager (restricted to the PMO in directive mode).
    AssignProjectManager,
    ReadPeople,
    ManagePeople,
    ReadSettings,
    UpdateSettings,
    ReadUsers,
    ManageUsers,
    ReadAudit,
    /// Read strategic drivers, weights and scoring settings.
    ReadStrategy,
    /// Change drivers, weights (directly or by pairwise comparison) and scoring settings.
    ManageStrategy,
    /// Read proposals (business cases), the ranked list and portfolio analysis.
    ReadProposals,
    CreateProposal,
    /// Edit a business case and submit it.
    UpdateProposal,
    /// Screen, score and reopen proposals.
    ScreenProposal,
    /// Approve, defer or reject a scored proposal (approval creates the project).
    DecideProposal,
    ReadScenarios,
    /// Create, change, copy and delete uncommitted scenarios.
    ManageScenarios,
    /// Commit a scenario: apply proceed / defer / terminate to every item.
    CommitScenario,
    /// Read a project's plan, Gantt, baselines, costs and earned value.
    ReadPlan,
    /// Edit tasks, links, assignments, budget and expenses; import a plan; set baselines.
    EditPlan,
    /// Log one's own hours on a project's tasks and submit the week.
    LogTime,
    /// Approve or reject submitted timesheets (approved hours become actual work and cost).
    ApproveTimesheet,
    /// Read status reports, the issue / decision / change log and lessons learned.
    ReadDelivery,
    /// Write and submit status reports.
    WriteStatusReport,
    /// Raise and update issues, decisions and change requests.
    EditLog,
    /// Approve or reject a change request (approval applies its impact).
    DecideChange,
    /// Record a project's lessons learned (needed to close it).
    RecordLessons,
    /// Save and edit project templates.
    ManageTemplates,
    /// See the whole pool's capacity against demand: heat maps, conflicts, utilization,
    /// skill gaps, what-if, every resource request and allocation.
    ReadCapacity,
    /// Ask for a role or skills for a project (and cancel the request, or accept the person
    /// the resource manager proposed).
    RequestResource,
    /// Propose people for requests, commit or reject them, and change allocations.
    AllocateResource,
    /// Read risk registers (limited to the grant's scope) and the organization's matrix.
    ReadRisks,
    /// Record, rate and update risks of the registers in scope.
    EditRisks,
    /// Set the organization's risk matrix (scales, dimensions, bands).
    ManageRiskMatrix,
    /// Read the organization's risk matrix (reference data for every register).
    ReadRiskMatrix,
    /// Accept or return a risk escalated to a program, portfolio or enterprise register.
    DecideEscalation,
}

use Role::*;

const EVERYONE: &[Role] = Role::ALL;
const PMO_LEADS: &[Role] = &[PmoDirector, PortfolioManager];
const DELIVERY: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    ProgramManager,
    SeniorProjectManager,
    ProjectManager,
];

/// Who may propose an investment and edit its business case.
const PROPOSERS: &[Role] = &[
    PmoDirector,
    PortfolioManager,
    ProgramManager,
    SeniorProjectManager,
    ProjectManager,
    Sponsor,
];
/// Portfolio scenario planning (the analyst models, the leads decide).
const SCENARIO_PLANNERS: &[Role] = &[PmoDirector, PortfolioManager, PmoAnalyst];

/// The table. `mode` is the organization's PMO operating mode.
pub fn roles_for(action: Action, mode: OperatingMode) -> &'static [Role] {
    match action {
        Action::ReadRecords | Action::ReadPeople | Action::ReadSettings => EVERYONE,
        Action::CreatePortfolio | Action::UpdatePortfolio | Action::ArchivePortfolio => PMO_LEADS,
        Action::CreateProgram | Action::ArchiveProgram => PMO_LEADS,
        Action::UpdateProgram => &[PmoDirector, PortfolioManager, ProgramManager],
        Action::CreateProject | Action::AssignProjectManager => match mode {
            OperatingMode::Directive => PMO_LEADS,
            _ => DELIVERY,
        },
        Action::UpdateProject => DELIVERY,
        Action::ArchiveProject => &[PmoDirector, PortfolioManager, ProgramManager],
        Action::ManagePeople => &[PmoDirector, ResourceManager, Admin],
        Action::UpdateSettings => &[PmoDirector, Admin],
        Action::ReadUsers => &[PmoDirector, Admin],
        Action::ManageUsers => &[Admin],
        Action::ReadAudit => &[PmoDirector, GovernanceOfficer, Admin],
        Action::ReadStrategy | Action::ReadProposals => EVERYONE,
        Action::ManageStrategy | Action::ScreenProposal | Action::CommitScenario => PMO_LEADS,
        Action::CreateProposal | Action::UpdateProposal => PROPOSERS,
        // Directive mode: only the PMO approves investments.
        Action::DecideProposal => match mode {
            OperatingMode::Directive => PMO_LEADS,
            _ => &[PmoDirector, PortfolioManager, Sponsor],
        },
        Action::ReadScenarios | Action::ManageScenarios => SCENARIO_PLANNERS,
        Action::ReadPlan | Action::ReadDelivery | Action::LogTime => EVERYONE,
        Action::EditPlan | Action::ApproveTimesheet | Action::WriteStatusReport => DELIVERY,
        Action::EditLog => &[
            PmoDirector,
            PortfolioManager,
            ProgramManager,
            SeniorProjectManager,
            ProjectManager,
            ChangeManager,
            RiskManager,
            GovernanceOfficer,
            Sponsor,
            TeamMember,
        ],
        // The sponsor decides changes to their project; in directive mode the PMO leads may
        // too, otherwise the program manager may as well.
        Action::DecideChange => match mode {
            OperatingMode::Directive => &[PmoDirector, PortfolioManager, Sponsor],
            _ => &[PmoDirector, PortfolioManager, ProgramManager, Sponsor],
        },
        Action::RecordLessons => &[
            PmoDirector,
            PortfolioManager,
            ProgramManager,
            SeniorProjectManager,
            ProjectManager,
            KnowledgeManager,
        ],
        Action::ManageTemplates => &[
            PmoDirector,
            PortfolioManager,
            SeniorProjectManager,
            KnowledgeManager,
        ],
        Action::ReadCapacity => &[
            PmoDirector,
            PortfolioManager,
            ProgramManager,
            SeniorProjectManager,
            ProjectManager,
            PmoAnalyst,
            ResourceManager,
        ],
        Action::RequestResource => DELIVERY,
        Action::AllocateResource => &[PmoDirector, ResourceManager],
        Action::ReadRisks => EVERYONE,
        Action::EditRisks => &[
            PmoDirector,
            PortfolioManager,
            ProgramManager,
            SeniorProjectManager,
            ProjectManager,
            RiskManager,
        ],
        Action::ManageRiskMatrix => &[PmoDirector, RiskManager],
        Action::ReadRiskMatrix => EVERYONE,
        Action::DecideEscalation => &[PmoDirector, PortfolioManager, ProgramManager, RiskManager],
    }
}

/// Actions that only make sense organization-wide: a scoped grant never allows them.
fn organization_only(action: Action) -> bool {
    matches!(
        action,
        Action::CreatePortfolio
            | Action::ManagePeople
            | Action::UpdateSettings
            | Action::ReadUsers
            | Action::ManageUsers
            | Action::ReadAudit
            | Action::ManageStrategy
            | Action::ManageTemplates
            | Action::AllocateResource
            | Action::ManageRiskMatrix
    )
}

/// Organization-wide reference data every signed-in user may read, whatever the scope of
/// their grants (the resource pool directory, the working calendar and settings).
fn any_scope(action: Action) -> bool {
    matches!(
        action,
        Action::ReadPeople
            | Action::ReadSettings
            | Action::ReadStrategy
            | Action::ReadCapacity
            | Action::ReadRiskMatrix
    )
}

/// Whether `actor` may do `action` on a record placed at `at`.
pub fn allows(actor: &Actor, action: Action, at: &Placement, mode: OperatingMode) -> bool {
    let roles = roles_for(action, mode);
    actor.grants.iter().any(|g| {
        roles.contains(&g.role)
            && (g.scope == Scope::Organization
                || any_scope(action)
                || (!organization_only(action) && at.covered_by(&g.scope)))
    })
}

pub fn authorize(actor: &Actor, action: Action, at: &Placement, mode: OperatingMode) -> Result<()> {
    if allows(actor, action, at, mode) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// What `actor` may read: everything with an organization-wide grant, else the union of
/// its scopes.
pub fn visibility(actor: &Actor) -> Visibility {
    if actor.grants.iter().any(|g| g.scope == Scope::Organization) {
        return Visibility::All;
    }
    let (mut portfolios, mut programs, mut projects) = (vec![], vec![], vec![]);
    for g in &actor.grants {
        match g.scope {
            Scope::Portfolio(id) => portfolios.push(id),
            Scope::Program(id) => programs.push(id),
            Scope::Project(id) => projects.push(id),
            Scope::Organization => {}
        }
    }
    Visibility::Scoped {
        portfolios,
        programs,
        projects,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_core::identity::Grant;
    use uuid::Uuid;

    fn actor(role: Role, scope: Scope) -> Actor {
        Actor {
            user_id: Uuid::nil(),
            email: "a@b.c".into(),
            name: "A".into(),
            grants: vec![Grant { role, scope }],
            csrf: String::new(),
        }
    }

    #[test]
    fn scoped_project_manager_edits_only_its_project() {
        let (pf, prj, other) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let pm = actor(ProjectManager, Scope::Project(prj));
        let mine = Placement {
            portfolio: Some(pf),
            program: None,
            project: Some(prj),
        };
        let theirs = Placement {
            portfolio: Some(pf),
            program: None,
            project: Some(other),
        };
        assert!(allows(
            &pm,
            Action::UpdateProject,
            &mine,
            OperatingMode::Supportive
        ));
        assert!(!allows(
            &pm,
            Action::UpdateProject,
            &theirs,
            OperatingMode::Supportive
        ));
        assert!(!allows(
            &pm,
            Action::ArchiveProject,
            &mine,
            OperatingMode::Supportive
        ));
    }

    #[test]
    fn directive_mode_reserves_project_creation_to_the_pmo() {
        let pm = actor(ProjectManager, Scope::Organization);
        let at = Placement {
            portfolio: Some(Uuid::from_u128(1)),
            ..Default::default()
        };
        assert!(allows(
            &pm,
            Action::CreateProject,
            &at,
            OperatingMode::Controlling
        ));
        assert!(!allows(
            &pm,
            Action::CreateProject,
            &at,
            OperatingMode::Directive
        ));
        let dir = actor(PmoDirector, Scope::Organization);
        assert!(allows(
            &dir,
            Action::CreateProject,
            &at,
            OperatingMode::Directive
        ));
    }

    #[test]
    fn settings_only_for_director_and_admin_organization_wide() {
        for r in Role::ALL {
            let a = actor(*r, Scope::Organization);
            let ok = allows(
                &a,
                Action::UpdateSettings,
                &Placement::ORGANIZATION,
                OperatingMode::Supportive,
            );
            assert_eq!(ok, matches!(r, PmoDirector | Admin), "{r}");
        }
        let scoped = actor(PmoDirector, Scope::Portfolio(Uuid::from_u128(1)));
        let at = Placement {
            portfolio: Some(Uuid::from_u128(1)),
            ..Default::default()
        };
        assert!(!allows(
            &scoped,
            Action::UpdateSettings,
            &at,
            OperatingMode::Supportive
        ));
    }
}
