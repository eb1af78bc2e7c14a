//! What a resolve costs the machine besides time: the threads it starts while many index
//! pages are in flight (each new connection looks its host up on a thread of its own).

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
