//! Which PyPI distributions a conda package installs: the names the joint solve's bridge joins.
//!
//! Conda and PyPI name the same software differently (conda `pytorch` installs PyPI `torch`,
//! `matplotlib-base` installs `matplotlib`, `py-opencv` and `libopencv` install `opencv-python`
//! and `opencv-python-headless`), and most conda packages install no Python distribution at all
//! (`python`, `libgcc`, `openssl`, `_openmp_mutex`). [`pypi_distributions`] answers for one
//! conda record, by these rules in order (pixi's, see below for where they differ):
//!
//! 1. **The record's purls.** When the record lists `purls`, its `pkg:pypi/<name>` entries are
//!    the answer (names normalised per PEP 503; purls of other types and unreadable ones are
//!    ignored). A record whose purls hold no `pypi` purl installs nothing. An empty list reads
//!    as no purls.
//! 2. **The bundled table**, for the record's channel: the names it lists for the conda name,
//!    or nothing when it marks the name `-`.
//! 3. **The same name.** For a channel whose section says `absent=same-name` (conda-forge), a
//!    name the table does not list installs the PyPI distribution of the same name, normalised
//!    (`typing_extensions` → `typing-extensions`), when the conda name is a valid PyPI name and
//!    not a virtual package (`__glibc`). Names starting with `lib` get no special treatment:
//!    the table says which of them install nothing. For the other channels the table knows
//!    (`pytorch`, `bioconda`: `absent=none`), a name it does not list installs nothing.
//!
//! **Channels.** `channel` is the channel's name as the solve knows it: `conda-forge`, or the
//! last path segment of a `file://` or URL channel (`file:///x/conda-forge` is `conda-forge`;
//! a full URL is accepted and read the same way, and a `/label/<l>` suffix is dropped). A
//! channel the table has no section for (a mirror or custom channel under another name) is
//! read as conda-forge-like: conda-forge's rows and its same-name rule apply to it, so a
//! mirror's `python` installs nothing and its `pytorch` installs `torch`. Records of such a
//! channel that install something else should carry `purls` (rule 1).
//!
//! **Where this differs from pixi.** pixi applies the same-name rule to conda-forge records
//! only and treats records of unknown channels as installing nothing; unilock reads unknown
//! channels as conda-forge-like (above). pixi also falls through to the map when a record's
//! purls hold no `pypi` purl; here such a record installs nothing, as its purls say.
//!
//! **The table** (`conda_pypi/table.txt`) is generated from parselmouth's v0 name maps
//! (prefix-dev/parselmouth, BSD-3-Clause; licence text in `conda_pypi/LICENSE-parselmouth`)
//! by `scripts/gen-conda-pypi-map.py`, which documents its inputs and the format; see
//! `docs/conda-pypi-names.md`. To stay small it keeps only the rows rule 3 would get wrong:
//! for conda-forge the names that install nothing and the names that install something other
//! than their own normalised name; for `absent=none` channels the names that install
//! something. It is parsed once, on first use, into hash maps ([`std::sync::OnceLock`]);
//! a lookup is then two hash probes.
//!
//! [`conda_packages`] is the reverse view, for messages and migrations: the conda packages of
//! a channel that the table says install a PyPI distribution.

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

/// The generated table (see the module doc and `scripts/gen-conda-pypi-map.py`).
const TABLE: &str = include_str!("conda_pypi/table.txt");

/// The channel whose rows and rules apply to channels the table has no section for.
const CONDA_LIKE: &str = "conda-forge";

/// The PyPI distributions (normalised names) a conda package installs.
/// `channel` is the channel's name as the solve knows it (`conda-forge`, `pytorch`, or the last
/// path segment of a file:// or URL channel, e.g. `conda-forge` for `file:///x/conda-forge`);
/// `purls` are the record's `purls` field as strings (`pkg:pypi/torch@2.5.1`), when present.
pub fn pypi_distributions(conda_name: &str, channel: &str, purls: &[String]) -> Vec<String> {
    if !purls.is_empty() {
        return from_purls(purls);
    }
    let conda_name = lowercase(conda_name);
    let section = table().section(channel);
    if let Some(names) = section.installs.get(conda_name.as_ref()) {
        return names.iter().map(|n| n.to_string()).collect();
    }
    match section.absent {
        Absent::None => Vec::new(),
        Absent::SameName => same_name(&conda_name).into_iter().collect(),
    }
}

/// The conda packages (of `channel`) that install the PyPI distribution `pypi_name` per the table
/// (the reverse view, for messages and for a later `migrate`): e.g. `torch` → [`pytorch`, ...].
///
/// Sorted by name. Only the table's rows are listed: on a same-name channel the conda package
/// named as the distribution (conda-forge `numpy` for PyPI `numpy`) also installs it when the
/// channel has one, and is not listed.
pub fn conda_packages(pypi_name: &str, channel: &str) -> Vec<&'static str> {
    let name = normalize_pypi(pypi_name);
    table()
        .section(channel)
        .installed_by
        .get(name.as_str())
        .cloned()
        .unwrap_or_default()
}

/// What a channel's section answers for a conda name it does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Absent {
    /// The PyPI distribution of the same name (conda-forge's convention).
    SameName,
    /// Nothing.
    None,
}

/// One channel's rows.
#[derive(Debug)]
struct Section {
    absent: Absent,
    /// conda name → the PyPI names it installs (empty: none).
    installs: HashMap<&'static str, Vec<&'static str>>,
    /// PyPI name → the conda names that install it, sorted.
    installed_by: HashMap<&'static str, Vec<&'static str>>,
}

impl Section {
    fn new(absent: Absent) -> Self {
        Section {
            absent,
            installs: HashMap::new(),
            installed_by: HashMap::new(),
        }
    }
}

#[derive(Debug)]
struct Table {
    sections: HashMap<&'static str, Section>,
    /// Lines that could not be read (none in a generated table; the unit tests check).
    #[cfg_attr(not(test), allow(dead_code))]
    problems: Vec<String>,
}

impl Table {
    /// The section for `channel`, or conda-forge's for a channel the table does not know.
    fn section(&self, channel: &str) -> &Section {
        static EMPTY: OnceLock<Section> = OnceLock::new();
        let key = channel_key(channel);
        self.sections
            .get(key)
            .or_else(|| self.sections.get(CONDA_LIKE))
            .unwrap_or_else(|| EMPTY.get_or_init(|| Section::new(Absent::SameName)))
    }
}

fn table() -> &'static Table {
    static PARSED: OnceLock<Table> = OnceLock::new();
    PARSED.get_or_init(|| parse(TABLE))
}

/// Reads the table's text. Never fails: a line it cannot read is skipped and recorded in
/// `problems`.
fn parse(text: &'static str) -> Table {
    let mut sections: HashMap<&'static str, Section> = HashMap::new();
    let mut problems = Vec::new();
    let mut current: Option<&'static str> = None;
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let header = rest.split_once("] absent=").and_then(|(ch, absent)| {
                let absent = match absent {
                    "same-name" => Absent::SameName,
                    "none" => Absent::None,
                    _ => return None,
                };
                Some((ch, absent))
            });
            match header {
                Some((ch, absent)) => {
                    sections.entry(ch).or_insert_with(|| Section::new(absent));
                    current = Some(ch);
                }
                None => problems.push(format!("line {}: unreadable section `{line}`", i + 1)),
            }
            continue;
        }
        let (Some(ch), Some((conda, pypi))) = (current, line.split_once('\t')) else {
            problems.push(format!("line {}: not a row of a section `{line}`", i + 1));
            continue;
        };
        let names: Vec<&'static str> = if pypi == "-" {
            Vec::new()
        } else {
            pypi.split(',').collect()
        };
        let Some(section) = sections.get_mut(ch) else {
            continue;
        };
        for &name in &names {
            section.installed_by.entry(name).or_default().push(conda);
        }
        section.installs.insert(conda, names);
    }
    for section in sections.values_mut() {
        for conda_names in section.installed_by.values_mut() {
            conda_names.sort_unstable();
            conda_names.dedup();
        }
    }
    Table { sections, problems }
}

/// The table key of a channel: its name, or the last path segment of its URL (a
/// `/label/<l>` suffix dropped).
fn channel_key(channel: &str) -> &str {
    let channel = channel.trim_end_matches('/');
    let channel = channel.split("/label/").next().unwrap_or(channel);
    channel.rsplit('/').next().unwrap_or(channel)
}

/// The PyPI names of a record's `pkg:pypi/...` purls, normalised, first occurrence kept.
fn from_purls(purls: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in purls {
        let Ok(purl) = rattler_conda_types::PackageUrl::from_str(text) else {
            continue;
        };
        if !purl.package_type().eq_ignore_ascii_case("pypi") {
            continue;
        }
        let Ok(name) = pep508_rs::PackageName::new(purl.name().to_string()) else {
            continue;
        };
        let name = name.to_string();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The same-name rule: the conda name as a normalised PyPI name, unless it is a virtual package
/// or not a valid PyPI name.
fn same_name(conda_name: &str) -> Option<String> {
    if conda_name.starts_with("__") {
        return None;
    }
    pep508_rs::PackageName::new(conda_name.to_string())
        .ok()
        .map(|n| n.to_string())
}

/// PEP 503 normalisation of a name that may not be a valid PyPI name (the reverse lookup takes
/// any text): lowercase, runs of `-`, `_`, `.` as one `-`.
fn normalize_pypi(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// Conda names are lowercase; a caller's spelling with capitals reads as its lowercase form.
fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests;
