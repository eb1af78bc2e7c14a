//! The one error type of unilock: a [`Diagnostic`] that says what went wrong, where in the
//! input it went wrong (file, line, column) and what was expected instead.
//!
//! Rendering is plain text in the `FILE:LINE:COL: error: …` shape that editors and CI log
//! viewers link to, followed by the offending line with a caret underline. It is written by
//! hand rather than through a snippet crate because the exact first-line shape is part of
//! unilock's contract and the rest is a dozen lines.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What class of failure a diagnostic reports; decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The requirements cannot all be satisfied on the target (exit 1).
    Unsatisfiable,
    /// A command line that does not make sense (exit 2).
    Usage,
    /// An input file or value that does not parse or is inconsistent (exit 2).
    InvalidInput,
    /// A registry, channel or network failure (exit 3).
    Registry,
    /// `unilock check`: the target lacks something the lock needs (exit 4).
    CheckFailed,
}

impl ErrorKind {
    /// The exit code documented for this kind of failure.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Unsatisfiable => 1,
            ErrorKind::Usage | ErrorKind::InvalidInput => 2,
            ErrorKind::Registry => 3,
            ErrorKind::CheckFailed => 4,
        }
    }
}

/// A half-open byte range into a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }
}

/// Where something came from: a file (or a pseudo-file such as `--target`) and a 1-based line
/// and column. Columns count characters, not bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Origin {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Origin {
    /// The origin of byte offset `offset` in `text`, read from `file`. This scans `text` up to
    /// `offset`: a reader that locates many offsets of one text builds a [`LineIndex`] once.
    pub fn locate(file: &str, text: &str, offset: usize) -> Origin {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() as u32 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() as u32 + 1;
        Origin {
            file: file.to_string(),
            line,
            column,
        }
    }
}

/// Where each line of a text starts, built once per file so that locating many offsets (every
/// requirement of a file) costs a binary search each instead of a scan from the start of the
/// file: reading stays linear in the size of the input. Columns count characters; on lines
/// that are all ASCII (nearly every line) that is a subtraction, so even a file that is one
/// long line (minified JSON) is located in time linear in its size.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// The byte offset of each line's first byte.
    starts: Vec<usize>,
    /// Whether each line is all ASCII.
    ascii: Vec<bool>,
}

impl LineIndex {
    /// Indexes the lines of `text` (one pass).
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        for (i, b) in text.bytes().enumerate() {
            line_ascii &= b.is_ascii();
            if b == b'\n' {
                starts.push(i + 1);
                ascii.push(line_ascii);
                line_ascii = true;
            }
        }
        ascii.push(line_ascii);
        LineIndex { starts, ascii }
    }

    /// The origin of byte offset `offset` in `text` (the text this index was built from),
    /// read from `file`; the same as [`Origin::locate`].
    pub fn origin(&self, file: &str, text: &str, offset: usize) -> Origin {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = if self.ascii.get(line).copied().unwrap_or(false) {
            offset - start
        } else {
            text[start..offset].chars().count()
        };
        Origin {
            file: file.to_string(),
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The source line a diagnostic points into, kept so the diagnostic can be shown later without
/// the whole input.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Excerpt {
    origin: Origin,
    line_text: String,
    /// Character columns (1-based, inclusive start, exclusive end) to underline.
    underline: (u32, u32),
}

/// An error for the user: what happened, where, what was expected, and what to do next.
/// Boxed so that `Result<T, Diagnostic>` stays one pointer wide on the happy path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    excerpt: Option<Excerpt>,
    expected: Option<String>,
    notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Diagnostic(Box::new(Inner {
            kind,
            message: message.into(),
            excerpt: None,
            expected: None,
            notes: Vec::new(),
        }))
    }

    /// An input that does not parse or makes no sense.
    pub fn invalid(message: impl Into<String>) -> Self {
        Diagnostic::new(ErrorKind::InvalidInput, message)
    }

    /// A command line that does not make sense.
    pub fn usage(message: impl Into<String>) -> Self {
        Diagnostic::new(ErrorKind::Usage, message)
    }

    /// Points the diagnostic at `span` of `text`, which was read from `file`.
    pub fn at(mut self, file: &str, text: &str, span: Span) -> Self {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
        let origin = Origin::locate(file, text, start);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_text = text[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let underline_end = end.min(line_end);
        let width = text[start..underline_end].chars().count().max(1) as u32;
        self.0.excerpt = Some(Excerpt {
            underline: (origin.column, origin.column + width),
            origin,
            line_text,
        });
        self
    }

    /// Says what the input should have held at that place.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.0.expected = Some(expected.into());
        self
    }

    /// Adds a note: a suggestion, the valid choices, or the next command to run.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.0.notes.push(note.into());
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn origin(&self) -> Option<&Origin> {
        self.0.excerpt.as_ref().map(|e| &e.origin)
    }

    pub fn expected_text(&self) -> Option<&str> {
        self.0.expected.as_deref()
    }

    pub fn notes(&self) -> &[String] {
        &self.0.notes
    }

    /// The diagnostic as the CLI prints it: `FILE:LINE:COL: error: message: expected …`, the
    /// source line with the place underlined, then the notes. Text quoted from files and
    /// servers is made safe to print ([`crate::safe_text`]): control characters escaped, URL
    /// passwords masked, the underline kept under the same text.
    pub fn render(&self) -> String {
        use crate::safe_text::{safe, safe_line};
        let mut out = String::new();
        let mut headline = match &self.0.excerpt {
            Some(e) => format!("{}: error: {}", e.origin, self.0.message),
            None => format!("error: {}", self.0.message),
        };
        if let Some(expected) = &self.0.expected {
            headline.push_str(": expected ");
            headline.push_str(expected);
        }
        out.push_str(&safe(&headline));
        out.push('\n');
        if let Some(e) = &self.0.excerpt {
            let number = e.origin.line.to_string();
            let pad = " ".repeat(number.len());
            let (line, columns) = safe_line(&e.line_text);
            let column = |c: u32| {
                let i = (c.saturating_sub(1) as usize).min(columns.len() - 1);
                columns[i]
            };
            let (start, end) = (column(e.underline.0), column(e.underline.1));
            let lead: String = line
                .chars()
                .take(start)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let carets = "^".repeat(end.saturating_sub(start).max(1));
            out.push_str(&format!(
                "{pad} |\n{number} | {line}\n{pad} | {lead}{carets}\n"
            ));
        }
        for note in &self.0.notes {
            out.push_str("  = ");
            out.push_str(&safe(note));
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render().trim_end())
    }
}

impl std::error::Error for Diagnostic {}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_character_column() {
        let text = "a\nbé=c\n";
        let o = Origin::locate("f.txt", text, text.find('=').unwrap_or(0));
        assert_eq!((o.line, o.column), (2, 3));
    }

    proptest::proptest! {
        #[test]
        fn line_index_agrees_with_locate(text in "(a|é|\n|\r|x{3}|\t){0,40}", at in 0usize..80) {
            let index = LineIndex::new(&text);
            proptest::prop_assert_eq!(
                index.origin("f", &text, at),
                Origin::locate("f", &text, at)
            );
        }
    }

    #[test]
    fn renders_location_line_and_caret() {
        let text = "numpy\nscipy>=>1\n";
        let d = Diagnostic::invalid("bad specifier")
            .at("req.txt", text, Span::new(11, 13))
            .expected("a version after `>=`");
        let r = d.render();
        assert!(
            r.starts_with("req.txt:2:6: error: bad specifier: expected a version after `>=`\n"),
            "{r}"
        );
        assert!(r.contains("2 | scipy>=>1\n  |      ^^\n"), "{r}");
    }

    #[test]
    fn rendering_escapes_quoted_text_and_masks_passwords_under_the_same_underline() {
        let text = "pkg @ https://me:hunter2@h.example/p.whl ; \x1b[2J>>\n";
        let at = text.find(">>").unwrap_or(0);
        let d = Diagnostic::invalid("bad marker `\x1b]0;title\x07`")
            .at("req.txt", text, Span::new(at, at + 2))
            .note("seen at https://me:hunter2@h.example/");
        let r = d.render();
        assert!(!r.contains("hunter2"), "{r}");
        assert!(!r.contains('\x1b') && !r.contains('\x07'), "{r}");
        assert!(
            r.contains("1 | pkg @ https://me:****@h.example/p.whl ; \\x1b[2J>>\n"),
            "{r}"
        );
        let lines: Vec<&str> = r.lines().collect();
        let caret = lines[3].find('^').unwrap_or(0);
        assert_eq!(&lines[2][caret..caret + 2], ">>", "{r}");
    }
}
