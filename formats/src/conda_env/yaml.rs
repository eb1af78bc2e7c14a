//! YAML for environment.yml: loading through `serde_yaml` (syntax errors keep its line and
//! column), finding where in the text a key or scalar of the loaded tree was written (its values
//! carry no spans, so the text is searched forward from the previous node, outside comments),
//! and writing scalars back so they read as the same strings.

use serde_yaml::Value;
use unilock_model::{Diagnostic, Span};

/// Loads `text` as one YAML document.
pub fn load(file: &str, text: &str) -> Result<Value, Diagnostic> {
    crate::yaml::check_depth(file, text, EXPECTED)?;
    serde_yaml::from_str::<Value>(text).map_err(|e| {
        let mut at = e
            .location()
            .map_or(0, |l| offset_of(text, l.line(), l.column()));
        let message = without_positions(&e.to_string());
        // serde_yaml points a duplicate key at the start of its mapping; point at the second
        // occurrence instead.
        if let Some(key) = message
            .strip_prefix("duplicate entry with key \"")
            .and_then(|k| k.strip_suffix('"'))
        {
            let loc = Locator::new(text);
            if let Some(second) = loc
                .key(key, at)
                .and_then(|first| loc.key(key, first + key.len()))
            {
                at = second;
            }
        }
        Diagnostic::invalid(format!("not valid YAML: {message}"))
            .at(file, text, Span::new(at, at + 1))
            .expected(EXPECTED)
    })
}

const EXPECTED: &str = "an environment.yml file (a YAML mapping with `dependencies`)";

/// The byte offset of a 1-based line and character column.
pub(super) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (n, l) in text.split_inclusive('\n').enumerate() {
        if n + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(l.len(), |(i, _)| i);
        }
        offset += l.len();
    }
    text.len()
}

/// serde_yaml's message without the ` at line L column C` parts the location already gives.
fn without_positions(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let n = digits(after);
        let tail = &after[n..];
        match tail.strip_prefix(" column ") {
            Some(col) if n > 0 => rest = &col[digits(col)..],
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What kind of YAML value this is, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A scalar as text: strings as they are, numbers and booleans as YAML reads them.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One line of the text: where it starts, where its comment starts (or its end), its end.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    code_end: usize,
    end: usize,
    /// Where the next line starts: past every `\r` and the `\n` that end this one.
    next: usize,
}

/// Where a scalar was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Byte offset of the scalar's first character (inside its quotes).
    pub start: usize,
    /// Byte offset just past the scalar (and its closing quote).
    pub end: usize,
    /// Written without quotes, so the text from `start` is the value itself.
    pub plain: bool,
}

/// Finds keys and scalars of a loaded YAML document in its text.
pub struct Locator<'a> {
    text: &'a str,
    lines: Vec<Line>,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        for raw in text.split_inclusive('\n') {
            let content = raw.trim_end_matches(['\n', '\r']);
            let end = start + content.len();
            let code_end = start + comment_start(content).unwrap_or(content.len());
            lines.push(Line {
                start,
                code_end,
                end,
                next: start + raw.len(),
            });
            start += raw.len();
        }
        Locator { text, lines }
    }

    fn line_at(&self, offset: usize) -> Option<Line> {
        let i = self.lines.partition_point(|l| l.start <= offset);
        i.checked_sub(1).map(|i| self.lines[i])
    }

    /// The comment of the line holding `offset`: the byte offset just past its `#`, and its
    /// text.
    pub fn comment(&self, offset: usize) -> Option<(usize, &'a str)> {
        let line = self.line_at(offset)?;
        (line.code_end < line.end)
            .then(|| (line.code_end + 1, &self.text[line.code_end + 1..line.end]))
    }

    /// The first character that is not whitespace or comment at or after `from` (or the end).
    pub fn next_token(&self, from: usize) -> usize {
        let mut at = from.min(self.text.len());
        while at < self.text.len() {
            let Some(line) = self.line_at(at) else { break };
            if at >= line.code_end {
                at = line.next;
                continue;
            }
            match self.text[at..line.code_end].find(|c: char| !c.is_whitespace()) {
                Some(i) => return at + i,
                None => at = line.next,
            }
        }
        self.text.len()
    }

    /// Where the next list item's value starts at or after `from`: past its `- ` (or the `[` or
    /// `,` of a flow list), or at the `-` of an item with nothing after it.
    pub fn next_item(&self, from: usize) -> usize {
        let mut at = self.next_token(from);
        // Past the `:` of the key the cursor stands after.
        if self.text[at..].starts_with(':') {
            at = self.next_token(at + 1);
        }
        let rest = &self.text[at..];
        let marker = rest.starts_with(['[', ','])
            || rest.starts_with('-') && rest[1..].starts_with([' ', '\t', '\n', '\r']);
        if !marker {
            return at;
        }
        let Some(line) = self.line_at(at) else {
            return at;
        };
        let after = at + 1;
        match self.text[after..line.code_end].find(|c: char| !c.is_whitespace()) {
            Some(i) => after + i,
            None if rest.starts_with('-') => at,
            None => self.next_token(after),
        }
    }

    /// The start of `key` written as a mapping key at or after `from`.
    pub fn key(&self, key: &str, from: usize) -> Option<usize> {
        if key.is_empty() {
            return None;
        }
        self.candidates(key, from).find_map(|(at, line)| {
            let (before, quote) = self.before(at, line);
            if !matches!(before, None | Some('-' | '{' | ',' | '?')) {
                return None;
            }
            let mut rest = &self.text[at + key.len()..line.code_end];
            if let Some(q) = quote {
                rest = rest.strip_prefix(q)?;
            }
            let rest = rest.trim_start_matches([' ', '\t']);
            let after_colon = rest.strip_prefix(':')?;
            let ends = after_colon.is_empty() || after_colon.starts_with([' ', '\t']);
            ends.then_some(at)
        })
    }

    /// Where the scalar `value` is written as a list item or a mapping value, at or after
    /// `from`.
    pub fn scalar(&self, value: &str, from: usize) -> Option<Found> {
        if value.is_empty() {
            return None;
        }
        self.candidates(value, from).find_map(|(at, line)| {
            let (before, quote) = self.before(at, line);
            if !matches!(before, None | Some('-' | '[' | ',' | ':' | '?')) {
                return None;
            }
            let mut end = at + value.len();
            let mut rest = &self.text[end..line.code_end];
            if let Some(q) = quote {
                rest = rest.strip_prefix(q)?;
                end += 1;
            }
            let rest = rest.trim_start_matches([' ', '\t']);
            let ends = rest.is_empty() || rest.starts_with([',', ']', '}']);
            ends.then_some(Found {
                start: at,
                end,
                plain: quote.is_none(),
            })
        })
    }

    /// Occurrences of `needle` at or after `from` that lie inside the code part of one line.
    fn candidates(&self, needle: &'a str, from: usize) -> impl Iterator<Item = (usize, Line)> + '_ {
        let from = from.min(self.text.len());
        let from = (0..=from)
            .rev()
            .find(|&i| self.text.is_char_boundary(i))
            .unwrap_or(0);
        self.text[from..]
            .match_indices(needle)
            .map(move |(i, _)| from + i)
            .filter_map(move |at| {
                let line = self.line_at(at)?;
                (at + needle.len() <= line.code_end).then_some((at, line))
            })
    }

    /// The last character before `at` on its line, skipping whitespace and one opening quote
    /// right before `at` (returned too); `None` for the start of the line.
    fn before(&self, at: usize, line: Line) -> (Option<char>, Option<char>) {
        let head = &self.text[line.start..at];
        let (head, quote) = match head.chars().last() {
            Some(q @ ('"' | '\'')) => (&head[..head.len() - 1], Some(q)),
            _ => (head, None),
        };
        (head.trim_end_matches([' ', '\t']).chars().last(), quote)
    }
}

/// Where a line's comment starts: a `#` at the start or after whitespace, outside quotes.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some('\'') if c == '\'' => {
                if chars.peek().map(|&(_, n)| n) == Some('\'') {
                    chars.next();
                } else {
                    quote = None;
                }
            }
            Some('"') if c == '\\' => {
                chars.next();
            }
            Some('"') if c == '"' => quote = None,
            Some(_) => {}
            None => match c {
                '#' if prev.is_none_or(|p| p == ' ' || p == '\t') => return Some(i),
                '"' | '\''
                    if prev
                        .is_none_or(|p| matches!(p, ' ' | '\t' | '[' | '{' | ',' | '-' | ':')) =>
                {
                    quote = Some(c)
                }
                _ => {}
            },
        }
        prev = Some(c);
    }
    None
}

/// `s` as a YAML scalar that reads back as the string `s`: plain where YAML reads it so,
/// double-quoted otherwise.
pub fn scalar(s: &str) -> String {
    let plain_safe = !s.is_empty()
        && !s.starts_with([' ', '\t'])
        && !s.ends_with([' ', '\t'])
        && !s.contains(['\n', '\r', '\t'])
        && s.chars().all(|c| !needs_escape(c));
    if plain_safe && matches!(serde_yaml::from_str::<Value>(s), Ok(Value::String(ref r)) if r == s)
    {
        return s.to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let n = c as u32;
                if n <= 0xFF {
                    out.push_str(&format!("\\x{n:02X}"));
                } else {
                    out.push_str(&format!("\\u{n:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters YAML does not allow unescaped (outside c-printable) or reads as line breaks.
fn needs_escape(c: char) -> bool {
    let n = c as u32;
    n < 0x20 && c != '\t'
        || (0x7F..=0x9F).contains(&n)
        || matches!(n, 0x2028 | 0x2029 | 0xFEFF | 0xFFFE | 0xFFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_carry_the_line_and_column() {
        let text = "name: x\ndependencies:\n  - numpy\n - scipy\n";
        let e = load("env.yml", text).unwrap_err().render();
        assert!(e.starts_with("env.yml:4:2: error: not valid YAML: "), "{e}");
        assert!(!e.lines().next().unwrap().contains(" at line "), "{e}");
    }

    #[test]
    fn keys_and_items_are_found_after_comments_and_in_flow_lists() {
        let text = "# numpy: is great\nchannels: [conda-forge, 'defaults']\ndependencies:\n  # - numpy\n  - numpy  # [linux]\n  - pip:\n      - \"requests\"\n";
        let loc = Locator::new(text);
        let deps = loc.key("dependencies", 0).unwrap();
        assert_eq!(&text[deps..deps + 13], "dependencies:");
        let numpy = loc.scalar("numpy", deps).unwrap();
        assert_eq!(numpy.start, text.find("- numpy  #").unwrap() + 2);
        assert_eq!(loc.comment(numpy.start).unwrap().1, " [linux]");
        let defaults = loc.scalar("defaults", 0).unwrap();
        assert!(!defaults.plain);
        assert_eq!(&text[defaults.start - 1..defaults.end], "'defaults'");
        let pip = loc.key("pip", numpy.end).unwrap();
        assert_eq!(&text[pip..pip + 4], "pip:");
        assert!(loc.scalar("requests", pip).is_some());
        assert_eq!(loc.key("numpy", 0), None);
    }

    #[test]
    fn scalars_read_back_as_the_same_string() {
        for s in [
            "numpy >=1.26,<2",
            "true",
            "1.0",
            "",
            "a: b",
            "x #y",
            "-e .",
            "--index-url https://host/simple",
            "'quoted'",
            "tab\there",
            "nel\u{85}x",
            "~",
            "@foo",
            ">=1",
            "null",
        ] {
            let doc = format!("- {}\n", scalar(s));
            let v: Value = serde_yaml::from_str(&doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
            assert_eq!(v, Value::Sequence(vec![Value::String(s.into())]), "{doc}");
        }
        assert_eq!(scalar("numpy >=1.26,<2"), "numpy >=1.26,<2");
    }
}
