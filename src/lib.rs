//! userform: validate OneEntry `IUserBody` profile updates against typed forms and apply them
//! atomically.

#![warn(missing_docs)]

mod captcha;
pub mod error;
pub mod form;
pub mod identity;
pub mod pointer;
pub mod record;
pub mod rules;
mod sanitize;
pub mod store;
pub mod types;

pub use captcha::{CaptchaError, CaptchaVerifier, StaticTokens};
pub use record::{NotificationData, StoredEntry, UserRecord};
pub use sanitize::Sanitizer;
pub use store::{MemoryStore, StoreError, UserStore};
