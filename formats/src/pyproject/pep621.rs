//! The PEP 621 `[project]` table (`name`, `requires-python`, `dependencies`,
//! `optional-dependencies`) and PEP 735 `[dependency-groups]`, with `{include-group = "…"}`
//! expanded in place: an included requirement appears under every group that includes it, its
//! origin still the string it was written as.

use super::{Cx, Section, entries, normalize};
use std::collections::HashMap;
use std::str::FromStr;
use toml_edit::{Item, Key, Table, TableLike};
use unilock_model::Diagnostic;
use unilock_model::manifest::RequirementRole;

pub(super) fn read(cx: &mut Cx, root: &Table) -> Result<(), Diagnostic> {
    if let Some((key, item)) = root.get_key_value("project") {
        project(cx, cx.table(key, item, "project")?)?;
    }
    if let Some((key, item)) = root.get_key_value("dependency-groups") {
        dependency_groups(cx, cx.table(key, item, "dependency-groups")?)?;
    }
    Ok(())
}

fn project(cx: &mut Cx, project: &dyn TableLike) -> Result<(), Diagnostic> {
    if let Some((key, item)) = project.get_key_value("name") {
        cx.doc.project = Some(cx.string_item(key, item, "project.name")?.0);
    }
    if let Some((key, item)) = project.get_key_value("requires-python") {
        let (spec, offset) = cx.string_item(key, item, "project.requires-python")?;
        cx.doc.requires_python = Some(requires_python(cx, &spec, offset)?);
    }
    if let Some((key, item)) = project.get_key_value("dynamic") {
        let fields = cx.string_array(key, item, "project.dynamic")?;
        let offset = cx.span_of(key, item).start;
        cx.doc.dynamic = Some(unilock_model::document::Dynamic {
            fields: fields.into_iter().map(|(f, _)| f).collect(),
            origin: Some(cx.lines.origin(cx.file, cx.text, offset)),
        });
    }
    if let Some((key, item)) = project.get_key_value("dependencies") {
        let strings = cx.string_array(key, item, "project.dependencies")?;
        cx.push_strings(
            &strings,
            Section::Dependencies,
            RequirementRole::Dependency,
            None,
        )?;
    }
    if let Some((key, item)) = project.get_key_value("optional-dependencies") {
        let table = cx.table(key, item, "project.optional-dependencies")?;
        for (extra, item) in entries(table) {
            cx.doc.defined_groups.push(extra.get().to_string());
            let what = format!("project.optional-dependencies.{}", extra.get());
            let strings = cx.string_array(extra, item, &what)?;
            cx.push_strings(
                &strings,
                Section::OptionalDependencies(extra.get().to_string()),
                RequirementRole::Dependency,
                Some(extra.get().to_string()),
            )?;
        }
    }
    Ok(())
}

/// Validates a `requires-python` specifier written at `offset`; returns it trimmed.
pub(super) fn requires_python(cx: &Cx, spec: &str, offset: usize) -> Result<String, Diagnostic> {
    pep440_rs::VersionSpecifiers::from_str(spec).map_err(|e| {
        cx.error(
            offset..offset + spec.len(),
            format!("invalid `requires-python`: {e}"),
        )
        .expected("a PEP 440 specifier such as `>=3.10`")
    })?;
    Ok(spec.trim().to_string())
}

/// One entry of a dependency group: a requirement string, or an include of another group.
enum Entry {
    Requirement(String, usize),
    Include(String, std::ops::Range<usize>),
}

fn dependency_groups(cx: &mut Cx, groups: &dyn TableLike) -> Result<(), Diagnostic> {
    // Read the shape of every group first, so includes can point forwards.
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut read: Vec<(&Key, Vec<Entry>)> = Vec::new();
    for (key, item) in entries(groups) {
        let normalized = normalize(key.get());
        if by_name.insert(normalized, read.len()).is_some() {
            return Err(cx
                .error(
                    key.span().unwrap_or(0..0),
                    format!(
                        "dependency group `{}` is defined twice (names are compared normalised)",
                        key.get()
                    ),
                )
                .expected("unique group names"));
        }
        read.push((key, group_entries(cx, key, item)?));
    }
    let mut expanded: HashMap<usize, Vec<(String, usize)>> = HashMap::new();
    for index in 0..read.len() {
        let mut stack = Vec::new();
        expand(cx, &read, &by_name, index, &mut stack, &mut expanded)?;
    }
    for (index, (key, _)) in read.iter().enumerate() {
        let strings = expanded.get(&index).cloned().unwrap_or_default();
        let name = key.get().to_string();
        cx.doc.defined_groups.push(name.clone());
        cx.push_strings(
            &strings,
            Section::DependencyGroup(name.clone()),
            RequirementRole::Dependency,
            Some(name),
        )?;
    }
    Ok(())
}

fn group_entries(cx: &Cx, key: &Key, item: &Item) -> Result<Vec<Entry>, Diagnostic> {
    let what = format!("dependency-groups.{}", key.get());
    let array = item.as_array().ok_or_else(|| {
        cx.error(cx.span_of(key, item), format!("`{what}` must be an array"))
            .expected("an array of PEP 508 strings and `{include-group = \"name\"}` tables")
    })?;
    let mut out = Vec::new();
    for value in array.iter() {
        if let Some(table) = value.as_inline_table() {
            let span = value.span().unwrap_or(0..0);
            let include = match (table.len(), table.get("include-group")) {
                (1, Some(v)) => v,
                _ => {
                    return Err(cx
                        .error(span, format!("invalid table in `{what}`"))
                        .expected("`{include-group = \"name\"}`, the only table PEP 735 allows"));
                }
            };
            let (name, _) = cx.string(include, "include-group")?;
            out.push(Entry::Include(name, span));
        } else {
            let (s, offset) = cx.string(value, &what)?;
            out.push(Entry::Requirement(s, offset));
        }
    }
    Ok(out)
}

/// Expands group `index` into `expanded`, following includes depth first; `stack` holds the
/// groups being expanded, to find cycles.
fn expand(
    cx: &Cx,
    read: &[(&Key, Vec<Entry>)],
    by_name: &HashMap<String, usize>,
    index: usize,
    stack: &mut Vec<usize>,
    expanded: &mut HashMap<usize, Vec<(String, usize)>>,
) -> Result<(), Diagnostic> {
    if expanded.contains_key(&index) {
        return Ok(());
    }
    let Some((_, group)) = read.get(index) else {
        return Ok(());
    };
    stack.push(index);
    let mut out = Vec::new();
    for entry in group {
        match entry {
            Entry::Requirement(s, offset) => out.push((s.clone(), *offset)),
            Entry::Include(name, span) => {
                let Some(&target) = by_name.get(&normalize(name)) else {
                    let known: Vec<&str> = read.iter().map(|(k, _)| k.get()).collect();
                    return Err(cx
                        .error(span.clone(), format!("unknown dependency group `{name}`"))
                        .expected(format!("one of: {}", known.join(", "))));
                };
                if let Some(at) = stack.iter().position(|&g| g == target) {
                    let mut path: Vec<&str> = stack
                        .iter()
                        .skip(at)
                        .filter_map(|&g| read.get(g).map(|(k, _)| k.get()))
                        .collect();
                    path.push(name);
                    return Err(cx
                        .error(
                            span.clone(),
                            format!("dependency group cycle: {}", path.join(" -> ")),
                        )
                        .expected("groups that do not include themselves"));
                }
                expand(cx, read, by_name, target, stack, expanded)?;
                out.extend(expanded.get(&target).cloned().unwrap_or_default());
            }
        }
    }
    stack.pop();
    expanded.insert(index, out);
    Ok(())
}
