//! Specifications of the pixi.lock model: every version is read, version 6 and 7 files
//! re-emit as written, older ones upgrade to version 7, errors name their place, and the
//! unified model says where each package is installed.

use super::*;
use std::collections::{BTreeMap, BTreeSet};
use unilock_model::document::PinSource;

/// A version 7 lock in rattler's canonical form: two environments, two platforms, a conda
/// build whose URL says its name, a source package and PyPI packages from an index and a
/// directory.
const V7: &str = include_str!("../../../corpus/fixtures/pixi-lock/v7-environments.pixi.lock");

fn read(text: &str) -> PixiLock {
    parse("pixi.lock", text).unwrap_or_else(|e| panic!("{}", e.render()))
}

fn error(text: &str) -> String {
    parse("pixi.lock", text)
        .map(|_| String::new())
        .unwrap_or_else(|e| e.render())
}

#[test]
fn version_7_re_emits_byte_for_byte() {
    let lock = read(V7);
    assert_eq!(lock.version, 7);
    assert_eq!(
        lock.platforms[0].virtual_packages,
        ["__glibc=2.28", "__unix=0=0"]
    );
    assert_eq!(lock.environments.len(), 2);
    assert_eq!(lock.packages.len(), 5);
    assert_eq!(emit(&lock), V7);
}

#[test]
fn version_7_is_written_in_rattlers_order_with_only_used_packages() {
    let unused = "- conda: https://channel.example/conda-forge/noarch/unused-1.0-0.conda\n  md5: 0123456789abcdef0123456789abcdef\n";
    // Environments, platforms and packages out of order, one package nobody uses.
    let shuffled = V7.replace("  test:\n", "  atest:\n").replace(
        "packages:\n- conda:",
        &format!("packages:\n{unused}- conda:"),
    );
    let lock = read(&shuffled);
    let out = emit(&lock);
    assert!(!out.contains("unused-1.0"), "{out}");
    let atest = out.find("  atest:").unwrap();
    let default = out.find("  default:").unwrap();
    assert!(atest < default, "environments are sorted by name:\n{out}");
    assert_eq!(read(&out).environments.len(), 2);
}

#[test]
fn the_unified_model_fills_in_what_urls_say() {
    let doc = read(V7).to_document();
    assert_eq!(doc.platforms, ["linux-64", "osx-arm64"]);
    assert_eq!(doc.channels[0].name, "https://channel.example/conda-forge/");
    assert_eq!(doc.indexes[0].url, "https://index.example/simple");
    let pin = |name: &str| doc.packages.iter().find(|p| p.name == name).unwrap();
    let used = |envs: &[(&str, &[&str])]| -> BTreeMap<String, BTreeSet<String>> {
        envs.iter()
            .map(|(e, ps)| (e.to_string(), ps.iter().map(|p| p.to_string()).collect()))
            .collect()
    };
    let python = pin("python");
    assert_eq!(python.version.as_deref(), Some("3.12.1"));
    assert_eq!(
        python.used_in,
        used(&[("default", &["linux-64"]), ("test", &["linux-64"])])
    );
    let record = python.conda.as_ref().unwrap();
    assert_eq!(record.build, "hab00c5b_1_cpython");
    assert_eq!(record.build_number, Some(1));
    assert_eq!(record.subdir.as_deref(), Some("linux-64"));
    assert_eq!(
        record.channel.as_deref(),
        Some("https://channel.example/conda-forge")
    );
    assert_eq!(record.timestamp, Some(1702000000000));
    let tzdata = pin("tzdata").conda.as_ref().unwrap();
    assert_eq!(
        (tzdata.noarch.as_deref(), tzdata.build_number),
        (Some("generic"), Some(0))
    );
    assert_eq!(pin("tzdata").used_in, used(&[("default", &["osx-arm64"])]));
    assert_eq!(
        pin("requests").source,
        PinSource::Registry {
            url: "https://index.example/simple".into()
        }
    );
    assert_eq!(
        pin("requests").dependencies[1].marker.as_deref(),
        Some("extra == 'socks'")
    );
    assert!(
        matches!(&pin("mypkg").source, PinSource::Directory { path, .. } if path == "./src/mypkg")
    );
    assert!(
        matches!(&pin("mytool").source, PinSource::Directory { path, .. } if path == "tools/mytool")
    );
}

/// Version 6: environments name the build when two packages share a URL; PyPI packages can be
/// editable. It stays version 6.
const V6: &str = include_str!("../../../corpus/fixtures/pixi-lock/v6-shared-url.pixi.lock");

#[test]
fn version_6_stays_version_6_and_resolves_builds_sharing_a_url() {
    let lock = read(V6);
    assert_eq!(emit(&lock), V6);
    let doc = lock.to_document();
    let tools: Vec<_> = doc.packages.iter().filter(|p| p.name == "tool").collect();
    assert_eq!(tools.len(), 2);
    assert!(tools[0].used_in["default"].contains("linux-64"));
    assert!(tools[1].used_in["default"].contains("osx-64"));
    // Timestamps in seconds are kept as written, and are milliseconds in the model.
    assert_eq!(
        tools[0].conda.as_ref().unwrap().timestamp,
        Some(1750274211000)
    );
    let project = doc.packages.iter().find(|p| p.name == "project").unwrap();
    assert!(matches!(
        project.source,
        PinSource::Directory { editable: true, .. }
    ));
}

/// Version 5: `kind` packages with every field written out.
const V5: &str = include_str!("../../../corpus/fixtures/pixi-lock/v5-kinds.pixi.lock");

const V5_AS_V7: &str = include_str!("../../../corpus/fixtures/pixi-lock/v5-kinds.as-v7.pixi.lock");

#[test]
fn version_5_upgrades_to_version_7_leaving_out_what_urls_say() {
    let lock = read(V5);
    assert_eq!(lock.version, 5);
    assert_eq!(emit(&lock), V5_AS_V7);
    assert_eq!(emit(&read(V5_AS_V7)), V5_AS_V7);
}

#[test]
fn version_3_becomes_the_default_environment() {
    let v3 = "\
version: 3
metadata:
  channels:
  - url: https://channel.example/conda-forge/
    used_env_vars: []
  platforms:
  - linux-64
  - osx-64
package:
- platform: linux-64
  name: tzdata
  version: 2024a
  category: main
  manager: conda
  dependencies: []
  url: https://channel.example/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda
  hash:
    md5: 1123456789abcdef0123456789abcdef
  build: h0c530f3_0
  subdir: noarch
  noarch: generic
- platform: osx-64
  name: tzdata
  version: 2024a
  category: main
  manager: conda
  dependencies: []
  url: https://channel.example/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda
  hash:
    md5: 1123456789abcdef0123456789abcdef
  build: h0c530f3_0
  subdir: noarch
  noarch: generic
";
    let lock = read(v3);
    assert_eq!(lock.packages.len(), 1);
    let out = emit(&lock);
    assert!(
        out.starts_with("version: 7\nplatforms:\n- name: linux-64\n- name: osx-64\n"),
        "{out}"
    );
    assert!(out.ends_with("packages:\n- conda: https://channel.example/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda\n  md5: 1123456789abcdef0123456789abcdef\n"), "{out}");
    let doc = lock.to_document();
    assert_eq!(doc.packages[0].used_in["default"].len(), 2);
}

#[test]
fn refusals_name_the_place() {
    let e = error(&V7.replace("      - pypi: ./src/mypkg\n", "      - pypi: ./src/other\n"));
    assert!(
        e.starts_with("pixi.lock:29:9: error: no package `pypi: ./src/other` in `packages`"),
        "{e}"
    );
    let e = error(&V7.replace(
        "md5: 0123456789abcdef0123456789abcdef\n  depends",
        "md5: 0123\n  depends",
    ));
    assert!(
        e.starts_with("pixi.lock:34:8: error: `0123` is not an md5 digest"),
        "{e}"
    );
    let e = error(&V7.replace("  - requests>=2\n", "  - requests>=>2\n"));
    assert!(
        e.starts_with("pixi.lock:57:5: error: invalid requirement `requests>=>2`"),
        "{e}"
    );
    let e = error(&V7.replace("    packages:\n      linux-64:\n      - conda: https://channel.example/conda-forge/linux-64/python-3.12.1-hab00c5b_1_cpython.conda\n      - conda_source", "    packages:\n      win-64:\n      - conda: https://channel.example/conda-forge/linux-64/python-3.12.1-hab00c5b_1_cpython.conda\n      - conda_source"));
    assert!(
        e.starts_with("pixi.lock:26:7: error: environment `test` uses platform `win-64`"),
        "{e}"
    );
    let e = error(&V7.replace("version: 7\n", "version: 8\n"));
    assert!(
        e.starts_with("pixi.lock:1:10: error: unsupported pixi.lock version 8"),
        "{e}"
    );
    let e = error(&V7.replace("  version: 2.31.0\n", "  version: two\n"));
    assert!(e.contains("invalid PEP 440 version `two`"), "{e}");
    let e = error(&V7.replace(
        "python-3.12.1-hab00c5b_1_cpython.conda\n  build_number",
        "python.txt\n  build_number",
    ));
    assert!(
        e.contains("does not end in a conda archive file name"),
        "{e}"
    );
}

/// Found by fuzzing: a version 5 `requires_python` that is not PEP 440 was written on into a
/// version 7 file that could not be read back. Version 5 fields are checked as version 7 ones,
/// and fields rattler's version 5 model does not have are dropped, as rattler drops them.
#[test]
fn version_5_fields_are_checked_and_unknown_ones_dropped() {
    let bad = V5.replace("requires_python: '>=2.7'", "requires_python: '>=2.)'");
    let e = error(&bad);
    assert!(
        e.starts_with(
            "pixi.lock:33:20: error: invalid `requires_python` `>=2.)`: Failed to parse version"
        ),
        "{e}"
    );
    assert_eq!(
        e.lines().next().map(|l| l.contains('^')),
        Some(false),
        "{e}"
    );
    let extra = V5.replace(
        "  license: BSD-3-Clause\n",
        "  license: BSD-3-Clause\n  build_packages: 5\n  requires_python: null\n",
    );
    let lock = read(&extra);
    assert_eq!(emit(&lock), V5_AS_V7);
}

/// Found by fuzzing: a version 3 conda URL without an archive file name became a version 7
/// entry no reader accepts. Older versions are held to version 7's rule.
#[test]
fn conda_urls_of_every_version_end_in_an_archive_name() {
    let bad = V5.replace(
        "  url: https://channel.example/conda-forge/noarch/babel-2.13.1-pyhd8ed1ab_0.conda",
        "  url: https://channel.example/babel",
    );
    let e = error(&bad);
    assert!(
        e.starts_with("pixi.lock:20:8: error: `https://channel.example/babel` does not end in a conda archive file name"),
        "{e}"
    );
}

/// A version 5 build whose URL names no subdir and that states none is written with an empty
/// `subdir`, as rattler writes it, and that reads back.
#[test]
fn an_empty_subdir_survives_the_upgrade() {
    let odd = V5
        .replace("  subdir: noarch\n", "")
        .replace("conda-forge/noarch/babel", "files/babel");
    let out = emit(&read(&odd));
    assert!(out.contains("  subdir: ''\n"), "{out}");
    assert_eq!(emit(&read(&out)), out);
}

/// Found by fuzzing: a version 7 file listing its packages out of rattler's order had another
/// model than the file written back (which is in order). The model is in rattler's order.
#[test]
fn packages_out_of_order_have_the_model_of_the_file_written_back() {
    let source = "- conda_source: mytool[0f1fe906] @ tools/mytool\n  variants:\n    target_platform: linux-64\n  depends:\n  - python >=3.12\n  build_packages:\n  - conda: https://channel.example/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda\n";
    let shuffled = V7.replace(source, "").replace(
        "\n- pypi: https://files.example/",
        &format!("\n{source}- pypi: https://files.example/"),
    );
    assert_ne!(shuffled, V7);
    let lock = read(&shuffled);
    assert_eq!(lock.to_document(), read(&emit(&lock)).to_document());
    assert_eq!(emit(&lock), V7);
}

/// Found by fuzzing: the channels of the model followed the order of the environments in the
/// file, which version 7 sorts. They come from `default`, then the others by name.
#[test]
fn channels_do_not_depend_on_the_order_of_environments() {
    let moved = V7
        .replace(
            "    - url: https://channel.example/conda-forge/\n    options:",
            "    - url: https://other.example/\n    options:",
        )
        .replace("  default:\n", "  zzz:\n");
    let lock = read(&moved);
    let doc = lock.to_document();
    assert_eq!(doc, read(&emit(&lock)).to_document());
    assert_eq!(doc.channels[1].name, "https://channel.example/conda-forge/");
}
