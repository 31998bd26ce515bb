//! `checkingFilesValidator {maxUnits, maxValue, extensions, allowedHosts}`: how many files,
//! how large each may be, which extensions (case-insensitive) and which download hosts.

use serde_json::Value;

use super::settings::{count, words};
use super::{Custom, FileMeta, Rules, SettingsError, Validator};
use crate::attr_type::AttrType;
use crate::error::ViolationKind;
use crate::pointer::Pointer;

const NAME: &str = "checkingFilesValidator";

/// The table's line for `checkingFilesValidator`.
pub(super) const VALIDATOR: Validator = Validator { name: NAME, applies_to: AttrType::holds_files, install };

fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    let extensions = words(cfg, NAME, "extensions")?;
    let hosts = words(cfg, NAME, "allowedHosts")?;
    rules.files = Some(FilesRule {
        max_units: count(cfg, NAME, "maxUnits")?,
        max_size: count(cfg, NAME, "maxValue")?.map(|n| n as u64),
        extensions: extensions.into_iter().map(|e| e.trim_start_matches('.').to_lowercase()).collect(),
        allowed_hosts: hosts.into_iter().map(|h| host(&h)).collect::<Result<_, _>>()?,
        custom,
    });
    Ok(())
}

/// A host name as the `url` crate writes it (lower-case, punycode), so it compares equal to
/// the host of a parsed `downloadLink`.
fn host(h: &str) -> Result<String, SettingsError> {
    url::Url::parse(&format!("http://{h}/"))
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .ok_or_else(|| SettingsError::NotAHost { validator: NAME, key: "allowedHosts", value: h.to_owned() })
}

/// `checkingFilesValidator {maxUnits, maxValue, extensions, allowedHosts}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilesRule {
    /// Most files.
    pub max_units: Option<usize>,
    /// Largest file, in bytes.
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
        if let Some(max) = self.max_units {
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
    fn settings_as_oneentry_sends_them() {
        let cfg = serde_json::json!({"maxUnits": "2", "maxValue": 100, "extensions": ".PNG, jpg", "allowedHosts": ["CDN.example.com"]});
        let mut rules = Rules::default();
        install(&cfg, None, &mut rules).unwrap();
        let f = rules.files.unwrap();
        assert_eq!((f.max_units, f.max_size), (Some(2), Some(100)));
        assert_eq!(f.extensions, ["png", "jpg"]);
        assert_eq!(f.allowed_hosts, ["cdn.example.com"]);
        let bad = serde_json::json!({"allowedHosts": ["not a host"]});
        assert!(matches!(install(&bad, None, &mut Rules::default()), Err(SettingsError::NotAHost { .. })));
    }
}
