//! The markdown event stream every rendering reads: pulldown-cmark's, made safe and kept from
//! amplifying.
//!
//! Both renderings (the one-pass writer of `markdown.rs` and the reference
//! [`super::Sanitizer::render_markdown`]) read these events, so what is changed here is
//! changed for both, and `tests/sanitize_equiv.rs` still holds one to the other.

use pulldown_cmark::{Event, LinkType, OffsetIter, Options, Parser, Tag, TagEnd};

use super::url_allowed;

/// Bytes of reference-link destinations and titles a document may expand beyond its own
/// length (see [`SafeEvents`]): enough for any real document's repeated references.
pub(super) const REFERENCE_SLACK: usize = 4096;

/// The markdown extensions enabled: tables and strikethrough.
fn md_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// The events of `md`, made safe as [`super::Sanitizer::render_markdown`] describes: raw HTML
/// becomes text (an HTML block a paragraph), and a link or image whose destination fails
/// [`url_allowed`] loses its start and end (its content stays). Two constructs that would
/// make the rendering grow faster than its source are cut back (see [`SafeEvents`]).
pub(super) fn safe_events(md: &str) -> SafeEvents<'_> {
    SafeEvents {
        parser: Parser::new_ext(md, md_options()).into_offset_iter(),
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
///   renders only the cells it has.
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
