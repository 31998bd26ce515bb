//! `Debug` output that never shows a secret.
//!
//! Records, options and requests are the things an embedder logs with `{:?}`. The password hash,
//! the application's secret key and the raw body (which may carry a clear password) are printed
//! as `<redacted>`, so a debug line cannot leak them; whether there is one still shows.

use std::fmt;

/// Printed in place of a secret.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `Some(<redacted>)` or `None`: whether a secret is there, not what it is.
pub(crate) fn optional<T>(secret: &Option<T>) -> Option<Redacted> {
    secret.as_ref().map(|_| Redacted)
}

#[cfg(test)]
mod tests {
    use crate::{AppCredentials, Application, Registry, RegistryOptions, Request};

    /// Whatever an embedder logs with `{:?}` (options, the registry, a request), the secret
    /// key and the body's bytes stay out, and what identifies the request stays in.
    #[test]
    fn secrets_stay_out_of_debug_output() {
        let application = Application { id: "app-1".into(), secret_key: "s3cr3t-key".into(), enabled: true };
        let options = RegistryOptions { application: Some(application), ..RegistryOptions::default() };
        let registry =
            Registry::from_forms(Vec::<(&str, serde_json::Value)>::new(), options).expect("an empty registry loads");
        let body = br#"{"formIdentifier":"reg","authData":[{"marker":"password","value":"hunter2-clear"}]}"#;
        let request =
            Request { app: Some(AppCredentials { id: "app-1", secret_key: "s3cr3t-key" }), ..Request::new("u1", body) };
        for shown in [format!("{registry:?}"), format!("{request:?}"), format!("{request:#?}")] {
            assert!(!shown.contains("s3cr3t") && !shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("app-1") && shown.contains("<redacted>"), "{shown}");
        }
        assert!(format!("{request:?}").contains(&format!("<{} bytes>", body.len())));
    }
}
