//! The outcome of one check of one package against one target: fine, a warning, or a failure,
//! with the sentence that explains it.

/// What a check concluded. The sentence names the package's need, its evidence and what the
/// target has; it is written by the check's own wording functions, in one place per check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The target provides what the package needs.
    Ok,
    /// It will probably run, with a caveat worth reading.
    Warn(String),
    /// It will not install or not run on the target.
    Fail(String),
}

impl Verdict {
    /// Whether this verdict makes `check` fail.
    pub fn is_fail(&self) -> bool {
        matches!(self, Verdict::Fail(_))
    }
}
