use super::*;
use std::time::Instant;

/// What `scripts/gen-conda-pypi-map.py` printed for the committed table
/// ("wrote model/src/conda_pypi/table.txt: N bytes, M rows"). Re-running the script on new
/// data changes both; update them with the table.
const TABLE_BYTES: usize = 309_488;
const TABLE_ROWS: usize = 17_419;

fn cf(conda_name: &str) -> Vec<String> {
    pypi_distributions(conda_name, "conda-forge", &[])
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn pytorch_installs_torch_on_conda_forge_and_on_the_pytorch_channel() {
    assert_eq!(cf("pytorch"), ["torch"]);
    assert_eq!(cf("PyTorch"), ["torch"]);
    assert_eq!(pypi_distributions("pytorch", "pytorch", &[]), ["torch"]);
}

#[test]
fn matplotlib_base_installs_matplotlib() {
    assert_eq!(cf("matplotlib-base"), ["matplotlib"]);
}

#[test]
fn opencv_packages_install_opencv_python() {
    assert_eq!(cf("py-opencv"), ["opencv-python", "opencv-python-headless"]);
    assert_eq!(cf("libopencv"), ["opencv-python", "opencv-python-headless"]);
}

#[test]
fn typing_extensions_installs_the_normalised_name() {
    assert_eq!(cf("typing_extensions"), ["typing-extensions"]);
    // The dashed conda package is a metapackage that installs nothing itself.
    assert_eq!(cf("typing-extensions"), Vec::<String>::new());
}

#[test]
fn numpy_installs_numpy_by_the_same_name_rule() {
    assert!(
        !table()
            .section("conda-forge")
            .installs
            .contains_key("numpy")
    );
    assert_eq!(cf("numpy"), ["numpy"]);
    assert_eq!(cf("NumPy"), ["numpy"]);
}

#[test]
fn python_and_system_libraries_install_nothing() {
    for name in [
        "python",
        "libgcc",
        "libgcc-ng",
        "libstdcxx-ng",
        "_openmp_mutex",
        "_libgcc_mutex",
        "openssl",
        "python_abi",
        "ca-certificates",
        "cuda-version",
    ] {
        assert_eq!(cf(name), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn virtual_packages_install_nothing_on_any_channel() {
    assert_eq!(cf("__glibc"), Vec::<String>::new());
    assert_eq!(
        pypi_distributions("__cuda", "my-channel", &[]),
        Vec::<String>::new()
    );
}

#[test]
fn purls_win_over_the_table() {
    // The table says pytorch installs torch; the record says otherwise.
    let purls = strings(&["pkg:pypi/Torch_Nightly@2.6.0", "pkg:pypi/triton"]);
    assert_eq!(
        pypi_distributions("pytorch", "conda-forge", &purls),
        ["torch-nightly", "triton"]
    );
    // And over the same-name rule; other purl types are ignored, duplicates dropped.
    let purls = strings(&[
        "pkg:github/numpy/numpy@v2.1.0",
        "pkg:pypi/numpy-base@2.1.0",
        "pkg:PYPI/numpy.base",
    ]);
    assert_eq!(
        pypi_distributions("numpy", "conda-forge", &purls),
        ["numpy-base"]
    );
}

#[test]
fn purls_without_a_pypi_purl_install_nothing() {
    let purls = strings(&["pkg:generic/openblas@0.3.28", "not a purl"]);
    assert_eq!(
        pypi_distributions("numpy", "conda-forge", &purls),
        Vec::<String>::new()
    );
}

#[test]
fn an_unknown_channel_reads_as_conda_forge() {
    for channel in [
        "my-mirror",
        "file:///srv/channels/my-mirror",
        "https://conda.example/my-mirror/",
    ] {
        assert_eq!(
            pypi_distributions("numpy", channel, &[]),
            ["numpy"],
            "{channel}"
        );
        assert_eq!(
            pypi_distributions("python", channel, &[]),
            Vec::<String>::new(),
            "{channel}"
        );
        assert_eq!(
            pypi_distributions("pytorch", channel, &[]),
            ["torch"],
            "{channel}"
        );
    }
}

#[test]
fn channel_urls_read_by_their_last_segment() {
    assert_eq!(channel_key("file:///x/conda-forge"), "conda-forge");
    assert_eq!(channel_key("https://conda.example/pytorch/"), "pytorch");
    assert_eq!(
        channel_key("https://conda.example/conda-forge/label/dev"),
        "conda-forge"
    );
    assert_eq!(channel_key("bioconda"), "bioconda");
    // A URL of the pytorch channel uses that channel's rows and its absent=none rule.
    assert_eq!(
        pypi_distributions("numpy", "file:///x/pytorch", &[]),
        Vec::<String>::new()
    );
}

#[test]
fn a_table_only_channel_installs_nothing_for_names_it_does_not_list() {
    assert_eq!(
        pypi_distributions("torchvision", "pytorch", &[]),
        ["torchvision"]
    );
    assert_eq!(
        pypi_distributions("pytorch-cuda", "pytorch", &[]),
        Vec::<String>::new()
    );
    assert_eq!(
        pypi_distributions("numpy", "pytorch", &[]),
        Vec::<String>::new()
    );
    assert_eq!(
        pypi_distributions("samtools", "bioconda", &[]),
        Vec::<String>::new()
    );
}

#[test]
fn reverse_lookup_finds_the_conda_packages_of_a_distribution() {
    let forge = conda_packages("torch", "conda-forge");
    assert!(forge.contains(&"pytorch"), "{forge:?}");
    assert!(forge.windows(2).all(|w| w[0] < w[1]), "{forge:?}");
    assert!(conda_packages("torch", "pytorch").contains(&"pytorch"));
    // The name is normalised before the lookup.
    let opencv = conda_packages("OpenCV_Python", "conda-forge");
    assert!(
        opencv.contains(&"py-opencv") && opencv.contains(&"libopencv"),
        "{opencv:?}"
    );
    assert!(conda_packages("no-such-distribution", "conda-forge").is_empty());
}

/// Every row of the embedded text, as (channel, absent, conda name, PyPI names).
fn rows() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    let mut section = ("", "");
    for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
        if let Some(rest) = line.strip_prefix('[') {
            section = rest.split_once("] absent=").expect("section header");
            continue;
        }
        let (conda, pypi) = line.split_once('\t').expect("tab-separated row");
        out.push((section.0, section.1, conda, pypi));
    }
    out
}

#[test]
fn the_table_reads_without_problems_and_is_sorted_and_normalised() {
    let parsed = parse(TABLE);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let mut names: Vec<&str> = parsed.sections.keys().copied().collect();
    names.sort_unstable();
    assert_eq!(names, ["bioconda", "conda-forge", "pytorch"]);
    assert_eq!(parsed.sections["conda-forge"].absent, Absent::SameName);
    assert_eq!(parsed.sections["pytorch"].absent, Absent::None);
    assert_eq!(parsed.sections["bioconda"].absent, Absent::None);

    let rows = rows();
    for w in rows.windows(2) {
        let (a, b) = (w[0], w[1]);
        assert!((a.0, a.2) < (b.0, b.2), "not sorted: {a:?} before {b:?}");
    }
    for (channel, absent, conda, pypi) in rows {
        if pypi == "-" {
            // Nulls are kept only where absence would mean something else.
            assert_eq!(absent, "same-name", "{channel} {conda}: a needless `-` row");
            continue;
        }
        let names: Vec<&str> = pypi.split(',').collect();
        for name in &names {
            let valid = pep508_rs::PackageName::new(name.to_string())
                .unwrap_or_else(|e| panic!("{channel} {conda}: {name}: {e}"));
            assert_eq!(valid.as_ref(), *name, "{channel} {conda}: not normalised");
        }
        if absent == "same-name" {
            assert_ne!(
                Some(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()),
                same_name(conda).map(|n| vec![n]),
                "{channel} {conda}: the same-name rule already says this"
            );
        }
    }
}

#[test]
fn the_table_holds_the_known_rows() {
    let forge = &table().sections["conda-forge"];
    let row = |name: &str| forge.installs.get(name).cloned();
    assert_eq!(row("_openmp_mutex"), Some(vec![]));
    assert_eq!(row("python"), Some(vec![]));
    assert_eq!(row("libgcc"), Some(vec![]));
    assert_eq!(row("openssl"), Some(vec![]));
    assert_eq!(row("pytorch"), Some(vec!["torch"]));
    assert_eq!(row("matplotlib-base"), Some(vec!["matplotlib"]));
    assert_eq!(
        row("py-opencv"),
        Some(vec!["opencv-python", "opencv-python-headless"])
    );
    assert_eq!(
        row("msgpack-python"),
        Some(vec!["msgpack", "msgpack-python"])
    );
    assert_eq!(
        table().sections["pytorch"].installs.get("pytorch"),
        Some(&vec!["torch"])
    );
}

#[test]
fn the_table_is_what_the_script_wrote_and_lookups_are_cheap() {
    let rows = rows().len();
    let started = Instant::now();
    let parsed = parse(TABLE);
    let parse_time = started.elapsed();
    println!(
        "conda->PyPI table: {} bytes, {rows} rows ({}), parsed in {parse_time:?}",
        TABLE.len(),
        parsed
            .sections
            .iter()
            .map(|(ch, s)| format!("{ch}: {}", s.installs.len()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert_eq!(
        TABLE.len(),
        TABLE_BYTES,
        "re-run scripts/gen-conda-pypi-map.py"
    );
    assert_eq!(rows, TABLE_ROWS, "re-run scripts/gen-conda-pypi-map.py");
    let section_rows: usize = parsed.sections.values().map(|s| s.installs.len()).sum();
    assert_eq!(section_rows, rows);

    let names = ["numpy", "pytorch", "python", "libgcc", "py-opencv", "scipy"];
    let lookups = 600_000;
    table();
    let started = Instant::now();
    let mut found = 0usize;
    for i in 0..lookups {
        found += pypi_distributions(names[i % names.len()], "conda-forge", &[]).len();
    }
    let elapsed = started.elapsed();
    println!(
        "{lookups} lookups in {elapsed:?} ({:.0} ns each, {found} names)",
        elapsed.as_nanos() as f64 / lookups as f64
    );
}

#[test]
fn of_several_names_the_one_a_package_is_known_by_comes_first() {
    // conda-forge's iris installs PyPI scitools-iris (and an `iris` alias): the name
    // parselmouth's single-valued map gives comes first, so a migration takes it.
    assert_eq!(
        pypi_distributions("iris", "conda-forge", &[]),
        ["scitools-iris", "iris"]
    );
}
