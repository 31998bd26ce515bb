//! Users as the service sees them: sign-up and `user add` through the engine, sign-in checks,
//! profile updates, archive and erasure, and the sign-up answer's shape (`IUserEntity` is the
//! library's `UserRecord::to_entity`).
//!
//! Everything here is blocking (store I/O, Argon2): the HTTP layer runs it on tokio's blocking
//! pool.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::{json, Value};
use userform::Attribute;
use userform::Pointer;
use userform::{
    identity, password, Engine, Form, IdentityKeys, Registry, Rejection, Request, StoreError, UserRecord, UserStore,
    Violation, ViolationKind,
};

use crate::error::ApiError;
use crate::token;
use crate::turns::{Turn, Turns};

/// How many fresh random ids a sign-up tries before giving up (a clash is a 1 in 2^53 event).
const ID_ATTEMPTS: usize = 4;

/// The users, over the engine and its store.
pub struct Accounts {
    engine: Engine<Arc<dyn UserStore>>,
    registry: Arc<Registry>,
    /// A hash of no one's password, verified against for an unknown login so that the answer
    /// takes as long as for a wrong password.
    dummy_hash: String,
    /// Profile updates of one user, one at a time.
    turns: Turns,
}

fn storage(e: impl std::fmt::Display) -> ApiError {
    ApiError::Storage(e.to_string())
}

/// The part of a body the service reads itself: its language and the markers it sends.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Head {
    #[serde(default)]
    lang_code: Option<Value>,
    #[serde(default)]
    auth_data: Option<Value>,
    #[serde(default)]
    form_data: Option<Value>,
}

impl Head {
    fn of(body: &[u8]) -> Head {
        serde_json::from_slice(body).unwrap_or_default()
    }

    /// Every marker of `authData` and of `formData` in any of its shapes (an array of entries,
    /// one entry, or arrays by language), in any language.
    fn markers(&self) -> BTreeSet<&str> {
        fn entries<'a>(v: &'a Value, out: &mut BTreeSet<&'a str>) {
            match v {
                Value::Array(items) => items.iter().for_each(|i| entries(i, out)),
                Value::Object(map) => match map.get("marker") {
                    Some(Value::String(m)) => {
                        out.insert(m);
                    }
                    Some(_) => {}
                    None => map.values().filter(|v| v.is_array()).for_each(|v| entries(v, out)),
                },
                _ => {}
            }
        }
        let mut out = BTreeSet::new();
        for v in [&self.auth_data, &self.form_data].into_iter().flatten() {
            entries(v, &mut out);
        }
        out
    }
}

/// A sign-up's record before it exists: the engine reads and commits it here, while identity
/// checks go to the real store.
struct Draft {
    real: Arc<dyn UserStore>,
    record: Mutex<UserRecord>,
}

impl Draft {
    fn record(&self) -> Result<std::sync::MutexGuard<'_, UserRecord>, StoreError> {
        self.record.lock().map_err(|_| StoreError::Backend("draft lock poisoned".into()))
    }
}

impl UserStore for Draft {
    fn get(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        let r = self.record()?;
        Ok((r.id == id).then(|| r.clone()))
    }
    fn identity_owner(&self, identity_key: &str) -> Result<Option<String>, StoreError> {
        self.real.identity_owner(identity_key)
    }
    fn insert(&self, record: &UserRecord, _keys: &IdentityKeys) -> Result<(), StoreError> {
        Err(StoreError::DuplicateId(record.id.clone()))
    }
    fn commit(&self, expected_version: u64, record: &UserRecord, _keys: &IdentityKeys) -> Result<(), StoreError> {
        let mut r = self.record()?;
        if r.id != record.id || r.version != expected_version {
            return Err(StoreError::Conflict);
        }
        *r = record.clone();
        Ok(())
    }
}

impl Accounts {
    /// Users of `registry`'s forms kept in `store`.
    pub fn new(registry: Arc<Registry>, store: Arc<dyn UserStore>) -> Result<Self, ApiError> {
        let (secret, _) = token::generate().map_err(storage)?;
        let dummy_hash = password::hash(&secret).map_err(storage)?;
        Ok(Accounts { engine: Engine::new(registry.clone(), store), registry, dummy_hash, turns: Turns::default() })
    }

    /// The store.
    pub fn store(&self) -> &dyn UserStore {
        self.engine.store().as_ref()
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The form behind an auth provider marker: a form with a login (one at least) and a
    /// password attribute.
    pub fn provider(&self, marker: &str) -> Result<&Form, ApiError> {
        self.registry
            .form(marker)
            .filter(|f| f.login().is_some() && f.password().is_some())
            .ok_or_else(|| ApiError::UnknownProvider(marker.to_owned()))
    }

    /// Creates a user of form `provider` from an `IUserBody`. With `require_all`, every
    /// required attribute must be in the body (each one missing is a 3045); a login (any of the
    /// form's) and the password always must.
    pub fn sign_up(&self, provider: &str, body: &[u8], require_all: bool) -> Result<UserRecord, ApiError> {
        let form = self.provider(provider)?;
        let head = Head::of(body);
        let lang = match &head.lang_code {
            Some(Value::String(l)) => l.clone(),
            _ => self.registry.options().default_lang_code.clone(),
        };
        let id = token::random_id().map_err(storage)?.to_string();
        let draft = Arc::new(Draft {
            real: self.engine.store().clone(),
            record: Mutex::new(UserRecord::new(id.clone(), "", form.identifier().to_owned())),
        });
        let engine = Engine::new(self.registry.clone(), draft.clone());
        if let Err(refused) = engine.update(&Request::new(&id, body)) {
            // Value-level refusals (each about a marker) also get the missing attributes; a
            // body-level one (malformed, unknown form...) is reported alone, as the engine does.
            if refused.violations().iter().any(|v| v.marker.is_none()) {
                return Err(refused.into());
            }
            let sent = head.markers();
            let mut all = refused.violations().to_vec();
            all.extend(missing(form, &lang, require_all, |a| !sent.contains(a.marker())));
            return Err(Rejection::new(all).into());
        }
        let mut record = draft.record().map_err(storage)?.clone();
        let missing = missing(form, &lang, require_all, |a| {
            if a.is_login() {
                !record.logins.contains_key(a.marker())
            } else if a.is_password() {
                record.password_hash.is_none()
            } else {
                record.stored(&lang, a.marker()).is_none()
            }
        });
        if !missing.is_empty() {
            return Err(Rejection::new(missing).into());
        }
        let keys = IdentityKeys::of(&record);
        for _ in 0..ID_ATTEMPTS {
            match self.store().insert(&record, &keys) {
                Ok(()) => {
                    record.password_hash = None;
                    return Ok(record);
                }
                Err(StoreError::DuplicateId(_)) => record.id = token::random_id().map_err(storage)?.to_string(),
                Err(StoreError::IdentityTaken(key)) => {
                    // The login that holds the key (taken since the engine checked it).
                    let held = record.logins.iter().find(|(_, v)| identity::key(v) == key).map(|(m, _)| m.as_str());
                    let login = held.or(form.login()).unwrap_or_default().to_owned();
                    let v = Violation::new(Pointer::root().child("authData"), ViolationKind::IdentityTaken(key))
                        .with_marker(login);
                    return Err(Rejection::new(vec![v]).into());
                }
                Err(e) => return Err(storage(e)),
            }
        }
        Err(ApiError::Storage("no free user id".into()))
    }

    /// `userform user add`: a user of `form` with only a login (its first, by position) and a
    /// password.
    pub fn add(&self, form: &str, login: &str, password: &str) -> Result<UserRecord, ApiError> {
        let f = self.provider(form)?;
        let body = json!({
            "formIdentifier": form,
            "authData": [
                {"marker": f.login(), "value": login},
                {"marker": f.password(), "value": password},
            ],
        });
        self.sign_up(form, body.to_string().as_bytes(), false)
    }

    /// The user a sign-in names, if the password is theirs: the user holding `login`'s identity,
    /// whichever of their logins holds it. An unknown login, a user of another provider and a
    /// wrong password all verify one Argon2 hash and answer the same.
    pub fn verify(&self, provider: &str, login: &str, password: &str) -> Result<Option<UserRecord>, ApiError> {
        let form = self.provider(provider)?.identifier().to_owned();
        self.check_password(Some(&form), login, password)
    }

    /// Backendless' login: the user `login` names, of whichever form, if the password is
    /// theirs. Unknown login and wrong password verify one Argon2 hash and answer the same.
    pub fn verify_any(&self, login: &str, password: &str) -> Result<Option<UserRecord>, ApiError> {
        self.check_password(None, login, password)
    }

    /// The user of `login` (of `form` when given) whose password is `password`.
    fn check_password(&self, form: Option<&str>, login: &str, password: &str) -> Result<Option<UserRecord>, ApiError> {
        let owner = self.store().identity_owner(&identity::key(login)).map_err(storage)?;
        let record = match owner {
            Some(id) => self.store().get(&id).map_err(storage)?,
            None => None,
        };
        let record = record.filter(|r| form.is_none_or(|f| r.form_identifier == f));
        let hash = record.as_ref().and_then(|r| r.password_hash.as_deref()).unwrap_or(&self.dummy_hash);
        let matches = password::verify(password, hash);
        Ok(record.filter(|r| matches && r.password_hash.is_some()))
    }

    /// `user_id`'s turn to update if no other update of theirs is in progress in this
    /// process, without waiting (on the blocking pool); else wait with [`Accounts::take_turn`].
    pub fn try_turn(&self, user_id: &str) -> Option<Turn> {
        self.turns.try_take(user_id)
    }

    /// Waits (async) for `user_id`'s turn to update; hold it across [`Accounts::update`].
    pub async fn take_turn(&self, user_id: &str) -> Turn {
        self.turns.take(user_id).await
    }

    /// Applies an `IUserBody` to `user_id`'s record. `Ok(true)` when the body changed the
    /// password (the caller ends the user's other sessions).
    pub fn update(&self, user_id: &str, body: &[u8]) -> Result<bool, ApiError> {
        self.apply(user_id, body).map(|(_, changed_password)| changed_password)
    }

    /// Applies an `IUserBody` to `user_id`'s record: the updated record (no password hash), and
    /// whether the body changed the password.
    pub fn apply(&self, user_id: &str, body: &[u8]) -> Result<(UserRecord, bool), ApiError> {
        let applied = self.engine.apply(&Request::new(user_id, body))?;
        Ok((applied.record, applied.password_changed))
    }

    /// The record of a signed-in user; 3030 when it is gone.
    pub fn get(&self, user_id: &str) -> Result<UserRecord, ApiError> {
        match self.store().get(user_id).map_err(storage)? {
            Some(mut r) => {
                r.password_hash = None;
                Ok(r)
            }
            None => Err(Rejection::new(vec![Violation::new(Pointer::root(), ViolationKind::UserNotFound)]).into()),
        }
    }

    /// Erases a user: values, identity, notification addresses, state and password hash are
    /// removed (the login is free again); the emptied record stays, so its id is never reused.
    pub fn erase(&self, user_id: &str) -> Result<(), ApiError> {
        for _ in 0..ID_ATTEMPTS {
            let Some(stored) = self.store().get(user_id).map_err(storage)? else { return Ok(()) };
            let mut erased = UserRecord::new(stored.id.clone(), "", stored.form_identifier.clone());
            erased.created_at = stored.created_at.clone();
            erased.version = stored.version + 1;
            match self.store().commit(stored.version, &erased, &IdentityKeys::of(&erased)) {
                Ok(()) => return Ok(()),
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(storage(e)),
            }
        }
        Err(ApiError::Storage("the record kept changing while being erased".into()))
    }
}

/// Every attribute a new user must have and that is `absent`: a login (told on the first when
/// every login is absent) and the password always, and with `require_all` every attribute
/// required in `lang` that has no default.
fn missing(form: &Form, lang: &str, require_all: bool, absent: impl Fn(&Attribute) -> bool) -> Vec<Violation> {
    let at = || Pointer::root().child("formData");
    let no_login = form.attributes().filter(|a| a.is_login()).all(&absent);
    let mut out = Vec::new();
    for a in form.attributes() {
        let first_login = no_login && form.login() == Some(a.marker());
        let needed = first_login || a.is_password() || (require_all && a.required_in(lang));
        if needed && absent(a) {
            let kind = if a.is_password() { ViolationKind::PasswordRequired } else { ViolationKind::Required };
            out.push(Violation::new(at(), kind).with_marker(a.marker().to_owned()));
        }
    }
    out
}

/// A record's id as `IUserEntity` wants it: a number when it is one.
fn id_value(id: &str) -> Value {
    id.parse::<u64>().map_or_else(|_| Value::from(id), Value::from)
}

/// The sign-up answer (the SDK's `SignUpResponseSchema`).
pub fn signed_up(record: &UserRecord) -> Value {
    let n = &record.notification_data;
    let mut notification = json!({"email": n.email.clone().unwrap_or_default(), "phonePush": n.phone_push});
    if let (Some(sms), Value::Object(map)) = (&n.phone_sms, &mut notification) {
        map.insert("phoneSMS".into(), Value::from(sms.clone()));
    }
    json!({
        "id": id_value(&record.id),
        "identifier": record.identifier,
        "formIdentifier": record.form_identifier,
        "authProviderIdentifier": record.form_identifier,
        "formData": record.form_data,
        "notificationData": notification,
        "state": record.state,
        "isActive": true,
        "version": record.version,
        "createdDate": record.created_at,
        "updatedDate": record.updated_at,
    })
}
