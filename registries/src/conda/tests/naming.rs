//! Channel priority, channel-qualified lookups and how channels are named and configured.

use super::*;

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
