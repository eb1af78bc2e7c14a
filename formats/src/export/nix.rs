//! `--to nix`: the flake of one target, `flake.nix` and `flake.lock`.

use super::{Cx, Exported, ExportedFile};
use crate::nix_export;
use unilock_model::Diagnostic;

pub(super) fn flake(cx: &Cx) -> Result<Exported, Diagnostic> {
    let [target] = cx.targets.as_slice() else {
        return Err(Diagnostic::usage(format!(
            "a Nix flake is written for one target, and {} are asked for: {}",
            cx.targets.len(),
            cx.target_names().join(", ")
        ))
        .note("choose one with --target"));
    };
    let flake = nix_export::from_lock(cx.lock, &target.name, &cx.request.nix)?;
    Ok(Exported {
        files: vec![
            ExportedFile {
                name: Some("flake.nix".into()),
                text: format!("{}{}", cx.header(), flake.flake_nix),
            },
            // JSON: no comments.
            ExportedFile {
                name: Some("flake.lock".into()),
                text: flake.flake_lock,
            },
        ],
        warnings: flake.notes,
    })
}
