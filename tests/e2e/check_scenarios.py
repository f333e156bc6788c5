#!/usr/bin/python3
"""Every scenario in scenarios/ validates, and `twinbed suite scenarios/ --quick` runs them all
with every `expect:` assertion passing (exit 0), one JUnit testsuite per scenario.

Usage: check_scenarios.py TWINBED SCENARIO_DIR"""
import glob
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

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
    # The whole library as a suite, each scenario shortened by its "# ci-set: key=value" lines so the
    # test stays quick in a Debug build; full lengths are exercised by hand and in docs/.
    junit = os.path.join(out, "junit.xml")
    r = subprocess.run([twinbed, "suite", scenario_dir, "--quick", "--jobs", "2", "--out", out, "--junit", junit],
                       capture_output=True, text=True, timeout=1800)
    print(r.stdout)
    if r.returncode != 0:
        failures.append(f"suite exit {r.returncode}: {r.stderr.strip()}\n{r.stdout}")
    else:
        suites = ET.parse(junit).getroot().findall("testsuite")
        if len(suites) != len(files):
            failures.append(f"junit: {len(suites)} testsuites for {len(files)} scenarios")
        for suite in suites:
            cases = suite.findall("testcase")
            names = [c.get("name") for c in cases]
            # Every scenario carries expect: lines, so no suite is only the bare "run" case.
            if names == ["run"] or not cases:
                failures.append(f"junit: scenario {suite.get('name')} has no assertions")
            if suite.get("failures") != "0" or suite.get("errors") != "0":
                failures.append(f"junit: scenario {suite.get('name')} failed")
    # Options may come before or after the file, and validate checks every file it is given.
    # A scenario that runs in one simulated minute (the first under qa/).
    one_minute = next(f for f in files if os.sep + "qa" + os.sep in f)
    r = subprocess.run([twinbed, "run", "--set", "duration=1min", one_minute, "--quiet", "--out", out],
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
