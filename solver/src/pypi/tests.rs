//! Resolution specified on the fixture wheels of `corpus/fixtures/find-links` (real wheels,
//! read through the local find-links source):
//!
//! alpha 1.0 requires beta>=1 and, on Windows, gamma; beta 1.0 is pure Python, beta 2.0 has
//! only a manylinux_2_28 x86_64 wheel; delta 1.0 requires alpha and, with extra x, gamma.

use super::*;
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
    pre.pre = true;
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
