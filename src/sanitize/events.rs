//! The markdown event stream every rendering reads: pulldown-cmark's, made safe and kept from
//! amplifying.
//!
//! Both renderings (the one-pass writer of `markdown.rs` and the reference
//! [`super::Sanitizer::render_markdown`]) read these events, so what is changed here is
//! changed for both, and `tests/sanitize_equiv.rs` still holds one to the other.

use pulldown_cmark::{Event, LinkType, OffsetIter, Options, Parser, Tag, TagEnd};

use super::scan::{find_class, C_EOL};
use super::url_allowed;

/// Bytes of reference-link destinations and titles a document may expand beyond its own
/// length (see [`SafeEvents`]): enough for any real document's repeated references.
pub(super) const REFERENCE_SLACK: usize = 4096;

/// Empty cells per byte of a document that pulldown-cmark may pad its table rows with before the
/// document is read without tables (see [`safe_events`]). A table whose rows are full has fewer
/// cells than bytes; only rows far shorter than a wide header come near.
pub(super) const PADDING_PER_BYTE: usize = 16;

/// The markdown extensions enabled for `md`: tables and strikethrough, or strikethrough alone
/// when its tables could be padded with more than [`PADDING_PER_BYTE`] empty cells per byte.
fn md_options(md: &str) -> Options {
    let padding = if md.contains('|') { padding_bound(md) } else { 0 };
    if padding > PADDING_PER_BYTE.saturating_mul(md.len()).saturating_add(4096) {
        return Options::ENABLE_STRIKETHROUGH;
    }
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// An upper bound of the empty cells pulldown-cmark would pad `md`'s table rows with: after each
/// line that could be a table's delimiter row (only `|`, `-`, `:`, blanks, with a `-`), as many
/// cells as it has columns for every line up to the next blank one. Container markers (`>`) and
/// indentation are skipped; lines end at LF, CRLF or CR, as pulldown-cmark's do. Linear.
pub(super) fn padding_bound(md: &str) -> usize {
    let (mut total, mut columns, mut at) = (0usize, 0usize, 0usize);
    let b = md.as_bytes();
    while at <= b.len() {
        let end = find_class(b, at, C_EOL).unwrap_or(b.len());
        let line = md.get(at..end).unwrap_or_default();
        let line = line.trim_start_matches([' ', '\t', '>']).trim_end();
        if line.is_empty() {
            columns = 0;
        } else if let Some(n) = delimiter_columns(line) {
            columns = n;
        } else {
            total = total.saturating_add(columns);
        }
        at = end + if b.get(end..end + 2) == Some(b"\r\n") { 2 } else { 1 };
    }
    total
}

/// The columns of a line that could be a table's delimiter row (`|---|:-:|`): runs of `-` and
/// `:` holding a `-`, separated by `|` or blanks; None for any other line.
fn delimiter_columns(line: &str) -> Option<usize> {
    if !line.contains('-') || !line.bytes().all(|c| matches!(c, b'|' | b'-' | b':' | b' ' | b'\t')) {
        return None;
    }
    Some(line.split(['|', ' ', '\t']).filter(|cell| cell.contains('-')).count())
}

/// The events of `md`, made safe as [`super::Sanitizer::render_markdown`] describes: raw HTML
/// becomes text (an HTML block a paragraph), and a link or image whose destination fails
/// [`url_allowed`] loses its start and end (its content stays). Two constructs that would
/// make the rendering grow faster than its source are cut back (see [`SafeEvents`]), and a
/// document whose tables could make pulldown-cmark itself work far beyond its size is read
/// without tables (see [`md_options`]).
pub(super) fn safe_events(md: &str) -> SafeEvents<'_> {
    SafeEvents {
        parser: Parser::new_ext(md, md_options(md)).into_offset_iter(),
        kept: Vec::new(),
        row_end: None,
        references: md.len().saturating_add(REFERENCE_SLACK),
    }
}

/// The iterator of [`safe_events`]. A loop of its own rather than a `filter_map`: events are
/// large, and the adapter's fold copied each one several times over.
///
/// Besides making the events safe, it removes what would let a short source write a long
/// rendering:
///
/// * **Padding cells.** pulldown-cmark pads a table row shorter than the header with empty
///   cells (GFM's rule), up to 2¹⁸ per table, so a narrow row under a wide header wrote
///   hundreds of `<td></td>` per source byte. A padding cell is empty and starts where its row
///   ends (after the line break), which no cell of the source does; it is dropped, so a row
///   renders only the cells it has. (pulldown-cmark still builds them, about 90 per source byte
///   at worst: a document that could need more than [`PADDING_PER_BYTE`] is read without
///   tables, its pipes left as text.)
/// * **Repeated reference links.** `[r]` copies the destination and title of `[r]: …` each time;
///   pulldown-cmark allows up to 100 000 bytes of such copies whatever the document's size.
///   Here the copies a document may make total at most its own length plus
///   [`REFERENCE_SLACK`] bytes; past that, a reference link or image keeps its content and
///   loses its destination, as an unsafe one does.
pub(super) struct SafeEvents<'a> {
    /// The parser, with each event's source range.
    parser: OffsetIter<'a>,
    /// One entry per open link/image: whether its start tag was kept (so the matching end
    /// tag is kept or dropped too). Links and images can nest (an image inside a link).
    kept: Vec<bool>,
    /// Where the open table row ends in the source (its line break included).
    row_end: Option<usize>,
    /// Bytes of reference destinations and titles that may still be copied.
    references: usize,
}

impl<'a> SafeEvents<'a> {
    /// Whether a link or image with this destination and title is kept: a safe URL and, for a
    /// reference, one the copy budget still covers (which it then pays for).
    fn keep(&mut self, link_type: LinkType, dest: &str, title: &str) -> bool {
        if !url_allowed(dest) {
            return false;
        }
        let copied = matches!(
            link_type,
            LinkType::Reference
                | LinkType::ReferenceUnknown
                | LinkType::Collapsed
                | LinkType::CollapsedUnknown
                | LinkType::Shortcut
                | LinkType::ShortcutUnknown
        );
        if !copied {
            return true;
        }
        match self.references.checked_sub(dest.len() + title.len()) {
            Some(left) => {
                self.references = left;
                true
            }
            None => false,
        }
    }
}

impl<'a> Iterator for SafeEvents<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let (event, range) = self.parser.next()?;
            return Some(match event {
                Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
                Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
                Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
                Event::Start(tag @ (Tag::TableHead | Tag::TableRow)) => {
                    self.row_end = Some(range.end);
                    Event::Start(tag)
                }
                Event::Start(Tag::TableCell) if range.is_empty() && self.row_end == Some(range.start) => {
                    // A padding cell: drop it and its end, which comes next (it is empty).
                    let _end = self.parser.next();
                    continue;
                }
                Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                    let ok = match &tag {
                        Tag::Link { link_type, dest_url, title, .. }
                        | Tag::Image { link_type, dest_url, title, .. } => self.keep(*link_type, dest_url, title),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_bound_counts_columns_for_each_row_up_to_a_blank_line() {
        let table = "| a | b | c |\n|---|:-:|--:|\n| 1 |\n| 2 | 3 | 4 |\n\nafter\n";
        assert_eq!(padding_bound(table), 6, "two rows of up to three cells; nothing after the blank line");
        for eol in ["\r\n", "\r"] {
            assert_eq!(padding_bound(&table.replace('\n', eol)), 6, "{eol:?} ends lines as LF does");
        }
        assert_eq!(padding_bound("> |a|b|\n> |-|-|\n> x\n>\n> y"), 2, "in a blockquote; `>` alone is blank");
        assert_eq!(padding_bound("a - b\n- item\nc"), 0, "a list item is no delimiter row");
        assert_eq!(padding_bound("|-|-|\n|:-|\nx\ny"), 2, "the last delimiter row counts");
        assert_eq!(delimiter_columns(" --- | :-: |"), Some(2));
        assert_eq!(delimiter_columns("|||"), None);
    }

    #[test]
    fn a_document_whose_tables_could_pad_far_beyond_its_size_is_read_without_tables() {
        let table = "| a | b |\n|---|---|\n| 1 | 2 |\n";
        assert!(md_options(table).contains(Options::ENABLE_TABLES));
        let wide = format!("{}|\n{}|\n{}", "|a".repeat(256), "|-".repeat(256), "x\n".repeat(1000));
        assert!(padding_bound(&wide) > PADDING_PER_BYTE * wide.len() + 4096);
        assert!(!md_options(&wide).contains(Options::ENABLE_TABLES));
        assert!(md_options(&wide).contains(Options::ENABLE_STRIKETHROUGH));
        // Full rows never come near: a row of n cells takes at least n bytes.
        let full =
            format!("{}|\n{}|\n{}", "|a".repeat(256), "|-".repeat(256), format!("{}|\n", "|x".repeat(256)).repeat(100));
        assert!(md_options(&full).contains(Options::ENABLE_TABLES));
    }
}
