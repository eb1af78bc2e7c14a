//! conda `environment.yml` files (CEP 24), format name `conda-env`.
//!
//! [`parse`] reads an environment.yml into a [`Document`]: `name` (the project), `channels`
//! (with `nodefaults`), `platforms`, `variables`, `category` (the group of every requirement)
//! and `dependencies`. Each dependency is a conda MatchSpec in its full CEP 29 syntax
//! (`channel::name`, `channel/subdir::name`, `name=version=build`, `name version build`,
//! bracket keys, `when=` / `extras=` / `flags=`), read by `rattler_conda_types`; the nested
//! `pip:` list is read as the pip requirements file conda turns it into (see [`pip`]), relative
//! to the environment.yml's directory, so its requirements become PyPI requirements and its
//! index options the document's indexes. Platform selectors — conda-build comments
//! (`# [win]`) and micromamba's `sel(win):` — stay on their requirement (see [`selector`]).
//! Duplicates, unknown keys and keys the model cannot keep (`prefix`) are reported as located
//! warnings beside the document.
//!
//! [`emit`] writes a document's requirements back in one canonical form, and [`emit_pinned`]
//! writes the pins of a lock (conda builds and PyPI versions) as a pinned environment; both are
//! documented in `docs/conda-env-format.md`. Comments, key order and quoting style are not
//! kept.

mod dependencies;
mod emit;
mod parse;
mod pip;
mod selector;
#[cfg(test)]
mod tests;
mod yaml;

pub use dependencies::parse_matchspec;
pub use emit::{emit, emit_pinned};
pub use parse::parse;

use unilock_model::Document;

/// What reading an environment.yml gives: the document, and what the user should know about
/// the file (each warning starts with its `FILE:LINE:COL`).
#[derive(Debug, Clone)]
pub struct Read {
    pub document: Document,
    pub warnings: Vec<String>,
}

/// Parses an environment.yml that includes nothing, with no environment variables: for text
/// already in memory (tests, fuzzing).
pub fn parse_str(path: &std::path::Path, text: &str) -> Result<Read, unilock_model::Diagnostic> {
    let loader = crate::MemoryLoader::default();
    parse(
        path,
        text,
        &crate::requirements::Context {
            loader: &loader,
            env: &|_| None,
            cwd: None,
            hash_file: None,
        },
    )
}
