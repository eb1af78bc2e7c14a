//! pip requirements files from real projects: parse, round trip, pip's own rejections.

use super::real_files;
use std::path::Path;
use unilock_formats::FsLoader;
use unilock_formats::requirements::{self, Context};

fn parse(path: &Path) -> Result<unilock_model::Document, unilock_model::Diagnostic> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    requirements::parse(
        path,
        &text,
        &Context {
            loader: &FsLoader,
            env: &|_| None,
        },
    )
}

/// Real files that pip itself refuses, with the line and column pip's error is about.
const PIP_REJECTS: &[(&str, u32, u32)] =
    &[("bmaltais__kohya_ss/requirements_macos_amd64.txt", 1, 14)];

#[test]
fn every_real_requirements_file_parses_or_is_refused_as_pip_refuses_it() {
    let files = real_files("requirements");
    let mut parsed = 0;
    let mut total_requirements = 0;
    for path in &files {
        let rejected = PIP_REJECTS.iter().find(|(name, ..)| path.ends_with(name));
        match (parse(path), rejected) {
            (Ok(doc), None) => {
                parsed += 1;
                total_requirements += doc.manifest.requirements.len();
            }
            (Err(e), Some((_, line, column))) => {
                let o = e
                    .origin()
                    .unwrap_or_else(|| panic!("{}: error without origin", path.display()));
                assert_eq!((o.line, o.column), (*line, *column), "{}", e.render());
            }
            (Ok(_), Some(_)) => panic!("{} parsed, but pip refuses it", path.display()),
            (Err(e), None) => panic!("{}", e.render()),
        }
    }
    eprintln!(
        "requirements: {parsed} of {} files parsed, {total_requirements} requirements",
        files.len()
    );
}

#[test]
fn every_real_requirements_file_round_trips() {
    for path in real_files("requirements") {
        let Ok(doc) = parse(&path) else { continue };
        if doc
            .manifest
            .requirements
            .iter()
            .any(|r| r.role != unilock_model::manifest::RequirementRole::Dependency)
        {
            continue;
        }
        let emitted = requirements::emit(&doc)
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.render()));
        let out = path.with_file_name(format!(
            "{}.unilock-roundtrip",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("x")
        ));
        let _ = out;
        let again = requirements::parse(
            &path,
            &emitted,
            &Context {
                loader: &FsLoader,
                env: &|_| None,
            },
        )
        .unwrap_or_else(|e| {
            panic!(
                "{}: emitted text does not parse: {}\n{emitted}",
                path.display(),
                e.render()
            )
        });
        assert_eq!(
            again.without_origins(),
            doc.without_origins(),
            "{}:\n{emitted}",
            path.display()
        );
        assert_eq!(
            requirements::emit(&again).ok().as_deref(),
            Some(emitted.as_str()),
            "emit is not idempotent for {}",
            path.display()
        );
    }
}
