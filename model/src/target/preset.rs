//! Named targets: the operating systems and build images environments are shipped to.
//!
//! Each preset records the real C library and kernel its release ships (for Linux) or its
//! version (for macOS). A container's kernel is the host's, so the kernel version is the one
//! the distribution itself ships and only feeds the conda `__linux` virtual package; override it
//! with `linux=` when the host differs.

use super::platform::{Arch, LibcFamily, Os};
use serde::Serialize;

/// A named target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Preset {
    pub name: &'static str,
    /// Other names that select this preset.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub aliases: &'static [&'static str],
    pub description: &'static str,
    pub os: Os,
    pub arch: Arch,
    /// C library family and version (Linux only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub libc: Option<(LibcFamily, &'static str)>,
    /// Kernel version the release ships (Linux only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linux_kernel: Option<&'static str>,
    /// macOS version (macOS only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub macos: Option<&'static str>,
}

const fn linux(
    name: &'static str,
    aliases: &'static [&'static str],
    description: &'static str,
    libc: (LibcFamily, &'static str),
    kernel: &'static str,
) -> Preset {
    Preset {
        name,
        aliases,
        description,
        os: Os::Linux,
        arch: Arch::X86_64,
        libc: Some(libc),
        linux_kernel: Some(kernel),
        macos: None,
    }
}

const fn macos(
    name: &'static str,
    aliases: &'static [&'static str],
    description: &'static str,
    arch: Arch,
    version: &'static str,
) -> Preset {
    Preset {
        name,
        aliases,
        description,
        os: Os::Macos,
        arch,
        libc: None,
        linux_kernel: None,
        macos: Some(version),
    }
}

const fn windows(
    name: &'static str,
    aliases: &'static [&'static str],
    description: &'static str,
    arch: Arch,
) -> Preset {
    Preset {
        name,
        aliases,
        description,
        os: Os::Windows,
        arch,
        libc: None,
        linux_kernel: None,
        macos: None,
    }
}

use LibcFamily::{Glibc, Musl};

/// Every preset, in the order `unilock targets` lists them.
pub const PRESETS: &[Preset] = &[
    linux(
        "centos7",
        &["rhel7"],
        "CentOS / RHEL 7",
        (Glibc, "2.17"),
        "3.10",
    ),
    linux(
        "rhel8",
        &["almalinux8", "rockylinux8", "centos8"],
        "RHEL 8 and rebuilds",
        (Glibc, "2.28"),
        "4.18",
    ),
    linux(
        "rhel9",
        &["almalinux9", "rockylinux9"],
        "RHEL 9 and rebuilds",
        (Glibc, "2.34"),
        "5.14",
    ),
    linux(
        "rhel10",
        &["almalinux10"],
        "RHEL 10 and rebuilds",
        (Glibc, "2.39"),
        "6.12",
    ),
    linux(
        "debian10",
        &["buster"],
        "Debian 10 (buster)",
        (Glibc, "2.28"),
        "4.19",
    ),
    linux(
        "debian11",
        &["bullseye"],
        "Debian 11 (bullseye)",
        (Glibc, "2.31"),
        "5.10",
    ),
    linux(
        "debian12",
        &["bookworm"],
        "Debian 12 (bookworm)",
        (Glibc, "2.36"),
        "6.1",
    ),
    linux(
        "debian13",
        &["trixie"],
        "Debian 13 (trixie)",
        (Glibc, "2.41"),
        "6.12",
    ),
    linux(
        "ubuntu18.04",
        &["bionic"],
        "Ubuntu 18.04 LTS",
        (Glibc, "2.27"),
        "4.15",
    ),
    linux(
        "ubuntu20.04",
        &["focal"],
        "Ubuntu 20.04 LTS",
        (Glibc, "2.31"),
        "5.4",
    ),
    linux(
        "ubuntu22.04",
        &["jammy"],
        "Ubuntu 22.04 LTS",
        (Glibc, "2.35"),
        "5.15",
    ),
    linux(
        "ubuntu24.04",
        &["noble"],
        "Ubuntu 24.04 LTS",
        (Glibc, "2.39"),
        "6.8",
    ),
    linux(
        "amazonlinux2",
        &["al2"],
        "Amazon Linux 2",
        (Glibc, "2.26"),
        "4.14",
    ),
    linux(
        "amazonlinux2023",
        &["al2023"],
        "Amazon Linux 2023",
        (Glibc, "2.34"),
        "6.1",
    ),
    linux(
        "alpine3.19",
        &[],
        "Alpine Linux 3.19",
        (Musl, "1.2.4"),
        "6.6",
    ),
    linux(
        "alpine3.20",
        &[],
        "Alpine Linux 3.20",
        (Musl, "1.2.5"),
        "6.6",
    ),
    linux(
        "alpine3.21",
        &[],
        "Alpine Linux 3.21",
        (Musl, "1.2.5"),
        "6.12",
    ),
    linux(
        "alpine3.22",
        &[],
        "Alpine Linux 3.22",
        (Musl, "1.2.5"),
        "6.12",
    ),
    linux(
        "manylinux2014",
        &["manylinux_2_17"],
        "manylinux2014 build image (CentOS 7)",
        (Glibc, "2.17"),
        "3.10",
    ),
    linux(
        "manylinux_2_28",
        &[],
        "manylinux_2_28 build image (AlmaLinux 8)",
        (Glibc, "2.28"),
        "4.18",
    ),
    linux(
        "manylinux_2_34",
        &[],
        "manylinux_2_34 build image (AlmaLinux 9)",
        (Glibc, "2.34"),
        "5.14",
    ),
    linux(
        "musllinux_1_2",
        &[],
        "musllinux_1_2 build image (Alpine)",
        (Musl, "1.2"),
        "6.6",
    ),
    macos(
        "macos13",
        &["macos13-arm64", "ventura"],
        "macOS 13 Ventura, Apple silicon",
        Arch::Aarch64,
        "13.0",
    ),
    macos(
        "macos13-x86_64",
        &["macos13-intel"],
        "macOS 13 Ventura, Intel",
        Arch::X86_64,
        "13.0",
    ),
    macos(
        "macos14",
        &["macos14-arm64", "sonoma"],
        "macOS 14 Sonoma, Apple silicon",
        Arch::Aarch64,
        "14.0",
    ),
    macos(
        "macos14-x86_64",
        &["macos14-intel"],
        "macOS 14 Sonoma, Intel",
        Arch::X86_64,
        "14.0",
    ),
    macos(
        "macos15",
        &["macos15-arm64", "sequoia"],
        "macOS 15 Sequoia, Apple silicon",
        Arch::Aarch64,
        "15.0",
    ),
    macos(
        "macos15-x86_64",
        &["macos15-intel"],
        "macOS 15 Sequoia, Intel",
        Arch::X86_64,
        "15.0",
    ),
    macos(
        "macos26",
        &["macos26-arm64", "tahoe"],
        "macOS 26 Tahoe, Apple silicon",
        Arch::Aarch64,
        "26.0",
    ),
    macos(
        "macos26-x86_64",
        &["macos26-intel"],
        "macOS 26 Tahoe, Intel",
        Arch::X86_64,
        "26.0",
    ),
    windows(
        "windows",
        &["windows-x86_64", "windows-amd64"],
        "Windows 10/11, Server 2016+, x64",
        Arch::X86_64,
    ),
    windows("windows-arm64", &[], "Windows 11 on Arm", Arch::Aarch64),
];

impl Preset {
    /// Looks a preset up by name or alias, case-insensitively.
    pub fn lookup(name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| {
            p.name.eq_ignore_ascii_case(name)
                || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::platform::Platform;

    #[test]
    fn names_and_aliases_are_unique_and_distinct_from_platforms() {
        let mut seen = std::collections::BTreeSet::new();
        for p in PRESETS {
            for name in std::iter::once(&p.name).chain(p.aliases) {
                assert!(
                    seen.insert(name.to_ascii_lowercase()),
                    "duplicate preset name {name}"
                );
                assert!(
                    Platform::lookup(name).is_none(),
                    "{name} is also a platform"
                );
            }
        }
    }

    #[test]
    fn each_preset_has_the_facts_of_its_os() {
        for p in PRESETS {
            assert_eq!(p.libc.is_some(), p.os == Os::Linux, "{}", p.name);
            assert_eq!(p.linux_kernel.is_some(), p.os == Os::Linux, "{}", p.name);
            assert_eq!(p.macos.is_some(), p.os == Os::Macos, "{}", p.name);
        }
    }
}
