//! `unilock resolve`: input files → one multi-target `unilock.lock`.

use super::files::{env_var, format_of, read_input};
use crate::cli::ResolveArgs;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use unilock_formats::{Format, dispatch};
use unilock_model::{Diagnostic, Ecosystem, ErrorKind, Lock, Target};
use unilock_solver::joint::JointRequest;
use unilock_solver::pypi::{self, BuildCause, Request, Resolution};
use unilock_solver::request::{CondaInputs, FileIndex, Groups, Inputs, conda_pins, pypi_pins};

pub fn resolve(mut args: ResolveArgs) -> Result<(), Diagnostic> {
    let config = super::config::apply(&mut args)?;
    if let Some(c) = config.as_ref().filter(|c| c.targets) {
        for t in &args.target {
            Target::parse(t, &env_var)
                .map_err(|d| d.note(format!("the targets are those of {}", c.path.display())))?;
        }
    }
    let groups = Groups::new(&args.extra, args.all_extras);
    let target_specs = super::resolution::targets(&args.resolution, &args.target)?;
    let (
        targets,
        Inputs {
            pypi: mut request,
            conda,
            indexes: from_files,
            ..
        },
        files,
        trees,
    ) = setup_with_files(
        &target_specs,
        &args.inputs,
        &groups,
        args.pre,
        args.binary.policy()?,
        &super::sources::git_settings(&args.index),
    )?;
    super::resolution::apply(&args.resolution, &mut request)?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("unilock.lock"));
    let existing = match existing_lock(&output) {
        // --upgrade replaces a lock that no longer reads, as it always did (its pins are not
        // wanted); its other targets cannot be kept.
        Err(d) if args.upgrade && !args.lock.locked => {
            crate::output::warn(format_args!(
                "{}; --upgrade replaces it, and none of its targets are kept",
                d.message()
            ));
            None
        }
        other => other?,
    };
    // Constraint and override files shape the result as the inputs do: their hashes are kept.
    let mut files = files;
    files.extend(args.resolution.constraint.iter().cloned());
    files.extend(args.resolution.overrides.iter().cloned());
    let written = super::recorded::Written {
        existing: existing.as_ref(),
        files: &files,
        output: &output,
    };
    let lock_dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !conda.specs.is_empty() {
        return resolve_conda(
            &args,
            &targets,
            conda,
            request,
            from_files,
            written,
            &|lock: &mut Lock| trees.record(lock, &lock_dir),
        );
    }
    if !args.upgrade
        && let Some(lock) = &existing
    {
        request
            .preferences
            .extend(pypi_pins(lock, &args.upgrade_package));
    }
    let mut configured = super::index::source(&args.index, from_files, &targets, &request)?;
    args.build.apply(&mut configured.builds);
    let mut solved = solve_pypi_each(&configured, &targets, &request, args.consistent)?;
    trees.record(&mut solved.lock, &lock_dir);
    let Some(lock) =
        super::recorded::finish(&args, &targets, solved.lock, &solved.failed, &written)?
    else {
        return Ok(());
    };
    eprintln!(
        "resolved {} packages for {} target(s) into {}",
        lock.packages.len(),
        lock.targets.len(),
        output.display()
    );
    super::left_out::report(solved.failed, Some(&lock))?;
    check_after(&args, &lock, &targets)
}

/// `--check`: the lock just written, checked on the targets it was resolved for.
fn check_after(args: &ResolveArgs, lock: &Lock, targets: &[Target]) -> Result<(), Diagnostic> {
    if !args.check {
        return Ok(());
    }
    super::check::run_and_print(
        lock,
        targets,
        args.base_image.clone(),
        args.index.cache_dir.clone(),
        args.index.offline,
        false,
    )
}

/// The lock of PyPI `request` for `targets` from the indexes of `configured`, every target
/// resolved ([`solve_pypi_each`], where one with no resolution fails the whole run).
pub(super) fn solve_pypi(
    configured: &super::index::Configured,
    targets: &[Target],
    request: &Request,
    consistent: bool,
) -> Result<Lock, Diagnostic> {
    let solved = solve_pypi_each(configured, targets, request, consistent)?;
    let mut failed = solved.failed.into_iter();
    match failed.next() {
        None => Ok(solved.lock),
        Some(first) => {
            for f in failed {
                eprint!("{}", f.error.render());
            }
            Err(first.error)
        }
    }
}

/// A lock, and the targets left out of it.
struct Solved {
    lock: Lock,
    failed: Vec<super::left_out::Failed>,
}

/// The lock of PyPI `request` for `targets` from the indexes of `configured`: each target on
/// its own (a target with no resolution is left out, `left_out::partition`), or with `consistent` one
/// version per package on every target (one run over all, with no channels:
/// `solver::joint::resolve_consistent`). Progress ends and what the indexes and the solve warn
/// about is printed either way.
fn solve_pypi_each(
    configured: &super::index::Configured,
    targets: &[Target],
    request: &Request,
    consistent: bool,
) -> Result<Solved, Diagnostic> {
    let source = &configured.building();
    let finish = || {
        if let Some(p) = &configured.progress {
            p.finish();
        }
        super::index::print_warnings(source);
    };
    if consistent {
        let requests: Vec<JointRequest> = targets
            .iter()
            .map(|_| JointRequest {
                pypi: request.clone(),
                ..JointRequest::default()
            })
            .collect();
        let resolutions = unilock_solver::joint::resolve_consistent(
            &unilock_model::channel::NoChannels,
            source,
            targets,
            &requests,
        );
        finish();
        let resolutions = resolutions?;
        for r in &resolutions {
            for w in &r.pypi.warnings {
                crate::output::warn(format_args!("{}: {w}", r.target.spec()));
            }
        }
        let summary = source_builds(resolutions.iter().map(|r| (&r.target, &r.pypi)));
        let lock = unilock_solver::lock::assemble_joint(resolutions);
        check_consistent(&lock)?;
        print_source_builds(summary);
        return Ok(Solved {
            lock,
            failed: Vec::new(),
        });
    }
    let resolutions: Vec<_> = targets
        .iter()
        .map(|t| pypi::resolve(source, t, request))
        .collect();
    finish();
    let (targets, resolutions, failed) = super::left_out::partition(targets, resolutions)?;
    for (target, resolution) in targets.iter().zip(&resolutions) {
        for w in &resolution.warnings {
            crate::output::warn(format_args!("{}: {w}", target.spec()));
        }
    }
    print_source_builds(source_builds(targets.iter().zip(&resolutions)));
    Ok(Solved {
        lock: unilock_solver::lock::assemble(&targets, resolutions),
        failed,
    })
}

/// The lines of the source-build summary: for each target, one per package locked with no
/// wheel for it, and whether `--no-binary` asked for the build.
fn source_builds<'a>(
    resolutions: impl Iterator<Item = (&'a Target, &'a Resolution)>,
) -> Vec<(bool, String)> {
    resolutions
        .flat_map(|(target, resolution)| {
            resolution
                .source_builds
                .iter()
                .map(|b| (b.cause == BuildCause::Asked, b.message(target.spec())))
        })
        .collect()
}

/// Prints the source-build summary: a warning per package, a note where `--no-binary` asked.
fn print_source_builds(lines: Vec<(bool, String)>) {
    for (asked, line) in lines {
        if asked {
            crate::output::note(line);
        } else {
            crate::output::warn(line);
        }
    }
}

/// `resolve` of conda specs, alone or with PyPI requirements (the `pip:` section, other
/// inputs): every target solved against the channels (and the indexes), into the lock.
fn resolve_conda(
    args: &ResolveArgs,
    targets: &[Target],
    conda: CondaInputs,
    mut pypi: Request,
    from_files: Vec<FileIndex>,
    written: super::recorded::Written,
    record_trees: &dyn Fn(&mut Lock),
) -> Result<(), Diagnostic> {
    use unilock_solver::conda::CondaRequest;
    let output = written.output;
    let (channels, progress) = super::channels::source(&args.channels, &args.index, &conda)?;
    let mut preferences = HashMap::new();
    if !args.upgrade
        && let Some(lock) = written.existing
    {
        preferences = conda_pins(lock, &args.upgrade_package);
        pypi.preferences
            .extend(pypi_pins(lock, &args.upgrade_package));
    }
    let mut failed = Vec::new();
    // Each target gets the specs of its platform (pixi's `[target.<platform>]` tables).
    let request_for = |t: &Target| JointRequest {
        conda: CondaRequest {
            specs: conda.specs_for(t.platform.conda_subdir()),
            preferences: preferences.clone(),
        },
        pypi: pypi.clone(),
    };
    let lock = if args.consistent {
        let mut configured = super::index::source(&args.index, from_files, targets, &pypi)?;
        args.build.apply(&mut configured.builds);
        let index = configured.building();
        let requests: Vec<JointRequest> = targets.iter().map(request_for).collect();
        let resolutions =
            unilock_solver::joint::resolve_consistent(&channels, &index, targets, &requests);
        for p in [&progress, &configured.progress].into_iter().flatten() {
            p.finish();
        }
        super::index::print_warnings(&index);
        channel_warnings(&channels);
        let resolutions = resolutions?;
        for r in &resolutions {
            for w in &r.pypi.warnings {
                crate::output::warn(format_args!("{}: {w}", r.target.spec()));
            }
        }
        let summary = source_builds(resolutions.iter().map(|r| (&r.target, &r.pypi)));
        let lock = unilock_solver::lock::assemble_joint(resolutions);
        check_consistent(&lock)?;
        print_source_builds(summary);
        lock
    } else if pypi.requirements.is_empty() {
        let resolutions: Vec<_> = targets
            .iter()
            .map(|t| unilock_solver::conda::resolve(&channels, t, &request_for(t).conda))
            .collect();
        if let Some(p) = &progress {
            p.finish();
        }
        channel_warnings(&channels);
        let (resolved, resolutions, left_out) = super::left_out::partition(targets, resolutions)?;
        failed = left_out;
        unilock_solver::lock::assemble_conda(&resolved, resolutions)
    } else {
        let mut configured = super::index::source(&args.index, from_files, targets, &pypi)?;
        args.build.apply(&mut configured.builds);
        let index = configured.building();
        let resolutions: Vec<_> = targets
            .iter()
            .map(|t| unilock_solver::joint::resolve(&channels, &index, t, &request_for(t)))
            .collect();
        for p in [&progress, &configured.progress].into_iter().flatten() {
            p.finish();
        }
        super::index::print_warnings(&index);
        channel_warnings(&channels);
        let (_, resolutions, left_out) = super::left_out::partition(targets, resolutions)?;
        failed = left_out;
        for r in &resolutions {
            for w in &r.pypi.warnings {
                crate::output::warn(format_args!("{}: {w}", r.target.spec()));
            }
        }
        print_source_builds(source_builds(
            resolutions.iter().map(|r| (&r.target, &r.pypi)),
        ));
        unilock_solver::lock::assemble_joint(resolutions)
    };
    let mut lock = lock;
    record_trees(&mut lock);
    let Some(lock) = super::recorded::finish(args, targets, lock, &failed, &written)? else {
        return Ok(());
    };
    let conda_count = lock
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Conda)
        .count();
    eprintln!(
        "resolved {conda_count} conda and {} PyPI packages for {} target(s) into {}",
        lock.packages.len() - conda_count,
        lock.targets.len(),
        output.display()
    );
    super::left_out::report(failed, Some(&lock))?;
    check_after(args, &lock, targets)
}

/// Prints what the channels warned about (records skipped, …), once.
fn channel_warnings(channels: &dyn unilock_model::channel::CondaSource) {
    for w in channels.warnings() {
        crate::output::warn(w);
    }
}

/// The lock already at `output`, whose pins are kept: `None` when there is none to read.
fn existing_lock(output: &Path) -> Result<Option<Lock>, Diagnostic> {
    let Ok(text) = std::fs::read_to_string(output) else {
        return Ok(None);
    };
    Lock::from_toml(&text, &output.display().to_string()).map(Some)
}

/// Reads the targets and the input files of `resolve` and `index record` into what the solves
/// take ([`Inputs`]), and warns about targets that offer less than the inputs' system
/// requirements.
pub(super) fn setup(
    targets: &[String],
    inputs: &[PathBuf],
    groups: &Groups,
    pre: bool,
    binary: unilock_solver::pypi::BinaryPolicy,
    git: &unilock_registries::git::Settings,
) -> Result<(Vec<Target>, Inputs), Diagnostic> {
    setup_with_files(targets, inputs, groups, pre, binary, git).map(|(t, i, ..)| (t, i))
}

/// [`setup`], and every file read (includes followed), for the lock's `[[input]]` entries.
fn setup_with_files(
    targets: &[String],
    inputs: &[PathBuf],
    groups: &Groups,
    pre: bool,
    binary: unilock_solver::pypi::BinaryPolicy,
    git: &unilock_registries::git::Settings,
) -> Result<
    (
        Vec<Target>,
        Inputs,
        Vec<PathBuf>,
        super::sources::SourceTrees,
    ),
    Diagnostic,
> {
    if targets.is_empty() {
        return Err(Diagnostic::usage(
            "no target: say which platform to resolve for with --target (see `unilock targets`)",
        ));
    }
    let targets = targets
        .iter()
        .map(|t| Target::parse(t, &env_var))
        .collect::<Result<Vec<_>, _>>()?;
    let mut request = Inputs::new(pre, binary);
    let mut files = Vec::new();
    let mut trees = super::sources::SourceTrees::default();
    for input in inputs {
        let mut doc = read_document(input)?;
        trees.require_dynamic_project(input, &mut doc, groups);
        trees.prepare(&mut doc, git)?;
        request.add(input, &doc, groups)?;
        files.push(input.clone());
        // The files it includes (`-r`, `-c`) are named by the origins of what they hold.
        let origins = doc
            .manifest
            .requirements
            .iter()
            .filter_map(|r| r.origin.as_ref())
            .chain(doc.indexes.iter().filter_map(|i| i.origin.as_ref()))
            .chain(doc.channels.iter().filter_map(|c| c.origin.as_ref()));
        for o in origins {
            let file = PathBuf::from(&o.file);
            if !files.contains(&file) {
                files.push(file);
            }
        }
    }
    request.check_groups(groups)?;
    for w in super::system::check(&targets, &request.conda.system_requirements) {
        crate::output::warn(w);
    }
    Ok((targets, request, files, trees))
}

/// Reads `input`, a file `resolve` takes: a requirements file, pyproject.toml,
/// environment.yml or pixi.toml.
fn read_document(input: &Path) -> Result<unilock_model::Document, Diagnostic> {
    let text = read_input(input)?;
    let format = format_of(input, &text, None)?;
    if !matches!(
        format,
        Format::Requirements | Format::Pyproject | Format::CondaEnv | Format::PixiToml
    ) {
        return Err(Diagnostic::usage(format!(
            "{}: `unilock resolve` reads requirements files, pyproject.toml, environment.yml and pixi.toml; this is {}",
            input.display(),
            format.name()
        )));
    }
    let cwd = std::env::current_dir().ok();
    let ctx = super::files::context(cwd.as_deref());
    dispatch::read(format, input, &text, &ctx)
}

/// `--consistent`: every package takes one version on every target.
fn check_consistent(lock: &Lock) -> Result<(), Diagnostic> {
    // Per name, each version with its targets (conda builds of one version on several
    // subdirs are one version).
    let mut versions: HashMap<&str, Vec<(&str, Vec<String>)>> = HashMap::new();
    for p in &lock.packages {
        let list = versions.entry(&p.name).or_default();
        match list.iter_mut().find(|(v, _)| *v == p.version) {
            Some((_, targets)) => targets.extend(p.targets.iter().cloned()),
            None => list.push((&p.version, p.targets.clone())),
        }
    }
    let mut problems: Vec<String> = versions
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(name, v)| {
            let each: Vec<String> = v
                .iter()
                .map(|(version, targets)| format!("{version} on {}", targets.join(", ")))
                .collect();
            format!("{name}: {}", each.join("; "))
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort();
    let mut d = Diagnostic::new(
        ErrorKind::Unsatisfiable,
        "--consistent: some packages resolve to different versions on different targets",
    );
    for p in problems {
        d = d.note(p);
    }
    Err(d)
}
