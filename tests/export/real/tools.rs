//! The tools the real-project checks run: `unilock show`, py-rattler, pip, uv and nix (with a
//! stub nixpkgs), each answering with what it read or planned.

use super::*;

/// `unilock show FILE --json`: `ecosystem name version` of every package.
pub(super) fn shown(file: &Path) -> Result<BTreeSet<String>, String> {
    let out = unilock(&["show", file.to_str().expect("utf-8"), "--json"]);
    if !out.status.success() {
        return Err(format!("show {}: {}", file.display(), stderr(&out)));
    }
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).map_err(|e| e.to_string())?;
    Ok(doc["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            format!(
                "{} {} {}",
                p["ecosystem"].as_str().unwrap_or_default(),
                p["name"].as_str().unwrap_or_default(),
                p["version"].as_str().unwrap_or_default(),
            )
        })
        .collect())
}

/// Each platform's PyPI packages of a pixi.lock as py-rattler reads them: `name==version`.
pub(super) const RATTLER_READ: &str = r#"
import json, sys, rattler
env = rattler.LockFile.from_path(sys.argv[1]).default_environment()
out = {}
for p in env.platforms():
    out[p.name] = [f"{q.name}=={q.version}" for q in env.pypi_packages_for_platform(p) or []]
print(json.dumps(out))
"#;

/// `name==version` with the name normalized (PEP 503), sorted, without repeats.
pub(super) fn normalized(pins: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = pins
        .iter()
        .map(|p| {
            let (name, version) = p.split_once("==").unwrap_or((p, ""));
            let mut norm = String::new();
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !norm.ends_with('-') {
                        norm.push('-');
                    }
                } else {
                    norm.push(c.to_ascii_lowercase());
                }
            }
            format!("{norm}=={}", version.trim())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

pub(super) fn same(what: &str, got: &[String], want: &[String]) -> Result<(), String> {
    if got == want {
        return Ok(());
    }
    let got_set: BTreeSet<&String> = got.iter().collect();
    let want_set: BTreeSet<&String> = want.iter().collect();
    Err(format!(
        "{what} differs from the lock: extra {:?}, missing {:?}",
        got_set.difference(&want_set).collect::<Vec<_>>(),
        want_set.difference(&got_set).collect::<Vec<_>>()
    ))
}

/// What `pip install --dry-run --report` would install, normalized; pip's configured
/// find-links (`PIP_FIND_LINKS`) are left out so that only the snapshot serves.
pub(super) fn pip_dry_run(pip: &Path, dir: &Path, args: &[String]) -> Result<Vec<String>, String> {
    let report = dir.join("report.json");
    let _ = std::fs::remove_file(&report);
    let out = Command::new(pip)
        .current_dir(dir)
        .args([
            "install",
            "--dry-run",
            "--ignore-installed",
            "--disable-pip-version-check",
            "--quiet",
            "--target",
        ])
        .arg(dir.join("site"))
        .arg("--report")
        .arg(&report)
        .args(args)
        .env("PIP_NO_INPUT", "1")
        .env_remove("PIP_FIND_LINKS")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "pip refused it: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    Ok(normalized(
        report["install"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                format!(
                    "{}=={}",
                    i["metadata"]["name"].as_str().unwrap_or("?"),
                    i["metadata"]["version"].as_str().unwrap_or("?")
                )
            })
            .collect(),
    ))
}

/// Runs uv in `dir`, offline and without a cache: its stdout and stderr, or why it failed.
pub(super) fn uv(uv: &Path, dir: &Path, args: &[&str]) -> Result<(String, String), String> {
    let out = Command::new(uv)
        .current_dir(dir)
        .args(args)
        .args(["--offline", "--no-python-downloads"])
        .env("UV_NO_CACHE", "1")
        .env_remove("VIRTUAL_ENV")
        .env_remove("UV_INDEX_URL")
        .env_remove("UV_EXTRA_INDEX_URL")
        .output()
        .map_err(|e| e.to_string())?;
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    if !out.status.success() {
        return Err(format!("uv {args:?}: {e}"));
    }
    Ok((o, e))
}

/// `nix` with a stub nixpkgs flake on disk that Nix locked itself: `input_lock` is a
/// flake.lock whose `nixpkgs` node is that lock, for `--nixpkgs-from`.
pub(super) struct Nix {
    nix: PathBuf,
    pub(super) input_lock: PathBuf,
    _dir: tempfile::TempDir,
}

/// nixpkgs as far as the Linux shells of these projects use it.
pub(super) const STUB_NIXPKGS: &str = r#"{
  outputs = { self }: {
    legacyPackages.x86_64-linux = let
      pkg = name: { outPath = "/nix/store/00000000000000000000000000000000-${name}"; inherit name; };
    in {
      python311 = pkg "python3"; uv = pkg "uv"; openssl = pkg "openssl"; zlib = pkg "zlib";
      glib = pkg "glib"; libGL = pkg "libGL"; libffi = pkg "libffi";
      stdenv.cc.cc.lib = pkg "gcc-lib";
      mkShell = args: args;
      writeText = name: text: builtins.toFile name text;
      lib.makeLibraryPath = ps: builtins.concatStringsSep ":" (map (p: "${p}/lib") ps);
    };
  };
}
"#;

impl Nix {
    /// `None` when nix is not installed (a visible message; under CI a failure).
    pub(super) fn set_up() -> Option<Nix> {
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("nix"))
                .find(|p| p.is_file())
        });
        let Some(nix) = found else {
            assert!(
                std::env::var_os("CI").is_none(),
                "`nix` is missing: .ci/run installs it with scripts/install-test-tools.sh"
            );
            eprintln!("SKIPPED: `nix` is missing; the nix column is not checked");
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let stub = dir.path().join("nixpkgs");
        std::fs::create_dir_all(&stub).expect("stub");
        std::fs::write(stub.join("flake.nix"), STUB_NIXPKGS).expect("stub flake");
        let this = Nix {
            nix,
            input_lock: dir.path().join("input-flake.lock"),
            _dir: dir,
        };
        let metadata = this
            .run(&[
                "flake",
                "metadata",
                "--json",
                &format!("path:{}", stub.display()),
            ])
            .expect("nix flake metadata of the stub nixpkgs");
        let metadata: serde_json::Value = serde_json::from_str(&metadata).expect("json");
        let input_lock = serde_json::json!({
            "nodes": {
                "nixpkgs": { "locked": metadata["locked"], "original": metadata["original"] },
                "root": { "inputs": { "nixpkgs": "nixpkgs" } },
            },
            "root": "root",
            "version": 7,
        });
        std::fs::write(&this.input_lock, input_lock.to_string()).expect("input lock");
        Some(this)
    }

    /// nix with flakes enabled, offline: its stdout, or why it failed.
    pub(super) fn run(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(&self.nix)
            .args([
                "--extra-experimental-features",
                "nix-command flakes",
                "--offline",
            ])
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "nix {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}
