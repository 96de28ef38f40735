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
echo "building with $(nproc) jobs (a clean build takes about 5 minutes on 2 cores; later ones only what changed)"
start=$SECONDS
(
  while sleep 20; do echo "  ... still building ($((SECONDS - start)) s)"; done
) &
heartbeat=$!
trap 'kill "$heartbeat" 2>/dev/null || true' EXIT
set +e
cmake --build build -j"$(nproc)" >build/build.log 2>&1 &
builder=$!
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
  grep -E "error|Error" -A3 build/build.log | head -n 80
  exit "$status"
fi
echo "built build/sgdlaw in $((SECONDS - start)) s"
test -x build/sgdlaw
