//! Unit tests of identity preparation and keys: the look-alikes of issue 12, the display form,
//! the store key of legacy identifiers, and properties over arbitrary text.

use super::*;
use proptest::prelude::*;

const ALICE: &str = "alice@example.com";

/// A look-alike must be refused or collide with `alice@example.com`; never a second account.
#[derive(Debug, PartialEq)]
enum Outcome {
    Refused,
    SameAsAlice,
}

fn outcome(value: &str) -> Outcome {
    match prepare(value) {
        Err(_) => Outcome::Refused,
        Ok(id) if id.key() == key(ALICE) => Outcome::SameAsAlice,
        Ok(id) => panic!("{value:?} is a second account that looks like alice: key {:?}", id.key()),
    }
}

#[test]
fn look_alikes_are_refused_or_the_same_identity() {
    use Outcome::*;
    let cases = [
        ("alice@example.com\u{200b}", Refused),            // zero-width space
        ("\u{200b}alice@example.com", Refused),            // ... in the local part
        ("alice@exam\u{ad}ple.com", Refused),              // soft hyphen in the domain
        ("alice@example.com\u{fe0f}", Refused),            // variation selector
        ("ali\u{fe0f}ce@example.com", Refused),            // ... in the local part
        ("ａｌｉｃｅ@example.com", SameAsAlice),           // fullwidth letters
        ("alice@ｅｘａｍｐｌｅ.com", SameAsAlice),         // ... in the domain
        ("alice＠example.com", SameAsAlice),               // fullwidth at sign
        ("alice@example．com", SameAsAlice),               // fullwidth full stop
        ("alice@example。com", SameAsAlice),               // ideographic full stop (a UTS 46 dot)
        ("alice@example｡com", SameAsAlice),                // halfwidth ideographic full stop
        ("alice@\u{1d41e}xample.com", SameAsAlice),        // math bold e, in the domain (UTS 46)
        ("alic\u{1d41e}@example.com", Refused),            // ... in the local part (compatibility)
        ("alice@\u{24d4}xample.com", SameAsAlice),         // circled e, in the domain
        ("alic\u{24d4}@example.com", Refused),             // ... in the local part
        ("alice@example.com\u{200e}", Refused),            // left-to-right mark
        ("\u{200f}alice@example.com", Refused),            // right-to-left mark
        ("alice@\u{202e}moc.elpmaxe", Refused),            // right-to-left override
        ("\u{202d}alice@example.com", Refused),            // left-to-right override
        ("alice@example.com\u{2066}", Refused),            // isolate
        ("a\u{34f}lice@example.com", Refused),             // combining grapheme joiner
        ("al\u{200d}ice@example.com", Refused),            // zero-width joiner out of context
        ("alice@exa\u{200c}mple.com", Refused),            // zero-width non-joiner in the domain
        ("\u{feff}alice@example.com", Refused),            // byte order mark
        ("alice@ex\u{2060}ample.com", Refused),            // word joiner
        ("alice\u{0}@example.com", Refused),               // control
        ("ALICE@EXAMPLE.COM", SameAsAlice),                // case
        ("\u{a0} alice@example.com\u{3000}", SameAsAlice), // white space around
    ];
    for (value, expected) in cases {
        assert_eq!(outcome(value), expected, "{value:?}");
    }
}

#[test]
fn combining_marks_and_compatibility_letters() {
    // A decomposed é is the precomposed one (NFC), in a username and in a domain.
    assert_eq!(key("jose\u{301}"), key("jos\u{e9}"));
    assert_eq!(key("bob@cafe\u{301}.fr"), key("bob@caf\u{e9}.fr"));
    assert_eq!(key("bob@CAF\u{c9}.fr"), "bob@xn--caf-dma.fr");
    // The Kelvin sign: refused in a username (it is a compatibility character), mapped to `k`
    // in a domain (UTS 46), so `kate@\u{212a}ite.com` is `kate@kite.com`.
    assert!(matches!(prepare("\u{212a}ate"), Err(IdentityError::CodePoint { code_point: '\u{212a}', at: 1 })));
    assert_eq!(key("kate@\u{212a}ite.com"), key("kate@kite.com"));
    // Other letters are identities of their own.
    assert_ne!(key("alice"), key("alicia"));
    assert_ne!(key("\u{430}lice"), key("alice"), "Cyrillic а is another letter (confusables are not folded)");
}

#[test]
fn errors_say_what_and_where() {
    assert_eq!(prepare("  \t"), Err(IdentityError::Empty));
    assert_eq!(prepare(""), Err(IdentityError::Empty));
    assert_eq!(
        prepare(" alice@exam\u{ad}ple.com"),
        Err(IdentityError::CodePoint { code_point: '\u{ad}', at: 11 }),
        "positions count characters of the trimmed value, from 1"
    );
    assert_eq!(prepare("bob \u{200b}"), Err(IdentityError::CodePoint { code_point: '\u{200b}', at: 5 }));
    assert_eq!(prepare("ab  cd"), Err(IdentityError::StraySpace { at: 3 }));
    assert_eq!(prepare("ab @x.io"), Err(IdentityError::StraySpace { at: 3 }));
    assert_eq!(prepare("\u{5d0}a"), Err(IdentityError::Bidi), "right-to-left mixed with left-to-right");
    assert!(prepare("\u{5d0}\u{5d1}").is_ok(), "right-to-left alone is fine");
    assert_eq!(prepare("a@xn--a.com"), Err(IdentityError::Domain("xn--a.com".into())));
    let longest = format!("{}@example.com", "a".repeat(MAX_BYTES - 12));
    assert!(prepare(&format!("  {longest}  ")).is_ok(), "{MAX_BYTES} bytes, trimmed");
    assert_eq!(prepare(&format!("a{longest}")), Err(IdentityError::TooLong { len: MAX_BYTES + 1, max: MAX_BYTES }));
    assert_eq!(key(&format!("A{longest}")), format!("a{longest}"), "a longer stored identifier still has a key");
    // A display form that grows (UTS 46 spells a square katakana word out: 3 bytes → 12) is
    // held to the bound too, so that the stored form's key is the key of the value sent.
    let squares = |n: usize| format!("a@x{}.jp", "\u{3300}".repeat(n));
    let id = prepare(&squares(40)).unwrap();
    assert_eq!(id.display(), format!("a@x{}.jp", "\u{30a2}\u{30d1}\u{30fc}\u{30c8}".repeat(40)));
    assert_eq!(key(id.display()), id.key());
    let grown = squares(160);
    assert!(grown.len() <= MAX_BYTES);
    assert_eq!(prepare(&grown), Err(IdentityError::TooLong { len: 3 + 12 * 160 + 3, max: MAX_BYTES }));
    let message = prepare("alice@example.com\u{200b}").unwrap_err().to_string();
    assert!(message.starts_with("U+200B (character 18) is not allowed"), "{message}");
}

#[test]
fn display_keeps_case_and_maps_width_and_domains() {
    let display = |s: &str| prepare(s).unwrap().into_display();
    assert_eq!(display("  Alice3@Example.com "), "Alice3@Example.com", "an ASCII value as sent, trimmed");
    assert_eq!(display("Ａｌｉｃｅ@Example.com"), "Alice@Example.com", "fullwidth forms mapped, case kept");
    assert_eq!(display("Alice@Exa\u{1d426}ple。COM"), "Alice@example.com", "a non-ASCII domain in UTS 46 form");
    assert_eq!(display("Bob@B\u{fc}cher.de"), "Bob@b\u{fc}cher.de");
    assert_eq!(display("Ame\u{301}lie"), "Am\u{e9}lie", "NFC");
    assert_eq!(display("Jean Dupont"), "Jean Dupont", "single spaces between words");
    assert_eq!(prepare("Jean Dupont").unwrap().key(), "jean dupont");
    assert_eq!(prepare("Bob@B\u{fc}cher.de").unwrap().key(), "bob@xn--bcher-kva.de");
}

#[test]
fn stored_identifiers_that_are_not_identities_still_block_their_look_alikes() {
    // Written before this check (or inserted directly): the store key folds them onto the
    // identity they imitate, so the real one cannot be taken by a third user, and the stores'
    // migration finds the pairs that already exist.
    for legacy in [
        "alice@example.com\u{200b}",
        "alice@exam\u{ad}ple.com",
        "alic\u{1d41e}@example.com",
        "alic\u{24d4}@Example.com",
        "\u{202e}alice@example.com",
        "alice@example.com\u{fe0f}",
    ] {
        assert!(prepare(legacy).is_err(), "{legacy:?}");
        assert_eq!(key(legacy), key(ALICE), "{legacy:?}");
    }
    assert_eq!(key("\u{212a}ate"), "kate");
    assert_eq!(key("\u{200b}"), "\u{200b}", "a fold never makes a non-empty identifier keyless");
    assert_eq!(key("  "), "", "no identity, no key");
}

#[test]
fn unchanged_from_before_for_ordinary_values() {
    assert_eq!(key("  Alice@Example.COM "), ALICE);
    assert_eq!(key("Ame\u{301}lie"), key("AM\u{c9}LIE"));
    assert_eq!(key("+1 555 0100"), "+1 555 0100");
    assert_eq!(key("\u{130}stanbul"), "i\u{307}stanbul");
}

/// Characters the properties draw from: ASCII, look-alikes, marks, right-to-left letters, spaces.
fn tricky() -> impl Strategy<Value = String> {
    let pool: Vec<char> = "aAkK.@- _xn1é\u{301}\u{300}\u{200b}\u{ad}\u{fe0f}\u{200d}\u{200e}\u{202e}ａＫ．。｡＠\u{1d41e}\u{24d4}\u{212a}\u{3000}\u{a0}\u{5d0}\u{627}\u{663}\u{130}ßΣς\u{fb01}ü\u{ff61}\u{3300}\u{338f}\u{b7}\u{30fb}\u{663}\u{94d}\u{915}\u{200c}"
        .chars()
        .collect();
    prop::collection::vec(prop::sample::select(pool), 0..14).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn the_display_form_has_the_same_key(s in tricky()) {
        if let Ok(id) = prepare(&s) {
            let again = prepare(id.display()).expect("a display form is a valid identity");
            prop_assert_eq!(again.key(), id.key(), "{:?} → {:?}", s, id.display());
            prop_assert_eq!(again.display(), id.display(), "display is idempotent");
            prop_assert_eq!(key(&s), id.key().to_owned());
        }
    }

    #[test]
    fn keys_of_valid_identities_are_valid_and_fixed(s in tricky()) {
        if let Ok(id) = prepare(&s) {
            prop_assert_eq!(key(id.key()), id.key().to_owned(), "{:?}", s);
        }
    }

    #[test]
    fn printable_ascii_takes_the_short_cut_to_the_profile_answer(s in "[!-~]{1,24}") {
        let display = UsernameCasePreserved::new().enforce(s.as_str()).unwrap();
        let key_form = UsernameCaseMapped::new().enforce(s.as_str()).unwrap();
        let forms = username(&s, 0).unwrap();
        prop_assert_eq!(forms.display, display.into_owned());
        prop_assert_eq!(forms.key, key_form.into_owned());
    }

    #[test]
    fn never_panics(s in any::<String>()) {
        let _ = prepare(&s);
        let k = key(&s);
        prop_assert_eq!(k.is_empty(), s.trim().is_empty());
    }
}
