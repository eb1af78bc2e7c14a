//! PEP 503 HTML project pages: one anchor per file, with `data-requires-python`,
//! `data-yanked` and `data-core-metadata`/`data-dist-info-metadata` attributes and the hash in
//! the URL fragment. Parsed with `tl`, a small, fast HTML parser.

use super::{file_from_href, metadata_hashes};
use unilock_model::index::DistFile;
use url::Url;

/// The files of a project page; `base` is the page's URL (hrefs are relative to it, unless a
/// `<base href>` says otherwise).
pub fn parse(text: &str, base: &Url) -> Result<Vec<DistFile>, String> {
    let dom = tl::parse(text, tl::ParserOptions::default())
        .map_err(|e| format!("not a valid HTML page: {e}"))?;
    let parser = dom.parser();
    let mut base = base.clone();
    let tags = dom.nodes().iter().filter_map(|n| n.as_tag());
    let mut files = Vec::new();
    for tag in tags {
        let name = tag.name().as_utf8_str();
        let attr = |key: &str| {
            tag.attributes()
                .get(key)
                .flatten()
                .map(|v| unescape(&v.as_utf8_str()))
        };
        if name.eq_ignore_ascii_case("base") {
            if let Some(href) = attr("href")
                && let Ok(url) = base.join(&href)
            {
                base = url;
            }
            continue;
        }
        if !name.eq_ignore_ascii_case("a") {
            continue;
        }
        let Some(href) = attr("href") else { continue };
        let Some(mut file) = file_from_href(&base, &href) else {
            continue;
        };
        file.requires_python = attr("data-requires-python").filter(|s| !s.is_empty());
        file.yanked = attr("data-yanked");
        file.metadata = attr("data-core-metadata")
            .or_else(|| attr("data-dist-info-metadata"))
            .and_then(|v| metadata_hashes(&v));
        let _ = parser;
        files.push(file);
    }
    Ok(files)
}

/// Decodes the HTML character references index pages use in attributes (`&gt;=3.8`).
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
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
    out
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
}
