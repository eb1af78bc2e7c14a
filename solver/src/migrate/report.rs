//! MIGRATION.md: every conda package of the environment and what became of it, written from a
//! [`Plan`] and the lock of the PyPI solve.
//!
//! Sections (each only when it has something to say): the Python; the conda packages that moved
//! to PyPI under another name; the versions that could not be kept (PyPI took another, or the
//! PyPI packages no longer need a package the conda environment installed as a dependency);
//! CUDA, when the torch wheels bring it; the packages with no PyPI counterpart, grouped by
//! kind, with what to install instead (apt, apk, dnf, nixpkgs names from the system table, or
//! "no known package"); the packages that moved at their conda version; the `pip:` section
//! (kept as written) and its local projects; notes.

use super::{Decision, Entry, Plan};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::str::FromStr;
use unilock_model::system_packages::{Kind, Names};
use unilock_model::{Ecosystem, Lock};

/// What the caller tells the report about the run.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    /// The environment file, as the user named it.
    pub environment: &'a str,
    /// The command that writes the migration again.
    pub command: &'a str,
}

/// What happened to one planned PyPI distribution: its locked version on each target (in the
/// lock's target order), `None` where it is not installed.
fn outcome<'l>(lock: &'l Lock, distribution: &str) -> Vec<(&'l str, Option<&'l str>)> {
    lock.targets
        .iter()
        .map(|t| {
            let version = lock
                .packages
                .iter()
                .find(|p| {
                    p.ecosystem == Ecosystem::Pypi
                        && p.name == distribution
                        && p.targets.contains(&t.name)
                })
                .map(|p| p.version.as_str());
            (t.name.as_str(), version)
        })
        .collect()
}

fn same_version(a: &pep440_rs::Version, b: &str) -> bool {
    pep440_rs::Version::from_str(b).is_ok_and(|b| *a == b)
}

fn cell(names: Names) -> String {
    match names {
        Names::Install(n) => format!("`{n}`"),
        Names::Nothing => "nothing needed".into(),
        Names::Unknown => "no known package".into(),
    }
}

/// The text of MIGRATION.md.
pub fn migration_md(run: &Run, plan: &Plan, lock: &Lock) -> String {
    let mut out = String::new();
    let targets: Vec<String> = lock
        .targets
        .iter()
        .map(|t| format!("`{}`", t.name))
        .collect();
    let _ = writeln!(
        out,
        "# Migration of `{}` from conda to uv\n",
        run.environment
    );
    let _ = writeln!(
        out,
        "Written by `{}` for {}. `pyproject.toml` and `uv.lock` hold the PyPI packages, \
         `.python-version` the Python. Every conda package of the environment is listed below \
         with what became of it.\n",
        run.command,
        targets.join(", ")
    );

    let label = |e: &Entry| {
        let p = &e.package;
        match (p.version.is_empty(), &p.constraint) {
            (false, _) => format!("`{} {}`", p.name, p.version),
            (true, Some(c)) => format!("`{} {c}`", p.name),
            (true, None) => format!("`{}`", p.name),
        }
    };
    let mut chosen = Vec::new();
    let mut renamed = Vec::new();
    let mut changed = Vec::new();
    let mut same = Vec::new();
    let mut cuda = Vec::new();
    let mut none: BTreeMap<Option<Kind>, Vec<&Entry>> = BTreeMap::new();
    let mut r_packages = Vec::new();
    let mut python = None;
    for e in &plan.entries {
        match &e.decision {
            Decision::Interpreter { major_minor } => {
                let major_minor = plan.python.as_deref().unwrap_or(major_minor.as_str());
                python = Some((label(e), major_minor));
            }
            Decision::Pypi {
                distributions,
                preference,
            } => {
                if distributions.len() != 1 || distributions[0] != e.package.name {
                    renamed.push(format!(
                        "- {} → PyPI {}",
                        label(e),
                        distributions
                            .iter()
                            .map(|d| format!("`{d}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                let mut kept = true;
                for d in distributions {
                    if plan.pip.iter().any(|(r, _)| r.name.as_ref() == d.as_str()) {
                        changed.push(format!(
                            "- {}: the `pip:` section requires `{d}` itself; its requirement stands",
                            label(e)
                        ));
                        kept = false;
                        continue;
                    }
                    let outcome = outcome(lock, d);
                    let missing: Vec<&str> = outcome
                        .iter()
                        .filter(|(_, v)| v.is_none())
                        .map(|(t, _)| *t)
                        .collect();
                    if !missing.is_empty() {
                        let why = if e.package.requested.is_some() {
                            "its requirement does not apply there"
                        } else {
                            "a dependency in the conda environment, which no PyPI package requires"
                        };
                        changed.push(format!(
                            "- {} (PyPI `{d}`): not installed on {} ({why})",
                            label(e),
                            missing.join(", ")
                        ));
                        kept = false;
                    }
                    if e.package.version.is_empty() {
                        // From a spec: no conda version to keep, only the one taken.
                        let taken: Vec<String> = outcome
                            .iter()
                            .filter_map(|(t, v)| Some(format!("{} on {t}", (*v)?)))
                            .collect();
                        if !taken.is_empty() {
                            chosen.push(format!(
                                "- {} → PyPI `{d}` {}",
                                label(e),
                                taken.join(", ")
                            ));
                        }
                        kept = false;
                        continue;
                    }
                    let other: Vec<String> = outcome
                        .iter()
                        .filter_map(|(t, v)| {
                            let v = (*v)?;
                            match preference {
                                Some(p) if same_version(p, v) => None,
                                _ => Some(format!("{v} on {t}")),
                            }
                        })
                        .collect();
                    if !other.is_empty() {
                        let why = if preference.is_none() {
                            "the conda version is no PEP 440 version"
                        } else {
                            "PyPI lacks that version for the target, or the other requirements exclude it"
                        };
                        changed.push(format!(
                            "- {} → PyPI `{d}` {} ({why})",
                            label(e),
                            other.join(", ")
                        ));
                        kept = false;
                    }
                }
                if kept {
                    same.push(label(e));
                }
            }
            Decision::CudaFromWheels => cuda.push(label(e)),
            Decision::System { kind, .. } => none.entry(Some(*kind)).or_default().push(e),
            Decision::RPackage => r_packages.push(label(e)),
            Decision::Unknown => none.entry(None).or_default().push(e),
        }
    }

    if let Some((label, major_minor)) = python {
        let _ = writeln!(
            out,
            "## Python\n\n- {label} → `.python-version`: {major_minor} (uv finds or installs that Python)\n"
        );
    }
    if !renamed.is_empty() {
        let _ = writeln!(
            out,
            "## Moved to PyPI under another name\n\n{}\n",
            renamed.join("\n")
        );
    }
    if !changed.is_empty() {
        let _ = writeln!(
            out,
            "## Versions that could not be kept\n\n{}\n",
            changed.join("\n")
        );
    }
    if !cuda.is_empty() {
        let torch = outcome(lock, "torch")
            .into_iter()
            .filter_map(|(t, v)| Some(format!("{} on {t}", v?)))
            .collect::<Vec<_>>();
        let _ = writeln!(
            out,
            "## CUDA\n\nThe PyPI torch wheels for Linux bring CUDA themselves: they require the \
             `nvidia-*` wheels (cuBLAS, cuDNN, NCCL, the CUDA runtime, …) of the CUDA version that \
             torch release was built with, so these conda packages need no replacement: {}. The \
             CUDA version is now torch's (torch {}), not the conda environment's; the machine \
             needs only an NVIDIA driver new enough for it. For a torch built against another \
             CUDA version, add the PyTorch wheel index of that version as a `[[tool.uv.index]]` \
             and lock again.\n",
            cuda.join(", "),
            if torch.is_empty() {
                "not installed".to_string()
            } else {
                torch.join(", ")
            }
        );
    }
    if !none.is_empty() || !r_packages.is_empty() {
        let _ = writeln!(
            out,
            "## No PyPI counterpart\n\nThese conda packages install no Python distribution. \
             Install them with the system's package manager (names below), or keep them in a \
             conda environment beside the uv project.\n"
        );
        // The kinds in the table's order, packages the table does not know last.
        let kinds = none
            .iter()
            .filter(|(k, _)| k.is_some())
            .chain(none.iter().filter(|(k, _)| k.is_none()));
        for (kind, entries) in kinds {
            let heading = kind.map_or("No known package", |k| k.heading());
            let _ = writeln!(out, "### {heading}\n");
            let _ = writeln!(
                out,
                "| conda | apt (Debian/Ubuntu) | apk (Alpine) | dnf (Fedora/RHEL) | nixpkgs | note |\n|---|---|---|---|---|---|"
            );
            for e in entries {
                let row = match &e.decision {
                    Decision::System { row, .. } => *row,
                    _ => None,
                };
                let (apt, apk, dnf, nix, note) = match row {
                    Some(r) => (
                        cell(r.apt),
                        cell(r.apk),
                        cell(r.dnf),
                        cell(r.nixpkgs),
                        r.note.unwrap_or_default().to_string(),
                    ),
                    None => {
                        let unknown = cell(Names::Unknown);
                        (
                            unknown.clone(),
                            unknown.clone(),
                            unknown.clone(),
                            unknown,
                            String::new(),
                        )
                    }
                };
                let _ = writeln!(
                    out,
                    "| {} | {apt} | {apk} | {dnf} | {nix} | {note} |",
                    label(e)
                );
            }
            out.push('\n');
        }
        if !r_packages.is_empty() {
            let _ = writeln!(
                out,
                "### R packages\n\nInstall them in R (`install.packages()`, Bioconductor's \
                 `BiocManager::install()`), or from the distribution's `r-cran-*`/`r-bioc-*` \
                 packages: {}\n",
                r_packages.join(", ")
            );
        }
    }
    if !chosen.is_empty() {
        let _ = writeln!(
            out,
            "## Moved to PyPI (the environment names no exact version)\n\n{}\n",
            chosen.join("\n")
        );
    }
    if !same.is_empty() {
        let _ = writeln!(
            out,
            "## Moved to PyPI at the conda version\n\n{}\n",
            same.join(", ")
        );
    }
    if !plan.pip.is_empty() || !plan.local.is_empty() {
        let _ = writeln!(out, "## The `pip:` section\n\nKept as written:\n");
        for (r, origin) in &plan.pip {
            let locked = outcome(lock, r.name.as_ref())
                .into_iter()
                .filter_map(|(t, v)| Some(format!("{} on {t}", v?)))
                .collect::<Vec<_>>();
            let locked = if locked.is_empty() {
                "not installed on these targets".to_string()
            } else {
                format!("locked {}", locked.join(", "))
            };
            let _ = writeln!(out, "- `{r}` ({origin}): {locked}");
        }
        for l in &plan.local {
            let _ = writeln!(
                out,
                "- `{}` ({}): a local project or checkout, not pinned from an index: add it with \
                 `uv add` (`uv add --editable .` for the project itself)",
                l.text, l.origin
            );
        }
        out.push('\n');
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(out, "## Notes\n");
        for n in &plan.notes {
            let _ = writeln!(out, "- {n}");
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
