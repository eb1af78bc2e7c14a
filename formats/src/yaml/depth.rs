//! How deeply a YAML text nests flow collections (`{…}`, `[…]`), found by one cheap pass
//! before the text goes to `serde_yaml`.
//!
//! libyaml, under `serde_yaml`, rechecks every open flow level for each token it reads, so a
//! text of nested `{a: {a: …` costs time quadratic in its depth (100,000 levels in 500 KB:
//! over a minute) — all of it spent before `serde_yaml` refuses anything deeper than
//! [`MAX_DEPTH`] levels. This pass refuses such a text itself, in time linear in its size,
//! at the bracket that goes one level too deep. Files that are not refused here are handed to
//! `serde_yaml` unchanged, which then costs at most [`MAX_DEPTH`] per token.
//!
//! The pass knows as much YAML as it needs not to count brackets that are text: comments,
//! quoted scalars, block scalars (`|`, `>`) and brackets inside plain scalars (`numpy[build=…]`
//! opens nothing). In flow context every bracket outside quotes is one (plain scalars cannot
//! hold them there).

/// The deepest nesting `serde_yaml` reads (its recursion limit); flow collections nested
/// deeper are refused before parsing.
pub(crate) const MAX_DEPTH: usize = 128;

/// The byte offset of the first bracket that opens a flow collection nested deeper than
/// `limit`, if any.
pub(crate) fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    // Indentation of the current line, and of the line that opened a block scalar whose
    // content is being skipped.
    let mut line_indent = 0usize;
    let mut at_line_start = true;
    let mut block_scalar: Option<usize> = None;
    while i < b.len() {
        if at_line_start {
            let spaces = b[i..].iter().take_while(|&&c| c == b' ').count();
            let rest = &b[i + spaces..];
            let blank = rest.first().is_none_or(|&c| c == b'\n' || c == b'\r');
            if let Some(parent) = block_scalar {
                if blank || spaces > parent {
                    i += spaces
                        + rest
                            .iter()
                            .position(|&c| c == b'\n')
                            .map_or(rest.len(), |p| p + 1);
                    continue;
                }
                block_scalar = None;
            }
            line_indent = spaces;
            at_line_start = false;
            i += spaces;
            continue;
        }
        let c = b[i];
        let after_space = i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r');
        let token_start = after_space || (depth > 0 && matches!(b[i - 1], b'{' | b'[' | b','));
        match c {
            b'\n' => {
                at_line_start = true;
                i += 1;
            }
            b'#' if after_space => {
                i += b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .unwrap_or(b.len() - i);
            }
            b'"' if token_start => i = skip_double_quoted(b, i + 1),
            b'\'' if token_start => i = skip_single_quoted(b, i + 1),
            b'{' | b'[' if depth > 0 || token_start => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
                i += 1;
            }
            b'}' | b']' if depth > 0 => {
                depth -= 1;
                i += 1;
            }
            b'|' | b'>' if depth == 0 && token_start && block_header_ends(b, i + 1) => {
                block_scalar = Some(line_indent);
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// After `"`: the offset just past the closing quote (backslash escapes skipped).
fn skip_double_quoted(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// After `'`: the offset just past the closing quote (`''` is a quote inside).
fn skip_single_quoted(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// Whether what follows a `|` or `>` is a block scalar header: chomping and indentation
/// indicators, then only spaces and a comment up to the end of the line.
fn block_header_ends(b: &[u8], i: usize) -> bool {
    let rest = &b[i..];
    let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
    let line = &rest[..end];
    let indicators = line
        .iter()
        .take_while(|c| matches!(c, b'+' | b'-' | b'1'..=b'9'))
        .count();
    let tail = &line[indicators..];
    let trimmed = tail
        .iter()
        .position(|&c| c != b' ' && c != b'\t' && c != b'\r');
    match trimmed {
        None => true,
        Some(p) => p > 0 && tail[p] == b'#',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_flow_nesting_and_points_at_the_bracket_too_deep() {
        let deep = format!("a: {}1{}\n", "{a: ".repeat(5), "}".repeat(5));
        assert_eq!(too_deep(&deep, 5), None);
        assert_eq!(too_deep(&deep, 4), Some(deep.rfind('{').unwrap_or(0)));
        assert_eq!(too_deep(&format!("- {}", "[".repeat(10)), 9), Some(11));
    }

    #[test]
    fn brackets_that_are_text_open_nothing() {
        let many = "{".repeat(50);
        for text in [
            format!("- numpy[build={many}]\n"),
            format!("a: \"{many}\"\nb: '{many}'''\n"),
            format!("# {many}\na: 1 # {many}\n"),
            format!("a: |\n  {many}\n\n  {many}\nb: >-\n {many}\nc: [x]\n"),
            format!("a: {{\"k{many}\": 'v{many}', x: [\"]]]\", '}}}}']}}\n"),
        ] {
            assert_eq!(too_deep(&text, 3), None, "{text}");
        }
        // After a block scalar, counting resumes.
        let text = "a: |\n  {{{{\nb: [[[[\n";
        assert_eq!(too_deep(text, 3), Some(text.rfind('[').unwrap_or(0)));
    }
}
