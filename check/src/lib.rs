//! `unilock check`: will a lock run on a target machine?
//!
//! Resolution cannot see what a wheel or conda package needs from the machine below it: PyPI
//! metadata declares no system libraries, C library versions, CUDA driver floors or CPU
//! levels. The binaries do. This crate reads them and compares them with the target.
//!
//! - [`facts`]: what one artifact's binaries need and provide (the cached unit, per hash).
//! - `elf`: those facts from one ELF file (`DT_NEEDED`, `RUNPATH`, symbol version needs).
//! - `members`: the binaries inside a wheel, a `.conda` or a `.tar.bz2` package.
//! - [`system`]: what a base image provides, and which system package provides a library.

pub mod facts;
pub mod system;
