//! Identities: which values can be a login (else 3024 `invalid-identity`), and when two logins
//! are the same account (3018 `identity-taken`).
//!
//! A login is processed as the standards process usernames, so that two values that look alike
//! are either the same identity or refused:
//!
//! - The value is trimmed (Unicode white space), then fullwidth and halfwidth forms are mapped to
//!   their ordinary ones (`ａｌｉｃｅ` → `alice`, `＠` → `@`).
//! - **E-mail shaped** (something, `@`, something: split at the last `@`), the local part is a
//!   username as below, and the domain is compared as the `emailInspectionValidator` reads it:
//!   after UTS 46 mapping (`idna::domain_to_ascii`, the call the `validator` crate makes), so
//!   `exa𝐦ple。com`, `ｅｘａｍｐｌｅ．com` and `EXAMPLE.com` are all `example.com`. Its code points
//!   must first pass PRECIS' FreeformClass: default-ignorable (zero-width, soft hyphen, variation
//!   selectors, bidi controls), control, unassigned and private-use code points are refused, not
//!   dropped as UTS 46 would.
//! - **Otherwise**, the whole value is a username: PRECIS UsernameCaseMapped (RFC 8265 §3.3,
//!   `precis-profiles`) applied to each space-separated part: IdentifierClass code points only
//!   (letters, digits, printable ASCII; no symbols, punctuation beyond ASCII, compatibility
//!   characters such as `𝐞`, `ⓔ` or the Kelvin sign, nor anything invisible), lower-cased, NFC,
//!   and the bidi rule of RFC 5893. Two spaces in a row are refused.
//!
//! [`prepare`] gives a valid identity's two forms: the **key** stores index (case-mapped,
//! domain in ASCII) and the **display** form stored as the record's `identifier` (case kept,
//! width-mapped, NFC; an ASCII domain as sent, any other one in its UTS 46 Unicode form). The
//! key of the display form is the key of the value.
//!
//! [`key`] is total, for stores: an identifier that is not a valid identity (only records
//! written before this check, or inserted directly) gets a looser fold (invisible and control
//! code points dropped, NFKC, lower case, UTS 46 domain) so that it still blocks its look-alikes.

use std::borrow::Cow;

use idna::uts46::AsciiDenyList;
use precis_core::profile::{Profile, Rules};
use precis_core::{DerivedPropertyValue, Error as PrecisError, FreeformClass, StringClass, UnexpectedError};
use precis_profiles::{UsernameCaseMapped, UsernameCasePreserved};
use unicode_normalization::UnicodeNormalization;

/// The longest identity, in UTF-8 bytes after trimming. An e-mail address has at most 254
/// (RFC 5321); the bound also keeps PRECIS' context rules, whose cost grows with the square of
/// the length, to well under a millisecond.
pub const MAX_BYTES: usize = 512;

/// Why a value cannot be an identity. Positions count characters of the trimmed value, from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Nothing but white space.
    #[error("it is empty")]
    Empty,
    /// Longer than [`MAX_BYTES`].
    #[error("it is {len} bytes long, more than the {max} an identity may have")]
    TooLong {
        /// Its length in UTF-8 bytes, trimmed.
        len: usize,
        /// [`MAX_BYTES`].
        max: usize,
    },
    /// A code point the profile refuses.
    #[error(
        "U+{:04X} (character {at}) is not allowed in an identity (invisible, control, compatibility, \
         symbol or unassigned code points are refused)",
        u32::from(*code_point)
    )]
    CodePoint {
        /// The code point (after width mapping).
        code_point: char,
        /// Its position in the trimmed value, counting characters from 1.
        at: usize,
    },
    /// A space that separates nothing: two in a row (which look like one), or one next to `@`.
    #[error("the space at character {at} separates nothing: only single spaces between words are allowed")]
    StraySpace {
        /// Position of the space, counting characters from 1.
        at: usize,
    },
    /// Right-to-left text that breaks RFC 5893's bidi rule (it could display as another value).
    #[error("its right-to-left text breaks the bidi rule (RFC 5893)")]
    Bidi,
    /// Refused by the PRECIS profile without a code point to blame (an internal inconsistency
    /// of its tables; never seen).
    #[error("the PRECIS username profile (RFC 8265) refuses it")]
    Profile,
    /// The domain of an e-mail shaped value fails UTS 46 processing.
    #[error("the domain `{0}` is not a valid internationalised domain name")]
    Domain(String),
}

/// A valid identity's two forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    display: String,
    key: String,
}

impl Identity {
    /// What the record stores as its `identifier`: case kept, width-mapped, NFC.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// What uniqueness compares: case-mapped, NFC, an e-mail's domain in ASCII (UTS 46).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The display form, taken out.
    pub fn into_display(self) -> String {
        self.display
    }
}

/// The identity `value` stands for, or why it cannot be one.
pub fn prepare(value: &str) -> Result<Identity, IdentityError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(IdentityError::Empty);
    }
    if trimmed.len() > MAX_BYTES {
        return Err(IdentityError::TooLong { len: trimmed.len(), max: MAX_BYTES });
    }
    let mapped = UsernameCaseMapped::new().width_mapping_rule(trimmed).map_err(|e| refusal(e, 0))?;
    let identity = match split_email(&mapped) {
        Some((local, domain)) => {
            let local = username(local, 0)?;
            let domain = domain_forms(domain, local.chars + 1)?;
            Identity {
                display: format!("{}@{}", local.display, domain.display),
                key: format!("{}@{}", local.key, domain.key),
            }
        }
        None => {
            let name = username(&mapped, 0)?;
            Identity { display: name.display, key: name.key }
        }
    };
    // A domain's Unicode form can be longer than the domain sent (U+FDFA is 18 letters):
    // the display form must be within the bound too, so that its key is the value's key.
    if identity.display.len() > MAX_BYTES {
        return Err(IdentityError::TooLong { len: identity.display.len(), max: MAX_BYTES });
    }
    Ok(identity)
}

/// The key stores index `identifier` under: [`prepare`]'s key for a valid identity, the empty
/// string for an empty one (no identity), and a looser fold for anything else (see the module
/// documentation).
pub fn key(identifier: &str) -> String {
    match prepare(identifier) {
        Ok(identity) => identity.key,
        Err(IdentityError::Empty) => String::new(),
        Err(_) => fold(identifier.trim()),
    }
}

/// `(local, domain)` when `s` is e-mail shaped: split at the last `@`, both sides non-empty.
fn split_email(s: &str) -> Option<(&str, &str)> {
    let (local, domain) = s.rsplit_once('@')?;
    (!local.is_empty() && !domain.is_empty()).then_some((local, domain))
}

/// The display and key forms of part of a value, and how many characters it has.
struct Forms {
    display: String,
    key: String,
    chars: usize,
}

/// A username (RFC 8265 §3.5): userparts separated by single spaces, each enforced under
/// UsernameCasePreserved (display) and UsernameCaseMapped (key). `offset`: characters before `s`.
fn username(s: &str, offset: usize) -> Result<Forms, IdentityError> {
    let mut out = Forms { display: String::with_capacity(s.len()), key: String::with_capacity(s.len()), chars: 0 };
    for (i, part) in s.split(' ').enumerate() {
        if i > 0 {
            out.display.push(' ');
            out.key.push(' ');
            out.chars += 1;
        }
        let at = offset + out.chars;
        if part.is_empty() {
            return Err(IdentityError::StraySpace { at: at + usize::from(i == 0) });
        }
        if part.bytes().all(|b| b.is_ascii_graphic()) {
            // Printable ASCII is PVALID in IdentifierClass, has no width mapping, is NFC and has
            // no right-to-left text: both profiles give it back, the case-mapped one lower-cased.
            out.display.push_str(part);
            out.key.extend(part.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            out.display.push_str(&UsernameCasePreserved::new().enforce(part).map_err(|e| refusal(e, at))?);
            out.key.push_str(&UsernameCaseMapped::new().enforce(part).map_err(|e| refusal(e, at))?);
        }
        out.chars += part.chars().count();
    }
    Ok(out)
}

/// An e-mail domain: FreeformClass code points only, then UTS 46. The key is the ASCII form;
/// the display keeps an ASCII domain as sent and gives any other in its Unicode form.
fn domain_forms(domain: &str, offset: usize) -> Result<Forms, IdentityError> {
    let chars = domain.chars().count();
    if !domain.bytes().all(|b| b.is_ascii_graphic()) {
        FreeformClass::default().allows(domain).map_err(|e| refusal(e, offset))?;
    }
    let invalid = || IdentityError::Domain(domain.to_owned());
    let ascii = idna::domain_to_ascii_cow(domain.as_bytes(), AsciiDenyList::EMPTY).map_err(|_| invalid())?;
    let display = if domain.is_ascii() {
        domain.to_owned()
    } else {
        let (unicode, errors) = idna::domain_to_unicode(&ascii);
        errors.map_err(|_| invalid())?;
        unicode
    };
    Ok(Forms { display, key: ascii.into_owned(), chars })
}

/// A PRECIS refusal as an [`IdentityError`]; `offset`: characters before the string refused.
fn refusal(e: PrecisError, offset: usize) -> IdentityError {
    let info = match &e {
        PrecisError::BadCodepoint(info) => info,
        PrecisError::Unexpected(
            UnexpectedError::ContextRuleNotApplicable(info) | UnexpectedError::MissingContextRule(info),
        ) => info,
        // Parts are never empty here, so the profile's only other refusal is the bidi rule.
        PrecisError::Invalid => return IdentityError::Bidi,
        PrecisError::Unexpected(_) => return IdentityError::Profile,
    };
    let code_point = char::from_u32(info.cp).unwrap_or(char::REPLACEMENT_CHARACTER);
    IdentityError::CodePoint { code_point, at: offset + info.position + 1 }
}

/// The key of a stored identifier that is not a valid identity: code points FreeformClass
/// disallows dropped (invisible, control), NFKC, lower case, NFKC, and an e-mail's domain
/// through UTS 46 when it passes. Never empty for a non-empty `trimmed`.
fn fold(trimmed: &str) -> String {
    let class = FreeformClass::default();
    let visible: String = trimmed
        .chars()
        .filter(|&c| {
            !matches!(
                class.get_value_from_char(c),
                DerivedPropertyValue::Disallowed | DerivedPropertyValue::SpecClassDis | DerivedPropertyValue::ContextJ
            )
        })
        .collect();
    let folded: String = visible.nfkc().collect::<String>().to_lowercase().nfkc().collect();
    let key = match split_email(&folded) {
        Some((local, domain)) => match idna::domain_to_ascii_cow(domain.as_bytes(), AsciiDenyList::EMPTY) {
            Ok(ascii) => Cow::Owned(format!("{local}@{ascii}")),
            Err(_) => Cow::Borrowed(folded.as_str()),
        },
        None => Cow::Borrowed(folded.as_str()),
    };
    if key.trim().is_empty() {
        return trimmed.to_lowercase();
    }
    key.into_owned()
}

#[cfg(test)]
mod tests;
