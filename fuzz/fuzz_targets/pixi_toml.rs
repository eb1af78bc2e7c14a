//! Any text fed to the pixi.toml reader either parses or gives a diagnostic that names a place
//! in the file — never a panic — and every requirement it reads is located.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unilock_formats::pixi_manifest;

include!("quiet_parser_panics.rs");

fuzz_target!(|data: &[u8]| {
    quiet_parser_panics();
    let Ok(text) = std::str::from_utf8(data) else { return };
    match pixi_manifest::parse("fuzz/pixi.toml", text) {
        Ok(doc) => {
            for r in &doc.manifest.requirements {
                assert!(r.origin.is_some(), "{} has no origin", r.requirement);
            }
            // Scopes are worked out for every requirement, and each has a readable marker.
            for scope in doc.manifest.platform_scopes() {
                if let Some(marker) = scope.marker() {
                    assert!(unilock_model::requirement::parse_marker(&marker).is_ok(), "{marker}");
                }
            }
        }
        Err(e) => assert!(e.origin().is_some(), "no location: {}", e.render()),
    }
});
