#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod answer;
mod apply;
mod attr_type;
mod captcha;
mod decode;
mod engine;
mod error;
mod form;
pub mod identity;
mod instant;
mod json;
mod lang;
mod link;
mod notification;
pub mod password;
mod patch;
mod pointer;
mod record;
mod redact;
mod registry;
mod report;
mod rules;
mod sanitize;
pub mod schema;
mod store;
mod types;
mod validate;

pub use answer::answer;
pub use attr_type::AttrType;
pub use captcha::{CaptchaError, CaptchaVerifier, StaticTokens};
pub use engine::{AppCredentials, Applied, Engine, Request};
pub use error::{ErrorCode, Rejection, Violation, ViolationKind};
pub use form::{Attribute, Form, LoadError, LoadErrorKind, LoadWarning, Located, RegistryError, Role, WarningKind};
pub use pointer::Pointer;
pub use record::{EntityId, NotificationData, StoredEntry, StoredValue, UserEntity, UserRecord, UserShapeError};
pub use registry::{Application, Limits, Registry, RegistryOptions};
pub use rules::SettingsError;
/// The HTML sanitizer and its budget error, public only for the equivalence tests that hold
/// its one-pass renderer to the two-pass reference.
#[doc(hidden)]
pub use sanitize::{Sanitizer, TooLarge};
#[cfg(feature = "postgres")]
pub use store::PostgresStore;
pub use store::{IdentityKeys, MemoryStore, StoreError, UserStore};
#[cfg(feature = "sqlite")]
pub use store::{SqliteOptions, SqliteStore, SqliteSync, WriteStats};
