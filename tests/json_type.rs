//! The `json` attribute type at the registry: which validators apply to it.
//!
//! Only `requiredValidator` and `defaultValueValidator` mean anything for a value that is data;
//! every other validator on a `json` attribute is ignored with a warning, and the form loads.

use serde_json::json;
use userform::{Registry, RegistryOptions, WarningKind};

#[test]
fn validators_that_do_not_apply_to_json_warn() {
    let form = json!({"identifier": "f", "attributes": [
        {"marker": "prefs", "type": "json", "validators": {
            "requiredValidator": true,
            "defaultValueValidator": {"fieldDefaultValue": "none"},
            "stringInspectionValidator": {"stringMax": "2"},
            "regExpValidator": {"patternValue": "^[0-9]+$"},
            "trimValidator": true
        }}
    ]});
    let registry = Registry::from_forms([("f", form)], RegistryOptions::default()).expect("the form loads");
    let warnings: Vec<&WarningKind> = registry.warnings().map(|w| &w.kind).collect();
    for name in ["stringInspectionValidator", "regExpValidator", "trimValidator"] {
        let said = WarningKind::ValidatorNotApplicable { name: name.into(), kind: "json" };
        assert!(warnings.contains(&&said), "no warning for {name}: {warnings:?}");
    }
    assert_eq!(warnings.len(), 3, "required and default apply to json: {warnings:?}");
}
