//! Calling a PEP 517 build backend: a small script run by the host interpreter in the
//! project directory, isolated from the user's packages (`-S -s`, `PYTHONNOUSERSITE`,
//! `PYTHONPATH` = the build environment only, `PYTHONHOME` unset), with a time limit
//! ([`timeout`]: `UNILOCK_BUILD_TIMEOUT` seconds, default 600), stopped early when the run no
//! longer needs it (a background build when the resolution is over), and its output kept for
//! the error message.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The default time one backend call may take.
pub const TIMEOUT: Duration = Duration::from_secs(600);

/// How many of the backend's last output lines an error shows.
pub const TAIL_LINES: usize = 20;

/// The time one backend call may take: `UNILOCK_BUILD_TIMEOUT` (seconds), else [`TIMEOUT`].
pub fn timeout(var: &dyn Fn(&str) -> Option<String>) -> Duration {
    var("UNILOCK_BUILD_TIMEOUT")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(TIMEOUT, Duration::from_secs_f64)
}

/// The in-process hook caller, as pip's and uv's: `script BACKEND BACKEND_PATH_JSON SITE HOOK OUT
/// WORK`. `requires` writes the list `get_requires_for_build_wheel` returns (none when the
/// backend lacks it); `metadata` writes the path of the METADATA file that
/// `prepare_metadata_for_build_wheel` prepared, or, when the backend lacks that hook, of the
/// METADATA taken out of the wheel `build_wheel` built.
pub const SCRIPT: &str = r#"
import json, os, sys
backend_spec, backend_path, site_dir, hook, out, work = sys.argv[1:7]
import site
site.addsitedir(site_dir)
for p in reversed(json.loads(backend_path)):
    sys.path.insert(0, os.path.abspath(p))
sys.path.insert(0, os.getcwd())
module, _, obj = backend_spec.partition(":")
import importlib
try:
    backend = importlib.import_module(module)
except ImportError as e:
    print("cannot import the build backend %s: %s" % (module, e), file=sys.stderr)
    sys.exit(2)
for attr in filter(None, obj.split(".")):
    backend = getattr(backend, attr)
if hook == "requires":
    get = getattr(backend, "get_requires_for_build_wheel", None)
    result = list(get({})) if get else []
else:
    prepare = getattr(backend, "prepare_metadata_for_build_wheel", None)
    metadata_dir = os.path.join(work, "metadata")
    os.makedirs(metadata_dir, exist_ok=True)
    if prepare is not None:
        name = prepare(metadata_dir, {})
        result = os.path.join(metadata_dir, name, "METADATA")
    else:
        wheel_dir = os.path.join(work, "wheel")
        os.makedirs(wheel_dir, exist_ok=True)
        name = backend.build_wheel(wheel_dir, {}, None)
        import zipfile
        with zipfile.ZipFile(os.path.join(wheel_dir, name)) as z:
            member = [n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")][0]
            result = os.path.join(metadata_dir, "METADATA")
            with open(result, "wb") as f:
                f.write(z.read(member))
with open(out, "w") as f:
    json.dump(result, f)
"#;

/// What a backend call left behind when it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// `exited with exit status: 1`, `took longer than 600 s`, `could not start: …`.
    pub how: String,
    /// The last [`TAIL_LINES`] lines of its output (stdout and stderr together).
    pub tail: Vec<String>,
}

/// One call of `hook` (`requires` or `metadata`) of `backend` in `project`, with the packages
/// of `site` importable; its JSON answer. The backend is stopped as soon as `stop` is set.
#[allow(clippy::too_many_arguments)]
pub fn call(
    python: &Path,
    project: &Path,
    backend: &str,
    backend_path: &[String],
    site: &Path,
    hook: &str,
    work: &Path,
    limit: Duration,
    stop: Option<&AtomicBool>,
) -> Result<serde_json::Value, Failed> {
    let script = work.join("unilock_build_hook.py");
    let out = work.join(format!("{hook}.json"));
    let log_path = work.join(format!("{hook}.log"));
    let failed = |how: String| Failed {
        how,
        tail: Vec::new(),
    };
    std::fs::write(&script, SCRIPT).map_err(|e| failed(format!("could not start: {e}")))?;
    let log =
        std::fs::File::create(&log_path).map_err(|e| failed(format!("could not start: {e}")))?;
    let log2 = log
        .try_clone()
        .map_err(|e| failed(format!("could not start: {e}")))?;
    let mut child = Command::new(python)
        .arg("-S")
        .arg("-s")
        .arg(&script)
        .arg(backend)
        .arg(serde_json::Value::from(backend_path.to_vec()).to_string())
        .arg(site)
        .arg(hook)
        .arg(&out)
        .arg(work)
        .current_dir(project)
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONSTARTUP")
        .env_remove("PIP_REQUIRE_VIRTUALENV")
        .env("PYTHONPATH", site)
        .env("PYTHONNOUSERSITE", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        // Output is kept even when the backend is stopped at the time limit.
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .spawn()
        .map_err(|e| failed(format!("could not start {}: {e}", python.display())))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if stop.is_some_and(|s| s.load(Ordering::Relaxed)) => {
                let _ = child.kill();
                let _ = child.wait();
                break Err("was stopped: the run no longer needed it".to_string());
            }
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!(
                    "took longer than {} s (UNILOCK_BUILD_TIMEOUT)",
                    limit.as_secs_f64()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => break Err(format!("could not be waited for: {e}")),
        }
    };
    let tail = || tail_of(&log_path);
    let status = status.map_err(|how| Failed { how, tail: tail() })?;
    if !status.success() {
        return Err(Failed {
            how: format!("exited with {status}"),
            tail: tail(),
        });
    }
    let text = std::fs::read_to_string(&out).map_err(|e| Failed {
        how: format!("left no answer ({e})"),
        tail: tail(),
    })?;
    serde_json::from_str(&text).map_err(|e| Failed {
        how: format!("left an answer that is not JSON ({e})"),
        tail: tail(),
    })
}

/// The last [`TAIL_LINES`] lines of the log at `path`.
fn tail_of(path: &Path) -> Vec<String> {
    let text = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}
