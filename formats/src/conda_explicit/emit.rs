//! Writing an explicit file in unilock's canonical form (`docs/conda-explicit-format.md`):
//!
//! ```text
//! # platform: linux-64
//! @EXPLICIT
//! https://host/channel/linux-64/python-3.12.3-h4a7b5fc_0_cpython.conda#8643ab37bece6ae8f112464068d9df9c
//! https://host/channel/noarch/setuptools-69.5.1-pyhd8ed1ab_0.conda#sha256:72d14340…
//! # pip requests @ https://host/files/requests-2.32.3-py3-none-any.whl#sha256=70761cfe…
//! ```
//!
//! The platform line only when the platform is known; each package with its MD5 as conda,
//! conda-lock and pixi write it, or `sha256:` and its SHA-256 when the MD5 is not known; PyPI
//! packages last, as conda-lock's `# pip` lines.

use super::ExplicitFile;

/// Writes `file` as an explicit file.
pub fn emit(file: &ExplicitFile) -> String {
    let mut out = String::new();
    if let Some(platform) = &file.platform {
        out.push_str(&format!("# platform: {platform}\n"));
    }
    out.push_str("@EXPLICIT\n");
    for p in &file.packages {
        out.push_str(&p.url);
        match (&p.md5, &p.sha256) {
            (Some(md5), _) => out.push_str(&format!("#{md5}")),
            (None, Some(sha256)) => out.push_str(&format!("#sha256:{sha256}")),
            (None, None) => {}
        }
        out.push('\n');
    }
    for p in &file.pip {
        out.push_str(&format!("# pip {} @ {}", p.name, p.url));
        if let Some(sha256) = &p.sha256 {
            out.push_str(&format!("#sha256={sha256}"));
        }
        out.push('\n');
    }
    out
}
