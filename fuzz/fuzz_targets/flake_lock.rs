//! Any text fed to the flake.lock parser either parses or gives a diagnostic — never a panic —
//! and what parses is written in a form that reads back to the same lock, stays fixed under a
//! second write, and survives the unified model (written back as a version 7 lock).
#![no_main]

use libfuzzer_sys::fuzz_target;
use unilock_formats::flake_lock::{self, FlakeLock};

include!("quiet_parser_panics.rs");

fuzz_target!(|data: &[u8]| {
    quiet_parser_panics();
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(lock) = flake_lock::parse("fuzz/flake.lock", text) else { return };
    let emitted = flake_lock::emit(&lock);
    let again = flake_lock::parse("fuzz/flake.lock", &emitted)
        .unwrap_or_else(|e| panic!("emitted lock does not parse:\n{emitted}\n{}", e.render()));
    assert_eq!(flake_lock::emit(&again), emitted, "emit is not stable");
    let doc = lock.to_document();
    assert_eq!(again.to_document().without_origins(), doc.without_origins());
    let from_model = FlakeLock::from_document(&doc)
        .unwrap_or_else(|e| panic!("the model of an accepted lock is refused:\n{}", e.render()));
    let written = flake_lock::emit(&from_model);
    let back = flake_lock::parse("fuzz/flake.lock", &written)
        .unwrap_or_else(|e| panic!("lock from the model does not parse:\n{written}\n{}", e.render()));
    assert_eq!(back.to_document().without_origins(), doc.without_origins());
});
