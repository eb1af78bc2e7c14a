//! Text from files and servers made safe to print: [`safe`] escapes control characters (so a
//! METADATA line holding `ESC[2J` or `ESC]0;…BEL` cannot clear or retitle the user's
//! terminal) and masks the passwords of URLs (`https://user:****@host/…`), and
//! [`safe_line`] does the same to a source line while keeping track of where its columns moved.
//!
//! Every message unilock prints that quotes remote or file content goes through here: the
//! rendering of a [`Diagnostic`](crate::Diagnostic), warnings, and `show`.

use std::borrow::Cow;

/// What a masked secret reads as.
pub const MASK: &str = "****";

/// `text` with control characters escaped (newlines and tabs kept) and URL passwords masked.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !needs_work(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(safe_line(text).0)
}

/// `line` made safe as [`safe`] does, and for each character of `line` (and one past its end)
/// the character column it starts at in the result, so an underline drawn under the original
/// columns can be moved under the same text.
pub fn safe_line(line: &str) -> (String, Vec<usize>) {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let secrets = secret_ranges(line);
    let mut out = String::with_capacity(line.len());
    let mut columns = Vec::with_capacity(chars.len() + 1);
    let mut written = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let (offset, c) = chars[i];
        if let Some(&(_, end)) = secrets.iter().find(|(start, _)| *start == offset) {
            // The whole secret reads as the mask; each of its characters maps to its start.
            while i < chars.len() && chars[i].0 < end {
                columns.push(written);
                i += 1;
            }
            out.push_str(MASK);
            written += MASK.chars().count();
            continue;
        }
        columns.push(written);
        written += push_char(&mut out, c);
        i += 1;
    }
    columns.push(written);
    (out, columns)
}

/// Pushes `c`, escaped when it is a control character; returns the characters written.
fn push_char(out: &mut String, c: char) -> usize {
    if c == '\n' || c == '\t' || !c.is_control() {
        out.push(c);
        return 1;
    }
    let escaped = match c {
        '\r' => "\\r".to_string(),
        '\0' => "\\0".to_string(),
        c if (c as u32) < 0x100 => format!("\\x{:02x}", c as u32),
        c => format!("\\u{{{:x}}}", c as u32),
    };
    out.push_str(&escaped);
    escaped.len()
}

fn needs_work(text: &str) -> bool {
    text.chars()
        .any(|c| c != '\n' && c != '\t' && c.is_control())
        || (text.contains("://") && text.contains('@') && !secret_ranges(text).is_empty())
}

/// The byte ranges of URL secrets in `text`: the password of `scheme://user:password@host`,
/// and the user of `http(s)://token@host` (a user name alone is often a token there).
fn secret_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let authority_start = from + found + 3;
        let scheme_start = text[..from + found]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
            .map_or(0, |i| i + 1);
        let scheme = text[scheme_start..from + found].to_ascii_lowercase();
        let rest = &text[authority_start..];
        // The authority ends where the path, query, fragment or the surrounding text begins.
        let authority_len = rest
            .find(|c: char| {
                matches!(
                    c,
                    '/' | '?' | '#' | '\\' | '"' | '\'' | '`' | '<' | '>' | ',' | ';'
                ) || c.is_whitespace()
                    || c.is_control()
            })
            .unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
            match userinfo.find(':') {
                Some(colon) if colon + 1 < userinfo.len() => ranges.push((
                    authority_start + colon + 1,
                    authority_start + userinfo.len(),
                )),
                None if !userinfo.is_empty()
                    && (scheme.ends_with("http") || scheme.ends_with("https")) =>
                {
                    ranges.push((authority_start, authority_start + userinfo.len()))
                }
                _ => {}
            }
        }
        from = authority_start + authority_len;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_lines_kept() {
        assert_eq!(safe("plain text\n\tindented"), "plain text\n\tindented");
        assert_eq!(
            safe("Requires-Dist: a\x1b[2J\x1b]0;owned\x07b\0\r"),
            "Requires-Dist: a\\x1b[2J\\x1b]0;owned\\x07b\\0\\r"
        );
        assert_eq!(safe("c1 \u{9b}2J"), "c1 \\x9b2J");
    }

    #[test]
    fn url_passwords_and_token_users_are_masked() {
        assert_eq!(
            safe("--index-url http://user:secret@index.example/simple"),
            "--index-url http://user:****@index.example/simple"
        );
        assert_eq!(
            safe("pkg @ https://ghp_token@host.example/a.whl; x"),
            "pkg @ https://****@host.example/a.whl; x"
        );
        assert_eq!(
            safe("git+ssh://git@host.example/repo.git"),
            "git+ssh://git@host.example/repo.git"
        );
        assert_eq!(
            safe("a https://u:p@h.example b http://x:y@i.example/"),
            "a https://u:****@h.example b http://x:****@i.example/"
        );
        assert_eq!(
            safe("mail me@host.example or https://h.example/@x"),
            "mail me@host.example or https://h.example/@x"
        );
        assert_eq!(safe("ends with ://"), "ends with ://");
        assert_eq!(safe("://@"), "://@");
    }

    #[test]
    fn columns_follow_the_text_they_belong_to() {
        let line = "x @ https://u:pw@h.example/\x1b.whl y";
        let (out, columns) = safe_line(line);
        assert_eq!(out, "x @ https://u:****@h.example/\\x1b.whl y");
        let y = line.chars().position(|c| c == 'y').unwrap();
        assert_eq!(out.chars().nth(columns[y]), Some('y'));
        assert_eq!(columns.len(), line.chars().count() + 1);
        assert_eq!(*columns.last().unwrap(), out.chars().count());
    }
}
