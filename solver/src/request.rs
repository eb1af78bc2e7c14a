//! The request of a run: what the input files ask for, in the shape the solvers take.
//!
//! A front end reads each input file into a [`Document`] (with `unilock_formats`) and hands it,
//! with the path it was read from, to [`Inputs::add`]. `Inputs` gathers, over every file:
//!
//! - the PyPI [`Request`]: requirements (each with where it was written), constraints and
//!   overrides, `--pre` and the binary policy (`--only-binary`, `--no-binary`,
//!   `--prefer-binary`) as the files set them, after the command line's. Only the main requirements
//!   and the chosen extras and dependency groups ([`Groups`]) are taken, plus the features of
//!   pixi's default environment; a group that names the project itself (`all =
//!   ["project[cli,gpu]"]`) brings in those groups too, and the project's own name is never
//!   required. A requirement given only as the path or URL of a wheel or sdist is named by its
//!   file name, as pip and uv name it; one whose package is only known after a build is refused.
//!   A requirement of some platforms only (pixi's `[target.<platform>]` tables) carries them as
//!   a marker, so one request serves every target.
//! - the conda side ([`CondaInputs`]): MatchSpecs with where they were written, which of them
//!   hold on some platforms only ([`CondaInputs::specs_for`] gives those of one subdir), the
//!   channels in the order the files name them (`nodefaults` noted, not a channel), and the
//!   system requirements the files state.
//! - the index and find-links locations the files name ([`FileIndex`]), relative find-links
//!   paths joined to the file's directory.
//!
//! An existing lock's pins become preferences ([`pypi_pins`], [`conda_pins`]), but for the
//! packages being upgraded. This module does no I/O: files and locks arrive parsed.

use crate::conda::Pin;
use crate::pypi::{PrereleaseMode, Request};
use rattler_conda_types::MatchSpec;
use std::collections::HashMap;
use std::path::Path;
use unilock_model::document::{IndexKind, SystemRequirement};
use unilock_model::index::DistName;
use unilock_model::manifest::RequirementRole;
use unilock_model::name::normalize;
use unilock_model::platform_selector::PlatformScope;
use unilock_model::{Diagnostic, Document, Ecosystem, Lock, Requirement};

/// Which extras and dependency groups of the inputs to take besides the main requirements.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    /// Normalised names.
    names: Vec<String>,
    all: bool,
}

impl Groups {
    /// The groups named (`--extra`, any spelling), or every group with `all`.
    pub fn new<S: AsRef<str>>(names: &[S], all: bool) -> Self {
        Groups {
            names: names.iter().map(|n| normalize(n.as_ref())).collect(),
            all,
        }
    }

    /// Every extra and group of every input.
    pub fn every() -> Self {
        Groups {
            names: Vec::new(),
            all: true,
        }
    }

    /// The groups named (normalised); see [`Groups::all`].
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Every group is taken (`--all-extras`).
    pub fn all(&self) -> bool {
        self.all
    }

    /// Whether the group `group` (as a file spells it) is taken.
    pub fn wants(&self, group: &str) -> bool {
        self.all || self.names.iter().any(|n| *n == normalize(group))
    }
}

/// An index or find-links location named by an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileIndex {
    pub kind: IndexKind,
    /// The URL, or the path (relative paths already joined to the file's directory).
    pub url: String,
    /// Where the file names it (`requirements.txt:3:1`).
    pub origin: String,
}

/// The conda side of the inputs: MatchSpecs with where they were written, and the channels
/// the files name, in order.
#[derive(Debug, Clone, Default)]
pub struct CondaInputs {
    /// Every spec of every platform; those of some platforms only are in `limited` too.
    pub specs: Vec<(MatchSpec, String)>,
    /// The specs (by their index in `specs`) that apply on some platforms only (pixi's
    /// `[target.<platform>]` tables, and the general specs those override there).
    pub limited: Vec<(usize, PlatformScope)>,
    /// Channel names or URLs, each with where it was given.
    pub channels: Vec<(String, String)>,
    /// An input said `nodefaults`.
    pub nodefaults: bool,
    /// What the inputs say the machine must offer (pixi's `[system-requirements]`).
    pub system_requirements: Vec<SystemRequirement>,
}

impl CondaInputs {
    /// The specs that apply on the conda subdir `subdir`.
    pub fn specs_for(&self, subdir: &str) -> Vec<(MatchSpec, String)> {
        self.specs
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                self.limited
                    .iter()
                    .all(|(at, scope)| at != i || scope.holds(subdir))
            })
            .map(|(_, spec)| spec.clone())
            .collect()
    }
}

/// Everything the input files of a run ask for.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The PyPI requirements, constraints, overrides and options.
    pub pypi: Request,
    /// The conda specs, channels and system requirements.
    pub conda: CondaInputs,
    /// The indexes and find-links locations the files name, in the order they name them.
    pub indexes: Vec<FileIndex>,
    /// Every extra and dependency group the files define (as written), for
    /// [`Inputs::check_groups`]; with the inputs whose `optional-dependencies` are `dynamic`.
    pub groups: DefinedGroups,
}

/// The extras and dependency groups the input files define.
#[derive(Debug, Clone, Default)]
pub struct DefinedGroups {
    /// Each name as a file writes it, once.
    pub names: Vec<String>,
    /// Where a pyproject.toml declares its `optional-dependencies` `dynamic`.
    pub dynamic: Vec<String>,
}

impl Inputs {
    /// No inputs yet; `pre` (`--pre`: pre-releases allowed, else uv's default mode) and the
    /// binary policy as the command line sets them. A file may turn `--pre` and
    /// `--prefer-binary` on, never off; its `--only-binary`/`--no-binary`
    /// values apply after the command line's, as pip applies a requirements file's (all its
    /// `--only-binary` values, then its `--no-binary` ones: the document keeps no order
    /// between the two).
    pub fn new(pre: bool, binary: crate::pypi::BinaryPolicy) -> Self {
        Inputs {
            pypi: Request {
                prerelease: if pre {
                    PrereleaseMode::Allow
                } else {
                    PrereleaseMode::default()
                },
                binary,
                ..Request::default()
            },
            ..Inputs::default()
        }
    }

    /// Adds what `doc`, read from `path`, asks for: its requirements of the main set and of
    /// `groups`, its conda specs, channels, indexes, options and system requirements.
    ///
    /// Fails (usage) on a requirement whose package cannot be known without a build, and on a
    /// platform marker that does not read, naming where it was written; fails (invalid input)
    /// on a pyproject.toml whose `[project] dependencies` are still `dynamic` (known only after
    /// a build of the project; the command requires a named project itself instead, to build
    /// it, so only a project without a name is left here).
    pub fn add(&mut self, path: &Path, doc: &Document, groups: &Groups) -> Result<(), Diagnostic> {
        let shown = || path.display().to_string();
        if let Some(dynamic) = &doc.dynamic {
            let at = dynamic
                .origin
                .as_ref()
                .map_or_else(shown, |o| format!("{}:{}:{}", o.file, o.line, o.column));
            if dynamic.has("dependencies") {
                return Err(Diagnostic::new(
                    unilock_model::ErrorKind::InvalidInput,
                    format!(
                        "{at}: the project's dependencies are `dynamic`: they are only known after a build of the project, and the file states no `[project] name` to require the project by"
                    ),
                )
                .note("name the project under `[project]` (it is then built for its dependencies), list them under `[project] dependencies`, or resolve the requirements file the build reads them from"));
            }
            if dynamic.has("optional-dependencies") {
                self.groups.dynamic.push(at);
            }
        }
        let defined = doc.defined_groups.iter().chain(
            doc.manifest
                .requirements
                .iter()
                .filter_map(|r| r.group.as_ref()),
        );
        for g in defined {
            if !self
                .groups
                .names
                .iter()
                .any(|n| normalize(n) == normalize(g))
            {
                self.groups.names.push(g.clone());
            }
        }
        let base = path.parent().unwrap_or(Path::new("."));
        for index in &doc.indexes {
            let url = match index.kind {
                IndexKind::FindLinks if !index.url.contains("://") => {
                    base.join(&index.url).display().to_string()
                }
                _ => index.url.clone(),
            };
            let origin = index
                .origin
                .as_ref()
                .map_or_else(shown, ToString::to_string);
            self.indexes.push(FileIndex {
                kind: index.kind,
                url,
                origin,
            });
        }
        let conda = &mut self.conda;
        for channel in &doc.channels {
            let origin = channel
                .origin
                .as_ref()
                .map_or_else(shown, ToString::to_string);
            if channel.name == "nodefaults" {
                conda.nodefaults = true;
            } else if !conda.channels.iter().any(|(c, _)| *c == channel.name) {
                conda.channels.push((channel.name.clone(), origin));
            }
        }
        conda
            .system_requirements
            .extend(doc.system_requirements.iter().cloned());
        let request = &mut self.pypi;
        if doc.options.pre {
            request.prerelease = PrereleaseMode::Allow;
        }
        use crate::pypi::BinaryFlag;
        let options = &doc.options;
        for (flag, values) in [
            (BinaryFlag::OnlyBinary, &options.only_binary),
            (BinaryFlag::NoBinary, &options.no_binary),
        ] {
            for value in values {
                request.binary.apply(flag, value).map_err(|e| {
                    Diagnostic::new(
                        unilock_model::ErrorKind::InvalidInput,
                        format!("{}: {e}", shown()),
                    )
                })?;
            }
        }
        request.binary.prefer_binary |= options.prefer_binary;
        let project = doc.project.as_deref().map(normalize);
        let wanted = wanted_groups(doc, groups, project.as_deref());
        let scopes = doc.manifest.platform_scopes();
        for (r, scope) in doc.manifest.requirements.iter().zip(scopes) {
            if let Some(g) = &r.group
                && !wanted.contains(&normalize(g))
            {
                continue;
            }
            // The project naming itself (`app[cli]` in a group) only brings in groups; by URL
            // it is the project's own tree, required to build it for its dependencies.
            if let Requirement::Pypi(p) = &r.requirement
                && project.is_some()
                && Some(p.name.to_string()) == project
                && !matches!(p.version_or_url, Some(pep508_rs::VersionOrUrl::Url(_)))
            {
                continue;
            }
            let origin = r
                .origin
                .as_ref()
                .map(|o| format!("{}:{}:{}", o.file, o.line, o.column))
                .unwrap_or_else(shown);
            let mut requirement = match &r.requirement {
                Requirement::Pypi(p) => (**p).clone(),
                Requirement::PypiUnnamed(u) => named_by_file(u).ok_or_else(|| {
                    Diagnostic::usage(format!(
                        "{origin}: `{u}` names no wheel, sdist, Git repository or source directory, so its package is not known"
                    ))
                    .note("require a wheel or sdist by path or URL (`./dist/pkg-1.0-py3-none-any.whl`), a Git repository (`git+https://host/repo.git@v1`) or a directory with a pyproject.toml, or name the package: `name @ URL`")
                })?,
                Requirement::Conda(spec) => {
                    if scope != PlatformScope::default() {
                        conda.limited.push((conda.specs.len(), scope));
                    }
                    conda.specs.push(((**spec).clone(), origin));
                    continue;
                }
            };
            // One request serves every target: a requirement of some platforms only says so in
            // its marker.
            if let Some(marker) = scope.marker() {
                let marker = marker.parse::<pep508_rs::MarkerTree>().map_err(|e| {
                    Diagnostic::usage(format!(
                        "{origin}: the marker of its platforms, `{marker}`, cannot be read: {e}"
                    ))
                })?;
                requirement.marker.and(marker);
            }
            match r.role {
                RequirementRole::Dependency => request.requirements.push((requirement, origin)),
                RequirementRole::Constraint => request.constraints.push(requirement),
                RequirementRole::Override => request.overrides.push(requirement),
            }
        }
        Ok(())
    }
}

impl Inputs {
    /// Fails (usage) when `groups` names an extra or dependency group no input defines
    /// (uv: "Requested extra not found"), naming those they define and the closest one.
    pub fn check_groups(&self, groups: &Groups) -> Result<(), Diagnostic> {
        let Some(missing) = groups
            .names
            .iter()
            .find(|n| !self.groups.names.iter().any(|g| normalize(g) == **n))
        else {
            return Ok(());
        };
        let mut defined = self.groups.names.clone();
        defined.sort();
        let mut d = Diagnostic::usage(format!(
            "--extra {missing}: no input defines an extra or dependency group of that name"
        ));
        d = if defined.is_empty() {
            d.note("the inputs define no extras or dependency groups")
        } else {
            d.note(format!(
                "the inputs define these extras and groups: {}",
                defined.join(", ")
            ))
        };
        let normalized: Vec<String> = defined.iter().map(|g| normalize(g)).collect();
        if let Some(close) = unilock_model::target::parse::did_you_mean(
            missing,
            normalized.iter().map(String::as_str),
        ) {
            d = d.note(format!("did you mean `--extra {close}`?"));
        }
        for at in &self.groups.dynamic {
            d = d.note(format!(
                "{at}: the project's optional-dependencies are `dynamic`, so its extras are only known after a build"
            ));
        }
        Err(d)
    }
}

/// The groups of `doc` to take (normalised): those `groups` names and the default ones, and
/// the groups that a taken group brings in by requiring the project itself with extras.
fn wanted_groups(doc: &Document, groups: &Groups, project: Option<&str>) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    let mut pending: Vec<String> = doc
        .manifest
        .requirements
        .iter()
        .filter_map(|r| r.group.clone())
        .filter(|g| groups.wants(g) || doc.default_groups.contains(g))
        .collect();
    while let Some(g) = pending.pop() {
        let g = normalize(&g);
        if wanted.contains(&g) {
            continue;
        }
        for r in &doc.manifest.requirements {
            if r.group.as_deref().map(normalize).as_ref() == Some(&g)
                && let Requirement::Pypi(p) = &r.requirement
                && Some(p.name.to_string()).as_deref() == project
            {
                pending.extend(p.extras.iter().map(ToString::to_string));
            }
        }
        wanted.push(g);
    }
    wanted
}

/// A requirement given only as the path or URL of a wheel or sdist, named by its file name
/// (as pip and uv name it).
fn named_by_file(u: &pep508_rs::UnnamedRequirement) -> Option<pep508_rs::Requirement> {
    let url = u.url.to_url();
    let filename = url.path_segments()?.next_back()?.to_string();
    let name = normalize(DistName::parse(&filename)?.project);
    Some(pep508_rs::Requirement {
        name: pep508_rs::PackageName::new(name).ok()?,
        extras: u.extras.clone(),
        version_or_url: Some(pep508_rs::VersionOrUrl::Url(u.url.clone())),
        marker: u.marker.clone(),
        origin: u.origin.clone(),
    })
}

/// The PyPI versions `lock` pins, as preferences, but for the packages in `upgrade` (any
/// spelling).
pub fn pypi_pins(
    lock: &Lock,
    upgrade: &[String],
) -> HashMap<pep508_rs::PackageName, pep440_rs::Version> {
    let upgrade: Vec<String> = upgrade.iter().map(|u| normalize(u)).collect();
    lock.packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Pypi && !upgrade.contains(&p.name))
        .filter_map(|p| {
            Some((
                pep508_rs::PackageName::new(p.name.clone()).ok()?,
                p.version.parse::<pep440_rs::Version>().ok()?,
            ))
        })
        .collect()
}

/// The conda builds `lock` pins, as preferences by package name, but for the packages in
/// `upgrade` (as the lock spells them).
pub fn conda_pins(lock: &Lock, upgrade: &[String]) -> HashMap<String, Pin> {
    // Conda names are lowercase: `--upgrade-package NumPy` names conda's numpy too.
    let upgrade: Vec<String> = upgrade.iter().map(|u| u.trim().to_lowercase()).collect();
    lock.packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Conda && !upgrade.contains(&p.name))
        .filter_map(|p| {
            Some((
                p.name.clone(),
                Pin {
                    version: p.version.clone(),
                    build: p.build.clone()?,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests;
