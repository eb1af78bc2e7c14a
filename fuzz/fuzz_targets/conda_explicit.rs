//! Any text fed to the conda explicit file parser either parses or gives a diagnostic — never a
//! panic — and what parses is written in a form that parses back to the same document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unilock_formats::conda_explicit::{self, ExplicitFile};

include!("quiet_parser_panics.rs");

fuzz_target!(|data: &[u8]| {
    quiet_parser_panics();
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(file) = conda_explicit::parse("fuzz/explicit.txt", text) {
        let emitted = conda_explicit::emit(&file);
        let again = conda_explicit::parse("fuzz/explicit.txt", &emitted)
            .unwrap_or_else(|e| panic!("emitted file does not parse:\n{emitted}\n{}", e.render()));
        assert_eq!(
            again.to_document().without_origins(),
            file.to_document().without_origins(),
            "round trip changed the document:\n{emitted}"
        );
        assert_eq!(conda_explicit::emit(&again), emitted, "emit is not stable");
        // The document's own pins make the same file.
        let (back, _) = ExplicitFile::from_document(&file.to_document(), None)
            .unwrap_or_else(|e| panic!("from_document refused its own document: {}", e.render()));
        assert_eq!(conda_explicit::emit(&back), emitted, "from_document changed the file");
    }
});
