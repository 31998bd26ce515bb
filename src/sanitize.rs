//! HTML sanitising (ammonia) and markdown rendering (pulldown-cmark) for text values.
//!
//! A [`Sanitizer`] is built once (it holds one configured [`ammonia::Builder`]) and shared by
//! every check; it is `Send + Sync`. It offers four conversions:
//!
//! * [`Sanitizer::clean_html`]: untrusted HTML → HTML restricted to a conservative allow-list;
//! * [`Sanitizer::render_markdown`]: markdown → HTML, made safe by filtering the event stream
//!   (raw HTML becomes text, links and images with a forbidden scheme lose their URL);
//! * [`Sanitizer::escape_plain`]: plain text → escaped paragraphs;
//! * [`Sanitizer::html_to_plain`]: HTML → its plain text, by a small linear-time tokenizer.
//!
//! and three that give a text value's stored HTML and plain text at once, byte for byte what
//! composing those gives (`clean_html(render_markdown(md))`, `clean_html(html)` or
//! `escape_plain(plain)`, trimmed, then `html_to_plain`), only faster:
//! [`Sanitizer::markdown_document`] parses the markdown once and never parses HTML (the
//! writer in `markdown.rs` emits what ammonia would keep), [`Sanitizer::html_document`] and
//! [`Sanitizer::plain_document`]. `tests/sanitize_equiv.rs` checks the equivalence.
//!
//! None of them panics or goes quadratic on hostile input, and no script, event handler,
//! `style`/`class` attribute or `javascript:`/`data:` URL survives `clean_html` or
//! `render_markdown`.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

mod markdown;
mod scan;

use markdown::CleanWriter;
use scan::{find_class, visible_len, C_ATTR, C_EOL, C_HREF, C_PLAIN, C_TEXT};

/// Tags kept by [`Sanitizer::clean_html`]; everything else is unwrapped (its text stays).
const TAGS: &[&str] = &[
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "del",
    "blockquote",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "img",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
];

/// Tags removed together with their content (scripts, embedded documents, foreign content).
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "applet", "noscript", "noembed", "noframes", "xmp",
    "textarea", "title", "template", "svg", "math", "select",
];

/// The only URL schemes a link or image may use; scheme-less (relative) URLs are kept.
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// The `rel` put on every link.
const LINK_REL: &str = "noopener noreferrer nofollow";

/// Sanitises HTML and renders markdown; built once, shared by every check.
#[derive(Debug)]
pub struct Sanitizer {
    /// The configured allow-list, built once in [`Sanitizer::new`].
    builder: ammonia::Builder<'static>,
}

impl Default for Sanitizer {
    fn default() -> Self {
        Sanitizer::new()
    }
}

impl Sanitizer {
    /// HTML nested deeper than this many elements is flattened to text by
    /// [`Sanitizer::clean_html`] instead of being parsed.
    pub const MAX_DEPTH: usize = 256;

    /// Builds the sanitizer with the crate's allow-list: p, br, b, strong, i, em, u, s, del,
    /// blockquote, code, pre, ul, ol, li, h1–h6, a, img, hr, table, thead, tbody, tr, th, td,
    /// span; attributes `a[href title]`, `img[src alt title]`, `ol[start]` and no others (so
    /// no `style`, `class`, `id` or `on*`); URL schemes http/https/mailto or relative;
    /// `rel="noopener noreferrer nofollow"` on links; comments stripped.
    pub fn new() -> Self {
        let mut builder = ammonia::Builder::default();
        let attrs: HashMap<&'static str, HashSet<&'static str>> = [
            ("a", ["href", "title"].into_iter().collect()),
            ("img", ["src", "alt", "title"].into_iter().collect()),
            ("ol", ["start"].into_iter().collect()),
        ]
        .into_iter()
        .collect();
        builder
            .tags(TAGS.iter().copied().collect())
            .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
            .tag_attributes(attrs)
            .tag_attribute_values(HashMap::new())
            .set_tag_attribute_values(HashMap::new())
            .generic_attributes(HashSet::new())
            .allowed_classes(HashMap::new())
            .url_schemes(URL_SCHEMES.iter().copied().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some(LINK_REL))
            .strip_comments(true)
            .id_prefix(None);
        Sanitizer { builder }
    }

    /// Sanitises untrusted HTML against the allow-list. Disallowed tags are unwrapped (their
    /// text kept, escaped) except script-like and foreign ones (script, style, iframe, object,
    /// svg, math, template, ...), which vanish with their content; disallowed attributes and
    /// URLs with another scheme are removed.
    ///
    /// html5ever's tree building costs time proportional to the nesting depth for every tag,
    /// so HTML nested deeper than [`Sanitizer::MAX_DEPTH`] elements (an upper estimate by a
    /// linear pre-scan; nothing a person writes) is not parsed: it is flattened to its plain
    /// text, escaped into paragraphs. This keeps the cost linear for any input.
    pub fn clean_html(&self, html: &str) -> String {
        // Every element opens with a `<`: with no more of them than the limit, the depth
        // cannot pass it, and the walk is skipped.
        let opens = html.bytes().filter(|&c| c == b'<').count();
        if opens > Self::MAX_DEPTH && nesting_depth(html) > Self::MAX_DEPTH {
            return self.escape_plain(&self.html_to_plain(html));
        }
        let mut out = Vec::with_capacity(html.len() + html.len() / 4);
        match self.builder.clean(html).write_to(&mut out) {
            Ok(()) => String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Err(_) => String::new(),
        }
    }

    /// Renders CommonMark (plus tables and strikethrough) to HTML that is safe on its own:
    /// raw HTML (block or inline) is rendered as escaped text, and a link or image whose
    /// destination has a scheme other than http/https/mailto is replaced by its text (the
    /// link text, or the image's alt text). The result is not passed through ammonia here;
    /// callers may still do so to normalise it to the allow-list (the text checker does).
    pub fn render_markdown(&self, md: &str) -> String {
        let mut out = String::with_capacity(md.len() + md.len() / 2);
        pulldown_cmark::html::push_html(&mut out, safe_events(md));
        out
    }

    /// The stored HTML and plain text of a markdown value: exactly
    /// `clean_html(render_markdown(md))`, trimmed, and [`Self::html_to_plain`] of that, but in
    /// one walk over the markdown events that writes what ammonia would keep of
    /// pulldown-cmark's HTML (no second parse). Input nested deeper than
    /// [`Sanitizer::MAX_DEPTH`] and the rare shapes the walk does not model (nested links)
    /// take the two-pass route.
    pub fn markdown_document(&self, md: &str) -> (String, String) {
        match CleanWriter::render(md) {
            Some((html, plain)) => (trimmed(html), plain),
            None => self.with_plain(self.clean_html(&self.render_markdown(md))),
        }
    }

    /// The stored HTML and plain text of an HTML value: `clean_html(html)`, trimmed, and
    /// [`Self::html_to_plain`] of that.
    pub fn html_document(&self, html: &str) -> (String, String) {
        self.with_plain(self.clean_html(html))
    }

    /// The stored HTML and plain text of a plain-text value: `escape_plain(plain)` (which
    /// needs no trimming) and [`Self::html_to_plain`] of that, in one pass.
    pub fn plain_document(&self, plain: &str) -> (String, String) {
        let mut text = PlainWriter { out: String::with_capacity(plain.len()), ..PlainWriter::default() };
        let html = paragraphs(plain, Some(&mut text));
        (html, text.finish())
    }

    /// `html` trimmed, paired with its plain text.
    fn with_plain(&self, html: String) -> (String, String) {
        let html = trimmed(html);
        let plain = self.html_to_plain(&html);
        (html, plain)
    }

    /// Escapes plain text into paragraphs: blocks separated by blank lines become `<p>…</p>`,
    /// single newlines inside a block become `<br>`. `&`, `<`, `>` and U+00A0 are escaped the
    /// way ammonia serialises text, so the result is a fixed point of [`Self::clean_html`];
    /// control characters other than tab and newline are dropped. Empty input gives `""`.
    pub fn escape_plain(&self, plain: &str) -> String {
        paragraphs(plain, None)
    }

    /// The plain text of (already sanitised) HTML: text content with entities decoded; block
    /// elements (p, div, li, headings, br, tr, blockquote, pre, lists, tables, hr) start a new
    /// line; table cells are separated by a space; runs of whitespace (U+00A0 included) inside a
    /// line collapse to one space; each line is trimmed, empty lines between blocks vanish
    /// (`<br><br>` keeps one), and the whole is trimmed. Comments, markup declarations and the
    /// content of script-like elements are skipped. Linear time, never panics.
    pub fn html_to_plain(&self, html: &str) -> String {
        let mut p = PlainWriter::default();
        walk(html, |token| match token {
            Token::Text(t) => p.text(t),
            Token::Open(name) => p.tag(name, true),
            Token::Close(name) => p.tag(name, false),
        });
        p.finish()
    }
}

/// What [`walk`] finds in HTML.
enum Token<'a> {
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
fn walk(html: &str, mut f: impl FnMut(Token<'_>)) {
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

/// Elements that are never closed ([void elements]), or whose end tag may be omitted (the
/// parser closes them itself): they do not count towards [`nesting_depth`].
///
/// [void elements]: https://html.spec.whatwg.org/multipage/syntax.html#void-elements
#[rustfmt::skip]
fn self_closing(name: &str) -> bool {
    matches!(name,
        "area" | "base" | "br" | "col" | "embed" | "hr" | "img" | "input" | "link" | "meta" | "source" | "track" | "wbr"
        | "p" | "li" | "dt" | "dd" | "tr" | "td" | "th" | "thead" | "tbody" | "tfoot" | "option" | "optgroup" |
        "colgroup" | "caption" | "rb" | "rt" | "rtc" | "rp" | "html" | "head" | "body")
}

/// An upper estimate of how deeply `html` nests elements that must be closed: start tags
/// push, end tags pop (never below zero). Linear time.
fn nesting_depth(html: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    walk(html, |token| match token {
        Token::Open(name) if !self_closing(name) => {
            depth += 1;
            max = max.max(depth);
        }
        Token::Close(name) if !self_closing(name) => depth = depth.saturating_sub(1),
        _ => {}
    });
    max
}

/// Whether a link or image destination may be kept: no scheme (a relative URL), or one of
/// [`URL_SCHEMES`]. The scheme is found as a browser would: after dropping leading C0 controls
/// and spaces and every tab/CR/LF, `ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")` before a `:`.
fn url_allowed(dest: &str) -> bool {
    let mut chars = dest.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    // The scheme so far (lower-cased; only its length past six), and whether it still is one.
    let (mut scheme, mut len, mut is_scheme) = ([0u8; 6], 0, true);
    for c in chars.by_ref().take(64) {
        if c == ':' {
            let known = URL_SCHEMES.iter().any(|s| scheme.get(..len) == Some(s.as_bytes()));
            return !(is_scheme && len > 0) || known;
        }
        is_scheme &= c.is_ascii_alphabetic() || (len > 0 && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.')));
        if let Some(b) = scheme.get_mut(len) {
            *b = u8::try_from(c).unwrap_or(0).to_ascii_lowercase();
        }
        len += 1;
    }
    true
}

/// [`Sanitizer::escape_plain`]; `text`, if given, is fed what [`Sanitizer::html_to_plain`]
/// reads in the result. Lines end at LF, CRLF or CR.
fn paragraphs(plain: &str, mut text: Option<&mut PlainWriter>) -> String {
    let mut out = String::with_capacity(plain.len() + plain.len() / 8 + 16);
    let mut in_block = false;
    let mut rest = plain;
    loop {
        let end = find_class(rest.as_bytes(), 0, C_EOL).unwrap_or(rest.len());
        let line = &rest[..end];
        if !line.trim().is_empty() {
            out.push_str(if in_block { "<br>" } else { "<p>" });
            if let Some(t) = text.as_deref_mut() {
                t.tag(if in_block { "br" } else { "p" }, true);
            }
            in_block = true;
            // Copy runs; escape `&<>` and U+00A0, drop control characters except tab.
            let b = line.as_bytes();
            let (mut mark, mut i) = (0, 0);
            while let Some(at) = find_class(b, i, C_PLAIN) {
                let next = b.get(at + 1).copied().unwrap_or(0);
                let (html, c, used) = match b[at] {
                    b'&' => ("&amp;", Some('&'), 1),
                    b'<' => ("&lt;", Some('<'), 1),
                    b'>' => ("&gt;", Some('>'), 1),
                    0xC2 if next == 0xA0 => ("&nbsp;", Some('\u{a0}'), 2),
                    0xC2 if next < 0xA0 => ("", None, 2),
                    0xC2 => {
                        i = at + 2;
                        continue;
                    }
                    _ => ("", None, 1),
                };
                out.push_str(&line[mark..at]);
                out.push_str(html);
                if let Some(t) = text.as_deref_mut() {
                    t.chars(&line[mark..at]);
                    if let Some(c) = c {
                        t.char(c);
                    }
                }
                i = at + used;
                mark = i;
            }
            out.push_str(&line[mark..]);
            if let Some(t) = text.as_deref_mut() {
                t.chars(&line[mark..]);
            }
        } else if in_block {
            out.push_str("</p>");
            if let Some(t) = text.as_deref_mut() {
                t.tag("p", false);
            }
            in_block = false;
        }
        let eol = if rest[end..].starts_with("\r\n") { 2 } else { 1 };
        let Some(next) = rest.get(end + eol..) else { break };
        rest = next;
    }
    if in_block {
        out.push_str("</p>");
        if let Some(t) = text {
            t.tag("p", false);
        }
    }
    out
}

/// The markdown extensions enabled: tables and strikethrough.
fn md_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// The events of `md`, made safe as [`Sanitizer::render_markdown`] describes: raw HTML becomes
/// text (an HTML block a paragraph), and a link or image whose destination fails
/// [`url_allowed`] loses its start and end (its content stays).
fn safe_events(md: &str) -> SafeEvents<'_> {
    SafeEvents { parser: Parser::new_ext(md, md_options()), kept: Vec::new() }
}

/// The iterator of [`safe_events`]. A loop of its own rather than a `filter_map`: events are
/// large, and the adapter's fold copied each one several times over.
struct SafeEvents<'a> {
    parser: Parser<'a>,
    /// One entry per open link/image: whether its start tag was kept (so the matching end
    /// tag is kept or dropped too). Links and images can nest (an image inside a link).
    kept: Vec<bool>,
}

impl<'a> Iterator for SafeEvents<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            return Some(match self.parser.next()? {
                Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
                Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
                Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
                Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                    let ok = match &tag {
                        Tag::Link { dest_url: d, .. } | Tag::Image { dest_url: d, .. } => url_allowed(d),
                        _ => false,
                    };
                    self.kept.push(ok);
                    if !ok {
                        continue;
                    }
                    Event::Start(tag)
                }
                Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                    if !self.kept.pop().unwrap_or(false) {
                        continue;
                    }
                    Event::End(end)
                }
                other => other,
            });
        }
    }
}

/// Block elements: their start and end break the line in [`Sanitizer::html_to_plain`].
#[rustfmt::skip]
fn is_block(name: &str) -> bool {
    matches!(name,
        "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr" | "blockquote" | "pre" | "ul" | "ol" |
        "table" | "thead" | "tbody" | "tfoot" | "hr" | "dl" | "dt" | "dd" | "section" | "article" | "header" | "footer"
        | "aside" | "nav" | "figure" | "figcaption" | "address" | "details" | "summary" | "caption")
}

/// Accumulates plain text with whitespace collapsing and line breaks.
#[derive(Default)]
struct PlainWriter {
    /// The text so far.
    out: String,
    /// A space is owed before the next text (whitespace was seen).
    space: bool,
    /// A soft line break is owed before the next text (a block boundary was seen).
    line: bool,
    /// Depth of open `<pre>` elements: inside, newlines are kept as line breaks.
    pre: usize,
}

impl PlainWriter {
    /// Handles a start (`open`) or end tag named `name` (lower-case).
    fn tag(&mut self, name: &str, open: bool) {
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
        self.out.push('\n');
        self.space = false;
        self.line = false;
    }

    /// Appends raw text (entities still encoded).
    fn text(&mut self, raw: &str) {
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
    fn chars(&mut self, s: &str) {
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
    fn char(&mut self, c: char) {
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
    fn visible(&mut self, run: &str) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            if self.line {
                self.out.push('\n');
            } else if self.space {
                self.out.push(' ');
            }
        }
        self.line = false;
        self.space = false;
        self.out.push_str(run);
    }

    /// The result, trimmed.
    fn finish(self) -> String {
        trimmed(self.out)
    }
}

/// `s` trimmed in place.
fn trimmed(mut s: String) -> String {
    s.truncate(s.trim_end().len());
    let lead = s.len() - s.trim_start().len();
    s.drain(..lead);
    s
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
fn decode_entity(s: &str) -> (Option<char>, usize) {
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

#[cfg(test)]
mod tests;
