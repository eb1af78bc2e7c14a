//! pixi manifests over the real-world corpus: every `pixi.toml` of the shared corpus (the
//! companions of its pixi.lock files) and the fixture `corpus/fixtures/pixi-toml/pixi.toml`
//! read with every requirement located at its key, channels and platforms in order, and
//! platform-specific requirements keeping their selector.

use super::real_files;
use std::path::PathBuf;
use unilock_formats::{Format, dispatch, pixi_manifest};

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = real_files("pixi-lock")
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| !p.to_string_lossy().ends_with("pyproject.toml"))
        .collect();
    files.push(crate::corpus("fixtures/pixi-toml/pixi.toml"));
    files
}

#[test]
fn every_corpus_pixi_manifest_reads_with_located_requirements() {
    let files = corpus();
    let (mut total, mut selected) = (0, 0);
    for path in &files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            dispatch::detect(path, &text),
            Some(Format::PixiToml),
            "{name}"
        );
        let doc = pixi_manifest::parse(&name, &text).unwrap_or_else(|e| panic!("{}", e.render()));
        assert_eq!(doc.format, "pixi-toml");
        assert!(!doc.channels.is_empty(), "{name}: no channels");
        assert!(!doc.platforms.is_empty(), "{name}: no platforms");
        let reqs = &doc.manifest.requirements;
        for r in reqs {
            let origin = r
                .origin
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: {} has no origin", r.requirement));
            let line = text.lines().nth(origin.line as usize - 1).unwrap_or("");
            let rest: String = line.chars().skip(origin.column as usize - 1).collect();
            let named = r
                .requirement
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            let written = rest.trim_start_matches(['"', '\'']).to_ascii_lowercase();
            assert!(
                written
                    .replace(['_', '.'], "-")
                    .starts_with(&named.replace(['_', '.'], "-")),
                "{name}:{}:{}: origin of `{}` points at `{rest}`",
                origin.line,
                origin.column,
                r.requirement
            );
        }
        let on_platform = reqs.iter().filter(|r| r.platform.is_some()).count();
        println!(
            "{:>4} requirements ({on_platform} platform-specific), {} channels, {} platforms: {}",
            reqs.len(),
            doc.channels.len(),
            doc.platforms.len(),
            path.file_name()
                .map(|f| f.to_string_lossy())
                .unwrap_or_default()
        );
        total += reqs.len();
        selected += on_platform;
    }
    println!(
        "{total} requirements ({selected} platform-specific) in {} files",
        files.len()
    );
    if files.len() > 1 {
        assert!(
            total > 250 && selected >= 10,
            "only {total} ({selected}) read"
        );
    }
}
