#!/usr/bin/env bash
# Regenerates the catalogue part of docs/devices.md from the code's own parameter tables
# (`twinbed catalog --markdown`), between the <!-- catalog:begin --> and <!-- catalog:end --> markers.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-build/release/apps/twinbed}"
[ -x "$binary" ] || binary=build/dev/apps/twinbed
/usr/bin/python3 - "$binary" docs/devices.md <<'PY'
import subprocess, sys
binary, path = sys.argv[1], sys.argv[2]
markdown = subprocess.run([binary, "catalog", "--markdown"], capture_output=True, text=True, check=True).stdout
page = open(path).read()
begin, end = "<!-- catalog:begin -->\n", "<!-- catalog:end -->"
head, rest = page.split(begin, 1)
tail = rest.split(end, 1)[1]
tmp = path + ".tmp"
open(tmp, "w").write(head + begin + markdown + end + tail)
import os; os.replace(tmp, path)
print(f"updated {path}")
PY
