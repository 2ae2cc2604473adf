//! Command-line interface (DESIGN.md §4, a contract): serve, migrate, demo, user, schedule.

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
        Command::Schedule { .. } => unreachable!("handled before the runtime starts"),
    }
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
