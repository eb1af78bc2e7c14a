//! Specifications of the CPU-level check: what a package needs, and what a target's CPU has.

use super::*;
use crate::facts::Binary;
use unilock_model::lock::LockedConda;
use unilock_model::target::NoEnvironment;

fn target(spec: &str) -> Target {
    Target::parse(spec, &NoEnvironment).unwrap_or_else(|e| panic!("{}", e.render()))
}

fn package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    build: Option<&str>,
    depends: &[&str],
) -> LockedPackage {
    LockedPackage {
        name: name.into(),
        ecosystem,
        version: version.into(),
        build: build.map(Into::into),
        source: None,
        url: None,
        requested_revision: None,
        directory: None,
        targets: vec![],
        requested_by: vec![],
        dependencies: depends.iter().map(|d| d.to_string()).collect(),
        artifacts: vec![],
        dependencies_from_build: false,
        conda: (ecosystem == Ecosystem::Conda).then(|| LockedConda {
            subdir: "linux-64".into(),
            ..LockedConda::default()
        }),
    }
}

fn conda(name: &str, version: &str, build: &str, depends: &[&str]) -> LockedPackage {
    package(Ecosystem::Conda, name, version, Some(build), depends)
}

fn pypi(name: &str, version: &str) -> LockedPackage {
    package(Ecosystem::Pypi, name, version, None, &[])
}

#[test]
fn a_conda_build_needing_archspec_level_4_fails_on_x86_64_v2() {
    let build = conda(
        "somelib",
        "1.0",
        "h0_0",
        &["__archspec 1 x86_64_v4", "libgcc >=14"],
    );
    let need = need(&build, None).unwrap();
    assert_eq!(need.level, 4);
    assert_eq!(
        judge(&need, &target("linux-64,cpu=x86_64_v2")),
        Verdict::Fail(
            "needs x86-64-v4 (conda: __archspec 1 x86_64_v4); target cpu=x86_64_v2 is level 2"
                .into()
        )
    );
    assert_eq!(judge(&need, &target("linux-64,cpu=x86_64_v4")), Verdict::Ok);
    assert_eq!(
        judge(&need, &target("linux-64,cpu=sapphirerapids")),
        Verdict::Ok
    );
    assert!(judge(&need, &target("linux-64,cpu=haswell")).is_fail());
}

#[test]
fn an_archspec_glob_needs_the_lowest_level_it_admits() {
    let regex = conda(
        "somelib",
        "1.0",
        "h0_0",
        &["__archspec 1 ^(x86_64_v3|x86_64_v4)$"],
    );
    assert_eq!(need(&regex, None).map(|n| n.level), Some(3));
    let glob = conda("somelib", "1.0", "h0_0", &["__archspec 1 x86_64_v*"]);
    assert_eq!(need(&glob, None).map(|n| n.level), Some(2));
    let any = conda("somelib", "1.0", "h0_0", &["__archspec"]);
    assert_eq!(need(&any, None), None);
    let named = conda("somelib", "1.0", "h0_0", &["__archspec 1 haswell"]);
    assert_eq!(need(&named, None).map(|n| n.level), Some(3));
}

#[test]
fn conda_forges_microarch_level_package_and_its_run_export() {
    // The builds conda-forge publishes: `_x86_64-microarch-level 4 2_x86_64_v4` depends on
    // `__archspec 1 x86_64_v4`; a build made with `x86_64-microarch-level` depends on
    // `_x86_64-microarch-level >=3`.
    let level = conda(
        "_x86_64-microarch-level",
        "4",
        "2_x86_64_v4",
        &["__archspec 1 x86_64_v4"],
    );
    let need_level = need(&level, None).unwrap();
    assert_eq!(need_level.level, 4);
    assert_eq!(
        need_level.evidence,
        "conda: _x86_64-microarch-level 4 2_x86_64_v4"
    );
    let user = conda(
        "somelib",
        "1.0",
        "h0_0",
        &["_x86_64-microarch-level >=3", "libgcc >=14"],
    );
    let need_user = need(&user, None).unwrap();
    assert_eq!(need_user.level, 3);
    assert_eq!(need_user.evidence, "conda: _x86_64-microarch-level >=3");
    assert!(judge(&need_user, &target("linux-64,cpu=x86_64_v2")).is_fail());
    assert_eq!(
        judge(&need_user, &target("linux-64,cpu=x86_64_v3")),
        Verdict::Ok
    );
    let baseline = conda(
        "_x86_64-microarch-level",
        "1",
        "2_x86_64",
        &["__archspec 1 x86_64"],
    );
    assert_eq!(need(&baseline, None), None);
}

#[test]
fn a_binary_declaring_its_isa_level_needs_it() {
    let facts = ArtifactFacts {
        binaries: vec![Binary {
            path: "pkg/_native.so".into(),
            machine: "x86_64".into(),
            soname: None,
            needed: vec![],
            rpath: vec![],
            runpath: vec![],
            version_needs: vec![],
            x86_64_level: Some(3),
        }],
        libraries: vec![],
        problems: vec![],
    };
    let need = need(&pypi("pkg", "1.0"), Some(&facts)).unwrap();
    assert_eq!(need.level, 3);
    assert_eq!(need.evidence, "pkg/_native.so declares x86-64-v3");
    assert!(judge(&need, &target("linux-64,cpu=x86_64_v2")).is_fail());
}

#[test]
fn the_documented_table_covers_polars_and_tensorflow() {
    let polars = need(&pypi("polars", "1.20.0"), None).unwrap();
    assert_eq!(polars.level, 3);
    assert!(
        polars
            .evidence
            .starts_with("polars < 1.34.0 documents it: https://docs.pola.rs/"),
        "{}",
        polars.evidence
    );
    assert_eq!(need(&pypi("polars", "1.34.0"), None), None);
    assert_eq!(
        need(&pypi("polars-runtime-32", "1.34.0"), None).map(|n| n.level),
        Some(3)
    );
    assert_eq!(need(&pypi("polars-lts-cpu", "1.20.0"), None), None);
    assert_eq!(need(&pypi("polars-runtime-compat", "1.34.0"), None), None);
    assert!(judge(&polars, &target("linux-64,cpu=x86_64_v2")).is_fail());

    assert_eq!(need(&pypi("tensorflow", "1.5.1"), None), None);
    let tf = need(&pypi("tensorflow", "2.19.0"), None).unwrap();
    assert_eq!((tf.level, tf.beyond.as_deref()), (2, Some("AVX")));
    assert!(judge(&tf, &target("linux-64,cpu=x86_64")).is_fail());
    assert!(matches!(
        judge(&tf, &target("linux-64,cpu=x86_64_v2")),
        Verdict::Warn(_)
    ));
    assert_eq!(judge(&tf, &target("linux-64,cpu=x86_64_v3")), Verdict::Ok);
}

#[test]
fn levels_do_not_apply_off_x86_64() {
    let build = conda("somelib", "1.0", "h0_0", &["__archspec 1 x86_64_v4"]);
    let need = need(&build, None).unwrap();
    assert_eq!(judge(&need, &target("linux-aarch64")), Verdict::Ok);
    assert_eq!(judge(&need, &target("osx-arm64")), Verdict::Ok);
}

#[test]
fn every_table_row_is_well_formed_and_cites_its_source() {
    for line in TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 6, "{line}");
        assert_eq!(normalize(cols[0]), cols[0], "{line}");
        assert!(matches!(cols[3], "2" | "3" | "4"), "{line}");
        assert!(cols[5].contains("https://"), "{line}");
        for bound in [cols[1], cols[2]] {
            assert!(
                bound == "-" || Version::parse(Ecosystem::Pypi, bound).is_ok(),
                "{line}"
            );
        }
    }
}
