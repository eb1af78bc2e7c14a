//! Sdists whose dependencies only a build tells are built ahead of the solver, in the
//! background, when the prefetch finds them likely: test-made sdists served by an HTTP index on
//! 127.0.0.1 (the prefetch only runs for remote indexes), whose in-tree build backend sleeps
//! and appends its start and end times to a log, so a test sees which builds ran, how often,
//! and whether they overlapped.

use super::write;
use crate::{stderr, tool, unilock_with_env};
use sha2::Digest;
use std::io::Write;
use std::path::Path;
use unilock_registries::testing::{Route, TestServer};

const JSON: &str = "application/vnd.pypi.simple.v1+json";
const TARGET: &str = "linux-64,python=3.12";

fn sha(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The in-tree backend of a test sdist: logs `NAME-VERSION start|end TIME` to LOG around a
/// sleep, then writes the metadata, or raises when FAIL.
const BACKEND: &str = r#"
import os, time
def _log(what):
    with open(LOG, "a") as f:
        f.write("%s-%s %s %.6f\n" % (NAME, VERSION, what, time.time()))
def get_requires_for_build_wheel(config_settings=None):
    return []
def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _log("start")
    time.sleep(SLEEP)
    if FAIL:
        _log("end")
        raise RuntimeError("the probe of %s fails on purpose" % NAME)
    d = os.path.join(metadata_directory, "%s-%s.dist-info" % (NAME, VERSION))
    os.makedirs(d)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: %s\nVersion: %s\n%s" % (NAME, VERSION, REQUIRES))
    _log("end")
    return "%s-%s.dist-info" % (NAME, VERSION)
"#;

/// An sdist `name-version.tar.bz2` whose PKG-INFO is metadata 2.1 (so only a build tells its
/// dependencies) and whose backend sleeps `sleep` seconds, then names `requires` or fails.
fn sdist(
    name: &str,
    version: &str,
    log: &Path,
    sleep: f64,
    fail: bool,
    requires: &[&str],
) -> Vec<u8> {
    let quote = |s: &str| serde_json::Value::from(s).to_string();
    let requires: String = requires
        .iter()
        .map(|r| format!("Requires-Dist: {r}\n"))
        .collect();
    let backend = format!(
        "NAME = {}\nVERSION = {}\nLOG = {}\nSLEEP = {sleep}\nFAIL = {}\nREQUIRES = {}\n{BACKEND}",
        quote(name),
        quote(version),
        quote(&log.display().to_string()),
        if fail { "True" } else { "False" },
        quote(&requires),
    );
    let pyproject =
        "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n";
    let pkg_info = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    let mut tar = tar::Builder::new(Vec::new());
    for (file, text) in [
        ("PKG-INFO", pkg_info.as_str()),
        ("pyproject.toml", pyproject),
        ("backend.py", backend.as_str()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("{name}-{version}/{file}"),
            text.as_bytes(),
        )
        .expect("tar");
    }
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&tar.into_inner().expect("tar"))
        .expect("bzip2");
    bz.finish().expect("bzip2")
}

/// A file of the index: its name, its bytes and, for a wheel, its metadata file.
type Served = (String, Vec<u8>, Option<String>);

/// An index on `server` with these projects' files.
fn serve(server: &TestServer, projects: &[(&str, Vec<Served>)]) {
    for (project, files) in projects {
        let mut entries = Vec::new();
        for (filename, bytes, metadata) in files {
            let url = server.url(&format!("/files/{filename}"));
            server.route(
                &format!("/files/{filename}"),
                Route::ok("application/octet-stream", bytes.clone()),
            );
            let mut core = String::new();
            if let Some(m) = metadata {
                core = format!(
                    r#", "core-metadata": {{"sha256": "{}"}}"#,
                    sha(m.as_bytes())
                );
                server.route(
                    &format!("/files/{filename}.metadata"),
                    Route::ok("binary/octet-stream", m.clone()),
                );
            }
            entries.push(format!(
                r#"{{"filename": "{filename}", "url": "{url}", "hashes": {{"sha256": "{}"}}, "size": {}{core}}}"#,
                sha(bytes),
                bytes.len()
            ));
        }
        server.route(
            &format!("/simple/{project}/"),
            Route::ok(JSON, format!(r#"{{"files": [{}]}}"#, entries.join(", "))),
        );
    }
}

/// A pure wheel known by its metadata file alone.
fn wheel(name: &str, version: &str, requires: &[&str]) -> Served {
    let mut metadata = format!("Metadata-Version: 2.2\nName: {name}\nVersion: {version}\n");
    for r in requires {
        metadata.push_str(&format!("Requires-Dist: {r}\n"));
    }
    (
        format!("{name}-{version}-py3-none-any.whl"),
        format!("a wheel of {name} {version}").into_bytes(),
        Some(metadata),
    )
}

/// The index of these tests, its builds logging to `log`: app 1.0 (a wheel) needs `one` and
/// `two`, sdists whose builds take 1.5 s; one's built metadata names `three` (a wheel);
/// flaky 2.0 is an sdist whose build fails, flaky 1.0 a wheel; sleepy 2.0 is an sdist whose
/// build takes a minute, sleepy 1.0 a wheel.
fn index(log: &Path) -> TestServer {
    let server = TestServer::start();
    let sd = |name: &str, version: &str, sleep: f64, fail: bool, requires: &[&str]| {
        (
            format!("{name}-{version}.tar.bz2"),
            sdist(name, version, log, sleep, fail, requires),
            None,
        )
    };
    serve(
        &server,
        &[
            ("app", vec![wheel("app", "1.0", &["one", "two"])]),
            ("one", vec![sd("one", "1.0", 1.5, false, &["three"])]),
            ("two", vec![sd("two", "1.0", 1.5, false, &[])]),
            ("three", vec![wheel("three", "1.0", &[])]),
            (
                "flaky",
                vec![
                    wheel("flaky", "1.0", &[]),
                    sd("flaky", "2.0", 0.2, true, &[]),
                ],
            ),
            (
                "sleepy",
                vec![
                    wheel("sleepy", "1.0", &[]),
                    sd("sleepy", "2.0", 60.0, false, &[]),
                ],
            ),
        ],
    );
    server
}

/// `unilock resolve` of `requirements` against `server`, builds by the test tools' Python, at
/// most two at once in the background.
fn resolve(
    server: &TestServer,
    dir: &Path,
    requirements: &str,
    python: &str,
) -> std::process::Output {
    let input = write(dir, "requirements.in", requirements);
    let index = server.url("/simple/");
    let cache = dir.join("cache").display().to_string();
    let lock = dir.join("unilock.lock").display().to_string();
    unilock_with_env(
        &[
            "resolve",
            &input,
            "--index-url",
            &index,
            "--cache-dir",
            &cache,
            "--target",
            TARGET,
            "--python",
            python,
            "-o",
            &lock,
        ],
        &[
            ("NETRC", ""),
            ("UNILOCK_PYTHON", ""),
            ("UV_PYTHON", ""),
            ("UNILOCK_CONCURRENT_BUILDS", "2"),
        ],
    )
}

/// The builds in `log`: `(file, start, end)` in order of start.
fn builds(log: &Path) -> Vec<(String, f64, Option<f64>)> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut runs: Vec<(String, f64, Option<f64>)> = Vec::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        let [file, what, time] = parts[..] else {
            panic!("log line {line:?}")
        };
        let time: f64 = time.parse().expect("time");
        match what {
            "start" => runs.push((file.to_string(), time, None)),
            _ => {
                let run = runs
                    .iter_mut()
                    .rev()
                    .find(|(f, _, end)| f == file && end.is_none())
                    .expect("a start before the end");
                run.2 = Some(time);
            }
        }
    }
    runs.sort_by(|a, b| a.1.total_cmp(&b.1));
    runs
}

/// app needs the sdists one and two: their builds run at the same time (one when the solver
/// asks, the other ahead of it, or both ahead), and each runs exactly once although the
/// solver asks for each while a build is in flight; three, which only one's built metadata
/// names, is locked.
#[test]
fn likely_sdists_are_built_in_the_background_at_the_same_time_and_once() {
    let Some(python) = tool("python") else { return };
    let python = python.display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("builds.log");
    let server = index(&log);
    let out = resolve(&server, dir.path(), "app\n", &python);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    for name in ["one", "two", "three"] {
        assert!(
            lock.contains(&format!("name = \"{name}\"")),
            "{name}:\n{lock}"
        );
    }
    let runs = builds(&log);
    let files: Vec<&str> = runs.iter().map(|(f, _, _)| f.as_str()).collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["one-1.0", "two-1.0"],
        "each sdist is built once: {runs:?}"
    );
    let (a, b) = (&runs[0], &runs[1]);
    let (a_end, b_end) = (a.2.expect("ended"), b.2.expect("ended"));
    assert!(
        b.1 < a_end && a.1 < b_end,
        "the two builds overlap in time: {runs:?}"
    );
}

/// flaky 2.0, the newest version, is built in the background and fails; with `flaky<2` the
/// solver never asks for it and the run succeeds, saying nothing of it. Without the bound the
/// solver needs it: the run fails with the message of the build (exit 3), built once. With
/// `--no-build` nothing is built, ahead or not.
#[test]
fn a_background_build_that_fails_matters_only_when_the_solver_needs_its_file() {
    let Some(python) = tool("python") else { return };
    let python = python.display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("builds.log");
    let server = index(&log);
    // `one` keeps the solver busy (its build takes 1.5 s) while flaky 2.0 is built ahead.
    let out = resolve(&server, dir.path(), "flaky<2\none\n", &python);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("flaky"), "{}", stderr(&out));
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    assert!(
        lock.contains("name = \"flaky\"\necosystem = \"pypi\"\nversion = \"1.0\""),
        "{lock}"
    );
    let runs = builds(&log);
    assert!(
        runs.iter()
            .any(|(f, _, end)| f == "flaky-2.0" && end.is_some()),
        "flaky 2.0 was built in the background: {runs:?}"
    );

    std::fs::remove_file(&log).expect("clear the log");
    // Without the lock, whose pin of flaky 1.0 would be kept.
    std::fs::remove_file(dir.path().join("unilock.lock")).expect("remove the lock");
    let out = resolve(&server, dir.path(), "flaky\n", &python);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    for says in [
        "error: flaky: the build backend backend failed to prepare the metadata of flaky-2.0.tar.bz2 (prepare_metadata_for_build_wheel, Python",
        "the backend's last lines of output:",
        "RuntimeError: the probe of flaky fails on purpose",
    ] {
        assert!(err.contains(says), "{says}\n{err}");
    }
    let runs = builds(&log);
    assert_eq!(
        runs.iter().filter(|(f, _, _)| f == "flaky-2.0").count(),
        1,
        "{runs:?}"
    );

    std::fs::remove_file(&log).expect("clear the log");
    let input = write(dir.path(), "requirements.in", "flaky<2\n");
    let index = server.url("/simple/");
    let cache = dir.path().join("cache").display().to_string();
    let lock = dir.path().join("unilock.lock").display().to_string();
    let out = unilock_with_env(
        &[
            "resolve",
            &input,
            "--index-url",
            &index,
            "--cache-dir",
            &cache,
            "--target",
            TARGET,
            "--python",
            &python,
            "--no-build",
            "-o",
            &lock,
        ],
        &[("NETRC", ""), ("UNILOCK_CONCURRENT_BUILDS", "2")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(builds(&log), []);
}

/// sleepy 2.0, built in the background but not needed (`sleepy<2`), takes a minute to build:
/// when the resolution is over its backend is stopped, not waited for, so the build never
/// reaches its end.
#[test]
fn a_background_build_still_running_when_the_resolution_ends_is_stopped() {
    let Some(python) = tool("python") else { return };
    let python = python.display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("builds.log");
    let server = index(&log);
    // `one` keeps the solver busy (its build takes 1.5 s) while sleepy 2.0 starts.
    let out = resolve(&server, dir.path(), "sleepy<2\none\n", &python);
    assert!(out.status.success(), "{}", stderr(&out));
    let runs = builds(&log);
    let sleepy: Vec<_> = runs.iter().filter(|(f, _, _)| f == "sleepy-2.0").collect();
    assert_eq!(sleepy.len(), 1, "sleepy 2.0 was started once: {runs:?}");
    assert_eq!(sleepy[0].2, None, "and stopped before its end: {runs:?}");
}
