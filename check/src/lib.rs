//! `unilock check`: will a lock run on a target machine?
//!
//! Resolution cannot see what a wheel or conda package needs from the machine below it: PyPI
//! metadata declares no system libraries, C library versions, CUDA driver floors or CPU
//! levels. The binaries do. This crate reads them and compares them with the target.
//!
//! - [`facts`]: what one artifact's binaries need and provide (the cached unit, per hash).
//! - [`fetch`]: those facts for the lock's artifacts: cached by hash, `file://`, or read over
//!   HTTP (a wheel's binaries alone, through range requests).
//! - [`run`]: the check of a lock on targets (`environment`: what one target offers and
//!   lacks); [`report`]: what it found, as text and JSON.
//! - `elf`: those facts from one ELF file (`DT_NEEDED`, `RUNPATH`, symbol version needs).
//! - `members`: the binaries inside a wheel, a `.conda` or a `.tar.bz2` package.
//! - `skeleton`: an artifact reduced to the bytes those facts come from (the test corpus).
//! - [`system`]: what a base image provides, and which system package provides a library.
//! - [`cuda`]: the CUDA runtime a package needs, NVIDIA's driver floors, against `cuda=`.
//! - [`cpu`]: the x86-64 level a package needs, against `cpu=`.
//! - [`verdict`]: what one such check concludes (ok, warning, failure) and why.

pub mod cpu;
pub mod cuda;
pub mod elf;
mod environment;
pub mod facts;
pub mod fetch;
pub mod members;
pub mod report;
pub mod run;
pub mod skeleton;
pub mod system;
pub mod verdict;
