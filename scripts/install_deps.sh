#!/usr/bin/env bash
# Installs the Debian packages sgdlaw needs (only those missing). Run as root.
set -euo pipefail
packages=(build-essential cmake libeigen3-dev libcli11-dev librandom123-dev libtomlplusplus-dev nlohmann-json3-dev
          libgtest-dev libbenchmark-dev libgsl-dev libopenmpi-dev openmpi-bin python3-numpy python3-matplotlib
          clang-format python3-pandas python3-pip python3-setuptools)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
