#!/usr/bin/python3
"""Live publishing load benchmark (docs/performance.md "Live publishing"), in one run against one
loopback mosquitto, with a subscriber (twinbed_mqtt_count) counting what the broker delivers:

  1. max      twinbed run bench/live/load_10k.yaml --speed max: 10,000 devices, 30,000 messages per
              simulated second for 30 simulated s, as fast as the broker accepts
  2. bare     a bare libmosquitto publish loop (twinbed_mqtt_bare), QoS 0, publishing the same
              traffic: as many messages, the harness's 30,000 topics in the same order (the broker's
              work per message grows with the topic's levels) and its mean payload size. The
              practical limit of this machine and broker for that traffic; the ratio uses it.
  3. bare_one the bare loop on one short topic (bare/load), same size: the broker's best case
  4. paced    the harness at --speed 1/3 for 10 simulated s: 10,000 messages/s, pacing error

Usage: live_load.py BUILD_DIR [OUT.json]   (BUILD_DIR: a Release build with apps/ and bench/)"""
import json
import os
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "tests", "e2e"))
from mqtt_fixture import Broker  # noqa: E402

build = sys.argv[1]
twinbed = os.path.join(build, "apps", "twinbed")
bare = os.path.join(build, "bench", "twinbed_mqtt_bare")
count = os.path.join(build, "bench", "twinbed_mqtt_count")
scenario = os.path.join(here, "load_10k.yaml")
results = {}


def counter(broker, topic, n, tmp, name):
    ready = os.path.join(tmp, f"{name}.ready")
    process = subprocess.Popen([count, "--port", str(broker.port), "--topic", topic, "--count", str(n),
                                "--idle-timeout", "5", "--start-timeout", "120", "--ready-file", ready],
                               stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not os.path.exists(ready) and time.monotonic() < deadline:
        time.sleep(0.05)
    return process


def harness(broker, tmp, name, speed, duration_s):
    args = [twinbed, "run", scenario, "--quiet", "--print-dir", "--out", os.path.join(tmp, name),
            "--speed", speed, "--set", f"live.broker.url={broker.url}", "--set", f"duration={duration_s}s"]
    started = time.monotonic()
    run = subprocess.run(args, capture_output=True, text=True, timeout=1800)
    wall = time.monotonic() - started
    if run.returncode != 0:
        sys.exit(f"{name}: twinbed exit {run.returncode}: {run.stderr}")
    with open(os.path.join(run.stdout.strip().splitlines()[-1], "summary.json")) as f:
        return json.load(f), wall


with tempfile.TemporaryDirectory(prefix="twinbed-load-") as tmp:
    broker = Broker(tmp).start()

    n = 900_000  # 30 simulated s x 10,000 devices x 3 readings
    sub = counter(broker, "twinbed/+/+/+/+/+", n, tmp, "max")
    summary, wall = harness(broker, tmp, "max", "max", 30)
    got = json.loads(sub.communicate(timeout=600)[0])
    live = summary["live"]
    results["max"] = {"subscriber": got, "live": live, "wall_s": wall}
    print(f"harness --speed max: offered {live['published']['offered']['messages']}, achieved "
          f"{live['publish_rate']['achieved']:.0f}/s; subscriber received {got['received']} at {got['rate']:.0f}/s; "
          f"accounted {live['published']['accounted']}; mean topic {got['mean_topic_bytes']:.1f} B, "
          f"payload {got['mean_payload_bytes']:.1f} B")

    size = str(round(got["mean_payload_bytes"]))
    same_topics = f"twinbed/{summary['run_id']}/{{site}}/{{patient}}/{{patient}}-spo2/{{signal}}"
    for name, topic, devices, bare_filter in (("bare", same_topics, "10000", "twinbed/+/+/+/+/+"),
                                              ("bare_one", "bare/load", "0", "bare/#")):
        sub = counter(broker, bare_filter, n, tmp, name)
        pub = subprocess.run([bare, "--port", str(broker.port), "--topic", topic, "--devices", devices, "--count", str(n),
                              "--size", size, "--qos", "0"], capture_output=True, text=True, timeout=600)
        got = json.loads(sub.communicate(timeout=600)[0])
        results[name] = {"publisher": json.loads(pub.stdout), "subscriber": got}
        print(f"{name} loop ({'the harness topics' if name == 'bare' else 'one topic'}, {size} B): published {n} at "
              f"{results[name]['publisher']['rate']:.0f}/s, subscriber received {got['received']} at {got['rate']:.0f}/s; "
              f"mean topic {got['mean_topic_bytes']:.1f} B")

    n = 300_000  # 10 simulated s at a third of real time: 30 wall s at 10,000 messages/s
    sub = counter(broker, "twinbed/+/+/+/+/+", n, tmp, "paced")
    summary, wall = harness(broker, tmp, "paced", "0.333333333333", 10)
    got = json.loads(sub.communicate(timeout=600)[0])
    live = summary["live"]
    results["paced"] = {"subscriber": got, "live": live, "wall_s": wall}
    e = live["pacing_error"]
    print(f"harness --speed 1/3: requested {live['publish_rate']['requested']:.0f}/s, achieved "
          f"{live['publish_rate']['achieved']:.0f}/s; pacing error p50 {e['p50'] * 1e3:.3f} ms, p99 "
          f"{e['p99'] * 1e3:.3f} ms, max {e['max'] * 1e3:.3f} ms; subscriber received {got['received']}")
    broker.stop()

ratio = results["max"]["subscriber"]["rate"] / results["bare"]["subscriber"]["rate"]
results["ratio_max_to_bare"] = ratio
results["ratio_max_to_bare_one_topic"] = results["max"]["subscriber"]["rate"] / results["bare_one"]["subscriber"]["rate"]
print(f"harness / bare loop, same traffic (delivered): {ratio:.3f}; "
      f"/ bare loop on one topic: {results['ratio_max_to_bare_one_topic']:.3f}")
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        json.dump(results, f, indent=1)
