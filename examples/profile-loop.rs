//! Runs one bench body through one contender many times, for profilers.
//!
//! `cargo run --release --example profile-loop -- BODY N MODE` where `BODY` is a name from
//! `benches/data/` (`small`, `medium`, …) or a path, `N` the number of runs and `MODE` one of
//! `parse` (`serde_json::from_slice::<Value>`), `jsonschema` (parse + `is_valid` against the
//! exported schema), `text` (ammonia on the body's HTML + pulldown-cmark on its markdown, the
//! floors of text work besides the parse), `check` (`Engine::check`) or `update`
//! (`Engine::update` on a `MemoryStore`), or one of the JSON parsers of
//! `benches/common/parsers.rs`: `ours` (the engine's parse into its tree), `simd-json` and
//! `sonic-rs` (each crate's own value), `simd-json-tree` and `sonic-rs-tree` (each crate's parse
//! into the engine's tree). The contenders are the criterion bench's own
//! (`benches/common/floors.rs`) and the paired bench's. `benches/instructions.sh` runs this under callgrind twice (N
//! and 2N runs) so that the difference is the cost of N runs, setup excluded.

use std::process::ExitCode;
use std::sync::Arc;

use serde_json::Value;
use userform::IdentityKeys;
use userform::{Engine, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};

#[path = "../benches/common/floors.rs"]
mod floors;
#[path = "../benches/common/parsers.rs"]
mod parsers;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// True when every run succeeded.
fn run() -> Result<bool, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [body, n, mode] = args.as_slice() else {
        return Err(
            "usage: profile-loop BODY N parse|jsonschema|text|check|update|ours|simd-json[-tree]|sonic-rs[-tree]"
                .into(),
        );
    };
    let bytes = floors::body(body)?;
    let n: usize = n.parse().map_err(|_| format!("N is not a number: {n}"))?;
    let registry = Registry::load_dir(format!("{}/schemas/forms", floors::root()), RegistryOptions::default())
        .map_err(|e| e.to_string())?;
    let registry = Arc::new(registry);
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{body}: {e}"))?;

    let mut ok = 0usize;
    match mode.as_str() {
        "parse" => {
            for _ in 0..n {
                ok += serde_json::from_slice::<Value>(std::hint::black_box(&bytes)).is_ok() as usize;
            }
        }
        "jsonschema" => {
            let schema = floors::exported_schema(&registry);
            let validator = jsonschema::validator_for(&schema).map_err(|e| e.to_string())?;
            for _ in 0..n {
                let v: Value = serde_json::from_slice(std::hint::black_box(&bytes)).map_err(|e| e.to_string())?;
                ok += validator.is_valid(&v) as usize;
            }
        }
        "text" => {
            let (html, md) = floors::texts(&value);
            let sanitizer = ammonia::Builder::default();
            for _ in 0..n {
                ok += (floors::ammonia(&sanitizer, &html) + floors::pulldown(&md) > 0 || html.len() + md.len() == 0)
                    as usize;
            }
        }
        "check" | "update" => {
            let store = MemoryStore::new();
            let user = UserRecord::signed_up("u1", "", "reg");
            store.insert(&user, &IdentityKeys::of(&user)).map_err(|e| e.to_string())?;
            let engine = Engine::new(registry, store);
            let req = Request::new("u1", &bytes);
            for _ in 0..n {
                let r = if mode == "check" { engine.check(&req) } else { engine.update(&req) };
                ok += r.is_ok() as usize;
            }
        }
        "sonic-rs" => {
            for _ in 0..n {
                ok += parsers::sonic_value(std::hint::black_box(&bytes)).is_some() as usize;
            }
        }
        "ours" | "simd-json" | "simd-json-tree" | "sonic-rs-tree" => {
            if !parsers::same_shape() {
                return Err("the bench's tree no longer has the engine tree's shape".into());
            }
            let mut simd = parsers::SimdJson::new();
            for _ in 0..n {
                // A fresh arena per body, as the engine makes one per request.
                let (bytes, arena) = (std::hint::black_box(&bytes), parsers::arena_for(&bytes));
                ok += match mode.as_str() {
                    "ours" => parsers::ours(bytes, &arena).is_some(),
                    "simd-json" => simd.value(bytes, &arena).is_some(),
                    "simd-json-tree" => simd.tree(bytes, &arena).is_some(),
                    _ => parsers::sonic_tree(bytes, &arena).is_some(),
                } as usize;
            }
        }
        other => return Err(format!("unknown mode {other}")),
    }
    println!("{body} {mode}: {ok}/{n} succeeded");
    Ok(ok == n)
}
