//! Which pre-release versions may be chosen: uv's `--prerelease` modes, with uv's meanings.
//!
//! - `disallow`: never a pre-release, even one a requirement names (`a==2.0b1` fails).
//! - `allow` (`--pre`): pre-releases compete with every other version; the newest wins.
//! - `if-necessary` (the default; `if-necessary-or-explicit` is its other name, as in uv):
//!   stable versions first; a pre-release only when no stable version in the range is left
//!   (none listed, none usable on the target, or every one ruled out by a conflict). A
//!   requirement that names a pre-release (`a>=1.0b1`) does not make pre-releases preferred:
//!   with `a` 1.0 and 2.0b1 listed, `a>=1.0b1` gives 1.0, as uv gives.
//! - `explicit`: as `if-necessary` for the packages whose input requirements, constraints or
//!   overrides name a pre-release in a specifier that opts in (every operator but `!=`); no
//!   pre-release for any other package.
//!
//! A requirements file's `--pre` is `allow`; the command line's `--prerelease` wins over it.

use pep440_rs::{Operator, VersionSpecifier};
use std::fmt;

/// The pre-release mode of a run (`--prerelease`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PrereleaseMode {
    Disallow,
    Allow,
    #[default]
    IfNecessary,
    Explicit,
}

/// How one package's pre-releases are treated under a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    Disallow,
    Allow,
    IfNecessary,
}

impl PrereleaseMode {
    /// The values `--prerelease` accepts, as uv spells them.
    pub const VALUES: [&'static str; 5] = [
        "disallow",
        "allow",
        "if-necessary",
        "explicit",
        "if-necessary-or-explicit",
    ];

    /// Reads a `--prerelease` value; `Err` lists the values accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "disallow" => Ok(PrereleaseMode::Disallow),
            "allow" => Ok(PrereleaseMode::Allow),
            // uv: `if-necessary-or-explicit` is a deprecated name of `if-necessary`.
            "if-necessary" | "if-necessary-or-explicit" => Ok(PrereleaseMode::IfNecessary),
            "explicit" => Ok(PrereleaseMode::Explicit),
            other => Err(format!(
                "`{other}` is not a pre-release mode; expected one of {}",
                Self::VALUES.join(", ")
            )),
        }
    }

    /// The policy for a package: `explicit` says whether the input's own requirements name a
    /// pre-release of it ([`opts_in`]).
    pub(crate) fn policy(self, explicit: bool) -> Policy {
        match self {
            PrereleaseMode::Disallow => Policy::Disallow,
            PrereleaseMode::Allow => Policy::Allow,
            PrereleaseMode::IfNecessary => Policy::IfNecessary,
            PrereleaseMode::Explicit if explicit => Policy::IfNecessary,
            PrereleaseMode::Explicit => Policy::Disallow,
        }
    }
}

impl fmt::Display for PrereleaseMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrereleaseMode::Disallow => "disallow",
            PrereleaseMode::Allow => "allow",
            PrereleaseMode::IfNecessary => "if-necessary",
            PrereleaseMode::Explicit => "explicit",
        })
    }
}

/// Whether a specifier opts its package into pre-releases under `explicit`: it names a
/// pre-release with any operator but `!=` (excluding a pre-release asks for none), as uv reads it.
pub(crate) fn opts_in(specifier: &VersionSpecifier) -> bool {
    !matches!(
        specifier.operator(),
        Operator::NotEqual | Operator::NotEqualStar
    ) && specifier.version().any_prerelease()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_uv_spelling_reads_and_the_old_default_name_is_if_necessary() {
        for v in PrereleaseMode::VALUES {
            assert!(PrereleaseMode::parse(v).is_ok(), "{v}");
        }
        assert_eq!(
            PrereleaseMode::parse("if-necessary-or-explicit"),
            Ok(PrereleaseMode::IfNecessary)
        );
        assert_eq!(PrereleaseMode::default(), PrereleaseMode::IfNecessary);
        let e = PrereleaseMode::parse("sometimes").unwrap_err();
        assert!(e.contains("disallow, allow, if-necessary"), "{e}");
    }

    #[test]
    fn excluding_a_pre_release_does_not_opt_in() {
        let spec = |s: &str| s.parse::<VersionSpecifier>().unwrap();
        assert!(opts_in(&spec(">=1.0b1")));
        assert!(opts_in(&spec("==2.0rc1")));
        assert!(!opts_in(&spec("!=2.0b1")));
        assert!(!opts_in(&spec(">=1.0")));
    }
}
