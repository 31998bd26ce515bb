//! The Backendless face over HTTP, for what the SDK tests do not show: both URL shapes beside
//! the OneEntry face (no route shadows another), the app id and key, the flat user object in
//! and out, every refusal in Backendless' shape with its status, enumeration-safe and
//! rate-limited login, user-tokens kept apart from the OneEntry face's tokens, revocation.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use clap::Parser;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use userform_serve::config::{Cli, Command};
use userform_serve::http::{self, Shared};

const TOKEN: &str = "test-app-token";
const APP: &str = "APP-ID";
const KEY: &str = "REST-KEY";
const BL: &str = "/APP-ID/REST-KEY";
const LOGIN: &str = "alice@example.com";
const PASSWORD: &str = "correct horse";
const BOB: &str = "bob@example.com";

struct Harness {
    app: Router,
    service: Shared,
    _dir: tempfile::TempDir,
}

/// A service with both faces on a fresh SQLite file, with alice and bob added by `user add`.
fn harness(extra: &[&str]) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("users.db").display());
    let forms = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/forms");
    let mut argv = vec!["userform", "serve", "--db", &db, "--forms", forms, "--app-token", TOKEN];
    argv.extend_from_slice(&["--backendless-app-id", APP, "--backendless-api-key", KEY]);
    argv.extend_from_slice(extra);
    let Command::Serve(args) = Cli::try_parse_from(argv).unwrap().command else { unreachable!("parsed `serve`") };
    let service = Arc::new(args.build().unwrap());
    service.accounts.add("reg", LOGIN, PASSWORD).unwrap();
    service.accounts.add("reg", BOB, PASSWORD).unwrap();
    Harness { app: http::router(service.clone()), service, _dir: dir }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Harness {
    /// A request as the Backendless SDK makes it: no `x-app-token`, `user-token` once logged in.
    async fn call(&self, method: Method, path: &str, user_token: Option<&str>, body: Option<Value>) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = user_token {
            req = req.header("user-token", t);
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        let req = req.header(header::CONTENT_TYPE, "application/json").body(body).unwrap();
        self.send(req).await
    }

    async fn send(&self, mut req: Request<Body>) -> Answer {
        req.extensions_mut().insert(ConnectInfo("127.0.0.1:40000".parse::<SocketAddr>().unwrap()));
        let res = self.app.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&bytes)))
        };
        Answer { status, headers, body }
    }

    async fn login(&self, login: &str, password: &str, stale: Option<&str>) -> Answer {
        self.call(
            Method::POST,
            &format!("{BL}/users/login"),
            stale,
            Some(json!({"login": login, "password": password})),
        )
        .await
    }

    /// The user object of a fresh login, with its `user-token`.
    async fn logged_in(&self, login: &str) -> (Value, String) {
        let a = self.login(login, PASSWORD, None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let token = a.body["user-token"].as_str().unwrap().to_owned();
        (a.body, token)
    }

    async fn update(&self, object_id: &str, token: Option<&str>, object: &Value) -> Answer {
        self.call(Method::PUT, &format!("{BL}/users/{object_id}"), token, Some(object.clone())).await
    }

    async fn read(&self, object_id: &str, token: Option<&str>) -> Answer {
        self.call(Method::GET, &format!("{BL}/data/Users/{object_id}"), token, None).await
    }
}

/// A Backendless error: its status, and its body's code (after checking the body's shape).
fn refused(a: &Answer) -> (StatusCode, u64) {
    let b = &a.body;
    assert!(b["message"].is_string() && b["rule"].is_string() && b["errorData"]["errors"].is_array(), "{b}");
    assert!(b.get("statusCode").is_none(), "not an IError: {b}");
    (a.status, b["code"].as_u64().unwrap_or(0))
}

#[tokio::test]
async fn both_url_shapes_serve_the_face_beside_the_oneentry_face() {
    let h = harness(&[]);
    for path in [format!("{BL}/info"), "/api/info".to_owned()] {
        let a = h.call(Method::GET, &path, None, None).await;
        assert_eq!((a.status, &a.body), (StatusCode::OK, &json!({"appId": APP, "loggers": []})), "{path}");
    }
    for path in ["/APP-ID/wrong/info", "/wrong/REST-KEY/users/login", "/app-id/REST-KEY/data/Users/1"] {
        let a = h.call(Method::GET, path, None, None).await;
        assert_eq!(refused(&a), (StatusCode::FORBIDDEN, 2002), "{path}");
    }
    let a = h.call(Method::POST, "/wrong/key/users/login", None, Some(json!({"login": LOGIN, "password": PASSWORD})));
    assert_eq!(refused(&a.await), (StatusCode::FORBIDDEN, 2002), "the key first, even for a good login");

    // The custom-domain shape: no key in the URL.
    let a = h.call(Method::POST, "/api/users/login", None, Some(json!({"login": LOGIN, "password": PASSWORD}))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let (id, token) = (a.body["objectId"].as_str().unwrap().to_owned(), a.body["user-token"].as_str().unwrap());
    let read = h.call(Method::GET, &format!("/api/data/Users/{id}"), Some(token), None).await;
    assert_eq!((read.status, read.body["email"].as_str()), (StatusCode::OK, Some(LOGIN)));

    // The OneEntry face is untouched: its paths, its app token, its IErrors.
    let one = |method: Method, path: &str, with_token: bool| {
        let mut req = Request::builder().method(method).uri(path);
        if with_token {
            req = req.header("x-app-token", TOKEN);
        }
        req.body(Body::empty()).unwrap()
    };
    let a = h.send(one(Method::GET, "/api/content/forms/marker/reg", true)).await;
    assert_eq!((a.status, a.body["identifier"].as_str()), (StatusCode::OK, Some("reg")));
    let a = h.send(one(Method::GET, "/api/content/forms/marker/reg", false)).await;
    assert_eq!((a.status, a.body["statusCode"].as_u64()), (StatusCode::FORBIDDEN, Some(403)));
    let a = h.send(one(Method::PUT, "/api/content/users/me", true)).await;
    assert_eq!(
        (a.status, a.body["statusCode"].as_u64()),
        (StatusCode::UNAUTHORIZED, Some(401)),
        "OneEntry's, not 2002"
    );
    // A path neither face defines under `/api/content` has the shape `/{appId}/{apiKey}/info`:
    // the application `api` is not this one.
    let a = h.send(one(Method::GET, "/api/content/info", true)).await;
    assert_eq!(refused(&a), (StatusCode::FORBIDDEN, 2002));
    let a = h.send(one(Method::GET, "/api/content/nothing/here", true)).await;
    assert_eq!((a.status, a.body["statusCode"].as_u64()), (StatusCode::NOT_FOUND, Some(404)));

    // What the layers answer comes in the face's shape too.
    let a = h.call(Method::POST, &format!("{BL}/users/logout"), None, None).await;
    assert_eq!(refused(&a), (StatusCode::METHOD_NOT_ALLOWED, 3024));
    let a = h.call(Method::DELETE, "/api/users/logout", None, None).await;
    assert_eq!(refused(&a), (StatusCode::METHOD_NOT_ALLOWED, 3024));
}

#[tokio::test]
async fn without_the_flags_there_is_no_backendless_face() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("users.db").display());
    let forms = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/forms");
    let Command::Serve(args) =
        Cli::try_parse_from(["userform", "serve", "--db", &db, "--forms", forms]).unwrap().command
    else {
        unreachable!("parsed `serve`")
    };
    let app = http::router(Arc::new(args.build().unwrap()));
    for path in ["/api/info", "/APP-ID/REST-KEY/info"] {
        let res = app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let refused =
        Cli::try_parse_from(["userform", "serve", "--backendless-app-id", "api", "--backendless-api-key", "K"]);
    let Command::Serve(args) = refused.unwrap().command else { unreachable!("parsed `serve`") };
    let e = args.build().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("cannot be `api`"), "{e}");
}

#[tokio::test]
async fn login_answers_the_flat_user_object_and_ignores_a_stale_token() {
    let h = harness(&[]);
    let (user, token) = h.logged_in(LOGIN).await;
    assert_eq!(user["email"], LOGIN);
    assert_eq!(user["___class"], "Users");
    assert_eq!(user["ownerId"], user["objectId"]);
    assert!(user["objectId"].is_string() && user["created"].is_i64() && user["updated"].is_i64());
    assert!(user["last_name"].is_null() && user.get("password").is_none() && user.get("submit").is_none());
    assert_eq!(token.len(), 43);
    assert!(!user.to_string().contains("argon2"));

    // The SDK sends the token it holds with the login, stale or not.
    let id = user["objectId"].as_str().unwrap();
    let out = h.call(Method::GET, &format!("{BL}/users/logout"), Some(&token), None).await;
    assert_eq!((out.status, &out.body), (StatusCode::OK, &Value::Null), "an empty 200");
    assert_eq!(refused(&h.read(id, Some(&token)).await), (StatusCode::UNAUTHORIZED, 3064));
    for stale in [token.as_str(), "forged"] {
        let again = h.login(LOGIN, PASSWORD, Some(stale)).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        let fresh = again.body["user-token"].as_str().unwrap();
        assert_ne!(fresh, token);
        assert_eq!(h.read(id, Some(fresh)).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_bad_login_does_not_reveal_whether_the_login_exists_and_is_rate_limited() {
    let h = harness(&["--sign-in-per-login", "4"]);
    let wrong = h.login(LOGIN, "not it", None).await;
    let unknown = h.login("nobody@example.com", "not it", None).await;
    let archived = {
        let id = h.logged_in(BOB).await.0["objectId"].as_str().unwrap().to_owned();
        h.service.sessions.backend().archive(&id, 0).unwrap();
        h.login(BOB, PASSWORD, None).await
    };
    assert_eq!(refused(&wrong), (StatusCode::FORBIDDEN, 3003));
    assert_eq!((unknown.status, &unknown.body), (wrong.status, &wrong.body));
    assert_eq!((archived.status, &archived.body), (wrong.status, &wrong.body), "an archived user as a wrong password");
    let a = h.call(Method::POST, &format!("{BL}/users/login"), None, Some(json!({"objectId": "1"}))).await;
    assert_eq!(refused(&a), (StatusCode::BAD_REQUEST, 3024));

    for _ in 0..3 {
        assert_eq!(h.login(LOGIN, "not it", None).await.status, StatusCode::FORBIDDEN);
    }
    let limited = h.login(LOGIN, PASSWORD, None).await;
    assert_eq!(refused(&limited), (StatusCode::TOO_MANY_REQUESTS, 3036), "even with the right password");
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn an_update_reads_the_whole_object_the_sdk_holds() {
    let h = harness(&[]);
    let (mut user, token) = h.logged_in(LOGIN).await;
    let id = user["objectId"].as_str().unwrap().to_owned();

    // The SDK sends back everything, system fields and unchanged identity included.
    user["last_name"] = json!("Lovelace");
    user["age"] = json!("36");
    user["selector"] = json!("2");
    let a = h.update(&id, Some(&token), &user).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!((a.body["last_name"].as_str(), a.body["age"].as_i64()), (Some("Lovelace"), Some(36)));
    assert_eq!(a.body["selector"]["title"], "green", "canonical: the form's option");
    assert!(a.body.get("user-token").is_none());
    let read = h.read(&id, Some(&token)).await;
    assert_eq!(read.body, a.body, "the next read sees it");

    // Sent back as read: no change, no 3018, no read-only.
    let again = h.update(&id, Some(&token), &read.body).await;
    assert_eq!((again.status, &again.body["last_name"]), (StatusCode::OK, &json!("Lovelace")));

    // A required property emptied: 400, 3045 at the property, nothing of the object applied.
    let mut bad = read.body.clone();
    bad["first_name"] = json!("Ada");
    bad["last_name"] = json!("");
    let a = h.update(&id, Some(&token), &bad).await;
    assert_eq!(refused(&a), (StatusCode::BAD_REQUEST, 3045));
    let v = &a.body["errorData"]["errors"][0];
    assert_eq!(
        (v["marker"].as_str(), v["path"].as_str(), v["rule"].as_str()),
        (Some("last_name"), Some("/last_name"), Some("required"))
    );
    let after = h.read(&id, Some(&token)).await.body;
    assert_eq!((after["first_name"].clone(), after["last_name"].clone()), (Value::Null, json!("Lovelace")));

    // Every other refusal: 400 with the engine's code, violations at the properties.
    let cases = [
        (json!({"email": BOB}), 3018, "/email"),
        (json!({"nickname": "x"}), 3031, "/nickname"),
        (json!({"age": "old"}), 3024, "/age"),
        (json!({"member_since": "2020-01-01"}), 3024, "/member_since"),
        (json!({"birthday": {"fullDate": "nope"}}), 3024, "/birthday/fullDate"),
    ];
    for (object, code, path) in cases {
        let a = h.update(&id, Some(&token), &object).await;
        assert_eq!(refused(&a), (StatusCode::BAD_REQUEST, code), "{object}: {}", a.body);
        let paths: Vec<&str> =
            a.body["errorData"]["errors"].as_array().unwrap().iter().filter_map(|e| e["path"].as_str()).collect();
        assert!(paths.contains(&path), "{object}: {paths:?}");
    }
    assert_eq!(h.read(&id, Some(&token)).await.body, after, "nothing changed");
    let a = h.call(Method::PUT, &format!("{BL}/users/{id}"), Some(&token), Some(json!([1]))).await;
    assert_eq!(refused(&a), (StatusCode::BAD_REQUEST, 3024));
    let mut req = Request::put(format!("{BL}/users/{id}")).header("user-token", &token);
    req = req.header(header::CONTENT_TYPE, "application/json");
    let a = h.send(req.body(Body::from("{not json")).unwrap()).await;
    assert_eq!((refused(&a), a.body["rule"].as_str()), ((StatusCode::BAD_REQUEST, 3024), Some("malformed-request")));

    // A new identity is a change like any other.
    let a = h.update(&id, Some(&token), &json!({"email": "ada@example.com"})).await;
    assert_eq!((a.status, a.body["email"].as_str()), (StatusCode::OK, Some("ada@example.com")));
    assert_eq!(h.login("ada@example.com", PASSWORD, None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn another_users_object_is_3029_and_no_token_is_3028() {
    let h = harness(&[]);
    let (alice, token) = h.logged_in(LOGIN).await;
    let (bob, bob_token) = h.logged_in(BOB).await;
    let bob_id = bob["objectId"].as_str().unwrap();
    let alice_id = alice["objectId"].as_str().unwrap();
    let a = h.update(bob_id, Some(&token), &json!({"first_name": "Mallory"})).await;
    assert_eq!(refused(&a), (StatusCode::FORBIDDEN, 3029));
    assert_eq!(
        refused(&h.update("999", Some(&token), &json!({})).await),
        (StatusCode::FORBIDDEN, 3029),
        "whether or not it exists"
    );
    assert_eq!(refused(&h.read(bob_id, Some(&token)).await), (StatusCode::FORBIDDEN, 3029));
    assert_eq!(h.read(bob_id, Some(&bob_token)).await.body["first_name"], Value::Null, "bob is unchanged");
    assert_eq!(refused(&h.update(alice_id, None, &json!({})).await), (StatusCode::UNAUTHORIZED, 3028));
    assert_eq!(refused(&h.read(alice_id, None).await), (StatusCode::UNAUTHORIZED, 3028));
    let out = h.call(Method::GET, &format!("{BL}/users/logout"), None, None).await;
    assert_eq!(refused(&out), (StatusCode::UNAUTHORIZED, 3028));
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_logout_ends_one() {
    let h = harness(&[]);
    let (user, mine) = h.logged_in(LOGIN).await;
    let (_, other) = h.logged_in(LOGIN).await;
    let id = user["objectId"].as_str().unwrap();
    let a = h.update(id, Some(&mine), &json!({"password": "a new password"})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.get("password").is_none());
    assert_eq!(h.read(id, Some(&mine)).await.status, StatusCode::OK, "the session that changed it stays");
    assert_eq!(refused(&h.read(id, Some(&other)).await), (StatusCode::UNAUTHORIZED, 3064));
    assert_eq!(refused(&h.login(LOGIN, PASSWORD, None).await), (StatusCode::FORBIDDEN, 3003));
    assert_eq!(h.login(LOGIN, "a new password", None).await.status, StatusCode::OK);
    // An empty password is no change (clients send the empty input).
    let a = h.update(id, Some(&mine), &json!({"password": ""})).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(h.login(LOGIN, "a new password", None).await.status, StatusCode::OK);
    let a = h.update(id, Some(&mine), &json!({"password": "x"})).await;
    assert_eq!(
        (refused(&a), a.body["errorData"]["errors"][0]["path"].as_str()),
        ((StatusCode::BAD_REQUEST, 3024), Some("/password"))
    );

    let out = h.call(Method::GET, &format!("{BL}/users/logout"), Some(&mine), None).await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(
        refused(&h.update(id, Some(&mine), &json!({"first_name": "A"})).await),
        (StatusCode::UNAUTHORIZED, 3064)
    );
    let out = h.call(Method::GET, &format!("{BL}/users/logout"), Some(&mine), None).await;
    assert_eq!(refused(&out), (StatusCode::UNAUTHORIZED, 3064), "a stale token's logout");
}

#[tokio::test]
async fn user_tokens_and_oneentry_tokens_are_not_interchangeable() {
    let h = harness(&[]);
    let (user, user_token) = h.logged_in(LOGIN).await;
    let req = Request::get("/api/content/users/me")
        .header("x-app-token", TOKEN)
        .header(header::AUTHORIZATION, format!("Bearer {user_token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(req).await.status, StatusCode::UNAUTHORIZED, "a user-token is no access token");
    let refresh = json!({"refreshToken": user_token});
    let req = Request::post("/api/content/users-auth-providers/marker/reg/users/refresh")
        .header("x-app-token", TOKEN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(refresh.to_string()))
        .unwrap();
    assert_eq!(h.send(req).await.status, StatusCode::FORBIDDEN, "nor a refresh token");
    let pair = h.service.sessions.open(user["objectId"].as_str().unwrap()).unwrap();
    for t in [&pair.access, &pair.refresh] {
        assert_eq!(
            refused(&h.read(user["objectId"].as_str().unwrap(), Some(t)).await),
            (StatusCode::UNAUTHORIZED, 3064)
        );
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_backendless_413() {
    let h = harness(&["--max-body-bytes", "512"]);
    let (user, token) = h.logged_in(LOGIN).await;
    let id = user["objectId"].as_str().unwrap();
    let a = h.update(id, Some(&token), &json!({"last_name": "x".repeat(1000)})).await;
    assert_eq!((refused(&a), a.body["rule"].as_str()), ((StatusCode::PAYLOAD_TOO_LARGE, 3024), Some("body-too-large")));
    assert!(h.read(id, Some(&token)).await.body["last_name"].is_null(), "nothing changed");
}
