//! Taking one environment on one platform out of a lock that holds several (pixi.lock,
//! conda-lock.yml): the packages installed there, for the emitters of single-environment
//! formats (requirements files, conda explicit files, environment.yml).
//!
//! A pinned package is installed in environment `E` on platform `P` when its `used_in` lists
//! `P` under `E`; a package without `used_in` is installed everywhere.
//!
//! The emitters of single-platform conda formats (explicit files, pinned environment.yml) take
//! their packages through [`platform_pins`], which picks the document's only platform or the
//! one named.

use std::collections::BTreeSet;
use unilock_model::document::PinnedPackage;
use unilock_model::{Diagnostic, Document, Target};

/// The environment a selection takes when none is named.
pub const DEFAULT_ENVIRONMENT: &str = "default";

/// The packages of `doc` installed in `environment` on `platform`, as a document for that one
/// platform: its `platforms` is `[platform]` and no package has `used_in` any more.
pub fn select(doc: &Document, environment: &str, platform: &str) -> Result<Document, Diagnostic> {
    let environments = environments(doc);
    if !environments.is_empty() && !environments.iter().any(|e| e == environment) {
        return Err(
            Diagnostic::usage(format!("the lock has no environment `{environment}`"))
                .expected(format!("one of {}", list(&environments)))
                .note("choose one with `--environment NAME`"),
        );
    }
    if !doc.platforms.is_empty() && !doc.platforms.iter().any(|p| p == platform) {
        return Err(
            Diagnostic::usage(format!("the lock is not for platform `{platform}`"))
                .expected(format!("one of {}", list(&doc.platforms)))
                .note("choose one with `--platform PLATFORM`"),
        );
    }
    let mut selected = doc.clone();
    selected.platforms = vec![platform.to_string()];
    selected.packages = doc
        .packages
        .iter()
        .filter(|p| {
            p.used_in.is_empty()
                || p.used_in
                    .get(environment)
                    .is_some_and(|platforms| platforms.contains(platform))
        })
        .cloned()
        .map(|mut p| {
            p.used_in.clear();
            p
        })
        .collect();
    Ok(selected)
}

/// The platform to select: the one asked for, else the platform of the target, else the only
/// platform of the lock. With several platforms and nothing to choose by, an error lists them.
pub fn choose_platform(
    doc: &Document,
    asked: Option<&str>,
    target: Option<&Target>,
) -> Result<String, Diagnostic> {
    if let Some(p) = asked {
        return Ok(p.to_string());
    }
    if let Some(t) = target {
        return Ok(t.platform.conda_subdir().to_string());
    }
    match doc.platforms.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(Diagnostic::usage("the lock names no platform")
            .note("choose one with `--platform PLATFORM`")),
        many => Err(Diagnostic::usage(format!(
            "the lock is for {} platforms; say which one to convert",
            many.len()
        ))
        .expected(format!(
            "`--platform` (or `--target`) with one of {}",
            list(many)
        ))),
    }
}

/// Every environment some package of `doc` is used in, sorted.
pub fn environments(doc: &Document) -> Vec<String> {
    let mut names: Vec<String> = doc
        .packages
        .iter()
        .flat_map(|p| p.used_in.keys().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

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

/// The packages of `doc` installed on `platform` in any environment. Without a platform, the
/// document's only platform is taken; a document with several needs one named.
pub fn platform_pins<'a>(
    doc: &'a Document,
    platform: Option<&str>,
) -> Result<PlatformPins<'a>, Diagnostic> {
    let known = platforms(doc);
    let listed = || list(&known.iter().cloned().collect::<Vec<_>>());
    let platform = match platform {
        Some(p) if !known.is_empty() && !known.contains(p) => {
            return Err(Diagnostic::usage(format!(
                "the input has no pins for platform {p}; it has pins for {}",
                listed()
            )));
        }
        Some(p) => Some(p.to_string()),
        None if known.len() > 1 => {
            return Err(Diagnostic::usage(format!(
                "the input pins packages for several platforms ({}), and this output holds one",
                listed()
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
                || p.used_in
                    .values()
                    .any(|platforms| platform.as_ref().is_none_or(|pl| platforms.contains(pl)))
        })
        .collect();
    Ok(PlatformPins { platform, packages })
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use unilock_model::document::PinnedPackage;

    fn pin(name: &str, used_in: &[(&str, &[&str])]) -> PinnedPackage {
        let mut p = PinnedPackage::registry(name, "1", "");
        p.used_in = used_in
            .iter()
            .map(|(env, platforms)| {
                (
                    env.to_string(),
                    platforms
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<BTreeSet<_>>(),
                )
            })
            .collect::<BTreeMap<_, _>>();
        p
    }

    fn doc() -> Document {
        let mut doc = Document::new("pixi-lock");
        doc.platforms = vec!["linux-64".into(), "osx-arm64".into()];
        doc.packages = vec![
            pin("a", &[("default", &["linux-64", "osx-arm64"])]),
            pin("b", &[("default", &["osx-arm64"]), ("test", &["linux-64"])]),
            pin("c", &[("test", &["linux-64"])]),
        ];
        doc
    }

    fn names(doc: &Document) -> Vec<&str> {
        doc.packages.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn keeps_what_one_environment_installs_on_one_platform() {
        let d = doc();
        assert_eq!(names(&select(&d, "default", "linux-64").unwrap()), ["a"]);
        assert_eq!(
            names(&select(&d, "default", "osx-arm64").unwrap()),
            ["a", "b"]
        );
        let test = select(&d, "test", "linux-64").unwrap();
        assert_eq!(names(&test), ["b", "c"]);
        assert_eq!(test.platforms, ["linux-64"]);
        assert!(test.packages.iter().all(|p| p.used_in.is_empty()));
    }

    #[test]
    fn unknown_environments_and_platforms_list_the_choices() {
        let d = doc();
        let e = select(&d, "docs", "linux-64").unwrap_err().render();
        assert!(
            e.contains("no environment `docs`: expected one of `default`, `test`"),
            "{e}"
        );
        let e = select(&d, "default", "win-64").unwrap_err().render();
        assert!(e.contains("one of `linux-64`, `osx-arm64`"), "{e}");
    }

    #[test]
    fn the_platform_defaults_to_the_target_or_the_only_one() {
        let d = doc();
        let e = choose_platform(&d, None, None).unwrap_err().render();
        assert!(
            e.contains("2 platforms") && e.contains("`osx-arm64`"),
            "{e}"
        );
        let target = Target::parse("linux-aarch64", &|_: &str| None).unwrap();
        assert_eq!(
            choose_platform(&d, None, Some(&target)).unwrap(),
            "linux-aarch64"
        );
        assert_eq!(
            choose_platform(&d, Some("osx-arm64"), Some(&target)).unwrap(),
            "osx-arm64"
        );
        let mut one = d.clone();
        one.platforms.truncate(1);
        assert_eq!(choose_platform(&one, None, None).unwrap(), "linux-64");
    }

    #[test]
    fn platform_pins_take_the_only_platform_or_the_one_named() {
        let mut d = doc();
        d.platforms.clear();
        d.packages.push(pin("free", &[]));
        let err = platform_pins(&d, None).unwrap_err();
        assert!(err.message().contains("`linux-64`, `osx-arm64`"), "{err}");
        let linux = platform_pins(&d, Some("linux-64")).unwrap();
        let names: Vec<&str> = linux.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "free"]);
        assert!(platform_pins(&d, Some("win-64")).is_err());
        d.packages = vec![pin("free", &[])];
        let only = platform_pins(&d, None).unwrap();
        assert_eq!((only.platform, only.packages.len()), (None, 1));
    }
}
