//! Real projects exported to every format, each output checked by the tool that owns it.
//!
//! Ten real requirements and pyproject.toml files (corpus/real-snapshot/projects, sources in
//! its SOURCES.tsv) are resolved offline from the index snapshot recorded beside them
//! (scripts/record-real-snapshot.sh) for this machine's target (Linux x86-64, Python 3.11,
//! the test tools' interpreter) and Windows, and each lock is exported to every format:
//!
//! - requirements and pylock (both targets, through markers): `pip install --dry-run
//!   --report` installs exactly this machine's pins, hashes checked against the real wheels;
//! - pyproject (the project's own pyproject.toml, or a bare one for a requirements project):
//!   `uv pip compile` of it gives exactly each target's pins;
//! - uv-lock: `uv lock --locked` takes it as current, `uv sync --frozen --dry-run` plans exactly
//!   this machine's pins, and `uv export --frozen` gives the pins of `export --to requirements`;
//! - conda-env: conda-lock reads its `pip:` section as exactly the pins; conda-lock: `conda-lock
//!   render` lists exactly each platform's pins as pip entries; pixi-lock: py-rattler reads
//!   exactly each platform's pins, and `unilock show` of it gives the lock's package set;
//! - conda-explicit: an explicit file installs conda builds only, so a lock of PyPI packages
//!   alone is refused (exit 2);
//! - nix: `nix flake metadata` and `nix eval` of the flake (nixpkgs a stub flake on disk, as in
//!   the formats crate's Nix test) give a shell whose requirements are exactly the pins.
//!
//! A table (project × format) is printed; any failure not listed in [`EXPECTED`] fails the
//! test, and so does an expected failure that no longer happens.

use super::{export_ok, names_versions};
use crate::{corpus, stderr, stdout, tool, unilock};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use tools::{Nix, RATTLER_READ, normalized, pip_dry_run, same, shown, uv};

mod tools;

/// This machine (where pip and uv install) first, then a target whose pins differ by markers.
const TARGETS: [&str; 2] = ["linux-64,python=3.11", "win-64,python=3.11"];
const HERE: &str = TARGETS[0];

/// Each project's folder under corpus/real-snapshot/projects and the file resolved in it.
const PROJECTS: [(&str, &str); 10] = [
    ("aiohttp-runtime", "requirements/runtime-deps.in"),
    ("aiohttp-base-ft", "requirements/base-ft.in"),
    ("aiohttp-test", "requirements/test-common-base.in"),
    ("aiohttp-test-mobile", "requirements/test-mobile.in"),
    ("mypy", "mypy-requirements.txt"),
    ("mypy-build", "build-requirements.txt"),
    ("fastapi", "pyproject.toml"),
    ("openai-python", "pyproject.toml"),
    ("pydantic", "pyproject.toml"),
    ("pydantic-core", "pyproject.toml"),
];

/// The checks, one column each.
const FORMATS: [&str; 11] = [
    "requirements",
    "pylock",
    "pyproject",
    "uv-lock",
    "uv-export",
    "conda-explicit",
    "conda-env",
    "conda-lock",
    "pixi-lock",
    "pixi-show",
    "nix",
];

/// Failures that are expected, with the reason: (project, or `*` for every one; format;
/// why).
const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "openai-python",
        "pyproject",
        "its [tool.uv] exclude-newer makes uv drop every file without an upload time, and the \
         recorded snapshot's pages carry none (uv refuses httpx2 2.17.0)",
    ),
    (
        "pydantic",
        "pyproject",
        "its [tool.uv.sources] takes pydantic-core from the workspace, whose member is not in \
         the copy of the root pyproject.toml alone (uv: not a workspace member)",
    ),
    ("aiohttp-runtime", "conda-env", CONDA_LOCK_ONE_HASH),
    ("aiohttp-base-ft", "conda-env", CONDA_LOCK_ONE_HASH),
    ("aiohttp-test", "conda-env", CONDA_LOCK_ONE_HASH),
    ("aiohttp-test-mobile", "conda-env", CONDA_LOCK_ONE_HASH),
];

/// conda-lock's reader takes one `--hash` per pip entry (pip, which conda runs on the pip:
/// section, takes several); the environment.yml writer gives every hash of the target's
/// wheels, and frozenlist, multidict, propcache and yarl have two linux-64 wheels each.
const CONDA_LOCK_ONE_HASH: &str =
    "conda-lock refuses a pip entry with two --hash options (frozenlist, multidict, ...)";

type Check = Result<String, String>;

#[test]
fn real_projects_export_to_every_format_and_the_owning_tools_accept_each() {
    let (Some(pip), Some(uv), Some(python)) = (tool("pip"), tool("uv"), tool("python")) else {
        return;
    };
    let tools = Tools {
        pip,
        uv,
        python,
        nix: Nix::set_up(),
    };
    let mut table: BTreeMap<(&str, &str), Check> = BTreeMap::new();
    for (slug, input) in PROJECTS {
        let dir = tempfile::tempdir().expect("tempdir");
        let project = Project::resolve(slug, input, dir.path());
        for format in FORMATS {
            let result = match &project {
                Err(e) => Err(format!("resolve: {e}")),
                Ok(p) => p.check(format, &tools),
            };
            table.insert((slug, format), result);
        }
    }
    print_table(&table);
    let mut unexpected = Vec::new();
    for ((slug, format), result) in &table {
        let expected = EXPECTED
            .iter()
            .find(|(p, f, _)| (*p == "*" || p == slug) && f == format);
        match (result, expected) {
            (Err(e), None) => unexpected.push(format!("{slug} {format}: {e}")),
            (Ok(_), Some((_, _, why))) => unexpected.push(format!(
                "{slug} {format}: passes, but is listed as failing: {why}"
            )),
            _ => {}
        }
    }
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n\n"));
}

struct Tools {
    pip: PathBuf,
    uv: PathBuf,
    python: PathBuf,
    nix: Option<Nix>,
}

/// One project resolved into `dir/unilock.lock`.
struct Project {
    dir: PathBuf,
    lock: String,
    /// The project's own pyproject.toml, when it has one.
    pyproject: Option<PathBuf>,
    /// `name==version` of each target's pins, as `export --to requirements` writes them.
    pins: BTreeMap<&'static str, Vec<String>>,
}

fn snapshot_index() -> String {
    format!("file://{}", corpus("real-snapshot/index/simple").display())
}

impl Project {
    fn resolve(slug: &str, input: &str, dir: &Path) -> Result<Project, String> {
        let folder = corpus(&format!("real-snapshot/projects/{slug}"));
        let lock = dir.join("unilock.lock").display().to_string();
        let index = snapshot_index();
        let file = folder.join(input).display().to_string();
        let mut args = vec![
            "resolve",
            &file,
            "--index-url",
            &index,
            "--offline",
            "-o",
            &lock,
        ];
        for t in TARGETS {
            args.extend(["--target", t]);
        }
        let out = unilock(&args);
        if !out.status.success() {
            return Err(stderr(&out));
        }
        let mut pins = BTreeMap::new();
        for t in TARGETS {
            let text = export_ok(&lock, &["--to", "requirements", "--target", t]);
            pins.insert(t, normalized(names_versions(&text)));
        }
        let pyproject = input
            .ends_with("pyproject.toml")
            .then(|| folder.join(input));
        Ok(Project {
            dir: dir.to_path_buf(),
            lock,
            pyproject,
            pins,
        })
    }

    fn here(&self) -> &[String] {
        &self.pins[HERE]
    }

    fn check(&self, format: &str, tools: &Tools) -> Check {
        match format {
            "requirements" => self.requirements(tools),
            "pylock" => self.pylock(tools),
            "pyproject" => self.pyproject(tools),
            "uv-lock" => self.uv_lock(tools),
            "uv-export" => self.uv_export(tools),
            "conda-explicit" => self.conda_explicit(),
            "conda-env" => self.conda_env(tools),
            "conda-lock" => self.conda_lock(tools),
            "pixi-lock" => self.pixi_lock(tools),
            "pixi-show" => self.pixi_show(),
            "nix" => self.nix(tools),
            other => Err(format!("no check for {other}")),
        }
    }

    /// `unilock export --lock LOCK ARGS…`; its stdout, or why it failed.
    fn export(&self, args: &[&str]) -> Result<String, String> {
        let mut all = vec!["export", "--lock", &self.lock];
        all.extend(args);
        let out = unilock(&all);
        if out.status.success() {
            Ok(stdout(&out))
        } else {
            Err(format!("export {args:?}: {}", stderr(&out)))
        }
    }

    /// An export of every target into `dir/name`; its path.
    fn export_all(&self, to: &str, name: &str) -> Result<String, String> {
        let path = self.dir.join(name).display().to_string();
        let mut args = vec!["--to", to, "-o", &path];
        for t in TARGETS {
            args.extend(["--target", t]);
        }
        self.export(&args)?;
        Ok(path)
    }

    fn requirements(&self, tools: &Tools) -> Check {
        let file = self.export_all("requirements", "requirements.txt")?;
        let mut args = vec![
            "--index-url".to_string(),
            snapshot_index(),
            "--only-binary".into(),
            ":all:".into(),
            "--python-version".into(),
            "3.11".into(),
            "-r".into(),
            file,
        ];
        // The target's platform tags: glibc 2.28, manylinux_2_28 down to manylinux1.
        for v in (5..=28).rev() {
            args.extend(["--platform".into(), format!("manylinux_2_{v}_x86_64")]);
        }
        for legacy in ["manylinux2014", "manylinux2010", "manylinux1"] {
            args.extend(["--platform".into(), format!("{legacy}_x86_64")]);
        }
        let installed = pip_dry_run(&tools.pip, &self.dir, &args)?;
        same("pip installs", &installed, self.here())?;
        Ok(format!("ok ({} pins)", installed.len()))
    }

    fn pylock(&self, tools: &Tools) -> Check {
        let file = self.export_all("pylock", "pylock.toml")?;
        let args = ["--no-index".to_string(), "-r".into(), file];
        let installed = pip_dry_run(&tools.pip, &self.dir, &args)?;
        same("pip installs", &installed, self.here())?;
        Ok("ok".into())
    }

    /// The pins written into a copy of the project's pyproject.toml (a bare `[project]` for a
    /// requirements project); uv compiles it to this machine's pins.
    fn pyproject(&self, tools: &Tools) -> Check {
        let folder = self.dir.join("pyproject");
        std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
        let file = folder.join("pyproject.toml");
        match &self.pyproject {
            Some(own) => std::fs::copy(own, &file).map(drop),
            None => std::fs::write(
                &file,
                "[project]\nname = \"app\"\nversion = \"0\"\ndependencies = []\n",
            ),
        }
        .map_err(|e| e.to_string())?;
        let path = file.display().to_string();
        let mut args = vec!["--to", "pyproject", "-o", &path];
        for t in TARGETS {
            args.extend(["--target", t]);
        }
        self.export(&args)?;
        // uv reads the metadata of the wheels themselves, and the snapshot has the bodies of
        // this machine's wheels only: compiled for this machine.
        let (out, _) = uv(
            &tools.uv,
            &folder,
            &[
                "pip",
                "compile",
                "pyproject.toml",
                "--index-url",
                &snapshot_index(),
                "--python-version",
                "3.11",
                "--python-platform",
                "x86_64-manylinux_2_28",
                "--no-header",
                "--no-annotate",
            ],
        )?;
        same(
            "uv pip compile",
            &normalized(names_versions(&out)),
            self.here(),
        )?;
        Ok(if self.pyproject.is_some() {
            "ok (its own)".into()
        } else {
            "ok (a bare one)".into()
        })
    }

    fn uv_project(&self) -> Result<PathBuf, String> {
        let project = self.dir.join("uv");
        if !project.join("uv.lock").exists() {
            self.export(&["--to", "uv-lock", "-o", project.to_str().expect("utf-8")])?;
        }
        Ok(project)
    }

    fn uv_lock(&self, tools: &Tools) -> Check {
        let project = self.uv_project()?;
        let written =
            std::fs::read_to_string(project.join("uv.lock")).map_err(|e| e.to_string())?;
        let (_, log) = uv(&tools.uv, &project, &["lock", "--locked", "-v"])?;
        if !log.contains("Existing `uv.lock` satisfies workspace requirements") {
            return Err(format!(
                "uv lock --locked did not take it as current:\n{log}"
            ));
        }
        if std::fs::read_to_string(project.join("uv.lock"))
            .ok()
            .as_ref()
            != Some(&written)
        {
            return Err("uv lock --locked changed uv.lock".into());
        }
        let (_, plan) = uv(&tools.uv, &project, &["sync", "--frozen", "--dry-run"])?;
        let planned: Vec<String> = plan
            .lines()
            .filter_map(|l| l.trim().strip_prefix("+ "))
            .map(str::to_string)
            .collect();
        same("uv sync plans", &normalized(planned), self.here())?;
        Ok("ok".into())
    }

    /// lock → uv-lock → `uv export --frozen` gives the pins of `export --to requirements`.
    fn uv_export(&self, tools: &Tools) -> Check {
        let project = self.uv_project()?;
        let (uv_pins, _) = uv(&tools.uv, &project, &["export", "--frozen", "--no-header"])?;
        let file = self.export_all("requirements", "requirements-all.txt")?;
        let ours = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        same(
            "uv export",
            &normalized(names_versions(&uv_pins)),
            &normalized(names_versions(&ours)),
        )?;
        Ok("ok".into())
    }

    fn conda_explicit(&self) -> Check {
        let out = self.dir.join("explicit.txt");
        let all = [
            "export",
            "--lock",
            &self.lock,
            "--to",
            "conda-explicit",
            "--target",
            HERE,
            "-o",
            out.to_str().expect("utf-8"),
        ];
        let run = unilock(&all);
        if run.status.code() != Some(2) || out.exists() {
            return Err(format!(
                "a lock of PyPI packages alone written as an explicit file (exit {:?}): {}",
                run.status.code(),
                std::fs::read_to_string(&out).unwrap_or_default()
            ));
        }
        if !stderr(&run).contains("no conda") {
            return Err(format!("refused without saying why: {}", stderr(&run)));
        }
        Ok("refused, exit 2 (PyPI only)".into())
    }

    fn conda_env(&self, tools: &Tools) -> Check {
        let file = self.dir.join("environment.yml");
        let path = file.display().to_string();
        self.export(&["--to", "conda-env", "--target", HERE, "-o", &path])?;
        let mapping = self.dir.join("mapping.json");
        std::fs::write(
            &mapping,
            r#"{"pip": {"conda_name": "pip", "conda_forge": "pip", "pypi_name": "pip"}}"#,
        )
        .map_err(|e| e.to_string())?;
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/read_env_with_conda_lock.py");
        let out = Command::new(&tools.python)
            .arg(script)
            .args([mapping.to_str().expect("utf-8"), "linux-64", &path])
            .output()
            .map_err(|e| e.to_string())?;
        let seen: serde_json::Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&out.stderr)))?;
        if let Some(error) = seen[0]["error"].as_str() {
            return Err(format!("conda-lock refuses it: {error}"));
        }
        let mut pip = Vec::new();
        for dep in seen[0]["dependencies"]["linux-64"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let dep: serde_json::Value =
                serde_json::from_str(dep.as_str().unwrap_or("{}")).map_err(|e| e.to_string())?;
            if dep["manager"] == "pip" {
                let version = dep["version"].as_str().unwrap_or("");
                let name = dep["name"].as_str().unwrap_or("");
                pip.push(format!("{name}{version}"));
            }
        }
        same("conda-lock reads pip:", &normalized(pip), self.here())?;
        Ok("ok (pip: section)".into())
    }

    fn conda_lock(&self, tools: &Tools) -> Check {
        let file = self.export_all("conda-lock", "conda-lock.yml")?;
        let render_dir = self.dir.join("render");
        std::fs::create_dir_all(&render_dir).map_err(|e| e.to_string())?;
        let out = Command::new(tools.python.with_file_name("conda-lock"))
            .current_dir(&render_dir)
            .args([
                "render", "--kind", "explicit", "-p", "linux-64", "-p", "win-64",
            ])
            .arg(&file)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "conda-lock render: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        for (target, platform) in [(TARGETS[0], "linux-64"), (TARGETS[1], "win-64")] {
            let explicit =
                std::fs::read_to_string(render_dir.join(format!("conda-{platform}.lock")))
                    .map_err(|e| format!("no explicit file for {platform}: {e}"))?;
            // `# pip NAME @ URL#sha256=…`, the version from the file name.
            let rendered: Vec<String> = explicit
                .lines()
                .filter_map(|l| l.strip_prefix("# pip "))
                .map(|l| {
                    let (name, url) = l.split_once(" @ ").unwrap_or((l, ""));
                    let file = url.rsplit('/').next().unwrap_or("");
                    let version = file.split('-').nth(1).unwrap_or("?");
                    format!("{name}=={version}")
                })
                .collect();
            same(
                &format!("conda-lock render -p {platform}"),
                &normalized(rendered),
                &self.pins[target],
            )?;
        }
        Ok("ok (pip entries)".into())
    }

    fn pixi_lock(&self, tools: &Tools) -> Check {
        let file = self.export_all("pixi-lock", "pixi.lock")?;
        let out = Command::new(&tools.python)
            .args(["-c", RATTLER_READ, &file])
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "py-rattler: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let read: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
        for (target, platform) in [(TARGETS[0], "linux-64"), (TARGETS[1], "win-64")] {
            let records: Vec<String> = serde_json::from_value(read[platform].clone())
                .map_err(|e| format!("{platform}: {e}"))?;
            same(
                &format!("py-rattler reads {platform}"),
                &normalized(records),
                &self.pins[target],
            )?;
        }
        Ok("ok".into())
    }

    /// lock → pixi-lock → `unilock show` gives the lock's package set.
    fn pixi_show(&self) -> Check {
        let file = self.export_all("pixi-lock", "pixi-show.lock")?;
        let from_pixi = shown(Path::new(&file))?;
        let from_lock = shown(Path::new(&self.lock))?;
        if from_pixi != from_lock {
            return Err(format!(
                "unilock show differs: only in pixi.lock {:?}, only in the lock {:?}",
                from_pixi.difference(&from_lock).collect::<Vec<_>>(),
                from_lock.difference(&from_pixi).collect::<Vec<_>>()
            ));
        }
        Ok(format!("ok ({} packages)", from_lock.len()))
    }

    fn nix(&self, tools: &Tools) -> Check {
        let Some(nix) = &tools.nix else {
            return Ok("skipped: no nix".into());
        };
        let shell = self.dir.join("nix");
        self.export(&[
            "--to",
            "nix",
            "--target",
            HERE,
            "--nixpkgs-from",
            nix.input_lock.to_str().expect("utf-8"),
            "-o",
            shell.to_str().expect("utf-8"),
        ])?;
        let flake = format!("path:{}", shell.display());
        nix.run(&["flake", "metadata", "--no-update-lock-file", &flake])?;
        let attr = format!("{flake}#devShells.x86_64-linux.default");
        let hook = nix.run(&[
            "eval",
            "--no-update-lock-file",
            "--raw",
            &format!("{attr}.shellHook"),
        ])?;
        let requirements = hook
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("uv pip sync --python .venv/bin/python ")
            })
            .ok_or_else(|| format!("no uv pip sync in the shell hook:\n{hook}"))?;
        let written = std::fs::read_to_string(requirements.trim()).map_err(|e| e.to_string())?;
        same(
            "the shell's requirements",
            &normalized(names_versions(&written)),
            self.here(),
        )?;
        Ok("ok (nix eval)".into())
    }
}

/// project × format: `ok …`, or `FAILED` / `failed (expected)` and, below the table, why.
fn print_table(table: &BTreeMap<(&str, &str), Check>) {
    let width = PROJECTS.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
    let mut lines = vec![format!("{:width$} | {}", "project", FORMATS.join(" | "))];
    let mut notes = Vec::new();
    for (slug, _) in PROJECTS {
        let cells: Vec<String> = FORMATS
            .iter()
            .map(|f| {
                let cell = match &table[&(slug, *f)] {
                    Ok(note) => note.clone(),
                    Err(e) => {
                        let expected = EXPECTED
                            .iter()
                            .any(|(p, g, _)| (*p == "*" || *p == slug) && g == f);
                        notes.push(format!("{slug} {f}: {e}"));
                        if expected {
                            "failed (expected)"
                        } else {
                            "FAILED"
                        }
                        .to_string()
                    }
                };
                format!("{cell:w$}", w = f.len())
            })
            .collect();
        lines.push(format!("{slug:width$} | {}", cells.join(" | ")));
    }
    println!("{}", lines.join("\n"));
    for note in notes {
        println!("\n{note}");
    }
}
