//! Dependency file formats, end to end: every real-world file of the shared corpus parses,
//! round-trips and is emitted as the owning tools expect.

pub mod acceptance;
mod conda_env;
mod conda_explicit;
mod conda_lock;
mod conda_render;
mod convert;
mod flake_lock;
mod from_lock;
mod invalid;
mod pixi_lock;
mod pixi_toml;
mod pylock;
mod pyproject;
mod requirements;
mod scale;
mod uv_lock;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A path under `../shared` (the read-only data beside the project; `UNILOCK_SHARED` points
/// elsewhere). When the folder is missing the test is skipped with a visible message, unless
/// `CI` is set, in which case it fails naming the missing path.
pub fn shared(path: &str) -> Option<PathBuf> {
    unilock_registries::testing::shared(path)
}

/// Every file of one format folder of the shared real-world corpus, sorted.
pub fn real_files(format_dir: &str) -> Vec<PathBuf> {
    let Some(dir) = shared(&format!("corpus/real/{format_dir}")) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry
                .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
                .path();
            if path.is_dir() {
                stack.push(path)
            } else {
                files.push(path)
            }
        }
    }
    files.sort();
    files
}

/// Every file of one format folder of the shared corpus with its text, sorted by path.
pub fn real_texts(format_dir: &str) -> Vec<(String, String)> {
    real_files(format_dir)
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.display().to_string(), text)
        })
        .collect()
}

/// The test tools' Python when it can import `module` (installed by
/// scripts/install-test-tools.sh); like [`crate::tool`], a missing one skips the test with a
/// visible message unless `CI` is set.
pub fn python_with(module: &str) -> Option<PathBuf> {
    let python = crate::tool("python")?;
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} cannot import {module}: .ci/run installs it with scripts/install-test-tools.sh",
            python.display()
        );
    }
    eprintln!(
        "SKIPPED: {} cannot import {module}; run scripts/install-test-tools.sh",
        python.display()
    );
    None
}

/// Runs one of the project's Python scripts (scripts/NAME) and parses the JSON it prints.
pub fn run_script(python: &Path, name: &str, args: &[&str]) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name);
    let out = Command::new(python)
        .arg(&script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{name} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name} printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}
