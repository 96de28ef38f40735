#!/usr/bin/env bash
# The GPU session in stages, each under 7 minutes on the GPU machine (16 cores) and each writing its files into
# $OUT (stage<k>-summary.txt, stage<k>-logs.tar.gz, stage<k>.json; stage 3 also stage3-tables.tar.gz): at most
# 4 files, no folder. Carry third_party/ (scripts/vendor_deps.sh). .git does not travel, so pass the commit in
# the run command, with the hash written out here: SGDLAW_COMMIT=<git rev-parse HEAD> bash bench/gpu_stage.sh 0.
# A machine is started bare for each call once it has gone back, so every stage builds $GPU_BUILD (default
# build-gpu) itself when it is missing.
#
# A task is lent at most 15 minutes of device time in all (machine start included), so run stage 0 first: the
# most the first call can learn. Stages 1-3 are the full set for when time remains (or a later lent task).
#   0  first run, one call: build, the GPU tests, one throughput point per kernel shape beside the CPU backend
#      and JAX, one ncu profile, memcheck of the quick GPU tests. Planned time on 16 cores, from the work sizes:
#        build (3 targets; nvcc of reduced_sgd_kernel.cu, 24 instances, is the critical path:
#               22 s for every .cu file on 1 core here)                                          ~ 90 s
#        GPU tests (ctest -L gpu, 7 tests, the launch-shape test the longest)                     ~ 45 s
#        version and info (module load, device query)                                            ~  5 s
#        cuda M = 256:    1000 trials x 200000 steps x 256    = 5.1e10 units; warp teams, 250 blocks of
#                         128 threads (one wave on 132 SMs), ~1.5 us a step: ~0.3-1 s kernel, +3 s set-up
#        cuda M = 4096:   1000 x 50000 x 4096 = 2.0e11; 512-thread blocks, one per SM, 7.6 waves of ~3 us
#                         steps: ~1.2 s kernel, +3 s
#        cuda M = 131072: identity, 1000 x 2000 x 131072 = 2.6e11; global state, one pass of 16 B per
#                         coordinate and step: 2.1 GB a step at ~4 TB/s: ~1.1 s kernel, +3 s       ~ 20 s (3)
#        cpu M = 256, all 16 cores: 1000 x 100000 x 256 = 2.6e10 at ~1e9 per core and s: ~2-5 s    ~ 10 s
#        JAX M = 256: 1000 x 20000 steps, compiled once, timed on a second call (~1-3 s each)    ~ 30 s
#        ncu, M = 256 kernel, one launch of 2000 steps, ~10 replay passes                        ~ 30 s
#        memcheck of CudaBackend.SameTrials* and DevicePhilox* (small launches, ~50x slower)     ~ 90 s
#      total ~ 320 s = 5.3 min, under the 7 minutes; every step is also capped by what is left of STAGE_BUDGET_S.
#   1  build, every test, compute-sanitizer memcheck (the launch-shape test too) and racecheck, spills
#   2  throughput grid: M = 64, 256, 1024, 4096, 16384, 131072 x trials 1000, 10^4 for the CUDA backend, the
#      CPU backend on all cores (1000 trials, fewer steps) and the JAX baseline
#   3  configs/lin2024.toml, resumable: call again until the summary says "complete" (stops itself at 7 min);
#      the sweep's tables come back in stage3-tables.tar.gz (extract it into $GPU_SWEEP_OUT and carry that
#      folder to resume on a fresh machine)
# DRY_RUN=1 prints what each step would run and writes the files from that. CI runs every stage for real with
# stand-in tools first on PATH (tests/gpu_stage_standins.sh), which checks each step's command line.
set -euo pipefail
cd "$(dirname "$0")/.."
stage=${1:?usage: bench/gpu_stage.sh 0|1|2|3}
out=${OUT:-gpu-results}
build_dir=${GPU_BUILD:-build-gpu}
sweep_out=${GPU_SWEEP_OUT:-gpu-results-lin2024}
mkdir -p "$out"
work=$(mktemp -d)
summary="$work/summary.txt"
json_items=()
last_rc=0
budget_s=${STAGE_BUDGET_S:-420}
t_start=$(date +%s)

# A CUDA tool: on PATH, else in the toolkit's bin folder; "missing" if neither.
cuda_tool() {
  local p
  p=$(command -v "$1" 2>/dev/null) || { [ -x "/usr/local/cuda/bin/$1" ] && p=/usr/local/cuda/bin/$1; } || p=missing
  echo "$p"
}
sanitizer=$(cuda_tool compute-sanitizer)
ncu=$(cuda_tool ncu)
nvcc=$(cuda_tool nvcc)

# run NAME CMD...: CMD is an executable (never a shell function: `timeout` cannot run those), logged to
# $work/NAME.log, a line in the summary; never aborts the stage.
run() {
  local name=$1
  shift
  if [ "${DRY_RUN:-0}" = 1 ]; then
    echo "dry run: $*" >"$work/$name.log"
    echo "$name: (dry run) $*" >>"$summary"
    json_items+=("\"$name\": {\"rc\": 0, \"seconds\": 0, \"dry_run\": true}")
    last_rc=0
    return 0
  fi
  local t0 rc left
  t0=$(date +%s)
  left=$((budget_s - (t0 - t_start)))
  set +e
  timeout $((left > 10 ? left : 10)) "$@" >"$work/$name.log" 2>&1
  rc=$?
  set -e
  last_rc=$rc
  echo "$name: rc=$rc, $(($(date +%s) - t0)) s; last lines:" >>"$summary"
  tail -n 6 "$work/$name.log" | sed 's/^/    /' >>"$summary"
  json_items+=("\"$name\": {\"rc\": $rc, \"seconds\": $(($(date +%s) - t0))}")
}

present() { [ -e "$1" ] && echo present || echo missing; }
{
  echo "sgdlaw GPU stage $stage, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: ${SGDLAW_COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo "unknown (pass SGDLAW_COMMIT=<hash> in the run command)")}"
  echo "g++: $(g++ --version 2>/dev/null | head -n 1 || echo missing)"
  echo "cmake: $(cmake --version 2>/dev/null | head -n 1 || echo missing)"
  echo "nvcc: $("$nvcc" --version 2>/dev/null | tail -n 2 | head -n 1 || echo missing) ($nvcc)"
  echo "card: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo none)"
  cuda_root=$(dirname "$(dirname "$nvcc")")
  inc="$cuda_root/include"
  echo "cuBLAS headers: $(present "$inc/cublas_v2.h"), cuSOLVER headers: $(present "$inc/cusolverDn.h")," \
    "cuRAND headers: $(present "$inc/curand_kernel.h")"
  echo "compute-sanitizer: $sanitizer; ncu: $ncu"
  echo "cores: $(nproc)"
} >"$summary"

build() {  # build [TARGET...]: configure and build $build_dir (everything, or the targets named)
  run build bash bench/gpu_build.sh "$build_dir" "$@"
}
have_build() { [ -x "$build_dir/sgdlaw" ] || [ "${DRY_RUN:-0}" = 1 ]; }
point() {  # point NAME BACKEND M d sketch trials steps
  local name=$1
  shift
  run "$name" env SGDLAW_BIN="$build_dir/sgdlaw" bash bench/throughput_point.sh "$@"
}

case "$stage" in
  0)
    build sgdlaw sgdlaw_cuda sgdlaw_tests
    run gpu_tests bash -c "cd '$build_dir' && ctest --output-on-failure -L gpu"
    run version_startup bash -c "time '$build_dir/sgdlaw' --version && '$build_dir/sgdlaw' info"
    point cuda_M256_T1000 cuda 256 1024 gaussian 1000 200000
    point cuda_M4096_T1000 cuda 4096 16384 gaussian 1000 50000
    point cuda_M131072_T1000 cuda 131072 131072 identity 1000 2000
    point cpu_M256_T1000 cpu 256 1024 gaussian 1000 100000
    run jax_M256_T1000 python3 bench/jax_baseline.py --M 256 --trials 1000 --steps 20000
    # One launch of the M = 256 kernel: achieved occupancy, issue slots busy, local-memory bytes.
    run ncu_M256 "$ncu" --target-processes all --kernel-name regex:reduced_sgd --launch-count 1 --metrics \
      sm__warps_active.avg.pct_of_peak_sustained_active,sm__inst_issued.avg.pct_of_peak_sustained_active,l1tex__t_bytes_pipe_lsu_mem_local_op_ld.sum,l1tex__t_bytes_pipe_lsu_mem_local_op_st.sum \
      "$build_dir/sgdlaw" run --M 256 --d 1024 --a 1.5 --sigma 0.1 --N 2000 --gamma 0.05 --schedule constant \
      --trials 1000 --decomposition false --det_equiv false --backend cuda --progress false --out "$work/ncu-run"
    rm -rf "$work/ncu-run"
    # Last: under the sanitizer launches run far slower; it gets whatever is left of the budget. Only the quick
    # tests here (the launch-shape test is stage 1's).
    run memcheck "$sanitizer" --tool memcheck --error-exitcode 1 "$build_dir/tests/sgdlaw_tests" \
      --gtest_filter='CudaBackend.SameTrials*:CudaBackend.DevicePhilox*'
    ;;
  1)
    build
    run ctest bash -c "cd '$build_dir' && ctest --output-on-failure -j8 -E Reproduction"
    run memcheck "$sanitizer" --tool memcheck --error-exitcode 1 "$build_dir/tests/sgdlaw_tests" \
      --gtest_filter='CudaBackend.*'
    run racecheck "$sanitizer" --tool racecheck --error-exitcode 1 "$build_dir/tests/sgdlaw_tests" \
      --gtest_filter='CudaBackend.SameTrials*'
    run spills bash scripts/check_spills.sh
    ;;
  2)
    have_build || build sgdlaw sgdlaw_cuda
    for M in 64 256 1024 4096 16384 131072; do
      big=$((M >= 16384 ? 1 : 0))
      sketch=$([ "$big" = 1 ] && echo identity || echo gaussian)
      d=$([ "$big" = 1 ] && echo "$M" || echo $((4 * M)))
      for T in 1000 10000; do
        # About 1 s of kernel time each (the stage-0 estimates): fewer steps for more trials or larger M.
        steps=$((M >= 16384 ? 2000 : M >= 4096 ? 50000 : 200000))
        [ "$T" = 10000 ] && steps=$((steps / 10))
        point "cuda_M${M}_T${T}" cuda "$M" "$d" "$sketch" "$T" "$steps"
      done
      point "cpu_M${M}_T1000" cpu "$M" "$d" "$sketch" 1000 $((M >= 16384 ? 100 : 100000 * 256 / M))
      for T in 1000 10000; do
        run "jax_M${M}_T${T}" python3 bench/jax_baseline.py --M "$M" --trials "$T" --steps $((M >= 16384 ? 200 : 2000))
      done
    done
    ;;
  3)
    have_build || build sgdlaw sgdlaw_cuda
    run lin2024 "$build_dir/sgdlaw" sweep configs/lin2024.toml --sweep-out "$sweep_out"
    # Complete: the sweep finished (not stopped by the budget) with no failed point.
    if [ "${DRY_RUN:-0}" != 1 ] && [ "$last_rc" = 0 ] && grep -qE "already complete [0-9]+, failed 0" "$work/lin2024.log"; then
      echo "lin2024: complete" >>"$summary"
    else
      echo "lin2024: not complete yet (resumable: call stage 3 again)" >>"$summary"
    fi
    # The tables (and each finished point's files, so that a carried copy resumes); not the resume chunks.
    if [ -d "$sweep_out" ]; then
      tar -czf "$out/stage3-tables.tar.gz" --exclude='*.resume' --exclude='*.partial-*' --exclude='trials.csv' \
        "$sweep_out"
    else
      echo "lin2024: no sweep folder $sweep_out to pack" >>"$summary"
    fi
    ;;
  *)
    echo "unknown stage $stage" >&2
    exit 2
    ;;
esac

echo "stage wall seconds: $(($(date +%s) - t_start))" >>"$summary"
cp "$summary" "$out/stage$stage-summary.txt"
tar -C "$work" -czf "$out/stage$stage-logs.tar.gz" --exclude=summary.txt .
(
  IFS=,
  echo "{\"stage\": $stage, \"results\": {${json_items[*]}}}"
) >"$out/stage$stage.json"
rm -rf "$work"
cat "$out/stage$stage-summary.txt"
