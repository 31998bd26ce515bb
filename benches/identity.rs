//! What preparing a login costs: `identity::prepare` (validation, display form and key) and
//! `identity::key` (what stores compute on every write), for the common shapes of login, next
//! to the comparison the engine used before PRECIS and UTS 46 (trimmed, NFC, lower-cased).
//!
//! `cargo bench --bench identity`; figures in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use unicode_normalization::UnicodeNormalization;
use userform::identity;

/// Logins of each shape: (name, value).
const LOGINS: [(&str, &str); 5] = [
    ("ascii-email", "Margaret.Hamilton@Example.com"),
    ("idn-email", "Margaret@B\u{fc}cher\u{3002}de"),
    ("ascii-username", "Margaret Hamilton"),
    ("unicode-username", "\u{ff2d}arg\u{e9}rite Hamilton"),
    ("refused", "margaret@example.com\u{200b}"),
];

/// The key before this version: trimmed, NFC, lower-cased.
fn previous_key(identity: &str) -> String {
    let trimmed = identity.trim();
    if trimmed.is_ascii() {
        return trimmed.to_ascii_lowercase();
    }
    trimmed.nfc().collect::<String>().to_lowercase().nfc().collect()
}

fn logins(c: &mut Criterion) {
    let mut g = c.benchmark_group("identity");
    for (name, login) in LOGINS {
        g.bench_function(format!("prepare/{name}"), |b| b.iter(|| identity::prepare(black_box(login))));
        g.bench_function(format!("key/{name}"), |b| b.iter(|| identity::key(black_box(login))));
        g.bench_function(format!("previous-key/{name}"), |b| b.iter(|| previous_key(black_box(login))));
    }
    // The longest identity (`identity::MAX_BYTES`) of the costliest kinds: decomposed letters
    // that NFC composes, and Arabic letters with marks between zero-width non-joiners (each
    // one's context rule reads the whole value); and a 64 KiB value (the longest string a
    // body may hold), refused on its length.
    let composed = "e\u{301}".repeat(identity::MAX_BYTES / 3);
    let joiners = "\u{644}\u{64e}\u{200c}".repeat(identity::MAX_BYTES / 7);
    let huge = "\u{644}\u{64e}\u{200c}".repeat(64 * 1024 / 7);
    for (name, login) in [("limit-combining", composed), ("limit-joiners", joiners), ("64k-joiners", huge)] {
        g.bench_function(format!("prepare/{name}"), |b| b.iter(|| identity::prepare(black_box(&login))));
    }
    g.finish();
}

criterion_group!(benches, logins);
criterion_main!(benches);
