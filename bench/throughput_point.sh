#!/usr/bin/env bash
# One throughput point: `sgdlaw run` on BACKEND with M, d, sketch, trials, steps (B = 1, constant step,
# decomposition off, no deterministic equivalent, one checkpoint); prints one JSON line with trial*step*M per
# second of the kernels alone (CUDA events; absent on the CPU), of the Monte Carlo phase (config.json's
# timing) and of the whole process, and each of those times.
# The binary: SGDLAW_BIN, else build-gpu/sgdlaw, else build/sgdlaw.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=$1 M=$2 d=$3 sketch=$4 T=$5 N=$6
bin=${SGDLAW_BIN:-build-gpu/sgdlaw}
[ -x "$bin" ] || bin=build/sgdlaw
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
"$bin" run --M "$M" --d "$d" --sketch "$sketch" --a 1.5 --sigma 0.1 --N "$N" --gamma 0.05 --schedule constant \
  --trials "$T" --decomposition false --det_equiv false --checkpoint_min "$N" --backend "$backend" --threads 0 \
  --progress false --out "$out/run" >/dev/null
end=$(date +%s.%N)
python3 - "$out/run/config.json" "$start" "$end" "$M" "$T" "$N" "$backend" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
start, end = float(sys.argv[2]), float(sys.argv[3])
M, T, N = (int(x) for x in sys.argv[4:7])
t = j["timing_seconds"]
work = T * N * M
row = {"backend": sys.argv[7], "M": M, "trials": T, "steps": N,
       "mc_trial_step_M_per_s": work / t["monte_carlo"], "process_trial_step_M_per_s": work / (end - start),
       "monte_carlo_seconds": t["monte_carlo"], "process_seconds": end - start,
       "setup_seconds": t["setup"], "exact_seconds": t["exact"]}
if "kernel" in t:
    row["kernel_seconds"] = t["kernel"]
    row["kernel_trial_step_M_per_s"] = work / t["kernel"]
    # Fixed costs (allocation, first library calls, module loading, uploads) as a share of the point's time.
    row["fixed_cost_share"] = 1.0 - t["kernel"] / (end - start)
print(json.dumps(row))
PY
