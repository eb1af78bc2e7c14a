use super::*;
use unilock_model::target::{Os, PRESETS};

/// The union of `lib_whitelist` over every policy of auditwheel 6.8.2's
/// manylinux-policy.json (MIT), copied here so the test runs without ../shared.
const MANYLINUX_WHITELIST: &[&str] = &[
    "libGL.so.1",
    "libICE.so.6",
    "libSM.so.6",
    "libX11.so.6",
    "libXext.so.6",
    "libXrender.so.1",
    "libanl.so.1",
    "libatomic.so.1",
    "libc.so.6",
    "libdl.so.2",
    "libexpat.so.1",
    "libgcc_s.so.1",
    "libglib-2.0.so.0",
    "libgobject-2.0.so.0",
    "libgthread-2.0.so.0",
    "libm.so.6",
    "libmvec.so.1",
    "libnsl.so.1",
    "libpthread.so.0",
    "libresolv.so.2",
    "librt.so.1",
    "libstdc++.so.6",
    "libutil.so.1",
    "libz.so.1",
];

#[test]
fn every_row_of_both_tables_parses() {
    assert_eq!(table_problems(), &[] as &[String]);
    let data_rows = |text: &str| {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count()
            - 1
    };
    assert_eq!(libraries().len(), data_rows(LIBRARIES));
    assert_eq!(base_images().len(), data_rows(BASE_IMAGES));
}

#[test]
fn malformed_rows_are_reported_and_left_out() {
    let mut problems = Vec::new();
    let rows = parse_rows(
        "# comment\nsoname\tapt\tapk\tdnf\tconda_forge\tnixpkgs\tmanylinux\tnote\n\
         libok.so.1\tlibok1\tok\tok\tok\tok\tno\t-\n\
         libbad.so.1\tlibbad1\tbad\tbad\tbad\tbad\tmaybe\t-\n\
         libshort.so.1\tx\n\
         libunfilled.so.1\t?\tx\tx\tx\tx\tno\t-\n",
        "libraries.tsv",
        LIBRARY_COLUMNS,
        &mut problems,
        library_row,
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].soname, "libok.so.1");
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].contains("line 4") && problems[0].contains("maybe"));
    assert!(problems[1].contains("2 cells"));
    assert!(problems[2].contains("gen-system-libraries"));

    let mut problems = Vec::new();
    let images = parse_rows(
        "name\taliases\tpresets\tlibc\tlibc_version\tgcc\tsource\tdescription\tsonames\n\
         a\t-\t-\tglibc\t2.36\t-\thand\tno C++ runtime but libstdc++\tlibc.so.6 libstdc++.so.6\n\
         b\t-\t-\tbionic\t2.36\t-\thand\t-\tlibc.so.6\n\
         c\t-\t-\tglibc\t2.36\t4.4\thand\tGCC older than the table\tlibgcc_s.so.1\n",
        "base_images.tsv",
        IMAGE_COLUMNS,
        &mut problems,
        image_row,
    );
    assert!(images.is_empty());
    assert_eq!(problems.len(), 3, "{problems:?}");
}

#[test]
fn library_names_and_image_names_are_sorted_and_unique() {
    let sonames: Vec<_> = text_column(LIBRARIES, 0);
    assert!(
        sonames.windows(2).all(|w| w[0] < w[1]),
        "libraries.tsv rows must be sorted by soname, without duplicates"
    );
    let names: Vec<_> = text_column(BASE_IMAGES, 0);
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "base_images.tsv rows must be sorted by name, without duplicates"
    );
    let mut seen = BTreeSet::new();
    for image in base_images() {
        for name in std::iter::once(&image.name).chain(&image.aliases) {
            assert!(
                seen.insert(name.to_ascii_lowercase()),
                "{name} names two images"
            );
        }
        let sorted: Vec<_> = text_column(BASE_IMAGES, 8)
            .into_iter()
            .zip(text_column(BASE_IMAGES, 0))
            .filter(|(_, n)| *n == image.name)
            .map(|(s, _)| s)
            .collect();
        let listed: Vec<&str> = sorted[0].split(' ').collect();
        assert!(
            listed.windows(2).all(|w| w[0] < w[1]),
            "{}: sonames sorted and unique",
            image.name
        );
    }
}

fn text_column(text: &'static str, column: usize) -> Vec<&'static str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').nth(column).unwrap_or(""))
        .collect()
}

#[test]
fn libgl_names_the_package_of_every_distribution() {
    let row = library("libGL.so.1").expect("libGL.so.1 row");
    assert_eq!(row.apt, ["libgl1"]);
    assert_eq!(row.apk, ["mesa-gl"]);
    assert_eq!(row.dnf, ["mesa-libGL"]);
    assert_eq!(row.conda_forge, ["libgl"]);
    assert_eq!(row.nixpkgs, ["libGL"]);
    assert!(row.manylinux_allowed);
}

#[test]
fn lookups_take_the_exact_soname_only() {
    assert!(library("libGL.so.1").is_some());
    assert!(library("libGL.so").is_none());
    assert!(library("libGL.so.1.7.0").is_none());
    assert!(library("libgl.so.1").is_none());
    assert!(library("").is_none());
}

#[test]
fn every_manylinux_whitelist_entry_has_a_row_that_says_so() {
    for soname in MANYLINUX_WHITELIST {
        let row = library(soname).unwrap_or_else(|| panic!("no row for {soname}"));
        assert!(row.manylinux_allowed, "{soname}");
    }
    for row in libraries() {
        assert_eq!(
            row.manylinux_allowed,
            MANYLINUX_WHITELIST.contains(&row.soname),
            "{}",
            row.soname
        );
    }
}

#[test]
fn the_libraries_wheels_leave_to_the_host_have_rows() {
    for soname in [
        "libgomp.so.1",
        "libcrypt.so.1",
        "libcrypt.so.2",
        "libssl.so.3",
        "libcrypto.so.3",
        "libffi.so.8",
        "libbz2.so.1.0",
        "liblzma.so.5",
        "libzstd.so.1",
        "libsqlite3.so.0",
        "libcurl.so.4",
        "libxml2.so.2",
        "libxslt.so.1",
        "libjpeg.so.8",
        "libjpeg.so.62",
        "libpng16.so.16",
        "libfreetype.so.6",
        "libfontconfig.so.1",
        "libEGL.so.1",
        "libGLX.so.0",
        "libOpenGL.so.0",
        "libxcb.so.1",
        "libgfortran.so.5",
        "libquadmath.so.0",
        "libasound.so.2",
        "libpq.so.5",
        "libmysqlclient.so.21",
        "libodbc.so.2",
        "libnuma.so.1",
        "libcuda.so.1",
        "libnvidia-ml.so.1",
        "libdrm.so.2",
        "libgbm.so.1",
        "libnss3.so",
        "libtinfo.so.6",
        "libncursesw.so.6",
        "libreadline.so.8",
        "libuuid.so.1",
        "libblkid.so.1",
        "libmount.so.1",
        "libselinux.so.1",
        "libpcre2-8.so.0",
        "libgeos_c.so.1",
        "libproj.so.25",
        "libnetcdf.so.19",
        "libopenblas.so.0",
        "libblas.so.3",
        "liblapack.so.3",
        "libtbb.so.12",
    ] {
        let row = library(soname).unwrap_or_else(|| panic!("no row for {soname}"));
        let installable = [&row.apt, &row.apk, &row.dnf, &row.conda_forge, &row.nixpkgs];
        assert!(
            installable.iter().any(|names| !names.is_empty()),
            "{soname}: no distribution names a package"
        );
    }
    let cuda = library("libcuda.so.1").expect("libcuda row");
    assert!(
        cuda.note
            .is_some_and(|n| n.contains("from the NVIDIA driver"))
    );
}

#[test]
fn every_linux_preset_has_a_default_image_of_its_libc() {
    let mut defaults = BTreeSet::new();
    for preset in PRESETS.iter().filter(|p| p.os == Os::Linux) {
        let image = default_image(preset.name)
            .unwrap_or_else(|| panic!("no default image for preset {}", preset.name));
        let (family, version) = preset.libc.expect("a Linux preset has a libc");
        assert_eq!(image.libc, family, "{}", preset.name);
        // The preset may give fewer components (musllinux_1_2: 1.2; its image has 1.2.5).
        let preset_version = numeric(version).expect("numeric preset libc version");
        let image_version = numeric(image.libc_version).expect("numeric image libc version");
        assert!(
            image_version.starts_with(&preset_version),
            "{}: preset libc {version}, image {} has {}",
            preset.name,
            image.name,
            image.libc_version
        );
        defaults.insert(preset.name);
    }
    for image in base_images() {
        for preset in &image.presets {
            assert!(
                defaults.contains(preset),
                "{} names {preset}, which is no Linux preset",
                image.name
            );
            assert_eq!(default_image(preset).map(|i| i.name), Some(image.name));
        }
    }
}

#[test]
fn named_images_and_their_aliases_are_found() {
    for name in [
        "debian12-slim",
        "debian12",
        "debian11-slim",
        "ubuntu22.04",
        "ubuntu24.04",
        "alpine3.19",
        "alpine3.20",
        "alpine3.21",
        "alpine3.22",
        "ubi8-minimal",
        "ubi9-minimal",
        "ubi9",
        "centos7",
        "amazonlinux2023",
        "manylinux2014",
        "manylinux_2_28",
        "musllinux_1_2",
        "python3.12-slim",
    ] {
        assert_eq!(base_image(name).map(|i| i.name), Some(name));
    }
    assert_eq!(
        base_image("python:3.12-slim").map(|i| i.name),
        Some("python3.12-slim")
    );
    assert_eq!(
        base_image("Debian:12-Slim").map(|i| i.name),
        Some("debian12-slim")
    );
    assert!(base_image("debian12-fat").is_none());
    assert_eq!(
        default_image("debian12").map(|i| i.name),
        Some("debian12-slim")
    );
    assert_eq!(
        default_image("ubuntu24.04").map(|i| i.name),
        Some("ubuntu24.04")
    );
    assert!(default_image("macos14").is_none());
}

#[test]
fn musl_images_have_no_glibc_and_alpine_no_cxx_runtime() {
    let mut musl = 0;
    for image in base_images() {
        let glibc_files = ["libc.so.6", "ld-linux-x86-64.so.2", "libm.so.6"];
        match image.libc {
            LibcFamily::Musl => {
                musl += 1;
                for file in glibc_files {
                    assert!(!image.has(file), "{} has {file}", image.name);
                }
                assert!(image.has("ld-musl-x86_64.so.1"), "{}", image.name);
            }
            LibcFamily::Glibc => {
                for file in glibc_files {
                    assert!(image.has(file), "{} lacks {file}", image.name);
                }
            }
        }
    }
    assert!(musl >= 5);
    for name in ["alpine3.19", "alpine3.20", "alpine3.21", "alpine3.22"] {
        let image = base_image(name).expect("alpine image");
        assert_eq!(image.libc, LibcFamily::Musl);
        assert_eq!(
            (image.glibcxx, image.cxxabi, image.gcc_s),
            (None, None, None)
        );
        assert!(!image.has("libGL.so.1") && !image.has("libstdc++.so.6"));
    }
}

#[test]
fn cxx_runtime_versions_follow_the_gcc_the_image_ships() {
    let versions = |name: &str| {
        let image = base_image(name).expect("image");
        (image.glibcxx, image.cxxabi, image.gcc_s)
    };
    assert_eq!(
        versions("debian12-slim"),
        (Some("3.4.30"), Some("1.3.13"), Some("12.0.0"))
    );
    assert_eq!(
        versions("centos7"),
        (Some("3.4.19"), Some("1.3.7"), Some("4.8.0"))
    );
    // devtoolset links its newer parts statically: the image's runtime is still GCC 4.8.5's.
    assert_eq!(versions("manylinux2014"), versions("centos7"));
    assert_eq!(
        versions("ubuntu24.04"),
        (Some("3.4.33"), Some("1.3.15"), Some("14.0.0"))
    );
    assert_eq!(versions("ubuntu18.04").0, Some("3.4.25"));
    assert_eq!(versions("ubi8-minimal").0, Some("3.4.25"));
    assert_eq!(versions("ubi9-minimal").0, Some("3.4.29"));
    assert_eq!(gcc_runtime("7.3.1").map(|r| r.1), Some("3.4.24"));
    assert_eq!(gcc_runtime("13.2.0").map(|r| r.1), Some("3.4.32"));
    assert_eq!(gcc_runtime("15.1.0").map(|r| r.1), Some("3.4.33"));
    assert!(gcc_runtime("4.4.7").is_none());
    assert!(gcc_runtime("twelve").is_none());
}

#[test]
fn debian_slim_lacks_what_opencv_needs_and_python_slim_adds_libpython() {
    let slim = base_image("debian12-slim").expect("debian12-slim");
    assert!(slim.generated);
    assert!(!slim.has("libGL.so.1"));
    assert!(slim.has("libz.so.1") && slim.has("libstdc++.so.6"));
    assert!(!slim.has("libssl.so.3"));
    let python = base_image("python3.12-slim").expect("python3.12-slim");
    assert!(python.sonames.is_superset(&slim.sonames));
    assert!(python.has("libpython3.12.so.1.0") && python.has("libssl.so.3"));
    assert_eq!(python.libc_version, slim.libc_version);
}

#[test]
fn musl_answers_its_reserved_names_itself() {
    let alpine = base_image("alpine3.20").expect("alpine3.20");
    for name in [
        "libc.so",
        "libm.so.6",
        "libpthread.so.0",
        "libdl.so.2",
        "librt.so.1",
    ] {
        assert!(!alpine.has(name) && alpine.provides(name), "{name}");
    }
    for name in [
        "libcrypt.so.1",
        "libmvec.so.1",
        "libcurl.so.4",
        "libstdc++.so.6",
        "libc",
    ] {
        assert!(!alpine.provides(name), "{name}");
    }
    assert!(alpine.provides("libz.so.1"));
    let debian = base_image("debian12-slim").expect("debian12-slim");
    assert!(!debian.provides("libc.so") && debian.provides("libc.so.6"));
}
