//! Git repositories named by direct references (`name @ git+https://host/org/repo.git@v1.2#subdirectory=python`),
//! read with the `git` command-line program, as uv reads them.
//!
//! [`GitUrl::parse`] reads the URL: `git+https://`, `git+http://`, `git+ssh://` or
//! `git+file://`, an optional `@rev` after the path (a branch, a tag or a commit id, full or
//! abbreviated) and the fragment's `subdirectory=` (`egg=` is ignored). [`checkout`] gives the
//! tree at the commit the rev names:
//!
//! - each repository has a bare mirror in the cache, `git-v1/db/<hash>` (the hash of its URL
//!   without credentials), into which branches, tags and `HEAD` are fetched; a full 40-hex
//!   commit id the mirror already has is used without the network;
//! - the commit is checked out once into `git-v1/checkouts/<hash>/<commit>` (a local clone
//!   of the mirror, `.git` kept so that tools such as setuptools-scm can read versions), never
//!   into the user's project;
//! - `--offline` reads the mirror only and says which repository and rev it lacks.
//!
//! The URL's credentials are given to `git` for the fetch and appear nowhere else: not in the
//! cache's names, not in the pinned URL, and not in git's messages, which are shown with them
//! masked. Prompts for credentials are disabled (`GIT_TERMINAL_PROMPT=0`), so a run never
//! waits on a terminal. Without a cache directory, mirrors and checkouts live in a temporary
//! directory for the run.

use crate::http::auth;
use sha2::Digest;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use unilock_model::{Diagnostic, ErrorKind};
use url::Url;

/// The cache kind of repository mirrors and checkouts.
pub const CACHE_KIND: &str = "git-v1";

/// The lines of git's error output kept for a message.
const STDERR_LINES: usize = 5;

/// A Git direct reference, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitUrl {
    /// The repository URL given to git: without `git+`, rev and fragment, with any credentials.
    pub repository: Url,
    /// The rev after `@`: a branch, a tag or a commit id; `None` for the default branch.
    pub rev: Option<String>,
    /// The project's directory inside the repository (`#subdirectory=`).
    pub subdirectory: Option<String>,
}

/// Whether `url` names a Git repository (`git+…`).
pub fn is_git(url: &str) -> bool {
    url.starts_with("git+")
}

impl GitUrl {
    /// Reads `url`, a `git+SCHEME://…[@rev][#subdirectory=…]` URL; the error says what is
    /// wrong with it.
    pub fn parse(url: &str) -> Result<GitUrl, String> {
        let Some(rest) = url.strip_prefix("git+") else {
            return Err("a Git URL starts with `git+`".into());
        };
        let mut parsed = Url::parse(rest).map_err(|e| format!("not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "https" | "http" | "ssh" | "file") {
            return Err(format!(
                "unsupported Git URL scheme `git+{}`: expected git+https, git+http, git+ssh or git+file",
                parsed.scheme()
            ));
        }
        let mut subdirectory = None;
        if let Some(fragment) = parsed.fragment() {
            for part in fragment.split('&') {
                if let Some(dir) = part.strip_prefix("subdirectory=") {
                    subdirectory = Some(check_subdirectory(dir)?);
                }
            }
        }
        parsed.set_fragment(None);
        parsed.set_query(None);
        let path = parsed.path().to_string();
        let (path, rev) = match path.rsplit_once('@') {
            Some((path, rev)) => {
                let rev = percent_encoding::percent_decode_str(rev)
                    .decode_utf8_lossy()
                    .into_owned();
                if rev.is_empty() || rev.starts_with('-') || rev.contains("..") {
                    return Err(format!("`@{rev}` is not a Git rev"));
                }
                (path.to_string(), Some(rev))
            }
            None => (path, None),
        };
        parsed.set_path(&path);
        if parsed.scheme() != "file" && parsed.host_str().is_none_or(str::is_empty) {
            return Err("the URL names no host".into());
        }
        Ok(GitUrl {
            repository: parsed,
            rev,
            subdirectory,
        })
    }

    /// The repository URL as it may be shown and recorded: without a password, and for
    /// http(s) without a user name either (a token often stands there); an ssh user name
    /// (`git@host`) is part of the address and is kept.
    pub fn public_repository(&self) -> Url {
        let mut url = self.repository.clone();
        let _ = url.set_password(None);
        if url.scheme() != "ssh" {
            url = auth::strip(&url);
        }
        url
    }

    /// The pinned URL of `commit`: `git+<repository>@<commit>[#subdirectory=…]`, without
    /// credentials.
    pub fn pinned(&self, commit: &str) -> String {
        let sub = self
            .subdirectory
            .as_ref()
            .map_or(String::new(), |s| format!("#subdirectory={s}"));
        format!("git+{}@{commit}{sub}", self.public_repository())
    }

    /// The name of the repository's mirror and checkouts in the cache.
    fn key(&self) -> String {
        let digest = crate::http::hex(&sha2::Sha256::digest(
            self.public_repository().as_str().as_bytes(),
        ));
        digest[..16].to_string()
    }
}

/// A subdirectory must stay inside the repository.
fn check_subdirectory(dir: &str) -> Result<String, String> {
    let dir = percent_encoding::percent_decode_str(dir)
        .decode_utf8_lossy()
        .trim_matches('/')
        .to_string();
    let bad = dir.is_empty()
        || Path::new(&dir)
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)));
    if bad {
        return Err(format!(
            "`subdirectory={dir}` is not a relative path inside the repository"
        ));
    }
    Ok(dir)
}

/// How repositories are read.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The cache directory (`--cache-dir`); `None`: a temporary directory for the run.
    pub cache_dir: Option<PathBuf>,
    /// `--offline`: the mirror only.
    pub offline: bool,
    /// The `git` program; `None`: `git` on `PATH`.
    pub program: Option<PathBuf>,
}

/// The tree at one commit of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The full commit id the rev named.
    pub commit: String,
    /// The project's directory: the checkout, or its subdirectory.
    pub tree: PathBuf,
}

/// Commit ids by (repository, rev).
type Resolved = Mutex<HashMap<(String, Option<String>), String>>;

/// Commits already resolved in this run, by (repository, rev): a rev is fetched once per run
/// however many times it is asked for.
fn resolved() -> &'static Resolved {
    static RESOLVED: OnceLock<Resolved> = OnceLock::new();
    RESOLVED.get_or_init(Mutex::default)
}

/// The temporary root used when there is no cache directory.
fn temporary_root() -> Result<PathBuf, String> {
    static ROOT: OnceLock<Result<tempfile::TempDir, String>> = OnceLock::new();
    ROOT.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("unilock-git-")
            .tempdir()
            .map_err(|e| format!("no temporary directory: {e}"))
    })
    .as_ref()
    .map(|d| d.path().to_path_buf())
    .map_err(Clone::clone)
}

/// The tree of `git` at the commit its rev names, fetched into the cache's mirror when
/// needed. `what` names the requirement in messages (`clip @ git+https://…`).
pub fn checkout(git: &GitUrl, settings: &Settings, what: &str) -> Result<Checkout, Diagnostic> {
    let shown = git.public_repository();
    let fail = |message: String| Diagnostic::new(ErrorKind::Registry, format!("{what}: {message}"));
    let root = match &settings.cache_dir {
        Some(dir) => dir.join(CACHE_KIND),
        None => temporary_root().map_err(fail)?.join(CACHE_KIND),
    };
    let key = git.key();
    let mirror = root.join("db").join(&key);
    let runner = Git {
        program: settings
            .program
            .clone()
            .unwrap_or_else(|| PathBuf::from("git")),
        secret: git.repository.clone(),
        shown: shown.clone(),
    };
    let memo_key = (shown.to_string(), git.rev.clone());
    let known = lock(resolved()).get(&memo_key).cloned();
    let commit = match known {
        Some(commit) => commit,
        None => {
            let commit = resolve_rev(&runner, git, &mirror, settings.offline).map_err(fail)?;
            lock(resolved()).insert(memo_key, commit.clone());
            commit
        }
    };
    let checkout = root.join("checkouts").join(&key).join(&commit);
    if !checkout.join(".git").exists() {
        make_checkout(&runner, &mirror, &commit, &checkout).map_err(fail)?;
    }
    let tree = match &git.subdirectory {
        Some(sub) => checkout.join(sub),
        None => checkout,
    };
    if !tree.is_dir() {
        return Err(fail(format!(
            "commit {commit} of {shown} has no directory `{}`",
            git.subdirectory.as_deref().unwrap_or("")
        )));
    }
    Ok(Checkout { commit, tree })
}

/// The full commit id `git`'s rev names, from the mirror, fetched first unless the rev is a
/// commit the mirror has (or the run is offline).
fn resolve_rev(runner: &Git, git: &GitUrl, mirror: &Path, offline: bool) -> Result<String, String> {
    let rev = git.rev.as_deref();
    let exists = mirror.join("HEAD").exists();
    if exists
        && let Some(rev) = rev.filter(|r| is_full_commit(r))
        && let Ok(commit) = runner.rev_parse(mirror, &format!("{rev}^{{commit}}"))
    {
        return Ok(commit);
    }
    if offline {
        if exists && let Some(commit) = find_rev(runner, mirror, rev) {
            return Ok(commit);
        }
        return Err(format!(
            "--offline: the cache has no mirror of {} with {}",
            runner.shown,
            rev.map_or("its default branch".to_string(), |r| format!(
                "the rev `{r}`"
            ))
        ) + "; run once without --offline to fetch it, or pass --cache-dir to the cache that has it");
    }
    if !exists {
        std::fs::create_dir_all(mirror).map_err(|e| format!("{}: {e}", mirror.display()))?;
        runner.run(
            None,
            &["init", "--bare", "--quiet", &mirror.display().to_string()],
        )?;
    }
    runner.fetch(mirror, rev)?;
    find_rev(runner, mirror, rev).ok_or_else(|| match rev {
        Some(rev) => format!("{} has no branch, tag or commit `{rev}`", runner.shown),
        None => format!("{} has no default branch", runner.shown),
    })
}

/// The commit `rev` names in the mirror: a branch, a tag, then a commit id.
fn find_rev(runner: &Git, mirror: &Path, rev: Option<&str>) -> Option<String> {
    let candidates = match rev {
        None => vec!["refs/remotes/origin/HEAD".to_string()],
        Some(rev) => vec![
            format!("refs/remotes/origin/{rev}"),
            format!("refs/tags/{rev}"),
            rev.to_string(),
        ],
    };
    candidates
        .iter()
        .find_map(|c| runner.rev_parse(mirror, &format!("{c}^{{commit}}")).ok())
}

fn is_full_commit(rev: &str) -> bool {
    rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks `commit` out of `mirror` into `dest`, through a temporary directory beside it so
/// that a checkout cut short is never taken for a whole one.
fn make_checkout(runner: &Git, mirror: &Path, commit: &str, dest: &Path) -> Result<(), String> {
    let parent = dest
        .parent()
        .ok_or_else(|| format!("{}: no parent directory", dest.display()))?;
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let work = tempfile::Builder::new()
        .prefix(".checkout-")
        .tempdir_in(parent)
        .map_err(|e| format!("{}: {e}", parent.display()))?;
    let into = work.path().join("tree");
    runner.run(
        None,
        &[
            "clone",
            "--quiet",
            "--local",
            "--no-checkout",
            &mirror.display().to_string(),
            &into.display().to_string(),
        ],
    )?;
    runner.run(Some(&into), &["checkout", "--quiet", "--detach", commit])?;
    if let Err(e) = std::fs::rename(&into, dest) {
        // Another run may have made the same checkout meanwhile.
        if !dest.join(".git").exists() {
            return Err(format!("{}: {e}", dest.display()));
        }
    }
    Ok(())
}

/// Runs `git`, its messages shown without the URL's credentials.
struct Git {
    program: PathBuf,
    /// The repository URL with its credentials (given to `git fetch` only).
    secret: Url,
    shown: Url,
}

impl Git {
    fn command(&self, dir: Option<&Path>) -> Command {
        let mut cmd = Command::new(&self.program);
        if let Some(dir) = dir {
            cmd.arg("-C").arg(dir);
        }
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ASKPASS", "")
            .env("LC_ALL", "C")
            .stdin(std::process::Stdio::null());
        cmd
    }

    /// Runs `git args` (in `dir`), its standard output on success.
    fn run(&self, dir: Option<&Path>, args: &[&str]) -> Result<String, String> {
        let output = self.command(dir).args(args).output().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "the `git` program is not on PATH ({}), and reading a Git repository needs it; install git, or require a built wheel or sdist instead",
                    self.program.display()
                )
            } else {
                format!("cannot run {}: {e}", self.program.display())
            }
        })?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).trim().to_string());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<String> = stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| self.mask(l))
            .collect();
        let tail = &tail[tail.len().saturating_sub(STDERR_LINES)..];
        let verb = args.first().copied().unwrap_or("");
        Err(format!(
            "`git {verb}` of {} failed ({}): {}",
            self.shown,
            output.status,
            if tail.is_empty() {
                "it said nothing".to_string()
            } else {
                tail.join(" / ")
            }
        ))
    }

    /// `line` with the credentials of the URL masked.
    fn mask(&self, line: &str) -> String {
        let mut line = line.replace(self.secret.as_str(), self.shown.as_str());
        if let Some(p) = self.secret.password().filter(|p| !p.is_empty()) {
            line = line.replace(p, "****");
        }
        let user = self.secret.username();
        if self.secret.scheme() != "ssh" && !user.is_empty() {
            line = line.replace(user, "****");
        }
        line
    }

    /// Fetches the branches, tags and `HEAD` of the repository into `mirror` (and `rev`
    /// itself when it may be a commit no branch or tag names).
    fn fetch(&self, mirror: &Path, rev: Option<&str>) -> Result<(), String> {
        let url = self.secret.to_string();
        let mut args = vec![
            "fetch",
            "--quiet",
            "--force",
            "--prune",
            "--no-recurse-submodules",
            url.as_str(),
            "+refs/heads/*:refs/remotes/origin/*",
            "+refs/tags/*:refs/tags/*",
            "+HEAD:refs/remotes/origin/HEAD",
        ];
        self.run(Some(mirror), &args)?;
        if let Some(rev) = rev.filter(|r| is_full_commit(r))
            && self
                .rev_parse(mirror, &format!("{rev}^{{commit}}"))
                .is_err()
        {
            // A commit on no branch or tag: asked for by id (servers allow reachable ones).
            let spec = format!("{rev}:refs/commits/{rev}");
            args.truncate(5);
            args.push(url.as_str());
            args.push(&spec);
            let _ = self.run(Some(mirror), &args);
        }
        Ok(())
    }

    /// The full commit id `spec` names in `repo`.
    fn rev_parse(&self, repo: &Path, spec: &str) -> Result<String, String> {
        let out = self.run(Some(repo), &["rev-parse", "--verify", "--quiet", spec])?;
        if is_full_commit(&out) {
            Ok(out)
        } else {
            Err(format!("`{spec}` names no commit"))
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls_give_repository_rev_and_subdirectory() {
        let g = GitUrl::parse(
            "git+https://user:tok@host.example/org/repo.git@feature/x#subdirectory=python&egg=x",
        )
        .unwrap();
        assert_eq!(
            g.repository.as_str(),
            "https://user:tok@host.example/org/repo.git"
        );
        assert_eq!(g.rev.as_deref(), Some("feature/x"));
        assert_eq!(g.subdirectory.as_deref(), Some("python"));
        assert_eq!(
            g.pinned(&"a".repeat(40)),
            format!(
                "git+https://host.example/org/repo.git@{}#subdirectory=python",
                "a".repeat(40)
            )
        );
        let ssh = GitUrl::parse("git+ssh://git@host.example/org/repo.git").unwrap();
        assert_eq!(ssh.rev, None);
        assert_eq!(
            ssh.public_repository().as_str(),
            "ssh://git@host.example/org/repo.git"
        );
        let file = GitUrl::parse("git+file:///srv/repo@v1").unwrap();
        assert_eq!(file.repository.as_str(), "file:///srv/repo");
        assert_eq!(file.rev.as_deref(), Some("v1"));
        let runner = Git {
            program: PathBuf::from("git"),
            secret: g.repository.clone(),
            shown: g.public_repository(),
        };
        assert_eq!(
            runner.mask(
                "fatal: could not read from https://user:tok@host.example/org/repo.git (tok)"
            ),
            "fatal: could not read from https://host.example/org/repo.git (****)"
        );
        for bad in [
            "git+ftp://host.example/repo",
            "git+https://host.example/repo@",
            "git+https://host.example/repo#subdirectory=../x",
            "git+https://host.example/repo@--upload-pack=x",
            "git+not a url",
        ] {
            assert!(GitUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
