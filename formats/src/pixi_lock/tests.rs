//! Specifications of the pixi.lock model: every version is read, version 6 and 7 files
//! re-emit as written, older ones upgrade to version 7, errors name their place, and the
//! unified model says where each package is installed.

use super::*;
use std::collections::{BTreeMap, BTreeSet};
use unilock_model::document::PinSource;

/// A version 7 lock in rattler's canonical form: two environments, two platforms, a conda
/// build whose URL says its name, a source package and PyPI packages from an index and a
/// directory.
const V7: &str = "\
version: 7
platforms:
- name: linux-64
  virtual-packages:
  - __glibc=2.28
  - __unix=0=0
- name: osx-arm64
environments:
  default:
    channels:
    - url: https://channel.example/conda-forge/
    indexes:
    - https://index.example/simple
    packages:
      linux-64:
      - conda: https://channel.example/conda-forge/linux-64/python-3.12.1-hab00c5b_1_cpython.conda
      - pypi: https://files.example/requests-2.31.0-py3-none-any.whl
      osx-arm64:
      - conda: https://channel.example/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda
  test:
    channels:
    - url: https://channel.example/conda-forge/
    options:
      pypi-prerelease-mode: if-necessary-or-explicit
    packages:
      linux-64:
      - conda: https://channel.example/conda-forge/linux-64/python-3.12.1-hab00c5b_1_cpython.conda
      - conda_source: mytool[0f1fe906] @ tools/mytool
      - pypi: ./src/mypkg
packages:
- conda: https://channel.example/conda-forge/linux-64/python-3.12.1-hab00c5b_1_cpython.conda
  build_number: 1
  sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  md5: 0123456789abcdef0123456789abcdef
  depends:
  - libzlib >=1.2.13,<2.0.0a0
  license: Python-2.0
  purls: []
  size: 30000000
  timestamp: 1702000000000
- conda: https://channel.example/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda
  sha256: 1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  md5: 1123456789abcdef0123456789abcdef
  license: LicenseRef-Public-Domain
  size: 119815
  timestamp: 1707747584337
- conda_source: mytool[0f1fe906] @ tools/mytool
  variants:
    target_platform: linux-64
  depends:
  - python >=3.12
  build_packages:
  - conda: https://channel.example/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda
- pypi: ./src/mypkg
  name: mypkg
  requires_dist:
  - requests>=2
- pypi: https://files.example/requests-2.31.0-py3-none-any.whl
  name: requests
  version: 2.31.0
  sha256: 2123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  requires_dist:
  - charset-normalizer>=2,<4
  - pysocks>=1.5.6,!=1.5.7 ; extra == 'socks'
  requires_python: '>=3.7'
";

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
    assert_eq!(lock.platforms[0].virtual_packages, ["__glibc=2.28", "__unix=0=0"]);
    assert_eq!(lock.environments.len(), 2);
    assert_eq!(lock.packages.len(), 5);
    assert_eq!(emit(&lock), V7);
}

#[test]
fn version_7_is_written_in_rattlers_order_with_only_used_packages() {
    let unused = "- conda: https://channel.example/conda-forge/noarch/unused-1.0-0.conda\n  md5: 0123456789abcdef0123456789abcdef\n";
    // Environments, platforms and packages out of order, one package nobody uses.
    let shuffled = V7
        .replace("  test:\n", "  atest:\n")
        .replace("packages:\n- conda:", &format!("packages:\n{unused}- conda:"));
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
    assert_eq!(python.used_in, used(&[("default", &["linux-64"]), ("test", &["linux-64"])]));
    let record = python.conda.as_ref().unwrap();
    assert_eq!(record.build, "hab00c5b_1_cpython");
    assert_eq!(record.build_number, Some(1));
    assert_eq!(record.subdir.as_deref(), Some("linux-64"));
    assert_eq!(record.channel.as_deref(), Some("https://channel.example/conda-forge"));
    assert_eq!(record.timestamp, Some(1702000000000));
    let tzdata = pin("tzdata").conda.as_ref().unwrap();
    assert_eq!((tzdata.noarch.as_deref(), tzdata.build_number), (Some("generic"), Some(0)));
    assert_eq!(pin("tzdata").used_in, used(&[("default", &["osx-arm64"])]));
    assert_eq!(
        pin("requests").source,
        PinSource::Registry { url: "https://index.example/simple".into() }
    );
    assert_eq!(pin("requests").dependencies[1].marker.as_deref(), Some("extra == 'socks'"));
    assert!(matches!(&pin("mypkg").source, PinSource::Directory { path, .. } if path == "./src/mypkg"));
    assert!(matches!(&pin("mytool").source, PinSource::Directory { path, .. } if path == "tools/mytool"));
}

/// Version 6: environments name the build when two packages share a URL; PyPI packages can be
/// editable. It stays version 6.
const V6: &str = "\
version: 6
environments:
  default:
    channels:
    - url: https://channel.example/conda-forge/
    indexes:
    - https://index.example/simple
    packages:
      linux-64:
      - conda: https://channel.example/conda-forge/noarch/tool-1.0-pyh_0.conda
        name: tool
      - pypi: ./
      osx-64:
      - conda: https://channel.example/conda-forge/noarch/tool-1.0-pyh_0.conda
        subdir: osx-64
packages:
- conda: https://channel.example/conda-forge/noarch/tool-1.0-pyh_0.conda
  md5: 0123456789abcdef0123456789abcdef
  timestamp: 1750274211
- conda: https://channel.example/conda-forge/noarch/tool-1.0-pyh_0.conda
  subdir: osx-64
  md5: 1123456789abcdef0123456789abcdef
- pypi: ./
  name: project
  version: 0.1.0
  requires_python: '>=3.12'
  editable: true
";

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
    assert_eq!(tools[0].conda.as_ref().unwrap().timestamp, Some(1750274211000));
    let project = doc.packages.iter().find(|p| p.name == "project").unwrap();
    assert!(matches!(project.source, PinSource::Directory { editable: true, .. }));
}

/// Version 5: `kind` packages with every field written out.
const V5: &str = "\
version: 5
environments:
  default:
    channels:
    - url: https://channel.example/conda-forge/
    options:
      strategy: highest
    packages:
      linux-64:
      - conda: https://channel.example/conda-forge/noarch/babel-2.13.1-pyhd8ed1ab_0.conda
      - pypi: https://files.example/six-1.16.0-py2.py3-none-any.whl
      - pypi: ./local
packages:
- kind: conda
  name: babel
  version: 2.13.1
  build: pyhd8ed1ab_0
  subdir: noarch
  noarch: python
  url: https://channel.example/conda-forge/noarch/babel-2.13.1-pyhd8ed1ab_0.conda
  sha256: 1f955c700db16f65b16c9e9c1613436480d5497970b8030b7a9ebe1620cc2147
  md5: 3ccff479c246692468f604df9c85ef26
  depends:
  - python >=3.7
  license: BSD-3-Clause
  size: 6948100
  timestamp: 1698174685
- kind: pypi
  name: Six
  version: 1.16.0
  url: https://files.example/six-1.16.0-py2.py3-none-any.whl
  sha256: 8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254
  requires_python: '>=2.7'
- kind: pypi
  name: local
  version: 0.1.0
  path: ./local
  editable: true
";

const V5_AS_V7: &str = "\
version: 7
platforms:
- name: linux-64
environments:
  default:
    channels:
    - url: https://channel.example/conda-forge/
    packages:
      linux-64:
      - conda: https://channel.example/conda-forge/noarch/babel-2.13.1-pyhd8ed1ab_0.conda
      - pypi: ./local
      - pypi: https://files.example/six-1.16.0-py2.py3-none-any.whl
packages:
- conda: https://channel.example/conda-forge/noarch/babel-2.13.1-pyhd8ed1ab_0.conda
  sha256: 1f955c700db16f65b16c9e9c1613436480d5497970b8030b7a9ebe1620cc2147
  md5: 3ccff479c246692468f604df9c85ef26
  depends:
  - python >=3.7
  license: BSD-3-Clause
  size: 6948100
  timestamp: 1698174685000
- pypi: ./local
  name: local
- pypi: https://files.example/six-1.16.0-py2.py3-none-any.whl
  name: six
  version: 1.16.0
  sha256: 8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254
  requires_python: '>=2.7'
";

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
    assert!(out.starts_with("version: 7\nplatforms:\n- name: linux-64\n- name: osx-64\n"), "{out}");
    assert!(out.ends_with("packages:\n- conda: https://channel.example/conda-forge/noarch/tzdata-2024a-h0c530f3_0.conda\n  md5: 1123456789abcdef0123456789abcdef\n"), "{out}");
    let doc = lock.to_document();
    assert_eq!(doc.packages[0].used_in["default"].len(), 2);
}

#[test]
fn refusals_name_the_place() {
    let e = error(&V7.replace("      - pypi: ./src/mypkg\n", "      - pypi: ./src/other\n"));
    assert!(e.starts_with("pixi.lock:29:9: error: no package `pypi: ./src/other` in `packages`"), "{e}");
    let e = error(&V7.replace("md5: 0123456789abcdef0123456789abcdef\n  depends", "md5: 0123\n  depends"));
    assert!(e.starts_with("pixi.lock:34:8: error: `0123` is not an md5 digest"), "{e}");
    let e = error(&V7.replace("  - requests>=2\n", "  - requests>=>2\n"));
    assert!(e.starts_with("pixi.lock:57:5: error: invalid requirement `requests>=>2`"), "{e}");
    let e = error(&V7.replace("    packages:\n      linux-64:\n      - conda: https://channel.example/conda-forge/linux-64/python-3.12.1-hab00c5b_1_cpython.conda\n      - conda_source", "    packages:\n      win-64:\n      - conda: https://channel.example/conda-forge/linux-64/python-3.12.1-hab00c5b_1_cpython.conda\n      - conda_source"));
    assert!(e.starts_with("pixi.lock:26:7: error: environment `test` uses platform `win-64`"), "{e}");
    let e = error(&V7.replace("version: 7\n", "version: 8\n"));
    assert!(e.starts_with("pixi.lock:1:10: error: unsupported pixi.lock version 8"), "{e}");
    let e = error(&V7.replace("  version: 2.31.0\n", "  version: two\n"));
    assert!(e.contains("invalid PEP 440 version `two`"), "{e}");
    let e = error(&V7.replace("python-3.12.1-hab00c5b_1_cpython.conda\n  build_number", "python.txt\n  build_number"));
    assert!(e.contains("does not end in a conda archive file name"), "{e}");
}
