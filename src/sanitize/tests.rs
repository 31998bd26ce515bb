//! Unit tests of the sanitizer's building blocks (allow-list, URL checks, tokenizer, depth guard).

use super::*;

/// The `rel` attribute ammonia puts on links.
const REL: &str = "rel=\"noopener noreferrer nofollow\"";

/// Asserts that no tag of `html` is executable or carries a handler, style or bad URL.
fn assert_inert(html: &str) {
    for tag in html.split('<').skip(1).filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic())) {
        let tag = tag.split('>').next().unwrap_or_default().to_ascii_lowercase();
        for bad in ["script", "svg", "iframe", "object", "embed", " on", "data:", "style=", "class="] {
            assert!(!tag.contains(bad), "{bad:?} survived in <{tag}> of {html:?}");
        }
    }
}

#[test]
fn allow_list_is_kept_and_the_seed_unchanged() {
    fn shareable<T: Send + Sync + std::fmt::Debug + Default>() {}
    shareable::<Sanitizer>();
    let html = "<h2>T</h2><p><b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <s>x</s> <del>d</del> \
                <code>c</code><span>sp</span><br></p><blockquote>q</blockquote><pre>p</pre>\
                <ul><li>1</li></ul><ol start=\"3\"><li>2</li></ol><hr>\
                <table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>";
    let s = Sanitizer::default();
    assert_eq!(s.clean_html(html), html);
    assert_eq!(s.clean_html("<p>Это я</p>"), "<p>Это я</p>");
}

#[test]
fn scripts_handlers_and_embedded_content_are_removed() {
    let s = Sanitizer::new();
    for (html, want) in [
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
        ("<svg onload=alert(1)><circle/></svg>ok", "ok"),
        ("<iframe src=\"https://evil\">x</iframe>ok", "ok"),
        ("<p style=\"color:red\" class=\"c\" id=\"i\" onclick=\"x()\">t</p>", "<p>t</p>"),
        ("<style>p{}</style><object data=x></object><embed src=x>t", "t"),
        ("<div><form action=x><input value=1></form></div>", ""),
        ("<!-- c --><p>t</p>", "<p>t</p>"),
        ("<math><mi xlink:href=\"javascript:1\">x</mi></math>t", "t"),
    ] {
        assert_eq!(s.clean_html(html), want, "{html}");
    }
    for html in [
        "<svg><script>alert(1)</script></svg>",
        "<svg/onload=alert(1)>",
        "<body onload=alert(1)>",
        "<<script>script>alert(1)<</script>/script>",
        "<scr<script>ipt>alert(1)</script>",
        "<details open ontoggle=alert(1)>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<table><td background=\"javascript:alert(1)\">",
        "<base href=\"javascript:/\"><a href=\"x\">x</a>",
        "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
        "<textarea><script>alert(1)</script></textarea>",
        "<title><script>alert(1)</script></title>",
    ] {
        assert_inert(&s.clean_html(html));
    }
}

#[test]
fn only_http_https_mailto_and_relative_urls_survive() {
    let s = Sanitizer::new();
    for href in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java&#x09;script:alert(1)",
        "&#106;avascript:alert(1)",
        "javascript&colon;alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DATA:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
    ] {
        let out = s.clean_html(&format!("<a href=\"{href}\">x</a><img src=\"{href}\">"));
        assert_eq!(out, format!("<a {REL}>x</a><img>"), "{href}");
    }
    let out = s.clean_html("<a href=\"https://e.com/?a=1&amp;b=2\" title=\"t\" target=\"_blank\">x</a>");
    assert_eq!(out, format!("<a href=\"https://e.com/?a=1&amp;b=2\" title=\"t\" {REL}>x</a>"));
    assert!(s.clean_html("<a href=\"mailto:a@b.c\">m</a>").contains("href=\"mailto:a@b.c\""));
    assert!(s.clean_html("<a href=\"/rel/path\">r</a>").contains("href=\"/rel/path\""));
    let img = s.clean_html("<img src=\"http://e.com/a.png\" alt=\"a\" width=\"9\">");
    assert_eq!(img, "<img src=\"http://e.com/a.png\" alt=\"a\">");
    for ok in ["https://a", "HTTP://a", "mailto:x@y", "/a:b", "a/b:c", "?q=a:b", "#x", "", "a b:c", "1abc:x"] {
        assert!(url_allowed(ok), "{ok}");
    }
    for bad in ["javascript:1", "\u{1}javascript:1", "jav\tascript:1", "data:x", "x-y.z+w:1", "ftp://a"] {
        assert!(!url_allowed(bad), "{bad}");
    }
}

#[test]
fn markdown_renders_safely() {
    let s = Sanitizer::new();
    for (md, want) in [
        ("*Это я*", "<p><em>Это я</em></p>\n"),
        ("[x](https://e.com \"t\")", "<p><a href=\"https://e.com\" title=\"t\">x</a></p>\n"),
        ("[x](/rel)", "<p><a href=\"/rel\">x</a></p>\n"),
        ("<a@b.co>", "<p><a href=\"mailto:a@b.co\">a@b.co</a></p>\n"),
        ("[x](javascript:alert(1))", "<p>x</p>\n"),
        ("[x](JaVaScRiPt:alert(1))", "<p>x</p>\n"),
        ("[x](javascript&colon;alert(1))", "<p>x</p>\n"),
        ("[x][r]\n\n[r]: javascript:alert(1)", "<p>x</p>\n"),
        ("<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n"),
        ("![alt *t*](data:image/svg+xml;base64,PHN2Zz4=)", "<p>alt <em>t</em></p>\n"),
        ("[![i](data:x)](javascript:y) after", "<p>i after</p>\n"),
        ("[![i](https://e.com/i.png)](javascript:y)", "<p><img src=\"https://e.com/i.png\" alt=\"i\" /></p>\n"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ("hi <img src=x onerror=1> <b>b</b>", "<p>hi &lt;img src=x onerror=1&gt; &lt;b&gt;b&lt;/b&gt;</p>\n"),
    ] {
        assert_eq!(s.render_markdown(md), want, "{md}");
    }
    assert!(s.render_markdown("~~x~~").contains("<del>x</del>"));
    assert!(s.render_markdown("|a|b|\n|-|-|\n|1|2|\n").contains("<td>2</td>"));
    let kept = s.render_markdown("![![in](javascript:z)](https://e.com/i.png)");
    assert!(kept.contains("src=\"https://e.com/i.png\""), "{kept}");
    assert_inert(&kept);
    for md in ["<div onclick=x>\n\n*a*\n\n</div>", "<!-- c -->", "<svg onload=1>", "x <iframe src=javascript:1>"] {
        assert_inert(&s.render_markdown(md));
    }
}

#[test]
fn escape_plain_builds_paragraphs_that_clean_html_keeps() {
    let s = Sanitizer::new();
    for (plain, want) in [
        ("<b>hi</b> & \"you\"", "<p>&lt;b&gt;hi&lt;/b&gt; &amp; \"you\"</p>"),
        ("a\nb\r\n\r\n\n  \nc\rd", "<p>a<br>b</p><p>c<br>d</p>"),
        ("", ""),
        ("\n \n", ""),
        ("a\u{0}\u{7}\u{9c}b\u{a0}c\td", "<p>ab&nbsp;c\td</p>"),
    ] {
        let out = s.escape_plain(plain);
        assert_eq!(out, want, "{plain:?}");
        assert_eq!(s.clean_html(&out), out, "fixed point of clean_html");
    }
}

#[test]
fn plain_text_of_html() {
    let s = Sanitizer::new();
    for (html, want) in [
        ("<p>Hi</p>", "Hi"),
        ("<p>a</p><p>b</p>", "a\nb"),
        ("<p>Это <b>я</b></p>", "Это я"),
        ("<p>  a \n\t b  </p>\n\n<div> c</div>", "a b\nc"),
        ("a<br>b<br/><br>c", "a\nb\n\nc"),
        ("<ul><li>1</li><li>2</li></ul>", "1\n2"),
        ("<h1>T</h1>text<blockquote>q</blockquote>", "T\ntext\nq"),
        ("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>", "a b\n1 2"),
        (
            "&lt;b&gt; &amp;amp; &quot;&#65;&#x42;&nbsp;&unknown; &#0; &#xD800; & x",
            "<b> &amp; \"AB &unknown; &#0; \u{fffd} & x",
        ),
        ("<pre><code>fn x() {\n    y\n}\n</code></pre><p>z</p>", "fn x() {\ny\n}\nz"),
        ("<a href=\"x>y\" title='>'>link</a> <img alt=\"ignored\">", "link"),
        ("<!-- <p>no</p> --><p>yes</p><!doctype html><?pi?>", "yes"),
        ("<script>if (a<b) x()</script><style>p{}</style>t", "t"),
        ("<SCRIPT>x</sCrIpT >T", "T"),
        ("1 < 2 <3 <<<", "1 < 2 <3 <<<"),
        ("<p></p><p> </p>", ""),
        ("<p>unterminated <b title=\"x", "unterminated"),
        ("<p>a</p><!-- unterminated", "a"),
        ("x<script>never closed", "x"),
        ("a\u{1}b", "ab"),
    ] {
        assert_eq!(s.html_to_plain(html), want, "{html:?}");
    }
    let html = s.clean_html(&s.render_markdown("# Title\n\nSome *emph* and `code`.\n\n- one\n- two\n"));
    assert_eq!(s.html_to_plain(&html), "Title\nSome emph and code.\none\ntwo");
}

#[test]
fn too_deep_html_is_flattened_to_escaped_text() {
    assert_eq!(nesting_depth("<div><p>a<p>b<ul><li>1<li>2</ul></div><br><img>"), 2);
    assert_eq!(nesting_depth("</div></div><div><b>x</b>"), 2);
    assert_eq!(nesting_depth(&"<p>".repeat(5000)), 0);
    assert_eq!(nesting_depth("<script><div><div></script>"), 1);
    let s = Sanitizer::new();
    let n = Sanitizer::MAX_DEPTH;
    let at_limit = format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n));
    assert_eq!(s.clean_html(&at_limit), "x");
    let tail = "<p>a &amp; <b>b</b></p><p>c<script>alert(1)</script></p><img src=x onerror=alert(1)>&lt;i&gt;";
    let html = format!("{}{tail}", "<div>".repeat(n + 1));
    assert_eq!(s.clean_html(&html), "<p>a &amp; b<br>c<br>&lt;i&gt;</p>");
}

#[test]
fn hostile_sizes_do_not_panic_or_go_quadratic() {
    let s = Sanitizer::new();
    let start = std::time::Instant::now();
    for unit in ["<", "<div>", "<b>", "<a href='", "<!--", "&#", "</", "<script>", "<td>", "<p", "<b><i></b></i>"] {
        // Our own passes on 256 KiB; ammonia (slow in debug builds) on 16 KiB.
        let big = unit.repeat((256 << 10) / unit.len());
        let _ = (s.html_to_plain(&big), s.escape_plain(&big), nesting_depth(&big));
        let html = s.clean_html(&big[..16 << 10]);
        let _ = s.html_to_plain(&html);
    }
    for unit in ["> ", "[", "*a", "![", "[a](b) ", "<b>x</b>"] {
        let html = s.render_markdown(&unit.repeat((16 << 10) / unit.len()));
        let _ = s.html_to_plain(&s.clean_html(&html));
    }
    assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
}

/// `always_visible_width` vouches only for characters that really are neither whitespace nor
/// control: checked over every code point.
#[test]
fn lead_bytes_vouch_only_for_visible_characters() {
    for c in (0x80..=0x10_FFFFu32).filter_map(char::from_u32) {
        let mut utf8 = [0; 4];
        let bytes = c.encode_utf8(&mut utf8).as_bytes();
        match super::scan::always_visible_width(bytes[0]) {
            0 => {}
            width => {
                assert_eq!(width, bytes.len(), "{c:?}");
                assert!(!c.is_whitespace() && !c.is_control(), "{c:?}");
            }
        }
    }
}
