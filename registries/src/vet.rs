//! Which files of a project page are used. An index's page for `alpha` may list only
//! distributions of `alpha`: a file whose distribution name (normalised, as [`DistName`] reads
//! it) names another project is left out — a page that lists `beta-2.0-py3-none-any.whl` must
//! not make `alpha 2.0` pin beta's wheel. And a file whose stated hash is malformed
//! (`#sha256=zz`, a 63-digit sha256; [`unilock_model::hash`] decides) is left out: the page is
//! not trusted for that file, and no lock may pin a hash no download can match. The page's
//! left-out files become warnings for the user, one per reason. Names that are not
//! distribution file names at all (`.exe`, `.egg`, …) are kept: resolution passes over them,
//! as pip and uv do.
//!
//! Checked for every simple index (`file://` and HTTP(S)) on every read, cached or not, so the
//! warnings are repeated on every run that reads the page. Find-links locations list files of
//! many projects by design; they keep only the project's files without a warning, and leave
//! out files with malformed hashes with one.

use crate::local;
use unilock_model::index::{DistName, Files};

/// How many left-out file names a warning shows.
const SHOWN: usize = 5;

/// The files of `files` (the page of `project`, a normalised name, at `page`) that are
/// `project`'s and state no malformed hash, and the warnings naming the others.
pub fn own_files(project: &str, page: &str, files: Files) -> (Files, Vec<String>) {
    vet(project, page, files, true)
}

/// The files of `files` (a find-links location's, for `project`) whose stated hashes are
/// well-formed, and a warning naming the others.
pub fn well_hashed(project: &str, location: &str, files: Files) -> (Files, Vec<String>) {
    vet(project, location, files, false)
}

/// Leaves out the files with a malformed hash and, with `foreign`, those of other projects.
fn vet(project: &str, page: &str, files: Files, foreign: bool) -> (Files, Vec<String>) {
    let other_project = |i: usize| {
        let filename = files.filename(i);
        DistName::parse(filename)
            .map(|n| local::normalize(n.project))
            .filter(|of| foreign && of != project && !named_first(project, filename))
    };
    let mut left_out = Vec::new();
    let mut others = Vec::new();
    let mut malformed = Vec::new();
    for i in 0..files.len() {
        if let Some(of) = other_project(i) {
            others.push(format!("{} ({of})", files.filename(i)));
            left_out.push(i);
        } else if let Some((alg, hex)) = malformed_hash(&files, i) {
            malformed.push(format!("{} ({alg}={})", files.filename(i), shorten(hex)));
            left_out.push(i);
        }
    }
    let mut warnings = Vec::new();
    if !others.is_empty() {
        warnings.push(format!(
            "{page}: ignored {} listed for {project} that belong{} to another project: {}",
            count(others.len()),
            if others.len() == 1 { "s" } else { "" },
            listing(&others)
        ));
    }
    if !malformed.is_empty() {
        warnings.push(format!(
            "{page}: ignored {} of {project} listed with a malformed hash (not the hex digits its algorithm has): {}",
            count(malformed.len()),
            listing(&malformed)
        ));
    }
    (without(files, &left_out), warnings)
}

/// The first malformed hash file `i` states.
/// Whether `filename` starts with the name of `project` followed by `-` and a digit, as old
/// source archives are named (`sympy-0.7.2-py3.2.tar.gz` is sympy's, although its last `-`
/// splits it as project `sympy-0.7.2`): pip reads such names by the project it looks for.
fn named_first(project: &str, filename: &str) -> bool {
    filename.char_indices().any(|(at, c)| {
        c == '-'
            && filename[at + 1..].starts_with(|d: char| d.is_ascii_digit())
            && local::normalize(&filename[..at]) == project
    })
}

fn malformed_hash(files: &Files, i: usize) -> Option<(&str, &str)> {
    files.find_hash(i, |alg, hex| unilock_model::hash::check(alg, hex).is_err())
}

/// A hash as a warning quotes it: at most 16 characters of it.
fn shorten(hex: &str) -> String {
    match hex.char_indices().nth(16) {
        Some((at, _)) => format!("{}…", &hex[..at]),
        None => hex.to_string(),
    }
}

fn count(n: usize) -> String {
    match n {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    }
}

/// The first [`SHOWN`] names, and how many more there are.
fn listing(names: &[String]) -> String {
    let mut shown: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
    let more = format!("and {} more", names.len().saturating_sub(SHOWN));
    if names.len() > SHOWN {
        shown.push(&more);
    }
    shown.join(", ")
}

/// `files` without the files at `left_out` (ascending indexes); as they were when none is.
fn without(files: Files, left_out: &[usize]) -> Files {
    if left_out.is_empty() {
        return files;
    }
    let mut skip = left_out.iter().copied().peekable();
    files
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            if skip.peek() == Some(i) {
                skip.next();
                false
            } else {
                true
            }
        })
        .map(|(_, f)| f.into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use unilock_model::index::DistFile;

    fn file(name: &str) -> DistFile {
        DistFile {
            filename: name.into(),
            url: format!("https://files.example/{name}"),
            ..DistFile::default()
        }
    }

    #[test]
    fn files_of_another_project_are_left_out_with_a_warning() {
        let files: Files = [
            "alpha-1.0-py3-none-any.whl",
            "beta-2.0-py3-none-any.whl",
            "Alpha_Pkg-9.0.tar.gz",
            "alpha-0.9.tar.gz",
            "alpha-0.1.win32.exe",
        ]
        .into_iter()
        .map(file)
        .collect();
        let (kept, warning) = own_files("alpha", "https://index.example/simple/alpha/", files);
        let names: Vec<String> = kept.iter().map(|f| f.filename.clone()).collect();
        assert_eq!(
            names,
            [
                "alpha-1.0-py3-none-any.whl",
                "alpha-0.9.tar.gz",
                "alpha-0.1.win32.exe"
            ]
        );
        let [warning] = &warning[..] else {
            panic!("{warning:?}")
        };
        assert!(
            warning.starts_with("https://index.example/simple/alpha/: ignored 2 files")
                && warning.contains("beta-2.0-py3-none-any.whl (beta)")
                && warning.contains("Alpha_Pkg-9.0.tar.gz (alpha-pkg)"),
            "{warning}"
        );
    }

    #[test]
    fn old_source_archives_named_with_dashes_in_their_version_stay_their_projects() {
        let files: Files = vec![
            file("sympy-0.7.2-py3.2.tar.gz"),
            file("sympy-1.13.0.tar.gz"),
            file("sympy-other-1.0.tar.gz"),
        ]
        .into();
        let (kept, warnings) = own_files("sympy", "page", files);
        assert_eq!(kept.len(), 2, "{warnings:?}");
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("sympy-other-1.0.tar.gz (sympy-other)"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_page_of_the_project_alone_is_kept_as_it_is_without_a_warning() {
        let files: Files = ["my_pkg-1.0-py3-none-any.whl", "My.Pkg-1.1.tar.gz"]
            .into_iter()
            .map(file)
            .collect();
        let packed = Files::unpack(std::sync::Arc::new(files.pack())).unwrap();
        let (kept, warning) = own_files("my-pkg", "file:///i/simple/my-pkg/", packed.clone());
        assert_eq!((kept, warning), (packed, Vec::<String>::new()));
    }

    #[test]
    fn many_foreign_files_are_counted_not_all_named() {
        let files: Files = (0..12)
            .map(|i| file(&format!("beta-{i}.0.tar.gz")))
            .collect();
        let (kept, warning) = own_files("alpha", "p", files);
        assert!(kept.is_empty());
        let [warning] = &warning[..] else {
            panic!("{warning:?}")
        };
        assert!(
            warning.contains("ignored 12 files") && warning.ends_with("and 7 more"),
            "{warning}"
        );
    }

    #[test]
    fn files_with_a_malformed_hash_are_left_out_with_a_warning_packed_or_not() {
        let good = "ab".repeat(32);
        let hashed = |name: &str, alg: &str, hex: &str| DistFile {
            hashes: [(alg.to_string(), hex.to_string())].into(),
            ..file(name)
        };
        let list: Files = [
            hashed("alpha-1.0.tar.gz", "sha256", "zz"),
            hashed("alpha-1.1.tar.gz", "sha256", &good),
            hashed("alpha-1.2.tar.gz", "sha256", &good[1..]),
            hashed("alpha-1.3.tar.gz", "md5", &good),
            file("alpha-1.4.tar.gz"),
        ]
        .into_iter()
        .collect();
        let packed = Files::unpack(std::sync::Arc::new(list.pack())).unwrap();
        for files in [list, packed] {
            let (kept, warnings) = own_files("alpha", "p", files);
            let names: Vec<String> = kept.iter().map(|f| f.filename.clone()).collect();
            assert_eq!(names, ["alpha-1.1.tar.gz", "alpha-1.4.tar.gz"]);
            let [warning] = &warnings[..] else {
                panic!("{warnings:?}")
            };
            assert!(
                warning.starts_with("p: ignored 3 files of alpha listed with a malformed hash")
                    && warning.contains("alpha-1.0.tar.gz (sha256=zz)")
                    && warning.contains("alpha-1.2.tar.gz (sha256=babababababababa…)"),
                "{warning}"
            );
        }
        let (kept, warnings) = well_hashed(
            "alpha",
            "https://links.example/",
            [hashed("alpha-1.0.tar.gz", "sha256", "zz")]
                .into_iter()
                .collect(),
        );
        assert!(kept.is_empty() && warnings.len() == 1, "{warnings:?}");
    }
}
