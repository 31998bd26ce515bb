#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: every test of every workspace member (the
# library's unit, doc, end-to-end, property and store tests, the CLI's tests and the
# conformance fixtures, the crash test), then the fixture suite once more through the
# validate-body binary.
#
# The PostgreSQL store tests need a server: with USERFORM_PG_URL set, that one is used;
# otherwise scripts/postgres.sh starts a throwaway one on 127.0.0.1 (installing PostgreSQL from
# Debian's packages if it is missing; fsync off, for tests only), and this script stops it and
# deletes its data when it exits, whether the tests pass or not. USERFORM_PG_KEEP=1 keeps it
# running (and a server that was already running before the script is never stopped).
#
# The build reuses what the README's first command built where it can: the CLI names the
# features the test build turns on in the crates both build (cli/Cargo.toml says how to check).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${USERFORM_PG_URL:-}" ]; then
    pg_dir="${USERFORM_PG_DIR:-/tmp/userform-pg-${USERFORM_PG_PORT:-54329}}"
    already_running=0
    [ -f "$pg_dir/data/postmaster.pid" ] && already_running=1
    if [ "${USERFORM_PG_KEEP:-0}" != 1 ] && [ "$already_running" = 0 ]; then
        trap 'bash scripts/postgres.sh stop' EXIT
    fi
    pg_env=$(bash scripts/postgres.sh start) # a failed start stops the script (set -e)
    eval "$pg_env"
fi
export USERFORM_PG_URL

cargo test --workspace --all-features
# The benches' own smoke runs, which `cargo test` leaves out: the service's load bench run for a
# moment in a debug build (each cell a fifth of a second), so that a change that breaks its
# setup fails here rather than on the next measurement.
cargo test --quiet -p userform-serve --all-features --bench load >/dev/null
# The binary is built without the library's dev-dependencies, so this run also shows that the
# library reads numbers exactly on its own (fixtures/numbers fail if serde_json's float_roundtrip
# came only through a test dependency).
cargo run --quiet --bin validate-body -- --fixtures fixtures | tail -n 1

# --- The service -------------------------------------------------------------------------------
# `userform serve` (serve/, whose Rust tests ran above with the workspace) driven by the real
# oneentry and backendless SDKs: on SQLite, then on the PostgreSQL started above with two
# instances on the one database. Installs node and npm if missing; stops everything it started.
bash tests/sdk/run.sh
