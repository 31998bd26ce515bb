#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for userform's PostgreSQL tests and benchmarks.
#
#   eval "$(scripts/postgres.sh)"     # start it (installing PostgreSQL from Debian's packages if
#                                     # missing) and export USERFORM_PG_URL
#   scripts/postgres.sh start         # the same; prints `export USERFORM_PG_URL=...` on stdout
#   scripts/postgres.sh url           # print the URL only
#   scripts/postgres.sh stop          # stop the server and delete its data
#
# Then: cargo test --features sqlite,postgres
#
# Environment: USERFORM_PG_PORT (default 54329), USERFORM_PG_DIR (default /tmp/userform-pg-PORT).
# The cluster is for tests only: trust authentication on loopback, fsync off (PostgreSQL's own
# durability is not what the tests check). Logs go to stderr and $USERFORM_PG_DIR/server.log.
set -euo pipefail

PORT="${USERFORM_PG_PORT:-54329}"
DIR="${USERFORM_PG_DIR:-/tmp/userform-pg-$PORT}"
DB=userform
URL="postgres://postgres@127.0.0.1:$PORT/$DB"

log() { echo "postgres.sh: $*" >&2; }

bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
        echo "$d"
    elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v pg_ctl)"
    fi
}

install_postgres() {
    log "PostgreSQL not found: installing it from Debian's packages"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { log "need root (or sudo) to install PostgreSQL"; exit 1; }
        sudo=sudo
    fi
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >&2
}

# Runs a command as the cluster's owner: `postgres` when we are root (the server refuses root).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        if command -v runuser >/dev/null; then
            runuser -u postgres -- "$@"
        else
            su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

start() {
    local bin
    bin=$(bindir)
    if [ -z "$bin" ]; then
        install_postgres
        bin=$(bindir)
        [ -n "$bin" ] || { log "PostgreSQL installed but initdb/pg_ctl not found"; exit 1; }
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    fi

    mkdir -p "$DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$DIR"
    chmod 700 "$DIR"

    if [ ! -f "$DIR/data/PG_VERSION" ]; then
        log "initdb in $DIR/data"
        as_owner "$bin/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
            || { cat "$DIR/initdb.log" >&2; exit 1; }
    fi

    if as_owner "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
        log "already running on 127.0.0.1:$PORT"
    else
        log "starting on 127.0.0.1:$PORT"
        as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >&2 || { tail -n 50 "$DIR/server.log" >&2; exit 1; }
    fi

    local psql="$bin/psql"
    [ -x "$psql" ] || psql=psql
    if ! "$psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
        "$psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE $DB" >&2
    fi
    echo "export USERFORM_PG_URL=$URL"
}

stop() {
    local bin
    bin=$(bindir)
    if [ -n "$bin" ] && [ -f "$DIR/data/PG_VERSION" ]; then
        as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$DIR"
    log "stopped; removed $DIR"
}

case "${1:-start}" in
    start) start ;;
    url) echo "$URL" ;;
    stop) stop ;;
    *) echo "usage: $0 [start|url|stop]" >&2; exit 2 ;;
esac
