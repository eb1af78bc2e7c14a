//! What reading and writing an environment.yml keeps, specified on small hand-written files.

use super::*;
use crate::MemoryLoader;
use crate::requirements::Context;
use rattler_conda_types::MatchSpec;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use unilock_model::conda::CondaRecord;
use unilock_model::document::{IndexKind, PinSource, PinnedPackage};
use unilock_model::{Ecosystem, Requirement};

fn read(text: &str) -> Read {
    parse_str(Path::new("env/environment.yml"), text).unwrap_or_else(|e| panic!("{}", e.render()))
}

fn error(text: &str) -> String {
    parse_str(Path::new("env/environment.yml"), text)
        .map(|r| format!("no error: {:?}", r.document.manifest))
        .unwrap_or_else(|e| e.render())
}

fn specs(doc: &Document) -> Vec<String> {
    doc.manifest
        .requirements
        .iter()
        .map(|r| r.requirement.to_string())
        .collect()
}

fn conda(doc: &Document, i: usize) -> &MatchSpec {
    match &doc.manifest.requirements[i].requirement {
        Requirement::Conda(m) => m,
        other => panic!("not conda: {other}"),
    }
}

fn round_trip(doc: &Document) -> String {
    let emitted = emit(doc).unwrap_or_else(|e| panic!("{}", e.render()));
    let again = parse_str(Path::new("env/environment.yml"), &emitted)
        .unwrap_or_else(|e| panic!("{}\n{emitted}", e.render()));
    assert_eq!(
        again.document.without_origins(),
        doc.without_origins(),
        "{emitted}"
    );
    emitted
}

#[test]
fn reads_every_top_level_key_of_cep_24() {
    let text = "name: ml\nprefix: /opt/envs/ml\nchannels:\n  - conda-forge\n  - nodefaults\nplatforms: [linux-64, osx-arm64]\ncategory: dev\nvariables:\n  OMP_NUM_THREADS: 4\n  MODE: fast\ndependencies:\n  - python=3.12\n";
    let r = read(text);
    let d = &r.document;
    assert_eq!(d.format, "conda-env");
    assert_eq!(d.project.as_deref(), Some("ml"));
    let channels: Vec<&str> = d.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(channels, ["conda-forge", "nodefaults"]);
    assert_eq!(
        d.channels[1].origin.as_ref().map(|o| (o.line, o.column)),
        Some((5, 5))
    );
    assert_eq!(d.platforms, ["linux-64", "osx-arm64"]);
    assert_eq!(
        d.variables.get("OMP_NUM_THREADS").map(String::as_str),
        Some("4")
    );
    assert_eq!(d.manifest.requirements[0].group.as_deref(), Some("dev"));
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].starts_with("env/environment.yml:2:1: `prefix` is not kept"),
        "{:?}",
        r.warnings
    );
    round_trip(d);
}

#[test]
fn matchspecs_in_every_cep_29_form() {
    let text = r#"dependencies:
  - conda-forge::numpy >=1.26,<2 py312*
  - conda-forge/linux-64::scipy
  - pytorch=2.3.1=*cuda*
  - openssl 3.3.0 h4ab18f5_3
  - "libblas[version='>=3.9', build=*mkl]"
  - cuda-version>=12.6
  - 'gxx[when="__linux"]'
  - 'fastapi[extras=[standard]]'
  - 'jaxlib[flags=[cuda]]'
"#;
    let d = read(text).document;
    let numpy = conda(&d, 0);
    assert_eq!(
        numpy.channel.as_ref().map(|c| c.name()),
        Some("conda-forge")
    );
    assert_eq!(
        numpy.build.as_ref().map(ToString::to_string).as_deref(),
        Some("py312*")
    );
    assert_eq!(conda(&d, 1).subdir.as_deref(), Some("linux-64"));
    assert_eq!(
        conda(&d, 2)
            .build
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("*cuda*")
    );
    assert_eq!(
        conda(&d, 3)
            .build
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("h4ab18f5_3")
    );
    assert_eq!(
        conda(&d, 4)
            .build
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("*mkl")
    );
    assert!(conda(&d, 6).condition.is_some());
    assert_eq!(
        conda(&d, 7).extras.as_deref(),
        Some(&["standard".to_string()][..])
    );
    assert!(conda(&d, 8).flags.is_some());
    let origin = d.manifest.requirements[4].origin.as_ref().unwrap();
    assert_eq!((origin.line, origin.column), (6, 6));
    round_trip(&d);
}

#[test]
fn pip_requirements_follow_the_conda_ones_wherever_the_section_stands() {
    let d = read("dependencies:\n  - python\n  - pip:\n      - requests\n  - numpy\n").document;
    assert_eq!(specs(&d), ["python", "numpy", "requests"]);
    round_trip(&d);
}

#[test]
fn a_spec_folded_over_several_lines_is_refused_not_read_as_a_build() {
    // Found by fuzzing: the indented lines continue the plain scalar `griddata==2.3.0`.
    let e = error("dependencies:\n  - griddata==2.3.0\n    - opencv ==4.7\n    - wandb\n");
    assert!(
        e.starts_with("env/environment.yml:2:5: error: invalid conda MatchSpec"),
        "{e}"
    );
    assert!(e.contains("more than a name, a version and a build"), "{e}");
}

#[test]
fn a_bad_matchspec_points_at_its_item() {
    let e = error("name: x\ndependencies:\n  - numpy\n  - scipy >=1.0,<<2\n");
    assert!(
        e.starts_with("env/environment.yml:4:5: error: invalid conda MatchSpec `scipy >=1.0,<<2`"),
        "{e}"
    );
    let e = error("dependencies:\n  - 'numpy[foo=bar]'\n");
    assert!(
        e.starts_with("env/environment.yml:2:6: error: invalid conda MatchSpec"),
        "{e}"
    );
}

#[test]
fn the_pip_section_is_a_requirements_file_beside_the_environment() {
    let loader = MemoryLoader::default()
        .with(
            "env/requirements/base.txt",
            "pandas>=2\n-c constraints.txt\n",
        )
        .with("env/requirements/constraints.txt", "numpy<2\n");
    let text = "dependencies:\n  - python=3.12\n  - pip\n  - pip:\n    - --index-url https://index.example/simple\n    - --extra-index-url https://extra.example/simple\n    - --find-links ./wheels\n    - -r requirements/base.txt\n    - -e ./src/pkg[dev]\n    - requests>=2.31 ; python_version >= '3.9'\n";
    let ctx = Context {
        loader: &loader,
        env: &|_| None,
        cwd: Some(Path::new("/work")),
        hash_file: None,
    };
    let d = parse(Path::new("env/environment.yml"), text, &ctx)
        .unwrap_or_else(|e| panic!("{}", e.render()))
        .document;
    let kinds: Vec<(IndexKind, &str)> =
        d.indexes.iter().map(|i| (i.kind, i.url.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (IndexKind::Default, "https://index.example/simple"),
            (IndexKind::Extra, "https://extra.example/simple"),
            (IndexKind::FindLinks, "./wheels"),
        ]
    );
    assert_eq!(
        d.indexes[1].origin.as_ref().map(|o| (o.line, o.column)),
        Some((6, 7))
    );
    let pypi: Vec<(String, String, u32)> = d
        .manifest
        .requirements
        .iter()
        .filter(|r| r.requirement.ecosystem() == Ecosystem::Pypi)
        .map(|r| {
            let o = r.origin.as_ref().unwrap();
            (r.requirement.to_string(), o.file.clone(), o.line)
        })
        .collect();
    assert_eq!(
        pypi[0],
        ("pandas>=2".into(), "env/requirements/base.txt".into(), 1)
    );
    assert_eq!(pypi[1].1, "env/requirements/constraints.txt");
    assert_eq!(pypi[2].0, "./src/pkg[dev]");
    assert_eq!((pypi[2].1.as_str(), pypi[2].2), ("env/environment.yml", 9));
    assert!(d.manifest.requirements.iter().any(|r| r.editable));
    assert_eq!(
        d.manifest
            .requirements
            .last()
            .and_then(|r| r.origin.as_ref())
            .map(|o| o.column),
        Some(7)
    );
}

#[test]
fn pip_errors_point_into_the_environment_yml() {
    let e = error("dependencies:\n  - pip:\n      - numpy\n      - scipy >=>1.0\n");
    assert!(
        e.starts_with("env/environment.yml:4:15: error: invalid PEP 508 requirement"),
        "{e}"
    );
    let e = error("dependencies:\n  - pip:\n      - --index-urll https://host/simple\n");
    assert!(
        e.starts_with("env/environment.yml:3:9: error: no such option: --index-urll"),
        "{e}"
    );
    let e = error("dependencies:\n  - pip:\n      - -r missing.txt\n");
    assert!(
        e.starts_with("env/environment.yml:3:12: error: cannot read"),
        "{e}"
    );
}

#[test]
fn selectors_stay_on_their_requirement() {
    let text = "dependencies:\n  - pywin32  # [win]\n  - gxx  # needed to build [linux or osx]\n  - sel(osx): clang\n  - pip:\n      - uvloop  # [unix]\n";
    let d = read(text).document;
    let cond = |i: usize| conda(&d, i).condition.as_ref().map(ToString::to_string);
    assert_eq!(cond(0).as_deref(), Some("__win"));
    assert_eq!(cond(1).as_deref(), Some("__linux or __osx"));
    assert_eq!(cond(2).as_deref(), Some("__osx"));
    assert_eq!(
        d.manifest.requirements[2].origin.as_ref().map(|o| o.column),
        Some(15)
    );
    let uvloop = d.manifest.requirements[3].requirement.to_string();
    assert_eq!(uvloop, "uvloop ; sys_platform != 'win32'");
    let emitted = round_trip(&d);
    assert!(emitted.contains("  - pywin32  # [win]\n"), "{emitted}");
    assert!(emitted.contains("  - clang  # [osx]\n"), "{emitted}");
}

#[test]
fn selectors_unilock_cannot_keep_are_refused_where_they_are() {
    let e = error("dependencies:\n  - mkl  # [linux64]\n");
    assert!(
        e.starts_with("env/environment.yml:2:13: error: selector `[linux64]`"),
        "{e}"
    );
    assert!(e.contains("names a subdir"), "{e}");
    let e = error("dependencies:\n  - pywin32  # [not win]\n");
    assert!(e.starts_with("env/environment.yml:2:17: error:"), "{e}");
    let e = error("dependencies:\n  - sel(linux or osx): gxx\n");
    assert!(
        e.starts_with("env/environment.yml:2:9: error: a `sel(…)` selector names one system"),
        "{e}"
    );
    let e = error("dependencies:\n  - pip:  # [linux]\n      - numpy\n");
    assert!(e.contains("selector on the `pip:` line"), "{e}");
}

#[test]
fn duplicates_and_unknown_keys_are_located_warnings() {
    let text = "name: x\nchannel:\n  - conda-forge\ndependencies:\n  - numpy\n  - scipy\n  - numpy >=1.26\n  - pip:\n    - requests\n    - requests\n";
    let r = read(text);
    assert_eq!(
        r.warnings,
        [
            "env/environment.yml:2:1: unknown key `channel` is ignored (did you mean `channels`?)",
            "env/environment.yml:7:5: `numpy` is listed twice (first on line 5); both are kept",
            "env/environment.yml:10:7: pip requirement `requests` is listed twice (first on line 9); both are kept",
        ]
    );
    assert_eq!(specs(&r.document).len(), 5);
}

#[test]
fn yaml_and_schema_errors_are_located() {
    let e = error("name: x\ndependencies:\n  - numpy\n - scipy\n");
    assert!(
        e.starts_with("env/environment.yml:4:2: error: not valid YAML"),
        "{e}"
    );
    let e = error("name: x\ndependencies: numpy\n");
    assert!(
        e.starts_with(
            "env/environment.yml:2:1: error: `dependencies` must be a list, found a string"
        ),
        "{e}"
    );
    let e = error("channels:\n  - conda-forge\n  - [a, b]\ndependencies: []\n");
    assert!(
        e.starts_with("env/environment.yml:3:5: error: an item of `channels` must be a string"),
        "{e}"
    );
    let e = error("platforms:\n  - linux-64\n  - linux-65\ndependencies: []\n");
    assert!(
        e.starts_with("env/environment.yml:3:5: error: unknown platform `linux-65`"),
        "{e}"
    );
    let e = error("dependencies:\n  - numpy\n  - conda: [x]\n");
    assert!(
        e.starts_with("env/environment.yml:3:5: error: unknown subsection `conda`"),
        "{e}"
    );
    let e = error("dependencies:\n  - numpy\n  -\n");
    assert!(e.starts_with("env/environment.yml:3:3: error: a dependency must be a MatchSpec string, found an empty item"), "{e}");
    let e = error("- numpy\n");
    assert!(
        e.starts_with("env/environment.yml:1:1: error: expected a mapping of keys, found a list"),
        "{e}"
    );
    let e = error("version: 1\nmetadata: {}\npackage: []\n");
    assert!(e.contains("conda-lock file"), "{e}");
    let e = error("name: x\nname: y\ndependencies: []\n");
    assert!(
        e.starts_with("env/environment.yml:2:1: error: not valid YAML: duplicate"),
        "{e}"
    );
}

#[test]
fn the_canonical_form_quotes_only_what_yaml_would_misread() {
    let text = "name: 'true'\nchannels: [conda-forge]\ndependencies:\n  - numpy\n  - pip:\n    - 'pkg @ https://host/p.whl#sha256=00'\nvariables:\n  EMPTY: ''\n  A: 'x: y'\n";
    let d = read(text).document;
    let emitted = round_trip(&d);
    assert_eq!(
        emitted,
        "name: \"true\"\nchannels:\n  - conda-forge\ndependencies:\n  - numpy\n  - pip:\n      - pkg @ https://host/p.whl#sha256=00\nvariables:\n  A: \"x: y\"\n  EMPTY: \"\"\n"
    );
}

#[test]
fn documents_with_several_groups_or_constraints_cannot_be_one_environment() {
    let mut d = read("dependencies:\n  - numpy\n  - scipy\n").document;
    d.manifest.requirements[1].group = Some("test".into());
    assert!(emit(&d).unwrap_err().message().contains("several groups"));
}

fn conda_pin(name: &str, version: &str, build: &str, platforms: &[&str]) -> PinnedPackage {
    let mut p = PinnedPackage::registry(name, version, "https://host/conda-forge");
    p.ecosystem = Ecosystem::Conda;
    p.conda = Some(Box::new(CondaRecord {
        build: build.into(),
        channel: Some("https://host/conda-forge".into()),
        subdir: Some("linux-64".into()),
        ..CondaRecord::default()
    }));
    p.used_in = BTreeMap::from([(
        "default".to_string(),
        platforms
            .iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>(),
    )]);
    p
}

#[test]
fn a_pinned_document_becomes_a_pinned_environment() {
    let mut doc = Document::new("conda-lock");
    doc.project = Some("app".into());
    doc.packages = vec![
        conda_pin(
            "python",
            "3.12.3",
            "h4a7b5fc_0_cpython",
            &["linux-64", "osx-arm64"],
        ),
        conda_pin("libgcc", "14.1.0", "h77fa898_0", &["linux-64"]),
        PinnedPackage::registry("requests", "2.32.3", "https://index.example/simple"),
    ];
    let err = emit_pinned(&doc, None).unwrap_err();
    assert!(err.message().contains("several platforms"), "{err}");
    let out = emit_pinned(&doc, Some("osx-arm64")).unwrap();
    assert_eq!(
        out.text,
        "name: app\nchannels:\n  - https://host/conda-forge\nplatforms:\n  - osx-arm64\ndependencies:\n  - python=3.12.3=h4a7b5fc_0_cpython\n  - pip:\n      - requests==2.32.3\n"
    );
    let back = read(&out.text).document;
    let pins: Vec<String> = specs(&back);
    assert_eq!(
        pins,
        ["python ==3.12.3 h4a7b5fc_0_cpython", "requests==2.32.3"]
    );
    let linux = emit_pinned(&doc, Some("linux-64")).unwrap();
    assert!(
        linux.text.contains("  - libgcc=14.1.0=h77fa898_0\n"),
        "{}",
        linux.text
    );
    doc.packages[0].conda = None;
    let warned = emit_pinned(&doc, Some("osx-arm64")).unwrap();
    assert!(
        warned.text.contains("  - python=3.12.3\n"),
        "{}",
        warned.text
    );
    assert_eq!(warned.warnings.len(), 1);
    doc.packages[2].source = PinSource::Url {
        url: "https://files.example/requests-2.32.3-py3-none-any.whl".into(),
        subdirectory: None,
    };
    let url = emit_pinned(&doc, Some("osx-arm64")).unwrap();
    assert!(
        url.text.contains(
            "      - requests @ https://files.example/requests-2.32.3-py3-none-any.whl\n"
        ),
        "{}",
        url.text
    );
}

#[test]
fn lines_ended_by_several_carriage_returns_are_read_to_the_end() {
    // Found by the conda_env fuzz target: a comment line ended by many `\r` made the locator
    // step back onto the same line forever. Run on a thread so a regression fails, not hangs.
    for text in [
        "#\r\r\r\r\r\r\r\r\r\r",
        "name: x\r\r\r\rdependencies:\r\r  - numpy # c\r\r\r\n",
    ] {
        let owned = text.to_string();
        let (done, outcome) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(error(&owned));
        });
        let message = outcome
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("{text:?} is still being read after 20 s"));
        assert!(!message.is_empty(), "{text:?}");
    }
}
