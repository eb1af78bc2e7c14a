//! Explanations of a failed resolution in the platform's language.
//!
//! PubGrub's derivation tree says which requirements cannot hold together; it cannot say that
//! a version was left out because its wheels need a newer glibc than the target has. This
//! module renders the tree, then adds, for every package whose versions in the failing range
//! exist but cannot install on the target, the reason in terms of the target attribute
//! responsible: glibc or musl, CPU architecture, Python version, macOS version, yanked files,
//! `--only-binary`; and for a project whose page lists no version at all, whether the page has
//! no files or no file that is a wheel or sdist.

use super::candidates::Project;
use super::provider::{Pkg, Provider};
use pep440_rs::Version;
use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, Ranges, ReportFormatter,
    Reporter, Term,
};
use std::collections::BTreeSet;
use unilock_model::Target;
use unilock_model::index::{FileKind, version_of};
use unilock_model::target::LibcFamily;

type Tree = DerivationTree<Pkg, Ranges<Version>, super::Unavailable>;
type Ext = External<Pkg, Ranges<Version>, super::Unavailable>;
type Terms = Map<Pkg, Term<Ranges<Version>>>;

/// The report of `tree`, followed by the platform reasons of the versions it rules out.
pub fn explain(tree: &Tree, provider: &Provider, target: &Target) -> String {
    let mut ranges = Vec::new();
    no_versions(tree, &mut ranges);
    let mut collapsed = tree.clone();
    collapsed.collapse_no_versions();
    let edges = provider.edges.borrow();
    let wording = Wording {
        edges: &edges,
        provider,
    };
    let mut text = DefaultStringReporter::report_with_formatter(&collapsed, &wording);
    let mut notes = BTreeSet::new();
    for (pkg, range) in ranges {
        let Some(name) = pkg.name() else { continue };
        match provider.project(name) {
            Ok(Some(project)) if project.versions().next().is_none() => {
                notes.insert(no_versions_listed(name.as_ref(), &project));
            }
            Ok(Some(project)) => {
                if let Some(note) = why_unusable(&project, &range, target) {
                    notes.insert(format!("{name} {note}"));
                }
            }
            Ok(None) => {
                notes.insert(format!("{name} is on none of the configured indexes"));
            }
            Err(_) => {}
        }
    }
    for note in notes {
        text.push_str("\n- ");
        text.push_str(&note);
    }
    text
}

/// Every (package, versions) the tree needs but found no usable version in.
fn no_versions(tree: &Tree, out: &mut Vec<(Pkg, Ranges<Version>)>) {
    match tree {
        DerivationTree::External(External::NoVersions(p, r)) => out.push((p.clone(), r.clone())),
        DerivationTree::External(External::FromDependencyOf(_, _, p, r)) => {
            out.push((p.clone(), r.clone()))
        }
        DerivationTree::External(_) => {}
        DerivationTree::Derived(d) => {
            no_versions(&d.cause1, out);
            no_versions(&d.cause2, out);
        }
    }
}

/// PubGrub's report in unilock's words: the root is "the requirements", without a version,
/// and a dependency is shown as it was written (`beta>=2`) where the depender's version is known.
struct Wording<'a> {
    edges: &'a std::collections::HashMap<(Pkg, Version), super::provider::Edges>,
    provider: &'a Provider<'a>,
}

fn versions(range: &Ranges<Version>) -> String {
    if *range == Ranges::full() {
        String::new()
    } else if range.is_empty() {
        " (none of its listed versions matches every requirement and constraint on it)".into()
    } else {
        format!(" {range}")
    }
}

impl Wording<'_> {
    /// `dep` as `pkg` at the versions `range` asked for it, when that is one known version.
    fn asked(&self, pkg: &Pkg, range: &Ranges<Version>, dep: &Pkg) -> Option<String> {
        let version = match pkg {
            Pkg::Root => super::provider::root_version(),
            _ => range.as_singleton()?.clone(),
        };
        let name = dep.name()?;
        let text = self.edges.get(&(pkg.clone(), version))?.asked.get(name)?;
        Some(if text.is_empty() {
            format!("{dep}")
        } else if text.starts_with('(') {
            format!("{dep} {text}")
        } else {
            format!("{dep}{text}")
        })
    }

    /// For a dependency no listed version satisfies: what the indexes do list.
    fn none_match(&self, dep: &Pkg, range: &Ranges<Version>) -> String {
        if !range.is_empty() {
            return String::new();
        }
        let listed = dep
            .name()
            .and_then(|n| self.provider.project(n).ok().flatten())
            .map(|p| p.versions().map(ToString::to_string).collect::<Vec<_>>())
            .unwrap_or_default();
        let shown: Vec<&str> = listed.iter().rev().take(8).map(String::as_str).collect();
        match shown.as_slice() {
            [] => ", which no listed version matches".into(),
            _ => format!(
                ", which no listed version matches (newest first: {}{})",
                shown.join(", "),
                if listed.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            ),
        }
    }

    fn external(&self, e: &Ext) -> String {
        match e {
            External::NotRoot(p, _) => format!("{p} is what is resolved"),
            External::NoVersions(p, r) => {
                format!(
                    "no usable version of {p}{} exists for the target",
                    versions(r)
                )
            }
            External::FromDependencyOf(Pkg::Root, pr, d, dr) => {
                let asked = self
                    .asked(&Pkg::Root, pr, d)
                    .unwrap_or_else(|| format!("{d}{}", versions(dr)));
                format!("the requirements ask for {asked}{}", self.none_match(d, dr))
            }
            External::FromDependencyOf(p, pr, d, dr) => {
                let asked = self
                    .asked(p, pr, d)
                    .unwrap_or_else(|| format!("{d}{}", versions(dr)));
                format!(
                    "{p}{} depends on {asked}{}",
                    versions(pr),
                    self.none_match(d, dr)
                )
            }
            External::Custom(p, r, why) => format!("{p}{} {why}", versions(r)),
        }
    }

    fn terms(&self, terms: &Terms) -> String {
        let list: Vec<_> = terms.iter().collect();
        match list.as_slice() {
            [] => "no set of versions works".into(),
            [(Pkg::Root, Term::Positive(_))] => "the requirements cannot be met".into(),
            [(p, Term::Positive(r))] => format!("{p}{} cannot be used", versions(r)),
            [(p, Term::Negative(r))] => format!("{p}{} is needed", versions(r)),
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))]
            | [(p2, Term::Negative(r2)), (p1, Term::Positive(r1))] => self.external(
                &External::FromDependencyOf((*p1).clone(), r1.clone(), (*p2).clone(), r2.clone()),
            ),
            many => {
                let each: Vec<String> = many.iter().map(|(p, t)| format!("{p} {t}")).collect();
                format!("{} cannot be used together", each.join(", "))
            }
        }
    }
}

type D = Derived<Pkg, Ranges<Version>, super::Unavailable>;

impl ReportFormatter<Pkg, Ranges<Version>, super::Unavailable> for Wording<'_> {
    type Output = String;

    fn format_external(&self, e: &Ext) -> String {
        self.external(e)
    }

    fn format_terms(&self, terms: &Terms) -> String {
        self.terms(terms)
    }

    fn explain_both_external(&self, e1: &Ext, e2: &Ext, now: &Terms) -> String {
        format!(
            "Because {} and {}, {}.",
            self.external(e1),
            self.external(e2),
            self.terms(now)
        )
    }

    fn explain_both_ref(&self, id1: usize, d1: &D, id2: usize, d2: &D, now: &Terms) -> String {
        format!(
            "Because {} ({id1}) and {} ({id2}), {}.",
            self.terms(&d1.terms),
            self.terms(&d2.terms),
            self.terms(now)
        )
    }

    fn explain_ref_and_external(&self, id: usize, d: &D, e: &Ext, now: &Terms) -> String {
        format!(
            "Because {} ({id}) and {}, {}.",
            self.terms(&d.terms),
            self.external(e),
            self.terms(now)
        )
    }

    fn and_explain_external(&self, e: &Ext, now: &Terms) -> String {
        format!("And because {}, {}.", self.external(e), self.terms(now))
    }

    fn and_explain_ref(&self, id: usize, d: &D, now: &Terms) -> String {
        format!(
            "And because {} ({id}), {}.",
            self.terms(&d.terms),
            self.terms(now)
        )
    }

    fn and_explain_prior_and_external(&self, prior: &Ext, e: &Ext, now: &Terms) -> String {
        format!(
            "And because {} and {}, {}.",
            self.external(prior),
            self.external(e),
            self.terms(now)
        )
    }
}

/// Why a project whose page exists lists no version at all: the page has no files (or only
/// files of other projects, which the source left out with a warning), or none of its files is
/// a wheel or sdist.
fn no_versions_listed(name: &str, project: &Project) -> String {
    let files = &project.files.files;
    let index = &project.files.index;
    if files.is_empty() {
        return format!(
            "{name} has no files on {index}: its page lists no file of {name} (a file of another project is left out, with a warning)"
        );
    }
    const SHOWN: usize = 3;
    let mut shown: Vec<&str> = (0..files.len().min(SHOWN))
        .map(|i| files.filename(i))
        .collect();
    if files.len() > SHOWN {
        shown.push("…");
    }
    format!(
        "{name} has no wheel or sdist on {index}: {} its page lists {} a wheel or sdist name ({})",
        match files.len() {
            1 => "the one file".to_string(),
            n => format!("none of the {n} files"),
        },
        if files.len() == 1 { "is not" } else { "is" },
        shown.join(", ")
    )
}

/// Why the newest listed version in `range` cannot install on the target, if one is listed.
fn why_unusable(project: &Project, range: &Ranges<Version>, target: &Target) -> Option<String> {
    let (version, files) = project
        .versions()
        .rev()
        .filter(|v| range.contains(v))
        .filter_map(|v| Some((v, project.get(v)?)))
        .find(|(_, f)| !f.usable() || f.yanked)?;
    let all: Vec<&str> = files
        .all
        .iter()
        .map(|&i| project.files.files.filename(i))
        .collect();
    if files.yanked {
        return Some(format!("{version} is yanked"));
    }
    let wheels: Vec<&str> = all
        .iter()
        .copied()
        .filter(|f| matches!(version_of(f), Some((_, FileKind::Wheel))))
        .collect();
    if wheels.is_empty() {
        return Some(format!(
            "{version} has only a source distribution, and only wheels are allowed (--only-binary)"
        ));
    }
    if let Some(rp) = files
        .all
        .iter()
        .filter_map(|&i| project.files.files.requires_python(i))
        .next()
    {
        let python = format!("{}.{}", target.python.major, target.python.minor);
        let fits = rp
            .parse::<pep440_rs::VersionSpecifiers>()
            .is_ok_and(|s| s.contains(&format!("{python}.0").parse().unwrap_or(Version::new([0]))));
        if !fits {
            return Some(format!(
                "{version} requires Python {rp}; target {} has Python {python}",
                target.spec()
            ));
        }
    }
    Some(format!("{version} {}", wheel_mismatch(&wheels, target)))
}

/// What about the target rules out every one of `wheels`.
fn wheel_mismatch(wheels: &[&str], target: &Target) -> String {
    let mut platforms = BTreeSet::new();
    let mut pythons = BTreeSet::new();
    for w in wheels {
        let parts: Vec<&str> = w.trim_end_matches(".whl").split('-').collect();
        if parts.len() >= 5 {
            let n = parts.len();
            pythons.extend(parts[n - 3].split('.').map(str::to_string));
            platforms.extend(parts[n - 1].split('.').map(str::to_string));
        }
    }
    let machine = target.platform.machine();
    let spec = target.spec();
    let for_machine: Vec<&String> = platforms
        .iter()
        .filter(|p| *p == "any" || p.ends_with(machine))
        .collect();
    if for_machine.is_empty() {
        return format!(
            "has no wheels for {machine} (only {}); target {spec} is {machine}",
            list(&platforms)
        );
    }
    let glibc: BTreeSet<String> = for_machine
        .iter()
        .filter_map(|p| manylinux_glibc(p))
        .collect();
    if let Some(libc) = &target.libc {
        if libc.family == LibcFamily::Musl && for_machine.iter().all(|p| p.starts_with("manylinux"))
        {
            return format!(
                "has only manylinux (glibc) wheels for {machine}; target {spec} uses musl {}",
                libc.version
            );
        }
        let have = numbers(&libc.version.to_string());
        if libc.family == LibcFamily::Glibc
            && !glibc.is_empty()
            && glibc.iter().all(|g| numbers(g) > have)
            && for_machine.iter().all(|p| p.starts_with("manylinux"))
        {
            return format!(
                "has only {} wheels for {machine}; target {spec} has glibc {}",
                glibc
                    .iter()
                    .map(|g| format!("manylinux_{}", g.replace('.', "_")))
                    .collect::<Vec<_>>()
                    .join(", "),
                libc.version
            );
        }
    }
    if let Some(macos) = &target.macos
        && for_machine.iter().all(|p| p.starts_with("macosx_"))
    {
        return format!(
            "has only {} wheels; target {spec} has macOS {macos}",
            list(&for_machine.iter().map(|s| s.to_string()).collect())
        );
    }
    format!(
        "has wheels only for {} on {}; target {spec} has Python {}.{}",
        list(&pythons),
        list(&for_machine.iter().map(|s| s.to_string()).collect()),
        target.python.major,
        target.python.minor
    )
}

/// The glibc version a manylinux platform tag needs (`manylinux2014_x86_64` → `2.17`).
fn manylinux_glibc(platform: &str) -> Option<String> {
    let rest = platform.strip_prefix("manylinux")?;
    let legacy = [("1_", "2.5"), ("2010_", "2.12"), ("2014_", "2.17")];
    for (prefix, glibc) in legacy {
        if rest.starts_with(prefix) {
            return Some(glibc.to_string());
        }
    }
    let mut parts = rest.strip_prefix('_')?.splitn(3, '_');
    Some(format!("{}.{}", parts.next()?, parts.next()?))
}

/// A dotted version as numbers, for comparing (`2.28` > `2.17`).
fn numbers(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

fn list(items: &BTreeSet<String>) -> String {
    items.iter().cloned().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use unilock_model::target::NoEnvironment;

    fn target(spec: &str) -> Target {
        Target::parse(spec, &NoEnvironment).unwrap()
    }

    #[test]
    fn glibc_too_old_is_named() {
        let w = ["opencv_python-4.10.0.84-cp37-abi3-manylinux_2_28_x86_64.whl"];
        assert_eq!(
            wheel_mismatch(&w, &target("centos7,python=3.11")),
            "has only manylinux_2_28 wheels for x86_64; target centos7,python=3.11 has glibc 2.17"
        );
    }

    #[test]
    fn musl_and_architecture_are_named() {
        let w = ["numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"];
        assert!(
            wheel_mismatch(&w, &target("alpine3.20,python=3.12")).contains("uses musl"),
            "{}",
            wheel_mismatch(&w, &target("alpine3.20,python=3.12"))
        );
        assert!(
            wheel_mismatch(&w, &target("linux-aarch64")).starts_with("has no wheels for aarch64")
        );
    }

    #[test]
    fn python_mismatch_is_named() {
        let w = ["numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.whl"];
        let m = wheel_mismatch(&w, &target("linux-64,python=3.13"));
        assert!(m.contains("cp312") && m.contains("Python 3.13"), "{m}");
    }
}
