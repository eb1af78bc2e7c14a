//! `unilock targets` and `unilock targets describe`: what a target string means.
//!
//! The JSON shapes are documented in docs/targets.md and are stable.

use super::print;
use crate::cli::{DescribeArgs, TargetsArgs, TargetsCommand};
use serde_json::{Value, json};
use unilock_model::Diagnostic;
use unilock_model::target::platform::{NameKind, PLATFORM_NAMES};
use unilock_model::target::{self, OVERRIDE_KEYS, PRESETS, Preset, Target};

/// How many wheel tags the text output shows unless `--all-tags` is given.
const TAGS_SHOWN: usize = 12;

pub fn run(args: TargetsArgs) -> Result<(), Diagnostic> {
    match args.command {
        Some(TargetsCommand::Describe(d)) => describe(d),
        None if args.json => print(&pretty(&list_json())),
        None => print(&list_text()),
    }
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.push('\n');
    text
}

fn preset_json(p: &Preset) -> Value {
    let platform = target::Platform {
        os: p.os,
        arch: p.arch,
    };
    json!({
        "name": p.name,
        "aliases": p.aliases,
        "description": p.description,
        "os": p.os,
        "arch": p.arch,
        "conda_subdir": platform.conda_subdir(),
        "libc": p.libc.map(|(family, version)| json!({"family": family, "version": version})),
        "linux_kernel": p.linux_kernel,
        "macos": p.macos,
    })
}

fn list_json() -> Value {
    let platforms: Vec<Value> = PLATFORM_NAMES
        .iter()
        .map(|n| {
            json!({
                "name": n.name,
                "kind": n.kind,
                "os": n.platform.os,
                "arch": n.platform.arch,
                "conda_subdir": n.platform.conda_subdir(),
                "libc": n.libc,
            })
        })
        .collect();
    json!({
        "presets": PRESETS.iter().map(preset_json).collect::<Vec<_>>(),
        "platforms": platforms,
        "defaults": {
            "python": target::DEFAULT_PYTHON,
            "implementation": "cpython",
            "glibc": target::DEFAULT_GLIBC,
            "musl": target::DEFAULT_MUSL,
            "linux_kernel": target::DEFAULT_LINUX_KERNEL,
            "macos": target::DEFAULT_MACOS,
            "cuda": null,
            "cpu": "the platform's generic machine (x86_64, aarch64, arm64, ...)",
        },
        "overrides": OVERRIDE_KEYS.iter().map(|(k, e)| json!({"key": k, "expected": e})).collect::<Vec<_>>(),
    })
}

fn list_text() -> String {
    let mut out = String::from("Presets:\n");
    out.push_str(&format!(
        "  {:<18} {:<14} {:<13} {:<8} {}\n",
        "NAME", "PLATFORM", "LIBC/MACOS", "KERNEL", "DESCRIPTION"
    ));
    for p in PRESETS {
        let platform = target::Platform {
            os: p.os,
            arch: p.arch,
        };
        let libc = match (p.libc, p.macos) {
            (Some((family, v)), _) => format!("{} {v}", family.as_str()),
            (None, Some(v)) => format!("macOS {v}"),
            _ => "-".into(),
        };
        let aliases = if p.aliases.is_empty() {
            String::new()
        } else {
            format!(" (also: {})", p.aliases.join(", "))
        };
        out.push_str(&format!(
            "  {:<18} {:<14} {:<13} {:<8} {}{aliases}\n",
            p.name,
            platform.conda_subdir(),
            libc,
            p.linux_kernel.unwrap_or("-"),
            p.description
        ));
    }
    for (title, kind) in [
        ("Conda subdirs", NameKind::CondaSubdir),
        ("Docker platforms", NameKind::Docker),
        ("Rust triples", NameKind::RustTriple),
    ] {
        let names: Vec<&str> = PLATFORM_NAMES
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.name)
            .collect();
        out.push_str(&format!("\n{title}:\n  {}\n", names.join(", ")));
    }
    out.push_str(&format!(
        "\nDefaults: python {}, glibc {} (musl {} for -musl triples), kernel {}, macOS {}, no CUDA, generic CPU.\n",
        target::DEFAULT_PYTHON,
        target::DEFAULT_GLIBC,
        target::DEFAULT_MUSL,
        target::DEFAULT_LINUX_KERNEL,
        target::DEFAULT_MACOS
    ));
    out.push_str("\nOverrides (append as ,key=value):\n");
    for (key, expected) in OVERRIDE_KEYS {
        out.push_str(&format!("  {key:<15} {expected}\n"));
    }
    out
}

fn read_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn describe(args: DescribeArgs) -> Result<(), Diagnostic> {
    let t = Target::parse(&args.target, &read_env)?;
    if args.json {
        return print(&pretty(&describe_json(&t)));
    }
    print(&describe_text(&t, args.all_tags))
}

fn describe_json(t: &Target) -> Value {
    let vps: Vec<Value> = t
        .virtual_packages()
        .into_iter()
        .map(|v| json!({"name": v.name, "version": v.version, "build": v.build}))
        .collect();
    json!({
        "target": t.spec(),
        "preset": t.preset.map(|p| p.name),
        "platform": {
            "os": t.platform.os,
            "arch": t.platform.arch,
            "conda_subdir": t.platform.conda_subdir(),
            "docker": t.platform.docker(),
            "machine": t.platform.machine(),
        },
        "libc": t.libc.as_ref().map(|l| json!({"family": l.family, "version": l.version.to_string()})),
        "linux_kernel": t.linux_kernel.as_ref().map(ToString::to_string),
        "macos": t.macos.as_ref().map(ToString::to_string),
        "python": {
            "implementation": t.implementation.name(),
            "version": t.python.to_string(),
            "free_threaded": t.python.free_threaded,
        },
        "cuda": t.cuda.as_ref().map(ToString::to_string),
        "cpu": {"name": t.cpu, "x86_64_level": t.x86_64_level()},
        "sources": t.sources,
        "markers": t.marker_values(),
        "wheel_tags": t.wheel_tags(),
        "virtual_packages": vps,
    })
}

fn describe_text(t: &Target, all_tags: bool) -> String {
    let mut out = format!("Target {}\n", t.spec());
    let source = |key: &str| {
        t.sources
            .get(key)
            .map_or(String::new(), |s| format!("  ({s})"))
    };
    if let Some(p) = t.preset {
        out.push_str(&format!(
            "  preset          {} — {}\n",
            p.name, p.description
        ));
    }
    out.push_str(&format!(
        "  platform        {} ({}, {}){}\n",
        t.platform.conda_subdir(),
        t.platform.os.as_str(),
        t.platform.arch,
        source("arch")
    ));
    if let Some(l) = &t.libc {
        out.push_str(&format!(
            "  libc            {} {}{}\n",
            l.family.as_str(),
            l.version,
            source("libc_version")
        ));
    }
    if let Some(k) = &t.linux_kernel {
        out.push_str(&format!("  linux kernel    {k}{}\n", source("linux")));
    }
    if let Some(m) = &t.macos {
        out.push_str(&format!("  macOS           {m}{}\n", source("macos")));
    }
    let free = if t.python.free_threaded {
        ", free-threaded"
    } else {
        ""
    };
    out.push_str(&format!(
        "  python          {} {}{free}{}\n",
        t.implementation.display_name(),
        t.python,
        source("python")
    ));
    let cuda = t
        .cuda
        .as_ref()
        .map_or_else(|| "none".to_string(), ToString::to_string);
    out.push_str(&format!("  cuda driver     {cuda}{}\n", source("cuda")));
    let level = t
        .x86_64_level()
        .map_or(String::new(), |l| format!(" (x86-64-v{l})"));
    out.push_str(&format!(
        "  cpu             {}{level}{}\n",
        t.cpu,
        source("cpu")
    ));

    out.push_str("\nPEP 508 markers:\n");
    for (k, v) in t.marker_values() {
        out.push_str(&format!("  {k:<31} {v:?}\n"));
    }
    out.push_str("\nConda virtual packages:\n");
    for v in t.virtual_packages() {
        out.push_str(&format!("  {}={}={}\n", v.name, v.version, v.build));
    }
    let tags = t.wheel_tags();
    out.push_str(&format!("\nWheel tags ({}, best first):\n", tags.len()));
    let shown = if all_tags {
        tags.len()
    } else {
        TAGS_SHOWN.min(tags.len())
    };
    for tag in &tags[..shown] {
        out.push_str(&format!("  {tag}\n"));
    }
    if shown < tags.len() {
        out.push_str(&format!(
            "  … {} more (--all-tags or --json to see them)\n",
            tags.len() - shown
        ));
    }
    out
}
