//! Prints, for each wheel or conda package named on the command line, the shared libraries its
//! binaries need that it does not provide itself (by member file name or `DT_SONAME`): what
//! `unilock check` holds against the rest of the environment and the base image. JSON, keyed by
//! file name. Used by scripts/compare-check-auditwheel.sh.
//!
//! `cargo run -p unilock-check --example host_libraries -- FILE...`

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use unilock_check::members::{self, ArchiveKind};

fn main() -> ExitCode {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in std::env::args().skip(1) {
        let name = members::file_name(&path).to_string();
        let Some(kind) = ArchiveKind::of_filename(&name) else {
            eprintln!("{path}: not a wheel, .conda or .tar.bz2 file");
            return ExitCode::from(2);
        };
        let facts = match std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| members::facts(kind, &bytes))
        {
            Ok(facts) => facts,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        let own: BTreeSet<&str> = facts.libraries.iter().map(String::as_str).collect();
        let needed = facts
            .binaries
            .iter()
            .flat_map(|b| &b.needed)
            .filter(|n| !own.contains(n.as_str()))
            .cloned()
            .collect();
        out.insert(name, needed);
    }
    match serde_json::to_string_pretty(&out) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
