//! Any text fed to the pylock.toml parser either parses or gives a diagnostic — never a
//! panic — and what parses is written in a form that parses back to the same lock.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unilock_formats::pylock;

include!("quiet_parser_panics.rs");

fuzz_target!(|data: &[u8]| {
    quiet_parser_panics();
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(lock) = pylock::parse("fuzz/pylock.toml", text) {
        let emitted = pylock::emit(&lock);
        let again = pylock::parse("fuzz/pylock.toml", &emitted)
            .unwrap_or_else(|e| panic!("emitted lock does not parse:\n{emitted}\n{}", e.render()));
        assert_eq!(pylock::emit(&again), emitted, "emit is not stable");
    }
});
