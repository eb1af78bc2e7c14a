//! `unilock resolve environment.yml` over a conda channel served on 127.0.0.1 by the
//! registries' test server (the shared snapshot `conda-forge-mamba-numpy-subset`): the lock
//! points at the server, the channel's credentials reach it and nothing else shows them, a
//! second run answers from the cache with `--offline`, and a cache without the channel or a
//! server that keeps failing is exit 3 naming the URL, with no lock written. The same snapshot
//! served as shards (CEP 16) gives the same lock from the shards it needs, and a damaged shard
//! is exit 3 naming its URL.

use super::write;
use crate::formats::shared;
use crate::{stderr, unilock_with_env};
use std::path::Path;
use unilock_registries::testing::{
    Fault, Route, ServedShards, ShardHash, TestServer, serve_shards,
};

const PLAIN: &str = "/cf/linux-64/repodata.json";
const ZST: &str = "/cf/linux-64/repodata.json.zst";

/// The snapshot's linux-64 repodata served as `/cf/linux-64/repodata.json` (no `.zst`, no
/// noarch), demanding `auth` when given.
fn serve(auth: Option<&str>) -> Option<TestServer> {
    let dir = shared("conda-channels/conda-forge-mamba-numpy-subset")?;
    let json = std::fs::read(dir.join("linux-64/repodata.json")).expect("snapshot");
    let server = TestServer::start();
    let route = Route::ok("application/json", json).with_etag("\"v1\"");
    server.route(
        PLAIN,
        match auth {
            Some(a) => route.with_auth(a),
            None => route,
        },
    );
    Some(server)
}

fn resolve(dir: &Path, channel: &str, cache: &Path, extra: &[&str]) -> std::process::Output {
    let env = format!("channels:\n  - {channel}\ndependencies:\n  - python=3.12\n  - numpy\n");
    let input = write(dir, "environment.yml", &env);
    let lock = dir.join("unilock.lock").display().to_string();
    let cache = cache.display().to_string();
    let mut args = vec![
        "resolve",
        input.as_str(),
        "-o",
        lock.as_str(),
        "--target",
        "linux-64",
        "--cache-dir",
        cache.as_str(),
    ];
    args.extend(extra);
    unilock_with_env(
        &args,
        &[
            ("UNILOCK_HTTP_BACKOFF", "0"),
            ("UNILOCK_HTTP_RETRIES", "2"),
            ("NETRC", "/nonexistent"),
        ],
    )
}

#[test]
fn an_environment_resolves_over_an_http_channel_then_offline_from_the_cache() {
    // base64("alice:t0ken-s3cret")
    let basic = "Basic YWxpY2U6dDBrZW4tczNjcmV0";
    let Some(server) = serve(Some(basic)) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let channel = server
        .url("/cf/")
        .replace("http://", "http://alice:t0ken-s3cret@");
    let out = resolve(dir.path(), &channel, &cache, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    let numpy = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"numpy\""))
        .expect("numpy is locked");
    assert!(numpy.contains("version = \"1.26.4\""), "{numpy}");
    assert!(
        numpy.contains(&server.url("/cf/linux-64/numpy-1.26.4-")),
        "{numpy}"
    );
    assert!(!lock.contains("t0ken") && !lock.contains("alice"), "{lock}");
    assert!(!stderr(&out).contains("t0ken"), "{}", stderr(&out));
    assert_eq!(server.seen_at(ZST).len(), 1);
    assert_eq!(server.seen_at(PLAIN).len(), 1);
    assert!(
        server
            .seen_at(PLAIN)
            .iter()
            .all(|s| s.header("authorization") == Some(basic))
    );

    // Offline: the same lock from the cache, the server not asked.
    server.forget();
    std::fs::remove_file(dir.path().join("unilock.lock")).expect("remove lock");
    let out = resolve(dir.path(), &channel, &cache, &["--offline"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(server.seen().is_empty(), "{:?}", server.seen());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock"),
        lock
    );

    // Offline with an empty cache: exit 3 naming what is missing, no lock written.
    let empty = tempfile::tempdir().expect("tempdir");
    let out = resolve(
        empty.path(),
        &channel,
        &empty.path().join("cache"),
        &["--offline"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&server.url(PLAIN)), "{err}");
    assert!(err.contains("--offline"), "{err}");
    assert!(!err.contains("t0ken"), "{err}");
    assert!(!empty.path().join("unilock.lock").exists());
}

#[test]
fn a_channel_server_that_keeps_failing_is_exit_3_naming_the_url() {
    let Some(server) = serve(None) else {
        return;
    };
    server.inject(PLAIN, [Fault::Status(503); 3]);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(
        dir.path(),
        &server.url("/cf/"),
        &dir.path().join("cache"),
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&server.url(PLAIN)), "{err}");
    assert!(err.contains("503") && err.contains("3 attempts"), "{err}");
    assert!(!dir.path().join("unilock.lock").exists());
}

/// The snapshot served twice: as `/cf/linux-64/repodata.json` and as shards under `/sh/`.
fn serve_sharded() -> Option<(TestServer, ServedShards)> {
    let server = serve(None)?;
    let dir = shared("conda-channels/conda-forge-mamba-numpy-subset")?;
    let json = std::fs::read(dir.join("linux-64/repodata.json")).expect("snapshot");
    let shards = serve_shards(
        &server,
        "/sh/",
        "linux-64",
        &json,
        None,
        ShardHash::Compressed,
        "\"s1\"",
    );
    Some((server, shards))
}

#[test]
fn a_sharded_channel_resolves_as_its_repodata_json_does_fetching_only_the_shards_it_needs() {
    let Some((server, shards)) = serve_sharded() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = resolve(dir.path(), &server.url("/cf/"), &dir.path().join("c1"), &[]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let from_json = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");

    server.forget();
    let cache = dir.path().join("c2");
    let out = resolve(dir.path(), &server.url("/sh/"), &cache, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let from_shards = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    // The same builds from the same files; only the channel's URL differs.
    assert_eq!(
        super::without_inputs(&from_shards).replace(&server.url("/sh/"), &server.url("/cf/")),
        super::without_inputs(&from_json)
    );
    let fetched: Vec<String> = server
        .seen()
        .into_iter()
        .map(|s| s.path)
        .filter(|p| p.contains("/shards/"))
        .collect();
    let locked = from_shards.matches("[[package]]").count();
    assert!(!fetched.is_empty() && fetched.len() < shards.shards.len());
    assert!(fetched.len() >= locked, "{} < {locked}", fetched.len());
    assert!(server.seen_at("/sh/linux-64/repodata.json").is_empty());
    // The shards of a build's dependencies are asked for together, not one round trip each:
    // with every shard answer held back a little, several are in flight at once.
    for path in &fetched {
        server.inject(path, [Fault::Stall(std::time::Duration::from_millis(40))]);
    }
    server.forget();
    let out = resolve(dir.path(), &server.url("/sh/"), &dir.path().join("c3"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(server.max_in_flight() > 1, "{}", server.max_in_flight());

    // Offline from the cache: the same lock, nothing asked.
    server.forget();
    let out = resolve(dir.path(), &server.url("/sh/"), &cache, &["--offline"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(server.seen().is_empty(), "{:?}", server.seen());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock"),
        from_shards
    );
}

#[test]
fn a_damaged_shard_is_exit_3_naming_its_url_and_no_lock_is_written() {
    let Some((server, shards)) = serve_sharded() else {
        return;
    };
    let (numpy, _) = &shards.shards["numpy"];
    let other = shards.shards["python"].1.clone();
    server.route(numpy, Route::ok("application/octet-stream", other));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(
        dir.path(),
        &server.url("/sh/"),
        &dir.path().join("cache"),
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&server.url(numpy)), "{err}");
    assert!(err.contains("damaged"), "{err}");
    assert!(!dir.path().join("unilock.lock").exists());
}
