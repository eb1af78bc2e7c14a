//! The recorded index snapshot (corpus/index-snapshot, written by
//! scripts/record-index-snapshot.sh with `unilock index record`, several recordings merged)
//! resolved offline through a file:// --index-url, on real projects: an extra with markers,
//! yanked versions and pre-releases inside a range; source distributions with static and with
//! dynamic metadata; a request no version can satisfy on an old glibc, explained; targets whose
//! newest versions differ, made one with --consistent; and pins of an input lock kept until
//! upgraded. And, with UNILOCK_LIVE=1, the first case against the default index.

use super::{export, pins, write};
use crate::{corpus, stderr, unilock_with_env};
use std::path::Path;
use std::process::Output;
use unilock_model::Lock;
use unilock_model::lock::ArtifactKind;

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
    // Every recording merged into the snapshot is listed, with its targets and options.
    let recording = std::fs::read_to_string(root.join("RECORDING.txt")).expect("RECORDING.txt");
    for line in [
        "  requests[socks]",
        "  mysqlclient",
        "  rouge-score",
        "  onnxruntime",
        "  macos13-x86_64,python=3.12",
        "options: --consistent",
    ] {
        assert!(recording.contains(line), "{line}: {recording}");
    }
    assert_eq!(recording.matches("requirements:").count(), 4, "{recording}");
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

/// The snapshot as a file:// index.
fn snapshot_index() -> String {
    format!("file://{}", corpus("index-snapshot/simple").display())
}

/// Resolves `requirements` for `targets` offline against the snapshot into
/// `dir/unilock.lock`.
fn offline(dir: &Path, requirements: &str, targets: &[&str], extra: &[&str]) -> Output {
    let input = write(dir, "requirements.txt", requirements);
    let lock = dir.join("unilock.lock").display().to_string();
    let cache = dir.join("cache").display().to_string();
    let index = snapshot_index();
    let mut args = vec![
        "resolve",
        &input,
        "--index-url",
        &index,
        "--offline",
        "-o",
        &lock,
    ];
    for t in targets {
        args.extend(["--target", t]);
    }
    args.extend(extra);
    unilock_with_env(
        &args,
        &[("UNILOCK_CACHE_DIR", cache.as_str()), ("NETRC", "")],
    )
}

/// The artifacts the lock holds for `name` on `target`: (kind, file name). An artifact that
/// names no targets is used on every target of its package.
fn artifacts(dir: &Path, name: &str, target: &str) -> Vec<(ArtifactKind, String)> {
    let text = std::fs::read_to_string(dir.join("unilock.lock")).expect("lock");
    let lock = Lock::from_toml(&text, "unilock.lock").expect("lock reads back");
    lock.packages
        .iter()
        .filter(|p| p.name == name && p.targets.iter().any(|t| t == target))
        .flat_map(|p| &p.artifacts)
        .filter(|a| a.targets.is_empty() || a.targets.iter().any(|t| t == target))
        .map(|a| {
            let file = a.url.rsplit('/').next().unwrap_or_default();
            (a.kind, file.to_string())
        })
        .collect()
}

/// mysqlclient 2.3.1 has wheels for Windows only and, for Linux, an sdist whose PKG-INFO is
/// static (metadata 2.4, nothing dynamic but the license file): Linux locks that sdist, to be
/// built. rouge-score 0.1.2, 0.1.1, 0.1, 0.0.8 and 0.0.7 are sdists with metadata 2.1 (only a
/// build would tell their dependencies): with `--no-build` each is skipped with a warning
/// saying so, and 0.0.4, the newest version with a wheel, is taken with its dependencies.
#[test]
fn source_distributions_are_locked_for_a_build_when_static_and_skipped_when_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = ["linux-64,python=3.12", "win-64,python=3.12"];
    let out = offline(
        dir.path(),
        "mysqlclient\nrouge-score\n",
        &targets,
        &["--no-build"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let common = [
        "absl-py==2.5.1",
        "click==8.5.1",
        "cloudpickle==3.1.2",
        "defusedxml==0.7.1",
        "joblib==1.6.0",
        "mysqlclient==2.3.1",
        "nltk==3.10.4",
        "numpy==2.5.5",
        "regex==2026.11.15",
        "rouge-score==0.0.4",
        "six==1.17.0",
        "tqdm==4.70.1",
    ];
    assert_eq!(pins(&export(dir.path(), targets[0])), common);
    let mut windows: Vec<&str> = common.to_vec();
    windows.push("colorama==0.4.6"); // click's and tqdm's dependency on Windows
    windows.sort();
    assert_eq!(pins(&export(dir.path(), targets[1])), windows);
    assert_eq!(
        artifacts(dir.path(), "mysqlclient", targets[0]),
        [(ArtifactKind::Sdist, "mysqlclient-2.3.1.tar.gz".to_string())]
    );
    assert_eq!(
        artifacts(dir.path(), "mysqlclient", targets[1]),
        [(
            ArtifactKind::Wheel,
            "mysqlclient-2.3.1-cp312-cp312-win_amd64.whl".to_string()
        )]
    );
    assert_eq!(
        artifacts(dir.path(), "rouge-score", targets[0]),
        [(
            ArtifactKind::Wheel,
            "rouge_score-0.0.4-py2.py3-none-any.whl".to_string()
        )]
    );
    let err = stderr(&out);
    for t in targets {
        for v in ["0.1.2", "0.1.1", "0.1", "0.0.8", "0.0.7"] {
            let warning = format!(
                "warning: {t}: rouge-score {v} is skipped: its only file for the target is the source distribution rouge_score-{v}.tar.gz, and its PKG-INFO is metadata 2.1, older than 2.2, so its dependencies may change in a build; --no-build forbids building it"
            );
            assert!(err.contains(&warning), "{warning}\n{err}");
        }
    }
    assert_eq!(err.matches("is skipped").count(), 10, "{err}");
}

/// When every version in range is an sdist whose dependencies need a build and `--no-build`
/// forbids it, the failure says so, version by version, and the lock is left as it was.
#[test]
fn only_dynamic_source_distributions_in_range_fail_with_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = ["linux-64,python=3.12"];
    let out = offline(dir.path(), "mysqlclient\n", &t, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(dir.path().join("unilock.lock")).expect("lock");
    let out = offline(dir.path(), "rouge-score>=0.1\n", &t, &["--no-build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the requirements cannot be satisfied on target linux-64,python=3.12"),
        "{err}"
    );
    for v in ["0.1.2", "0.1.1", "0.1"] {
        let why = format!(
            "rouge-score {v} has only the source distribution rouge_score-{v}.tar.gz, whose dependencies are only known after a build (its PKG-INFO is metadata 2.1, older than 2.2, so its dependencies may change in a build; --no-build forbids building it)"
        );
        assert!(err.contains(&why), "{why}\n{err}");
    }
    assert_eq!(
        std::fs::read(dir.path().join("unilock.lock")).expect("lock"),
        before
    );
}

/// onnxruntime 1.24 and later ship only manylinux_2_27/2_28 wheels for Linux and no sdist: on
/// centos7 (glibc 2.17) nothing installs, and the explanation names the glibc; the lock of an
/// earlier run stays byte for byte. rhel8 (glibc 2.28) takes the newest.
#[test]
fn a_version_range_needing_a_newer_glibc_is_explained_and_the_lock_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let centos7 = ["centos7,python=3.12"];
    let out = offline(dir.path(), "urllib3<2.0.2\n", &centos7, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(pins(&export(dir.path(), centos7[0])), ["urllib3==1.26.20"]);
    let before = std::fs::read(dir.path().join("unilock.lock")).expect("lock");
    let out = offline(dir.path(), "onnxruntime>=1.24\n", &centos7, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the requirements cannot be satisfied on target centos7,python=3.12"),
        "{err}"
    );
    assert!(
        err.contains("onnxruntime 1.24.1–1.31.1: only manylinux_2_27, manylinux_2_28 wheels; target centos7,python=3.12 has glibc 2.17"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("unilock.lock")).expect("lock"),
        before
    );
    let other = tempfile::tempdir().expect("tempdir");
    let rhel8 = ["rhel8,python=3.12"];
    let out = offline(other.path(), "onnxruntime>=1.24\n", &rhel8, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(pins(&export(other.path(), rhel8[0])).contains(&"onnxruntime==1.31.1".to_string()));
}

/// onnxruntime's newest version (1.31.1) has no wheel for Intel macOS, whose newest is
/// 1.23.2, with other dependencies (coloredlogs, sympy). Each target takes its own newest;
/// with --consistent both take 1.23.2 and its dependencies.
#[test]
fn consistent_makes_targets_with_different_newest_versions_agree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = ["linux-64,python=3.12", "macos13-x86_64,python=3.12"];
    let out = offline(dir.path(), "onnxruntime\n", &targets, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let intel_mac = [
        "coloredlogs==15.0.1",
        "flatbuffers==25.12.19",
        "humanfriendly==10.0",
        "mpmath==1.3.0",
        "numpy==2.5.5",
        "onnxruntime==1.23.2",
        "packaging==26.3",
        "protobuf==7.36.2",
        "sympy==1.14.0",
    ];
    assert_eq!(
        pins(&export(dir.path(), targets[0])),
        [
            "flatbuffers==25.12.19",
            "numpy==2.5.5",
            "onnxruntime==1.31.1",
            "packaging==26.3",
            "protobuf==7.36.2",
        ]
    );
    assert_eq!(pins(&export(dir.path(), targets[1])), intel_mac);
    let out = offline(
        dir.path(),
        "onnxruntime\n",
        &targets,
        &["--consistent", "--upgrade"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for t in targets {
        assert_eq!(pins(&export(dir.path(), t)), intel_mac, "{t}");
    }
    assert_eq!(
        artifacts(dir.path(), "onnxruntime", targets[0]),
        [(
            ArtifactKind::Wheel,
            "onnxruntime-1.23.2-cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"
                .to_string()
        )]
    );
}

/// An input lock's pins are kept: requests alone would take urllib3 2.8.0, but the lock of
/// an earlier run with urllib3<2.0.2 holds 1.26.20 until --upgrade-package urllib3.
#[test]
fn pins_of_an_input_lock_are_kept_until_upgraded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = ["linux-aarch64,python=3.11"];
    let held = [
        "certifi==2026.10.18",
        "charset-normalizer==3.5.2",
        "idna==3.20",
        "requests==2.34.2",
        "urllib3==1.26.20",
    ];
    let out = offline(dir.path(), "requests\nurllib3<2.0.2\n", &t, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(pins(&export(dir.path(), t[0])), held);
    let out = offline(dir.path(), "requests\n", &t, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(pins(&export(dir.path(), t[0])), held);
    let out = offline(
        dir.path(),
        "requests\n",
        &t,
        &["--upgrade-package", "urllib3"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut upgraded = held.to_vec();
    upgraded[4] = "urllib3==2.8.0";
    assert_eq!(pins(&export(dir.path(), t[0])), upgraded);
    // Without an input lock, the same request takes the newest.
    let fresh = tempfile::tempdir().expect("tempdir");
    let out = offline(fresh.path(), "requests\n", &t, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(pins(&export(fresh.path(), t[0])), upgraded);
}
