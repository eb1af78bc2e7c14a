//! The conda benchmark corpus (corpus/conda-bench/, one environment.yml per spec, its targets
//! on a `# targets:` line and `# expect: fail` on the unsatisfiable ones) resolved end to end
//! over the shared channel snapshots of ../shared/conda-channels (named through
//! `--channel-alias file://…/conda-channels/`), each lock checked by an independent checker:
//! the channels' repodata.json files are read here with rattler's own `RepoData` (not through
//! unilock's channel reader) and, for every target of the lock, every chosen build must exist
//! in the channel data under its exact URL and sha256, be the only build of its name, be
//! reachable from the input specs, and have every `depends` met by a chosen build or by one of
//! the target's virtual packages (as the lock states them) and every `constrains` hold; every
//! input spec must hold. Unsatisfiable specs must exit 1 with an explanation naming the file
//! and write no lock. `scripts/bench-conda.sh` times the same specs against py-rattler.

use crate::formats::shared;
use crate::{corpus, stderr, unilock};
use rattler_conda_types::{
    MatchSpec, Matches, PackageName, PackageRecord, ParseStrictness, RepoData, Version,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

/// One spec of the corpus, as its file states it.
struct Spec {
    path: PathBuf,
    name: String,
    targets: Vec<String>,
    expect_fail: bool,
    channels: Vec<String>,
    dependencies: Vec<String>,
}

/// Reads a spec file: `# targets:`/`# expect:` comment lines and the `channels:` and
/// `dependencies:` lists (one `  - item` a line, as every file of the corpus writes them).
fn read_spec(path: &Path) -> Spec {
    let text = std::fs::read_to_string(path).expect("read spec");
    let mut spec = Spec {
        path: path.to_path_buf(),
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        targets: Vec::new(),
        expect_fail: false,
        channels: Vec::new(),
        dependencies: Vec::new(),
    };
    let mut section = "";
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("# targets:") {
            spec.targets = t.split_whitespace().map(str::to_string).collect();
        } else if let Some(e) = line.strip_prefix("# expect:") {
            spec.expect_fail = e.trim() == "fail";
        } else if line.starts_with('#') {
        } else if let Some(item) = line.trim_start().strip_prefix("- ") {
            let item = item.trim().trim_matches('"').to_string();
            match section {
                "channels" => spec.channels.push(item),
                "dependencies" => spec.dependencies.push(item),
                _ => panic!("{}: list item outside a section: {line}", spec.name),
            }
        } else if let Some(key) = line.strip_suffix(':') {
            section = match key {
                "channels" => "channels",
                "dependencies" => "dependencies",
                _ => "",
            };
        }
    }
    assert!(
        !spec.targets.is_empty(),
        "{}: no `# targets:` line",
        spec.name
    );
    assert!(
        !spec.dependencies.is_empty(),
        "{}: no dependencies",
        spec.name
    );
    spec
}

fn specs() -> Vec<Spec> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus("conda-bench"))
        .expect("corpus/conda-bench")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| read_spec(p)).collect()
}

/// A build of the channel data: its record as rattler reads it and its URL.
struct Build {
    url: String,
    record: PackageRecord,
}

/// The channel data of one `<channel>/<subdir>`, indexed by URL; read once per test run.
type Subdir = Arc<HashMap<String, Arc<Build>>>;

fn channel_subdir(root: &Path, channel: &str, subdir: &str) -> Subdir {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Subdir>>> = OnceLock::new();
    let dir = root.join(channel).join(subdir);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap().get(&dir) {
        return found.clone();
    }
    let mut builds = HashMap::new();
    if let Ok(text) = std::fs::read_to_string(dir.join("repodata.json")) {
        let mut json: serde_json::Value = serde_json::from_str(&text).expect("repodata JSON");
        // rattler refuses `null` lists (the mamba subset has `"depends": null`) and null
        // scalars: lists read as empty, other null fields as absent.
        for key in ["packages", "packages.conda"] {
            if let Some(records) = json.get_mut(key).and_then(|r| r.as_object_mut()) {
                for record in records.values_mut() {
                    let Some(fields) = record.as_object_mut() else {
                        continue;
                    };
                    fields.retain(|k, v| !v.is_null() || k == "depends" || k == "constrains");
                    for list in ["depends", "constrains"] {
                        if fields.get(list).is_none_or(|v| v.is_null()) {
                            fields.insert(list.into(), serde_json::json!([]));
                        }
                    }
                }
            }
        }
        let repodata: RepoData = serde_json::from_value(json).expect("rattler reads the repodata");
        let base = format!("file://{}/", dir.display());
        for (file, record) in repodata.packages.into_iter().chain(repodata.conda_packages) {
            let url = format!("{base}{file}");
            builds.insert(url.clone(), Arc::new(Build { url, record }));
        }
    }
    let found = Arc::new(builds);
    cache.lock().unwrap().insert(dir, found.clone());
    found
}

/// The alias every spec's channel names are resolved under, and the root directory it names.
fn alias() -> Option<(String, PathBuf)> {
    let root = shared("conda-channels")?;
    let root = root.canonicalize().expect("canonical shared path");
    Some((format!("file://{}/", root.display()), root))
}

fn resolve_spec(spec: &Spec, alias: &str, lock: &Path) -> std::process::Output {
    let input = spec.path.display().to_string();
    let lock = lock.display().to_string();
    let mut args = vec!["resolve", &input, "--channel-alias", alias, "-o", &lock];
    for t in &spec.targets {
        args.extend(["--target", t.as_str()]);
    }
    unilock(&args)
}

fn match_spec(text: &str) -> MatchSpec {
    MatchSpec::from_str(text, ParseStrictness::Lenient)
        .unwrap_or_else(|e| panic!("MatchSpec `{text}`: {e}"))
}

fn spec_name(spec: &MatchSpec) -> String {
    spec.name
        .as_exact()
        .map(|n| n.as_normalized().to_string())
        .unwrap_or_else(|| panic!("a spec without an exact name: {spec}"))
}

/// Checks one lock against the channel data; returns every problem found (empty: it holds).
fn check_lock(spec: &Spec, root: &Path, lock_text: &str) -> Vec<String> {
    let lock: toml::Table = toml::from_str(lock_text).expect("the lock is TOML");
    let mut problems = Vec::new();
    let targets = lock.get("target").and_then(|t| t.as_array()).cloned();
    let targets = targets.unwrap_or_default();
    if targets.len() != spec.targets.len() {
        problems.push(format!(
            "{} targets in the lock, {} asked for",
            targets.len(),
            spec.targets.len()
        ));
    }
    let packages = lock.get("package").and_then(|p| p.as_array()).cloned();
    let packages = packages.unwrap_or_default();
    for target in &targets {
        let tname = target["name"].as_str().expect("target name");
        let subdir = target["conda-subdir"].as_str().expect("conda-subdir");
        let mut say = |p: String| problems.push(format!("{tname}: {p}"));
        // The target's virtual packages, as records a MatchSpec can match.
        let mut virtuals: HashMap<String, PackageRecord> = HashMap::new();
        for vp in target
            .get("virtual-packages")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let text = vp.as_str().expect("virtual package");
            let mut parts = text.splitn(3, '=');
            let (name, version, build) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or("0"),
                parts.next().unwrap_or("0"),
            );
            let record = PackageRecord::new(
                PackageName::new_unchecked(name),
                Version::from_str(version).expect("virtual package version"),
                build.parse().expect("build string"),
            );
            virtuals.insert(name.to_string(), record);
        }
        // The chosen builds of this target, found in the channel data by URL.
        let mut chosen: BTreeMap<String, Arc<Build>> = BTreeMap::new();
        for package in &packages {
            let in_target = package["targets"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t.as_str() == Some(tname)));
            if !in_target || package["ecosystem"].as_str() != Some("conda") {
                continue;
            }
            let name = package["name"].as_str().expect("name");
            let artifact = &package["artifact"].as_array().expect("artifact")[0];
            let url = artifact["url"].as_str().expect("url");
            let Some(rest) = url.strip_prefix(&format!("file://{}/", root.display())) else {
                say(format!("{name}: {url} is not under the channels"));
                continue;
            };
            let segments: Vec<&str> = rest.rsplitn(3, '/').collect();
            let [_, sub, channel] = segments[..] else {
                say(format!("{name}: {url} has no channel/subdir/file"));
                continue;
            };
            if sub != subdir && sub != "noarch" {
                say(format!("{name}: {url} is from subdir {sub}"));
            }
            let Some(build) = channel_subdir(root, channel, sub).get(url).cloned() else {
                say(format!("{name}: {url} is not in the channel data"));
                continue;
            };
            let r = &build.record;
            let hex = |h: &[u8]| h.iter().map(|b| format!("{b:02x}")).collect::<String>();
            let hash = r.sha256.map(|h| format!("sha256:{}", hex(&h)));
            if artifact["hash"].as_str() != hash.as_deref() {
                say(format!(
                    "{name}: hash {} but the channel has {hash:?}",
                    artifact["hash"]
                ));
            }
            let fields = (
                r.name.as_normalized(),
                r.version.to_string(),
                r.build.as_ref(),
            );
            let locked = (
                name,
                package["version"].as_str().unwrap_or("").to_string(),
                package["build"].as_str().unwrap_or(""),
            );
            if fields != locked {
                say(format!(
                    "{url}: the lock says {locked:?}, the channel {fields:?}"
                ));
            }
            if chosen.insert(name.to_string(), build).is_some() {
                say(format!("{name}: more than one build"));
            }
        }
        let holds = |spec: &MatchSpec| -> Option<bool> {
            let name = spec_name(spec);
            if let Some(build) = chosen.get(&name) {
                Some(spec.matches(&build.record))
            } else {
                virtuals.get(&name).map(|v| spec.matches(v))
            }
        };
        let mut problems_here = Vec::new();
        for (name, build) in &chosen {
            for dep in &build.record.depends {
                match holds(&match_spec(dep)) {
                    Some(true) => {}
                    Some(false) => problems_here.push(format!("{name}: `{dep}` is not met")),
                    None => problems_here.push(format!("{name}: `{dep}` is missing")),
                }
            }
            for con in &build.record.constrains {
                if holds(&match_spec(con)) == Some(false) {
                    problems_here.push(format!("{name}: constraint `{con}` is broken"));
                }
            }
        }
        // Every input spec holds, and every chosen build is reachable from them.
        let mut todo = Vec::new();
        for text in &spec.dependencies {
            let ms = match_spec(text);
            if holds(&ms) != Some(true) {
                problems_here.push(format!("input `{text}` does not hold"));
            }
            if let Some((channel, _)) = text.split_once("::") {
                let name = spec_name(&ms);
                let from = chosen.get(&name).map(|b| b.url.clone()).unwrap_or_default();
                if !from.contains(&format!("/{channel}/")) {
                    problems_here.push(format!("input `{text}` taken from {from}"));
                }
            }
            todo.push(spec_name(&ms));
        }
        let mut reached = BTreeSet::new();
        while let Some(name) = todo.pop() {
            if !reached.insert(name.clone()) {
                continue;
            }
            if let Some(build) = chosen.get(&name) {
                todo.extend(
                    build
                        .record
                        .depends
                        .iter()
                        .map(|d| spec_name(&match_spec(d))),
                );
            }
        }
        for name in chosen.keys().filter(|n| !reached.contains(*n)) {
            problems_here.push(format!("{name} is chosen but nothing needs it"));
        }
        for p in problems_here {
            say(p);
        }
    }
    problems
}

/// Resolves one satisfiable spec and returns the checker's problems with its lock.
fn run_satisfiable(spec: &Spec, alias: &str, root: &Path) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = dir.path().join("unilock.lock");
    let out = resolve_spec(spec, alias, &lock);
    if !out.status.success() {
        return vec![format!("exit {:?}: {}", out.status.code(), stderr(&out))];
    }
    let text = std::fs::read_to_string(&lock).expect("lock written");
    check_lock(spec, root, &text)
}

#[test]
fn every_satisfiable_spec_resolves_to_a_lock_the_independent_checker_accepts() {
    let Some((alias, root)) = alias() else {
        return;
    };
    let specs: Vec<Spec> = specs().into_iter().filter(|s| !s.expect_fail).collect();
    assert!(specs.len() >= 20, "{} satisfiable specs", specs.len());
    // Two workers: each spec is one unilock process and one check.
    let next = Mutex::new(specs.iter());
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some(spec) = next.lock().unwrap().next() else {
                        break;
                    };
                    let problems = run_satisfiable(spec, &alias, &root);
                    if !problems.is_empty() {
                        failures.lock().unwrap().push(format!(
                            "{}:\n  {}",
                            spec.name,
                            problems.join("\n  ")
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_unsatisfiable_spec_exits_1_with_an_explanation_naming_the_file() {
    let Some((alias, _)) = alias() else {
        return;
    };
    let specs: Vec<Spec> = specs().into_iter().filter(|s| s.expect_fail).collect();
    assert!(specs.len() >= 5, "{} unsatisfiable specs", specs.len());
    for spec in &specs {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = dir.path().join("unilock.lock");
        let out = resolve_spec(spec, &alias, &lock);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", spec.name);
        assert!(
            err.contains("cannot be satisfied") && err.contains(&format!("{}:", spec.name)),
            "{}: {err}",
            spec.name
        );
        assert!(!lock.exists(), "{}: a lock was written", spec.name);
    }
}

/// The checker is not a formality: a lock with a build removed, a hash changed, a build that
/// needs another glibc, or a build nothing needs is refused, each for its reason.
#[test]
fn the_checker_refuses_locks_that_break_the_channel_data() {
    let Some((alias, root)) = alias() else {
        return;
    };
    let spec = read_spec(&corpus("conda-bench/02-numpy.yml"));
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = dir.path().join("unilock.lock");
    let out = resolve_spec(&spec, &alias, &lock);
    assert!(out.status.success(), "{}", stderr(&out));
    let good = std::fs::read_to_string(&lock).expect("lock");
    assert_eq!(check_lock(&spec, &root, &good), Vec::<String>::new());
    let entries: Vec<&str> = good.split("\n[[package]]\n").collect();
    let without = |name: &str| -> String {
        entries
            .iter()
            .filter(|e| !e.starts_with(&format!("name = \"{name}\"\n")))
            .copied()
            .collect::<Vec<_>>()
            .join("\n[[package]]\n")
    };
    // A dependency of numpy (libblas) missing.
    let problems = check_lock(&spec, &root, &without("libblas"));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`libblas") && p.contains("is missing")),
        "{problems:?}"
    );
    // An input spec's package missing.
    let problems = check_lock(&spec, &root, &without("numpy"));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("input `numpy` does not hold")),
        "{problems:?}"
    );
    // A hash that is not the channel's.
    let artifacts = good.find("[[package.artifact]]").expect("an artifact");
    let at = artifacts
        + good[artifacts..].find("hash = \"sha256:").expect("a hash")
        + "hash = \"sha256:".len();
    let mut tampered = good.clone();
    let flipped = if &good[at..at + 1] == "0" { "1" } else { "0" };
    tampered.replace_range(at..at + 1, flipped);
    let problems = check_lock(&spec, &root, &tampered);
    assert!(problems.iter().any(|p| p.contains("hash")), "{problems:?}");
    // A target whose glibc is too old for the chosen builds.
    let old = good.replace("\"__glibc=2.28=0\"", "\"__glibc=2.5=0\"");
    assert_ne!(old, good);
    let problems = check_lock(&spec, &root, &old);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`__glibc") && p.contains("is not met")),
        "{problems:?}"
    );
    // A package outside the solve (an extra input spec the lock does not hold).
    let mut more = read_spec(&corpus("conda-bench/02-numpy.yml"));
    more.dependencies.push("scipy".into());
    let problems = check_lock(&more, &root, &good);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("input `scipy` does not hold")),
        "{problems:?}"
    );
    let mut fewer = read_spec(&corpus("conda-bench/02-numpy.yml"));
    fewer.dependencies.retain(|d| d != "numpy");
    let problems = check_lock(&fewer, &root, &good);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("numpy is chosen but nothing needs it")),
        "{problems:?}"
    );
}

/// Resolves `dependencies` over the shared conda-forge union for `target` and returns the
/// version and build the lock holds for `name`.
fn chosen(alias: &str, dependencies: &[&str], target: &str, name: &str) -> (String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("environment.yml");
    let mut text = String::from("channels:\n  - lockfile-union/conda-forge\ndependencies:\n");
    for d in dependencies {
        text.push_str(&format!("  - {d}\n"));
    }
    std::fs::write(&input, text).expect("write");
    let lock = dir.path().join("unilock.lock");
    let (input, lock_arg) = (input.display().to_string(), lock.display().to_string());
    let args = [
        "resolve",
        &input,
        "--channel-alias",
        alias,
        "--target",
        target,
        "-o",
        &lock_arg,
    ];
    let out = unilock(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock: toml::Table =
        toml::from_str(&std::fs::read_to_string(&lock).expect("lock")).expect("TOML");
    let package = lock["package"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("{name} is not in the lock"));
    let field = |k: &str| package[k].as_str().unwrap_or("").to_string();
    (field("version"), field("build"))
}

/// The preferred build is taken when nothing excludes it: for `libgcc` on linux-64,
/// `_openmp_mutex 4.5 20_gnu` (build number 20, with libgomp) installs, as resolvo (py-rattler)
/// chooses; with `libgomp` also asked for, or `_openmp_mutex` alone, 20_gnu is taken. The same
/// difference shows in every linux-64 and linux-aarch64 row of scripts/bench-conda.sh.
#[test]
fn the_highest_build_is_taken_when_a_constrained_package_could_be_installed() {
    let Some((alias, _)) = alias() else {
        return;
    };
    let (_, build) = chosen(&alias, &["libgcc"], "linux-64", "_openmp_mutex");
    assert_eq!(build, "20_gnu");
}

/// Whole versions are passed over too: `python=3.12 pyarrow polars` on linux-64 installs
/// pyarrow 25.0.0 with the same polars 1.43.2 (resolvo's answer, and unilock's own without
/// polars), but unilock takes pyarrow 18.1.0 and an AWS/Azure/gRPC stack a year older
/// (corpus/conda-bench/07-arrow.yml; 52 differences on linux-64, 48 on osx-arm64).
#[test]
fn the_newest_version_is_taken_when_a_constraint_names_its_dependencies() {
    let Some((alias, _)) = alias() else {
        return;
    };
    let deps = ["python=3.12", "pyarrow", "polars"];
    let (version, _) = chosen(&alias, &deps, "linux-64", "pyarrow");
    assert_eq!(version, "25.0.0");
}
