#!/usr/bin/env bash
# Records corpus/migrate-snapshot/: a file:// simple index of what migrating real conda
# environments (../shared/corpus/real/environment-yml) to uv consults on the default index,
# written by unilock's own client (`unilock index record`, each recording merged into the ones
# before it). tests/migrate.rs migrates the same environments offline from it.
#
# Each environment is migrated once online (`unilock migrate conda-to-uv`, into a temporary
# directory); the pyproject.toml it writes (the migrated requirements, pinned) is then recorded
# for the same target. Loose environments are planned --from-specs, but the one the shared
# channel snapshot solves (CLAIRE-Labo), which goes through the joint solve. Needs the
# network; run it again to refresh the snapshot (the tests then read the new pins).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="${UNILOCK_SHARED:-$root/../shared}"
envs="$shared/corpus/real/environment-yml"
alias="file://$(cd "$shared/conda-channels/lockfile-union" && pwd)/"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --quiet --bin unilock
unilock="$root/target/debug/unilock"
into=corpus/migrate-snapshot
target=linux-64,python=3.11
rm -rf "$into"
merge=()

# record FILE [MIGRATE OPTIONS...]: migrate FILE online, record what its pyproject asks for
# (pinned), and the same names unpinned (the migration's own solve starts from the newest
# versions its constraints allow, so the pages and metadata of those are read too); with
# --pre when the environment's pip: section says it.
record() {
    local file="$1"
    shift
    local out="$work/$(basename "$file")"
    local pre=()
    if grep -q -- '- --pre' "$envs/$file"; then pre=(--pre); fi
    "$unilock" migrate conda-to-uv "$envs/$file" --target "$target" -o "$out" "$@"
    "$unilock" index record "$out/pyproject.toml" --target "$target" --into "$into" "${pre[@]}" "${merge[@]}"
    merge=(--merge)
    sed -n 's/^    "\([^"=;]*\)==.*/\1/p' "$out/pyproject.toml" > "$work/names.txt"
    "$unilock" index record "$work/names.txt" --target "$target" --into "$into" "${pre[@]}" --merge --allow-unsatisfiable
}

claire=CLAIRE-Labo__python-ml-research-template__installation_docker-amd64-cuda_from-scratch-template_environment.yml
record "$claire" --channel-alias "$alias"
# Its joint solve resolves the pip: section on the environment's own Python (3.10) first.
sed -n '/- pip:/,/^[a-z]/p' "$envs/$claire" | sed -n 's/^ *- //p' | grep -v '^pip:' > "$work/claire-pip.txt"
"$unilock" index record "$work/claire-pip.txt" --target linux-64,python=3.10 --into "$into" --merge
while read -r file; do
    record "$file" --from-specs
done <<'EOF'
DeepLabCut__DeepLabCut__conda-environments_DEEPLABCUT.yaml
conda__conda__tests_env_support_valid_keys.yml
nf-core__rnaseq__modules_local_deseq2_qc_environment.yml
nf-core__rnaseq__modules_nf-core_star_align_environment.yml
numpy__numpy__environment.yml
pangeo-data__pangeo-docker-images__pytorch-notebook_environment.yml
rapidsai__rmm__conda_environments_all_cuda-129_arch-x86_64.yaml
snakemake__snakemake-wrappers__bio_deseq2_wald_environment.yaml
snakemake__snakemake-wrappers__bio_mofa2_training_environment.yaml
EOF

# Kept small (< 5 MB): the tests plan (`uv lock --locked`, `uv sync --frozen --dry-run`) and
# never install, so the bodies of wheels with a metadata file are left out (the pages still list every
# file with its hashes); sdist bodies stay (only their PKG-INFO tells an
# offline run whether a build is needed). Each page is kept as index.html only, which unilock's
# local reader and uv both read.
for f in "$into"/files/*.whl; do
    if [ -e "$f.metadata" ]; then rm "$f"; fi
done
find "$into/simple" -mindepth 2 -name index.json -delete
du -sh "$into"
