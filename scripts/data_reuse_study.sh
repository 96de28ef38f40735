#!/usr/bin/env bash
# The data-reuse study: configs/data-reuse.toml (resumable), then its tables and figure (data_reuse.md/.png).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/sgdlaw ] || bash scripts/build.sh
out="${1:-runs/data-reuse}"
build/sgdlaw sweep configs/data-reuse.toml --sweep-out "$out"
/usr/bin/python3 scripts/data_reuse_table.py "$out"
