//! The serde shape of an exported OneEntry form (lenient: unknown keys are ignored).
