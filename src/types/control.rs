//! `button` and `spam`: form controls rather than data.
//!
//! A `button` carries no value: any value sent for one is a `button-value` violation.
//!
//! A `spam` attribute is a captcha. Its value is `{event: {token, siteKey}}`; the token is
//! given to the [`crate::CaptchaVerifier`] with the form's `settings.captcha.key`. A solved
//! captcha is never stored ([`CheckedValue::stored`] is `null`, [`Measure::Nothing`]; the engine
//! drops the entry). Violations:
//!
//! - no `event`, or no or an empty `token`: `captcha-required` (at the value, or at
//!   `.../event/token`);
//! - a `siteKey` that is not the form's key (when both are set): `captcha-site-key` at
//!   `.../event/siteKey`; the verifier is then not asked;
//! - the verifier refuses the token, or cannot be reached: `captcha-invalid` at
//!   `.../event/token`;
//! - members of the wrong JSON type: `invalid-value`.

use crate::record::StoredValue;

use crate::json::Json;

use super::{CheckedValue, Cx, Measure};
use crate::error::ViolationKind;
use crate::pointer::Pointer;

/// A `button`: always refused, whatever the value.
pub(crate) fn button(path: &Pointer, cx: &mut Cx<'_>) -> Option<CheckedValue<'static>> {
    cx.report(path.clone(), ViolationKind::ButtonValue);
    None
}

/// A `spam` captcha: checks the shape and the site key, then asks the verifier.
pub(crate) fn spam(
    site_key: Option<&str>,
    value: &Json<'_>,
    path: &Pointer,
    cx: &mut Cx<'_>,
) -> Option<CheckedValue<'static>> {
    let required = |cx: &mut Cx<'_>, at: Pointer| {
        let marker = cx.marker.to_owned();
        cx.report(at, ViolationKind::CaptchaRequired(marker));
    };
    let Json::Object(obj) = value else {
        cx.report(path.clone(), ViolationKind::InvalidValue { expected: "{event: {token, siteKey}}" });
        return None;
    };
    let event = match obj.get("event") {
        None | Some(Json::Null) => {
            required(cx, path.clone());
            return None;
        }
        Some(Json::Object(e)) => e,
        Some(_) => {
            cx.report(path.child("event"), ViolationKind::InvalidValue { expected: "{token, siteKey}" });
            return None;
        }
    };
    let event_ptr = path.child("event");
    let before = cx.report.len();

    let token = match event.get("token") {
        None | Some(Json::Null) => {
            required(cx, event_ptr.child("token"));
            None
        }
        Some(Json::String("")) => {
            required(cx, event_ptr.child("token"));
            None
        }
        Some(Json::String(t)) => Some(*t),
        Some(_) => {
            cx.report(event_ptr.child("token"), ViolationKind::InvalidValue { expected: "a string token" });
            None
        }
    };

    match event.get("siteKey") {
        None | Some(Json::Null) => {}
        Some(Json::String(sent)) => {
            if let Some(key) = site_key {
                if !key.is_empty() && !sent.is_empty() && *sent != key {
                    cx.report(event_ptr.child("siteKey"), ViolationKind::CaptchaSiteKey);
                }
            }
        }
        Some(_) => {
            cx.report(event_ptr.child("siteKey"), ViolationKind::InvalidValue { expected: "a string siteKey" });
        }
    }

    if cx.report.len() != before {
        return None;
    }
    let token = token?;
    if cx.env.captcha.verify(token, site_key).is_err() {
        cx.report(event_ptr.child("token"), ViolationKind::CaptchaInvalid);
        return None;
    }
    Some(CheckedValue { stored: StoredValue::null(), measure: Measure::Nothing })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Violation;
    use crate::{CaptchaError, CaptchaVerifier};
    use serde_json::json;
    use serde_json::Value;

    fn run_with(
        verifier: &dyn CaptchaVerifier,
        key: Option<&str>,
        v: Value,
    ) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        crate::types::testing::run_with(verifier, "m", |p, cx| spam(key, &Json::from(&v), p, cx))
    }

    fn run(key: Option<&str>, v: Value) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        run_with(&crate::StaticTokens::new(["good"]), key, v)
    }

    fn errs(key: Option<&str>, v: Value) -> Vec<(String, &'static str)> {
        run(key, v).1.iter().map(|e| (e.path.to_string(), e.rule())).collect()
    }

    #[test]
    fn button_is_always_refused() {
        let (r, out) = crate::types::testing::run("submit", button);
        assert!(r.is_none());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rule(), "button-value");
        assert_eq!(out[0].path.as_str(), "/value");
        assert_eq!(out[0].marker.as_deref(), Some("submit"));
    }

    #[test]
    fn solved_captcha_is_not_stored() {
        for (key, v) in [
            (Some("site"), json!({"event": {"token": "good", "siteKey": "site"}})),
            (Some("site"), json!({"event": {"token": "good"}})),
            (None, json!({"event": {"token": "good", "siteKey": "anything"}})),
            (None, json!({"event": {"token": "good", "siteKey": null}, "extra": 1})),
        ] {
            let (p, e) = run(key, v);
            assert!(e.is_empty(), "{e:?}");
            let p = p.unwrap();
            assert_eq!(p.stored, Value::Null);
            assert_eq!(p.measure, Measure::Nothing);
            assert!(!p.is_empty());
        }
    }

    #[test]
    fn missing_token() {
        assert_eq!(errs(None, json!({})), [("/value".into(), "captcha-required")]);
        assert_eq!(errs(None, json!({"event": null})), [("/value".into(), "captcha-required")]);
        assert_eq!(errs(None, json!({"event": {}})), [("/value/event/token".into(), "captcha-required")]);
        assert_eq!(errs(None, json!({"event": {"token": ""}})), [("/value/event/token".into(), "captcha-required")]);
        let e = run(None, json!({"event": {"token": null}})).1;
        assert_eq!(e[0].kind, ViolationKind::CaptchaRequired("m".into()));
    }

    #[test]
    fn wrong_token_or_key() {
        assert_eq!(
            errs(Some("site"), json!({"event": {"token": "bad"}})),
            [("/value/event/token".into(), "captcha-invalid")]
        );
        assert_eq!(
            errs(Some("site"), json!({"event": {"token": "good", "siteKey": "other"}})),
            [("/value/event/siteKey".into(), "captcha-site-key")]
        );
        assert_eq!(
            errs(Some("site"), json!({"event": {"siteKey": "other"}})),
            [("/value/event/token".into(), "captcha-required"), ("/value/event/siteKey".into(), "captcha-site-key")]
        );
    }

    #[test]
    fn shapes() {
        assert_eq!(errs(None, json!("good")), [("/value".into(), "invalid-value")]);
        assert_eq!(errs(None, json!([{"event": {"token": "good"}}])), [("/value".into(), "invalid-value")]);
        assert_eq!(errs(None, json!({"event": "good"})), [("/value/event".into(), "invalid-value")]);
        assert_eq!(errs(None, json!({"event": {"token": 5}})), [("/value/event/token".into(), "invalid-value")]);
        assert_eq!(
            errs(None, json!({"event": {"token": "good", "siteKey": 1}})),
            [("/value/event/siteKey".into(), "invalid-value")]
        );
    }

    /// A verifier that records what it was asked and cannot be reached.
    struct Down(std::sync::Mutex<Vec<(String, Option<String>)>>);

    impl CaptchaVerifier for Down {
        fn verify(&self, token: &str, site_key: Option<&str>) -> Result<(), CaptchaError> {
            self.0.lock().unwrap().push((token.into(), site_key.map(str::to_owned)));
            Err(CaptchaError::Unavailable("timeout".into()))
        }
    }

    #[test]
    fn verifier_gets_the_form_key_and_outage_is_invalid() {
        let down = Down(Default::default());
        let (_, e) = run_with(&down, Some("site"), json!({"event": {"token": "t", "siteKey": "site"}}));
        assert_eq!(e[0].rule(), "captcha-invalid");
        assert_eq!(*down.0.lock().unwrap(), [("t".to_owned(), Some("site".to_owned()))]);
        // Not asked when the site key is wrong.
        let (_, e) = run_with(&down, Some("site"), json!({"event": {"token": "t", "siteKey": "x"}}));
        assert_eq!(e[0].rule(), "captcha-site-key");
        assert_eq!(down.0.lock().unwrap().len(), 1);
    }
}
