//! `string`, `integer`, `real`, `float`.
use super::{Cx, Parsed};
use crate::pointer::Pointer;
use serde_json::Value;
pub(crate) fn string(_v: &Value, _p: &Pointer, _trim: bool, _cx: &mut Cx<'_>) -> Option<Parsed> { todo!() }
pub(crate) fn integer(_v: &Value, _p: &Pointer, _cx: &mut Cx<'_>) -> Option<Parsed> { todo!() }
pub(crate) fn real(_v: &Value, _p: &Pointer, _cx: &mut Cx<'_>) -> Option<Parsed> { todo!() }
