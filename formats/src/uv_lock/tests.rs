//! Parse errors and what the parser keeps, specified on small hand-written locks.

use super::*;

const MINIMAL: &str = r#"version = 1
revision = 3
requires-python = ">=3.10"

[[package]]
name = "idna"
version = "3.10"
source = { registry = "file:///index" }
"#;

fn error(text: &str) -> String {
    parse("uv.lock", text).unwrap_err().render()
}

#[test]
fn reads_a_minimal_lock() {
    let lock = parse("uv.lock", MINIMAL).unwrap();
    assert_eq!((lock.version, lock.revision), (1, Some(3)));
    assert_eq!(lock.packages[0].name, "idna");
    assert_eq!(
        lock.packages[0].source,
        Some(Source::Registry("file:///index".into()))
    );
}

#[test]
fn not_toml_points_at_the_line() {
    let e = error("version = 1\nrevision = = 3\n");
    assert!(e.starts_with("uv.lock:2:"), "{e}");
}

#[test]
fn version_must_be_one() {
    assert!(
        error("version = 2\n").starts_with("uv.lock:1:11: error: unsupported uv.lock version 2")
    );
    assert!(error("revision = 1\n").contains("missing `version`"));
    assert!(error("version = \"1\"\n").contains("wrong type for `version`"));
}

#[test]
fn package_without_name_points_at_its_header() {
    let e = error(&MINIMAL.replace("name = \"idna\"\n", ""));
    assert!(
        e.starts_with("uv.lock:5:1: error: [[package]] without `name`"),
        "{e}"
    );
}

#[test]
fn bad_version_marker_and_source_are_located() {
    let e = error(&MINIMAL.replace("\"3.10\"\n", "\"3..10\"\n"));
    assert!(
        e.starts_with("uv.lock:7:11: error: invalid PEP 440 version"),
        "{e}"
    );
    let e = error(&format!(
        "{MINIMAL}dependencies = [{{ name = \"a\", marker = \"sys_platform === 'x'\" }}]\n"
    ));
    assert!(e.starts_with("uv.lock:9:"), "{e}");
    assert!(e.contains("invalid PEP 508 marker"), "{e}");
    let e = error(&MINIMAL.replace("{ registry", "{ mirror"));
    assert!(
        e.starts_with("uv.lock:8:12: error: unknown source kind `mirror`"),
        "{e}"
    );
}

#[test]
fn wrong_types_are_located() {
    let e = error(&MINIMAL.replace("\"3.10\"", "3"));
    assert!(
        e.starts_with("uv.lock:7:11: error: wrong type for `version`"),
        "{e}"
    );
    let e = error(&format!("{MINIMAL}wheels = \"x\"\n"));
    assert!(
        e.starts_with("uv.lock:9:10: error: wrong type for `wheels`"),
        "{e}"
    );
}

#[test]
fn unknown_keys_are_kept() {
    let lock = parse("uv.lock", &format!("{MINIMAL}future = [1, 2]\n")).unwrap();
    assert_eq!(
        lock.packages[0].unknown,
        vec![("future".to_string(), "[1, 2]".to_string())]
    );
}
