//! The Python interpreter builds run on: found once (`--python PATH`, then `UNILOCK_PYTHON`,
//! then `UV_PYTHON`, then `python3` and `python` on `PATH`), asked once for its version,
//! implementation and platform, and described as the host [`Target`] its build requirements
//! are resolved for.

use std::path::{Path, PathBuf};
use std::process::Command;
use unilock_model::{Diagnostic, ErrorKind, Target};

/// A Python interpreter on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    pub path: PathBuf,
    /// `sys.version_info[:3]`.
    pub version: (u32, u32, u32),
    /// `sys.implementation.name` (`cpython`, `pypy`).
    pub implementation: String,
    /// `sys.platform` (`linux`, `darwin`, `win32`).
    pub platform: String,
    /// `platform.machine()` (`x86_64`, `aarch64`, `arm64`, `AMD64`).
    pub machine: String,
    /// `platform.libc_ver()`: (`glibc`, `2.36`), or empty strings elsewhere.
    pub libc: (String, String),
}

/// What the interpreter is asked, once.
const QUERY: &str = "import json, platform, sys\n\
print(json.dumps({'version': list(sys.version_info[:3]), 'implementation': sys.implementation.name, \
'platform': sys.platform, 'machine': platform.machine(), 'libc': list(platform.libc_ver())}))\n";

#[derive(serde::Deserialize)]
struct Answer {
    version: (u32, u32, u32),
    implementation: String,
    platform: String,
    machine: String,
    libc: (String, String),
}

/// Where an interpreter was named, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Flag,
    UnilockPython,
    UvPython,
    Path,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Flag => "--python",
            Origin::UnilockPython => "UNILOCK_PYTHON",
            Origin::UvPython => "UV_PYTHON",
            Origin::Path => "PATH",
        }
    }
}

/// Finds the interpreter: `explicit` (`--python`), else `UNILOCK_PYTHON`, else `UV_PYTHON`
/// (a path, or a command name looked up on `PATH`), else `python3`, then `python`, on `PATH`.
/// `var` reads the environment.
pub fn discover(
    explicit: Option<&Path>,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Interpreter, Diagnostic> {
    let named = explicit
        .map(|p| (p.to_path_buf(), Origin::Flag))
        .or_else(|| {
            var("UNILOCK_PYTHON")
                .filter(|v| !v.is_empty())
                .map(|v| (PathBuf::from(v), Origin::UnilockPython))
        })
        .or_else(|| {
            var("UV_PYTHON")
                .filter(|v| !v.is_empty())
                .map(|v| (PathBuf::from(v), Origin::UvPython))
        });
    if let Some((path, origin)) = named {
        let found = if path.components().count() > 1 || path.is_absolute() {
            Some(path.clone())
        } else {
            on_path(&path.to_string_lossy(), var)
        };
        let Some(found) = found else {
            return Err(Diagnostic::usage(format!(
                "{}: no interpreter `{}` on PATH",
                origin.as_str(),
                path.display()
            ))
            .note("give the path of a Python interpreter"));
        };
        return query(&found).map_err(|why| {
            Diagnostic::usage(format!(
                "{} {}: not a usable Python interpreter: {why}",
                origin.as_str(),
                found.display()
            ))
            .note("give the path of a Python 3 interpreter")
        });
    }
    for name in ["python3", "python"] {
        if let Some(found) = on_path(name, var)
            && let Ok(i) = query(&found)
        {
            return Ok(i);
        }
    }
    Err(Diagnostic::usage(
        "no Python interpreter found (looked at --python, UNILOCK_PYTHON, UV_PYTHON, then python3 and python on PATH)",
    )
    .note("pass --python PATH, or --no-build to skip the versions whose dependencies need a build"))
}

/// The first executable file `name` in the directories of `PATH`.
fn on_path(name: &str, var: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let path = var("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Asks the interpreter at `path` what it is.
pub fn query(path: &Path) -> Result<Interpreter, String> {
    let out = Command::new(path)
        .args(["-I", "-c", QUERY])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run it: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "it exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let answer: Answer = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("its answer is not the one expected ({e})"))?;
    Ok(Interpreter {
        path: path.to_path_buf(),
        version: answer.version,
        implementation: answer.implementation,
        platform: answer.platform,
        machine: answer.machine,
        libc: answer.libc,
    })
}

impl Interpreter {
    /// `3.11.7`.
    pub fn version_text(&self) -> String {
        let (a, b, c) = self.version;
        format!("{a}.{b}.{c}")
    }

    /// The target string of this machine with this interpreter (`linux-64,python=3.11,glibc=2.36`),
    /// or why there is none.
    pub fn target_spec(&self) -> Result<String, String> {
        let machine = self.machine.to_ascii_lowercase();
        let base = match (self.platform.as_str(), machine.as_str()) {
            (p, "x86_64" | "amd64") if p.starts_with("linux") => "linux-64",
            (p, "aarch64" | "arm64") if p.starts_with("linux") => "linux-aarch64",
            (p, "ppc64le") if p.starts_with("linux") => "linux-ppc64le",
            (p, "s390x") if p.starts_with("linux") => "linux-s390x",
            ("darwin", "arm64" | "aarch64") => "osx-arm64",
            ("darwin", "x86_64") => "osx-64",
            ("win32", "amd64" | "x86_64") => "win-64",
            ("win32", "arm64") => "win-arm64",
            (p, m) => return Err(format!("no target is known for the platform {p} on {m}")),
        };
        let (a, b, _) = self.version;
        let mut spec = format!("{base},python={a}.{b}");
        if self.implementation == "pypy" {
            spec.push_str(",implementation=pypy");
        }
        if self.libc.0 == "glibc" && !self.libc.1.is_empty() {
            spec.push_str(&format!(",glibc={}", self.libc.1));
        }
        Ok(spec)
    }

    /// The host target: this machine with this interpreter's Python.
    pub fn target(&self) -> Result<Target, Diagnostic> {
        let spec = self.target_spec().map_err(|why| {
            Diagnostic::new(
                ErrorKind::Usage,
                format!("the interpreter {}: {why}", self.path.display()),
            )
        })?;
        Target::parse(&spec, &unilock_model::target::NoEnvironment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interpreter(platform: &str, machine: &str, libc: (&str, &str)) -> Interpreter {
        Interpreter {
            path: PathBuf::from("/usr/bin/python3"),
            version: (3, 11, 7),
            implementation: "cpython".into(),
            platform: platform.into(),
            machine: machine.into(),
            libc: (libc.0.into(), libc.1.into()),
        }
    }

    #[test]
    fn the_host_target_follows_the_interpreter() {
        let linux = interpreter("linux", "x86_64", ("glibc", "2.36"));
        assert_eq!(
            linux.target_spec().unwrap(),
            "linux-64,python=3.11,glibc=2.36"
        );
        let target = linux.target().unwrap();
        assert!(
            target
                .wheel_tags()
                .iter()
                .any(|t| t == "cp311-cp311-manylinux_2_36_x86_64")
        );
        let mac = interpreter("darwin", "arm64", ("", ""));
        assert_eq!(mac.target_spec().unwrap(), "osx-arm64,python=3.11");
        let odd = interpreter("sunos5", "sparc", ("", ""));
        assert!(odd.target_spec().unwrap_err().contains("sunos5 on sparc"));
    }

    #[test]
    fn a_named_interpreter_that_does_not_exist_is_a_usage_error() {
        let err = discover(Some(Path::new("/nonexistent.invalid/python")), &|_| None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Usage);
        assert!(
            err.message()
                .starts_with("--python /nonexistent.invalid/python: not a usable"),
            "{}",
            err.message()
        );
        let err = discover(None, &|v| {
            (v == "UV_PYTHON").then(|| "no-such-python-here".into())
        })
        .unwrap_err();
        assert!(
            err.message()
                .contains("UV_PYTHON: no interpreter `no-such-python-here` on PATH"),
            "{}",
            err.message()
        );
        let none = discover(None, &|_| None).unwrap_err();
        assert!(none.message().starts_with("no Python interpreter found"));
    }
}
