//! Parsing OneEntry `validators` objects into [`crate::rules::Rules`].
