//! Any bytes given as a cache entry of any kind (registries/src/cache/entries.rs) are refused
//! or read without a panic, and what reads is what a write of it reads as. Each input is tried
//! as it is and sealed with matching checksums, so the readers past the checksum are reached.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unilock_registries::cache::HttpEntry;
use unilock_registries::cache::entries::{self, Kind};

fuzz_target!(|data: &[u8]| {
    let Some((&which, content)) = data.split_first() else { return };
    let kind = [Kind::Http, Kind::Derived, Kind::Metadata, Kind::Direct][usize::from(which % 4)];
    round_trip(kind, content);
    round_trip(kind, &entries::sealed(kind, content));
});

fn round_trip(kind: Kind, bytes: &[u8]) {
    match kind {
        Kind::Http => {
            let Ok(entry) = entries::decode_http(bytes.to_vec()) else { return };
            let again = entries::decode_http(entries::encode_http(&entry))
                .expect("a written HTTP entry reads");
            assert_eq!(view(&again), view(&entry), "writing what was read changes it");
        }
        Kind::Derived => {
            let Ok((id, value)) = entries::decode_derived(bytes) else { return };
            let written = entries::encode_derived(id, value);
            assert_eq!(entries::decode_derived(&written), Ok((id, value)));
            // One way to write each value: what was read is exactly what a write gives.
            assert_eq!(written, bytes, "writing what was read changes it");
        }
        Kind::Metadata => {
            let Ok(record) = entries::decode_metadata(bytes) else { return };
            let again = entries::decode_metadata(&entries::encode_metadata(&record));
            assert_eq!(again, Ok(record), "writing what was read changes it");
        }
        Kind::Direct => {
            let Ok(record) = entries::decode_direct(bytes) else { return };
            let again = entries::decode_direct(&entries::encode_direct(&record));
            assert_eq!(again, Ok(record), "writing what was read changes it");
        }
    }
}

/// An HTTP entry as comparable values (its policy as JSON, whose maps compare unordered).
fn view(e: &HttpEntry) -> (u16, String, Option<String>, serde_json::Value, Vec<u8>, String) {
    let policy = serde_json::to_value(&e.policy).expect("a policy serializes");
    (e.status, e.url.to_string(), e.content_type.clone(), policy, e.body.to_vec(), e.id.clone())
}
