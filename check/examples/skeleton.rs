//! Writes the skeleton of an artifact (`unilock_check::skeleton`): the same wheel, `.conda` or
//! `.tar.bz2` package with every byte `check` does not read set to zero or dropped.
//!
//! `cargo run -p unilock-check --example skeleton -- IN OUT`

use std::process::ExitCode;

use unilock_check::members::{self, ArchiveKind};
use unilock_check::skeleton::skeleton;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = &args[..] else {
        eprintln!("usage: skeleton IN OUT  (IN: a .whl, .conda or .tar.bz2 file)");
        return ExitCode::from(2);
    };
    let Some(kind) = ArchiveKind::of_filename(input) else {
        eprintln!("{input}: expected a .whl, .conda or .tar.bz2 file");
        return ExitCode::from(2);
    };
    let result = std::fs::read(input)
        .map_err(|e| e.to_string())
        .and_then(|bytes| {
            let reduced = skeleton(kind, &bytes)?;
            let same = members::facts(kind, &bytes)? == members::facts(kind, &reduced)?;
            Ok((bytes.len(), reduced, same))
        });
    match result {
        Ok((before, reduced, same)) => {
            if let Err(e) = std::fs::write(output, &reduced) {
                eprintln!("{output}: {e}");
                return ExitCode::from(2);
            }
            println!(
                "{input}: {before} bytes -> {output}: {} bytes; facts {}",
                reduced.len(),
                if same { "identical" } else { "DIFFER" }
            );
            if same {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("{input}: {e}");
            ExitCode::from(2)
        }
    }
}
