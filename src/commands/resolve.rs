//! `unilock resolve` and `unilock export`: input files → one multi-target `unilock.lock`, and a
//! lock → a pinned file of one ecosystem for one target.

use super::files::{env_var, format_of, read_input, unknown_format};
use super::print;
use crate::cli::{ExportArgs, ResolveArgs};
use crate::output::write_atomic;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use unilock_formats::{Format, conda_env, conda_explicit, dispatch, pylock, requirements};
use unilock_model::document::IndexKind;
use unilock_model::manifest::RequirementRole;
use unilock_model::platform_selector::PlatformScope;
use unilock_model::{Diagnostic, Ecosystem, ErrorKind, Lock, Requirement, Target};
use unilock_solver::joint::JointRequest;
use unilock_solver::pypi::{self, Request};

pub fn resolve(args: ResolveArgs) -> Result<(), Diagnostic> {
    let groups = Groups {
        names: args.extra.iter().map(|e| normalize(e)).collect(),
        all: args.all_extras,
    };
    let Setup {
        targets,
        mut request,
        indexes: from_files,
        conda,
    } = setup(
        &args.target,
        &args.inputs,
        &groups,
        args.pre,
        args.only_binary,
    )?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("unilock.lock"));
    if !conda.specs.is_empty() {
        return resolve_conda(&args, &targets, conda, request, from_files, &output);
    }
    if !args.upgrade {
        keep_pins(&output, &args.upgrade_package, &mut request)?;
    }
    let configured = super::index::source(&args.index, from_files, &targets, &request)?;
    let source = configured.source;
    let lock = if args.consistent {
        // One run over every target (no conda channels): see solver::joint::resolve_consistent.
        let requests: Vec<JointRequest> = targets
            .iter()
            .map(|_| JointRequest {
                pypi: request.clone(),
                ..JointRequest::default()
            })
            .collect();
        let resolutions = unilock_solver::joint::resolve_consistent(
            &unilock_model::channel::NoChannels,
            &source,
            &targets,
            &requests,
        );
        if let Some(p) = &configured.progress {
            p.finish();
        }
        super::index::print_warnings(&source);
        let resolutions = resolutions?;
        for r in &resolutions {
            for w in &r.pypi.warnings {
                crate::output::warn(format_args!("{}: {w}", r.target.spec()));
            }
        }
        let lock = unilock_solver::lock::assemble_joint(resolutions);
        check_consistent(&lock)?;
        lock
    } else {
        let resolutions = targets
            .iter()
            .map(|t| pypi::resolve(&source, t, &request))
            .collect::<Result<Vec<_>, _>>();
        if let Some(p) = &configured.progress {
            p.finish();
        }
        super::index::print_warnings(&source);
        let resolutions = resolutions?;
        for (target, resolution) in targets.iter().zip(&resolutions) {
            for w in &resolution.warnings {
                crate::output::warn(format_args!("{}: {w}", target.spec()));
            }
        }
        unilock_solver::lock::assemble(&targets, resolutions)
    };
    write_atomic(&output, &lock.to_toml())?;
    eprintln!(
        "resolved {} packages for {} target(s) into {}",
        lock.packages.len(),
        lock.targets.len(),
        output.display()
    );
    Ok(())
}

/// `resolve` of conda specs, alone or with PyPI requirements (the `pip:` section, other
/// inputs): every target solved against the channels (and the indexes), into the lock.
fn resolve_conda(
    args: &ResolveArgs,
    targets: &[Target],
    conda: CondaInputs,
    mut pypi: Request,
    from_files: Vec<super::index::FileIndex>,
    output: &Path,
) -> Result<(), Diagnostic> {
    use unilock_solver::conda::CondaRequest;
    let (channels, progress) = super::channels::source(&args.channels, &args.index, &conda)?;
    let mut preferences = HashMap::new();
    if !args.upgrade {
        preferences = conda_pins(output, &args.upgrade_package)?;
        keep_pins(output, &args.upgrade_package, &mut pypi)?;
    }
    // Each target gets the specs of its platform (pixi's `[target.<platform>]` tables).
    let request_for = |t: &Target| JointRequest {
        conda: CondaRequest {
            specs: conda.specs_for(t.platform.conda_subdir()),
            preferences: preferences.clone(),
        },
        pypi: pypi.clone(),
    };
    let lock = if args.consistent {
        let configured = super::index::source(&args.index, from_files, targets, &pypi)?;
        let index = configured.source;
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
        let lock = unilock_solver::lock::assemble_joint(resolutions);
        check_consistent(&lock)?;
        lock
    } else if pypi.requirements.is_empty() {
        let resolutions = targets
            .iter()
            .map(|t| unilock_solver::conda::resolve(&channels, t, &request_for(t).conda))
            .collect::<Result<Vec<_>, _>>();
        if let Some(p) = &progress {
            p.finish();
        }
        channel_warnings(&channels);
        unilock_solver::lock::assemble_conda(targets, resolutions?)
    } else {
        let configured = super::index::source(&args.index, from_files, targets, &pypi)?;
        let index = configured.source;
        let resolutions = targets
            .iter()
            .map(|t| unilock_solver::joint::resolve(&channels, &index, t, &request_for(t)))
            .collect::<Result<Vec<_>, _>>();
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
        unilock_solver::lock::assemble_joint(resolutions)
    };
    write_atomic(output, &lock.to_toml())?;
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
    Ok(())
}

/// Prints what the channels warned about (records skipped, …), once.
fn channel_warnings(channels: &dyn unilock_model::channel::CondaSource) {
    for w in channels.warnings() {
        crate::output::warn(w);
    }
}

/// The conda builds an existing lock at `output` pins, as preferences, but for `upgrade`.
fn conda_pins(
    output: &Path,
    upgrade: &[String],
) -> Result<HashMap<String, unilock_solver::conda::Pin>, Diagnostic> {
    let Ok(text) = std::fs::read_to_string(output) else {
        return Ok(HashMap::new());
    };
    let lock = Lock::from_toml(&text, &output.display().to_string())?;
    Ok(lock
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Conda && !upgrade.contains(&p.name))
        .filter_map(|p| {
            Some((
                p.name.clone(),
                unilock_solver::conda::Pin {
                    version: p.version.clone(),
                    build: p.build.clone()?,
                },
            ))
        })
        .collect())
}

/// What `resolve` and `index record` start from: the targets, and the request and indexes of
/// the input files.
pub(super) struct Setup {
    pub(super) targets: Vec<Target>,
    pub(super) request: Request,
    pub(super) indexes: Vec<super::index::FileIndex>,
    pub(super) conda: CondaInputs,
}

/// The conda side of the inputs: MatchSpecs with where they were written, and the channels
/// the files name, in order.
#[derive(Debug, Default)]
pub(super) struct CondaInputs {
    /// Every spec of every platform; those of some platforms only are in `limited` too.
    pub(super) specs: Vec<(rattler_conda_types::MatchSpec, String)>,
    /// The specs (by their index in `specs`) that apply on some platforms only (pixi's
    /// `[target.<platform>]` tables, and the general specs those override there).
    pub(super) limited: Vec<(usize, PlatformScope)>,
    /// Channel names or URLs, each with where it was given.
    pub(super) channels: Vec<(String, String)>,
    /// An input said `nodefaults`.
    pub(super) nodefaults: bool,
    /// What the inputs say the machine must offer (pixi's `[system-requirements]`).
    pub(super) system_requirements: Vec<unilock_model::document::SystemRequirement>,
}

impl CondaInputs {
    /// The specs that apply on the conda subdir `subdir`.
    pub(super) fn specs_for(&self, subdir: &str) -> Vec<(rattler_conda_types::MatchSpec, String)> {
        self.specs
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                self.limited
                    .iter()
                    .all(|(at, scope)| at != i || scope.holds(subdir))
            })
            .map(|(_, spec)| spec.clone())
            .collect()
    }
}

pub(super) fn setup(
    targets: &[String],
    inputs: &[PathBuf],
    groups: &Groups,
    pre: bool,
    only_binary: bool,
) -> Result<Setup, Diagnostic> {
    if targets.is_empty() {
        return Err(Diagnostic::usage(
            "no target: say which platform to resolve for with --target (see `unilock targets`)",
        ));
    }
    let targets = targets
        .iter()
        .map(|t| Target::parse(t, &env_var))
        .collect::<Result<Vec<_>, _>>()?;
    let mut request = Request {
        pre,
        only_binary,
        ..Request::default()
    };
    let mut indexes = Vec::new();
    let mut conda = CondaInputs::default();
    for input in inputs {
        read_requirements(input, groups, &mut request, &mut indexes, &mut conda)?;
    }
    for w in super::system::check(&targets, &conda.system_requirements) {
        crate::output::warn(w);
    }
    Ok(Setup {
        targets,
        request,
        indexes,
        conda,
    })
}

/// Which extras and dependency groups of the inputs to include besides the main set.
pub(super) struct Groups {
    pub(super) names: Vec<String>,
    pub(super) all: bool,
}

impl Groups {
    fn wants(&self, group: &str) -> bool {
        self.all || self.names.iter().any(|n| *n == normalize(group))
    }
}

/// Adds the PyPI requirements of `input` to the request, and the indexes it names.
pub(super) fn read_requirements(
    input: &Path,
    groups: &Groups,
    request: &mut Request,
    indexes: &mut Vec<super::index::FileIndex>,
    conda: &mut CondaInputs,
) -> Result<(), Diagnostic> {
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
    let doc = dispatch::read(format, input, &text, &ctx)?;
    let base = input.parent().unwrap_or(Path::new("."));
    for index in &doc.indexes {
        let url = match index.kind {
            IndexKind::FindLinks if !index.url.contains("://") => {
                base.join(&index.url).display().to_string()
            }
            _ => index.url.clone(),
        };
        let origin = index
            .origin
            .as_ref()
            .map_or_else(|| input.display().to_string(), ToString::to_string);
        indexes.push(super::index::FileIndex {
            kind: index.kind,
            url,
            origin,
        });
    }
    for channel in &doc.channels {
        let origin = channel
            .origin
            .as_ref()
            .map_or_else(|| input.display().to_string(), ToString::to_string);
        if channel.name == "nodefaults" {
            conda.nodefaults = true;
        } else if !conda.channels.iter().any(|(c, _)| *c == channel.name) {
            conda.channels.push((channel.name.clone(), origin));
        }
    }
    conda
        .system_requirements
        .extend(doc.system_requirements.iter().cloned());
    request.pre |= doc.options.pre;
    request.only_binary |= doc.options.only_binary.iter().any(|b| b == ":all:");
    let project = doc.project.as_deref().map(normalize);
    // The main requirements and the chosen groups; a group that names the project itself
    // (`all = ["project[cli,gpu]"]`) brings in those groups too.
    let mut wanted: Vec<String> = Vec::new();
    let mut pending: Vec<String> = doc
        .manifest
        .requirements
        .iter()
        .filter_map(|r| r.group.clone())
        .filter(|g| groups.wants(g) || doc.default_groups.contains(g))
        .collect();
    while let Some(g) = pending.pop() {
        let g = normalize(&g);
        if wanted.contains(&g) {
            continue;
        }
        for r in &doc.manifest.requirements {
            if r.group.as_deref().map(normalize).as_ref() == Some(&g)
                && let Requirement::Pypi(p) = &r.requirement
                && Some(p.name.to_string()) == project
            {
                pending.extend(p.extras.iter().map(ToString::to_string));
            }
        }
        wanted.push(g);
    }
    let scopes = doc.manifest.platform_scopes();
    for (r, scope) in doc.manifest.requirements.iter().zip(scopes) {
        if let Some(g) = &r.group
            && !wanted.contains(&normalize(g))
        {
            continue;
        }
        if let Requirement::Pypi(p) = &r.requirement
            && project.is_some()
            && Some(p.name.to_string()) == project
        {
            continue;
        }
        let origin = r
            .origin
            .as_ref()
            .map(|o| format!("{}:{}:{}", o.file, o.line, o.column))
            .unwrap_or_else(|| input.display().to_string());
        let mut requirement = match &r.requirement {
            Requirement::Pypi(p) => (**p).clone(),
            Requirement::PypiUnnamed(u) => named_by_file(u).ok_or_else(|| {
                Diagnostic::usage(format!(
                    "{origin}: `{u}` names no wheel or sdist, so its package is only known after a build, which unilock does not run"
                ))
                .note("require a built wheel or sdist by path or URL (`./dist/pkg-1.0-py3-none-any.whl`), or name the package: `name @ URL`")
            })?,
            Requirement::Conda(spec) => {
                if scope != PlatformScope::default() {
                    conda.limited.push((conda.specs.len(), scope));
                }
                conda.specs.push(((**spec).clone(), origin));
                continue;
            }
        };
        // One request serves every target: a requirement of some platforms only says so in
        // its marker.
        if let Some(marker) = scope.marker() {
            let marker = marker.parse::<pep508_rs::MarkerTree>().map_err(|e| {
                Diagnostic::usage(format!(
                    "{origin}: the marker of its platforms, `{marker}`, cannot be read: {e}"
                ))
            })?;
            requirement.marker.and(marker);
        }
        match r.role {
            RequirementRole::Dependency => request.requirements.push((requirement, origin)),
            RequirementRole::Constraint => request.constraints.push(requirement),
            RequirementRole::Override => request.overrides.push(requirement),
        }
    }
    Ok(())
}

/// A requirement given only as the path or URL of a wheel or sdist, named by its file name
/// (as pip and uv name it).
fn named_by_file(u: &pep508_rs::UnnamedRequirement) -> Option<pep508_rs::Requirement> {
    let url = u.url.to_url();
    let filename = url.path_segments()?.next_back()?.to_string();
    let name = unilock_registries::local::project_of(&filename)?;
    Some(pep508_rs::Requirement {
        name: pep508_rs::PackageName::new(name).ok()?,
        extras: u.extras.clone(),
        version_or_url: Some(pep508_rs::VersionOrUrl::Url(u.url.clone())),
        marker: u.marker.clone(),
        origin: u.origin.clone(),
    })
}

/// The pins of an existing lock at `output` become preferences.
fn keep_pins(output: &Path, upgrade: &[String], request: &mut Request) -> Result<(), Diagnostic> {
    let Ok(text) = std::fs::read_to_string(output) else {
        return Ok(());
    };
    let lock = Lock::from_toml(&text, &output.display().to_string())?;
    let upgrade: Vec<String> = upgrade.iter().map(|u| normalize(u)).collect();
    for p in lock
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Pypi)
    {
        if upgrade.contains(&p.name) {
            continue;
        }
        if let (Ok(name), Ok(version)) = (
            pep508_rs::PackageName::new(p.name.clone()),
            p.version.parse::<pep440_rs::Version>(),
        ) {
            request.preferences.insert(name, version);
        }
    }
    Ok(())
}

fn normalize(name: &str) -> String {
    unilock_registries::local::normalize(name)
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

pub fn export(args: ExportArgs) -> Result<(), Diagnostic> {
    let path = args
        .lock
        .clone()
        .unwrap_or_else(|| PathBuf::from("unilock.lock"));
    let text = read_input(&path)?;
    let lock = Lock::from_toml(&text, &path.display().to_string())?;
    let to = Format::from_name(&args.to).ok_or_else(|| unknown_format(&args.to))?;
    let target = match &args.target {
        Some(t) => Target::parse(t, &env_var)?.spec().to_string(),
        None if lock.targets.len() == 1 => lock.targets[0].name.clone(),
        None => {
            return Err(Diagnostic::usage(format!(
                "the lock has {} targets; choose one with --target: {}",
                lock.targets.len(),
                lock.targets
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    if !lock.targets.iter().any(|t| t.name == target) {
        return Err(Diagnostic::usage(format!(
            "{}: no target `{target}` in the lock; it has: {}",
            path.display(),
            lock.targets
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut doc = lock.to_document(&target, to.name());
    let subdir = lock
        .targets
        .iter()
        .find(|t| t.name == target)
        .map(|t| t.conda_subdir.clone())
        .unwrap_or_default();
    let conda = doc
        .packages
        .iter()
        .find(|p| p.ecosystem == Ecosystem::Conda);
    let pypi_count = doc
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Pypi)
        .count();
    if matches!(to, Format::Requirements | Format::Pylock)
        && let Some(first) = conda
    {
        // A joint lock: the PyPI part, to install into the environment its conda part makes.
        if pypi_count == 0 {
            return Err(Diagnostic::usage(format!(
                "{}: target `{target}` holds only conda packages (`{}`, …), which a {} file cannot hold",
                path.display(),
                first.name,
                to.name()
            ))
            .note("export it --to conda-explicit or --to conda-env"));
        }
        let left_out = doc.packages.len() - pypi_count;
        crate::output::warn(format_args!(
            "the {left_out} conda packages of target `{target}` are left out: this file installs its PyPI part into the environment they make (export them --to conda-explicit, or everything --to conda-env)"
        ));
        doc.packages.retain(|p| p.ecosystem == Ecosystem::Pypi);
    }
    let out = match to {
        Format::Requirements => requirements::emit(&doc)?,
        Format::Pylock => pylock::emit(&pylock::Pylock::from_document(&doc, "unilock")),
        Format::CondaExplicit => {
            conda_explicit::sort_for_install(&mut doc.packages);
            let (file, warnings) =
                conda_explicit::ExplicitFile::from_document(&doc, Some(&subdir))?;
            for w in warnings {
                crate::output::warn(w);
            }
            conda_explicit::emit(&file)
        }
        Format::CondaEnv => {
            let pinned = conda_env::emit_pinned(&doc, Some(&subdir))?;
            for w in pinned.warnings {
                crate::output::warn(w);
            }
            pinned.text
        }
        other => {
            return Err(Diagnostic::usage(format!(
                "export to {} is not written yet; export writes requirements, pylock, conda-explicit and conda-env",
                other.name()
            )));
        }
    };
    match &args.output {
        Some(p) => write_atomic(p, &out),
        None => print(&out),
    }
}
