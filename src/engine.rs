//! The engine: the whole flow, bytes → body → plan → record → commit, for one update.
//!
//! Checks come in SPEC §6's precedence order: the application (2002), the session (3028,
//! 3029), the target record (3030), then the body. A commit that meets a concurrent change is
//! retried from a fresh read, a bounded number of times, and then refused with 3024 `conflict`:
//! never a silent overwrite.

use std::fmt;
use std::sync::Arc;

use crate::apply::apply;
use crate::decode::decode;
use crate::error::{Rejection, Violation, ViolationKind};
use crate::json::Arena;
use crate::pointer::Pointer;
use crate::record::UserRecord;
use crate::redact::Redacted;
use crate::registry::Registry;
use crate::store::{IdentityKeys, StoreError, UserStore};
use crate::types::{Services, StoreRoom};
use crate::validate::validate;
use crate::{password, CaptchaVerifier, StaticTokens};

/// Bytes of arena reserved per byte of body (see `Engine::run`).
const ARENA_PER_BODY_BYTE: usize = 3;

/// The application credentials the caller presents (Backendless' application id and secret
/// key, OneEntry's app token). `Debug` shows the id, never the key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AppCredentials<'a> {
    /// Application id.
    pub id: &'a str,
    /// Secret key.
    pub secret_key: &'a str,
}

/// One update request. `Debug` shows the body's length, not its bytes (which may carry a
/// password).
#[derive(Clone, Copy)]
pub struct Request<'a> {
    /// The logged-in user's id, or `None` when nobody is logged in.
    pub session: Option<&'a str>,
    /// The record to update; `None` means the session's own.
    pub target: Option<&'a str>,
    /// The application credentials presented, if any.
    pub app: Option<AppCredentials<'a>>,
    /// The language of entries when the body has no `langCode` (the OneEntry SDK's `langCode`
    /// argument); `None` falls back to the registry's `defaultLangCode`.
    pub lang: Option<&'a str>,
    /// The raw `IUserBody` bytes.
    pub body: &'a [u8],
}

impl fmt::Debug for AppCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials").field("id", &self.id).field("secret_key", &Redacted).finish()
    }
}

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("session", &self.session)
            .field("target", &self.target)
            .field("app", &self.app)
            .field("lang", &self.lang)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl<'a> Request<'a> {
    /// The logged-in user `session` updating their own record with `body`.
    pub fn new(session: &'a str, body: &'a [u8]) -> Self {
        Request { session: Some(session), target: None, app: None, lang: None, body }
    }
}

/// What an update did ([`Engine::apply`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Applied {
    /// The updated record, without its password hash.
    pub record: UserRecord,
    /// The update set a new password.
    pub password_changed: bool,
}

/// Validates and applies updates against a [`Registry`] and a [`UserStore`].
pub struct Engine<S> {
    registry: Arc<Registry>,
    store: S,
    captcha: Arc<dyn CaptchaVerifier>,
    max_attempts: u32,
}

impl<S: UserStore> Engine<S> {
    /// An engine over `registry` and `store`. Its captcha verifier accepts no token until
    /// [`Engine::with_captcha`] sets one; commits are tried up to 5 times.
    pub fn new(registry: Arc<Registry>, store: S) -> Self {
        Engine { registry, store, captcha: Arc::new(StaticTokens::default()), max_attempts: 5 }
    }

    /// Uses `verifier` for `spam` attributes.
    pub fn with_captcha(mut self, verifier: impl CaptchaVerifier + 'static) -> Self {
        self.captcha = Arc::new(verifier);
        self
    }

    /// How many times a commit that met a concurrent change is tried (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Validates the update and applies it atomically. `Ok` carries the updated record (its
    /// `password_hash` removed); `Err` every violation, with nothing changed.
    pub fn update(&self, req: &Request<'_>) -> Result<UserRecord, Rejection> {
        self.run(req, true).map(|applied| applied.record)
    }

    /// As [`Engine::update`], and says what the update did that a service acts on: whether it
    /// changed the password (from `authData` or `formData`), after which a service ends the
    /// user's other sessions.
    pub fn apply(&self, req: &Request<'_>) -> Result<Applied, Rejection> {
        self.run(req, true)
    }

    /// A dry run: validates the update against the stored record and returns the record it
    /// would produce, writing nothing. A new password is validated but not hashed (Argon2id
    /// takes tens of milliseconds by design, and a dry run stores nothing).
    pub fn check(&self, req: &Request<'_>) -> Result<UserRecord, Rejection> {
        self.run(req, false).map(|applied| applied.record)
    }

    fn run(&self, req: &Request<'_>, write: bool) -> Result<Applied, Rejection> {
        let reject = |path: Pointer, kind: ViolationKind| Rejection::new(vec![Violation::new(path, kind)]);
        let root = Pointer::root;
        self.authorize(req).map_err(|k| reject(root(), k))?;
        let session = req.session.ok_or_else(|| reject(root(), ViolationKind::NotLoggedIn))?;
        let target = req.target.unwrap_or(session);
        if target != session {
            return Err(reject(root(), ViolationKind::OtherUser));
        }
        let storage = |e: StoreError| reject(root(), ViolationKind::Storage(e.to_string()));
        let read =
            || self.store.get(target).map_err(storage)?.ok_or_else(|| reject(root(), ViolationKind::UserNotFound));
        // 3030 comes before any body-level 3024, so the record is looked up first.
        let mut record = read()?;
        // The body's parsed tree (and the stored state's, for the merge) lives here: one
        // allocation, freed at once when the request ends. A tree takes about two to three
        // times its text (`benches/data`'s bodies fit in the first chunk); only a body of
        // tiny values needs more. A body over the size limit, which `decode` refuses before
        // parsing, reserves nothing.
        let limits = &self.registry.options().limits;
        let within = if req.body.len() <= limits.max_body_bytes { req.body.len() } else { 0 };
        let arena = Arena::with_capacity(within * ARENA_PER_BODY_BYTE + 1024);
        let body = decode(req.body, &arena, limits).map_err(|v| Rejection::new(vec![*v]))?;
        let form = self.registry.form(body.form_identifier).ok_or_else(|| {
            reject(root().child("formIdentifier"), ViolationKind::UnknownForm(body.form_identifier.to_string()))
        })?;
        let env = Services {
            sanitizer: self.registry.sanitizer(),
            captcha: self.captcha.as_ref(),
            room: StoreRoom::new(limits.max_stored_text_bytes, limits.max_record_bytes),
        };
        let mut password_hash: Option<String> = None;
        for attempt in 0..self.max_attempts {
            if attempt > 0 {
                record = read()?; // a retry starts from a fresh read
            }
            if record.form_identifier != form.identifier {
                let kind = ViolationKind::FormMismatch {
                    stored: record.form_identifier.clone(),
                    sent: form.identifier.clone(),
                };
                return Err(reject(root().child("formIdentifier"), kind));
            }
            let identity_check = |key: &str| match self.store.identity_owner(key) {
                Ok(Some(owner)) if owner != record.id => Some(ViolationKind::IdentityTaken(key.to_owned())),
                Ok(_) => None,
                Err(e) => Some(ViolationKind::Storage(e.to_string())),
            };
            let plan = validate(&body, req.lang, form, &record, &self.registry, &env, &identity_check)
                .map_err(Rejection::new)?;
            // Hashed once, after validation passed, and only when the update is written: a dry
            // run's record keeps the stored hash (the returned record carries none either way).
            if let (true, Some(clear), None) = (write, &plan.get().password, &password_hash) {
                password_hash = Some(hash_password(clear).map_err(|e| reject(root(), ViolationKind::Storage(e)))?);
            }
            let expected_version = record.version;
            let password_changed = plan.get().password.is_some();
            // (key, marker, path) of each login the update sets, to name the one a concurrent
            // update took first.
            let set: Vec<(String, &str, Pointer)> =
                plan.get().logins.iter().map(|c| (c.key.clone(), c.marker, c.path.clone())).collect();
            // In place: the record is large, and every move of it is a copy.
            apply(plan, &mut record, form, password_hash.clone(), chrono::Utc::now());
            if write {
                // The record's identity keys, computed once here for the store to index.
                let keys = IdentityKeys::of(&record);
                match self.store.commit(expected_version, &record, &keys) {
                    Ok(()) => {}
                    Err(StoreError::Conflict) => continue,
                    Err(StoreError::IdentityTaken(key)) => {
                        let (marker, path) = match set.into_iter().find(|(k, _, _)| *k == key) {
                            Some((_, marker, path)) => (Some(marker), path),
                            None => (form.login(), Pointer::root()),
                        };
                        let mut v = Violation::new(path, ViolationKind::IdentityTaken(key));
                        v.marker = marker.map(str::to_owned);
                        return Err(Rejection::new(vec![v]));
                    }
                    Err(e) => return Err(storage(e)),
                }
            }
            record.password_hash = None;
            return Ok(Applied { record, password_changed });
        }
        Err(reject(root(), ViolationKind::Conflict(self.max_attempts)))
    }

    /// The application check (2002).
    fn authorize(&self, req: &Request<'_>) -> Result<(), ViolationKind> {
        let Some(app) = &self.registry.options().application else { return Ok(()) };
        if !app.enabled {
            return Err(ViolationKind::AppDisabled);
        }
        match req.app {
            Some(c)
                if constant_time_eq(c.id.as_bytes(), app.id.as_bytes())
                    & constant_time_eq(c.secret_key.as_bytes(), app.secret_key.as_bytes()) =>
            {
                Ok(())
            }
            _ => Err(ViolationKind::AppCredentials),
        }
    }
}

/// The one place the engine hashes a password (Argon2id). Tests count the calls per thread.
fn hash_password(clear: &str) -> Result<String, String> {
    #[cfg(test)]
    tests::HASHES.with(|n| n.set(n.get() + 1));
    password::hash(clear)
}

/// Compares secrets without an early exit on the first differing byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() != b.len()) as u8;
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0xff);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::sync::Arc;

    use serde_json::json;

    use super::{constant_time_eq, Engine, Request};
    use crate::registry::{Registry, RegistryOptions};
    use crate::store::{IdentityKeys, MemoryStore, UserStore};
    use crate::UserRecord;

    thread_local! {
        /// Passwords hashed by `hash_password` on this thread (each test runs on its own).
        pub(super) static HASHES: Cell<usize> = const { Cell::new(0) };
    }

    /// A form with a login and a password, and its user `u1` with a stored hash.
    fn engine() -> Engine<MemoryStore> {
        let form = json!({"identifier": "reg", "attributes": [
            {"marker": "email", "type": "string", "position": 1, "isLogin": true},
            {"marker": "password", "type": "string", "position": 2, "isPassword": true},
            {"marker": "last_name", "type": "string", "position": 3}]});
        let registry = Registry::from_forms([("reg", form)], RegistryOptions::default()).unwrap();
        let store = MemoryStore::new();
        let mut user = UserRecord::signed_up("u1", "alice@example.com", "reg");
        user.password_hash = Some("$argon2id$stored".into());
        store.insert(&user, &IdentityKeys::of(&user)).unwrap();
        Engine::new(Arc::new(registry), store)
    }

    const NEW_PASSWORD: &[u8] = br#"{"formIdentifier": "reg",
        "authData": [{"marker": "password", "value": "a new secret"}],
        "formData": [{"marker": "last_name", "type": "string", "value": "Doe"}]}"#;

    #[test]
    fn a_dry_run_does_not_hash_the_password() {
        let engine = engine();
        let before = HASHES.with(Cell::get);
        let checked = engine.check(&Request::new("u1", NEW_PASSWORD)).unwrap();
        assert_eq!(HASHES.with(Cell::get), before, "check hashed the password");
        assert_eq!(checked.value("en_US", "last_name"), Some("Doe".into()));
        assert_eq!(checked.password_hash, None);
        let stored = engine.store().get("u1").unwrap().unwrap();
        assert_eq!(stored.password_hash.as_deref(), Some("$argon2id$stored"), "a dry run wrote");
        assert_eq!(stored.version, 1);
    }

    #[test]
    fn an_update_hashes_the_password_once_after_validation() {
        let engine = engine();
        let before = HASHES.with(Cell::get);
        let invalid = br#"{"formIdentifier": "reg", "authData": [{"marker": "password", "value": "a new secret"}],
            "formData": [{"marker": "last_name", "type": "integer", "value": 1}]}"#;
        assert!(engine.update(&Request::new("u1", invalid)).is_err());
        assert_eq!(HASHES.with(Cell::get), before, "a rejected update hashed the password");
        engine.update(&Request::new("u1", NEW_PASSWORD)).unwrap();
        assert_eq!(HASHES.with(Cell::get), before + 1);
        let stored = engine.store().get("u1").unwrap().unwrap();
        let hash = stored.password_hash.unwrap();
        assert!(crate::password::verify("a new secret", &hash), "stored {hash}");
    }

    #[test]
    fn secrets() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd") && !constant_time_eq(b"abc", b"ab") && !constant_time_eq(b"", b"a"));
    }
}
