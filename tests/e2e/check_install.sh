#!/usr/bin/env bash
# Installs the built tree into a temporary prefix, builds tests/consumer against it with
# find_package(twinbed), runs it and checks what it printed.
# Usage: check_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d /tmp/twinbed-install-XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/tests/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j2 >/dev/null
output=$("$work/build/consumer" "$work/out")
echo "$output"
# 2 devices x 120 samples x 3 readings (SpO2, pulse rate, perfusion index), all delivered over a lossless 2 ms link before the end.
if [ "$output" != "kernel events 1, received 720 of 720" ]; then
  echo "FAILED: unexpected consumer output" >&2
  exit 1
fi
test -f "$work/prefix/lib/cmake/twinbed/twinbedConfig.cmake"
test -x "$work/prefix/bin/twinbed"
echo "install + find_package(twinbed) consumer: passed"
