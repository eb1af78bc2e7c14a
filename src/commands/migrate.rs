//! `unilock migrate conda-to-uv`: a conda environment.yml → a uv project (pyproject.toml,
//! uv.lock, .python-version) and MIGRATION.md.
//!
//! Reads the environment; when every conda spec is an exact `name=version=build` pin, plans
//! from the pins with no channel access, else solves it first (jointly with its `pip:`
//! section) against its channels for the targets; plans the move
//! (`unilock_solver::migrate`); resolves the plan's PyPI requirements with the conda versions
//! as preferences; writes the uv-lock export of that lock and the report. Every file is
//! produced before any is written.

use super::files::{context, env_var, format_of, read_input};
use crate::cli::MigrateArgs;
use crate::output::write_atomic;
use std::path::{Path, PathBuf};
use unilock_formats::export::{ExportRequest, Header, export};
use unilock_formats::{Format, dispatch};
use unilock_model::target::PythonVersion;
use unilock_model::{Diagnostic, Lock, Target};
use unilock_solver::conda::CondaRequest;
use unilock_solver::joint::JointRequest;
use unilock_solver::migrate::{self, report};
use unilock_solver::pypi::Request;
use unilock_solver::request::{Groups, Inputs};

/// The files a migration writes, in the order they are written.
const WRITTEN: [&str; 4] = [
    "pyproject.toml",
    "uv.lock",
    ".python-version",
    "MIGRATION.md",
];

/// The target of a migration that names none.
const DEFAULT_TARGET: &str = "linux-64";

pub fn conda_to_uv(args: MigrateArgs) -> Result<(), Diagnostic> {
    let dir = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("migrated"));
    check_output(&dir, args.force)?;
    let path = &args.environment;
    let shown = path.display().to_string();
    let text = read_input(path)?;
    let format = format_of(path, &text, None)?;
    if format != Format::CondaEnv {
        return Err(Diagnostic::usage(format!(
            "{shown}: `unilock migrate conda-to-uv` reads a conda environment.yml; this is {}",
            format.name()
        )));
    }
    let cwd = std::env::current_dir().ok();
    let mut doc = dispatch::read(format, path, &text, &context(cwd.as_deref()))?;
    let local = migrate::local_projects(&mut doc.manifest, &shown);
    let mut inputs = Inputs::new(args.pre, args.binary.policy()?);
    inputs.add(path, &doc, &Groups::default())?;
    super::resolution::apply(&args.resolution, &mut inputs.pypi)?;
    if inputs.conda.specs.is_empty() {
        return Err(Diagnostic::usage(format!(
            "{shown}: the environment has no conda dependencies to migrate"
        ))
        .note("a pip-only environment is a requirements list: `unilock resolve` it and `unilock export --to uv-lock`"));
    }
    let given = if args.target.is_empty() {
        vec![DEFAULT_TARGET.to_string()]
    } else {
        args.target.clone()
    };
    let specs = super::resolution::targets(&args.resolution, &given)?;
    let targets = specs
        .iter()
        .map(|t| Target::parse(t, &env_var))
        .collect::<Result<Vec<_>, _>>()?;

    let mut configured =
        super::index::source(&args.index, inputs.indexes.clone(), &targets, &inputs.pypi)?;
    args.build.apply(&mut configured.builds);
    let index = &configured.building();
    let channel_names: Vec<String> = inputs
        .conda
        .channels
        .iter()
        .map(|(c, _)| c.clone())
        .collect();
    let mut notes = Vec::new();
    let packages = match migrate::pinned(&inputs.conda.specs, &channel_names) {
        Some(pins) => {
            eprintln!(
                "{shown}: every conda package is pinned (name=version=build): no channel is read"
            );
            pins
        }
        None if args.from_specs => {
            let (packages, from_specs) = migrate::from_specs(&inputs.conda.specs, &channel_names);
            notes = from_specs;
            notes.push(
                "planned from the environment's specs alone (--from-specs): the packages a conda solve would add as dependencies are not known, so not listed".into(),
            );
            packages
        }
        None => {
            let lock = solve_environment(&args, &targets, &inputs, index)?;
            migrate::from_lock(&lock, &migrate::requested_names(&inputs.conda.specs))
        }
    };
    let pip: Vec<(pep508_rs::Requirement, String)> = inputs.pypi.requirements.clone();
    let mut plan = migrate::plan(packages, &pip);
    plan.local = local;
    plan.notes.extend(notes);

    // The PyPI solve runs on the environment's Python where the target names none.
    let targets: Vec<Target> = targets
        .into_iter()
        .map(|t| with_python(t, plan.python.as_deref()))
        .collect::<Result<_, _>>()?;
    let request = Request {
        requirements: plan.requirements.clone(),
        preferences: plan.preferences.clone(),
        ..inputs.pypi.clone()
    };
    let lock = super::resolve::solve_pypi(&configured, &targets, &request, args.consistent)?;

    let command = command(&args, &specs, &dir);
    let mut uv = ExportRequest::new(Format::UvLock, &shown);
    uv.header = Some(Header {
        lock_path: shown.clone(),
        command: command.clone(),
    });
    let exported = export(&lock, &uv)?;
    for w in &exported.warnings {
        crate::output::warn(w);
    }
    let file = |name: &str| {
        exported
            .files
            .iter()
            .find(|f| f.name.as_deref() == Some(name))
            .map(|f| f.text.clone())
            .ok_or_else(|| Diagnostic::usage(format!("the uv-lock export wrote no {name}")))
    };
    // `.python-version`: the lowest Python of the targets (`requires-python` is `>=` it),
    // which is the environment's unless a target names another.
    let lowest = targets
        .iter()
        .map(|t| (t.python.major, t.python.minor))
        .min()
        .unwrap_or((3, 12));
    let python = format!("{}.{}", lowest.0, lowest.1);
    if let Some(conda) = &plan.python
        && *conda != python
    {
        plan.notes.push(format!(
            "the conda environment runs Python {conda}; the targets run Python {python} and up (--target ...,python=), so `.python-version` says {python}"
        ));
    }
    plan.python = Some(python.clone());
    let report = report::migration_md(
        &report::Run {
            environment: &shown,
            command: &command,
        },
        &plan,
        &lock,
    );
    let texts = [
        file("pyproject.toml")?,
        file("uv.lock")?,
        format!("{python}\n"),
        report,
    ];
    std::fs::create_dir_all(&dir).map_err(|e| {
        Diagnostic::usage(format!(
            "cannot create the directory {}: {e}",
            dir.display()
        ))
    })?;
    for (name, text) in WRITTEN.iter().zip(&texts) {
        write_atomic(&dir.join(name), text)?;
    }
    eprintln!(
        "migrated {} conda packages ({} PyPI packages locked for {} target(s)) into {}: {}",
        plan.entries.len(),
        lock.packages.len(),
        lock.targets.len(),
        dir.display(),
        WRITTEN.join(", ")
    );
    Ok(())
}

/// Refuses an output that is a file, or a directory holding a pyproject.toml, unless `force`.
fn check_output(dir: &Path, force: bool) -> Result<(), Diagnostic> {
    if dir.exists() && !dir.is_dir() {
        return Err(Diagnostic::usage(format!(
            "{}: -o names a file; a migration writes several files into a directory",
            dir.display()
        )));
    }
    let pyproject = dir.join("pyproject.toml");
    if pyproject.exists() && !force {
        return Err(Diagnostic::usage(format!(
            "{} exists, and a migration would replace it",
            pyproject.display()
        ))
        .note("write into another directory with -o DIR, or pass --force to replace it (and uv.lock, .python-version, MIGRATION.md)"));
    }
    Ok(())
}

/// `target` running `python` (`major.minor`) when it names no Python itself.
fn with_python(target: Target, python: Option<&str>) -> Result<Target, Diagnostic> {
    if unilock_solver::conda::target_python(&target).is_some() {
        return Ok(target);
    }
    let Some(python) = python else {
        return Ok(target);
    };
    let mut parts = python.split('.').map(str::parse::<u32>);
    let (Some(Ok(major)), Some(Ok(minor))) = (parts.next(), parts.next()) else {
        return Err(Diagnostic::invalid(format!(
            "the environment's python `{python}` is not a Python version"
        )));
    };
    let version = PythonVersion {
        major,
        minor,
        patch: None,
        free_threaded: false,
    };
    Ok(target.with_python(version, "the conda environment's python"))
}

/// The conda environment, solved for every target against its channels (and, with a `pip:`
/// section, jointly with it): the conda packages it installs.
fn solve_environment(
    args: &MigrateArgs,
    targets: &[Target],
    inputs: &Inputs,
    index: &unilock_build::BuildingSource,
) -> Result<Lock, Diagnostic> {
    let conda = &inputs.conda;
    let (channels, progress) = super::channels::source(&args.channels, &args.index, conda)?;
    // The environment is solved as it is, on its own Python: a target's `python=` is the uv
    // project's, not a constraint on the conda solve.
    let targets: Vec<Target> = targets
        .iter()
        .map(|t| t.with_python(t.python, "default"))
        .collect();
    let targets = targets.as_slice();
    let request_for = |t: &Target| JointRequest {
        conda: CondaRequest {
            specs: conda.specs_for(t.platform.conda_subdir()),
            preferences: Default::default(),
        },
        pypi: inputs.pypi.clone(),
    };
    let lock = if inputs.pypi.requirements.is_empty() {
        let resolutions = targets
            .iter()
            .map(|t| unilock_solver::conda::resolve(&channels, t, &request_for(t).conda))
            .collect::<Result<Vec<_>, _>>();
        if let Some(p) = &progress {
            p.finish();
        }
        unilock_solver::lock::assemble_conda(targets, resolutions?)
    } else {
        let resolutions = targets
            .iter()
            .map(|t| unilock_solver::joint::resolve(&channels, index, t, &request_for(t)))
            .collect::<Result<Vec<_>, _>>();
        if let Some(p) = &progress {
            p.finish();
        }
        unilock_solver::lock::assemble_joint(resolutions?)
    };
    for w in unilock_model::channel::CondaSource::warnings(&channels) {
        crate::output::warn(w);
    }
    Ok(lock)
}

/// The command that writes the same migration again, for the headers.
fn command(args: &MigrateArgs, targets: &[String], dir: &Path) -> String {
    let mut words = vec![
        "unilock migrate conda-to-uv".to_string(),
        quote(&args.environment.display().to_string()),
    ];
    for t in targets {
        words.push(format!("--target {}", quote(t)));
    }
    words.push(format!("-o {}", quote(&dir.display().to_string())));
    if args.consistent {
        words.push("--consistent".into());
    }
    if args.from_specs {
        words.push("--from-specs".into());
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
