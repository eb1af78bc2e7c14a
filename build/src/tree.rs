//! Source trees named by direct references: a Git repository at a commit
//! (`name @ git+https://host/repo.git@v1#subdirectory=python`, checked out by
//! [`unilock_registries::git`]) or a local directory (`name @ file:///abs/dir`, `./dir`,
//! `-e .`), and what they say of themselves.
//!
//! A tree's core metadata is read from `[project]` of its `pyproject.toml` when it is static:
//! when none of `version`, `dependencies`, `optional-dependencies` and `requires-python` is
//! `dynamic` ([`static_metadata`]); otherwise only a PEP 517 build tells, which
//! [`crate::source::BuildingSource`] runs. [`project_name`] names a tree for a requirement
//! written without a name (`./dir`, `-e .`).

use std::path::{Path, PathBuf};
use unilock_model::index::CoreMetadata;
use unilock_model::{Diagnostic, ErrorKind};
use unilock_registries::git::{self, GitUrl};
use url::Url;

/// What a direct reference's URL names, when it is a source tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeRef {
    Git(GitUrl),
    /// A local directory (absolute).
    Directory(PathBuf),
}

impl TreeRef {
    /// The source tree `url` names (the URL of `name @ url`); `Ok(None)` when it names a file
    /// (a wheel or sdist, read as before). A malformed Git URL is a usage error.
    pub fn parse(name: &str, url: &str) -> Result<Option<TreeRef>, Diagnostic> {
        if git::is_git(url) {
            return GitUrl::parse(url)
                .map(|g| Some(TreeRef::Git(g)))
                .map_err(|why| {
                    Diagnostic::usage(format!(
                        "{name} @ {}: {why}",
                        unilock_registries::http::auth::redact(url)
                    ))
                    .expected("git+https://host/org/repo.git[@rev][#subdirectory=dir]")
                });
        }
        let Ok(parsed) = Url::parse(url) else {
            return Ok(None);
        };
        if parsed.scheme() != "file" {
            return Ok(None);
        }
        let Ok(path) = parsed.to_file_path() else {
            return Ok(None);
        };
        Ok(path.is_dir().then_some(TreeRef::Directory(path)))
    }
}

/// A source tree at hand: where it is, how the lock names it, and the key its built metadata
/// is cached by (`None`: a local directory, rebuilt each run since its files may change).
#[derive(Debug, Clone)]
pub struct Tree {
    pub dir: PathBuf,
    /// The URL recorded for it: the Git URL pinned to the commit, or the directory's
    /// `file://` URL.
    pub url: String,
    pub cache_key: Option<String>,
}

/// The tree `reference` names, checked out when it is a Git repository.
pub fn materialize(
    reference: &TreeRef,
    settings: &git::Settings,
    what: &str,
) -> Result<Tree, Diagnostic> {
    match reference {
        TreeRef::Git(g) => {
            let checkout = git::checkout(g, settings, what)?;
            Ok(Tree {
                dir: checkout.tree,
                url: g.pinned(&checkout.commit),
                cache_key: Some(format!(
                    "git:{}:{}",
                    checkout.commit,
                    g.subdirectory.as_deref().unwrap_or("")
                )),
            })
        }
        TreeRef::Directory(dir) => Ok(Tree {
            dir: dir.clone(),
            url: Url::from_directory_path(dir)
                .map(|u| u.as_str().trim_end_matches('/').to_string())
                .unwrap_or_else(|()| dir.display().to_string()),
            cache_key: None,
        }),
    }
}

/// The `[project]` table of `dir`'s pyproject.toml, when there is one.
fn project_table(dir: &Path) -> Result<Option<toml::Table>, String> {
    let path = dir.join("pyproject.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("{}: {}", path.display(), e.message()))?;
    Ok(doc.get("project").and_then(|p| p.as_table()).cloned())
}

/// The project name `[project]` of the tree's pyproject.toml states.
pub fn project_name(dir: &Path) -> Result<Option<String>, String> {
    Ok(
        project_table(dir)?
            .and_then(|p| p.get("name").and_then(|n| n.as_str()).map(str::to_string)),
    )
}

/// The core metadata `[project]` of the tree's pyproject.toml states, when nothing resolution
/// needs is `dynamic`; `Ok(None)` when only a build tells (no `[project]`, or a dynamic
/// field), with the reason.
pub fn static_metadata(dir: &Path) -> Result<Result<CoreMetadata, String>, String> {
    let Some(project) = project_table(dir)? else {
        return Ok(Err(
            "it has no static `[project]` table in pyproject.toml".into()
        ));
    };
    let strings = |v: Option<&toml::Value>, what: &str| -> Result<Vec<String>, String> {
        match v {
            None => Ok(Vec::new()),
            Some(toml::Value::Array(a)) => a
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("pyproject.toml: `{what}` holds a non-string"))
                })
                .collect(),
            Some(_) => Err(format!("pyproject.toml: `{what}` is not a list of strings")),
        }
    };
    let dynamic = strings(project.get("dynamic"), "project.dynamic")?;
    let needed = [
        "version",
        "dependencies",
        "optional-dependencies",
        "requires-python",
    ];
    if let Some(d) = dynamic.iter().find(|d| needed.contains(&d.as_str())) {
        return Ok(Err(format!("its `{d}` is `dynamic` in pyproject.toml")));
    }
    let text = |key: &str| {
        project
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let (Some(name), Some(version)) = (text("name"), text("version")) else {
        return Err("pyproject.toml: `[project]` lacks `name` or `version`".into());
    };
    let mut requires_dist = strings(project.get("dependencies"), "project.dependencies")?;
    let mut provides_extra = Vec::new();
    if let Some(extras) = project.get("optional-dependencies") {
        let extras = extras
            .as_table()
            .ok_or("pyproject.toml: `project.optional-dependencies` is not a table")?;
        for (extra, list) in extras {
            provides_extra.push(extra.clone());
            for r in strings(Some(list), "project.optional-dependencies")? {
                // The extra's marker joins any the requirement has, as a build writes it.
                let (spec, marker) = match r.split_once(';') {
                    Some((s, m)) => (s.trim().to_string(), format!("({}) and ", m.trim())),
                    None => (r.trim().to_string(), String::new()),
                };
                requires_dist.push(format!("{spec} ; {marker}extra == '{extra}'"));
            }
        }
    }
    Ok(Ok(CoreMetadata {
        name,
        version,
        requires_dist,
        requires_python: text("requires-python"),
        provides_extra,
        built_on_host: false,
    }))
}

/// A diagnostic about the tree of `what` (exit 2: the tree is the user's input).
pub fn invalid(what: &str, why: String) -> Diagnostic {
    Diagnostic::new(ErrorKind::InvalidInput, format!("{what}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(pyproject: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
        dir
    }

    #[test]
    fn static_project_tables_are_metadata_and_dynamic_ones_need_a_build() {
        let d = tree(
            "[project]\nname = \"Local-Pkg\"\nversion = \"0.3\"\nrequires-python = \">=3.9\"\ndependencies = [\"beta>=1\"]\n[project.optional-dependencies]\nfast = [\"gamma ; sys_platform == 'linux'\"]\n",
        );
        let m = static_metadata(d.path()).unwrap().unwrap();
        assert_eq!((m.name.as_str(), m.version.as_str()), ("Local-Pkg", "0.3"));
        assert_eq!(
            m.requires_dist,
            [
                "beta>=1",
                "gamma ; (sys_platform == 'linux') and extra == 'fast'"
            ]
        );
        assert_eq!(m.provides_extra, ["fast"]);
        assert_eq!(m.requires_python.as_deref(), Some(">=3.9"));
        assert_eq!(
            project_name(d.path()).unwrap().as_deref(),
            Some("Local-Pkg")
        );
        let dynamic = tree("[project]\nname = \"x\"\ndynamic = [\"version\"]\n");
        let why = static_metadata(dynamic.path()).unwrap().unwrap_err();
        assert!(why.contains("`version` is `dynamic`"), "{why}");
        let none = tempfile::tempdir().unwrap();
        assert!(static_metadata(none.path()).unwrap().is_err());
        let readme_only =
            tree("[project]\nname = \"x\"\nversion = \"1\"\ndynamic = [\"readme\"]\n");
        assert!(static_metadata(readme_only.path()).unwrap().is_ok());
    }
}
