//! Core metadata (`METADATA`, `PKG-INFO`, PEP 658 `.metadata` files): the fields resolution
//! needs, read from the email-header format.
//!
//! Written by hand: the format is a block of `Key: value` headers (continuation lines start
//! with whitespace) ended by a blank line, and the fields needed are plain strings; a mail
//! parser crate would add MIME handling that core metadata never uses.

use unilock_model::index::CoreMetadata;

/// The parsed headers of a core metadata file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    pub metadata: CoreMetadata,
    /// `Metadata-Version`.
    pub metadata_version: Option<String>,
    /// `Dynamic` fields (PEP 643): their values in an sdist are not final.
    pub dynamic: Vec<String>,
}

/// Reads core metadata; `Err` says what is missing or malformed.
pub fn parse(text: &str) -> Result<Headers, String> {
    let mut headers = Headers::default();
    let mut current: Option<(String, String)> = None;
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = &mut current {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some(done) = current.take() {
            fields.push(done);
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!("`{line}` is not a `Key: value` header"));
        };
        current = Some((key.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    fields.extend(current);
    let m = &mut headers.metadata;
    for (key, value) in fields {
        match key.as_str() {
            "name" => m.name = value,
            "version" => m.version = value,
            "requires-dist" => m.requires_dist.push(value),
            "requires-python" => m.requires_python = Some(value),
            "provides-extra" => m.provides_extra.push(value),
            "metadata-version" => headers.metadata_version = Some(value),
            "dynamic" => headers.dynamic.push(value.to_ascii_lowercase()),
            _ => {}
        }
    }
    if m.name.is_empty() || m.version.is_empty() {
        return Err("no `Name` or no `Version` header".into());
    }
    Ok(headers)
}

impl Headers {
    /// Whether an sdist's dependencies are final without a build (PEP 643: metadata 2.2 or
    /// later that marks neither `Requires-Dist` nor `Requires-Python` dynamic); `Err` says why
    /// not.
    pub fn static_dependencies(&self) -> Result<(), String> {
        let version = self.metadata_version.as_deref().unwrap_or("1.0");
        let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        if (major, minor) < (2, 2) {
            return Err(format!(
                "its PKG-INFO is metadata {version}, older than 2.2, so its dependencies may change in a build"
            ));
        }
        for field in ["requires-dist", "requires-python"] {
            if self.dynamic.iter().any(|d| d == field) {
                let shown = if field == "requires-dist" {
                    "Requires-Dist"
                } else {
                    "Requires-Python"
                };
                return Err(format!("its PKG-INFO marks {shown} as dynamic"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_resolution_needs() {
        let text = "Metadata-Version: 2.3\nName: alpha\nVersion: 1.0\nRequires-Python: >=3.8\n\
                    Provides-Extra: x\nRequires-Dist: beta>=1\nRequires-Dist: gamma; extra == \"x\"\n\
                    Description: one\n  two\n\nRequires-Dist: not-a-header-any-more\n";
        let h = parse(text).unwrap();
        assert_eq!(h.metadata.name, "alpha");
        assert_eq!(
            h.metadata.requires_dist,
            ["beta>=1", "gamma; extra == \"x\""]
        );
        assert_eq!(h.metadata.requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(h.metadata.provides_extra, ["x"]);
        assert!(h.static_dependencies().is_ok());
    }

    #[test]
    fn dynamic_or_old_sdist_metadata_is_not_static() {
        let old = parse("Metadata-Version: 2.1\nName: a\nVersion: 1\n").unwrap();
        assert!(
            old.static_dependencies()
                .unwrap_err()
                .contains("older than 2.2")
        );
        let dynamic =
            parse("Metadata-Version: 2.2\nName: a\nVersion: 1\nDynamic: Requires-Dist\n").unwrap();
        assert!(
            dynamic
                .static_dependencies()
                .unwrap_err()
                .contains("dynamic")
        );
        let python =
            parse("Metadata-Version: 2.4\nName: a\nVersion: 1\nDynamic: requires-python\n")
                .unwrap();
        assert_eq!(
            python.static_dependencies().unwrap_err(),
            "its PKG-INFO marks Requires-Python as dynamic"
        );
        assert!(parse("Name a\n").is_err());
    }
}
