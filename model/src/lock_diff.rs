//! Two locks compared, and one lock's targets carried into another.
//!
//! [`changes`] names every way a new lock differs from the one on disk — its inputs, options,
//! targets (by meaning, [`crate::Target::key`]) and packages added, removed or at another
//! version, and for a package at the same version what changed about it (a Git rev that moved
//! to another commit, a source directory's dependencies, its files) — for `unilock resolve
//! --locked`. [`keep_targets`] copies the entries of some of the
//! old lock's targets, untouched, into a new lock that was resolved for other targets: what
//! `resolve` does with the lock's targets it was not asked for.

use crate::lock::{Artifact, GitPin, LockedPackage, LockedTarget};
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
            // One version each of a package from a source tree: what its tree says now.
            let tree = match (was.values().next(), now.values().next()) {
                (Some(o), Some(p)) if was.len() == 1 && now.len() == 1 && from_tree(p) => {
                    let mut said = origin(o, p);
                    said.extend(dependencies(o, p));
                    said.iter().map(|d| format!("; {d}")).collect::<String>()
                }
                _ => String::new(),
            };
            lines.push(format!(
                "package {name}: {} → {}{tree}",
                list(was),
                list(now)
            ));
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
                continue;
            }
            let said = details(o, p);
            if !said.is_empty() {
                lines.push(format!("package {name} {version}: {}", said.join("; ")));
            }
        }
    }
    for (name, was) in &before {
        if !after.contains_key(name) {
            lines.push(format!("package {name}: removed (was {})", list(was)));
        }
    }
}

/// Whether a package comes from a Git repository or a source directory (its metadata read
/// from the tree, or built from it).
fn from_tree(p: &LockedPackage) -> bool {
    p.directory.is_some() || p.url.as_deref().and_then(GitPin::parse).is_some()
}

/// What changed about one package at one version on the same targets, one phrase each:
/// where it comes from, its dependencies, its files, why it is there. Empty when nothing did.
fn details(o: &LockedPackage, p: &LockedPackage) -> Vec<String> {
    let mut said = origin(o, p);
    said.extend(dependencies(o, p));
    if o.dependencies_from_build != p.dependencies_from_build {
        said.push(if p.dependencies_from_build {
            "its dependencies now come from a build on the host".to_string()
        } else {
            "its dependencies no longer come from a build on the host".to_string()
        });
    }
    if o.artifacts != p.artifacts {
        said.push(artifacts(&o.artifacts, &p.artifacts));
    }
    if o.requested_by != p.requested_by {
        said.push(format!(
            "required by [{}] → [{}]",
            o.requested_by.join(", "),
            p.requested_by.join(", ")
        ));
    }
    if o.conda != p.conda {
        said.push("its conda record changed (dependencies, constraints or features)".into());
    }
    said
}

/// Where the package comes from, when that changed: a Git pin whose rev moved to another
/// commit (`git+R@<old> → @<new> (rev main moved)`), another rev asked for, another URL,
/// index or channel, another directory or editable mode.
fn origin(o: &LockedPackage, p: &LockedPackage) -> Vec<String> {
    let mut said = Vec::new();
    let rev = |r: &Option<String>| {
        r.as_deref()
            .map_or("the default branch".to_string(), |r| format!("rev {r}"))
    };
    let pins = (
        o.url.as_deref().and_then(GitPin::parse),
        p.url.as_deref().and_then(GitPin::parse),
    );
    match pins {
        (Some(a), Some(b))
            if (&a.repository, &a.subdirectory) == (&b.repository, &b.subdirectory) =>
        {
            let moved = if o.requested_revision == p.requested_revision {
                match &p.requested_revision {
                    Some(r) => format!("rev {r} moved"),
                    None => "the default branch moved".to_string(),
                }
            } else {
                format!(
                    "{} → {}",
                    rev(&o.requested_revision),
                    rev(&p.requested_revision)
                )
            };
            if a.commit != b.commit {
                // `git+R@<old>[#subdirectory=D] → @<new>[#subdirectory=D]`.
                let url = o.url.as_deref().unwrap_or_default();
                let head = url.split('#').next().unwrap_or(url);
                let fragment = &url[head.len()..];
                said.push(format!("{head} → @{}{fragment} ({moved})", b.commit));
            } else if o.requested_revision != p.requested_revision {
                said.push(format!(
                    "{}: asked for as {}",
                    p.url.as_deref().unwrap_or_default(),
                    moved
                ));
            }
        }
        _ if o.url != p.url || o.requested_revision != p.requested_revision => {
            let at = |url: &Option<String>, r: &Option<String>| match (url, r) {
                (Some(u), Some(r)) => format!("{u} (rev {r})"),
                (Some(u), None) => u.clone(),
                (None, _) => "none".to_string(),
            };
            said.push(format!(
                "url {} → {}",
                at(&o.url, &o.requested_revision),
                at(&p.url, &p.requested_revision)
            ));
        }
        _ => {}
    }
    if o.source != p.source {
        let or_none = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
        said.push(format!(
            "index or channel {} → {}",
            or_none(&o.source),
            or_none(&p.source)
        ));
    }
    if o.directory != p.directory {
        let dir = |d: &Option<crate::lock::LockedDirectory>| match d {
            Some(d) if d.editable => format!("{} (editable)", d.path),
            Some(d) => d.path.clone(),
            None => "none".to_string(),
        };
        said.push(format!(
            "directory {} → {}",
            dir(&o.directory),
            dir(&p.directory)
        ));
    }
    said
}

/// The requirements added to and removed from a package's dependencies:
/// `dependencies: +gamma, -beta<2`.
fn dependencies(o: &LockedPackage, p: &LockedPackage) -> Option<String> {
    let before: BTreeSet<&String> = o.dependencies.iter().collect();
    let after: BTreeSet<&String> = p.dependencies.iter().collect();
    let added = after.difference(&before).map(|d| format!("+{d}"));
    let removed = before.difference(&after).map(|d| format!("-{d}"));
    let all: Vec<String> = added.chain(removed).collect();
    (!all.is_empty()).then(|| format!("dependencies: {}", all.join(", ")))
}

/// The files of a package that came or went (by name), or that changed (hash, size, the
/// targets they serve).
fn artifacts(o: &[Artifact], p: &[Artifact]) -> String {
    let name = |a: &Artifact| a.url.rsplit('/').next().unwrap_or(&a.url).to_string();
    let before: BTreeSet<&str> = o.iter().map(|a| a.url.as_str()).collect();
    let after: BTreeSet<&str> = p.iter().map(|a| a.url.as_str()).collect();
    let added = p
        .iter()
        .filter(|a| !before.contains(a.url.as_str()))
        .map(|a| format!("+{}", name(a)));
    let removed = o
        .iter()
        .filter(|a| !after.contains(a.url.as_str()))
        .map(|a| format!("-{}", name(a)));
    let moved: Vec<String> = added.chain(removed).collect();
    if !moved.is_empty() {
        return format!("files: {}", moved.join(", "));
    }
    let changed: Vec<String> = p.iter().filter(|a| !o.contains(a)).map(name).collect();
    format!(
        "files changed (hash, size or targets): {}",
        changed.join(", ")
    )
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

    fn git(name: &str, version: &str, commit: char, rev: Option<&str>) -> LockedPackage {
        let mut p = package(name, version, &["linux-64"], &[]);
        p.url = Some(format!(
            "git+file:///src/repo@{}#subdirectory=python",
            commit.to_string().repeat(40)
        ));
        p.requested_revision = rev.map(str::to_string);
        p
    }

    #[test]
    fn a_git_rev_that_moved_names_both_commits() {
        let (a, b) = ("a".repeat(40), "b".repeat(40));
        let old = lock(&["linux-64"], vec![git("tool", "1.0", 'a', Some("main"))]);
        let new = lock(&["linux-64"], vec![git("tool", "1.0", 'b', Some("main"))]);
        assert_eq!(
            changes(&old, &new, &NoEnvironment),
            [format!(
                "package pypi tool 1.0: git+file:///src/repo@{a} → @{b}#subdirectory=python (rev main moved)"
            )]
        );
        // No rev asked for: the default branch moved.
        let old = lock(&["linux-64"], vec![git("tool", "1.0", 'a', None)]);
        let new = lock(&["linux-64"], vec![git("tool", "1.0", 'b', None)]);
        assert!(
            changes(&old, &new, &NoEnvironment)[0].ends_with("(the default branch moved)"),
            "{:?}",
            changes(&old, &new, &NoEnvironment)
        );
        // Another rev asked for, at the same commit.
        let old = lock(&["linux-64"], vec![git("tool", "1.0", 'a', Some("v1"))]);
        let new = lock(&["linux-64"], vec![git("tool", "1.0", 'a', Some("main"))]);
        assert_eq!(
            changes(&old, &new, &NoEnvironment),
            [format!(
                "package pypi tool 1.0: git+file:///src/repo@{a}#subdirectory=python: asked for as rev v1 → rev main"
            )]
        );
        // The version moved with the commit, and the dependencies with it.
        let old = lock(&["linux-64"], vec![git("tool", "1.0", 'a', Some("main"))]);
        let mut moved = git("tool", "2.0", 'b', Some("main"));
        moved.dependencies = vec!["gamma".into()];
        let new = lock(&["linux-64"], vec![moved]);
        assert_eq!(
            changes(&old, &new, &NoEnvironment),
            [format!(
                "package pypi tool: 1.0 → 2.0; git+file:///src/repo@{a} → @{b}#subdirectory=python (rev main moved); dependencies: +gamma"
            )]
        );
    }

    #[test]
    fn a_source_directory_names_its_new_dependencies_and_files_their_changes() {
        let dir = |deps: &[&str], editable: bool| {
            let mut p = package("local-pkg", "0.3", &["linux-64"], &[]);
            p.directory = Some(crate::lock::LockedDirectory {
                path: "libs/local-pkg".into(),
                editable,
            });
            p.dependencies = deps.iter().map(|d| d.to_string()).collect();
            p
        };
        let old = lock(&["linux-64"], vec![dir(&["alpha", "beta<2"], true)]);
        let new = lock(&["linux-64"], vec![dir(&["alpha", "gamma>=1"], false)]);
        assert_eq!(
            changes(&old, &new, &NoEnvironment),
            [
                "package pypi local-pkg 0.3: directory libs/local-pkg (editable) → libs/local-pkg; dependencies: +gamma>=1, -beta<2"
            ]
        );
        // Its metadata (static or built) gave another version and dependencies.
        let mut built = dir(&["alpha", "click"], false);
        built.version = "0.4".into();
        let old = lock(&["linux-64"], vec![dir(&["alpha"], false)]);
        let new = lock(&["linux-64"], vec![built]);
        assert_eq!(
            changes(&old, &new, &NoEnvironment),
            ["package pypi local-pkg: 0.3 → 0.4; dependencies: +click"]
        );
        // A registry package whose file was replaced, and one required from elsewhere.
        let old = lock(
            &["linux-64"],
            vec![package(
                "beta",
                "1.0",
                &["linux-64"],
                &[("https://files.example/beta-1.0.whl", &[])],
            )],
        );
        let mut new = lock(
            &["linux-64"],
            vec![package(
                "beta",
                "1.0",
                &["linux-64"],
                &[("https://files.example/beta-1.0-2.whl", &[])],
            )],
        );
        new.packages[0].requested_by = vec!["requirements.txt:1:1".into()];
        assert_eq!(
            changes(&old, &new, &NoEnvironment),
            [
                "package pypi beta 1.0: files: +beta-1.0-2.whl, -beta-1.0.whl; required by [] → [requirements.txt:1:1]"
            ]
        );
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
