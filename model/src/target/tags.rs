//! Wheel tags: which built distributions run on a target, best first.
//!
//! The order is exactly the one Python's `packaging.tags.sys_tags()` (packaging 26.3) yields
//! on a machine matching the target; `corpus/wheel-tags/reference.json` records that order for
//! a range of targets and the tests compare against it. In short:
//!
//! - platforms: on Linux the native `linux_<arch>` tag, then `manylinux_2_N` from the target's
//!   glibc down to 2.5 (x86-64, i686) or 2.17 (others), each PEP 600 tag followed by its legacy
//!   alias (`manylinux2014`, `manylinux2010`, `manylinux1`); on musl `musllinux_1_N` down to
//!   `1_0`; on macOS every release back to 10.0 (x86-64) or 11.0 with `universal2` back to 10.4
//!   (arm64), each with its fat/universal formats; on Windows `win_amd64` / `win_arm64`;
//! - interpreters: `cpXY-cpXY`, then `abi3` (or `abi3t` when free-threaded), then `none`, then
//!   `abi3` of every older minor down to 3.2; PyPy uses `ppXY-pypyXY_pp73` and `none`;
//! - then `pyXY-none-<platform>` for every Python version down to `py30`, then
//!   `cpXY-none-any` (`pp3-none-any`), then `pyXY-none-any`.

use super::platform::{Arch, LibcFamily, Os};
use super::{Implementation, PYPY_ABI, Target};

impl Target {
    /// The platform part of every compatible tag, best first.
    pub fn platform_tags(&self) -> Vec<String> {
        let machine = self.platform.machine();
        match self.platform.os {
            Os::Linux => {
                let arch = self.platform.arch;
                let mut tags = vec![format!("linux_{}", arch.as_str())];
                match &self.libc {
                    Some(libc) if libc.family == LibcFamily::Glibc => {
                        manylinux(arch, libc.version.major(), libc.version.minor(), &mut tags)
                    }
                    Some(libc) => {
                        for minor in (0..=libc.version.minor()).rev() {
                            tags.push(format!(
                                "musllinux_{}_{minor}_{}",
                                libc.version.major(),
                                arch.as_str()
                            ));
                        }
                    }
                    None => {}
                }
                tags
            }
            Os::Macos => {
                let (major, minor) = self
                    .macos
                    .as_ref()
                    .map_or((0, 0), |v| (v.major(), v.minor()));
                macos(major, minor, machine)
            }
            Os::Windows => vec![match self.platform.arch {
                Arch::Aarch64 => "win_arm64".to_string(),
                Arch::I686 => "win32".to_string(),
                _ => "win_amd64".to_string(),
            }],
        }
    }

    /// Every compatible wheel tag as `interpreter-abi-platform`, best first.
    pub fn wheel_tags(&self) -> Vec<String> {
        let platforms = self.platform_tags();
        let py = &self.python;
        let mut tags = Vec::new();
        let interpreter;
        match self.implementation {
            Implementation::CPython => {
                interpreter = format!("cp{}", py.nodot());
                let abi = if py.free_threaded {
                    format!("cp{}t", py.nodot())
                } else if py.minor < 8 {
                    // CPython before 3.8 marks pymalloc builds (the default) with `m`.
                    format!("cp{}m", py.nodot())
                } else {
                    format!("cp{}", py.nodot())
                };
                let stable = if py.free_threaded { "abi3t" } else { "abi3" };
                let stable_applies = py.minor >= 2;
                for plat in &platforms {
                    tags.push(format!("{interpreter}-{abi}-{plat}"));
                }
                if stable_applies {
                    for plat in &platforms {
                        tags.push(format!("{interpreter}-{stable}-{plat}"));
                    }
                }
                for plat in &platforms {
                    tags.push(format!("{interpreter}-none-{plat}"));
                }
                if stable_applies {
                    for minor in (2..py.minor).rev() {
                        for plat in &platforms {
                            tags.push(format!("cp{}{minor}-{stable}-{plat}", py.major));
                        }
                    }
                }
            }
            Implementation::PyPy => {
                let pp = format!("pp{}", py.nodot());
                for abi in [format!("pypy{}_{PYPY_ABI}", py.nodot()), "none".to_string()] {
                    for plat in &platforms {
                        tags.push(format!("{pp}-{abi}-{plat}"));
                    }
                }
                interpreter = format!("pp{}", py.major);
            }
        }
        let versions = python_range(py.major, py.minor);
        for version in &versions {
            for plat in &platforms {
                tags.push(format!("{version}-none-{plat}"));
            }
        }
        tags.push(format!("{interpreter}-none-any"));
        for version in &versions {
            tags.push(format!("{version}-none-any"));
        }
        tags
    }
}

/// `pyXY`, `pyX`, then every older minor down to `pyX0`.
fn python_range(major: u32, minor: u32) -> Vec<String> {
    let mut out = vec![format!("py{major}{minor}"), format!("py{major}")];
    out.extend((0..minor).rev().map(|m| format!("py{major}{m}")));
    out
}

/// manylinux tags from glibc `major.minor` down to the architecture's floor.
fn manylinux(arch: Arch, major: u32, minor: u32, tags: &mut Vec<String>) {
    // The oldest glibc with a manylinux tag: 2.5 on x86, 2.17 elsewhere (exclusive bounds).
    let (floor_major, floor_minor) = if matches!(arch, Arch::X86_64 | Arch::I686) {
        (2, 4)
    } else {
        (2, 16)
    };
    // glibc promises compatibility across major versions; older majors count as ending at .50.
    let mut maxima = vec![(major, minor)];
    maxima.extend((2..major).rev().map(|m| (m, 50)));
    for (max_major, max_minor) in maxima {
        let low = if max_major == floor_major {
            i64::from(floor_minor)
        } else {
            -1
        };
        let mut m = i64::from(max_minor);
        while m > low {
            tags.push(format!("manylinux_{max_major}_{m}_{}", arch.as_str()));
            let legacy = match (max_major, m) {
                (2, 17) => Some("manylinux2014"),
                (2, 12) => Some("manylinux2010"),
                (2, 5) => Some("manylinux1"),
                _ => None,
            };
            if let Some(legacy) = legacy {
                tags.push(format!("{legacy}_{}", arch.as_str()));
            }
            m -= 1;
        }
    }
}

/// The binary formats a macOS release runs for `arch`.
fn mac_formats(major: u32, minor: u32, arch: &str) -> Vec<&'static str> {
    let mut formats: Vec<&'static str> = Vec::new();
    match arch {
        "x86_64" => {
            if (major, minor) < (10, 4) {
                return formats;
            }
            formats.extend([
                "x86_64",
                "intel",
                "fat64",
                "fat3",
                "universal2",
                "universal",
            ]);
        }
        _ => formats.extend(["arm64", "universal2"]),
    }
    formats
}

/// macOS platform tags for macOS `major.minor` on `arch` (`x86_64` or `arm64`).
fn macos(major: u32, minor: u32, arch: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut push = |maj: u32, min: u32, formats: Vec<&str>| {
        for f in formats {
            tags.push(format!("macosx_{maj}_{min}_{f}"));
        }
    };
    if major == 10 {
        for m in (0..=minor).rev() {
            push(10, m, mac_formats(10, m, arch));
        }
    }
    if major >= 11 {
        for maj in (11..=major).rev() {
            push(maj, 0, mac_formats(maj, 0, arch));
        }
        for m in (4..=16).rev() {
            if arch == "x86_64" {
                push(10, m, mac_formats(10, m, arch));
            } else {
                push(10, m, vec!["universal2"]);
            }
        }
    }
    tags
}
