//! `unilock migrate conda-to-uv` end to end: a `conda env export` file migrates with no channel
//! access, real environment.yml files from ../shared/corpus/real migrate (loose ones from their
//! specs, or solved against the shared channel snapshot), and in every written folder the real
//! uv agrees that the lock is current (`uv lock --locked`) and plans exactly its versions
//! (`uv sync --frozen --dry-run`). The PyPI pages come from corpus/migrate-snapshot (recorded
//! by scripts/record-migrate-snapshot.sh), so everything runs offline.

use crate::formats::shared;
use crate::{corpus, stderr, tool, unilock};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

/// The recorded PyPI pages, as the index of every migration here.
fn snapshot() -> String {
    format!("file://{}", corpus("migrate-snapshot/simple").display())
}

/// `unilock migrate conda-to-uv ENV -o DIR` offline from the snapshot, with `extra` flags.
fn migrate(env: &Path, dir: &Path, extra: &[&str]) -> Output {
    let index = snapshot();
    let mut args = vec![
        "migrate",
        "conda-to-uv",
        env.to_str().expect("utf-8"),
        "-o",
        dir.to_str().expect("utf-8"),
        "--index-url",
        &index,
        "--offline",
        // The snapshot records no build requirements (setuptools' wheel): sdists whose
        // dependencies are not static (antlr4-python3-runtime) are skipped, not built.
        "--no-build",
    ];
    args.extend(extra);
    unilock(&args)
}

/// Runs uv in `dir`, offline, without a cache or Python downloads.
fn uv(dir: &Path, args: &[&str]) -> Output {
    let uv = tool("uv").expect("uv");
    Command::new(uv)
        .current_dir(dir)
        .args(args)
        .args(["--offline", "--no-python-downloads"])
        .env("UV_NO_CACHE", "1")
        .env_remove("VIRTUAL_ENV")
        .output()
        .expect("run uv")
}

/// `name==version` of every package of `dir/uv.lock` but the project itself, sorted.
fn locked(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("uv.lock")).expect("uv.lock");
    let mut out = Vec::new();
    for block in text.split("[[package]]\n").skip(1) {
        let field = |key: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                .map(|v| v.trim_end_matches('"').to_string())
        };
        if block.contains("source = { virtual = \".\" }") {
            continue;
        }
        out.push(format!(
            "{}=={}",
            field("name").expect("name"),
            field("version").expect("version")
        ));
    }
    out.sort();
    out
}

/// uv takes `dir`'s uv.lock as current and plans exactly its versions; returns how many.
fn check_with_uv(dir: &Path) -> usize {
    let lock = uv(dir, &["lock", "--locked"]);
    assert!(
        lock.status.success(),
        "{}: uv lock --locked failed:\n{}",
        dir.display(),
        String::from_utf8_lossy(&lock.stderr)
    );
    let sync = uv(dir, &["sync", "--frozen", "--dry-run"]);
    let log = String::from_utf8_lossy(&sync.stderr);
    assert!(
        sync.status.success(),
        "{}: uv sync failed:\n{log}",
        dir.display()
    );
    let mut planned: Vec<String> = log
        .lines()
        .filter_map(|l| l.trim().strip_prefix("+ "))
        .map(str::to_string)
        .collect();
    planned.sort();
    assert_eq!(
        planned,
        locked(dir),
        "{}: uv plans other versions",
        dir.display()
    );
    planned.len()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A `conda env export` file (every package `name=version=build`) migrates with no channel:
/// the channel alias points nowhere, so any channel read would fail. Conda versions are kept
/// where PyPI has them (scipy 1.17.0 is not on the index: 1.17.1 instead, said in
/// MIGRATION.md), `pytorch` becomes `torch`, CUDA is the torch wheels', the `pip:` pin stays,
/// and what has no PyPI counterpart is listed with its system names.
#[test]
fn a_conda_env_export_migrates_with_no_channel_and_uv_installs_exactly_the_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("project");
    let run = migrate(
        &corpus("migrate/environment-export.yml"),
        &out,
        &["--channel-alias", "file:///nowhere.invalid/"],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("no channel is read"),
        "{}",
        stderr(&run)
    );
    assert_eq!(read(&out, ".python-version"), "3.11\n");
    let pyproject = read(&out, "pyproject.toml");
    for pin in [
        "\"matplotlib==3.11.2\"",
        "\"numpy==2.4.6\"",
        "\"packaging==26.4\"",
        "\"requests==2.34.2\"",
        "\"scipy==1.17.1\"",
        "\"torch==2.15.0\"",
    ] {
        assert!(pyproject.contains(pin), "{pin} in:\n{pyproject}");
    }
    let md = read(&out, "MIGRATION.md");
    for line in [
        "- `python 3.11.9` → `.python-version`: 3.11",
        "- `matplotlib-base 3.11.2` → PyPI `matplotlib`",
        "- `pytorch 2.15.0` → PyPI `torch`",
        "- `scipy 1.17.0` → PyPI `scipy` 1.17.1 on linux-64",
        "no replacement: `cuda-cudart 12.4.127`, `pytorch-cuda 12.4`",
        "| `openssl 3.5.0` | `libssl3` | `openssl` | `openssl` | `openssl` |",
        "| `r-base 4.4.3` | `r-base` | `R` | `R` | `R` |",
        "| `libabseil 20250127.1` | no known package |",
        "| `_libgcc_mutex 0.1` | nothing needed |",
        "- `requests==2.34.2` (",
    ] {
        assert!(md.contains(line), "`{line}` in:\n{md}");
    }
    if tool("uv").is_some() {
        let n = check_with_uv(&out);
        assert!(n > 20, "{n}");
    }
}

/// Real environment.yml files migrate offline, and uv accepts each written folder. One loose
/// environment is solved jointly against the shared conda-forge snapshot (its pip: section
/// with it); the others are planned from their specs. Prints what each became.
#[test]
fn real_environments_migrate_and_uv_installs_exactly_the_lock() {
    let Some(envs) = shared("corpus/real/environment-yml") else {
        return;
    };
    let Some(channels) = shared("conda-channels/lockfile-union") else {
        return;
    };
    let alias = format!("file://{}/", channels.display());
    let solved = [
        "CLAIRE-Labo__python-ml-research-template__installation_docker-amd64-cuda_from-scratch-template_environment.yml",
    ];
    let from_specs = [
        "DeepLabCut__DeepLabCut__conda-environments_DEEPLABCUT.yaml",
        "conda__conda__tests_env_support_valid_keys.yml",
        "nf-core__rnaseq__modules_local_deseq2_qc_environment.yml",
        "nf-core__rnaseq__modules_nf-core_star_align_environment.yml",
        "numpy__numpy__environment.yml",
        "pangeo-data__pangeo-docker-images__pytorch-notebook_environment.yml",
        "rapidsai__rmm__conda_environments_all_cuda-129_arch-x86_64.yaml",
        "snakemake__snakemake-wrappers__bio_deseq2_wald_environment.yaml",
        "snakemake__snakemake-wrappers__bio_mofa2_training_environment.yaml",
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let runs = solved
        .iter()
        .map(|f| (f, vec!["--channel-alias", alias.as_str()]))
        .chain(from_specs.iter().map(|f| (f, vec!["--from-specs"])));
    let mut table = Vec::new();
    for (i, (file, mut flags)) in runs.enumerate() {
        let out = dir.path().join(format!("env{i}"));
        flags.extend(["--target", "linux-64,python=3.11"]);
        let started = Instant::now();
        let run = migrate(&envs.join(file), &out, &flags);
        let took = started.elapsed();
        assert!(run.status.success(), "{file}:\n{}", stderr(&run));
        let md = read(&out, "MIGRATION.md");
        let conda = stderr(&run)
            .lines()
            .find_map(|l| l.strip_prefix("migrated "))
            .and_then(|l| l.split(' ').next())
            .unwrap_or("?")
            .to_string();
        let no_pypi = md.split("## No PyPI counterpart").nth(1).map_or(0, |s| {
            s.split("\n## ")
                .next()
                .unwrap_or("")
                .matches("\n| `")
                .count()
        });
        let pypi = match tool("uv") {
            Some(_) => check_with_uv(&out),
            None => locked(&out).len(),
        };
        table.push(format!(
            "{conda:>4} conda → {pypi:>4} PyPI locked, {no_pypi:>3} rows in the no-PyPI tables  {:>6.2}s  {file}",
            took.as_secs_f64()
        ));
    }
    println!("migrate conda-to-uv, real environments (offline):");
    for row in &table {
        println!("  {row}");
    }
    assert_eq!(table.len(), 10);
}

/// An existing pyproject.toml is never replaced without --force; with it, the migration
/// writes its files.
#[test]
fn an_existing_pyproject_is_kept_unless_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pyproject = dir.path().join("pyproject.toml");
    std::fs::write(&pyproject, "# mine\n").expect("write");
    let env = corpus("migrate/environment-export.yml");
    let run = migrate(&env, dir.path(), &[]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("--force"), "{}", stderr(&run));
    assert_eq!(read(dir.path(), "pyproject.toml"), "# mine\n");
    assert!(!dir.path().join("uv.lock").exists());
    let run = migrate(&env, dir.path(), &["--force"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(read(dir.path(), "pyproject.toml").contains("\"torch==2.15.0\""));
}

/// A migration that fails (a `pip:` pin no index has) exits 1 and writes nothing; a file that
/// is not an environment.yml is refused with exit 2.
#[test]
fn a_failed_migration_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = dir.path().join("environment.yml");
    std::fs::write(
        &env,
        "channels: [conda-forge]\ndependencies:\n  - python=3.11.9=hb806964_0_cpython\n  - numpy=2.4.6=py311h519dc76_0\n  - pip:\n    - requests==0.0.1\n",
    )
    .expect("write");
    let out = dir.path().join("out");
    let run = migrate(&env, &out, &[]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(stderr(&run).contains("requests"), "{}", stderr(&run));
    assert!(!out.exists(), "nothing is written");

    let requirements = dir.path().join("requirements.txt");
    std::fs::write(&requirements, "numpy\n").expect("write");
    let run = migrate(&requirements, &out, &[]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("reads a conda environment.yml"),
        "{}",
        stderr(&run)
    );
    assert!(!out.exists());
}
