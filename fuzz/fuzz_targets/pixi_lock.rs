//! Any text fed to the pixi.lock parser either parses or gives a located diagnostic (never a
//! panic), and what parses is emitted in a form that parses back to the same model and emits
//! again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unilock_formats::pixi_lock;

include!("quiet_parser_panics.rs");

fuzz_target!(|data: &[u8]| {
    quiet_parser_panics();
    let Ok(text) = std::str::from_utf8(data) else { return };
    match pixi_lock::parse("fuzz/lock", text) {
        Ok(lock) => {
            let emitted = pixi_lock::emit(&lock);
            let again = pixi_lock::parse("fuzz/lock", &emitted)
                .unwrap_or_else(|e| panic!("emitted lock does not parse:\n{emitted}\n{}", e.render()));
            assert_eq!(pixi_lock::emit(&again), emitted, "emit is not stable");
            assert_eq!(again.to_document(), lock.to_document());
        }
        Err(e) => assert!(e.origin().is_some(), "diagnostic without a location: {}", e.render()),
    }
});
