//! Resolution specified on the fixture wheels of `corpus/fixtures/find-links` (real wheels,
//! read through the local find-links source):
//!
//! alpha 1.0 requires beta>=1 and, on Windows, gamma; beta 1.0 is pure Python, beta 2.0 has
//! only a manylinux_2_28 x86_64 wheel; delta 1.0 requires alpha and, with extra x, gamma.

use super::*;
use crate::pypi::BinaryFlag;
use std::path::PathBuf;
use unilock_model::target::NoEnvironment;
use unilock_registries::local::{LocalSource, Location};

fn fixtures(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/fixtures")
        .join(dir)
}

fn source() -> LocalSource {
    LocalSource::new(vec![Location::FindLinks(fixtures("find-links"))])
}

fn request(lines: &[&str]) -> Request {
    Request {
        requirements: lines
            .iter()
            .map(|l| (l.parse().unwrap(), format!("test:{l}")))
            .collect(),
        ..Request::default()
    }
}

fn pins(target: &str, lines: &[&str]) -> Vec<String> {
    let target = Target::parse(target, &NoEnvironment).unwrap();
    let r = resolve(&source(), &target, &request(lines)).unwrap_or_else(|e| panic!("{e}"));
    r.packages
        .iter()
        .map(|p| format!("{}=={}", p.name, p.version))
        .collect()
}

#[test]
fn newest_fitting_wheel_wins_and_markers_follow_the_target() {
    assert_eq!(
        pins("linux-64,python=3.12", &["delta"]),
        ["alpha==1.0", "beta==2.0", "delta==1.0"]
    );
    assert_eq!(
        pins("win-64,python=3.12", &["delta"]),
        ["alpha==1.0", "beta==1.0", "delta==1.0", "gamma==1.0"]
    );
}

#[test]
fn old_glibc_and_other_architectures_fall_back_to_pure_wheels() {
    assert_eq!(pins("centos7,python=3.11", &["beta"]), ["beta==1.0"]);
    assert_eq!(pins("linux-aarch64,python=3.11", &["beta"]), ["beta==1.0"]);
}

#[test]
fn extras_pull_in_their_requirements() {
    assert_eq!(
        pins("linux-64,python=3.12", &["delta[x]"]),
        ["alpha==1.0", "beta==2.0", "delta==1.0", "gamma==1.0"]
    );
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    let r = resolve(&source(), &target, &request(&["delta[x]"])).unwrap();
    let delta = r.packages.iter().find(|p| p.name == "delta").unwrap();
    assert_eq!(delta.extras, ["x"]);
    assert_eq!(delta.dependencies, ["alpha", "gamma ; extra == 'x'"]);
    assert_eq!(delta.requested_by, ["test:delta[x]"]);
}

#[test]
fn files_carry_hashes_and_the_best_wheel_comes_first() {
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    let r = resolve(&source(), &target, &request(&["beta"])).unwrap();
    let beta = &r.packages[0];
    assert_eq!(beta.files.len(), 1);
    assert!(beta.files[0].filename.contains("manylinux_2_28"));
    assert_eq!(
        beta.files[0].hashes.get("sha256").map_or(0, String::len),
        64
    );
    assert!(!beta.needs_build);
}

#[test]
fn an_impossible_pin_is_explained_in_the_targets_terms() {
    let target = Target::parse("centos7,python=3.11", &NoEnvironment).unwrap();
    let e = resolve(&source(), &target, &request(&["beta>=2"])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsatisfiable);
    let text = e.render();
    assert!(
        text.contains(
            "beta 2.0: only manylinux_2_28 wheels; target centos7,python=3.11 has glibc 2.17"
        ),
        "{text}"
    );
}

#[test]
fn a_missing_project_is_named() {
    let target = Target::parse("linux-64", &NoEnvironment).unwrap();
    let e = resolve(&source(), &target, &request(&["epsilon"])).unwrap_err();
    assert!(
        e.render()
            .contains("epsilon is on none of the configured indexes"),
        "{}",
        e.render()
    );
}

#[test]
fn preferences_keep_an_older_pin() {
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    let mut req = request(&["beta"]);
    req.preferences
        .insert("beta".parse().unwrap(), "1.0".parse().unwrap());
    let r = resolve(&source(), &target, &req).unwrap();
    assert_eq!(r.packages[0].version, "1.0");
}

/// corpus/fixtures/sdists: gamma 2.0 is an sdist with metadata 2.1 (dependencies known only
/// after a build); epsilon 1.0 an sdist with static metadata 2.2 requiring gamma.
#[test]
fn sdists_are_read_when_static_and_skipped_with_a_reason_when_not() {
    let source = LocalSource::new(vec![
        Location::FindLinks(fixtures("find-links")),
        Location::FindLinks(fixtures("sdists")),
    ]);
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    let r = resolve(&source, &target, &request(&["epsilon"])).unwrap();
    let got: Vec<String> = r
        .packages
        .iter()
        .map(|p| format!("{}=={} build={}", p.name, p.version, p.needs_build))
        .collect();
    assert_eq!(got, ["epsilon==1.0 build=true", "gamma==1.0 build=false"]);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].starts_with("gamma 2.0 is skipped: its only file for the target is the source distribution gamma-2.0.tar.gz")
            && r.warnings[0].contains("metadata 2.1, older than 2.2"),
        "{}",
        r.warnings[0]
    );
    let mut only_binary = request(&["epsilon"]);
    only_binary.binary = crate::pypi::BinaryPolicy::only_binary_all();
    let e = resolve(&source, &target, &only_binary).unwrap_err();
    assert!(
        e.render()
            .contains("epsilon 1.0: only a source distribution"),
        "{}",
        e.render()
    );
}

/// corpus/fixtures/index/simple: a PEP 503 file:// index over the fixture wheels, with beta 2.0
/// yanked and delta 1.0 requiring Python >=3.13.
fn index() -> LocalSource {
    let url =
        url::Url::from_directory_path(fixtures("index/simple").canonicalize().unwrap()).unwrap();
    LocalSource::new(vec![Location::Index(url)])
}

fn index_pins(target: &str, req: &Request) -> Result<Vec<String>, String> {
    let target = Target::parse(target, &NoEnvironment).unwrap();
    resolve(&index(), &target, req)
        .map(|r| {
            r.packages
                .iter()
                .map(|p| format!("{}=={}", p.name, p.version))
                .collect()
        })
        .map_err(|e| e.render())
}

#[test]
fn yanked_versions_only_when_pinned_exactly() {
    let t = "linux-64,python=3.13";
    assert_eq!(index_pins(t, &request(&["beta"])).unwrap(), ["beta==1.0"]);
    assert_eq!(
        index_pins(t, &request(&["beta==2.0"])).unwrap(),
        ["beta==2.0"]
    );
    let e = index_pins(t, &request(&["beta>1"])).unwrap_err();
    assert!(e.contains("beta 2.0: yanked"), "{e}");
}

#[test]
fn requires_python_of_the_index_is_honoured() {
    let e = index_pins("linux-64,python=3.12", &request(&["delta"])).unwrap_err();
    assert!(
        e.contains(
            "delta 1.0: requires Python >=3.13; target linux-64,python=3.12 has Python 3.12"
        ),
        "{e}"
    );
    assert_eq!(
        index_pins("linux-64,python=3.13", &request(&["delta"])).unwrap(),
        ["alpha==1.0", "beta==1.0", "delta==1.0"]
    );
}

#[test]
fn pre_releases_when_asked_for_or_allowed() {
    let t = "linux-64,python=3.12";
    assert_eq!(index_pins(t, &request(&["gamma"])).unwrap(), ["gamma==1.0"]);
    assert_eq!(
        index_pins(t, &request(&["gamma>=1.1rc1"])).unwrap(),
        ["gamma==1.1rc1"]
    );
    let mut pre = request(&["gamma"]);
    pre.prerelease = PrereleaseMode::Allow;
    assert_eq!(index_pins(t, &pre).unwrap(), ["gamma==1.1rc1"]);
}

#[test]
fn a_specifier_no_listed_version_matches_is_shown_as_written() {
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    let e = resolve(&source(), &target, &request(&["alpha", "beta<1"])).unwrap_err();
    assert!(
        e.render().contains("the requirements ask for beta<1, which no listed version matches (newest first: 2.0, 1.0)"),
        "{}",
        e.render()
    );
}

/// A find-links directory of empty distribution files, each with its core metadata file
/// (static metadata 2.2 for sdists, so they are read without a build).
fn dists(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in names {
        let parsed = unilock_model::index::DistName::parse(name).unwrap();
        std::fs::write(dir.path().join(name), b"").unwrap();
        let metadata = format!(
            "Metadata-Version: 2.2\nName: {}\nVersion: {}\n",
            parsed.project, parsed.version
        );
        std::fs::write(dir.path().join(format!("{name}.metadata")), metadata).unwrap();
    }
    dir
}

/// x 2.0 has an sdist and a manylinux_2_28 wheel, x 1.0 a manylinux_2_17 wheel; y has only an
/// sdist; z a pure wheel and an sdist; w only a pure wheel.
fn binary_fixture() -> tempfile::TempDir {
    dists(&[
        "x-1.0-py3-none-manylinux_2_17_x86_64.whl",
        "x-2.0-py3-none-manylinux_2_28_x86_64.whl",
        "x-2.0.tar.gz",
        "y-1.0.tar.gz",
        "z-1.0-py3-none-any.whl",
        "z-1.0.tar.gz",
        "w-1.0-py3-none-any.whl",
    ])
}

fn with_policy(lines: &[&str], flags: &[(BinaryFlag, &str)], prefer: bool) -> Request {
    let mut r = request(lines);
    for (flag, value) in flags {
        r.binary.apply(*flag, value).unwrap();
    }
    r.binary.prefer_binary = prefer;
    r
}

fn solve(dir: &tempfile::TempDir, req: &Request) -> Result<Resolution, String> {
    let source = LocalSource::new(vec![Location::FindLinks(dir.path().to_path_buf())]);
    let target = Target::parse("centos7,python=3.12", &NoEnvironment).unwrap();
    resolve(&source, &target, req).map_err(|e| e.render())
}

fn built(r: &Resolution) -> Vec<String> {
    r.packages
        .iter()
        .map(|p| format!("{}=={} build={}", p.name, p.version, p.needs_build))
        .collect()
}

#[test]
fn prefer_binary_takes_an_older_version_with_a_wheel_for_the_target() {
    let dir = binary_fixture();
    let plain = solve(&dir, &request(&["x"])).unwrap();
    assert_eq!(built(&plain), ["x==2.0 build=true"]);
    let prefer = solve(&dir, &with_policy(&["x"], &[], true)).unwrap();
    assert_eq!(built(&prefer), ["x==1.0 build=false"]);
    assert!(prefer.source_builds.is_empty());
    // With no version with a wheel in range, the sdist is still taken.
    let only_sdists = solve(&dir, &with_policy(&["x>=2", "y"], &[], true)).unwrap();
    assert_eq!(
        built(&only_sdists),
        ["x==2.0 build=true", "y==1.0 build=true"]
    );
}

#[test]
fn no_binary_locks_the_sdist_even_where_a_wheel_fits() {
    let dir = binary_fixture();
    assert_eq!(
        built(&solve(&dir, &request(&["z"])).unwrap()),
        ["z==1.0 build=false"]
    );
    let r = solve(
        &dir,
        &with_policy(&["z"], &[(BinaryFlag::NoBinary, "Z")], false),
    )
    .unwrap();
    assert_eq!(built(&r), ["z==1.0 build=true"]);
    assert_eq!(r.packages[0].files[0].filename, "z-1.0.tar.gz");
    assert_eq!(r.source_builds[0].cause, BuildCause::Asked);
    assert_eq!(
        r.source_builds[0].message("centos7,python=3.12"),
        "z 1.0 is built from source for centos7,python=3.12, as --no-binary asks"
    );
    // A package with only wheels cannot be built: the explanation names the flag.
    let e = solve(
        &dir,
        &with_policy(&["w"], &[(BinaryFlag::NoBinary, ":all:")], false),
    )
    .unwrap_err();
    assert!(
        e.contains("w 1.0: only wheels, and only a source distribution is allowed (--no-binary)"),
        "{e}"
    );
}

#[test]
fn only_binary_for_one_name_leaves_the_others_free() {
    let dir = binary_fixture();
    let r = solve(
        &dir,
        &with_policy(&["x", "y"], &[(BinaryFlag::OnlyBinary, "x")], false),
    )
    .unwrap();
    assert_eq!(built(&r), ["x==1.0 build=false", "y==1.0 build=true"]);
    // `:all:` of --no-binary after it takes x back to its sdist.
    let r = solve(
        &dir,
        &with_policy(
            &["x"],
            &[
                (BinaryFlag::OnlyBinary, "x"),
                (BinaryFlag::NoBinary, ":all:"),
            ],
            false,
        ),
    )
    .unwrap();
    assert_eq!(built(&r), ["x==2.0 build=true"]);
}

#[test]
fn the_source_build_summary_names_the_reason_and_the_newest_version_with_a_wheel() {
    let dir = binary_fixture();
    let r = solve(&dir, &request(&["x", "y", "z"])).unwrap();
    let lines: Vec<String> = r
        .source_builds
        .iter()
        .map(|b| b.message("centos7,python=3.12"))
        .collect();
    assert_eq!(
        lines,
        [
            "x 2.0 has no wheel for centos7,python=3.12 (only manylinux_2_28 wheels; the target has glibc 2.17); 1.0 has one",
            "y 1.0 has no wheel for centos7,python=3.12 (it publishes only a source distribution); no version has a wheel for it",
        ]
    );
    assert_eq!(r.source_builds[0].newest_with_wheel.as_deref(), Some("1.0"));
    assert!(matches!(r.source_builds[0].cause, BuildCause::Misfit(_)));
    assert_eq!(r.source_builds[1].cause, BuildCause::NoWheels);
}

/// A find-links directory of empty pure wheels with their metadata: (name, version,
/// requirements) per entry.
fn wheels(entries: &[(String, String, Vec<&str>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, version, requires) in entries {
        let file = format!("{name}-{version}-py3-none-any.whl");
        std::fs::write(dir.path().join(&file), b"").unwrap();
        let mut metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        for r in requires {
            metadata.push_str(&format!("Requires-Dist: {r}\n"));
        }
        std::fs::write(dir.path().join(format!("{file}.metadata")), metadata).unwrap();
    }
    dir
}

/// A find-links directory of empty distribution files, each with a core metadata file of the
/// given metadata version and further header lines (`Requires-Dist: …`).
fn dists_with(entries: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, metadata_version, headers) in entries {
        let parsed = unilock_model::index::DistName::parse(name).unwrap();
        std::fs::write(dir.path().join(name), b"").unwrap();
        let metadata = format!(
            "Metadata-Version: {metadata_version}\nName: {}\nVersion: {}\n{headers}",
            parsed.project, parsed.version
        );
        std::fs::write(dir.path().join(format!("{name}.metadata")), metadata).unwrap();
    }
    dir
}

/// Walking back through many versions with the same dependency (boto3 and botocore under an
/// old urllib3 ceiling walk some 1,500): PubGrub merges the dependency of each version tried
/// into that of the versions before it, and the merged set of versions stays one run instead
/// of one segment per version (memory growing with the square of the versions walked).
#[test]
fn a_walk_through_many_versions_keeps_their_merged_dependency_one_run() {
    const VERSIONS: u32 = 300;
    let mut entries: Vec<(String, String, Vec<&str>)> = (1..=VERSIONS)
        .map(|k| ("a".to_string(), format!("{k}.0"), vec!["c>=2"]))
        .collect();
    entries.push(("c".into(), "1.0".into(), vec![]));
    entries.push(("c".into(), "2.0".into(), vec![]));
    let dir = wheels(&entries);
    let source = LocalSource::new(vec![Location::FindLinks(dir.path().to_path_buf())]);
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    let req = request(&["a", "c<2"]);
    let provider = provider::Provider::new(&source, &req, &target, HashMap::new());
    let Err(pubgrub::PubGrubError::NoSolution(tree)) =
        pubgrub::resolve(&provider, Pkg::Root, provider::ROOT_CANDIDATE)
    else {
        panic!("a needs c>=2, the input c<2: no solution");
    };
    let sets = crate::sets::dependency_sets(&tree, "a", "c");
    let widest = sets
        .iter()
        .max_by_key(|s| (0..VERSIONS).filter(|i| s.contains(*i)).count())
        .expect("the derivation names a's dependency on c");
    assert!(
        (0..VERSIONS).all(|i| widest.contains(i)),
        "every version of a was tried: {widest}"
    );
    assert_eq!(widest.segments(), 1, "{widest}");
    // The explanation reads as it did with one segment per version.
    let e = resolve(&source, &target, &req).unwrap_err();
    assert!(
        e.render()
            .contains("Because a depends on c 2.0 and the requirements ask for a"),
        "{}",
        e.render()
    );
}

/// The shape of `celery[redis]` → `kombu[redis]` in apache-airflow[all]: `top` 2.0 asks for
/// `base>=2` and for the extra `base[x]` with no bound; `base[x]` 2.0 needs `dep<2`, which the
/// input's `dep>=2` forbids, so the search walks down the extra's versions. base 1.0 is an
/// sdist whose dependencies only a build would tell (metadata 2.1): it is ruled out by
/// `base>=2` alone, so its metadata is never read (no "is skipped" warning; with a builder,
/// no build), and the search goes on to top 1.0.
#[test]
fn an_extra_at_a_ruled_out_version_is_rejected_without_reading_its_metadata() {
    let dir = dists_with(&[
        (
            "top-2.0-py3-none-any.whl",
            "2.2",
            "Requires-Dist: base>=2\nRequires-Dist: base[x]\n",
        ),
        ("top-1.0-py3-none-any.whl", "2.2", "Requires-Dist: base\n"),
        (
            "base-2.0-py3-none-any.whl",
            "2.2",
            "Provides-Extra: x\nRequires-Dist: dep<2; extra == \"x\"\n",
        ),
        ("base-1.0.tar.gz", "2.1", "Provides-Extra: x\n"),
        ("dep-1.0-py3-none-any.whl", "2.2", ""),
        ("dep-2.0-py3-none-any.whl", "2.2", ""),
    ]);
    let r = solve(&dir, &request(&["top", "dep>=2"])).unwrap();
    assert_eq!(
        built(&r),
        [
            "base==2.0 build=false",
            "dep==2.0 build=false",
            "top==1.0 build=false"
        ]
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

/// The requirements under an extra are a package of the encoding only: an explanation speaks
/// of the extra (`base[x] 2.0 depends on dep<2`), never of an extra depending on itself.
#[test]
fn explanations_speak_of_the_extra_not_of_the_requirements_under_it() {
    let dir = dists_with(&[
        (
            "top-2.0-py3-none-any.whl",
            "2.2",
            "Requires-Dist: base[x]>=2\n",
        ),
        (
            "base-2.0-py3-none-any.whl",
            "2.2",
            "Provides-Extra: x\nRequires-Dist: dep<2; extra == \"x\"\n",
        ),
        ("dep-1.0-py3-none-any.whl", "2.2", ""),
        ("dep-2.0-py3-none-any.whl", "2.2", ""),
    ]);
    let e = solve(&dir, &request(&["top", "dep>=2"])).unwrap_err();
    assert!(e.contains("base[x] 2.0 depends on dep<2"), "{e}");
    assert!(!e.contains("base[x] 2.0 depends on base[x]"), "{e}");
}

/// The local source, noting each file whose metadata the solve reads, and the files whose
/// metadata it asks to be fetched ahead (one list per request).
struct Noting {
    inner: LocalSource,
    read: std::sync::Mutex<Vec<String>>,
    ahead: std::sync::Mutex<Vec<Vec<String>>>,
}

impl unilock_model::index::PackageSource for Noting {
    fn project(
        &self,
        name: &str,
    ) -> Result<Option<std::sync::Arc<unilock_model::index::ProjectFiles>>, Diagnostic> {
        self.inner.project(name)
    }

    fn metadata(
        &self,
        project: &unilock_model::index::ProjectFiles,
        file: &DistFile,
    ) -> Result<unilock_model::index::Metadata, Diagnostic> {
        self.read.lock().unwrap().push(file.filename.clone());
        self.inner.metadata(project, file)
    }

    fn prefetch_metadata(&self, _: &unilock_model::index::ProjectFiles, files: &[DistFile]) {
        let names = files.iter().map(|f| f.filename.clone()).collect();
        self.ahead.lock().unwrap().push(names);
    }
}

/// A package and its extras are decided together, in the order their name was first seen (as
/// uv orders them): `top` asks for `base`, `mid` and `r`; `mid` asks for `base[x]`, whose
/// requirements at base 2.0 need `r<2`. base[x] is decided right after base and mid, before
/// r (seen before the extra but after base), so r 2.0 is never tried (its metadata is never
/// read); deciding r first would try r 2.0 and then take it back.
#[test]
fn an_extra_is_decided_with_its_package_before_names_seen_later() {
    let dir = dists_with(&[
        (
            "top-1.0-py3-none-any.whl",
            "2.2",
            "Requires-Dist: base\nRequires-Dist: mid\nRequires-Dist: r\n",
        ),
        (
            "mid-1.0-py3-none-any.whl",
            "2.2",
            "Requires-Dist: base[x]\n",
        ),
        (
            "base-2.0-py3-none-any.whl",
            "2.2",
            "Provides-Extra: x\nRequires-Dist: r<2; extra == \"x\"\n",
        ),
        ("base-1.0-py3-none-any.whl", "2.2", "Provides-Extra: x\n"),
        ("r-1.0-py3-none-any.whl", "2.2", ""),
        ("r-2.0-py3-none-any.whl", "2.2", ""),
    ]);
    let source = Noting {
        inner: LocalSource::new(vec![Location::FindLinks(dir.path().to_path_buf())]),
        read: Default::default(),
        ahead: Default::default(),
    };
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    let r = resolve(&source, &target, &request(&["top"])).unwrap();
    assert_eq!(
        built(&r),
        [
            "base==2.0 build=false",
            "mid==1.0 build=false",
            "r==1.0 build=false",
            "top==1.0 build=false"
        ]
    );
    let read = source.read.lock().unwrap();
    assert!(!read.iter().any(|f| f.starts_with("r-2.0")), "{read:?}");
}

/// uv's scenario `wrong-backtracking-basic`: `a` is decided first, at 2.0, and every new `b`
/// needs `a==1.0`. `a` is the culprit of b's conflicts five times over, so the search decides
/// it later and undoes its decision: `b` is decided first, at its newest version, and `a`
/// follows at 1.0. Without that, the search keeps `a` 2.0 and walks `b` down to the old 1.0,
/// which needs a package nothing else does.
#[test]
fn a_package_often_the_culprit_of_conflicts_is_decided_after_its_victims() {
    let mut entries: Vec<(String, String, Vec<&str>)> = vec![
        ("a".into(), "1.0".into(), vec![]),
        ("a".into(), "2.0".into(), vec![]),
        ("old".into(), "1.0".into(), vec![]),
        ("b".into(), "1.0".into(), vec!["old"]),
    ];
    for k in 0..10 {
        entries.push(("b".into(), format!("2.0.{k}"), vec!["a==1.0"]));
    }
    let dir = wheels(&entries);
    let source = LocalSource::new(vec![Location::FindLinks(dir.path().to_path_buf())]);
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    let req = request(&["a", "b"]);
    let r = resolve(&source, &target, &req).unwrap();
    assert_eq!(built(&r), ["a==1.0 build=false", "b==2.0.9 build=false"]);
}

/// A walk down a package's versions fetches the next versions' metadata ahead, as uv's batch
/// prefetch does: after 5 versions tried, the 5 below the last one tried (newest first); after
/// 10, the next 10; after 20, the next 20. `a`'s 30 versions all need `c>=2`, which the input
/// forbids, so the search tries every one of them.
#[test]
fn a_walk_down_a_package_fetches_the_next_versions_metadata_ahead() {
    let mut entries: Vec<(String, String, Vec<&str>)> = (1..=30)
        .map(|k| ("a".to_string(), format!("{k}.0"), vec!["c>=2"]))
        .collect();
    entries.push(("c".into(), "1.0".into(), vec![]));
    entries.push(("c".into(), "2.0".into(), vec![]));
    let dir = wheels(&entries);
    let source = Noting {
        inner: LocalSource::new(vec![Location::FindLinks(dir.path().to_path_buf())]),
        read: Default::default(),
        ahead: Default::default(),
    };
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    assert!(resolve(&source, &target, &request(&["a", "c<2"])).is_err());
    let asked = source.ahead.lock().unwrap();
    let versions = |batch: &[String]| -> Vec<String> {
        batch
            .iter()
            .map(|f| {
                f.trim_start_matches("a-")
                    .split('-')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(asked.len(), 3, "{asked:?}");
    assert_eq!(
        versions(&asked[0]),
        ["25.0", "24.0", "23.0", "22.0", "21.0"]
    );
    assert_eq!(
        versions(&asked[1]).first().map(String::as_str),
        Some("20.0")
    );
    assert_eq!(asked[1].len(), 10);
    assert_eq!(
        asked[2].len(),
        10,
        "only 10 versions are left below: {asked:?}"
    );
}

/// An extra asked for in a range no listed version matches is explained as asked, as a plain
/// requirement is. Two requirements on one name from one parent (`base[x]>=2`, `base<2`) are
/// each shown as written, and what the solve derives from them as the versions it holds.
#[test]
fn an_extra_and_its_package_asked_for_apart_are_each_explained_as_asked() {
    let dir = dists_with(&[
        ("base-1.0-py3-none-any.whl", "2.2", "Provides-Extra: x\n"),
        ("base-2.0-py3-none-any.whl", "2.2", "Provides-Extra: x\n"),
    ]);
    let e = solve(&dir, &request(&["base[x]>=3"])).unwrap_err();
    assert!(
        e.contains("which no listed version matches (newest first: 2.0, 1.0)"),
        "{e}"
    );
    let e = solve(&dir, &request(&["base[x]>=2", "base<2"])).unwrap_err();
    assert!(e.contains("the requirements ask for base[x]>=2"), "{e}");
    assert!(e.contains("the requirements need base 2.0"), "{e}");
    assert!(e.contains("the requirements ask for base<2"), "{e}");
    assert!(!e.contains("base[x]<2"), "{e}");
}
