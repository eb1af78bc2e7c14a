//! How parsers read the files a format includes (`-r`, `-c`, a `pip:` list's `-r`).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

/// Reads an included file. Paths are as the including file resolved them.
pub trait Loader {
    fn load(&self, path: &Path) -> io::Result<String>;
}

/// Reads from the file system.
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// Reads from a map of paths to contents (tests, fuzzing, files already in memory).
#[derive(Default)]
pub struct MemoryLoader(pub HashMap<PathBuf, String>);

impl MemoryLoader {
    pub fn with(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.0.insert(path.into(), text.into());
        self
    }
}

impl Loader for MemoryLoader {
    fn load(&self, path: &Path) -> io::Result<String> {
        self.0.get(path).cloned().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} is not loaded", path.display()),
            )
        })
    }
}
