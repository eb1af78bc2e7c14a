//! The `unilock` command line: argument parsing, dispatch to the commands, output and exit
//! codes. It wires the crates together and owns what the user sees; the work itself lives in
//! `model`, `formats`, `registries` and `solver`.
//!
//! Exit codes: 0 success, 1 unsatisfiable, 2 bad usage or invalid input, 3 registry or network
//! failure, 4 a check failed (the target lacks what the lock needs).

mod cli;
mod commands;
mod output;
mod progress;

use clap::Parser;

/// mimalloc: reading a large lock allocates many small strings and tables, where the system
/// allocator costs a tenth of the run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

fn main() -> ExitCode {
    return_freed_memory_at_once();
    quiet_parser_panics();
    let cli = cli::Cli::parse_from(cli::pip_spellings(std::env::args_os()));
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(diagnostic) => {
            eprint!("{}", diagnostic.render());
            ExitCode::from(diagnostic.kind().exit_code() as u8)
        }
    }
}

/// mimalloc keeps freed memory for 10 ms before it gives it back to the system, so the large
/// short-lived buffers of a cold resolve (index pages as they arrive, their parsed files) pile
/// up: the peak of a cold resolve of corpus/bench was 200 MB with a heap of 75 MB. Giving it
/// back at once holds the peak at about 127 MB, for about 4% more time on a warm resolve
/// (scripts/bench-resolve.sh). `MIMALLOC_PURGE_DELAY` (milliseconds) still overrides it.
fn return_freed_memory_at_once() {
    // mimalloc's `mi_option_purge_delay` (libmimalloc-sys builds mimalloc 3, whose option
    // enumeration has it at 15; mimalloc 2's is the same).
    const PURGE_DELAY: i32 = 15;
    unsafe extern "C" {
        fn mi_option_set(option: i32, value: std::ffi::c_long);
    }
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mimalloc's own option setter, called with a valid option and value; options
        // may be set at any time.
        unsafe { mi_option_set(PURGE_DELAY, 0) };
    }
}

/// pep508_rs 0.9 panics on some malformed input; unilock catches those panics and reports the
/// input as invalid (see `unilock_model::requirement::guard_pep508`), so their default
/// "thread panicked" message would only be noise. Every other panic is reported as usual.
fn quiet_parser_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_parser = info
            .location()
            .is_some_and(|l| l.file().contains("pep508_rs"));
        if !in_parser {
            default(info);
        }
    }));
}
