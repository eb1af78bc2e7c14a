//! Explanations of a failed resolution in the platform's language.
//!
//! PubGrub's derivation tree says which requirements cannot hold together; it cannot say that
//! a version was left out because its wheels need a newer glibc than the target has. This
//! module renders the tree with version sets shown as spans of listed versions
//! (`torchvision 0.24.0–0.29.2`, at most four spans), never as range syntax; then, for every
//! package whose versions in the failing range exist but cannot install on the target, the
//! reason of each version ([`super::unusable`]), consecutive versions with the same reason
//! grouped into one line (at most two groups, newest first, and a count of the older
//! versions), and what would work instead, computed: the nearest version outside the range
//! that installs on the target, the nearest Python the newest version has wheels for, presets
//! and a target attribute (`glibc=2.28`) its wheels fit. For a project whose page lists no
//! version at all, it says whether the page has no files or no file that is a wheel or sdist.
//! The versions an explanation names are reported to the source
//! ([`PackageSource::consulted`]), so a recording of a failure keeps them.

use super::asked::extras_as_asked;
use super::candidates::Project;
use super::provider::{Pkg, Provider};
use super::unusable::{Kind, Why, why};
use crate::sets::CandidateSet;
use crate::wheel::{TagParts, TagRanking};
use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;
use pubgrub::{DerivationTree, External, Map, Term};
use std::collections::BTreeMap;
use unilock_model::Target;
use unilock_model::index::{FileKind, PackageSource, version_of};
use unilock_model::target::{DottedVersion, NoEnvironment, PRESETS, PythonVersion};

type Tree = DerivationTree<Pkg, CandidateSet, super::Unavailable>;
type Ext = External<Pkg, CandidateSet, super::Unavailable>;
type Terms = Map<Pkg, Term<CandidateSet>>;

/// The report of `tree`, followed by the platform reasons of the versions it rules out.
pub fn explain(tree: &Tree, provider: &Provider, target: &Target) -> String {
    let tree = &extras_as_asked(tree);
    let mut ranges = Vec::new();
    no_versions(tree, &mut ranges);
    let mut by_name: BTreeMap<PackageName, CandidateSet> = BTreeMap::new();
    for (pkg, range) in ranges {
        let Some(name) = pkg.name() else { continue };
        let entry = by_name
            .entry(name.clone())
            .or_insert_with(CandidateSet::empty);
        *entry = entry.union(&range);
    }
    let mut collapsed = tree.clone();
    collapsed.collapse_no_versions();
    let edges = provider.edges.borrow();
    let wording = Wording {
        edges: &edges,
        provider,
    };
    let mut text = crate::prose::report(&collapsed, &wording);
    let parts = TagParts::new(target);
    let mut notes = Vec::new();
    for (name, range) in by_name {
        match provider.project(&name) {
            Ok(Some(project)) if project.versions().next().is_none() => {
                notes.push(no_versions_listed(name.as_ref(), &project));
            }
            Ok(Some(project)) => {
                notes.extend(prereleases_left_out(provider, &name, &project, &range));
                let found = Found {
                    name: &name,
                    project: &project,
                    target,
                    parts: &parts,
                    source: provider.source(),
                };
                notes.extend(found.note(&range));
            }
            Ok(None) => {
                notes.push(format!("{name} is on none of the configured indexes"));
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

/// How many groups of versions left out for one reason are shown per package, newest first.
const GROUPS_SHOWN: usize = 2;
/// How many spans of versions a version set is shown as.
const SPANS_SHOWN: usize = 4;
/// How many presets are suggested.
const PRESETS_SHOWN: usize = 3;

/// Consecutive versions left out for the same reason.
struct Group {
    why: Why,
    newest: Version,
    oldest: Version,
}

impl Group {
    fn span(&self) -> String {
        if self.newest == self.oldest {
            self.newest.to_string()
        } else {
            format!("{}–{}", self.oldest, self.newest)
        }
    }
}

/// A project whose versions in a range cannot install on the target.
struct Found<'a> {
    name: &'a PackageName,
    project: &'a Project,
    target: &'a Target,
    parts: &'a TagParts,
    source: &'a dyn PackageSource,
}

impl Found<'_> {
    /// The groups of versions in `range` left out, newest first, each with its reason; then
    /// what would work instead. `None` when every version in the range installs.
    fn note(&self, range: &CandidateSet) -> Option<String> {
        let name = self.name;
        let mut groups: Vec<Group> = Vec::new();
        let mut open = false;
        // Yanked versions are passed over (they neither show nor split a group) unless the
        // range holds nothing else.
        let mut yanked: Option<Group> = None;
        let in_range = self
            .project
            .candidates()
            .rev()
            .filter(|(i, _)| range.contains(*i));
        for (_, v) in in_range {
            let Some(why) = why(self.project, v, self.target, self.parts) else {
                open = false;
                continue;
            };
            if why.reasons.iter().any(|r| r.kind == Kind::Yanked) {
                match &mut yanked {
                    Some(g) => g.oldest = v.clone(),
                    None => {
                        yanked = Some(Group {
                            why,
                            newest: v.clone(),
                            oldest: v.clone(),
                        })
                    }
                }
                continue;
            }
            let shown = groups.len();
            match groups.last_mut() {
                Some(g) if open && g.why.same(&why) => {
                    g.why.merge(why);
                    g.oldest = v.clone();
                }
                _ if shown == GROUPS_SHOWN => break,
                _ => {
                    groups.push(Group {
                        why,
                        newest: v.clone(),
                        oldest: v.clone(),
                    });
                    open = true;
                }
            }
        }
        if groups.is_empty() {
            groups.extend(yanked);
        }
        let newest = groups.first()?;
        let oldest = groups.last()?.oldest.clone();
        self.consulted(&oldest);
        let lines: Vec<String> = groups
            .iter()
            .map(|g| format!("{name} {}: {}", g.span(), g.why.render(self.target)))
            .collect();
        let mut text = lines.join("\n- ");
        let older = self
            .project
            .candidates()
            .filter(|(i, v)| range.contains(*i) && **v < oldest)
            .count();
        if older > 0 {
            text.push_str(&format!(
                "\n  ({older} older versions of {name} are not shown)"
            ));
        }
        let instead = self.instead(range, newest);
        if !instead.is_empty() {
            text.push_str(&format!("\n  what would work: {}", instead.join("; ")));
        }
        Some(text)
    }

    /// Tells the source that the explanation read `version` (a recording keeps it).
    fn consulted(&self, version: &Version) {
        self.source
            .consulted(self.name.as_ref(), &version.to_string());
    }

    /// A stable version that installs on the target (its files fit and it is not yanked).
    fn installs(&self, v: &Version) -> bool {
        !v.any_prerelease() && self.project.get(v).is_some_and(|f| f.usable() && !f.yanked)
    }

    /// What would work instead, computed: a version outside `range` that installs on the
    /// target, another Python the newest group's version has wheels for, or other targets
    /// (presets, a target attribute) its wheels fit.
    fn instead(&self, range: &CandidateSet, newest: &Group) -> Vec<String> {
        let name = self.name;
        let mut out = Vec::new();
        let listed: Vec<&Version> = self.project.versions().collect();
        let in_range = || {
            self.project
                .candidates()
                .filter(|(i, _)| range.contains(*i))
        };
        let lowest = in_range().next().map(|(_, v)| v);
        let highest = in_range().next_back().map(|(_, v)| v);
        let what = |v: &Version| match self.project.get(v) {
            Some(f) if !f.wheels.is_empty() => "wheels",
            _ => "a source distribution",
        };
        if let Some(lowest) = lowest
            && let Some(below) = listed
                .iter()
                .rev()
                .find(|v| **v < lowest && self.installs(v))
            && let Some(next) = listed.iter().find(|v| **v > *below)
        {
            self.consulted(below);
            out.push(format!(
                "{name}<{next} ({below} has {} for this target)",
                what(below)
            ));
        }
        if let Some(highest) = highest
            && let Some(above) = listed.iter().find(|v| **v > highest && self.installs(v))
        {
            self.consulted(above);
            out.push(format!(
                "{name}>={above} ({above} has {} for this target)",
                what(above)
            ));
        }
        let v = &newest.newest;
        if newest.why.is_python()
            && let Some(python) = self.other_python(v)
        {
            out.push(format!("{name} {v} has wheels for python={python}"));
        }
        if newest.why.is_platform() {
            let presets = self.other_presets(v);
            let attribute = self.other_attribute(newest, v);
            if !presets.is_empty() || attribute.is_some() {
                let mut fits = presets.join(", ");
                if let Some(a) = attribute {
                    fits = if fits.is_empty() {
                        a
                    } else {
                        format!("{fits} (or {a})")
                    };
                }
                out.push(format!("{name} {v} has wheels for {fits}"));
            }
        }
        out
    }

    /// Whether `version` installs on `target` (another target than the one resolved for).
    fn fits(&self, version: &Version, target: &Target) -> bool {
        let Some(files) = self.project.get(version) else {
            return false;
        };
        let list = &self.project.files.files;
        let ranking = TagRanking::new(target);
        let python = target
            .marker_environment()
            .python_full_version()
            .version
            .clone();
        files.all.iter().any(|&i| {
            let name = list.filename(i);
            !list.is_yanked(i)
                && list.requires_python(i).is_none_or(|rp| {
                    rp.parse::<VersionSpecifiers>()
                        .map_or(true, |s| s.contains(&python))
                })
                && match version_of(name) {
                    Some((_, FileKind::Wheel)) => {
                        self.project.formats().wheels && ranking.rank(name).is_some()
                    }
                    Some((_, FileKind::Sdist)) => self.project.formats().sdists,
                    _ => false,
                }
        })
    }

    /// The Python version nearest the target's that `version` installs with.
    fn other_python(&self, version: &Version) -> Option<String> {
        let have = self.target.python;
        let mut minors: Vec<u32> = (6..=15).filter(|m| *m != have.minor).collect();
        minors.sort_by_key(|m| (m.abs_diff(have.minor), *m));
        minors.into_iter().find_map(|minor| {
            let python = PythonVersion {
                major: have.major,
                minor,
                patch: None,
                free_threaded: have.free_threaded,
            };
            let other = self.target.with_python(python, "a suggestion");
            self.fits(version, &other).then(|| python.to_string())
        })
    }

    /// Presets (with the target's Python) that `version` installs on: those of the target's
    /// system and architecture first, the nearest libc or macOS version first.
    fn other_presets(&self, version: &Version) -> Vec<&'static str> {
        let here = (self.target.platform.os, self.target.platform.arch);
        let family = self.target.libc.as_ref().map(|l| l.family);
        let mut fitting: Vec<(bool, bool, Option<DottedVersion>, &'static str)> = PRESETS
            .iter()
            .filter(|p| self.target.preset.is_none_or(|t| t.name != p.name))
            .filter_map(|p| {
                let spec = format!("{},python={}", p.name, self.target.python);
                let other = Target::parse(&spec, &NoEnvironment).ok()?;
                self.fits(version, &other).then(|| {
                    let level = p
                        .libc
                        .map(|(_, v)| v)
                        .or(p.macos)
                        .and_then(|v| DottedVersion::parse(v, 3));
                    (
                        (p.os, p.arch) != here,
                        p.libc.map(|(f, _)| f) != family,
                        level,
                        p.name,
                    )
                })
            })
            .collect();
        fitting.sort();
        fitting
            .into_iter()
            .take(PRESETS_SHOWN)
            .map(|(_, _, _, n)| n)
            .collect()
    }

    /// The target with its glibc, musl or macOS version raised to what the group needs
    /// (`glibc=2.28`), when `version` installs there.
    fn other_attribute(&self, group: &Group, version: &Version) -> Option<String> {
        let reason = group.why.reasons.first()?;
        let key = match reason.kind {
            Kind::Glibc => "glibc",
            Kind::Musl => "musl",
            Kind::Macos => "macos",
            _ => return None,
        };
        let needed = &reason.details.iter().next_back()?.1;
        let attribute = format!("{key}={needed}");
        let spec = format!("{},{attribute}", self.target.spec());
        let other = Target::parse(&spec, &NoEnvironment).ok()?;
        self.fits(version, &other).then_some(attribute)
    }
}

/// Every (package, versions) the tree needs but found no usable version in.
fn no_versions(tree: &Tree, out: &mut Vec<(Pkg, CandidateSet)>) {
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

impl Wording<'_> {
    /// The versions of `pkg` in `range` as spans of listed versions (`0.24.0–0.29.2`), never
    /// as range syntax: of the versions that install on the target when the range holds some,
    /// else of every listed version in it.
    fn versions(&self, pkg: &Pkg, range: &CandidateSet) -> String {
        if *range == CandidateSet::full() {
            return String::new();
        }
        if range.is_empty() {
            return " (none of its listed versions matches every requirement and constraint on it)"
                .into();
        }
        let project = pkg
            .name()
            .and_then(|n| self.provider.project(n).ok().flatten());
        let Some(project) = project else {
            return String::new();
        };
        let installs = |v: &Version| project.get(v).is_some_and(|f| f.usable() && !f.yanked);
        let any_installs = project
            .candidates()
            .any(|(i, v)| range.contains(i) && installs(v));
        let universe = project
            .candidates()
            .filter(|(_, v)| !any_installs || installs(v));
        let mut spans: Vec<(&Version, &Version)> = Vec::new();
        let mut run: Option<(&Version, &Version)> = None;
        for (i, v) in universe {
            if range.contains(i) {
                run = Some(run.map_or((v, v), |(first, _)| (first, v)));
            } else if let Some(r) = run.take() {
                spans.push(r);
            }
        }
        spans.extend(run);
        if spans.is_empty() {
            return format!(" {}", beyond_listing(range, &project));
        }
        let shown: Vec<String> = spans
            .iter()
            .rev()
            .take(SPANS_SHOWN)
            .rev()
            .map(|(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}–{b}")
                }
            })
            .collect();
        let more = if spans.len() > SPANS_SHOWN {
            format!("… ({} more spans), ", spans.len() - SPANS_SHOWN)
        } else {
            String::new()
        };
        format!(" {more}{}", shown.join(", "))
    }

    /// `dep` as `pkg` at the versions `range` asked for it, when that is one known version.
    fn asked(&self, pkg: &Pkg, range: &CandidateSet, dep: &Pkg) -> Option<String> {
        let version = match pkg {
            Pkg::Root => super::provider::root_version(),
            _ => self
                .provider
                .version_of(pkg, range.as_singleton()?)
                .ok()??,
        };
        let text = self.edges.get(&(pkg.clone(), version))?.asked.get(dep)?;
        Some(if text.is_empty() {
            format!("{dep}")
        } else if text.starts_with('(') {
            format!("{dep} {text}")
        } else {
            format!("{dep}{text}")
        })
    }

    /// For a dependency no listed version satisfies: what the indexes do list.
    fn none_match(&self, dep: &Pkg, range: &CandidateSet) -> String {
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
                    self.versions(p, r)
                )
            }
            External::FromDependencyOf(Pkg::Root, pr, d, dr) => {
                let asked = self
                    .asked(&Pkg::Root, pr, d)
                    .unwrap_or_else(|| format!("{d}{}", self.versions(d, dr)));
                format!("the requirements ask for {asked}{}", self.none_match(d, dr))
            }
            External::FromDependencyOf(p, pr, d, dr) => {
                let asked = self
                    .asked(p, pr, d)
                    .unwrap_or_else(|| format!("{d}{}", self.versions(d, dr)));
                format!(
                    "{p}{} depends on {asked}{}",
                    self.versions(p, pr),
                    self.none_match(d, dr)
                )
            }
            External::Custom(p, r, why) => format!("{p}{} {why}", self.versions(p, r)),
        }
    }

    fn terms(&self, terms: &Terms) -> String {
        let list: Vec<_> = terms.iter().collect();
        match list.as_slice() {
            [] => "no set of versions works".into(),
            [(Pkg::Root, Term::Positive(_))] => "the requirements cannot be met".into(),
            [(p, Term::Positive(r))] => format!("{p}{} cannot be used", self.versions(p, r)),
            [(p, Term::Negative(r))] => format!("{p}{} is needed", self.versions(p, r)),
            // A derived dependency: its set is computed, not asked for as written, so it is
            // shown as the versions it holds.
            [(Pkg::Root, Term::Positive(_)), (d, Term::Negative(r))]
            | [(d, Term::Negative(r)), (Pkg::Root, Term::Positive(_))] => format!(
                "the requirements need {d}{}{}",
                self.versions(d, r),
                self.none_match(d, r)
            ),
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))]
            | [(p2, Term::Negative(r2)), (p1, Term::Positive(r1))] => self.external(
                &External::FromDependencyOf((*p1).clone(), r1.clone(), (*p2).clone(), r2.clone()),
            ),
            many => {
                let each: Vec<String> = many
                    .iter()
                    .map(|(p, t)| match t {
                        Term::Positive(r) => format!("{p}{}", self.versions(p, r)),
                        Term::Negative(r) => format!("not {p}{}", self.versions(p, r)),
                    })
                    .collect();
                format!("{} cannot be used together", each.join(", "))
            }
        }
    }
}

impl crate::prose::Wording<Pkg, CandidateSet, super::Unavailable> for Wording<'_> {
    fn say_external(&self, e: &Ext) -> String {
        self.external(e)
    }

    fn say_terms(&self, terms: &Terms) -> String {
        self.terms(terms)
    }
}

/// A set that holds no listed version, in version range syntax (`>2.0`): its runs lie past
/// the newest listed version, or between none.
fn beyond_listing(range: &CandidateSet, project: &Project) -> String {
    let runs: Vec<String> = range
        .runs()
        .map(|(first, end)| {
            let newest = project.versions().next_back();
            let lower = match project.version(first) {
                Some(v) if first > 0 => Some(format!(">={v}")),
                Some(_) => None,
                None => newest.map(|v| format!(">{v}")),
            };
            let upper = end
                .and_then(|e| project.version(e))
                .map(|v| format!("<{v}"));
            let both: Vec<String> = lower.into_iter().chain(upper).collect();
            if both.is_empty() {
                "*".to_string()
            } else {
                both.join(", ")
            }
        })
        .collect();
    runs.join(" | ")
}

/// Why a project whose page exists lists no version at all: the page has no files (or only
/// files of other projects, which the source left out with a warning), or none of its files is
/// a wheel or sdist.
/// The note for pre-releases of `name` in `range` that the pre-release mode leaves out
/// (`--prerelease disallow`, or `explicit` for a package the input names no pre-release of).
fn prereleases_left_out(
    provider: &Provider,
    name: &PackageName,
    project: &Project,
    range: &CandidateSet,
) -> Option<String> {
    if provider.prereleases(name) != super::prerelease::Policy::Disallow {
        return None;
    }
    let left_out: Vec<String> = project
        .candidates()
        .rev()
        .filter(|(i, v)| range.contains(*i) && v.any_prerelease())
        .map(|(_, v)| v)
        .filter(|v| project.get(v).is_some_and(|f| f.usable()))
        .take(SPANS_SHOWN)
        .map(ToString::to_string)
        .collect();
    if left_out.is_empty() {
        return None;
    }
    let mode = provider.request().prerelease;
    let why = match mode {
        super::PrereleaseMode::Explicit => {
            "--prerelease explicit takes pre-releases only of packages whose input requirements name one"
        }
        _ => "--prerelease disallow takes no pre-release",
    };
    Some(format!(
        "{name} {} {} a pre-release, and {why}; --prerelease if-necessary (the default) or allow would take it",
        left_out.join(", "),
        if left_out.len() == 1 {
            "is"
        } else {
            "are each"
        }
    ))
}

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
