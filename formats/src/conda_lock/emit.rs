//! Writing a [`CondaLock`] the way conda-lock does: the help text as read, then
//! `yaml.dump(…, sort_keys=False)` of `version`, `metadata` and `package` with the keys in the
//! order of conda-lock's pydantic models (empty optional metadata left out, every package with
//! its `dependencies`, `category` and `optional`).
//!
//! Packages and their dependencies keep the order they were read in: conda-lock sorts
//! packages by manager, name and platform when it writes, older versions did not sort
//! dependencies, and a file re-emits as it was.

use super::*;
use crate::yaml::pyyaml::{Yaml, dump};

/// The text of `lock` as conda-lock writes it.
pub fn emit(lock: &CondaLock) -> String {
    let mut out = lock.header.clone();
    out.push_str(&dump(&Yaml::Map(vec![
        ("version".into(), Yaml::Int(1)),
        ("metadata".into(), metadata(&lock.metadata)),
        (
            "package".into(),
            Yaml::Seq(lock.packages.iter().map(package).collect()),
        ),
    ])));
    out
}

fn strings(items: &[String]) -> Yaml {
    Yaml::Seq(items.iter().map(Yaml::str).collect())
}

fn pairs(items: &[(String, String)]) -> Yaml {
    Yaml::Map(
        items
            .iter()
            .map(|(k, v)| (k.clone(), Yaml::str(v)))
            .collect(),
    )
}

/// The fields of a model dumped with `exclude_none`: absent values are left out.
fn present(fields: &[(&str, &Option<String>)]) -> Yaml {
    Yaml::Map(
        fields
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), Yaml::str(v))))
            .collect(),
    )
}

fn metadata(m: &Metadata) -> Yaml {
    let mut entries = vec![
        ("content_hash".to_string(), pairs(&m.content_hash)),
        (
            "channels".to_string(),
            Yaml::Seq(
                m.channels
                    .iter()
                    .map(|c| {
                        Yaml::Map(vec![
                            ("url".into(), Yaml::str(&c.url)),
                            ("used_env_vars".into(), strings(&c.used_env_vars)),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("platforms".to_string(), strings(&m.platforms)),
        ("sources".to_string(), strings(&m.sources)),
    ];
    if let Some(created_at) = &m.created_at {
        entries.push((
            "time_metadata".into(),
            Yaml::Map(vec![("created_at".into(), Yaml::str(created_at))]),
        ));
    }
    if let Some(git) = &m.git {
        entries.push((
            "git_metadata".into(),
            present(&[
                ("git_user_name", &git.git_user_name),
                ("git_user_email", &git.git_user_email),
                ("git_sha", &git.git_sha),
            ]),
        ));
    }
    if let Some(inputs) = &m.inputs {
        entries.push((
            "inputs_metadata".into(),
            Yaml::Map(
                inputs
                    .iter()
                    .map(|(path, h)| {
                        (
                            path.clone(),
                            Yaml::Map(vec![
                                ("md5".into(), Yaml::str(&h.md5)),
                                ("sha256".into(), Yaml::str(&h.sha256)),
                            ]),
                        )
                    })
                    .collect(),
            ),
        ));
    }
    if let Some(custom) = &m.custom {
        entries.push(("custom_metadata".into(), pairs(custom)));
    }
    Yaml::Map(entries)
}

fn package(p: &LockedPackage) -> Yaml {
    let mut entries = vec![
        ("name".to_string(), Yaml::str(&p.name)),
        ("version".to_string(), Yaml::str(&p.version)),
        ("manager".to_string(), Yaml::str(p.manager.as_str())),
        ("platform".to_string(), Yaml::str(&p.platform)),
        ("dependencies".to_string(), pairs(&p.dependencies)),
        ("url".to_string(), Yaml::str(&p.url)),
        (
            "hash".to_string(),
            present(&[("md5", &p.md5), ("sha256", &p.sha256)]),
        ),
    ];
    if let Some(url) = &p.source {
        entries.push((
            "source".into(),
            Yaml::Map(vec![
                ("type".into(), Yaml::str("url")),
                ("url".into(), Yaml::str(url)),
            ]),
        ));
    }
    if let Some(build) = &p.build {
        entries.push(("build".into(), Yaml::str(build)));
    }
    entries.push(("category".into(), Yaml::str(&p.category)));
    entries.push(("optional".into(), Yaml::Bool(p.optional)));
    Yaml::Map(entries)
}
