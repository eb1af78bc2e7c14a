//! `--to uv-lock`: a uv.lock and the pyproject.toml it belongs to.

use super::{Cx, Exported};
use unilock_model::Diagnostic;

pub(super) fn uv_lock(cx: &Cx) -> Result<Exported, Diagnostic> {
    let _ = cx;
    Err(Diagnostic::usage("export to uv-lock is not written yet"))
}
