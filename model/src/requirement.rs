//! Requirements: what an input file asks for.
//!
//! A PyPI requirement is a PEP 508 requirement (name, extras, version specifiers or a direct
//! URL, environment markers), parsed by `pep508_rs`. A conda requirement is a MatchSpec
//! (`conda-forge::numpy >=1.26,<2 py312*`, `pytorch/linux-64::pytorch=2.3=*cuda*`), parsed by
//! `rattler_conda_types`. Parse errors become [`Diagnostic`]s that point at the offending
//! characters of the line they came from.

use crate::diagnostic::{Diagnostic, Span};
use crate::{Ecosystem, PackageName};
use rattler_conda_types::{MatchSpec, PackageNameMatcher, ParseMatchSpecOptions};
use std::fmt;

/// One requirement, PEP 508 or conda MatchSpec.
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    Pypi(Box<pep508_rs::Requirement>),
    /// A PyPI requirement given only as a URL or path, whose name is known once it is built
    /// (`./pkg`, `-e .`, `git+https://host/repo.git`).
    PypiUnnamed(Box<pep508_rs::UnnamedRequirement>),
    Conda(Box<MatchSpec>),
}

impl Requirement {
    /// Parses a PEP 508 requirement. `file` and `text` are the source the requirement was read
    /// from and `offset` the byte offset of `requirement` within `text`, so that an error points
    /// at the right line and column of the file.
    pub fn parse_pypi(
        requirement: &str,
        file: &str,
        text: &str,
        offset: usize,
    ) -> Result<Self, Diagnostic> {
        Self::parse_pypi_in(requirement, None, file, text, offset)
    }

    /// [`Requirement::parse_pypi`], with a relative path after `@` (`name @ ./dist/x.whl`)
    /// resolved against `working_dir`, as uv reads it.
    pub fn parse_pypi_in(
        requirement: &str,
        working_dir: Option<&std::path::Path>,
        file: &str,
        text: &str,
        offset: usize,
    ) -> Result<Self, Diagnostic> {
        if let Some((at, last)) = name_ends_in_punctuation(requirement) {
            let at = offset + at;
            return Err(Diagnostic::invalid(format!(
                "package names and extras must end with a letter or digit, not `{last}`"
            ))
            .at(file, text, Span::new(at, at + 1))
            .expected("a name such as `typing-extensions`"));
        }
        let parsed = guard_pep508(|| match working_dir {
            Some(dir) => pep508_rs::Requirement::parse(requirement, dir),
            None => requirement.parse::<pep508_rs::Requirement>(),
        })
        .ok_or_else(|| parser_failure(file, text, offset, requirement))?;
        if let Ok(r) = &parsed
            && let Some(other) = other_egg(r)
        {
            let at = offset + requirement.find("egg=").unwrap_or(0);
            return Err(Diagnostic::invalid(format!(
                "the URL's `#egg={other}` names another project than `{}`",
                r.name
            ))
            .at(file, text, Span::new(at, at + 4 + other.len()))
            .expected(format!("`#egg={}`, or no `#egg=`", r.name)));
        }
        if let Ok(r) = &parsed
            && !marker_writes_back(&r.marker)
        {
            return Err(unwritable_marker(file, text, offset, requirement));
        }
        if let Ok(r) = &parsed
            && let Some((at, why)) = unwritable_url(r, requirement)
        {
            let at = offset + at;
            return Err(Diagnostic::invalid(format!("invalid PEP 508 requirement: {why}"))
                .at(file, text, Span::new(at, at + 1))
                .expected("a URL or path, such as `name @ https://host/name-1.0.tar.gz` or `name @ ./dist/name-1.0.tar.gz`"));
        }
        parsed
            .map(|r| Requirement::Pypi(Box::new(settle_marker(r))))
            .map_err(|e| {
                let (mut start, mut len) = (e.start.min(requirement.len()), e.len.max(1));
                // For "Trailing `…` is not allowed" the span covers the whole specifier; point
                // at the trailing text itself, where pip points.
                let message = e.message.to_string();
                if let Some(trailing) = message
                    .strip_prefix("Trailing `")
                    .and_then(|m| m.split('`').next())
                    && !trailing.is_empty()
                    && let Some(at) = requirement.get(start..).and_then(|r| r.find(trailing))
                {
                    (start, len) = (start + at, trailing.len());
                }
                let start = offset + start;
                let end = start + len;
                Diagnostic::invalid(format!("invalid PEP 508 requirement: {message}"))
                    .at(file, text, Span::new(start, end))
                    .expected("a requirement such as `name[extra]>=1.0; python_version >= \"3.9\"`")
            })
    }

    /// Parses a conda MatchSpec with the leniency conda itself shows real files
    /// (`pytorch=2.3.1=*cuda*`, `numpy 1.26`). See
    /// [`Requirement::parse_pypi`] for the meaning of `file`, `text` and `offset`.
    pub fn parse_conda(
        spec: &str,
        file: &str,
        text: &str,
        offset: usize,
    ) -> Result<Self, Diagnostic> {
        MatchSpec::from_str(spec, ParseMatchSpecOptions::lenient())
            .map(|m| Requirement::Conda(Box::new(m)))
            .map_err(|e| {
                Diagnostic::invalid(format!("invalid conda MatchSpec `{spec}`: {e}"))
                    .at(file, text, Span::new(offset, offset + spec.len()))
                    .expected("a MatchSpec such as `conda-forge::numpy >=1.26,<2 py312*`")
            })
    }

    /// Parses a requirement given as a URL or path (`./pkg[extra]`, `git+https://…`), resolving
    /// relative paths against `working_dir`. See [`Requirement::parse_pypi`] for the rest.
    pub fn parse_pypi_unnamed(
        requirement: &str,
        working_dir: &std::path::Path,
        file: &str,
        text: &str,
        offset: usize,
    ) -> Result<Self, Diagnostic> {
        guard_pep508(|| {
            pep508_rs::UnnamedRequirement::parse(
                requirement,
                working_dir,
                &mut pep508_rs::TracingReporter,
            )
        })
        .ok_or_else(|| parser_failure(file, text, offset, requirement))?
        .and_then(|r| {
            if marker_writes_back(&r.marker) {
                Ok(r)
            } else {
                Err(pep508_rs::Pep508Error {
                    message: pep508_rs::Pep508ErrorSource::String(UNWRITABLE_MARKER.into()),
                    start: requirement.find(';').unwrap_or(0),
                    len: requirement.len() - requirement.find(';').unwrap_or(0),
                    input: requirement.to_string(),
                })
            }
        })
        .map(|r| Requirement::PypiUnnamed(Box::new(r)))
        .map_err(|e| {
            let start = offset + e.start.min(requirement.len());
            Diagnostic::invalid(format!("invalid URL or path requirement: {}", e.message))
                .at(file, text, Span::new(start, start + e.len.max(1)))
                .expected(
                    "a path such as `./pkg` or a URL such as `git+https://host/repo.git@v1.0`",
                )
        })
    }

    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            Requirement::Pypi(_) | Requirement::PypiUnnamed(_) => Ecosystem::Pypi,
            Requirement::Conda(_) => Ecosystem::Conda,
        }
    }

    /// The package this requirement is about, when it names exactly one (a conda MatchSpec may
    /// use a glob or regex instead of a name).
    pub fn name(&self) -> Option<PackageName> {
        match self {
            Requirement::Pypi(r) => Some(PackageName::Pypi(r.name.clone())),
            Requirement::PypiUnnamed(_) => None,
            Requirement::Conda(m) => match &m.name {
                PackageNameMatcher::Exact(n) => Some(PackageName::Conda(n.clone())),
                _ => None,
            },
        }
    }
}

/// Runs a pep508_rs parser, turning a panic into `None`. pep508_rs 0.9 (no longer maintained)
/// still panics on some malformed input — byte slicing inside multi-byte characters in its
/// marker parser, found by fuzzing — and user input must never crash unilock.
pub fn guard_pep508<T>(parse: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)).ok()
}

/// Why a PEP 508 string was refused, and where in it (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep508Failure {
    pub message: String,
    pub start: usize,
    pub len: usize,
}

impl fmt::Display for Pep508Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parses a PEP 508 marker; never panics.
pub fn parse_marker(text: &str) -> Result<pep508_rs::MarkerTree, Pep508Failure> {
    match guard_pep508(|| text.parse::<pep508_rs::MarkerTree>()) {
        Some(Ok(tree)) => Ok(tree),
        Some(Err(e)) => Err(Pep508Failure {
            message: e.message.to_string(),
            start: e.start,
            len: e.len,
        }),
        None => Err(Pep508Failure {
            message: "this marker cannot be read as PEP 508".into(),
            start: 0,
            len: text.len(),
        }),
    }
}

/// Parses a PEP 508 requirement, resolving relative paths against `working_dir` (absolute)
/// when given; never panics.
pub fn parse_requirement(
    text: &str,
    working_dir: Option<&std::path::Path>,
) -> Result<pep508_rs::Requirement, Pep508Failure> {
    if let Some((at, last)) = name_ends_in_punctuation(text) {
        return Err(Pep508Failure {
            message: format!(
                "package names and extras must end with a letter or digit, not `{last}`"
            ),
            start: at,
            len: 1,
        });
    }
    let parsed = guard_pep508(|| match working_dir {
        Some(dir) => pep508_rs::Requirement::parse(text, dir),
        None => text.parse::<pep508_rs::Requirement>(),
    });
    match parsed {
        Some(Ok(r)) => match unwritable_url(&r, text) {
            Some((at, why)) => Err(Pep508Failure {
                message: why.into(),
                start: at,
                len: 1,
            }),
            None => Ok(r),
        },
        Some(Err(e)) => Err(Pep508Failure {
            message: e.message.to_string(),
            start: e.start,
            len: e.len,
        }),
        None => Err(Pep508Failure {
            message: "this requirement cannot be read as PEP 508".into(),
            start: 0,
            len: text.len(),
        }),
    }
}

/// Where the URL of `name @#fragment` or `name @-x` starts, when the URL as written begins
/// with `#` or `-`: the URL parser reads it against the working directory, but written back as
/// `name @ #fragment` the `#` starts a comment and `name @ -x` reads as an option, so such a
/// requirement cannot be written and is refused (`name @ ./-x` names that path).
fn unwritable_url(r: &pep508_rs::Requirement, text: &str) -> Option<(usize, &'static str)> {
    let Some(pep508_rs::VersionOrUrl::Url(url)) = &r.version_or_url else {
        return None;
    };
    let given = url.given()?.trim_start();
    let at = text.find('@').map_or(0, |at| {
        let rest = &text[at + 1..];
        at + 1 + rest.len() - rest.trim_start().len()
    });
    match given.chars().next() {
        Some('#') => return Some((at, "the URL after `@` is only a fragment")),
        Some('-') => {
            return Some((
                at,
                "the URL after `@` starts with `-`, which reads as an option",
            ));
        }
        _ => {}
    }
    // Found by the requirements fuzz target: a path holding control bytes became a file URL
    // whose `%` escapes were escaped again on every round.
    let offset = given.find(|c: char| c.is_control())?;
    let start = text.find(given).map_or(at, |g| g + offset);
    Some((
        start,
        "the URL after `@` holds a control character, which no URL or path written back can carry",
    ))
}

/// The project a `name @ URL#egg=other` URL's fragment names, when it is not `name`.
fn other_egg(r: &pep508_rs::Requirement) -> Option<String> {
    let Some(pep508_rs::VersionOrUrl::Url(url)) = &r.version_or_url else {
        return None;
    };
    let fragment = url.to_url().fragment()?.to_string();
    let egg = fragment.split('&').find_map(|p| p.strip_prefix("egg="))?;
    let egg = egg.split(['[', ';']).next().unwrap_or(egg);
    let same = pep508_rs::PackageName::new(egg.to_string()).is_ok_and(|n| n == r.name);
    (!same).then(|| egg.to_string())
}

/// Why a marker that does not write back is refused.
const UNWRITABLE_MARKER: &str =
    "a marker value holding a `'` cannot be written back (markers are written with single quotes)";

/// Whether `marker`, written as unilock writes it, reads back as the same marker. pep508_rs
/// writes every value in single quotes, so a value that holds one (`os_name == "it's"`) would
/// be written as text that no longer parses; such a requirement is refused where it is read.
fn marker_writes_back(marker: &pep508_rs::MarkerTree) -> bool {
    let Some(contents) = marker.contents() else {
        return true;
    };
    let shown = contents.to_string();
    matches!(guard_pep508(|| shown.parse::<pep508_rs::MarkerTree>()), Some(Ok(m)) if m == *marker)
}

/// The diagnostic for a requirement whose marker does not write back.
fn unwritable_marker(file: &str, text: &str, offset: usize, requirement: &str) -> Diagnostic {
    let start = offset + requirement.find(';').unwrap_or(0);
    Diagnostic::invalid(format!("invalid PEP 508 requirement: {UNWRITABLE_MARKER}"))
        .at(file, text, Span::new(start, offset + requirement.len()))
        .expected("marker values without `'`")
}

/// The diagnostic for input the PEP 508 parser could not handle at all.
fn parser_failure(file: &str, text: &str, offset: usize, requirement: &str) -> Diagnostic {
    Diagnostic::invalid("this requirement cannot be read as PEP 508")
        .at(file, text, Span::new(offset, offset + requirement.len()))
        .expected("a requirement such as `name[extra]>=1.0; python_version >= \"3.9\"`")
}

/// The requirement in the form it keeps through display and parse. pep508_rs writes some
/// degenerate markers (`python_version < '0'`) and the url crate some URLs (`%2E%2E` path
/// segments) in a form that reads back differently; taking the read-back form once makes every
/// later write → read stable.
fn settle_marker(r: pep508_rs::Requirement) -> pep508_rs::Requirement {
    let shown = r.to_string();
    match guard_pep508(|| shown.parse::<pep508_rs::Requirement>()) {
        Some(Ok(again)) if again != r => again,
        _ => r,
    }
}

/// Where a PEP 508 requirement's name, or one of its `[extras]`, ends in `.`, `-` or `_` (byte
/// offset of that character), which PEP 508 forbids. pep508_rs 0.9 panics instead of refusing
/// such a name when more input follows it (`numpy-==1`, `pkg[a-, b]`), so every caller of its
/// parser checks this first.
pub fn name_ends_in_punctuation(requirement: &str) -> Option<(usize, char)> {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    // The identifier starting at `start`, and the offset and value of its last character when
    // that is punctuation.
    let bad_end = |start: usize| -> (usize, Option<(usize, char)>) {
        let len = requirement[start..]
            .find(|c: char| !is_name_char(c))
            .unwrap_or(requirement.len() - start);
        let last = requirement[start..start + len].chars().last();
        let bad = last
            .filter(|c| matches!(c, '.' | '-' | '_'))
            .map(|c| (start + len - 1, c));
        (start + len, bad)
    };
    let lead = requirement.len() - requirement.trim_start().len();
    let (mut at, bad) = bad_end(lead);
    if bad.is_some() {
        return bad;
    }
    at += requirement[at..].len() - requirement[at..].trim_start().len();
    if !requirement[at..].starts_with('[') {
        return None;
    }
    at += 1;
    loop {
        at += requirement[at..].len() - requirement[at..].trim_start().len();
        let (end, bad) = bad_end(at);
        if bad.is_some() {
            return bad;
        }
        at = end + requirement[end..].len() - requirement[end..].trim_start().len();
        match requirement[at..].chars().next() {
            Some(',') => at += 1,
            _ => return None,
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Pypi(r) => r.fmt(f),
            Requirement::PypiUnnamed(r) => {
                // As written (`./pkg`), not as resolved (`file:///abs/pkg`), so emitted files
                // stay relative like their input.
                f.write_str(r.url.given().unwrap_or(r.url.as_str()))?;
                if !r.extras.is_empty() {
                    let extras: Vec<String> = r.extras.iter().map(ToString::to_string).collect();
                    write!(f, "[{}]", extras.join(","))?;
                }
                if let Some(marker) = r.marker.contents() {
                    write!(f, " ; {marker}")?;
                }
                Ok(())
            }
            Requirement::Conda(m) => m.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pypi(s: &str) -> Requirement {
        Requirement::parse_pypi(s, "t", s, 0).unwrap()
    }
    fn conda(s: &str) -> Requirement {
        Requirement::parse_conda(s, "t", s, 0).unwrap()
    }

    #[test]
    fn pep508_with_extras_markers_and_url() {
        let r = pypi(
            "Requests[Socks,security] >=2.31,<3 ; python_version >= '3.8' and sys_platform == 'linux'",
        );
        assert_eq!(r.name().unwrap().to_string(), "requests");
        let Requirement::Pypi(inner) = &r else {
            unreachable!()
        };
        assert_eq!(inner.extras.len(), 2);
        let url = pypi("pkg @ https://example.invalid/pkg-1.0-py3-none-any.whl");
        assert!(
            url.to_string()
                .contains("@ https://example.invalid/pkg-1.0")
        );
    }

    #[test]
    fn matchspec_with_channel_version_and_build_glob() {
        let r = conda("conda-forge::numpy >=1.26,<2 py312*");
        let Requirement::Conda(m) = &r else {
            unreachable!()
        };
        assert_eq!(m.channel.as_ref().unwrap().name(), "conda-forge");
        assert!(m.version.is_some());
        assert_eq!(m.build.as_ref().unwrap().to_string(), "py312*");
        assert_eq!(r.name().unwrap().to_string(), "numpy");
        let eq = conda("pytorch=2.3.1=*cuda*");
        let Requirement::Conda(m) = &eq else {
            unreachable!()
        };
        assert_eq!(m.build.as_ref().unwrap().to_string(), "*cuda*");
    }

    #[test]
    fn pep508_error_points_at_the_column_in_the_file() {
        let text = "numpy\nscipy >=>1.0\n";
        let err = Requirement::parse_pypi("scipy >=>1.0", "req.txt", text, 6).unwrap_err();
        let origin = err.origin().unwrap();
        assert_eq!((origin.file.as_str(), origin.line), ("req.txt", 2));
        assert!(origin.column >= 7, "column {}", origin.column);
        assert!(err.render().starts_with("req.txt:2:"), "{}", err.render());
    }

    #[test]
    fn degenerate_markers_settle_in_one_round() {
        let once = pypi("prompt-toolkit==3.0.52 ; python_version < '0'");
        let twice = pypi(&once.to_string());
        assert_eq!(once, twice);
        assert_eq!(once.to_string(), twice.to_string());
    }

    #[test]
    fn input_the_pep508_parser_panics_on_is_an_error() {
        let text = "x.whl; platform_system == \"w\"==1.27.*/g\u{0}l-\u{0}\u{cd}\n";
        let err = Requirement::parse_pypi_unnamed(
            text.trim_end(),
            std::path::Path::new("/"),
            "t",
            text,
            0,
        );
        assert!(err.is_err());
    }

    #[test]
    fn urls_settle_in_one_round() {
        let once = pypi("p @ file:///a/%2E%2E/b%7F");
        let twice = pypi(&once.to_string());
        assert_eq!(once, twice);
    }

    #[test]
    fn a_url_or_path_holding_a_control_character_is_refused_at_it() {
        let dir = std::path::Path::new("/work");
        let text = "clip @ ./a\u{1}b @ny";
        let err = Requirement::parse_pypi_in(text, Some(dir), "r.txt", text, 0).unwrap_err();
        assert!(
            err.message().contains("control character"),
            "{}",
            err.render()
        );
        assert_eq!(err.origin().map(|o| o.column), Some(11));
        assert!(parse_requirement("clip @ ./ab", Some(dir)).is_ok());
    }

    #[test]
    fn a_url_that_is_only_a_fragment_is_refused_since_it_cannot_be_written_back() {
        // Found by the requirements fuzz target: `pyp @#x` read as `file:///cwd#x`, written
        // back as `pyp @ #x`, where `#` starts a comment.
        let text = "pyp @#\0 n\0\0\0mump0";
        let dir = std::path::Path::new("/work");
        let err = Requirement::parse_pypi_in(text, Some(dir), "r.txt", text, 0).unwrap_err();
        assert!(
            err.message().contains("only a fragment"),
            "{}",
            err.render()
        );
        assert_eq!(err.origin().map(|o| o.column), Some(6));
        assert!(parse_requirement("pyp @#x", Some(dir)).is_err());
        // Likewise a URL that starts with `-`: ` p@-ny#op` was written back as `p @ -ny#op`.
        let text = " p@-ny#op /de+httumpp";
        let err = Requirement::parse_pypi_in(text.trim(), Some(dir), "r.txt", text, 1).unwrap_err();
        assert!(
            err.message().contains("starts with `-`"),
            "{}",
            err.render()
        );
        assert_eq!(err.origin().map(|o| o.column), Some(4));
        let fine = "pyp @ ./x#egg=pyp";
        assert!(Requirement::parse_pypi_in(fine, Some(dir), "r", fine, 0).is_ok());
    }

    #[test]
    fn a_url_whose_egg_names_another_project_is_refused() {
        // Found by the conda_env fuzz target (its pip section): `-e giit@master#egg=taming-
        // transformers` named two projects.
        let dir = std::path::Path::new("/work");
        let text = "giit@master#egg=taming-transformers";
        let err = Requirement::parse_pypi_in(text, Some(dir), "r.txt", text, 0).unwrap_err();
        assert!(
            err.message().contains("names another project"),
            "{}",
            err.render()
        );
        let fine = "Taming_Transformers @ ./master#egg=taming-transformers";
        assert!(Requirement::parse_pypi_in(fine, Some(dir), "r.txt", fine, 0).is_ok());
    }

    #[test]
    fn a_marker_value_holding_a_single_quote_is_refused_since_it_cannot_be_written_back() {
        // Found by the requirements fuzz target: `platform_system == "Wind'ows"` was written
        // back as `platform_system == 'Wind'ows'`, which does not parse.
        let dir = std::path::Path::new("/work");
        let named = "pkg ; platform_system == \"Wind'ows\"";
        let err = Requirement::parse_pypi(named, "r.txt", named, 0).unwrap_err();
        assert!(
            err.message().contains("cannot be written back"),
            "{}",
            err.render()
        );
        let unnamed =
            "https://host.example/pkg-1.0-py3-none-any.whl ; platform_system == \"Wind'ows\"";
        let err = Requirement::parse_pypi_unnamed(unnamed, dir, "r.txt", unnamed, 0).unwrap_err();
        assert!(
            err.message().contains("cannot be written back"),
            "{}",
            err.render()
        );
        let fine = "pkg ; platform_system == \"Windows\"";
        assert!(Requirement::parse_pypi(fine, "r.txt", fine, 0).is_ok());
    }

    #[test]
    fn names_ending_in_punctuation_are_refused_not_panicked_on() {
        for text in [
            "numpy-==1.0",
            "numpy_ [extra]",
            "a. ; python_version > '3'",
            "x-",
        ] {
            let err = Requirement::parse_pypi(text, "t", text, 0).unwrap_err();
            assert!(
                err.message().contains("end with"),
                "{text}: {}",
                err.render()
            );
        }
    }

    #[test]
    fn matchspec_error_points_at_the_spec() {
        let text = "deps:\n  - numpy >=1.0,<<2\n";
        let err = Requirement::parse_conda("numpy >=1.0,<<2", "env.yml", text, 10).unwrap_err();
        assert_eq!(err.origin().map(|o| (o.line, o.column)), Some((2, 5)));
    }

    proptest! {
        #[test]
        fn pep508_round_trips_through_display(
            name in "[A-Za-z][A-Za-z0-9_.-]{0,10}[A-Za-z0-9]",
            extras in prop::collection::vec("[a-z][a-z0-9]{0,5}", 0..3),
            op in prop::sample::select(vec![">=", "<=", "==", "!=", "~=", ">", "<"]),
            version in "[0-9]{1,2}(\\.[0-9]{1,2}){1,2}",
            marker in prop::sample::select(vec!["", "python_version >= '3.9'", "sys_platform == 'linux' and platform_machine == 'aarch64'", "extra == 'gpu'"]),
        ) {
            let mut text = name.clone();
            if !extras.is_empty() { text.push_str(&format!("[{}]", extras.join(","))); }
            text.push_str(&format!("{op}{version}"));
            if !marker.is_empty() { text.push_str(&format!("; {marker}")); }
            let once = pypi(&text);
            let twice = pypi(&once.to_string());
            prop_assert_eq!(&once, &twice);
            prop_assert_eq!(once.to_string(), twice.to_string());
        }

        #[test]
        fn matchspec_round_trips_through_display(
            channel in prop::option::of(prop::sample::select(vec!["conda-forge", "pytorch", "nvidia"])),
            name in "[a-z][a-z0-9-]{0,10}[a-z0-9]",
            version in prop::option::of("(>=|<|==)?[0-9]{1,2}(\\.[0-9]{1,2}){0,2}"),
            build in prop::option::of("[a-z0-9_]{1,6}\\*?"),
        ) {
            let mut text = String::new();
            if let Some(c) = &channel { text.push_str(&format!("{c}::")); }
            text.push_str(&name);
            if let Some(v) = &version {
                text.push_str(&format!(" {v}"));
                if let Some(b) = &build { text.push_str(&format!(" {b}")); }
            }
            let once = conda(&text);
            let twice = conda(&once.to_string());
            prop_assert_eq!(once.to_string(), twice.to_string());
            prop_assert_eq!(once.name(), twice.name());
        }
    }
}
