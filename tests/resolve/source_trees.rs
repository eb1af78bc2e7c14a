//! Git repositories and source directories as requirements (`name @ git+file://…@v1`,
//! `#subdirectory=`, `./dir`, `-e .`): a local repository is built inside each test (git
//! init, a tag, a branch, a subdirectory project, a setuptools project whose metadata is
//! dynamic); the rev is pinned to its commit in the lock (checked against `git rev-parse`),
//! the mirror in the cache serves `--offline`, errors name the requirement and its line, and
//! the exports are read by real pip and uv.

use super::{find_links, write};
use crate::{stderr, stdout, tool, unilock_with_env};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(super) const TARGET: &str = "linux-64,python=3.12";

/// `git` with a fixed identity, in `dir`; its output.
pub(super) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out).trim().to_string()
}

/// Whether `git` runs here; tests that need it skip with a message when it does not.
pub(super) fn have_git() -> bool {
    let ok = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: git is not installed");
    }
    ok
}

pub(super) fn pyproject(name: &str, version: &str, deps: &[&str]) -> String {
    let deps: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
    format!(
        "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"{name}\"\nversion = \"{version}\"\ndependencies = [{}]\n",
        deps.join(", ")
    )
}

/// A repository: `tool` 1.0 (needs beta) tagged `v1`; then on branch `next`, `tool` 2.0
/// (needs gamma) and a subdirectory project `sub` 0.5 (needs alpha). The default branch
/// stays at `v1`. Returns the repository and the commits of `v1` and `next`.
pub(super) fn repository(root: &Path) -> (PathBuf, String, String) {
    let repo = root.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "--quiet", "--initial-branch=main"]);
    std::fs::write(
        repo.join("pyproject.toml"),
        pyproject("tool", "1.0", &["beta<2"]),
    )
    .expect("write");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "one"]);
    git(&repo, &["tag", "v1"]);
    let v1 = git(&repo, &["rev-parse", "v1^{commit}"]);
    git(&repo, &["checkout", "--quiet", "-b", "next"]);
    std::fs::write(
        repo.join("pyproject.toml"),
        pyproject("tool", "2.0", &["gamma"]),
    )
    .expect("write");
    std::fs::create_dir_all(repo.join("python")).expect("mkdir");
    std::fs::write(
        repo.join("python/pyproject.toml"),
        pyproject("sub", "0.5", &["alpha"]),
    )
    .expect("write");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "two"]);
    let next = git(&repo, &["rev-parse", "HEAD"]);
    git(&repo, &["checkout", "--quiet", "main"]);
    (repo, v1, next)
}

pub(super) fn file_url(path: &Path) -> String {
    url::Url::from_file_path(path)
        .expect("absolute")
        .to_string()
}

/// `unilock resolve INPUT` against the find-links fixtures, with its own cache, `env` added.
pub(super) fn resolve_in(dir: &Path, input: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    resolve_for(dir, input, TARGET, extra, env)
}

/// [`resolve_in`] for `target`.
pub(super) fn resolve_for(
    dir: &Path,
    input: &str,
    target: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Output {
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
        target,
        "-o",
        &lock,
    ];
    args.extend(extra);
    unilock_with_env(&args, env)
}

/// `unilock resolve PYPROJECT` as the sdist-build tests run it ([`super::builds::resolve`]),
/// building with the interpreter `python`.
fn resolve_project(dir: &Path, pyproject: &str, python: &Path, extra: &[&str]) -> Output {
    let python = python.display().to_string();
    let mut args = vec!["--python", python.as_str()];
    args.extend(extra);
    super::builds::resolve(dir, pyproject, &args, &[])
}

/// `root/libs/local-pkg`: a source directory whose static pyproject.toml says local-pkg 0.3,
/// depending on alpha.
pub(super) fn local_package(root: &Path) -> PathBuf {
    let libs = root.join("libs/local-pkg");
    std::fs::create_dir_all(&libs).expect("mkdir");
    std::fs::write(
        libs.join("pyproject.toml"),
        pyproject("local-pkg", "0.3", &["alpha"]),
    )
    .expect("write");
    libs
}

/// The `[[package]]` block of `name` in a lock.
pub(super) fn block(lock: &str, name: &str) -> String {
    let start = lock
        .find(&format!("[[package]]\nname = \"{name}\""))
        .unwrap_or_else(|| panic!("{name} is not in the lock:\n{lock}"));
    let rest = &lock[start + 1..];
    let end = rest
        .find("[[package]]")
        .map_or(lock.len(), |e| start + 1 + e);
    lock[start..end].to_string()
}

pub(super) fn lock_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("unilock.lock")).expect("lock")
}

#[test]
fn git_revs_are_pinned_to_their_commits_and_read_offline_from_the_mirror() {
    if !have_git() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (repo, v1, next) = repository(dir.path());
    let url = format!("git+{}", file_url(&repo));
    let input = write(
        dir.path(),
        "requirements.in",
        &format!("tool @ {url}@v1\nsub @ {url}@next#subdirectory=python\n"),
    );
    let out = resolve_in(dir.path(), &input, &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = lock_of(dir.path());
    assert!(lock.contains("\nversion = 4\n"), "{lock}");
    let tool_block = block(&lock, "tool");
    assert!(tool_block.contains("version = \"1.0\""), "{tool_block}");
    assert!(
        tool_block.contains(&format!("url = \"{url}@{v1}\"")),
        "{tool_block}"
    );
    assert!(
        tool_block.contains("requested-revision = \"v1\""),
        "{tool_block}"
    );
    assert!(!tool_block.contains("[[package.artifact]]"), "{tool_block}");
    let sub = block(&lock, "sub");
    assert!(
        sub.contains(&format!("url = \"{url}@{next}#subdirectory=python\"")),
        "{sub}"
    );
    assert!(block(&lock, "beta").contains("version = \"1.0\""), "{lock}");
    assert!(lock.contains("name = \"alpha\""), "{lock}");
    assert!(
        stderr(&out).contains(&format!(
            "tool 1.0 is built from source for {TARGET}: the input requires it from the source tree {url}@{v1}"
        )),
        "{}",
        stderr(&out)
    );

    // The branch moves on; the tag and the commit id do not. A second run, offline, reads
    // the mirror in the cache (the repository itself is gone).
    let moved = dir.path().join("moved");
    std::fs::rename(&repo, &moved).expect("rename");
    let offline = resolve_in(dir.path(), &input, &["--offline"], &[]);
    assert!(offline.status.success(), "{}", stderr(&offline));
    assert_eq!(lock_of(dir.path()), lock);
    // By commit id, with the repository gone and no --offline: the mirror has the commit.
    let by_commit = write(dir.path(), "commit.in", &format!("tool @ {url}@{next}\n"));
    let out = resolve_in(dir.path(), &by_commit, &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tool_block = block(&lock_of(dir.path()), "tool");
    assert!(tool_block.contains("version = \"2.0\""), "{tool_block}");
    assert!(tool_block.contains(&format!("@{next}\"")), "{tool_block}");
    // A rev the mirror lacks, offline: says which repository and rev.
    let unknown = write(dir.path(), "unknown.in", &format!("tool @ {url}@v9\n"));
    let out = resolve_in(dir.path(), &unknown, &["--offline"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("unknown.in:1:1"), "{err}");
    assert!(err.contains("--offline") && err.contains("`v9`"), "{err}");
}

#[test]
fn unknown_revs_missing_git_and_malformed_urls_are_clear_errors() {
    if !have_git() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (repo, ..) = repository(dir.path());
    let url = format!("git+{}", file_url(&repo));
    let input = write(
        dir.path(),
        "requirements.in",
        &format!("alpha\ntool @ {url}@no-such-rev\n"),
    );
    let out = resolve_in(dir.path(), &input, &[], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("requirements.in:2:1"), "{err}");
    assert!(
        err.contains("no branch, tag or commit `no-such-rev`"),
        "{err}"
    );

    // No git on PATH.
    let empty = dir.path().join("empty-bin");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let good = write(dir.path(), "good.in", &format!("tool @ {url}@v1\n"));
    let out = resolve_in(
        dir.path(),
        &good,
        &[],
        &[("PATH", &empty.display().to_string())],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("good.in:1:1"), "{err}");
    assert!(err.contains("`git` program is not on PATH"), "{err}");

    // A repository that does not exist: git's own words, and no credentials.
    let missing = write(
        dir.path(),
        "missing.in",
        "tool @ git+file:///nonexistent.invalid/repo@v1\n",
    );
    let out = resolve_in(dir.path(), &missing, &[], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("`git fetch`"), "{}", stderr(&out));

    // Credentials in the URL reach git and nothing else: not the message, not the cache.
    let secret = write(
        dir.path(),
        "secret.in",
        "tool @ git+https://user:s3cret@127.0.0.1:1/repo.git@v1\n",
    );
    let out = resolve_in(dir.path(), &secret, &[], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("secret.in:1:1") && err.contains("127.0.0.1"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
    let mut stack = vec![dir.path().join("cache")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                assert!(
                    !String::from_utf8_lossy(&bytes).contains("s3cret"),
                    "{} holds the password",
                    path.display()
                );
            }
        }
    }

    // A malformed Git URL is bad input (exit 2).
    let bad = write(
        dir.path(),
        "bad.in",
        "tool @ git+https://host.example/repo.git@\n",
    );
    let out = resolve_in(dir.path(), &bad, &[], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("bad.in:1:1") && err.contains("`@` is not a Git rev"),
        "{err}"
    );
}

#[test]
fn source_directories_with_static_metadata_are_locked_relative_to_the_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let libs = dir.path().join("libs/local-pkg");
    std::fs::create_dir_all(&libs).expect("mkdir");
    std::fs::write(
        libs.join("pyproject.toml"),
        pyproject("local-pkg", "0.3", &["beta<2"]),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("pyproject.toml"),
        pyproject("app", "0.1", &["alpha"]),
    )
    .expect("write");
    let input = write(dir.path(), "requirements.in", "-e ./libs/local-pkg\n.\n");
    let out = resolve_in(dir.path(), &input, &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = lock_of(dir.path());
    let local = block(&lock, "local-pkg");
    assert!(
        local.contains("[package.directory]\npath = \"libs/local-pkg\"\neditable = true\n"),
        "{local}"
    );
    let app = block(&lock, "app");
    assert!(app.contains("[package.directory]\npath = \".\"\n"), "{app}");
    assert!(!app.contains("editable"), "{app}");
    assert!(block(&lock, "beta").contains("version = \"1.0\""), "{lock}");
    assert!(lock.contains("name = \"alpha\""), "{lock}");

    let lock_path = dir.path().join("unilock.lock").display().to_string();
    // Exports name the directories relative to where they are written.
    let export = |to: &str| {
        let file = dir
            .path()
            .join(format!("exported.{to}"))
            .display()
            .to_string();
        let out = unilock_with_env(
            &[
                "export", "--lock", &lock_path, "--to", to, "--target", TARGET, "-o", &file,
            ],
            &[],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        (
            std::fs::read_to_string(&file).expect("export"),
            stderr(&out),
        )
    };
    let (requirements, warned) = export("requirements");
    assert!(
        requirements.contains("-e libs/local-pkg\n")
            || requirements.contains("-e ./libs/local-pkg\n"),
        "{requirements}"
    );
    assert!(
        requirements.contains("\n./\n") || requirements.contains("\n.\n"),
        "{requirements}"
    );
    assert!(warned.contains("hash-checking mode"), "{warned}");
    let (pylock, _) = export("pylock");
    assert!(
        pylock.contains("directory = { path = \"libs/local-pkg\", editable = true }"),
        "{pylock}"
    );
    // Written elsewhere, the paths lead from there; uv takes the uv.lock as current.
    let project = dir.path().join("uv-project");
    let project_s = project.display().to_string();
    let target = "linux-64,python=3.11";
    let out = resolve_for(dir.path(), &input, target, &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = unilock_with_env(
        &[
            "export", "--lock", &lock_path, "--to", "uv-lock", "--target", target, "-o", &project_s,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let uv_lock = std::fs::read_to_string(project.join("uv.lock")).expect("uv.lock");
    assert!(
        uv_lock.contains("source = { editable = \"../libs/local-pkg\" }"),
        "{uv_lock}"
    );
    assert!(
        uv_lock.contains("source = { directory = \"..\" }"),
        "{uv_lock}"
    );
    if let (Some(uv), Some(python)) = (tool("uv"), tool("python")) {
        let out = Command::new(&uv)
            .current_dir(&project)
            .args([
                "lock",
                "--locked",
                "--offline",
                "--no-python-downloads",
                "--python",
            ])
            .arg(&python)
            .env("UV_NO_CACHE", "1")
            .env_remove("VIRTUAL_ENV")
            .output()
            .expect("run uv");
        assert!(
            out.status.success(),
            "uv refused the exported uv.lock:\n{}\n{uv_lock}\n{}",
            stderr(&out),
            std::fs::read_to_string(project.join("pyproject.toml")).unwrap_or_default()
        );
    }
}

#[test]
fn trees_whose_metadata_is_dynamic_are_built_and_the_lock_says_so() {
    let Some(python) = tool("python") else { return };
    if !have_git() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    // setuptools with dependencies from setup.py: only a build tells them.
    let project = dir.path().join("dyn");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("setup.py"),
        "import os\nfrom setuptools import setup\nwith open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'runs.log'), 'a') as f:\n    f.write('x')\nsetup(name='dyn', version='0.7', install_requires=['click'])\n",
    )
    .expect("write");
    git(&project, &["init", "--quiet", "--initial-branch=main"]);
    git(&project, &["add", "."]);
    git(&project, &["commit", "--quiet", "-m", "one"]);
    let commit = git(&project, &["rev-parse", "HEAD"]);
    let fl = crate::corpus("fixtures/sdist-builds/find-links")
        .display()
        .to_string();
    let python = python.display().to_string();
    for (input, pinned) in [
        (format!("dyn @ git+{}\n", file_url(&project)), true),
        ("dyn @ ./dyn\n".to_string(), false),
    ] {
        let input = write(dir.path(), "requirements.in", &input);
        let lock = dir.path().join("unilock.lock").display().to_string();
        let cache = dir.path().join("cache").display().to_string();
        let out = unilock_with_env(
            &[
                "resolve",
                &input,
                "--no-index",
                "--find-links",
                &fl,
                "--cache-dir",
                &cache,
                "--target",
                TARGET,
                "-o",
                &lock,
                "--python",
                &python,
            ],
            &[("UNILOCK_PYTHON", ""), ("UV_PYTHON", "")],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let text = lock_of(dir.path());
        let dyn_block = block(&text, "dyn");
        assert!(dyn_block.contains("version = \"0.7\""), "{dyn_block}");
        assert!(
            dyn_block.contains("dependencies-from-build = true"),
            "{dyn_block}"
        );
        assert!(
            dyn_block.contains("dependencies = [\"click\"]"),
            "{dyn_block}"
        );
        assert_eq!(dyn_block.contains(&commit), pinned, "{dyn_block}");
        assert!(text.contains("name = \"click\""), "{text}");
    }
    // A local directory is built once per run, however many targets need it.
    let runs = || {
        std::fs::read_to_string(project.join("runs.log"))
            .unwrap_or_default()
            .len()
    };
    let input = write(dir.path(), "requirements.in", "dyn @ ./dyn\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let builds_for = |targets: &[&str]| {
        let _ = std::fs::remove_file(project.join("runs.log"));
        let mut args = vec![
            "resolve",
            &input,
            "--no-index",
            "--find-links",
            &fl,
            "-o",
            &lock,
            "--python",
            &python,
        ];
        for t in targets {
            args.extend(["--target", t]);
        }
        let out = unilock_with_env(&args, &[("UNILOCK_PYTHON", ""), ("UV_PYTHON", "")]);
        assert!(out.status.success(), "{}", stderr(&out));
        runs()
    };
    let one = builds_for(&[TARGET]);
    assert!(one > 0);
    assert_eq!(
        builds_for(&[TARGET, "linux-aarch64,python=3.12", "linux-64,python=3.11"]),
        one
    );

    // The metadata built from the Git tree is cached by its commit: offline, with no
    // interpreter to build with, the same lock comes out.
    let input = write(
        dir.path(),
        "requirements.in",
        &format!("dyn @ git+{}@{commit}\n", file_url(&project)),
    );
    let lock = dir.path().join("unilock.lock").display().to_string();
    let cache = dir.path().join("cache").display().to_string();
    let missing = dir.path().join("no-python").display().to_string();
    let out = unilock_with_env(
        &[
            "resolve",
            &input,
            "--no-index",
            "--find-links",
            &fl,
            "--cache-dir",
            &cache,
            "--target",
            TARGET,
            "-o",
            &lock,
            "--offline",
            "--python",
            &missing,
        ],
        &[("UNILOCK_PYTHON", ""), ("UV_PYTHON", "")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let dyn_block = block(&lock_of(dir.path()), "dyn");
    assert!(
        dyn_block.contains("dependencies-from-build = true"),
        "{dyn_block}"
    );
    assert!(dyn_block.contains(&commit), "{dyn_block}");
}

/// A pyproject.toml whose dependencies (and extras) are `dynamic` is built for them, as uv
/// builds it: the project itself is in the lock as an editable directory whose dependencies
/// came from the build, an `--extra` only the build defines is taken, and `--no-build` says
/// which project needed one.
#[test]
fn a_project_whose_dependencies_are_dynamic_is_built_for_them() {
    let Some(python) = tool("python") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("app");
    std::fs::create_dir_all(&project).expect("mkdir");
    let pyproject = write(
        &project,
        "pyproject.toml",
        "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n\
         [project]\nname = \"app\"\nversion = \"1.0\"\ndynamic = [\"dependencies\", \"optional-dependencies\"]\n\n\
         [tool.setuptools]\npy-modules = []\n\n\
         [tool.setuptools.dynamic]\ndependencies = { file = [\"requirements.txt\"] }\n\
         optional-dependencies.toml = { file = [\"toml.txt\"] }\n",
    );
    write(&project, "requirements.txt", "click>=8\n");
    write(&project, "toml.txt", "pytoml\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let run = |extra: &[&str]| resolve_project(dir.path(), &pyproject, &python, extra);
    let out = run(&["--extra", "toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = lock_of(dir.path());
    let app = block(&text, "app");
    assert!(app.contains("dependencies-from-build = true"), "{app}");
    assert!(app.contains("click>=8"), "{app}");
    assert!(
        app.contains("[package.directory]\npath = \"app\"\neditable = true"),
        "{app}"
    );
    assert!(text.contains("name = \"click\""), "{text}");
    assert!(text.contains("name = \"pytoml\""), "{text}");
    // Without the extra, only the main dependencies.
    std::fs::remove_file(&lock).expect("rm");
    let out = run(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = lock_of(dir.path());
    assert!(text.contains("name = \"click\""), "{text}");
    assert!(!text.contains("name = \"pytoml\""), "{text}");
    // --no-build names the project that needed a build.
    std::fs::remove_file(&lock).expect("rm");
    let out = run(&["--no-build"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("app @ file://"), "{err}");
    assert!(err.contains("--no-build"), "{err}");
    assert!(!Path::new(&lock).exists());
}

/// A pyproject.toml whose dependencies are static but whose optional-dependencies are
/// `dynamic`: an `--extra` the file does not define is asked of a build of the project (it
/// used to be refused as "only known after a build"); without such an extra, nothing is built.
#[test]
fn an_extra_only_a_build_defines_is_taken_from_the_build() {
    let Some(python) = tool("python") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("app");
    std::fs::create_dir_all(&project).expect("mkdir");
    let pyproject = write(
        &project,
        "pyproject.toml",
        "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n\
         [project]\nname = \"app\"\nversion = \"1.0\"\ndependencies = [\"click>=8\"]\ndynamic = [\"optional-dependencies\"]\n\n\
         [tool.setuptools]\npy-modules = []\n\n\
         [tool.setuptools.dynamic]\noptional-dependencies.toml = { file = [\"toml.txt\"] }\n",
    );
    write(&project, "toml.txt", "pytoml\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let run = |extra: &[&str]| resolve_project(dir.path(), &pyproject, &python, extra);
    let out = run(&["--extra", "toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = lock_of(dir.path());
    let app = block(&text, "app");
    assert!(app.contains("dependencies-from-build = true"), "{app}");
    assert!(
        app.contains("[package.directory]\npath = \"app\"\neditable = true"),
        "{app}"
    );
    assert!(text.contains("name = \"click\""), "{text}");
    assert!(text.contains("name = \"pytoml\""), "{text}");
    // Without the extra: the static dependencies, and no build.
    std::fs::remove_file(&lock).expect("rm");
    let out = run(&["--no-build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = lock_of(dir.path());
    assert!(text.contains("name = \"click\""), "{text}");
    assert!(!text.contains("name = \"app\""), "{text}");
    assert!(!text.contains("name = \"pytoml\""), "{text}");
}
