//! End-to-end specifications of the `unilock` binary. This is the project's one integration-test
//! binary: every end-to-end test lives in a module below.

mod check;
mod export;
mod formats;
mod migrate;
mod resolve;
mod targets;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `unilock` with `args` and no `CONDA_OVERRIDE_*` leaking in from the caller.
pub fn unilock(args: &[&str]) -> Output {
    unilock_with_env(args, &[])
}

pub fn unilock_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_unilock"));
    cmd.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("CONDA_OVERRIDE_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run unilock: {e}"))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A file of the project's own corpus.
pub fn corpus(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(path)
}

/// A real tool installed by `scripts/install-test-tools.sh` (uv, pip, python), to check that
/// what unilock writes is accepted by the tools that own each format. Missing tools skip the
/// test with a visible message, unless `CI` is set, when they fail it.
pub fn tool(name: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("UNILOCK_TEST_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools/venv"));
    let path = venv.join("bin").join(name);
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} is missing: .ci/run installs it with scripts/install-test-tools.sh",
            path.display()
        );
    }
    eprintln!(
        "SKIPPED: {} is missing; run scripts/install-test-tools.sh",
        path.display()
    );
    None
}
