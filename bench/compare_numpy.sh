#!/usr/bin/env bash
# Fast path (CPU backend, all cores) vs the NumPy baseline at M = 256, 512 trials, same machine.
# N = 8000 steps per trial (w* and u* set-up included). Prints both throughputs (trial*step*M per second) and the ratio, with and without the decomposition.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bench/bench_fast_path
[ -x "$bin" ] || bash scripts/build.sh
json=$(mktemp)
"$bin" --benchmark_filter='BM_CpuFastPath/M:256/trials:512/steps:8000/split:[01]/threads:0' \
       --benchmark_min_time=1 --benchmark_format=json >"$json" 2>/dev/null
for split in 0 1; do
  np=$(/usr/bin/python3 bench/numpy_baseline.py --M 256 --trials 512 --steps 300 --split "$split")
  /usr/bin/python3 - "$json" "$np" "$split" <<'PY'
import json, sys
bench = json.load(open(sys.argv[1]))
np = json.loads(sys.argv[2])
split = int(sys.argv[3])
row = [b for b in bench["benchmarks"] if f"split:{split}/" in b["name"]][0]
ours = row["trial_step_M_per_s"]
print(f"decomposition={split}: sgdlaw cpu {ours:.3e}/s  numpy {np['trial_step_M_per_s']:.3e}/s  "
      f"ratio {ours / np['trial_step_M_per_s']:.1f}x  (M=256, 512 trials, {bench['context']['num_cpus']} cpus, numpy {np['numpy']})")
PY
done
rm -f "$json"
