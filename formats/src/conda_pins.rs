//! What the conda lock formats (conda-lock.yml, pixi.lock) have in common when they become
//! pinned packages of the unified model: reading a conda archive URL (channel, subdir, file
//! name), the package name a MatchSpec is about, the artifact kind of a PyPI file, and the
//! channels a lock was solved against ([`LockChannel`]).

use crate::yaml::Node;
use rattler_conda_types::package::DistArchiveIdentifier;
use unilock_model::Diagnostic;
use unilock_model::document::PinArtifactKind;

/// A conda channel a lock was solved against.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LockChannel {
    /// A channel name or URL; credentials appear as environment variables (`${TOKEN}`).
    pub url: String,
    /// The environment variables the URL needs.
    pub used_env_vars: Vec<String>,
}

/// A channel written as a mapping, `{url: CHANNEL, used_env_vars: [NAME, …]}`, as both
/// conda-lock.yml and pixi.lock write it.
pub(crate) fn channel_mapping(node: &Node) -> Result<LockChannel, Diagnostic> {
    let mut c = LockChannel::default();
    let mut has_url = false;
    for e in node.entries("a channel")? {
        match e.key.as_str() {
            "url" => {
                c.url = e.value.nonempty_string("a channel's `url`")?;
                has_url = true;
            }
            "used_env_vars" => c.used_env_vars = e.value.strings("`used_env_vars`")?,
            _ => return Err(e.unknown("a channel", &["url", "used_env_vars"])),
        }
    }
    if !has_url {
        return Err(node.error("a channel has no `url`", "`url: CHANNEL`"));
    }
    Ok(c)
}

/// The parts of a conda package URL `…/CHANNEL/SUBDIR/NAME-VERSION-BUILD.EXT`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ArchiveUrl {
    /// Everything before the subdir (`https://channel.example/conda-forge`).
    pub channel: Option<String>,
    pub subdir: Option<String>,
    pub file_name: Option<String>,
    /// Name, version and build string from the file name, when it is a conda archive name.
    pub identifier: Option<DistArchiveIdentifier>,
}

impl ArchiveUrl {
    pub fn parse(url: &str) -> ArchiveUrl {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        let mut parts = path.rsplitn(3, '/');
        let file_name = parts.next().filter(|f| !f.is_empty());
        let subdir = parts.next().filter(|s| !s.is_empty() && !s.contains(':'));
        let channel = parts.next().filter(|c| !c.is_empty() && !c.ends_with(':'));
        ArchiveUrl {
            channel: channel.filter(|_| subdir.is_some()).map(str::to_string),
            subdir: subdir.map(str::to_string),
            file_name: file_name.map(str::to_string),
            identifier: file_name.and_then(DistArchiveIdentifier::try_from_filename),
        }
    }

    /// The build string the file name states.
    pub fn build(&self) -> Option<String> {
        self.identifier
            .as_ref()
            .map(|i| i.identifier.build_string.clone())
    }
}

/// The package name a MatchSpec (`python >=3.9`, `conda-forge::numpy[version='>=1']`) is
/// about: its first word, without a channel prefix or bracket.
pub(crate) fn matchspec_name(spec: &str) -> &str {
    let spec = spec.trim();
    let word = spec
        .split(|c: char| c.is_whitespace() || "=<>!~[(,;".contains(c))
        .next()
        .unwrap_or(spec);
    word.rsplit("::").next().unwrap_or(word)
}

/// The build number conda tools take from a build string's trailing digits (`py311h_2` → 2),
/// as rattler derives it when a lock leaves it out.
pub(crate) fn build_number_from_build(build: &str) -> Option<u64> {
    let digits = build
        .rsplit_once(|c: char| !c.is_ascii_digit())
        .map_or(build, |(_, d)| d);
    digits.parse().ok()
}

/// What kind of PyPI file a URL or path names.
pub(crate) fn pypi_artifact_kind(location: &str) -> PinArtifactKind {
    let path = location.split(['?', '#']).next().unwrap_or(location);
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".whl") {
        PinArtifactKind::Wheel
    } else if [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        PinArtifactKind::Sdist
    } else {
        PinArtifactKind::Archive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_urls_split_into_channel_subdir_and_build() {
        let a = ArchiveUrl::parse(
            "https://channel.example/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda",
        );
        assert_eq!(
            a.channel.as_deref(),
            Some("https://channel.example/conda-forge")
        );
        assert_eq!(a.subdir.as_deref(), Some("linux-64"));
        assert_eq!(a.build().as_deref(), Some("py311h64a7726_0"));
        let odd = ArchiveUrl::parse("numpy.tar.bz2");
        assert_eq!((odd.channel, odd.subdir), (None, None));
    }

    #[test]
    fn matchspec_names() {
        assert_eq!(matchspec_name("python >=3.9"), "python");
        assert_eq!(matchspec_name("conda-forge::numpy>=1.2"), "numpy");
        assert_eq!(matchspec_name("__glibc >=2.17,<3.0.a0"), "__glibc");
        assert_eq!(matchspec_name("libblas[build=*mkl]"), "libblas");
    }

    #[test]
    fn build_numbers_are_the_trailing_digits() {
        assert_eq!(build_number_from_build("py313hb6a6212_1"), Some(1));
        assert_eq!(build_number_from_build("2"), Some(2));
        assert_eq!(build_number_from_build("foobar"), None);
        assert_eq!(build_number_from_build("123_"), None);
    }
}
