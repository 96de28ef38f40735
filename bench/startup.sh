#!/usr/bin/env bash
# Start-up cost of commands that never touch a GPU (target < 50 ms each), and that the executable links no
# CUDA math library (the CUDA backend is the module libsgdlaw_cuda.so, loaded only for `cuda` / `auto`).
# Best of 20 runs per command. Exit 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/sgdlaw}
[ -x "$bin" ] || bash scripts/build.sh
status=0
if ldd "$bin" | grep -qiE "libcu(blas|solver|rand|fft|dart)|libcublasLt"; then
  echo "ldd $bin lists CUDA libraries:"; ldd "$bin" | grep -iE "cu(blas|solver|rand|fft|dart)"; status=1
else
  echo "ldd $bin: no CUDA library"
fi
for args in "--version" "run --help" "fit --help" "sweep --help" "plot --help"; do
  best=$(/usr/bin/python3 - "$bin" $args <<'PY'
import subprocess, sys, time
best = 1e9
for _ in range(20):
    t0 = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    best = min(best, time.perf_counter() - t0)
print(f"{best * 1000:.1f}")
PY
)
  verdict=$(/usr/bin/python3 -c "print('ok' if $best < 50 else 'SLOW')")
  [ "$verdict" = ok ] || status=1
  printf "sgdlaw %-14s %6s ms  %s\n" "$args" "$best" "$verdict"
done
exit "$status"
