//! Specifications of target parsing and of what each target yields.

use super::*;
use std::collections::HashMap;

fn parse(s: &str) -> Target {
    Target::parse(s, &NoEnvironment).unwrap_or_else(|e| panic!("{}", e.render()))
}

fn parse_with(s: &str, vars: &[(&str, &str)]) -> Result<Target, crate::Diagnostic> {
    let env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Target::parse(s, &move |k: &str| env.get(k).cloned())
}

fn vp(t: &Target, name: &str) -> Option<(String, String)> {
    t.virtual_packages()
        .into_iter()
        .find(|v| v.name == name)
        .map(|v| (v.version, v.build))
}

#[test]
fn every_spelling_of_a_platform_gives_the_same_target() {
    let a = parse("linux-aarch64,python=3.11");
    for spelling in [
        "linux/arm64,python=3.11",
        "LINUX/ARM64/V8,python=3.11",
        "aarch64-unknown-linux-gnu, python=3.11",
    ] {
        let b = parse(spelling);
        assert_eq!(
            (b.platform, &b.libc, b.python),
            (a.platform, &a.libc, a.python),
            "{spelling}"
        );
        assert_eq!(b.wheel_tags(), a.wheel_tags(), "{spelling}");
    }
}

#[test]
fn every_preset_parses_with_its_facts() {
    for p in PRESETS {
        for name in std::iter::once(&p.name).chain(p.aliases) {
            let t = parse(name);
            assert_eq!(t.preset.map(|p| p.name), Some(p.name));
            assert_eq!(
                t.libc.as_ref().map(|l| (l.family, l.version.to_string())),
                p.libc.map(|(f, v)| (f, v.to_string()))
            );
            assert_eq!(
                t.macos.as_ref().map(ToString::to_string),
                p.macos.map(str::to_string)
            );
            assert!(!t.wheel_tags().is_empty());
        }
    }
}

#[test]
fn musl_triples_and_presets_select_musl() {
    let t = parse("x86_64-unknown-linux-musl");
    assert_eq!(
        t.libc.as_ref().map(|l| (l.family, l.version.to_string())),
        Some((LibcFamily::Musl, "1.2".into()))
    );
    assert!(t.wheel_tags().iter().all(|tag| !tag.contains("manylinux")));
    assert_eq!(vp(&t, "__glibc"), None);
    let alpine = parse("alpine3.20");
    assert!(
        alpine
            .wheel_tags()
            .contains(&"cp312-cp312-musllinux_1_2_x86_64".to_string())
    );
    // glibc= turns a musl platform into a glibc one.
    let g = parse("alpine3.20,glibc=2.35");
    assert_eq!(g.libc.as_ref().map(|l| l.family), Some(LibcFamily::Glibc));
}

#[test]
fn overrides_set_every_attribute() {
    let t = parse("ubuntu24.04,arch=arm64,python=3.13.1,linux=6.10,cuda=12.4,cpu=neoverse_v2");
    assert_eq!(t.platform.conda_subdir(), "linux-aarch64");
    assert_eq!(t.python.full(), "3.13.1");
    assert_eq!(vp(&t, "__linux"), Some(("6.10".into(), "0".into())));
    assert_eq!(vp(&t, "__cuda"), Some(("12.4".into(), "0".into())));
    assert_eq!(
        vp(&t, "__archspec"),
        Some(("1".into(), "neoverse_v2".into()))
    );
    assert_eq!(vp(&t, "__glibc"), Some(("2.39".into(), "0".into())));
    assert_eq!(
        t.spec(),
        "ubuntu24.04,arch=aarch64,python=3.13.1,linux=6.10,cuda=12.4,cpu=neoverse_v2"
    );
    assert_eq!(t.sources["libc_version"], "preset ubuntu24.04");
    assert_eq!(t.sources["cuda"], "override");
}

#[test]
fn canonical_spec_parses_to_the_same_target() {
    for s in [
        "linux/amd64, python=3.11 ,cpu=X86-64-V3",
        "macos14,macos=14.4,python=3.12",
        "win-64,cuda=none",
    ] {
        let t = parse(s);
        let again = parse(t.spec());
        assert_eq!(again.wheel_tags(), t.wheel_tags());
        assert_eq!(again.virtual_packages(), t.virtual_packages());
        assert_eq!(again.spec(), t.spec());
    }
}

#[test]
fn conda_override_variables_apply_like_conda() {
    let t = parse_with(
        "linux-64",
        &[
            ("CONDA_OVERRIDE_GLIBC", "2.17"),
            ("CONDA_OVERRIDE_CUDA", "12.2"),
        ],
    )
    .unwrap();
    assert_eq!(vp(&t, "__glibc"), Some(("2.17".into(), "0".into())));
    assert_eq!(vp(&t, "__cuda"), Some(("12.2".into(), "0".into())));
    assert_eq!(t.sources["cuda"], "CONDA_OVERRIDE_CUDA");
    // The target string wins over the environment.
    let t = parse_with(
        "linux-64,cuda=11.8,glibc=2.28",
        &[
            ("CONDA_OVERRIDE_GLIBC", "2.17"),
            ("CONDA_OVERRIDE_CUDA", "12.2"),
        ],
    )
    .unwrap();
    assert_eq!(vp(&t, "__cuda"), Some(("11.8".into(), "0".into())));
    assert_eq!(vp(&t, "__glibc"), Some(("2.28".into(), "0".into())));
    // An empty value removes the virtual package.
    let t = parse_with(
        "rhel9,cuda=12.0",
        &[
            ("CONDA_OVERRIDE_GLIBC", ""),
            ("CONDA_OVERRIDE_ARCHSPEC", ""),
        ],
    )
    .unwrap();
    assert_eq!(vp(&t, "__glibc"), None);
    assert_eq!(vp(&t, "__archspec"), None);
    assert!(vp(&t, "__cuda").is_some());
    let t = parse_with("rhel9", &[("CONDA_OVERRIDE_CUDA", "")]).unwrap();
    assert_eq!(vp(&t, "__cuda"), None);
    // A kernel release string keeps only its numeric part, as conda does.
    let t = parse_with(
        "linux-64",
        &[("CONDA_OVERRIDE_LINUX", "5.15.0-105-generic")],
    )
    .unwrap();
    assert_eq!(vp(&t, "__linux"), Some(("5.15.0".into(), "0".into())));
    // Variables for another OS are ignored; invalid values are errors naming the variable.
    let t = parse_with(
        "macos14",
        &[
            ("CONDA_OVERRIDE_GLIBC", "2.17"),
            ("CONDA_OVERRIDE_OSX", "14.5"),
        ],
    )
    .unwrap();
    assert_eq!(vp(&t, "__osx"), Some(("14.5".into(), "0".into())));
    assert!(t.wheel_tags()[0].ends_with("macosx_14_0_arm64"));
    let err = parse_with("linux-64", &[("CONDA_OVERRIDE_CUDA", "twelve")]).unwrap_err();
    assert!(
        err.render().starts_with("CONDA_OVERRIDE_CUDA:1:1: error:"),
        "{}",
        err.render()
    );
}

#[test]
fn virtual_packages_per_os() {
    let names = |s: &str| {
        parse(s)
            .virtual_packages()
            .into_iter()
            .map(|v| v.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names("debian12"),
        ["__archspec", "__glibc", "__linux", "__unix"]
    );
    assert_eq!(names("macos15"), ["__archspec", "__osx", "__unix"]);
    assert_eq!(
        names("windows,cuda=12.4"),
        ["__archspec", "__cuda", "__win"]
    );
    assert_eq!(
        vp(&parse("osx-arm64"), "__archspec"),
        Some(("1".into(), "arm64".into()))
    );
    assert_eq!(
        vp(&parse("macos13-x86_64"), "__osx"),
        Some(("13.0".into(), "0".into()))
    );
}

#[test]
fn markers_match_what_python_reports() {
    let m = parse("macos14,python=3.12").marker_values();
    assert_eq!(
        (m["sys_platform"].as_str(), m["platform_machine"].as_str()),
        ("darwin", "arm64")
    );
    assert_eq!(m["platform_release"], "23.0.0");
    let m = parse("windows,python=3.11").marker_values();
    assert_eq!(
        (
            m["os_name"].as_str(),
            m["platform_machine"].as_str(),
            m["sys_platform"].as_str()
        ),
        ("nt", "AMD64", "win32")
    );
    let m = parse("linux-64,implementation=pypy,python=3.10").marker_values();
    assert_eq!(
        (
            m["implementation_name"].as_str(),
            m["platform_python_implementation"].as_str()
        ),
        ("pypy", "PyPy")
    );
    let env = parse("linux-aarch64,python=3.11").marker_environment();
    let req: pep508_rs::Requirement =
        "x; platform_machine == 'aarch64' and python_version >= '3.10'"
            .parse()
            .unwrap();
    assert!(req.evaluate_markers(&env, &[]));
    let req: pep508_rs::Requirement = "x; sys_platform == 'win32'".parse().unwrap();
    assert!(!req.evaluate_markers(&env, &[]));
}

#[test]
fn bad_targets_are_located_with_choices() {
    let cases: &[(&str, u32, &str)] = &[
        ("ubuntu24.4", 1, "did you mean `ubuntu24.04`?"),
        ("linux-64,pyton=3.11", 10, "did you mean `python`?"),
        ("linux-64,python=2.7", 17, "Python 3 version"),
        ("linux-64,python", 10, "`key=value`"),
        ("linux-64,cpu=neoverse_v1", 14, "x86_64_v3"),
        ("osx-arm64,macos=10.15", 17, "11.0"),
        ("osx-64,cuda=12.4", 13, "CUDA"),
        ("win-64,glibc=2.17", 14, "Linux"),
        ("linux-64,python=3.12t", 17, "3.13"),
        ("linux-64,python=3.11,python=3.12", 22, "twice"),
        ("windows,arch=ppc64le", 14, "supports"),
        ("python=3.11", 1, "platform"),
    ];
    for (input, column, needle) in cases {
        let err = Target::parse(input, &NoEnvironment).expect_err(input);
        let text = err.render();
        assert_eq!(
            err.origin().map(|o| (o.file.as_str(), o.line, o.column)),
            Some(("--target", 1, *column)),
            "{input}: {text}"
        );
        assert!(text.contains(needle), "{input}: {text}");
        assert_eq!(err.kind().exit_code(), 2);
    }
}

#[test]
fn macos_tags_cover_universal2_back_to_10_4_on_arm64() {
    let tags = parse("osx-arm64,macos=11.0,python=3.12").platform_tags();
    assert_eq!(tags.first().map(String::as_str), Some("macosx_11_0_arm64"));
    assert_eq!(
        tags.last().map(String::as_str),
        Some("macosx_10_4_universal2")
    );
}
