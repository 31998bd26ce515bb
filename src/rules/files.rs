//! `checkingFilesValidator {maxUnits, maxValue, extensions, allowedHosts}`: how many files,
//! how large each may be, which extensions (case-insensitive) and which download hosts.

use super::FilesRule;
use crate::error::ViolationKind;
use crate::pointer::Pointer;
use crate::types::{Cx, FileMeta};

pub(super) fn check(rule: &FilesRule, files: &[FileMeta<'_>], path: &Pointer, cx: &mut Cx<'_>) {
    let custom = rule.custom.as_deref();
    if let Some(max) = rule.max_units {
        if files.len() > max {
            cx.report_custom(path.clone(), ViolationKind::FileCount { max, count: files.len() }, custom);
        }
    }
    for f in files {
        if let Some(max) = rule.max_size {
            if f.size > max {
                cx.report_custom(f.path.child("size"), ViolationKind::FileMaxSize { max, size: f.size }, custom);
            }
        }
        if !rule.extensions.is_empty() {
            // The rule's extensions are lower-case; an ASCII one is matched without copying.
            let allowed = f.filename.rsplit_once('.').is_some_and(|(_, e)| {
                if e.is_ascii() {
                    rule.extensions.iter().any(|x| x.eq_ignore_ascii_case(e))
                } else {
                    rule.extensions.contains(&e.to_lowercase())
                }
            });
            if !allowed {
                let allowed = rule.extensions.join(", ");
                cx.report_custom(
                    f.path.child("filename"),
                    ViolationKind::FileExtension { name: f.filename.to_owned(), allowed },
                    custom,
                );
            }
        }
        if !rule.allowed_hosts.is_empty() && !rule.allowed_hosts.iter().any(|h| *h == f.host) {
            cx.report_custom(f.path.child("downloadLink"), ViolationKind::FileHost(f.host.to_string()), custom);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::Sanitizer;
    use crate::types::Env;
    use crate::StaticTokens;
    use std::borrow::Cow;

    /// The rules reported for files named `names` from `host`, against `extensions`.
    fn rules_hit(extensions: &[&str], hosts: &[&str], names: &[&str], host: &str) -> Vec<&'static str> {
        let rule = FilesRule {
            max_units: None,
            max_size: None,
            extensions: extensions.iter().map(|e| (*e).to_owned()).collect(),
            allowed_hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
            custom: Default::default(),
        };
        let files: Vec<FileMeta<'_>> = names
            .iter()
            .map(|n| FileMeta { path: Pointer::root(), filename: n, size: 1, host: Cow::Borrowed(host) })
            .collect();
        let (sanitizer, captcha) = (Sanitizer::default(), StaticTokens::default());
        let env = Env { sanitizer: &sanitizer, captcha: &captcha, room: crate::types::StoreRoom::unlimited() };
        let mut out = Vec::new();
        check(&rule, &files, &Pointer::root(), &mut Cx { marker: "m", out: &mut out, env: &env });
        out.iter().map(|v| v.rule()).collect()
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
}
