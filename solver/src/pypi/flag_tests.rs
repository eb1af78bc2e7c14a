//! The resolution flags users type, specified by what uv chooses on the same index:
//! `--prerelease` modes, constraints (`-c`) and overrides (`--override`). Each case's
//! expectation is what `uv pip compile` printed for the same find-links directory.

use super::*;
use unilock_model::target::NoEnvironment;
use unilock_registries::local::{LocalSource, Location};

/// A find-links directory of empty pure wheels, each with its core metadata file: `name
/// version requirement…` per entry.
fn index(entries: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in entries {
        let mut words = entry.split(' ');
        let (name, version) = (words.next().unwrap(), words.next().unwrap());
        let file = format!("{name}-{version}-py3-none-any.whl");
        std::fs::write(dir.path().join(&file), b"").unwrap();
        let mut metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        for r in words {
            metadata.push_str(&format!("Requires-Dist: {r}\n"));
        }
        std::fs::write(dir.path().join(format!("{file}.metadata")), metadata).unwrap();
    }
    dir
}

fn parse(lines: &[&str]) -> Vec<pep508_rs::Requirement> {
    lines.iter().map(|l| l.parse().unwrap()).collect()
}

/// The pins of `requirements` on linux-64 with Python 3.12, or the error's text.
fn pins(dir: &tempfile::TempDir, requirements: &[&str], shape: impl Fn(&mut Request)) -> String {
    let mut request = Request {
        requirements: parse(requirements)
            .into_iter()
            .map(|r| (r, "test".to_string()))
            .collect(),
        ..Request::default()
    };
    shape(&mut request);
    let source = LocalSource::new(vec![Location::FindLinks(dir.path().to_path_buf())]);
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    match resolve(&source, &target, &request) {
        Ok(r) => r
            .packages
            .iter()
            .map(|p| format!("{}=={}", p.name, p.version))
            .collect::<Vec<_>>()
            .join(" "),
        Err(e) => format!("error: {}", e.message()),
    }
}

fn mode(m: PrereleaseMode) -> impl Fn(&mut Request) {
    move |r: &mut Request| r.prerelease = m
}

const UNSAT: &str = "error: the requirements cannot be satisfied on target linux-64,python=3.12";

#[test]
fn the_default_prefers_stable_versions_even_where_a_requirement_names_a_pre_release() {
    let a = index(&["a 1.0", "a 2.0b1"]);
    let only_pre = index(&["a 2.0b1"]);
    let transitive = index(&["a 1.0", "a 2.0b1", "b 1.0 a>=2.0b1"]);
    let default = PrereleaseMode::default();
    assert_eq!(pins(&a, &["a"], mode(default)), "a==1.0");
    // uv: `a>=1.0b1` still takes the stable 1.0 (it took 2.0b1 before uv's mode was followed).
    assert_eq!(pins(&a, &["a>=1.0b1"], mode(default)), "a==1.0");
    assert_eq!(pins(&a, &["a>=2.0b1"], mode(default)), "a==2.0b1");
    assert_eq!(pins(&only_pre, &["a"], mode(default)), "a==2.0b1");
    assert_eq!(pins(&transitive, &["b"], mode(default)), "a==2.0b1 b==1.0");
}

#[test]
fn allow_takes_the_newest_version_pre_release_or_not() {
    let a = index(&["a 1.0", "a 2.0b1"]);
    let allow = PrereleaseMode::Allow;
    assert_eq!(pins(&a, &["a"], mode(allow)), "a==2.0b1");
    assert_eq!(pins(&a, &["a>=1.0b1"], mode(allow)), "a==2.0b1");
    assert_eq!(pins(&a, &["a!=2.0b1"], mode(allow)), "a==1.0");
}

#[test]
fn disallow_never_takes_a_pre_release() {
    let a = index(&["a 1.0", "a 2.0b1"]);
    let only_pre = index(&["a 2.0b1"]);
    let transitive = index(&["a 1.0", "a 2.0b1", "b 1.0 a>=2.0b1"]);
    let disallow = PrereleaseMode::Disallow;
    assert_eq!(pins(&a, &["a>=1.0b1"], mode(disallow)), "a==1.0");
    assert_eq!(pins(&a, &["a>=2.0b1"], mode(disallow)), UNSAT);
    assert_eq!(pins(&a, &["a==2.0b1"], mode(disallow)), UNSAT);
    assert_eq!(pins(&only_pre, &["a"], mode(disallow)), UNSAT);
    assert_eq!(pins(&transitive, &["b"], mode(disallow)), UNSAT);
}

#[test]
fn explicit_allows_pre_releases_only_where_the_input_names_one() {
    let a = index(&["a 1.0", "a 2.0b1"]);
    let only_pre = index(&["a 2.0b1"]);
    let transitive = index(&["a 1.0", "a 2.0b1", "b 1.0 a>=2.0b1"]);
    let newer = index(&["a 1.0", "a 2.0b1", "a 3.0"]);
    let explicit = PrereleaseMode::Explicit;
    assert_eq!(pins(&a, &["a>=2.0b1"], mode(explicit)), "a==2.0b1");
    assert_eq!(pins(&a, &["a>=1.0b1"], mode(explicit)), "a==1.0");
    assert_eq!(pins(&newer, &["a>=2.0b1"], mode(explicit)), "a==3.0");
    assert_eq!(pins(&newer, &["a>=2.0b1,<3"], mode(explicit)), "a==2.0b1");
    // Not named by the input: no pre-release, even the only version.
    assert_eq!(pins(&only_pre, &["a"], mode(explicit)), UNSAT);
    assert_eq!(pins(&transitive, &["b"], mode(explicit)), UNSAT);
    // A constraint or an override naming one opts in; excluding one (`!=`) does not.
    let constrained = |r: &mut Request| {
        r.prerelease = explicit;
        r.constraints = parse(&["a>=2.0b1"]);
    };
    assert_eq!(pins(&a, &["a"], constrained), "a==2.0b1");
    let overridden = |r: &mut Request| {
        r.prerelease = explicit;
        r.overrides = parse(&["a>=2.0b1"]);
    };
    assert_eq!(pins(&a, &["a"], overridden), "a==2.0b1");
    assert_eq!(pins(&only_pre, &["a!=2.0b2"], mode(explicit)), UNSAT);
}

#[test]
fn constraints_limit_versions_and_never_add_packages() {
    let dir = index(&["a 1.0", "a 2.0", "a 3.0", "b 1.0 a>=2", "c 1.0"]);
    let constrained =
        |lines: &'static [&'static str]| move |r: &mut Request| r.constraints = parse(lines);
    assert_eq!(pins(&dir, &["b"], constrained(&["a<3"])), "a==2.0 b==1.0");
    // A constraint on a package nothing requires, or that no index has, is ignored (pip).
    assert_eq!(
        pins(&dir, &["b"], constrained(&["c<1", "zzz==1"])),
        "a==3.0 b==1.0"
    );
    // One that holds on other platforms only does not apply.
    assert_eq!(
        pins(&dir, &["b"], constrained(&["a<3; sys_platform == 'win32'"])),
        "a==3.0 b==1.0"
    );
    assert!(pins(&dir, &["b"], constrained(&["a<2"])).starts_with("error:"));
}

#[test]
fn overrides_replace_every_requirement_on_the_package_together() {
    let dir = index(&["a 1.0", "a 2.0", "a 3.0", "b 1.0 a>=3", "c 1.0"]);
    let overridden =
        |lines: &'static [&'static str]| move |r: &mut Request| r.overrides = parse(lines);
    // b's `a>=3` is replaced by both overrides: a>=1 and a<3 (uv: a==2.0).
    assert_eq!(
        pins(&dir, &["b"], overridden(&["a<3", "a>=1"])),
        "a==2.0 b==1.0"
    );
    // An override does not add a package nothing requires.
    assert_eq!(pins(&dir, &["b"], overridden(&["c==1.0"])), "a==3.0 b==1.0");
    // It replaces the input's own requirement on the package too.
    assert_eq!(pins(&dir, &["a>=3"], overridden(&["a==1.0"])), "a==1.0");
}

#[test]
fn a_pre_release_the_mode_leaves_out_is_named_in_the_explanation() {
    let transitive = index(&["a 1.0", "a 2.0b1", "b 1.0 a>=2.0b1"]);
    let source = LocalSource::new(vec![Location::FindLinks(transitive.path().to_path_buf())]);
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    for (mode, says) in [
        (
            PrereleaseMode::Disallow,
            "--prerelease disallow takes no pre-release",
        ),
        (
            PrereleaseMode::Explicit,
            "--prerelease explicit takes pre-releases only of packages whose input requirements name one",
        ),
    ] {
        let request = Request {
            requirements: vec![("b".parse().unwrap(), "test".into())],
            prerelease: mode,
            ..Request::default()
        };
        let e = resolve(&source, &target, &request).unwrap_err().render();
        assert!(
            e.contains(&format!("a 2.0b1 is a pre-release, and {says}")),
            "{e}"
        );
    }
}
