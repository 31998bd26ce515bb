//! The contenders the engine is measured against, shared by `benches/engine.rs` (criterion,
//! wall clock) and `examples/profile-loop.rs` (instructions under callgrind), so both measure
//! exactly the same work.

use pulldown_cmark::{html, Options, Parser};
use serde_json::Value;
use userform::Registry;

/// Markdown extensions as the engine renders them.
pub const MD_OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_STRIKETHROUGH);

/// The repo's directory.
pub fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

/// The bytes of a bench body: a name from `benches/data/` or a path.
pub fn body(name: &str) -> Result<Vec<u8>, String> {
    let path = if name.contains('/') { name.to_owned() } else { format!("{}/benches/data/{name}.json", root()) };
    std::fs::read(&path).map_err(|e| format!("{path}: {e} (run benches/data/generate.py)"))
}

/// The JSON Schema of a `reg` body, as the engine exports it.
pub fn exported_schema(registry: &Registry) -> Value {
    registry.json_schema("reg").expect("the registry exports a schema for `reg`")
}

/// Every `htmlValue` and `mdValue` string of the body's text entries, in body order.
pub fn texts(body: &Value) -> (Vec<String>, Vec<String>) {
    fn walk(v: &Value, html: &mut Vec<String>, md: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, v) in o {
                    match (k.as_str(), v) {
                        ("htmlValue", Value::String(s)) => html.push(s.clone()),
                        ("mdValue", Value::String(s)) => md.push(s.clone()),
                        _ => walk(v, html, md),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, html, md)),
            _ => {}
        }
    }
    let (mut html, mut md) = (Vec::new(), Vec::new());
    walk(body, &mut html, &mut md);
    (html, md)
}

/// The floor of sanitising: ammonia alone on each HTML part (one `Builder`, built once).
pub fn ammonia(sanitizer: &ammonia::Builder<'_>, html_parts: &[String]) -> usize {
    html_parts.iter().map(|h| sanitizer.clean(std::hint::black_box(h)).to_string().len()).sum()
}

/// The floor of markdown: pulldown-cmark alone, rendering each part to HTML.
pub fn pulldown(md_parts: &[String]) -> usize {
    md_parts
        .iter()
        .map(|m| {
            let mut out = String::with_capacity(m.len() * 3 / 2);
            html::push_html(&mut out, Parser::new_ext(std::hint::black_box(m), MD_OPTIONS));
            out.len()
        })
        .sum()
}
