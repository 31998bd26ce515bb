//! `checkingFilesValidator {maxUnits, maxValue, extensions, maxCount, allowedHosts}`: how
//! large each file may be (`maxValue` in the unit `maxUnits`, as OneEntry sends it), which
//! extensions (case-insensitive), and, the engine's own, how many files (`maxCount`) and which
//! download hosts.

use serde_json::Value;

use super::ecma::literal;
use super::settings::{bound, count, words};
use super::{Custom, FileMeta, Narrowing, Rules, SettingsError, Validator};
use crate::attr_type::AttrType;
use crate::error::ViolationKind;
use crate::pointer::Pointer;

const NAME: &str = "checkingFilesValidator";

/// The table's line for `checkingFilesValidator`.
pub(super) const VALIDATOR: Validator = Validator { name: NAME, applies_to: AttrType::holds_files, install, describe };

fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    let extensions = words(cfg, NAME, "extensions")?;
    let hosts = words(cfg, NAME, "allowedHosts")?;
    rules.files = Some(FilesRule {
        max_count: count(cfg, NAME, "maxCount")?,
        max_size: max_size(cfg)?,
        extensions: extensions.into_iter().map(|e| e.trim_start_matches('.').to_lowercase()).collect(),
        allowed_hosts: hosts.into_iter().map(|h| host(&h)).collect::<Result<_, _>>()?,
        custom,
    });
    Ok(())
}

/// `maxItems` (`maxCount`), each file's `size` at most `maxValue` in `maxUnits`, and its
/// `filename` ending in one of the extensions when JSON Schema can say it exactly.
fn describe(rules: &Rules, n: &mut Narrowing) {
    let Some(r) = &rules.files else { return };
    if let Some(max) = r.max_count {
        n.at_most_items(max);
    }
    if let Some(max) = r.max_size {
        n.files_at_most(max);
    }
    n.file_name_pattern = extension_pattern(&r.extensions);
}

/// The extensions as a pattern on the file name, when every extension is ASCII letters and
/// digits (compared case-insensitively: `K` also stands for U+212A KELVIN SIGN, which
/// lower-cases to `k`).
fn extension_pattern(extensions: &[String]) -> Option<String> {
    if extensions.is_empty()
        || !extensions.iter().all(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return None;
    }
    let alternatives: Vec<String> = extensions
        .iter()
        .map(|e| {
            e.chars()
                .map(|c| match c {
                    'k' | 'K' => "[kK\u{212A}]".to_owned(),
                    c if c.is_ascii_alphabetic() => format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase()),
                    c => literal(c),
                })
                .collect()
        })
        .collect();
    Some(format!("\\.(?:{})$", alternatives.join("|")))
}

/// The largest size of one file in bytes: `maxValue` (a number or numeric string, fractions
/// allowed, `0`/`""` unset) times the unit `maxUnits` (`b`, `kb`, `mb`, `gb` in any case,
/// powers of 1024; bytes when absent or empty), rounded down.
fn max_size(cfg: &Value) -> Result<Option<u64>, SettingsError> {
    let unit = unit_factor(cfg.get("maxUnits"))?;
    let Some(value) = bound(cfg, NAME, "maxValue")? else { return Ok(None) };
    let raw = || cfg.get("maxValue").map(Value::to_string).unwrap_or_default();
    let bytes = (value * unit as f64).floor();
    if value < 0.0 || bytes >= u64::MAX as f64 {
        return Err(SettingsError::NotACount { validator: NAME, key: "maxValue", value: raw() });
    }
    Ok((bytes > 0.0).then_some(bytes as u64))
}

/// Bytes in one `maxUnits`: `b` 1, `kb` 1024, `mb` 1024², `gb` 1024³ (case-insensitive);
/// absent, `null` or `""` is bytes. A number (the meaning `maxUnits` had before it was
/// OneEntry's unit) or any other word is a [`SettingsError::NotAUnit`].
fn unit_factor(unit: Option<&Value>) -> Result<u64, SettingsError> {
    let not_a_unit = |v: &Value| SettingsError::NotAUnit { validator: NAME, key: "maxUnits", value: v.to_string() };
    match unit {
        None | Some(Value::Null) => Ok(1),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "" | "b" => Ok(1),
            "kb" => Ok(1 << 10),
            "mb" => Ok(1 << 20),
            "gb" => Ok(1 << 30),
            _ => Err(not_a_unit(&Value::String(s.clone()))),
        },
        Some(other) => Err(not_a_unit(other)),
    }
}

/// A host name as the `url` crate writes it (lower-case, punycode), so it compares equal to
/// the host of a parsed `downloadLink`.
fn host(h: &str) -> Result<String, SettingsError> {
    url::Url::parse(&format!("http://{h}/"))
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .ok_or_else(|| SettingsError::NotAHost { validator: NAME, key: "allowedHosts", value: h.to_owned() })
}

/// `checkingFilesValidator {maxUnits, maxValue, extensions, maxCount, allowedHosts}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilesRule {
    /// Most files (`maxCount`).
    pub max_count: Option<usize>,
    /// Largest file, in bytes (`maxValue` in `maxUnits`).
    pub max_size: Option<u64>,
    /// Allowed extensions, lower-case without the dot; empty means any.
    pub extensions: Vec<String>,
    /// Allowed download hosts, lower-case; empty means any.
    pub allowed_hosts: Vec<String>,
    /// `customErrorText`.
    pub custom: Custom,
}

impl FilesRule {
    /// Everything wrong with `files` (the value at `path`), each at the pointer of what is
    /// wrong: the value for the count, a file's `size`, `filename` or `downloadLink`.
    pub(crate) fn check(&self, files: &[FileMeta<'_>], path: &Pointer) -> Vec<(Pointer, ViolationKind)> {
        let mut found = Vec::new();
        if let Some(max) = self.max_count {
            if files.len() > max {
                found.push((path.clone(), ViolationKind::FileCount { max, count: files.len() }));
            }
        }
        for f in files {
            if let Some(max) = self.max_size {
                if f.size > max {
                    found.push((f.path.child("size"), ViolationKind::FileMaxSize { max, size: f.size }));
                }
            }
            if !self.extensions.is_empty() && !self.allows_extension_of(f.filename) {
                let allowed = self.extensions.join(", ");
                let kind = ViolationKind::FileExtension { name: f.filename.to_owned(), allowed };
                found.push((f.path.child("filename"), kind));
            }
            if !self.allowed_hosts.is_empty() && !self.allowed_hosts.iter().any(|h| *h == f.host) {
                found.push((f.path.child("downloadLink"), ViolationKind::FileHost(f.host.to_string())));
            }
        }
        found
    }

    /// True when `filename`'s extension is one of the rule's (lower-case); an ASCII one is
    /// matched without copying.
    fn allows_extension_of(&self, filename: &str) -> bool {
        filename.rsplit_once('.').is_some_and(|(_, e)| {
            if e.is_ascii() {
                self.extensions.iter().any(|x| x.eq_ignore_ascii_case(e))
            } else {
                self.extensions.contains(&e.to_lowercase())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::borrow::Cow;

    /// The rules reported for files named `names` from `host`, against `extensions`.
    fn rules_hit(extensions: &[&str], hosts: &[&str], names: &[&str], host: &str) -> Vec<&'static str> {
        let rule = FilesRule {
            extensions: extensions.iter().map(|e| (*e).to_owned()).collect(),
            allowed_hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
            ..FilesRule::default()
        };
        let files: Vec<FileMeta<'_>> = names
            .iter()
            .map(|n| FileMeta { path: Pointer::root(), filename: n, size: 1, host: Cow::Borrowed(host) })
            .collect();
        rule.check(&files, &Pointer::root()).iter().map(|(_, kind)| kind.rule()).collect()
    }

    #[test]
    fn extensions_match_case_insensitively_ascii_or_not() {
        assert!(rules_hit(&["png", "jpg"], &[], &["a.PNG", "b.Jpg", "c.d.png"], "h").is_empty());
        assert_eq!(rules_hit(&["png"], &[], &["a.gif", "png", "a.png.exe"], "h").len(), 3);
        // Unicode lower-casing for non-ASCII extensions: the Kelvin sign lower-cases to `k`.
        assert!(rules_hit(&["mk4"], &[], &["film.M\u{212A}4"], "h").is_empty());
        assert!(rules_hit(&["é"], &[], &["a.É"], "h").is_empty());
        assert_eq!(rules_hit(&["png"], &["cdn.example.com"], &["a.png"], "evil.example.com"), ["file-host"]);
        assert!(rules_hit(&[], &["cdn.example.com"], &["a.png"], "cdn.example.com").is_empty());
    }

    #[test]
    fn extensions_as_a_file_name_pattern() {
        let pattern = |e: &[&str]| extension_pattern(&e.iter().map(|e| (*e).to_owned()).collect::<Vec<_>>());
        assert_eq!(pattern(&["png", "mk4"]).unwrap(), "\\.(?:[pP][nN][gG]|[mM][kK\u{212A}]4)$");
        assert_eq!(pattern(&["tar.gz"]), None, "only letters and digits");
        assert_eq!(pattern(&[]), None, "no extensions: any name");
        let described = Rules {
            files: Some(installed(json!({"extensions": ["PDF"], "maxCount": 2})).unwrap()),
            ..Rules::default()
        };
        let n = described.narrowing();
        assert_eq!((n.file_name_pattern.as_deref(), n.max_items), (Some("\\.(?:[pP][dD][fF])$"), Some(2)));
    }

    /// The rule `settings` install, or why they cannot.
    fn installed(settings: Value) -> Result<FilesRule, SettingsError> {
        Ok(VALIDATOR.read(&settings)?.files.unwrap_or_default())
    }

    #[test]
    fn sizes_in_oneentry_units() {
        let size =
            |units: Value, value: Value| installed(json!({"maxUnits": units, "maxValue": value})).map(|f| f.max_size);
        assert_eq!(size(json!("kb"), json!("2000")), Ok(Some(2000 * 1024)));
        assert_eq!(size(json!("MB"), json!(1.5)), Ok(Some(3 << 19)));
        assert_eq!(size(json!("gb"), json!("2")), Ok(Some(2 << 30)));
        assert_eq!(size(json!("b"), json!(10)), Ok(Some(10)));
        assert_eq!(size(json!(""), json!(10)), Ok(Some(10)), "no unit is bytes");
        assert_eq!(size(Value::Null, json!("0")), Ok(None), "0 is unset");
        assert_eq!(size(json!("kb"), json!("")), Ok(None));
        assert!(matches!(size(json!("tb"), json!(1)), Err(SettingsError::NotAUnit { .. })));
        assert!(matches!(size(json!(2), json!(1)), Err(SettingsError::NotAUnit { .. })), "the old meaning");
        assert!(matches!(size(json!("kb"), json!(-1)), Err(SettingsError::NotACount { .. })));
        assert!(matches!(size(json!("gb"), json!(1e12)), Err(SettingsError::NotACount { .. })));
    }

    #[test]
    fn settings_as_oneentry_sends_them() {
        let cfg =
            json!({"maxCount": "2", "maxValue": 100, "extensions": ".PNG, jpg", "allowedHosts": ["CDN.example.com"]});
        let f = installed(cfg).unwrap();
        assert_eq!((f.max_count, f.max_size), (Some(2), Some(100)));
        assert_eq!(f.extensions, ["png", "jpg"]);
        assert_eq!(f.allowed_hosts, ["cdn.example.com"]);
        assert!(matches!(installed(json!({"allowedHosts": ["not a host"]})), Err(SettingsError::NotAHost { .. })));
    }
}
