//! The tables of the Nix export:
//!
//! - conda package name → nixpkgs attribute (or nothing to install, with the reason), with an
//!   optional note printed when the row is used: the nixpkgs column of the one table of system
//!   package names, [`unilock_model::system_packages`];
//! - `fhs.tsv`, parsed once on first use: PyPI distributions whose prebuilt Linux wheels load
//!   system libraries at run time, with the nixpkgs attributes of those libraries and why.
//!
//! Each table's comment header says where its names come from. A malformed row is skipped at
//! run time (the tables are ours, not user input) and caught by the tests.

use std::collections::HashMap;
use std::sync::OnceLock;

const FHS: &str = include_str!("fhs.tsv");

/// What the nixpkgs table says of one conda package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NixpkgsRow {
    /// The attribute path under `pkgs`, or `None` for a package that needs nothing.
    pub attribute: Option<&'static str>,
    pub note: Option<&'static str>,
}

/// What the FHS table says of one PyPI distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FhsRow {
    /// nixpkgs attributes of the libraries it loads, space-separated.
    pub libraries: &'static str,
    pub why: &'static str,
}

/// The nixpkgs row of a conda package (by its lowercase conda name): `None` when the table
/// has no row for it or knows no nixpkgs attribute for it.
pub(super) fn nixpkgs(conda_name: &str) -> Option<NixpkgsRow> {
    use unilock_model::system_packages::{Names, lookup};
    let row = lookup(conda_name)?;
    let attribute = match row.nixpkgs {
        Names::Install(attr) => Some(attr),
        Names::Nothing => None,
        Names::Unknown => return None,
    };
    Some(NixpkgsRow {
        attribute,
        note: row.note,
    })
}

/// The FHS row of a PyPI distribution (by its normalised name).
pub(super) fn fhs(pypi_name: &str) -> Option<FhsRow> {
    static TABLE: OnceLock<HashMap<&'static str, FhsRow>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            rows(FHS)
                .filter_map(|r| r.ok())
                .filter_map(|(name, cols)| {
                    Some((
                        name,
                        FhsRow {
                            libraries: cols.first()?,
                            why: cols.get(1)?,
                        },
                    ))
                })
                .collect()
        })
        .get(pypi_name)
        .copied()
}

/// The data rows of a table: name and the other columns, or why a row is malformed.
fn rows(
    text: &'static str,
) -> impl Iterator<Item = Result<(&'static str, Vec<&'static str>), String>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, line)| {
            let mut cols = line.split('\t');
            let name = cols.next().unwrap_or_default();
            let rest: Vec<&str> = cols.collect();
            if name.is_empty() || rest.is_empty() || rest.len() > 2 || rest[0].is_empty() {
                return Err(format!("line {}: `{line}`", i + 1));
            }
            Ok((name, rest))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row reads, names are sorted and unique, and every attribute is an attribute path.
    #[test]
    fn tables_are_well_formed() {
        for (table, columns) in [(FHS, 2..=2)] {
            let rows: Vec<_> = rows(table).collect::<Result<_, _>>().unwrap();
            assert!(rows.windows(2).all(|w| w[0].0 < w[1].0), "sorted, unique");
            for (name, cols) in rows {
                assert!(columns.contains(&cols.len()), "{name}: {cols:?}");
                assert_eq!(name, name.to_lowercase(), "{name}");
                for attr in cols[0].split(' ').filter(|a| *a != "-") {
                    assert!(
                        attr.split('.').all(|part| !part.is_empty()
                            && part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                            && part
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))),
                        "{name}: `{attr}` is not a nixpkgs attribute path"
                    );
                }
            }
        }
    }

    #[test]
    fn common_system_libraries_are_mapped() {
        for (conda, attr) in [
            ("openssl", "openssl"),
            ("zlib", "zlib"),
            ("libffi", "libffi"),
            ("libxml2", "libxml2"),
            ("icu", "icu"),
            ("ca-certificates", "cacert"),
            ("git", "git"),
            ("nodejs", "nodejs"),
            ("libstdcxx-ng", "stdenv.cc.cc.lib"),
            ("libopenblas", "openblas"),
            ("libblas", "blas"),
            ("hdf5", "hdf5"),
            ("gdal", "gdal"),
            ("proj", "proj"),
        ] {
            assert_eq!(
                nixpkgs(conda).and_then(|r| r.attribute),
                Some(attr),
                "{conda}"
            );
        }
        assert_eq!(nixpkgs("_openmp_mutex").map(|r| r.attribute), Some(None));
        assert_eq!(nixpkgs("numpy"), None);
        assert!(fhs("opencv-python").is_some_and(|r| r.libraries.contains("libGL")));
        assert_eq!(fhs("opencv-python-headless"), None);
    }
}
