//! The Backendless face of `userform serve` (SPEC §9), for applications on the `backendless`
//! npm SDK: `GET …/info`, `POST …/users/login`, `PUT …/users/{objectId}`,
//! `GET …/data/Users/{objectId}` and `GET …/users/logout`, each under `/{appId}/{apiKey}/…`
//! (`Backendless.initApp(appId, apiKey)` with `serverURL`) and under `/api/…` (the SDK's
//! custom-domain form, `initApp({domain})`, where the domain names the application).
//!
//! `object` writes a record as Backendless' flat user object; `read` turns the object the SDK
//! sends back into the engine's `IUserBody` (and the engine's answer back into the object's
//! terms); `error` writes Backendless' error answers; `routes` has the handlers. Sessions are
//! the OneEntry face's ([`crate::sessions`]), with a token kind of their own.
//!
//! No route of one face shadows one of the other: the OneEntry face lives under
//! `/api/content/…`, which no `/api/…` route here reaches (none has `content` as its first
//! segment), and `/{appId}/{apiKey}/…` could only reach `/api/content/…` with the app id `api`,
//! which [`BackendlessApp::new`] refuses.

mod error;
mod object;
mod read;
mod routes;

use std::fmt;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use error::BlError;

use crate::http::{constant_time_eq, non_json_error, Shared};

/// The application the Backendless face answers for (`--backendless-app-id` and
/// `--backendless-api-key`). `Debug` shows the id, never the key.
#[derive(Clone)]
pub struct BackendlessApp {
    app_id: String,
    api_key: String,
}

impl fmt::Debug for BackendlessApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackendlessApp").field("app_id", &self.app_id).field("api_key", &"<redacted>").finish()
    }
}

/// Why an application id or API key cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// Empty: no URL could carry it.
    #[error("the Backendless {0} is empty")]
    Empty(&'static str),
    /// A `/`, or a `.`/`..` segment: it would not be one path segment.
    #[error("the Backendless {0} must be one URL path segment (no `/`, not `.` or `..`)")]
    NotASegment(&'static str),
    /// The app id `api`: its URLs would be the `/api/…` ones.
    #[error("the Backendless application id cannot be `api`: `/api/…` is the custom-domain form")]
    Reserved,
    /// One flag without the other.
    #[error("--backendless-app-id and --backendless-api-key go together")]
    HalfConfigured,
}

impl AppError {
    /// A stable kebab-case name.
    pub fn rule(&self) -> &'static str {
        match self {
            AppError::Empty(_) => "empty",
            AppError::NotASegment(_) => "not-a-segment",
            AppError::Reserved => "reserved-app-id",
            AppError::HalfConfigured => "half-configured",
        }
    }
}

impl BackendlessApp {
    /// The application `app_id`, whose requests carry `api_key`.
    pub fn new(app_id: &str, api_key: &str) -> Result<Self, AppError> {
        for (what, value) in [("application id", app_id), ("API key", api_key)] {
            if value.is_empty() {
                return Err(AppError::Empty(what));
            }
            if value.contains('/') || value == "." || value == ".." {
                return Err(AppError::NotASegment(what));
            }
        }
        if app_id == "api" {
            return Err(AppError::Reserved);
        }
        Ok(BackendlessApp { app_id: app_id.to_owned(), api_key: api_key.to_owned() })
    }

    /// The application of the two flags, when both are given (clap already refuses one alone).
    pub fn from_flags(app_id: Option<&str>, api_key: Option<&str>) -> Result<Option<Self>, AppError> {
        match (app_id, api_key) {
            (Some(id), Some(key)) => BackendlessApp::new(id, key).map(Some),
            (None, None) => Ok(None),
            _ => Err(AppError::HalfConfigured),
        }
    }

    /// The application id (`GET …/info` tells it).
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// True for this application's id and key (compared in constant time).
    fn accepts(&self, app_id: &str, api_key: &str) -> bool {
        let id = constant_time_eq(app_id.as_bytes(), self.app_id.as_bytes());
        let key = constant_time_eq(api_key.as_bytes(), self.api_key.as_bytes());
        id & key
    }
}

/// The Backendless routes, under both URL shapes, with their middleware: the app id and key
/// (`/{appId}/{apiKey}/…` only), a body limit, a timeout, and Backendless-shaped errors for
/// everything the layers answer themselves.
pub fn router(service: &Shared, app: &BackendlessApp) -> Router<Shared> {
    let app = Arc::new(app.clone());
    let endpoints = |app: Arc<BackendlessApp>| {
        let info_app = app.clone();
        Router::new()
            .route("/info", get(move || routes::info(info_app.clone())))
            .route("/users/login", post(routes::login))
            .route("/users/logout", get(routes::logout))
            .route("/users/{object_id}", put(routes::update))
            .route("/data/Users/{object_id}", get(routes::read))
    };
    let keyed = endpoints(app.clone()).route_layer(middleware::from_fn_with_state(app.clone(), app_key));
    Router::new()
        .nest("/api", endpoints(app.clone()))
        .nest("/{app_id}/{api_key}", keyed)
        .layer(RequestBodyLimitLayer::new(service.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, service.timeout))
        .layer(middleware::from_fn_with_state(service.clone(), json_errors))
}

/// The `/{appId}/{apiKey}` of a URL.
#[derive(Deserialize)]
struct AppPath {
    app_id: String,
    api_key: String,
}

/// `/{appId}/{apiKey}/…` must name the configured application, else 2002.
async fn app_key(
    State(app): State<Arc<BackendlessApp>>,
    path: Result<Path<AppPath>, axum::extract::rejection::PathRejection>,
    req: Request,
    next: Next,
) -> Response {
    match path {
        Ok(Path(p)) if app.accepts(&p.app_id, &p.api_key) => next.run(req).await,
        _ => BlError::AppKey.into_response(),
    }
}

/// Every error answer that is not JSON yet (the body limit's 413, the timeout's 408, an
/// extractor's rejection, a 405) in Backendless' shape, with its status.
async fn json_errors(State(service): State<Shared>, req: Request, next: Next) -> Response {
    match non_json_error(next.run(req).await, service.max_body_bytes).await {
        Ok(response) => response,
        Err((status, error)) => (status, Json(BlError::Api(error).body())).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_cannot_be_served_are_refused() {
        assert!(BackendlessApp::new("APP-ID", "KEY").is_ok());
        assert_eq!(BackendlessApp::new("api", "KEY").unwrap_err(), AppError::Reserved);
        assert_eq!(BackendlessApp::new("", "KEY").unwrap_err(), AppError::Empty("application id"));
        assert_eq!(BackendlessApp::new("A", "").unwrap_err(), AppError::Empty("API key"));
        assert_eq!(BackendlessApp::new("a/b", "KEY").unwrap_err(), AppError::NotASegment("application id"));
        assert_eq!(BackendlessApp::new("A", "..").unwrap_err(), AppError::NotASegment("API key"));
        assert_eq!(BackendlessApp::from_flags(None, Some("K")).unwrap_err(), AppError::HalfConfigured);
        assert!(BackendlessApp::from_flags(None, None).unwrap().is_none());
        assert_eq!(AppError::Reserved.rule(), "reserved-app-id");
    }

    #[test]
    fn the_key_is_checked_and_never_shown() {
        let app = BackendlessApp::new("APP", "SECRET").unwrap();
        assert!(app.accepts("APP", "SECRET"));
        assert!(!app.accepts("APP", "SECRE") && !app.accepts("APX", "SECRET") && !app.accepts("", ""));
        assert!(!format!("{app:?}").contains("SECRET"));
    }
}
