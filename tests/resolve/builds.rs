//! Sdists whose dependencies only a build tells (corpus/fixtures/sdist-builds: real sdists of
//! antlr4-python3-runtime 4.9.3, a `setup.py` only, and typer 0.4.0, a flit_core backend; a
//! constructed one whose `setup.py` raises), built on the host with the test tools' Python,
//! their build requirements resolved wheels-only from the same find-links directory.

use super::write;
use crate::{corpus, stderr, stdout, tool, unilock_with_env};
use std::path::Path;
use std::process::{Command, Output};

fn find_links() -> String {
    corpus("fixtures/sdist-builds/find-links")
        .display()
        .to_string()
}

const TARGET: &str = "linux-64,python=3.12";

/// `unilock resolve INPUT` against the sdist-builds find-links directory, with the cache in
/// `dir/cache`, the lock in `dir/unilock.lock` and no interpreter from the caller's
/// environment.
pub(super) fn resolve(dir: &Path, input: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let lock = dir.join("unilock.lock").display().to_string();
    let cache = dir.join("cache").display().to_string();
    let fl = find_links();
    let mut args = vec![
        "resolve",
        input,
        "--no-index",
        "--find-links",
        &fl,
        "--cache-dir",
        &cache,
        "--target",
        TARGET,
        "-o",
        &lock,
    ];
    args.extend(extra);
    let mut env = env.to_vec();
    env.extend([("UNILOCK_PYTHON", ""), ("UV_PYTHON", "")]);
    unilock_with_env(&args, &env)
}

fn lock_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("unilock.lock")).expect("lock")
}

/// The `[[package]]` block of `name` in a lock.
fn block<'a>(lock: &'a str, name: &str) -> &'a str {
    let start = lock
        .find(&format!("[[package]]\nname = \"{name}\""))
        .unwrap_or_else(|| panic!("{name} is not in the lock:\n{lock}"));
    let rest = &lock[start + 1..];
    let end = rest
        .find("[[package]]")
        .map_or(lock.len(), |e| start + 1 + e);
    &lock[start..end]
}

/// typer 0.4.0 (flit_core, metadata 2.1) and antlr4-python3-runtime 4.9.3 (`setup.py` only,
/// metadata 1.0) are built to learn their dependencies: typer's `click` is locked; the lock
/// and `show` say the dependency lists came from a build on the host; uv picks the same pins.
#[test]
fn sdists_whose_dependencies_are_not_static_are_built_on_the_host() {
    let Some(python) = tool("python") else { return };
    let python = python.display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "requirements.in",
        "typer==0.4.0\nantlr4-python3-runtime==4.9.3\n",
    );
    let out = resolve(dir.path(), &input, &["--python", &python], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("is skipped"), "{}", stderr(&out));
    let lock = lock_text(dir.path());
    let typer = block(&lock, "typer");
    assert!(
        typer.contains("dependencies = [\"click>=7.1.1,<9.0.0\"]"),
        "{typer}"
    );
    assert!(typer.contains("dependencies-from-build = true"), "{typer}");
    let antlr = block(&lock, "antlr4-python3-runtime");
    assert!(antlr.contains("dependencies-from-build = true"), "{antlr}");
    let click = block(&lock, "click");
    assert!(click.contains("version = \"8.1.7\""), "{click}");
    assert!(!click.contains("dependencies-from-build"), "{click}");

    let path = dir.path().join("unilock.lock").display().to_string();
    let shown = unilock_with_env(&["show", &path], &[]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(
        text.contains("  typer 0.4.0 (dependencies from a build on the host)\n"),
        "{text}"
    );
    assert!(text.contains("  click 8.1.7\n"), "{text}");
    let json = unilock_with_env(&["show", &path, "--json"], &[]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let packages = doc["packages"].as_array().expect("packages");
    let flag = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["dependencies_from_build"].clone())
    };
    assert_eq!(flag("typer"), Some(serde_json::Value::Bool(true)));
    assert_eq!(flag("click"), Some(serde_json::Value::Null));

    let Some(uv) = tool("uv") else { return };
    let fl = find_links();
    let uv_out = Command::new(&uv)
        .args(["pip", "compile", "--quiet", "--no-header", "--no-annotate"])
        .args(["--offline", "--no-index", "--find-links", &fl])
        .args(["--python", &python, "--python-version", "3.12", &input])
        .env("UV_NO_CACHE", "1")
        .output()
        .expect("run uv");
    assert!(
        uv_out.status.success(),
        "{}",
        String::from_utf8_lossy(&uv_out.stderr)
    );
    assert_eq!(
        super::pins(&String::from_utf8_lossy(&uv_out.stdout)),
        [
            "antlr4-python3-runtime==4.9.3",
            "click==8.1.7",
            "typer==0.4.0"
        ]
    );
}

/// The built metadata is cached by the sdist's sha256: a second run, offline and with no usable
/// interpreter, needs no build.
#[test]
fn built_metadata_is_cached_and_used_offline_without_an_interpreter() {
    let Some(python) = tool("python") else { return };
    let python = python.display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.in", "typer\n");
    let out = resolve(dir.path(), &input, &["--python", &python], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = lock_text(dir.path());
    std::fs::remove_file(dir.path().join("unilock.lock")).expect("remove");
    let out = resolve(
        dir.path(),
        &input,
        &["--offline", "--python", "/nonexistent.invalid/python3"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lock_text(dir.path()), first);
    // Without the cache the same run must build, and the interpreter it names is refused.
    let fresh = tempfile::tempdir().expect("tempdir");
    let out = resolve(
        fresh.path(),
        &input,
        &["--python", "/nonexistent.invalid/python3"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("--python /nonexistent.invalid/python3: not a usable Python interpreter"),
        "{}",
        stderr(&out)
    );
}

/// `--no-build` forbids the build, and the failure names the version that needed it and why.
#[test]
fn no_build_names_the_packages_that_needed_a_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.in", "typer\n");
    let out = resolve(dir.path(), &input, &["--no-build"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("typer 0.4.0 has only the source distribution typer-0.4.0.tar.gz, whose dependencies are only known after a build (its PKG-INFO is metadata 2.1, older than 2.2, so its dependencies may change in a build; --no-build forbids building it)"),
        "{err}"
    );
}

/// A `setup.py` that raises (a constructed sdist): the error names the package, the backend
/// and the backend's last lines, and no lock is written.
#[test]
fn a_failing_build_names_the_package_the_backend_and_its_last_lines() {
    let Some(python) = tool("python") else { return };
    let python = python.display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.in", "broken-setup\n");
    let out = resolve(dir.path(), &input, &["--python", &python], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    for says in [
        "error: broken-setup: the build backend setuptools.build_meta:__legacy__ failed to prepare the metadata of broken_setup-1.0.tar.gz",
        "the backend's last lines of output:",
        "RuntimeError: this setup.py fails on purpose: the C library it probes for is missing",
        "--no-build",
    ] {
        assert!(err.contains(says), "{says}\n{err}");
    }
    assert!(!dir.path().join("unilock.lock").exists());
}

/// Offline, an sdist from an HTTP index whose build is not in the cache fails naming the sdist
/// and saying the build cannot run offline (exit 3).
#[test]
fn offline_a_build_that_is_not_cached_fails_naming_the_sdist() {
    use unilock_registries::testing::{Route, TestServer};
    let server = TestServer::start();
    let sdist = std::fs::read(corpus(
        "fixtures/sdist-builds/find-links/typer-0.4.0.tar.gz",
    ))
    .expect("sdist");
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&sdist)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    server.route(
        "/files/typer-0.4.0.tar.gz",
        Route::ok("application/octet-stream", sdist.clone()),
    );
    let url = server.url("/files/typer-0.4.0.tar.gz");
    server.route(
        "/simple/typer/",
        Route::ok(
            "application/vnd.pypi.simple.v1+json",
            format!(
                r#"{{"files": [{{"filename": "typer-0.4.0.tar.gz", "url": "{url}", "hashes": {{"sha256": "{sha}"}}, "size": {}}}]}}"#,
                sdist.len()
            ),
        ),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.in", "typer\n");
    let index = server.url("/simple/");
    let cache = dir.path().join("cache").display().to_string();
    let lock = dir.path().join("unilock.lock").display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "resolve",
            &input,
            "--index-url",
            &index,
            "--cache-dir",
            &cache,
            "--target",
            TARGET,
            "-o",
            &lock,
        ];
        args.extend(extra);
        unilock_with_env(&args, &[("NETRC", "")])
    };
    let out = run(&["--no-build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = run(&["--offline", "--python", "/nonexistent.invalid/python3"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: --offline: the dependencies of typer-0.4.0.tar.gz are known only from a build, which is not in the cache, and the build cannot run offline"),
        "{}",
        stderr(&out)
    );
}

/// The shape of `kombu[redis]` in apache-airflow[all]: `top` 2.0 asks for `broken-setup>=2`
/// and for its extra `broken-setup[x]` with no bound; broken-setup[x] at 2.0 needs `dep<2`,
/// which the input's `dep>=2` forbids, so the search walks down the extra's versions to
/// broken-setup 1.0, the sdist whose build fails. That version is ruled out by `>=2` already:
/// it is passed over without a build, and the search goes on to top 1.0 (exit 0, no build).
#[test]
fn an_extra_at_a_ruled_out_version_is_passed_over_without_building_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = dir.path().join("links");
    std::fs::create_dir(&links).expect("links");
    // The sdist whose `setup.py` raises, and its build backend (so a build would run).
    for file in [
        "broken_setup-1.0.tar.gz",
        "setuptools-84.2.1-py3-none-any.whl",
        "wheel-0.48.0-py3-none-any.whl",
    ] {
        std::fs::copy(
            corpus(&format!("fixtures/sdist-builds/find-links/{file}")),
            links.join(file),
        )
        .expect("fixture");
    }
    // Wheels with only their core metadata file beside them (what the solve reads).
    for (file, headers) in [
        (
            "top-2.0-py3-none-any.whl",
            "Requires-Dist: broken-setup>=2\nRequires-Dist: broken-setup[x]\n",
        ),
        ("top-1.0-py3-none-any.whl", "Requires-Dist: broken-setup\n"),
        (
            "broken_setup-2.0-py3-none-any.whl",
            "Provides-Extra: x\nRequires-Dist: dep<2; extra == \"x\"\n",
        ),
        ("dep-1.0-py3-none-any.whl", ""),
        ("dep-2.0-py3-none-any.whl", ""),
    ] {
        let mut parts = file.split('-');
        let (name, version) = (parts.next().unwrap(), parts.next().unwrap());
        std::fs::write(links.join(file), b"").expect("wheel");
        std::fs::write(
            links.join(format!("{file}.metadata")),
            format!("Metadata-Version: 2.2\nName: {name}\nVersion: {version}\n{headers}"),
        )
        .expect("metadata");
    }
    let input = write(dir.path(), "requirements.in", "top\ndep>=2\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let cache = dir.path().join("cache").display().to_string();
    let links = links.display().to_string();
    let mut args = vec![
        "resolve",
        &input,
        "--no-index",
        "--find-links",
        &links,
        "--cache-dir",
        &cache,
        "--target",
        TARGET,
        "-o",
        &lock,
    ];
    let python = tool("python").map(|p| p.display().to_string());
    if let Some(python) = &python {
        args.extend(["--python", python]);
    }
    let out = unilock_with_env(&args, &[("UNILOCK_PYTHON", ""), ("UV_PYTHON", "")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = lock_text(dir.path());
    for (name, version) in [("broken-setup", "2.0"), ("dep", "2.0"), ("top", "1.0")] {
        assert!(
            block(&lock, name).contains(&format!("version = \"{version}\"")),
            "{name} {version}:\n{lock}"
        );
    }
    assert!(
        !stderr(&out).contains("broken_setup-1.0"),
        "{}",
        stderr(&out)
    );
}
