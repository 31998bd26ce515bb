//! `text` and `textWithHeader`: rich text values, sanitised on the way in.
//!
//! A value is an object (or a one-element array holding it) with any of `htmlValue`,
//! `plainValue`, `mdValue`, optional `params {editorMode, isEditorDisabled, isImageCompressed}`
//! and, for `textWithHeader`, `header`. A `textWithHeader` may also be an array of several such
//! heading-and-text pairs (an accordion of questions is one attribute): it is stored as an array
//! then, and as one object when there is one pair. Each pair's stored HTML comes from one source:
//!
//! A blank source counts as not given (clients send the unused ones empty):
//!
//! 1. `mdValue`, when `params.editorMode` is `"markdown"` or it is the only source given:
//!    rendered by `Sanitizer::markdown_document`, which writes from pulldown-cmark's events
//!    exactly what `clean_html` would keep of the rendered HTML (the same allow-list and link
//!    `rel`; HTML nested absurdly deep, e.g. from thousands of `>`, is flattened to text)
//!    without a second HTML pass;
//! 2. else `htmlValue`, sanitised by `clean_html`;
//! 3. else `plainValue`, escaped into paragraphs.
//!
//! The stored `htmlValue` is trimmed. The stored `plainValue` is always derived from the stored
//! HTML; the body's is never trusted. Together (all pairs' together) they are rendered within
//! a byte budget (the smaller of `Limits::max_stored_text_bytes` and the room the record has
//! left): rendering stops as soon as it is passed, and the value is refused with
//! `stored-text-too-large` or
//! `record-too-large`, body-level 3024s. `mdValue` is kept as sent (it is source text, never
//! served as HTML), `params` keeps only its three known keys, `header` is plain text.

use crate::json::write::{ArrayWriter, ObjectWriter};
use crate::record::{StoredValue, ValueSize};

use crate::json::Json;

use super::{AttrType, CheckedValue, Cx, Measure};
use crate::error::ViolationKind;
use crate::pointer::Pointer;

/// What a text value's three content keys may hold.
const EXPECT_STRING_OR_NULL: &str = "a string or null";
/// What a text value must be.
const EXPECT_TEXT: &str = "an object with htmlValue, plainValue or mdValue (or a one-element array of it)";
/// What a `textWithHeader` value must be.
const EXPECT_TEXT_WITH_HEADER: &str =
    "an object with header, htmlValue, plainValue or mdValue, or an array of such heading-and-text pairs";
/// What a text value must be when it carries no content.
const EXPECT_CONTENT: &str = "at least one of htmlValue, plainValue, mdValue as a string";

/// The `params` keys kept in the stored value.
const PARAM_KEYS: [(&str, ParamKind); 3] =
    [("editorMode", ParamKind::String), ("isEditorDisabled", ParamKind::Bool), ("isImageCompressed", ParamKind::Bool)];

/// The JSON type a known `params` key must have.
#[derive(Copy, Clone)]
enum ParamKind {
    /// A string.
    String,
    /// A boolean.
    Bool,
}

/// Checks a `text` or `textWithHeader` value and returns the canonical stored value measured by
/// its plain text: one object `{htmlValue, plainValue, mdValue?, params?, header?}`, or, for a
/// `textWithHeader` sent as several heading-and-text pairs, an array of them.
///
/// Every shape problem of every pair is reported (`invalid-value` at the offending key) before
/// giving up. For `textWithHeader` a pair's measure is its plain text, or its header when the
/// plain text is empty, so a pair is empty (for `required`) only when both are; the measure of
/// several pairs is their measures one after the other, so their lengths add up.
pub(crate) fn check(
    kind: AttrType,
    value: &Json<'_>,
    path: &Pointer,
    cx: &mut Cx<'_>,
) -> Option<CheckedValue<'static>> {
    let with_header = kind == AttrType::TextWithHeader;
    // One pair, as an object or a one-element array; several only for `textWithHeader`.
    let (pairs, indexed) = match value {
        Json::Array(items) if items.len() == 1 || (with_header && items.len() > 1) => (*items, true),
        _ => (std::slice::from_ref(value), false),
    };
    let at = |i: usize| if indexed { path.child(i) } else { path.clone() };
    let mut sources = Vec::with_capacity(pairs.len());
    for (i, pair) in pairs.iter().enumerate() {
        if let Some(source) = read_pair(with_header, pair, at(i), cx) {
            sources.push(source);
        }
    }
    if sources.len() != pairs.len() {
        return None;
    }

    let (budget, too_large) = cx.env.room.text_budget();
    let mut used = 0;
    let mut rendered = Vec::with_capacity(sources.len());
    for (i, source) in sources.iter().enumerate() {
        let Some(pair) = render(cx, source, with_header, budget.saturating_sub(used)) else {
            cx.report(at(i), too_large);
            return None;
        };
        used += pair.html.len() + pair.plain.len();
        rendered.push(pair);
    }

    let size = ValueSize::texts(rendered.iter().map(Rendered::len).sum(), rendered.len());
    let stored = StoredValue::written(size, |out| match &rendered[..] {
        [one] => one.write(out),
        several => {
            let mut array = ArrayWriter::new(out);
            for pair in several {
                pair.write(array.item());
            }
            array.end();
        }
    });
    let mut measures = rendered.into_iter().map(Rendered::measure);
    let first = measures.next().unwrap_or_default();
    let measure = measures.fold(first, |mut all, m| {
        all.push_str(&m);
        all
    });
    Some(CheckedValue { stored, measure: Measure::Text(measure.into()) })
}

/// What one heading-and-text pair (or one text) was sent with, once its shape is known good.
struct Source<'j> {
    html: Option<&'j str>,
    plain: Option<&'j str>,
    md: Option<&'j str>,
    header: Option<&'j str>,
    params: Option<Vec<(&'static str, &'j Json<'j>)>>,
}

/// Reads one text object at `at`, reporting every shape problem; `None` when there was one.
fn read_pair<'j>(with_header: bool, value: &'j Json<'j>, at: Pointer, cx: &mut Cx<'_>) -> Option<Source<'j>> {
    let Some(obj) = value.as_object() else {
        let expected = if with_header { EXPECT_TEXT_WITH_HEADER } else { EXPECT_TEXT };
        cx.report(at, ViolationKind::InvalidValue { expected });
        return None;
    };
    let mut ok = true;
    let mut string_field = |key: &str, cx: &mut Cx<'_>| -> Option<&'j str> {
        match obj.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(*s),
            Some(_) => {
                cx.report(at.child(key), ViolationKind::InvalidValue { expected: EXPECT_STRING_OR_NULL });
                ok = false;
                None
            }
        }
    };
    let html = string_field("htmlValue", cx);
    let plain = string_field("plainValue", cx);
    let md = string_field("mdValue", cx);
    let header = if with_header { string_field("header", cx) } else { None };
    let params = check_params(obj.get("params"), &at, cx, &mut ok);

    let has_content = html.is_some() || plain.is_some() || md.is_some() || header.is_some();
    if ok && !has_content {
        cx.report(at, ViolationKind::InvalidValue { expected: EXPECT_CONTENT });
        return None;
    }
    ok.then_some(Source { html, plain, md, header, params })
}

/// One pair as it is stored: the rendered HTML and plain text, and what is kept as sent.
struct Rendered<'j> {
    html: String,
    plain: String,
    md: Option<&'j str>,
    header: Option<String>,
    params: Option<Vec<(&'static str, &'j Json<'j>)>>,
}

/// Renders one pair's stored HTML and plain text within `budget` bytes; `None` past it.
fn render<'j>(cx: &Cx<'_>, source: &Source<'j>, with_header: bool, budget: usize) -> Option<Rendered<'j>> {
    let sanitizer = cx.env.sanitizer;
    let markdown_mode = source
        .params
        .iter()
        .flatten()
        .find(|(key, _)| *key == "editorMode")
        .and_then(|(_, v)| v.as_str())
        .is_some_and(|m| m.eq_ignore_ascii_case("markdown"));
    // A blank source is not given: clients send every field, the unused ones empty (the npm
    // README's own text sends `plainValue: ""` beside its HTML, a plain-text box `htmlValue: ""`).
    let given = |s: Option<&'j str>| s.filter(|s| !s.trim().is_empty());
    let rendered = match (given(source.md), given(source.html), given(source.plain)) {
        (Some(md), _, _) if markdown_mode => sanitizer.markdown_document_within(md, budget),
        (Some(md), None, None) => sanitizer.markdown_document_within(md, budget),
        (_, Some(html), _) => sanitizer.html_document_within(html, budget),
        (_, None, Some(plain)) => sanitizer.plain_document_within(plain, budget),
        (None, None, None) => Ok((String::new(), String::new())),
    };
    let (html, plain) = rendered.ok()?;
    let header = with_header.then(|| source.header.map(clean_header).unwrap_or_default());
    Some(Rendered { html, plain, md: source.md, header, params: source.params.clone() })
}

impl Rendered<'_> {
    /// The bytes of its texts, to size the stored value's buffer.
    fn len(&self) -> usize {
        self.html.len() + self.plain.len() + self.md.map_or(0, str::len) + self.header.as_ref().map_or(0, String::len)
    }

    /// Writes the stored object.
    fn write(&self, out: &mut String) {
        let mut obj = ObjectWriter::new(out);
        obj.str("htmlValue", &self.html).str("plainValue", &self.plain);
        if let Some(md) = self.md {
            obj.str("mdValue", md);
        }
        if let Some(params) = &self.params {
            let mut kept = ObjectWriter::new(obj.field("params"));
            for (key, v) in params {
                v.write(kept.key(key));
            }
            kept.end();
        }
        if let Some(header) = &self.header {
            obj.str("header", header);
        }
        obj.end();
    }

    /// What the length rules measure: the plain text, or the header when it is empty.
    fn measure(self) -> String {
        match self.header {
            Some(header) if self.plain.is_empty() => header,
            _ => self.plain,
        }
    }
}

/// Checks `params` (absent or null: none) and returns the known keys that were sent with a
/// non-null value. Reports a non-object `params` or a key of the wrong type; clears `ok` then.
fn check_params<'j>(
    params: Option<&'j Json<'j>>,
    at: &Pointer,
    cx: &mut Cx<'_>,
    ok: &mut bool,
) -> Option<Vec<(&'static str, &'j Json<'j>)>> {
    let obj = match params {
        None | Some(Json::Null) => return None,
        Some(Json::Object(obj)) => obj,
        Some(_) => {
            cx.report(at.child("params"), ViolationKind::InvalidValue { expected: "an object" });
            *ok = false;
            return None;
        }
    };
    let mut kept = Vec::with_capacity(PARAM_KEYS.len());
    for (key, kind) in PARAM_KEYS {
        match (obj.get(key), kind) {
            (None | Some(Json::Null), _) => {}
            (Some(v @ Json::String(_)), ParamKind::String) | (Some(v @ Json::Bool(_)), ParamKind::Bool) => {
                kept.push((key, v));
            }
            (Some(_), kind) => {
                let expected = match kind {
                    ParamKind::String => "a string",
                    ParamKind::Bool => "a boolean",
                };
                cx.report(at.child("params").child(key), ViolationKind::InvalidValue { expected });
                *ok = false;
            }
        }
    }
    Some(kept)
}

/// The stored header: plain text as given (markup is not interpreted), whitespace control
/// characters turned into spaces, other control characters removed, trimmed.
fn clean_header(header: &str) -> String {
    let cleaned: String = header
        .chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' | '\u{b}' | '\u{c}' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    cleaned.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::Violation;
    use crate::types::Services;
    use crate::Sanitizer;
    use serde_json::Value;

    /// Runs the checker on `value` at `/formData/0/value`; returns the result and violations.
    fn run(kind: AttrType, value: Value) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        let sanitizer = Sanitizer::default();
        let captcha = crate::StaticTokens::default();
        let env = Services { sanitizer: &sanitizer, captcha: &captcha, room: crate::types::StoreRoom::unlimited() };
        let mut report = crate::report::Report::new();
        let mut cx = Cx { marker: "about", report: &mut report, env: &env };
        let path = Pointer::root().child("formData").child(0).child("value");
        let parsed = check(kind, &Json::from(&value), &path, &mut cx);
        (parsed, report.into_violations())
    }

    /// The stored object of a value that must pass.
    fn ok(kind: AttrType, value: Value) -> CheckedValue<'static> {
        let (parsed, errors) = run(kind, value);
        assert!(errors.is_empty(), "{errors:?}");
        parsed.expect("a parsed value")
    }

    /// The (path, rule) of every violation of a value that must fail.
    fn bad(kind: AttrType, value: Value) -> Vec<(String, &'static str)> {
        let (parsed, errors) = run(kind, value);
        assert!(parsed.is_none());
        assert!(!errors.is_empty());
        assert!(errors.iter().all(|e| e.marker.as_deref() == Some("about")));
        errors.iter().map(|e| (e.path.to_string(), e.rule())).collect()
    }

    /// The stored `htmlValue`.
    fn html_of(p: &CheckedValue<'_>) -> String {
        p.stored.to_value()["htmlValue"].as_str().unwrap().to_owned()
    }

    /// The stored `plainValue`.
    fn plain_of(p: &CheckedValue<'_>) -> String {
        p.stored.to_value()["plainValue"].as_str().unwrap().to_owned()
    }

    #[test]
    fn seed_value() {
        let p = ok(
            AttrType::Text,
            json!({"htmlValue":"<p>Это я</p>","plainValue":"Это я","mdValue":"*Это я*",
                   "params":{"isImageCompressed":true,"editorMode":"html"}}),
        );
        assert_eq!(
            p.stored,
            json!({"htmlValue":"<p>Это я</p>","plainValue":"Это я","mdValue":"*Это я*",
                   "params":{"editorMode":"html","isImageCompressed":true}})
        );
        assert_eq!(p.measure, Measure::Text("Это я".into()));
        assert!(!p.is_empty());
    }

    #[test]
    fn one_element_array_is_unwrapped() {
        let p = ok(AttrType::Text, json!([{"htmlValue":"<p>a</p>"}]));
        assert_eq!(p.stored, json!({"htmlValue":"<p>a</p>","plainValue":"a"}));
    }

    #[test]
    fn body_plain_value_is_never_trusted() {
        let p = ok(AttrType::Text, json!({"htmlValue":"<p>real</p>","plainValue":"fake and much longer"}));
        assert_eq!(plain_of(&p), "real");
        assert_eq!(p.measure, Measure::Text("real".into()));
    }

    #[test]
    fn html_attacks_are_sanitized() {
        let cases = [
            ("<p>a<script>alert(1)</script></p>", "<p>a</p>"),
            ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
            ("<a href=\"javascript:alert(1)\">x</a>", "<a rel=\"noopener noreferrer nofollow\">x</a>"),
            ("<a href=\"JaVaScRiPt:alert(1)\">x</a>", "<a rel=\"noopener noreferrer nofollow\">x</a>"),
            (
                "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
                "<a rel=\"noopener noreferrer nofollow\">x</a>",
            ),
            ("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">", "<img>"),
            ("<svg onload=alert(1)></svg>t", "t"),
            ("<iframe src=\"https://e.com\"></iframe>t", "t"),
        ];
        for (input, want) in cases {
            let p = ok(AttrType::Text, json!({ "htmlValue": input }));
            assert_eq!(html_of(&p), want, "{input}");
        }
        let p = ok(AttrType::Text, json!({"htmlValue":"<script>alert(1)</script>"}));
        assert_eq!(p.stored, json!({"htmlValue":"","plainValue":""}));
        assert!(p.is_empty(), "nothing left counts as empty for `required`");
    }

    #[test]
    fn markdown_sources() {
        let p = ok(AttrType::Text, json!({"mdValue":"**hi** [x](javascript:alert(1))"}));
        assert_eq!(html_of(&p), "<p><strong>hi</strong> x</p>");
        assert_eq!(plain_of(&p), "hi x");
        assert_eq!(p.stored.to_value()["mdValue"], "**hi** [x](javascript:alert(1))");

        let p = ok(AttrType::Text, json!({"mdValue":"<script>alert(1)</script>"}));
        assert_eq!(html_of(&p), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
        assert_eq!(plain_of(&p), "<script>alert(1)</script>");

        let p = ok(AttrType::Text, json!({"mdValue":"![pic](data:text/html,x) [ok](https://e.com)"}));
        assert_eq!(html_of(&p), "<p>pic <a href=\"https://e.com\" rel=\"noopener noreferrer nofollow\">ok</a></p>");
    }

    #[test]
    fn editor_mode_picks_the_source() {
        let both =
            |mode: &str| json!({"htmlValue":"<p>from html</p>","mdValue":"from *md*","params":{"editorMode":mode}});
        assert_eq!(plain_of(&ok(AttrType::Text, both("markdown"))), "from md");
        assert_eq!(plain_of(&ok(AttrType::Text, both("Markdown"))), "from md");
        assert_eq!(plain_of(&ok(AttrType::Text, both("html"))), "from html");
        let p = ok(AttrType::Text, json!({"htmlValue":"<p>h</p>","params":{"editorMode":"markdown"}}));
        assert_eq!(plain_of(&p), "h", "markdown mode without mdValue falls back to html");
        let p = ok(AttrType::Text, json!({"plainValue":"p","mdValue":"*m*"}));
        assert_eq!(plain_of(&p), "p", "plainValue beats mdValue outside markdown mode");
    }

    #[test]
    fn a_blank_source_is_not_given() {
        let p = ok(AttrType::Text, json!({"htmlValue": "", "plainValue": "typed in a plain box"}));
        assert_eq!(html_of(&p), "<p>typed in a plain box</p>");
        let p = ok(AttrType::Text, json!({"htmlValue": " ", "plainValue": "", "mdValue": "**md**"}));
        assert_eq!(html_of(&p), "<p><strong>md</strong></p>");
        let p =
            ok(AttrType::Text, json!({"htmlValue": "<p>h</p>", "mdValue": "", "params": {"editorMode": "markdown"}}));
        assert_eq!(html_of(&p), "<p>h</p>", "an empty mdValue in markdown mode falls back to the HTML");
        let p = ok(AttrType::Text, json!({"htmlValue": "", "plainValue": ""}));
        assert_eq!((html_of(&p), plain_of(&p)), (String::new(), String::new()));
    }

    #[test]
    fn plain_only_is_escaped() {
        let p = ok(AttrType::Text, json!({"plainValue":"<b>not bold</b>\nline 2\n\npara 2"}));
        assert_eq!(html_of(&p), "<p>&lt;b&gt;not bold&lt;/b&gt;<br>line 2</p><p>para 2</p>");
        assert_eq!(plain_of(&p), "<b>not bold</b>\nline 2\npara 2");
    }

    #[test]
    fn params_keep_only_known_keys() {
        let p = ok(
            AttrType::Text,
            json!({"htmlValue":"x","params":{"isEditorDisabled":false,"editorMode":null,"evil":"<x>"},"junk":1}),
        );
        assert_eq!(p.stored, json!({"htmlValue":"x","plainValue":"x","params":{"isEditorDisabled":false}}));
        let p = ok(AttrType::Text, json!({"htmlValue":"x","params":null,"mdValue":null,"plainValue":null}));
        assert_eq!(p.stored, json!({"htmlValue":"x","plainValue":"x"}));
    }

    #[test]
    fn empty_text_is_empty() {
        let empties = [json!({"htmlValue":""}), json!({"plainValue":"  \n "}), json!({"mdValue":""})];
        for v in empties.into_iter().chain([json!({"htmlValue":"<p> </p><br>"})]) {
            let p = ok(AttrType::Text, v.clone());
            assert!(p.is_empty(), "{v}");
        }
    }

    #[test]
    fn text_with_header() {
        let p = ok(
            AttrType::TextWithHeader,
            json!({"header":"  <b>Title</b>\u{0}\nmore \t","htmlValue":"<p>body</p>","plainValue":"ignored"}),
        );
        assert_eq!(p.stored, json!({"htmlValue":"<p>body</p>","plainValue":"body","header":"<b>Title</b> more"}));
        assert_eq!(p.measure, Measure::Text("body".into()));

        let p = ok(AttrType::TextWithHeader, json!({"header":"Only a header"}));
        assert_eq!(p.stored, json!({"htmlValue":"","plainValue":"","header":"Only a header"}));
        assert!(!p.is_empty(), "a header alone is not empty");

        let p = ok(AttrType::TextWithHeader, json!({"htmlValue":"<p>x</p>"}));
        assert_eq!(p.stored.to_value()["header"], "");
        let p = ok(AttrType::TextWithHeader, json!({"header":" ","htmlValue":""}));
        assert!(p.is_empty(), "empty header and empty text are empty");
        let p = ok(AttrType::Text, json!({"header":"ignored for text","htmlValue":"a"}));
        assert!(p.stored.to_value().get("header").is_none());
    }

    #[test]
    fn several_heading_and_text_pairs() {
        let faq = json!([
            {"header":"Shipping?","htmlValue":"<p>Two <b>days</b></p>"},
            {"header":"Returns?","plainValue":"30 days"},
            {"header":"Contact","mdValue":"*mail*"}
        ]);
        let p = ok(AttrType::TextWithHeader, faq);
        let stored = p.stored.to_value();
        let pairs = stored.as_array().expect("several pairs are stored as an array");
        assert_eq!(pairs.len(), 3);
        assert_eq!(pairs[0]["header"], "Shipping?");
        assert_eq!(pairs[0]["htmlValue"], "<p>Two <b>days</b></p>");
        assert_eq!(pairs[1]["htmlValue"], "<p>30 days</p>");
        assert_eq!(pairs[2]["htmlValue"], "<p><em>mail</em></p>");
        assert_eq!(pairs[2]["mdValue"], "*mail*");
        // The lengths of the pairs add up.
        assert_eq!(p.measure, Measure::Text("Two days30 daysmail".into()));
        // One pair in an array is still one object; headers alone count as content.
        let one = ok(AttrType::TextWithHeader, json!([{"header":"Only"}]));
        assert_eq!(one.stored.to_value()["header"], "Only");
        let headers = ok(AttrType::TextWithHeader, json!([{"header":""},{"header":""}]));
        assert!(headers.is_empty(), "pairs with nothing in them are empty");
        assert!(!ok(AttrType::TextWithHeader, json!([{"header":""},{"header":"b"}])).is_empty());
    }

    #[test]
    fn every_bad_pair_is_reported() {
        let at = "/formData/0/value";
        let v = json!([{"header":"a","htmlValue":1},"b",{"params":{}},{"header":"ok"}]);
        assert_eq!(
            bad(AttrType::TextWithHeader, v),
            vec![
                (format!("{at}/0/htmlValue"), "invalid-value"),
                (format!("{at}/1"), "invalid-value"),
                (format!("{at}/2"), "invalid-value"),
            ]
        );
        assert_eq!(bad(AttrType::TextWithHeader, json!([])), vec![(at.into(), "invalid-value")]);
    }

    #[test]
    fn several_pairs_share_one_budget() {
        let sanitizer = Sanitizer::default();
        let captcha = crate::StaticTokens::default();
        let env =
            Services { sanitizer: &sanitizer, captcha: &captcha, room: crate::types::StoreRoom::new(40, 1 << 20) };
        let mut report = crate::report::Report::new();
        let mut cx = Cx { marker: "about", report: &mut report, env: &env };
        let pair = json!({"header":"h","plainValue":"0123456789"}); // 17 + 10 bytes stored
        let path = Pointer::root().child("value");
        assert!(check(AttrType::TextWithHeader, &Json::from(&pair), &path, &mut cx).is_some());
        let two = json!([pair.clone(), pair]);
        assert!(check(AttrType::TextWithHeader, &Json::from(&two), &path, &mut cx).is_none());
        let out = report.into_violations();
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].path.to_string().as_str(), out[0].rule()), ("/value/1", "stored-text-too-large"));
    }

    #[test]
    fn bad_shapes_are_reported_where_they_are() {
        let at = "/formData/0/value";
        assert_eq!(bad(AttrType::Text, json!("just a string")), vec![(at.into(), "invalid-value")]);
        assert_eq!(bad(AttrType::Text, json!(42)), vec![(at.into(), "invalid-value")]);
        assert_eq!(bad(AttrType::Text, json!([])), vec![(at.into(), "invalid-value")]);
        let two = json!([{"htmlValue":"a"},{"htmlValue":"b"}]);
        assert_eq!(bad(AttrType::Text, two), vec![(at.into(), "invalid-value")], "several pairs are textWithHeader's");
        assert_eq!(bad(AttrType::Text, json!(["x"])), vec![(format!("{at}/0"), "invalid-value")]);
        assert_eq!(bad(AttrType::Text, json!({})), vec![(at.into(), "invalid-value")]);
        assert_eq!(bad(AttrType::Text, json!({"htmlValue":null,"params":{}})), vec![(at.into(), "invalid-value")]);
        assert_eq!(bad(AttrType::Text, json!({"htmlValue":5})), vec![(format!("{at}/htmlValue"), "invalid-value")]);
        assert_eq!(bad(AttrType::Text, json!([{"mdValue":[]}])), vec![(format!("{at}/0/mdValue"), "invalid-value")]);
        assert_eq!(
            bad(
                AttrType::TextWithHeader,
                json!({"htmlValue":{},"plainValue":true,"mdValue":"ok","header":7,
                       "params":{"editorMode":1,"isEditorDisabled":"no","isImageCompressed":0}}),
            ),
            vec![
                (format!("{at}/htmlValue"), "invalid-value"),
                (format!("{at}/plainValue"), "invalid-value"),
                (format!("{at}/header"), "invalid-value"),
                (format!("{at}/params/editorMode"), "invalid-value"),
                (format!("{at}/params/isEditorDisabled"), "invalid-value"),
                (format!("{at}/params/isImageCompressed"), "invalid-value"),
            ]
        );
        let params = json!({"htmlValue":"a","params":"markdown"});
        assert_eq!(bad(AttrType::Text, params), vec![(format!("{at}/params"), "invalid-value")]);
        let header = json!({"htmlValue":"a","header":["h"]});
        assert_eq!(bad(AttrType::TextWithHeader, header), vec![(format!("{at}/header"), "invalid-value")]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("{}deep{}", "<div>".repeat(10_000), "</div>".repeat(10_000));
        let p = ok(AttrType::Text, json!({ "htmlValue": html }));
        assert_eq!(plain_of(&p), "deep");
        let md = format!("{}deep", "> ".repeat(5_000));
        let p = ok(AttrType::Text, json!({ "mdValue": md }));
        assert_eq!(plain_of(&p), "deep");
    }

    #[test]
    fn hostile_input_is_handled() {
        let p = ok(AttrType::Text, json!({ "htmlValue": "<".repeat(65536) }));
        assert_eq!(plain_of(&p).chars().count(), 65536);
        let p = ok(AttrType::Text, json!({ "mdValue": "[".repeat(65536) }));
        assert_eq!(plain_of(&p).chars().count(), 65536);
    }

    #[test]
    fn resending_the_stored_value_stores_the_same() {
        let cases = [
            (AttrType::Text, json!({"htmlValue":"<p>a <b>b</b><br><img src=x onerror=1><a href=\"/x\">l</a></p>"})),
            (AttrType::Text, json!({"mdValue":"# T\n\n*a*  \nb ![i](https://e.com/i.png)\n\n|a|\n|-|\n|1|\n\n---"})),
            (AttrType::Text, json!({"mdValue":"x","htmlValue":"<p>y</p>","params":{"editorMode":"markdown"}})),
            (AttrType::Text, json!({"plainValue":"<b>\u{a0}&amp;\n\n'q'"})),
            (AttrType::Text, json!({"htmlValue":format!("{}x", "<div>".repeat(300))})),
            (AttrType::TextWithHeader, json!({"header":" h\n<i>","htmlValue":"<table><td>1<td>2</table>"})),
        ];
        for (kind, value) in cases {
            let first = ok(kind, value).stored;
            assert_eq!(ok(kind, first.to_value()).stored, first);
        }
    }

    proptest::proptest! {
        /// Any HTML-ish soup: no panic, nothing executable stored, and re-sending is stable.
        #[test]
        fn soup_is_inert_and_stable(
            html in "([<>/\"'= &#;:x]|p|a|b|br|img|div|td|table|on|src|href|javascript|script|svg){0,40}"
        ) {
            let p = ok(AttrType::Text, json!({ "htmlValue": html }));
            let stored = html_of(&p).to_ascii_lowercase();
            for tag in stored.split('<').skip(1).filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic())) {
                let tag = tag.split('>').next().unwrap_or_default();
                let bad = tag.contains("script") || tag.contains(" on") || tag.contains("svg");
                proptest::prop_assert!(!bad, "{}", tag);
            }
            proptest::prop_assert_eq!(&ok(AttrType::Text, p.stored.to_value()).stored, &p.stored);
        }
    }
}
