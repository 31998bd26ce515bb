//! Language codes: the `en_US` shape OneEntry uses for `langCode`, for the keys of a `formData`
//! object and for per-language validator sets.

/// `xx_XX`: two lower-case ASCII letters, `_`, two upper-case ASCII letters.
pub(crate) fn lang_shaped(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && b[0].is_ascii_lowercase()
        && b[1].is_ascii_lowercase()
        && b[2] == b'_'
        && b[3].is_ascii_uppercase()
        && b[4].is_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_underscore_shape() {
        assert!(lang_shaped("en_US") && lang_shaped("ru_RU"));
        assert!(!lang_shaped("en-US") && !lang_shaped("EN_us") && !lang_shaped("eng_US") && !lang_shaped("en_U"));
    }
}
