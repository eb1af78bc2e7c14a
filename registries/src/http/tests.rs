//! The client against a real local server (crate::testing): caching and revalidation, offline,
//! retries of each transient fault, hash checks, ranges and credentials.

use super::*;
use crate::testing::{Fault, Route, TestServer};

fn settings() -> Settings {
    Settings {
        retries: 2,
        backoff: Duration::from_millis(1),
        timeout: Duration::from_millis(400),
        ..Settings::default()
    }
}

fn client(cache: &std::path::Path) -> HttpClient {
    HttpClient::new(settings(), Credentials::default(), Some(Cache::new(cache))).unwrap()
}

fn offline(cache: &std::path::Path) -> HttpClient {
    let s = Settings {
        offline: true,
        ..settings()
    };
    HttpClient::new(s, Credentials::default(), Some(Cache::new(cache))).unwrap()
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn url(server: &TestServer, path: &str) -> Url {
    Url::parse(&server.url(path)).unwrap()
}

const JSON: &str = "application/vnd.pypi.simple.v1+json";

#[test]
fn a_fresh_page_is_served_from_the_cache_without_a_request() {
    let server = TestServer::start();
    server.route(
        "/p/",
        Route::ok(JSON, "{}").header("Cache-Control", "max-age=600"),
    );
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path());
    let first = run(c.get_cached(&url(&server, "/p/"), "*/*")).unwrap();
    let second = run(c.get_cached(&url(&server, "/p/"), "*/*")).unwrap();
    assert_eq!(first.body, second.body);
    assert_eq!(second.content_type.as_deref(), Some(JSON));
    assert_eq!(server.seen_at("/p/").len(), 1);
}

#[test]
fn a_stale_page_is_revalidated_with_its_etag_and_a_304_keeps_the_body() {
    let server = TestServer::start();
    server.route(
        "/p/",
        Route::ok(JSON, "{\"files\": []}")
            .header("Cache-Control", "max-age=0")
            .with_etag("\"v1\""),
    );
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path());
    run(c.get_cached(&url(&server, "/p/"), "*/*")).unwrap();
    let again = run(c.get_cached(&url(&server, "/p/"), "*/*")).unwrap();
    assert_eq!(again.status, 200);
    assert_eq!(&again.body[..], b"{\"files\": []}");
    let seen = server.seen_at("/p/");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].header("if-none-match"), None);
    assert_eq!(seen[1].header("if-none-match"), Some("\"v1\""));
}

#[test]
fn no_cache_revalidates_every_time_and_no_store_is_never_kept() {
    let server = TestServer::start();
    server.route(
        "/nc/",
        Route::ok(JSON, "a")
            .header("Cache-Control", "no-cache")
            .header("Last-Modified", "Tue, 01 Jul 2025 10:00:00 GMT"),
    );
    server.route(
        "/ns/",
        Route::ok(JSON, "b").header("Cache-Control", "no-store"),
    );
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path());
    for _ in 0..3 {
        run(c.get_cached(&url(&server, "/nc/"), "*/*")).unwrap();
        run(c.get_cached(&url(&server, "/ns/"), "*/*")).unwrap();
    }
    let nc = server.seen_at("/nc/");
    assert_eq!(nc.len(), 3);
    assert!(
        nc[1..]
            .iter()
            .all(|s| s.header("if-modified-since").is_some())
    );
    assert_eq!(server.seen_at("/ns/").len(), 3);
    let err = run(offline(dir.path()).get_cached(&url(&server, "/ns/"), "*/*")).unwrap_err();
    assert_eq!(err.failure, Failure::NotCached);
    // Offline, a stale entry is used as it is.
    let body = run(offline(dir.path()).get_cached(&url(&server, "/nc/"), "*/*")).unwrap();
    assert_eq!(&body.body[..], b"a");
    assert_eq!(server.seen_at("/nc/").len(), 3);
}

#[test]
fn offline_names_the_url_that_is_not_cached() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let err = run(offline(dir.path()).get_cached(&url(&server, "/missing/"), "*/*")).unwrap_err();
    assert_eq!(err.failure, Failure::NotCached);
    assert!(err.to_string().contains("/missing/"), "{err}");
    assert!(server.seen().is_empty());
}

#[test]
fn server_errors_are_retried_then_reported_with_the_url() {
    let server = TestServer::start();
    server.route(
        "/flaky/",
        Route::ok(JSON, "ok").with_faults([Fault::Status(503), Fault::Status(502)]),
    );
    server.route(
        "/down/",
        Route::ok(JSON, "ok").with_faults([Fault::Status(500); 5]),
    );
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path());
    let ok = run(c.get_cached(&url(&server, "/flaky/"), "*/*")).unwrap();
    assert_eq!(&ok.body[..], b"ok");
    assert_eq!(server.seen_at("/flaky/").len(), 3);
    let err = run(c.get_cached(&url(&server, "/down/"), "*/*")).unwrap_err();
    assert_eq!(err.failure, Failure::Status(500));
    assert_eq!(err.attempts, 3);
    let text = err.to_string();
    assert!(
        text.contains(&server.url("/down/")) && text.contains("500") && text.contains("3 attempts"),
        "{text}"
    );
    // A client error is not retried.
    server.route(
        "/gone/",
        Route::ok(JSON, "").with_faults([Fault::Status(403)]),
    );
    let err = run(c.get_cached(&url(&server, "/gone/"), "*/*")).unwrap_err();
    assert_eq!((err.failure, err.attempts), (Failure::Status(403), 1));
}

#[test]
fn closed_connections_stalls_and_truncated_bodies_are_retried() {
    let server = TestServer::start();
    server.route(
        "/reset/",
        Route::ok(JSON, "fine").with_faults([Fault::Close]),
    );
    server.route(
        "/slow/",
        Route::ok(JSON, "late").with_faults([Fault::Stall(Duration::from_millis(1500))]),
    );
    let long = "x".repeat(10_000);
    server.route(
        "/cut/",
        Route::ok(JSON, long.clone()).with_faults([Fault::Truncate]),
    );
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path());
    assert_eq!(
        &run(c.get_cached(&url(&server, "/reset/"), "*/*"))
            .unwrap()
            .body[..],
        b"fine"
    );
    assert_eq!(server.seen_at("/reset/").len(), 2);
    assert_eq!(
        &run(c.get_cached(&url(&server, "/slow/"), "*/*"))
            .unwrap()
            .body[..],
        b"late"
    );
    assert_eq!(server.seen_at("/slow/").len(), 2);
    assert_eq!(
        run(c.get_cached(&url(&server, "/cut/"), "*/*"))
            .unwrap()
            .body
            .len(),
        long.len()
    );
    assert_eq!(server.seen_at("/cut/").len(), 2);
}

#[test]
fn persistent_faults_are_reported_as_what_failed() {
    let server = TestServer::start();
    server.route(
        "/cut/",
        Route::ok(JSON, "y".repeat(5000)).with_faults([Fault::Truncate; 3]),
    );
    server.route(
        "/slow/",
        Route::ok(JSON, "z").with_faults([Fault::Stall(Duration::from_millis(1200)); 3]),
    );
    server.route(
        "/reset/",
        Route::ok(JSON, "z").with_faults([Fault::Close; 3]),
    );
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path());
    let cut = run(c.get_cached(&url(&server, "/cut/"), "*/*")).unwrap_err();
    assert!(
        matches!(
            cut.failure,
            Failure::Truncated { .. } | Failure::Interrupted(_)
        ),
        "{cut}"
    );
    assert!(cut.to_string().contains("5000"), "{cut}");
    assert_eq!(cut.attempts, 3);
    let slow = run(c.get_cached(&url(&server, "/slow/"), "*/*")).unwrap_err();
    assert_eq!(slow.failure, Failure::Timeout, "{slow}");
    let reset = run(c.get_cached(&url(&server, "/reset/"), "*/*")).unwrap_err();
    assert!(matches!(reset.failure, Failure::Interrupted(_)), "{reset}");
    assert_eq!(reset.attempts, 3);
}

#[test]
fn downloads_are_checked_against_the_index_and_never_cached() {
    let server = TestServer::start();
    server.route("/f.whl", Route::ok("application/octet-stream", "abc"));
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path());
    let good = Expected {
        size: Some(3),
        sha256: Some(hex(&sha2::Sha256::digest(b"abc"))),
    };
    assert_eq!(
        &run(c.download(&url(&server, "/f.whl"), &good)).unwrap()[..],
        b"abc"
    );
    let bad_hash = Expected {
        size: Some(3),
        sha256: Some("00".repeat(32)),
    };
    let err = run(c.download(&url(&server, "/f.whl"), &bad_hash)).unwrap_err();
    assert!(matches!(err.failure, Failure::Mismatch(_)));
    assert!(err.to_string().contains("/f.whl") && err.to_string().contains("sha256"));
    let bad_size = Expected {
        size: Some(4),
        sha256: None,
    };
    let err = run(c.download(&url(&server, "/f.whl"), &bad_size)).unwrap_err();
    assert!(err.to_string().contains("the index says 4"), "{err}");
    assert!(!dir.path().join("http-v1").exists());
}

#[test]
fn ranges_come_back_with_their_place_in_the_file() {
    let server = TestServer::start();
    server.route(
        "/w.whl",
        Route::ok("application/octet-stream", "0123456789").with_ranges(),
    );
    server.route(
        "/plain.whl",
        Route::ok("application/octet-stream", "0123456789"),
    );
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path());
    match run(c.range(&url(&server, "/w.whl"), None, 4)).unwrap() {
        Ranged::Part { start, total, body } => {
            assert_eq!((start, total, &body[..]), (6, 10, &b"6789"[..]));
        }
        other => panic!("{other:?}"),
    }
    match run(c.range(&url(&server, "/w.whl"), Some(2), 3)).unwrap() {
        Ranged::Part { start, body, .. } => assert_eq!((start, &body[..]), (2, &b"234"[..])),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        run(c.range(&url(&server, "/plain.whl"), None, 4)).unwrap(),
        Ranged::Whole(_)
    ));
    assert_eq!(
        server.seen_at("/w.whl")[0].header("range"),
        Some("bytes=-4")
    );
}

#[test]
fn credentials_go_to_their_host_only_and_are_never_stored() {
    let index = TestServer::start();
    let files = TestServer::start_on("127.0.0.2");
    let dir = tempfile::tempdir().unwrap();
    let netrc = dir.path().join("netrc");
    std::fs::write(
        &netrc,
        format!(
            "machine {} login alice password n3trc-s3cret\n",
            index.host()
        ),
    )
    .unwrap();
    // base64("alice:n3trc-s3cret")
    let basic = "Basic YWxpY2U6bjN0cmMtczNjcmV0";
    index.route(
        "/simple/p/",
        Route::ok(JSON, "{}")
            .with_auth(basic)
            .header("Cache-Control", "max-age=0")
            .with_etag("\"e\""),
    );
    files.route("/f.whl", Route::ok("application/octet-stream", "abc"));
    let credentials = Credentials::from_netrc(Some(&netrc)).unwrap();
    let cache = dir.path().join("cache");
    let c = HttpClient::new(settings(), credentials, Some(Cache::new(&cache))).unwrap();
    run(c.get_cached(&url(&index, "/simple/p/"), "*/*")).unwrap();
    run(c.get_cached(&url(&index, "/simple/p/"), "*/*")).unwrap();
    run(c.download(&url(&files, "/f.whl"), &Expected::default())).unwrap();
    assert!(
        index
            .seen()
            .iter()
            .all(|s| s.header("authorization") == Some(basic))
    );
    assert_eq!(files.seen()[0].header("authorization"), None);
    // Without the credentials the index refuses.
    let anonymous = client(&dir.path().join("other"));
    let err = run(anonymous.get_cached(&url(&index, "/simple/p/"), "*/*")).unwrap_err();
    assert_eq!(err.failure, Failure::Status(401));
    for entry in walk(&cache) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("n3trc-s3cret") && !text.contains("YWxpY2U6"),
            "{}",
            entry.display()
        );
    }
}

#[test]
fn url_credentials_are_sent_but_never_shown() {
    let index = TestServer::start();
    index.route(
        "/simple/p/",
        Route::ok(JSON, "{}").with_auth("Basic dTpwQHNz"), // u:p@ss
    );
    let mut credentials = Credentials::default();
    let with = Url::parse(
        &index
            .url("/simple/p/")
            .replace("http://", "http://u:p%40ss@"),
    )
    .unwrap();
    let stripped = credentials.take_from_url(&with);
    let dir = tempfile::tempdir().unwrap();
    let c = HttpClient::new(settings(), credentials, Some(Cache::new(dir.path()))).unwrap();
    let page = run(c.get_cached(&stripped, "*/*")).unwrap();
    assert_eq!(page.status, 200);
    assert!(!page.url.as_str().contains("p%40ss"));
    index.route(
        "/simple/q/",
        Route::ok(JSON, "{}").with_faults([Fault::Status(500); 3]),
    );
    let err = run(c.get_cached(&url(&index, "/simple/q/"), "*/*")).unwrap_err();
    assert!(!err.to_string().contains("p%40ss") && !err.to_string().contains("p@ss"));
}

#[test]
fn a_redirect_loop_fails_once_without_retries_naming_the_url() {
    let server = TestServer::start();
    server.route("/a/", Route::redirect("/b/"));
    server.route("/b/", Route::redirect("/a/"));
    server.route("/c/", Route::redirect("/d/"));
    server.route("/d/", Route::ok(JSON, "{}"));
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path());
    let err = run(c.get_cached(&url(&server, "/a/"), "*/*")).unwrap_err();
    assert!(matches!(err.failure, Failure::Redirects(_)), "{err:?}");
    assert_eq!(err.attempts, 1);
    assert_eq!(err.url, server.url("/a/"));
    assert!(err.to_string().contains("too many redirects"), "{err}");
    // One attempt follows the loop until reqwest's limit of 10, then stops.
    assert!(server.seen_at("/a/").len() <= 6, "{:?}", server.seen());
    let err = run(c.download(&url(&server, "/b/"), &Expected::default())).unwrap_err();
    assert_eq!((err.attempts, err.failure.is_transient()), (1, false));
    // A redirect that ends is followed.
    let page = run(c.get_cached(&url(&server, "/c/"), "*/*")).unwrap();
    assert_eq!((page.status, page.url.path()), (200, "/d/"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

fn limited(page: u64, download: u64) -> HttpClient {
    let s = Settings {
        max_page_bytes: page,
        max_download_bytes: download,
        ..settings()
    };
    HttpClient::new(s, Credentials::default(), None).unwrap()
}

#[test]
fn an_answer_announcing_more_than_the_limit_is_refused_before_it_is_read() {
    let server = TestServer::start();
    server.route("/simple/p/", Route::ok(JSON, "{}").with_length(2 << 30));
    server.route(
        "/f.whl",
        Route::ok("application/octet-stream", "PK").with_length(5 << 30),
    );
    let c = limited(1 << 20, 1 << 30);
    let err = run(c.get_cached(&url(&server, "/simple/p/"), JSON)).unwrap_err();
    assert_eq!(err.url, server.url("/simple/p/"));
    assert_eq!(err.attempts, 1);
    assert_eq!(
        err.failure.to_string(),
        "the answer announces 2147483648 bytes, over the limit of 1 MiB for an index page; if the index is right, raise UNILOCK_MAX_PAGE_BYTES"
    );
    let err = run(c.download(&url(&server, "/f.whl"), &Expected::default())).unwrap_err();
    assert!(
        err.to_string()
            .contains("over the limit of 1 GiB for a downloaded file")
            && err.to_string().contains("UNILOCK_MAX_DOWNLOAD_BYTES"),
        "{err}"
    );
    let err = run(c.download_metadata(&url(&server, "/f.whl"), &Expected::default())).unwrap_err();
    assert!(
        err.to_string().contains("16 MiB for a core metadata file"),
        "{err}"
    );
}

#[test]
fn an_answer_that_never_ends_is_cut_off_at_the_limit() {
    let server = TestServer::start();
    server.route(
        "/simple/p/",
        Route::ok("text/html", vec![b'<'; 64 * 1024]).endless(),
    );
    let c = limited(4 << 20, 8 << 20);
    let err = run(c.get_cached(&url(&server, "/simple/p/"), "text/html")).unwrap_err();
    assert_eq!(err.attempts, 1);
    assert_eq!(
        err.failure,
        Failure::TooLarge {
            what: "an index page",
            limit: 4 << 20,
            variable: Some("UNILOCK_MAX_PAGE_BYTES"),
            declared: None
        }
    );
    assert!(
        err.to_string().contains("goes on past the limit of 4 MiB"),
        "{err}"
    );
    let err = run(c.download(&url(&server, "/simple/p/"), &Expected::default())).unwrap_err();
    assert!(
        err.to_string()
            .contains("past the limit of 8 MiB for a downloaded file"),
        "{err}"
    );
}

#[test]
fn a_download_within_the_limit_is_whole_and_checked() {
    let server = TestServer::start();
    let body: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    server.route(
        "/f.whl",
        Route::ok("application/octet-stream", body.clone()),
    );
    let expected = Expected {
        size: Some(body.len() as u64),
        sha256: Some(hex(&sha2::Sha256::digest(&body))),
    };
    let c = limited(1 << 20, 1 << 30);
    let got = run(c.download(&url(&server, "/f.whl"), &expected)).unwrap();
    assert_eq!(&got[..], &body[..]);
}

#[test]
fn an_answer_trickling_in_ends_at_the_deadline_without_retries() {
    let server = TestServer::start();
    server.route(
        "/simple/p/",
        Route::ok(JSON, vec![b' '; 200]).with_faults([Fault::Trickle(Duration::from_millis(50))]),
    );
    let s = Settings {
        deadline: Duration::from_millis(600),
        ..settings()
    };
    // Each byte comes well within the read timeout (400 ms): only the deadline can end it.
    let c = HttpClient::new(s, Credentials::default(), None).unwrap();
    let started = std::time::Instant::now();
    let err = run(c.get_cached(&url(&server, "/simple/p/"), JSON)).unwrap_err();
    println!("a trickled answer ended after {:?}", started.elapsed());
    assert_eq!(err.failure, Failure::Deadline(Duration::from_millis(600)));
    assert_eq!(err.attempts, 1);
    assert_eq!(server.seen_at("/simple/p/").len(), 1);
    assert!(err.to_string().contains("within 0.6 s"), "{err}");
}
