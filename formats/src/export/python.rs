//! The PyPI exports: `requirements` and `pylock` (the pins of one target, or of several
//! through environment markers) and `pyproject` (the direct requirements pinned into an
//! existing pyproject.toml).

use super::{Cx, Exported, marker, via, via_lines};
use crate::{Format, pylock, pyproject, requirements};
use std::collections::BTreeSet;
use unilock_model::document::{PinSource, PinnedPackage};
use unilock_model::manifest::RequirementRole;
use unilock_model::{Diagnostic, Document, Ecosystem, Requirement};

/// A PyPI pin of the exported targets: the same version from the same place on each of
/// `targets`, with every artifact any of them uses.
pub(super) struct Merged {
    pub pin: PinnedPackage,
    pub targets: Vec<String>,
    /// The lock's `requested-by` of the package.
    pub requested_by: BTreeSet<String>,
}

impl Merged {
    /// Required by an input file (not only by other packages).
    pub fn direct(&self) -> bool {
        self.requested_by
            .iter()
            .any(|r| !r.starts_with("pypi:") && !r.starts_with("conda:"))
    }
}

/// The PyPI pins of the exported targets, each with the marker of the targets it is chosen on
/// (none when on all of them), sorted by name and version. A target with conda packages gives
/// its PyPI part, with a warning; one with no PyPI part is refused.
pub(super) fn pypi_pins(cx: &Cx, format: Format) -> Result<(Vec<Merged>, Vec<String>), Diagnostic> {
    let mut merged: Vec<Merged> = Vec::new();
    let mut warnings = Vec::new();
    for t in &cx.targets {
        let mut doc = cx.lock.to_document(&t.name, format.name());
        let conda: Vec<&PinnedPackage> = doc
            .packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::Conda)
            .collect();
        if let Some(first) = conda.first() {
            let pypi = doc.packages.len() - conda.len();
            if pypi == 0 {
                return Err(Diagnostic::usage(format!(
                    "{}: target `{}` holds only conda packages (`{}`, …), which a {} file cannot hold",
                    cx.request.lock_name,
                    t.name,
                    first.name,
                    format.name()
                ))
                .note("export it --to conda-explicit or --to conda-env"));
            }
            warnings.push(format!(
                "the {} conda packages of target `{}` are left out: this file installs its PyPI part into the environment they make (export them --to conda-explicit, or everything --to conda-env)",
                conda.len(),
                t.name
            ));
            doc.packages.retain(|p| p.ecosystem == Ecosystem::Pypi);
        }
        for pin in doc.packages {
            let requested_by: BTreeSet<String> = cx
                .locked(&pin.name, pin.version.as_deref(), &t.name)
                .map(|p| p.requested_by.iter().cloned().collect())
                .unwrap_or_default();
            match merged.iter_mut().find(|m| {
                m.pin.name == pin.name && m.pin.version == pin.version && m.pin.source == pin.source
            }) {
                Some(m) => {
                    m.targets.push(t.name.clone());
                    for a in pin.artifacts {
                        if !m.pin.artifacts.iter().any(|b| b.url == a.url) {
                            m.pin.artifacts.push(a);
                        }
                    }
                    m.requested_by.extend(requested_by);
                }
                None => merged.push(Merged {
                    pin,
                    targets: vec![t.name.clone()],
                    requested_by,
                }),
            }
        }
    }
    if cx.targets.len() > 1 {
        let markers = cx
            .targets
            .iter()
            .map(|t| Ok((t.name.clone(), marker::of_target(t)?)))
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        same_marker_same_pins(cx, &markers, &merged)?;
        for m in &mut merged {
            let on: Vec<&str> = m.targets.iter().map(String::as_str).collect();
            m.pin.marker = marker::of_subset(&on, &markers);
        }
    }
    merged.sort_by(|a, b| {
        (&a.pin.name, &a.pin.version, &a.pin.marker).cmp(&(
            &b.pin.name,
            &b.pin.version,
            &b.pin.marker,
        ))
    });
    Ok((merged, warnings))
}

/// Targets a marker cannot tell apart (they differ only in glibc, CUDA, …) must have the same
/// pins, or one file cannot serve them both.
fn same_marker_same_pins(
    cx: &Cx,
    markers: &[(String, String)],
    merged: &[Merged],
) -> Result<(), Diagnostic> {
    for (i, (a, ma)) in markers.iter().enumerate() {
        for (b, mb) in &markers[i + 1..] {
            if ma != mb {
                continue;
            }
            let differs = merged
                .iter()
                .find(|m| m.targets.contains(a) != m.targets.contains(b));
            if let Some(m) = differs {
                return Err(Diagnostic::usage(format!(
                    "{}: targets `{a}` and `{b}` have the same environment marker ({ma}) but different pins ({} {} on one of them only), so one file cannot serve both",
                    cx.request.lock_name,
                    m.pin.name,
                    m.pin.version.as_deref().unwrap_or("?")
                ))
                .note("export them one at a time (--target), or one file each with --all-targets"));
            }
        }
    }
    Ok(())
}

/// The names of the pins, for `# via` annotations.
fn present(pins: &[Merged]) -> BTreeSet<String> {
    pins.iter().map(|m| m.pin.name.clone()).collect()
}

/// `--to requirements`: hashed pins, annotated with what requires them.
pub(super) fn requirements(cx: &Cx) -> Result<Exported, Diagnostic> {
    let (pins, mut warnings) = pypi_pins(cx, Format::Requirements)?;
    let trees: Vec<&str> = pins
        .iter()
        .filter(|m| {
            matches!(
                m.pin.source,
                PinSource::Git { .. } | PinSource::Directory { .. }
            )
        })
        .map(|m| m.pin.name.as_str())
        .collect();
    if cx.request.hashes && !trees.is_empty() && trees.len() < pins.len() {
        warnings.push(format!(
            "{} come from a Git repository or a source directory, which have no hash: pip's hash-checking mode (on as soon as any line has a --hash) refuses such lines; install them separately, or export --no-hashes",
            trees.join(", ")
        ));
    }
    let names = present(&pins);
    let mut out = cx.header();
    if !out.is_empty() {
        out.push('\n');
    }
    for m in &pins {
        out.push_str(&requirements::pinned_line(&m.pin));
        let hashes = requirements::pinned_hashes(&m.pin).filter(|_| cx.request.hashes);
        for h in hashes {
            out.push_str(" \\\n    --hash=");
            out.push_str(&h);
        }
        // A line ending in a backslash would continue onto the next one when read back.
        if out.ends_with('\\') {
            out.push(' ');
        }
        out.push('\n');
        if cx.request.annotate {
            out.push_str(&via_lines(&via(&m.requested_by, &names), "    "));
        }
    }
    Ok(Exported::one(out, warnings))
}

/// `--to pylock`: PEP 751, with the exported targets as `environments` and a marker on each
/// package not chosen on all of them.
pub(super) fn pylock(cx: &Cx) -> Result<Exported, Diagnostic> {
    let (pins, mut warnings) = pypi_pins(cx, Format::Pylock)?;
    if !cx.request.hashes {
        warnings.push(
            "--no-hashes: pylock.toml keeps its hashes, which PEP 751 requires (as uv keeps them)"
                .to_string(),
        );
    }
    let mut doc = Document::new(Format::Pylock.name());
    if cx.targets.len() > 1 {
        doc.environments = cx
            .targets
            .iter()
            .map(|t| marker::of_target(t))
            .collect::<Result<_, _>>()?;
    }
    doc.packages = pins.iter().map(|m| m.pin.clone()).collect();
    let text = pylock::emit(&pylock::Pylock::from_document(&doc, "unilock"));
    let names = present(&pins);
    let mut parts = text.split("\n[[packages]]\n");
    let mut out = cx.header();
    out.push_str(parts.next().unwrap_or(""));
    for (part, m) in parts.zip(&pins) {
        out.push('\n');
        if cx.request.annotate {
            out.push_str(&via_lines(&via(&m.requested_by, &names), ""));
        }
        out.push_str("[[packages]]\n");
        out.push_str(part);
    }
    Ok(Exported::one(out, warnings))
}

/// `--to pyproject`: every requirement of the existing pyproject.toml on a locked package
/// pinned to its version (`==`, extras and markers kept; one entry per version where targets
/// differ, each with its targets' marker), and the lock's other direct requirements added to
/// `[project] dependencies`; comments and layout kept.
pub(super) fn pyproject(cx: &Cx) -> Result<Exported, Diagnostic> {
    let Some(original) = &cx.request.existing else {
        return Err(Diagnostic::usage(
            "--to pyproject writes the pins into an existing pyproject.toml, and there is none: name it with -o PATH/pyproject.toml",
        )
        .note("create one first (`uv init --bare`), or export --to uv-lock, which writes its own"));
    };
    let (pins, warnings) = pypi_pins(cx, Format::Pyproject)?;
    let file = "pyproject.toml";
    let mut doc = pyproject::parse(file, original)?;
    let mut pinned_names = BTreeSet::new();
    let mut requirements = Vec::new();
    for r in std::mem::take(&mut doc.manifest.requirements) {
        let req = match (&r.requirement, r.role) {
            (Requirement::Pypi(req), RequirementRole::Dependency) => Some(req.clone()),
            _ => None,
        };
        let Some(req) = req else {
            requirements.push(r);
            continue;
        };
        let name = req.name.to_string();
        let versions: Vec<&Merged> = pins.iter().filter(|m| m.pin.name == name).collect();
        if versions.is_empty() {
            requirements.push(r);
            continue;
        }
        pinned_names.insert(name);
        for m in versions {
            let Some(text) = pinned_requirement(
                req.name.as_ref(),
                &req.extras
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                req.marker.contents().map(|c| c.to_string()).as_deref(),
                m,
            ) else {
                continue;
            };
            let mut pinned = r.clone();
            pinned.requirement = Requirement::parse_pypi(&text, file, &text, 0)?;
            requirements.push(pinned);
        }
    }
    for m in pins
        .iter()
        .filter(|m| m.direct() && !pinned_names.contains(&m.pin.name))
    {
        if let Some(text) = pinned_requirement(&m.pin.name, &[], None, m) {
            requirements.push(unilock_model::manifest::ManifestRequirement {
                requirement: Requirement::parse_pypi(&text, file, &text, 0)?,
                role: RequirementRole::Dependency,
                group: None,
                editable: false,
                hashes: Vec::new(),
                origin: None,
                platform: None,
            });
        }
    }
    doc.manifest.requirements = requirements;
    let text = pyproject::emit(original, &doc)?;
    Ok(Exported::one(text, warnings))
}

/// `name[extras]==version ; marker` for a registry pin (`name @ URL` for a URL one), its
/// marker the `and` of the requirement's own and its targets'.
fn pinned_requirement(
    name: &str,
    extras: &[String],
    own: Option<&str>,
    m: &Merged,
) -> Option<String> {
    let extras = if extras.is_empty() {
        String::new()
    } else {
        format!("[{}]", extras.join(","))
    };
    let pin = match &m.pin.source {
        PinSource::Url { url, .. } => format!("{name}{extras} @ {url}"),
        _ => format!("{name}{extras}=={}", m.pin.version.as_deref()?),
    };
    Some(match marker::and(own, m.pin.marker.as_deref()) {
        Some(marker) => format!("{pin} ; {marker}"),
        None => pin,
    })
}
