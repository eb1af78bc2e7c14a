//! What the lock of a Git pin or a source directory becomes: the exports (requirements read
//! by pip, pylock.toml and uv.lock read by uv), `show`, and `resolve --locked` when a branch
//! moved or a directory changed. The repositories and helpers are those of
//! [`super::source_trees`].

use super::source_trees::{
    file_url, git, have_git, local_package, lock_of, pyproject, repository, resolve_for, resolve_in,
};
use super::{find_links, write};
use crate::{stderr, stdout, tool, unilock_with_env};
use std::process::Command;

/// The exports of a Git pin: pip installs the requirements line from the repository; uv
/// reads the exported uv.lock and pylock.toml.
#[test]
fn git_pins_export_as_pip_pep_751_and_uv_spell_them() {
    if !have_git() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (repo, v1, _) = repository(dir.path());
    let url = format!("git+{}", file_url(&repo));
    // Written without a name: the checkout's pyproject.toml names it.
    let input = write(dir.path(), "requirements.in", &format!("{url}@v1\n"));
    // The Python of the test tools, which uv runs with.
    let target = "linux-64,python=3.11";
    let out = resolve_for(dir.path(), &input, target, &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock_path = dir.path().join("unilock.lock").display().to_string();
    let export = |to: &str, extra: &[&str]| {
        let mut args = vec![
            "export", "--lock", &lock_path, "--to", to, "--target", target,
        ];
        args.extend(extra);
        let out = unilock_with_env(&args, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let requirements = export("requirements", &[]);
    assert!(
        requirements.contains(&format!("tool @ {url}@{v1}\n")),
        "{requirements}"
    );
    let pylock = export("pylock", &[]);
    for line in [
        "type = \"git\"".to_string(),
        format!("url = \"{}\"", file_url(&repo)),
        "requested-revision = \"v1\"".to_string(),
        format!("commit-id = \"{v1}\""),
    ] {
        assert!(pylock.contains(&line), "{line} not in\n{pylock}");
    }
    let out_dir = dir.path().join("uv-project");
    let out_dir_s = out_dir.display().to_string();
    let _ = export("uv-lock", &["-o", &out_dir_s]);
    let uv_lock = std::fs::read_to_string(out_dir.join("uv.lock")).expect("uv.lock");
    assert!(
        uv_lock.contains(&format!(
            "source = {{ git = \"{}?rev=v1#{v1}\" }}",
            file_url(&repo)
        )),
        "{uv_lock}"
    );

    // Real pip installs the exported line from the repository (no hashes: pip refuses
    // hash-checking for VCS lines).
    if let Some(pip) = tool("pip") {
        let plain = export("requirements", &["--no-hashes"]);
        let req = write(dir.path(), "exported.txt", &plain);
        let fl = find_links();
        // setuptools, for pip's own build of the checkout.
        let builds = crate::corpus("fixtures/sdist-builds/find-links")
            .display()
            .to_string();
        let pins = crate::formats::acceptance::pip_dry_run(
            &pip,
            dir.path(),
            &[
                "--no-index",
                "--find-links",
                &fl,
                "--find-links",
                &builds,
                "-r",
                &req,
            ],
        );
        assert!(pins.contains(&"tool==1.0".to_string()), "{pins:?}");
        // pip reads the pylock.toml's [packages.vcs] as the pinned commit; its (experimental)
        // pylock installs check hashes, which a repository has none of, so it stops there,
        // naming the requirement it read.
        std::fs::write(dir.path().join("pylock.toml"), &pylock).expect("write");
        let out = Command::new(&pip)
            .current_dir(dir.path())
            .args([
                "install",
                "--dry-run",
                "--ignore-installed",
                "--no-index",
                "-r",
            ])
            .arg("pylock.toml")
            .env("PIP_NO_INPUT", "1")
            .output()
            .expect("run pip");
        let said = stderr(&out);
        assert!(
            said.contains(&format!(
                "tool @ {}@{v1}",
                url.replace("file:///", "file:/")
            )),
            "{said}\n{pylock}"
        );
    }
    // Real uv reads the exported uv.lock as up to date with its pyproject.toml.
    if let Some(uv) = tool("uv") {
        let out = Command::new(&uv)
            .current_dir(&out_dir)
            .args(["lock", "--locked", "--no-python-downloads", "--python"])
            .arg(tool("python").expect("the test tools' python"))
            .env("UV_NO_CACHE", "1")
            .env_remove("VIRTUAL_ENV")
            .output()
            .expect("run uv");
        assert!(
            out.status.success(),
            "uv refused the exported uv.lock:\n{}\n{uv_lock}\n{}",
            stderr(&out),
            std::fs::read_to_string(out_dir.join("pyproject.toml")).unwrap_or_default()
        );
    }
}

/// Real uv installs (dry run) an exported pylock.toml holding a Git package (`[packages.vcs]`),
/// an editable source directory (`[packages.directory]`) and wheels from a find-links
/// directory, whose `index` is a `file://` URL (uv refuses a bare path: "relative URL without
/// a base").
#[test]
fn uv_installs_an_exported_pylock_with_git_directory_and_find_links_packages() {
    if !have_git() {
        return;
    }
    let Some(uv) = tool("uv") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (repo, v1, _) = repository(dir.path());
    let url = format!("git+{}", file_url(&repo));
    let libs = local_package(dir.path());
    let input = write(
        dir.path(),
        "requirements.in",
        &format!("tool @ {url}@v1\n-e ./libs/local-pkg\n"),
    );
    let target = "linux-64,python=3.11";
    let out = resolve_for(dir.path(), &input, target, &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock_path = dir.path().join("unilock.lock").display().to_string();
    let pylock_path = dir.path().join("pylock.toml").display().to_string();
    let out = unilock_with_env(
        &[
            "export",
            "--lock",
            &lock_path,
            "--to",
            "pylock",
            "--target",
            target,
            "-o",
            &pylock_path,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let pylock = std::fs::read_to_string(&pylock_path).expect("pylock");
    let out = Command::new(&uv)
        .current_dir(dir.path())
        .args([
            "pip",
            "install",
            "--dry-run",
            "--offline",
            "--no-python-downloads",
            "--preview-features",
            "pylock",
            "--target",
            "site",
            "-r",
            "pylock.toml",
            "--python",
        ])
        .arg(tool("python").expect("the test tools' python"))
        .env("UV_NO_CACHE", "1")
        .env_remove("VIRTUAL_ENV")
        .output()
        .expect("run uv");
    let said = stderr(&out);
    assert!(
        out.status.success(),
        "uv refused the pylock.toml:\n{said}\n{pylock}"
    );
    for line in [
        " + alpha==1.0".to_string(),
        " + beta==1.0".to_string(),
        format!(" + local-pkg @ {}", file_url(&libs)),
        format!(" + tool @ {url}@{v1}"),
    ] {
        assert!(said.contains(&line), "{line} not in\n{said}");
    }
    let index = url::Url::from_directory_path(find_links())
        .expect("absolute")
        .to_string();
    assert!(pylock.contains(&format!("index = \"{index}\"")), "{pylock}");
}

/// `unilock show` of a lock names where a Git package and a source directory come from: the
/// repository at its commit with the rev asked for, the directory and whether it is editable;
/// `--json` gives the same as `source`.
#[test]
fn show_names_the_git_commit_and_the_source_directory_of_a_package() {
    if !have_git() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (repo, v1, next) = repository(dir.path());
    let url = format!("git+{}", file_url(&repo));
    local_package(dir.path());
    let input = write(
        dir.path(),
        "requirements.in",
        &format!("tool @ {url}@v1\nsub @ {url}@next#subdirectory=python\n-e ./libs/local-pkg\n"),
    );
    let out = resolve_in(dir.path(), &input, &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock_path = dir.path().join("unilock.lock").display().to_string();
    let out = unilock_with_env(&["show", &lock_path], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        format!("  tool 1.0 @ {url}@{v1} (requested rev v1)\n"),
        format!("  sub 0.5 @ {url}@{next}#subdirectory=python (requested rev next)\n"),
        "  local-pkg 0.3 @ libs/local-pkg (editable)\n".to_string(),
        "  alpha 1.0\n".to_string(),
    ] {
        assert!(text.contains(&line), "{line} not in\n{text}");
    }
    let out = unilock_with_env(&["show", &lock_path, "--json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let source = |name: &str| {
        json["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in {json}"))["source"]
            .clone()
    };
    assert_eq!(
        source("tool"),
        serde_json::json!({"kind": "git", "url": file_url(&repo), "reference": "v1", "commit": v1})
    );
    assert_eq!(
        source("sub"),
        serde_json::json!({"kind": "git", "url": file_url(&repo), "reference": "next", "commit": next, "subdirectory": "python"})
    );
    assert_eq!(
        source("local-pkg"),
        serde_json::json!({"kind": "directory", "path": "libs/local-pkg", "editable": true})
    );
}

/// `resolve --locked` names what moved under a lock whose inputs did not change: a branch
/// that now points at another commit (both commits, and the dependencies that came with it),
/// and a source directory whose metadata now says another version and other dependencies.
#[test]
fn resolve_locked_names_a_moved_branch_and_a_changed_source_directory() {
    if !have_git() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (repo, v1, _) = repository(dir.path());
    let url = format!("git+{}", file_url(&repo));
    let libs = local_package(dir.path());
    let input = write(
        dir.path(),
        "requirements.in",
        &format!("tool @ {url}@main\n-e ./libs/local-pkg\n"),
    );
    let out = resolve_in(dir.path(), &input, &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = lock_of(dir.path());
    let out = resolve_in(dir.path(), &input, &["--locked"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    // main moves on (same version, one more dependency); the directory says 0.4 and gamma.
    std::fs::write(
        repo.join("pyproject.toml"),
        pyproject("tool", "1.0", &["beta<2", "gamma"]),
    )
    .expect("write");
    git(&repo, &["commit", "--quiet", "-am", "three"]);
    let moved = git(&repo, &["rev-parse", "HEAD"]);
    std::fs::write(
        libs.join("pyproject.toml"),
        pyproject("local-pkg", "0.4", &["alpha", "gamma"]),
    )
    .expect("write");
    let out = resolve_in(dir.path(), &input, &["--locked"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for says in [
        format!(
            "package pypi tool 1.0: {url}@{v1} → @{moved} (rev main moved); dependencies: +gamma"
        ),
        "package pypi local-pkg: 0.3 → 0.4; dependencies: +gamma".to_string(),
        "package pypi gamma: added at 1.0".to_string(),
    ] {
        assert!(err.contains(&says), "{says}\n{err}");
    }
    assert_eq!(lock_of(dir.path()), before, "--locked never writes");
}
