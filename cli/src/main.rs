//! `validate-body`: validate (and apply) one OneEntry `IUserBody` from the command line,
//! validate a batch of them, or run the fixture suite.
//!
//! ```text
//! validate-body [--forms DIR] [--strict-forms] [--user FILE] [--lang CODE] [--format text|json]
//!               [--user-shape record|entity] [--db URL] [--session ID] [BODY|-]
//! validate-body [--forms DIR] [--strict-forms] [--user FILE] [--lang CODE] [--format text|json] --ndjson FILE|-
//! validate-body --fixtures DIR
//! ```
//!
//! One body is read from the file named, or from standard input (`-`, the default). Standard
//! input that is empty, or a terminal, is a usage error: the command never waits silently.
//! The body is applied to the `--user` record (or an empty record of the body's form) in a
//! throwaway in-memory store, or in the store `--db` names, and the answer is printed: `true`
//! or `false` and one line per violation (`code path marker rule: message`), or one JSON object
//! (`--format json`). `--user` is a stored record or OneEntry's `IUserEntity` (getUser's
//! answer); `--user-shape entity` prints the updated user in that shape. `--ndjson` is the
//! batch mode (see `batch.rs`).
//!
//! The forms load as SPEC §2 says: a form with an error is left out (said on stderr as
//! `error: …; the form is left out`) and the others load; `--strict-forms` makes any error
//! fatal. What the loader tolerates is said on stderr as `warning: …`.
//!
//! Exit status: 0 for `true` (every line `true`), 1 for `false` (any line `false`), 2 for a usage
//! or I/O error (printed as `error[KIND]: message` on stderr, never a panic).

mod batch;
mod messages;

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use serde_json::Value;
use userform::{answer, Engine, IdentityKeys, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};
use userform_cli::fixture;

use messages::{fatal, Fatal};

/// Validate a OneEntry IUserBody against a form registry and apply it to a user record.
#[derive(Parser, Debug)]
#[command(name = "validate-body", version)]
struct Cli {
    /// Directory of form files (*.json, OneEntry IFormsEntity).
    #[arg(long, default_value = "schemas/forms")]
    forms: PathBuf,
    /// Refuse to run when any form has an error (by default that form is left out, said on
    /// stderr, and the others load).
    #[arg(long, conflicts_with = "fixtures")]
    strict_forms: bool,
    /// The stored user record the body is applied to (default: an empty record of the body's
    /// form): the stored shape, or OneEntry's IUserEntity (getUser's answer), whose formData is
    /// taken in the body's langCode, else --lang, else the default language.
    #[arg(long)]
    user: Option<PathBuf>,
    /// Language of the entries when the body has no langCode.
    #[arg(long)]
    lang: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The shape of the updated user that `--format json` prints: the stored record, or
    /// OneEntry's IUserEntity in the body's language.
    #[arg(long, value_enum, default_value_t = UserShape::Record, conflicts_with_all = ["fixtures", "ndjson"])]
    user_shape: UserShape,
    /// Run every fixture under this directory instead of validating a body.
    #[arg(long, conflicts_with_all = ["user", "lang", "body"])]
    fixtures: Option<PathBuf>,
    /// Dry-run every body of this NDJSON file (one body per line; `-` for standard input), in
    /// parallel, and print the failing lines and a summary.
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["fixtures", "body"])]
    ndjson: Option<String>,
    /// Apply the body to a persistent store instead of a throwaway in-memory one:
    /// `sqlite:PATH` or `postgres://…`. The user is created there (from `--user`, or empty)
    /// when it does not exist yet.
    #[arg(long, value_name = "URL", conflicts_with_all = ["fixtures", "ndjson"])]
    db: Option<String>,
    /// The logged-in user's id (default: the `--user` record's id, else `u1`).
    #[arg(long, value_name = "ID", conflicts_with_all = ["fixtures", "ndjson"])]
    session: Option<String>,
    /// The body file, or `-` (the default) for standard input.
    body: Option<String>,
}

/// How answers are printed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// `true`/`false`, then one line per violation.
    Text,
    /// One JSON object per answer (one per line with `--ndjson`).
    Json,
}

/// How the updated user is printed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum UserShape {
    /// The stored record (SPEC §5), less the password hash.
    Record,
    /// OneEntry's `IUserEntity`: one language's entries, the id as a number when it is one.
    Entity,
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
    let result = match (&cli.fixtures, &cli.ndjson) {
        (Some(dir), _) => run_fixtures(dir, &cli.forms),
        (None, Some(input)) => batch::run(&cli, input),
        (None, None) => run_body(&cli),
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
    if cli.user_shape == UserShape::Entity && cli.format != Format::Json {
        return Err(fatal("usage", "--user-shape entity shapes the user that --format json prints: add --format json"));
    }
    let body = read_body(cli.body.as_deref().unwrap_or("-"))?;
    let registry = load_registry(&cli.forms, cli.strict_forms)?;
    let lang = entity_lang(cli, Some(&body), &registry);
    let user = match &cli.user {
        Some(path) => read_user(path, &lang, &registry)?,
        None => {
            default_user(cli.session.as_deref().unwrap_or("u1"), &batch::form_identifier(&body).unwrap_or_default())
        }
    };
    let session = cli.session.clone().unwrap_or_else(|| user.id.clone());
    let store = open_store(cli.db.as_deref())?;
    if store.get(&user.id).map_err(|e| fatal("db", e.to_string()))?.is_none() {
        store.insert(&user, &IdentityKeys::of(&user)).map_err(|e| fatal("user", e.to_string()))?;
    }
    let engine = Engine::new(Arc::new(registry), store);
    let req = Request { session: Some(&session), target: None, app: None, lang: cli.lang.as_deref(), body: &body };
    let outcome = engine.update(&req);
    match cli.format {
        Format::Json => {
            let mut printed = answer(&outcome);
            if let (UserShape::Entity, Ok(user), Value::Object(fields)) = (cli.user_shape, &outcome, &mut printed) {
                let entity = match engine.registry().form(&user.form_identifier) {
                    Some(form) => form.user_entity(user, &lang),
                    None => user.to_entity(&lang),
                };
                let entity = serde_json::to_value(entity).map_err(|e| fatal("user", e.to_string()))?;
                fields.insert("user".into(), entity);
            }
            println!("{printed}");
        }
        Format::Text => match &outcome {
            Ok(_) => println!("true"),
            Err(r) => {
                println!("false");
                print!("{}", messages::violation_lines(r, false));
            }
        },
    }
    Ok(outcome.is_ok())
}

/// The forms of `dir`, every load problem said in words a newcomer can act on: a form with an
/// error is left out (`error: …` on stderr), or with `strict` refuses the run; what the loader
/// tolerates (unknown or inapplicable validators, ...) is printed on stderr as `warning: …`.
fn load_registry(dir: &Path, strict: bool) -> Result<Registry, Fatal> {
    let options = RegistryOptions { strict_forms: strict, ..RegistryOptions::default() };
    let registry = Registry::load_dir(dir, options).map_err(|e| messages::registry_error(dir, &e))?;
    for e in registry.load_errors() {
        eprintln!("error: {}; the form is left out", messages::describe(dir, e));
    }
    for w in registry.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(registry)
}

/// The language an `IUserEntity` given with `--user` is in, and the one `--user-shape entity`
/// prints: the language the engine applies the body in (the body's `langCode`, else `--lang`,
/// else the registry's default). A batch has no one body: `body` is `None` there.
fn entity_lang(cli: &Cli, body: Option<&[u8]>, registry: &Registry) -> String {
    body.and_then(batch::lang_code)
        .or_else(|| cli.lang.clone())
        .unwrap_or_else(|| registry.options().default_lang_code.clone())
}

/// An empty record of `form` with this id, as a freshly signed-up user has.
fn default_user(id: &str, form: &str) -> UserRecord {
    UserRecord::signed_up(id, "", form)
}

/// The store `--db` names, or a fresh in-memory one.
fn open_store(db: Option<&str>) -> Result<Arc<dyn UserStore>, Fatal> {
    let Some(url) = db else { return Ok(Arc::new(MemoryStore::new())) };
    if let Some(path) = url.strip_prefix("sqlite:") {
        #[cfg(feature = "sqlite")]
        return userform::SqliteStore::open(path)
            .map(|s| Arc::new(s) as Arc<dyn UserStore>)
            .map_err(|e| messages::sqlite_error(path, e));
        #[cfg(not(feature = "sqlite"))]
        return Err(fatal(
            "usage",
            format!("--db sqlite:{path} needs the `sqlite` feature: cargo run -p userform-cli --features sqlite -- …"),
        ));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return userform::PostgresStore::connect(url)
            .map(|s| Arc::new(s) as Arc<dyn UserStore>)
            .map_err(|e| messages::postgres_error(url, e));
        #[cfg(not(feature = "postgres"))]
        return Err(fatal(
            "usage",
            "--db postgres://… needs the `postgres` feature: cargo run -p userform-cli --features postgres -- …",
        ));
    }
    Err(fatal("usage", format!("--db must be sqlite:PATH or postgres://…, not `{url}`")))
}

/// Refuses to wait on a terminal: a body (or batch) must come from a file or a pipe.
fn stdin_not_terminal(what: &str) -> Result<(), Fatal> {
    if std::io::stdin().is_terminal() {
        return Err(fatal(
            "usage",
            format!("no {what} given and standard input is a terminal: name a file (`validate-body FILE`), or pipe one in (`validate-body - < FILE`); --help lists the options"),
        ));
    }
    Ok(())
}

fn read_body(arg: &str) -> Result<Vec<u8>, Fatal> {
    if arg != "-" {
        return std::fs::read(arg).map_err(|e| fatal("io", format!("cannot read {arg}: {e}")));
    }
    stdin_not_terminal("body")?;
    let mut buf = Vec::new();
    std::io::stdin().read_to_end(&mut buf).map_err(|e| fatal("io", format!("cannot read standard input: {e}")))?;
    if buf.iter().all(u8::is_ascii_whitespace) {
        return Err(fatal(
            "usage",
            "standard input is empty: pipe one body in (`validate-body - < FILE`), or name a body file",
        ));
    }
    Ok(buf)
}

/// A stored record (SPEC's stored shape) or an `IUserEntity` whose entries are in `lang`; a
/// clear `password` is hashed, as fixtures do. Settled against its form when the registry has
/// it (`Form::settle_user`: login entries become its logins, a password entry is dropped).
fn read_user(path: &Path, lang: &str, registry: &Registry) -> Result<UserRecord, Fatal> {
    let text = std::fs::read(path).map_err(|e| fatal("io", format!("cannot read {}: {e}", path.display())))?;
    let mut v: Value =
        serde_json::from_slice(&text).map_err(|e| fatal("user", format!("{} is not JSON: {e}", path.display())))?;
    let clear = v.as_object_mut().and_then(|o| o.remove("password"));
    let mut user = UserRecord::from_json(v, lang).map_err(|e| fatal("user", format!("{}: {e}", path.display())))?;
    if let Some(form) = registry.form(&user.form_identifier) {
        form.settle_user(&mut user);
    }
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
