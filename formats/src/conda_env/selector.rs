//! Platform selectors of environment.yml lines (CEP 24): conda-build's comment selectors
//! (`- pywin32  # [win]`, `# [linux or osx]`), which conda-lock reads, and micromamba's
//! dictionary selectors (`- sel(linux): gxx`).
//!
//! unilock keeps a selector on the requirement it guards, in the form the rest of unilock
//! evaluates against a target: on a conda requirement as a CEP 29 `when=` condition on the
//! operating system's virtual package (`[win]` → `when="__win"`), on a pip requirement as a
//! PEP 508 marker (`[win]` → `sys_platform == 'win32'`). That works for the operating-system
//! variables `linux`, `osx`, `win` and `unix`, joined with `and`, `or` and parentheses. The
//! architecture variables of conda-build (`linux64`, `aarch64`, `arm64`, …) name a subdir, which
//! no virtual package expresses, and `not` has no counterpart in a MatchSpec condition: both are
//! refused with an error that says so, rather than guessed at.

use rattler_conda_types::{
    MatchSpec, MatchSpecCondition, PackageNameMatcher, ParseMatchSpecOptions,
};

/// An operating-system variable of a selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Osx,
    Win,
    /// Linux or macOS: every system but Windows, as in conda-build.
    Unix,
}

impl Os {
    const ALL: [Os; 4] = [Os::Linux, Os::Osx, Os::Win, Os::Unix];

    pub fn name(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::Osx => "osx",
            Os::Win => "win",
            Os::Unix => "unix",
        }
    }

    /// The virtual package present exactly on this operating system.
    fn virtual_package(self) -> &'static str {
        match self {
            Os::Linux => "__linux",
            Os::Osx => "__osx",
            Os::Win => "__win",
            Os::Unix => "__unix",
        }
    }

    /// The PEP 508 marker true exactly on this operating system.
    fn marker(self) -> &'static str {
        match self {
            Os::Linux => "sys_platform == 'linux'",
            Os::Osx => "sys_platform == 'darwin'",
            Os::Win => "sys_platform == 'win32'",
            Os::Unix => "sys_platform != 'win32'",
        }
    }

    fn from_name(name: &str) -> Option<Os> {
        Os::ALL.into_iter().find(|os| os.name() == name)
    }
}

/// A selector expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Var(Os),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// Why a selector cannot be kept, and where in the expression (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

/// conda-build's architecture variables: valid selectors that unilock cannot keep.
const ARCH_VARIABLES: &[&str] = &[
    "linux32", "linux64", "armv6l", "armv7l", "aarch64", "ppc64le", "s390x", "arm64", "osx64",
    "win32", "win64", "x86", "x86_64", "riscv64",
];

/// The `[expression]` of a comment that ends in a selector, as conda-build finds it (the last
/// bracketed text of the comment, with no parentheses after it): byte range of the expression
/// inside `comment` (the text after `#`).
pub fn in_comment(comment: &str) -> Option<(usize, usize)> {
    let close = comment.rfind(']')?;
    if comment[close + 1..].contains(['(', ')', '[']) {
        return None;
    }
    let open = comment[..close].rfind('[')?;
    if comment[open + 1..close].contains(']') || comment[open + 1..close].trim().is_empty() {
        return None;
    }
    Some((open + 1, close))
}

/// Parses a selector expression: variables joined by `and` / `or` (`and` binds tighter), with
/// parentheses.
pub fn parse(text: &str) -> Result<Expr, SelectorError> {
    let tokens = tokens(text);
    let mut parser = Parser {
        text,
        tokens,
        at: 0,
    };
    let expr = parser.or()?;
    match parser.tokens.get(parser.at) {
        None => Ok(expr),
        Some(&(s, e)) => Err(SelectorError {
            message: format!("unexpected `{}` in the selector", &text[s..e]),
            start: s,
            end: e,
        }),
    }
}

/// Splits an expression into words and parentheses, with their byte ranges.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() || c == '(' || c == ')' {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
            if !c.is_whitespace() {
                out.push((i, i + 1));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<(usize, usize)>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(|&(s, e)| &self.text[s..e])
    }

    fn or(&mut self) -> Result<Expr, SelectorError> {
        let mut left = self.and()?;
        while self.peek() == Some("or") {
            self.at += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SelectorError> {
        let mut left = self.atom()?;
        while self.peek() == Some("and") {
            self.at += 1;
            let right = self.atom()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Expr, SelectorError> {
        let Some(&(s, e)) = self.tokens.get(self.at) else {
            let end = self.text.len();
            return Err(SelectorError {
                message: "the selector ends where a variable was expected".into(),
                start: end,
                end,
            });
        };
        self.at += 1;
        let word = &self.text[s..e];
        if word == "(" {
            let inner = self.or()?;
            if self.peek() != Some(")") {
                let end = self.tokens.get(self.at).map_or(self.text.len(), |t| t.0);
                return Err(SelectorError {
                    message: "unclosed `(` in the selector".into(),
                    start: end,
                    end,
                });
            }
            self.at += 1;
            return Ok(inner);
        }
        if let Some(os) = Os::from_name(word) {
            return Ok(Expr::Var(os));
        }
        let message = if word == "not" {
            "`not` cannot be kept: a MatchSpec `when=` condition has no negation; \
             name the systems it applies to (`linux or osx`)"
                .to_string()
        } else if ARCH_VARIABLES.contains(&word) {
            format!(
                "the architecture selector `{word}` names a subdir, which unilock cannot keep on \
                 a requirement (it keeps `linux`, `osx`, `win` and `unix` as `when=` conditions)"
            )
        } else {
            format!("`{word}` is not a selector variable unilock knows")
        };
        Err(SelectorError {
            message,
            start: s,
            end: e,
        })
    }
}

/// The selector as text, with parentheses only where `or` sits inside `and`.
pub fn display(expr: &Expr) -> String {
    match expr {
        Expr::Var(os) => os.name().to_string(),
        Expr::Or(a, b) => format!("{} or {}", display(a), display(b)),
        Expr::And(a, b) => {
            let side = |e: &Expr| match e {
                Expr::Or(..) => format!("({})", display(e)),
                _ => display(e),
            };
            format!("{} and {}", side(a), side(b))
        }
    }
}

/// The selector as a PEP 508 marker.
pub fn to_marker(expr: &Expr) -> String {
    match expr {
        Expr::Var(os) => os.marker().to_string(),
        Expr::And(a, b) => format!("({}) and ({})", to_marker(a), to_marker(b)),
        Expr::Or(a, b) => format!("({}) or ({})", to_marker(a), to_marker(b)),
    }
}

/// The selector as a MatchSpec condition on virtual packages; `None` only if rattler refuses
/// the name of a virtual package, which it does not.
pub fn to_condition(expr: &Expr) -> Option<MatchSpecCondition> {
    Some(match expr {
        Expr::Var(os) => MatchSpecCondition::MatchSpec(Box::new(
            MatchSpec::from_str(os.virtual_package(), ParseMatchSpecOptions::strict()).ok()?,
        )),
        Expr::And(a, b) => {
            MatchSpecCondition::And(Box::new(to_condition(a)?), Box::new(to_condition(b)?))
        }
        Expr::Or(a, b) => {
            MatchSpecCondition::Or(Box::new(to_condition(a)?), Box::new(to_condition(b)?))
        }
    })
}

/// The selector a condition came from, when it is made only of bare operating-system virtual
/// packages (what [`to_condition`] builds); `None` for any other condition.
pub fn from_condition(condition: &MatchSpecCondition) -> Option<Expr> {
    Some(match condition {
        MatchSpecCondition::MatchSpec(spec) => {
            let PackageNameMatcher::Exact(name) = &spec.name else {
                return None;
            };
            let os = Os::ALL
                .into_iter()
                .find(|os| os.virtual_package() == name.as_normalized())?;
            let bare =
                MatchSpec::from_str(os.virtual_package(), ParseMatchSpecOptions::strict()).ok()?;
            if **spec != bare {
                return None;
            }
            Expr::Var(os)
        }
        MatchSpecCondition::And(a, b) => {
            Expr::And(Box::new(from_condition(a)?), Box::new(from_condition(b)?))
        }
        MatchSpecCondition::Or(a, b) => {
            Expr::Or(Box::new(from_condition(a)?), Box::new(from_condition(b)?))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_binds_tighter_than_or_and_display_keeps_the_meaning() {
        let e = parse("win or linux and (osx or unix)").unwrap();
        assert_eq!(display(&e), "win or linux and (osx or unix)");
        assert_eq!(parse(&display(&e)).unwrap(), e);
        let c = to_condition(&e).unwrap();
        assert_eq!(from_condition(&c), Some(e));
    }

    #[test]
    fn architecture_variables_and_not_are_refused_with_their_place() {
        let e = parse("linux or linux64").unwrap_err();
        assert_eq!((e.start, e.end), (9, 16));
        assert!(e.message.contains("names a subdir"), "{}", e.message);
        assert!(
            parse("not win")
                .unwrap_err()
                .message
                .contains("no negation")
        );
        assert!(
            parse("py<38")
                .unwrap_err()
                .message
                .contains("not a selector")
        );
        assert!(parse("(linux").unwrap_err().message.contains("unclosed"));
        assert!(parse("linux or").unwrap_err().message.contains("ends"));
    }

    #[test]
    fn comment_selectors_are_found_like_conda_build_finds_them() {
        assert_eq!(in_comment(" [win]"), Some((2, 5)));
        assert_eq!(in_comment(" needed on windows [win] only"), Some((20, 23)));
        assert_eq!(in_comment(" see (notes) [linux]"), Some((14, 19)));
        assert_eq!(in_comment(" [win] (see notes)"), None);
        assert_eq!(in_comment(" pinned, see issue 12"), None);
        assert_eq!(in_comment(" []"), None);
    }

    #[test]
    fn markers_are_pep508() {
        let e = parse("linux or osx").unwrap();
        let m = to_marker(&e);
        assert!(unilock_model::requirement::parse_marker(&m).is_ok(), "{m}");
    }
}
