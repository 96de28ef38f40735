#!/usr/bin/env bash
# The deterministic equivalent against sampled Gaussian sketches: for each (a, b, d, M) below, K sampled sketches'
# exact risk curves (averaged: risk_exact, with its standard error) beside the deterministic equivalent with its
# 1/M terms (det_equiv_correction = true) and without (the M -> infinity limit). Prints the largest
# |z| = |DE - average| / SE over the curve and the largest relative gap, for both. Exact only, no trials.
# Usage: bash bench/det_equiv_accuracy.sh [K=400] [seed=12345]   (about 2 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
K=${1:-400} seed=${2:-12345}
bin=${SGDLAW_BIN:-build/sgdlaw}
[ -x "$bin" ] || bash scripts/build.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf "%-5s %-5s %-6s %-5s %-6s | %-28s | %-28s\n" a b d M gamma "1/M terms: max|z|  max rel" "limit alone: max|z|  max rel"
while read -r a b d M gamma; do
  line=""
  for corr in true false; do
    "$bin" run --a "$a" --b "$b" --d "$d" --M "$M" --sigma 0.3 --gamma "$gamma" --N 20000 --checkpoint_ratio 1.6 \
      --monte_carlo false --sketches "$K" --seed "$seed" --det_equiv_correction "$corr" --progress false \
      --out "$out/$corr" >/dev/null
    line+=$(/usr/bin/python3 - "$out/$corr/curves.csv" "$K" <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
k = float(sys.argv[2])
z = [abs(float(r["risk_det_equiv"]) - float(r["risk_exact"])) / (float(r["risk_exact_sketch_sd"]) / math.sqrt(k))
     for r in rows]
rel = [abs(float(r["risk_det_equiv"]) / float(r["risk_exact"]) - 1) for r in rows]
print(f"{max(z):10.2f}  {max(rel):12.2e}      ", end="")
PY
)
    line+="| "
    rm -rf "${out:?}/$corr"
  done
  printf "%-5s %-5s %-6s %-5s %-6s | %s\n" "$a" "$b" "$d" "$M" "$gamma" "${line%| }"
done <<'GRID'
2 2 1024 32 0.3
2 2 1024 128 0.3
2 2 1024 256 0.3
2 2 1024 8 0.1
2 2 1024 16 0.1
1.5 1.5 1024 64 0.1
2 1.5 1024 64 0.1
1.5 2.5 1024 64 0.1
2 2 512 256 0.1
1.5 1.5 4096 128 0.1
GRID
