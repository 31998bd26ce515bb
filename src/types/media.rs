//! `image`, `groupOfImages` and `file`: uploaded-file descriptors.
//!
//! A file is described as OneEntry's upload API returns it: `{filename, downloadLink, size}`,
//! plus `previewLink` and `params` for images. Shapes accepted and stored (SPEC §3, §5):
//!
//! | type | accepted | stored |
//! |---|---|---|
//! | `image` | one object, or a one-element array of it | one object |
//! | `groupOfImages` | an array of objects, or a lone object | an array |
//! | `file` | one object, or an array of them | an object when one, an array when several (`[]` stays `[]`) |
//!
//! Checks, each reported at the pointer of the offending member:
//! - `filename` (`file-name`): a non-empty relative path with `/` separators; no `..` segment,
//!   no leading `/`, no backslash, no control character, no drive letter (`C:`), and it must
//!   name a file (not end in `/` or `/.`). It is a path, not a URL: `%2e%2e` is a literal name.
//! - `downloadLink` (`file-link`): an absolute `http`/`https` URL with a host (the scheme is
//!   case-insensitive), without control characters or surrounding spaces.
//! - `previewLink` (images, `file-link`): `""`, absent or `null` (all stored as `""`), else as
//!   `downloadLink`.
//! - `size` (`file-size`): a whole number `>= 0` (a JSON integer, a whole float such as `1e3`
//!   up to 2^53, or a string of ASCII digits), stored as a JSON integer.
//! - a member of the wrong JSON type, or a missing `filename`/`downloadLink`/`size`, is an
//!   `invalid-value` at the member's pointer.
//!
//! Unknown members are dropped; of `params` only the boolean `isImageCompressed` is kept.

use std::borrow::Cow;

use crate::json::write::{ArrayWriter, ObjectWriter};
use crate::json::{self, Json, EXACT_FLOAT_INTEGERS};
use crate::link;
use crate::record::{StoredValue, ValueSize};

use super::{AttrType, CheckedValue, Cx, FileMeta, Measure};
use crate::error::ViolationKind;
use crate::pointer::Pointer;

/// What the three types expect, for `invalid-value` messages.
const EXPECT_IMAGE: &str =
    "one image object {filename, downloadLink, size, previewLink, params} or a one-element array of it";
/// The shape of a `groupOfImages` value.
const EXPECT_GROUP: &str = "an array of image objects {filename, downloadLink, size, previewLink, params}";
/// The shape of a `file` value.
const EXPECT_FILE: &str = "a file object {filename, downloadLink, size} or an array of them";
/// The shape of one element of an image value.
const EXPECT_IMAGE_OBJECT: &str = "an image object {filename, downloadLink, size, previewLink, params}";
/// The shape of one element of a file value.
const EXPECT_FILE_OBJECT: &str = "a file object {filename, downloadLink, size}";

/// Checks an `image`, `groupOfImages` or `file` value and returns its canonical stored form
/// with a [`Measure::Files`] listing every file. Reports every problem of every file.
pub(crate) fn check<'a>(kind: AttrType, value: &Json<'a>, path: &Pointer, cx: &mut Cx<'_>) -> Option<CheckedValue<'a>> {
    let image = matches!(kind, AttrType::Image | AttrType::GroupOfImages);
    // The file objects, each with its pointer.
    let items: Vec<(Pointer, &Json<'_>)> = match (kind, value) {
        (AttrType::Image, Json::Object(_)) => vec![(path.clone(), value)],
        (AttrType::Image, Json::Array(a)) if a.len() == 1 => vec![(path.child(0), &a[0])],
        (AttrType::Image, _) => {
            cx.report(path.clone(), ViolationKind::InvalidValue { expected: EXPECT_IMAGE });
            return None;
        }
        (_, Json::Object(_)) => vec![(path.clone(), value)],
        (_, Json::Array(a)) => a.iter().enumerate().map(|(i, v)| (path.child(i), v)).collect(),
        _ => {
            let expected = if image { EXPECT_GROUP } else { EXPECT_FILE };
            cx.report(path.clone(), ViolationKind::InvalidValue { expected });
            return None;
        }
    };

    // An image is one object, a group an array, a file one object when there is one.
    let array = match kind {
        AttrType::Image => false,
        AttrType::GroupOfImages => true,
        _ => items.len() != 1,
    };
    // A file with a problem writes nothing, and then none of the text is kept.
    let before = cx.report.len();
    let mut stored = ValueSize::files(items.len()).buffer();
    let mut metas = Vec::with_capacity(items.len());
    if array {
        let mut list = ArrayWriter::new(&mut stored);
        for (ptr, item) in items {
            metas.extend(one_file(image, item, ptr, list.item(), cx));
        }
        list.end();
    } else {
        for (ptr, item) in items {
            metas.extend(one_file(image, item, ptr, &mut stored, cx));
        }
    }
    if cx.report.len() != before {
        return None;
    }
    Some(CheckedValue { stored: StoredValue::from_json_text(stored), measure: Measure::Files(metas) })
}

/// Checks one file object at `ptr`; writes its stored object to `out` and returns what the
/// file rules need. Writes nothing when it reports a problem.
fn one_file<'a>(image: bool, item: &Json<'a>, ptr: Pointer, out: &mut String, cx: &mut Cx<'_>) -> Option<FileMeta<'a>> {
    let Json::Object(obj) = item else {
        let expected = if image { EXPECT_IMAGE_OBJECT } else { EXPECT_FILE_OBJECT };
        cx.report(ptr, ViolationKind::InvalidValue { expected });
        return None;
    };
    let before = cx.report.len();

    let filename = match obj.get("filename") {
        Some(Json::String(s)) => {
            if !is_safe_filename(s) {
                cx.report(ptr.child("filename"), ViolationKind::FileName(s.to_string()));
            }
            Some(s)
        }
        _ => {
            cx.report(ptr.child("filename"), ViolationKind::InvalidValue { expected: "a string filename" });
            None
        }
    };

    let link = obj.get("downloadLink").and_then(Json::as_str);
    let host = match obj.get("downloadLink") {
        Some(Json::String(s)) => {
            let host = http_host(s);
            if host.is_none() {
                cx.report(ptr.child("downloadLink"), ViolationKind::FileLink(s.to_string()));
            }
            host
        }
        _ => {
            cx.report(ptr.child("downloadLink"), ViolationKind::InvalidValue { expected: "a string downloadLink" });
            None
        }
    };

    let size = match obj.get("size") {
        None | Some(Json::Null) => {
            cx.report(ptr.child("size"), ViolationKind::InvalidValue { expected: "a size in bytes" });
            None
        }
        Some(v @ (Json::Number(_) | Json::String(_))) => {
            let size = parse_size(v);
            if size.is_none() {
                cx.report(ptr.child("size"), ViolationKind::FileSize);
            }
            size
        }
        Some(_) => {
            cx.report(ptr.child("size"), ViolationKind::InvalidValue { expected: "a size in bytes (a number)" });
            None
        }
    };

    let mut preview = "";
    let mut params = None;
    if image {
        match obj.get("previewLink") {
            None | Some(Json::Null) => {}
            Some(Json::String("")) => {}
            Some(Json::String(s)) => {
                if http_host(s).is_none() {
                    cx.report(ptr.child("previewLink"), ViolationKind::FileLink(s.to_string()));
                }
                preview = s;
            }
            Some(_) => {
                cx.report(ptr.child("previewLink"), ViolationKind::InvalidValue { expected: "a string previewLink" });
            }
        }
        match obj.get("params") {
            None | Some(Json::Null) => {}
            Some(Json::Object(p)) => {
                let mut kept = None;
                match p.get("isImageCompressed") {
                    None | Some(Json::Null) => {}
                    Some(Json::Bool(b)) => kept = Some(*b),
                    Some(_) => cx.report(
                        ptr.child("params").child("isImageCompressed"),
                        ViolationKind::InvalidValue { expected: "a boolean" },
                    ),
                }
                params = Some(kept);
            }
            Some(_) => cx.report(ptr.child("params"), ViolationKind::InvalidValue { expected: "an object" }),
        }
    }

    if cx.report.len() != before {
        return None;
    }
    let (filename, link, host, size) = (filename?, link?, host?, size?);
    let mut obj = ObjectWriter::new(out);
    obj.str("filename", filename).str("downloadLink", link);
    json::write::unsigned(obj.field("size"), size);
    if image {
        obj.str("previewLink", preview);
        if let Some(compressed) = params {
            let mut kept = ObjectWriter::new(obj.field("params"));
            if let Some(b) = compressed {
                kept.raw("isImageCompressed", if b { "true" } else { "false" });
            }
            kept.end();
        }
    }
    obj.end();
    Some(FileMeta { path: ptr, filename, size, host })
}

/// True for a non-empty relative path that cannot climb out of its directory or name a
/// device: no `..` segment, no leading `/`, no `\`, no control character, no `X:` drive
/// prefix, and a last segment that names a file (not empty, not `.`).
fn is_safe_filename(name: &str) -> bool {
    let b = name.as_bytes();
    if b.is_empty() || b[0] == b'/' || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':') {
        return false;
    }
    // One pass over the bytes: backslashes, ASCII controls, and each segment at its `/`.
    let mut segment_start = 0;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\\' | 0..=0x1f | 0x7f => return false,
            b'/' => {
                if &b[segment_start..i] == b".." {
                    return false;
                }
                segment_start = i + 1;
            }
            _ => {}
        }
    }
    let last = &b[segment_start..];
    // C1 controls (U+0080..U+009F) are the only non-ASCII control characters.
    !(last.is_empty() || last == b"." || last == b".." || (!name.is_ascii() && name.chars().any(char::is_control)))
}

/// The lower-cased host of an absolute `http`/`https` URL (borrowed from `link` when it is
/// lower-case already), or `None` when `link` is not one.
fn http_host(link: &str) -> Option<Cow<'_, str>> {
    // The common case in one byte pass: printable ASCII, no trailing space (a plain link
    // starts with `http`, so it has no leading one), and a plain host.
    if link.bytes().all(|b| (0x20..0x7f).contains(&b)) && !link.ends_with(' ') {
        if let Some(host) = link::plain_http_host(link) {
            return Some(match host.bytes().any(|b| b.is_ascii_uppercase()) {
                true => Cow::Owned(host.to_ascii_lowercase()),
                false => Cow::Borrowed(host),
            });
        }
    }
    if link.trim() != link || link.chars().any(char::is_control) {
        return None;
    }
    let url = url::Url::parse(link).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    match url.host_str() {
        Some(h) if !h.is_empty() => Some(Cow::Owned(h.to_ascii_lowercase())),
        _ => None,
    }
}

/// A size in bytes: a JSON integer `>= 0`, a whole non-negative float up to 2^53, or a
/// non-empty string of ASCII digits that fits a `u64`.
fn parse_size(v: &Json<'_>) -> Option<u64> {
    match v {
        Json::Number(n) => {
            if let Some(u) = n.as_u64() {
                return Some(u);
            }
            if n.is_i64() {
                return None; // negative
            }
            let f = n.as_f64()?;
            (f.is_finite() && f.fract() == 0.0 && (0.0..=EXACT_FLOAT_INTEGERS).contains(&f)).then_some(f as u64)
        }
        Json::String(s) if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Violation;
    use serde_json::json;
    use serde_json::Value;

    const LINK: &str =
        "http://my-site.com/cloud-static/files/project/page/10/image/Screenshot-from-2024-05-02-15-23-14.png";
    const NAME: &str = "files/project/page/10/image/Screenshot-from-2024-05-02-15-23-14.png";

    fn run(kind: AttrType, v: Value) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        let v: &'static Value = crate::json::test_keep(Box::new(v)); // what a file measure borrows
        crate::types::testing::run("m", |p, cx| check(kind, &Json::from(v), p, cx))
    }

    fn stored(kind: AttrType, v: Value) -> Value {
        let (p, errs) = run(kind, v);
        assert!(errs.is_empty(), "{errs:?}");
        p.unwrap().stored.to_value()
    }

    /// The (path, rule) pairs reported.
    fn errs(kind: AttrType, v: Value) -> Vec<(String, &'static str)> {
        run(kind, v).1.iter().map(|e| (e.path.to_string(), e.rule())).collect()
    }

    fn img() -> Value {
        json!({"filename": NAME, "downloadLink": LINK, "size": 392585, "previewLink": "",
               "params": {"isImageCompressed": true}})
    }

    fn file(name: &str) -> Value {
        json!({"filename": name, "downloadLink": "https://cdn.example.com/x", "size": 10})
    }

    #[test]
    fn seed_image_is_stored_as_one_object() {
        let s = stored(AttrType::Image, json!([img()]));
        assert_eq!(s, img());
        let keys: Vec<_> = s.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["filename", "downloadLink", "size", "previewLink", "params"]);
        assert_eq!(stored(AttrType::Image, img()), img());
    }

    #[test]
    fn image_measure_names_the_file() {
        let (p, _) = run(AttrType::Image, json!([img()]));
        let Measure::Files(f) = p.unwrap().measure else { panic!("not files") };
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path.as_str(), "/value/0");
        assert_eq!(f[0].filename, NAME);
        assert_eq!(f[0].size, 392585);
        assert_eq!(f[0].host, "my-site.com");
    }

    #[test]
    fn image_array_must_have_one_element() {
        assert_eq!(errs(AttrType::Image, json!([])), [("/value".into(), "invalid-value")]);
        assert_eq!(errs(AttrType::Image, json!([img(), img()])), [("/value".into(), "invalid-value")]);
        assert_eq!(errs(AttrType::Image, json!("http://x/y.png")), [("/value".into(), "invalid-value")]);
        assert_eq!(errs(AttrType::Image, json!([5])), [("/value/0".into(), "invalid-value")]);
    }

    #[test]
    fn image_defaults_and_dropped_keys() {
        let s = stored(
            AttrType::Image,
            json!({"filename": "a.png", "downloadLink": "https://h/a.png", "size": "12", "extra": 1,
                   "params": {"isImageCompressed": false, "editorMode": "html"}}),
        );
        assert_eq!(
            s,
            json!({"filename": "a.png", "downloadLink": "https://h/a.png", "size": 12, "previewLink": "",
                   "params": {"isImageCompressed": false}})
        );
        // params only when sent; null previewLink is "".
        let s = stored(
            AttrType::Image,
            json!({"filename": "a.png", "downloadLink": "https://h/a", "size": 1, "previewLink": null}),
        );
        assert_eq!(s, json!({"filename": "a.png", "downloadLink": "https://h/a", "size": 1, "previewLink": ""}));
        let s = stored(
            AttrType::Image,
            json!({"filename": "a.png", "downloadLink": "https://h/a", "size": 1, "params": {}}),
        );
        assert_eq!(s["params"], json!({}));
        let s = stored(
            AttrType::Image,
            json!({"filename": "a.png", "downloadLink": "https://h/a", "size": 1,
                                              "previewLink": "https://h/p.png"}),
        );
        assert_eq!(s["previewLink"], "https://h/p.png");
    }

    #[test]
    fn image_member_errors() {
        let v = json!({"filename": "a.png", "downloadLink": "https://h/a", "size": 1,
                       "previewLink": "javascript:alert(1)", "params": {"isImageCompressed": "yes"}});
        assert_eq!(
            errs(AttrType::Image, v),
            [("/value/previewLink".into(), "file-link"), ("/value/params/isImageCompressed".into(), "invalid-value")]
        );
        let v = json!({"filename": "a.png", "downloadLink": "https://h/a", "size": 1, "previewLink": 3, "params": []});
        assert_eq!(
            errs(AttrType::Image, v),
            [("/value/previewLink".into(), "invalid-value"), ("/value/params".into(), "invalid-value")]
        );
    }

    #[test]
    fn group_of_images() {
        assert_eq!(stored(AttrType::GroupOfImages, json!([img(), img()])), json!([img(), img()]));
        assert_eq!(stored(AttrType::GroupOfImages, img()), json!([img()]));
        let (p, _) = run(AttrType::GroupOfImages, json!([]));
        let p = p.unwrap();
        assert_eq!(p.stored, json!([]));
        assert!(p.is_empty());
        assert_eq!(errs(AttrType::GroupOfImages, json!("x")), [("/value".into(), "invalid-value")]);
        let mut bad = img();
        bad["size"] = json!(-1);
        assert_eq!(
            errs(AttrType::GroupOfImages, json!([img(), bad, null])),
            [("/value/1/size".into(), "file-size"), ("/value/2".into(), "invalid-value")]
        );
    }

    #[test]
    fn seed_file_and_its_shapes() {
        let seed = json!([{"filename": NAME, "downloadLink": LINK, "size": 392585}]);
        assert_eq!(stored(AttrType::File, seed.clone()), seed[0]);
        assert_eq!(stored(AttrType::File, seed[0].clone()), seed[0]);
        let two = json!([file("a.txt"), file("b.txt")]);
        assert_eq!(stored(AttrType::File, two.clone()), two);
        assert_eq!(stored(AttrType::File, json!([])), json!([]));
        // Image-only members are dropped from a file.
        let s = stored(
            AttrType::File,
            json!({"filename": "a", "downloadLink": "http://h/a", "size": 0,
                                              "previewLink": "nope", "params": {"isImageCompressed": true}}),
        );
        assert_eq!(s, json!({"filename": "a", "downloadLink": "http://h/a", "size": 0}));
        let (p, _) = run(AttrType::File, two);
        let Measure::Files(f) = p.unwrap().measure else { panic!("not files") };
        assert_eq!(f.iter().map(|m| m.path.to_string()).collect::<Vec<_>>(), ["/value/0", "/value/1"]);
        assert_eq!(errs(AttrType::File, json!(12)), [("/value".into(), "invalid-value")]);
    }

    #[test]
    fn filenames() {
        for ok in
            ["a", "a.txt", "dir/a.txt", "./x", "a//b", "%2e%2e", "a/%2e%2e/b", "...", "a..b", "Ünïcode.png", ".hidden"]
        {
            assert!(is_safe_filename(ok), "{ok} should be accepted");
        }
        for bad in [
            "",
            "..",
            "../x",
            "a/../b",
            "a/..",
            "/etc/passwd",
            "\\x",
            "a\\b",
            "C:x",
            "c:/x",
            "a\0b",
            "a\nb",
            "a\u{7f}",
            "dir/",
            "a/.",
            ".",
        ] {
            assert!(!is_safe_filename(bad), "{bad:?} should be refused");
        }
        assert_eq!(errs(AttrType::File, file("a/../b")), [("/value/filename".into(), "file-name")]);
        assert!(!is_safe_filename("a\u{85}b") && !is_safe_filename("é/\u{9f}"), "C1 controls are refused");
    }

    /// The rules of [`is_safe_filename`], written plainly: the one-pass version must agree.
    fn safe_filename_by_the_rules(name: &str) -> bool {
        !(name.is_empty()
            || name.starts_with('/')
            || name.contains('\\')
            || name.chars().any(char::is_control)
            || (name.len() >= 2 && name.as_bytes()[0].is_ascii_alphabetic() && name.as_bytes()[1] == b':')
            || name.split('/').any(|seg| seg == "..")
            || matches!(name.rsplit('/').next(), Some("" | ".")))
    }

    proptest::proptest! {
        #[test]
        fn filename_check_agrees_with_its_rules(name in "[a./\\\\:\\x00\\x7f\\u{85}é]{0,8}") {
            proptest::prop_assert_eq!(is_safe_filename(&name), safe_filename_by_the_rules(&name), "{:?}", name);
        }
    }

    #[test]
    fn links() {
        assert_eq!(http_host("HTTP://My-Site.COM/x").as_deref(), Some("my-site.com"));
        assert_eq!(http_host("https://[::1]:8080/x").as_deref(), Some("[::1]"));
        assert_eq!(http_host("https://user@h.example/x").as_deref(), Some("h.example"));
        for bad in [
            "ftp://h/x",
            "javascript:alert(1)",
            "data:text/plain,x",
            "//h/x",
            "/x",
            "h/x",
            "http://",
            "https:",
            " http://h/x",
            "http://h/x\n",
            "file:///etc/passwd",
            "mailto:a@b.c",
            "",
        ] {
            assert_eq!(http_host(bad), None, "{bad:?} should be refused");
        }
        let v = json!({"filename": "a", "downloadLink": "ftp://h/a", "size": 1});
        assert_eq!(errs(AttrType::File, v), [("/value/downloadLink".into(), "file-link")]);
    }

    #[test]
    fn sizes() {
        for (v, want) in [
            (json!(0), Some(0)),
            (json!(392585), Some(392585)),
            (json!(u64::MAX), Some(u64::MAX)),
            (json!(1e3), Some(1000)),
            (json!(-0.0), Some(0)),
            (json!("123"), Some(123)),
            (json!("007"), Some(7)),
            (json!(-1), None),
            (json!(1.5), None),
            (json!(1e300), None),
            (json!(18446744073709551616.0), None),
            (json!("-1"), None),
            (json!("1.5"), None),
            (json!(" 1"), None),
            (json!(""), None),
            (json!("99999999999999999999999"), None),
        ] {
            assert_eq!(parse_size(&Json::from(&v)), want, "{v}");
        }
        let mut f = file("a");
        f["size"] = json!(1.5);
        assert_eq!(errs(AttrType::File, f.clone()), [("/value/size".into(), "file-size")]);
        f["size"] = json!(true);
        assert_eq!(errs(AttrType::File, f), [("/value/size".into(), "invalid-value")]);
        assert_eq!(
            stored(AttrType::File, json!({"filename": "a", "downloadLink": "http://h/a", "size": 1e3}))["size"],
            json!(1000)
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let v = json!([{"filename": "/abs", "downloadLink": "ftp://x", "size": -1}, {}, file("ok")]);
        assert_eq!(
            errs(AttrType::File, v),
            [
                ("/value/0/filename".into(), "file-name"),
                ("/value/0/downloadLink".into(), "file-link"),
                ("/value/0/size".into(), "file-size"),
                ("/value/1/filename".into(), "invalid-value"),
                ("/value/1/downloadLink".into(), "invalid-value"),
                ("/value/1/size".into(), "invalid-value"),
            ]
        );
    }

    #[test]
    fn never_panics_on_odd_values() {
        for v in [json!(null), json!(true), json!({}), json!([[]]), json!([{"filename": null}]), json!({"size": {}})] {
            for k in [AttrType::Image, AttrType::GroupOfImages, AttrType::File] {
                let _ = run(k, v.clone());
            }
        }
    }

    #[test]
    fn link_hosts_are_read_as_the_url_parser_reads_them() {
        for link in crate::link::SAMPLE_LINKS {
            assert_eq!(
                http_host(link).map(Cow::into_owned),
                crate::link::host_by_url_parser(link).filter(|h| !h.is_empty()),
                "{link}"
            );
        }
    }
}
