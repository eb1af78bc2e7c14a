//! Artifacts over HTTP: a wheel's binaries are read through range requests (never the whole
//! file), their facts are cached by hash, and a second check reads nothing, even `--offline`.

use super::{check, links, lock};
use crate::{stderr, stdout};
use unilock_registries::testing::{Route, TestServer};

#[test]
fn wheels_are_read_by_ranges_once_and_then_from_the_cache_even_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = links(dir.path(), &["opencv_python", "numpy"]);
    let lock_path = lock(
        dir.path(),
        &links,
        "opencv-python\n",
        "ubuntu24.04,python=3.12",
    );
    let server = TestServer::start();
    for entry in std::fs::read_dir(&links).expect("links") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).expect("read");
        server.route(
            &format!("/files/{name}"),
            Route::ok("application/octet-stream", bytes).with_ranges(),
        );
    }
    // The same lock, with its artifacts on the server.
    let text = std::fs::read_to_string(&lock_path).expect("lock");
    let local = format!("file://{}/", links.display());
    assert!(text.contains(&local), "{text}");
    std::fs::write(&lock_path, text.replace(&local, &server.url("/files/"))).expect("write");

    let out = check(&lock_path, &["--target", "debian12,python=3.12", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cold: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let read = cold["bytes-read"].as_u64().unwrap();
    let sizes = cold["targets"][0]["artifact-bytes"].as_u64().unwrap();
    assert!(read > 0 && read <= sizes, "{read} of {sizes}");
    let seen = server.seen();
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|s| s.header("range").is_some()),
        "every request is a range request"
    );
    // Warm and offline: the same findings, nothing read, no request made.
    server.forget();
    for extra in [&[][..], &["--offline"][..]] {
        let mut args = vec!["--target", "debian12,python=3.12", "--json"];
        args.extend(extra);
        let out = check(&lock_path, &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let warm: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
        assert_eq!(warm["bytes-read"], 0);
        assert_eq!(warm["targets"], cold["targets"]);
    }
    assert!(server.seen().is_empty());
    // Offline with an empty cache: each artifact says what is missing; exit 3.
    let out = crate::unilock(&[
        "check",
        "--lock",
        &lock_path,
        "--target",
        "debian12,python=3.12",
        "--offline",
        "--cache-dir",
        &dir.path().join("empty").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("not in the cache, and --offline forbids reading it"),
        "{}",
        stdout(&out)
    );
}
