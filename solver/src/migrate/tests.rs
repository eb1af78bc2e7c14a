use super::report::{Run, migration_md};
use super::*;
use crate::conda::provider::parse_spec;
use unilock_model::lock::{LockedPackage, LockedTarget};

fn specs(list: &[&str]) -> Vec<(MatchSpec, String)> {
    list.iter()
        .enumerate()
        .map(|(i, s)| {
            (
                parse_spec(s).unwrap(),
                format!("environment.yml:{}:5", i + 5),
            )
        })
        .collect()
}

fn package(name: &str, version: &str, channel: &str, requested: bool) -> CondaPackage {
    CondaPackage {
        name: name.into(),
        version: version.into(),
        build: Some("0".into()),
        channel: channel.into(),
        purls: Vec::new(),
        constraint: None,
        requested: requested.then(|| format!("environment.yml ({name})")),
    }
}

fn decision<'p>(plan: &'p Plan, name: &str) -> &'p Decision {
    &plan
        .entries
        .iter()
        .find(|e| e.package.name == name)
        .unwrap_or_else(|| panic!("{name} has no entry"))
        .decision
}

fn pip(list: &[&str]) -> Vec<(pep508_rs::Requirement, String)> {
    list.iter()
        .map(|r| (r.parse().unwrap(), "environment.yml:20:9".to_string()))
        .collect()
}

fn requirement_names(plan: &Plan) -> Vec<String> {
    let mut names: Vec<String> = plan
        .requirements
        .iter()
        .map(|(r, _)| r.to_string())
        .collect();
    names.sort();
    names
}

/// `conda env export` output (`name=version=build` everywhere) is a set of pins; one loose spec
/// makes it an environment to solve.
#[test]
fn an_exported_environment_is_fully_pinned_and_a_loose_one_is_not() {
    let exported = specs(&[
        "numpy=1.26.4=py311h64a7726_0",
        "python=3.11.9=hb806964_0_cpython",
        "pytorch::pytorch=2.1.0=py3.11_cuda12.1_cudnn8.9.2_0",
    ]);
    let pins = pinned(&exported, &["conda-forge".into()]).unwrap();
    assert_eq!(pins.len(), 3);
    assert_eq!(
        (pins[0].name.as_str(), pins[0].version.as_str()),
        ("numpy", "1.26.4")
    );
    assert_eq!(pins[0].build.as_deref(), Some("py311h64a7726_0"));
    assert_eq!(pins[0].channel, "conda-forge");
    assert_eq!(pins[2].channel, "pytorch");
    assert_eq!(pins[1].requested.as_deref(), Some("environment.yml:6:5"));

    for loose in [
        &["numpy=1.26.4=py311h64a7726_0", "scipy"][..],
        &["numpy=1.26.4"],
        &["numpy>=1.26=py311*"],
        &["numpy=1.26.4=py311*"],
    ] {
        assert_eq!(
            pinned(&specs(loose), &["conda-forge".into()]),
            None,
            "{loose:?}"
        );
    }
    assert_eq!(pinned(&[], &[]), None);
}

/// Each kind of conda package gets its decision: the interpreter, a PyPI distribution at the
/// conda version (renamed where PyPI names it otherwise), a system package with its names, an
/// R package, nothing known.
#[test]
fn every_conda_package_gets_a_decision() {
    let plan = plan(
        vec![
            package("python", "3.11.9", "conda-forge", true),
            package("numpy", "1.26.4", "conda-forge", true),
            package("matplotlib-base", "3.8.4", "conda-forge", true),
            package("packaging", "24.0", "conda-forge", false),
            package("openssl", "3.3.0", "conda-forge", false),
            package("gxx", "13.2.0", "conda-forge", true),
            package("r-ggplot2", "3.5.1", "conda-forge", true),
            package("libabseil", "20240116.2", "conda-forge", false),
            package("cudatoolkit", "11.8.0", "conda-forge", true),
        ],
        &[],
    );
    assert_eq!(plan.entries.len(), 9, "nothing is dropped");
    assert_eq!(plan.python.as_deref(), Some("3.11"));
    assert_eq!(
        decision(&plan, "python"),
        &Decision::Interpreter {
            major_minor: "3.11".into()
        }
    );
    assert_eq!(
        decision(&plan, "matplotlib-base"),
        &Decision::Pypi {
            distributions: vec!["matplotlib".into()],
            preference: Some("3.8.4".parse().unwrap()),
        }
    );
    match decision(&plan, "openssl") {
        Decision::System {
            kind: Kind::Library,
            row: Some(row),
        } => assert_eq!(row.apt, system_packages::Names::Install("libssl3")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        decision(&plan, "gxx"),
        Decision::System {
            kind: Kind::Compiler,
            ..
        }
    ));
    assert_eq!(decision(&plan, "r-ggplot2"), &Decision::RPackage);
    assert_eq!(decision(&plan, "libabseil"), &Decision::Unknown);
    // No torch: the CUDA toolkit is a system package.
    assert!(matches!(
        decision(&plan, "cudatoolkit"),
        Decision::System {
            kind: Kind::Cuda,
            row: Some(_)
        }
    ));
    // Requested packages are required (unversioned); dependencies are preferences only.
    assert_eq!(requirement_names(&plan), ["matplotlib", "numpy"]);
    let pref = |n: &str| {
        plan.preferences
            .get(&pep508_rs::PackageName::new(n.into()).unwrap())
            .map(ToString::to_string)
    };
    assert_eq!(pref("numpy").as_deref(), Some("1.26.4"));
    assert_eq!(pref("packaging").as_deref(), Some("24.0"));
    assert_eq!(pref("matplotlib").as_deref(), Some("3.8.4"));
}

/// pytorch-channel usage: `pytorch` becomes `torch` at the conda version, and the CUDA pieces
/// (`pytorch-cuda`, `cudatoolkit`, the nvidia channel's packages) are brought by the torch
/// wheels; `pytorch-mutex` is a metapackage.
#[test]
fn pytorch_and_cuda_map_to_the_torch_wheels() {
    let plan = plan(
        vec![
            package("pytorch", "2.1.0", "pytorch", true),
            package("torchvision", "0.16.0", "pytorch", true),
            package("pytorch-cuda", "12.1", "pytorch", true),
            package("pytorch-mutex", "1.0", "pytorch", false),
            package("cuda-cudart", "12.1.105", "nvidia", false),
            package("libcublas", "12.1.0.26", "nvidia", false),
            package("cudatoolkit", "11.8.0", "conda-forge", false),
        ],
        &[],
    );
    assert_eq!(
        decision(&plan, "pytorch"),
        &Decision::Pypi {
            distributions: vec!["torch".into()],
            preference: Some("2.1.0".parse().unwrap()),
        }
    );
    for cuda in ["pytorch-cuda", "cuda-cudart", "libcublas", "cudatoolkit"] {
        assert_eq!(decision(&plan, cuda), &Decision::CudaFromWheels, "{cuda}");
    }
    assert!(matches!(
        decision(&plan, "pytorch-mutex"),
        Decision::System {
            kind: Kind::Meta,
            ..
        }
    ));
    assert_eq!(requirement_names(&plan), ["torch", "torchvision"]);
    assert!(plan.has_torch());
}

/// The `pip:` section's requirements stand as written; a conda package installing the same
/// distribution adds neither a requirement nor a preference for it.
#[test]
fn the_pip_section_is_kept_exactly_and_wins_over_conda() {
    let plan = plan(
        vec![
            package("numpy", "1.26.4", "conda-forge", true),
            package("requests", "2.31.0", "conda-forge", true),
        ],
        &pip(&["numpy==1.26.0", "rich>=13"]),
    );
    assert_eq!(
        requirement_names(&plan),
        ["numpy==1.26.0", "requests", "rich>=13"]
    );
    let numpy = pep508_rs::PackageName::new("numpy".into()).unwrap();
    assert!(!plan.preferences.contains_key(&numpy));
    assert_eq!(
        decision(&plan, "numpy"),
        &Decision::Pypi {
            distributions: vec!["numpy".into()],
            preference: None
        }
    );
}

/// `-e .` and unnamed checkouts in `pip:` are taken out (a uv project adds them as paths),
/// wheels and sdists by path stay.
#[test]
fn local_projects_are_taken_out_of_the_pip_section() {
    let mut doc = unilock_formats::conda_env::parse_str(
        std::path::Path::new("/p/environment.yml"),
        "dependencies:\n  - python=3.11\n  - pip:\n    - -e .\n    - ./dist/pkg-1.0-py3-none-any.whl\n    - requests\n",
    )
    .unwrap()
    .document;
    let before = doc.manifest.requirements.len();
    let local = local_projects(&mut doc.manifest, "environment.yml");
    assert_eq!(local.len(), 1, "{local:?}");
    assert!(local[0].text.starts_with("-e "), "{local:?}");
    assert_eq!(doc.manifest.requirements.len(), before - 1);
}

/// MIGRATION.md names what moved under another name, every version that changed (with the
/// version taken instead), the dependencies no longer installed, the CUDA decision, and each
/// package with no PyPI counterpart with its system names or "no known package".
#[test]
fn the_migration_report_lists_everything_that_did_not_move_unchanged() {
    let plan = plan(
        vec![
            package("python", "3.11.9", "conda-forge", true),
            package("pytorch", "2.1.0", "pytorch", true),
            package("pytorch-cuda", "12.1", "pytorch", true),
            package("numpy", "1.26.4", "conda-forge", true),
            package("packaging", "24.0", "conda-forge", false),
            package("scipy", "1.13.0", "conda-forge", true),
            package("openssl", "3.3.0", "conda-forge", false),
            package("libabseil", "20240116.2", "conda-forge", false),
        ],
        &pip(&["rich==13.7.1"]),
    );
    let mut lock = Lock::new();
    lock.targets.push(LockedTarget {
        name: "linux-64,python=3.11".into(),
        key: None,
        conda_subdir: "linux-64".into(),
        python: "3.11".into(),
        virtual_packages: Vec::new(),
    });
    for (name, version) in [
        ("torch", "2.1.0"),
        ("numpy", "1.26.4"),
        ("scipy", "1.13.1"),
        ("rich", "13.7.1"),
    ] {
        lock.packages.push(LockedPackage {
            name: name.into(),
            ecosystem: Ecosystem::Pypi,
            version: version.into(),
            build: None,
            source: None,
            url: None,
            requested_revision: None,
            directory: None,
            targets: vec!["linux-64,python=3.11".into()],
            requested_by: Vec::new(),
            dependencies: Vec::new(),
            artifacts: Vec::new(),
            dependencies_from_build: false,
            conda: None,
        });
    }
    let md = migration_md(
        &Run {
            environment: "environment.yml",
            command: "unilock migrate conda-to-uv environment.yml",
        },
        &plan,
        &lock,
    );
    for expected in [
        "`python 3.11.9` → `.python-version`: 3.11",
        "`pytorch 2.1.0` → PyPI `torch`",
        "`scipy 1.13.0` → PyPI `scipy` 1.13.1 on linux-64,python=3.11",
        "`packaging 24.0` (PyPI `packaging`): not installed on linux-64,python=3.11 (a dependency in the conda environment",
        "## CUDA",
        "`pytorch-cuda 12.1`",
        "torch 2.1.0 on linux-64,python=3.11",
        "| `openssl 3.3.0` | `libssl3` | `openssl` | `openssl` | `openssl` |",
        "### No known package",
        "| `libabseil 20240116.2` | no known package | no known package |",
        "`rich==13.7.1` (environment.yml:20:9): locked 13.7.1 on linux-64,python=3.11",
        "## Moved to PyPI at the conda version\n\n`numpy 1.26.4`, `pytorch 2.1.0`",
    ] {
        assert!(md.contains(expected), "missing `{expected}` in:\n{md}");
    }
    assert!(!md.contains("numpy 1.26.4` →"), "{md}");
}

/// Conda version constraints become PEP 440 constraints where they have an equivalent: conda's
/// fuzzy `=1.26` is `==1.26.*`; an `|` has none.
#[test]
fn conda_constraints_translate_to_pep440_where_they_can() {
    for (conda, pep440) in [
        ("numpy >=1.26,<2", Some(">=1.26,<2")),
        ("numpy=1.26", Some("==1.26.*")),
        ("numpy==1.26.4", Some("==1.26.4")),
        ("numpy !=1.25.0", Some("!=1.25.0")),
        ("numpy 1.26.*", Some("==1.26.*")),
        ("numpy >=1.20|<1.10", None),
    ] {
        let spec = parse_spec(conda).unwrap();
        assert_eq!(
            pep440_constraint(spec.version.as_ref().unwrap()).as_deref(),
            pep440,
            "{conda}"
        );
    }
}

/// `--from-specs`: each named spec is a requested package at its exact version (when it has
/// one) with its constraint; python's major.minor comes from `python=3.10`; a constraint with
/// no PEP 440 equivalent is noted, not dropped silently.
#[test]
fn a_loose_environment_is_planned_from_its_specs() {
    let (packages, notes) = from_specs(
        &specs(&[
            "python=3.10",
            "pytorch::pytorch==2.1.0",
            "numpy>=1.26,<2",
            "scipy >=1.10|<1.0",
        ]),
        &["defaults".into()],
    );
    assert_eq!(packages.len(), 4);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("no PEP 440 equivalent"), "{notes:?}");
    let plan = plan(packages, &[]);
    assert_eq!(plan.python.as_deref(), Some("3.10"));
    assert_eq!(
        requirement_names(&plan),
        ["numpy>=1.26,<2", "scipy", "torch==2.1.0"]
    );
    let torch = pep508_rs::PackageName::new("torch".into()).unwrap();
    assert_eq!(plan.preferences[&torch].to_string(), "2.1.0");
}
