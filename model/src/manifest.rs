//! The manifest: every requirement read from the input files, whatever their format, each with
//! the place it came from.
//!
//! Parsers in `formats` build a [`Manifest`]; the solver reads it. Origins appear only under
//! fields named `origin`, so two manifests read from differently laid out files compare equal
//! once those fields are dropped ([`Manifest::without_origins`]).

use crate::diagnostic::Origin;
use crate::platform_selector::PlatformSelector;
use crate::{Ecosystem, Requirement};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// What a requirement does to the resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementRole {
    /// The package must be installed.
    Dependency,
    /// Limits the versions of a package if it is installed (pip `-c`, uv constraints).
    Constraint,
    /// Replaces every other requirement on the package (uv override-dependencies).
    Override,
}

/// One requirement of the manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestRequirement {
    pub requirement: Requirement,
    pub role: RequirementRole,
    /// The extra, dependency group or environment it belongs to; `None` for the main set.
    pub group: Option<String>,
    /// Installed in editable (development) mode (`-e`, `editable = true`).
    pub editable: bool,
    /// Hashes the artifact must match, as `algorithm:hex` (`--hash`).
    pub hashes: Vec<String>,
    /// Where it was written. `None` for requirements that were derived rather than read.
    pub origin: Option<Origin>,
    /// The platforms it is limited to (pixi's `[target.<selector>]` tables); `None`: every
    /// platform. See [`Manifest::platform_scopes`] for how selectors override each other.
    pub platform: Option<PlatformSelector>,
}

impl Serialize for ManifestRequirement {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ManifestRequirement", 9)?;
        st.serialize_field("ecosystem", &self.requirement.ecosystem())?;
        st.serialize_field("name", &self.requirement.name().map(|n| n.to_string()))?;
        st.serialize_field("requirement", &self.requirement.to_string())?;
        st.serialize_field("role", &self.role)?;
        st.serialize_field("group", &self.group)?;
        if self.editable {
            st.serialize_field("editable", &self.editable)?;
        } else {
            st.skip_field("editable")?;
        }
        if self.hashes.is_empty() {
            st.skip_field("hashes")?;
        } else {
            st.serialize_field("hashes", &self.hashes)?;
        }
        match &self.platform {
            Some(p) => st.serialize_field("platform", p)?,
            None => st.skip_field("platform")?,
        }
        st.serialize_field("origin", &self.origin)?;
        st.end()
    }
}

/// Every requirement of a project, from every input file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Manifest {
    /// The files read, in the order they were read (includes followed).
    pub sources: Vec<String>,
    pub requirements: Vec<ManifestRequirement>,
}

impl Manifest {
    /// The requirements of one ecosystem.
    pub fn of(&self, ecosystem: Ecosystem) -> impl Iterator<Item = &ManifestRequirement> {
        self.requirements
            .iter()
            .filter(move |r| r.requirement.ecosystem() == ecosystem)
    }

    /// The same manifest with every origin removed, for comparing models of different files.
    pub fn without_origins(&self) -> Manifest {
        Manifest {
            sources: Vec::new(),
            requirements: self
                .requirements
                .iter()
                .cloned()
                .map(|r| ManifestRequirement { origin: None, ..r })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(file: &str, text: &str) -> Manifest {
        let mut m = Manifest {
            sources: vec![file.into()],
            requirements: Vec::new(),
        };
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let req = line.trim_end();
            if !req.is_empty() {
                let requirement = Requirement::parse_pypi(req, file, text, offset).unwrap();
                let origin = Some(Origin::locate(file, text, offset));
                m.requirements.push(ManifestRequirement {
                    requirement,
                    role: RequirementRole::Dependency,
                    group: None,
                    editable: false,
                    hashes: Vec::new(),
                    origin,
                    platform: None,
                });
            }
            offset += line.len();
        }
        m
    }

    #[test]
    fn origins_are_kept_and_can_be_dropped() {
        let a = read("a.txt", "numpy>=1.26\npandas\n");
        let b = read("b.txt", "\n\nnumpy>=1.26\n\npandas\n");
        assert_eq!(a.requirements[1].origin.as_ref().map(|o| o.line), Some(2));
        assert_eq!(b.requirements[1].origin.as_ref().map(|o| o.line), Some(5));
        assert_ne!(a, b);
        assert_eq!(a.without_origins(), b.without_origins());
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["requirements"][0]["origin"]["line"], 1);
        assert_eq!(json["requirements"][0]["name"], "numpy");
        assert_eq!(a.of(Ecosystem::Conda).count(), 0);
    }
}
