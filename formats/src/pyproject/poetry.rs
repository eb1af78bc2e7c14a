//! `[tool.poetry]`: `dependencies`, `group.<name>.dependencies`, the legacy `dev-dependencies`
//! and `extras`, with Poetry's version constraints turned into PEP 440 (`^1.2.3` →
//! `>=1.2.3,<2.0.0`, `~1.2` → `>=1.2,<1.3`, `1.2` → `==1.2`, `*` → any).
//!
//! A dependency is a constraint string, a table (`version`, `extras`, `optional`, `markers`,
//! `python`, `platform`, `git` + `rev`/`branch`/`tag`/`subdirectory`, `path`, `url`,
//! `develop`, `source`) or an array of such tables (one requirement per entry). `python` in
//! `dependencies` is the project's `requires-python`. Optional dependencies appear only under
//! the extras of `[tool.poetry.extras]` that list them. `source` (a named Poetry source) and
//! `allow-prereleases` have no place in the model and are dropped.

use super::{Cx, Section, entries, normalize};
use std::collections::HashMap;
use std::ops::Range;
use std::str::FromStr;
use toml_edit::{Item, Key, TableLike, Value};
use unilock_model::manifest::RequirementRole;
use unilock_model::{Diagnostic, Requirement};

pub(super) fn read(cx: &mut Cx, poetry: &dyn TableLike) -> Result<(), Diagnostic> {
    if cx.doc.project.is_none()
        && let Some((key, item)) = poetry.get_key_value("name")
    {
        cx.doc.project = Some(cx.string_item(key, item, "tool.poetry.name")?.0);
    }
    // Optional main dependencies by normalised name, for `[tool.poetry.extras]`.
    let mut optional: HashMap<String, Vec<(Requirement, bool, usize)>> = HashMap::new();
    if let Some((key, item)) = poetry.get_key_value("dependencies") {
        let table = cx.table(key, item, "tool.poetry.dependencies")?;
        for (name, item) in entries(table) {
            if name.get() == "python" {
                let (spec, offset) =
                    cx.string_item(name, item, "tool.poetry.dependencies.python")?;
                let pep440 = convert_at(cx, &spec, offset)?;
                if cx.doc.requires_python.is_none() && !pep440.is_empty() {
                    cx.doc.requires_python = Some(pep440);
                }
                continue;
            }
            for dep in dependency(cx, name, item)? {
                if dep.optional {
                    optional.entry(normalize(name.get())).or_default().push((
                        dep.requirement,
                        dep.editable,
                        dep.offset,
                    ));
                } else {
                    cx.push(
                        Section::Tool,
                        dep.requirement,
                        RequirementRole::Dependency,
                        None,
                        dep.editable,
                        dep.offset,
                    );
                }
            }
        }
    }
    if let Some((key, item)) = poetry.get_key_value("extras") {
        let table = cx.table(key, item, "tool.poetry.extras")?;
        for (extra, item) in entries(table) {
            let what = format!("tool.poetry.extras.{}", extra.get());
            for (dep, offset) in cx.string_array(extra, item, &what)? {
                let Some(found) = optional.get(&normalize(&dep)) else {
                    return Err(cx
                        .error(
                            offset..offset + dep.len(),
                            format!("`{dep}` is not an optional dependency"),
                        )
                        .expected("the name of a dependency with `optional = true`"));
                };
                for (requirement, editable, at) in found.clone() {
                    let group = Some(extra.get().to_string());
                    cx.push(
                        Section::Tool,
                        requirement,
                        RequirementRole::Dependency,
                        group,
                        editable,
                        at,
                    );
                }
            }
        }
    }
    let mut groups: Vec<(String, &Key, &Item)> = Vec::new();
    if let Some((key, item)) = poetry.get_key_value("dev-dependencies") {
        groups.push(("dev".to_string(), key, item));
    }
    if let Some((key, item)) = poetry.get_key_value("group") {
        for (group, item) in entries(cx.table(key, item, "tool.poetry.group")?) {
            let what = format!("tool.poetry.group.{}", group.get());
            if let Some((k, i)) = cx.table(group, item, &what)?.get_key_value("dependencies") {
                groups.push((group.get().to_string(), k, i));
            }
        }
    }
    for (group, key, item) in groups {
        let table = cx.table(
            key,
            item,
            &format!("tool.poetry.group.{group}.dependencies"),
        )?;
        for (name, item) in entries(table) {
            for dep in dependency(cx, name, item)? {
                cx.push(
                    Section::Tool,
                    dep.requirement,
                    RequirementRole::Dependency,
                    Some(group.clone()),
                    dep.editable,
                    dep.offset,
                );
            }
        }
    }
    Ok(())
}

struct Dep {
    requirement: Requirement,
    optional: bool,
    editable: bool,
    offset: usize,
}

/// One `name = …` entry: a constraint string, a table, or an array of tables.
fn dependency(cx: &Cx, name: &Key, item: &Item) -> Result<Vec<Dep>, Diagnostic> {
    let offset = name.span().map_or(0, |s| s.start);
    let what = format!("dependency `{}`", name.get());
    let value = item.as_value();
    if let Some(v) = value.filter(|v| v.is_str()) {
        let (constraint, at) = cx.string(v, &what)?;
        let spec = convert_at(cx, &constraint, at)?;
        let span = v.span().unwrap_or(0..0);
        let requirement = cx.pypi_built(&format!("{}{spec}", name.get()), span)?;
        return Ok(vec![Dep {
            requirement,
            optional: false,
            editable: false,
            offset,
        }]);
    }
    if let Some(array) = value.and_then(Value::as_array) {
        let mut out = Vec::new();
        for v in array.iter() {
            let table = v.as_inline_table().ok_or_else(|| {
                cx.error(
                    v.span().unwrap_or(0..0),
                    format!("{what}: multiple constraints must be tables"),
                )
                .expected("`{ version = \"…\", python = \"…\" }`")
            })?;
            out.push(from_table(cx, name, table, v.span().unwrap_or(0..0))?);
        }
        return Ok(out);
    }
    let table = cx.table(name, item, &what)?;
    Ok(vec![from_table(cx, name, table, cx.span_of(name, item))?])
}

fn from_table(
    cx: &Cx,
    name: &Key,
    t: &dyn TableLike,
    span: Range<usize>,
) -> Result<Dep, Diagnostic> {
    let text = |field: &str| -> Result<Option<(String, usize)>, Diagnostic> {
        match t.get_key_value(field) {
            Some((k, i)) => Ok(Some(cx.string_item(k, i, field)?)),
            None => Ok(None),
        }
    };
    let flag = |field: &str| match t.get_key_value(field) {
        Some((k, i)) => cx.bool_item(k, i, field),
        None => Ok(false),
    };
    let mut requirement = name.get().to_string();
    if let Some((k, i)) = t.get_key_value("extras") {
        let extras = cx.string_array(k, i, "extras")?;
        let extras: Vec<String> = extras.into_iter().map(|(e, _)| e).collect();
        requirement.push_str(&format!("[{}]", extras.join(",")));
    }
    if let Some((git, _)) = text("git")? {
        requirement.push_str(&format!(" @ git+{git}"));
        for field in ["rev", "tag", "branch"] {
            if let Some((reference, _)) = text(field)? {
                requirement.push_str(&format!("@{reference}"));
                break;
            }
        }
        if let Some((sub, _)) = text("subdirectory")? {
            requirement.push_str(&format!("#subdirectory={sub}"));
        }
    } else if let Some((path, _)) = text("path")? {
        requirement.push_str(&format!(" @ {path}"));
    } else if let Some((url, _)) = text("url")? {
        requirement.push_str(&format!(" @ {url}"));
    } else if let Some((version, at)) = text("version")? {
        requirement.push_str(&convert_at(cx, &version, at)?);
    }
    let mut markers = Vec::new();
    if let Some((python, at)) = text("python")? {
        let spec = convert_at(cx, &python, at)?;
        markers.extend(python_markers(&spec));
    }
    if let Some((platform, _)) = text("platform")? {
        markers.push(format!("sys_platform == '{platform}'"));
    }
    if let Some((m, _)) = text("markers")? {
        markers.push(format!("({m})"));
    }
    if !markers.is_empty() {
        requirement.push_str(&format!(" ; {}", markers.join(" and ")));
    }
    Ok(Dep {
        requirement: cx.pypi_built(&requirement, span)?,
        optional: flag("optional")?,
        editable: flag("develop")?,
        offset: name.span().map_or(0, |s| s.start),
    })
}

/// `python_version`/`python_full_version` markers equivalent to a PEP 440 specifier list.
fn python_markers(spec: &str) -> Vec<String> {
    spec.split(',')
        .filter(|c| !c.is_empty())
        .map(|clause| {
            let at = clause
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(clause.len());
            let (op, version) = clause.split_at(at);
            let full = version.trim_end_matches(".*").split('.').count() >= 3;
            let variable = if full {
                "python_full_version"
            } else {
                "python_version"
            };
            format!("{variable} {op} '{version}'")
        })
        .collect()
}

/// Converts a Poetry constraint written at `offset`, pointing errors at the offending clause.
fn convert_at(cx: &Cx, constraint: &str, offset: usize) -> Result<String, Diagnostic> {
    to_pep440(constraint).map_err(|(range, message)| {
        cx.error(
            offset + range.start..offset + range.end,
            format!("invalid Poetry constraint `{constraint}`: {message}"),
        )
        .expected("a constraint such as `^1.2`, `~1.2.3`, `>=1,<2`, `1.2.*` or `*`")
    })
}

/// Converts a Poetry version constraint to a PEP 440 specifier list (empty for "any").
/// Errors carry the byte range of the offending clause within `constraint`.
pub(super) fn to_pep440(constraint: &str) -> Result<String, (Range<usize>, String)> {
    if let Some(at) = constraint.find('|') {
        return Err((
            at..constraint.len(),
            "alternatives (`||`) cannot be written as a PEP 440 specifier".to_string(),
        ));
    }
    let mut clauses = Vec::new();
    let bytes = constraint.as_bytes();
    let mut i = 0;
    let is_sep = |b: u8| b == b',' || b.is_ascii_whitespace();
    let is_op = |b: u8| matches!(b, b'<' | b'>' | b'=' | b'!' | b'~' | b'^');
    while i < bytes.len() {
        if bytes.get(i).copied().is_some_and(is_sep) {
            i += 1;
            continue;
        }
        let start = i;
        while bytes.get(i).copied().is_some_and(is_op) {
            i += 1;
        }
        let op_end = i;
        while bytes
            .get(i)
            .copied()
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            i += 1;
        }
        let version_start = i;
        while bytes.get(i).copied().is_some_and(|b| !is_sep(b)) {
            i += 1;
        }
        let op = constraint.get(start..op_end).unwrap_or("");
        let version = constraint.get(version_start..i).unwrap_or("");
        clause(op, version, &mut clauses).map_err(|m| (start..i.max(start + 1), m))?;
    }
    let joined = clauses.join(",");
    pep440_rs::VersionSpecifiers::from_str(&joined)
        .map_err(|e| (0..constraint.len().max(1), e.to_string()))?;
    Ok(joined)
}

fn clause(op: &str, version: &str, out: &mut Vec<String>) -> Result<(), String> {
    if version.is_empty() {
        return Err(format!("`{op}` is not followed by a version"));
    }
    if version == "*" && op.is_empty() {
        return Ok(());
    }
    let parse = |v: &str| {
        pep440_rs::Version::from_str(v.trim_end_matches(".*"))
            .map_err(|e| format!("`{v}` is not a version: {e}"))
    };
    match op {
        "" | "=" | "==" => {
            parse(version)?;
            out.push(format!("=={version}"));
        }
        "!=" | ">=" | "<=" | ">" | "<" | "~=" | "===" => {
            parse(version)?;
            out.push(format!("{op}{version}"));
        }
        "^" | "~" => {
            let release = parse(version)?.release().to_vec();
            if version.contains('*') || release.is_empty() {
                return Err(format!("`{op}{version}` needs a plain version"));
            }
            let bump = if op == "^" {
                release
                    .iter()
                    .position(|&p| p != 0)
                    .unwrap_or(release.len() - 1)
            } else {
                usize::from(release.len() >= 2)
            };
            let upper: Vec<String> = release
                .iter()
                .enumerate()
                .map(|(i, &p)| match i.cmp(&bump) {
                    std::cmp::Ordering::Less => p.to_string(),
                    std::cmp::Ordering::Equal => p.saturating_add(1).to_string(),
                    std::cmp::Ordering::Greater => "0".to_string(),
                })
                .collect();
            out.push(format!(">={version}"));
            out.push(format!("<{}", upper.join(".")));
        }
        _ => return Err(format!("unknown operator `{op}`")),
    }
    Ok(())
}
