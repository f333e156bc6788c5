#!/usr/bin/python3
"""The network QA scenarios show what they claim, read back from run.h5 with h5py and from
summary.json; and docs/network.md's technology tables are exactly `twinbed catalog --links --markdown`.

- ambulance_5g_handover: handover intervals of 30-60 ms and a coverage hole in /faults, rerouting
  between cells, nothing lost (completeness 1), the held data delivered after the hole with a
  latency about as long as the hole.
- home_ble_dropout: BLE blockages beyond the supervision timeout disconnect (ble_disconnect rows
  starting exactly 2 s after a link_outage row), the phone falls back to LTE-M (reroutes, packets
  on the `lte` link) and the patch's store-and-forward keeps completeness at 1.
- ward_wifi_congestion: the AP runs near capacity (utilisation), its reboot is a node_outage, and
  the flush after it overflows the AP's queue (queue_overflow drops, a full queue in /network/links).

Usage: check_network.py TWINBED SCENARIO_DIR DOCS_NETWORK_MD"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

twinbed, scenarios, docs = sys.argv[1], sys.argv[2], sys.argv[3]
NS = 1e9


def run(tmp, name, *overrides):
    out = os.path.join(tmp, "results")
    args = [twinbed, "run", os.path.join(scenarios, "qa", name + ".yaml"), "--out", out, "--quiet"]
    # Shortened runs: the scenario's own expect lines are for its full and CI sizes.
    for o in (*overrides, "expect=[]"):
        args += ["--set", o]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    run_dir = os.path.join(out, name, sorted(os.listdir(os.path.join(out, name)))[-1])
    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    return summary, h5py.File(os.path.join(run_dir, "run.h5"), "r")


def names(h5, dataset, field):
    return {v: k for k, v in h5py.check_enum_dtype(h5[dataset].dtype[field]).items()}


def element_index(h5, name):
    elements = [e.decode() for e in h5["/network/elements"]["name"]]
    return elements.index(name)


with tempfile.TemporaryDirectory() as tmp:
    # --- ambulance: handovers, the tunnel, rerouting ---
    summary, h5 = run(tmp, "ambulance_5g_handover", "duration=60min", "cohort.0.count=2", "mobility.0.offset_spread=5min")
    faults = h5["/faults"][:]
    kinds = names(h5, "/faults", "kind")
    handovers = faults[[kinds[k] == "handover" for k in faults["kind"]]]
    holes = faults[[kinds[k] == "coverage_hole" for k in faults["kind"]]]
    assert len(handovers) >= 4, f"{len(handovers)} handovers"
    lengths = (handovers["end_ns"] - handovers["start_ns"]) / NS
    assert lengths.min() >= 0.030 and lengths.max() <= 0.060, lengths
    hole = (holes["end_ns"] - holes["start_ns"]) / NS
    assert len(holes) == 2 * 4 and np.allclose(hole, 120.0), hole  # 2 patients x 4 mobility links
    t = summary["telemetry"]
    assert t["missing"] == 0 and t["completeness"] == 1.0, t
    assert 119.0 < t["latency"]["max"] < 125.0, t["latency"]
    n = summary["network"]
    assert n["reroutes"] >= 4, n["reroutes"]
    used = {l["name"]: l["packets_delivered"] for l in n["links"]}
    assert used["to_cell_a"] > 0 and used["to_cell_b"] > 0 and used["to_cell_c"] > 0, used
    packets = h5["/network/packets"][:]
    assert len(packets) == n["packets_sent"] + n["duplicates"], (len(packets), n["packets_sent"])  # record 100 %
    assert set(np.unique(packets["hops"][packets["drop_reason"] == 0])) == {4}, "device-router-cell-core-ingest"
    ambulance = (len(handovers), lengths.min(), lengths.max(), t["latency"]["max"], n["reroutes"])
    h5.close()

    # --- home: BLE disconnections and the LTE-M fallback ---
    summary, h5 = run(tmp, "home_ble_dropout", "duration=12h", "cohort.0.count=6")
    faults = h5["/faults"][:]
    kinds = names(h5, "/faults", "kind")
    ble = element_index(h5, "ble")
    blocks = faults[[(kinds[k] == "link_outage") for k in faults["kind"]] & (faults["element"] == ble)]
    drops = faults[[(kinds[k] == "ble_disconnect") for k in faults["kind"]]]
    assert len(blocks) > 10 and len(drops) > 0, (len(blocks), len(drops))
    long_blocks = blocks[(blocks["end_ns"] - blocks["start_ns"]) > 2 * NS]
    assert len(drops) == len(long_blocks), (len(drops), len(long_blocks))
    assert set(drops["start_ns"]) == set(long_blocks["start_ns"] + 2 * 10**9), "disconnect = blockage start + 2 s"
    n = summary["network"]
    used = {l["name"]: l["packets_delivered"] for l in n["links"]}
    assert n["reroutes"] > 0 and used["lte"] > 0 and used["home_wifi"] > used["lte"], (n["reroutes"], used)
    t = summary["telemetry"]
    assert t["missing"] == 0, t
    home = (len(blocks), len(drops), n["reroutes"], used["lte"])
    h5.close()

    # --- ward: the AP near capacity, its reboot and the overflow of the flush ---
    summary, h5 = run(tmp, "ward_wifi_congestion", "duration=40min", "outages.0.at=20min")
    ap = element_index(h5, "ward_ap")
    load = h5["/network/links"][:]
    ap_load = load[load["element"] == ap]
    before = ap_load[ap_load["time_ns"] <= 20 * 60 * NS]
    assert 0.6 < before["utilisation"].mean() < 1.0, before["utilisation"].mean()
    n = summary["network"]
    assert n["dropped_by_reason"]["queue_overflow"] > 0, n["dropped_by_reason"]
    assert ap_load["queue_max"].max() == 200, ap_load["queue_max"].max()
    after = ap_load[(ap_load["time_ns"] > 22 * 60 * NS) & (ap_load["time_ns"] <= 24 * 60 * NS)]
    assert after["dropped_packets"].sum() > 0, "the flush after the reboot overflows the AP queue"
    late = ap_load[ap_load["time_ns"] > 30 * 60 * NS]
    assert late["utilisation"].mean() > 0.95, "the retry storm keeps the AP saturated"
    faults = h5["/faults"][:]
    kinds = names(h5, "/faults", "kind")
    reboot = faults[[(kinds[k] == "node_outage") for k in faults["kind"]]]
    assert len(reboot) == 1 and reboot["element"][0] == ap and reboot["start_ns"][0] == 20 * 60 * 10**9, reboot
    ward = (before["utilisation"].mean(), n["dropped_by_reason"]["queue_overflow"])
    h5.close()

markdown = subprocess.run([twinbed, "catalog", "--links", "--markdown"], capture_output=True, text=True,
                          check=True).stdout
with open(docs) as f:
    page = f.read()
begin, end = "<!-- catalog:begin -->\n", "<!-- catalog:end -->"
assert begin in page and end in page, "docs/network.md lacks the catalog markers"
assert page[page.index(begin) + len(begin):page.index(end)] == markdown, (
    "docs/network.md is out of date with the technology tables; regenerate it with scripts/update-device-docs.sh")

print("ambulance: %d handovers of %.3f-%.3f s, max latency %.1f s, %d reroutes" % ambulance)
print("home: %d BLE blockages, %d disconnections, %d reroutes, %d packets over LTE-M" % home)
print("ward: AP utilisation %.2f before the reboot, %d queue overflows" % ward)
