//! The host of a plain `http(s)` link, read without the URL parser.
//!
//! Links in bodies (file and image `downloadLink`s, markdown link targets) are nearly always
//! of one simple shape. [`plain_http_host`] recognises that shape and answers its host, which
//! the `url` crate would answer too (tests hold the two together); for anything else it
//! answers `None`, and the caller asks the parser.

/// The host of `link` as written, if `link` is `http://` or `https://`, then a host of
/// dot-separated ASCII labels (letters, digits, inner hyphens; the last label starting with a
/// letter, so never an IPv4 address; no punycode), then nothing or `/`, `?` or `#`. Such a link
/// always parses, with this host lower-cased.
pub(crate) fn plain_http_host(link: &str) -> Option<&str> {
    let rest = link.strip_prefix("https://").or_else(|| link.strip_prefix("http://"))?;
    let b = rest.as_bytes();
    // One pass over the host; each label is checked when its `.` (or the host's end) comes.
    let label_ok = |label: &[u8]| match (label.first(), label.last()) {
        (Some(&first), Some(&last)) => {
            first != b'-' && last != b'-' && !(label.len() >= 4 && label[..4].eq_ignore_ascii_case(b"xn--"))
        }
        _ => false,
    };
    let mut start = 0;
    let mut end = b.len();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => {}
            b'.' => {
                if !label_ok(&b[start..i]) {
                    return None;
                }
                start = i + 1;
            }
            b'/' | b'?' | b'#' => {
                end = i;
                break;
            }
            _ => return None,
        }
    }
    let last = &b[start..end];
    (label_ok(last) && last[0].is_ascii_alphabetic()).then(|| rest.get(..end)).flatten()
}

/// Links on both sides of every rule of [`plain_http_host`], for tests here and in the file
/// checker.
#[cfg(test)]
pub(crate) const SAMPLE_LINKS: [&str; 19] = [
    "https://cdn.example.com/a/b.png",
    "http://EXAMPLE.com",
    "https://a-b.c0.io?x=1",
    "https://a.b.c#frag",
    "https://localhost/",
    "https://x.y/a b",
    "https://1.2.3.4/",
    "https://a.0x10/",
    "https://a..b/",
    "https://-a.b/",
    "https://xn--nxasmq6b.com/",
    "https://user@a.b/",
    "https://a.b:8080/",
    "https://a.b\\c/",
    "https:///a.b/",
    "https://a.b./",
    "HTTPS://a.b/",
    "https://",
    "https://é.com/",
];

/// The host the URL parser reads in an http(s) link, lower-cased: the reference.
#[cfg(test)]
pub(crate) fn host_by_url_parser(link: &str) -> Option<String> {
    let url = url::Url::parse(link).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.host_str().map(str::to_ascii_lowercase)).flatten()
}

#[cfg(test)]
mod tests {
    use super::{host_by_url_parser as by_parser, plain_http_host, SAMPLE_LINKS};

    #[test]
    fn plain_hosts_agree_with_the_url_parser() {
        for link in SAMPLE_LINKS {
            if let Some(fast) = plain_http_host(link) {
                assert_eq!(Some(fast.to_ascii_lowercase()), by_parser(link), "{link}");
            }
        }
        assert_eq!(plain_http_host("https://CDN.example.com/x"), Some("CDN.example.com"));
    }

    proptest::proptest! {
        #[test]
        fn plain_hosts_agree_with_the_url_parser_on_any_link(link in "https?://[a-zA-Z0-9.:@%\\-]{0,12}[/?#]?[a-z ]{0,3}") {
            if let Some(fast) = plain_http_host(&link) {
                let url = url::Url::parse(&link).expect("a link with a plain host parses");
                proptest::prop_assert_eq!(Some(fast.to_ascii_lowercase()), url.host_str().map(str::to_owned));
            }
        }
    }
}
