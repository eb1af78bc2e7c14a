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
            cwd: None,
            hash_file: None,
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
                cwd: None,
                hash_file: None,
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

#[test]
fn show_json_keeps_origins_only_under_origin_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, "numpy>=1.26\n-e ./pkg[dev]\n").expect("write");
    std::fs::write(
        &b,
        "# same, other layout\n\nnumpy >= 1.26\n\n-e ./pkg[dev]\n",
    )
    .expect("write");
    let json = |p: &Path| -> serde_json::Value {
        let out = crate::unilock(&["show", p.to_str().expect("utf-8"), "--json"]);
        assert!(out.status.success(), "{}", crate::stderr(&out));
        serde_json::from_str(&crate::stdout(&out)).expect("JSON")
    };
    fn drop_origins(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("origin");
                map.values_mut().for_each(drop_origins);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(drop_origins),
            _ => {}
        }
    }
    let (mut ja, mut jb) = (json(&a), json(&b));
    assert_eq!(ja["manifest"]["requirements"][1]["origin"]["line"], 2);
    assert_eq!(jb["manifest"]["requirements"][1]["origin"]["line"], 5);
    assert_eq!(ja["manifest"]["requirements"][1]["editable"], true);
    drop_origins(&mut ja);
    drop_origins(&mut jb);
    assert_eq!(ja, jb);
}

#[test]
fn convert_writes_atomically_and_leaves_the_old_file_on_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.txt");
    let out = dir.path().join("out.txt");
    std::fs::write(
        &input,
        "--extra-index-url file:///srv/simple\nnumpy==1.26.4 --hash=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
    )
    .expect("write");
    std::fs::write(&out, "previous\n").expect("write");
    let run = crate::unilock(&[
        "convert",
        input.to_str().expect("utf-8"),
        "--to",
        "requirements",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", crate::stderr(&run));
    let written = std::fs::read_to_string(&out).expect("read");
    assert_eq!(
        written,
        "--extra-index-url file:///srv/simple\n\nnumpy==1.26.4 \\\n    --hash=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
    );
    std::fs::write(&input, "numpy==1.26.4 --hash\n").expect("write");
    let run = crate::unilock(&[
        "convert",
        input.to_str().expect("utf-8"),
        "--to",
        "requirements",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).expect("read"), written);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".unilock-"))
        .collect();
    assert!(leftovers.is_empty());
    let run = crate::unilock(&["convert", input.to_str().expect("utf-8"), "--to", "uv-lok"]);
    assert!(
        crate::stderr(&run).contains("did you mean `uv-lock`?"),
        "{}",
        crate::stderr(&run)
    );
}
