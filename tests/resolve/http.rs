//! `unilock resolve` and `unilock index record` against HTTP indexes served on 127.0.0.1 by
//! the registries' test server: JSON and HTML pages, metadata files and range reads, netrc and
//! URL credentials (sent to the index host only, never in any output), the cache and
//! `--offline`, faults reported with exit 3, and recording a snapshot that resolves the same
//! offline.

use super::{export, pins, write};
use crate::{corpus, stderr, stdout, unilock_with_env};
use sha2::Digest;
use std::path::Path;
use unilock_registries::testing::{Fault, Route, TestServer};

fn sha(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const JSON: &str = "application/vnd.pypi.simple.v1+json";

/// The fixture wheels as an index on 127.0.0.1 whose files live on 127.0.0.2: alpha and delta
/// as JSON pages, beta and gamma as HTML; alpha advertises its metadata file, the others are
/// read by ranges after a 404. `auth` is the Authorization the index demands.
fn fixture_index(auth: Option<&str>) -> (TestServer, TestServer) {
    let index = TestServer::start();
    let files = TestServer::start_on("127.0.0.2");
    let dir = corpus("fixtures/find-links");
    let mut wheels: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fixture wheels")
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("read wheel"))
        })
        .collect();
    wheels.sort();
    for project in ["alpha", "beta", "delta", "gamma"] {
        let mine: Vec<&(String, Vec<u8>)> = wheels
            .iter()
            .filter(|(n, _)| n.starts_with(&format!("{project}-")))
            .collect();
        let mut json_files = Vec::new();
        let mut html = String::from("<!DOCTYPE html><html><body>\n");
        for (name, bytes) in &mine {
            let url = files.url(&format!("/files/{name}"));
            files.route(
                &format!("/files/{name}"),
                Route::ok("application/octet-stream", bytes.clone()).with_ranges(),
            );
            let mut core = String::new();
            if project == "alpha" {
                let metadata =
                    unilock_registries::archive::wheel_metadata(bytes).expect("metadata");
                core = format!(
                    r#", "core-metadata": {{"sha256": "{}"}}"#,
                    sha(metadata.as_bytes())
                );
                files.route(
                    &format!("/files/{name}.metadata"),
                    Route::ok("binary/octet-stream", metadata),
                );
            }
            json_files.push(format!(
                r#"{{"filename": "{name}", "url": "{url}", "hashes": {{"sha256": "{}"}}, "size": {}{core}}}"#,
                sha(bytes),
                bytes.len()
            ));
            html.push_str(&format!(
                "<a href=\"{url}#sha256={}\">{name}</a>\n",
                sha(bytes)
            ));
        }
        html.push_str("</body></html>\n");
        let mut route = if matches!(project, "alpha" | "delta") {
            Route::ok(JSON, format!(r#"{{"files": [{}]}}"#, json_files.join(", ")))
        } else {
            Route::ok("text/html", html)
        };
        route = route
            .header("Cache-Control", "max-age=0")
            .with_etag(&format!("\"{project}\""));
        if let Some(a) = auth {
            route = route.with_auth(a);
        }
        index.route(&format!("/simple/{project}/"), route);
    }
    (index, files)
}

/// Runs unilock with its cache in `dir/cache`, no netrc but the one given, and short retries.
pub(super) fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let cache = dir.join("cache").display().to_string();
    let home = dir.join("home").display().to_string();
    let mut all = vec![
        ("UNILOCK_CACHE_DIR", cache.as_str()),
        ("HOME", home.as_str()),
        ("NETRC", ""),
        ("UNILOCK_HTTP_RETRIES", "1"),
        ("UNILOCK_HTTP_BACKOFF", "0.001"),
        ("UNILOCK_HTTP_TIMEOUT", "5"),
    ];
    all.extend_from_slice(env);
    unilock_with_env(args, &all)
}

/// Resolves `requirements` (written to `dir/requirements.txt`) for linux-64, Python 3.12,
/// against the index at `index`, into `dir/unilock.lock`, through [`run`] with `env`.
pub(super) fn resolve_text(
    dir: &Path,
    requirements: &str,
    index: &str,
    env: &[(&str, &str)],
) -> std::process::Output {
    let input = write(dir, "requirements.txt", requirements);
    let lock = dir.join("unilock.lock").display().to_string();
    run(dir, &resolve_args(&input, &lock, index), env)
}

fn resolve_args<'a>(input: &'a str, lock: &'a str, index: &'a str) -> Vec<&'a str> {
    vec![
        "resolve",
        input,
        "--target",
        "linux-64,python=3.12",
        "--index-url",
        index,
        "-o",
        lock,
    ]
}

#[test]
fn an_http_index_of_json_and_html_pages_resolves_like_find_links() {
    let (index, files) = fixture_index(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta[x]\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let url = index.url("/simple");
    let out = run(dir.path(), &resolve_args(&input, &lock, &url), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        pins(&export(dir.path(), "linux-64,python=3.12")),
        ["alpha==1.0", "beta==2.0", "delta==1.0", "gamma==1.0"]
    );
    let text = std::fs::read_to_string(&lock).expect("lock");
    assert!(text.contains(&format!("source = \"{}/\"", url)), "{text}");
    assert!(text.contains(&files.url("/files/beta-2.0-py3-none-manylinux_2_28_x86_64.whl")));
    // alpha's metadata came from its metadata file, beta's by ranges after a 404.
    assert!(
        files
            .seen_at("/files/alpha-1.0-py3-none-any.whl")
            .is_empty()
    );
    assert_eq!(
        files
            .seen_at("/files/alpha-1.0-py3-none-any.whl.metadata")
            .len(),
        1
    );
    let beta = files.seen_at("/files/beta-2.0-py3-none-manylinux_2_28_x86_64.whl");
    assert!(!beta.is_empty() && beta.iter().all(|r| r.header("range").is_some()));
    // Again: pages are revalidated (304), metadata comes from the cache.
    files.forget();
    index.forget();
    let out = run(dir.path(), &resolve_args(&input, &lock, &url), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(files.seen().is_empty(), "{:?}", files.seen());
    let seen = index.seen();
    assert!(!seen.is_empty() && seen.iter().all(|s| s.header("if-none-match").is_some()));
}

#[test]
fn credentials_reach_the_index_host_only_and_appear_in_no_output() {
    // base64("alice:n3trc-pw")
    let (index, files) = fixture_index(Some("Basic YWxpY2U6bjN0cmMtcHc="));
    let dir = tempfile::tempdir().expect("tempdir");
    let netrc = dir.path().join("netrc");
    std::fs::write(
        &netrc,
        format!("machine {} login alice password n3trc-pw\n", index.host()),
    )
    .expect("netrc");
    let input = write(dir.path(), "requirements.txt", "delta\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let url = index.url("/simple");
    let netrc_path = netrc.display().to_string();
    let out = run(
        dir.path(),
        &resolve_args(&input, &lock, &url),
        &[("NETRC", netrc_path.as_str())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        index
            .seen()
            .iter()
            .all(|s| s.header("authorization").is_some())
    );
    assert!(
        files
            .seen()
            .iter()
            .all(|s| s.header("authorization").is_none())
    );
    // Credentials in the URL: sent, and stripped from the lock and every message.
    let with_user = url.replace("http://", "http://alice:n3trc-pw@");
    let lock2 = dir.path().join("second.lock").display().to_string();
    let out = run(dir.path(), &resolve_args(&input, &lock2, &with_user), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Without them the index refuses (401): exit 3, and the message names the URL only.
    let out = run(dir.path(), &resolve_args(&input, &lock2, &url), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));
    let wrong = url.replace("http://", "http://alice:wr0ng-pw@");
    let out = run(dir.path(), &resolve_args(&input, &lock2, &wrong), &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(!stderr(&out).contains("wr0ng-pw") && !stdout(&out).contains("wr0ng-pw"));
    for path in walk(dir.path()) {
        if path == netrc {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("n3trc-pw") && !text.contains("YWxpY2U6"),
            "{} holds the credentials",
            path.display()
        );
    }
}

#[test]
fn offline_resolves_from_the_cache_and_names_what_is_missing() {
    let (index, files) = fixture_index(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let url = index.url("/simple");
    let out = run(dir.path(), &resolve_args(&input, &lock, &url), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let online = std::fs::read_to_string(&lock).expect("lock");
    drop(index);
    drop(files);
    std::fs::remove_file(&lock).expect("remove");
    let mut args = resolve_args(&input, &lock, &url);
    args.push("--offline");
    let out = run(dir.path(), &args, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&lock).expect("lock"), online);
    // Prefetching fetched the pages and newest metadata of the whole likely tree; an older
    // beta was never needed.
    let more = write(dir.path(), "more.txt", "delta\nbeta<2\n");
    let mut args = resolve_args(&more, &lock, &url);
    args.push("--offline");
    let out = run(dir.path(), &args, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--offline") && err.contains("beta-1.0-py3-none-any.whl"),
        "{err}"
    );
}

/// The first `sha256:<hex>` of the lock that `bytes` also hold, and where in `bytes`.
fn a_locked_hash_in(lock: &str, bytes: &[u8]) -> Option<usize> {
    lock.split("sha256:").skip(1).find_map(|rest| {
        let hex = rest.get(..64)?.as_bytes();
        bytes.windows(64).position(|w| w == hex)
    })
}

#[test]
fn offline_a_damaged_cache_entry_is_never_used() {
    let (index, files) = fixture_index(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let url = index.url("/simple");
    let out = run(dir.path(), &resolve_args(&input, &lock, &url), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let online = std::fs::read_to_string(&lock).expect("lock");
    drop(index);
    drop(files);
    let mut args = resolve_args(&input, &lock, &url);
    args.push("--offline");
    // One hex digit of a locked hash changed where a packed page holds it: the page the
    // response holds is read instead, and the lock is the same.
    let damage = |path: &Path| -> Option<()> {
        let mut bytes = std::fs::read(path).ok()?;
        let at = a_locked_hash_in(&online, &bytes)?;
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        std::fs::write(path, &bytes).ok()
    };
    let cache = dir.path().join("cache");
    let packed = walk(&cache.join("pages-v1"))
        .into_iter()
        .find(|path| damage(path).is_some())
        .expect("a packed page holding a locked hash");
    std::fs::remove_file(&lock).expect("remove");
    let out = run(dir.path(), &args, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&lock).expect("lock"), online);
    // That run packed the page again; damaged again, and the response damaged too: nothing
    // is left to read the page from, and the message says so.
    damage(&packed).expect("packed again");
    let page = cache.join("http-v1").join(
        packed
            .strip_prefix(cache.join("pages-v1"))
            .expect("in the cache"),
    );
    damage(&page).expect("the response holds the hash");
    let out = run(dir.path(), &args, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("the cache entry {} is damaged", page.display()))
            && err.contains("run without --offline"),
        "{err}"
    );
}

#[test]
fn cache_entries_over_the_limit_are_not_kept() {
    let (index, _files) = fixture_index(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let url = index.url("/simple");
    let args = resolve_args(&input, &lock, &url);
    let out = run(dir.path(), &args, &[("UNILOCK_MAX_CACHE_ENTRY_BYTES", "x")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("UNILOCK_MAX_CACHE_ENTRY_BYTES=x"));
    let out = run(
        dir.path(),
        &args,
        &[("UNILOCK_MAX_CACHE_ENTRY_BYTES", "100")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut offline = args.clone();
    offline.push("--offline");
    let out = run(dir.path(), &offline, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not in the cache"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_failing_index_exits_3_naming_the_url_and_the_failure() {
    let index = TestServer::start();
    index.route(
        "/simple/delta/",
        Route::ok(JSON, "{}").with_faults([Fault::Status(503); 4]),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let url = index.url("/simple");
    let out = run(dir.path(), &resolve_args(&input, &lock, &url), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{url}/delta/")) && err.contains("503") && err.contains("2 attempts"),
        "{err}"
    );
    assert_eq!(index.seen_at("/simple/delta/").len(), 2);
    // Nothing listens: the connection is refused, retried, and reported.
    let closed = "http://u:s3cr3t@127.0.0.1:9/simple";
    let out = run(dir.path(), &resolve_args(&input, &lock, closed), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("127.0.0.1:9/simple/delta/") && err.contains("connect"),
        "{err}"
    );
    assert!(!err.contains("s3cr3t"), "{err}");
    assert!(!Path::new(&lock).exists());
}

#[test]
fn a_recorded_snapshot_resolves_the_same_offline_without_the_server() {
    let (index, files) = fixture_index(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta[x]\nbeta\n");
    let snapshot = dir.path().join("snapshot");
    let snap = snapshot.display().to_string();
    let url = index.url("/simple");
    let targets = ["linux-64,python=3.12", "win-64,python=3.11"];
    let mut args = vec![
        "index",
        "record",
        &input,
        "--index-url",
        &url,
        "--into",
        &snap,
    ];
    for t in &targets {
        args.extend(["--target", t]);
    }
    let out = run(dir.path(), &args, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("recorded 4 projects"),
        "{}",
        stderr(&out)
    );
    let lock = dir.path().join("unilock.lock").display().to_string();
    let mut resolve = vec!["resolve", &input, "--index-url", &url, "-o", &lock];
    for t in &targets {
        resolve.extend(["--target", t]);
    }
    assert!(run(dir.path(), &resolve, &[]).status.success());
    let online: Vec<Vec<String>> = targets
        .iter()
        .map(|t| pins(&export(dir.path(), t)))
        .collect();
    drop(index);
    drop(files);
    let file_url = format!("file://{}/simple", snap);
    let empty_cache = dir.path().join("no-cache");
    let cache_env = empty_cache.display().to_string();
    let mut offline = vec![
        "resolve",
        &input,
        "--index-url",
        &file_url,
        "-o",
        &lock,
        "--offline",
        "--upgrade",
    ];
    for t in &targets {
        offline.extend(["--target", t]);
    }
    let out = run(
        dir.path(),
        &offline,
        &[("UNILOCK_CACHE_DIR", cache_env.as_str())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let replayed: Vec<Vec<String>> = targets
        .iter()
        .map(|t| pins(&export(dir.path(), t)))
        .collect();
    assert_eq!(replayed, online);
    for path in walk(&snapshot) {
        let bytes = std::fs::read(&path).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("127.0.0."),
            "{} names the server",
            path.display()
        );
    }
}

/// Two recordings merged into one snapshot each resolve offline as they did online; a third
/// without --merge replaces both.
#[test]
fn merged_recordings_each_resolve_offline() {
    let (index, files) = fixture_index(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = dir.path().join("snapshot").display().to_string();
    let url = index.url("/simple");
    let sets = [("delta.txt", "delta\n"), ("old-beta.txt", "beta<2\n")];
    let t = "linux-64,python=3.12";
    let mut online = Vec::new();
    for (i, (name, text)) in sets.iter().enumerate() {
        let input = write(dir.path(), name, text);
        let mut args = vec!["index", "record", &input, "--index-url", &url];
        args.extend(["--target", t, "--into", &snap]);
        if i > 0 {
            args.push("--merge");
        }
        let out = run(dir.path(), &args, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let lock = dir
            .path()
            .join(format!("{name}.lock"))
            .display()
            .to_string();
        let out = run(dir.path(), &resolve_args(&input, &lock, &url), &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        online.push(std::fs::read_to_string(&lock).expect("lock"));
    }
    assert!(online[0].contains("name = \"delta\""), "{}", online[0]);
    assert!(online[1].contains("version = \"1.0\""), "{}", online[1]);
    let recording =
        std::fs::read_to_string(dir.path().join("snapshot/RECORDING.txt")).expect("recording");
    assert!(
        recording.contains("  delta\n") && recording.contains("  beta<2\n"),
        "{recording}"
    );
    drop(index);
    drop(files);
    let file_url = format!("file://{snap}/simple");
    let offline = |name: &str| {
        let input = dir.path().join(name).display().to_string();
        let lock = dir.path().join("offline.lock");
        let _ = std::fs::remove_file(&lock);
        let lock_arg = lock.display().to_string();
        let mut args = resolve_args(&input, &lock_arg, &file_url);
        args.push("--offline");
        let out = run(dir.path(), &args, &[]);
        (out, std::fs::read_to_string(&lock).unwrap_or_default())
    };
    for (i, (name, _)) in sets.iter().enumerate() {
        let (out, lock) = offline(name);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        // The same pins and files, from the snapshot instead of the server.
        let pinned = |l: &str| -> Vec<String> {
            l.lines()
                .filter(|x| {
                    x.starts_with("name =") || x.starts_with("version =") || x.starts_with("hash =")
                })
                .map(str::to_string)
                .collect()
        };
        assert_eq!(pinned(&lock), pinned(&online[i]), "{name}");
    }
    // Recording the second set alone replaces the snapshot: delta is gone from it.
    let (index, files) = fixture_index(None);
    let url = index.url("/simple");
    let input = dir.path().join(sets[1].0).display().to_string();
    let mut args = vec!["index", "record", &input, "--index-url", &url];
    args.extend(["--target", t, "--into", &snap]);
    let out = run(dir.path(), &args, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    drop(index);
    drop(files);
    let (out, _) = offline(sets[0].0);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("delta is on none of the configured indexes"),
        "{}",
        stderr(&out)
    );
}

pub(super) fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
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

#[test]
fn two_runs_at_once_share_one_cache() {
    let (index, _files) = fixture_index(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta[x]\n");
    let url = index.url("/simple");
    let cache = dir.path().join("cache").display().to_string();
    let runs: Vec<std::process::Child> = ["a.lock", "b.lock"]
        .iter()
        .map(|name| {
            let lock = dir.path().join(name).display().to_string();
            std::process::Command::new(env!("CARGO_BIN_EXE_unilock"))
                .args(resolve_args(&input, &lock, &url))
                .env("UNILOCK_CACHE_DIR", &cache)
                .env("NETRC", "")
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn unilock")
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let a = std::fs::read_to_string(dir.path().join("a.lock")).expect("a");
    assert_eq!(
        a,
        std::fs::read_to_string(dir.path().join("b.lock")).expect("b")
    );
    // What they left is whole: an offline run reads it all.
    let lock = dir.path().join("c.lock").display().to_string();
    let mut args = resolve_args(&input, &lock, &url);
    args.push("--offline");
    let out = run(dir.path(), &args, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&lock).expect("c"), a);
}
