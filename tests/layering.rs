//! The library's modules depend on each other one way (ARCHITECTURE.md, "Layers").
//!
//! Each top-level module of `src/` has a layer; code in one layer may use only modules of
//! the layers below it, or of its own. The test reads every source file, takes the module
//! paths it names (`crate::x`, and the names inside `use crate::{…}`), comments left out, and
//! fails on any edge that points up the order, naming the file and both modules. A module that
//! is not in the table fails too: give it its place.
//!
//! Like rust-analyzer's tidy tests, it reads the source as text: no build script, no macro.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first. Within a layer, modules may use one another.
const LAYERS: &[&[&str]] = &[
    // Foundations: no knowledge of forms or bodies.
    &["json", "lang", "attr_type", "instant", "redact", "link", "password", "identity"],
    &["pointer"],
    &["error"],
    &["report", "record", "sanitize", "captcha"],
    // Configuration: validators, then the types that run them, then forms of attributes.
    &["rules"],
    &["types"],
    &["form"],
    &["registry", "schema"],
    // The update's steps, in the order data flows.
    &["decode", "notification", "patch", "store"],
    &["validate"],
    &["apply"],
    &["engine"],
    // What callers print: the answer format of validate-body and the fixtures.
    &["answer"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir).expect("src/ is readable").map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file belongs to: `src/types/choice.rs` → `types`, `src/engine.rs` → `engine`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// The code of a file without comments (line comments and doc comments; block comments are
/// not used in this crate).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // `//` inside a string literal (a URL, say) is rare and only hides text, never adds an edge.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::name` the code mentions, and every name in a `use crate::{…}` list.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let end = list.find('}').unwrap_or(list.len());
            for item in list[..end].split(',') {
                let name = ident(item.trim());
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

#[test]
fn modules_depend_only_downwards() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        if module == "lib" {
            continue; // the crate root re-exports everything
        }
        let Some(own) = layer_of(&module) else {
            problems.push(format!("{}: module `{module}` has no layer in LAYERS", file.display()));
            continue;
        };
        for used in named_modules(&code(&fs::read_to_string(file).unwrap())) {
            match layer_of(&used) {
                Some(layer) if layer > own => {
                    problems.push(format!("{}: `{module}` uses `{used}`, a later layer", file.display()))
                }
                Some(_) => {}
                // Items re-exported at the crate root (`crate::Engine`) name no module.
                None if used.chars().next().is_some_and(|c| c.is_ascii_uppercase()) => {}
                None => problems.push(format!("{}: `{used}` is not a module in LAYERS", file.display())),
            }
        }
    }
    assert!(problems.is_empty(), "upward or unknown dependencies:\n{}", problems.join("\n"));
}

/// The reader itself: an edge written either way is found, a comment is not an edge.
#[test]
fn the_reader_finds_edges_and_skips_comments() {
    let found = named_modules(&code(
        "use crate::form::Attribute;\nuse crate::{error, types::Cx};\n// crate::engine in a comment\nlet x = crate::rules::VALIDATORS;",
    ));
    assert_eq!(found.into_iter().collect::<Vec<_>>(), ["error", "form", "rules", "types"]);
}
