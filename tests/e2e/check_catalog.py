#!/usr/bin/python3
"""`twinbed catalog` lists every device type from the code's own table, and the generated part of
docs/devices.md is exactly `twinbed catalog --markdown` (so the docs cannot drift from the code).

Usage: check_catalog.py TWINBED DOCS_DEVICES_MD"""
import re
import subprocess
import sys

twinbed, docs = sys.argv[1], sys.argv[2]
TYPES = ["pulse_oximeter", "ecg_patch", "nibp_cuff", "thermometer", "skin_temp_patch", "cgm", "insulin_pump",
         "smartwatch", "weight_scale", "cardiac_implant", "bedside_monitor", "infusion_pump"]

text = subprocess.run([twinbed, "catalog"], capture_output=True, text=True, check=True).stdout
listed = re.findall(r"^(\w+): ", text, flags=re.M)
assert listed == TYPES, f"catalog lists {listed}"
for name in ("sample_interval", "battery_capacity_mah", "clock_drift_ppm", "buffer_capacity", "max_retries"):
    assert text.count("  " + name + " ") == len(TYPES), f"common parameter {name} missing from some type"

one = subprocess.run([twinbed, "catalog", "nibp_cuff"], capture_output=True, text=True, check=True).stdout
assert re.findall(r"^(\w+): ", one, flags=re.M) == ["nibp_cuff"], one

bad = subprocess.run([twinbed, "catalog", "pulse_oxymeter"], capture_output=True, text=True)
assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1, bad
assert "'pulse_oxymeter' is not a device type" in bad.stderr, bad.stderr

markdown = subprocess.run([twinbed, "catalog", "--markdown"], capture_output=True, text=True, check=True).stdout
with open(docs) as f:
    page = f.read()
begin, end = "<!-- catalog:begin -->\n", "<!-- catalog:end -->"
assert begin in page and end in page, "docs/devices.md lacks the catalog markers"
generated = page[page.index(begin) + len(begin):page.index(end)]
assert generated == markdown, ("docs/devices.md is out of date with the code's table; regenerate it with "
                               "scripts/update-device-docs.sh")
print(f"catalog ok: {len(TYPES)} types, docs in step ({len(markdown)} characters)")
