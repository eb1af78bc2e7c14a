//! `unilock show` and `unilock convert`: read any supported file into the unified model, print
//! it, or write it in another format where no solving is needed.

use super::print;
use crate::cli::{ConvertArgs, ShowArgs};
use crate::output::write_atomic;
use std::path::Path;
use unilock_formats::{Format, FsLoader, dispatch, requirements};
use unilock_model::document::PinSource;
use unilock_model::{Diagnostic, Document, Target};

pub(super) fn read_input(path: &Path) -> Result<String, Diagnostic> {
    std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::usage(format!("cannot read {}: {e}", path.display())))
}

/// The sha256 of a local file, hex, read in chunks.
pub(super) fn sha256_file(path: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Some(
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// What the formats read from the outside world: files, environment variables, the current
/// directory, file hashes.
pub(super) fn context(cwd: Option<&Path>) -> requirements::Context<'_> {
    requirements::Context {
        loader: &FsLoader,
        env: &env_var,
        cwd,
        hash_file: Some(&sha256_file),
    }
}

pub(super) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

pub(super) fn format_of(
    path: &Path,
    text: &str,
    given: Option<&str>,
) -> Result<Format, Diagnostic> {
    if let Some(name) = given {
        return Format::from_name(name).ok_or_else(|| unknown_format(name));
    }
    dispatch::detect(path, text).ok_or_else(|| {
        Diagnostic::usage(format!("cannot tell the format of {}", path.display()))
            .note("name it with `--format FORMAT`")
    })
}

pub fn unknown_format(name: &str) -> Diagnostic {
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    let mut d = Diagnostic::usage(format!("unknown format `{name}`"))
        .expected(format!("one of {}", names.join(", ")));
    if let Some(s) = unilock_model::target::parse::did_you_mean(name, names.iter().copied()) {
        d = d.note(format!("did you mean `{s}`?"));
    }
    d
}

pub fn show(args: ShowArgs) -> Result<(), Diagnostic> {
    let text = read_input(&args.file)?;
    let format = format_of(&args.file, &text, args.format.as_deref())?;
    let cwd = std::env::current_dir().ok();
    let ctx = context(cwd.as_deref());
    let (doc, warnings) = dispatch::read_with_warnings(format, &args.file, &text, &ctx)?;
    for warning in &warnings {
        crate::output::warn(warning);
    }
    // What `show` prints is for reading: passwords in URLs are masked and control characters
    // escaped (JSON escapes them itself), as in every message.
    if args.json {
        let mut json = serde_json::to_string_pretty(&doc).unwrap_or_default();
        json.push('\n');
        return print(&unilock_model::safe_text::safe(&json));
    }
    print(&unilock_model::safe_text::safe(&summary(&doc)))
}

fn summary(doc: &Document) -> String {
    let mut out = format!("format: {}\n", doc.format);
    if let Some(p) = &doc.project {
        out.push_str(&format!("project: {p}\n"));
    }
    if let Some(rp) = &doc.requires_python {
        out.push_str(&format!("requires-python: {rp}\n"));
    }
    for index in &doc.indexes {
        out.push_str(&format!("index ({:?}): {}\n", index.kind, index.url).to_lowercase());
    }
    for env in &doc.environments {
        out.push_str(&format!("environment: {env}\n"));
    }
    if !doc.channels.is_empty() {
        let channels: Vec<&str> = doc.channels.iter().map(|c| c.name.as_str()).collect();
        out.push_str(&format!("channels: {}\n", channels.join(", ")));
    }
    if !doc.platforms.is_empty() {
        out.push_str(&format!("platforms: {}\n", doc.platforms.join(", ")));
    }
    // A file of one environment (an explicit file, or a lock of `default` only) lists none.
    let environments = unilock_formats::select::environments(doc);
    if environments.len() > 1
        || environments
            .first()
            .is_some_and(|e| e != unilock_formats::select::DEFAULT_ENVIRONMENT)
    {
        out.push_str(&format!("environments: {}\n", environments.join(", ")));
    }
    for (name, value) in &doc.variables {
        out.push_str(&format!("variable: {name}={value}\n"));
    }
    for r in &doc.system_requirements {
        let family = r.family.as_ref().map_or(String::new(), |f| format!("{f} "));
        out.push_str(&format!(
            "system requirement: {} {family}{}\n",
            r.name, r.version
        ));
    }
    if !doc.manifest.requirements.is_empty() {
        out.push_str(&format!(
            "requirements ({}):\n",
            doc.manifest.requirements.len()
        ));
        for r in &doc.manifest.requirements {
            let origin = r
                .origin
                .as_ref()
                .map_or(String::new(), |o| format!("  ({o})"));
            let group = r
                .group
                .as_ref()
                .map_or(String::new(), |g| format!(" [{g}]"));
            let role = match r.role {
                unilock_model::manifest::RequirementRole::Dependency => "",
                unilock_model::manifest::RequirementRole::Constraint => " (constraint)",
                unilock_model::manifest::RequirementRole::Override => " (override)",
            };
            let editable = if r.editable { "-e " } else { "" };
            let platform = r.platform.map_or(String::new(), |p| format!(" (on {p})"));
            out.push_str(&format!(
                "  {editable}{}{group}{platform}{role}{origin}\n",
                r.requirement
            ));
        }
    }
    if !doc.packages.is_empty() {
        out.push_str(&format!("packages ({}):\n", doc.packages.len()));
        for p in &doc.packages {
            let marker = p
                .marker
                .as_ref()
                .map_or(String::new(), |m| format!(" ; {m}"));
            let build = p
                .conda
                .as_ref()
                .map_or(String::new(), |c| format!(" {}", c.build));
            let built = if p.dependencies_from_build {
                " (dependencies from a build on the host)"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {} {}{build}{}{marker}{built}\n",
                p.name,
                p.version.as_deref().unwrap_or("-"),
                origin(&p.source)
            ));
        }
    }
    if !doc.flake_inputs.is_empty() {
        out.push_str(&format!("flake inputs ({}):\n", doc.flake_inputs.len()));
        for input in &doc.flake_inputs {
            out.push_str(&format!("  {}\n", flake_input_line(input)));
        }
    }
    out
}

/// Where a package comes from when it is not an index or channel, PEP 508's way: ` @
/// git+URL@COMMIT[#subdirectory=DIR] (requested rev REV)`, ` @ DIR (editable)`, ` @ URL`.
/// A registry package says nothing (its index is the file's `index` lines).
fn origin(source: &PinSource) -> String {
    match source {
        PinSource::Registry { .. } => String::new(),
        PinSource::Git {
            url,
            reference,
            commit,
            subdirectory,
        } => {
            let mut s = format!(" @ git+{url}");
            if let Some(at) = commit.as_ref().or(reference.as_ref()) {
                s.push_str(&format!("@{at}"));
            }
            if let Some(dir) = subdirectory {
                s.push_str(&format!("#subdirectory={dir}"));
            }
            if let (Some(_), Some(rev)) = (commit, reference) {
                s.push_str(&format!(" (requested rev {rev})"));
            }
            s
        }
        PinSource::Url { url, subdirectory } => match subdirectory {
            Some(dir) => format!(" @ {url}#subdirectory={dir}"),
            None => format!(" @ {url}"),
        },
        PinSource::Path { path } => format!(" @ {path}"),
        PinSource::Directory {
            path,
            editable,
            r#virtual,
        } => {
            let how = if *editable {
                " (editable)"
            } else if *r#virtual {
                " (virtual)"
            } else {
                ""
            };
            format!(" @ {path}{how}")
        }
    }
}

/// `nixpkgs: github NixOS/nixpkgs @ 0123abcd…`; for the root, its direct inputs.
fn flake_input_line(input: &unilock_model::nix::FlakeInput) -> String {
    if input.root {
        let names: Vec<&str> = input.inputs.keys().map(String::as_str).collect();
        return format!("{} (root): inputs {}", input.node, names.join(", "));
    }
    let kind = input.kind().unwrap_or("?");
    let source = match (input.locked_str("owner"), input.locked_str("repo")) {
        (Some(owner), Some(repo)) => format!("{owner}/{repo}"),
        _ => ["url", "path", "id"]
            .iter()
            .find_map(|k| input.locked_str(k))
            .unwrap_or("")
            .to_string(),
    };
    let rev = input
        .locked_str("rev")
        .map_or(String::new(), |r| format!(" @ {r}"));
    let not_flake = if input.not_flake {
        " (not a flake)"
    } else {
        ""
    };
    format!("{}: {kind} {source}{rev}{not_flake}", input.node)
}

pub fn convert(args: ConvertArgs) -> Result<(), Diagnostic> {
    let text = read_input(&args.file)?;
    let from = format_of(&args.file, &text, args.format.as_deref())?;
    let to = Format::from_name(&args.to).ok_or_else(|| unknown_format(&args.to))?;
    let target = match &args.target {
        Some(t) => Some(Target::parse(t, &env_var)?),
        None => None,
    };
    let cwd = std::env::current_dir().ok();
    let ctx = context(cwd.as_deref());
    let selection = dispatch::Selection {
        target: target.as_ref(),
        extras: args.extra.clone(),
        all_extras: args.all_extras,
        groups: args.group.clone(),
        no_default_groups: args.no_default_groups,
        all_packages: args.all_packages,
        platform: args.platform.as_deref(),
        environment: Some(&args.environment),
    };
    let converted = dispatch::convert(from, to, &args.file, &text, &selection, &ctx)?;
    for warning in &converted.warnings {
        crate::output::warn(warning);
    }
    match &args.output {
        Some(path) => write_atomic(path, &converted.text),
        None => print(&converted.text),
    }
}
