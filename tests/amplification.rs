//! Text amplification: no source makes a stored text grow faster than a constant times its
//! size. Every construct that could (markdown's containers, tables, reference links, escapes,
//! HTML's reconstructed formatting, plain text's line breaks) is repeated to fill a string,
//! stored through the engine, and the stored value's size (its canonical JSON: source, HTML
//! and plain text) is held to [`RATIO`] times the string plus [`SLACK`]. Sizes, not timings.

use std::sync::Arc;

use serde_json::json;
use userform::IdentityKeys;
use userform::{Engine, Limits, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};

/// The most a stored text value may grow per byte of its source.
const RATIO: usize = 32;

/// Bytes a stored text value may take beyond [`RATIO`] times its source, whatever its size.
const SLACK: usize = 8 << 10;

/// Bytes of source each construct is repeated to.
const SIZE: usize = 16 << 10;

/// An engine over one form with a `text` attribute `t`, and user `u1` of it; the stored-size
/// limits are lifted, so that what a construct would store is measured whole.
fn engine() -> Engine<MemoryStore> {
    let limits = Limits { max_stored_text_bytes: usize::MAX, max_record_bytes: usize::MAX, ..Limits::default() };
    let options = RegistryOptions { limits, ..RegistryOptions::default() };
    let form = json!({"identifier": "f", "attributes": [{"marker": "t", "type": "text", "position": 1}]});
    let registry = Registry::from_forms([("f.json", form)], options).expect("the form loads");
    let store = MemoryStore::new();
    let user = UserRecord::new("u1", "a@example.com", "f");
    store.insert(&user, &IdentityKeys::of(&user)).unwrap();
    Engine::new(Arc::new(registry), store)
}

/// The size of the stored value of `t` after sending `source` as its `key` (`mdValue`,
/// `htmlValue`, `plainValue`), or the rule it was refused with.
fn stored_size(engine: &Engine<MemoryStore>, key: &str, source: &str) -> Result<usize, String> {
    let body = json!({"formIdentifier": "f", "formData": [{"marker": "t", "type": "text", "value": {key: source}}]});
    let bytes = serde_json::to_vec(&body).unwrap();
    match engine.check(&Request::new("u1", &bytes)) {
        Ok(user) => Ok(user.stored("en_US", "t").map_or(0, |v| v.json().len())),
        Err(rejection) => Err(rejection.violations().iter().map(|v| v.rule()).collect::<Vec<_>>().join(", ")),
    }
}

/// `head` once, then `unit` repeated until the whole is about `size` bytes.
fn fill(head: &str, unit: &str, size: usize) -> String {
    let n = size.saturating_sub(head.len()) / unit.len().max(1);
    format!("{head}{}", unit.repeat(n))
}

/// Markdown constructs: (what, head, repeated unit).
#[rustfmt::skip]
const MARKDOWN: &[(&str, &str, &str)] = &[
    ("short rows under a wide header", "|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|\n|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|\n", "x\n"),
    ("small tables of control-character rows", "", "|a|a|a|a|a|a|a|a|\n|-|-|-|-|-|-|-|-|\n\u{1}\n\u{1}\n\u{1}\n\u{1}\n\u{1}\n\u{1}\n\u{1}\n\u{1}\n\n"),
    ("one-cell rows", "|a|\n|-|\n", "|\n"),
    ("one-character rows under a 256-column header", "", "|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|\n|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx\n\n"),
    ("empty cells", "|a|a|a|a|a|a|a|a|\n|-|-|-|-|-|-|-|-|\n", "||||||||\n"),
    ("blockquotes", "", ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>x\n\n"),
    ("deep blockquotes", "", ">"),
    ("nested lists", "", "- - - - - - - - - - - - - - - - x\n\n"),
    ("ordered lists", "", "1. 2. 3. 4. 5. 6. 7. 8. x\n\n"),
    ("empty list items", "", "-\n"),
    ("headings", "", "#\n"),
    ("rules", "", "***\n"),
    ("paragraphs", "", "a\n\n"),
    ("hard breaks", "a", "\\\n"),
    ("emphasis", "", "*a*"),
    ("strong emphasis", "", "***a***"),
    ("strikethrough", "", "~~a~~ "),
    ("code spans", "", "`a`"),
    ("code blocks", "", "```\n```\n"),
    ("inline links", "", "[](a)"),
    ("images", "", "![](a)"),
    ("autolinks", "", "<a@b.c>"),
    ("url autolinks", "", "<http:>"),
    ("reference links", "[r]: https://example.com/a/long/path/that/is/copied/by/every/use/of/the/reference?with=a&query=string\n\n", "[r]"),
    ("reference links with a long title", "", "[r]"),
    ("reference images", "[r]: https://example.com/a/long/path/that/is/copied/by/every/use/of/the/reference?with=a&query=string\n\n", "![r]"),
    ("percent-encoded urls", "", "[](\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}) "),
    ("ampersands", "", "&"),
    ("less-than signs", "", "<"),
    ("quotes in titles", "", "[](a \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\") "),
    ("no-break spaces", "", "\u{a0}"),
    ("entities", "", "&nGt;"),
    ("control characters", "", "\u{1}"),
    ("raw html", "", "<b>"),
    ("html blocks", "", "<div>\n\n"),
];

/// A reference definition with a long title of ampersands (each stored as `&amp;`), made at
/// run time: a `const` cannot repeat.
fn long_title() -> String {
    format!("[r]: /u \"{}\"\n\n", "&".repeat(1000))
}

/// Stores each source (`what`, text) as `key` and asserts it stays within the ratio; prints
/// each ratio and the worst (`cargo test --test amplification -- --nocapture`).
fn assert_within_ratio(key: &str, sources: impl IntoIterator<Item = (&'static str, String)>) {
    let engine = engine();
    let mut worst = (0.0, "");
    for (what, source) in sources {
        let size = stored_size(&engine, key, &source).unwrap_or_else(|rule| panic!("{what}: refused: {rule}"));
        let ratio = size as f64 / source.len() as f64;
        println!("{ratio:7.2}  {size:9} from {:6}  {key} {what}", source.len());
        if ratio > worst.0 {
            worst = (ratio, what);
        }
        assert!(size <= RATIO * source.len() + SLACK, "{what}: {size} bytes stored from {}", source.len());
    }
    println!("worst {key}: {:.2} ({})", worst.0, worst.1);
}

#[test]
fn markdown_constructs_stay_within_the_ratio() {
    assert_within_ratio(
        "mdValue",
        MARKDOWN.iter().map(|(what, head, unit)| {
            let head = if *what == "reference links with a long title" { long_title() } else { (*head).to_owned() };
            (*what, fill(&head, unit, SIZE))
        }),
    );
}

/// HTML constructs: (what, head, repeated unit).
#[rustfmt::skip]
const HTML: &[(&str, &str, &str)] = &[
    ("unclosed links", "", "<a>"),
    ("reopened formatting", "<a><b><i><u><s><em><strong><code><del><span>", "<p>x"),
    ("reopened formatting, thrice each", "<a><b><i><u><s><em><strong><code><del><a><b><i><u><s><em><strong><code><del><a><b><i><u><s><em><strong><code><del>", "<p>x"),
    ("formatting in table cells", "<table><tr><b><i><u><s><em><strong>", "<td>x"),
    ("line breaks", "", "<br>"),
    ("images", "", "<img>"),
    ("table cells", "", "<td>"),
    ("list items", "", "<li>"),
    ("ampersands", "", "&"),
    ("quotes in attributes", "", "<img alt='\"\"\"\"\"\"\"\"'>"),
    ("no-break spaces", "", "&nbsp;"),
    ("entities", "", "&nGt;"),
    ("control characters", "", "\u{1}"),
    ("deep nesting", "", "<div>"),
    ("misnested formatting", "", "<b><i></b></i>"),
];

#[test]
fn html_constructs_stay_within_the_ratio() {
    assert_within_ratio("htmlValue", HTML.iter().map(|(what, head, unit)| (*what, fill(head, unit, SIZE))));
}

/// Plain-text constructs: (what, repeated unit).
const PLAIN: &[(&str, &str)] = &[
    ("lines", "a\n"),
    ("paragraphs", "a\n\n"),
    ("ampersands", "&"),
    ("no-break spaces", "\u{a0}"),
    ("controls", "\u{1}"),
];

#[test]
fn plain_constructs_stay_within_the_ratio() {
    assert_within_ratio("plainValue", PLAIN.iter().map(|(what, unit)| (*what, fill("", unit, SIZE))));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

    /// Mixtures of the constructs above, each repeated a random number of times, in any order
    /// and nesting: the stored HTML plus plain text stays within the ratio too.
    #[test]
    fn mixtures_of_constructs_stay_within_the_ratio(
        parts in proptest::collection::vec((0..MARKDOWN.len() + HTML.len(), 1..300usize, proptest::bool::ANY), 1..12),
    ) {
        let s = userform::Sanitizer::new();
        let (mut md, mut html) = (String::new(), String::new());
        for (i, times, head) in parts {
            let (_, h, unit) = MARKDOWN.get(i).or_else(|| HTML.get(i - MARKDOWN.len())).copied().unwrap_or_default();
            let piece = format!("{}{}", if head { h } else { "" }, unit.repeat(times));
            md.push_str(&piece);
            html.push_str(&piece);
        }
        let bound = |len: usize| RATIO * len + SLACK;
        let (h, p) = s.markdown_document(&md);
        proptest::prop_assert!(h.len() + p.len() <= bound(md.len()), "markdown {} -> {}", md.len(), h.len() + p.len());
        let (h, p) = s.html_document(&html);
        proptest::prop_assert!(h.len() + p.len() <= bound(html.len()), "html {} -> {}", html.len(), h.len() + p.len());
    }
}
