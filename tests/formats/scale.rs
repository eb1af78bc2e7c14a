//! Inputs at scale are read in time linear in their size. Each test prints its figures (no
//! timed assertions): sizes are chosen so a debug build finishes in seconds, and can be
//! raised to the full sizes with `UNILOCK_SCALE_LINES` (requirements lines; default
//! 100,000) and `UNILOCK_SCALE_DEPTH` (YAML nesting depth; default 100,000).

use crate::{stderr, stdout, unilock};
use std::time::Instant;

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every requirement of a long requirements file is located at its own line: locating does
/// not rescan the file for each one.
#[test]
fn a_long_requirements_file_is_read_in_linear_time() {
    let lines = size("UNILOCK_SCALE_LINES", 100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("requirements.txt");
    let mut text = String::with_capacity(lines * 40);
    for i in 0..lines {
        text.push_str(&format!(
            "pkg-{i}>=1.{} ; python_version >= \"3.8\"\n",
            i % 10
        ));
    }
    std::fs::write(&path, &text).expect("write");
    let file = path.display().to_string();
    let started = Instant::now();
    let out = unilock(&["show", &file]);
    let took = started.elapsed().as_secs_f64();
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&out);
    let last = lines - 1;
    assert!(
        shown.contains(&format!("pkg-{last}>=1.{}", last % 10))
            && shown.contains(&format!("({file}:{lines}:1)")),
        "the last requirement is located at line {lines}"
    );
    eprintln!(
        "requirements: {lines} lines ({:.1} MB) shown in {took:.2}s ({:.0} lines/s)",
        text.len() as f64 / 1e6,
        lines as f64 / took
    );
}

/// Flow collections nested far deeper than any reader accepts are refused at the bracket
/// that goes too deep, without the quadratic cost of handing them to the YAML parser.
#[test]
fn deeply_nested_yaml_is_refused_in_linear_time() {
    let depth = size("UNILOCK_SCALE_DEPTH", 100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let nested = format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth));
    for (format, name, text) in [
        (
            "conda-env",
            "environment.yml",
            format!("name: x\ndependencies: {nested}\n"),
        ),
        (
            "conda-lock",
            "conda-lock.yml",
            format!("version: 1\nmetadata: {nested}\n"),
        ),
        (
            "pixi-lock",
            "pixi.lock",
            format!("version: 6\nenvironments: {nested}\n"),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &text).expect("write");
        let file = path.display().to_string();
        let started = Instant::now();
        let out = unilock(&["show", &file, "--format", format]);
        let took = started.elapsed().as_secs_f64();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{format}: {err}");
        // The 129th `{` is the one too deep: 13 bytes into line 2, then 128 `{a: `.
        let column = text.lines().nth(1).map_or(0, |l| l.find('{').unwrap_or(0)) + 128 * 4 + 1;
        assert!(
            err.starts_with(&format!("{file}:2:{column}: error: not valid YAML: collections nested more than 128 levels deep")),
            "{format}: {err}"
        );
        eprintln!(
            "yaml: {format}, {depth} levels ({:.1} KB) refused in {took:.3}s",
            text.len() as f64 / 1e3
        );
    }
}
