//! One sdist's core metadata from its build backend, the way installers get it: unpack the
//! sdist, read `[build-system]` of its `pyproject.toml` (without one, or without a
//! `build-backend`, setuptools' legacy backend `setuptools.build_meta:__legacy__` with
//! `setuptools>=40.8.0`, as pip and uv do), resolve the build requirements with unilock's own
//! PyPI resolver — wheels only, for the host target — and unpack those wheels into an isolated
//! `site-packages`, then ask the backend `get_requires_for_build_wheel` (installing what it
//! adds the same way) and `prepare_metadata_for_build_wheel` (or `build_wheel`, when the
//! backend lacks it) through [`crate::hooks`].

use crate::hooks;
use crate::python::Interpreter;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;
use unilock_model::index::{DistFile, PackageSource};
use unilock_model::{Diagnostic, ErrorKind, Target};
use unilock_solver::pypi::{self, BinaryPolicy, Request};

/// setuptools' legacy backend, for projects that name none.
pub const LEGACY_BACKEND: &str = "setuptools.build_meta:__legacy__";

/// The build requirement of projects that name none.
pub const LEGACY_REQUIRES: &str = "setuptools>=40.8.0";

/// What a build needs from the run: where build requirements come from, and the host.
pub struct Host<'a> {
    /// The indexes the build requirements are resolved against (wheels only).
    pub source: &'a dyn PackageSource,
    /// The checked bytes of a file a resolution chose.
    pub download: &'a dyn Fn(&DistFile) -> Result<Vec<u8>, Diagnostic>,
    pub interpreter: &'a Interpreter,
    pub target: &'a Target,
    /// The time limit of one backend call.
    pub timeout: Duration,
    /// The limit of bytes unpacked from one archive.
    pub unpack_limit: u64,
    /// Set when the run no longer needs the build: the backend is stopped.
    pub stop: Option<&'a std::sync::atomic::AtomicBool>,
}

/// `[build-system]` of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSystem {
    pub requires: Vec<String>,
    pub backend: String,
    pub backend_path: Vec<String>,
}

impl BuildSystem {
    /// The build system of the project whose `pyproject.toml` text is `text` (`None`: the
    /// project has none); `Err` says what is malformed.
    pub fn read(text: Option<&str>) -> Result<BuildSystem, String> {
        let legacy = BuildSystem {
            requires: vec![LEGACY_REQUIRES.to_string()],
            backend: LEGACY_BACKEND.to_string(),
            backend_path: Vec::new(),
        };
        let Some(text) = text else {
            return Ok(legacy);
        };
        let doc: toml::Table = text
            .parse()
            .map_err(|e| format!("pyproject.toml is not valid TOML: {e}"))?;
        let Some(system) = doc.get("build-system") else {
            return Ok(legacy);
        };
        let system = system
            .as_table()
            .ok_or("pyproject.toml: [build-system] is not a table")?;
        let strings = |key: &str| -> Result<Option<Vec<String>>, String> {
            match system.get(key) {
                None => Ok(None),
                Some(v) => v
                    .as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|x| x.as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                    })
                    .map(Some)
                    .ok_or(format!(
                        "pyproject.toml: build-system.{key} is not a list of strings"
                    )),
            }
        };
        let requires =
            strings("requires")?.ok_or("pyproject.toml: [build-system] has no `requires` list")?;
        let backend = match system.get("build-backend") {
            None => {
                // As pip: no backend named means the legacy one, with setuptools added.
                return Ok(BuildSystem {
                    requires: if requires.is_empty() {
                        legacy.requires
                    } else {
                        requires
                    },
                    ..legacy
                });
            }
            Some(b) => b
                .as_str()
                .ok_or("pyproject.toml: build-system.build-backend is not a string")?
                .to_string(),
        };
        Ok(BuildSystem {
            requires,
            backend,
            backend_path: strings("backend-path")?.unwrap_or_default(),
        })
    }
}

/// The METADATA text of the sdist `filename` (its checked `bytes`) of `package`, from a build
/// on the host. Errors name the package, the backend and its last lines of output.
pub fn metadata(
    host: &Host,
    package: &str,
    filename: &str,
    bytes: &[u8],
) -> Result<String, Diagnostic> {
    let bad = |why: String| {
        Diagnostic::new(
            ErrorKind::Registry,
            format!("{package}: cannot build {filename} to learn its dependencies: {why}"),
        )
    };
    let work = tempfile::Builder::new()
        .prefix("unilock-build-")
        .tempdir()
        .map_err(|e| bad(format!("no temporary directory: {e}")))?;
    let unpacked = work.path().join("src");
    std::fs::create_dir_all(&unpacked).map_err(|e| bad(format!("{}: {e}", unpacked.display())))?;
    let project =
        crate::unpack::sdist(filename, bytes, &unpacked, host.unpack_limit).map_err(bad)?;
    build_metadata(host, package, filename, &project, work.path())
}

/// The METADATA text of the source tree `project` of `package` (a checkout or a directory,
/// called `label` in messages), from a build on the host run in the tree itself, as pip and
/// uv run it (a setuptools backend leaves its `*.egg-info` there).
pub fn tree_metadata(
    host: &Host,
    package: &str,
    label: &str,
    project: &Path,
) -> Result<String, Diagnostic> {
    let work = tempfile::Builder::new()
        .prefix("unilock-build-")
        .tempdir()
        .map_err(|e| {
            Diagnostic::new(
                ErrorKind::Registry,
                format!("{package}: cannot build {label}: no temporary directory: {e}"),
            )
        })?;
    build_metadata(host, package, label, project, work.path())
}

/// The METADATA of the project in `project`, built with `work` as the scratch directory.
fn build_metadata(
    host: &Host,
    package: &str,
    filename: &str,
    project: &Path,
    work: &Path,
) -> Result<String, Diagnostic> {
    let bad = |why: String| {
        Diagnostic::new(
            ErrorKind::Registry,
            format!("{package}: cannot build {filename} to learn its dependencies: {why}"),
        )
    };
    let site = work.join("site-packages");
    std::fs::create_dir_all(&site).map_err(|e| bad(format!("{}: {e}", site.display())))?;
    let pyproject = std::fs::read_to_string(project.join("pyproject.toml")).ok();
    let system = BuildSystem::read(pyproject.as_deref()).map_err(bad)?;
    let origin = format!("the build requirements of {filename}");
    let mut installed = BTreeSet::new();
    install(host, &system.requires, &origin, &site, &mut installed)?;
    let call = |hook: &str| {
        hooks::call(
            &host.interpreter.path,
            project,
            &system.backend,
            &system.backend_path,
            &site,
            hook,
            work,
            host.timeout,
            host.stop,
        )
        .map_err(|failed| {
            let mut d = Diagnostic::new(
                ErrorKind::Registry,
                format!(
                    "{package}: the build backend {} failed to prepare the metadata of {filename} ({}, Python {} at {}): it {}",
                    system.backend,
                    hook_name(hook),
                    host.interpreter.version_text(),
                    host.interpreter.path.display(),
                    failed.how
                ),
            );
            if !failed.tail.is_empty() {
                d = d.note(format!(
                    "the backend's last lines of output:\n    {}",
                    failed.tail.join("\n    ")
                ));
            }
            d.note("pin a version of the package that publishes wheels, or pass --no-build to skip versions that need a build")
        })
    };
    let extra = call("requires")?;
    let extra: Vec<String> = extra
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if !extra.is_empty() {
        let mut all = system.requires.clone();
        all.extend(extra);
        install(
            host,
            &all,
            &format!("what the backend of {filename} asks for its build"),
            &site,
            &mut installed,
        )?;
    }
    let answer = call("metadata")?;
    let path = answer
        .as_str()
        .ok_or_else(|| bad("the backend named no METADATA file".into()))?;
    let text = std::fs::read(path).map_err(|e| bad(format!("{path}: {e}")))?;
    if text.len() as u64 > unilock_registries::archive::MAX_METADATA {
        return Err(bad(unilock_registries::archive::too_large(
            "the built METADATA",
            text.len() as u64,
        )));
    }
    String::from_utf8(text).map_err(|e| bad(format!("the built METADATA is not UTF-8: {e}")))
}

fn hook_name(hook: &str) -> &'static str {
    match hook {
        "requires" => "get_requires_for_build_wheel",
        _ => "prepare_metadata_for_build_wheel",
    }
}

/// Resolves `requirements` for the host, wheels only, and unpacks the chosen wheels not yet in
/// `installed` into `site`.
fn install(
    host: &Host,
    requirements: &[String],
    origin: &str,
    site: &Path,
    installed: &mut BTreeSet<String>,
) -> Result<(), Diagnostic> {
    let mut request = Request {
        binary: BinaryPolicy::only_binary_all(),
        ..Request::default()
    };
    for r in requirements {
        let parsed = r.parse::<pep508_rs::Requirement>().map_err(|e| {
            Diagnostic::new(
                ErrorKind::Registry,
                format!("{origin}: `{r}` is not a requirement: {e}"),
            )
        })?;
        request.requirements.push((parsed, origin.to_string()));
    }
    let resolution = pypi::resolve(host.source, host.target, &request).map_err(|e| {
        let mut d = Diagnostic::new(
            e.kind(),
            format!(
                "{origin} cannot be installed on the host ({}, wheels only): {}",
                host.target.spec(),
                e.message()
            ),
        );
        for n in e.notes() {
            d = d.note(n.clone());
        }
        d
    })?;
    for package in resolution.packages {
        if !installed.insert(package.name.clone()) {
            continue;
        }
        let Some(wheel) = package.files.first() else {
            continue;
        };
        let bytes = (host.download)(wheel)?;
        crate::unpack::wheel(&bytes, site, host.unpack_limit).map_err(|why| {
            Diagnostic::new(
                ErrorKind::Registry,
                format!("{origin}: cannot install {}: {why}", wheel.filename),
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::Arc;
    use unilock_model::index::{Metadata, ProjectFiles};

    /// An index with no projects: in-tree backends need no build requirements.
    struct NoIndex;

    impl PackageSource for NoIndex {
        fn project(&self, _: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
            Ok(None)
        }
        fn metadata(&self, _: &ProjectFiles, _: &DistFile) -> Result<Metadata, Diagnostic> {
            Err(Diagnostic::usage("no metadata here"))
        }
    }

    /// The test tools' Python, else one on PATH; `None` (with a message) when there is none,
    /// a failure under CI.
    fn interpreter() -> Option<Interpreter> {
        let tools = std::env::var_os("UNILOCK_TEST_TOOLS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-tools/venv")
            });
        let named = tools.join("bin/python");
        let found = if named.exists() {
            crate::python::query(&named).ok()
        } else {
            crate::python::discover(None, &|v| std::env::var(v).ok()).ok()
        };
        if found.is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "no Python interpreter for the build tests"
            );
            eprintln!("SKIPPED: no Python interpreter (test tools or python3 on PATH)");
        }
        found
    }

    /// An sdist `demo-1.0.tar.gz` with `pyproject.toml` naming the in-tree backend `backend.py`.
    fn in_tree_sdist(backend: &str) -> Vec<u8> {
        let pyproject =
            "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n";
        let mut tar = tar::Builder::new(Vec::new());
        for (name, text) in [("pyproject.toml", pyproject), ("backend.py", backend)] {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, format!("demo-1.0/{name}"), text.as_bytes())
                .unwrap();
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar.into_inner().unwrap()).unwrap();
        gz.finish().unwrap()
    }

    fn run(backend: &str, timeout: Duration) -> Option<Result<String, Diagnostic>> {
        let interpreter = interpreter()?;
        let target = interpreter.target().unwrap();
        let download = |f: &DistFile| -> Result<Vec<u8>, Diagnostic> {
            Err(Diagnostic::usage(format!("no download of {}", f.filename)))
        };
        let host = Host {
            source: &NoIndex,
            download: &download,
            interpreter: &interpreter,
            target: &target,
            timeout,
            unpack_limit: crate::unpack::MAX_UNPACKED_BYTES,
            stop: None,
        };
        Some(metadata(
            &host,
            "demo",
            "demo-1.0.tar.gz",
            &in_tree_sdist(backend),
        ))
    }

    #[test]
    fn a_backend_without_prepare_metadata_is_asked_to_build_the_wheel() {
        let backend = r#"
import os, zipfile
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        z.writestr("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: from-the-wheel\n")
    return name
"#;
        let Some(result) = run(backend, hooks::TIMEOUT) else {
            return;
        };
        let text = result.unwrap();
        assert!(text.contains("Requires-Dist: from-the-wheel"), "{text}");
    }

    #[test]
    fn a_backend_over_the_time_limit_is_stopped_and_named() {
        let backend = "import time\ndef get_requires_for_build_wheel(config_settings=None):\n    print('probing the compiler')\n    time.sleep(30)\n    return []\n";
        let Some(result) = run(backend, Duration::from_millis(1500)) else {
            return;
        };
        let err = result.unwrap_err();
        assert!(
            err.message().starts_with("demo: the build backend backend failed to prepare the metadata of demo-1.0.tar.gz (get_requires_for_build_wheel, Python")
                && err.message().ends_with("it took longer than 1.5 s (UNILOCK_BUILD_TIMEOUT)"),
            "{}",
            err.message()
        );
        assert!(
            err.notes()
                .iter()
                .any(|n| n.contains("probing the compiler")),
            "{:?}",
            err.notes()
        );
    }

    #[test]
    fn projects_without_a_build_system_use_the_legacy_setuptools_backend() {
        let none = BuildSystem::read(None).unwrap();
        assert_eq!(none.backend, LEGACY_BACKEND);
        assert_eq!(none.requires, [LEGACY_REQUIRES]);
        let tool_only = BuildSystem::read(Some("[tool.black]\nline-length = 1\n")).unwrap();
        assert_eq!(tool_only, none);
        let no_backend = BuildSystem::read(Some(
            "[build-system]\nrequires = [\"setuptools\", \"cython\"]\n",
        ))
        .unwrap();
        assert_eq!(no_backend.backend, LEGACY_BACKEND);
        assert_eq!(no_backend.requires, ["setuptools", "cython"]);
        let flit = BuildSystem::read(Some(
            "[build-system]\nrequires = [\"flit_core >=2,<3\"]\nbuild-backend = \"flit_core.buildapi\"\n",
        ))
        .unwrap();
        assert_eq!(flit.backend, "flit_core.buildapi");
        assert_eq!(flit.requires, ["flit_core >=2,<3"]);
        let bad =
            BuildSystem::read(Some("[build-system]\nrequires = \"setuptools\"\n")).unwrap_err();
        assert!(
            bad.contains("build-system.requires is not a list of strings"),
            "{bad}"
        );
    }
}
