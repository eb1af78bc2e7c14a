//! PEP 503 HTML project pages: one anchor per file, with `data-requires-python`,
//! `data-yanked` and `data-core-metadata`/`data-dist-info-metadata` attributes and the hash in
//! the URL fragment, and the API version in `<meta name="pypi:repository-version">` (PEP 629).
//! Parsed with `tl`, a small, fast HTML parser, in pieces of about [`PIECE`] bytes, since `tl`
//! keeps a node tree of the whole text it parses.

use super::{check_api_version, file_from_href, metadata_hashes};
use std::borrow::Cow;
use unilock_model::index::DistFile;
use url::Url;

/// Pages are parsed in pieces of about this many bytes, so the parser's node tree never holds
/// more than a piece (about 170 bytes a node, four nodes a link: a page of 200k links would
/// otherwise hold some 140 MB of tree at once).
const PIECE: usize = 1 << 20;

/// The files of a project page; `base` is the page's URL (hrefs are relative to it, unless a
/// `<base href>` says otherwise).
pub fn parse(text: &str, base: &Url) -> Result<Vec<DistFile>, String> {
    parse_in_pieces(text, base, PIECE)
}

/// [`parse`], reading the page in pieces of about `piece` bytes. A piece ends just before a
/// line that starts with `<a`, and is used only when the parser ends it between tags (its last
/// node is the text that runs up to the cut), so the tags read are exactly those of the whole
/// page; a cut that falls inside a comment, a quoted value or a tag is not used, and the rest
/// of the page is read in one piece.
fn parse_in_pieces(text: &str, base: &Url, piece: usize) -> Result<Vec<DistFile>, String> {
    let mut reader = Reader {
        base: base.clone(),
        files: Vec::new(),
    };
    let mut start = 0;
    while start < text.len() {
        let end = next_cut(text, start, piece);
        let chunk = &text[start..end];
        let dom = tl::parse(chunk, tl::ParserOptions::default())
            .map_err(|e| format!("not a valid HTML page: {e}"))?;
        if end == text.len() || ends_between_tags(&dom, chunk) {
            reader.read(&dom)?;
            start = end;
            continue;
        }
        drop(dom);
        let dom = tl::parse(&text[start..], tl::ParserOptions::default())
            .map_err(|e| format!("not a valid HTML page: {e}"))?;
        reader.read(&dom)?;
        break;
    }
    Ok(reader.files)
}

/// Where the piece that starts at `start` ends: before the first line at least `piece` bytes on
/// that starts with `<a` and a space, or at the end of the page.
fn next_cut(text: &str, start: usize, piece: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = start.saturating_add(piece.max(1));
    while at < bytes.len() {
        let Some(newline) = bytes[at..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let next = at + newline + 1;
        if matches!(
            bytes.get(next..next + 3),
            Some([b'<', b'a' | b'A', b' ' | b'\t' | b'\n' | b'\r'])
        ) {
            return next;
        }
        at = next;
    }
    bytes.len()
}

/// Whether the parser ended `chunk` between tags: its last node is text that runs to the end
/// of the chunk (an unclosed comment, quote or tag would have swallowed the end instead).
fn ends_between_tags(dom: &tl::VDom, chunk: &str) -> bool {
    dom.nodes()
        .last()
        .and_then(|n| n.as_raw())
        .is_some_and(|raw| raw.as_bytes().as_ptr_range().end == chunk.as_bytes().as_ptr_range().end)
}

/// The files read so far and the base their hrefs resolve against.
struct Reader {
    base: Url,
    files: Vec<DistFile>,
}

impl Reader {
    fn read(&mut self, dom: &tl::VDom) -> Result<(), String> {
        for tag in dom.nodes().iter().filter_map(|n| n.as_tag()) {
            let name = tag.name().as_utf8_str();
            let attr = |key: &'static str| attribute(tag, key);
            if name.eq_ignore_ascii_case("base") {
                if let Some(href) = attr("href")
                    && let Ok(url) = self.base.join(&href)
                {
                    self.base = url;
                }
                continue;
            }
            if name.eq_ignore_ascii_case("meta") {
                if attr("name").is_some_and(|n| n.eq_ignore_ascii_case("pypi:repository-version"))
                    && let Some(version) = attr("content")
                {
                    check_api_version(&version)?;
                }
                continue;
            }
            if !name.eq_ignore_ascii_case("a") {
                continue;
            }
            let Some(href) = attr("href") else { continue };
            let Some(mut file) = file_from_href(&self.base, &href) else {
                continue;
            };
            file.requires_python = attr("data-requires-python")
                .filter(|s| !s.is_empty())
                .map(Cow::into_owned);
            file.yanked = attr("data-yanked").map(Cow::into_owned);
            file.metadata = attr("data-core-metadata")
                .or_else(|| attr("data-dist-info-metadata"))
                .and_then(|v| metadata_hashes(&v));
            self.files.push(file);
        }
        Ok(())
    }
}

/// The value of a tag's attribute, its character references decoded (borrowed from the page
/// when it has none).
fn attribute<'t>(tag: &'t tl::HTMLTag<'_>, key: &'static str) -> Option<Cow<'t, str>> {
    let value = tag.attributes().get(key).flatten()?;
    Some(match value.as_utf8_str() {
        Cow::Borrowed(text) => unescape(text),
        Cow::Owned(text) => Cow::Owned(unescape(&text).into_owned()),
    })
}

/// Decodes the HTML character references index pages use in attributes (`&gt;=3.8`).
fn unescape(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_anchors_with_their_attributes() {
        let page = r#"<!DOCTYPE html><html><body>
<a href="../../files/alpha-1.0-py3-none-any.whl#sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" data-requires-python="&gt;=3.8" data-core-metadata="sha256=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb">alpha-1.0-py3-none-any.whl</a><br/>
<a href="alpha-0.9.tar.gz" data-yanked="broken">alpha-0.9.tar.gz</a>
<a href="https://host.example/alpha%2B-0.8.zip" data-dist-info-metadata="true">x</a>
</body></html>"#;
        let base = Url::parse("file:///idx/simple/alpha/").unwrap();
        let files = parse(page, &base).unwrap();
        assert_eq!(files.len(), 3);
        assert_eq!(files[0].url, "file:///idx/files/alpha-1.0-py3-none-any.whl");
        assert_eq!(files[0].hashes["sha256"], "a".repeat(64));
        assert_eq!(files[0].requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(
            files[0].metadata.as_ref().unwrap()["sha256"],
            "b".repeat(64)
        );
        assert_eq!(files[1].yanked.as_deref(), Some("broken"));
        assert_eq!(files[1].url, "file:///idx/simple/alpha/alpha-0.9.tar.gz");
        assert_eq!(files[2].filename, "alpha+-0.8.zip");
        assert_eq!(files[2].metadata, Some(Default::default()));
    }

    #[test]
    fn the_repository_version_meta_tag_is_checked() {
        let base = Url::parse("https://index.example/simple/alpha/").unwrap();
        let page = |version: &str| {
            format!(
                r#"<html><head><meta name="pypi:repository-version" content="{version}"></head><body><a href="alpha-1.0.tar.gz">a</a></body></html>"#
            )
        };
        assert_eq!(parse(&page("1.0"), &base).unwrap().len(), 1);
        assert_eq!(parse(&page("1.3"), &base).unwrap().len(), 1);
        let err = parse(&page("2.0"), &base).unwrap_err();
        assert!(
            err.contains("version 2.0 of the simple repository API"),
            "{err}"
        );
    }

    #[test]
    fn a_page_read_in_pieces_gives_the_files_of_the_whole_page() {
        let base = Url::parse("https://index.example/simple/alpha/").unwrap();
        let links = |from: usize| -> String {
            (from..from + 6)
                .map(|i| format!("<a href=\"../../f/alpha-1.{i}.tar.gz#sha256=0000000000000000000000000000000000000000000000000000000000000000\" data-requires-python=\"&gt;=3.{i}\">alpha-1.{i}.tar.gz</a><br/>\n"))
                .collect()
        };
        // A comment, a quoted value and an unclosed tag that span lines starting with `<a `
        // (a cut there would change what is read), and a `<base>` that must hold after a cut.
        for tricky in [
            "<!-- old:\n<a href=\"alpha-0.1.tar.gz\">x</a>\n-->\n",
            "<a href=\"alpha-0.2.tar.gz\" data-yanked=\"see\n<a href=x>\">y</a>\n",
            "<a href=\"alpha-0.3.tar.gz\"\n<a href=\"alpha-0.4.tar.gz\">z</a>\n",
            "<base href=\"https://mirror.example/files/\">\n",
        ] {
            let page = format!(
                "<!DOCTYPE html><html><head><meta name=\"pypi:repository-version\" content=\"1.1\"></head><body>\n{}{tricky}{}</body></html>\n",
                links(0),
                links(6)
            );
            let whole = parse_in_pieces(&page, &base, usize::MAX).unwrap();
            assert!(whole.len() >= 12, "{tricky}: {}", whole.len());
            for piece in 1..page.len() {
                assert_eq!(
                    parse_in_pieces(&page, &base, piece).unwrap(),
                    whole,
                    "{tricky} in pieces of {piece}"
                );
            }
        }
        let cut = "<a href=\"a-1.tar.gz\">a</a>\n<a href=\"a-2.tar.gz\">a</a>\n";
        assert_eq!(next_cut(cut, 0, 1), cut.find("\n<a").unwrap() + 1);
        assert_eq!(next_cut(cut, 0, 100), cut.len());
    }

    #[test]
    fn a_page_of_200k_links_is_read_with_a_small_parser_tree() {
        // Prints the figures; the tree of one piece is what the parser holds at a time.
        let mut page = String::new();
        for i in 0..200_000 {
            page.push_str(&format!(
                "<a href=\"../../f/proj-1.{i}-py3-none-any.whl#sha256={}\">proj-1.{i}-py3-none-any.whl</a><br/>\n",
                "ab".repeat(32)
            ));
        }
        let base = Url::parse("https://index.example/simple/proj/").unwrap();
        let nodes = |text: &str| {
            tl::parse(text, tl::ParserOptions::default())
                .unwrap()
                .nodes()
                .len()
        };
        let started = std::time::Instant::now();
        let files = parse(&page, &base).unwrap();
        println!(
            "a page of {} links ({:.1} MB) read in {:?}: {} files; the parser's tree held {} nodes at most, {} for the whole page",
            files.len(),
            page.len() as f64 / 1e6,
            started.elapsed(),
            files.len(),
            nodes(&page[..next_cut(&page, 0, PIECE)]),
            nodes(&page),
        );
        assert_eq!(files.len(), 200_000);
        assert!(next_cut(&page, 0, PIECE) < page.len() / 16);
    }
}
