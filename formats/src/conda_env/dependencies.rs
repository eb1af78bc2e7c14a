//! The `dependencies` list of an environment.yml: conda MatchSpecs (with their selectors) and
//! the subsections (`pip:`, `sel(…):`), into the reader's document.

use super::parse::{R, Reader};
use super::yaml::{self, Found};
use super::{pip, selector};
use rattler_conda_types::{
    MatchSpec, MatchSpecCondition, PackageNameMatcher, ParseMatchSpecOptions,
};
use serde_yaml::{Mapping, Value};
use std::collections::HashMap;
use unilock_model::Requirement;
use unilock_model::manifest::{ManifestRequirement, RequirementRole};

impl Reader<'_> {
    pub(super) fn dependencies(&mut self, key_at: usize, value: &Value) -> R<()> {
        let items = match value {
            Value::Null => return Ok(()),
            Value::Sequence(items) => items,
            v => {
                return Err(self
                    .error(
                        key_at,
                        "dependencies".len(),
                        format!("`dependencies` must be a list, found {}", yaml::kind(v)),
                    )
                    .expected("a list of MatchSpecs, with an optional `pip:` list"));
            }
        };
        let mut seen = Seen::default();
        for item in items {
            match item {
                Value::String(spec) => {
                    let found = self.scalar_at(spec);
                    let selector = self.comment_selector(found.start)?;
                    self.conda(spec, found, selector, &mut seen)?;
                }
                Value::Mapping(m) => self.subsections(m, &mut seen)?,
                v => {
                    let at = self.loc.next_item(self.cursor);
                    let what = match v {
                        Value::Null => "an empty item".to_string(),
                        v => yaml::kind(v).to_string(),
                    };
                    return Err(self
                        .error(
                            at,
                            1,
                            format!("a dependency must be a MatchSpec string, found {what}"),
                        )
                        .expected("a MatchSpec such as `numpy >=1.26`, or a `pip:` list"));
                }
            }
        }
        Ok(())
    }

    /// The items of `dependencies` that are mappings: `pip:` lists and `sel(…)` selectors.
    fn subsections(&mut self, map: &Mapping, seen: &mut Seen) -> R<()> {
        for (k, v) in map {
            let Some(key) = k.as_str() else {
                let at = self.loc.next_token(self.cursor);
                return Err(self.error(
                    at,
                    1,
                    format!(
                        "a subsection name must be a string, found {}",
                        yaml::kind(k)
                    ),
                ));
            };
            let at = self.key_at(key);
            if key == "pip" {
                if self.comment_selector(at)?.is_some() {
                    return Err(self
                        .error(
                            at,
                            key.len(),
                            "a selector on the `pip:` line cannot be kept",
                        )
                        .expected("selectors on the pip requirements themselves"));
                }
                pip::section(self, at, v)?;
            } else if let Some(inner) = key.strip_prefix("sel(").and_then(|k| k.strip_suffix(')')) {
                let expr = self.sel_selector(inner, at + 4)?;
                let Value::String(spec) = v else {
                    return Err(self
                        .error(
                            at,
                            key.len(),
                            format!(
                                "`{key}` must map to a MatchSpec string, found {}",
                                yaml::kind(v)
                            ),
                        )
                        .expected(format!("`{key}: numpy >=1.26`")));
                };
                let found = self.scalar_at(spec);
                self.conda(spec, found, Some((at, expr)), seen)?;
            } else {
                return Err(self
                    .error(at, key.len(), format!("unknown subsection `{key}`: conda refuses subsections it cannot install"))
                    .expected("a `pip:` list or a `sel(linux):` selector"));
            }
        }
        Ok(())
    }

    /// micromamba's `sel(…)`: exactly one of `linux`, `osx`, `win`, `unix`.
    fn sel_selector(&self, inner: &str, at: usize) -> R<selector::Expr> {
        match selector::parse(inner) {
            Ok(expr @ selector::Expr::Var(_)) => Ok(expr),
            Ok(_) => Err(self
                .error(at, inner.len(), "a `sel(…)` selector names one system")
                .expected("`sel(linux)`, `sel(osx)`, `sel(win)` or `sel(unix)`")),
            Err(e) => Err(self
                .error(at + e.start, e.end - e.start, e.message)
                .expected("`sel(linux)`, `sel(osx)`, `sel(win)` or `sel(unix)`")),
        }
    }

    /// The comment selector (`# [win]`) on the line of `at`, with the offset of its expression.
    pub(super) fn comment_selector(&self, at: usize) -> R<Option<(usize, selector::Expr)>> {
        let Some((comment_at, comment)) = self.loc.comment(at) else {
            return Ok(None);
        };
        let Some((start, end)) = selector::in_comment(comment) else {
            return Ok(None);
        };
        let expr_at = comment_at + start;
        selector::parse(&comment[start..end])
            .map(|e| Some((expr_at, e)))
            .map_err(|e| {
                self.error(
                    expr_at + e.start,
                    e.end - e.start,
                    format!("selector `[{}]`: {}", &comment[start..end], e.message),
                )
                .expected(
                    "`# [linux]`, `# [osx]`, `# [win]` or `# [unix]`, joined with `and` / `or`",
                )
            })
    }

    /// One conda MatchSpec with the selector that guards it.
    fn conda(
        &mut self,
        spec: &str,
        found: Found,
        selector: Option<(usize, selector::Expr)>,
        seen: &mut Seen,
    ) -> R<()> {
        let at = found.start;
        let mut m = parse_matchspec(spec).map_err(|e| {
            self.error(
                at,
                spec.len(),
                format!("invalid conda MatchSpec `{spec}`: {e}"),
            )
            .expected("a MatchSpec such as `conda-forge::numpy >=1.26,<2 py312*`")
        })?;
        if let Some((sel_at, expr)) = selector {
            let Some(condition) = selector::to_condition(&expr) else {
                return Err(self.error(
                    sel_at,
                    1,
                    "this selector cannot be written as a condition",
                ));
            };
            m.condition = Some(match m.condition.take() {
                Some(existing) => MatchSpecCondition::And(Box::new(existing), Box::new(condition)),
                None => condition,
            });
        }
        if let PackageNameMatcher::Exact(name) = &m.name {
            let key = format!(
                "{} {:?}",
                name.as_normalized(),
                m.condition.as_ref().map(ToString::to_string)
            );
            let line = self.origin(at).line;
            if let Some(first) = seen.conda.insert(key, line) {
                self.warn(
                    at,
                    format!(
                        "`{}` is listed twice (first on line {first}); both are kept",
                        name.as_normalized()
                    ),
                );
            }
        }
        self.doc.manifest.requirements.push(ManifestRequirement {
            requirement: Requirement::Conda(Box::new(m)),
            role: RequirementRole::Dependency,
            group: None,
            editable: false,
            hashes: Vec::new(),
            origin: Some(self.origin(at)),
            platform: None,
        });
        Ok(())
    }
}

/// The names already seen, to warn about duplicates: name (and condition) → line.
#[derive(Default)]
struct Seen {
    conda: HashMap<String, u32>,
}

/// Parses a MatchSpec the way conda reads environment.yml entries, with the CEP 29 extensions
/// (`[when="…"]`, `[extras=[…]]`, `[flags=[…]]`), in the form it keeps through write and read.
pub fn parse_matchspec(spec: &str) -> Result<MatchSpec, String> {
    let options = ParseMatchSpecOptions::lenient()
        .with_extras(true)
        .with_conditionals(true)
        .with_flags(true);
    let parsed = std::panic::catch_unwind(|| MatchSpec::from_str(spec, options))
        .map_err(|_| "this MatchSpec cannot be read".to_string())?
        .map_err(|e| e.to_string())?;
    // rattler's lenient mode takes everything after the version as the build string, so
    // `a ==1 - b ==2` (a YAML scalar folded over several lines) would read as one spec whose
    // build is `- b ==2`. A build string has no spaces: refuse rather than guess.
    if let Some(build) = &parsed.build
        && build.to_string().contains(char::is_whitespace)
    {
        return Err(format!(
            "more than a name, a version and a build: the build would be `{build}`"
        ));
    }
    // Display writes some specs in a form that reads back differently (`=1.2` as `1.2.*`);
    // taking the read-back form once keeps every later write → read stable.
    let shown = parsed.to_string();
    match std::panic::catch_unwind(|| MatchSpec::from_str(&shown, options)) {
        Ok(Ok(again)) => Ok(again),
        _ => Ok(parsed),
    }
}
