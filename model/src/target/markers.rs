//! The PEP 508 marker environment of a target.
//!
//! Values are what Python reports on such a machine: `sys_platform` `linux`/`darwin`/`win32`,
//! `platform_machine` as `platform.machine()` spells it (`aarch64`, `arm64` on macOS, `AMD64` on
//! Windows), `platform_release` the kernel release (Linux: the target's kernel; macOS: the Darwin
//! release of that macOS; Windows: `10`). `platform_version` depends on the exact kernel build and
//! is left empty. `python_full_version` is `X.Y.0` unless the target names a patch level.

use super::platform::Os;
use super::{Implementation, Target};
use std::collections::BTreeMap;

impl Target {
    /// Every PEP 508 environment variable and its value on this target.
    pub fn marker_values(&self) -> BTreeMap<&'static str, String> {
        let os = self.platform.os;
        let python_full = self.python.full();
        let implementation_version = match self.implementation {
            Implementation::CPython => python_full.clone(),
            // PyPy reports its own version; every supported PyPy is 7.3.x.
            Implementation::PyPy => "7.3.0".to_string(),
        };
        let release = match os {
            Os::Linux => self
                .linux_kernel
                .as_ref()
                .map_or_else(String::new, ToString::to_string),
            Os::Macos => self.macos.as_ref().map_or_else(String::new, |v| {
                // Darwin 20 is macOS 11; before that, Darwin N is macOS 10.(N-4).
                let (darwin, minor) = if v.major() >= 11 {
                    (v.major() + 9, v.minor())
                } else {
                    (v.minor() + 4, 0)
                };
                format!("{darwin}.{minor}.0")
            }),
            Os::Windows => "10".to_string(),
        };
        let (os_name, sys_platform, system) = match os {
            Os::Linux => ("posix", "linux", "Linux"),
            Os::Macos => ("posix", "darwin", "Darwin"),
            Os::Windows => ("nt", "win32", "Windows"),
        };
        BTreeMap::from([
            (
                "implementation_name",
                self.implementation.name().to_string(),
            ),
            ("implementation_version", implementation_version),
            ("os_name", os_name.to_string()),
            ("platform_machine", self.platform.machine().to_string()),
            (
                "platform_python_implementation",
                self.implementation.display_name().to_string(),
            ),
            ("platform_release", release),
            ("platform_system", system.to_string()),
            ("platform_version", String::new()),
            ("python_full_version", python_full),
            (
                "python_version",
                format!("{}.{}", self.python.major, self.python.minor),
            ),
            ("sys_platform", sys_platform.to_string()),
        ])
    }

    /// The marker environment as `pep508_rs` evaluates markers against it.
    pub fn marker_environment(&self) -> pep508_rs::MarkerEnvironment {
        let mut values = self.marker_values();
        if let Ok(env) = build_environment(&values) {
            return env;
        }
        // Every version above is built from numbers, so it always parses; fall back to a
        // minimal environment rather than panic if that ever changes.
        for key in ["implementation_version", "python_full_version"] {
            values.insert(key, "3.0.0".to_string());
        }
        values.insert("python_version", "3.0".to_string());
        build_environment(&values).unwrap_or_else(|_| unreachable!("constant versions parse"))
    }
}

fn build_environment(
    v: &BTreeMap<&'static str, String>,
) -> Result<pep508_rs::MarkerEnvironment, pep508_rs::pep440_rs::VersionParseError> {
    let get = |k: &str| v.get(k).map_or("", String::as_str);
    pep508_rs::MarkerEnvironment::try_from(pep508_rs::MarkerEnvironmentBuilder {
        implementation_name: get("implementation_name"),
        implementation_version: get("implementation_version"),
        os_name: get("os_name"),
        platform_machine: get("platform_machine"),
        platform_python_implementation: get("platform_python_implementation"),
        platform_release: get("platform_release"),
        platform_system: get("platform_system"),
        platform_version: get("platform_version"),
        python_full_version: get("python_full_version"),
        python_version: get("python_version"),
        sys_platform: get("sys_platform"),
    })
}
