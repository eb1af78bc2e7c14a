//! Versions, ordered by the rules of their ecosystem.
//!
//! PEP 440 versions come from `pep440_rs`, conda versions from `rattler_conda_types`; the two
//! orders differ (conda orders `1.0.dev1` and `1.0a` differently, and has `1.0_1` local parts), so a
//! [`Version`] knows its ecosystem and versions of different ecosystems are not comparable.

use crate::Ecosystem;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A version of a package in one ecosystem.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Version {
    Pep440(pep440_rs::Version),
    Conda(rattler_conda_types::Version),
}

impl Version {
    /// Parses `text` by the rules of `ecosystem`.
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Result<Self, String> {
        match ecosystem {
            Ecosystem::Pypi => pep440_rs::Version::from_str(text)
                .map(Version::Pep440)
                .map_err(|e| format!("invalid PEP 440 version `{text}`: {e}")),
            Ecosystem::Conda => rattler_conda_types::Version::from_str(text)
                .map(Version::Conda)
                .map_err(|e| format!("invalid conda version `{text}`: {e}")),
        }
    }

    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            Version::Pep440(_) => Ecosystem::Pypi,
            Version::Conda(_) => Ecosystem::Conda,
        }
    }
}

impl PartialOrd for Version {
    /// Versions of one ecosystem are totally ordered; versions of different ecosystems are
    /// not comparable.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Version::Pep440(a), Version::Pep440(b)) => Some(a.cmp(b)),
            (Version::Conda(a), Version::Conda(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Pep440(v) => v.fmt(f),
            Version::Conda(v) => v.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pypi(s: &str) -> Version {
        Version::parse(Ecosystem::Pypi, s).unwrap()
    }
    fn conda(s: &str) -> Version {
        Version::parse(Ecosystem::Conda, s).unwrap()
    }

    #[test]
    fn pep440_order_follows_the_specification() {
        let ordered = [
            "1.0.dev1",
            "1.0a1",
            "1.0b2",
            "1.0rc1",
            "1.0",
            "1.0.post1",
            "1.0.1",
            "1!0.1",
        ];
        for pair in ordered.windows(2) {
            assert!(pypi(pair[0]) < pypi(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(pypi("1.0"), pypi("1.0.0"));
    }

    #[test]
    fn conda_order_follows_conda() {
        // The order conda documents (and rattler implements).
        let ordered = [
            "1.1dev1",
            "1.1_",
            "1.1a1",
            "1.1.dev1",
            "1.1.a1",
            "1.1.0rc1",
            "1.1",
            "1.1.0post1",
            "1.1post1",
            "1.2dev1",
            "1.2rc1",
            "1.2",
            "2024.1",
            "1!0.1",
        ];
        for pair in ordered.windows(2) {
            assert!(conda(pair[0]) < conda(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(conda("1.1.0"), conda("1.1"));
        assert_eq!(conda("1.1.dev1"), conda("1.1.0dev1"));
    }

    #[test]
    fn different_ecosystems_do_not_compare() {
        assert_eq!(pypi("1.0").partial_cmp(&conda("1.0")), None);
    }

    fn pep440_strategy() -> impl Strategy<Value = String> {
        (
            prop::option::of(1u32..3),
            prop::collection::vec(0u32..30, 1..4),
            prop::option::of((prop::sample::select(vec!["a", "b", "rc"]), 0u32..5)),
            prop::option::of(0u32..5),
            prop::option::of(0u32..5),
        )
            .prop_map(|(epoch, release, pre, post, dev)| {
                let mut s = String::new();
                if let Some(e) = epoch {
                    s.push_str(&format!("{e}!"));
                }
                s.push_str(
                    &release
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join("."),
                );
                if let Some((kind, n)) = pre {
                    s.push_str(&format!("{kind}{n}"));
                }
                if let Some(p) = post {
                    s.push_str(&format!(".post{p}"));
                }
                if let Some(d) = dev {
                    s.push_str(&format!(".dev{d}"));
                }
                s
            })
    }

    proptest! {
        #[test]
        fn pep440_display_round_trips_and_keeps_order(a in pep440_strategy(), b in pep440_strategy()) {
            let (va, vb) = (pypi(&a), pypi(&b));
            let (ra, rb) = (pypi(&va.to_string()), pypi(&vb.to_string()));
            prop_assert_eq!(&va, &ra);
            prop_assert_eq!(va.partial_cmp(&vb), ra.partial_cmp(&rb));
        }

        #[test]
        fn pep440_order_is_total_and_antisymmetric(a in pep440_strategy(), b in pep440_strategy()) {
            let (va, vb) = (pypi(&a), pypi(&b));
            let ab = va.partial_cmp(&vb).unwrap();
            let ba = vb.partial_cmp(&va).unwrap();
            prop_assert_eq!(ab, ba.reverse());
        }

        #[test]
        fn release_segments_order_numerically(x in prop::collection::vec(0u32..1000, 1..4), y in prop::collection::vec(0u32..1000, 1..4)) {
            let join = |v: &Vec<u32>| v.iter().map(u32::to_string).collect::<Vec<_>>().join(".");
            let pad = |v: &Vec<u32>| { let mut v = v.clone(); v.resize(4, 0); v };
            prop_assert_eq!(pypi(&join(&x)).partial_cmp(&pypi(&join(&y))), Some(pad(&x).cmp(&pad(&y))));
            prop_assert_eq!(conda(&join(&x)).partial_cmp(&conda(&join(&y))), Some(pad(&x).cmp(&pad(&y))));
        }

        #[test]
        fn conda_display_round_trips_and_keeps_order(
            a in "[0-9]{1,3}(\\.[0-9]{1,3}){0,2}(a|b|rc|\\.post|\\.dev)?[0-9]?(_[0-9])?",
            b in "[0-9]{1,3}(\\.[0-9]{1,3}){0,2}(a|b|rc|\\.post|\\.dev)?[0-9]?(_[0-9])?",
        ) {
            let (va, vb) = (conda(&a), conda(&b));
            let (ra, rb) = (conda(&va.to_string()), conda(&vb.to_string()));
            prop_assert_eq!(va.partial_cmp(&vb), ra.partial_cmp(&rb));
            prop_assert_eq!(va.partial_cmp(&vb).map(Ordering::reverse), vb.partial_cmp(&va));
        }
    }
}
