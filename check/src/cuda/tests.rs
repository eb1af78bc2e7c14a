//! Specifications of the CUDA check: what a package needs, and what a target's driver allows.

use super::*;
use crate::facts::Binary;
use unilock_model::lock::LockedConda;
use unilock_model::target::NoEnvironment;

fn target(spec: &str) -> Target {
    Target::parse(spec, &NoEnvironment).unwrap_or_else(|e| panic!("{}", e.render()))
}

fn pypi(name: &str, version: &str, dependencies: &[&str]) -> LockedPackage {
    LockedPackage {
        name: name.into(),
        ecosystem: Ecosystem::Pypi,
        version: version.into(),
        build: None,
        source: None,
        url: None,
        requested_revision: None,
        directory: None,
        targets: vec![],
        requested_by: vec![],
        dependencies: dependencies.iter().map(|d| d.to_string()).collect(),
        artifacts: vec![],
        dependencies_from_build: false,
        conda: None,
    }
}

/// A locked conda build from a repodata record as a channel serves it.
fn conda_record(json: &str) -> LockedPackage {
    let r: rattler_conda_types::PackageRecord = serde_json::from_str(json).unwrap();
    LockedPackage {
        name: r.name.as_normalized().into(),
        ecosystem: Ecosystem::Conda,
        version: r.version.to_string(),
        build: Some(r.build.to_string()),
        source: None,
        url: None,
        requested_revision: None,
        directory: None,
        targets: vec![],
        requested_by: vec![],
        dependencies: r.depends.clone(),
        artifacts: vec![],
        dependencies_from_build: false,
        conda: Some(LockedConda {
            subdir: r.subdir.clone(),
            build_number: r.build_number,
            constrains: r.constrains.clone(),
            ..LockedConda::default()
        }),
    }
}

fn conda(name: &str, version: &str, depends: &[&str], constrains: &[&str]) -> LockedPackage {
    let list = |l: &[&str]| {
        l.iter()
            .map(|d| format!("\"{d}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    conda_record(&format!(
        r#"{{"name":"{name}","version":"{version}","build":"h0_0","build_number":0,"subdir":"linux-64","depends":[{}],"constrains":[{}]}}"#,
        list(depends),
        list(constrains)
    ))
}

/// conda-forge's pytorch 2.8.0 CUDA 12.9 build, as `../shared/conda-channels/lockfile-union`
/// (conda-forge linux-64) records it (`pytorch-2.8.0-cuda129_mkl_py313_h7947483_302.conda`).
const PYTORCH_CUDA129: &str = r#"{"build": "cuda129_mkl_py313_h7947483_302", "build_number": 0, "constrains": ["pytorch-cpu <0.0a0", "pytorch-gpu 2.8.0"], "depends": ["__cuda", "__glibc >=2.17,<3.0.a0", "_openmp_mutex * *_llvm", "_openmp_mutex >=4.5", "cuda-cudart >=12.9.79,<13.0a0", "cuda-cupti >=12.9.79,<13.0a0", "cuda-nvrtc >=12.9.86,<13.0a0", "cuda-nvtx >=12.9.79,<13.0a0", "cuda-version >=12.9,<13", "cudnn >=9.10.1.4,<10.0a0", "filelock", "fsspec", "jinja2", "libabseil * cxx17*", "libabseil >=20250512.1,<20250513.0a0", "libblas * *mkl", "libcblas >=3.9.0,<4.0a0", "libcublas >=12.9.1.4,<13.0a0", "libcudss >=0.7.1.4,<0.7.2.0a0", "libcufft >=11.4.1.4,<12.0a0", "libcufile >=1.14.1.1,<2.0a0", "libcurand >=10.3.10.19,<11.0a0", "libcusolver >=11.7.5.82,<12.0a0", "libcusparse >=12.5.10.65,<13.0a0", "libgcc >=14", "libmagma >=2.9.0,<2.9.1.0a0", "libprotobuf >=6.31.1,<6.31.2.0a0", "libstdcxx >=14", "libtorch 2.8.0 cuda129_mkl_hf53477d_302", "libuv >=1.51.0,<2.0a0", "libzlib >=1.3.1,<2.0a0", "llvm-openmp >=21.1.4", "mkl >=2025.3.0,<2026.0a0", "nccl >=2.28.7.1,<3.0a0", "networkx", "numpy >=1.23,<3", "optree >=0.13.0", "pybind11", "pybind11-abi 4", "python >=3.13,<3.14.0a0", "python_abi 3.13.* *_cp313", "setuptools", "sleef >=3.9.0,<4.0a0", "sympy >=1.13.3", "triton 3.4.0", "typing_extensions >=4.10.0"], "license": "BSD-3-Clause", "license_family": "BSD", "md5": "04c0be1fd4b1aa41286b5a44fdeecf3c", "name": "pytorch", "sha256": "079a049266603ea51a4d8c669707df94b8b274ef8f2dce758c7415c2d8fde292", "size": 25020901, "subdir": "linux-64", "timestamp": 1762144959813, "version": "2.8.0"}"#;

/// conda-forge's `cuda-version` 12.9 (noarch), from the same snapshot: it constrains `__cuda`.
const CUDA_VERSION_129: &str = r#"{"build": "h4f385c5_3", "build_number": 0, "constrains": ["cudatoolkit 12.9|12.9.*", "__cuda >=12"], "depends": [], "license": "LicenseRef-NVIDIA-End-User-License-Agreement", "md5": "b6d5d7f1c171cbd228ea06b556cfa859", "name": "cuda-version", "sha256": "5f5f428031933f117ff9f7fcc650e6ea1b3fef5936cf84aa24af79167513b656", "size": 21578, "subdir": "noarch", "timestamp": 1746134436166, "version": "12.9"}"#;

/// The CUDA 12 torch wheel set: torch 2.7.1 from PyPI with its NVIDIA runtime wheels.
fn torch_cu12_set() -> (LockedPackage, Vec<LockedPackage>) {
    let torch = pypi(
        "torch",
        "2.7.1",
        &[
            "filelock",
            "nvidia-cuda-runtime-cu12==12.8.90 ; platform_system == 'Linux' and platform_machine == 'x86_64'",
            "nvidia-cublas-cu12==12.8.4.1 ; platform_system == 'Linux' and platform_machine == 'x86_64'",
            "nvidia-cudnn-cu12==9.7.1.26 ; platform_system == 'Linux' and platform_machine == 'x86_64'",
        ],
    );
    let others = vec![
        pypi("filelock", "3.18.0", &[]),
        pypi("nvidia-cuda-runtime-cu12", "12.8.90", &[]),
        pypi("nvidia-cublas-cu12", "12.8.4.1", &[]),
        pypi("nvidia-cudnn-cu12", "9.7.1.26", &["nvidia-cublas-cu12"]),
    ];
    (torch, others)
}

#[test]
fn a_cuda_12_torch_set_against_cuda_11_8_names_the_driver_floor() {
    let (torch, others) = torch_cu12_set();
    let locked: Vec<&LockedPackage> = others.iter().collect();
    let need = need(&torch, &locked, None).unwrap();
    assert_eq!((need.major, need.minor), (12, Some(8)));
    assert_eq!(need.evidence, "depends on nvidia-cuda-runtime-cu12 12.8.90");
    assert_eq!(need.origin, Origin::Runtime);
    let Verdict::Fail(message) = judge(&need, &target("linux-64,cuda=11.8")) else {
        panic!("expected a failure")
    };
    assert_eq!(
        message,
        "uses CUDA 12.8 (depends on nvidia-cuda-runtime-cu12 12.8.90); target cuda=11.8: \
         CUDA 12 needs an NVIDIA driver ≥ 525.60.13 (Windows ≥ 528.33)"
    );
    assert_eq!(judge(&need, &target("linux-64,cuda=12.8")), Verdict::Ok);
    assert_eq!(judge(&need, &target("linux-64,cuda=13.0")), Verdict::Ok);
}

#[test]
fn a_dependency_counts_only_when_it_is_locked_on_the_same_target() {
    // On aarch64 the markers drop the NVIDIA wheels: nothing is locked, nothing is needed.
    let (torch, _) = torch_cu12_set();
    assert_eq!(need(&torch, &[], None), None);
}

#[test]
fn the_nvidia_wheels_need_their_own_cuda() {
    let runtime = pypi("nvidia-cuda-runtime-cu12", "12.4.127", &[]);
    let need_of = |p: &LockedPackage| need(p, &[], None).map(|n| (n.major, n.minor));
    assert_eq!(need_of(&runtime), Some((12, Some(4))));
    assert_eq!(
        need_of(&pypi("nvidia-cublas-cu12", "12.8.4.1", &[])),
        Some((12, None))
    );
    assert_eq!(
        need_of(&pypi("nvidia-cuda-runtime", "13.0.96", &[])),
        Some((13, Some(0)))
    );
    assert_eq!(
        need_of(&pypi("cupy-cuda12x", "13.4.1", &[])),
        Some((12, None))
    );
    assert_eq!(
        need_of(&pypi("cupy-cuda117", "10.6.0", &[])),
        Some((11, Some(7)))
    );
    assert_eq!(
        need_of(&pypi("jax-cuda12-plugin", "0.6.2", &[])),
        Some((12, None))
    );
    for plain in [
        "cuda-python",
        "pycuda",
        "cupy",
        "nvidia-ml-py",
        "torch",
        "cudnn",
    ] {
        assert_eq!(need_of(&pypi(plain, "1.0", &[])), None, "{plain}");
    }
}

#[test]
fn a_cu118_local_version_is_cuda_11_8() {
    let torch = pypi("torch", "2.1.2+cu118", &["filelock"]);
    let need = need(&torch, &[], None).unwrap();
    assert_eq!((need.major, need.minor), (11, Some(8)));
    assert_eq!(need.evidence, "local version +cu118");
    for (local, expected) in [
        ("cu121", (12, Some(1))),
        ("cu128", (12, Some(8))),
        ("cu92", (9, Some(2))),
    ] {
        let p = pypi("torch", &format!("2.0.0+{local}"), &[]);
        let n = super::need(&p, &[], None).unwrap();
        assert_eq!((n.major, n.minor), expected, "{local}");
    }
    assert_eq!(need_of_version("2.1.2+cpu"), None);
    // 11.8 on a 12.4 driver: fine; on 11.4: runs through minor version compatibility.
    assert_eq!(judge(&need, &target("linux-64,cuda=12.4")), Verdict::Ok);
    let Verdict::Warn(message) = judge(&need, &target("linux-64,cuda=11.4")) else {
        panic!("expected a warning")
    };
    assert!(message.contains("minor version compatibility"), "{message}");
    assert!(
        message.contains("CUDA 11 needs an NVIDIA driver ≥ 450.80.02"),
        "{message}"
    );
    assert!(
        message.contains("CUDA 11.8 needs an NVIDIA driver ≥ 520.61.05"),
        "{message}"
    );
}

fn need_of_version(version: &str) -> Option<CudaNeed> {
    need(&pypi("torch", version, &[]), &[], None)
}

#[test]
fn without_a_gpu_a_wheel_warns_and_a_conda_cuda_build_fails() {
    let no_gpu = target("linux-64");
    assert!(no_gpu.cuda.is_none());
    let (torch, others) = torch_cu12_set();
    let locked: Vec<&LockedPackage> = others.iter().collect();
    let wheel = need(&torch, &locked, None).unwrap();
    assert_eq!(
        judge(&wheel, &no_gpu),
        Verdict::Warn(
            "uses CUDA 12.8 (depends on nvidia-cuda-runtime-cu12 12.8.90) when an NVIDIA driver \
             ≥ 525.60.13 is present; target has no GPU (no cuda=), so its CUDA code cannot run there"
                .into()
        )
    );
    let pytorch = conda_record(PYTORCH_CUDA129);
    let build = need(&pytorch, &[], None).unwrap();
    let Verdict::Fail(message) = judge(&build, &no_gpu) else {
        panic!("expected a failure")
    };
    assert!(
        message.contains("conda will not install a build that depends on __cuda"),
        "{message}"
    );
}

#[test]
fn the_conda_forge_pytorch_cuda_build_reads_its_version_beside_a_bare_cuda() {
    let pytorch = conda_record(PYTORCH_CUDA129);
    let need = need(&pytorch, &[], None).unwrap();
    assert_eq!((need.major, need.minor), (12, Some(9)));
    assert_eq!(need.origin, Origin::CondaDepends);
    assert_eq!(need.evidence, "conda: __cuda, with cuda-version >=12.9,<13");
    assert_eq!(need.conda_bound, None);
    let Verdict::Fail(message) = judge(&need, &target("linux-64,cuda=11.8")) else {
        panic!("expected a failure")
    };
    assert!(
        message.contains("CUDA 12 needs an NVIDIA driver ≥ 525.60.13"),
        "{message}"
    );
    // A bare `__cuda` lets conda install it on 12.4: minor version compatibility applies.
    assert!(matches!(
        judge(&need, &target("linux-64,cuda=12.4")),
        Verdict::Warn(_)
    ));
    assert_eq!(judge(&need, &target("linux-64,cuda=12.9")), Verdict::Ok);
    // Without `cuda-version` in its own dependencies, the locked one gives the version.
    let mut bare = conda("somecudalib", "1.0", &["__cuda"], &[]);
    let version = conda_record(CUDA_VERSION_129);
    let n = super::need(&bare, &[&version], None).unwrap();
    assert_eq!((n.major, n.minor), (12, Some(9)));
    assert_eq!(n.evidence, "conda: __cuda, with cuda-version 12.9 locked");
    bare.dependencies = vec!["__cuda".into()];
    let unknown = super::need(&bare, &[], None).unwrap();
    assert_eq!(unknown.major, 0);
    assert_eq!(judge(&unknown, &target("linux-64,cuda=11.2")), Verdict::Ok);
    assert!(judge(&unknown, &target("linux-64")).is_fail());
}

#[test]
fn a_cuda_bound_in_a_conda_dependency_is_enforced_exactly() {
    let build = conda("somecudalib", "1.0", &["__cuda >=12.4"], &[]);
    let need = need(&build, &[], None).unwrap();
    assert_eq!(need.evidence, "conda: __cuda >=12.4");
    assert_eq!(need.conda_bound, Some((12, Some(4))));
    let Verdict::Fail(message) = judge(&need, &target("linux-64,cuda=12.2")) else {
        panic!("expected a failure")
    };
    assert!(
        message.contains("conda will not install it there (__cuda >=12.4)"),
        "{message}"
    );
    assert!(
        message.contains("CUDA 12.4 needs an NVIDIA driver ≥ 550.54.14"),
        "{message}"
    );
    assert_eq!(judge(&need, &target("linux-64,cuda=12.4")), Verdict::Ok);
}

#[test]
fn a_cuda_run_constraint_only_applies_where_a_driver_is() {
    // conda-forge's ffmpeg 7.1.1 GPL builds constrain `__cuda  >=12.8` (two spaces, as served).
    let ffmpeg = conda("ffmpeg", "7.1.1", &["libgcc >=14"], &["__cuda  >=12.8"]);
    let need = need(&ffmpeg, &[], None).unwrap();
    assert_eq!(need.origin, Origin::CondaConstrains);
    assert_eq!(need.evidence, "conda: constrains __cuda >=12.8");
    assert_eq!(judge(&need, &target("linux-64")), Verdict::Ok);
    assert!(judge(&need, &target("linux-64,cuda=12.4")).is_fail());
    assert_eq!(judge(&need, &target("linux-64,cuda=12.8")), Verdict::Ok);
    let version = conda_record(CUDA_VERSION_129);
    let n = super::need(&version, &[], None).unwrap();
    assert_eq!(
        (n.major, n.minor, n.origin),
        (12, None, Origin::CondaConstrains)
    );
    assert!(judge(&n, &target("linux-64,cuda=11.8")).is_fail());
}

#[test]
fn a_binary_linking_the_cuda_runtime_needs_its_major() {
    let facts = ArtifactFacts {
        binaries: vec![Binary {
            path: "onnxruntime/capi/libonnxruntime_providers_cuda.so".into(),
            machine: "x86_64".into(),
            soname: None,
            needed: vec![
                "libcublasLt.so.12".into(),
                "libcublas.so.12".into(),
                "libcudart.so.12".into(),
            ],
            rpath: vec![],
            runpath: vec![],
            version_needs: vec![],
            x86_64_level: None,
        }],
        libraries: vec![],
        problems: vec![],
    };
    let wheel = pypi("onnxruntime-gpu", "1.22.0", &[]);
    let need = need(&wheel, &[], Some(&facts)).unwrap();
    assert_eq!((need.major, need.minor), (12, None));
    assert_eq!(
        need.evidence,
        "onnxruntime/capi/libonnxruntime_providers_cuda.so needs libcublas.so.12"
    );
    assert!(judge(&need, &target("linux-64,cuda=11.8")).is_fail());
    assert_eq!(need_of_version("2.0.0"), None);
}

#[test]
fn driver_floors_follow_nvidias_tables() {
    let linux = |major, minor| driver_floor(major, minor).map(|f| f.linux);
    assert_eq!(linux(11, None), Some("450.80.02"));
    assert_eq!(linux(12, None), Some("525.60.13"));
    assert_eq!(linux(13, None), Some("580"));
    assert_eq!(linux(11, Some(8)), Some("520.61.05"));
    assert_eq!(linux(12, Some(0)), Some("525.60.13"));
    assert_eq!(linux(12, Some(1)), Some("530.30.02"));
    assert_eq!(linux(12, Some(8)), Some("570.26"));
    assert_eq!(linux(12, Some(9)), Some("575.51.03"));
    assert_eq!(linux(13, Some(0)), Some("580.65.06"));
    assert_eq!(driver_floor(12, Some(8)).map(|f| f.windows), Some("570.65"));
    // 12.7 was never released: the family floor stands in.
    assert_eq!(linux(12, Some(7)), Some("525.60.13"));
    // Before CUDA 11 there is no minor version compatibility.
    assert_eq!(linux(10, None), Some("410.48"));
    assert_eq!(linux(10, Some(2)), Some("440.33"));
    assert_eq!(linux(7, None), None);
    assert_eq!(linux(14, None), None);
}
