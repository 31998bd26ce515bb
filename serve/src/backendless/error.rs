//! Backendless' error answers: `{code, message, rule, errorData: {errors: [violations]}}` with
//! a non-2xx status other than 502 (the SDK's request library reads `code` and `message` from
//! any JSON error body, and turns every 502 into "No connection with server").
//!
//! The reasons and statuses are the OneEntry face's ([`ApiError`]), plus three of this face's
//! own: the app id or key in the URL (2002), no `user-token` (3028) and a `user-token` that is
//! unknown, expired or revoked (3064, Backendless' "not existing user token", on which the SDK's
//! logout forgets its user).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use userform::{ErrorCode, Pointer, Rejection, Violation, ViolationKind};

use crate::error::ApiError;

/// Why a Backendless request was refused.
#[derive(Debug, thiserror::Error)]
pub enum BlError {
    /// The `/{appId}/{apiKey}` of the URL is not the configured application.
    #[error("wrong application id or API key")]
    AppKey,
    /// No `user-token` header where a user is needed.
    #[error("no user is logged in: log in and send the user-token")]
    NoUserToken,
    /// A `user-token` that is unknown, expired or revoked (by a logout, or a password change
    /// made in another session).
    #[error("the user-token is unknown, expired or revoked: log in again")]
    StaleUserToken,
    /// A reason the OneEntry face shares.
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<Rejection> for BlError {
    fn from(r: Rejection) -> Self {
        BlError::Api(ApiError::Rejected(r))
    }
}

impl From<crate::sessions::SessionError> for BlError {
    fn from(e: crate::sessions::SessionError) -> Self {
        BlError::Api(e.into())
    }
}

/// 3029: the signed-in user names another user's object (whether or not it exists).
pub fn other_user() -> BlError {
    Rejection::new(vec![Violation::new(Pointer::root(), ViolationKind::OtherUser)]).into()
}

impl BlError {
    /// The numeric code.
    pub fn code(&self) -> u16 {
        match self {
            BlError::AppKey => ErrorCode::AppInfo.as_u16(),
            BlError::NoUserToken => ErrorCode::NotLoggedIn.as_u16(),
            BlError::StaleUserToken => 3064,
            BlError::Api(e) => e.code(),
        }
    }

    /// The stable kebab-case name.
    pub fn rule(&self) -> &'static str {
        match self {
            BlError::AppKey => "app-key",
            BlError::NoUserToken => "not-logged-in",
            BlError::StaleUserToken => "user-token",
            BlError::Api(e) => e.rule(),
        }
    }

    /// The HTTP status: the OneEntry face's for the reasons it shares.
    pub fn status(&self) -> StatusCode {
        match self {
            BlError::AppKey => StatusCode::FORBIDDEN,
            BlError::NoUserToken | BlError::StaleUserToken => StatusCode::UNAUTHORIZED,
            BlError::Api(e) => e.status(),
        }
    }

    /// The message: for a refusal, every violation's (`marker: message`, `; ` between them).
    pub fn message(&self) -> String {
        let BlError::Api(ApiError::Rejected(r)) = self else { return self.to_string() };
        let each = r.violations().iter().map(|v| match &v.marker {
            Some(m) => format!("{m}: {}", v.message()),
            None => v.message(),
        });
        each.collect::<Vec<_>>().join("; ")
    }

    /// The answer's body; `errorData.errors` lists every violation of a refusal (and is empty
    /// for every other error).
    pub fn body(&self) -> Value {
        let errors = match self {
            BlError::Api(ApiError::Rejected(r)) => serde_json::to_value(r.violations()).unwrap_or(Value::Null),
            _ => json!([]),
        };
        json!({
            "code": self.code(),
            "message": self.message(),
            "rule": self.rule(),
            "errorData": {"errors": errors},
        })
    }
}

impl IntoResponse for BlError {
    fn into_response(self) -> Response {
        if let BlError::Api(e) = &self {
            e.log_detail();
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if let BlError::Api(ApiError::RateLimited(secs)) = self {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_code_a_message_and_error_data_and_is_never_a_502() {
        let all = [
            BlError::AppKey,
            BlError::NoUserToken,
            BlError::StaleUserToken,
            BlError::Api(ApiError::BadCredentials),
            BlError::Api(ApiError::RateLimited(3)),
            BlError::Api(ApiError::Malformed("m".into())),
            BlError::Api(ApiError::Storage("s".into())),
        ];
        let got: Vec<(u16, u16)> = all.iter().map(|e| (e.status().as_u16(), e.code())).collect();
        assert_eq!(got, [(403, 2002), (401, 3028), (401, 3064), (403, 3003), (429, 3036), (400, 3024), (500, 3024)]);
        for e in &all {
            let b = e.body();
            assert_eq!(b["code"], e.code());
            assert!(b["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert_eq!(b["errorData"]["errors"], json!([]), "{b}");
            assert!(e.rule().bytes().all(|c| c.is_ascii_lowercase() || c == b'-'), "{}", e.rule());
            assert_ne!(e.status(), StatusCode::BAD_GATEWAY);
        }
    }

    #[test]
    fn a_refused_update_is_a_400_with_every_violation_in_error_data() {
        let v = |kind| Violation::new(Pointer::root().child("last_name"), kind).with_marker("last_name");
        let e = BlError::from(Rejection::new(vec![v(ViolationKind::Required), v(ViolationKind::ReadOnly)]));
        assert_eq!((e.status(), e.code(), e.rule()), (StatusCode::BAD_REQUEST, 3045, "required"));
        let b = e.body();
        assert_eq!(b["errorData"]["errors"].as_array().map(Vec::len), Some(2));
        assert_eq!(b["errorData"]["errors"][0]["path"], "/last_name");
        assert_eq!(b["errorData"]["errors"][0]["marker"], "last_name");
        assert_eq!(b["errorData"]["errors"][1]["code"], 3024);
        assert!(b["message"].as_str().is_some_and(|m| m.starts_with("last_name: ") && m.contains("; last_name: ")));
        let other = other_user();
        assert_eq!((other.status(), other.code()), (StatusCode::FORBIDDEN, 3029));
        assert_eq!(other.body()["errorData"]["errors"][0]["rule"], "other-user");
        assert_eq!(other.message(), "cannot modify properties of another user");
    }
}
