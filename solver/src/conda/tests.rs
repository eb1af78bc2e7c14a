//! The conda solve against real channel snapshots in `../shared/conda-channels/` (see its
//! SOURCES.tsv), read into an in-memory [`CondaSource`] with rattler's own repodata reader.
//! Every solution is checked by [`check`], an independent checker: each `depends` of each
//! chosen build is met by a chosen build or a virtual package of the target, each `constrains`
//! holds, each input spec is met, one build per name.

use super::*;
use rattler_conda_types::{
    Channel, GenericVirtualPackage, Matches, PackageName, ParseMatchSpecOptions, RepoData, Version,
};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;
use unilock_model::channel::ChannelRecord;
use unilock_model::target::NoEnvironment;

/// A path under the shared data, or `None` (with a visible message) on a bare clone; under CI
/// a missing path is an error.
fn shared(path: &str) -> Option<PathBuf> {
    unilock_registries::testing::shared(path)
}

type ByName = HashMap<String, Vec<RepoDataRecord>>;

/// The records of one `<channel>/<subdir>/repodata.json` by name, read once per test binary.
fn repodata(channel_dir: &Path, subdir: &str) -> Arc<ByName> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<ByName>>>> = OnceLock::new();
    let file = channel_dir.join(subdir).join("repodata.json");
    let cache = CACHE.get_or_init(Default::default);
    if let Some(r) = cache.lock().unwrap().get(&file) {
        return r.clone();
    }
    let records = if file.exists() {
        let channel = Channel::try_from_directory(channel_dir).unwrap();
        // Real channels write `"depends": null`; conda reads that as an empty list.
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        for key in ["packages", "packages.conda"] {
            if let Some(map) = json.get_mut(key).and_then(|m| m.as_object_mut()) {
                for record in map.values_mut() {
                    for list in ["depends", "constrains", "track_features"] {
                        if record.get(list).is_some_and(|v| v.is_null()) {
                            record[list] = serde_json::json!([]);
                        }
                    }
                }
            }
        }
        serde_json::from_value::<RepoData>(json)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            .into_repo_data_records(&channel)
    } else {
        Vec::new()
    };
    let mut by_name = ByName::new();
    for r in records {
        by_name
            .entry(r.package_record.name.as_normalized().to_string())
            .or_default()
            .push(r);
    }
    let records = Arc::new(by_name);
    cache.lock().unwrap().insert(file, records.clone());
    records
}

/// Channels as directories, in priority order, with strict channel priority.
struct Channels {
    dirs: Vec<PathBuf>,
}

impl Channels {
    fn at(dirs: Vec<PathBuf>) -> Self {
        Channels { dirs }
    }

    fn of(dirs: &[&str]) -> Option<Self> {
        let dirs: Option<Vec<PathBuf>> = dirs.iter().map(|d| shared(d)).collect();
        Some(Channels { dirs: dirs? })
    }

    fn in_channel(&self, rank: usize, subdir: &str, name: &str) -> Vec<ChannelRecord> {
        let dir = &self.dirs[rank];
        [subdir, "noarch"]
            .iter()
            .flat_map(|s| repodata(dir, s).get(name).cloned().unwrap_or_default())
            .map(|record| ChannelRecord {
                channel_rank: rank as u32,
                record,
            })
            .collect()
    }
}

impl CondaSource for Channels {
    fn records(&self, subdir: &str, name: &str) -> Result<Arc<Vec<ChannelRecord>>, Diagnostic> {
        for rank in 0..self.dirs.len() {
            let found = self.in_channel(rank, subdir, name);
            if !found.is_empty() {
                return Ok(Arc::new(found));
            }
        }
        Ok(Arc::new(Vec::new()))
    }

    fn records_in(
        &self,
        channel: &str,
        subdir: &str,
        name: &str,
    ) -> Result<Arc<Vec<ChannelRecord>>, Diagnostic> {
        let rank = self
            .dirs
            .iter()
            .position(|d| d.file_name().is_some_and(|n| n == channel))
            .ok_or_else(|| Diagnostic::usage(format!("unknown channel {channel}")))?;
        Ok(Arc::new(self.in_channel(rank, subdir, name)))
    }
}

fn target(spec: &str) -> Target {
    Target::parse(spec, &NoEnvironment).unwrap()
}

fn request(specs: &[&str]) -> CondaRequest {
    CondaRequest {
        specs: specs
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let spec = MatchSpec::from_str(s, ParseMatchSpecOptions::lenient()).unwrap();
                (spec, format!("environment.yml:{}:5", i + 5))
            })
            .collect(),
        ..CondaRequest::default()
    }
}

/// The independent checker: panics, naming the broken rule, unless `solution` is a complete,
/// consistent environment for `specs` on `target`.
fn check(solution: &CondaResolution, target: &Target, specs: &[&str]) {
    let mut chosen: HashMap<&str, &RepoDataRecord> = HashMap::new();
    for p in &solution.packages {
        let name = p.record.package_record.name.as_normalized();
        assert!(
            chosen.insert(name, &p.record).is_none(),
            "two builds of {name}"
        );
    }
    let virtuals: HashMap<String, GenericVirtualPackage> = target
        .virtual_packages()
        .into_iter()
        .map(|v| {
            (
                v.name.clone(),
                GenericVirtualPackage {
                    name: PackageName::new_unchecked(v.name),
                    version: Version::from_str(&v.version).unwrap(),
                    build_string: rattler_conda_types::package::BuildString::new_unchecked(v.build),
                },
            )
        })
        .collect();
    let holds = |text: &str, required: bool, who: &str| {
        let spec = MatchSpec::from_str(text, ParseMatchSpecOptions::lenient()).unwrap();
        let name = match &spec.name {
            rattler_conda_types::PackageNameMatcher::Exact(n) => n.as_normalized().to_string(),
            other => panic!("{who}: `{text}` names {other:?}"),
        };
        let ok = if let Some(v) = virtuals.get(&name) {
            spec.matches(v)
        } else if let Some(r) = chosen.get(name.as_str()) {
            spec.matches(*r)
        } else {
            !required
        };
        assert!(ok, "{who}: `{text}` does not hold in the solution");
    };
    for p in &solution.packages {
        let r = &p.record.package_record;
        let who = format!("{} {} {}", r.name.as_normalized(), r.version, r.build);
        for d in &r.depends {
            holds(d, true, &who);
        }
        for c in &r.constrains {
            holds(c, false, &who);
        }
    }
    for s in specs {
        holds(s, true, "the input");
    }
    if let Some(python) = target_python(target) {
        holds(&python, false, "the target");
    }
}

fn solve(dirs: &[&str], target_spec: &str, specs: &[&str]) -> Option<CondaResolution> {
    let channels = Channels::of(dirs)?;
    let t = target(target_spec);
    let solution = resolve(&channels, &t, &request(specs)).unwrap_or_else(|e| panic!("{e}\n{e:?}"));
    check(&solution, &t, specs);
    Some(solution)
}

fn failure(dirs: &[&str], target_spec: &str, specs: &[&str]) -> Option<Diagnostic> {
    let channels = Channels::of(dirs)?;
    let t = target(target_spec);
    match resolve(&channels, &t, &request(specs)) {
        Ok(s) => panic!("expected no solution, got {:?}", pins(&s)),
        Err(e) => Some(e),
    }
}

fn pins(s: &CondaResolution) -> Vec<String> {
    s.packages
        .iter()
        .map(|p| {
            let r = &p.record.package_record;
            format!("{} {} {}", r.name.as_normalized(), r.version, r.build)
        })
        .collect()
}

fn pick<'a>(s: &'a CondaResolution, name: &str) -> Option<&'a CondaPackage> {
    s.packages
        .iter()
        .find(|p| p.record.package_record.name.as_normalized() == name)
}

/// The whole text of a diagnostic, message and notes.
fn text(d: &Diagnostic) -> String {
    d.to_string()
}

const NUMPY_SUBSET: &str = "conda-channels/conda-forge-mamba-numpy-subset";
const PY39: &str = "conda-channels/conda-forge-subchannel-py39";
const UNION: &str = "conda-channels/lockfile-union/conda-forge";

#[test]
fn numpy_and_python_solve_on_a_closed_subset() {
    let started = Instant::now();
    let Some(s) = solve(&[NUMPY_SUBSET], "linux-64", &["numpy", "python"]) else {
        return;
    };
    eprintln!(
        "figure: numpy + python over conda-forge-mamba-numpy-subset: {} packages in {:.1} ms",
        s.packages.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let numpy = pick(&s, "numpy").expect("numpy chosen");
    assert!(
        numpy
            .requested_by
            .contains(&"environment.yml:5:5".to_string())
    );
    let python = pick(&s, "python").expect("python chosen");
    assert!(python.requested_by.contains(&"conda:numpy".to_string()));
    // No virtual package is listed as a package.
    assert!(s.packages.iter().all(|p| {
        !p.record
            .package_record
            .name
            .as_normalized()
            .starts_with("__")
    }));
}

#[test]
fn the_target_python_fixes_the_conda_python() {
    for (target_spec, minor) in [
        ("linux-64,python=3.10", "3.10."),
        ("linux-64,python=3.11", "3.11."),
    ] {
        let Some(s) = solve(&[UNION], target_spec, &["numpy"]) else {
            return;
        };
        let python = pick(&s, "python").expect("python chosen");
        assert!(
            python
                .record
                .package_record
                .version
                .to_string()
                .starts_with(minor),
            "{target_spec}: {:?}",
            pins(&s)
        );
    }
}

#[test]
fn python_39_solves_on_several_subdirs() {
    for subdir in ["linux-64", "linux-aarch64", "osx-64", "osx-arm64", "win-64"] {
        let Some(s) = solve(&[PY39], &format!("{subdir},python=3.9"), &["python", "pip"]) else {
            return;
        };
        let python = pick(&s, "python").expect("python chosen");
        assert!(
            python
                .record
                .package_record
                .version
                .to_string()
                .starts_with("3.9."),
            "{subdir}: {:?}",
            pins(&s)
        );
        assert!(
            s.packages.iter().all(|p| {
                let sd = &p.record.package_record.subdir;
                sd == subdir || sd == "noarch"
            }),
            "{subdir}: builds of another subdir"
        );
    }
}

#[test]
fn a_build_that_needs_a_gpu_is_chosen_only_for_a_cuda_target() {
    let needs_cuda = |p: &CondaPackage| {
        p.record
            .package_record
            .depends
            .iter()
            .any(|d| d.split_whitespace().next() == Some("__cuda"))
    };
    let Some(cpu) = solve(&[UNION], "linux-64,python=3.13", &["pytorch 2.8.0"]) else {
        return;
    };
    let torch = pick(&cpu, "pytorch").expect("pytorch chosen");
    assert!(
        torch
            .record
            .package_record
            .build
            .as_str()
            .starts_with("cpu_"),
        "{:?}",
        pins(&cpu)
    );
    assert!(!cpu.packages.iter().any(needs_cuda));
    let Some(gpu) = solve(
        &[UNION],
        "linux-64,python=3.13,cuda=12.9",
        &["pytorch 2.8.0"],
    ) else {
        return;
    };
    let torch = pick(&gpu, "pytorch").expect("pytorch chosen");
    assert!(
        torch
            .record
            .package_record
            .build
            .as_str()
            .starts_with("cuda129_"),
        "{:?}",
        pins(&gpu)
    );
}

#[test]
fn constrains_bind_only_packages_that_are_installed() {
    // python_abi 3.11 constrains `python 3.11.* *_cpython`: with python asked for too, the
    // newest python that satisfies that constraint is chosen, not the newest python.
    let Some(s) = solve(&[UNION], "linux-64", &["python_abi 3.11.*", "python"]) else {
        return;
    };
    let python = pick(&s, "python").expect("python chosen");
    assert!(
        python
            .record
            .package_record
            .version
            .to_string()
            .starts_with("3.11."),
        "{:?}",
        pins(&s)
    );
    // Alone, python_abi's constraint installs nothing.
    let Some(s) = solve(&[UNION], "linux-64", &["python_abi 3.11.*"]) else {
        return;
    };
    assert_eq!(pins(&s).len(), 1, "{:?}", pins(&s));
}

#[test]
fn an_old_glibc_target_never_takes_a_build_that_needs_a_newer_one() {
    let needs_228 = |s: &CondaResolution| {
        s.packages.iter().any(|p| {
            p.record
                .package_record
                .depends
                .iter()
                .any(|d| d.starts_with("__glibc >=2.28"))
        })
    };
    let Some(new) = solve(&[UNION], "linux-64", &["nodejs"]) else {
        return;
    };
    assert!(
        needs_228(&new),
        "the default glibc takes the newest nodejs: {:?}",
        pins(&new)
    );
    let Some(old) = solve(&[UNION], "linux-64,glibc=2.17", &["nodejs"]) else {
        return;
    };
    assert!(!needs_228(&old), "{:?}", pins(&old));
    let nodejs = pick(&old, "nodejs").expect("nodejs chosen");
    assert_eq!(nodejs.record.package_record.version.to_string(), "22.5.1");
    let Some(e) = failure(&[UNION], "linux-64,glibc=2.17", &["nodejs >=24"]) else {
        return;
    };
    let t = text(&e);
    assert_eq!(e.kind(), ErrorKind::Unsatisfiable);
    assert!(t.contains("`__glibc >=2.28,<3.0.a0`"), "{t}");
    assert!(
        t.contains("target linux-64,glibc=2.17 has __glibc 2.17"),
        "{t}"
    );
    assert!(
        t.contains("nodejs 24.4.1 to 25.7.0 (7 versions, 7 builds)"),
        "{t}"
    );
}

#[test]
fn an_unsatisfiable_environment_is_explained_in_versions_and_builds() {
    // The subset's only numpy build is for Python 3.12.
    let Some(e) = failure(&[NUMPY_SUBSET], "linux-64,python=3.10", &["numpy"]) else {
        return;
    };
    let t = text(&e);
    assert_eq!(e.kind(), ErrorKind::Unsatisfiable);
    assert!(t.contains("`python >=3.12,<3.13.0a0`"), "{t}");
    assert!(t.contains("target linux-64,python=3.10"), "{t}");
    assert!(t.contains("python 3.12.1 (hab00c5b_1_cpython)"), "{t}");
    // Over many versions the text stays short and names no candidate index.
    let Some(e) = failure(&[UNION], "linux-64,python=3.9", &["numpy >=2.1"]) else {
        return;
    };
    let t = text(&e);
    assert!(t.contains("numpy"), "{t}");
    // Builds are grouped by version span, not listed.
    assert!(
        t.contains("numpy 2.1.0 to ") && t.contains(" versions, "),
        "{t}"
    );
    assert!(
        t.contains("target linux-64,python=3.9 allows only `python 3.9.*`"),
        "{t}"
    );
    eprintln!("{t}");
    assert!(!t.contains("..") && !t.contains("4294967295"), "{t}");
    assert!(t.len() < 4000, "{} bytes:\n{t}", t.len());
}

#[test]
fn a_spec_that_matches_nothing_says_what_the_channels_have() {
    let Some(e) = failure(&[NUMPY_SUBSET], "linux-64", &["numpy >=2"]) else {
        return;
    };
    let t = text(&e);
    assert_eq!(e.kind(), ErrorKind::Unsatisfiable);
    assert!(
        t.contains("environment.yml:5:5 asks for `numpy >=2`"),
        "{t}"
    );
    assert!(
        t.contains("the channels have numpy 1.26.4 (py312head63a1_0)"),
        "{t}"
    );
    let Some(e) = failure(&[NUMPY_SUBSET], "linux-64", &["no-such-package"]) else {
        return;
    };
    let t = text(&e);
    assert!(
        t.contains("which is in none of the channels for linux-64"),
        "{t}"
    );
}

#[test]
fn the_environment_python_against_the_target_python_names_both() {
    let Some(e) = failure(&[UNION], "linux-64,python=3.11", &["numpy", "python 3.9.*"]) else {
        return;
    };
    let t = text(&e);
    assert_eq!(e.kind(), ErrorKind::Unsatisfiable);
    assert!(
        t.contains("environment.yml:6:5 asks for `python 3.9.*`"),
        "{t}"
    );
    assert!(
        t.contains("target linux-64,python=3.11 asks for `python 3.11.*`"),
        "{t}"
    );
}

#[test]
fn preferred_builds_are_kept_while_they_fit() {
    let Some(channels) = Channels::of(&[UNION]) else {
        return;
    };
    let t = target("linux-64,python=3.12");
    let mut req = request(&["numpy"]);
    let newest = resolve(&channels, &t, &req).unwrap();
    let newest = pick(&newest, "numpy")
        .unwrap()
        .record
        .package_record
        .version
        .to_string();
    let older = channels
        .records("linux-64", "numpy")
        .unwrap()
        .iter()
        .map(|r| &r.record.package_record)
        .filter(|r| r.version.to_string() != newest && r.build.as_str().contains("py312"))
        .map(|r| (r.version.to_string(), r.build.to_string()))
        .min()
        .expect("an older numpy for Python 3.12");
    req.preferences.insert(
        "numpy".into(),
        Pin {
            version: older.0.clone(),
            build: older.1.clone(),
        },
    );
    let s = resolve(&channels, &t, &req).unwrap();
    check(&s, &t, &["numpy"]);
    let numpy = &pick(&s, "numpy").unwrap().record.package_record;
    assert_eq!((numpy.version.to_string(), numpy.build.to_string()), older);
}

/// Writes a one-subdir (`linux-64`) channel `name` under `dir` holding `records`.
fn write_channel(dir: &Path, name: &str, records: &[serde_json::Value]) -> PathBuf {
    let channel = dir.join(name);
    std::fs::create_dir_all(channel.join("linux-64")).unwrap();
    let packages: serde_json::Map<String, serde_json::Value> = records
        .iter()
        .map(|r| {
            let file = format!(
                "{}-{}-{}.tar.bz2",
                r["name"].as_str().unwrap(),
                r["version"].as_str().unwrap(),
                r["build"].as_str().unwrap()
            );
            (file, r.clone())
        })
        .collect();
    let repodata = serde_json::json!({"info": {"subdir": "linux-64"}, "packages": packages});
    std::fs::write(
        channel.join("linux-64/repodata.json"),
        serde_json::to_vec(&repodata).unwrap(),
    )
    .unwrap();
    channel
}

#[test]
fn a_build_whose_dependencies_cannot_be_read_is_passed_over_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let build = |version: &str, depends: &[&str]| {
        serde_json::json!({
            "name": "tool", "version": version, "build": "h0_0", "build_number": 0,
            "depends": depends, "subdir": "linux-64",
        })
    };
    let channel = write_channel(
        dir.path(),
        "broken",
        &[
            build("2.0", &["libfoo >=>=1"]),
            build("1.5", &["lib* >=1"]),
            build("1.0", &[]),
        ],
    );
    let channels = Channels::at(vec![channel]);
    let t = target("linux-64");
    let s = resolve(&channels, &t, &request(&["tool"])).unwrap();
    check(&s, &t, &["tool"]);
    assert_eq!(pins(&s), ["tool 1.0 h0_0"]);
    let e = resolve(&channels, &t, &request(&["tool >=2"])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsatisfiable);
    assert!(
        e.to_string().contains(
            "tool 2.0 (h0_0) cannot be used: its dependency `libfoo >=>=1` cannot be read"
        ),
        "{e}"
    );
    let e = resolve(&channels, &t, &request(&["tool 1.5"])).unwrap_err();
    assert!(
        e.to_string()
            .contains("tool 1.5 (h0_0) cannot be used: its dependency `lib* >=1` cannot be read"),
        "{e}"
    );
}

/// A channel written for the test: microarchitecture-level builds, as conda-forge publishes
/// them, each needing `__archspec` of its level.
#[test]
fn a_cpu_level_target_never_takes_a_build_for_a_higher_level() {
    let dir = tempfile::tempdir().unwrap();
    let record = |level: u32| {
        serde_json::json!({
            "name": "_x86_64-microarch-level", "version": level.to_string(),
            "build": format!("{level}_x86_64_v{level}"), "build_number": 0,
            "depends": [format!("__archspec 1 x86_64_v{level}")], "subdir": "linux-64",
        })
    };
    let channel = write_channel(dir.path(), "levels", &[record(2), record(4)]);
    let channels = Channels::at(vec![channel]);
    let level = |cpu: &str| {
        let t = target(&format!("linux-64,cpu={cpu}"));
        let specs = ["_x86_64-microarch-level"];
        let s = resolve(&channels, &t, &request(&specs)).unwrap_or_else(|e| panic!("{e}"));
        check(&s, &t, &specs);
        pick(&s, "_x86_64-microarch-level")
            .unwrap()
            .record
            .package_record
            .version
            .to_string()
    };
    assert_eq!(level("x86_64_v4"), "4");
    assert_eq!(level("x86_64_v2"), "2");
    let t = target("linux-64,cpu=x86_64_v2");
    let e = resolve(&channels, &t, &request(&["_x86_64-microarch-level 4"])).unwrap_err();
    assert!(
        e.to_string()
            .contains("target linux-64,cpu=x86_64_v2 has __archspec 1 (cpu x86_64_v2)"),
        "{e}"
    );
}

#[test]
fn a_channel_qualified_spec_takes_that_channels_builds() {
    // Two channels with python 3.9: the py39 sub-channel first, the union second. Strict
    // priority gives the sub-channel's python; `conda-forge::python` asks for the union's.
    let Some(channels) = Channels::of(&[PY39, UNION]) else {
        return;
    };
    let t = target("linux-64");
    let s = resolve(&channels, &t, &request(&["python 3.9.*"])).unwrap();
    assert_eq!(pick(&s, "python").unwrap().channel_rank, 0);
    let s = resolve(&channels, &t, &request(&["conda-forge::python 3.9.*"])).unwrap();
    check(&s, &t, &["python 3.9.*"]);
    assert_eq!(
        pick(&s, "python").unwrap().channel_rank,
        1,
        "{:?}",
        pins(&s)
    );
}

#[test]
fn figures_for_a_larger_solve() {
    let specs = [
        "python 3.12.*",
        "numpy",
        "scipy",
        "pandas",
        "matplotlib-base",
        "scikit-learn",
        "pyarrow",
        "polars",
        "requests",
        "jinja2",
        "sympy",
        "networkx",
        "pyyaml",
        "click",
        "rich",
        "tqdm",
        "pillow",
        "h5py",
        "numba",
        "pytest",
        "ipython",
        "openssl",
        "setuptools",
        "pip",
        "fsspec",
    ];
    let started = Instant::now();
    let Some(s) = solve(&[UNION], "linux-64", &specs) else {
        return;
    };
    eprintln!(
        "figure: {} names over lockfile-union/conda-forge linux-64: {} packages in {:.1} ms (cold: repodata read by the first test that needs it)",
        specs.len(),
        s.packages.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let started = Instant::now();
    let Some(again) = solve(&[UNION], "linux-64", &specs) else {
        return;
    };
    eprintln!(
        "figure: the same solve with the repodata already read: {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(pins(&s), pins(&again));
}

#[test]
fn a_channel_the_run_cannot_read_is_the_sources_error() {
    let Some(channels) = Channels::of(&[NUMPY_SUBSET]) else {
        return;
    };
    let e = resolve(
        &channels,
        &target("linux-64"),
        &request(&["elsewhere::numpy"]),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert!(e.to_string().contains("unknown channel elsewhere"), "{e}");
}

#[test]
fn without_a_python_spec_the_newest_python_wins_between_builds_of_one_version() {
    // numpy 2.5.1 and scipy have py312, py313 and py314 builds of one build number on
    // conda-forge: the one asking for the newest Python comes first, so the environment gets
    // Python 3.14 (the order of file names or timestamps left it at 3.12).
    let specs = ["numpy", "scipy"];
    let Some(s) = solve(&[UNION], "linux-64", &specs) else {
        return;
    };
    check(&s, &target("linux-64"), &specs);
    let python = pick(&s, "python").expect("python");
    assert!(
        python
            .record
            .package_record
            .version
            .to_string()
            .starts_with("3.14."),
        "{:?}",
        pins(&s)
    );
    let numpy = pick(&s, "numpy").expect("numpy");
    assert!(
        numpy
            .record
            .package_record
            .build
            .as_str()
            .starts_with("py314")
    );
}
