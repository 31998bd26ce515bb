//! `validate-body`: validate (and apply) one OneEntry `IUserBody` from the command line,
//! validate a batch of them, or run the fixture suite.
//!
//! ```text
//! validate-body [--forms DIR] [--user FILE] [--lang CODE] [--format text|json] [BODY|-]
//! validate-body [--forms DIR] [--user FILE] [--lang CODE] [--format text|json] --ndjson FILE|-
//! validate-body --fixtures DIR
//! ```
//!
//! `--ndjson` reads one body per line (blank lines are skipped, line numbers count them) and
//! dry-runs each one (`Engine::check`: nothing is applied), in parallel on every core (rayon),
//! each against its own fresh default user (an empty record of the line's form), or against the
//! `--user` record for all. It prints every failing line as `line N: false` followed by its
//! violation lines (text), or as one JSON object with `"line": N` (json), in line order, and
//! closes stdout with `N passed, M failed`. The throughput (bodies/s, and per core) goes to
//! stderr, with a progress bar when stderr is a terminal.
//!
//! Exit status: 0 for `true` (every line `true`), 1 for `false` (any line `false`), 2 for a usage
//! or I/O error (printed as `error[KIND]: message` on stderr, never a panic).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use userform::{fixture, Engine, MemoryStore, Registry, RegistryOptions, Rejection, Request, UserRecord, UserStore};

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
    /// Dry-run every body of this NDJSON file (one body per line; `-` for standard input), in
    /// parallel, and print the failing lines and a summary.
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["fixtures", "body"])]
    ndjson: Option<String>,
    /// Apply the body to a persistent store instead of a throwaway in-memory one:
    /// `sqlite:PATH` (feature `sqlite`) or `postgres://…` (feature `postgres`). The user is
    /// created there (from `--user`, or empty) when it does not exist yet.
    #[arg(long, value_name = "URL", conflicts_with_all = ["fixtures", "ndjson"])]
    db: Option<String>,
    /// The logged-in user's id (default: the `--user` record's id, else `u1`).
    #[arg(long, value_name = "ID", conflicts_with_all = ["fixtures", "ndjson"])]
    session: Option<String>,
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
    let result = match (&cli.fixtures, &cli.ndjson) {
        (Some(dir), _) => run_fixtures(dir, &cli.forms),
        (None, Some(input)) => run_ndjson(&cli, input),
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
    let body = read_body(cli.body.as_deref().unwrap_or("-"))?;
    let registry =
        Registry::load_dir(&cli.forms, RegistryOptions::default()).map_err(|e| fatal("forms", e.to_string()))?;
    let user = match &cli.user {
        Some(path) => read_user(path)?,
        None => {
            let form = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|b| b.get("formIdentifier")?.as_str().map(str::to_owned))
                .unwrap_or_default();
            let mut u = UserRecord::new(cli.session.as_deref().unwrap_or("u1"), "", form);
            u.version = 1;
            u
        }
    };
    let session = cli.session.clone().unwrap_or_else(|| user.id.clone());
    let store = open_store(cli.db.as_deref())?;
    if store.get(&user.id).map_err(|e| fatal("db", e.to_string()))?.is_none() {
        store.insert(&user).map_err(|e| fatal("user", e.to_string()))?;
    }
    let engine = Engine::new(Arc::new(registry), store);
    let req = Request { session: Some(&session), target: None, app: None, lang: cli.lang.as_deref(), body: &body };
    let outcome = engine.update(&req);
    match cli.format {
        Format::Json => println!("{}", fixture::answer(&outcome)),
        Format::Text => match &outcome {
            Ok(_) => println!("true"),
            Err(r) => {
                println!("false");
                print!("{}", violation_lines(r));
            }
        },
    }
    Ok(outcome.is_ok())
}

/// One line per violation: `code path marker rule: message`.
/// The store `--db` names, or a fresh in-memory one.
fn open_store(db: Option<&str>) -> Result<Arc<dyn UserStore>, Fatal> {
    let Some(url) = db else { return Ok(Arc::new(MemoryStore::new())) };
    if let Some(path) = url.strip_prefix("sqlite:") {
        #[cfg(feature = "sqlite")]
        return userform::SqliteStore::open(path)
            .map(|s| Arc::new(s) as Arc<dyn UserStore>)
            .map_err(|e| fatal("db", format!("cannot open {path}: {e}")));
        #[cfg(not(feature = "sqlite"))]
        return Err(fatal("usage", format!("--db sqlite:{path} needs the `sqlite` feature: cargo run --features sqlite --example validate-body -- …")));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return userform::PostgresStore::connect(url)
            .map(|s| Arc::new(s) as Arc<dyn UserStore>)
            .map_err(|e| fatal("db", format!("cannot connect: {e}")));
        #[cfg(not(feature = "postgres"))]
        return Err(fatal("usage", "--db postgres://… needs the `postgres` feature: cargo run --features postgres --example validate-body -- …"));
    }
    Err(fatal("usage", format!("--db must be sqlite:PATH or postgres://…, not `{url}`")))
}

fn violation_lines(r: &Rejection) -> String {
    let mut out = String::new();
    for v in r.violations() {
        let path = if v.path.as_str().is_empty() { "\"\"" } else { v.path.as_str() };
        let marker = v.marker.as_deref().unwrap_or("-");
        out += &format!("{} {} {} {}: {}\n", v.code().as_u16(), path, marker, v.rule(), v.message());
    }
    out
}

/// Lines validated in parallel at a time: bounds memory on large inputs and keeps output flowing.
const BATCH_LINES: usize = 4096;

/// Just the `formIdentifier` of a body, read without building its tree.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "formIdentifier", borrow, default)]
    form: Option<Cow<'a, str>>,
}

/// The engines a batch runs against: one for `--user`, or one per form, each holding that form's
/// empty default user (a dry run never changes it, so every line meets a fresh one).
enum Engines {
    /// `--user FILE`: every line against this record.
    User(Engine<MemoryStore>, String),
    /// One engine per form identifier, plus one whose user has no form (unknown or unreadable
    /// `formIdentifier`, answered exactly as the single-body mode answers it).
    PerForm(HashMap<String, Engine<MemoryStore>>, Engine<MemoryStore>),
}

fn engine_with(registry: &Arc<Registry>, user: &UserRecord) -> Result<Engine<MemoryStore>, Fatal> {
    let store = MemoryStore::new();
    store.insert(user).map_err(|e| fatal("user", e.to_string()))?;
    Ok(Engine::new(Arc::clone(registry), store))
}

fn default_user(form: &str) -> UserRecord {
    let mut u = UserRecord::new("u1", "", form);
    u.version = 1;
    u
}

impl Engines {
    fn new(registry: Registry, user: Option<UserRecord>) -> Result<Engines, Fatal> {
        let registry = Arc::new(registry);
        if let Some(user) = user {
            let id = user.id.clone();
            return Ok(Engines::User(engine_with(&registry, &user)?, id));
        }
        let mut per_form = HashMap::new();
        for f in registry.forms() {
            per_form.insert(f.identifier().to_owned(), engine_with(&registry, &default_user(f.identifier()))?);
        }
        Ok(Engines::PerForm(per_form, engine_with(&registry, &default_user(""))?))
    }

    /// Dry-runs one body.
    fn check(&self, body: &[u8], lang: Option<&str>) -> Result<UserRecord, Rejection> {
        let (engine, session) = match self {
            Engines::User(engine, id) => (engine, id.as_str()),
            Engines::PerForm(per_form, none) => {
                let form = serde_json::from_slice::<Head<'_>>(body).ok().and_then(|h| h.form);
                (form.and_then(|f| per_form.get(f.as_ref())).unwrap_or(none), "u1")
            }
        };
        engine.check(&Request { session: Some(session), target: None, app: None, lang, body })
    }
}

/// What one failing line prints (text or one JSON object), built on the worker thread.
fn failure_report(line: usize, rejection: Rejection, format: Format) -> String {
    match format {
        Format::Text => format!("line {line}: false\n{}", violation_lines(&rejection)),
        Format::Json => {
            let mut answer = fixture::answer(&Err(rejection));
            if let Value::Object(o) = &mut answer {
                o.remove("user");
                o.shift_insert(0, "line".into(), line.into());
            }
            format!("{answer}\n")
        }
    }
}

fn run_ndjson(cli: &Cli, input: &str) -> Result<bool, Fatal> {
    let registry =
        Registry::load_dir(&cli.forms, RegistryOptions::default()).map_err(|e| fatal("forms", e.to_string()))?;
    let user = cli.user.as_deref().map(read_user).transpose()?;
    let engines = Engines::new(registry, user)?;
    let mut reader: Box<dyn BufRead> = if input == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        let file = std::fs::File::open(input).map_err(|e| fatal("io", format!("cannot read {input}: {e}")))?;
        Box::new(BufReader::with_capacity(1 << 20, file))
    };
    let source = if input == "-" { "standard input".to_owned() } else { input.to_owned() };
    let progress = if std::io::stderr().is_terminal() {
        let bar = match std::fs::metadata(input) {
            Ok(m) if input != "-" => ProgressBar::new(m.len()).with_style(
                ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})").expect("a valid template"),
            ),
            _ => ProgressBar::new_spinner()
                .with_style(ProgressStyle::with_template("{spinner} {bytes} {msg}").expect("a valid template")),
        };
        Some(bar)
    } else {
        None
    };

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let write_err = |e: std::io::Error| fatal("io", format!("cannot write standard output: {e}"));
    let started = Instant::now();
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut line_no = 0usize;
    let mut batch: Vec<(usize, Vec<u8>)> = Vec::with_capacity(BATCH_LINES);
    loop {
        batch.clear();
        let mut eof = false;
        let mut read_bytes = 0u64;
        while batch.len() < BATCH_LINES {
            let mut line = Vec::new();
            let n =
                reader.read_until(b'\n', &mut line).map_err(|e| fatal("io", format!("cannot read {source}: {e}")))?;
            if n == 0 {
                eof = true;
                break;
            }
            read_bytes += n as u64;
            line_no += 1;
            while line.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
                line.pop();
            }
            if !line.iter().all(u8::is_ascii_whitespace) {
                batch.push((line_no, line));
            }
        }
        let reports: Vec<Option<String>> = batch
            .par_iter()
            .map(|(n, body)| engines.check(body, cli.lang.as_deref()).err().map(|r| failure_report(*n, r, cli.format)))
            .collect();
        for report in reports {
            match report {
                None => passed += 1,
                Some(text) => {
                    failed += 1;
                    out.write_all(text.as_bytes()).map_err(write_err)?;
                }
            }
        }
        if let Some(bar) = &progress {
            bar.inc(read_bytes);
            bar.set_message(format!("{} bodies, {failed} failed", passed + failed));
        }
        if eof {
            break;
        }
    }
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let total = passed + failed;
    if total == 0 {
        return Err(fatal("ndjson", format!("no body in {source}")));
    }
    writeln!(out, "{passed} passed, {failed} failed").map_err(write_err)?;
    out.flush().map_err(write_err)?;
    let secs = started.elapsed().as_secs_f64();
    let threads = rayon::current_num_threads();
    let rate = total as f64 / secs.max(1e-9);
    eprintln!(
        "{total} bodies in {secs:.3} s: {rate:.0} bodies/s, {:.0} bodies/s per core ({threads} threads)",
        rate / threads as f64
    );
    Ok(failed == 0)
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
    let mut v: Value =
        serde_json::from_slice(&text).map_err(|e| fatal("user", format!("{} is not JSON: {e}", path.display())))?;
    let clear = v.as_object_mut().and_then(|o| o.remove("password"));
    let mut user: UserRecord = serde_json::from_value(v)
        .map_err(|e| fatal("user", format!("{} is not a user record: {e}", path.display())))?;
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
