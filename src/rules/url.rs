//! `urlInspectionValidator` (`true` or an object): the text is an absolute `http` or `https`
//! URL with a host, as the `url` crate (WHATWG URL Standard) parses it.

use serde_json::Value;

use super::{says_nothing, string_only, Custom, Rules, SettingsError, Validator};
use crate::error::ViolationKind;

/// The table's line for `urlInspectionValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: "urlInspectionValidator", applies_to: string_only, install, describe: says_nothing };

fn install(_: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    rules.url = Some(UrlRule { custom });
    Ok(())
}

/// `urlInspectionValidator`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UrlRule {
    /// `customErrorText`.
    pub custom: Custom,
}

impl UrlRule {
    /// `Some` when `s` is not an absolute http(s) URL with a host.
    pub(crate) fn check(&self, s: &str) -> Option<ViolationKind> {
        let ok = url::Url::parse(s)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()));
        (!ok).then(|| ViolationKind::Url(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_http_urls_only() {
        let rule = UrlRule::default();
        for good in ["https://oneentry.cloud", "http://example.com:8080/a?b=c#d", "HTTPS://Пример.рф/путь"]
        {
            assert_eq!(rule.check(good), None, "{good}");
        }
        for bad in [
            "example.com",
            "/relative/path",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://",
            "mailto:a@b.c",
            "",
        ] {
            assert_eq!(rule.check(bad), Some(ViolationKind::Url(bad.to_owned())), "{bad}");
        }
    }
}
