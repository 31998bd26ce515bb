//! Runs one bench body through one contender many times, for profilers.
//!
//! `cargo run --release --example profile-loop -- BODY N MODE` where `BODY` is a name from
//! `benches/data/` (`small`, `medium`, …) or a path, `N` the number of runs and `MODE` one of
//! `parse` (`serde_json::from_slice::<Value>`), `check` (`Engine::check`) or `update`
//! (`Engine::update` on a `MemoryStore`). `benches/instructions.sh` runs it under callgrind
//! twice (N and 2N runs) so that the difference is the cost of N runs, setup excluded.

use std::process::ExitCode;
use std::sync::Arc;

use userform::{Engine, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [body, n, mode] = args.as_slice() else {
        eprintln!("usage: profile-loop BODY N parse|check|update");
        return ExitCode::from(2);
    };
    let root = env!("CARGO_MANIFEST_DIR");
    let path = if body.contains('/') { body.clone() } else { format!("{root}/benches/data/{body}.json") };
    let (Ok(bytes), Ok(n)) = (std::fs::read(&path), n.parse::<usize>()) else {
        eprintln!("error: cannot read {path}, or N is not a number");
        return ExitCode::from(2);
    };
    let registry = match Registry::load_dir(format!("{root}/schemas/forms"), RegistryOptions::default()) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let store = MemoryStore::new();
    let mut user = UserRecord::new("u1", "", "reg");
    user.version = 1;
    if let Err(e) = store.insert(&user) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let engine = Engine::new(registry, store);
    let req = Request::new("u1", &bytes);
    let mut accepted = 0usize;
    for _ in 0..n {
        accepted += match mode.as_str() {
            "parse" => serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
            "check" => engine.check(&req).is_ok(),
            _ => engine.update(&req).is_ok(),
        } as usize;
    }
    println!("{body} {mode}: {accepted}/{n} accepted");
    if accepted == n {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
