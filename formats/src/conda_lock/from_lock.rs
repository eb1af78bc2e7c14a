//! A unilock lock as a conda-lock.yml: every target of the lock as a platform.

use unilock_model::{Diagnostic, Lock};

/// The conda-lock.yml of `targets` (canonical target names of `lock`) and the warnings about
/// what it leaves out.
pub fn from_lock(lock: &Lock, targets: &[String]) -> Result<(String, Vec<String>), Diagnostic> {
    let _ = (lock, targets);
    Err(Diagnostic::usage("export to conda-lock is not written yet"))
}
