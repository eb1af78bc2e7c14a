//! Unit specifications of the export pipeline.
