//! End-to-end specifications of the `unilock` binary. This is the project's one integration-test
//! binary: every end-to-end test lives in a module below.

mod formats;
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
