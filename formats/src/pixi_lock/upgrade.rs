//! The upgrade of version 1 to 5 records to version 7, as rattler does it: what a conda URL
//! already says is left out, `arch` and `platform` go, timestamps become milliseconds, PyPI
//! source trees lose their version, and packages sharing a URL become one.

use super::*;
use crate::conda_pins::{ArchiveUrl, build_number_from_build};
use std::collections::HashMap;
use std::str::FromStr;

/// The fields of a legacy conda record that version 7 may leave out.
#[derive(Default)]
pub(super) struct Legacy {
    pub build: String,
    pub build_number: u64,
    pub subdir: String,
    pub noarch: Option<String>,
    pub channel: Option<String>,
    pub file_name: Option<String>,
}

/// A timestamp in milliseconds: values that can only be seconds are scaled, as rattler does.
pub(super) fn millis(ts: u64) -> u64 {
    if ts > 253_402_300_799 {
        ts
    } else {
        ts.saturating_mul(1000)
    }
}

/// What version 7 keeps of a conda record: the fields its URL does not already say.
pub(super) fn upgrade_conda(mut p: Package, legacy: Legacy) -> Package {
    let url = ArchiveUrl::parse(&p.location);
    let derived_subdir = derived_subdir(&p.location, &url);
    let id = url.identifier.as_ref();
    let derived_name = id.map(|i| i.identifier.name.clone());
    let derived_version = id
        .map(|i| i.identifier.version.clone())
        .filter(|v| rattler_conda_types::Version::from_str(v).is_ok());
    let (derived_name, derived_build) = match derived_version {
        Some(_) => (derived_name, id.map(|i| i.identifier.build_string.clone())),
        None => (None, None),
    };
    let build = if legacy.build.is_empty() {
        id.map(|i| i.identifier.build_string.clone())
            .unwrap_or_default()
    } else {
        legacy.build
    };
    let build_number = if legacy.build_number == 0 {
        build_number_from_build(&build).unwrap_or(0)
    } else {
        legacy.build_number
    };
    if p.name == derived_name {
        p.name = None;
    }
    if p.version == derived_version {
        p.version = None;
    }
    p.build = (build != derived_build.as_deref().unwrap_or("")).then(|| build.clone());
    p.build_number =
        (build_number != build_number_from_build(&build).unwrap_or(0)).then_some(build_number);
    let record_subdir = legacy.subdir.clone();
    p.subdir = (Some(&record_subdir) != derived_subdir.as_ref()).then_some(record_subdir.clone());
    let noarch_subdir = derived_subdir.clone().unwrap_or(record_subdir);
    let noarch_build = derived_build.unwrap_or(build);
    p.noarch = (legacy.noarch != derive_noarch(&noarch_subdir, &noarch_build))
        .then(|| legacy.noarch.clone())
        .flatten();
    let trim = |c: &str| c.trim_end_matches('/').to_string();
    if let Some(channel) = legacy
        .channel
        .filter(|c| Some(trim(c)) != url.channel.as_deref().map(trim))
    {
        p.other.push(("channel".into(), Value::String(channel)));
    }
    if let Some(file) = legacy
        .file_name
        .filter(|f| Some(f) != url.file_name.as_ref())
    {
        p.other.push(("file_name".into(), Value::String(file)));
    }
    if let Some(purls) = &mut p.purls {
        purls.sort();
        purls.dedup();
    }
    if let Some(ts) = p.timestamp.as_mut() {
        *ts = millis(*ts);
    }
    p
}

/// The subdir a URL states: the directory above a conda archive, when it is a conda subdir.
pub(super) fn derived_subdir(location: &str, url: &ArchiveUrl) -> Option<String> {
    let scheme_ok = ["file:", "http:", "https:"]
        .iter()
        .any(|s| location.starts_with(s));
    let archive = url.file_name.as_deref().is_some_and(|f| {
        rattler_conda_types::package::CondaArchiveIdentifier::try_from_filename(f).is_some()
    });
    url.subdir
        .clone()
        .filter(|s| scheme_ok && archive && rattler_conda_types::Subdir::from_str(s).is_ok())
}

/// rattler's guess at the noarch kind when a record does not state it: packages in `noarch`
/// are `python` when their build string mentions `py`, else `generic`.
pub(super) fn derive_noarch(subdir: &str, build: &str) -> Option<String> {
    (subdir == "noarch").then(|| {
        if build.contains("py") {
            "python"
        } else {
            "generic"
        }
        .to_string()
    })
}

/// Version 7 keeps a version (and hashes) only for PyPI distributions: URLs other than
/// `file:`, and archives.
pub(super) fn upgrade_pypi(mut p: Package) -> Package {
    if let Some(n) = p
        .name
        .as_deref()
        .and_then(|name| pep508_rs::PackageName::from_str(name).ok())
    {
        p.name = Some(n.to_string());
    }
    let archive = [
        ".whl", ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.Z", ".tgz", ".tbz", ".tar", ".zip",
    ]
    .iter()
    .any(|a| p.location.ends_with(a));
    let remote = p.location.contains("://") && !p.location.starts_with("file:");
    if !(remote || archive) {
        p.version = None;
        p.sha256 = None;
        p.md5 = None;
    }
    p.editable = false;
    p
}

/// Packages that share a kind and location become the first of them, with the hashes and
/// package URLs only the others have.
pub(super) fn merge_duplicates(packages: &mut Vec<Package>) {
    let mut first: HashMap<(PackageKind, String), usize> = HashMap::new();
    let mut merged: Vec<Package> = Vec::with_capacity(packages.len());
    for p in packages.drain(..) {
        match first.get(&(p.kind, p.location.clone())) {
            Some(&i) => {
                let keep = &mut merged[i];
                keep.md5 = keep.md5.take().or(p.md5);
                keep.sha256 = keep.sha256.take().or(p.sha256);
                keep.purls = keep.purls.take().or(p.purls);
            }
            None => {
                first.insert((p.kind, p.location.clone()), merged.len());
                merged.push(p);
            }
        }
    }
    *packages = merged;
}
