//! Package names, normalised by the rules of their ecosystem.
//!
//! PyPI names follow PEP 503: case-insensitive, with runs of `-`, `_` and `.` equivalent, so
//! `Typing_Extensions` and `typing-extensions` are one package. Conda names are lowercase by
//! convention and compared as conda compares them (through `rattler_conda_types`).

use crate::Ecosystem;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A package name in one ecosystem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PackageName {
    Pypi(pep508_rs::PackageName),
    Conda(rattler_conda_types::PackageName),
}

impl PackageName {
    /// Parses `name` as a name of `ecosystem`; the error says what a valid name looks like.
    pub fn parse(ecosystem: Ecosystem, name: &str) -> Result<Self, String> {
        match ecosystem {
            Ecosystem::Pypi => pep508_rs::PackageName::new(name.to_string())
                .map(PackageName::Pypi)
                .map_err(|e| format!("invalid PyPI package name `{name}`: {e}")),
            Ecosystem::Conda => rattler_conda_types::PackageName::try_from(name)
                .map(PackageName::Conda)
                .map_err(|e| format!("invalid conda package name `{name}`: {e}")),
        }
    }

    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            PackageName::Pypi(_) => Ecosystem::Pypi,
            PackageName::Conda(_) => Ecosystem::Conda,
        }
    }

    /// The normalised form: what two spellings of one package have in common.
    pub fn as_normalized(&self) -> &str {
        match self {
            PackageName::Pypi(n) => n.as_ref(),
            PackageName::Conda(n) => n.as_normalized(),
        }
    }
}

/// PEP 503 normalisation of any text that names a package, extra or dependency group, valid
/// name or not: ASCII lowercase, runs of `-`, `_` and `.` as one `-`, leading ones dropped
/// (`Typing_Extensions` → `typing-extensions`).
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.push(c.to_ascii_lowercase());
    }
    out
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_normalized())
    }
}

/// Serialised as `{ ecosystem = "...", name = "..." }`-free plain strings by the containers
/// that know the ecosystem; standalone it is `"pypi:name"` / `"conda:name"`.
impl Serialize for PackageName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}:{}", self.ecosystem(), self.as_normalized()))
    }
}

impl<'de> Deserialize<'de> for PackageName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let (eco, name) = text
            .split_once(':')
            .ok_or_else(|| serde::de::Error::custom("expected `pypi:NAME` or `conda:NAME`"))?;
        let eco: Ecosystem = eco.parse().map_err(serde::de::Error::custom)?;
        PackageName::parse(eco, name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pypi_names_normalise_per_pep_503() {
        let a = PackageName::parse(Ecosystem::Pypi, "Typing_Extensions").unwrap();
        let b = PackageName::parse(Ecosystem::Pypi, "typing.extensions").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "typing-extensions");
    }

    #[test]
    fn any_text_normalises_like_a_pypi_name() {
        assert_eq!(normalize("Typing__Extensions"), "typing-extensions");
        assert_eq!(normalize("-GPU.Extra_"), "gpu-extra");
        assert_eq!(normalize("dev"), "dev");
    }

    #[test]
    fn invalid_names_are_rejected_with_a_reason() {
        assert!(PackageName::parse(Ecosystem::Pypi, "-bad").is_err());
        assert!(PackageName::parse(Ecosystem::Conda, "bad name").is_err());
    }

    proptest! {
        #[test]
        fn pypi_normalisation_is_idempotent(name in "[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?") {
            let once = PackageName::parse(Ecosystem::Pypi, &name).unwrap();
            let twice = PackageName::parse(Ecosystem::Pypi, once.as_normalized()).unwrap();
            prop_assert_eq!(&once, &twice);
            prop_assert!(!once.as_normalized().contains(['_', '.']));
            prop_assert_eq!(once.as_normalized(), once.as_normalized().to_lowercase());
        }

        #[test]
        fn names_round_trip_through_serde(name in "[a-z0-9]([a-z0-9_-]{0,20}[a-z0-9])?", conda in any::<bool>()) {
            let eco = if conda { Ecosystem::Conda } else { Ecosystem::Pypi };
            let parsed = PackageName::parse(eco, &name).unwrap();
            let json = serde_json::to_string(&parsed).unwrap();
            let back: PackageName = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(parsed, back);
        }
    }
}
