//! Channels written for the tests in temporary directories, and the shared channel snapshots
//! (`../shared/conda-channels/`, see its SOURCES.tsv).

use super::*;
use crate::testing::shared;
use serde_json::json;
use std::path::Path;
use unilock_model::ErrorKind;
use unilock_model::channel::{ChannelPriority, CondaSource};

/// A record of `name-version-build` as a channel's repodata lists it.
fn record(name: &str, version: &str, build: &str, subdir: &str) -> serde_json::Value {
    json!({
        "name": name,
        "version": version,
        "build": build,
        "build_number": 0,
        "depends": [],
        "subdir": subdir,
        "md5": "d7c89558ba9fa0495403155b64376d81",
        "size": 100,
    })
}

/// Writes `repodata` as `<dir>/<subdir>/<file>` (compressed by the file's suffix).
fn write_repodata(dir: &Path, subdir: &str, file: &str, repodata: &serde_json::Value) {
    let path = dir.join(subdir);
    std::fs::create_dir_all(&path).unwrap();
    let text = serde_json::to_vec(repodata).unwrap();
    let bytes = if file.ends_with(".zst") {
        zstd::encode_all(&text[..], 3).unwrap()
    } else if file.ends_with(".bz2") {
        use std::io::Write;
        let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        encoder.write_all(&text).unwrap();
        encoder.finish().unwrap()
    } else {
        text
    };
    std::fs::write(path.join(file), bytes).unwrap();
}

/// A channel in `root/name` whose linux-64 subdir lists `packages` (file name → record).
fn channel(root: &Path, name: &str, packages: serde_json::Value) -> std::path::PathBuf {
    let dir = root.join(name);
    write_repodata(
        &dir,
        "linux-64",
        "repodata.json",
        &json!({"info": {"subdir": "linux-64"}, "packages": packages}),
    );
    dir
}

fn open(dirs: &[&Path], priority: ChannelPriority) -> CondaChannels {
    let specs = dirs
        .iter()
        .map(|d| ChannelSpec::new(d.display().to_string()))
        .collect();
    CondaChannels::new(specs, None, priority).unwrap()
}

fn versions(records: &[ChannelRecord]) -> Vec<String> {
    let mut v: Vec<String> = records
        .iter()
        .map(|r| {
            format!(
                "{} {} {} #{}",
                r.record.package_record.version,
                r.record.package_record.build,
                r.record.identifier.to_file_name(),
                r.channel_rank
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn records_read_with_null_lists_have_empty_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let mut foo = record("foo", "1.0", "0", "linux-64");
    foo["depends"] = serde_json::Value::Null;
    foo["constrains"] = serde_json::Value::Null;
    foo["track_features"] = serde_json::Value::Null;
    let dir = channel(tmp.path(), "c", json!({ "foo-1.0-0.tar.bz2": foo }));
    let channels = open(&[&dir], ChannelPriority::Strict);
    let records = channels.records("linux-64", "foo").unwrap();
    assert_eq!(records.len(), 1, "{:?}", channels.warnings());
    let record = &records[0].record.package_record;
    assert!(record.depends.is_empty() && record.constrains.is_empty());
    assert!(channels.warnings().is_empty());
}

#[test]
fn an_empty_track_features_string_means_no_track_features() {
    let tmp = tempfile::tempdir().unwrap();
    let mut none = record("foo", "1.0", "0", "linux-64");
    none["track_features"] = json!("");
    let mut two = record("foo", "2.0", "0", "linux-64");
    two["track_features"] = json!("blas_openblas,, mkl");
    let dir = channel(
        tmp.path(),
        "c",
        json!({ "foo-1.0-0.tar.bz2": none, "foo-2.0-0.tar.bz2": two }),
    );
    let channels = open(&[&dir], ChannelPriority::Strict);
    let mut records = channels.records("linux-64", "foo").unwrap().to_vec();
    records.sort_by(|a, b| {
        a.record
            .identifier
            .to_file_name()
            .cmp(&b.record.identifier.to_file_name())
    });
    assert!(records[0].record.package_record.track_features.is_empty());
    assert_eq!(
        records[1].record.package_record.track_features,
        ["blas_openblas", "mkl"]
    );
}

#[test]
fn a_record_that_cannot_be_read_is_skipped_with_one_warning_and_the_others_stay() {
    let tmp = tempfile::tempdir().unwrap();
    let mut broken = record("foo", "2.0", "0", "linux-64");
    broken["build_number"] = json!("seven");
    let mut misnamed = record("bar", "3.0", "0", "linux-64");
    misnamed["name"] = json!("bar");
    let dir = channel(
        tmp.path(),
        "c",
        json!({
            "foo-1.0-0.tar.bz2": record("foo", "1.0", "0", "linux-64"),
            "foo-2.0-0.tar.bz2": broken,
            "foo-3.0-0.tar.bz2": misnamed,
            "foo-4.0-0.tar.bz2": "not a record",
        }),
    );
    let channels = open(&[&dir], ChannelPriority::Strict);
    let records = channels.records("linux-64", "foo").unwrap();
    assert_eq!(versions(&records), ["1.0 0 foo-1.0-0.tar.bz2 #0"]);
    // Asked again: the same records, no new warnings.
    channels.records("linux-64", "foo").unwrap();
    let warnings = channels.warnings();
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    let file = dir.join("linux-64").join("repodata.json");
    for (w, key) in warnings.iter().zip(["foo-2.0-0", "foo-3.0-0", "foo-4.0-0"]) {
        assert!(w.starts_with(&file.display().to_string()), "{w}");
        assert!(
            w.contains(&format!("the record {key}.tar.bz2 is skipped")),
            "{w}"
        );
    }
    assert!(warnings[0].contains("\"seven\""), "{}", warnings[0]);
    assert!(
        warnings[1].contains("names the package bar"),
        "{}",
        warnings[1]
    );
}

#[test]
fn entries_whose_key_is_not_a_file_name_are_skipped_with_one_warning_for_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = channel(
        tmp.path(),
        "c",
        json!({
            "foo-1.0-0.tar.bz2": record("foo", "1.0", "0", "linux-64"),
            "foo.zip": record("foo", "2.0", "0", "linux-64"),
            "foo-2.0.tar.bz2": record("foo", "2.0", "0", "linux-64"),
            "../noarch/foo-3.0-0.tar.bz2": record("foo", "3.0", "0", "linux-64"),
            "foo-4.0-0.conda": record("foo", "4.0", "0", "linux-64"),
        }),
    );
    let channels = open(&[&dir], ChannelPriority::Strict);
    assert_eq!(channels.records("linux-64", "foo").unwrap().len(), 1);
    assert!(!channels.lists("linux-64", "../noarch/foo").unwrap());
    let warnings = channels.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("4 entries are skipped"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].contains("../noarch/foo-3.0-0.tar.bz2"),
        "{}",
        warnings[0]
    );
}

#[test]
fn a_build_listed_as_conda_and_tar_bz2_is_read_once_as_conda() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    write_repodata(
        &dir,
        "linux-64",
        "repodata.json",
        &json!({
            "packages": {
                "foo-1.0-0.tar.bz2": record("foo", "1.0", "0", "linux-64"),
                "foo-0.9-0.tar.bz2": record("foo", "0.9", "0", "linux-64"),
            },
            "packages.conda": {
                "foo-1.0-0.conda": record("foo", "1.0", "0", "linux-64"),
                "foo-1.1-0.conda": record("foo", "1.1", "0", "linux-64"),
            },
        }),
    );
    let channels = open(&[&dir], ChannelPriority::Strict);
    let records = channels.records("linux-64", "foo").unwrap();
    assert_eq!(
        versions(&records),
        [
            "0.9 0 foo-0.9-0.tar.bz2 #0",
            "1.0 0 foo-1.0-0.conda #0",
            "1.1 0 foo-1.1-0.conda #0"
        ]
    );
}

#[test]
fn record_urls_and_channel_are_those_rattler_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (None, ""),
        (Some("https://files.example/pkgs/linux-64"), "abs"),
        (Some("../mirror/linux-64/"), "rel"),
        (Some("/srv/pkgs"), "root"),
    ];
    for (base_url, name) in cases {
        let dir = tmp.path().join(format!("c{name}"));
        let mut info = json!({"subdir": "linux-64"});
        if let Some(base) = base_url {
            info["base_url"] = json!(base);
        }
        write_repodata(
            &dir,
            "linux-64",
            "repodata.json",
            &json!({
                "info": info,
                "repodata_version": 2,
                "packages.conda": { "foo-1.0-0.conda": record("foo", "1.0", "0", "linux-64") },
            }),
        );
        let channels = open(&[&dir], ChannelPriority::Strict);
        let records = channels.records("linux-64", "foo").unwrap();
        let got = &records[0].record;
        let channel_url = Url::from_directory_path(&dir).unwrap();
        let expected = rattler_conda_types::compute_package_url(
            &channel_url.join("linux-64/").unwrap(),
            base_url,
            "foo-1.0-0.conda",
        );
        assert_eq!(got.url, expected, "base_url {base_url:?}");
        assert_eq!(got.channel.as_deref(), Some(channel_url.as_str()));
    }
    // The absolute base_url is the one a mirror would use.
    let dir = tmp.path().join("cabs");
    let channels = open(&[&dir], ChannelPriority::Strict);
    assert_eq!(
        channels.records("linux-64", "foo").unwrap()[0]
            .record
            .url
            .as_str(),
        "https://files.example/pkgs/linux-64/foo-1.0-0.conda"
    );
}

#[test]
fn a_base_url_that_is_not_a_url_is_an_error_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    write_repodata(
        &dir,
        "linux-64",
        "repodata.json",
        &json!({"info": {"base_url": "https://[bad"}, "packages": {}}),
    );
    let channels = open(&[&dir], ChannelPriority::Strict);
    let err = channels.records("linux-64", "foo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Registry);
    assert!(err.message().contains("repodata.json"), "{}", err.message());
    assert!(err.message().contains("info.base_url"), "{}", err.message());
}

#[test]
fn compressed_repodata_is_read_when_the_plain_file_is_absent() {
    let tmp = tempfile::tempdir().unwrap();
    for file in ["repodata.json.zst", "repodata.json.bz2"] {
        let dir = tmp.path().join(file);
        write_repodata(
            &dir,
            "linux-64",
            file,
            &json!({"packages": {"foo-1.0-0.tar.bz2": record("foo", "1.0", "0", "linux-64")}}),
        );
        write_repodata(
            &dir,
            "noarch",
            file,
            &json!({"packages": {"foo-2.0-0.tar.bz2": record("foo", "2.0", "0", "noarch")}}),
        );
        let channels = open(&[&dir], ChannelPriority::Strict);
        let records = channels.records("linux-64", "foo").unwrap();
        assert_eq!(
            versions(&records),
            ["1.0 0 foo-1.0-0.tar.bz2 #0", "2.0 0 foo-2.0-0.tar.bz2 #0"],
            "{file}"
        );
    }
}

#[test]
fn the_plain_file_is_preferred_over_its_compressed_forms() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    let with = |v: &str| json!({"packages": {format!("foo-{v}-0.tar.bz2"): record("foo", v, "0", "linux-64")}});
    write_repodata(&dir, "linux-64", "repodata.json", &with("1.0"));
    write_repodata(&dir, "linux-64", "repodata.json.zst", &with("2.0"));
    let channels = open(&[&dir], ChannelPriority::Strict);
    assert_eq!(
        versions(&channels.records("linux-64", "foo").unwrap()),
        ["1.0 0 foo-1.0-0.tar.bz2 #0"]
    );
}

#[test]
fn repodata_past_the_limit_is_refused_naming_the_file_and_the_variable() {
    let tmp = tempfile::tempdir().unwrap();
    let big: serde_json::Map<String, serde_json::Value> = (0..200)
        .map(|i| {
            (
                format!("foo-{i}-0.tar.bz2"),
                record("foo", &i.to_string(), "0", "linux-64"),
            )
        })
        .collect();
    for file in ["repodata.json", "repodata.json.zst"] {
        let dir = tmp.path().join(file);
        write_repodata(&dir, "linux-64", file, &json!({ "packages": big }));
        let channels = open(&[&dir], ChannelPriority::Strict).with_max_repodata_bytes(10_000);
        let err = channels.records("linux-64", "foo").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Registry, "{file}");
        assert!(err.message().contains(file), "{}", err.message());
        assert!(
            err.message().contains("more than 10000 bytes")
                && err.message().contains("UNILOCK_MAX_REPODATA_BYTES"),
            "{}",
            err.message()
        );
    }
}

#[test]
fn noarch_is_optional_but_a_channel_with_neither_file_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = channel(
        tmp.path(),
        "c",
        json!({"foo-1.0-0.tar.bz2": record("foo", "1.0", "0", "linux-64")}),
    );
    let channels = open(&[&dir], ChannelPriority::Strict);
    assert_eq!(channels.records("linux-64", "foo").unwrap().len(), 1);
    let err = channels.records("osx-arm64", "foo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Registry);
    assert!(
        err.message().contains(&dir.display().to_string()),
        "{}",
        err.message()
    );
    assert!(err.message().contains("osx-arm64"), "{}", err.message());
}

#[test]
fn a_channel_file_that_is_not_repodata_is_an_error_naming_channel_and_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    std::fs::create_dir_all(dir.join("linux-64")).unwrap();
    std::fs::write(dir.join("linux-64/repodata.json"), b"{\"packages\": [1, 2").unwrap();
    let channels = open(&[&dir], ChannelPriority::Strict);
    let err = channels.records("linux-64", "foo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Registry);
    let file = dir.join("linux-64").join("repodata.json");
    assert!(
        err.message()
            .contains(&format!("channel {} cannot be read", dir.display()))
            && err.message().contains(&file.display().to_string()),
        "{}",
        err.message()
    );
    // A broken zst is one too.
    let dir = tmp.path().join("z");
    std::fs::create_dir_all(dir.join("noarch")).unwrap();
    std::fs::write(dir.join("noarch/repodata.json.zst"), b"not zstd").unwrap();
    let channels = open(&[&dir], ChannelPriority::Strict);
    let err = channels.records("linux-64", "foo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Registry);
    assert!(
        err.message().contains("repodata.json.zst"),
        "{}",
        err.message()
    );
}

mod naming;
mod shared_snapshots;
