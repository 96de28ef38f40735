#!/usr/bin/env bash
# Runs every stage of bench/gpu_stage.sh for real (not DRY_RUN) with stand-in tools first on PATH: cmake,
# ctest, nvcc, nvidia-smi, compute-sanitizer, ncu and python3 record their arguments and exit 0 (cmake's
# build writes a stand-in sgdlaw and test binary that answer like the real ones; python3 passes everything but
# the JAX baseline to the real interpreter). Fails unless, for each stage:
#   - it exits 0 and no step exits non-zero (127 or 126: a step that could not be started, e.g. a shell
#     function handed to `timeout`);
#   - every step ran the command intended (the recorded arguments, matched line by line below);
#   - its files land in $OUT: the expected names, at most 8 files, none deeper than two folders;
#   - the summary names the commit, the card, the tools found, and the throughput points carry kernel times.
# Each stage gets a fresh build folder, as on a bare machine. Usage: tests/gpu_stage_standins.sh
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
real_python=$(command -v python3)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin"
log="$T/calls.log"
fail=0
bad() {
  echo "FAIL: $*"
  fail=1
}

# A stand-in: records "NAME ARGS..." in the calls log, then runs BODY (shell text, "$@" are its arguments).
standin() {
  local name=$1 body=${2:-}
  {
    echo '#!/usr/bin/env bash'
    echo "printf '%s' '$(basename "$name")' >>'$log'; printf ' %s' \"\$@\" >>'$log'; echo >>'$log'"
    echo "$body"
    echo 'exit 0'
  } >"$name"
  chmod +x "$name"
}

standin "$T/bin/ctest"
standin "$T/bin/compute-sanitizer"
standin "$T/bin/ncu"
standin "$T/bin/nvidia-smi" 'echo "NVIDIA H200 (stand-in), 143771 MiB, 570.00"'
# nvcc: a version, and for check_spills.sh one kernel's ptxas report.
standin "$T/bin/nvcc" 'if [ "$1" = --version ]; then echo "Cuda compilation tools, release 13.0, V13.0.0"; echo "Build cuda_13.0"; exit 0; fi
echo "ptxas info    : Compiling entry function '"'"'_Z11standin_kernPd'"'"' for '"'"'sm_90'"'"'" >&2
echo "ptxas info    : Function properties for _Z11standin_kernPd" >&2
echo "    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads" >&2
echo "ptxas info    : Used 32 registers, used 0 barriers, 360 bytes cmem[0]" >&2'
standin "$T/bin/python3" 'if [ "${1:-}" = bench/jax_baseline.py ]; then
  echo "{\"trial_step_M_per_s\": 1e9, \"seconds\": 1.0, \"device\": \"cuda:0 (stand-in)\"}"; exit 0; fi
exec '"'$real_python'"' "$@"'

# The stand-in sgdlaw: run writes a config.json with the timing fields throughput_point.sh reads; sweep a table.
cat >"$T/fake_sgdlaw" <<EOF
#!/usr/bin/env bash
printf '%s' sgdlaw >>'$log'; printf ' %s' "\$@" >>'$log'; echo >>'$log'
out= sweep_out=
prev=
for a in "\$@"; do
  [ "\$prev" = --out ] && out=\$a
  [ "\$prev" = --sweep-out ] && sweep_out=\$a
  prev=\$a
done
case "\${1:-}" in
  --version) echo "sgdlaw 0.0.0 (stand-in)" ;;
  info) echo "backends: cuda: NVIDIA H200 (stand-in)" ;;
  run)
    mkdir -p "\$out"
    kernel=
    [[ " \$* " == *" --backend cuda "* ]] && kernel=', "kernel": 1.0'  # CUDA events: the CUDA backend only
    echo "{\"timing_seconds\": {\"setup\": 0.5, \"exact\": 0.01, \"monte_carlo\": 1.2\$kernel}}" >"\$out/config.json" ;;
  sweep)
    mkdir -p "\$sweep_out/points/p0"
    echo "name,M,N,risk" >"\$sweep_out/sweep.csv"
    echo "x" >"\$sweep_out/points/p0/curves.csv"
    echo "  ran 9, already complete 0, failed 0" ;;
esac
exit 0
EOF
chmod +x "$T/fake_sgdlaw"
standin "$T/bin/cmake" 'if [ "$1" = --version ]; then echo "cmake version 3.28.0 (stand-in)"; exit 0; fi
if [ "$1" = --build ]; then mkdir -p "$2/tests"; cp '"'$T/fake_sgdlaw'"' "$2/sgdlaw"
  printf "#!/usr/bin/env bash\nexit 0\n" >"$2/tests/sgdlaw_tests"; chmod +x "$2/tests/sgdlaw_tests"; fi
for ((i = 1; i <= $#; ++i)); do [ "${!i}" = -B ] && { j=$((i + 1)); mkdir -p "${!j}"; }; done'

# expect STAGE REGEX: some recorded call matches the whole line.
expect() {
  grep -qE "^$2\$" "$log" || bad "stage $1: no call matching: $2"
}

run_stage() {
  local k=$1
  local out="$T/out$k" b="$T/build$k"
  : >"$log"
  if ! PATH="$T/bin:$PATH" OUT="$out" GPU_BUILD="$b" GPU_SWEEP_OUT="$T/sweep$k" SGDLAW_COMMIT=standin-commit-$k \
    STAGE_BUDGET_S=300 bash "$src/bench/gpu_stage.sh" "$k" >"$T/stage$k.stdout" 2>&1; then
    bad "stage $k exited non-zero"
    cat "$T/stage$k.stdout"
  fi
  local s="$out/stage$k-summary.txt"
  [ -f "$s" ] || {
    bad "stage $k: no summary"
    return
  }
  local failed
  failed=$(grep -E '^[A-Za-z0-9_]+: rc=' "$s" | grep -vE ': rc=0,' || true)
  [ -z "$failed" ] || bad "stage $k: steps that did not exit 0: $failed"
  grep -q "^commit: standin-commit-$k$" "$s" || bad "stage $k: summary lacks the commit"
  grep -q "^card: NVIDIA H200 (stand-in)" "$s" || bad "stage $k: summary lacks the card"
  grep -q "^compute-sanitizer: $T/bin/compute-sanitizer; ncu: $T/bin/ncu$" "$s" || bad "stage $k: tools not found on PATH"
  grep -q "^cmake: cmake version 3.28.0 (stand-in)" "$s" || bad "stage $k: no cmake version"
  grep -q "^g++: " "$s" || bad "stage $k: no g++ version"
  grep -q "^cuBLAS headers: " "$s" || bad "stage $k: no line on the CUDA development files"
  # Files: the expected names, at most 8, none deeper than two folders below $OUT.
  local n deep
  n=$(find "$out" -type f | wc -l)
  deep=$(find "$out" -mindepth 4 | wc -l)
  [ "$n" -le 8 ] || bad "stage $k: $n files in OUT (at most 8 come back)"
  [ "$deep" = 0 ] || bad "stage $k: files deeper than two folders in OUT"
  for f in "stage$k-summary.txt" "stage$k-logs.tar.gz" "stage$k.json"; do
    [ -f "$out/$f" ] || bad "stage $k: $f missing from OUT"
  done
  "$real_python" -c 'import json, sys; j = json.load(open(sys.argv[1])); assert j["stage"] == int(sys.argv[2]) and j["results"]' \
    "$out/stage$k.json" "$k" || bad "stage $k: stage$k.json does not parse or is empty"
  # The build, on a bare machine, for every stage.
  expect "$k" "cmake -S \\. -B $b -DCMAKE_BUILD_TYPE=Release -DSGDLAW_VENDOR_DIR=$src/third_party -DSGDLAW_MPI=OFF -DCMAKE_CUDA_ARCHITECTURES=90"
}

num='[0-9]+'
run_flags() {  # the fixed part of a throughput point's sgdlaw run line
  echo "sgdlaw run --M $1 --d $2 --sketch $3 --a 1\\.5 --sigma 0\\.1 --N $5 --gamma 0\\.05 --schedule constant --trials $4 --decomposition false --det_equiv false --checkpoint_min $5 --backend $6 --threads 0 --progress false --out .*"
}

# Stage 0
run_stage 0
expect 0 "cmake --build $T/build0 -j$num --target sgdlaw sgdlaw_cuda sgdlaw_tests"
expect 0 "ctest --output-on-failure -L gpu"
expect 0 "sgdlaw --version"
expect 0 "sgdlaw info"
expect 0 "$(run_flags 256 1024 gaussian 1000 200000 cuda)"
expect 0 "$(run_flags 4096 16384 gaussian 1000 50000 cuda)"
expect 0 "$(run_flags 131072 131072 identity 1000 2000 cuda)"
expect 0 "$(run_flags 256 1024 gaussian 1000 100000 cpu)"
expect 0 "python3 bench/jax_baseline.py --M 256 --trials 1000 --steps 20000"
expect 0 "ncu --target-processes all --kernel-name regex:reduced_sgd --launch-count 1 --metrics sm__warps_active\\.avg\\.pct_of_peak_sustained_active,sm__inst_issued\\.avg\\.pct_of_peak_sustained_active,l1tex__t_bytes_pipe_lsu_mem_local_op_ld\\.sum,l1tex__t_bytes_pipe_lsu_mem_local_op_st\\.sum $T/build0/sgdlaw run --M 256 .* --backend cuda .*"
expect 0 "compute-sanitizer --tool memcheck --error-exitcode 1 $T/build0/tests/sgdlaw_tests --gtest_filter=CudaBackend\\.SameTrials\\*:CudaBackend\\.DevicePhilox\\*"
[ "$(grep -c '"kernel_trial_step_M_per_s"' "$T/out0/stage0-summary.txt")" = 3 ] ||
  bad "stage 0: the three CUDA points do not report kernel throughput"
grep -q '"fixed_cost_share"' "$T/out0/stage0-summary.txt" || bad "stage 0: no fixed-cost share"
[ "$(grep -cE '^[a-z0-9_A-Z]+: rc=' "$T/out0/stage0-summary.txt")" = 10 ] || bad "stage 0: not 10 steps"

# Stage 1
run_stage 1
expect 1 "cmake --build $T/build1 -j$num"
expect 1 "ctest --output-on-failure -j8 -E Reproduction"
expect 1 "compute-sanitizer --tool memcheck --error-exitcode 1 $T/build1/tests/sgdlaw_tests --gtest_filter=CudaBackend\\.\\*"
expect 1 "compute-sanitizer --tool racecheck --error-exitcode 1 $T/build1/tests/sgdlaw_tests --gtest_filter=CudaBackend\\.SameTrials\\*"
expect 1 "nvcc -std=c\\+\\+17 -O3 -arch=sm_90 .*-Xptxas=-v .*"
grep -q "spills: none in any kernel instance" "$T/out1/stage1-summary.txt" || bad "stage 1: check_spills did not parse"

# Stage 2
run_stage 2
expect 2 "cmake --build $T/build2 -j$num --target sgdlaw sgdlaw_cuda"
expect 2 "$(run_flags 64 256 gaussian 1000 200000 cuda)"
expect 2 "$(run_flags 64 256 gaussian 10000 20000 cuda)"
expect 2 "$(run_flags 4096 16384 gaussian 10000 5000 cuda)"
expect 2 "$(run_flags 131072 131072 identity 10000 200 cuda)"
expect 2 "$(run_flags 64 256 gaussian 1000 400000 cpu)"
expect 2 "$(run_flags 131072 131072 identity 1000 100 cpu)"
expect 2 "python3 bench/jax_baseline.py --M 16384 --trials 10000 --steps 200"
[ "$(grep -cE '^[a-z0-9_A-Z]+: rc=' "$T/out2/stage2-summary.txt")" = 31 ] || bad "stage 2: not 31 steps"

# Stage 3
run_stage 3
expect 3 "cmake --build $T/build3 -j$num --target sgdlaw sgdlaw_cuda"
expect 3 "sgdlaw sweep configs/lin2024\\.toml --sweep-out $T/sweep3"
grep -q "^lin2024: complete" "$T/out3/stage3-summary.txt" || bad "stage 3: a finished sweep is not called complete"
# (the listing is read whole first: `tar | grep -q` under pipefail fails when grep stops reading early)
listing=$([ -f "$T/out3/stage3-tables.tar.gz" ] && tar -tzf "$T/out3/stage3-tables.tar.gz" || true)
[[ "$listing" == *sweep.csv* ]] || bad "stage 3: the sweep's tables are not in OUT"

if [ "$fail" = 0 ]; then
  echo "gpu_stage stand-ins: stages 0-3 ran every step as intended"
else
  echo "gpu_stage stand-ins: FAILED (above); the calls of the last stage:"
  cat "$log"
fi
exit "$fail"
