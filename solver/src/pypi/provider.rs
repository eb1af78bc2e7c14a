//! The PubGrub [`DependencyProvider`] for PyPI packages on one target.
//!
//! Encoding (as uv does it): a package is [`Pkg::Dist`]; each extra a package is asked for
//! with is its own package [`Pkg::Extra`], which depends on the same version of the base
//! package and of a second virtual package, [`Pkg::ExtraRequirements`], that holds the
//! requirements under that extra. A requirement with extras is its extras alone (the package
//! comes through them), and dependencies are listed in the order the metadata gives them. Only the latter needs the version's metadata, so a version
//! of the extra whose base version is already ruled out (`kombu[redis]` 2.5.16 when something
//! asks for `kombu>=5.6`) is rejected by PubGrub before its metadata is fetched or its sdist
//! built. Markers are evaluated against the target while dependencies are listed, so only
//! what installs on the target enters the solve.
//! A version of the solve is a candidate: the position of a listed version in the project's
//! listing, oldest first (the root's one version is 0). Version sets are [`CandidateSet`]s,
//! runs of positions: a specifier's set is the union of the runs of listed versions it
//! contains, so PEP 440 semantics (local versions, `~=`, `.*`) come from `pep440_rs` itself
//! rather than from a translation into intervals; and one version is the run up to the next
//! listed one, so that the dependencies PubGrub merges over many consecutive versions stay one
//! run (see [`crate::sets`]). Everything outside the PubGrub interface (choosing, listing
//! dependencies, the recorded edges) speaks of [`Version`]s.

use super::candidates::{Filter, Project, VersionFiles};
use super::prerelease::Policy;
use super::search::{Priorities, Priority};
use super::{Request, Unavailable};
use crate::sets::CandidateSet;
use crate::wheel::TagRanking;
use indexmap::IndexMap;
use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, MarkerEnvironment, PackageName, VersionOrUrl};
use pubgrub::{Dependencies, DependencyProvider};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;
use unilock_model::index::{CoreMetadata, DirectFile, DistFile, Metadata, PackageSource};
use unilock_model::{Diagnostic, ErrorKind};

/// A package of the solve.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pkg {
    /// The input requirements.
    Root,
    Dist(PackageName),
    Extra(PackageName, ExtraName),
    /// The requirements under one extra of a package, at a version of the package: what
    /// [`Pkg::Extra`] adds beyond the package itself. Explanations show it as the extra.
    ExtraRequirements(PackageName, ExtraName),
}

impl Pkg {
    pub fn name(&self) -> Option<&PackageName> {
        match self {
            Pkg::Root => None,
            Pkg::Dist(n) | Pkg::Extra(n, _) | Pkg::ExtraRequirements(n, _) => Some(n),
        }
    }
}

impl fmt::Display for Pkg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pkg::Root => f.write_str("the requirements"),
            Pkg::Dist(n) => write!(f, "{n}"),
            Pkg::Extra(n, e) | Pkg::ExtraRequirements(n, e) => write!(f, "{n}[{e}]"),
        }
    }
}

/// What the dependencies on one package ask of its versions: every specifier set that applies
/// (the requirements' own and the input's constraints), all of which must hold; empty for any
/// version. The PyPI solve turns it into a set of listed versions, the joint solve into a set
/// of candidate indices.
pub type Wanted = Vec<VersionSpecifiers>;

/// The dependencies of one chosen package version on the target.
#[derive(Debug, Clone, Default)]
pub struct Edges {
    /// Each dependency that applies on the target: the package, and the requirement as the
    /// metadata states it (markers and extras kept; an `--override` in its place).
    pub dependencies: Vec<(PackageName, String)>,
    /// How each dependency was asked for, as written (`>=2`, with any constraint added), for
    /// explanations: by package, so that `base[x]>=2` and `base<2` from one parent stay apart.
    pub asked: HashMap<Pkg, String>,
}

pub struct Provider<'a> {
    source: &'a dyn PackageSource,
    request: &'a Request,
    env: MarkerEnvironment,
    /// The target solved for.
    pub(crate) target: unilock_model::Target,
    /// The target's tags and Python, and the binary policy, shared by every project.
    filter: Arc<Filter>,
    projects: RefCell<HashMap<PackageName, Option<Rc<Project>>>>,
    pub(crate) metadata: RefCell<HashMap<(PackageName, Version), Arc<CoreMetadata>>>,
    /// The edges recorded for every (package, version) whose dependencies were listed.
    pub(crate) edges: RefCell<HashMap<(Pkg, Version), Edges>>,
    /// Versions left out because only a build would tell their dependencies.
    pub(super) skipped: RefCell<std::collections::BTreeSet<String>>,
    /// The order packages were first seen in, for tie-breaking priorities.
    seen: RefCell<HashMap<Pkg, u32>>,
    /// The order package names were first seen in (a package and its extras share one).
    names: RefCell<HashMap<PackageName, u32>>,
    /// Packages the input pins with `==`/`===`: a yanked version may be chosen for them.
    exact: RefCell<HashSet<PackageName>>,
    /// Packages the input's requirements, constraints or overrides name a pre-release of
    /// (for `--prerelease explicit`).
    explicit_pre: HashSet<PackageName>,
    constraints: HashMap<PackageName, Vec<VersionSpecifiers>>,
    /// The overrides that apply on the target, by package: together they replace every
    /// requirement on it (uv's meaning: `a>=1` and `a<3` both hold).
    overrides: HashMap<PackageName, Vec<pep508_rs::Requirement>>,
    /// Packages the input requires by URL (`name @ URL`): the URL as written.
    pub(crate) direct: HashMap<PackageName, String>,
    /// The files those URLs name, read once.
    direct_files: RefCell<HashMap<PackageName, DirectFile>>,
}

/// The version that stands for the root package.
pub fn root_version() -> Version {
    Version::new([0])
}

/// The candidate that stands for the root package's one version.
pub const ROOT_CANDIDATE: u32 = 0;

impl<'a> Provider<'a> {
    pub fn new(
        source: &'a dyn PackageSource,
        request: &'a Request,
        target: &unilock_model::Target,
        direct: HashMap<PackageName, String>,
    ) -> Self {
        let env = target.marker_environment();
        let python = env.python_full_version().version.clone();
        let mut explicit_pre = HashSet::new();
        let mut constraints: HashMap<PackageName, Vec<VersionSpecifiers>> = HashMap::new();
        let all = request
            .requirements
            .iter()
            .map(|(r, _)| r)
            .chain(&request.constraints)
            .chain(&request.overrides);
        for r in all {
            if let Some(VersionOrUrl::VersionSpecifier(specs)) = &r.version_or_url
                && specs.iter().any(super::prerelease::opts_in)
            {
                explicit_pre.insert(r.name.clone());
            }
        }
        for c in &request.constraints {
            if let Some(VersionOrUrl::VersionSpecifier(specs)) = &c.version_or_url
                && c.marker.evaluate(&env, &[])
            {
                constraints
                    .entry(c.name.clone())
                    .or_default()
                    .push(specs.clone());
            }
        }
        let mut overrides: HashMap<PackageName, Vec<pep508_rs::Requirement>> = HashMap::new();
        for o in request
            .overrides
            .iter()
            .filter(|o| o.marker.evaluate(&env, &[]))
        {
            overrides.entry(o.name.clone()).or_default().push(o.clone());
        }
        Provider {
            source,
            request,
            filter: Arc::new(Filter {
                ranking: TagRanking::new(target),
                python,
                binary: request.binary.clone(),
            }),
            env,
            target: target.clone(),
            projects: RefCell::default(),
            metadata: RefCell::default(),
            edges: RefCell::default(),
            skipped: RefCell::default(),
            exact: RefCell::default(),
            seen: RefCell::default(),
            names: RefCell::default(),
            explicit_pre,
            constraints,
            overrides,
            direct,
            direct_files: RefCell::default(),
        }
    }

    /// Where packages come from.
    pub fn source(&self) -> &dyn PackageSource {
        self.source
    }

    /// The request being solved.
    pub fn request(&self) -> &Request {
        self.request
    }

    /// The file a package required by URL comes from, read once.
    fn direct_file(&self, name: &PackageName) -> Result<Option<DirectFile>, Diagnostic> {
        let Some(url) = self.direct.get(name) else {
            return Ok(None);
        };
        if let Some(d) = self.direct_files.borrow().get(name) {
            return Ok(Some(d.clone()));
        }
        let d = self.source.direct(name.as_ref(), url)?;
        self.direct_files
            .borrow_mut()
            .insert(name.clone(), d.clone());
        Ok(Some(d))
    }

    /// The project `name` on the target, fetched once; `None` when no index has it.
    pub fn project(&self, name: &PackageName) -> Result<Option<Rc<Project>>, Diagnostic> {
        if let Some(p) = self.projects.borrow().get(name) {
            return Ok(p.clone());
        }
        let files = match self.direct_file(name)? {
            // A package required by URL has that one file, whatever the indexes list.
            Some(d) => Some(Arc::new(unilock_model::index::ProjectFiles {
                name: name.to_string(),
                index: d.file.url.clone(),
                files: vec![d.file].into(),
            })),
            None => self.source.project(name.as_ref())?,
        };
        let project = files.map(|f| Rc::new(Project::new(f, self.filter.clone())));
        self.projects
            .borrow_mut()
            .insert(name.clone(), project.clone());
        Ok(project)
    }

    /// The core metadata of the version chosen for `name`, cached.
    pub fn core_metadata(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<Result<Arc<CoreMetadata>, Unavailable>, Diagnostic> {
        if let Some(m) = self.metadata.borrow().get(&(name.clone(), version.clone())) {
            return Ok(Ok(m.clone()));
        }
        let Some(project) = self.project(name)? else {
            return Ok(Err(Unavailable::NotFound));
        };
        let Some(files) = project.get(version) else {
            return Ok(Err(Unavailable::NoFile));
        };
        let Some(mut file) = files.best().and_then(|best| project.files.files.get(best)) else {
            return Ok(Err(Unavailable::NoFile));
        };
        let metadata = match self.direct_file(name)? {
            Some(d) => d.metadata,
            None => match self.source.metadata(&project.files, &file) {
                // A wheel for another target stands in for the sdist: when its metadata
                // cannot be had (an index snapshot that did not record it), the sdist's is read.
                Err(_) if files.best() == files.stand_in => {
                    let Some(sdist) = files
                        .sdists
                        .first()
                        .and_then(|&i| project.files.files.get(i))
                    else {
                        return Ok(Err(Unavailable::NoFile));
                    };
                    file = sdist;
                    self.source.metadata(&project.files, &file)?
                }
                other => other?,
            },
        };
        let metadata = match metadata {
            Metadata::Known(m) => m,
            Metadata::NeedsBuild(why) => {
                self.skipped.borrow_mut().insert(format!(
                    "{name} {version} is skipped: its only file for the target is the source distribution {}, and {why}",
                    file.filename
                ));
                return Ok(Err(Unavailable::NeedsBuild {
                    file: file.filename.clone(),
                    why,
                }));
            }
        };
        if let Some(rp) = &metadata.requires_python
            && let Ok(specs) = rp.parse::<VersionSpecifiers>()
            && !specs.contains(&self.filter.python)
        {
            return Ok(Err(Unavailable::RequiresPython {
                requires: rp.clone(),
                python: self.filter.python.to_string(),
            }));
        }
        self.metadata
            .borrow_mut()
            .insert((name.clone(), version.clone()), metadata.clone());
        Ok(Ok(metadata))
    }

    /// Asks the source to fetch ahead the metadata of up to `count` versions of `package`
    /// below `candidate` that `range` still allows, newest first: the versions a walk down
    /// the package's history reads next.
    pub(crate) fn prefetch_below(
        &self,
        package: &Pkg,
        candidate: u32,
        range: &CandidateSet,
        count: usize,
    ) -> Result<(), Diagnostic> {
        let Some(name) = package.name() else {
            return Ok(());
        };
        if self.direct.contains_key(name) {
            return Ok(());
        }
        let Some(project) = self.project(name)? else {
            return Ok(());
        };
        let files: Vec<DistFile> = (0..candidate)
            .rev()
            .filter(|&c| range.contains(c))
            .filter_map(|c| project.version(c))
            .filter_map(|v| project.get(v)?.best())
            .filter_map(|i| project.files.files.get(i).map(std::borrow::Cow::into_owned))
            .take(count)
            .collect();
        if !files.is_empty() {
            self.source.prefetch_metadata(&project.files, &files);
        }
        Ok(())
    }

    /// The order `pkg`'s name and `pkg` itself were first seen in (`u32::MAX` if never).
    pub(crate) fn order(&self, pkg: &Pkg) -> (u32, u32) {
        let order = self.seen.borrow().get(pkg).copied().unwrap_or(u32::MAX);
        let name_order = pkg
            .name()
            .and_then(|n| self.names.borrow().get(n).copied())
            .unwrap_or(u32::MAX);
        (name_order, order)
    }

    fn see(&self, pkg: &Pkg) {
        let mut seen = self.seen.borrow_mut();
        let n = seen.len() as u32;
        seen.entry(pkg.clone()).or_insert(n);
        if let Some(name) = pkg.name() {
            let mut names = self.names.borrow_mut();
            let n = names.len() as u32;
            names.entry(name.clone()).or_insert(n);
        }
    }

    /// What a requirement asks of its package's versions: its own specifiers (none for a
    /// requirement by URL, which must be one the input makes) and the input's constraints.
    fn wanted(
        &self,
        name: &PackageName,
        version_or_url: &Option<VersionOrUrl>,
    ) -> Result<Wanted, Diagnostic> {
        let mut specs = match version_or_url {
            None => Vec::new(),
            Some(VersionOrUrl::VersionSpecifier(s)) => vec![s.clone()],
            Some(VersionOrUrl::Url(url)) => {
                // Every requirement by URL must be one the input makes (as pip and uv ask), so
                // that no dependency can swap in a file of its choosing.
                let url = url.to_url().to_string();
                if self.direct.get(name) != Some(&url) {
                    let input = match self.direct.get(name) {
                        Some(other) => format!("the input requires it from {}", redact(other)),
                        None => "the input does not require it by URL".to_string(),
                    };
                    return Err(Diagnostic::new(
                        ErrorKind::Usage,
                        format!(
                            "a dependency requires {name} @ {}, but {input}",
                            redact(&url)
                        ),
                    )
                    .note(format!(
                        "add `{name} @ URL` to the input requirements to choose the file"
                    )));
                }
                Vec::new()
            }
        };
        specs.extend(self.constraints.get(name).cloned().unwrap_or_default());
        Ok(specs)
    }

    /// The version set `wanted` allows, over the versions the project of `name` lists.
    fn range(&self, name: &PackageName, wanted: &Wanted) -> Result<CandidateSet, Diagnostic> {
        let Some(project) = self.project(name)? else {
            return Ok(CandidateSet::full());
        };
        let mut set = CandidateSet::full();
        for s in wanted {
            set = set.intersection(&project.matching(s));
        }
        Ok(set)
    }

    /// Adds the requirements that apply on the target (with `extras` active) to `deps`.
    fn add_requirements<'r>(
        &self,
        requirements: impl IntoIterator<Item = &'r pep508_rs::Requirement>,
        extras: &[ExtraName],
        skip_without_extras: bool,
        deps: &mut IndexMap<Pkg, Wanted>,
        edges: &mut Edges,
    ) -> Result<(), Diagnostic> {
        let mut chosen = Vec::new();
        for r in requirements {
            if !r.marker.evaluate(&self.env, extras) {
                continue;
            }
            if skip_without_extras && r.marker.evaluate(&self.env, &[]) {
                continue;
            }
            self.source.prefetch(r.name.as_ref());
            match self.overrides.get(&r.name) {
                Some(overrides) => chosen.extend(overrides),
                None => chosen.push(r),
            }
        }
        for r in chosen {
            let wanted = self.wanted(&r.name, &r.version_or_url)?;
            let mut asked = match &r.version_or_url {
                Some(VersionOrUrl::VersionSpecifier(s)) => s.to_string(),
                Some(VersionOrUrl::Url(u)) => format!("@ {u}"),
                None => String::new(),
            };
            if let Some(constraints) = self.constraints.get(&r.name) {
                let list: Vec<String> = constraints.iter().map(ToString::to_string).collect();
                asked = format!("{asked} (constrained to {})", list.join(", "))
                    .trim_start()
                    .to_string();
            }
            let mut add = |pkg: Pkg| {
                self.see(&pkg);
                deps.entry(pkg.clone())
                    .or_default()
                    .extend(wanted.iter().cloned());
                edges.asked.insert(pkg, asked.clone());
            };
            // As in uv: a requirement with extras is its extras alone, each of which depends on
            // the package at its own version.
            if r.extras.is_empty() {
                add(Pkg::Dist(r.name.clone()));
            }
            for e in &r.extras {
                add(Pkg::Extra(r.name.clone(), e.clone()));
                // The package is bound by its extra's range from here (see the search), and
                // ranked in the order uv registers it.
                self.see(&Pkg::Dist(r.name.clone()));
            }
            edges.dependencies.push((r.name.clone(), r.to_string()));
        }
        Ok(())
    }

    /// The version candidate `candidate` of `package` stands for: a listed version, or the
    /// root's own. `None` when the project lists no such position.
    pub(crate) fn version_of(
        &self,
        package: &Pkg,
        candidate: u32,
    ) -> Result<Option<Version>, Diagnostic> {
        let Some(name) = package.name() else {
            return Ok(Some(root_version()));
        };
        Ok(self
            .project(name)?
            .and_then(|p| p.version(candidate).cloned()))
    }

    /// How the pre-releases of `name` are treated (see [`super::prerelease`]).
    pub(crate) fn prereleases(&self, name: &PackageName) -> Policy {
        self.request
            .prerelease
            .policy(self.explicit_pre.contains(name))
    }
}

impl Provider<'_> {
    /// The version of `name` to try among those `contains` allows: the preferred one (an
    /// existing lock's pin) when it is usable, else the newest usable stable version, else
    /// (under `if-necessary`) the newest usable pre-release; under `allow` the newest usable
    /// version, under `disallow` never a pre-release (see [`super::prerelease`]). A yanked
    /// version only for a requirement pinning it with `==`. Under `--prefer-binary`, within
    /// each of those the newest version with a wheel for the target comes before any version
    /// that only an sdist installs.
    pub fn choose(
        &self,
        name: &PackageName,
        contains: &dyn Fn(&Version) -> bool,
    ) -> Result<Option<Version>, Diagnostic> {
        let Some(project) = self.project(name)? else {
            return Ok(None);
        };
        // pip and uv: a yanked version only for a requirement that pins it with `==`.
        let exact = self.exact.borrow().contains(name);
        let policy = self.prereleases(name);
        let usable = |(v, f): &(&Version, &VersionFiles)| {
            contains(v)
                && f.usable()
                && (!f.yanked || exact)
                && (policy != Policy::Disallow || !v.any_prerelease())
        };
        if let Some(preferred) = self.request.preferences.get(name)
            && let Some(files) = project.get(preferred)
            && usable(&(preferred, files))
        {
            return Ok(Some(preferred.clone()));
        }
        // Versions outside the set are passed over before their files are looked at.
        let candidates = || {
            project
                .versions()
                .rev()
                .filter(|v| contains(v))
                .filter_map(|v| Some((v, project.get(v)?)))
                .filter(usable)
        };
        let prefer_binary = self.filter.binary.prefer_binary;
        let wheel = |(_, f): &(&Version, &VersionFiles)| !f.wheels.is_empty();
        let stable = || candidates().filter(|(v, _)| !v.any_prerelease());
        let stable = || {
            prefer_binary
                .then(|| stable().find(wheel))
                .flatten()
                .or_else(|| stable().next())
                .map(|(v, _)| v.clone())
        };
        // Every usable version (pre-releases of a disallowing policy are not usable).
        let any = || {
            prefer_binary
                .then(|| candidates().find(wheel))
                .flatten()
                .or_else(|| candidates().next())
                .map(|(v, _)| v.clone())
        };
        Ok(match policy {
            Policy::Allow => any(),
            // Pre-releases only when no stable version in the range is left (uv's default).
            Policy::IfNecessary | Policy::Disallow => stable().or_else(any),
        })
    }

    /// The dependencies of `package` at `version` that apply on the target, each with what it
    /// asks ([`Wanted`]), recorded in [`Provider::edges`]; for an extra (or the requirements
    /// under it) the requirements under the extra, its dependency on its own package at the
    /// same version being left to the caller. `Err` when the version cannot be used.
    pub fn listed(
        &self,
        package: &Pkg,
        version: &Version,
    ) -> Result<Result<IndexMap<Pkg, Wanted>, Unavailable>, Diagnostic> {
        let mut deps = IndexMap::new();
        let mut edges = Edges::default();
        match package {
            Pkg::Root => {
                let reqs: Vec<_> = self.request.requirements.iter().map(|(r, _)| r).collect();
                for r in &reqs {
                    self.source.prefetch(r.name.as_ref());
                    // As uv and PEP 592: a yanked version only for a package the input itself
                    // pins with `==`/`===` (a requirement, its override or a constraint), never
                    // because some dependency pins it.
                    let forms: Vec<&pep508_rs::Requirement> = match self.overrides.get(&r.name) {
                        Some(overrides) => overrides.iter().collect(),
                        None => vec![*r],
                    };
                    let pinned = forms.iter().any(|f| match &f.version_or_url {
                        Some(VersionOrUrl::VersionSpecifier(specs)) => specs.iter().any(is_exact),
                        _ => false,
                    });
                    let constrained = self
                        .constraints
                        .get(&r.name)
                        .is_some_and(|c| c.iter().flat_map(|s| s.iter()).any(is_exact));
                    if pinned || constrained {
                        self.exact.borrow_mut().insert(r.name.clone());
                    }
                }
                self.add_requirements(reqs, &[], false, &mut deps, &mut edges)?;
            }
            Pkg::Dist(name) | Pkg::Extra(name, _) | Pkg::ExtraRequirements(name, _) => {
                let metadata = match self.core_metadata(name, version)? {
                    Ok(m) => m,
                    Err(why) => return Ok(Err(why)),
                };
                let mut requirements = Vec::new();
                for text in &metadata.requires_dist {
                    match unilock_model::requirement::parse_requirement(text, None) {
                        Ok(r) => requirements.push(r),
                        Err(e) => {
                            return Ok(Err(Unavailable::BadMetadata(format!(
                                "`Requires-Dist: {text}` is not valid PEP 508: {e}"
                            ))));
                        }
                    }
                }
                // A package that depends on itself (through an extra) adds nothing new.
                requirements.retain(|r| &r.name != name || !r.extras.is_empty());
                match package {
                    Pkg::Extra(_, extra) | Pkg::ExtraRequirements(_, extra) => {
                        let extras = std::slice::from_ref(extra);
                        self.add_requirements(&requirements, extras, true, &mut deps, &mut edges)?;
                    }
                    _ => {
                        requirements.retain(|r| &r.name != name);
                        self.add_requirements(&requirements, &[], false, &mut deps, &mut edges)?;
                    }
                }
            }
        }
        // The requirements under an extra are the extra's edges (what the lock and the
        // explanations show).
        let key = match package {
            Pkg::ExtraRequirements(name, extra) => Pkg::Extra(name.clone(), extra.clone()),
            other => other.clone(),
        };
        self.edges
            .borrow_mut()
            .insert((key, version.clone()), edges);
        Ok(Ok(deps))
    }
}

/// A URL without its user info (credentials), for messages.
fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some(at) = rest.find('@')
        && !rest[..at].contains('/')
    {
        return format!("{scheme}://****@{}", &rest[at + 1..]);
    }
    url.to_string()
}

/// Whether a specifier pins one version (`==1.0`, `===1.0`).
fn is_exact(s: &pep440_rs::VersionSpecifier) -> bool {
    matches!(
        s.operator(),
        pep440_rs::Operator::Equal | pep440_rs::Operator::ExactEqual
    )
}

impl Provider<'_> {
    /// The dependencies of `package` at `candidate` on the target, in the order its metadata
    /// lists them (the order uv hands them to PubGrub), or why the version cannot be used.
    pub(crate) fn dependencies(
        &self,
        package: &Pkg,
        candidate: u32,
    ) -> Result<Result<Vec<(Pkg, CandidateSet)>, Unavailable>, Diagnostic> {
        if let Pkg::Extra(name, extra) = package {
            // Known without the metadata: a version whose base version is ruled out is
            // rejected before the requirements under the extra are read. The extra, its
            // package and its requirements share the package's listing, so one candidate.
            let dist = Pkg::Dist(name.clone());
            let requirements = Pkg::ExtraRequirements(name.clone(), extra.clone());
            self.see(&dist);
            self.see(&requirements);
            let exact = CandidateSet::singleton(candidate);
            return Ok(Ok(vec![(dist, exact.clone()), (requirements, exact)]));
        }
        let Some(version) = self.version_of(package, candidate)? else {
            return Ok(Err(Unavailable::NotFound));
        };
        let listed = match self.listed(package, &version)? {
            Ok(l) => l,
            Err(why) => return Ok(Err(why)),
        };
        let mut deps = Vec::with_capacity(listed.len());
        for (pkg, wanted) in listed {
            let Some(name) = pkg.name() else { continue };
            let range = self.range(name, &wanted)?;
            deps.push((pkg, range));
        }
        Ok(Ok(deps))
    }
}

impl DependencyProvider for Provider<'_> {
    type P = Pkg;
    type V = u32;
    type VS = CandidateSet;
    type M = Unavailable;
    type Err = Diagnostic;
    type Priority = Priority;

    /// The priority before any conflict (the PyPI solve runs its own search, see
    /// [`super::search`], which ranks names by their conflicts).
    fn prioritize(
        &self,
        package: &Pkg,
        _: &CandidateSet,
        _: &pubgrub::PackageResolutionStatistics,
    ) -> Priority {
        Priorities::default().get(self, package)
    }

    fn choose_version(
        &self,
        package: &Pkg,
        range: &CandidateSet,
    ) -> Result<Option<u32>, Diagnostic> {
        let Some(name) = package.name() else {
            return Ok(Some(ROOT_CANDIDATE));
        };
        let Some(project) = self.project(name)? else {
            return Ok(None);
        };
        let contains = |v: &Version| project.position(v).is_some_and(|i| range.contains(i));
        Ok(self
            .choose(name, &contains)?
            .and_then(|v| project.position(&v)))
    }

    fn get_dependencies(
        &self,
        package: &Pkg,
        candidate: &u32,
    ) -> Result<Dependencies<Pkg, CandidateSet, Unavailable>, Diagnostic> {
        Ok(match self.dependencies(package, *candidate)? {
            Ok(list) => Dependencies::Available(list.into_iter().collect()),
            Err(why) => Dependencies::Unavailable(why),
        })
    }
}
