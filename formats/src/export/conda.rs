//! The conda exports: `conda-explicit` and `conda-env` (one target's builds; a joint lock's
//! PyPI part in the pip section of conda-env, a target of PyPI packages alone refused by
//! conda-explicit), and `conda-lock` and `pixi-lock` (every exported
//! target as a platform).

use super::{Cx, Exported};
use crate::{Format, conda_env, conda_explicit, conda_lock, pixi_lock};
use unilock_model::{Diagnostic, Ecosystem};

/// `--to conda-explicit` and `--to conda-env`, for exactly one target.
pub(super) fn one_platform(cx: &Cx) -> Result<Exported, Diagnostic> {
    let [target] = cx.targets.as_slice() else {
        return Err(Diagnostic::usage(format!(
            "a {} file holds one platform, and {} targets are asked for: {}",
            cx.request.to,
            cx.targets.len(),
            cx.target_names().join(", ")
        ))
        .note("export one --target at a time, or one file each with --all-targets -o DIR"));
    };
    let mut doc = cx.lock.to_document(&target.name, cx.request.to.name());
    if !cx.request.hashes {
        for p in doc
            .packages
            .iter_mut()
            .filter(|p| p.ecosystem == Ecosystem::Pypi)
        {
            for a in &mut p.artifacts {
                a.hashes.clear();
            }
        }
    }
    let subdir = target.conda_subdir.clone();
    let (text, warnings) = if cx.request.to == Format::CondaExplicit {
        // conda installs the builds of an explicit file and nothing else (its `# pip` lines
        // are comments), so a target without conda packages would make an empty environment.
        if let Some(first) = doc.packages.first()
            && !doc.packages.iter().any(|p| p.ecosystem == Ecosystem::Conda)
        {
            return Err(Diagnostic::usage(format!(
                "{}: target `{}` holds no conda packages, only PyPI ones (`{}`, …), which a conda-explicit file cannot install",
                cx.request.lock_name, target.name, first.name
            ))
            .note("export it --to requirements or --to pylock, or --to conda-env (a pip: section)"));
        }
        conda_explicit::sort_for_install(&mut doc.packages);
        let (file, warnings) = conda_explicit::ExplicitFile::from_document(&doc, Some(&subdir))?;
        (conda_explicit::emit(&file), warnings)
    } else {
        let pinned = conda_env::emit_pinned(&doc, Some(&subdir))?;
        (pinned.text, pinned.warnings)
    };
    Ok(Exported::one(format!("{}{text}", cx.header()), warnings))
}

/// `--to conda-lock` and `--to pixi-lock`: every exported target as a platform.
pub(super) fn multi_platform(cx: &Cx) -> Result<Exported, Diagnostic> {
    let targets = cx.target_names();
    let (text, warnings) = if cx.request.to == Format::CondaLock {
        let (text, warnings) = conda_lock::from_lock(cx.lock, &targets)?;
        (format!("{}{text}", cx.header()), warnings)
    } else {
        // pixi.lock is rewritten by pixi as its serializer writes it: no comments.
        pixi_lock::from_lock(cx.lock, &targets)?
    };
    Ok(Exported::one(text, warnings))
}
