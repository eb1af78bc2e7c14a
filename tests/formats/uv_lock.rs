//! uv.lock over the real-world corpus: every file parses, re-emits byte for byte, and keeps
//! its unified model through a round trip; `uv export` semantics hold on a real lock.

use unilock_formats::uv_lock::{self, ExportOptions};

/// The corpus files with their text.
fn corpus() -> Vec<(String, String)> {
    super::real_texts("uv-lock")
}

/// The first line where two texts differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    for (n, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  file:    {x}\n  emitted: {y}", n + 1);
        }
    }
    format!(
        "same lines up to the shorter text ({} vs {} lines)",
        a.lines().count(),
        b.lines().count()
    )
}

#[test]
fn every_real_lock_re_emits_byte_for_byte() {
    let files = corpus();
    eprintln!("{} uv.lock files", files.len());
    let mut failures = Vec::new();
    for (path, text) in &files {
        let lock = uv_lock::parse(path, text).unwrap_or_else(|e| panic!("{e}"));
        let emitted = uv_lock::emit(&lock);
        if emitted != *text {
            failures.push(format!(
                "{path} does not round-trip; first difference at {}",
                first_difference(text, &emitted)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_real_lock_keeps_its_model_through_a_round_trip() {
    for (path, text) in corpus() {
        let lock = uv_lock::parse(&path, &text).unwrap_or_else(|e| panic!("{e}"));
        let again = uv_lock::parse(&path, &uv_lock::emit(&lock)).unwrap_or_else(|e| panic!("{e}"));
        let doc = lock.to_document();
        assert_eq!(doc, again.to_document(), "{path}");
        assert_eq!(doc.packages.len(), lock.packages.len(), "{path}");
        // Every workspace requirement becomes a manifest requirement: none is dropped.
        let roots = lock.root_packages();
        let from_roots: usize = roots
            .iter()
            .filter_map(|p| p.metadata.as_ref())
            .map(|m| {
                m.requires_dist.len() + m.requires_dev.iter().map(|g| g.1.len()).sum::<usize>()
            })
            .sum();
        let from_manifest = lock.manifest.as_ref().map_or(0, |m| {
            m.requirements.len()
                + m.constraints.len()
                + m.overrides.len()
                + m.dependency_groups.iter().map(|g| g.1.len()).sum::<usize>()
        });
        assert!(!roots.is_empty(), "{path}: no workspace root found");
        assert_eq!(
            doc.manifest.requirements.len(),
            from_roots + from_manifest,
            "{path}: requirements lost in the manifest"
        );
    }
}

fn fastapi() -> Option<uv_lock::UvLock> {
    let (path, text) = corpus()
        .into_iter()
        .find(|(p, _)| p.contains("fastapi__fastapi"))?;
    Some(uv_lock::parse(&path, &text).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
/// The project first, then its runtime closure by name, as `uv export --no-default-groups`.
fn fastapi_export_without_groups_is_its_runtime_closure() {
    let Some(lock) = fastapi() else { return };
    let doc = uv_lock::export(
        &lock,
        &ExportOptions {
            no_default_groups: true,
            ..ExportOptions::default()
        },
    );
    let names: Vec<&str> = doc.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "fastapi",
            "annotated-doc",
            "annotated-types",
            "anyio",
            "exceptiongroup",
            "idna",
            "pydantic",
            "pydantic-core",
            "starlette",
            "typing-extensions",
            "typing-inspection"
        ]
    );
    let marker = |name: &str| {
        doc.packages
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.marker.clone())
    };
    assert_eq!(
        marker("exceptiongroup").as_deref(),
        Some("python_full_version < '3.11'")
    );
    assert_eq!(marker("pydantic"), None);
}

#[test]
fn fastapi_dev_export_installs_windows_only_packages_under_win32() {
    let Some(lock) = fastapi() else { return };
    let doc = uv_lock::export(&lock, &ExportOptions::default());
    for name in ["colorama", "pywin32"] {
        let p = doc.packages.iter().find(|p| p.name == name);
        assert_eq!(
            p.and_then(|p| p.marker.as_deref()),
            Some("sys_platform == 'win32'"),
            "{name}"
        );
    }
    let linux = uv_lock::MarkerEnvironment::try_from(uv_lock::MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: "3.12.1",
        os_name: "posix",
        platform_machine: "x86_64",
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system: "Linux",
        platform_version: "",
        python_full_version: "3.12.1",
        python_version: "3.12",
        sys_platform: "linux",
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let on_linux = uv_lock::export(
        &lock,
        &ExportOptions {
            target: Some(linux),
            ..ExportOptions::default()
        },
    );
    assert!(on_linux.packages.iter().all(|p| p.marker.is_none()));
    assert!(!on_linux.packages.iter().any(|p| p.name == "colorama"));
    assert!(on_linux.packages.len() < doc.packages.len());
}

#[test]
fn every_real_lock_exports_with_all_extras() {
    for (path, text) in corpus() {
        let lock = uv_lock::parse(&path, &text).unwrap_or_else(|e| panic!("{e}"));
        let doc = uv_lock::export(
            &lock,
            &ExportOptions {
                all_extras: true,
                ..ExportOptions::default()
            },
        );
        assert!(!doc.packages.is_empty(), "{path}");
        for p in &doc.packages {
            if let Some(m) = &p.marker {
                assert!(
                    m.parse::<uv_lock::MarkerTree>().is_ok(),
                    "{path}: {} has marker {m}",
                    p.name
                );
            }
        }
    }
}

#[test]
fn truncated_locks_are_errors_or_locks_never_panics() {
    let Some((path, text)) = corpus()
        .into_iter()
        .find(|(p, _)| p.contains("pydantic-core"))
    else {
        return;
    };
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut)
            && let Err(e) = uv_lock::parse(&path, &text[..cut])
        {
            assert!(e.origin().is_some(), "{e}");
        }
        cut += 4999;
    }
}
