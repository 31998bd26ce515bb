//! Compiling a raw form into a [`super::Form`].
/// Why a form could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {attribute}: {reason}")]
pub struct LoadError { file: String, attribute: String, reason: String }
