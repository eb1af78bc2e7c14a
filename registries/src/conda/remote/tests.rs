//! Channels served by the loopback test server ([`crate::testing`]): the shared snapshot
//! `conda-forge-mamba-numpy-subset` as `repodata.json.zst` (compressed here) or as plain
//! `repodata.json`, through the real client and cache.

use crate::cache::Cache;
use crate::conda::{ChannelSpec, CondaChannels};
use crate::http::auth::Credentials;
use crate::http::{HttpClient, Settings};
use crate::testing::{Fault, Route, TestServer, shared};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use unilock_model::ErrorKind;
use unilock_model::channel::{ChannelPriority, CondaSource};

const ZST: &str = "/cf/linux-64/repodata.json.zst";
const PLAIN: &str = "/cf/linux-64/repodata.json";
const NOARCH_ZST: &str = "/cf/noarch/repodata.json.zst";
const NOARCH_PLAIN: &str = "/cf/noarch/repodata.json";

/// The shared snapshot's linux-64 repodata, when ../shared is there.
fn snapshot() -> Option<Vec<u8>> {
    let dir = shared("conda-channels/conda-forge-mamba-numpy-subset")?;
    Some(std::fs::read(dir.join("linux-64/repodata.json")).unwrap())
}

fn settings(offline: bool) -> Settings {
    Settings {
        retries: 2,
        backoff: Duration::from_millis(1),
        timeout: Duration::from_secs(5),
        offline,
        ..Settings::default()
    }
}

fn client(cache: &Path, offline: bool, credentials: Credentials) -> Arc<HttpClient> {
    Arc::new(HttpClient::new(settings(offline), credentials, Some(Cache::new(cache))).unwrap())
}

/// The channel at `url`, read through a client on `cache`.
fn channels(url: &str, cache: &Path, offline: bool) -> CondaChannels {
    let channels = CondaChannels::new(
        vec![ChannelSpec::at(url, "environment.yml:2:5")],
        None,
        ChannelPriority::Strict,
    )
    .unwrap();
    let credentials = channels.credentials().clone();
    channels
        .with_client(client(cache, offline, credentials))
        .unwrap()
}

fn numpy_versions(channels: &CondaChannels) -> Vec<String> {
    let records = channels.records("linux-64", "numpy").unwrap();
    let mut versions: Vec<String> = records
        .iter()
        .map(|r| r.record.package_record.version.to_string())
        .collect();
    versions.sort();
    versions.dedup();
    versions
}

#[test]
fn the_zst_file_is_fetched_once_and_then_revalidated() {
    let Some(json) = snapshot() else { return };
    let server = TestServer::start();
    let zst = zstd::encode_all(&json[..], 3).unwrap();
    server.route(
        ZST,
        Route::ok("application/octet-stream", zst)
            .with_etag("\"r1\"")
            .header("Cache-Control", "max-age=0"),
    );
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/cf/");

    let cold = channels(&url, cache.path(), false);
    let versions = numpy_versions(&cold);
    assert!(!versions.is_empty());
    let records = cold.records("linux-64", "numpy").unwrap();
    let first = &records[0].record;
    assert!(
        first.url.as_str().starts_with(&server.url("/cf/linux-64/")),
        "{}",
        first.url
    );
    // The .zst was there: the plain file is never asked for; noarch is missing (fine).
    assert_eq!(server.seen_at(ZST).len(), 1);
    assert_eq!(server.seen_at(PLAIN).len(), 0);
    assert_eq!(server.seen_at(NOARCH_ZST).len(), 1);
    assert_eq!(server.seen_at(NOARCH_PLAIN).len(), 1);
    assert_eq!(cold.indexes_from_cache(), 0);

    // A warm run asks whether it changed, gets 304, and reads the same records through the
    // index the cold run kept (the JSON is not scanned again).
    server.forget();
    let warm = channels(&url, cache.path(), false);
    assert_eq!(numpy_versions(&warm), versions);
    assert_eq!(warm.indexes_from_cache(), 1);
    assert_eq!(
        warm.record_counts("linux-64").unwrap(),
        cold.record_counts("linux-64").unwrap()
    );
    let seen = server.seen_at(ZST);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("if-none-match"), Some("\"r1\""));
    assert_eq!(server.seen_at(PLAIN).len(), 0);
}

#[test]
fn files_the_server_does_not_have_are_not_asked_for_again_the_next_day() {
    let Some(json) = snapshot() else { return };
    let server = TestServer::start();
    server.route(
        PLAIN,
        Route::ok("application/json", json)
            .with_etag("\"p1\"")
            .header("Cache-Control", "max-age=0"),
    );
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/cf/");
    let cold = channels(&url, cache.path(), false);
    assert!(!numpy_versions(&cold).is_empty());
    let shard_index = "/cf/linux-64/repodata_shards.msgpack.zst";
    for path in [shard_index, ZST, PLAIN, NOARCH_ZST, NOARCH_PLAIN] {
        assert_eq!(server.seen_at(path).len(), 1, "{path}");
    }
    // The next run asks only whether the repodata changed: the shard index, the .zst and
    // noarch the server said it has not are not asked for again.
    server.forget();
    let warm = channels(&url, cache.path(), false);
    assert!(!numpy_versions(&warm).is_empty());
    let asked: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(asked, [PLAIN], "{asked:?}");
}

#[test]
fn a_fresh_repodata_is_not_fetched_again_and_offline_reads_the_cache() {
    let Some(json) = snapshot() else { return };
    let server = TestServer::start();
    // No .zst on this server: the plain file after the 404.
    server.route(
        PLAIN,
        Route::ok("application/json", json).header("Cache-Control", "max-age=600"),
    );
    server.route(
        NOARCH_ZST,
        Route::ok(
            "application/octet-stream",
            zstd::encode_all(&b"{}"[..], 3).unwrap(),
        )
        .header("Cache-Control", "max-age=600"),
    );
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/cf/");
    let versions = numpy_versions(&channels(&url, cache.path(), false));
    assert!(!versions.is_empty());
    assert_eq!(server.seen_at(ZST).len(), 1);
    assert_eq!(server.seen_at(PLAIN).len(), 1);

    // Fresh: only the .zst (whose 404 carried no freshness) is asked again.
    server.forget();
    assert_eq!(
        numpy_versions(&channels(&url, cache.path(), false)),
        versions
    );
    assert_eq!(server.seen_at(PLAIN).len(), 0);
    assert_eq!(server.seen_at(NOARCH_ZST).len(), 0);

    // Offline: the cache alone, nothing asked.
    server.forget();
    assert_eq!(
        numpy_versions(&channels(&url, cache.path(), true)),
        versions
    );
    assert!(server.seen().is_empty(), "{:?}", server.seen());
}

#[test]
fn offline_without_the_files_in_the_cache_names_what_is_missing() {
    let server = TestServer::start();
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/cf/");
    let err = channels(&url, cache.path(), true)
        .records("linux-64", "numpy")
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Registry);
    let message = err.message();
    assert!(message.contains(&server.url(ZST)), "{message}");
    assert!(message.contains(&server.url(PLAIN)), "{message}");
    assert!(message.contains("--offline"), "{message}");
    assert!(server.seen().is_empty());
}

#[test]
fn a_server_error_is_retried_then_named_with_its_url() {
    let Some(json) = snapshot() else { return };
    let server = TestServer::start();
    let zst = zstd::encode_all(&json[..], 3).unwrap();
    // Two failures, then the answer: retried, and read.
    server.route(
        ZST,
        Route::ok("application/octet-stream", zst.clone()).with_faults([Fault::Status(500); 2]),
    );
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/cf/");
    assert!(!numpy_versions(&channels(&url, cache.path(), false)).is_empty());
    assert_eq!(server.seen_at(ZST).len(), 3);

    // Failing every attempt: an error naming the channel, the URL and the attempts.
    let other = TestServer::start();
    other.route(
        ZST,
        Route::ok("application/octet-stream", zst).with_faults([Fault::Status(500); 3]),
    );
    let err = channels(&other.url("/cf/"), cache.path(), false)
        .records("linux-64", "numpy")
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Registry);
    let message = err.message();
    assert!(message.contains(&other.url(ZST)), "{message}");
    assert!(message.contains("500"), "{message}");
    assert!(message.contains("3 attempts"), "{message}");
    assert!(
        message.contains(&format!("channel {} cannot be read", other.url("/cf/"))),
        "{message}"
    );
}

#[test]
fn a_channel_without_the_subdir_nor_noarch_is_an_error_naming_it() {
    let server = TestServer::start();
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/cf/");
    let err = channels(&url, cache.path(), false)
        .records("linux-64", "numpy")
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Registry);
    let message = err.message();
    assert!(
        message.contains("has no repodata for linux-64"),
        "{message}"
    );
    assert!(message.contains(&server.url(PLAIN)), "{message}");
    assert!(message.contains(&server.url(NOARCH_PLAIN)), "{message}");
}

#[test]
fn repodata_past_the_limit_is_refused_naming_the_variable() {
    let Some(json) = snapshot() else { return };
    let server = TestServer::start();
    server.route(PLAIN, Route::ok("application/json", json.clone()));
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/cf/");
    let err = channels(&url, cache.path(), false)
        .with_max_repodata_bytes(1000)
        .records("linux-64", "numpy")
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Registry);
    assert!(
        err.message().contains("UNILOCK_MAX_REPODATA_BYTES"),
        "{}",
        err.message()
    );
    // Compressed, it is small; decompressed, it is held to the limit all the same.
    let zst = TestServer::start();
    zst.route(
        ZST,
        Route::ok(
            "application/octet-stream",
            zstd::encode_all(&json[..], 19).unwrap(),
        ),
    );
    let limit = (json.len() / 2) as u64;
    let err = channels(&zst.url("/cf/"), cache.path(), false)
        .with_max_repodata_bytes(limit)
        .records("linux-64", "numpy")
        .err()
        .unwrap();
    assert!(
        err.message().contains("UNILOCK_MAX_REPODATA_BYTES"),
        "{}",
        err.message()
    );
}

#[test]
fn credentials_in_the_channel_url_go_to_its_host_only_and_are_never_shown() {
    let Some(json) = snapshot() else { return };
    let private = TestServer::start();
    let public = TestServer::start_on("127.0.0.2");
    // base64("alice:t0ken-s3cret")
    let basic = "Basic YWxpY2U6dDBrZW4tczNjcmV0";
    let zst = zstd::encode_all(&json[..], 3).unwrap();
    private.route(
        ZST,
        Route::ok("application/octet-stream", zst.clone()).with_auth(basic),
    );
    public.route(ZST, Route::ok("application/octet-stream", zst));
    let with_token = private
        .url("/cf/")
        .replace("http://", "http://alice:t0ken-s3cret@");
    let cache = tempfile::tempdir().unwrap();
    let channels = CondaChannels::new(
        vec![
            ChannelSpec::at(&with_token, "--channel"),
            ChannelSpec::at(public.url("/cf/"), "--channel"),
        ],
        None,
        ChannelPriority::Flexible,
    )
    .unwrap();
    for url in channels.urls() {
        assert!(!url.as_str().contains("t0ken"), "{url}");
    }
    let credentials = channels.credentials().clone();
    let channels = channels
        .with_client(client(cache.path(), false, credentials))
        .unwrap();
    let records = channels.records("linux-64", "numpy").unwrap();
    assert!(records.iter().any(|r| r.channel_rank == 0));
    assert!(records.iter().any(|r| r.channel_rank == 1));
    for r in records.iter() {
        let shown = format!("{:?} {:?}", r.record.url, r.record.channel);
        assert!(
            !shown.contains("t0ken") && !shown.contains("alice"),
            "{shown}"
        );
    }
    assert!(
        private
            .seen()
            .iter()
            .all(|s| s.header("authorization") == Some(basic))
    );
    assert!(
        public
            .seen()
            .iter()
            .all(|s| s.header("authorization").is_none())
    );

    // A message about the channel shows it without its credentials.
    let failing = TestServer::start();
    let with_token = failing
        .url("/cf/")
        .replace("http://", "http://alice:t0ken-s3cret@");
    let err = self::channels(&with_token, cache.path(), false)
        .records("linux-64", "numpy")
        .err()
        .unwrap();
    assert!(!err.message().contains("t0ken"), "{}", err.message());
    assert!(
        err.message().contains("has no repodata"),
        "{}",
        err.message()
    );
    assert!(
        failing
            .seen()
            .iter()
            .all(|s| s.header("authorization").is_some())
    );
}

#[test]
fn a_changed_repodata_is_indexed_again() {
    let Some(json) = snapshot() else { return };
    let server = TestServer::start();
    server.route(
        PLAIN,
        Route::ok("application/json", json.clone()).header("Cache-Control", "max-age=0"),
    );
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/cf/");
    let numpy = |c: &CondaChannels| c.records("linux-64", "numpy").unwrap().len();
    let before = numpy(&channels(&url, cache.path(), false));
    // The channel drops numpy: the new body gets its own index, without it.
    let mut repodata: serde_json::Value = serde_json::from_slice(&json).unwrap();
    for key in ["packages", "packages.conda"] {
        if let Some(map) = repodata[key].as_object_mut() {
            map.retain(|_, r| r["name"] != "numpy");
        }
    }
    server.route(
        PLAIN,
        Route::ok("application/json", serde_json::to_vec(&repodata).unwrap())
            .header("Cache-Control", "max-age=0"),
    );
    let after = channels(&url, cache.path(), false);
    assert_eq!(after.indexes_from_cache(), 0);
    assert_eq!(numpy(&after), 0);
    assert!(before > 0);
}

/// Prints what a cold run, a revalidated warm run, an offline run and a warm run without the
/// kept index cost for a channel of some 37 MB of repodata (the shared conda-forge linux-64
/// records eight times over, under made-up names), served as `repodata.json.zst`.
/// `cargo test -p unilock-registries --lib remote_repodata_runs_figures -- --nocapture`
#[test]
fn remote_repodata_runs_figures() {
    let Some(union) = shared("conda-channels/lockfile-union/conda-forge") else {
        return;
    };
    let text = std::fs::read(union.join("linux-64/repodata.json")).unwrap();
    let mut big: serde_json::Value = serde_json::from_slice(&text).unwrap();
    for key in ["packages", "packages.conda"] {
        let Some(map) = big[key].as_object().cloned() else {
            continue;
        };
        let target = big[key].as_object_mut().unwrap();
        for copy in 1..8 {
            for (file, record) in &map {
                let mut record = record.clone();
                let name = format!("{}-copy{copy}", record["name"].as_str().unwrap());
                let renamed = file.replacen(record["name"].as_str().unwrap(), &name, 1);
                record["name"] = serde_json::json!(name);
                target.insert(renamed, record);
            }
        }
    }
    let json = serde_json::to_vec(&big).unwrap();
    let zst = zstd::encode_all(&json[..], 3).unwrap();
    let server = TestServer::start();
    server.route(
        ZST,
        Route::ok("application/octet-stream", zst.clone())
            .with_etag("\"big\"")
            .header("Cache-Control", "max-age=0"),
    );
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/cf/");
    let names = [
        "python",
        "numpy",
        "openssl",
        "libzlib",
        "ca-certificates",
        "pip",
        "setuptools",
        "libgcc-ng",
        "ncurses",
        "readline",
        "tk",
        "xz",
        "bzip2",
        "sqlite",
        "libffi",
    ];
    let run = |offline: bool| {
        let started = std::time::Instant::now();
        let channels = channels(&url, cache.path(), offline);
        let mut found = 0;
        for name in names {
            found += channels.records("linux-64", name).unwrap().len();
        }
        (started.elapsed(), found, channels.indexes_from_cache())
    };
    let (cold, found, _) = run(false);
    let (warm, again, from_cache) = run(false);
    assert_eq!((again, from_cache), (found, 1));
    let (offline, again, from_cache) = run(true);
    assert_eq!((again, from_cache), (found, 1));
    std::fs::remove_dir_all(cache.path().join(super::INDEX)).unwrap();
    let (unindexed, again, from_cache) = run(false);
    assert_eq!((again, from_cache), (found, 0));
    // Where a warm run's time goes: decompressing, and indexing by scanning the JSON or
    // reading the kept index.
    let started = std::time::Instant::now();
    let text = zstd::decode_all(&zst[..]).unwrap();
    let decompress = started.elapsed();
    let channel = url::Url::parse(&url).unwrap();
    let started = std::time::Instant::now();
    let (made, _) = super::super::repodata::Repodata::index(
        super::super::repodata::Text::Owned(text.clone()),
        "f".into(),
        "linux-64",
        &channel,
        url.clone(),
    )
    .unwrap();
    let scan = started.elapsed();
    let packed = made.pack(None);
    let started = std::time::Instant::now();
    let _ = super::super::repodata::Repodata::unpack(
        super::super::repodata::Text::Owned(text),
        &packed,
        "f".into(),
        "linux-64",
        url.clone(),
    )
    .ok()
    .unwrap();
    let unpack = started.elapsed();
    println!(
        "remote repodata {:.1} MB ({:.1} MB as .zst), {} names ({found} records): cold {:.0} ms, \
         warm (304, kept index) {:.0} ms, offline {:.0} ms, warm without the kept index {:.0} ms; \
         decompress {:.0} ms, scan the JSON {:.0} ms, read the kept index ({:.1} MB) {:.0} ms",
        json.len() as f64 / 1e6,
        zst.len() as f64 / 1e6,
        names.len(),
        cold.as_secs_f64() * 1e3,
        warm.as_secs_f64() * 1e3,
        offline.as_secs_f64() * 1e3,
        unindexed.as_secs_f64() * 1e3,
        decompress.as_secs_f64() * 1e3,
        scan.as_secs_f64() * 1e3,
        packed.len() as f64 / 1e6,
        unpack.as_secs_f64() * 1e3,
    );
}
