//! The commands, one module each. Each returns `Ok(())` or the diagnostic to show.

mod channels;
mod check;
mod config;
mod export;
mod files;
mod index;
mod left_out;
mod migrate;
mod recorded;
mod resolution;
mod resolve;
mod sources;
mod system;
mod targets;

use crate::cli::{Cli, Command};
use unilock_model::Diagnostic;

pub fn run(cli: Cli) -> Result<(), Diagnostic> {
    match cli.command {
        Command::Resolve(args) => resolve::resolve(args),
        Command::Export(args) => export::export(args),
        Command::Targets(args) => targets::run(args),
        Command::Index(args) => match args.command {
            crate::cli::IndexCommand::Record(args) => index::record(args),
        },
        Command::Migrate(args) => match args.command {
            crate::cli::MigrateCommand::CondaToUv(args) => migrate::conda_to_uv(args),
        },
        Command::Check(args) => check::check(args),
        Command::Show(args) => files::show(args),
        Command::Convert(args) => files::convert(args),
    }
}

/// Writes `text` to stdout, treating a closed pipe (`unilock … | head`) as success.
pub fn print(text: &str) -> Result<(), Diagnostic> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Diagnostic::usage(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}
