#!/usr/bin/env bash
# Fresh machine -> installed, built, and the whole test suite run: the source checks (tracked files, layers,
# formatting), then ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/check_tracked_files.sh
bash scripts/check_layers.sh
bash scripts/check_format.sh
bash scripts/check_spills.sh
/usr/bin/python3 scripts/check_function_length.py
/usr/bin/python3 scripts/check_docs.py
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)"
