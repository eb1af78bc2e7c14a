//! Specifications of the on-disk cache: ids, checksums, damaged and foreign entries, limits
//! and leftover temporaries.

use super::*;
use unilock_model::index::CoreMetadata;

/// A fresh (max-age=60) HTML page `body` stored under `id`, and its key.
fn page_entry(body: &'static [u8], id: String) -> (&'static str, HttpEntry) {
    let request = http::Request::get("https://h.example/simple/a/")
        .body(())
        .unwrap();
    let mut response = http::Response::new(());
    response
        .headers_mut()
        .insert("cache-control", "max-age=60".parse().unwrap());
    let entry = HttpEntry {
        status: 200,
        url: url::Url::parse("https://h.example/simple/a/").unwrap(),
        content_type: Some("text/html".into()),
        policy: CachePolicy::new(&request, &response),
        body: Bytes::from_static(body),
        id,
    };
    ("https://h.example/simple/a/\ntext/html", entry)
}

#[test]
fn derived_entries_answer_only_for_the_body_they_were_made_from() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let (key, entry) = page_entry(b"<html></html>", new_id());
    cache.write_http(key, &entry).unwrap();
    let (_, id) = cache.read_http_head(key).unwrap();
    assert_eq!(id, entry.id);
    assert_ne!(new_id(), new_id());
    cache
        .write_derived("pages-v1", key, &id, b"packed")
        .unwrap();
    let value = cache.read_derived("pages-v1", key, &id).unwrap();
    assert_eq!((*value).as_ref(), b"packed");
    assert!(cache.read_derived("pages-v1", key, "another").is_none());
    assert!(cache.read_derived("pages-v1", key, "").is_none());
    assert!(cache.read_derived("pages-v1", "other", &id).is_none());

    // A header whose length is damaged reads as no entry, without allocating it.
    let path = cache.path("http-v1", key, "");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = entries::HTTP_MAGIC.len();
    bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    assert!(cache.read_http_head(key).is_none());
    assert!(cache.read_http(key).is_none());
}

/// Changes each byte of `path` in turn (one bit of it, a different one from byte to byte).
fn each_flip(path: &Path, mut check: impl FnMut(usize)) {
    let intact = std::fs::read(path).unwrap();
    for at in 0..intact.len() {
        let mut bytes = intact.clone();
        bytes[at] ^= 1 << (at % 8);
        std::fs::write(path, &bytes).unwrap();
        check(at);
    }
    std::fs::write(path, &intact).unwrap();
}

#[test]
fn an_entry_with_any_byte_changed_is_never_used() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let (key, entry) = page_entry(b"<a href='a-1.0.tar.gz#sha256=ab'>", "the-id".into());
    cache.write_http(key, &entry).unwrap();
    let magic = entries::HTTP_MAGIC.len();
    let path = cache.path("http-v1", key, "");
    let head_end = std::fs::read(&path).unwrap().len() - entry.body.len();
    each_flip(&path, |at| {
        let found = cache.lookup_http(key);
        if at < magic {
            assert_eq!(found.unwrap().map(|e| e.body), None, "byte {at}");
        } else {
            let damaged = found.unwrap_err();
            assert_eq!(damaged.path, path, "byte {at}");
        }
        // The header alone is read when it is intact, whatever the body holds.
        let head = cache.read_http_head(key);
        if at < head_end && !(magic + 12..magic + 16).contains(&at) {
            assert!(head.is_none(), "byte {at}");
        } else {
            assert_eq!(head.unwrap().1, entry.id, "byte {at}");
        }
    });
    assert_eq!(cache.read_http(key).unwrap().body, entry.body);

    cache
        .write_derived("pages-v1", key, &entry.id, b"packed files")
        .unwrap();
    each_flip(&cache.path("pages-v1", key, ""), |at| {
        assert!(
            cache.read_derived("pages-v1", key, &entry.id).is_none(),
            "byte {at}"
        );
    });
    let value = cache.read_derived("pages-v1", key, &entry.id).unwrap();
    assert_eq!((*value).as_ref(), b"packed files");

    let file = "https://h.example/a-1.0-py3-none-any.whl";
    let direct = DirectFile {
        file: DistFile {
            filename: "a-1.0-py3-none-any.whl".into(),
            url: file.into(),
            hashes: [("sha256".to_string(), "ab".to_string())].into(),
            size: Some(3),
            ..DistFile::default()
        },
        metadata: Metadata::Known(Arc::new(CoreMetadata {
            name: "a".into(),
            version: "1.0".into(),
            requires_dist: vec!["b>=1".into()],
            ..CoreMetadata::default()
        })),
    };
    cache.write_direct(&direct).unwrap();
    let metadata = cache.path("metadata-v1", file, ".json");
    each_flip(&metadata, |at| {
        let found = cache.lookup_metadata(file, "ab");
        if at < b"unilock-metadata-2\n".len() {
            assert_eq!(found, Ok(None), "byte {at}");
        } else {
            assert_eq!(found.unwrap_err().path, metadata, "byte {at}");
        }
        assert_eq!(cache.read_direct(file), None, "byte {at}");
    });
    each_flip(&cache.path("direct-v1", file, ".json"), |at| {
        assert_eq!(cache.read_direct(file), None, "byte {at}");
    });
    assert_eq!(cache.read_direct(file), Some(direct));
}

/// A cache holding one entry of each kind, under `KEY` and `FILE`.
const KEY: &str = "https://h.example/simple/a/\ntext/html";
const FILE: &str = "https://h.example/a-1.0-py3-none-any.whl";

fn filled(dir: &Path) -> Cache {
    let cache = Cache::new(dir);
    let request = http::Request::get("https://h.example/simple/a/")
        .body(())
        .unwrap();
    let entry = HttpEntry {
        status: 200,
        url: url::Url::parse("https://h.example/simple/a/").unwrap(),
        content_type: Some("text/html".into()),
        policy: CachePolicy::new(&request, &http::Response::new(())),
        body: Bytes::from(vec![b'x'; 1000]),
        id: "the-id".into(),
    };
    cache.write_http(KEY, &entry).unwrap();
    cache
        .write_derived("pages-v1", KEY, "the-id", &[b'p'; 1000])
        .unwrap();
    cache
        .write_direct(&DirectFile {
            file: DistFile {
                filename: "a-1.0-py3-none-any.whl".into(),
                url: FILE.into(),
                hashes: [("sha256".to_string(), "ab".to_string())].into(),
                ..DistFile::default()
            },
            metadata: Metadata::NeedsBuild("dynamic".into()),
        })
        .unwrap();
    cache
}

/// Every read of the entries of [`filled`] finds nothing usable, and the lookups say why.
fn none_is_read(cache: &Cache, why: &str) {
    let why = why.to_string();
    let cache = cache.clone();
    // On another thread: a read that blocks fails the test instead of hanging it.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let damaged = cache.lookup_http(KEY).unwrap_err();
        assert!(damaged.why.contains(&why), "{damaged}");
        assert!(cache.read_http_head(KEY).is_none());
        assert!(cache.read_derived("pages-v1", KEY, "the-id").is_none());
        let damaged = cache.lookup_metadata(FILE, "ab").unwrap_err();
        assert!(damaged.why.contains(&why), "{damaged}");
        assert!(cache.read_direct(FILE).is_none());
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the reads return, and find nothing");
}

#[cfg(unix)]
#[test]
fn a_symlink_or_a_fifo_in_place_of_an_entry_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let cache = filled(dir.path());
    let paths = [
        cache.path("http-v1", KEY, ""),
        cache.path("pages-v1", KEY, ""),
        cache.path("metadata-v1", FILE, ".json"),
        cache.path("direct-v1", FILE, ".json"),
    ];
    for path in &paths {
        std::fs::remove_file(path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", path).unwrap();
    }
    none_is_read(&cache, "symlink");
    for path in &paths {
        std::fs::remove_file(path).unwrap();
        let made = std::process::Command::new("mkfifo").arg(path).status();
        assert!(made.unwrap().success());
    }
    none_is_read(&cache, "not a regular file");
}

#[test]
fn entries_over_the_size_limit_are_neither_read_nor_written() {
    let dir = tempfile::tempdir().unwrap();
    let cache = filled(dir.path()).with_max_entry_bytes(100);
    none_is_read(
        &cache,
        "more than the limit of 100 (UNILOCK_MAX_CACHE_ENTRY_BYTES)",
    );
    let entry = filled(dir.path()).read_http(KEY).unwrap();
    assert!(cache.write_http("another", &entry).is_err());
    assert!(filled(dir.path()).read_http("another").is_none());
}

#[test]
fn temporaries_left_by_a_killed_run_are_removed_by_a_later_write() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let entry_dir = cache.path("metadata-v1", FILE, ".json");
    let entry_dir = entry_dir.parent().unwrap();
    std::fs::create_dir_all(entry_dir).unwrap();
    let hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    let make = |name: &str, old: bool| {
        let file = std::fs::File::create(entry_dir.join(name)).unwrap();
        if old {
            file.set_modified(hours_ago).unwrap();
        }
    };
    make(".unilock-tmp-stale", true);
    make(".unilock-tmp-fresh", false);
    make("foreign", true);
    make(".tmpAbC123", true);
    let _ = filled(dir.path());
    let mut left: Vec<String> = std::fs::read_dir(entry_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let entry = cache.path("metadata-v1", FILE, ".json");
    let entry = entry.file_name().unwrap().to_string_lossy().into_owned();
    let mut expected = vec![
        ".tmpAbC123".to_string(),
        ".unilock-tmp-fresh".into(),
        "foreign".into(),
        entry,
    ];
    expected.sort();
    assert_eq!(left, expected);
}

#[test]
fn metadata_entries_are_keyed_by_url_and_hash() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let m = Metadata::Known(Arc::new(CoreMetadata {
        name: "alpha".into(),
        version: "1.0".into(),
        requires_dist: vec!["beta>=1".into()],
        ..CoreMetadata::default()
    }));
    cache
        .write_metadata("https://h.example/a.whl", "AB", &m)
        .unwrap();
    assert_eq!(
        cache.read_metadata("https://h.example/a.whl", "ab"),
        Some(m)
    );
    assert_eq!(cache.read_metadata("https://h.example/a.whl", "cd"), None);
    assert_eq!(cache.read_metadata("https://h.example/b.whl", "ab"), None);
    let build = Metadata::NeedsBuild("dynamic".into());
    cache
        .write_metadata("https://h.example/a.tar.gz", "ef", &build)
        .unwrap();
    assert_eq!(
        cache.read_metadata("https://h.example/a.tar.gz", "ef"),
        Some(build)
    );
}

#[test]
fn direct_files_come_back_with_their_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let url = "https://h.example/a-1.0-py3-none-any.whl";
    assert_eq!(cache.read_direct(url), None);
    let direct = DirectFile {
        file: DistFile {
            filename: "a-1.0-py3-none-any.whl".into(),
            url: url.into(),
            hashes: [("sha256".to_string(), "ab".to_string())].into(),
            size: Some(3),
            requires_python: Some(">=3.9".into()),
            ..DistFile::default()
        },
        metadata: Metadata::Known(Arc::new(CoreMetadata {
            name: "a".into(),
            version: "1.0".into(),
            requires_python: Some(">=3.9".into()),
            ..CoreMetadata::default()
        })),
    };
    cache.write_direct(&direct).unwrap();
    assert_eq!(cache.read_direct(url), Some(direct));
    assert_eq!(cache.read_direct("https://h.example/b.whl"), None);
}

#[test]
fn default_dir_follows_the_variables_in_order() {
    let vars = |set: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            set.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    let all = vars(&[
        ("UNILOCK_CACHE_DIR", "/c"),
        ("XDG_CACHE_HOME", "/x"),
        ("HOME", "/h"),
    ]);
    assert_eq!(default_dir(&all), Some(PathBuf::from("/c")));
    let xdg = vars(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]);
    assert_eq!(default_dir(&xdg), Some(PathBuf::from("/x/unilock")));
    let home = vars(&[("HOME", "/h")]);
    assert_eq!(default_dir(&home), Some(PathBuf::from("/h/.cache/unilock")));
    assert_eq!(default_dir(&vars(&[])), None);
}
