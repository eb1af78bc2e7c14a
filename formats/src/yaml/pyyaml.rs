//! Writing YAML exactly as PyYAML's `yaml.dump(data, sort_keys=False)` does with its default
//! settings (block style, indent 2, lines folded at 80 columns, ASCII only), so a file that a
//! Python tool wrote with PyYAML (conda-lock.yml) re-emits byte for byte.
//!
//! Written by hand because no Rust YAML writer makes PyYAML's choices: which strings it quotes
//! follows the YAML 1.1 resolvers (`2_6_7` is an int there, so it is quoted; `1e5` is not a
//! float there, so it is not), and its folding and escaping rules are its own. This is a port
//! of the parts of PyYAML's `emitter.py` and `resolver.py` a document of mappings, lists,
//! strings, integers, booleans and nulls goes through.

use super::pyyaml_scalars::{analyze, is_break, resolves_to_str};

/// A YAML document as PyYAML represents Python data: `dict` (in insertion order), `list`,
/// `str`, `int`, `bool`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Yaml {
    Str(String),
    Int(i64),
    Bool(bool),
    Seq(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    pub fn str(s: impl Into<String>) -> Yaml {
        Yaml::Str(s.into())
    }
}

/// The text of `yaml.dump(doc, sort_keys=False)`.
pub(crate) fn dump(doc: &Yaml) -> String {
    let mut e = Emitter {
        out: String::new(),
        indent: None,
        indents: Vec::new(),
        column: 0,
        whitespace: true,
        indention: true,
        flow_level: 0,
    };
    e.node(doc, Context::default());
    // End of the document: a final line break.
    e.write_indent();
    e.out
}

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;

#[derive(Default, Clone, Copy)]
struct Context {
    mapping: bool,
    simple_key: bool,
}

struct Emitter {
    out: String,
    indent: Option<usize>,
    indents: Vec<Option<usize>>,
    column: usize,
    whitespace: bool,
    indention: bool,
    flow_level: usize,
}

/// The kinds of scalar styles PyYAML chooses between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
}

impl Emitter {
    fn node(&mut self, node: &Yaml, cx: Context) {
        match node {
            Yaml::Seq(items) if items.is_empty() => self.empty_flow("[", "]"),
            Yaml::Map(entries) if entries.is_empty() => self.empty_flow("{", "}"),
            Yaml::Seq(items) => self.block_sequence(items, cx),
            Yaml::Map(entries) => self.block_mapping(entries),
            Yaml::Str(s) => self.scalar(s, true, cx),
            Yaml::Int(i) => self.scalar(&i.to_string(), false, cx),
            Yaml::Bool(b) => self.scalar(if *b { "true" } else { "false" }, false, cx),
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        match self.indent {
            None => self.indent = Some(if flow { BEST_INDENT } else { 0 }),
            Some(i) if !indentless => self.indent = Some(i + BEST_INDENT),
            Some(_) => {}
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().flatten();
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.flow_level += 1;
        self.increase_indent(true, false);
        self.pop_indent();
        self.flow_level -= 1;
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Yaml], cx: Context) {
        let indentless = cx.mapping && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context::default());
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, entries: &[(String, Yaml)]) {
        self.increase_indent(false, false);
        for (key, value) in entries {
            self.write_indent();
            let analysis = analyze(key);
            // PyYAML counts the prepared tag (`!!str`, 5 characters) towards the 128 a simple
            // key may have, even though an implicit tag is not written.
            let simple = analysis.scalar_len + 5 < 128 && !analysis.empty && !analysis.multiline;
            let mapping = Context {
                mapping: true,
                simple_key: false,
            };
            if simple {
                self.scalar(
                    key,
                    true,
                    Context {
                        mapping: true,
                        simple_key: true,
                    },
                );
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.scalar(key, true, mapping);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, mapping);
        }
        self.pop_indent();
    }

    /// A scalar; `is_str` for Python strings (other scalars resolve to their own type and are
    /// always plain).
    fn scalar(&mut self, text: &str, is_str: bool, cx: Context) {
        self.increase_indent(true, false);
        let a = analyze(text);
        let implicit = !is_str || resolves_to_str(text);
        let plain_allowed = if self.flow_level > 0 {
            a.allow_flow_plain
        } else {
            a.allow_block_plain
        };
        let style = if implicit && !(cx.simple_key && (a.empty || a.multiline)) && plain_allowed {
            Style::Plain
        } else if a.allow_single_quoted && !(cx.simple_key && a.multiline) {
            Style::Single
        } else {
            Style::Double
        };
        let split = !cx.simple_key;
        match style {
            Style::Plain => self.write_plain(text, split),
            Style::Single => self.write_single_quoted(text, split),
            Style::Double => self.write_double_quoted(text, split),
        }
        self.pop_indent();
    }

    fn write(&mut self, data: &str) {
        self.column += data.chars().count();
        self.out.push_str(data);
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        whitespace: bool,
        indention: bool,
    ) {
        if !self.whitespace && need_whitespace {
            self.write(" ");
        }
        self.write(indicator);
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.write_line_break(None);
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.out.push_str(&pad);
            self.column = indent;
        }
    }

    fn write_line_break(&mut self, data: Option<char>) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push(data.unwrap_or('\n'));
    }

    fn write_plain(&mut self, text: &str, split: bool) {
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        let (mut start, mut end) = (0, 0);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > BEST_WIDTH && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        self.write(&collect(&chars[start..end]));
                    }
                    start = end;
                }
            } else if breaks {
                if ch.is_none_or(|c| !is_break(c)) {
                    if chars[start] == '\n' {
                        self.write_line_break(None);
                    }
                    for &br in &chars[start..end] {
                        self.write_line_break(if br == '\n' { None } else { Some(br) });
                    }
                    self.write_indent();
                    self.whitespace = false;
                    self.indention = false;
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c)) {
                self.write(&collect(&chars[start..end]));
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
    }

    fn write_single_quoted(&mut self, text: &str, split: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        let (mut start, mut end) = (0, 0);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > BEST_WIDTH
                        && split
                        && start != 0
                        && end != chars.len()
                    {
                        self.write_indent();
                    } else {
                        self.write(&collect(&chars[start..end]));
                    }
                    start = end;
                }
            } else if breaks {
                if ch.is_none_or(|c| !is_break(c)) {
                    if chars[start] == '\n' {
                        self.write_line_break(None);
                    }
                    for &br in &chars[start..end] {
                        self.write_line_break(if br == '\n' { None } else { Some(br) });
                    }
                    self.write_indent();
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c) || c == '\'') && start < end {
                self.write(&collect(&chars[start..end]));
                start = end;
            }
            if ch == Some('\'') {
                self.write("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &str, split: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let (mut start, mut end) = (0, 0);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            let needs_escape = |c: char| {
                matches!(
                    c,
                    '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'
                ) || !('\x20'..='\x7E').contains(&c)
            };
            if ch.is_none_or(needs_escape) {
                if start < end {
                    self.write(&collect(&chars[start..end]));
                    start = end;
                }
                if let Some(c) = ch {
                    let escaped = match escape(c) {
                        Some(e) => format!("\\{e}"),
                        None if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
                        None if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
                        None => format!("\\U{:08X}", c as u32),
                    };
                    self.write(&escaped);
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < chars.len()
                && (ch == Some(' ') || start >= end)
                && self.column as isize + (end as isize - start as isize) > BEST_WIDTH as isize
                && split
            {
                let mut data = collect(&chars[start.min(end)..end]);
                data.push('\\');
                if start < end {
                    start = end;
                }
                self.write(&data);
                self.write_indent();
                self.whitespace = false;
                self.indention = false;
                if chars.get(start) == Some(&' ') {
                    self.write("\\");
                }
            }
            end += 1;
        }
        self.write_indicator("\"", false, false, false);
    }
}

fn collect(chars: &[char]) -> String {
    chars.iter().collect()
}

/// PyYAML's short escapes in double-quoted scalars.
fn escape(c: char) -> Option<char> {
    Some(match c {
        '\0' => '0',
        '\x07' => 'a',
        '\x08' => 'b',
        '\x09' => 't',
        '\x0A' => 'n',
        '\x0B' => 'v',
        '\x0C' => 'f',
        '\x0D' => 'r',
        '\x1B' => 'e',
        '"' => '"',
        '\\' => '\\',
        '\u{85}' => 'N',
        '\u{A0}' => '_',
        '\u{2028}' => 'L',
        '\u{2029}' => 'P',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Yaml)]) -> Yaml {
        Yaml::Map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn quotes_what_yaml_1_1_would_read_as_another_type() {
        let doc = map(&[
            ("a", Yaml::str("0.1")),
            ("b", Yaml::str("2_6_7")),
            ("c", Yaml::str("1e5")),
            ("d", Yaml::str("yes")),
            ("e", Yaml::str("")),
            ("f", Yaml::str(">=3.9")),
            ("g", Yaml::str("3.12.* *_cp312")),
            ("h", Yaml::str("*")),
            ("i", Yaml::Int(1)),
            ("j", Yaml::Bool(false)),
            ("k", Yaml::str("2024-01-02")),
        ]);
        assert_eq!(
            dump(&doc),
            "a: '0.1'\nb: '2_6_7'\nc: 1e5\nd: 'yes'\ne: ''\nf: '>=3.9'\ng: 3.12.* *_cp312\nh: '*'\ni: 1\nj: false\nk: '2024-01-02'\n"
        );
    }

    #[test]
    fn sequences_in_mappings_are_not_indented_and_empties_are_flow() {
        let doc = map(&[
            ("version", Yaml::Int(1)),
            (
                "package",
                Yaml::Seq(vec![map(&[
                    ("name", Yaml::str("a")),
                    ("dependencies", Yaml::Map(vec![])),
                    ("hash", map(&[("md5", Yaml::str("x"))])),
                    ("env", Yaml::Seq(vec![])),
                ])]),
            ),
        ]);
        assert_eq!(
            dump(&doc),
            "version: 1\npackage:\n- name: a\n  dependencies: {}\n  hash:\n    md5: x\n  env: []\n"
        );
    }

    #[test]
    fn non_ascii_is_escaped_in_double_quotes() {
        let doc = map(&[("name", Yaml::str("José"))]);
        assert_eq!(dump(&doc), "name: \"Jos\\xE9\"\n");
    }

    #[test]
    fn long_strings_with_spaces_fold_at_80_columns() {
        let words = vec!["word"; 30].join(" ");
        let out = dump(&map(&[("k", Yaml::str(words))]));
        assert!(out.lines().count() > 1, "{out}");
        assert!(out.lines().nth(1).unwrap().starts_with("  word"), "{out}");
    }
}
