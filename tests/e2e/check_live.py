#!/usr/bin/python3
"""Live mode end to end with real processes: a mosquitto broker on 127.0.0.1 (a free port),
`twinbed monitor` as the platform, `twinbed run --speed 20` as the harness.

  loop    the live scores equal the in-process reference monitor's for the same seed: the same
          events detected, the same alarms true and false, delays within DELAY_TOLERANCE_S
  faults  the broker is stopped for 10 s in the middle of a run and started again: the run
          completes, reports the outage and the reconnect, and every reading is accounted for; a
          SUT that publishes garbage, oversized and wrongly typed alarms is counted, the run goes on
  tls     mqtts:// with the broker's CA works; with another CA the run fails with one error line

Usage: check_live.py TWINBED SCENARIOS_DIR {loop|faults|tls}"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from mqtt_fixture import Broker, make_certificates  # noqa: E402

twinbed, scenarios, mode = sys.argv[1], sys.argv[2], sys.argv[3]
scenario = os.path.join(scenarios, "live", "ward_loop.yaml")
failures = []

# At --speed 20 one wall millisecond is 20 simulated ms. Telemetry crosses the broker twice and
# alarms once (a few ms on loopback), the monitor ticks once per simulated second and a tick may
# land on either side of a delivery: 2 s of simulated time covers all of it with room for a
# loaded CI machine.
DELAY_TOLERANCE_S = 2.0


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL", what)
    return condition


def run(args, timeout, **kw):
    return subprocess.run([twinbed, *args], capture_output=True, text=True, timeout=timeout, **kw)


def summary_of(folder):
    with open(os.path.join(folder, "summary.json")) as f:
        return json.load(f)


def events_table(h5, prefix=""):
    t = h5[prefix + "/scores/events"][:]
    return t


def loop(tmp):
    broker = Broker(tmp).start()
    url = f"live.broker.url={broker.url}"
    # The same scenario and seed in virtual time: the embedded monitor as the SUT.
    virtual = run(["run", scenario, "--quiet", "--print-dir", "--out", os.path.join(tmp, "virtual")], 600)
    check(virtual.returncode == 0, f"virtual run exit {virtual.returncode}: {virtual.stderr}")
    v_dir = virtual.stdout.strip().splitlines()[-1]
    monitor_log = open(os.path.join(tmp, "monitor.log"), "w")
    monitor = subprocess.Popen([twinbed, "monitor", scenario, "--set", url, "--runs", "1", "--max-time", "400"],
                               stdout=monitor_log, stderr=subprocess.STDOUT)
    time.sleep(0.5)
    live = run(["run", scenario, "--speed", "20", "--set", url, "--quiet", "--print-dir",
                "--out", os.path.join(tmp, "live")], 400)
    check(live.returncode == 0, f"live run exit {live.returncode}: {live.stderr}")
    try:
        monitor.wait(timeout=30)
    except subprocess.TimeoutExpired:
        monitor.kill()
    monitor_log.close()
    print(open(os.path.join(tmp, "monitor.log")).read())
    check(monitor.returncode == 0, f"monitor exit {monitor.returncode}")
    if live.returncode != 0:
        return
    l_dir = live.stdout.strip().splitlines()[-1]
    v, l = summary_of(v_dir), summary_of(l_dir)
    s = l["live"]
    print(json.dumps({k: s[k] for k in ("pacing_error", "publish_rate", "published", "broker_connection")}, indent=1))
    # The in-process baseline of the live run is the virtual run: same telemetry, same monitor.
    check(l["baselines"]["in_process"]["alarms"] == v["alarms"], "in-process baseline differs from the virtual run")
    check(l["telemetry"] == v["telemetry"], "telemetry statistics differ between live and virtual runs")
    # The platform's (twinbed monitor over MQTT) scores against the in-process ones.
    sut, ref = l["alarms"], v["alarms"]
    for group in ["overall", "physiological", "technical"] + [c for c in ref if isinstance(ref[c], dict) and "events" in ref[c]]:
        if group not in ref or not isinstance(ref[group], dict) or "detected" not in ref[group]:
            continue
        for key in ("events", "detected", "missed", "true_alarms", "false_alarms"):
            check(sut[group][key] == ref[group][key],
                  f"alarms.{group}.{key}: live {sut[group][key]} vs in-process {ref[group][key]}")
    print(f"live: {sut['overall']['detected']}/{sut['overall']['events']} detected, "
          f"{sut['overall']['true_alarms']} true + {sut['overall']['false_alarms']} false alarms; "
          f"in-process {ref['overall']['detected']}/{ref['overall']['events']}, "
          f"{ref['overall']['true_alarms']} + {ref['overall']['false_alarms']}")
    check(ref["overall"]["detected"] > 0, "the scenario detects nothing: the comparison would be empty")
    # Event by event: the same events detected, delays within the tolerance.
    with h5py.File(os.path.join(l_dir, "run.h5")) as h5:
        live_events = h5["/scores/events"][:]
        base_events = h5["/baselines/in_process/scores/events"][:]
    check(len(live_events) == len(base_events), "different event tables")
    worst = 0.0
    for a, b in zip(live_events, base_events):
        check(a["onset_ns"] == b["onset_ns"] and a["event_class"] == b["event_class"], "events out of step")
        check(a["detected"] == b["detected"], f"event {b['event_class']} at {b['onset_ns'] / 1e9:.0f} s: detected "
              f"live {a['detected']} vs in-process {b['detected']}")
        if a["detected"] and b["detected"]:
            worst = max(worst, abs(a["delay_ns"] - b["delay_ns"]) / 1e9)
    print(f"largest delay difference, live vs in-process: {worst:.3f} s (tolerance {DELAY_TOLERANCE_S} s)")
    check(worst <= DELAY_TOLERANCE_S, f"delay difference {worst:.3f} s > {DELAY_TOLERANCE_S} s")
    # Every message accounted for and acknowledged (QoS 1), paced within bounds.
    p = s["published"]
    check(p["accounted"], "the publish account does not add up")
    check(p["acknowledged"]["messages"] == p["offered"]["messages"] > 0, f"not every message acknowledged: {p}")
    check(s["alarms_back"]["malformed"] == 0, "the monitor's alarms were malformed")
    check(s["pacing_error"]["p99"] is not None and s["pacing_error"]["p99"] <= 0.05,
          f"pacing error p99 {s['pacing_error']['p99']} s > 50 ms")
    rate = s["publish_rate"]
    check(abs(rate["achieved"] / rate["requested"] - 1) < 0.05, f"publish rate {rate}")
    check(s["alarm_delay"]["count"] == sut["overall"]["detected"], "end-to-end delay count")


def publish_raw(broker, topic, payload):
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker.port), "-t", topic, "-q", "1", "-s"],
                   input=payload, check=True, timeout=10)


def faults(tmp):
    broker = Broker(tmp).start()
    # 10 simulated minutes at speed 20: 30 s of wall time. The broker goes away at 8 s for 10 s.
    args = ["run", scenario, "--speed", "20", "--quiet", "--print-dir", "--out", os.path.join(tmp, "outage"),
            "--set", f"live.broker.url={broker.url}", "--set", "duration=10min", "--set", "expect=[]",
            "--set", "monitor={type: none}", "--set", "live.alarm_topic=test/alarms"]
    harness = subprocess.Popen([twinbed, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    # A SUT gone wrong: garbage, oversized, wrongly typed and unknown-patient alarms, then two good
    # ones (one of a type the scenario does not know).
    bad = [b"\x00\xff garbage \xfe", b"{" + b"\"x\":1," * 1000 + b"\"y\":2}", b"[1,2]",
           b'{"patient":"w0001","type":"spo2_low","priority":2}',
           b'{"patient":"nobody","type":"spo2_low","priority":"high"}']
    good = [b'{"patient":"w0001","type":"spo2_low","priority":"high","id":"g1"}',
            b'{"patient":"w0002","type":"mystery_alarm","priority":"low"}']
    for payload in bad + good:
        publish_raw(broker, "test/alarms", payload)
    time.sleep(5)
    broker.stop()
    stopped = time.monotonic()
    time.sleep(10)
    broker.start()
    print(f"broker away for {time.monotonic() - stopped:.1f} s")
    out, err = harness.communicate(timeout=120)
    check(harness.returncode == 0, f"run exit {harness.returncode}: {err}")
    if harness.returncode != 0:
        return
    s = summary_of(out.strip().splitlines()[-1])["live"]
    print(json.dumps({k: s[k] for k in ("published", "broker_connection", "alarms_back")}, indent=1))
    c, p, a = s["broker_connection"], s["published"], s["alarms_back"]
    check(c["disconnects"] >= 1 and c["connects"] >= 2, f"no reconnect reported: {c}")
    check(len(c["outages"]) >= 1 and all(o["back_s"] is not None for o in c["outages"]), f"outages {c['outages']}")
    check(all(9.0 <= o["back_s"] - o["lost_s"] <= 16.0 for o in c["outages"]), f"outage lengths {c['outages']}")
    check(p["accounted"], "the publish account does not add up")
    for what in ("messages", "readings"):
        check(p["acknowledged"][what] + p["dropped_buffer_full"][what] + p["dropped_error"][what]
              + p["unsent_at_end"][what] + p["pending"][what] + p["buffered"][what] == p["offered"][what],
              f"{what} unaccounted")
    check(p["acknowledged"]["messages"] == p["offered"]["messages"], f"QoS 1 with a large buffer loses nothing: {p}")
    check(p["buffered_peak"] > 0, "nothing was buffered during the outage")
    reasons = a["malformed_by_reason"]
    check(a["messages"] == 7 and a["accepted"] == 2 and a["malformed"] == 5, f"alarm messages {a}")
    check(reasons["not_json"] == 1 and reasons["oversized"] == 1 and reasons["not_object"] == 1
          and reasons["wrong_type"] == 1 and reasons["unknown_patient"] == 1, f"reasons {reasons}")
    check(a["unknown_types"] == {"mystery_alarm": 1}, f"unknown types {a['unknown_types']}")
    check(len(a["malformed_samples"]) == 5, "a sample per malformed message")


def budget(tmp):
    """The broker goes away for longer than live.broker.retry_budget: exit 3 with one line, no results."""
    broker = Broker(tmp).start()
    out = os.path.join(tmp, "budget")
    args = ["run", scenario, "--speed", "20", "--quiet", "--print-dir", "--out", out,
            "--set", f"live.broker.url={broker.url}", "--set", "duration=10min", "--set", "expect=[]",
            "--set", "monitor={type: none}", "--set", "live.broker.retry_budget=2s"]
    harness = subprocess.Popen([twinbed, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    broker.stop()
    stopped = time.monotonic()
    _, err = harness.communicate(timeout=120)
    took = time.monotonic() - stopped
    lines = err.strip().splitlines()
    print("broker gone:", harness.returncode, f"after {took:.1f} s", lines)
    check(harness.returncode == 3, f"exit {harness.returncode}")
    check(lines == [f"twinbed: error: run failed: broker {broker.url} unreachable for more than 2 s (live.broker.retry_budget)"],
          f"error lines {lines}")
    check(2.0 <= took <= 10.0, f"gave up after {took:.1f} s for a 2 s budget")
    check(not os.path.exists(os.path.join(out, "ward_loop")) or not os.listdir(os.path.join(out, "ward_loop")),
          "a failed run left results behind")


def tls(tmp):
    certs = make_certificates(tmp)
    broker = Broker(tmp, tls={"cafile": certs["ca.crt"], "certfile": certs["server.crt"],
                              "keyfile": certs["server.key"]}).start()
    url = f"mqtts://127.0.0.1:{broker.port}"
    base = ["run", scenario, "--speed", "100", "--quiet", "--print-dir", "--set", f"live.broker.url={url}",
            "--set", "duration=12min", "--set", "expect=[]", "--set", "monitor={type: none}"]
    good = run(base + ["--out", os.path.join(tmp, "good"), "--set", f"live.broker.ca_file={certs['ca.crt']}"], 120)
    check(good.returncode == 0, f"TLS run exit {good.returncode}: {good.stderr}")
    if good.returncode == 0:
        p = summary_of(good.stdout.strip().splitlines()[-1])["live"]["published"]
        check(p["acknowledged"]["messages"] == p["offered"]["messages"] > 0, f"TLS messages {p}")
    wrong = run(base + ["--out", os.path.join(tmp, "wrong"), "--set", f"live.broker.ca_file={certs['other-ca.crt']}"], 120)
    lines = wrong.stderr.strip().splitlines()
    print("wrong CA:", wrong.returncode, lines)
    check(wrong.returncode == 3, f"wrong CA exit {wrong.returncode}")
    check(len(lines) == 1 and "certificate verify failed" in lines[0] and url in lines[0], f"wrong CA error {lines}")
    check(not os.path.exists(os.path.join(tmp, "wrong", "ward_loop")) or not os.listdir(os.path.join(tmp, "wrong", "ward_loop")),
          "a failed run left results behind")


with tempfile.TemporaryDirectory(prefix="twinbed-live-") as tmp:
    {"loop": loop, "faults": faults, "budget": budget, "tls": tls}[mode](tmp)

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("ok")
