//! The service over HTTP, for what the SDK cannot show: tokens stored only as hashes,
//! rotation with a grace period, revocation on a password change, the sign-in rate limit,
//! enumeration-safe sign-in, the body limit, JSON errors everywhere, the app token, CORS, and a
//! graceful shutdown that finishes the request in flight.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use clap::Parser;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;
use userform_serve::config::{Cli, Command, ServeArgs};
use userform_serve::http::{self, Shared};

const TOKEN: &str = "test-app-token";
const AUTH: &str = "/api/content/users-auth-providers/marker/reg/users";
const LOGIN: &str = "alice@example.com";
const PASSWORD: &str = "correct horse";

struct Harness {
    app: Router,
    service: Shared,
    dir: tempfile::TempDir,
}

fn args(dir: &Path, extra: &[&str]) -> ServeArgs {
    args_with(dir, concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/forms"), extra)
}

fn args_with(dir: &Path, forms: &str, extra: &[&str]) -> ServeArgs {
    let db = format!("sqlite:{}", dir.join("users.db").display());
    let mut argv = vec!["userform", "serve", "--db", &db, "--forms", forms, "--app-token", TOKEN];
    argv.extend_from_slice(extra);
    match Cli::try_parse_from(argv).unwrap().command {
        Command::Serve(a) => a,
        Command::User(_) => unreachable!("parsed `serve`"),
    }
}

/// A service on a fresh SQLite file with `alice` signed up through `user add`.
fn harness(extra: &[&str]) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let service = Arc::new(args(dir.path(), extra).build().unwrap());
    service.accounts.add("reg", LOGIN, PASSWORD).unwrap();
    Harness { app: http::router(service.clone()), service, dir }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Harness {
    async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&bytes)));
        Answer { status, headers, body }
    }

    async fn call(&self, method: Method, path: &str, bearer: Option<&str>, body: Option<Value>) -> Answer {
        self.call_from(method, path, bearer, body, "127.0.0.1:40000").await
    }

    async fn call_from(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
        from: &str,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path).header("x-app-token", TOKEN);
        if let Some(t) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        let mut req = req.header(header::CONTENT_TYPE, "application/json").body(body).unwrap();
        req.extensions_mut().insert(ConnectInfo(from.parse::<SocketAddr>().unwrap()));
        self.send(req).await
    }

    async fn sign_in(&self, login: &str, password: &str) -> Answer {
        let body =
            json!({"authData": [{"marker": "email", "value": login}, {"marker": "password", "value": password}]});
        self.call(Method::POST, &format!("{AUTH}/auth"), None, Some(body)).await
    }

    /// `(access, refresh)` of a fresh sign-in as alice.
    async fn tokens(&self) -> (String, String) {
        let a = self.sign_in(LOGIN, PASSWORD).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        (a.body["accessToken"].as_str().unwrap().to_owned(), a.body["refreshToken"].as_str().unwrap().to_owned())
    }

    async fn refresh(&self, token: &str) -> Answer {
        self.call(Method::POST, &format!("{AUTH}/refresh"), None, Some(json!({"refreshToken": token}))).await
    }

    async fn me(&self, access: &str) -> Answer {
        self.call(Method::GET, "/api/content/users/me?langCode=en_US", Some(access), None).await
    }
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let h = harness(&[]);
    let (access, refresh) = h.tokens().await;
    assert_eq!(h.me(&access).await.status, StatusCode::OK);
    let conn = rusqlite::Connection::open(h.dir.path().join("users.db")).unwrap();
    let hashes: Vec<Vec<u8>> = conn
        .prepare("SELECT hash FROM userform_serve_tokens")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(hashes.len(), 2);
    for t in [&access, &refresh] {
        let hash = userform_serve::token::hash(t);
        assert!(hashes.iter().any(|h| h[..] == hash[..]), "the hash of the token is stored");
        assert!(hashes.iter().all(|h| h[..] != *t.as_bytes()), "the token is not");
    }
}

#[tokio::test]
async fn refresh_rotates_with_a_grace_period_then_refuses() {
    let h = harness(&["--refresh-grace", "400ms", "--access-ttl", "400ms"]);
    let (access, r0) = h.tokens().await;
    let first = h.refresh(&r0).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let r1 = first.body["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(r1, r0, "rotated");
    // The SDK's parallel refresh with the same token, within the grace period.
    let second = h.refresh(&r0).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let fresh = second.body["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(h.me(&fresh).await.status, StatusCode::OK);

    tokio::time::sleep(Duration::from_millis(600)).await;
    let late = h.refresh(&r0).await;
    assert_eq!((late.status, late.body["code"].as_u64()), (StatusCode::FORBIDDEN, Some(3028)));
    let expired = h.me(&access).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED, "the access token expired");
    assert_eq!(h.refresh(&r1).await.status, StatusCode::OK, "the token that replaced it still works");
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    let h = harness(&[]);
    let (mine, _) = h.tokens().await;
    let (other_access, other_refresh) = h.tokens().await;
    let body = json!({"formIdentifier": "reg", "authData": [{"marker": "password", "value": "a new password"}]});
    let changed = h.call(Method::PUT, "/api/content/users/me", Some(&mine), Some(body)).await;
    assert_eq!((changed.status, &changed.body), (StatusCode::OK, &json!(true)));
    assert_eq!(h.me(&mine).await.status, StatusCode::OK, "the session that changed it stays");
    assert_eq!(h.me(&other_access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.refresh(&other_refresh).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.sign_in(LOGIN, PASSWORD).await.status, StatusCode::FORBIDDEN, "the old password");
    assert_eq!(h.sign_in(LOGIN, "a new password").await.status, StatusCode::OK);

    // An update that does not touch the password ends nothing.
    let kept = h.sign_in(LOGIN, "a new password").await.body["accessToken"].as_str().unwrap().to_owned();
    let body = json!({"formIdentifier": "reg", "formData": [{"marker": "last_name", "type": "string", "value": "L"}]});
    assert_eq!(h.call(Method::PUT, "/api/content/users/me", Some(&mine), Some(body)).await.status, StatusCode::OK);
    assert_eq!(h.me(&kept).await.status, StatusCode::OK);
    // Nor does an empty password, which means "unchanged", wherever it comes.
    let body = json!({"formIdentifier": "reg", "authData": [{"marker": "password", "value": ""}],
                      "formData": [{"marker": "password", "type": "string", "value": ""}]});
    assert_eq!(h.call(Method::PUT, "/api/content/users/me", Some(&mine), Some(body)).await.status, StatusCode::OK);
    assert_eq!(h.me(&kept).await.status, StatusCode::OK, "an empty password changes nothing");

    // A password changed through formData (the demo shop's save) ends them too.
    let body = json!({"formIdentifier": "reg",
                      "formData": [{"marker": "password", "type": "string", "value": "a third password"}]});
    assert_eq!(h.call(Method::PUT, "/api/content/users/me", Some(&mine), Some(body)).await.status, StatusCode::OK);
    assert_eq!(h.me(&kept).await.status, StatusCode::UNAUTHORIZED, "formData changed the password");
    assert_eq!(h.me(&mine).await.status, StatusCode::OK);
}

/// Many updates of one user at once all land, group commit on or off: they take turns instead
/// of meeting each other's versions until the engine gives up with 3024 `conflict`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_of_one_user_all_land() {
    for flags in [&[][..], &["--group-commit", "off"][..]] {
        let h = Arc::new(harness(flags));
        let (access, _) = h.tokens().await;
        let alice = h.service.accounts.store().identity_owner(LOGIN).unwrap().unwrap();
        let before = h.service.accounts.get(&alice).unwrap().version;
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let (h, access) = (h.clone(), access.clone());
                tokio::spawn(async move {
                    let body = json!({"formIdentifier": "reg", "state": {format!("k{i}"): i}});
                    h.call(Method::PUT, "/api/content/users/me", Some(&access), Some(body)).await
                })
            })
            .collect();
        for t in tasks {
            let a = t.await.unwrap();
            assert_eq!((a.status, &a.body), (StatusCode::OK, &json!(true)), "{flags:?}");
        }
        let me = h.me(&access).await.body;
        assert_eq!(me["state"].as_object().map(|s| s.len()), Some(32), "{flags:?}: {me}");
        let after = h.service.accounts.get(&alice).unwrap().version;
        assert_eq!(after, before + 32, "{flags:?}");
    }
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_login_and_per_address() {
    let h = harness(&["--sign-in-per-login", "3", "--sign-in-per-address", "5"]);
    for _ in 0..3 {
        assert_eq!(h.sign_in(LOGIN, "wrong").await.status, StatusCode::FORBIDDEN);
    }
    let limited = h.sign_in(LOGIN, PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "even with the right password");
    assert_eq!((limited.body["code"].as_u64(), limited.body["statusCode"].as_u64()), (Some(3036), Some(429)));
    assert!(limited.headers.contains_key(header::RETRY_AFTER));

    let body = |login: String| json!({"authData": [{"marker": "email", "value": login}, {"marker": "password", "value": "x"}]});
    let path = format!("{AUTH}/auth");
    for i in 0..2 {
        let a = h.call_from(Method::POST, &path, None, Some(body(format!("u{i}@example.com"))), "10.1.1.1:5").await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
    }
    // 127.0.0.1 made 4 attempts (one refused by the login limit counts too); the fifth is allowed.
    assert_eq!(
        h.call(Method::POST, &path, None, Some(body("v@example.com".into()))).await.status,
        StatusCode::FORBIDDEN
    );
    let a = h.call(Method::POST, &path, None, Some(body("w@example.com".into()))).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "per address, whatever the login");
    let other = h.call_from(Method::POST, &path, None, Some(body("w@example.com".into())), "10.1.1.1:5").await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "another address is counted apart");
}

#[tokio::test]
async fn sign_in_does_not_reveal_whether_a_login_exists() {
    let h = harness(&[]);
    let wrong = h.sign_in(LOGIN, "not it").await;
    let unknown = h.sign_in("nobody@example.com", "not it").await;
    let archived = {
        let (access, _) = h.tokens().await;
        let a = h.call(Method::DELETE, "/api/content/users/me", Some(&access), None).await;
        assert_eq!(a.body, json!(true));
        h.sign_in(LOGIN, PASSWORD).await
    };
    let strip = |mut a: Answer| {
        a.body.as_object_mut().unwrap().remove("timestamp");
        (a.status, a.body)
    };
    let wrong = strip(wrong);
    assert_eq!(wrong.0, StatusCode::FORBIDDEN);
    assert_eq!(wrong.1["code"], 3003);
    assert_eq!(strip(unknown), wrong);
    assert_eq!(strip(archived), wrong, "an archived account answers as a wrong password");
}

#[tokio::test]
async fn bodies_over_the_limit_are_a_json_413() {
    let h = harness(&["--max-body-bytes", "1024"]);
    let (access, _) = h.tokens().await;
    let big = json!({"formIdentifier": "reg", "formData": [{"marker": "last_name", "type": "string", "value": "x".repeat(2000)}]});
    let a = h.call(Method::PUT, "/api/content/users/me", Some(&access), Some(big.clone())).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!((a.body["statusCode"].as_u64(), a.body["rule"].as_str()), (Some(413), Some("body-too-large")));
    // Streamed without a length, the limit holds as the body is read.
    let stream = futures_body(big.to_string());
    let mut req = Request::put("/api/content/users/me")
        .header("x-app-token", TOKEN)
        .header(header::AUTHORIZATION, format!("Bearer {access}"))
        .body(stream)
        .unwrap();
    req.extensions_mut().insert(ConnectInfo("127.0.0.1:1".parse::<SocketAddr>().unwrap()));
    let a = h.send(req).await;
    assert_eq!((a.status, a.body["statusCode"].as_u64()), (StatusCode::PAYLOAD_TOO_LARGE, Some(413)));
    let entries = h.me(&access).await.body["formData"].as_array().unwrap().clone();
    assert!(entries.iter().all(|e| e["marker"] != "last_name"), "nothing changed: {entries:?}");
}

/// A body of unknown length (no `Content-Length`), sent in two chunks.
fn futures_body(text: String) -> Body {
    let (a, b) = text.split_at(text.len() / 2);
    let chunks: Vec<Result<String, std::io::Error>> = vec![Ok(a.to_owned()), Ok(b.to_owned())];
    Body::from_stream(tokio_stream_iter(chunks))
}

fn tokio_stream_iter(
    items: Vec<Result<String, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<String, std::io::Error>> + Send + 'static {
    StreamIter(items.into_iter())
}

struct StreamIter(std::vec::IntoIter<Result<String, std::io::Error>>);

impl futures_core::Stream for StreamIter {
    type Item = Result<String, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

#[tokio::test]
async fn every_error_is_json_and_the_app_token_is_checked() {
    let h = harness(&[]);
    let send = |token: Option<&str>, path: &str| {
        let mut req = Request::get(path);
        if let Some(t) = token {
            req = req.header("x-app-token", t);
        }
        req.body(Body::empty()).unwrap()
    };
    for token in [None, Some("undefined"), Some("test-app-tokeN")] {
        let a = h.send(send(token, "/api/content/forms/marker/reg")).await;
        assert_eq!((a.status, a.body["code"].as_u64()), (StatusCode::FORBIDDEN, Some(2002)), "{token:?}");
    }
    assert_eq!(h.send(send(None, "/healthz")).await.body, json!({"status": "ok"}));
    let a = h.send(send(Some(TOKEN), "/api/content/forms/marker/reg?langCode=en_US")).await;
    assert_eq!((a.status, a.body["identifier"].as_str()), (StatusCode::OK, Some("reg")));
    let a = h.send(send(Some(TOKEN), "/no/such/thing")).await;
    assert_eq!((a.status, a.body["statusCode"].as_u64()), (StatusCode::NOT_FOUND, Some(404)));
    let a = h.call(Method::PATCH, "/api/content/users/me", None, None).await;
    assert_eq!((a.status, a.body["statusCode"].as_u64()), (StatusCode::METHOD_NOT_ALLOWED, Some(405)));
    let a = h.call(Method::GET, "/api/content/users/me", None, None).await;
    assert_eq!((a.status, a.body["code"].as_u64()), (StatusCode::UNAUTHORIZED, Some(3028)));
    let a = h.call(Method::GET, "/api/content/users/me", Some("forged"), None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let a = h.call(Method::POST, &format!("{AUTH}/auth"), None, Some(json!({"authData": "x"}))).await;
    assert_eq!((a.status, a.body["rule"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed-request")));
}

#[tokio::test]
async fn sign_up_needs_every_required_attribute_and_a_free_login() {
    let h = harness(&[]);
    let path = format!("{AUTH}/sign-up");
    let creds = |login: &str| json!([{"marker": "email", "value": login}, {"marker": "password", "value": "pw123456"}]);
    let a = h
        .call(Method::POST, &path, None, Some(json!({"formIdentifier": "reg", "authData": creds("b@example.com")})))
        .await;
    assert_eq!((a.status, a.body["code"].as_u64()), (StatusCode::BAD_REQUEST, Some(3045)));
    assert_eq!(a.body["errors"][0]["marker"], "last_name");
    // A bad value and a missing attribute: both reported, the code by precedence (3045).
    let bad_age = json!({"formIdentifier": "reg", "authData": creds("c@example.com"),
                         "formData": [{"marker": "age", "type": "integer", "value": "old"}]});
    let a = h.call(Method::POST, &path, None, Some(bad_age)).await;
    assert_eq!(
        (a.status, a.body["code"].as_u64(), a.body["rule"].as_str()),
        (StatusCode::BAD_REQUEST, Some(3045), Some("required"))
    );
    let rules: Vec<_> =
        a.body["errors"].as_array().unwrap().iter().map(|e| (e["marker"].clone(), e["rule"].clone())).collect();
    assert_eq!(rules, [(json!("age"), json!("not-a-number")), (json!("last_name"), json!("required"))]);
    let full = |login: &str| {
        json!({"formIdentifier": "reg", "langCode": "en_US", "authData": creds(login),
               "formData": {"en_US": [{"marker": "last_name", "type": "string", "value": "B"}]}})
    };
    let a = h.call(Method::POST, &path, None, Some(full("b@example.com"))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body["id"].is_u64() && a.body["isActive"] == json!(true) && a.body.get("passwordHash").is_none());
    let a = h.call(Method::POST, &path, None, Some(full(" ALICE@example.com"))).await;
    assert_eq!((a.status, a.body["code"].as_u64()), (StatusCode::BAD_REQUEST, Some(3018)));
    let a = h.sign_in("b@example.com", "pw123456").await;
    let me = h.me(a.body["accessToken"].as_str().unwrap()).await;
    assert_eq!(
        me.body["formData"],
        json!([{"marker": "email", "type": "string", "value": "b@example.com"},
               {"marker": "last_name", "type": "string", "value": "B"}]),
        "the login listed in formData, as OneEntry answers"
    );
    assert_eq!((me.body["total"].as_str(), me.body["groups"].as_array().map(Vec::len)), (Some("1"), Some(0)));
}

/// A form with two logins (an e-mail and a phone, both `isLogin`): a user signs up with either
/// and signs in with either; each value is unique whichever login holds it; the identifier is
/// the first login, by position, that holds a value.
#[tokio::test]
async fn two_logins_sign_up_and_sign_in_with_either() {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    std::fs::create_dir(&forms).unwrap();
    let form = json!({"identifier": "shop", "attributes": [
        {"marker": "email", "type": "string", "position": 1, "isLogin": true,
         "validators": {"emailInspectionValidator": true}},
        {"marker": "phone", "type": "string", "position": 2, "isLogin": true},
        {"marker": "password", "type": "string", "position": 3, "isPassword": true},
        {"marker": "name", "type": "string", "position": 4}]});
    std::fs::write(forms.join("shop.json"), form.to_string()).unwrap();
    let service = Arc::new(args_with(dir.path(), forms.to_str().unwrap(), &[]).build().unwrap());
    let h = Harness { app: http::router(service.clone()), service, dir };
    let shop = "/api/content/users-auth-providers/marker/shop/users";
    let sign_up = |auth: Value| json!({"formIdentifier": "shop", "authData": auth});
    let sign_in = |marker: &str, login: &str| json!({"authData": [{"marker": marker, "value": login}, {"marker": "password", "value": "pw123456"}]});

    // No login at all: a 3045 on the first login.
    let a = h
        .call(
            Method::POST,
            &format!("{shop}/sign-up"),
            None,
            Some(sign_up(json!([{"marker": "password", "value": "pw123456"}]))),
        )
        .await;
    assert_eq!(
        (a.status, a.body["code"].as_u64(), &a.body["errors"][0]["marker"]),
        (StatusCode::BAD_REQUEST, Some(3045), &json!("email"))
    );
    // The phone alone: it is the identifier.
    let phone_only = json!([{"marker": "phone", "value": "+15551234567"}, {"marker": "password", "value": "pw123456"}]);
    let a = h.call(Method::POST, &format!("{shop}/sign-up"), None, Some(sign_up(phone_only))).await;
    assert_eq!((a.status, a.body["identifier"].as_str()), (StatusCode::OK, Some("+15551234567")), "{}", a.body);
    let a = h.call(Method::POST, &format!("{shop}/auth"), None, Some(sign_in("phone", "+15551234567"))).await;
    assert_eq!((a.status, a.body["userIdentifier"].as_str()), (StatusCode::OK, Some("+15551234567")), "{}", a.body);
    let access = a.body["accessToken"].as_str().unwrap().to_owned();

    // Another user may not take the phone, however it is spelt, beside a free e-mail.
    for phone in ["+15551234567", " +15551234567\t"] {
        let auth = json!([{"marker": "email", "value": "b@example.com"}, {"marker": "phone", "value": phone},
                          {"marker": "password", "value": "pw"}]);
        let a = h.call(Method::POST, &format!("{shop}/sign-up"), None, Some(sign_up(auth))).await;
        assert_eq!(
            (a.status, a.body["code"].as_u64(), &a.body["errors"][0]["marker"]),
            (StatusCode::BAD_REQUEST, Some(3018), &json!("phone"))
        );
    }

    // The user adds an e-mail: the first login by position, so the new identifier; both sign in.
    let body = json!({"formIdentifier": "shop", "authData": [{"marker": "email", "value": "a@example.com"}]});
    let a = h.call(Method::PUT, "/api/content/users/me", Some(&access), Some(body)).await;
    assert_eq!((a.status, &a.body), (StatusCode::OK, &json!(true)));
    for (marker, login) in [("email", "A@Example.com"), ("phone", "+15551234567"), ("email", "+15551234567")] {
        let a = h.call(Method::POST, &format!("{shop}/auth"), None, Some(sign_in(marker, login))).await;
        assert_eq!(
            (a.status, a.body["userIdentifier"].as_str()),
            (StatusCode::OK, Some("a@example.com")),
            "{marker} {login}"
        );
    }
    // A login marker the form does not have is not a way in.
    let a = h.call(Method::POST, &format!("{shop}/auth"), None, Some(sign_in("name", "a@example.com"))).await;
    assert_eq!((a.status, a.body["rule"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed-request")));
}

#[tokio::test]
async fn delete_erases_the_user_and_frees_the_login() {
    let h = harness(&[]);
    let (access, refresh) = h.tokens().await;
    let a = h.call(Method::DELETE, "/api/content/users/me/account", Some(&access), None).await;
    assert_eq!(a.body, json!(true));
    assert_eq!(h.me(&access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.refresh(&refresh).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.sign_in(LOGIN, PASSWORD).await.status, StatusCode::FORBIDDEN);
    h.service.accounts.add("reg", LOGIN, "another one").unwrap();
    assert_eq!(h.sign_in(LOGIN, "another one").await.status, StatusCode::OK, "the login is free again");
}

#[tokio::test]
async fn cors_allows_the_configured_origins_only() {
    let h = harness(&["--cors-origin", "https://app.example"]);
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/content/users/me")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,x-app-token,content-type")
            .body(Body::empty())
            .unwrap()
    };
    let ok = h.app.clone().oneshot(preflight("https://app.example")).await.unwrap();
    assert_eq!(ok.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), "https://app.example");
    let no = h.app.clone().oneshot(preflight("https://evil.example")).await.unwrap();
    assert!(no.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_request_in_flight() {
    let h = harness(&[]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(http::serve(listener, h.service.clone(), async {
        let _ = stopped.await;
    }));

    let body = json!({"authData": [{"marker": "email", "value": LOGIN}, {"marker": "password", "value": PASSWORD}]})
        .to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST {AUTH}/auth HTTP/1.1\r\nhost: test\r\nx-app-token: {TOKEN}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{head}",
        body.len()
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await; // the request is being read
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await; // shutdown has begun
    assert!(!server.is_finished(), "the server waits for the request in flight");
    conn.write_all(tail.as_bytes()).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"accessToken\""), "{answer}");
    tokio::time::timeout(Duration::from_secs(10), server).await.unwrap().unwrap().unwrap();
    // New connections are refused once it stopped.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
