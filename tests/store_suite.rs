//! One store test suite, run unchanged against every store: [`MemoryStore`], `SqliteStore`
//! (feature `sqlite`; with group commit on, the default, and off) and `PostgresStore` (feature
//! `postgres`).
//!
//! Each test is a generic function over a store; the `suite!` macro instantiates all of them for
//! one store. Store-level tests check the [`UserStore`] contract directly (versions, the identity
//! index, races, byte-for-byte unchanged records after a failed commit); engine-level tests drive
//! the same stores through [`Engine::update`] (no lost updates, 3018 under an identity race,
//! conflicts surfacing as 3024 `conflict`).
//!
//! PostgreSQL: the tests read `USERFORM_PG_URL` (`eval "$(scripts/postgres.sh)"` starts a
//! throwaway server and sets it). Without it they pass after printing a loud `SKIPPED` line,
//! unless `CI` is set, where they fail.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use serde_json::{json, Value};
use userform::{identity, Engine, MemoryStore, Registry, RegistryOptions, Request, StoredEntry, UserRecord};
use userform::{IdentityKeys, StoreError, UserStore};

// ---------------------------------------------------------------------------------------------
// Fixtures

/// A store under test, with whatever must live as long as it (a temporary directory).
struct Fixture<S> {
    store: Arc<S>,
    _dir: Option<tempfile::TempDir>,
}

/// A name no other test (nor another run against the same database) uses.
fn unique(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{tag}-{}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed), nanos % 1_000_000_000_000)
}

fn memory() -> Option<Fixture<MemoryStore>> {
    Some(Fixture { store: Arc::new(MemoryStore::new()), _dir: None })
}

#[cfg(feature = "sqlite")]
fn sqlite() -> Option<Fixture<userform::SqliteStore>> {
    let dir = tempfile::tempdir().unwrap();
    let store = userform::SqliteStore::open(dir.path().join("users.db")).unwrap();
    Some(Fixture { store: Arc::new(store), _dir: Some(dir) })
}

/// The SQLite store with group commit off: one transaction per write.
#[cfg(feature = "sqlite")]
fn sqlite_each() -> Option<Fixture<userform::SqliteStore>> {
    let dir = tempfile::tempdir().unwrap();
    let options = userform::SqliteOptions { group_commit: false, ..Default::default() };
    let store = userform::SqliteStore::open_with(dir.path().join("users.db"), options).unwrap();
    Some(Fixture { store: Arc::new(store), _dir: Some(dir) })
}

#[cfg(feature = "sqlite")]
fn sqlite_in_memory() -> Option<Fixture<userform::SqliteStore>> {
    Some(Fixture { store: Arc::new(userform::SqliteStore::in_memory().unwrap()), _dir: None })
}

/// `USERFORM_PG_URL`, or `None` (after a loud notice) when it is unset outside CI.
#[cfg(feature = "postgres")]
fn pg_url() -> Option<String> {
    use std::io::Write;
    match std::env::var("USERFORM_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
                panic!("CI is set but USERFORM_PG_URL is not: the PostgreSQL tests must run in CI (eval \"$(scripts/postgres.sh)\")");
            }
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                // Straight to stderr: the test harness captures `eprintln!` of passing tests.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n************************************************************************\n\
                     SKIPPED: PostgreSQL tests (set USERFORM_PG_URL or run scripts/postgres.sh)\n\
                     ************************************************************************\n"
                );
            });
            None
        }
    }
}

#[cfg(feature = "postgres")]
fn postgres() -> Option<Fixture<userform::PostgresStore>> {
    let url = pg_url()?;
    let store = userform::PostgresStore::connect(&url).unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
    Some(Fixture { store: Arc::new(store), _dir: None })
}

/// A record with something in every field, including a password hash.
fn full_record(id: &str, identifier: &str) -> UserRecord {
    let mut r = UserRecord::new(id, identifier, "suite");
    r.form_data.insert(
        "en_US".into(),
        vec![
            StoredEntry { marker: "m0".into(), kind: "string".into(), value: json!("zéro \u{1F600} \"quoted\"").into() },
            StoredEntry {
                marker: "m1".into(),
                kind: "list".into(),
                value: json!([{"title": "Red", "value": "red", "extended": null}, {"value": 2, "title": "Two", "extended": {"z": 1, "a": [1.5, -2]}}]).into(),
            },
        ],
    );
    r.form_data.insert(
        "fr_FR".into(),
        vec![StoredEntry { marker: "m0".into(), kind: "string".into(), value: json!("zéro").into() }],
    );
    r.notification_data.email = Some("n@x.io".into());
    r.notification_data.phone_push = vec!["+15551234567".into()];
    r.notification_data.phone_sms = Some("+15557654321".into());
    r.state = json!({"theme": "dark", "nested": {"n": 1, "list": [true, null, 2.25]}}).into();
    r.password_hash = Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".into());
    r
}

/// Inserts `r` holding its own keys, as the engine would compute them.
fn insert<S: UserStore + ?Sized>(s: &S, r: &UserRecord) -> Result<(), StoreError> {
    s.insert(r, &IdentityKeys::of(r))
}

/// Commits `r` holding its own keys, as the engine would compute them.
fn commit<S: UserStore + ?Sized>(s: &S, expected_version: u64, r: &UserRecord) -> Result<(), StoreError> {
    s.commit(expected_version, r, &IdentityKeys::of(r))
}

/// What "byte for byte" compares: the stored record as JSON, and the password hash (which the
/// JSON never holds).
fn snapshot(store: &dyn UserStore, id: &str) -> (String, Option<String>) {
    let r = store.get(id).unwrap().expect("record present");
    (serde_json::to_string(&r).unwrap(), r.password_hash)
}

// ---------------------------------------------------------------------------------------------
// Store-level tests

fn insert_and_get(s: &dyn UserStore) {
    let id = unique("ig");
    let ident = format!("{id}@Example.com");
    let r = full_record(&id, &ident);
    insert(s, &r).unwrap();
    let got = s.get(&id).unwrap().expect("inserted record");
    assert_eq!(got, r, "a record reads back as it was written");
    assert_eq!(got.password_hash, r.password_hash);
    assert_eq!(got.public(), r.public());
    assert_eq!(s.get(&unique("missing")).unwrap(), None);
    assert_eq!(s.identity_owner(&identity::key(&ident)).unwrap().as_deref(), Some(id.as_str()));
    assert_eq!(s.identity_owner(&identity::key(&unique("nobody"))).unwrap(), None);
    assert_eq!(s.identity_owner("").unwrap(), None, "the empty identity has no owner");

    // Duplicate id, taken identity: refused, nothing written.
    let mut dup = UserRecord::new(id.clone(), unique("other"), "suite");
    assert_eq!(insert(s, &dup), Err(StoreError::DuplicateId(id.clone())));
    dup.id = unique("ig2");
    dup.identifier = format!("  {}  ", ident.to_uppercase());
    assert_eq!(insert(s, &dup), Err(StoreError::IdentityTaken(identity::key(&ident))));
    assert_eq!(s.get(&dup.id).unwrap(), None);
    assert_eq!(s.get(&id).unwrap().unwrap(), r);

    // Any number of users may have no identity.
    for _ in 0..3 {
        insert(s, &UserRecord::new(unique("anon"), "", "suite")).unwrap();
    }
}

fn commit_checks_version(s: &dyn UserStore) {
    let id = unique("cv");
    insert(s, &full_record(&id, &format!("{id}@x.io"))).unwrap();
    let mut r = s.get(&id).unwrap().unwrap();
    r.state = json!({"v": 1}).into();
    r.version = 1;
    assert_eq!(commit(s, 7, &r), Err(StoreError::Conflict), "wrong expected version");
    commit(s, 0, &r).unwrap();
    assert_eq!(s.get(&id).unwrap().unwrap(), r);
    assert_eq!(commit(s, 0, &r), Err(StoreError::Conflict), "a stale version never overwrites");
    r.version = 2;
    r.password_hash = None;
    commit(s, 1, &r).unwrap();
    assert_eq!(s.get(&id).unwrap().unwrap().password_hash, None);
    let ghost = UserRecord::new(unique("ghost"), "", "suite");
    assert_eq!(commit(s, 0, &ghost), Err(StoreError::Conflict), "a missing record is a conflict");
    assert_eq!(s.get(&ghost.id).unwrap(), None, "commit never inserts");
}

fn identity_is_case_space_and_nfc_insensitive(s: &dyn UserStore) {
    let p = unique("nfc");
    let (a, b) = (format!("{p}-a"), format!("{p}-b"));
    let amelie = format!("Am\u{e9}lie.{p}@Example.com"); // precomposed é
    insert(s, &UserRecord::new(a.clone(), amelie.clone(), "suite")).unwrap();
    insert(s, &UserRecord::new(b.clone(), format!("{p}-b@x.io"), "suite")).unwrap();
    let key = identity::key(&amelie);
    for variant in [
        format!(" ame\u{301}lie.{p}@example.com "), // decomposed é, spaces
        amelie.to_uppercase(),
        format!("\tAME\u{301}LIE.{p}@EXAMPLE.COM"),
    ] {
        assert_eq!(identity::key(&variant), key);
        let mut r = s.get(&b).unwrap().unwrap();
        r.identifier = variant.clone();
        r.version += 1;
        assert_eq!(commit(s, r.version - 1, &r), Err(StoreError::IdentityTaken(key.clone())), "{variant:?}");
        let mut c = UserRecord::new(unique("nfc-c"), variant.clone(), "suite");
        assert_eq!(insert(s, &c), Err(StoreError::IdentityTaken(key.clone())), "{variant:?}");
        c.identifier.clear();
        insert(s, &c).unwrap();
    }
    // The owner may change the case of its own identity.
    let mut r = s.get(&a).unwrap().unwrap();
    r.identifier = amelie.to_uppercase();
    r.version += 1;
    commit(s, 0, &r).unwrap();
    assert_eq!(s.identity_owner(&key).unwrap().as_deref(), Some(a.as_str()));
    // Giving an identity up frees it.
    r.identifier = format!("{p}-new@x.io");
    r.version += 1;
    commit(s, 1, &r).unwrap();
    assert_eq!(s.identity_owner(&key).unwrap(), None);
    let mut rb = s.get(&b).unwrap().unwrap();
    rb.identifier = amelie.clone();
    rb.version += 1;
    commit(s, 0, &rb).unwrap();
    assert_eq!(s.identity_owner(&key).unwrap().as_deref(), Some(b.as_str()));
    assert_eq!(s.identity_owner(&identity::key(&format!("{p}-b@x.io"))).unwrap(), None);
}

fn failed_commit_leaves_record_unchanged(s: &dyn UserStore) {
    let p = unique("fc");
    let (a, b) = (format!("{p}-a"), format!("{p}-b"));
    insert(s, &full_record(&a, &format!("{p}-a@x.io"))).unwrap();
    insert(s, &full_record(&b, &format!("{p}-b@x.io"))).unwrap();
    let before = snapshot(s, &a);
    let mut r = s.get(&a).unwrap().unwrap();
    r.state = json!({"changed": true}).into();
    r.form_data.clear();
    r.password_hash = Some("$argon2id$other".into());
    r.version = 1;
    // Stale version.
    assert_eq!(commit(s, 5, &r), Err(StoreError::Conflict));
    assert_eq!(snapshot(s, &a), before);
    // Identity held by another user.
    r.identifier = format!("{p}-B@X.io");
    assert!(matches!(commit(s, 0, &r), Err(StoreError::IdentityTaken(_))));
    assert_eq!(snapshot(s, &a), before);
    assert_eq!(s.identity_owner(&identity::key(&format!("{p}-a@x.io"))).unwrap().as_deref(), Some(a.as_str()));
}

/// 16 threads, each committing its own user, race to take one free identity.
fn identity_race(s: &dyn UserStore) {
    const N: usize = 16;
    let p = unique("race");
    let free = format!("Free.{p}@Example.com");
    let key = identity::key(&free);
    let variants = [free.clone(), free.to_lowercase(), format!("  {}", free.to_uppercase()), format!("{free}\t")];
    let ids: Vec<String> = (0..N).map(|i| format!("{p}-{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        insert(s, &UserRecord::new(id.clone(), format!("{p}-own{i}@x.io"), "suite")).unwrap();
    }
    let barrier = Barrier::new(N);
    let results: Vec<Result<(), StoreError>> = std::thread::scope(|sc| {
        let handles: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let (barrier, variants) = (&barrier, &variants);
                sc.spawn(move || {
                    let mut r = s.get(id).unwrap().unwrap();
                    r.identifier = variants[i % variants.len()].clone();
                    r.version += 1;
                    barrier.wait();
                    commit(s, 0, &r)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_ok()).map(|(i, _)| i).collect();
    assert_eq!(winners.len(), 1, "exactly one commit takes the identity: {results:?}");
    for r in &results {
        assert!(
            matches!(r, Ok(()) | Err(StoreError::Conflict)) || *r == Err(StoreError::IdentityTaken(key.clone())),
            "unexpected {r:?}"
        );
    }
    let w = winners[0];
    assert_eq!(s.identity_owner(&key).unwrap().as_deref(), Some(ids[w].as_str()));
    for (i, id) in ids.iter().enumerate() {
        let r = s.get(id).unwrap().unwrap();
        if i == w {
            assert_eq!((identity::key(&r.identifier), r.version), (key.clone(), 1));
        } else {
            assert_eq!((r.identifier.clone(), r.version), (format!("{p}-own{i}@x.io"), 0), "losers are unchanged");
        }
    }
}

/// A record with several logins (`email` and `phone`), the identifier being the first.
fn with_logins(id: &str, logins: &[(&str, &str)]) -> UserRecord {
    let mut r = UserRecord::new(id, logins.first().map_or("", |(_, v)| *v), "suite");
    r.logins = logins.iter().map(|(m, v)| (m.to_string(), v.to_string())).collect();
    r
}

/// A record holds every key of its logins; each is unique among records whichever login holds
/// it (one namespace); a commit moves exactly the keys that changed, and a refused one moves none.
fn several_keys_per_record(s: &dyn UserStore) {
    let p = unique("keys");
    let (a, b) = (format!("{p}-a"), format!("{p}-b"));
    let (email, phone) = (format!("{p}@x.io"), format!("+1555-{p}"));
    let r = with_logins(&a, &[("email", &email), ("phone", &phone)]);
    assert_eq!(IdentityKeys::of(&r).as_slice().len(), 2);
    insert(s, &r).unwrap();
    assert_eq!(s.get(&a).unwrap().unwrap(), r, "the logins read back, in order");
    assert_eq!(s.get(&a).unwrap().unwrap().logins.keys().collect::<Vec<_>>(), ["email", "phone"]);
    for key in [identity::key(&email), identity::key(&phone)] {
        assert_eq!(s.identity_owner(&key).unwrap().as_deref(), Some(a.as_str()), "{key}");
    }
    // Taken by either, in any login of another record (the phone in its identifier, the
    // e-mail in a login of another name): one namespace.
    let other = with_logins(&b, &[("email", &format!("{p}-b@x.io")), ("nick", &phone.to_uppercase())]);
    assert_eq!(insert(s, &other), Err(StoreError::IdentityTaken(identity::key(&phone))));
    let other = with_logins(&b, &[("nick", &format!(" {} ", email.to_uppercase()))]);
    assert_eq!(insert(s, &other), Err(StoreError::IdentityTaken(identity::key(&email))));
    assert_eq!(s.get(&b).unwrap(), None, "a refused insert writes nothing");
    let other = with_logins(&b, &[("email", &format!("{p}-b@x.io"))]);
    insert(s, &other).unwrap();

    // A new phone: the old one is free, the e-mail stays.
    let phone2 = format!("{phone}-2");
    let mut r = s.get(&a).unwrap().unwrap();
    r.logins.insert("phone".into(), phone2.clone());
    r.version = 1;
    commit(s, 0, &r).unwrap();
    assert_eq!(s.identity_owner(&identity::key(&phone)).unwrap(), None);
    assert_eq!(s.identity_owner(&identity::key(&phone2)).unwrap().as_deref(), Some(a.as_str()));
    assert_eq!(s.identity_owner(&identity::key(&email)).unwrap().as_deref(), Some(a.as_str()));

    // A commit whose one key of three another record holds moves none of them.
    let before = snapshot(s, &a);
    let mut bad = r.clone();
    bad.logins.insert("phone".into(), format!("{phone}-3"));
    bad.logins.insert("nick".into(), format!("{p}-B@X.io"));
    bad.version = 2;
    assert_eq!(commit(s, 1, &bad), Err(StoreError::IdentityTaken(identity::key(&format!("{p}-b@x.io")))));
    assert_eq!(snapshot(s, &a), before);
    assert_eq!(s.identity_owner(&identity::key(&phone2)).unwrap().as_deref(), Some(a.as_str()));
    assert_eq!(s.identity_owner(&identity::key(&format!("{phone}-3"))).unwrap(), None);

    // Two logins of one record may hold one key (it is still one identity), and giving every
    // login up frees every key.
    let mut same = r.clone();
    same.logins.insert("phone".into(), email.to_uppercase());
    same.version = 2;
    commit(s, 1, &same).unwrap();
    assert_eq!(s.identity_owner(&identity::key(&phone2)).unwrap(), None);
    assert_eq!(s.identity_owner(&identity::key(&email)).unwrap().as_deref(), Some(a.as_str()));
    let mut none = UserRecord::new(a.clone(), "", "suite");
    none.version = 3;
    commit(s, 2, &none).unwrap();
    assert_eq!(s.identity_owner(&identity::key(&email)).unwrap(), None);
    // The freed e-mail can go to the other record, in a second login of it.
    let mut rb = s.get(&b).unwrap().unwrap();
    rb.logins.insert("phone".into(), email.clone());
    rb.version = 1;
    commit(s, 0, &rb).unwrap();
    assert_eq!(s.identity_owner(&identity::key(&email)).unwrap().as_deref(), Some(b.as_str()));
    assert_eq!(s.identity_owner(&identity::key(&format!("{p}-b@x.io"))).unwrap().as_deref(), Some(b.as_str()));
}

/// 16 threads, each user with its own e-mail, race to add one free phone as a second login and
/// to change their e-mail in the same commit: one wins both, every loser keeps exactly its
/// keys, and no key has two holders.
fn several_keys_race(s: &dyn UserStore) {
    const N: usize = 16;
    let p = unique("krace");
    let phone = format!("+1555-{p}");
    let ids: Vec<String> = (0..N).map(|i| format!("{p}-{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        insert(s, &with_logins(id, &[("email", &format!("{p}-own{i}@x.io"))])).unwrap();
    }
    let barrier = Barrier::new(N);
    let results: Vec<Result<(), StoreError>> = std::thread::scope(|sc| {
        let handles: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let (barrier, phone, p) = (&barrier, &phone, &p);
                sc.spawn(move || {
                    let mut r = s.get(id).unwrap().unwrap();
                    r.identifier = format!("{p}-new{i}@x.io");
                    r.logins.insert("email".into(), r.identifier.clone());
                    r.logins.insert("phone".into(), phone.clone());
                    r.version += 1;
                    barrier.wait();
                    commit(s, 0, &r)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_ok()).map(|(i, _)| i).collect();
    assert_eq!(winners.len(), 1, "exactly one commit takes the phone: {results:?}");
    for r in results.iter().filter(|r| r.is_err()) {
        assert_eq!(*r, Err(StoreError::IdentityTaken(identity::key(&phone))), "losers are told the phone");
    }
    let w = winners[0];
    assert_eq!(s.identity_owner(&identity::key(&phone)).unwrap().as_deref(), Some(ids[w].as_str()));
    for (i, id) in ids.iter().enumerate() {
        let (own, new) = (identity::key(&format!("{p}-own{i}@x.io")), identity::key(&format!("{p}-new{i}@x.io")));
        if i == w {
            assert_eq!(s.identity_owner(&own).unwrap(), None);
            assert_eq!(s.identity_owner(&new).unwrap().as_deref(), Some(id.as_str()));
        } else {
            assert_eq!(s.identity_owner(&own).unwrap().as_deref(), Some(id.as_str()), "loser {i} keeps its e-mail");
            assert_eq!(s.identity_owner(&new).unwrap(), None, "loser {i} took nothing");
            assert_eq!(s.get(id).unwrap().unwrap().version, 0);
        }
    }
}

/// A short random pause after a conflict, so that on a small machine the threads that lost do
/// not all retry at once (each retry re-reads and re-serialises the whole record).
struct Backoff(u64);

impl Backoff {
    fn new(seed: usize) -> Self {
        Backoff(0x9E37_79B9_7F4A_7C15 ^ (seed as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9))
    }
    fn wait(&mut self) {
        // xorshift64
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        std::thread::sleep(std::time::Duration::from_micros(self.0 % 2000));
    }
}

/// 8 threads × 200 read-modify-commit loops (retrying on conflict), each setting its own keys
/// in `state`: every change lands, and `version` counts them.
fn no_lost_updates(s: &dyn UserStore) {
    no_lost_updates_of(s, 8, 200);
}

fn no_lost_updates_of(s: &dyn UserStore, threads: usize, each: usize) {
    let id = unique("lost");
    insert(s, &UserRecord::new(id.clone(), "", "suite")).unwrap();
    std::thread::scope(|sc| {
        for t in 0..threads {
            let id = &id;
            sc.spawn(move || {
                let mut backoff = Backoff::new(t);
                for i in 0..each {
                    loop {
                        let mut r = s.get(id).unwrap().unwrap();
                        let expected = r.version;
                        let mut state = r.state.to_value();
                        state.as_object_mut().unwrap().insert(format!("t{t}-{i}"), json!(i));
                        r.state = state.into();
                        r.version += 1;
                        match commit(s, expected, &r) {
                            Ok(()) => break,
                            Err(StoreError::Conflict) => backoff.wait(),
                            Err(e) => panic!("commit failed: {e}"),
                        }
                    }
                }
            });
        }
    });
    let r = s.get(&id).unwrap().unwrap();
    assert_eq!(r.version, (threads * each) as u64);
    let state = r.state.to_value();
    let state = state.as_object().unwrap();
    assert_eq!(state.len(), threads * each);
    for t in 0..threads {
        for i in 0..each {
            assert_eq!(state.get(&format!("t{t}-{i}")), Some(&json!(i)), "t{t}-{i} lost");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Engine-level tests

/// The form the engine tests use: two logins (`login` first, `phone` last) and eight string
/// markers `m0`..`m7`.
fn registry() -> Arc<Registry> {
    let mut attributes = vec![json!({"marker": "login", "type": "string", "position": 0, "isLogin": true})];
    attributes.extend((0..8).map(|i| json!({"marker": format!("m{i}"), "type": "string", "position": i + 1})));
    attributes.push(json!({"marker": "phone", "type": "string", "position": 9, "isLogin": true}));
    let form = json!({"identifier": "suite", "attributes": attributes});
    Arc::new(Registry::from_forms([("suite.json", form)], RegistryOptions::default()).expect("suite form compiles"))
}

fn body(entries: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"formIdentifier": "suite", "langCode": "en_US", "formData": entries})).unwrap()
}

fn rule_of(e: &userform::Rejection) -> Vec<&'static str> {
    e.violations().iter().map(|v| v.rule()).collect()
}

/// 8 threads × 200 updates of different markers of one user through the engine: every update
/// lands (a caller retries when the engine gives up with `conflict`), `version` counts them, and
/// every marker holds its thread's last value.
fn engine_no_lost_updates<S: UserStore>(store: S) {
    const THREADS: usize = 8;
    const EACH: usize = 200;
    let id = unique("elost");
    insert(&store, &UserRecord::new(id.clone(), format!("{id}@x.io"), "suite")).unwrap();
    let engine = Engine::new(registry(), store).with_max_attempts(20);
    std::thread::scope(|sc| {
        for t in 0..THREADS {
            let (engine, id) = (&engine, &id);
            sc.spawn(move || {
                for i in 0..EACH {
                    let b = body(json!([{"marker": format!("m{t}"), "type": "string", "value": format!("t{t}-{i}")}]));
                    loop {
                        match engine.update(&Request::new(id, &b)) {
                            Ok(r) => {
                                assert_eq!(r.value("en_US", &format!("m{t}")), Some(json!(format!("t{t}-{i}"))));
                                break;
                            }
                            Err(e) if rule_of(&e) == ["conflict"] => continue,
                            Err(e) => panic!("update failed: {e}"),
                        }
                    }
                }
            });
        }
    });
    let r = engine.store().get(&id).unwrap().unwrap();
    assert_eq!(r.version, (THREADS * EACH) as u64, "version counts every success");
    for t in 0..THREADS {
        assert_eq!(r.value("en_US", &format!("m{t}")), Some(json!(format!("t{t}-{}", EACH - 1))), "m{t}");
    }
    let markers: Vec<&str> = r.form_data["en_US"].iter().map(|e| &*e.marker).collect();
    assert_eq!(markers, ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7"], "entries ordered by position");
}

/// Users in a race: how many, each `{p}-{i}` holding its own e-mail `{p}-own{i}@x.io`.
const RACERS: usize = 16;

/// The racers send `body_of(i)` through one engine at once (a barrier lines them up): the
/// engine, their ids and each one's outcome, in racer order.
fn engine_race<S: UserStore>(
    store: S,
    p: &str,
    body_of: impl Fn(usize) -> Vec<u8>,
) -> (Engine<S>, Vec<String>, Vec<Result<UserRecord, userform::Rejection>>) {
    let ids: Vec<String> = (0..RACERS).map(|i| format!("{p}-{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        insert(&store, &UserRecord::new(id.clone(), format!("{p}-own{i}@x.io"), "suite")).unwrap();
    }
    let engine = Engine::new(registry(), store);
    let barrier = Barrier::new(RACERS);
    let bodies: Vec<Vec<u8>> = (0..RACERS).map(body_of).collect();
    let results = std::thread::scope(|sc| {
        let handles: Vec<_> = ids
            .iter()
            .zip(&bodies)
            .map(|(id, b)| {
                let (engine, barrier) = (&engine, &barrier);
                sc.spawn(move || {
                    barrier.wait();
                    engine.update(&Request::new(id, b))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    (engine, ids, results)
}

/// 16 users race through the engine to take one free identity: one succeeds, the others get
/// 3018, and exactly one user holds it.
fn engine_identity_race<S: UserStore>(store: S) {
    let p = unique("erace");
    let free = format!("Taken.{p}@Example.com");
    let key = identity::key(&free);
    let (engine, ids, results) = engine_race(store, &p, |i| {
        let value = if i % 2 == 0 { free.clone() } else { format!(" {} ", free.to_lowercase()) };
        body(json!([{"marker": "login", "type": "string", "value": value}]))
    });
    let winners: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_ok()).map(|(i, _)| i).collect();
    assert_eq!(winners.len(), 1, "exactly one update takes the identity");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(r.code().as_u16(), 3018, "{r}");
        assert_eq!(rule_of(r), ["identity-taken"]);
    }
    let w = winners[0];
    assert_eq!(engine.store().identity_owner(&key).unwrap().as_deref(), Some(ids[w].as_str()));
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| *i != w) {
        let r = engine.store().get(id).unwrap().unwrap();
        assert_eq!((r.identifier, r.version), (format!("{p}-own{i}@x.io"), 0));
    }
}

/// 16 users race through the engine to take one free phone (their second login): one
/// succeeds, the others get 3018 naming `phone`; the winner's identifier stays its first login.
/// Then a phone held by one user is refused to another in its first login (one namespace), a
/// changed first login frees the old one, and no login can be cleared.
fn engine_several_logins<S: UserStore>(store: S) {
    let p = unique("elogins");
    let phone = format!("+1 555 {p}");
    let key = identity::key(&phone);
    let (engine, ids, results) =
        engine_race(store, &p, |_| body(json!([{"marker": "phone", "type": "string", "value": phone}])));
    let winners: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_ok()).map(|(i, _)| i).collect();
    assert_eq!(winners.len(), 1, "exactly one update takes the phone");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!((r.code().as_u16(), rule_of(r)), (3018, vec!["identity-taken"]), "{r}");
        assert_eq!(r.violations()[0].marker.as_deref(), Some("phone"));
    }
    let w = winners[0];
    let winner = engine.store().get(&ids[w]).unwrap().unwrap();
    assert_eq!(winner.identifier, format!("{p}-own{w}@x.io"), "the first login stays the identifier");
    assert_eq!(winner.logins.get("phone"), Some(&phone));
    assert_eq!(engine.store().identity_owner(&key).unwrap().as_deref(), Some(ids[w].as_str()));
    // Another user may not take the phone as its first login either.
    let loser = &ids[(w + 1) % RACERS];
    let b = body(json!([{"marker": "login", "type": "string", "value": phone}]));
    let e = engine.update(&Request::new(loser, &b)).unwrap_err();
    assert_eq!((e.code().as_u16(), e.violations()[0].marker.as_deref()), (3018, Some("login")));
    // The winner changes its first login: the new e-mail is its identifier, the old one free.
    let renamed = format!("{p}-renamed{w}@x.io");
    let b = body(json!([{"marker": "login", "type": "string", "value": renamed}]));
    let r = engine.update(&Request::new(&ids[w], &b)).unwrap();
    assert_eq!((r.identifier.as_str(), r.logins.len()), (renamed.as_str(), 2));
    let own = identity::key(&format!("{p}-own{w}@x.io"));
    assert_eq!(engine.store().identity_owner(&own).unwrap(), None);
    // And no login can be cleared, whichever other one holds a value (SPEC §4).
    for cleared in ["login", "phone"] {
        let b = body(json!([{"marker": cleared, "type": "string", "value": ""}]));
        let e = engine.update(&Request::new(&ids[w], &b)).unwrap_err();
        assert_eq!((e.code().as_u16(), rule_of(&e)), (3045, vec!["required"]));
    }
    assert_eq!(engine.store().identity_owner(&key).unwrap().as_deref(), Some(ids[w].as_str()));
}

/// A store whose every commit meets a concurrent change.
struct AlwaysConflict<S> {
    inner: S,
    commits: AtomicUsize,
}

impl<S: UserStore> UserStore for AlwaysConflict<S> {
    fn get(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        self.inner.get(id)
    }
    fn identity_owner(&self, identity_key: &str) -> Result<Option<String>, StoreError> {
        self.inner.identity_owner(identity_key)
    }
    fn insert(&self, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError> {
        self.inner.insert(record, keys)
    }
    fn commit(&self, _expected_version: u64, _record: &UserRecord, _keys: &IdentityKeys) -> Result<(), StoreError> {
        self.commits.fetch_add(1, Ordering::Relaxed);
        Err(StoreError::Conflict)
    }
}

/// Conflicts are retried a bounded number of times, then surface as 3024 `conflict`; the stored
/// record is untouched.
fn engine_conflict_surfaces<S: UserStore>(store: S) {
    let id = unique("econf");
    insert(&store, &full_record(&id, &format!("{id}@x.io"))).unwrap();
    let before = snapshot(&store, &id);
    let engine =
        Engine::new(registry(), AlwaysConflict { inner: store, commits: AtomicUsize::new(0) }).with_max_attempts(3);
    let b = body(json!([{"marker": "m0", "type": "string", "value": "new"}]));
    let e = engine.update(&Request::new(&id, &b)).expect_err("never a silent overwrite");
    assert_eq!(e.code().as_u16(), 3024, "{e}");
    assert_eq!(rule_of(&e), ["conflict"]);
    assert_eq!(engine.store().commits.load(Ordering::Relaxed), 3, "tried exactly max_attempts times");
    assert_eq!(snapshot(&engine.store().inner, &id), before);
}

/// A rejected update (invalid value, or an identity another user holds) leaves the stored record
/// byte for byte as it was.
fn engine_rejection_leaves_record_unchanged<S: UserStore>(store: S) {
    let p = unique("erej");
    let (a, b) = (format!("{p}-a"), format!("{p}-b"));
    insert(&store, &full_record(&a, &format!("{p}-a@x.io"))).unwrap();
    insert(&store, &full_record(&b, &format!("{p}-b@x.io"))).unwrap();
    let before = snapshot(&store, &a);
    let engine = Engine::new(registry(), store);
    let bad_type = body(
        json!([{"marker": "m1", "type": "string", "value": "ok"}, {"marker": "m2", "type": "integer", "value": 5}]),
    );
    let e = engine.update(&Request::new(&a, &bad_type)).unwrap_err();
    assert_eq!(e.code().as_u16(), 3024, "{e}");
    assert_eq!(snapshot(engine.store(), &a), before);
    let taken = body(
        json!([{"marker": "m1", "type": "string", "value": "ok"}, {"marker": "login", "type": "string", "value": format!("{p}-B@x.io")}]),
    );
    let e = engine.update(&Request::new(&a, &taken)).unwrap_err();
    assert_eq!(e.code().as_u16(), 3018, "{e}");
    assert_eq!(snapshot(engine.store(), &a), before);
    // And a good one goes through, bumping the version once.
    let good = body(json!([{"marker": "m1", "type": "string", "value": "ok"}]));
    let r = engine.update(&Request::new(&a, &good)).unwrap();
    assert_eq!(r.version, 1);
    assert_eq!(engine.store().get(&a).unwrap().unwrap().version, 1);
}

// ---------------------------------------------------------------------------------------------
// The suite, once per store

macro_rules! suite {
    ($store:ident, $open:expr) => {
        mod $store {
            use super::*;

            #[test]
            fn insert_and_get() {
                if let Some(f) = $open {
                    super::insert_and_get(&*f.store);
                }
            }
            #[test]
            fn commit_checks_version() {
                if let Some(f) = $open {
                    super::commit_checks_version(&*f.store);
                }
            }
            #[test]
            fn identity_is_case_space_and_nfc_insensitive() {
                if let Some(f) = $open {
                    super::identity_is_case_space_and_nfc_insensitive(&*f.store);
                }
            }
            #[test]
            fn failed_commit_leaves_record_unchanged() {
                if let Some(f) = $open {
                    super::failed_commit_leaves_record_unchanged(&*f.store);
                }
            }
            #[test]
            fn identity_race_16_threads() {
                if let Some(f) = $open {
                    super::identity_race(&*f.store);
                }
            }
            #[test]
            fn several_keys_per_record() {
                if let Some(f) = $open {
                    super::several_keys_per_record(&*f.store);
                }
            }
            #[test]
            fn several_keys_race_16_threads() {
                if let Some(f) = $open {
                    super::several_keys_race(&*f.store);
                }
            }
            #[test]
            fn engine_several_logins_16_threads() {
                if let Some(f) = $open {
                    super::engine_several_logins(f.store.clone());
                }
            }
            #[test]
            fn no_lost_updates_8x200() {
                if let Some(f) = $open {
                    super::no_lost_updates(&*f.store);
                }
            }
            #[test]
            fn engine_no_lost_updates_8x200() {
                if let Some(f) = $open {
                    super::engine_no_lost_updates(f.store.clone());
                }
            }
            #[test]
            fn engine_identity_race_16_threads() {
                if let Some(f) = $open {
                    super::engine_identity_race(f.store.clone());
                }
            }
            #[test]
            fn engine_conflict_surfaces_as_3024() {
                if let Some(f) = $open {
                    super::engine_conflict_surfaces(f.store.clone());
                }
            }
            #[test]
            fn engine_rejection_leaves_record_unchanged() {
                if let Some(f) = $open {
                    super::engine_rejection_leaves_record_unchanged(f.store.clone());
                }
            }
        }
    };
}

suite!(memory, memory());
#[cfg(feature = "sqlite")]
suite!(sqlite, sqlite());
#[cfg(feature = "sqlite")]
suite!(sqlite_each, sqlite_each());
#[cfg(feature = "sqlite")]
suite!(sqlite_in_memory, sqlite_in_memory());
#[cfg(feature = "postgres")]
suite!(postgres, postgres());

// ---------------------------------------------------------------------------------------------
// Store-specific tests: schema, migrations, several handles on one database

#[cfg(feature = "sqlite")]
mod sqlite_only {
    use super::*;
    use userform::SqliteStore;

    #[test]
    fn persists_across_reopen_and_migrates_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.db");
        let r = full_record("u1", "a@x.io");
        {
            let s = SqliteStore::open(&path).unwrap();
            assert_eq!(s.schema_version().unwrap(), 4);
            insert(&s, &r).unwrap();
        }
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.get("u1").unwrap().unwrap(), r);
        assert_eq!(s.integrity_check().unwrap(), "ok");
        drop(s);
        let c = rusqlite::Connection::open(&path).unwrap();
        let rows: i64 = c.query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 4, "each migration runs once");
        let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let hash: Option<String> =
            c.query_row("SELECT password_hash FROM users WHERE id = 'u1'", [], |r| r.get(0)).unwrap();
        assert_eq!(hash, r.password_hash, "the hash is kept in its own column");
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.db");
        drop(SqliteStore::open(&path).unwrap());
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, 'later')", []).unwrap();
        drop(c);
        let e = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(&e, StoreError::Backend(m) if m.contains("newer")), "{e}");
    }

    #[test]
    fn concurrent_first_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.db");
        let stores: Vec<SqliteStore> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..6).map(|_| sc.spawn(|| SqliteStore::open(&path).unwrap())).collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for s in &stores {
            assert_eq!(s.schema_version().unwrap(), 4);
        }
    }

    /// Two handles on one file (as two processes would have) race for one identity: SQLite's
    /// own locking and the UNIQUE index keep it to one holder.
    #[test]
    fn two_handles_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.db");
        let (s1, s2) = (SqliteStore::open(&path).unwrap(), SqliteStore::open(&path).unwrap());
        for i in 0..8 {
            insert(&s1, &UserRecord::new(format!("u{i}"), format!("own{i}@x.io"), "suite")).unwrap();
        }
        let barrier = Barrier::new(8);
        let oks = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..8)
                .map(|i| {
                    let (s, barrier) = (if i % 2 == 0 { &s1 } else { &s2 }, &barrier);
                    sc.spawn(move || {
                        let mut r = s.get(&format!("u{i}")).unwrap().unwrap();
                        r.identifier = "shared@x.io".into();
                        r.version = 1;
                        barrier.wait();
                        commit(s, 0, &r)
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).filter(|r| r.is_ok()).count()
        });
        assert_eq!(oks, 1);
        let owner = s2.identity_owner("shared@x.io").unwrap().unwrap();
        assert_eq!(s1.identity_owner("shared@x.io").unwrap().unwrap(), owner);
    }
}

#[cfg(feature = "postgres")]
mod postgres_only {
    use super::*;
    use userform::PostgresStore;

    /// Services starting together migrate one fresh schema without racing.
    #[test]
    fn concurrent_first_opens_in_a_fresh_schema() {
        let Some(url) = pg_url() else { return };
        let schema = unique("uf_race").replace('-', "_");
        let stores: Vec<PostgresStore> = std::thread::scope(|sc| {
            let hs: Vec<_> =
                (0..6).map(|_| sc.spawn(|| PostgresStore::connect_in_schema(&url, &schema).unwrap())).collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for s in &stores {
            assert_eq!(s.schema_version().unwrap(), 4);
        }
        let r = full_record("u1", "a@x.io");
        insert(&stores[0], &r).unwrap();
        assert_eq!(stores[5].get("u1").unwrap().unwrap(), r);
        drop(stores);
        let mut c = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let versions: i64 =
            c.query_one(&format!("SELECT COUNT(*) FROM \"{schema}\".userform_schema_version"), &[]).unwrap().get(0);
        assert_eq!(versions, 4, "each migration runs once");
        c.batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE")).unwrap();
    }

    #[test]
    fn a_small_pool_serves_many_threads() {
        let Some(url) = pg_url() else { return };
        let s = PostgresStore::connect(&url).unwrap().max_connections(2);
        no_lost_updates_of(&s, 8, 25);
    }

    #[test]
    fn rejects_bad_schema_names() {
        let e = PostgresStore::connect_in_schema("postgres://127.0.0.1:1/x", "a; DROP TABLE x").unwrap_err();
        assert!(matches!(e, StoreError::Backend(m) if m.contains("invalid schema")));
    }
}
