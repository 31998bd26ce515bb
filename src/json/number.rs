//! [`Num`]: a JSON number as the body's tree holds it.
//!
//! `serde_json::Number` is not `Copy`, so a tree holding it cannot be: every container copied
//! into the arena would be cloned element by element. [`Num`] holds the same three cases
//! (`serde_json` without `arbitrary_precision`: an integer that fits a `u64`, a negative one
//! that fits an `i64`, else a finite `f64`) and answers the same questions the same way.

use std::fmt;

use serde_json::Number;

/// 2^53: every whole number up to here is exactly an `f64`; past it, neighbouring integers
/// share one `f64`, so a float can no longer stand for a count, an id or a bound exactly.
pub(crate) const EXACT_FLOAT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// A JSON number, exactly as `serde_json::Number` reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    /// A non-negative integer.
    PosInt(u64),
    /// A negative integer.
    NegInt(i64),
    /// Anything else: always finite.
    Float(f64),
}

impl Num {
    /// The number as an `i64`, if it is an integer that fits.
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Num::PosInt(u) => i64::try_from(u).ok(),
            Num::NegInt(i) => Some(i),
            Num::Float(_) => None,
        }
    }

    /// The number as a `u64`, if it is a non-negative integer.
    pub fn as_u64(self) -> Option<u64> {
        match self {
            Num::PosInt(u) => Some(u),
            _ => None,
        }
    }

    /// The number as an `f64` (integers rounded as `as` rounds them). Always `Some`, as for
    /// `serde_json::Number`.
    pub fn as_f64(self) -> Option<f64> {
        Some(match self {
            Num::PosInt(u) => u as f64,
            Num::NegInt(i) => i as f64,
            Num::Float(f) => f,
        })
    }

    /// True for an integer that fits an `i64`.
    pub fn is_i64(self) -> bool {
        self.as_i64().is_some()
    }

    /// The same number as `serde_json` holds it.
    pub fn to_number(self) -> Number {
        match self {
            Num::PosInt(u) => u.into(),
            Num::NegInt(i) => i.into(),
            // Finite by construction; `Number` refuses only non-finite floats.
            Num::Float(f) => Number::from_f64(f).unwrap_or_else(|| 0.into()),
        }
    }
}

impl From<u64> for Num {
    fn from(u: u64) -> Self {
        Num::PosInt(u)
    }
}

impl From<i64> for Num {
    fn from(i: i64) -> Self {
        u64::try_from(i).map_or(Num::NegInt(i), Num::PosInt)
    }
}

impl From<&Number> for Num {
    fn from(n: &Number) -> Self {
        match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Num::PosInt(u),
            (None, Some(i)) => Num::NegInt(i),
            _ => Num::Float(n.as_f64().unwrap_or_default()),
        }
    }
}

/// As `serde_json::Number` prints it (and so as it is stored).
impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_number(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::Num;
    use serde_json::{Number, Value};

    #[test]
    fn answers_as_serde_json_numbers_answer() {
        let texts = ["0", "1", "-1", "18446744073709551615", "-9223372036854775808", "9223372036854775808", "1.5"];
        let texts = texts.into_iter().chain(["-0", "1e3", "-2.5e-7", "1e300", "0.1", "123456789012345678901"]);
        for text in texts {
            let Value::Number(n) = serde_json::from_str::<Value>(text).unwrap() else { panic!("{text}") };
            let ours = Num::from(&n);
            assert_eq!(ours.to_number(), n, "{text}");
            assert_eq!((ours.as_i64(), ours.as_u64(), ours.as_f64()), (n.as_i64(), n.as_u64(), n.as_f64()), "{text}");
            assert_eq!((ours.is_i64(), ours.to_string()), (n.is_i64(), n.to_string()), "{text}");
        }
        assert_eq!(Num::from(-3i64), Num::from(&Number::from(-3i64)));
        assert_eq!(Num::from(7i64), Num::PosInt(7));
    }
}
