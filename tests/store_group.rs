//! Group commit in the SQLite store (feature `sqlite`): many threads committing at once, and a
//! group in which some writes fail their own checks while the others land.
//!
//! The store's shared suite (`tests/store_suite.rs`) runs against the store with group commit on
//! and off; the SIGKILL test (`tests/store_crash.rs`) kills a process of concurrent grouped
//! writers. Here, to know which writes share a group, a test holds SQLite's write lock from a
//! connection of its own: the store's first write then waits in `BEGIN IMMEDIATE`, every write
//! made meanwhile queues behind it, and releasing the lock lets the queue through as one group
//! (checked with [`SqliteStore::write_stats`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use serde_json::json;
use userform::{identity, SqliteOptions, SqliteStore, SqliteSync, StoreError, UserRecord, UserStore};

fn open(dir: &tempfile::TempDir) -> SqliteStore {
    SqliteStore::open(dir.path().join("users.db")).unwrap()
}

/// The record's next version with `state.n` set.
fn next(s: &SqliteStore, id: &str, n: u64) -> (u64, UserRecord) {
    let mut r = s.get(id).unwrap().unwrap();
    let expected = r.version;
    r.version += 1;
    r.state = json!({ "n": n }).into();
    (expected, r)
}

#[test]
fn group_commit_is_on_by_default_and_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(open(&dir).options(), SqliteOptions { group_commit: true, sync: SqliteSync::Full });
    let off = SqliteOptions { group_commit: false, sync: SqliteSync::Normal };
    let s = SqliteStore::open_with(dir.path().join("other.db"), off).unwrap();
    assert_eq!(s.options(), off);
    let c = rusqlite::Connection::open(dir.path().join("other.db")).unwrap();
    assert_eq!(c.query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0)).unwrap(), "wal");
}

/// 32 threads, each committing its own user 40 times as fast as it can, all at once: every
/// commit lands, and commits shared transactions.
#[test]
fn many_threads_committing_at_once_share_transactions() {
    const THREADS: usize = 32;
    const EACH: u64 = 40;
    let dir = tempfile::tempdir().unwrap();
    let s = open(&dir);
    for t in 0..THREADS {
        s.insert_record(&UserRecord::new(format!("u{t}"), format!("u{t}@x.io"), "group")).unwrap();
    }
    let before = s.write_stats();
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|sc| {
        for t in 0..THREADS {
            let (s, barrier) = (&s, &barrier);
            sc.spawn(move || {
                barrier.wait();
                for n in 1..=EACH {
                    let (expected, r) = next(s, &format!("u{t}"), n);
                    assert_eq!(s.commit_record(expected, &r), Ok(()), "u{t} version {n}");
                }
            });
        }
    });
    for t in 0..THREADS {
        let r = s.get(&format!("u{t}")).unwrap().unwrap();
        assert_eq!((r.version, r.state.to_value()), (EACH, json!({ "n": EACH })), "u{t}");
    }
    let stats = s.write_stats();
    let (transactions, writes) = (stats.transactions - before.transactions, stats.writes - before.writes);
    assert_eq!(writes, THREADS as u64 * EACH);
    // One fsync per commit would be 1280 transactions; the threads wait on each other's.
    assert!(transactions < writes, "no commit shared a transaction: {stats:?}");
    assert_eq!(s.integrity_check().unwrap(), "ok");
}

/// Holds SQLite's write lock on `path` from a connection of its own until dropped.
struct WriteLock(rusqlite::Connection);

impl WriteLock {
    fn take(path: &std::path::Path) -> Self {
        let c = rusqlite::Connection::open(path).unwrap();
        c.execute_batch("BEGIN IMMEDIATE").unwrap();
        WriteLock(c)
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

/// One write of the group, what it is expected to answer, and the record it leaves.
type Write = Box<dyn FnOnce(&SqliteStore) -> Result<(), StoreError> + Send>;

/// A group of writes in which a stale commit, an identity claimed from its holder, two commits
/// of one version, two claims to one free identity and a duplicate insert fail alone, each with
/// its own error, while the others land; none of them is answered before the group committed.
#[test]
fn failing_writes_in_a_group_fail_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.db");
    let s = Arc::new(SqliteStore::open(&path).unwrap());
    for id in ["plug", "good", "stale", "thief", "holder", "twice", "claim1", "claim2", "bystander"] {
        s.insert_record(&UserRecord::new(id, format!("{id}@x.io"), "group")).unwrap();
    }
    let unchanged = |s: &SqliteStore, id: &str| serde_json::to_string(&s.get(id).unwrap().unwrap()).unwrap();
    let (stale_before, thief_before) = (unchanged(&s, "stale"), unchanged(&s, "thief"));

    let good = next(&s, "good", 1);
    let (_, mut stale) = next(&s, "stale", 1);
    stale.version = 6;
    let (thief_v, mut thief) = next(&s, "thief", 1);
    thief.identifier = "HOLDER@x.io".into();
    let (twice_v, twice_a) = next(&s, "twice", 1);
    let (_, twice_b) = next(&s, "twice", 2);
    let (c1_v, mut claim1) = next(&s, "claim1", 1);
    claim1.identifier = "free@x.io".into();
    let (c2_v, mut claim2) = next(&s, "claim2", 1);
    claim2.identifier = "Free@X.io".into();
    let writes: Vec<(&str, Write)> = vec![
        ("good", Box::new(move |s| s.commit_record(good.0, &good.1))),
        ("stale", Box::new(move |s| s.commit_record(5, &stale))),
        ("thief", Box::new(move |s| s.commit_record(thief_v, &thief))),
        ("twice a", Box::new(move |s| s.commit_record(twice_v, &twice_a))),
        ("twice b", Box::new(move |s| s.commit_record(twice_v, &twice_b))),
        ("claim1", Box::new(move |s| s.commit_record(c1_v, &claim1))),
        ("claim2", Box::new(move |s| s.commit_record(c2_v, &claim2))),
        ("duplicate", Box::new(|s| s.insert_record(&UserRecord::new("bystander", "", "group")))),
        ("new", Box::new(|s| s.insert_record(&UserRecord::new("new", "new@x.io", "group")))),
    ];

    let before = s.write_stats();
    let lock = WriteLock::take(&path);
    let answered = Arc::new(AtomicUsize::new(0));
    // The plug: the store's next write, which waits for the lock in `BEGIN IMMEDIATE`.
    let plug = {
        let (s, answered) = (s.clone(), answered.clone());
        std::thread::spawn(move || {
            let (v, r) = next(&s, "plug", 1);
            let out = s.commit_record(v, &r);
            answered.fetch_add(1, Ordering::SeqCst);
            out
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let handles: Vec<_> = writes
        .into_iter()
        .map(|(name, write)| {
            let (s, answered) = (s.clone(), answered.clone());
            std::thread::spawn(move || {
                let out = write(&s);
                answered.fetch_add(1, Ordering::SeqCst);
                (name, out)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(answered.load(Ordering::SeqCst), 0, "a write was answered while the lock kept it from committing");
    drop(lock);
    assert_eq!(plug.join().unwrap(), Ok(()));
    let answers: std::collections::BTreeMap<&str, Result<(), StoreError>> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();

    let after = s.write_stats();
    assert_eq!(
        (after.transactions - before.transactions, after.writes - before.writes),
        (2, 10),
        "the plug's transaction, then the nine queued writes in one"
    );
    assert_eq!(answers["good"], Ok(()));
    assert_eq!(answers["stale"], Err(StoreError::Conflict));
    assert_eq!(answers["thief"], Err(StoreError::IdentityTaken(identity::key("holder@x.io"))));
    // Of two commits of one version, the first queued wins; of two claims, likewise.
    let mut twice = [&answers["twice a"], &answers["twice b"]];
    twice.sort_by_key(|a| a.is_err());
    assert_eq!(twice, [&Ok(()), &Err(StoreError::Conflict)]);
    let mut claims = [&answers["claim1"], &answers["claim2"]];
    claims.sort_by_key(|a| a.is_err());
    assert_eq!(claims, [&Ok(()), &Err(StoreError::IdentityTaken(identity::key("free@x.io")))]);
    assert_eq!(answers["duplicate"], Err(StoreError::DuplicateId("bystander".into())));
    assert_eq!(answers["new"], Ok(()));

    // What landed is there for a fresh connection; what failed left its record as it was.
    drop(s);
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.get("good").unwrap().unwrap().version, 1);
    assert_eq!(s.get("plug").unwrap().unwrap().version, 1);
    assert_eq!(s.get("new").unwrap().unwrap().identifier, "new@x.io");
    assert_eq!((unchanged(&s, "stale"), unchanged(&s, "thief")), (stale_before, thief_before));
    assert_eq!(s.identity_owner(&identity::key("holder@x.io")).unwrap().as_deref(), Some("holder"));
    assert_eq!(s.identity_owner(&identity::key("thief@x.io")).unwrap().as_deref(), Some("thief"));
    let twice = s.get("twice").unwrap().unwrap();
    assert_eq!(twice.version, 1, "one of the two landed");
    let owner = s.identity_owner(&identity::key("free@x.io")).unwrap().unwrap();
    let loser = if owner == "claim1" { "claim2" } else { "claim1" };
    assert_eq!(s.get(loser).unwrap().unwrap().version, 0);
    assert_eq!(
        s.identity_owner(&identity::key(&format!("{owner}@x.io"))).unwrap(),
        None,
        "the winner's old key is free"
    );
    assert_eq!(s.identity_owner(&identity::key(&format!("{loser}@x.io"))).unwrap().as_deref(), Some(loser));
    assert_eq!(s.get("bystander").unwrap().unwrap().identifier, "bystander@x.io");
    assert_eq!(s.integrity_check().unwrap(), "ok");
}
