#!/usr/bin/env bash
# Fresh machine -> installed, built, and the whole test suite run (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)"
