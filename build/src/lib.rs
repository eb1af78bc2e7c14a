//! Builds: the core metadata of source distributions that do not declare it statically
//! (metadata older than 2.2, or `Dynamic: Requires-Dist`), learnt the way installers learn it,
//! from a PEP 517 build backend run on the host.
//!
//! [`python`] finds the interpreter and describes the host as a target; [`unpack`] unpacks
//! sdists and installs wheels; [`backend`] reads `[build-system]`, resolves and installs the
//! build requirements (wheels only, with unilock's own resolver) and asks the backend for the
//! metadata through [`hooks`]; [`source`] wraps the index source so the solver meets built
//! metadata like any other, built when the solver asks or, through [`ahead`], in the background
//! for the likely sdists the prefetch finds, once per sdist and cached by its sha256; [`tree`] reads source trees named by direct
//! references (Git repositories, local directories), statically or through the same builds. This crate runs
//! processes and writes temporary directories; the solver stays free of I/O.

pub mod ahead;
pub mod backend;
pub mod hooks;
pub mod python;
pub mod source;
pub mod tree;
pub mod unpack;

pub use source::{BuildingSource, Settings};
