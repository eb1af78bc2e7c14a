//! Remote pages against the loopback server: what a page served over HTTP may link.

use super::*;
use crate::http::Settings;
use crate::http::auth::Credentials;
use crate::testing::{Route, TestServer};
use std::time::Duration;

const JSON: &str = "application/vnd.pypi.simple.v1+json";

fn remote() -> Remote {
    let settings = Settings {
        retries: 1,
        backoff: Duration::from_millis(1),
        timeout: Duration::from_secs(5),
        ..Settings::default()
    };
    Remote::new(Arc::new(
        HttpClient::new(settings, Credentials::default(), None).unwrap(),
    ))
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn a_remote_page_that_links_a_local_file_is_refused_naming_the_page_and_the_link() {
    let server = TestServer::start();
    server.route(
        "/simple/alpha/",
        Route::ok(
            JSON,
            r#"{"files": [{"filename": "alpha-1.0-py3-none-any.whl", "url": "file:///some/secret/dir/alpha-1.0-py3-none-any.whl", "hashes": {}}]}"#,
        ),
    );
    server.route(
        "/simple/beta/",
        Route::ok(
            "text/html",
            r#"<a href="/files/beta-1.0.tar.gz">ok</a><a href="ftp://files.example/beta-2.0.tar.gz">x</a>"#,
        ),
    );
    server.route(
        "/links/",
        Route::ok(
            "text/html",
            r#"<a href="file:///etc/beta-1.0.tar.gz">beta-1.0.tar.gz</a>"#,
        ),
    );
    let index = Url::parse(&server.url("/simple/")).unwrap();
    let r = remote();
    let err = run(r.project(&index, "alpha")).unwrap_err();
    assert_eq!(err.url, server.url("/simple/alpha/"));
    assert!(!err.failure.is_transient());
    let text = err.to_string();
    assert!(
        text.contains(
            "links alpha-1.0-py3-none-any.whl as file:///some/secret/dir/alpha-1.0-py3-none-any.whl"
        ) && text.contains("may link only http and https files"),
        "{text}"
    );
    let err = run(r.project(&index, "beta")).unwrap_err();
    assert!(
        err.to_string()
            .contains("as ftp://files.example/beta-2.0.tar.gz"),
        "{err}"
    );
    let err = run(r.page(&Url::parse(&server.url("/links/")).unwrap())).unwrap_err();
    assert!(
        err.to_string().contains("file:///etc/beta-1.0.tar.gz"),
        "{err}"
    );
    // Each page was asked for once: a refused page is not retried.
    assert_eq!(server.seen_at("/simple/alpha/").len(), 1);
}

#[test]
fn a_remote_page_of_http_links_is_read() {
    let server = TestServer::start();
    server.route(
        "/simple/beta/",
        Route::ok(
            "text/html",
            r#"<a href="/files/beta-1.0.tar.gz">beta-1.0.tar.gz</a><a href="https://files.example/beta-2.0.tar.gz">b</a>"#,
        ),
    );
    let index = Url::parse(&server.url("/simple/")).unwrap();
    let files = run(remote().project(&index, "beta")).unwrap().unwrap();
    assert_eq!(files.len(), 2);
}
