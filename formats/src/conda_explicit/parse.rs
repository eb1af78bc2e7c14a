//! Reading an explicit file line by line, as CEP 23 and conda read it: blank lines and
//! comments are skipped (except `# platform:` and conda-lock's `# pip` lines), `@EXPLICIT` marks
//! the file explicit, and every other line is one package URL or path, matched against CEP 23's
//! pattern `…/NAME-VERSION-BUILD.(conda|tar.bz2)[#md5 | #sha256 | #sha256:sha256]`.

use super::{CondaEntry, ExplicitFile, PipEntry};
use rattler_conda_types::package::CondaArchiveIdentifier;
use rattler_conda_types::{Subdir, Version};
use std::str::FromStr;
use unilock_model::{Diagnostic, LineIndex, Origin, Span};

type R<T> = Result<T, Diagnostic>;

/// Parses an explicit file; `file` names it in diagnostics.
pub fn parse(file: &str, text: &str) -> R<ExplicitFile> {
    let cx = Cx {
        file,
        text,
        lines: LineIndex::new(text),
    };
    let mut out = ExplicitFile::default();
    let mut explicit = false;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let at = start + (line.len() - line.trim_start().len());
        if let Some(comment) = trimmed.strip_prefix('#') {
            let body = comment.trim_start();
            let body_at = at + (trimmed.len() - body.len());
            if let Some(platform) = body.strip_prefix("platform:") {
                let value = platform.trim();
                let value_at =
                    body_at + "platform:".len() + (platform.len() - platform.trim_start().len());
                cx.platform(&mut out, value, value_at)?;
            } else if let Some(pin) = body.strip_prefix("pip ").filter(|p| p.contains(" @ ")) {
                out.pip.push(cx.pip(pin, body_at + 4, at)?);
            }
            continue;
        }
        if trimmed == "@EXPLICIT" {
            explicit = true;
            continue;
        }
        out.packages.push(cx.entry(trimmed, at)?);
    }
    if !explicit {
        return Err(Diagnostic::invalid("not an explicit file: there is no `@EXPLICIT` line")
            .at(file, text, Span::new(0, 1))
            .expected("`@EXPLICIT` on a line of its own before the package URLs")
            .note("a text spec file without `@EXPLICIT` lists MatchSpecs to solve, which this format does not read"));
    }
    Ok(out)
}

struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    /// Line starts of `text`, built once: every package line is located.
    lines: LineIndex,
}

impl Cx<'_> {
    fn error(&self, at: usize, len: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::invalid(message).at(self.file, self.text, Span::new(at, at + len.max(1)))
    }

    fn origin(&self, at: usize) -> Option<Origin> {
        Some(self.lines.origin(self.file, self.text, at))
    }

    fn platform(&self, out: &mut ExplicitFile, value: &str, at: usize) -> R<()> {
        match Subdir::from_str(value) {
            Ok(Subdir::NoArch) | Err(_) => {
                return Err(self
                    .error(at, value.len(), format!("unknown platform `{value}`"))
                    .expected("a conda subdir such as `linux-64`, `osx-arm64` or `win-64`"));
            }
            Ok(_) => {}
        }
        match &out.platform {
            Some(p) if p != value => Err(self
                .error(
                    at,
                    value.len(),
                    format!("a second platform `{value}` (the file already said `{p}`)"),
                )
                .expected("one `# platform:` line")),
            _ => {
                out.platform = Some(value.to_string());
                Ok(())
            }
        }
    }

    /// A package line: URL or path, then an optional hash fragment.
    fn entry(&self, line: &str, at: usize) -> R<CondaEntry> {
        if let Some(space) = line.find(char::is_whitespace) {
            return Err(self
                .error(
                    at + space,
                    1,
                    "a package line holds one URL and nothing else",
                )
                .expected("`URL#HASH` with no spaces"));
        }
        let (url, fragment) = match line.rfind('#') {
            Some(h) => (&line[..h], Some((&line[h + 1..], at + h))),
            None => (line, None),
        };
        if let Some(first) = url.find('#') {
            return Err(self
                .error(
                    at + first,
                    1,
                    "a package line has one `#`, before the package's hash",
                )
                .expected("`URL#HASH`"));
        }
        let (md5, sha256) = match fragment {
            Some((hash, hash_at)) => self.hash(hash, hash_at)?,
            None => (None, None),
        };
        Ok(CondaEntry {
            md5,
            sha256,
            origin: self.origin(at),
            ..self.package(url, at)?
        })
    }

    /// The package a URL or path (without fragment) names.
    fn package(&self, url: &str, at: usize) -> R<CondaEntry> {
        let file_at = url.rfind(['/', '\\']).map_or(0, |i| i + 1);
        let file_name = &url[file_at..];
        let file_offset = at + file_at;
        let decoded = percent_encoding::percent_decode_str(file_name).decode_utf8_lossy();
        let Some(archive) = CondaArchiveIdentifier::try_from_filename(&decoded) else {
            return Err(self
                .error(
                    file_offset,
                    file_name.len(),
                    format!("`{file_name}` is not a conda package file name"),
                )
                .expected(
                    "a URL ending in NAME-VERSION-BUILD.conda or NAME-VERSION-BUILD.tar.bz2",
                ));
        };
        let id = archive.identifier;
        if id.name.is_empty() || id.version.is_empty() || id.build_string.is_empty() {
            return Err(self
                .error(
                    file_offset,
                    file_name.len(),
                    format!("`{file_name}` lacks a name, version or build"),
                )
                .expected("NAME-VERSION-BUILD.conda"));
        }
        if let Err(e) = Version::from_str(&id.version) {
            return Err(self
                .error(
                    file_offset,
                    file_name.len(),
                    format!(
                        "invalid conda version `{}` in `{file_name}`: {e}",
                        id.version
                    ),
                )
                .expected("NAME-VERSION-BUILD.conda"));
        }
        if url.contains("://") {
            url::Url::parse(url).map_err(|e| {
                self.error(at, url.len(), format!("invalid URL: {e}"))
                    .expected(
                        "an absolute URL such as `https://host/channel/linux-64/pkg-1.0-0.conda`",
                    )
            })?;
        }
        let (subdir, channel) = subdir_and_channel(url, file_at);
        Ok(CondaEntry {
            url: url.to_string(),
            md5: None,
            sha256: None,
            name: id.name,
            version: id.version,
            build: id.build_string,
            subdir,
            channel,
            origin: None,
        })
    }

    /// `#<md5>`, `#<sha256>` or `#sha256:<sha256>`, lowercase hex (uppercase is accepted and
    /// lowered).
    fn hash(&self, hash: &str, at: usize) -> R<(Option<String>, Option<String>)> {
        let (hex, prefixed) = match hash.strip_prefix("sha256:") {
            Some(h) => (h, true),
            None => (hash, false),
        };
        let is_hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
        match hex.len() {
            32 if !prefixed && is_hex(hex) => Ok((Some(hex.to_ascii_lowercase()), None)),
            64 if is_hex(hex) => Ok((None, Some(hex.to_ascii_lowercase()))),
            _ => Err(self
                .error(at, hash.len() + 1, format!("`#{hash}` is not a package hash"))
                .expected("`#` and an MD5 (32 hex digits) or SHA-256 (64 hex digits, optionally after `sha256:`)")),
        }
    }

    /// conda-lock's `# pip NAME @ URL[#sha256=HEX]`.
    fn pip(&self, pin: &str, at: usize, line_at: usize) -> R<PipEntry> {
        let Some((name, url)) = pin.split_once(" @ ") else {
            return Err(self.error(at, pin.len(), "expected `# pip NAME @ URL`"));
        };
        let name_text = name.trim();
        let name_at = at + (name.len() - name.trim_start().len());
        let normalized = pep508_rs::PackageName::from_str(name_text).map_err(|e| {
            self.error(
                name_at,
                name_text.len(),
                format!("invalid PyPI name `{name_text}`: {e}"),
            )
            .expected("`# pip NAME @ URL`")
        })?;
        let url_text = url.trim();
        let url_at = at + name.len() + 3 + (url.len() - url.trim_start().len());
        let (url, sha256) = match url_text.rsplit_once('#') {
            Some((u, fragment)) => match fragment
                .strip_prefix("sha256=")
                .or_else(|| fragment.strip_prefix("sha256:"))
            {
                Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    (u, Some(hex.to_ascii_lowercase()))
                }
                Some(_) => {
                    let h = url_at + u.len();
                    return Err(self
                        .error(
                            h,
                            fragment.len() + 1,
                            format!("`#{fragment}` is not a SHA-256 hash"),
                        )
                        .expected("`#sha256=` and 64 hex digits"));
                }
                None => (url_text, None),
            },
            None => (url_text, None),
        };
        if url.is_empty() || url.contains(char::is_whitespace) {
            return Err(self
                .error(url_at, url_text.len().max(1), "expected one URL after `@`")
                .expected("`# pip NAME @ URL#sha256=HEX`"));
        }
        if url.contains("://") {
            url::Url::parse(url).map_err(|e| {
                self.error(url_at, url.len(), format!("invalid URL: {e}"))
                    .expected("`# pip NAME @ URL#sha256=HEX`")
            })?;
        }
        Ok(PipEntry {
            name: normalized.to_string(),
            url: url.to_string(),
            sha256,
            origin: self.origin(line_at),
        })
    }
}

/// The entry of a package URL that is not read from a file (from another format's pins);
/// `None` when it is not the URL of a conda package file or cannot be written on one line.
pub(super) fn entry_of(
    url: &str,
    md5: Option<String>,
    sha256: Option<String>,
) -> Option<CondaEntry> {
    if url.is_empty() || url.contains(|c: char| c == '#' || c.is_whitespace()) {
        return None;
    }
    let cx = Cx {
        file: "",
        text: url,
        lines: LineIndex::new(url),
    };
    let entry = cx.package(url, 0).ok()?;
    let hex = |h: Option<String>, len: usize| {
        h.filter(|h| h.len() == len && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|h| h.to_ascii_lowercase())
    };
    Some(CondaEntry {
        md5: hex(md5, 32),
        sha256: hex(sha256, 64),
        ..entry
    })
}

/// The subdir folder of a package URL (`…/CHANNEL/SUBDIR/FILE`) and the channel before it.
fn subdir_and_channel(url: &str, file_at: usize) -> (Option<String>, Option<String>) {
    let Some(dir) = url.get(..file_at.saturating_sub(1)) else {
        return (None, None);
    };
    let (channel, subdir) = match dir.rfind(['/', '\\']) {
        Some(i) => (&dir[..i], &dir[i + 1..]),
        None => ("", dir),
    };
    if Subdir::from_str(subdir).is_err() {
        return (None, None);
    }
    let channel = (!channel.is_empty() && !channel.ends_with("//")).then(|| channel.to_string());
    (Some(subdir.to_string()), channel)
}
