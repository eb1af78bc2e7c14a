//! The input files of a run, read by the real parsers, turned into the request.

use super::*;
use std::path::PathBuf;
use unilock_formats::{MemoryLoader, dispatch, requirements::Context};

/// Reads each `(path, text)` as the command line reads an input file and adds them in order.
fn inputs(files: &[(&str, &str)], groups: &Groups) -> Result<Inputs, Diagnostic> {
    inputs_including(files, &[], groups)
}

/// [`inputs`], where the input files may include the `included` ones (`-c constraints.txt`).
fn inputs_including(
    files: &[(&str, &str)],
    included: &[(&str, &str)],
    groups: &Groups,
) -> Result<Inputs, Diagnostic> {
    let loader = files
        .iter()
        .chain(included)
        .fold(MemoryLoader::default(), |l, (p, t)| l.with(*p, *t));
    let ctx = Context {
        loader: &loader,
        env: &|_| None,
        cwd: Some(Path::new("/work")),
        hash_file: None,
    };
    let mut inputs = Inputs::new(false, Default::default());
    for (path, text) in files {
        let path = PathBuf::from(path);
        let format = dispatch::detect(&path, text).expect("a known format");
        let doc = dispatch::read(format, &path, text, &ctx)?;
        inputs.add(&path, &doc, groups)?;
    }
    Ok(inputs)
}

/// `name ; marker` of every PyPI requirement, in order.
fn required(inputs: &Inputs) -> Vec<String> {
    inputs
        .pypi
        .requirements
        .iter()
        .map(|(r, _)| r.to_string())
        .collect()
}

fn specs(specs: &[(MatchSpec, String)]) -> Vec<String> {
    specs.iter().map(|(s, _)| s.to_string()).collect()
}

const PYPROJECT: &str = r#"[project]
name = "Demo_App"
version = "1.0"
dependencies = ["requests>=2"]

[project.optional-dependencies]
cli = ["click>=8"]
GPU = ["torch"]
docs = ["sphinx"]
all = ["demo-app[cli,gpu]"]

[dependency-groups]
dev = ["pytest"]
"#;

#[test]
fn only_the_main_requirements_and_the_chosen_groups_are_taken() {
    let main = inputs(&[("/p/pyproject.toml", PYPROJECT)], &Groups::default()).unwrap();
    assert_eq!(required(&main), ["requests>=2"]);
    // Named in any spelling.
    let some = inputs(
        &[("/p/pyproject.toml", PYPROJECT)],
        &Groups::new(&["gpu", "Dev"], false),
    )
    .unwrap();
    assert_eq!(required(&some), ["requests>=2", "torch", "pytest"]);
    let every = inputs(&[("/p/pyproject.toml", PYPROJECT)], &Groups::every()).unwrap();
    assert_eq!(
        required(&every),
        ["requests>=2", "click>=8", "torch", "sphinx", "pytest"]
    );
    // Each requirement says where it was written.
    assert_eq!(every.pypi.requirements[0].1, "/p/pyproject.toml:4:18");
}

#[test]
fn an_extra_that_requires_the_project_itself_brings_in_its_extras_not_the_project() {
    let all = inputs(
        &[("/p/pyproject.toml", PYPROJECT)],
        &Groups::new(&["all"], false),
    )
    .unwrap();
    // `all = ["demo-app[cli,gpu]"]`: cli and GPU are taken, docs is not, and the project is
    // never required of an index.
    assert_eq!(required(&all), ["requests>=2", "click>=8", "torch"]);
}

#[test]
fn the_features_of_pixis_default_environment_are_taken_unasked_and_others_when_named() {
    let manifest = "[workspace]\nchannels = [\"conda-forge\"]\nplatforms = [\"linux-64\"]\n\n[dependencies]\npython = \"3.12.*\"\n\n[feature.test.dependencies]\npytest = \"*\"\n\n[feature.docs.dependencies]\nmkdocs = \"*\"\n\n[environments]\ndefault = [\"test\"]\ndocs = [\"docs\"]\n";
    let unasked = inputs(&[("/p/pixi.toml", manifest)], &Groups::default()).unwrap();
    assert_eq!(specs(&unasked.conda.specs), ["python 3.12.*", "pytest"]);
    let named = inputs(
        &[("/p/pixi.toml", manifest)],
        &Groups::new(&["docs"], false),
    )
    .unwrap();
    assert_eq!(
        specs(&named.conda.specs),
        ["python 3.12.*", "pytest", "mkdocs"]
    );
}

#[test]
fn a_wheel_or_sdist_given_by_path_is_named_by_its_file_name() {
    let got = inputs(
        &[(
            "/p/requirements.txt",
            "./dist/Tiny_Pkg-1.0-py3-none-any.whl\nhttps://files.example/other.pkg-2.0.tar.gz ; sys_platform == 'linux'\n",
        )],
        &Groups::default(),
    )
    .unwrap();
    let names: Vec<String> = got
        .pypi
        .requirements
        .iter()
        .map(|(r, _)| r.name.to_string())
        .collect();
    assert_eq!(names, ["tiny-pkg", "other-pkg"]);
    let (wheel, origin) = &got.pypi.requirements[0];
    assert!(
        matches!(&wheel.version_or_url, Some(pep508_rs::VersionOrUrl::Url(u)) if u.to_url().path().ends_with("/dist/Tiny_Pkg-1.0-py3-none-any.whl")),
        "{wheel}"
    );
    assert_eq!(origin, "/p/requirements.txt:1:1");
    assert!(
        got.pypi.requirements[1]
            .0
            .to_string()
            .contains("sys_platform == 'linux'")
    );
}

#[test]
fn a_requirement_known_only_after_a_build_is_refused_at_its_place() {
    let err = inputs(
        &[("/p/requirements.txt", "requests\n./src/project\n")],
        &Groups::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), unilock_model::ErrorKind::Usage);
    let text = err.to_string();
    assert!(
        text.contains("/p/requirements.txt:2:1: `")
            && text.contains("names no wheel, sdist, Git repository or source directory"),
        "{text}"
    );
    assert!(text.contains("name @ URL"), "{text}");
}

#[test]
fn constraints_overrides_options_and_indexes_of_a_requirements_file_are_kept() {
    let got = inputs_including(
        &[(
            "/p/reqs/requirements.txt",
            "--pre\n--only-binary :all:\n--find-links ./wheels\n--extra-index-url https://mirror.example/simple\n-c constraints.txt\nnumpy\n",
        )],
        &[("/p/reqs/constraints.txt", "numpy<2\n")],
        &Groups::default(),
    )
    .unwrap();
    assert!(
        got.pypi.prerelease == crate::pypi::PrereleaseMode::Allow
            && got.pypi.binary.only_binary.all
    );
    assert_eq!(required(&got), ["numpy"]);
    let constraints: Vec<String> = got.pypi.constraints.iter().map(|c| c.to_string()).collect();
    assert_eq!(constraints, ["numpy<2"]);
    let indexes: Vec<(IndexKind, &str, &str)> = got
        .indexes
        .iter()
        .map(|i| (i.kind, i.url.as_str(), i.origin.as_str()))
        .collect();
    // A relative find-links path is read from the file's directory.
    assert_eq!(
        indexes,
        [
            (
                IndexKind::FindLinks,
                "/p/reqs/./wheels",
                "/p/reqs/requirements.txt:3:1"
            ),
            (
                IndexKind::Extra,
                "https://mirror.example/simple",
                "/p/reqs/requirements.txt:4:1"
            ),
        ]
    );
}

#[test]
fn uv_constraints_and_overrides_of_a_pyproject_are_kept_apart_from_its_requirements() {
    let got = inputs(
        &[(
            "/p/pyproject.toml",
            "[project]\nname = \"app\"\nversion = \"1\"\ndependencies = [\"pandas\"]\n\n[tool.uv]\nconstraint-dependencies = [\"numpy<2\"]\noverride-dependencies = [\"six==1.16\"]\n",
        )],
        &Groups::default(),
    )
    .unwrap();
    assert_eq!(required(&got), ["pandas"]);
    let text = |rs: &[pep508_rs::Requirement]| -> Vec<String> {
        rs.iter().map(ToString::to_string).collect()
    };
    assert_eq!(text(&got.pypi.constraints), ["numpy<2"]);
    assert_eq!(text(&got.pypi.overrides), ["six==1.16"]);
}

#[test]
fn channels_are_kept_in_order_once_each_and_nodefaults_is_not_a_channel() {
    let got = inputs(
        &[
            (
                "/p/environment.yml",
                "channels:\n  - conda-forge\n  - nodefaults\n  - bioconda\ndependencies:\n  - python=3.12\n  - samtools\n  - pip:\n    - requests\n",
            ),
            (
                "/p/more/environment.yml",
                "channels:\n  - bioconda\n  - file:///srv/channel\ndependencies:\n  - numpy\n",
            ),
        ],
        &Groups::default(),
    )
    .unwrap();
    assert!(got.conda.nodefaults);
    let channels: Vec<(&str, &str)> = got
        .conda
        .channels
        .iter()
        .map(|(c, o)| (c.as_str(), o.as_str()))
        .collect();
    assert_eq!(
        channels,
        [
            ("conda-forge", "/p/environment.yml:2:5"),
            ("bioconda", "/p/environment.yml:4:5"),
            ("file:///srv/channel", "/p/more/environment.yml:3:5"),
        ]
    );
    assert_eq!(
        specs(&got.conda.specs),
        ["python 3.12.*", "samtools", "numpy"]
    );
    assert_eq!(got.conda.specs[1].1, "/p/environment.yml:7:5");
    // The pip: section is the PyPI side of the same run.
    assert_eq!(required(&got), ["requests"]);
    // No spec is limited to some platforms: every subdir gets them all.
    assert_eq!(specs(&got.conda.specs_for("win-64")).len(), 3);
}

#[test]
fn specs_of_target_tables_apply_on_their_platforms_only() {
    let got = inputs(
        &[(
            "/p/pixi.toml",
            r#"[workspace]
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64", "win-64"]

[dependencies]
python = "3.12.*"

[target.win-64.dependencies]
python = "3.11.*"

[target.unix.dependencies]
six = "*"

[target.linux.pypi-dependencies]
uvloop = ">=0.19"

[system-requirements]
cuda = "12"
"#,
        )],
        &Groups::default(),
    )
    .unwrap();
    assert_eq!(
        specs(&got.conda.specs_for("linux-64")),
        ["python 3.12.*", "six"]
    );
    assert_eq!(
        specs(&got.conda.specs_for("osx-arm64")),
        ["python 3.12.*", "six"]
    );
    // The win-64 table replaces the general python spec there; six is unix only.
    assert_eq!(specs(&got.conda.specs_for("win-64")), ["python 3.11.*"]);
    // A PyPI requirement of some platforms carries them as a marker: one request serves all.
    let uvloop = required(&got);
    assert_eq!(uvloop.len(), 1);
    assert!(
        uvloop[0].starts_with("uvloop>=0.19 ; ") && uvloop[0].contains("sys_platform == 'linux'"),
        "{uvloop:?}"
    );
    assert_eq!(got.conda.system_requirements.len(), 1);
    assert_eq!(got.conda.system_requirements[0].name, "cuda");
}

#[test]
fn the_pins_of_a_lock_are_preferences_but_for_the_packages_upgraded() {
    let lock = Lock::from_toml(
        r#"version = 2

[[target]]
name = "linux-64,python=3.12"
conda-subdir = "linux-64"
python = "3.12"

[[package]]
name = "numpy"
ecosystem = "conda"
version = "1.26.4"
build = "py312h8753938_0"
targets = ["linux-64,python=3.12"]

[[package]]
name = "python"
ecosystem = "conda"
version = "3.12.3"
build = "hab00c5b_0_cpython"
targets = ["linux-64,python=3.12"]

[[package]]
name = "requests"
ecosystem = "pypi"
version = "2.32.3"
targets = ["linux-64,python=3.12"]

[[package]]
name = "typing-extensions"
ecosystem = "pypi"
version = "4.12.2"
targets = ["linux-64,python=3.12"]
"#,
        "unilock.lock",
    )
    .unwrap();
    let pypi = pypi_pins(&lock, &["Typing_Extensions".to_string()]);
    let pypi: Vec<String> = pypi.iter().map(|(n, v)| format!("{n}=={v}")).collect();
    assert_eq!(pypi, ["requests==2.32.3"]);
    let conda = conda_pins(&lock, &["Python".to_string()]);
    assert_eq!(conda.len(), 1);
    assert_eq!(
        conda["numpy"],
        Pin {
            version: "1.26.4".into(),
            build: "py312h8753938_0".into()
        }
    );
    assert_eq!(pypi_pins(&lock, &[]).len(), 2);
    assert_eq!(conda_pins(&lock, &[]).len(), 2);
}

#[test]
fn an_extra_no_input_defines_is_refused_naming_those_they_define() {
    let extras = r#"[project]
name = "app"
version = "1"
dependencies = ["a"]

[project.optional-dependencies]
gpu = ["torch"]
cli = []

[dependency-groups]
dev = ["pytest"]
"#;
    let files = [("/work/pyproject.toml", extras)];
    let check = |names: &[&str]| {
        let groups = Groups::new(names, false);
        inputs(&files, &groups)
            .and_then(|i| i.check_groups(&groups))
            .map_err(|e| (e.kind(), e.render()))
    };
    // An extra with no requirements is still defined; names compare normalised.
    assert!(check(&["cli", "GPU", "dev"]).is_ok());
    let (kind, e) = check(&["gpus"]).unwrap_err();
    assert_eq!(kind, unilock_model::ErrorKind::Usage);
    assert!(e.contains("--extra gpus: no input defines"), "{e}");
    assert!(e.contains("these extras and groups: cli, dev, gpu"), "{e}");
    assert!(e.contains("did you mean `--extra gpu`?"), "{e}");
    let groups = Groups::new(&["gpu"], false);
    let e = inputs(&[("/work/requirements.txt", "a\n")], &groups)
        .and_then(|i| i.check_groups(&groups))
        .unwrap_err()
        .render();
    assert!(
        e.contains("the inputs define no extras or dependency groups"),
        "{e}"
    );
}

#[test]
fn a_pyproject_whose_dependencies_are_dynamic_says_so_at_its_dynamic_list() {
    let dynamic =
        "[project]\nname = \"app\"\nversion = \"1\"\ndynamic = [\"dependencies\", \"version\"]\n";
    let e = inputs(&[("/work/pyproject.toml", dynamic)], &Groups::default()).unwrap_err();
    assert_eq!(e.kind(), unilock_model::ErrorKind::InvalidInput);
    let e = e.render();
    assert!(
        e.contains("/work/pyproject.toml:4:11: the project's dependencies are `dynamic`"),
        "{e}"
    );
    // Only the version dynamic: the dependencies are read as usual.
    let version = "[project]\nname = \"app\"\ndynamic = [\"version\"]\ndependencies = [\"a\"]\n";
    let got = inputs(&[("/work/pyproject.toml", version)], &Groups::default()).unwrap();
    assert_eq!(required(&got), ["a"]);
    // Dynamic extras are named when an extra is not found.
    let extras =
        "[project]\nname = \"app\"\ndependencies = []\ndynamic = [\"optional-dependencies\"]\n";
    let groups = Groups::new(&["gpu"], false);
    let e = inputs(&[("/work/pyproject.toml", extras)], &groups)
        .and_then(|i| i.check_groups(&groups))
        .unwrap_err()
        .render();
    assert!(e.contains("optional-dependencies are `dynamic`"), "{e}");
}
