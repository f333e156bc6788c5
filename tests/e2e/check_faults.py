#!/usr/bin/python3
"""Injected device faults reach /faults with their exact intervals, and the telemetry inside each
interval shows the documented effect (read back from run.h5 with h5py).

Usage: check_faults.py TWINBED"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

twinbed = sys.argv[1]

SCENARIO = """twinbed: 1
name: faults_e2e
seed: 11
duration: 2h
links: [{name: wired, latency: 10ms}]
cohort:
  - count: 2
    devices:
      - type: pulse_oximeter
        motion_artifacts: false
        faults:
          - {kind: crash, at: 10min, duration: 5min}
          - {kind: stuck_sensor, at: 30min, duration: 10min}
          - {kind: signal_loss, every: 20min, duration: 2min}
          - {kind: detachment, at: 50min, duration: 3min}
"""

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "faults.yaml")
    with open(path, "w") as f:
        f.write(SCENARIO)
    out = os.path.join(tmp, "results")
    done = subprocess.run([twinbed, "run", path, "--out", out, "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    run_dir = os.path.join(out, "faults_e2e", os.listdir(os.path.join(out, "faults_e2e"))[0])
    with h5py.File(os.path.join(run_dir, "run.h5"), "r") as h5:
        faults = h5["/faults"][:]
        telemetry = h5["/telemetry"][:]
        kind_names = {v: k for k, v in h5py.check_enum_dtype(faults.dtype["kind"]).items()}
        origin_names = {v: k for k, v in h5py.check_enum_dtype(faults.dtype["origin"]).items()}
    minute = 60 * 10**9
    for device in (0, 1):
        rows = faults[faults["device"] == device]
        kinds = [kind_names[k] for k in rows["kind"]]
        crash = rows[[k == "crash" for k in kinds]]
        assert len(crash) == 1 and crash["start_ns"][0] == 10 * minute and crash["end_ns"][0] == 15 * minute, crash
        assert origin_names[crash["origin"][0]] == "scheduled"
        stuck = rows[[k == "stuck_sensor" for k in kinds]]
        assert len(stuck) == 1 and stuck["start_ns"][0] == 30 * minute and stuck["end_ns"][0] == 40 * minute
        losses = rows[[k == "signal_loss" for k in kinds]]
        assert len(losses) >= 2, f"expected random signal losses over 2 h at one per ~22 min, got {len(losses)}"
        assert all(origin_names[o] == "random" for o in losses["origin"])
        mine = telemetry[telemetry["device"] == device]
        t = mine["sample_time_ns"]
        # Crash: nothing measured inside the interval.
        assert not np.any((t >= 10 * minute) & (t < 15 * minute)), "a crashed device reported"
        # Signal loss: no value inside any interval.
        for row in losses:
            assert not np.any((t >= row["start_ns"]) & (t < row["end_ns"])), "values during signal loss"
        # Stuck sensor: each signal repeats one value through the interval.
        inside = mine[(t >= 30 * minute) & (t < 40 * minute)]
        assert len(inside) > 500, len(inside)
        for signal in np.unique(inside["signal"]):
            values = inside[inside["signal"] == signal]["value"]
            assert np.all(values == values[0]), f"stuck sensor values vary: {np.unique(values)}"
        # Detachment (a model-specific artifact): after the oximeter's 5 s probe-off delay, every
        # SpO2 reading inside the interval is 0 with the sensor_off flag (bit 2), as documented.
        detached = rows[[k == "detachment" for k in kinds]]
        assert len(detached) == 1 and detached["start_ns"][0] == 50 * minute and detached["end_ns"][0] == 53 * minute
        lost = losses[(losses["start_ns"] < 53 * minute) & (losses["end_ns"] > 50 * minute)]
        spo2 = mine[(mine["signal"] == 1) & (t >= 50 * minute + 5 * 10**9) & (t < 53 * minute)]
        assert len(spo2) > 100 or len(lost) > 0, len(spo2)
        assert np.all(spo2["value"] == 0) and np.all(spo2["flags"] & 4), (spo2["value"][:5], spo2["flags"][:5])
        after = mine[(mine["signal"] == 1) & (t >= 54 * minute) & (t < 60 * minute)]
        assert np.all(after["value"] > 80) and not np.any(after["flags"] & 4), "probe back on: values return"
    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    print(f"faults e2e ok: {len(faults)} fault rows, {len(telemetry)} telemetry rows, "
          f"completeness {summary['telemetry']['completeness']:.4f}")
