#!/usr/bin/python3
"""Every scenario in scenarios/ validates and runs to completion (exit 0) with a summary.

Usage: check_scenarios.py TWINBED SCENARIO_DIR"""
import glob
import os
import subprocess
import sys
import tempfile

twinbed, scenario_dir = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(scenario_dir, "**", "*.yaml"), recursive=True))
failures = []
if not files:
    failures.append(f"no scenarios found in {scenario_dir}")
with tempfile.TemporaryDirectory(prefix="twinbed-scenarios-") as out:
    for path in files:
        v = subprocess.run([twinbed, "validate", path], capture_output=True, text=True, timeout=60)
        if v.returncode != 0:
            failures.append(f"{path}: validate exit {v.returncode}: {v.stderr.strip()}")
            continue
        # Research scenarios (a week, 200 patients) run shortened to 3 h so the suite stays quick
        # in a Debug build; their full length is exercised by hand and in docs/performance.md.
        # A scenario may say how to shorten itself for the suite: "# ci-set: key=value" lines.
        shorten = ["--set", "duration=3h"] if os.sep + "research" + os.sep in path else []
        with open(path) as f:
            for line in f:
                if line.startswith("# ci-set:"):
                    shorten += ["--set", line.split(":", 1)[1].strip()]
        r = subprocess.run([twinbed, "run", path, "--out", out, *shorten], capture_output=True, text=True,
                           timeout=600)
        if r.returncode != 0 or "results " not in r.stdout:
            failures.append(f"{path}: run exit {r.returncode}: {r.stderr.strip()}")
        print(f"{path}: exit {r.returncode}")
    # Options may come before or after the file, and validate checks every file it is given.
    r = subprocess.run([twinbed, "run", "--set", "duration=1min", files[0], "--quiet", "--out", out],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0 or r.stdout or r.stderr:
        failures.append(f"run --set ... FILE --quiet: exit {r.returncode}, {r.stdout!r}, {r.stderr!r}")
    bad = os.path.join(out, "bad.yaml")
    with open(bad, "w") as f:
        f.write("twinbed: 1\nname: x\nduraton: 1h\n")
    v = subprocess.run([twinbed, "validate", bad, *files, bad], capture_output=True, text=True, timeout=60)
    if v.returncode != 2 or len(v.stderr.splitlines()) != 2 or v.stdout.count(": ok (") != len(files):
        failures.append(f"validate of several files: exit {v.returncode}, {v.stdout!r}, {v.stderr!r}")
if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"{len(files)} scenarios validated and ran")
