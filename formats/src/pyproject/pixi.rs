//! `[tool.pixi]`: conda `dependencies`, `pypi-dependencies`, the same two tables under
//! `feature.<name>` (group = the feature name), `pypi-options` indexes, and validation of the
//! workspace (`[tool.pixi.workspace]` or the older `[tool.pixi.project]`), `environments` and
//! `system-requirements`.
//!
//! A conda dependency is `name = "spec"` (`"*"`: any version) or a table `{ version, build,
//! channel }`, written as the MatchSpec `channel::name version build`. A PyPI dependency is
//! `name = "spec"` or `{ version, extras, path, git (+ branch/tag/rev, subdirectory), url,
//! editable, index }`, written as PEP 508. Dropped, because the model has no place for them:
//! channels, platforms, system requirements, environments, `target.<platform>` tables, and
//! conda source dependencies (`path`/`git`/`url` tables keep only the package name).

use super::{Cx, Section, entries};
use std::collections::HashSet;
use toml_edit::{Item, Key, TableLike};
use unilock_model::Diagnostic;
use unilock_model::document::{IndexKind, IndexLocation};
use unilock_model::manifest::RequirementRole;

pub(super) fn read(cx: &mut Cx, pixi: &dyn TableLike) -> Result<(), Diagnostic> {
    for name in ["workspace", "project"] {
        if let Some((key, item)) = pixi.get_key_value(name) {
            workspace(cx, cx.table(key, item, &format!("tool.pixi.{name}"))?)?;
        }
    }
    tables(cx, pixi, None)?;
    let mut features = HashSet::from(["default".to_string()]);
    if let Some((key, item)) = pixi.get_key_value("feature") {
        for (feature, item) in entries(cx.table(key, item, "tool.pixi.feature")?) {
            let table = cx.table(
                feature,
                item,
                &format!("tool.pixi.feature.{}", feature.get()),
            )?;
            tables(cx, table, Some(feature.get()))?;
            features.insert(feature.get().to_string());
        }
    }
    if let Some((key, item)) = pixi.get_key_value("environments") {
        environments(
            cx,
            cx.table(key, item, "tool.pixi.environments")?,
            &features,
        )?;
    }
    if let Some((key, item)) = pixi.get_key_value("system-requirements") {
        let table = cx.table(key, item, "tool.pixi.system-requirements")?;
        for (name, item) in entries(table) {
            if item.as_str().is_none() && item.as_table_like().is_none() {
                let what = format!("tool.pixi.system-requirements.{}", name.get());
                return Err(cx
                    .error(
                        cx.span_of(name, item),
                        format!("`{what}` must be a version or a table"),
                    )
                    .expected("`\"2.28\"` or `{ version = \"…\", family = \"…\" }`"));
            }
        }
    }
    if let Some((key, item)) = pixi.get_key_value("pypi-options") {
        pypi_options(cx, cx.table(key, item, "tool.pixi.pypi-options")?)?;
    }
    Ok(())
}

fn workspace(cx: &mut Cx, ws: &dyn TableLike) -> Result<(), Diagnostic> {
    if cx.doc.project.is_none()
        && let Some((key, item)) = ws.get_key_value("name")
    {
        cx.doc.project = Some(cx.string_item(key, item, "tool.pixi.workspace.name")?.0);
    }
    if let Some((key, item)) = ws.get_key_value("platforms") {
        cx.string_array(key, item, "tool.pixi.workspace.platforms")?;
    }
    if let Some((key, item)) = ws.get_key_value("channels") {
        let array = item.as_array().ok_or_else(|| {
            cx.error(cx.span_of(key, item), "`channels` must be an array")
                .expected("`[\"conda-forge\"]`")
        })?;
        for v in array.iter() {
            let ok = v.is_str()
                || v.as_inline_table()
                    .is_some_and(|t| t.get("channel").is_some_and(|c| c.is_str()));
            if !ok {
                return Err(cx
                    .error(v.span().unwrap_or(0..0), "invalid channel")
                    .expected("a channel name or URL, or `{ channel = \"…\", priority = 1 }`"));
            }
        }
    }
    Ok(())
}

/// `dependencies` and `pypi-dependencies` of the root or of one feature.
fn tables(cx: &mut Cx, table: &dyn TableLike, feature: Option<&str>) -> Result<(), Diagnostic> {
    let group = feature.map(str::to_string);
    if let Some((key, item)) = table.get_key_value("dependencies") {
        for (name, item) in entries(cx.table(key, item, "dependencies")?) {
            let offset = name.span().map_or(0, |s| s.start);
            let span = cx.span_of(name, item);
            let spec = conda_spec(cx, name, item)?;
            let requirement = cx.conda_built(&spec, span)?;
            cx.push(
                Section::Tool,
                requirement,
                RequirementRole::Dependency,
                group.clone(),
                false,
                offset,
            );
        }
    }
    if let Some((key, item)) = table.get_key_value("pypi-dependencies") {
        for (name, item) in entries(cx.table(key, item, "pypi-dependencies")?) {
            let offset = name.span().map_or(0, |s| s.start);
            let span = cx.span_of(name, item);
            let (spec, editable) = pypi_spec(cx, name, item)?;
            let requirement = cx.pypi_built(&spec, span)?;
            cx.push(
                Section::Tool,
                requirement,
                RequirementRole::Dependency,
                group.clone(),
                editable,
                offset,
            );
        }
    }
    Ok(())
}

/// A version string as pixi writes it: `"*"` or empty means any version.
fn version_part(version: &str) -> Option<&str> {
    let v = version.trim();
    (!v.is_empty() && v != "*").then_some(v)
}

fn conda_spec(cx: &Cx, name: &Key, item: &Item) -> Result<String, Diagnostic> {
    let what = format!("conda dependency `{}`", name.get());
    if let Some(v) = item.as_value().filter(|v| v.is_str()) {
        let (version, _) = cx.string(v, &what)?;
        return Ok(match version_part(&version) {
            Some(v) => format!("{} {v}", name.get()),
            None => name.get().to_string(),
        });
    }
    let t = cx.table(name, item, &what)?;
    let field = |f: &str| -> Result<Option<String>, Diagnostic> {
        match t.get_key_value(f) {
            Some((k, i)) => Ok(Some(cx.string_item(k, i, f)?.0)),
            None => Ok(None),
        }
    };
    let mut spec = match field("channel")? {
        Some(channel) => format!("{channel}::{}", name.get()),
        None => name.get().to_string(),
    };
    let version = field("version")?;
    let build = field("build")?;
    let version = version.as_deref().and_then(version_part);
    match (version, build) {
        (Some(v), Some(b)) => spec.push_str(&format!(" {v} {b}")),
        (Some(v), None) => spec.push_str(&format!(" {v}")),
        (None, Some(b)) => spec.push_str(&format!(" * {b}")),
        (None, None) => {}
    }
    Ok(spec)
}

/// The PEP 508 string of a PyPI dependency, and whether it is editable.
fn pypi_spec(cx: &Cx, name: &Key, item: &Item) -> Result<(String, bool), Diagnostic> {
    let what = format!("PyPI dependency `{}`", name.get());
    if let Some(v) = item.as_value().filter(|v| v.is_str()) {
        let (version, _) = cx.string(v, &what)?;
        return Ok((
            format!("{}{}", name.get(), version_part(&version).unwrap_or("")),
            false,
        ));
    }
    let t = cx.table(name, item, &what)?;
    let field = |f: &str| -> Result<Option<String>, Diagnostic> {
        match t.get_key_value(f) {
            Some((k, i)) => Ok(Some(cx.string_item(k, i, f)?.0)),
            None => Ok(None),
        }
    };
    let mut spec = name.get().to_string();
    if let Some((k, i)) = t.get_key_value("extras") {
        let extras: Vec<String> = cx
            .string_array(k, i, "extras")?
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        spec.push_str(&format!("[{}]", extras.join(",")));
    }
    if let Some(git) = field("git")? {
        spec.push_str(&format!(" @ git+{git}"));
        for f in ["rev", "tag", "branch"] {
            if let Some(reference) = field(f)? {
                spec.push_str(&format!("@{reference}"));
                break;
            }
        }
        if let Some(sub) = field("subdirectory")? {
            spec.push_str(&format!("#subdirectory={sub}"));
        }
    } else if let Some(path) = field("path")? {
        spec.push_str(&format!(" @ {path}"));
    } else if let Some(url) = field("url")? {
        spec.push_str(&format!(" @ {url}"));
    } else if let Some(version) = field("version")? {
        spec.push_str(version_part(&version).unwrap_or(""));
    }
    let editable = match t.get_key_value("editable") {
        Some((k, i)) => cx.bool_item(k, i, "editable")?,
        None => false,
    };
    Ok((spec, editable))
}

fn environments(
    cx: &Cx,
    envs: &dyn TableLike,
    features: &HashSet<String>,
) -> Result<(), Diagnostic> {
    for (env, item) in entries(envs) {
        let what = format!("tool.pixi.environments.{}", env.get());
        let listed = match item.as_table_like() {
            Some(t) => match t.get_key_value("features") {
                Some((k, i)) => cx.string_array(k, i, &format!("{what}.features"))?,
                None => Vec::new(),
            },
            None => cx.string_array(env, item, &what)?,
        };
        for (feature, offset) in listed {
            if !features.contains(&feature) {
                return Err(cx
                    .error(
                        offset..offset + feature.len(),
                        format!("unknown pixi feature `{feature}`"),
                    )
                    .expected("a feature defined as `[tool.pixi.feature.<name>]`"));
            }
        }
    }
    Ok(())
}

/// `pypi-options`: `index-url`, `extra-index-urls`, `find-links` (`{ path }` or `{ url }`).
fn pypi_options(cx: &mut Cx, options: &dyn TableLike) -> Result<(), Diagnostic> {
    let mut found = Vec::new();
    if let Some((key, item)) = options.get_key_value("extra-index-urls") {
        for (url, offset) in cx.string_array(key, item, "extra-index-urls")? {
            found.push((IndexKind::Extra, url, offset));
        }
    }
    if let Some((key, item)) = options.get_key_value("index-url") {
        let (url, offset) = cx.string_item(key, item, "index-url")?;
        found.push((IndexKind::Default, url, offset));
    }
    if let Some((key, item)) = options.get_key_value("find-links") {
        let array = item.as_array().ok_or_else(|| {
            cx.error(cx.span_of(key, item), "`find-links` must be an array")
                .expected("`[{ path = \"./wheels\" }]` or `[{ url = \"https://…\" }]`")
        })?;
        for v in array.iter() {
            let location = v
                .as_inline_table()
                .and_then(|t| t.get("path").or_else(|| t.get("url")));
            let Some(location) = location else {
                return Err(cx
                    .error(v.span().unwrap_or(0..0), "invalid find-links entry")
                    .expected("`{ path = \"…\" }` or `{ url = \"…\" }`"));
            };
            let (url, offset) = cx.string(location, "find-links")?;
            found.push((IndexKind::FindLinks, url, offset));
        }
    }
    for (kind, url, offset) in found {
        let origin = Some(cx.lines.origin(cx.file, cx.text, offset));
        cx.doc.indexes.push(IndexLocation {
            kind,
            url,
            name: None,
            origin,
        });
    }
    Ok(())
}
