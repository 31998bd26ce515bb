//! The endpoints of SPEC §9's OneEntry table: `auth` for the auth provider's (sign-up,
//! sign-in, refresh, logout), `users` for the form and the signed-in user's profile.

pub mod auth;
pub mod users;

use axum::body::Bytes;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body, or 400 `malformed-request`.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::Malformed(e.to_string()))
}
