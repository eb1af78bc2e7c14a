//! Recording: what the solver asked for is written as a file:// index that reads back the same,
//! restricted to the versions that matter, without any contacted host in it.

use super::*;
use crate::local::{LocalSource, Location};
use crate::testing::{Route, TestServer};
use std::sync::Arc;
use unilock_model::index::CoreMetadata;

/// A source in memory: two projects, one with versions around the one consulted.
struct Memory {
    host: String,
}

impl Memory {
    fn file(&self, name: &str, yanked: bool) -> DistFile {
        DistFile {
            filename: name.into(),
            url: format!("https://{}/f/{name}", self.host),
            hashes: BTreeMap::from([("sha256".into(), "ab".repeat(32))]).into(),
            size: Some(10_000_000),
            requires_python: Some(">=3.8".into()),
            yanked: yanked.then(|| "broken".to_string()),
            upload_time: None,
            metadata: Some(BTreeMap::new().into()),
        }
    }
}

impl PackageSource for Memory {
    fn project(&self, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
        let files = match name {
            "alpha" => vec![
                self.file("alpha-0.9-py3-none-any.whl", false),
                self.file("alpha-1.0-py3-none-any.whl", false),
                self.file("alpha-1.0.tar.gz", false),
                self.file("alpha-1.1-py3-none-any.whl", true),
                self.file("alpha-2.0b1-py3-none-any.whl", false),
            ],
            "beta" => vec![
                self.file("beta-1.0-py3-none-any.whl", false),
                self.file("beta-2.0-py3-none-any.whl", false),
            ],
            _ => return Ok(None),
        };
        Ok(Some(Arc::new(ProjectFiles {
            name: name.into(),
            index: format!("https://{}/simple/", self.host),
            files: files.into(),
        })))
    }

    fn metadata(&self, _: &ProjectFiles, file: &DistFile) -> Result<Metadata, Diagnostic> {
        let version = file.filename.split('-').nth(1).unwrap_or("0").to_string();
        Ok(Metadata::Known(Arc::new(CoreMetadata {
            name: file.filename.split('-').next().unwrap_or("").into(),
            version,
            requires_dist: vec!["beta>=1; extra == \"x\"".into()],
            requires_python: Some(">=3.8".into()),
            provides_extra: vec!["x".into()],
            built_on_host: false,
        })))
    }
}

fn no_bodies(file: &DistFile) -> Result<Vec<u8>, Diagnostic> {
    panic!("no body should be fetched for {}", file.filename)
}

#[test]
fn a_snapshot_keeps_the_versions_that_matter_and_reads_back_the_same() {
    let memory = Memory {
        host: "index.example".into(),
    };
    let recorder = Recorder::new(&memory);
    let alpha = recorder.project("alpha").unwrap().unwrap();
    let m = recorder
        .metadata(&alpha, &alpha.files.get(1).unwrap())
        .unwrap();
    recorder.project("beta").unwrap();
    assert_eq!(recorder.project("nothing").unwrap(), None);
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("snap");
    let summary = write(
        &recorder,
        &into,
        "requirements: alpha[x]\n",
        &["index.example".to_string()],
        &no_bodies,
        Mode::Replace,
    )
    .unwrap();
    assert_eq!(summary.projects, 2);
    assert_eq!(summary.metadata_files, 1);
    // alpha: 1.0 (consulted) and newer: the yanked 1.1 and the pre-release stay, 0.9 goes.
    let page = std::fs::read_to_string(into.join("simple/alpha/index.json")).unwrap();
    assert!(!page.contains("alpha-0.9"), "{page}");
    for kept in [
        "alpha-1.0-py3",
        "alpha-1.0.tar.gz",
        "alpha-1.1-py3",
        "alpha-2.0b1",
    ] {
        assert!(page.contains(kept), "{kept}: {page}");
    }
    // beta: nothing consulted, so only the newest version.
    let beta = std::fs::read_to_string(into.join("simple/beta/index.html")).unwrap();
    assert!(
        beta.contains("beta-2.0") && !beta.contains("beta-1.0"),
        "{beta}"
    );
    // Read back through the local reader, from JSON and from HTML.
    let root = url::Url::from_directory_path(into.join("simple")).unwrap();
    let local = LocalSource::new(vec![Location::Index(root)]);
    let back = local.project("alpha").unwrap().unwrap();
    assert_eq!(back.files.len(), 4);
    let consulted = back
        .files
        .iter()
        .find(|f| f.filename == "alpha-1.0-py3-none-any.whl")
        .unwrap();
    assert_eq!(consulted.hashes, alpha.files.get(1).unwrap().hashes);
    assert_eq!(consulted.size, Some(10_000_000));
    assert_eq!(local.metadata(&back, &consulted).unwrap(), m);
    let yanked = back
        .files
        .iter()
        .find(|f| f.filename.contains("1.1"))
        .unwrap();
    assert_eq!(yanked.yanked.as_deref(), Some("broken"));
    assert_eq!(yanked.metadata, None);
    std::fs::remove_file(into.join("simple/alpha/index.json")).unwrap();
    let html = LocalSource::new(vec![Location::Index(
        url::Url::from_directory_path(into.join("simple")).unwrap(),
    )]);
    let from_html = html.project("alpha").unwrap().unwrap();
    assert_eq!(from_html.files.len(), 4);
    let c = from_html
        .files
        .iter()
        .find(|f| f.filename == "alpha-1.0-py3-none-any.whl")
        .unwrap();
    assert_eq!(html.metadata(&from_html, &c).unwrap(), m);
    // No file names the host.
    assert!(check_hosts(&into, &["index.example".into()]).is_ok());
    assert!(
        std::fs::read_to_string(into.join("RECORDING.txt"))
            .unwrap()
            .contains("alpha[x]")
    );
}

#[test]
fn recording_again_replaces_a_snapshot_but_never_another_directory() {
    let memory = Memory {
        host: "index.example".into(),
    };
    let recorder = Recorder::new(&memory);
    recorder.project("beta").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("snap");
    write(&recorder, &into, "one\n", &[], &no_bodies, Mode::Replace).unwrap();
    std::fs::write(into.join("files/stale"), "x").unwrap();
    write(&recorder, &into, "two\n", &[], &no_bodies, Mode::Replace).unwrap();
    assert!(!into.join("files/stale").exists());
    assert_eq!(
        std::fs::read_to_string(into.join("RECORDING.txt")).unwrap(),
        format!("{HEADER}\ntwo\n")
    );
    let other = dir.path().join("mine");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("keep"), "x").unwrap();
    let err = write(&recorder, &other, "x\n", &[], &no_bodies, Mode::Merge).unwrap_err();
    assert!(err.render().contains("not an index snapshot"));
    assert!(other.join("keep").exists());
}

#[test]
fn merging_keeps_both_recordings_and_reads_back_each() {
    let memory = Memory {
        host: "index.example".into(),
    };
    let hosts = ["index.example".to_string()];
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("snap");
    // One: alpha 1.0 and beta's page. Merging into nothing starts a snapshot.
    let one = Recorder::new(&memory);
    let alpha = one.project("alpha").unwrap().unwrap();
    let alpha_1 = one.metadata(&alpha, &alpha.files.get(1).unwrap()).unwrap();
    one.project("beta").unwrap();
    write(&one, &into, "one\n", &hosts, &no_bodies, Mode::Merge).unwrap();
    // Two: alpha 0.9 (its page seen again, 1.0 not read this time) and beta 1.0.
    let two = Recorder::new(&memory);
    let alpha = two.project("alpha").unwrap().unwrap();
    let alpha_09 = two.metadata(&alpha, &alpha.files.get(0).unwrap()).unwrap();
    let beta = two.project("beta").unwrap().unwrap();
    let beta_1 = two.metadata(&beta, &beta.files.get(0).unwrap()).unwrap();
    let summary = write(&two, &into, "two\n", &hosts, &no_bodies, Mode::Merge).unwrap();
    assert_eq!(summary.projects, 2);
    assert_eq!(summary.metadata_files, 2);
    assert_eq!(summary.kept, 1, "alpha 1.0's metadata file");
    assert_eq!(
        std::fs::read_to_string(into.join("RECORDING.txt")).unwrap(),
        format!("{HEADER}\none\n\ntwo\n")
    );
    let local = LocalSource::new(vec![Location::Index(
        url::Url::from_directory_path(into.join("simple")).unwrap(),
    )]);
    let back = local.project("alpha").unwrap().unwrap();
    let names: Vec<String> = back.files.iter().map(|f| f.into_owned().filename).collect();
    assert_eq!(
        names,
        [
            "alpha-0.9-py3-none-any.whl",
            "alpha-1.0-py3-none-any.whl",
            "alpha-1.0.tar.gz",
            "alpha-1.1-py3-none-any.whl",
            "alpha-2.0b1-py3-none-any.whl",
        ]
    );
    // Each recording's metadata reads back: the earlier entry kept its metadata although
    // the second recording listed the file without reading it.
    assert_eq!(
        local.metadata(&back, &back.files.get(0).unwrap()).unwrap(),
        alpha_09
    );
    assert_eq!(
        local.metadata(&back, &back.files.get(1).unwrap()).unwrap(),
        alpha_1
    );
    let beta = local.project("beta").unwrap().unwrap();
    assert_eq!(beta.files.len(), 2, "beta 1.0 now matters too");
    assert_eq!(
        local.metadata(&beta, &beta.files.get(0).unwrap()).unwrap(),
        beta_1
    );
    assert!(check_hosts(&into, &hosts).is_ok());
    // Without --merge the next recording replaces both.
    write(&two, &into, "three\n", &hosts, &no_bodies, Mode::Replace).unwrap();
    assert!(
        !into
            .join("files/alpha-1.0-py3-none-any.whl.metadata")
            .exists()
    );
}

#[test]
fn a_written_file_naming_a_contacted_host_fails_the_recording() {
    struct Leaky;
    impl PackageSource for Leaky {
        fn project(&self, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
            Ok(Some(Arc::new(ProjectFiles {
                name: name.into(),
                index: "x".into(),
                files: vec![DistFile {
                    filename: "a-1.0-py3-none-any.whl".into(),
                    url: "https://files.example/a-1.0-py3-none-any.whl".into(),
                    ..DistFile::default()
                }]
                .into(),
            })))
        }
        fn metadata(&self, _: &ProjectFiles, _: &DistFile) -> Result<Metadata, Diagnostic> {
            Ok(Metadata::Known(Arc::new(CoreMetadata {
                name: "a".into(),
                version: "1.0".into(),
                requires_dist: vec!["b @ https://files.example/b.whl".into()],
                ..CoreMetadata::default()
            })))
        }
    }
    let recorder = Recorder::new(&Leaky);
    let p = recorder.project("a").unwrap().unwrap();
    recorder.metadata(&p, &p.files.get(0).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("snap");
    let err = write(
        &recorder,
        &into,
        "",
        &["files.example".into()],
        &no_bodies,
        Mode::Replace,
    )
    .unwrap_err()
    .render();
    assert!(
        err.contains("files.example") && err.contains("a-1.0-py3-none-any.whl.metadata"),
        "{err}"
    );
    assert!(!into.exists());
}

#[test]
fn small_bodies_and_sdists_that_need_a_build_are_written() {
    let server = TestServer::start();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/fixtures");
    let wheel = std::fs::read(fixtures.join("find-links/beta-1.0-py3-none-any.whl")).unwrap();
    let sdist = std::fs::read(fixtures.join("sdists/gamma-2.0.tar.gz")).unwrap();
    server.route(
        "/f/beta-1.0-py3-none-any.whl",
        Route::ok("x/y", wheel.clone()),
    );
    server.route("/f/gamma-2.0.tar.gz", Route::ok("x/y", sdist.clone()));
    struct Two(String, usize, usize);
    impl PackageSource for Two {
        fn project(&self, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
            let (file, size) = match name {
                "beta" => ("beta-1.0-py3-none-any.whl", self.1),
                _ => ("gamma-2.0.tar.gz", self.2),
            };
            Ok(Some(Arc::new(ProjectFiles {
                name: name.into(),
                index: "i".into(),
                files: vec![DistFile {
                    filename: file.into(),
                    url: format!("{}/f/{file}", self.0),
                    size: Some(size as u64),
                    ..DistFile::default()
                }]
                .into(),
            })))
        }
        fn metadata(&self, _: &ProjectFiles, f: &DistFile) -> Result<Metadata, Diagnostic> {
            Ok(if f.filename.ends_with(".whl") {
                Metadata::Known(Arc::new(CoreMetadata {
                    name: "beta".into(),
                    version: "1.0".into(),
                    ..CoreMetadata::default()
                }))
            } else {
                Metadata::NeedsBuild("its PKG-INFO is metadata 2.1".into())
            })
        }
    }
    let memory = Two(server.url(""), wheel.len(), sdist.len());
    let recorder = Recorder::new(&memory);
    for name in ["beta", "gamma"] {
        let p = recorder.project(name).unwrap().unwrap();
        recorder.metadata(&p, &p.files.get(0).unwrap()).unwrap();
    }
    let client = crate::http::HttpClient::new(
        crate::http::Settings::default(),
        crate::http::auth::Credentials::default(),
        None,
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let fetch = |f: &DistFile| -> Result<Vec<u8>, Diagnostic> {
        let url = url::Url::parse(&f.url).unwrap();
        Ok(runtime
            .block_on(client.download(&url, &crate::http::Expected::default()))
            .unwrap()
            .to_vec())
    };
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("snap");
    let summary = write(
        &recorder,
        &into,
        "",
        &[server.host()],
        &fetch,
        Mode::Replace,
    )
    .unwrap();
    assert_eq!(summary.bodies, 2);
    assert_eq!(
        std::fs::read(into.join("files/gamma-2.0.tar.gz")).unwrap(),
        sdist
    );
    let local = LocalSource::new(vec![Location::Index(
        url::Url::from_directory_path(into.join("simple")).unwrap(),
    )]);
    let gamma = local.project("gamma").unwrap().unwrap();
    assert!(matches!(
        local
            .metadata(&gamma, &gamma.files.get(0).unwrap())
            .unwrap(),
        Metadata::NeedsBuild(_)
    ));
}

#[test]
fn links_in_yanked_reasons_are_left_out() {
    assert_eq!(
        without_links("Broken. Upgrade to 2.0.2 (See: https://host.example/issues/1)"),
        "Broken. Upgrade to 2.0.2 (See: [link left out])"
    );
    assert_eq!(without_links("plain reason"), "plain reason");
}
