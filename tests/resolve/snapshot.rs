//! The recorded index snapshot (corpus/index-snapshot, written by
//! scripts/record-index-snapshot.sh with `unilock index record`) resolved offline through a
//! file:// --index-url: real projects with an extra and markers, yanked versions and
//! pre-releases inside a range. And, with UNILOCK_LIVE=1, the same against the default index.

use super::{export, pins, write};
use crate::{corpus, stderr, unilock_with_env};
use std::path::Path;

const REQUIREMENTS: &str = "requests[socks]\nurllib3<2.0.2\n";
const TARGETS: [&str; 3] = [
    "linux-aarch64,python=3.11",
    "win-64,python=3.12",
    "macos14,python=3.13",
];

fn resolve(dir: &Path, index: &str, extra: &[&str]) -> std::process::Output {
    let input = write(dir, "requirements.txt", REQUIREMENTS);
    let lock = dir.join("unilock.lock").display().to_string();
    let cache = dir.join("cache").display().to_string();
    let mut args = vec!["resolve", &input, "--index-url", index, "-o", &lock];
    for t in TARGETS {
        args.extend(["--target", t]);
    }
    args.extend(extra);
    unilock_with_env(
        &args,
        &[("UNILOCK_CACHE_DIR", cache.as_str()), ("NETRC", "")],
    )
}

#[test]
fn the_recorded_snapshot_resolves_offline_from_a_file_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = format!("file://{}", corpus("index-snapshot/simple").display());
    let out = resolve(dir.path(), &index, &["--offline"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for t in TARGETS {
        let exported = export(dir.path(), t);
        // urllib3: 2.0.1 and 2.0.0 are yanked and 2.0.0a1-a4 are pre-releases, all inside the
        // range; 1.26.20 is the newest version that is neither. PySocks comes with the extra.
        assert_eq!(
            pins(&exported),
            [
                "certifi==2026.10.18",
                "charset-normalizer==3.5.2",
                "idna==3.20",
                "pysocks==1.7.1",
                "requests==2.34.2",
                "urllib3==1.26.20",
            ],
            "{t}"
        );
        assert!(exported.contains("--hash=sha256:"), "{exported}");
    }
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    // Each target has its own charset-normalizer wheel.
    for wheel in [
        "manylinux_2_17_aarch64",
        "win_amd64",
        "macosx_10_13_universal2",
    ] {
        assert!(lock.contains(wheel), "{wheel}");
    }
    assert!(
        !dir.path().join("cache").exists(),
        "a file:// index needs no cache"
    );
}

#[test]
fn the_snapshot_names_no_host_and_lists_what_matters() {
    let root = corpus("index-snapshot");
    let mut stack = vec![root.clone()];
    let mut written = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("snapshot").flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".whl") || name.ends_with(".tar.gz") {
                continue; // the projects' own bytes
            }
            written += 1;
            let text = std::fs::read_to_string(&path).expect("text");
            // No URL at all (file links are relative), so no host; the default index's
            // host by name too.
            let default_host = url::Url::parse(unilock_registries::DEFAULT_INDEX_URL)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default();
            for needle in ["://", default_host.as_str()] {
                assert!(!text.contains(needle), "{} has {needle}", path.display());
            }
        }
    }
    assert!(written > 10);
    let urllib3 = std::fs::read_to_string(root.join("simple/urllib3/index.json")).expect("page");
    for file in [
        "urllib3-2.0.1-py3-none-any.whl",
        "urllib3-2.0.0a4-py3-none-any.whl",
    ] {
        assert!(urllib3.contains(file), "{file}");
    }
    assert!(
        !urllib3.contains("urllib3-1.26.19"),
        "older versions are left out"
    );
}

/// UNILOCK_LIVE=1: the same requirements against the default index, cold and then offline
/// from the cache it filled.
#[test]
fn live_against_the_default_index() {
    if std::env::var_os("UNILOCK_LIVE").is_none() {
        eprintln!("SKIPPED: set UNILOCK_LIVE=1 to resolve against the default index");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let default = unilock_registries::DEFAULT_INDEX_URL;
    let started = std::time::Instant::now();
    let out = resolve(dir.path(), default, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let cold = started.elapsed();
    let online: Vec<Vec<String>> = TARGETS
        .iter()
        .map(|t| pins(&export(dir.path(), t)))
        .collect();
    assert!(online[0].iter().any(|p| p.starts_with("requests==")));
    assert!(online[0].iter().any(|p| p.starts_with("pysocks==")));
    let started = std::time::Instant::now();
    let out = resolve(dir.path(), default, &["--offline", "--upgrade"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let offline: Vec<Vec<String>> = TARGETS
        .iter()
        .map(|t| pins(&export(dir.path(), t)))
        .collect();
    assert_eq!(offline, online);
    eprintln!(
        "live: cold {:.2}s, offline {:.2}s",
        cold.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
