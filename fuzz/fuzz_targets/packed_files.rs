//! Any bytes given to the packed-files reader (the page cache's `pages-v1` entries) are refused
//! or read without a panic, and what reads packs again to the same files.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use unilock_model::index::{DistFile, Files};

fuzz_target!(|data: &[u8]| {
    let Some(files) = Files::unpack(Arc::new(data.to_vec())) else { return };
    let mut decoded: Vec<DistFile> = Vec::new();
    for i in 0..files.len().min(4096) {
        let _ = (files.filename(i), files.requires_python(i), files.is_yanked(i));
        if let Some(f) = files.get(i) {
            decoded.push(f.into_owned());
        }
    }
    let again = Files::unpack(Arc::new(Files::from(decoded.clone()).pack()))
        .expect("packed files unpack");
    let back: Vec<DistFile> = again.iter().map(|f| f.into_owned()).collect();
    assert_eq!(back, decoded, "packing what was read changes it");
});
