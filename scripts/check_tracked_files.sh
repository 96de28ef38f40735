#!/usr/bin/env bash
# Fails (exit 1) when git tracks a build output: an executable or object file (ELF, archive), or any other
# binary file that is not a figure (PNG, JPEG, GIF, PDF under docs/ or examples/).
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue
  magic=$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')
  case "$magic" in
    7f454c46*) echo "tracked binary (ELF executable or object): $f"; bad=1; continue ;;
    213c617263683e0a*) echo "tracked binary (static archive): $f"; bad=1; continue ;;
  esac
  if LC_ALL=C grep -qP '\x00' "$f"; then
    case "$f" in
      docs/*.png | docs/*/*.png | docs/*.jpg | docs/*/*.jpg | docs/*.gif | docs/*.pdf) ;;
      *) echo "tracked binary file: $f"; bad=1 ;;
    esac
  fi
done < <(git ls-files -z)
[ "$bad" = 0 ] && echo "tracked files: no build outputs or stray binaries"
exit "$bad"
