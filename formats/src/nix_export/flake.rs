//! The `flake.nix` text: one `devShells.<system>.default` built with `pkgs.mkShell`, holding
//! the target's Python, uv and the native packages, with a `shellHook` that puts the FHS
//! libraries on `LD_LIBRARY_PATH` (Linux), creates `.venv` with uv from nixpkgs' Python and
//! syncs it to the requirements, which are embedded in the flake (`pkgs.writeText`) so the
//! flake and its lock are the whole export. Every value from the lock is written as a Nix
//! string literal ([`string`], [`indented`]), so nothing in a lock can change the Nix code.

use super::plan::Plan;
use crate::flake_lock::Attr;
use std::collections::BTreeMap;
use std::fmt::Write;

pub(super) struct Flake<'a> {
    pub target: &'a str,
    pub system: &'a str,
    pub python: &'a str,
    /// `inputs.nixpkgs`, as attributes (`type` included).
    pub nixpkgs: &'a BTreeMap<String, Attr>,
    pub plan: &'a Plan,
}

pub(super) fn write(f: &Flake<'_>) -> String {
    let mut out = String::new();
    let target = comment(f.target);
    // Who wrote it and how to write it again is the export's header, above this.
    let _ = writeln!(
        out,
        "# A Nix dev shell for target `{target}`; `nix develop` enters it:"
    );
    out.push_str(
        "# nixpkgs gives Python, uv and the native libraries; uv keeps `.venv` synced to the\n\
         # PyPI pins below. See docs/nix-export.md in unilock.\n",
    );
    out.push_str("{\n");
    let _ = writeln!(
        out,
        "  description = {};\n",
        string(&format!("Dev shell for target {}", f.target))
    );
    out.push_str("  inputs.nixpkgs = {\n");
    for (key, value) in f.nixpkgs {
        let value = match value {
            Attr::String(s) => string(s),
            Attr::Integer(n) => n.to_string(),
            Attr::Bool(b) => b.to_string(),
        };
        let _ = writeln!(out, "    {} = {value};", attr_name(key));
    }
    out.push_str("  };\n\n");
    out.push_str("  outputs = { self, nixpkgs }:\n    let\n");
    let _ = writeln!(out, "      system = {};", string(f.system));
    out.push_str("      pkgs = nixpkgs.legacyPackages.${system};\n");
    let _ = writeln!(out, "      python = pkgs.{};", f.python);

    out.push_str("      # Conda packages of the lock, from nixpkgs.\n");
    list(
        &mut out,
        "nativePackages",
        f.plan.native.iter().map(|n| {
            (
                n.attribute.to_string(),
                format!("conda {}", n.conda.join(", ")),
            )
        }),
    );
    if !f.plan.nothing.is_empty() {
        out.push_str("      # Conda packages that need nothing here:\n");
        for (label, why) in &f.plan.nothing {
            let _ = writeln!(out, "      #   {}: {}", comment(label), comment(why));
        }
    }
    let linux = f.system.ends_with("-linux");
    if linux {
        out.push_str(
            "      # Libraries that prebuilt Linux wheels load from an FHS system, put on\n\
             \x20     # LD_LIBRARY_PATH (a Nix system has them only in the store).\n",
        );
        list(
            &mut out,
            "fhsLibraries",
            f.plan.fhs.iter().map(|l| {
                let packages: Vec<&str> = l.packages.iter().map(String::as_str).collect();
                (l.attribute.clone(), format!("for {}", packages.join(", ")))
            }),
        );
    }
    out.push_str("      # The PyPI pins of the lock for this target; uv syncs .venv to them.\n");
    let _ = writeln!(
        out,
        "      requirements = pkgs.writeText \"requirements.txt\" {};",
        indented(&f.plan.requirements, "        ")
    );
    out.push_str("    in\n    {\n");
    out.push_str("      devShells.${system}.default = pkgs.mkShell {\n");
    out.push_str("        packages = [ python pkgs.uv ] ++ nativePackages;\n");
    out.push_str("        shellHook = ''\n");
    if linux {
        out.push_str(
            "          export LD_LIBRARY_PATH=\"${pkgs.lib.makeLibraryPath fhsLibraries}''${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\"\n",
        );
    }
    out.push_str(
        "          export UV_PYTHON=\"${python}/bin/python\"\n\
         \x20         export UV_PYTHON_DOWNLOADS=never\n\
         \x20         uv venv --allow-existing .venv\n\
         \x20         uv pip sync --python .venv/bin/python ${requirements}\n\
         \x20         source .venv/bin/activate\n",
    );
    out.push_str("        '';\n      };\n    };\n}\n");
    out
}

/// `name = [ pkgs.a # why ... ];`
fn list(out: &mut String, name: &str, items: impl Iterator<Item = (String, String)>) {
    let items: Vec<(String, String)> = items.collect();
    if items.is_empty() {
        let _ = writeln!(out, "      {name} = [ ];");
        return;
    }
    let _ = writeln!(out, "      {name} = [");
    for (attribute, why) in items {
        let _ = writeln!(out, "        pkgs.{attribute} # {}", comment(&why));
    }
    out.push_str("      ];\n");
}

/// Text for a `#` comment: one line.
fn comment(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// An attribute name: bare when Nix reads it bare, quoted otherwise.
fn attr_name(name: &str) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-'".contains(c));
    if bare { name.to_string() } else { string(name) }
}

/// A Nix double-quoted string literal of `text`.
pub(super) fn string(text: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Nix indented string (`''…''`) whose value is `text`, each line indented by `indent`
/// (Nix strips the common indentation). `''` is written `'''`, `${` as `''${`, and a lone `'`
/// right before `${` as `${"'"}` (so it cannot join the escape that follows it).
pub(super) fn indented(text: &str, indent: &str) -> String {
    let mut out = String::from("''\n");
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(indent);
            let chars: Vec<char> = line.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                let next = chars.get(i + 1).copied();
                match chars[i] {
                    '\'' if next == Some('\'') => {
                        out.push_str("'''");
                        i += 1;
                    }
                    '\'' if next == Some('$') && chars.get(i + 2) == Some(&'{') => {
                        out.push_str("${\"'\"}");
                    }
                    '$' if next == Some('{') => out.push_str("''$"),
                    c => out.push(c),
                }
                i += 1;
            }
        }
        out.push('\n');
    }
    // The closing quotes on a line of their own, which Nix drops with its whitespace.
    out.push_str(&indent[..indent.len().saturating_sub(2)]);
    out.push_str("''");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_what_nix_reads_specially() {
        assert_eq!(string(r#"a"b\c${d}$e"#), r#""a\"b\\c\${d}$e""#);
        assert_eq!(
            indented("x''y ${z} '${w}\n\nq", "    "),
            "''\n    x'''y ''${z} ${\"'\"}''${w}\n\n    q\n  ''"
        );
        assert_eq!(attr_name("owner"), "owner");
        assert_eq!(attr_name("a.b"), "\"a.b\"");
    }
}
