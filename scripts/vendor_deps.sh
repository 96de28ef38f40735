#!/usr/bin/env bash
# Copies what the build needs from this machine's Debian packages into third_party/ (ignored by git), so
# that a machine with CUDA and CMake but none of Debian's -dev packages (the GPU box) can build:
# header-only libraries, GSL static libraries, the google-benchmark shared library, googletest source.
# Then: cmake -S . -B build -DSGDLAW_VENDOR_DIR=$PWD/third_party  (and carry third_party/ to that machine).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
out=third_party
rm -rf "$out"
mkdir -p "$out/include" "$out/lib"
cp -r /usr/include/eigen3 "$out/include/"
for d in Random123 toml++ CLI nlohmann gsl benchmark; do cp -r "/usr/include/$d" "$out/include/"; done
lib=/usr/lib/$(gcc -print-multiarch)
cp "$lib/libgsl.a" "$lib/libgslcblas.a" "$out/lib/"
cp -L "$lib/libbenchmark.so" "$out/lib/libbenchmark.so"  # Debian ships no static google-benchmark
soname=$(objdump -p "$out/lib/libbenchmark.so" | sed -n "s/ *SONAME *//p")
[ -n "$soname" ] && cp "$out/lib/libbenchmark.so" "$out/lib/$soname"  # found at run time through the build RPATH
cp -r /usr/src/googletest "$out/googletest"
du -sh "$out"
