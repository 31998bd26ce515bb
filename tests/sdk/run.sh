#!/usr/bin/env bash
# Drives `userform serve` with the real oneentry and backendless SDKs (pinned in package.json /
# package-lock.json), oneentry's response validation on in strict mode: tests/sdk/test/*.test.mjs
# under node's test runner (backendless.test.mjs for the Backendless face, the rest OneEntry's).
#
#   bash tests/sdk/run.sh          # SQLite; with USERFORM_PG_URL set, PostgreSQL too, with two
#                                  # instances on the one database
#
# Builds the service, starts it on free loopback ports (--listen 127.0.0.1:0) with a one-second
# access token lifetime and the Backendless face on, over a forms directory of schemas/forms
# plus tests/sdk/forms (a form in the admin side's shape, and one the service leaves out: its
# load error is logged at start), seeds users with `userform user add` (one
# for the OneEntry tests, two for the Backendless ones, so that test files running in parallel
# never share a user), runs the tests, and stops (SIGTERM)
# and removes everything it started on exit. Installs node and npm from Debian's packages if
# they are missing.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
APP_TOKEN="sdk-test-token"
BL_APP_ID="SDK-TEST-APP-ID"
BL_API_KEY="SDK-TEST-REST-API-KEY"

log() { echo "sdk/run.sh: $*" >&2; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "node or npm missing: installing them from Debian's packages"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
fi

(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
(cd "$ROOT" && cargo build --quiet -p userform-serve)
BIN="$ROOT/target/debug/userform"

WORK="$(mktemp -d)"
FORMS="$WORK/forms"
PIDS=()
cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ]; then
        for f in "$WORK"/*.log; do
            [ -e "$f" ] && { log "last lines of $f:"; tail -n 20 "$f" >&2; }
        done
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir "$FORMS"
cp "$ROOT"/schemas/forms/*.json "$HERE"/forms/*.json "$FORMS"/

# start NAME DB: starts an instance and sets STARTED_URL to its base URL (not in a subshell,
# so that the trap knows its pid).
start() {
    local name=$1 db=$2
    "$BIN" serve --listen 127.0.0.1:0 --db "$db" --forms "$FORMS" --app-token "$APP_TOKEN" \
        --access-ttl 1s --backendless-app-id "$BL_APP_ID" --backendless-api-key "$BL_API_KEY" \
        >"$WORK/$name.out" 2>"$WORK/$name.log" &
    PIDS+=($!)
    for _ in $(seq 1 300); do
        if grep -q "listening on" "$WORK/$name.out" 2>/dev/null; then
            STARTED_URL="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$WORK/$name.out" | head -n 1)"
            return 0
        fi
        kill -0 "${PIDS[-1]}" 2>/dev/null || { log "$name exited:"; cat "$WORK/$name.log" >&2; return 1; }
        sleep 0.1
    done
    log "$name did not start"
    return 1
}

# suite LABEL DB [SECOND_INSTANCE]: seeds the users and runs every test file against DB.
suite() {
    local label=$1 db=$2 second=${3:-}
    local login="seed-$label-$$-$RANDOM@example.com" password="seed password $RANDOM"
    local bl_login="bl-$label-$$-$RANDOM@example.com" bl_login2="bl2-$label-$$-$RANDOM@example.com"
    for who in "$login" "$bl_login" "$bl_login2"; do
        "$BIN" user add --form reg --login "$who" --password "$password" --db "$db" \
            --forms "$ROOT/schemas/forms" >/dev/null
    done
    local url url2=""
    start "$label" "$db"
    url="$STARTED_URL"
    if [ -n "$second" ]; then
        start "$label-2" "$db"
        url2="$STARTED_URL"
    fi
    log "$label: $url ${url2:+and $url2}"
    (cd "$HERE" && USERFORM_URL="$url" USERFORM_URL2="$url2" USERFORM_APP_TOKEN="$APP_TOKEN" \
        USERFORM_LOGIN="$login" USERFORM_PASSWORD="$password" \
        USERFORM_BL_APP_ID="$BL_APP_ID" USERFORM_BL_API_KEY="$BL_API_KEY" \
        USERFORM_BL_LOGIN="$bl_login" USERFORM_BL_LOGIN2="$bl_login2" node --test test/*.test.mjs)
}

suite sqlite "sqlite:$WORK/userform.db"
if [ -n "${USERFORM_PG_URL:-}" ]; then
    suite postgres "$USERFORM_PG_URL" second
elif [ -n "${CI:-}" ]; then
    log "USERFORM_PG_URL is not set in CI: the PostgreSQL run cannot be skipped"
    exit 1
else
    log "SKIPPED: the PostgreSQL run (set USERFORM_PG_URL, e.g. eval \"\$(bash scripts/postgres.sh start)\")"
fi
