//! The command line (`userform serve`, `userform user add`, SPEC §9's flags plus the token
//! lifetimes and limits) and building the service from it: the registry, the record store and
//! the session tables in the same database.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use userform::{PostgresStore, SqliteOptions, SqliteStore, SqliteSync};
use userform::{RegistryError, RegistryOptions, UserStore};

use crate::accounts::Accounts;
use crate::backendless::{AppError, BackendlessApp};
use crate::forms::Forms;
use crate::http::Service;
use crate::limit::SignInLimit;
use crate::sessions::{AttemptCounter, Lifetimes, PgSessions, SessionBackend, Sessions, SqliteSessions};

/// `userform`: OneEntry's user API over the userform engine.
#[derive(Debug, Parser)]
#[command(name = "userform", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API.
    Serve(ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
}

/// `userform user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user with a login and a password.
    Add(AddArgs),
}

/// Where the forms and the data are.
#[derive(Debug, Clone, Args)]
pub struct Data {
    /// The directory of form files.
    #[arg(long, default_value = "schemas/forms")]
    pub forms: PathBuf,
    /// `sqlite:PATH` (embedded) or `postgres://…` (several instances on one database).
    #[arg(long, default_value = "sqlite:userform.db")]
    pub db: String,
    /// Refuse to start when any form file has an error (without it, that form is left out,
    /// its errors logged, and the others are served).
    #[arg(long)]
    pub strict_forms: bool,
    /// SQLite: `on`, concurrent updates share one transaction and one fsync; `off`, each is a
    /// transaction of its own. Acknowledged means durable either way.
    #[arg(long, default_value = "on", value_parser = on_off, action = clap::ArgAction::Set)]
    pub group_commit: bool,
    /// SQLite: `full`, a commit waits for the disk (an acknowledged update survives power
    /// loss); `normal`, it does not (it survives a crash of the process, not of the machine).
    #[arg(long, default_value = "full", value_parser = synchronous)]
    pub sqlite_synchronous: SqliteSync,
}

impl Data {
    /// How the SQLite store writes.
    pub fn sqlite_options(&self) -> SqliteOptions {
        SqliteOptions { group_commit: self.group_commit, sync: self.sqlite_synchronous }
    }
}

/// `on` or `off`.
pub fn on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("`{s}`: expected on or off")),
    }
}

/// `full` or `normal`.
pub fn synchronous(s: &str) -> Result<SqliteSync, String> {
    match s {
        "full" => Ok(SqliteSync::Full),
        "normal" => Ok(SqliteSync::Normal),
        _ => Err(format!("`{s}`: expected full or normal")),
    }
}

/// `userform user add`.
#[derive(Debug, Clone, Args)]
pub struct AddArgs {
    /// The form (auth provider) the user signs in with.
    #[arg(long)]
    pub form: String,
    /// The login.
    #[arg(long)]
    pub login: String,
    /// The password.
    #[arg(long)]
    pub password: String,
    /// Forms and database.
    #[command(flatten)]
    pub data: Data,
}

/// `userform serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// Forms and database.
    #[command(flatten)]
    pub data: Data,
    /// The `x-app-token` every request must carry (none: any is accepted).
    #[arg(long)]
    pub app_token: Option<String>,
    /// An origin browsers may call from (repeatable).
    #[arg(long = "cors-origin")]
    pub cors_origins: Vec<String>,
    /// Access token lifetime (`900s`, `15m`, `500ms`...).
    #[arg(long, default_value = "15m", value_parser = duration)]
    pub access_ttl: Duration,
    /// Lifetime of a refresh token never used.
    #[arg(long, default_value = "30d", value_parser = duration)]
    pub refresh_ttl: Duration,
    /// How long a replaced refresh token keeps working (parallel refreshes).
    #[arg(long, default_value = "30s", value_parser = duration)]
    pub refresh_grace: Duration,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
    /// Longest a request may take.
    #[arg(long, default_value = "30s", value_parser = duration)]
    pub request_timeout: Duration,
    /// Sign-in attempts allowed per login per window.
    #[arg(long, default_value_t = 10)]
    pub sign_in_per_login: u32,
    /// Sign-in attempts allowed per client address per window.
    #[arg(long, default_value_t = 100)]
    pub sign_in_per_address: u32,
    /// The sign-in rate limit's window.
    #[arg(long, default_value = "1m", value_parser = duration)]
    pub sign_in_window: Duration,
    /// The Backendless application id (with `--backendless-api-key`: serves the Backendless face).
    #[arg(long, requires = "backendless_api_key")]
    pub backendless_app_id: Option<String>,
    /// The Backendless API key, in the URLs `/{app id}/{API key}/…`.
    #[arg(long, requires = "backendless_app_id")]
    pub backendless_api_key: Option<String>,
}

/// `500ms`, `30s`, `15m`, `2h`, `30d` (a bare number is seconds).
pub fn duration(s: &str) -> Result<Duration, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("`{s}`: expected a number with ms, s, m, h or d"))?;
    let secs = |k: u64| n.checked_mul(k).map(Duration::from_secs).ok_or_else(|| format!("`{s}` is too long"));
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "" | "s" => secs(1),
        "m" => secs(60),
        "h" => secs(3600),
        "d" => secs(86_400),
        _ => Err(format!("`{s}`: unknown unit `{unit}` (ms, s, m, h, d)")),
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The forms directory cannot be read, or, with `--strict-forms`, a form has an error.
    #[error("forms: {0}")]
    Forms(#[from] RegistryError),
    /// The Backendless application id or API key cannot be served.
    #[error(transparent)]
    Backendless(#[from] AppError),
    /// The database could not be opened.
    #[error("database `{db}`: {reason}")]
    Db {
        /// The `--db` value, less any password.
        db: String,
        /// What failed.
        reason: String,
    },
}

/// A database: the record store and the session tables in it.
pub struct Db {
    /// The user records.
    pub users: Arc<dyn UserStore>,
    /// The sessions.
    pub sessions: Arc<dyn SessionBackend>,
}

/// The record store (writing as `sqlite` says, for a SQLite file) and the session tables of
/// `--db`.
pub fn open_db(db: &str, sqlite: SqliteOptions) -> Result<Db, StartError> {
    let fail = |reason: String| StartError::Db { db: redact(db), reason };
    if let Some(path) = db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:")) {
        let store = SqliteStore::open_with(path, sqlite).map_err(|e| fail(e.to_string()))?;
        let sessions = SqliteSessions::open(path).map_err(|e| fail(e.to_string()))?;
        Ok(Db { users: Arc::new(store), sessions: Arc::new(sessions) })
    } else if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        if sqlite != SqliteOptions::default() {
            return Err(fail("--group-commit off and --sqlite-synchronous apply to sqlite: databases".into()));
        }
        let store = PostgresStore::connect(db).map_err(|e| fail(e.to_string()))?;
        let sessions = PgSessions::connect(db).map_err(|e| fail(e.to_string()))?;
        Ok(Db { users: Arc::new(store), sessions: Arc::new(sessions) })
    } else {
        Err(fail("expected sqlite:PATH or postgres://…".into()))
    }
}

/// A database URL without its password, for messages.
fn redact(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &db[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &db[..scheme + 3], &db[at..])
        }
        _ => db.to_owned(),
    }
}

/// What `--forms` and `--db` open.
pub struct Opened {
    /// The users (registry and record store).
    pub accounts: Accounts,
    /// The session tables.
    pub sessions: Arc<dyn SessionBackend>,
    /// The forms as served.
    pub forms: Forms,
}

/// The registry (its load errors and warnings logged), the forms and the database of `data`.
pub fn open(data: &Data) -> Result<Opened, StartError> {
    let options = RegistryOptions { strict_forms: data.strict_forms, ..RegistryOptions::default() };
    let forms = Forms::load(&data.forms, options)?;
    let Db { users, sessions } = open_db(&data.db, data.sqlite_options())?;
    let accounts = Accounts::new(forms.registry().clone(), users)
        .map_err(|e| StartError::Db { db: redact(&data.db), reason: e.to_string() })?;
    Ok(Opened { accounts, sessions, forms })
}

impl ServeArgs {
    /// The service these flags describe (forms loaded, database opened and migrated).
    pub fn build(&self) -> Result<Service, StartError> {
        let backendless =
            BackendlessApp::from_flags(self.backendless_app_id.as_deref(), self.backendless_api_key.as_deref())?;
        let Opened { accounts, sessions: backend, forms } = open(&self.data)?;
        // Sign-in attempts are counted in the session tables, shared by every instance.
        let attempts: Arc<dyn AttemptCounter> = backend.clone();
        let lifetimes = Lifetimes { access: self.access_ttl, refresh: self.refresh_ttl, grace: self.refresh_grace };
        Ok(Service {
            accounts,
            sessions: Sessions::new(backend, lifetimes),
            forms,
            sign_in_limit: SignInLimit::new(
                attempts,
                self.sign_in_per_login,
                self.sign_in_per_address,
                self.sign_in_window,
            ),
            app_token: self.app_token.clone(),
            cors_origins: self.cors_origins.clone(),
            max_body_bytes: self.max_body_bytes,
            timeout: self.request_timeout,
            backendless,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert!(duration("5 s").is_err() && duration("s").is_err() && duration("5w").is_err());
        assert!(duration("99999999999999999999d").is_err());
    }

    #[test]
    fn passwords_never_in_messages() {
        assert_eq!(redact("postgres://u:secret@127.0.0.1:5432/db"), "postgres://u:***@127.0.0.1:5432/db");
        assert_eq!(redact("sqlite:x.db"), "sqlite:x.db");
        let e = open_db("mysql://u:pw@h/db", SqliteOptions::default()).err().unwrap().to_string();
        assert!(!e.contains("pw@") && e.contains("expected sqlite"), "{e}");
        let normal = SqliteOptions { sync: SqliteSync::Normal, ..SqliteOptions::default() };
        let e = open_db("postgres://u:pw@127.0.0.1:1/db", normal).err().unwrap().to_string();
        assert!(!e.contains("pw@") && e.contains("apply to sqlite"), "{e}");
    }

    #[test]
    fn the_spec_flags_parse() {
        let cli = Cli::try_parse_from([
            "userform",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--forms",
            "f",
            "--db",
            "sqlite:x.db",
            "--app-token",
            "t",
            "--cors-origin",
            "https://a.example",
            "--cors-origin",
            "https://b.example",
            "--access-ttl",
            "1s",
        ])
        .unwrap();
        let Command::Serve(a) = cli.command else { panic!("not serve") };
        assert_eq!(
            (a.listen.as_str(), a.data.db.as_str(), a.app_token.as_deref()),
            ("127.0.0.1:0", "sqlite:x.db", Some("t"))
        );
        assert_eq!(a.cors_origins.len(), 2);
        assert_eq!(a.access_ttl, Duration::from_secs(1));
        assert!(a.backendless_app_id.is_none() && a.backendless_api_key.is_none());
        assert!(!a.data.strict_forms, "a form with an error is left out unless --strict-forms");
        let cli = Cli::try_parse_from(["userform", "serve", "--strict-forms"]).unwrap();
        assert!(matches!(cli.command, Command::Serve(ServeArgs { data: Data { strict_forms: true, .. }, .. })));
        let cli =
            Cli::try_parse_from(["userform", "serve", "--backendless-app-id", "APP", "--backendless-api-key", "KEY"])
                .unwrap();
        let Command::Serve(a) = cli.command else { panic!("not serve") };
        assert_eq!((a.backendless_app_id.as_deref(), a.backendless_api_key.as_deref()), (Some("APP"), Some("KEY")));
        for half in [["--backendless-app-id", "APP"], ["--backendless-api-key", "KEY"]] {
            let argv = ["userform", "serve"].into_iter().chain(half);
            assert!(Cli::try_parse_from(argv).is_err(), "both Backendless flags or neither");
        }
        assert_eq!(a.data.sqlite_options(), SqliteOptions::default(), "group commit on, synchronous=FULL");
        let cli = Cli::try_parse_from(["userform", "serve", "--group-commit", "off", "--sqlite-synchronous", "normal"])
            .unwrap();
        let Command::Serve(a) = cli.command else { panic!("not serve") };
        assert_eq!(a.data.sqlite_options(), SqliteOptions { group_commit: false, sync: SqliteSync::Normal });
        assert!(Cli::try_parse_from(["userform", "serve", "--group-commit", "maybe"]).is_err());
        assert!(Cli::try_parse_from(["userform", "serve", "--sqlite-synchronous", "off"]).is_err());
        let cli =
            Cli::try_parse_from(["userform", "user", "add", "--form", "reg", "--login", "a@b.c", "--password", "pw12"])
                .unwrap();
        assert!(matches!(cli.command, Command::User(UserCommand::Add(AddArgs { ref form, .. })) if form == "reg"));
    }
}
