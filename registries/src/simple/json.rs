//! PEP 691 JSON project pages (`application/vnd.pypi.simple.v1+json`).

use super::{file_from_href, metadata_hashes};
use serde::Deserialize;
use std::collections::BTreeMap;
use unilock_model::index::DistFile;
use url::Url;

#[derive(Deserialize)]
struct Page {
    files: Vec<File>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct File {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
    requires_python: Option<String>,
    #[serde(default)]
    yanked: Yanked,
    size: Option<u64>,
    upload_time: Option<String>,
    core_metadata: Option<serde_json::Value>,
    dist_info_metadata: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Yanked {
    #[default]
    No,
    Flag(bool),
    Reason(String),
}

/// The files of a JSON project page at `base`.
pub fn parse(text: &str, base: &Url) -> Result<Vec<DistFile>, String> {
    let page: Page =
        serde_json::from_str(text).map_err(|e| format!("not a PEP 691 project page: {e}"))?;
    let mut files = Vec::new();
    for f in page.files {
        let Some(mut file) = file_from_href(base, &f.url) else {
            continue;
        };
        file.filename = f.filename;
        for (alg, hex) in f.hashes {
            file.hashes
                .insert(alg.to_ascii_lowercase(), hex.to_ascii_lowercase());
        }
        file.requires_python = f.requires_python.filter(|s| !s.is_empty());
        file.yanked = match f.yanked {
            Yanked::No | Yanked::Flag(false) => None,
            Yanked::Flag(true) => Some(String::new()),
            Yanked::Reason(r) => Some(r),
        };
        file.size = f.size;
        file.upload_time = f.upload_time;
        file.metadata = match f.core_metadata.or(f.dist_info_metadata) {
            Some(serde_json::Value::Bool(true)) => Some(BTreeMap::new()),
            Some(serde_json::Value::Object(map)) => Some(
                map.into_iter()
                    .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_str()?.to_string())))
                    .collect(),
            ),
            Some(serde_json::Value::String(s)) => metadata_hashes(&s),
            _ => None,
        };
        files.push(file);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_files_with_hashes_yanked_and_metadata() {
        let page = r#"{"meta": {"api-version": "1.1"}, "name": "alpha", "files": [
            {"filename": "alpha-1.0-py3-none-any.whl", "url": "../../f/alpha-1.0-py3-none-any.whl",
             "hashes": {"sha256": "AB"}, "requires-python": ">=3.8", "size": 10,
             "core-metadata": {"sha256": "cd"}, "yanked": false},
            {"filename": "alpha-0.9.tar.gz", "url": "alpha-0.9.tar.gz", "hashes": {},
             "yanked": "bad release"}]}"#;
        let base = Url::parse("file:///i/simple/alpha/").unwrap();
        let files = parse(page, &base).unwrap();
        assert_eq!(files[0].url, "file:///i/f/alpha-1.0-py3-none-any.whl");
        assert_eq!(files[0].hashes["sha256"], "ab");
        assert_eq!(files[0].size, Some(10));
        assert_eq!(files[0].metadata.as_ref().unwrap()["sha256"], "cd");
        assert_eq!(files[0].yanked, None);
        assert_eq!(files[1].yanked.as_deref(), Some("bad release"));
        assert!(parse("{", &base).is_err());
    }
}
