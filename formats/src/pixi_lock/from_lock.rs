//! A unilock lock as a pixi.lock: every target of the lock as a platform, conda and PyPI
//! packages.

use unilock_model::{Diagnostic, Lock};

/// The pixi.lock of `targets` (canonical target names of `lock`) and the warnings about what
/// it leaves out.
pub fn from_lock(lock: &Lock, targets: &[String]) -> Result<(String, Vec<String>), Diagnostic> {
    let _ = (lock, targets);
    Err(Diagnostic::usage("export to pixi-lock is not written yet"))
}
