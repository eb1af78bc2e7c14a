//! PEP 691 JSON project pages (`application/vnd.pypi.simple.v1+json`).

use super::{check_api_version, checked_hashes, file_from_href, metadata_hashes, stated_hashes};
use serde::Deserialize;
use serde::de::{self, Visitor};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use unilock_model::index::{DistFile, Hashes};
use url::Url;

#[derive(Deserialize)]
struct Page<'a> {
    #[serde(default)]
    meta: Meta,
    #[serde(borrow)]
    files: Vec<File<'a>>,
}

/// `meta` of a page: its API version.
#[derive(Deserialize, Default)]
struct Meta {
    #[serde(rename = "api-version")]
    api_version: Option<String>,
}

/// A page read for its `meta` alone, when it does not read as a version 1 page.
#[derive(Deserialize)]
struct MetaOnly {
    #[serde(default)]
    meta: Meta,
}

/// One file entry, its strings borrowed from the page where they need no unescaping (pages
/// run to megabytes and thousands of files).
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct File<'a> {
    #[serde(borrow)]
    filename: Cow<'a, str>,
    #[serde(borrow)]
    url: Cow<'a, str>,
    #[serde(default, borrow)]
    hashes: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
    #[serde(borrow)]
    requires_python: Option<Cow<'a, str>>,
    #[serde(default)]
    yanked: Yanked,
    size: Option<u64>,
    upload_time: Option<String>,
    #[serde(default)]
    core_metadata: MetadataField,
    #[serde(default)]
    dist_info_metadata: MetadataField,
}

/// `yanked`: `false`, `true` or the reason.
#[derive(Default)]
struct Yanked(Option<String>);

impl<'de> Deserialize<'de> for Yanked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Yanked;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean or a reason")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Yanked, E> {
                Ok(Yanked(b.then(String::new)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Yanked, E> {
                Ok(Yanked(Some(s.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Yanked, E> {
                Ok(Yanked(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `core-metadata` (`dist-info-metadata`): `false`, `true`, or hashes by algorithm.
#[derive(Default)]
struct MetadataField(Option<Hashes>);

impl<'de> Deserialize<'de> for MetadataField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MetadataField;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean or a map of hashes")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<MetadataField, E> {
                Ok(MetadataField(b.then(Hashes::new)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<MetadataField, E> {
                Ok(MetadataField(metadata_hashes(s)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MetadataField, E> {
                Ok(MetadataField(None))
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<MetadataField, A::Error> {
                let mut pairs = Vec::new();
                while let Some((alg, hex)) = map.next_entry::<Cow<str>, serde_json::Value>()? {
                    if let Some(hex) = hex.as_str() {
                        pairs.push((alg, hex.to_string()));
                    }
                }
                Ok(MetadataField(checked_hashes(
                    pairs.iter().map(|(a, h)| (a.as_ref(), h.as_str())),
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// The files of a JSON project page at `base`.
pub fn parse(text: &str, base: &Url) -> Result<Vec<DistFile>, String> {
    let page: Page = match serde_json::from_str(text) {
        Ok(page) => page,
        Err(e) => {
            // A page of another major version may not read as this one: say so rather than
            // what does not parse.
            if let Ok(MetaOnly {
                meta: Meta {
                    api_version: Some(v),
                },
            }) = serde_json::from_str(text)
            {
                check_api_version(&v)?;
            }
            return Err(format!("not a PEP 691 project page: {e}"));
        }
    };
    if let Some(v) = &page.meta.api_version {
        check_api_version(v)?;
    }
    let mut files = Vec::with_capacity(page.files.len());
    for f in page.files {
        let Some(mut file) =
            file_from_absolute(&f.url, &f.filename).or_else(|| file_from_href(base, &f.url))
        else {
            continue;
        };
        file.filename = f.filename.into_owned();
        let hashes = stated_hashes(f.hashes.iter().map(|(a, h)| (a.as_ref(), h.as_ref())));
        for (alg, hex) in hashes.iter() {
            file.hashes.insert(alg.clone(), hex.clone());
        }
        file.requires_python = f
            .requires_python
            .filter(|s| !s.is_empty())
            .map(Cow::into_owned);
        file.yanked = f.yanked.0;
        file.size = f.size;
        file.upload_time = f.upload_time;
        file.metadata = f.core_metadata.0.or(f.dist_info_metadata.0);
        files.push(file);
    }
    Ok(files)
}

/// A file whose URL is already absolute and plain (`https://host/path/name.whl#sha256=…`, only
/// characters a URL keeps as they are) and ends in its file name: taken as it is, without
/// parsing it again. Anything else is left to [`file_from_href`].
fn file_from_absolute(href: &str, filename: &str) -> Option<DistFile> {
    let rest = href.strip_prefix("https://")?;
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~/=".contains(&b);
    let (location, fragment) = href.split_once('#').unwrap_or((href, ""));
    let (host, path) = rest.split_once('/')?;
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b))
        || !path.split('#').next()?.bytes().all(plain)
        || path.starts_with('.')
        || path.contains("/.")
        || path.contains("//")
        || !location.ends_with(&format!("/{filename}"))
        || filename.is_empty()
    {
        return None;
    }
    let hashes = match fragment.split_once('=') {
        Some((alg, hex)) if !alg.is_empty() => stated_hashes([(alg, hex)]),
        _ => Hashes::new(),
    };
    Some(DistFile {
        url: location.to_string(),
        hashes,
        ..DistFile::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_absolute_urls_are_taken_as_the_url_parser_would_write_them() {
        let base = Url::parse("https://index.example/simple/pkg/").unwrap();
        for (href, filename) in [
            (
                "https://files.example/packages/ab/cd/pkg-1.0-py3-none-any.whl#sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "pkg-1.0-py3-none-any.whl",
            ),
            ("https://files.example/pkg-1.0.tar.gz", "pkg-1.0.tar.gz"),
            ("https://Files.example/pkg-1.0.tar.gz", "pkg-1.0.tar.gz"),
            (
                "https://files.example/a/../pkg-1.0.tar.gz",
                "pkg-1.0.tar.gz",
            ),
            (
                "https://files.example/pkg-1.0%2Blocal.tar.gz",
                "pkg-1.0+local.tar.gz",
            ),
            (
                "../../files/pkg-1.0.tar.gz#md5=00000000000000000000000000000000",
                "pkg-1.0.tar.gz",
            ),
        ] {
            let parsed = file_from_href(&base, href).unwrap();
            if let Some(fast) = file_from_absolute(href, filename) {
                assert_eq!(
                    (&fast.url, &fast.hashes),
                    (&parsed.url, &parsed.hashes),
                    "{href}"
                );
            }
            let page = format!(r#"{{"files": [{{"filename": "{filename}", "url": "{href}"}}]}}"#);
            let files = parse(&page, &base).unwrap();
            assert_eq!(files[0].url, parsed.url, "{href}");
            assert_eq!(files[0].filename, filename, "{href}");
        }
        assert!(
            file_from_absolute(
                "https://files.example/a/../pkg-1.0.tar.gz",
                "pkg-1.0.tar.gz"
            )
            .is_none()
        );
    }

    #[test]
    fn reads_files_with_hashes_yanked_and_metadata() {
        let page = r#"{"meta": {"api-version": "1.1"}, "name": "alpha", "files": [
            {"filename": "alpha-1.0-py3-none-any.whl", "url": "../../f/alpha-1.0-py3-none-any.whl",
             "hashes": {"sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "sha999": "00"}, "requires-python": ">=3.8", "size": 10,
             "core-metadata": {"sha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}, "yanked": false},
            {"filename": "alpha-0.9.tar.gz", "url": "alpha-0.9.tar.gz", "hashes": {},
             "yanked": "bad release"}]}"#;
        let base = Url::parse("file:///i/simple/alpha/").unwrap();
        let files = parse(page, &base).unwrap();
        assert_eq!(files[0].url, "file:///i/f/alpha-1.0-py3-none-any.whl");
        assert_eq!(files[0].hashes["sha256"], "a".repeat(64));
        assert_eq!(files[0].hashes.len(), 1, "an unknown algorithm is dropped");
        assert_eq!(files[0].size, Some(10));
        assert_eq!(
            files[0].metadata.as_ref().unwrap()["sha256"],
            "b".repeat(64)
        );
        assert_eq!(files[0].yanked, None);
        assert_eq!(files[1].yanked.as_deref(), Some("bad release"));
        assert!(parse("{", &base).is_err());
    }

    #[test]
    fn an_unknown_major_api_version_is_refused_and_a_newer_minor_is_read() {
        let base = Url::parse("https://index.example/simple/alpha/").unwrap();
        let page = |version: &str, files: &str| {
            format!(r#"{{"meta": {{"api-version": "{version}"}}, "files": {files}}}"#)
        };
        let one = r#"[{"filename": "alpha-1.0.tar.gz", "url": "alpha-1.0.tar.gz", "hashes": {}}]"#;
        for version in ["1.0", "1.1", "1.4", "1.99"] {
            assert_eq!(
                parse(&page(version, one), &base).unwrap().len(),
                1,
                "{version}"
            );
        }
        for (version, files) in [("2.0", one), ("2.0", r#"{"new": "shape"}"#), ("0.9", one)] {
            let err = parse(&page(version, files), &base).unwrap_err();
            assert!(
                err.contains(&format!("version {version} of the simple repository API"))
                    && err.contains("reads version 1.x only"),
                "{err}"
            );
        }
        let err = parse(&page("one", one), &base).unwrap_err();
        assert!(err.contains("`one` is not MAJOR.MINOR"), "{err}");
    }

    #[test]
    fn a_file_with_a_malformed_hash_is_ignored() {
        let base = Url::parse("https://index.example/simple/alpha/").unwrap();
        let good = "a".repeat(64);
        let page = format!(
            r#"{{"files": [
            {{"filename": "alpha-1.0.tar.gz", "url": "https://files.example/alpha-1.0.tar.gz", "hashes": {{"sha256": "zz"}}}},
            {{"filename": "alpha-1.1.tar.gz", "url": "https://files.example/alpha-1.1.tar.gz#sha256=zz"}},
            {{"filename": "alpha-1.2.tar.gz", "url": "../../f/alpha-1.2.tar.gz#sha256=zz"}},
            {{"filename": "alpha-1.3.tar.gz", "url": "https://files.example/alpha-1.3.tar.gz", "hashes": {{"md5": "{good}", "sha256": "{good}"}}}},
            {{"filename": "alpha-1.4.tar.gz", "url": "https://files.example/alpha-1.4.tar.gz", "hashes": {{"sha256": "{good}"}},
              "core-metadata": {{"sha256": "zz"}}}}]}}"#
        );
        // Read as stated; crate::vet leaves out the files whose hashes are malformed.
        let files = parse(&page, &base).unwrap();
        assert_eq!(files.len(), 5);
        let (files, warnings) = crate::vet::own_files("alpha", "p", files.into());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let files: Vec<DistFile> = files.iter().map(|f| f.into_owned()).collect();
        let names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(names, ["alpha-1.4.tar.gz"]);
        assert_eq!(files[0].hashes["sha256"], good);
        assert_eq!(
            files[0].metadata, None,
            "a malformed metadata hash advertises no metadata"
        );
    }
}
