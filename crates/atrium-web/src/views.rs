//! View models shared by the HTML pages: the layout (navigation by role), generic list,
//! form and detail pages, and error pages.

use askama::Template;
use atrium_app::{Actor, AppError};
use atrium_core::FieldError;
use atrium_core::identity::Role;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// The frame of every signed-in page.
pub struct Nav {
    pub user: String,
    pub roles: String,
    pub csrf: String,
    pub links: Vec<(&'static str, &'static str)>,
    pub current: String,
}

impl Nav {
    pub fn new(a: &Actor, current: &str) -> Nav {
        let roles = a.roles();
        let has = |r: &[Role]| roles.iter().any(|x| r.contains(x));
        let mut links = vec![
            ("/", "Home"),
            ("/overview", "Portfolio overview"),
            ("/projects", "Projects"),
            ("/programs", "Programs"),
            ("/portfolios", "Portfolios"),
            ("/people", "People"),
        ];
        if has(&[
            Role::PmoDirector,
            Role::PortfolioManager,
            Role::ProgramManager,
            Role::SeniorProjectManager,
            Role::ProjectManager,
            Role::PmoAnalyst,
            Role::ResourceManager,
        ]) {
            links.push(("/resources", "Resources"));
        }
        if has(&[
            Role::PmoDirector,
            Role::PortfolioManager,
            Role::ProgramManager,
            Role::SeniorProjectManager,
            Role::PmoAnalyst,
            Role::RiskManager,
        ]) {
            links.push(("/risks", "Risks"));
        }
        links.push(("/strategy", "Strategy"));
        links.push(("/proposals", "Proposals"));
        links.push(("/templates", "Templates"));
        if has(&[Role::PmoDirector, Role::PortfolioManager, Role::PmoAnalyst]) {
            links.push(("/scenarios", "Scenarios"));
        }
        links.push(("/settings", "Settings"));
        if has(&[Role::PmoDirector, Role::GovernanceOfficer, Role::Admin]) {
            links.push(("/audit", "Audit trail"));
        }
        if has(&[Role::PmoDirector, Role::Admin]) {
            links.push(("/admin/users", "Users"));
        }
        links.push(("/api/docs", "API"));
        Nav {
            user: a.name.clone(),
            roles: roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            csrf: a.csrf.clone(),
            links,
            current: current.to_owned(),
        }
    }
}

pub enum FieldKind {
    Text,
    Textarea,
    Select,
    Date,
    Email,
    Password,
    Checks,
    Hidden,
}

/// One form field with its value as typed and its error, if any.
pub struct Field {
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    pub value: String,
    /// (value, label, selected)
    pub options: Vec<(String, String, bool)>,
    pub error: Option<String>,
    pub help: &'static str,
    pub required: bool,
}

impl Field {
    pub fn text(
        name: impl Into<String>,
        label: impl Into<String>,
        value: impl Into<String>,
    ) -> Field {
        Field {
            name: name.into(),
            label: label.into(),
            kind: FieldKind::Text,
            value: value.into(),
            options: vec![],
            error: None,
            help: "",
            required: false,
        }
    }
    pub fn kind(mut self, k: FieldKind) -> Self {
        self.kind = k;
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn help(mut self, h: &'static str) -> Self {
        self.help = h;
        self
    }
    /// A select whose options are (value, label); the current value is selected.
    pub fn select(
        name: impl Into<String>,
        label: impl Into<String>,
        value: impl Into<String>,
        opts: Vec<(String, String)>,
    ) -> Field {
        let value = value.into();
        let options = opts.into_iter().map(|(v, l)| {
            let sel = v == value;
            (v, l, sel)
        });
        Field {
            name: name.into(),
            label: label.into(),
            kind: FieldKind::Select,
            options: options.collect(),
            value,
            error: None,
            help: "",
            required: false,
        }
    }
    pub fn is(&self, k: &str) -> bool {
        matches!(
            (k, &self.kind),
            ("text", FieldKind::Text)
                | ("textarea", FieldKind::Textarea)
                | ("select", FieldKind::Select)
                | ("date", FieldKind::Date)
                | ("email", FieldKind::Email)
                | ("password", FieldKind::Password)
                | ("checks", FieldKind::Checks)
                | ("hidden", FieldKind::Hidden)
        )
    }
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            FieldKind::Date => "date",
            FieldKind::Email => "email",
            FieldKind::Password => "password",
            FieldKind::Hidden => "hidden",
            _ => "text",
        }
    }
}

/// Puts each error beside its field; errors for unknown fields go to the form's top.
pub fn attach_errors(fields: &mut [Field], errors: &[FieldError]) -> Vec<String> {
    let mut general = vec![];
    for e in errors {
        match fields.iter_mut().find(|f| f.name == e.field) {
            Some(f) => {
                f.error = Some(match &f.error {
                    Some(prev) => format!("{prev}; {}", e.message),
                    None => e.message.clone(),
                })
            }
            None => general.push(format!("{}: {}", e.field, e.message)),
        }
    }
    general
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub nav: Nav,
    pub title: String,
    pub action: String,
    pub fields: Vec<Field>,
    pub general_errors: Vec<String>,
    pub submit: &'static str,
    pub cancel: String,
    pub notice: String,
}

pub struct Col {
    pub label: &'static str,
    pub href: Option<String>,
    pub arrow: &'static str,
}

pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub class: String,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            href: None,
            class: String::new(),
        }
    }
    pub fn link(t: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            href: Some(href.into()),
            class: String::new(),
        }
    }
    pub fn class(mut self, c: impl Into<String>) -> Cell {
        self.class = c.into();
        self
    }
}

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub nav: Nav,
    pub title: String,
    pub intro: String,
    pub new_href: Option<String>,
    pub export_href: Option<String>,
    pub filters: Vec<Field>,
    pub action: String,
    pub sort: String,
    pub columns: Vec<Col>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub page_text: String,
}

#[derive(Template)]
#[template(path = "detail.html")]
pub struct DetailPage {
    pub nav: Nav,
    pub title: String,
    pub subtitle: String,
    pub badge: Option<(String, String)>,
    pub rows: Vec<(&'static str, Cell)>,
    pub actions: Vec<(String, &'static str)>,
    pub danger: Option<(String, &'static str)>,
    /// Sub-navigation (a project's workspace tabs); empty for other records.
    pub tabs: Vec<Tab>,
}

/// One tab of a record's sub-navigation.
#[derive(Debug, Clone)]
pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// The project workspace tabs; `current` is the path suffix of the open tab ("" = overview).
pub fn project_tabs(id: uuid::Uuid, current: &str) -> Vec<Tab> {
    [
        ("", "Overview"),
        ("/plan", "Plan"),
        ("/gantt", "Gantt"),
        ("/costs", "Costs"),
        ("/timesheets", "Timesheets"),
        ("/ev", "Earned value"),
        ("/reports", "Status reports"),
        ("/log", "Issues & changes"),
        ("/risks", "Risks"),
        ("/lessons", "Lessons"),
    ]
    .into_iter()
    .map(|(suffix, label)| Tab {
        href: format!("/projects/{id}{suffix}"),
        label,
        current: suffix == current,
    })
    .collect()
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub nav: Nav,
    pub title: String,
    pub message: String,
    pub action: String,
    pub version: i64,
    pub cancel: String,
    /// Label of the confirming button.
    pub button: &'static str,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: String,
    pub message: String,
}

pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let mut r = render(&ErrorPage {
        title: title.into(),
        message: message.into(),
    });
    *r.status_mut() = status;
    r
}

pub fn app_error_page(e: AppError) -> Response {
    let status = crate::error::status_of(&e);
    if let AppError::Internal(cause) = &e {
        tracing::error!(error = %cause, "internal error");
    }
    let title = match status {
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::CONFLICT => "Changed by someone else",
        _ => "Something went wrong",
    };
    let msg = match &e {
        AppError::Forbidden => {
            "Your roles do not allow this action here. Ask the PMO if you need it.".to_owned()
        }
        AppError::Internal(_) => "An internal error occurred; it has been logged.".to_owned(),
        other => other.to_string(),
    };
    error_page(status, title, &msg)
}

/// Percent-encodes a query-string value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
