#!/usr/bin/env bash
# Fresh machine -> installed, built, and the default job run (configs/quick.toml unless a config is given).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh
config="${1:-configs/quick.toml}"
shift || true
./build/sgdlaw run "$config" "$@"
