//! What a lock was made from: its input files ([`LockedInput`]: a path relative to the lock
//! and a hash of the file's content) and the options that shape its result ([`LockOptions`]:
//! indexes, channels, pre-release and binary policy, extras, `--consistent`, …).
//!
//! They let `unilock export --locked` refuse a lock whose inputs changed on disk without
//! resolving anything, and `unilock resolve --locked` name every way a new resolution differs
//! ([`crate::lock_diff`]). Options are a map from the option's name (as its command-line flag
//! spells it, without dashes) to its value, so that a new option is one more entry, not a new
//! field of the format; only options that differ from their defaults are recorded.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One input file of the lock.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedInput {
    /// The file's path relative to the lock's directory, with `/` separators (absolute when
    /// the file is on another root than the lock).
    pub path: String,
    /// `sha256:<hex>` of the file's bytes.
    pub hash: String,
}

/// The value of a recorded option: a switch, one value, or a list (in the order given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OptionValue {
    Switch(bool),
    One(String),
    List(Vec<String>),
}

impl fmt::Display for OptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionValue::Switch(b) => write!(f, "{b}"),
            OptionValue::One(s) => write!(f, "{s:?}"),
            OptionValue::List(l) => {
                let quoted: Vec<String> = l.iter().map(|s| format!("{s:?}")).collect();
                write!(f, "[{}]", quoted.join(", "))
            }
        }
    }
}

/// The options that shaped a lock, by name (`index-url`, `pre`, `only-binary`, `extra`, …).
pub type LockOptions = BTreeMap<String, OptionValue>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_read_back_as_the_kind_written() {
        let mut options = LockOptions::new();
        options.insert("consistent".into(), OptionValue::Switch(true));
        options.insert(
            "index-url".into(),
            OptionValue::One("file:///srv/simple/".into()),
        );
        options.insert(
            "extra".into(),
            OptionValue::List(vec!["x".into(), "dev".into()]),
        );
        let text = toml::to_string(&options).unwrap();
        let back: LockOptions = toml::from_str(&text).unwrap();
        assert_eq!(back, options);
        assert_eq!(options["extra"].to_string(), "[\"x\", \"dev\"]");
    }
}
