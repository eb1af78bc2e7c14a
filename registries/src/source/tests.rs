//! The combined source against local servers: JSON and HTML pages, every metadata route
//! (advertised and unadvertised `.metadata`, range reads after a 404, static and dynamic
//! sdists), index priority, prefetching, offline runs and hash mismatches.

use super::*;
use crate::cache::Cache;
use crate::http::auth::Credentials;
use crate::http::{HttpClient, Settings, hex};
use crate::testing::{Route, TestServer};
use sha2::Digest;
use std::path::Path;
use std::time::{Duration, Instant};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../corpus/fixtures")
            .join(path),
    )
    .unwrap()
}

fn sha(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

const JSON: &str = "application/vnd.pypi.simple.v1+json";
const WHEEL: &str = "application/octet-stream";

/// An index on 127.0.0.1 whose files live on 127.0.0.2 (another host), except delta's.
struct Fixture {
    index: TestServer,
    files: TestServer,
    alpha_metadata: Vec<u8>,
}

fn json_file(name: &str, url: &str, bytes: &[u8], extra: &str) -> String {
    format!(
        r#"{{"filename": "{name}", "url": "{url}", "hashes": {{"sha256": "{}"}}, "size": {}{extra}}}"#,
        sha(bytes),
        bytes.len()
    )
}

fn json_page(files: &[String]) -> String {
    format!(
        r#"{{"meta": {{"api-version": "1.1"}}, "files": [{}]}}"#,
        files.join(", ")
    )
}

fn fixture_servers() -> Fixture {
    let index = TestServer::start();
    let files = TestServer::start_on("127.0.0.2");
    let page = |body: String| Route::ok(JSON, body).header("Cache-Control", "max-age=600");
    let alpha = fixture("find-links/alpha-1.0-py3-none-any.whl");
    let alpha_metadata = b"Metadata-Version: 2.1\nName: alpha\nVersion: 1.0\nRequires-Python: >=3.8\nRequires-Dist: beta>=1\n".to_vec();
    let alpha_url = files.url("/files/alpha-1.0-py3-none-any.whl");
    index.route(
        "/simple/alpha/",
        page(json_page(&[json_file(
            "alpha-1.0-py3-none-any.whl",
            &alpha_url,
            &alpha,
            &format!(
                r#", "core-metadata": {{"sha256": "{}"}}"#,
                sha(&alpha_metadata)
            ),
        )])),
    );
    files.route(
        "/files/alpha-1.0-py3-none-any.whl",
        Route::ok(WHEEL, alpha.clone()).with_ranges(),
    );
    files.route(
        "/files/alpha-1.0-py3-none-any.whl.metadata",
        Route::ok("binary/octet-stream", alpha_metadata.clone()),
    );
    // beta: an HTML page, no metadata files: range reads.
    let beta1 = fixture("find-links/beta-1.0-py3-none-any.whl");
    let beta2 = fixture("find-links/beta-2.0-py3-none-manylinux_2_28_x86_64.whl");
    let html = format!(
        "<!DOCTYPE html><html><body>\n\
         <a href=\"{}#sha256={}\" data-requires-python=\"&gt;=3.8\">beta-1.0-py3-none-any.whl</a>\n\
         <a href=\"{}#sha256={}\" data-yanked=\"\">beta-2.0-py3-none-manylinux_2_28_x86_64.whl</a>\n\
         </body></html>",
        files.url("/files/beta-1.0-py3-none-any.whl"),
        sha(&beta1),
        files.url("/files/beta-2.0-py3-none-manylinux_2_28_x86_64.whl"),
        sha(&beta2),
    );
    index.route("/simple/beta/", Route::ok("text/html; charset=utf-8", html));
    files.route(
        "/files/beta-1.0-py3-none-any.whl",
        Route::ok(WHEEL, beta1).with_ranges(),
    );
    files.route(
        "/files/beta-2.0-py3-none-manylinux_2_28_x86_64.whl",
        Route::ok(WHEEL, beta2).with_ranges(),
    );
    // delta: files beside the page; an unadvertised metadata file that is served.
    let delta = fixture("find-links/delta-1.0-py3-none-any.whl");
    index.route(
        "/simple/delta/",
        page(json_page(&[json_file(
            "delta-1.0-py3-none-any.whl",
            "../../files/delta-1.0-py3-none-any.whl",
            &delta,
            "",
        )])),
    );
    index.route(
        "/files/delta-1.0-py3-none-any.whl",
        Route::ok(WHEEL, delta).with_ranges(),
    );
    index.route(
        "/files/delta-1.0-py3-none-any.whl.metadata",
        Route::ok(
            "binary/octet-stream",
            "Metadata-Version: 2.1\nName: delta\nVersion: 1.0\nProvides-Extra: x\nRequires-Dist: alpha\n",
        ),
    );
    // epsilon: a static sdist; gamma: an sdist that needs a build.
    for (name, file) in [
        ("epsilon", "epsilon-1.0.tar.gz"),
        ("gamma", "gamma-2.0.tar.gz"),
    ] {
        let bytes = fixture(&format!("sdists/{file}"));
        let url = files.url(&format!("/files/{file}"));
        index.route(
            &format!("/simple/{name}/"),
            page(json_page(&[json_file(file, &url, &bytes, "")])),
        );
        files.route(
            &format!("/files/{file}"),
            Route::ok("application/gzip", bytes),
        );
    }
    Fixture {
        index,
        files,
        alpha_metadata,
    }
}

fn settings(offline: bool) -> Settings {
    Settings {
        retries: 1,
        backoff: Duration::from_millis(1),
        timeout: Duration::from_secs(5),
        offline,
        ..Settings::default()
    }
}

fn source(locations: Vec<Location>, cache: &Path, offline: bool) -> IndexSource {
    let client = HttpClient::new(
        settings(offline),
        Credentials::default(),
        Some(Cache::new(cache)),
    )
    .unwrap();
    IndexSource::new(locations, Some(Remote::new(Arc::new(client)))).unwrap()
}

fn index_of(server: &TestServer) -> Location {
    Location::Index(Url::parse(&server.url("/simple/")).unwrap())
}

fn known(m: Metadata) -> Arc<unilock_model::index::CoreMetadata> {
    match m {
        Metadata::Known(m) => m,
        Metadata::NeedsBuild(why) => panic!("needs a build: {why}"),
    }
}

#[test]
fn pages_in_json_and_html_and_every_way_to_metadata() {
    let f = fixture_servers();
    let cache = tempfile::tempdir().unwrap();
    let s = source(vec![index_of(&f.index)], cache.path(), false);

    let alpha = s.project("alpha").unwrap().unwrap();
    assert_eq!(alpha.index, f.index.url("/simple/"));
    assert_eq!(
        alpha.files.get(0).unwrap().url,
        f.files.url("/files/alpha-1.0-py3-none-any.whl")
    );
    let m = known(s.metadata(&alpha, &alpha.files.get(0).unwrap()).unwrap());
    assert_eq!(m.requires_dist, ["beta>=1"]);
    // The advertised metadata file was used; the wheel was never touched.
    assert!(
        f.files
            .seen_at("/files/alpha-1.0-py3-none-any.whl")
            .is_empty()
    );

    let beta = s.project("beta").unwrap().unwrap();
    assert_eq!(beta.files.len(), 2);
    assert_eq!(
        beta.files.get(0).unwrap().requires_python.as_deref(),
        Some(">=3.8")
    );
    assert_eq!(beta.files.get(1).unwrap().yanked.as_deref(), Some(""));
    let m = known(s.metadata(&beta, &beta.files.get(0).unwrap()).unwrap());
    assert_eq!((m.name.as_str(), m.version.as_str()), ("beta", "1.0"));
    // Tried the unadvertised metadata file (404), then read the wheel by ranges.
    assert_eq!(
        f.files
            .seen_at("/files/beta-1.0-py3-none-any.whl.metadata")
            .len(),
        1
    );
    let ranges = f.files.seen_at("/files/beta-1.0-py3-none-any.whl");
    assert!(!ranges.is_empty() && ranges.iter().all(|r| r.header("range").is_some()));
    // That host is not asked for unadvertised metadata files again.
    s.metadata(&beta, &beta.files.get(1).unwrap()).unwrap();
    assert!(
        f.files
            .seen_at("/files/beta-2.0-py3-none-manylinux_2_28_x86_64.whl.metadata")
            .is_empty()
    );

    let delta = s.project("delta").unwrap().unwrap();
    assert_eq!(
        delta.files.get(0).unwrap().url,
        f.index.url("/files/delta-1.0-py3-none-any.whl")
    );
    let m = known(s.metadata(&delta, &delta.files.get(0).unwrap()).unwrap());
    assert_eq!(m.provides_extra, ["x"]);
    assert!(
        f.index
            .seen_at("/files/delta-1.0-py3-none-any.whl")
            .is_empty()
    );

    let epsilon = s.project("epsilon").unwrap().unwrap();
    let m = known(
        s.metadata(&epsilon, &epsilon.files.get(0).unwrap())
            .unwrap(),
    );
    assert_eq!(m.requires_dist, ["gamma"]);
    let gamma = s.project("gamma").unwrap().unwrap();
    match s.metadata(&gamma, &gamma.files.get(0).unwrap()).unwrap() {
        Metadata::NeedsBuild(why) => assert!(why.contains("older than 2.2"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.project("nothing").unwrap(), None);
    // Every page request asked for JSON first.
    let accept = f.index.seen_at("/simple/beta/")[0]
        .header("accept")
        .unwrap_or("")
        .to_string();
    assert!(
        accept.starts_with("application/vnd.pypi.simple.v1+json"),
        "{accept}"
    );
}

#[test]
fn the_first_index_that_has_a_project_wins_and_find_links_add_files() {
    let f = fixture_servers();
    let private = TestServer::start();
    let beta = fixture("find-links/beta-1.0-py3-none-any.whl");
    private.route(
        "/simple/beta/",
        Route::ok(
            JSON,
            json_page(&[json_file("beta-1.0-py3-none-any.whl", "b.whl", &beta, "")]),
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let find_links = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/fixtures/find-links");
    let s = source(
        vec![
            index_of(&private),
            index_of(&f.index),
            Location::FindLinks(find_links),
        ],
        cache.path(),
        false,
    );
    let b = s.project("beta").unwrap().unwrap();
    assert_eq!(b.index, private.url("/simple/"));
    // One file from the private index, two from find-links; none from the later index.
    assert_eq!(b.files.len(), 3);
    assert!(f.index.seen_at("/simple/beta/").is_empty());
    let a = s.project("alpha").unwrap().unwrap();
    assert_eq!(a.index, f.index.url("/simple/"));
    assert_eq!(private.seen_at("/simple/alpha/").len(), 1);
}

#[test]
fn prefetch_fetches_the_page_and_the_likely_metadata_in_the_background() {
    let f = fixture_servers();
    let cache = tempfile::tempdir().unwrap();
    let s = source(vec![index_of(&f.index)], cache.path(), false);
    s.prefetch("alpha");
    let path = "/files/alpha-1.0-py3-none-any.whl.metadata";
    let start = Instant::now();
    while f.files.seen_at(path).is_empty() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(f.index.seen_at("/simple/alpha/").len(), 1);
    assert_eq!(f.files.seen_at(path).len(), 1);
    let alpha = s.project("alpha").unwrap().unwrap();
    s.metadata(&alpha, &alpha.files.get(0).unwrap()).unwrap();
    assert_eq!(f.index.seen_at("/simple/alpha/").len(), 1);
    assert_eq!(f.files.seen_at(path).len(), 1);
}

/// A likely sdist whose metadata needs a build (gamma) goes to the build-ahead hook; what the
/// hook learns and hands to the prefetcher (a dependency on alpha) is fetched ahead in turn.
#[test]
fn a_likely_sdist_that_needs_a_build_goes_to_the_build_ahead_hook() {
    let f = fixture_servers();
    let cache = tempfile::tempdir().unwrap();
    let s = source(vec![index_of(&f.index)], cache.path(), false);
    let (tx, rx) = std::sync::mpsc::channel::<(String, String)>();
    let tx = Mutex::new(tx);
    s.build_ahead(Some(Arc::new(move |ahead: Ahead| {
        // What a build would have learnt.
        let built = unilock_model::index::CoreMetadata {
            name: "gamma".into(),
            version: "2.0".into(),
            requires_dist: vec!["alpha>=1".into()],
            ..Default::default()
        };
        ahead.then.dependencies(&built);
        let _ = lock(&tx).send((ahead.project, ahead.file.filename));
    })));
    s.prefetch("gamma");
    let handed = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the hook is called");
    assert_eq!(
        handed,
        ("gamma".to_string(), "gamma-2.0.tar.gz".to_string())
    );
    let start = Instant::now();
    while f.index.seen_at("/simple/alpha/").is_empty() && start.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(f.index.seen_at("/simple/alpha/").len(), 1);
    // Without a hook nothing is built and the chain stops at the sdist.
    let s = source(vec![index_of(&f.index)], cache.path(), false);
    f.index.forget();
    s.prefetch("gamma");
    std::thread::sleep(Duration::from_millis(300));
    assert!(f.index.seen_at("/simple/alpha/").is_empty());
}

#[test]
fn offline_answers_from_the_cache_and_names_what_is_missing() {
    let f = fixture_servers();
    let cache = tempfile::tempdir().unwrap();
    {
        let s = source(vec![index_of(&f.index)], cache.path(), false);
        for name in ["alpha", "beta", "epsilon"] {
            let p = s.project(name).unwrap().unwrap();
            s.metadata(&p, &p.files.get(0).unwrap()).unwrap();
        }
    }
    f.index.forget();
    f.files.forget();
    let s = source(vec![index_of(&f.index)], cache.path(), true);
    for name in ["alpha", "beta", "epsilon"] {
        let p = s.project(name).unwrap().unwrap();
        s.metadata(&p, &p.files.get(0).unwrap()).unwrap();
    }
    assert!(f.index.seen().is_empty() && f.files.seen().is_empty());
    let err = s.project("delta").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Registry);
    let text = err.render();
    assert!(
        text.contains("--offline") && text.contains(&f.index.url("/simple/delta/")),
        "{text}"
    );
    let beta = s.project("beta").unwrap().unwrap();
    let err = s
        .metadata(&beta, &beta.files.get(1).unwrap())
        .unwrap_err()
        .render();
    assert!(
        err.contains("beta-2.0-py3-none-manylinux_2_28_x86_64.whl") && err.contains("(beta)"),
        "{err}"
    );
}

#[test]
fn a_metadata_file_that_does_not_match_its_hash_is_an_error_and_is_not_kept() {
    let f = fixture_servers();
    f.files.route(
        "/files/alpha-1.0-py3-none-any.whl.metadata",
        Route::ok(
            "binary/octet-stream",
            "Metadata-Version: 2.1\nName: alpha\nVersion: 1.0\nRequires-Dist: evil\n",
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let s = source(vec![index_of(&f.index)], cache.path(), false);
    let alpha = s.project("alpha").unwrap().unwrap();
    let err = s
        .metadata(&alpha, &alpha.files.get(0).unwrap())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Registry);
    let text = err.render();
    assert!(
        text.contains("alpha-1.0-py3-none-any.whl.metadata") && text.contains("sha256"),
        "{text}"
    );
    // Nothing was kept: offline, the metadata is missing.
    let offline = source(vec![index_of(&f.index)], cache.path(), true);
    let alpha = offline.project("alpha").unwrap().unwrap();
    assert!(
        offline
            .metadata(&alpha, &alpha.files.get(0).unwrap())
            .is_err()
    );
    // With the right file served, the same cache works.
    f.files.route(
        "/files/alpha-1.0-py3-none-any.whl.metadata",
        Route::ok("binary/octet-stream", f.alpha_metadata.clone()),
    );
    let s = source(vec![index_of(&f.index)], cache.path(), false);
    let alpha = s.project("alpha").unwrap().unwrap();
    assert!(s.metadata(&alpha, &alpha.files.get(0).unwrap()).is_ok());
}

#[test]
fn a_find_links_page_lists_files_for_every_project() {
    let f = fixture_servers();
    let links = format!(
        "<html><body><a href=\"{}\">gamma-1.0-py3-none-any.whl</a><a href=\"{}\">x</a></body></html>",
        f.files.url("/files/gamma-1.0-py3-none-any.whl"),
        f.files.url("/files/beta-1.0-py3-none-any.whl"),
    );
    f.index.route("/links/", Route::ok("text/html", links));
    let cache = tempfile::tempdir().unwrap();
    let s = source(
        vec![Location::FindLinksPage(
            Url::parse(&f.index.url("/links/")).unwrap(),
        )],
        cache.path(),
        false,
    );
    assert_eq!(s.project("gamma").unwrap().unwrap().files.len(), 1);
    assert_eq!(s.project("beta").unwrap().unwrap().files.len(), 1);
    assert_eq!(s.project("alpha").unwrap(), None);
    assert_eq!(f.index.seen_at("/links/").len(), 1);
}

#[test]
fn a_page_of_an_unknown_kind_is_refused_naming_its_type() {
    let server = TestServer::start();
    server.route("/simple/x/", Route::ok("application/pdf", "%PDF"));
    let cache = tempfile::tempdir().unwrap();
    let s = source(vec![index_of(&server)], cache.path(), false);
    let err = s.project("x").unwrap_err().render();
    assert!(
        err.contains("application/pdf") && err.contains("/simple/x/"),
        "{err}"
    );
}

#[test]
fn the_default_likely_file_is_the_newest_stable_version() {
    let file = |name: &str, yanked: bool| DistFile {
        filename: name.into(),
        yanked: yanked.then(String::new),
        ..DistFile::default()
    };
    let p = ProjectFiles {
        files: vec![
            file("a-1.0.tar.gz", false),
            file("a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", false),
            file("a-1.0-py3-none-any.whl", false),
            file("a-2.0rc1-py3-none-any.whl", false),
            file("a-1.5-py3-none-any.whl", true),
        ]
        .into(),
        ..ProjectFiles::default()
    };
    assert_eq!(newest_files(&p), [2]);
}

/// The one file under `dir` (recursively).
fn only_file(dir: &Path) -> std::path::PathBuf {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                found.push(p);
            }
        }
    }
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

#[test]
fn a_page_is_parsed_once_and_its_packed_files_follow_the_page() {
    let index = TestServer::start();
    let ab = "ab".repeat(32);
    let file = |v: &str| {
        format!(
            r#"{{"filename": "alpha-{v}-py3-none-any.whl", "url": "https://files.example/alpha-{v}-py3-none-any.whl", "hashes": {{"sha256": "{ab}"}}, "requires-python": ">=3.8"}}"#
        )
    };
    // Stale at once: every online run revalidates, and with no validator, fetches it whole.
    let page =
        |files: &[String]| Route::ok(JSON, json_page(files)).header("Cache-Control", "max-age=0");
    index.route("/simple/alpha/", page(&[file("1.0")]));
    let cache = tempfile::tempdir().unwrap();
    let names = |offline: bool| -> Vec<String> {
        let s = source(vec![index_of(&index)], cache.path(), offline);
        let p = s.project("alpha").unwrap().unwrap();
        p.files.iter().map(|f| f.into_owned().filename).collect()
    };
    assert_eq!(names(false), ["alpha-1.0-py3-none-any.whl"]);
    let packed = only_file(&cache.path().join("pages-v1"));
    let first = std::fs::read(&packed).unwrap();

    // Offline, the packed files answer: the page itself is not read (its body is cut short,
    // which would make it unusable).
    let http = only_file(&cache.path().join("http-v1"));
    let whole = std::fs::read(&http).unwrap();
    std::fs::write(&http, &whole[..whole.len() - 1]).unwrap();
    assert_eq!(names(true), ["alpha-1.0-py3-none-any.whl"]);
    std::fs::write(&http, &whole).unwrap();

    // The page changes: the new page is parsed and packed.
    index.route("/simple/alpha/", page(&[file("1.0"), file("2.0")]));
    assert_eq!(names(false).len(), 2);
    assert_eq!(names(true).len(), 2);
    // Files packed from another response of the same URL are not used.
    std::fs::write(&packed, &first).unwrap();
    assert_eq!(names(true).len(), 2);
    // Nor are damaged ones.
    let mut damaged = std::fs::read(&packed).unwrap();
    let at = damaged.len() / 2;
    damaged.truncate(at);
    std::fs::write(&packed, &damaged).unwrap();
    assert_eq!(names(true).len(), 2);

    // Revalidated with a 304, the page keeps its packed files: they are not packed again.
    index.route(
        "/simple/alpha/",
        page(&[file("1.0"), file("2.0")]).with_etag("\"v2\""),
    );
    assert_eq!(names(false).len(), 2);
    let packed = only_file(&cache.path().join("pages-v1"));
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
    let before = inode(&packed);
    index.forget();
    assert_eq!(names(false).len(), 2);
    assert_eq!(index.seen().len(), 1, "one revalidation");
    assert_eq!(inode(&packed), before);

    // A response stored before bodies had ids is given one, and then packed.
    let c = Cache::new(cache.path());
    let key = format!("{}\n{}", index.url("/simple/alpha/"), crate::remote::ACCEPT);
    let mut entry = c.read_http(&key).unwrap();
    entry.id.clear();
    c.write_http(&key, &entry).unwrap();
    std::fs::remove_file(&packed).unwrap();
    assert_eq!(names(true).len(), 2);
    let (_, id) = c.read_http_head(&key).unwrap();
    assert!(!id.is_empty());
    assert!(c.read_derived("pages-v1", &key, &id).is_some());
}
