//! Operating systems, CPU architectures and the names platforms go by.
//!
//! One [`Platform`] (an OS and an architecture) has several spellings: a conda subdir
//! (`linux-aarch64`), a Docker platform (`linux/arm64`), a Rust target triple
//! (`aarch64-unknown-linux-gnu`). This module maps every spelling unilock accepts to the
//! platform and, for the spellings that say it, the C library family.

use serde::Serialize;
use std::fmt;

/// An operating system family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    Linux,
    Macos,
    Windows,
}

impl Os {
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::Macos => "macos",
            Os::Windows => "windows",
        }
    }
}

/// A CPU architecture, named as Linux's `uname -m` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arch {
    X86_64,
    Aarch64,
    Ppc64le,
    S390x,
    I686,
    Armv7l,
    Riscv64,
}

impl Arch {
    /// Every architecture, in the order `unilock targets` lists them.
    pub const ALL: [Arch; 7] = [
        Arch::X86_64,
        Arch::Aarch64,
        Arch::Ppc64le,
        Arch::S390x,
        Arch::I686,
        Arch::Armv7l,
        Arch::Riscv64,
    ];

    /// The `uname -m` name, also used in Linux wheel tags (`manylinux_2_28_aarch64`).
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::Ppc64le => "ppc64le",
            Arch::S390x => "s390x",
            Arch::I686 => "i686",
            Arch::Armv7l => "armv7l",
            Arch::Riscv64 => "riscv64",
        }
    }

    /// Parses an architecture name, accepting the common aliases (`amd64`, `arm64`, `x64`).
    pub fn parse(name: &str) -> Option<Arch> {
        Some(match name.to_ascii_lowercase().as_str() {
            "x86_64" | "x86-64" | "amd64" | "x64" => Arch::X86_64,
            "aarch64" | "arm64" | "armv8" => Arch::Aarch64,
            "ppc64le" | "powerpc64le" => Arch::Ppc64le,
            "s390x" => Arch::S390x,
            "i686" | "i386" | "x86" | "386" => Arch::I686,
            "armv7l" | "armv7" | "armhf" => Arch::Armv7l,
            "riscv64" | "riscv64gc" => Arch::Riscv64,
            _ => return None,
        })
    }

    /// The archspec family this architecture belongs to (the root of archspec's tree).
    pub fn archspec_family(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::Ppc64le => "ppc64le",
            Arch::S390x => "s390x",
            Arch::I686 => "x86",
            Arch::Armv7l => "arm",
            Arch::Riscv64 => "riscv64",
        }
    }
}

impl Serialize for Arch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The C library family of a Linux target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LibcFamily {
    Glibc,
    Musl,
}

impl LibcFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            LibcFamily::Glibc => "glibc",
            LibcFamily::Musl => "musl",
        }
    }
}

/// An operating system on an architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    pub os: Os,
    pub arch: Arch,
}

/// One accepted spelling of a platform.
#[derive(Debug, Clone, Copy)]
pub struct PlatformName {
    pub name: &'static str,
    pub platform: Platform,
    /// The C library family the name implies (`-musl` triples); `None` when it says nothing.
    pub libc: Option<LibcFamily>,
    pub kind: NameKind,
}

/// Which naming scheme a platform spelling belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameKind {
    CondaSubdir,
    Docker,
    RustTriple,
}

const fn p(os: Os, arch: Arch) -> Platform {
    Platform { os, arch }
}

const fn n(
    name: &'static str,
    platform: Platform,
    libc: Option<LibcFamily>,
    kind: NameKind,
) -> PlatformName {
    PlatformName {
        name,
        platform,
        libc,
        kind,
    }
}

use Arch::*;
use LibcFamily::{Glibc, Musl};
use NameKind::*;
use Os::{Linux, Macos, Windows};

/// Every platform spelling unilock accepts, conda subdirs first.
pub const PLATFORM_NAMES: &[PlatformName] = &[
    n("linux-64", p(Linux, X86_64), None, CondaSubdir),
    n("linux-aarch64", p(Linux, Aarch64), None, CondaSubdir),
    n("linux-ppc64le", p(Linux, Ppc64le), None, CondaSubdir),
    n("linux-s390x", p(Linux, S390x), None, CondaSubdir),
    n("linux-32", p(Linux, I686), None, CondaSubdir),
    n("linux-armv7l", p(Linux, Armv7l), None, CondaSubdir),
    n("linux-riscv64", p(Linux, Riscv64), None, CondaSubdir),
    n("osx-64", p(Macos, X86_64), None, CondaSubdir),
    n("osx-arm64", p(Macos, Aarch64), None, CondaSubdir),
    n("win-64", p(Windows, X86_64), None, CondaSubdir),
    n("win-arm64", p(Windows, Aarch64), None, CondaSubdir),
    n("linux/amd64", p(Linux, X86_64), None, Docker),
    n("linux/arm64", p(Linux, Aarch64), None, Docker),
    n("linux/arm64/v8", p(Linux, Aarch64), None, Docker),
    n("linux/ppc64le", p(Linux, Ppc64le), None, Docker),
    n("linux/s390x", p(Linux, S390x), None, Docker),
    n("linux/386", p(Linux, I686), None, Docker),
    n("linux/arm/v7", p(Linux, Armv7l), None, Docker),
    n("linux/riscv64", p(Linux, Riscv64), None, Docker),
    n("windows/amd64", p(Windows, X86_64), None, Docker),
    n("windows/arm64", p(Windows, Aarch64), None, Docker),
    n(
        "x86_64-unknown-linux-gnu",
        p(Linux, X86_64),
        Some(Glibc),
        RustTriple,
    ),
    n(
        "x86_64-unknown-linux-musl",
        p(Linux, X86_64),
        Some(Musl),
        RustTriple,
    ),
    n(
        "aarch64-unknown-linux-gnu",
        p(Linux, Aarch64),
        Some(Glibc),
        RustTriple,
    ),
    n(
        "aarch64-unknown-linux-musl",
        p(Linux, Aarch64),
        Some(Musl),
        RustTriple,
    ),
    n(
        "powerpc64le-unknown-linux-gnu",
        p(Linux, Ppc64le),
        Some(Glibc),
        RustTriple,
    ),
    n(
        "s390x-unknown-linux-gnu",
        p(Linux, S390x),
        Some(Glibc),
        RustTriple,
    ),
    n(
        "i686-unknown-linux-gnu",
        p(Linux, I686),
        Some(Glibc),
        RustTriple,
    ),
    n(
        "i686-unknown-linux-musl",
        p(Linux, I686),
        Some(Musl),
        RustTriple,
    ),
    n(
        "armv7-unknown-linux-gnueabihf",
        p(Linux, Armv7l),
        Some(Glibc),
        RustTriple,
    ),
    n(
        "armv7-unknown-linux-musleabihf",
        p(Linux, Armv7l),
        Some(Musl),
        RustTriple,
    ),
    n(
        "riscv64gc-unknown-linux-gnu",
        p(Linux, Riscv64),
        Some(Glibc),
        RustTriple,
    ),
    n("x86_64-apple-darwin", p(Macos, X86_64), None, RustTriple),
    n("aarch64-apple-darwin", p(Macos, Aarch64), None, RustTriple),
    n(
        "x86_64-pc-windows-msvc",
        p(Windows, X86_64),
        None,
        RustTriple,
    ),
    n(
        "aarch64-pc-windows-msvc",
        p(Windows, Aarch64),
        None,
        RustTriple,
    ),
];

impl Platform {
    /// Looks up any accepted spelling, case-insensitively.
    pub fn lookup(name: &str) -> Option<&'static PlatformName> {
        PLATFORM_NAMES
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Is this combination of OS and architecture one unilock supports?
    pub fn is_supported(self) -> bool {
        PLATFORM_NAMES
            .iter()
            .any(|n| n.kind == CondaSubdir && n.platform == self)
    }

    /// The conda subdir (`linux-64`, `osx-arm64`, `win-64`, …).
    pub fn conda_subdir(self) -> &'static str {
        PLATFORM_NAMES
            .iter()
            .find(|n| n.kind == CondaSubdir && n.platform == self)
            .map_or("unknown", |n| n.name)
    }

    /// The Docker platform (`linux/amd64`), where Docker has one.
    pub fn docker(self) -> Option<&'static str> {
        PLATFORM_NAMES
            .iter()
            .find(|n| n.kind == Docker && n.platform == self)
            .map(|n| n.name)
    }

    /// The architecture as it appears in wheel platform tags and `platform.machine()` on this OS.
    pub fn machine(self) -> &'static str {
        match (self.os, self.arch) {
            (Os::Macos, Aarch64) => "arm64",
            (Os::Windows, X86_64) => "AMD64",
            (Os::Windows, Aarch64) => "ARM64",
            (Os::Windows, I686) => "x86",
            (_, arch) => arch.as_str(),
        }
    }

    /// The architecture name conda uses for this subdir when it cannot ask the CPU (the build
    /// string of `__archspec` on a machine other than the one conda runs on).
    pub fn conda_machine(self) -> &'static str {
        match (self.os, self.arch) {
            (Os::Macos, Aarch64) | (Os::Windows, Aarch64) => "arm64",
            (_, I686) => "x86",
            (_, arch) => arch.as_str(),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.conda_subdir())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_names_a_supported_platform() {
        for name in PLATFORM_NAMES {
            assert!(name.platform.is_supported(), "{}", name.name);
            assert_eq!(
                Platform::lookup(&name.name.to_uppercase()).map(|n| n.platform),
                Some(name.platform)
            );
        }
    }

    #[test]
    fn spellings_of_one_platform_agree() {
        let subdir = Platform::lookup("linux-aarch64").unwrap().platform;
        assert_eq!(Platform::lookup("linux/arm64").unwrap().platform, subdir);
        assert_eq!(
            Platform::lookup("aarch64-unknown-linux-gnu")
                .unwrap()
                .platform,
            subdir
        );
        assert_eq!(subdir.docker(), Some("linux/arm64"));
        assert_eq!(
            Platform::lookup("aarch64-apple-darwin")
                .unwrap()
                .platform
                .conda_subdir(),
            "osx-arm64"
        );
    }
}
