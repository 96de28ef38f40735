#!/usr/bin/env bash
# One throughput point: `sgdlaw run` on BACKEND with M, d, sketch, trials, steps (B = 1, constant step,
# decomposition off, one checkpoint); prints trial*step*M per second of the Monte Carlo phase (from
# config.json's timing) and of the whole process.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=$1 M=$2 d=$3 sketch=$4 T=$5 N=$6
bin=${SGDLAW_BIN:-build-gpu/sgdlaw}
[ -x "$bin" ] || bin=build/sgdlaw
out=$(mktemp -d)
start=$(date +%s.%N)
"$bin" run --M "$M" --d "$d" --sketch "$sketch" --a 1.5 --sigma 0.1 --N "$N" --gamma 0.05 --schedule constant \
  --trials "$T" --decomposition false --checkpoint_min "$N" --backend "$backend" --progress false --out "$out/run" >/dev/null
end=$(date +%s.%N)
python3 - "$out/run/config.json" "$start" "$end" "$M" "$T" "$N" "$backend" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
start, end = float(sys.argv[2]), float(sys.argv[3])
M, T, N = (int(x) for x in sys.argv[4:7])
mc = j["timing_seconds"]["monte_carlo"]
print(json.dumps({"backend": sys.argv[7], "M": M, "trials": T, "steps": N,
                  "mc_trial_step_M_per_s": T * N * M / mc, "process_trial_step_M_per_s": T * N * M / (end - start),
                  "monte_carlo_seconds": mc, "process_seconds": end - start}))
PY
rm -rf "$out"
