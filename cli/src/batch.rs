//! `--ndjson`: the batch mode. One body per line (blank lines are skipped, line numbers count
//! them), each dry-run (`Engine::check`: nothing is applied, no password is hashed) in parallel
//! on every core (rayon), each against its own fresh default user (an empty record of the
//! line's form), or against the `--user` record for all.
//!
//! Every failing line is printed, in line order: as `line N: false` followed by its violation
//! lines (text; a JSON position inside the line is given as its column), or as one JSON object
//! with `"line": N` (json). The output closes with the summary: `N passed, M failed` (text), or
//! the JSON line `{"passed": N, "failed": M}`, so that `--format json` output is NDJSON
//! throughout. The throughput goes to stderr.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{json, Value};
use userform::{answer, Engine, IdentityKeys, MemoryStore, Registry, Rejection, Request, UserRecord, UserStore};

use crate::messages::{bodies, column_only, fatal, violation_lines, Fatal};
use crate::{default_user, entity_lang, load_registry, read_user, stdin_not_terminal, Cli, Format};

/// Lines validated in parallel at a time: bounds memory on large inputs and keeps output flowing.
const BATCH_LINES: usize = 4096;

/// The body's `formIdentifier` as the engine reads it: when the key is repeated the last one
/// wins, as in `serde_json::Value` and `JSON.parse`. `None` when the body is not a JSON object
/// or its (last) `formIdentifier` is not a string. Nothing but that value is built.
pub fn form_identifier(body: &[u8]) -> Option<String> {
    top_level_string(body, "formIdentifier")
}

/// The body's `langCode`, read as [`form_identifier`] reads its key.
pub fn lang_code(body: &[u8]) -> Option<String> {
    top_level_string(body, "langCode")
}

/// The string value of the body's (last) top-level `wanted` key.
fn top_level_string(body: &[u8], wanted: &'static str) -> Option<String> {
    struct Last(&'static str);
    impl<'de> Visitor<'de> for Last {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a body object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
            let mut form = None;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == self.0 {
                    form = match map.next_value::<Value>()? {
                        Value::String(s) => Some(s),
                        _ => None,
                    };
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(form)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let form = de.deserialize_map(Last(wanted)).ok()?;
    de.end().ok()?;
    form
}

/// The engines a batch runs against: one for `--user`, or one per form, each holding that form's
/// empty default user (a dry run never changes it, so every line meets a fresh one).
enum Engines {
    /// `--user FILE`: every line against this record.
    User(Engine<MemoryStore>, String),
    /// One engine per form identifier, plus one whose user has no form (unknown or unreadable
    /// `formIdentifier`, answered exactly as the single-body mode answers it).
    PerForm(BTreeMap<String, Engine<MemoryStore>>, Engine<MemoryStore>),
}

fn engine_with(registry: &Arc<Registry>, user: &UserRecord) -> Result<Engine<MemoryStore>, Fatal> {
    let store = MemoryStore::new();
    store.insert(user, &IdentityKeys::of(user)).map_err(|e| fatal("user", e.to_string()))?;
    Ok(Engine::new(Arc::clone(registry), store))
}

impl Engines {
    fn new(registry: Registry, user: Option<UserRecord>) -> Result<Engines, Fatal> {
        let registry = Arc::new(registry);
        if let Some(user) = user {
            let id = user.id.clone();
            return Ok(Engines::User(engine_with(&registry, &user)?, id));
        }
        let mut per_form = BTreeMap::new();
        for f in registry.forms() {
            per_form.insert(f.identifier().to_owned(), engine_with(&registry, &default_user("u1", f.identifier()))?);
        }
        Ok(Engines::PerForm(per_form, engine_with(&registry, &default_user("u1", ""))?))
    }

    /// Dry-runs one body.
    fn check(&self, body: &[u8], lang: Option<&str>) -> Result<UserRecord, Rejection> {
        let (engine, session) = match self {
            Engines::User(engine, id) => (engine, id.as_str()),
            Engines::PerForm(per_form, none) => {
                (form_identifier(body).and_then(|f| per_form.get(&f)).unwrap_or(none), "u1")
            }
        };
        engine.check(&Request { session: Some(session), target: None, app: None, lang, body })
    }
}

/// What one failing line prints (text, or one JSON object and a newline), built on the worker thread.
fn failure_report(line: usize, rejection: Rejection, format: Format) -> String {
    match format {
        Format::Text => format!("line {line}: false\n{}", violation_lines(&rejection, true)),
        Format::Json => {
            let mut answer = answer(&Err(rejection));
            if let Value::Object(o) = &mut answer {
                o.remove("user");
                o.shift_insert(0, "line".into(), line.into());
                if let Some(Value::Array(errors)) = o.get_mut("errors") {
                    for e in errors {
                        if let Some(Value::String(m)) = e.get_mut("message") {
                            *m = column_only(m);
                        }
                    }
                }
            }
            format!("{answer}\n")
        }
    }
}

/// Runs the batch in `input` (a file, or `-` for standard input).
pub fn run(cli: &Cli, input: &str) -> Result<bool, Fatal> {
    let registry = load_registry(&cli.forms, cli.strict_forms)?;
    // Bodies differ line by line: an `IUserEntity` user is in `--lang` or the default language.
    let user =
        cli.user.as_deref().map(|path| read_user(path, &entity_lang(cli, None, &registry), &registry)).transpose()?;
    let engines = Engines::new(registry, user)?;
    let mut reader: Box<dyn BufRead> = if input == "-" {
        stdin_not_terminal("NDJSON batch")?;
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        let file = std::fs::File::open(input).map_err(|e| fatal("io", format!("cannot read {input}: {e}")))?;
        Box::new(BufReader::with_capacity(1 << 20, file))
    };
    let source = if input == "-" { "standard input".to_owned() } else { input.to_owned() };

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
        while batch.len() < BATCH_LINES {
            let mut line = Vec::new();
            let n =
                reader.read_until(b'\n', &mut line).map_err(|e| fatal("io", format!("cannot read {source}: {e}")))?;
            if n == 0 {
                eof = true;
                break;
            }
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
        if eof {
            break;
        }
    }
    let total = passed + failed;
    if total == 0 {
        return Err(fatal("usage", format!("no body in {source}: give one JSON body per line")));
    }
    match cli.format {
        Format::Text => writeln!(out, "{passed} passed, {failed} failed"),
        Format::Json => writeln!(out, "{}", json!({"passed": passed, "failed": failed})),
    }
    .map_err(write_err)?;
    out.flush().map_err(write_err)?;
    let secs = started.elapsed().as_secs_f64();
    let threads = rayon::current_num_threads();
    let rate = total as f64 / secs.max(1e-9);
    eprintln!(
        "{} in {secs:.3} s: {rate:.0} bodies/s, {:.0} bodies/s per core ({threads} threads)",
        bodies(total),
        rate / threads as f64
    );
    Ok(failed == 0)
}

#[cfg(test)]
mod tests {
    use super::{form_identifier, lang_code};

    #[test]
    fn the_last_form_identifier_wins() {
        assert_eq!(
            form_identifier(br#"{"formIdentifier":"a","x":[1,{"y":2}],"formIdentifier":"reg"}"#).as_deref(),
            Some("reg")
        );
        assert_eq!(form_identifier(br#"{"formIdentifier":"reg","formIdentifier":7}"#), None);
        assert_eq!(form_identifier(br#"{"formIdentifier":"reg"} trailing"#), None);
        assert_eq!(form_identifier(br#"["reg"]"#), None);
        assert_eq!(form_identifier(br#"{"formIdentifier":"r\u0065g"}"#).as_deref(), Some("reg"));
        assert_eq!(lang_code(br#"{"langCode":"fr_FR","formIdentifier":"reg"}"#).as_deref(), Some("fr_FR"));
        assert_eq!(lang_code(br#"{"formIdentifier":"reg","langCode":null}"#), None);
    }
}
