#!/usr/bin/env bash
# sgdlaw on the CPU against the JAX baseline (bench/jax_baseline.py: vmap over trials, jit, lax.scan) on the same
# machine and the same work: M = 256, 512 trials, N = 20000, B = 1, constant step, whole process for sgdlaw
# (`sgdlaw run`, set-up and output included; decomposition off so both carry one error vector). JAX comes from
# PyPI into a private virtual environment (the tool itself never needs it); timing excludes JAX's compile.
# Prints both rates (trial*step*M per second) and the ratio; target >= 10x on the 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/sgdlaw ] || bash scripts/build.sh
venv=${SGDLAW_BENCH_VENV:-build/bench-venv}
if [ ! -x "$venv/bin/python" ]; then
  dpkg -s python3-venv >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; }
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q "jax[cpu]"
fi
M=256 T=512 N=20000
out=$(mktemp -d)
start=$(date +%s.%N)
build/sgdlaw run --M $M --d $((4 * M)) --a 1.5 --sigma 0.1 --N $N --gamma 0.1 --schedule constant --trials $T \
  --decomposition false --checkpoint_min $N --backend cpu --progress false --out "$out/run" >/dev/null
end=$(date +%s.%N)
jax_json=$("$venv/bin/python" bench/jax_baseline.py --M $M --trials $T --steps $N)
/usr/bin/python3 - "$start" "$end" "$jax_json" "$M" "$T" "$N" <<'PY'
import json, sys
start, end, jx = float(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3])
M, T, N = (int(x) for x in sys.argv[4:7])
ours = T * N * M / (end - start)
print(f"sgdlaw cpu (whole process, {end - start:.2f} s): {ours:.3e}/s   jax {jx['jax']} on {jx['device']} "
      f"({jx['seconds']:.2f} s after compile): {jx['trial_step_M_per_s']:.3e}/s   ratio {ours / jx['trial_step_M_per_s']:.1f}x"
      f"   (M={M}, {T} trials, N={N})")
PY
rm -rf "$out"
