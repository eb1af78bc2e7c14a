//! JSON text to a tree that knows where every key and value is, so schema errors can point at
//! the offending place. serde_json does the lexing and all the checking (strict RFC 8259, its
//! syntax errors carry a line and column); this module only asks it for each value's raw text
//! ([`RawValue`], borrowed from the input) and recovers the byte offset from where that text
//! lies in the input. A key's place is found by stepping back from its value over `:` to the
//! key's quotes, which valid JSON makes unambiguous.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::ops::Range;

/// A JSON value with the byte range it takes in the input.
#[derive(Debug)]
pub(super) struct Value<'a> {
    pub span: Range<usize>,
    pub kind: Kind<'a>,
}

#[derive(Debug)]
pub(super) enum Kind<'a> {
    Null,
    Bool(bool),
    /// A number as written (`1712345678`, `1.5e3`).
    Number(&'a str),
    String(String),
    Array(Vec<Value<'a>>),
    /// Members in file order; of duplicate keys only the last is kept, as Nix reads them.
    Object(Vec<Member<'a>>),
}

#[derive(Debug)]
pub(super) struct Member<'a> {
    pub key: String,
    /// The key with its quotes.
    pub key_span: Range<usize>,
    pub value: Value<'a>,
}

impl Kind<'_> {
    /// What kind of JSON value this is, for messages (`a string`, `an object`).
    pub fn describe(&self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }
}

/// Where and why the text is not JSON.
#[derive(Debug)]
pub(super) struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

/// A key written twice in one object: where the later one is.
pub(super) struct Duplicate {
    pub key: String,
    pub span: Range<usize>,
}

/// Reads the whole text (a leading byte-order mark is skipped, as Nix's JSON reader does).
pub(super) fn parse(text: &str) -> Result<(Value<'_>, Vec<Duplicate>), SyntaxError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: &RawValue =
        serde_json::from_str(body).map_err(|e| syntax(text, offset_in(text, body), body, &e))?;
    let mut duplicates = Vec::new();
    let value = tree(text, raw, &mut duplicates)?;
    Ok((value, duplicates))
}

/// The byte offset of `part` (a slice of `text`) in `text`.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// A serde_json error in `part` (which starts at byte `base` of `text`), located in `text`.
fn syntax(text: &str, base: usize, part: &str, e: &serde_json::Error) -> SyntaxError {
    let line_start = part
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let offset = (line_start + e.column().saturating_sub(1)).min(part.len());
    let full = e.to_string();
    let message = match full.rsplit_once(" at line ") {
        Some((message, _)) => message.to_string(),
        None => full,
    };
    SyntaxError {
        offset: (base + offset).min(text.len()),
        message,
    }
}

fn tree<'a>(
    text: &'a str,
    raw: &'a RawValue,
    duplicates: &mut Vec<Duplicate>,
) -> Result<Value<'a>, SyntaxError> {
    let s = raw.get();
    let start = offset_in(text, s);
    let span = start..start + s.len();
    let fail = |e: serde_json::Error| syntax(text, start, s, &e);
    let kind = match s.as_bytes().first() {
        Some(b'{') => {
            let Members(members) = serde_json::from_str(s).map_err(fail)?;
            let mut out: Vec<Member> = Vec::with_capacity(members.len());
            let mut seen = std::collections::HashSet::new();
            for (key, raw) in members {
                let value = tree(text, raw, duplicates)?;
                let key_span = key_before(text, value.span.start);
                if !seen.insert(key.clone())
                    && let Some(i) = out.iter().position(|m| m.key == key)
                {
                    duplicates.push(Duplicate {
                        key: key.clone(),
                        span: key_span.clone(),
                    });
                    out.remove(i);
                }
                out.push(Member {
                    key,
                    key_span,
                    value,
                });
            }
            Kind::Object(out)
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(s).map_err(fail)?;
            let mut out = Vec::with_capacity(items.len());
            for raw in items {
                out.push(tree(text, raw, duplicates)?);
            }
            Kind::Array(out)
        }
        Some(b'"') => Kind::String(serde_json::from_str(s).map_err(fail)?),
        Some(b't') => Kind::Bool(true),
        Some(b'f') => Kind::Bool(false),
        Some(b'n') => Kind::Null,
        _ => Kind::Number(s),
    };
    Ok(Value { span, kind })
}

/// The span of the quoted key written before the value that starts at `value_start`.
fn key_before(text: &str, value_start: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    let skip_ws = |mut i: usize| {
        while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
            i -= 1;
        }
        i
    };
    let colon = skip_ws(value_start);
    if colon == 0 || bytes[colon - 1] != b':' {
        return value_start..value_start;
    }
    let close = skip_ws(colon - 1);
    if close == 0 || bytes[close - 1] != b'"' {
        return value_start..value_start;
    }
    // The opening quote is the nearest `"` before the closing one not escaped by an odd run
    // of backslashes.
    let mut i = close - 1;
    while i > 0 {
        i -= 1;
        if bytes[i] == b'"' {
            let backslashes = bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count();
            if backslashes % 2 == 0 {
                return i..close;
            }
        }
    }
    value_start..value_start
}

/// An object's members as key and raw value, in file order, duplicates included.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(V)
    }
}
