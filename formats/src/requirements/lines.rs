//! pip's preprocessing of a requirements file into logical lines: backslash continuations
//! joined, comments removed, `${VAR}` expanded — in pip's order, keeping for every byte of a
//! logical line the byte offset in the file it came from, so errors point at the right place.

/// One logical line and where each of its bytes came from: the line is made of a few runs of
/// consecutive file bytes (one per physical line it joins), so where a byte came from is kept
/// per run, not per byte — memory stays proportional to the text, whatever its size.
#[derive(Debug, Clone, Default)]
pub struct LogicalLine {
    pub text: String,
    /// (first byte of the run in `text`, its file offset), in order of `text`.
    runs: Vec<(usize, usize)>,
    /// The file offset of the end of the line.
    end: usize,
}

impl LogicalLine {
    /// The file offset of byte `i` of the logical line (the end of the line from its length on).
    pub fn offset(&self, i: usize) -> usize {
        if i >= self.text.len() {
            return self.end;
        }
        let run = self.runs.partition_point(|&(at, _)| at <= i);
        match run.checked_sub(1).and_then(|r| self.runs.get(r)) {
            Some(&(at, file)) => file + (i - at),
            None => self.end,
        }
    }

    fn push(&mut self, s: &str, file_offset: usize) {
        if s.is_empty() {
            return;
        }
        let here = self.text.len();
        let continues = self
            .runs
            .last()
            .is_some_and(|&(at, file)| file + (here - at) == file_offset);
        if !continues {
            self.runs.push((here, file_offset));
        }
        self.text.push_str(s);
    }

    /// A sub-line from byte `start` to `end` (which must be char boundaries of `text`).
    pub fn slice(&self, start: usize, end: usize) -> LogicalLine {
        let end = end.min(self.text.len());
        let start = start.min(end);
        let first = self
            .runs
            .partition_point(|&(at, _)| at <= start)
            .saturating_sub(1);
        let runs = self.runs[first.min(self.runs.len())..]
            .iter()
            .take_while(|&&(at, _)| at < end)
            .map(|&(at, file)| {
                let from = at.max(start);
                (from - start, file + (from - at))
            })
            .collect();
        LogicalLine {
            text: self.text[start..end].to_string(),
            runs,
            end: self.offset(end),
        }
    }

    /// The line without leading and trailing whitespace.
    pub fn trim(&self) -> LogicalLine {
        let start = self.text.len() - self.text.trim_start().len();
        let end = self.text.trim_end().len().max(start);
        self.slice(start, end)
    }
}

/// Is this physical line a comment line as pip sees it (`#` at the start, after optional
/// whitespace)?
fn is_comment_line(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Where a comment starts: at the line start or after whitespace (pip: `(^|\s+)#.*$`).
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            // The comment takes the whitespace before it too.
            let ws = line[..i].len() - line[..i].trim_end().len();
            return Some(i - ws);
        }
    }
    None
}

/// Splits `text` into pip's logical lines. `env` answers `${VAR}` lookups.
pub fn logical_lines(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Vec<LogicalLine> {
    let mut out = Vec::new();
    let mut pending: Option<LogicalLine> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.ends_with('\\') && !is_comment_line(line) {
            // pip strips backslashes from both ends of a continued line.
            let lead = line.len() - line.trim_start_matches('\\').len();
            let body = line.trim_matches('\\');
            pending
                .get_or_insert_with(LogicalLine::default)
                .push(body, start + lead);
            continue;
        }
        let mut logical = pending.take().unwrap_or_default();
        if is_comment_line(line) && !logical.text.is_empty() {
            // A comment line ends a continuation (pip prefixes it with a space).
            logical.push(" ", start);
        }
        logical.push(line, start);
        logical.end = start + line.len();
        out.push(logical);
    }
    if let Some(mut logical) = pending {
        logical.end = offset;
        out.push(logical);
    }
    out.into_iter()
        .filter_map(|l| {
            let cut = comment_start(&l.text).unwrap_or(l.text.len());
            let l = l.slice(0, cut).trim();
            (!l.text.is_empty()).then(|| expand_env(&l, env))
        })
        .collect()
}

/// Expands `${NAME}` (NAME of `A-Z`, `0-9`, `_`) where the variable is set, as pip does.
fn expand_env(line: &LogicalLine, env: &dyn Fn(&str) -> Option<String>) -> LogicalLine {
    if !line.text.contains("${") {
        return line.clone();
    }
    let mut out = LogicalLine::default();
    let text = &line.text;
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with("${")
            && let Some(close) = text[i + 2..].find('}')
        {
            let name = &text[i + 2..i + 2 + close];
            if !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
                && let Some(value) = env(name)
            {
                out.push(&value, line.offset(i));
                i += close + 3;
                continue;
            }
        }
        let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push(&text[i..i + ch_len], line.offset(i));
        i += ch_len;
    }
    out.end = line.offset(text.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(String, usize)> {
        logical_lines(text, &|k| (k == "TOKEN").then(|| "s3cr3t".to_string()))
            .into_iter()
            .map(|l| (l.text.clone(), l.offset(0)))
            .collect()
    }

    #[test]
    fn continuations_comments_and_variables() {
        let text = "# header\nnumpy==1.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n  # via pandas\nurl#egg=x # note\n-i https://u:${TOKEN}@host/simple\n";
        let got = lines(text);
        assert_eq!(
            got[0].0,
            "numpy==1.0     --hash=sha256:aa     --hash=sha256:bb"
        );
        assert_eq!(got[0].1, text.find("numpy").unwrap());
        assert_eq!(got[1].0, "url#egg=x");
        assert_eq!(got[2].0, "-i https://u:s3cr3t@host/simple");
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn offsets_follow_the_file_through_continuations() {
        let text = "a \\\nb>=\\\n1\n";
        let l = &logical_lines(text, &|_| None)[0];
        assert_eq!(l.text, "a b>=1");
        assert_eq!(
            l.offset(l.text.find('1').unwrap()),
            text.rfind('1').unwrap()
        );
    }

    /// Every byte of every logical line points at the same byte of the file (the space pip
    /// puts before a comment line that ends a continuation aside), for every text of up to
    /// five characters of continuations, comments, spaces and letters.
    #[test]
    fn every_byte_points_at_itself_in_the_file() {
        let alphabet = ['a', 'é', ' ', '\\', '\n', '#', '\r'];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.chars().count() == texts.last().map_or(0, |l| l.chars().count()))
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        for text in &texts {
            for line in logical_lines(text, &|_| None) {
                for (i, c) in line.text.char_indices() {
                    let at = line.offset(i);
                    if c != ' ' {
                        assert_eq!(text[at..].chars().next(), Some(c), "{text:?} {line:?} {i}");
                    }
                }
                assert!(line.offset(line.text.len()) <= text.len(), "{text:?}");
            }
        }
    }

    #[test]
    fn crlf_and_missing_final_newline() {
        assert_eq!(
            lines("a\r\nb"),
            vec![("a".to_string(), 0), ("b".to_string(), 3)]
        );
    }
}
