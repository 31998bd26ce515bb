//! The HTTP layer: the router, the state handlers share, and the middleware every request goes
//! through — one log line, the app token, JSON errors, a body limit, a timeout and CORS — and
//! serving with a graceful shutdown. The Backendless face (`crate::backendless`) is merged in
//! beside the OneEntry face when it is configured, with middleware of its own.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::to_bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::accounts::Accounts;
use crate::backendless::{self, BackendlessApp};
use crate::error::ApiError;
use crate::forms::Forms;
use crate::limit::SignInLimit;
use crate::routes;
use crate::sessions::{SessionRef, Sessions};

/// Everything the handlers share.
pub struct Service {
    /// Users.
    pub accounts: Accounts,
    /// Sessions.
    pub sessions: Sessions,
    /// The forms as served.
    pub forms: Forms,
    /// The sign-in rate limit.
    pub sign_in_limit: SignInLimit,
    /// The `x-app-token` every request must carry, when set.
    pub app_token: Option<String>,
    /// Allowed CORS origins.
    pub cors_origins: Vec<String>,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Longest a request may take.
    pub timeout: Duration,
    /// The Backendless face's application, when it is served.
    pub backendless: Option<BackendlessApp>,
}

/// The state handlers get.
pub type Shared = Arc<Service>;

/// The client's address, as the connection gave it (`unknown` without one).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

/// Runs blocking work (store I/O, Argon2) on tokio's blocking pool.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Storage(format!("worker failed: {e}")))?
}

/// The session of the request's `Authorization: Bearer` access token, or 401.
pub async fn signed_in(service: &Shared, headers: &HeaderMap) -> Result<SessionRef, ApiError> {
    let token = bearer(headers)?;
    let s = service.clone();
    blocking(move || session_of(&s, &token)).await
}

/// The request's `Authorization: Bearer` access token, or 401.
pub fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .ok_or(ApiError::NotLoggedIn)
}

/// The session of an access token, or 401; blocking (for work that continues on the blocking
/// pool: one hand-off instead of two).
pub fn session_of(service: &Service, token: &str) -> Result<SessionRef, ApiError> {
    service.sessions.authenticate(token).map_err(|e| ApiError::Storage(e.to_string()))?.ok_or(ApiError::NotLoggedIn)
}

/// The router with every endpoint and middleware: the OneEntry face (behind the app token, its
/// errors `IError`s), and the Backendless face when it is configured (behind its app id and
/// key, its errors Backendless'), each with its own body limit and timeout so that even those
/// answers come in the face's own shape.
pub fn router(service: Shared) -> Router {
    let cors = cors(&service.cors_origins);
    let mut app = oneentry(&service);
    if let Some(bl) = &service.backendless {
        app = app.merge(backendless::router(&service, bl));
    }
    app.layer(cors).layer(middleware::from_fn(log)).with_state(service)
}

/// The OneEntry face, with `/healthz` and the fallback.
fn oneentry(service: &Shared) -> Router<Shared> {
    let providers = "/api/content/users-auth-providers/marker/{provider}/users";
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/content/forms/marker/{marker}", get(routes::users::form))
        .route(&format!("{providers}/sign-up"), post(routes::auth::sign_up))
        .route(&format!("{providers}/auth"), post(routes::auth::auth))
        .route(&format!("{providers}/refresh"), post(routes::auth::refresh))
        .route(&format!("{providers}/logout"), post(routes::auth::logout))
        .route(&format!("{providers}/logout-all"), post(routes::auth::logout_all))
        .route(
            "/api/content/users/me",
            get(routes::users::get_user).put(routes::users::update_user).delete(routes::users::archive_user),
        )
        .route("/api/content/users/me/account", delete(routes::users::delete_user))
        .fallback(no_route)
        .layer(middleware::from_fn_with_state(service.clone(), app_token))
        .layer(RequestBodyLimitLayer::new(service.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, service.timeout))
        .layer(middleware::from_fn_with_state(service.clone(), json_errors))
}

/// Serves `router` on `listener` until `shutdown` resolves, then finishes the requests in
/// flight.
pub async fn serve(
    listener: TcpListener,
    service: Shared,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(service).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn no_route(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::NoRoute(format!("{method} {}", uri.path()))
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::ACCEPT,
            header::HeaderName::from_static("x-app-token"),
            header::HeaderName::from_static("x-device-metadata"),
            header::HeaderName::from_static("user-token"),
        ])
        .max_age(Duration::from_secs(600))
}

/// One structured line per request: method, path (never the query), status, time, address.
/// Never a body, a header value, a token or a password.
async fn log(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
    req.extensions_mut().insert(ClientAddr(addr.clone()));
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    tracing::info!(target: "userform::http", %method, %path, status, micros, %addr, "request");
    response
}

/// `x-app-token` must be the configured one (when one is configured); `/healthz` needs none.
async fn app_token(State(service): State<Shared>, req: Request, next: Next) -> Response {
    if let Some(expected) = &service.app_token {
        let presented = req.headers().get("x-app-token").map(HeaderValue::as_bytes).unwrap_or_default();
        if req.uri().path() != "/healthz" && !constant_time_eq(presented, expected.as_bytes()) {
            return ApiError::AppToken.into_response();
        }
    }
    next.run(req).await
}

/// Turns every error answer that is not already JSON (the body limit's 413, the timeout's 408,
/// an extractor's rejection) into an `IError`: the SDK breaks on anything else.
async fn json_errors(State(service): State<Shared>, req: Request, next: Next) -> Response {
    match non_json_error(next.run(req).await, service.max_body_bytes).await {
        Ok(response) => response,
        Err((status, error)) => {
            // The layer's own status stays (415 stays 415), and the IError says the same.
            let mut body = error.body();
            body["statusCode"] = status.as_u16().into();
            (status, Json(body)).into_response()
        }
    }
}

/// `Ok(response)` unless it is an error answer that is not JSON (the body limit's 413, the
/// timeout's 408, an extractor's rejection); then its status and the error it stands for, for
/// the face to write in its own shape.
pub(crate) async fn non_json_error(
    response: Response,
    max_body_bytes: usize,
) -> Result<Response, (StatusCode, ApiError)> {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return Ok(response);
    }
    let text = to_bytes(response.into_body(), 64 << 10).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::BodyTooLarge(max_body_bytes),
        StatusCode::REQUEST_TIMEOUT => ApiError::Timeout,
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => ApiError::NoRoute(text),
        s if s.is_client_error() => ApiError::Malformed(if text.is_empty() { s.to_string() } else { text }),
        _ => ApiError::Storage(text),
    };
    Err((status, error))
}

/// Compares secrets without an early exit on the first differing byte.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0xff);
    }
    diff == 0
}
