//! pixi's manifest tables, as `[tool.pixi]` of a pyproject.toml holds them and as the root of a
//! `pixi.toml` does (see [`crate::pixi_manifest`]): `prefix` is what their names start with in
//! messages (`tool.pixi.` or nothing).
//!
//! Read: the workspace (`workspace`, or the older `project`: name, `channels`, `platforms`);
//! conda `dependencies` (with `host-dependencies` and `build-dependencies`, which pixi
//! installs into the environment too) and `pypi-dependencies`; the same under
//! `target.<selector>` (a conda subdir, `linux`, `osx`, `win` or `unix`: the requirements keep
//! the selector, see `unilock_model::platform_selector`) and under `feature.<name>` (group =
//! the feature name, with its own `target` tables); `system-requirements`; `pypi-options`
//! indexes; and `environments`, checked to name known features (in a pyproject.toml, its
//! extras and dependency groups are features too), the `default` one's features becoming the
//! document's default groups.
//!
//! A conda dependency is `name = "spec"` (`"*"`: any version) or a table `{ version, build,
//! build-number, channel, subdir, md5, sha256, license }`, written as the MatchSpec
//! `channel::name version build[key=value]`; a source dependency (`path`, `git`, `url`) keeps
//! only the package name. A PyPI dependency is `name = "spec"` or `{ version, extras, path,
//! git (+ branch/tag/rev, subdirectory), url, editable, index, env-markers }`, written as PEP
//! 508. A table with any other key is refused, naming the key and the keys pixi knows.
//! Left out, because the model has no place for them: a feature's own channels and platforms
//! (only the default environment's are read), `tasks`, `activation`, `package` (pixi-build
//! recipes) and the per-package index of `index`.

use super::{Cx, Section, entries};
use std::collections::HashSet;
use std::ops::Range;
use toml_edit::{Item, Key, TableLike};
use unilock_model::Diagnostic;
use unilock_model::document::{Channel, IndexKind, IndexLocation, SystemRequirement};
use unilock_model::manifest::RequirementRole;
use unilock_model::platform_selector::PlatformSelector;

/// The conda dependency tables pixi installs into an environment.
const CONDA_TABLES: [&str; 3] = ["dependencies", "host-dependencies", "build-dependencies"];

const CONDA_KEYS: &str = "version, build, build-number, channel, subdir, md5, sha256, license, path, git, branch, tag, rev, subdirectory, url";
const PYPI_KEYS: &str =
    "version, extras, path, editable, git, branch, tag, rev, subdirectory, url, index, env-markers";

/// Reads the pixi tables of `pixi` (the `[tool.pixi]` table, or a pixi.toml's root).
pub(crate) fn read(cx: &mut Cx, pixi: &dyn TableLike, prefix: &str) -> Result<(), Diagnostic> {
    for name in ["workspace", "project"] {
        if let Some((key, item)) = pixi.get_key_value(name) {
            workspace(
                cx,
                cx.table(key, item, &format!("{prefix}{name}"))?,
                prefix,
                name,
            )?;
        }
    }
    // pixi makes a feature of every extra and dependency group of a pyproject.toml.
    let mut features: HashSet<String> = cx
        .doc
        .manifest
        .requirements
        .iter()
        .filter_map(|r| r.group.clone())
        .collect();
    features.insert("default".to_string());
    tables(cx, pixi, None, prefix)?;
    if let Some((key, item)) = pixi.get_key_value("feature") {
        for (feature, item) in entries(cx.table(key, item, &format!("{prefix}feature"))?) {
            let what = format!("{prefix}feature.{}", feature.get());
            let table = cx.table(feature, item, &what)?;
            tables(cx, table, Some(feature.get()), &format!("{what}."))?;
            features.insert(feature.get().to_string());
        }
    }
    if let Some((key, item)) = pixi.get_key_value("environments") {
        let table = cx.table(key, item, &format!("{prefix}environments"))?;
        cx.doc.default_groups = environments(cx, table, &features, prefix)?;
    }
    if let Some((key, item)) = pixi.get_key_value("system-requirements") {
        let table = cx.table(key, item, &format!("{prefix}system-requirements"))?;
        system_requirements(cx, table, prefix)?;
    }
    if let Some((key, item)) = pixi.get_key_value("pypi-options") {
        pypi_options(cx, cx.table(key, item, &format!("{prefix}pypi-options"))?)?;
    }
    Ok(())
}

fn workspace(cx: &mut Cx, ws: &dyn TableLike, prefix: &str, name: &str) -> Result<(), Diagnostic> {
    let what = |key: &str| format!("{prefix}{name}.{key}");
    if cx.doc.project.is_none()
        && let Some((key, item)) = ws.get_key_value("name")
    {
        cx.doc.project = Some(cx.string_item(key, item, &what("name"))?.0);
    }
    if let Some((key, item)) = ws.get_key_value("platforms") {
        for (platform, offset) in cx.string_array(key, item, &what("platforms"))? {
            if !matches!(
                PlatformSelector::parse(&platform),
                Some(PlatformSelector::Subdir(_))
            ) {
                return Err(cx
                    .error(
                        offset..offset + platform.len(),
                        format!("unknown platform `{platform}`"),
                    )
                    .expected("a conda platform such as `linux-64`, `osx-arm64` or `win-64`"));
            }
            cx.doc.platforms.push(platform);
        }
    }
    if let Some((key, item)) = ws.get_key_value("channels") {
        let array = item.as_array().ok_or_else(|| {
            cx.error(
                cx.span_of(key, item),
                format!("`{}` must be an array", what("channels")),
            )
            .expected("`[\"conda-forge\"]`")
        })?;
        for v in array.iter() {
            let channel = match v.as_inline_table() {
                Some(t) => t.get("channel"),
                None => Some(v),
            };
            let Some(channel) = channel.filter(|c| c.is_str()) else {
                return Err(cx
                    .error(v.span().unwrap_or(0..0), "invalid channel")
                    .expected("a channel name or URL, or `{ channel = \"…\", priority = 1 }`"));
            };
            let (name, offset) = cx.string(channel, "channel")?;
            let origin = Some(cx.lines.origin(cx.file, cx.text, offset));
            cx.doc.channels.push(Channel { name, origin });
        }
    }
    Ok(())
}

/// The dependency tables of the root or of one feature (`prefix` names it in messages), and
/// those of its `target.<selector>` tables.
fn tables(
    cx: &mut Cx,
    table: &dyn TableLike,
    feature: Option<&str>,
    prefix: &str,
) -> Result<(), Diagnostic> {
    dependencies(cx, table, feature, None, prefix)?;
    let Some((key, item)) = table.get_key_value("target") else {
        return Ok(());
    };
    for (selector, item) in entries(cx.table(key, item, &format!("{prefix}target"))?) {
        let Some(platform) = PlatformSelector::parse(selector.get()) else {
            return Err(cx
                .error(
                    selector.span().unwrap_or_else(|| cx.span_of(selector, item)),
                    format!("unknown target platform `{}`", selector.get()),
                )
                .expected(
                    "a conda platform (`linux-64`, `osx-arm64`, `win-64`, …) or `linux`, `osx`, `win`, `unix`",
                ));
        };
        let what = format!("{prefix}target.{}", selector.get());
        let target = cx.table(selector, item, &what)?;
        dependencies(cx, target, feature, Some(platform), &format!("{what}."))?;
    }
    Ok(())
}

/// `dependencies` (with `host-` and `build-dependencies`) and `pypi-dependencies` of one table.
fn dependencies(
    cx: &mut Cx,
    table: &dyn TableLike,
    feature: Option<&str>,
    platform: Option<PlatformSelector>,
    prefix: &str,
) -> Result<(), Diagnostic> {
    let group = feature.map(str::to_string);
    for name in CONDA_TABLES {
        let Some((key, item)) = table.get_key_value(name) else {
            continue;
        };
        for (name, item) in entries(cx.table(key, item, &format!("{prefix}{name}"))?) {
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
            set_platform(cx, platform);
        }
    }
    if let Some((key, item)) = table.get_key_value("pypi-dependencies") {
        let what = format!("{prefix}pypi-dependencies");
        for (name, item) in entries(cx.table(key, item, &what)?) {
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
            set_platform(cx, platform);
        }
    }
    Ok(())
}

/// Limits the requirement just pushed to `platform`.
fn set_platform(cx: &mut Cx, platform: Option<PlatformSelector>) {
    if let Some(r) = cx.doc.manifest.requirements.last_mut() {
        r.platform = platform;
    }
}

/// A version string as pixi writes it: `"*"` or empty means any version.
fn version_part(version: &str) -> Option<&str> {
    let v = version.trim();
    (!v.is_empty() && v != "*").then_some(v)
}

/// A dependency table's keys, each checked against the keys pixi knows for it.
fn known_keys<'t>(
    cx: &Cx,
    t: &'t dyn TableLike,
    known: &str,
    what: &str,
) -> Result<Vec<(&'t Key, &'t Item)>, Diagnostic> {
    let all = entries(t);
    for (key, item) in &all {
        if !known.split(", ").any(|k| k == key.get()) {
            let span: Range<usize> = key.span().unwrap_or_else(|| cx.span_of(key, item));
            return Err(cx
                .error(span, format!("unknown key `{}` in {what}", key.get()))
                .expected(format!("one of {known}")));
        }
    }
    Ok(all)
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
    let t = item.as_table_like().ok_or_else(|| {
        cx.error(
            cx.span_of(name, item),
            format!("{what} must be a string or a table"),
        )
        .expected("`\">=1.26\"`, `\"*\"` or `{ version = \"…\", build = \"…\", channel = \"…\" }`")
    })?;
    known_keys(cx, t, CONDA_KEYS, &what)?;
    let field = |f: &str| -> Result<Option<String>, Diagnostic> {
        match t.get_key_value(f) {
            Some((k, i)) => Ok(Some(cx.string_item(k, i, f)?.0)),
            None => Ok(None),
        }
    };
    let mut spec = match (field("channel")?, field("subdir")?) {
        (Some(channel), Some(subdir)) => format!("{channel}/{subdir}::{}", name.get()),
        (Some(channel), None) => format!("{channel}::{}", name.get()),
        _ => name.get().to_string(),
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
    let mut brackets = Vec::new();
    if let Some((k, i)) = t.get_key_value("build-number") {
        let value = match i.as_integer() {
            Some(n) => n.to_string(),
            None => cx.string_item(k, i, "build-number")?.0,
        };
        brackets.push(format!("build_number=\"{value}\""));
    }
    if field("channel")?.is_none()
        && let Some(subdir) = field("subdir")?
    {
        brackets.push(format!("subdir=\"{subdir}\""));
    }
    for key in ["md5", "sha256", "license"] {
        if let Some(value) = field(key)? {
            brackets.push(format!("{key}=\"{value}\""));
        }
    }
    if !brackets.is_empty() {
        spec.push_str(&format!("[{}]", brackets.join(", ")));
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
    let t = item.as_table_like().ok_or_else(|| {
        cx.error(cx.span_of(name, item), format!("{what} must be a string or a table"))
            .expected("`\">=2\"`, `\"*\"` or `{ version = \"…\", extras = […] }`, `{ path = \"…\" }`, `{ git = \"…\" }`, `{ url = \"…\" }`")
    })?;
    known_keys(cx, t, PYPI_KEYS, &what)?;
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
    if let Some(markers) = field("env-markers")? {
        // A space before `;` keeps it from reading as part of a URL.
        spec.push_str(&format!(" ; {markers}"));
    }
    let editable = match t.get_key_value("editable") {
        Some((k, i)) => cx.bool_item(k, i, "editable")?,
        None => false,
    };
    Ok((spec, editable))
}

/// Checks that every environment names known features; returns the features of the
/// `default` environment.
fn environments(
    cx: &Cx,
    envs: &dyn TableLike,
    features: &HashSet<String>,
    prefix: &str,
) -> Result<Vec<String>, Diagnostic> {
    let mut default = Vec::new();
    for (env, item) in entries(envs) {
        let what = format!("{prefix}environments.{}", env.get());
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
                    .expected(format!("a feature defined as `[{prefix}feature.<name>]`")));
            }
            if env.get() == "default" && feature != "default" {
                default.push(feature);
            }
        }
    }
    Ok(default)
}

/// `system-requirements`: `name = "version"`, or `libc = { family, version }`.
fn system_requirements(cx: &mut Cx, table: &dyn TableLike, prefix: &str) -> Result<(), Diagnostic> {
    for (name, item) in entries(table) {
        let what = format!("{prefix}system-requirements.{}", name.get());
        let bad = || {
            cx.error(
                cx.span_of(name, item),
                format!("`{what}` must be a version or a table"),
            )
            .expected("`\"2.28\"` or `{ version = \"…\", family = \"…\" }`")
        };
        let (version, family, offset) = if let Some(v) = item.as_value().filter(|v| v.is_str()) {
            let (version, offset) = cx.string(v, &what)?;
            (version, None, offset)
        } else if let Some(t) = item.as_table_like() {
            let Some((k, i)) = t.get_key_value("version") else {
                return Err(bad());
            };
            let (version, offset) = cx.string_item(k, i, &format!("{what}.version"))?;
            let family = match t.get_key_value("family") {
                Some((k, i)) => Some(cx.string_item(k, i, &format!("{what}.family"))?.0),
                None => None,
            };
            (version, family, offset)
        } else {
            return Err(bad());
        };
        let family = match (name.get(), family) {
            ("libc", None) => Some("glibc".to_string()),
            (_, family) => family,
        };
        let origin = Some(cx.lines.origin(cx.file, cx.text, offset));
        cx.doc.system_requirements.push(SystemRequirement {
            name: name.get().to_string(),
            version,
            family,
            origin,
        });
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
