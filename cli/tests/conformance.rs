//! The fixture suite: every `fixtures/**/*.json` of the repository is its own named test
//! (libtest-mimic). Failures print the fixture's path and expected vs actual as pretty JSON. The
//! runner is [`userform_cli::fixture`], the same one `validate-body --fixtures` uses.

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use userform_cli::fixture;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let forms = root.join("schemas/forms");
    let fixtures = root.join("fixtures");
    let files = fixture::discover(&fixtures).expect("fixtures/ is readable");
    assert!(!files.is_empty(), "no fixtures found under {}", fixtures.display());
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path.strip_prefix(&fixtures).unwrap_or(&path).with_extension("").display().to_string();
            let forms = forms.clone();
            Trial::test(name, move || {
                fixture::run_file(&path, &forms).map_err(|e| Failed::from(format!("{}\n{e}", path.display())))
            })
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}
