//! What the user hands unilock, taken at its word: index locations that cannot be read are
//! errors before anything resolves (never dropped, which would leave only the other indexes),
//! and passwords and control characters in inputs never reach the terminal as they are.

use super::write;
use crate::{corpus, stderr, stdout, unilock};

fn snapshot() -> String {
    format!("file://{}/", corpus("index-snapshot/simple").display())
}

/// `resolve six` against the recorded snapshot, with `extra` arguments.
fn resolve_six(dir: &std::path::Path, input: &str, extra: &[&str]) -> std::process::Output {
    let lock = dir.join("unilock.lock").display().to_string();
    let mut args = vec![
        "resolve",
        input,
        "--target",
        "linux-64,python=3.12",
        "-o",
        &lock,
        "--offline",
    ];
    args.extend(extra);
    unilock(&args)
}

#[test]
fn an_index_that_cannot_be_read_is_an_error_naming_it_never_a_silent_fallback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "six\n");
    let good = snapshot();
    let missing = format!("file://{}/no-such-index/", dir.path().display());
    // Each of these used to be dropped (or read as an empty local directory), and six then
    // came from the other index with exit 0.
    for (flag, bad, why) in [
        (
            "--extra-index-url",
            "http://private.invalid:99999/simple/",
            "invalid port number",
        ),
        (
            "--extra-index-url",
            "http://[::1/simple/",
            "is not a valid URL",
        ),
        ("--extra-index-url", "not a url", "is not a directory"),
        ("--extra-index-url", "http://", "is not a valid URL"),
        ("--extra-index-url", missing.as_str(), "is not a directory"),
        (
            "--extra-index-url",
            "ftp://host.example/simple/",
            "only file, http and https",
        ),
        (
            "--find-links",
            "http://private.invalid:99999/wheels/",
            "invalid port number",
        ),
        ("--find-links", "no-such-directory", "is not a directory"),
    ] {
        let out = resolve_six(dir.path(), &input, &["--index-url", &good, flag, bad]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{flag} {bad}: {err}");
        assert!(
            err.contains(flag) && err.contains(why),
            "{flag} {bad}: {err}"
        );
        assert!(!dir.path().join("unilock.lock").exists(), "{bad}");
    }
    // As the only index, the same locations used to give "six is on none of the configured
    // indexes" (exit 1) instead of naming the location.
    for bad in [
        "not a url",
        "http://",
        "http://private.invalid:99999/simple/",
        missing.as_str(),
    ] {
        let out = resolve_six(dir.path(), &input, &["--index-url", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("--index-url"), "{}", stderr(&out));
    }
    // The same line inside a requirements file is named by its place in the file.
    let input = write(
        dir.path(),
        "with-index.txt",
        &format!(
            "--index-url {good}\n--extra-index-url http://private.invalid:99999/simple/\nsix\n"
        ),
    );
    let out = resolve_six(dir.path(), &input, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("with-index.txt:2:"), "{err}");
    // A good configuration still resolves.
    let out = resolve_six(
        dir.path(),
        &input.replace("with-index", "requirements"),
        &["--index-url", &good],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn passwords_in_inputs_are_masked_in_show_and_in_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "requirements.txt",
        "--extra-index-url https://user:s3cret@private.example/simple/\n\
         alpha @ https://user:s3cret@files.example/alpha-1.0-py3-none-any.whl\n",
    );
    for args in [
        vec!["show", input.as_str()],
        vec!["show", input.as_str(), "--json"],
    ] {
        let out = unilock(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.contains("s3cret"), "{text}");
        assert!(
            text.contains("https://user:****@private.example/simple/"),
            "{text}"
        );
    }
    // A PEP 508 error quotes the line: the password is masked there too.
    let bad = write(
        dir.path(),
        "bad.txt",
        "beta @ https://user:s3cret@files.example/beta-1.0-py3-none-any.whl ; python_version >>> '3'\n",
    );
    let out = resolve_six(dir.path(), &bad, &["--index-url", &snapshot()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.txt:1:"), "{err}");
    assert!(
        !err.contains("s3cret") && err.contains("user:****@"),
        "{err}"
    );
}

#[test]
fn control_characters_from_files_are_escaped_in_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "requirements.txt",
        "six ; python_version == '3\x1b]0;owned\x07' \x1b[2J\n",
    );
    let out = resolve_six(dir.path(), &input, &["--index-url", &snapshot()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    assert!(err.contains("\\x1b"), "{err}");
}

/// `unilock convert requirements.txt --to requirements -o OUT` under umask 022.
fn convert_to(dir: &std::path::Path, out: &std::path::Path) -> std::process::Output {
    let input = write(dir, "requirements.txt", "six==1.16.0\n");
    std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" convert \"$1\" --to requirements -o \"$2\"")
        .arg(env!("CARGO_BIN_EXE_unilock"))
        .arg(&input)
        .arg(out)
        .output()
        .expect("run unilock")
}

#[cfg(unix)]
#[test]
fn written_files_follow_the_umask_keep_their_mode_and_links_and_may_be_devices() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o7777;
    // A new file is readable by others under umask 022, as `>` would make it (it was 0600).
    let new = dir.path().join("new.txt");
    let out = convert_to(dir.path(), &new);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&new), 0o644);
    // A replaced file keeps its mode, whatever it was (0644 used to become 0600).
    for kept in [0o644, 0o640, 0o604] {
        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(kept)).expect("chmod");
        let out = convert_to(dir.path(), &new);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(mode(&new), kept);
    }
    // Through a link, the file it points to is written and the link stays a link (the link
    // used to be replaced by a file and its target left stale).
    let target = dir.path().join("real.txt");
    std::fs::write(&target, "old\n").expect("write");
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink("real.txt", &link).expect("symlink");
    let out = convert_to(dir.path(), &link);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "six==1.16.0\n"
    );
    // A device is written to as it is.
    let out = convert_to(dir.path(), std::path::Path::new("/dev/null"));
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn temporaries_left_by_a_killed_run_are_removed_by_the_next_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 3600);
    let make = |name: &str, stale: bool| {
        let path = dir.path().join(name);
        let file = std::fs::File::create(&path).expect("create");
        if stale {
            file.set_modified(old).expect("set mtime");
        }
        path
    };
    let leftovers = [
        make(".unilock-Ab12cD", true),
        make(".unilock-x9Y8z7.tmp", true),
    ];
    let kept = [
        make(".unilock-Fresh1.tmp", false),
        make(".unilock-notes", true),
        make("unilock-Ab12cD", true),
    ];
    let out = convert_to(dir.path(), &dir.path().join("out.txt"));
    assert!(out.status.success(), "{}", stderr(&out));
    for p in &leftovers {
        assert!(!p.exists(), "{} is left", p.display());
    }
    for p in &kept {
        assert!(p.exists(), "{} was removed", p.display());
    }
    let ours: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".unilock-") && !kept.iter().any(|k| k.ends_with(n)))
        .collect();
    assert!(ours.is_empty(), "{ours:?}");
}

#[test]
fn control_characters_from_a_server_are_escaped_in_messages() {
    use unilock_registries::testing::{Route, TestServer};
    let server = TestServer::start();
    let metadata = "Metadata-Version: 2.1\nName: alpha\nVersion: 1.0\n\
                    Requires-Dist: beta\x1b[2J\x1b]0;owned\x07 >= 1\n";
    let wheel = server.url("/files/alpha-1.0-py3-none-any.whl");
    server.route(
        "/files/alpha-1.0-py3-none-any.whl.metadata",
        Route::ok("application/octet-stream", metadata),
    );
    server.route(
        "/simple/alpha/",
        Route::ok(
            "application/vnd.pypi.simple.v1+json",
            format!(r#"{{"files": [{{"filename": "alpha-1.0-py3-none-any.whl", "url": "{wheel}", "core-metadata": true}}]}}"#),
        ),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out = super::http::resolve_text(dir.path(), "alpha\n", &server.url("/simple/"), &[]);
    let err = stderr(&out);
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    assert!(err.contains("\\x1b[2J"), "{err}");
}
