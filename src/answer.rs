//! The answer of one update as JSON, as `validate-body --format json` prints it and the
//! fixtures' `expect` describes it: `{"result", "code", "errors", "user"}`.
//!
//! `true` carries the updated user's public view (no password hash) and no code or errors;
//! `false` carries the top-level code, every violation, and `"user": null`.

use serde_json::{json, Value};

use crate::error::Rejection;
use crate::record::UserRecord;

/// The answer of one update as JSON: `{"result", "code", "errors", "user"}`.
pub fn answer(outcome: &Result<UserRecord, Rejection>) -> Value {
    match outcome {
        Ok(user) => json!({"result": true, "code": null, "errors": [], "user": user.public()}),
        Err(r) => json!({"result": false, "code": r.code().as_u16(), "errors": r.violations(), "user": null}),
    }
}
