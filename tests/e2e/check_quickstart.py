#!/usr/bin/python3
"""End-to-end: `twinbed run scenarios/quickstart.yaml` prints a summary and leaves an HDF5 file that
h5dump lists and Debian's python3-h5py reads; the row counts match summary.json.

Usage: check_quickstart.py TWINBED SCENARIO_DIR"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

twinbed, scenario_dir = sys.argv[1], sys.argv[2]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


with tempfile.TemporaryDirectory(prefix="twinbed-e2e-") as out:
    run = subprocess.run([twinbed, "run", os.path.join(scenario_dir, "quickstart.yaml"), "--out", out],
                         capture_output=True, text=True, timeout=120)
    check(run.returncode == 0, f"exit code {run.returncode}, stderr: {run.stderr}")
    check(run.stderr == "", f"unexpected stderr: {run.stderr!r}")
    runs = glob.glob(os.path.join(out, "quickstart", "*"))
    check(len(runs) == 1, f"expected one run folder, found {runs}")
    run_dir = runs[0]
    check(not os.path.basename(run_dir).startswith("."), f"temporary folder left: {run_dir}")
    check(re.search(r"^results\s+" + re.escape(run_dir) + "$", run.stdout, re.M) is not None,
          f"summary does not name the results folder {run_dir}:\n{run.stdout}")
    check(re.search(r"^telemetry\s+\d+ of \d+ readings received", run.stdout, re.M) is not None,
          f"summary has no telemetry line:\n{run.stdout}")

    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    h5_path = os.path.join(run_dir, "run.h5")

    dump = subprocess.run(["h5dump", "-H", h5_path], capture_output=True, text=True, timeout=60)
    check(dump.returncode == 0, f"h5dump failed: {dump.stderr}")
    for name in ['DATASET "telemetry"', 'DATASET "patients"', 'DATASET "devices"', 'GROUP "meta"',
                 '"sample_time_ns"', '"delivery_time_ns"', '"signal"', '"value"', '"flags"']:
        check(name in dump.stdout, f"h5dump -H does not list {name}")

    with h5py.File(h5_path, "r") as h5:
        telemetry = h5["telemetry"][:]
        patients = h5["patients"][:]
        devices = h5["devices"][:]
        meta = dict(h5["meta"].attrs)
        events = h5["ground_truth/events"][:]
        truth_vitals = h5["ground_truth/vitals"][:]
        score_rows = h5["scores/classes"][:]
        signal_codes = h5py.check_enum_dtype(h5["telemetry"].dtype["signal"])
        check(h5["telemetry"].compression == "gzip" and h5["telemetry"].shuffle, "telemetry is not shuffle+deflate")
        check(h5["telemetry"].chunks is not None, "telemetry is not chunked")

    check(len(telemetry) == summary["telemetry"]["received"],
          f"/telemetry has {len(telemetry)} rows, summary says {summary['telemetry']['received']} received")
    check(len(telemetry) == summary["telemetry_rows_recorded"] == meta["telemetry_rows"], "row counts disagree")
    check(len(events) == summary["ground_truth"]["events"], "ground-truth event count disagrees with the summary")
    # Ground truth every second for 4 patients over 1 h, from t = 0 to t = 1 h inclusive.
    check(len(truth_vitals) == 4 * 3601, f"/ground_truth/vitals has {len(truth_vitals)} rows")
    check(re.search(r"^truth\s+\d+ ground-truth events", run.stdout, re.M) is not None, "summary has no truth line")
    check(len(patients) == summary["patients"] == 4, f"{len(patients)} patients, summary {summary['patients']}")
    check(len(devices) == summary["devices"] == 4, f"{len(devices)} devices, summary {summary['devices']}")
    check([p.decode() for p in patients["id"]] == ["p0001", "p0002", "p0003", "p0004"], f"ids {patients['id']}")
    check(signal_codes["heart_rate"] == 0 and signal_codes["spo2"] == 1 and signal_codes["glucose"] == 9,
          f"signal enum {signal_codes}")
    check(meta["seed"] == summary["seed"] == 42, "seed not recorded")
    check(meta["scenario_name"] == "quickstart", "scenario name not recorded")
    check("twinbed: 1" in meta["scenario_text"], "scenario text not recorded")
    # Every received reading has a latency of exactly 40 ms (the link's constant latency).
    latency = telemetry["delivery_time_ns"] - telemetry["sample_time_ns"]
    check(np.all(latency == 40_000_000), f"latency not 40 ms: {np.unique(latency)[:5]}")
    # 4 devices x 3600 samples x 3 signals (SpO2, pulse rate, perfusion index) generated; 0.5 % loss.
    check(summary["telemetry"]["generated"] == 4 * 3600 * 3, f"generated {summary['telemetry']['generated']}")
    per_patient = np.bincount(telemetry["patient"], minlength=4)
    check(np.all(per_patient > 10500), f"per-patient rows {per_patient}")
    # The device's own pulse rate, from its PPG pulses, follows the true heart rate (ground truth
    # at 1 s): mean absolute error under 5 bpm over all readings of this resting ward.
    hr = telemetry[telemetry["signal"] == signal_codes["heart_rate"]]
    truth_by_second = {(int(r["patient"]), int(r["time_ns"] // 10**9)): r["heart_rate_bpm"] for r in truth_vitals}
    errors = [abs(r["value"] - truth_by_second[(int(r["patient"]), int(r["sample_time_ns"] // 10**9))])
              for r in hr[hr["value"] > 0]]
    check(np.mean(errors) < 5.0, f"pulse rate mean absolute error {np.mean(errors):.2f} bpm")
    # SpO2 follows the true saturation (some patients desaturate): ARMS <= 3 % (ISO 80601-2-61).
    spo2 = telemetry[telemetry["signal"] == signal_codes["spo2"]]
    truth_spo2 = {(int(r["patient"]), int(r["time_ns"] // 10**9)): r["spo2_percent"] for r in truth_vitals}
    spo2_errors = np.array([r["value"] - truth_spo2[(int(r["patient"]), int(r["sample_time_ns"] // 10**9))]
                            for r in spo2[spo2["value"] > 0]])
    check(np.sqrt(np.mean(spo2_errors ** 2)) < 3.0, f"SpO2 ARMS {np.sqrt(np.mean(spo2_errors ** 2)):.2f} %")
    # The reference monitor scored: the scenario's desaturations were announced, and the summary's
    # alarm figures equal the /scores/classes table read back.
    classes = {row["name"].decode(): row for row in score_rows}
    check(summary["alarms"]["desaturation"]["events"] >= 1, f"desaturation events {summary['alarms']['desaturation']}")
    check(summary["alarms"]["desaturation"]["sensitivity"] == 1.0, f"{summary['alarms']['desaturation']}")
    check(int(classes["overall"]["true_alarms"]) == summary["alarms"]["overall"]["true_alarms"], "scores table")
    check(re.search(r"^alarms\s+reference smart monitor: sensitivity", run.stdout, re.M) is not None,
          "summary has no alarms line")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("quickstart end-to-end: all checks passed")
