//! Any text fed to the environment.yml parser either parses or gives a diagnostic — never a
//! panic — and what parses is written in a form that parses back to the same document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use unilock_formats::conda_env;

include!("quiet_parser_panics.rs");

fuzz_target!(|data: &[u8]| {
    quiet_parser_panics();
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("fuzz/environment.yml");
    if let Ok(read) = conda_env::parse_str(path, text) {
        let emitted = conda_env::emit(&read.document)
            .unwrap_or_else(|e| panic!("a document read from a file cannot be written:\n{}", e.render()));
        let again = conda_env::parse_str(path, &emitted)
            .unwrap_or_else(|e| panic!("emitted file does not parse:\n{emitted}\n{}", e.render()));
        assert_eq!(
            again.document.without_origins(),
            read.document.without_origins(),
            "round trip changed the document:\n{emitted}"
        );
        assert_eq!(conda_env::emit(&again.document).ok().as_deref(), Some(emitted.as_str()), "emit is not stable");
    }
});
