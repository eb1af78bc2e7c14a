//! The PEP 508 marker that selects a target of the lock (`sys_platform == 'linux' and
//! platform_machine == 'aarch64' and python_version == '3.11'`), and the marker of a pin chosen
//! on some of the exported targets: the `or` of theirs, none when it is on all of them.

use pep508_rs::MarkerTree;
use std::str::FromStr;
use unilock_model::lock::LockedTarget;
use unilock_model::target::parse::NoEnvironment;
use unilock_model::{Diagnostic, Target};

/// The lock target as a [`Target`] (its name is canonical, so it reads back the same).
pub fn parse_target(t: &LockedTarget) -> Result<Target, Diagnostic> {
    Target::parse(&t.name, &NoEnvironment).map_err(|e| {
        Diagnostic::invalid(format!(
            "the lock's target `{}` cannot be read: {}",
            t.name,
            e.message()
        ))
    })
}

/// The marker that holds on `t` and on no platform or Python other than its own:
/// `sys_platform`, `platform_machine` and `python_version` (the lock's Python of the target).
pub fn of_target(t: &LockedTarget) -> Result<String, Diagnostic> {
    let values = parse_target(t)?.marker_values();
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let python: String = t.python.split('.').take(2).collect::<Vec<_>>().join(".");
    Ok(format!(
        "sys_platform == '{}' and platform_machine == '{}' and python_version == '{python}'",
        get("sys_platform"),
        get("platform_machine"),
    ))
}

/// The marker of a pin chosen on `on` of the exported targets (`markers`, one per exported
/// target, in the same order as `all`): `None` when it is chosen on every one; otherwise the
/// `or` of the markers of its targets, simplified.
pub fn of_subset(on: &[&str], all: &[(String, String)]) -> Option<String> {
    if all.iter().all(|(name, _)| on.contains(&name.as_str())) {
        return None;
    }
    let mut tree = MarkerTree::FALSE;
    for (name, marker) in all {
        if on.contains(&name.as_str())
            && let Ok(m) = MarkerTree::from_str(marker)
        {
            tree.or(m);
        }
    }
    Some(
        tree.contents()
            .map_or_else(|| "python_version < '0'".to_string(), |c| c.to_string()),
    )
}

/// `a and b` of two markers, simplified (`b` alone when `a` is `None`).
pub fn and(a: Option<&str>, b: Option<&str>) -> Option<String> {
    let parse = |m: Option<&str>| m.and_then(|m| MarkerTree::from_str(m).ok());
    match (parse(a), parse(b)) {
        (None, None) => None,
        (Some(t), None) | (None, Some(t)) => t.contents().map(|c| c.to_string()),
        (Some(mut t), Some(u)) => {
            t.and(u);
            t.contents().map(|c| c.to_string())
        }
    }
}
