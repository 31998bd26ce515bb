//! `emailInspectionValidator`: an address the `validator` crate accepts (HTML5-style rules).

use serde_json::Value;
use validator::ValidateEmail;

use super::{says_nothing, string_only, Custom, Rules, SettingsError, Validator};
use crate::error::ViolationKind;

/// The table's line for `emailInspectionValidator` (`true` or an object).
pub(super) const VALIDATOR: Validator =
    Validator { name: "emailInspectionValidator", applies_to: string_only, install, describe: says_nothing };

fn install(_: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    rules.email = Some(EmailRule { custom });
    Ok(())
}

/// `emailInspectionValidator`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmailRule {
    /// `customErrorText`.
    pub custom: Custom,
}

impl EmailRule {
    /// `Some` when `s` is not an email address.
    pub(crate) fn check(&self, s: &str) -> Option<ViolationKind> {
        (!is_email(s)).then(|| ViolationKind::Email(s.to_owned()))
    }
}

/// True for a syntactically valid email address: exactly the addresses `validator` accepts.
/// The common ones are recognised by a byte pass; `validator` (regexes, IDNA, address
/// literals) decides the rest.
pub(crate) fn is_email(s: &str) -> bool {
    plainly_valid(s) || s.validate_email()
}

/// True when `s` is ASCII and matches `validator`'s own patterns as they stand: a local part of
/// 1 to 64 characters from the HTML5 set, `@`, then a domain of at most 255 bytes made of
/// dot-separated labels (1 to 63 letters, digits or hyphens, no hyphen at either end).
/// `validator` accepts every such address before it tries anything else; `false` here only
/// means "ask `validator`".
fn plainly_valid(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(at) = b.iter().rposition(|&c| c == b'@') else { return false };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    (1..=64).contains(&local.len())
        && local.iter().all(|&c| LOCAL[usize::from(c)])
        && domain.len() <= 255
        && plain_domain(domain)
}

/// The bytes of a local part: letters, digits and the HTML5 set `.!#$%&'*+/=?^_`{|}~-`.
const LOCAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let others = b".!#$%&'*+/=?^_`{|}~-";
    let mut i = 0;
    while i < others.len() {
        table[others[i] as usize] = true;
        i += 1;
    }
    table
};

/// Dot-separated labels as `validator`'s domain pattern has them: 1 to 63 letters, digits or
/// hyphens each, no hyphen at either end. One pass.
fn plain_domain(domain: &[u8]) -> bool {
    let (mut len, mut last) = (0usize, b'.');
    for &c in domain {
        match c {
            b'.' if len == 0 || last == b'-' => return false,
            b'.' => len = 0,
            b'-' if len == 0 => return false,
            b'-' => len += 1,
            _ if c.is_ascii_alphanumeric() => len += 1,
            _ => return false,
        }
        if len > 63 {
            return false;
        }
        last = c;
    }
    len > 0 && last != b'-'
}

#[cfg(test)]
mod tests {
    use super::{is_email, plainly_valid};
    use validator::ValidateEmail;

    #[test]
    fn the_byte_pass_takes_the_common_addresses() {
        for s in ["margaret.hamilton@example.com", "a@b", "x+tag@mail.example-one.co", "o'neil@x9.io"] {
            assert!(plainly_valid(s) && s.validate_email(), "{s}");
        }
        let label63 = format!("a@{}.com", "b".repeat(63));
        assert!(plainly_valid(&label63));
        // Left to `validator`: too long, odd labels, IDN, address literals, no `@`.
        for s in [
            format!("{}@x.com", "a".repeat(65)),
            format!("a@{}.com", "b".repeat(64)),
            "a@-x.com".into(),
            "a@x-.com".into(),
            "a@x..com".into(),
            "a@".into(),
            "@x.com".into(),
            "a@bücher.de".into(),
            "a@[127.0.0.1]".into(),
            "plain".into(),
        ] {
            assert!(!plainly_valid(&s), "{s}");
            assert_eq!(is_email(&s), s.validate_email(), "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn accepts_exactly_what_validator_accepts(s in "[a-z0-9.@+'\\-\\[\\]:ü _]{0,24}") {
            proptest::prop_assert!(!plainly_valid(&s) || s.validate_email(), "{}", s);
            proptest::prop_assert_eq!(is_email(&s), s.validate_email(), "{}", s);
        }

        #[test]
        fn address_shaped_strings_agree(s in "[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~@-]{0,8}@([a-z0-9-]{0,4}\\.){0,3}[a-z0-9-]{0,4}") {
            proptest::prop_assert!(!plainly_valid(&s) || s.validate_email(), "{}", s);
            proptest::prop_assert_eq!(is_email(&s), s.validate_email(), "{}", s);
        }

        #[test]
        fn long_parts_agree_too(local in 60usize..70, label in 60usize..66, labels in 1usize..6) {
            let s = format!("{}@{}", "a".repeat(local), vec!["b".repeat(label); labels].join("."));
            proptest::prop_assert_eq!(is_email(&s), s.validate_email(), "{}", s);
            proptest::prop_assert!(!plainly_valid(&s) || s.validate_email(), "{}", s);
        }
    }
}
