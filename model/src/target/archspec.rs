//! CPU microarchitectures, named as archspec (and so conda's `__archspec`) names them.
//!
//! The table itself is generated from archspec's data by `scripts/gen-archspec-table.sh`.

#[allow(clippy::all)]
mod table {
    include!("archspec_table.rs");
}

pub use table::{MICROARCHITECTURES, Microarchitecture};

use super::platform::Platform;

/// The microarchitecture named `name`, if archspec knows it.
pub fn lookup(name: &str) -> Option<&'static Microarchitecture> {
    MICROARCHITECTURES.iter().find(|m| m.name == name)
}

/// Normalises the spellings people use for x86-64 levels (`x86-64-v3`, `X86_64_V3`) to archspec's.
pub fn normalize(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('-', "_")
}

/// The CPU names valid on `platform`: archspec's microarchitectures of the platform's family,
/// plus the plain machine name conda reports for the subdir.
pub fn valid_for(platform: Platform) -> Vec<&'static str> {
    let family = platform.arch.archspec_family();
    let mut names: Vec<&'static str> = MICROARCHITECTURES
        .iter()
        .filter(|m| m.family == family)
        .map(|m| m.name)
        .collect();
    let machine = platform.conda_machine();
    if !names.contains(&machine) {
        names.insert(0, machine);
    }
    names
}

/// The x86-64 psABI level of `name` (1 for baseline x86-64, up to 4 for AVX-512 CPUs).
pub fn x86_64_level(name: &str) -> Option<u8> {
    lookup(name).and_then(|m| m.x86_64_level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::platform::{Arch, Os};

    #[test]
    fn levels_follow_the_ancestry() {
        assert_eq!(x86_64_level("x86_64"), Some(1));
        assert_eq!(x86_64_level("nehalem"), Some(2));
        assert_eq!(x86_64_level("haswell"), Some(3));
        assert_eq!(x86_64_level("skylake_avx512"), Some(4));
        assert_eq!(x86_64_level("neoverse_v1"), None);
    }

    #[test]
    fn valid_names_depend_on_the_architecture() {
        let x86 = valid_for(Platform {
            os: Os::Linux,
            arch: Arch::X86_64,
        });
        assert!(
            x86.contains(&"x86_64_v3") && x86.contains(&"zen4") && !x86.contains(&"neoverse_v1")
        );
        let mac = valid_for(Platform {
            os: Os::Macos,
            arch: Arch::Aarch64,
        });
        assert!(mac.contains(&"arm64") && mac.contains(&"m1"));
        let s390x = valid_for(Platform {
            os: Os::Linux,
            arch: Arch::S390x,
        });
        assert_eq!(s390x, vec!["s390x"]);
        assert_eq!(normalize("X86-64-V3"), "x86_64_v3");
    }
}
