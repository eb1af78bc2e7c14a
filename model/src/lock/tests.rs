use super::*;
use proptest::prelude::*;

fn sample() -> Lock {
    Lock {
        version: LOCK_VERSION,
        inputs: Vec::new(),
        options: LockOptions::new(),
        targets: vec![LockedTarget {
            name: "linux-aarch64,python=3.11".into(),
            key: None,
            conda_subdir: "linux-aarch64".into(),
            python: "3.11".into(),
            virtual_packages: vec!["__glibc=2.28=0".into(), "__unix=0=0".into()],
        }],
        packages: vec![LockedPackage {
            name: "numpy".into(),
            ecosystem: Ecosystem::Pypi,
            version: "1.26.4".into(),
            build: None,
            source: Some("file:///srv/index/simple".into()),
            url: None,
            requested_revision: None,
            directory: None,
            targets: vec!["linux-aarch64,python=3.11".into()],
            requested_by: vec!["requirements.txt:1:1".into()],
            dependencies: vec![],
            artifacts: vec![Artifact {
                kind: ArtifactKind::Wheel,
                url: "file:///srv/index/files/numpy-1.26.4-cp311-cp311-manylinux_2_17_aarch64.whl"
                    .into(),
                hash: Some(format!("sha256:{}", "0".repeat(64))),
                md5: None,
                size: Some(1),
                targets: vec![],
            }],
            dependencies_from_build: false,
            conda: None,
        }],
    }
}

#[test]
fn writes_and_reads_back() {
    let lock = sample();
    let text = lock.to_toml();
    assert!(text.contains("[[package.artifact]]"), "{text}");
    assert_eq!(Lock::from_toml(&text, "unilock.lock").unwrap(), lock);
    assert_eq!(
        Lock::from_toml(&text, "unilock.lock").unwrap().to_toml(),
        text
    );
}

#[test]
fn git_pins_and_directories_read_back_in_version_4_and_become_their_pins() {
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let mut lock = sample();
    let mut git = lock.packages[0].clone();
    git.name = "tool".into();
    git.source = None;
    git.artifacts.clear();
    git.url = Some(format!(
        "git+https://host.example/repo.git@{commit}#subdirectory=py"
    ));
    git.requested_revision = Some("v1".into());
    let mut dir = git.clone();
    dir.name = "local".into();
    dir.url = None;
    dir.requested_revision = None;
    dir.directory = Some(LockedDirectory {
        path: "libs/local".into(),
        editable: true,
    });
    lock.packages.extend([git, dir]);
    let text = lock.to_toml();
    assert!(text.contains("\nversion = 4\n"), "{text}");
    assert!(text.contains("requested-revision = \"v1\""), "{text}");
    assert!(
        text.contains("[package.directory]\npath = \"libs/local\"\neditable = true\n"),
        "{text}"
    );
    let back = Lock::from_toml(&text, "unilock.lock").unwrap();
    assert_eq!(back.to_toml(), text);
    let doc = back.to_document("linux-aarch64,python=3.11", "requirements");
    let source = |name: &str| {
        doc.packages
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.source.clone())
    };
    assert_eq!(
        source("tool"),
        Some(crate::document::PinSource::Git {
            url: "https://host.example/repo.git".into(),
            reference: Some("v1".into()),
            commit: Some(commit.into()),
            subdirectory: Some("py".into()),
        })
    );
    assert_eq!(
        source("local"),
        Some(crate::document::PinSource::Directory {
            path: "libs/local".into(),
            editable: true,
            r#virtual: false,
        })
    );
    // A lock without them stays version 3; a rev without a pinned Git URL is refused.
    assert!(sample().to_toml().contains("\nversion = 3\n"));
    let bad = text.replace(&format!("@{commit}"), "@v1");
    let err = Lock::from_toml(&bad, "unilock.lock").unwrap_err().render();
    assert!(err.contains("no Git `url` pinned to a commit"), "{err}");
}

#[test]
fn unknown_target_is_located() {
    let text = sample().to_toml().replace(
        "targets = [\"linux-aarch64,python=3.11\"]",
        "targets = [\"linux-64\"]",
    );
    let err = Lock::from_toml(&text, "unilock.lock").unwrap_err();
    assert!(err.message().contains("`linux-64`"), "{}", err.render());
    let line = text
        .lines()
        .position(|l| l.contains("\"linux-64\""))
        .unwrap() as u32
        + 1;
    assert_eq!(err.origin().unwrap().line, line);
}

#[test]
fn malformed_artifact_hash_is_located() {
    let good = format!("sha256:{}", "0".repeat(64));
    let text = sample().to_toml().replace(&good, "sha256:zz");
    let err = Lock::from_toml(&text, "unilock.lock").unwrap_err();
    assert!(
        err.render().contains("expected 64 hex digits"),
        "{}",
        err.render()
    );
    let line = text.lines().position(|l| l.contains("sha256:zz")).unwrap() as u32 + 1;
    let origin = err.origin().unwrap();
    assert_eq!(origin.line, line);
    assert_eq!(origin.column, 8);
    let text = sample().to_toml().replace(&good, "sha999:00");
    let err = Lock::from_toml(&text, "unilock.lock").unwrap_err();
    assert!(err.message().contains("unknown hash algorithm `sha999`"));
}

#[test]
fn a_conda_build_keeps_every_fact_an_export_needs_through_a_round_trip() {
    let record: rattler_conda_types::PackageRecord = serde_json::from_str(
        r#"{"build": "py312heda63a1_0", "build_number": 0, "constrains": ["numpy-base <0a0"],
            "depends": ["libblas >=3.9.0,<4.0a0", "python >=3.12,<3.13.0a0", "python_abi 3.12.* *_cp312"],
            "license": "BSD-3-Clause", "md5": "d8285bea2a350f63fab23bf460221f3f", "name": "numpy",
            "sha256": "fe3459c75cf84dcef6ef14efcc4adb0ade66038ddd27cadb894f34f4797687d8",
            "size": 7484186, "subdir": "linux-64", "timestamp": 1707225809, "version": "1.26.4"}"#,
    )
    .unwrap();
    let record = rattler_conda_types::RepoDataRecord {
        identifier: "numpy-1.26.4-py312heda63a1_0.conda".parse().unwrap(),
        url: "https://channel.example/conda-forge/linux-64/numpy-1.26.4-py312heda63a1_0.conda"
            .parse()
            .unwrap(),
        channel: Some("https://channel.example/conda-forge/".into()),
        package_record: record,
    };
    let mut package = LockedPackage::conda(&record);
    package.targets = vec!["linux-aarch64,python=3.11".into()];
    let mut lock = sample();
    lock.packages.push(package);
    let text = lock.to_toml();
    assert!(
        text.starts_with(
            "# This file is written by unilock; do not edit it by hand.\nversion = 3\n"
        ),
        "{text}"
    );
    let back = Lock::from_toml(&text, "unilock.lock").unwrap();
    assert_eq!(back.to_toml(), text);
    let numpy = back
        .packages
        .iter()
        .find(|p| p.ecosystem == Ecosystem::Conda)
        .unwrap();
    assert_eq!(numpy.build.as_deref(), Some("py312heda63a1_0"));
    assert_eq!(
        numpy.artifacts[0].md5.as_deref(),
        Some("md5:d8285bea2a350f63fab23bf460221f3f")
    );
    let conda = numpy.conda.as_ref().unwrap();
    assert_eq!(conda.constrains, ["numpy-base <0a0"]);
    assert_eq!(conda.timestamp, Some(1_707_225_809_000));
    // An export of the target sees the conda build whole.
    let doc = back.to_document("linux-aarch64,python=3.11", "conda-explicit");
    let pin = doc
        .packages
        .iter()
        .find(|p| p.name == "numpy" && p.conda.is_some())
        .unwrap();
    let facts = pin.conda.as_ref().unwrap();
    assert_eq!(facts.build, "py312heda63a1_0");
    assert_eq!(facts.subdir.as_deref(), Some("linux-64"));
    assert_eq!(facts.depends.len(), 3);
    assert_eq!(pin.artifacts[0].hashes.len(), 2);
}

#[test]
fn syntax_errors_point_at_the_line() {
    let err = Lock::from_toml("version = 1\n[[package]]\nname = \n", "unilock.lock").unwrap_err();
    assert_eq!(err.origin().unwrap().line, 3);
    let err = Lock::from_toml("version = 5\n", "unilock.lock").unwrap_err();
    assert!(err.message().contains("unsupported lock version 5"));
    // Version-1 and version-2 locks still read.
    assert!(Lock::from_toml("version = 1\n", "unilock.lock").is_ok());
    assert!(Lock::from_toml("version = 2\n", "unilock.lock").is_ok());
}

proptest! {
    #[test]
    fn any_lock_round_trips(
        names in prop::collection::vec("[a-z][a-z0-9-]{0,8}[a-z0-9]", 0..5),
        versions in prop::collection::vec("[0-9]{1,2}\\.[0-9]{1,2}", 5),
        conda in prop::collection::vec(any::<bool>(), 5),
        sizes in prop::collection::vec(prop::option::of(0u64..1_000_000), 5),
    ) {
        let mut lock = sample();
        for (i, name) in names.iter().enumerate() {
            lock.packages.push(LockedPackage {
                name: name.clone(),
                ecosystem: if conda[i] { Ecosystem::Conda } else { Ecosystem::Pypi },
                version: versions[i].clone(),
                build: conda[i].then(|| "py311_0".to_string()),
                source: None,
                url: None,
                requested_revision: None,
                directory: None,
                targets: vec!["linux-aarch64,python=3.11".into()],
                requested_by: vec![],
                dependencies: vec![format!("{name}-dep >=1")],
                artifacts: vec![Artifact { kind: if conda[i] { ArtifactKind::Conda } else { ArtifactKind::Sdist }, url: format!("file:///x/{name}"), hash: None, md5: None, size: sizes[i], targets: vec![] }],
                dependencies_from_build: false,
                conda: None,
            });
        }
        let text = lock.to_toml();
        let back = Lock::from_toml(&text, "unilock.lock").unwrap();
        lock.canonicalize();
        prop_assert_eq!(&back, &lock);
        prop_assert_eq!(back.to_toml(), text);
    }
}
