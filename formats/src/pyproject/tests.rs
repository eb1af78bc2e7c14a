//! Unit specifications of the `pyproject.toml` reader and writer.

use super::*;
use unilock_model::document::IndexKind;

fn read(text: &str) -> Document {
    parse("pyproject.toml", text).unwrap_or_else(|e| panic!("{}", e.render()))
}

/// `(group, requirement)` of every requirement, in order.
fn listed(doc: &Document) -> Vec<(Option<String>, String)> {
    doc.manifest
        .requirements
        .iter()
        .map(|r| (r.group.clone(), r.requirement.to_string()))
        .collect()
}

fn g(group: &str, req: &str) -> (Option<String>, String) {
    (Some(group.to_string()), req.to_string())
}

fn main(req: &str) -> (Option<String>, String) {
    (None, req.to_string())
}

/// The error of parsing `text`, as `(line, column, message)`.
fn error(text: &str) -> (u32, u32, String) {
    let e = parse("pyproject.toml", text).expect_err("parse should fail");
    let o = e
        .origin()
        .unwrap_or_else(|| panic!("no location: {}", e.render()));
    assert!(
        e.render()
            .starts_with(&format!("pyproject.toml:{}:{}: error: ", o.line, o.column))
    );
    (o.line, o.column, e.message().to_string())
}

#[test]
fn pep621_dependencies_extras_name_and_requires_python() {
    let doc = read(
        "[project]\nname = \"demo\"\nrequires-python = \">=3.10\"\ndependencies = [\n  \"numpy>=1.26\",\n  'pandas ; python_version >= \"3.11\"',\n]\n[project.optional-dependencies]\nplot = [\"matplotlib\"]\n",
    );
    assert_eq!(doc.format, "pyproject");
    assert_eq!(doc.project.as_deref(), Some("demo"));
    assert_eq!(doc.requires_python.as_deref(), Some(">=3.10"));
    assert_eq!(
        listed(&doc),
        [
            main("numpy>=1.26"),
            main("pandas ; python_full_version >= '3.11'"),
            g("plot", "matplotlib")
        ]
    );
    let origin = doc.manifest.requirements[1].origin.clone().expect("origin");
    assert_eq!((origin.line, origin.column), (6, 4));
}

#[test]
fn include_group_expands_in_place_with_the_included_origin() {
    let doc = read(
        "[dependency-groups]\ntest = [\"pytest\"]\nlint = [\"ruff\"]\ndev = [\"ipython\", {include-group = \"test\"}, { include-group = \"Lint\" }]\n",
    );
    assert_eq!(
        listed(&doc),
        [
            g("test", "pytest"),
            g("lint", "ruff"),
            g("dev", "ipython"),
            g("dev", "pytest"),
            g("dev", "ruff")
        ]
    );
    let included = doc.manifest.requirements[3].origin.clone().expect("origin");
    assert_eq!((included.line, included.column), (2, 10));
}

#[test]
fn include_group_cycles_and_unknown_groups_are_located_errors() {
    let (line, column, message) = error(
        "[dependency-groups]\na = [{include-group = \"b\"}]\nb = [\"x\", {include-group = \"a\"}]\n",
    );
    assert_eq!((line, column), (3, 11), "{message}");
    assert!(message.contains("cycle: a -> b -> a"), "{message}");
    let (line, column, message) =
        error("[dependency-groups]\na = [\"x\",\n  {include-group = \"nope\"}]\n");
    assert_eq!((line, column), (3, 3));
    assert!(
        message.contains("unknown dependency group `nope`"),
        "{message}"
    );
}

#[test]
fn shape_errors_point_at_the_value() {
    let (line, column, message) = error("[project]\nname = \"x\"\ndependencies = \"numpy\"\n");
    assert_eq!((line, column), (3, 16));
    assert!(message.contains("must be an array"), "{message}");
    let (line, column, _) = error("[project]\ndependencies = [\"numpy\", 3]\n");
    assert_eq!((line, column), (2, 26));
    let (line, column, message) =
        error("[project]\ndependencies = [\n  \"numpy\",\n  \"scipy >=>1\",\n]\n");
    assert_eq!(line, 4);
    assert!(
        column > 4 && column < 16,
        "column {column} should be inside the string"
    );
    assert!(message.contains("PEP 508"), "{message}");
    let (line, column, message) = error("[project]\nname = \"x\"\ndependencies = [\n");
    assert_eq!((line, column), (3, 17), "{message}");
    assert!(message.starts_with("invalid TOML"), "{message}");
}

#[test]
fn uv_indexes_constraints_overrides_dev_and_environments() {
    let doc = read(
        r#"
[project]
name = "x"
dependencies = ["torch"]
[tool.uv]
index-url = "https://mirror.example/simple"
extra-index-url = ["https://extra.example/simple"]
find-links = ["./wheels"]
constraint-dependencies = ["urllib3<3"]
override-dependencies = ["six==1.16"]
dev-dependencies = ["pytest"]
environments = ["sys_platform == 'linux'", "sys_platform == 'darwin'"]
conflicts = [[{ extra = "a" }, { group = "b" }]]
[tool.uv.sources]
torch = [{ index = "cu", marker = "sys_platform == 'linux'" }]
[[tool.uv.index]]
name = "cu"
url = "https://gpu.example/whl"
explicit = true
"#,
    );
    let kinds: Vec<(IndexKind, &str)> = doc
        .indexes
        .iter()
        .map(|i| (i.kind, i.url.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (IndexKind::Extra, "https://gpu.example/whl"),
            (IndexKind::Extra, "https://extra.example/simple"),
            (IndexKind::Default, "https://mirror.example/simple"),
            (IndexKind::FindLinks, "./wheels"),
        ]
    );
    assert_eq!(doc.indexes[0].name.as_deref(), Some("cu"));
    let roles: Vec<(RequirementRole, Option<&str>, String)> = doc
        .manifest
        .requirements
        .iter()
        .map(|r| (r.role, r.group.as_deref(), r.requirement.to_string()))
        .collect();
    assert_eq!(
        roles,
        [
            (RequirementRole::Dependency, None, "torch".to_string()),
            (RequirementRole::Constraint, None, "urllib3<3".to_string()),
            (RequirementRole::Override, None, "six==1.16".to_string()),
            (
                RequirementRole::Dependency,
                Some("dev"),
                "pytest".to_string()
            ),
        ]
    );
    assert_eq!(
        doc.environments,
        ["sys_platform == 'linux'", "sys_platform == 'darwin'"]
    );
}

#[test]
fn uv_errors_name_the_unknown_index_and_bad_conflicts() {
    let (line, column, message) = error("[tool.uv.sources]\ntorch = { index = \"gpu\" }\n");
    assert_eq!((line, column), (2, 20));
    assert!(message.contains("unknown index `gpu`"), "{message}");
    let (line, column, _) = error("[tool.uv]\nconflicts = [[{ extra = \"a\" }]]\n");
    assert_eq!((line, column), (2, 14));
}

#[test]
fn pixi_conda_and_pypi_dependencies_with_features() {
    let doc = read(
        r#"
[tool.pixi.workspace]
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64"]
[tool.pixi.dependencies]
python = ">=3.12"
numpy = "*"
pytorch = { version = ">=2.3", build = "*cuda*", channel = "pytorch" }
[tool.pixi.pypi-dependencies]
rich = { version = ">=13", extras = ["jupyter"] }
[tool.pixi.feature.test.dependencies]
pytest = "8.*"
[tool.pixi.environments]
default = { features = ["test"], solve-group = "default" }
"#,
    );
    let conda: Vec<String> = doc
        .manifest
        .of(unilock_model::Ecosystem::Conda)
        .map(|r| r.requirement.to_string())
        .collect();
    assert_eq!(
        conda,
        [
            "python >=3.12",
            "numpy",
            "pytorch::pytorch >=2.3 *cuda*",
            "pytest 8.*"
        ]
    );
    assert_eq!(listed(&doc)[3], main("rich[jupyter]>=13"));
    assert_eq!(doc.manifest.requirements[4].group.as_deref(), Some("test"));
    let origin = doc.manifest.requirements[2].origin.clone().expect("origin");
    assert_eq!((origin.line, origin.column), (8, 1));
}

#[test]
fn pixi_editable_path_dependency_resolves_against_the_file() {
    let doc = parse(
        "/srv/proj/pyproject.toml",
        "[tool.pixi.pypi-dependencies]\nproj = { path = \".\", editable = true }\n",
    )
    .unwrap_or_else(|e| panic!("{}", e.render()));
    let r = &doc.manifest.requirements[0];
    assert!(r.editable);
    assert_eq!(r.requirement.to_string(), "proj @ file:///srv/proj");
}

#[test]
fn pixi_errors_point_at_the_spec_and_the_unknown_feature() {
    let (line, column, message) = error("[tool.pixi.dependencies]\nnumpy = \">=1.0,<<2\"\n");
    assert_eq!((line, column), (2, 9), "{message}");
    let (line, column, message) = error(
        "[tool.pixi.feature.a.dependencies]\nx = \"*\"\n[tool.pixi.environments]\nci = [\"a\", \"b\"]\n",
    );
    assert_eq!((line, column), (4, 13));
    assert!(message.contains("unknown pixi feature `b`"), "{message}");
}

#[test]
fn poetry_constraints_become_pep440() {
    let cases = [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^2", ">=2,<3"),
        ("~1.2", ">=1.2,<1.3"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("*", ""),
        ("", ""),
        ("1.2.*", "==1.2.*"),
        ("1.2", "==1.2"),
        (">=1.74.3, <1.78.0, !=1.67.*", ">=1.74.3,<1.78.0,!=1.67.*"),
        (">= 2.0 < 3", ">=2.0,<3"),
        ("^3.12,<3.14", ">=3.12,<4.0,<3.14"),
        ("~=1.4", "~=1.4"),
    ];
    for (poetry, pep440) in cases {
        assert_eq!(poetry::to_pep440(poetry).as_deref(), Ok(pep440), "{poetry}");
    }
    assert!(poetry::to_pep440("^1.0 || ^2.0").is_err());
    assert!(poetry::to_pep440("=>1.0").is_err());
}

#[test]
fn poetry_dependencies_groups_extras_and_python() {
    let doc = read(
        r#"
[tool.poetry]
name = "demo"
[tool.poetry.dependencies]
python = "^3.10"
requests = { version = "^2.31", extras = ["socks"] }
tomli = { version = "*", python = "<3.11" }
modal = { version = ">=0.66", optional = true }
lib = { git = "https://git.example/lib.git", rev = "v1", subdirectory = "py" }
[tool.poetry.extras]
cloud = ["modal"]
[tool.poetry.group.test.dependencies]
pytest = "^8.0"
"#,
    );
    assert_eq!(doc.project.as_deref(), Some("demo"));
    assert_eq!(doc.requires_python.as_deref(), Some(">=3.10,<4.0"));
    assert_eq!(
        listed(&doc),
        [
            main("requests[socks]>=2.31,<3.0"),
            main("tomli ; python_full_version < '3.11'"),
            main("lib @ git+https://git.example/lib.git@v1#subdirectory=py"),
            g("cloud", "modal>=0.66"),
            g("test", "pytest>=8.0,<9.0"),
        ]
    );
}

#[test]
fn invalid_poetry_constraint_points_into_the_string() {
    let (line, column, message) = error("[tool.poetry.dependencies]\nfoo = \">=1.0,^x\"\n");
    assert_eq!((line, column), (2, 14), "{message}");
    assert!(message.contains("invalid Poetry constraint"), "{message}");
}

const PROJECT: &str = r#"# top comment
[project]
name = "demo"
dependencies = [
    "numpy>=1.26",  # arrays
    "pandas>=2",    # frames
    "rich",
]

[dependency-groups]
test = ["pytest"]
dev = [{ include-group = "test" }, "ruff"]

[tool.pixi.dependencies]
python = ">=3.12"
"#;

#[test]
fn emitting_the_parsed_model_returns_the_text_unchanged() {
    let doc = read(PROJECT);
    assert_eq!(emit(PROJECT, &doc).as_deref(), Ok(PROJECT));
}

#[test]
fn changing_one_dependency_changes_only_its_line() {
    let mut doc = read(PROJECT);
    doc.manifest.requirements[1].requirement =
        Requirement::parse_pypi("pandas>=2.2", "t", "", 0).unwrap_or_else(|e| panic!("{e}"));
    let out = emit(PROJECT, &doc).unwrap_or_else(|e| panic!("{}", e.render()));
    let changed: Vec<(&str, &str)> = PROJECT
        .lines()
        .zip(out.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        [(
            "    \"pandas>=2\",    # frames",
            "    \"pandas>=2.2\",    # frames"
        )]
    );
    assert_eq!(PROJECT.lines().count(), out.lines().count());
    assert_eq!(read(&out).without_origins(), doc.without_origins());
}

#[test]
fn adding_and_removing_keeps_layout_and_includes() {
    let mut doc = read(PROJECT);
    let new = |s: &str| Requirement::parse_pypi(s, "t", "", 0).unwrap_or_else(|e| panic!("{e}"));
    // Drop `rich`, add `scipy` after `pandas`, add `mypy` to `dev` after its included `pytest`.
    doc.manifest.requirements.remove(2);
    let mut scipy = doc.manifest.requirements[1].clone();
    scipy.requirement = new("scipy");
    doc.manifest.requirements.insert(2, scipy);
    let mut mypy = doc.manifest.requirements[5].clone();
    mypy.requirement = new("mypy");
    doc.manifest.requirements.insert(6, mypy);
    let out = emit(PROJECT, &doc).unwrap_or_else(|e| panic!("{}", e.render()));
    assert!(
        out.contains("    \"pandas>=2\",    # frames\n    \"scipy\",\n]"),
        "{out}"
    );
    assert!(
        out.contains("dev = [{ include-group = \"test\" }, \"ruff\", \"mypy\"]"),
        "{out}"
    );
    assert!(
        out.starts_with("# top comment\n")
            && out.ends_with("[tool.pixi.dependencies]\npython = \">=3.12\"\n")
    );
    assert_eq!(read(&out).without_origins(), doc.without_origins());
}

#[test]
fn emit_creates_missing_tables_and_refuses_what_pep621_cannot_hold() {
    let mut doc = Document::new(FORMAT);
    doc.project = Some("fresh".to_string());
    doc.requires_python = Some(">=3.11".to_string());
    doc.manifest.requirements = read("[project]\ndependencies = [\"attrs\"]\n[tool.uv]\nconstraint-dependencies = [\"idna<4\"]\n")
        .manifest
        .requirements;
    let out = emit("", &doc).unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(read(&out).without_origins(), doc.without_origins(), "{out}");
    let pixi = "[tool.pixi.dependencies]\npython = \">=3.12\"\n";
    let mut changed = read(pixi);
    changed.manifest.requirements.clear();
    let e = emit(pixi, &changed).expect_err("a pixi dependency cannot be removed");
    assert!(
        e.message()
            .contains("cannot remove or change `python >=3.12`"),
        "{}",
        e.message()
    );
    let e = emit("", &read(pixi)).expect_err("conda has no place in [project]");
    assert!(e.message().contains("conda"), "{}", e.message());
}

#[test]
fn arbitrary_text_never_panics() {
    let inputs = [
        "",
        "[",
        "[project]\ndependencies = [{}]",
        "[dependency-groups]\na = [{include-group = 1}]",
        "[tool]\nuv = 3",
        "[tool.pixi.feature]\nx = 1",
        "[tool.poetry.dependencies]\nx = [1]",
        "[tool.poetry.dependencies]\nx = \"^\"",
        "[tool.uv.index]\nurl = 1",
        "\u{feff}[project]\nname = \"é\"",
        "[tool.poetry.dependencies]\nx = \"^0\"",
        "[tool.uv]\nconflicts = [1, 2]",
    ];
    for text in inputs {
        let _ = parse("p.toml", text);
        if let Ok(doc) = parse("p.toml", text) {
            assert_eq!(emit(text, &doc).as_deref(), Ok(text));
        }
    }
}

#[test]
fn a_new_file_gets_a_named_project_table() {
    let mut doc = read("[project]\ndependencies = [\"attrs>=23\"]\n");
    doc.project = Some("fresh".to_string());
    doc.requires_python = Some(">=3.10".to_string());
    let out = emit("", &doc).unwrap_or_else(|e| panic!("{}", e.render()));
    let expected = "[project]\nname = \"fresh\"\nrequires-python = \">=3.10\"\n\
                    dependencies = [\n    \"attrs>=23\",\n]\n";
    assert_eq!(out, expected);
}

#[test]
fn pixi_channels_platforms_and_target_tables_read_beside_pep621() {
    let doc = read(
        r#"[project]
name = "proj"
dependencies = ["requests>=2"]

[tool.pixi.workspace]
channels = ["conda-forge"]
platforms = ["linux-64", "win-64"]

[tool.pixi.dependencies]
python = "3.12.*"

[tool.pixi.target.win-64.dependencies]
pywin32 = "*"

[tool.pixi.target.linux-64.pypi-dependencies]
uvloop = "*"

[tool.pixi.system-requirements]
cuda = "12"
"#,
    );
    let read: Vec<(String, Option<String>)> = doc
        .manifest
        .requirements
        .iter()
        .map(|r| (r.requirement.to_string(), r.platform.map(|p| p.to_string())))
        .collect();
    assert_eq!(
        read,
        [
            ("requests>=2".to_string(), None),
            ("python 3.12.*".to_string(), None),
            ("pywin32".to_string(), Some("win-64".to_string())),
            ("uvloop".to_string(), Some("linux-64".to_string())),
        ]
    );
    assert_eq!(doc.channels[0].name, "conda-forge");
    assert_eq!(doc.platforms, ["linux-64", "win-64"]);
    assert_eq!(doc.system_requirements[0].name, "cuda");
    let (line, column, message) = error("[tool.pixi.target.amiga.dependencies]\nx = \"*\"\n");
    assert_eq!((line, column), (1, 19), "{message}");
    assert!(
        message.contains("unknown target platform `amiga`"),
        "{message}"
    );
}

#[test]
fn pixi_environments_may_name_the_extras_and_groups_of_the_pyproject() {
    let doc = read(
        "[project]\nname = \"p\"\n[project.optional-dependencies]\ncli = [\"click\"]\n[dependency-groups]\ndev = [\"pytest\"]\n[tool.pixi.environments]\ndefault = [\"cli\", \"dev\"]\n",
    );
    assert_eq!(doc.default_groups, ["cli", "dev"]);
}
