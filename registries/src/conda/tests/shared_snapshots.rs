//! The shared channel snapshots (`../shared/conda-channels/`, see its SOURCES.tsv) read as
//! rattler reads them, and what a lookup reads of them.

use super::*;

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
