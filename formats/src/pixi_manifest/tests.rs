use super::*;
use unilock_model::Ecosystem;

fn read(text: &str) -> Document {
    parse("/srv/proj/pixi.toml", text).unwrap_or_else(|e| panic!("{}", e.render()))
}

/// `(requirement, group, platform)` of every requirement of one ecosystem, in order.
fn of(doc: &Document, ecosystem: Ecosystem) -> Vec<(String, Option<String>, Option<String>)> {
    doc.manifest
        .of(ecosystem)
        .map(|r| {
            (
                r.requirement.to_string(),
                r.group.clone(),
                r.platform.map(|p| p.to_string()),
            )
        })
        .collect()
}

fn plain(spec: &str) -> (String, Option<String>, Option<String>) {
    (spec.to_string(), None, None)
}

/// The line, column and message of the error reading `text`.
fn error(text: &str) -> (u32, u32, String) {
    let e = parse("pixi.toml", text).expect_err("parse should fail");
    let o = e
        .origin()
        .unwrap_or_else(|| panic!("no location: {}", e.render()));
    assert!(
        e.render()
            .starts_with(&format!("pixi.toml:{}:{}: error: ", o.line, o.column)),
        "{}",
        e.render()
    );
    (o.line, o.column, e.render())
}

#[test]
fn workspace_channels_and_platforms_are_kept_in_order_with_their_origins() {
    let doc = read(
        r#"[workspace]
name = "demo"
channels = ["conda-forge", { channel = "https://repo.example/bioconda", priority = 2 }]
platforms = ["linux-64", "osx-arm64", "win-64"]
"#,
    );
    assert_eq!(doc.format, "pixi-toml");
    assert_eq!(doc.project.as_deref(), Some("demo"));
    let channels: Vec<&str> = doc.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(channels, ["conda-forge", "https://repo.example/bioconda"]);
    let origin = doc.channels[1].origin.as_ref().expect("origin");
    assert_eq!((origin.line, origin.column), (3, 41));
    assert_eq!(doc.platforms, ["linux-64", "osx-arm64", "win-64"]);
    // pixi's older `[project]` table says the same.
    let old = read(
        "[project]\nname = \"demo\"\nchannels = [\"conda-forge\"]\nplatforms = [\"linux-64\"]\n",
    );
    assert_eq!(old.channels[0].name, "conda-forge");
    assert_eq!(old.platforms, ["linux-64"]);
}

#[test]
fn conda_dependencies_in_every_table_form_become_matchspecs() {
    let doc = read(
        r#"[workspace]
channels = ["conda-forge"]
platforms = ["linux-64"]

[dependencies]
python = ">=3.12,<3.13"
pip = "*"
numpy = { version = ">=1.26", build = "py312*", channel = "conda-forge" }
pytorch = { build = "*cuda*" }
libblas = { version = "3.9.*", build-number = ">=20" }
openssl = { version = "3.*", subdir = "linux-64", md5 = "0123456789abcdef0123456789abcdef" }
mylib = { path = "./mylib" }

[host-dependencies]
cmake = "3.28.*"

[build-dependencies]
ninja = ""
"#,
    );
    assert_eq!(
        of(&doc, Ecosystem::Conda),
        [
            plain("python >=3.12,<3.13"),
            plain("pip"),
            plain("conda-forge::numpy >=1.26 py312*"),
            plain("pytorch * *cuda*"),
            plain("libblas 3.9.*[build_number=\">=20\"]"),
            plain("openssl 3.*[md5=\"0123456789abcdef0123456789abcdef\", subdir=\"linux-64\"]"),
            plain("mylib"),
            plain("cmake 3.28.*"),
            plain("ninja"),
        ]
    );
    // Each requirement is located at its key.
    let origins: Vec<(u32, u32)> = doc
        .manifest
        .requirements
        .iter()
        .map(|r| {
            r.origin
                .as_ref()
                .map(|o| (o.line, o.column))
                .expect("origin")
        })
        .collect();
    assert_eq!(origins[0], (6, 1));
    assert_eq!(origins[7], (15, 1));
    assert_eq!(origins[8], (18, 1));
}

#[test]
fn pypi_dependencies_in_every_table_form_become_pep508() {
    let doc = read(
        r#"[pypi-dependencies]
requests = ">=2"
flask = "*"
rich = { version = ">=13", extras = ["jupyter"] }
pkg = { git = "https://git.example/org/pkg.git", rev = "abc123", subdirectory = "py" }
local = { path = "./local", editable = true }
wheel = { url = "https://files.example/wheel-1.0-py3-none-any.whl" }
onwin = { version = "<2", env-markers = "sys_platform == 'win32'" }
"#,
    );
    assert_eq!(
        of(&doc, Ecosystem::Pypi),
        [
            plain("requests>=2"),
            plain("flask"),
            plain("rich[jupyter]>=13"),
            plain("pkg @ git+https://git.example/org/pkg.git@abc123#subdirectory=py"),
            plain("local @ file:///srv/proj/local"),
            plain("wheel @ https://files.example/wheel-1.0-py3-none-any.whl"),
            plain("onwin<2 ; sys_platform == 'win32'"),
        ]
    );
    let editable: Vec<bool> = doc
        .manifest
        .requirements
        .iter()
        .map(|r| r.editable)
        .collect();
    assert_eq!(editable, [false, false, false, false, true, false, false]);
}

#[test]
fn target_tables_keep_their_platform_and_features_become_groups() {
    let doc = read(
        r#"[dependencies]
python = ">=3.8"

[target.win-64.dependencies]
python = "3.7.*"
msmpi = "*"

[target.unix.pypi-dependencies]
uvloop = ">=0.19"

[feature.test.dependencies]
pytest = "8.*"

[feature.test.target.linux.dependencies]
gdb = "*"

[environments]
test = ["test"]
"#,
    );
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        of(&doc, Ecosystem::Conda),
        [
            plain("python >=3.8"),
            ("python 3.7.*".into(), None, some("win-64")),
            ("msmpi".into(), None, some("win-64")),
            ("pytest 8.*".into(), some("test"), None),
            ("gdb".into(), some("test"), some("linux")),
        ]
    );
    assert_eq!(
        of(&doc, Ecosystem::Pypi),
        [("uvloop>=0.19".into(), None, some("unix"))]
    );
    // The win-64 python replaces the general one there, and only there.
    let scopes = doc.manifest.platform_scopes();
    assert!(!scopes[0].holds("win-64") && scopes[0].holds("linux-64"));
    assert!(scopes[1].holds("win-64") && !scopes[1].holds("linux-64"));
}

#[test]
fn system_requirements_are_kept() {
    let doc = read(
        "[system-requirements]\ncuda = \"12\"\nlibc = { family = \"musl\", version = \"1.2\" }\nlinux = \"4.18\"\n[feature.old.system-requirements]\nlibc = \"2.17\"\n",
    );
    let found: Vec<(&str, &str, Option<&str>)> = doc
        .system_requirements
        .iter()
        .map(|r| (r.name.as_str(), r.version.as_str(), r.family.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            ("cuda", "12", None),
            ("libc", "1.2", Some("musl")),
            ("linux", "4.18", None)
        ]
    );
    let origin = doc.system_requirements[0].origin.as_ref().expect("origin");
    assert_eq!((origin.line, origin.column), (2, 9));
    let libc = read("[system-requirements]\nlibc = \"2.28\"\n");
    assert_eq!(libc.system_requirements[0].family.as_deref(), Some("glibc"));
}

#[test]
fn bad_inputs_are_located_and_say_what_was_expected() {
    let cases: [(&str, (u32, u32), &str); 10] = [
        (
            "[dependencies]\nnumpy = \">=1.0,<<2\"\n",
            (2, 9),
            "invalid conda MatchSpec",
        ),
        (
            "[dependencies]\nnumpy = { version = \"1\", flavour = \"x\" }\n",
            (2, 26),
            "unknown key `flavour` in conda dependency `numpy`",
        ),
        (
            "[dependencies]\nnumpy = 3\n",
            (2, 9),
            "must be a string or a table",
        ),
        (
            "[pypi-dependencies]\nrequests = { version = \">=2\", extra = [\"x\"] }\n",
            (2, 31),
            "unknown key `extra` in PyPI dependency `requests`",
        ),
        (
            "[pypi-dependencies]\nrequests = \">>2\"\n",
            (2, 12),
            "invalid requirement",
        ),
        (
            "[target.linux64.dependencies]\nnumpy = \"*\"\n",
            (1, 9),
            "unknown target platform `linux64`",
        ),
        (
            "[workspace]\nplatforms = [\"linux-64\", \"beos-64\"]\n",
            (2, 27),
            "unknown platform `beos-64`",
        ),
        (
            "[workspace]\nchannels = [\"conda-forge\", 3]\n",
            (2, 28),
            "invalid channel",
        ),
        (
            "[feature.a.dependencies]\nx = \"*\"\n[environments]\nci = [\"a\", \"b\"]\n",
            (4, 13),
            "unknown pixi feature `b`",
        ),
        ("[dependencies\nnumpy = \"*\"\n", (1, 14), "invalid TOML"),
    ];
    for (text, at, message) in cases {
        let (line, column, rendered) = error(text);
        assert_eq!((line, column), at, "{rendered}");
        assert!(rendered.contains(message), "{message} in {rendered}");
        assert!(rendered.contains("expected"), "{rendered}");
    }
}

#[test]
fn the_features_of_the_default_environment_are_the_default_groups() {
    let doc = read(
        "[feature.test.dependencies]\npytest = \"*\"\n[feature.docs.dependencies]\nmkdocs = \"*\"\n[environments]\ndefault = { features = [\"test\"], solve-group = \"default\" }\ndocs = [\"docs\"]\n",
    );
    assert_eq!(doc.default_groups, ["test"]);
    assert!(
        read("[feature.docs.dependencies]\nmkdocs = \"*\"\n")
            .default_groups
            .is_empty()
    );
}
