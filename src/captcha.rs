//! Captcha verification for `spam` attributes: a pluggable trait and a default verifier.

use std::collections::BTreeSet;

/// Why a captcha was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptchaError {
    /// The token is not accepted.
    #[error("captcha token rejected")]
    Rejected,
    /// The verifier could not decide (network, provider error...).
    #[error("captcha verifier unavailable: {0}")]
    Unavailable(String),
}

/// Verifies a captcha token. Implement it to call reCAPTCHA, hCaptcha, Turnstile, ...
pub trait CaptchaVerifier: Send + Sync {
    /// Checks `token`, solved for `site_key` (the form's `settings.captcha.key`, when set).
    fn verify(&self, token: &str, site_key: Option<&str>) -> Result<(), CaptchaError>;
}

/// The default verifier, for tests and local use: accepts exactly the tokens it is given.
#[derive(Debug, Clone, Default)]
pub struct StaticTokens {
    tokens: BTreeSet<String>,
}

impl StaticTokens {
    /// A verifier accepting these tokens and no other.
    pub fn new<I, S>(tokens: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        StaticTokens { tokens: tokens.into_iter().map(Into::into).collect() }
    }
}

impl CaptchaVerifier for StaticTokens {
    fn verify(&self, token: &str, _site_key: Option<&str>) -> Result<(), CaptchaError> {
        if !token.is_empty() && self.tokens.contains(token) {
            Ok(())
        } else {
            Err(CaptchaError::Rejected)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_configured_tokens() {
        let v = StaticTokens::new(["ok-token"]);
        assert!(v.verify("ok-token", Some("k")).is_ok());
        assert_eq!(v.verify("other", None), Err(CaptchaError::Rejected));
        assert_eq!(StaticTokens::default().verify("", None), Err(CaptchaError::Rejected));
    }
}
