//! What a valid hash is: the one place that says which digest algorithms unilock knows and how
//! many hex digits each one's digest has.
//!
//! Every reader of hashes (index pages, requirements files' `--hash`, `unilock.lock`,
//! `uv.lock`, `pylock.toml`) checks through [`check`] or [`parse`], so a hash unilock writes
//! out has always been checked: an algorithm of the list below and exactly its number of hex
//! digits (either case; readers normalise to lowercase where they store).
//!
//! The algorithms are Python's `hashlib.algorithms_guaranteed` with a fixed digest size — the
//! ones pip, uv and the simple repository API (PEP 503/691) may name. `shake_*` (digests of
//! any length) are not among them.

use std::fmt;

/// Known algorithms and the number of hex digits of their digests.
pub const ALGORITHMS: &[(&str, usize)] = &[
    ("md5", 32),
    ("sha1", 40),
    ("sha224", 56),
    ("sha256", 64),
    ("sha384", 96),
    ("sha512", 128),
    ("blake2b", 128),
    ("blake2s", 64),
    ("sha3_224", 56),
    ("sha3_256", 64),
    ("sha3_384", 96),
    ("sha3_512", 128),
];

/// Why a hash is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashError {
    /// No `algorithm:hex` (or `algorithm=hex`) separator.
    NoAlgorithm(String),
    /// An algorithm not in [`ALGORITHMS`].
    UnknownAlgorithm(String),
    /// A known algorithm whose digest is not the right number of hex digits.
    BadDigest {
        algorithm: String,
        digest: String,
        digits: usize,
    },
}

impl HashError {
    /// What the input should have held instead, for [`Diagnostic::expected`](crate::Diagnostic::expected).
    pub fn expected(&self) -> String {
        match self {
            HashError::NoAlgorithm(_) => "`ALGORITHM:HEX`, e.g. `sha256:` and 64 hex digits".into(),
            HashError::UnknownAlgorithm(_) => format!(
                "one of the hash algorithms {}",
                ALGORITHMS
                    .iter()
                    .map(|(a, _)| *a)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            HashError::BadDigest { digits, .. } => format!("{digits} hex digits"),
        }
    }

    /// Whether the algorithm is merely unknown (the digest may be fine for a newer tool).
    pub fn is_unknown_algorithm(&self) -> bool {
        matches!(self, HashError::UnknownAlgorithm(_))
    }
}

impl fmt::Display for HashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HashError::NoAlgorithm(s) => write!(f, "hash `{s}` does not name its algorithm"),
            HashError::UnknownAlgorithm(a) => write!(f, "unknown hash algorithm `{a}`"),
            HashError::BadDigest {
                algorithm,
                digest,
                digits,
            } => {
                let shown: String = digest.chars().take(140).collect();
                write!(
                    f,
                    "invalid {algorithm} digest `{shown}`: a {algorithm} digest is {digits} hex digits"
                )
            }
        }
    }
}

impl std::error::Error for HashError {}

/// The number of hex digits of `algorithm`'s digests, when unilock knows it (case-insensitive).
pub fn digits(algorithm: &str) -> Option<usize> {
    ALGORITHMS
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(algorithm))
        .map(|&(_, n)| n)
}

/// Checks that `digest` is a valid digest of `algorithm`.
pub fn check(algorithm: &str, digest: &str) -> Result<(), HashError> {
    let Some(n) = digits(algorithm) else {
        return Err(HashError::UnknownAlgorithm(algorithm.to_string()));
    };
    if digest.len() == n && digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(HashError::BadDigest {
            algorithm: algorithm.to_ascii_lowercase(),
            digest: digest.to_string(),
            digits: n,
        })
    }
}

/// Reads `algorithm<sep>hex` (`sha256:…` in locks and requirements files, `sha256=…` in URL
/// fragments), checked, as the lowercase (algorithm, digest) pair.
pub fn parse(text: &str, separator: char) -> Result<(String, String), HashError> {
    let Some((algorithm, digest)) = text.split_once(separator) else {
        return Err(HashError::NoAlgorithm(text.to_string()));
    };
    check(algorithm, digest)?;
    Ok((algorithm.to_ascii_lowercase(), digest.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_algorithms_with_their_digest_length_are_valid() {
        let sha256 = "a".repeat(64);
        assert_eq!(
            parse(&format!("SHA256:{}", sha256.to_uppercase()), ':'),
            Ok(("sha256".into(), sha256.clone()))
        );
        assert!(check("md5", &"0".repeat(32)).is_ok());
        assert!(check("blake2b", &"f".repeat(128)).is_ok());
        assert!(check("sha512", &"f".repeat(128)).is_ok());
    }

    #[test]
    fn wrong_length_non_hex_and_unknown_algorithms_are_refused() {
        let e = parse("sha256:zz", ':').unwrap_err();
        assert_eq!(e.expected(), "64 hex digits");
        assert!(e.to_string().contains("`zz`"), "{e}");
        assert!(check("sha256", &"a".repeat(63)).is_err());
        assert!(check("sha256", &format!("{}g", "a".repeat(63))).is_err());
        assert!(check("md5", &"a".repeat(64)).is_err());
        assert!(check("sha256", &"é".repeat(32)).is_err());
        assert!(parse("sha999:00", ':').unwrap_err().is_unknown_algorithm());
        assert!(matches!(parse("00", ':'), Err(HashError::NoAlgorithm(_))));
    }
}
