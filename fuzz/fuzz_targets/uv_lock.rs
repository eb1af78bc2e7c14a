//! Any text fed to the uv.lock parser either parses or gives a diagnostic — never a panic —
//! and what parses is emitted in a form that parses back to the same lock.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unilock_formats::uv_lock;

include!("quiet_parser_panics.rs");

fuzz_target!(|data: &[u8]| {
    quiet_parser_panics();
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(lock) = uv_lock::parse("fuzz/uv.lock", text) {
        let emitted = uv_lock::emit(&lock);
        let again = uv_lock::parse("fuzz/uv.lock", &emitted)
            .unwrap_or_else(|e| panic!("emitted lock does not parse:\n{emitted}\n{}", e.render()));
        assert_eq!(uv_lock::emit(&again), emitted, "emit is not stable");
        assert_eq!(again.to_document().without_origins(), lock.to_document().without_origins());
    }
});
