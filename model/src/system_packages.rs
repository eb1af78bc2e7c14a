//! What to install instead of a conda package that is no Python distribution: the names of the
//! same software in Debian/Ubuntu (apt), Alpine (apk), Fedora/RHEL (dnf) and nixpkgs.
//!
//! One committed table, `system_packages.tsv` (its comment header says where the names come
//! from and that no row is checked against the distributions' repositories), parsed once on
//! first use into a hash map ([`std::sync::OnceLock`]). `unilock migrate conda-to-uv` writes
//! these names into MIGRATION.md; `unilock export --to nix` reads the nixpkgs column. A
//! malformed row is skipped at run time (the table is ours, not user input) and caught by the
//! tests below.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("system_packages.tsv");

/// What kind of software a row names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A system library (`openssl`, `libffi`).
    Library,
    /// A compiler or a conda compiler metapackage (`gcc`, `compilers`).
    Compiler,
    /// A piece of the CUDA toolkit (`cudatoolkit`, `cudnn`).
    Cuda,
    /// R itself.
    R,
    /// A program (`git`, `cmake`).
    Tool,
    /// A conda metapackage: nothing to install (`_openmp_mutex`).
    Meta,
}

impl Kind {
    fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "lib" => Kind::Library,
            "compiler" => Kind::Compiler,
            "cuda" => Kind::Cuda,
            "r" => Kind::R,
            "tool" => Kind::Tool,
            "meta" => Kind::Meta,
            _ => return None,
        })
    }

    /// The kind in words, plural (`system libraries`), for headings.
    pub fn heading(self) -> &'static str {
        match self {
            Kind::Library => "System libraries",
            Kind::Compiler => "Compilers",
            Kind::Cuda => "CUDA toolkit",
            Kind::R => "R",
            Kind::Tool => "Programs",
            Kind::Meta => "Conda metapackages",
        }
    }
}

/// One distribution's answer for a conda package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// Install these (space-separated package names or nixpkgs attribute paths).
    Install(&'static str),
    /// Nothing to install there (the row's note says why).
    Nothing,
    /// The table knows no package there.
    Unknown,
}

impl Names {
    fn parse(cell: &'static str) -> Names {
        match cell {
            "-" => Names::Nothing,
            "?" => Names::Unknown,
            names => Names::Install(names),
        }
    }
}

/// What the table says of one conda package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemPackage {
    pub conda: &'static str,
    pub kind: Kind,
    pub apt: Names,
    pub apk: Names,
    pub dnf: Names,
    pub nixpkgs: Names,
    pub note: Option<&'static str>,
}

/// The row of a conda package (by its conda name, any case), when the table has one.
pub fn lookup(conda_name: &str) -> Option<&'static SystemPackage> {
    static ROWS: OnceLock<HashMap<&'static str, SystemPackage>> = OnceLock::new();
    ROWS.get_or_init(|| {
        rows()
            .filter_map(Result::ok)
            .map(|r| (r.conda, r))
            .collect()
    })
    .get(conda_name.to_ascii_lowercase().as_str())
}

/// Every row of the table, or why a line is malformed.
fn rows() -> impl Iterator<Item = Result<SystemPackage, String>> {
    TABLE
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, line)| {
            let cols: Vec<&'static str> = line.split('\t').collect();
            let bad = || format!("system_packages.tsv line {}: `{line}`", i + 1);
            if !(6..=7).contains(&cols.len()) || cols[..6].iter().any(|c| c.is_empty()) {
                return Err(bad());
            }
            Ok(SystemPackage {
                conda: cols[0],
                kind: Kind::parse(cols[1]).ok_or_else(bad)?,
                apt: Names::parse(cols[2]),
                apk: Names::parse(cols[3]),
                dnf: Names::parse(cols[4]),
                nixpkgs: Names::parse(cols[5]),
                note: cols.get(6).copied().filter(|n| !n.is_empty()),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row reads, names are sorted, unique and lowercase, metapackages install nothing
    /// anywhere and say why, and every nixpkgs cell is an attribute path.
    #[test]
    fn the_table_is_well_formed() {
        let rows: Vec<SystemPackage> = rows().collect::<Result<_, _>>().unwrap();
        assert!(rows.len() > 100);
        assert!(rows.windows(2).all(|w| w[0].conda < w[1].conda), "sorted");
        for r in &rows {
            assert_eq!(r.conda, r.conda.to_lowercase());
            if r.kind == Kind::Meta {
                assert_eq!([r.apt, r.apk, r.dnf, r.nixpkgs], [Names::Nothing; 4]);
            }
            if [r.apt, r.apk, r.dnf, r.nixpkgs].contains(&Names::Nothing) {
                assert!(r.note.is_some(), "{}: `-` needs a note saying why", r.conda);
            }
            if let Names::Install(attrs) = r.nixpkgs {
                for attr in attrs.split(' ') {
                    assert!(
                        attr.split('.').all(|part| part
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_ascii_alphabetic())
                            && part
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))),
                        "{}: `{attr}` is not a nixpkgs attribute path",
                        r.conda
                    );
                }
            }
        }
    }

    /// The common system libraries, the compilers, the CUDA toolkit and R have rows in every
    /// column.
    #[test]
    fn common_system_packages_are_covered() {
        for name in [
            "openssl",
            "zlib",
            "libffi",
            "libxml2",
            "icu",
            "hdf5",
            "gdal",
            "proj",
            "geos",
            "openblas",
            "libgfortran",
            "ffmpeg",
            "libjpeg-turbo",
            "libpng",
            "cairo",
            "gcc",
            "gxx",
            "gfortran",
            "clang",
            "cudatoolkit",
            "r-base",
        ] {
            let row = lookup(name).unwrap_or_else(|| panic!("{name} has no row"));
            assert!(
                matches!(row.apt, Names::Install(_)) && matches!(row.nixpkgs, Names::Install(_)),
                "{name}: {row:?}"
            );
        }
        assert_eq!(
            lookup("OpenSSL").map(|r| r.apk),
            Some(Names::Install("openssl"))
        );
        assert_eq!(lookup("cudatoolkit").map(|r| r.kind), Some(Kind::Cuda));
        assert_eq!(lookup("numpy"), None);
    }
}
