//! The engine side by side with what a user would pick instead, on the same bodies, in one run.
//!
//! For every body of `benches/data/` (see `generate.py` there), one criterion group with:
//!
//! - `parse`: `serde_json::from_slice::<Value>`, the floor of any JSON work;
//! - `jsonschema`: parse + `is_valid` against the JSON Schema the engine exports for `reg`
//!   (the validator is compiled once, outside the measurement);
//! - `ammonia`: ammonia alone on the body's `htmlValue`s (one `Builder`, built once);
//! - `pulldown_cmark`: pulldown-cmark alone, rendering the body's `mdValue`s to HTML;
//! - `engine_check`: the engine's dry run (decode + validate);
//! - `engine_update`: decode + validate + apply + commit to a `MemoryStore` (the same user is
//!   updated again and again, so its version keeps growing).
//!
//! `cargo bench --bench engine`; `python3 benches/report.py` turns criterion's estimates into
//! the table of BENCHMARKS.md. Measurement times are short on purpose (2-core machines).

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pulldown_cmark::{html, Options, Parser};
use serde_json::Value;
use userform::{Engine, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};

const BODIES: [&str; 5] = ["small", "medium", "medium-notext", "large", "large-notext"];

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn registry() -> Registry {
    Registry::load_dir(format!("{}/schemas/forms", root()), RegistryOptions::default()).expect("the repo's forms load")
}

/// The JSON Schema of a `reg` body, as the engine exports it.
fn exported_schema(registry: &Registry) -> Value {
    registry.json_schema("reg").expect("the registry exports a schema for `reg`")
}

/// Every `htmlValue` and `mdValue` string of the body's text entries, in body order.
fn texts(body: &Value) -> (Vec<String>, Vec<String>) {
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

/// An engine over the repo's forms with one empty `reg` user, `u1`.
fn engine(registry: &Arc<Registry>) -> Engine<MemoryStore> {
    let store = MemoryStore::new();
    let mut user = UserRecord::new("u1", "", "reg");
    user.version = 1;
    store.insert(&user).expect("empty store");
    Engine::new(Arc::clone(registry), store)
}

fn bench(c: &mut Criterion) {
    let registry = Arc::new(registry());
    let schema = exported_schema(&registry);
    let validator = jsonschema::validator_for(&schema).expect("the exported schema compiles");
    let sanitizer = ammonia::Builder::default();
    let md_options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH; // as the engine renders

    for name in BODIES {
        let path = format!("{}/benches/data/{name}.json", root());
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run benches/data/generate.py)"));
        let value: Value = serde_json::from_slice(&bytes).expect("bench bodies are JSON");
        assert!(validator.is_valid(&value), "{name}: not valid against the exported schema");
        let (html_parts, md_parts) = texts(&value);
        let dry = engine(&registry);
        let live = engine(&registry);
        let req = Request::new("u1", &bytes);
        if let Err(r) = dry.check(&req) {
            panic!(
                "{name}: the engine rejects it: {:?}",
                r.violations().iter().map(|v| v.message()).collect::<Vec<_>>()
            );
        }

        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("parse", |b| {
            b.iter(|| serde_json::from_slice::<Value>(std::hint::black_box(&bytes)).unwrap())
        });
        g.bench_function("jsonschema", |b| {
            b.iter(|| {
                let v = serde_json::from_slice::<Value>(std::hint::black_box(&bytes)).unwrap();
                assert!(validator.is_valid(&v));
            })
        });
        if !html_parts.is_empty() {
            g.bench_function("ammonia", |b| {
                b.iter(|| {
                    html_parts.iter().map(|h| sanitizer.clean(std::hint::black_box(h)).to_string().len()).sum::<usize>()
                })
            });
        }
        if !md_parts.is_empty() {
            g.bench_function("pulldown_cmark", |b| {
                b.iter(|| {
                    md_parts
                        .iter()
                        .map(|m| {
                            let mut out = String::with_capacity(m.len() * 3 / 2);
                            html::push_html(&mut out, Parser::new_ext(std::hint::black_box(m), md_options));
                            out.len()
                        })
                        .sum::<usize>()
                })
            });
        }
        g.bench_function("engine_check", |b| b.iter(|| dry.check(std::hint::black_box(&req)).is_ok()));
        g.bench_function("engine_update", |b| b.iter(|| assert!(live.update(std::hint::black_box(&req)).is_ok())));
        g.finish();
        let version = live.store().get("u1").ok().flatten().map_or(0, |u| u.version);
        assert!(version > 1, "{name}: the updates were not committed");
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
