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
use serde_json::Value;
use userform::IdentityKeys;
use userform::{Engine, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};

#[path = "common/floors.rs"]
mod floors;
use floors::{exported_schema, root, texts};

const BODIES: [&str; 5] = ["small", "medium", "medium-notext", "large", "large-notext"];

fn registry() -> Registry {
    Registry::load_dir(format!("{}/schemas/forms", root()), RegistryOptions::default()).expect("the repo's forms load")
}

/// An engine over the repo's forms with one empty `reg` user, `u1`.
fn engine(registry: &Arc<Registry>) -> Engine<MemoryStore> {
    let store = MemoryStore::new();
    let user = UserRecord::signed_up("u1", "", "reg");
    store.insert(&user, &IdentityKeys::of(&user)).expect("empty store");
    Engine::new(Arc::clone(registry), store)
}

fn bench(c: &mut Criterion) {
    let registry = Arc::new(registry());
    let schema = exported_schema(&registry);
    let validator = jsonschema::validator_for(&schema).expect("the exported schema compiles");
    let sanitizer = ammonia::Builder::default();

    for name in BODIES {
        let bytes = floors::body(name).unwrap_or_else(|e| panic!("{e}"));
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
            g.bench_function("ammonia", |b| b.iter(|| floors::ammonia(&sanitizer, &html_parts)));
        }
        if !md_parts.is_empty() {
            g.bench_function("pulldown_cmark", |b| b.iter(|| floors::pulldown(&md_parts)));
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
