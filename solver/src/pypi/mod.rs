//! Resolving PyPI requirements for one target with PubGrub.
//!
//! [`resolve`] takes the input requirements ([`Request`]), a [`PackageSource`] and a target,
//! and returns one version per package ([`Resolution`]) with the files that install each on the
//! target, best wheel first; or, when no set of versions works, an explanation that names the
//! target attribute responsible (see [`explain`]).

pub(crate) mod asked;
pub mod binary;
pub(crate) mod candidates;
pub(crate) mod explain;
#[cfg(test)]
mod flag_tests;
pub mod prerelease;
pub(crate) mod provider;
pub mod search;
pub mod source_builds;
#[cfg(test)]
mod tests;
pub(crate) mod unusable;

pub use binary::{BinaryFlag, BinaryPolicy, Formats, Names};
pub use candidates::{Filter, Project};
pub use prerelease::PrereleaseMode;
pub use source_builds::{BuildCause, SourceBuild};

use pep440_rs::Version;
use pep508_rs::PackageName;
use provider::{Pkg, Provider};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use unilock_model::index::{DistFile, PackageSource};
use unilock_model::{Diagnostic, ErrorKind, Target};

/// What to resolve.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The requirements, each with where it was written (`requirements.txt:3:1`).
    pub requirements: Vec<(pep508_rs::Requirement, String)>,
    /// Constraints (`-c`): limit versions of packages that something else requires.
    pub constraints: Vec<pep508_rs::Requirement>,
    /// Overrides: replace every requirement on the package.
    pub overrides: Vec<pep508_rs::Requirement>,
    /// Versions to keep when they still fit (pins of an existing lock).
    pub preferences: HashMap<PackageName, Version>,
    /// Which pre-releases may be chosen (`--prerelease`, `--pre`; see [`prerelease`]).
    pub prerelease: PrereleaseMode,
    /// Which files may install each package, and `--prefer-binary` (see [`binary`]).
    pub binary: BinaryPolicy,
}

/// Why a package version cannot be used, beyond its version constraints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    NotFound,
    NoFile,
    RequiresPython { requires: String, python: String },
    NeedsBuild { file: String, why: String },
    BadMetadata(String),
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::NotFound => f.write_str("no index has it"),
            Unavailable::NoFile => f.write_str("has no file for the target"),
            Unavailable::RequiresPython { requires, python } => {
                write!(
                    f,
                    "requires Python {requires}, the target has Python {python}"
                )
            }
            Unavailable::NeedsBuild { file, why } => write!(
                f,
                "has only the source distribution {file}, whose dependencies are only known after a build ({why})"
            ),
            Unavailable::BadMetadata(why) => write!(f, "has invalid metadata: {why}"),
        }
    }
}

/// One chosen package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPackage {
    pub name: String,
    pub version: String,
    /// The index its files come from (empty for a package required by URL).
    pub index: String,
    /// The URL the input requires it from (`name @ URL`), without credentials or fragment.
    pub url: Option<String>,
    /// Files that install it on the target: wheels, best first; sdists when no wheel fits.
    pub files: Vec<DistFile>,
    /// No wheel fits the target: it must be built there from an sdist.
    pub needs_build: bool,
    /// Its dependencies come from a build of its sdist on the host (its metadata is not
    /// static): platform-conditional `setup.py` logic may give others on the target.
    pub dependencies_from_build: bool,
    /// The extras asked of it.
    pub extras: Vec<String>,
    /// Its dependencies that apply on the target (with the extras asked of it), as the
    /// requirement strings its metadata states (`numpy>=1.22; python_version < "3.12"`),
    /// sorted; an `--override` stands in place of the requirement it overrides.
    pub dependencies: Vec<String>,
    /// Input requirements (their origins) and packages (`pypi:name`) that asked for it.
    pub requested_by: Vec<String>,
}

/// The outcome of a resolution: every chosen package, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolution {
    pub packages: Vec<ResolvedPackage>,
    /// What the user should know: versions skipped because only a build would tell their
    /// dependencies.
    pub warnings: Vec<String>,
    /// The packages chosen with no wheel for the target, which install from source there,
    /// sorted by name (see [`source_builds`]).
    pub source_builds: Vec<SourceBuild>,
}

/// Resolves `request` for `target`.
pub fn resolve(
    source: &dyn PackageSource,
    target: &Target,
    request: &Request,
) -> Result<Resolution, Diagnostic> {
    let provider = Provider::new(source, request, target, direct_references(request)?);
    let selected = match search::search(&provider).map_err(|e| *e) {
        Ok(selected) => selected,
        Err(pubgrub::PubGrubError::NoSolution(tree)) => {
            return Err(Diagnostic::new(
                ErrorKind::Unsatisfiable,
                format!(
                    "the requirements cannot be satisfied on target {}",
                    target.spec()
                ),
            )
            .note(explain::explain(&tree, &provider, target)));
        }
        Err(pubgrub::PubGrubError::ErrorRetrievingDependencies { source, .. })
        | Err(pubgrub::PubGrubError::ErrorChoosingVersion { source, .. })
        | Err(pubgrub::PubGrubError::ErrorInShouldCancel(source)) => return Err(source),
    };
    let mut versions = BTreeMap::new();
    for (pkg, candidate) in selected {
        if let Some(version) = provider.version_of(&pkg, candidate)? {
            versions.insert(pkg, version);
        }
    }
    collect(&provider, versions, request)
}

/// The packages the input requires, overrides or constrains by URL, each with its one URL.
pub(crate) fn direct_references(
    request: &Request,
) -> Result<HashMap<PackageName, String>, Diagnostic> {
    let mut direct: HashMap<PackageName, (String, String)> = HashMap::new();
    let overrides = request.overrides.iter().map(|r| (r, "an override"));
    // A constraint by URL (`name @ URL`) names the file the package comes from when something
    // requires it, as in uv; it adds nothing by itself.
    let constraints = request.constraints.iter().map(|r| (r, "a constraint"));
    let requirements = request.requirements.iter().map(|(r, o)| (r, o.as_str()));
    for (r, origin) in requirements.chain(overrides).chain(constraints) {
        let Some(pep508_rs::VersionOrUrl::Url(url)) = &r.version_or_url else {
            continue;
        };
        let url = url.to_url().to_string();
        match direct.get(&r.name) {
            Some((other, at)) if *other != url => {
                return Err(Diagnostic::new(
                    ErrorKind::Usage,
                    format!(
                        "{origin}: {} is required from two URLs: {url} here and {other} at {at}",
                        r.name
                    ),
                ));
            }
            Some(_) => {}
            None => {
                direct.insert(r.name.clone(), (url, origin.to_string()));
            }
        }
    }
    Ok(direct.into_iter().map(|(n, (u, _))| (n, u)).collect())
}

pub(crate) fn collect(
    provider: &Provider,
    selected: BTreeMap<Pkg, Version>,
    request: &Request,
) -> Result<Resolution, Diagnostic> {
    let edges = provider.edges.borrow();
    let mut requested_by: HashMap<&PackageName, Vec<String>> = HashMap::new();
    for (r, origin) in &request.requirements {
        requested_by
            .entry(&r.name)
            .or_default()
            .push(origin.clone());
    }
    let mut extras: BTreeMap<&PackageName, Vec<String>> = BTreeMap::new();
    let mut dependencies: BTreeMap<&PackageName, Vec<String>> = BTreeMap::new();
    for (pkg, version) in &selected {
        let Some(name) = pkg.name() else { continue };
        if let Pkg::Extra(_, e) = pkg {
            extras.entry(name).or_default().push(e.to_string());
        }
        let Some(e) = edges.get(&(pkg.clone(), version.clone())) else {
            continue;
        };
        for (dep, requirement) in &e.dependencies {
            let by = requested_by.entry(dep).or_default();
            let label = format!("pypi:{name}");
            if !by.contains(&label) {
                by.push(label);
            }
            let list = dependencies.entry(name).or_default();
            if !list.contains(requirement) {
                list.push(requirement.clone());
            }
        }
    }
    let mut packages = Vec::new();
    let mut source_builds = Vec::new();
    for (pkg, version) in &selected {
        let Pkg::Dist(name) = pkg else { continue };
        let Some(project) = provider.project(name)? else {
            continue;
        };
        let Some(files) = project.get(version) else {
            continue;
        };
        let needs_build = files.wheels.is_empty();
        if needs_build {
            let pre = provider.prereleases(name) != prerelease::Policy::Disallow;
            source_builds.push(source_builds::source_build(
                name.as_ref(),
                &project,
                version,
                &provider.target,
                !project.formats().wheels,
                provider.direct.contains_key(name),
                pre,
            ));
        }
        let chosen = if needs_build {
            &files.sdists
        } else {
            &files.wheels
        };
        let mut deps = dependencies.get(name).cloned().unwrap_or_default();
        deps.sort();
        let direct = provider.direct.contains_key(name);
        let dependencies_from_build = provider
            .metadata
            .borrow()
            .get(&(name.clone(), version.clone()))
            .is_some_and(|m| m.built_on_host);
        packages.push(ResolvedPackage {
            name: name.to_string(),
            version: version.to_string(),
            index: if direct {
                String::new()
            } else {
                project.files.index.clone()
            },
            url: direct.then(|| project.files.index.clone()),
            files: chosen
                .iter()
                .filter_map(|&i| project.files.files.get(i).map(Cow::into_owned))
                .collect(),
            needs_build,
            dependencies_from_build,
            extras: extras.get(name).cloned().unwrap_or_default(),
            dependencies: deps,
            requested_by: requested_by.get(name).cloned().unwrap_or_default(),
        });
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    let warnings = provider.skipped.borrow().iter().cloned().collect();
    Ok(Resolution {
        packages,
        warnings,
        source_builds,
    })
}
