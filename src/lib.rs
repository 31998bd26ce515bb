#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod apply;
mod captcha;
mod decode;
mod engine;
pub mod error;
pub mod fixture;
pub mod form;
pub mod identity;
mod json;
mod link;
mod notification;
pub mod password;
mod patch;
pub mod pointer;
pub mod record;
pub mod registry;
pub mod rules;
pub(crate) mod sanitize;
pub mod schema;
pub mod store;
pub mod types;
mod validate;

pub use captcha::{CaptchaError, CaptchaVerifier, StaticTokens};
pub use engine::{AppCredentials, Engine, Request};
pub use error::{ErrorCode, Rejection, Violation, ViolationKind};
pub use form::{Form, LoadError};
pub use record::{NotificationData, StoredEntry, StoredValue, UserRecord};
pub use registry::{Application, Limits, Registry, RegistryOptions};
pub use sanitize::{Sanitizer, TooLarge};
pub use store::{MemoryStore, StoreError, UserStore};
pub use validate::Valid;
