//! The `unilock` command line: argument parsing, dispatch to the commands, output and exit
//! codes. It wires the crates together and owns what the user sees; the work itself lives in
//! `model`, `formats`, `registries` and `solver`.
//!
//! Exit codes: 0 success, 1 unsatisfiable, 2 bad usage or invalid input, 3 registry or network
//! failure.

mod cli;
mod commands;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(diagnostic) => {
            eprint!("{}", diagnostic.render());
            ExitCode::from(diagnostic.kind().exit_code() as u8)
        }
    }
}
