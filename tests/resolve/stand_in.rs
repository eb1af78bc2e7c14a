//! A version that installs on the target only from its sdist, whose metadata is not static,
//! but that has a wheel for another platform: its dependencies are read from that wheel (as
//! uv does; every file of a version is taken to have the same dependencies), with no build.

use super::{export, write};
use crate::corpus;
use sha2::Digest;
use unilock_registries::testing::{Route, TestServer};

fn sha(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn an_sdist_version_takes_its_dependencies_from_a_wheel_for_another_platform_without_a_build() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    let base = server.url("");
    // gamma 2.0: an sdist with metadata 2.1 (its dependencies known only from a build) and a
    // Windows wheel that says it requires q.
    let sdist = std::fs::read(corpus("fixtures/sdists/gamma-2.0.tar.gz")).unwrap();
    let wheel = "gamma-2.0-py3-none-win_amd64.whl";
    let wheel_metadata = "Metadata-Version: 2.1\nName: gamma\nVersion: 2.0\nRequires-Dist: q\n";
    server.route(
        "/files/gamma-2.0.tar.gz",
        Route::ok("application/octet-stream", sdist.clone()),
    );
    server.route(
        &format!("/files/{wheel}.metadata"),
        Route::ok("binary/octet-stream", wheel_metadata),
    );
    server.route(
        "/simple/gamma/",
        Route::ok(
            "application/vnd.pypi.simple.v1+json",
            format!(
                r#"{{"files": [{{"filename": "gamma-2.0.tar.gz", "url": "{base}/files/gamma-2.0.tar.gz", "hashes": {{"sha256": "{}"}}}}, {{"filename": "{wheel}", "url": "{base}/files/{wheel}", "hashes": {{"sha256": "{}"}}, "core-metadata": {{"sha256": "{}"}}}}]}}"#,
                sha(&sdist),
                sha(wheel.as_bytes()),
                sha(wheel_metadata.as_bytes())
            ),
        ),
    );
    let q_wheel = "q-1.0-py3-none-any.whl";
    let q_metadata = "Metadata-Version: 2.1\nName: q\nVersion: 1.0\n";
    server.route(
        &format!("/files/{q_wheel}.metadata"),
        Route::ok("binary/octet-stream", q_metadata),
    );
    server.route(
        "/simple/q/",
        Route::ok(
            "application/vnd.pypi.simple.v1+json",
            format!(
                r#"{{"files": [{{"filename": "{q_wheel}", "url": "{base}/files/{q_wheel}", "hashes": {{"sha256": "{}"}}, "core-metadata": {{"sha256": "{}"}}}}]}}"#,
                sha(q_wheel.as_bytes()),
                sha(q_metadata.as_bytes())
            ),
        ),
    );
    write(dir.path(), "requirements.txt", "gamma\n");
    let index = server.url("/simple/");
    // --no-build: nothing may be built, so the dependencies must come from the wheel.
    let out = super::http::run(
        dir.path(),
        &[
            "resolve",
            &dir.path().join("requirements.txt").display().to_string(),
            "--target",
            "linux-64,python=3.12",
            "--index-url",
            &index,
            "--no-build",
            "-o",
            &dir.path().join("unilock.lock").display().to_string(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", crate::stderr(&out));
    let pins = export(dir.path(), "linux-64,python=3.12");
    assert!(pins.contains("gamma==2.0"), "{pins}");
    assert!(pins.contains("q==1.0"), "{pins}");
    // The sdist is what installs on the target: its hash is the one pinned.
    assert!(pins.contains(&sha(&sdist)), "{pins}");
    assert!(!pins.contains(&sha(wheel.as_bytes())), "{pins}");
    // Nothing was downloaded to learn the dependencies.
    assert!(server.seen_at("/files/gamma-2.0.tar.gz").is_empty());
}
