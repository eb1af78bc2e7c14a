//! The conda virtual packages of a target (CEP 30): what conda would report on such a machine.
//!
//! `__unix` (Linux, macOS), `__linux` (kernel), `__glibc` (glibc targets only; musl targets
//! have no libc virtual package, so conda-forge builds that need `__glibc` are refused there),
//! `__osx`, `__win`, `__cuda` (when the target has a CUDA driver) and `__archspec` (version `1`,
//! build the microarchitecture). Every version has build `0` except `__archspec`. A
//! `CONDA_OVERRIDE_*` variable set to the empty string removes its package, as in conda.

use super::Target;
use super::platform::{LibcFamily, Os};
use serde::Serialize;

/// One virtual package: `__name=version=build`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct VirtualPackage {
    pub name: String,
    pub version: String,
    pub build: String,
}

impl Target {
    /// The virtual packages of this target, sorted by name.
    pub fn virtual_packages(&self) -> Vec<VirtualPackage> {
        let mut out = Vec::new();
        let mut add = |name: &str, version: String, build: &str| {
            if !self.suppressed_virtual_packages.contains(&name) {
                out.push(VirtualPackage {
                    name: name.to_string(),
                    version,
                    build: build.to_string(),
                });
            }
        };
        match self.platform.os {
            Os::Linux => {
                add("__unix", "0".into(), "0");
                add(
                    "__linux",
                    self.linux_kernel
                        .as_ref()
                        .map_or_else(|| "0".into(), ToString::to_string),
                    "0",
                );
                if let Some(libc) = self.libc.as_ref().filter(|l| l.family == LibcFamily::Glibc) {
                    add("__glibc", libc.version.to_string(), "0");
                }
            }
            Os::Macos => {
                add("__unix", "0".into(), "0");
                add(
                    "__osx",
                    self.macos
                        .as_ref()
                        .map_or_else(|| "0".into(), ToString::to_string),
                    "0",
                );
            }
            Os::Windows => add(
                "__win",
                self.windows
                    .as_ref()
                    .map_or_else(|| "0".into(), ToString::to_string),
                "0",
            ),
        }
        if let Some(cuda) = &self.cuda {
            add("__cuda", cuda.to_string(), "0");
        }
        add("__archspec", "1".into(), &self.cpu);
        out.sort();
        out
    }
}
