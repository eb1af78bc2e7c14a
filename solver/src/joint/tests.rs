//! `--consistent` in one run: wheels written by the test into a find-links directory (empty
//! files beside their core metadata), resolved for a Linux and a Windows target without
//! conda channels, and with a small conda channel.

use super::*;
use unilock_model::channel::NoChannels;
use unilock_model::target::NoEnvironment;
use unilock_registries::local::{LocalSource, Location};

/// A find-links directory of empty wheels, each with its core metadata (and `requires`).
fn wheels(list: &[(&str, &[&str])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, requires) in list {
        let mut parts = name.split('-');
        let (project, version) = (parts.next().unwrap(), parts.next().unwrap());
        std::fs::write(dir.path().join(name), b"").unwrap();
        let mut metadata = format!("Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n");
        for r in *requires {
            metadata.push_str(&format!("Requires-Dist: {r}\n"));
        }
        std::fs::write(dir.path().join(format!("{name}.metadata")), metadata).unwrap();
    }
    dir
}

/// A joint request of PyPI requirements only.
fn pypi_request(lines: &[&str]) -> JointRequest {
    JointRequest {
        pypi: Request {
            requirements: lines
                .iter()
                .map(|l| (l.parse().unwrap(), format!("test:{l}")))
                .collect(),
            ..Request::default()
        },
        ..JointRequest::default()
    }
}

fn consistent(dir: &tempfile::TempDir, lines: &[&str]) -> Result<Vec<Vec<String>>, String> {
    consistent_on(dir, lines, &["linux-64,python=3.12", "win-64,python=3.12"])
}

fn consistent_on(
    dir: &tempfile::TempDir,
    lines: &[&str],
    targets: &[&str],
) -> Result<Vec<Vec<String>>, String> {
    let source = LocalSource::new(vec![Location::FindLinks(dir.path().to_path_buf())]);
    let request = pypi_request(lines);
    let targets: Vec<Target> = targets
        .iter()
        .map(|t| Target::parse(t, &NoEnvironment).unwrap())
        .collect();
    let requests = vec![request; targets.len()];
    let resolutions =
        resolve_consistent(&NoChannels, &source, &targets, &requests).map_err(|e| e.render())?;
    Ok(resolutions
        .iter()
        .map(|r| {
            r.pypi
                .packages
                .iter()
                .map(|p| format!("{}=={}", p.name, p.version))
                .collect()
        })
        .collect())
}

#[test]
fn consistent_takes_the_newest_release_every_target_can_install() {
    // 3.0 left Windows out and 4.0 left Linux out: each target alone takes its own newest,
    // and 2.0 is the newest both can install.
    let dir = wheels(&[
        ("x-1.0-py3-none-any.whl", &[]),
        ("x-2.0-py3-none-manylinux_2_17_x86_64.whl", &[]),
        ("x-2.0-py3-none-win_amd64.whl", &[]),
        ("x-3.0-py3-none-manylinux_2_17_x86_64.whl", &[]),
        ("x-4.0-py3-none-win_amd64.whl", &[]),
    ]);
    assert_eq!(consistent(&dir, &["x"]).unwrap(), [["x==2.0"], ["x==2.0"]]);
}

#[test]
fn consistent_backtracks_through_a_dependency_one_target_lacks() {
    // The newest app needs a plugin that has no Windows wheel: a whole-solve loop forcing the
    // newest common app fails; the run takes app 1.0, whose plugin installs everywhere.
    let dir = wheels(&[
        ("app-2.0-py3-none-any.whl", &["plugin>=2"]),
        ("app-1.0-py3-none-any.whl", &["plugin<2"]),
        ("plugin-2.0-py3-none-manylinux_2_17_x86_64.whl", &[]),
        ("plugin-1.0-py3-none-any.whl", &[]),
    ]);
    assert_eq!(
        consistent(&dir, &["app"]).unwrap(),
        [["app==1.0", "plugin==1.0"], ["app==1.0", "plugin==1.0"]]
    );
}

#[test]
fn consistent_explains_a_package_no_release_of_which_installs_everywhere() {
    let dir = wheels(&[
        ("y-1.0-py3-none-manylinux_2_17_x86_64.whl", &[]),
        ("y-2.0-py3-none-win_amd64.whl", &[]),
    ]);
    let err = consistent(&dir, &["y"]).unwrap_err();
    for part in [
        "--consistent: no single set of versions works on every target",
        "linux-64,python=3.12",
        "win-64,python=3.12",
        "PyPI y",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
    eprintln!("{err}");
}

#[test]
fn a_dependency_only_one_target_needs_does_not_have_to_install_everywhere() {
    // app 2.0 needs `kernel` on Linux only, and kernel has Linux wheels only (as torch needs
    // triton on Linux): every target takes app 2.0, Windows without kernel.
    let dir = wheels(&[
        (
            "app-2.0-py3-none-any.whl",
            &["kernel; sys_platform == \"linux\""],
        ),
        ("app-1.0-py3-none-any.whl", &[]),
        ("kernel-3.0-py3-none-manylinux_2_17_x86_64.whl", &[]),
    ]);
    assert_eq!(
        consistent(&dir, &["app"]).unwrap(),
        [vec!["app==2.0", "kernel==3.0"], vec!["app==2.0"]]
    );
}

#[test]
fn a_dependency_one_target_cannot_install_is_passed_over_for_a_release_that_fits_both() {
    // As torch for centos7 and linux/arm64: torch 2.9 needs triton 3.5 on every Linux, whose
    // wheels need glibc 2.27 (centos7 has 2.17); torch 2.6 needs triton 3.2 on x86_64 only,
    // which has a manylinux2014 wheel. Each target alone takes a different torch, and forcing
    // versions between whole solves ended with "no version of triton installs on every
    // target"; one run finds torch 2.6.0 on both, triton on centos7 only.
    let dir = wheels(&[
        (
            "torch-2.9.0-py3-none-any.whl",
            &["triton==3.5.0; sys_platform == \"linux\""],
        ),
        (
            "torch-2.6.0-py3-none-any.whl",
            &["triton==3.2.0; platform_machine == \"x86_64\""],
        ),
        ("triton-3.5.0-py3-none-manylinux_2_27_x86_64.whl", &[]),
        ("triton-3.5.0-py3-none-manylinux_2_27_aarch64.whl", &[]),
        ("triton-3.2.0-py3-none-manylinux2014_x86_64.whl", &[]),
    ]);
    assert_eq!(
        consistent_on(
            &dir,
            &["torch"],
            &["centos7,python=3.12", "linux-aarch64,python=3.12"]
        )
        .unwrap(),
        [vec!["torch==2.6.0", "triton==3.2.0"], vec!["torch==2.6.0"]]
    );
}

#[test]
fn consistent_runs_honour_prefer_binary_and_list_source_builds_per_target() {
    let dir = tempfile::tempdir().unwrap();
    for (name, version) in [("x-1.0-py3-none-any.whl", "1.0"), ("x-2.0.tar.gz", "2.0")] {
        std::fs::write(dir.path().join(name), b"").unwrap();
        let metadata = format!("Metadata-Version: 2.2\nName: x\nVersion: {version}\n");
        std::fs::write(dir.path().join(format!("{name}.metadata")), metadata).unwrap();
    }
    let source = LocalSource::new(vec![Location::FindLinks(dir.path().to_path_buf())]);
    let targets: Vec<Target> = ["linux-64,python=3.12", "win-64,python=3.12"]
        .iter()
        .map(|t| Target::parse(t, &NoEnvironment).unwrap())
        .collect();
    let run = |prefer_binary: bool| {
        let mut pypi = Request {
            requirements: vec![("x".parse().unwrap(), "test:x".into())],
            ..Request::default()
        };
        pypi.binary.prefer_binary = prefer_binary;
        let requests = vec![
            JointRequest {
                pypi,
                ..JointRequest::default()
            };
            2
        ];
        resolve_consistent(&NoChannels, &source, &targets, &requests).unwrap()
    };
    let plain = run(false);
    for r in &plain {
        assert_eq!(r.pypi.packages[0].version, "2.0");
        assert_eq!(
            r.pypi.source_builds[0].message(r.target.spec()),
            format!(
                "x 2.0 has no wheel for {} (it publishes only a source distribution); 1.0 has one",
                r.target.spec()
            )
        );
    }
    for r in &run(true) {
        assert_eq!(r.pypi.packages[0].version, "1.0");
        assert!(r.pypi.source_builds.is_empty());
    }
}

/// As in the PyPI solve: a walk back through many versions with the same dependency keeps
/// the merged set of versions depending on it one run (boto3 through `--consistent`).
#[test]
fn a_joint_walk_through_many_versions_keeps_their_merged_dependency_one_run() {
    const VERSIONS: u32 = 300;
    let names: Vec<String> = (1..=VERSIONS)
        .map(|k| format!("a-{k}.0-py3-none-any.whl"))
        .collect();
    let mut list: Vec<(&str, &[&str])> =
        names.iter().map(|n| (n.as_str(), &["c>=2"][..])).collect();
    list.push(("c-1.0-py3-none-any.whl", &[]));
    list.push(("c-2.0-py3-none-any.whl", &[]));
    let dir = wheels(&list);
    let source = LocalSource::new(vec![Location::FindLinks(dir.path().to_path_buf())]);
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    let request = JointRequest {
        pypi: Request {
            requirements: ["a", "c<2"]
                .iter()
                .map(|l| (l.parse().unwrap(), format!("test:{l}")))
                .collect(),
            ..Request::default()
        },
        ..JointRequest::default()
    };
    let conda_side = conda::provider::Provider::new(&NoChannels, &target, &request.conda);
    let pypi_side =
        pypi::provider::Provider::new(&source, &request.pypi, &target, Default::default());
    let provider = Provider::new(conda_side, pypi_side);
    let Err(pubgrub::PubGrubError::NoSolution(tree)) = pubgrub::resolve(&provider, Pkg::Root, 0u32)
    else {
        panic!("a needs c>=2, the input c<2: no solution");
    };
    let sets = crate::sets::dependency_sets(&tree, "PyPI a", "PyPI c");
    let widest = sets
        .iter()
        .max_by_key(|s| (0..VERSIONS).filter(|i| s.contains(*i)).count())
        .expect("the derivation names a's dependency on c");
    assert!(
        (0..VERSIONS).all(|i| widest.contains(i)),
        "every version of a was tried: {widest}"
    );
    assert_eq!(widest.segments(), 1, "{widest}");
}

/// The joint solve for one Linux target with `lines` as PyPI requirements and no channels.
fn joint_on_linux(dir: &tempfile::TempDir, lines: &[&str]) -> Result<JointResolution, String> {
    let source = LocalSource::new(vec![Location::FindLinks(dir.path().to_path_buf())]);
    let request = pypi_request(lines);
    let target = Target::parse("linux-64,python=3.12", &NoEnvironment).unwrap();
    resolve(&NoChannels, &source, &target, &request).map_err(|e| e.render())
}

/// Extras are encoded in the joint solve as in the PyPI solve: `top` 2.0 asks for `base>=2`
/// and for `base[x]` with no bound, and `base[x]` 2.0 needs `dep<2`, which the input's
/// `dep>=2` forbids. The walk down `base[x]` reaches base 1.0, an sdist whose dependencies only
/// a build would tell: `base>=2` rules it out, so its metadata is never read (no "is skipped"
/// warning), and the search goes on to top 1.0.
#[test]
fn a_joint_extra_at_a_ruled_out_version_is_rejected_without_reading_its_metadata() {
    let dir = wheels(&[
        (
            "top-2.0-py3-none-any.whl",
            &["base>=2", "base[x]"] as &[&str],
        ),
        ("top-1.0-py3-none-any.whl", &["base"]),
        ("base-2.0-py3-none-any.whl", &["dep<2; extra == \"x\""]),
        ("base-1.0.tar.gz", &[]),
        ("dep-1.0-py3-none-any.whl", &[]),
        ("dep-2.0-py3-none-any.whl", &[]),
    ]);
    let r = joint_on_linux(&dir, &["top", "dep>=2"]).unwrap();
    let pins: Vec<String> = r
        .pypi
        .packages
        .iter()
        .map(|p| format!("{}=={}", p.name, p.version))
        .collect();
    assert_eq!(pins, ["base==2.0", "dep==2.0", "top==1.0"]);
    assert!(r.pypi.warnings.is_empty(), "{:?}", r.pypi.warnings);
}

/// A joint explanation speaks of the extra (`base[x] 2.0 depends on dep<2`), never of the
/// requirements under it as a package of their own.
#[test]
fn joint_explanations_speak_of_the_extra_not_of_the_requirements_under_it() {
    let dir = wheels(&[
        ("top-2.0-py3-none-any.whl", &["base[x]>=2"] as &[&str]),
        ("base-2.0-py3-none-any.whl", &["dep<2; extra == \"x\""]),
        ("dep-1.0-py3-none-any.whl", &[]),
        ("dep-2.0-py3-none-any.whl", &[]),
    ]);
    let e = joint_on_linux(&dir, &["top", "dep>=2"]).unwrap_err();
    assert!(e.contains("base[x]"), "{e}");
    assert!(!e.contains("depends on PyPI base[x]"), "{e}");
}

/// Two requirements on one name (`base[x]>=2`, `base<2`) are each quoted as written where the
/// joint explanation names them.
#[test]
fn a_joint_explanation_quotes_the_extra_and_its_package_apart() {
    let dir = wheels(&[
        ("base-1.0-py3-none-any.whl", &[] as &[&str]),
        ("base-2.0-py3-none-any.whl", &[]),
    ]);
    let e = joint_on_linux(&dir, &["base[x]>=2", "base<2"]).unwrap_err();
    assert!(e.contains("test:base[x]>=2 asks for `base[x]>=2`"), "{e}");
    assert!(e.contains("test:base<2 asks for `base<2`"), "{e}");
}
