//! Any text fed to the pyproject.toml reader either parses or gives a diagnostic — never a
//! panic — and writing an unchanged model gives the original text back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unilock_formats::pyproject;

include!("quiet_parser_panics.rs");

fuzz_target!(|data: &[u8]| {
    quiet_parser_panics();
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(doc) = pyproject::parse("fuzz/pyproject.toml", text) {
        let emitted = pyproject::emit(text, &doc).unwrap_or_else(|e| panic!("emit failed: {}", e.render()));
        assert_eq!(emitted, text, "an unchanged model must give the original back");
    }
});
