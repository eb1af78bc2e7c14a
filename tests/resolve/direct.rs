//! Requirements by URL or path (`name @ URL`, `./dist/pkg-1.0.tar.gz`): the named file is the
//! package's one candidate, hashed into the lock and the export; real uv chooses the same
//! versions; over HTTP the file is checked against the URL's hash, cached for `--offline`, and
//! its credentials never written; sources that cannot be named or read are refused with the reason
//! (Git repositories and source directories that can are in `source_trees`).

use super::http::run;
use super::{export, find_links, resolve, write};
use crate::formats::acceptance::pip_dry_run;
use crate::{corpus, stderr, tool, unilock};
use sha2::Digest;
use std::process::Command;
use unilock_registries::testing::{Route, TestServer};

fn sha(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn file_url(path: &std::path::Path) -> String {
    url::Url::from_file_path(path)
        .expect("absolute path")
        .to_string()
}

#[test]
fn files_required_by_url_or_path_are_pinned_by_their_hash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wheel = corpus("fixtures/find-links/alpha-1.0-py3-none-any.whl");
    let sdist = corpus("fixtures/sdists/epsilon-1.0.tar.gz");
    let input = write(
        dir.path(),
        "requirements.in",
        &format!("alpha @ {}\n{}\n", file_url(&wheel), sdist.display()),
    );
    let target = "linux-64,python=3.12";
    let out = resolve(dir.path(), &input, &[target], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    let wheel_sha = sha(&std::fs::read(&wheel).expect("wheel"));
    assert!(
        lock.contains(&format!("url = \"{}\"", file_url(&wheel)))
            && lock.contains(&format!("hash = \"sha256:{wheel_sha}\"")),
        "{lock}"
    );
    let exported = export(dir.path(), target);
    let sdist_sha = sha(&std::fs::read(&sdist).expect("sdist"));
    for line in [
        format!(
            "alpha @ {} \\\n    --hash=sha256:{wheel_sha}",
            file_url(&wheel)
        ),
        format!(
            "epsilon @ {} \\\n    --hash=sha256:{sdist_sha}",
            file_url(&sdist)
        ),
        "beta==2.0".to_string(),
        "gamma==1.0".to_string(),
    ] {
        assert!(exported.contains(&line), "{line}\nnot in\n{exported}");
    }

    // Real uv, given the same input, picks the same versions.
    let Some(uv) = tool("uv") else { return };
    let fl = find_links();
    let uv_out = Command::new(&uv)
        .args(["pip", "compile", "--quiet", "--no-header", "--no-annotate"])
        .args(["--offline", "--no-index", "--find-links", &fl])
        .args([
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--python-version",
            "3.12",
        ])
        .arg(&input)
        .env("UV_NO_CACHE", "1")
        .output()
        .expect("run uv");
    assert!(
        uv_out.status.success(),
        "{}",
        String::from_utf8_lossy(&uv_out.stderr)
    );
    let names_and_versions = |text: &str| {
        let mut v: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.is_empty())
            .map(|l| l.trim_end_matches(" \\").to_string())
            .collect();
        v.sort();
        v
    };
    // uv writes a requirement given as a bare path back as that path; unilock names it.
    let uv_pins = String::from_utf8_lossy(&uv_out.stdout).replace(
        &sdist.display().to_string(),
        &format!("epsilon @ {}", file_url(&sdist)),
    );
    assert_eq!(
        names_and_versions(&uv_pins),
        names_and_versions(&exported),
        "uv"
    );

    // Real pip installs the hashed export as it is: the wheel by URL, the rest from
    // find-links. (The fixture sdist holds only its PKG-INFO, which pip would have to build.)
    let Some(pip) = tool("pip") else { return };
    let wheels = exported
        .replace(
            &format!(
                "epsilon @ {} \\\n    --hash=sha256:{sdist_sha}\n    # via -r {input}\n",
                file_url(&sdist)
            ),
            "",
        )
        .replace("    # via epsilon\n", "");
    assert!(!wheels.contains("epsilon"), "{wheels}");
    let file = write(dir.path(), "out.txt", &wheels);
    let installed = pip_dry_run(
        &pip,
        dir.path(),
        &["--no-index", "--find-links", &fl, "--no-deps", "-r", &file],
    );
    assert_eq!(installed, ["alpha==1.0", "beta==2.0", "gamma==1.0"]);
}

#[test]
fn a_wheel_over_http_is_checked_cached_and_written_without_credentials() {
    let server = TestServer::start();
    let wheel =
        std::fs::read(corpus("fixtures/find-links/alpha-1.0-py3-none-any.whl")).expect("wheel");
    let path = "/dist/alpha-1.0-py3-none-any.whl";
    server.route(
        path,
        Route::ok("application/octet-stream", wheel.clone()).with_auth("Basic dTpzM2NyZXQ="),
    );
    let url = server.url(path).replacen("http://", "http://u:s3cret@", 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let fl = find_links();
    let args = |input: &str, offline: bool| {
        let mut a = vec![
            "resolve".to_string(),
            input.to_string(),
            "--target".into(),
            "linux-64,python=3.12".into(),
            "--no-index".into(),
            "--find-links".into(),
            fl.clone(),
            "-o".into(),
            lock.clone(),
        ];
        if offline {
            a.push("--offline".into());
        }
        a
    };
    let run_args = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        run(dir.path(), &a, &[])
    };

    // A hash in the URL that the file does not have: exit 3 naming the file, nothing written.
    let wrong = write(
        dir.path(),
        "wrong.in",
        &format!("alpha @ {url}#sha256={}\n", "0".repeat(64)),
    );
    let out = run_args(args(&wrong, false));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("alpha-1.0-py3-none-any.whl") && err.contains("sha256"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
    assert!(!std::path::Path::new(&lock).exists());
    server.forget();

    let input = write(
        dir.path(),
        "requirements.in",
        &format!("alpha @ {url}#sha256={}\n", sha(&wheel)),
    );
    let out = run_args(args(&input, false));
    assert!(out.status.success(), "{}", stderr(&out));
    let online = std::fs::read_to_string(&lock).expect("lock");
    assert!(
        online.contains(&format!("url = \"{}\"", server.url(path)))
            && online.contains(&format!("sha256:{}", sha(&wheel))),
        "{online}"
    );
    assert_eq!(server.seen_at(path).len(), 1);
    // A URL that pins its hash is not fetched again; offline, the cache answers.
    let out = run_args(args(&input, false));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.seen_at(path).len(), 1);
    drop(server);
    std::fs::remove_file(&lock).expect("remove");
    let out = run_args(args(&input, true));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&lock).expect("lock"), online);
    let mut written = super::http::walk(&dir.path().join("cache"));
    written.push(lock.clone().into());
    assert!(written.len() > 2, "{written:?}");
    for file in written {
        let bytes = std::fs::read(&file).expect("read");
        assert!(
            !String::from_utf8_lossy(&bytes).contains("s3cret"),
            "{} holds the password",
            file.display()
        );
    }
}

#[test]
fn sources_that_need_a_build_or_disagree_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wheel = file_url(&corpus("fixtures/find-links/alpha-1.0-py3-none-any.whl"));
    let other = file_url(&corpus("fixtures/find-links/beta-1.0-py3-none-any.whl"));
    let zeta = corpus("fixtures/sdists/zeta-1.0.tar.gz");
    // A source directory with no pyproject.toml to name it.
    let unnamed = dir.path().join("unnamed");
    std::fs::create_dir(&unnamed).expect("mkdir");
    std::fs::write(unnamed.join("setup.py"), "").expect("write");
    // One whose pyproject.toml has no `[project]` table (its name is in setup.py).
    let nameless = dir.path().join("nameless");
    std::fs::create_dir(&nameless).expect("mkdir");
    std::fs::write(
        nameless.join("pyproject.toml"),
        "[build-system]\nrequires = [\"setuptools\"]\n",
    )
    .expect("write");
    let cases = [
        (
            "alpha @ git+https://host.example/alpha.git@\n".to_string(),
            "`@` is not a Git rev",
        ),
        (
            format!("{}\n", unnamed.display()),
            "it has no pyproject.toml; unilock names a requirement written without a name by its tree's `[project] name` before resolving (it builds a tree for its dependencies once it is named, not to learn its name)",
        ),
        (
            format!("{}\n", nameless.display()),
            "its pyproject.toml states no `[project] name`; unilock names",
        ),
        (
            format!("alpha @ {wheel}\nalpha @ {wheel}x\n"),
            "alpha is required from two URLs",
        ),
        (
            format!("alpha @ {other}\n"),
            "is a distribution of `beta`, not of `alpha`",
        ),
        // zeta's metadata requires alpha from a URL of its own choosing.
        (
            format!("{}\n", zeta.display()),
            "a dependency requires alpha @ https://files.example/alpha-1.0-py3-none-any.whl, but the input does not require it by URL",
        ),
        (
            format!("{}\nalpha @ {wheel}\n", zeta.display()),
            "but the input requires it from file://",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let input = write(dir.path(), &format!("case{i}.in"), text);
        let out = resolve(dir.path(), &input, &["linux-64,python=3.12"], &[]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{text}: {}", stderr(&out));
    }
}

#[test]
fn a_relative_path_after_the_name_is_read_from_the_file_s_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("dist")).expect("mkdir");
    let wheel = dir.path().join("dist/alpha-1.0-py3-none-any.whl");
    std::fs::copy(
        corpus("fixtures/find-links/alpha-1.0-py3-none-any.whl"),
        &wheel,
    )
    .expect("copy");
    let text = "alpha @ ./dist/alpha-1.0-py3-none-any.whl\n";
    let input = write(dir.path(), "requirements.in", text);
    let out = resolve(dir.path(), &input, &["linux-64,python=3.12"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    assert!(
        lock.contains(&format!("url = \"{}\"", file_url(&wheel))),
        "{lock}"
    );
    // Written back as written, not as this machine's absolute path.
    let out = unilock(&["convert", &input, "--to", "requirements"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(crate::stdout(&out), text);
}
