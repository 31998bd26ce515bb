//! Paired wall-clock ratios: the engine's update against each floor, timed in alternation.
//!
//! `benches/engine.rs` (criterion) times every contender for seconds in a row, so a shared
//! machine that slows down for a while slows one contender and not the next, and a ratio of
//! two medians moves by ±20–40 % from run to run. Here every round times a short batch of each
//! contender back to back (their order rotating), and the ratio is taken within the round:
//! what the machine does to one contender it does to the others. The figure is the median of
//! the rounds' ratios, with the middle half of them beside it.
//!
//! `cargo bench --bench paired` (≈ 25 s; `-- small` for one body). The contenders are
//! `benches/common/floors.rs`'s, the engine's update is `Engine::update` on a `MemoryStore`,
//! as in the criterion bench. The same rounds time the JSON parsers of
//! `benches/common/parsers.rs` against our own, and a second table says what the update's
//! ratios would be with each crate's parse into the engine's tree in place of ours. First, a
//! table of how each parser reads awkward JSON (`benches/common/probes.rs`).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use userform::IdentityKeys;
use userform::{Engine, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};

#[path = "common/floors.rs"]
mod floors;
#[path = "common/parsers.rs"]
mod parsers;
#[path = "common/probes.rs"]
mod probes;

use parsers::SimdJson;

const BODIES: [&str; 5] = ["small", "medium", "medium-notext", "large", "large-notext"];
/// Rounds per body (odd, so the median is one of them).
const ROUNDS: usize = 61;
/// About how long one contender's batch runs in a round.
const BATCH: Duration = Duration::from_millis(4);
/// Random floats read by every parser in the probe.
const FLOATS: usize = 30_000;

/// One contender: a name and one run of its work.
type Contender<'a> = (&'static str, Box<dyn FnMut() + 'a>);

fn main() {
    // `cargo bench` passes `--bench`; a filter argument, if any, selects bodies by name.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let registry = Arc::new(
        Registry::load_dir(format!("{}/schemas/forms", floors::root()), RegistryOptions::default())
            .expect("the repo's forms load"),
    );
    let schema = floors::exported_schema(&registry);
    let validator = jsonschema::validator_for(&schema).expect("the exported schema compiles");
    let sanitizer = ammonia::Builder::default();
    let mut simd = SimdJson::new();
    assert!(parsers::same_shape(), "the bench's tree has the library tree's shape");

    println!("How each parser reads awkward JSON (`=`: as serde_json does):\n");
    probes::print_table(&mut simd);
    let wrong = probes::float_sweep(FLOATS, &mut simd);
    let wrong: Vec<String> = probes::READERS.iter().zip(wrong).skip(1).map(|(r, w)| format!("{r} {w}")).collect();
    println!("\nRandom floats read otherwise than by serde_json, of {FLOATS}: {}.\n", wrong.join(", "));

    let mut targets = vec![
        "| body | update / parse | update / jsonschema | update / (parse + text) | µs: update, parse, text |"
            .to_owned(),
        "|---|---:|---:|---:|---:|".to_owned(),
    ];
    let mut parsing = vec![
        format!(
            "| body | µs: ours | {} | update now | with simd-json → Json | with sonic-rs → Json |",
            PARSERS.join(" | ")
        ),
        format!("|---|---:|{}---:|---:|---:|", "---:|".repeat(PARSERS.len())),
    ];
    for name in BODIES.into_iter().filter(|b| filter.is_empty() || filter.iter().any(|f| b.contains(f.as_str()))) {
        let bytes = floors::body(name).unwrap_or_else(|e| panic!("{e}"));
        let value: Value = serde_json::from_slice(&bytes).expect("bench bodies are JSON");
        let (html, md) = floors::texts(&value);
        let store = MemoryStore::new();
        let user = UserRecord::signed_up("u1", "", "reg");
        store.insert(&user, &IdentityKeys::of(&user)).expect("a fresh store takes the user");
        let engine = Engine::new(Arc::clone(&registry), store);
        let req = Request::new("u1", &bytes);
        assert!(engine.update(&req).is_ok(), "{name}: the engine rejects it");
        let read = probes::readings(&bytes, &mut simd);
        assert!(read.iter().all(|r| r.is_some() && *r == read[0]), "{name}: the parsers read it differently");

        let has_text = !html.is_empty() || !md.is_empty();
        let (mut simd_value, mut simd_tree) = (SimdJson::new(), SimdJson::new());
        let body = bytes.as_slice();
        let mut contenders: Vec<Contender<'_>> = vec![
            ("update", Box::new(|| assert!(engine.update(black_box(&req)).is_ok()))),
            ("parse", Box::new(|| drop(black_box(serde_json::from_slice::<Value>(black_box(&bytes)))))),
            (
                "jsonschema",
                Box::new(|| {
                    let v: Value = serde_json::from_slice(black_box(&bytes)).expect("JSON");
                    assert!(validator.is_valid(&v));
                }),
            ),
            (
                "ours → Json",
                Box::new(|| {
                    let arena = parsers::arena_for(&bytes);
                    assert!(black_box(parsers::ours(black_box(&bytes), &arena)).is_some());
                }),
            ),
            (
                "simd-json value",
                Box::new(move || {
                    let arena = parsers::arena_for(body);
                    assert!(black_box(simd_value.value(black_box(body), &arena)).is_some());
                }),
            ),
            (
                "simd-json → Json",
                Box::new(move || {
                    let arena = parsers::arena_for(body);
                    assert!(black_box(simd_tree.tree(black_box(body), &arena)).is_some());
                }),
            ),
            ("sonic-rs value", Box::new(|| assert!(black_box(parsers::sonic_value(black_box(&bytes))).is_some()))),
            (
                "sonic-rs → Json",
                Box::new(|| {
                    let arena = parsers::arena_for(&bytes);
                    assert!(black_box(parsers::sonic_tree(black_box(&bytes), &arena)).is_some());
                }),
            ),
        ];
        if has_text {
            contenders.push((
                "text",
                Box::new(|| {
                    black_box(floors::ammonia(&sanitizer, &html) + floors::pulldown(&md));
                }),
            ));
        }
        let names: Vec<&str> = contenders.iter().map(|(n, _)| *n).collect();
        let at = |n: &str| names.iter().position(|m| *m == n).expect("a contender of this body");
        let per_round = rounds(&mut contenders);
        let ratio = |of: &dyn Fn(&[f64]) -> f64, to: &dyn Fn(&[f64]) -> f64| {
            median_and_quartiles(per_round.iter().map(|t| of(t) / to(t)).collect())
        };
        let (update, parse, schema, ours) = (at("update"), at("parse"), at("jsonschema"), at("ours → Json"));
        let text_at = has_text.then(|| at("text"));
        let plus_text = |t: &[f64]| t[parse] + text_at.map_or(0.0, |i| t[i]);
        let text = if has_text { ratio(&|t| t[update], &plus_text) } else { "–".into() };
        // The medians of each contender's own times, to see which side of a ratio moved.
        let micros = |i: Option<usize>| {
            let mut t: Vec<f64> = i.map_or(Vec::new(), |i| per_round.iter().map(|t| t[i]).collect());
            t.sort_by(f64::total_cmp);
            t.get(t.len() / 2).map_or("–".into(), |ns| format!("{:.1}", ns / 1000.0))
        };
        let times = format!("{}, {}, {}", micros(Some(update)), micros(Some(parse)), micros(text_at));
        let (vs_parse, vs_schema) = (ratio(&|t| t[update], &|t| t[parse]), ratio(&|t| t[update], &|t| t[schema]));
        targets.push(format!("| {name} | {vs_parse} | {vs_schema} | {text} | {times} |"));

        // The update's ratio to the target that applies, with the body's parse by `with`
        // (a contender's index) in place of ours.
        let target_with = |with: usize| {
            let update = |t: &[f64]| t[update] - t[ours] + t[with];
            let short = |r: String| r.split(' ').next().unwrap_or_default().to_owned();
            if has_text {
                short(ratio(&update, &plus_text))
            } else {
                format!("{} · {}", short(ratio(&update, &|t| t[parse])), short(ratio(&update, &|t| t[schema])))
            }
        };
        let versus: Vec<String> = PARSERS.iter().map(|p| ratio(&|t| t[at(p)], &|t| t[ours])).collect();
        parsing.push(format!(
            "| {name} | {} | {} | {} | {} | {} |",
            micros(Some(ours)),
            versus.join(" | "),
            target_with(ours),
            target_with(at("simd-json → Json")),
            target_with(at("sonic-rs → Json")),
        ));
    }
    println!("{}\n", targets.join("\n"));
    println!("Parsers, time over ours; the update's ratio to its target (≤ 0.8 × parse · ≤ 0.6 × jsonschema");
    println!("without text, ≤ 1.1 × (parse + text) with text), now and with a crate's parse in place of ours:\n");
    println!("{}", parsing.join("\n"));
}

/// The parsers compared with ours (`parse` is `serde_json`'s `Value`, the floor of the targets).
const PARSERS: [&str; 5] = ["parse", "simd-json value", "simd-json → Json", "sonic-rs value", "sonic-rs → Json"];

/// The median of `r` with its middle half in parentheses.
fn median_and_quartiles(mut r: Vec<f64>) -> String {
    r.sort_by(f64::total_cmp);
    let q = |k: usize| r.get(r.len() * k / 4).copied().unwrap_or(f64::NAN);
    format!("{:.2} ({:.2}–{:.2})", q(2), q(1), q(3))
}

/// Times every contender once per round, in rotating order; per round, the nanoseconds of one
/// run of each contender, in the contenders' order.
fn rounds(contenders: &mut [Contender<'_>]) -> Vec<Vec<f64>> {
    // Batch sizes: as many runs as fit in `BATCH`, after a warm-up run of each.
    let sizes: Vec<u32> = contenders
        .iter_mut()
        .map(|(_, run)| {
            run();
            let start = Instant::now();
            let mut n = 0u32;
            while start.elapsed() < BATCH {
                run();
                n += 1;
            }
            n.max(1)
        })
        .collect();
    (0..ROUNDS)
        .map(|round| {
            let mut times = vec![0.0; contenders.len()];
            for k in 0..contenders.len() {
                let i = (round + k) % contenders.len();
                let run = &mut contenders[i].1;
                let start = Instant::now();
                for _ in 0..sizes[i] {
                    run();
                }
                times[i] = start.elapsed().as_nanos() as f64 / f64::from(sizes[i]);
            }
            times
        })
        .collect()
}
