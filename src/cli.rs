//! The command-line interface definition: every command, flag and help text.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use unilock_solver::pypi::{BinaryFlag, BinaryPolicy};

pub mod resolution;

const MAIN_EXAMPLES: &str = "\
Examples:
  unilock targets                                   list presets and platforms
  unilock targets describe linux-aarch64,python=3.11
  unilock targets describe centos7,cuda=11.8,cpu=x86_64_v3 --json
  unilock show requirements.txt --json              the unified model of a file
  unilock convert uv.lock --to requirements --target linux-64,python=3.12 -o requirements.lock.txt

Exit codes: 0 success, 1 unsatisfiable, 2 bad usage or invalid input, 3 registry or network failure.";

/// One lock for Python and conda dependencies, resolved jointly for explicit target platforms.
#[derive(Debug, Parser)]
#[command(name = "unilock", version, about, after_help = MAIN_EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Resolve requirements files, pyproject.toml, environment.yml and pixi.toml for one or more targets into unilock.lock.
    #[command(after_help = RESOLVE_EXAMPLES)]
    Resolve(ResolveArgs),
    /// Write the pinned files of one ecosystem (requirements, pylock, pyproject, uv-lock, conda, pixi, nix) from a unilock.lock.
    #[command(after_help = EXPORT_EXAMPLES)]
    Export(ExportArgs),
    /// Will the lock run on a target machine? Reads the binaries of every artifact and names
    /// the shared libraries, C library and C++ runtime versions, CUDA driver and CPU level the
    /// target lacks, with the system packages that provide them.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Print the unified model of any supported dependency file.
    #[command(after_help = SHOW_EXAMPLES)]
    Show(ShowArgs),
    /// Convert a file to another format where no solving is needed (a lock to requirements or
    /// pylock.toml, any format to itself).
    #[command(after_help = CONVERT_EXAMPLES)]
    Convert(ConvertArgs),
    /// Work with package indexes: record what a resolution consults as a file:// index.
    Index(IndexCommandArgs),
    /// Move a project to another tool: `conda-to-uv` writes a uv project from a conda environment.yml.
    Migrate(MigrateCommandArgs),
    /// List target presets and platforms, or describe one target.
    #[command(after_help = TARGETS_EXAMPLES, args_conflicts_with_subcommands = true)]
    Targets(TargetsArgs),
}

const TARGETS_EXAMPLES: &str = "\
A target is a platform or preset followed by ,key=value overrides:
  platforms  conda subdirs (linux-64, linux-aarch64, osx-arm64, win-64, ...), Docker names
             (linux/amd64, linux/arm64), Rust triples (aarch64-unknown-linux-musl)
  presets    centos7, rhel8, debian12, ubuntu24.04, alpine3.20, manylinux2014, macos14, windows, ...
  overrides  arch= python= implementation= glibc= musl= linux= cuda= cpu= macos=
conda's CONDA_OVERRIDE_GLIBC, _LINUX, _OSX, _WIN, _CUDA and _ARCHSPEC variables are honoured;
explicit overrides win over them.

Examples:
  unilock targets
  unilock targets --json
  unilock targets describe ubuntu24.04,python=3.12,cuda=12.4
  unilock targets describe linux/arm64,python=3.11,glibc=2.28 --json";

#[derive(Debug, Args)]
pub struct TargetsArgs {
    #[command(subcommand)]
    pub command: Option<TargetsCommand>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TargetsCommand {
    /// Print everything derived from one target: attributes, PEP 508 markers, wheel tags and
    /// conda virtual packages.
    #[command(after_help = DESCRIBE_EXAMPLES)]
    Describe(DescribeArgs),
}

const DESCRIBE_EXAMPLES: &str = "\
Examples:
  unilock targets describe linux-aarch64,python=3.11,glibc=2.28
  unilock targets describe centos7,cuda=11.8,cpu=x86_64_v3 --json
  unilock targets describe macos14,python=3.13 --all-tags
  CONDA_OVERRIDE_CUDA=12.2 unilock targets describe linux-64";

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The target: a platform or preset, then optional ,key=value overrides.
    pub target: String,
    /// Print JSON: attributes, `markers`, `wheel_tags` (best first) and `virtual_packages`.
    #[arg(long)]
    pub json: bool,
    /// List every wheel tag instead of the first few.
    #[arg(long)]
    pub all_tags: bool,
}

const FORMATS: &str = "requirements, pyproject, uv-lock, pylock, conda-env, conda-explicit, conda-lock, pixi-lock, pixi-toml, flake-lock, unilock-lock";

const SHOW_EXAMPLES: &str = "\
The format is detected from the file name, then the content; --format overrides it.
FORMAT: requirements, pyproject, uv-lock, pylock, conda-env, conda-explicit, conda-lock, pixi-lock, pixi-toml, flake-lock, unilock-lock

Examples:
  unilock show requirements.txt
  unilock show uv.lock --json
  unilock show deps/prod.in --format requirements --json";

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The dependency file.
    pub file: PathBuf,
    /// The file's format, when its name does not say.
    #[arg(long, value_name = "FORMAT", help = format!("The file's format when its name does not say: {FORMATS}"))]
    pub format: Option<String>,
    /// Print the model as JSON (documented in docs/model-json.md); origins appear only under `origin` keys.
    #[arg(long)]
    pub json: bool,
}

const CONVERT_EXAMPLES: &str = "\
Without --target a lock keeps its markers, so the output serves every platform the input did.
Inputs that pin nothing (requirements.in, pyproject.toml) need `unilock resolve` instead.

Examples:
  unilock convert uv.lock --to requirements --target linux-aarch64,python=3.11 -o requirements.txt
  unilock convert uv.lock --to pylock -o pylock.toml
  unilock convert pylock.toml --to requirements
  unilock convert pixi.lock --to requirements --environment test --platform linux-64
  unilock convert conda-lock.yml --to requirements --target linux-aarch64
  unilock convert requirements.txt --to requirements     (canonical form, includes inlined)";

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The file to convert.
    pub file: PathBuf,
    /// The output format.
    #[arg(long, value_name = "FORMAT", help = format!("The output format: {FORMATS}"))]
    pub to: String,
    /// The input's format, when its name does not say.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Keep only what is installed on this target (see `unilock targets`).
    #[arg(long, value_name = "TARGET")]
    pub target: Option<String>,
    /// Include this extra of the project (repeatable).
    #[arg(long, value_name = "EXTRA")]
    pub extra: Vec<String>,
    /// Include every extra of the project.
    #[arg(long)]
    pub all_extras: bool,
    /// Include this dependency group besides the default ones (repeatable).
    #[arg(long, value_name = "GROUP")]
    pub group: Vec<String>,
    /// Leave out the default dependency groups (`dev`).
    #[arg(long)]
    pub no_default_groups: bool,
    /// Export every workspace member, not only the project at the workspace root.
    #[arg(long)]
    pub all_packages: bool,
    /// For pixi.lock and conda-lock.yml: the conda platform to take (`linux-64`, `osx-arm64`).
    /// Default: the platform of --target, else the lock's only platform.
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// For pixi.lock and conda-lock.yml: the environment to take (a conda-lock category other
    /// than `main` is an environment too).
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub environment: String,
    /// Write here (atomically) instead of to standard output.
    #[arg(short = 'o', long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

const RESOLVE_EXAMPLES: &str = "\
Indexes: --index-url, --extra-index-url, --find-links, the UV_DEFAULT_INDEX, UV_INDEX_URL,
PIP_INDEX_URL, UV_EXTRA_INDEX_URL and PIP_EXTRA_INDEX_URL variables, and index options inside
requirements files; the first index that has a package is the only one used for it.
Credentials come from index URLs or ~/.netrc ($NETRC) and go to their own host only.
Responses are cached (--cache-dir); --offline resolves from the cache alone.
Pins of an existing output lock are kept unless --upgrade or --upgrade-package says otherwise;
its targets not asked for are kept as they are unless --drop-target names them.
Targets, indexes, channels and --consistent may come from unilock.toml or [tool.unilock] in
pyproject.toml (flags, then environment variables, win over it). With several targets, one
that has no resolution is left out of the lock (exit 1, naming it) unless --consistent.
--locked resolves and fails, naming what changed, when the lock would change (for CI).

Examples:
  unilock resolve requirements.txt --target linux-aarch64,python=3.11 -o unilock.lock
  unilock resolve requirements.in --target linux-64,python=3.11 --target osx-arm64,python=3.11 --consistent
  unilock resolve requirements.txt --target centos7 --index-url file:///srv/simple
  unilock resolve environment.yml --target linux-64 --target osx-arm64 --channel-alias file:///srv/channels/";

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// Requirements files, pyproject.toml files, conda environment.yml files and pixi.toml manifests.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// A target to resolve for (repeatable; see `unilock targets`).
    #[arg(long, value_name = "TARGET")]
    pub target: Vec<String>,
    /// Write the lock here (atomically); default `unilock.lock`.
    #[arg(short = 'o', long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub channels: ChannelArgs,
    /// Allow pre-releases of every package.
    #[arg(long)]
    pub pre: bool,
    #[command(flatten)]
    pub binary: BinaryArgs,
    #[command(flatten)]
    pub build: BuildArgs,
    /// Ignore the pins of the existing lock.
    #[arg(long)]
    pub upgrade: bool,
    /// Ignore the existing pin of this package (repeatable).
    #[arg(long, value_name = "PACKAGE")]
    pub upgrade_package: Vec<String>,
    /// Require one version of each package on every target.
    #[arg(long)]
    pub consistent: bool,
    #[command(flatten)]
    pub resolution: resolution::ResolutionArgs,
    /// Include this extra or dependency group of a pyproject.toml (repeatable).
    #[arg(long, value_name = "NAME", alias = "group")]
    pub extra: Vec<String>,
    /// Include every extra and dependency group of a pyproject.toml.
    #[arg(long)]
    pub all_extras: bool,
    /// After writing the lock, check it on every target as `unilock check` does (exit 4 when
    /// a target lacks what the lock needs).
    #[arg(long)]
    pub check: bool,
    /// With --check: the base image every target is checked against instead of its preset's.
    #[arg(long, value_name = "NAME", requires = "check")]
    pub base_image: Option<String>,
    #[command(flatten)]
    pub lock: LockArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// What `resolve` does with the lock already there: check it (`--locked`), and which of its
/// targets to drop (`--drop-target`); see docs/lock-format.md.
#[derive(Debug, Clone, Default, Args)]
pub struct LockArgs {
    /// Resolve, and fail (exit 1) naming what changed when the lock would change, instead of
    /// writing it (as `uv lock --locked`); a missing lock fails too.
    #[arg(long)]
    pub locked: bool,
    /// Remove this target of the existing lock (repeatable; any spelling of the same target).
    /// The lock's targets not asked for with --target are otherwise kept as they are.
    #[arg(long, value_name = "TARGET")]
    pub drop_target: Vec<String>,
}

/// Where the project configuration comes from (`unilock.toml`, else `[tool.unilock]` in
/// pyproject.toml, found from the first input's directory upwards; see docs/resolve.md).
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// Read the configuration from this file (in unilock.toml's form) instead of finding one.
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config_file: Option<PathBuf>,
    /// Read no project configuration.
    #[arg(long)]
    pub no_config: bool,
}

/// Where conda packages come from.
#[derive(Debug, Clone, Args)]
pub struct ChannelArgs {
    /// A conda channel, after those the input files name (repeatable): a name (resolved
    /// through --channel-alias), a URL, or a local channel directory.
    #[arg(long, value_name = "NAME|URL")]
    pub channel: Vec<String>,
    /// The URL channel names are resolved against (default: $CONDA_CHANNEL_ALIAS).
    #[arg(long, value_name = "URL")]
    pub channel_alias: Option<String>,
    /// strict: a package comes only from the first channel that has it; flexible: from any,
    /// preferring the first after version and build number.
    #[arg(long, value_name = "PRIORITY", default_value = "strict", value_parser = ["strict", "flexible"])]
    pub channel_priority: String,
}

/// Where packages come from, and how the registries are reached.
#[derive(Debug, Clone, Args)]
pub struct IndexArgs {
    /// The index to use instead of the default one (file://, http:// or https://; user:password@ in the URL is sent to that host only).
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// Another index, consulted before the default one (repeatable).
    #[arg(long, value_name = "URL")]
    pub extra_index_url: Vec<String>,
    /// A directory of distribution files, or an HTML page of links to them (repeatable).
    #[arg(long, short = 'f', value_name = "DIR|URL")]
    pub find_links: Vec<String>,
    /// Use no index, only --find-links.
    #[arg(long)]
    pub no_index: bool,
    /// Where HTTP responses and metadata are cached (default: $UNILOCK_CACHE_DIR, else $XDG_CACHE_HOME/unilock, else ~/.cache/unilock).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Use the cache alone, with no network; anything not cached fails (exit 3) naming it.
    #[arg(long)]
    pub offline: bool,
}

const INDEX_EXAMPLES: &str = "\
Examples:
  unilock index record requirements.txt --target linux-64,python=3.12 --into corpus/index-snapshot
  unilock index record more.txt --target win-64,python=3.12 --into corpus/index-snapshot --merge
  unilock resolve requirements.txt --target linux-64,python=3.12 --index-url file://$PWD/corpus/index-snapshot/simple";

#[derive(Debug, Args)]
pub struct IndexCommandArgs {
    #[command(subcommand)]
    pub command: IndexCommand,
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Resolve requirements against the configured indexes and write what was consulted as a
    /// file:// simple index (pages, metadata files, small files), for offline use.
    #[command(after_help = INDEX_EXAMPLES)]
    Record(RecordArgs),
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Requirements files and pyproject.toml files.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// A target to resolve for (repeatable; see `unilock targets`).
    #[arg(
        long,
        value_name = "TARGET",
        required_unless_present = "python_platform"
    )]
    pub target: Vec<String>,
    /// The directory to write the snapshot into (an earlier snapshot there is replaced, or
    /// added to with --merge).
    #[arg(long, value_name = "DIR")]
    pub into: PathBuf,
    /// Add this recording to the snapshot already in DIR: both recordings' projects and files
    /// are kept, and RECORDING.txt lists each.
    #[arg(long)]
    pub merge: bool,
    /// Also record the resolution with one version of each package on every target (as
    /// `resolve --consistent`), besides each target's own.
    #[arg(long)]
    pub consistent: bool,
    #[command(flatten)]
    pub index: IndexArgs,
    /// Allow pre-releases of every package.
    #[arg(long)]
    pub pre: bool,
    #[command(flatten)]
    pub binary: BinaryArgs,
    #[command(flatten)]
    pub resolution: resolution::ResolutionArgs,
    /// A resolution with no solution is recorded too (with the versions its explanation
    /// names), instead of ending the recording: for snapshots that reproduce a failure.
    #[arg(long)]
    pub allow_unsatisfiable: bool,
}

const EXPORT_EXAMPLES: &str = "\
Formats: requirements, pylock, pyproject (pins into an existing pyproject.toml), uv-lock (uv.lock
and its pyproject.toml, into the -o directory), conda-explicit, conda-env, conda-lock, pixi-lock,
nix (flake.nix and flake.lock, into the -o directory). See docs/export.md.
Several --target: one requirements or pylock file whose pins carry environment markers.
--all-targets: one file per target, named by its slug (requirements-linux-arm64.txt, ...).

Examples:
  unilock export --lock unilock.lock --to requirements --target linux-aarch64,python=3.11 -o requirements.lock.txt
  unilock export --to requirements --all-targets -o locks/
  unilock export --to pylock --target linux-64,python=3.12 --target linux-aarch64,python=3.12 -o pylock.toml
  unilock export --to pyproject -o pyproject.toml
  unilock export --to uv-lock -o project/";

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The lock to read; default `unilock.lock`.
    #[arg(long, value_name = "LOCK")]
    pub lock: Option<PathBuf>,
    /// The output format (see below).
    #[arg(long, value_name = "FORMAT")]
    pub to: String,
    /// A target to export (repeatable; one of the lock's targets; needed when it has several).
    #[arg(long, value_name = "TARGET")]
    pub target: Vec<String>,
    /// Every target of the lock, one file each (into the -o directory).
    #[arg(long, conflicts_with = "target")]
    pub all_targets: bool,
    /// Write here (atomically) instead of to standard output; a directory for exports of
    /// several files (--all-targets, uv-lock, nix).
    #[arg(short = 'o', long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Leave out the header naming the lock, the targets and the command.
    #[arg(long)]
    pub no_header: bool,
    /// Leave out the `# via` annotations of the pins.
    #[arg(long)]
    pub no_annotate: bool,
    /// Leave out the `--hash=` of each PyPI pin (requirements, conda-env; pylock.toml keeps
    /// them, as PEP 751 requires).
    #[arg(long)]
    pub no_hashes: bool,
    /// For --to nix: the nixpkgs revision the flake pins.
    #[arg(long, value_name = "REV")]
    pub nixpkgs_rev: Option<String>,
    /// For --to nix: take nixpkgs from this flake.lock.
    #[arg(long, value_name = "FLAKE_LOCK")]
    pub nixpkgs_from: Option<PathBuf>,
    #[command(flatten)]
    pub freshness: ExportLockArgs,
}

/// Whether `export` checks the lock against its inputs first (uv's `--locked` and `--frozen`).
#[derive(Debug, Clone, Default, Args)]
pub struct ExportLockArgs {
    /// Refuse (exit 1) when an input file the lock records no longer has the content it was
    /// resolved from (its hash), naming the file: the lock is out of date. For CI.
    #[arg(long, conflicts_with = "frozen")]
    pub locked: bool,
    /// Use the lock as it is, without checking its inputs (the default; uv's `--frozen`).
    #[arg(long)]
    pub frozen: bool,
}

const CHECK_EXAMPLES: &str = "\
The target may be another machine than the lock was resolved for: the artifacts of the lock's
target with the same platform and Python are read. Each Linux preset has a default base image
(`unilock check --list-images` lists them); --base-image names another. Facts read from each
artifact are cached by its hash, so a second check reads nothing; --offline uses them alone.
Exit codes: 0 everything needed is there or installable (the report names the packages),
3 an artifact could not be read, 4 a check failed. See docs/check.md.

Examples:
  unilock check --target debian12
  unilock check --lock unilock.lock --target centos7,python=3.12 --target alpine3.20,python=3.12
  unilock check --target ubuntu24.04,cuda=11.8 --base-image ubuntu24.04 --json";

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The lock to read; default `unilock.lock`.
    #[arg(long, value_name = "LOCK")]
    pub lock: Option<PathBuf>,
    /// A target machine to check (repeatable).
    #[arg(long, value_name = "TARGET", required_unless_present = "list_images")]
    pub target: Vec<String>,
    /// The image the targets start from, instead of each preset's default.
    #[arg(long, value_name = "NAME")]
    pub base_image: Option<String>,
    /// Print the report as JSON (stable; see docs/check.md).
    #[arg(long)]
    pub json: bool,
    /// List the known base images and exit.
    #[arg(long)]
    pub list_images: bool,
    /// Where artifact facts and HTTP responses are cached (default: $UNILOCK_CACHE_DIR, else $XDG_CACHE_HOME/unilock, else ~/.cache/unilock).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Read nothing from the network: facts must be in the cache (or artifacts on file://).
    #[arg(long)]
    pub offline: bool,
}

const MIGRATE_EXAMPLES: &str = "\
A fully pinned environment (`conda env export`: every package name=version=build) needs no
channel; a loose one is solved first against its channels (--channel, --channel-alias,
$CONDA_CHANNEL_ALIAS, e.g. a local snapshot), or, with --from-specs, planned from its specs
alone (their version constraints kept, no channel read). Without --target: linux-64 with the
environment's Python. Conda versions are kept where PyPI has them (a preference, not a pin);
the pip: section is kept as written. MIGRATION.md lists what has no PyPI counterpart (with
apt, apk, dnf and nixpkgs names), every version that changed and every renamed package.
See docs/migrate.md.

Examples:
  conda env export > environment.yml && unilock migrate conda-to-uv environment.yml -o project/
  unilock migrate conda-to-uv environment.yml --target linux-64 --target linux-aarch64 -o project/
  unilock migrate conda-to-uv environment.yml --channel-alias file:///srv/channels/ -o project/
  unilock migrate conda-to-uv environment.yml --from-specs -o project/";

#[derive(Debug, Args)]
pub struct MigrateCommandArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Write pyproject.toml, uv.lock, .python-version and MIGRATION.md from a conda
    /// environment.yml, keeping its versions where PyPI has them.
    #[command(name = "conda-to-uv", after_help = MIGRATE_EXAMPLES)]
    CondaToUv(MigrateArgs),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The conda environment.yml.
    pub environment: PathBuf,
    /// A target the uv project must install on (repeatable; default linux-64, with the
    /// environment's Python).
    #[arg(long, value_name = "TARGET")]
    pub target: Vec<String>,
    /// The directory to write into (created when missing); default `migrated`.
    #[arg(short = 'o', long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Replace the pyproject.toml (and uv.lock, .python-version, MIGRATION.md) already in DIR.
    #[arg(long)]
    pub force: bool,
    /// Require one version of each PyPI package on every target.
    #[arg(long)]
    pub consistent: bool,
    /// Plan a loose environment from its specs alone, reading no channel: conda version
    /// constraints become PyPI constraints where they translate; the packages a conda solve
    /// would add as dependencies are not known, so not listed.
    #[arg(long)]
    pub from_specs: bool,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub channels: ChannelArgs,
    /// Allow pre-releases of every package.
    #[arg(long)]
    pub pre: bool,
    #[command(flatten)]
    pub binary: BinaryArgs,
    #[command(flatten)]
    pub build: BuildArgs,
    #[command(flatten)]
    pub resolution: resolution::ResolutionArgs,
}

/// Builds of sdists whose dependencies are not static (see docs/resolve.md, "Source
/// distributions").
#[derive(Args, Debug, Clone, Default)]
pub struct BuildArgs {
    /// The Python interpreter that builds sdists to learn their dependencies (else
    /// UNILOCK_PYTHON, UV_PYTHON, then python3 and python on PATH).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Never build: versions whose dependencies only a build would tell are skipped.
    #[arg(long)]
    pub no_build: bool,
}

impl BuildArgs {
    /// Applies the flags to the build settings of an index source.
    pub fn apply(&self, settings: &mut unilock_build::Settings) {
        settings.python = self.python.clone();
        settings.no_build = self.no_build;
    }
}

/// Which files packages may install from: pip's `--only-binary`, `--no-binary` and
/// `--prefer-binary`, each value kept in the order given (a later one wins for a name both
/// flags give, as in pip; see `unilock_solver::pypi::binary`).
#[derive(Debug, Clone, Default)]
pub struct BinaryArgs {
    /// Each `--only-binary`/`--no-binary` value, in command-line order.
    pub controls: Vec<(BinaryFlag, String)>,
    pub prefer_binary: bool,
}

impl BinaryArgs {
    /// The policy the flags give; a value that names no package is bad usage.
    pub fn policy(&self) -> Result<BinaryPolicy, unilock_model::Diagnostic> {
        let mut policy = BinaryPolicy {
            prefer_binary: self.prefer_binary,
            ..BinaryPolicy::default()
        };
        for (flag, value) in &self.controls {
            policy
                .apply(*flag, value)
                .map_err(unilock_model::Diagnostic::usage)?;
        }
        Ok(policy)
    }
}

const ONLY_BINARY: &str = "only_binary";
const NO_BINARY: &str = "no_binary";
const PREFER_BINARY: &str = "prefer_binary";

impl clap::FromArgMatches for BinaryArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut controls: Vec<(usize, BinaryFlag, String)> = Vec::new();
        for (id, flag) in [
            (ONLY_BINARY, BinaryFlag::OnlyBinary),
            (NO_BINARY, BinaryFlag::NoBinary),
        ] {
            if let (Some(values), Some(indices)) =
                (matches.get_many::<String>(id), matches.indices_of(id))
            {
                controls.extend(indices.zip(values).map(|(i, v)| (i, flag, v.clone())));
            }
        }
        controls.sort_by_key(|(i, ..)| *i);
        Ok(BinaryArgs {
            controls: controls.into_iter().map(|(_, f, v)| (f, v)).collect(),
            prefer_binary: matches.get_flag(PREFER_BINARY),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// Written by hand rather than derived: the derive keeps each flag's values apart, and pip's
/// meaning needs their order across both flags.
impl Args for BinaryArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        use clap::{Arg, ArgAction};
        cmd.arg(
            Arg::new(ONLY_BINARY)
                .long("only-binary")
                .value_name("NAMES")
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value(":all:")
                .action(ArgAction::Append)
                .help("Use wheels only, never source distributions: for every package (alone, or :all:), or for the packages named (comma-separated); :none: clears the list (pip's meaning; the later of --only-binary and --no-binary wins for a name)"),
        )
        .arg(
            Arg::new(NO_BINARY)
                .long("no-binary")
                .value_name("NAMES")
                .action(ArgAction::Append)
                .help("Build from source distributions, never wheels: for every package (:all:) or the packages named (comma-separated); :none: clears the list"),
        )
        .arg(
            Arg::new(PREFER_BINARY)
                .long("prefer-binary")
                .action(ArgAction::SetTrue)
                .help("Prefer an older version with a wheel for the target over a newer one that would be built from source"),
        )
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// The command line with pip's spellings of `--only-binary` read as unilock's flag, whose
/// value must follow an `=` (alone, it means `:all:`): `--only-binary :all:` is
/// `--only-binary`, and `--only-binary VALUE` is `--only-binary=VALUE` when VALUE is `:none:`
/// or reads as package names rather than an input file (it does not exist, has no `/` and no
/// input file extension).
pub fn pip_spellings(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    let mut out: Vec<std::ffi::OsString> = Vec::new();
    let mut args = args.into_iter().peekable();
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--only-binary") => match args.peek().and_then(|a| a.to_str()) {
                Some(":all:") => {
                    args.next();
                    out.push(arg);
                }
                Some(value) if names_not_a_file(value) => {
                    out.push(format!("--only-binary={value}").into());
                    args.next();
                }
                _ => out.push(arg),
            },
            Some("--only-binary=:all:") => out.push("--only-binary".into()),
            _ => out.push(arg),
        }
    }
    out
}

/// Whether the argument after `--only-binary` is its value: `:none:`, or names that are no
/// input file.
fn names_not_a_file(value: &str) -> bool {
    const INPUT_EXTENSIONS: [&str; 7] = [".txt", ".in", ".toml", ".yml", ".yaml", ".lock", ".cfg"];
    value == ":none:"
        || (!value.starts_with('-')
            && !value.contains(['/', '\\'])
            && !INPUT_EXTENSIONS.iter().any(|e| value.ends_with(e))
            && !std::path::Path::new(value).exists())
}

#[cfg(test)]
mod tests {
    use super::pip_spellings;

    fn spelled(args: &[&str]) -> Vec<String> {
        pip_spellings(args.iter().map(|a| a.into()))
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn pip_spellings_of_only_binary_read_as_the_flag() {
        assert_eq!(
            spelled(&["unilock", "resolve", "--only-binary", ":all:", "r.txt"]),
            ["unilock", "resolve", "--only-binary", "r.txt"]
        );
        assert_eq!(
            spelled(&["unilock", "resolve", "--only-binary=:all:", "r.txt"]),
            ["unilock", "resolve", "--only-binary", "r.txt"]
        );
        assert_eq!(
            spelled(&["unilock", "resolve", "--only-binary", ":none:", "r.txt"]),
            ["unilock", "resolve", "--only-binary=:none:", "r.txt"]
        );
        assert_eq!(
            spelled(&["unilock", "resolve", "--only-binary", "r.txt"]),
            ["unilock", "resolve", "--only-binary", "r.txt"]
        );
        assert_eq!(
            spelled(&[
                "unilock",
                "resolve",
                "--only-binary",
                "numpy,SciPy",
                "r.txt"
            ]),
            ["unilock", "resolve", "--only-binary=numpy,SciPy", "r.txt"]
        );
        assert_eq!(
            spelled(&["unilock", "resolve", "--only-binary", "--pre", "r.txt"]),
            ["unilock", "resolve", "--only-binary", "--pre", "r.txt"]
        );
        assert_eq!(
            spelled(&["unilock", "resolve", "--only-binary=numpy", "r.txt"]),
            ["unilock", "resolve", "--only-binary=numpy", "r.txt"]
        );
    }

    fn policy(args: &[&str]) -> unilock_solver::pypi::BinaryPolicy {
        use clap::Parser;
        let mut all = vec!["unilock", "resolve", "r.txt", "--target", "linux-64"];
        all.extend(args);
        let cli = super::Cli::parse_from(pip_spellings(all.iter().map(|a| a.into())));
        let super::Command::Resolve(args) = cli.command else {
            panic!("resolve")
        };
        args.binary.policy().unwrap()
    }

    #[test]
    fn binary_flags_apply_in_the_order_given() {
        // The later :all: clears the name the other flag was given; a later name wins.
        let p = policy(&["--only-binary", "numpy", "--no-binary", ":all:"]);
        assert!(p.no_binary.all && p.only_binary.is_empty(), "{p:?}");
        let p = policy(&["--no-binary", ":all:", "--only-binary", "numpy"]);
        assert!(p.formats("numpy").wheels && !p.formats("numpy").sdists);
        assert!(!p.formats("scipy").wheels);
        let p = policy(&["--only-binary", "--prefer-binary"]);
        assert!(p.only_binary.all && p.prefer_binary);
        let p = policy(&["--only-binary", ":all:", "--only-binary", ":none:"]);
        assert!(p.is_default(), "{p:?}");
    }
}
