//! The fetcher types a flake reference can have (`type` in `locked` and `original`) and, for
//! each, the attributes Nix accepts with their value types — taken from the `allowedAttrs` of
//! each input scheme in Nix's `libfetchers`, plus `dir` (the flake's subdirectory), which Nix
//! allows on every reference.

/// The fetcher type of a flake reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// `github`: an archive of a GitHub repository at a commit.
    GitHub,
    /// `gitlab`: the same for a GitLab instance.
    GitLab,
    /// `sourcehut`: the same for a SourceHut instance.
    SourceHut,
    /// `git`: a Git repository at any URL.
    Git,
    /// `hg`: a Mercurial repository.
    Mercurial,
    /// `tarball`: an archive unpacked from a URL.
    Tarball,
    /// `file`: a single file from a URL.
    File,
    /// `path`: a local directory.
    Path,
    /// `indirect`: a name looked up in the flake registry (`nixpkgs`).
    Indirect,
    /// A type this version of unilock does not know; its attributes are kept unchecked.
    Other(String),
}

impl RefKind {
    /// The type as the lock file spells it.
    pub fn name(&self) -> &str {
        match self {
            RefKind::GitHub => "github",
            RefKind::GitLab => "gitlab",
            RefKind::SourceHut => "sourcehut",
            RefKind::Git => "git",
            RefKind::Mercurial => "hg",
            RefKind::Tarball => "tarball",
            RefKind::File => "file",
            RefKind::Path => "path",
            RefKind::Indirect => "indirect",
            RefKind::Other(name) => name,
        }
    }

    pub fn from_name(name: &str) -> RefKind {
        match name {
            "github" => RefKind::GitHub,
            "gitlab" => RefKind::GitLab,
            "sourcehut" => RefKind::SourceHut,
            "git" => RefKind::Git,
            "hg" => RefKind::Mercurial,
            "tarball" => RefKind::Tarball,
            "file" => RefKind::File,
            "path" => RefKind::Path,
            "indirect" => RefKind::Indirect,
            other => RefKind::Other(other.to_string()),
        }
    }

    /// The attributes Nix accepts for this type; `None` for a type unilock does not know.
    pub(super) fn attributes(&self) -> Option<&'static [Attribute]> {
        Some(match self {
            RefKind::GitHub | RefKind::GitLab | RefKind::SourceHut => GIT_ARCHIVE,
            RefKind::Git => GIT,
            RefKind::Mercurial => MERCURIAL,
            RefKind::Tarball | RefKind::File => CURL,
            RefKind::Path => PATH,
            RefKind::Indirect => INDIRECT,
            RefKind::Other(_) => return None,
        })
    }
}

/// What an attribute's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AttrType {
    String,
    Integer,
    Bool,
    /// A commit hash: 40 (SHA-1) or 64 (SHA-256) hexadecimal digits, as Nix writes `rev`.
    Rev,
    /// A flake registry name: a letter, then letters, digits, `_` and `-`.
    FlakeId,
}

impl AttrType {
    /// What the value must be, for messages.
    pub(super) fn expected(self) -> &'static str {
        match self {
            AttrType::String => "a string",
            AttrType::Integer => "a non-negative integer",
            AttrType::Bool => "`true` or `false`",
            AttrType::Rev => "a commit hash (40 or 64 hexadecimal digits)",
            AttrType::FlakeId => {
                "a flake registry name (a letter, then letters, digits, `_` or `-`)"
            }
        }
    }
}

/// One attribute a fetcher type accepts.
#[derive(Debug)]
pub(super) struct Attribute {
    pub name: &'static str,
    pub ty: AttrType,
    pub required: bool,
}

const fn req(name: &'static str, ty: AttrType) -> Attribute {
    Attribute {
        name,
        ty,
        required: true,
    }
}

const fn opt(name: &'static str, ty: AttrType) -> Attribute {
    Attribute {
        name,
        ty,
        required: false,
    }
}

use AttrType::{Bool as B, FlakeId as Id, Integer as I, Rev, String as S};

const GIT_ARCHIVE: &[Attribute] = &[
    req("owner", S),
    req("repo", S),
    opt("ref", S),
    opt("rev", Rev),
    opt("narHash", S),
    opt("lastModified", I),
    opt("host", S),
    opt("treeHash", S),
    opt("dir", S),
];

const GIT: &[Attribute] = &[
    req("url", S),
    opt("ref", S),
    opt("rev", Rev),
    opt("shallow", B),
    opt("submodules", B),
    opt("lfs", B),
    opt("exportIgnore", B),
    opt("lastModified", I),
    opt("revCount", I),
    opt("narHash", S),
    opt("allRefs", B),
    opt("name", S),
    opt("dirtyRev", S),
    opt("dirtyShortRev", S),
    opt("verifyCommit", B),
    opt("keytype", S),
    opt("publicKey", S),
    opt("publicKeys", S),
    opt("dir", S),
];

const MERCURIAL: &[Attribute] = &[
    req("url", S),
    opt("ref", S),
    opt("rev", Rev),
    opt("revCount", I),
    opt("narHash", S),
    opt("name", S),
    opt("dir", S),
];

/// `tarball` and `file`, which Nix fetches with the same code.
const CURL: &[Attribute] = &[
    req("url", S),
    opt("narHash", S),
    opt("name", S),
    opt("unpack", B),
    opt("rev", Rev),
    opt("revCount", I),
    opt("lastModified", I),
    opt("dir", S),
];

const PATH: &[Attribute] = &[
    req("path", S),
    opt("rev", Rev),
    opt("revCount", I),
    opt("lastModified", I),
    opt("narHash", S),
    opt("dir", S),
];

const INDIRECT: &[Attribute] = &[
    req("id", Id),
    opt("ref", S),
    opt("rev", Rev),
    opt("narHash", S),
    opt("dir", S),
];

/// Whether `s` is a commit hash as Nix writes one.
pub(super) fn is_rev(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `s` is a flake registry name.
pub(super) fn is_flake_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
