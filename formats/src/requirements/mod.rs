//! pip requirements files (`requirements.txt`, `*.in`, pip-compile and uv outputs).
//!
//! [`parse`] reads pip's full syntax into a [`Document`]: includes (`-r`, `-c`) relative to the
//! including file, editables, URL/path/VCS requirements (`git+https://…@rev#egg=name`), index
//! options, per-requirement `--hash`es, markers, extras, continuations, comments and `${VAR}`
//! expansion, as pip does them. [`emit`] writes a document back in one canonical form
//! (documented in `docs/requirements-format.md`): options first, then one requirement per line,
//! hashes on continuation lines.

mod emit;
mod lines;
mod parse;

pub use emit::emit;
pub(crate) use emit::{option_lines, pinned_hashes, pinned_line, requirement_line};
pub use parse::{Context, parse};

use unilock_model::Document;

/// Parses a requirements file that includes nothing, with no environment variables: for text
/// already in memory (tests, fuzzing).
pub fn parse_str(
    path: &std::path::Path,
    text: &str,
) -> Result<Document, unilock_model::Diagnostic> {
    let loader = crate::MemoryLoader::default();
    parse(
        path,
        text,
        &Context {
            loader: &loader,
            env: &|_| None,
            cwd: None,
            hash_file: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn relative_paths_in_text_not_on_disk_do_not_need_a_directory() {
        for text in [
            "./pkg\n",
            "-e ./pkg[dev]\n",
            "pkg @ file:///srv/pkg\n",
            "../x.whl\n",
        ] {
            let doc = parse_str(Path::new("rel/requirements.txt"), text)
                .unwrap_or_else(|e| panic!("{text}: {}", e.render()));
            assert_eq!(doc.manifest.requirements.len(), 1, "{text}");
        }
    }

    #[test]
    fn editable_relative_paths_with_an_egg_read_and_write_back_the_same() {
        // Found by the conda_env fuzz target (its pip section): `-e giit@master` was written
        // as `-e master#egg=giit`, which reads as a requirement named `master#egg`; and
        // `-e ./master#egg=giit` did not read at all.
        for text in [
            "-e ./master#egg=giit\n",
            "-e giit@master\n",
            "-e ./master#egg=giit&subdirectory=x\n",
        ] {
            let path = Path::new("rel/requirements.txt");
            let doc = parse_str(path, text).unwrap_or_else(|e| panic!("{text}: {}", e.render()));
            let written = emit(&doc).unwrap_or_else(|e| panic!("{text}: {}", e.render()));
            assert!(
                written.starts_with("-e ./master#egg=giit"),
                "{text}: {written}"
            );
            let again =
                parse_str(path, &written).unwrap_or_else(|e| panic!("{written}: {}", e.render()));
            assert_eq!(
                again.without_origins(),
                doc.without_origins(),
                "{text}: {written}"
            );
        }
    }

    #[test]
    fn an_egg_that_is_not_a_project_name_is_refused() {
        // Found by the conda_env fuzz target: `#egg=taming-trans@formers` named a project
        // `taming-trans` with the URL `formers @ git+…`.
        let text = "-e git+https://host.example/r.git@master#egg=taming-trans@formers\n";
        let err = parse_str(Path::new("r.txt"), text).unwrap_err();
        assert!(
            err.message().contains("not a project name"),
            "{}",
            err.render()
        );
    }

    #[test]
    fn binary_options_are_kept_and_written_back() {
        let text = "--only-binary :all:\n--no-binary numpy,scipy\n--prefer-binary\nnumpy\n";
        let doc = parse_str(Path::new("r.txt"), text).unwrap_or_else(|e| panic!("{}", e.render()));
        assert!(doc.options.prefer_binary);
        assert_eq!(doc.options.no_binary, ["numpy", "scipy"]);
        let emitted = emit(&doc).unwrap_or_else(|e| panic!("{}", e.render()));
        assert!(emitted.contains("--prefer-binary\n"), "{emitted}");
        let again =
            parse_str(Path::new("r.txt"), &emitted).unwrap_or_else(|e| panic!("{}", e.render()));
        assert_eq!(again.without_origins(), doc.without_origins());
    }

    #[test]
    fn options_with_non_ascii_characters_are_refused_not_panicked_on() {
        for text in ["-\u{20c}x\n", "numpy -é\n", "-é\n"] {
            let err = parse_str(Path::new("r.txt"), text).expect_err(text);
            assert!(err.message().contains("no such option"), "{}", err.render());
        }
    }

    #[test]
    fn a_requirement_ending_in_a_backslash_does_not_swallow_the_next_line() {
        let text = "git+https://host/x\\ # note\nurllib3==2.7.0\n";
        let doc = parse_str(Path::new("r.txt"), text).unwrap_or_else(|e| panic!("{}", e.render()));
        let emitted = emit(&doc).unwrap_or_else(|e| panic!("{}", e.render()));
        let again =
            parse_str(Path::new("r.txt"), &emitted).unwrap_or_else(|e| panic!("{}", e.render()));
        assert_eq!(again.without_origins(), doc.without_origins(), "{emitted}");
    }

    #[test]
    fn editables_named_by_their_egg_are_written_as_pip_reads_them() {
        let text = "-e git+https://host/repo.git@main#egg=pkg\n";
        let doc = parse_str(Path::new("r.txt"), text).unwrap_or_else(|e| panic!("{}", e.render()));
        let emitted = emit(&doc).unwrap_or_else(|e| panic!("{}", e.render()));
        assert_eq!(emitted, text);
        let again =
            parse_str(Path::new("r.txt"), &emitted).unwrap_or_else(|e| panic!("{}", e.render()));
        assert_eq!(again.without_origins(), doc.without_origins());
    }

    #[test]
    fn includes_come_from_the_loader_relative_to_the_including_file() {
        let loader = crate::MemoryLoader::default()
            .with("dir/base.txt", "numpy\n-c constraints.txt\n")
            .with("dir/constraints.txt", "numpy<2\n");
        let doc = parse(
            Path::new("dir/top.txt"),
            "-r base.txt\npandas\n",
            &Context {
                loader: &loader,
                env: &|_| None,
                cwd: None,
                hash_file: None,
            },
        )
        .unwrap_or_else(|e| panic!("{}", e.render()));
        let roles: Vec<_> = doc
            .manifest
            .requirements
            .iter()
            .map(|r| (r.requirement.to_string(), r.role))
            .collect();
        use unilock_model::manifest::RequirementRole::{Constraint, Dependency};
        assert_eq!(
            roles,
            [
                ("numpy".into(), Dependency),
                ("numpy<2".into(), Constraint),
                ("pandas".into(), Dependency)
            ]
        );
        assert_eq!(
            doc.manifest.requirements[1]
                .origin
                .as_ref()
                .map(|o| (o.file.as_str(), o.line)),
            Some(("dir/constraints.txt", 1))
        );
    }
}
