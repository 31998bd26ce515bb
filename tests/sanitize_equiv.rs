//! The one-pass document methods of [`Sanitizer`] give byte for byte what the two-pass
//! pipeline (`clean_html(render_markdown(md))` / `clean_html(html)` / `escape_plain(plain)`,
//! trimmed, then `html_to_plain`) gives, on hand-written cases and on generated
//! markdown-ish, HTML-ish and plain input; and their `_within` forms give the same document
//! exactly when it fits the budget.
//!
//! Both sides read the same filtered markdown events, which differ from pulldown-cmark's own
//! rendering in two documented ways that keep the output within a constant times the source:
//! a table row shorter than its header has only its own cells (and a document whose rows
//! could be padded with more than 16 empty cells per byte is read without tables), and
//! reference links copy their destination and title for at most the document's length plus
//! 4 KiB.
//! `differences_from_pulldown_cmark` pins both against pulldown-cmark's own HTML.

use proptest::prelude::*;
use userform::{Sanitizer, TooLarge};

/// The two-pass pipeline the text checker used: stored HTML (trimmed) and its plain text.
fn old_pipeline(s: &Sanitizer, html: String) -> (String, String) {
    let html = html.trim().to_owned();
    let plain = s.html_to_plain(&html);
    (html, plain)
}

/// Asserts `markdown_document(md)` equals the two-pass result, and fits exactly its size.
fn check_markdown(s: &Sanitizer, md: &str) {
    let old = old_pipeline(s, s.clean_html(&s.render_markdown(md)));
    assert_eq!(s.markdown_document(md), old, "markdown {md:?}");
    check_budget(&old, |limit| s.markdown_document_within(md, limit), md);
}

/// Asserts `html_document(html)` equals the two-pass result, and fits exactly its size.
fn check_html(s: &Sanitizer, html: &str) {
    let old = old_pipeline(s, s.clean_html(html));
    assert_eq!(s.html_document(html), old, "html {html:?}");
    check_budget(&old, |limit| s.html_document_within(html, limit), html);
}

/// Asserts `plain_document(plain)` equals the two-pass result, and fits exactly its size.
fn check_plain(s: &Sanitizer, plain: &str) {
    let old = old_pipeline(s, s.escape_plain(plain));
    assert_eq!(s.plain_document(plain), old, "plain {plain:?}");
    check_budget(&old, |limit| s.plain_document_within(plain, limit), plain);
}

/// Asserts that `within` gives `doc` for a budget of its size, and refuses one byte less: the
/// budget checks made while writing never stop a document that fits.
fn check_budget(doc: &(String, String), within: impl Fn(usize) -> Result<(String, String), TooLarge>, src: &str) {
    let size = doc.0.len() + doc.1.len();
    assert_eq!(within(size).as_ref(), Ok(doc), "fits in {size}: {src:?}");
    if size > 0 {
        assert_eq!(within(size - 1), Err(TooLarge { limit: size - 1 }), "not in {}: {src:?}", size - 1);
    }
}

/// Pieces of markdown syntax, raw HTML, entities, URLs and awkward characters.
#[rustfmt::skip]
const MD_PIECES: &[&str] = &[
    // Block structure.
    "\n", "\n", "\n", "\n\n", "\r\n", "\r", "# ", "## ", "###### ", "####### ", "> ", ">", ">> ", "- ", "* ", "+ ",
    "1. ", "3) ", "10. ", "0. ", "123456789. ", "    ", "   ", "\t", "```", "~~~", "```rust ", "```js x y\n",
    "``` \"q\"&<", "---", "***", "___", "===", "- [ ] ", "- [x] ",
    // Tables.
    "|", "| a | b |", "|-|-|", "|---|:-:|", "|:-|-:|:-:|", "| x |\n|---|\n| y |", "\\|",
    // Inline.
    "*", "**", "_", "__", "~~", "~", "`", "``", "\\", "[", "]", "(", ")", "![", "](", "[x](", "[x][r]", "[r]",
    "\n\n[r]: ", "[^1]", "$x$", "{#id}", " \"title\")", " 'ti\"t<le'", " (t)", ")", "  \n", "\\\n", "<", ">", "\"",
    "'",
    // Entities.
    "&", "&amp;", "&nbsp;", "&#0;", "&#x41;", "&#13;", "&copy;", "&bogus;", "&#xD800;", "&lt;b&gt;", "&quot;",
    // Raw HTML.
    "<b>", "</b>", "<div>", "</div>", "<div>\n", "<script>alert(1)</script>", "<!-- c -->", "<img src=x onerror=y>",
    "<a href=\"javascript:x\">", "</a>", "<pre>", "<table>", "<br/>", "<?php ?>", "<![CDATA[x]]>", "<svg onload=1>",
    // Characters.
    " ", "  ", "\0", "\u{a0}", "\u{feff}", "é", "Это я", "😀", "\u{200b}", "\u{c}", "\u{7f}", "\u{85}", "\u{2028}",
    "\u{fffd}", "\u{fdd0}", "a", "foo", "bar baz", "x",
];

/// Link and image destinations: allowed, forbidden, relative, and ones ammonia rejects.
#[rustfmt::skip]
const URLS: &[&str] = &[
    "http://e.com/a?b=1&c=2", "https://[::1]/", "http://[", "http://", "https://exa mple.com", "javascript:alert(1)",
    "JaVaScRiPt:x", "java\tscript:x", "data:text/html,x", "mailto:a@b.c", "/rel path", "rel'q\"", "ftp://x", "a b:c",
    "1abc:x", "x-y.z+w:1", "#frag", "?q=a:b", "\u{1}javascript:1", "https://例え.jp/ü", "http://a:b@c:99999/", "//h/x",
    "<http://e.com>", "<a@b.co>", "<javascript:x>", "<https://a.b/c d>", "www.e.com", "\u{a0}http://x", "", "<>",
    "<a b>", "x\\y", "a\"b", "/p?x=&amp;y", "ü", "%zz", "JAVASCRIPT:1", "http://e.com)", "(x)",
];

/// Pieces of HTML for `html_document`.
#[rustfmt::skip]
const HTML_PIECES: &[&str] = &[
    "<p>", "</p>", "<b>", "</b>", "<i>", "<em>", "</em>", "<div>", "</div>", "<ul>", "<li>", "</ul>", "<table>",
    "<td>", "<tr>", "</table>", "<pre>", "</pre>", "<pre>\n", "<br>", "<br/>", "<hr>",
    "<img src=\"x.png\" alt=\"a&quot;\">", "<a href=\"javascript:x\">", "<a href='https://e.com/?a=1&amp;b'>", "</a>",
    "<script>x</script>", "<style>", "<svg>", "<math>", "<!--", "-->", "<!doctype html>", "<textarea>", "<plaintext>",
    "<xmp>", "<h1>", "</h1>", "<span>", "<font>", "<blockquote>", "&amp;", "&nbsp;", "&lt;", "&#0;", "&copy", "&",
    "<", ">", "\"", "\n", "\r\n", "\r", "\0", " ", "\t", "\u{a0}", "Это", "text", "a b", "<p title=\"x>y\">",
    "<code class=\"language-rust\">", "<ol start=\"3\">", "<tbody>",
];

/// Pieces of plain text for `plain_document`.
#[rustfmt::skip]
const PLAIN_PIECES: &[&str] = &[
    "\r\r\n", "\u{b}", "\u{c}", "\u{9f}", "\n", "\n\n", "\r\n", "\r", " ", "\t", "  \n", "\u{a0}", "\0", "\u{7}",
    "\u{85}", "\u{2028}", "&", "&amp;", "<b>", "</p>", ">", "\"", "Это я", "word", "a b", "😀", "&nbsp;", "<br>",
];

/// Markdown: pieces, and links, images, autolinks, emphasis, code fences, HTML blocks,
/// containers and tables around generated markdown, up to four levels deep; line endings LF,
/// CRLF or CR.
fn markdown() -> impl Strategy<Value = String> {
    let url = || prop_oneof![3 => prop::sample::select(URLS).prop_map(str::to_owned), 1 => pieces(MD_PIECES, 4)];
    let title = || {
        prop_oneof![Just(String::new()), pieces(MD_PIECES, 3).prop_map(|t| format!(" \"{}\"", t.replace('"', "\\\"")))]
    };
    let tree = pieces(MD_PIECES, 8).prop_recursive(4, 48, 4, move |inner| {
        let sel = |set: &'static [&'static str]| prop::sample::select(set);
        prop_oneof![
            (inner.clone(), url(), title()).prop_map(|(t, u, ti)| format!("[{t}]({u}{ti})")),
            (inner.clone(), url(), title()).prop_map(|(t, u, ti)| format!("![{t}]({u}{ti})")),
            (inner.clone(), url(), title()).prop_map(|(t, u, ti)| format!("[{t}][r]\n\n[r]: {u}{ti}\n")),
            url().prop_map(|u| format!("<{u}>")),
            (inner.clone(), sel(&["*", "**", "_", "__", "~~", "~", "`", "***"]))
                .prop_map(|(t, d)| format!("{d}{t}{d}")),
            (sel(&["", "rust", "a\"b&<c>", "x y"]), inner.clone()).prop_map(|(i, b)| format!("\n```{i}\n{b}\n```\n")),
            (sel(&["<div>", "<pre>", "<!--", "<table>", "<b>"]), inner.clone())
                .prop_map(|(t, b)| format!("\n{t}\n{b}\n\n")),
            (sel(&["> ", "- ", "* ", "1. ", "2) ", "# ", "    ", "  ", ">"]), inner.clone())
                .prop_map(|(p, b)| format!("\n{p}{}\n", b.replace('\n', &format!("\n{p}")))),
            prop::collection::vec(inner.clone(), 4)
                .prop_map(|c| format!("\n| {} | {} |\n|---|:-:|\n| {} | {} |\n", c[0], c[1], c[2], c[3])),
            // Rows shorter and longer than the header (padding cells are dropped, extra ones too).
            (prop::collection::vec(inner.clone(), 1..4), prop::collection::vec(0..6usize, 1..4), sel(&["|", ""]))
                .prop_map(|(cells, rows, edge)| {
                    let row = |n: usize| {
                        format!(
                            "{edge}{}{edge}\n",
                            (0..n).map(|i| cells[i % cells.len()].replace('\n', " ")).collect::<Vec<_>>().join("|")
                        )
                    };
                    let head = format!("{}|-|:-:|-:{edge}\n", row(3));
                    format!("\n{head}{}", rows.into_iter().map(row).collect::<String>())
                }),
            // One reference used many times (copies past the budget lose their link).
            (inner.clone(), url(), title(), 1..40usize)
                .prop_map(|(t, u, ti, n)| format!("[r]: {u}{ti}\n\n{}", format!("[{t}][r] [r] ![r] ").repeat(n))),
            prop::collection::vec(inner, 0..4).prop_map(|v| v.concat()),
        ]
    });
    (tree, prop::sample::select(&["\n", "\n", "\r\n", "\r"][..])).prop_map(|(md, eol)| md.replace('\n', eol))
}

/// A string of up to `n` pieces, with now and then an arbitrary character.
fn pieces(set: &'static [&'static str], n: usize) -> impl Strategy<Value = String> {
    let piece =
        prop_oneof![8 => prop::sample::select(set).prop_map(str::to_owned), 1 => any::<char>().prop_map(String::from)];
    prop::collection::vec(piece, 0..n).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn markdown_document_equals_two_pass_pipeline(md in pieces(MD_PIECES, 60)) {
        check_markdown(&Sanitizer::new(), &md);
    }

    #[test]
    fn markdown_document_equals_two_pass_pipeline_on_structured_markdown(md in markdown()) {
        check_markdown(&Sanitizer::new(), &md);
    }

    #[test]
    fn markdown_document_equals_two_pass_pipeline_line_by_line(
        lines in prop::collection::vec(pieces(MD_PIECES, 8), 0..24),
    ) {
        check_markdown(&Sanitizer::new(), &lines.join("\n"));
    }

    #[test]
    fn html_document_equals_two_pass_pipeline(html in pieces(HTML_PIECES, 40)) {
        check_html(&Sanitizer::new(), &html);
    }

    #[test]
    fn plain_document_equals_two_pass_pipeline(plain in pieces(PLAIN_PIECES, 40)) {
        check_plain(&Sanitizer::new(), &plain);
    }

    #[test]
    fn documents_of_arbitrary_text_equal_two_pass_pipeline(text in "\\PC{0,80}") {
        let s = Sanitizer::new();
        check_markdown(&s, &text);
        check_html(&s, &text);
        check_plain(&s, &text);
    }
}

#[test]
fn markdown_document_hand_written_cases() {
    let s = Sanitizer::new();
    let cases = [
        "",
        "   \n\n  ",
        "*Это я*",
        "# H1\n## H2\n###### H6\n\nSetext\n===\n\nSetext 2\n---",
        "> quote\n> > nested\n>\n> back",
        "- a\n- b\n  - c\n\n    para in item\n- d",
        "1. one\n2. two\n\n7) seven\n8) eight",
        "```rust title=\"x\"\nfn main() {}\r\n```\n\n~~~\nno info\n~~~\n\n    indented\n    code",
        "```\n\0 nul & <tag> \u{a0}\n```",
        "| a | b | c |\n|:--|:-:|--:|\n| 1 | *2* | `3` |\n| 4 |",
        "| head only |\n|---|",
        "a | b\n- | -\nc | d",
        "[x](https://e.com \"t\") [y](/rel) [z](javascript:alert(1)) <a@b.co> <http://e.com/?a&b>",
        "[x](http://[ \"bad host\") [y](http://) [z](https://exa%20mple.com) [w](http://a:99999/)",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "![alt *t* `c`\nnext](https://e.com/i.png \"ti&tle\") ![bad](data:x) [![i](https://e.com/i.png)](javascript:y)",
        "![![in](javascript:z) and ![in2](/ok)](https://e.com/i.png)",
        "![a\r\nb](x \"t\r\nu\") [l](y \"\0\")",
        "<div onclick=x>\n\n*a*\n\n</div>\n\n<script>alert(1)</script>\n\nhi <img src=x onerror=1> <b>b</b>",
        "<!-- c -->\n\n<?php x ?>\n\n<![CDATA[x]]>",
        "a  \nb\\\nc\rd\r\ne",
        "***\n\n---\n\n___\ntext\n***",
        "~~del~~ ~single~ **strong *em* strong** ***both***",
        "&copy; &nbsp; &#0; &#x41; &amp;amp; &bogus; \u{a0}",
        "\u{feff}BOM first",
        "- [ ] not a task list\n- [x] either",
        "[^1] footnote\n\n[^1]: not enabled",
        "$math$ {#id}",
        "[a [b](https://b) c](https://a)",
        "[<https://inner>](https://outer)",
        "*a **b*** c",
        "`` ` `` ``\r\n``",
    ];
    for md in cases {
        check_markdown(&s, md);
    }
    // The bench texts' shapes: headings, lists, links and code in Cyrillic prose.
    let long =
        "## Настройки 1\n\nТекст **гора** *care* `value_1`. See [note](https://example.com/notes/1/1).\n\n".repeat(50);
    check_markdown(&s, &long);
}

#[test]
fn markdown_document_deep_nesting_matches_the_flattening() {
    let s = Sanitizer::new();
    let n = Sanitizer::MAX_DEPTH;
    for depth in [n - 2, n - 1, n, n + 1, n + 2, 3 * n] {
        for md in [
            format!("{}x", "> ".repeat(depth)),
            format!("{}x", ">".repeat(depth)),
            format!("{}x `c` *e*", "> ".repeat(depth)),
            format!("{}```\ncode\n```", "> ".repeat(depth)),
            (0..depth).map(|i| format!("{}- item\n", "  ".repeat(i))).collect::<String>(),
            format!("{}x{}", "*".repeat(depth), "*".repeat(depth)),
            format!("{}x{}", "[".repeat(depth), "](/u)".repeat(depth)),
            format!("{}x{}", "~~".repeat(depth), "~~".repeat(depth)),
        ] {
            check_markdown_flattened(&s, &md);
        }
    }
}

/// [`check_markdown`] for a document that may nest past [`Sanitizer::MAX_DEPTH`]: when it
/// does, the walk meets the nesting only after writing what comes before it, so a budget the
/// flattened document fits may still be refused; one it does not fit always is.
fn check_markdown_flattened(s: &Sanitizer, md: &str) {
    let old = old_pipeline(s, s.clean_html(&s.render_markdown(md)));
    assert_eq!(s.markdown_document(md), old, "markdown {md:?}");
    let size = old.0.len() + old.1.len();
    match s.markdown_document_within(md, size) {
        Ok(doc) => assert_eq!(doc, old, "markdown {md:?}"),
        Err(e) => {
            // Flattened: escaped text in paragraphs, no other element.
            let tags = old.0.replace("<p>", "").replace("</p>", "").replace("<br>", "");
            assert!(!tags.contains('<'), "{e}, not flattened: markdown {md:?}");
        }
    }
    assert_eq!(s.markdown_document_within(md, size - 1), Err(TooLarge { limit: size - 1 }));
}

#[test]
fn html_and_plain_document_hand_written_cases() {
    let s = Sanitizer::new();
    for html in [
        "",
        "  <p> x </p>  ",
        "<p>a<script>alert(1)</script>b</p><img src=x onerror=alert(1)>",
        "<a href=\"https://e.com/?a=1&amp;b=2\" title=\"t\" target=\"_blank\">x</a>",
        "<pre>\n\nx\n</pre><table><tr><td>1<td>2</table>",
        &format!("{}x", "<div>".repeat(Sanitizer::MAX_DEPTH + 1)),
    ] {
        check_html(&s, html);
    }
    for plain in ["", "\n \n", "a\nb\r\n\r\n\n  \nc\rd", "<b>hi</b> & \"you\"", "a\u{0}\u{7}\u{9c}b\u{a0}c\td"] {
        check_plain(&s, plain);
    }
}

#[test]
fn differences_from_pulldown_cmark() {
    let s = Sanitizer::new();
    let raw = |md: &str| {
        let mut html = String::new();
        let options = pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(md, options));
        html
    };
    // A short row: pulldown-cmark pads it with empty cells; here it keeps only its own, and
    // its empty cells of the source are kept (`||`), as are the rows of the right width.
    let md = "| a | b | c |\n|---|---|---|\n| 1 |\n| 2 || 4 |\n|5|6|7|\n";
    assert!(raw(md).contains("<tr><td>1</td><td></td><td></td></tr>"), "{}", raw(md));
    let html = s.render_markdown(md);
    assert!(html.contains("<tr><td>1</td></tr>"), "{html}");
    assert!(html.contains("<tr><td>2</td><td></td><td>4</td></tr>"), "{html}");
    assert!(html.contains("<tr><td>5</td><td>6</td><td>7</td></tr>"), "{html}");
    assert_eq!((raw(md).matches("<td>").count(), html.matches("<td>").count()), (9, 7));
    check_markdown(&s, md);

    // Rows far shorter than a wide header: pulldown-cmark would build (and pad) about 90 cells
    // per source byte; a document that could need more than 16 is read without tables.
    let wide = format!("{}|\n{}|\n{}", "|a".repeat(256), "|-".repeat(256), "x\n".repeat(1000));
    assert!(raw(&wide).contains("<table>"));
    assert!(!s.render_markdown(&wide).contains("<table>"));
    assert!(!s.markdown_document(&wide).0.contains("<table>"));
    check_markdown(&s, &wide);

    // References: pulldown-cmark copies a definition up to 100 000 bytes whatever the
    // document's size; here up to its length plus 4 KiB, then the text stays without a link.
    let url = format!("https://example.com/{}", "p".repeat(980));
    let md = format!("[r]: {url}\n\n{}", "[r] ".repeat(20));
    let copies = |html: &str| html.matches(url.as_str()).count();
    assert_eq!(copies(&raw(&md)), 20);
    let kept = (md.len() + 4096) / url.len();
    assert_eq!(copies(&s.render_markdown(&md)), kept);
    assert_eq!(copies(&s.markdown_document(&md).0), kept);
    assert_eq!(s.markdown_document(&md).1, vec!["r"; 20].join(" "), "every use keeps its text");
    check_markdown(&s, &md);
}

#[test]
fn old_methods_still_work() {
    let s = Sanitizer::new();
    assert_eq!(s.render_markdown("*a* [x](javascript:1)"), "<p><em>a</em> x</p>\n");
    assert_eq!(s.clean_html("<p onclick=x>a</p>"), "<p>a</p>");
    assert_eq!(s.escape_plain("a\nb"), "<p>a<br>b</p>");
    assert_eq!(s.html_to_plain("<p>a</p><p>b</p>"), "a\nb");
    assert_eq!(
        s.markdown_document("# T\n\n[x](https://e.com)"),
        (
            "<h1>T</h1>\n<p><a href=\"https://e.com\" rel=\"noopener noreferrer nofollow\">x</a></p>".into(),
            "T\nx".into()
        )
    );
}

#[test]
fn documents_of_hostile_sizes_do_not_panic_or_go_quadratic() {
    let s = Sanitizer::new();
    let start = std::time::Instant::now();
    // Plain text on 64 KiB; markdown (the deep units take the two-pass route) and HTML on
    // 16 KiB, as ammonia's tree building is slow in debug builds.
    for unit in ["> ", "- ", "[", "*a", "![", "[a](b) ", "<b>x</b>", "`", "|a|\n|-|\n", "\r", "&#", "\0", "<a@b.c>"] {
        let text = unit.repeat((64 << 10) / unit.len());
        let (html, plain) = s.markdown_document(&text[..16 << 10]);
        assert!(html.len() + plain.len() < 1 << 20);
        let _ = s.plain_document(&text);
    }
    for unit in ["<", "<div>", "<b>", "<a href='", "<!--", "&#", "</", "<script>", "<td>", "<p", "<b><i></b></i>"] {
        let _ = s.html_document(&unit.repeat((16 << 10) / unit.len()));
    }
    assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
}
