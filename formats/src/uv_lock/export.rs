//! `uv export` semantics over a lock: which packages a chosen set of extras and dependency
//! groups installs, and under which PEP 508 marker each one is installed.
//!
//! The walk starts at the workspace's own packages, follows dependency edges (an edge that
//! names a package with several locked versions carries the `version` and `source` that pick
//! one) and gives each reached package the OR over all paths of the AND of the edge markers
//! along the path. Paths through extras are followed as nodes of their own (`pkg[extra]`).
//! The graph may have cycles, so markers are propagated until nothing changes; each step
//! only widens a marker, so this ends.

use super::document::pinned_package;
use super::*;
use pep508_rs::{ExtraName, MarkerEnvironment, MarkerTree};
use std::collections::{BTreeMap, VecDeque};
use std::str::FromStr;
use unilock_model::Document;
use unilock_model::document::PinSource;

/// What to export: extras, dependency groups and an optional target environment.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Extras of the workspace packages to include.
    pub extras: Vec<String>,
    /// Include every extra of the workspace packages.
    pub all_extras: bool,
    /// Dependency groups to include besides the default one (`dev`).
    pub groups: Vec<String>,
    /// Leave out the default group (`dev`).
    pub no_default_groups: bool,
    /// Export every workspace member, not only the project at the workspace root.
    pub all_packages: bool,
    /// Keep only the packages installed in this environment, and drop markers.
    pub target: Option<MarkerEnvironment>,
}

/// A node of the walk: a package, or one extra of a package.
type Node = (usize, Option<String>);

/// The packages installed for `options`, each with the marker it is installed under (`None`:
/// always) and its artifacts. Virtual workspace members are left out; other workspace
/// members are included as directory sources.
pub fn export(lock: &UvLock, options: &ExportOptions) -> Document {
    let members: Vec<usize> = lock
        .root_packages()
        .into_iter()
        .filter_map(|r| lock.packages.iter().position(|p| std::ptr::eq(p, r)))
        .collect();
    // Like `uv export` run at the workspace root: the project there, unless every member is
    // asked for or the root is not a package (a virtual workspace).
    let at_root = members
        .iter()
        .copied()
        .find(|&i| lock.packages[i].source.as_ref().and_then(Source::tree_path) == Some("."));
    let roots: Vec<usize> = match at_root {
        Some(root) if !options.all_packages => vec![root],
        _ => members,
    };
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in lock.packages.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let resolve = |d: &Dependency| -> Option<usize> {
        let candidates = by_name.get(d.name.as_str())?;
        if let [only] = candidates.as_slice() {
            return Some(*only);
        }
        candidates.iter().copied().find(|&i| {
            let p = &lock.packages[i];
            (d.version.is_none() || d.version == p.version)
                && (d.source.is_none() || d.source == p.source)
        })
    };

    // The extras and groups chosen, in the `extra-N-pkg-extra` / `group-N-pkg-group` spelling
    // uv uses for conflict markers on edges, so those edges evaluate as uv would.
    let mut groups: Vec<String> = Vec::new();
    if !options.no_default_groups {
        groups.push("dev".to_string());
    }
    groups.extend(options.groups.iter().cloned());
    let mut active: Vec<ExtraName> = Vec::new();
    let mut walk = Walk::default();
    let mut starts: Vec<&Dependency> = Vec::new();
    for &r in &roots {
        let p = &lock.packages[r];
        walk.widen((r, None), MarkerTree::TRUE);
        for (extra, _) in &p.optional_dependencies {
            if options.all_extras || options.extras.contains(extra) {
                active.extend(ExtraName::from_str(&conflict_name("extra", &p.name, extra)));
                walk.widen((r, Some(extra.clone())), MarkerTree::TRUE);
            }
        }
        for (group, deps) in &p.dependency_groups {
            if groups.contains(group) {
                active.extend(ExtraName::from_str(&conflict_name("group", &p.name, group)));
                starts.extend(deps);
            }
        }
    }
    let follow = |walk: &mut Walk, d: &Dependency, from: &MarkerTree| {
        let Some(target) = resolve(d) else { return };
        let mut m = from.clone();
        if let Some(edge) = d
            .marker
            .as_deref()
            .and_then(|s| MarkerTree::from_str(s).ok())
        {
            m.and(edge);
        }
        if m.is_false() {
            return;
        }
        for extra in &d.extra {
            walk.widen((target, Some(extra.clone())), m.clone());
        }
        walk.widen((target, None), m);
    };
    for d in starts {
        follow(&mut walk, d, &MarkerTree::TRUE);
    }
    while let Some(node) = walk.queue.pop_front() {
        let from = walk.marks.get(&node).cloned().unwrap_or(MarkerTree::FALSE);
        let p = &lock.packages[node.0];
        let deps: &[Dependency] = match &node.1 {
            None => &p.dependencies,
            Some(extra) => p
                .optional_dependencies
                .iter()
                .find(|(e, _)| e == extra)
                .map_or(&[], |(_, deps)| deps.as_slice()),
        };
        for d in deps {
            follow(&mut walk, d, &from);
        }
    }
    let marks = walk.marks;

    let mut doc = Document::new("uv-lock");
    doc.project = roots.first().map(|&r| lock.packages[r].name.clone());
    doc.requires_python = lock.requires_python.clone();
    let supported = (!lock.supported_markers.is_empty()).then(|| {
        let mut any = MarkerTree::FALSE;
        for m in &lock.supported_markers {
            // Markers were checked when the lock was parsed.
            any.or(MarkerTree::from_str(m).unwrap_or(MarkerTree::TRUE));
        }
        any
    });
    let mut is_root = Vec::new();
    for (i, package) in lock.packages.iter().enumerate() {
        let Some(marker) = marks.get(&(i, None)).cloned() else {
            continue;
        };
        let mut marker = decide_conflict_extras(marker, &active);
        // A lock made for some environments only installs there (uv ANDs them in too).
        if let Some(supported) = &supported {
            marker.and(supported.clone());
        }
        if marker.is_false() {
            continue;
        }
        if let Some(target) = &options.target
            && !marker.evaluate(target, &active)
        {
            continue;
        }
        let mut pinned = pinned_package(package);
        if matches!(
            pinned.source,
            PinSource::Directory {
                r#virtual: true,
                ..
            }
        ) {
            continue;
        }
        pinned.dependencies.clear();
        pinned.optional_dependencies.clear();
        pinned.dependency_groups.clear();
        pinned.marker = match options.target {
            Some(_) => None,
            None => marker.try_to_string(),
        };
        doc.packages.push(pinned);
        is_root.push(roots.contains(&i));
    }
    // uv export lists the project first, then other local packages (workspace members, path
    // and directory sources), then the rest, each by name.
    let mut flagged: Vec<_> = is_root
        .into_iter()
        .zip(std::mem::take(&mut doc.packages))
        .collect();
    flagged.sort_by_key(|(root, p)| {
        let local = matches!(
            p.source,
            PinSource::Directory { .. } | PinSource::Path { .. }
        );
        (!*root, !local)
    });
    doc.packages = flagged.into_iter().map(|(_, p)| p).collect();
    doc
}

/// The markers found so far and the nodes whose marker widened since they were last visited.
#[derive(Default)]
struct Walk {
    marks: BTreeMap<Node, MarkerTree>,
    queue: VecDeque<Node>,
}

impl Walk {
    /// ORs `m` into the node's marker; queues the node again if that widened it.
    fn widen(&mut self, node: Node, m: MarkerTree) {
        let current = self.marks.entry(node.clone()).or_insert(MarkerTree::FALSE);
        let mut wider = current.clone();
        wider.or(m);
        if wider != *current {
            *current = wider;
            self.queue.push_back(node);
        }
    }
}

/// uv's encoding of a conflicting extra or group as a marker extra name.
fn conflict_name(kind: &str, package: &str, name: &str) -> String {
    format!("{kind}-{}-{package}-{name}", package.len())
}

/// Is `name` one of uv's conflict-marker extras (`extra-N-pkg-extra`, `group-N-pkg-group`)?
fn is_conflict_extra(name: &ExtraName) -> bool {
    let text = name.as_ref();
    let Some(rest) = text
        .strip_prefix("extra-")
        .or_else(|| text.strip_prefix("group-"))
    else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && rest[digits..].starts_with('-')
}

/// Settles uv's conflict-marker extras: the chosen ones (`active`) are true, every other one is
/// false, as `uv export` settles them; plain extras stay as they are.
fn decide_conflict_extras(marker: MarkerTree, active: &[ExtraName]) -> MarkerTree {
    use pep508_rs::{ExtraOperator, MarkerExpression, MarkerValueExtra};
    let marker = marker.simplify_extras_with(|e| active.contains(e));
    if marker.is_true() || marker.is_false() {
        return marker;
    }
    let mut result = MarkerTree::FALSE;
    for conjunction in marker.to_dnf() {
        let mut term = MarkerTree::TRUE;
        let mut holds = true;
        for expression in conjunction {
            if let MarkerExpression::Extra {
                operator,
                name: MarkerValueExtra::Extra(name),
            } = &expression
                && is_conflict_extra(name)
            {
                let chosen = active.contains(name);
                if (*operator == ExtraOperator::Equal) != chosen {
                    holds = false;
                    break;
                }
                continue;
            }
            term.and(MarkerTree::expression(expression));
        }
        if holds {
            result.or(term);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"version = 1
revision = 3
requires-python = ">=3.10"
resolution-markers = [
    "python_full_version >= '3.11'",
    "python_full_version < '3.11'",
]

[[package]]
name = "a"
version = "1.0"
source = { registry = "file:///index" }
dependencies = [
    { name = "b", marker = "sys_platform == 'win32'" },
    { name = "c", version = "1.0", source = { registry = "file:///index" }, marker = "python_full_version < '3.11'" },
    { name = "c", version = "2.0", source = { registry = "file:///index" }, marker = "python_full_version >= '3.11'" },
]
wheels = [
    { url = "file:///index/a-1.0-py3-none-any.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", size = 1 },
]

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "a" },
]

[package.optional-dependencies]
fast = [
    { name = "e" },
]

[package.dev-dependencies]
dev = [
    { name = "d" },
]
lint = [
    { name = "f" },
]

[[package]]
name = "b"
version = "1.0"
source = { registry = "file:///index" }
dependencies = [
    { name = "a" },
]

[[package]]
name = "c"
version = "1.0"
source = { registry = "file:///index" }
resolution-markers = [
    "python_full_version < '3.11'",
]

[[package]]
name = "c"
version = "2.0"
source = { registry = "file:///index" }
resolution-markers = [
    "python_full_version >= '3.11'",
]

[[package]]
name = "d"
version = "1.0"
source = { registry = "file:///index" }

[[package]]
name = "e"
version = "1.0"
source = { registry = "file:///index" }

[[package]]
name = "f"
version = "1.0"
source = { registry = "file:///index" }
"#;

    fn exported(options: &ExportOptions) -> Vec<(String, String, Option<String>)> {
        let lock = parse("uv.lock", LOCK).unwrap();
        export(&lock, options)
            .packages
            .into_iter()
            .map(|p| (p.name, p.version.unwrap_or_default(), p.marker))
            .collect()
    }

    fn entry(name: &str, version: &str, marker: Option<&str>) -> (String, String, Option<String>) {
        (name.into(), version.into(), marker.map(str::to_string))
    }

    #[test]
    fn markers_are_the_union_over_paths_of_the_edge_markers() {
        let got = exported(&ExportOptions::default());
        assert_eq!(
            got,
            vec![
                entry("a", "1.0", None),
                entry("b", "1.0", Some("sys_platform == 'win32'")),
                entry("c", "1.0", Some("python_full_version < '3.11'")),
                entry("c", "2.0", Some("python_full_version >= '3.11'")),
                entry("d", "1.0", None),
            ]
        );
    }

    #[test]
    fn extras_and_groups_are_chosen_by_the_options() {
        let names = |o: &ExportOptions| -> Vec<String> {
            exported(o).into_iter().map(|(n, _, _)| n).collect()
        };
        let options = ExportOptions {
            extras: vec!["fast".into()],
            groups: vec!["lint".into()],
            no_default_groups: true,
            ..ExportOptions::default()
        };
        assert_eq!(names(&options), ["a", "b", "c", "c", "e", "f"]);
        let all = ExportOptions {
            all_extras: true,
            ..ExportOptions::default()
        };
        assert!(names(&all).contains(&"e".to_string()));
    }

    #[test]
    fn a_target_keeps_only_what_it_installs_and_drops_markers() {
        let linux = MarkerEnvironment::try_from(pep508_rs::MarkerEnvironmentBuilder {
            implementation_name: "cpython",
            implementation_version: "3.12.1",
            os_name: "posix",
            platform_machine: "x86_64",
            platform_python_implementation: "CPython",
            platform_release: "",
            platform_system: "Linux",
            platform_version: "",
            python_full_version: "3.12.1",
            python_version: "3.12",
            sys_platform: "linux",
        })
        .unwrap();
        let got = exported(&ExportOptions {
            target: Some(linux),
            ..ExportOptions::default()
        });
        assert_eq!(
            got,
            vec![
                entry("a", "1.0", None),
                entry("c", "2.0", None),
                entry("d", "1.0", None)
            ]
        );
    }

    #[test]
    fn a_non_virtual_root_is_exported_as_its_directory() {
        let lock = parse(
            "uv.lock",
            &LOCK.replace("{ virtual = \".\" }", "{ editable = \".\" }"),
        )
        .unwrap();
        let doc = export(&lock, &ExportOptions::default());
        let app = doc.packages.iter().find(|p| p.name == "app").unwrap();
        assert_eq!(
            app.source,
            PinSource::Directory {
                path: ".".into(),
                editable: true,
                r#virtual: false
            }
        );
        let a = doc.packages.iter().find(|p| p.name == "a").unwrap();
        assert_eq!(
            a.artifacts[0].filename.as_deref(),
            Some("a-1.0-py3-none-any.whl")
        );
        assert!(a.dependencies.is_empty());
    }
}
