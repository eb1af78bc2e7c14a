//! Reads a pylock.toml and prints it in unilock's canonical layout (`--via-document`: after a
//! trip through the unified model). Used by `scripts/check-pylock-with-pip.sh` until the CLI
//! converts to pylock.
//!
//! Usage: `cargo run -p unilock-formats --example pylock_emit -- [--via-document] FILE`

use std::process::ExitCode;
use unilock_formats::pylock::{self, Pylock};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let via_document = args.iter().any(|a| a == "--via-document");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: pylock_emit [--via-document] FILE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    match pylock::parse(path, &text) {
        Ok(lock) if via_document => {
            print!(
                "{}",
                pylock::emit(&Pylock::from_document(&lock.to_document(), "unilock"))
            );
            ExitCode::SUCCESS
        }
        Ok(lock) => {
            print!("{}", pylock::emit(&lock));
            ExitCode::SUCCESS
        }
        Err(d) => {
            eprint!("{}", d.render());
            ExitCode::from(2)
        }
    }
}
