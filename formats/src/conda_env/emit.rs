//! Writing environment.yml files: the canonical form of a document's requirements
//! ([`emit`]) and a pinned environment from a document's pins ([`emit_pinned`]). Both are
//! documented in `docs/conda-env-format.md`.

use super::dependencies::parse_matchspec;
use super::selector;
use super::yaml::scalar;
use crate::dispatch::Converted;
use crate::select;
use rattler_conda_types::MatchSpec;
use unilock_model::document::PinnedPackage;
use unilock_model::manifest::{ManifestRequirement, RequirementRole};
use unilock_model::{Diagnostic, Document, Ecosystem, Requirement};

/// Writes the requirements of `doc` as an environment.yml:
///
/// ```yaml
/// name: NAME
/// channels:
///   - conda-forge
/// platforms:
///   - linux-64
/// category: GROUP
/// dependencies:
///   - numpy >=1.26
///   - pywin32  # [win]
///   - pip:
///       - --index-url URL
///       - requests>=2.31
/// variables:
///   NAME: value
/// ```
pub fn emit(doc: &Document) -> Result<String, Diagnostic> {
    let category = category(&doc.manifest.requirements)?;
    let mut conda = Vec::new();
    let mut pip = crate::requirements::option_lines(doc);
    for r in &doc.manifest.requirements {
        if r.role != RequirementRole::Dependency {
            return Err(Diagnostic::usage(format!(
                "`{}` is a constraint or override, which an environment.yml cannot hold",
                r.requirement
            ))
            .note(
                "conda installs every entry of `dependencies`; constraints have no place there",
            ));
        }
        match &r.requirement {
            Requirement::Conda(m) => conda.push(conda_line(m)?),
            Requirement::Pypi(_) | Requirement::PypiUnnamed(_) => pip.push(pip_line(r)),
        }
    }
    let mut out = header(
        doc.project.as_deref(),
        doc.channels.iter().map(|c| c.name.as_str()),
    );
    list(
        &mut out,
        "platforms",
        doc.platforms.iter().map(|p| scalar(p)),
    );
    if let Some(category) = category {
        out.push_str(&format!("category: {}\n", scalar(category)));
    }
    dependencies(&mut out, &conda, &pip);
    if !doc.variables.is_empty() {
        out.push_str("variables:\n");
        for (name, value) in &doc.variables {
            out.push_str(&format!("  {}: {}\n", scalar(name), scalar(value)));
        }
    }
    Ok(out)
}

/// The group every requirement belongs to, written as `category`; an environment.yml has one.
fn category(requirements: &[ManifestRequirement]) -> Result<Option<&str>, Diagnostic> {
    let mut groups = requirements.iter().map(|r| r.group.as_deref());
    let Some(first) = groups.next() else {
        return Ok(None);
    };
    match groups.find(|g| *g != first) {
        None => Ok(first),
        Some(other) => Err(Diagnostic::usage(format!(
            "the requirements belong to several groups ({} and {}), and an environment.yml has one `category`",
            first.unwrap_or("the main set"),
            other.unwrap_or("the main set")
        ))
        .note("write one environment.yml per group")),
    }
}

/// `name:` and `channels:`.
fn header<'a>(name: Option<&str>, channels: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    if let Some(name) = name {
        out.push_str(&format!("name: {}\n", scalar(name)));
    }
    list(&mut out, "channels", channels.map(scalar));
    out
}

fn list(out: &mut String, key: &str, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        return;
    }
    out.push_str(key);
    out.push_str(":\n");
    for item in items {
        out.push_str(&format!("  - {item}\n"));
    }
}

/// `dependencies:` with the conda lines (already YAML) and the pip section's lines.
fn dependencies(out: &mut String, conda: &[String], pip: &[String]) {
    if conda.is_empty() && pip.is_empty() {
        out.push_str("dependencies: []\n");
        return;
    }
    out.push_str("dependencies:\n");
    for line in conda {
        out.push_str(&format!("  - {line}\n"));
    }
    if !pip.is_empty() {
        out.push_str("  - pip:\n");
        for line in pip {
            out.push_str(&format!("      - {}\n", scalar(line)));
        }
    }
}

/// A conda requirement as a YAML list item: the MatchSpec, and a comment selector for a
/// condition that one can express.
fn conda_line(m: &MatchSpec) -> Result<String, Diagnostic> {
    let selector = m.condition.as_ref().and_then(selector::from_condition);
    let mut spec = m.clone();
    if selector.is_some() {
        spec.condition = None;
    }
    let text = matchspec_text(&spec)?;
    Ok(match selector {
        Some(expr) => format!("{}  # [{}]", scalar(&text), selector::display(&expr)),
        None => scalar(&text),
    })
}

/// A MatchSpec in a form that reads back as the same MatchSpec: conda's usual positional form
/// where it does, the all-bracket canonical form otherwise.
fn matchspec_text(m: &MatchSpec) -> Result<String, Diagnostic> {
    let shown = m.to_string();
    if parse_matchspec(&shown).as_ref() == Ok(m) {
        return Ok(shown);
    }
    if let Ok(canonical) = m.to_canonical_string()
        && parse_matchspec(&canonical).as_ref() == Ok(m)
    {
        return Ok(canonical);
    }
    Err(Diagnostic::usage(format!(
        "the MatchSpec `{shown}` cannot be written in a form that reads back the same"
    )))
}

/// A pip requirement as a line of the pip section: `-e` for editables, hashes inline.
fn pip_line(r: &ManifestRequirement) -> String {
    let mut line = crate::requirements::requirement_line(r);
    for hash in &r.hashes {
        line.push_str(" --hash=");
        line.push_str(hash);
    }
    // A line ending in a backslash would continue onto the next one.
    if line.ends_with('\\') {
        line.push(' ');
    }
    line
}

/// Writes the pins of `doc` for one platform (the only one it has, or `platform`) as a pinned
/// environment.yml: conda packages as `name=version=build`, PyPI packages in the pip section
/// as `name==version` (or `name @ URL` for direct references) with their sha256 hashes inline;
/// each list sorted by name, as conda-lock renders an environment. Packages the format cannot
/// hold are left out with a warning.
pub fn emit_pinned(doc: &Document, platform: Option<&str>) -> Result<Converted, Diagnostic> {
    let mut pins = select::platform_pins(doc, platform)?;
    let mut channels: Vec<String> = doc.channels.iter().map(|c| c.name.clone()).collect();
    if channels.is_empty() {
        // The channels of the pinned builds, in the document's order.
        for p in &pins.packages {
            if let Some(channel) = p.conda.as_ref().and_then(|c| c.channel.clone())
                && p.ecosystem == Ecosystem::Conda
                && !channels.contains(&channel)
            {
                channels.push(channel);
            }
        }
    }
    pins.packages.sort_by(|a, b| a.name.cmp(&b.name));
    let mut warnings = Vec::new();
    let mut conda = Vec::new();
    let mut pip = Vec::new();
    for p in &pins.packages {
        match p.ecosystem {
            Ecosystem::Conda => {
                if let Some(line) = conda_pin(p, &mut warnings) {
                    conda.push(scalar(&line));
                }
            }
            Ecosystem::Pypi => pip.push(pypi_pin(p)),
        }
    }
    let mut text = header(doc.project.as_deref(), channels.iter().map(String::as_str));
    if let Some(platform) = &pins.platform {
        list(&mut text, "platforms", std::iter::once(scalar(platform)));
    }
    dependencies(&mut text, &conda, &pip);
    Ok(Converted { text, warnings })
}

/// `name=version=build` for a conda pin.
fn conda_pin(p: &PinnedPackage, warnings: &mut Vec<String>) -> Option<String> {
    let Some(version) = &p.version else {
        warnings.push(format!("{} is left out: it has no version", p.name));
        return None;
    };
    match p.conda.as_ref().map(|c| c.build.as_str()) {
        Some(build) if !build.is_empty() => Some(format!("{}={version}={build}", p.name)),
        _ => {
            warnings.push(format!(
                "{} {version} has no build string; any build of that version may be installed",
                p.name
            ));
            Some(format!("{}={version}", p.name))
        }
    }
}

/// A PyPI pin as a pip requirement line: `name==version`, or `name @ URL` for a direct
/// reference.
fn pypi_pin(p: &PinnedPackage) -> String {
    let mut line = crate::requirements::pinned_line(p);
    for hash in crate::requirements::pinned_hashes(p) {
        line.push_str(" --hash=");
        line.push_str(&hash);
    }
    line
}
