#!/usr/bin/env bash
# Regenerates the catalogue parts of docs/devices.md (`twinbed catalog --markdown`) and
# docs/network.md (`twinbed catalog --links --markdown`) from the code's own parameter tables,
# between the <!-- catalog:begin --> and <!-- catalog:end --> markers.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-build/release/apps/twinbed}"
[ -x "$binary" ] || binary=build/dev/apps/twinbed
/usr/bin/python3 - "$binary" <<'PY'
import os, subprocess, sys
binary = sys.argv[1]
for path, flags in (("docs/devices.md", ["--markdown"]), ("docs/network.md", ["--links", "--markdown"])):
    markdown = subprocess.run([binary, "catalog", *flags], capture_output=True, text=True, check=True).stdout
    page = open(path).read()
    begin, end = "<!-- catalog:begin -->\n", "<!-- catalog:end -->"
    head, rest = page.split(begin, 1)
    tail = rest.split(end, 1)[1]
    tmp = path + ".tmp"
    open(tmp, "w").write(head + begin + markdown + end + tail)
    os.replace(tmp, path)
    print(f"updated {path}")
PY
