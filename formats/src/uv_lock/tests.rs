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

/// A lock of `n` packages in uv's layout, each with a marker, an extra and wheels.
fn large_lock(n: usize) -> String {
    let mut text = String::from(MINIMAL);
    for i in 0..n {
        text.push_str(&format!(
            r#"
[[package]]
name = "pkg-{i}"
version = "1.{i}"
source = {{ registry = "file:///index" }}
dependencies = [
    {{ name = "idna", marker = "sys_platform == 'linux'" }},
]
wheels = [
    {{ url = "file:///index/pkg_{i}-1.{i}-py3-none-any.whl", hash = "sha256:{i:064}", size = {i} }},
]

[package.optional-dependencies]
socks = [
    {{ name = "idna" }},
]
"#
        ));
    }
    text
}

#[test]
fn a_lock_read_in_parts_equals_the_lock_read_whole() {
    let text = large_lock(400);
    let whole = parse::parse_whole("uv.lock", &text).unwrap();
    for (threads, part_bytes) in [(1, 4096), (2, 100_000), (3, 7000), (8, 1)] {
        let lock =
            parse::parse_in_parts("uv.lock", &text, threads, part_bytes).expect("read in parts");
        assert_eq!(
            lock, whole,
            "{threads} threads, parts of {part_bytes} bytes"
        );
    }
    assert_eq!(emit(&whole), text);
}

#[test]
fn an_error_in_a_later_part_is_located_in_the_whole_file() {
    let mut text = large_lock(400);
    let at = text.rfind("sys_platform == 'linux'").unwrap();
    text.replace_range(at..at + 12, "sys_platfrom");
    assert!(parse::parse_in_parts("uv.lock", &text, 2, 4096).is_none());
    let line = text[..at].matches('\n').count() + 1;
    let e = error(&text);
    assert!(e.starts_with(&format!("uv.lock:{line}:")), "{e}");
}

#[test]
fn parts_that_hold_more_than_packages_are_read_whole() {
    let mut text = large_lock(400);
    text.push_str("\n[manifest]\nmembers = [\"a\"]\n");
    assert!(parse::parse_in_parts("uv.lock", &text, 2, 4096).is_none());
    let lock = parse("uv.lock", &text).unwrap();
    assert_eq!(lock.manifest.unwrap().members, ["a"]);
}
