//! `button`, `spam`.
use super::{Cx, Parsed};
use crate::form::Attribute;
use crate::pointer::Pointer;
use serde_json::Value;
pub(crate) fn button(_p: &Pointer, _cx: &mut Cx<'_>) -> Option<Parsed> { todo!() }
pub(crate) fn spam(_a: &Attribute, _v: &Value, _p: &Pointer, _cx: &mut Cx<'_>) -> Option<Parsed> { todo!() }
