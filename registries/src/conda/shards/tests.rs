//! Sharded channels served by the loopback test server: shards built from the shared snapshot
//! `conda-forge-subchannel-py39` (linux-64 and noarch), read through the real client and
//! cache, against the same snapshot served as `repodata.json`.

use crate::cache::Cache;
use crate::conda::{ChannelSpec, CondaChannels};
use crate::http::{HttpClient, Settings};
use crate::testing::{Route, ServedShards, ShardHash, TestServer, serve_shards, shared};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use unilock_model::ErrorKind;
use unilock_model::channel::{ChannelPriority, CondaSource};

/// Names a python=3.9 solve reaches on linux-64 (pip, certifi, setuptools, wheel are noarch
/// too).
const ASKED: [&str; 14] = [
    "python",
    "openssl",
    "pip",
    "ncurses",
    "certifi",
    "libzlib",
    "xz",
    "tk",
    "readline",
    "setuptools",
    "wheel",
    "libffi",
    "sqlite",
    "bzip2",
];

fn snapshot(subdir: &str) -> Option<Vec<u8>> {
    let dir = shared("conda-channels/conda-forge-subchannel-py39")?;
    Some(std::fs::read(dir.join(subdir).join("repodata.json")).unwrap())
}

fn channels(url: &str, cache: &Path, offline: bool) -> CondaChannels {
    let channels = CondaChannels::new(
        vec![ChannelSpec::at(url, "environment.yml:2:5")],
        None,
        ChannelPriority::Strict,
    )
    .unwrap();
    let settings = Settings {
        retries: 1,
        backoff: Duration::from_millis(1),
        timeout: Duration::from_secs(5),
        offline,
        ..Settings::default()
    };
    let client = HttpClient::new(settings, Default::default(), Some(Cache::new(cache))).unwrap();
    channels.with_client(Arc::new(client)).unwrap()
}

/// The snapshot served twice on one server: as `repodata.json` under `/cf/` and as shards
/// under `/sh/` whose index names `/cf/<subdir>/` as `base_url` (so both give the same URLs).
fn serve(hash: ShardHash) -> Option<(TestServer, Vec<ServedShards>)> {
    let server = TestServer::start();
    let mut served = Vec::new();
    for subdir in ["linux-64", "noarch"] {
        let json = snapshot(subdir)?;
        server.route(
            &format!("/cf/{subdir}/repodata.json"),
            Route::ok("application/json", json.clone()),
        );
        let base = server.url(&format!("/cf/{subdir}/"));
        served.push(serve_shards(
            &server,
            "/sh/",
            subdir,
            &json,
            Some(&base),
            hash,
            "\"i1\"",
        ));
    }
    Some((server, served))
}

/// Every record of the names asked, as comparable text (file name, URL, the record), sorted;
/// the channel is left out (it is the URL each was read from).
fn records(channels: &CondaChannels, names: &[&str]) -> Vec<String> {
    let mut all = Vec::new();
    for name in names {
        for r in channels.records("linux-64", name).unwrap().iter() {
            all.push(format!(
                "{} {} {}",
                r.record.identifier.to_file_name(),
                r.record.url,
                serde_json::to_string(&r.record.package_record).unwrap()
            ));
        }
    }
    all.sort();
    all
}

/// The paths of the requests the server saw under `prefix`.
fn paths(server: &TestServer, prefix: &str) -> Vec<String> {
    let mut paths: Vec<String> = server
        .seen()
        .into_iter()
        .map(|s| s.path)
        .filter(|p| p.starts_with(prefix))
        .collect();
    paths.sort();
    paths
}

#[test]
fn only_the_shards_of_the_names_asked_are_fetched_and_read_as_repodata_json_reads() {
    let Some((server, served)) = serve(ShardHash::Compressed) else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let sharded = channels(&server.url("/sh/"), cache.path(), false);
    let from_shards = records(&sharded, &ASKED);
    let plain_cache = tempfile::tempdir().unwrap();
    let from_json = records(
        &channels(&server.url("/cf/"), plain_cache.path(), false),
        &ASKED,
    );
    assert!(from_json.len() > 500, "{}", from_json.len());
    assert_eq!(from_shards, from_json);
    assert!(sharded.warnings().is_empty(), "{:?}", sharded.warnings());

    // The two indexes, and each asked name's shard of each subdir that has it, once.
    let mut expected: Vec<String> = served.iter().map(|s| s.index.clone()).collect();
    for shards in &served {
        for name in ASKED {
            if let Some((path, _)) = shards.shards.get(name) {
                expected.push(path.clone());
            }
        }
    }
    expected.sort();
    assert!(
        expected.len() > ASKED.len() + 2,
        "noarch shards are asked too"
    );
    assert_eq!(paths(&server, "/sh/"), expected);
    let listed: usize = served.iter().map(|s| s.shards.len()).sum();
    assert!(
        listed > expected.len() + 40,
        "{listed} shards, most not fetched"
    );

    // Warm: the indexes are revalidated (304), no shard is asked for again.
    server.forget();
    let warm = channels(&server.url("/sh/"), cache.path(), false);
    assert_eq!(records(&warm, &ASKED), from_json);
    let seen = paths(&server, "/sh/");
    assert_eq!(
        seen,
        served.iter().map(|s| s.index.clone()).collect::<Vec<_>>()
    );
    for index in &served {
        let seen = server.seen_at(&index.index);
        assert_eq!(seen[0].header("if-none-match"), Some("\"i1\""));
    }

    // Offline: the cache alone, nothing asked.
    server.forget();
    let offline = channels(&server.url("/sh/"), cache.path(), true);
    assert_eq!(records(&offline, &ASKED), from_json);
    assert!(server.seen().is_empty(), "{:?}", server.seen());

    // Offline, a name whose shard was never fetched is an error naming it.
    let err = offline.records("linux-64", "xorg-libx11").err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Registry);
    let message = err.message();
    assert!(
        message.contains(&server.url(&served[0].shards["xorg-libx11"].0)),
        "{message}"
    );
    assert!(message.contains("--offline"), "{message}");
}

#[test]
fn shards_named_by_the_hash_of_their_msgpack_are_read_too() {
    let Some((server, _)) = serve(ShardHash::Packed) else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let from_shards = records(&channels(&server.url("/sh/"), cache.path(), false), &ASKED);
    let plain = tempfile::tempdir().unwrap();
    let from_json = records(&channels(&server.url("/cf/"), plain.path(), false), &ASKED);
    assert!(!from_json.is_empty());
    assert_eq!(from_shards, from_json);
}

#[test]
fn a_damaged_shard_is_refused_naming_its_url_and_not_kept() {
    let Some((server, served)) = serve(ShardHash::Compressed) else {
        return;
    };
    let (python, good) = served[0].shards["python"].clone();
    // Another name's shard under python's hash: valid, but not the shard the index names.
    let other = served[0].shards["openssl"].1.clone();
    server.route(&python, Route::ok("application/octet-stream", other));
    let cache = tempfile::tempdir().unwrap();
    let err = channels(&server.url("/sh/"), cache.path(), false)
        .records("linux-64", "python")
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Registry);
    let message = err.message();
    assert!(message.contains(&server.url(&python)), "{message}");
    assert!(message.contains("damaged"), "{message}");
    assert!(
        message.contains(&format!("channel {} cannot be read", server.url("/sh/"))),
        "{message}"
    );

    // Bytes that are not even zstd: damaged all the same.
    server.route(
        &python,
        Route::ok("application/octet-stream", b"not a shard".to_vec()),
    );
    let err = channels(&server.url("/sh/"), cache.path(), false)
        .records("linux-64", "python")
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Registry);
    assert!(err.message().contains("damaged"), "{}", err.message());

    // Nothing damaged was kept: once the server has the right shard, it is fetched and read.
    server.route(&python, Route::ok("application/octet-stream", good));
    server.forget();
    let fixed = channels(&server.url("/sh/"), cache.path(), false);
    assert!(!fixed.records("linux-64", "python").unwrap().is_empty());
    assert_eq!(server.seen_at(&python).len(), 1);
}

#[test]
fn a_channel_without_a_shard_index_is_read_from_its_repodata_json() {
    let Some((server, _)) = serve(ShardHash::Compressed) else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let plain = channels(&server.url("/cf/"), cache.path(), false);
    assert!(!plain.records("linux-64", "python").unwrap().is_empty());
    let index = "/cf/linux-64/repodata_shards.msgpack.zst";
    assert_eq!(server.seen_at(index).len(), 1);
    assert_eq!(server.seen_at("/cf/linux-64/repodata.json").len(), 1);
    // The whole file was read: every record is counted (a sharded subdir counts only the
    // shards it read).
    assert!(plain.record_counts("linux-64").unwrap()[0] > 2000);
}

#[test]
fn a_record_that_cannot_be_read_is_skipped_and_null_lists_read_as_empty() {
    let Some(json) = snapshot("linux-64") else {
        return;
    };
    let mut repodata: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let conda = repodata["packages.conda"].as_object_mut().unwrap();
    let mut tk: Vec<String> = conda
        .iter()
        .filter(|(_, r)| r["name"] == "tk")
        .map(|(k, _)| k.clone())
        .collect();
    tk.sort();
    assert!(tk.len() >= 2, "{tk:?}");
    conda[&tk[0]]["version"] = serde_json::Value::from("not a version!");
    conda[&tk[1]]["depends"] = serde_json::Value::Null;
    let json = serde_json::to_vec(&repodata).unwrap();
    let server = TestServer::start();
    serve_shards(
        &server,
        "/sh/",
        "linux-64",
        &json,
        None,
        ShardHash::Compressed,
        "\"x\"",
    );
    let cache = tempfile::tempdir().unwrap();
    let sharded = channels(&server.url("/sh/"), cache.path(), false);
    let records = sharded.records("linux-64", "tk").unwrap();
    let files: Vec<String> = records
        .iter()
        .map(|r| r.record.identifier.to_file_name())
        .collect();
    assert!(!files.contains(&tk[0]), "{files:?}");
    let null = records
        .iter()
        .find(|r| r.record.identifier.to_file_name() == tk[1])
        .unwrap();
    assert!(null.record.package_record.depends.is_empty());
    // Without base_url, files are under the subdir of the channel the shards came from.
    assert_eq!(
        null.record.url.as_str(),
        server.url(&format!("/sh/linux-64/{}", tk[1]))
    );
    let warnings = sharded.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains(&tk[0]), "{warnings:?}");
}

#[test]
fn a_shard_index_past_the_limit_is_refused_naming_the_variable() {
    let Some((server, _)) = serve(ShardHash::Compressed) else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let err = channels(&server.url("/sh/"), cache.path(), false)
        .with_max_repodata_bytes(200)
        .records("linux-64", "python")
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Registry);
    let message = err.message();
    assert!(message.contains("UNILOCK_MAX_REPODATA_BYTES"), "{message}");
    assert!(message.contains("repodata_shards.msgpack.zst"), "{message}");
}

#[test]
fn names_are_those_of_the_shard_index() {
    let Some((server, served)) = serve(ShardHash::Compressed) else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let sharded = channels(&server.url("/sh/"), cache.path(), false);
    let expected: BTreeSet<String> = served
        .iter()
        .flat_map(|s| s.shards.keys().cloned())
        .collect();
    let names: BTreeSet<String> = sharded.names("linux-64").unwrap().into_iter().collect();
    assert_eq!(names, expected);
    assert!(sharded.lists("linux-64", "python").unwrap());
    assert!(!sharded.lists("linux-64", "numpy").unwrap());
    // Listing needs no shard.
    assert!(
        paths(&server, "/sh/")
            .iter()
            .all(|p| !p.contains("/shards/"))
    );
}
