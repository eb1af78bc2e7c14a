//! `unilock resolve` against hostile or broken indexes served on 127.0.0.1 (and `file://`
//! indexes written by the test): pages that list other projects' files or point at the local
//! disk, answers too large or too slow, redirect loops, unknown API versions, pages with
//! nothing usable. Each is refused or warned about with a message naming the page, never
//! turned into a wrong lock.

use super::{export, pins, write};
use crate::{corpus, stderr};
use std::path::Path;
use unilock_registries::testing::{Fault, Route, TestServer};

const JSON: &str = "application/vnd.pypi.simple.v1+json";

/// The bytes of a fixture wheel of corpus/fixtures/find-links.
fn wheel(name: &str) -> Vec<u8> {
    std::fs::read(corpus("fixtures/find-links").join(name)).expect("fixture wheel")
}

/// Serves each of `files` (fixture wheels) at `/files/NAME` with ranges.
fn serve_files(server: &TestServer, files: &[&str]) {
    for name in files {
        server.route(
            &format!("/files/{name}"),
            Route::ok("application/octet-stream", wheel(name)).with_ranges(),
        );
    }
}

/// A PEP 691 page listing `files` by the URLs given.
fn json_page(links: &[(&str, String)]) -> String {
    let files: Vec<String> = links
        .iter()
        .map(|(name, url)| format!(r#"{{"filename": "{name}", "url": "{url}", "hashes": {{}}}}"#))
        .collect();
    format!(
        r#"{{"meta": {{"api-version": "1.1"}}, "files": [{}]}}"#,
        files.join(", ")
    )
}

fn resolve(dir: &Path, requirements: &str, index: &str) -> std::process::Output {
    super::http::resolve_text(dir, requirements, index, &[])
}

#[test]
fn files_of_another_project_on_a_page_are_ignored_with_a_warning() {
    let server = TestServer::start();
    let listed = [
        "gamma-1.0-py3-none-any.whl",
        "beta-2.0-py3-none-manylinux_2_28_x86_64.whl",
    ];
    serve_files(&server, &listed);
    let links: Vec<(&str, String)> = listed
        .iter()
        .map(|n| (*n, server.url(&format!("/files/{n}"))))
        .collect();
    server.route("/simple/gamma/", Route::ok(JSON, json_page(&links)));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(dir.path(), "gamma\n", &server.url("/simple"));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        pins(&export(dir.path(), "linux-64,python=3.12")),
        ["gamma==1.0"]
    );
    assert!(
        err.contains(&format!(
            "warning: {}: ignored 1 file listed for gamma that belongs to another project: beta-2.0-py3-none-manylinux_2_28_x86_64.whl (beta)",
            server.url("/simple/gamma/")
        )),
        "{err}"
    );

    // A file:// index's HTML page is held to the same rule.
    let root = dir.path().join("index");
    let page = root.join("gamma");
    std::fs::create_dir_all(&page).expect("mkdir");
    let fixtures = corpus("fixtures/find-links");
    let anchors: String = listed
        .iter()
        .map(|n| format!("<a href=\"file://{}/{n}\">{n}</a>\n", fixtures.display()))
        .collect();
    std::fs::write(page.join("index.html"), anchors).expect("write page");
    let index = format!("file://{}/", root.display());
    let out = resolve(dir.path(), "gamma\n", &index);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        pins(&export(dir.path(), "linux-64,python=3.12")),
        ["gamma==1.0"]
    );
    assert!(
        err.contains(&format!("warning: {index}gamma/: ignored 1 file")),
        "{err}"
    );
}

#[test]
fn a_remote_page_that_points_at_the_local_disk_fails_with_exit_3() {
    let server = TestServer::start();
    let local = corpus("fixtures/find-links").join("gamma-1.0-py3-none-any.whl");
    let link = format!("file://{}", local.display());
    server.route(
        "/simple/gamma/",
        Route::ok(
            JSON,
            json_page(&[("gamma-1.0-py3-none-any.whl", link.clone())]),
        ),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(dir.path(), "gamma\n", &server.url("/simple"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&server.url("/simple/gamma/"))
            && err.contains(&link)
            && err.contains("may link only http and https files"),
        "{err}"
    );
    assert!(!dir.path().join("unilock.lock").exists());
    assert_eq!(server.seen_at("/simple/gamma/").len(), 1);
}

#[test]
fn a_redirect_loop_is_reported_once_with_exit_3() {
    let server = TestServer::start();
    server.route("/simple/gamma/", Route::redirect("/elsewhere/gamma/"));
    server.route("/elsewhere/gamma/", Route::redirect("/simple/gamma/"));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(dir.path(), "gamma\n", &server.url("/simple"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&server.url("/simple/gamma/"))
            && err.contains("too many redirects")
            && !err.contains("attempts"),
        "{err}"
    );
    assert!(server.seen_at("/simple/gamma/").len() <= 6);
}

#[test]
fn a_page_of_an_unknown_major_api_version_is_refused_with_exit_3() {
    let server = TestServer::start();
    serve_files(&server, &["gamma-1.0-py3-none-any.whl"]);
    let link = server.url("/files/gamma-1.0-py3-none-any.whl");
    let page = json_page(&[("gamma-1.0-py3-none-any.whl", link)]).replace("\"1.1\"", "\"2.0\"");
    server.route("/simple/gamma/", Route::ok(JSON, page));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(dir.path(), "gamma\n", &server.url("/simple"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&server.url("/simple/gamma/"))
            && err.contains("version 2.0 of the simple repository API"),
        "{err}"
    );
}

#[test]
fn metadata_over_the_limit_fails_instead_of_losing_dependencies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = dir.path().join("links");
    std::fs::create_dir_all(&links).expect("mkdir");
    let name = "gamma-1.0-py3-none-any.whl";
    std::fs::write(links.join(name), wheel(name)).expect("write wheel");
    let mut text = b"Metadata-Version: 2.1\nName: gamma\nVersion: 1.0\nSummary: ".to_vec();
    text.resize(16 * 1024 * 1024, b'x');
    text.extend_from_slice(b"\nRequires-Dist: late-dependency\n");
    std::fs::write(links.join(format!("{name}.metadata")), text).expect("write metadata");
    let input = write(dir.path(), "requirements.txt", "gamma\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let fl = links.display().to_string();
    let out = crate::unilock(&[
        "resolve",
        &input,
        "--no-index",
        "--find-links",
        &fl,
        "--target",
        "linux-64,python=3.12",
        "-o",
        &lock,
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!("{name}.metadata")) && err.contains("over the limit of 16 MiB"),
        "{err}"
    );
    assert!(!Path::new(&lock).exists());
}

#[test]
fn answers_larger_than_the_limits_fail_with_exit_3_naming_the_url_and_the_limit() {
    let server = TestServer::start();
    server.route("/simple/gamma/", Route::ok(JSON, "{}").with_length(2 << 30));
    server.route(
        "/endless/gamma/",
        Route::ok("text/html", vec![b'<'; 64 * 1024]).endless(),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(dir.path(), "gamma\n", &server.url("/simple"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&server.url("/simple/gamma/"))
            && err.contains(
                "announces 2147483648 bytes, over the limit of 256 MiB for an index page"
            )
            && err.contains("UNILOCK_MAX_PAGE_BYTES"),
        "{err}"
    );
    let out = super::http::resolve_text(
        dir.path(),
        "gamma\n",
        &server.url("/endless"),
        &[("UNILOCK_MAX_PAGE_BYTES", "2097152")],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&server.url("/endless/gamma/"))
            && err.contains("goes on past the limit of 2 MiB for an index page"),
        "{err}"
    );
}

#[test]
fn a_page_trickled_a_byte_at_a_time_ends_at_the_deadline_with_exit_3() {
    let server = TestServer::start();
    server.route(
        "/simple/gamma/",
        Route::ok(JSON, vec![b' '; 100])
            .with_faults([Fault::Trickle(std::time::Duration::from_millis(100))]),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let started = std::time::Instant::now();
    let out = super::http::resolve_text(
        dir.path(),
        "gamma\n",
        &server.url("/simple"),
        &[("UNILOCK_HTTP_DEADLINE", "1")],
    );
    println!(
        "a trickled page ended the run after {:?}",
        started.elapsed()
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&server.url("/simple/gamma/"))
            && err.contains("did not arrive whole within 1 s")
            && err.contains("UNILOCK_HTTP_DEADLINE"),
        "{err}"
    );
    assert_eq!(server.seen_at("/simple/gamma/").len(), 1);
}

#[test]
fn a_page_with_nothing_usable_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("index");
    let fixtures = corpus("fixtures/find-links");
    let anchor = |name: &str, extra: &str| {
        format!(
            "<a href=\"file://{}/{name}\"{extra}>{name}</a>\n",
            fixtures.display()
        )
    };
    for (project, page) in [
        ("gamma", String::from("<html><body></body></html>")),
        (
            "alpha",
            anchor("beta-1.0-py3-none-any.whl", "") + &anchor("alpha-1.0.win32.exe", ""),
        ),
        (
            "delta",
            anchor("delta-1.0-py3-none-any.whl", " data-yanked=\"broken\""),
        ),
    ] {
        std::fs::create_dir_all(root.join(project)).expect("mkdir");
        std::fs::write(root.join(project).join("index.html"), page).expect("write page");
    }
    let index = format!("file://{}/", root.display());
    let why = |project: &str| {
        let out = resolve(dir.path(), &format!("{project}\n"), &index);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        stderr(&out)
    };
    let err = why("gamma");
    assert!(
        err.contains(&format!(
            "- gamma has no files on {index}: its page lists no file of gamma"
        )),
        "{err}"
    );
    let err = why("alpha");
    assert!(
        err.contains(&format!("warning: {index}alpha/: ignored 1 file listed for alpha that belongs to another project: beta-1.0-py3-none-any.whl (beta)"))
            && err.contains(&format!("- alpha has no wheel or sdist on {index}: the one file its page lists is not a wheel or sdist name (alpha-1.0.win32.exe)")),
        "{err}"
    );
    let err = why("delta");
    assert!(err.contains("- delta 1.0: yanked"), "{err}");
}
