//! Paired wall-clock ratios: the engine's update against each floor, timed in alternation.
//!
//! `benches/engine.rs` (criterion) times every contender for seconds in a row, so a shared
//! machine that slows down for a while slows one contender and not the next, and a ratio of
//! two medians moves by ±20–40 % from run to run. Here every round times a short batch of each
//! contender back to back (their order rotating), and the ratio is taken within the round:
//! what the machine does to one contender it does to the others. The figure is the median of
//! the rounds' ratios, with the middle half of them beside it.
//!
//! `cargo bench --bench paired` (≈ 10 s; `-- small` for one body). The contenders are
//! `benches/common/floors.rs`'s, the engine's update is `Engine::update` on a `MemoryStore`,
//! as in the criterion bench.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use userform::{Engine, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};

#[path = "common/floors.rs"]
mod floors;

const BODIES: [&str; 5] = ["small", "medium", "medium-notext", "large", "large-notext"];
/// Rounds per body (odd, so the median is one of them).
const ROUNDS: usize = 61;
/// About how long one contender's batch runs in a round.
const BATCH: Duration = Duration::from_millis(4);

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

    println!("| body | update / parse | update / jsonschema | update / (parse + text) | µs: update, parse, text |");
    println!("|---|---:|---:|---:|---:|");
    for name in BODIES.into_iter().filter(|b| filter.is_empty() || filter.iter().any(|f| b.contains(f.as_str()))) {
        let bytes = floors::body(name).unwrap_or_else(|e| panic!("{e}"));
        let value: Value = serde_json::from_slice(&bytes).expect("bench bodies are JSON");
        let (html, md) = floors::texts(&value);
        let store = MemoryStore::new();
        let mut user = UserRecord::new("u1", "", "reg");
        user.version = 1;
        store.insert(&user).expect("a fresh store takes the user");
        let engine = Engine::new(Arc::clone(&registry), store);
        let req = Request::new("u1", &bytes);
        assert!(engine.update(&req).is_ok(), "{name}: the engine rejects it");

        let has_text = !html.is_empty() || !md.is_empty();
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
        ];
        if has_text {
            contenders.push((
                "text",
                Box::new(|| {
                    black_box(floors::ammonia(&sanitizer, &html) + floors::pulldown(&md));
                }),
            ));
        }
        let per_round = rounds(&mut contenders);
        let ratio = |floor: &dyn Fn(&[f64]) -> f64| {
            let mut r: Vec<f64> = per_round.iter().map(|t| t[0] / floor(t)).collect();
            r.sort_by(f64::total_cmp);
            format!("{:.2} ({:.2}–{:.2})", r[r.len() / 2], r[r.len() / 4], r[r.len() * 3 / 4])
        };
        let text = if has_text { ratio(&|t| t[1] + t[3]) } else { "–".into() };
        // The medians of each contender's own times, to see which side of a ratio moved.
        let micros = |i: usize| {
            let mut t: Vec<f64> = per_round.iter().filter_map(|t| t.get(i).copied()).collect();
            t.sort_by(f64::total_cmp);
            t.get(t.len() / 2).map_or("–".into(), |ns| format!("{:.1}", ns / 1000.0))
        };
        let times = format!("{}, {}, {}", micros(0), micros(1), micros(3));
        println!("| {name} | {} | {} | {text} | {times} |", ratio(&|t| t[1]), ratio(&|t| t[2]));
    }
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
