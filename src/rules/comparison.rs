//! `comparisonValidator {operator, value}`: the value compared with a fixed `value` by
//! `operator` (`<`, `<=`, `=` or `==`, `!=`, `>=`, `>`). A `value` that is a number (or a
//! numeric string) compares numerically, and then a `string` whose text is not a number fails;
//! any other `value` compares as text, by Unicode code point. Applies to `string`, `integer`,
//! `real` and `float`.
//!
//! `{operator, marker}` compares the value with another attribute's, in the same language:
//! [`AttributeComparison`], which the engine checks once every entry of a body is checked
//! (`validate/compare.rs`), since it needs both values; the loader makes sure `marker` names
//! another attribute of a comparable type (else a warning, and nothing is checked). The bare
//! flag shapes (`true`, `{}`) name nothing to compare with: they load with a warning and check
//! nothing.

use std::cmp::Ordering;

use serde_json::Value;

use super::numeric_text::read_number;
use super::rounding::string_or_number;
use super::settings::{is_unset, text};
use super::{says_nothing, Custom, Note, Rules, SettingsError, Validator};
use crate::error::ViolationKind;

const NAME: &str = "comparisonValidator";

/// The table's line for `comparisonValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: NAME, applies_to: string_or_number, install, describe: says_nothing };

fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    let given = |key| cfg.get(key).filter(|v| !is_unset(v));
    let operator = given("operator").map(|_| operator(&text(cfg, "operator"))).transpose()?;
    let against = given("value").map(against).transpose()?;
    match (operator, against) {
        (Some(operator), Some(against)) => rules.comparison = Some(ComparisonRule { operator, against, custom }),
        (None, Some(_)) => return Err(SettingsError::Missing { validator: NAME, key: "operator" }),
        (Some(operator), None) if given("marker").is_some() => {
            let marker = text(cfg, "marker").trim().to_owned();
            rules.compare_with = Some(AttributeComparison { operator, marker, custom });
        }
        (None, None) if given("marker").is_some() => {
            return Err(SettingsError::Missing { validator: NAME, key: "operator" })
        }
        (Some(_), None) => return Err(SettingsError::Missing { validator: NAME, key: "value" }),
        (None, None) => rules.notes.push(Note::ChecksNothing(NAME)),
    }
    Ok(())
}

/// The operator written `s`.
fn operator(s: &str) -> Result<Operator, SettingsError> {
    Ok(match s.trim() {
        "<" => Operator::Lt,
        "<=" => Operator::Le,
        "=" | "==" => Operator::Eq,
        "!=" => Operator::Ne,
        ">=" => Operator::Ge,
        ">" => Operator::Gt,
        other => {
            return Err(SettingsError::NotAnOperator { validator: NAME, key: "operator", value: other.to_owned() })
        }
    })
}

/// The fixed `value`: a number when it is or writes one, else its text.
fn against(v: &Value) -> Result<Against, SettingsError> {
    match v {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()).map(Against::Number),
        Value::String(s) => Some(read_number(s).map_or_else(|| Against::Text(s.clone()), Against::Number)),
        Value::Bool(b) => Some(Against::Text(b.to_string())),
        _ => None,
    }
    .ok_or_else(|| SettingsError::NotANumber { validator: NAME, key: "value", value: v.to_string() })
}

/// How the value must stand to the fixed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `=` (also `==`)
    Eq,
    /// `!=`
    Ne,
    /// `>=`
    Ge,
    /// `>`
    Gt,
}

impl Operator {
    /// As written in messages.
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Lt => "<",
            Operator::Le => "<=",
            Operator::Eq => "=",
            Operator::Ne => "!=",
            Operator::Ge => ">=",
            Operator::Gt => ">",
        }
    }

    /// True when a value ordered `ord` against the fixed one satisfies the operator.
    fn holds(self, ord: Ordering) -> bool {
        match self {
            Operator::Lt => ord.is_lt(),
            Operator::Le => ord.is_le(),
            Operator::Eq => ord.is_eq(),
            Operator::Ne => ord.is_ne(),
            Operator::Ge => ord.is_ge(),
            Operator::Gt => ord.is_gt(),
        }
    }
}

/// The fixed value compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Against {
    /// Compared numerically.
    Number(f64),
    /// Compared as text, by code point.
    Text(String),
}

impl std::fmt::Display for Against {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Against::Number(n) => write!(f, "{n}"),
            Against::Text(s) => write!(f, "`{s}`"),
        }
    }
}

/// `comparisonValidator {operator, marker}`: the value compared with another attribute's.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeComparison {
    /// The operator.
    pub operator: Operator,
    /// The other attribute's marker.
    pub marker: String,
    /// `customErrorText`.
    pub custom: Custom,
}

impl AttributeComparison {
    /// `Some` when `value` (this attribute's canonical value) does not stand to `other` (the
    /// other attribute's) as the operator says. Numbers, and texts that are numbers, compare
    /// numerically when both sides are; two other texts by code point; anything else does not
    /// compare, which fails.
    pub(crate) fn check(&self, value: &Value, other: &Value) -> Option<ViolationKind> {
        let number = |v: &Value| v.as_f64().or_else(|| v.as_str().and_then(read_number));
        let ord = match (number(value), number(other)) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => match (value.as_str(), other.as_str()) {
                (Some(a), Some(b)) => Some(a.cmp(b)),
                _ => None,
            },
        };
        let shown = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        (!ord.is_some_and(|o| self.operator.holds(o))).then(|| ViolationKind::Comparison {
            value: shown(value),
            operator: self.operator.symbol(),
            against: format!("`{}` ({})", self.marker, shown(other)),
        })
    }
}

/// `comparisonValidator {operator, value}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRule {
    /// The operator.
    pub operator: Operator,
    /// The fixed value.
    pub against: Against,
    /// `customErrorText`.
    pub custom: Custom,
}

impl ComparisonRule {
    /// `Some` when the text `s` does not compare as the rule says.
    pub(crate) fn check_text(&self, s: &str) -> Option<ViolationKind> {
        let ord = match &self.against {
            Against::Number(b) => read_number(s).and_then(|a| a.partial_cmp(b)),
            Against::Text(b) => Some(s.cmp(b.as_str())),
        };
        self.judge(ord, s.to_owned())
    }

    /// `Some` when the number `n` does not compare as the rule says.
    pub(crate) fn check_number(&self, n: f64) -> Option<ViolationKind> {
        let ord = match &self.against {
            Against::Number(b) => n.partial_cmp(b),
            Against::Text(b) => Some(n.to_string().as_str().cmp(b.as_str())),
        };
        self.judge(ord, n.to_string())
    }

    /// The violation, unless `ord` (`None`: not comparable) satisfies the operator.
    fn judge(&self, ord: Option<Ordering>, value: String) -> Option<ViolationKind> {
        let holds = ord.is_some_and(|o| self.operator.holds(o));
        (!holds).then(|| ViolationKind::Comparison {
            value,
            operator: self.operator.symbol(),
            against: self.against.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(cfg: Value) -> Result<Rules, SettingsError> {
        VALIDATOR.read(&cfg)
    }

    fn rule(operator: &str, value: Value) -> ComparisonRule {
        load(json!({"operator": operator, "value": value})).unwrap().comparison.unwrap()
    }

    #[test]
    fn numbers_compare_numerically() {
        let r = rule(">=", json!("18"));
        assert!(r.check_number(18.0).is_none() && r.check_number(17.5).is_some());
        assert!(r.check_text("100").is_none(), "100 >= 18 as numbers, not as text");
        assert!(r.check_text("9").is_some() && r.check_text("eighteen").is_some());
        let r = rule("!=", json!(0));
        assert!(r.check_number(1.0).is_none() && r.check_number(0.0).is_some());
        let r = rule("<", json!(10));
        assert_eq!(
            r.check_number(10.0),
            Some(ViolationKind::Comparison { value: "10".into(), operator: "<", against: "10".into() })
        );
    }

    #[test]
    fn texts_compare_by_code_point() {
        let r = rule("=", json!("yes"));
        assert!(r.check_text("yes").is_none() && r.check_text("Yes").is_some());
        let r = rule(">", json!("b"));
        assert!(r.check_text("c").is_none() && r.check_text("a").is_some());
        assert!(rule("==", json!(true)).check_text("true").is_none());
    }

    #[test]
    fn settings_and_warnings() {
        assert!(matches!(load(json!({"operator": "~", "value": 1})), Err(SettingsError::NotAnOperator { .. })));
        assert!(matches!(load(json!({"value": 1})), Err(SettingsError::Missing { key: "operator", .. })));
        assert!(matches!(load(json!({"operator": "<"})), Err(SettingsError::Missing { key: "value", .. })));
        assert!(matches!(load(json!({"operator": "<", "value": [1]})), Err(SettingsError::NotANumber { .. })));
        assert!(matches!(load(json!({"marker": "start"})), Err(SettingsError::Missing { key: "operator", .. })));
        let rules = load(json!(true)).unwrap();
        assert!(rules.comparison.is_none() && rules.compare_with.is_none());
        assert_eq!(rules.notes, [Note::ChecksNothing(NAME)]);
        let rules = load(json!({"operator": "<", "marker": " start "})).unwrap();
        let cross = rules.compare_with.unwrap();
        assert_eq!((cross.operator, cross.marker.as_str()), (Operator::Lt, "start"));
        assert!(rules.comparison.is_none() && rules.notes.is_empty());
    }

    #[test]
    fn attributes_compare_as_numbers_when_both_are_else_as_texts() {
        let rules = load(json!({"operator": ">=", "marker": "min"})).unwrap();
        let r = rules.compare_with.unwrap();
        assert!(r.check(&json!(10), &json!("9")).is_none(), "10 >= 9 as numbers, not as text");
        assert!(r.check(&json!("10"), &json!(9.5)).is_none());
        assert!(r.check(&json!("b"), &json!("a")).is_none() && r.check(&json!("a"), &json!("b")).is_some());
        assert_eq!(
            r.check(&json!(3), &json!(4)),
            Some(ViolationKind::Comparison { value: "3".into(), operator: ">=", against: "`min` (4)".into() })
        );
        assert!(r.check(&json!("three"), &json!(4)).is_some(), "a text that is not a number does not compare");
        assert!(r.check(&json!([1]), &json!([1])).is_some());
    }
}
