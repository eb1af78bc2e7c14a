//! Parse errors, warnings and the writer, specified on small hand-written locks.

use super::*;
