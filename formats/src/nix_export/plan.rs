//! Where each package of one target goes in the Nix dev shell:
//!
//! - conda `python`: the interpreter is nixpkgs' (`pkgs.python3XY`, the target's minor);
//! - conda packages in the system package table (`model/src/system_packages.tsv`): that nixpkgs attribute, or nothing (with the table's
//!   reason) for metapackages and toolchain parts that nixpkgs' stdenv provides;
//! - conda packages that install Python distributions (the bridge): pinned in the venv's
//!   requirements at the conda version (`numpy==1.26.4`), installed from the index by uv;
//! - any other conda package: named in the notes, never dropped silently;
//! - PyPI pins: the requirements, with every hash of the target's artifacts, written by
//!   [`crate::requirements::emit`].
//!
//! And which libraries go on `LD_LIBRARY_PATH` on Linux: libstdc++ (`stdenv.cc.cc.lib`) and
//! `zlib` when a prebuilt Linux wheel is installed (their extension modules link them, and a
//! Nix system has them only in the store), plus the libraries of `fhs.tsv` for distributions
//! that load them at run time (`libGL` for opencv-python, …). macOS wheels link only system
//! frameworks, so macOS shells get no wiring.

use super::tables;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use unilock_model::document::{IndexKind, IndexLocation, PinnedPackage};
use unilock_model::lock::{ArtifactKind, LockedPackage};
use unilock_model::{Diagnostic, Ecosystem, Lock, conda_pypi};

/// One nixpkgs attribute of the shell and the conda packages it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Native {
    pub attribute: &'static str,
    /// `name version` of each conda package.
    pub conda: Vec<String>,
}

/// A library on `LD_LIBRARY_PATH` and the packages that need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FhsLibrary {
    pub attribute: String,
    pub packages: BTreeSet<String>,
}

#[derive(Debug, Default)]
pub(super) struct Plan {
    /// By attribute.
    pub native: Vec<Native>,
    /// Conda packages that need nothing: `name version` and why.
    pub nothing: Vec<(String, String)>,
    /// The requirements file the venv is synced to.
    pub requirements: String,
    /// In the order they go on the path.
    pub fhs: Vec<FhsLibrary>,
    pub notes: Vec<String>,
}

pub(super) fn plan(lock: &Lock, target: &str, system: &str) -> Result<Plan, Diagnostic> {
    let linux = system.ends_with("-linux");
    let on_target: Vec<&LockedPackage> = lock
        .packages
        .iter()
        .filter(|p| p.targets.iter().any(|t| t == target))
        .collect();
    let mut plan = Plan::default();
    let mut native: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut bridged: Vec<PinnedPackage> = Vec::new();
    let mut unplaced = Vec::new();
    let mut table_notes = Vec::new();
    let pypi_names: BTreeSet<&str> = on_target
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Pypi)
        .map(|p| p.name.as_str())
        .collect();

    for p in on_target.iter().filter(|p| p.ecosystem == Ecosystem::Conda) {
        let label = format!("{} {}", p.name, p.version);
        if p.name == "python" {
            plan.nothing.push((
                label,
                "the interpreter is nixpkgs' Python of the target's version".into(),
            ));
            continue;
        }
        if let Some(row) = tables::nixpkgs(&p.name) {
            match row.attribute {
                Some(attr) => native.entry(attr).or_default().push(label),
                None => plan
                    .nothing
                    .push((label, row.note.unwrap_or_default().to_string())),
            }
            if let (Some(_), Some(note)) = (row.attribute, row.note) {
                table_notes.push(format!("{}: {note}", p.name));
            }
            continue;
        }
        let purls = p.conda.as_ref().map(|c| c.purls.as_slice()).unwrap_or(&[]);
        let channel = p.source.as_deref().unwrap_or("conda-forge");
        let distributions = conda_pypi::pypi_distributions(&p.name, channel, purls);
        if distributions.is_empty() {
            unplaced.push(label);
            continue;
        }
        for d in distributions {
            if pypi_names.contains(d.as_str()) || bridged.iter().any(|b| b.name == d) {
                continue;
            }
            if pep440_rs::Version::from_str(&p.version).is_err() {
                plan.notes.push(format!(
                    "conda {label} installs the Python distribution {d}, but `{}` is not a PEP 440 version: {d} is in the venv unpinned",
                    p.version
                ));
                let mut pin = PinnedPackage::registry(&d, "", "");
                pin.version = None;
                bridged.push(pin);
            } else {
                plan.notes.push(format!(
                    "conda {label} installs the Python distribution {d}: the venv pins {d}=={} from the index instead of the conda build",
                    p.version
                ));
                bridged.push(PinnedPackage::registry(&d, &p.version, ""));
            }
        }
    }
    plan.native = native
        .into_iter()
        .map(|(attribute, conda)| Native { attribute, conda })
        .collect();
    if !unplaced.is_empty() {
        plan.notes.push(format!(
            "not in the shell: conda {} (no nixpkgs attribute in unilock's table and no Python distribution); add their nixpkgs packages to `nativePackages` by hand",
            unplaced.join(", ")
        ));
    }
    plan.notes.extend(table_notes);

    // The requirements of the venv: the lock's PyPI pins for this target, then the bridged ones.
    let mut doc = lock.to_document(target, "requirements");
    doc.packages.retain(|p| p.ecosystem == Ecosystem::Pypi);
    let mut sources: Vec<String> = Vec::new();
    for p in on_target.iter().filter(|p| p.ecosystem == Ecosystem::Pypi) {
        if let Some(s) = &p.source
            && p.url.is_none()
            && !sources.contains(s)
        {
            sources.push(s.clone());
        }
    }
    doc.indexes = sources
        .iter()
        .enumerate()
        .map(|(i, url)| IndexLocation {
            url: url.clone(),
            name: None,
            kind: if i == 0 {
                IndexKind::Default
            } else {
                IndexKind::Extra
            },
            origin: None,
        })
        .collect();
    let bridged_names: Vec<String> = bridged.iter().map(|b| b.name.clone()).collect();
    doc.packages.extend(bridged);
    doc.packages.sort_by(|a, b| a.name.cmp(&b.name));
    plan.requirements = crate::requirements::emit(&doc)?;

    // Sdists and prebuilt Linux wheels.
    let mut binary = BTreeSet::new();
    let mut sdists = Vec::new();
    for p in on_target.iter().filter(|p| p.ecosystem == Ecosystem::Pypi) {
        let files: Vec<_> = p
            .artifacts
            .iter()
            .filter(|a| a.targets.is_empty() || a.targets.iter().any(|t| t == target))
            .collect();
        if files
            .iter()
            .any(|a| a.kind == ArtifactKind::Wheel && wheel_platform(&a.url).contains("linux"))
        {
            binary.insert(p.name.clone());
        }
        if !files.is_empty() && files.iter().all(|a| a.kind == ArtifactKind::Sdist) {
            sdists.push(format!("{} {}", p.name, p.version));
        }
    }
    if !sdists.is_empty() {
        plan.notes.push(format!(
            "built from source when the shell starts (the lock has no wheel for this target): {}; uv builds them with the compiler of nixpkgs' stdenv, and any native library they need must be added to `nativePackages`",
            sdists.join(", ")
        ));
    }
    if linux {
        // Bridged distributions come from the index as the solve never saw them: counted as
        // prebuilt, since the packages conda ships as builds are mostly compiled.
        let needs_runtime: BTreeSet<String> = binary
            .iter()
            .cloned()
            .chain(bridged_names.iter().cloned())
            .collect();
        if !needs_runtime.is_empty() {
            for attribute in ["stdenv.cc.cc.lib", "zlib"] {
                plan.fhs.push(FhsLibrary {
                    attribute: attribute.into(),
                    packages: needs_runtime.clone(),
                });
            }
            plan.notes.push(format!(
                "LD_LIBRARY_PATH: libstdc++ (stdenv.cc.cc.lib) and libz (zlib) for the prebuilt Linux wheels of {}: their extension modules link them, and a Nix system has them only in the store",
                needs_runtime.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        let present = pypi_names
            .iter()
            .map(|n| n.to_string())
            .chain(bridged_names.iter().cloned());
        let mut extra: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for name in present.collect::<BTreeSet<_>>() {
            if let Some(row) = tables::fhs(&name) {
                for lib in row.libraries.split(' ') {
                    extra
                        .entry(lib.to_string())
                        .or_default()
                        .insert(name.clone());
                }
                plan.notes.push(format!(
                    "LD_LIBRARY_PATH: {} for {name}: {}",
                    row.libraries.replace(' ', ", "),
                    row.why
                ));
            }
        }
        for (attribute, packages) in extra {
            match plan.fhs.iter_mut().find(|l| l.attribute == attribute) {
                Some(l) => l.packages.extend(packages),
                None => plan.fhs.push(FhsLibrary {
                    attribute,
                    packages,
                }),
            }
        }
    }
    Ok(plan)
}

/// The platform tag of a wheel file name (`manylinux_2_17_x86_64.manylinux2014_x86_64`), or
/// `""` when the URL does not end in a wheel name.
fn wheel_platform(url: &str) -> &str {
    let path = url.split(['#', '?']).next().unwrap_or(url);
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".whl")
        .and_then(|stem| stem.rsplit('-').next())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::wheel_platform;

    #[test]
    fn wheel_platforms() {
        assert_eq!(
            wheel_platform(
                "file:///x/numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl#sha256=00"
            ),
            "manylinux_2_17_x86_64.manylinux2014_x86_64"
        );
        assert_eq!(wheel_platform("file:///x/idna-3.7-py3-none-any.whl"), "any");
        assert_eq!(wheel_platform("file:///x/idna-3.7.tar.gz"), "");
    }
}
