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


# GOOD with a home network: the oximeter's BLE link to a per-patient phone, the phone's Wi-Fi link
# through a shared access point, and the access point's wired link to the ingest.
NETWORK = GOOD.replace("""links:
  - name: wifi
    latency: 40ms
    loss: 1%
""", """nodes:
  - {name: phone, kind: gateway, scope: patient}
  - {name: ward_ap, kind: wifi_ap, capacity: 54Mbps}
links:
  - {name: ble, technology: ble, to: phone}
  - {name: phone_wifi, technology: wifi, from: phone, to: ward_ap}
  - {name: lan, technology: wired, from: ward_ap}
""")


def network_edit(old, new):
    assert NETWORK.count(old) == 1, old
    return NETWORK.replace(old, new)


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
    # The network (nodes, links, outages, mobility).
    ("unknown link technology", edit("loss: 1%", "loss: 1%\n    technology: wfi"), [],
     r"FILE:8:17: links\[0\]\.technology: 'wfi' is not a link technology \(did you mean 'wifi'\?\); allowed: generic, "
     r"ble, wifi, nr_embb"),
    ("key of another link technology", edit("loss: 1%", "loss: 1%\n    connection_interval: 30ms"), [],
     r"FILE:8:5: links\[0\]\.connection_interval: 'connection_interval' is not a known key; allowed: name, from, to, "
     r"technology, delay_percentiles, latency, jitter, distribution, .*retransmission_delay$"),
    ("bad bit rate", network_edit("capacity: 54Mbps", "capacity: 54MB/s"), [],
     r"FILE:6:46: nodes\[1\]\.capacity: '54MB/s' has unknown unit 'MB/s'; expected a bit rate with unit bps, kbps, "
     r"Mbps, Gbps \(or bit/s, kbit/s, Mbit/s, Gbit/s\), e\.g\. 20Mbps"),
    ("unknown node in from", network_edit("from: phone,", "from: phnoe,"), [],
     r"FILE:9:48: links\[1\]\.from: 'phnoe' is not a node a link can leave \('device' or a node of nodes:\) \(did you "
     r"mean 'phone'\?\); allowed: device, phone, ward_ap"),
    ("link to device", network_edit("from: ward_ap}", "from: ward_ap, to: device}"), [],
     r"FILE:10:55: links\[2\]\.to: 'device' is the built-in device node; links lead away from devices "
     r"\('from: device'\), never to one"),
    ("shared to patient link", network_edit("from: ward_ap}", "from: ward_ap, to: phone}"), [],
     r"FILE:10:55: links\[2\]\.to: 'phone' is a patient-scoped node, but 'from' \('ward_ap'\) is shared: a shared node "
     r"exists once and cannot link to every patient's own node"),
    ("unreachable ingest", network_edit("from: ward_ap}", "from: ward_ap, to: phone}").replace(
        "kind: wifi_ap,", "kind: wifi_ap, scope: patient,"), [],
     r"FILE:14:9: cohort\[0\]\.devices\[0\]\.link: 'ble' does not reach 'ingest': the links from 'phone' only go "
     r"round among 'phone', 'ward_ap'"),
    ("unreachable ingest, dead end", network_edit("  - {name: lan, technology: wired, from: ward_ap}\n", ""), [],
     r"FILE:13:9: cohort\[0\]\.devices\[0\]\.link: 'ble' does not reach 'ingest': its path from 'phone' ends at "
     r"'ward_ap', where no link leaves; add a link from 'ward_ap' to 'ingest' \(or to a node that reaches it\)"),
    ("device on a link not from device", network_edit("sample_interval: 1s", "link: lan"), [],
     r"FILE:15:15: cohort\[0\]\.devices\[0\]\.link: 'lan' is a link from 'ward_ap', not from 'device'; a device "
     r"sends on a link with 'from: device' \(the default\); allowed: 'ble'"),
    ("delay_percentiles without p100",
     network_edit("from: ward_ap}", "from: ward_ap, distribution: empirical, delay_percentiles: {p0: 1ms, p50: 2ms}}"), [],
     r"FILE:10:95: links\[2\]\.delay_percentiles: '<mapping>' has no p100; the table needs p0 \(the least delay\) "
     r"and p100 \(the largest\)"),
    ("delay_percentiles not ascending",
     network_edit("from: ward_ap}", "from: ward_ap, distribution: empirical, delay_percentiles: {p0: 1ms, p50: 9ms, "
                  "p100: 5ms}}"), [],
     r"FILE:10:121: links\[2\]\.delay_percentiles\.p100: '5ms' is less than the delay at 'p50' \(9ms\); delays must "
     r"not decrease as the percentile rises"),
    ("outage target unknown", NETWORK + "outages: [{target: ward_pa, at: 10s, duration: 5s}]\n", [],
     r"FILE:16:20: outages\[0\]\.target: 'ward_pa' is not a node or link of this scenario \(did you mean 'ward_ap'\?\); "
     r"allowed: phone, ward_ap, ble, phone_wifi, lan"),
    ("outage with at and every", NETWORK + "outages: [{target: ward_ap, at: 10s, every: 2/day, duration: 5s}]\n", [],
     r"FILE:16:11: outages\[0\]: '<mapping>' needs exactly one of 'at' \(a scheduled outage\) or 'every' \(random, "
     r"mean time between onsets\)"),
    ("outage of a patient that does not exist",
     NETWORK + "outages: [{target: phone, at: 10s, duration: 5s, patients: [p0003]}]\n", [],
     r"FILE:16:61: outages\[0\]\.patients\[0\]: 'p0003' is not a patient of this scenario; patient ids are p0001 to "
     r"p0002"),
    ("mobility path not ascending",
     NETWORK + "mobility: [{name: walk, path: [{at: 0s, link: phone_wifi}, {at: 20s, link: none}, "
               "{at: 10s, link: phone_wifi}]}]\n", [],
     r"FILE:16:88: mobility\[0\]\.path\[2\]\.at: '10s' is not after the previous waypoint's 20s; waypoint times must "
     r"ascend"),
    ("mobility link of shared scope", NETWORK + "mobility: [{name: walk, path: [{at: 0s, link: lan}]}]\n", [],
     r"FILE:16:47: mobility\[0\]\.path\[0\]\.link: 'lan' is a link from the shared node 'ward_ap'; a mobility path "
     r"names links from 'device' or from a patient-scoped node \(or 'none'\)"),
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
