//! What one artifact's binaries need from the machine and what they provide to others.
//!
//! [`ArtifactFacts`] is computed once per artifact hash and cached as JSON, so its shape is
//! stable: add fields with `#[serde(default)]`.

use serde::{Deserialize, Serialize};

/// One ELF file inside an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binary {
    /// The member's path inside the artifact (`cv2/cv2.abi3.so`, `lib/libarrow.so.2600.1.0`).
    pub path: String,
    /// The ELF machine (`x86_64`, `aarch64`, `ppc64le`, `s390x`, `arm`, `i386`, or `machine N`).
    pub machine: String,
    /// `DT_SONAME`, for shared libraries that declare one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soname: Option<String>,
    /// `DT_NEEDED`, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needed: Vec<String>,
    /// `DT_RPATH` entries (split on `:`), as written (with `$ORIGIN`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rpath: Vec<String>,
    /// `DT_RUNPATH` entries (split on `:`), as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runpath: Vec<String>,
    /// Symbol version needs (`.gnu.version_r`): which library file each version is asked of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub version_needs: Vec<VersionNeed>,
    /// The x86-64 ISA level the file declares it needs (`GNU_PROPERTY_X86_ISA_1_NEEDED` in
    /// `.note.gnu.property`: 2, 3 or 4), when it declares one above the baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x86_64_level: Option<u8>,
}

/// A symbol version a binary needs from a library: `libc.so.6` `GLIBC_2.28`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VersionNeed {
    pub file: String,
    pub version: String,
}

/// Everything `check` needs to know about one artifact, read from its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactFacts {
    /// Every ELF file in the artifact.
    pub binaries: Vec<Binary>,
    /// The file names (last path component) of every shared library member, `*.so` or
    /// `*.so.N…`, ELF or symlink, sorted and unique: what the artifact can satisfy a
    /// `DT_NEEDED` with, for itself and for the other packages of an environment.
    pub libraries: Vec<String>,
    /// Members that could not be read as what their name says (`foo.so` that is not ELF, a
    /// truncated ELF file): one sentence each, naming the member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}
