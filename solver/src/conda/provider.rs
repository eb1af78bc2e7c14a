//! The PubGrub [`DependencyProvider`] of the conda solve on one target.
//!
//! Packages are [`Pkg`]s; a version is a candidate index (see [`super::candidates`]); a
//! version set is a `CandidateSet` of indices. A build's `depends` become dependencies on the
//! builds each spec matches; its `constrains` become dependencies on the matching builds *or*
//! [`ABSENT`], so they bind only when something else installs the package. Names starting
//! with `__` are virtual packages: their one candidate is the target's.

use super::candidates::{ABSENT, Candidate, Candidates};
use super::{CondaRequest, Unusable};
use crate::sets::CandidateSet;
use pubgrub::{Dependencies, DependencyProvider};
use rattler_conda_types::{
    GenericVirtualPackage, MatchSpec, MatchSpecCondition, Matches, PackageName, PackageNameMatcher,
    ParseMatchSpecOptions, Version,
};
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::rc::Rc;
use std::str::FromStr;
use unilock_model::channel::CondaSource;
use unilock_model::{Diagnostic, ErrorKind, Target};

/// A package of the conda solve. The joint solve's own `Pkg` has the same conda variants beside
/// PyPI distributions and their extras, with the same candidate-index versions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pkg {
    /// The input: the environment's specs and the target's Python.
    Root,
    /// A conda package (a real one or a virtual `__name`), by its normalised name.
    Conda(String),
}

impl fmt::Display for Pkg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pkg::Root => f.write_str("the environment"),
            Pkg::Conda(n) => f.write_str(n),
        }
    }
}

/// One dependency of a chosen candidate, as its record (or the input) writes it.
#[derive(Debug, Clone)]
pub struct Edge {
    pub name: String,
    /// The MatchSpec as written.
    pub spec: String,
    /// A `constrains` entry rather than a `depends` one.
    pub constrains: bool,
    /// Where the input wrote it (`environment.yml:5:5`, `target linux-64,python=3.11`); empty
    /// for a record's own dependencies.
    pub origin: String,
}

/// The file URLs of some builds.
type Files = Rc<HashSet<String>>;

pub struct Provider<'a> {
    source: &'a dyn CondaSource,
    request: &'a CondaRequest,
    pub(super) target: &'a Target,
    subdir: &'static str,
    virtuals: HashMap<String, GenericVirtualPackage>,
    /// Channels the input's `channel::name` specs name, per package name: their builds join
    /// the candidates whatever the channel priority says.
    root_channels: HashMap<String, Vec<String>>,
    packages: RefCell<HashMap<String, Rc<Candidates>>>,
    /// The file URLs of one channel's builds of one name, for `channel::name` specs.
    channel_files: RefCell<HashMap<(String, String), Files>>,
    /// The dependencies recorded for every (package, candidate) whose dependencies were listed.
    pub(crate) edges: RefCell<HashMap<(Pkg, u32), Vec<Edge>>>,
    /// The order packages were first seen in, for tie-breaking priorities.
    seen: RefCell<HashMap<Pkg, u32>>,
    /// Every MatchSpec text read, parsed once (builds share most of their dependency texts).
    parsed: RefCell<HashMap<String, Result<Rc<MatchSpec>, String>>>,
    /// The candidates each (name, MatchSpec text) selects, computed once.
    sets: RefCell<HashMap<(String, String), CandidateSet>>,
}

/// Parses a MatchSpec as conda reads repodata and environment files (leniently).
pub fn parse_spec(text: &str) -> Result<MatchSpec, String> {
    MatchSpec::from_str(text, ParseMatchSpecOptions::lenient()).map_err(|e| e.to_string())
}

/// The one exact name a spec names, if it names one.
pub fn exact_name(spec: &MatchSpec) -> Option<String> {
    match &spec.name {
        PackageNameMatcher::Exact(n) => Some(n.as_normalized().to_string()),
        _ => None,
    }
}

impl<'a> Provider<'a> {
    pub fn new(source: &'a dyn CondaSource, target: &'a Target, request: &'a CondaRequest) -> Self {
        let virtuals = target
            .virtual_packages()
            .into_iter()
            .filter_map(|v| {
                let version = Version::from_str(&v.version).ok()?;
                Some((
                    v.name.clone(),
                    GenericVirtualPackage {
                        name: PackageName::new_unchecked(v.name),
                        version,
                        build_string: rattler_conda_types::package::BuildString::new_unchecked(
                            v.build,
                        ),
                    },
                ))
            })
            .collect();
        let mut root_channels: HashMap<String, Vec<String>> = HashMap::new();
        for (spec, _) in &request.specs {
            if let (Some(name), Some(channel)) = (exact_name(spec), &spec.channel) {
                let list = root_channels.entry(name).or_default();
                let channel = channel.name().to_string();
                if !list.contains(&channel) {
                    list.push(channel);
                }
            }
        }
        Provider {
            source,
            request,
            target,
            subdir: target.platform.conda_subdir(),
            virtuals,
            root_channels,
            packages: RefCell::default(),
            channel_files: RefCell::default(),
            edges: RefCell::default(),
            seen: RefCell::default(),
            parsed: RefCell::default(),
            sets: RefCell::default(),
        }
    }

    /// The candidates of `name`, read once.
    pub fn candidates(&self, name: &str) -> Result<Rc<Candidates>, Diagnostic> {
        if let Some(c) = self.packages.borrow().get(name) {
            return Ok(c.clone());
        }
        let candidates = if name.starts_with("__") {
            Candidates::virtual_package(self.virtuals.get(name).cloned())
        } else {
            let mut records = self.source.records(self.subdir, name)?.as_ref().clone();
            for channel in self.root_channels.get(name).into_iter().flatten() {
                records.extend(
                    self.source
                        .records_in(channel, self.subdir, name)?
                        .iter()
                        .cloned(),
                );
            }
            Candidates::builds(records)
        };
        let candidates = Rc::new(candidates);
        self.packages
            .borrow_mut()
            .insert(name.to_string(), candidates.clone());
        Ok(candidates)
    }

    /// Whether the channels have a build of python that the target's Python allows.
    pub fn has_python(&self) -> Result<bool, Diagnostic> {
        let Some(spec) = target_python(self.target) else {
            return Ok(true);
        };
        let spec = parse_spec(&spec).map_err(Diagnostic::invalid)?;
        Ok(!self.matching("python", &spec)?.is_empty())
    }

    /// The short names of the run's channels, in priority order.
    pub fn channel_names(&self) -> Vec<String> {
        self.source.channel_names()
    }

    /// The candidates `spec` selects among those of `name`.
    pub fn matching(&self, name: &str, spec: &MatchSpec) -> Result<CandidateSet, Diagnostic> {
        let candidates = self.candidates(name)?;
        let only = match &spec.channel {
            Some(channel) if !candidates.is_virtual => {
                let key = (channel.name().to_string(), name.to_string());
                let cached = self.channel_files.borrow().get(&key).cloned();
                let files = match cached {
                    Some(f) => f,
                    None => {
                        let records = self.source.records_in(&key.0, self.subdir, name)?;
                        let files: Rc<HashSet<String>> =
                            Rc::new(records.iter().map(|r| r.record.url.to_string()).collect());
                        self.channel_files.borrow_mut().insert(key, files.clone());
                        files
                    }
                };
                Some(files)
            }
            _ => None,
        };
        Ok(candidates.matching(spec, only.as_deref()))
    }

    /// `text` parsed as a MatchSpec, once.
    fn parse(&self, text: &str) -> Result<Rc<MatchSpec>, String> {
        if let Some(p) = self.parsed.borrow().get(text) {
            return p.clone();
        }
        let p = parse_spec(text).map(Rc::new);
        self.parsed.borrow_mut().insert(text.to_string(), p.clone());
        p
    }

    /// The candidates of `name` the MatchSpec `text` selects, once per (name, text).
    fn set_of(&self, name: &str, text: &str) -> Result<Result<CandidateSet, Unusable>, Diagnostic> {
        let key = (name.to_string(), text.to_string());
        if let Some(set) = self.sets.borrow().get(&key) {
            return Ok(Ok(set.clone()));
        }
        let spec = match self.parse(text) {
            Ok(s) => s,
            Err(why) => {
                return Ok(Err(Unusable::BadSpec {
                    spec: text.to_string(),
                    why,
                }));
            }
        };
        let set = self.matching(name, &spec)?;
        self.sets.borrow_mut().insert(key, set.clone());
        Ok(Ok(set))
    }

    fn see(&self, pkg: &Pkg) {
        let mut seen = self.seen.borrow_mut();
        let n = seen.len() as u32;
        seen.entry(pkg.clone()).or_insert(n);
    }

    /// The dependencies `edges` stand for, each name's sets intersected.
    fn dependencies(
        &self,
        edges: &[Edge],
    ) -> Result<Result<BTreeMap<Pkg, CandidateSet>, Unusable>, Diagnostic> {
        let mut deps: BTreeMap<Pkg, CandidateSet> = BTreeMap::new();
        // The names not read yet are asked for together (a sharded channel fetches their
        // shards at once instead of one round trip each).
        let unread: Vec<&str> = {
            let packages = self.packages.borrow();
            let mut unread: Vec<&str> = edges
                .iter()
                .map(|e| e.name.as_str())
                .filter(|n| !n.starts_with("__") && !packages.contains_key(*n))
                .collect();
            unread.sort_unstable();
            unread.dedup();
            unread
        };
        if unread.len() > 1 {
            self.source.prefetch(self.subdir, &unread);
        }
        for edge in edges {
            let mut set = match self.set_of(&edge.name, &edge.spec)? {
                Ok(s) => s,
                Err(why) => return Ok(Err(why)),
            };
            if edge.constrains {
                set = set.union(&CandidateSet::singleton(ABSENT));
            }
            let pkg = Pkg::Conda(edge.name.clone());
            self.see(&pkg);
            let entry = deps.entry(pkg).or_insert_with(CandidateSet::full);
            *entry = entry.intersection(&set);
        }
        Ok(Ok(deps))
    }

    /// The edges of one build: its `depends` and `constrains`, or why it cannot be used.
    fn build_edges(&self, own: &str, candidate: &Candidate) -> Result<Vec<Edge>, Unusable> {
        let Candidate::Build(b) = candidate else {
            return Ok(Vec::new());
        };
        let record = &b.record.package_record;
        let mut edges = Vec::new();
        let lists = [(&record.depends, false), (&record.constrains, true)];
        for (list, constrains) in lists {
            for text in list {
                let spec = self.parse(text).map_err(|why| Unusable::BadSpec {
                    spec: text.clone(),
                    why,
                })?;
                let Some(name) = exact_name(&spec) else {
                    return Err(Unusable::BadSpec {
                        spec: text.clone(),
                        why: "it names no single package".into(),
                    });
                };
                if spec.condition.is_some() {
                    return Err(Unusable::Conditional(text.clone()));
                }
                if name == own {
                    continue;
                }
                edges.push(Edge {
                    name,
                    spec: text.clone(),
                    constrains,
                    origin: String::new(),
                });
            }
        }
        Ok(edges)
    }

    /// The input's edges: its specs and, when the target fixes Python, the target's Python.
    pub fn root_edges(&self) -> Vec<Edge> {
        let mut edges: Vec<Edge> = self
            .request
            .specs
            .iter()
            .filter_map(|(spec, origin)| {
                // A spec for some systems only (`[win]` → `when="__win"`) applies when the
                // target's virtual packages meet its condition, and then without it.
                let mut spec = spec.clone();
                if let Some(condition) = spec.condition.take()
                    && !holds(&condition, &self.virtuals)?
                {
                    return None;
                }
                Some(Edge {
                    name: exact_name(&spec)?,
                    spec: spec.to_string(),
                    constrains: false,
                    origin: origin.clone(),
                })
            })
            .collect();
        if let Some(spec) = target_python(self.target) {
            edges.push(Edge {
                name: "python".into(),
                spec,
                constrains: true,
                origin: format!("target {}", self.target.spec()),
            });
        }
        edges
    }
}

/// The conda `python` spec the target fixes (`python 3.11.*`), when the target names a Python.
pub fn target_python(target: &Target) -> Option<String> {
    if target.sources.get("python").is_none_or(|s| s == "default") {
        return None;
    }
    let p = &target.python;
    Some(match p.patch {
        Some(patch) => format!("python {}.{}.{patch}.*", p.major, p.minor),
        None => format!("python {}.{}.*", p.major, p.minor),
    })
}

/// Priorities: packages whose set is one candidate or allows absence first (they decide
/// without choice), then those that conflicted most, then those with fewer candidates left,
/// then the first seen.
/// Single candidates first; packages that may stay absent (only constrained so far) last;
/// then the most conflicted, the fewest candidates, the first seen.
type Priority = (bool, bool, u32, Reverse<usize>, Reverse<u32>);

impl DependencyProvider for Provider<'_> {
    type P = Pkg;
    type V = u32;
    type VS = CandidateSet;
    type M = Unusable;
    type Err = Diagnostic;
    type Priority = Priority;

    fn prioritize(
        &self,
        package: &Pkg,
        range: &CandidateSet,
        stats: &pubgrub::PackageResolutionStatistics,
    ) -> Priority {
        let order = self.seen.borrow().get(package).copied().unwrap_or(u32::MAX);
        let count = match package {
            Pkg::Root => 0,
            Pkg::Conda(name) => self
                .packages
                .borrow()
                .get(name)
                .map_or(usize::MAX, |c| c.count_in(range)),
        };
        // A package only constrained so far is decided last: by then whatever depends on it
        // has said so (and its set no longer allows absence), so it is not decided absent
        // first and learnt back, which left it at a build the learnt clause happened to allow
        // instead of the best one.
        let absent_allowed = range.contains(ABSENT);
        (
            range.as_singleton().is_some() && !absent_allowed,
            !absent_allowed,
            stats.conflict_count(),
            Reverse(count),
            Reverse(order),
        )
    }

    fn choose_version(
        &self,
        package: &Pkg,
        range: &CandidateSet,
    ) -> Result<Option<u32>, Diagnostic> {
        let Pkg::Conda(name) = package else {
            return Ok(Some(0));
        };
        // Not installing a package is preferred whenever nothing requires it.
        if range.contains(ABSENT) {
            return Ok(Some(ABSENT));
        }
        let candidates = self.candidates(name)?;
        if let Some(pin) = self.request.preferences.get(name)
            && let Some((i, _)) = candidates
                .in_range(range)
                .find(|(_, c)| c.version() == pin.version && c.build() == pin.build)
        {
            return Ok(Some(i));
        }
        Ok(candidates.first_in(range))
    }

    fn get_dependencies(
        &self,
        package: &Pkg,
        version: &u32,
    ) -> Result<Dependencies<Pkg, CandidateSet, Unusable>, Diagnostic> {
        let edges = match package {
            Pkg::Root => self.root_edges(),
            Pkg::Conda(_) if *version == ABSENT => Vec::new(),
            Pkg::Conda(name) => {
                let candidates = self.candidates(name)?;
                let Some(candidate) = candidates.get(*version) else {
                    return Ok(Dependencies::Unavailable(Unusable::NoSuchCandidate));
                };
                match self.build_edges(name, candidate) {
                    Ok(e) => e,
                    Err(why) => return Ok(Dependencies::Unavailable(why)),
                }
            }
        };
        let deps = match self.dependencies(&edges)? {
            Ok(d) => d,
            Err(why) => return Ok(Dependencies::Unavailable(why)),
        };
        self.edges
            .borrow_mut()
            .insert((package.clone(), *version), edges);
        Ok(Dependencies::Available(deps.into_iter().collect()))
    }
}

/// Whether `condition` holds for a target with the virtual packages `virtuals`; `None` when it
/// names a package that is not virtual (only the solve could tell).
fn holds(
    condition: &MatchSpecCondition,
    virtuals: &HashMap<String, GenericVirtualPackage>,
) -> Option<bool> {
    Some(match condition {
        MatchSpecCondition::MatchSpec(spec) => {
            let name = exact_name(spec).filter(|n| n.starts_with("__"))?;
            virtuals.get(&name).is_some_and(|v| spec.matches(v))
        }
        MatchSpecCondition::And(a, b) => holds(a, virtuals)? && holds(b, virtuals)?,
        MatchSpecCondition::Or(a, b) => {
            let (a, b) = (holds(a, virtuals)?, holds(b, virtuals)?);
            a || b
        }
    })
}

/// A root spec that names no single package is a usage error.
pub fn check_names(request: &CondaRequest) -> Result<(), Diagnostic> {
    for (spec, origin) in &request.specs {
        if let Some(condition) = &spec.condition
            && holds(condition, &HashMap::new()).is_none()
        {
            return Err(Diagnostic::new(
                ErrorKind::InvalidInput,
                format!("{origin}: the conda spec `{spec}` is conditional on a package, which input specs cannot be yet"),
            )
            .note("conditions on the target's system work (`[linux]`, `when=\"__win\"`): they name virtual packages"));
        }
        if exact_name(spec).is_none() {
            return Err(Diagnostic::new(
                ErrorKind::InvalidInput,
                format!("{origin}: the conda spec `{spec}` names no single package"),
            )
            .note("name the package exactly (`numpy >=1.26`); globs and regexes select builds of a package, not packages"));
        }
    }
    Ok(())
}
