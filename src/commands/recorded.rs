//! A lock that knows its inputs: what `resolve` records in the lock of how it was made (the
//! input files with their hashes, the options that shaped the result), what it does with the
//! lock already there (its targets not asked for are kept, or dropped with `--drop-target`;
//! `--locked` compares instead of writing), and `export --locked`, which refuses a lock whose
//! inputs changed on disk. The lock format is in docs/lock-format.md.

use super::files::{env_var, sha256_file};
use crate::cli::ResolveArgs;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use unilock_model::lock_inputs::{LockOptions, LockedInput, OptionValue};
use unilock_model::{Diagnostic, ErrorKind, Lock, Target, lock_diff};

/// What the lock is written from besides the resolutions: the lock already at `output`, the
/// input files read (includes followed).
pub(super) struct Written<'a> {
    pub existing: Option<&'a Lock>,
    pub files: &'a [PathBuf],
    pub output: &'a Path,
}

/// The lock of a run made whole and written: its inputs and options recorded, the existing
/// lock's other targets kept (or dropped), then written — or with `--locked`, compared with the
/// existing lock and not written (`None`).
pub(super) fn finish(
    args: &ResolveArgs,
    targets: &[Target],
    mut lock: Lock,
    failed: &[super::left_out::Failed],
    written: &Written,
) -> Result<Option<Lock>, Diagnostic> {
    lock.inputs = inputs(written.files, written.output)?;
    lock.options = options(args)?;
    carry_targets(&mut lock, written.existing, targets, &args.lock.drop_target)?;
    lock.canonicalize();
    if args.lock.locked {
        if !failed.is_empty() {
            return Err(super::left_out::report(failed.to_vec(), None)
                .err()
                .unwrap_or_else(|| {
                    Diagnostic::new(ErrorKind::Unsatisfiable, "a target has no resolution")
                }));
        }
        check_locked(written.existing, &lock, written.output)?;
        return Ok(None);
    }
    crate::output::write_atomic(written.output, &lock.to_toml())?;
    Ok(Some(lock))
}

/// The input files of a lock written to `lock`: each file read (includes followed) once, by
/// its path relative to the lock's directory, with the sha256 of its content.
pub fn inputs(files: &[PathBuf], lock: &Path) -> Result<Vec<LockedInput>, Diagnostic> {
    let dir = lock_dir(lock);
    let mut out: Vec<LockedInput> = Vec::new();
    for file in files {
        if !file.is_file() {
            continue;
        }
        let hash = sha256_file(file).ok_or_else(|| {
            Diagnostic::usage(format!("cannot read {} to record its hash", file.display()))
        })?;
        let path = relative(&dir, &absolute(file));
        if !out.iter().any(|i| i.path == path) {
            out.push(LockedInput {
                path,
                hash: format!("sha256:{hash}"),
            });
        }
    }
    Ok(out)
}

/// The options of `args` (the project configuration already applied) that shape a lock,
/// where they differ from the defaults: where packages come from (with the environment's
/// index variables, credentials left out), pre-releases, the binary policy, extras,
/// `--consistent`.
pub fn options(args: &ResolveArgs) -> Result<LockOptions, Diagnostic> {
    let mut o = LockOptions::new();
    let mut one = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            o.insert(name.into(), OptionValue::One(v));
        }
    };
    let var = |names: &[&str]| names.iter().find_map(|n| env_var(n));
    one(
        "index-url",
        args.index
            .index_url
            .clone()
            .or_else(|| var(&["UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"]))
            .map(|u| without_credentials(&u)),
    );
    one("channel-alias", args.channels.channel_alias.clone());
    one(
        "prerelease",
        args.resolution.prerelease.map(|m| m.to_string()),
    );
    one("python-version", args.resolution.python_version.clone());
    one("python-platform", args.resolution.python_platform.clone());
    if args.channels.channel_priority != "strict" {
        one(
            "channel-priority",
            Some(args.channels.channel_priority.clone()),
        );
    }
    let mut list = |name: &str, values: Vec<String>| {
        if !values.is_empty() {
            o.insert(name.into(), OptionValue::List(values));
        }
    };
    let mut extra: Vec<String> = args.index.extra_index_url.clone();
    if let Some(v) = var(&["UV_EXTRA_INDEX_URL", "PIP_EXTRA_INDEX_URL"]) {
        extra.extend(v.split_whitespace().map(str::to_string));
    }
    list(
        "extra-index-url",
        extra.iter().map(|u| without_credentials(u)).collect(),
    );
    list(
        "find-links",
        args.index
            .find_links
            .iter()
            .map(|u| without_credentials(u))
            .collect(),
    );
    list("channel", args.channels.channel.clone());
    let policy = args.binary.policy()?;
    let names = |n: &unilock_solver::pypi::binary::Names| -> Vec<String> {
        if n.all {
            vec![":all:".into()]
        } else {
            n.names.iter().cloned().collect()
        }
    };
    list("only-binary", names(&policy.only_binary));
    list("no-binary", names(&policy.no_binary));
    let mut extras = args.extra.clone();
    extras.sort();
    extras.dedup();
    list("extra", extras);
    for (name, on) in [
        ("no-index", args.index.no_index),
        ("pre", args.pre),
        ("prefer-binary", policy.prefer_binary),
        ("all-extras", args.all_extras),
        ("consistent", args.consistent),
        ("no-build", args.build.no_build),
    ] {
        if on {
            o.insert(name.into(), OptionValue::Switch(true));
        }
    }
    Ok(o)
}

/// A URL without `user:password@`; anything else as it is.
fn without_credentials(value: &str) -> String {
    match url::Url::parse(value) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => value.to_string(),
    }
}

/// Each target of `new` keyed by its meaning as asked; the lock's targets that this run was
/// not asked for (compared by meaning, or by name) kept as they are in `new` unless `drop`
/// names them, with a note naming each kept and dropped one; a target asked for under another
/// spelling than the lock's keeps the lock's. A `drop` naming a target asked for is bad usage; one the lock does not have is a
/// warning.
pub fn carry_targets(
    new: &mut Lock,
    old: Option<&Lock>,
    asked: &[Target],
    drop: &[String],
) -> Result<(), Diagnostic> {
    let drop: Vec<Target> = drop
        .iter()
        .map(|t| Target::parse(t, &env_var))
        .collect::<Result<_, _>>()?;
    let asked_keys: BTreeSet<String> = asked.iter().map(Target::key).collect();
    let asked_names: BTreeSet<&str> = asked.iter().map(Target::spec).collect();
    for d in &drop {
        if asked_keys.contains(&d.key()) {
            return Err(Diagnostic::usage(format!(
                "--drop-target {}: this target is also asked for with --target",
                d.spec()
            )));
        }
    }
    let drop_keys: BTreeSet<String> = drop.iter().map(Target::key).collect();
    // The key of each target is that of the target as asked: a conda solve that chose the
    // Python of a target naming none does not make it another target.
    for t in &mut new.targets {
        if let Some(a) = asked.iter().find(|a| a.spec() == t.name) {
            t.key = Some(a.key());
        }
    }
    let Some(old) = old else {
        for d in &drop {
            crate::output::warn(format_args!(
                "--drop-target {}: there is no lock yet, so nothing to drop",
                d.spec()
            ));
        }
        return Ok(());
    };
    let mut keep = BTreeSet::new();
    let mut dropped = BTreeSet::new();
    for t in &old.targets {
        let key = t.meaning(&env_var);
        if asked_names.contains(t.name.as_str()) {
            continue;
        }
        if asked_keys.contains(&key) {
            // Asked for under another spelling: one target, under the lock's spelling.
            let respelled = new
                .targets
                .iter()
                .find(|n| n.key.as_deref() == Some(key.as_str()) && n.name != t.name)
                .map(|n| n.name.clone());
            if let Some(asked) = respelled {
                crate::output::note(format_args!(
                    "target {asked}: the lock spells it {}, and keeps that spelling",
                    t.name
                ));
                lock_diff::rename_target(new, &asked, &t.name);
            }
            continue;
        }
        if drop_keys.contains(&key) {
            dropped.insert(key);
            crate::output::note(format_args!("target {}: dropped from the lock", t.name));
        } else {
            crate::output::note(format_args!(
                "target {}: kept as the lock had it, not resolved again (resolve it with --target {}, or remove it with --drop-target {})",
                t.name, t.name, t.name
            ));
            keep.insert(t.name.clone());
        }
    }
    for d in drop.iter().filter(|d| !dropped.contains(&d.key())) {
        crate::output::warn(format_args!(
            "--drop-target {}: the lock has no such target",
            d.spec()
        ));
    }
    if !keep.is_empty() {
        lock_diff::keep_targets(new, old, &keep);
    }
    Ok(())
}

/// `resolve --locked`: succeeds when `new` is what the lock at `path` already says, and
/// otherwise fails (exit 1) naming every change, leaving the lock alone.
pub fn check_locked(old: Option<&Lock>, new: &Lock, path: &Path) -> Result<(), Diagnostic> {
    let Some(old) = old else {
        return Err(Diagnostic::new(
            ErrorKind::Unsatisfiable,
            format!("--locked: there is no lock at {} to check", path.display()),
        )
        .note("run `unilock resolve` without --locked to write it"));
    };
    let changes = lock_diff::changes(old, new, &env_var);
    if changes.is_empty() {
        eprintln!("{} is up to date", path.display());
        return Ok(());
    }
    let mut d = Diagnostic::new(
        ErrorKind::Unsatisfiable,
        format!(
            "--locked: {} would change ({} difference{}); it was not written",
            path.display(),
            changes.len(),
            if changes.len() == 1 { "" } else { "s" }
        ),
    );
    for c in changes {
        d = d.note(c);
    }
    Err(d.note("run `unilock resolve` without --locked to update the lock"))
}

/// `export --locked`: every input the lock at `path` records still has the content it was
/// resolved from; otherwise exit 1 naming each file that changed or is gone.
pub fn check_inputs(lock: &Lock, path: &Path) -> Result<(), Diagnostic> {
    if lock.inputs.is_empty() {
        return Err(Diagnostic::new(
            ErrorKind::Unsatisfiable,
            format!(
                "--locked: {} records no inputs to check (it was written before unilock recorded them, or from none)",
                path.display()
            ),
        )
        .note("resolve again to record them, or export without --locked"));
    }
    let dir = lock_dir(path);
    let mut stale = Vec::new();
    for input in &lock.inputs {
        let file: PathBuf = clean(&dir.join(&input.path)).iter().collect();
        match sha256_file(&file) {
            None => stale.push(format!(
                "{}: missing (the lock was resolved from it)",
                file.display()
            )),
            Some(hex) if format!("sha256:{hex}") != input.hash => stale.push(format!(
                "{}: changed since the lock was resolved (sha256:{hex}, the lock has {})",
                file.display(),
                input.hash
            )),
            Some(_) => {}
        }
    }
    if stale.is_empty() {
        return Ok(());
    }
    let mut d = Diagnostic::new(
        ErrorKind::Unsatisfiable,
        format!(
            "--locked: {} is out of date: {}",
            path.display(),
            stale.first().map(String::as_str).unwrap_or_default()
        ),
    );
    for s in stale.iter().skip(1) {
        d = d.note(s.clone());
    }
    Err(d.note("run `unilock resolve` to update the lock"))
}

/// The directory a lock at `lock` is in, absolute.
fn lock_dir(lock: &Path) -> PathBuf {
    absolute(lock.parent().unwrap_or(Path::new("")))
}

fn absolute(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The components of `path` with `.` and `dir/..` taken out (lexically: the lock's inputs are
/// named as the user named them, not through symbolic links).
fn clean(p: &Path) -> Vec<Component<'_>> {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// `path` relative to `dir` (both absolute), `/`-separated; absolute when they share no root.
fn relative(dir: &Path, path: &Path) -> String {
    let (d, p) = (clean(dir), clean(path));
    let common = d.iter().zip(&p).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return path.display().to_string();
    }
    let mut parts: Vec<String> = vec!["..".to_string(); d.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::{relative, without_credentials};
    use std::path::Path;

    #[test]
    fn recorded_locations_carry_no_credentials() {
        assert_eq!(
            without_credentials("https://user:secret@packages.example/simple/"),
            "https://packages.example/simple/"
        );
        assert_eq!(
            without_credentials("https://token@packages.example/simple/"),
            "https://packages.example/simple/"
        );
        assert_eq!(without_credentials("wheels/"), "wheels/");
    }

    #[test]
    fn inputs_are_named_relative_to_the_lock() {
        let dir = Path::new("/srv/project");
        assert_eq!(
            relative(dir, Path::new("/srv/project/requirements.txt")),
            "requirements.txt"
        );
        assert_eq!(
            relative(dir, Path::new("/srv/project/./deps/a.in")),
            "deps/a.in"
        );
        assert_eq!(
            relative(dir, Path::new("/srv/other/b.txt")),
            "../other/b.txt"
        );
        assert_eq!(
            relative(
                Path::new("/srv/project/locks"),
                Path::new("/srv/project/x/../r.txt")
            ),
            "../r.txt"
        );
    }
}
