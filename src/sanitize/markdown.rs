//! The one-pass markdown path of [`Sanitizer::markdown_document`]: markdown events written
//! straight as the HTML ammonia would make of pulldown-cmark's rendering, plus its plain text.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{find_class, safe_events, PlainWriter, Sanitizer, C_ATTR, C_HREF, C_TEXT, LINK_REL, URL_SCHEMES};

/// Writes [`safe_events`] straight as the HTML that [`Sanitizer::clean_html`] makes of
/// pulldown-cmark's rendering of them, and its plain text, so markdown is parsed once and
/// HTML never. That is pulldown-cmark's elements and whitespace (its `end_newline` logic is
/// mirrored), minus the attributes ammonia drops (`class`, `style`), `href`/`src` only where
/// ammonia's URL check passes, the allow-list's `rel` on links, and text and attribute values
/// as html5ever reads (CR and CRLF become LF; NUL is dropped from text, U+FFFD in attributes)
/// and serialises them. html5ever's tree building only moves things for misnested input;
/// pulldown-cmark's output nests properly except for a link inside a link, which
/// [`CleanWriter::render`] declines.
///
/// It writes under a byte budget: after each event it compares what it has written with the
/// budget, and stops as soon as the stored text would pass it.
pub(super) struct CleanWriter {
    /// The HTML so far.
    out: String,
    /// Its plain text, fed the same tags and (decoded) text as [`Sanitizer::html_to_plain`].
    plain: PlainWriter,
    /// pulldown-cmark's `end_newline`: its rendering so far ends with a newline.
    nl: bool,
    /// The last character read was a CR (written as LF): an LF right after it is dropped.
    cr: bool,
    /// Inside the table head (cells are `th`).
    head: bool,
    /// Open elements of pulldown-cmark's rendering that [`super::nesting_depth`] counts.
    depth: usize,
    /// Whether a link is open.
    link: bool,
}

/// Why [`CleanWriter::render`] gave no document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// The input needs the two-pass route (see [`CleanWriter::render`]).
    TwoPass,
    /// The HTML and plain text would take more than the budget.
    TooLarge,
}

impl CleanWriter {
    /// The HTML (not yet trimmed) and plain text of `md`. [`Stop::TwoPass`] when they could
    /// differ from the two-pass pipeline's: nesting beyond [`Sanitizer::MAX_DEPTH`] (which
    /// that flattens), a link inside a link, or an event of an extension that is not enabled;
    /// [`Stop::TooLarge`] as soon as the HTML, trimmed, and the plain text would take more
    /// than `limit` bytes.
    pub(super) fn render(md: &str, limit: usize) -> Result<(String, String), Stop> {
        let plain = PlainWriter::with_capacity(md.len());
        let out = String::with_capacity(md.len() + md.len() / 4 + 64);
        let mut w = CleanWriter { out, plain, nl: true, cr: false, head: false, depth: 0, link: false };
        let mut events = safe_events(md);
        while let Some(ev) = events.next() {
            match ev {
                Event::Start(tag) => w.start(tag, &mut events).ok_or(Stop::TwoPass)?,
                Event::End(tag) => w.end(tag),
                Event::Text(t) => {
                    w.text(&t, false);
                    w.nl = t.ends_with('\n');
                }
                Event::Code(t) => {
                    w.open(1).ok_or(Stop::TwoPass)?;
                    w.tag("<code>", "code", true);
                    w.text(&t, false);
                    w.tag("</code>", "code", false);
                    w.depth -= 1;
                }
                Event::SoftBreak => w.newline(),
                Event::HardBreak => {
                    w.tag("<br>", "br", true);
                    w.newline();
                }
                Event::Rule => {
                    w.block("<hr>", "hr");
                    w.newline();
                }
                _ => return Err(Stop::TwoPass),
            }
            // The plain text is as long as it will be stored; of the HTML, trimming removes at
            // most its one trailing newline (it starts with a tag and ends with a tag and a
            // newline), and what comes later only adds to both.
            if w.out.len().saturating_sub(1).saturating_add(w.plain.out.len()) > limit {
                return Err(Stop::TooLarge);
            }
        }
        // html5ever would drop a leading BOM (it never leads: the first event opens a block).
        if w.out.starts_with('\u{feff}') {
            return Err(Stop::TwoPass);
        }
        Ok((w.out, w.plain.finish()))
    }

    /// Writes a start tag (for an image, the whole element, consuming its content).
    fn start<'a>(&mut self, tag: Tag<'a>, events: &mut impl Iterator<Item = Event<'a>>) -> Option<()> {
        /// The start tags of headings, by level.
        const H: [&str; 6] = ["<h1>", "<h2>", "<h3>", "<h4>", "<h5>", "<h6>"];
        match tag {
            Tag::Paragraph => self.block("<p>", "p"),
            Tag::Heading { level, id: None, classes, attrs } if classes.is_empty() && attrs.is_empty() => {
                self.open(1)?;
                self.block(H[level as usize - 1], "h1");
            }
            Tag::BlockQuote(_) => {
                self.open(1)?;
                self.block("<blockquote>", "blockquote");
                self.newline();
            }
            Tag::CodeBlock(_) => {
                self.open(2)?;
                self.block("<pre><code>", "pre");
            }
            Tag::List(list) => {
                self.open(1)?;
                match list {
                    None => self.block("<ul>", "ul"),
                    Some(1) => self.block("<ol>", "ol"),
                    Some(n) => {
                        self.block("<ol start=\"", "ol");
                        self.out.push_str(&n.to_string());
                        self.out.push_str("\">");
                    }
                }
                self.newline();
            }
            Tag::Item => self.block("<li>", "li"),
            Tag::Table(_) => {
                self.open(1)?;
                self.tag("<table>", "table", true);
            }
            Tag::TableHead => {
                self.head = true;
                self.tag("<thead><tr>", "tr", true);
            }
            Tag::TableRow => self.tag("<tr>", "tr", true),
            Tag::TableCell => self.tag(if self.head { "<th>" } else { "<td>" }, "td", true),
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough => {
                self.open(1)?;
                let html = match tag {
                    Tag::Emphasis => "<em>",
                    Tag::Strong => "<strong>",
                    _ => "<del>",
                };
                self.tag(html, "em", true);
            }
            Tag::Link { link_type, dest_url, title, .. } if !self.link => {
                self.open(1)?;
                self.link = true;
                self.tag("<a", "a", true);
                let mailto = if link_type == pulldown_cmark::LinkType::Email { "mailto:" } else { "" };
                self.url_attr(" href=\"", mailto, &dest_url);
                self.title(&title);
                self.out.push_str(" rel=\"");
                self.out.push_str(LINK_REL);
                self.out.push_str("\">");
            }
            Tag::Image { dest_url, title, .. } => {
                self.tag("<img", "img", true);
                self.url_attr(" src=\"", "", &dest_url);
                self.out.push_str(" alt=\"");
                self.alt(events)?;
                self.out.push('"');
                self.cr = false;
                self.title(&title);
                self.out.push('>');
            }
            _ => return None,
        }
        Some(())
    }

    /// Writes an end tag.
    fn end(&mut self, tag: TagEnd) {
        /// The end tags of headings, by level.
        const H: [&str; 6] = ["</h1>", "</h2>", "</h3>", "</h4>", "</h5>", "</h6>"];
        let (html, name, counted, newline) = match tag {
            TagEnd::Paragraph => ("</p>", "p", 0, true),
            TagEnd::Heading(level) => (H[level as usize - 1], "h1", 1, true),
            TagEnd::BlockQuote(_) => ("</blockquote>", "blockquote", 1, true),
            TagEnd::CodeBlock => ("</code></pre>", "pre", 2, true),
            TagEnd::List(true) => ("</ol>", "ol", 1, true),
            TagEnd::List(false) => ("</ul>", "ul", 1, true),
            TagEnd::Item => ("</li>", "li", 0, true),
            TagEnd::Table => ("</tbody></table>", "table", 1, true),
            TagEnd::TableHead => {
                self.head = false;
                ("</tr></thead><tbody>", "tr", 0, true)
            }
            TagEnd::TableRow => ("</tr>", "tr", 0, true),
            TagEnd::TableCell => (if self.head { "</th>" } else { "</td>" }, "td", 0, false),
            TagEnd::Emphasis => ("</em>", "em", 1, false),
            TagEnd::Strong => ("</strong>", "em", 1, false),
            TagEnd::Strikethrough => ("</del>", "em", 1, false),
            TagEnd::Link => {
                self.link = false;
                ("</a>", "a", 1, false)
            }
            // An image's end is consumed with its start; the other tags are never opened.
            _ => return,
        };
        self.depth = self.depth.saturating_sub(counted);
        self.tag(html, name, false);
        if newline {
            self.newline();
        }
    }

    /// Counts `n` elements opened; None past [`Sanitizer::MAX_DEPTH`].
    fn open(&mut self, n: usize) -> Option<()> {
        self.depth += n;
        (self.depth <= Sanitizer::MAX_DEPTH).then_some(())
    }

    /// An image's `alt`: the text of the events up to its end, as pulldown-cmark collects it.
    fn alt<'a>(&mut self, events: &mut impl Iterator<Item = Event<'a>>) -> Option<()> {
        let mut nest = 0usize;
        for ev in events {
            match ev {
                Event::Start(_) => nest += 1,
                Event::End(_) if nest == 0 => break,
                Event::End(_) => nest -= 1,
                Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => self.text(&t, true),
                Event::SoftBreak | Event::HardBreak | Event::Rule => self.text(" ", true),
                Event::Html(_) => {}
                _ => return None,
            }
        }
        Some(())
    }

    /// Writes ` title="…"` unless `title` is empty.
    fn title(&mut self, title: &str) {
        if !title.is_empty() {
            self.out.push_str(" title=\"");
            self.text(title, true);
            self.out.push('"');
            self.cr = false;
        }
    }

    /// Writes the `href`/`src` attribute (`name` is ` href="`) that pulldown-cmark writes for
    /// `prefix` + `dest`, if ammonia keeps it. The value html5ever reads is pulldown-cmark's
    /// `escape_href` with its entities decoded: `&` and `'` as they are, the other bytes
    /// outside its safe set percent-encoded.
    fn url_attr(&mut self, name: &str, prefix: &str, dest: &str) {
        let mut url = String::with_capacity(prefix.len() + dest.len() + 8);
        url.push_str(prefix);
        let mut rest = dest;
        while let Some(n) = find_class(rest.as_bytes(), 0, C_HREF) {
            url.push_str(&rest[..n]);
            let len = rest[n..].chars().next().map_or(1, char::len_utf8);
            for &c in &rest.as_bytes()[n..n + len] {
                let hex = b"0123456789ABCDEF";
                url.extend(['%', char::from(hex[usize::from(c >> 4)]), char::from(hex[usize::from(c & 15)])]);
            }
            rest = &rest[n + len..];
        }
        url.push_str(rest);
        let kept = ammonia_keeps_url(&url);
        if kept {
            self.out.push_str(name);
            for (i, part) in url.split('&').enumerate() {
                self.out.push_str(if i == 0 { "" } else { "&amp;" });
                self.out.push_str(part);
            }
            self.out.push('"');
        }
    }

    /// Writes the start of a tag (or tags) `html`, which [`Sanitizer::html_to_plain`] treats as
    /// the tag `name`.
    fn tag(&mut self, html: &str, name: &str, open: bool) {
        self.out.push_str(html);
        self.cr = false;
        self.nl = false;
        self.plain.tag(name, open);
    }

    /// Writes a tag that pulldown-cmark puts on a new line.
    fn block(&mut self, html: &str, name: &str) {
        if !self.nl {
            self.newline();
        }
        self.tag(html, name, true);
    }

    /// Writes the newline pulldown-cmark puts after a block tag or for a soft break (unless
    /// it completes a CRLF).
    fn newline(&mut self) {
        if !std::mem::take(&mut self.cr) {
            self.out.push('\n');
            self.plain.char('\n');
        }
        self.nl = true;
    }

    /// Writes text (`attr`: a double-quoted attribute value) as html5ever reads and serialises
    /// it: CR and CRLF as LF, NUL dropped (U+FFFD in an attribute), `&`, `<`, `>`, U+00A0 (and
    /// `"` in an attribute) escaped. Text (not attribute values) also goes to the plain text.
    fn text(&mut self, s: &str, attr: bool) {
        let b = s.as_bytes();
        let mut mark = 0;
        if self.cr && !b.is_empty() {
            self.cr = false;
            mark = usize::from(b[0] == b'\n');
        }
        let mask = if attr { C_TEXT | C_ATTR } else { C_TEXT };
        let mut i = mark;
        while let Some(at) = find_class(b, i, mask) {
            let next = b.get(at + 1).copied();
            let (html, c, used) = match b[at] {
                b'&' => ("&amp;", '&', 1),
                b'<' => ("&lt;", '<', 1),
                b'>' => ("&gt;", '>', 1),
                b'"' => ("&quot;", '"', 1),
                0 if attr => ("\u{fffd}", '\0', 1),
                0 => ("", '\0', 1),
                b'\r' if next == Some(b'\n') => ("\n", '\n', 2),
                b'\r' => {
                    self.cr = next.is_none();
                    ("\n", '\n', 1)
                }
                0xC2 if next == Some(0xA0) => ("&nbsp;", '\u{a0}', 2),
                _ => {
                    i = at + 1;
                    continue;
                }
            };
            self.out.push_str(&s[mark..at]);
            self.out.push_str(html);
            if !attr {
                self.plain.chars(&s[mark..at]);
                self.plain.char(c);
            }
            i = at + used;
            mark = i;
        }
        self.out.push_str(&s[mark..]);
        if !attr {
            self.plain.chars(&s[mark..]);
        }
    }
}

/// Whether ammonia keeps a URL attribute whose value is `url`, which has no whitespace, control
/// or non-ASCII characters (pulldown-cmark percent-encodes those): `Url::parse` gives a scheme
/// of [`URL_SCHEMES`], or fails for want of a base (a relative URL). Two common shapes are
/// decided without parsing: no scheme (relative), and a plain `http(s)` link
/// ([`crate::link::plain_http_host`]).
fn ammonia_keeps_url(url: &str) -> bool {
    let b = url.as_bytes();
    let scheme_end = b.iter().position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')));
    if !scheme_end.is_some_and(|n| b[n] == b':' && b[0].is_ascii_alphabetic()) {
        return true; // no scheme: relative
    }
    if crate::link::plain_http_host(url).is_some() {
        return true; // always parses, as http or https
    }
    match ammonia::url::Url::parse(url) {
        Ok(parsed) => URL_SCHEMES.contains(&parsed.scheme()),
        Err(e) => e == ammonia::url::ParseError::RelativeUrlWithoutBase,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn url_fast_paths_agree_with_url_parse() {
        let slow = |u: &str| match ammonia::url::Url::parse(u) {
            Ok(parsed) => URL_SCHEMES.contains(&parsed.scheme()),
            Err(e) => e == ammonia::url::ParseError::RelativeUrlWithoutBase,
        };
        const SCHEMES: &[&str] = &["http", "https", "HTTP", "mailto", "ftp", "javascript", "", "a", "h-1.+"];
        const SEPS: &[&str] = &["://", "://", ":", ":/", "", "/"];
        let host = prop_oneof!["[a-z.]{0,12}", "[a-z0-9.-]{0,10}", "[a-z0-9.%@:-]{0,10}", "\\[[0-9a-f:.]{0,8}\\]?"];
        let urls = (prop::sample::select(SCHEMES), prop::sample::select(SEPS), host, "([/?#][a-z0-9/?#%&'.:@-]{0,8})?")
            .prop_map(|(scheme, sep, host, rest)| format!("{scheme}{sep}{host}{rest}"));
        proptest!(ProptestConfig::with_cases(20_000), |(u in urls)| {
            prop_assert_eq!(ammonia_keeps_url(&u), slow(&u), "{}", u);
        });
    }
}
