#!/usr/bin/env bash
# The GPU session in stages, each under 8 minutes on the GPU machine (16 cores) and each writing exactly three
# files into $OUT: stage<k>-summary.txt, stage<k>-logs.tar.gz, stage<k>.json. Every summary records the
# commit, nvcc's version and the card. Carry third_party/ (scripts/vendor_deps.sh). A machine is started bare for
# each call once it has gone back, so every stage builds build-gpu/ itself when it is missing.
# A task is lent at most 15 minutes of device time in all (machine start included), so run stage 0 first: the
# most the first call can learn. Stages 1-3 are the full set for when time remains (or a later lent task).
#   0  first run, one call, ~6 min: build the three targets, the GPU tests, one throughput point per kernel
#      shape (M = 256, 4096, 131072; 1000 trials) beside the CPU backend and JAX at M = 256, then memcheck
#   1  build, every test, compute-sanitizer memcheck and racecheck of the GPU tests
#   2  throughput grid: M = 64, 256, 1024, 4096, 16384, 131072 x trials 1000, 10^4 for the CUDA backend, the
#      CPU backend on all cores (1000 trials, fewer steps) and the JAX baseline, with ratios
#   3  configs/lin2024.toml, resumable: call again until the summary says "complete" (stops itself at 7 min)
# DRY_RUN=1 prints what each step would run and writes the three files from that (CI runs it, no GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
stage=${1:?usage: bench/gpu_stage.sh 0|1|2|3}
out=${OUT:-gpu-results}
mkdir -p "$out"
work=$(mktemp -d)
summary="$work/summary.txt"
json_items=()
budget_s=${STAGE_BUDGET_S:-420}
t_start=$(date +%s)

run() {  # run NAME CMD...: logs to $work/NAME.log, a line in the summary, never aborts the stage
  local name=$1
  shift
  if [ "${DRY_RUN:-0}" = 1 ]; then
    echo "dry run: $*" >"$work/$name.log"
    echo "$name: (dry run) $*" >>"$summary"
    json_items+=("\"$name\": {\"rc\": 0, \"seconds\": 0, \"dry_run\": true}")
    return 0
  fi
  local t0 rc
  t0=$(date +%s)
  set +e
  timeout $((budget_s - ($(date +%s) - t_start) > 10 ? budget_s - ($(date +%s) - t_start) : 10)) "$@" >"$work/$name.log" 2>&1
  rc=$?
  set -e
  echo "$name: rc=$rc, $(( $(date +%s) - t0 )) s; last lines:" >>"$summary"
  tail -n 6 "$work/$name.log" | sed 's/^/    /' >>"$summary"
  json_items+=("\"$name\": {\"rc\": $rc, \"seconds\": $(( $(date +%s) - t0 ))}")
}

{
  echo "sgdlaw GPU stage $stage, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "nvcc: $( (nvcc --version 2>/dev/null || /usr/local/cuda/bin/nvcc --version 2>/dev/null) | tail -n 2 | head -n 1)"
  echo "card: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo none)"
} >"$summary"

configure() {  # configure [TARGET...]: everything, or only the targets named
  cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DSGDLAW_VENDOR_DIR="$PWD/third_party" -DSGDLAW_MPI=OFF \
    -DCMAKE_CUDA_ARCHITECTURES=90 && cmake --build build-gpu -j"$(nproc)" ${1:+--target "$@"}
}

case "$stage" in
  0)
    run build configure sgdlaw sgdlaw_cuda sgdlaw_tests
    run gpu_tests bash -c "cd build-gpu && ctest --output-on-failure -L gpu"
    run version_startup bash -c "time build-gpu/sgdlaw --version && build-gpu/sgdlaw info"
    run cuda_M256_T1000 bash bench/throughput_point.sh cuda 256 1024 gaussian 1000 20000
    run cuda_M4096_T1000 bash bench/throughput_point.sh cuda 4096 16384 gaussian 1000 20000
    run cuda_M131072_T1000 bash bench/throughput_point.sh cuda 131072 131072 identity 1000 2000
    run cpu_M256_T1000 bash bench/throughput_point.sh cpu 256 1024 gaussian 1000 400
    run jax_M256_T1000 python3 bench/jax_baseline.py --M 256 --trials 1000 --steps 2000
    # Last: under the sanitizer the launches run far slower, and it gets whatever is left of the budget.
    run memcheck compute-sanitizer --tool memcheck --error-exitcode 1 build-gpu/tests/sgdlaw_tests \
      --gtest_filter='CudaBackend.SameTrials*:CudaBackend.EveryLaunchShape*'
    ;;
  1)
    run build configure
    run ctest bash -c "cd build-gpu && ctest --output-on-failure -j8 -E Reproduction"
    run memcheck compute-sanitizer --tool memcheck --error-exitcode 1 build-gpu/tests/sgdlaw_tests \
      --gtest_filter='CudaBackend.*'
    run racecheck compute-sanitizer --tool racecheck --error-exitcode 1 build-gpu/tests/sgdlaw_tests \
      --gtest_filter='CudaBackend.SameTrials*'
    run spills bash scripts/check_spills.sh
    ;;
  2)
    [ -x build-gpu/sgdlaw ] || [ "${DRY_RUN:-0}" = 1 ] || run build configure
    for M in 64 256 1024 4096 16384 131072; do
      for T in 1000 10000; do
        steps=$((M >= 16384 ? 2000 : 20000))
        sketch=$([ "$M" -ge 16384 ] && echo identity || echo gaussian)
        d=$([ "$sketch" = identity ] && echo "$M" || echo $((4 * M)))
        run "cuda_M${M}_T${T}" bash bench/throughput_point.sh cuda "$M" "$d" "$sketch" "$T" "$steps"
      done
      run "cpu_M${M}_T1000" bash bench/throughput_point.sh cpu "$M" "$((M >= 16384 ? M : 4 * M))" \
        "$([ "$M" -ge 16384 ] && echo identity || echo gaussian)" 1000 $((M >= 16384 ? 20 : 400))
      for T in 1000 10000; do
        run "jax_M${M}_T${T}" python3 bench/jax_baseline.py --M "$M" --trials "$T" --steps $((M >= 16384 ? 200 : 2000))
      done
    done
    ;;
  3)
    [ -x build-gpu/sgdlaw ] || [ "${DRY_RUN:-0}" = 1 ] || run build configure
    run lin2024 build-gpu/sgdlaw sweep configs/lin2024.toml --sweep-out gpu-results-lin2024
    if [ "${DRY_RUN:-0}" != 1 ] && grep -q "ran .* already complete" "$work/lin2024.log" && ! grep -qi "error" "$work/lin2024.log"; then
      echo "lin2024: complete" >>"$summary"
    else
      echo "lin2024: not complete yet (resumable: call stage 3 again)" >>"$summary"
    fi
    ;;
  *) echo "unknown stage $stage" >&2; exit 2 ;;
esac

echo "stage wall seconds: $(( $(date +%s) - t_start ))" >>"$summary"
cp "$summary" "$out/stage$stage-summary.txt"
tar -C "$work" -czf "$out/stage$stage-logs.tar.gz" --exclude=summary.txt .
(IFS=,; echo "{\"stage\": $stage, \"results\": {${json_items[*]}}}") >"$out/stage$stage.json"
rm -rf "$work"
cat "$out/stage$stage-summary.txt"
