//! The solver: one PubGrub run per target over PyPI and conda packages together.
//!
//! This crate will own the PubGrub `DependencyProvider`, the joint encoding (conda builds as
//! candidates, `constrains` through absent candidates, the PyPI↔conda bridge), preferences,
//! multi-target consistency and platform-aware explanations. It must not do I/O: candidates
//! and metadata arrive through the registries' trait, and it never parses files.
//!
//! It resolves PyPI requirements for one target ([`pypi`]), conda specs for one target
//! ([`conda`], its encoding in `docs/solver.md`), and both together in one run ([`joint`]:
//! the bridge between the ecosystems); [`wheel`] says which wheels run on a target and which
//! fits it best; [`lock`] assembles the resolutions of every target into the lock. What the
//! solves take comes from [`request`]: the parsed input files turned into the PyPI request and
//! the conda specs and channels, an existing lock's pins into preferences. [`migrate`] plans
//! the move of a conda environment to uv: what becomes of each conda package. [`sets`] is the
//! version set of the solves: candidates as half-open runs, so that consecutive ones merge.

pub mod conda;
pub mod joint;
pub mod lock;
pub mod migrate;
mod prose;
pub mod pypi;
pub mod request;
pub mod sets;
pub mod wheel;
