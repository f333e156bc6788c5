#!/usr/bin/env bash
# The main job: install what is missing, build the release preset, run the quickstart scenario on
# the embedded default system under test, print the summary and where the results are.
# Extra arguments go to `twinbed run` (e.g. --seed 7, --set duration=2h, --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target twinbed_app -j"$(nproc)"
exec build/release/apps/twinbed run scenarios/quickstart.yaml "$@"
