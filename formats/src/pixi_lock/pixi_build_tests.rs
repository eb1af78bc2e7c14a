//! Specifications of pixi.lock as pixi writes it today: version 6 packages built from source
//! by pixi-build (`conda: .`, `conda: src/greeter`) and version 7 named platforms with their
//! own virtual packages.

use super::*;
use unilock_model::document::PinSource;

/// A version 6 lock with a package pixi builds from the workspace (`conda: .`, one build per
/// platform, told apart by `build` in the environments) and one from a git checkout
/// (`conda: src/greeter`), beside conda builds by URL.
const V6_SOURCE: &str =
    include_str!("../../../corpus/fixtures/pixi-lock/v6-source-packages.pixi.lock");

/// A version 7 lock whose platforms are not in name order: `linux-64-cuda` (subdir
/// `linux-64`, with `__cuda`), `linux-64` and `osx-arm64`.
const V7_NAMED: &str =
    include_str!("../../../corpus/fixtures/pixi-lock/v7-named-platforms.pixi.lock");

fn read(text: &str) -> PixiLock {
    parse("pixi.lock", text).unwrap_or_else(|e| panic!("{}", e.render()))
}

#[test]
fn version_6_packages_built_from_source_are_read_and_written_back_byte_for_byte() {
    let lock = read(V6_SOURCE);
    let sources: Vec<&str> = lock
        .packages
        .iter()
        .filter(|p| p.is_source())
        .map(|p| p.location.as_str())
        .collect();
    assert_eq!(sources, [".", ".", "src/greeter"]);
    assert_eq!(emit(&lock), V6_SOURCE);
}

#[test]
fn a_version_6_source_package_is_a_conda_package_built_from_its_directory() {
    let doc = read(V6_SOURCE).to_document();
    let hello: Vec<_> = doc
        .packages
        .iter()
        .filter(|p| p.name == "hello_app")
        .collect();
    assert_eq!(hello.len(), 2);
    for pin in &hello {
        assert_eq!(pin.ecosystem, unilock_model::Ecosystem::Conda);
        assert!(pin.artifacts.is_empty(), "{pin:?}");
        assert!(
            matches!(&pin.source, PinSource::Directory { path, .. } if path == "."),
            "{:?}",
            pin.source
        );
    }
    let subdirs: Vec<Option<&str>> = hello
        .iter()
        .map(|p| p.conda.as_ref().and_then(|c| c.subdir.as_deref()))
        .collect();
    assert_eq!(subdirs, [Some("linux-64"), Some("win-64")]);
    // Each platform installs its own build.
    let linux = hello
        .iter()
        .find(|p| p.used_in["default"].contains("linux-64"))
        .unwrap();
    assert_eq!(linux.conda.as_ref().unwrap().build, "h0a1b2c3_0");
    let greeter = doc.packages.iter().find(|p| p.name == "greeter").unwrap();
    assert_eq!(greeter.version.as_deref(), Some("2.0.0"));
    assert!(
        matches!(&greeter.source, PinSource::Directory { path, .. } if path == "src/greeter"),
        "{:?}",
        greeter.source
    );
    // The builds by URL keep their archive.
    let zlib = doc.packages.iter().find(|p| p.name == "libzlib").unwrap();
    assert_eq!(zlib.artifacts.len(), 1);
}

#[test]
fn a_version_6_source_package_must_say_what_its_archive_name_would() {
    let text = V6_SOURCE.replacen("  subdir: linux-64\n", "", 1);
    let err = parse("pixi.lock", &text).unwrap_err();
    let rendered = err.render();
    assert!(
        rendered.contains("the source package at `.` has no `subdir`"),
        "{rendered}"
    );
    let line = text.find("- conda: .\n  name: hello_app").unwrap();
    let line = text[..line].lines().count() as u32 + 1;
    assert_eq!(err.origin().unwrap().line, line, "{rendered}");
    // Version 7 names source packages `conda_source:`; its `conda:` entries are archives.
    let v7 = "version: 7\nplatforms:\n- name: linux-64\nenvironments:\n  default:\n    channels: []\n    packages:\n      linux-64:\n      - conda: .\npackages:\n- conda: .\n  name: a\n  version: '1'\n  subdir: linux-64\n";
    let err = parse("pixi.lock", v7).unwrap_err();
    assert!(
        err.message()
            .contains("does not end in a conda archive file name"),
        "{}",
        err.render()
    );
}

#[test]
fn named_platforms_keep_their_order_and_virtual_packages_and_map_to_targets() {
    let lock = read(V7_NAMED);
    let names: Vec<&str> = lock.platforms.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["linux-64-cuda", "linux-64", "osx-arm64"]);
    assert_eq!(emit(&lock), V7_NAMED);
    let targets: Vec<String> = lock.platforms.iter().map(Platform::target).collect();
    assert_eq!(
        targets,
        [
            "linux-64,glibc=2.28,linux=5.14,cuda=12.0,cpu=x86_64",
            "linux-64,glibc=2.17,linux=4.18,cpu=x86_64",
            "osx-arm64,cpu=m1,macos=13.0",
        ]
    );
    // Each platform installs its own build of one package.
    let doc = lock.to_document();
    let builds: Vec<(String, String)> = doc
        .packages
        .iter()
        .map(|p| {
            let platform = p.used_in["default"].iter().next().unwrap().clone();
            (platform, p.conda.as_ref().unwrap().build.clone())
        })
        .collect();
    assert!(builds.contains(&("linux-64-cuda".into(), "cuda126_mkl_py312h0_308".into())));
    assert!(builds.contains(&("linux-64".into(), "cpu_mkl_py312h0_108".into())));
}

#[test]
fn a_platform_name_rattler_would_refuse_is_refused_at_its_place() {
    let text = V7_NAMED.replace("linux-64-cuda", "linux-64/cuda");
    let err = parse("pixi.lock", &text).unwrap_err();
    assert!(
        err.message()
            .contains("`linux-64/cuda` is not a platform name"),
        "{}",
        err.render()
    );
    let origin = err.origin().unwrap();
    assert_eq!((origin.line, origin.column), (3, 9));
}
