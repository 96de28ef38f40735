#!/usr/bin/env bash
# Configures and builds sgdlaw into build/ (Release). Extra arguments go to cmake's configure step.
# It says what it is doing at least every 30 s: each finished step's percentage and file as the build goes, and a
# heartbeat while one long step (an nvcc kernel, the test binary's link) runs. The full compiler output is in
# build/build.log; on a failure its errors are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "configuring build/ (cmake)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >build-configure.log 2>&1 || { cat build-configure.log; exit 1; }
grep -E "sgdlaw:" build-configure.log || true
echo "building with $(nproc) jobs (a clean build takes about 4 minutes on 2 cores; later ones only what changed)"
start=$SECONDS
(
  # Its sleep dies with it (a leftover sleep would hold a piped caller's stdout for up to 20 s).
  trap 'kill "$pid" 2>/dev/null; exit 0' TERM
  while :; do
    sleep 20 &
    pid=$!
    wait "$pid"
    echo "  ... still building ($((SECONDS - start)) s)"
  done
) </dev/null 2>/dev/null &
heartbeat=$!
: >build/build.log  # before the build starts, so the progress reader never shows an older build's lines
set +e
cmake --build build -j"$(nproc)" >build/build.log 2>&1 &
builder=$!
# Ctrl-C or a kill stops the build and the heartbeat too (background jobs of a script ignore SIGINT).
trap 'kill "$builder" "$heartbeat" 2>/dev/null; exit 130' INT TERM
trap 'kill "$heartbeat" 2>/dev/null || true' EXIT
# Progress lines as they come: "[ 42%] Building CXX object .../schedule.cpp.o" -> "[ 42%] schedule.cpp".
tail -n +1 -f build/build.log --pid="$builder" 2>/dev/null | while IFS= read -r line; do
  case "$line" in
    "["*"%]"*)
      pct=${line%%]*}
      rest=${line#*] }
      case "$rest" in */*) rest=${rest##*/} ;; esac
      echo "${pct}] ${rest%.o}"
      ;;
  esac
done
wait "$builder"
status=$?
set -e
kill "$heartbeat" 2>/dev/null || true
if [ "$status" -ne 0 ]; then
  echo "build failed; the errors (build/build.log has everything):"
  grep -E "error|Error" -A3 build/build.log | head -n 80 || true
  exit "$status"
fi
echo "built build/sgdlaw in $((SECONDS - start)) s"
test -x build/sgdlaw
