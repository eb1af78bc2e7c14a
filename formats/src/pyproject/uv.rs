//! `[tool.uv]`: indexes (`[[tool.uv.index]]`, `index-url`, `extra-index-url`, `find-links`),
//! `constraint-dependencies`, `override-dependencies`, the legacy `dev-dependencies`,
//! `environments` / `required-environments`, and validation of `sources` and `conflicts`.
//!
//! Indexes are recorded in uv's priority order: `[[tool.uv.index]]` entries as written, then
//! `extra-index-url`, then the default index, then find-links locations. What the model cannot
//! hold is validated and dropped: per-package `sources`, `explicit` indexes (recorded as extra
//! indexes) and `conflicts`.

use super::{Cx, Section, entries};
use std::collections::HashSet;
use toml_edit::{Item, Key, TableLike, Value};
use unilock_model::Diagnostic;
use unilock_model::document::{IndexKind, IndexLocation};
use unilock_model::manifest::RequirementRole;

pub(super) fn read(cx: &mut Cx, uv: &dyn TableLike) -> Result<(), Diagnostic> {
    let mut named = HashSet::new();
    let mut first = Vec::new();
    let mut default = None;
    if let Some((key, item)) = uv.get_key_value("index") {
        for location in indexes(cx, key, item)? {
            if let Some(name) = &location.name {
                named.insert(name.clone());
            }
            match location.kind {
                IndexKind::Default => default = Some(location),
                _ => first.push(location),
            }
        }
    }
    if let Some((key, item)) = uv.get_key_value("extra-index-url") {
        for (url, offset) in cx.string_array(key, item, "tool.uv.extra-index-url")? {
            first.push(location(cx, IndexKind::Extra, url, None, offset));
        }
    }
    if let Some((key, item)) = uv.get_key_value("index-url") {
        let (url, offset) = cx.string_item(key, item, "tool.uv.index-url")?;
        // `[[tool.uv.index]] default = true` wins over `index-url`.
        default.get_or_insert_with(|| location(cx, IndexKind::Default, url, None, offset));
    }
    first.extend(default);
    if let Some((key, item)) = uv.get_key_value("find-links") {
        for (url, offset) in cx.string_array(key, item, "tool.uv.find-links")? {
            first.push(location(cx, IndexKind::FindLinks, url, None, offset));
        }
    }
    cx.doc.indexes.extend(first);

    if let Some((key, item)) = uv.get_key_value("sources") {
        sources(cx, cx.table(key, item, "tool.uv.sources")?, &named)?;
    }
    let arrays = [
        (
            "constraint-dependencies",
            Section::UvConstraints,
            RequirementRole::Constraint,
            None,
        ),
        (
            "override-dependencies",
            Section::UvOverrides,
            RequirementRole::Override,
            None,
        ),
        (
            "dev-dependencies",
            Section::Tool,
            RequirementRole::Dependency,
            Some("dev"),
        ),
    ];
    for (name, section, role, group) in arrays {
        if let Some((key, item)) = uv.get_key_value(name) {
            let strings = cx.string_array(key, item, &format!("tool.uv.{name}"))?;
            cx.push_strings(&strings, section, role, group.map(str::to_string))?;
        }
    }
    for name in ["environments", "required-environments"] {
        if let Some((key, item)) = uv.get_key_value(name) {
            for (marker, offset) in cx.string_or_array(key, item, &format!("tool.uv.{name}"))? {
                unilock_model::requirement::parse_marker(&marker).map_err(|e| {
                    let start = offset + e.start.min(marker.len());
                    cx.error(
                        start..start + e.len.max(1),
                        format!("invalid environment marker: {}", e.message),
                    )
                    .expected("a PEP 508 marker such as `sys_platform == 'linux'`")
                })?;
                if !cx.doc.environments.contains(&marker) {
                    cx.doc.environments.push(marker);
                }
            }
        }
    }
    if let Some((key, item)) = uv.get_key_value("conflicts") {
        conflicts(cx, key, item)?;
    }
    Ok(())
}

fn location(
    cx: &Cx,
    kind: IndexKind,
    url: String,
    name: Option<String>,
    offset: usize,
) -> IndexLocation {
    IndexLocation {
        kind,
        url,
        name,
        origin: Some(cx.lines.origin(cx.file, cx.text, offset)),
    }
}

/// `[[tool.uv.index]]`: `url` required, `name`, `default`, `explicit`, `format = "flat"`.
fn indexes(cx: &Cx, key: &Key, item: &Item) -> Result<Vec<IndexLocation>, Diagnostic> {
    let tables: Vec<&dyn TableLike> = match item {
        Item::ArrayOfTables(a) => a.iter().map(|t| t as &dyn TableLike).collect(),
        Item::Value(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_inline_table()
                    .map(|t| t as &dyn TableLike)
                    .ok_or_else(|| {
                        cx.error(
                            v.span().unwrap_or(0..0),
                            "`tool.uv.index` entries must be tables",
                        )
                        .expected("`{ name = \"…\", url = \"…\" }`")
                    })
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(cx
                .error(
                    cx.span_of(key, item),
                    "`tool.uv.index` must be an array of tables",
                )
                .expected("`[[tool.uv.index]]` tables"));
        }
    };
    let mut out = Vec::new();
    for table in tables {
        let Some((url_key, url_item)) = table.get_key_value("url") else {
            let span = table.iter().next().and_then(|(k, _)| table.key(k)?.span());
            return Err(cx
                .error(
                    span.unwrap_or(cx.span_of(key, item)),
                    "index without a `url`",
                )
                .expected("`url = \"https://…\"` in every `[[tool.uv.index]]`"));
        };
        let (url, offset) = cx.string_item(url_key, url_item, "tool.uv.index.url")?;
        let name = match table.get_key_value("name") {
            Some((k, i)) => Some(cx.string_item(k, i, "tool.uv.index.name")?.0),
            None => None,
        };
        let flag = |field: &str| match table.get_key_value(field) {
            Some((k, i)) => cx.bool_item(k, i, &format!("tool.uv.index.{field}")),
            None => Ok(false),
        };
        let flat = match table.get_key_value("format") {
            Some((k, i)) => cx.string_item(k, i, "tool.uv.index.format")?.0 == "flat",
            None => false,
        };
        let kind = if flat {
            IndexKind::FindLinks
        } else if flag("default")? {
            IndexKind::Default
        } else {
            flag("explicit")?;
            IndexKind::Extra
        };
        out.push(location(cx, kind, url, name, offset));
    }
    Ok(out)
}

/// `[tool.uv.sources]`: each package maps to a source table or an array of them, each with
/// exactly one of `git`, `path`, `url`, `index`, `workspace`; `index` must name a
/// `[[tool.uv.index]]`.
fn sources(cx: &Cx, sources: &dyn TableLike, named: &HashSet<String>) -> Result<(), Diagnostic> {
    const KINDS: [&str; 5] = ["git", "path", "url", "index", "workspace"];
    for (package, item) in entries(sources) {
        let mut tables: Vec<(&dyn TableLike, std::ops::Range<usize>)> = Vec::new();
        match item.as_array() {
            Some(array) => {
                for v in array.iter() {
                    let span = v.span().unwrap_or(0..0);
                    match v.as_inline_table() {
                        Some(t) => tables.push((t, span)),
                        None => {
                            return Err(cx.error(span, "a uv source must be a table").expected(
                                "`{ index = \"…\" }`, `{ git = \"…\" }`, `{ path = \"…\" }`, …",
                            ));
                        }
                    }
                }
            }
            None => tables.push((
                cx.table(package, item, &format!("tool.uv.sources.{}", package.get()))?,
                cx.span_of(package, item),
            )),
        }
        for (table, span) in tables {
            let kinds: Vec<&str> = KINDS
                .into_iter()
                .filter(|k| table.contains_key(k))
                .collect();
            if kinds.len() != 1 {
                return Err(cx
                    .error(
                        span,
                        format!(
                            "uv source for `{}` must have exactly one kind",
                            package.get()
                        ),
                    )
                    .expected("one of `git`, `path`, `url`, `index`, `workspace`"));
            }
            if let Some((k, i)) = table.get_key_value("index") {
                let (name, offset) = cx.string_item(k, i, "tool.uv.sources.index")?;
                if !named.contains(&name) {
                    return Err(cx
                        .error(
                            offset..offset + name.len(),
                            format!("unknown index `{name}`"),
                        )
                        .expected("the `name` of a `[[tool.uv.index]]`"));
                }
            }
            if let Some((k, i)) = table.get_key_value("marker") {
                let (marker, offset) = cx.string_item(k, i, "tool.uv.sources.marker")?;
                unilock_model::requirement::parse_marker(&marker).map_err(|e| {
                    cx.error(
                        offset..offset + marker.len(),
                        format!("invalid source marker: {}", e.message),
                    )
                    .expected("a PEP 508 marker")
                })?;
            }
        }
    }
    Ok(())
}

/// `conflicts`: an array of conflict sets, each an array of at least two tables naming an
/// `extra` or a `group` (optionally of another `package`).
fn conflicts(cx: &Cx, key: &Key, item: &Item) -> Result<(), Diagnostic> {
    let expected = "`[[{ extra = \"a\" }, { extra = \"b\" }]]` (sets of extras or groups)";
    let sets = item.as_array().ok_or_else(|| {
        cx.error(
            cx.span_of(key, item),
            "`tool.uv.conflicts` must be an array",
        )
        .expected(expected)
    })?;
    for set in sets.iter() {
        let span = set.span().unwrap_or(0..0);
        let members = set.as_array().filter(|a| a.len() >= 2).ok_or_else(|| {
            cx.error(
                span.clone(),
                "a conflict set must be an array of two or more tables",
            )
            .expected(expected)
        })?;
        for member in members.iter() {
            let span = member.span().unwrap_or(0..0);
            let table = member.as_inline_table();
            let valid = table.is_some_and(|t| {
                let kinds = ["extra", "group"]
                    .iter()
                    .filter(|k| t.contains_key(k))
                    .count();
                kinds == 1
                    && t.iter()
                        .all(|(k, v)| ["extra", "group", "package"].contains(&k) && v.is_str())
            });
            if !valid {
                return Err(cx.error(span, "invalid conflict entry").expected(
                    "`{ extra = \"…\" }` or `{ group = \"…\" }`, optionally with `package`",
                ));
            }
        }
    }
    Ok(())
}
