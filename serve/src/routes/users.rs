//! `/api/content/forms/marker/{marker}` and `/api/content/users/me…`: the form, and the
//! signed-in user's profile (read, update, archive, delete).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use userform::UserEntity;

use crate::error::ApiError;
use crate::http::{bearer, blocking, session_of, signed_in, Shared};
use crate::sessions::{now_ms, SessionRef};
use crate::turns::Turn;

/// `?langCode=`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lang {
    lang_code: Option<String>,
}

impl Lang {
    fn or_default(self, s: &Shared) -> String {
        self.lang_code.unwrap_or_else(|| s.accounts.registry().options().default_lang_code.clone())
    }
}

/// `GET /api/content/forms/marker/{marker}`: the form as `IFormsEntity` for the language.
pub async fn form(
    State(s): State<Shared>,
    Path(marker): Path<String>,
    Query(lang): Query<Lang>,
) -> Result<Json<Value>, ApiError> {
    let lang = lang.or_default(&s);
    s.forms.localized(&marker, &lang).map(Json).ok_or(ApiError::UnknownForm(marker))
}

/// `GET /api/content/users/me`: `IUserEntity` with the language's `formData`.
pub async fn get_user(
    State(s): State<Shared>,
    Query(lang): Query<Lang>,
    headers: HeaderMap,
) -> Result<Json<UserEntity>, ApiError> {
    let session = signed_in(&s, &headers).await?;
    let lang = lang.or_default(&s);
    blocking(move || {
        let user = s.accounts.get(&session.user_id)?;
        // With its logins in formData, as OneEntry answers (a form gone since: as stored).
        Ok(Json(match s.accounts.registry().form(&user.form_identifier) {
            Some(form) => form.user_entity(&user, &lang),
            None => user.to_entity(&lang),
        }))
    })
    .await
}

/// `PUT /api/content/users/me`: the engine applies the `IUserBody`; exactly `true`, or an
/// `IError` carrying the engine's code and every violation. A password change ends the
/// user's other sessions. Updates of one user take turns ([`crate::turns`]). When the user's
/// turn is free, the session lookup, the turn and the update are one trip to the blocking pool
/// (this is the route the load bench drives: a hand-off between threads costs about as much as
/// the engine's work); when it is not, the update waits for it off the pool, then goes back.
pub async fn update_user(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Result<Json<bool>, ApiError> {
    let token = bearer(&headers)?;
    let (first, sent) = (s.clone(), body.clone());
    let waiting = blocking(move || {
        let session = session_of(&first, &token)?;
        let Some(turn) = first.accounts.try_turn(&session.user_id) else { return Ok(Some(session)) };
        update_in_turn(&first, &session, &sent, turn)?;
        Ok(None)
    })
    .await?;
    if let Some(session) = waiting {
        let turn = s.accounts.take_turn(&session.user_id).await;
        blocking(move || update_in_turn(&s, &session, &body, turn)).await?;
    }
    Ok(Json(true))
}

/// The update of `session`'s user, in their `turn` (held until it is answered).
fn update_in_turn(s: &Shared, session: &SessionRef, body: &[u8], turn: Turn) -> Result<(), ApiError> {
    if s.accounts.update(&session.user_id, body)? {
        s.sessions.revoke_user(&session.user_id, Some(&session.session_id))?;
    }
    drop(turn);
    Ok(())
}

/// `DELETE /api/content/users/me`: archives the user (kept, but no longer able to sign in)
/// and ends their sessions.
pub async fn archive_user(State(s): State<Shared>, headers: HeaderMap) -> Result<Json<bool>, ApiError> {
    let session = signed_in(&s, &headers).await?;
    blocking(move || {
        s.sessions.backend().archive(&session.user_id, now_ms())?;
        Ok(Json(true))
    })
    .await
}

/// `DELETE /api/content/users/me/account`: erases the user's data, frees the login and ends
/// their sessions.
pub async fn delete_user(State(s): State<Shared>, headers: HeaderMap) -> Result<Json<bool>, ApiError> {
    let session = signed_in(&s, &headers).await?;
    blocking(move || {
        s.accounts.erase(&session.user_id)?;
        s.sessions.backend().archive(&session.user_id, now_ms())?;
        Ok(Json(true))
    })
    .await
}
