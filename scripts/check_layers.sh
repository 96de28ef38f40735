#!/usr/bin/env bash
# Checks that each layer includes only the layers below it:
#   core  <-  backends, io, fit (siblings, independent)  <-  sweep  <-  app
# kernels/ (device code) may include core only. Exit 1 naming each offending include.
set -euo pipefail
cd "$(dirname "$0")/.."
allowed() {  # layer -> the layers it may include
  case "$1" in
    core) echo "core" ;;
    backends | io | fit) echo "core $1" ;;
    sweep) echo "core backends io fit sweep" ;;
    app) echo "core backends io fit sweep" ;;
    kernels) echo "core" ;;
  esac
}
bad=0
for dir in src/core src/backends src/io src/fit src/sweep src/app include/sgdlaw/core include/sgdlaw/backends \
           include/sgdlaw/io include/sgdlaw/fit include/sgdlaw/sweep kernels; do
  layer=$(basename "$dir")
  ok=" $(allowed "$layer") "
  while IFS= read -r hit; do
    file=${hit%%:*}
    used=$(sed -n 's#.*"sgdlaw/\([a-z]*\)/.*#\1#p' <<<"$hit")
    if [[ "$ok" != *" $used "* ]]; then
      echo "layer violation: $file ($layer) includes sgdlaw/$used/"
      bad=1
    fi
  done < <(grep -rHo '#include "sgdlaw/[a-z]*/[^"]*"' "$dir" || true)
done
[ "$bad" = 0 ] && echo "layers: every include goes downward"
exit "$bad"
