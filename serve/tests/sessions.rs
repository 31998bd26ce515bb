//! The session tables on both databases, with the clock in the test's hands: only hashes are
//! stored, a refresh rotates, the replaced token works for the grace period and not after,
//! revocation by session, by user and by user but one session, archive, purge, migrations,
//! and Backendless' user-tokens kept apart from the OneEntry face's tokens; on PostgreSQL, a pool
//! of connections: operations side by side, at most the pool's size, and reconnection when the
//! server drops them.
//!
//! PostgreSQL runs with `USERFORM_PG_URL` set (`eval "$(bash scripts/postgres.sh start)"`);
//! without it the test prints a loud SKIPPED line, and fails in CI.

use std::sync::{mpsc, Arc};
use std::time::Duration;

use userform_serve::sessions::{
    self, AttemptCounter, Kind, NewToken, PgSessions, SessionBackend, SessionRef, SqliteSessions,
};
use userform_serve::token;

const GRACE: i64 = 30_000;

fn session(tag: &str) -> SessionRef {
    let (id, _) = token::generate().unwrap();
    SessionRef { session_id: id, user_id: format!("{tag}-{}", token::random_id().unwrap()) }
}

fn pair(now: i64) -> (String, String, Vec<NewToken>) {
    let (access, ah) = token::generate().unwrap();
    let (refresh, rh) = token::generate().unwrap();
    let tokens = vec![
        NewToken { hash: ah, kind: Kind::Access, expires_at: now + 1_000 },
        NewToken { hash: rh, kind: Kind::Refresh, expires_at: now + 100_000 },
    ];
    (access, refresh, tokens)
}

fn contract(b: &dyn SessionBackend) {
    let now = 1_000_000;
    let s = session("rotation");
    let (access, r0, tokens) = pair(now);
    b.insert(&s, &tokens).unwrap();

    // Access tokens are found by hash, only as access tokens, only until they expire.
    assert_eq!(b.access(&token::hash(&access), now).unwrap(), Some(s.clone()));
    assert_eq!(b.access(&token::hash(&r0), now).unwrap(), None, "a refresh token is no access token");
    assert_eq!(b.access(&token::hash(&access), now + 1_000).unwrap(), None, "expired");
    assert_eq!(b.rotate(&token::hash(&access), now, GRACE, &[]).unwrap(), None, "an access token cannot refresh");

    // A Backendless user-token is found only as one: it is no access or refresh token, and an
    // access token is no user-token.
    let bl = session("user-token");
    let (_, uh) = token::generate().unwrap();
    b.insert(&bl, &[NewToken { hash: uh, kind: Kind::UserToken, expires_at: now + 100_000 }]).unwrap();
    assert_eq!(b.lookup(&uh, Kind::UserToken, now).unwrap(), Some(bl.clone()));
    assert_eq!(b.access(&uh, now).unwrap(), None, "a user-token is no access token");
    assert_eq!(b.lookup(&token::hash(&access), Kind::UserToken, now).unwrap(), None);
    assert_eq!(b.lookup(&token::hash(&r0), Kind::Refresh, now).unwrap(), None, "refresh tokens are not looked up");
    assert_eq!(b.refresh_session(&uh, now, GRACE).unwrap(), None);
    assert_eq!(b.rotate(&uh, now, GRACE, &[]).unwrap(), None, "a user-token cannot refresh");
    assert_eq!(b.lookup(&uh, Kind::UserToken, now + 100_000).unwrap(), None, "expired");
    b.revoke_session(&bl.session_id).unwrap();
    assert_eq!(b.lookup(&uh, Kind::UserToken, now).unwrap(), None, "revoked with its session");

    // Rotation: r0 → r1; r0 again within the grace period → r2; after it, refused.
    let (_, r1, next) = pair(now + 10);
    assert_eq!(b.rotate(&token::hash(&r0), now + 10, GRACE, &next).unwrap(), Some(s.clone()));
    let (a2, _, again) = pair(now + 20);
    assert_eq!(b.rotate(&token::hash(&r0), now + 20, GRACE, &again).unwrap(), Some(s.clone()), "grace");
    assert_eq!(b.access(&token::hash(&a2), now + 20).unwrap(), Some(s.clone()));
    let (_, _, late) = pair(now + 10 + GRACE + 1);
    assert_eq!(b.rotate(&token::hash(&r0), now + 10 + GRACE + 1, GRACE, &late).unwrap(), None, "grace over");
    assert_eq!(b.refresh_session(&token::hash(&r0), now + 10 + GRACE + 1, GRACE).unwrap(), None);
    assert_eq!(b.refresh_session(&token::hash(&r1), now + 10 + GRACE + 1, GRACE).unwrap(), Some(s.clone()));
    assert_eq!(b.rotate(&token::hash(&r1), now + 200_000, GRACE, &[]).unwrap(), None, "refresh token expired");

    // Revocation: one session; a user's but one; a user's all.
    let user = session("revoke");
    let other = SessionRef { session_id: token::generate().unwrap().0, user_id: user.user_id.clone() };
    let third = SessionRef { session_id: token::generate().unwrap().0, user_id: user.user_id.clone() };
    let (ua, _, t1) = pair(now);
    let (oa, _, t2) = pair(now);
    let (ta, _, t3) = pair(now);
    b.insert(&user, &t1).unwrap();
    b.insert(&other, &t2).unwrap();
    b.insert(&third, &t3).unwrap();
    b.revoke_session(&third.session_id).unwrap();
    assert_eq!(b.access(&token::hash(&ta), now).unwrap(), None);
    b.revoke_user(&user.user_id, Some(&user.session_id)).unwrap();
    assert_eq!(b.access(&token::hash(&ua), now).unwrap(), Some(user.clone()), "the kept session");
    assert_eq!(b.access(&token::hash(&oa), now).unwrap(), None);
    b.revoke_user(&user.user_id, None).unwrap();
    assert_eq!(b.access(&token::hash(&ua), now).unwrap(), None);

    // Archive: marked, and every token gone.
    let archived = session("archive");
    let (aa, _, t) = pair(now);
    b.insert(&archived, &t).unwrap();
    assert!(!b.is_archived(&archived.user_id).unwrap());
    b.archive(&archived.user_id, now).unwrap();
    b.archive(&archived.user_id, now).unwrap(); // twice is fine
    assert!(b.is_archived(&archived.user_id).unwrap());
    assert_eq!(b.access(&token::hash(&aa), now).unwrap(), None);

    // Purge removes what expired, keeps what lives.
    let kept = session("purge");
    let (ka, _, t) = pair(now);
    b.insert(&kept, &t).unwrap();
    b.purge(now + 500, GRACE).unwrap();
    assert_eq!(b.access(&token::hash(&ka), now + 500).unwrap(), Some(kept));
}

#[test]
fn sqlite_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let b = SqliteSessions::open(&path).unwrap();
    assert_eq!(b.schema_version().unwrap(), 2);
    contract(&b);
    // Reopening migrates nothing twice.
    drop(b);
    assert_eq!(SqliteSessions::open(&path).unwrap().schema_version().unwrap(), 2);

    // Only hashes are stored: no token text anywhere in the table.
    let b = SqliteSessions::open(&path).unwrap();
    let s = session("hashes");
    let (access, refresh, tokens) = pair(0);
    b.insert(&s, &tokens).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows: Vec<Vec<u8>> = conn
        .prepare("SELECT hash FROM userform_serve_tokens WHERE session_id = ?1")
        .unwrap()
        .query_map([&s.session_id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut expected = vec![token::hash(&access).to_vec(), token::hash(&refresh).to_vec()];
    let mut rows = rows;
    rows.sort();
    expected.sort();
    assert_eq!(rows, expected);
    // The WAL holds the latest writes: look there too.
    let mut dump: Vec<u8> = std::fs::read(&path).unwrap();
    dump.extend(std::fs::read(dir.path().join("s.db-wal")).unwrap_or_default());
    assert!(dump.windows(32).any(|w| w == token::hash(&access)), "the hash is there");
    for t in [&access, &refresh] {
        assert!(!dump.windows(t.len()).any(|w| w == t.as_bytes()), "a token in clear in the file");
    }
}

#[test]
fn postgres_sessions() {
    let Ok(url) = std::env::var("USERFORM_PG_URL") else {
        assert!(std::env::var_os("CI").is_none(), "USERFORM_PG_URL must be set in CI");
        eprintln!("SKIPPED: PostgreSQL session tests (set USERFORM_PG_URL)");
        return;
    };
    // Several instances start at once: migrations under the advisory lock, applied once.
    let opened: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || PgSessions::connect(&url).map(|b| b.schema_version().unwrap()))
        })
        .collect();
    for t in opened {
        assert_eq!(t.join().unwrap().unwrap(), 2);
    }
    contract(&PgSessions::connect(&url).unwrap());
}

/// `url` with connections named `name`, to find them in `pg_stat_activity`.
fn named(url: &str, name: &str) -> String {
    format!("{url}{}application_name={name}", if url.contains('?') { '&' } else { '?' })
}

/// Connections of the pool named `name` open on the server.
fn backends(admin: &mut postgres::Client, name: &str) -> i64 {
    admin.query_one("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1", &[&name]).unwrap().get(0)
}

/// A session with a refresh token whose row `admin` holds locked (as a slow transaction
/// would): rotating it waits until `admin` lets go. Its access token, refresh token and the
/// session.
fn locked_session(b: &PgSessions, admin: &mut postgres::Transaction<'_>, now: i64) -> (String, String, SessionRef) {
    let s = session("pool");
    let (access, refresh, tokens) = pair(now);
    b.insert(&s, &tokens).unwrap();
    admin
        .execute("SELECT 1 FROM userform_serve_tokens WHERE hash = $1 FOR UPDATE", &[&&token::hash(&refresh)[..]])
        .unwrap();
    (access, refresh, s)
}

/// Runs `f` on a thread; its answer within `wait`, or `Err` with the thread still running.
fn within<T: Send + 'static>(wait: Duration, f: impl FnOnce() -> T + Send + 'static) -> Result<T, mpsc::Receiver<T>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(f()).unwrap());
    rx.recv_timeout(wait).map_err(|_| rx)
}

#[test]
fn postgres_sessions_run_side_by_side_within_their_pool() {
    let Ok(url) = std::env::var("USERFORM_PG_URL") else {
        eprintln!("SKIPPED: PostgreSQL pool tests (set USERFORM_PG_URL)");
        return;
    };
    let name = format!("uf-pool-{}", token::random_id().unwrap());
    let b = Arc::new(PgSessions::connect(&named(&url, &name)).unwrap().max_connections(2));
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut lock = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let now = sessions::now_ms();
    let mut tx = lock.transaction().unwrap();
    let (access, r1, s) = locked_session(&b, &mut tx, now);
    let (_, r2, s2) = locked_session(&b, &mut tx, now);

    // One operation waits on a row lock; another runs beside it on a second connection.
    let rotate = |r: String| {
        let b = b.clone();
        move || b.rotate(&token::hash(&r), now + 1, GRACE, &pair(now + 1).2).unwrap()
    };
    let first = within(Duration::from_millis(300), rotate(r1)).expect_err("waits for the row lock");
    let b2 = b.clone();
    let a = access.clone();
    let found = within(Duration::from_secs(5), move || b2.access(&token::hash(&a), now).unwrap());
    assert_eq!(found.ok().flatten(), Some(s.clone()), "a lookup is not queued behind the waiting rotation");

    // Both connections busy: a third operation waits for one, and no third is opened.
    let second = within(Duration::from_millis(300), rotate(r2)).expect_err("waits for the row lock");
    let b3 = b.clone();
    let third = within(Duration::from_millis(300), move || b3.access(&token::hash(&access), now).unwrap())
        .expect_err("waits for a connection");
    assert_eq!(backends(&mut admin, &name), 2, "at most max_connections");

    tx.rollback().unwrap();
    let wait = Duration::from_secs(10);
    assert_eq!(first.recv_timeout(wait).unwrap(), Some(s.clone()));
    assert_eq!(second.recv_timeout(wait).unwrap(), Some(s2));
    assert_eq!(third.recv_timeout(wait).unwrap(), Some(s));
}

#[test]
fn postgres_sessions_reconnect_when_the_server_drops_their_connections() {
    let Ok(url) = std::env::var("USERFORM_PG_URL") else {
        eprintln!("SKIPPED: PostgreSQL pool tests (set USERFORM_PG_URL)");
        return;
    };
    let name = format!("uf-drop-{}", token::random_id().unwrap());
    let b = Arc::new(PgSessions::connect(&named(&url, &name)).unwrap());
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let now = sessions::now_ms();
    // Two connections in the pool: one held by a rotation waiting on a lock, one beside it.
    let mut lock = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut tx = lock.transaction().unwrap();
    let (access, refresh, s) = locked_session(&b, &mut tx, now);
    let b1 = b.clone();
    let waiting = within(Duration::from_millis(300), move || {
        b1.rotate(&token::hash(&refresh), now + 1, GRACE, &pair(now + 1).2).unwrap()
    })
    .expect_err("waits for the row lock");
    assert_eq!(b.access(&token::hash(&access), now).unwrap(), Some(s.clone()));
    tx.rollback().unwrap();
    assert!(waiting.recv_timeout(Duration::from_secs(10)).unwrap().is_some());
    assert_eq!(backends(&mut admin, &name), 2);

    // The server drops both (as a restart would): every kind of operation still succeeds, the
    // first one after the drop on a fresh connection, and the dead idle one is not tried.
    let killed: i64 = admin
        .query_one(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) t",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(killed, 2);
    assert_eq!(b.access(&token::hash(&access), now).unwrap(), Some(s.clone()), "a read");
    let s2 = session("after-drop");
    let (a2, _, t2) = pair(now);
    b.insert(&s2, &t2).unwrap();
    assert_eq!(b.access(&token::hash(&a2), now).unwrap(), Some(s2));
    assert_eq!(b.hit(&token::generate().unwrap().1, now, 60_000).unwrap().hits, 1);
    assert_eq!(backends(&mut admin, &name), 1, "one fresh connection did it all");

    // Again, with an operation that writes first.
    admin
        .execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", &[&name])
        .unwrap();
    b.revoke_session(&s.session_id).unwrap();
    assert_eq!(b.access(&token::hash(&access), now).unwrap(), None);
}
