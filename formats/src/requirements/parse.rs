//! Reading a requirements file the way pip reads it: logical lines (see [`super::lines`]),
//! then per line either options (`-r`, `-c`, `-e`, `-i`, `--extra-index-url`, `-f`,
//! `--trusted-host`, `--pre`, `--only-binary`, `--no-binary`, `--prefer-binary`,
//! `--require-hashes`, `--no-index`, `--use-feature`) or a requirement followed by its own
//! options (`--hash`, `--config-settings`, `--global-option`). Includes are read through the
//! [`Loader`] relative to the including file; their requirements are inlined in order.

use super::lines::{LogicalLine, logical_lines};
use crate::Loader;
use std::path::{Path, PathBuf};
use unilock_model::Requirement;
use unilock_model::diagnostic::{Diagnostic, LineIndex, Origin, Span};
use unilock_model::document::{Document, IndexKind, IndexLocation};
use unilock_model::manifest::{ManifestRequirement, RequirementRole};

/// How deep `-r` includes may nest before unilock assumes a cycle.
const MAX_INCLUDE_DEPTH: usize = 32;

/// Computes the sha256 (hex) of a local file; `None` when it cannot be read.
pub type FileHasher = dyn Fn(&Path) -> Option<String>;

/// What parsing needs from the outside: included files, environment variables and the
/// directory relative paths start from.
pub struct Context<'a> {
    pub loader: &'a dyn Loader,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// The current directory, to make relative file names absolute for path requirements
    /// (`./pkg`). `None` (parsing text that is not on disk): they are taken from `/`.
    pub cwd: Option<&'a Path>,
    /// Computes the sha256 (hex) of a local file, for outputs that need hashes the input does
    /// not record (a lock's find-links wheels in a pylock.toml). `None`: no file access.
    pub hash_file: Option<&'a FileHasher>,
}

struct Reader<'a> {
    ctx: &'a Context<'a>,
    doc: Document,
    stack: Vec<PathBuf>,
}

/// A file being read: its name as shown in errors, its text and directory.
struct Source<'a> {
    name: String,
    text: &'a str,
    /// Line starts of `text`, so locating each requirement does not rescan the file.
    lines: LineIndex,
    dir: PathBuf,
    role: RequirementRole,
}

impl Source<'_> {
    fn error(
        &self,
        line: &LogicalLine,
        start: usize,
        end: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::invalid(message).at(
            &self.name,
            self.text,
            Span::new(line.offset(start), line.offset(end)),
        )
    }
}

/// Parses the requirements file `path` with contents `text`.
pub fn parse(path: &Path, text: &str, ctx: &Context) -> Result<Document, Diagnostic> {
    let mut reader = Reader {
        ctx,
        doc: Document::new("requirements"),
        stack: vec![path.to_path_buf()],
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let source = Source {
        name: path.display().to_string(),
        text,
        lines: LineIndex::new(text),
        dir,
        role: RequirementRole::Dependency,
    };
    reader.read(&source)?;
    Ok(reader.doc)
}

/// Splits a line at its first token that starts with `-`, as pip does.
fn split_args_options(text: &str) -> (usize, usize) {
    let mut pos = 0;
    for token in text.split(' ') {
        if token.starts_with('-') {
            return (text[..pos].trim_end().len(), pos);
        }
        pos += token.len() + 1;
    }
    (text.len(), text.len())
}

/// One option token with its value and where both are in the logical line.
struct Opt {
    name: String,
    value: Option<(String, usize, usize)>,
    start: usize,
    end: usize,
}

/// Options that take a value, with their canonical long name.
const VALUED: &[(&str, &str)] = &[
    ("-r", "--requirement"),
    ("-c", "--constraint"),
    ("-e", "--editable"),
    ("-i", "--index-url"),
    ("-f", "--find-links"),
    ("", "--extra-index-url"),
    ("", "--trusted-host"),
    ("", "--only-binary"),
    ("", "--no-binary"),
    ("", "--use-feature"),
    ("", "--hash"),
    ("", "--config-settings"),
    ("", "--global-option"),
];
const FLAGS: &[&str] = &["--pre", "--no-index", "--prefer-binary", "--require-hashes"];

/// Tokenises the options part of a line (whitespace-separated, `--opt=value`, `-rfile`).
fn options(src: &Source, line: &LogicalLine, from: usize) -> Result<Vec<Opt>, Diagnostic> {
    let text = &line.text;
    let mut tokens = Vec::new();
    let mut i = from;
    while i < text.len() {
        let rest = &text[i..];
        let skip = rest.len() - rest.trim_start().len();
        i += skip;
        if i >= text.len() {
            break;
        }
        let len = text[i..]
            .find(char::is_whitespace)
            .unwrap_or(text.len() - i);
        tokens.push((i, i + len));
        i += len;
    }
    let mut out = Vec::new();
    let mut k = 0;
    while k < tokens.len() {
        let (s, e) = tokens[k];
        let token = &text[s..e];
        k += 1;
        if !token.starts_with('-') {
            return Err(src
                .error(line, s, e, format!("unexpected `{token}` among options"))
                .expected("an option such as `--hash=sha256:…`; one requirement per line"));
        }
        let (name_part, attached) = match token.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some((v.to_string(), s + n.len() + 1, e))),
            // `-rFILE`: a one-character short option with its value attached.
            _ if !token.starts_with("--")
                && token.len() > 1 + token[1..].chars().next().map_or(0, char::len_utf8) =>
            {
                let cut = 1 + token[1..].chars().next().map_or(0, char::len_utf8);
                (&token[..cut], Some((token[cut..].to_string(), s + cut, e)))
            }
            _ => (token, None),
        };
        let long = VALUED
            .iter()
            .find(|(short, long)| name_part == *long || (!short.is_empty() && name_part == *short))
            .map(|(_, l)| *l);
        if let Some(long) = long {
            let value = match attached {
                Some(v) => v,
                None => {
                    let Some(&(vs, ve)) = tokens.get(k) else {
                        return Err(src
                            .error(line, s, e, format!("`{token}` needs a value"))
                            .expected(format!("`{long} VALUE`")));
                    };
                    k += 1;
                    (text[vs..ve].to_string(), vs, ve)
                }
            };
            out.push(Opt {
                name: long.to_string(),
                value: Some(value),
                start: s,
                end: e,
            });
        } else if FLAGS.contains(&name_part) && attached.is_none() {
            out.push(Opt {
                name: name_part.to_string(),
                value: None,
                start: s,
                end: e,
            });
        } else {
            let known: Vec<&str> = VALUED
                .iter()
                .map(|(_, l)| *l)
                .chain(FLAGS.iter().copied())
                .collect();
            let mut d = src
                .error(line, s, e, format!("no such option: {name_part}"))
                .expected("a pip requirements-file option");
            if let Some(best) =
                unilock_model::target::parse::did_you_mean(name_part, known.iter().copied())
            {
                d = d.note(format!("did you mean `{best}`?"));
            }
            return Err(d);
        }
    }
    Ok(out)
}

/// Does pip treat this requirement text as a URL or path rather than a PEP 508 name?
fn looks_like_url_or_path(text: &str) -> bool {
    let head = text.split([';', ' ']).next().unwrap_or("");
    let scheme = head.split_once(':').map(|(s, _)| s);
    let has_scheme = scheme.is_some_and(|s| {
        !s.is_empty()
            && s.len() > 1
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
    }) && head.contains("://");
    has_scheme
        || head.starts_with('.')
        || head.starts_with('/')
        || head.starts_with('~')
        || head.contains('/') && !head.contains('@')
        || [".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar"]
            .iter()
            .any(|ext| head.split('[').next().unwrap_or("").ends_with(ext))
}

impl Reader<'_> {
    fn read(&mut self, src: &Source) -> Result<(), Diagnostic> {
        for line in logical_lines(src.text, self.ctx.env) {
            let (args_end, opts_start) = split_args_options(&line.text);
            let opts = options(src, &line, opts_start)?;
            if args_end == 0 {
                for opt in &opts {
                    self.line_option(src, &line, opt)?;
                }
            } else {
                // pip reads the requirement before it looks at the options after it.
                let requirement = self.parse_requirement(src, &line, 0, args_end)?;
                let mut hashes = Vec::new();
                for opt in &opts {
                    match (opt.name.as_str(), &opt.value) {
                        ("--hash", Some((v, vs, ve))) => {
                            if let Err(e) = unilock_model::hash::parse(v, ':') {
                                return Err(src
                                    .error(&line, *vs, *ve, format!("invalid --hash value: {e}"))
                                    .expected(e.expected()));
                            }
                            hashes.push(v.clone());
                        }
                        ("--config-settings" | "--global-option", _) => {}
                        (name, _) => {
                            return Err(src
                                .error(&line, opt.start, opt.end, format!("{name} cannot follow a requirement on the same line"))
                                .expected("`--hash`, `--config-settings` or `--global-option` after a requirement"));
                        }
                    }
                }
                self.push(src, &line, 0, requirement, false, hashes);
            }
        }
        Ok(())
    }

    fn origin(src: &Source, line: &LogicalLine, at: usize) -> Origin {
        src.lines.origin(&src.name, src.text, line.offset(at))
    }

    fn parse_requirement(
        &self,
        src: &Source,
        line: &LogicalLine,
        start: usize,
        end: usize,
    ) -> Result<Requirement, Diagnostic> {
        let text = &line.text[start..end];
        let offset = line.offset(start);
        let requirement = if looks_like_url_or_path(text) {
            // pip ends a URL at the first "; " (no space needed before the semicolon);
            // PEP 508 wants one, so it is added here.
            let spaced;
            let text = match text.split_once("; ") {
                Some((url, marker)) if !url.ends_with(char::is_whitespace) => {
                    spaced = format!("{url} ; {marker}");
                    spaced.as_str()
                }
                _ => text,
            };
            // Relative paths resolve against the file's directory, as pip reads them.
            let base = self.ctx.cwd.unwrap_or(Path::new("/")).join(&src.dir);
            match egg_name(text) {
                Some(name)
                    if !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) =>
                {
                    return Err(src.error(
                        line,
                        start,
                        end,
                        format!("the `#egg=` of `{text}` is `{name}`, which is not a project name"),
                    ));
                }
                // The `#egg=` only names the project for pip; the model holds the name, and the
                // URL without it, as `name @ URL` would have given it.
                Some(name) => Requirement::parse_pypi_in(
                    &format!("{name} @ {}", without_egg(text)),
                    Some(&base),
                    &src.name,
                    src.text,
                    offset,
                )
                .map_err(|_| {
                    src.error(
                        line,
                        start,
                        end,
                        format!("invalid URL requirement `{text}`"),
                    )
                })?,
                None => Requirement::parse_pypi_unnamed(text, &base, &src.name, src.text, offset)?,
            }
        } else {
            // Errors inside the requirement assume it is contiguous in the file, which holds
            // unless a continuation splits the requirement itself.
            // `name @ ./path` resolves against the file's directory, as a bare path does.
            let base = self.ctx.cwd.unwrap_or(Path::new("/")).join(&src.dir);
            Requirement::parse_pypi_in(text, Some(&base), &src.name, src.text, offset)?
        };
        Ok(requirement)
    }

    fn push(
        &mut self,
        src: &Source,
        line: &LogicalLine,
        start: usize,
        requirement: Requirement,
        editable: bool,
        hashes: Vec<String>,
    ) {
        self.doc.manifest.requirements.push(ManifestRequirement {
            requirement,
            role: src.role,
            group: None,
            editable,
            hashes,
            origin: Some(Self::origin(src, line, start)),
            platform: None,
        });
    }

    fn line_option(
        &mut self,
        src: &Source,
        line: &LogicalLine,
        opt: &Opt,
    ) -> Result<(), Diagnostic> {
        let value = opt.value.as_ref().map(|(v, s, e)| (v.as_str(), *s, *e));
        let origin = Some(Self::origin(src, line, opt.start));
        match (opt.name.as_str(), value) {
            ("--requirement" | "--constraint", Some((file, vs, ve))) => {
                let role = if opt.name == "--constraint" {
                    RequirementRole::Constraint
                } else {
                    src.role
                };
                self.include(src, line, file, vs, ve, role)?;
            }
            ("--editable", Some((_, vs, ve))) => {
                let requirement = self.parse_requirement(src, line, vs, ve)?;
                self.push(src, line, vs, requirement, true, Vec::new());
            }
            ("--index-url", Some((url, ..))) => self.doc.indexes.push(IndexLocation {
                kind: IndexKind::Default,
                url: url.into(),
                name: None,
                origin,
            }),
            ("--extra-index-url", Some((url, ..))) => self.doc.indexes.push(IndexLocation {
                kind: IndexKind::Extra,
                url: url.into(),
                name: None,
                origin,
            }),
            ("--find-links", Some((url, ..))) => self.doc.indexes.push(IndexLocation {
                kind: IndexKind::FindLinks,
                url: url.into(),
                name: None,
                origin,
            }),
            ("--trusted-host", Some((host, ..))) => {
                self.doc.options.trusted_hosts.push(host.into())
            }
            ("--only-binary", Some((v, ..))) => self
                .doc
                .options
                .only_binary
                .extend(v.split(',').map(str::to_string)),
            ("--no-binary", Some((v, ..))) => self
                .doc
                .options
                .no_binary
                .extend(v.split(',').map(str::to_string)),
            ("--pre", None) => self.doc.options.pre = true,
            ("--require-hashes", None) => self.doc.options.require_hashes = true,
            ("--prefer-binary", None) => self.doc.options.prefer_binary = true,
            ("--no-index", None) | ("--use-feature", Some(_)) => {}
            (name, _) => {
                return Err(src
                    .error(
                        line,
                        opt.start,
                        opt.end,
                        format!("{name} applies to one requirement and needs one on the same line"),
                    )
                    .expected("a requirement before it"));
            }
        }
        Ok(())
    }

    fn include(
        &mut self,
        src: &Source,
        line: &LogicalLine,
        file: &str,
        vs: usize,
        ve: usize,
        role: RequirementRole,
    ) -> Result<(), Diagnostic> {
        if file.contains("://") {
            return Err(src
                .error(
                    line,
                    vs,
                    ve,
                    format!("remote include `{file}` is not read: parsing never uses the network"),
                )
                .expected("a local file"));
        }
        let path = src.dir.join(file);
        if self.stack.len() > MAX_INCLUDE_DEPTH
            || self.stack.iter().any(|p| normalize(p) == normalize(&path))
        {
            return Err(src.error(
                line,
                vs,
                ve,
                format!(
                    "`{file}` includes itself (through {})",
                    self.stack
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            ));
        }
        let text = self.ctx.loader.load(&path).map_err(|e| {
            src.error(
                line,
                vs,
                ve,
                format!("cannot read `{}`: {e}", path.display()),
            )
        })?;
        self.stack.push(path.clone());
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let inner = Source {
            name: path.display().to_string(),
            text: &text,
            lines: LineIndex::new(&text),
            dir,
            role,
        };
        let result = self.read(&inner);
        self.stack.pop();
        result
    }
}

/// `./a/../b` and `b` name the same file.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The `#egg=NAME` of a URL requirement, which names it.
fn egg_name(text: &str) -> Option<&str> {
    let fragment = text.split_once('#')?.1;
    let egg = fragment.split('&').find_map(|p| p.strip_prefix("egg="))?;
    let name = egg.split([' ', ';', '[']).next()?;
    (!name.is_empty()).then_some(name)
}

/// `text` (a URL or path, perhaps with `; marker`) without the `egg=` part of its fragment,
/// and without the `#` when nothing else was in the fragment.
fn without_egg(text: &str) -> String {
    let (location, rest) = text.split_once('#').unwrap_or((text, ""));
    if rest.is_empty() {
        return text.to_string();
    }
    // The fragment ends where the marker begins.
    let (fragment, marker) = match rest.find(" ;") {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let kept: Vec<&str> = fragment
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("egg="))
        .collect();
    if kept.is_empty() {
        format!("{location}{marker}")
    } else {
        format!("{location}#{}{marker}", kept.join("&"))
    }
}
