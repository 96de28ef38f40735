#!/usr/bin/env bash
# Fresh machine -> installed, built, and the main job run: the scaled-down Lin et al. reproduction
# (configs/lin2024-small.toml, about two minutes on 2 cores), its fits and its plots in runs/lin2024-small.
# With an argument, runs that file instead (a sweep file if it has [sweep], else a run file).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh
config="${1:-configs/lin2024-small.toml}"
shift || true
if grep -q '^\[sweep\]' "$config"; then
  ./build/sgdlaw sweep "$config" "$@"
  out=$(sed -n 's/^out *= *"\(.*\)"/\1/p' "$config" | tail -n 1)
  [ -n "$out" ] && ./build/sgdlaw plot "$out"
else
  ./build/sgdlaw run "$config" "$@"
fi
