//! What `validate-body` says: usage and I/O failures (exit status 2) and violation lines, each
//! worded for the person at the terminal (what failed, where, and why, once each).

use std::path::Path;

use userform::{LoadError, LoadErrorKind, RegistryError, Rejection};

/// A usage or I/O failure: exit status 2, printed as `error[KIND]: message`.
#[derive(Debug)]
pub struct Fatal {
    /// A short, stable word: `usage`, `io`, `forms`, `db`, `user`, `ndjson`, `fixtures`.
    pub kind: &'static str,
    /// What went wrong.
    pub message: String,
}

/// A [`Fatal`] of this kind.
pub fn fatal(kind: &'static str, message: impl Into<String>) -> Fatal {
    Fatal { kind, message: message.into() }
}

/// One load error in words: the directory itself, a form file, or one attribute of one.
pub fn describe(dir: &Path, e: &LoadError) -> String {
    match (&e.attribute, &e.kind) {
        (Some(attribute), kind) => format!("form file {}, attribute {attribute}: {kind}", e.file),
        (None, LoadErrorKind::Io(reason)) if Path::new(&e.file) == dir => {
            format!("forms directory {}: {reason}", e.file)
        }
        (None, kind) => format!("form file {}: {kind}", e.file),
    }
}

/// A form registry that does not load (the directory cannot be read, or `--strict-forms` met
/// errors): every error, one per line.
pub fn registry_error(dir: &Path, e: &RegistryError) -> Fatal {
    let lines: Vec<String> = e.errors.iter().map(|e| describe(dir, e)).collect();
    let message = match lines.as_slice() {
        [one] => one.clone(),
        many => format!("{} form errors:\n  {}", many.len(), many.join("\n  ")),
    };
    fatal("forms", message)
}

/// A SQLite database that does not open, its path said once.
#[cfg(feature = "sqlite")]
pub fn sqlite_error(path: &str, e: userform::StoreError) -> Fatal {
    let reason = backend_reason(e, "sqlite: ");
    // SQLite's own message may end with the path the store's message already starts with.
    let reason = reason.strip_suffix(&format!(": {path}")).unwrap_or(&reason);
    let message = if reason.contains(path) { reason.to_owned() } else { format!("SQLite database {path}: {reason}") };
    fatal("db", message)
}

/// A PostgreSQL server that cannot be reached or used: where it was looked for, and why.
#[cfg(feature = "postgres")]
pub fn postgres_error(url: &str, e: userform::StoreError) -> Fatal {
    fatal("db", format!("PostgreSQL at {}: {}", postgres_address(url), backend_reason(e, "postgres: ")))
}

/// `host:port/database` of a `postgres://` URL, without the user or the password.
#[cfg(feature = "postgres")]
fn postgres_address(url: &str) -> String {
    let Ok(u) = url::Url::parse(url) else { return "an unreadable URL".to_owned() };
    let query_host = u.query_pairs().find(|(k, _)| k == "host").map(|(_, v)| v.into_owned());
    let host = match (u.host_str(), query_host) {
        (Some(h), _) if !h.is_empty() => h.to_owned(),
        (_, Some(h)) => h,
        _ => "localhost".to_owned(),
    };
    let port = u.port().unwrap_or(5432);
    let database = u.path().trim_start_matches('/');
    if database.is_empty() {
        format!("{host}:{port}")
    } else {
        format!("{host}:{port}/{database}")
    }
}

/// The backend's own words, without the store's generic prefixes.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn backend_reason(e: userform::StoreError, prefix: &str) -> String {
    match e {
        userform::StoreError::Backend(m) => m.strip_prefix(prefix).map(str::to_owned).unwrap_or(m),
        other => other.to_string(),
    }
}

/// One line per violation: `code path marker rule: message`. With `one_line`, the body was one
/// line of a batch, so a JSON position `at line 1 column N` is said as `at column N`.
pub fn violation_lines(r: &Rejection, one_line: bool) -> String {
    let mut out = String::new();
    for v in r.violations() {
        let path = if v.path.as_str().is_empty() { "\"\"" } else { v.path.as_str() };
        let marker = v.marker.as_deref().unwrap_or("-");
        let message = v.message();
        let message = if one_line { column_only(&message) } else { message.to_string() };
        out += &format!("{} {} {} {}: {}\n", v.code().as_u16(), path, marker, v.rule(), message);
    }
    out
}

/// `… at line 1 column 90` → `… at column 90`: the position within a one-line body.
pub fn column_only(message: &str) -> String {
    match message.rsplit_once(" at line 1 column ") {
        Some((head, column)) if !column.is_empty() && column.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{head} at column {column}")
        }
        _ => message.to_owned(),
    }
}

/// `1 body`, `2 bodies`.
pub fn bodies(n: usize) -> String {
    if n == 1 {
        "1 body".to_owned()
    } else {
        format!("{n} bodies")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_only_rewrites_a_first_line_position() {
        assert_eq!(
            column_only("malformed JSON: expected value at line 1 column 90"),
            "malformed JSON: expected value at column 90"
        );
        assert_eq!(column_only("expected value at line 2 column 3"), "expected value at line 2 column 3");
        assert_eq!(column_only("at line 1 column "), "at line 1 column ");
        assert_eq!(column_only("no position"), "no position");
    }

    #[test]
    fn plural() {
        assert_eq!(bodies(0), "0 bodies");
        assert_eq!(bodies(1), "1 body");
        assert_eq!(bodies(2), "2 bodies");
    }

    #[test]
    fn load_errors_say_what_failed() {
        let dir = Path::new("nonexistent");
        let e = |file: &str, attribute: Option<&str>, kind| LoadError {
            file: file.into(),
            attribute: attribute.map(Into::into),
            kind,
        };
        let missing = || LoadErrorKind::Io("No such file or directory".into());
        let fatal = |errors: Vec<LoadError>| registry_error(dir, &RegistryError { errors }).message;
        assert_eq!(
            fatal(vec![e("nonexistent", None, missing())]),
            "forms directory nonexistent: No such file or directory"
        );
        assert_eq!(
            describe(dir, &e("nonexistent/reg.json", None, LoadErrorKind::NoIdentifier)),
            "form file nonexistent/reg.json: `identifier` must be a non-empty string"
        );
        assert_eq!(
            fatal(vec![
                e("nonexistent/reg.json", Some("age"), LoadErrorKind::DuplicateMarker),
                e("nonexistent/x.json", None, LoadErrorKind::NoIdentifier)
            ]),
            "2 form errors:\n  form file nonexistent/reg.json, attribute age: duplicate marker\n  form file nonexistent/x.json: `identifier` must be a non-empty string"
        );
    }
}
