//! Crash safety of the SQLite store (feature `sqlite`).
//!
//! The test re-executes its own binary in a child mode (selected by an environment variable)
//! that streams commits to a database file and prints `ACK <version>` once each commit has
//! returned `Ok`. The parent reads a few hundred acknowledgements, kills the child with SIGKILL
//! (`Child::kill` on Unix) while it is writing, reopens the file, and checks that SQLite finds it
//! sound (`PRAGMA integrity_check` is `ok`) and that every acknowledged update is there. Five
//! rounds run against the same file, each resuming where the last left off.
//!
//! A second test does the same with eight writer threads, so that group commit carries several
//! commits per transaction (the store's default; `tests/store_group.rs` tests the groups
//! themselves).
//!
//! This kills the process, not the machine: it shows that an acknowledged commit is in the
//! database file and that a half-done one is rolled back. Surviving power loss as well rests on
//! `synchronous=FULL`, which syncs the write-ahead log before a commit returns.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::json;
use userform::{identity, UserRecord};
use userform::{IdentityKeys, SqliteStore, StoreError, UserStore};

/// Set (to the database path) in the child process.
const CHILD_ENV: &str = "USERFORM_CRASH_CHILD_DB";
const TEST_NAME: &str = "sqlite_keeps_every_acknowledged_commit_across_sigkill";
const ROUNDS: usize = 5;
const ACKS_PER_ROUND: u64 = 150;

#[test]
fn sqlite_keeps_every_acknowledged_commit_across_sigkill() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        writer(&path);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    {
        let s = SqliteStore::open(&path).unwrap();
        for r in [UserRecord::new("u1", "even@x.io", "crash"), UserRecord::new("u2", "", "crash")] {
            s.insert(&r, &IdentityKeys::of(&r)).unwrap();
        }
    }
    let mut acked = 0u64;
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the writer");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut this_round = 0;
        while this_round < ACKS_PER_ROUND {
            let line = match lines.next() {
                Some(Ok(line)) => line,
                other => {
                    let _ = child.kill();
                    panic!("round {round}: the writer stopped after {this_round} acks: {other:?}, {:?}", child.wait());
                }
            };
            // The harness prints `test NAME ... ` before the child's first line, unterminated.
            if let Some((_, v)) = line.rsplit_once("ACK ") {
                let v: u64 = v.trim().parse().unwrap();
                assert_eq!(v, acked + 1, "acks are consecutive versions");
                acked = v;
                this_round += 1;
            }
        }
        // SIGKILL, mid-stream: the writer is committing as fast as it can.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "the writer was killed, not finished: {status:?}");

        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.integrity_check().unwrap(), "ok", "round {round}");
        let r = s.get("u1").unwrap().unwrap();
        assert!(r.version >= acked, "round {round}: version {} < acknowledged {acked}", r.version);
        let state = r.state.to_value();
        let state = state.as_object().unwrap();
        // Every committed version is there, acknowledged or not (one may have committed after
        // its last ack was printed), and nothing else.
        assert_eq!(state.len() as u64, r.version, "round {round}");
        for v in 1..=r.version {
            assert_eq!(state.get(&format!("v{v}")), Some(&json!(v)), "round {round}: update {v} lost");
        }
        // The identity index agrees with the records.
        let expected = if r.version.is_multiple_of(2) { "even@x.io" } else { "odd@x.io" };
        assert_eq!(r.identifier, expected);
        assert_eq!(s.identity_owner(&identity::key(expected)).unwrap().as_deref(), Some("u1"));
        let other = if r.version.is_multiple_of(2) { "odd@x.io" } else { "even@x.io" };
        assert_eq!(s.identity_owner(other).unwrap(), None);
        assert_eq!(s.get("u2").unwrap().unwrap().version, 0);
        acked = r.version;
    }
}

/// The child: commit forever (bounded), printing each acknowledged version.
fn writer(path: &str) {
    let s = SqliteStore::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    for _ in 0..1_000_000 {
        let mut r = s.get("u1").unwrap().unwrap();
        let expected = r.version;
        r.version += 1;
        let mut state = r.state.to_value();
        state.as_object_mut().unwrap().insert(format!("v{}", r.version), json!(r.version));
        r.state = state.into();
        // The identity flips on every commit, so the unique index is rewritten each time too.
        r.identifier = if r.version.is_multiple_of(2) { "even@x.io" } else { "odd@x.io" }.into();
        match s.commit(expected, &r, &IdentityKeys::of(&r)) {
            Ok(()) => {
                writeln!(out, "ACK {}", r.version).unwrap();
                out.flush().unwrap();
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => panic!("writer: {e}"),
        }
    }
}

/// Set (to the database path) in the child process of the grouped test.
const GROUP_CHILD_ENV: &str = "USERFORM_CRASH_GROUP_CHILD_DB";
const GROUP_TEST_NAME: &str = "sqlite_keeps_every_acknowledged_grouped_commit_across_sigkill";
const GROUP_THREADS: usize = 8;
const GROUP_ROUNDS: usize = 3;
const GROUP_ACKS_PER_ROUND: usize = 400;

/// The same with group commit (the store's default) carrying several commits per transaction:
/// eight threads of the child each commit their own user; the child also reports its
/// transaction and write counts, so that the test knows commits did share transactions.
#[test]
fn sqlite_keeps_every_acknowledged_grouped_commit_across_sigkill() {
    if let Ok(path) = std::env::var(GROUP_CHILD_ENV) {
        group_writer(&path);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    {
        let s = SqliteStore::open(&path).unwrap();
        for t in 0..GROUP_THREADS {
            s.insert_record(&UserRecord::new(format!("g{t}"), format!("g{t}@x.io"), "crash")).unwrap();
        }
    }
    let mut acked = [0u64; GROUP_THREADS];
    let mut grouped = false;
    for round in 0..GROUP_ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", GROUP_TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(GROUP_CHILD_ENV, &path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the writers");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut this_round = 0;
        while this_round < GROUP_ACKS_PER_ROUND {
            let line = match lines.next() {
                Some(Ok(line)) => line,
                other => {
                    let _ = child.kill();
                    panic!("round {round}: the writers stopped after {this_round} acks: {other:?}, {:?}", child.wait());
                }
            };
            if let Some((_, ack)) = line.rsplit_once("ACK ") {
                let (t, v) = ack.trim().split_once(' ').unwrap();
                let (t, v): (usize, u64) = (t.parse().unwrap(), v.parse().unwrap());
                assert_eq!(v, acked[t] + 1, "acks of one user are consecutive versions");
                acked[t] = v;
                this_round += 1;
            } else if let Some((_, stats)) = line.rsplit_once("STATS ") {
                let (tx, writes) = stats.trim().split_once(' ').unwrap();
                grouped |= tx.parse::<u64>().unwrap() < writes.parse::<u64>().unwrap();
            }
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "the writers were killed, not finished: {status:?}");

        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.integrity_check().unwrap(), "ok", "round {round}");
        for (t, acked) in acked.iter_mut().enumerate() {
            let r = s.get(&format!("g{t}")).unwrap().unwrap();
            assert!(r.version >= *acked, "round {round}: g{t} at version {} < acknowledged {acked}", r.version);
            let state = r.state.to_value();
            let state = state.as_object().unwrap();
            assert_eq!(state.len() as u64, r.version, "round {round}: g{t}");
            for v in 1..=r.version {
                assert_eq!(state.get(&format!("v{v}")), Some(&json!(v)), "round {round}: g{t} update {v} lost");
            }
            *acked = r.version;
        }
    }
    assert!(grouped, "no transaction of the child carried more than one commit");
}

/// The grouped child: eight threads commit forever (bounded), printing each acknowledged
/// version, and thread 0 the store's counts now and then.
fn group_writer(path: &str) {
    let s = SqliteStore::open(path).unwrap();
    std::thread::scope(|sc| {
        for t in 0..GROUP_THREADS {
            let s = &s;
            sc.spawn(move || {
                for i in 0..1_000_000u64 {
                    let mut r = s.get(&format!("g{t}")).unwrap().unwrap();
                    let expected = r.version;
                    r.version += 1;
                    let mut state = r.state.to_value();
                    state.as_object_mut().unwrap().insert(format!("v{}", r.version), json!(r.version));
                    r.state = state.into();
                    s.commit_record(expected, &r).unwrap_or_else(|e| panic!("writer g{t}: {e}"));
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "ACK {t} {}", r.version).unwrap();
                    if t == 0 && i % 20 == 0 {
                        let stats = s.write_stats();
                        writeln!(out, "STATS {} {}", stats.transactions, stats.writes).unwrap();
                    }
                    out.flush().unwrap();
                }
            });
        }
    });
}
