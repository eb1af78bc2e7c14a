//! Chosen members of a wheel through ranges: only the members asked for are transferred, they
//! equal what the zip crate reads from the whole file, and neighbours share one request.

use super::*;
use crate::http::Settings;
use crate::http::auth::Credentials;
use crate::testing::{Route, TestServer};
use std::io::{Read, Write};

fn client() -> HttpClient {
    let settings = Settings {
        retries: 0,
        ..Settings::default()
    };
    HttpClient::new(settings, Credentials::default(), None).unwrap()
}

/// A wheel with a large pure-Python part, two binaries far apart and one executable script.
fn wheel() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let noise = |i: u32| -> Vec<u8> {
        // Incompressible bytes: a simple generator, so the wheel is large on the wire.
        let mut x = i.wrapping_mul(2654435761).wrapping_add(1);
        (0..400_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    };
    zip.start_file(
        "pkg/_core.cpython-312-x86_64-linux-gnu.so",
        opts.unix_permissions(0o755),
    )
    .unwrap();
    zip.write_all(b"\x7fELF core").unwrap();
    for i in 0..3 {
        zip.start_file(format!("pkg/data{i}.bin"), opts.unix_permissions(0o644))
            .unwrap();
        zip.write_all(&noise(i)).unwrap();
    }
    zip.start_file("pkg.libs/libfoo-1a2b3c.so.1", opts.unix_permissions(0o755))
        .unwrap();
    zip.write_all(b"\x7fELF foo").unwrap();
    zip.start_file("pkg/tool", opts.unix_permissions(0o755))
        .unwrap();
    zip.write_all(b"#!/bin/sh\n").unwrap();
    zip.start_file("pkg-1.0.dist-info/METADATA", opts).unwrap();
    zip.write_all(b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n")
        .unwrap();
    zip.finish().unwrap().into_inner()
}

type Files = Vec<(String, Vec<u8>)>;

/// Reads the chosen members of `/w.whl`, collecting what reaches the sink.
fn read_limited(
    server: &TestServer,
    want: impl Fn(&Listed) -> bool,
    limit: u64,
) -> Result<(WheelMembers, Files), FetchError> {
    let url = Url::parse(&server.url("/w.whl")).unwrap();
    let mut files = Vec::new();
    let mut sink = |name: &str, bytes: Vec<u8>| files.push((name.to_string(), bytes));
    let read = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(wheel_members(
            &client(),
            &url,
            &Expected::default(),
            want,
            limit,
            &mut sink,
        ))?;
    Ok((read, files))
}

fn read(
    server: &TestServer,
    want: impl Fn(&Listed) -> bool,
) -> Result<(WheelMembers, Files), FetchError> {
    read_limited(server, want, 1 << 30)
}

#[test]
fn only_the_members_asked_for_are_transferred_and_they_match_the_archive() {
    let bytes = wheel();
    let server = TestServer::start();
    server.route(
        "/w.whl",
        Route::ok("application/octet-stream", bytes.clone()).with_ranges(),
    );
    let (got, files) = read(&server, |l| l.name.contains(".so") || l.is_executable()).unwrap();
    let WheelMembers::Chosen {
        listing,
        bytes_read,
    } = got
    else {
        panic!("ranges were served")
    };
    assert_eq!(listing.len(), 7);
    assert!(
        listing
            .iter()
            .any(|l| l.name == "pkg/tool" && l.is_executable())
    );
    assert!(
        !listing
            .iter()
            .any(|l| l.name.ends_with("data0.bin") && l.is_executable())
    );
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    // The executable `pkg/tool` is chosen too (mode 755), in file order.
    assert_eq!(
        names,
        [
            "pkg/_core.cpython-312-x86_64-linux-gnu.so",
            "pkg.libs/libfoo-1a2b3c.so.1",
            "pkg/tool"
        ]
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    for (name, data) in &files {
        let mut want = Vec::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_end(&mut want)
            .unwrap();
        assert_eq!(data, &want, "{name}");
    }
    // The 1.2 MB of data members stay on the server.
    assert!(
        bytes_read < 200_000,
        "{bytes_read} of {} bytes read",
        bytes.len()
    );
    // The tail (the directory and the last two members, already in those bytes), then the
    // first binary alone.
    assert_eq!(server.seen_at("/w.whl").len(), 2);
}

#[test]
fn a_server_without_ranges_hands_back_the_whole_wheel() {
    let bytes = wheel();
    let server = TestServer::start();
    server.route(
        "/w.whl",
        Route::ok("application/octet-stream", bytes.clone()),
    );
    match read(&server, |_| true).unwrap().0 {
        WheelMembers::Whole(b) => assert_eq!(b.as_ref(), bytes.as_slice()),
        WheelMembers::Chosen { .. } => panic!("the server sent no ranges"),
    }
}

#[test]
fn a_damaged_member_or_one_over_the_limit_is_an_error_naming_it() {
    let mut bytes = wheel();
    let at = bytes.windows(8).position(|w| w == b"pkg/tool").unwrap();
    // The local header's name comes first; the data after it is `#!/bin/sh\n` deflated.
    bytes[at + 10] ^= 0xff;
    let server = TestServer::start();
    server.route(
        "/w.whl",
        Route::ok("application/octet-stream", bytes).with_ranges(),
    );
    let err = read(&server, |l| l.name == "pkg/tool")
        .unwrap_err()
        .to_string();
    assert!(err.contains("pkg/tool"), "{err}");
    let err = read_limited(&server, |_| true, 1000)
        .unwrap_err()
        .to_string();
    assert!(err.contains("over the limit of 1000"), "{err}");
}
