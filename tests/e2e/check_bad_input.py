#!/usr/bin/python3
"""Bad input gives exit code 2, exactly one clear line on stderr naming file:line:column (or the flag),
the key and the value, nothing on stdout, and no results folder.

Usage: check_bad_input.py TWINBED"""
import os
import re
import subprocess
import sys
import tempfile

twinbed = sys.argv[1]

GOOD = """twinbed: 1
name: bad
duration: 1min
links:
  - name: wifi
    latency: 40ms
    loss: 1%
cohort:
  - count: 2
    devices:
      - type: pulse_oximeter
        sample_interval: 1s
"""


def edit(old, new):
    assert old in GOOD, old
    return GOOD.replace(old, new)


# (name, scenario text or None for a missing file, extra arguments, regex the stderr line must match)
CASES = [
    ("unknown key", GOOD + "recrod: {}\n", [],
     r"FILE:13:1: recrod: 'recrod' is not a known key \(did you mean 'record'\?\); allowed: .*record"),
    ("wrong type", edit("count: 2", "count: two"), [],
     r"FILE:9:12: cohort\[0\]\.count: 'two' is not a whole number; expected a whole number in \[1, 9999\]"),
    ("negative duration", edit("duration: 1min", "duration: -1min"), [],
     r"FILE:3:11: duration: '-1min' is not a valid duration: negative duration; expected .*ns, us, ms, s, min, h, d"),
    ("unit-less duration", edit("latency: 40ms", "latency: 40"), [],
     r"FILE:6:14: links\[0\]\.latency: '40' is not a valid duration: missing unit; expected"),
    ("malformed YAML", edit("  - count: 2", "  - count: [2"), [],
     r"FILE:\d+:\d+: is not valid YAML: "),
    ("missing file", None, [],
     r"FILE: cannot be read: no such file or not readable"),
    ("unknown device type", edit("type: pulse_oximeter", "type: pulse_oxymeter"), [],
     r"FILE:11:15: cohort\[0\]\.devices\[0\]\.type: 'pulse_oxymeter' is not a device type \(did you mean 'pulse_oximeter'\?\); allowed: pulse_oximeter"),
    ("probability > 1", edit("loss: 1%", "loss: 1.5"), [],
     r"FILE:7:11: links\[0\]\.loss: '1\.5' is outside \[0, 1\]; expected a probability in \[0, 1\]"),
    ("empty cohort", edit("""  - count: 2
    devices:
      - type: pulse_oximeter
        sample_interval: 1s
""", "").replace("cohort:\n", "cohort: []\n"), [],
     r"FILE:8:9: cohort: '<list>' is empty; expected at least one cohort entry"),
    ("zero patients", edit("count: 2", "count: 0"), [],
     r"FILE:9:12: cohort\[0\]\.count: '0' is out of range; expected a whole number in \[1, 9999\]"),
    ("empty value", edit("duration: 1min", "duration:"), [],
     r"FILE:3:1: duration: is empty; expected a duration with a unit"),
    ("unsupported version", edit("twinbed: 1", "twinbed: 7"), [],
     r"FILE:1:10: twinbed: '7' is not a supported scenario version; allowed: 1"),
    ("bad --set key", GOOD, ["--set", "cohort.0.cuont=3"],
     r"--set cohort\.0\.cuont=3: cohort\[0\]\.cuont: 'cuont' is not a known key \(did you mean 'count'\?\)"),
    ("bad --set value", GOOD, ["--set", "duration=soon"],
     r"--set duration=soon: duration: 'soon' is not a valid duration"),
    ("bad --seed", GOOD, ["--seed", "abc"],
     r"command line: --seed: 'abc' is not a seed; expected a whole number from 0 to 18446744073709551615"),
    ("unknown flag", GOOD, ["--sed", "3"],
     r"command line: .*--sed"),
    ("key of another device type", edit("sample_interval: 1s", "sensor: dexcom"), [],
     r"FILE:12:9: cohort\[0\]\.devices\[0\]\.sensor: 'sensor' is not a known key.*; allowed: type, name, link, "
     r"faults, times_of_day, .*sample_interval"),
    ("fault the type cannot have", edit("sample_interval: 1s", "faults: [{kind: occlusion, at: 1min}]"), [],
     r"FILE:12:25: cohort\[0\]\.devices\[0\]\.faults\[0\]\.kind: 'occlusion' is not a fault a pulse_oximeter "
     r"can have; allowed: motion, detachment, low_perfusion"),
    ("fault without at or every", edit("sample_interval: 1s", "faults: [{kind: detachment}]"), [],
     r"FILE:12:18: cohort\[0\]\.devices\[0\]\.faults\[0\]: '<mapping>' needs exactly one of 'at' \(a scheduled "
     r"fault\) or 'every'"),
    ("device parameter out of range", edit("sample_interval: 1s", "averaging_window: 60s"), [],
     r"FILE:12:27: cohort\[0\]\.devices\[0\]\.averaging_window: '60s' is longer than 16 s, the most "
     r"'averaging_window' allows"),
    ("time of day past midnight", edit("sample_interval: 1s", "times_of_day: [25h]"), [],
     r"FILE:12:24: cohort\[0\]\.devices\[0\]\.times_of_day\[0\]: '25h' is not a time of day"),
]

failures = []
with tempfile.TemporaryDirectory(prefix="twinbed-bad-") as work:
    for index, (name, text, extra, pattern) in enumerate(CASES):
        path = os.path.join(work, f"case{index}.yaml")
        if text is not None:
            with open(path, "w") as f:
                f.write(text)
        out = os.path.join(work, f"out{index}")
        proc = subprocess.run([twinbed, "run", path, "--out", out, *extra], capture_output=True, text=True, timeout=60)
        lines = proc.stderr.splitlines()
        expected = "twinbed: error: " + pattern.replace("FILE", re.escape(path))
        problems = []
        if proc.returncode != 2:
            problems.append(f"exit code {proc.returncode}")
        if len(lines) != 1:
            problems.append(f"{len(lines)} stderr lines")
        elif not re.fullmatch(expected + ".*", lines[0]):
            problems.append(f"stderr line does not match {expected!r}")
        if proc.stdout:
            problems.append(f"stdout not empty: {proc.stdout!r}")
        if os.path.exists(out):
            problems.append(f"results folder {out} exists")
        # `validate` must reject the same input the same way (flags other than --set aside).
        if text is not None and "--seed" not in extra and "--sed" not in extra:
            v = subprocess.run([twinbed, "validate", path, *extra], capture_output=True, text=True, timeout=60)
            if v.returncode != 2 or v.stderr != proc.stderr:
                problems.append(f"validate disagrees: exit {v.returncode}, {v.stderr!r}")
        status = "ok  " if not problems else "FAIL"
        print(f"{status} {name}: {proc.stderr.strip()}")
        if problems:
            failures.append(f"{name}: {'; '.join(problems)}")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"bad input: {len(CASES)} cases passed")
