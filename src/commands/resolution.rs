//! What the resolution flags of pip and uv ([`ResolutionArgs`]) do to a run: the targets
//! `--python-platform`/`--python-version` write ([`targets`]), and the constraint and override
//! files and the pre-release mode added to the request ([`apply`]). See docs/resolve.md.

use super::files::{env_var, read_input};
use crate::cli::resolution::ResolutionArgs;
use std::path::Path;
use unilock_formats::{Format, dispatch};
use unilock_model::target::parse::did_you_mean;
use unilock_model::{Diagnostic, ErrorKind, Requirement};
use unilock_solver::pypi::Request;

/// uv's `--python-platform` values that name a platform unilock knows by another spelling or
/// with a glibc; the Rust triples unilock knows themselves are taken as they are.
const ALIASES: [(&str, &str); 4] = [
    ("linux", "x86_64-unknown-linux-gnu"),
    ("windows", "x86_64-pc-windows-msvc"),
    ("macos", "aarch64-apple-darwin"),
    ("riscv64-unknown-linux", "riscv64gc-unknown-linux-gnu"),
];

/// The Rust triples of uv's list that are unilock platforms as they are spelled.
const TRIPLES: [&str; 8] = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
    "aarch64-pc-windows-msvc",
];

/// The target strings of a run: `given` (the `--target` values), or the one target that
/// `--python-platform` writes (with `--python-version`, and `MACOSX_DEPLOYMENT_TARGET` for
/// macOS, as uv reads it); `--python-version` alone refines each given target that names no
/// Python. `--python-platform` takes the place of targets that did not come from the command
/// line (clap refuses it beside `--target`).
pub fn targets(args: &ResolutionArgs, given: &[String]) -> Result<Vec<String>, Diagnostic> {
    let python = args
        .python_version
        .as_deref()
        .map(python_version)
        .transpose()?;
    if let Some(platform) = &args.python_platform {
        let mut target = platform_target(platform)?;
        if target.contains("apple-darwin")
            && let Some(macos) = env_var("MACOSX_DEPLOYMENT_TARGET").filter(|v| !v.is_empty())
        {
            target.push_str(&format!(",macos={macos}"));
        }
        if let Some(v) = &python {
            target.push_str(&format!(",python={v}"));
        }
        return Ok(vec![target]);
    }
    let Some(python) = python else {
        return Ok(given.to_vec());
    };
    if given.is_empty() {
        return Err(Diagnostic::usage(
            "--python-version needs a platform to go with: add --python-platform (linux, macos, windows, x86_64-manylinux_2_28, …) or --target",
        ));
    }
    given
        .iter()
        .map(|t| {
            let named = t
                .split(',')
                .skip(1)
                .filter_map(|o| o.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("python"));
            match named {
                Some((_, v)) if v.trim() != python => Err(Diagnostic::usage(format!(
                    "--python-version {python} and --target {t} name two Pythons"
                ))
                .note("drop one of them: the target's `python=` or --python-version")),
                Some(_) => Ok(t.clone()),
                None => Ok(format!("{t},python={python}")),
            }
        })
        .collect()
}

/// A `--python-version` value: `3.X` or `3.X.Y`.
fn python_version(value: &str) -> Result<String, Diagnostic> {
    let value = value.trim();
    let parts: Vec<&str> = value.split('.').collect();
    let numeric = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if parts.len() < 2 || parts.len() > 3 || !numeric {
        return Err(Diagnostic::usage(format!(
            "--python-version `{value}` is not a Python version"
        ))
        .expected("`3.X` or `3.X.Y`, such as 3.12"));
    }
    Ok(value.to_string())
}

/// The target string of a `--python-platform` value, as uv defines the value: the aliases,
/// `{x86_64,aarch64}-manylinux2014` and `-manylinux_2_N` (glibc 2.N), and the Rust triples.
fn platform_target(value: &str) -> Result<String, Diagnostic> {
    let value = value.trim().to_ascii_lowercase();
    if let Some((_, t)) = ALIASES.iter().find(|(a, _)| *a == value) {
        return Ok(t.to_string());
    }
    if TRIPLES.contains(&value.as_str()) {
        return Ok(value);
    }
    for arch in ["x86_64", "aarch64"] {
        let Some(policy) = value.strip_prefix(&format!("{arch}-")) else {
            continue;
        };
        let glibc = match policy {
            "manylinux2014" => Some(17),
            _ => policy
                .strip_prefix("manylinux_2_")
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| (17..=40).contains(n)),
        };
        if let Some(minor) = glibc {
            return Ok(format!("{arch}-unknown-linux-gnu,glibc=2.{minor}"));
        }
    }
    let known: Vec<String> = ALIASES
        .iter()
        .map(|(a, _)| a.to_string())
        .chain(TRIPLES.iter().map(|t| t.to_string()))
        .chain([
            "x86_64-manylinux_2_28".into(),
            "aarch64-manylinux_2_28".into(),
        ])
        .collect();
    let mut d = Diagnostic::usage(format!(
        "--python-platform `{value}` is not a platform unilock resolves for"
    ))
    .expected(format!(
        "one of {}, {{x86_64,aarch64}}-manylinux2014 or -manylinux_2_17 … _2_40",
        known.join(", ")
    ));
    if let Some(close) = did_you_mean(&value, known.iter().map(String::as_str)) {
        d = d.note(format!("did you mean `{close}`?"));
    }
    Err(d.note(
        "uv's Android, iOS, Pyodide and 32-bit Windows platforms have no unilock target; --target takes every platform and preset (`unilock targets`)",
    ))
}

/// Adds the constraint and override files and the pre-release mode to `request`. The mode
/// given on the command line wins over a requirements file's `--pre`.
pub fn apply(args: &ResolutionArgs, request: &mut Request) -> Result<(), Diagnostic> {
    if let Some(mode) = args.prerelease {
        request.prerelease = mode;
    }
    for path in &args.constraint {
        request.constraints.extend(read(path, "--constraint")?);
    }
    for path in &args.overrides {
        request.overrides.extend(read(path, "--override")?);
    }
    Ok(())
}

/// The requirements of a constraints or overrides file (a requirements file; its `-r` and
/// `-c` includes are read too, every line taken as one of `flag`'s). A line that names no
/// package is refused, as pip refuses it.
fn read(path: &Path, flag: &str) -> Result<Vec<pep508_rs::Requirement>, Diagnostic> {
    let text = read_input(path)?;
    let cwd = std::env::current_dir().ok();
    let ctx = super::files::context(cwd.as_deref());
    let doc = dispatch::read(Format::Requirements, path, &text, &ctx)?;
    let mut out = Vec::new();
    for r in &doc.manifest.requirements {
        let origin = r
            .origin
            .as_ref()
            .map(|o| format!("{}:{}:{}", o.file, o.line, o.column))
            .unwrap_or_else(|| path.display().to_string());
        match &r.requirement {
            Requirement::Pypi(p) => out.push((**p).clone()),
            other => {
                return Err(Diagnostic::new(
                    ErrorKind::InvalidInput,
                    format!("{origin}: `{other}` names no package; a {flag} file must name one"),
                )
                .expected("`name`, `name<2` or `name @ URL`"));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(platform: Option<&str>, python: Option<&str>) -> ResolutionArgs {
        ResolutionArgs {
            python_platform: platform.map(String::from),
            python_version: python.map(String::from),
            ..ResolutionArgs::default()
        }
    }

    #[test]
    fn uv_platforms_become_targets() {
        let one = |p: &str, v: Option<&str>| targets(&args(Some(p), v), &[]).unwrap();
        assert_eq!(
            one("linux", Some("3.11")),
            ["x86_64-unknown-linux-gnu,python=3.11"]
        );
        assert_eq!(one("windows", None), ["x86_64-pc-windows-msvc"]);
        assert_eq!(
            one("x86_64-manylinux_2_28", Some("3.12.3")),
            ["x86_64-unknown-linux-gnu,glibc=2.28,python=3.12.3"]
        );
        assert_eq!(
            one("aarch64-manylinux2014", None),
            ["aarch64-unknown-linux-gnu,glibc=2.17"]
        );
        assert_eq!(
            one("aarch64-unknown-linux-musl", None),
            ["aarch64-unknown-linux-musl"]
        );
        let e = targets(&args(Some("linx"), None), &[])
            .unwrap_err()
            .render();
        assert!(e.contains("did you mean `linux`?"), "{e}");
        let e = targets(&args(Some("wasm32-pyodide2024"), None), &[]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
    }

    #[test]
    fn python_version_refines_the_targets_given() {
        let given = ["linux-64".to_string(), "osx-arm64,python=3.11".to_string()];
        assert_eq!(
            targets(&args(None, Some("3.11")), &given).unwrap(),
            ["linux-64,python=3.11", "osx-arm64,python=3.11"]
        );
        let e = targets(&args(None, Some("3.12")), &given)
            .unwrap_err()
            .render();
        assert!(e.contains("name two Pythons"), "{e}");
        let e = targets(&args(None, Some("3.12")), &[])
            .unwrap_err()
            .render();
        assert!(e.contains("add --python-platform"), "{e}");
        let e = targets(&args(None, Some("three")), &given)
            .unwrap_err()
            .render();
        assert!(e.contains("`3.X` or `3.X.Y`"), "{e}");
    }
}
