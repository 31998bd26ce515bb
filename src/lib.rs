//! userform: validate OneEntry `IUserBody` profile updates against typed forms and apply them
//! atomically.

#![warn(missing_docs)]

mod captcha;
pub mod error;
pub mod form;
pub mod pointer;
pub mod rules;
mod sanitize;
pub mod types;

pub use captcha::{CaptchaError, CaptchaVerifier, StaticTokens};
pub use sanitize::Sanitizer;
