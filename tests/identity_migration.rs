//! The stores' identity-key migrations. Version 2: databases written when identities were
//! compared trimmed, NFC and lower-cased are rekeyed with the current `identity::key` when a
//! store opens them, once; two existing users that are now one identity stop the store from
//! opening, naming both, and change nothing. Versions 3 and 4: the one `identity_key` column
//! becomes a table of keys (several logins per record), every record's keys computed into it;
//! a version-2 database opens and keeps working, and two users with one key (a column edited by
//! hand) stop it from opening in the same typed way.
//!
//! Each test builds a version-1 or version-2 database by hand (the schema as that version
//! created it, keys as it computed them), then opens it with the store. PostgreSQL tests read
//! `USERFORM_PG_URL` as `tests/store_suite.rs` does, and are skipped (loudly) without it.

#![cfg(any(feature = "sqlite", feature = "postgres"))]

use unicode_normalization::UnicodeNormalization;
use userform::{identity, UserRecord};
use userform::{IdentityKeys, StoreError, UserStore};

/// The schema version this build migrates to.
const CURRENT: u32 = 4;

/// The key version 1 stored: trimmed, NFC, lower-cased.
fn old_key(identifier: &str) -> Option<String> {
    let key: String = identifier.trim().nfc().collect::<String>().to_lowercase().nfc().collect();
    (!key.is_empty()).then_some(key)
}

/// Users of a version-1 database whose keys do not collide under either comparison:
/// (id, identifier, the key version 1 stored).
fn legacy_users() -> Vec<(String, String, Option<String>)> {
    let mut users: Vec<(String, String, Option<String>)> = [
        ("u01", "Ann@Example.com"),            // unchanged key
        ("u02", "Bob@Ｅxample.com"),           // fullwidth E: now bob@example.com
        ("u03", "carol@exa\u{1d426}ple。com"), // math bold m, ideographic full stop
        ("u04", "Dave@B\u{fc}cher.de"),        // now in ASCII: dave@xn--bcher-kva.de
        ("u05", "\u{212a}im"),                 // Kelvin sign: not an identity; folded to kim
        ("u06", ""),                           // no identity
        ("u07", "eve@example.com\u{200b}"),    // not an identity; folded to eve@example.com
    ]
    .into_iter()
    .map(|(id, ident)| (id.to_owned(), ident.to_owned(), old_key(ident)))
    .collect();
    // Two rows that trade keys: u09's stored key is the one u08 gets. A rekey that wrote u08
    // (first in id order) before clearing u09 would trip over the UNIQUE index.
    users.push(("u08".into(), "gina@x.io".into(), Some("stale".into())));
    users.push(("u09".into(), "frank@x.io".into(), Some("gina@x.io".into())));
    users
}

/// Asserts that the store answers every legacy user under its new key.
fn assert_rekeyed(store: &dyn UserStore, users: &[(String, String, Option<String>)]) {
    for (id, ident, _) in users {
        let key = identity::key(ident);
        if key.is_empty() {
            continue;
        }
        assert_eq!(store.identity_owner(&key).unwrap().as_deref(), Some(id.as_str()), "{ident:?}");
        assert_eq!(store.get(id).unwrap().unwrap().identifier, *ident, "the identifier itself is kept");
    }
    assert_eq!(store.identity_owner("bob@ｅxample.com").unwrap(), None, "old keys are gone");
    assert_eq!(store.identity_owner("dave@b\u{fc}cher.de").unwrap(), None);
    assert_eq!(identity::key("Bob@Ｅxample.com"), "bob@example.com");
    // New look-alikes of the rekeyed users are now refused by the index.
    let r = UserRecord::new("new", "bob@EXAMPLE.com", "suite");
    assert_eq!(store.insert(&r, &IdentityKeys::of(&r)), Err(StoreError::IdentityTaken("bob@example.com".into())));
    let r = UserRecord::new("new", "eve@example.com", "suite");
    assert_eq!(store.insert(&r, &IdentityKeys::of(&r)), Err(StoreError::IdentityTaken("eve@example.com".into())));
}

/// Users of a version-2 database (keys as version 2 computed them: the current `identity::key`).
fn version_2_users() -> Vec<(String, String, Option<String>)> {
    legacy_users()
        .into_iter()
        .map(|(id, ident, _)| {
            let key = Some(identity::key(&ident)).filter(|k| !k.is_empty());
            (id, ident, key)
        })
        .collect()
}

/// Asserts that a migrated version-2 store keeps working: every user under its key, a record
/// read back as written, a look-alike refused, a user given a second login holding both keys.
fn assert_keys_moved(store: &dyn UserStore, users: &[(String, String, Option<String>)]) {
    for (id, ident, key) in users {
        let record = store.get(id).unwrap().unwrap();
        assert_eq!((&record.identifier, record.logins.len()), (ident, 0), "the record is kept as it was");
        if let Some(key) = key {
            assert_eq!(store.identity_owner(key).unwrap().as_deref(), Some(id.as_str()), "{ident:?}");
        }
    }
    let r = UserRecord::new("new", "ANN@example.COM", "suite");
    assert_eq!(store.insert(&r, &IdentityKeys::of(&r)), Err(StoreError::IdentityTaken("ann@example.com".into())));
    let mut ann = store.get("u01").unwrap().unwrap();
    ann.logins.insert("email".into(), ann.identifier.clone());
    ann.logins.insert("phone".into(), "+15551234567".into());
    ann.version = 2;
    store.commit(1, &ann, &IdentityKeys::of(&ann)).unwrap();
    assert_eq!(store.identity_owner("+15551234567").unwrap().as_deref(), Some("u01"));
    assert_eq!(store.identity_owner("ann@example.com").unwrap().as_deref(), Some("u01"));
}

/// Two users of a version-1 database that are now one identity: `u1` holds `first`, `u2`
/// `second`.
fn colliding_users(first: &str, second: &str) -> Vec<(String, String, Option<String>)> {
    [("u1", first), ("u2", second)]
        .into_iter()
        .map(|(id, ident)| (id.to_owned(), ident.to_owned(), old_key(ident)))
        .collect()
}

/// The pairs: a zero-width look-alike of an unchanged key (one row rekeyed onto the other's
/// key), and two spellings that both change onto one new key.
const PAIRS: [(&str, &str, &str); 2] = [
    ("alice@example.com\u{200b}", "alice@example.com", "alice@example.com"),
    ("dan@ｅxample.com", "DAN@EXAMPLE。COM", "dan@example.com"),
];

fn assert_collision(e: StoreError, (first, second, key): (&str, &str, &str)) {
    let message = e.to_string();
    assert_eq!(
        e,
        StoreError::IdentityCollision {
            key: key.into(),
            first_id: "u1".into(),
            first_identifier: first.into(),
            second_id: "u2".into(),
            second_identifier: second.into(),
        }
    );
    assert!(message.contains(&format!("`u1` ({first:?}) and `u2` ({second:?})")), "{message}");
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use rusqlite::{params, Connection};
    use userform::SqliteStore;

    /// A version-2 database at `path` holding `users` (the same schema as version 1).
    fn version_2(path: &std::path::Path, users: &[(String, String, Option<String>)]) {
        version_1(path, users);
        let c = Connection::open(path).unwrap();
        c.execute("INSERT INTO schema_version VALUES (2, '2026-02-01T00:00:00Z')", []).unwrap();
    }

    /// A version-1 database at `path` holding `users`.
    fn version_1(path: &std::path::Path, users: &[(String, String, Option<String>)]) {
        let c = Connection::open(path).unwrap();
        c.execute_batch(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_version VALUES (1, '2026-01-01T00:00:00Z');
             CREATE TABLE users (
                 id            TEXT PRIMARY KEY NOT NULL,
                 identity_key  TEXT UNIQUE,
                 version       INTEGER NOT NULL,
                 password_hash TEXT,
                 record        TEXT NOT NULL
             );",
        )
        .unwrap();
        for (id, ident, key) in users {
            let record = serde_json::to_string(&UserRecord::new(id.clone(), ident.clone(), "suite")).unwrap();
            c.execute("INSERT INTO users VALUES (?1, ?2, 1, NULL, ?3)", params![id, key, record]).unwrap();
        }
    }

    /// The keys as a version 1 or 2 database stores them, by id.
    fn stored_keys(path: &std::path::Path) -> Vec<(String, Option<String>)> {
        let c = Connection::open(path).unwrap();
        let mut s = c.prepare("SELECT id, identity_key FROM users ORDER BY id").unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    }

    /// The keys as the current schema stores them: (user id, key), by key.
    fn table_keys(path: &std::path::Path) -> Vec<(String, String)> {
        let c = Connection::open(path).unwrap();
        let mut s = c.prepare("SELECT user_id, key FROM identity_keys ORDER BY key").unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    }

    fn version(path: &std::path::Path) -> u32 {
        let c = Connection::open(path).unwrap();
        c.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn opening_a_version_1_database_rekeys_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.db");
        let users = legacy_users();
        version_1(&path, &users);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), CURRENT);
        assert_rekeyed(&store, &users);
        drop(store);
        let keys = table_keys(&path);
        // Reopening runs nothing again: a key set by hand now survives it.
        Connection::open(&path)
            .unwrap()
            .execute("UPDATE identity_keys SET key = 'by hand' WHERE user_id = 'u01'", [])
            .unwrap();
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.identity_owner("by hand").unwrap().as_deref(), Some("u01"));
        drop(store);
        let again = table_keys(&path);
        assert_eq!(
            again.iter().filter(|(id, _)| id != "u01").collect::<Vec<_>>(),
            keys.iter().filter(|(id, _)| id != "u01").collect::<Vec<_>>()
        );
    }

    #[test]
    fn opening_a_version_2_database_moves_its_keys_to_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.db");
        let users = version_2_users();
        version_2(&path, &users);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), CURRENT);
        let mut moved: Vec<(String, String)> =
            users.iter().filter_map(|(id, _, key)| Some((id.clone(), key.clone()?))).collect();
        moved.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(table_keys(&path), moved, "every key of the column, one row each");
        assert_keys_moved(&store, &users);
        assert_eq!(store.integrity_check().unwrap(), "ok");
        let c = Connection::open(&path).unwrap();
        let columns: Vec<String> = c
            .prepare("SELECT name FROM pragma_table_info('users')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(columns, ["id", "version", "password_hash", "record"], "the column is gone");
    }

    /// A version-2 column edited by hand can hold two spellings of one identity under two keys:
    /// the table computes one key for both, so the store refuses to open, naming both, and the
    /// database stays at version 2 as it was.
    #[test]
    fn a_version_2_database_with_two_users_of_one_key_refuses_to_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.db");
        let mut users = version_2_users();
        users.push(("u1".into(), "alice@example.com".into(), Some("alice@example.com".into())));
        users.push(("u2".into(), "ALICE@example.com".into(), Some("by hand".into())));
        version_2(&path, &users);
        let before = stored_keys(&path);
        assert_collision(
            SqliteStore::open(&path).unwrap_err(),
            ("alice@example.com", "ALICE@example.com", "alice@example.com"),
        );
        assert_eq!((stored_keys(&path), version(&path)), (before, 2), "rolled back");
    }

    #[test]
    fn pages_of_rows_are_all_rekeyed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.db");
        // More rows than one page, every key changing (a fullwidth letter in each).
        let users: Vec<_> = (0..1300)
            .map(|i| {
                let ident = format!("user{i:04}@Ｅxample.com");
                (format!("id{i:04}"), ident.clone(), old_key(&ident))
            })
            .collect();
        version_1(&path, &users);
        let store = SqliteStore::open(&path).unwrap();
        for (id, _, _) in users.iter().step_by(97).chain(users.last()) {
            let key = format!("user{}@example.com", &id[2..]);
            assert_eq!(store.identity_owner(&key).unwrap().as_deref(), Some(id.as_str()));
        }
    }

    #[test]
    fn two_users_now_one_identity_refuse_to_open_and_change_nothing() {
        for pair in PAIRS {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("users.db");
            let mut users = legacy_users();
            users.extend(colliding_users(pair.0, pair.1));
            version_1(&path, &users);
            let before = stored_keys(&path);
            assert_collision(SqliteStore::open(&path).unwrap_err(), pair);
            assert_eq!(stored_keys(&path), before, "rolled back");
            assert_eq!(version(&path), 1);
            let c = Connection::open(&path).unwrap();
            // Once one of the two is changed (as the message says), the store opens.
            let record = serde_json::to_string(&UserRecord::new("u1", "someone.else@example.com", "suite")).unwrap();
            c.execute("UPDATE users SET record = ?1 WHERE id = 'u1'", [record]).unwrap();
            drop(c);
            let store = SqliteStore::open(&path).unwrap();
            assert_eq!(store.identity_owner("someone.else@example.com").unwrap().as_deref(), Some("u1"));
            assert_eq!(store.identity_owner(pair.2).unwrap().as_deref(), Some("u2"));
        }
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use ::postgres::{Client, NoTls};
    use userform::PostgresStore;

    fn pg_url() -> Option<String> {
        match std::env::var("USERFORM_PG_URL") {
            Ok(url) if !url.trim().is_empty() => Some(url),
            _ if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) => {
                panic!("CI is set but USERFORM_PG_URL is not")
            }
            _ => {
                eprintln!("SKIPPED: PostgreSQL migration tests (set USERFORM_PG_URL)");
                None
            }
        }
    }

    /// A fresh schema holding a version-1 database of `users`; its name.
    fn version_1(c: &mut Client, tag: &str, users: &[(String, String, Option<String>)]) -> String {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let schema = format!("uf_rekey_{tag}_{}_{}", std::process::id(), nanos % 1_000_000_000);
        c.batch_execute(&format!(
            "CREATE SCHEMA \"{schema}\";
             SET search_path = \"{schema}\";
             CREATE TABLE userform_schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
             INSERT INTO userform_schema_version (version) VALUES (1);
             CREATE TABLE userform_users (
                 id                TEXT PRIMARY KEY,
                 identity_key      TEXT,
                 identifier        TEXT NOT NULL,
                 form_identifier   TEXT NOT NULL,
                 form_data         JSONB NOT NULL,
                 notification_data JSONB NOT NULL,
                 state             JSONB NOT NULL,
                 version           BIGINT NOT NULL,
                 created_at        TEXT NOT NULL,
                 updated_at        TEXT NOT NULL,
                 password_hash     TEXT,
                 CONSTRAINT userform_users_identity_key_key UNIQUE (identity_key)
             );"
        ))
        .unwrap();
        for (id, ident, key) in users {
            c.execute(
                "INSERT INTO userform_users VALUES ($1, $2, $3, 'suite', '{}', '{\"phonePush\": []}', '{}', 1, 'then', 'then', NULL)",
                &[id, key, ident],
            )
            .unwrap();
        }
        c.batch_execute("RESET search_path").unwrap();
        schema
    }

    /// A fresh schema holding a version-2 database of `users` (the same tables as version 1).
    fn version_2(c: &mut Client, tag: &str, users: &[(String, String, Option<String>)]) -> String {
        let schema = version_1(c, tag, users);
        c.batch_execute(&format!("INSERT INTO \"{schema}\".userform_schema_version (version) VALUES (2)")).unwrap();
        schema
    }

    /// The keys as the current schema stores them: (user id, key), by key.
    fn table_keys(c: &mut Client, schema: &str) -> Vec<(String, String)> {
        c.query(
            &format!("SELECT user_id, key FROM \"{schema}\".userform_identity_keys ORDER BY key COLLATE \"C\""),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
    }

    fn version(c: &mut Client, schema: &str) -> i32 {
        c.query_one(&format!("SELECT MAX(version) FROM \"{schema}\".userform_schema_version"), &[]).unwrap().get(0)
    }

    /// The keys as a version 1 or 2 database stores them, by id.
    fn stored_keys(c: &mut Client, schema: &str) -> Vec<(String, Option<String>)> {
        c.query(&format!("SELECT id, identity_key FROM \"{schema}\".userform_users ORDER BY id"), &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    }

    #[test]
    fn connecting_to_a_version_1_database_rekeys_it_once() {
        let Some(url) = pg_url() else { return };
        let mut c = Client::connect(&url, NoTls).unwrap();
        let mut users = legacy_users();
        // More rows than one page, every key changing.
        users.extend((0..1100).map(|i| {
            let ident = format!("user{i:04}@Ｅxample.com");
            (format!("id{i:04}"), ident.clone(), old_key(&ident))
        }));
        let schema = version_1(&mut c, "ok", &users);
        let store = PostgresStore::connect_in_schema(&url, &schema).unwrap();
        assert_eq!(store.schema_version().unwrap(), CURRENT as i32);
        assert_rekeyed(&store, &users);
        assert_eq!(store.identity_owner("user1099@example.com").unwrap().as_deref(), Some("id1099"));
        drop(store);
        c.batch_execute(&format!(
            "UPDATE \"{schema}\".userform_identity_keys SET key = 'by hand' WHERE user_id = 'u01'"
        ))
        .unwrap();
        let keys = table_keys(&mut c, &schema);
        let store = PostgresStore::connect_in_schema(&url, &schema).unwrap();
        assert_eq!(store.schema_version().unwrap(), CURRENT as i32);
        assert_eq!(store.identity_owner("by hand").unwrap().as_deref(), Some("u01"));
        drop(store);
        assert_eq!(table_keys(&mut c, &schema), keys, "nothing runs twice");
        c.batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE")).unwrap();
    }

    #[test]
    fn connecting_to_a_version_2_database_moves_its_keys_to_the_table() {
        let Some(url) = pg_url() else { return };
        let mut c = Client::connect(&url, NoTls).unwrap();
        let mut users = version_2_users();
        // More rows than one page.
        users.extend(
            (0..1100).map(|i| (format!("id{i:04}"), format!("user{i:04}@x.io"), Some(format!("user{i:04}@x.io")))),
        );
        let schema = version_2(&mut c, "v2", &users);
        let store = PostgresStore::connect_in_schema(&url, &schema).unwrap();
        assert_eq!(store.schema_version().unwrap(), CURRENT as i32);
        let mut moved: Vec<(String, String)> =
            users.iter().filter_map(|(id, _, key)| Some((id.clone(), key.clone()?))).collect();
        moved.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(table_keys(&mut c, &schema), moved, "every key of the column, one row each");
        assert_keys_moved(&store, &users);
        let column: i64 = c
            .query_one(
                "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'identity_key'",
                &[&schema],
            )
            .unwrap()
            .get(0);
        assert_eq!(column, 0, "the column is gone");
        drop(store);
        c.batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE")).unwrap();
    }

    /// Two users of one key in a version-2 column edited by hand, in different pages: typed,
    /// rolled back.
    #[test]
    fn a_version_2_database_with_two_users_of_one_key_refuses_to_connect() {
        let Some(url) = pg_url() else { return };
        let mut c = Client::connect(&url, NoTls).unwrap();
        let mut users = vec![("u1".to_owned(), "alice@example.com".to_owned(), Some("alice@example.com".to_owned()))];
        users.extend((0..1100).map(|n| (format!("u1-{n:04}"), format!("filler{n}@x.io"), None)));
        users.push(("u2".into(), "ALICE@example.com".into(), Some("by hand".into())));
        let schema = version_2(&mut c, "v2clash", &users);
        let before = stored_keys(&mut c, &schema);
        let e = PostgresStore::connect_in_schema(&url, &schema).unwrap_err();
        assert_collision(e, ("alice@example.com", "ALICE@example.com", "alice@example.com"));
        assert_eq!((stored_keys(&mut c, &schema), version(&mut c, &schema)), (before, 2), "rolled back");
        c.batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE")).unwrap();
    }

    #[test]
    fn two_users_now_one_identity_refuse_to_connect_and_change_nothing() {
        let Some(url) = pg_url() else { return };
        let mut c = Client::connect(&url, NoTls).unwrap();
        for (i, pair) in PAIRS.into_iter().enumerate() {
            let mut users = legacy_users();
            users.extend(colliding_users(pair.0, pair.1));
            // Rows between the two, so that they are rekeyed in different pages.
            users.extend((0..1100).map(|n| (format!("u1-{n:04}"), format!("filler{n}@x.io"), None)));
            let schema = version_1(&mut c, &format!("clash{i}"), &users);
            let before = stored_keys(&mut c, &schema);
            assert_collision(PostgresStore::connect_in_schema(&url, &schema).unwrap_err(), pair);
            assert_eq!(stored_keys(&mut c, &schema), before, "rolled back");
            assert_eq!(version(&mut c, &schema), 1);
            c.batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE")).unwrap();
        }
    }

    #[test]
    fn two_users_in_one_page_now_one_identity() {
        let Some(url) = pg_url() else { return };
        let mut c = Client::connect(&url, NoTls).unwrap();
        let pair = PAIRS[1];
        let schema = version_1(&mut c, "page", &colliding_users(pair.0, pair.1));
        assert_collision(PostgresStore::connect_in_schema(&url, &schema).unwrap_err(), pair);
        c.batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE")).unwrap();
    }
}
