//! The target string: `BASE[,KEY=VALUE]...`.
//!
//! `BASE` is a platform spelling (conda subdir, Docker platform, Rust triple; see
//! [`super::platform`]) or a preset name (see [`super::preset`]). The overrides are
//! [`OVERRIDE_KEYS`]. Values are layered, later wins:
//!
//! 1. the built-in defaults ([`super::DEFAULT_PYTHON`] and friends),
//! 2. the preset or the platform spelling (a `-musl` triple selects musl),
//! 3. conda's `CONDA_OVERRIDE_*` variables, as conda applies them to the machine it detects:
//!    `CONDA_OVERRIDE_GLIBC` (glibc targets), `_LINUX` (Linux), `_OSX` (macOS), `_WIN` (Windows),
//!    `_CUDA` (Linux and Windows), `_ARCHSPEC`; a variable set to the empty string removes that
//!    virtual package (for CUDA: no GPU),
//! 4. the `,key=value` overrides of the target string.
//!
//! Errors point into the target string and list the valid choices, with a did-you-mean.

use super::platform::{Arch, LibcFamily, Os, Platform};
use super::preset::{PRESETS, Preset};
use super::*;
use crate::diagnostic::{Diagnostic, Span};

/// The outside world a target is read in: conda's override variables. The CLI passes the
/// process environment; tests pass a map.
pub trait Environment {
    fn var(&self, name: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> Environment for F {
    fn var(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// An environment with no variables set.
pub struct NoEnvironment;

impl Environment for NoEnvironment {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
}

/// The `key=value` overrides a target string accepts, in canonical order, with what each expects.
pub const OVERRIDE_KEYS: &[(&str, &str)] = &[
    (
        "arch",
        "an architecture: x86_64, aarch64, ppc64le, s390x, i686, armv7l, riscv64 (aliases amd64, arm64)",
    ),
    (
        "python",
        "a Python 3 version such as 3.11, 3.12.4 or 3.13t (free-threaded)",
    ),
    ("implementation", "cpython or pypy"),
    ("glibc", "a glibc version such as 2.17 or 2.28 (Linux)"),
    ("musl", "a musl version such as 1.2 (Linux)"),
    (
        "linux",
        "a Linux kernel version such as 5.14 (the `__linux` virtual package)",
    ),
    ("cuda", "a CUDA driver version such as 12.4, or `none`"),
    (
        "cpu",
        "an archspec microarchitecture such as x86_64_v3, haswell, zen4, neoverse_v1",
    ),
    ("macos", "a macOS version such as 14.0 or 10.15 (macOS)"),
];

/// Where the target string came from, for diagnostics.
const SOURCE: &str = "--target";

struct Override<'a> {
    key: &'static str,
    value: &'a str,
    span: Span,
}

impl Target {
    /// Reads a target string, honouring `CONDA_OVERRIDE_*` from `env`.
    pub fn parse(text: &str, env: &dyn Environment) -> Result<Target, Diagnostic> {
        let err = |msg: String, span: Span| Diagnostic::invalid(msg).at(SOURCE, text, span);
        let mut pieces = Vec::new();
        let mut offset = 0;
        for piece in text.split(',') {
            let lead = piece.len() - piece.trim_start().len();
            let trimmed = piece.trim();
            pieces.push((
                trimmed,
                Span::new(offset + lead, offset + lead + trimmed.len()),
            ));
            offset += piece.len() + 1;
        }
        let (base, base_span) = pieces[0];
        if base.is_empty() || base.contains('=') {
            return Err(err(
                "a target starts with a platform or preset".into(),
                base_span,
            )
            .expected("a platform such as linux-64 or linux/arm64, or a preset such as ubuntu24.04")
            .note("run `unilock targets` to list the presets and platforms"));
        }
        let mut target =
            Target::from_base(base).ok_or_else(|| unknown_base(text, base, base_span))?;

        let mut overrides: Vec<Override> = Vec::new();
        for &(piece, span) in &pieces[1..] {
            let Some((key, value)) = piece.split_once('=') else {
                return Err(err(format!("`{piece}` is not an override"), span)
                    .expected("`key=value`, e.g. `python=3.11`"));
            };
            let key = key.trim();
            let key_span = Span::new(span.start, span.start + key.len());
            let Some(&(known, _)) = OVERRIDE_KEYS
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
            else {
                let keys: Vec<&str> = OVERRIDE_KEYS.iter().map(|(k, _)| *k).collect();
                let mut d = err(format!("unknown override `{key}`"), key_span)
                    .expected(format!("one of {}", keys.join(", ")));
                if let Some(s) = did_you_mean(key, keys.iter().copied()) {
                    d = d.note(format!("did you mean `{s}`?"));
                }
                return Err(d);
            };
            if overrides.iter().any(|o| o.key == known) {
                return Err(err(format!("`{known}` is given twice"), key_span)
                    .expected("each override at most once"));
            }
            let value_start = span.start + piece.find('=').map_or(0, |i| i + 1);
            let value = value.trim();
            overrides.push(Override {
                key: known,
                value,
                span: Span::new(value_start, value_start + value.len().max(1)),
            });
        }

        // The architecture decides what the other values may be, so it goes first.
        if let Some(o) = overrides.iter().find(|o| o.key == "arch") {
            target.apply(o, text)?;
        }
        target.apply_conda_overrides(env)?;
        for o in overrides.iter().filter(|o| o.key != "arch") {
            target.apply(o, text)?;
        }
        target.check(text, &overrides)?;

        let mut spec = base.to_ascii_lowercase();
        for (key, _) in OVERRIDE_KEYS {
            if let Some(o) = overrides.iter().find(|o| o.key == *key) {
                spec.push_str(&format!(",{key}={}", target.canonical_value(key, o.value)));
            }
        }
        target.spec = spec;
        Ok(target)
    }

    /// The target a platform spelling or preset stands for, before any override.
    fn from_base(base: &str) -> Option<Target> {
        let (platform, preset, libc_family, source) = if let Some(name) = Platform::lookup(base) {
            (
                name.platform,
                None,
                name.libc,
                format!("platform {}", name.name),
            )
        } else {
            let preset = Preset::lookup(base)?;
            let platform = Platform {
                os: preset.os,
                arch: preset.arch,
            };
            (
                platform,
                Some(preset),
                preset.libc.map(|l| l.0),
                format!("preset {}", preset.name),
            )
        };
        let default = "default".to_string();
        let mut sources = BTreeMap::new();
        let mut note = |key: &'static str, from_base: bool| {
            sources.insert(
                key,
                if from_base {
                    source.clone()
                } else {
                    default.clone()
                },
            );
        };
        let python = parse_python(DEFAULT_PYTHON)?;
        note("python", false);
        note("implementation", false);
        note("cuda", false);
        note("cpu", false);
        let mut target = Target {
            spec: String::new(),
            preset,
            platform,
            libc: None,
            linux_kernel: None,
            macos: None,
            windows: None,
            implementation: Implementation::CPython,
            python,
            cuda: None,
            cpu: platform.conda_machine().to_string(),
            sources: BTreeMap::new(),
            suppressed_virtual_packages: Vec::new(),
        };
        match platform.os {
            Os::Linux => {
                let family = libc_family.unwrap_or(LibcFamily::Glibc);
                let version = match preset.and_then(|p| p.libc) {
                    Some((_, v)) => v,
                    None if family == LibcFamily::Musl => DEFAULT_MUSL,
                    None => DEFAULT_GLIBC,
                };
                target.libc = Some(Libc {
                    family,
                    version: DottedVersion::parse(version, 3)?,
                });
                note("libc", preset.is_some() || libc_family.is_some());
                note("libc_version", preset.is_some());
                let kernel = preset
                    .and_then(|p| p.linux_kernel)
                    .unwrap_or(DEFAULT_LINUX_KERNEL);
                target.linux_kernel = DottedVersion::parse(kernel, 4);
                note("linux", preset.is_some());
            }
            Os::Macos => {
                target.macos =
                    DottedVersion::parse(preset.and_then(|p| p.macos).unwrap_or(DEFAULT_MACOS), 3);
                note("macos", preset.is_some());
            }
            Os::Windows => {}
        }
        note("arch", true);
        target.sources = sources;
        Some(target)
    }

    /// Applies conda's `CONDA_OVERRIDE_*` variables the way conda applies them to the machine
    /// it detects.
    fn apply_conda_overrides(&mut self, env: &dyn Environment) -> Result<(), Diagnostic> {
        let os = self.platform.os;
        let glibc = matches!(&self.libc, Some(l) if l.family == LibcFamily::Glibc);
        let vars: [(&str, &'static str, &'static str, bool); 6] = [
            (
                "CONDA_OVERRIDE_GLIBC",
                "glibc",
                "__glibc",
                os == Os::Linux && glibc,
            ),
            ("CONDA_OVERRIDE_LINUX", "linux", "__linux", os == Os::Linux),
            ("CONDA_OVERRIDE_OSX", "macos", "__osx", os == Os::Macos),
            ("CONDA_OVERRIDE_WIN", "windows", "__win", os == Os::Windows),
            ("CONDA_OVERRIDE_CUDA", "cuda", "__cuda", os != Os::Macos),
            ("CONDA_OVERRIDE_ARCHSPEC", "cpu", "__archspec", true),
        ];
        for (var, key, package, applies) in vars {
            let Some(value) = env.var(var) else { continue };
            if !applies {
                continue;
            }
            let value = value.trim();
            if value.is_empty() {
                if key == "cuda" {
                    self.cuda = None;
                } else {
                    self.suppressed_virtual_packages.push(package);
                }
                self.sources
                    .insert(key, format!("{var} (empty: no {package})"));
                continue;
            }
            let bad =
                || {
                    Diagnostic::invalid(format!("{var} is `{value}`, which is not a valid value"))
                        .at(var, value, Span::new(0, value.len()))
                };
            match key {
                "glibc" => {
                    let v = DottedVersion::parse(value, 3)
                        .ok_or_else(|| bad().expected("a glibc version such as 2.28"))?;
                    self.libc = Some(Libc {
                        family: LibcFamily::Glibc,
                        version: v,
                    });
                    self.sources.insert("libc_version", var.to_string());
                }
                "linux" => {
                    // conda keeps the leading `N.N[.N[.N]]` of a kernel release string.
                    let numeric: String = value
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || *c == '.')
                        .collect();
                    self.linux_kernel = Some(
                        DottedVersion::parse(numeric.trim_end_matches('.'), 4)
                            .ok_or_else(|| bad().expected("a kernel version such as 5.14"))?,
                    );
                    self.sources.insert("linux", var.to_string());
                }
                "macos" => {
                    self.macos = Some(
                        DottedVersion::parse(value, 3)
                            .ok_or_else(|| bad().expected("a macOS version such as 14.0"))?,
                    );
                    self.sources.insert("macos", var.to_string());
                }
                "windows" => {
                    self.windows =
                        Some(DottedVersion::parse(value, 4).ok_or_else(|| {
                            bad().expected("a Windows version such as 10.0.22631")
                        })?);
                    self.sources.insert("windows", var.to_string());
                }
                "cuda" => {
                    self.cuda = Some(
                        DottedVersion::parse(value, 3)
                            .ok_or_else(|| bad().expected("a CUDA version such as 12.4"))?,
                    );
                    self.sources.insert("cuda", var.to_string());
                }
                _ => {
                    if !value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                    {
                        return Err(
                            bad().expected("an archspec microarchitecture name such as x86_64_v3")
                        );
                    }
                    self.cpu = value.to_string();
                    self.sources.insert("cpu", var.to_string());
                }
            }
        }
        Ok(())
    }

    /// Applies one `key=value` override.
    fn apply(&mut self, o: &Override, text: &str) -> Result<(), Diagnostic> {
        let expected = OVERRIDE_KEYS
            .iter()
            .find(|(k, _)| *k == o.key)
            .map_or("", |(_, e)| e);
        let bad = || {
            Diagnostic::invalid(format!("invalid value `{}` for `{}`", o.value, o.key))
                .at(SOURCE, text, o.span)
                .expected(expected)
        };
        let os_only = |os: Os, what: &str| -> Result<(), Diagnostic> {
            if self.platform.os == os {
                return Ok(());
            }
            Err(Diagnostic::invalid(format!(
                "`{}=` applies to {what} targets, and this target is {}",
                o.key, self.platform
            ))
            .at(SOURCE, text, o.span))
        };
        match o.key {
            "arch" => {
                let arch = Arch::parse(o.value).ok_or_else(bad)?;
                let platform = Platform {
                    os: self.platform.os,
                    arch,
                };
                if !platform.is_supported() {
                    return Err(Diagnostic::invalid(format!(
                        "{} has no {} platform that unilock supports",
                        self.platform.os.as_str(),
                        arch
                    ))
                    .at(SOURCE, text, o.span)
                    .expected(expected));
                }
                self.platform = platform;
                self.cpu = platform.conda_machine().to_string();
            }
            "python" => self.python = parse_python(o.value).ok_or_else(bad)?,
            "implementation" => {
                self.implementation = match o.value.to_ascii_lowercase().as_str() {
                    "cpython" | "cp" => Implementation::CPython,
                    "pypy" | "pp" => Implementation::PyPy,
                    _ => return Err(bad()),
                }
            }
            "glibc" | "musl" => {
                os_only(Os::Linux, "Linux")?;
                let family = if o.key == "glibc" {
                    LibcFamily::Glibc
                } else {
                    LibcFamily::Musl
                };
                let version = DottedVersion::parse(o.value, 3)
                    .filter(|v| v.0.len() >= 2)
                    .ok_or_else(bad)?;
                if family == LibcFamily::Glibc && version.major() < 2 {
                    return Err(bad());
                }
                self.libc = Some(Libc { family, version });
                self.sources.insert("libc", "override".into());
                self.sources.insert("libc_version", "override".into());
                self.suppressed_virtual_packages.retain(|p| *p != "__glibc");
            }
            "linux" => {
                os_only(Os::Linux, "Linux")?;
                self.linux_kernel = Some(DottedVersion::parse(o.value, 4).ok_or_else(bad)?);
                self.suppressed_virtual_packages.retain(|p| *p != "__linux");
            }
            "cuda" => {
                if o.value.eq_ignore_ascii_case("none") {
                    self.cuda = None;
                } else {
                    os_only_any(self.platform, &[Os::Linux, Os::Windows]).map_err(|_| {
                        Diagnostic::invalid(format!(
                            "CUDA is not available on {} targets",
                            self.platform.os.as_str()
                        ))
                        .at(SOURCE, text, o.span)
                    })?;
                    self.cuda = Some(DottedVersion::parse(o.value, 3).ok_or_else(bad)?);
                }
            }
            "cpu" => {
                let name = archspec::normalize(o.value);
                let valid = archspec::valid_for(self.platform);
                if !valid.contains(&name.as_str()) {
                    let mut d = Diagnostic::invalid(format!(
                        "`{}` is not a {} microarchitecture",
                        o.value, self.platform.arch
                    ))
                    .at(SOURCE, text, o.span)
                    .expected(format!("one of {}", valid.join(", ")));
                    if let Some(s) = did_you_mean(&name, valid.iter().copied()) {
                        d = d.note(format!("did you mean `{s}`?"));
                    }
                    return Err(d);
                }
                self.cpu = name;
                self.suppressed_virtual_packages
                    .retain(|p| *p != "__archspec");
            }
            "macos" => {
                os_only(Os::Macos, "macOS")?;
                self.macos = Some(DottedVersion::parse(o.value, 3).ok_or_else(bad)?);
                self.suppressed_virtual_packages.retain(|p| *p != "__osx");
            }
            _ => {}
        }
        self.sources.insert(
            if o.key == "glibc" || o.key == "musl" {
                "libc_version"
            } else {
                o.key
            },
            "override".into(),
        );
        Ok(())
    }

    /// Checks the combination once every value is in place.
    fn check(&self, text: &str, overrides: &[Override]) -> Result<(), Diagnostic> {
        let span_of = |key: &str| {
            overrides
                .iter()
                .find(|o| o.key == key)
                .map_or(Span::new(0, text.len()), |o| o.span)
        };
        if self.python.free_threaded && self.implementation != Implementation::CPython {
            return Err(Diagnostic::invalid(
                "free-threaded builds (`3.13t`) exist only for CPython",
            )
            .at(SOURCE, text, span_of("implementation")));
        }
        if self.python.free_threaded && self.python.minor < 13 {
            return Err(
                Diagnostic::invalid("free-threaded CPython starts with 3.13").at(
                    SOURCE,
                    text,
                    span_of("python"),
                ),
            );
        }
        if let Some(macos) = &self.macos
            && self.platform.arch == Arch::Aarch64
            && macos.major() < 11
        {
            return Err(Diagnostic::invalid(format!(
                "macOS on arm64 starts with 11.0, not {macos}"
            ))
            .at(SOURCE, text, span_of("macos"))
            .expected("macos=11.0 or newer"));
        }
        if let Some(macos) = &self.macos
            && macos.major() < 10
        {
            return Err(
                Diagnostic::invalid(format!("macOS {macos} is not a macOS version")).at(
                    SOURCE,
                    text,
                    span_of("macos"),
                ),
            );
        }
        Ok(())
    }

    /// The canonical spelling of an override value.
    fn canonical_value(&self, key: &str, given: &str) -> String {
        match key {
            "arch" => self.platform.arch.as_str().to_string(),
            "python" => self.python.to_string(),
            "implementation" => self.implementation.name().to_string(),
            "glibc" | "musl" => self
                .libc
                .as_ref()
                .map_or_else(String::new, |l| l.version.to_string()),
            "linux" => self
                .linux_kernel
                .as_ref()
                .map_or_else(String::new, ToString::to_string),
            "cuda" => self
                .cuda
                .as_ref()
                .map_or_else(|| "none".to_string(), ToString::to_string),
            "cpu" => self.cpu.clone(),
            "macos" => self
                .macos
                .as_ref()
                .map_or_else(String::new, ToString::to_string),
            _ => given.to_string(),
        }
    }
}

fn os_only_any(platform: Platform, oses: &[Os]) -> Result<(), ()> {
    if oses.contains(&platform.os) {
        Ok(())
    } else {
        Err(())
    }
}

/// Parses `3.11`, `3.11.9` or `3.13t`.
fn parse_python(text: &str) -> Option<PythonVersion> {
    let (text, free_threaded) = match text.strip_suffix('t') {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let v = DottedVersion::parse(text, 3)?;
    if v.0.len() < 2 || v.major() != 3 || v.minor() < 3 || v.minor() > 99 {
        return None;
    }
    Some(PythonVersion {
        major: 3,
        minor: v.minor(),
        patch: v.0.get(2).copied(),
        free_threaded,
    })
}

fn unknown_base(text: &str, base: &str, span: Span) -> Diagnostic {
    let candidates = platform::PLATFORM_NAMES.iter().map(|n| n.name).chain(
        PRESETS
            .iter()
            .flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied())),
    );
    let mut d = Diagnostic::invalid(format!("unknown target `{base}`"))
        .at(SOURCE, text, span)
        .expected("a platform or a preset");
    if let Some(s) = did_you_mean(base, candidates) {
        d = d.note(format!("did you mean `{s}`?"));
    }
    let subdirs: Vec<&str> = platform::PLATFORM_NAMES
        .iter()
        .filter(|n| n.kind == platform::NameKind::CondaSubdir)
        .map(|n| n.name)
        .collect();
    let presets: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
    d.note(format!(
        "platforms: {} (also Docker names such as linux/arm64 and Rust triples)",
        subdirs.join(", ")
    ))
    .note(format!("presets: {}", presets.join(", ")))
    .note("run `unilock targets` for every name with its attributes")
}

/// The closest candidate to `input`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(input: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let input = input.to_ascii_lowercase();
    candidates
        .map(|c| (strsim::jaro_winkler(&input, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
