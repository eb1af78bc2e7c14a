//! Targets with no resolution: without `--consistent`, a target whose requirements cannot be
//! satisfied is left out of the lock, which is written for the others, and the run exits 1
//! naming each target left out and why (docs/resolve.md, "The lock and its inputs").

use unilock_model::{Diagnostic, ErrorKind, Lock, Target};

/// A target with no resolution, left out of the lock (without `--consistent`).
#[derive(Clone)]
pub(super) struct Failed {
    pub target: String,
    pub error: Diagnostic,
}

/// The targets that resolved, their resolutions (in the same order), and the targets left out.
pub(super) type Partitioned<T> = (Vec<Target>, Vec<T>, Vec<Failed>);

/// The resolutions of the targets that have one, and the targets that have none. A failure
/// other than "no resolution" (an index that cannot be read, an invalid input) ends the run,
/// as does every target failing (the first failure is the error, the others printed first).
pub(super) fn partition<T>(
    targets: &[Target],
    results: Vec<Result<T, Diagnostic>>,
) -> Result<Partitioned<T>, Diagnostic> {
    let mut ok = (Vec::new(), Vec::new());
    let mut failed: Vec<Failed> = Vec::new();
    for (t, r) in targets.iter().zip(results) {
        match r {
            Ok(r) => {
                ok.0.push(t.clone());
                ok.1.push(r);
            }
            Err(e) if e.kind() == ErrorKind::Unsatisfiable => failed.push(Failed {
                target: t.spec().to_string(),
                error: e,
            }),
            Err(e) => return Err(e),
        }
    }
    if ok.0.is_empty() && !failed.is_empty() {
        for f in failed.iter().skip(1) {
            eprint!("{}", f.error.render());
        }
        return Err(failed.swap_remove(0).error);
    }
    Ok((ok.0, ok.1, failed))
}

/// Exit 1 naming each target left out of `lock` (the lock written, if one was) and why; `Ok`
/// when none was.
pub(super) fn report(failed: Vec<Failed>, lock: Option<&Lock>) -> Result<(), Diagnostic> {
    let count = failed.len();
    let mut last = None;
    for (i, f) in failed.into_iter().enumerate() {
        let mut d = Diagnostic::new(
            ErrorKind::Unsatisfiable,
            format!(
                "target {} has no resolution: {}",
                f.target,
                f.error.message()
            ),
        );
        if let Some(e) = f.error.expected_text() {
            d = d.expected(e);
        }
        for n in f.error.notes() {
            d = d.note(n.clone());
        }
        if i + 1 < count {
            eprint!("{}", d.render());
        } else {
            last = Some(d);
        }
    }
    let Some(d) = last else {
        return Ok(());
    };
    let Some(lock) = lock else {
        return Err(d.note("--locked: the lock was not written"));
    };
    let names: Vec<&str> = lock.targets.iter().map(|t| t.name.as_str()).collect();
    Err(d.note(format!(
        "the lock was written for the targets that resolve ({}), without {}; with --consistent a target with no resolution fails the whole run",
        names.join(", "),
        if count == 1 { "this one" } else { "these" }
    )))
}
