#!/usr/bin/env bash
# Installs twinbed's build and test dependencies from Debian 12 packages.
# Idempotent: packages already installed are skipped, and apt-get runs only when something is missing.
# Waits up to 300 s for the dpkg lock instead of failing when another apt is running.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libyaml-cpp-dev
  libboost-graph-dev
  libhdf5-dev hdf5-tools
  librandom123-dev
  libcli11-dev
  nlohmann-json3-dev
  libfmt-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  python3 python3-h5py python3-numpy
  chromium   # e2e.report opens report.html headless and takes docs/img/report.png
  libmosquitto-dev mosquitto mosquitto-clients openssl   # live harness: client library, a real broker, TLS test certificates
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
$sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
