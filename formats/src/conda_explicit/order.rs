//! Install order for explicit files written from a lock: the order conda itself sorts a
//! transaction in, and that conda-lock uses when it renders an explicit file. Conda packages
//! come first, then PyPI packages; within each, packages are sorted topologically by level
//! (first every package whose dependencies are all placed, alphabetically, then the next level),
//! a dependency cycle is broken at the package with the fewest open dependencies (the
//! alphabetically first of those), and `python` does not wait for `pip`.

use std::collections::{BTreeMap, BTreeSet};
use unilock_model::{Ecosystem, document::PinnedPackage};

/// Sorts `packages` into install order, using each package's `dependencies` (names).
pub fn sort_for_install(packages: &mut Vec<PinnedPackage>) {
    let mut sorted = Vec::with_capacity(packages.len());
    for ecosystem in [Ecosystem::Conda, Ecosystem::Pypi] {
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(packages)
            .into_iter()
            .partition(|p| p.ecosystem == ecosystem);
        *packages = rest;
        let mut by_name: BTreeMap<String, PinnedPackage> = BTreeMap::new();
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut repeated = Vec::new();
        for p in mine {
            if by_name.contains_key(&p.name) {
                // Two pins of one name cannot be told apart by name; keep the later ones after
                // the sorted ones, in the input's order.
                repeated.push(p);
                continue;
            }
            let deps = p.dependencies.iter().map(|d| d.name.clone()).collect();
            graph.insert(p.name.clone(), deps);
            by_name.insert(p.name.clone(), p);
        }
        for name in levels(graph) {
            if let Some(p) = by_name.remove(&name) {
                sorted.push(p);
            }
        }
        sorted.extend(repeated);
    }
    sorted.append(packages);
    *packages = sorted;
}

/// The names of `graph` (name → names it depends on) in level order, alphabetical within a
/// level; names that are only depended on take part too (they have no dependencies).
fn levels(mut graph: BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    if let Some(python) = graph.get_mut("python") {
        python.remove("pip");
    }
    for (name, deps) in graph.iter_mut() {
        deps.remove(name);
    }
    let only_depended_on: BTreeSet<String> = graph
        .values()
        .flatten()
        .filter(|d| !graph.contains_key(*d))
        .cloned()
        .collect();
    for name in only_depended_on {
        graph.insert(name, BTreeSet::new());
    }
    let mut order = Vec::with_capacity(graph.len());
    while !graph.is_empty() {
        let ready: Vec<String> = graph
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(name, _)| name.clone())
            .collect();
        let placed = if ready.is_empty() {
            // A cycle: the package with the fewest dependencies still open goes first.
            let Some(name) = graph
                .iter()
                .min_by(|a, b| (a.1.len(), a.0).cmp(&(b.1.len(), b.0)))
                .map(|(name, _)| name.clone())
            else {
                break;
            };
            vec![name]
        } else {
            ready
        };
        for name in &placed {
            graph.remove(name);
        }
        for deps in graph.values_mut() {
            for name in &placed {
                deps.remove(name);
            }
        }
        order.extend(placed);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use unilock_model::document::PinDependency;

    fn pin(name: &str, ecosystem: Ecosystem, deps: &[&str]) -> PinnedPackage {
        let mut p = PinnedPackage::registry(name, "1", "");
        p.ecosystem = ecosystem;
        p.dependencies = deps
            .iter()
            .map(|d| PinDependency {
                name: d.to_string(),
                version: None,
                extras: Vec::new(),
                marker: None,
            })
            .collect();
        p
    }

    fn names(packages: &[PinnedPackage]) -> Vec<&str> {
        packages.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn levels_then_names_conda_before_pypi() {
        let mut packages = vec![
            pin("requests", Ecosystem::Pypi, &["urllib3", "python"]),
            pin("numpy", Ecosystem::Conda, &["python", "libblas", "__glibc"]),
            pin("urllib3", Ecosystem::Pypi, &[]),
            pin("python", Ecosystem::Conda, &["libzlib", "pip"]),
            pin("pip", Ecosystem::Conda, &["python"]),
            pin("libzlib", Ecosystem::Conda, &[]),
            pin("libblas", Ecosystem::Conda, &[]),
        ];
        sort_for_install(&mut packages);
        assert_eq!(
            names(&packages),
            [
                "libblas", "libzlib", "python", "numpy", "pip", "urllib3", "requests"
            ]
        );
    }

    #[test]
    fn cycles_break_at_the_fewest_open_dependencies() {
        let mut packages = vec![
            pin("b", Ecosystem::Conda, &["a", "c"]),
            pin("a", Ecosystem::Conda, &["b"]),
            pin("c", Ecosystem::Conda, &[]),
        ];
        sort_for_install(&mut packages);
        assert_eq!(names(&packages), ["c", "a", "b"]);
    }
}
