//! Organization settings, the audit trail and user administration pages.

use super::check_csrf;
use crate::AppState;
use crate::extract::{FormData, PageUser};
use crate::views::*;
use atrium_app::AppError;
use atrium_core::identity::{Placement, Role};
use atrium_core::org::{OperatingMode, OrgSettings, OrgSettingsDraft, ReportingCycle, format_hhmm};
use atrium_store::Page;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(settings_page).post(settings_save))
        .route("/audit", get(audit_page))
        .route("/admin/users", get(users_page).post(user_add))
}

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn settings_fields(d: &OrgSettingsDraft) -> Vec<Field> {
    let months = (1..=12u8)
        .map(|m| {
            (
                m.to_string(),
                jiff::civil::date(2000, m as i8, 1)
                    .strftime("%B")
                    .to_string(),
            )
        })
        .collect();
    let modes = OperatingMode::ALL
        .iter()
        .map(|m| {
            (
                m.as_str().to_owned(),
                format!("{} — {}", m.as_str(), m.describe()),
            )
        })
        .collect();
    let cycles = ReportingCycle::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), c.as_str().to_owned()))
        .collect();
    let mut days = Field::text("working_days", "Working days", "").kind(FieldKind::Checks);
    days.options = DAYS
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                i.to_string(),
                (*n).to_owned(),
                d.working_days.get(i).copied().unwrap_or(false),
            )
        })
        .collect();
    vec![
        Field::text("name", "Organization name", &d.name).required(),
        Field::text("currency", "Currency", &d.currency)
            .required()
            .help("ISO 4217 code, e.g. EUR, USD, GBP."),
        Field::select(
            "fiscal_year_start_month",
            "Fiscal year starts in",
            &d.fiscal_year_start_month,
            months,
        ),
        Field::select(
            "operating_mode",
            "PMO operating mode",
            &d.operating_mode,
            modes,
        ),
        Field::select(
            "reporting_cycle",
            "Status reporting cycle",
            &d.reporting_cycle,
            cycles,
        ),
        days,
        Field::text("day_start", "Working day starts", &d.day_start).help("HH:MM"),
        Field::text("day_end", "Working day ends", &d.day_end).help("HH:MM"),
        Field::text("holidays", "Holidays", d.holidays.join("\n"))
            .kind(FieldKind::Textarea)
            .help("One date per line, YYYY-MM-DD."),
    ]
}

fn draft_of(s: &OrgSettings) -> OrgSettingsDraft {
    OrgSettingsDraft {
        name: s.name.clone(),
        currency: s.currency.to_string(),
        fiscal_year_start_month: s.fiscal_year_start_month.to_string(),
        operating_mode: s.operating_mode.as_str().into(),
        reporting_cycle: s.reporting_cycle.as_str().into(),
        working_days: s.calendar.working_days.to_vec(),
        day_start: format_hhmm(s.calendar.day_start),
        day_end: format_hhmm(s.calendar.day_end),
        holidays: s.calendar.holidays.iter().map(|d| d.to_string()).collect(),
    }
}

fn settings_form(
    a: &atrium_app::Actor,
    d: &OrgSettingsDraft,
    version: i64,
    errors: &[atrium_core::FieldError],
    notice: &str,
    can_edit: bool,
) -> Response {
    let mut fields = settings_fields(d);
    let general = attach_errors(&mut fields, errors);
    fields.push(Field::text("version", "", version.to_string()).kind(FieldKind::Hidden));
    let notice = if can_edit {
        notice.to_owned()
    } else {
        "Only the PMO director and administrators can change these settings; you can view them."
            .to_owned()
    };
    let mut r = render(&FormPage {
        nav: Nav::new(a, "/settings"),
        title: "Organization settings".into(),
        action: "/settings".into(),
        fields,
        general_errors: general,
        submit: "Save settings",
        cancel: "/".into(),
        notice,
    });
    if !errors.is_empty() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

fn can_edit_settings(a: &atrium_app::Actor) -> bool {
    atrium_app::permissions::allows(
        a,
        atrium_app::Action::UpdateSettings,
        &Placement::ORGANIZATION,
        OperatingMode::Supportive,
    )
}

async fn settings_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match s.app.read_settings(&a).await {
        Ok(set) => settings_form(
            &a,
            &draft_of(&set),
            set.version,
            &[],
            if q.contains_key("saved") {
                "Settings saved."
            } else {
                ""
            },
            can_edit_settings(&a),
        ),
        Err(e) => app_error_page(e),
    }
}

async fn settings_save(State(s): State<AppState>, PageUser(a): PageUser, f: FormData) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let checked = f.all("working_days");
    let d = OrgSettingsDraft {
        name: f.get("name"),
        currency: f.get("currency"),
        fiscal_year_start_month: f.get("fiscal_year_start_month"),
        operating_mode: f.get("operating_mode"),
        reporting_cycle: f.get("reporting_cycle"),
        working_days: (0..7).map(|i| checked.contains(&i.to_string())).collect(),
        day_start: f.get("day_start"),
        day_end: f.get("day_end"),
        holidays: f.get("holidays").lines().map(str::to_owned).collect(),
    };
    let version: i64 = f.get("version").parse().unwrap_or(-1);
    match s.app.update_settings(&a, &d, version).await {
        Ok(_) => Redirect::to("/settings?saved=1").into_response(),
        Err(AppError::Validation(errs)) => settings_form(&a, &d, version, &errs, "", true),
        Err(AppError::Stale { current }) => settings_form(
            &a,
            &d,
            version,
            &[atrium_core::FieldError {
                field: "version".into(),
                message: format!(
                    "Someone else saved the settings meanwhile (now version {current}); reload to see them. Nothing was saved."
                ),
            }],
            "",
            true,
        ),
        Err(e) => app_error_page(e),
    }
}

async fn audit_page(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let page = Page {
        limit: 50,
        offset: q
            .get("offset")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0i64)
            .max(0),
    };
    let from = crate::api::time_bound("from", q.get("from").map(String::as_str));
    let to = crate::api::time_bound("to", q.get("to").map(String::as_str));
    let (from, to) = match (from, to) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return app_error_page(e),
    };
    let f = atrium_store::audit::Filter {
        entity: q.get("entity").cloned().filter(|v| !v.is_empty()),
        entity_id: None,
        actor_id: None,
        from,
        to,
    };
    match s.app.list_audit(&a, &f, page).await {
        Ok((rows, next)) => {
            let cells: Vec<Vec<Cell>> = rows
                .iter()
                .map(|r| {
                    let ts = atrium_store::from_micros(r.at)
                        .strftime("%Y-%m-%d %H:%M:%S UTC")
                        .to_string();
                    let changed = r
                        .after_json
                        .as_deref()
                        .or(r.before_json.as_deref())
                        .unwrap_or("")
                        .chars()
                        .take(160)
                        .collect::<String>();
                    vec![
                        Cell::text(ts),
                        Cell::text(&r.actor_email),
                        Cell::text(&r.entity),
                        Cell::text(&r.action),
                        Cell::text(&r.entity_id),
                        Cell::text(changed).class("muted"),
                    ]
                })
                .collect();
            let base = |off: i64| {
                format!(
                    "/audit?offset={off}&entity={}",
                    urlencode(q.get("entity").map(String::as_str).unwrap_or(""))
                )
            };
            let shown = cells.len();
            render(&ListPage {
                nav: Nav::new(&a, "/audit"),
                title: "Audit trail".into(),
                intro: "Every change, who made it and when, with the record before and after."
                    .into(),
                new_href: None,
                export_href: None,
                filters: vec![
                    Field::text(
                        "entity",
                        "Entity",
                        q.get("entity").cloned().unwrap_or_default(),
                    ),
                    Field::text(
                        "from",
                        "From (YYYY-MM-DD)",
                        q.get("from").cloned().unwrap_or_default(),
                    ),
                    Field::text(
                        "to",
                        "To (YYYY-MM-DD)",
                        q.get("to").cloned().unwrap_or_default(),
                    ),
                ],
                action: "/audit".into(),
                sort: String::new(),
                columns: ["When", "Who", "Entity", "Action", "Id", "Record"]
                    .iter()
                    .map(|l| Col {
                        label: l,
                        href: None,
                        arrow: "",
                    })
                    .collect(),
                rows: cells,
                empty: "No audit records match.".into(),
                prev_href: (page.offset > 0).then(|| base((page.offset - 50).max(0))),
                next_href: next.map(base),
                page_text: if shown > 0 {
                    format!("{}–{}", page.offset + 1, page.offset + shown as i64)
                } else {
                    String::new()
                },
            })
        }
        Err(e) => app_error_page(e),
    }
}

fn user_fields(v: &HashMap<&str, String>) -> Vec<Field> {
    let get = |k: &str| v.get(k).cloned().unwrap_or_default();
    let roles: Vec<(String, String)> = Role::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
        .collect();
    vec![
        Field::text("email", "E-mail", get("email")).kind(FieldKind::Email).required(),
        Field::text("name", "Name", get("name")).required(),
        Field::text("password", "Initial password", "").kind(FieldKind::Password).required().help("At least 10 characters."),
        Field::select("role", "Role", get("role"), roles),
        Field::text("scope", "Scope key (optional)", get("scope")).help("Empty for the whole organization, or a portfolio, program or project key such as PRJ-042."),
    ]
}

async fn users_page(State(s): State<AppState>, PageUser(a): PageUser) -> Response {
    users_view(&s, &a, &HashMap::new(), &[]).await
}

async fn users_view(
    s: &AppState,
    a: &atrium_app::Actor,
    values: &HashMap<&str, String>,
    errors: &[atrium_core::FieldError],
) -> Response {
    let users = match s.app.list_users(a).await {
        Ok(u) => u,
        Err(e) => return app_error_page(e),
    };
    let scope_label = |g: &atrium_core::identity::Grant| match g.scope {
        atrium_core::identity::Scope::Organization => g.role.as_str().to_owned(),
        sc => format!(
            "{} on {} {}",
            g.role.as_str(),
            sc.kind(),
            sc.id().map(|i| i.to_string()).unwrap_or_default()
        ),
    };
    let rows = users
        .iter()
        .map(|u| {
            vec![
                Cell::text(&u.name),
                Cell::text(&u.email),
                Cell::text(
                    u.grants
                        .iter()
                        .map(scope_label)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Cell::text(if u.disabled { "disabled" } else { "active" }),
            ]
        })
        .collect();
    let can_manage = atrium_app::permissions::allows(
        a,
        atrium_app::Action::ManageUsers,
        &Placement::ORGANIZATION,
        OperatingMode::Supportive,
    );
    let list = render(&ListPage {
        nav: Nav::new(a, "/admin/users"),
        title: "Users and roles".into(),
        intro: if can_manage {
            "Add users below; `atrium user` on the command line does the same.".into()
        } else {
            String::new()
        },
        new_href: None,
        export_href: None,
        filters: vec![],
        action: String::new(),
        sort: String::new(),
        columns: ["Name", "E-mail", "Roles", "State"]
            .iter()
            .map(|l| Col {
                label: l,
                href: None,
                arrow: "",
            })
            .collect(),
        rows,
        empty: "No users.".into(),
        prev_href: None,
        next_href: None,
        page_text: String::new(),
    });
    if !can_manage {
        return list;
    }
    let mut fields = user_fields(values);
    let general = attach_errors(&mut fields, errors);
    let form = render(&FormPage {
        nav: Nav::new(a, "/admin/users"),
        title: "Add a user".into(),
        action: "/admin/users".into(),
        fields,
        general_errors: general,
        submit: "Add user",
        cancel: "/admin/users".into(),
        notice: String::new(),
    });
    // Both views share the layout; show the form below the list.
    let body = |r: Response| async move {
        axum::body::to_bytes(r.into_body(), 4 << 20)
            .await
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let (l, f) = (body(list).await, body(form).await);
    let form_main = f
        .split("<main id=\"main\">")
        .nth(1)
        .and_then(|x| x.split("</main>").next())
        .unwrap_or("")
        .to_owned();
    let html = l.replacen(
        "</main>",
        &format!("<section class=\"card\">{form_main}</section></main>"),
        1,
    );
    let mut r = axum::response::Html(html).into_response();
    if !errors.is_empty() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

async fn user_add(State(s): State<AppState>, PageUser(a): PageUser, f: FormData) -> Response {
    if let Some(r) = check_csrf(&a, &f) {
        return r;
    }
    let scope = f.get("scope");
    let spec = if scope.trim().is_empty() {
        f.get("role")
    } else {
        format!("{}:{}", f.get("role"), scope.trim())
    };
    match s
        .app
        .add_user(
            &a,
            &f.get("email"),
            &f.get("name"),
            &f.get("password"),
            &[spec],
        )
        .await
    {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(AppError::Validation(errs)) => {
            let values: HashMap<&str, String> = [
                ("email", f.get("email")),
                ("name", f.get("name")),
                ("role", f.get("role")),
                ("scope", scope),
            ]
            .into_iter()
            .collect();
            users_view(&s, &a, &values, &errs).await
        }
        Err(e) => app_error_page(e),
    }
}
