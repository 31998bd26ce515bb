//! Identity normalisation: how two logins are compared for uniqueness (3018).
//!
//! Trimmed, Unicode NFC, then lower-cased (full Unicode case mapping), so `Alice@Example.com `
//! and `alice@example.com` are the same identity, and so are a precomposed and a decomposed `é`.

use unicode_normalization::UnicodeNormalization;

/// The value as stored in the record: trimmed and NFC, case kept.
pub fn display_form(identity: &str) -> String {
    let trimmed = identity.trim();
    if trimmed.is_ascii() {
        return trimmed.to_owned(); // ASCII text is already NFC
    }
    trimmed.nfc().collect()
}

/// The key stores index for uniqueness: trimmed, NFC, lower-cased.
pub fn key(identity: &str) -> String {
    let trimmed = identity.trim();
    if trimmed.is_ascii() {
        return trimmed.to_ascii_lowercase(); // ASCII text is NFC, and lower-cases to ASCII
    }
    display_form(identity).to_lowercase().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn case_space_and_composition_do_not_matter() {
        assert_eq!(key("  Alice@Example.COM "), key("alice@example.com"));
        assert_eq!(key("Ame\u{301}lie"), key("AMÉLIE"));
        assert_ne!(key("alice"), key("alicia"));
        assert_eq!(display_form(" Bob\u{0065}\u{0301} "), "Bob\u{e9}");
    }

    #[test]
    fn ascii_shortcut_agrees_with_the_full_path() {
        for s in [
            " Alice@Example.COM\t",
            "",
            "  ",
            "K",
            "\u{212a}elvin",
            "MIXED case 123 !~",
            "\u{130}stanbul",
            "\u{a0}x\u{a0}",
        ] {
            let full_key: String = s.trim().nfc().collect::<String>().to_lowercase().nfc().collect();
            let full_display: String = s.trim().nfc().collect();
            assert_eq!(key(s), full_key, "{s:?}");
            assert_eq!(display_form(s), full_display, "{s:?}");
        }
    }
}
