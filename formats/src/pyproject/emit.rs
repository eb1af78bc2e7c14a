//! Writing a [`Document`] back into a `pyproject.toml`, format-preserving.
//!
//! The original text is returned unchanged when the document says what it already says
//! (origins ignored). Otherwise only these arrays are rewritten, and only when their
//! requirements changed: `[project] dependencies`, `[project.optional-dependencies]`,
//! `[dependency-groups]` (an `{include-group = …}` entry stays while the group still holds the
//! included requirements) and uv's `constraint-dependencies` / `override-dependencies`.
//! Within a rewritten array, unchanged entries keep their text, comments and layout; a changed
//! entry is replaced in place. `name` and `requires-python` of `[project]` are updated when
//! they differ. Requirements of `[tool.poetry]`, `[tool.pixi]` and uv's `dev-dependencies` are
//! never rewritten: changing one is an error, as is a requirement PEP 621 cannot hold (conda,
//! unnamed, editable, hashed). Indexes, environments and resolver options are not written.

use super::{FORMAT, Section, normalize, parse_tagged};
use std::collections::HashMap;
use toml_edit::{Array, DocumentMut, Item, Table, TableLike, Value};
use unilock_model::manifest::{ManifestRequirement, RequirementRole};
use unilock_model::{Diagnostic, Document, Requirement};

/// The name `original` is read as when the document does not say which file it came from.
const FILE: &str = "pyproject.toml";

/// Writes `doc` into `original` (the current text of the `pyproject.toml`; empty for a new
/// file) and returns the new text.
pub fn emit(original: &str, doc: &Document) -> Result<String, Diagnostic> {
    // Read the original as the file the document was read from, so relative paths resolve
    // the same way.
    let file = doc.manifest.sources.first().map_or(FILE, String::as_str);
    let (before, sections) = parse_tagged(file, original)?;
    let mut wanted = doc.without_origins();
    wanted.format = FORMAT.to_string();
    if before.without_origins() == wanted {
        return Ok(original.to_string());
    }
    let plan = plan(&before, &sections, &wanted)?;
    let mut toml: DocumentMut = original
        .parse()
        .map_err(|e| Diagnostic::invalid(format!("invalid TOML: {e}")))?;
    let original_has_project = toml.contains_key("project");
    let groups = GroupLists::new(&plan);
    for (section, desired) in &plan.desired {
        let original = plan.original_list(section);
        if original == Some(desired) || (original.is_none() && desired.is_empty()) {
            continue;
        }
        let array = array_mut(&mut toml, section)?;
        rewrite(array, desired, &groups);
    }
    if wanted.requires_python != before.requires_python {
        match &wanted.requires_python {
            Some(spec) => {
                let project = table_mut(toml.as_table_mut(), "project")?;
                set_string(project, "requires-python", spec);
            }
            None => {
                if let Some(project) = toml.get_mut("project").and_then(Item::as_table_like_mut) {
                    project.remove("requires-python");
                }
            }
        }
    }
    // A `[project]` table this emit created needs the name PEP 621 requires.
    let created = !original_has_project && toml.contains_key("project");
    if (wanted.project != before.project || created)
        && let Some(name) = &wanted.project
    {
        set_string(table_mut(toml.as_table_mut(), "project")?, "name", name);
    }
    if created && let Some(project) = toml.get_mut("project").and_then(Item::as_table_mut) {
        // Nobody laid this table out: put `name` and `requires-python` first, as tools do.
        let rank = |k: &str| {
            ["name", "requires-python"]
                .iter()
                .position(|f| *f == k)
                .unwrap_or(2)
        };
        project.sort_values_by(|a, _, b, _| rank(a.get()).cmp(&rank(b.get())));
    }
    Ok(toml.to_string())
}

/// Which requirements go into which managed array.
struct Plan {
    /// The managed arrays of the original, expanded, in file order.
    original: Vec<(Section, Vec<Requirement>)>,
    /// What each managed array must hold: the original ones, then new ones.
    desired: Vec<(Section, Vec<Requirement>)>,
}

impl Plan {
    fn original_list(&self, section: &Section) -> Option<&Vec<Requirement>> {
        self.original
            .iter()
            .find(|(s, _)| s == section)
            .map(|(_, l)| l)
    }
}

type Key = (RequirementRole, Option<String>);

fn section_key(section: &Section) -> Option<Key> {
    let dep = RequirementRole::Dependency;
    match section {
        Section::Dependencies => Some((dep, None)),
        Section::OptionalDependencies(g) | Section::DependencyGroup(g) => {
            Some((dep, Some(g.clone())))
        }
        Section::UvConstraints => Some((RequirementRole::Constraint, None)),
        Section::UvOverrides => Some((RequirementRole::Override, None)),
        Section::Tool => None,
    }
}

fn bare(r: &ManifestRequirement) -> ManifestRequirement {
    ManifestRequirement {
        origin: None,
        ..r.clone()
    }
}

fn plan(before: &Document, sections: &[Section], wanted: &Document) -> Result<Plan, Diagnostic> {
    let mut rest: Vec<Option<ManifestRequirement>> = wanted
        .manifest
        .requirements
        .iter()
        .map(|r| Some(bare(r)))
        .collect();
    let mut original: Vec<(Section, Vec<Requirement>)> = Vec::new();
    for (r, section) in before.manifest.requirements.iter().zip(sections) {
        if *section == Section::Tool {
            let r = bare(r);
            let Some(slot) = rest.iter_mut().find(|x| x.as_ref() == Some(&r)) else {
                let at = before.manifest.requirements.iter().find(|x| bare(x) == r);
                let place = at
                    .and_then(|x| x.origin.as_ref())
                    .map(|o| format!(" (at {o})"))
                    .unwrap_or_default();
                return Err(Diagnostic::invalid(format!(
                    "cannot remove or change `{}`{place}: only [project], [dependency-groups] and uv's constraint and override arrays are rewritten",
                    r.requirement
                )));
            };
            *slot = None;
            continue;
        }
        match original.iter_mut().find(|(s, _)| s == section) {
            Some((_, list)) => list.push(r.requirement.clone()),
            None => original.push((section.clone(), vec![r.requirement.clone()])),
        }
    }
    let mut pool: Vec<(Section, Vec<Option<Requirement>>)> = original
        .iter()
        .map(|(s, l)| (s.clone(), l.iter().cloned().map(Some).collect()))
        .collect();
    let mut desired: Vec<(Section, Vec<Requirement>)> = original
        .iter()
        .map(|(s, _)| (s.clone(), Vec::new()))
        .collect();
    let mut last: HashMap<Key, Section> = HashMap::new();
    for r in rest.into_iter().flatten() {
        representable(&r)?;
        let key = (r.role, r.group.clone());
        let matched = pool
            .iter_mut()
            .filter(|(s, _)| section_key(s).as_ref() == Some(&key))
            .find_map(|(s, list)| {
                let slot = list
                    .iter_mut()
                    .find(|x| x.as_ref() == Some(&r.requirement))?;
                *slot = None;
                Some(s.clone())
            });
        let target = match matched.or_else(|| last.get(&key).cloned()) {
            Some(s) => s,
            None => match desired
                .iter()
                .find(|(s, _)| section_key(s).as_ref() == Some(&key))
            {
                Some((s, _)) => s.clone(),
                None => new_section(&key, &r)?,
            },
        };
        match desired.iter_mut().find(|(s, _)| *s == target) {
            Some((_, list)) => list.push(r.requirement.clone()),
            None => desired.push((target.clone(), vec![r.requirement.clone()])),
        }
        last.insert(key, target);
    }
    Ok(Plan { original, desired })
}

fn representable(r: &ManifestRequirement) -> Result<(), Diagnostic> {
    let why = match &r.requirement {
        Requirement::Conda(_) => Some("conda requirements have no place in [project]"),
        Requirement::PypiUnnamed(_) => Some("PEP 621 requirements must be named"),
        Requirement::Pypi(_) if r.editable => Some("PEP 621 cannot mark a requirement editable"),
        Requirement::Pypi(_) if !r.hashes.is_empty() => Some("PEP 621 cannot hold hashes"),
        Requirement::Pypi(_) => None,
    };
    match why {
        Some(why) => Err(Diagnostic::invalid(format!(
            "cannot write `{}` to pyproject.toml: {why}",
            r.requirement
        ))),
        None => Ok(()),
    }
}

fn new_section(key: &Key, r: &ManifestRequirement) -> Result<Section, Diagnostic> {
    match key {
        (RequirementRole::Dependency, None) => Ok(Section::Dependencies),
        (RequirementRole::Dependency, Some(g)) => Ok(Section::DependencyGroup(g.clone())),
        (RequirementRole::Constraint, None) => Ok(Section::UvConstraints),
        (RequirementRole::Override, None) => Ok(Section::UvOverrides),
        (_, Some(g)) => Err(Diagnostic::invalid(format!(
            "cannot write `{}` to pyproject.toml: constraints and overrides cannot belong to group `{g}`",
            r.requirement
        ))),
    }
}

/// Original and desired contents of every dependency group, by normalised name, to decide
/// which `include-group` entries still hold.
struct GroupLists(HashMap<String, (Vec<Requirement>, Vec<Requirement>)>);

impl GroupLists {
    fn new(plan: &Plan) -> Self {
        let mut map = HashMap::new();
        for (section, desired) in &plan.desired {
            if let Section::DependencyGroup(g) = section {
                let original = plan.original_list(section).cloned().unwrap_or_default();
                map.insert(normalize(g), (original, desired.clone()));
            }
        }
        GroupLists(map)
    }

    /// Removes the requirements of group `name` from `remaining` when all of them are there
    /// (as the group now is, or as it was); says whether it did.
    fn take(&self, name: &str, remaining: &mut Vec<Requirement>) -> bool {
        let Some((original, desired)) = self.0.get(&normalize(name)) else {
            return false;
        };
        for candidate in [desired, original] {
            let mut left = remaining.clone();
            let all = candidate
                .iter()
                .all(|r| match left.iter().position(|x| x == r) {
                    Some(i) => {
                        left.remove(i);
                        true
                    }
                    None => false,
                });
            if all {
                *remaining = left;
                return true;
            }
        }
        false
    }
}

/// The array of a managed section, created (with its tables) when missing.
fn array_mut<'a>(
    toml: &'a mut DocumentMut,
    section: &Section,
) -> Result<&'a mut Array, Diagnostic> {
    let root = toml.as_table_mut() as &mut dyn TableLike;
    let (parent, key): (&mut dyn TableLike, &str) = match section {
        Section::Dependencies => (table_mut(root, "project")?, "dependencies"),
        Section::OptionalDependencies(g) => {
            let project = table_mut(root, "project")?;
            (table_mut(project, "optional-dependencies")?, g.as_str())
        }
        Section::DependencyGroup(g) => (table_mut(root, "dependency-groups")?, g.as_str()),
        Section::UvConstraints | Section::UvOverrides => {
            let tool = implicit_table_mut(root, "tool")?;
            let uv = table_mut(tool, "uv")?;
            let key = if *section == Section::UvConstraints {
                "constraint-dependencies"
            } else {
                "override-dependencies"
            };
            (uv, key)
        }
        Section::Tool => return Err(Diagnostic::invalid("tool tables are never rewritten")),
    };
    let item = parent.entry(key).or_insert_with(|| {
        let mut array = Array::new();
        array.set_trailing("\n");
        array.set_trailing_comma(true);
        Item::Value(Value::Array(array))
    });
    item.as_array_mut()
        .ok_or_else(|| Diagnostic::invalid(format!("`{key}` is not an array")))
}

fn table_mut<'a>(
    parent: &'a mut dyn TableLike,
    key: &str,
) -> Result<&'a mut dyn TableLike, Diagnostic> {
    parent
        .entry(key)
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_like_mut()
        .ok_or_else(|| Diagnostic::invalid(format!("`{key}` is not a table")))
}

fn implicit_table_mut<'a>(
    parent: &'a mut dyn TableLike,
    key: &str,
) -> Result<&'a mut dyn TableLike, Diagnostic> {
    parent
        .entry(key)
        .or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(true);
            Item::Table(t)
        })
        .as_table_like_mut()
        .ok_or_else(|| Diagnostic::invalid(format!("`{key}` is not a table")))
}

/// Sets `key` to a string, keeping the decor of the value it replaces.
fn set_string(table: &mut dyn TableLike, key: &str, value: &str) {
    let mut new = Value::from(value);
    if let Some(old) = table.get(key).and_then(Item::as_value) {
        *new.decor_mut() = old.decor().clone();
    }
    table.insert(key, Item::Value(new));
}

/// One element of an array being rewritten.
enum Element {
    /// A requirement string: its parsed form and its value (text and decor).
    Requirement(Option<Requirement>, Value),
    /// An `{include-group = …}` entry and the group it names.
    Include(String, Value),
}

/// Rewrites `array` to hold `desired`, keeping unchanged entries as they are.
fn rewrite(array: &mut Array, desired: &[Requirement], groups: &GroupLists) {
    let elements: Vec<Element> = array
        .iter()
        .map(|v| {
            match v
                .as_inline_table()
                .and_then(|t| t.get("include-group"))
                .and_then(Value::as_str)
            {
                Some(group) => Element::Include(group.to_string(), v.clone()),
                None => {
                    let parsed = v
                        .as_str()
                        .and_then(|s| Requirement::parse_pypi(s, FILE, s, 0).ok());
                    Element::Requirement(parsed, v.clone())
                }
            }
        })
        .collect();
    let mut remaining = desired.to_vec();
    let kept: Vec<bool> = elements
        .iter()
        .map(|e| match e {
            Element::Include(group, _) => groups.take(group, &mut remaining),
            Element::Requirement(..) => false,
        })
        .collect();
    let strings: Vec<(usize, Option<&Requirement>, &Value)> = elements
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Element::Requirement(r, v) => Some((i, r.as_ref(), v)),
            Element::Include(..) => None,
        })
        .collect();
    // The layout of a new entry: the indentation of the others, not the comments above them.
    let typical = strings
        .get(1)
        .or(strings.first())
        .map(|(_, _, v)| v.decor().clone())
        .map(|mut decor| {
            let prefix = decor.prefix().and_then(|p| p.as_str()).unwrap_or("");
            if prefix.contains('#') {
                let indent = prefix.rsplit('\n').next().unwrap_or("");
                decor.set_prefix(format!("\n{indent}"));
            }
            decor
        });
    let fresh = |r: &Requirement, like: Option<&Value>| {
        let mut v = Value::from(r.to_string());
        match (like, &typical) {
            (Some(old), _) => *v.decor_mut() = old.decor().clone(),
            (None, Some(decor)) => *v.decor_mut() = decor.clone(),
            (None, None) => v.decor_mut().set_prefix("\n    "),
        }
        v
    };
    // Longest common subsequence of the original strings and the remaining requirements.
    let (n, m) = (strings.len(), remaining.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if strings[i].1 == remaining.get(j) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // For each original element: what replaces it; new values before the first string go first.
    let mut out_at: Vec<Vec<Value>> = vec![Vec::new(); elements.len()];
    let mut leading = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut anchor: Option<usize> = None;
    while i < n || j < m {
        let here = strings.get(i);
        if i < n && j < m && here.and_then(|s| s.1) == remaining.get(j) {
            if let Some((index, _, v)) = here {
                out_at[*index].push((*v).clone());
                anchor = Some(*index);
            }
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            // A new requirement: it replaces the next original string if that one goes away
            // here too, else it is inserted after the last kept element.
            let replaces = i < n && lcs[i + 1][j + 1] == lcs[i][j];
            if let (true, Some((index, _, v))) = (replaces, here) {
                if let Some(r) = remaining.get(j) {
                    out_at[*index].push(fresh(r, Some(v)));
                }
                anchor = Some(*index);
                i += 1;
            } else if let Some(r) = remaining.get(j) {
                match anchor {
                    Some(a) => out_at[a].push(fresh(r, None)),
                    None => leading.push(fresh(r, None)),
                }
            }
            j += 1;
        } else {
            if let Some((index, _, _)) = here {
                anchor = Some(*index);
            }
            i += 1;
        }
    }
    let mut values = leading;
    for (index, element) in elements.into_iter().enumerate() {
        if let (Element::Include(_, v), Some(true)) = (&element, kept.get(index)) {
            values.push(v.clone());
        }
        values.extend(
            out_at
                .get_mut(index)
                .map(std::mem::take)
                .unwrap_or_default(),
        );
    }
    let multiline = values.iter().any(|v| {
        v.decor()
            .prefix()
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.contains('\n'))
    });
    array.clear();
    for (k, mut v) in values.into_iter().enumerate() {
        if k == 0 && !multiline {
            v.decor_mut().set_prefix("");
        }
        array.push_formatted(v);
    }
}
