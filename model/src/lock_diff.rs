//! Two locks compared, and one lock's targets carried into another.
//!
//! [`changes`] names every way a new lock differs from the one on disk — its inputs, options,
//! targets (by meaning, [`crate::Target::key`]) and packages added, removed or at another
//! version — for `unilock resolve --locked`. [`keep_targets`] copies the entries of some of the
//! old lock's targets, untouched, into a new lock that was resolved for other targets: what
//! `resolve` does with the lock's targets it was not asked for.

use crate::lock::{Artifact, LockedPackage, LockedTarget};
use crate::target::Environment;
use crate::{Lock, Target};
use std::collections::{BTreeMap, BTreeSet};

impl LockedTarget {
    /// What the target means ([`Target::key`]): the recorded key, or for a lock written before
    /// keys were recorded, the key of its name read as a target (`env` gives the
    /// `CONDA_OVERRIDE_*` variables); a name that no longer reads is its own key.
    pub fn meaning(&self, env: &dyn Environment) -> String {
        match &self.key {
            Some(k) => k.clone(),
            None => Target::parse(&self.name, env)
                .map(|t| t.key())
                .unwrap_or_else(|_| self.name.clone()),
        }
    }
}

/// Every difference between `old` and `new` that matters to a user, one line each, in a
/// fixed order: inputs, options, targets, packages. Empty when the locks are the same.
pub fn changes(old: &Lock, new: &Lock, env: &dyn Environment) -> Vec<String> {
    let mut lines = Vec::new();
    inputs(old, new, &mut lines);
    options(old, new, &mut lines);
    targets(old, new, env, &mut lines);
    packages(old, new, env, &mut lines);
    if lines.is_empty() && old.to_toml() != new.to_toml() {
        lines.push(if old.version != new.version {
            format!(
                "the lock's format: version {} is written as version {}",
                old.version, new.version
            )
        } else {
            "the lock's details (artifacts, dependencies or why packages are there)".into()
        });
    }
    lines
}

fn inputs(old: &Lock, new: &Lock, lines: &mut Vec<String>) {
    let before: BTreeMap<&str, &str> = old
        .inputs
        .iter()
        .map(|i| (i.path.as_str(), i.hash.as_str()))
        .collect();
    let after: BTreeMap<&str, &str> = new
        .inputs
        .iter()
        .map(|i| (i.path.as_str(), i.hash.as_str()))
        .collect();
    for (path, hash) in &after {
        match before.get(path) {
            None => lines.push(format!("input {path}: new (the lock was not made from it)")),
            Some(h) if h != hash => lines.push(format!(
                "input {path}: its content changed (hash {h} → {hash})"
            )),
            Some(_) => {}
        }
    }
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        lines.push(format!("input {path}: no longer an input"));
    }
}

fn options(old: &Lock, new: &Lock, lines: &mut Vec<String>) {
    let names: BTreeSet<&String> = old.options.keys().chain(new.options.keys()).collect();
    for name in names {
        match (old.options.get(name), new.options.get(name)) {
            (Some(a), Some(b)) if a != b => lines.push(format!("option {name}: {a} → {b}")),
            (None, Some(b)) => lines.push(format!("option {name}: not set → {b}")),
            (Some(a), None) => lines.push(format!("option {name}: {a} → not set")),
            _ => {}
        }
    }
}

fn targets(old: &Lock, new: &Lock, env: &dyn Environment, lines: &mut Vec<String>) {
    let before: BTreeMap<String, &LockedTarget> =
        old.targets.iter().map(|t| (t.meaning(env), t)).collect();
    let after: BTreeMap<String, &LockedTarget> =
        new.targets.iter().map(|t| (t.meaning(env), t)).collect();
    for (key, t) in &after {
        match before.get(key) {
            None => lines.push(format!("target {}: new", t.name)),
            Some(o) if o.name != t.name => {
                lines.push(format!("target {}: now spelled {}", o.name, t.name))
            }
            Some(o) if o.python != t.python => lines.push(format!(
                "target {}: Python {} → {}",
                t.name, o.python, t.python
            )),
            Some(_) => {}
        }
    }
    for (key, t) in &before {
        if !after.contains_key(key) {
            lines.push(format!("target {}: no longer in the lock", t.name));
        }
    }
}

/// `ecosystem name` → the versions (with build) locked, each with its targets.
type Versions<'a> = BTreeMap<String, BTreeMap<String, &'a LockedPackage>>;

fn versions(lock: &Lock) -> Versions<'_> {
    let mut out: Versions = BTreeMap::new();
    for p in &lock.packages {
        let version = match &p.build {
            Some(b) => format!("{} {b}", p.version),
            None => p.version.clone(),
        };
        out.entry(format!("{} {}", p.ecosystem.as_str(), p.name))
            .or_default()
            .insert(version, p);
    }
    out
}

fn packages(old: &Lock, new: &Lock, env: &dyn Environment, lines: &mut Vec<String>) {
    let before = versions(old);
    let after = versions(new);
    // A package's targets by meaning, so that a target spelled anew is no change of its own.
    let meanings = |lock: &Lock, names: &[String]| -> BTreeSet<String> {
        names
            .iter()
            .map(|n| {
                lock.targets
                    .iter()
                    .find(|t| &t.name == n)
                    .map_or_else(|| n.clone(), |t| t.meaning(env))
            })
            .collect()
    };
    let list = |v: &BTreeMap<String, &LockedPackage>| -> String {
        v.keys().cloned().collect::<Vec<_>>().join(", ")
    };
    for (name, now) in &after {
        let Some(was) = before.get(name) else {
            lines.push(format!("package {name}: added at {}", list(now)));
            continue;
        };
        if was.keys().ne(now.keys()) {
            lines.push(format!("package {name}: {} → {}", list(was), list(now)));
            continue;
        }
        for (version, p) in now {
            let o = was[version];
            if meanings(old, &o.targets) != meanings(new, &p.targets) {
                lines.push(format!(
                    "package {name} {version}: on targets [{}] → [{}]",
                    o.targets.join(", "),
                    p.targets.join(", ")
                ));
            } else if (
                &o.artifacts,
                &o.dependencies,
                &o.source,
                &o.url,
                &o.requested_by,
                &o.conda,
            ) != (
                &p.artifacts,
                &p.dependencies,
                &p.source,
                &p.url,
                &p.requested_by,
                &p.conda,
            ) {
                lines.push(format!(
                    "package {name} {version}: its artifacts, dependencies or origin changed"
                ));
            }
        }
    }
    for (name, was) in &before {
        if !after.contains_key(name) {
            lines.push(format!("package {name}: removed (was {})", list(was)));
        }
    }
}

/// Renames target `from` of `lock` to `to` wherever the lock names it (its `[[target]]`, the
/// packages chosen on it, their artifacts).
pub fn rename_target(lock: &mut Lock, from: &str, to: &str) {
    let rename = |names: &mut Vec<String>| {
        for n in names.iter_mut().filter(|n| n.as_str() == from) {
            *n = to.to_string();
        }
    };
    for t in lock.targets.iter_mut().filter(|t| t.name == from) {
        t.name = to.to_string();
    }
    for p in &mut lock.packages {
        rename(&mut p.targets);
        for a in &mut p.artifacts {
            rename(&mut a.targets);
        }
    }
    lock.canonicalize();
}

/// Copies the old lock's targets named in `keep` (by name), with every package entry chosen
/// on them, into `new`, as they are: a package `new` also has (same ecosystem, name, version
/// and build) gains those targets, and each artifact keeps the targets it served.
pub fn keep_targets(new: &mut Lock, old: &Lock, keep: &BTreeSet<String>) {
    for t in old.targets.iter().filter(|t| keep.contains(&t.name)) {
        new.targets.push(t.clone());
    }
    for p in &old.packages {
        let on: Vec<String> = p
            .targets
            .iter()
            .filter(|t| keep.contains(*t))
            .cloned()
            .collect();
        if on.is_empty() {
            continue;
        }
        let mut part = p.clone();
        part.artifacts = explicit(&p.artifacts, &p.targets)
            .into_iter()
            .filter_map(|mut a| {
                a.targets.retain(|t| keep.contains(t));
                (!a.targets.is_empty()).then_some(a)
            })
            .collect();
        part.targets = on;
        let same = |q: &&mut LockedPackage| {
            (q.ecosystem, &q.name, &q.version, &q.build)
                == (part.ecosystem, &part.name, &part.version, &part.build)
        };
        match new.packages.iter_mut().find(same) {
            None => {
                implicit(&mut part);
                new.packages.push(part);
            }
            Some(q) => {
                q.artifacts = explicit(&q.artifacts, &q.targets);
                q.targets.extend(part.targets);
                for a in part.artifacts {
                    match q
                        .artifacts
                        .iter_mut()
                        .find(|b| (b.kind, &b.url) == (a.kind, &a.url))
                    {
                        Some(b) => b.targets.extend(a.targets),
                        None => q.artifacts.push(a),
                    }
                }
                q.requested_by.extend(part.requested_by);
                q.dependencies.extend(part.dependencies);
                implicit(q);
            }
        }
    }
    new.canonicalize();
}

/// `artifacts` with the targets each serves spelled out (an empty list means all the package's).
fn explicit(artifacts: &[Artifact], package_targets: &[String]) -> Vec<Artifact> {
    artifacts
        .iter()
        .cloned()
        .map(|mut a| {
            if a.targets.is_empty() {
                a.targets = package_targets.to_vec();
            }
            a
        })
        .collect()
}

/// Back to the format's form: an artifact serving every target of its package lists none.
fn implicit(p: &mut LockedPackage) {
    let all: BTreeSet<&String> = p.targets.iter().collect();
    for a in &mut p.artifacts {
        a.targets.sort();
        a.targets.dedup();
        if a.targets.iter().collect::<BTreeSet<_>>() == all {
            a.targets.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ecosystem;
    use crate::lock::ArtifactKind;
    use crate::lock_inputs::{LockedInput, OptionValue};
    use crate::target::NoEnvironment;

    fn target(spec: &str) -> LockedTarget {
        let t = Target::parse(spec, &NoEnvironment).unwrap();
        LockedTarget {
            name: spec.into(),
            key: Some(t.key()),
            conda_subdir: t.platform.conda_subdir().into(),
            python: "3.12".into(),
            virtual_packages: vec![],
        }
    }

    fn package(
        name: &str,
        version: &str,
        targets: &[&str],
        wheels: &[(&str, &[&str])],
    ) -> LockedPackage {
        LockedPackage {
            name: name.into(),
            ecosystem: Ecosystem::Pypi,
            version: version.into(),
            build: None,
            source: None,
            url: None,
            requested_revision: None,
            directory: None,
            targets: targets.iter().map(|t| t.to_string()).collect(),
            requested_by: vec![],
            dependencies: vec![],
            artifacts: wheels
                .iter()
                .map(|(url, targets)| Artifact {
                    kind: ArtifactKind::Wheel,
                    url: url.to_string(),
                    hash: None,
                    md5: None,
                    size: None,
                    targets: targets.iter().map(|t| t.to_string()).collect(),
                })
                .collect(),
            conda: None,
            dependencies_from_build: false,
        }
    }

    fn lock(targets: &[&str], packages: Vec<LockedPackage>) -> Lock {
        let mut lock = Lock::new();
        lock.targets = targets.iter().map(|t| target(t)).collect();
        lock.packages = packages;
        lock.canonicalize();
        lock
    }

    #[test]
    fn an_unchanged_lock_has_no_changes() {
        let a = lock(
            &["linux-64"],
            vec![package("beta", "1.0", &["linux-64"], &[])],
        );
        assert!(changes(&a, &a.clone(), &NoEnvironment).is_empty());
    }

    #[test]
    fn every_kind_of_change_is_named() {
        let mut old = lock(
            &["linux-64", "win-64"],
            vec![
                package("beta", "1.0", &["linux-64", "win-64"], &[]),
                package("gamma", "1.0", &["win-64"], &[]),
            ],
        );
        old.inputs.push(LockedInput {
            path: "requirements.txt".into(),
            hash: format!("sha256:{}", "0".repeat(64)),
        });
        let mut new = lock(
            &["linux/amd64", "osx-arm64"],
            vec![
                package("beta", "2.0", &["linux/amd64", "osx-arm64"], &[]),
                package("delta", "1.0", &["osx-arm64"], &[]),
            ],
        );
        new.inputs.push(LockedInput {
            path: "requirements.txt".into(),
            hash: format!("sha256:{}", "1".repeat(64)),
        });
        new.options.insert("pre".into(), OptionValue::Switch(true));
        let lines = changes(&old, &new, &NoEnvironment);
        for says in [
            "input requirements.txt: its content changed",
            "option pre: not set → true",
            "target linux-64: now spelled linux/amd64",
            "target osx-arm64: new",
            "target win-64: no longer in the lock",
            "package pypi beta: 1.0 → 2.0",
            "package pypi delta: added at 1.0",
            "package pypi gamma: removed (was 1.0)",
        ] {
            assert!(
                lines.iter().any(|l| l.starts_with(says)),
                "{says}: {lines:#?}"
            );
        }
        assert_eq!(lines.len(), 8, "{lines:#?}");
    }

    #[test]
    fn a_target_without_a_recorded_key_is_read_from_its_name() {
        // A version-2 lock: the same target, only the format moves on.
        let mut old = lock(&["linux-64,python=3.12"], vec![]);
        old.targets[0].key = None;
        old.version = 2;
        let new = lock(&["linux/amd64"], vec![]);
        assert_eq!(
            changes(&old, &new, &NoEnvironment),
            ["target linux-64,python=3.12: now spelled linux/amd64"]
        );
        let new = lock(&["linux-64,python=3.12"], vec![]);
        assert_eq!(
            changes(&old, &new, &NoEnvironment),
            ["the lock's format: version 2 is written as version 3"]
        );
    }

    #[test]
    fn kept_targets_join_the_entries_of_the_new_lock() {
        let old = lock(
            &["linux-64", "win-64"],
            vec![
                package(
                    "beta",
                    "1.0",
                    &["linux-64", "win-64"],
                    &[
                        ("beta-linux.whl", &["linux-64"]),
                        ("beta-win.whl", &["win-64"]),
                    ],
                ),
                package("gamma", "1.0", &["win-64"], &[("gamma.whl", &[])]),
            ],
        );
        // Re-resolved for linux-64 alone; win-64 is kept as it was.
        let mut new = lock(
            &["linux-64"],
            vec![package(
                "beta",
                "1.0",
                &["linux-64"],
                &[("beta-linux.whl", &[])],
            )],
        );
        keep_targets(&mut new, &old, &BTreeSet::from(["win-64".to_string()]));
        assert_eq!(new, old);
        assert!(Lock::from_toml(&new.to_toml(), "unilock.lock").is_ok());
        // A kept target whose package moved on elsewhere keeps its own version.
        let mut new = lock(
            &["linux-64"],
            vec![package("beta", "2.0", &["linux-64"], &[("beta2.whl", &[])])],
        );
        keep_targets(&mut new, &old, &BTreeSet::from(["win-64".to_string()]));
        let text = new.to_toml();
        assert!(Lock::from_toml(&text, "unilock.lock").is_ok(), "{text}");
        let beta1 = new
            .packages
            .iter()
            .find(|p| p.version == "1.0" && p.name == "beta")
            .unwrap();
        assert_eq!(beta1.targets, ["win-64"]);
        assert_eq!(beta1.artifacts.len(), 1);
        assert_eq!(beta1.artifacts[0].url, "beta-win.whl");
        assert!(beta1.artifacts[0].targets.is_empty());
    }
}
