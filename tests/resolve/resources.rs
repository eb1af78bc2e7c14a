//! What a resolve costs the machine and the reader besides time: the threads it starts while
//! many index pages are in flight (each new connection looks its host up on a thread of its
//! own), and the length of the explanation of a failure.

use super::write;
use sha2::Digest;
use std::time::Duration;
use unilock_registries::testing::{Fault, Route, TestServer};

fn sha(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The threads of process `pid` now, from /proc; `None` once it has exited.
#[cfg(target_os = "linux")]
fn threads(pid: u32) -> Option<usize> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
}

#[cfg(target_os = "linux")]
#[test]
fn a_resolve_of_many_projects_at_once_starts_a_bounded_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    // By name, so that every connection needs a host name lookup.
    let base = server.url("").replace("127.0.0.1", "localhost");
    let projects = 40;
    let mut names = Vec::new();
    for i in 0..projects {
        let name = format!("p{i}");
        let wheel = format!("{name}-1.0-py3-none-any.whl");
        let metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n");
        server.route(
            &format!("/files/{wheel}.metadata"),
            Route::ok("binary/octet-stream", metadata.clone()),
        );
        let page = format!(
            r#"{{"files": [{{"filename": "{wheel}", "url": "{base}/files/{wheel}", "hashes": {{"sha256": "{}"}}, "core-metadata": {{"sha256": "{}"}}}}]}}"#,
            sha(wheel.as_bytes()),
            sha(metadata.as_bytes())
        );
        // Every page is slow, so the requests overlap and each opens its own connection.
        server.route(
            &format!("/simple/{name}/"),
            Route::ok("application/vnd.pypi.simple.v1+json", page)
                .with_faults([Fault::Stall(Duration::from_millis(300))]),
        );
        names.push(name);
    }
    let input = write(dir.path(), "requirements.txt", &names.join("\n"));
    let index = format!("{base}/simple/");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_unilock"))
        .args(["resolve", &input, "--target", "linux-64,python=3.12"])
        .args(["--index-url", &index, "-o", &lock])
        .env("UNILOCK_CACHE_DIR", dir.path().join("cache"))
        .env("NETRC", "")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut most = 0;
    while child.try_wait().unwrap().is_none() {
        most = most.max(threads(child.id()).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{projects} pages at once: {most} threads at most");
    // The main thread, the runtime's two workers and four blocking threads, and one to spare
    // (tokio's own bound let 13 to 35 start here).
    assert!(most <= 8, "{most} threads for {projects} pages");
}

/// Serves `packages` (name, requirements of its one version 1.0) as JSON pages with metadata
/// files on `server`.
fn serve_metadata(server: &TestServer, packages: &[(String, Vec<String>)]) {
    let base = server.url("");
    for (name, requires) in packages {
        let wheel = format!("{name}-1.0-py3-none-any.whl");
        let mut metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n");
        for r in requires {
            metadata.push_str(&format!("Requires-Dist: {r}\n"));
        }
        let page = format!(
            r#"{{"files": [{{"filename": "{wheel}", "url": "{base}/files/{wheel}", "hashes": {{"sha256": "{}"}}, "core-metadata": {{"sha256": "{}"}}}}]}}"#,
            sha(wheel.as_bytes()),
            sha(metadata.as_bytes())
        );
        server.route(
            &format!("/files/{wheel}.metadata"),
            Route::ok("binary/octet-stream", metadata),
        );
        server.route(
            &format!("/simple/{name}/"),
            Route::ok("application/vnd.pypi.simple.v1+json", page),
        );
    }
}

#[test]
fn the_explanation_of_a_long_derivation_is_bounded_and_says_how_to_see_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    // p0 needs p1, …, p119 needs q>=2; q has 1.0 only: sixty lines back to the requirements.
    let mut packages: Vec<(String, Vec<String>)> = (0..120)
        .map(|i| (format!("p{i}"), vec![format!("p{}", i + 1)]))
        .collect();
    packages[119].1 = vec!["q>=2".into()];
    packages.push(("q".into(), vec![]));
    serve_metadata(&server, &packages);
    let index = server.url("/simple/");
    let resolve = |env: &[(&str, &str)]| super::http::resolve_text(dir.path(), "p0\n", &index, env);
    let out = resolve(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", crate::stderr(&out));
    let err = crate::stderr(&out);
    assert!(err.lines().count() <= 45, "{} lines", err.lines().count());
    assert!(
        err.contains("lines of the explanation left out (UNILOCK_EXPLAIN_LINES=0 shows them all)"),
        "{err}"
    );
    assert!(err.contains("q"), "the cause stays: {err}");
    assert!(
        err.contains("the requirements cannot be met"),
        "and the conclusion: {err}"
    );
    let whole = crate::stderr(&resolve(&[("UNILOCK_EXPLAIN_LINES", "0")]));
    assert!(whole.lines().count() > 45, "{whole}");
    assert!(!whole.contains("left out"), "{whole}");
}
