//! `validate-body`: validate (and apply) one OneEntry `IUserBody` from the command line, or
//! run the fixture suite.
//!
//! ```text
//! validate-body [--forms DIR] [--user FILE] [--lang CODE] [--format text|json] [BODY|-]
//! validate-body --fixtures DIR
//! ```
//!
//! Exit status: 0 for `true`, 1 for `false`, 2 for a usage or I/O error (printed as
//! `error[KIND]: message` on stderr, never a panic).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use serde_json::Value;
use userform::{fixture, Engine, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};

/// Validate a OneEntry IUserBody against a form registry and apply it to a user record.
#[derive(Parser, Debug)]
#[command(name = "validate-body", version)]
struct Cli {
    /// Directory of form files (*.json, OneEntry IFormsEntity).
    #[arg(long, default_value = "schemas/forms")]
    forms: PathBuf,
    /// The stored user record the body is applied to (default: an empty record of the body's form).
    #[arg(long)]
    user: Option<PathBuf>,
    /// Language of the entries when the body has no langCode.
    #[arg(long)]
    lang: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Run every fixture under this directory instead of validating a body.
    #[arg(long, conflicts_with_all = ["user", "lang", "body"])]
    fixtures: Option<PathBuf>,
    /// The body file, or `-` (the default) for standard input.
    body: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// A usage or I/O failure: exit status 2.
struct Fatal {
    kind: &'static str,
    message: String,
}

fn fatal(kind: &'static str, message: impl Into<String>) -> Fatal {
    Fatal { kind, message: message.into() }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match &cli.fixtures {
        Some(dir) => run_fixtures(dir, &cli.forms),
        None => run_body(&cli),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(f) => {
            eprintln!("error[{}]: {}", f.kind, f.message);
            ExitCode::from(2)
        }
    }
}

fn run_body(cli: &Cli) -> Result<bool, Fatal> {
    let body = read_body(cli.body.as_deref().unwrap_or("-"))?;
    let registry = Registry::load_dir(&cli.forms, RegistryOptions::default()).map_err(|e| fatal("forms", e.to_string()))?;
    let user = match &cli.user {
        Some(path) => read_user(path)?,
        None => {
            let form = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|b| b.get("formIdentifier")?.as_str().map(str::to_owned))
                .unwrap_or_default();
            let mut u = UserRecord::new("u1", "", form);
            u.version = 1;
            u
        }
    };
    let store = MemoryStore::new();
    store.insert(&user).map_err(|e| fatal("user", e.to_string()))?;
    let engine = Engine::new(Arc::new(registry), store);
    let req = Request { session: Some(&user.id), target: None, app: None, lang: cli.lang.as_deref(), body: &body };
    let outcome = engine.update(&req);
    match cli.format {
        Format::Json => println!("{}", fixture::answer(&outcome)),
        Format::Text => match &outcome {
            Ok(_) => println!("true"),
            Err(r) => {
                println!("false");
                for v in r.violations() {
                    let path = if v.path.as_str().is_empty() { "\"\"" } else { v.path.as_str() };
                    println!("{} {} {} {}: {}", v.code().as_u16(), path, v.marker.as_deref().unwrap_or("-"), v.rule(), v.message());
                }
            }
        },
    }
    Ok(outcome.is_ok())
}

fn read_body(arg: &str) -> Result<Vec<u8>, Fatal> {
    let mut buf = Vec::new();
    if arg == "-" {
        std::io::stdin().read_to_end(&mut buf).map_err(|e| fatal("io", format!("cannot read standard input: {e}")))?;
    } else {
        buf = std::fs::read(arg).map_err(|e| fatal("io", format!("cannot read {arg}: {e}")))?;
    }
    Ok(buf)
}

/// A stored record; a clear `password` is hashed as fixtures do.
fn read_user(path: &Path) -> Result<UserRecord, Fatal> {
    let text = std::fs::read(path).map_err(|e| fatal("io", format!("cannot read {}: {e}", path.display())))?;
    let mut v: Value = serde_json::from_slice(&text).map_err(|e| fatal("user", format!("{} is not JSON: {e}", path.display())))?;
    let clear = v.as_object_mut().and_then(|o| o.remove("password"));
    let mut user: UserRecord = serde_json::from_value(v).map_err(|e| fatal("user", format!("{} is not a user record: {e}", path.display())))?;
    if let Some(p) = clear {
        let p = p.as_str().ok_or_else(|| fatal("user", "password must be a string"))?;
        user.password_hash = Some(userform::password::hash(p).map_err(|e| fatal("user", e))?);
    }
    Ok(user)
}

fn run_fixtures(dir: &Path, forms: &Path) -> Result<bool, Fatal> {
    let files = fixture::discover(dir).map_err(|e| fatal("io", format!("cannot read {}: {e}", dir.display())))?;
    if files.is_empty() {
        return Err(fatal("fixtures", format!("no *.json fixture under {}", dir.display())));
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for f in &files {
        match fixture::run_file(f, forms) {
            Ok(()) => passed += 1,
            Err(e) => {
                failed += 1;
                println!("FAIL {}\n{e}\n", f.display());
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}
