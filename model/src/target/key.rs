//! A target's identity by meaning: [`Target::key`].
//!
//! The spelling a user types (`linux/amd64`, `linux-64`, `x86_64-unknown-linux-gnu`, with or
//! without `python=3.12` when 3.12 is the default) is kept as the target's name; two spellings
//! whose parsed targets decide every fact alike — platform, C library and its version, kernel,
//! macOS and Windows versions, Python implementation and version, CUDA driver, CPU, the virtual
//! packages a `CONDA_OVERRIDE_*` variable removed — are one target. The lock records the key
//! beside the name, and `resolve`, `export --target` and `--drop-target` compare keys. A preset
//! is not part of the key: `centos7` and the platform with centos7's settings resolve alike
//! (the preset's base image matters only to `unilock check`).

use super::Target;

impl Target {
    /// The canonical key of what this target means, every attribute spelled out in a fixed
    /// order: `linux-64,glibc=2.28,linux=4.18,implementation=cpython,python=3.12,cuda=none,cpu=x86_64`.
    pub fn key(&self) -> String {
        let mut key = self.platform.conda_subdir().to_string();
        if let Some(libc) = &self.libc {
            key.push_str(&format!(",{}={}", libc.family.as_str(), libc.version));
        }
        if let Some(v) = &self.linux_kernel {
            key.push_str(&format!(",linux={v}"));
        }
        if let Some(v) = &self.macos {
            key.push_str(&format!(",macos={v}"));
        }
        if let Some(v) = &self.windows {
            key.push_str(&format!(",windows={v}"));
        }
        key.push_str(&format!(
            ",implementation={},python={}",
            self.implementation.name(),
            self.python
        ));
        match &self.cuda {
            Some(v) => key.push_str(&format!(",cuda={v}")),
            None => key.push_str(",cuda=none"),
        }
        key.push_str(&format!(",cpu={}", self.cpu));
        let mut suppressed: Vec<&str> = self.suppressed_virtual_packages.clone();
        suppressed.sort_unstable();
        suppressed.dedup();
        for p in suppressed {
            key.push_str(&format!(",without={p}"));
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use crate::target::{NoEnvironment, Target};

    fn key(spec: &str) -> String {
        Target::parse(spec, &NoEnvironment).unwrap().key()
    }

    #[test]
    fn spellings_of_one_platform_are_one_target() {
        let k = key("linux-64");
        assert_eq!(k, key("linux/amd64"));
        assert_eq!(k, key("linux/amd64,python=3.12"));
        assert_eq!(k, key("x86_64-unknown-linux-gnu"));
        assert_eq!(k, key("LINUX-64,glibc=2.28"));
        assert_eq!(
            key("linux-aarch64,python=3.11"),
            key("linux/arm64,python=3.11")
        );
        assert_eq!(
            k,
            "linux-64,glibc=2.28,linux=4.18,implementation=cpython,python=3.12,cuda=none,cpu=x86_64"
        );
    }

    #[test]
    fn any_setting_that_differs_is_another_target() {
        let k = key("linux-64");
        for other in [
            "linux-aarch64",
            "linux-64,python=3.11",
            "linux-64,glibc=2.17",
            "x86_64-unknown-linux-musl",
            "linux-64,cuda=12.4",
            "linux-64,cpu=x86_64_v3",
            "linux-64,python=3.13t",
            "linux-64,implementation=pypy",
        ] {
            assert_ne!(k, key(other), "{other}");
        }
        assert_ne!(key("osx-arm64"), key("osx-arm64,macos=14.0"));
    }

    #[test]
    fn conda_overrides_are_part_of_the_meaning() {
        let env = |name: &str| (name == "CONDA_OVERRIDE_CUDA").then(|| "12.2".to_string());
        let with = Target::parse("linux-64", &env).unwrap();
        assert_ne!(with.key(), key("linux-64"));
        assert_eq!(with.key(), key("linux-64,cuda=12.2"));
    }
}
