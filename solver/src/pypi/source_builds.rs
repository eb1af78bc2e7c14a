//! The packages a resolution installs from source on its target, and why: the items of the
//! source-build summary `resolve` prints at the end of every run.
//!
//! A package is built from source when the version chosen has no wheel that runs on the
//! target. For each, [`SourceBuild`] says why — `--no-binary` asks for it, the input requires
//! its sdist by URL, the version publishes no wheel, or its wheels do not fit the target, in
//! the target's own terms ([`super::unusable::no_wheel`]) — and names the newest version that
//! does have a wheel for the target, from the project files the solve already read (no
//! request is made for it).

use super::candidates::Project;
use super::unusable::no_wheel;
use crate::wheel::TagParts;
use pep440_rs::Version;
use unilock_model::Target;

/// Why a package is built from source on the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildCause {
    /// `--no-binary` names the package (or says `:all:`).
    Asked,
    /// The input requires the package by the URL of its sdist.
    Url,
    /// The input requires the package from a source tree: a Git repository at a commit or a
    /// local directory (its pinned URL).
    Tree(String),
    /// The version publishes no wheel.
    NoWheels,
    /// Its wheels do not run on the target: why, in words (`only manylinux_2_28 wheels; the
    /// target has glibc 2.17`).
    Misfit(String),
}

/// One package installed from its sdist on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceBuild {
    pub name: String,
    pub version: String,
    pub cause: BuildCause,
    /// The newest version with a wheel for the target (not yanked; a pre-release only when
    /// pre-releases were allowed for the package), whatever the requirements ask; `None` when
    /// no version has one. Not looked for under [`BuildCause::Asked`] and [`BuildCause::Url`].
    pub newest_with_wheel: Option<String>,
}

impl SourceBuild {
    /// The summary line for target `target`:
    /// `numpy 2.4.6 has no wheel for centos7,python=3.12 (only manylinux_2_28 wheels; the
    /// target has glibc 2.17); 2.2.6 has one`.
    pub fn message(&self, target: &str) -> String {
        let (name, version) = (&self.name, &self.version);
        let why = match &self.cause {
            BuildCause::Asked => {
                return format!(
                    "{name} {version} is built from source for {target}, as --no-binary asks"
                );
            }
            BuildCause::Url => {
                return format!(
                    "{name} {version} is built from source for {target}: the input requires its source distribution by URL"
                );
            }
            BuildCause::Tree(url) => {
                return format!(
                    "{name} {version} is built from source for {target}: the input requires it from the source tree {url}"
                );
            }
            BuildCause::NoWheels => "it publishes only a source distribution",
            BuildCause::Misfit(why) => why,
        };
        let newest = match &self.newest_with_wheel {
            Some(v) => format!("{v} has one"),
            None => "no version has a wheel for it".into(),
        };
        format!("{name} {version} has no wheel for {target} ({why}); {newest}")
    }
}

/// What the summary says of `version` of `project`, chosen with no wheel for the target.
/// `asked`: the binary policy refuses the package's wheels; `direct`: the input requires it by
/// URL; `pre`: pre-releases of the package may be named.
pub(crate) fn source_build(
    name: &str,
    project: &Project,
    version: &Version,
    target: &Target,
    asked: bool,
    direct: bool,
    pre: bool,
) -> SourceBuild {
    let mut out = SourceBuild {
        name: name.to_string(),
        version: version.to_string(),
        cause: BuildCause::Asked,
        newest_with_wheel: None,
    };
    if direct {
        // A source tree's one candidate stands for the tree, and its URL is the tree's (a Git
        // URL, or a directory's `file://` URL), not that of an archive.
        let url = &project.files.index;
        let archive =
            unilock_model::index::version_of(url.rsplit('/').next().unwrap_or_default()).is_some();
        out.cause = if url.starts_with("git+") || !archive {
            BuildCause::Tree(url.clone())
        } else {
            BuildCause::Url
        };
        return out;
    }
    if asked {
        return out;
    }
    let parts = TagParts::new(target);
    out.cause = match no_wheel(project, version, target, &parts) {
        Some(why) => BuildCause::Misfit(why.render_as(target, "the target")),
        None => BuildCause::NoWheels,
    };
    let pre = pre || version.any_prerelease();
    out.newest_with_wheel = project
        .versions()
        .rev()
        .filter(|v| pre || !v.any_prerelease())
        .find(|v| {
            project
                .get(v)
                .is_some_and(|f| !f.yanked && !f.wheels.is_empty())
        })
        .map(ToString::to_string);
    out
}
