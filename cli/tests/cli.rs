//! The `validate-body` binary as a user runs it, from the repository root: exit statuses 0, 1
//! and 2, standard input that is empty, `--format json --ndjson` output that is NDJSON, the
//! batch mode agreeing with the single-body mode, error messages that say what failed once, and
//! forms with errors left out (or, with `--strict-forms`, fatal) and warnings, on stderr.
//! The store messages are tested in the build that has the store (`--all-features`).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `validate-body` in the repository root with `args`, `stdin` piped in.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_validate-body"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("validate-body runs");
    // The child may exit before reading (usage errors): a broken pipe is not a failure here.
    let _ = child.stdin.take().expect("piped").write_all(stdin);
    child.wait_with_output().expect("validate-body finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_readmes_first_command_prints_true() {
    let out = run(&["examples/bodies/seed-string.json"], b"");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "true\n");
}

#[test]
fn a_rejected_body_prints_false_and_its_violations_with_status_1() {
    let body = br#"{"formIdentifier":"reg","formData":[{"marker":"age","type":"integer","value":"x"}]}"#;
    let out = run(&["-"], body);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "false\n3024 /formData/0/value age not-a-number: `x` is not a number\n");
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["--no-such-flag"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["--format", "yaml", "examples/bodies/seed-string.json"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["no/such/body.json"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error[io]: cannot read no/such/body.json: "), "{}", text(&out.stderr));
}

#[test]
fn empty_standard_input_is_a_usage_error() {
    for stdin in [&b""[..], b" \n\t\n"] {
        let out = run(&[], stdin);
        assert_eq!(out.status.code(), Some(2), "stdin {stdin:?}");
        assert!(text(&out.stdout).is_empty());
        assert!(text(&out.stderr).starts_with("error[usage]: standard input is empty"), "{}", text(&out.stderr));
    }
    let out = run(&["--ndjson", "-"], b"\n\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no body in standard input"), "{}", text(&out.stderr));
}

#[test]
fn json_batch_output_is_ndjson() {
    let out = run(&["--format", "json", "--ndjson", "examples/bodies/bodies.ndjson"], b"");
    assert_eq!(out.status.code(), Some(1), "the sample has failing lines");
    let stdout = text(&out.stdout);
    let lines: Vec<Value> =
        stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}"))).collect();
    let failing: Vec<&Value> = lines.iter().filter(|l| l.get("line").is_some()).collect();
    assert_eq!(failing.iter().map(|l| l["line"].as_u64()).collect::<Vec<_>>(), [Some(4), Some(5)]);
    assert!(failing.iter().all(|l| l["result"] == false && l["code"] == 3024));
    assert_eq!(lines.last(), Some(&serde_json::json!({"passed": 4, "failed": 2})));
    assert_eq!(lines.len(), 3);
}

#[test]
fn a_broken_batch_line_gives_its_line_once_and_the_column_in_it() {
    let out = run(&["--ndjson", "examples/bodies/bodies.ndjson"], b"");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("line 5: false\n3024 \"\" - malformed-json: "), "{stdout}");
    assert!(stdout.contains(" at column 88\n"), "{stdout}");
    assert!(!stdout.contains("line 1 column"), "{stdout}");
    assert!(stdout.ends_with("4 passed, 2 failed\n"), "{stdout}");
    let json = run(&["--format", "json", "--ndjson", "examples/bodies/bodies.ndjson"], b"");
    assert!(text(&json.stdout).contains(" at column 88\""), "{}", text(&json.stdout));
}

#[test]
fn one_body_is_one_body() {
    let out = run(&["--ndjson", "-"], br#"{"formIdentifier":"reg","state":{}}"#);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "1 passed, 0 failed\n");
    assert!(text(&out.stderr).starts_with("1 body in "), "{}", text(&out.stderr));
}

#[test]
fn a_repeated_form_identifier_means_the_same_in_both_modes() {
    // The last key wins, as in the library's decoder (and JSON.parse).
    let body = br#"{"formIdentifier":"nope","formIdentifier":"reg","formData":[{"marker":"last_name","type":"string","value":"Doe"}]}"#;
    let single = run(&["-"], body);
    assert_eq!((single.status.code(), text(&single.stdout)), (Some(0), "true\n".to_owned()));
    let batch = run(&["--ndjson", "-"], body);
    assert_eq!((batch.status.code(), text(&batch.stdout)), (Some(0), "1 passed, 0 failed\n".to_owned()));

    let body = br#"{"formIdentifier":"reg","formIdentifier":"nope"}"#;
    let single = run(&["-"], body);
    assert_eq!(single.status.code(), Some(1));
    assert!(text(&single.stdout).contains("unknown-form"), "{}", text(&single.stdout));
    let batch = run(&["--ndjson", "-"], body);
    assert_eq!(batch.status.code(), Some(1));
    assert!(text(&batch.stdout).contains("unknown-form"), "{}", text(&batch.stdout));
}

/// A forms directory of its own for one test: `bad.json` (an unknown type), `warned.json` (a
/// default that is not an option) and `good.json`.
fn forms_with_problems(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("validate-body-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        ("bad.json", r#"{"identifier": "bad", "attributes": [{"marker": "colour", "type": "colour"}]}"#),
        (
            "warned.json",
            r#"{"identifier": "warned", "attributes": {"size": {"type": "radioButton", "listTitles": [{"value": "S"}, {"value": "M"}],
                "validators": {"defaultValueValidator": {"fieldDefaultValue": "XL"}}}}}"#,
        ),
        ("good.json", r#"{"identifier": "good", "attributes": [{"marker": "city", "type": "string"}]}"#),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

#[test]
fn a_bad_form_is_left_out_and_said_on_stderr_with_the_warnings() {
    let dir = forms_with_problems("left-out");
    let forms = dir.display().to_string();
    let body = br#"{"formIdentifier": "good", "formData": [{"marker": "city", "type": "string", "value": "Oslo"}]}"#;
    let out = run(&["--forms", &forms, "-"], body);
    let stderr = text(&out.stderr);
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), "true\n".to_owned()), "{stderr}");
    let bad = dir.join("bad.json").display().to_string();
    assert!(
        stderr.contains(&format!(
            "error: form file {bad}, attribute colour: unknown type `colour`; the form is left out"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: ")
            && stderr.contains(
                "attribute `size`: defaultValueValidator.fieldDefaultValue `\"XL\"` is not one of the options"
            ),
        "{stderr}"
    );
    let strict = run(&["--forms", &forms, "--strict-forms", "-"], body);
    let stderr = text(&strict.stderr);
    assert_eq!(strict.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with(&format!("error[forms]: form file {bad}, attribute colour: unknown type")), "{stderr}");
    let batch = run(&["--forms", &forms, "--strict-forms", "--ndjson", "-"], body);
    assert_eq!(batch.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_repository_forms_load_strictly_without_warnings() {
    let out = run(&["--strict-forms", "examples/bodies/seed-string.json"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "no error, no warning");
}

#[test]
fn a_missing_forms_directory_is_named_as_one() {
    let out = run(&["--forms", "nonexistent", "examples/bodies/seed-string.json"], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error[forms]: forms directory nonexistent: No such file"), "{stderr}");
    assert!(!stderr.contains(": -:"), "{stderr}");
}

#[cfg(feature = "sqlite")]
#[test]
fn a_bad_sqlite_path_is_said_once() {
    let path = "no-such-directory/users.db";
    let out = run(&["--db", &format!("sqlite:{path}"), "examples/bodies/seed-string.json"], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error[db]: "), "{stderr}");
    assert_eq!(stderr.matches(path).count(), 1, "{stderr}");
}

#[cfg(feature = "postgres")]
#[test]
fn a_refused_postgres_connection_gives_host_and_reason() {
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    let out =
        run(&["--db", "postgres://postgres:secret@127.0.0.1:1/userform", "examples/bodies/seed-string.json"], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error[db]: PostgreSQL at 127.0.0.1:1/userform: "), "{stderr}");
    assert!(stderr.to_lowercase().contains("refused"), "{stderr}");
    assert!(!stderr.contains("secret"), "the password leaked: {stderr}");
}

#[cfg(not(feature = "sqlite"))]
#[test]
fn a_store_the_build_lacks_says_how_to_get_it() {
    let out = run(&["--db", "sqlite:users.db", "examples/bodies/seed-string.json"], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error[usage]: --db sqlite:users.db needs the `sqlite` feature: "), "{stderr}");
    assert!(stderr.contains("--features sqlite"), "{stderr}");
}

/// `--user` reads OneEntry's getUser answer (`IUserEntity`) as well as a stored record, and
/// `--user-shape entity` prints the updated user in that shape: what one prints, the other reads.
#[test]
fn a_user_entity_is_read_and_written() {
    let body = br#"{"formIdentifier":"reg","formData":[{"marker":"age","type":"integer","value":31}]}"#;
    let out = run(&["--user", "examples/users/get-user-entity.json", "--format", "json", "-"], body);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    let user = &answer["user"];
    assert_eq!((&user["id"], &user["version"], &user["state"]), (&json!("1764"), &json!(2), &json!({"orderCount": 1})));
    let markers: Vec<&str> =
        user["formData"]["en_US"].as_array().unwrap().iter().map(|e| e["marker"].as_str().unwrap()).collect();
    assert_eq!(markers, ["first_name", "last_name", "age"], "the entity's entries kept, in the form's order");

    let out = run(
        &["--user", "examples/users/get-user-entity.json", "--format", "json", "--user-shape", "entity", "-"],
        body,
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let entity: Value = serde_json::from_slice::<Value>(&out.stdout).unwrap()["user"].take();
    assert_eq!(
        entity,
        json!({"id": 1764, "identifier": "alice@example.com", "authProviderIdentifier": "reg", "formIdentifier": "reg",
            "formData": [{"marker": "email", "type": "string", "value": "alice@example.com"},
                {"marker": "first_name", "type": "string", "value": "Alice"},
                {"marker": "last_name", "type": "string", "value": "Doe"},
                {"marker": "age", "type": "integer", "value": 31}],
            "notificationData": {"phonePush": []}, "state": {"orderCount": 1}, "groups": [], "total": "1"})
    );

    // Read back with a ru_RU body, the entity's entries are taken as ru_RU's (as getUser("ru_RU")
    // would have answered them), and the entity printed is ru_RU's.
    let ru = br#"{"formIdentifier":"reg","langCode":"ru_RU","formData":[{"marker":"age","type":"integer","value":5}]}"#;
    let path = std::env::temp_dir().join(format!("userform-cli-entity-{}.json", std::process::id()));
    std::fs::write(&path, entity.to_string()).unwrap();
    let out = run(&["--user", path.to_str().unwrap(), "--format", "json", "--user-shape", "entity", "-"], ru);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    let values: Vec<&Value> = again["user"]["formData"].as_array().unwrap().iter().map(|e| &e["value"]).collect();
    assert_eq!(values, [&json!("alice@example.com"), &json!("Alice"), &json!("Doe"), &json!(5)]);
    assert_eq!(again["user"]["id"], json!(1764), "the id read back is the id written");
}

#[test]
fn user_entity_errors_are_usage_errors() {
    let out = run(&["--user-shape", "entity", "examples/bodies/seed-string.json"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("error[usage]: --user-shape entity shapes the user that --format json prints")
    );
    let path = std::env::temp_dir().join(format!("userform-cli-bad-entity-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"id": -1, "formIdentifier": "reg", "groups": []}"#).unwrap();
    let out = run(&["--user", path.to_str().unwrap(), "examples/bodies/seed-string.json"], b"");
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error[user]: "), "{stderr}");
    assert!(
        stderr.contains(": not an IUserEntity: id must be a whole number from 0 up or a string, not -1"),
        "{stderr}"
    );
}
