//! Any text fed to the requirements parser either parses or gives a diagnostic — never a
//! panic — and what parses survives emit → parse unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use unilock_formats::requirements;

include!("quiet_parser_panics.rs");

fuzz_target!(|data: &[u8]| {
    quiet_parser_panics();
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("fuzz/requirements.txt");
    if let Ok(doc) = requirements::parse_str(path, text) {
        if let Ok(emitted) = requirements::emit(&doc) {
            let again = requirements::parse_str(path, &emitted)
                .unwrap_or_else(|e| panic!("emitted text does not parse:\n{emitted}\n{}", e.render()));
            assert_eq!(again.without_origins(), doc.without_origins(), "round trip changed the model:\n{emitted}");
        }
    }
});
