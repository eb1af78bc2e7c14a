//! Hashes an index page states are checked before anything is pinned with them: a file whose
//! page entry carries a malformed hash is not a candidate, so no lock or export holds it.

use super::write;
use crate::{corpus, stderr, stdout, unilock};

#[test]
fn a_file_with_a_malformed_hash_on_the_index_page_is_never_pinned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wheels = corpus("fixtures/find-links");
    for project in ["alpha", "beta", "gamma", "delta"] {
        let page_dir = dir.path().join("simple").join(project);
        std::fs::create_dir_all(&page_dir).expect("mkdir");
        let mut page = std::fs::read_to_string(corpus(&format!(
            "fixtures/index/simple/{project}/index.html"
        )))
        .expect("fixture page")
        .replace(
            "../../../find-links",
            &format!("file://{}", wheels.display()),
        );
        if project == "alpha" {
            // A newer release whose page entry has a hash no download could match.
            page = page.replace(
                "</body>",
                &format!(
                    "<a href=\"file://{}/alpha-2.0-py3-none-any.whl#sha256=zz\">alpha-2.0-py3-none-any.whl</a>\n</body>",
                    wheels.display()
                ),
            );
        }
        std::fs::write(page_dir.join("index.html"), page).expect("page");
    }
    let input = write(dir.path(), "requirements.txt", "alpha\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let index = format!("file://{}/simple", dir.path().display());
    let target = "linux-64,python=3.12";
    let out = unilock(&[
        "resolve",
        &input,
        "--index-url",
        &index,
        "--target",
        target,
        "-o",
        &lock,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: ")
            && err.contains("ignored 1 file of alpha listed with a malformed hash")
            && err.contains("alpha-2.0-py3-none-any.whl (sha256=zz)"),
        "{err}"
    );
    let text = std::fs::read_to_string(&lock).expect("lock");
    assert!(text.contains("version = \"1.0\""), "{text}");
    assert!(!text.contains("sha256:zz"), "{text}");
    let out = unilock(&[
        "export",
        "--lock",
        &lock,
        "--to",
        "requirements",
        "--target",
        target,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let exported = stdout(&out);
    assert!(exported.contains("alpha==1.0"), "{exported}");
    assert!(!exported.contains("sha256:zz"), "{exported}");
}

#[test]
fn a_lock_with_a_malformed_hash_is_refused_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "alpha\n");
    let target = "linux-64,python=3.12";
    let out = super::resolve(dir.path(), &input, &[target], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = dir.path().join("unilock.lock");
    let text = std::fs::read_to_string(&path).expect("lock");
    let at = text.find("\"sha256:").expect("a hash") + 1;
    let end = at + text[at..].find('"').expect("closing quote");
    let broken = format!("{}sha256:zz{}", &text[..at], &text[end..]);
    std::fs::write(&path, &broken).expect("write");
    let lock = path.display().to_string();
    let out = unilock(&[
        "export",
        "--lock",
        &lock,
        "--to",
        "requirements",
        "--target",
        target,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let line = broken[..at].matches('\n').count() + 1;
    let err = stderr(&out);
    assert!(err.starts_with(&format!("{lock}:{line}:")), "{err}");
    assert!(err.contains("expected 64 hex digits"), "{err}");
}
