//! Why a listed version cannot install on a target, in the target's own terms.
//!
//! A version is left out when it is yanked, when `requires-python` excludes every file, when
//! only sdists are listed and only wheels are allowed (`--only-binary`), when only wheels are
//! listed and only sdists are allowed (`--no-binary`), or when none of its wheels runs on the
//! target. [`no_wheel`] gives the same account of a version that installs from its sdist
//! only: why none of its wheels runs on the target (for the source-build summary). For wheels, each one's tag is checked against the target one dimension at a time —
//! the Python/ABI tag, the OS, the architecture, the libc family (manylinux or musllinux) and
//! the glibc, musl or macOS version the platform tag needs — using the target's own tag list
//! ([`TagParts`]). The wheels closest to fitting (fewest dimensions wrong; at a tie, the
//! dimension easiest to change: Python, then the libc or macOS version, the libc family, the
//! architecture, the OS) say why the version is left out: `torch 2.8.0` on Windows with
//! Python 3.14 has Windows wheels for cp39–cp313, so the cause is the missing cp314 wheel, not
//! the platform.
//!
//! A [`Why`] compares equal for versions left out for the same reason (its details — which
//! interpreter tags or glibc versions the wheels have — are merged over a group), so
//! consecutive versions group into one line.

use super::candidates::Project;
use crate::wheel::{TagParts, WheelTags};
use pep440_rs::{Version, VersionSpecifiers};
use std::collections::BTreeSet;
use std::str::FromStr;
use unilock_model::Target;
use unilock_model::index::{DistName, FileKind};
use unilock_model::target::{Implementation, LibcFamily, Os};

/// One reason a version is left out; versions whose reasons have equal kinds group together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Every file is yanked.
    Yanked,
    /// Only source distributions, and only wheels are allowed (`--only-binary`).
    SdistOnly,
    /// Only wheels, and only source distributions are allowed (`--no-binary`).
    WheelsOnly,
    /// Neither a wheel nor an sdist (for the target's Python).
    NoFile,
    /// `requires-python` of every file excludes the target's Python; details: the specifiers.
    RequiresPython,
    /// No wheel for the target's interpreter tag (`missing`, e.g. `cp314`); details: the
    /// interpreter tags the closest wheels have. `on` names the target's platform when wheels
    /// for the interpreter exist, but only for other platforms.
    Python { missing: String, on: Option<String> },
    /// Only manylinux wheels needing a newer glibc; details: the glibc each version needs.
    Glibc,
    /// Only musllinux wheels needing a newer musl; details: the musl each version needs.
    Musl,
    /// Only macOS wheels needing a newer macOS; details: the macOS each version needs.
    Macos,
    /// Only wheels of the other Linux libc family (`manylinux` on a musl target, `musllinux`
    /// on a glibc one).
    Family { wheels: &'static str },
    /// No wheel for the target's architecture; details: the architectures there are.
    Arch,
    /// No wheel for the target's OS; details: the systems there are.
    Os,
    /// No wheel's platform fits, for another reason; details: the platform tags.
    Other,
}

/// A detail of a reason, ordered by its numbers (`cp39` before `cp310`, `2.17` before `2.28`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Detail(pub Vec<u32>, pub String);

impl Detail {
    fn text(text: impl Into<String>) -> Detail {
        Detail(Vec::new(), text.into())
    }
}

/// A reason with its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub kind: Kind,
    pub details: BTreeSet<Detail>,
}

/// Why one version is left out: one reason, or two when the closest wheels are wrong in two
/// dimensions at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Why {
    pub reasons: Vec<Reason>,
}

impl Why {
    /// Whether `other` is the same reason (details aside), so both versions group together.
    pub fn same(&self, other: &Why) -> bool {
        self.reasons.len() == other.reasons.len()
            && self
                .reasons
                .iter()
                .zip(&other.reasons)
                .all(|(a, b)| a.kind == b.kind)
    }

    /// Adds the details of `other` (the same reason) to this one.
    pub fn merge(&mut self, other: Why) {
        for (mine, theirs) in self.reasons.iter_mut().zip(other.reasons) {
            mine.details.extend(theirs.details);
        }
    }

    /// The reason in words, with the target attribute responsible.
    pub fn render(&self, target: &Target) -> String {
        self.render_as(target, &format!("target {}", target.spec()))
    }

    /// The reason in words, the target called `label` (`the target`, where the sentence has
    /// named it already).
    pub fn render_as(&self, target: &Target, label: &str) -> String {
        let parts: Vec<String> = self
            .reasons
            .iter()
            .map(|r| r.render(target, label))
            .collect();
        parts.join("; and ")
    }

    /// Whether another target (preset or attribute) could install the version, rather than
    /// another Python or another version.
    pub fn is_platform(&self) -> bool {
        self.reasons.iter().all(|r| {
            matches!(
                r.kind,
                Kind::Glibc
                    | Kind::Musl
                    | Kind::Macos
                    | Kind::Family { .. }
                    | Kind::Arch
                    | Kind::Os
            )
        })
    }

    /// Whether another Python version could install the version.
    pub fn is_python(&self) -> bool {
        self.reasons
            .iter()
            .all(|r| matches!(r.kind, Kind::Python { .. } | Kind::RequiresPython))
    }
}

/// Why `version` of `project` cannot install on `target`; `None` when it can.
pub fn why(project: &Project, version: &Version, target: &Target, parts: &TagParts) -> Option<Why> {
    let files = project.get(version)?;
    let one = |kind: Kind, details: BTreeSet<Detail>| {
        Some(Why {
            reasons: vec![Reason { kind, details }],
        })
    };
    if files.yanked {
        return one(Kind::Yanked, BTreeSet::new());
    }
    if files.usable() {
        return None;
    }
    let listed = Listed::of(project, &files.all);
    let formats = project.formats();
    if listed.wheels.is_empty() || !formats.wheels {
        return match (listed.sdists, listed.wheels.is_empty(), &listed.excluded) {
            (true, _, _) => one(Kind::SdistOnly, BTreeSet::new()),
            (false, false, _) => one(Kind::WheelsOnly, BTreeSet::new()),
            (false, true, excluded) if !excluded.is_empty() => {
                one(Kind::RequiresPython, excluded.clone())
            }
            _ => one(Kind::NoFile, BTreeSet::new()),
        };
    }
    Some(wheel_misfit(&listed.wheels, target, parts))
}

/// Why none of the wheels of `version` runs on the target, whatever its sdists and the binary
/// policy: `None` when a wheel runs there or the version lists no wheel at all.
pub fn no_wheel(
    project: &Project,
    version: &Version,
    target: &Target,
    parts: &TagParts,
) -> Option<Why> {
    let files = project.get(version)?;
    let listed = Listed::of(project, &files.all);
    if listed.wheels.is_empty() {
        return (!listed.excluded_wheels.is_empty()).then(|| Why {
            reasons: vec![Reason {
                kind: Kind::RequiresPython,
                details: listed.excluded_wheels,
            }],
        });
    }
    let why = wheel_misfit(&listed.wheels, target, parts);
    (!why.reasons.is_empty()).then_some(why)
}

/// The files of a version that are not yanked, sorted out for the target's Python.
struct Listed<'a> {
    /// The tags of the wheels `requires-python` admits.
    wheels: Vec<WheelTags<'a>>,
    /// An sdist `requires-python` admits is listed.
    sdists: bool,
    /// The `requires-python` of the files it excludes.
    excluded: BTreeSet<Detail>,
    /// The same, of wheels only.
    excluded_wheels: BTreeSet<Detail>,
}

impl<'a> Listed<'a> {
    fn of(project: &'a Project, all: &[usize]) -> Listed<'a> {
        let list = &project.files.files;
        let python = &project.filter().python;
        let mut out = Listed {
            wheels: Vec::new(),
            sdists: false,
            excluded: BTreeSet::new(),
            excluded_wheels: BTreeSet::new(),
        };
        for &i in all {
            if list.is_yanked(i) {
                continue;
            }
            let name = list.filename(i);
            let kind = DistName::parse(name).map(|n| n.kind);
            if let Some(spec) = list.requires_python(i)
                && VersionSpecifiers::from_str(spec).is_ok_and(|s| !s.contains(python))
            {
                out.excluded.insert(Detail::text(spec));
                if kind == Some(FileKind::Wheel) {
                    out.excluded_wheels.insert(Detail::text(spec));
                }
                continue;
            }
            match kind {
                Some(FileKind::Wheel) => out.wheels.extend(WheelTags::of(name)),
                Some(FileKind::Sdist) => out.sdists = true,
                _ => {}
            }
        }
        out
    }
}

/// One way a wheel tag can be wrong for the target, in the order they are worth naming.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Dim {
    Python,
    Version,
    Family,
    Arch,
    Os,
    Other,
}

/// The libc family of a Linux platform tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Libc {
    Many,
    Musl,
    Any,
}

/// What a platform tag says: its system, architectures and the version it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Platform {
    os: Option<Os>,
    libc: Libc,
    arches: Vec<&'static str>,
    needs: Option<(u32, u32)>,
}

/// Reads a platform tag (`manylinux_2_28_x86_64`, `musllinux_1_2_aarch64`,
/// `macosx_11_0_universal2`, `win_amd64`, …).
fn platform(tag: &str) -> Platform {
    let tag = tag.to_ascii_lowercase();
    let other = Platform {
        os: None,
        libc: Libc::Any,
        arches: Vec::new(),
        needs: None,
    };
    let two = |rest: &str| -> Option<(u32, u32, String)> {
        let mut p = rest.splitn(3, '_');
        Some((
            p.next()?.parse().ok()?,
            p.next()?.parse().ok()?,
            p.next()?.to_string(),
        ))
    };
    let linux = |libc, needs, arch: &str| Platform {
        os: Some(Os::Linux),
        libc,
        arches: vec![arch_name(arch)],
        needs,
    };
    if let Some(rest) = tag.strip_prefix("manylinux") {
        for (legacy, glibc) in [("1_", (2, 5)), ("2010_", (2, 12)), ("2014_", (2, 17))] {
            if let Some(arch) = rest.strip_prefix(legacy) {
                return linux(Libc::Many, Some(glibc), arch);
            }
        }
        return match rest.strip_prefix('_').and_then(two) {
            Some((major, minor, arch)) => linux(Libc::Many, Some((major, minor)), &arch),
            None => other,
        };
    }
    if let Some(rest) = tag.strip_prefix("musllinux_") {
        return match two(rest) {
            Some((major, minor, arch)) => linux(Libc::Musl, Some((major, minor)), &arch),
            None => other,
        };
    }
    if let Some(arch) = tag.strip_prefix("linux_") {
        return linux(Libc::Any, None, arch);
    }
    if let Some(rest) = tag.strip_prefix("macosx_") {
        return match two(rest) {
            Some((major, minor, format)) => Platform {
                os: Some(Os::Macos),
                libc: Libc::Any,
                arches: match format.as_str() {
                    "universal2" => vec!["x86_64", "arm64"],
                    "arm64" => vec!["arm64"],
                    "x86_64" | "intel" | "fat64" | "fat3" | "fat32" | "universal" => {
                        vec!["x86_64"]
                    }
                    other => vec![arch_name(other)],
                },
                needs: Some((major, minor)),
            },
            None => other,
        };
    }
    let windows = match tag.as_str() {
        "win_amd64" => Some("x86_64"),
        "win32" => Some("i686"),
        "win_arm64" => Some("arm64"),
        _ => None,
    };
    match windows {
        Some(arch) => Platform {
            os: Some(Os::Windows),
            libc: Libc::Any,
            arches: vec![arch],
            needs: None,
        },
        None => other,
    }
}

/// An architecture as the target model names it (`amd64` is `x86_64`; `aarch64` on Linux,
/// `arm64` on macOS and Windows are told apart only by their system).
fn arch_name(arch: &str) -> &'static str {
    match arch {
        "x86_64" | "amd64" => "x86_64",
        "aarch64" => "aarch64",
        "arm64" => "arm64",
        "i686" | "i386" | "x86" => "i686",
        "ppc64le" => "ppc64le",
        "s390x" => "s390x",
        "armv7l" => "armv7l",
        "riscv64" => "riscv64",
        _ => "other",
    }
}

/// The target's architecture in the names [`platform`] gives.
fn target_arch(target: &Target) -> &'static str {
    match (target.platform.os, target.platform.arch.as_str()) {
        (Os::Macos | Os::Windows, "aarch64") => "arm64",
        (_, arch) => arch_name(arch),
    }
}

fn os_name(os: Option<Os>) -> &'static str {
    match os {
        Some(Os::Linux) => "Linux",
        Some(Os::Macos) => "macOS",
        Some(Os::Windows) => "Windows",
        None => "other systems'",
    }
}

/// The dimensions in which a platform tag misses the target (empty when it fits).
fn platform_dims(tag: &str, target: &Target, parts: &TagParts) -> (BTreeSet<Dim>, Platform) {
    let p = platform(tag);
    let mut dims = BTreeSet::new();
    if tag.eq_ignore_ascii_case("any") || parts.platform_fits(tag) {
        return (dims, p);
    }
    if p.os != Some(target.platform.os) {
        dims.insert(if p.os.is_none() { Dim::Other } else { Dim::Os });
        return (dims, p);
    }
    if !p.arches.contains(&target_arch(target)) {
        dims.insert(Dim::Arch);
    }
    let family = target.libc.as_ref().map(|l| match l.family {
        LibcFamily::Glibc => Libc::Many,
        LibcFamily::Musl => Libc::Musl,
    });
    if let Some(family) = family
        && p.libc != Libc::Any
        && p.libc != family
    {
        dims.insert(Dim::Family);
    }
    if dims.is_empty() {
        let have = match target.platform.os {
            Os::Linux => target
                .libc
                .as_ref()
                .map(|l| (l.version.major(), l.version.minor())),
            Os::Macos => target.macos.as_ref().map(|m| (m.major(), m.minor())),
            Os::Windows => None,
        };
        match (p.needs, have) {
            (Some(needs), Some(have)) if needs > have => dims.insert(Dim::Version),
            _ => dims.insert(Dim::Other),
        };
    }
    (dims, p)
}

/// The target's interpreter tag (`cp314`, `cp313t`, `pp310`).
fn interpreter(target: &Target) -> String {
    let py = &target.python;
    match target.implementation {
        Implementation::CPython => {
            format!(
                "cp{}{}",
                py.nodot(),
                if py.free_threaded { "t" } else { "" }
            )
        }
        Implementation::PyPy => format!("pp{}", py.nodot()),
    }
}

/// An interpreter tag as a detail: `cp39` is (3, 9); an `abi3` wheel shows its ABI.
fn interpreter_detail(python: &str, abi: &str) -> Detail {
    let digits: String = python.chars().filter(char::is_ascii_digit).collect();
    let numbers = match digits.len() {
        0 => Vec::new(),
        1 => vec![digits.parse().unwrap_or(0)],
        _ => vec![
            digits[..1].parse().unwrap_or(0),
            digits[1..].parse().unwrap_or(0),
        ],
    };
    let text = if abi.starts_with("abi3") {
        format!("{python}-{abi}")
    } else {
        python.to_string()
    };
    Detail(numbers, text)
}

/// Why none of `wheels` runs on the target: the dimensions in which the closest wheels miss.
fn wheel_misfit(wheels: &[WheelTags], target: &Target, parts: &TagParts) -> Why {
    // Each wheel's closest tag: the fewest dimensions wrong, then the easiest to change.
    struct Close {
        dims: Vec<Dim>,
        python: String,
        abi: String,
        platform: Platform,
        tag: String,
    }
    let mut closest: Vec<Close> = Vec::new();
    let mut python_elsewhere = false;
    for w in wheels {
        let mut best: Option<Close> = None;
        for (py, abi, plat) in w.expand() {
            let (mut dims, platform) = platform_dims(plat, target, parts);
            if parts.interpreter_fits(py, abi) {
                if !dims.is_empty() {
                    python_elsewhere = true;
                }
            } else {
                dims.insert(Dim::Python);
            }
            let dims: Vec<Dim> = dims.into_iter().collect();
            if best
                .as_ref()
                .is_none_or(|b| (dims.len(), &dims) < (b.dims.len(), &b.dims))
            {
                best = Some(Close {
                    dims,
                    python: py.to_string(),
                    abi: abi.to_string(),
                    platform,
                    tag: plat.to_string(),
                });
            }
        }
        closest.extend(best);
    }
    closest.sort_by(|a, b| (a.dims.len(), &a.dims).cmp(&(b.dims.len(), &b.dims)));
    let Some(first) = closest.first() else {
        return Why {
            reasons: vec![Reason {
                kind: Kind::NoFile,
                details: BTreeSet::new(),
            }],
        };
    };
    let chosen = first.dims.clone();
    let nearest: Vec<&Close> = closest.iter().filter(|c| c.dims == chosen).collect();
    let mut reasons = Vec::new();
    for dim in chosen.iter().take(2) {
        let mut details = BTreeSet::new();
        let kind = match dim {
            Dim::Python => {
                for c in &nearest {
                    details.insert(interpreter_detail(&c.python, &c.abi));
                }
                Kind::Python {
                    missing: interpreter(target),
                    on: python_elsewhere.then(|| {
                        format!(
                            "{} {}",
                            os_name(Some(target.platform.os)),
                            target_arch(target)
                        )
                    }),
                }
            }
            Dim::Version => {
                // The least each version needs: its closest wheel's requirement.
                if let Some((major, minor)) = nearest.iter().filter_map(|c| c.platform.needs).min()
                {
                    details.insert(Detail(vec![major, minor], format!("{major}.{minor}")));
                }
                match (target.platform.os, first.platform.libc) {
                    (Os::Macos, _) => Kind::Macos,
                    (_, Libc::Musl) => Kind::Musl,
                    _ => Kind::Glibc,
                }
            }
            Dim::Family => Kind::Family {
                wheels: match first.platform.libc {
                    Libc::Musl => "musllinux",
                    _ => "manylinux",
                },
            },
            Dim::Arch => {
                for c in &nearest {
                    for a in &c.platform.arches {
                        details.insert(Detail::text(*a));
                    }
                }
                Kind::Arch
            }
            Dim::Os => {
                for c in &nearest {
                    details.insert(Detail::text(os_name(c.platform.os)));
                }
                Kind::Os
            }
            Dim::Other => {
                for c in nearest.iter().take(3) {
                    details.insert(Detail::text(c.tag.clone()));
                }
                Kind::Other
            }
        };
        reasons.push(Reason { kind, details });
    }
    Why { reasons }
}

impl Reason {
    /// The reason in words; `label` names the target (`target centos7,python=3.12`).
    fn render(&self, target: &Target, label: &str) -> String {
        let texts: Vec<&str> = self.details.iter().map(|d| d.1.as_str()).collect();
        let list = |prefix: &str, sep: &str| {
            texts
                .iter()
                .take(4)
                .map(|t| format!("{prefix}{}", t.replace('.', sep)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.kind {
            Kind::Yanked => "yanked".into(),
            Kind::SdistOnly => {
                "only a source distribution, and only wheels are allowed (--only-binary)".into()
            }
            Kind::WheelsOnly => {
                "only wheels, and only a source distribution is allowed (--no-binary)".into()
            }
            Kind::NoFile => "no wheel or source distribution".into(),
            Kind::RequiresPython => format!(
                "requires Python {}; {label} has Python {}",
                texts.join(" or "),
                target.python
            ),
            Kind::Python { missing, on } => format!(
                "no {missing} wheels{} ({} only)",
                on.as_ref().map(|o| format!(" for {o}")).unwrap_or_default(),
                interpreter_span(&self.details)
            ),
            Kind::Glibc => format!(
                "only {} wheels; {label} has glibc {}",
                list("manylinux_", "_"),
                target
                    .libc
                    .as_ref()
                    .map(|l| l.version.to_string())
                    .unwrap_or_default()
            ),
            Kind::Musl => format!(
                "only {} wheels; {label} has musl {}",
                list("musllinux_", "_"),
                target
                    .libc
                    .as_ref()
                    .map(|l| l.version.to_string())
                    .unwrap_or_default()
            ),
            Kind::Macos => format!(
                "only {} wheels; {label} has macOS {}",
                list("macosx_", "_"),
                target
                    .macos
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ),
            Kind::Family { wheels } => format!(
                "only {wheels} wheels; {label} is {}",
                target.libc.as_ref().map_or("glibc", |l| l.family.as_str())
            ),
            Kind::Arch => format!(
                "no {} wheels (only {}); {label} is {}",
                target_arch(target),
                texts.join(", "),
                target_arch(target)
            ),
            Kind::Os => format!(
                "no {} wheels (only {}); {label} is {}",
                os_name(Some(target.platform.os)),
                texts.join(", "),
                os_name(Some(target.platform.os))
            ),
            Kind::Other => format!("no wheel fits {label} (platforms {})", list("", ".")),
        }
    }
}

/// Interpreter tags as spans of consecutive minors: `cp39–cp313, cp37-abi3`.
fn interpreter_span(details: &BTreeSet<Detail>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(&Detail, &Detail)> = None;
    let plain = |d: &Detail| d.0.len() == 2 && !d.1.contains('-');
    let prefix = |d: &Detail| d.1.chars().take_while(char::is_ascii_alphabetic).count();
    let close = |run: Option<(&Detail, &Detail)>, out: &mut Vec<String>| {
        if let Some((a, b)) = run {
            out.push(if a == b {
                a.1.clone()
            } else {
                format!("{}–{}", a.1, b.1)
            });
        }
    };
    for d in details {
        if !plain(d) {
            close(run.take(), &mut out);
            out.push(d.1.clone());
            continue;
        }
        run = match run {
            Some((a, b))
                if plain(b)
                    && b.0[0] == d.0[0]
                    && b.0[1] + 1 == d.0[1]
                    && b.1[..prefix(b)] == d.1[..prefix(d)] =>
            {
                Some((a, d))
            }
            other => {
                close(other, &mut out);
                Some((d, d))
            }
        };
    }
    close(run, &mut out);
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use unilock_model::target::NoEnvironment;

    fn target(spec: &str) -> Target {
        Target::parse(spec, &NoEnvironment).unwrap()
    }

    fn misfit(names: &[&str], spec: &str) -> String {
        let t = target(spec);
        let wheels: Vec<WheelTags> = names.iter().filter_map(|n| WheelTags::of(n)).collect();
        wheel_misfit(&wheels, &t, &TagParts::new(&t)).render(&t)
    }

    #[test]
    fn the_missing_python_tag_is_named_when_the_platform_fits() {
        let names = [
            "torch-2.8.0-cp39-cp39-win_amd64.whl",
            "torch-2.8.0-cp313-cp313-win_amd64.whl",
            "torch-2.8.0-cp310-cp310-win_amd64.whl",
            "torch-2.8.0-cp311-cp311-win_amd64.whl",
            "torch-2.8.0-cp312-cp312-win_amd64.whl",
            "torch-2.8.0-cp313-cp313-manylinux_2_28_x86_64.whl",
        ];
        assert_eq!(
            misfit(&names, "win-64,python=3.14"),
            "no cp314 wheels (cp39–cp313 only)"
        );
    }

    #[test]
    fn the_glibc_is_named_when_only_the_manylinux_version_is_wrong() {
        let names = [
            "numpy-2.3.0-cp312-cp312-manylinux_2_28_x86_64.whl",
            "numpy-2.3.0-cp312-cp312-musllinux_1_2_x86_64.whl",
            "numpy-2.3.0-cp312-cp312-win_amd64.whl",
            "numpy-2.3.0-cp311-cp311-manylinux_2_28_x86_64.whl",
        ];
        assert_eq!(
            misfit(&names, "centos7,python=3.12"),
            "only manylinux_2_28 wheels; target centos7,python=3.12 has glibc 2.17"
        );
    }

    #[test]
    fn musl_is_named_when_abi3_wheels_would_otherwise_fit() {
        let names = [
            "opencv_python-4.10.0.84-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "opencv_python-4.10.0.84-cp37-abi3-manylinux_2_17_aarch64.whl",
            "opencv_python-4.10.0.84-cp37-abi3-win_amd64.whl",
            "opencv_python-4.10.0.84-cp37-abi3-macosx_11_0_arm64.whl",
        ];
        assert_eq!(
            misfit(&names, "alpine3.20"),
            "only manylinux wheels; target alpine3.20 is musl"
        );
    }

    #[test]
    fn architecture_macos_and_a_python_tag_on_another_platform_are_named() {
        let names = ["a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"];
        assert_eq!(
            misfit(&names, "linux-aarch64,python=3.12"),
            "no aarch64 wheels (only x86_64); target linux-aarch64,python=3.12 is aarch64"
        );
        let names = ["a-1.0-cp312-cp312-macosx_14_0_arm64.whl"];
        assert_eq!(
            misfit(&names, "macos13,python=3.12"),
            "only macosx_14_0 wheels; target macos13,python=3.12 has macOS 13.0"
        );
        let names = [
            "torch-2.5.1-cp312-cp312-manylinux2014_aarch64.whl",
            "torch-2.5.1-cp311-cp311-manylinux2014_aarch64.whl",
            "torch-2.5.1-cp313-cp313-manylinux1_x86_64.whl",
        ];
        assert_eq!(
            misfit(&names, "linux-aarch64,python=3.13"),
            "no cp313 wheels for Linux aarch64 (cp311–cp312 only)"
        );
        let names = ["a-1.0-cp312-cp312-win_amd64.whl"];
        assert_eq!(
            misfit(&names, "linux-64,python=3.12"),
            "no Linux wheels (only Windows); target linux-64,python=3.12 is Linux"
        );
    }
}
