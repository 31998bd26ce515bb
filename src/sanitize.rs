//! HTML sanitising (ammonia) and markdown rendering (pulldown-cmark) for text values.
/// Sanitises HTML and renders markdown; built once, shared by every check.
#[derive(Debug, Default)]
pub struct Sanitizer {}
