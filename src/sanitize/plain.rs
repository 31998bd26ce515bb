//! The HTML tokenizer behind [`super::Sanitizer::html_to_plain`] and the [`PlainWriter`] that turns
//! tags and text into plain text: linear time, never panics.

use super::scan::visible_len;
use super::{trimmed, DROP_WITH_CONTENT};

/// What [`walk`] finds in HTML.
pub(super) enum Token<'a> {
    /// Text, entities still encoded.
    Text(&'a str),
    /// A start tag, by lower-case name.
    Open(&'a str),
    /// An end tag, by lower-case name.
    Close(&'a str),
}

/// Tokenizes HTML in one pass, calling `f` for each text run and tag. Comments, doctypes and
/// processing instructions are skipped, as is the raw content of the elements of
/// [`DROP_WITH_CONTENT`] (up to their close tag); a `<` that opens no tag is text; an
/// unterminated tag or comment runs to the end. Every byte is looked at a bounded number of
/// times, so it is linear in the input, and it never panics.
pub(super) fn walk(html: &str, mut f: impl FnMut(Token<'_>)) {
    let b = html.as_bytes();
    let mut name = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            let end = html[i..].find('<').map_or(b.len(), |n| i + n);
            f(Token::Text(&html[i..end]));
            i = end;
            continue;
        }
        let rest = &b[i + 1..];
        match rest.first() {
            Some(c) if c.is_ascii_alphabetic() => {
                i = read_tag(b, i + 1, &mut name);
                f(Token::Open(&name));
                if let Some(n) = DROP_WITH_CONTENT.iter().find(|n| **n == name) {
                    i = find_close(b, i, n.as_bytes(), &mut name).unwrap_or(b.len());
                }
            }
            Some(b'/') if rest.get(1).is_some_and(u8::is_ascii_alphabetic) => {
                i = read_tag(b, i + 2, &mut name);
                f(Token::Close(&name));
            }
            Some(b'!') if rest.starts_with(b"!--") => {
                i = find(b, i + 4, b"-->").map_or(b.len(), |n| n + 3);
            }
            Some(b'!' | b'?' | b'/') => {
                i = find(b, i + 1, b">").map_or(b.len(), |n| n + 1);
            }
            _ => {
                f(Token::Text("<"));
                i += 1;
            }
        }
    }
}

/// Block elements: their start and end break the line in [`super::Sanitizer::html_to_plain`].
#[rustfmt::skip]
fn is_block(name: &str) -> bool {
    matches!(name,
        "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr" | "blockquote" | "pre" | "ul" | "ol" |
        "table" | "thead" | "tbody" | "tfoot" | "hr" | "dl" | "dt" | "dd" | "section" | "article" | "header" | "footer"
        | "aside" | "nav" | "figure" | "figcaption" | "address" | "details" | "summary" | "caption")
}

/// Accumulates plain text with whitespace collapsing and line breaks.
#[derive(Default)]
pub(super) struct PlainWriter {
    /// The text so far. It never ends in whitespace (line breaks are owed until text follows
    /// them), so its length is that of the result.
    pub(super) out: String,
    /// A space is owed before the next text (whitespace was seen).
    space: bool,
    /// A soft line break is owed before the next text (a block boundary was seen).
    line: bool,
    /// Depth of open `<pre>` elements: inside, newlines are kept as line breaks.
    pre: usize,
    /// Forced line breaks owed before the next text.
    breaks: usize,
}

impl PlainWriter {
    /// An empty writer with room for `capacity` bytes of text.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        PlainWriter { out: String::with_capacity(capacity), ..PlainWriter::default() }
    }

    /// Handles a start (`open`) or end tag named `name` (lower-case).
    pub(super) fn tag(&mut self, name: &str, open: bool) {
        match name {
            "br" => self.hard_break(),
            "td" | "th" => self.space = true,
            "pre" if open => (self.pre, self.line) = (self.pre + 1, true),
            "pre" => (self.pre, self.line) = (self.pre.saturating_sub(1), true),
            n if is_block(n) => self.line = true,
            _ => {}
        }
    }

    /// A forced line break (`<br>`, or a newline inside `<pre>`).
    fn hard_break(&mut self) {
        self.breaks += 1;
        self.space = false;
        self.line = false;
    }

    /// Appends raw text (entities still encoded).
    pub(super) fn text(&mut self, raw: &str) {
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            self.chars(&rest[..amp]);
            let (decoded, used) = decode_entity(&rest[amp..]);
            match decoded {
                Some(c) => self.char(c),
                None => self.char('&'),
            }
            rest = &rest[amp + used..];
        }
        self.chars(rest);
    }

    /// Appends decoded text: runs of visible characters in one go.
    pub(super) fn chars(&mut self, s: &str) {
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            let run = visible_len(rest);
            if run > 0 {
                self.visible(&rest[..run]);
                rest = &rest[run..];
            } else {
                self.char(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }

    /// Appends one decoded character.
    pub(super) fn char(&mut self, c: char) {
        if c == '\n' && self.pre > 0 {
            self.hard_break();
        } else if c.is_whitespace() {
            self.space = true;
        } else if !c.is_control() {
            self.visible(c.encode_utf8(&mut [0; 4]));
        }
    }

    /// Appends characters that are neither whitespace nor control characters, after the line
    /// break or space owed.
    pub(super) fn visible(&mut self, run: &str) {
        if !self.out.is_empty() {
            if self.breaks > 0 {
                self.out.extend(std::iter::repeat_n('\n', self.breaks));
            } else if self.line {
                self.out.push('\n');
            } else if self.space {
                self.out.push(' ');
            }
        }
        self.breaks = 0;
        self.line = false;
        self.space = false;
        self.out.push_str(run);
    }

    /// The result, trimmed.
    pub(super) fn finish(self) -> String {
        trimmed(self.out)
    }
}

/// Reads a tag name starting at `start` (just after `<` or `</`) into `name`, lower-cased,
/// then skips the attributes (quoted values after `=` may contain `>`) and returns the index
/// after the `>`. An unterminated tag runs to the end of the input.
fn read_tag(b: &[u8], start: usize, name: &mut String) -> usize {
    let mut i = start;
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    name.clear();
    match std::str::from_utf8(&b[start..i]) {
        Ok(n) => name.push_str(n),
        Err(_) => name.push_str(&String::from_utf8_lossy(&b[start..i])),
    }
    name.make_ascii_lowercase();
    let mut after_eq = false;
    while i < b.len() {
        match b[i] {
            b'>' => return i + 1,
            q @ (b'"' | b'\'') if after_eq => {
                i = find(b, i + 1, &[q]).map_or(b.len(), |n| n + 1);
                after_eq = false;
                continue;
            }
            b'=' => after_eq = true,
            c if c.is_ascii_whitespace() => {}
            _ => after_eq = false,
        }
        i += 1;
    }
    b.len()
}

/// Index of the first `needle` in `b` at or after `from`.
fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = b.get(from..)?;
    hay.windows(needle.len()).position(|w| w == needle).map(|n| from + n)
}

/// Index just after the close tag `</name …>` (ASCII case-insensitive) at or after `from`;
/// `scratch` is a buffer for [`read_tag`].
fn find_close(b: &[u8], from: usize, name: &[u8], scratch: &mut String) -> Option<usize> {
    let mut i = from;
    while let Some(lt) = find(b, i, b"</") {
        let after = lt + 2;
        let n = b.get(after..after + name.len())?;
        let boundary = match b.get(after + name.len()) {
            None => true,
            Some(c) => c.is_ascii_whitespace() || matches!(c, b'>' | b'/'),
        };
        if n.eq_ignore_ascii_case(name) && boundary {
            return Some(read_tag(b, after, scratch));
        }
        i = after;
    }
    None
}

/// The named character references [`decode_entity`] knows (ammonia escapes only the first
/// three and `nbsp`; the rest are common in pasted HTML).
const NAMED_ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("shy", '\u{ad}'),
    ("ndash", '–'),
    ("mdash", '—'),
    ("hellip", '…'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("copy", '©'),
    ("reg", '®'),
    ("euro", '€'),
];

/// Decodes the character reference at the start of `s` (which starts with `&`): numeric
/// (`&#65;`, `&#x41;`) or one of the common named ones, terminated by `;`. Returns the
/// character (None when it is no reference) and the bytes consumed (1 when none).
pub(super) fn decode_entity(s: &str) -> (Option<char>, usize) {
    let Some(semi) = s.as_bytes().iter().take(12).position(|&c| c == b';') else {
        return (None, 1);
    };
    let body = &s[1..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        n.filter(|n| !num.starts_with(['+', '-']) && *n != 0).map(|n| char::from_u32(n).unwrap_or('\u{fffd}'))
    } else {
        NAMED_ENTITIES.iter().find(|(name, _)| *name == body).map(|(_, c)| *c)
    };
    match c {
        Some(c) => (Some(c), semi + 1),
        None => (None, 1),
    }
}
