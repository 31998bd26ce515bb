//! The fast path of [`super::parse`]: a small recursive-descent parser for the JSON that
//! clients actually send.
//!
//! It reads text (its caller checks UTF-8) and answers `None` (and [`super::parse`] falls back
//! to `serde_json`, which then decides and words any error) for anything outside its subset:
//! malformed input, nesting at the depth limit or beyond [`super::MAX_NESTING`], lone surrogates, and numbers
//! other than plain integers (those it hands to `serde_json` one by one, so every number reads
//! exactly as `serde_json` reads it). Whatever it accepts, it reads as `serde_json` would: a
//! differential property test in `super` holds the two to the same answers.

use serde_json::Value;

use bumpalo::collections::Vec as ArenaVec;

use super::{Arena, Json, Num, Object, MAX_NESTING};

/// Parses `text` if it is plain JSON nesting less than `max_depth` deep; `None` otherwise.
pub(super) fn parse<'a>(text: &'a str, arena: &'a Arena, max_depth: usize) -> Option<Json<'a>> {
    // The stacks start at about the number of members a body of this size holds, so they
    // rarely grow (each growth copies the whole stack).
    let cap = (text.len() / 48).clamp(8, 512);
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        i: 0,
        max: max_depth.min(MAX_NESTING),
        arena,
        items: ArenaVec::with_capacity_in(cap / 2, arena),
        pairs: ArenaVec::with_capacity_in(cap, arena),
        scratch: String::new(),
    };
    let v = p.value(0)?;
    p.skip_ws();
    (p.i == p.b.len()).then_some(v)
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    /// Containers may open only below this depth.
    max: usize,
    /// Where containers and unescaped strings go.
    arena: &'a Arena,
    /// Elements of the arrays being read, innermost last: each array is copied into the arena,
    /// exactly its length, when it closes. The stacks live in the arena too (no allocation of
    /// their own; nothing in them needs dropping).
    items: ArenaVec<'a, Json<'a>>,
    /// Members of the objects being read, the same way.
    pairs: ArenaVec<'a, (&'a str, Json<'a>)>,
    /// Where a string with escapes is unescaped before it is copied into the arena.
    scratch: String,
}

impl<'a> Parser<'a> {
    #[inline(always)]
    fn skip_ws(&mut self) {
        // Compact JSON has none: one test, and the loop only when there is some.
        if let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.skip_ws_run();
        }
    }

    #[inline(never)]
    fn skip_ws_run(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// The next byte, consumed.
    fn next(&mut self) -> Option<u8> {
        let c = *self.b.get(self.i)?;
        self.i += 1;
        Some(c)
    }

    fn value(&mut self, depth: usize) -> Option<Json<'a>> {
        self.skip_ws();
        match *self.b.get(self.i)? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Json::String),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &str, v: Json<'a>) -> Option<Json<'a>> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word.as_bytes()).then(|| {
            self.i = end;
            v
        })
    }

    fn object(&mut self, depth: usize) -> Option<Json<'a>> {
        if depth >= self.max {
            return None;
        }
        self.i += 1; // `{`
        self.skip_ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Some(Json::Object(Object::default()));
        }
        let base = self.pairs.len();
        loop {
            self.skip_ws();
            if self.b.get(self.i) != Some(&b'"') {
                return None;
            }
            let key = self.string()?;
            self.skip_ws();
            if self.next()? != b':' {
                return None;
            }
            let v = self.value(depth + 1)?;
            self.pairs.push((key, v));
            self.skip_ws();
            match self.next()? {
                b',' => {}
                b'}' => {
                    let obj = Object::in_arena(self.arena, self.pairs.get(base..)?);
                    self.pairs.truncate(base);
                    return Some(Json::Object(obj));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Json<'a>> {
        if depth >= self.max {
            return None;
        }
        self.i += 1; // `[`
        self.skip_ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Some(Json::Array(&[]));
        }
        let base = self.items.len();
        loop {
            let v = self.value(depth + 1)?;
            self.items.push(v);
            self.skip_ws();
            match self.next()? {
                b',' => {}
                b']' => {
                    let items = self.arena.alloc_slice_copy(self.items.get(base..)?);
                    self.items.truncate(base);
                    return Some(Json::Array(items));
                }
                _ => return None,
            }
        }
    }

    /// A string starting at the opening quote: borrowed when it has no escape. The common
    /// case (no escape) is inlined into its callers; escapes go to [`Parser::escaped_string`].
    #[inline(always)]
    fn string(&mut self) -> Option<&'a str> {
        let start = self.i + 1; // after `"`
        let mut i = plain_run_end(self.b, start);
        loop {
            match *self.b.get(i)? {
                b'"' => {
                    self.i = i + 1;
                    return self.text.get(start..i);
                }
                b'\\' => break,
                0..=0x1f => return None,
                _ => i += 1,
            }
        }
        self.i = i;
        self.escaped_string(start)
    }

    /// The rest of a string from its first backslash (at `self.i`), `start` being where its
    /// text began: unescaped into the arena.
    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self, start: usize) -> Option<&'a str> {
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        out.push_str(self.text.get(start..self.i)?);
        loop {
            let run = self.i;
            self.i = plain_run_end(self.b, self.i);
            while let Some(&c) = self.b.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(self.text.get(run..self.i)?);
            match self.next()? {
                b'"' => {
                    let s = self.arena.alloc_str(&out);
                    self.scratch = out;
                    return Some(s);
                }
                b'\\' => self.escape(&mut out)?,
                _ => return None, // a control character
            }
        }
    }

    /// One escape, after its backslash.
    fn escape(&mut self, out: &mut String) -> Option<()> {
        let c = match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                match first {
                    0xD800..=0xDBFF => {
                        if self.next()? != b'\\' || self.next()? != b'u' {
                            return None;
                        }
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))?
                    }
                    _ => char::from_u32(first)?, // `None` for a lone low surrogate
                }
            }
            _ => return None,
        };
        out.push(c);
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.i..self.i + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16)?;
        }
        self.i += 4;
        Some(n)
    }

    /// A number: plain integers here, anything else read by `serde_json` itself.
    fn number(&mut self) -> Option<Json<'a>> {
        let start = self.i;
        let negative = self.b[start] == b'-';
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => {
                while let Some(b'0'..=b'9') = self.b.get(self.i) {
                    self.i += 1;
                }
            }
            _ => return None,
        }
        let digits = &self.text[int_start..self.i];
        let mut plain = true;
        if self.b.get(self.i) == Some(&b'.') {
            plain = false;
            self.i += 1;
            self.digits()?;
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            plain = false;
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            self.digits()?;
        }
        if let Some(b'0'..=b'9') = self.b.get(self.i) {
            return None; // a leading zero
        }
        // `-0` is a float for serde_json, and longer integers may not fit.
        if plain && digits.len() <= 18 && !(negative && digits == "0") {
            let n: u64 = digits.parse().ok()?;
            return Some(Json::Number(if negative { Num::NegInt(-(n as i64)) } else { Num::PosInt(n) }));
        }
        match serde_json::from_str::<Value>(self.text.get(start..self.i)?).ok()? {
            Value::Number(n) => Some(Json::Number(Num::from(&n))),
            _ => None,
        }
    }

    /// One or more ASCII digits.
    fn digits(&mut self) -> Option<()> {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.b.get(self.i) {
            self.i += 1;
        }
        (self.i > start).then_some(())
    }
}

/// Where the run of string bytes starting at `from` that need no attention ends: the index of
/// the first `"`, `\\` or control byte, or a little before it when fewer than sixteen (eight
/// without SSE2) bytes are left: callers finish byte by byte.
#[inline]
pub(super) fn plain_run_end(b: &[u8], from: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    return sse2_run_end(b, from);
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    return swar_run_end(b, from);
}

/// [`plain_run_end`] with SSE2, which every x86-64 has (`safe_arch` wraps the intrinsics
/// without `unsafe`): sixteen bytes per step, three comparisons and one mask, whose lowest bit
/// is the first special byte.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn sse2_run_end(b: &[u8], from: usize) -> usize {
    use safe_arch::{cmp_eq_mask_i8_m128i, load_unaligned_m128i, max_u8_m128i, move_mask_i8_m128i, set_splat_i8_m128i};
    let quote = set_splat_i8_m128i(b'"' as i8);
    let backslash = set_splat_i8_m128i(b'\\' as i8);
    let last_control = set_splat_i8_m128i(0x1f);
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 16).and_then(|c| <&[u8; 16]>::try_from(c).ok()) {
        let v = load_unaligned_m128i(chunk);
        // A byte is a control byte when the larger of it and 0x1f is 0x1f.
        let special = cmp_eq_mask_i8_m128i(v, quote)
            | cmp_eq_mask_i8_m128i(v, backslash)
            | cmp_eq_mask_i8_m128i(max_u8_m128i(v, last_control), last_control);
        let mask = move_mask_i8_m128i(special);
        if mask != 0 {
            return i + mask.trailing_zeros() as usize;
        }
        i += 16;
    }
    i
}

/// [`plain_run_end`] without SSE2: eight bytes at a time, with the usual SWAR tricks (the
/// lowest byte each test flags is exact, since a borrow only runs upwards). Compiled on every
/// target, so that it is type-checked here too; the tests run it beside the SSE2 one.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
fn swar_run_end(b: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
        let quote = has_zero(w ^ (ONES * u64::from(b'"')));
        let backslash = has_zero(w ^ (ONES * u64::from(b'\\')));
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        let special = quote | backslash | control;
        if special != 0 {
            return i + (special.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::{plain_run_end, swar_run_end};

    /// Both ways of finding a run's end: the one this target builds, and the portable one.
    const RUN_ENDS: [fn(&[u8], usize) -> usize; 2] = [plain_run_end, swar_run_end];

    #[test]
    fn plain_runs_never_skip_a_byte_that_needs_attention() {
        for run_end in RUN_ENDS {
            for special in [b'"', b'\\', 0, 0x1f, b'\n'] {
                for filler in [b'a', 0x7f, 0x80, 0xff, b' ', b'!', b'#', b'[', b']'] {
                    for at in 0..40 {
                        let mut b = vec![filler; 40];
                        b[at] = special;
                        for from in 0..=at {
                            let end = run_end(&b, from);
                            assert!(end <= at && end >= from, "special {special} filler {filler} at {at} from {from}");
                        }
                    }
                }
            }
            assert_eq!(run_end(&[b'a'; 20], 0), 16);
        }
    }

    #[test]
    fn plain_runs_stop_exactly_at_the_first_special_byte_of_a_word() {
        for run_end in RUN_ENDS {
            for special in [b'"', b'\\', 0, 0x1f, b'\n'] {
                for at in 0..16 {
                    let mut b = vec![b'x'; 24];
                    b[at] = special;
                    b[at + 3] = b'"'; // a later special byte changes nothing
                    assert_eq!(run_end(&b, 0), at, "special {special} at {at}");
                }
            }
            // Bytes that look special after a borrow (SWAR) or as signed bytes (SSE2):
            // 0x80..0xff, 0x20, 0x21, 0x5d. Each fills whole words and a vector before the
            // quote, and shares a word or vector with it.
            for filler in [0xff, 0x80, 0x9f, 0xa0, 0x20, 0x21, 0x5d, 0x23, 0x7f] {
                let mut b = vec![filler; 48];
                b[22] = b'"';
                b[23] = 0x01;
                assert_eq!(run_end(&b, 0), 22, "filler {filler:#x}");
            }
            let mut tricky: Vec<u8> = [0xff, 0x80, 0x20, 0x21, 0x5d, 0x23, 0x7e, 0x7f].repeat(3);
            tricky.extend([0xff, 0x80, 0x20, 0x21, 0x5d, 0x23, b'"', 0x01].repeat(3));
            assert_eq!(run_end(&tricky, 0), 30);
        }
    }
}
