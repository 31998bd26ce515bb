//! The Backendless endpoints: app info, login, the user object (read and update) and logout.
//! The same handlers serve `/{appId}/{apiKey}/…` (behind the app key check) and `/api/…`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use userform::{Form, UserRecord};

use super::error::{other_user, BlError};
use super::{object, read, BackendlessApp};
use crate::error::ApiError;
use crate::http::{blocking, ClientAddr, Shared};
use crate::sessions::SessionRef;

/// The `{objectId}` of a URL.
#[derive(Deserialize)]
pub struct Target {
    object_id: String,
}

/// The session of the request's `user-token` header: 3028 without one, 3064 for one that is
/// unknown, expired or revoked.
async fn signed_in(s: &Shared, headers: &HeaderMap) -> Result<SessionRef, BlError> {
    let token = headers
        .get("user-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(BlError::NoUserToken)?
        .to_owned();
    let s = s.clone();
    blocking(move || s.sessions.authenticate_user_token(&token).map_err(ApiError::from))
        .await?
        .ok_or(BlError::StaleUserToken)
}

/// The form of a record, and the language user objects are written in.
fn form_of<'a>(s: &'a Shared, record: &UserRecord) -> Result<(&'a Form, String), ApiError> {
    let registry = s.accounts.registry();
    let form =
        registry.form(&record.form_identifier).ok_or_else(|| ApiError::UnknownForm(record.form_identifier.clone()))?;
    Ok((form, registry.options().default_lang_code.clone()))
}

/// `GET …/info`: what the SDK asks at `initApp` (its logging module reads `loggers`).
pub async fn info(app: Arc<BackendlessApp>) -> Json<Value> {
    Json(json!({"appId": app.app_id(), "loggers": []}))
}

/// `{login, password}`; the SDK sends a numeric login as a number.
fn credentials(body: &Bytes) -> Result<(String, String), ApiError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| ApiError::Malformed(e.to_string()))?;
    let login = match v.get("login") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(ApiError::Malformed("`login` must be a string or a number".into())),
    };
    let password = match v.get("password") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(ApiError::Malformed("`password` must be a string".into())),
    };
    Ok((login, password))
}

/// `POST …/users/login`: the user object with a fresh `user-token`. Any `user-token` header is
/// ignored (the SDK sends the one it holds, stale or not). Unknown login, wrong password and
/// archived account answer alike (3003), in the same time; attempts are rate-limited per login
/// and per address, as on the OneEntry face.
pub async fn login(
    State(s): State<Shared>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    body: Bytes,
) -> Result<Json<Value>, BlError> {
    let (login, password) = credentials(&body)?;
    let answer = blocking(move || {
        s.sign_in_limit.attempt(&login, &addr)?;
        let user = s.accounts.verify_any(&login, &password)?.ok_or(ApiError::BadCredentials)?;
        if s.sessions.backend().is_archived(&user.id)? {
            return Err(ApiError::BadCredentials);
        }
        let (form, lang) = form_of(&s, &user)?;
        let mut object = object::write(&user, form, &lang);
        object.insert("user-token".into(), Value::from(s.sessions.open_user_token(&user.id)?));
        Ok(Json(Value::Object(object)))
    })
    .await?;
    Ok(answer)
}

/// `GET …/data/Users/{objectId}` (`getCurrentUser(true)`, `Data.of('Users').findById`): the
/// signed-in user's own object; another user's is 3029, whether or not it exists.
pub async fn read(
    State(s): State<Shared>,
    Path(Target { object_id }): Path<Target>,
    headers: HeaderMap,
) -> Result<Json<Value>, BlError> {
    let session = signed_in(&s, &headers).await?;
    if object_id != session.user_id {
        return Err(other_user());
    }
    let answer = blocking(move || {
        let record = s.accounts.get(&session.user_id)?;
        let (form, lang) = form_of(&s, &record)?;
        Ok(Json(Value::Object(object::write(&record, form, &lang))))
    })
    .await?;
    Ok(answer)
}

/// `PUT …/users/{objectId}` (`UserService.update`): the object the SDK holds, read as an
/// `IUserBody` (see `read`) and applied by the engine; the updated object, or every violation
/// with its path in the object and nothing changed. A password change ends the user's other
/// sessions.
pub async fn update(
    State(s): State<Shared>,
    Path(Target { object_id }): Path<Target>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, BlError> {
    let session = signed_in(&s, &headers).await?;
    if object_id != session.user_id {
        return Err(other_user());
    }
    // Updates of one user take turns, as on the OneEntry face (crate::turns); waited for here,
    // off the blocking pool.
    let turn = s.accounts.take_turn(&session.user_id).await;
    blocking(move || {
        let _turn = turn;
        let record = s.accounts.get(&session.user_id)?;
        let (form, lang) = form_of(&s, &record)?;
        let sent: Value = serde_json::from_slice(&body).map_err(|e| ApiError::Malformed(e.to_string()))?;
        let translated = read::body(&sent, &record, form, &lang)?;
        let (updated, changed_password) = match s.accounts.apply(&session.user_id, &translated.body) {
            Ok(done) => done,
            Err(ApiError::Rejected(r)) => return Err(ApiError::Rejected(translated.translate(&r))),
            Err(e) => return Err(e),
        };
        if changed_password {
            s.sessions.revoke_user(&session.user_id, Some(&session.session_id))?;
        }
        Ok(Json(Value::Object(object::write(&updated, form, &lang))))
    })
    .await
    .map_err(BlError::from)
}

/// `GET …/users/logout`: ends the session of the `user-token`; an empty 200.
pub async fn logout(State(s): State<Shared>, headers: HeaderMap) -> Result<StatusCode, BlError> {
    let session = signed_in(&s, &headers).await?;
    blocking(move || s.sessions.end(&session.session_id).map_err(ApiError::from)).await?;
    Ok(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_a_login_and_a_password() {
        let read = |v: Value| credentials(&Bytes::from(v.to_string()));
        assert_eq!(read(json!({"login": "a@b.c", "password": "pw"})).unwrap(), ("a@b.c".into(), "pw".into()));
        assert_eq!(read(json!({"login": 5551212, "password": "pw"})).unwrap().0, "5551212");
        assert!(read(json!({"objectId": "42"})).is_err(), "a login by objectId is not offered");
        assert!(read(json!({"login": "a", "password": 5})).is_err());
        assert!(credentials(&Bytes::from_static(b"not json")).is_err());
    }
}
