#!/usr/bin/env bash
# What a session lent a GPU runs there (carry third_party/ made by scripts/vendor_deps.sh): build for sm_90,
# the whole test suite (GPU tests included), the fast-path benchmarks (CPU and CUDA, JSON), and the time of
# the full Lin et al. sweep. Results go to $OUT (or ./gpu-results) for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-gpu-results}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DSGDLAW_VENDOR_DIR="$PWD/third_party" -DSGDLAW_MPI=OFF \
  -DCMAKE_CUDA_ARCHITECTURES=90 >"$out/configure.log" 2>&1
cmake --build build-gpu -j"$(nproc)" >"$out/build.log" 2>&1
build-gpu/sgdlaw info | tee "$out/info.txt"
(cd build-gpu && ctest --output-on-failure -j4 -E Reproduction) >"$out/ctest.log" 2>&1 || true
tail -n 5 "$out/ctest.log"
build-gpu/bench/bench_fast_path --benchmark_format=json >"$out/bench.json" 2>"$out/bench.err" || true
grep -E '"name"|trial_step_M_per_s' "$out/bench.json" | paste - - | sed 's/[",]//g' | tee "$out/bench.txt"
if [ "${SWEEP:-1}" = 1 ]; then
  start=$(date +%s)
  build-gpu/sgdlaw sweep configs/lin2024.toml --sweep-out "$out/lin2024" --no-fit >"$out/sweep.log" 2>&1 || true
  echo "lin2024 sweep wall seconds: $(( $(date +%s) - start ))" | tee -a "$out/sweep.log"
  tail -n 25 "$out/sweep.log"
fi
