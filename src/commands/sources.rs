//! Source trees the input files require (Git repositories, local directories): read once
//! before the request is built, so that a requirement written without a name (`./dir`,
//! `-e .`, `git+https://…` without `#egg=`) is named by its tree's `pyproject.toml`, and so
//! that a checkout that fails names the file, line and column of the requirement; then
//! recorded in the lock as a Git pin (with the rev asked for) or a directory relative to the
//! lock (editable or not).

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use unilock_build::tree::{self, TreeRef};
use unilock_model::lock::LockedDirectory;
use unilock_model::manifest::{ManifestRequirement, RequirementRole};
use unilock_model::name::normalize;
use unilock_model::{Diagnostic, Document, Ecosystem, Lock, Requirement};
use unilock_registries::git;
use unilock_solver::request::Groups;

/// What the lock must say of the source trees the inputs require.
#[derive(Debug, Default)]
pub struct SourceTrees {
    /// Packages required editable (`-e`), normalised.
    editable: BTreeSet<String>,
    /// The rev asked for, by the pinned URL of its commit.
    revs: HashMap<String, String>,
}

/// How repositories are read for `args`: the cache directory `resolve` uses, `--offline`.
pub fn git_settings(args: &crate::cli::IndexArgs) -> git::Settings {
    git::Settings {
        cache_dir: args
            .cache_dir
            .clone()
            .or_else(|| unilock_registries::cache::default_dir(&super::files::env_var)),
        offline: args.offline,
        program: None,
    }
}

impl SourceTrees {
    /// A pyproject.toml (`input`) whose `[project] dependencies` are `dynamic`, or whose
    /// `optional-dependencies` are and `groups` asks for an extra the file does not define
    /// statically: only a build of the project tells them, so the project itself is required,
    /// as an editable source directory (as uv locks a project), with the extras `groups` asks
    /// for that the file does not define statically; the build gives its dependencies when the
    /// solver reaches it. Left alone (and refused by the request, naming the `dynamic` list)
    /// when the file states no `[project] name`.
    pub fn require_dynamic_project(&mut self, input: &Path, doc: &mut Document, groups: &Groups) {
        let Some(dynamic) = &mut doc.dynamic else {
            return;
        };
        if doc.format != "pyproject" {
            return;
        }
        let dynamic_dependencies = dynamic.has("dependencies");
        let asks_dynamic_extra = dynamic.has("optional-dependencies")
            && groups
                .names()
                .iter()
                .any(|g| !doc.defined_groups.iter().any(|d| normalize(d) == **g));
        if !dynamic_dependencies && !asks_dynamic_extra {
            return;
        }
        let Some(name) = doc
            .project
            .as_deref()
            .and_then(|n| pep508_rs::PackageName::new(n.to_string()).ok())
        else {
            return;
        };
        let dir = std::path::absolute(input)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        let Some(url) = dir.and_then(|d| url::Url::from_directory_path(d).ok()) else {
            return;
        };
        // Extras the file defines statically are taken from it as usual; the others are asked
        // of the build (with `--all-extras`, only the static ones are known).
        let extras: Vec<pep508_rs::ExtraName> = groups
            .names()
            .iter()
            .filter(|g| !doc.defined_groups.iter().any(|d| normalize(d) == **g))
            .filter_map(|g| pep508_rs::ExtraName::new(g.clone()).ok())
            .collect();
        let origin = dynamic.origin.clone();
        dynamic.fields.retain(|f| f != "dependencies");
        doc.defined_groups
            .extend(extras.iter().map(ToString::to_string));
        self.editable.insert(normalize(name.as_ref()));
        doc.manifest.requirements.push(ManifestRequirement {
            requirement: Requirement::Pypi(Box::new(pep508_rs::Requirement {
                name,
                extras,
                version_or_url: Some(pep508_rs::VersionOrUrl::Url(
                    pep508_rs::VerbatimUrl::from_url(url),
                )),
                marker: Default::default(),
                origin: None,
            })),
            role: RequirementRole::Dependency,
            group: None,
            editable: true,
            hashes: Vec::new(),
            origin,
            platform: None,
        });
    }

    /// Reads the source trees `doc`'s PyPI requirements name: checks each Git repository out
    /// (errors located at the requirement), and names a requirement written without a name
    /// by its tree's `[project] name`.
    pub fn prepare(
        &mut self,
        doc: &mut Document,
        settings: &git::Settings,
    ) -> Result<(), Diagnostic> {
        for r in &mut doc.manifest.requirements {
            let at = r
                .origin
                .as_ref()
                .map(|o| format!("{}:{}:{}", o.file, o.line, o.column));
            let locate = |d: Diagnostic| match &at {
                Some(at) => located(d, at),
                None => d,
            };
            let (name, url) = match &r.requirement {
                Requirement::Pypi(p) => match &p.version_or_url {
                    Some(pep508_rs::VersionOrUrl::Url(u)) => {
                        (Some(p.name.to_string()), u.to_url().to_string())
                    }
                    _ => continue,
                },
                Requirement::PypiUnnamed(u) => (None, u.url.to_url().to_string()),
                Requirement::Conda(_) => continue,
            };
            let shown = name.clone().unwrap_or_else(|| "the requirement".into());
            let Some(reference) = TreeRef::parse(&shown, &url).map_err(locate)? else {
                continue;
            };
            let what = format!("{shown} @ {}", unilock_registries::http::auth::redact(&url));
            let found = tree::materialize(&reference, settings, &what).map_err(locate)?;
            if let TreeRef::Git(g) = &reference
                && let Some(rev) = &g.rev
            {
                self.revs.insert(found.url.clone(), rev.clone());
            }
            let name = match name {
                Some(n) => n,
                None => {
                    let named = tree::project_name(&found.dir)
                        .map_err(|e| locate(tree::invalid(&what, e)))?;
                    let Some(named) = named else {
                        let states = if found.dir.join("pyproject.toml").is_file() {
                            "its pyproject.toml states no `[project] name`"
                        } else {
                            "it has no pyproject.toml"
                        };
                        return Err(locate(Diagnostic::usage(format!(
                            "{what}: {states}; unilock names a requirement written without a name by its tree's `[project] name` before resolving (it builds a tree for its dependencies once it is named, not to learn its name)"
                        )))
                        .note("name it: `name @ URL` (or `URL#egg=name` in a requirements file)"));
                    };
                    let Requirement::PypiUnnamed(u) = &r.requirement else {
                        continue;
                    };
                    let parsed = pep508_rs::PackageName::new(named.clone()).map_err(|e| {
                        locate(tree::invalid(
                            &what,
                            format!("`{named}` is not a project name: {e}"),
                        ))
                    })?;
                    r.requirement = Requirement::Pypi(Box::new(pep508_rs::Requirement {
                        name: parsed,
                        extras: u.extras.clone(),
                        version_or_url: Some(pep508_rs::VersionOrUrl::Url(u.url.clone())),
                        marker: u.marker.clone(),
                        origin: u.origin.clone(),
                    }));
                    named
                }
            };
            if r.editable {
                self.editable.insert(normalize(&name));
            }
        }
        Ok(())
    }

    /// Records the source trees of `lock`'s PyPI packages as the lock format says: a Git
    /// pin keeps its pinned URL and gains the rev asked for; a directory becomes a path
    /// relative to `lock_dir`, editable when the input said `-e`. Neither has artifacts.
    pub fn record(&self, lock: &mut Lock, lock_dir: &Path) {
        for p in &mut lock.packages {
            if p.ecosystem != Ecosystem::Pypi {
                continue;
            }
            let Some(url) = p.url.clone() else { continue };
            match TreeRef::parse(&p.name, &url) {
                Ok(Some(TreeRef::Git(_))) => {
                    p.requested_revision = self.revs.get(&url).cloned();
                    p.artifacts.clear();
                }
                Ok(Some(TreeRef::Directory(dir))) => {
                    p.url = None;
                    p.source = None;
                    p.artifacts.clear();
                    p.directory = Some(LockedDirectory {
                        path: relative(&dir, lock_dir),
                        editable: self.editable.contains(&normalize(&p.name)),
                    });
                }
                _ => {}
            }
        }
    }
}

/// `d` with the place of the requirement (`requirements.txt:3:1`) before its message.
fn located(d: Diagnostic, at: &str) -> Diagnostic {
    let mut out = Diagnostic::new(d.kind(), format!("{at}: {}", d.message()));
    if let Some(e) = d.expected_text() {
        out = out.expected(e.to_string());
    }
    for n in d.notes() {
        out = out.note(n.clone());
    }
    out
}

/// `lock` with the paths of its source directories (relative to `from`, the lock's
/// directory) made relative to `to`, where an export is written; `None` when it has none.
pub fn rebase(lock: &Lock, from: &Path, to: &Path) -> Option<Lock> {
    if !lock.packages.iter().any(|p| p.directory.is_some()) {
        return None;
    }
    let mut lock = lock.clone();
    for p in &mut lock.packages {
        if let Some(dir) = &mut p.directory {
            dir.path = relative(&from.join(&dir.path), to);
        }
    }
    Some(lock)
}

/// `path` relative to `base` (both made absolute), `/`-separated; `.` for `base` itself.
pub fn relative(path: &Path, base: &Path) -> String {
    let absolute = |p: &Path| -> PathBuf {
        let p = std::fs::canonicalize(p).unwrap_or_else(|_| {
            std::env::current_dir()
                .map(|c| c.join(p))
                .unwrap_or_else(|_| p.to_path_buf())
        });
        p.components().collect()
    };
    let (path, base) = (absolute(path), absolute(base));
    let a: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = Vec::new();
    parts.extend(std::iter::repeat_n("..".to_string(), b.len() - common));
    parts.extend(
        a[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}
