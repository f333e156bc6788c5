#!/usr/bin/python3
"""End-to-end: a run with ECG (scenarios/validation/ecg_rhythms.yaml, shortened) exported with
`twinbed export RUN --wfdb DIR` gives one WFDB record per ECG patient whose header, signal file and
annotation file agree with run.h5: sample count, samples within one quantisation step, and the
annotations equal to /ground_truth/beats.

Usage: check_wfdb_export.py TWINBED SCENARIO_DIR"""
import glob
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

twinbed, scenario_dir = sys.argv[1], sys.argv[2]
failures = []
CODES = {1: "N", 5: "V", 8: "A", 6: "F", 13: "Q"}


def read_annotations(path):
    """Decodes the MIT annotation format (annot(5)): returns [(sample, code)]."""
    data = np.fromfile(path, dtype="<u2")
    out, time, i = [], 0, 0
    while i < len(data):
        word = int(data[i])
        code, value = word >> 10, word & 0x3FF
        if word == 0:
            break
        if code == 59:  # SKIP: 32-bit interval, high 16 bits first
            time += (int(data[i + 1]) << 16) | int(data[i + 2])
            i += 3
            continue
        time += value
        out.append((time, code))
        i += 1
    return out


with tempfile.TemporaryDirectory(prefix="twinbed-wfdb-") as work:
    out = os.path.join(work, "results")
    run = subprocess.run([twinbed, "run", os.path.join(scenario_dir, "validation", "ecg_rhythms.yaml"), "--out", out,
                          "--set", "duration=750s", "--set", "expect=[]", "--quiet"],
                         capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        failures.append(f"run failed: {run.stderr}")
    run_dir = glob.glob(os.path.join(out, "ecg_rhythms", "*"))[0]
    for fmt in ("16", "212"):
        target = os.path.join(work, f"wfdb{fmt}")
        ex = subprocess.run([twinbed, "export", run_dir, "--wfdb", target, "--format", fmt], capture_output=True,
                            text=True, timeout=300)
        if ex.returncode != 0:
            failures.append(f"export {fmt} failed: {ex.stderr}")
            continue
        with h5py.File(os.path.join(run_dir, "run.h5"), "r") as h5:
            ids = [p.decode() for p in h5["patients"]["id"]]
            beats = h5["ground_truth/beats"][:]
            for pid in h5["waveforms/ecg"]:
                ecg = h5["waveforms/ecg"][pid][:]
                header = open(os.path.join(target, pid + ".hea")).read().splitlines()
                record = header[0].split()
                if int(record[3]) != len(ecg) or float(record[2]) != 250.0:
                    failures.append(f"{pid} format {fmt}: header {header[0]!r} vs {len(ecg)} samples")
                signal = header[1].split()
                gain = float(signal[2].split("(")[0].split("/")[0])
                if fmt == "16":
                    adu = np.fromfile(os.path.join(target, pid + ".dat"), dtype="<i2")
                    mv = adu.astype(float) / gain
                    if len(adu) != len(ecg) or np.max(np.abs(mv - ecg)) > 0.5 / gain + 1e-6:
                        failures.append(f"{pid}: samples differ from /waveforms/ecg")
                ann = read_annotations(os.path.join(target, pid + ".atr"))
                mine = beats[beats["patient"] == ids.index(pid)]
                expected = [(int(b["sample"]), chr(b["beat_class"])) for b in mine]
                got = [(s, CODES.get(c, "?")) for s, c in ann]
                if got != expected:
                    failures.append(f"{pid} format {fmt}: {len(got)} annotations vs {len(expected)} beats")
                if pid.startswith("vt") and "V" not in {c for _, c in got}:
                    failures.append(f"{pid}: no V beats annotated")
        print(f"format {fmt}: {len(os.listdir(target))} files")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("WFDB export end-to-end: all checks passed")
