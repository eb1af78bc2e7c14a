//! Conda packages: a `.tar.bz2` package built here around a real ELF library (corpus
//! check-snapshot/elf/libv3.so.1.2, built for x86-64-v3) in a local channel, whose record asks
//! for an x86-64-v4 CPU through `__archspec`; checked on a v2 machine.

use super::check;
use crate::{corpus, stderr, stdout, unilock};

#[test]
fn a_conda_build_needing_archspec_level_4_fails_on_an_x86_64_v2_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ch = dir.path().join("ch");
    for sub in ["linux-64", "noarch"] {
        std::fs::create_dir_all(ch.join(sub)).expect("subdir");
    }
    std::fs::write(
        ch.join("noarch/repodata.json"),
        r#"{"info":{"subdir":"noarch"},"packages":{}}"#,
    )
    .expect("noarch");
    // The package: lib/libv3.so.1.2 and its soname link.
    let library = std::fs::read(corpus("check-snapshot/elf/libv3.so.1.2")).expect("elf");
    let mut tar = tar::Builder::new(bzip2::write::BzEncoder::new(
        Vec::new(),
        bzip2::Compression::fast(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_size(library.len() as u64);
    header.set_mode(0o755);
    header.set_cksum();
    tar.append_data(&mut header, "lib/libv3.so.1.2", library.as_slice())
        .expect("append");
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    tar.append_link(&mut link, "lib/libv3.so.1", "libv3.so.1.2")
        .expect("link");
    let package = tar.into_inner().expect("tar").finish().expect("bz2");
    std::fs::write(ch.join("linux-64/fastlib-1.0-v4_0.tar.bz2"), &package).expect("write");
    std::fs::write(
        ch.join("linux-64/repodata.json"),
        r#"{"info":{"subdir":"linux-64"},"packages":{
            "fastlib-1.0-v4_0.tar.bz2":{"name":"fastlib","version":"1.0","build":"v4_0",
              "build_number":0,"depends":["__archspec 1 x86_64_v4"]}}}"#,
    )
    .expect("repodata");
    let env = dir.path().join("environment.yml");
    std::fs::write(
        &env,
        format!(
            "channels:\n  - file://{}\ndependencies:\n  - fastlib\n",
            ch.display()
        ),
    )
    .expect("env");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let out = unilock(&[
        "resolve",
        env.to_str().unwrap(),
        "--target",
        "linux-64,cpu=x86_64_v4",
        "-o",
        &lock,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = check(&lock, &["--target", "linux-64,cpu=x86_64_v4"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = check(&lock, &["--target", "linux-64,cpu=x86_64_v2"]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(4), "{report}{}", stderr(&out));
    let line = report
        .lines()
        .find(|l| l.contains("fastlib 1.0") && l.contains("error"))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(line.contains("x86-64-v4"), "{line}");
    assert!(line.contains("cpu=x86_64_v2"), "{line}");
    assert!(report.contains("1 artifacts read"), "{report}");
    // A target that does not say its CPU is warned, not failed: it may well have the level.
    let out = check(&lock, &["--target", "linux-64"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("add cpu="), "{}", stdout(&out));
}
