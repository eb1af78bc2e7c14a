//! pixi's `pixi.toml` manifest, format name `pixi-toml`.
//!
//! [`parse`] reads a pixi.toml into a [`Document`]: the workspace's name, `channels` (in
//! order) and `platforms`; conda `dependencies` (with `host-dependencies` and
//! `build-dependencies`, which pixi installs into the environment too) as conda MatchSpecs
//! from pixi's forms (`numpy = ">=1.26"`, `"*"`, `{ version, build, build-number, channel,
//! subdir, md5, sha256 }`); `pypi-dependencies` as PEP 508 requirements from pixi's forms
//! (`requests = ">=2"`, `{ version, extras }`, `{ git, branch|tag|rev, subdirectory }`,
//! `{ path, editable }`, `{ url }`, `env-markers`), relative paths against the file's
//! directory; `target.<selector>` tables, whose requirements keep their platform selector
//! (`unilock_model::platform_selector`: a more specific selector replaces the general spec of
//! the same package on its platforms, as in pixi); `feature.<name>` tables as groups named
//! after the feature; `system-requirements` (`cuda`, `libc`, …) as the document's system
//! requirements; `pypi-options` indexes; and `environments`, checked to name known features.
//! Every requirement keeps the line and column of its key.
//!
//! The tables are the ones `[tool.pixi]` holds in a pyproject.toml, so both are read by the
//! same code (`pyproject/pixi.rs`); only the root differs. Left out, because nothing in unilock
//! acts on them: `tasks`, `activation`, `package` (pixi-build recipes), a feature's own
//! `channels` and `platforms` (only the default environment's are read), `solve-group`s. A
//! conda source dependency (`{ path }`, `{ git }`, `{ url }`) keeps only its package name. No
//! emitter: unilock reads pixi manifests and writes locks, never the manifest itself.

#[cfg(test)]
mod tests;

use crate::pyproject::{Cx, parse_toml, pixi};
use unilock_model::{Diagnostic, Document};

/// The format name recorded in [`Document::format`].
pub const FORMAT: &str = "pixi-toml";

/// Parses a `pixi.toml` read from `path`.
///
/// Errors name the file, line and column: invalid TOML, a table or array of the wrong shape,
/// an invalid MatchSpec or PEP 508 requirement, a dependency table with a key pixi does not
/// know, an unknown platform or target selector, an unknown feature in `environments`.
pub fn parse(path: &str, text: &str) -> Result<Document, Diagnostic> {
    let toml = parse_toml(path, text)?;
    let mut cx = Cx::for_format(path, text, FORMAT);
    cx.doc.manifest.sources.push(path.to_string());
    pixi::read(&mut cx, toml.as_table(), "")?;
    Ok(cx.doc)
}
