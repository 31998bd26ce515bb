//! Several instances on one database are one service (SPEC §9): two services on one SQLite
//! file, and on one PostgreSQL database, share the sign-in limits, per login and per address,
//! on both faces; the attempt counter's contract with the clock in the test's hands (windows,
//! sweeping, keys that are hashes); and concurrent attempts through two instances each see a
//! count of their own (the upsert is atomic, nothing is lost).
//!
//! PostgreSQL runs with `USERFORM_PG_URL` set (`eval "$(bash scripts/postgres.sh start)"`);
//! without it the test prints a loud SKIPPED line, and fails in CI. The PostgreSQL database
//! outlives a run, so every key, login and address here is fresh, and the fixed clock of the
//! contract lies in 1970, where sweeping touches no live window.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use clap::Parser;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use userform_serve::config::{Cli, Command};
use userform_serve::http::{self, Shared};
use userform_serve::limit::{address_key, login_key, SignInLimit};
use userform_serve::sessions::{AttemptCounter, PgSessions, SqliteSessions, Window};
use userform_serve::token::{self, TokenHash};

const TOKEN: &str = "test-app-token";
const AUTH: &str = "/api/content/users-auth-providers/marker/reg/users/auth";
const BL_LOGIN: &str = "/APP-ID/REST-KEY/users/login";
const PERIOD: i64 = 60_000;

fn pg_url() -> Option<String> {
    let url = std::env::var("USERFORM_PG_URL").ok();
    if url.is_none() {
        assert!(std::env::var_os("CI").is_none(), "USERFORM_PG_URL must be set in CI");
        eprintln!("SKIPPED: PostgreSQL instance tests (set USERFORM_PG_URL)");
    }
    url
}

fn fresh_key() -> TokenHash {
    token::generate().unwrap().1
}

/// A service on `db` with both faces, built outside any async runtime (the synchronous
/// PostgreSQL client runs one of its own).
fn instance(db: &str) -> Shared {
    let forms = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/forms");
    let argv = [
        "userform",
        "serve",
        "--db",
        db,
        "--forms",
        forms,
        "--app-token",
        TOKEN,
        "--backendless-app-id",
        "APP-ID",
        "--backendless-api-key",
        "REST-KEY",
        "--sign-in-per-login",
        "3",
        "--sign-in-per-address",
        "4",
    ];
    let Command::Serve(args) = Cli::try_parse_from(argv).unwrap().command else { unreachable!("parsed `serve`") };
    Arc::new(args.build().unwrap())
}

/// A sign-in with a wrong password on `service`'s OneEntry face (`backendless`: on its
/// Backendless face) from `addr`: its status, `Retry-After` and body.
async fn sign_in(service: &Shared, backendless: bool, login: &str, addr: &str) -> (StatusCode, Option<u64>, Value) {
    let (path, body) = if backendless {
        (BL_LOGIN, json!({"login": login, "password": "wrong"}))
    } else {
        (AUTH, json!({"authData": [{"marker": "email", "value": login}, {"marker": "password", "value": "wrong"}]}))
    };
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("x-app-token", TOKEN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    req.extensions_mut().insert(ConnectInfo(addr.parse::<SocketAddr>().unwrap()));
    let res = http::router(service.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let retry = res.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().parse().unwrap());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, retry, serde_json::from_slice(&bytes).unwrap())
}

/// A documentation address (2001:db8::/32) no other run uses; no packet goes anywhere.
fn fresh_addr() -> String {
    let r = token::random_id().unwrap();
    format!("[2001:db8:{:x}:{:x}::1]:4000", r & 0xffff, (r >> 16) & 0xffff)
}

/// Two instances on `db`: a login's attempts and an address's attempts are counted together,
/// whichever instance and face they reach, and the answers over the limit are the usual ones.
fn instances_share_the_limits(db: &str) {
    let (a, b) = (instance(db), instance(db));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let login = format!("nobody-{}@example.com", token::random_id().unwrap());
        // Three attempts on one login (the limit), from three addresses, through both instances.
        for (service, backendless) in [(&a, false), (&b, false), (&a, true)] {
            let (status, _, body) = sign_in(service, backendless, &login, &fresh_addr()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        }
        let (status, retry, body) = sign_in(&b, false, &login, &fresh_addr()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the other instance counted the first three: {body}");
        assert_eq!((body["statusCode"].as_u64(), body["code"].as_u64()), (Some(429), Some(3036)), "an IError: {body}");
        assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "Retry-After: {retry:?}");
        let (status, retry, body) = sign_in(&b, true, &login.to_uppercase(), &fresh_addr()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the normalised login, on the Backendless face: {body}");
        assert!(body.get("statusCode").is_none() && body["code"] == 3036, "a Backendless error: {body}");
        assert!(retry.is_some());

        // Four attempts from one address (the limit), on four logins, through both instances.
        let addr = fresh_addr();
        for (i, service) in [&a, &b, &a, &b].into_iter().enumerate() {
            let (status, _, body) = sign_in(service, i == 3, &format!("u{i}-{login}"), &addr).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        }
        let (status, _, body) = sign_in(&a, false, &format!("u9-{login}"), &addr).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "per address, whatever the login and instance: {body}");
        let (status, _, _) = sign_in(&a, false, &format!("u9-{login}"), &fresh_addr()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "another address is counted apart");
    });
    drop(runtime);
}

/// The counter's contract, through two instances `a` and `b` on one database; `rows(key)` counts
/// the key's rows in the table.
fn counter_contract(a: &dyn AttemptCounter, b: &dyn AttemptCounter, rows: &dyn Fn(&TokenHash) -> i64) {
    let t = 1_000_000 + i64::try_from(token::random_id().unwrap() % 1_000_000).unwrap();
    let (k, other) = (fresh_key(), fresh_key());
    assert_eq!(a.hit(&k, t, PERIOD).unwrap(), Window { start: t, hits: 1 });
    assert_eq!(b.hit(&k, t + 1, PERIOD).unwrap(), Window { start: t, hits: 2 }, "one count for both instances");
    assert_eq!(b.hit(&other, t + 2, PERIOD).unwrap(), Window { start: t + 2, hits: 1 }, "keys are counted apart");
    assert_eq!(a.hit(&k, t + PERIOD - 1, PERIOD).unwrap(), Window { start: t, hits: 3 }, "still the window");
    assert_eq!(a.hit(&k, t + PERIOD, PERIOD).unwrap(), Window { start: t + PERIOD, hits: 1 }, "a new window");
    assert_eq!(b.hit(&k, t + PERIOD + 5, PERIOD).unwrap(), Window { start: t + PERIOD, hits: 2 });

    // Sweeping deletes the windows that ended, and only those.
    let live = fresh_key();
    a.hit(&live, t + PERIOD + 10, PERIOD).unwrap();
    assert_eq!((rows(&k), rows(&other), rows(&live)), (1, 1, 1));
    b.sweep(t + 2 * PERIOD + 5, PERIOD).unwrap();
    assert_eq!((rows(&k), rows(&other), rows(&live)), (0, 0, 1));
    assert_eq!(a.hit(&live, t + 2 * PERIOD + 9, PERIOD).unwrap(), Window { start: t + PERIOD + 10, hits: 2 });
}

/// `threads` threads make 25 attempts each on one key, alternately through `a` and `b`: every
/// attempt sees a count of its own, and none is lost.
fn concurrent_attempts_are_each_counted(a: Arc<dyn AttemptCounter>, b: Arc<dyn AttemptCounter>, threads: usize) {
    let key = fresh_key();
    let now = 2_000_000;
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let counter = if i % 2 == 0 { a.clone() } else { b.clone() };
            std::thread::spawn(move || {
                (0..25).map(|_| counter.hit(&key, now, PERIOD).unwrap().hits).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seen: Vec<i64> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    seen.sort_unstable();
    let total = i64::try_from(threads * 25).unwrap();
    assert_eq!(seen, (1..=total).collect::<Vec<_>>());
}

#[test]
fn two_instances_on_one_sqlite_file_share_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.db");
    instances_share_the_limits(&format!("sqlite:{}", path.display()));

    // The table holds hashes: no login tried (none of them a user) is anywhere in the file.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let keys: Vec<Vec<u8>> = conn
        .prepare("SELECT key FROM userform_serve_attempts")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // Logins: the first (upper-cased, the same), u0..u3 and u9; addresses: five for the first
    // login, one for u0..u3 and u9, one more.
    assert_eq!(keys.len(), 6 + 7, "one row per login and per address tried");
    assert!(keys.iter().all(|k| k.len() == 32));
    let mut dump = std::fs::read(&path).unwrap();
    dump.extend(std::fs::read(dir.path().join("users.db-wal")).unwrap_or_default());
    assert!(!dump.windows(b"@example.com".len()).any(|w| w == b"@example.com"), "a login in clear in the file");
}

#[test]
fn the_sqlite_counter_is_shared_and_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (a, b) = (SqliteSessions::open(&path).unwrap(), SqliteSessions::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows = |k: &TokenHash| {
        conn.query_row("SELECT COUNT(*) FROM userform_serve_attempts WHERE key = ?1", [&k[..]], |r| r.get(0)).unwrap()
    };
    counter_contract(&a, &b, &rows);
    concurrent_attempts_are_each_counted(Arc::new(a), Arc::new(b), 8);
}

/// The PostgreSQL tests one at a time: the instances sweep ended windows at the real clock,
/// which would take the contract's windows (in 1970) from under it.
static PG: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn two_instances_on_one_postgres_database_share_the_limits() {
    let Some(url) = pg_url() else { return };
    let _one_at_a_time = PG.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    instances_share_the_limits(&url);
}

#[test]
fn the_postgres_counter_is_shared_and_atomic() {
    let Some(url) = pg_url() else { return };
    let _one_at_a_time = PG.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let (a, b) = (PgSessions::connect(&url).unwrap(), PgSessions::connect(&url).unwrap().max_connections(3));
    let conn = RefCell::new(postgres::Client::connect(&url, postgres::NoTls).unwrap());
    let rows = |k: &TokenHash| -> i64 {
        let sql = "SELECT COUNT(*) FROM userform_serve_attempts WHERE key = $1";
        conn.borrow_mut().query_one(sql, &[&&k[..]]).unwrap().get(0)
    };
    counter_contract(&a, &b, &rows);

    // The table holds the hashes of a login and an address, never their text.
    let login = format!("carol-{}@example.com", token::random_id().unwrap());
    let limit = SignInLimit::new(Arc::new(a), 5, 5, Duration::from_secs(60));
    limit.attempt(&login, "2001:db8::7").unwrap();
    assert_eq!((rows(&login_key(&login)), rows(&address_key("2001:db8::7"))), (1, 1));
    let sql = "SELECT COUNT(*) FROM userform_serve_attempts WHERE position($1::bytea IN key) > 0";
    let clear: i64 = conn.borrow_mut().query_one(sql, &[&login.as_bytes()]).unwrap().get(0);
    assert_eq!(clear, 0);

    concurrent_attempts_are_each_counted(Arc::new(b), Arc::new(PgSessions::connect(&url).unwrap()), 8);
}
