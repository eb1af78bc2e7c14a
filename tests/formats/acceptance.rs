//! What unilock writes is accepted by the tools that own each format, checked with the real
//! tools (installed by scripts/install-test-tools.sh), offline, against the five tiny wheels in
//! corpus/fixtures/find-links and the project locked against them in corpus/fixtures/project.

use crate::{stderr, stdout, tool, unilock};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A copy of corpus/fixtures (project + find-links) in a temporary directory, so outputs can be
/// written beside the lock without touching the repository.
fn fixtures() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/fixtures");
    for sub in ["project", "find-links"] {
        std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        for entry in std::fs::read_dir(src.join(sub))
            .expect("fixtures")
            .filter_map(Result::ok)
        {
            std::fs::copy(entry.path(), dir.path().join(sub).join(entry.file_name()))
                .expect("copy");
        }
    }
    let project = dir.path().join("project");
    (dir, project)
}

/// Runs pip's resolver without installing and returns `name==version` of what it would install.
pub fn pip_dry_run(pip: &Path, cwd: &Path, args: &[&str]) -> Vec<String> {
    let report = cwd.join("report.json");
    let out = Command::new(pip)
        .current_dir(cwd)
        .args([
            "install",
            "--dry-run",
            "--ignore-installed",
            "--disable-pip-version-check",
            "--quiet",
            "--report",
        ])
        .arg(&report)
        .args(args)
        .env("PIP_NO_INPUT", "1")
        .output()
        .expect("run pip");
    assert!(
        out.status.success(),
        "pip refused {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("JSON");
    let mut pins: Vec<String> = report["install"]
        .as_array()
        .expect("install list")
        .iter()
        .map(|i| {
            format!(
                "{}=={}",
                i["metadata"]["name"].as_str().unwrap_or("?"),
                i["metadata"]["version"].as_str().unwrap_or("?")
            )
        })
        .collect();
    pins.sort();
    pins
}

fn pins_of(requirements: &str) -> Vec<String> {
    let mut pins: Vec<String> = requirements
        .lines()
        .filter(|l| l.contains("=="))
        .map(|l| l.split([' ', ';']).next().unwrap_or("").to_string())
        .collect();
    pins.sort();
    pins
}

#[test]
fn pip_installs_exactly_our_pinned_requirements_for_each_target() {
    let Some(pip) = tool("pip") else { return };
    let (_dir, project) = fixtures();
    let find_links = project.join("../find-links");
    let cases = [
        (
            "linux-64,python=3.12,glibc=2.28",
            vec![
                "--platform",
                "manylinux_2_28_x86_64",
                "--python-version",
                "3.12",
            ],
            "beta==2.0",
        ),
        (
            "win-64,python=3.11",
            vec!["--platform", "win_amd64", "--python-version", "3.11"],
            "beta==1.0",
        ),
    ];
    for (target, platform, beta) in cases {
        let out = unilock(&[
            "convert",
            project.join("uv.lock").to_str().expect("utf-8"),
            "--to",
            "requirements",
            "--target",
            target,
        ]);
        assert!(out.status.success(), "{target}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(beta), "{target}: {text}");
        let file = project.join("requirements.txt");
        std::fs::write(&file, &text).expect("write");
        let mut args = vec![
            "--no-index",
            "--find-links",
            find_links.to_str().expect("utf-8"),
            "--only-binary",
            ":all:",
        ];
        args.extend(platform);
        let target_dir = project.join("site");
        args.extend([
            "--target",
            target_dir.to_str().expect("utf-8"),
            "-r",
            "requirements.txt",
        ]);
        // pip adds nothing and changes nothing: our file was complete and consistent.
        assert_eq!(
            pip_dry_run(&pip, &project, &args),
            pins_of(&text),
            "{target}"
        );
    }
}

#[test]
fn pip_installs_our_pylock_as_it_installs_the_lock() {
    let Some(pip) = tool("pip") else { return };
    let (_dir, project) = fixtures();
    let out = unilock(&[
        "convert",
        project.join("uv.lock").to_str().expect("utf-8"),
        "--to",
        "pylock",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(project.join("pylock.toml"), stdout(&out)).expect("write");
    // pip selects from the pylock for the interpreter it runs on (CPython on Linux x86-64).
    let pins = pip_dry_run(&pip, &project, &["-r", "pylock.toml"]);
    assert_eq!(
        pins,
        ["alpha==1.0", "beta==2.0", "delta==1.0", "gamma==1.0"]
    );
}

#[test]
fn uv_reads_the_lock_we_write() {
    let Some(uv) = tool("uv") else { return };
    let (_dir, project) = fixtures();
    let ours = unilock(&[
        "convert",
        project.join("uv.lock").to_str().expect("utf-8"),
        "--to",
        "uv-lock",
    ]);
    assert!(ours.status.success(), "{}", stderr(&ours));
    std::fs::write(project.join("uv.lock"), stdout(&ours)).expect("write");
    let export = Command::new(uv)
        .current_dir(&project)
        .args([
            "export",
            "--frozen",
            "--offline",
            "--no-header",
            "--no-annotate",
            "--quiet",
        ])
        .env("UV_CACHE_DIR", project.join(".uv-cache"))
        .output()
        .expect("run uv");
    assert!(
        export.status.success(),
        "uv refused our uv.lock:\n{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let ours = unilock(&[
        "convert",
        project.join("uv.lock").to_str().expect("utf-8"),
        "--to",
        "requirements",
    ]);
    assert_eq!(
        stdout(&ours),
        String::from_utf8_lossy(&export.stdout),
        "our export differs from uv's on the same lock"
    );
}
