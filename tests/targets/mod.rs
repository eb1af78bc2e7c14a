//! `unilock targets` and `unilock targets describe`.

use crate::{corpus, stderr, stdout, unilock, unilock_with_env};
use serde_json::Value;

fn describe_json(target: &str) -> Value {
    let out = unilock(&["targets", "describe", target, "--json"]);
    assert!(out.status.success(), "{target}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{target}: bad JSON: {e}"))
}

#[test]
fn wheel_tags_equal_packaging_tags_reference() {
    let text = std::fs::read_to_string(corpus("wheel-tags/reference.json"))
        .expect("corpus/wheel-tags/reference.json");
    let reference: Value = serde_json::from_str(&text).expect("reference.json is JSON");
    let targets = reference["targets"].as_array().expect("targets array");
    assert!(targets.len() >= 10);
    let mut kinds = std::collections::BTreeSet::new();
    for entry in targets {
        let target = entry["target"].as_str().expect("target string");
        let expected: Vec<&str> = entry["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let ours = describe_json(target);
        let ours: Vec<&str> = ours["wheel_tags"]
            .as_array()
            .expect("wheel_tags")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if ours != expected {
            let at = ours
                .iter()
                .zip(&expected)
                .position(|(a, b)| a != b)
                .unwrap_or(ours.len().min(expected.len()));
            panic!(
                "{target}: {} tags, packaging has {}; first difference at {at}: ours {:?}, packaging {:?}",
                ours.len(),
                expected.len(),
                ours.get(at),
                expected.get(at)
            );
        }
        kinds.insert(format!(
            "{}-{}",
            entry["platform"]["os"], entry["platform"]["libc"]
        ));
    }
    // glibc, musl, macOS and Windows are all covered.
    assert!(kinds.len() >= 4, "{kinds:?}");
}

#[test]
fn describe_shows_the_conda_view_of_a_cuda_host() {
    let d = describe_json("centos7,cuda=11.8,cpu=x86_64_v3");
    let vps = d["virtual_packages"].as_array().expect("virtual_packages");
    let find = |name: &str| {
        vps.iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing: {vps:?}"))
    };
    assert_eq!(find("__glibc")["version"], "2.17");
    assert_eq!(find("__cuda")["version"], "11.8");
    assert_eq!(find("__archspec")["build"], "x86_64_v3");
    assert_eq!(find("__archspec")["version"], "1");
    assert_eq!(d["markers"]["platform_machine"], "x86_64");
    assert_eq!(d["markers"]["python_version"], "3.12");
    assert_eq!(d["cpu"]["x86_64_level"], 3);
    assert_eq!(d["wheel_tags"][1], "cp312-cp312-manylinux_2_17_x86_64");
}

#[test]
fn describe_honours_conda_override_variables() {
    let out = unilock_with_env(
        &["targets", "describe", "linux-64", "--json"],
        &[("CONDA_OVERRIDE_CUDA", "12.2")],
    );
    let d: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert!(
        d["virtual_packages"]
            .as_array()
            .expect("array")
            .iter()
            .any(|v| v["name"] == "__cuda" && v["version"] == "12.2")
    );
    assert_eq!(d["sources"]["cuda"], "CONDA_OVERRIDE_CUDA");
}

#[test]
fn describe_text_summarises_the_target() {
    let out = unilock(&["targets", "describe", "alpine3.20,python=3.12"]);
    let text = stdout(&out);
    assert!(out.status.success());
    assert!(
        text.contains("libc            musl 1.2.5  (preset alpine3.20)"),
        "{text}"
    );
    assert!(text.contains("cp312-cp312-musllinux_1_2_x86_64"), "{text}");
    assert!(text.contains("more (--all-tags"), "{text}");
}

#[test]
fn targets_lists_every_preset_with_its_attributes() {
    let out = unilock(&["targets", "--json"]);
    assert!(out.status.success());
    let list: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let presets = list["presets"].as_array().expect("presets");
    for name in [
        "centos7",
        "rhel8",
        "rhel9",
        "debian11",
        "debian12",
        "ubuntu20.04",
        "ubuntu22.04",
        "ubuntu24.04",
        "alpine3.19",
        "alpine3.20",
        "amazonlinux2",
        "amazonlinux2023",
        "manylinux2014",
        "macos13",
        "macos14",
        "macos15",
        "macos13-x86_64",
        "macos14-x86_64",
        "macos15-x86_64",
        "windows",
    ] {
        let p = presets
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("preset {name} missing"));
        assert!(p["conda_subdir"].is_string(), "{name}");
    }
    let centos = presets
        .iter()
        .find(|p| p["name"] == "centos7")
        .expect("centos7");
    assert_eq!(centos["libc"]["version"], "2.17");
    let text = stdout(&unilock(&["targets"]));
    assert!(
        text.contains("ubuntu24.04") && text.contains("glibc 2.39") && text.contains("linux/arm64"),
        "{text}"
    );
}

#[test]
fn bad_targets_exit_2_with_a_located_suggestion() {
    let out = unilock(&["targets", "describe", "linux-64,cuda=12.4,cpu=haswel"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("--target:1:24: error: `haswel` is not a x86_64 microarchitecture"),
        "{err}"
    );
    assert!(err.contains("did you mean `haswell`?"), "{err}");
    let out = unilock(&["targets", "describe", "debain12"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `debian12`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn version_and_help_with_examples() {
    let out = unilock(&["--version"]);
    assert!(out.status.success());
    assert!(stdout(&out).starts_with(&format!("unilock {}", env!("CARGO_PKG_VERSION"))));
    for args in [
        &["--help"][..],
        &["targets", "--help"],
        &["targets", "describe", "--help"],
    ] {
        let out = unilock(args);
        assert!(out.status.success(), "{args:?}");
        assert!(
            stdout(&out).contains("Examples:"),
            "{args:?}: {}",
            stdout(&out)
        );
    }
    let out = unilock(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
}
