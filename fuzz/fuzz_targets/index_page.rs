//! Any text fed to the simple-index page readers (PEP 691 JSON, PEP 503 HTML) and to the core
//! metadata reader gives files / metadata or an error, never a panic; every file read has an
//! absolute URL without a fragment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unilock_registries::{metadata, simple};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let base = url::Url::parse("https://index.invalid/simple/p/").expect("a constant URL");
    for files in [simple::json::parse(text, &base), simple::html::parse(text, &base)]
        .into_iter()
        .flatten()
    {
        for f in files {
            let url = url::Url::parse(&f.url).expect("file URLs are absolute");
            assert!(url.fragment().is_none(), "{}", f.url);
        }
    }
    if let Ok(h) = metadata::parse(text) {
        assert!(!h.metadata.name.is_empty() && !h.metadata.version.is_empty());
        let _ = h.static_dependencies();
    }
});
