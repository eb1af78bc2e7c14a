//! Specifications of the pylock.toml parser, writer and conversions.
