//! Specifications of the pylock.toml parser, writer and conversions.

use super::*;
use unilock_model::document::{PinArtifactKind, PinSource};
use unilock_model::{Document, Ecosystem};

const WHEEL: &str = r#"{ url = "https://files.index.example/attrs-25.1.0-py3-none-any.whl", hashes = { sha256 = "abababababababababababababababababababababababababababababababab" } }"#;

/// A lock with one package whose body is `body`.
fn with_package(body: &str) -> String {
    format!("lock-version = \"1.0\"\ncreated-by = \"test\"\n\n[[packages]]\n{body}\n")
}

fn ok(text: &str) -> Pylock {
    parse("pylock.toml", text).unwrap_or_else(|d| panic!("{}", d.render()))
}

/// The rendered error and its (line, column).
fn err(text: &str) -> (String, (u32, u32)) {
    let d = match parse("pylock.toml", text) {
        Ok(lock) => panic!("expected an error, parsed {lock:?}"),
        Err(d) => d,
    };
    let origin = d.origin().expect("a located error");
    (d.render(), (origin.line, origin.column))
}

#[test]
fn a_minimal_lock_reads_into_the_typed_model() {
    let lock = ok(&with_package(&format!(
        "name = \"attrs\"\nversion = \"25.1.0\"\nwheels = [{WHEEL}]"
    )));
    assert_eq!(lock.lock_version, "1.0");
    assert_eq!(lock.created_by, "test");
    assert_eq!(lock.environments, None);
    let package = &lock.packages[0];
    assert_eq!(package.name, "attrs");
    assert_eq!(package.version.as_deref(), Some("25.1.0"));
    let Source::Distributions { sdist, wheels } = &package.source else {
        panic!("{:?}", package.source)
    };
    assert!(sdist.is_none());
    let wheels = wheels.as_ref().expect("wheels");
    assert_eq!(
        wheels[0].hashes.get("sha256").map(String::as_str),
        Some("ab".repeat(32).as_str())
    );
    assert_eq!(
        wheels[0].filename().as_deref(),
        Some("attrs-25.1.0-py3-none-any.whl")
    );
}

#[test]
fn invalid_toml_is_located() {
    let (msg, at) = err("lock-version = \"1.0\"\ncreated-by = \n");
    assert!(msg.contains("invalid TOML"), "{msg}");
    assert_eq!(at.0, 2, "{msg}");
}

#[test]
fn lock_version_must_be_present_and_of_major_version_one() {
    let (msg, _) = err("created-by = \"x\"\npackages = []\n");
    assert!(msg.contains("has no `lock-version`"), "{msg}");
    let (msg, at) = err("created-by = \"x\"\nlock-version = \"2.0\"\npackages = []\n");
    assert!(msg.contains("unsupported lock-version `2.0`"), "{msg}");
    assert_eq!(at, (2, 16));
    let (msg, _) = err("lock-version = 1.0\ncreated-by = \"x\"\npackages = []\n");
    assert!(msg.contains("`lock-version` is a float"), "{msg}");
    assert_eq!(
        ok("lock-version = \"1.1\"\ncreated-by = \"x\"\npackages = []\n").lock_version,
        "1.1"
    );
}

#[test]
fn created_by_and_packages_are_required() {
    let (msg, _) = err("lock-version = \"1.0\"\npackages = []\n");
    assert!(msg.contains("has no `created-by`"), "{msg}");
    let (msg, _) = err("lock-version = \"1.0\"\ncreated-by = \"x\"\n");
    assert!(msg.contains("has no `packages`"), "{msg}");
}

#[test]
fn wrong_types_point_at_the_value() {
    let text = with_package(
        "name = \"attrs\"\nwheels = [{ url = \"https://files.index.example/attrs-1-py3-none-any.whl\", size = \"12\", hashes = { sha256 = \"abababababababababababababababababababababababababababababababab\" } }]",
    );
    let (msg, at) = err(&text);
    assert!(
        msg.contains("packages[0] (attrs).wheels[0].size` is a string"),
        "{msg}"
    );
    assert!(msg.contains("expected a size in bytes"), "{msg}");
    assert_eq!(at.0, 6);
    let (msg, _) = err(&with_package(
        "name = \"a\"\ndirectory = { path = \".\", editable = \"yes\" }",
    ));
    assert!(msg.contains("editable` is a string"), "{msg}");
    let (msg, _) = err(&with_package("name = \"a\"\nwheels = \"a.whl\""));
    assert!(msg.contains("expected an array of tables"), "{msg}");
}

#[test]
fn upload_time_must_be_a_toml_datetime() {
    let text = with_package(
        "name = \"attrs\"\nsdist = { url = \"https://files.index.example/attrs-1.tar.gz\", upload-time = \"2024-06-24T11:02:03Z\", hashes = { sha256 = \"abababababababababababababababababababababababababababababababab\" } }",
    );
    let (msg, _) = err(&text);
    assert!(msg.contains("upload-time` is a string"), "{msg}");
    assert!(msg.contains("TOML datetime"), "{msg}");
    let lock = ok(&text.replace("\"2024-06-24T11:02:03Z\"", "2024-06-24T11:02:03Z"));
    let doc = lock.to_document();
    assert_eq!(
        doc.packages[0].artifacts[0].upload_time.as_deref(),
        Some("2024-06-24T11:02:03Z")
    );
}

#[test]
fn names_must_be_normalized_and_versions_and_markers_valid() {
    let wheels = format!("wheels = [{WHEEL}]");
    let (msg, at) = err(&with_package(&format!("name = \"Attrs_X\"\n{wheels}")));
    assert!(
        msg.contains("package name `Attrs_X` is not normalized"),
        "{msg}"
    );
    assert!(msg.contains("expected \"attrs-x\""), "{msg}");
    assert_eq!(at, (5, 8));
    let (msg, _) = err(&with_package(&format!(
        "name = \"attrs\"\nversion = \"one\"\n{wheels}"
    )));
    assert!(msg.contains("invalid version `one`"), "{msg}");
    let (msg, at) = err(&with_package(&format!(
        "name = \"attrs\"\nmarker = \"python_version >>> '3'\"\n{wheels}"
    )));
    assert!(
        msg.contains("invalid marker in `packages[0] (attrs).marker`"),
        "{msg}"
    );
    assert_eq!(at.0, 6);
    let (msg, _) = err(&with_package(&format!(
        "name = \"attrs\"\nrequires-python = \"3.9+\"\n{wheels}"
    )));
    assert!(
        msg.contains("invalid `packages[0] (attrs).requires-python`"),
        "{msg}"
    );
    let (msg, at) = err(
        "lock-version = \"1.0\"\ncreated-by = \"x\"\nenvironments = [\n    \"os_name == 'nt'\",\n    \"os_name =\",\n]\npackages = []\n",
    );
    assert!(msg.contains("invalid marker in `environments[1]`"), "{msg}");
    assert_eq!(at, (5, 5));
}

#[test]
fn pep_751_markers_on_extras_and_dependency_groups_are_accepted() {
    let lock = ok(&with_package(&format!(
        "name = \"attrs\"\nmarker = \"'dev' in dependency_groups and 'cli' not in extras or extra == 'x'\"\nwheels = [{WHEEL}]"
    )));
    assert!(lock.packages[0].marker.is_some());
    assert_eq!(
        parse::pep751_marker_for_pep508("\"extras\" in extras and 'a' in dependency_groups"),
        "\"extras\" in platform_version and 'a' in platform_version"
    );
}

#[test]
fn a_package_has_exactly_one_source_kind() {
    let (msg, at) = err(&with_package(&format!(
        "name = \"attrs\"\ndirectory = {{ path = \".\" }}\nwheels = [{WHEEL}]"
    )));
    assert!(
        msg.contains("package `attrs` has two source kinds: `directory` and `wheels`"),
        "{msg}"
    );
    assert_eq!(at, (7, 1));
    let (msg, _) = err(&with_package(
        "name = \"attrs\"\nvcs = { type = \"git\", url = \"file:///r\", commit-id = \"c\" }\narchive = { path = \"a.tar.gz\", hashes = { sha256 = \"abababababababababababababababababababababababababababababababab\" } }",
    ));
    assert!(
        msg.contains("two source kinds: `vcs` and `archive`"),
        "{msg}"
    );
    let (msg, at) = err(&with_package("name = \"attrs\"\nversion = \"1\""));
    assert!(msg.contains("package `attrs` has no source"), "{msg}");
    assert_eq!(at.0, 4);
    let (msg, _) = err(&with_package("name = \"attrs\"\nwheels = []"));
    assert!(msg.contains("has no sdist and no wheels"), "{msg}");
}

#[test]
fn files_need_a_url_or_path_and_hashes() {
    let (msg, at) = err(&with_package(
        "name = \"attrs\"\nwheels = [\n  { name = \"attrs-1-py3-none-any.whl\", hashes = { sha256 = \"abababababababababababababababababababababababababababababababab\" } },\n]",
    ));
    assert!(
        msg.contains("wheels[0]` has neither `url` nor `path`"),
        "{msg}"
    );
    assert_eq!(at, (7, 3));
    let (msg, _) = err(&with_package(
        "name = \"attrs\"\nwheels = [{ path = \"attrs-1-py3-none-any.whl\" }]",
    ));
    assert!(msg.contains("has no `hashes`"), "{msg}");
    let (msg, _) = err(&with_package(
        "name = \"attrs\"\nwheels = [{ path = \"attrs-1-py3-none-any.whl\", hashes = {} }]",
    ));
    assert!(msg.contains("hashes` is empty"), "{msg}");
    let (msg, _) = err(&with_package(
        "name = \"attrs\"\nvcs = { type = \"git\", url = \"file:///r\" }",
    ));
    assert!(msg.contains("has no `commit-id`"), "{msg}");
    let (msg, _) = err(&with_package(
        "name = \"attrs\"\nvcs = { type = \"cvs\", url = \"file:///r\", commit-id = \"c\" }",
    ));
    assert!(
        msg.contains("unknown version control system `cvs`"),
        "{msg}"
    );
}

#[test]
fn file_names_must_match_the_package() {
    let (msg, _) = err(&with_package(&format!(
        "name = \"cattrs\"\nwheels = [{WHEEL}]"
    )));
    assert!(
        msg.contains("`attrs-25.1.0-py3-none-any.whl` is not a file of package `cattrs`"),
        "{msg}"
    );
    let (msg, _) = err(&with_package(&format!(
        "name = \"attrs\"\nversion = \"25.2\"\nwheels = [{WHEEL}]"
    )));
    assert!(msg.contains("is not version 25.2 of `attrs`"), "{msg}");
    let (msg, _) = err(&with_package(
        "name = \"attrs\"\nwheels = [{ path = \"attrs.zip\", hashes = { sha256 = \"abababababababababababababababababababababababababababababababab\" } }]",
    ));
    assert!(msg.contains("invalid wheel file name `attrs.zip`"), "{msg}");
    let (msg, _) = err(&with_package(
        "name = \"attrs\"\nsdist = { path = \"cattrs-1.tar.gz\", hashes = { sha256 = \"abababababababababababababababababababababababababababababababab\" } }",
    ));
    assert!(msg.contains("not a file of package `attrs`"), "{msg}");
    // Normalisation and version equivalence: `Foo_Bar-1.0` is `foo-bar` 1.0.0.
    ok(&with_package(
        "name = \"foo-bar\"\nversion = \"1.0.0\"\nsdist = { path = \"Foo_Bar-1.0.tar.gz\", hashes = { sha256 = \"abababababababababababababababababababababababababababababababab\" } }",
    ));
}

/// Every source kind, both locations, tool tables and unknown keys, in the canonical layout.
const CANONICAL: &str = r#"lock-version = "1.0"
environments = [
    "sys_platform == 'linux'",
    "sys_platform == \"darwin\"",
]
requires-python = ">=3.10"
extras = ["cli"]
dependency-groups = ["dev"]
default-groups = ["default"]
created-by = "unilock"
x-future = { "a.b" = [1, 2.5, true] }

[[packages]]
name = "attrs"
version = "25.1.0"
marker = "\"dev\" in dependency_groups"
requires-python = ">=3.8"
dependencies = [
    { name = "six", version = "1.17.0" },
]
index = "https://index.example/simple"
sdist = { upload-time = 2025-01-25T11:30:10Z, url = "https://files.index.example/attrs-25.1.0.tar.gz", size = 810562, hashes = { sha256 = "abababababababababababababababababababababababababababababababab" } }
wheels = [
    { name = "attrs-25.1.0-py3-none-any.whl", upload-time = 2025-01-25T11:30:12Z, url = "https://files.index.example/download?id=7", size = 63152, hashes = { blake2b = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", sha256 = "efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef" } },
]
attestation-identities = [
    { kind = "GitHub", repository = "owner/attrs" },
]
x-note = "kept"

[packages.tool.example]
flag = true

[packages.tool.example.deep]
n = 1

[[packages]]
name = "six"
vcs = { type = "git", url = "https://git.example/six.git", requested-revision = "main", commit-id = "0123abcd", subdirectory = "src" }

[[packages]]
name = "local"
directory = { path = "../local", editable = false }

[[packages]]
name = "archived"
archive = { path = "dist/archived-1.0.tar.gz", size = 10, hashes = { sha256 = "abababababababababababababababababababababababababababababababab" } }

[[packages]]
name = "remote"
archive = { url = "https://files.example/remote.zip", upload-time = 2024-01-01T00:00:00Z, hashes = { sha256 = "abababababababababababababababababababababababababababababababab" }, subdirectory = "pkg" }

[tool]
top = "value"

[tool.pdm.hashes]
sha256 = "1e"

[[tool.pdm.targets]]
requires_python = ">=3.9"

[tool.pdm.targets.inner]
k = "v"

[[tool.pdm.targets]]
requires_python = ">=3.12"
"#;

#[test]
fn the_canonical_layout_is_reproduced_byte_for_byte() {
    let lock = ok(CANONICAL);
    assert_eq!(emit(&lock), CANONICAL);
}

#[test]
fn tool_tables_and_unknown_keys_are_kept_as_data() {
    let lock = ok(CANONICAL);
    assert_eq!(
        lock.unknown.get("x-future").map(toml::Value::to_string),
        Some("{ \"a.b\" = [1, 2.5, true] }".to_string())
    );
    let package = &lock.packages[0];
    assert_eq!(
        package.unknown.get("x-note").and_then(toml::Value::as_str),
        Some("kept")
    );
    let targets = lock
        .tool
        .as_ref()
        .and_then(|t| t["pdm"]["targets"].as_array());
    assert_eq!(targets.map(Vec::len), Some(2));
    assert_eq!(
        package
            .tool
            .as_ref()
            .map(|t| t["example"]["deep"]["n"].clone()),
        Some(toml::Value::Integer(1))
    );
    assert_eq!(
        package.attestation_identities.as_ref().map(Vec::len),
        Some(1)
    );
}

#[test]
fn other_layouts_are_written_canonically() {
    // pip's style: array of tables for wheels with a sub-table of hashes, single quotes.
    let pip_style = "lock-version = '1.0'\ncreated-by = 'pip'\n\n[[packages]]\nname = 'attrs'\nversion = '25.1.0'\n\n[[packages.wheels]]\nname = 'attrs-25.1.0-py3-none-any.whl'\nurl = 'https://files.index.example/attrs-25.1.0-py3-none-any.whl'\n\n[packages.wheels.hashes]\nsha256 = 'abababababababababababababababababababababababababababababababab'\n";
    let expected = "lock-version = \"1.0\"\ncreated-by = \"pip\"\n\n[[packages]]\nname = \"attrs\"\nversion = \"25.1.0\"\nwheels = [\n    { name = \"attrs-25.1.0-py3-none-any.whl\", url = \"https://files.index.example/attrs-25.1.0-py3-none-any.whl\", hashes = { sha256 = \"abababababababababababababababababababababababababababababababab\" } },\n]\n";
    let lock = ok(pip_style);
    assert_eq!(emit(&lock), expected);
    assert_eq!(ok(expected), lock);
}

#[test]
fn strings_are_escaped_and_odd_keys_quoted() {
    let mut lock = ok(CANONICAL);
    lock.created_by = "tab\there \"quoted\" back\\slash \u{1}".to_string();
    lock.unknown
        .insert("odd key".to_string(), toml::Value::Float(f64::INFINITY));
    let text = emit(&lock);
    assert!(
        text.contains("created-by = \"tab\\there \\\"quoted\\\" back\\\\slash \\u0001\"\n"),
        "{text}"
    );
    assert!(text.contains("\"odd key\" = inf\n"), "{text}");
    assert_eq!(ok(&text), lock);
}

#[test]
fn to_document_maps_every_source_kind() {
    let doc = ok(CANONICAL).to_document();
    assert_eq!(doc.format, "pylock");
    assert_eq!(doc.requires_python.as_deref(), Some(">=3.10"));
    assert_eq!(doc.environments.len(), 2);
    let [attrs, six, local, archived, remote] = doc.packages.as_slice() else {
        panic!("{:?}", doc.packages)
    };
    assert_eq!(
        attrs.source,
        PinSource::Registry {
            url: "https://index.example/simple".to_string()
        }
    );
    assert_eq!(
        attrs.marker.as_deref(),
        Some("\"dev\" in dependency_groups")
    );
    let kinds: Vec<_> = attrs.artifacts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [PinArtifactKind::Sdist, PinArtifactKind::Wheel]);
    assert_eq!(
        attrs.artifacts[0].filename.as_deref(),
        Some("attrs-25.1.0.tar.gz")
    );
    assert_eq!(
        attrs.artifacts[1].filename.as_deref(),
        Some("attrs-25.1.0-py3-none-any.whl"),
        "the recorded name wins over the URL"
    );
    assert_eq!(attrs.artifacts[1].size, Some(63152));
    assert_eq!(attrs.artifacts[1].hashes.len(), 2);
    assert_eq!(attrs.dependencies[0].name, "six");
    assert_eq!(attrs.dependencies[0].version.as_deref(), Some("1.17.0"));
    assert_eq!(
        six.source,
        PinSource::Git {
            url: "https://git.example/six.git".to_string(),
            reference: Some("main".to_string()),
            commit: Some("0123abcd".to_string()),
            subdirectory: Some("src".to_string()),
        }
    );
    assert_eq!(
        local.source,
        PinSource::Directory {
            path: "../local".to_string(),
            editable: false,
            r#virtual: false
        }
    );
    assert_eq!(
        archived.source,
        PinSource::Path {
            path: "dist/archived-1.0.tar.gz".to_string()
        }
    );
    assert_eq!(archived.artifacts[0].kind, PinArtifactKind::Archive);
    assert_eq!(
        remote.source,
        PinSource::Url {
            url: "https://files.example/remote.zip".to_string(),
            subdirectory: Some("pkg".to_string())
        }
    );
    assert_eq!(
        remote.artifacts[0].upload_time.as_deref(),
        Some("2024-01-01T00:00:00Z")
    );
}

#[test]
fn a_package_without_index_maps_to_a_registry_with_an_empty_url() {
    let doc = ok(&with_package(&format!(
        "name = \"attrs\"\nwheels = [{WHEEL}]"
    )))
    .to_document();
    assert_eq!(
        doc.packages[0].source,
        PinSource::Registry { url: String::new() }
    );
}

#[test]
fn from_document_is_the_inverse_of_to_document() {
    let doc = ok(CANONICAL).to_document();
    let back = Pylock::from_document(&doc, "unilock");
    assert_eq!(back.created_by, "unilock");
    assert_eq!(back.lock_version, LOCK_VERSION);
    assert_eq!(back.to_document(), doc);
    // Written out, it is a valid lock file.
    assert_eq!(ok(&emit(&back)), back);
    // A wheel whose URL already names the file gets no `name`.
    let Source::Distributions { sdist, .. } = &back.packages[0].source else {
        panic!()
    };
    assert_eq!(sdist.as_ref().and_then(|s| s.name.clone()), None);
}

/// `index` is a URL (uv refuses a bare path): a find-links directory, named by its absolute
/// path in a lock, is written as its `file://` URL; a relative one (a uv.lock's, relative to
/// that file) is left out, the files naming themselves.
#[test]
fn a_find_links_directory_is_written_as_a_file_url_index() {
    let mut doc = Document::new("unilock-lock");
    for (name, source) in [
        ("a", "/srv/wheels"),
        ("b", "wheels"),
        ("c", "https://index.example/simple"),
    ] {
        let mut p = unilock_model::document::PinnedPackage::registry(name, "1.0", source);
        p.artifacts.push(unilock_model::document::PinArtifact {
            kind: PinArtifactKind::Wheel,
            url: Some(format!("file:///srv/wheels/{name}-1.0-py3-none-any.whl")),
            filename: None,
            hashes: [("sha256".to_string(), "ab".repeat(32))].into(),
            size: None,
            upload_time: None,
        });
        doc.packages.push(p);
    }
    let lock = Pylock::from_document(&doc, "unilock");
    let indexes: Vec<_> = lock.packages.iter().map(|p| p.index.as_deref()).collect();
    assert_eq!(
        indexes,
        [
            Some("file:///srv/wheels/"),
            None,
            Some("https://index.example/simple")
        ]
    );
    assert_eq!(ok(&emit(&lock)), lock);
}

#[test]
fn from_document_leaves_conda_packages_out() {
    let mut doc = Document::new("conda-lock");
    let mut numpy = unilock_model::document::PinnedPackage::registry("numpy", "2.0", "");
    numpy.ecosystem = Ecosystem::Conda;
    doc.packages.push(numpy);
    doc.packages
        .push(unilock_model::document::PinnedPackage::registry(
            "attrs", "25.1.0", "",
        ));
    let lock = Pylock::from_document(&doc, "unilock");
    let names: Vec<_> = lock.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["attrs"]);
}

#[test]
fn no_input_makes_the_parser_panic() {
    // Every prefix and every one-line deletion of a file using every construct.
    for end in (0..=CANONICAL.len()).filter(|i| CANONICAL.is_char_boundary(*i)) {
        let _ = parse("pylock.toml", &CANONICAL[..end]);
    }
    let lines: Vec<&str> = CANONICAL.lines().collect();
    for skip in 0..lines.len() {
        let text: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect();
        let _ = parse("pylock.toml", &text.join("\n"));
    }
    for text in [
        "",
        "[[packages]]",
        "packages = 1",
        "packages = [1]",
        "tool = 3",
    ] {
        let _ = parse("pylock.toml", &format!("lock-version = \"1.0\"\n{text}"));
    }
}

#[test]
fn a_lock_of_no_packages_is_written_with_an_empty_packages_key_and_reads_back() {
    // Found by the pylock fuzz target: `packages = []` read, then written without the key,
    // which PEP 751 requires.
    let lock = ok("lock-version = \"1.0\"\ncreated-by = \"x\"\npackages = []\n");
    let written = emit(&lock);
    assert!(written.contains("packages = []\n"), "{written}");
    assert_eq!(ok(&written), lock);
}
