//! Unit specifications of the export pipeline: file-name slugs and `# via` annotations.

use super::*;

fn target(name: &str, subdir: &str, python: &str) -> LockedTarget {
    LockedTarget {
        name: name.into(),
        key: None,
        conda_subdir: subdir.into(),
        python: python.into(),
        virtual_packages: Vec::new(),
    }
}

#[test]
fn slugs_are_docker_platforms_made_unique_by_python_then_name() {
    let ts = [
        target("linux-64,python=3.12", "linux-64", "3.12"),
        target("linux-aarch64,python=3.12", "linux-aarch64", "3.12"),
        target("osx-arm64,python=3.12", "osx-arm64", "3.12"),
    ];
    let refs: Vec<&LockedTarget> = ts.iter().collect();
    assert_eq!(
        slugs(&refs).unwrap(),
        ["linux-amd64", "linux-arm64", "osx-arm64"]
    );
    let ts = [
        target("linux-64,python=3.11", "linux-64", "3.11"),
        target("linux-64,python=3.12", "linux-64", "3.12"),
        target("centos7,python=3.12", "linux-64", "3.12"),
    ];
    let refs: Vec<&LockedTarget> = ts.iter().collect();
    assert_eq!(
        slugs(&refs).unwrap(),
        [
            "linux-amd64-py3.11",
            "linux-64-python-3.12",
            "centos7-python-3.12"
        ]
    );
}

#[test]
fn via_names_input_files_first_then_dependents_present() {
    let by: BTreeSet<String> = [
        "pypi:requests",
        "pypi:absent",
        "req/a.in:3:1",
        "conda:numpy",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let present: BTreeSet<String> = ["requests".to_string()].into();
    assert_eq!(
        via(&by, &present),
        ["-r req/a.in", "numpy (conda)", "requests"]
    );
    assert_eq!(
        via_lines(&via(&by, &present)[..1], "    "),
        "    # via -r req/a.in\n"
    );
    assert_eq!(input_file("C:/x/req.txt:12:5"), "C:/x/req.txt");
}
