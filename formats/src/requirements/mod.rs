//! pip requirements files (`requirements.txt`, `*.in`, pip-compile and uv outputs).
//!
//! [`parse`] reads pip's full syntax into a [`Document`]: includes (`-r`, `-c`) relative to the
//! including file, editables, URL/path/VCS requirements (`git+https://…@rev#egg=name`), index
//! options, per-requirement `--hash`es, markers, extras, continuations, comments and `${VAR}`
//! expansion, as pip does them. [`emit`] writes a document back in one canonical form
//! (documented in `docs/requirements-format.md`): options first, then one requirement per line,
//! hashes on continuation lines.

mod emit;
mod lines;
mod parse;

pub use emit::emit;
pub use parse::{Context, parse};

use unilock_model::Document;

/// Parses a requirements file that includes nothing, with no environment variables: for text
/// already in memory (tests, fuzzing).
pub fn parse_str(
    path: &std::path::Path,
    text: &str,
) -> Result<Document, unilock_model::Diagnostic> {
    let loader = crate::MemoryLoader::default();
    parse(
        path,
        text,
        &Context {
            loader: &loader,
            env: &|_| None,
        },
    )
}
