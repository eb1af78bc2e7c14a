//! (export, being written)
use super::UvLock;
use unilock_model::Document;

#[derive(Debug, Clone, Default)]
pub struct ExportOptions {}

pub fn export(_lock: &UvLock, _options: &ExportOptions) -> Document {
    Document::new("uv-lock")
}
