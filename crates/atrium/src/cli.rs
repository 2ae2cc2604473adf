//! Command-line interface (DESIGN.md §4, a contract): serve, migrate, demo, user, schedule,
//! plan import/export.

use atrium_app::{App, AppError};
use atrium_store::Db;
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "atrium",
    version,
    about = "Atrium: an open-source PMO platform (server and CLI)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DbArgs {
    /// Database URL: sqlite://FILE (created if missing) or postgres://…
    #[arg(
        long,
        env = "ATRIUM_DATABASE_URL",
        default_value = "sqlite://atrium.db"
    )]
    database_url: String,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (UI, API, OData).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ATRIUM_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        db: DbArgs,
        /// Load the demo organization into an empty database and print the demo logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load the demo organization into an empty database.
    Demo {
        #[command(flatten)]
        db: DbArgs,
        /// small | medium | large (2,000 projects, 10,000 people)
        #[arg(long, default_value = "medium")]
        size: String,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Schedule an MS Project XML file and print the result.
    Schedule {
        /// MS Project XML (MSPDI) file.
        file: std::path::PathBuf,
        /// Level over-allocated resources.
        #[arg(long)]
        level: bool,
        /// Print JSON (the default output).
        #[arg(long)]
        json: bool,
        /// Status date, YYYY-MM-DD.
        #[arg(long)]
        status_date: Option<String>,
        /// Run a Monte Carlo schedule risk analysis with N iterations.
        #[arg(long, value_name = "N")]
        monte_carlo: Option<u32>,
        /// Seed for --monte-carlo.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Import an MS Project XML file: over the plan of --project KEY, or into a new project
    /// (--key NEW-KEY [--portfolio KEY] [--name NAME]). Previews first; --yes applies.
    Import {
        /// MS Project XML (MSPDI) file.
        file: std::path::PathBuf,
        /// Existing project whose plan the file replaces.
        #[arg(long, value_name = "KEY", conflicts_with = "key")]
        project: Option<String>,
        /// Key of a new project to create for the file, e.g. PRJ-120.
        #[arg(long, value_name = "NEW-KEY")]
        key: Option<String>,
        /// Portfolio of the new project (default: the first one).
        #[arg(long, value_name = "KEY", requires = "key")]
        portfolio: Option<String>,
        /// Name of the new project (default: the file name).
        #[arg(long, requires = "key")]
        name: Option<String>,
        /// Apply without asking.
        #[arg(long, short = 'y')]
        yes: bool,
        /// E-mail of the user the import runs as.
        #[arg(long = "as", value_name = "EMAIL", env = "ATRIUM_AS")]
        as_user: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Export a project's plan: MS Project XML (mspdi), XLSX or CSV.
    Export {
        /// Project key, e.g. PRJ-042.
        key: String,
        /// Output format.
        #[arg(long, default_value = "mspdi", value_parser = ["mspdi", "xml", "xlsx", "csv"])]
        format: String,
        /// Write to FILE instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// E-mail of the user to act as (default: the system administrator).
        #[arg(long = "as", value_name = "EMAIL", env = "ATRIUM_AS")]
        as_user: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import a project's plan from MS Project XML, or export it (XML, CSV, XLSX).
    Plan {
        #[command(subcommand)]
        cmd: PlanCmd,
    },
    /// Export resource-management tables: capacity against demand (the heat-map data),
    /// allocations, skill gaps.
    Resources {
        #[command(subcommand)]
        cmd: ResourcesCmd,
    },
    /// Export risk registers (a project's, a program's or a portfolio's) and the escalated
    /// risks (for an enterprise risk system).
    Risks {
        #[command(subcommand)]
        cmd: RisksCmd,
    },
}

/// Where and in which format an export is written (every CSV/XLSX export command).
#[derive(clap::Args)]
struct OutputArgs {
    /// Output format.
    #[arg(long, default_value = "csv", value_parser = ["csv", "xlsx"])]
    format: String,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

/// Options shared by the risk exports.
#[derive(clap::Args)]
struct RiskExportArgs {
    #[command(flatten)]
    out: OutputArgs,
    /// E-mail of the user to act as (they must be allowed to read the register).
    #[arg(long = "as", value_name = "EMAIL", env = "ATRIUM_AS")]
    as_user: String,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Subcommand)]
enum RisksCmd {
    /// One register, every risk with its rating, EMV, response and register level.
    Register {
        /// Key of the project, program or portfolio.
        key: String,
        /// Whose register KEY names.
        #[arg(long, default_value = "project", value_parser = ["project", "program", "portfolio"])]
        level: String,
        #[command(flatten)]
        export: RiskExportArgs,
    },
    /// Every escalated risk the user can see (from, to, state, last step).
    Escalations {
        #[command(flatten)]
        export: RiskExportArgs,
    },
}

/// Options shared by the resource exports.
#[derive(clap::Args)]
struct ExportArgs {
    #[command(flatten)]
    out: OutputArgs,
    /// E-mail of the user to act as (their roles must allow reading capacity, e.g. a
    /// resource manager).
    #[arg(long = "as", value_name = "EMAIL", env = "ATRIUM_AS")]
    as_user: String,
    /// First day (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Subcommand)]
enum ResourcesCmd {
    /// Capacity against demand per person, role, skill or department and bucket: one line
    /// per row and bucket (capacity, non-project time, planned work, load %, over-allocated).
    #[command(verbatim_doc_comment)]
    Capacity {
        /// Rows: person, role, skill or department.
        #[arg(long, default_value = "person", value_parser = ["person", "role", "skill", "department"])]
        group: String,
        /// Buckets: day, week, month or quarter.
        #[arg(long, default_value = "week", value_parser = ["day", "week", "month", "quarter"])]
        bucket: String,
        /// Number of buckets.
        #[arg(long, default_value_t = 12)]
        count: u32,
        /// Only this department's people.
        #[arg(long)]
        department: Option<String>,
        #[command(flatten)]
        export: ExportArgs,
    },
    /// Committed allocations (person, project, period, hours per week) overlapping a period.
    Allocations {
        /// Last day (default: a year after --from).
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        #[command(flatten)]
        export: ExportArgs,
    },
    /// Unfilled demand per skill and quarter against the free time of the people who have
    /// it (for hiring and training decisions).
    SkillGaps {
        /// Number of quarters (1–8).
        #[arg(long, default_value_t = 4)]
        quarters: u32,
        #[command(flatten)]
        export: ExportArgs,
    },
}

#[derive(Subcommand)]
enum PlanCmd {
    /// Import an MS Project XML (MSPDI) file into a project's plan.
    ///
    /// Shows what the import would change (tasks and links added, removed, changed; what the
    /// file had that Atrium does not take; resources that match no one). The plan is replaced
    /// only with --yes, or after answering y on a terminal; otherwise nothing changes.
    /// The import runs as the user given by --as: their roles must allow editing the
    /// project's plan, and the change is audited under their e-mail.
    #[command(verbatim_doc_comment)]
    Import {
        /// Project key, e.g. PRJ-042.
        #[arg(long, value_name = "KEY")]
        project: String,
        /// MS Project XML (MSPDI) file.
        file: std::path::PathBuf,
        /// Apply the import without asking.
        #[arg(long, short = 'y')]
        yes: bool,
        /// E-mail of the user the import runs as (required: a pending import belongs to a user).
        #[arg(long = "as", value_name = "EMAIL", env = "ATRIUM_AS")]
        as_user: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Export a project's plan as MS Project XML, CSV or XLSX.
    ///
    /// Writes to standard output unless -o is given (XLSX needs -o, or a redirected output).
    /// Runs as the system administrator like the other administration commands, or as the
    /// user given by --as (whose roles must allow reading the plan).
    #[command(verbatim_doc_comment)]
    Export {
        /// Project key, e.g. PRJ-042.
        #[arg(long, value_name = "KEY")]
        project: String,
        /// Output format.
        #[arg(long, default_value = "xml", value_parser = ["xml", "csv", "xlsx"])]
        format: String,
        /// Write to FILE instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// E-mail of the user to act as (default: the system administrator).
        #[arg(long = "as", value_name = "EMAIL", env = "ATRIUM_AS")]
        as_user: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user: --role may repeat, ROLE or ROLE:SCOPE-KEY (e.g. project_manager:PRJ-042).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, required = true)]
        role: Vec<String>,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List users and their roles.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a user's password (read from standard input).
    SetPassword {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable a user: their sessions and tokens stop working at once.
    Disable {
        #[arg(long)]
        email: String,
        /// Re-enable instead.
        #[arg(long)]
        enable: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Grant more roles to an existing user.
    Grant {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        role: Vec<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

type Res<T> = Result<T, String>;

fn app_err(e: AppError) -> String {
    match e {
        AppError::Validation(errs) => errs
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        AppError::Internal(cause) => format!("internal error: {cause}"),
        other => other.to_string(),
    }
}

pub fn run() -> Res<ExitCode> {
    let cli = Cli::parse();
    // `schedule` is a pure file-to-stdout command: no logging, no runtime to start.
    if let Command::Schedule {
        file,
        level,
        json: _,
        status_date,
        monte_carlo,
        seed,
    } = &cli.command
    {
        return schedule(file, *level, status_date.as_deref(), *monte_carlo, *seed);
    }
    init_tracing();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async_main(cli))
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ATRIUM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn open(db: &DbArgs, migrate: bool) -> Res<App> {
    let d = Db::connect(&db.database_url).await.map_err(|e| {
        format!(
            "cannot open database {}: {e}",
            atrium_store::redact(&db.database_url)
        )
    })?;
    if migrate {
        d.migrate()
            .await
            .map_err(|e| format!("migration failed: {e}"))?;
    }
    let app = App::new(d);
    app.ensure_settings().await.map_err(app_err)?;
    Ok(app)
}

fn read_password(from_stdin: bool, prompt: &str) -> Res<String> {
    if !from_stdin && std::io::stdin().is_terminal() {
        eprint!("{prompt}: ");
    }
    let mut s = String::new();
    if from_stdin || !std::io::stdin().is_terminal() {
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| e.to_string())?;
    } else {
        std::io::stdin()
            .read_line(&mut s)
            .map_err(|e| e.to_string())?;
    }
    Ok(s.trim_end_matches(['\n', '\r']).to_owned())
}

fn progress_bar(total_hint: u64) -> indicatif::ProgressBar {
    if std::io::stderr().is_terminal() {
        let pb = indicatif::ProgressBar::new(total_hint);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {pos}/{len} ({eta})",
        ) {
            pb.set_style(style);
        }
        pb
    } else {
        indicatif::ProgressBar::hidden()
    }
}

async fn load_demo(app: &App, size: &str) -> Res<()> {
    let size: atrium_app::demo::DemoSize = size
        .parse()
        .map_err(|_| format!("unknown demo size `{size}`: expected small, medium or large"))?;
    let pb = progress_bar(0);
    pb.set_message("loading demo organization");
    let logins = app
        .load_demo(size, &|done, total| {
            pb.set_length(total);
            pb.set_position(done);
        })
        .await
        .map_err(app_err)?;
    pb.finish_and_clear();
    print_logins(&logins);
    Ok(())
}

fn print_logins(logins: &[atrium_app::demo::DemoLogin]) {
    println!("Demo logins (e-mail / password):");
    for l in logins {
        println!("  {:<24} {:<36} {}", l.role.as_str(), l.email, l.password);
    }
}

async fn async_main(cli: Cli) -> Res<ExitCode> {
    let system = atrium_app::system_actor();
    match cli.command {
        Command::Serve { listen, db, demo } => {
            let app = open(&db, true).await?;
            if demo {
                if app.has_data().await.map_err(app_err)? {
                    println!("The database already holds data; not loading the demo again.");
                    print_logins(&atrium_app::demo::demo_logins());
                } else {
                    load_demo(&app, "medium").await?;
                }
            }
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!("Atrium listening on http://{addr} ({})", app.db.backend());
            let purge = app.clone();
            tokio::spawn(async move {
                let mut t = tokio::time::interval(std::time::Duration::from_secs(600));
                loop {
                    t.tick().await;
                    let now = purge.now_micros();
                    if let Err(e) =
                        atrium_store::identity::purge_expired(&purge.db, now, now - 86_400_000_000)
                            .await
                    {
                        tracing::warn!(error = %e, "purging expired sessions failed");
                    }
                }
            });
            axum::serve(listener, atrium_web::router(app))
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
                .map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { db } => {
            open(&db, true).await?;
            println!("Database is up to date.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { db, size } => {
            let app = open(&db, true).await?;
            load_demo(&app, &size).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User { cmd } => match cmd {
            UserCmd::Add {
                email,
                name,
                role,
                password_stdin,
                db,
            } => {
                let app = open(&db, true).await?;
                let pw = read_password(password_stdin, "Password")?;
                let u = app
                    .add_user(&system, &email, &name, &pw, &role)
                    .await
                    .map_err(app_err)?;
                println!("Added {} ({}).", u.email, u.id);
                Ok(ExitCode::SUCCESS)
            }
            UserCmd::List { db } => {
                let app = open(&db, true).await?;
                for u in app.list_users(&system).await.map_err(app_err)? {
                    let roles: Vec<String> = u
                        .grants
                        .iter()
                        .map(|g| match g.scope.id() {
                            None => g.role.as_str().to_owned(),
                            Some(id) => format!("{}:{}:{id}", g.role.as_str(), g.scope.kind()),
                        })
                        .collect();
                    println!(
                        "{}\t{}\t{}\t{}",
                        u.email,
                        u.name,
                        if u.disabled { "disabled" } else { "active" },
                        roles.join(",")
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            UserCmd::SetPassword { email, db } => {
                let app = open(&db, true).await?;
                let pw = read_password(true, "New password")?;
                app.set_password(&system, &email, &pw)
                    .await
                    .map_err(app_err)?;
                println!("Password changed for {email}.");
                Ok(ExitCode::SUCCESS)
            }
            UserCmd::Disable { email, enable, db } => {
                let app = open(&db, true).await?;
                app.set_user_disabled(&system, &email, !enable)
                    .await
                    .map_err(app_err)?;
                println!(
                    "{email} is now {}.",
                    if enable { "enabled" } else { "disabled" }
                );
                Ok(ExitCode::SUCCESS)
            }
            UserCmd::Grant { email, role, db } => {
                let app = open(&db, true).await?;
                app.grant_roles(&system, &email, &role)
                    .await
                    .map_err(app_err)?;
                println!("Granted {} to {email}.", role.join(", "));
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Import {
            file,
            project,
            key,
            portfolio,
            name,
            yes,
            as_user,
            db,
        } => {
            let app = open(&db, true).await?;
            let target = match (project, key) {
                (Some(p), _) => p,
                (None, Some(k)) => {
                    let stem = file
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_else(|| k.clone());
                    new_project(
                        &app,
                        &as_user,
                        &k,
                        name.as_deref().unwrap_or(&stem),
                        portfolio.as_deref(),
                    )
                    .await?
                }
                (None, None) => {
                    return Err("give --project KEY to import over an existing plan, or --key NEW-KEY to create a project for the file".into());
                }
            };
            plan_import(&app, &target, &file, yes, &as_user).await
        }
        Command::Export {
            key,
            format,
            output,
            as_user,
            db,
        } => {
            let app = open(&db, true).await?;
            let format = if format == "mspdi" {
                "xml".to_string()
            } else {
                format
            };
            plan_export(&app, &key, &format, output.as_deref(), as_user.as_deref()).await
        }
        Command::Plan { cmd } => match cmd {
            PlanCmd::Import {
                project,
                file,
                yes,
                as_user,
                db,
            } => {
                let app = open(&db, true).await?;
                plan_import(&app, &project, &file, yes, &as_user).await
            }
            PlanCmd::Export {
                project,
                format,
                output,
                as_user,
                db,
            } => {
                let app = open(&db, true).await?;
                plan_export(
                    &app,
                    &project,
                    &format,
                    output.as_deref(),
                    as_user.as_deref(),
                )
                .await
            }
        },
        Command::Resources { cmd } => resources(cmd).await,
        Command::Risks { cmd } => risks(cmd).await,
        Command::Schedule { .. } => unreachable!("handled before the runtime starts"),
    }
}

/// The user an e-mail names, as an actor with their grants (disabled users are refused).
async fn actor_by_email(app: &App, email: &str) -> Res<atrium_app::Actor> {
    let parsed =
        atrium_core::identity::Email::parse(email).map_err(|m| format!("--as `{email}`: {m}"))?;
    let user = atrium_store::identity::user_by_email(&app.db, parsed.as_str())
        .await
        .map_err(|e| format!("cannot read users: {e}"))?
        .ok_or_else(|| format!("--as `{email}`: no such user"))?;
    if user.disabled {
        return Err(format!("--as `{email}`: the user is disabled"));
    }
    let grants = atrium_store::identity::grants_of(&app.db, user.id)
        .await
        .map_err(|e| format!("cannot read roles: {e}"))?;
    Ok(atrium_app::Actor {
        user_id: user.id,
        email: user.email,
        name: user.name,
        grants,
        csrf: String::new(),
    })
}

/// The project with this key (as typed, then upper-cased).
async fn project_by_key(app: &App, key: &str) -> Res<atrium_core::project::Project> {
    let key = key.trim();
    let upper = key.to_ascii_uppercase();
    for k in [key, upper.as_str()] {
        let id = atrium_store::project::id_by_key(&app.db, k)
            .await
            .map_err(|e| format!("cannot read projects: {e}"))?;
        if let Some(id) = id
            && let Some(p) = atrium_store::project::get(&app.db, id)
                .await
                .map_err(|e| format!("cannot read projects: {e}"))?
        {
            return Ok(p);
        }
    }
    Err(format!("unknown project `{key}`"))
}

/// Most lines listed per section of the import preview.
const PREVIEW_LINES: usize = 50;

fn print_list(title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    println!("{title} ({}):", items.len());
    for i in items.iter().take(PREVIEW_LINES) {
        println!("  - {i}");
    }
    if items.len() > PREVIEW_LINES {
        println!("  … and {} more", items.len() - PREVIEW_LINES);
    }
}

/// Asks y/N on the terminal; anything but y or yes is no.
fn confirm(question: &str) -> Res<bool> {
    use std::io::Write as _;
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut s = String::new();
    std::io::stdin()
        .read_line(&mut s)
        .map_err(|e| e.to_string())?;
    Ok(matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

async fn plan_import(
    app: &App,
    key: &str,
    file: &std::path::Path,
    yes: bool,
    as_user: &str,
) -> Res<ExitCode> {
    let actor = actor_by_email(app, as_user).await?;
    let id = project_by_key(app, key).await?.id;
    let max = atrium_app::plan_files::MAX_IMPORT_BYTES;
    let len = std::fs::metadata(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?
        .len();
    if len > max as u64 {
        return Err(format!(
            "{}: is larger than {} MB",
            file.display(),
            max / 1024 / 1024
        ));
    }
    let xml = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    // The version the preview is made against: applying fails if the plan changes meanwhile.
    let before = app.plan_view(&actor, id, 0).await.map_err(app_err)?;
    let version = before.plan.version;
    let pb = progress_bar(0);
    pb.set_message(format!("reading {}", file.display()));
    let bar = pb.clone();
    let preview = app
        .import_preview(&actor, id, &xml, &mut move |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await;
    pb.finish_and_clear();
    let preview = preview.map_err(|e| match e {
        AppError::Validation(errs) => errs
            .iter()
            .map(|e| {
                if e.field == "file" {
                    format!("{}: {}", file.display(), e.message)
                } else {
                    format!("{}: {}", e.field, e.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => app_err(other),
    })?;
    let d = &preview.diff;
    println!(
        "Import of {} into {} ({}):",
        file.display(),
        before.project.key,
        before.project.name
    );
    println!("  {}", preview.summary);
    println!(
        "  the file has {} tasks and {} links; the plan now has {} tasks and {} links",
        preview.tasks, preview.links, d.old_tasks, d.old_links
    );
    print_list("Not taken from the file", &preview.skipped);
    print_list(
        "Resources matching no one (their assignments are dropped)",
        &preview.unmatched_resources,
    );
    let apply = if yes {
        true
    } else if std::io::stdin().is_terminal() {
        confirm(&format!("Replace the plan of {}?", before.project.key))?
    } else {
        println!("Preview only: nothing changed. Run again with --yes to apply.");
        return Ok(ExitCode::SUCCESS);
    };
    if !apply {
        println!("Not applied: nothing changed.");
        return Ok(ExitCode::SUCCESS);
    }
    let out = app
        .import_apply(&actor, id, preview.id, version)
        .await
        .map_err(app_err)?;
    println!(
        "Applied: plan version {}, {} tasks, finish {}, {} critical, {} diagnostics.",
        out.version,
        preview.tasks,
        atrium_app::plan::civil_str(out.project_finish),
        out.critical.len(),
        out.diagnostics.len()
    );
    Ok(ExitCode::SUCCESS)
}

async fn plan_export(
    app: &App,
    key: &str,
    format: &str,
    output: Option<&std::path::Path>,
    as_user: Option<&str>,
) -> Res<ExitCode> {
    let actor = match as_user {
        Some(e) => actor_by_email(app, e).await?,
        None => atrium_app::system_actor(),
    };
    let id = project_by_key(app, key).await?.id;
    refuse_binary_on_terminal(format, output)?;
    let export = app.export_plan(&actor, id, format).await.map_err(app_err)?;
    write_export(&export, output)
}

/// Refuses to print a binary format (XLSX) on a terminal, before any work is done.
fn refuse_binary_on_terminal(format: &str, output: Option<&std::path::Path>) -> Res<()> {
    if output.is_none() && format == "xlsx" && std::io::stdout().is_terminal() {
        return Err("XLSX is a binary file: write it with -o FILE or redirect the output".into());
    }
    Ok(())
}

/// Writes an export to FILE, or to standard output (a reader that stops early is fine).
fn write_export(
    export: &atrium_app::plan_files::Export,
    output: Option<&std::path::Path>,
) -> Res<ExitCode> {
    use std::io::Write as _;
    match output {
        Some(path) => {
            std::fs::write(path, &export.bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("Wrote {} ({} bytes).", path.display(), export.bytes.len());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(&export.bytes)
                .and_then(|()| stdout.flush())
            {
                // The reader stopped early (`| head`): not an error of the export.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                r => r.map_err(|e| format!("cannot write the export: {e}"))?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn date_arg(name: &str, raw: Option<&str>, default: jiff::civil::Date) -> Res<jiff::civil::Date> {
    match raw {
        None => Ok(default),
        Some(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("--{name} `{s}`: expected a date like 2027-03-31")),
    }
}

async fn resources(cmd: ResourcesCmd) -> Res<ExitCode> {
    let export_args = match &cmd {
        ResourcesCmd::Capacity { export, .. }
        | ResourcesCmd::Allocations { export, .. }
        | ResourcesCmd::SkillGaps { export, .. } => export,
    };
    let app = open(&export_args.db, true).await?;
    let actor = actor_by_email(&app, &export_args.as_user).await?;
    let out = &export_args.out;
    refuse_binary_on_terminal(&out.format, out.output.as_deref())?;
    let from = date_arg("from", export_args.from.as_deref(), app.today())?;
    let format = out.format.as_str();
    let export = match &cmd {
        ResourcesCmd::Capacity {
            group,
            bucket,
            count,
            department,
            ..
        } => {
            let bucket = atrium_core::capacity::Bucket::parse(bucket)
                .ok_or("--bucket: day, week, month or quarter")?;
            if *count == 0 || *count > bucket.max_count() {
                return Err(format!(
                    "--count: 1 to {} {}s",
                    bucket.max_count(),
                    bucket.as_str()
                ));
            }
            let q = atrium_app::capacity::CapacityQuery {
                grouping: atrium_app::capacity::Grouping::parse(group)
                    .ok_or("--group: person, role, skill or department")?,
                bucket,
                from,
                count: *count,
                department: department.clone(),
                worst_first: false,
                limit: usize::MAX,
                offset: 0,
            };
            app.capacity_export(&actor, &q, format).await
        }
        ResourcesCmd::Allocations { to, .. } => {
            let to = date_arg(
                "to",
                to.as_deref(),
                from.saturating_add(jiff::Span::new().days(365)),
            )?;
            if to < from {
                return Err("--to must be on or after --from".into());
            }
            app.allocations_export(&actor, from, to, format).await
        }
        ResourcesCmd::SkillGaps { quarters, .. } => {
            if !(1..=8).contains(quarters) {
                return Err("--quarters: 1 to 8".into());
            }
            app.skill_gaps_export(&actor, from, *quarters, format).await
        }
    }
    .map_err(app_err)?;
    write_export(&export, out.output.as_deref())
}

async fn risks(cmd: RisksCmd) -> Res<ExitCode> {
    let args = match &cmd {
        RisksCmd::Register { export, .. } | RisksCmd::Escalations { export } => export,
    };
    let app = open(&args.db, true).await?;
    let actor = actor_by_email(&app, &args.as_user).await?;
    let out = &args.out;
    refuse_binary_on_terminal(&out.format, out.output.as_deref())?;
    let format = out.format.as_str();
    let export = match &cmd {
        RisksCmd::Register { key, level, .. } => {
            use atrium_app::risk::Register;
            let unknown = || format!("unknown {level} `{key}`");
            let read = |e: atrium_store::StoreError| format!("cannot read {level}s: {e}");
            let reg = match level.as_str() {
                "program" => Register::Program(
                    atrium_store::portfolio::program_id_by_key(&app.db, key.trim())
                        .await
                        .map_err(read)?
                        .ok_or_else(unknown)?,
                ),
                "portfolio" => Register::Portfolio(
                    atrium_store::portfolio::portfolio_id_by_key(&app.db, key.trim())
                        .await
                        .map_err(read)?
                        .ok_or_else(unknown)?,
                ),
                _ => Register::Project(project_by_key(&app, key).await?.id),
            };
            app.register_export(&actor, reg, format).await
        }
        RisksCmd::Escalations { .. } => app.escalations_export(&actor, format).await,
    }
    .map_err(app_err)?;
    write_export(&export, out.output.as_deref())
}

pub(crate) fn schedule(
    file: &std::path::Path,
    level: bool,
    status_date: Option<&str>,
    monte_carlo: Option<u32>,
    seed: u64,
) -> Res<ExitCode> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let status = match status_date {
        None => None,
        Some(s) => Some(
            atrium_schedule::calendar::Date::parse(s)
                .ok_or_else(|| format!("--status-date `{s}` is not a date (YYYY-MM-DD)"))?,
        ),
    };
    if !level && monte_carlo.is_none() {
        // The plain report is rendered as text directly (the fast path).
        let mut out = atrium_interop::report::schedule_json_text(&bytes, status)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        use std::io::Write as _;
        // One write of the whole report through the locked handle.
        out.push('\n');
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(out.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| format!("cannot write the report: {e}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = if level {
        atrium_interop::report_level::level_json(&bytes, status)
            .map_err(|e| format!("{}: {e}", file.display()))?
    } else {
        atrium_interop::report::schedule_json(&bytes, status)
            .map_err(|e| format!("{}: {e}", file.display()))?
    };
    if let Some(n) = monte_carlo {
        if n == 0 || n > 10_000_000 {
            return Err("--monte-carlo takes 1 to 10,000,000 iterations".into());
        }
        let parsed =
            atrium_interop::mspdi::parse(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        let input = atrium_interop::mspdi_engine::to_engine(&parsed.project, None);
        let minutes_per_day = i64::from(parsed.project.minutes_per_day());
        let start = input.project.start;
        let to_date = |days: f64| -> Option<String> {
            let cal = input.project.calendars.first()?;
            let t = cal.add_work(start, (days * minutes_per_day as f64).round() as i64);
            Some(t.to_string())
        };
        let mc = atrium_interop::report_mc::monte_carlo_json(
            &parsed.project,
            n as usize,
            seed,
            &atrium_interop::report_mc::MspdiMcOptions::default(),
            Some(&to_date),
            &[],
        );
        out["monte_carlo"] = mc;
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
    );
    Ok(ExitCode::SUCCESS)
}

/// Creates an empty project for an imported file; returns its key.
async fn new_project(
    app: &App,
    as_user: &str,
    key: &str,
    name: &str,
    portfolio: Option<&str>,
) -> Res<String> {
    let actor = actor_by_email(app, as_user).await?;
    let (pfs, _) = atrium_store::portfolio::list_portfolios(
        &app.db,
        None,
        false,
        &atrium_store::project::Visibility::All,
        "key",
        false,
        atrium_store::Page::first(500),
    )
    .await
    .map_err(|e| app_err(e.into()))?;
    let pf = match portfolio {
        Some(k) => pfs
            .iter()
            .find(|p| p.key.eq_ignore_ascii_case(k))
            .ok_or_else(|| format!("unknown portfolio `{k}`"))?,
        None => pfs
            .first()
            .ok_or("there is no portfolio yet: create one first")?,
    };
    let d = atrium_core::project::ProjectDraft {
        key: key.to_owned(),
        name: name.chars().take(200).collect(),
        portfolio_id: Some(pf.id),
        phase: "planning".into(),
        status: "green".into(),
        ..Default::default()
    };
    let p = app.create_project(&actor, &d).await.map_err(app_err)?;
    eprintln!(
        "Created project {} {} in portfolio {}.",
        p.key, p.name, pf.key
    );
    Ok(p.key)
}
