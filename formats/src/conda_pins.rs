//! Choosing the pins of one platform from a pinned [`Document`], for the formats that hold the
//! pins of a single platform: conda explicit files and pinned environment.yml files. A lock
//! with several platforms (conda-lock.yml, pixi.lock) says where each pin applies in
//! `PinnedPackage::used_in`; these formats need one platform picked.

use std::collections::BTreeSet;
use unilock_model::document::PinnedPackage;
use unilock_model::{Diagnostic, Document};

/// The pins of one platform.
#[derive(Debug)]
pub struct PlatformPins<'a> {
    /// The platform (conda subdir); `None` when the document names none.
    pub platform: Option<String>,
    /// The packages installed on it, in the document's order.
    pub packages: Vec<&'a PinnedPackage>,
}

/// Every platform a document names: its `platforms` and those its pins are used on.
pub fn platforms(doc: &Document) -> BTreeSet<String> {
    let mut all: BTreeSet<String> = doc.platforms.iter().cloned().collect();
    for p in &doc.packages {
        for platforms in p.used_in.values() {
            all.extend(platforms.iter().cloned());
        }
    }
    all
}

/// The packages of `doc` installed on `platform` in `environment` (any environment when
/// `None`). Without a platform, the document's only platform is taken; a document with several
/// needs one named.
pub fn select<'a>(
    doc: &'a Document,
    platform: Option<&str>,
    environment: Option<&str>,
) -> Result<PlatformPins<'a>, Diagnostic> {
    let known = platforms(doc);
    let list = || known.iter().cloned().collect::<Vec<_>>().join(", ");
    let platform = match platform {
        Some(p) if !known.is_empty() && !known.contains(p) => {
            return Err(Diagnostic::usage(format!(
                "the input has no pins for platform {p}; it has pins for {}",
                list()
            )));
        }
        Some(p) => Some(p.to_string()),
        None if known.len() > 1 => {
            return Err(Diagnostic::usage(format!(
                "the input pins packages for several platforms ({}), and this output holds one",
                list()
            ))
            .note("choose one with `--target PLATFORM`"));
        }
        None => known.into_iter().next(),
    };
    let packages = doc
        .packages
        .iter()
        .filter(|p| {
            p.used_in.is_empty()
                || p.used_in.iter().any(|(env, platforms)| {
                    environment.is_none_or(|e| e == env)
                        && platform.as_ref().is_none_or(|pl| platforms.contains(pl))
                })
        })
        .collect();
    Ok(PlatformPins { platform, packages })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn pin(name: &str, used: &[(&str, &[&str])]) -> PinnedPackage {
        let mut p = PinnedPackage::registry(name, "1", "https://host/channel");
        p.used_in = used
            .iter()
            .map(|(e, ps)| (e.to_string(), ps.iter().map(|s| s.to_string()).collect()))
            .collect::<BTreeMap<_, BTreeSet<_>>>();
        p
    }

    #[test]
    fn one_platform_is_chosen_or_must_be_named() {
        let mut doc = Document::new("x");
        doc.packages = vec![
            pin("a", &[("default", &["linux-64", "osx-arm64"])]),
            pin("b", &[("default", &["osx-arm64"])]),
            pin("c", &[]),
        ];
        let err = select(&doc, None, None).unwrap_err();
        assert!(err.message().contains("linux-64, osx-arm64"), "{err}");
        let linux = select(&doc, Some("linux-64"), None).unwrap();
        let names: Vec<&str> = linux.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "c"]);
        assert!(select(&doc, Some("win-64"), None).is_err());
        assert!(
            select(&doc, Some("osx-arm64"), Some("test"))
                .unwrap()
                .packages
                .len()
                == 1
        );
        doc.packages.truncate(1);
        doc.packages[0].used_in.clear();
        let only = select(&doc, None, None).unwrap();
        assert_eq!(only.platform, None);
    }
}
