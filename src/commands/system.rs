//! What the system requirements of the inputs (pixi's `[system-requirements]`) say about the
//! targets of a run.
//!
//! pixi lets an environment assume the virtual packages its system requirements name (`cuda =
//! "12"` makes `__cuda 12` available). unilock takes the virtual packages from the target
//! instead (`--target linux-64,cuda=12.4`), so a target that offers less than the manifest
//! requires is noted with a warning that says which override would match the manifest; the
//! solve itself goes by the target.

use unilock_model::Target;
use unilock_model::document::SystemRequirement;

/// A warning for every target that offers less than a system requirement asks for.
pub(super) fn check(targets: &[Target], requirements: &[SystemRequirement]) -> Vec<String> {
    let mut warnings = Vec::new();
    for r in requirements {
        let at = r
            .origin
            .as_ref()
            .map_or_else(String::new, |o| format!("{o}: "));
        for t in targets {
            let offered = match r.name.as_str() {
                "cuda" => Some(t.cuda.as_ref().map(ToString::to_string)),
                "libc" => {
                    let family = r.family.as_deref().unwrap_or("glibc");
                    t.platform
                        .os
                        .eq(&unilock_model::target::Os::Linux)
                        .then(|| {
                            t.libc
                                .as_ref()
                                .filter(|l| l.family.as_str() == family)
                                .map(|l| l.version.to_string())
                        })
                }
                "linux" => (t.platform.os == unilock_model::target::Os::Linux)
                    .then(|| t.linux_kernel.as_ref().map(ToString::to_string)),
                "macos" => (t.platform.os == unilock_model::target::Os::Macos)
                    .then(|| t.macos.as_ref().map(ToString::to_string)),
                _ => None,
            };
            // `None`: the requirement says nothing about this kind of target.
            let Some(offered) = offered else {
                continue;
            };
            if offered.as_deref().is_some_and(|v| at_least(v, &r.version)) {
                continue;
            }
            let key = match (r.name.as_str(), r.family.as_deref()) {
                ("libc", Some("musl")) => "musl",
                ("libc", _) => "glibc",
                ("linux", _) => "kernel",
                (name, _) => name,
            };
            let has = offered.map_or_else(|| format!("no {key}"), |v| format!("{key} {v}"));
            warnings.push(format!(
                "{at}the inputs require {} {} (system-requirements); target {} has {has}: add `,{key}={}` to the target to solve for such machines",
                r.name,
                r.version,
                t.spec(),
                r.version
            ));
        }
    }
    warnings
}

/// Whether the dotted version `offered` is at least `required` (`12.4` ≥ `12`, `12` ≥ `12.0`).
fn at_least(offered: &str, required: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> {
        v.trim()
            .split('.')
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    let (mut a, mut b) = (parts(offered), parts(required));
    let n = a.len().max(b.len());
    a.resize(n, 0);
    b.resize(n, 0);
    a >= b
}

#[cfg(test)]
mod tests {
    use super::*;
    use unilock_model::target::NoEnvironment;

    fn requirement(name: &str, version: &str, family: Option<&str>) -> SystemRequirement {
        SystemRequirement {
            name: name.into(),
            version: version.into(),
            family: family.map(Into::into),
            origin: None,
        }
    }

    #[test]
    fn targets_offering_less_than_the_manifest_requires_are_noted() {
        let targets: Vec<Target> = ["linux-64,cuda=12.4", "centos7", "osx-arm64", "win-64"]
            .iter()
            .map(|t| Target::parse(t, &NoEnvironment).expect("target"))
            .collect();
        let cuda = check(&targets, &[requirement("cuda", "12", None)]);
        // Only the targets without CUDA are noted.
        assert_eq!(cuda.len(), 3, "{cuda:?}");
        assert!(
            cuda[0].contains("target centos7 has no cuda: add `,cuda=12`"),
            "{cuda:?}"
        );
        let glibc = check(&targets, &[requirement("libc", "2.28", Some("glibc"))]);
        assert_eq!(glibc.len(), 1, "{glibc:?}");
        assert!(
            glibc[0].contains("target centos7 has glibc 2.17"),
            "{glibc:?}"
        );
        assert!(check(&targets, &[requirement("macos", "11.0", None)]).is_empty());
        assert!(at_least("12", "12.0") && at_least("12.4", "12") && !at_least("2.17", "2.28"));
    }
}
