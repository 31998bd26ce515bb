//! Byte classes: which bytes each of the sanitizer's scans must stop at ([`CLASS`], one bit
//! per scan), and the scans themselves ([`find_class`], [`visible_len`]).
//!
//! Text is mostly bytes no scan cares about, so the scans skip them in blocks: sixteen bytes
//! at a time with SSE2, which every x86-64 has (`safe_arch` wraps the intrinsics, no
//! `unsafe`), eight at a time through the table elsewhere (that path is compiled on every
//! target: it is the same function). The vector tests restate the table's classes; a test
//! holds them to it for every byte, and proptests hold the scans to a byte-at-a-time reference.

/// [`CLASS`] bit of the bytes [`super::markdown::CleanWriter::text`] rewrites in text: `&<>`, CR, NUL, and 0xC2
/// (which may start U+00A0).
pub(super) const C_TEXT: u8 = 1;
/// [`CLASS`] bit of the bytes it also rewrites in attribute values: `"`.
pub(super) const C_ATTR: u8 = 2;
/// [`CLASS`] bit of the bytes [`super::paragraphs`] rewrites: `&<>`, 0xC2, control characters but tab.
pub(super) const C_PLAIN: u8 = 4;
/// [`CLASS`] bit of line ends: CR and LF.
pub(super) const C_EOL: u8 = 8;
/// [`CLASS`] bit of the bytes that may not be part of a visible character (neither whitespace
/// nor a control character): all ASCII but `!`–`~`, and the lead bytes 0xC2, 0xE1, 0xE2 and
/// 0xE3 (every non-ASCII whitespace or control character starts with one of them).
pub(super) const C_STOP: u8 = 16;
/// [`CLASS`] bit of the bytes pulldown-cmark's `escape_href` percent-encodes: all but ASCII
/// letters and digits and `!#$%&'()*+,-./:;=?@^_~` (`&` and `'` it writes as entities).
pub(super) const C_HREF: u8 = 32;

/// The classes of bytes, as bit sets of `C_*`.
pub(super) static CLASS: [u8; 256] = {
    let mut t = [0; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b < 0x20 && b != b'\t' {
            t[c] |= C_PLAIN;
        }
        if !matches!(b, b'!'..=b'~') && (b < 0x80 || matches!(b, 0xC2 | 0xE1..=0xE3)) {
            t[c] |= C_STOP;
        }
        if !(b.is_ascii_alphanumeric()
            || matches!(b, b'!' | b'#'..=b'/' | b':' | b';' | b'=' | b'?' | b'@' | b'^' | b'_' | b'~'))
        {
            t[c] |= C_HREF;
        }
        t[c] |= match b {
            b'&' | b'<' | b'>' | 0xC2 => C_TEXT | C_PLAIN,
            0 => C_TEXT,
            b'\r' => C_TEXT | C_EOL,
            b'\n' => C_EOL,
            b'"' => C_ATTR,
            0x7f => C_PLAIN,
            _ => 0,
        };
        c += 1;
    }
    t
};

/// The index of the first byte at or after `from` in `b` whose [`CLASS`] has a bit of `mask`:
/// sixteen bytes at a time with SSE2 when [`vector::TESTED`] covers `mask`, else eight at a
/// time through the table while none has. Inlined, so that the vector test is built for the
/// masks each caller passes (constants, or one of two).
#[inline(always)]
pub(super) fn find_class(b: &[u8], from: usize, mask: u8) -> Option<usize> {
    let mut i = from;
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if mask & !vector::TESTED == 0 {
        while let Some(chunk) = vector::chunk(b, i) {
            let flagged = vector::flags(chunk, mask);
            if flagged != 0 {
                return Some(i + flagged.trailing_zeros() as usize);
            }
            i += 16;
        }
    }
    while let Some(chunk) = b.get(i..i + 8) {
        if chunk.iter().fold(0, |acc, &c| acc | CLASS[usize::from(c)]) & mask != 0 {
            break;
        }
        i += 8;
    }
    b.get(i..)?.iter().position(|&c| CLASS[usize::from(c)] & mask != 0).map(|n| i + n)
}

/// The length of the run at the start of `s` that `PlainWriter::char` would copy as it is:
/// characters that are neither whitespace nor control characters, and single spaces between
/// them.
pub(super) fn visible_len(s: &str) -> usize {
    visible_len_by(s, |b, i| find_class(b, visible_prefix(b, i), C_STOP).unwrap_or(b.len()))
}

/// [`visible_len`], with `next_stop(b, i)` finding the first byte of [`C_STOP`] at or after
/// `i` (or the end): the tests pass a byte-at-a-time one, which must give the same answer.
#[inline(always)]
fn visible_len_by(s: &str, next_stop: impl Fn(&[u8], usize) -> usize) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        i = next_stop(b, i);
        match b.get(i) {
            Some(b' ') if i > 0 && b.get(i + 1).is_some_and(|&c| CLASS[usize::from(c)] & C_STOP == 0) => i += 1,
            // Most scripts' characters are never whitespace nor control: their lead byte alone
            // says so (`s` is UTF-8, so the whole character follows).
            Some(&c) if c >= 0x80 => match always_visible_width(c) {
                0 => match s[i..].chars().next() {
                    Some(ch) if !ch.is_whitespace() && !ch.is_control() => i += ch.len_utf8(),
                    _ => return i,
                },
                width => i += width,
            },
            _ => return i,
        }
    }
}

/// The width of a UTF-8 character whose lead byte is `lead` when every character with that
/// lead byte is neither whitespace nor a control character (U+00C0–U+07FF, U+0800–U+0FFF,
/// U+4000–U+FFFF, beyond U+FFFF); 0 when the character itself must be looked at (the lead
/// bytes of U+0080–U+00BF, U+1000–U+3FFF, which hold NEL, NBSP, U+1680, U+2000–U+3000).
pub(super) fn always_visible_width(lead: u8) -> usize {
    match lead {
        0xC3..=0xDF => 2,
        0xE0 | 0xE4..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

/// Where the run [`visible_len`] measures certainly goes on past `i`: sixteen bytes at a time,
/// while a block has no byte of [`C_STOP`] but single spaces followed by a byte that is not
/// one either (as [`visible_len`] itself takes them). A space at the start of `s`, or last in
/// a block (what follows is in the next one), is left to [`visible_len`].
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn visible_prefix(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = vector::chunk(b, i) {
        let stop = vector::flags(chunk, C_STOP); // spaces included
        let space = vector::spaces(chunk);
        let leading = u32::from(i == 0);
        // A space is taken when the byte after it is not a stop byte.
        let stops_here = (stop & !space) | (space & ((stop >> 1) | 0x8000 | leading));
        if stops_here != 0 {
            return i + stops_here.trailing_zeros() as usize;
        }
        i += 16;
    }
    i
}

/// [`visible_prefix`] without vectors: [`visible_len`] takes every byte itself.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn visible_prefix(_: &[u8], i: usize) -> usize {
    i
}

/// The SSE2 tests of the classes, sixteen bytes at a time.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod vector {
    use safe_arch::{
        bitandnot_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, m128i, max_u8_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i, sub_i8_m128i, zeroed_m128i,
    };

    use super::{C_ATTR, C_EOL, C_PLAIN, C_STOP, C_TEXT};

    /// The classes [`flags`] tests (all but `C_HREF`, whose set is too scattered).
    pub(super) const TESTED: u8 = C_TEXT | C_ATTR | C_PLAIN | C_EOL | C_STOP;

    /// The sixteen bytes of `b` from `i`, if there are as many.
    #[inline(always)]
    pub(super) fn chunk(b: &[u8], i: usize) -> Option<m128i> {
        let bytes: &[u8; 16] = b.get(i..i.checked_add(16)?)?.try_into().ok()?;
        Some(load_unaligned_m128i(bytes))
    }

    /// Bit `k` is set when byte `k` of `v` has a class of `mask` (only classes of [`TESTED`]).
    #[inline(always)]
    pub(super) fn flags(v: m128i, mask: u8) -> u32 {
        let splat = |c: u8| set_splat_i8_m128i(c as i8);
        let is = |c: u8| cmp_eq_mask_i8_m128i(v, splat(c));
        // Bytes of `x` at most `c`, unsigned.
        let at_most = |x: m128i, c: u8| cmp_eq_mask_i8_m128i(max_u8_m128i(x, splat(c)), splat(c));
        let mut m = zeroed_m128i();
        if mask & (C_TEXT | C_PLAIN) != 0 {
            m |= is(b'&') | is(b'<') | is(b'>') | is(0xC2);
        }
        if mask & C_TEXT != 0 {
            m |= is(0) | is(b'\r');
        }
        if mask & C_ATTR != 0 {
            m |= is(b'"');
        }
        if mask & C_PLAIN != 0 {
            m |= bitandnot_m128i(is(b'\t'), at_most(v, 0x1f)) | is(0x7f);
        }
        if mask & C_EOL != 0 {
            m |= is(b'\r') | is(b'\n');
        }
        if mask & C_STOP != 0 {
            // ASCII up to the space and DEL; the lead bytes 0xC2 and 0xE1..=0xE3.
            m |= at_most(v, b' ') | is(0x7f) | is(0xC2) | at_most(sub_i8_m128i(v, splat(0xE1)), 2);
        }
        move_mask_i8_m128i(m) as u32
    }

    /// Bit `k` is set when byte `k` of `v` is a space.
    #[inline(always)]
    pub(super) fn spaces(v: m128i) -> u32 {
        move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(b' ' as i8))) as u32
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every mask a caller passes.
    const MASKS: [u8; 7] = [C_TEXT, C_TEXT | C_ATTR, C_PLAIN, C_EOL, C_STOP, C_HREF, C_ATTR];

    /// The table's answer, a byte at a time.
    fn find_in_table(b: &[u8], from: usize, mask: u8) -> Option<usize> {
        b.get(from..)?.iter().position(|&c| CLASS[usize::from(c)] & mask != 0).map(|n| from + n)
    }

    /// `visible_len` as it reads without blocks: the table, a byte at a time.
    fn visible_len_bytewise(s: &str) -> usize {
        visible_len_by(s, |b, i| find_in_table(b, i, C_STOP).unwrap_or(b.len()))
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn vector_tests_restate_the_table_for_every_byte_and_lane() {
        for mask in MASKS.into_iter().filter(|m| m & !vector::TESTED == 0) {
            for c in 0..=255u8 {
                let want = CLASS[usize::from(c)] & mask != 0;
                // Byte `c` in each lane, among bytes of no class.
                for lane in 0..16 {
                    let mut bytes = [b'a'; 16];
                    bytes[lane] = c;
                    let got = vector::flags(vector::chunk(&bytes, 0).unwrap(), mask);
                    assert_eq!(got, u32::from(want) << lane, "byte {c:#04x} lane {lane} mask {mask:#b}");
                }
            }
        }
    }

    #[test]
    fn a_space_at_any_offset_is_taken_only_before_a_visible_byte() {
        for after in [" ", "\n", "\t", "\u{a0}", "\u{a1}", "\u{3000}", "\u{85}", "b", "ж", "中"] {
            for at in 0..40 {
                let s = format!("{}{}{}{}", "a".repeat(at), " ", after, "c".repeat(40 - at));
                for from in [0, 1, at.saturating_sub(1), at] {
                    let t = &s[from..];
                    assert_eq!(visible_len(t), visible_len_bytewise(t), "{t:?}");
                }
            }
        }
    }

    /// Text whose characters are the ones the scans treat apart.
    fn tricky_text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a", "word", " ", "  ", "\t", "\n", "\r", "\0", "&", "<", ">", "\"", "\u{7f}", "\u{85}", "\u{a0}",
            "\u{a1}", "é", "ж", "\u{1680}", "\u{2000}", "\u{2028}", "\u{200b}", "\u{3000}", "\u{3001}", "中", "😀",
            "%", "~",
        ]);
        prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn find_class_finds_what_the_table_finds(s in tricky_text(), from in 0usize..80) {
            let b = s.as_bytes();
            for mask in MASKS {
                prop_assert_eq!(find_class(b, from, mask), find_in_table(b, from, mask), "mask {:#b}", mask);
            }
        }

        #[test]
        fn visible_len_is_the_bytewise_answer(s in tricky_text()) {
            prop_assert_eq!(visible_len(&s), visible_len_bytewise(&s));
            for (at, _) in s.char_indices() {
                prop_assert_eq!(visible_len(&s[at..]), visible_len_bytewise(&s[at..]));
            }
        }
    }
}
