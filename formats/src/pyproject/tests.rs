//! Unit specifications of the `pyproject.toml` reader and writer.

use super::*;
