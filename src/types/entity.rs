//! `entity`.
use super::{Cx, Parsed};
use crate::pointer::Pointer;
use serde_json::Value;
pub(crate) fn check(_v: &Value, _p: &Pointer, _cx: &mut Cx<'_>) -> Option<Parsed> { todo!() }
