//! Which kinds of file may install each PyPI package: pip's "format control"
//! (`--only-binary`, `--no-binary`) and `--prefer-binary`.
//!
//! [`BinaryPolicy::apply`] takes each `--only-binary VALUE` / `--no-binary VALUE` in the order
//! the command line and the input files give them, with pip's meanings: `VALUE` is `:all:`, a
//! comma-separated list of names, or `:none:` (which empties that flag's list). `:all:` clears
//! both lists; a name given to one flag leaves the other's list. [`BinaryPolicy::formats`] then
//! says what a package may use: a name listed for `--only-binary` wheels only, one listed for
//! `--no-binary` sdists only, and otherwise `:all:` of either flag decides. So
//! `--no-binary :all: --only-binary numpy` builds everything but numpy from source, and
//! `--only-binary numpy --no-binary :all:` builds numpy too (the later `:all:` cleared it).
//!
//! `--prefer-binary` (pip's meaning) does not exclude a file: the solve takes the newest
//! version with a wheel for the target before any version that would be built from source,
//! and a version with only an sdist when no version with a wheel fits.

use std::collections::BTreeSet;
use std::fmt;
use unilock_model::name::normalize;

/// The packages one of the two flags names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// `:all:`: every package not named by the other flag.
    pub all: bool,
    /// Normalised names (PEP 503).
    pub names: BTreeSet<String>,
}

impl Names {
    fn clear(&mut self) {
        self.all = false;
        self.names.clear();
    }

    pub fn is_empty(&self) -> bool {
        !self.all && self.names.is_empty()
    }
}

/// Which of the two flags a value was given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryFlag {
    /// `--only-binary`: wheels only.
    OnlyBinary,
    /// `--no-binary`: sdists only.
    NoBinary,
}

impl BinaryFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryFlag::OnlyBinary => "--only-binary",
            BinaryFlag::NoBinary => "--no-binary",
        }
    }
}

/// The files each package may install from, and `--prefer-binary`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinaryPolicy {
    /// `--only-binary`.
    pub only_binary: Names,
    /// `--no-binary`.
    pub no_binary: Names,
    /// `--prefer-binary`: a version with a wheel for the target before a newer one without.
    pub prefer_binary: bool,
}

/// What one package may install from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub wheels: bool,
    pub sdists: bool,
}

impl BinaryPolicy {
    /// Wheels only for every package (`--only-binary :all:`).
    pub fn only_binary_all() -> Self {
        let mut p = BinaryPolicy::default();
        p.only_binary.all = true;
        p
    }

    /// Applies one `flag VALUE`, after those applied before it (pip's
    /// `FormatControl.handle_mutual_excludes`). The error says what the value should be.
    pub fn apply(&mut self, flag: BinaryFlag, value: &str) -> Result<(), String> {
        if value.starts_with('-') || value.trim().is_empty() {
            return Err(format!(
                "{} takes :all:, :none: or package names separated by commas; got `{value}`",
                flag.as_str()
            ));
        }
        let (target, other) = match flag {
            BinaryFlag::OnlyBinary => (&mut self.only_binary, &mut self.no_binary),
            BinaryFlag::NoBinary => (&mut self.no_binary, &mut self.only_binary),
        };
        let mut items: Vec<&str> = value.split(',').map(str::trim).collect();
        while let Some(at) = items.iter().position(|i| *i == ":all:") {
            other.clear();
            target.clear();
            target.all = true;
            items.drain(..=at);
            // As pip: without a `:none:` after it, `:all:` covers the names that follow.
            if !items.contains(&":none:") {
                return Ok(());
            }
        }
        for item in items {
            match item {
                ":none:" => target.clear(),
                "" => {}
                name => {
                    if pep508_rs::PackageName::new(name.to_string()).is_err() {
                        return Err(format!(
                            "{}: `{name}` is not a package name (give :all:, :none: or names separated by commas)",
                            flag.as_str()
                        ));
                    }
                    let name = normalize(name);
                    other.names.remove(&name);
                    target.names.insert(name);
                }
            }
        }
        Ok(())
    }

    /// What the package `name` (any spelling) may install from (pip's `get_allowed_formats`).
    pub fn formats(&self, name: &str) -> Formats {
        let name = normalize(name);
        let both = Formats {
            wheels: true,
            sdists: true,
        };
        if self.only_binary.names.contains(&name) {
            Formats {
                sdists: false,
                ..both
            }
        } else if self.no_binary.names.contains(&name) {
            Formats {
                wheels: false,
                ..both
            }
        } else if self.only_binary.all {
            Formats {
                sdists: false,
                ..both
            }
        } else if self.no_binary.all {
            Formats {
                wheels: false,
                ..both
            }
        } else {
            both
        }
    }

    /// Whether `--no-binary` (by name or `:all:`) is why `name` may not use wheels.
    pub fn asks_source(&self, name: &str) -> bool {
        !self.formats(name).wheels
    }

    /// Whether nothing is restricted or preferred.
    pub fn is_default(&self) -> bool {
        *self == BinaryPolicy::default()
    }
}

impl fmt::Display for BinaryPolicy {
    /// The flags that give this policy (`--only-binary :all: --no-binary numpy`), for
    /// provenance notes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        // `:all:` first: it clears the other flag's names, which then follow it.
        for (flag, names) in [
            ("--only-binary", &self.only_binary),
            ("--no-binary", &self.no_binary),
        ] {
            if names.all {
                parts.insert(0, format!("{flag} :all:"));
            }
            if !names.names.is_empty() {
                let list: Vec<&str> = names.names.iter().map(String::as_str).collect();
                parts.push(format!("{flag} {}", list.join(",")));
            }
        }
        if self.prefer_binary {
            parts.push("--prefer-binary".into());
        }
        f.write_str(&parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BinaryFlag::{NoBinary, OnlyBinary};

    fn policy(flags: &[(BinaryFlag, &str)]) -> BinaryPolicy {
        let mut p = BinaryPolicy::default();
        for (flag, value) in flags {
            p.apply(*flag, value).unwrap();
        }
        p
    }

    fn allowed(p: &BinaryPolicy, name: &str) -> (bool, bool) {
        let f = p.formats(name);
        (f.wheels, f.sdists)
    }

    #[test]
    fn names_and_all_follow_pips_format_control() {
        let p = policy(&[(NoBinary, ":all:"), (OnlyBinary, "NumPy")]);
        assert_eq!(allowed(&p, "numpy"), (true, false), "a name beats :all:");
        assert_eq!(allowed(&p, "scipy"), (false, true));
        // A later :all: clears the names the other flag was given.
        let p = policy(&[(OnlyBinary, "numpy"), (NoBinary, ":all:")]);
        assert_eq!(allowed(&p, "numpy"), (false, true));
        // A name moves from one flag to the later one.
        let p = policy(&[
            (OnlyBinary, "a,Typing_Extensions"),
            (NoBinary, "typing.extensions"),
        ]);
        assert_eq!(allowed(&p, "typing-extensions"), (false, true));
        assert_eq!(allowed(&p, "a"), (true, false));
        assert_eq!(allowed(&p, "b"), (true, true));
        // :none: empties that flag's list only.
        let p = policy(&[
            (OnlyBinary, ":all:"),
            (NoBinary, "x"),
            (OnlyBinary, ":none:"),
        ]);
        assert_eq!(allowed(&p, "y"), (true, true));
        assert_eq!(allowed(&p, "x"), (false, true));
        // Names after :all: in one value are covered by it, unless a :none: follows.
        let p = policy(&[(NoBinary, ":all:,numpy")]);
        assert_eq!((p.no_binary.all, p.no_binary.names.len()), (true, 0));
        let p = policy(&[(NoBinary, ":all:,:none:,numpy")]);
        assert_eq!(
            (p.no_binary.all, allowed(&p, "numpy")),
            (false, (false, true))
        );
        let p = policy(&[(NoBinary, ":all:,:none:,:all:,numpy")]);
        assert_eq!((p.no_binary.all, p.no_binary.names.len()), (true, 0));
    }

    #[test]
    fn a_value_that_names_nothing_is_refused() {
        let mut p = BinaryPolicy::default();
        assert!(
            p.apply(NoBinary, "--pre")
                .unwrap_err()
                .contains("--no-binary takes")
        );
        assert!(p.apply(OnlyBinary, "a b").unwrap_err().contains("`a b`"));
        assert!(p.apply(OnlyBinary, "").is_err());
    }

    #[test]
    fn the_policy_reads_back_as_flags() {
        let mut p = policy(&[(NoBinary, "b,a"), (OnlyBinary, ":all:"), (NoBinary, "c")]);
        p.prefer_binary = true;
        assert_eq!(
            p.to_string(),
            "--only-binary :all: --no-binary c --prefer-binary"
        );
    }
}
