#!/usr/bin/env bash
# Compiles every kernel with ptxas -v for the build's architecture, prints registers, stack and spills of each
# kernel instance, and fails (exit 1) when any instance spills or has a stack frame above MAX_STACK bytes
# (default 16: a larger frame is a local array or a pointer to registers, e.g. the selected `next` normals
# that put 48-80 B of the SGD kernels in local memory). Skips (exit 0) where nvcc is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
[ -x "$NVCC" ] || { echo "check_spills: no nvcc, skipped"; exit 0; }
ARCH=${SGDLAW_CUDA_ARCH:-90}
MAX_STACK=${MAX_STACK:-16}
log=$(mktemp)
for cu in kernels/*.cu; do
  "$NVCC" -std=c++17 -O3 -arch=sm_"$ARCH" -DSGDLAW_DEVICE_PHILOX_CURAND=1 -fmad=false --expt-relaxed-constexpr -Xptxas=-v -Iinclude -Ikernels \
    -c "$cu" -o /dev/null >>"$log" 2>&1 || { cat "$log"; exit 1; }
done
# ptxas prints, per function: "Compiling entry function 'NAME'", then "N bytes stack frame, S bytes spill stores,
# L bytes spill loads", then "Used R registers".
awk -v max_stack="$MAX_STACK" '
  /Compiling entry function/ { match($0, /'"'"'[^'"'"']*'"'"'/); name = substr($0, RSTART + 1, RLENGTH - 2); entry = 1; next }
  /Function properties for/ { entry = index($0, name) > 0; next }
  entry && /spill stores/ { stack = $1; spills = $5 + $9 }
  entry && /Used [0-9]+ registers/ {
    n = name
    if (n ~ /reduced_sgd_kernel/) {
      # reduced_sgd_kernel<team, state, K, split, batched> (template arguments ILi1ELi0ELi2ELb0ELb0EE)
      sub(/.*reduced_sgd_kernelIL[ib]/, "", n); sub(/EEEvN.*/, "", n); split(n, v, /EL[ib]/)
      n = sprintf("reduced_sgd %s %s K=%d %s B%s", v[1] == 1 ? "block" : "warp", v[2] == 2 ? "momentum" : v[2] == 1 ? "global" : "registers",
                  v[3], v[4] == 1 ? "split" : "unsplit", v[5] == 1 ? ">1" : "=1")
    }
    else { sub(/.*_cu_[0-9a-f]+[0-9]+/, "", n); sub(/E.*/, "", n) }
    flag = ""
    if (spills > 0) { bad = 1; flag = "  <- spills" }
    if (stack > max_stack) { bad = 1; flag = flag "  <- stack frame above " max_stack " B" }
    printf "%-52s %4d registers %5d B stack %5d B spilled%s\n", substr(n, 1, 52), $5, stack, spills, flag
    ++count
    entry = 0
  }
  END { if (count == 0) { print "check_spills: no kernel found in the ptxas output"; bad = 1 } exit bad }' "$log" && status=0 || status=1
rm -f "$log"
[ "$status" = 0 ] && echo "spills: none in any kernel instance, no stack frame above $MAX_STACK B" ||
  echo "spills: some kernel instances spill or have a stack frame above $MAX_STACK B (above)"
exit "$status"
