//! The PostgreSQL store's schema history: the migrations, run in one transaction under an
//! advisory lock when a store connects, and the rekeying steps that recompute identity keys.

use ::postgres::error::SqlState;
use ::postgres::types::Json;
use ::postgres::Client;

use crate::store::{key_column, IdentityKeys, Migration, StoreError};

/// The advisory lock key held while migrating (the bytes of "userform").
const MIGRATION_LOCK: i64 = 0x7573_6572_666f_726d;

/// The schema, one migration per entry; migration `i + 1` is `MIGRATIONS[i]`.
const MIGRATIONS: &[Migration] = &[
    // 1: the users table.
    Migration::Sql(
        "CREATE TABLE userform_users (
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
    )",
    ),
    // 2: identities compared under PRECIS and UTS 46 (they were trimmed, NFC, lower-cased).
    Migration::RekeyIdentities,
    // 3: several logins per record: their values in `logins` (an array of [marker, value]
    // pairs, which keeps their order as `jsonb` objects would not), and the identity keys in
    // their own table, one row per key.
    Migration::Sql(
        "CREATE TABLE userform_identity_keys (
            key     TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES userform_users (id) ON DELETE CASCADE
        );
        CREATE INDEX userform_identity_keys_user_id ON userform_identity_keys (user_id);
        ALTER TABLE userform_users DROP COLUMN identity_key;
        ALTER TABLE userform_users ADD COLUMN logins JSONB NOT NULL DEFAULT '[]'",
    ),
    // 4: the keys of every record computed into the table (what version 2 held in the column,
    // for every record written before records had several logins).
    Migration::RekeyKeyTable,
];

/// Rows read at a time by [`rekey_identities`] and [`rekey_key_table`].
const REKEY_PAGE: i64 = 1000;

/// The schema version this build writes (the number of migrations).
pub(super) const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Why a migration attempt stopped without a database error.
pub(super) enum Refusal {
    /// The database's schema version is newer than ours.
    Newer(i32),
    /// Rekeying found two users with one identity ([`StoreError::IdentityCollision`]).
    Collision(StoreError),
}

/// One migration attempt; `Ok(Err(_))` when it stopped on purpose (and rolled back).
pub(super) fn migrate_once(
    client: &mut Client,
    schema: Option<&str>,
    lock: bool,
) -> Result<Result<(), Refusal>, ::postgres::Error> {
    let mut tx = client.transaction()?;
    if lock {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    }
    if let Some(schema) = schema {
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))?;
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS userform_schema_version (
            version    INTEGER PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )?;
    let current: i32 =
        tx.query_one("SELECT COALESCE(MAX(version), 0) FROM userform_schema_version", &[])?.try_get(0)?;
    if current > SCHEMA_VERSION {
        return Ok(Err(Refusal::Newer(current)));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        match step {
            Migration::Sql(sql) => tx.batch_execute(sql)?,
            Migration::RekeyIdentities => {
                if let Err(collision) = rekey_identities(&mut tx)? {
                    return Ok(Err(Refusal::Collision(collision)));
                }
            }
            Migration::RekeyKeyTable => {
                if let Err(collision) = rekey_key_table(&mut tx)? {
                    return Ok(Err(Refusal::Collision(collision)));
                }
            }
        }
        tx.execute("INSERT INTO userform_schema_version (version) VALUES ($1)", &[&(i as i32 + 1)])?;
    }
    tx.commit().map(Ok)
}

/// Recomputes `identity_key` for every row inside the migration's transaction, a page of rows
/// at a time (memory stays bounded whatever the table's size). Rows whose key changes first
/// lose it, then every keyless row gets its new one, so two rows that merely trade keys never
/// meet the `UNIQUE` constraint half-way. Two rows with one new key are `Ok(Err(collision))`,
/// found before any write that would fail (a failed statement would abort the transaction).
fn rekey_identities(tx: &mut ::postgres::Transaction<'_>) -> Result<Result<(), StoreError>, ::postgres::Error> {
    // Pass 1: clear the keys that change.
    let mut after = String::new();
    loop {
        let page = tx.query(
            "SELECT id, identity_key, identifier FROM userform_users WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &REKEY_PAGE],
        )?;
        let Some(last) = page.last() else { break };
        after = last.try_get(0)?;
        let mut changed: Vec<String> = Vec::new();
        for row in &page {
            let old: Option<String> = row.try_get(1)?;
            if old != key_column(row.try_get(2)?) {
                changed.push(row.try_get(0)?);
            }
        }
        if !changed.is_empty() {
            tx.execute("UPDATE userform_users SET identity_key = NULL WHERE id = ANY($1)", &[&changed])?;
        }
    }
    // Pass 2: give every keyless row its key.
    after.clear();
    loop {
        let page = tx.query(
            "SELECT id, identifier FROM userform_users WHERE identity_key IS NULL AND id > $1 ORDER BY id LIMIT $2",
            &[&after, &REKEY_PAGE],
        )?;
        let Some(last) = page.last() else { break };
        after = last.try_get(0)?;
        // key → (id, identifier), to find two rows of this page with one key.
        let mut keyed: std::collections::BTreeMap<String, (String, String)> = std::collections::BTreeMap::new();
        for row in &page {
            let (id, identifier): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let Some(key) = key_column(&identifier) else { continue };
            if let Some(other) = keyed.remove(&key) {
                return Ok(Err(StoreError::collision(key, other, (id, identifier))));
            }
            keyed.insert(key, (id, identifier));
        }
        if keyed.is_empty() {
            continue;
        }
        let keys: Vec<&str> = keyed.keys().map(String::as_str).collect();
        let holder = tx.query_opt(
            "SELECT identity_key, id, identifier FROM userform_users WHERE identity_key = ANY($1) ORDER BY id LIMIT 1",
            &[&keys],
        )?;
        if let Some(holder) = holder {
            let key: String = holder.try_get(0)?;
            let other = (holder.try_get(1)?, holder.try_get(2)?);
            // The holder's key is one of this page's (the query asked for no other).
            let mine = keyed.remove(&key).unwrap_or_default();
            return Ok(Err(StoreError::collision(key, other, mine)));
        }
        let ids: Vec<&str> = keyed.values().map(|(id, _)| id.as_str()).collect();
        tx.execute(
            "UPDATE userform_users AS u SET identity_key = v.key
             FROM unnest($1::text[], $2::text[]) AS v(id, key) WHERE u.id = v.id",
            &[&ids, &keys],
        )?;
    }
    Ok(Ok(()))
}

/// Refills `userform_identity_keys` from the records inside the migration's transaction, a page
/// of rows at a time: every record's [`IdentityKeys`] (its identifier and its logins). A key two
/// records have is `Ok(Err(collision))`, found before any write that would fail (a failed
/// statement would abort the transaction).
fn rekey_key_table(tx: &mut ::postgres::Transaction<'_>) -> Result<Result<(), StoreError>, ::postgres::Error> {
    tx.execute("DELETE FROM userform_identity_keys", &[])?;
    let mut after = String::new();
    loop {
        let page = tx.query(
            "SELECT id, identifier, logins FROM userform_users WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &REKEY_PAGE],
        )?;
        let Some(last) = page.last() else { break };
        after = last.try_get(0)?;
        // key → (id, identifier), to find two rows of this page with one key.
        let mut keyed: std::collections::BTreeMap<String, (String, String)> = std::collections::BTreeMap::new();
        for row in &page {
            let (id, identifier): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let Json(logins): Json<Vec<(String, String)>> = row.try_get(2)?;
            let values = std::iter::once(identifier.as_str()).chain(logins.iter().map(|(_, v)| v.as_str()));
            for key in IdentityKeys::of_values(values).as_slice() {
                let mine = (id.clone(), identifier.clone());
                match keyed.get(key) {
                    Some(other) => return Ok(Err(StoreError::collision(key.clone(), other.clone(), mine))),
                    None => keyed.insert(key.clone(), mine),
                };
            }
        }
        if keyed.is_empty() {
            continue;
        }
        let keys: Vec<&str> = keyed.keys().map(String::as_str).collect();
        let holder = tx.query_opt(
            "SELECT k.key, u.id, u.identifier FROM userform_identity_keys k JOIN userform_users u ON u.id = k.user_id
             WHERE k.key = ANY($1) ORDER BY u.id LIMIT 1",
            &[&keys],
        )?;
        if let Some(holder) = holder {
            let key: String = holder.try_get(0)?;
            let other = (holder.try_get(1)?, holder.try_get(2)?);
            // The holder's key is one of this page's (the query asked for no other).
            let mine = keyed.remove(&key).unwrap_or_default();
            return Ok(Err(StoreError::collision(key, other, mine)));
        }
        let ids: Vec<&str> = keyed.values().map(|(id, _)| id.as_str()).collect();
        tx.execute(
            "INSERT INTO userform_identity_keys (key, user_id) SELECT * FROM unnest($1::text[], $2::text[])",
            &[&keys, &ids],
        )?;
    }
    Ok(Ok(()))
}

/// A concurrent migration (without the advisory lock) got there first.
pub(super) fn is_race(e: &::postgres::Error) -> bool {
    matches!(e.code(), Some(c) if [
        SqlState::UNIQUE_VIOLATION,
        SqlState::DUPLICATE_TABLE,
        SqlState::DUPLICATE_OBJECT,
        SqlState::DUPLICATE_SCHEMA,
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
    ].contains(c))
}
