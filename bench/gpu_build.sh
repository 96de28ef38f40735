#!/usr/bin/env bash
# Configures and builds BUILD_DIR for the GPU machine (Release, vendored dependencies from third_party/, no MPI,
# sm_90): every target, or only those named. bench/gpu_stage.sh runs it as a step of its own (a script, so
# that `timeout` can start it).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:?usage: bench/gpu_build.sh BUILD_DIR [TARGET...]}
shift
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DSGDLAW_VENDOR_DIR="$PWD/third_party" -DSGDLAW_MPI=OFF \
  -DCMAKE_CUDA_ARCHITECTURES="${SGDLAW_CUDA_ARCH:-90}"
# --target takes several names after it (CMake 3.15+).
cmake --build "$build_dir" -j"$(nproc)" ${1:+--target "$@"}
