//! Which files of a project page are used: an index's page for `alpha` may list only
//! distributions of `alpha`. A file whose distribution name (normalised, as
//! [`DistName`] reads it) names another project is left out, and the page's left-out files
//! become one warning for the user — a page that lists `beta-2.0-py3-none-any.whl` must not
//! make `alpha 2.0` pin beta's wheel. Names that are not distribution file names at all
//! (`.exe`, `.egg`, …) are kept: resolution passes over them, as pip and uv do.
//!
//! Checked for every simple index (`file://` and HTTP(S)) on every read, cached or not, so the
//! warning is repeated on every run that reads the page. Find-links locations list files of
//! many projects by design; they keep only the project's files without a warning.

use crate::local;
use unilock_model::index::{DistName, Files};

/// How many left-out file names a warning shows.
const SHOWN: usize = 5;

/// The files of `files` (the page of `project`, a normalised name, at `page`) that are
/// `project`'s, and a warning naming the others when there were any.
pub fn own_files(project: &str, page: &str, files: Files) -> (Files, Option<String>) {
    let foreign: Vec<usize> = (0..files.len())
        .filter(|&i| {
            DistName::parse(files.filename(i))
                .is_some_and(|n| local::normalize(n.project) != project)
        })
        .collect();
    if foreign.is_empty() {
        return (files, None);
    }
    let mut shown: Vec<String> = foreign
        .iter()
        .take(SHOWN)
        .map(|&i| {
            let name = files.filename(i);
            let of = DistName::parse(name).map_or(String::new(), |n| local::normalize(n.project));
            format!("{name} ({of})")
        })
        .collect();
    if foreign.len() > SHOWN {
        shown.push(format!("and {} more", foreign.len() - SHOWN));
    }
    let warning = format!(
        "{page}: ignored {} listed for {project} that belong to another project: {}",
        match foreign.len() {
            1 => "1 file".to_string(),
            n => format!("{n} files"),
        },
        shown.join(", ")
    );
    let mut skip = foreign.into_iter().peekable();
    let kept: Files = files
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
        .collect();
    (kept, Some(warning))
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
        let warning = warning.unwrap();
        assert!(
            warning.starts_with("https://index.example/simple/alpha/: ignored 2 files")
                && warning.contains("beta-2.0-py3-none-any.whl (beta)")
                && warning.contains("Alpha_Pkg-9.0.tar.gz (alpha-pkg)"),
            "{warning}"
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
        assert_eq!((kept, warning), (packed, None));
    }

    #[test]
    fn many_foreign_files_are_counted_not_all_named() {
        let files: Files = (0..12)
            .map(|i| file(&format!("beta-{i}.0.tar.gz")))
            .collect();
        let (kept, warning) = own_files("alpha", "p", files);
        assert!(kept.is_empty());
        let warning = warning.unwrap();
        assert!(
            warning.contains("ignored 12 files") && warning.ends_with("and 7 more"),
            "{warning}"
        );
    }
}
