//! Targets: everything below Python that decides what can run.
//!
//! A [`Target`] is an OS and architecture, the C library family and version (Linux), the
//! macOS version, the Python implementation and version, the CUDA driver capability and the CPU
//! microarchitecture. It is written on the command line as a platform or preset followed by
//! `,key=value` overrides (see [`parse`]) and yields, without any I/O:
//!
//! - the PEP 508 marker environment ([`markers`]),
//! - the ordered list of compatible wheel tags, exactly as Python's `packaging.tags` produces it
//!   ([`tags`]),
//! - the conda virtual packages (`__linux`, `__glibc`, `__cuda`, `__archspec`, …) ([`virtual_packages`]).

pub mod archspec;
pub mod key;
pub mod markers;
pub mod parse;
pub mod platform;
pub mod preset;
pub mod tags;
pub mod virtual_packages;

pub use parse::{Environment, NoEnvironment, OVERRIDE_KEYS};
pub use platform::{Arch, LibcFamily, Os, Platform};
pub use preset::{PRESETS, Preset};
pub use virtual_packages::VirtualPackage;

use std::collections::BTreeMap;
use std::fmt;

/// Python version used when a target does not say (`python=` overrides it).
pub const DEFAULT_PYTHON: &str = "3.12";
/// glibc version of a Linux platform named without a preset: the manylinux_2_28 baseline
/// (RHEL 8, Debian 10, Ubuntu 18.10 and newer), as pixi assumes.
pub const DEFAULT_GLIBC: &str = "2.28";
/// musl version of a musl platform named without a preset (the musllinux_1_2 baseline).
pub const DEFAULT_MUSL: &str = "1.2";
/// Linux kernel version (`__linux`) of a platform named without a preset, as pixi assumes.
pub const DEFAULT_LINUX_KERNEL: &str = "4.18";
/// macOS version of a macOS platform named without a preset, as pixi assumes.
pub const DEFAULT_MACOS: &str = "13.0";
/// The PyPy ABI generation (`pp73`) of every PyPy 7.3.x release.
pub const PYPY_ABI: &str = "pp73";

/// A version made of dot-separated numbers (`2.28`, `1.2.5`, `12.4`, `6.8`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DottedVersion(Vec<u32>);

impl DottedVersion {
    /// Parses 1 to `max_parts` dot-separated numbers.
    pub fn parse(text: &str, max_parts: usize) -> Option<Self> {
        let parts: Option<Vec<u32>> = text
            .split('.')
            .map(|p| {
                if p.is_empty() || p.len() > 6 {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect();
        parts
            .filter(|p| !p.is_empty() && p.len() <= max_parts)
            .map(DottedVersion)
    }

    pub fn major(&self) -> u32 {
        self.0.first().copied().unwrap_or(0)
    }

    pub fn minor(&self) -> u32 {
        self.0.get(1).copied().unwrap_or(0)
    }

    /// `major.minor`, with a missing minor as 0.
    pub fn major_minor(&self) -> String {
        format!("{}.{}", self.major(), self.minor())
    }
}

impl fmt::Display for DottedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// A Python implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Implementation {
    CPython,
    PyPy,
}

impl Implementation {
    /// `implementation_name` in PEP 508 markers.
    pub fn name(self) -> &'static str {
        match self {
            Implementation::CPython => "cpython",
            Implementation::PyPy => "pypy",
        }
    }

    /// `platform_python_implementation` in PEP 508 markers.
    pub fn display_name(self) -> &'static str {
        match self {
            Implementation::CPython => "CPython",
            Implementation::PyPy => "PyPy",
        }
    }
}

/// The Python a target runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PythonVersion {
    pub major: u32,
    pub minor: u32,
    /// The patch level when the target names one; markers use `.0` otherwise.
    pub patch: Option<u32>,
    /// A free-threaded (`--disable-gil`) CPython build, written `3.13t`.
    pub free_threaded: bool,
}

impl PythonVersion {
    /// `python_full_version` in PEP 508 markers.
    pub fn full(&self) -> String {
        format!("{}.{}.{}", self.major, self.minor, self.patch.unwrap_or(0))
    }

    /// `major` and `minor` without a dot, as in `cp311`.
    pub fn nodot(&self) -> String {
        format!("{}{}", self.major, self.minor)
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if let Some(p) = self.patch {
            write!(f, ".{p}")?;
        }
        if self.free_threaded {
            f.write_str("t")?;
        }
        Ok(())
    }
}

/// The C library of a Linux target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Libc {
    pub family: LibcFamily,
    pub version: DottedVersion,
}

/// A fully resolved target platform. Build one with [`Target::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The canonical spelling: the base name followed by the overrides that were given.
    pub(crate) spec: String,
    /// The preset this target starts from, if any.
    pub preset: Option<&'static Preset>,
    pub platform: Platform,
    /// Linux only; `None` on other systems.
    pub libc: Option<Libc>,
    /// The kernel version `__linux` reports (Linux only).
    pub linux_kernel: Option<DottedVersion>,
    /// The macOS version (macOS only).
    pub macos: Option<DottedVersion>,
    /// The Windows version `__win` reports, when `CONDA_OVERRIDE_WIN` sets one.
    pub windows: Option<DottedVersion>,
    pub implementation: Implementation,
    pub python: PythonVersion,
    /// The highest CUDA version the target's driver supports; `None` for no NVIDIA GPU.
    pub cuda: Option<DottedVersion>,
    /// The archspec microarchitecture name `__archspec` reports.
    pub cpu: String,
    /// Where each attribute's value came from (`preset centos7`, `override`, `CONDA_OVERRIDE_CUDA`, …).
    pub sources: BTreeMap<&'static str, String>,
    /// Virtual packages a `CONDA_OVERRIDE_*` variable set to the empty string removed, as conda does.
    pub suppressed_virtual_packages: Vec<&'static str>,
}

impl Target {
    /// The canonical target string, e.g. `linux-aarch64,python=3.11,glibc=2.28`.
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// The same target running `python`, decided by `source` (`the conda solve`); its
    /// spelling is unchanged.
    pub fn with_python(&self, python: PythonVersion, source: &str) -> Target {
        let mut t = self.clone();
        t.python = python;
        t.sources.insert("python", source.to_string());
        t
    }

    /// The x86-64 psABI level (1–4) of the target CPU, for x86-64 targets.
    pub fn x86_64_level(&self) -> Option<u8> {
        archspec::x86_64_level(&self.cpu)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spec)
    }
}

#[cfg(test)]
mod tests;
