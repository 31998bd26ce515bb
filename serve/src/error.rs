//! Every error the service answers, as OneEntry's `IError`: a JSON object with a numeric
//! `statusCode`, `message`, `pageData`, `timestamp`, plus our stable `code` and `rule`, and the
//! engine's `errors[]` when an update or sign-up was refused.
//!
//! The SDK breaks on a non-JSON or empty error body and refreshes its tokens on every 401, so
//! 401 is kept for one case only: no valid access token ([`ApiError::NotLoggedIn`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use userform::{ErrorCode, Rejection};

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `x-app-token` is missing or not the configured one.
    #[error("wrong application token")]
    AppToken,
    /// Sign-in with an unknown login, a wrong password or an archived account: one answer for all.
    #[error("invalid login or password")]
    BadCredentials,
    /// No access token, or one that is unknown, expired or revoked.
    #[error("no valid access token: sign in, or refresh the session")]
    NotLoggedIn,
    /// A refresh or logout with a refresh token that is unknown, expired or revoked.
    #[error("the refresh token is unknown, expired or revoked")]
    BadRefreshToken,
    /// Too many sign-in attempts for this login or from this address.
    #[error("too many sign-in attempts: try again in {0} s")]
    RateLimited(u64),
    /// No form with this marker.
    #[error("no form `{0}`")]
    UnknownForm(String),
    /// No auth provider with this marker (a provider is a form with a login attribute).
    #[error("no auth provider `{0}`")]
    UnknownProvider(String),
    /// A request body that is not the JSON the endpoint takes.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// A body over the HTTP layer's limit.
    #[error("the request body is larger than {0} bytes")]
    BodyTooLarge(usize),
    /// No such endpoint (or not with this method).
    #[error("no endpoint {0}")]
    NoRoute(String),
    /// The request took longer than the configured timeout.
    #[error("the request timed out")]
    Timeout,
    /// The engine refused an update or a sign-up; nothing changed.
    #[error("{0}")]
    Rejected(Rejection),
    /// The store failed. The detail (a database's message, a file path, a constraint's name)
    /// goes to the service's log, never to the client.
    #[error("the service's storage failed; the details are in its log")]
    Storage(String),
}

impl ApiError {
    /// The numeric code (Backendless' vocabulary, as the engine's).
    pub fn code(&self) -> u16 {
        match self {
            ApiError::AppToken => 2002,
            ApiError::BadCredentials => 3003,
            ApiError::NotLoggedIn | ApiError::BadRefreshToken => ErrorCode::NotLoggedIn.as_u16(),
            ApiError::RateLimited(_) => 3036,
            ApiError::Rejected(r) => r.code().as_u16(),
            ApiError::UnknownForm(_)
            | ApiError::UnknownProvider(_)
            | ApiError::Malformed(_)
            | ApiError::BodyTooLarge(_)
            | ApiError::NoRoute(_)
            | ApiError::Timeout
            | ApiError::Storage(_) => ErrorCode::Update.as_u16(),
        }
    }

    /// The stable kebab-case name clients match on.
    pub fn rule(&self) -> &'static str {
        match self {
            ApiError::AppToken => "app-token",
            ApiError::BadCredentials => "bad-credentials",
            ApiError::NotLoggedIn => "not-logged-in",
            ApiError::BadRefreshToken => "refresh-token",
            ApiError::RateLimited(_) => "rate-limited",
            ApiError::UnknownForm(_) => "unknown-form",
            ApiError::UnknownProvider(_) => "unknown-provider",
            ApiError::Malformed(_) => "malformed-request",
            ApiError::BodyTooLarge(_) => "body-too-large",
            ApiError::NoRoute(_) => "no-route",
            ApiError::Timeout => "timeout",
            // The rule of the violation that set the top-level code.
            ApiError::Rejected(r) => {
                r.violations().iter().find(|v| v.code() == r.code()).map_or("rejected", |v| v.rule())
            }
            ApiError::Storage(_) => "storage",
        }
    }

    /// The HTTP status (the README's table).
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::AppToken | ApiError::BadCredentials | ApiError::BadRefreshToken => StatusCode::FORBIDDEN,
            ApiError::NotLoggedIn => StatusCode::UNAUTHORIZED,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UnknownForm(_) | ApiError::UnknownProvider(_) | ApiError::NoRoute(_) => StatusCode::NOT_FOUND,
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Rejected(r) => match r.code() {
                ErrorCode::AppInfo => StatusCode::FORBIDDEN,
                ErrorCode::NotLoggedIn => StatusCode::UNAUTHORIZED,
                ErrorCode::OtherUser => StatusCode::FORBIDDEN,
                ErrorCode::UserNotFound => StatusCode::NOT_FOUND,
                _ if r.violations().iter().any(|v| v.rule() == "storage") => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::BAD_REQUEST,
            },
        }
    }

    /// The `IError` body.
    pub fn body(&self) -> Value {
        let status = self.status();
        let mut body = json!({
            "statusCode": status.as_u16(),
            "message": self.to_string(),
            "pageData": null,
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "code": self.code(),
            "rule": self.rule(),
        });
        if let (ApiError::Rejected(r), Value::Object(map)) = (self, &mut body) {
            map.insert("errors".into(), serde_json::to_value(r.violations()).unwrap_or(Value::Null));
        }
        body
    }
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        ApiError::Rejected(r)
    }
}

impl From<crate::sessions::SessionError> for ApiError {
    fn from(e: crate::sessions::SessionError) -> Self {
        ApiError::Storage(e.to_string())
    }
}

impl ApiError {
    /// Logs what the client is not told: a storage failure's detail.
    pub fn log_detail(&self) {
        if let ApiError::Storage(detail) = self {
            tracing::error!(%detail, "storage failed");
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log_detail();
        let mut response = (self.status(), Json(self.body())).into_response();
        if let ApiError::RateLimited(secs) = self {
            if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use userform::Pointer;
    use userform::{Violation, ViolationKind};

    #[test]
    fn a_refusal_names_the_rule_behind_its_code_and_lists_every_violation() {
        let v = |kind| Violation::new(Pointer::root().child("formData"), kind);
        let e = ApiError::from(Rejection::new(vec![v(ViolationKind::ReadOnly), v(ViolationKind::Required)]));
        assert_eq!((e.status(), e.code(), e.rule()), (StatusCode::BAD_REQUEST, 3045, "required"));
        let b = e.body();
        assert_eq!(b["errors"].as_array().map(Vec::len), Some(2));
        assert_eq!(b["errors"][1]["rule"], "required");
        let gone = ApiError::from(Rejection::new(vec![v(ViolationKind::UserNotFound)]));
        assert_eq!((gone.status(), gone.code()), (StatusCode::NOT_FOUND, 3030));
    }

    #[test]
    fn every_error_is_an_ierror_with_a_numeric_status() {
        let all = [
            ApiError::AppToken,
            ApiError::BadCredentials,
            ApiError::NotLoggedIn,
            ApiError::BadRefreshToken,
            ApiError::RateLimited(3),
            ApiError::UnknownForm("f".into()),
            ApiError::UnknownProvider("p".into()),
            ApiError::Malformed("m".into()),
            ApiError::BodyTooLarge(10),
            ApiError::NoRoute("GET /x".into()),
            ApiError::Timeout,
            ApiError::Storage("s".into()),
        ];
        let statuses: Vec<u16> = all.iter().map(|e| e.status().as_u16()).collect();
        assert_eq!(statuses, [403, 403, 401, 403, 429, 404, 404, 400, 413, 404, 408, 500]);
        for e in &all {
            let b = e.body();
            assert_eq!(b["statusCode"], e.status().as_u16());
            assert!(b["message"].is_string() && b["timestamp"].is_string() && b["pageData"].is_null());
            assert_eq!(b["code"], e.code());
            assert!(e.rule().bytes().all(|c| c.is_ascii_lowercase() || c == b'-'), "{}", e.rule());
        }
        // 401 is only ever "no valid access token": the SDK refreshes on it.
        assert_eq!(all.iter().filter(|e| e.status() == StatusCode::UNAUTHORIZED).count(), 1);
    }
}
