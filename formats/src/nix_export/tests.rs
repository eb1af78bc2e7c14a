//! The Nix export, specified on a hand-written lock (corpus/fixtures/nix-export/unilock.lock)
//! against reviewed golden files beside it. `UNILOCK_UPDATE_GOLDEN=1` rewrites the golden
//! files instead of comparing (then review the diff).

use super::*;
use crate::flake_lock;
use std::path::PathBuf;
use unilock_model::ErrorKind;

const LOCK: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/fixtures/nix-export/unilock.lock"
));
const INPUT_FLAKE_LOCK: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/fixtures/nix-export/input-flake.lock"
));
const REV: &str = "0123456789abcdef0123456789abcdef01234567";
const LINUX: &str = "linux-64,python=3.12";
const MACOS: &str = "osx-arm64,python=3.12";

fn lock() -> Lock {
    Lock::from_toml(LOCK, "unilock.lock").unwrap_or_else(|e| panic!("{}", e.render()))
}

fn by_rev() -> NixOptions {
    NixOptions {
        nixpkgs_rev: Some(REV.into()),
        input_flake_lock: None,
    }
}

fn from_input() -> NixOptions {
    NixOptions {
        nixpkgs_rev: None,
        input_flake_lock: Some(INPUT_FLAKE_LOCK.into()),
    }
}

fn export(target: &str, options: &NixOptions) -> NixExport {
    from_lock(&lock(), target, options).unwrap_or_else(|e| panic!("{}", e.render()))
}

fn error(target: &str, options: &NixOptions) -> Diagnostic {
    match from_lock(&lock(), target, options) {
        Ok(_) => panic!("exported {target}"),
        Err(e) => e,
    }
}

/// Compares `actual` with the golden file `name`, or writes it under UNILOCK_UPDATE_GOLDEN.
fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/fixtures/nix-export")
        .join(name);
    if std::env::var_os("UNILOCK_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (UNILOCK_UPDATE_GOLDEN=1 writes it)",
            path.display()
        )
    });
    assert_eq!(actual, expected, "{} differs", path.display());
}

#[test]
fn linux_shell_pinned_by_rev() {
    let out = export(LINUX, &by_rev());
    golden("linux-64.flake.nix", &out.flake_nix);
    golden("linux-64.flake.lock", &out.flake_lock);
    golden("linux-64.notes.txt", &(out.notes.join("\n") + "\n"));
}

#[test]
fn macos_shell_pinned_from_an_input_flake_lock() {
    let out = export(MACOS, &from_input());
    golden("osx-arm64.flake.nix", &out.flake_nix);
    golden("osx-arm64.flake.lock", &out.flake_lock);
    golden("osx-arm64.notes.txt", &(out.notes.join("\n") + "\n"));
}

/// The written lock is a flake.lock unilock reads, whose root input `nixpkgs` is the input
/// lock's nixpkgs node, `narHash` and `lastModified` included.
#[test]
fn the_nixpkgs_node_of_the_input_lock_is_copied_whole() {
    let input = flake_lock::parse("in", INPUT_FLAKE_LOCK).unwrap();
    let out = export(LINUX, &from_input());
    let written = flake_lock::parse("out", &out.flake_lock).unwrap();
    let key = written.resolve(&["nixpkgs".into()]).unwrap();
    assert_eq!(
        written.nodes[key].locked, input.nodes["nixpkgs_2"].locked,
        "{}",
        out.flake_lock
    );
    assert_eq!(written.nodes.len(), 2, "only root and nixpkgs");
    // flake.nix names the input exactly as the lock's `original`, so Nix sees it current.
    assert!(out.flake_nix.contains(
        "  inputs.nixpkgs = {\n    owner = \"NixOS\";\n    ref = \"nixos-unstable\";\n    repo = \"nixpkgs\";\n    type = \"github\";\n  };"
    ), "{}", out.flake_nix);
    // The same commit given both ways is accepted.
    let both = NixOptions {
        nixpkgs_rev: Some("bc947f541ae55e999ffdb4013441347d83b00feb".into()),
        input_flake_lock: Some(INPUT_FLAKE_LOCK.into()),
    };
    assert_eq!(export(LINUX, &both).flake_lock, out.flake_lock);
}

#[test]
fn a_version_5_input_lock_gives_its_info_hashes() {
    let v5 = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../corpus/fixtures/flake-lock/version-5.lock"
    ));
    let input = flake_lock::parse("v5", v5).unwrap();
    let key = input.resolve(&["nixpkgs".into()]).unwrap();
    let options = NixOptions {
        nixpkgs_rev: None,
        input_flake_lock: Some(v5.into()),
    };
    let out = export(LINUX, &options);
    let written = flake_lock::parse("out", &out.flake_lock).unwrap();
    let locked = written.nodes["nixpkgs"].locked.as_ref().unwrap();
    let info = input.nodes[key].info.as_ref().unwrap();
    assert_eq!(locked.attrs.get("narHash"), info.get("narHash"));
}

/// Every conda package of the target is placed somewhere the reader sees: a nixpkgs
/// attribute's comment, the "need nothing" comments, or the notes.
#[test]
fn no_conda_package_is_dropped_silently() {
    let lock = lock();
    for target in [LINUX, MACOS] {
        let out = export(target, &by_rev());
        let seen = format!("{}\n{}", out.flake_nix, out.notes.join("\n"));
        for p in lock.packages.iter().filter(|p| {
            p.ecosystem == unilock_model::Ecosystem::Conda && p.targets.iter().any(|t| t == target)
        }) {
            assert!(
                seen.contains(&format!("{} {}", p.name, p.version)),
                "{target}: conda {} {} is nowhere in\n{seen}",
                p.name,
                p.version
            );
        }
    }
}

#[test]
fn prebuilt_linux_wheels_get_ld_library_path_and_say_why() {
    let out = export(LINUX, &by_rev());
    let nix = &out.flake_nix;
    assert!(
        nix.contains("pkgs.stdenv.cc.cc.lib # for numpy, opencv-python"),
        "{nix}"
    );
    assert!(nix.contains("pkgs.libGL # for opencv-python"), "{nix}");
    assert!(nix.contains("export LD_LIBRARY_PATH="), "{nix}");
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("libGL") && n.contains("opencv-python")),
        "{:?}",
        out.notes
    );
    // The pure wheel and the sdist need no wiring.
    assert!(
        !nix.contains("for idna") && !nix.contains("docopt,"),
        "{nix}"
    );
    // macOS wheels link system frameworks only: no wiring at all.
    let mac = export(MACOS, &by_rev());
    assert!(
        !mac.flake_nix.contains("LD_LIBRARY_PATH"),
        "{}",
        mac.flake_nix
    );
    assert!(!mac.notes.iter().any(|n| n.contains("LD_LIBRARY_PATH")));
}

#[test]
fn the_venv_requirements_are_the_target_pins_with_hashes() {
    let out = export(LINUX, &by_rev());
    let nix = &out.flake_nix;
    assert!(
        nix.contains("        --index-url file:///srv/index/simple\n"),
        "{nix}"
    );
    assert!(
        nix.contains(&format!(
            "        opencv-python==4.10.0.84 \\\n            --hash=sha256:{}\n",
            "d".repeat(64)
        )),
        "{nix}"
    );
    // The macOS wheel's hash is not on the Linux target.
    assert!(!nix.contains(&"c".repeat(64)), "{nix}");
    // The conda build of numpy becomes a venv pin.
    assert!(nix.contains("        numpy==2.1.0\n"), "{nix}");
    assert!(nix.contains("python = pkgs.python312;"), "{nix}");
}

#[test]
fn windows_targets_are_refused() {
    let e = error("win-64,python=3.12", &by_rev());
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert_eq!(e.kind().exit_code(), 2);
    assert!(e.message().contains("no Nix system"), "{}", e.render());
}

#[test]
fn an_unknown_target_names_the_lock_targets() {
    let e = error("linux-aarch64", &by_rev());
    assert_eq!(e.kind().exit_code(), 2);
    assert!(
        e.render()
            .contains("linux-64,python=3.12, osx-arm64,python=3.12"),
        "{}",
        e.render()
    );
    // A conda subdir naming exactly one target selects it.
    assert_eq!(export("linux-64", &by_rev()), export(LINUX, &by_rev()));
}

#[test]
fn nixpkgs_must_be_pinned() {
    let e = error(LINUX, &NixOptions::default());
    assert_eq!(e.kind().exit_code(), 2);
    let text = e.render();
    assert!(
        text.contains("--nixpkgs-rev") && text.contains("--nixpkgs-from"),
        "{text}"
    );
}

#[test]
fn a_rev_that_is_not_a_commit_is_refused() {
    for rev in [
        "nixos-24.05",
        "0123456",
        &"A".repeat(40),
        &format!("{REV}0"),
    ] {
        let e = error(
            LINUX,
            &NixOptions {
                nixpkgs_rev: Some(rev.to_string()),
                input_flake_lock: None,
            },
        );
        assert_eq!(e.kind().exit_code(), 2, "{rev}");
        assert!(
            e.render().contains("40 lowercase hexadecimal"),
            "{}",
            e.render()
        );
    }
}

#[test]
fn a_rev_that_disagrees_with_the_input_lock_is_refused() {
    let e = error(
        LINUX,
        &NixOptions {
            nixpkgs_rev: Some(REV.into()),
            input_flake_lock: Some(INPUT_FLAKE_LOCK.into()),
        },
    );
    assert_eq!(e.kind().exit_code(), 2);
    assert!(e.message().contains("differ"), "{}", e.render());
}

#[test]
fn input_locks_without_a_locked_nixpkgs_are_refused() {
    let cases = [
        // No `nixpkgs` input at the root.
        (
            INPUT_FLAKE_LOCK.replace("\"nixpkgs\": \"nixpkgs_2\"", "\"pkgs\": \"nixpkgs_2\""),
            "its inputs: flake-utils, pkgs",
        ),
        // nixpkgs without its narHash.
        (
            INPUT_FLAKE_LOCK.replace(
                "\"narHash\": \"sha256-NOiTvBbRLIOe5F6RbHaAh6++BNjsb149fGZd1T4+KBg=\",\n",
                "",
            ),
            "no `narHash`",
        ),
        // Not a flake.lock at all: the parser's located error.
        ("{ nodes".to_string(), "flake.lock (--nixpkgs-from):1:"),
    ];
    for (text, expected) in cases {
        let e = error(
            LINUX,
            &NixOptions {
                nixpkgs_rev: None,
                input_flake_lock: Some(text),
            },
        );
        assert_eq!(e.kind().exit_code(), 2);
        assert!(e.render().contains(expected), "{expected}: {}", e.render());
    }
}

#[test]
fn python_attributes() {
    let t = |python: &str| LockedTarget {
        name: "t".into(),
        key: None,
        conda_subdir: "linux-64".into(),
        python: python.into(),
        virtual_packages: vec![],
    };
    assert_eq!(python_attribute(&t("3.11")).unwrap(), "python311");
    assert_eq!(
        python_attribute(&t("3.13t")).unwrap(),
        "python313FreeThreading"
    );
    assert_eq!(
        python_attribute(&t("2.7")).unwrap_err().kind().exit_code(),
        2
    );
    assert_eq!(python_attribute(&t("3")).unwrap_err().kind().exit_code(), 2);
}

/// `nix` itself (the Debian `nix-bin` package, installed by scripts/install-test-tools.sh)
/// locks and evaluates a written flake, offline: nixpkgs is a stub flake on disk that provides
/// the attributes the shell uses, taken through an input flake.lock whose `nixpkgs` node Nix
/// locked itself (narHash included). `--no-update-lock-file` makes Nix refuse a flake.lock that
/// does not match the flake.nix; the shell hook and the requirements file uv reads are then
/// compared with what the export meant.
#[test]
fn nix_locks_and_evaluates_the_written_flake() {
    let Some(nix) = nix() else { return };
    let dir = std::env::temp_dir().join(format!("unilock-nix-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (stub, shell) = (dir.join("nixpkgs"), dir.join("shell"));
    std::fs::create_dir_all(&stub).unwrap();
    std::fs::create_dir_all(&shell).unwrap();
    std::fs::write(stub.join("flake.nix"), STUB_NIXPKGS).unwrap();

    // Nix locks the stub: its `locked` (with narHash) becomes the input lock's nixpkgs node.
    let stub_ref = format!("path:{}", stub.display());
    let metadata = run(&nix, &["flake", "metadata", "--json", &stub_ref]);
    let metadata: serde_json::Value = serde_json::from_str(&metadata).unwrap();
    let input_lock = serde_json::json!({
        "nodes": {
            "nixpkgs": { "locked": metadata["locked"], "original": metadata["original"] },
            "root": { "inputs": { "nixpkgs": "nixpkgs" } },
        },
        "root": "root",
        "version": 7,
    });
    let out = export(
        LINUX,
        &NixOptions {
            nixpkgs_rev: None,
            input_flake_lock: Some(input_lock.to_string()),
        },
    );
    std::fs::write(shell.join("flake.nix"), &out.flake_nix).unwrap();
    std::fs::write(shell.join("flake.lock"), &out.flake_lock).unwrap();

    let flake = format!("path:{}", shell.display());
    run(
        &nix,
        &["flake", "metadata", "--no-update-lock-file", &flake],
    );
    let shell_attr = format!("{flake}#devShells.x86_64-linux.default");
    let hook = run(
        &nix,
        &[
            "eval",
            "--no-update-lock-file",
            "--raw",
            &format!("{shell_attr}.shellHook"),
        ],
    );
    let store = "/nix/store/00000000000000000000000000000000";
    assert!(
        hook.contains(&format!(
            "export LD_LIBRARY_PATH=\"{store}-gcc-lib/lib:{store}-zlib/lib:{store}-glib/lib:{store}-libGL/lib${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}\"\n"
        )),
        "{hook}"
    );
    assert!(
        hook.contains(&format!("export UV_PYTHON=\"{store}-python3/bin/python\"")),
        "{hook}"
    );
    let requirements = hook
        .lines()
        .find_map(|l| l.strip_prefix("uv pip sync --python .venv/bin/python "))
        .unwrap_or_else(|| panic!("no uv pip sync in {hook}"));
    let written = std::fs::read_to_string(requirements.trim()).unwrap();
    let plan = plan::plan(&lock(), LINUX, "x86_64-linux").unwrap();
    assert_eq!(written, plan.requirements);
    assert!(
        written.contains("opencv-python==4.10.0.84 \\\n    --hash=sha256:"),
        "{written}"
    );
    let packages = run(
        &nix,
        &[
            "eval",
            "--no-update-lock-file",
            "--json",
            &format!("{shell_attr}.packages"),
            "--apply",
            "map (p: p.name)",
        ],
    );
    assert_eq!(
        packages.trim(),
        r#"["python3","uv","openssl","gcc-lib","zlib"]"#
    );

    // Pinned by commit alone: Nix accepts the lock without narHash as current (it does not
    // fetch nixpkgs for metadata, so this runs offline too) and shows the commit.
    let by_commit = dir.join("by-commit");
    std::fs::create_dir_all(&by_commit).unwrap();
    let out = export(LINUX, &by_rev());
    std::fs::write(by_commit.join("flake.nix"), &out.flake_nix).unwrap();
    std::fs::write(by_commit.join("flake.lock"), &out.flake_lock).unwrap();
    let metadata = run(
        &nix,
        &[
            "flake",
            "metadata",
            "--json",
            "--no-update-lock-file",
            &format!("path:{}", by_commit.display()),
        ],
    );
    let metadata: serde_json::Value = serde_json::from_str(&metadata).unwrap();
    assert_eq!(metadata["locks"]["nodes"]["nixpkgs"]["locked"]["rev"], REV);
    let _ = std::fs::remove_dir_all(&dir);
}

/// nixpkgs as far as the Linux shell of the fixture lock uses it.
const STUB_NIXPKGS: &str = r#"{
  outputs = { self }: {
    legacyPackages.x86_64-linux = let
      pkg = name: { outPath = "/nix/store/00000000000000000000000000000000-${name}"; inherit name; };
    in {
      python312 = pkg "python3"; uv = pkg "uv"; openssl = pkg "openssl"; zlib = pkg "zlib";
      glib = pkg "glib"; libGL = pkg "libGL";
      stdenv.cc.cc.lib = pkg "gcc-lib";
      mkShell = args: args;
      writeText = name: text: builtins.toFile name text;
      lib.makeLibraryPath = ps: builtins.concatStringsSep ":" (map (p: "${p}/lib") ps);
    };
  };
}
"#;

/// The `nix` command, or `None` (with a visible message) when it is not installed; under CI
/// its absence fails the test, as scripts/install-test-tools.sh installs it.
fn nix() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("nix"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("`nix` is missing: .ci/run installs it with scripts/install-test-tools.sh");
        }
        eprintln!(
            "SKIPPED: `nix` is missing; run scripts/install-test-tools.sh (Debian's nix-bin)"
        );
    }
    found
}

/// Runs nix with flakes enabled, offline; its stdout, or a panic with its stderr.
fn run(nix: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(nix)
        .args([
            "--extra-experimental-features",
            "nix-command flakes",
            "--offline",
        ])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", nix.display()));
    assert!(
        out.status.success(),
        "nix {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
