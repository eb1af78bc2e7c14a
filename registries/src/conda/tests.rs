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

#[test]
fn strict_priority_takes_a_name_from_the_first_channel_that_has_it_flexible_from_all() {
    let tmp = tempfile::tempdir().unwrap();
    let first = channel(
        tmp.path(),
        "first",
        json!({"foo-1.0-0.tar.bz2": record("foo", "1.0", "0", "linux-64")}),
    );
    write_repodata(
        &first,
        "noarch",
        "repodata.json",
        &json!({"packages": {"foo-1.5-0.tar.bz2": record("foo", "1.5", "0", "noarch")}}),
    );
    let second = channel(
        tmp.path(),
        "second",
        json!({
            "foo-2.0-0.tar.bz2": record("foo", "2.0", "0", "linux-64"),
            "bar-1.0-0.tar.bz2": record("bar", "1.0", "0", "linux-64"),
        }),
    );
    let strict = open(&[&first, &second], ChannelPriority::Strict);
    assert_eq!(
        versions(&strict.records("linux-64", "foo").unwrap()),
        ["1.0 0 foo-1.0-0.tar.bz2 #0", "1.5 0 foo-1.5-0.tar.bz2 #0"]
    );
    assert_eq!(
        versions(&strict.records("linux-64", "bar").unwrap()),
        ["1.0 0 bar-1.0-0.tar.bz2 #1"]
    );
    assert!(strict.records("linux-64", "baz").unwrap().is_empty());
    let flexible = open(&[&first, &second], ChannelPriority::Flexible);
    assert_eq!(
        versions(&flexible.records("linux-64", "foo").unwrap()),
        [
            "1.0 0 foo-1.0-0.tar.bz2 #0",
            "1.5 0 foo-1.5-0.tar.bz2 #0",
            "2.0 0 foo-2.0-0.tar.bz2 #1"
        ]
    );
}

#[test]
fn records_in_serves_channel_qualified_specs_by_name_url_or_text() {
    let tmp = tempfile::tempdir().unwrap();
    let first = channel(
        tmp.path(),
        "first",
        json!({"foo-1.0-0.tar.bz2": record("foo", "1.0", "0", "linux-64")}),
    );
    let second = channel(
        tmp.path(),
        "second",
        json!({"foo-2.0-0.tar.bz2": record("foo", "2.0", "0", "linux-64")}),
    );
    let alias = Url::from_directory_path(tmp.path()).unwrap();
    let channels = CondaChannels::new(
        vec![
            ChannelSpec::new("first"),
            ChannelSpec::new(second.display().to_string()),
        ],
        Some(alias.clone()),
        ChannelPriority::Strict,
    )
    .unwrap();
    let second_url = Url::from_directory_path(&second).unwrap();
    for name in [
        "second".to_string(),
        second.display().to_string(),
        second_url.to_string(),
        second_url.as_str().trim_end_matches('/').to_string(),
    ] {
        let records = channels.records_in(&name, "linux-64", "foo").unwrap();
        assert_eq!(versions(&records), ["2.0 0 foo-2.0-0.tar.bz2 #1"], "{name}");
    }
    assert_eq!(
        versions(&channels.records_in("first", "linux-64", "foo").unwrap()),
        ["1.0 0 foo-1.0-0.tar.bz2 #0"]
    );
    let first_url = Url::from_directory_path(&first).unwrap();
    assert_eq!(
        channels.records_in("first", "linux-64", "foo").unwrap()[0]
            .record
            .channel
            .as_deref(),
        Some(first_url.as_str())
    );
    let err = channels
        .records_in("elsewhere", "linux-64", "foo")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage);
    assert!(
        err.message().contains("elsewhere::foo") && err.message().contains("first"),
        "{}",
        err.message()
    );
}

#[test]
fn a_channel_directory_is_named_by_its_last_segment_in_channel_qualified_specs() {
    let Some(union) = shared("conda-channels/lockfile-union/conda-forge") else {
        return;
    };
    let Some(subset) = shared("conda-channels/conda-forge-mamba-numpy-subset") else {
        return;
    };
    let channels = open(&[&subset, &union], ChannelPriority::Strict);
    let numpy = channels
        .records_in("conda-forge", "linux-64", "numpy")
        .unwrap();
    assert!(!numpy.is_empty() && numpy.iter().all(|r| r.channel_rank == 1));
    let strict = channels.records("linux-64", "numpy").unwrap();
    assert!(strict.iter().all(|r| r.channel_rank == 0));
    assert!(numpy.len() > strict.len());
}

#[test]
fn a_channel_name_without_an_alias_is_bad_usage_saying_what_to_give() {
    let err = CondaChannels::new(
        vec![ChannelSpec::at("conda-forge", "environment.yml:3:5")],
        None,
        ChannelPriority::Strict,
    )
    .err()
    .unwrap();
    assert_eq!(err.kind(), ErrorKind::Usage);
    assert!(
        err.message().starts_with(
            "environment.yml:3:5: channel conda-forge: a channel name needs a channel alias"
        ),
        "{}",
        err.message()
    );
    assert!(
        err.notes()[0].contains("--channel-alias"),
        "{:?}",
        err.notes()
    );
    let err = CondaChannels::new(
        vec![ChannelSpec::new("defaults")],
        Some(Url::parse("file:///srv/").unwrap()),
        ChannelPriority::Strict,
    )
    .err()
    .unwrap();
    assert_eq!(err.kind(), ErrorKind::Usage);
    assert!(err.message().contains("defaults"), "{}", err.message());
}

#[test]
fn a_missing_channel_directory_is_bad_usage_given_as_a_path_and_a_registry_error_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nowhere");
    for text in [
        missing.display().to_string(),
        Url::from_directory_path(&missing).unwrap().to_string(),
    ] {
        let err = CondaChannels::new(vec![ChannelSpec::new(&text)], None, ChannelPriority::Strict)
            .err()
            .unwrap();
        assert_eq!(err.kind(), ErrorKind::Usage, "{text}");
        assert!(
            err.message().contains("is not a directory"),
            "{}",
            err.message()
        );
    }
    let err = CondaChannels::new(
        vec![ChannelSpec::new("nowhere")],
        Some(Url::from_directory_path(tmp.path()).unwrap()),
        ChannelPriority::Strict,
    )
    .err()
    .unwrap();
    assert_eq!(err.kind(), ErrorKind::Registry);
    assert!(
        err.message().contains("channel nowhere"),
        "{}",
        err.message()
    );
    // A channel over HTTP is read through a client: without one, reading it is an error
    // naming it (exit 3), not a crash.
    let remote = CondaChannels::new(
        vec![ChannelSpec::new("https://channels.example/conda-forge")],
        None,
        ChannelPriority::Strict,
    )
    .unwrap();
    assert!(remote.needs_client());
    let err = remote.records("linux-64", "numpy").err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Registry);
    assert!(
        err.message()
            .contains("https://channels.example/conda-forge/ is served over HTTP"),
        "{}",
        err.message()
    );
}

#[test]
fn relative_directories_are_read_against_the_root_given() {
    let tmp = tempfile::tempdir().unwrap();
    channel(
        tmp.path(),
        "local",
        json!({"foo-1.0-0.tar.bz2": record("foo", "1.0", "0", "linux-64")}),
    );
    let channels = CondaChannels::new_in(
        tmp.path().to_path_buf(),
        vec![ChannelSpec::new("./local")],
        None,
        ChannelPriority::Strict,
    )
    .unwrap();
    assert_eq!(channels.records("linux-64", "foo").unwrap().len(), 1);
    assert_eq!(
        channels
            .records_in("./local", "linux-64", "foo")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_subdir_that_is_not_a_plain_name_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = channel(tmp.path(), "c", json!({}));
    let channels = open(&[&dir], ChannelPriority::Strict);
    let err = channels.records("../c/linux-64", "foo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage);
}

// --- The shared snapshots -------------------------------------------------------------

#[test]
fn the_shared_py39_subchannel_gives_linux_64_and_noarch_records() {
    let Some(dir) = shared("conda-channels/conda-forge-subchannel-py39") else {
        return;
    };
    let channels = open(&[&dir], ChannelPriority::Strict);
    let python = channels.records("linux-64", "python").unwrap();
    assert!(!python.is_empty());
    let channel_url = channels.urls()[0].clone();
    for r in python.iter() {
        let record = &r.record;
        assert_eq!(record.package_record.subdir, "linux-64");
        assert!(record.package_record.version.to_string().starts_with("3.9"));
        assert!(
            record.url.as_str().starts_with(channel_url.as_str()),
            "{}",
            record.url
        );
        assert_eq!(record.channel.as_deref(), Some(channel_url.as_str()));
        assert!(
            record
                .url
                .path()
                .ends_with(&record.identifier.to_file_name())
        );
    }
    let pip = channels.records("linux-64", "pip").unwrap();
    assert!(!pip.is_empty());
    // pip has old linux-64 builds and noarch ones: both are candidates, each with its URL.
    for subdir in ["linux-64", "noarch"] {
        let of_subdir: Vec<_> = pip
            .iter()
            .filter(|r| r.record.package_record.subdir == subdir)
            .collect();
        assert!(!of_subdir.is_empty(), "{subdir}");
        assert!(
            of_subdir
                .iter()
                .all(|r| r.record.url.as_str().contains(&format!("/{subdir}/")))
        );
    }
    assert!(channels.warnings().is_empty(), "{:#?}", channels.warnings());
}

#[test]
fn strict_priority_over_two_shared_channels_keeps_numpy_to_the_first() {
    let (Some(subset), Some(union)) = (
        shared("conda-channels/conda-forge-mamba-numpy-subset"),
        shared("conda-channels/lockfile-union/conda-forge"),
    ) else {
        return;
    };
    let strict = open(&[&subset, &union], ChannelPriority::Strict);
    let numpy = strict.records("linux-64", "numpy").unwrap();
    assert!(!numpy.is_empty());
    assert!(numpy.iter().all(|r| r.channel_rank == 0));
    // A name only the second channel has comes from it.
    let pandas = strict.records("linux-64", "pandas").unwrap();
    assert!(!pandas.is_empty() && pandas.iter().all(|r| r.channel_rank == 1));
    let flexible = open(&[&subset, &union], ChannelPriority::Flexible);
    let all = flexible.records("linux-64", "numpy").unwrap();
    assert!(all.len() > numpy.len());
    assert!(all.iter().any(|r| r.channel_rank == 1));
}

/// Every record of every shared snapshot, read name by name, is the record rattler makes when
/// it deserialises the whole file (`RepoData::into_repo_data_records`), `.tar.bz2` twins of
/// `.conda` builds aside; none is skipped.
#[test]
fn every_shared_record_reads_as_rattler_reads_the_whole_file() {
    let Some(root) = shared("conda-channels") else {
        return;
    };
    let mut channels_seen = 0;
    let mut records_seen = 0;
    let mut dirs = vec![
        root.join("conda-forge-subchannel-py39"),
        root.join("conda-forge-mamba-numpy-subset"),
        root.join("pytorch-rattler-testdata"),
    ];
    dirs.extend(
        std::fs::read_dir(root.join("lockfile-union"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir()),
    );
    for dir in dirs {
        let channels = open(&[&dir], ChannelPriority::Strict);
        let channel = rattler_conda_types::Channel::from_url(channels.urls()[0].clone());
        let mut subdirs: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().join("repodata.json").exists())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        subdirs.sort();
        for subdir in subdirs {
            let text = std::fs::read(dir.join(&subdir).join("repodata.json")).unwrap();
            // rattler refuses null fields (the mamba subset has `"constrains": null`), which
            // read as absent here: drop them before rattler reads the file.
            let mut value: serde_json::Value = serde_json::from_slice(&text).unwrap();
            for key in ["packages", "packages.conda"] {
                for record in value[key]
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    record.as_object_mut().unwrap().retain(|_, v| !v.is_null());
                }
            }
            let whole: rattler_conda_types::RepoData = serde_json::from_value(value).unwrap();
            let conda: std::collections::HashSet<String> = whole
                .conda_packages
                .keys()
                .map(|k| k.to_file_name().trim_end_matches(".conda").to_string())
                .collect();
            let base_url = whole.base_url().map(str::to_string);
            let subdir_url = channels.urls()[0].join(&format!("{subdir}/")).unwrap();
            let mut expected: Vec<_> = whole
                .packages
                .into_iter()
                .chain(whole.conda_packages)
                .map(|(id, record)| (id.to_file_name(), record))
                .filter(|(f, _)| {
                    !f.strip_suffix(".tar.bz2")
                        .is_some_and(|s| conda.contains(s))
                })
                .collect();
            expected.sort_by(|a, b| a.0.cmp(&b.0));
            // The records read from this subdir's file: a subdir's answer holds noarch's too,
            // so those of the files this file lists (the snapshots list no file in both).
            let mut got: Vec<_> = channels
                .names(&subdir)
                .unwrap()
                .iter()
                .flat_map(|name| channels.records(&subdir, name).unwrap().to_vec())
                .map(|r| (r.record.identifier.to_file_name(), r.record))
                .filter(|(f, _)| expected.binary_search_by(|e| e.0.cmp(f)).is_ok())
                .collect();
            got.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(got.len(), expected.len(), "{} {subdir}", dir.display());
            for ((file, g), (_, e)) in got.iter().zip(&expected) {
                let mut e = e.clone();
                e.track_features.retain(|f| !f.is_empty());
                if e.subdir.is_empty() {
                    e.subdir.clone_from(&subdir);
                }
                assert_eq!(g.package_record, e, "{} {subdir} {file}", dir.display());
                assert_eq!(
                    g.url,
                    rattler_conda_types::compute_package_url(
                        &subdir_url,
                        base_url.as_deref(),
                        file
                    )
                );
                assert_eq!(g.channel.as_deref(), Some(channel.base_url.as_str()));
            }
            records_seen += got.len();
        }
        assert!(channels.warnings().is_empty(), "{:#?}", channels.warnings());
        channels_seen += 1;
    }
    println!(
        "{records_seen} records of {channels_seen} shared channels read as rattler reads them"
    );
    assert!(records_seen > 40_000);
}

/// The names a 30-name solve over conda-forge asks for.
const THIRTY: [&str; 30] = [
    "python",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib-base",
    "scikit-learn",
    "openssl",
    "libgcc",
    "libstdcxx",
    "libzlib",
    "bzip2",
    "xz",
    "sqlite",
    "tk",
    "ncurses",
    "readline",
    "libffi",
    "ca-certificates",
    "pip",
    "setuptools",
    "wheel",
    "libblas",
    "libcblas",
    "liblapack",
    "libopenblas",
    "python_abi",
    "tzdata",
    "pytz",
    "python-dateutil",
    "six",
];

/// Figures (run with `--nocapture`): opening the largest shared subdir (and a generated one
/// four times its size) and looking up 30 names, against deserialising the whole file.
#[test]
fn lookups_read_only_the_names_asked_for_figures() {
    let Some(union) = shared("conda-channels/lockfile-union/conda-forge") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // The real linux-64 subdir, and one with its records four times over (copies under
    // made-up names), beside the real noarch.
    let text = std::fs::read(union.join("linux-64/repodata.json")).unwrap();
    let mut big: serde_json::Value = serde_json::from_slice(&text).unwrap();
    for key in ["packages", "packages.conda"] {
        let Some(map) = big[key].as_object().cloned() else {
            continue;
        };
        let target = big[key].as_object_mut().unwrap();
        for copy in 1..4 {
            for (file, record) in &map {
                let mut record = record.clone();
                let name = format!("{}-copy{copy}", record["name"].as_str().unwrap());
                let renamed = file.replacen(record["name"].as_str().unwrap(), &name, 1);
                record["name"] = json!(name);
                target.insert(renamed, record);
            }
        }
    }
    let big_dir = tmp.path().join("big");
    write_repodata(&big_dir, "linux-64", "repodata.json", &big);
    std::fs::create_dir_all(big_dir.join("noarch")).unwrap();
    std::fs::copy(
        union.join("noarch/repodata.json"),
        big_dir.join("noarch/repodata.json"),
    )
    .unwrap();
    for dir in [union.clone(), big_dir] {
        let file = dir.join("linux-64/repodata.json");
        let bytes = std::fs::metadata(&file).unwrap().len()
            + std::fs::metadata(dir.join("noarch/repodata.json"))
                .unwrap()
                .len();
        let started = std::time::Instant::now();
        let channels = open(&[&dir], ChannelPriority::Strict);
        let counts = channels.record_counts("linux-64").unwrap();
        let opened = started.elapsed();
        let mut found = 0;
        for name in THIRTY {
            found += channels.records("linux-64", name).unwrap().len();
        }
        let looked_up = started.elapsed() - opened;
        let started = std::time::Instant::now();
        let mut whole = 0;
        for subdir in ["linux-64", "noarch"] {
            let text = std::fs::read(dir.join(subdir).join("repodata.json")).unwrap();
            let repodata: rattler_conda_types::RepoData = serde_json::from_slice(&text).unwrap();
            whole += repodata.packages.len() + repodata.conda_packages.len();
        }
        let deserialised = started.elapsed();
        println!(
            "repodata {:.1} MB ({} records, linux-64 + noarch): open {:.1} ms, 30 names \
             ({found} records) {:.1} ms; whole RepoData deserialised {:.1} ms ({whole} records)",
            bytes as f64 / 1e6,
            counts[0],
            opened.as_secs_f64() * 1e3,
            looked_up.as_secs_f64() * 1e3,
            deserialised.as_secs_f64() * 1e3,
        );
        assert_eq!(counts[0], whole);
        assert!(found > 0);
    }
}

#[test]
fn a_packed_index_reads_back_as_made_and_only_against_its_own_text() {
    let repodata = json!({
        "info": {"subdir": "linux-64", "base_url": "https://files.example/pkgs/"},
        "packages": {
            "foo-1.0-0.tar.bz2": record("foo", "1.0", "0", "linux-64"),
            "../x-1-0.tar.bz2": record("x", "1", "0", "linux-64"),
        },
        "packages.conda": {
            "foo-1.0-0.conda": record("foo", "1.0", "0", "linux-64"),
            "bar-2-1.conda": record("bar", "2", "1", "linux-64"),
        },
    });
    let text = serde_json::to_vec(&repodata).unwrap();
    let channel = Url::parse("https://channels.example/c/").unwrap();
    let (made, warning) = Repodata::index(
        repodata::Text::Owned(text.clone()),
        "repodata.json".into(),
        "linux-64",
        &channel,
        channel.to_string(),
    )
    .unwrap();
    assert!(warning.is_some());
    let packed = made.pack(warning.as_deref());
    let (read, read_warning) = Repodata::unpack(
        repodata::Text::Owned(text.clone()),
        &packed,
        "repodata.json".into(),
        "linux-64",
        channel.to_string(),
    )
    .ok()
    .unwrap();
    assert_eq!(read_warning, warning);
    assert_eq!(read.len(), made.len());
    for name in ["foo", "bar", "x"] {
        let (a, _) = made.records(name);
        let (b, _) = read.records(name);
        assert_eq!(a, b, "{name}");
    }
    // Another text (another length), or an index cut short or extended: not used.
    let mut longer = text.clone();
    longer.push(b' ');
    assert!(
        Repodata::unpack(
            repodata::Text::Owned(longer),
            &packed,
            "f".into(),
            "linux-64",
            channel.to_string()
        )
        .is_err()
    );
    for bad in [
        &packed[..packed.len() - 1],
        &[packed.as_slice(), b"x"].concat()[..],
    ] {
        assert!(
            Repodata::unpack(
                repodata::Text::Owned(text.clone()),
                bad,
                "f".into(),
                "linux-64",
                channel.to_string()
            )
            .is_err()
        );
    }
}
