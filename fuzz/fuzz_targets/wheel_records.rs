//! Any bytes fed to the reader of wheel zip records (end record, ZIP64 records, central
//! directory, local header — what range reads of a remote wheel follow) give the METADATA
//! text or an error, never a panic; and on an archive the `zip` crate also reads, a METADATA
//! found both ways is the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unilock_registries::{archive, range_wheel};

fuzz_target!(|data: &[u8]| {
    let ours = range_wheel::metadata_by_records(data);
    if let (Ok(ours), Ok(theirs)) = (ours, archive::wheel_metadata(data)) {
        // Both take the first `*.dist-info/METADATA` of the central directory.
        assert_eq!(ours, theirs);
    }
});
