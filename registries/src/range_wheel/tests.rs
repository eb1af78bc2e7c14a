//! Reading wheel METADATA through ranges: the zip records on real fixture wheels, large
//! central directories, ZIP64, servers without range support, and corrupted members.

use super::*;
use crate::http::auth::Credentials;
use crate::http::{HttpClient, Settings};
use crate::testing::{Route, TestServer};
use sha2::Digest;
use std::io::Write;
use std::path::PathBuf;

fn fixture_wheels() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/fixtures/find-links");
    let mut wheels: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    wheels.sort();
    assert!(!wheels.is_empty());
    wheels
}

use metadata_by_records as by_records;

#[test]
fn the_records_of_every_fixture_wheel_lead_to_its_metadata() {
    for wheel in fixture_wheels() {
        let bytes = std::fs::read(&wheel).unwrap();
        assert_eq!(
            by_records(&bytes).unwrap(),
            archive::wheel_metadata(&bytes).unwrap(),
            "{}",
            wheel.display()
        );
    }
}

/// A wheel with `padding` members before its METADATA, whose sizes go in ZIP64 fields when
/// `large` is set.
fn make_wheel(padding: usize, large: bool) -> (Vec<u8>, String) {
    let metadata = "Metadata-Version: 2.1\nName: big\nVersion: 1.0\nRequires-Dist: alpha\n";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..padding {
        zip.start_file(
            format!("big/a-rather-long-module-name-for-padding/m{i:05}.py"),
            opts,
        )
        .unwrap();
        zip.write_all(format!("x = {i}\n").as_bytes()).unwrap();
    }
    zip.start_file("big-1.0.dist-info/METADATA", opts.large_file(large))
        .unwrap();
    zip.write_all(metadata.as_bytes()).unwrap();
    zip.start_file("big-1.0.dist-info/RECORD", opts).unwrap();
    zip.write_all(b"").unwrap();
    (zip.finish().unwrap().into_inner(), metadata.to_string())
}

/// Rewrites a zip's end record into ZIP64 form (ZIP64 end record and locator before it).
fn to_zip64(mut bytes: Vec<u8>) -> Vec<u8> {
    let eocd = bytes.len() - 22;
    assert!(bytes[eocd..].starts_with(b"PK\x05\x06"));
    let entries = u16_at(&bytes, eocd + 10).unwrap();
    let size = u32_at(&bytes, eocd + 12).unwrap();
    let offset = u32_at(&bytes, eocd + 16).unwrap();
    let record_at = eocd as u64;
    let mut tail = Vec::new();
    tail.extend_from_slice(b"PK\x06\x06");
    tail.extend_from_slice(&44u64.to_le_bytes());
    tail.extend_from_slice(&[45, 0, 45, 0]);
    tail.extend_from_slice(&[0; 8]);
    tail.extend_from_slice(&entries.to_le_bytes());
    tail.extend_from_slice(&entries.to_le_bytes());
    tail.extend_from_slice(&size.to_le_bytes());
    tail.extend_from_slice(&offset.to_le_bytes());
    tail.extend_from_slice(b"PK\x06\x07");
    tail.extend_from_slice(&[0; 4]);
    tail.extend_from_slice(&record_at.to_le_bytes());
    tail.extend_from_slice(&1u32.to_le_bytes());
    let mut end = bytes.split_off(eocd);
    end[12..16].copy_from_slice(&[0xFF; 4]);
    end[16..20].copy_from_slice(&[0xFF; 4]);
    bytes.extend(tail);
    bytes.extend(end);
    bytes
}

fn client() -> HttpClient {
    let settings = Settings {
        retries: 0,
        ..Settings::default()
    };
    HttpClient::new(settings, Credentials::default(), None).unwrap()
}

fn read(server: &TestServer, path: &str, expected: &Expected) -> Result<String, FetchError> {
    let url = Url::parse(&server.url(path)).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(wheel_metadata(&client(), &url, expected))
}

#[test]
fn a_small_wheel_takes_one_range_and_a_large_directory_a_second() {
    let server = TestServer::start();
    let (small, text) = make_wheel(3, false);
    let (large, large_text) = make_wheel(2000, false);
    assert!(large.len() > 2 * TAIL as usize);
    server.route(
        "/s.whl",
        Route::ok("application/octet-stream", small).with_ranges(),
    );
    server.route(
        "/l.whl",
        Route::ok("application/octet-stream", large.clone()).with_ranges(),
    );
    assert_eq!(read(&server, "/s.whl", &Expected::default()).unwrap(), text);
    assert_eq!(server.seen_at("/s.whl").len(), 1);
    let expected = Expected {
        size: Some(large.len() as u64),
        sha256: None,
    };
    assert_eq!(read(&server, "/l.whl", &expected).unwrap(), large_text);
    let ranges: Vec<String> = server
        .seen_at("/l.whl")
        .iter()
        .map(|s| s.header("range").unwrap_or("").to_string())
        .collect();
    assert_eq!(ranges.len(), 3, "{ranges:?}");
    assert_eq!(ranges[0], "bytes=-65536");
}

#[test]
fn zip64_records_and_fields_are_followed() {
    let server = TestServer::start();
    let (wheel, text) = make_wheel(5, true);
    let wheel = to_zip64(wheel);
    assert_eq!(by_records(&wheel).unwrap(), text);
    server.route(
        "/z.whl",
        Route::ok("application/octet-stream", wheel).with_ranges(),
    );
    assert_eq!(read(&server, "/z.whl", &Expected::default()).unwrap(), text);
}

#[test]
fn without_range_support_the_whole_wheel_is_checked_and_read() {
    let server = TestServer::start();
    let (wheel, text) = make_wheel(3, false);
    let sha = crate::http::hex(&sha2::Sha256::digest(&wheel));
    server.route("/w.whl", Route::ok("application/octet-stream", wheel));
    let good = Expected {
        size: None,
        sha256: Some(sha),
    };
    assert_eq!(read(&server, "/w.whl", &good).unwrap(), text);
    let bad = Expected {
        size: None,
        sha256: Some("ab".repeat(32)),
    };
    let err = read(&server, "/w.whl", &bad).unwrap_err();
    assert!(matches!(err.failure, Failure::Mismatch(_)), "{err}");
}

#[test]
fn a_wrong_size_or_a_damaged_member_is_an_error() {
    let server = TestServer::start();
    let (wheel, _) = make_wheel(3, false);
    let expected = Expected {
        size: Some(wheel.len() as u64 + 1),
        sha256: None,
    };
    server.route(
        "/w.whl",
        Route::ok("application/octet-stream", wheel.clone()).with_ranges(),
    );
    let err = read(&server, "/w.whl", &expected).unwrap_err();
    assert!(matches!(err.failure, Failure::Mismatch(_)), "{err}");
    // Damage the stored METADATA data (it starts after its local header).
    let mut damaged = wheel.clone();
    let at = damaged
        .windows(26)
        .position(|w| w == b"big-1.0.dist-info/METADATA")
        .unwrap()
        + 26;
    damaged[at + 2] ^= 0xFF;
    server.route(
        "/d.whl",
        Route::ok("application/octet-stream", damaged).with_ranges(),
    );
    let err = read(&server, "/d.whl", &Expected::default()).unwrap_err();
    assert!(matches!(err.failure, Failure::Invalid(_)), "{err}");
    server.route(
        "/n.whl",
        Route::ok("application/octet-stream", "not a zip").with_ranges(),
    );
    let err = read(&server, "/n.whl", &Expected::default()).unwrap_err();
    assert!(err.to_string().contains("not a zip"), "{err}");
}

#[test]
fn metadata_over_the_limit_is_refused_by_the_range_reader_too() {
    let wheel =
        crate::archive::tests::wheel_with_description(crate::archive::MAX_METADATA as usize);
    let err = by_records(&wheel).unwrap_err();
    assert!(err.contains("over the limit of 16 MiB"), "{err}");
    let server = TestServer::start();
    server.route(
        "/big.whl",
        Route::ok("application/octet-stream", wheel).with_ranges(),
    );
    let url = Url::parse(&server.url("/big.whl")).unwrap();
    let err = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(wheel_metadata(&client(), &url, &Expected::default()))
        .unwrap_err();
    assert!(
        err.to_string().contains("over the limit of 16 MiB"),
        "{err}"
    );
    // Only the tail and the central directory were asked for, not the member.
    assert!(server.seen_at("/big.whl").len() <= 2);
}
