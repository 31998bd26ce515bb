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
//! Each document method has a `_within` form that renders under a byte budget for the stored
//! HTML plus plain text and stops as soon as the budget is passed ([`TooLarge`]); the markdown
//! event stream they read (`events.rs`) drops what would let a short source render long, so
//! no source renders more than a constant times its size.
//!
//! None of them panics or goes quadratic on hostile input, and no script, event handler,
//! `style`/`class` attribute or `javascript:`/`data:` URL survives `clean_html` or
//! `render_markdown`.

use std::collections::{HashMap, HashSet};

mod budget;
mod events;
mod markdown;
mod plain;
mod scan;

pub use budget::TooLarge;

use budget::Capped;
use events::safe_events;
use markdown::{CleanWriter, Stop};
use plain::{walk, PlainWriter, Token};
use scan::{find_class, C_ATTR, C_EOL, C_HREF, C_PLAIN, C_TEXT};

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
        self.clean_html_within(html, usize::MAX).unwrap_or_default()
    }

    /// [`Self::clean_html`], stopping as soon as the result, trimmed, passes `limit` bytes.
    fn clean_html_within(&self, html: &str, limit: usize) -> Result<String, TooLarge> {
        // Every element opens with a `<`: with no more of them than the limit, the depth
        // cannot pass it, and the walk is skipped.
        let opens = html.bytes().filter(|&c| c == b'<').count();
        if opens > Self::MAX_DEPTH && nesting_depth(html) > Self::MAX_DEPTH {
            return paragraphs(&self.html_to_plain(html), None, limit);
        }
        let mut out = Capped::new(html.len() + html.len() / 4, limit);
        match self.builder.clean(html).write_to(&mut out) {
            Ok(()) => {
                Ok(String::from_utf8(out.out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
            }
            Err(_) if out.over => Err(TooLarge { limit }),
            Err(_) => Ok(String::new()),
        }
    }

    /// Renders CommonMark (plus tables and strikethrough) to HTML that is safe on its own:
    /// raw HTML (block or inline) is rendered as escaped text, and a link or image whose
    /// destination has a scheme other than http/https/mailto is replaced by its text (the
    /// link text, or the image's alt text). The result is not passed through ammonia here;
    /// callers may still do so to normalise it to the allow-list (the text checker does).
    ///
    /// Two things differ from pulldown-cmark's own rendering, so that no source renders
    /// more than a constant times its size (see `events.rs`): a table row shorter than its
    /// header has only its own cells (no empty padding cells), and reference links copy their
    /// destinations and titles for at most the document's length plus 4 KiB (later ones keep
    /// their text, without the link).
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
        self.markdown_document_within(md, usize::MAX).unwrap_or_default()
    }

    /// [`Self::markdown_document`], unless the HTML and plain text together would take more than
    /// `limit` bytes: the walk stops as soon as they do. The two-pass route renders the raw
    /// HTML in full (the event filter keeps it within a constant times the source) and stops
    /// cleaning it at the limit. A document nested past [`Sanitizer::MAX_DEPTH`], which is
    /// stored flattened to text, is refused when what the walk wrote before meeting that
    /// nesting already passes the limit, even if the flattened text would fit.
    pub fn markdown_document_within(&self, md: &str, limit: usize) -> Result<(String, String), TooLarge> {
        match CleanWriter::render(md, limit) {
            Ok((html, plain)) => within(limit, trimmed(html), plain),
            Err(Stop::TooLarge) => Err(TooLarge { limit }),
            Err(Stop::TwoPass) => self.with_plain(self.clean_html_within(&self.render_markdown(md), limit)?, limit),
        }
    }

    /// The stored HTML and plain text of an HTML value: `clean_html(html)`, trimmed, and
    /// [`Self::html_to_plain`] of that.
    pub fn html_document(&self, html: &str) -> (String, String) {
        self.html_document_within(html, usize::MAX).unwrap_or_default()
    }

    /// [`Self::html_document`], unless the HTML and plain text together would take more than
    /// `limit` bytes: serialising the cleaned HTML stops as soon as it alone does.
    pub fn html_document_within(&self, html: &str, limit: usize) -> Result<(String, String), TooLarge> {
        self.with_plain(self.clean_html_within(html, limit)?, limit)
    }

    /// The stored HTML and plain text of a plain-text value: `escape_plain(plain)` (which
    /// needs no trimming) and [`Self::html_to_plain`] of that, in one pass.
    pub fn plain_document(&self, plain: &str) -> (String, String) {
        self.plain_document_within(plain, usize::MAX).unwrap_or_default()
    }

    /// [`Self::plain_document`], unless the HTML and plain text together would take more than
    /// `limit` bytes: the escaping stops at the first line that passes it.
    pub fn plain_document_within(&self, plain: &str, limit: usize) -> Result<(String, String), TooLarge> {
        let mut text = PlainWriter::with_capacity(plain.len());
        let html = paragraphs(plain, Some(&mut text), limit)?;
        within(limit, html, text.finish())
    }

    /// `html` trimmed, paired with its plain text, if they fit in `limit` bytes.
    fn with_plain(&self, html: String, limit: usize) -> Result<(String, String), TooLarge> {
        let html = trimmed(html);
        let plain = self.html_to_plain(&html);
        within(limit, html, plain)
    }

    /// Escapes plain text into paragraphs: blocks separated by blank lines become `<p>…</p>`,
    /// single newlines inside a block become `<br>`. `&`, `<`, `>` and U+00A0 are escaped the
    /// way ammonia serialises text, so the result is a fixed point of [`Self::clean_html`];
    /// control characters other than tab and newline are dropped. Empty input gives `""`.
    pub fn escape_plain(&self, plain: &str) -> String {
        paragraphs(plain, None, usize::MAX).unwrap_or_default()
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
/// reads in the result. Lines end at LF, CRLF or CR. Stops at the first line after which the
/// HTML and `text` together take more than `limit` bytes.
fn paragraphs(plain: &str, mut text: Option<&mut PlainWriter>, limit: usize) -> Result<String, TooLarge> {
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
        if out.len().saturating_add(text.as_deref().map_or(0, |t| t.out.len())) > limit {
            return Err(TooLarge { limit });
        }
        let eol = if rest[end..].starts_with("\r\n") { 2 } else { 1 };
        let Some(next) = rest.get(end + eol..) else { break };
        rest = next;
    }
    if in_block {
        out.push_str("</p>");
        if let Some(t) = text.as_deref_mut() {
            t.tag("p", false);
        }
    }
    if out.len().saturating_add(text.map_or(0, |t| t.out.len())) > limit {
        return Err(TooLarge { limit });
    }
    Ok(out)
}

/// `html` and `plain`, if together they take at most `limit` bytes.
fn within(limit: usize, html: String, plain: String) -> Result<(String, String), TooLarge> {
    if html.len().saturating_add(plain.len()) > limit {
        return Err(TooLarge { limit });
    }
    Ok((html, plain))
}

/// `s` trimmed in place.
fn trimmed(mut s: String) -> String {
    s.truncate(s.trim_end().len());
    let lead = s.len() - s.trim_start().len();
    s.drain(..lead);
    s
}

#[cfg(test)]
mod tests;
