#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: starts a throwaway PostgreSQL on 127.0.0.1
# (installing it from Debian's packages if it is missing), then runs every test of every store
# (unit, doc, end-to-end, property, conformance fixtures, store suites, crash test), then the
# fixture suite once more through the validate-body binary.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/postgres.sh start)"
export USERFORM_PG_URL

cargo test --all-features
cargo run --quiet --example validate-body -- --fixtures fixtures | tail -n 1

# --- The service -------------------------------------------------------------------------------
# `userform serve` (serve/, whose Rust tests ran above with the workspace) driven by the real
# oneentry SDK: on SQLite, then on the PostgreSQL started above with two instances on the one
# database. Installs node and npm if missing; stops everything it started.
bash tests/sdk/run.sh
