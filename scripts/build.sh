#!/usr/bin/env bash
# Configures and builds sgdlaw into build/ (Release). Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >build-configure.log 2>&1 || { cat build-configure.log; exit 1; }
grep -E "sgdlaw:" build-configure.log || true
cmake --build build -j"$(nproc)" 2>&1 | grep -vE "Wmaybe-uninitialized|avx512fintrin|^\s*[0-9]+ \||^\s*\||In function|inlined from|In member function|note:" | tail -n 30
test -x build/sgdlaw
