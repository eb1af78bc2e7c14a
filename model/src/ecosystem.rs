//! The package ecosystems unilock resolves across.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a package comes from and whose rules its names and versions follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// Python packages from PyPI-compatible indexes (PEP 503 names, PEP 440 versions).
    Pypi,
    /// Conda packages from conda channels (conda names and versions, MatchSpecs).
    Conda,
}

impl Ecosystem {
    /// The lowercase name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Pypi => "pypi",
            Ecosystem::Conda => "conda",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Ecosystem {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pypi" => Ok(Ecosystem::Pypi),
            "conda" => Ok(Ecosystem::Conda),
            other => Err(format!(
                "unknown ecosystem `{other}`: expected `pypi` or `conda`"
            )),
        }
    }
}
