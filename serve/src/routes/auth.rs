//! `/api/content/users-auth-providers/marker/{provider}/users/…`: sign-up, sign-in (`auth`),
//! refresh, logout and logout-all. A provider marker is the identifier of a form with a login
//! and a password attribute.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::parse;
use crate::accounts::signed_up;
use crate::error::ApiError;
use crate::http::{blocking, signed_in, ClientAddr, Shared};

/// `{authData: [{marker, value}]}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthBody {
    auth_data: Vec<Credential>,
}

#[derive(Deserialize)]
struct Credential {
    marker: String,
    value: Value,
}

/// `{refreshToken}`; the SDK sends `{}` when it has none.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshBody {
    #[serde(default)]
    refresh_token: Option<String>,
}

/// `POST …/sign-up`: a new user through the engine; every required attribute must be sent.
pub async fn sign_up(
    State(s): State<Shared>,
    Path(provider): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        let record = s.accounts.sign_up(&provider, &body, true)?;
        Ok(Json(signed_up(&record)))
    })
    .await
}

/// `POST …/auth`: checks the login and password and opens a session. The login may be any of
/// the form's logins (the first one `authData` carries is used). Unknown login, wrong password
/// and archived account answer alike; attempts are rate-limited per login and per address.
pub async fn auth(
    State(s): State<Shared>,
    Path(provider): Path<String>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let form = s.accounts.provider(&provider)?;
    let req: AuthBody = parse(&body)?;
    let value = |is: &dyn Fn(&str) -> bool, names: String| {
        req.auth_data
            .iter()
            .find(|c| is(&c.marker))
            .and_then(|c| c.value.as_str())
            .map(str::to_owned)
            .ok_or_else(|| ApiError::Malformed(format!("authData must carry {names} as a string")))
    };
    let logins = form.logins();
    let names = logins.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" or ");
    let login = value(&|m| logins.iter().any(|l| l == m), names)?;
    let password_marker = form.password().unwrap_or_default();
    let password = value(&|m| m == password_marker, format!("`{password_marker}`"))?;
    blocking(move || {
        s.sign_in_limit.attempt(&login, &addr)?;
        let user = s.accounts.verify(&provider, &login, &password)?.ok_or(ApiError::BadCredentials)?;
        if s.sessions.backend().is_archived(&user.id)? {
            return Err(ApiError::BadCredentials);
        }
        let pair = s.sessions.open(&user.id)?;
        Ok(Json(json!({
            "userIdentifier": user.identifier,
            "authProviderIdentifier": provider,
            "accessToken": pair.access,
            "refreshToken": pair.refresh,
        })))
    })
    .await
}

/// `POST …/refresh`: a new token pair for a usable refresh token (which is then replaced,
/// and keeps working for the grace period).
pub async fn refresh(
    State(s): State<Shared>,
    Path(provider): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    s.accounts.provider(&provider)?;
    let token = parse::<RefreshBody>(&body)?.refresh_token.ok_or(ApiError::BadRefreshToken)?;
    blocking(move || {
        let (_, pair) = s.sessions.refresh(&token)?.ok_or(ApiError::BadRefreshToken)?;
        Ok(Json(json!({"accessToken": pair.access, "refreshToken": pair.refresh})))
    })
    .await
}

/// `POST …/logout`: ends the session of a refresh token.
pub async fn logout(
    State(s): State<Shared>,
    Path(provider): Path<String>,
    body: Bytes,
) -> Result<Json<bool>, ApiError> {
    s.accounts.provider(&provider)?;
    let token = parse::<RefreshBody>(&body)?.refresh_token.ok_or(ApiError::BadRefreshToken)?;
    blocking(move || if s.sessions.logout(&token)? { Ok(Json(true)) } else { Err(ApiError::BadRefreshToken) }).await
}

/// `POST …/logout-all`: ends every session of the signed-in user.
pub async fn logout_all(
    State(s): State<Shared>,
    Path(provider): Path<String>,
    headers: HeaderMap,
) -> Result<Json<bool>, ApiError> {
    s.accounts.provider(&provider)?;
    let session = signed_in(&s, &headers).await?;
    blocking(move || {
        s.sessions.revoke_user(&session.user_id, None)?;
        Ok(Json(true))
    })
    .await
}
