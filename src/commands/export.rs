//! `unilock export`: reads the lock and the flags, runs the export pipeline
//! (`unilock_formats::export`), and writes what it produced — every file is produced before
//! any is written, each atomically.

use super::files::{env_var, read_input, unknown_format};
use super::print;
use crate::cli::ExportArgs;
use crate::output::write_atomic;
use std::path::PathBuf;
use unilock_formats::Format;
use unilock_formats::export::{ExportRequest, Header, export as run};
use unilock_formats::nix_export::NixOptions;
use unilock_model::{Diagnostic, Lock, Target};

pub fn export(args: ExportArgs) -> Result<(), Diagnostic> {
    let path = args
        .lock
        .clone()
        .unwrap_or_else(|| PathBuf::from("unilock.lock"));
    let text = read_input(&path)?;
    let lock_name = path.display().to_string();
    let lock = Lock::from_toml(&text, &lock_name)?;
    if args.freshness.locked {
        super::recorded::check_inputs(&lock, &path)?;
    }
    let to = Format::from_name(&args.to).ok_or_else(|| unknown_format(&args.to))?;
    let targets = args
        .target
        .iter()
        .map(|t| Target::parse(t, &env_var).map(|t| lock_name_of(&lock, &t)))
        .collect::<Result<Vec<_>, _>>()?;
    let existing = match (to, &args.output) {
        (Format::Pyproject, None) => {
            return Err(Diagnostic::usage(
                "--to pyproject writes into an existing pyproject.toml: name it with -o PATH",
            ));
        }
        (Format::Pyproject, Some(out)) => std::fs::read_to_string(out).ok(),
        _ => None,
    };
    let request = ExportRequest {
        to,
        targets: targets.clone(),
        all_targets: args.all_targets,
        header: (!args.no_header).then(|| Header {
            lock_path: lock_name.clone(),
            command: command(&args, &lock_name, to, &targets),
        }),
        annotate: !args.no_annotate,
        hashes: !args.no_hashes,
        lock_name,
        existing,
        nix: NixOptions {
            nixpkgs_rev: args.nixpkgs_rev.clone(),
            input_flake_lock: match &args.nixpkgs_from {
                Some(p) => Some(read_input(p)?),
                None => None,
            },
        },
    };
    // Source directories are named relative to the lock; an export names them relative to
    // where it is written (the file's directory, the directory of several files, or the
    // current directory for standard output).
    let lock_dir = dir_of(&path);
    let file_dir = args.output.as_deref().map_or(PathBuf::from("."), dir_of);
    let mut exported = match super::sources::rebase(&lock, &lock_dir, &file_dir) {
        Some(rebased) => run(&rebased, &request)?,
        None => run(&lock, &request)?,
    };
    if exported.files.iter().any(|f| f.name.is_some())
        && let Some(dir) = &args.output
        && let Some(rebased) = super::sources::rebase(&lock, &lock_dir, dir)
    {
        exported = run(&rebased, &request)?;
    }
    for w in &exported.warnings {
        crate::output::warn(w);
    }
    let named = exported.files.iter().any(|f| f.name.is_some());
    if !named {
        let text: String = exported.files.iter().map(|f| f.text.as_str()).collect();
        return match &args.output {
            Some(p) => write_atomic(p, &text),
            None => print(&text),
        };
    }
    let Some(dir) = &args.output else {
        let names: Vec<&str> = exported
            .files
            .iter()
            .filter_map(|f| f.name.as_deref())
            .collect();
        return Err(Diagnostic::usage(format!(
            "this export writes several files ({}): name the directory to write them into with -o DIR",
            names.join(", ")
        )));
    };
    if dir.exists() && !dir.is_dir() {
        return Err(Diagnostic::usage(format!(
            "{}: this export writes several files, and -o names a file, not a directory",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Diagnostic::usage(format!(
            "cannot create the directory {}: {e}",
            dir.display()
        ))
    })?;
    for f in &exported.files {
        let name = f.name.as_deref().unwrap_or("export");
        write_atomic(&dir.join(name), &f.text)?;
    }
    eprintln!(
        "wrote {} files into {}",
        exported.files.len(),
        dir.display()
    );
    Ok(())
}

/// The directory of the file `path` (`.` for a bare file name).
fn dir_of(path: &std::path::Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The name under which `lock` holds `target`: its target with the same meaning, however it
/// was spelled (`linux/amd64` finds `linux-64`); the target's own spelling when it has none.
fn lock_name_of(lock: &Lock, target: &Target) -> String {
    let key = target.key();
    lock.targets
        .iter()
        .find(|t| t.name == target.spec())
        .or_else(|| lock.targets.iter().find(|t| t.meaning(&env_var) == key))
        .map_or_else(|| target.spec().to_string(), |t| t.name.clone())
}

/// The command that writes the same export again, for its header.
fn command(args: &ExportArgs, lock: &str, to: Format, targets: &[String]) -> String {
    let mut words = vec!["unilock".to_string(), "export".into()];
    let mut flag = |f: &str, v: &str| {
        words.push(f.to_string());
        words.push(quote(v));
    };
    flag("--lock", lock);
    flag("--to", to.name());
    for t in targets {
        flag("--target", t);
    }
    if let Some(rev) = &args.nixpkgs_rev {
        flag("--nixpkgs-rev", rev);
    }
    if let Some(p) = &args.nixpkgs_from {
        flag("--nixpkgs-from", &p.display().to_string());
    }
    if let Some(o) = &args.output {
        flag("-o", &o.display().to_string());
    }
    if args.all_targets {
        words.push("--all-targets".into());
    }
    if args.no_annotate {
        words.push("--no-annotate".into());
    }
    if args.no_hashes {
        words.push("--no-hashes".into());
    }
    words.join(" ")
}

/// `word`, single-quoted when a shell would split or expand it.
fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.,=/:@+%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
