//! Identity normalisation: how two logins are compared for uniqueness (3018).
//!
//! Trimmed, Unicode NFC, then lower-cased (full Unicode case mapping), so `Alice@Example.com `
//! and `alice@example.com` are the same identity, and so are a precomposed and a decomposed `é`.

use unicode_normalization::UnicodeNormalization;

/// The value as stored in the record: trimmed and NFC, case kept.
pub fn display_form(identity: &str) -> String {
    identity.trim().nfc().collect()
}

/// The key stores index for uniqueness: trimmed, NFC, lower-cased.
pub fn key(identity: &str) -> String {
    display_form(identity).to_lowercase().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_space_and_composition_do_not_matter() {
        assert_eq!(key("  Alice@Example.COM "), key("alice@example.com"));
        assert_eq!(key("Ame\u{301}lie"), key("AMÉLIE"));
        assert_ne!(key("alice"), key("alicia"));
        assert_eq!(display_form(" Bob\u{0065}\u{0301} "), "Bob\u{e9}");
    }
}
